"""Comparison levels declared once, evaluated two ways: as Splink SQL and in Python.

A ``Comparison`` is an ordered list of ``Level``s (most specific first, Splink's rule:
the first level whose condition holds is the pair's level). ``to_splink`` renders a
comparison with Splink's own level library (so DuckDB and Spark get their dialect's
SQL); ``Level.holds`` evaluates the same condition on two feature rows in Python, which
is what incremental resolution and explanations use.

Invariant: for every pair of feature rows, ``gamma(comparison, l, r)`` equals the gamma
Splink computes for that comparison (``tests/resolve/test_comparisons.py`` checks it on
generated pairs). SQL semantics are kept: a condition on a NULL value is false.
Each level carries starting m/u probabilities so a model is usable before training and
a small node (too few records for EM) still resolves sensibly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from jellyfish import damerau_levenshtein_distance, jaro_winkler_similarity

Kind = Literal["null", "exact", "cross", "jw", "dl", "intersect", "else"]
Row = dict[str, Any]


@dataclass(frozen=True)
class Level:
    kind: Kind
    col: str = ""
    other: str = ""  # second column (null: also null-checked; cross: the swapped column)
    value: float = 0.0  # jw threshold, dl maximum, intersect minimum
    tf: bool = False
    m: float = 0.0
    u: float = 0.0
    label: str = ""

    def holds(self, left: Row, right: Row) -> bool:
        a, b = left.get(self.col), right.get(self.col)
        if self.kind == "else":
            return True
        if self.kind == "null":
            if a is None or b is None:
                return True
            return bool(self.other) and (
                left.get(self.other) is None or right.get(self.other) is None
            )
        if self.kind == "cross":
            la, rb = left.get(self.col), right.get(self.other)
            lb, ra = left.get(self.other), right.get(self.col)
            return (la is not None and la == rb) or (lb is not None and lb == ra)
        if a is None or b is None:
            return False
        if self.kind == "exact":
            return bool(a == b)
        if self.kind == "jw":
            return jaro_winkler_similarity(str(a), str(b)) >= self.value
        if self.kind == "dl":
            return damerau_levenshtein_distance(str(a), str(b)) <= self.value
        if self.kind == "intersect":
            return len(set(a) & set(b)) >= self.value
        raise ValueError(self.kind)

    def describe(self) -> str:
        if self.label:
            return self.label
        return {
            "null": f"{self.col} missing",
            "exact": f"{self.col} equal",
            "cross": f"{self.col} = {self.other} (swapped)",
            "jw": f"{self.col} similar (JW ≥ {self.value})",
            "dl": f"{self.col} within {int(self.value)} edit(s)",
            "intersect": f"{self.col} share ≥ {int(self.value)}",
            "else": "different",
        }[self.kind]


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def gamma(self, left: Row, right: Row) -> int:
        """Splink's comparison vector value: -1 for null, else count down to 0."""
        n = len(self.levels)
        for i, level in enumerate(self.levels):
            if level.holds(left, right):
                return -1 if level.kind == "null" else n - 1 - i
        return 0

    def level_for(self, gamma: int) -> Level:
        return self.levels[0] if gamma == -1 else self.levels[len(self.levels) - 1 - gamma]


def null(col: str, other: str = "") -> Level:
    return Level("null", col, other)


def exact(col: str, m: float, u: float, tf: bool = False, label: str = "") -> Level:
    return Level("exact", col, tf=tf, m=m, u=u, label=label)


def cross(col: str, other: str, m: float, u: float, label: str = "") -> Level:
    return Level("cross", col, other, m=m, u=u, label=label)


def jw(col: str, threshold: float, m: float, u: float) -> Level:
    return Level("jw", col, value=threshold, m=m, u=u)


def dl(col: str, distance: int, m: float, u: float) -> Level:
    return Level("dl", col, value=distance, m=m, u=u)


def intersect(col: str, size: int, m: float, u: float, label: str = "") -> Level:
    return Level("intersect", col, value=size, m=m, u=u, label=label)


def other(m: float, u: float) -> Level:
    return Level("else", m=m, u=u)


@cache
def _overlap_level() -> Any:
    """Splink's ``ArrayIntersectLevel(col, 1)`` rendered as an overlap test: DuckDB's
    ``list_has_any`` (2.7× faster than sizing ``list_intersect``, which builds the
    intersection for every pair) and Spark's ``arrays_overlap``; other backends keep
    Splink's SQL."""
    import splink.comparison_level_library as cll

    class ArraysOverlapLevel(cll.ArrayIntersectLevel):
        def create_sql(self, sql_dialect: Any) -> str:
            fn = {"duckdb": "list_has_any", "spark": "arrays_overlap"}.get(
                sql_dialect.sql_dialect_str
            )
            if fn is None:
                return str(super().create_sql(sql_dialect))
            col = self.col_expression
            col.sql_dialect = sql_dialect
            return f"{fn}({col.name_l}, {col.name_r})"

    return ArraysOverlapLevel


def to_splink(comparison: Comparison, use_tf: bool = True) -> Any:
    """The comparison as a Splink ``CustomComparison`` (any backend)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels: list[Any] = []
    for lv in comparison.levels:
        created: Any
        if lv.kind == "null":
            created = cll.NullLevel(lv.col)
            if lv.other:
                created = cll.Or(created, cll.NullLevel(lv.other))
            levels.append(created.configure(is_null_level=True, label_for_charts=lv.describe()))
            continue
        if lv.kind == "exact":
            created = cll.ExactMatchLevel(lv.col, term_frequency_adjustments=lv.tf and use_tf)
        elif lv.kind == "cross":
            created = cll.CustomLevel(
                f"({lv.col}_l = {lv.other}_r OR {lv.other}_l = {lv.col}_r)",
                base_dialect_str="duckdb",
            )
        elif lv.kind == "jw":
            created = cll.JaroWinklerLevel(lv.col, lv.value)
        elif lv.kind == "dl":
            created = cll.DamerauLevenshteinLevel(lv.col, int(lv.value))
        elif lv.kind == "intersect" and int(lv.value) == 1:
            created = _overlap_level()(lv.col, 1)
        elif lv.kind == "intersect":
            created = cll.ArrayIntersectLevel(lv.col, int(lv.value))
        else:
            created = cll.ElseLevel()
        levels.append(
            created.configure(
                m_probability=lv.m, u_probability=lv.u, label_for_charts=lv.describe()
            )
        )
    return cl.CustomComparison(levels, output_column_name=comparison.name)
