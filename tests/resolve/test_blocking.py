"""Blocking keys at scale: a key shared by more records than the cap is dropped and its
refined keys (``profiles.refined``) stand in for it, the same in the in-memory path
(``model.key_table``) and the streamed full run (``Workspace.index_keys``)."""

from __future__ import annotations

from pathlib import Path

from puente.resolve.features import Row, extract
from puente.resolve.model import key_table
from puente.resolve.profiles import PROFILES, parent_of, refined
from puente.resolve.workspace import Workspace
from tests.resolve.test_pipeline import SMALL

PERSON = PROFILES["Person"]
GIVEN = ["Ana", "Beatriz", "Carlos", "Diego", "Elena", "Fernando"]


def _born_same_day(n: int) -> list[Row]:
    """``n`` different people born the same day: given names cycling through six
    initials, every surname different."""
    return [
        extract(
            "Person",
            {
                "firstName": [GIVEN[i % len(GIVEN)]],
                "lastName": [f"Apellido{chr(97 + i % 26)}{chr(97 + i // 26)} Segundo{i}"],
                "birthDate": ["1980-03-14"],
            },
        )
        for i in range(n)
    ]


def test_refined_keys_name_their_parent() -> None:
    key = refined("d:1980-03-14", "g:a")
    assert parent_of(key) == "d:1980-03-14"
    assert parent_of("d:1980-03-14") is None
    assert parent_of(refined("a:el|guero", "y:1980")) == "a:el|guero"


def test_a_crowded_key_gives_way_to_its_refinements() -> None:
    rows = _born_same_day(24)  # 4 per given initial
    crowded = [set(ks) for ks in key_table(PERSON, rows, cap=10)]
    assert not any("d:1980-03-14" in ks for ks in crowded)
    by_initial = [{k for k in ks if k.startswith("+d:1980-03-14|g:")} for ks in crowded]
    assert all(len(ks) == 1 for ks in by_initial)
    assert by_initial[0] == by_initial[6] != by_initial[1]  # same initial, same key
    roomy = [set(ks) for ks in key_table(PERSON, rows, cap=30)]
    assert all("d:1980-03-14" in ks for ks in roomy)
    assert not any(k.startswith("+") for ks in roomy for k in ks)


def test_a_refinement_over_the_cap_is_dropped_too() -> None:
    rows = _born_same_day(24)
    tight = key_table(PERSON, rows, cap=3)
    assert not any(k.startswith(("d:", "+d:1980-03-14|g:")) for ks in tight for k in ks)


def test_full_run_keeps_the_same_keys_as_the_in_memory_path(tmp_path: Path) -> None:
    rows = _born_same_day(24) + _born_same_day(5)
    for cap in (3, 10, 40):
        expected = {
            (str(i), k) for i, ks in enumerate(key_table(PERSON, rows, cap=cap)) for k in ks
        }
        with Workspace(tmp_path / str(cap), PERSON, SMALL) as ws:
            ws.add([(str(i), 1, r) for i, r in enumerate(rows)])
            ws.index_keys(cap)
            got = {(rid, k) for batch in ws.stored_keys() for k, rid in batch}
        assert got == expected, cap
