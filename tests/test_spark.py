"""The process map's aggregates on Spark (local mode) equal the default engine's on a sample log.

Runs only where procmine[spark] is installed (PySpark 3.5 and a Java runtime); skipped elsewhere."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")

import polars as pl  # noqa: E402

import procmine  # noqa: E402
from procmine.engine.spark import SparkError, spark_aggregates, spark_session  # noqa: E402

from conftest import SAMPLES  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    log = procmine.read_log(SAMPLES / "费用报销.xlsx")
    path = tmp_path_factory.mktemp("spark") / "events.parquet"
    log.events.select("case", "activity", pl.col("timestamp").dt.replace_time_zone(None), "row").write_parquet(path)
    return log, path


def test_spark_aggregates_equal_the_default_engine(spark, parquet):
    log, path = parquet
    got = spark_aggregates(str(path), case="case", activity="activity", timestamp="timestamp", row="row", spark=spark)
    tables = log.tables(arrival_times=False)  # completion order, as on Spark
    assert got.events == log.summary().events and got.cases == log.summary().cases
    mine = dict(tables.activity_stats.select("activity", "frequency").iter_rows())
    assert dict(got.activities.select("activity", "frequency").iter_rows()) == mine
    handoffs = {(s, t): n for s, t, n in tables.edge_stats.select("source", "target", "frequency").iter_rows()}
    assert {(s, t): n for s, t, n in got.handoffs.select("source", "target", "frequency").iter_rows()} == handoffs
    assert got.start_activities == dict(tables.start_activities) and got.end_activities == dict(tables.end_activities)
    assert got.variants.height == tables.variants.height
    lead = tables.cases["lead_hours"].median()
    assert got.median_lead_hours == pytest.approx(lead)
    medians = dict(tables.activity_stats.select("activity", "median_duration_hours").iter_rows())
    for name, median in got.activities.select("activity", "median_duration_hours").iter_rows():
        assert (median is None and medians[name] is None) or median == pytest.approx(medians[name])


def test_a_missing_column_is_one_clear_error(spark, parquet):
    _, path = parquet
    with pytest.raises(SparkError, match="no column '审批节点'"):
        spark_aggregates(str(path), case="case", activity="审批节点", timestamp="timestamp", spark=spark)
