"""Column-wise time-zone arithmetic against polars' value-by-value conversion."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from procmine.timezones import localize, wall_clock_us

ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC")


def around_transitions() -> pl.Series:
    """Every 7 minutes over both 2025 daylight-saving changes of Europe and the US, and a plain day."""
    spans = [(datetime(2025, 3, 8, 22), datetime(2025, 3, 9, 4)), (datetime(2025, 3, 29, 22), datetime(2025, 3, 30, 4)),
             (datetime(2025, 10, 25, 22), datetime(2025, 10, 26, 4)), (datetime(2025, 11, 1, 22), datetime(2025, 11, 2, 4)),
             (datetime(2025, 7, 1, 8), datetime(2025, 7, 1, 9))]
    return pl.concat([pl.datetime_range(a, b, "7m", eager=True) for a, b in spans]).append(pl.Series([None]))


@pytest.mark.parametrize("zone", ZONES)
def test_wall_clock_matches_the_tz_database(zone):
    moments = around_transitions().dt.replace_time_zone("UTC")
    expected = moments.dt.convert_time_zone(zone).dt.replace_time_zone(None).dt.epoch("us")
    assert wall_clock_us(moments.dt.epoch("us"), zone).to_list() == expected.to_list()


@pytest.mark.parametrize("zone", ZONES)
def test_localize_matches_the_tz_database(zone):
    naive = around_transitions()
    expected = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    got = localize(naive, zone)
    assert got.dtype == expected.dtype
    assert got.to_list() == expected.to_list()


def test_a_zone_without_daylight_saving_takes_one_offset():
    naive = pl.Series([datetime(2025, 1, 2, 9, 0), datetime(2025, 7, 1, 18, 30)])
    assert [str(v) for v in localize(naive, "Asia/Shanghai").to_list()] == [
        "2025-01-02 09:00:00+08:00", "2025-07-01 18:30:00+08:00"]
