"""The model trained on DuckDB scores the same pairs with the same weights on Spark
(a local session; ``pip install puente[spark]`` and Java 17). Slow: ~2 minutes."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from puente.resolve.model import _pd_safe, for_dialect, frame, key_table, run
from puente.resolve.profiles import PROFILES
from tests.resolve.test_model import population

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]  # a local Spark session starts slowly


def test_same_model_same_weights_on_spark() -> None:
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark")
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType
    from splink import Linker, SparkAPI
    from splink.backends.spark import similarity_jar_location

    profile = PROFILES["Person"]
    ids, rows, _ = population(700, seed=7)
    model, duck = run(profile, ids, rows)
    spark = (
        pyspark.sql.SparkSession.builder.master("local[1]")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp())
        df = _pd_safe(frame(profile, ids, rows, key_table(profile, rows)))
        arrays = {lv.col for c in profile.comparisons for lv in c.levels if lv.kind == "intersect"}
        arrays.add("block_keys")
        schema = StructType(
            [
                StructField(c, ArrayType(StringType()) if c in arrays else StringType())
                for c in df.columns
            ]
        )
        records = df.astype(object).where(df.notna(), None).to_dict("records")
        api = SparkAPI(spark_session=spark)
        link = Linker(
            api.register(spark.createDataFrame(records, schema)),
            for_dialect(model, "spark"),
            log_level=None,
        )
        on_spark = link.inference.predict(threshold_match_weight=-5).as_pandas_dataframe()
    finally:
        spark.stop()
    assert len(on_spark) == len(duck) > 500
    both = duck.merge(on_spark, on=["unique_id_l", "unique_id_r"], suffixes=("_d", "_s"))
    assert len(both) == len(duck)
    assert ((both.match_weight_d - both.match_weight_s).abs() < 1e-6).all()
