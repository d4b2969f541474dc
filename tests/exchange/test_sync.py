"""Pull and apply: read-only copies with provenance, exactly once, retractions remove
the copy and leave a tombstone, an unreachable partner leaves the cursor in place."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from puente.errors import Conflict, Forbidden
from puente.exchange.apply import apply_page, cursor
from puente.exchange.client import PartnerUnreachable
from puente.exchange.pull import SyncReport, sync
from puente.node import Node
from puente.store import records
from puente.store.search import SearchQuery, search
from puente.store.tables import exchange_inbox, record_versions
from puente.store.users import SYSTEM
from tests.exchange.helpers import (
    URL,
    check_pages_in,
    client,
    connect,
    held,
    marks,
    person,
    pull,
    put,
)


def test_copies_are_read_only_with_provenance(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"Juana Pérez {i}") for i in range(7)], marks(mx, rel_to=["USA"]))
    report = pull(us, mx, page_size=3)
    assert (report.entries, report.pages, report.cursor.seq) == (7, 3, 7)
    copies = held(us, "MEX")
    assert sorted(copies) == [f"MEX:p{i}" for i in range(7)]
    with us.read() as conn:
        row = conn.execute(select(exchange_inbox).where(exchange_inbox.c.record_id == "p3")).one()
        assert (row.partner, row.seq, row.op) == ("MEX", 4, "upsert")
        assert len(row.signature) == 88
        hits, _ = search(conn, SearchQuery(q="juana perez"))
        assert {h.id for h in hits} == set(copies)
    from puente.access import save_record

    with pytest.raises(Forbidden):
        save_record(
            us, SYSTEM, {"id": "MEX:p1", "schema": "Person", "properties": {"name": ["X"]}}, None
        )


def test_applied_exactly_once(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"P {i}") for i in range(4)], marks(mx, rel_to=["USA"]))
    pull(us, mx)
    assert pull(us, mx).entries == 0
    with us.read() as conn:
        assert conn.execute(select(func.count()).select_from(exchange_inbox)).scalar() == 4
        versions = conn.execute(select(func.count()).select_from(record_versions)).scalar()
        assert versions == 4
        done = cursor(conn, "MEX")
    # A page verified from an older cursor is refused whole.
    with pytest.raises(Conflict):
        apply_page(us, "MEX", [], expect=type(done)(0, done.head))


def test_retraction_removes_the_copy_and_keeps_a_tombstone(
    make_node: Callable[..., Node],
) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(
        mx,
        [person("a", "Ana Ruiz", idNumber=["X1"]), person("b", "Beto")],
        marks(mx, rel_to=["USA"]),
    )
    pull(us, mx)
    put(mx, [person("a", "Ana Ruiz", idNumber=["X1"])], marks(mx, rel_to=[]))
    assert pull(us, mx).retracts == 1
    assert sorted(held(us, "MEX")) == ["MEX:b"]
    with us.read() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(record_versions)
                .where(record_versions.c.id == "MEX:a")
            ).scalar()
            == 0
        )
        hits, _ = search(conn, SearchQuery(q="ana ruiz"))
        assert hits == []
        ops = [
            r.op
            for r in conn.execute(
                select(exchange_inbox.c.op)
                .where(exchange_inbox.c.record_id == "a")
                .order_by(exchange_inbox.c.seq)
            )
        ]
        assert ops == ["upsert", "retract"]
        with pytest.raises(Exception, match="no_record"):
            records.get(conn, "MEX:a")


def test_unreachable_partner_resumes_from_the_cursor(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"P {i}") for i in range(5)], marks(mx, rel_to=["USA"]))
    pull(us, mx, page_size=2, max_pages=1)

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    dead = httpx.Client(transport=httpx.MockTransport(offline), base_url=URL)
    with pytest.raises(PartnerUnreachable):
        sync(us, "MEX", client=dead)
    with us.read() as conn:
        assert cursor(conn, "MEX").seq == 2
    assert pull(us, mx).entries == 3
    assert len(held(us, "MEX")) == 5
    with us.read() as conn:
        actions = [e["action"] for e in us.audit.entries(conn, limit=1000)]
    assert "exchange_unreachable" in actions and "exchange_received" in actions


def test_three_nodes_forward_only_with_consent(make_node: Callable[..., Node]) -> None:
    mx, us, gt = make_node("MX"), make_node("US"), make_node("GT")
    connect(mx, us, gt)
    put(mx, [person("o", "Orcon")], marks(mx, rel_to=["USA", "GTM"]))
    put(mx, [person("w", "Waived")], marks(mx, rel_to=["USA", "GTM"], originator_control=False))
    pull(us, mx)
    assert pull(gt, us).entries == 1
    assert sorted(held(gt)) == ["USA:MEX:w"]
    # The originator withdraws: the retraction travels on to the third node.
    put(mx, [person("w", "Waived")], marks(mx, rel_to=["USA"], originator_control=False))
    pull(us, mx)
    assert pull(gt, us).retracts == 1
    assert held(gt) == {}


@pytest.mark.parametrize("where", ["worker-processes", "threads"])
def test_pages_checked_in_parallel_are_applied_in_order(
    make_node: Callable[..., Node], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"P {i}") for i in range(9)], marks(mx, rel_to=["USA"]))
    pool = check_pages_in(monkeypatch, where)
    report = pull(us, mx, page_size=4)
    assert (report.entries, report.pages) == (9, 3)
    assert pool is None or pool.pages == 3
    assert len(held(us, "MEX")) == 9
    with us.read() as conn:
        assert [r[0] for r in conn.execute(select(exchange_inbox.c.seq))] == list(range(1, 10))


def test_a_check_pool_that_cannot_start_or_dies_leaves_the_sync_to_threads(
    make_node: Callable[..., Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from puente import workers
    from puente.exchange import pull as pull_module

    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"P {i}") for i in range(6)], marks(mx, rel_to=["USA"]))
    monkeypatch.setattr(pull_module, "POOL_MIN", 1)

    class Dying:
        pages = 0

        def submit(self, *args: object, **kwargs: object) -> Future[object]:
            self.pages += 1
            future: Future[object] = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

    dying = Dying()
    monkeypatch.setattr(workers, "running", lambda *a: dying)
    monkeypatch.setattr(workers, "discard", lambda pool: None)
    assert pull(us, mx, page_size=2).entries == 6
    assert dying.pages == 1  # the first page hit the dead pool; the rest went to threads

    tried: list[object] = []

    def cannot(*args: object) -> None:
        tried.append(args)
        raise OSError("no processes here")

    put(mx, [person(f"q{i}", f"Q {i}") for i in range(4)], marks(mx, rel_to=["USA"]))
    monkeypatch.setattr(workers, "running", lambda *a: None)
    monkeypatch.setattr(workers, "pool", cannot)
    assert pull(us, mx, page_size=2).entries == 4
    assert len(tried) == 1
    assert len(held(us, "MEX")) == 10


def test_line_separators_inside_values_cross_intact(make_node: Callable[..., Node]) -> None:
    # Canonical JSON leaves U+2028, U+2029 and U+0085 unescaped: a page is split on "\n"
    # only, or such a record would break its line and fail its signature.
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    odd = "Ana\u2028Ruiz\u2029Paz\x85Sol"
    put(mx, [person("a", odd), person("b", "Beto")], marks(mx, rel_to=["USA"]))
    assert pull(us, mx).entries == 2
    assert held(us, "MEX")["MEX:a"]["properties"]["name"] == [odd]


def test_two_syncs_with_one_partner_in_one_process_take_turns(
    make_node: Callable[..., Node],
) -> None:
    # An officer's "sync now" while the background round pulls the same partner: the
    # second waits for the first and then finds nothing left, instead of failing on
    # the cursor the first one moved.
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"Ana Ruiz {i}") for i in range(40)], marks(mx, rel_to=["USA"]))
    reports: list[SyncReport] = []
    failures: list[Exception] = []
    with client(mx) as http:

        def one() -> None:
            try:
                reports.append(sync(us, "MEX", client=http, page_size=5))
            except Exception as exc:
                failures.append(exc)

        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
    assert sorted(r.entries for r in reports) == [0, 40]
    assert len(held(us, "MEX")) == 40


def test_pages_verified_before_the_partner_went_away_are_kept(
    make_node: Callable[..., Node],
) -> None:
    # The puller fetches pages ahead; when a later one cannot be fetched, the page
    # already verified is still applied before the sync stops.
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"P {i}") for i in range(9)], marks(mx, rel_to=["USA"]))
    asked: list[int] = []
    with client(mx) as http:

        def flaky(request: httpx.Request) -> httpx.Response:
            after = int(request.url.params["after"])
            asked.append(after)
            if after >= 4:  # the third page and beyond: the partner is gone
                raise httpx.ConnectError("connection refused", request=request)
            answer = http.get(request.url.path, params=request.url.params, headers=request.headers)
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )

        dead_later = httpx.Client(transport=httpx.MockTransport(flaky), base_url=URL)
        with pytest.raises(PartnerUnreachable):
            sync(us, "MEX", client=dead_later, page_size=2)
    with us.read() as conn:
        assert cursor(conn, "MEX").seq == 4  # pages 1 and 2 applied, nothing after
    assert sorted(held(us, "MEX")) == [f"MEX:p{i}" for i in range(4)]
    assert pull(us, mx).entries == 5
