"""The filters of :mod:`procmine.filters` on a log whose rows stay on Spark.

Each filter finds, on Spark, the ids of the cases it keeps; :meth:`SparkLog.narrowed` semi-joins
the rows with them. What comes back to the driver is small: counts, the distinct values of a
column (to merge label spellings), the variant table, and the activity names. The meaning is the
default engine's, from the same tables' rules:

* period: a case's first arrival (or completion) and last completion, as ``Tables.cases``;
* where: some event has the value; a column the default reader would type as numbers (every
  value a plain number) compares as numbers, a text column as numbers when 90 % of its values
  read as numbers; resource, department and role labels merged as the reader merges them;
* variants: the variant table (cases, then the sequence's text), its top k or the share rule;
* lead time: first arrival → last completion, in calendar hours or in working hours from the
  broadcast calendar (the same integer microseconds the calendar sums, so the same float);
* starts/ends with: the steps nothing hands over to, and those that hand over to nothing (the
  parallel-aware rule with arrival times, run as for the map; cases still open have no end);
* follows: a hand-off A → B (``=>``), or B after the latest earlier A (``->``), optionally
  within a time from A's completion to B's.

    >>> log = procmine.read_log("oa.approval_events", engine="spark")        # doctest: +SKIP
    >>> log.filter(period="2025-03-01:2025-07-01", where="合同金额(元)>200000")  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone as utc_zone

import polars as pl

from procmine.engine.spark import (US_PER_HOUR, VARIANT_KEY, SparkLog, _label_merges, _parallel_pairs,
                                   _polars, _steps, _working_positions, completion_pairs)
from procmine.filters import (KINDS, Filter, FilterError, _as_time, _check_activity, _compare, _read_day,
                              not_a_number, resolve_column)
from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROLE, START, TIMESTAMP
from procmine.units import to_number

#: The reader's rule for a column of numbers (procmine.read._numbers_as_numbers), as a Java regex.
PLAIN_NUMBER = r"^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"
_EPOCH = datetime(1970, 1, 1, tzinfo=utc_zone.utc)


def apply_spark_filters(log: SparkLog, filters: list[Filter], calendar=None) -> SparkLog:
    """``log`` narrowed by each filter in turn (see :meth:`SparkLog.filter`)."""
    for one in filters:
        if one.kind not in KINDS:
            raise FilterError(f"filter kind {one.kind!r} is unknown; use one of {', '.join(KINDS)}")
        log = log.narrowed(_KEPT[one.kind](log, one, calendar), one)
    return log


# --- the kinds: each returns a Spark DataFrame of case ids (column c) ---------------------------

def _per_case_times(log: SparkLog):
    """Per case: first (earliest arrival, else completion) and last completion, as Tables.cases."""
    from pyspark.sql import functions as F

    begin = F.coalesce("s", "t") if log.has_start_times else F.col("t")
    cases = log._cleaned[0].groupBy("c").agg(F.min(begin).alias("first"), F.max("t").alias("last"))
    return cases.withColumn("first_us", F.unix_micros("first")).withColumn("last_us", F.unix_micros("last"))


def _period(log: SparkLog, one: Filter, calendar):
    from pyspark.sql import functions as F

    start, end = (_as_time(v, log.timezone) for v in one.value)
    first, last = F.col("first_us"), F.col("last_us")
    if one.op == "start":
        conditions = [first >= _us(start) if start else None, first < _us(end) if end else None]
    elif one.op == "end":
        conditions = [last >= _us(start) if start else None, last < _us(end) if end else None]
    else:  # open at some moment in [start, end)
        conditions = [last >= _us(start) if start else None, first < _us(end) if end else None]
    condition = F.lit(True)
    for c in conditions:
        if c is not None:
            condition = condition & c
    return _per_case_times(log).where(condition).select("c")


def _performance(log: SparkLog, one: Filter, calendar):
    from pyspark.sql import functions as F

    duration = one.value
    cases = _per_case_times(log)
    if duration.basis == "calendar":
        hours, limit = (F.col("last_us") - F.col("first_us")) / US_PER_HOUR, duration.to_work_hours(None)
    else:
        from procmine.analyse.times import default_calendar

        calendar = calendar or default_calendar()
        limit = duration.to_work_hours(calendar)
        cases = _working(log, cases, "first", "last", calendar)
        hours = (F.col("w_t") - F.col("w_b")) / US_PER_HOUR
    return cases.where(_compare(hours, one.op, limit)).select("c")


def _attribute(log: SparkLog, one: Filter, calendar):
    from pyspark.sql import functions as F

    column = resolve_column(log, one.column, one)
    rows = log._cleaned[0]
    value, kind = _event_values(log, column)
    test = _condition(rows, value, kind, one, column, log)
    return rows.where(F.coalesce(test, F.lit(False))).select("c").distinct()


def _variants(log: SparkLog, one: Filter, calendar):
    from pyspark.sql import functions as F

    steps = _steps(log, not log.has_start_times, None, decisions=False)
    per_case = steps.groupBy("c").agg(F.expr(VARIANT_KEY).alias("v"))
    counted = _polars(per_case.groupBy("v").agg(F.count(F.lit(1)).alias("cases")))
    # the default engine's variant table: most cases first, ties by the sequence's text
    variants = counted.sort(["cases", "v"], descending=[True, False]).with_columns(
        (pl.col("cases") / max(int(counted["cases"].sum()), 1)).alias("share"))
    if one.op == "top":
        chosen = variants.head(one.value)["v"]
    else:
        covered = variants["share"].cum_sum()
        n = int((covered < one.value - 1e-12).sum()) + 1  # up to and including the one reaching the share
        chosen = variants.head(n)["v"]
    keys = log.spark.createDataFrame([(v,) for v in chosen.to_list()], "v string")
    return per_case.join(F.broadcast(keys), on="v", how="left_semi").select("c")


def _endpoints(log: SparkLog, one: Filter, calendar):
    from pyspark.sql import functions as F

    _check_activity(log, one.value, one, _activity_names(log))
    completion_only = not log.has_start_times
    steps = _steps(log, completion_only, None, decisions=False)
    if completion_only:  # one time per step: the first and the last step of the case
        pick = F.min_by("a", "pos") if one.op == "starts_with" else F.max_by("a", "pos")
        ends = steps.groupBy("c").agg(pick.alias("end")).where(F.col("end") == one.value).select("c")
    else:  # the steps nothing hands over to (kind 1), those handing over to nothing (kind 2)
        kind = 1 if one.op == "starts_with" else 2
        marked = _parallel_pairs(steps, work=False)
        ends = marked.where((F.col("kind") == kind) & (F.col("source") == one.value)).select("c").distinct()
    if one.op == "ends_with":  # a case still in progress has not ended
        ends = ends.join(log._cleaned[4], on="c", how="left_anti")
    return ends


def _follows(log: SparkLog, one: Filter, calendar):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    a, b, within = one.value
    names = _activity_names(log)
    for name in (a, b):
        _check_activity(log, name, one, names)
    completion_only = not log.has_start_times
    steps = _steps(log, completion_only, None, decisions=False)
    in_case = Window.partitionBy("c").orderBy("b", "t", "__r")
    if one.op == "directly":  # the hand-offs, as the map draws them (two consecutive steps in completion order)
        pairs = completion_pairs(steps, work=False) if completion_only else \
            _parallel_pairs(steps, work=False).where(F.col("kind") == 0)
        pairs = pairs.where((F.col("source") == a) & (F.col("target") == b)).select(
            "c", F.col("source_t").alias("a_end"), F.col("target_t").alias("b_end"))
    else:  # each B step with the completion of the latest A step before it (not itself)
        earlier = in_case.rowsBetween(Window.unboundedPreceding, -1)
        last_a = F.last(F.when(F.col("a") == a, F.col("t_us")), ignorenulls=True).over(earlier)
        pairs = steps.withColumn("a_end", last_a).where((F.col("a") == b) & F.col("a_end").isNotNull()).select(
            "c", "a_end", F.col("t_us").alias("b_end"))
    if within is None:
        return pairs.select("c").distinct()
    if within.basis == "calendar":
        gap_us = F.col("b_end") - F.col("a_end")
        # polars' total_seconds: whole seconds, truncated towards zero (Java's % keeps the sign)
        gap = (gap_us - gap_us % 1_000_000) / 1_000_000 / 3600
        limit = within.to_work_hours(None)
    else:
        from procmine.analyse.times import default_calendar

        calendar = calendar or default_calendar()
        pairs = pairs.withColumn("a_time", F.timestamp_micros("a_end")).withColumn(
            "b_time", F.timestamp_micros("b_end"))
        pairs = _working(log, pairs, "a_time", "b_time", calendar)
        gap, limit = (F.col("w_t") - F.col("w_b")) / US_PER_HOUR, within.to_work_hours(calendar)
    return pairs.where(gap <= limit + 1e-9).select("c").distinct()


#: Each kind's ids of the kept cases.
_KEPT = {"period": _period, "attribute": _attribute, "variants": _variants, "performance": _performance,
         "endpoints": _endpoints, "follows": _follows}


# --- helpers -------------------------------------------------------------------------------------

def _working(log: SparkLog, frame, start: str, end: str, calendar):
    """``frame`` with w_b and w_t: the working-time positions of its ``start`` and ``end`` times
    (the broadcast day table the map's working durations use)."""
    from pyspark.sql import functions as F

    frame = frame.withColumn("b", F.col(start)).withColumn("t", F.col(end)) \
        .withColumn("b_us", F.unix_micros("b")).withColumn("t_us", F.unix_micros("t"))
    return _working_positions(frame, calendar, log._cleaned[1], log.timezone, log.spark, completion_only=False)


def _activity_names(log: SparkLog) -> pl.Series:
    """The log's activity names, sorted (the file's merged labels; a filtered log's, counted)."""
    if log._narrowed is None:
        _, _, labels, replace, _, _ = log._cleaned
        names = sorted({replace.get(a, a) for a in labels})
    else:
        names = sorted(r[0] for r in log._cleaned[0].select("a").distinct().collect())
    return pl.Series(names, dtype=pl.String)


def _event_values(log: SparkLog, column: str):
    """The Spark column an event column holds, and how it compares: 'time', 'date', 'number',
    'number_text' (text the default reader types as numbers) or 'text'."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, NumericType, StringType, TimestampNTZType, TimestampType

    standard = {CASE: ("c", "text"), ACTIVITY: ("a", "text"), TIMESTAMP: ("t", "time"), START: ("s", "time"),
                OUTCOME: ("o", "text")}
    if column in standard:
        name, kind = standard[column]
        return F.col(name), kind
    if column in (RESOURCE, DEPARTMENT, ROLE):  # blanks are missing; spellings merged as the reader does
        header = getattr(log.columns, column)
        raw = F.col(f"`{header}`").cast("string")
        value = F.when(F.trim(raw) == "", None).otherwise(raw)
        root_rows = log._root._cleaned[0]
        counts = {r[0]: r[1] for r in root_rows.groupBy(value.alias("v")).count().collect() if r[0] is not None}
        replace = _label_merges(counts)
        if replace:
            mapping = F.create_map(*[F.lit(x) for pair in replace.items() for x in pair])
            value = F.coalesce(F.element_at(mapping, value), value)
        return value, "text"
    value = F.col(f"`{column}`")
    kind = log._frame.schema[column].dataType
    if isinstance(kind, (TimestampType, TimestampNTZType)):
        return value.cast("timestamp"), "time"
    if isinstance(kind, DateType):
        return value, "date"
    if isinstance(kind, NumericType):
        return value, "number"
    typed = _typed_as_numbers(log, value) if isinstance(kind, StringType) else None
    if typed:
        return F.trim(value).cast(typed), "number"
    return value.cast("string"), "text"


def _typed_as_numbers(log: SparkLog, value) -> str | None:
    """The type the default reader gives this text column when it makes it numbers: 'double' when
    some value has decimals, 'long' when all are whole and fit 64 bits, None for text (a non-blank
    value that is not a plain number); decided on the whole file, as the reader does."""
    from pyspark.sql import functions as F

    text = F.trim(value)
    filled = text.isNotNull() & (text != "")
    n = lambda cond: F.sum(F.when(cond, 1).otherwise(0))  # noqa: E731
    found = log._root._cleaned[0].agg(
        n(filled).alias("values"), n(filled & ~text.rlike(PLAIN_NUMBER)).alias("other"),
        n(filled & text.contains(".")).alias("decimals"),
        n(filled & text.cast("long").isNull()).alias("too_long")).collect()[0]
    if not found["values"] or found["other"]:
        return None
    return "double" if found["decimals"] else ("long" if not found["too_long"] else None)


def _condition(rows, value, kind: str, one: Filter, column: str, log: SparkLog):
    """The test of procmine.filters._condition on a Spark column (null: not kept)."""
    from pyspark.sql import functions as F

    op, raw = one.op, str(one.value)
    if op in ("~", "!~"):
        contains = value.cast("string").contains(raw)
        return ~F.coalesce(contains, F.lit(False)) if op == "!~" else contains
    if kind in ("time", "date"):
        bound = _as_time(_read_day(raw, one.text, column), log.timezone)
        if kind == "date":
            return _compare(value, op, F.lit(bound.date()))
        return _compare(F.unix_micros(value), op, _us(bound))
    number = to_number(raw)
    if kind == "number":
        if number is None:
            raise not_a_number(one, column, raw)
        return _compare(value, op, number)
    text = F.trim(value)
    # a text column whose values read as numbers (amounts exported as text) compares as numbers
    numbers = F.regexp_replace(text, ",", "").cast("double")
    counted = rows.agg(F.count(numbers).alias("numbers"), F.count(text).alias("texts")).collect()[0]
    numeric = counted["numbers"] > 0 and counted["numbers"] >= counted["texts"] * 0.9
    if numeric and number is not None:
        return _compare(numbers, op, number)
    if numeric and op not in ("=", "!="):
        raise not_a_number(one, column, raw)
    # text equality, or text order for text bounds (codes such as HT2025-0100)
    return _compare(text, op, raw)


def _us(moment: datetime | date) -> int:
    """A tz-aware moment as microseconds since the epoch (exact: no float seconds)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)

__all__ = ["apply_spark_filters"]
