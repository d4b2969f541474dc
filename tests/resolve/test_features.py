"""Features: OCR folding, one-edit keys, partial and swapped dates, phones, columns."""

from __future__ import annotations

from puente.resolve.features import COLUMNS, GROUPS, deletions, extract, fold_id, group_of


def test_ocr_lookalikes_fold_to_one_key() -> None:
    assert fold_id("A8O-l23") == fold_id("ABO123") == fold_id("a b 0 1 2 3")


def test_one_edit_shares_a_deletion_key() -> None:
    base = set(deletions(["LE0123456"]) or [])
    assert base & set(deletions(["LE012345"]) or [])  # last character missing
    assert base & set(deletions(["LE0123457"]) or [])  # one misread
    assert base & set(deletions(["LE0213456"]) or [])  # adjacent swap
    assert not base & set(deletions(["XY9876543"]) or [])


def test_dates_partial_and_swapped() -> None:
    full = extract("Person", {"name": ["Ana Ruiz"], "birthDate": ["1979-03-04"]})
    assert (full["dob"], full["dob_swap"], full["dob_ym"], full["dob_y"]) == (
        "1979-03-04",
        "1979-04-03",
        "1979-03",
        "1979",
    )
    partial = extract("Person", {"name": ["Ana Ruiz"], "birthDate": ["1979"]})
    assert partial["dob"] is None and partial["dob_y"] == "1979"


def test_phones_in_both_formats_match() -> None:
    a = extract("Person", {"name": ["A B"], "phone": ["+52 55 1234 5678"]})
    b = extract("Person", {"name": ["A B"], "phone": ["(55) 1234-5678"]})
    assert a["phones"] == b["phones"]


def test_explicit_parts_win_and_aliases_are_collected() -> None:
    row = extract(
        "Person",
        {
            "name": ["José Luis Ramírez Ochoa alias El Güero"],
            "firstName": ["José Luis"],
            "fatherName": ["Ramírez"],
            "motherName": ["Ochoa"],
            "alias": ["Güerito"],
        },
    )
    assert row["sur_key"] == "ochoa ramirez" and row["given1"] == "jose"
    assert row["aliases"] == ["guerito", "guero"]


def test_every_group_yields_its_columns() -> None:
    samples = {
        "Organization": {"name": ["Transportes del Norte S.A. de C.V."], "taxNumber": ["TNO-0101"]},
        "Firearm": {"make": ["Colt"], "serialNumber": ["LE0123456"]},
        "Vehicle": {"registrationNumber": ["ABC-123-D"], "model": ["Tacoma"]},
        "Vessel": {"name": ["Lupita"], "imoNumber": ["IMO 9074729"]},
        "Person": {"name": ["Ana Ruiz"]},
    }
    for group, props in samples.items():
        assert tuple(extract(group, props)) == COLUMNS[group]
        assert group_of(GROUPS[group][0]) == group
    org = extract("Organization", samples["Organization"])
    assert org["name_key"] == "transportes del norte"
    assert extract("Vessel", samples["Vessel"])["imo"] == "9074729"
