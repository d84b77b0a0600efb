"""What the monthly monitoring report reads, for a log whose rows stay on Apache Spark.

:func:`procmine.analyse.monitoring.monthly_kpis` and :func:`~procmine.analyse.monitoring.stuck_cases`
of a :class:`~procmine.engine.spark.SparkLog` ask here for their figures and build the same tables
from them: the log's first and latest time (one pass), the cases per month they began and were
completed in (one group-by of the per-case table: at most months² rows), the completed cases' exact
median and p90 per month, and the steps open at the as-of time, which the report lists one by one:
the work in progress comes back to the driver, never the rows.

    >>> log = procmine.read_log("oa.approval_events", engine="spark")             # doctest: +SKIP
    >>> build_monitoring_report(log, target="3wd").write_all("monitoring")         # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as utc_zone
from zoneinfo import ZoneInfo

import polars as pl

from procmine.analyse.monitoring import MonthFigures
from procmine.engine.spark import SparkLog, _polars, _steps, percentile
from procmine.engine.spark_analyses import open_step_rows, role_columns
from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE

EPOCH = datetime(1970, 1, 1, tzinfo=utc_zone.utc)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(micros: int, timezone: str) -> datetime:
    return (EPOCH + timedelta(microseconds=int(micros))).astimezone(ZoneInfo(timezone))


def spark_time_span(log: SparkLog) -> tuple[datetime, datetime]:
    """The first time (arrival or completion) of the kept rows, and the latest: their last completion
    or arrival, or the arrival of a step still open at export; in the log's time zone."""
    from pyspark.sql import functions as F

    kept = log._cleaned[0]
    first, latest = kept.agg(F.expr("unix_micros(min(least(t, s)))"), F.expr("unix_micros(max(greatest(t, s)))")) \
        .collect()[0]
    still_open = open_step_rows(log, {})
    if still_open is not None:
        arrived = still_open.agg(F.expr("unix_micros(max(s))")).collect()[0][0]
        latest = latest if arrived is None else max(latest, arrived)
    return _moment(first, log.timezone), _moment(latest, log.timezone)


def spark_open_at(log: SparkLog, moment: datetime) -> pl.DataFrame:
    """The steps open at ``moment``: arrived by then and completed after it, and those the export
    lists without a completion time (arrived by then); case, activity, since, resource, department."""
    from pyspark.sql import functions as F

    at = _micros(moment)
    roles = role_columns(log)
    who = {RESOURCE: roles[RESOURCE], DEPARTMENT: roles[DEPARTMENT]}
    columns = [F.col("c").alias(CASE), F.col("a").alias(ACTIVITY), "since", RESOURCE, DEPARTMENT]
    parts = []
    if log.has_start_times:
        steps = _steps(log, completion_only=False, calendar=None, decisions=False, extra=who)
        parts.append(steps.where((F.col("b_us") <= at) & (F.col("t_us") > at)).select(
            "c", "a", F.col("b_us").alias("since"), RESOURCE, DEPARTMENT))
    still_open = open_step_rows(log, who)
    if still_open is not None:
        parts.append(still_open.select("c", "a", F.expr("unix_micros(s)").alias("since"), RESOURCE, DEPARTMENT)
                     .where(F.col("since") <= at))
    since = pl.Datetime("us", log.timezone)
    schema = {CASE: pl.String, ACTIVITY: pl.String, "since": since, RESOURCE: pl.String, DEPARTMENT: pl.String}
    if not parts:
        return pl.DataFrame(schema=schema)
    found = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    rows = [tuple(r) for r in found.select(*columns).collect()]
    frame = pl.DataFrame(rows, schema={**schema, "since": pl.Int64}, orient="row")
    return frame.with_columns(pl.from_epoch("since", time_unit="us").dt.replace_time_zone("UTC")
                              .dt.convert_time_zone(log.timezone)).cast(schema)


def spark_month_figures(log: SparkLog, calendar, moment: datetime, limit) -> MonthFigures:
    """:class:`~procmine.analyse.monitoring.MonthFigures` from the per-case table on Spark: cases by
    (month begun, month completed by ``moment``), and per month of completion the count, the exact
    median and p90 lead time in working hours and the cases within ``limit``."""
    from pyspark.sql import functions as F

    per_case = log.aggregates(calendar=calendar)._per_case
    at = _micros(moment)
    cases = per_case.where(F.expr("unix_micros(first_time)") <= at)
    done = ~F.col("open") & (F.expr("unix_micros(last_time)") <= at)
    spans = _polars(cases.groupBy(F.date_format("first_time", "yyyy-MM").alias("first"),
                                  F.when(done, F.date_format("last_time", "yyyy-MM")).alias("last"))
                    .agg(F.count(F.lit(1)).alias("n"), F.min(F.date_format("first_time", "yyyy-MM-dd")).alias("day")))
    if spans.height == 0:
        return MonthFigures(None, pl.DataFrame(schema=MonthFigures.SPANS), pl.DataFrame(schema=MonthFigures.FINISHED))
    pct = percentile(log.exact)
    within = F.lit(None).cast("long") if limit is None else F.sum(
        (F.col("lead_work_hours" if limit.basis == "working" else "lead_hours")
         <= F.lit(limit.to_work_hours(calendar) + 1e-9)).cast("long"))
    finished = _polars(cases.where(done).groupBy(F.date_format("last_time", "yyyy-MM").alias("month")).agg(
        F.count(F.lit(1)).alias("n"), pct("lead_work_hours", 0.5).alias("median_work_hours"),
        pct("lead_work_hours", 0.9).alias("p90_work_hours"), within.alias("within")))
    finished = finished.cast(MonthFigures.FINISHED) if finished.height else pl.DataFrame(schema=MonthFigures.FINISHED)
    first_day = datetime.strptime(min(spans["day"]), "%Y-%m-%d").date()
    return MonthFigures(first_day, spans.drop("day").cast(MonthFigures.SPANS), finished)


def spark_completion_months(log: SparkLog, calendar, moment: datetime, ids: pl.Series
                            ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The month each case of ``ids`` (the deviating ones) was completed in by ``moment`` (case, month),
    and the cases completed per month (month, __completed), from the per-case table on Spark: ``ids``
    go there as a small broadcast table, and only their months and the counts come back."""
    from pyspark.sql import functions as F

    per_case = log.aggregates(calendar=calendar)._per_case
    done = per_case.where(~F.col("open") & (F.expr("unix_micros(last_time)") <= _micros(moment))).select(
        "c", F.date_format("last_time", "yyyy-MM").alias("month"))
    per_month = _polars(done.groupBy("month").agg(F.count(F.lit(1)).alias("__completed")))
    wanted = log.spark.createDataFrame([(case,) for case in ids.to_list()], "c string")
    months = _polars(done.join(F.broadcast(wanted), on="c", how="left_semi").select(F.col("c").alias(CASE), "month"))
    return months.cast({CASE: pl.String, "month": pl.String}), per_month.cast({"month": pl.String,
                                                                             "__completed": pl.UInt32})


__all__ = ["spark_time_span", "spark_open_at", "spark_month_figures", "spark_completion_months"]
