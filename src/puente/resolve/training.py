"""Training a model: u by random sampling in one pass, then Splink's prior and EM.

u (how often a level occurs between two random records) is estimated from one random
sample of rows compared all-against-all, every comparison scored in a single DuckDB
query with the level conditions of the Splink model itself. Splink 5's own
``estimate_u_using_random_sampling`` scores the sample once per comparison (nine times
for a person) and copies every column each time; on FEBRL3 it took 5–6 s for 2·10⁵
pairs against ~0.5 s here (see ``docs/resolution.md``). On a non-DuckDB backend (Spark)
Splink's own estimator is used.

Invariant: estimation only writes ``u_probability`` of levels that were observed in the
sample; a level never seen keeps its domain prior from ``profiles``. Data too small for
estimates to beat those priors (``EM_MIN_RECORDS``) are not trained at all.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from puente.resolve.features import COLUMNS
from puente.resolve.profiles import Profile

log = logging.getLogger(__name__)
EM_MIN_RECORDS = 500
DEFAULT_PRIOR = 1e-4
U_MAX_PAIRS = 1e6


def u_pairs(n_records: int) -> float:
    """Random pairs for u: 40 per record, at least 5·10⁴, at most 10⁶."""
    return min(U_MAX_PAIRS, max(5e4, n_records * 40.0))


def _case(levels: list[dict[str, Any]], name: str) -> str:
    whens = []
    n = len(levels)
    for i, lv in enumerate(levels):
        value = -1 if lv.get("is_null_level") else n - 1 - i
        cond = lv["sql_condition"]
        whens.append(
            f"ELSE {value}" if cond.strip().upper() == "ELSE" else f"WHEN {cond} THEN {value}"
        )
    return f'CASE {" ".join(whens)} END AS "g_{name}"'


def estimate_u(con: Any, source: str | Sequence[pd.DataFrame], spec: dict[str, Any],
               group: str, max_pairs: float, seed: int = 1) -> int:  # fmt: skip
    """Write u into ``spec`` (a Splink model dict); returns the number of pairs used.
    ``source`` is a table of ``con`` or data frames (registered for the query)."""
    cols = COLUMNS[group]
    if isinstance(source, str):
        table = source
        n = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    else:
        table = "puente_u_input"
        data = pd.concat([f[["unique_id", *cols]] for f in source], ignore_index=True)
        n = len(data)
        con.register(table, data)
    rows = int(min(n, math.ceil(0.5 * (math.sqrt(8 * max_pairs + 1) + 1))))
    side = ", ".join(f'{s}."{c}" AS "{c}_{s}"' for c in cols for s in ("l", "r"))
    cases = ", ".join(_case(c["comparison_levels"], c["output_column_name"])
                      for c in spec["comparisons"])  # fmt: skip
    gammas = ", ".join(f'"g_{c["output_column_name"]}"' for c in spec["comparisons"])
    picked = ", ".join(f'"{c}"' for c in ("unique_id", *cols))
    sql = (
        f"WITH s AS (SELECT {picked} FROM {table} USING SAMPLE reservoir({rows} ROWS) "
        f"REPEATABLE ({seed})), p AS (SELECT {side} FROM s l JOIN s r "
        f"ON l.unique_id < r.unique_id) SELECT {gammas}, count(*) FROM (SELECT {cases} FROM p) "
        f"GROUP BY ALL"
    )
    counts = con.execute(sql).fetchall()
    if not isinstance(source, str):
        con.unregister(table)
    total = sum(r[-1] for r in counts)
    for i, comp in enumerate(spec["comparisons"]):
        levels = comp["comparison_levels"]
        per: dict[int, int] = {}
        for r in counts:
            per[r[i]] = per.get(r[i], 0) + r[-1]
        seen = sum(v for g, v in per.items() if g != -1)
        if not seen:
            continue
        for j, lv in enumerate(levels):
            if lv.get("is_null_level"):
                continue
            hits = per.get(len(levels) - 1 - j, 0)
            if hits:
                lv["u_probability"] = hits / seen
    return int(total)


def train(profile: Profile, link: Any, n_records: int, u_done: bool, seed: int = 1) -> None:
    """The prior from near-certain rules, u (unless done), m by EM per rule."""
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
    if not u_done:
        link.training.estimate_u_using_random_sampling(max_pairs=u_pairs(n_records), seed=seed)
    for rule in profile.em_rules:
        try:
            link.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), estimate_without_term_frequencies=True
            )
        except Exception as exc:  # too few pairs in this block: keep that m
            log.info("EM skipped on %s (%s): %s", rule, profile.group, exc)
