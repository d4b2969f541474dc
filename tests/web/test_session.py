"""Sessions, tickets and login throttling (``puente.web.session``) on a fake clock."""

from __future__ import annotations

from puente.web.session import LOCKOUT, MAX_FAILURES, TICKET_SECONDS, SessionStore, Throttle
from puente.web.state import safe_next


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_expires_after_idle_time_and_activity_extends_it() -> None:
    clock = Clock()
    store = SessionStore(idle=60.0, clock=clock)
    ticket = store.open("ana", "pt_x", lifetime=3600.0, browser="b1")
    sid = store.redeem(ticket, "b1")
    assert sid is not None
    clock.now += 50
    assert store.get(sid) is not None  # touched: idle time starts again
    clock.now += 50
    assert store.get(sid, touch=False) is not None
    clock.now += 11
    assert store.get(sid) is None
    assert store.get(sid) is None  # removed, not only refused


def test_a_session_ends_with_its_token_whatever_the_activity() -> None:
    clock = Clock()
    store = SessionStore(idle=60.0, clock=clock)
    sid = store.redeem(store.open("ana", "pt_x", lifetime=100.0, browser="b"), "b")
    for _ in range(3):
        clock.now += 40
        found = store.get(sid)
    assert found is None


def test_a_ticket_is_redeemed_once_by_the_browser_that_logged_in_within_a_minute() -> None:
    clock = Clock()
    store = SessionStore(idle=600.0, clock=clock)
    ticket = store.open("ana", "pt_x", lifetime=3600.0, browser="mine")
    assert store.redeem(ticket, "someone-else") is None  # login CSRF: another browser
    assert store.redeem(ticket, "mine") is None  # and the failed attempt consumed it
    late = store.open("ana", "pt_x", lifetime=3600.0, browser="mine")
    clock.now += TICKET_SECONDS + 1
    assert store.redeem(late, "mine") is None
    fresh = store.open("ana", "pt_x", lifetime=3600.0, browser="mine")
    sid = store.redeem(fresh, "mine")
    assert sid and store.redeem(fresh, "mine") is None
    assert store.get(sid) is not None and store.get(sid).username == "ana"  # type: ignore[union-attr]
    store.close(sid)
    assert store.get(sid) is None


def test_every_login_gets_a_new_session_id() -> None:
    store = SessionStore(idle=600.0)
    a = store.redeem(store.open("ana", "t1", 3600.0, "b"), "b")
    b = store.redeem(store.open("ana", "t2", 3600.0, "b"), "b")
    assert a and b and a != b


def test_throttle_locks_a_name_after_repeated_failures_then_releases_it() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    for _ in range(MAX_FAILURES - 1):
        throttle.fail("user:ana", "addr:1.2.3.4")
    assert throttle.wait("user:ana") == 0
    throttle.fail("user:ana", "addr:1.2.3.4")
    assert throttle.wait("user:ana") == LOCKOUT
    assert throttle.wait("user:bob", "addr:1.2.3.4") == LOCKOUT  # the address too
    assert throttle.wait("user:bob", "addr:5.6.7.8") == 0
    clock.now += LOCKOUT + 1
    assert throttle.wait("user:ana", "addr:1.2.3.4") == 0


def test_failures_outside_the_window_do_not_add_up() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    for _ in range(MAX_FAILURES * 2):
        throttle.fail("user:ana")
        clock.now += 15 * 60 / (MAX_FAILURES - 1) + 1
    assert throttle.wait("user:ana") == 0


def test_success_clears_a_name() -> None:
    throttle = Throttle()
    for _ in range(MAX_FAILURES - 1):
        throttle.fail("user:ana")
    throttle.succeed("user:ana")
    throttle.fail("user:ana")
    assert throttle.wait("user:ana") == 0


def test_after_login_the_browser_only_goes_to_this_nodes_ui() -> None:
    assert safe_next("/ui/record?id=x") == "/ui/record?id=x"
    for bad in ("https://evil.example/", "//evil.example/ui/", "/docs", "/ui\\..", "javascript:x"):
        assert safe_next(bad) == "/ui/search"
