"""Resolution on a node (SQLite and PostgreSQL): full run, explanations, review queue,
decisions that override the model and can be undone, incremental resolution."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from puente.errors import Conflict, Forbidden, InvalidInput, NotFound
from puente.node import Node
from puente.resolve import service
from puente.resolve.incremental import resolve_changes
from puente.store.tables import audit_log, resolve_decisions
from puente.store.users import SYSTEM, User
from tests.resolve.conftest import write

RAMIREZ = ("us-dealer-1", "mx-seizure-1", "us-border-1", "mx-report-2")


def cluster_ids(node: Node, *ids: str) -> dict[str, str]:
    return {i: service.cluster_of(node, SYSTEM, i)["cluster_id"] for i in ids}


def test_full_run_finds_the_same_man(people_node: Node) -> None:
    reports = service.run(people_node, SYSTEM, ["Person", "Firearm"], incremental=False)
    assert [r["mode"] for r in reports] == ["full", "full"]
    c = cluster_ids(people_node, "us-dealer-1", "mx-seizure-1", "mx-report-2")
    assert len(set(c.values())) == 1
    others = cluster_ids(people_node, "mx-other-1", "us-other-2", "mx-other-3")
    assert len(set(others.values())) == 3 and not set(others.values()) & set(c.values())
    # the gun with a misread and a missing serial character is one gun
    fa = service.cluster_of(people_node, SYSTEM, "fa-1")
    assert {m["id"] for m in fa["members"]} == {"fa-1", "fa-2"}
    # a second run keeps the ids
    service.run(people_node, SYSTEM, ["Person"], incremental=False)
    assert cluster_ids(people_node, *c) == c


def test_explanation_lists_every_field(people_node: Node) -> None:
    service.run(people_node, SYSTEM, ["Person"], incremental=False)
    ex = service.explain(people_node, SYSTEM, "mx-seizure-1", "us-border-1")
    fields = {f["field"]: f for f in ex["fields"]}
    assert fields["phones"]["level"] == "a phone shared" and fields["phones"]["weight"] > 0
    assert fields["dob"]["level"] == "day and month swapped"
    assert ex["match_weight"] == pytest.approx(
        ex["prior_weight"] + sum(f["weight"] for f in ex["fields"]), abs=1e-3
    )
    assert ex["stored"]["fields"]["phones"] == pytest.approx(fields["phones"]["weight"], abs=1e-3)
    with pytest.raises(InvalidInput):
        service.explain(people_node, SYSTEM, "fa-1", "us-border-1")


def test_decisions_override_and_undo(people_node: Node) -> None:
    service.run(people_node, SYSTEM, ["Person"], incremental=False)
    queue = service.review_queue(people_node, SYSTEM, "Person")
    assert queue and all(0.2 <= q["match_probability"] < 0.9 for q in queue)
    before = cluster_ids(people_node, "us-dealer-1", "mx-report-2")
    assert before["us-dealer-1"] == before["mx-report-2"]
    # "not same" splits them although the model links them
    made = service.decide(people_node, SYSTEM, "us-dealer-1", "mx-report-2", "not_same", "DOB")
    after = cluster_ids(people_node, "us-dealer-1", "mx-report-2")
    assert after["us-dealer-1"] != after["mx-report-2"]
    # and a full re-run still obeys it
    service.run(people_node, SYSTEM, ["Person"], incremental=False)
    again = cluster_ids(people_node, "us-dealer-1", "mx-report-2")
    assert again["us-dealer-1"] != again["mx-report-2"]
    # undo restores the model's verdict; the decision rows stay (append-only)
    service.undo(people_node, SYSTEM, made["id"])
    restored = cluster_ids(people_node, "us-dealer-1", "mx-report-2")
    assert restored["us-dealer-1"] == restored["mx-report-2"]
    with people_node.read() as conn:
        assert conn.execute(select(func.count()).select_from(resolve_decisions)).scalar() == 2
        actions = [r[0] for r in conn.execute(select(audit_log.c.action))]
    assert "resolve_decide" in actions and "resolve_undo" in actions
    with pytest.raises(Conflict):
        service.undo(people_node, SYSTEM, made["id"])
    # "same" merges two strangers
    service.decide(people_node, SYSTEM, "mx-other-1", "mx-other-3", "same")
    c = cluster_ids(people_node, "mx-other-1", "mx-other-3")
    assert c["mx-other-1"] == c["mx-other-3"]


def test_bad_decisions_are_refused(people_node: Node) -> None:
    service.run(people_node, SYSTEM, ["Person"], incremental=False)
    with pytest.raises(InvalidInput):
        service.decide(people_node, SYSTEM, "us-dealer-1", "us-border-1", "maybe")
    with pytest.raises(InvalidInput):
        service.decide(people_node, SYSTEM, "us-dealer-1", "us-dealer-1", "same")
    with pytest.raises(NotFound):
        service.decide(people_node, SYSTEM, "us-dealer-1", "nobody", "same")
    with pytest.raises(NotFound):
        service.undo(people_node, SYSTEM, 999)
    with pytest.raises(InvalidInput):
        service.run(people_node, SYSTEM, ["Planet"], incremental=False)
    with pytest.raises(Forbidden):
        service.review_queue(people_node, User("sec", ("secretariat",), 3, "en"), "Person")


def test_incremental_new_record_joins_and_removal_leaves(people_node: Node) -> None:
    service.run(people_node, SYSTEM, ["Person"], incremental=False)
    target = service.cluster_of(people_node, SYSTEM, "mx-seizure-1")["cluster_id"]
    write(people_node, [{"id": "us-cbp-9", "schema": "Person", "properties": {
        "name": ["RAMIREZ OCHOA, JOSE LUIS"], "birthDate": ["1979-03-04"],
        "phone": ["0052 55 1234 5678"]}}], origin="USA")  # fmt: skip
    report = resolve_changes(people_node, "Person")
    assert report.resolved == 1
    assert service.cluster_of(people_node, SYSTEM, "us-cbp-9")["cluster_id"] == target
    # nothing new: nothing to do
    assert resolve_changes(people_node, "Person").changes == 0
    # a changed record is re-scored: it becomes someone else
    write(people_node, [{"id": "us-cbp-9", "schema": "Person", "properties": {
        "name": ["Pedro Infante Cruz"], "birthDate": ["1917-11-18"]}}], origin="USA")  # fmt: skip
    resolve_changes(people_node, "Person")
    assert service.cluster_of(people_node, SYSTEM, "us-cbp-9")["cluster_id"] != target
    assert service.cluster_of(people_node, SYSTEM, "mx-seizure-1")["cluster_id"] == target
