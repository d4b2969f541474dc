"""The login page: the node's own users, with throttling (``session.Throttle``), and
the hand-over of the new session to the browser through a one-time ticket.

Invariant: the password is checked by ``access.login`` (argon2, audited success and
failure) in a worker thread, never on the event loop; a throttled name or address is
refused without checking the password and without telling whether the name exists.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import Request
from nicegui import ui

from puente import access
from puente.errors import PuenteError
from puente.i18n import t
from puente.model.markings import banner_for
from puente.web import fmt
from puente.web.layout import work
from puente.web.state import safe_next, state_of


def _lifetime(expires_at: str) -> float:
    end = datetime.strptime(expires_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return max(0.0, (end - datetime.now(UTC)).total_seconds())


@ui.page("/ui/login")
def login_page(request: Request) -> None:
    web = state_of(request)
    node = web.node
    asked = request.query_params.get("lang", "")
    lang = asked if asked in ("es", "en") else node.settings.lang
    target = safe_next(request.query_params.get("next", "/ui/search"))
    browser = str(request.session.get("id", ""))
    address = request.client.host if request.client else "-"
    ui.page_title(f"Puente {node.country} — {t('web.login_title', lang)}")
    with ui.header().classes("p-0 bg-transparent"):
        ui.label(banner_for([], lang)).classes(
            f"w-full text-center text-white text-bold py-1 {fmt.level_colour(0)}"
        ).props('data-testid="banner-top"')
    with ui.card().classes("absolute-center w-96"):
        ui.label(f"Puente · {node.settings.name or node.country}").classes("text-h5")
        ui.label(t("web.login_intro", lang, country=node.country)).classes("text-caption")
        if request.query_params.get("expired"):
            ui.label(t("web.session_expired", lang)).classes("text-warning")
        username = ui.input(t("web.username", lang)).props(
            'autofocus autocomplete=username data-testid="username"'
        )
        password = ui.input(t("web.password", lang), password=True).props(
            'autocomplete=current-password data-testid="password"'
        )
        message = ui.label().classes("text-negative").props('data-testid="login-error"')

        async def submit() -> None:
            name = str(username.value or "").strip().lower()[:100]
            keys = (f"user:{name}", f"addr:{address}")
            wait = web.throttle.wait(*keys)
            if wait > 0:
                message.set_text(t("web.login_locked", lang, minutes=math.ceil(wait / 60)))
                return
            try:
                issued = await work(access.login, node, name, str(password.value or ""))
            except PuenteError as exc:
                web.throttle.fail(*keys)
                message.set_text(t(exc.key, lang, **exc.params))
                password.set_value("")
                return
            web.throttle.succeed(keys[0])
            ticket = web.sessions.open(
                issued.username, issued.token, _lifetime(issued.expires_at), browser
            )
            ui.navigate.to(f"/ui/session?ticket={ticket}&next={quote(target, safe='')}")

        password.on("keydown.enter", submit)
        ui.button(t("web.login", lang), on_click=submit).props('data-testid="login"')
        other = "en" if lang == "es" else "es"
        ui.link(other.upper(), f"/ui/login?lang={other}&next={quote(target, safe='')}")
