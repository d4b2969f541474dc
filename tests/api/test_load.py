"""``POST /load``: files loaded as the caller, invalid files refused with every
problem, oversized uploads refused while streaming with nothing written."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from puente.node import Node
from tests.api.conftest import Api
from tests.ingest.test_load import HEADER, MAPPING, ROW1, ROW2

MARKS = {
    "classification": "confidential",
    "handling": "H1",
    "source_reliability": "A",
    "info_credibility": "1",
}
JSONL = "".join(
    json.dumps({"id": f"mx-l{i}", "schema": "Person", "properties": {"name": f"Persona {i}"}})
    + "\n"
    for i in range(5)
)


def counts(node: Node) -> tuple[int, int, int]:
    with node.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
            for t in ("records", "record_versions", "loads")
        )


def test_load_jsonl_as_the_caller_with_form_markings(api: Api) -> None:
    r = api.client.post(
        "/load",
        files={"file": ("personas.jsonl", JSONL.encode())},
        data=MARKS,
        headers=api.auth("ana"),
    )
    assert r.status_code == 200, r.json()
    report = r.json()
    assert (report["file"], report["rows"], report["created"]) == ("personas.jsonl", 5, 5)
    assert report["markings_source"] == {"command_line": 5}
    assert counts(api.node) == (5, 5, 1)
    record = api.client.get("/records/mx-l3", headers=api.auth("ana")).json()
    assert record["markings"]["classification"] == "confidential"
    audit = api.client.get("/audit", params={"action": "load"}, headers=api.auth("admin"))
    [entry] = audit.json()["entries"]
    assert (entry["actor"], entry["target"]) == ("ana", "personas.jsonl")
    # the same file again changes nothing
    again = api.client.post(
        "/load",
        files={"file": ("personas.jsonl", JSONL.encode())},
        data=MARKS,
        headers=api.auth("ana"),
    )
    assert again.json()["unchanged"] == 5 and counts(api.node)[:2] == (5, 5)


def test_load_csv_with_mapping_file(api: Api) -> None:
    r = api.client.post(
        "/load",
        files={
            "file": ("ventas.csv", (HEADER + ROW1 + ROW2).encode()),
            "mapping": ("map.yaml", MAPPING.encode()),
        },
        headers=api.auth("rel"),
    )
    assert r.status_code == 200, r.json()
    assert r.json()["created"] == 6
    assert r.json()["markings_source"] == {"file": 2}
    hits = api.client.get("/search", params={"q": "LW-1234"}, headers=api.auth("rel")).json()
    assert [h["schema"] for h in hits["hits"]] == ["Firearm"]


def test_invalid_file_is_422_with_every_problem_and_nothing_written(api: Api) -> None:
    bad = (
        JSONL
        + '{"id": "mx-x1", "schema": "Persn", "properties": {}}\n'
        + '{"id": "mx-x2", "schema": "Person", "properties": {"name": "A", "birthDate": "2001-02-30"}}\n'
        + "{not json\n"
        + '{"id": "mx-x3", "schema": "Person", "properties": {"name": "A\\u0000B"}}\n'
    )
    r = api.client.post(
        "/load", files={"file": ("bad.jsonl", bad.encode())}, headers=api.auth("beto")
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "error.invalid_file"
    assert body["message"] == "El archivo tiene 5 errores; no se escribió nada"
    got = [(p["file"], p["line"], p["field"], p["reason"]) for p in body["problems"]]
    assert got == [
        ("bad.jsonl", 6, "schema", "unknown_schema"),
        ("bad.jsonl", 7, "birthDate", "bad_date"),
        ("bad.jsonl", 8, "", "bad_json"),
        ("bad.jsonl", 9, "name", "bad_value"),  # NUL: no database stores it
        ("bad.jsonl", 9, "name", "missing_required"),
    ]
    assert body["problems"][1]["message"] == "fecha imposible o mal escrita 2001-02-30"
    assert counts(api.node) == (0, 0, 0)

    r = api.client.post(
        "/load",
        files={"file": ("bad.jsonl", bad.encode())},
        data={"skip_invalid": "true"},
        headers=api.auth("ana"),
    )
    assert r.status_code == 200
    assert (r.json()["created"], r.json()["rejected"]) == (5, 4)
    assert r.json()["rejects_file"] == f"rejects/{r.json()['load_id']}.rejects.jsonl"
    kept = api.node.settings.node_dir / r.json()["rejects_file"]
    assert [json.loads(x)["line"] for x in kept.read_text().splitlines()] == [6, 7, 8, 9]
    assert (
        r.json()["problems"][2]["message"]
        == "invalid JSON: " + body["problems"][2]["params"]["detail"]
    )


@pytest.mark.parametrize(
    ("files", "data", "status", "named"),
    [
        ({"file": ("a.csv", b"x\n")}, {}, 400, "a.csv"),  # CSV without mapping
        ({"file": ("a.txt", b"x\n")}, {}, 400, "a.txt"),  # unknown format
        ({"file": ("a.jsonl", b"{}\n")}, {"encoding": "klingon"}, 400, "klingon"),
        ({"file": ("a.jsonl", b"{}\n")}, {"skip_invalid": "maybe"}, 400, "skip_invalid"),
        ({"file": ("a.jsonl", b"{}\n")}, {"colour": "red"}, 400, "colour"),
        ({"file": ("a.jsonl", b"{}\n")}, {"markings": "[1]"}, 400, "markings"),
        (
            {"file": ("a.jsonl", b"{}\n")},
            {
                "classification": "ultra",
                **{k: v for k, v in MARKS.items() if k != "classification"},
            },
            400,
            "classification",
        ),
        ({"file": ("a.jsonl", b"{}\n")}, {**MARKS, "rel_to": "CAN"}, 400, "CAN"),
        ({"mapping": ("m.yaml", b"entities: {}")}, {}, 400, "file"),
        *[
            ({"file": ("a.csv", b"k,n\n1,Ana\n"), "mapping": ("m.yaml", bad)}, {}, 400, "m.yaml")
            for bad in (
                b"entities: [unclosed",
                b"entities: {a: 1}",
                b"entities: {a: {schema: Person, keys: 5}}",
                b"entities: {a: {schema: Person, keys: [k], properties: [1]}}",
                b"entities: {a: {schema: Person, keys: [k], properties: {name: [1]}}}",
                b"markings: 5\nentities: {a: {schema: Person, keys: [k]}}",
                b"markings: {handling: {x: 1}}\nentities: {a: {schema: Person, keys: [k]}}",
                b"\xff\xfe",
            )
        ],
    ],
)
def test_bad_load_requests_are_4xx_naming_what_is_wrong(
    api: Api, files: dict[str, Any], data: dict[str, str], status: int, named: str
) -> None:
    r = api.client.post("/load", files=files, data=data, headers=api.auth("ana"))
    assert r.status_code == status, r.json()
    assert named in r.json()["message"] + json.dumps(r.json()["params"]), r.json()
    assert "puente-upload" not in r.text  # the client's names, not our temporary paths
    assert counts(api.node) == (0, 0, 0)


def test_load_needs_a_multipart_body_and_a_writer_role(api: Api) -> None:
    r = api.client.post("/load", content=JSONL.encode(), headers=api.auth("ana"))
    assert r.status_code == 400 and r.json()["error"] == "api.not_multipart"
    r = api.client.post(
        "/load",
        content=b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n{}',
        headers={**api.auth("ana"), "Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert r.status_code == 400 and r.json()["error"] == "api.bad_multipart"
    files = {"file": ("a.jsonl", JSONL.encode())}
    assert api.client.post("/load", files=files).status_code == 401
    r = api.client.post("/load", files=files, headers=api.auth("sec"))
    assert r.status_code == 403
    assert counts(api.node) == (0, 0, 0)


# --- the 200 MB upload -----------------------------------------------------------------

BOUNDARY = "puente-test-boundary"
MB = 1 << 20


def _multipart_chunks(total: int, chunk: bytes) -> Iterator[bytes]:
    """A multipart body with one ``total``-byte JSON-lines file, made lazily."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.jsonl"\r\nContent-Type: application/x-ndjson\r\n\r\n'
    ).encode()
    for _ in range(total // len(chunk)):
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _post_streaming(
    app: FastAPI, chunks: Iterator[bytes], headers: dict[str, str]
) -> tuple[int, dict[str, Any], int]:
    """Drive the ASGI app directly, feeding the body chunk by chunk as it asks for it;
    returns (status, json body, bytes the app consumed). The test client would buffer
    the whole body in memory first, which is what this test must not do."""
    consumed = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal consumed
        piece = next(chunks, None)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(piece)
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/load",
        "raw_path": b"/load",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("testserver", 80),
        "client": ("testclient", 50000),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), consumed


def test_a_200_mb_upload_is_refused_while_streaming_and_nothing_is_written(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = json.dumps({"id": "mx-big", "schema": "Person", "properties": {"name": "x"}}) + "\n"
    chunk = (line * (MB // len(line) + 1))[:MB].encode()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    limit = api.node.settings.max_upload_mb * MB
    headers = {
        **api.auth("ana"),
        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
        "accept-language": "en",
    }

    status, body, consumed = _post_streaming(
        api.client.app,
        _multipart_chunks(200 * MB, chunk),
        headers,  # type: ignore[arg-type]
    )
    assert status == 413
    assert body["error"] == "error.too_large"
    assert body["params"]["limit"] == str(limit)
    assert limit < consumed <= limit + 2 * MB  # stopped reading right past the limit
    assert list(scratch.iterdir()) == []  # the partial upload was removed
    assert counts(api.node) == (0, 0, 0)

    # Declared too large: refused before a single body byte is read.
    status, body, consumed = _post_streaming(
        api.client.app,
        _multipart_chunks(200 * MB, chunk),
        {**headers, "content-length": str(200 * MB + 300)},
    )
    assert (status, consumed) == (413, 0)

    # The node keeps working.
    assert api.client.get("/health").json()["status"] == "ok"
    r = api.client.post(
        "/load", files={"file": ("ok.jsonl", JSONL.encode())}, headers=api.auth("ana")
    )
    assert r.status_code == 200 and counts(api.node) == (5, 5, 1)
