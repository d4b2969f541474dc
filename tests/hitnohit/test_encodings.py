"""Encodings without a node: serial folding and one-edit neighbourhoods, pair keys,
CLK similarity and hardening, the matcher's blocked search, the attack."""

from __future__ import annotations

import numpy as np
import pytest

from puente.errors import InvalidInput
from puente.hitnohit import keys
from puente.hitnohit.attack import label, mine, reidentify
from puente.hitnohit.clk import Encoder, Person, get_profile, pack
from puente.hitnohit.identifiers import firearm_digests, value_digest
from puente.hitnohit.matcher import ClkMatcher
from puente.hitnohit.serials import normalise_make, serial_key, serial_variants, serials_near


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("TB55743", "tb-557 43", True),  # separators and case
        ("TB55743", "T855743", True),  # B/8 look-alike
        ("IO12345", "10I2345", True),  # I/1, O/0
        ("TB55743", "TB5743", True),  # a dropped character
        ("TB55743", "TB557743", True),  # a doubled character
        ("TB55743", "TB55734", True),  # adjacent transposition
        ("TB55743", "TB56843", False),  # two substitutions
        ("SV8", "5V8", True),  # short, look-alike only
        ("SV8", "SV9", False),  # short serials get no one-edit tolerance
        ("", "X", False),
    ],
)
def test_serials_near(a: str, b: str, near: bool) -> None:
    assert serials_near(a, b) is near


def test_serial_variants_and_makes() -> None:
    assert serial_key("ab-0O1il") == "A800111"
    assert serial_variants("ABCDE")[0] == "ABCDE" and len(serial_variants("ABCDE")) == 6
    assert serial_variants("AAAAA") == ["AAAAA", "AAAA"]
    for make in ("Smith & Wesson", "S&W", "SMITH AND WESSON", "smith&wesson inc."):
        assert normalise_make(make) == "SMITHWESSON"
    assert normalise_make("Sturm, Ruger & Co.") == "RUGER"


def test_pair_keys_agree_and_differ_by_pair_epoch_and_type(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = keys.x25519_private(tmp_path / "a"), keys.x25519_private(tmp_path / "b")
    ka = keys.derive(keys.x25519_ikm(a, keys.x25519_public_b64(b)), "MEX", "USA", 1)
    kb = keys.derive(keys.x25519_ikm(b, keys.x25519_public_b64(a)), "USA", "MEX", 1)
    assert ka == kb
    assert ka.identifier_key("phone") != ka.identifier_key("passport")
    assert (
        keys.derive(b"x" * 32, "MEX", "USA", 2).root != keys.derive(b"x" * 32, "MEX", "USA", 1).root
    )
    assert (
        keys.derive(b"x" * 32, "MEX", "GTM", 1).root != keys.derive(b"x" * 32, "MEX", "USA", 1).root
    )
    with pytest.raises(InvalidInput):
        keys.parse_secret("abcd")


def test_identifier_digests() -> None:
    k = keys.derive(b"s" * 32, "MEX", "USA", 1)
    assert value_digest(k, "phone", "+52 55 1234 5678") == value_digest(
        k, "phone", "(55) 1234-5678"
    )
    padded = firearm_digests(k, "TB55743", "S&W", pad=True)
    assert len(padded) == 33 and len(set(padded)) == 33
    plain = firearm_digests(k, "T855743", "Smith & Wesson", pad=False)
    assert set(plain) & set(padded)
    assert not set(firearm_digests(k, "TB55743", "Glock", pad=False)) & set(padded)
    with pytest.raises(InvalidInput):
        value_digest(k, "phone", "12")


def _dice(a: bytes, b: bytes) -> float:
    x, y = np.unpackbits(np.frombuffer(a, np.uint8)), np.unpackbits(np.frombuffer(b, np.uint8))
    return float(2 * (x & y).sum() / (x.sum() + y.sum()))


def test_clk_similarity_survives_hardening() -> None:
    prof = get_profile("person")
    for harden in (True, False):
        enc = Encoder(b"k" * 32, prof, harden=harden)
        a = enc.encode(Person(("María Guadalupe", "Hernández López"), "1985-04-12", "female", "mx"))
        b = enc.encode(Person(("MARIA GUADALUPE HERNANDEZ",), "1985-04-12", "F"))
        c = enc.encode(Person(("John", "Smith"), "1970-01-01", "male", "us"))
        assert len(a) == 128
        assert _dice(a, b) > prof.threshold > _dice(a, c)
    other_pair = Encoder(b"j" * 32, prof).encode(Person(("John", "Smith"), "1970-01-01"))
    assert (
        _dice(other_pair, Encoder(b"k" * 32, prof).encode(Person(("John", "Smith"), "1970-01-01")))
        < 0.7
    )


def test_matcher_blocked_search_finds_what_exact_search_finds() -> None:
    prof = get_profile("person")
    enc = Encoder(b"k" * 32, prof)
    rng = np.random.default_rng(0)
    names = [
        (
            f"n{rng.integers(1e6)} x{rng.integers(1e6)}",
            f"19{rng.integers(40, 99)}-0{rng.integers(1, 9)}-1{rng.integers(0, 9)}",
        )
        for _ in range(3000)
    ]
    rows = pack([enc.encode(Person((n,), d)) for n, d in names], 128)
    ids = [f"r{i}" for i in range(len(names))]
    m = ClkMatcher(128, prof.threshold)
    m.add(ids, rows, [[] for _ in ids])
    m.compact()
    queries = rows[:50]
    assert not m.exact_for(50_000)
    import puente.hitnohit.matcher as mm

    budget, mm.EXACT_BUDGET = mm.EXACT_BUDGET, 0
    try:
        blocked = m.search(queries, [[] for _ in range(50)], 3)
    finally:
        mm.EXACT_BUDGET = budget
    exact = m.search(queries, [[] for _ in range(50)], 3)
    assert [b[0] for b in blocked] == [e[0] for e in exact] == ids[:50]
    m.remove(["r0"])
    assert m.search(queries[:1], [[]], 3) == [[]]
    m.add(["r0"], rows[:1], [[]])  # back, in the delta
    assert m.search(queries[:1], [[]], 3) == [["r0"]]


def test_attack_breaks_plain_encodings_more_than_hardened_ones() -> None:
    prof = get_profile("person")
    rng = np.random.default_rng(1)
    firsts = ["maria", "jose", "juan", "ana", "luis", "carmen", "pedro", "rosa", "jorge", "elena"]
    lasts = ["garcia", "lopez", "perez", "sanchez", "ramirez", "torres", "flores", "rivera"]
    weights = np.linspace(3, 1, len(firsts)) / np.linspace(3, 1, len(firsts)).sum()
    people = [
        Person(
            (str(rng.choice(firsts, p=weights)), str(rng.choice(lasts))),
            f"19{rng.integers(50, 99)}-0{rng.integers(1, 9)}-1{rng.integers(0, 9)}",
        )
        for _ in range(3000)
    ]
    rates = {}
    for harden in (False, True):
        enc = Encoder(b"k" * 32, prof, harden=harden)
        bits = np.array([enc.bits_of(p) for p in people])
        guesses = reidentify(bits, people, prof, mine(bits, people, prof))
        rates[harden] = sum(g == label(p) for g, p in zip(guesses, people, strict=True)) / len(
            people
        )
    assert rates[True] < rates[False]
