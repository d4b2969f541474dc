"""The framework tree: levels and numbering, statuses with their history, milestones and
evidence, and the sovereignty rule — each side edits only what it owns, the other sees
it through the signed exchange — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from puente.coordinate import framework
from puente.coordinate.writes import snapshot
from puente.errors import Forbidden, InvalidInput
from puente.node import Node
from tests.coordinate.helpers import ANALYST, SEC, exchange, pair


def _tree(node: Node) -> tuple[str, str, str]:
    goal = framework.create_item(node, SEC, level="goal", title_es="Meta", title_en="Goal")
    area = framework.create_item(
        node, SEC, level="area", parent=goal.id, title_es="Área", title_en="Area"
    )
    obj = framework.create_item(
        node, SEC, level="objective", parent=area.id, title_es="Obj", title_en="Obj"
    )
    return goal.id, area.id, obj.id


def test_levels_numbering_status_and_history(node: Node) -> None:
    goal, area, obj = _tree(node)
    first = framework.create_item(
        node, SEC, level="commitment", parent=obj, title_es="Uno", title_en="One",
        due="2025-06-30", owners=["MEX:SSPC", "USA:DEA"],
    )  # fmt: skip
    second = framework.create_item(
        node, SEC, level="commitment", parent=obj, title_es="Dos", title_en="Two"
    )
    assert first.properties["number"] == ["1.1.1.1"]
    assert second.properties["number"] == ["1.1.1.2"]
    with pytest.raises(InvalidInput):  # a goal's child is an area, not a commitment
        framework.create_item(node, SEC, level="commitment", parent=goal, title_es="x",
                              title_en="x")  # fmt: skip
    with pytest.raises(InvalidInput):
        framework.set_status(node, SEC, first.id, "almost")
    with pytest.raises(Forbidden):  # analysts read the framework, secretariats write it
        framework.set_status(node, ANALYST, first.id, "limited")
    framework.set_status(node, SEC, first.id, "substantial", "half the states")
    done = framework.set_status(node, SEC, first.id, "completed")
    assert done.properties["completedDate"]
    history = framework.item_history(node, SEC, first.id)
    assert [h["version"] for h in history] == [1, 2, 3]
    assert history[1]["changes"]["status"] == {"from": ["not_started"], "to": ["substantial"]}
    assert history[2]["changes"]["status"]["to"] == ["completed"]
    assert all(h["by"] == "secretaria" for h in history)
    frame = snapshot(node, SEC)
    assert [i.number for _, i in frame.walk()] == ["1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.2"]
    from datetime import date

    assert [i.id for i in frame.overdue(date(2025, 7, 1))] == []  # completed: not overdue
    framework.set_status(node, SEC, first.id, "limited")
    assert [i.id for i in frame.overdue(date(2025, 7, 1))] == []  # the snapshot is fixed
    assert [i.id for i in snapshot(node, SEC).overdue(date(2025, 7, 1))] == [first.id]
    ms = framework.add_milestone(node, SEC, first.id, "Piloto", "Pilot", "2025-03-01")
    framework.complete_milestone(node, SEC, ms.id, "2025-02-20")
    ev = framework.add_evidence(node, SEC, first.id, "Comunicado", url="https://example.org/c")
    frame = snapshot(node, SEC)
    assert [m.completed for m in frame.milestones(first.id)] == ["2025-02-20"]
    assert [e.id for e in frame.evidence(first.id)] == [ev.id]
    assert {a.id: c for a, c in frame.status_by_area()}[area]["limited"] == 1


def test_each_side_edits_only_what_it_owns(make_node: Callable[..., Node]) -> None:
    mx, us = pair(make_node)
    _, _, obj = _tree(mx)
    mine = framework.create_item(
        mx, SEC, level="commitment", parent=obj, title_es="Rastreo", title_en="Tracing"
    )
    exchange(mx, us)
    copy = f"MEX:{mine.id}"
    seen = snapshot(us, SEC)
    assert seen.items[copy].origin == "MEX" and seen.items[copy].parent == f"MEX:{obj}"
    # The US secretariat may not change Mexico's commitment, in any way.
    with pytest.raises(Forbidden):
        framework.set_status(us, SEC, copy, "completed")
    with pytest.raises(Forbidden):
        framework.update_item(us, SEC, copy, title_en="Changed")
    with pytest.raises(Forbidden):
        framework.add_milestone(us, SEC, copy, "Hito", "Milestone")
    # …but it may add its own commitment under Mexico's objective and its own evidence.
    theirs = framework.create_item(
        us, SEC, level="commitment", parent=f"MEX:{obj}", title_es="Respuesta",
        title_en="Answer", owners=["USA:ATF"],
    )  # fmt: skip
    framework.add_evidence(us, SEC, copy, "eTrace", url="https://example.org/e")
    framework.set_status(mx, SEC, mine.id, "substantial")
    exchange(mx, us)
    both = [snapshot(n, SEC) for n in (mx, us)]
    for frame, local in zip(both, (f"USA:{theirs.id}", theirs.id), strict=True):
        assert frame.items[local].number == "1.1.1.2"  # numbered after Mexico's 1.1.1.1
        assert frame.items[local].parent in frame.items
    assert both[0].items[mine.id].status == both[1].items[copy].status == "substantial"
    assert [e.title for e in both[0].evidence(mine.id)] == ["eTrace"]
    with pytest.raises(Forbidden):
        framework.set_status(mx, SEC, f"USA:{theirs.id}", "completed")
    assert snapshot(mx, SEC).conflicts() == []
