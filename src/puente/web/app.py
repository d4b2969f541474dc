"""``create_web_app(node)``: the node's API with its web UI (NiceGUI) mounted beside it.

NiceGUI is one instance per process; ``puente demo`` serves two nodes from one
process. So the UI's pages are registered once and mounted on every node's app; each
node app binds its own ``WebState`` into the request scope (``Bind``), its own session
cookie (``puente_<country>``, signed with a key derived from the node's secret) and its
own login-ticket route. The first app also runs NiceGUI's start-up in its lifespan.

Why the UI is safe from cross-site request forgery: after the page is served, every
user action travels over NiceGUI's socket.io connection, addressed to a client id that
exists only in the page the node served (a cross-site page cannot read it), and the
socket server accepts only connections whose ``Origin`` is this node itself (same-origin
check switched on here; NiceGUI's default allows any origin). The one plain HTTP route
that changes state, ``/ui/session``, takes a one-time ticket bound to the browser that
typed the password — it cannot be forged either. The cookie is HttpOnly, SameSite=Strict
and (in production) Secure.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from nicegui import core, ui
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from puente.api.app import create_app
from puente.node import Node
from puente.web.session import SessionStore
from puente.web.state import SESSION_KEY, WebState, safe_next, state_of

HEADERS = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)
_mounted: list[FastAPI] = []


class Bind:
    """ASGI middleware: puts the node's ``WebState`` in every request's scope and adds
    the security headers to every response."""

    def __init__(self, app: ASGIApp, web: WebState) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope["puente.web"] = self.web

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cookie_key(node: Node) -> str:
    secret = (node.settings.secret or "development-only-secret").encode()
    return hmac.new(secret, b"puente-web-session", hashlib.sha256).hexdigest()


def create_web_app(node: Node, *, idle_hours: float | None = None) -> FastAPI:
    """The node's API app with the web UI at ``/ui/`` (``/`` leads there)."""
    from puente.web import pages  # registers every page once per process

    pages.load()
    app = create_app(node)
    hours = idle_hours if idle_hours is not None else node.settings.web_session_hours
    web = WebState(node, SessionStore(idle=hours * 3600.0))
    app.state.web = web
    app.add_middleware(Bind, web=web)
    app.add_middleware(
        SessionMiddleware,
        secret_key=cookie_key(node),
        session_cookie=f"puente_{node.country.lower()}",
        max_age=None,  # a browser-session cookie; expiry is enforced on the server
        same_site="strict",
        https_only=node.settings.env == "production",
    )

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/search", status_code=303)

    @app.get("/ui/session", include_in_schema=False)
    def finish_login(request: Request, ticket: str = "", next: str = "") -> RedirectResponse:
        """Bind this browser's cookie to the session its login opened (once only)."""
        state = state_of(request)
        browser = str(request.session.get("id", ""))
        sid = state.sessions.redeem(ticket[:100], browser)
        if sid is None:
            return RedirectResponse("/ui/login?expired=1", status_code=303)
        request.session[SESSION_KEY] = sid
        return RedirectResponse(safe_next(next), status_code=303)

    _mount(app)
    return app


def _mount(app: FastAPI) -> None:
    if not _mounted:
        core.sio.eio.cors_allowed_origins = None  # same-origin socket connections only
        ui.run_with(
            app,
            title="Puente",
            show_welcome_message=False,
            reconnect_timeout=10.0,
            favicon="🌉",
        )
    else:
        app.mount("/", core.app)
    _mounted.append(app)


def mounted() -> list[Any]:
    """The apps the UI is mounted on in this process (the first runs NiceGUI's start-up)."""
    return list(_mounted)
