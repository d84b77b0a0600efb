"""Who hands work to whom: hand-offs between departments (or roles, or people).

The workload per department, role and person (events, cases, working hours, share of lead
time) is in :func:`procmine.analyse.bottlenecks.bottlenecks` (``.departments``, ``.roles``,
``.resources``). This module adds the hand-over view: for every hand-off of the process map
(step *i* → step *j*, see :mod:`procmine.engine.handoffs`), the department of *i* and the
department of *j*. Hand-offs inside one department are counted too (the matrix diagonal).

    >>> pairs = department_handoffs(log)           # doctest: +SKIP
    >>> handoff_matrix(pairs, top=8)                # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from procmine.analyse.times import time_tables
from procmine.log import DEPARTMENT, RESOURCE, ROLE, EventLog

if TYPE_CHECKING:
    from procmine.calendar import Calendar

LEVELS = (DEPARTMENT, ROLE, RESOURCE)
SCHEMA = {"from": pl.String, "to": pl.String, "handoffs": pl.Int64, "cases": pl.Int64,
          "median_wait_work_hours": pl.Float64}


def party_level(log: EventLog, prefer: str = DEPARTMENT) -> str | None:
    """The column hand-offs are grouped by: ``prefer`` when the log fills it, else the first of
    department, role, resource that it fills; None when it has none of them (on Spark: asked there)."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_report import spark_fills

        return next((level for level in (prefer, *LEVELS) if spark_fills(log, level)), None)
    for level in (prefer, *LEVELS):
        if level in log.events.columns and log.events[level].null_count() < log.events.height:
            return level
    return None


def department_handoffs(log: EventLog, calendar: "Calendar | None" = None, by: str = "auto") -> pl.DataFrame:
    """Hand-offs between the departments (``by``: department, role, resource or auto) of two steps.

    Columns: ``from``, ``to``, ``handoffs`` (hand-offs from a step of ``from`` to the next step,
    of ``to``), ``cases`` (cases with at least one), ``median_wait_work_hours`` (the hand-off
    wait in working hours under ``calendar``; None without arrival times, where the wait is
    part of the next step). Most hand-offs first. Steps whose department is empty are left out.
    A log read with ``engine="spark"`` is counted on Spark (:mod:`procmine.engine.spark_report`).
    """
    if by != "auto" and by not in LEVELS:
        raise ValueError(f"by must be 'auto', {', '.join(repr(x) for x in LEVELS)}, not {by!r}")
    level = party_level(log) if by == "auto" else by
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_report import spark_department_handoffs

        return spark_department_handoffs(log, calendar, level)
    tables = time_tables(log, calendar)
    if level is None or tables.handoff_codes.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    who = tables.steps[level]
    handoffs = tables.handoff_codes
    wait = pl.col("work_hours").median() if tables.has_start_times else pl.lit(None, dtype=pl.Float64)
    # each hand-off's two steps are a gather away (steps are numbered by their global index)
    return (
        handoffs.select("case_code", "work_hours").with_columns(
            who.gather(handoffs["source_index"]).alias("from"), who.gather(handoffs["target_index"]).alias("to"))
        .filter(pl.col("from").is_not_null() & pl.col("to").is_not_null())
        .group_by("from", "to")
        .agg(pl.len().cast(pl.Int64).alias("handoffs"), pl.col("case_code").n_unique().cast(pl.Int64).alias("cases"),
             wait.alias("median_wait_work_hours"))
        .sort(["handoffs", "from", "to"], descending=[True, False, False])
        .select(list(SCHEMA))
    )


def handoff_matrix(pairs: pl.DataFrame, top: int | None = None, other: str = "other") -> pl.DataFrame:
    """The :func:`department_handoffs` counts as a from × to matrix (first column ``from``).

    Rows and columns are the departments with most hand-offs in or out, first; with ``top``
    the rest are summed into one row and column named ``other``. Empty cells are 0.
    """
    if pairs.is_empty():
        return pl.DataFrame(schema={"from": pl.String})
    volume = (pl.concat([pairs.select(pl.col("from").alias("who"), "handoffs"),
                         pairs.select(pl.col("to").alias("who"), "handoffs")])
              .group_by("who").agg(pl.col("handoffs").sum()).sort(["handoffs", "who"], descending=[True, False]))
    order = volume["who"].to_list()
    if top is not None and len(order) > top:
        kept = order[:top]
        rename = pl.when(pl.col("__x").is_in(kept)).then(pl.col("__x")).otherwise(pl.lit(other))
        pairs = (pairs.with_columns(pl.col("from").alias("__x")).with_columns(rename.alias("from"))
                 .with_columns(pl.col("to").alias("__x")).with_columns(rename.alias("to"))
                 .group_by("from", "to").agg(pl.col("handoffs").sum()))
        order = [*kept, other]
    counts = {(f, t): n for f, t, n in pairs.select("from", "to", "handoffs").iter_rows()}
    return pl.DataFrame(
        [{"from": f, **{t: int(counts.get((f, t), 0)) for t in order}} for f in order],
        schema={"from": pl.String, **{t: pl.Int64 for t in order}},
    )


__all__ = ["department_handoffs", "handoff_matrix", "party_level"]
