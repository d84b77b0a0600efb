"""The working calendar (工作时间): which days are working days and which hours of them count.

A :class:`Calendar` turns pairs of timestamps into the working hours between them. The
default ``"cn"`` calendar knows China's statutory holidays (法定节假日) and the make-up
working days that come with them (调休上班, e.g. Sunday 2025-09-28) through the
``chinese-calendar`` package, and counts 09:00–12:00 and 13:00–18:00 on each working day
(8 hours). ``"weekdays"`` counts Monday–Friday only; ``"none"`` counts calendar time.

Company-specific days off and working days (a holidays file, :mod:`procmine.calendar.holidays`)
override the calendar. ``chinese-calendar`` only knows the years the State Council has
announced; for dates outside them Monday–Friday is assumed and :attr:`Calendar.warnings` says so.

Working time is computed without a loop over rows: a table of the days present holds each
day's working microseconds and the working microseconds before it, so that the working time
up to an instant ``t`` is ``W(t) = before(day) + worked(day, time of day)`` and the working
time between two instants is ``W(end) - W(start)``.

    >>> Calendar().working_hours_between(datetime(2025, 9, 22, 9), datetime(2025, 9, 22, 18))
    8.0
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from procmine.errors import ProcmineError
from procmine.text import phrases
from procmine.timezones import wall_clock_us

__all__ = [
    "Calendar",
    "CalendarError",
    "DEFAULT_WORK_PERIODS",
    "KINDS",
    "cn_coverage",
    "cn_version",
    "parse_work_hours",
]

KINDS = ("cn", "weekdays", "none")
DEFAULT_WORK_PERIODS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))

_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = 3_600_000_000
_EPOCH = date(1970, 1, 1)
# time(23, 59, 59, 999999) stands for 24:00, the end of the day.
_END_OF_DAY = time.max


#: What a calendar says of itself (Calendar.describe), in Chinese and English.
PHRASES = phrases("calendar", {
    "none": ("日历时间（不扣除非工作时间）", "calendar time (non-working time is not deducted)"),
    "cn_days": ("中国法定节假日与调休（chinese-calendar {version}，覆盖 {covered} 年）",
                "Chinese statutory holidays and 调休 make-up working days (chinese-calendar {version}, covering {covered})"),
    "weekdays": ("周一至周五（不考虑法定节假日）", "Monday to Friday (statutory holidays not considered)"),
    "days_off": ("公司休息日 {n} 天", "{n} company day(s) off"),
    "workdays": ("公司工作日 {n} 天", "{n} company working day(s)"),
    "plus": ("，另加{extra}", ", plus {extra}"),
    "extra_separator": ("、", " and "),
    "span_separator": ("、", ", "),
    "line": ("{days}，工作时间 {spans}（每天 {hours} 小时）", "{days}, working hours {spans} ({hours} h a day)"),
    "time_zone": ("，时区 {zone}", ", time zone {zone}"),
})


class CalendarError(ProcmineError):
    """A calendar option, holidays file or time limit cannot be read."""

    exit_code = 2


# --------------------------------------------------------------------------- chinese-calendar


@functools.cache
def _cn_module():
    import chinese_calendar  # imported when a 'cn' calendar first needs it, not with procmine

    return chinese_calendar


@functools.cache
def cn_version() -> str:
    """The installed chinese-calendar version, e.g. ``'1.11.0'``."""
    module = _cn_module()
    version = getattr(module, "__version__", None)
    if not version:  # pragma: no cover
        from importlib.metadata import version as dist_version

        version = dist_version("chinese-calendar")
    return str(version)


@functools.cache
def cn_coverage() -> tuple[int, ...]:
    """The years chinese-calendar knows, found by asking it about 1 January of each year.

    Years it has no data for raise ``NotImplementedError``; nothing here is hard-coded apart
    from the window searched (1900 to 50 years from now).
    """
    module = _cn_module()
    years = []
    for year in range(1900, date.today().year + 51):
        try:
            module.is_workday(date(year, 1, 1))
        except NotImplementedError:
            continue
        years.append(year)
    return tuple(years)


@functools.cache
def _cn_year_flags(year: int) -> np.ndarray:
    """Working-day flags for every day of a year chinese-calendar covers."""
    module = _cn_module()
    first = date(year, 1, 1)
    n = (date(year + 1, 1, 1) - first).days
    flags = np.empty(n, dtype=bool)
    for i in range(n):
        flags[i] = module.is_workday(first + timedelta(days=i))
    flags.setflags(write=False)
    return flags


def _year_spans(years: tuple[int, ...] | list[int]) -> str:
    """``2004–2026`` (or ``2004–2010, 2012``) for a sorted list of years."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


# --------------------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class Calendar:
    """Which days and hours count as working time.

    ``kind``          ``"cn"`` (Chinese statutory holidays and 调休 make-up working days),
                      ``"weekdays"`` (Monday–Friday) or ``"none"`` (calendar time).
    ``work_periods``  the working hours of a working day, ``((start, end), ...)`` in order and
                      not overlapping; ``time.max`` as an end means 24:00.
    ``holidays``      company-specific days off, added to the kind's own.
    ``workdays``      company-specific working days (e.g. an extra 调休 Saturday).
    ``timezone``      the local time zone that working hours are read in.
    """

    kind: str = "cn"
    work_periods: tuple[tuple[time, time], ...] = DEFAULT_WORK_PERIODS
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    timezone: str = "Asia/Shanghai"
    # days (since 1970-01-01, sorted) outside chinese-calendar's years for which Mon–Fri was assumed
    _guessed: list[np.ndarray] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CalendarError(f"unknown calendar {self.kind!r}: use one of {', '.join(KINDS)}")
        periods = tuple((a, b) for a, b in self.work_periods)
        if self.kind != "none":
            if not periods:
                raise CalendarError("working hours are empty: give at least one period such as 09:00-18:00")
            previous_end = None
            for a, b in periods:
                if not isinstance(a, time) or not isinstance(b, time):
                    raise CalendarError(f"working hours must be datetime.time pairs, not {a!r}-{b!r}")
                if a.tzinfo is not None or b.tzinfo is not None:
                    raise CalendarError("working hours are local times in the calendar's time zone; drop tzinfo")
                if not a < b:
                    raise CalendarError(
                        f"working period {_hhmm(a)}-{_hhmm(b)} ends before it starts; periods cannot cross "
                        "midnight (write 22:00-24:00,00:00-06:00 for a night shift)"
                    )
                if previous_end is not None and a < previous_end:
                    raise CalendarError(
                        f"working periods must be in order and not overlap: {_hhmm(a)} starts before "
                        f"the previous period ends at {_hhmm(previous_end)}"
                    )
                previous_end = b
        object.__setattr__(self, "work_periods", periods)
        holidays = frozenset(_as_date(d) for d in self.holidays)
        workdays = frozenset(_as_date(d) for d in self.workdays)
        both = sorted(holidays & workdays)
        if both:
            shown = ", ".join(d.isoformat() for d in both[:5])
            raise CalendarError(f"{len(both)} date(s) are both a company holiday and a company working day: {shown}")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise CalendarError(
                f"unknown time zone {self.timezone!r}: use an IANA name such as Asia/Shanghai"
            ) from exc

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_options(
        cls,
        kind: str = "cn",
        work_hours: str | None = None,
        holidays_file: str | Path | None = None,
        timezone: str = "Asia/Shanghai",
    ) -> Calendar:
        """A calendar from CLI-style options.

        ``work_hours`` like ``"09:00-12:00,13:00-18:00"`` or ``"9:00-18:00"`` (Chinese
        punctuation and full-width characters accepted; ``None`` keeps the default).
        ``holidays_file`` is a CSV/TXT/XLSX file read by :func:`read_holidays_file`.
        """
        kind = unicodedata.normalize("NFKC", str(kind)).strip().lower()
        if kind not in KINDS:
            raise CalendarError(f"unknown calendar {kind!r}: use one of {', '.join(KINDS)}")
        periods = DEFAULT_WORK_PERIODS if work_hours is None else parse_work_hours(work_hours)
        holidays: frozenset[date] = frozenset()
        workdays: frozenset[date] = frozenset()
        if holidays_file is not None:
            from procmine.calendar.holidays import read_holidays_file  # the file's module reads dates with ours

            holidays, workdays = read_holidays_file(holidays_file)
        return cls(kind=kind, work_periods=periods, holidays=holidays, workdays=workdays, timezone=timezone)

    # ------------------------------------------------------------------ days

    @property
    def hours_per_day(self) -> float:
        """Working hours in a working day: 8.0 by default, 24.0 for kind ``"none"``."""
        if self.kind == "none":
            return 24.0
        return sum(b - a for a, b in self._period_us()) / _US_PER_HOUR

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day (company lists first, then the kind's rule)."""
        day = _as_date(day)
        if self.kind == "none":
            return True
        flags, guessed = self._day_flags(day, 1)
        if guessed[0]:
            self._remember_guesses(np.array([(day - _EPOCH).days]))
        return bool(flags[0])

    def working_days(self, hours: Any) -> Any:
        """Working hours expressed in working days: ``hours / hours_per_day``.

        Works on numbers (``None`` stays ``None``), polars Series and expressions.
        """
        if hours is None:
            return None
        return hours / self.hours_per_day

    @property
    def warnings(self) -> list[str]:
        """What was assumed rather than known (empty when nothing was).

        Filled by :meth:`working_hours` (and :meth:`is_workday`) when days outside the years
        chinese-calendar covers were used: Monday–Friday was assumed for them. One line per
        year, or per run of consecutive years, naming the first and last such day used.
        """
        if not self._guessed:
            return []
        days = self._guessed[0]
        years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        covered = _year_spans(cn_coverage())
        lines = []
        run_starts = np.flatnonzero(np.diff(years, prepend=years[0] - 2) > 1)
        for a, b in zip(run_starts, [*run_starts[1:], len(days)]):
            first = _EPOCH + timedelta(days=int(days[a]))
            last = _EPOCH + timedelta(days=int(days[b - 1]))
            label = f"{first.year}" if first.year == last.year else f"{first.year}–{last.year}"
            span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
            lines.append(
                f"{label}: chinese-calendar {cn_version()} covers {covered} only, so for {b - a} day(s) "
                f"in {label} ({span}) Monday–Friday was assumed to be working days, without statutory "
                f"holidays or 调休 make-up days; list those days off and make-up working days "
                f"in --holidays, or update chinese-calendar"
            )
        return lines

    def _remember_guesses(self, days: np.ndarray) -> None:
        """Add days (since 1970-01-01) to those for which Mon–Fri was assumed."""
        days = np.asarray(days, dtype=np.int64)
        if not len(days):
            return
        if self._guessed:  # days arrive sorted and unique from one call; merge with earlier calls
            days = np.union1d(self._guessed[0], days)
        self._guessed[:] = [days]

    def _day_flags(self, first: date, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Working-day flags for ``n`` consecutive days from ``first``, and which were guessed.

        Days outside chinese-calendar's years (kind "cn") that no company list decides are
        taken as working days when they are Monday–Friday; ``guessed`` marks them.
        """
        offsets = np.arange(n)
        flags = (first.weekday() + offsets) % 7 < 5
        guessed = np.zeros(n, dtype=bool)
        last = first + timedelta(days=n - 1)
        if self.kind == "cn":
            covered = set(cn_coverage())
            guessed[:] = True
            for year in range(first.year, last.year + 1):
                if year not in covered:
                    continue
                year_flags = _cn_year_flags(year)
                lo = max(first, date(year, 1, 1))
                hi = min(last, date(year, 12, 31))
                a = (lo - first).days
                b = (hi - first).days + 1
                start_in_year = (lo - date(year, 1, 1)).days
                flags[a:b] = year_flags[start_in_year : start_in_year + (b - a)]
                guessed[a:b] = False
        for day in self.holidays:
            if first <= day <= last:
                i = (day - first).days
                flags[i] = False
                guessed[i] = False
        for day in self.workdays:
            if first <= day <= last:
                i = (day - first).days
                flags[i] = True
                guessed[i] = False
        return flags, guessed

    def _period_us(self) -> list[tuple[int, int]]:
        return [(_time_us(a), _time_us(b, end=True)) for a, b in self.work_periods]

    # ------------------------------------------------------------------ working time

    def working_hours(self, start: pl.Series, end: pl.Series) -> pl.Series:
        """Float64 hours of working time from each ``start`` to the matching ``end``.

        Datetime series, tz-aware (converted to :attr:`timezone`) or naive (taken as local
        time in it); Date series count from midnight. Null where either is null; negative
        when ``end`` is before ``start`` (minus the working time from ``end`` to ``start``).
        Kind ``"none"`` gives calendar hours (elapsed time when both are tz-aware, the
        wall-clock difference otherwise).
        """
        start = _as_series(start, "start")
        end = _as_series(end, "end")
        if len(start) != len(end):
            raise CalendarError(f"start has {len(start)} values but end has {len(end)}: they must pair up")
        both_aware = _is_aware(start) and _is_aware(end)
        s_us = self._local_us(start, "start")
        e_us = self._local_us(end, "end")
        name = "working_hours" if self.kind != "none" else "calendar_hours"
        if self.kind == "none":
            if both_aware:
                s_us = start.cast(pl.Datetime("us", start.dtype.time_zone)).dt.epoch("us")  # type: ignore[union-attr]
                e_us = end.cast(pl.Datetime("us", end.dtype.time_zone)).dt.epoch("us")  # type: ignore[union-attr]
            return ((e_us - s_us) / _US_PER_HOUR).cast(pl.Float64).rename(name)

        lows = [v for v in (s_us.min(), e_us.min()) if v is not None]
        highs = [v for v in (s_us.max(), e_us.max()) if v is not None]
        if not lows:  # nothing but nulls
            return pl.Series(name, [None] * len(start), dtype=pl.Float64)
        lo_day, hi_day = int(min(lows)) // _US_PER_DAY, int(max(highs)) // _US_PER_DAY

        n_days = int(hi_day - lo_day + 1)
        first = _EPOCH + timedelta(days=int(lo_day))
        flags, guessed = self._day_flags(first, n_days)
        periods = self._period_us()
        day_us = sum(b - a for a, b in periods)
        worked = flags.astype(np.int64) * day_us
        before = pl.Series(np.cumsum(worked) - worked)  # working µs before each day's midnight
        is_work = pl.Series(flags.astype(np.int64))

        if guessed.any():
            self._record_guesses(first, guessed, s_us // _US_PER_DAY - lo_day, e_us // _US_PER_DAY - lo_day)

        def position(t_us: pl.Expr) -> pl.Expr:
            """Working µs from the first day's midnight to each time: one lazy query, no
            intermediate columns kept (half the time of series arithmetic at 10M values)."""
            day = t_us // _US_PER_DAY
            idx = day - lo_day
            tod = t_us - day * _US_PER_DAY
            within = pl.sum_horizontal(*[(tod - a).clip(0, b - a) for a, b in periods])
            return pl.lit(before).gather(idx) + pl.lit(is_work).gather(idx) * within

        pair = pl.DataFrame({"s": s_us, "e": e_us}).lazy()
        hours = ((position(pl.col("e")) - position(pl.col("s"))) / _US_PER_HOUR).cast(pl.Float64)
        return pair.select(hours.alias(name)).collect()[name]

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours between two datetimes (scalar :meth:`working_hours`)."""
        for label, value in (("start", start), ("end", end)):
            if not isinstance(value, (datetime, date)):
                raise CalendarError(f"{label} must be a datetime, not {type(value).__name__} {value!r}")
        result = self.working_hours(pl.Series("start", [start]), pl.Series("end", [end]))
        return result.item()

    def _local_us(self, values: pl.Series, label: str) -> pl.Series:
        """Microseconds since 1970-01-01 00:00 of local wall-clock time in :attr:`timezone`."""
        dtype = values.dtype
        if dtype == pl.Null:
            return pl.Series(values.name, [None] * len(values), dtype=pl.Int64)
        if dtype == pl.Date:
            values = values.cast(pl.Datetime("us"))
            dtype = values.dtype
        if not isinstance(dtype, pl.Datetime):
            raise CalendarError(
                f"{label} is {dtype}, not dates and times: read the log with procmine.read_log "
                "or parse the column to Datetime first"
            )
        if dtype.time_zone is not None:
            return wall_clock_us(values.dt.epoch("us"), self.timezone)
        return values.cast(pl.Datetime("us")).dt.epoch("us")

    def _record_guesses(self, first: date, guessed: np.ndarray, s_idx: pl.Series, e_idx: pl.Series) -> None:
        """Remember the guessed days that some pair's span (start day to end day) touches."""
        n_days = len(guessed)
        frame = pl.DataFrame({"s": s_idx, "e": e_idx}).drop_nulls()
        lo = frame.select(pl.min_horizontal("s", "e")).to_series().to_numpy()
        hi = frame.select(pl.max_horizontal("s", "e")).to_series().to_numpy()
        # difference array: +1 where a span begins, -1 after it ends; > 0 means touched
        diff = np.bincount(lo, minlength=n_days + 1) - np.bincount(hi + 1, minlength=n_days + 1)
        touched = np.cumsum(diff)[:n_days] > 0
        self._remember_guesses(np.flatnonzero(touched & guessed) + (first - _EPOCH).days)

    # ------------------------------------------------------------------ description

    def describe(self, lang: str = "zh") -> str:
        """One line saying what counts as working time, in Chinese (``"zh"``) or English."""
        if lang not in ("zh", "en"):
            raise CalendarError(f"lang must be 'zh' or 'en', not {lang!r}")
        t = PHRASES.text(lang)
        if self.kind == "none":
            return t("none") + self._tz_note(t)
        if self.kind == "cn":
            days = t("cn_days", version=cn_version(), covered=_year_spans(cn_coverage()))
        else:
            days = t("weekdays")
        extra = []
        if self.holidays:
            extra.append(t("days_off", n=len(self.holidays)))
        if self.workdays:
            extra.append(t("workdays", n=len(self.workdays)))
        if extra:
            days += t("plus", extra=t("extra_separator").join(extra))
        spans = t("span_separator").join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in self.work_periods)
        return t("line", days=days, spans=spans, hours=f"{self.hours_per_day:g}") + self._tz_note(t)

    def _tz_note(self, t) -> str:
        if self.timezone == "Asia/Shanghai":
            return ""
        return t("time_zone", zone=self.timezone)


# --------------------------------------------------------------------------- helpers


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = _parse_date_text(value)
        if parsed is not None:
            return parsed
    raise CalendarError(f"{value!r} is not a date: use datetime.date or text like 2025-10-01")


def _as_series(values: Any, label: str) -> pl.Series:
    if isinstance(values, pl.Series):
        return values
    try:
        return pl.Series(label, values)
    except Exception as exc:  # noqa: BLE001 - polars raises several kinds
        raise CalendarError(f"{label} must be a polars Series of datetimes, not {type(values).__name__}") from exc


def _is_aware(values: pl.Series) -> bool:
    return isinstance(values.dtype, pl.Datetime) and values.dtype.time_zone is not None


def _time_us(value: time, end: bool = False) -> int:
    if end and value == _END_OF_DAY:
        return _US_PER_DAY
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _hhmm(value: time) -> str:
    if value == _END_OF_DAY:
        return "24:00"
    text = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        text += f":{value.second:02d}"
    return text


# --------------------------------------------------------------------------- working hours text

_DASHES = "-‐‑‒–—―−~～〜至到"
_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$")


def parse_work_hours(text: str) -> tuple[tuple[time, time], ...]:
    """Read ``"09:00-12:00,13:00-18:00"`` into ``((09:00, 12:00), (13:00, 18:00))``.

    Full-width characters and Chinese punctuation (``：，、；－—～至``) are accepted, as are
    bare hours (``9-18``) and ``24:00`` as the end of the day.
    """
    original = text
    if not isinstance(text, str) or not text.strip():
        raise CalendarError(f"cannot read working hours {original!r}: write them like 09:00-12:00,13:00-18:00")
    normal = unicodedata.normalize("NFKC", text)
    normal = normal.replace("点", ":").replace("时", ":").replace("分", "")
    for dash in _DASHES:
        normal = normal.replace(dash, "-")
    parts = [p.strip() for p in re.split(r"[,;、\s]+", normal.replace(" - ", "-")) if p.strip()]
    periods = []
    for part in parts:
        ends = [e.strip().rstrip(":") for e in part.split("-")]
        if len(ends) != 2:
            raise CalendarError(
                f"cannot read working hours {original!r}: {part!r} is not a period like 09:00-12:00; "
                "separate periods with commas: 09:00-12:00,13:00-18:00"
            )
        times = [_parse_clock(e, original, part, is_end=(i == 1)) for i, e in enumerate(ends)]
        periods.append((times[0], times[1]))
    # validation of order and overlaps happens in Calendar.__post_init__; check here too so the
    # message can quote the text
    try:
        Calendar(kind="weekdays", work_periods=tuple(periods))
    except CalendarError as exc:
        raise CalendarError(f"working hours {original!r}: {exc}") from None
    return tuple(periods)


def _parse_clock(text: str, original: str, part: str, is_end: bool) -> time:
    match = _TIME_RE.match(text)
    if match:
        hour = int(match.group(1))
        minute = int(match.group(2) or 0)
        second = int(match.group(3) or 0)
        if is_end and hour == 24 and minute == 0 and second == 0:
            return _END_OF_DAY
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise CalendarError(
        f"cannot read working hours {original!r}: {text!r} in {part!r} is not a time of day "
        "(write HH:MM, e.g. 09:00-12:00,13:00-18:00)"
    )



# --------------------------------------------------------------------------- dates written as text
# (a company day given as text to Calendar, and the dates of a holidays file)

_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ t]+0{1,2}:00(?::00(?:\.0+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class _BadDate(Exception):
    pass


def _parse_date_text(text: str) -> date | None:
    """``2025-10-01``, ``2025/10/1``, ``2025.10.1``, ``2025年10月1日``, ``20251001`` → date.

    ``None`` when the text does not look like a date; :class:`_BadDate` when it does but the
    day does not exist (2025-02-30).
    """
    normal = unicodedata.normalize("NFKC", text).strip().lower()
    match = _DATE_RE.match(normal) or _COMPACT_DATE_RE.match(normal)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _BadDate(str(exc)) from None
