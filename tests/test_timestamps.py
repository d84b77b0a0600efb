"""procmine.read.timestamps: every expected value below was worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from procmine.errors import TimestampError
from procmine.read.timestamps import ParsedTimes, describe_failures, parse_timestamps

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def sh(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)


def parse(values: list, **kwargs) -> ParsedTimes:
    return parse_timestamps(pl.Series("t", values), **kwargs)


def parse_one(text: str, **kwargs) -> datetime:
    result = parse([text], **kwargs)
    assert result.failed.to_list() == [False], f"{text!r} was not read"
    value = result.values[0]
    assert value is not None
    return value


def assert_same(got: datetime, expected: datetime) -> None:
    # Equal instants *and* the same wall clock, so a right instant in the wrong zone fails too.
    assert got == expected
    assert got.replace(tzinfo=None) == expected.astimezone(got.tzinfo).replace(tzinfo=None)
    assert got.utcoffset() == expected.utcoffset()


# --------------------------------------------------------------------------------------
# Formats, one value each
# --------------------------------------------------------------------------------------

ISO = [
    ("2025-09-28T09:05:11", sh(2025, 9, 28, 9, 5, 11)),
    ("2025-09-28T09:05:11.123456", sh(2025, 9, 28, 9, 5, 11, 123456)),
    ("2025-09-28T09:05:11.5", sh(2025, 9, 28, 9, 5, 11, 500000)),
    ("2025-09-28T09:05:11.123456789", sh(2025, 9, 28, 9, 5, 11, 123456)),  # ns truncated to µs
    ("2025-09-28 09:05:11.123", sh(2025, 9, 28, 9, 5, 11, 123000)),
    ("2025-09-28T09:05", sh(2025, 9, 28, 9, 5)),
]

SEPARATED = [
    ("2025-09-28 09:05:11", sh(2025, 9, 28, 9, 5, 11)),
    ("2025-09-28 09:05", sh(2025, 9, 28, 9, 5)),
    ("2025-9-28 9:05", sh(2025, 9, 28, 9, 5)),
    ("2025/9/28 9:05", sh(2025, 9, 28, 9, 5)),
    ("2025/09/28 09:05:11", sh(2025, 9, 28, 9, 5, 11)),
    ("2025.09.28 09:05", sh(2025, 9, 28, 9, 5)),
    ("2025-09-28", sh(2025, 9, 28)),
    ("2025/9/28", sh(2025, 9, 28)),
    ("2025/10/1 17:45", sh(2025, 10, 1, 17, 45)),
    ("  2025-09-28 09:05  ", sh(2025, 9, 28, 9, 5)),
]

CHINESE = [
    ("2025年9月28日 9:05", sh(2025, 9, 28, 9, 5)),
    ("2025年9月28日 09:05:11", sh(2025, 9, 28, 9, 5, 11)),
    ("2025年9月28日", sh(2025, 9, 28)),
    ("2025年09月28日", sh(2025, 9, 28)),
    ("2025年9月28日 下午2:30", sh(2025, 9, 28, 14, 30)),
    ("2025年9月28日下午2点30分", sh(2025, 9, 28, 14, 30)),
    ("2025年9月28日 14时30分", sh(2025, 9, 28, 14, 30)),
    ("2025年9月28日 14时30分15秒", sh(2025, 9, 28, 14, 30, 15)),
    ("2025年9月28日 上午9:05", sh(2025, 9, 28, 9, 5)),
    ("2025年9月28日 上午12:10", sh(2025, 9, 28, 0, 10)),  # 上午 12 → 0
    ("2025年9月28日 凌晨12:30", sh(2025, 9, 28, 0, 30)),  # 凌晨 12 → 0
    ("2025年9月28日 早上12:00", sh(2025, 9, 28, 0, 0)),  # 早上 12 → 0
    ("2025年9月28日 凌晨3:15", sh(2025, 9, 28, 3, 15)),
    ("2025年9月28日 中午12:00", sh(2025, 9, 28, 12, 0)),  # 中午 12 stays 12
    ("2025年9月28日 中午1:00", sh(2025, 9, 28, 13, 0)),  # 中午 1 → 13
    ("2025年9月28日 下午12:15", sh(2025, 9, 28, 12, 15)),  # like 12:15 PM
    ("2025年9月28日 晚上9:00", sh(2025, 9, 28, 21, 0)),
    ("2025年9月28日 晚上11点", sh(2025, 9, 28, 23, 0)),
    ("2025年9月28日 下午14:30", sh(2025, 9, 28, 14, 30)),  # already 24-hour: kept
    ("2025年9月28日下午2点半", sh(2025, 9, 28, 14, 30)),
    ("2025年9月28号", sh(2025, 9, 28)),
]

AM_PM = [
    ("2025/9/28 2:30 PM", sh(2025, 9, 28, 14, 30)),
    ("2025/9/28 2:30 pm", sh(2025, 9, 28, 14, 30)),
    ("2025/9/28 12:30 PM", sh(2025, 9, 28, 12, 30)),
    ("2025/9/28 12:30 AM", sh(2025, 9, 28, 0, 30)),
    ("2025/9/28 9:05:11 AM", sh(2025, 9, 28, 9, 5, 11)),
]

FULL_WIDTH = [
    ("２０２５／９／２８", sh(2025, 9, 28)),
    ("２０２５／９／２８　９：０５", sh(2025, 9, 28, 9, 5)),
    ("２０２５－０９－２８ ０９：０５：１１", sh(2025, 9, 28, 9, 5, 11)),
    ("2025年9月28日 ９：０５", sh(2025, 9, 28, 9, 5)),
]

OFFSETS = [
    ("2025-09-28T01:05:00Z", sh(2025, 9, 28, 9, 5)),
    ("2025-09-28T01:05:00z", sh(2025, 9, 28, 9, 5)),
    ("2025-09-28T09:05:00+08:00", sh(2025, 9, 28, 9, 5)),
    ("2025-09-28T09:05:00+0800", sh(2025, 9, 28, 9, 5)),
    ("2025-09-28 09:05:00 +08:00", sh(2025, 9, 28, 9, 5)),
    ("2025-09-28T09:05:00-05:00", sh(2025, 9, 28, 22, 5)),  # 14:05 UTC
    ("2025-09-28T23:30:00-02:00", sh(2025, 9, 29, 9, 30)),  # 01:30 UTC next day
    ("2025-09-28T01:05:00.250Z", sh(2025, 9, 28, 9, 5, 0, 250000)),
]


@pytest.mark.parametrize(
    ("text", "expected"), ISO + SEPARATED + CHINESE + AM_PM + FULL_WIDTH + OFFSETS
)
def test_each_format(text: str, expected: datetime) -> None:
    assert_same(parse_one(text), expected)


def test_late_evening_twelve_is_midnight_ending_that_day() -> None:
    # 晚上12点 on the 28th is the midnight between the 28th and the 29th.
    assert_same(parse_one("2025年9月28日 晚上12点"), sh(2025, 9, 29, 0, 0))


def test_result_types() -> None:
    result = parse(["2025-09-28 09:05", None, "待定"])
    assert result.values.dtype == pl.Datetime("us", "Asia/Shanghai")
    assert result.failed.dtype == pl.Boolean
    assert result.failed.null_count() == 0
    assert result.values.name == "t"
    assert len(result.values) == len(result.failed) == 3


# --------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------


def test_mixed_column() -> None:
    texts = [
        "2025-09-28 09:05:11",
        "2025/9/28 9:05",
        "2025年9月28日 下午2:30",
        "2025-09-28T01:05:00Z",
        "45928.5",
        "２０２５／９／２８　９：０５",
        "2025年9月28日下午2点30分",
        "2025/10/1 17:45",
    ]
    result = parse(texts)
    assert result.failed.to_list() == [False] * len(texts)
    expected = [
        sh(2025, 9, 28, 9, 5, 11),
        sh(2025, 9, 28, 9, 5),
        sh(2025, 9, 28, 14, 30),
        sh(2025, 9, 28, 9, 5),
        sh(2025, 9, 28, 12, 0),
        sh(2025, 9, 28, 9, 5),
        sh(2025, 9, 28, 14, 30),
        sh(2025, 10, 1, 17, 45),
    ]
    for got, want in zip(result.values.to_list(), expected):
        assert_same(got, want)
    # the full-width row is read as the same format as "2025/9/28 9:05"; 2025/9/28 and
    # 2025/10/1 are one format too (only zero padding differs)
    assert result.formats[0] == "2025/9/28 9:05"
    assert set(result.formats) == {
        "2025/9/28 9:05",
        "2025-09-28 09:05:11",
        "2025年9月28日 下午2:05",
        "2025-09-28T09:05:11Z",
        "Excel serial date",
        "2025年9月28日下午2点05分",
    }


def test_single_format_is_named() -> None:
    result = parse(["2025/9/28 9:05", "2025/10/12 17:45", None])
    assert result.formats == ["2025/9/28 9:05"]
    result = parse(["2025-09-28 09:05:11", "2025-10-12 17:45:00"])
    assert result.formats == ["2025-09-28 09:05:11"]


def test_excel_serial_numbers() -> None:
    # 1899-12-30 + 45928 days: 25569 days reach 1970-01-01, 20089 more reach 2025-01-01,
    # the remaining 270 days (Jan–Aug = 243) land on 28 September; .5 day = 12:00.
    floats = parse_timestamps(pl.Series("t", [45928.5, 45928.0, 45928.25]))
    assert floats.failed.to_list() == [False, False, False]
    assert_same(floats.values[0], sh(2025, 9, 28, 12, 0))
    assert_same(floats.values[1], sh(2025, 9, 28, 0, 0))
    assert_same(floats.values[2], sh(2025, 9, 28, 6, 0))
    assert floats.formats == ["Excel serial date"]
    # 9:05 is 0.37847222… of a day; rounding to the millisecond gives it back exactly
    assert_same(parse_timestamps(pl.Series([45928 + (9 * 60 + 5) / 1440])).values[0], sh(2025, 9, 28, 9, 5))
    # the same as text
    assert_same(parse_one("45928.5"), sh(2025, 9, 28, 12, 0))
    ints = parse_timestamps(pl.Series("t", [45928], dtype=pl.Int64))
    assert_same(ints.values[0], sh(2025, 9, 28))


def test_epoch_numbers() -> None:
    # 2025-09-28 01:05 UTC = (20359 days × 86400 + 3900) s = 1_759_021_500 s → 09:05 in Shanghai
    result = parse_timestamps(pl.Series("t", [1_759_021_500_000, 1_759_021_500], dtype=pl.Int64))
    assert result.failed.to_list() == [False, False]
    assert_same(result.values[0], sh(2025, 9, 28, 9, 5))
    assert_same(result.values[1], sh(2025, 9, 28, 9, 5))
    assert set(result.formats) == {"Unix epoch milliseconds", "Unix epoch seconds"}
    assert_same(parse_one("1759021500000"), sh(2025, 9, 28, 9, 5))
    # epoch values are instants: in UTC they read 01:05
    assert_same(parse_one("1759021500000", timezone="UTC"), datetime(2025, 9, 28, 1, 5, tzinfo=UTC))


def test_numbers_outside_every_range_fail() -> None:
    result = parse_timestamps(pl.Series("t", [0.0, -5.0, 5_000_000.0, 1e11, float("inf"), float("nan"), None]))
    assert result.failed.to_list() == [True, True, True, True, True, False, False]
    assert result.values.null_count() == 7


def test_compact_numbers() -> None:
    assert_same(parse_one("20250928"), sh(2025, 9, 28))
    assert_same(parse_one("20250928090511"), sh(2025, 9, 28, 9, 5, 11))
    assert parse(["20250230"]).failed.to_list() == [True]


def test_nulls_and_blanks_are_not_failures() -> None:
    result = parse([None, "", "   ", "\u3000", "\t", "2025-09-28"])
    assert result.failed.to_list() == [False] * 6
    assert result.values.is_null().to_list() == [True, True, True, True, True, False]


def test_failures_are_flagged_with_their_indexes() -> None:
    raw = pl.Series("t", ["2025-09-28 09:05", "待定", "2025-02-30 10:00", None, "abc", "2025-09-28 25:00"])
    result = parse_timestamps(raw)
    assert result.failed.to_list() == [False, True, True, False, True, True]
    assert result.values.is_null().to_list() == [False, True, True, True, True, True]
    assert describe_failures(raw, result.failed) == [(1, "待定"), (2, "2025-02-30 10:00"), (4, "abc")]
    assert describe_failures(raw, result.failed, limit=1) == [(1, "待定")]
    assert describe_failures(raw, result.failed, limit=10)[-1] == (5, "2025-09-28 25:00")


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30 10:00",  # no 30 February
        "2023-02-29",  # 2023 is not a leap year
        "1900-02-29",  # nor is 1900
        "2025-13-01",
        "2025-04-31",
        "2025-09-28 25:00",
        "2025-09-28 24:00",
        "2025-09-28 09:60",
        "2025-09-28 09:05:60",
        "2025/9/28 0:30 PM",  # no hour 0 on a 12-hour clock
        "2025年9月28日 上午13:00",  # 上午 and 13 contradict each other
        "2025年9月28日 上午2:30 PM",
        "2025-09/28",  # mixed separators
        "2025-09-2809:05",  # no separator between date and time
        "2025-09-28 9",
        "0205-09-28",  # year typo
        "2025-09-28T09:05+25:00",
        "28/13/2025",
        "2025年9月",
        "待定",
    ],
)
def test_impossible_values_fail_without_raising(text: str) -> None:
    result = parse(["2025-09-28", text])
    assert result.failed.to_list() == [False, True]
    assert result.values[1] is None


def test_leap_day_is_accepted() -> None:
    assert_same(parse_one("2024-02-29 12:00"), sh(2024, 2, 29, 12, 0))
    assert_same(parse_one("2000-02-29"), sh(2000, 2, 29))


# --------------------------------------------------------------------------------------
# Day-first vs month-first
# --------------------------------------------------------------------------------------


def test_day_first_detected_from_a_day_over_12() -> None:
    result = parse(["28/09/2025 09:05", "03/04/2025", "05.06.2025"])
    assert result.failed.to_list() == [False, False, False]
    assert_same(result.values[0], sh(2025, 9, 28, 9, 5))
    assert_same(result.values[1], sh(2025, 4, 3))  # 3 April
    assert_same(result.values[2], sh(2025, 6, 5))  # 5 June
    assert "28/09/2025 09:05 (day/month/year)" in result.formats


def test_month_first_detected_from_a_second_field_over_12() -> None:
    result = parse(["09/28/2025 09:05", "03/04/2025"])
    assert result.failed.to_list() == [False, False]
    assert_same(result.values[0], sh(2025, 9, 28, 9, 5))
    assert_same(result.values[1], sh(2025, 3, 4))  # 4 March
    assert any("month/day/year" in f for f in result.formats)


def test_ambiguous_day_month_defaults_to_day_first_and_says_so() -> None:
    result = parse(["03/04/2025", "11/12/2025 08:00"])
    assert_same(result.values[0], sh(2025, 4, 3))
    assert_same(result.values[1], sh(2025, 12, 11, 8, 0))
    assert any("day/month/year assumed" in f for f in result.formats)


def test_day_first_dotted_date_only() -> None:
    assert_same(parse_one("28.09.2025"), sh(2025, 9, 28))


# --------------------------------------------------------------------------------------
# Other dtypes and time zones
# --------------------------------------------------------------------------------------


def test_naive_datetime_column_is_local_time() -> None:
    col = pl.Series("t", [datetime(2025, 9, 28, 9, 5), None])
    result = parse_timestamps(col)
    assert result.values.dtype == pl.Datetime("us", "Asia/Shanghai")
    assert_same(result.values[0], sh(2025, 9, 28, 9, 5))
    assert result.values[1] is None
    assert result.failed.to_list() == [False, False]


def test_naive_nanosecond_datetime_column() -> None:
    col = pl.Series("t", [datetime(2025, 9, 28, 9, 5, 11, 123456)]).cast(pl.Datetime("ns"))
    assert_same(parse_timestamps(col).values[0], sh(2025, 9, 28, 9, 5, 11, 123456))


def test_aware_datetime_column_is_converted() -> None:
    col = pl.Series("t", [datetime(2025, 9, 28, 1, 5, tzinfo=timezone.utc)])
    assert col.dtype == pl.Datetime("us", "UTC")
    result = parse_timestamps(col)
    assert result.values.dtype == pl.Datetime("us", "Asia/Shanghai")
    assert_same(result.values[0], sh(2025, 9, 28, 9, 5))


def test_date_column_is_local_midnight() -> None:
    result = parse_timestamps(pl.Series("t", [date(2025, 9, 28)]))
    assert_same(result.values[0], sh(2025, 9, 28, 0, 0))


def test_object_column_with_mixed_values() -> None:
    col = pl.Series(
        "t",
        [datetime(2025, 9, 28, 9, 5), "2025/9/28 9:05", 45928.5, date(2025, 9, 28), None, True],
        dtype=pl.Object,
    )
    result = parse_timestamps(col)
    assert result.failed.to_list() == [False, False, False, False, False, True]
    assert_same(result.values[0], sh(2025, 9, 28, 9, 5))
    assert_same(result.values[1], sh(2025, 9, 28, 9, 5))
    assert_same(result.values[2], sh(2025, 9, 28, 12, 0))
    assert_same(result.values[3], sh(2025, 9, 28))
    assert result.values[4] is None


def test_categorical_column() -> None:
    col = pl.Series("t", ["2025-09-28 09:05", "2025-09-28 09:05"]).cast(pl.Categorical)
    assert_same(parse_timestamps(col).values[1], sh(2025, 9, 28, 9, 5))


def test_all_null_and_empty_columns() -> None:
    result = parse_timestamps(pl.Series("t", [None, None]))
    assert result.failed.to_list() == [False, False]
    assert result.values.dtype == pl.Datetime("us", "Asia/Shanghai")
    assert result.formats == []
    empty = parse_timestamps(pl.Series("t", [], dtype=pl.String))
    assert len(empty.values) == 0 and len(empty.failed) == 0


def test_utc_timezone() -> None:
    result = parse(["2025-09-28 09:05", "2025-09-28T09:05:00+08:00", "45928.5"], timezone="UTC")
    assert result.values.dtype == pl.Datetime("us", "UTC")
    assert_same(result.values[0], datetime(2025, 9, 28, 9, 5, tzinfo=UTC))  # local in UTC
    assert_same(result.values[1], datetime(2025, 9, 28, 1, 5, tzinfo=UTC))  # converted
    assert_same(result.values[2], datetime(2025, 9, 28, 12, 0, tzinfo=UTC))  # Excel: wall clock
    naive = parse_timestamps(pl.Series([datetime(2025, 9, 28, 9, 5)]), timezone="UTC")
    assert_same(naive.values[0], datetime(2025, 9, 28, 9, 5, tzinfo=UTC))


def test_local_time_in_a_dst_gap_fails_and_overlap_takes_earlier() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    result = parse(["2025-03-30 02:30", "2025-10-26 02:30", "2025-03-30 01:30Z"], timezone="Europe/Berlin")
    assert result.failed.to_list() == [True, False, False]
    # 02:30 happens twice; the earlier is 02:30 CEST = 00:30 UTC (the later would be 01:30 UTC).
    # (Compared in UTC: Python never calls an ambiguous wall time equal across zones.)
    in_utc = result.values.dt.convert_time_zone("UTC")
    assert in_utc[1] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert_same(result.values[2], datetime(2025, 3, 30, 3, 30, tzinfo=berlin))


def test_unknown_timezone_raises_timestamp_error() -> None:
    with pytest.raises(TimestampError, match="Asia/Shangai"):
        parse(["2025-09-28"], timezone="Asia/Shangai")


def test_describe_failures_checks_lengths() -> None:
    with pytest.raises(ValueError):
        describe_failures(pl.Series(["a", "b"]), pl.Series([True]))
