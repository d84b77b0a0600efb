"""Working time (工作时间): Chinese holidays and 调休, work hours, holidays files, duration targets.

Three ideas, one module each; every name is importable from ``procmine.calendar``:

* :mod:`~procmine.calendar.working`: the working calendar. :class:`Calendar` (kind ``"cn"``,
  ``"weekdays"`` or ``"none"``, working hours, company days, time zone) turns pairs of
  timestamps into working hours; :func:`parse_work_hours` reads ``09:00-12:00,13:00-18:00``.
* :mod:`~procmine.calendar.holidays`: a user's holidays file (CSV/TXT/XLSX of days off and
  调休 working days), :func:`read_holidays_file`.
* :mod:`~procmine.calendar.targets`: KPI targets and time limits, :func:`parse_duration_target`
  (``3wd``, ``8h``, ``2d``, ``≤3个工作日``, ``接收后30分钟内``) into a :class:`Duration`.

    >>> from procmine.calendar import Calendar, parse_duration_target
    >>> parse_duration_target("3wd").to_work_hours(Calendar())
    24.0
"""

# the constants and cn_* helpers stay importable from here, as they were before the split
from procmine.calendar.holidays import read_holidays_file
from procmine.calendar.targets import ACCEPTED_FORMS, UNITS, Duration, parse_duration_target
from procmine.calendar.working import (
    DEFAULT_WORK_PERIODS,
    KINDS,
    PHRASES,
    Calendar,
    CalendarError,
    cn_coverage,
    cn_version,
    parse_work_hours,
)

__all__ = [
    "Calendar",
    "CalendarError",
    "Duration",
    "parse_duration_target",
    "parse_work_hours",
    "read_holidays_file",
]
