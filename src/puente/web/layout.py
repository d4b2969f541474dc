"""The frame every page shares: the classification banner (top and bottom), the
role-aware navigation, the language switch and logout — and ``page``, the decorator that
refuses a page to anyone without a live session.

Invariants:
- a page's banner is ``banner_for`` over the markings of *everything the page shows*:
  each part of a page reports its records to ``Screen.show(slot, markings)`` when it
  draws them, and the banner (both copies) is recomputed at once;
- a page builder runs only for a user with a live session (else the browser is sent to
  the login page), and every event handler wrapped by ``PageCtx.guard`` re-checks the
  session first and turns a ``PuenteError`` into a message in the user's language;
- the navigation lists a page only to users holding one of its roles; a feature adds
  its page by one ``register`` call in its own module (one module per page).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, cast
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from puente.errors import PuenteError
from puente.i18n import t
from puente.model.markings import Markings, banner_for
from puente.node import Node
from puente.store.users import User
from puente.web import fmt
from puente.web.state import WebState, current_user, state_of

P = ParamSpec("P")
T = TypeVar("T")


async def work(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Blocking work (database, argon2, a partner's HTTP) in a thread, off the event loop
    that also serves the partner node in the demo. (``io_bound`` answers ``None`` only
    while the server shuts down.)"""
    return cast(T, await run.io_bound(fn, *args, **kwargs))


ALL_ROLES = ("analyst", "releasing_officer", "secretariat", "admin")


@dataclass(frozen=True)
class NavItem:
    path: str
    label_key: str
    icon: str
    roles: tuple[str, ...]
    order: int


NAV: list[NavItem] = []


def register(item: NavItem) -> None:
    """Add a page to the navigation (idempotent: modules may be imported twice)."""
    if all(n.path != item.path for n in NAV):
        NAV.append(item)
        NAV.sort(key=lambda n: n.order)


def visible_nav(user: User) -> list[NavItem]:
    return [n for n in NAV if any(user.has(r) for r in n.roles)]


class Screen:
    """The markings on screen, per part of the page, and the banner they produce."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.slots: dict[str, list[Markings]] = {}
        self.labels: list[ui.label] = []

    def show(self, slot: str, markings: Iterable[Markings]) -> None:
        self.slots[slot] = list(markings)
        self.refresh()

    def all(self) -> list[Markings]:
        return [m for marks in self.slots.values() for m in marks]

    @property
    def text(self) -> str:
        return banner_for(self.all(), self.lang)

    @property
    def level(self) -> int:
        return max((m.level for m in self.all()), default=0)

    def refresh(self) -> None:
        for label in self.labels:
            label.set_text(self.text)
            colour = fmt.level_colour(self.level)
            label.classes(replace=f"w-full text-center text-white text-bold py-1 {colour}")
            label.props(f'data-level="{self.level}"')


@dataclass
class PageCtx:
    request: Request
    web: WebState
    user: User
    sid: str
    screen: Screen = field(init=False)

    def __post_init__(self) -> None:
        self.screen = Screen(self.lang)

    @property
    def node(self) -> Node:
        return self.web.node

    @property
    def lang(self) -> str:
        return self.user.lang if self.user.lang in ("es", "en") else "es"

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def param(self, name: str) -> str:
        return self.request.query_params.get(name, "")

    def alive(self, *, touch: bool = True) -> bool:
        """Is the session live? An action by the user (``touch``) extends it; the
        page's own once-a-minute check does not."""
        return self.web.sessions.get(self.sid, touch=touch) is not None

    def error(self, exc: PuenteError) -> None:
        ui.notify(t(exc.key, self.lang, **exc.params), type="negative", multi_line=True)

    def guard(self, handler: Callable[..., Any]) -> Callable[..., Awaitable[None]]:
        """Wrap an event handler: live session first, errors as messages."""

        async def run(*args: Any) -> None:
            if not self.alive():
                ui.navigate.to("/ui/login?expired=1")
                return
            try:
                result = handler(*args)
                if inspect.isawaitable(result):
                    await result
            except PuenteError as exc:
                self.error(exc)

        return run


def _frame(ctx: PageCtx, title_key: str) -> None:
    ui.page_title(f"Puente {ctx.node.country} — {ctx.t(title_key)}")
    with ui.header(elevated=True).classes("p-0 flex-col gap-0 bg-slate-800"):
        ctx.screen.labels.append(ui.label().props('data-testid="banner-top"'))
        with ui.row().classes("w-full items-center px-4 py-1 gap-2 no-wrap"):
            ui.label(f"Puente · {ctx.node.settings.name or ctx.node.country}").classes(
                "text-h6 text-white mr-4"
            )
            for item in visible_nav(ctx.user):
                ui.button(
                    ctx.t(item.label_key),
                    icon=item.icon,
                    on_click=lambda p=item.path: ui.navigate.to(p),
                ).props(f'flat color=white no-caps data-testid="nav-{item.path[4:]}"')
            ui.space()
            ui.label(
                ctx.t(
                    "web.signed_in_as",
                    user=ctx.user.username,
                    roles=", ".join(ctx.t(f"web.role_{r}") for r in ctx.user.roles),
                )
            ).classes("text-white text-caption")
            other = "en" if ctx.lang == "es" else "es"
            ui.button(other.upper(), on_click=ctx.guard(lambda: _switch(ctx, other))).props(
                'flat color=white data-testid="lang"'
            )
            ui.button(icon="logout", on_click=lambda: _logout(ctx)).props(
                f'flat color=white data-testid="logout" aria-label="{ctx.t("web.logout")}"'
            )
    with ui.footer().classes("p-0 bg-transparent"):
        ctx.screen.labels.append(ui.label().props('data-testid="banner-bottom"'))
    ctx.screen.refresh()
    # An idle session ends even on a page left open: check once a minute.
    ui.timer(
        60.0, lambda: None if ctx.alive(touch=False) else ui.navigate.to("/ui/login?expired=1")
    )


def _switch(ctx: PageCtx, lang: str) -> None:
    from puente import access

    access.set_language(ctx.node, ctx.user, lang)
    ui.navigate.reload()


def _logout(ctx: PageCtx) -> None:
    ctx.web.sessions.close(ctx.sid)
    ui.navigate.to("/ui/login")


PageBuilder = Callable[[PageCtx], Awaitable[None] | None]


def page(path: str, title_key: str) -> Callable[[PageBuilder], PageBuilder]:
    """Register ``builder`` as the page at ``path``, for logged-in users only."""

    def decorate(builder: PageBuilder) -> PageBuilder:
        @ui.page(path)
        async def handler(request: Request) -> RedirectResponse | None:
            web = state_of(request)
            found = current_user(web, request)
            if found is None:
                here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                target = quote(here, safe="")
                return RedirectResponse(f"/ui/login?next={target}", status_code=303)
            user, sid = found
            ctx = PageCtx(request, web, user, sid)
            _frame(ctx, title_key)
            try:
                result = builder(ctx)
                if inspect.isawaitable(result):
                    await result
            except PuenteError as exc:
                ui.label(t(exc.key, ctx.lang, **exc.params)).classes(
                    "text-negative text-h6 m-4"
                ).props('data-testid="page-error"')
            return None

        return builder

    return decorate
