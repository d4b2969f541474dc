"""Bilingual messages. Every text a person reads comes from the catalogue: one YAML file
per area in this folder (``errors.yaml``, ``cli.yaml``…), each key with ``es`` and ``en``.
A test fails when a key lacks either language.

``t(key, lang, **params)`` formats with ``str.format``; an unknown key returns the key
itself (so a missing message is visible, never a crash).
"""

from __future__ import annotations

import locale
import os
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("es", "en")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for entry in resources.files("puente.i18n").iterdir():
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text("utf-8")) or {}
            for key, texts in data.items():
                if key in merged:
                    raise ValueError(f"duplicate message key {key} in {entry.name}")
                merged[key] = texts
    return merged


def t(key: str, lang: str = "es", /, **params: Any) -> str:
    texts = catalogue().get(key)
    if texts is None:
        return key if not params else f"{key} {params}"
    template = texts.get(lang) or texts.get("en") or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def detect_lang(explicit: str | None = None) -> str:
    """``--lang`` > ``PUENTE_LANG`` > the locale (``LANG``/``LC_ALL``) > Spanish."""
    for candidate in (explicit, os.environ.get("PUENTE_LANG")):
        if candidate and candidate[:2].lower() in LANGS:
            return candidate[:2].lower()
    loc = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    if not loc:
        loc = locale.getlocale()[0] or ""
    if loc[:2].lower() in LANGS:
        return loc[:2].lower()
    return "es"
