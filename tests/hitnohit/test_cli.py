"""The CLI end to end: ``puente hitnohit pair|key|log``, ``puente query`` (one item and a
batch file) and ``puente requests create|list|approve|sync`` between two real nodes, the
owner served by uvicorn on 127.0.0.1 (both backends)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from puente.api import create_app
from puente.cli.main import app
from puente.hitnohit.requests import listing
from puente.node import Node
from puente.store.partners import add_partner
from tests.hitnohit.helpers import marks, person, put


def _run(node: Node, *args: str) -> tuple[int, str]:
    base = ["--node", str(node.settings.node_dir), "--lang", "en"]
    result = CliRunner().invoke(app, [*base, *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def served(make_node: Callable[..., Node]) -> Iterator[tuple[Node, Node]]:
    mx, us = make_node("MX"), make_node("US")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with mx.write() as conn:
        add_partner(conn, "US", f"http://127.0.0.1:{port}", us.public_key)
    with us.write() as conn:
        add_partner(conn, "MX", "http://127.0.0.1:9", mx.public_key)
    server = uvicorn.Server(
        uvicorn.Config(create_app(us), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield mx, us
    server.should_exit = True
    thread.join(timeout=10)


def test_query_and_request_from_the_command_line(served: tuple[Node, Node], tmp_path: Path) -> None:
    mx, us = served
    code, out = _run(mx, "query", "US", "--phone", "210 555 0101")
    assert code == 5 and "not set up" in out
    code, out = _run(us, "hitnohit", "key")
    assert code == 0 and "signature" in out
    secret = "ef" * 32
    assert (
        _run(
            us,
            "hitnohit",
            "pair",
            "MX",
            "--secret",
            secret,
            "--quota",
            "20",
            "--contact",
            "desk@us",
        )[0]
        == 0
    )
    code, out = _run(mx, "hitnohit", "pair", "US", "--secret", secret)
    assert code == 0 and "mode secret, epoch 1" in out
    put(us, [person("p1", "Juan", "Pérez", "1980-03-03", phone=["+1 210 555 0101"])], marks(us))
    code, out = _run(
        mx,
        "query",
        "US",
        "--phone",
        "210 555 0101",
        "--serial",
        "ZZ123456",
        "--make",
        "Glock",
        "--person",
        "Juan Perez",
        "--dob",
        "1980-03-03",
        "--person-phone",
        "(210) 555-0101",
    )
    assert code == 0, out
    assert out.count("HIT") == 2 and "no hit" in out and "desk@us" in out
    batch = tmp_path / "batch.csv"
    batch.write_text("type,value,make,name,dob\nphone,2105550101,,,\nphone,12,,,\ncolour,red,,,\n")
    code, out = _run(mx, "query", "US", "--file", str(batch))
    assert code == 3 and "batch.csv:3" in out and "batch.csv:4" in out
    batch.write_text("type,value\n" + "".join(f"phone,310555{i:04d}\n" for i in range(30)))
    code, out = _run(mx, "query", "US", "--file", str(batch))
    assert code == 6 and "quota" in out.lower() and "3 of 20" in out
    code, out = _run(mx, "hitnohit", "log", "--json")
    ref = next(r["ref"] for q in json.loads(out) for r in q["refs"] if r["kind"] == "phone")
    code, out = _run(
        mx,
        "requests",
        "create",
        ref,
        "--case",
        "FGR/1/2025",
        "--justification",
        "Number found on a seized phone",
        "--urgent",
    )
    assert code == 0 and "sent to USA" in out
    code, out = _run(us, "requests", "list", "--direction", "in")
    assert "FGR/1/2025" in out and "pending" in out
    rid = listing(us, "in", "pending")[0].id
    code, out = _run(us, "requests", "approve", rid, "--redact", "phone")
    assert code == 0 and f"rfi-{rid}" in out
    code, out = _run(mx, "requests", "sync", "US")
    assert code == 0 and "1 requests" in out and "approved" in out
