"""What the survey report reads beyond the analyses, for a log whose rows stay on Apache Spark.

:func:`procmine.build_report` of a :class:`~procmine.engine.spark.SparkLog` runs ``discover``,
``kpis``, ``bottlenecks``, ``find_loops`` and ``improvement_candidates`` on Spark as for any log;
its variant table, lead-time histogram and hand-offs between departments come from here, as
:func:`procmine.analyse.variants.variants`, :func:`procmine.analyse.kpi.lead_time_distribution`,
:func:`procmine.analyse.workload.party_level` and :func:`~procmine.analyse.workload.department_handoffs`
dispatch to them. Each returns the default engine's frame, figure for figure. What comes back to the
driver: one row per variant, per histogram bin and per pair of departments; never the rows.

    >>> log = procmine.read_log("oa.approval_events", engine="spark")        # doctest: +SKIP
    >>> procmine.build_report(log, target="3wd").write_all("report")         # doctest: +SKIP
"""

from __future__ import annotations

import polars as pl

from procmine.analyse.times import default_calendar
from procmine.engine.spark import SEPARATOR, SparkLog, _polars, percentile
from procmine.engine.spark_analyses import _measure


def spark_variants(log: SparkLog, calendar=None) -> pl.DataFrame:
    """:func:`procmine.analyse.variants.variants` from the variant table counted on Spark and, per
    variant, the exact median lead time of its completed cases (one group-by of the per-case table)."""
    from pyspark.sql import functions as F

    from procmine.analyse.variants import SCHEMA

    calendar = calendar or default_calendar()
    counted = log.aggregates(calendar=calendar)
    if counted.variants.height == 0:
        return pl.DataFrame(schema=SCHEMA)
    pct = percentile(log.exact)
    lead = _polars(counted._per_case.where(~F.col("open")).groupBy("v").agg(
        pct("lead_work_hours", 0.5).alias("work"), pct("lead_hours", 0.5).alias("hours")))
    lead = lead.cast({"work": pl.Float64, "hours": pl.Float64}) if lead.height else \
        pl.DataFrame(schema={"v": pl.String, "work": pl.Float64, "hours": pl.Float64})
    return (counted.variants.with_columns(pl.col("activities").list.join(SEPARATOR).alias("v"))
            .join(lead, on="v", how="left", maintain_order="left")
            .with_columns(pl.col("variant_id").cast(pl.Int64).alias("rank"), pl.col("steps").cast(pl.Int64),
                          (pl.col("cases").cum_sum() / counted.cases).alias("cumulative_share"),
                          (pl.col("work") / calendar.hours_per_day).alias("median_lead_work_days"),
                          (pl.col("hours") / 24).alias("median_lead_days"))
            .select(list(SCHEMA)))


def spark_lead_time_distribution(log: SparkLog, calendar=None, *, bin_days: float | None = None,
                                 max_bins: int = 15) -> pl.DataFrame:
    """:func:`procmine.analyse.kpi.lead_time_distribution` on Spark: the completed cases' count, their
    95th percentile (nearest rank: ``percentile_disc``) and maximum in one pass, the bins chosen on
    the driver by the same rule, then one count per bin."""
    from pyspark.sql import functions as F

    from procmine.analyse.kpi import LeadTimeBins

    calendar = calendar or default_calendar()
    counted = log.aggregates(calendar=calendar)
    days = counted._per_case.where(~F.col("open")).select(
        (F.coalesce(F.col("lead_work_hours"), F.lit(0.0)) / F.lit(calendar.hours_per_day)).alias("days"))
    p95 = (F.expr("percentile_disc(0.95) WITHIN GROUP (ORDER BY days)") if log.exact
           else F.percentile_approx("days", 0.95, 10000))
    figures = days.agg(F.count(F.lit(1)).alias("n"), p95.alias("p95"), F.max("days").alias("largest")).collect()[0]
    if not figures["n"]:
        return LeadTimeBins.empty()
    bins = LeadTimeBins.fitting(figures["p95"], figures["largest"], bin_days, max_bins)
    index = F.least(F.floor(F.col("days") / F.lit(bins.width) + F.lit(1e-9)), F.lit(bins.count - 1)).cast("int")
    found = dict(days.groupBy(index.alias("bin")).count().collect())
    return bins.table([int(found.get(i, 0)) for i in range(bins.count)])


def spark_fills(log: SparkLog, level: str) -> bool:
    """Whether some kept row of ``log`` names its ``level`` (department, role or resource): one
    row looked for on Spark, as :func:`procmine.analyse.workload.party_level` asks of the events."""
    from pyspark.sql import functions as F

    header = getattr(log.columns, level, None)
    if not header:
        return False
    value = F.trim(F.col(f"`{header}`").cast("string"))
    return bool(log._cleaned[0].where(value != "").limit(1).count())


def spark_department_handoffs(log: SparkLog, calendar, level: str | None) -> pl.DataFrame:
    """:func:`procmine.analyse.workload.department_handoffs` on Spark: the hand-offs (with both steps'
    people, as bottlenecks measures them) grouped by the two steps' ``level``; the exact median wait
    in working hours with arrival times (None without: the wait is part of the next step)."""
    from pyspark.sql import functions as F

    from procmine.analyse.workload import SCHEMA

    if level is None:
        return pl.DataFrame(schema=SCHEMA)
    measured = _measure(log, calendar)
    try:
        handoffs = measured.handoffs.where(F.col(f"source_{level}").isNotNull() & F.col(f"target_{level}").isNotNull())
        wait = F.lit(None).cast("double") if measured.completion_only else measured.pct("work_hours", 0.5)
        pairs = _polars(handoffs.groupBy(F.col(f"source_{level}").alias("from"), F.col(f"target_{level}").alias("to"))
                        .agg(F.count(F.lit(1)).alias("handoffs"), F.countDistinct("c").alias("cases"),
                             wait.alias("median_wait_work_hours")))
    finally:
        measured.release()
    if pairs.height == 0:
        return pl.DataFrame(schema=SCHEMA)
    return pairs.select(list(SCHEMA)).cast(SCHEMA).sort(["handoffs", "from", "to"], descending=[True, False, False])


__all__ = ["spark_variants", "spark_lead_time_distribution", "spark_fills", "spark_department_handoffs"]
