"""Time-zone arithmetic on whole columns, with one tz-database look-up per distinct quarter hour.

Converting ten million timestamps between UTC and local time value by value costs about half
a second per column; every UTC-offset change in the tz database falls on a quarter hour, so
looking the offset up once per distinct quarter hour gives the same result for a few thousand
look-ups. A zone without daylight saving in the span (China) needs one offset for all.
"""

from __future__ import annotations

import polars as pl

#: Every UTC-offset change of the tz database falls on a quarter hour.
QUARTER_US = 15 * 60 * 1_000_000


def wall_clock_us(utc_us: pl.Series, timezone: str) -> pl.Series:
    """Local wall-clock microseconds in ``timezone`` for UTC epoch microseconds."""
    distinct = _quarters(utc_us)
    if distinct.len() == 0:
        return utc_us
    moments = (distinct * QUARTER_US).cast(pl.Datetime("us", "UTC"))
    local = moments.dt.convert_time_zone(timezone).dt.replace_time_zone(None).dt.epoch("us")
    return utc_us + _offsets(utc_us, distinct, local - distinct * QUARTER_US)


def localize(naive: pl.Series, timezone: str) -> pl.Series:
    """Naive wall-clock datetimes as moments in ``timezone``.

    The same as ``replace_time_zone(timezone, ambiguous="earliest", non_existent="null")``:
    a time in a daylight-saving gap becomes null, one in an overlap the earlier instant. When
    one offset holds for every quarter hour the column touches, it is applied directly.
    """
    naive = naive.cast(pl.Datetime("us"))
    local_us = naive.dt.epoch("us")
    distinct = _quarters(local_us)
    if distinct.len():
        moments = (distinct * QUARTER_US).cast(pl.Datetime("us"))
        utc = moments.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null").dt.epoch("us")
        offsets = distinct * QUARTER_US - utc
        if offsets.null_count() == 0 and offsets.n_unique() == 1:
            return (local_us - offsets[0]).cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(timezone).rename(
                naive.name)
    return naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")


#: Spans of more quarter hours than this (about 57 years) look up only the ones in use.
_MAX_RANGE = 2_000_000


def _quarters(us: pl.Series) -> pl.Series:
    """The quarter hours to look up: every one from the first value's to the last's (no pass
    over the values beyond min and max), or for very long spans only those in use."""
    low, high = us.min(), us.max()
    if low is None:
        return pl.Series("quarter", [], dtype=pl.Int64)
    first, last = low // QUARTER_US, high // QUARTER_US
    if last - first <= _MAX_RANGE:
        return pl.int_range(first, last + 1, dtype=pl.Int64, eager=True).alias("quarter")
    return (us // QUARTER_US).drop_nulls().unique().alias("quarter")


def _offsets(us: pl.Series, distinct: pl.Series, offsets: pl.Series) -> pl.Series | int:
    """Each value's offset, from the offsets of the distinct quarter hours (the values' quarter
    hours are worked out only when the offset changes in the span)."""
    if offsets.n_unique() == 1:  # no daylight saving in the span: one offset for all
        return int(offsets[0])
    order = distinct.arg_sort()
    distinct, offsets = distinct.gather(order), offsets.gather(order)
    quarter = us // QUARTER_US
    return offsets.gather(distinct.search_sorted(quarter.fill_null(distinct[0])))
