"""One module per page. ``load()`` imports them all once, which registers each page's
route and navigation entry; a new capability adds its module to ``MODULES``."""

from __future__ import annotations

import importlib

MODULES = (
    "login",
    "search",
    "record",
    "linkchart",
    "exchange",
    "review",
    "tour",
    "coordinate",
    "hitnohit",
    "trace",
)


def load() -> None:
    for name in MODULES:
        importlib.import_module(f"puente.web.pages.{name}")
