"""Records over HTTP: create, read, update with optimistic concurrency, history,
held-at; clearance and read audit; bad bodies get a 4xx naming the field."""

from __future__ import annotations

import time
from typing import Any

from puente.store.records import count
from tests.api.conftest import Api, person


def _audit(api: Api, action: str) -> list[dict[str, Any]]:
    r = api.client.get("/audit", params={"action": action}, headers=api.auth("admin"))
    return r.json()["entries"]  # type: ignore[no-any-return]


def _records(api: Api) -> int:
    with api.node.read() as conn:
        return count(conn)


def test_create_read_update_history(api: Api) -> None:
    body = person("mx-p1", "Joaquín Guzmán Loera", birthDate="1957-04-04")
    r = api.client.post("/records", json=body, headers=api.auth("ana"))
    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["version"] == 1 and created["origin"] == "MEX"
    assert created["markings"]["classification"] == "restricted"
    assert created["banner"] == "RESTRICTED // ONLY MEX"

    r = api.client.get("/records/mx-p1", headers=api.auth("beto"))
    assert r.status_code == 200
    assert r.json()["properties"]["name"] == ["Joaquín Guzmán Loera"]
    assert r.json()["banner"] == "RESERVADO // SOLO MEX"  # beto reads Spanish

    update = {**body, "expected_version": 1}
    update["properties"] = {"name": ["Joaquín Guzmán Loera"], "birthDate": ["1957-04-05"]}
    update["markings"] = {**body["markings"], "classification": "confidential"}
    r = api.client.put("/records/mx-p1", json=update, headers=api.auth("ana"))
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 2
    assert r.json()["created_at"] == created["created_at"]

    r = api.client.get("/records/mx-p1/history", headers=api.auth("ana"))
    assert [v["version"] for v in r.json()] == [1, 2]
    assert r.json()[0]["properties"]["birthDate"] == ["1957-04-04"]
    assert r.json()[1]["recorded_by"] == "ana"


def test_create_without_id_or_markings_gets_an_id_and_the_node_default(api: Api) -> None:
    r = api.client.post(
        "/records",
        json={"schema": "Vessel", "properties": {"name": "Esperanza", "imoNumber": "9074729"}},
        headers=api.auth("ana"),
    )
    assert r.status_code == 201, r.json()
    assert r.json()["id"].startswith("mex-")
    assert r.json()["markings"] == {
        **api.node.default_markings.to_dict(),
        "handling_note": "",
        "withheld": [],
    }


def test_version_conflict_is_409_and_changes_nothing(api: Api) -> None:
    body = person("mx-p2", "Ismael Zambada")
    assert api.client.post("/records", json=body, headers=api.auth("ana")).status_code == 201
    first = {**body, "expected_version": 1, "properties": {"name": "Ismael Zambada García"}}
    assert api.client.put("/records/mx-p2", json=first, headers=api.auth("ana")).status_code == 200
    stale = {**body, "expected_version": 1, "properties": {"name": "El Mayo"}}
    r = api.client.put("/records/mx-p2", json=stale, headers=api.auth("beto"))
    assert r.status_code == 409
    assert r.json()["error"] == "error.version_conflict"
    assert r.json()["params"] == {"id": "mx-p2", "expected": "1", "have": "2"}
    r = api.client.get("/records/mx-p2", headers=api.auth("ana"))
    assert r.json()["properties"]["name"] == ["Ismael Zambada García"]
    assert r.json()["version"] == 2
    # creating an existing id is a conflict too, and so is the wrong PUT target
    r = api.client.post("/records", json=body, headers=api.auth("ana"))
    assert r.status_code == 409
    assert r.json()["error"] == "access.record_exists"
    r = api.client.put(
        "/records/mx-none",
        json={**body, "id": None, "expected_version": 0},
        headers=api.auth("ana"),
    )
    assert r.status_code == 404
    r = api.client.put(
        "/records/mx-p2",
        json={**body, "id": "other", "expected_version": 2},
        headers=api.auth("ana"),
    )
    assert r.status_code == 400
    assert r.json()["params"]["field"] == "id"


def test_held_at_answers_what_the_node_held_then(api: Api) -> None:
    body = person("mx-p3", "Rafael Caro Quintero")
    api.client.post("/records", json=body, headers=api.auth("ana"))
    r = api.client.get("/records", params={"held_at": "2001-01-01"}, headers=api.auth("ana"))
    assert r.status_code == 200
    assert r.json()["total"] == 0 and r.json()["records"] == []
    between = api.client.get("/records", headers=api.auth("ana")).json()["at"]
    time.sleep(0.01)
    changed = {**body, "expected_version": 1, "properties": {"name": "R. Caro Quintero"}}
    api.client.put("/records/mx-p3", json=changed, headers=api.auth("ana"))

    then = api.client.get("/records", params={"held_at": between}, headers=api.auth("ana"))
    assert [(v["id"], v["version"]) for v in then.json()["records"]] == [("mx-p3", 1)]
    assert then.json()["records"][0]["properties"]["name"] == ["Rafael Caro Quintero"]
    now = api.client.get(
        "/records", params={"held_at": "2999-12-31", "schema": "Person"}, headers=api.auth("ana")
    )
    assert [(v["id"], v["version"]) for v in now.json()["records"]] == [("mx-p3", 2)]
    none = api.client.get("/records", params={"schema": "Vessel"}, headers=api.auth("ana"))
    assert none.json()["total"] == 0
    for bad, field in (("2024-02-30", "held_at"), ("yesterday", "held_at")):
        r = api.client.get("/records", params={"held_at": bad}, headers=api.auth("ana"))
        assert r.status_code == 400
        assert r.json()["params"]["field"] == field
        assert bad in r.json()["message"]
    r = api.client.get("/records", params={"schema": "Persona"}, headers=api.auth("ana"))
    assert r.status_code == 400 and "Persona" in r.json()["message"]


def test_clearance_forbids_reading_and_hides_from_search(api: Api) -> None:
    secret = person("mx-s1", "Nemesio Oseguera", classification="confidential")
    open_ = person("mx-o1", "Nemesio Público", classification="public")
    for body in (secret, open_):
        assert api.client.post("/records", json=body, headers=api.auth("ana")).status_code == 201

    r = api.client.get("/records/mx-s1", headers=api.auth("beto"))  # restricted clearance
    assert r.status_code == 403
    assert r.json()["message"] == "Su habilitación no permite leer este registro"
    assert "Oseguera" not in r.text
    assert api.client.get("/records/mx-s1/history", headers=api.auth("pia")).status_code == 403

    hits = api.client.get("/search", params={"q": "nemesio"}, headers=api.auth("beto")).json()
    assert [h["id"] for h in hits["hits"]] == ["mx-o1"]
    hits = api.client.get("/search", params={"q": "nemesio"}, headers=api.auth("ana")).json()
    assert [h["id"] for h in hits["hits"]] == ["mx-o1", "mx-s1"]
    held = api.client.get("/records", headers=api.auth("pia")).json()
    assert [v["id"] for v in held["records"]] == ["mx-o1"]

    denied = _audit(api, "read_denied")
    assert [(e["actor"], e["target"]) for e in denied] == [("beto", "mx-s1"), ("pia", "mx-s1")]


def test_reads_at_restricted_or_above_are_audited_public_ones_not(api: Api) -> None:
    api.client.post("/records", json=person("mx-r1", "Ana Restringida"), headers=api.auth("ana"))
    api.client.post(
        "/records", json=person("mx-u1", "Ana Pública", "public"), headers=api.auth("ana")
    )
    assert api.client.get("/records/mx-r1", headers=api.auth("beto")).status_code == 200
    assert api.client.get("/records/mx-u1", headers=api.auth("beto")).status_code == 200
    reads = _audit(api, "read")
    assert [(e["actor"], e["target"]) for e in reads] == [("beto", "mx-r1")]
    api.client.get("/search", params={"q": "ana"}, headers=api.auth("beto"))
    [search] = _audit(api, "search")
    assert search["actor"] == "beto" and search["detail"]["ids"] == ["mx-r1"]


def test_roles_and_clearance_limit_writing(api: Api) -> None:
    body = person("mx-w1", "Ovidio Guzmán")
    r = api.client.post("/records", json=body, headers=api.auth("sec"))
    assert r.status_code == 403 and r.json()["error"] == "error.role"
    r = api.client.post("/records", json=person("mx-w2", "X Y", "secret"), headers=api.auth("ana"))
    assert r.status_code == 403 and r.json()["error"] == "error.clearance"
    assert api.client.post("/records", json=body, headers=api.auth("rel")).status_code == 201
    assert _records(api) == 1


def test_bad_bodies_are_4xx_naming_the_field_and_write_nothing(api: Api) -> None:
    good = person("mx-b1", "Bad Body")
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**good, "schema": "Persona"}, 422, "schema"),
        ({**good, "schema": "Thing"}, 422, "schema"),  # abstract
        ({**good, "properties": {"name": "x", "alias_": "y"}}, 422, "alias_"),
        ({**good, "properties": {"name": "x", "birthDate": "1990-02-30"}}, 422, "birthDate"),
        ({**good, "properties": {"birthDate": "1990-01-01"}}, 422, "name"),
        ({**good, "properties": {"name": {"a": 1}}}, 422, "properties.name"),
        ({**good, "properties": {"name": "x\x00y"}}, 422, "name"),
        ({**good, "id": "a\nb"}, 400, "id"),
        ({**good, "id": "x" * 201}, 400, "id"),
        ({**good, "colour": "red"}, 422, "colour"),
        ({"properties": {"name": "x"}}, 422, "schema"),
        ({**good, "markings": {**good["markings"], "rel_to": ["USA"]}}, 400, "USA"),
        ({**good, "markings": {**good["markings"], "handling": "H9"}}, 400, "handling"),
        ({**good, "markings": {**good["markings"], "color": "x"}}, 422, "color"),
        ({**good, "markings": {"classification": "public"}}, 400, "handling"),
        ({**good, "markings": {**good["markings"], "classification": "ultra"}}, 400, "ultra"),
    ]
    for body, status, named in cases:
        r = api.client.post("/records", json=body, headers=api.auth("ana"))
        assert r.status_code == status, (body, r.json())
        assert named in r.json()["message"], (body, r.json())
    r = api.client.post(
        "/records",
        content=b'{"schema": "Person", "properties": {',
        headers={**api.auth("ana"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["problems"][0]["reason"] == "json_invalid"
    r = api.client.post(
        "/records",
        content=b"[1, 2]",
        headers={**api.auth("ana"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert _records(api) == 0


def test_record_ids_with_slashes_and_unknown_ids(api: Api) -> None:
    body = person("mx/2024/7", "Slash Id")
    assert api.client.post("/records", json=body, headers=api.auth("ana")).status_code == 201
    assert api.client.get("/records/mx/2024/7", headers=api.auth("ana")).json()["id"] == "mx/2024/7"
    r = api.client.get("/records/mx/2024/7/history", headers=api.auth("ana"))
    assert [v["version"] for v in r.json()] == [1]
    r = api.client.get("/records/missing", headers=api.auth("ana"))
    assert r.status_code == 404 and r.json()["message"] == "No such record: missing"
    r = api.client.get("/records/a%00b", headers=api.auth("ana"))
    assert r.status_code == 400
