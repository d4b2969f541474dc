"""Reported figures: a revision keeps both values and the history; the CBP encounters
export imports as monthly totals equal to a hand sum of the file; re-importing writes
nothing and a file with a bad row writes nothing at all."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from puente.coordinate import csvimport, indicators
from puente.coordinate.writes import snapshot
from puente.errors import InvalidFile, InvalidInput, NotFound
from puente.node import Node
from puente.store import records
from tests.conftest import SHARED
from tests.coordinate.helpers import SEC

CBP_FILE = SHARED / "data" / "cbp-southwest-border-encounters" / "sbo-encounters-fy22-fy25-aug.csv"


def _reported(node: Node, code: str = "SEIZ") -> str:
    rec = indicators.create_indicator(
        node, SEC, code=code, name_es="Armas aseguradas", name_en="Firearms seized",
        unit="firearms", kind="reported", periodicity="monthly", direction="increase",
        baseline=100, baseline_period="2024-12", target=150, target_period="2025-12",
    )  # fmt: skip
    return rec.id


def test_revision_keeps_both_values_and_the_history(node: Node) -> None:
    ind = _reported(node)
    first, old = indicators.record_observation(
        node, SEC, "SEIZ", "2025-03", 120, as_of="2025-04-05", source="SEDENA"
    )
    assert first is not None and old is None
    again, _ = indicators.record_observation(
        node, SEC, "SEIZ", "2025-03", 120, as_of="2025-04-06", source="SEDENA"
    )
    assert again is None  # the same figure from the same source: nothing new
    revised, old = indicators.record_observation(
        node, SEC, ind, "2025-03", 131, as_of="2025-05-10", source="SEDENA", note="late reports"
    )
    assert revised is not None and old is not None and old.id == first.id
    assert revised.properties["supersedes"] == [first.id]
    frame = snapshot(node, SEC)
    chain = frame.revisions(ind, "2025-03")
    assert [(o.value, o.as_of) for o in chain] == [(120.0, "2025-04-05"), (131.0, "2025-05-10")]
    assert frame.current(ind)["2025-03"].value == 131.0
    with node.read() as conn:  # the first figure is still there, unchanged, version 1
        kept = records.get(conn, first.id)
    assert kept.properties["value"] == ["120"] and kept.version == 1
    with pytest.raises(InvalidInput):
        indicators.record_observation(node, SEC, ind, "2025-13", 1, as_of="2025-05-10")
    with pytest.raises(NotFound):
        indicators.record_observation(node, SEC, "NOPE", "2025-03", 1, as_of="2025-05-10")


def test_cbp_series_imports_as_monthly_hand_sums(node: Node, tmp_path: Path) -> None:
    if not CBP_FILE.is_file():
        pytest.skip("shared CBP data not beside the checkout")
    ind = indicators.create_indicator(
        node, SEC, code="ENC", name_es="Encuentros", name_en="Encounters", unit="encounters",
        kind="reported", periodicity="monthly", direction="decrease",
    ).id  # fmt: skip
    hand: dict[tuple[str, str], int] = defaultdict(int)
    with CBP_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            hand[(row["Fiscal Year"][:4], row["Month (abbv)"])] += int(row["Encounter Count"])
    rows = csvimport.read_rows(CBP_FILE, cbp_indicator=ind, as_of="2025-09-15")
    report = csvimport.import_rows(node, SEC, rows)
    assert (report.rows, report.written, report.revised) == (len(hand), len(hand), 0)
    current = snapshot(node, SEC).current(ind)
    assert current["2021-10"].value == hand[("2022", "OCT")]  # FY2022 starts in October 2021
    assert current["2022-09"].value == hand[("2022", "SEP")]
    assert current["2025-08"].value == hand[("2025", "AUG")]
    assert sum(o.value for o in current.values()) == sum(hand.values())
    assert csvimport.import_rows(node, SEC, rows).unchanged == len(hand)
    # Only Mexican citizens: a filter on a column, still one value per month.
    mexico = csvimport.read_rows(
        CBP_FILE, cbp_indicator=ind, as_of="2025-10-01", only={"Citizenship Grouping": "Mexico"}
    )
    assert len(mexico) == len(hand)
    assert csvimport.import_rows(node, SEC, mexico).revised == len(hand)
    frame = snapshot(node, SEC)
    assert len(frame.revisions(ind, "2021-10")) == 2


def test_a_bad_row_refuses_the_whole_file(node: Node, tmp_path: Path) -> None:
    _reported(node)
    good = "indicator,period,value,as_of,source\nSEIZ,2025-01,10,2025-02-01,SEDENA\n"
    bad = good + "SEIZ,2025-02,ten,2025-03-01,SEDENA\nSEIZ,2025-02,11,2025-03-01,SEDENA\n"
    path = tmp_path / "obs.csv"
    path.write_text(bad, "utf-8")
    with pytest.raises(InvalidFile) as err:
        csvimport.read_rows(path)
    assert [(p.line, p.field) for p in err.value.problems] == [(3, "value")]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(good + "NOPE,2025-02,11,2025-03-01,X\n", "utf-8")
    with pytest.raises(NotFound):
        csvimport.import_rows(node, SEC, csvimport.read_rows(unknown))
    assert snapshot(node, SEC).current("ind-seiz") == {}  # nothing half-written
    path.write_text(good, "utf-8")
    assert csvimport.import_rows(node, SEC, csvimport.read_rows(path)).written == 1
