"""The OpenAPI document is complete for this area's routes: a summary, a description,
tags, a typed success body, and every error status documented with the one error
body (never FastAPI's default validation schema, which is not what we send)."""

from __future__ import annotations

from typing import Any

from puente.api.app import create_app
from puente.node import Node

OURS = {"auth", "records", "search", "load", "audit", "users"}
EXPECTED = {
    ("post", "/auth/login"),
    ("get", "/auth/me"),
    ("post", "/tokens"),
    ("get", "/records"),
    ("post", "/records"),
    ("get", "/records/{rid}"),
    ("put", "/records/{rid}"),
    ("get", "/records/{rid}/history"),
    ("get", "/search"),
    ("post", "/load"),
    ("get", "/audit"),
    ("get", "/audit/verify"),
    ("get", "/users"),
    ("post", "/users"),
}


def _operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): op
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if OURS & set(op.get("tags", []))
    }


def test_every_route_is_documented_with_typed_bodies(node: Node) -> None:
    spec = create_app(node).openapi()
    ops = _operations(spec)
    assert set(ops) == EXPECTED
    for (method, path), op in ops.items():
        where = f"{method.upper()} {path}"
        assert op.get("summary") and " / " in op["summary"], where  # English / Spanish
        assert len(op.get("description", "")) > 40, where
        success = [c for c in op["responses"] if c.startswith("2")]
        assert len(success) == 1, where
        schema = op["responses"][success[0]]["content"]["application/json"]["schema"]
        assert schema.get("$ref") or schema.get("items"), where
        for code, resp in op["responses"].items():
            if code.startswith(("4", "5")):
                ref = resp["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (where, code)
        if method in ("post", "put") and path != "/load":
            assert "application/json" in op["requestBody"]["content"], where
    load = ops[("post", "/load")]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert load["required"] == ["file"] and "mapping" in load["properties"]
    assert "HTTPValidationError" not in str(
        {k: v for k, v in spec["paths"].items() if k.startswith(("/records", "/search"))}
    )
