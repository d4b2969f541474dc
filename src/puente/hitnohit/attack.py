"""A frequency / pattern-mining re-identification attack on person encodings, to measure
what hardening buys (``bench/hitnohit.py`` reports its success with hardening on and off).

The attacker holds encodings but not the pair key, knows the encoding scheme, and holds
a plaintext list of names drawn from the same population (the strongest realistic
position: a partner's own records, a leaked register). After Christen, Vidanage,
Ranbaduge and Schnell, "Pattern-mining based cryptanalysis of Bloom filters for
privacy-preserving record linkage" (PAKDD 2018):

1. *Mining.* Partitions of the encodings and of the plaintext are explored together,
   starting from everything. In a partition, the most frequent q-gram of the plaintext
   is matched with the set of positions that are set together in (nearly) every
   encoding that has the partition's most frequent position set — in a plain CLK, the
   positions of a q-gram are all set whenever the q-gram is present. The partition is
   then split into encodings with and without that pattern (and plaintext names with and
   without the q-gram) and each half is mined in turn, up to ``max_grams`` q-grams.
2. *Re-identification.* An encoding is said to contain a mined q-gram when all its
   positions are set. The plaintext names whose mined q-grams are all contained, and
   that contain the most of them, are its candidates; a single distinct candidate is
   the attacker's guess.

Invariant: pure function of its inputs (no key, no randomness).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from puente.hitnohit.clk import Person, Profile, features, name_tokens

Bits = npt.NDArray[np.bool_]
Feature = tuple[str, str]


def label(person: Person) -> str:
    """What a re-identification must name: the person's normalised name."""
    return " ".join(name_tokens(person.names))


@dataclass(frozen=True)
class Mined:
    gram: Feature
    positions: tuple[int, ...]


def mine(bits: Bits, people: Sequence[Person], profile: Profile, *, max_grams: int = 150,
         min_rows: int = 20, purity: float = 0.8, min_atom: int = 5) -> list[Mined]:  # fmt: skip
    """Feature → positions assignments found by pattern mining (see module docstring)."""
    grams = [frozenset(features(profile, p)) for p in people]
    found: list[Mined] = []
    known: set[Feature] = set()
    queue: list[tuple[npt.NDArray[np.int64], list[int]]] = [
        (np.arange(len(bits), dtype=np.int64), list(range(len(people))))
    ]
    while queue and len(found) < max_grams:
        queue.sort(key=lambda part: -len(part[0]))
        rows, refs = queue.pop(0)
        if len(rows) < min_rows or len(refs) < min_rows:
            continue
        counts = Counter(g for r in refs for g in grams[r] if g not in known)
        for g, c in list(counts.items()):
            if c >= 0.9 * len(refs):  # in nearly every record: its pattern is hidden too
                del counts[g]
        if not counts:
            continue
        sub = bits[rows]
        gram, count = counts.most_common(1)[0]
        atom = _pattern(sub, found, count / len(refs), purity, min_atom)
        if atom is None:
            continue
        found.append(Mined(gram, atom))
        known.add(gram)
        has = sub[:, list(atom)].all(axis=1)
        queue.append((rows[has], [r for r in refs if gram in grams[r]]))
        queue.append((rows[~has], [r for r in refs if gram not in grams[r]]))
    return found


def _pattern(sub: Bits, found: Sequence[Mined], share: float, purity: float,
             min_atom: int, lift: float = 1.3) -> tuple[int, ...] | None:  # fmt: skip
    """The most frequent pattern of the partition — positions set together in nearly
    every encoding where one of them is set — if its frequency matches ``share`` (the
    partition's most frequent feature in the plaintext)."""
    x = sub.astype(np.float32)
    freq = x.mean(axis=0)
    co = (x.T @ x) / max(len(x), 1)
    cond = co / np.maximum(np.diag(co)[:, None], 1e-9)  # cond[p, q] = P(q set | p set)
    common = freq >= 0.9  # set in nearly every encoding: no pattern to tell apart
    informative = (cond >= purity) & (cond >= lift * freq) & ~common[None, :]
    explained = np.zeros(len(freq), dtype=np.bool_)
    for m in found:
        explained[list(m.positions)] = True
    best: tuple[float, tuple[int, ...]] | None = None
    for start in np.nonzero((freq >= 0.9 * share) & ~common & ~explained)[0]:
        cols = np.nonzero(informative[start])[0]
        if len(cols) < min_atom:
            continue
        support = float(sub[:, cols].all(axis=1).mean())
        if best is None or support > best[0]:
            best = (support, tuple(int(c) for c in cols))
    if best is None or abs(best[0] - share) > 0.35 * share:
        return None
    return best[1]


def reidentify(bits: Bits, people: Sequence[Person], profile: Profile,
               mined: Sequence[Mined], margin: float = 2.0) -> list[str | None]:  # fmt: skip
    """The attacker's guess (a plaintext name) for each encoding, or None."""
    if not mined:
        return [None] * len(bits)
    contains = np.stack([bits[:, list(m.positions)].all(axis=1) for m in mined], axis=1)
    vocab = [m.gram for m in mined]
    profiles: dict[tuple[bool, ...], set[str]] = {}
    for person in people:
        g = set(features(profile, person))
        profiles.setdefault(tuple(v in g for v in vocab), set()).add(label(person))
    keys = np.array(list(profiles), dtype=np.float32)
    values = list(profiles.values())
    c = contains.astype(np.float32)
    # agreement: features the person has that the encoding contains, minus those it lacks
    score = c @ keys.T - (1.0 - c) @ keys.T
    out: list[str | None] = []
    for row in score:
        order = np.argsort(-row, kind="stable")[:2]
        top = values[int(order[0])]
        clear = len(order) == 1 or row[order[0]] - row[order[1]] >= margin
        out.append(next(iter(top)) if clear and len(top) == 1 else None)
    return out


def success_rate(bits: Bits, truth: Sequence[Person], reference: Sequence[Person],
                 profile: Profile) -> float:  # fmt: skip
    """Share of encodings whose true name the attack names uniquely."""
    guesses = reidentify(bits, reference, profile, mine(bits, reference, profile))
    right = sum(1 for g, t in zip(guesses, truth, strict=True) if g is not None and g == label(t))
    return right / max(len(truth), 1)
