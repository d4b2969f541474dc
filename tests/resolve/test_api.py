"""``/resolve`` routes on both backends: roles, clearance, explanations, decisions."""

from __future__ import annotations

from tests.api.conftest import Api, api, cheap_argon2  # noqa: F401  (fixtures)
from tests.resolve.conftest import PEOPLE, write

SECRET = {"classification": "secret", "handling": "H2", "source_reliability": "A",
          "info_credibility": "1"}  # fmt: skip


def _load(api: Api) -> None:  # noqa: F811
    write(api.node, PEOPLE)
    r = api.client.post("/resolve/run", json={"groups": ["Person"]}, headers=api.auth("ana"))
    assert r.status_code == 200, r.text
    assert r.json()[0]["mode"] == "full"


def test_cluster_explain_decide_undo(api: Api) -> None:  # noqa: F811
    _load(api)
    h = api.auth("ana")
    cl = api.client.get("/resolve/records/us-dealer-1/cluster", headers=h).json()
    assert {"us-dealer-1", "mx-seizure-1"} <= {m["id"] for m in cl["members"]}
    same = api.client.get(f"/resolve/clusters/{cl['cluster_id']}", headers=h).json()
    assert same["cluster_id"] == cl["cluster_id"]
    ex = api.client.get("/resolve/explain", params={"left": "mx-seizure-1",
                        "right": "us-border-1"}, headers=h).json()  # fmt: skip
    assert {f["field"] for f in ex["fields"]} >= {"given", "surname", "dob", "phones"}
    queue = api.client.get("/resolve/review", params={"group": "Person"}, headers=h).json()
    assert queue
    r = api.client.post("/resolve/decisions", headers=h, json={
        "left_id": "us-dealer-1", "right_id": "mx-report-2", "judgement": "not_same"})  # fmt: skip
    assert r.status_code == 201
    made = r.json()
    assert made["clusters"]["us-dealer-1"] != made["clusters"]["mx-report-2"]
    undo = api.client.post(f"/resolve/decisions/{made['id']}/undo", headers=h)
    assert undo.status_code == 201
    assert undo.json()["clusters"]["us-dealer-1"] == undo.json()["clusters"]["mx-report-2"]
    again = api.client.post(f"/resolve/decisions/{made['id']}/undo", headers=h)
    assert again.status_code == 409
    listed = api.client.get("/resolve/decisions", headers=h).json()
    assert [d["judgement"] for d in listed] == ["undo", "not_same"]


def test_errors_map_to_statuses(api: Api) -> None:  # noqa: F811
    _load(api)
    h = api.auth("ana")
    bad = api.client.post("/resolve/decisions", headers=h, json={
        "left_id": "us-dealer-1", "right_id": "mx-report-2", "judgement": "maybe"})  # fmt: skip
    assert bad.status_code == 400
    assert api.client.get("/resolve/clusters/Enope", headers=h).status_code == 404
    assert api.client.post("/resolve/decisions/999/undo", headers=h).status_code == 404
    assert api.client.get("/resolve/review", headers=api.auth("sec")).status_code == 403
    assert api.client.get("/resolve/review").status_code == 401
    assert api.client.get("/resolve/review", params={"group": "Planet"},
                          headers=h).status_code == 400  # fmt: skip


def test_clearance_hides_and_refuses(api: Api) -> None:  # noqa: F811
    secret = [{**PEOPLE[1], "id": "mx-secret-1", "markings": SECRET}]
    write(api.node, PEOPLE)
    from puente.model.markings import Markings
    from puente.model.record import validate_entity
    from puente.store import records

    rid, schema, props, _ = validate_entity(secret[0])
    marks = Markings.parse(SECRET, originator=api.node.country)
    with api.node.write() as conn:
        records.write_batch(conn, [records.prepare(rid, schema, props, marks)], origin="MEX",
                            actor="test")  # fmt: skip
    api.client.post("/resolve/run", json={"groups": ["Person"]}, headers=api.auth("admin"))
    low = api.auth("beto")  # restricted clearance: sees the defaults, not the secret one
    cl = api.client.get("/resolve/records/mx-seizure-1/cluster", headers=low).json()
    assert "mx-secret-1" not in {m["id"] for m in cl["members"]}
    assert cl["hidden_members"] >= 1
    ex = api.client.get("/resolve/explain", params={"left": "mx-seizure-1",
                        "right": "mx-secret-1"}, headers=low)  # fmt: skip
    assert ex.status_code == 403
    top = api.client.get("/resolve/records/mx-seizure-1/cluster", headers=api.auth("admin"))
    assert "mx-secret-1" in {m["id"] for m in top.json()["members"]}
