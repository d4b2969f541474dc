"""The tracing workflow between two real nodes (MX asks, US answers) over the signed
channel, on SQLite and PostgreSQL: statuses, matching of misread serials, first purchase,
flags, release rules and step 2, and every refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from puente.errors import Conflict, Forbidden, InvalidFile, InvalidInput, NotFound
from puente.exchange.auth import sign_request
from puente.exchange.client import PartnerClient, get_partner
from puente.node import Node
from puente.store.tables import audit_log, hitnohit_hits
from puente.store.users import SYSTEM, User
from puente.trace import chains, inbound, indicators, requests, step2, wire
from tests.trace.helpers import item, send, two_nodes

ANALYST = User("ana.lyst", ("analyst",), 3, "en")
OFFICER = User("rel.officer", ("releasing_officer",), 3, "en")


def _results(mx: Node, rid: str, http: object) -> dict[int, dict[str, object]]:
    view = requests.refresh(mx, SYSTEM, rid, http=http)  # type: ignore[arg-type]
    return {it["item"]: it for it in view["items"]}


def test_trace_from_request_to_released_result(make_node: Callable[..., Node]) -> None:
    mx, us, http = two_nodes(make_node)
    rid = send(
        mx,
        http,
        [
            item("COLT", "LE1O345", caliber="5.56x45mm", type="fusil"),  # O for 0: g1
            item("Glock", "BXK51Z", type="pistola"),  # Z for 2: g4 (released by markings)
            item("Century Arms", "1AB123421RO", caliber="7.62x39mm"),  # no separators: g3
            item("Colt", "LE1034", caliber="5.56x45mm"),  # missing digit: g1 or g5
            item("Colt", "LE20***", caliber="5.56x45mm"),  # obliterated: g2
            item("Ruger", "ZZ9999999"),  # no record
            item("Colt", "LE10345", day="2021-01-01"),  # bought after it was recovered
        ],
    )
    assert requests.status(mx, SYSTEM, rid)["status"] == "received"
    with us.read() as conn:
        assert inbound.status_view(conn, "in", rid)["status"] == "received"
    report = inbound.process(us, ANALYST)
    assert report.items == 7
    res = _results(mx, rid, http)
    statuses = [res[i]["status"] for i in range(1, 8)]
    assert statuses == [
        "completed",
        "completed",
        "completed",
        "partial",
        "partial",
        "no_record",
        "no_record",
    ]
    first = res[1]["result"]
    assert first["acquisition"] == "a1" and first["purchase_date"] == "2022-03-07"
    assert first["time_to_crime_days"] == 451
    assert first["dealer"]["name"] == "Border Tactical LLC"
    assert first["flags"]["short_time_to_crime"] is True
    assert first["flags"]["multiple_sale"]["guns"] == 3  # g1, g2 Monday + g3 Thursday
    assert first["flags"]["purchaser_linked"] == 1  # g3 traced in the same request
    assert first["flags"]["purchaser_known_by_hit"] is False
    assert first["purchaser"] is None and first["purchaser_held"] is True
    assert {r["reason"] for r in first["reasons"]} >= {"serial_lookalike", "calibre_match"}
    glock = res[2]["result"]
    assert glock["purchaser"]["name"] == "Bob Buyer" and glock["release"] == "markings"
    assert glock["flags"]["multiple_sale"] is None
    assert res[3]["result"]["acquisition"] == "a2"
    ambiguous = res[4]["result"]
    assert "purchaser" not in ambiguous and len(ambiguous["candidates"]) == 2
    assert "ambiguous" in {r["reason"] for r in ambiguous["reasons"]}
    assert res[5]["result"]["candidates"][0]["reasons"][0]["reason"] == "serial_partial"
    assert res[1]["result"]["purchaser_ref"] == res[3]["result"]["purchaser_ref"]


def test_step_two_releases_the_purchaser_only_when_approved(
    make_node: Callable[..., Node],
) -> None:
    mx, us, http = two_nodes(make_node)
    rid = send(mx, http, [item("Colt", "LE10345"), item("Colt", "XX")])
    inbound.process(us, ANALYST)
    _results(mx, rid, http)
    with pytest.raises(Conflict):  # item 2 is not completed: nobody to ask about
        requests.step2(mx, SYSTEM, rid, 2, "homicide investigation", http=http)
    answer = requests.step2(mx, SYSTEM, rid, 1, "homicide investigation FGR/123", http=http)
    assert answer["step2"] == "requested"
    with pytest.raises(Forbidden):
        step2.decide_step2(us, ANALYST, rid, 1, True)
    assert _results(mx, rid, http)[1]["result"]["purchaser"] is None
    step2.decide_step2(us, OFFICER, rid, 1, True, "approved for judicial use")
    with pytest.raises(Conflict):
        step2.decide_step2(us, OFFICER, rid, 1, False)
    released = _results(mx, rid, http)[1]["result"]
    assert released["purchaser"]["name"] == "Ana Straw" and released["release"] == "officer"
    assert released["flags"]["purchaser_known_by_hit"] is False
    with us.write() as conn:  # MEX's hit/no-hit query hit Ana's record earlier
        conn.execute(
            hitnohit_hits.insert(),
            {
                "ref": "h1",
                "direction": "in",
                "partner": "MEX",
                "query_id": "q1",
                "item": 1,
                "kind": "person",
                "record_id": "ana",
                "created_at": "2025-01-01T00:00:00Z",
            },
        )
    assert _results(mx, rid, http)[1]["result"]["flags"]["purchaser_known_by_hit"] is True
    with us.read() as conn:
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert {
        "trace_received",
        "trace_processed",
        "trace_step2_requested",
        "trace_step2_approved",
        "trace_results_sent",
    } <= set(actions)


def test_refused_step_two_keeps_the_purchaser_held(make_node: Callable[..., Node]) -> None:
    mx, us, http = two_nodes(make_node)
    rid = send(mx, http, [item("Colt", "LE10345")])
    inbound.process(us, ANALYST)
    _results(mx, rid, http)
    requests.step2(mx, SYSTEM, rid, 1, "needed", http=http)
    step2.decide_step2(us, OFFICER, rid, 1, False, "not enough")
    result = _results(mx, rid, http)[1]["result"]
    assert result["purchaser"] is None and result["step2"] == "refused"


def test_resend_is_idempotent_and_a_changed_body_conflicts(
    make_node: Callable[..., Node],
) -> None:
    mx, _us, http = two_nodes(make_node)
    rid = send(mx, http, [item("Colt", "LE10345")])
    assert requests.send(mx, rid, http=http)["status"] == "received"
    client = PartnerClient(mx, get_partner(mx, "USA"), client=http)
    other = {"request": rid, "seizure": "", "items": [item("Colt", "LE99999")]}
    with pytest.raises(Conflict):
        wire.post(client, requests.PARTNER_REQUESTS, other)
    with pytest.raises(InvalidInput):  # an invalid item is refused whole, nothing stored
        wire.post(
            client,
            requests.PARTNER_REQUESTS,
            {"request": "MEX-T-0123456789abcdef", "items": [{"firearm": {}}]},
        )
    with pytest.raises(NotFound):
        requests.status(mx, SYSTEM, "MEX-T-0123456789abcdef")
    with pytest.raises(InvalidFile):
        requests.create(mx, SYSTEM, "USA", [item("", "X", day="2023-02-30")], http=http)


def test_unsigned_tampered_and_foreign_requests_are_refused(
    make_node: Callable[..., Node],
) -> None:
    mx, us, http = two_nodes(make_node)
    rid = send(mx, http, [item("Colt", "LE10345")])
    body = b'{"items":[],"request":"MEX-T-0123456789abcdef","seizure":""}'
    headers = sign_request(
        mx_key(mx),
        method="POST",
        path="/trace/partner/requests",
        params={"digest": wire.digest(b"something else")},
        sender="MEX",
        receiver="USA",
    )
    refused = http.post(
        "/trace/partner/requests",
        params={"digest": wire.digest(b"something else")},
        content=body,
        headers=headers,
    )
    assert refused.status_code == 401 and refused.json()["error"] == "trace.bad_digest"
    assert http.get("/trace/partner/results", params={"request": rid}).status_code == 401
    third = make_node("GT", name="gt")
    from tests.exchange.helpers import connect

    connect(third, us)
    gt_client = PartnerClient(third, get_partner(third, "USA"), client=http)
    with pytest.raises(NotFound):  # another partner never reads MEX's request
        wire.get(gt_client, requests.PARTNER_RESULTS, {"request": rid})
    signed = sign_request(
        mx_key(mx),
        method="GET",
        path="/trace/partner/results",
        params={"request": rid},
        sender="MEX",
        receiver="USA",
    )
    assert http.get("/trace/partner/results", params={"request": rid}, headers=signed).is_success
    replay = http.get("/trace/partner/results", params={"request": rid}, headers=signed)
    assert replay.status_code == 401 and replay.json()["error"] == "exchange.replayed_request"


def mx_key(node: Node) -> object:
    from puente.crypto import load_private

    return load_private(node.settings.key_path)


def test_indicators_and_chains_on_both_nodes(make_node: Callable[..., Node]) -> None:
    mx, us, http = two_nodes(make_node)
    rid = send(
        mx,
        http,
        [
            item("Colt", "LE10345", model="M4", caliber="5.56x45mm"),
            item("Century Arms", "1-AB1234-21 RO", caliber="7.62x39mm"),
            item("Glock", "BXK512"),
        ],
    )
    inbound.process(us, ANALYST)
    _results(mx, rid, http)
    out, answered = indicators.compute(mx, SYSTEM), indicators.compute(us, SYSTEM)
    assert (out.side, answered.side) == ("out", "in")
    for ind in (out, answered):
        assert ind.traced_share == 1.0 and ind.time_to_crime["count"] == 3
        assert ind.time_to_crime["median_days"] == 451
        assert ind.categories == {"fifty": 0, "ak": 1, "ar": 1, "other": 1}
        assert ind.top_source_states == [{"state": "TX", "traces": 3}]
        assert ind.linked_purchasers[0]["traces"] == 2
        assert ind.by_state_month == [{"state": "Sinaloa", "month": "2023-06", "traces": 3}]
        assert ind.multiple_sale_share == pytest.approx(2 / 3, abs=1e-3)
    assert answered.linked_purchasers[0]["purchaser"] == "ana"
    assert out.linked_purchasers[0]["purchaser"].startswith("P-")
    edges = chains.trafficking_chains(us, SYSTEM)
    kinds = {(e.source, e.target, e.kind) for e in edges}
    assert ("dealer", "ana", "sold_to") in kinds and ("ana", "g1", "bought") in kinds
    assert all(e.provenance for e in edges)
    mx_edges = chains.trafficking_chains(mx, SYSTEM)
    assert {e.kind for e in mx_edges} == {"bought", "recovered_in"}
