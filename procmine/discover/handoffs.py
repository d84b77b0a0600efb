"""Hand-offs: which step follows which in each case, honouring steps that ran in parallel.

Each step ``i`` is an interval [s_i, c_i] (arrival → completion; a step without an arrival
time is the instant [c_i, c_i]). Steps are ordered within a case by (s, c, file row). Step
``i`` *precedes* ``j`` when ``i`` comes first in that order and completed no later than ``j``
arrived (c_i ≤ s_j). A hand-off ``i → j`` is a direct precedence: no ``k`` with i ≺ k ≺ j.

* With one time per step this is the plain "directly follows" relation (consecutive events),
  the same as pm4py's DFG.
* Two steps whose intervals overlap (legal and finance review both waiting at once) precede
  neither one another: they are drawn side by side, each handed over from the step before
  them and each handing over to the step after them.
* The hand-off time into a step is measured from the moment it was ready: the completion of
  the last of its direct predecessors. With a parallel split that is the slower branch; the
  faster branch's extra wait is synchronisation (``sync_hours``), not hand-off.

A case is checked pairwise only when some step arrived before an earlier step completed;
every other case is a simple chain, which keeps large logs fast.
"""

from __future__ import annotations

import polars as pl

from procmine.log import ACTIVITY, CASE, RESOURCE, DEPARTMENT, ROW, START, TIMESTAMP, hours_between

def step_table(events: pl.DataFrame) -> pl.DataFrame:
    """Events in case order with their interval (``begin``, ``end``) and position ``pos``."""
    has_start = START in events.columns
    begin = pl.coalesce(pl.col(START), pl.col(TIMESTAMP)) if has_start else pl.col(TIMESTAMP)
    extra = [c for c in (RESOURCE, DEPARTMENT) if c in events.columns]
    return (
        events.select(CASE, ACTIVITY, begin.alias("begin"), pl.col(TIMESTAMP).alias("end"), ROW, *extra)
        .sort([CASE, "begin", "end", ROW], maintain_order=True)
        .with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).over(CASE).alias("pos"))
    )


def timed_steps(events: pl.DataFrame, completion_only: bool) -> pl.DataFrame:
    """:func:`step_table` plus each step's duration: ``duration_from`` and ``duration_hours``.

    A step lasts from its arrival to its completion; a step without its own arrival time has
    no duration (not a zero one). With ``completion_only`` (no arrival times, or they are to
    be ignored) a step lasts from the previous step's completion to its own.
    """
    steps = step_table(events)
    if completion_only:
        return steps.with_columns(pl.col("end").shift(1).over(CASE).alias("duration_from")).with_columns(
            hours_between(pl.col("end"), pl.col("duration_from")).alias("duration_hours"))
    steps = steps.join(events.select(CASE, ROW, START), on=[CASE, ROW], how="left")
    return steps.with_columns(
        pl.when(pl.col(START).is_not_null()).then(pl.col("begin")).otherwise(None).alias("duration_from")
    ).with_columns(hours_between(pl.col("end"), pl.col("duration_from")).alias("duration_hours"))


def handoff_table(events: pl.DataFrame) -> pl.DataFrame:
    """Every hand-off in every case: source and target step, their rows, and the time between.

    ``hours`` is calendar hours from the source's completion to the target's arrival (or, for
    logs with one time per step, to the target's completion).
    """
    steps = step_table(events)
    # A case is a chain when every step arrives no earlier than all earlier steps completed.
    steps = steps.with_columns(pl.col("end").cum_max().shift(1).over(CASE).alias("__prev_max_end"))
    overlapping_cases = steps.filter(pl.col("begin") < pl.col("__prev_max_end"))[CASE].unique()
    chain = steps.filter(~pl.col(CASE).is_in(overlapping_cases.implode()))
    parallel = steps.filter(pl.col(CASE).is_in(overlapping_cases.implode()))

    chain_pairs = (
        chain.with_columns(
            pl.col(ACTIVITY).shift(1).over(CASE).alias("source"),
            pl.col(ROW).shift(1).over(CASE).alias("source_row"),
            pl.col("end").shift(1).over(CASE).alias("source_end"),
        )
        .filter(pl.col("source").is_not_null())
        .select(
            pl.col(CASE).alias("case"), "source", pl.col(ACTIVITY).alias("target"), "source_row",
            pl.col(ROW).alias("target_row"), "source_end", pl.col("begin").alias("target_arrival"),
        )
    )
    frames = [chain_pairs]
    if parallel.height:
        frames.append(_parallel_pairs(parallel))
    pairs = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else chain_pairs
    # A step that waits for several parallel steps (a join) is ready when the last of them
    # completes: its hand-off is measured from there. The time an earlier branch's output
    # waited for the others is synchronisation, kept apart in ``sync_hours``.
    return pairs.with_columns(pl.col("source_end").max().over("case", "target_row").alias("ready")).with_columns(
        hours_between(pl.col("target_arrival"), pl.col("ready")).alias("hours"),
        hours_between(pl.col("ready"), pl.col("source_end")).alias("sync_hours"),
    )


def _parallel_pairs(steps: pl.DataFrame) -> pl.DataFrame:
    """Direct precedences in cases with overlapping steps.

    ``i`` precedes ``j`` directly unless some ``k`` between them (later than ``i`` in step
    order, also preceding ``j``) arrived no earlier than ``i`` completed. For each ``j`` that
    is a running maximum over its predecessors, so no pairwise composition is needed.
    """
    left = steps.select(CASE, pl.col("pos").alias("i"), pl.col("begin").alias("begin_i"),
                        pl.col("end").alias("source_end"), pl.col(ACTIVITY).alias("source"),
                        pl.col(ROW).alias("source_row"))
    right = steps.select(CASE, pl.col("pos").alias("j"), pl.col("begin").alias("target_arrival"),
                         pl.col(ACTIVITY).alias("target"), pl.col(ROW).alias("target_row"))
    before = (
        left.join(right, on=CASE)
        .filter((pl.col("i") < pl.col("j")) & (pl.col("source_end") <= pl.col("target_arrival")))
        .sort([CASE, "j", "i"])
    )
    later_begin = pl.col("begin_i").cum_max(reverse=True).shift(-1).over(CASE, "j")
    return (
        before.with_columns(later_begin.alias("__later_begin"))
        .filter(pl.col("__later_begin").is_null() | (pl.col("source_end") > pl.col("__later_begin")))
        .sort([CASE, "i", "j"])
        .select(pl.col(CASE).alias("case"), "source", "target", "source_row", "target_row", "source_end",
                "target_arrival")
    )


def boundary_steps(events: pl.DataFrame, handoffs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Steps that start a case (nothing hands over to them) and steps that end it."""
    steps = step_table(events).select(CASE, ACTIVITY, ROW)
    targets = handoffs.select(pl.col("case").alias(CASE), pl.col("target_row").alias(ROW)).unique()
    sources = handoffs.select(pl.col("case").alias(CASE), pl.col("source_row").alias(ROW)).unique()
    first = steps.join(targets, on=[CASE, ROW], how="anti")
    last = steps.join(sources, on=[CASE, ROW], how="anti")
    return first, last
