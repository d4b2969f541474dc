"""The API: user routes map to the service with the right statuses (roles 403, unknown
partner 404, bad items 400/422, quota 403 with the partner's reason), partner routes
refuse unsigned or altered bodies (both backends)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from puente.api import create_app
from puente.hitnohit import service
from puente.hitnohit.wire import body_hash
from puente.node import Node
from puente.store.users import SYSTEM, add_user, create_token
from tests.hitnohit.helpers import marks, person, put
from tests.hitnohit.test_cli import served  # noqa: F401  (fixture)


@pytest.fixture
def mx_api(served: tuple[Node, Node]) -> Iterator[tuple[TestClient, dict[str, str], Node]]:  # noqa: F811
    mx, us = served
    tokens = {}
    with mx.write() as conn:
        for name, roles in (
            ("ana", ["analyst"]),
            ("rel", ["releasing_officer"]),
            ("adm", ["admin"]),
        ):
            add_user(conn, name, "correct horse battery", roles, "secret", "en")
            tokens[name] = create_token(conn, name, "t", 1)
    service.pair_setup(us, SYSTEM, "MX", secret="aa" * 32, quota=5)
    put(us, [person("p1", "Juan", "Pérez", "1980-03-03", phone=["+1 210 555 0101"])], marks(us))
    with TestClient(create_app(mx)) as http:
        yield http, tokens, us


def test_user_routes(mx_api: tuple[TestClient, dict[str, str], Node]) -> None:
    http, tokens, _ = mx_api
    h = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
    r = http.put("/hitnohit/pairs/US", json={"secret": "aa" * 32}, headers=h["ana"])
    assert r.status_code == 403
    r = http.put("/hitnohit/pairs/US", json={"secret": "aa" * 32}, headers=h["adm"])
    assert r.status_code == 200 and r.json()["mode"] == "secret"
    body = {
        "items": [
            {"type": "phone", "value": "2105550101"},
            {"type": "person", "name": "Juan Perez", "dob": "1980-03-03", "phone": "2105550101"},
            {"type": "mmsi", "value": "345070999"},
        ]
    }
    r = http.post("/hitnohit/query/US", json=body, headers=h["ana"])
    assert r.status_code == 200, r.text
    assert [x["hit"] for x in r.json()["results"]] == [True, True, False]
    assert http.post("/hitnohit/query/US", json=body, headers=h["rel"]).status_code == 403
    assert http.post("/hitnohit/query/GT", json=body, headers=h["ana"]).status_code == 404
    bad = {"items": [{"type": "colour", "value": "red"}]}
    assert http.post("/hitnohit/query/US", json=bad, headers=h["ana"]).status_code == 400
    bad = {"items": [{"type": "person", "name": "Juan Perez", "passport": "?"}]}
    r = http.post("/hitnohit/query/US", json=bad, headers=h["ana"])
    assert r.status_code == 400 and "passport" in r.json()["message"]
    assert http.post("/hitnohit/query/US", json={"items": []}, headers=h["ana"]).status_code == 422
    r = http.post("/hitnohit/query/US", json=body, headers=h["ana"])  # 3 + 3 > quota 5
    assert r.status_code == 403 and r.json()["error"] == "hitnohit.quota_exceeded"
    assert "quota" in r.json()["message"]
    assert http.get("/hitnohit/queries?direction=in", headers=h["ana"]).status_code == 403
    log = http.get("/hitnohit/queries", headers=h["ana"]).json()
    assert log[0]["hits"] == 2
    assert (
        http.post("/hitnohit/requests/nope/approve", json={}, headers=h["rel"]).status_code == 404
    )
    r = http.post(
        "/hitnohit/requests",
        headers=h["ana"],
        json={
            "hit_ref": log[0]["refs"][0]["ref"],
            "case_number": "C-9",
            "justification": "Needed for an open investigation",
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "pending"
    assert http.get("/hitnohit/requests?status=bogus", headers=h["ana"]).status_code == 400


def test_partner_routes_refuse_unsigned_and_altered_bodies(
    mx_api: tuple[TestClient, dict[str, str], Node],
) -> None:
    _, _, us = mx_api
    from puente.exchange.auth import sign_request

    with TestClient(create_app(us)) as http:
        assert http.post("/hitnohit/partner/query", content=b"{}").status_code == 401
        assert http.get("/hitnohit/partner/x25519").status_code == 401
        raw = b'{"items": []}'
        # signed by an unknown key for a registered partner: refused
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        headers = sign_request(
            Ed25519PrivateKey.generate(),
            method="POST",
            path="/hitnohit/partner/query",
            params={"sha256": body_hash(raw)},
            sender="MEX",
            receiver="USA",
        )
        r = http.post(
            "/hitnohit/partner/query",
            params={"sha256": body_hash(raw)},
            content=raw,
            headers=headers,
        )
        assert r.status_code == 401 and r.json()["error"] == "exchange.bad_request_sig"
