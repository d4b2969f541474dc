"""Canonical bytes and content hashes for anything stored, signed or sent.

One encoding everywhere: JSON with sorted keys, no insignificant whitespace, UTF-8.
Never Python's ``hash()`` (salted per process) for anything that outlives a process.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()
