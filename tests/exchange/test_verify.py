"""A checked page crosses a process boundary intact: what a worker process returns is
what the applying process would have built itself."""

from __future__ import annotations

import pickle
from collections.abc import Callable

from puente.exchange import feed
from puente.exchange.entry import GENESIS
from puente.exchange.verify import Checked, check_page, public_key_bytes
from puente.node import Node
from tests.exchange.helpers import connect, marks, person, put


def test_checked_entries_pickle_to_equal_entries(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(
        mx,
        [person("a", "Ána Ruiz", idNumber=["AB-1"]), person("b", "Beto")],
        marks(mx, rel_to=["USA"]),
    )
    feed.extend(mx, "USA")
    put(mx, [person("a", "Ana Ruiz")], marks(mx, rel_to=[]))  # a retraction follows
    feed.extend(mx, "USA")
    with mx.read() as conn:
        lines, _ = feed.page(conn, "USA", 0, 100)
    entries = check_page(
        [line.encode() for line in lines],
        key=public_key_bytes(mx.public_key),
        sender="MEX",
        receiver="USA",
        after_seq=0,
        after_hash=GENESIS,
    )
    assert [e.op for e in entries] == ["upsert", "upsert", "retract"]
    again = pickle.loads(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == entries and isinstance(again, Checked)  # sent page at once
    assert again[2].prepared is None and again[0].prepared == entries[0].prepared
    assert again[0].prepared is not None and again[0].prepared.keys == ["AB1"]
