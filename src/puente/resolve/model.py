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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from puente.resolve.comparisons import to_splink
from puente.resolve.features import COLUMNS, Row
from puente.resolve.profiles import PROFILES, Profile, parent_of
from puente.resolve.training import DEFAULT_PRIOR, EM_MIN_RECORDS, estimate_u, u_pairs
from puente.resolve.training import train as _train

log = logging.getLogger(__name__)
KEY_CAP = 150  # a blocking key shared by more records than this is a stop-word key


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
    """Each row's blocking keys, without keys shared by more than ``cap`` rows and
    without refined keys whose parent was kept (``profiles.refined``)."""
    keys = [sorted(set(profile.block_keys(r))) for r in rows]
    counts = Counter(k for ks in keys for k in ks)
    return [[k for k in ks if _kept(k, counts, cap)] for ks in keys]


def _kept(key: str, counts: Counter[str], cap: int) -> bool:
    parent = parent_of(key)
    return counts[key] <= cap and (parent is None or counts[parent] > cap)


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


def for_dialect(trained: Trained, dialect: str) -> dict[str, Any]:
    """The trained model with its SQL rendered for another Splink backend ("spark",
    "duckdb"…): the profile's comparisons rebuilt in that dialect, carrying the trained
    prior and every level's m and u (Splink stores conditions as SQL text of the dialect
    that trained the model, so the JSON itself is not portable)."""
    profile = PROFILES[trained.group]
    use_tf = any(
        lv.get("tf_adjustment_column")
        for c in trained.settings["comparisons"]
        for lv in c["comparison_levels"]
    )
    spec: dict[str, Any] = settings(profile, use_tf=use_tf).get_settings(dialect).as_dict()
    spec["probability_two_random_records_match"] = trained.settings[
        "probability_two_random_records_match"
    ]
    for mine, theirs in zip(spec["comparisons"], trained.settings["comparisons"], strict=True):
        for a, b in zip(mine["comparison_levels"], theirs["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in b:
                    a[key] = b[key]
    return spec


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
) -> tuple[Any, bool]:
    """A Splink linker over ``frames`` and whether u is estimated already. A new model
    uses term frequencies and estimated u only when the data are large enough for them
    to mean something (``EM_MIN_RECORDS``); u is estimated in one pass on DuckDB."""
    from splink import DuckDBAPI, Linker

    api = db_api or DuckDBAPI()
    registered = [api.register(_pd_safe(f)) for f in frames]
    n = sum(len(f) for f in frames)
    spec: Any = model
    u_done = False
    if spec is None:
        big = n >= EM_MIN_RECORDS
        spec = settings(profile, link_type, use_tf=big).get_settings("duckdb").as_dict()
        if big and hasattr(api, "duckdb_con"):
            estimate_u(api.duckdb_con, frames, spec, profile.group, u_pairs(n))
            u_done = True
    one = registered[0] if len(registered) == 1 else registered
    return Linker(one, spec, log_level=None, validate_settings=False), u_done


def table_linker(
    profile: Profile, api: Any, table: str, n: int, model: dict[str, Any] | None
) -> tuple[Any, bool]:
    """A Splink linker over a table of ``api``'s DuckDB connection (``n`` rows), as
    ``linker`` for data frames."""
    from splink import Linker

    spec: Any = model
    u_done = False
    if spec is None:
        big = n >= EM_MIN_RECORDS
        spec = settings(profile, use_tf=big).get_settings("duckdb").as_dict()
        if big:
            estimate_u(api.duckdb_con, table, spec, profile.group, u_pairs(n))
            u_done = True
    return Linker(api.register(table), spec, log_level=None, validate_settings=False), u_done


def train_table(profile: Profile, api: Any, table: str, n: int, sample: int) -> dict[str, Any]:
    """Train on a table of ``n`` rows, or on a random sample of ``sample`` rows when it
    is larger: the prior, u and m are proportions over pairs, which a uniform sample of
    records keeps (matching and non-matching pairs both thin by the same factor), while
    EM's blocked pairs grow with the square of the records."""
    source, rows = table, n
    if n > sample:
        source, rows = f"{table}_train", sample
        api.duckdb_con.execute(
            f"CREATE OR REPLACE TABLE {source} AS SELECT * FROM {table} "
            f"USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (1)"
        ).fetchall()
    link, u_done = table_linker(profile, api, source, rows, None)
    train(profile, link, rows, u_done)
    spec: dict[str, Any] = link.misc.save_model_to_json()
    if source != table:
        api.duckdb_con.execute(f"DROP TABLE {source}").fetchall()
    return spec


def predict_blocked(
    profile: Profile, link: Any, api: Any, blocked: Iterable[str], threshold_weight: float
) -> Iterator[tuple[str, str]]:
    """Score blocked pairs a slice at a time: each of ``blocked`` names a table of
    ``(match_key, join_key_l, join_key_r)`` (our blocking keys' pairs, computed once per
    slice), registered with Splink (``register_blocked_pairs_for_predict``) and scored
    by ``predict``. Yields the scored slice's table with a SQL expression of the
    per-field weights as the JSON stored with a pair; the caller copies what it needs
    before asking for the next slice, which drops this one. Splink's own chunking
    (``predict_chunk``) explodes every record's keys and copies the inputs again for
    each slice: 1.7× the CPU of one slice at 4 slices, against 1.15× here."""
    fields = ""
    for table in blocked:
        link.table_management.register_blocked_pairs_for_predict(api.register(table))
        out = link.inference.predict(threshold_match_weight=threshold_weight, warning_mode="never")
        if not fields:
            found = api.duckdb_con.execute(f"SELECT * FROM {out.physical_name} LIMIT 0")
            cols = {d[0] for d in found.description}
            found.fetchall()
            parts = []
            for c in profile.comparisons:
                expr = f'coalesce("mw_{c.name}", 0)'
                if f"mw_tf_adj_{c.name}" in cols:
                    expr += f' + coalesce("mw_tf_adj_{c.name}", 0)'
                parts.append(f"""'"{c.name}":' || CAST(round({expr}, 4) AS VARCHAR)""")
            fields = "'{' || " + " || ',' || ".join(parts) + " || '}'"
        try:
            yield out.physical_name, fields
        finally:
            out.drop_table_from_database_and_remove_from_cache()


def train(profile: Profile, link: Any, n_records: int, u_done: bool, seed: int = 1) -> None:
    """Prior, u (unless ``u_done``) and m: see ``training``."""
    _train(profile, link, n_records, u_done, seed)


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
    link, u_done = linker(profile, [df], model.settings if model else None, db_api=db_api)
    if model is None:
        train(profile, link, len(rows), u_done)
    trained = Trained(
        profile.group, link.misc.save_model_to_json(), tf_tables(profile, df), len(rows)
    )
    if len(rows) < 2:
        return trained, pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_weight"])
    return trained, predict(link, threshold_weight)
