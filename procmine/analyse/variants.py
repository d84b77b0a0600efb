"""Variants: the distinct paths the cases took, most frequent first, and how many cases they cover.

A case's variant is the sequence of its activities in step order (arrival, then completion, then
file row), the same order the process map and ``EventLog.summary().variants`` use. Cases still in
progress count with the steps they have done so far.

    >>> variants(log, top=5)                     # doctest: +SKIP
    ┌──────┬─────────────────────────┬───────┬───────┬───────┬──────────────────┬───────────────────────┐
    │ rank ┆ activities              ┆ steps ┆ cases ┆ share ┆ cumulative_share ┆ median_lead_work_days │
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from procmine.analyse.times import time_tables
from procmine.log import EventLog

if TYPE_CHECKING:
    from procmine.calendar import Calendar

SCHEMA = {"rank": pl.Int64, "activities": pl.List(pl.String), "steps": pl.Int64, "cases": pl.Int64,
          "share": pl.Float64, "cumulative_share": pl.Float64, "median_lead_work_days": pl.Float64}


def variants(log: EventLog, calendar: "Calendar | None" = None, top: int | None = None) -> pl.DataFrame:
    """One row per variant, most cases first: its activities, cases, share and cumulative share.

    ``share`` = cases of the variant ÷ all cases; ``cumulative_share`` adds the shares of this
    variant and every more frequent one. ``median_lead_work_days`` is the median lead time of the
    variant's completed cases in working days under ``calendar`` (None when all are in progress).
    Ties are ordered by the sequence text so the ranking is stable. ``top`` keeps the first rows.
    """
    tables = time_tables(log, calendar)
    cases = tables.cases
    total = cases.height
    if total == 0:
        return pl.DataFrame(schema=SCHEMA)
    per_day = tables.calendar.hours_per_day
    lead = (cases.filter(~pl.col("open")).group_by("variant_id")
            .agg((pl.col("lead_work_hours").median() / per_day).alias("median_lead_work_days")))
    ranked = (
        log.tables().variants.join(lead, on="variant_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("variant_id").cast(pl.Int64).alias("rank"),
            pl.col("steps").cast(pl.Int64),
            (pl.col("cases").cum_sum() / total).alias("cumulative_share"),
        )
        .select(list(SCHEMA))
    )
    return ranked if top is None else ranked.head(top)


def coverage(table: pl.DataFrame, n: int) -> float:
    """Share of all cases the ``n`` most frequent variants of a :func:`variants` table cover."""
    if table.is_empty() or n <= 0:
        return 0.0
    return float(table["cumulative_share"][min(n, table.height) - 1])


__all__ = ["variants", "coverage"]
