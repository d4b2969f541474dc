"""Fast draws from a ``random.Random``: one ``random()`` call each, where the standard
``choice``/``randrange`` loop over ``getrandbits`` (several times slower, and the
generator makes millions of draws).

Invariant: each function consumes exactly one value from the stream, so output stays a
pure function of the seed; the float-to-index rounding bias (below 2**-40 for our
sizes) is irrelevant for synthetic data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """One element of a non-empty sequence."""
    return seq[int(rng.random() * len(seq))]


def below(rng: random.Random, n: int) -> int:
    """An integer in ``[0, n)``."""
    return int(rng.random() * n)


def between(rng: random.Random, lo: int, hi: int) -> int:
    """An integer in ``[lo, hi)``."""
    return lo + int(rng.random() * (hi - lo))
