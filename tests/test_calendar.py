"""Working time: hand-checked hours around lunch, nights, weekends, 国庆 and 春节 调休.

Every expected value is worked out in a comment. Default calendar: kind "cn", working hours
09:00–12:00 and 13:00–18:00 (8 h a day), Asia/Shanghai.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar
import openpyxl
import polars as pl
import pytest

from procmine.calendar import (
    Calendar,
    CalendarError,
    Duration,
    cn_coverage,
    parse_duration_target,
    parse_work_hours,
    read_holidays_file,
)
from procmine.errors import ProcmineError

D = datetime
CN = Calendar()


def hours(calendar: Calendar, start: datetime, end: datetime) -> float:
    return calendar.working_hours_between(start, end)


# --------------------------------------------------------------------------- one day, nights, weekends


def test_a_working_day_is_eight_hours_without_lunch():
    # Mon 2025-09-22: 09:00–12:00 (3 h) + 13:00–18:00 (5 h) = 8 h
    assert date(2025, 9, 22).weekday() == 0
    assert hours(CN, D(2025, 9, 22, 9), D(2025, 9, 22, 18)) == 8.0
    # 11:30 → 13:30: 11:30–12:00 (0.5 h) + 13:00–13:30 (0.5 h) = 1 h
    assert hours(CN, D(2025, 9, 22, 11, 30), D(2025, 9, 22, 13, 30)) == 1.0
    # inside lunch: 12:10 → 12:50 = 0 h
    assert hours(CN, D(2025, 9, 22, 12, 10), D(2025, 9, 22, 12, 50)) == 0.0
    # 09:15:36 → 09:45:00 = 29 min 24 s = 0.49 h
    assert hours(CN, D(2025, 9, 22, 9, 15, 36), D(2025, 9, 22, 9, 45)) == pytest.approx(0.49)


def test_events_outside_working_hours_count_from_the_next_working_time():
    # Mon 20:00 → Tue 10:00: nothing on Monday evening, Tue 09:00–10:00 = 1 h
    assert hours(CN, D(2025, 9, 22, 20), D(2025, 9, 23, 10)) == 1.0
    # Mon 07:00 → Mon 08:30: before work = 0 h
    assert hours(CN, D(2025, 9, 22, 7), D(2025, 9, 22, 8, 30)) == 0.0
    # Sat 2025-09-20 10:00 → 16:00: weekend (and no 调休 that day) = 0 h
    assert date(2025, 9, 20).weekday() == 5 and not chinese_calendar.is_workday(date(2025, 9, 20))
    assert hours(CN, D(2025, 9, 20, 10), D(2025, 9, 20, 16)) == 0.0
    # Fri 2025-09-19 17:00 → Mon 09-22 10:00: Fri 17–18 (1 h) + Mon 09–10 (1 h) = 2 h
    assert hours(CN, D(2025, 9, 19, 17), D(2025, 9, 22, 10)) == 2.0


# --------------------------------------------------------------------------- statutory holidays and 调休


def test_national_day_2025_and_its_make_up_sunday():
    # what chinese-calendar says about 国庆/中秋 2025
    assert all(not chinese_calendar.is_workday(date(2025, 10, d)) for d in range(1, 9))
    assert chinese_calendar.is_workday(date(2025, 10, 9))
    assert date(2025, 9, 28).weekday() == 6 and chinese_calendar.is_workday(date(2025, 9, 28))
    assert date(2025, 10, 11).weekday() == 5 and chinese_calendar.is_workday(date(2025, 10, 11))
    # Tue 09-30 17:00 → Thu 10-09 10:00: 09-30 17–18 (1 h) + 10-01..08 off + 10-09 09–10 (1 h) = 2 h
    assert hours(CN, D(2025, 9, 30, 17), D(2025, 10, 9, 10)) == 2.0
    # Sat 09-27 12:00 → Mon 09-29 09:00: Sat off, Sun 09-28 is a 调休 working day (8 h) = 8 h
    assert hours(CN, D(2025, 9, 27, 12), D(2025, 9, 29, 9)) == 8.0
    # Sat 10-11 is also a working day: Fri 10-10 18:00 → Mon 10-13 09:00 = 8 h (Sat) + 0 (Sun) = 8 h
    assert hours(CN, D(2025, 10, 10, 18), D(2025, 10, 13, 9)) == 8.0


def test_spring_festival_2025():
    # chinese-calendar: 01-28..02-04 off; Sun 01-26 and Sat 02-08 are 调休 working days
    assert all(not chinese_calendar.is_workday(date(2025, 1, 28) + timedelta(days=i)) for i in range(8))
    assert chinese_calendar.is_workday(date(2025, 1, 26)) and date(2025, 1, 26).weekday() == 6
    assert chinese_calendar.is_workday(date(2025, 1, 27)) and date(2025, 1, 27).weekday() == 0
    assert chinese_calendar.is_workday(date(2025, 2, 8)) and date(2025, 2, 8).weekday() == 5
    assert not chinese_calendar.is_workday(date(2025, 1, 25))
    # Fri 01-24 18:00 → Wed 02-05 09:00:
    #   Fri after 18:00 0 + Sat 01-25 0 + Sun 01-26 (调休) 8 + Mon 01-27 8 + 01-28..02-04 0
    #   + Wed 02-05 before 09:00 0 = 16 h
    assert hours(CN, D(2025, 1, 24, 18), D(2025, 2, 5, 9)) == 16.0
    # Fri 02-07 18:00 → Mon 02-10 09:00 = Sat 02-08 (调休) 8 h + Sun 0 = 8 h
    assert hours(CN, D(2025, 2, 7, 18), D(2025, 2, 10, 9)) == 8.0


def test_is_workday_follows_the_kind():
    assert CN.is_workday(date(2025, 9, 28))  # 调休 Sunday
    assert not CN.is_workday(date(2025, 10, 1))
    assert CN.is_workday(datetime(2025, 10, 9, 15))  # a datetime is read as its day
    weekdays = Calendar(kind="weekdays")
    assert not weekdays.is_workday(date(2025, 9, 28))
    assert weekdays.is_workday(date(2025, 10, 1))


# --------------------------------------------------------------------------- other kinds and options


def test_weekdays_kind_ignores_statutory_holidays():
    weekdays = Calendar(kind="weekdays")
    # Wed 2025-10-01 09:00 → 18:00: a national holiday, but a weekday = 8 h (cn: 0 h)
    assert hours(weekdays, D(2025, 10, 1, 9), D(2025, 10, 1, 18)) == 8.0
    assert hours(CN, D(2025, 10, 1, 9), D(2025, 10, 1, 18)) == 0.0
    # Sat 09-27 12:00 → Mon 09-29 09:00: Sun 09-28 is not a working day here = 0 h (cn: 8 h)
    assert hours(weekdays, D(2025, 9, 27, 12), D(2025, 9, 29, 9)) == 0.0
    # Tue 09-30 17:00 → Thu 10-09 10:00: 09-30 17–18 (1 h)
    # + full weekdays 10-01 Wed, 02 Thu, 03 Fri, 06 Mon, 07 Tue, 08 Wed (6 × 8 = 48 h)
    # + 10-09 09–10 (1 h) = 50 h
    assert hours(weekdays, D(2025, 9, 30, 17), D(2025, 10, 9, 10)) == 50.0


def test_none_kind_is_calendar_time():
    none = Calendar(kind="none")
    # Sat 10:00 → Mon 10:30 = 48.5 calendar hours
    assert hours(none, D(2025, 9, 27, 10), D(2025, 9, 29, 10, 30)) == 48.5
    assert none.hours_per_day == 24.0
    assert none.working_days(48.0) == 2.0
    assert none.describe() == "日历时间（不扣除非工作时间）"
    assert none.describe("en") == "calendar time (non-working time is not deducted)"


def test_custom_work_hours_without_lunch_break():
    nine_to_six = Calendar.from_options(work_hours="09:00-18:00")
    assert nine_to_six.work_periods == ((time(9), time(18)),)
    assert nine_to_six.hours_per_day == 9.0
    # Mon 08:00 → 19:00 = 09:00–18:00 = 9 h
    assert hours(nine_to_six, D(2025, 9, 22, 8), D(2025, 9, 22, 19)) == 9.0
    # 11:30 → 13:30 = 2 h (no lunch break; the default calendar says 1 h)
    assert hours(nine_to_six, D(2025, 9, 22, 11, 30), D(2025, 9, 22, 13, 30)) == 2.0
    # 27 working hours = 3 of its working days
    assert nine_to_six.working_days(27.0) == 3.0


@pytest.mark.parametrize("text", [
    "09:00-12:00,13:00-18:00",
    "9:00-12:00, 13:00-18:00",
    "０９：００－１２：００，１３：００－１８：００",
    "9:00—12:00，13:00—18:00",
    "9:00～12:00、13:00至18:00",
    "9-12,13-18",
])
def test_work_hours_text_forms(text):
    assert parse_work_hours(text) == ((time(9), time(12)), (time(13), time(18)))


def test_work_hours_until_midnight():
    late = Calendar.from_options(work_hours="14:00-24:00")
    assert late.hours_per_day == 10.0
    # Mon 2025-09-22 23:00 → Tue 15:00 = Mon 23–24 (1 h) + Tue 14–15 (1 h) = 2 h
    assert hours(late, D(2025, 9, 22, 23), D(2025, 9, 23, 15)) == 2.0
    assert "14:00–24:00" in late.describe()


@pytest.mark.parametrize("text, words", [
    ("18:00-09:00", "ends before it starts"),
    ("9:00-13:00,12:00-18:00", "overlap"),
    ("25:00-26:00", "'25:00'"),
    ("nine to five", "not a period"),
    ("", "09:00-12:00,13:00-18:00"),
])
def test_bad_work_hours_are_explained(text, words):
    with pytest.raises(CalendarError) as error:
        Calendar.from_options(work_hours=text)
    assert words in str(error.value)
    assert isinstance(error.value, ProcmineError) and error.value.exit_code == 2


def test_unknown_kind_and_time_zone():
    with pytest.raises(CalendarError, match="cn, weekdays, none"):
        Calendar.from_options(kind="china")
    with pytest.raises(CalendarError, match="Mars/Olympus"):
        Calendar(timezone="Mars/Olympus")


# --------------------------------------------------------------------------- company holidays file


def test_holidays_file_turns_a_workday_off_and_a_saturday_on(tmp_path):
    path = tmp_path / "公司假日.csv"
    path.write_text(
        "# 2025 company calendar\n"
        "日期,类型,说明\n"
        "\n"
        "2025-09-24,假日,公司周年庆\n"
        "2025/9/27,上班,  # 补班\n",
        encoding="utf-8",
    )
    company = Calendar.from_options(holidays_file=path)
    assert company.holidays == {date(2025, 9, 24)} and company.workdays == {date(2025, 9, 27)}
    # Wed 09-24 09:00 → Thu 09-25 09:00: default 8 h, now a company day off = 0 h
    assert hours(CN, D(2025, 9, 24, 9), D(2025, 9, 25, 9)) == 8.0
    assert hours(company, D(2025, 9, 24, 9), D(2025, 9, 25, 9)) == 0.0
    # Sat 09-27 09:00 → Sun 09-28 09:00: default 0 h, now a company working day = 8 h
    assert hours(CN, D(2025, 9, 27, 9), D(2025, 9, 28, 9)) == 0.0
    assert hours(company, D(2025, 9, 27, 9), D(2025, 9, 28, 9)) == 8.0
    # company days apply to the weekdays kind as well
    assert not Calendar.from_options(kind="weekdays", holidays_file=path).is_workday(date(2025, 9, 24))
    assert "公司休息日 1 天、公司工作日 1 天" in company.describe()


def test_holidays_text_file_without_header_and_chinese_dates(tmp_path):
    path = tmp_path / "days.txt"
    path.write_text(
        "2025年10月10日\n"          # no type: a day off
        "2025年10月12日 调休\n"     # 调休 (make-up working day)
        "20251013\tholiday\n"
        "2025.10.18   Work   # a Saturday\n",
        encoding="gbk",
    )
    holidays, workdays = read_holidays_file(path)
    assert holidays == {date(2025, 10, 10), date(2025, 10, 13)}
    assert workdays == {date(2025, 10, 12), date(2025, 10, 18)}


def test_holidays_excel_file(tmp_path):
    path = tmp_path / "days.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Type"])
    sheet.append([datetime(2025, 12, 31), "off"])
    sheet.append(["2026-01-04", "workday"])
    book.save(path)
    holidays, workdays = read_holidays_file(path)
    assert holidays == {date(2025, 12, 31)} and workdays == {date(2026, 1, 4)}


@pytest.mark.parametrize("content, words", [
    ("2025-10-01,假日\n2025-13-01,假日\n", ["line 2", "'2025-13-01'"]),
    ("2025-10-01,假日\n\n2025-02-30,假日\n", ["line 3", "'2025-02-30'", "not a real date"]),
    ("2025-10-01,假日\nnext monday,假日\n", ["line 2", "'next monday'"]),
    ("2025-10-01,半天\n", ["line 1", "'半天'", "工作日/上班/调休"]),
    ("2025-10-01,假日\n2025/10/1,上班\n", ["line 2", "2025-10-01", "line 1"]),
    ("# only a comment\n\n", ["no dates"]),
])
def test_holidays_file_errors_name_file_line_and_value(tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarError) as error:
        Calendar.from_options(holidays_file=path)
    message = str(error.value)
    assert "bad.csv" in message
    for word in words:
        assert word in message


def test_missing_holidays_file(tmp_path):
    with pytest.raises(CalendarError, match="does not exist"):
        Calendar.from_options(holidays_file=tmp_path / "nope.csv")


# --------------------------------------------------------------------------- series behaviour


def test_series_nulls_and_reversed_pairs():
    start = pl.Series([D(2025, 9, 22, 9), None, D(2025, 9, 23, 10), D(2025, 9, 22, 9)])
    end = pl.Series([D(2025, 9, 22, 18), D(2025, 9, 22, 18), D(2025, 9, 22, 20), None])
    result = CN.working_hours(start, end)
    assert result.dtype == pl.Float64
    # 8 h; null start; Tue 10:00 back to Mon 20:00 = -(Mon 20:00 → Tue 10:00 = 1 h); null end
    assert result.to_list() == [8.0, None, -1.0, None]


def test_all_null_and_empty_series():
    nulls = pl.Series([None, None], dtype=pl.Datetime("us"))
    assert CN.working_hours(nulls, nulls).to_list() == [None, None]
    empty = pl.Series([], dtype=pl.Datetime("us", "Asia/Shanghai"))
    assert CN.working_hours(empty, empty).to_list() == []


def test_utc_input_is_converted_to_shanghai_time():
    # 01:00–10:00 UTC on Mon 2025-09-22 is 09:00–18:00 in Shanghai = 8 h
    # (read as wall-clock 01:00–10:00 it would be 1 h)
    start = pl.Series([D(2025, 9, 22, 1)]).dt.replace_time_zone("UTC")
    end = pl.Series([D(2025, 9, 22, 10)]).dt.replace_time_zone("UTC")
    assert CN.working_hours(start, end).to_list() == [8.0]
    # a tz-aware Python datetime works too
    assert hours(CN, D(2025, 9, 22, 1, tzinfo=timezone.utc), D(2025, 9, 22, 10, tzinfo=timezone.utc)) == 8.0
    # a calendar in another zone reads the same instants as 03:00–12:00 Berlin time = 3 h
    assert Calendar(timezone="Europe/Berlin").working_hours(start, end).to_list() == [3.0]


def test_working_days_on_numbers_series_and_expressions():
    assert CN.working_days(16.0) == 2.0
    assert CN.working_days(None) is None
    assert CN.working_days(pl.Series([4.0, 24.0])).to_list() == [0.5, 3.0]
    frame = pl.DataFrame({"h": [12.0]})
    assert frame.select(CN.working_days(pl.col("h"))).item() == 1.5


def test_matches_a_day_by_day_reference_on_random_pairs():
    # an independent, slow reference: walk the days and intersect with the work periods
    def reference(start: datetime, end: datetime) -> float:
        sign = 1.0
        if end < start:
            start, end, sign = end, start, -1.0
        total = 0.0
        day = start.date()
        while day <= end.date():
            if chinese_calendar.is_workday(day):
                for a, b in ((time(9), time(12)), (time(13), time(18))):
                    lo = max(start, datetime.combine(day, a))
                    hi = min(end, datetime.combine(day, b))
                    total += max((hi - lo).total_seconds(), 0.0)
            day += timedelta(days=1)
        return sign * total / 3600

    rng = random.Random(11)
    base = datetime(2024, 12, 1)
    starts, ends = [], []
    for _ in range(300):
        s = base + timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
        e = s + timedelta(minutes=rng.randrange(-20 * 24 * 60, 40 * 24 * 60))
        starts.append(s)
        ends.append(e)
    got = CN.working_hours(pl.Series(starts), pl.Series(ends)).to_list()
    want = [reference(s, e) for s, e in zip(starts, ends)]
    assert got == pytest.approx(want, abs=1e-9)


# --------------------------------------------------------------------------- coverage warnings


def test_coverage_is_found_by_asking_chinese_calendar():
    years = cn_coverage()
    assert 2025 in years
    for year in (years[0] - 1, years[-1] + 1):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(year, 1, 1))
    assert f"覆盖 {years[0]}–{years[-1]} 年" in CN.describe()


def test_dates_outside_coverage_are_mon_to_fri_with_a_warning():
    calendar = Calendar()
    assert calendar.warnings == []
    calendar.working_hours_between(D(2025, 9, 22, 9), D(2025, 9, 22, 18))
    assert calendar.warnings == []  # 2025 is covered
    # Mon 2035-10-01 09:00 → Tue 10-02 18:00: no 国庆 known for 2035, so Mon–Fri = 8 + 8 = 16 h
    assert date(2035, 10, 1).weekday() == 0
    assert calendar.working_hours_between(D(2035, 10, 1, 9), D(2035, 10, 2, 18)) == 16.0
    (warning,) = calendar.warnings
    assert "2035" in warning and "Monday–Friday" in warning
    assert "2035-10-01 to 2035-10-02" in warning and "2 day(s)" in warning
    assert f"{cn_coverage()[0]}–{cn_coverage()[-1]}" in warning
    # the weekdays kind guesses nothing
    weekdays = Calendar(kind="weekdays")
    weekdays.working_hours_between(D(2035, 10, 1, 9), D(2035, 10, 2, 18))
    assert weekdays.warnings == []


def test_warning_covers_only_the_days_spanned_and_not_company_days():
    last = cn_coverage()[-1]
    company = Calendar(holidays=frozenset({date(last + 1, 1, 1)}))
    # Dec 31 of the last covered year 10:00 → Jan 4 of the next year 10:00
    start = pl.Series([D(last, 12, 31, 10)])
    end = pl.Series([D(last + 1, 1, 4, 10)])
    company.working_hours(start, end)
    (warning,) = company.warnings
    # Jan 1 is a listed company holiday (not a guess): Jan 2..4 are the guessed days
    assert f"3 day(s) in {last + 1} ({last + 1}-01-02 to {last + 1}-01-04)" in warning


def test_warning_names_each_uncovered_year_used_and_is_workday_adds_to_it():
    calendar = Calendar()
    # two pairs years apart: the days between them are in the day table but no pair spans them
    start = pl.Series([D(2030, 3, 4, 9), D(2035, 10, 1, 9)])
    end = pl.Series([D(2030, 3, 4, 10), D(2035, 10, 2, 9)])
    calendar.working_hours(start, end)
    warnings = calendar.warnings
    assert len(warnings) == 2
    assert warnings[0].startswith("2030: ") and "1 day(s) in 2030 (2030-03-04)" in warnings[0]
    assert warnings[1].startswith("2035: ") and "2 day(s) in 2035 (2035-10-01 to 2035-10-02)" in warnings[1]
    # asking about one day is a guess as well, and the same day is not counted twice
    assert calendar.is_workday(date(2035, 10, 3))  # Wednesday, assumed a working day
    calendar.working_hours(start, end)
    assert "3 day(s) in 2035 (2035-10-01 to 2035-10-03)" in calendar.warnings[1]


# --------------------------------------------------------------------------- description


def test_describe():
    assert CN.describe() == (
        f"中国法定节假日与调休（chinese-calendar {chinese_calendar.__version__}，覆盖 "
        f"{cn_coverage()[0]}–{cn_coverage()[-1]} 年），工作时间 09:00–12:00、13:00–18:00（每天 8 小时）"
    )
    assert CN.describe("en").endswith("working hours 09:00–12:00, 13:00–18:00 (8 h a day)")
    assert Calendar(kind="weekdays").describe().startswith("周一至周五")
    assert CN.hours_per_day == 8.0


# --------------------------------------------------------------------------- time limits


@pytest.mark.parametrize("text, value, unit", [
    ("3wd", 3, "working_days"),
    ("2 wd", 2, "working_days"),
    ("3 working days", 3, "working_days"),
    ("3个工作日", 3, "working_days"),
    ("1个工作日内", 1, "working_days"),
    ("≤3个工作日", 3, "working_days"),
    ("<=3个工作日", 3, "working_days"),
    ("最长不超过2个工作日", 2, "working_days"),
    ("三个工作日", 3, "working_days"),
    ("8h", 8, "working_hours"),
    ("4h", 4, "working_hours"),
    ("1小时内", 1, "working_hours"),
    ("分类后1小时内", 1, "working_hours"),
    ("30min", 30, "minutes"),
    ("30分钟内", 30, "minutes"),
    ("接收后30分钟内", 30, "minutes"),
    ("即时", 0, "minutes"),
    ("2d", 2, "calendar_days"),
    ("2天", 2, "calendar_days"),
    ("4 calendar hours", 4, "calendar_hours"),
    ("１.５ｈ", 1.5, "working_hours"),
])
def test_parse_duration_target(text, value, unit):
    duration = parse_duration_target(text)
    assert duration == Duration(value, unit, text)


def test_durations_in_hours_and_basis():
    eight = CN  # 8 h a day
    nine = Calendar.from_options(work_hours="9:00-18:00")
    # 3 working days = 3 × 8 = 24 working hours (27 with 9-hour days)
    assert parse_duration_target("3个工作日").to_work_hours(eight) == 24.0
    assert parse_duration_target("3个工作日").to_work_hours(nine) == 27.0
    assert parse_duration_target("3wd").basis == "working"
    # 30 minutes = 0.5 working hours
    assert parse_duration_target("接收后30分钟内").to_work_hours(eight) == 0.5
    assert parse_duration_target("30min").basis == "working"
    # 2 calendar days = 48 calendar hours, compared with calendar time
    two_days = parse_duration_target("2天")
    assert two_days.to_work_hours(eight) == 48.0 and two_days.basis == "calendar"
    assert parse_duration_target("8h").to_work_hours(eight) == 8.0


@pytest.mark.parametrize("text", ["soon", "3 weeks", "3", "工作日", "≤", "3个月内"])
def test_unknown_time_limits_list_the_accepted_forms(text):
    with pytest.raises(CalendarError) as error:
        parse_duration_target(text)
    assert repr(text) in str(error.value)
    assert "3个工作日" in str(error.value) and "30分钟内" in str(error.value)

