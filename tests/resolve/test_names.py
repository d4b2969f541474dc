"""Spanish and US naming habits reduce to the same parts."""

from __future__ import annotations

import pytest

from puente.resolve.names import parse_person_name, split_aliases


@pytest.mark.parametrize(
    ("raw", "given", "surnames"),
    [
        ("JOSE LUIS RAMIREZ", ("jose", "luis"), ("ramirez",)),
        ("José Luis Ramírez Ochoa", ("jose", "luis"), ("ramirez", "ochoa")),
        ("J. L. Ramirez-Ochoa", ("j", "l"), ("ramirez", "ochoa")),
        ("RAMIREZ OCHOA, JOSE LUIS", ("jose", "luis"), ("ramirez", "ochoa")),
        ("RAMIREZ OCHOA JOSE LUIS", ("jose", "luis"), ("ramirez", "ochoa")),
        ("Juan de la Cruz", ("juan",), ("cruz",)),
        ("Chuy García", ("jesus",), ("garcia",)),
        ("Chema Pérez", ("jose", "maria"), ("perez",)),
    ],
)
def test_parts(raw: str, given: tuple[str, ...], surnames: tuple[str, ...]) -> None:
    parts = parse_person_name(raw)
    assert parts.given == given
    assert parts.surnames == surnames


def test_same_man_same_key_whatever_the_order() -> None:
    keys = {
        parse_person_name(n).key
        for n in ("José Luis Ramírez Ochoa", "RAMIREZ OCHOA, JOSE LUIS", "Ramirez Ochoa Jose Luis")
    }
    assert keys == {"jose luis ochoa ramirez"}


@pytest.mark.parametrize(
    "raw",
    [
        "José Luis Ramírez Ochoa alias El Güero",
        'José Luis Ramírez Ochoa a.k.a. "El Güero"',
        "José Luis Ramírez Ochoa (a) El Güero",
        "José Luis Ramírez Ochoa apodado El Güero",
    ],
)
def test_aliases_are_split_off(raw: str) -> None:
    parts = parse_person_name(raw)
    assert parts.aliases == ("guero",)
    assert parts.surnames == ("ramirez", "ochoa")


def test_no_alias() -> None:
    assert split_aliases("Ana Ruiz") == ("Ana Ruiz", [])
