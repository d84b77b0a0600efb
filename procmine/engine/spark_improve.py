"""Improvement candidates of a log whose rows stay on Apache Spark: the default engine's report.

:func:`procmine.improvement_candidates` calls :func:`spark_improvement_candidates` for a
:class:`~procmine.engine.spark.SparkLog`. It measures on Spark, over the steps and hand-offs of
:class:`~procmine.engine.spark_analyses._Measured`, the figures the rules of
:mod:`procmine.analyse.improve` read, and hands them to the same rules (``_stamp_candidates``,
``_time_limits``, ``_merge_candidates``, ``_parallel``, ``_owner_candidates``): the same
:class:`~procmine.analyse.improve.ImprovementReport`, candidate for candidate. What comes back to the
driver is one row per activity, per activity and department (or role), per hand-off pair, per pair
of activities seen together in a case, and the placeholder accounts (SYSTEM …): never the rows.

    >>> log = procmine.read_log("oa.approval_events", engine="spark")   # doctest: +SKIP
    >>> print(procmine.improvement_candidates(log))                      # doctest: +SKIP

Per-case figures are computed within the case on Spark (the steps are partitioned by case):
which steps were followed by a return to them or an earlier one (a return covers the steps from
the re-entered activity's previous pass up to the return), the case's opener, one approver per case and activity, each
hand-off pair's median wait in a case, and the pairs of first executions (a self-join of each
case's first passes: a case with k distinct activities gives k(k − 1)/2 rows, aggregated map-side).
"""

from __future__ import annotations

import polars as pl

from procmine.engine.spark import SparkLog, _polars
from procmine.engine.spark_analyses import SparkTimes, _Measured, _measure, _says_no, _step_causes
from procmine.log import ACTIVITY, DEPARTMENT, RESOURCE, ROLE


def spark_improvement_candidates(log: SparkLog, calendar, design, thresholds: dict):
    """:func:`procmine.improvement_candidates` of a log on Spark (``thresholds``: its keyword
    arguments, as the report states them): the same report, figure for figure."""
    from procmine.analyse import improve
    from procmine.analyse.causes import start_is_work_start
    from procmine.analyse.loops import hours_unit

    t = dict(thresholds)
    min_cases = t["min_cases"]
    measured = _measure(log, calendar)
    try:
        cal = measured.calendar
        has_start = not measured.completion_only
        basis = SparkTimes(cal, has_start).basis
        unit = {lang: hours_unit(basis, lang) for lang in ("zh", "en")}
        per_activity = _per_activity(measured)
        durations = dict(per_activity.select(ACTIVITY, "median_work_hours").iter_rows())
        overlaps, pairs = _pairs(measured)
        causes = _step_causes(measured, start_is_work_start(log))
        short = improve._short_limit(t["short_step_work_hours"], causes, cal)
        t["short_step_work_hours"] = short
        controls = improve._design_controls(design)
        by_department = _owner_counts(measured, DEPARTMENT)
        departments = _modes(by_department, DEPARTMENT)
        stamps = per_activity.select(ACTIVITY, "cases", "executions", "decisions", "approvals", "rejects", "returned") \
            .join(pl.DataFrame({ACTIVITY: list(departments), "department": list(departments.values())},
                               schema={ACTIVITY: pl.String, "department": pl.String}), on=ACTIVITY, how="left")
        no_events = per_activity.filter(pl.col("rejects") > 0).select(ACTIVITY, pl.col("rejects").alias("len"))
        placeholders = _placeholders(measured)
        found = [
            *improve._stamp_candidates(stamps, _single_approver_share(measured), no_events, durations, overlaps, unit,
                                       min_cases, controls, short, t["min_single_approver_share"],
                                       t["min_approve_share"]),
            *improve._time_limits(causes, unit, min_cases, controls, departments),
            *improve._merge_candidates(_handoff_pairs(measured, placeholders, min_cases), per_activity, durations,
                                       has_start, unit, min_cases, t["same_owner_share"], placeholders,
                                       t["applicant_share"]),
            *improve._parallel(overlaps, unit, min_cases, t["min_order_share"], t["max_overlap_share"], has_start,
                               lambda hits: _saving(measured, pairs, hits)),
            *_owners(measured, by_department, min_cases, t["min_owners"], t["max_owner_share"], t["applicant_share"]),
        ]
        cases = measured.steps.where("pos = 0").count()
        warnings = list(dict.fromkeys([*getattr(cal, "warnings", []), *measured.warnings]))
        return improve._report(found, t["min_saving_work_hours"], cases, basis, cal, t, warnings)
    finally:
        measured.release()


def _per_activity(measured: _Measured) -> pl.DataFrame:
    """Per activity, in one pass over the steps: cases (first passes), executions, decisions,
    approvals, rejections, executions followed by a return to them or an earlier step, the median
    working duration of all executions, and who does it (:func:`procmine.analyse.improve._step_parties`:
    submits, by_opener, decides, opens)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from procmine.outcomes import DECIDES

    steps = measured.steps
    # a return to an activity's pass n + 1 covers the steps from its pass n up to the return
    back = measured.handoffs.where("target_first_pos <= source_first_pos AND target_occurrence > 1").select(
        "c", F.col("target").alias("a"), (F.col("target_occurrence") - 1).alias("occurrence"),
        F.col("target_pos").alias("stop")).distinct()
    ranges = back.join(steps.select("c", "a", "occurrence", F.col("pos").alias("start")), on=["c", "a", "occurrence"]) \
        .groupBy("c").agg(F.collect_list(F.struct("start", "stop")).alias("__ranges"))
    returned = F.coalesce(F.exists("__ranges", lambda r: (r["start"] <= F.col("pos")) & (F.col("pos") < r["stop"])),
                          F.lit(False))
    opener = F.max(F.when(F.col("pos") == 0, F.col(RESOURCE))).over(Window.partitionBy("c"))
    rows = steps.join(ranges, on="c", how="left").withColumn("returned", returned).withColumn("__opener", opener)
    decision = F.col("decision")
    decides = F.coalesce(decision.isin(list(DECIDES)), F.lit(False))
    count = lambda condition: F.sum(condition.cast("int"))  # noqa: E731
    frame = _polars(rows.groupBy(F.col("a").alias(ACTIVITY)).agg(
        count(F.col("occurrence") == 1).alias("cases"), F.count(F.lit(1)).alias("executions"),
        count(decides).alias("decisions"), count(F.coalesce(decision == "approve", F.lit(False))).alias("approvals"),
        count(_says_no("decision")).alias("rejects"), count(F.col("returned")).alias("returned"),
        measured.pct("work_hours", 0.5).alias("median_work_hours"),
        # as polars' mean: over the events where the comparison is known (a decision, a person on both)
        F.avg(decision.isin("submit", "resubmit").cast("double")).alias("submits"),
        F.avg((F.col(RESOURCE) == F.col("__opener")).cast("double")).alias("by_opener"),
        F.max(decides).alias("decides"), F.avg((F.col("pos") == 0).cast("double")).alias("opens")))
    return frame.cast({"median_work_hours": pl.Float64, "submits": pl.Float64, "by_opener": pl.Float64,
                       "opens": pl.Float64})


def _single_approver_share(measured: _Measured) -> dict[str, float]:
    """:func:`procmine.analyse.improve._single_approver_share`: per activity, the share of cases whose
    passes at it (with a person recorded) were all one person's (grouped within each case)."""
    from pyspark.sql import functions as F

    per_case = measured.steps.where(F.col(RESOURCE).isNotNull()).groupBy("c", "a").agg(
        (F.min(RESOURCE) == F.max(RESOURCE)).cast("int").alias("one"))
    return {a: one / groups for a, groups, one in per_case.groupBy("a").agg(
        F.count(F.lit(1)).alias("groups"), F.sum("one").alias("one")).collect()}


def _owner_counts(measured: _Measured, level: str) -> pl.DataFrame:
    """Events per activity and owner at ``level`` (department or role): ACTIVITY, level, len."""
    from pyspark.sql import functions as F

    schema = {ACTIVITY: pl.String, level: pl.String, "len": pl.Int64}
    if not getattr(measured.log.columns, level):
        return pl.DataFrame(schema=schema)
    counted = _polars(measured.steps.where(F.col(level).isNotNull()).groupBy(F.col("a").alias(ACTIVITY), level)
                      .agg(F.count(F.lit(1)).alias("len")))
    return counted.select(*schema).cast(schema) if counted.height else pl.DataFrame(schema=schema)


def _modes(counts: pl.DataFrame, level: str) -> dict[str, str]:
    """Per activity its most common owner (ties: the first name; polars' ``mode().first()`` picks one of
    the tied, in no stated order)."""
    if counts.is_empty():
        return {}
    top = counts.sort([ACTIVITY, "len", level], descending=[False, True, False]).unique(ACTIVITY, keep="first")
    return dict(top.select(ACTIVITY, level).iter_rows())


def _placeholders(measured: _Measured) -> set[str]:
    """:func:`procmine.analyse.causes.placeholders`: the accounts that name no person. Spark finds the
    names holding a placeholder word in lower case (a wider test), polars' own test decides."""
    from pyspark.sql import functions as F

    from procmine.analyse.causes import PLACEHOLDER_WORDS, placeholders

    if not measured.log.columns.resource:
        return set()
    lower = F.lower(F.col(RESOURCE))
    holds = F.lit(False)
    for word in PLACEHOLDER_WORDS:
        holds = holds | lower.contains(word.lower())
    names = [r[0] for r in measured.steps.where(holds).select(RESOURCE).distinct().collect()]
    return placeholders(pl.DataFrame({RESOURCE: names}, schema={RESOURCE: pl.String}))


def _handoff_pairs(measured: _Measured, placeholders: set[str], min_cases: int) -> pl.DataFrame:
    """Per hand-off between two activities, counted over cases (a pair repeated in a case counts
    once, with its median wait, and as the same person only when every repeat was): cases, the median
    wait, and how many cases had both people (departments) known and the same."""
    from pyspark.sql import functions as F

    h = measured.handoffs.where(F.col("source") != F.col("target"))

    def person(column: str):
        return F.when(~F.col(column).isin(sorted(placeholders)), F.col(column)) if placeholders else F.col(column)

    checks = {}
    for tag, (a, b) in (("person", (person(f"source_{RESOURCE}"), person(f"target_{RESOURCE}"))),
                        ("dept", (F.col(f"source_{DEPARTMENT}"), F.col(f"target_{DEPARTMENT}")))):
        checks[f"{tag}_known"] = a.isNotNull() & b.isNotNull()
        checks[f"{tag}_same"] = F.coalesce(a == b, F.lit(False))
    per_case = h.groupBy("source", "target", "c").agg(
        measured.pct("work_hours", 0.5).alias("wait"),
        *[F.min(check.cast("int")).alias(name) for name, check in checks.items()])
    stats = per_case.groupBy("source", "target").agg(
        F.count(F.lit(1)).alias("cases"), measured.pct("wait", 0.5).alias("wait"),
        *[e for tag in ("person", "dept") for e in (
            F.sum(f"{tag}_known").alias(f"{tag}_known"),
            F.sum(F.col(f"{tag}_same") * F.col(f"{tag}_known")).alias(f"{tag}_same"))],
    ).where(F.col("cases") >= min_cases)
    schema = {"source": pl.String, "target": pl.String, "cases": pl.Int64, "wait": pl.Float64,
              **{f"{tag}_{kind}": pl.Int64 for tag in ("person", "dept") for kind in ("known", "same")}}
    found = _polars(stats)
    return found.select(*schema).cast(schema) if found.height else pl.DataFrame(schema=schema)


def _pairs(measured: _Measured):
    """:func:`procmine.analyse.improve._pairs` from a self-join of each case's first passes: per pair
    of activities (a < b by name) the cases with both, how often each came first (completed before
    the other arrived) and how often they overlapped. Also the joined pairs (on Spark) for
    :func:`_saving`."""
    from pyspark.sql import functions as F

    firsts = measured.steps.where("occurrence = 1").select("c", "a", "pos", "b_us", "t_us", "work_hours")
    x = firsts.select("c", *[F.col(k).alias(f"x_{k}") for k in firsts.columns if k != "c"])
    y = firsts.select("c", *[F.col(k).alias(f"y_{k}") for k in firsts.columns if k != "c"])
    x_is_a = F.col("x_a") < F.col("y_a")
    pairs = x.join(y, on="c").where(F.col("x_pos") < F.col("y_pos")).select(
        F.least("x_a", "y_a").alias("a"), F.greatest("x_a", "y_a").alias("b"), x_is_a.alias("x_is_a"),
        (F.col("x_t_us") <= F.col("y_b_us")).alias("x_before_y"),
        ((F.col("x_b_us") < F.col("y_t_us")) & (F.col("y_b_us") < F.col("x_t_us"))).alias("overlap"),
        F.col("x_work_hours"), F.col("y_work_hours"))
    count = lambda condition: F.sum(condition.cast("int"))  # noqa: E731
    counted = _polars(pairs.groupBy("a", "b").agg(
        F.count(F.lit(1)).alias("cases"), count(F.col("x_before_y") & F.col("x_is_a")).alias("a_first"),
        count(F.col("x_before_y") & ~F.col("x_is_a")).alias("b_first"), count(F.col("overlap")).alias("overlap")))
    schema = {"a": pl.String, "b": pl.String, "cases": pl.UInt32, "a_first": pl.UInt32, "b_first": pl.UInt32,
              "overlap": pl.UInt32}
    counted = counted.select(*schema).cast(schema).sort("a", "b") if counted.height else pl.DataFrame(schema=schema)
    return counted, pairs


def _saving(measured: _Measured, pairs, wanted: pl.DataFrame) -> dict[tuple[str, str], float | None]:
    """:func:`procmine.analyse.improve._saving`: per wanted pair, the median over cases of the shorter
    of the two first passes' working durations (broadcast: the few pairs wanted)."""
    from pyspark.sql import functions as F

    if wanted.is_empty():
        return {}
    chosen = measured.log.spark.createDataFrame(list(wanted.select("a", "b").iter_rows()), "a string, b string")
    both = F.col("x_work_hours").isNotNull() & F.col("y_work_hours").isNotNull()
    shorter = F.when(both, F.least("x_work_hours", "y_work_hours"))
    medians = pairs.join(F.broadcast(chosen), on=["a", "b"]).groupBy("a", "b").agg(
        measured.pct(shorter, 0.5).alias("median")).collect()
    return {(a, b): None if m is None else float(m) for a, b, m in medians}


def _owners(measured: _Measured, by_department: pl.DataFrame, min_cases, min_owners, max_share, applicant_share):
    """:func:`procmine.analyse.improve._owners`: per activity its cases, events and owners at the
    department (else role) level, and the share of its events in the department (role) of the
    step that opened the case; the events per owner come from the counts."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from procmine.analyse.improve import _owner_candidates

    level = next((c for c in (DEPARTMENT, ROLE) if measured.has_values(c)), None)
    if level is None:
        return []
    counts = by_department if level == DEPARTMENT else _owner_counts(measured, ROLE)
    own = F.max(F.when(F.col("pos") == 0, F.col(level))).over(Window.partitionBy("c"))
    events = measured.steps.withColumn("__own", own).where(F.col(level).isNotNull())
    stats = _polars(events.groupBy(F.col("a").alias(ACTIVITY)).agg(
        F.countDistinct("c").alias("cases"), F.count(F.lit(1)).alias("events"),
        F.countDistinct(level).alias("owners"),
        F.avg(F.coalesce(F.col(level) == F.col("__own"), F.lit(False)).cast("double")).alias("applicant_share")))
    return _owner_candidates(level, stats, lambda name: counts.filter(pl.col(ACTIVITY) == name).select(level, "len"),
                             min_cases, min_owners, max_share, applicant_share)


__all__ = ["spark_improvement_candidates"]
