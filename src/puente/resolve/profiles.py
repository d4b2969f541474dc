"""What each kind of entity is compared on: comparisons, blocking keys, training rules.

Invariant: one ``Profile`` per resolution group (``features.GROUPS``), read by both the
batch run (Splink) and incremental resolution (Python): both find candidates through the
same ``block_keys`` and score with the same ``comparisons``. Starting m/u values are
domain priors (ids rarely coincide by chance: u ≈ 1e-5; nationality often does: u ≈ 0.4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from puente.resolve.comparisons import (
    Comparison,
    cross,
    exact,
    intersect,
    jw,
    null,
    other,
)
from puente.resolve.features import Row, sound

MISREAD = "one character missing, extra, misread or swapped"
SWAPPED = "given name and surname swapped"


@dataclass(frozen=True)
class Profile:
    group: str
    comparisons: tuple[Comparison, ...]
    block_keys: Callable[[Row], list[str]]
    em_rules: tuple[tuple[str, ...], ...]  # blocking rules for EM (scalar columns)
    deterministic: tuple[tuple[str, ...], ...]  # near-certain rules for the prior
    tf_columns: tuple[str, ...]


def _c(name: str, *levels: object) -> Comparison:
    return Comparison(name, tuple(levels))  # type: ignore[arg-type]


def _ids() -> Comparison:
    return _c(
        "ids",
        null("ids"),
        intersect("ids", 1, 0.85, 1e-5, "an identifier equal"),
        intersect("id_del", 1, 0.07, 1e-4, MISREAD),
        other(0.08, 0.999),
    )


def _flag(name: str, col: str, m: float, u: float) -> Comparison:
    return _c(name, null(col), exact(col, m, u), other(1 - m, 1 - u))


PERSON = (
    _c(
        "given",
        null("given1"),
        exact("given1", 0.55, 0.02, tf=True),
        intersect("givens", 1, 0.12, 0.01, "a given name shared"),
        jw("given1", 0.88, 0.1, 0.01),
        cross("given1", "sur1", 0.02, 2e-4, SWAPPED),
        exact("given_init", 0.13, 0.06, label="initials agree"),
        other(0.1, 0.9),
    ),
    _c(
        "surname",
        null("sur1"),
        exact("sur_key", 0.6, 0.001, tf=True),
        exact("sur1", 0.15, 0.003, tf=True, label="first surname equal, other dropped"),
        intersect("surnames", 1, 0.1, 0.003, "a surname shared (order swapped or dropped)"),
        jw("sur1", 0.9, 0.08, 0.005),
        cross("sur1", "given1", 0.02, 2e-4, SWAPPED),
        other(0.07, 0.99),
    ),
    _c(
        "alias",
        null("aliases"),
        intersect("aliases", 1, 0.7, 0.001, "an alias shared"),
        other(0.3, 0.999),
    ),
    _c(
        "dob",
        null("dob_y"),
        exact("dob", 0.8, 3e-4),
        cross("dob", "dob_swap", 0.03, 3e-4, "day and month swapped"),
        exact("dob_ym", 0.05, 2.5e-3, label="year and month equal (day differs)"),
        exact("dob_md", 0.03, 2.5e-3, label="month and day equal (year differs)"),
        exact("dob_y", 0.05, 0.05, label="year equal (partial date)"),
        other(0.04, 0.94),
    ),
    _ids(),
    _c(
        "phones",
        null("phones"),
        intersect("phones", 1, 0.7, 1e-4, "a phone shared"),
        other(0.3, 0.9999),
    ),
    _flag("country", "country", 0.95, 0.4),
    _c(
        "address",
        null("addr"),
        exact("addr", 0.5, 1e-4),
        jw("addr", 0.9, 0.3, 1e-3),
        other(0.2, 0.9989),
    ),
    _c(
        "postcode",
        null("postcode"),
        exact("postcode", 0.8, 0.01, tf=True),
        jw("postcode", 0.88, 0.1, 0.05),
        other(0.1, 0.94),
    ),
)


def refined(parent: str, suffix: str) -> str:
    """A narrower key standing in for ``parent`` where that one is a stop-word key.

    A key shared by more records than the cap pairs nobody (it would pair everyone), so
    at a few million records the date-of-birth and surname-and-year keys that carry
    recall at one million all overflow. Each such key also comes refined by one more
    field (``+parent|suffix``); a full run keeps a refined key only when its parent
    overflowed, so small groups block exactly as before and big ones keep the pairs
    the parent would have found among records that also agree on the suffix."""
    return f"+{parent}|{suffix}"


def parent_of(key: str) -> str | None:
    """The key a refined key narrows (``None`` for a plain key)."""
    return key[1 : key.rindex("|")] if key.startswith("+") else None


def _person_keys(r: Row) -> list[str]:
    year, init = r["dob_y"], r["given_init"]
    sur = sound(r["sur1"])
    keys: list[str] = []
    if r["name_key"]:
        keys.append(name := f"n:{r['name_key']}")
        if year:
            keys.append(refined(name, f"y:{year}"))
    keys += [f"i:{v}" for v in r["id_del"] or ()]
    keys += [f"p:{v}" for v in r["phones"] or ()]
    keys += [f"a:{v}" for v in r["aliases"] or ()]
    if r["dob"]:
        keys.append(born := f"d:{r['dob']}")
        keys += [refined(born, s) for s in (init and f"g:{init}", sur and f"s:{sur}") if s]
    for s in r["surnames"] or ():
        if year:
            keys.append(yk := f"y:{s}:{year}")
            if init:
                keys.append(refined(yk, f"g:{init}"))
        if init:
            keys.append(f"g:{s}:{init}")
    if r["sur1"] and init:
        keys.append(sk := f"m:{sur}:{init}")
        if year:
            keys.append(refined(sk, f"y:{year}"))
    if r["postcode"] and r["given1"]:
        keys.append(f"q:{r['postcode']}:{r['given1']}")
    return keys


ORGANIZATION = (
    _c(
        "name",
        null("name_key"),
        exact("name_key", 0.7, 1e-4, tf=True),
        jw("name_key", 0.92, 0.12, 1e-3),
        intersect("name_tokens", 2, 0.1, 2e-3),
        other(0.08, 0.997),
    ),
    _c("alias", null("aliases"), intersect("aliases", 1, 0.6, 1e-3), other(0.4, 0.999)),
    _ids(),
    _c("phones", null("phones"), intersect("phones", 1, 0.7, 1e-4), other(0.3, 0.9999)),
    _flag("country", "country", 0.95, 0.4),
    _c(
        "address",
        null("addr"),
        exact("addr", 0.5, 1e-4),
        jw("addr", 0.9, 0.3, 1e-3),
        other(0.2, 0.9989),
    ),
)


def _org_keys(r: Row) -> list[str]:
    keys = [f"n:{r['name_key']}"] if r["name_key"] else []
    keys += [f"t:{t}" for t in r["name_tokens"] or () if len(t) > 3]
    keys += [f"i:{v}" for v in r["id_del"] or ()]
    keys += [f"p:{v}" for v in r["phones"] or ()]
    return keys


FIREARM = (
    _c(
        "serial",
        null("serial"),
        exact("serial", 0.85, 1e-5),
        intersect("serial_del", 1, 0.1, 1e-4, MISREAD),
        other(0.05, 0.9999),
    ),
    _c(
        "make",
        null("make"),
        exact("make", 0.9, 0.1),
        jw("make", 0.85, 0.05, 0.02),
        other(0.05, 0.88),
    ),
    _c(
        "model",
        null("model"),
        exact("model", 0.8, 0.05),
        jw("model", 0.9, 0.1, 0.02),
        other(0.1, 0.93),
    ),
    _flag("caliber", "caliber", 0.9, 0.2),
    _flag("kind", "kind", 0.9, 0.3),
)


def _firearm_keys(r: Row) -> list[str]:
    s = r["serial"]
    if not s:
        return []
    return [f"s:{v}" for v in r["serial_del"] or ()]


VEHICLE = (
    _c(
        "plate",
        null("plate"),
        exact("plate", 0.85, 1e-5),
        intersect("plate_del", 1, 0.08, 1e-4, MISREAD),
        other(0.07, 0.9999),
    ),
    _c(
        "model",
        null("make_model"),
        exact("make_model", 0.8, 0.02),
        jw("make_model", 0.88, 0.1, 0.02),
        other(0.1, 0.96),
    ),
    _flag("kind", "kind", 0.9, 0.3),
    _flag("country", "country", 0.9, 0.5),
    _c("name", null("name_key"), exact("name_key", 0.8, 0.01), other(0.2, 0.99)),
)


def _vehicle_keys(r: Row) -> list[str]:
    return [f"p:{v}" for v in r["plate_del"] or ()]


VESSEL = (
    _c("imo", null("imo"), exact("imo", 0.9, 1e-5), other(0.1, 0.99999)),
    _c("mmsi", null("mmsi"), exact("mmsi", 0.85, 1e-5), other(0.15, 0.99999)),
    _c("call_sign", null("call_sign"), exact("call_sign", 0.85, 1e-4), other(0.15, 0.9999)),
    _c(
        "name",
        null("name_key"),
        exact("name_key", 0.75, 1e-3, tf=True),
        jw("name_key", 0.9, 0.15, 0.01),
        other(0.1, 0.989),
    ),
    _flag("flag", "flag", 0.8, 0.3),
)


def _vessel_keys(r: Row) -> list[str]:
    keys = [f"{k}:{r[c]}" for k, c in (("i", "imo"), ("m", "mmsi"), ("c", "call_sign")) if r[c]]
    return keys + ([f"n:{r['name_key']}"] if r["name_key"] else [])


PROFILES: dict[str, Profile] = {
    "Person": Profile(
        "Person",
        PERSON,
        _person_keys,
        (("dob",), ("sur1",)),
        (("ids",), ("name_key", "dob")),
        ("given1", "sur_key", "sur1", "postcode"),
    ),
    "Organization": Profile(
        "Organization",
        ORGANIZATION,
        _org_keys,
        (("country",), ("name_key",)),
        (("ids",), ("name_key", "country")),
        ("name_key",),
    ),
    "Firearm": Profile(
        "Firearm", FIREARM, _firearm_keys, (("make",), ("serial",)), (("serial", "make"),), ()
    ),
    "Vehicle": Profile(
        "Vehicle", VEHICLE, _vehicle_keys, (("plate",), ("kind",)), (("plate",),), ()
    ),
    "Vessel": Profile(
        "Vessel",
        VESSEL,
        _vessel_keys,
        (("imo",), ("name_key",)),
        (("imo",), ("mmsi",)),
        ("name_key",),
    ),
}
