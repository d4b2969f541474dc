"""Importing reported observations from CSV.

Two shapes: the plain one (``indicator,period,value,as_of,source[,note]``, one
observation a row) and the US CBP southwest-border encounters export (fiscal year,
month, component, demographic, citizenship, authority, type, count), summed per
calendar month — a fiscal year starts in October, so ``FY2022 OCT`` is ``2021-10`` —
optionally keeping only rows whose columns equal given values.

Invariants: every row is checked before anything is written, and a file with a bad row
is refused whole with a problem naming file, line and field; the observations are then
written through ``indicators.record_observation``, so re-importing a file writes nothing
and an import with a changed figure becomes a revision that keeps the old value.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from puente.coordinate.indicators import record_observation
from puente.coordinate.periods import Period
from puente.errors import InvalidFile, InvalidInput, Problem
from puente.node import Node
from puente.store.users import User

PLAIN = ("indicator", "period", "value", "as_of", "source")
CBP_COLUMNS = ("Fiscal Year", "Month (abbv)", "Encounter Count")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
CBP_SOURCE = "U.S. Customs and Border Protection, Southwest Land Border Encounters"


@dataclass(frozen=True)
class Row:
    indicator: str
    period: str
    value: float
    as_of: str
    source: str
    note: str = ""


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    revised: int = 0
    unchanged: int = 0


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("coordinate.bad_file", path=str(path)) from exc


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def parse_plain(text: str, file: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in PLAIN if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidFile(
            [Problem("coordinate_missing_column", file=file, line=1, field=missing[0])]
        )
    rows: list[Row] = []
    problems: list[Problem] = []
    for line, r in enumerate(reader, 2):
        try:
            period = Period.parse(r["period"]).code
        except InvalidInput:
            problems.append(Problem("bad_value", file=file, line=line, field="period",
                                    value=r["period"][:40]))  # fmt: skip
            continue
        try:
            value = _number(r["value"])
            as_of = date.fromisoformat(r["as_of"].strip()).isoformat()
        except ValueError:
            field = "value" if not _is_number(r["value"]) else "as_of"
            problems.append(Problem("bad_value", file=file, line=line, field=field,
                                    value=str(r[field])[:40]))  # fmt: skip
            continue
        rows.append(Row(r["indicator"].strip(), period, value, as_of, r["source"].strip(),
                        (r.get("note") or "").strip()))  # fmt: skip
    if problems:
        raise InvalidFile(problems, file=file)
    return rows


def _is_number(text: str) -> bool:
    try:
        _number(text)
    except ValueError:
        return False
    return True


def parse_cbp(
    text: str, file: str, indicator: str, as_of: str, only: Mapping[str, str] | None = None
) -> list[Row]:
    """Monthly totals of the CBP encounters file (``only``: column → required value)."""
    reader = csv.DictReader(io.StringIO(text))
    names = reader.fieldnames or []
    for col in (*CBP_COLUMNS, *(only or {})):
        if col not in names:
            raise InvalidFile([Problem("coordinate_missing_column", file=file, line=1, field=col)])
    totals: dict[str, float] = defaultdict(float)
    problems: list[Problem] = []
    for line, r in enumerate(reader, 2):
        if any(r.get(k, "").strip() != v for k, v in (only or {}).items()):
            continue
        fy_text, month = r["Fiscal Year"].strip()[:4], r["Month (abbv)"].strip().upper()
        if not fy_text.isdigit() or month not in MONTHS or not _is_number(r["Encounter Count"]):
            field = "Encounter Count" if month in MONTHS and fy_text.isdigit() else "Month (abbv)"
            problems.append(Problem("bad_value", file=file, line=line, field=field,
                                    value=str(r.get(field, ""))[:40]))  # fmt: skip
            continue
        m = MONTHS.index(month) + 1
        year = int(fy_text) - 1 if m >= 10 else int(fy_text)
        totals[f"{year}-{m:02d}"] += _number(r["Encounter Count"])
    if problems:
        raise InvalidFile(problems, file=file)
    return [Row(indicator, p, v, as_of, CBP_SOURCE) for p, v in sorted(totals.items())]


def read_rows(
    path: Path,
    *,
    cbp_indicator: str = "",
    as_of: str = "",
    only: Mapping[str, str] | None = None,
) -> list[Row]:
    text = _text(path)
    if cbp_indicator:
        day = as_of or date.today().isoformat()
        return parse_cbp(text, path.name, cbp_indicator, day, only)
    return parse_plain(text, path.name)


def import_rows(node: Node, user: User, rows: list[Row]) -> ImportReport:
    """Write every row in one transaction: a row naming an unknown indicator refuses all."""
    report = ImportReport(rows=len(rows))
    with node.write() as conn:
        for row in rows:
            written, superseded = record_observation(
                node, user, row.indicator, row.period, row.value,
                as_of=row.as_of, source=row.source, note=row.note, method="imported", conn=conn,
            )  # fmt: skip
            _count(report, written is not None, superseded is not None)
    return report


def _count(report: ImportReport, written: bool, revised: bool) -> None:
    if not written:
        report.unchanged += 1
    elif revised:
        report.revised += 1
    else:
        report.written += 1
