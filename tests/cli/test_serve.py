"""``puente serve`` in a real subprocess on a free loopback port: ``/health`` and
``/docs`` answer, and SIGINT (Ctrl-C) stops it cleanly with exit code 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from puente.node import Node

READY_WAIT = 60.0  # seconds for a loaded CI machine to start Python and the app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def puente(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PUENTE_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "puente.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(url: str, proc: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + READY_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"server exited early ({proc.returncode}): {out}\n{err}")
        try:
            return httpx.get(url, timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {READY_WAIT}s")


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"did not stop on SIGINT: {out}\n{err}")
    return out, err


def test_serve_answers_health_and_docs_then_stops(node: Node) -> None:
    port = free_port()
    args = ["--node", str(node.settings.node_dir)]
    if node.settings.db_url:
        args += ["--db-url", node.settings.db_url]
    proc = puente(*args, "serve", "--host", "127.0.0.1", "--port", str(port))
    try:
        health = wait_for(f"http://127.0.0.1:{port}/health", proc)
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "country": "MEX",
            "fingerprint": node.fingerprint,
        }
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5.0)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5.0).json()
        assert "/health" in spec["paths"]
    finally:
        out, _err = stop(proc)
    assert proc.returncode == 0
    assert f"API docs: http://127.0.0.1:{port}/docs" in out


def test_serve_on_a_busy_port_is_a_clear_error(node: Node) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = puente("--node", str(node.settings.node_dir), "serve", "--port", str(port))
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 4
    assert f"Cannot listen on 127.0.0.1:{port}" in err
