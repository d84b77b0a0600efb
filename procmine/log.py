"""The event log: events with their column mapping, source and data-quality report.

``read_log`` builds it; every later function takes it and never asks for column names again.
Events are held in a polars DataFrame with standard column names (``case``, ``activity``,
``timestamp`` = completion, ``start_timestamp`` = arrival/start, ``resource``, ``department``,
``role``, ``outcome``, ``row`` = the row in the source file) plus the file's other columns
under their own names. ``to_pandas()`` gives the same table to pandas users.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from typing import TYPE_CHECKING

from procmine.check import DataQualityReport

if TYPE_CHECKING:
    import pandas as pd

if TYPE_CHECKING:  # the reader and the engine import this module; avoid the cycle at run time
    from procmine.calendar import Calendar
    from procmine.engine import Tables
    from procmine.filters import Filter
    from procmine.read.columns import ColumnMapping

CASE, ACTIVITY, TIMESTAMP, START = "case", "activity", "timestamp", "start_timestamp"
RESOURCE, DEPARTMENT, ROLE, OUTCOME, ROW = "resource", "department", "role", "outcome", "row"
STANDARD = (CASE, ACTIVITY, TIMESTAMP, START, RESOURCE, DEPARTMENT, ROLE, OUTCOME, ROW)

MICROSECONDS_PER_HOUR = 3_600_000_000


def hours_between(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    """Calendar hours from ``earlier`` to ``later`` as a float expression."""
    return (later - earlier).dt.total_microseconds() / MICROSECONDS_PER_HOUR


@dataclass
class Source:
    """Where a log came from and how it was read."""

    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def row_word(self) -> str:
        """How a position in this file is named in messages."""
        return "event" if self.format == "xes" else "row"


@dataclass
class LogSummary:
    """The headline numbers of a log: what a person checks first."""

    source: str
    cases: int
    events: int
    activities: int
    variants: int
    start: str | None
    end: str | None
    median_lead_time_hours: float | None
    timezone: str
    has_start_times: bool
    columns: dict[str, str | None]
    notes: list[str] = field(default_factory=list)
    #: the filters that narrowed the log, as written in outputs (empty: the whole file)
    filters: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def __str__(self) -> str:
        from procmine.units import format_hours

        lead = format_hours(self.median_lead_time_hours, "en") if self.median_lead_time_hours is not None else "–"
        mapped = ", ".join(f"{role}={col!r}" for role, col in self.columns.items() if col)
        durations = (
            "arrival → completion per step" if self.has_start_times
            else "completion → completion (no arrival/start column)"
        )
        return "\n".join([
            f"Log {self.source}",
            f"  {self.cases:,} cases · {self.events:,} events · {self.activities:,} activities · {self.variants:,} variants",
            f"  period {self.start} → {self.end} ({self.timezone})",
            f"  median lead time {lead} (calendar time); step durations: {durations}",
            f"  columns: {mapped}",
            *([f"  filter: {'; '.join(self.filters)} (the data-quality report below covers the whole file)"]
              if self.filters else []),
            *[f"  {note}" for note in self.notes],
        ])


class EventLog:
    """An event log read by :func:`procmine.read_log`.

    >>> log = procmine.read_log("sample_logs/合同审批.csv")   # doctest: +SKIP
    >>> log.summary().cases                                    # doctest: +SKIP
    300
    """

    def __init__(
        self,
        events: pl.DataFrame,
        columns: ColumnMapping,
        source: Source,
        quality: DataQualityReport,
        timezone: str = "Asia/Shanghai",
        open_cases: frozenset[str] = frozenset(),
        open_steps: pl.DataFrame | None = None,
    ):
        self.events = events
        #: cases with a step that had arrived but was not completed when the log was exported
        self.open_cases = open_cases
        #: those steps (case, activity, start_timestamp = arrival, resource, department, row)
        self.open_steps = open_steps
        self.columns = columns
        self.source = source
        self.quality = quality
        self.timezone = timezone
        self._tables: dict[bool, Tables] = {}
        #: the filters that narrowed this log from the file's (see :meth:`filter`)
        self.filters: tuple[Filter, ...] = ()
        #: the events frame known to be in step order (case, arrival, completion, row), as the
        #: reader leaves it: the tables need not check it again (an events frame set later is checked)
        self._in_order: pl.DataFrame | None = None

    # --- basic facts -------------------------------------------------------------------
    @property
    def has_start_times(self) -> bool:
        """True when steps have an arrival/start time as well as a completion time."""
        return START in self.events.columns and self.events[START].null_count() < self.events.height

    @property
    def attributes(self) -> list[str]:
        """The file's columns that are not mapped to a role (amounts, categories …)."""
        return [c for c in self.events.columns if c not in STANDARD]

    def __len__(self) -> int:
        return self.events.height

    def find_column(self, name: str) -> str | None:
        """The event column a user's ``name`` means: a column of the file, a role (activity,
        resource …) or the file's header mapped to a role; spaces, full-width characters and
        letter case do not matter. None when the log has no such column."""
        from procmine.read.columns import normalise_header

        columns = [c for c in self.events.columns if c != ROW]
        if name in columns:
            return name
        wanted = normalise_header(name)
        for role, header in self.columns.items():
            if header is not None and role in columns and normalise_header(header) == wanted:
                return role
        return next((c for c in columns if normalise_header(c) == wanted), None)

    @property
    def label(self) -> str:
        """The file's name, and the filters that narrowed it: what titles and results show."""
        if not self.filters:
            return self.source.name
        return f"{self.source.name}（筛选：{'；'.join(f.describe('zh') for f in self.filters)}）"

    # --- slicing -----------------------------------------------------------------------
    def filter(self, *filters: Filter, calendar: Calendar | None = None, **written) -> EventLog:
        """This log narrowed to the cases the filters keep (see :mod:`procmine.filters`).

        Filters are :class:`~procmine.filters.Filter` objects or the written forms as keywords:
        ``period``, ``period_mode``, ``where``, ``variants``, ``lead_time``, ``starts_with``,
        ``ends_with``, ``follows``. ``calendar`` measures working time (default: Chinese).
        Chainable; the data-quality report stays the file's own.

            >>> big = log.filter(where="合同金额(元)>200000")                 # doctest: +SKIP
            >>> q1 = log.filter(period="2025-01-01:2025-04-01").filter(variants=5)  # doctest: +SKIP
        """
        from procmine.filters import apply_filters, parse_filters

        return apply_filters(self, [*filters, *parse_filters(**written)], calendar)

    def narrowed(self, cases: pl.Series, reason: Filter) -> EventLog:
        """This log with only ``cases`` (case ids), recording ``reason`` among its filters."""
        keep = cases.implode()
        narrowed = EventLog(
            self.events.filter(pl.col(CASE).is_in(keep)),
            self.columns,
            self.source,
            self.quality,
            timezone=self.timezone,
            open_cases=self.open_cases & frozenset(cases.to_list()) if self.open_cases else frozenset(),
            open_steps=(self.open_steps.filter(pl.col(CASE).is_in(keep)) if self.open_steps is not None else None),
        )
        narrowed.filters = (*self.filters, reason)
        if self._in_order is self.events:  # a filter keeps the order
            narrowed._in_order = narrowed.events
        return narrowed

    def map_columns(self) -> EventLog:
        """This log with only the columns the process map reads: case, activity, the times and
        the file row. People, departments, outcomes and attributes are let go (at 10M events,
        0.5 GB); the map, the flowchart and the BPMN model are the same. What ``procmine
        discover`` keeps once the log is read, checked and filtered."""
        keep = [c for c in (CASE, ACTIVITY, START, TIMESTAMP, ROW) if c in self.events.columns]
        if len(keep) == self.events.width:
            return self
        narrowed = EventLog(self.events.select(keep), self.columns, self.source, self.quality,
                            timezone=self.timezone, open_cases=self.open_cases, open_steps=self.open_steps)
        narrowed.filters = self.filters
        if self._in_order is self.events:  # the same rows in the same order
            narrowed._in_order = narrowed.events
        return narrowed

    def tables(self, *, arrival_times: bool = True) -> Tables:
        """The engine's tables of this log (steps, hand-offs, cases, variants …), built once.

        ``arrival_times=False`` sets arrival/start times aside: steps are ordered and
        measured by completion only, as pm4py's directly-follows graph does.
        """
        from procmine.engine import Tables

        completion_only = not (arrival_times and self.has_start_times)
        if completion_only not in self._tables:
            # the reader's order is the steps' order unless arrival times are set aside
            in_order = self._in_order is self.events and (not completion_only or START not in self.events.columns)
            self._tables[completion_only] = Tables(self.events, completion_only=completion_only,
                                                   open_cases=self.open_cases, open_steps=self.open_steps,
                                                   in_order=in_order)
        return self._tables[completion_only]

    @property
    def case_table(self) -> pl.DataFrame:
        """One row per case: first and last time, event count, variant id, lead time in hours."""
        return self.tables().cases.select(CASE, "first_time", "last_time", "events", "variant_id",
                                          pl.col("lead_hours").alias("lead_time_hours"))

    def summary(self) -> LogSummary:
        tables = self.tables()
        cases = tables.cases
        start = self.events[TIMESTAMP].min() if self.events.height else None
        first = cases["first_time"].min() if cases.height else None
        if first is not None and (start is None or first < start):
            start = first
        end = self.events[TIMESTAMP].max() if self.events.height else None
        median = cases["lead_hours"].median() if cases.height else None
        return LogSummary(
            source=self.source.name,
            cases=cases.height,
            events=self.events.height,
            activities=tables.activity_names.len(),
            variants=tables.variants.height,
            start=_iso(start),
            end=_iso(end),
            median_lead_time_hours=round(median, 3) if median is not None else None,
            timezone=self.timezone,
            has_start_times=self.has_start_times,
            columns=self.columns.to_dict(),
            notes=list(self.source.notes),
            filters=[f.describe("en") for f in self.filters],
        )

    def to_pandas(self) -> pd.DataFrame:
        """The events as a pandas DataFrame (standard column names, tz-aware times)."""
        return self.events.to_pandas()

    # --- display -----------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"{self.summary()}\n{self.quality}"

    def _repr_html_(self) -> str:
        s = self.summary()
        mapping = "".join(
            f"<tr><td>{html.escape(role)}</td><td>{html.escape(col or '—')}</td></tr>" for role, col in s.columns.items()
        )
        from procmine.units import format_hours

        return (
            f"<div><h4>Event log {html.escape(s.source)}</h4>"
            f"<table><tr><th>cases</th><th>events</th><th>activities</th><th>variants</th><th>period ({html.escape(s.timezone)})</th>"
            f"<th>median lead time (calendar)</th></tr>"
            f"<tr><td>{s.cases:,}</td><td>{s.events:,}</td><td>{s.activities:,}</td><td>{s.variants:,}</td>"
            f"<td>{html.escape(str(s.start))} → {html.escape(str(s.end))}</td>"
            f"<td>{html.escape(format_hours(s.median_lead_time_hours, 'en'))}</td></tr></table>"
            f"<details><summary>column mapping</summary><table>{mapping}</table></details>"
            f"{self.quality._repr_html_()}</div>"
        )


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "isoformat") else str(value)
