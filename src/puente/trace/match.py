"""Matching one described gun against the acquisition index, with reasons.

Candidates come from index look-ups only: the deletion-neighbourhood keys of the folded
serial (look-alikes, one character missing, extra or different) or, for a partly
obliterated serial, the legible prefix — always inside the same make. Each candidate is
scored from the serial evidence and adjusted by calibre, type, model and country of
manufacture; a gun bought after it was recovered, or of another calibre, is excluded.
Purchases of the same gun (make + folded serial) are grouped, and the earliest is its
first retail purchase.

Invariant: a result is ``completed`` only when the best gun scores at least ``THRESHOLD``
and no other gun comes within ``AMBIGUITY`` of it; otherwise candidates are ``partial``
and never name a purchaser with confidence. Every score carries the reasons behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select

from puente.model.countries import alpha2
from puente.store.tables import trace_guns, trace_keys
from puente.trace.describe import calibre_key, make_key, model_key, type_key
from puente.trace.items import Firearm
from puente.trace.keys import lookup_hashes
from puente.trace.serials import (
    MIN_LEGIBLE,
    Reading,
    clean,
    lookalikes,
    one_edit,
    read_serial,
)

THRESHOLD = 0.9
AMBIGUITY = 0.05
MAX_CANDIDATES = 5
MAX_BLOCK = 2000  # a partial serial matching more guns than this is too vague to rank
_IN = 5000  # values per IN list (under both backends' bound-parameter limits)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Built once: the hot path only binds values (expanding IN lists stay cached).
_BY_KEY = select(trace_keys.c.h, trace_keys.c.gun).where(
    trace_keys.c.h.in_(bindparam("h", expanding=True))
)
_BY_ID = select(trace_guns).where(trace_guns.c.id.in_(bindparam("ids", expanding=True)))
# A legible prefix is a range of the (make, serial) index, [prefix, next prefix); the
# ``LIKE`` pattern checks the length and any legible character after an obliterated
# one on the index entries, so only ids are read until the block is known not too vague.
_PREFIX = select(trace_guns.c.id).where(
    trace_guns.c.make_key == bindparam("make"),
    trace_guns.c.serial_key >= bindparam("lo"),
    trace_guns.c.serial_key.like(bindparam("like")),
)
_BELOW = trace_guns.c.serial_key < bindparam("hi")


@dataclass
class Candidate:
    gun: dict[str, Any]  # the trace_guns row of the first retail purchase
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    sales: int = 1  # acquisitions of this gun the node holds

    def to_dict(self) -> dict[str, Any]:
        g = self.gun
        return {
            "acquisition": g["acquisition_id"],
            "firearm": g["firearm_id"],
            "serial": g["serial"],
            "purchase_date": g["purchase_date"],
            "score": round(self.score, 3),
            "reasons": self.reasons,
            "sales": self.sales,
        }


@dataclass(frozen=True)
class Match:
    status: str  # completed | partial | no_record
    confidence: float
    candidates: list[Candidate]
    reasons: list[dict[str, Any]]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def _why(reason: str, weight: float = 0.0, **detail: Any) -> dict[str, Any]:
    return {"reason": reason, "weight": round(weight, 3), **detail}


def _after(prefix: str) -> str | None:
    """The least alphanumeric string above every string that starts with ``prefix``
    (None: no bound). Counting in ``_ALNUM`` keeps the bound meaningful under any
    collation that orders letters and digits as ASCII does."""
    while prefix:
        at = _ALNUM.find(prefix[-1]) + 1
        if 0 < at < len(_ALNUM):
            return prefix[:-1] + _ALNUM[at]
        prefix = prefix[:-1]
    return None


def _by_prefix(conn: Connection, make: str, reading: Reading) -> list[int]:
    """The ids of the guns of ``make`` whose serial fits the partial ``reading`` (at most
    ``MAX_BLOCK + 1``)."""
    params: dict[str, Any] = {"make": make, "lo": reading.folded, "like": reading.like}
    query = _PREFIX
    hi = _after(reading.folded)
    if hi is not None:
        query, params["hi"] = query.where(_BELOW), hi
    return list(conn.execute(query.limit(MAX_BLOCK + 1), params).scalars().all())


def _candidates(
    conn: Connection, readings: Sequence[Reading], makes: Sequence[str]
) -> list[list[dict[str, Any]] | None]:
    """The index rows each reading may be (None: a partial serial fitting more than
    ``MAX_BLOCK`` guns): by legible prefix for a partial serial, by shared deletion keys
    otherwise — the keys and rows of a whole batch each read in one statement."""
    ids_of: dict[int, list[int]] = {}
    vague: set[int] = set()
    wanted: dict[int, list[int]] = {}
    for i, (reading, make) in enumerate(zip(readings, makes, strict=True)):
        if reading.partial:
            if len(reading.prefix) >= MIN_LEGIBLE:
                found = _by_prefix(conn, make, reading)
                if len(found) > MAX_BLOCK:
                    vague.add(i)
                else:
                    ids_of[i] = found
        elif reading.folded:
            wanted[i] = lookup_hashes(make, reading.folded)
    # Two statements on purpose: joined, planners prefer the (make, serial) index and
    # scan the whole make instead of looking the few keys up.
    hashes = sorted({h for hs in wanted.values() for h in hs})
    guns_of: dict[int, list[int]] = defaultdict(list)
    for k in range(0, len(hashes), _IN):
        for h, gun in conn.execute(_BY_KEY, {"h": hashes[k : k + _IN]}).all():
            guns_of[h].append(gun)
    for i, hs in wanted.items():
        ids_of[i] = sorted({g for h in hs for g in guns_of.get(h, ())})
    ids = sorted({g for found in ids_of.values() for g in found})
    rows: dict[int, dict[str, Any]] = {}
    for k in range(0, len(ids), _IN):
        for r in conn.execute(_BY_ID, {"ids": ids[k : k + _IN]}).mappings().all():
            rows[r["id"]] = dict(r)
    out: list[list[dict[str, Any]] | None] = []
    for i, reading in enumerate(readings):
        got = [rows[g] for g in ids_of.get(i, ()) if g in rows]
        if reading.partial:  # ``LIKE`` checked the fit; in index order, as a scan reads
            got.sort(key=lambda r: (r["serial_key"], r["id"]))
        else:
            got = [r for r in got if r["make_key"] == makes[i]]
        out.append(None if i in vague else got)
    return out


def _serial_score(
    reading: Reading, read_text: str, row: dict[str, Any]
) -> tuple[float, dict[str, Any]] | None:
    key = row["serial_key"]
    if reading.partial:
        share = len(reading.prefix) / max(len(key), 1)
        return 0.55 + 0.3 * share, _why(
            "serial_partial", 0.55 + 0.3 * share, legible=len(reading.prefix), length=len(key)
        )
    if key == reading.folded:
        if read_text == clean(row["serial"]):
            return 1.0, _why("serial_exact", 1.0)
        return 0.97, _why(
            "serial_lookalike", 0.97, detail=", ".join(lookalikes(read_text, clean(row["serial"])))
        )
    edit = one_edit(reading.folded, key)
    if edit is None:
        return None
    base = 0.9 if len(key) >= 7 else 0.86
    return base, _why(f"serial_{edit[0]}", base, position=edit[1])


def _adjust(gun: Firearm, row: dict[str, Any], reasons: list[dict[str, Any]]) -> float | None:
    """The descriptive evidence: None excludes the candidate."""
    delta = 0.0
    cal = calibre_key(gun.caliber)
    if cal and row["caliber_key"]:
        if cal != row["caliber_key"]:
            return None
        delta += 0.01
        reasons.append(_why("calibre_match", 0.01))
    kind = type_key(gun.type)
    if kind and row["type_key"] and kind != row["type_key"]:
        delta -= 0.1
        reasons.append(_why("type_mismatch", -0.1, given=kind, recorded=row["type_key"]))
    model, recorded = model_key(gun.model), model_key(row["model"])
    if model and recorded:
        if model in recorded or recorded in model:
            delta += 0.01
            reasons.append(_why("model_match", 0.01))
        else:
            delta -= 0.1
            reasons.append(_why("model_mismatch", -0.1, given=gun.model, recorded=row["model"]))
    if gun.country and row["country"] and not _same_country(gun.country, row["country"]):
        delta -= 0.1
        reasons.append(_why("country_mismatch", -0.1))
    return delta


def _same_country(alpha3: str, stored: str) -> bool:

    try:
        return alpha2(alpha3).lower() == stored.lower()
    except Exception:
        return False


def match(conn: Connection, gun: Firearm, recovered: str) -> Match:
    """Rank the guns ``gun`` may be; ``recovered`` (ISO date) excludes later purchases."""
    return match_many(conn, [(gun, recovered)])[0]


def match_many(conn: Connection, wanted: Sequence[tuple[Firearm, str]]) -> list[Match]:
    """``match`` for each (gun, recovery date), with the index look-ups batched."""
    readings = [read_serial(g.serial, g.serial_partial) for g, _ in wanted]
    found = _candidates(conn, readings, [make_key(g.make) for g, _ in wanted])
    return [
        _rank(gun, reading, rows, recovered)
        for (gun, recovered), reading, rows in zip(wanted, readings, found, strict=True)
    ]


def _rank(
    gun: Firearm, reading: Reading, rows: list[dict[str, Any]] | None, recovered: str
) -> Match:
    if not reading.prefix or (reading.partial and len(reading.prefix) < MIN_LEGIBLE):
        return Match("no_record", 0.0, [], [_why("serial_unreadable")])
    if rows is None:
        return Match("partial", 0.0, [], [_why("serial_too_vague", count=MAX_BLOCK + 1)])
    read_text = reading.prefix
    groups: dict[tuple[str, str], Candidate] = {}
    # Rows share descriptions (and a partial reading scores by length only): each
    # distinct one is weighed once — a vague prefix can bring two thousand rows.
    adjusted: dict[tuple[str, str, str, str], tuple[float | None, list[dict[str, Any]]]] = {}
    partial: dict[int, tuple[float, dict[str, Any]] | None] = {}
    excluded = 0
    for row in rows:
        if reading.partial:
            size = len(row["serial_key"])
            if size not in partial:
                partial[size] = _serial_score(reading, read_text, row)
            scored = partial[size]
        else:
            scored = _serial_score(reading, read_text, row)
        if scored is None:
            continue
        desc = (row["caliber_key"], row["type_key"], row["model"], row["country"])
        if desc not in adjusted:
            extra: list[dict[str, Any]] = []
            adjusted[desc] = (_adjust(gun, row, extra), extra)
        delta, extra = adjusted[desc]
        reasons = [scored[1], *extra]
        if delta is None or row["purchase_date"] > recovered:
            excluded += 1
            continue
        key = (row["make_key"], row["serial_key"])
        cand = Candidate(row, max(0.0, min(1.0, scored[0] + delta)), reasons)
        old = groups.get(key)
        if old is None:
            groups[key] = cand
            continue
        first = cand if row["purchase_date"] < old.gun["purchase_date"] else old
        first.score, first.sales = max(cand.score, old.score), old.sales + 1
        groups[key] = first
    ranked = sorted(groups.values(), key=lambda c: (-c.score, c.gun["purchase_date"]))
    notes = [_why("excluded", count=excluded)] if excluded else []
    if not ranked:
        return Match("no_record", 0.0, [], notes or [_why("no_candidate")])
    confidence = ranked[0].score
    if len(ranked) > 1 and ranked[1].score >= confidence - AMBIGUITY:
        confidence = min(confidence, THRESHOLD - AMBIGUITY)
        notes.append(_why("ambiguous", count=len(ranked)))
    if confidence >= THRESHOLD:
        return Match(
            "completed", round(confidence, 3), ranked[:MAX_CANDIDATES], ranked[0].reasons + notes
        )
    return Match("partial", round(confidence, 3), ranked[:MAX_CANDIDATES], notes)
