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
from puente.hitnohit.kernels import DATE, DIFFER, UNKNOWN, YEAR, relation
from puente.hitnohit.matcher import ClkMatcher
from puente.hitnohit.persons import PersonEncoder, dob_values
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


def _codes(people: list[Person]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    enc = PersonEncoder(keys.derive(b"k" * 32, "MEX", "USA", 1))
    codes = [enc.encode(p) for p in people]
    rows = np.array([c.row_ints() for c in codes], dtype=np.uint64)
    queries = np.array([c.query_ints() for c in codes], dtype=np.uint64)
    return pack([c.clk for c in codes], 128), rows, queries


def test_matcher_blocked_search_finds_what_exact_search_finds() -> None:
    prof = get_profile("person")
    rng = np.random.default_rng(0)
    people = []
    for i in range(3000):
        dob = f"19{rng.integers(40, 99)}-0{rng.integers(1, 9)}-1{rng.integers(0, 9)}"
        dob = dob if i % 10 else ("" if i % 20 else dob[:4])  # some without, some year only
        people.append(Person((f"n{rng.integers(1e6)}", f"x{rng.integers(1e6)}"), dob))
    rows, row_toks, _ = _codes(people)
    # the same people asked with no birth date, only the year, or day and month swapped
    asked = [
        Person(p.names, ["", p.dob[:4], p.dob[:5] + p.dob[8:] + p.dob[4:7]][i % 3])
        for i, p in enumerate(people[:60])
    ]
    queries, _, query_toks = _codes(asked)
    ids = [f"r{i}" for i in range(len(people))]
    m = ClkMatcher(128, prof.threshold, prof.rule)
    m.add(ids, rows, row_toks)
    m.compact()
    assert not m.exact_for(50_000)
    import puente.hitnohit.matcher as mm

    budget, mm.EXACT_BUDGET = mm.EXACT_BUDGET, 0
    try:
        blocked = m.search(queries, query_toks, 3)
    finally:
        mm.EXACT_BUDGET = budget
    exact = m.search(queries, query_toks, 3)
    assert blocked == exact
    assert [e[0] for e in exact] == ids[:60]
    m.remove(["r0"])
    assert m.search(queries[:1], query_toks[:1], 3) == [[]]
    m.add(["r0"], rows[:1], row_toks[:1])  # back, in the delta
    assert m.search(queries[:1], query_toks[:1], 3) == [["r0"]]


def test_birth_dates_decide_how_similar_names_must_be() -> None:
    prof = get_profile("person")
    assert prof.rule is not None
    owner = [
        Person(("María Guadalupe", "Hernández López"), "1985-04-12", "female", "mx",
               surname="Hernández López"),
        Person(("Carlos Alberto", "Rangel"), "1990-03-03", surname="Rangel"),
        Person(("Carlos Alberto", "Alvarado"), "", surname="Alvarado"),
    ]  # fmt: skip
    rows, row_toks, _ = _codes(owner)
    m = ClkMatcher(128, prof.threshold, prof.rule)
    m.add(["p1", "p2", "p3"], rows, row_toks)
    asked = [
        Person(("MARIA GUADALUPE", "HERNANDEZ"), "1985-12-04", surname="HERNANDEZ"),  # swap
        Person(("Maria Guadalupe Hernandez Lopez",), "1985-04-13"),  # another day: never
        Person(("Maria Guadalupe Hernandez Lopez",), "1985"),  # the year agrees
        Person(("Maria Guadalupe Hernandez Lopez",), "1986"),  # it does not
        Person(("Guadalupe Hernandes",), "1985-04-12"),  # same date: weak names are enough
        Person(("Guadalupe Hernandes",), ""),  # no date: they are not
        # no date: the kept surname must be the first one
        Person(("Carlos Alberto", "Alvarado Rangel"), "", surname="Alvarado Rangel"),
        Person(("Carlos Alberto", "Rangel Alvarado"), "", surname="Rangel Alvarado"),
    ]
    queries, _, query_toks = _codes(asked)
    assert m.search(queries, query_toks, 3) == [
        ["p1"], [], ["p1"], [], ["p1"], [], ["p3"], ["p2"]
    ]  # fmt: skip


def test_identifiers_move_the_bar_for_names() -> None:
    """A shared passport or phone lets weaker names hit; a phone (or passport) on both
    sides that differs asks more of them; dates that disagree still never hit."""
    prof = get_profile("person")
    owner = [
        Person(("Yolanda", "Ávalos Rivera"), "", "female", surname="Ávalos Rivera",
               phone="+52 656 123 4567"),
        Person(("Carlos Alberto", "Alvarado Rangel"), "", surname="Alvarado Rangel",
               passport="N7654321"),
        Person(("Carlos Alberto", "Alvarado Rangel"), "1971-02-03", surname="Alvarado Rangel",
               passport="G1112223"),
    ]  # fmt: skip
    rows, row_toks, _ = _codes(owner)
    m = ClkMatcher(128, prof.threshold, prof.rule)
    m.add(["yolanda", "carlos", "carlos-dated"], rows, row_toks)
    asked = [
        Person(("Yolanda", "Avalos Rivero"), "", "female"),  # names alone (≈ 0.88): a hit
        Person(("Yolanda", "Avalos Rivero"), "", "female", phone="656 999 8877"),  # not now
        Person(("Yolanda", "Avalos Rivero"), "", "female", phone="(656) 123-4567"),  # again
        Person(("Carlos Alvarado",), ""),  # ≈ 0.77 without a date: no hit
        Person(("Carlos Alvarado",), "", passport="n765 4321"),  # the passport agrees
        Person(("Juan Perez",), "", passport="N7654321"),  # a passport is not a name
        Person(("Carlos Alvarado",), "1980-01-01", passport="G1112223"),  # dates differ
    ]
    queries, _, query_toks = _codes(asked)
    expected = [["yolanda"], [], ["yolanda"], [], ["carlos"], [], []]
    assert m.search(queries, query_toks, 3) == expected
    # blocked: the passport token itself gathers the row (the names share no LSH band)
    import puente.hitnohit.matcher as mm

    m.compact()
    budget, mm.EXACT_BUDGET = mm.EXACT_BUDGET, 0
    try:
        assert m.search(queries, query_toks, 3) == expected
    finally:
        mm.EXACT_BUDGET = budget
    enc = PersonEncoder(keys.derive(b"k" * 32, "MEX", "USA", 1))
    code = enc.encode(asked[4])
    assert set(code.ids()) == {"passport"} and code.query_ints()[3] != 0
    # keys of their own: a person's passport token is not the passport query's digest
    assert code.passport != value_digest(enc.keys, "passport", "N7654321")


def test_an_undated_duplicate_is_not_pushed_out_by_a_dated_one() -> None:
    """The runner-up rule compares names, not ranks: the owner's undated copy of the
    person asked about is a hit beside the dated one; a clearly weaker name is not."""
    prof = get_profile("person")
    owner = [
        Person(("Rosa", "Méndez Ortiz"), "1979-06-01", surname="Méndez Ortiz"),
        Person(("Rosa", "Mendez Ortiz"), "", surname="Mendez Ortiz"),
        Person(("Rosa Elena", "Mendes"), "", surname="Mendes"),
    ]
    rows, row_toks, _ = _codes(owner)
    m = ClkMatcher(128, prof.threshold, prof.rule)
    m.add(["dated", "undated", "other"], rows, row_toks)
    queries, _, query_toks = _codes(
        [Person(("Rosa", "Méndez Ortiz"), "1979-06-01", surname="Méndez Ortiz")]
    )
    assert m.search(queries, query_toks, 3) == [["dated", "undated"]]


def test_birth_date_tokens_and_relation() -> None:
    assert dob_values("1985-04-12") == {
        "year": "1985", "date": "1985-04-12", "swap": "1985-12-04"
    }  # fmt: skip
    assert dob_values("1985-04-04") == {"year": "1985", "date": "1985-04-04"}
    assert dob_values("1985-04-13") == {"year": "1985", "date": "1985-04-13"}
    assert dob_values("1985") == {"year": "1985"} and dob_values("") == {}
    y, d, s, other = (np.uint64(v) for v in (1, 2, 3, 4))
    zero = np.uint64(0)
    assert relation(y, d, s, y, d) == DATE and relation(y, d, s, y, s) == DATE
    assert relation(y, d, s, y, other) == DIFFER and relation(y, d, s, other, zero) == DIFFER
    assert relation(y, zero, zero, y, d) == YEAR and relation(y, d, s, y, zero) == YEAR
    assert relation(zero, zero, zero, y, d) == UNKNOWN == relation(y, d, s, zero, zero)


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


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"type": "person", "clk": "00" * 128, "ids": {"ssn": "a" * 64}}, "ids"),
        ({"type": "person", "clk": "00" * 128, "ids": ["a" * 64]}, "ids"),
        ({"type": "person", "clk": "00" * 128, "ids": {"phone": "xyz"}}, "digest"),
        ({"type": "person", "clk": "00" * 128, "dob": {"year": 1985}}, "digest"),
    ],
)
def test_a_malformed_person_item_is_refused_with_its_reason(
    item: dict[str, object], reason: str
) -> None:
    from puente.hitnohit.answer import parse_items

    with pytest.raises(InvalidInput) as err:
        parse_items({"items": [item]})
    assert err.value.params["reason"] == reason


def test_a_person_item_carries_its_identifier_tokens() -> None:
    from puente.hitnohit.answer import parse_items

    item = {"type": "person", "clk": "00" * 128, "ids": {"passport": "ab" * 32}}
    (parsed,) = parse_items({"items": [item]})
    assert parsed.ids[0] == int("ab" * 8, 16) and parsed.ids[1] == 0
