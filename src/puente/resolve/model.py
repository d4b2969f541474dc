"""The Splink model: settings from a profile, training, batch prediction.

Invariant: a ``Trained`` model is plain JSON data — Splink's own model dictionary
(``settings``; loadable by ``Linker(df, settings)`` on any Splink backend, DuckDB here,
Spark on a cluster) plus the term-frequency tables the Python scorer needs — so the
model that scored the batch run is exactly the one incremental resolution and the
explanations use. ``settings`` comparisons appear in the profile's order with the
profile's levels, which ``explain.Scorer`` checks before trusting it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from puente.resolve.comparisons import to_splink
from puente.resolve.features import COLUMNS, Row
from puente.resolve.profiles import Profile

log = logging.getLogger(__name__)
KEY_CAP = 150  # a blocking key shared by more records than this is a stop-word key
EM_MIN_RECORDS = 500  # below this, EM has too few pairs: keep priors, estimate u only
DEFAULT_PRIOR = 1e-4
U_MAX_PAIRS = 1e6  # random pairs for u; levels never seen keep their domain prior


@dataclass
class Trained:
    group: str
    settings: dict[str, Any]
    tf: dict[str, dict[str, float]] = field(default_factory=dict)
    records: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "settings": self.settings,
            "tf": self.tf,
            "records": self.records,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trained:
        return cls(data["group"], data["settings"], data.get("tf", {}), data.get("records", 0))


def key_table(profile: Profile, rows: Sequence[Row], cap: int = KEY_CAP) -> list[list[str]]:
    """Each row's blocking keys, without keys shared by more than ``cap`` rows."""
    keys = [sorted(set(profile.block_keys(r))) for r in rows]
    counts = Counter(k for ks in keys for k in ks)
    return [[k for k in ks if counts[k] <= cap] for ks in keys]


def frame(
    profile: Profile, ids: Sequence[str], rows: Sequence[Row], keys: Sequence[list[str]]
) -> pd.DataFrame:
    data: dict[str, Any] = {"unique_id": list(ids)}
    for col in COLUMNS[profile.group]:
        data[col] = [r[col] for r in rows]
    data["block_keys"] = [k or None for k in keys]
    df = pd.DataFrame(data)
    for col in COLUMNS[profile.group]:
        if df[col].isna().all() and not _is_array(profile, col):
            df[col] = df[col].astype("string")
    return df


def _is_array(profile: Profile, col: str) -> bool:
    return any(
        lv.col == col and lv.kind == "intersect" for c in profile.comparisons for lv in c.levels
    )


LinkType = Literal["link_only", "link_and_dedupe", "dedupe_only"]


def settings(profile: Profile, link_type: LinkType = "dedupe_only", use_tf: bool = True) -> Any:
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        probability_two_random_records_match=DEFAULT_PRIOR,
        comparisons=[to_splink(c, use_tf) for c in profile.comparisons],
        blocking_rules_to_generate_predictions=[
            block_on("block_keys", arrays_to_explode=["block_keys"])
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def tf_tables(profile: Profile, df: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Splink's term frequencies: count(value) / count(non-null values)."""
    out: dict[str, dict[str, float]] = {}
    for col in profile.tf_columns:
        counts = df[col].dropna().value_counts()
        total = float(counts.sum()) or 1.0
        out[col] = {str(k): float(v) / total for k, v in counts.items()}
    return out


def _pd_safe(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype({c: "object" for c in df.columns if df[c].dtype == "string"})


def linker(
    profile: Profile,
    frames: Sequence[pd.DataFrame],
    model: dict[str, Any] | None,
    link_type: LinkType = "dedupe_only",
    db_api: Any = None,
) -> Any:
    """A Splink linker over ``frames``; a new model uses term frequencies only when the
    data are large enough for them to mean something (``EM_MIN_RECORDS``)."""
    from splink import DuckDBAPI, Linker

    api = db_api or DuckDBAPI()
    registered = [api.register(_pd_safe(f)) for f in frames]
    big = sum(len(f) for f in frames) >= EM_MIN_RECORDS
    spec = model if model is not None else settings(profile, link_type, use_tf=big)
    one = registered[0] if len(registered) == 1 else registered
    return Linker(one, spec, log_level=None, validate_settings=False)


def train(profile: Profile, link: Any, n_records: int, seed: int = 1) -> None:
    """Prior from near-certain rules, u by random sampling, m by EM per rule — on data
    too small for estimates to beat the domain priors (``EM_MIN_RECORDS``) it keeps them."""
    from splink import block_on

    if n_records < EM_MIN_RECORDS:
        return
    try:
        rules = [block_on(*r) for r in profile.deterministic]
        link.training.estimate_probability_two_random_records_match(rules, recall=0.8)
    except Exception as exc:  # Splink raises bare errors when no pair matches a rule
        log.info("prior kept (%s): %s", profile.group, exc)
    prior = link._settings_obj._probability_two_random_records_match
    if not 1e-9 < prior < 0.5:  # degenerate estimate: fall back to the default
        link._settings_obj._probability_two_random_records_match = DEFAULT_PRIOR
    max_pairs = min(U_MAX_PAIRS, max(5e4, n_records * 40.0))
    link.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in profile.em_rules:
        try:
            link.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), estimate_without_term_frequencies=True
            )
        except Exception as exc:  # too few pairs in this block: keep that m
            log.info("EM skipped on %s (%s): %s", rule, profile.group, exc)


def predict(link: Any, threshold_weight: float) -> pd.DataFrame:
    out: pd.DataFrame = link.inference.predict(
        threshold_match_weight=threshold_weight
    ).as_pandas_dataframe()
    return out


def run(
    profile: Profile,
    ids: Sequence[str],
    rows: Sequence[Row],
    *,
    model: Trained | None = None,
    threshold_weight: float = -5.0,
    keys: Sequence[list[str]] | None = None,
    db_api: Any = None,
) -> tuple[Trained, pd.DataFrame]:
    """Train (unless ``model`` is given) and score every blocked pair of ``rows``."""
    keys = keys if keys is not None else key_table(profile, rows)
    df = frame(profile, ids, rows, keys)
    link = linker(profile, [df], model.settings if model else None, db_api=db_api)
    if model is None:
        train(profile, link, len(rows))
    trained = Trained(
        profile.group, link.misc.save_model_to_json(), tf_tables(profile, df), len(rows)
    )
    if len(rows) < 2:
        return trained, pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_weight"])
    return trained, predict(link, threshold_weight)
