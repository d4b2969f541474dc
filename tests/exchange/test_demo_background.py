"""The demo exchange round and the background loop of ``puente serve``."""

from __future__ import annotations

import time
from collections.abc import Callable

from puente.exchange import background
from puente.exchange.demo import exchange_round
from puente.node import Node
from tests.exchange.helpers import client, connect, held, marks, person, put


def test_demo_round_reports_both_sides(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person("a", "Ana"), person("b", "Beto")], marks(mx, rel_to=["USA"]))
    put(mx, [person("c", "Carla")], marks(mx))
    put(us, [person("u", "Uno")], marks(us, rel_to=["MEX"]))
    with client(mx) as to_mx, client(us) as to_us:
        result = exchange_round([mx, us], "en", clients={"MEX": to_mx, "USA": to_us})
    assert result.ok, result.lines
    text = "\n".join(result.lines)
    assert "MEX → USA: sent 2 upserts and 0 retractions; USA holds 2 copies" in text
    assert "crossed without release: 0" in text
    assert sorted(held(us, "MEX")) == ["MEX:a", "MEX:b"]


def test_background_loop_survives_an_unreachable_partner(node: Node) -> None:
    from puente.store.partners import add_partner

    with node.write() as conn:
        add_partner(conn, "US", "http://127.0.0.1:9", node.public_key)
    handle = background.start(node, interval=0.05)
    try:
        deadline = time.monotonic() + 30
        while "USA" not in handle.last and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        handle.stop()
    assert handle.last["USA"] == "exchange.unreachable"
