"""Bottlenecks and loops of a log whose rows stay on Apache Spark: the default engine's results.

:func:`procmine.bottlenecks` and :func:`procmine.find_loops` call :func:`spark_bottlenecks` and
:func:`spark_loops` for a :class:`~procmine.engine.spark.SparkLog`. They return the same
:class:`~procmine.analyse.bottlenecks.Bottlenecks` and :class:`~procmine.analyse.loops.LoopReport`
with the same figures, computed by group-bys and windows over the steps and hand-offs that
:mod:`procmine.engine.spark` builds. What comes back to the driver is one row per activity, per
hand-off, per person (department, role), per activity × weekday × hour, per owner × week, per loop
and per pair of people in a ping-pong, and the few example cases a loop lists: never the rows.

    >>> log = procmine.read_log("oa.approval_events", engine="spark")   # doctest: +SKIP
    >>> print(procmine.bottlenecks(log))                                 # doctest: +SKIP
    >>> print(procmine.find_loops(log))                                  # doctest: +SKIP

On Spark the steps also carry, per case and activity, ``occurrence`` (1 for the first pass, 2 for
the second …) and ``first_pos`` (window functions over case and activity: the rows are already
partitioned by case, so no shuffle); each hand-off carries its two steps' positions, occurrences,
decisions and people (two joins on case and position). One thing is not brought back: a loop's
``case_ids`` (every case that went round it) is left empty, since it is as long as the log;
``example_cases`` lists the first ones, as the default engine does.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

import networkx as nx
import polars as pl

from procmine.engine.spark import (SEPARATOR, US_PER_DAY, US_PER_HOUR, SparkLog, _parallel_pairs, _polars, _steps,
                                   completion_pairs, percentile)
from procmine.log import ACTIVITY, DEPARTMENT, RESOURCE, ROLE

ROLES = (RESOURCE, DEPARTMENT, ROLE)


# --- what both analyses read -------------------------------------------------------------------

@dataclass
class SparkTimes:
    """What a result keeps of the time tables it was measured from (the calendar, the ordering):
    the rows themselves stay on Spark."""

    calendar: object
    has_start_times: bool
    #: the time tables' own warnings (most steps completed outside working time?)
    warnings: list[str] = field(default_factory=list)

    @property
    def basis(self) -> str:
        return "calendar" if self.calendar.kind == "none" else "working"


class _Measured:
    """The steps, hand-offs and cases of a SparkLog under a calendar, persisted on Spark while an
    analysis reads them (:meth:`release` frees them). Column names follow the default engine's
    tables where they mean the same: occurrence, first_pos, decision, work_hours …"""

    def __init__(self, log: SparkLog, calendar, extra: dict | None = None):
        from pyspark import StorageLevel
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        self.log, self.calendar = log, calendar
        self.completion_only = not log.has_start_times
        self.pct = percentile(log.exact)
        #: each role's column of the rows (blanks missing, spellings merged as the reader merges them)
        self.roles = role_columns(log)
        # ``extra``: more columns of the rows the steps carry ({name: column}, e.g. a rule's attribute)
        steps = _steps(log, self.completion_only, calendar, extra={**self.roles, **(extra or {})})
        by_activity = Window.partitionBy("c", "a")  # the rows are partitioned by case: no shuffle
        steps = steps.withColumn("occurrence", F.row_number().over(by_activity.orderBy("pos"))) \
            .withColumn("first_pos", F.min("pos").over(by_activity))
        self.steps = steps.select("c", "a", "pos", "b", "t", "t_us", "w_t", "hours", "work_hours", "decision",
                                  "occurrence", "first_pos", *ROLES, "b_us", "w_b", "__r", *(extra or {})) \
            .persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted = [self.steps]
        self.shared = False

    def release(self) -> None:
        """Free what is persisted, unless analyses share this measurement (see :func:`measured_once`)."""
        if not self.shared:
            self.free()

    def free(self) -> None:
        for frame in self._persisted:
            frame.unpersist()

    @cached_property
    def pairs(self):
        """One row per hand-off: c, source, target, their positions, hours, sync_hours, work_hours."""
        pairs = completion_pairs(self.steps, work=True) if self.completion_only else self._marked.where("kind = 0")
        return pairs.select("c", "source", "target", "source_pos", "target_pos", "hours", "sync_hours", "work_hours")

    @cached_property
    def handoffs(self):
        """:attr:`pairs` with, of each step, its occurrence, first_pos, decision and people
        (``source_*``, ``target_*``), persisted."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        steps, pairs = self.steps, self.pairs

        def side(name: str):
            return steps.select("c", F.col("pos").alias(f"{name}_pos"),
                                *[F.col(c).alias(f"{name}_{c}") for c in ("occurrence", "first_pos", "decision",
                                                                         "t_us", *ROLES)])
        handoffs = pairs.join(side("source"), on=["c", "source_pos"]).join(side("target"), on=["c", "target_pos"])
        handoffs = handoffs.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(handoffs)
        return handoffs

    @cached_property
    def _marked(self):
        """With arrival times: the parallel-aware rule's rows (hand-offs, first and last steps), persisted."""
        from pyspark import StorageLevel

        marked = _parallel_pairs(self.steps, work=True).persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(marked)
        return marked

    @cached_property
    def endpoints(self):
        """Where each case starts (kind 1) and ends (kind 2): c, kind, a. In completion order its first
        and last step; with arrival times the steps nothing hands over to and those that hand over to
        nothing (the default engine's ``first_steps`` and ``last_steps``, open cases included)."""
        from pyspark.sql import functions as F

        if not self.completion_only:
            return self._marked.where("kind > 0").select("c", "kind", F.col("source").alias("a"))
        return self.cases.select("c", F.lit(1).alias("kind"), F.col("start_a").alias("a")).unionByName(
            self.cases.select("c", F.lit(2).alias("kind"), F.col("end_a").alias("a")))

    @cached_property
    def cases(self):
        """One row per case: c, events, lead_hours, lead_work_hours, open, start_a, end_a."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        per_case = self.steps.groupBy("c").agg(
            F.count(F.lit(1)).alias("events"),
            ((F.max("t_us") - F.min("b_us")) / US_PER_HOUR).alias("lead_hours"),
            ((F.max("w_t") - F.min("w_b")) / US_PER_HOUR).alias("lead_work_hours"),
            F.min_by("a", "pos").alias("start_a"), F.max_by("a", "pos").alias("end_a"))
        open_ids = self.log._cleaned[4].select("c", F.lit(True).alias("open"))
        per_case = per_case.join(open_ids, on="c", how="left").withColumn("open", F.coalesce("open", F.lit(False)))
        per_case = per_case.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(per_case)
        return per_case

    @cached_property
    def totals(self) -> dict:
        """Cases, and lead time summed over all cases (open ones too) in working hours."""
        from pyspark.sql import functions as F

        row = self.cases.agg(F.count(F.lit(1)).alias("cases"), F.sum("lead_work_hours").alias("lead_total")).collect()[0]
        return {"cases": int(row["cases"]), "lead_total": float(row["lead_total"] or 0.0) or None}

    @cached_property
    def warnings(self) -> list[str]:
        """The default engine's plausibility warning (most steps completed outside working time), from
        every step: the working time in the minute before each completion, by the broadcast calendar."""
        from pyspark.sql import functions as F

        from procmine.engine.spark import _working_positions
        from procmine.engine.tables import OUTSIDE_HOURS_WARNING

        calendar = self.calendar
        if calendar.kind == "none":
            return []
        before = self.steps.select("w_t", (F.col("t") - F.expr("INTERVAL 1 MINUTE")).alias("t")) \
            .withColumnRenamed("w_t", "w_end")
        before = _working_positions(before, calendar, self.log._cleaned[1], self.log.timezone, self.log.spark,
                                    completion_only=True)
        row = before.agg(F.count(F.lit(1)).alias("n"),
                         F.sum((F.col("w_end") - F.col("w_t") <= 0).cast("int")).alias("outside")).collect()[0]
        if not row["n"]:
            return []
        outside = row["outside"] / row["n"]
        if outside <= OUTSIDE_HOURS_WARNING:
            return []
        return [f"{outside * 100:.0f} % of the steps were completed outside working time "
                f"({calendar.describe('en')}); check that --timezone, --work-hours and --calendar fit this log, "
                "or use --calendar none for calendar time"]

    @cached_property
    def per_activity(self) -> pl.DataFrame:
        """Per activity: cases (its first passes), executions, the median working hours of a first
        pass, working hours at first passes and at later ones, and the people doing it."""
        from pyspark.sql import functions as F

        first = F.col("occurrence") == 1
        return _polars(self.steps.groupBy(F.col("a").alias(ACTIVITY)).agg(
            F.sum(first.cast("int")).alias("cases"), F.count(F.lit(1)).alias("executions"),
            self.pct(F.when(first, F.col("work_hours")), 0.5).alias("median_work_hours"),
            F.sum(F.when(first, F.col("work_hours"))).alias("at_step_work_hours"),
            F.sum(F.when(~first, F.col("work_hours"))).alias("rework_step_work_hours"),
            F.countDistinct(RESOURCE).alias("people"))).cast(
            {"at_step_work_hours": pl.Float64, "rework_step_work_hours": pl.Float64, "median_work_hours": pl.Float64})

    def has_values(self, role: str) -> bool:
        from pyspark.sql import functions as F

        if not getattr(self.log.columns, role):
            return False
        return bool(self.steps.where(F.col(role).isNotNull()).limit(1).count())


def role_columns(log: SparkLog) -> dict:
    """{resource, department, role: its column of the rows}: blanks missing, spellings merged as the
    reader merges them; a role the log does not map is a column of nulls."""
    from pyspark.sql import functions as F

    from procmine.engine.spark_filters import _event_values

    return {role: (_event_values(log, role)[0] if getattr(log.columns, role) else F.lit(None).cast("string"))
            for role in ROLES}


def open_step_rows(log: SparkLog, extra: dict):
    """Steps that had arrived but were not completed at export (the rows reading set apart), of the
    log's open cases: c, a, s (the arrival) and ``extra`` ({name: column of the rows}); None without
    arrival times."""
    from pyspark.sql import functions as F

    from procmine.engine.spark import _as_time

    m = log.columns
    if not m.start_timestamp:
        return None
    frame = log._frame
    arrival, completion = _as_time(frame, m.start_timestamp), _as_time(frame, m.timestamp)
    raw = F.col(f"`{m.timestamp}`")
    blank = raw.isNull() | (F.trim(raw.cast("string")) == "")
    case = F.trim(F.col(f"`{m.case}`").cast("string"))
    activity = F.trim(F.col(f"`{m.activity}`").cast("string"))
    rows = frame.where(case.isNotNull() & (case != "") & activity.isNotNull() & (activity != "")
                       & completion.isNull() & blank & arrival.isNotNull())
    rows = rows.select(case.alias("c"), activity.alias("a"), arrival.alias("s"),
                       *[column.alias(name) for name, column in extra.items()])
    return rows.join(log._cleaned[4], on="c", how="left_semi")


def _measure(log: SparkLog, calendar, extra: dict | None = None) -> _Measured:
    from procmine.calendar import Calendar

    calendar = calendar or Calendar(timezone=log.timezone)
    shared = log._shared_measures
    if shared is None or extra:
        return _Measured(log, calendar, extra)
    if calendar not in shared:
        shared[calendar] = _Measured(log, calendar)
        shared[calendar].shared = True  # kept for the next analysis: freed at the block's end
    return shared[calendar]


@contextmanager
def measured_once(log: SparkLog):
    """Within the block, the analyses of ``log`` (bottlenecks, loops, improve, the hand-offs between
    departments) share one measurement per calendar: the steps, hand-offs and cases are built and
    persisted on Spark once, not once per analysis, and freed at the end (the survey report)."""
    if log._shared_measures is not None:  # already inside one
        yield
        return
    log._shared_measures = {}
    try:
        yield
    finally:
        shared, log._shared_measures = log._shared_measures, None
        for measured in shared.values():
            measured.free()


def _says_no(column: str):
    """A step's decision sent the work back or rejected it (null: no), as :func:`procmine.analyse.loops.says_no`."""
    from pyspark.sql import functions as F

    from procmine.outcomes import SAYS_NO

    return F.coalesce(F.col(column).isin(list(SAYS_NO)), F.lit(False))


def _ranked(frame: pl.DataFrame, keys: list[str], by: str) -> pl.DataFrame:
    """Largest ``by`` first (nulls last), ties by the keys: the default engine's order."""
    return frame.sort([by, *keys], descending=[True] + [False] * len(keys), nulls_last=True)


# --- bottlenecks -------------------------------------------------------------------------------

def spark_bottlenecks(log: SparkLog, calendar=None):
    """:func:`procmine.bottlenecks` of a log on Spark: the same :class:`Bottlenecks`, figure for figure."""
    from procmine.analyse.bottlenecks import Bottlenecks, MapWhenDrawn
    from procmine.analyse.causes import start_is_work_start

    measured = _measure(log, calendar)
    try:
        lead_total = measured.totals["lead_total"]
        steps, handoffs = measured.steps, measured.handoffs
        # activities and people in one pass over the steps
        ranked = _rank(measured, steps, {ACTIVITY: "a", **{level: level for level in ROLES}}, "events", lead_total)
        activities = ranked[ACTIVITY]
        hand = _rank(measured, handoffs, {"source": "source", "target": "target"}, "frequency", lead_total,
                     together=True)["source"]
        notes = []
        if measured.completion_only:  # as the default engine: the wait is the later step's own duration
            hand = hand.with_columns(pl.lit(None, dtype=pl.Float64).alias("share_of_lead_time")).sort(
                ["total_work_hours", "source", "target"], descending=[True, False, False], nulls_last=True)
            notes.append("the log has no arrival times: the time between two completions is counted at the later "
                         "step, so hand-offs have no share of their own")
        people = {level: ranked[level] for level in ROLES}
        path, path_hours = _critical_path(measured)
        work_starts = start_is_work_start(log)
        causes = _step_causes(measured, work_starts)
        times = SparkTimes(measured.calendar, not measured.completion_only, measured.warnings)
        owner = DEPARTMENT if people[DEPARTMENT].height else RESOURCE  # the backlog's, as the default engine's
        result = Bottlenecks(
            activities=activities, handoffs=hand, resources=people[RESOURCE], departments=people[DEPARTMENT],
            roles=people[ROLE], critical_path=path, critical_path_work_hours=path_hours,
            backlog=_backlog(measured, owner),
            cases=measured.totals["cases"], basis=times.basis, calendar_description=measured.calendar.describe("en"),
            source=log.label, _tables=times,
            _map=MapWhenDrawn(log),
            notes=notes + measured.warnings + list(getattr(measured.calendar, "warnings", [])),
            causes=causes, workload=_workload(measured, causes[ACTIVITY].head(3).to_list()), work_starts=work_starts)
    finally:
        measured.release()
    return result


def _rank(measured: _Measured, frame, keys: dict[str, str], count_name: str, lead_total, together: bool = False
          ) -> dict[str, pl.DataFrame]:
    """The default engine's rankings of ``frame``, by each of ``keys`` ({name: column}) in one pass
    (``together``: by all of them at once, named by the first): count, cases, median and p90 hours
    (calendar and working), total working hours and share of lead time, most share first."""
    from functools import reduce

    from pyspark.sql import functions as F

    pct = measured.pct
    groups = [list(keys)] if together else [[name] for name in keys]
    width = max(map(len, groups))
    parts = [frame.where(" AND ".join(f"`{keys[k]}` IS NOT NULL" for k in group)).select(
        F.lit(group[0]).alias("__by"), *[F.col(keys[k]).alias(f"__key{n}") for n, k in enumerate(group)],
        *[F.lit(None).cast("string").alias(f"__key{n}") for n in range(len(group), width)],
        "c", "hours", "work_hours") for group in groups]
    total = F.coalesce(F.sum("work_hours"), F.lit(0.0))
    ranked = _polars(reduce(lambda a, b: a.unionByName(b), parts).groupBy("__by", *[f"__key{n}" for n in range(width)])
                     .agg(F.count(F.lit(1)).alias(count_name), F.countDistinct("c").alias("cases"),
                          pct("hours", 0.5).alias("median_hours"), pct("hours", 0.9).alias("p90_hours"),
                          pct("work_hours", 0.5).alias("median_work_hours"),
                          pct("work_hours", 0.9).alias("p90_work_hours"), total.alias("total_work_hours"),
                          (total / F.lit(lead_total) if lead_total else F.lit(None).cast("double"))
                          .alias("share_of_lead_time")))
    figures = {count_name: pl.Int64, "cases": pl.Int64,
               **{name: pl.Float64 for name in ("median_hours", "p90_hours", "median_work_hours", "p90_work_hours",
                                                "total_work_hours", "share_of_lead_time")}}
    found = {}
    for group in groups:
        schema = {**{k: pl.String for k in group}, **figures}
        mine = ranked.filter(pl.col("__by") == group[0]) if ranked.height else ranked
        if mine.height:
            mine = mine.rename({f"__key{n}": k for n, k in enumerate(group)}).select(*schema).cast(schema)
        else:
            mine = pl.DataFrame(schema=schema)
        found[group[0]] = _ranked(mine, group, "share_of_lead_time")
    return found


def _critical_path(measured: _Measured) -> tuple[list[str], float | None]:
    """:func:`procmine.analyse.bottlenecks.critical_path` from aggregates: each activity's first
    passes and the hand-offs between first passes, with the usual first and last step."""
    from pyspark.sql import functions as F

    from procmine.analyse.bottlenecks import TYPICAL_SHARES, _longest_path

    pct = measured.pct
    activity_stats = measured.per_activity.select(ACTIVITY, "cases", pl.col("median_work_hours").alias("median"))
    hand_stats = _polars(measured.handoffs.where("source_occurrence = 1 AND target_occurrence = 1")
                         .groupBy("source", "target").agg(F.count(F.lit(1)).alias("cases"),
                                                          pct("work_hours", 0.5).alias("median")))
    if measured.completion_only and hand_stats.height:
        hand_stats = hand_stats.with_columns(pl.lit(0.0).alias("median"))
    ends = _polars(measured.cases.select(F.col("start_a").alias("a"), F.lit(0).alias("kind")).unionByName(
        measured.cases.where(~F.col("open")).select(F.col("end_a").alias("a"), F.lit(1).alias("kind")))
        .groupBy("kind", "a").count())
    start, end = (_most_common(ends.filter(pl.col("kind") == k)) for k in (0, 1))
    # the default engine reads these in group order; sorted here, so ties resolve the same way each time
    activity_stats = activity_stats.sort(ACTIVITY) if activity_stats.height else activity_stats
    hand_stats = hand_stats.sort("source", "target") if hand_stats.height else hand_stats
    cases = measured.totals["cases"]
    for typical in TYPICAL_SHARES:
        floor = max(1, math.ceil(typical * cases))
        path, hours = _longest_path(activity_stats, hand_stats, start, end, floor)
        if path:
            return path, hours
    return [], None


def _most_common(counted: pl.DataFrame) -> str | None:
    if counted.height == 0:
        return None
    return counted.sort(["count", "a"], descending=[True, False])["a"][0]


def _backlog(measured: _Measured, owner: str) -> pl.DataFrame:
    """:func:`procmine.analyse.bottlenecks.backlog` from counts per owner and week: arrivals and
    completions each counted in their week (local time), summed up on the driver; steps still open
    at export count from their arrival."""
    from pyspark.sql import functions as F

    zone = measured.log.timezone
    empty = pl.DataFrame(schema={"period_end": pl.Datetime("us", zone), "owner": pl.String, "open_items": pl.Int64})

    def week(column):  # weeks since the Monday 1969-12-29, in local time
        local = F.expr(f"unix_micros(from_utc_timestamp({column}, '{zone}'))")
        return F.floor((F.floor(local / F.lit(US_PER_DAY)) + 3) / 7).cast("long")

    items = measured.steps.where(F.col(owner).isNotNull())
    counted = _polars(items.select(F.col(owner).alias("owner"), week("b").alias("week"), F.lit(1).alias("change"))
                      .unionByName(items.select(F.col(owner).alias("owner"), week("t").alias("week"),
                                                F.lit(-1).alias("change")))
                      .groupBy("owner", "week", "change").count())
    if counted.height == 0:
        return empty
    owners = counted["owner"].unique().sort()
    still_open = _open_steps(measured, owner)
    if still_open is not None:
        arrived = _polars(still_open.select(F.col("owner"), week("s").alias("week"), F.lit(1).alias("change"))
                          .groupBy("owner", "week", "change").count())
        if arrived.height:
            counted = pl.concat([counted, arrived.filter(pl.col("owner").is_in(owners.implode()))])
    first_week, last_week = int(counted["week"].min()), int(counted["week"].max())
    grid = pl.DataFrame({"owner": owners}).join(
        pl.DataFrame({"week": pl.int_range(first_week, last_week + 1, eager=True, dtype=pl.Int64)}), how="cross")
    change = counted.group_by("owner", "week").agg((pl.col("change") * pl.col("count")).sum().alias("change"))
    table = grid.join(change.with_columns(pl.col("week").cast(pl.Int64)), on=["owner", "week"], how="left") \
        .sort("owner", "week").with_columns(pl.col("change").fill_null(0).cum_sum().over("owner").alias("open_items"))
    monday = (pl.col("week") * 7 - 3) * US_PER_DAY
    period_end = (monday + 7 * US_PER_DAY - 1).cast(pl.Datetime("us"))
    if zone:
        period_end = period_end.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    return table.select(period_end.alias("period_end"), "owner", pl.col("open_items").cast(pl.Int64)) \
        .sort(["period_end", "owner"])


def _open_steps(measured: _Measured, owner: str):
    """Steps that had arrived but were not completed at export (the rows reading set apart): owner
    and arrival, of the log's open cases; None without arrival times."""
    from pyspark.sql import functions as F

    if not getattr(measured.log.columns, owner):
        return None
    rows = open_step_rows(measured.log, {"owner": measured.roles[owner]})
    return None if rows is None else rows.where(F.col("owner").isNotNull())


def _step_causes(measured: _Measured, work_starts: bool) -> pl.DataFrame:
    """:func:`procmine.analyse.causes.step_causes` from aggregates: per activity the time split,
    the person carrying most of it, the completions by weekday and hour, and the causes named."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from procmine.analyse.causes import BATCH_SHARE, MIN_COMPLETIONS, PLACEHOLDER_WORDS, with_causes

    steps, per_activity = measured.steps, measured.per_activity
    medians = per_activity["median_work_hours"].drop_nulls()
    typical = medians.filter(medians > 0).median()
    # one wait per step, however many predecessors it has (they share the moment it was ready)
    waits = measured.handoffs.dropDuplicates(["c", "target_pos"]).groupBy(F.col("target").alias(ACTIVITY)).agg(
        F.sum(F.when(F.col("target_occurrence") == 1, F.col("work_hours"))).alias("wait_work_hours"),
        F.sum(F.when(F.col("target_occurrence") > 1, F.col("work_hours"))).alias("rework_wait_work_hours"))
    waits = _polars(waits).cast({"wait_work_hours": pl.Float64, "rework_wait_work_hours": pl.Float64})
    if measured.completion_only:
        waits = waits.with_columns(pl.lit(0.0).alias("wait_work_hours"), pl.lit(0.0).alias("rework_wait_work_hours"))
    placeholder = F.lit(False)
    for word in PLACEHOLDER_WORDS:
        placeholder = placeholder | F.lower(F.col(RESOURCE)).contains(word.lower())
    by_person = steps.where(F.col(RESOURCE).isNotNull() & ~placeholder).groupBy("a", RESOURCE).count()
    top = Window.partitionBy("a").orderBy(F.col("count").desc(), F.col(RESOURCE))
    people = _polars(by_person.withColumn("rank", F.row_number().over(top)).where("rank = 1")
                     .select(F.col("a").alias(ACTIVITY), F.col(RESOURCE).alias("top_person"), F.col("count")))
    if people.height:
        people = people.join(per_activity.select(ACTIVITY, "executions"), on=ACTIVITY).select(
            ACTIVITY, "top_person", (pl.col("count") / pl.col("executions")).alias("top_person_share"))
    else:
        people = pl.DataFrame(schema={ACTIVITY: pl.String, "top_person": pl.String, "top_person_share": pl.Float64})
    frame = (per_activity
             .join(waits, on=ACTIVITY, how="left").join(people, on=ACTIVITY, how="left")
             .join(_rhythm(measured, BATCH_SHARE, MIN_COMPLETIONS), on=ACTIVITY, how="left"))
    return with_causes(frame, typical, work_starts)  # the default engine's rules, on the same figures


def _rhythm(measured: _Measured, batch_share: float, min_completions: int) -> pl.DataFrame:
    """Per activity: completions by weekday (Mon … Sun) and hour, local time (the session's zone is
    the log's), and the weekday holding at least ``batch_share`` of them."""
    from pyspark.sql import functions as F

    counted = _polars(measured.steps.groupBy(
        F.col("a").alias(ACTIVITY), ((F.dayofweek("t") + 5) % 7).alias("weekday"), F.hour("t").alias("hour")).count())
    rows = []
    for (activity,), group in counted.group_by(ACTIVITY, maintain_order=True):
        by_weekday, by_hour = [0] * 7, [0] * 24
        for weekday, hour, n in group.select("weekday", "hour", "count").iter_rows():
            by_weekday[weekday] += n
            by_hour[hour] += n
        completions = sum(by_weekday)
        top = max(range(7), key=lambda d: (by_weekday[d], -d))  # the first of the busiest days, as argmax
        share = max(by_weekday) / max(completions, 1)
        rows.append({ACTIVITY: activity, "by_weekday": by_weekday, "by_hour": by_hour, "batch_share": share,
                     "batch_weekday": top if share >= batch_share and completions >= min_completions else None})
    schema = {ACTIVITY: pl.String, "by_weekday": pl.List(pl.UInt32), "by_hour": pl.List(pl.UInt32),
              "batch_share": pl.Float64, "batch_weekday": pl.UInt32}
    return pl.DataFrame(rows, schema=schema)


def _workload(measured: _Measured, activities: list[str]) -> pl.DataFrame:
    """:func:`procmine.analyse.bottlenecks.workload_at`: per person at each of ``activities``."""
    from pyspark.sql import functions as F

    schema = {ACTIVITY: pl.String, RESOURCE: pl.String, "executions": pl.Int64, "median_work_hours": pl.Float64,
              "total_work_hours": pl.Float64}
    at = measured.steps.where(F.col("a").isin(activities) & F.col(RESOURCE).isNotNull())
    found = _polars(at.groupBy(F.col("a").alias(ACTIVITY), RESOURCE).agg(
        F.count(F.lit(1)).alias("executions"), measured.pct("work_hours", 0.5).alias("median_work_hours"),
        F.coalesce(F.sum("work_hours"), F.lit(0.0)).alias("total_work_hours")))
    found = found.cast(schema) if found.height else pl.DataFrame(schema=schema)
    return (found.with_columns((pl.col("executions") / pl.col("executions").sum().over(ACTIVITY)).alias("share_of_step"))
            .sort([ACTIVITY, "executions", RESOURCE], descending=[False, True, False]))


# --- loops -------------------------------------------------------------------------------------

def spark_loops(log: SparkLog, calendar=None, *, examples: int = 5, ping_pong_by: str | None = "auto"):
    """:func:`procmine.find_loops` of a log on Spark: the same :class:`LoopReport`, figure for figure
    (``case_ids`` left empty: see the module docstring)."""
    from pyspark.sql import functions as F

    from procmine.analyse.loops import MAP_CYCLE_CAP, MAP_CYCLE_LENGTH, SCHEMA, LoopReport

    measured = _measure(log, calendar)
    try:
        steps, handoffs = measured.steps, measured.handoffs
        n_cases = measured.totals["cases"]
        # the process map's graph without start and end: its activities and hand-offs
        graph = nx.DiGraph()
        typical = {r[0]: float(r[1]) for r in steps.groupBy("a").agg(measured.pct("pos", 0.5)).collect()}
        graph.add_nodes_from(sorted(typical))
        graph.add_edges_from(sorted((r[0], r[1]) for r in handoffs.select("source", "target").distinct().collect()))
        sccs = [sorted(c, key=lambda a: (typical.get(a, 0), a)) for c in nx.strongly_connected_components(graph)
                if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))]
        scc_of = {a: c for c in sccs for a in c}

        loops, loop_members = _loop_rows(measured)
        by = _ping_pong_level(measured, ping_pong_by)
        pongs, pong_members, pong_pairs = _ping_pong_rows(measured, by) if by else ([], None, None)
        records = _fold(measured, loops, loop_members, pongs, pong_members, pong_pairs)
        members = loop_members if pong_members is None else loop_members.unionByName(pong_members)
        ids = [r["id"] for r in records]
        extra = _median_extra(measured, members, ids)
        shown = _examples(members, ids, examples)
        with_loops = members.where(F.col("id").isin(ids)).select("c").distinct().count() if ids else 0
        for r in records:
            r.update(cases=r["cases"], case_share=r["cases"] / n_cases if n_cases else 0.0,
                     median_extra_work_hours=extra.get(r["id"]), scc=scc_of.get(r["activities"][0], []),
                     example_cases=shown.get(r["id"], []), case_ids=None)
            pairs = sorted(r.pop("pairs").values(), key=lambda p: (-p[1], p[0]))
            r["parties"] = [f"{a} ⇄ {b} ({n})" for (a, b), n in pairs[:3]] if pairs else None
            r["party_pairs"] = len(pairs) if pairs else None
            del r["id"]
        frame = pl.DataFrame(records, schema=SCHEMA) if records else pl.DataFrame(schema=SCHEMA)
        frame = frame.with_columns(pl.col("activities").list.join(" → ").alias("__label")).sort(
            ["cases", "traversals", "__label"], descending=[True, True, False]).drop("__label")
        repeated = _polars(steps.where("occurrence > 1").groupBy(F.col("a").alias(ACTIVITY)).agg(
            F.sum((F.col("occurrence") == 2).cast("int")).alias("cases"), F.count(F.lit(1)).alias("repetitions"),
            F.max("occurrence").alias("max_in_case")))
        repeated_schema = {ACTIVITY: pl.String, "cases": pl.Int64, "repetitions": pl.Int64, "max_in_case": pl.Int64}
        repeated = repeated.cast(repeated_schema) if repeated.height else pl.DataFrame(schema=repeated_schema)
        repeated = repeated.sort(["cases", "repetitions", ACTIVITY], descending=[True, True, False])
        confirmed = {a for edge in frame["back_edge"].drop_nulls().to_list() for a in edge}
        regions = [{"activities": c, "confirmed": bool(confirmed & set(c)),
                    "simple_cycles": sum(1 for _ in islice(
                        nx.simple_cycles(graph.subgraph(c), length_bound=MAP_CYCLE_LENGTH), MAP_CYCLE_CAP))}
                   for c in sccs]
        cal = measured.calendar
        warnings = list(dict.fromkeys([*getattr(cal, "warnings", []), *measured.warnings]))
        basis = SparkTimes(cal, not measured.completion_only).basis
        return LoopReport(frame, repeated, n_cases, basis, cal.describe("zh"), regions, warnings, cal.describe("en"),
                          cases_with_loops=with_loops)
    finally:
        measured.release()


def _loop_rows(measured: _Measured):
    """One record per back edge (re-entry), as :func:`procmine.analyse.loops._loop_rows` gives it,
    and the loops' cases on Spark (``id``, ``c``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from procmine.analyse.loops import MAX_BODY

    steps = measured.steps
    back = measured.handoffs.where("target_first_pos <= source_first_pos AND target_occurrence > 1")
    # a step re-entered from several branches at once: the branch that sent it back, else the last to complete
    branch = Window.partitionBy("c", "target_pos").orderBy(
        _says_no("source_decision").desc(), F.col("source_t_us").desc(), F.col("source_pos").desc())
    back = back.withColumn("__n", F.row_number().over(branch)).where("__n = 1")
    previous = steps.select("c", F.col("a").alias("target"), (F.col("occurrence") + 1).alias("target_occurrence"),
                            F.col("pos").alias("body_from"))
    rounds = back.select("c", "source", "target", "target_pos", "target_occurrence") \
        .join(previous, on=["c", "target", "target_occurrence"])
    # the loop's number: its first re-entry in case order, as the default engine lists them
    edges = _polars(rounds.groupBy("source", "target").agg(
        F.count(F.lit(1)).alias("traversals"), F.countDistinct("c").alias("cases"),
        F.min(F.struct("c", "target_pos")).alias("first")).select(
        "source", "target", "traversals", "cases", F.col("first.c").alias("first_case"),
        F.col("first.target_pos").alias("first_pos")))
    if edges.height == 0:
        return [], rounds.select(F.lit(0).alias("id"), "c").limit(0)
    edges = edges.sort("first_case", "first_pos")
    numbered = [(s, t, i) for i, (s, t) in enumerate(edges.select("source", "target").iter_rows())]
    ids = measured.log.spark.createDataFrame(numbered, "source string, target string, id int")
    rounds = rounds.join(F.broadcast(ids), on=["source", "target"])
    # each round's body: the steps from body_from up to the re-entry (at most MAX_BODY), by position
    body = rounds.select("c", "id", "target_pos", "body_from", F.explode(F.sequence(
        F.col("body_from"), F.col("body_from") + F.least(F.col("target_pos") - F.col("body_from"), F.lit(MAX_BODY))
        - 1)).alias("pos")).join(steps.select("c", "pos", "a", "decision"), on=["c", "pos"])
    keys = body.groupBy("id", "c", "target_pos").agg(F.expr(
        f"array_join(transform(array_sort(collect_list(struct(pos, a))), x -> x.a), '{SEPARATOR}')").alias("key"))
    bodies = _polars(keys.groupBy("id", "key").count())
    bodies = {i: key.split(SEPARATOR) for i, key, _ in bodies.sort(["id", "count", "key"], descending=[False, True, False])
              .unique("id", keep="first", maintain_order=True).iter_rows()}
    senders = _polars(body.where(_says_no("decision")).groupBy("id", "a").agg(
        F.count(F.lit(1)).alias("n"), F.avg(F.col("pos") - F.col("body_from")).alias("offset")))
    senders = {i: a for i, a, *_ in senders.sort(["id", "n", "offset", "a"], descending=[False, True, False, False])
               .unique("id", keep="first", maintain_order=True).iter_rows()} if senders.height else {}
    records = []
    for (s, t, i), row in zip(numbered, edges.iter_rows(named=True)):
        sender = senders.get(i)
        kind = "self-loop" if s == t else "send-back" if sender else "rework"
        records.append({"id": i, "kind": kind, "activities": bodies.get(i, [t, s]), "back_edge": [s, t], "by": None,
                        "sender": sender or s, "traversals": int(row["traversals"]), "cases": int(row["cases"]),
                        "pairs": {}, "ping_pong_cases": 0})
    return records, rounds.select("id", "c").distinct()


def _ping_pong_level(measured: _Measured, choice: str | None) -> str | None:
    if choice in (None, "resource", "department"):
        return choice
    return next((column for column in (RESOURCE, DEPARTMENT) if measured.has_values(column)), None)


#: Ping-pongs are numbered from here, after the loops.
PONG_IDS = 1_000_000


def _ping_pong_rows(measured: _Measured, by: str):
    """Records for i → j → k chains of hand-offs with who(i) = who(k) ≠ who(j), as
    :func:`procmine.analyse.loops._ping_pong_rows` gives them; their cases (``id``, ``c``) and their
    pairs' cases (``id``, ``lo``, ``hi``, ``c``) on Spark."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    h = measured.handoffs
    first = h.select("c", F.col("source").alias("ai"), F.col("target").alias("aj"), F.col("target_pos").alias("j"),
                     F.col(f"source_{by}").alias("who_i"), F.col(f"target_{by}").alias("who_j"),
                     F.col("target_decision").alias("decision_j"), F.col("target_first_pos").alias("first_pos_j"))
    second = h.select("c", F.col("source_pos").alias("j"), F.col("target").alias("ak"),
                      F.col(f"target_{by}").alias("who_k"), F.col("target_occurrence").alias("occurrence_k"),
                      F.col("target_first_pos").alias("first_pos_k"))
    chain = first.join(second, on=["c", "j"]).where((F.col("who_i") == F.col("who_k")) & (F.col("who_i") != F.col("who_j")))
    if by == DEPARTMENT:  # designed paths pass a department twice; count only real returns
        chain = chain.where(_says_no("decision_j") | ((F.col("first_pos_k") <= F.col("first_pos_j"))
                                                      & (F.col("occurrence_k") > 1)))
    chain = chain.select("c", "ai", "aj", "ak", "who_i", "who_j").persist(StorageLevel.MEMORY_AND_DISK)
    measured._persisted.append(chain)
    triples = _polars(chain.groupBy("ai", "aj", "ak").agg(F.count(F.lit(1)).alias("traversals"),
                                                          F.countDistinct("c").alias("cases")))
    if triples.height == 0:
        return [], None, None
    triples = triples.sort("ai", "aj", "ak")
    numbered = [(ai, aj, ak, PONG_IDS + n) for n, (ai, aj, ak) in enumerate(triples.select("ai", "aj", "ak").iter_rows())]
    ids = F.broadcast(measured.log.spark.createDataFrame(numbered, "ai string, aj string, ak string, id int"))
    chain = chain.join(ids, on=["ai", "aj", "ak"])
    ordered = _polars(chain.groupBy("id", "who_i", "who_j").agg(F.countDistinct("c").alias("n")))
    pair_cases = chain.select("id", F.least("who_i", "who_j").alias("lo"), F.greatest("who_i", "who_j").alias("hi"), "c") \
        .distinct()
    unordered = _polars(pair_cases.groupBy("id", "lo", "hi").count())
    # 甲 ⇄ 乙 either way: named as first seen in (cases, 甲, 乙) order, counted over both directions
    names: dict[tuple, tuple] = {}
    for i, a, b, _ in ordered.sort(["id", "n", "who_i", "who_j"], descending=[False, True, False, False]).iter_rows():
        names.setdefault((i, min(a, b), max(a, b)), (a, b))
    pairs: dict[int, dict] = {}
    for i, lo, hi, n in unordered.iter_rows():
        pairs.setdefault(i, {})[(lo, hi)] = (names[(i, lo, hi)], int(n))
    records = [{"id": i, "kind": "ping-pong", "activities": [ai, aj, ak], "back_edge": None, "by": by, "sender": aj,
                "traversals": int(row["traversals"]), "cases": int(row["cases"]), "pairs": pairs.get(i, {}),
                "ping_pong_cases": None}
               for (ai, aj, ak, i), row in zip(numbered, triples.iter_rows(named=True))]
    return records, chain.select("id", "c").distinct(), pair_cases


def _fold(measured: _Measured, loops: list[dict], loop_members, pongs: list[dict], pong_members, pong_pairs
          ) -> list[dict]:
    """:func:`procmine.analyse.loops._fold` with the case sets on Spark: how many cases each
    ping-pong shares with each loop is counted there; the choice of home is the default engine's;
    the folded cases and pairs are counted there again."""
    from pyspark.sql import functions as F

    from procmine.analyse.loops import FOLD_SHARE

    if not pongs:
        return loops
    shared = {(p, l): int(n) for p, l, n in pong_members.withColumnRenamed("id", "pong").join(
        loop_members.withColumnRenamed("id", "loop"), on="c").groupBy("pong", "loop").count().collect()}
    homes, kept = {}, []
    for pong in sorted(pongs, key=lambda r: (-r["cases"], r["activities"])):
        home, best = None, 0
        for loop in loops:
            if not set(pong["activities"]) <= {*loop["activities"], *loop["back_edge"]}:
                continue
            common = shared.get((pong["id"], loop["id"]), 0)
            if common >= FOLD_SHARE * pong["cases"] and common > best:
                home, best = loop, common
        if home is None:
            kept.append(pong)
            continue
        homes[pong["id"]] = home["id"]
        home["by"] = pong["by"]
        for key, (names, _) in pong["pairs"].items():
            home["pairs"].setdefault(key, (names, 0))  # named by the first ping-pong folded in that has the pair
    if homes:
        home_of = F.broadcast(measured.log.spark.createDataFrame(list(homes.items()), "id int, loop int"))
        in_loop = loop_members.withColumnRenamed("id", "loop")
        folded = pong_members.join(home_of, on="id").join(in_loop, on=["loop", "c"])
        counts = dict(folded.groupBy("loop").agg(F.countDistinct("c")).collect())
        pair_counts = pong_pairs.join(home_of, on="id").join(in_loop, on=["loop", "c"]) \
            .groupBy("loop", "lo", "hi").agg(F.countDistinct("c").alias("n")).collect()
        by_id = {loop["id"]: loop for loop in loops}
        for loop_id, n in counts.items():
            by_id[loop_id]["ping_pong_cases"] = int(n)
        for loop_id, lo, hi, n in pair_counts:
            names, _ = by_id[loop_id]["pairs"][(lo, hi)]
            by_id[loop_id]["pairs"][(lo, hi)] = (names, int(n))
        for loop_id in set(homes.values()) - set(counts):
            by_id[loop_id]["ping_pong_cases"] = 0
    return loops + kept


def _median_extra(measured: _Measured, members, ids: list[int]) -> dict[int, float | None]:
    """Per loop: median lead time of the closed cases that went round it minus that of the closed
    cases that did not (each closed case is paired with every loop: cases × loops rows, map-side)."""
    from pyspark.sql import functions as F

    if not ids:
        return {}
    closed = measured.cases.where(~F.col("open")).select("c", "lead_work_hours")
    wanted = F.broadcast(measured.log.spark.createDataFrame([(i,) for i in ids], "id int"))
    went = members.join(wanted, on="id").groupBy("c").agg(F.collect_set("id").alias("ids"))
    paired = closed.join(went, on="c", how="left").crossJoin(wanted) \
        .withColumn("inside", F.coalesce(F.array_contains("ids", F.col("id")), F.lit(False)))
    medians = {(i, inside): m for i, inside, m in paired.groupBy("id", "inside").agg(
        measured.pct("lead_work_hours", 0.5)).collect()}
    extra = {}
    for i in ids:
        inside, outside = medians.get((i, True)), medians.get((i, False))
        extra[i] = None if inside is None or outside is None else float(inside) - float(outside)
    return extra


def _examples(members, ids: list[int], examples: int) -> dict[int, list[str]]:
    """The first ``examples`` case ids (sorted) of each loop: the only case ids brought back."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if not ids or examples <= 0:
        return {}
    first = Window.partitionBy("id").orderBy("c")
    found: dict[int, list[str]] = {}
    rows = members.where(F.col("id").isin(ids)).withColumn("n", F.row_number().over(first)) \
        .where(F.col("n") <= examples).select("id", "c", "n").collect()
    for i, c, _ in sorted(rows, key=lambda r: (r[0], r[2])):
        found.setdefault(i, []).append(c)
    return found


__all__ = ["spark_bottlenecks", "spark_loops", "SparkTimes"]
