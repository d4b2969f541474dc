"""Browser sessions of one node's web UI: who is logged in, until when, and how many
wrong passwords a name or an address may still try.

Invariants:
- a session lives only in this process's memory, keyed by a random token that reaches
  the browser only inside the node's signed, HttpOnly, SameSite=Strict cookie; nothing
  is written to disk, so a restart logs everyone out;
- a session expires after ``idle`` seconds without activity and, whatever the activity,
  when the API token behind it expires (``access.login`` issues one for a day); an
  expired session is removed the moment it is looked up;
- the cookie is bound to a session only through a one-time *ticket*, redeemed within a
  minute by the same browser that typed the password (``redeem``): a fresh token per
  login (no session fixation) and no way to log a victim into someone else's account;
- after ``MAX_FAILURES`` wrong passwords within ``WINDOW`` seconds, a user name or a
  client address is refused for ``LOCKOUT`` seconds without checking the password.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_FAILURES = 5
WINDOW = 15 * 60.0
LOCKOUT = 15 * 60.0
TICKET_SECONDS = 60.0


@dataclass
class Session:
    username: str
    token: str  # the API token access.login issued; never sent to the browser
    expires: float  # absolute end (the token's validity), monotonic clock
    last_seen: float


@dataclass
class SessionStore:
    idle: float
    clock: Callable[[], float] = time.monotonic
    _sessions: dict[str, Session] = field(default_factory=dict)
    _tickets: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, username: str, api_token: str, lifetime: float, browser: str) -> str:
        """Start a session; returns the one-time ticket the browser redeems."""
        now = self.clock()
        sid = secrets.token_urlsafe(32)
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = Session(username, api_token, now + lifetime, now)
            self._tickets[ticket] = (browser, sid, now + TICKET_SECONDS)
            self._tickets = {k: v for k, v in self._tickets.items() if v[2] > now}
        return ticket

    def redeem(self, ticket: str, browser: str) -> str | None:
        """The session id for ``ticket`` if this same browser asks in time; once only."""
        with self._lock:
            found = self._tickets.pop(ticket, None)
        if (
            found is None
            or found[2] < self.clock()
            or not secrets.compare_digest(found[0], browser)
        ):
            return None
        return found[1]

    def get(self, sid: str | None, *, touch: bool = True) -> Session | None:
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.last_seen > self.idle or now > session.expires:
                del self._sessions[sid]
                return None
            if touch:
                session.last_seen = now
            return session

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)


@dataclass
class Throttle:
    """Failed logins per key (a user name, an address) in a sliding window."""

    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _locked: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, *keys: str) -> float:
        """Seconds before any of ``keys`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max([0.0, *(self._locked.get(k, 0.0) - now for k in keys)])

    def fail(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._failures[key]
                times.append(now)
                while times and times[0] < now - WINDOW:
                    times.popleft()
                if len(times) >= MAX_FAILURES:
                    self._locked[key] = now + LOCKOUT
                    times.clear()

    def succeed(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
            self._locked.pop(key, None)
