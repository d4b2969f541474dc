"""What the web UI keeps per node: the node, its sessions and its login throttle, and
how a request finds them.

Invariant: one ``WebState`` per node app, reachable from every request the node's app
serves (``scope["puente.web"]``, set by ``app.Bind``) — pages are registered once per
process, so a page never assumes which node it serves: it asks the request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from puente.errors import NotFound, PuenteError
from puente.node import Node
from puente.store.users import User, user_for_token
from puente.web.session import SessionStore, Throttle

SESSION_KEY = "puente"


@dataclass
class WebState:
    node: Node
    sessions: SessionStore
    throttle: Throttle = field(default_factory=Throttle)
    started: float = field(default_factory=time.time)


def state_of(conn: HTTPConnection) -> WebState:
    web = conn.scope.get("puente.web")
    if not isinstance(web, WebState):
        raise NotFound("web.no_node")
    return web


def current_user(web: WebState, conn: HTTPConnection) -> tuple[User, str] | None:
    """The logged-in user of this browser and their session id, or ``None``."""
    sid = conn.session.get(SESSION_KEY) if "session" in conn.scope else None
    session = web.sessions.get(sid if isinstance(sid, str) else None)
    if session is None or sid is None:
        return None
    try:
        with web.node.read() as db:
            user = user_for_token(db, session.token)  # a deactivated user is out at once
    except PuenteError:
        web.sessions.close(sid)
        return None
    return user, sid


def safe_next(target: str) -> str:
    """Only a path of this node's UI: never another host (no open redirect)."""
    if not target.startswith("/ui/") or target.startswith("//") or "\\" in target:
        return "/ui/search"
    return target
