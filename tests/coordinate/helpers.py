"""Two coordination nodes that know each other, and the secretariat users of each."""

from __future__ import annotations

from collections.abc import Callable

from puente.exchange import feed
from puente.node import Node
from puente.store.users import User
from tests.exchange.helpers import connect, pull

SEC = User("secretaria", ("secretariat",), 3, "es")
ANALYST = User("ana.lyst", ("analyst",), 3, "en")


def pair(make_node: Callable[..., Node]) -> tuple[Node, Node]:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    return mx, us


def exchange(*nodes: Node) -> None:
    """Every node extends its feeds and pulls from every other (in-process HTTP)."""
    for a in nodes:
        for b in nodes:
            if a is not b:
                feed.extend(b, a.country)
                pull(a, b)
