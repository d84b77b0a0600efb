"""procmine.calendar is a package of three ideas (working calendar, holidays file, duration
targets); every name the single module offered is still importable from procmine.calendar."""

from __future__ import annotations

from datetime import date

import procmine.calendar
from procmine.calendar import holidays, targets, working


def test_every_name_of_the_former_module_is_importable_from_the_package():
    names = ["Calendar", "CalendarError", "Duration", "parse_duration_target", "parse_work_hours",
             "read_holidays_file", "cn_coverage", "cn_version", "KINDS", "UNITS", "ACCEPTED_FORMS",
             "DEFAULT_WORK_PERIODS", "PHRASES"]
    missing = [name for name in names if not hasattr(procmine.calendar, name)]
    assert missing == []
    assert procmine.calendar.__all__ == ["Calendar", "CalendarError", "Duration", "parse_duration_target",
                                         "parse_work_hours", "read_holidays_file"]


def test_each_idea_lives_in_its_own_module():
    assert procmine.calendar.Calendar is working.Calendar
    assert procmine.calendar.read_holidays_file is holidays.read_holidays_file
    assert procmine.calendar.parse_duration_target is targets.parse_duration_target
    # one error for the three: a bad holidays file and a bad target are both CalendarError
    assert holidays.CalendarError is targets.CalendarError is procmine.calendar.CalendarError


def test_a_holidays_file_sets_the_calendar_company_days(tmp_path):
    # Wed 2025-10-15 a company day off, Sat 2025-10-18 a company working day (neither is a
    # statutory holiday or 调休 day); the file is GBK, as Chinese Excel saves CSV
    path = tmp_path / "holidays.csv"
    path.write_text("日期,类型\n2025-10-15,假日\n2025/10/18,上班\n", encoding="gbk")
    days = (date(2025, 10, 15), date(2025, 10, 18))
    assert [procmine.calendar.Calendar().is_workday(d) for d in days] == [True, False]
    calendar = procmine.calendar.Calendar.from_options("cn", holidays_file=path)
    assert [calendar.is_workday(d) for d in days] == [False, True]
