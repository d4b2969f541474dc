"""``puente demo``: build the MX and US demo nodes, print what was loaded and the demo
credentials, then serve both APIs (with their ``/docs``) until Ctrl-C.

Invariant: the command only renders ``puente.demo.build_demo``'s result and hands the
two apps to ``serve_all``; rerunning it on the same directory reuses everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from puente.cli.context import CliState, errors, state
from puente.cli.serve import Served, serve_all
from puente.errors import InvalidInput
from puente.i18n import LANGS, t

if TYPE_CHECKING:  # the demo package loads the store; import it only when running
    from puente.demo import Demo

STORY_KEYS = ("cli.demo_story", "cli.demo_sovereignty", "cli.demo_next")


def _ports(text: str) -> tuple[int, int]:
    parts = [p.strip() for p in text.split(",")]
    try:
        ports = tuple(int(p) for p in parts)
    except ValueError:
        ports = ()
    if len(ports) != 2 or ports[0] == ports[1] or not all(0 < p < 65536 for p in ports):
        raise InvalidInput("cli.demo_bad_ports", value=text)
    return ports[0], ports[1]


def demo(
    ctx: typer.Context,
    directory: Path = typer.Option(Path("puente-demo"), "--dir", help="Where the nodes live"),
    ports: str = typer.Option("8701,8702", "--ports", help="MX and US API ports"),
    host: str = typer.Option("127.0.0.1", "--host"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build and load, do not serve"),
    db_urls: str | None = typer.Option(
        None, "--db-urls", help="Two PostgreSQL URLs, MX then US (default: SQLite files)"
    ),
) -> None:
    """Two demo nodes (MX and US) with example data, served side by side. / Demo."""
    from puente.demo import build_demo
    from puente.web import create_web_app

    st = state(ctx)
    with errors(st):
        mx_port, us_port = _ports(ports)
        urls: tuple[str | None, str | None] = (None, None)
        if st.db_url:
            # One URL (--db-url / PUENTE_DB_URL, which also overrides each node's own
            # setting) would put both sovereign nodes in one database.
            raise InvalidInput("cli.demo_one_db_url")
        if db_urls:
            given = [u.strip() for u in db_urls.split(",")]
            if len(given) != 2 or not all(given):
                raise InvalidInput("cli.demo_bad_db_urls")
            urls = (given[0], given[1])
        st.say("cli.demo_start", path=str(directory.resolve()))
        result = build_demo(
            directory,
            ports=(mx_port, us_port),
            host=host,
            db_urls=urls,
            on_file=lambda country, name: st.err.print(
                f"  … {country}: {name}", highlight=False, markup=False
            ),
        )
        try:
            _print_nodes(st, result)
            _print_users(st, result)
            _print_story(st, result.directory / result.nodes[0].spec.folder)
            if no_serve:
                st.say("cli.demo_no_serve", path=str(result.directory))
                return
            apps = [Served(create_web_app(n.node), host, n.port) for n in result.nodes]
            for item, served in zip(result.nodes, apps, strict=True):
                st.say("cli.demo_docs", country=item.country, url=served.url + "/docs")
                st.say("web.demo_open", country=item.country, url=served.url + "/ui/tour")
            st.say("cli.demo_stop")
            _exchange_when_listening(st, result, apps)
            serve_all(apps, log_level="warning")
            st.say("cli.stopped")
        finally:
            result.close()


def _exchange_when_listening(st: CliState, result: Demo, apps: list[Served]) -> None:
    """Once both nodes answer, run one exchange round (each pulls the other's feed) and
    print what each side sent and received and the check that nothing unreleasable
    crossed. A thread, because ``serve_all`` blocks the main one."""
    import threading
    import time

    import httpx

    from puente.exchange.demo import exchange_round

    def run() -> None:
        deadline = time.monotonic() + 120
        for served in apps:
            while time.monotonic() < deadline:
                try:
                    if httpx.get(served.url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        outcome = exchange_round([item.node for item in result.nodes], st.lang)
        for line in outcome.lines:
            st.console.print(line, highlight=False, markup=False)

    threading.Thread(target=run, name="demo-exchange", daemon=True).start()


def _print_nodes(st: CliState, result: Demo) -> None:
    for item in result.nodes:
        key = "cli.demo_node_created" if item.created else "cli.demo_node_reused"
        st.say(
            key,
            country=item.country,
            name=item.spec.name,
            path=str(item.node.settings.node_dir),
            fingerprint=item.node.fingerprint,
        )
        for report in item.reports:
            st.say(
                "cli.demo_file",
                file=report.file,
                rows=report.rows,
                created=report.created + report.changed,
                unchanged=report.unchanged,
            )
        st.say(
            "cli.demo_totals",
            records=item.records,
            releasable=item.releasable,
            partner=item.partner,
            default=item.node.default_markings.banner(st.lang),
        )


def _print_users(st: CliState, result: Demo) -> None:
    st.say("cli.demo_users_title", path=str(result.directory / "credentials.json"))
    for u in result.users:
        st.say(
            "cli.demo_user",
            node=u.node,
            username=u.username,
            roles=", ".join(u.roles),
            clearance=u.clearance,
            password=u.password,
            token=u.token,
        )


def _print_story(st: CliState, node_dir: Path) -> None:
    """The summary in both languages: the user's first, then the other one."""
    order = [st.lang, *[lang for lang in LANGS if lang != st.lang]]
    for lang in order:
        for key in STORY_KEYS:
            st.console.print(
                t(key, lang, dir=str(node_dir)), highlight=False, markup=False, soft_wrap=True
            )
