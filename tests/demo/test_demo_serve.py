"""``puente demo`` serves both nodes from one process; one Ctrl-C stops both."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.cli.test_serve import free_port, puente, stop, wait_for


def test_demo_serves_both_nodes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    mx_port, us_port = free_port(), free_port()
    while us_port == mx_port:
        us_port = free_port()
    proc = puente("demo", "--dir", str(tmp_path / "d"), "--ports", f"{mx_port},{us_port}")
    try:
        countries = {}
        for port in (mx_port, us_port):
            health = wait_for(f"http://127.0.0.1:{port}/health", proc)
            countries[port] = health.json()["country"]
            assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5.0).status_code == 200
        assert countries == {mx_port: "MEX", us_port: "USA"}
    finally:
        out, err = stop(proc)
    assert proc.returncode == 0, err
    assert f"MEX API: http://127.0.0.1:{mx_port}/docs" in out
    assert f"USA API: http://127.0.0.1:{us_port}/docs" in out
    assert "Ctrl-C stops both nodes" in out
    for port in (mx_port, us_port):  # both really stopped: nobody listens there any more
        with socket.socket() as sock:
            # SO_REUSEADDR, as a restarted server binds: closed connections of the exchange
            # round may sit in TIME_WAIT, but a live listener would still refuse the bind
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
