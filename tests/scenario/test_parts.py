"""The generator's parts: identifiers follow the official rules, noise has the promised
shape and rates, record ids are unique."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from puente.model.normalize import phone_key
from puente.scenario import identifiers as ids
from puente.scenario.names import NameHabits, PersonName, render_mx, render_us
from puente.scenario.noise import ocr, partial, serial_observed, strip_accents
from puente.scenario.writer import scramble


def test_curp_follows_the_renapo_rules() -> None:
    rng = random.Random(1)
    value = ids.curp("José Luis", "de la Cruz", "Núñez", date(1985, 3, 9), "male", "SL", rng)
    # CR (de la Cruz: particles skipped, first inner vowel U) + N + L (José skipped)
    assert value[:4] == "CUNL" and value[4:10] == "850309" and value[10:13] == "HSL"
    assert value[13:16] == "RXS"  # inner consonants: cRuz, nÑ→X, luiS
    assert value[16].isdigit()  # born before 2000
    assert ids.curp_check_digit(value[:17]) == value[17]
    born_2001 = ids.curp("María", "López", "", date(2001, 1, 2), "female", "DF", rng)
    assert born_2001[:4] == "LOXM" and born_2001[10] == "M" and born_2001[16].isalpha()


def test_phones_in_every_format_share_one_search_key() -> None:
    rng = random.Random(2)
    digits = ids.phone_number("667", rng)
    assert len(digits) == 10 and digits.startswith("667")
    mx = {ids.format_mx_phone(digits, rng) for _ in range(200)}
    assert len(mx) >= 5 and {phone_key(p) for p in mx} == {"T" + digits}
    us_digits = ids.phone_number("915", rng)
    us = {ids.format_us_phone(us_digits, rng) for _ in range(200)}
    assert len(us) >= 5 and {phone_key(p) for p in us} == {"T" + us_digits}


def test_serial_errors_have_their_shape_and_rates() -> None:
    rng = random.Random(3)
    rates = (0.18, 0.12, 0.06)
    kinds: Counter[str] = Counter()
    for _ in range(20_000):
        serial = ids.serial_from("1-@@####-## RO", rng)
        seen, kind = serial_observed(serial, rng, rates)
        kinds[kind] += 1
        if kind == "exact":
            assert seen.replace("-", "").replace(" ", "") == serial.replace("-", "").replace(
                " ", ""
            )
        elif kind == "missing":
            assert seen == ""
        else:
            assert seen != serial
    for kind, rate in zip(("ocr", "partial", "missing"), rates, strict=True):
        assert abs(kinds[kind] / 20_000 - rate) < 0.012, kind
    assert ocr("O0O0", random.Random(4)) != "O0O0"
    cut = partial("AB123456", random.Random(5))
    assert "AB123456".startswith(cut.rstrip("*")) and cut != "AB123456"


def test_us_records_drop_hyphenate_and_strip_a_mexican_name() -> None:
    rng = random.Random(6)
    name = PersonName("María Guadalupe", "de la Peña", "Gómez", "female")
    habits = NameHabits(typo=0.0)
    us = [render_us(name, rng, habits) for _ in range(4000)]
    last = Counter(r["lastName"].lower() for r in us)
    assert any("-" in k for k in last) and any("gomez" not in k and "gómez" not in k for k in last)
    assert any(k in ("delapeña", "delapena") for k in last)
    assert any(r.get("middleName", "").lower() == "guadalupe" for r in us)
    mx = render_mx(name, rng, habits)
    assert mx["lastName"].lower() == "de la peña gómez" or mx["lastName"] == "de la Peña"
    assert strip_accents("Peña Gómez") == "Pena Gomez"


def test_record_ids_never_collide() -> None:
    values = {scramble(n, 0x5EED) for n in range(1, 200_001)}
    assert len(values) == 200_000
    assert sorted(values)[:3] != [1, 2, 3]
