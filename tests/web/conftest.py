"""Browser tests: Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed
by ``scripts/ensure-chromium.sh``; no browser is ever downloaded) against a real
``puente demo`` — two nodes served by one process on free loopback ports — on SQLite
and on PostgreSQL. Screenshots go to ``test-artifacts/web/<backend>/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.test_serve import free_port, puente, stop
from tests.conftest import pg_database

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("PUENTE_TEST_ARTIFACTS", "test-artifacts")) / "web"


@dataclass
class Site:
    backend: str
    mx: str
    us: str
    directory: Path
    passwords: dict[str, str]
    proc: subprocess.Popen[str]

    def shot(self, page: Any, name: str) -> Path:
        folder = ARTIFACTS / self.backend
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def wait_ready(url: str, proc: subprocess.Popen[str], seconds: float = 240.0) -> None:
    """Building two loaded nodes (PostgreSQL, a busy shared machine) takes longer than
    starting one bare node: wait up to four minutes, failing at once if the demo died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"demo exited early ({proc.returncode}): {out}\n{err}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds}s")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: run scripts/ensure-chromium.sh")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """``puente demo`` serving both nodes (MX, US) with their example data."""
    dbs: list[Iterator[str]] = []
    args = ["demo", "--dir", str(tmp_path_factory.mktemp("demo") / "d")]
    if request.param == "postgres":
        dbs = [pg_database(), pg_database()]
        args += ["--db-urls", ",".join(next(g) for g in dbs)]
    mx_port, us_port = free_port(), free_port()
    while us_port == mx_port:
        us_port = free_port()
    proc = puente(*args, "--ports", f"{mx_port},{us_port}")
    try:
        for port in (mx_port, us_port):
            wait_ready(f"http://127.0.0.1:{port}/health", proc)
        directory = Path(args[2])
        users = json.loads((directory / "credentials.json").read_text("utf-8"))["users"]
        yield Site(
            request.param,
            f"http://127.0.0.1:{mx_port}",
            f"http://127.0.0.1:{us_port}",
            directory,
            {u["username"]: u["password"] for u in users},
            proc,
        )
    finally:
        stop(proc)
        for gen in dbs:
            for _ in gen:
                pass


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="es-MX")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


def login(page: Any, base: str, username: str, password: str, path: str = "/ui/search") -> None:
    page.goto(base + path)
    page.wait_for_url("**/ui/login**")
    # NiceGUI sends a page's events once its socket has shaken hands, and a page whose
    # socket times out reloads itself, dropping what was typed: type only after the
    # handshake. On a loaded 2-core machine the handshake, argon2 and the next page
    # took over 20 s once in a full run (session 7): these two waits get 60 s.
    page.wait_for_function("() => window.did_handshake === true", timeout=60_000)
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("login").click()
    page.wait_for_url(f"**{path}**", timeout=60_000)


def add_user(site: Site, node: str, username: str, password: str, clearance: str) -> None:
    """A user added through the CLI on the running demo's node (``mx`` or ``us``)."""
    args = ["--node", str(site.directory / node)]
    config = (site.directory / node / "puente.toml").read_text("utf-8")
    for line in config.splitlines():
        if line.startswith("db_url"):
            args += ["--db-url", line.split("=", 1)[1].strip().strip('"')]
    done = subprocess.run(
        [*puente_cmd(), *args, "user", "add", username, "--role", "analyst",
         "--clearance", clearance, "--password", password],
        capture_output=True, text=True, env={**os.environ, "PUENTE_LANG": "en"}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def puente_cmd() -> list[str]:
    import sys

    return [sys.executable, "-m", "puente.cli.main"]
