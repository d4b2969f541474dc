"""Computed indicators against known node activity: trace requests sent and answered,
guns completed, the median time to answer and the share answered within 30 days,
seizures linked to traced guns, and records shared each way — each equal to a count by
hand of what the test made the nodes do, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update

from puente.coordinate import evaluate, evaluators, indicators
from puente.coordinate.writes import snapshot
from puente.exchange import feed
from puente.node import Node
from puente.store.tables import coordinate_evaluations, trace_items, trace_requests
from puente.store.users import SYSTEM, User
from puente.trace import inbound, requests
from tests.coordinate.helpers import SEC
from tests.exchange.helpers import marks, person, pull, put
from tests.trace.helpers import item, two_nodes

ANALYST = User("ana.lyst", ("analyst",), 3, "en")


def _computed(node: Node, code: str, evaluator: str) -> str:
    return indicators.create_indicator(
        node, SEC, code=code, name_es=code, name_en=code, unit="n", kind="computed",
        evaluator=evaluator, periodicity="monthly", direction="increase",
    ).id  # fmt: skip


def _values(node: Node, period: str) -> dict[str, float | None]:
    return {e.indicator: e.value for e in evaluate.evaluate(node, SEC, period=period)}


def _at(node: Node, rid: str, sent: str, answered: str) -> None:
    with node.write() as conn:
        conn.execute(
            update(trace_requests).where(trace_requests.c.id == rid).values(created_at=sent)
        )
        conn.execute(
            update(trace_items).where(trace_items.c.request_id == rid).values(updated_at=answered)
        )


def test_trace_indicators_match_a_hand_count(make_node: Callable[..., Node]) -> None:
    mx, us, http = two_nodes(make_node)
    # Seizure A: g1 (exact serial) and g4 — both traced to a purchase. Seizure B: a gun
    # nobody sold. Hand count: 2 requests, 3 guns, 2 completed, 1 no record.
    a = requests.create(mx, SYSTEM, "USA", [item("Colt", "LE10345"), item("Glock", "BXK512")],
                        "seizure-A", http=http)["request"]  # fmt: skip
    b = requests.create(mx, SYSTEM, "USA", [item("Ruger", "ZZ9999999")], "seizure-B",
                        http=http)["request"]  # fmt: skip
    assert inbound.process(us, ANALYST).items == 3
    for rid in (a, b):
        requests.refresh(mx, SYSTEM, rid, http=http)
    # Fixed moments: A sent 1 March, answered after 10 days; B sent 2 March, answered
    # after 40 days (in April).
    _at(mx, a, "2025-03-01T09:00:00.000000Z", "2025-03-11T09:00:00.000000Z")
    _at(mx, b, "2025-03-02T09:00:00.000000Z", "2025-04-11T09:00:00.000000Z")
    ids = {
        code: _computed(mx, code, name)
        for code, name in [
            ("SENT", "trace_requests_sent"), ("GUNS", "trace_guns_sent"),
            ("DONE", "trace_completed"), ("DAYS", "trace_median_days"),
            ("ON-TIME", "trace_within_deadline"), ("SEIZ", "seizures_traced"),
        ]
    }  # fmt: skip
    march = _values(mx, "2025-03")
    assert march[ids["SENT"]] == 2
    assert march[ids["GUNS"]] == 3
    assert march[ids["DONE"]] == 2  # g1 and g4 answered in March
    assert march[ids["DAYS"]] == 10.0  # median of 10, 10 (B's answer is April's)
    assert march[ids["ON-TIME"]] == round(100 * 2 / 3, 2)  # B took 40 days > 30
    assert march[ids["SEIZ"]] == 1  # only seizure A has a gun traced to a purchase
    april = _values(mx, "2025-04")
    assert (april[ids["SENT"]], april[ids["DONE"]], april[ids["DAYS"]]) == (0, 0, 40.0)
    assert april[ids["ON-TIME"]] is None  # nothing was sent in April: no share, not 0 %
    assert _values(mx, "2025-Q1")[ids["DAYS"]] == 10.0
    assert _values(mx, "2025")[ids["DAYS"]] == 10.0  # median of 10, 10, 40
    # The answering node counts what it answered: three guns, whenever it was.
    answered = _computed(us, "ANSWERED", "trace_requests_answered")
    today = evaluate.evaluate(us, SEC, answered)
    assert sum(e.value or 0 for e in today) == 3
    # Re-evaluation after more activity: the same observation, a new version.
    frame = snapshot(mx, SEC)
    assert frame.current(ids["SENT"])["2025-03"].value == 2
    _at(mx, b, "2025-02-27T09:00:00.000000Z", "2025-04-11T09:00:00.000000Z")
    assert _values(mx, "2025-03")[ids["SENT"]] == 1
    obs = snapshot(mx, SEC).current(ids["SENT"])["2025-03"]
    assert obs.value == 1 and obs.version == 2 and obs.method == "computed"
    with mx.read() as conn:
        runs = conn.execute(
            coordinate_evaluations.select().where(
                coordinate_evaluations.c.indicator_id == ids["SENT"]
            )
        ).all()
    assert [r.value for r in runs if r.period == "2025-03"] == [2, 1]


def test_records_shared_each_way_and_unavailable_capabilities(
    make_node: Callable[..., Node],
) -> None:
    from tests.coordinate.helpers import pair

    mx, us = pair(make_node)
    put(mx, [person(f"p{i}", f"Persona {i}") for i in range(5)], marks(mx, rel_to=["USA"]))
    put(mx, [person("secret", "Nadie")], marks(mx))  # not releasable: never counted
    put(us, [person("u1", "Someone")], marks(us, rel_to=["MEX"]))
    for a, b in ((mx, us), (us, mx)):
        feed.extend(b, a.country)
        pull(a, b)
    sent_mx = _computed(mx, "SENT", "records_sent")
    got_mx = _computed(mx, "GOT", "records_received")
    networks = _computed(mx, "NETS", "networks_identified")
    # A node's own definition (indicators.yaml in its directory) for a capability that
    # has not landed: unavailable — no observation, never a zero.
    (mx.settings.node_dir / "indicators.yaml").write_text(
        "drones:\n  es: Drones\n  en: Drones\n  unit: n\n  direction: increase\n"
        "  kind: table_count\n  capability: satellite\n"
        "  params: {table: satellite_passes, time_column: at}\n",
        "utf-8",
    )
    drones = _computed(mx, "DRONES", "drones")
    sent_us = _computed(us, "SENT", "records_sent")
    got_us = _computed(us, "GOT", "records_received")
    mx_now = {e.indicator: e for e in evaluate.evaluate(mx, SEC) if e.period.endswith(_month())}
    us_now = {e.indicator: e for e in evaluate.evaluate(us, SEC) if e.period.endswith(_month())}
    assert (mx_now[sent_mx].value, mx_now[got_mx].value) == (5, 1)
    assert (us_now[sent_us].value, us_now[got_us].value) == (1, 5)
    assert mx_now[networks].value == 0  # the network capability has landed: nothing built
    assert mx_now[drones].outcome == "unavailable" and mx_now[drones].observation == ""
    assert mx_now[drones].detail == {"reason": "not_landed", "capability": "satellite"}
    assert drones not in {o.indicator for o in snapshot(mx, SEC).data.observations}
    # Scheduled pass: nothing is due right after an evaluation.
    assert evaluate.run_due(mx) == []
    assert evaluators.landed("trace") and evaluators.landed("exchange")


def _month() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m")
