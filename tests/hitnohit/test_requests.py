"""Step 2 between two real nodes (both backends): a request for a hit, deadlines and
overdue on both sides, approval with redaction travelling through the signed feed to the
requester only (H2), refusal with a reason, expiry, roles, every step audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from puente.errors import Conflict, Forbidden, InvalidInput, NotFound
from puente.hitnohit import requests as rq
from puente.hitnohit import service
from puente.hitnohit.ask import Ask
from puente.node import Node
from puente.store import records
from puente.store.tables import audit_log, hitnohit_requests
from puente.store.users import SYSTEM, User
from tests.exchange.helpers import pull
from tests.hitnohit.helpers import ask, client, marks, pair, person, put

ANALYST = User("ana", ("analyst",), 2, "es")
OFFICER = User("olga", ("releasing_officer",), 3, "es")


@pytest.fixture
def nodes(make_node: Callable[..., Node]) -> tuple[Node, Node, Node]:
    mx, us, gt = make_node("MX"), make_node("US"), make_node("GT")
    pair(mx, us)
    from tests.exchange.helpers import connect

    connect(us, gt)
    put(
        us,
        [
            person(
                "p1",
                "Juan",
                "Pérez García",
                "1980-03-03",
                phone=["+1 210 555 0101"],
                address=["1 Main St, Laredo TX"],
            )
        ],
        marks(us, classification="confidential", handling="H0"),
    )
    return mx, us, gt


def _request(mx: Node, us: Node, urgency: str = "normal") -> rq.Request:
    ref = ask(mx, us, [Ask("phone", "2105550101")], ANALYST).hits[0][0]
    with client(us) as http:
        return service.request_create(
            mx,
            ANALYST,
            ref,
            "FGR/123/2025",
            "Homicide investigation, number seen on the victim's phone",
            urgency,
            client=http,
        )


def test_approved_release_travels_through_the_feed_to_the_requester_only(
    nodes: tuple[Node, Node, Node],
) -> None:
    mx, us, gt = nodes
    req = _request(mx, us)
    assert req.status == "pending" and req.direction == "out"
    inbox = service.request_list(us, OFFICER, "in", "pending")
    assert [r.id for r in inbox] == [req.id] and inbox[0].case_number == "FGR/123/2025"
    with pytest.raises(Forbidden):
        service.request_approve(us, ANALYST, req.id, [], "full", "H2")  # analysts cannot decide
    done = service.request_approve(us, OFFICER, req.id, ["address"], "reduced", "H2")
    assert done.status == "approved" and done.release_id == f"rfi-{req.id}"
    with pytest.raises(Conflict):
        service.request_refuse(us, OFFICER, req.id, "changed my mind")
    with us.read() as conn:
        copy = records.get(conn, f"rfi-{req.id}")
    assert copy.markings.rel_to == ("MEX",) and copy.markings.handling == "H2"
    assert "address" not in copy.properties and copy.properties["birthDate"] == ["1980"]
    assert "phone" not in copy.properties  # reduced detail drops contact details
    # The requester learns the decision, then receives the copy through the signed feed.
    with client(us) as http:
        seen = service.request_sync(mx, ANALYST, "US", client=http)
    assert [(r.status, r.release_id) for r in seen] == [("approved", f"USA:rfi-{req.id}")]
    assert pull(mx, us).entries == 1
    with mx.read() as conn:
        got = records.get(conn, f"USA:rfi-{req.id}")
        assert got.properties["name"] == ["Juan Pérez García"]
    assert pull(gt, us).entries == 0  # nobody else gets it
    # The release copy is not itself answered as a second hit.
    assert len(ask(mx, us, [Ask("phone", "2105550101")]).hits[0]) == 1
    for node, actions in (
        (mx, {"hitnohit_request_sent", "hitnohit_request_approved_seen"}),
        (us, {"hitnohit_request_received", "hitnohit_request_approved"}),
    ):
        with node.read() as conn:
            assert actions <= {r[0] for r in conn.execute(select(audit_log.c.action))}


def test_refusal_reason_reaches_the_requester(nodes: tuple[Node, Node, Node]) -> None:
    mx, us, _ = nodes
    req = _request(mx, us, "urgent")
    with pytest.raises(InvalidInput):
        service.request_refuse(us, OFFICER, req.id, "")
    service.request_refuse(us, OFFICER, req.id, "Ongoing undercover operation")
    with client(us) as http:
        seen = service.request_sync(mx, ANALYST, "US", client=http)
    assert (seen[0].status, seen[0].reason) == ("refused", "Ongoing undercover operation")


def test_deadlines_overdue_on_both_sides_and_expiry(nodes: tuple[Node, Node, Node]) -> None:
    mx, us, _ = nodes
    urgent = _request(mx, us, "urgent")
    normal = _request(mx, us, "normal")

    def hours(r: rq.Request) -> timedelta:
        return rq.datetime.fromisoformat(r.due_at.rstrip("Z")) - rq.datetime.fromisoformat(
            r.created_at.rstrip("Z")
        )

    owner = {r.id: r for r in service.request_list(us, SYSTEM, "in", None)}
    assert hours(owner[urgent.id]) == timedelta(hours=8)
    assert hours(owner[normal.id]) == timedelta(hours=48)
    assert urgent.due_at == owner[urgent.id].due_at  # the owner's deadline, on both sides
    past = "2000-01-01T00:00:00.000000Z"
    for node in (mx, us):
        with node.write() as conn:
            conn.execute(
                update(hitnohit_requests)
                .where(hitnohit_requests.c.id == urgent.id)
                .values(due_at=past)
            )
    for node, direction in ((mx, "out"), (us, "in")):
        overdue = service.request_list(node, SYSTEM, direction, "overdue")
        assert [r.id for r in overdue] == [urgent.id] and overdue[0].overdue
    with us.write() as conn:
        conn.execute(
            update(hitnohit_requests)
            .where(hitnohit_requests.c.id == normal.id)
            .values(expires_at=past)
        )
    assert [r.id for r in service.request_list(us, SYSTEM, "in", "expired")] == [normal.id]
    with pytest.raises(Conflict):
        service.request_approve(us, OFFICER, normal.id, [], "full", "H2")
    with client(us) as http:
        seen = service.request_sync(mx, ANALYST, "US", client=http)
    assert {r.id: r.status for r in seen} == {normal.id: "expired"}


def test_requests_need_a_real_hit_case_and_justification(nodes: tuple[Node, Node, Node]) -> None:
    mx, us, _ = nodes
    with client(us) as http:
        with pytest.raises(NotFound):
            service.request_create(
                mx, ANALYST, "Hdeadbeef", "C-1", "a long enough reason", client=http
            )
        ref = ask(mx, us, [Ask("phone", "2105550101")]).hits[0][0]
        with pytest.raises(InvalidInput):
            service.request_create(mx, ANALYST, ref, "", "a long enough reason", client=http)
        with pytest.raises(InvalidInput):
            service.request_create(mx, ANALYST, ref, "C-1", "short", client=http)
    req = _request(mx, us)
    with pytest.raises(InvalidInput):
        service.request_approve(us, OFFICER, req.id, ["nonsense"], "full", "H2")
    with pytest.raises(InvalidInput):
        service.request_approve(us, OFFICER, req.id, [], "full", "H3")  # H3 needs a note
    assert service.request_list(us, OFFICER, "in", "pending")[0].status == "pending"
