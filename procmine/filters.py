"""Slicing a log: which cases to look at (Disco's six filter kinds, one grammar for API and CLI).

A :class:`Filter` is data (kind, column, op, value). Each keeps or drops whole cases, so every
figure of a filtered log is a figure of complete cases. Filters apply in the order given, each
to what the previous ones kept, and the filtered log says which filters produced it; its
data-quality report stays the file's own (a filter narrows the view, it does not drop rows).

    >>> log.filter(period="2025-03-01:2025-07-01", where="合同金额(元)>200000")     # doctest: +SKIP
    >>> log.filter(variants=5).filter(lead_time=">3wd")                            # doctest: +SKIP

======================  ==========================================  ==================================
keyword (CLI option)    written                                     keeps the cases …
======================  ==========================================  ==================================
``period``              ``2025-03-01:2025-07-01``, ``2025-03:``       whose first event falls in [start, end)
``period_mode``         ``start`` (default), ``end``, ``intersect``   … or whose last event falls in it, or
                                                                    that were open at some time in it
``where``               ``金额>200000``, ``金额>=20万``, ``部门=财务部``,  where some event has that value
                        ``审批意见~加急`` (contains), ``处理人!~张``
``variants``            ``5`` (the 5 most frequent), ``80%``          of the most frequent variants (or those
                                                                    covering that share of cases)
``lead_time``           ``>3wd``, ``<=8h``, ``>2d``                    whose lead time is above/below (working
                                                                    or calendar time, as the unit says)
``starts_with``,        an activity name                            that start / end with that activity
``ends_with``
``follows``             ``A -> B`` (eventually), ``A => B``           where B follows A, directly (a hand-off)
                        (directly), ``A -> B within 2d``            or eventually, optionally within a time
======================  ==========================================  ==================================
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl

from procmine.errors import EmptyLogError, ProcmineError
from procmine.log import ACTIVITY, CASE, EventLog
from procmine.text import phrases
from procmine.units import to_number

if TYPE_CHECKING:
    from procmine.calendar import Calendar


class FilterError(ProcmineError):
    """A filter expression cannot be read, or names a column the log does not have."""

    exit_code = 2


#: How a filter is stated (Filter.describe); the keys are a period filter's modes and the other kinds' ops.
PHRASES = phrases("filters", {
    "start": ("开始于 {start} 至 {end}", "started {start} to {end}"),
    "end": ("结束于 {start} 至 {end}", "ended {start} to {end}"),
    "intersect": ("办理期间涉及 {start} 至 {end}", "open during {start} to {end}"),
    "top_variants": ("最常见的 {n} 个变体", "the {n} most frequent variants"),
    "covering_variants": ("覆盖 {share:.0%} 案例的最常见变体", "most frequent variants covering {share:.0%}"),
    "lead_time": ("办理时长 {op} {limit}", "lead time {op} {limit}"),
    "starts_with": ("始于 {activity}", "starts with {activity}"),
    "ends_with": ("止于 {activity}", "ends with {activity}"),
})

KINDS = ("period", "attribute", "variants", "performance", "endpoints", "follows")
PERIOD_MODES = ("start", "end", "intersect")
OPERATORS = ("!~", "!=", ">=", "<=", "=", ">", "<", "~")
_WHERE_RE = re.compile(r"^\s*(?P<column>.+?)\s*(?P<op>!~|!=|>=|<=|==|=|>|<|~|≥|≤|≠)\s*(?P<value>.*?)\s*$")
_FOLLOWS_RE = re.compile(r"^\s*(?P<a>.+?)\s*(?P<arrow>->|=>|→|⇒)\s*(?P<b>.+?)\s*(?:\bwithin\b\s*(?P<within>.+?)|(?P<zh>\S+?)内)?\s*$")


@dataclass(frozen=True)
class Filter:
    """One filter: its ``kind`` (see :data:`KINDS`), the ``column`` it tests, ``op`` and ``value``."""

    kind: str
    column: str | None
    op: str
    value: object
    text: str = ""

    def describe(self, lang: str = "zh") -> str:
        """How outputs state the filter, e.g. ``合同金额(元) > 200000``."""
        t = PHRASES.text(lang)
        if self.kind == "period":
            start, end = self.value
            return t(self.op, start=_day(start) or "…", end=_day(end) or "…")
        if self.kind == "attribute":
            return f"{self.column} {self.op} {self.value}"
        if self.kind == "variants":
            if self.op == "top":
                return t("top_variants", n=self.value)
            return t("covering_variants", share=self.value)
        if self.kind == "performance":
            return t("lead_time", op=self.op, limit=_written(self.value))
        if self.kind == "endpoints":
            return t(self.op, activity=self.value)
        a, b, within = self.value
        arrow = "=>" if self.op == "directly" else "->"
        limit = f" within {_written(within)}" if within else ""
        return f"{a} {arrow} {b}{limit}"


# --- reading the written forms ----------------------------------------------------------------

def parse_filters(
    *,
    period: str | tuple | None = None,
    period_mode: str = "start",
    where: str | list[str] | tuple[str, ...] | None = None,
    variants: int | float | str | None = None,
    lead_time: str | None = None,
    starts_with: str | None = None,
    ends_with: str | None = None,
    follows: str | list[str] | tuple[str, ...] | None = None,
) -> list[Filter]:
    """The filters the keywords describe, in a fixed order (period first, as Disco does)."""
    filters: list[Filter] = []
    if period is not None:
        filters.append(parse_period(period, period_mode))
    for text in _many(where):
        filters.append(parse_where(text))
    if variants is not None:
        filters.append(parse_variants(variants))
    if lead_time is not None:
        filters.append(parse_lead_time(lead_time))
    if starts_with is not None:
        filters.append(Filter("endpoints", ACTIVITY, "starts_with", starts_with.strip()))
    if ends_with is not None:
        filters.append(Filter("endpoints", ACTIVITY, "ends_with", ends_with.strip()))
    for text in _many(follows):
        filters.append(parse_follows(text))
    return filters


def parse_period(period: str | tuple, mode: str = "start") -> Filter:
    """``2025-03-01:2025-07-01`` (either side may be empty) as a period filter on case start."""
    if mode not in PERIOD_MODES:
        raise FilterError(f"period mode {mode!r} is unknown; use one of {', '.join(PERIOD_MODES)}")
    if isinstance(period, str):
        text = unicodedata.normalize("NFKC", period).strip()
        parts = re.split(r"\s*(?:\.\.|:(?!\d\d(?::|$))|至|到|~)\s*", text, maxsplit=1) if text else []
        if len(parts) != 2:
            raise FilterError(f"--period {period!r}: write START:END, e.g. 2025-03-01:2025-07-01 (either side may be "
                              "left out: 2025-03-01: or :2025-07-01); cases whose first event falls in [START, END) "
                              "are kept")
        start, end = (_read_day(p, period) for p in parts)
    else:
        start, end = (_read_day(p, str(period)) if isinstance(p, str) else p for p in period)
    if start is not None and end is not None and end <= start:
        raise FilterError(f"--period {period!r}: the end {_day(end)} is not after the start {_day(start)}")
    return Filter("period", None, mode, (start, end), text=str(period))


def parse_where(text: str) -> Filter:
    """``金额>200000``, ``部门=财务部``, ``审批意见~加急`` as an attribute filter."""
    normal = unicodedata.normalize("NFKC", text) if isinstance(text, str) else ""
    match = _WHERE_RE.match(normal)
    if not match or not match.group("column") or match.group("value") == "":
        raise FilterError(f"--where {text!r}: write COLUMN OP VALUE with OP one of = != > >= < <= ~ (contains) "
                          "!~ (does not contain), e.g. --where '合同金额(元)>200000' or --where '所属部门=财务部'")
    op = {"==": "=", "≥": ">=", "≤": "<=", "≠": "!="}.get(match.group("op"), match.group("op"))
    value = match.group("value").strip().strip("'\"")
    return Filter("attribute", match.group("column").strip(), op, value, text=text)


def parse_variants(value: int | float | str) -> Filter:
    """``5`` keeps the 5 most frequent variants; ``80%`` (or 0.8) those covering 80 % of cases."""
    text = str(value).strip()
    try:
        if text.endswith("%"):
            share = float(text[:-1]) / 100
        elif isinstance(value, float) or "." in text:
            share = float(text)
        else:
            top = int(text.removeprefix("top").removeprefix(":"))
            if top < 1:
                raise ValueError
            return Filter("variants", None, "top", top, text=text)
        if not 0 < share <= 1:
            raise ValueError
        return Filter("variants", None, "share", share, text=text)
    except ValueError:
        raise FilterError(f"--variants {value!r}: give how many of the most frequent variants to keep (e.g. 5) or "
                          "the share of cases they must cover (e.g. 80%)") from None


def parse_lead_time(text: str) -> Filter:
    """``>3wd``, ``<=8h``, ``>2d``: lead time above or below a limit (units as for --target)."""
    from procmine.calendar import CalendarError, parse_duration_target

    normal = unicodedata.normalize("NFKC", str(text)).strip()
    match = re.match(r"^(>=|<=|>|<|≥|≤)\s*(.+)$", normal)
    if not match:
        raise FilterError(f"--lead-time {text!r}: write an operator and a duration, e.g. '>3wd' (working days), "
                          "'<=8h' (working hours) or '>2d' (calendar days)")
    op = {"≥": ">=", "≤": "<="}.get(match.group(1), match.group(1))
    try:
        duration = parse_duration_target(match.group(2))
    except CalendarError as exc:
        raise FilterError(f"--lead-time {text!r}: {exc}") from None
    return Filter("performance", "lead_time", op, duration, text=text)


def parse_follows(text: str) -> Filter:
    """``A -> B`` (B eventually after A), ``A => B`` (a hand-off A → B), optional ``within 2d``."""
    normal = unicodedata.normalize("NFKC", str(text))
    match = _FOLLOWS_RE.match(normal)
    if not match:
        raise FilterError(f"--follows {text!r}: write 'A -> B' (B eventually follows A) or 'A => B' (B directly "
                          "follows A), optionally with 'within 2d', e.g. --follows '部门经理审批 -> 财务审核 within 3wd'")
    within = match.group("within") or match.group("zh")
    duration = None
    if within:
        from procmine.calendar import CalendarError, parse_duration_target

        try:
            duration = parse_duration_target(within)
        except CalendarError as exc:
            raise FilterError(f"--follows {text!r}: {exc}") from None
    op = "directly" if match.group("arrow") in ("=>", "⇒") else "eventually"
    return Filter("follows", ACTIVITY, op, (match.group("a"), match.group("b"), duration), text=text)


# --- applying them ------------------------------------------------------------------------------

def apply_filters(log: EventLog, filters: list[Filter], calendar: "Calendar | None" = None) -> EventLog:
    """``log`` narrowed by each filter in turn (see :meth:`EventLog.filter`)."""
    for one in filters:
        log = _apply(log, one, calendar)
    return log


def _apply(log: EventLog, one: Filter, calendar: "Calendar | None") -> EventLog:
    if one.kind not in KINDS:
        raise FilterError(f"filter kind {one.kind!r} is unknown; use one of {', '.join(KINDS)}")
    tables = log.tables()
    cases = tables.cases
    if one.kind == "period":
        kept = _period(cases, one, log.timezone)
    elif one.kind == "attribute":
        kept = _attribute(log, one)
    elif one.kind == "variants":
        kept = _variants(tables, one)
    elif one.kind == "performance":
        kept = _performance(log, one, calendar)
    elif one.kind == "endpoints":
        _check_activity(log, one.value, one)
        frame = tables.first_steps if one.op == "starts_with" else tables.last_steps
        kept = frame.filter(pl.col(ACTIVITY) == one.value)[CASE]
    else:
        kept = _follows(log, one, calendar)
    kept = kept.unique()
    if kept.len() == 0:
        raise EmptyLogError(f"{log.source.name}: the filter '{one.describe('en')}' keeps none of the "
                            f"{cases.height:,} cases{_so_far(log)}; loosen it or check its values")
    return log.narrowed(kept, one)


def _so_far(log: EventLog) -> str:
    return f" left by {'; '.join(f.describe('en') for f in log.filters)}" if log.filters else ""


def _period(cases: pl.DataFrame, one: Filter, timezone: str) -> pl.Series:
    start, end = (_as_time(v, timezone) for v in one.value)
    first, last = pl.col("first_time"), pl.col("last_time")
    if one.op == "start":
        conditions = [first >= start if start else None, first < end if end else None]
    elif one.op == "end":
        conditions = [last >= start if start else None, last < end if end else None]
    else:  # open at some moment in [start, end)
        conditions = [last >= start if start else None, first < end if end else None]
    condition = pl.lit(True)
    for c in conditions:
        if c is not None:
            condition = condition & c
    return cases.filter(condition)[CASE]


def _attribute(log: EventLog, one: Filter) -> pl.Series:
    column = resolve_column(log, one.column, one)
    values = log.events[column]
    test = _condition(values, one, column, log)
    return log.events.filter(test.fill_null(False))[CASE]


def _condition(values: pl.Series, one: Filter, column: str, log: EventLog) -> pl.Series:
    op, raw = one.op, str(one.value)
    if op in ("~", "!~"):
        contains = values.cast(pl.String).str.contains(raw, literal=True)
        return ~contains.fill_null(False) if op == "!~" else contains
    dtype = values.dtype
    if dtype.is_temporal():
        bound = _as_time(_read_day(raw, one.text, column), log.timezone)
        if isinstance(dtype, pl.Date):
            bound = bound.date()
        return _compare(values, op, bound)
    number = to_number(raw)
    if dtype.is_numeric():
        if number is None:
            raise not_a_number(one, column, raw)
        return _compare(values, op, number)
    text = values.cast(pl.String).str.strip_chars()
    # a text column whose values read as numbers (amounts exported as text) compares as numbers
    numbers = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    numeric = numbers.drop_nulls().len() > 0 and numbers.drop_nulls().len() >= text.drop_nulls().len() * 0.9
    if numeric and number is not None:
        return _compare(numbers, op, number)
    if numeric and op not in ("=", "!="):
        raise not_a_number(one, column, raw)
    # text equality, or text order for text bounds (codes such as HT2025-0100)
    return _compare(text, op, raw)


def _compare(values, op: str, bound):
    """``values`` (a polars Series or Expr, or a Spark Column) compared with ``bound`` by ``op``."""
    return {"=": values == bound, "!=": values != bound, ">": values > bound, ">=": values >= bound,
            "<": values < bound, "<=": values <= bound}[op]


def not_a_number(one: Filter, column: str, raw: str) -> FilterError:
    """The error for a bound that is no number on a column of numbers."""
    return FilterError(f"--where {one.text!r}: column {column!r} holds numbers, but {raw!r} is not one "
                       "(write e.g. 200000, 20万 or 1.2亿)")


def _variants(tables, one: Filter) -> pl.Series:
    variants = tables.variants
    if one.op == "top":
        chosen = variants.head(one.value)["variant_id"]
    else:
        covered = variants["share"].cum_sum()
        # the most frequent variants up to and including the one that reaches the share
        n = int((covered < one.value - 1e-12).sum()) + 1
        chosen = variants.head(n)["variant_id"]
    return tables.cases.filter(pl.col("variant_id").is_in(chosen.implode()))[CASE]


def _performance(log: EventLog, one: Filter, calendar: "Calendar | None") -> pl.Series:
    duration = one.value
    if duration.basis == "calendar":
        cases, column, limit = log.tables().cases, "lead_hours", duration.to_work_hours(None)
    else:
        from procmine.analyse.times import default_calendar

        calendar = calendar or default_calendar()
        cases, column = log.tables().working(calendar).cases, "lead_work_hours"
        limit = duration.to_work_hours(calendar)
    return cases.filter(_compare(cases[column], one.op, limit))[CASE]


def _follows(log: EventLog, one: Filter, calendar: "Calendar | None") -> pl.Series:
    a, b, within = one.value
    for name in (a, b):
        _check_activity(log, name, one)
    tables = log.tables()
    if one.op == "directly":
        names = tables.activity_names.to_list()
        pairs = tables.handoff_codes.filter((pl.col("source_code") == names.index(a))
                                            & (pl.col("target_code") == names.index(b)))
        steps = tables.steps
        pairs = pl.DataFrame([steps[CASE].gather(pairs["source_index"]),
                              steps["end"].gather(pairs["source_index"]).alias("a_end"),
                              steps["end"].gather(pairs["target_index"]).alias("b_end")])
    else:
        # each B step with the completion of the latest A step before it in its case
        steps = tables.steps.select(CASE, "case_code", ACTIVITY, "end")
        last_a = pl.when(pl.col(ACTIVITY) == a).then(pl.col("end")).forward_fill().over("case_code")
        # an A step does not follow itself: shift by one within the case
        steps = steps.with_columns(last_a.shift(1).over("case_code").alias("a_end"))
        pairs = steps.filter((pl.col(ACTIVITY) == b) & pl.col("a_end").is_not_null()).select(
            CASE, "a_end", pl.col("end").alias("b_end"))
    if within is None:
        return pairs[CASE]
    if within.basis == "calendar":
        gap = (pairs["b_end"] - pairs["a_end"]).dt.total_seconds() / 3600
        limit = within.to_work_hours(None)
    else:
        from procmine.analyse.times import default_calendar

        calendar = calendar or default_calendar()
        gap, limit = calendar.working_hours(pairs["a_end"], pairs["b_end"]), within.to_work_hours(calendar)
    return pairs.filter(gap <= limit + 1e-9)[CASE]


# --- names and values ---------------------------------------------------------------------------

def resolve_column(log: EventLog, name: str, one: Filter | None = None) -> str:
    """The event column ``name`` means: a column of the file, a role (activity, resource …) or the
    file's header mapped to that role; spacing, width and case do not matter."""
    found = log.find_column(name)
    if found is not None:
        return found
    columns = getattr(log, "event_columns", None) or log.events.columns  # a SparkLog names them: its rows stay on Spark
    offered = [h for r, h in log.columns.items() if h and r in columns] + log.attributes
    close = difflib.get_close_matches(name, offered, n=1, cutoff=0.4)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    written = f" in {one.text!r}" if one and one.text else ""
    raise FilterError(f"{log.source.name}: no column {name!r}{written}{hint} Columns: {', '.join(offered)}")


def _check_activity(log: EventLog, name: str, one: Filter, names: pl.Series | None = None) -> None:
    """``name`` must be an activity of the log (``names``: its activity names, sorted, when the
    caller has them without the log's tables)."""
    names = log.tables().activity_names if names is None else names
    if not names.is_in([name]).any():
        close = difflib.get_close_matches(name, names.to_list(), n=1, cutoff=0.4)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise FilterError(f"{log.source.name}: filter {one.text or one.describe('en')!r}: no activity {name!r}{hint} "
                          f"Activities: {', '.join(names.head(12).to_list())}{' …' if names.len() > 12 else ''}")


def _read_day(text: str, written: str, column: str | None = None) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    text = re.sub(r"[年月/.]", "-", text).replace("日", "").strip("-")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    where = f" for column {column!r}" if column else ""
    raise FilterError(f"{written!r}: {text!r} is not a date{where}; write e.g. 2025-03-01, 2025-03 or "
                      "2025-03-01 09:00")


def _as_time(value, timezone: str):
    """A naive date/datetime as a moment in the log's time zone."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value


def _day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)


def _written(duration) -> str:
    """A duration limit as the user wrote it (3wd, 2d, 8h)."""
    return (duration.text or f"{duration.value:g} {duration.unit}").strip()


def _many(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


__all__ = ["Filter", "FilterError", "parse_filters", "apply_filters", "parse_period", "parse_where",
           "parse_variants", "parse_lead_time", "parse_follows", "resolve_column"]
