"""Scoring a pair in Python with the trained Splink model, field by field.

Invariant: ``Scorer.score`` computes Splink's match weight — log2 prior odds plus, per
comparison, log2(m/u) of the pair's level plus the term-frequency adjustment
``w · (log2 u_exact − log2 max(tf_l, tf_r))`` on levels that carry one — from the
same model dictionary Splink used, so a pair scored here and in the batch run get the
same weight (tested to 1e-6). Every explanation lists each field with its level, the
two values compared and its weight: nothing about a merge is hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from puente.errors import ConfigError
from puente.resolve.comparisons import Comparison
from puente.resolve.features import Row
from puente.resolve.model import Trained
from puente.resolve.profiles import PROFILES


@dataclass(frozen=True)
class FieldWeight:
    field: str
    level: str
    gamma: int
    weight: float
    tf_adjustment: float
    left: Any
    right: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "level": self.level,
            "gamma": self.gamma,
            "weight": round(self.weight, 4),
            "tf_adjustment": round(self.tf_adjustment, 4),
            "left": self.left,
            "right": self.right,
        }


@dataclass(frozen=True)
class Explanation:
    left_id: str
    right_id: str
    prior: float
    weight: float
    fields: tuple[FieldWeight, ...]

    @property
    def probability(self) -> float:
        return probability(self.weight)

    def to_dict(self) -> dict[str, Any]:
        return {
            "left_id": self.left_id,
            "right_id": self.right_id,
            "prior_weight": round(self.prior, 4),
            "match_weight": round(self.weight, 4),
            "match_probability": round(self.probability, 6),
            "fields": [f.to_dict() for f in self.fields],
        }


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds = float(2.0**weight)
    return odds / (1.0 + odds)


@dataclass(frozen=True)
class _LevelParams:
    weight: float
    tf_col: str | None
    tf_weight: float
    log2_u_exact: float


class Scorer:
    """The Python twin of Splink's predict for one trained model."""

    def __init__(self, trained: Trained) -> None:
        self.profile = PROFILES[trained.group]
        self.tf = trained.tf
        self.records = max(trained.records, 1)
        lam = float(trained.settings["probability_two_random_records_match"])
        self.prior = math.log2(lam / (1.0 - lam))
        specs = trained.settings["comparisons"]
        if [c.get("output_column_name") for c in specs] != [
            c.name for c in self.profile.comparisons
        ]:
            raise ConfigError("resolve.model_mismatch", group=trained.group)
        self.params: list[list[_LevelParams]] = []
        for comp, spec in zip(self.profile.comparisons, specs, strict=True):
            levels = spec["comparison_levels"]
            if len(levels) != len(comp.levels):
                raise ConfigError("resolve.model_mismatch", group=trained.group)
            self.params.append([self._level(comp, levels, i) for i in range(len(levels))])

    @staticmethod
    def _level(comp: Comparison, levels: list[dict[str, Any]], i: int) -> _LevelParams:
        lv = levels[i]
        if lv.get("is_null_level"):
            return _LevelParams(0.0, None, 0.0, 0.0)
        m, u = float(lv["m_probability"]), float(lv["u_probability"])
        tf_col = lv.get("tf_adjustment_column")
        log2_u_exact = 0.0
        if tf_col:
            j = next(k for k, s in enumerate(comp.levels) if s.kind == "exact" and s.col == tf_col)
            log2_u_exact = math.log2(float(levels[j]["u_probability"]))
        return _LevelParams(
            math.log2(m / u), tf_col, float(lv.get("tf_adjustment_weight", 1.0)), log2_u_exact
        )

    def _tf_adjust(self, p: _LevelParams, left: Row, right: Row) -> float:
        if not p.tf_col or p.tf_weight == 0:
            return 0.0
        table = self.tf.get(p.tf_col, {})
        values = [table.get(str(v)) for v in (left.get(p.tf_col), right.get(p.tf_col))]
        present = [v for v in values if v is not None]
        if not present:
            return 0.0
        return p.tf_weight * (p.log2_u_exact - math.log2(max(present)))

    def score(self, left: Row, right: Row) -> float:
        total = self.prior
        for comp, params in zip(self.profile.comparisons, self.params, strict=True):
            gamma = comp.gamma(left, right)
            if gamma == -1:
                continue
            p = params[len(params) - 1 - gamma]
            total += p.weight + self._tf_adjust(p, left, right)
        return total

    def explain(self, left_id: str, left: Row, right_id: str, right: Row) -> Explanation:
        fields: list[FieldWeight] = []
        total = self.prior
        for comp, params in zip(self.profile.comparisons, self.params, strict=True):
            gamma = comp.gamma(left, right)
            level = comp.level_for(gamma)
            cols = [comp.levels[0].col] if gamma == -1 else [level.col or comp.levels[0].col]
            if gamma == -1:
                p = _LevelParams(0.0, None, 0.0, 0.0)
            else:
                p = params[len(params) - 1 - gamma]
            adj = self._tf_adjust(p, left, right)
            total += p.weight + adj
            fields.append(
                FieldWeight(
                    comp.name,
                    level.describe(),
                    gamma,
                    p.weight + adj,
                    adj,
                    left.get(cols[0]),
                    right.get(cols[0]),
                )
            )
        return Explanation(left_id, right_id, self.prior, total, tuple(fields))
