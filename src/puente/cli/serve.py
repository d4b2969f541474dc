"""``puente serve``: run a node's API (and its ``/docs``) with uvicorn.

``serve_all`` runs one or more apps in one process and one event loop — ``puente demo``
serves its two nodes with it. Invariant: every listening socket is bound *before* any
server starts, so a busy port is a clear error and nothing is left half-started; one
Ctrl-C (SIGINT) or SIGTERM stops every server gracefully, a second one forces it.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer
import uvicorn

from puente.cli.context import errors, state
from puente.errors import ConfigError


@dataclass(frozen=True)
class Served:
    """One app to serve and where."""

    app: Any
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to ``serve_all``: uvicorn's own
    handler would be replaced by the next server's, and only the last would stop."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            "cli.port_in_use", host=host, port=port, reason=exc.strerror or str(exc)
        ) from exc
    return sock


def serve_all(apps: Sequence[Served], log_level: str = "info") -> None:
    """Serve every app until SIGINT/SIGTERM; returns once all have shut down."""
    sockets: list[socket.socket] = []
    try:
        for item in apps:
            sockets.append(bind(item.host, item.port))
        servers = [
            _Server(uvicorn.Config(a.app, host=a.host, port=a.port, log_level=log_level))
            for a in apps
        ]
        asyncio.run(_run(servers, sockets))
    finally:
        for sock in sockets:
            sock.close()


async def _run(servers: list[_Server], sockets: list[socket.socket]) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True

    handled = threading.current_thread() is threading.main_thread()
    if handled:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
    try:
        await asyncio.gather(
            *(s.serve(sockets=[sock]) for s, sock in zip(servers, sockets, strict=True))
        )
    finally:
        if handled:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Default: the node's setting"),
    port: int | None = typer.Option(None, "--port", help="Default: the node's setting (8700)"),
    log_level: str = typer.Option("info", "--log-level"),
    background: bool = typer.Option(
        True, "--background/--no-background", help="Sync partners and re-evaluate indicators"
    ),
) -> None:
    """Serve this node's API, its documentation and its web UI (/ui/). / Sirve el nodo."""
    from puente.coordinate import scheduler
    from puente.exchange import background as exchange_background
    from puente.web import create_web_app

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        jobs: list[exchange_background.Background | scheduler.Scheduler] = (
            [exchange_background.start(node), scheduler.start(node)] if background else []
        )
        try:
            where = Served(
                create_web_app(node), host or node.settings.host, port or node.settings.port
            )
            st.say("cli.serving", country=node.country, url=where.url, docs=where.url + "/docs")
            serve_all([where], log_level=log_level)
        finally:
            for job in jobs:
                job.stop()
            node.close()
        st.say("cli.stopped")
