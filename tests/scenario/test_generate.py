"""The generator's contract: byte-identical output per seed, valid records that reference
only their own node, truth covering every record, a manifest that checks out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from puente.errors import Conflict, InvalidInput
from puente.model.markings import Markings
from puente.model.record import _props, validate_entity
from puente.scenario import Manifest, generate
from puente.scenario.truth import file_sha256
from tests.scenario.conftest import SIZE, Scenario

OWN = {"mx": ("MEX", "USA"), "us": ("USA", "MEX")}


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 2_000, 11)
    second = generate(tmp_path / "b", 2_000, 11)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert first == second
    other = generate(tmp_path / "c", 2_000, 12)
    assert other.files["mx/persons.jsonl"] != first.files["mx/persons.jsonl"]


def test_size_is_reached_and_counted(scenario: Scenario) -> None:
    m = scenario.manifest
    assert SIZE <= m.records < SIZE + 200  # stops after the life that crosses the size
    assert sum(m.counts.values()) == m.records
    for path, lines in m.counts.items():
        with (scenario.out / path).open("rb") as fh:
            assert sum(1 for _ in fh) == lines


def test_manifest_lists_the_sha256_of_every_file(scenario: Scenario) -> None:
    m = Manifest.read(scenario.out)
    assert m == scenario.manifest
    on_disk = {
        str(p.relative_to(scenario.out))
        for p in scenario.out.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert set(m.files) == on_disk
    for path, digest in m.files.items():
        assert file_sha256(scenario.out / path) == digest
    assert m.parameters["size"] == SIZE and m.versions["faker"]


@pytest.mark.parametrize("node", ["mx", "us"])
def test_every_record_is_valid_and_references_its_own_node(scenario: Scenario, node: str) -> None:
    own, partner = OWN[node]
    ids: set[str] = set()
    refs: list[str] = []
    for raw in scenario.records(node):
        rid, schema, props, problems = validate_entity(raw)
        assert problems == [], (raw, [p.to_dict() for p in problems])
        marks = Markings.parse(raw["markings"], originator=own, partners={partner})
        assert set(marks.rel_to) <= {partner}
        assert rid.startswith(f"{node}-") and rid not in ids
        ids.add(rid)
        specs = _props(schema)
        refs += [v for k, vs in props.items() if specs[k].type == "entity" for v in vs]
    assert refs and set(refs) <= ids


def test_truth_covers_every_person_firearm_and_vessel_record(scenario: Scenario) -> None:
    schemata = {"persons": "Person", "firearms": "Firearm", "vessels": "Vessel"}
    for truth_file, schema in schemata.items():
        truth_ids = Counter(row["record_id"] for row in scenario.truth(truth_file))
        records = {rid for rid, r in scenario.by_id.items() if r["schema"] == schema}
        assert set(truth_ids) == records, truth_file
        assert max(truth_ids.values()) == 1
        for row in scenario.truth(truth_file):
            assert row["record_id"].startswith(row["node"] + "-")
    people = scenario.people
    assert all(row["person_id"] in people for row in scenario.truth("persons"))


def test_refuses_bad_arguments_and_a_used_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        generate(tmp_path / "x", 10, 1)
    assert exc.value.key == "scenario.bad_size"
    with pytest.raises(InvalidInput):
        generate(tmp_path / "x", 2_000, -1)
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    with pytest.raises(Conflict):
        generate(used, 1_000, 1)
    generate(used, 1_000, 1, overwrite=True)
    assert (used / "notes.txt").read_text() == "mine"  # only our sub-directories replaced
    assert (used / "truth" / "manifest.json").is_file()
