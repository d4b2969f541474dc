"""Canonical bytes and content hashes for anything stored, signed or sent.

One encoding everywhere: JSON with sorted keys, no insignificant whitespace, UTF-8.
Never Python's ``hash()`` (salted per process) for anything that outlives a process.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson


def canonical_bytes(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_fast(data: Any) -> bytes:
    """``canonical_bytes(data)`` for data without floats (strings, integers, booleans,
    lists, objects: record properties, markings, feed entries), through orjson at a
    fifth of the cost. The bytes are the same (tested over every code point and with
    hypothesis): both leave non-ASCII raw, escape the same control characters and sort
    keys by code point (orjson by UTF-8 bytes, which orders alike). What orjson refuses
    (an integer beyond 64 bits) goes through ``canonical_bytes`` itself; a lone
    surrogate can be encoded by neither (UnicodeEncodeError). Floats are the exception:
    the two format some differently (``1e+16`` / ``1e16``), so hashes that may cover
    floats keep to ``canonical_bytes``."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return canonical_bytes(data)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()
