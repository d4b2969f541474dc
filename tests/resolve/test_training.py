"""The one-pass u estimate equals Splink's own when both see every pair."""

from __future__ import annotations

import duckdb
import pytest
from splink import DuckDBAPI, Linker

from puente.resolve.model import frame, key_table, settings
from puente.resolve.profiles import PROFILES
from puente.resolve.training import estimate_u
from tests.resolve.test_model import population


def _u(spec: dict) -> list[list[float | None]]:
    return [[lv.get("u_probability") for lv in c["comparison_levels"]] for c in spec["comparisons"]]


def test_u_matches_splink_on_all_pairs() -> None:
    profile = PROFILES["Person"]
    ids, rows, _ = population(90, seed=3)
    df = frame(profile, ids, rows, key_table(profile, rows))
    n_pairs = len(ids) * (len(ids) - 1) / 2
    ours = settings(profile, use_tf=False).get_settings("duckdb").as_dict()
    used = estimate_u(duckdb.connect(), [df], ours, "Person", n_pairs * 4)
    assert used == n_pairs
    theirs_spec = settings(profile, use_tf=False).get_settings("duckdb").as_dict()
    api = DuckDBAPI()
    link = Linker(api.register(df), theirs_spec, log_level=None)
    link.training.estimate_u_using_random_sampling(
        max_pairs=n_pairs * 4, seed=1, num_chunks=1, min_count_per_level=None
    )
    theirs = link.misc.save_model_to_json()
    for mine, splink_u in zip(_u(ours), _u(theirs), strict=True):
        for a, b in zip(mine, splink_u, strict=True):
            if a is None or b is None:
                assert a == b
            else:
                assert a == pytest.approx(b, rel=1e-9)
