"""The time tables every analysis reads: per step, per hand-off and per case.

Each duration is given twice: in calendar hours (``*_hours``) and in working hours
(``*_work_hours``) under a :class:`~procmine.calendar.Calendar`. Step durations follow the
process map's rule: arrival → completion when the log has arrival times, otherwise the
previous step's completion → this step's completion.

    >>> tables = time_tables(log, Calendar())          # doctest: +SKIP
    >>> tables.steps.columns                            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl

from procmine.discover.handoffs import handoff_table, timed_steps
from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROLE, ROW, EventLog, hours_between

if TYPE_CHECKING:
    from procmine.calendar import Calendar


@dataclass
class TimeTables:
    """Steps, hand-offs and cases with calendar and working durations."""

    steps: pl.DataFrame
    handoffs: pl.DataFrame
    cases: pl.DataFrame
    calendar: "Calendar"
    has_start_times: bool
    warnings: list[str]
    open_steps: pl.DataFrame | None = None

    @property
    def basis(self) -> str:
        """'working' when a working-time calendar applies, else 'calendar'."""
        return "calendar" if self.calendar.kind == "none" else "working"


def default_calendar() -> "Calendar":
    from procmine.calendar import Calendar

    return Calendar()


def time_tables(log: EventLog, calendar: "Calendar | None" = None) -> TimeTables:
    """Build (and cache on the log) the time tables of ``log`` under ``calendar``."""
    calendar = calendar or default_calendar()
    cache = log.__dict__.setdefault("_time_tables", {})
    if calendar in cache:
        return cache[calendar]
    events = log.events
    has_start = log.has_start_times
    steps = timed_steps(events, completion_only=not has_start)
    extra = [c for c in (ROLE, OUTCOME) if c in events.columns]
    if extra:
        steps = steps.join(events.select(CASE, ROW, *extra), on=[CASE, ROW], how="left")
    for column in (RESOURCE, DEPARTMENT, ROLE, OUTCOME):
        if column not in steps.columns:
            steps = steps.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    steps = steps.with_columns((pl.int_range(pl.len()).over(CASE, ACTIVITY) + 1).alias("occurrence"))
    steps = steps.with_columns(
        calendar.working_hours(steps["duration_from"], steps["end"]).alias("duration_work_hours")
    )

    handoffs = handoff_table(events)
    handoffs = handoffs.with_columns(
        calendar.working_hours(handoffs["ready"], handoffs["target_arrival"]).alias("work_hours")
    )

    cases = (
        steps.group_by(CASE, maintain_order=True)
        .agg(
            pl.col("begin").min().alias("first_time"),
            pl.col("end").max().alias("last_time"),
            pl.len().alias("events"),
            pl.col(ACTIVITY).alias("trace"),
            (pl.col("occurrence") > 1).any().alias("has_repeat"),
        )
        .with_columns(hours_between(pl.col("last_time"), pl.col("first_time")).alias("lead_hours"))
    )
    cases = cases.with_columns(
        calendar.working_hours(cases["first_time"], cases["last_time"]).alias("lead_work_hours"),
        pl.col(CASE).is_in(pl.Series(sorted(log.open_cases), dtype=pl.String).implode()).alias("open"),
    )
    tables = TimeTables(steps, handoffs, cases, calendar, has_start, _plausibility(steps, calendar), log.open_steps)
    cache[calendar] = tables
    return tables


#: Above this share of steps completed outside working time, the calendar probably does not fit.
OUTSIDE_HOURS_WARNING = 0.5


def _plausibility(steps: pl.DataFrame, calendar: "Calendar") -> list[str]:
    """Warn when most steps were completed outside working time: a wrong time zone or work hours?"""
    if calendar.kind == "none" or steps.height == 0:
        return []
    minute_before = steps["end"] - timedelta(minutes=1)
    outside = (calendar.working_hours(minute_before, steps["end"]) <= 0).mean()
    if outside is None or outside <= OUTSIDE_HOURS_WARNING:
        return []
    return [f"{outside * 100:.0f} % of the steps were completed outside working time "
            f"({calendar.describe('en')}); check that --timezone, --work-hours and --calendar fit this log, "
            "or use --calendar none for calendar time"]
