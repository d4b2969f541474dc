"""Ingest: every row validated, nothing half-written, no duplicates on reload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from puente.errors import InvalidFile, InvalidInput, PayloadTooLarge
from puente.ingest import load_file
from puente.node import Node
from puente.store import records
from puente.store.partners import add_partner
from tests.mappings import acquisition_mapping

MAPPING = acquisition_mapping()
HEADER = "folio,buyer_id,comprador,nacimiento,marca,serie,fecha\n"
ROW1 = "F1,B1,José Luis Ramírez Ochoa,04/07/1980,Colt,LW1234,2021-03-02\n"
ROW2 = "F2,B2,María Guadalupe Núñez de la Torre,31/12/1975,Barrett,AA0099,2021-04-10\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_bytes(content)
    return path


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    return write(tmp_path, "map.yaml", MAPPING)


def count(node: Node) -> tuple[int, int, int]:
    with node.read() as conn:
        return (
            records.count(conn),
            conn.execute(text("SELECT COUNT(*) FROM record_versions")).scalar_one(),
            conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one(),
        )


def test_csv_with_mapping_creates_linked_records(node: Node, tmp_path: Path, mapping: Path) -> None:
    report = load_file(node, write(tmp_path, "a.csv", HEADER + ROW1 + ROW2), mapping=mapping)
    assert (report.rows, report.created, report.rejected) == (2, 6, 0)
    assert report.markings_source == {"file": 2}
    with node.read() as conn:
        sale = records.get(conn, "mex-sale-" + __import__("hashlib").sha1(b"F1").hexdigest())
        assert sale.markings.classification == "confidential"
        buyer = records.get(conn, sale.properties["purchaser"][0])
    assert buyer.properties["birthDate"] == ["1980-07-04"]


def test_loading_the_same_file_twice_creates_no_duplicates(
    node: Node, tmp_path: Path, mapping: Path
) -> None:
    path = write(tmp_path, "a.csv", HEADER + ROW1 + ROW2)
    load_file(node, path, mapping=mapping)
    before = count(node)
    again = load_file(node, path, mapping=mapping)
    assert again.created == again.changed == 0 and again.unchanged == 6
    after = count(node)
    assert after[:2] == before[:2]  # only the audit log grows (the load itself is audited)


def test_markings_precedence_and_report(node: Node, tmp_path: Path) -> None:
    lines = [
        {"id": "a", "schema": "Person", "properties": {"name": ["A"]}},
        {
            "id": "b",
            "schema": "Person",
            "properties": {"name": ["B"]},
            "markings": {
                "classification": "public",
                "handling": "H0",
                "source_reliability": "A",
                "info_credibility": "1",
            },
        },
    ]
    path = write(tmp_path, "p.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    report = load_file(node, path)
    assert report.markings_source == {"default": 1, "file": 1}
    explicit = {
        "classification": "secret",
        "handling": "H2",
        "source_reliability": "B",
        "info_credibility": "3",
    }
    report = load_file(node, path, markings=explicit)
    assert report.markings_source == {"command_line": 2}
    with node.read() as conn:
        assert records.get(conn, "b").markings.classification == "secret"
        assert len(records.history(conn, "b")) == 2


def problems_of(node: Node, path: Path, **kw: Any) -> list[tuple[int, str, str]]:
    before = count(node)
    with pytest.raises(InvalidFile) as info:
        load_file(node, path, **kw)
    assert count(node) == before, "an invalid file must write nothing"
    return [(p.line, p.field, p.reason) for p in info.value.problems]


def test_wrong_column_count_and_bad_quoting(node: Node, tmp_path: Path, mapping: Path) -> None:
    body = (
        HEADER
        + ROW1
        + "F3,B3,Ana\n"
        + 'F4,B4,"Ana "Güera" López",01/01/1990,Colt,X1,2021-01-01\n'
        + ROW2
    )
    found = problems_of(node, write(tmp_path, "b.csv", body), mapping=mapping)
    assert (3, "", "wrong_column_count") in found
    assert any(line == 4 and reason == "bad_csv" for line, _, reason in found)


def test_invalid_utf8_is_reported_at_its_line(node: Node, tmp_path: Path, mapping: Path) -> None:
    latin1 = (HEADER + ROW1 + "F5,B5,Peña Nieto,01/01/1966,Colt,Z9,2021-01-01\n").encode("latin-1")
    path = write(tmp_path, "latin.csv", latin1)
    assert problems_of(node, path, mapping=mapping) == [
        (2, "", "bad_encoding"),
        (3, "", "bad_encoding"),
    ]
    report = load_file(node, path, mapping=mapping, encoding="latin-1")
    assert report.rejected == 0
    with node.read() as conn:
        hits = conn.execute(text("SELECT caption FROM records WHERE caption LIKE 'Pe%'")).all()
    assert hits == [("Peña Nieto",)]


def test_impossible_dates_unknown_schema_and_property(node: Node, tmp_path: Path) -> None:
    lines = [
        {"id": "a", "schema": "Person", "properties": {"name": ["A"], "birthDate": ["1990-02-30"]}},
        {"id": "b", "schema": "Dragon", "properties": {}},
        {"id": "c", "schema": "Person", "properties": {"name": ["C"], "wings": ["2"]}},
        {"id": "d", "schema": "Person", "properties": {"name": ["D"]}},
    ]
    path = write(tmp_path, "x.jsonl", "".join(json.dumps(x) + "\n" for x in lines) + "{not json\n")
    found = problems_of(node, path)
    assert (1, "birthDate", "bad_date") in found
    assert (2, "schema", "unknown_schema") in found
    assert (3, "wings", "unknown_property") in found
    assert any(line == 5 and reason == "bad_json" for line, _, reason in found)
    assert all(line != 4 for line, _, _ in found)


def test_missing_marking_and_release_to_unknown_partner(node: Node, tmp_path: Path) -> None:
    partial = {"classification": "restricted", "handling": "H0", "source_reliability": "B"}
    lines = [
        {"id": "a", "schema": "Person", "properties": {"name": ["A"]}, "markings": partial},
        {
            "id": "b",
            "schema": "Person",
            "properties": {"name": ["B"]},
            "markings": {**partial, "info_credibility": "2", "rel_to": ["GTM"]},
        },
    ]
    path = write(tmp_path, "m.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    found = problems_of(node, path)
    assert (1, "markings.info_credibility", "marking_missing") in found
    assert (2, "markings", "marking_unknown_partner") in found
    with pytest.raises(InvalidInput):  # on the command line: refused before reading
        load_file(node, path, markings={**partial, "info_credibility": "2", "rel_to": ["GTM"]})
    with node.write() as conn:
        add_partner(conn, "GT", "https://gt.example", node.public_key)
    assert (
        load_file(
            node, path, markings={**partial, "info_credibility": "2", "rel_to": ["GTM"]}
        ).created
        == 2
    )


def test_duplicate_id_with_different_content(node: Node, tmp_path: Path) -> None:
    same = {"id": "a", "schema": "Person", "properties": {"name": ["A"]}}
    other = {"id": "a", "schema": "Person", "properties": {"name": ["Other"]}}
    path = write(tmp_path, "d.jsonl", "".join(json.dumps(x) + "\n" for x in [same, same, other]))
    assert problems_of(node, path) == [(3, "id", "duplicate_id_conflict")]
    ok = write(tmp_path, "ok.jsonl", "".join(json.dumps(x) + "\n" for x in [same, same]))
    assert load_file(node, ok).created == 1


def test_skip_invalid_writes_valid_rows_and_a_rejects_file(
    node: Node, tmp_path: Path, mapping: Path
) -> None:
    path = write(
        tmp_path, "s.csv", HEADER + ROW1 + "F3,B3,Ana,31/02/1990,Colt,X,2021-01-01\n" + ROW2
    )
    report = load_file(node, path, mapping=mapping, skip_invalid=True)
    assert (report.created, report.rejected) == (6, 1)
    assert report.rejects_file is not None
    rejects = [json.loads(line) for line in Path(report.rejects_file).read_text().splitlines()]
    assert rejects[0]["line"] == 3 and rejects[0]["row"]["folio"] == "F3"
    assert rejects[0]["problems"][0]["reason"] == "bad_date"


def test_oversized_file_is_refused_before_anything_is_read(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:  # 200 MB, sparse: costs no disk
        fh.truncate(200 * 1024 * 1024)
    before = count(node)
    with pytest.raises(PayloadTooLarge) as info:
        load_file(node, path, max_bytes=100 * 1024 * 1024)
    assert info.value.params["size"] == 200 * 1024 * 1024
    assert count(node) == before
    assert (
        load_file(
            node,
            write(
                tmp_path, "ok.jsonl", '{"id":"z","schema":"Person","properties":{"name":["Z"]}}\n'
            ),
        ).created
        == 1
    )


def test_csv_requires_a_mapping_and_unknown_formats_are_named(node: Node, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        load_file(node, write(tmp_path, "a.csv", HEADER + ROW1))
    assert info.value.key == "error.csv_needs_mapping"
    with pytest.raises(InvalidInput) as info:
        load_file(node, write(tmp_path, "a.xlsx", "x"))
    assert info.value.key == "error.unknown_format"


def test_ftm_json_array(node: Node, tmp_path: Path) -> None:
    data = [
        {"id": "v1", "schema": "Vessel", "properties": {"name": ["La Niña"], "mmsi": ["345123456"]}}
    ]
    assert load_file(node, write(tmp_path, "v.json", json.dumps(data))).created == 1


def test_json_lines_orjson_refuses_are_read_as_json_reads_them(node: Node, tmp_path: Path) -> None:
    # 31-digit numbers (an unquoted serial) are beyond orjson; ``json`` takes them, as
    # the reader always has, and the value is kept as written.
    path = tmp_path / "big.jsonl"
    path.write_text(
        '{"id": "g1", "schema": "Firearm", "properties": {"make": ["Colt"], "serialNumber": '
        "[1234567890123456789012345678901]}}\n"
        '{"id": "g2", "schema": "Firearm", "properties": {"make": ["Colt"]}\n',
        "utf-8",
    )
    assert [(line, reason) for line, _, reason in problems_of(node, path)] == [(2, "bad_json")]
    path.write_text(path.read_text("utf-8").splitlines()[0] + "\n", "utf-8")
    assert load_file(node, path).created == 1
    with node.read() as conn:
        gun = records.get(conn, "g1")
    assert gun.properties["serialNumber"] == ["1234567890123456789012345678901"]
