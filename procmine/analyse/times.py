"""The time tables every analysis reads: per step, per hand-off and per case.

Each duration is given twice: in calendar hours (``*_hours``) and in working hours
(``*_work_hours``) under a :class:`~procmine.calendar.Calendar`. Step durations follow the
process map's rule: arrival → completion when the log has arrival times, otherwise the
previous step's completion → this step's completion. The tables are the engine's
(:meth:`procmine.EventLog.tables`) with the calendar's columns added, built once per calendar.

    >>> tables = time_tables(log, Calendar())          # doctest: +SKIP
    >>> tables.steps.columns                            # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procmine.engine.tables import TimeTables
from procmine.log import EventLog

if TYPE_CHECKING:
    from procmine.calendar import Calendar

__all__ = ["TimeTables", "time_tables", "default_calendar"]


def default_calendar() -> "Calendar":
    from procmine.calendar import Calendar

    return Calendar()


def time_tables(log: EventLog, calendar: "Calendar | None" = None) -> TimeTables:
    """The time tables of ``log`` under ``calendar`` (default: Chinese working time)."""
    return log.tables().working(calendar or default_calendar())
