"""The hashed keys of the acquisition index: a folded serial's deletion neighbourhood
(itself and every one-character deletion, ``serials.deletion_keys``), each hashed with
the make into a signed 64-bit integer — one at a time for a look-up, or for a whole batch
of guns at once in numpy when the index is built.

The hash of a key ``s`` of length ``n`` under make ``m`` is
``mix(poly(s) + mix(seed(m) + n))`` with ``poly(s) = Σ s[i]·B^(n-1-i) mod 2^64``,
``seed`` the first 8 bytes of blake2b of the make and ``mix`` the splitmix64 finaliser.
A polynomial hash is chosen because the hash of every deletion follows from the prefix
hashes in a few vector operations (``poly(s without i) = P(n) + (P(i) - P(i+1))·B^(n-1-i)``,
``P(i)`` the hash of ``s[:i]``), so the build never materialises the deleted strings.
A collision only adds a candidate that matching then discards (make and serial are
compared on the stored row), never a wrong match.

Invariant: ``key_hash`` and ``neighbourhood_hashes`` give the same integers for the same
text in every process (no per-process ``hash``); a test checks the two agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from puente.trace.serials import MIN_FUZZY, deletion_keys

_M = (1 << 64) - 1
_B = 0x100000001B3  # the 64-bit FNV prime: odd, so powers never vanish mod 2^64
_C1, _C2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB  # splitmix64
MAX_WIDTH = 64  # trace_guns.serial_key is String(64)


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * _C1) & _M
    z = ((z ^ (z >> 27)) * _C2) & _M
    return z ^ (z >> 31)


@lru_cache(maxsize=4096)
def _seed(make: str) -> int:
    return int.from_bytes(hashlib.blake2b(make.encode(), digest_size=8).digest(), "big")


def _signed(z: int) -> int:
    return z - (1 << 64) if z >= 1 << 63 else z


def key_hash(make: str, key: str) -> int:
    """The signed 64-bit index key of (make, serial key)."""
    poly = 0
    for ch in key.encode():
        poly = (poly * _B + ch) & _M
    return _signed(_mix((poly + _mix((_seed(make) + len(key)) & _M)) & _M))


def lookup_hashes(make: str, folded: str) -> list[int]:
    """The keys a reading looks up: its whole deletion neighbourhood."""
    return [key_hash(make, k) for k in sorted(deletion_keys(folded))]


def _vmix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_C1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_C2)
    return z ^ (z >> np.uint64(31))


def neighbourhood_hashes(
    makes: Sequence[str], keys: Sequence[str]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Every (hash, row) of the deletion neighbourhoods of ``keys[row]`` under
    ``makes[row]``: the same set ``key_hash`` gives over ``deletion_keys`` (a run of equal
    characters yields one deletion), none for an empty key."""
    n_rows = len(keys)
    if n_rows == 0:
        return np.empty(0, np.int64), np.empty(0, np.intp)
    n = np.fromiter(map(len, keys), np.int64, n_rows).clip(0, MAX_WIDTH)
    width = max(1, int(n.max()))
    # Folded keys are ASCII letters and digits, so numpy's fixed-width bytes hold them;
    # one row per character position, one column per key.
    fixed = np.array(keys, dtype=f"S{width}")
    chars = fixed.view(np.uint8).reshape(n_rows, width).T.astype(np.uint64)
    by_make = {m: _seed(m) for m in set(makes)}
    seeds = np.fromiter(map(by_make.__getitem__, makes), np.uint64, n_rows)
    cols = np.arange(n_rows)
    pos = np.arange(width)[:, None]
    with np.errstate(over="ignore"):
        prefix = np.zeros((width + 1, n_rows), np.uint64)  # prefix[i] = poly(key[:i])
        for i in range(width):
            prefix[i + 1] = prefix[i] * np.uint64(_B) + chars[i]
        powers = np.ones(width + 1, np.uint64)
        for i in range(1, width + 1):
            powers[i] = powers[i - 1] * np.uint64(_B)
        whole = prefix[n, cols]
        full = _vmix(whole + _vmix(seeds + n.astype(np.uint64)))
        # poly(key without i) = P(n) + (P(i) - P(i+1))·B^(n-1-i), for every i at once
        step = powers[(n[None, :] - 1 - pos).clip(0)]
        cut = whole[None, :] + (prefix[:-1] - prefix[1:]) * step
        cut = _vmix(cut + _vmix(seeds + (n - 1).clip(0).astype(np.uint64))[None, :])
    keep = (n >= MIN_FUZZY)[None, :] & (pos < n[None, :])
    # Of a run of equal characters, only the deletion of the last is kept (same string).
    keep[:-1] &= ~((pos[1:] < n[None, :]) & (chars[:-1] == chars[1:]))
    hashes = np.concatenate([full[n > 0], cut[keep]])
    rows = np.concatenate([cols[n > 0], np.broadcast_to(cols, keep.shape)[keep]])
    return hashes.view(np.int64), rows
