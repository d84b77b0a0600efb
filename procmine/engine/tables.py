"""The tables every figure is read from: steps, hand-offs, cases, variants and their aggregates.

A :class:`Tables` is built from a log's events once (``log.tables()``) and each table is
computed on first use, then kept. discover, analyse, compare and report read these tables;
none of them goes back to the rows, so the numbers agree across commands by construction.

    >>> tables = log.tables()                       # doctest: +SKIP
    >>> tables.steps.columns                         # doctest: +SKIP
    >>> tables.working(Calendar()).cases             # lead times in working hours   # doctest: +SKIP

Steps are ordered once, by (case, arrival, completion, file row), and numbered: ``case_code``
and ``activity_code`` are integers (the activity dictionary is :attr:`Tables.activity_names`),
``index`` is the step's global position and ``pos`` its position in its case. Later code
relies on that order (``shift`` with a case-boundary mask) instead of windows over case ids.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from procmine.engine.handoffs import handoff_pairs, successor_blocks
from procmine.outcomes import classify_series
from procmine.log import (
    ACTIVITY, CASE, DEPARTMENT, MICROSECONDS_PER_HOUR, OUTCOME, RESOURCE, ROLE, ROW, START, TIMESTAMP,
    hours_between,
)

if TYPE_CHECKING:
    from procmine.calendar import Calendar

STEP_ROLES = (RESOURCE, DEPARTMENT, ROLE, OUTCOME)
SEPARATOR = "\u001f"


class Tables:
    """Steps, hand-offs, cases and variants of one set of events, each built once.

    ``completion_only`` measures a step from the previous step's completion to its own and
    orders steps by completion (the log has no arrival times, or they are set aside).
    ``open_cases`` are the cases still in progress: they have no end; ``open_steps`` their
    steps not completed yet (kept apart by the reader).
    """

    def __init__(self, events: pl.DataFrame, *, completion_only: bool, open_cases: frozenset[str] = frozenset(),
                 open_steps: pl.DataFrame | None = None, in_order: bool = False):
        if completion_only and START in events.columns:
            events = events.drop(START)
        self.completion_only = completion_only or START not in events.columns
        self.open_cases = open_cases
        #: steps that had arrived but were not completed when the log was exported
        self.open_steps = open_steps
        self._events = events
        #: the events are known to be in step order (the reader sorted them): not checked again
        self._in_order = in_order
        self._working: dict[Calendar, TimeTables] = {}
        self._codes: dict[str, tuple[pl.Series, pl.Series]] = {}

    # --- steps ---------------------------------------------------------------------------
    @cached_property
    def steps(self) -> pl.DataFrame:
        """One row per step, in case order, with its interval and duration.

        Columns: case, case_code, index, pos, activity, activity_code, begin, end, row,
        resource, department, role, outcome (null where the log has none), decision (the
        outcome's standard code from :mod:`procmine.outcomes`: reject, send_back, approve …; from
        the activity name where the step has no outcome, e.g. "REJECTED by X"), duration_from,
        duration_hours (calendar), occurrence (1 for the first time the activity happens in
        the case, 2 for the second …), first_pos (the position of that first time).
        """
        events = self._events
        has_start = START in events.columns
        # every step timed from its arrival (the usual OA export): the arrival column itself, shared
        # with the events rather than copied (80 MB at 10M steps)
        all_timed = has_start and events[START].null_count() == 0
        begin = pl.col(START) if all_timed else pl.coalesce(pl.col(START), pl.col(TIMESTAMP)) if has_start \
            else pl.col(TIMESTAMP)
        roles = [pl.col(c) if c in events.columns else pl.lit(None, dtype=pl.String).alias(c) for c in STEP_ROLES]
        steps = events.select(CASE, ACTIVITY, begin.alias("begin"), pl.col(TIMESTAMP).alias("end"), ROW, *roles,
                              *([pl.col(START).is_not_null().alias("__timed")] if has_start and not all_timed else []))
        order = [CASE, "begin", "end", ROW]
        if not self._in_order and not is_sorted_by(steps, order):
            steps = steps.sort(order, maintain_order=True)
        # two threads: the outcomes' decisions (polars) and the occurrences (numpy) are worked out
        # while the rest is (10M steps: 0.85-1.0 → 0.65-0.8 s)
        with ThreadPoolExecutor(2, thread_name_prefix="procmine-steps") as pool:
            outcome = steps[OUTCOME]
            said = pool.submit(classify_series, outcome) if outcome.null_count() < outcome.len() else None
            names = steps[ACTIVITY].unique().sort()
            new_case = (pl.col(CASE) != pl.col(CASE).shift(1)).fill_null(True)
            steps = steps.with_columns(
                (new_case.cum_sum() - 1).cast(pl.UInt32).alias("case_code"),
                pl.col(ACTIVITY).cast(pl.Enum(names.to_list())).to_physical().cast(pl.UInt32).alias("activity_code"),
                pl.int_range(pl.len(), dtype=pl.UInt32).alias("index"),
            )
            self._activity_names = names
            same_case = pl.col("case_code") == pl.col("case_code").shift(1)
            case_start = pl.when(~same_case.fill_null(False)).then(pl.col("index")).forward_fill()
            if self.completion_only:
                duration_from = pl.when(same_case).then(pl.col("end").shift(1))
            elif all_timed:
                duration_from = pl.col("begin")
            else:
                duration_from = pl.when(pl.col("__timed")).then(pl.col("begin"))
            steps = steps.with_columns(
                (pl.col("index") - case_start).cast(pl.UInt32).alias("pos"),
                duration_from.alias("duration_from"),
            ).with_columns(hours_between(pl.col("end"), pl.col("duration_from")).alias("duration_hours"))
            counting = pool.submit(_occurrence, steps["case_code"], steps["activity_code"], steps["pos"])
            decision = _decisions(None if said is None else said.result(), steps["activity_code"], names)
            occurrence = counting.result()
        steps = steps.with_columns(*occurrence, decision)
        return steps.select(CASE, "case_code", "index", "pos", ACTIVITY, "activity_code", "begin", "end", ROW,
                            *STEP_ROLES, "decision", "duration_from", "duration_hours", "occurrence", "first_pos")

    @property
    def activity_names(self) -> pl.Series:
        """The activity dictionary: ``activity_code`` k names ``activity_names[k]``."""
        self.steps  # noqa: B018  (builds the dictionary with the steps)
        return self._activity_names

    def codes(self, column: str) -> tuple[pl.Series, pl.Series]:
        """A text column of the steps (resource, department …) as integer codes, with their
        dictionary: ``(codes, names)``, ``names[code]`` the text; a missing value has no code.
        Names are sorted, so codes compare as the names do. Grouping and comparing codes is
        cheaper than text (10M steps: a group-by by person 0.63 → 0.38 s). Built once per column.
        """
        if column not in self._codes:
            values = self.steps[column]
            names = values.drop_nulls().unique().sort()
            codes = values.cast(pl.Enum(names.to_list())).to_physical().cast(pl.UInt32)
            self._codes[column] = (codes.rename(column), names.rename(column))
        return self._codes[column]

    # --- hand-offs -----------------------------------------------------------------------
    @cached_property
    def _blocks(self) -> tuple[np.ndarray, np.ndarray]:
        steps = self.steps
        first, stop = successor_blocks(steps["case_code"].to_numpy(), _epoch_us(steps["begin"]), _epoch_us(steps["end"]))
        # kept for the first/last steps and blocks: positions in 32 bits (polars' own index type)
        return first.astype(np.uint32, copy=False), stop.astype(np.uint32, copy=False)

    @cached_property
    def handoff_codes(self) -> pl.DataFrame:
        """One row per hand-off (see :mod:`procmine.engine.handoffs` for the rule), integers and
        times only: what the figures are measured from.

        Columns: case_code, source_code, target_code (activity codes), source_index,
        target_index (the steps' positions in :attr:`steps`), ready (when the target could
        start: the last of its predecessors completed), hours (ready → arrival, calendar) and
        sync_hours (this source's completion → ready). :attr:`handoffs` adds the names.
        At 10M hand-offs this table is 0.4 GB, the named one 1.1 GB (text is 16 bytes a value).
        """
        sources, targets = handoff_pairs(*self._blocks)
        steps = self.steps
        # A step that waits for several parallel steps (a join) is ready when the last of them
        # completes: its hand-off is measured from there; the earlier branches' extra wait is
        # synchronisation, kept apart.
        ends = _epoch_us(steps["end"])
        source_end = ends[sources]
        del ends
        ready = np.full(steps.height, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(ready, targets, source_end)
        ready = ready[targets]
        # microseconds divided by polars, as hours_between does (numpy rounds some quotients differently)
        hours = pl.Series("hours", _epoch_us(steps["begin"])[targets] - ready) / MICROSECONDS_PER_HOUR
        sync_hours = pl.Series("sync_hours", ready - source_end) / MICROSECONDS_PER_HOUR
        del source_end
        when_ready = pl.Series("ready", ready).cast(pl.Datetime("us")).cast(steps["end"].dtype)
        del ready
        # positions as polars' own index type (the gathers would convert int64 positions, a copy each)
        sources, targets = pl.Series(sources, dtype=pl.UInt32), pl.Series(targets, dtype=pl.UInt32)
        source = steps.select("case_code", pl.col("activity_code").alias("source_code"))[sources]
        target_code = steps["activity_code"].gather(targets).rename("target_code")
        return source.with_columns(target_code, sources.rename("source_index"), targets.rename("target_index"),
                                   when_ready, hours.rename("hours"), sync_hours.rename("sync_hours"))

    @cached_property
    def handoffs(self) -> pl.DataFrame:
        """One row per hand-off with its names: :attr:`handoff_codes` and the case, the source and
        target activities, their file rows, the source's completion and the target's arrival.

        Columns: case, case_code, source, target, source_code, target_code, source_row,
        target_row, source_index, target_index, source_end, target_arrival, ready, hours,
        sync_hours.
        """
        return named_handoffs(self.handoff_codes, self.steps, self.activity_names)

    @cached_property
    def blocks(self) -> pl.Series:
        """For every step, the number of its block: steps that overlap in time share a block.

        A step opens a new block when it arrives no earlier than every earlier step of its case
        completed; numbers run over the whole table, so they also tell cases apart.
        """
        first, _ = self._blocks
        n = len(first)
        if n == 0:
            return pl.Series("block", [], dtype=pl.UInt32)
        # step j arrives after all earlier steps completed ⇔ every earlier step's first successor
        # is at or before j; earlier cases' successors never pass this case's first step
        reached = np.zeros(n, dtype=np.uint32)  # (32-bit throughout: 0.3 GB of temporaries at 10M steps were 0.1)
        np.maximum.accumulate(first[:-1], out=reached[1:])
        opens = reached <= np.arange(n, dtype=np.uint32)
        del reached
        block = np.cumsum(opens, dtype=np.uint32)
        block -= 1
        return pl.Series("block", block, dtype=pl.UInt32)

    @cached_property
    def _first_mask(self) -> pl.Series:
        # the steps no hand-off leads to (one byte a step: a difference array over the blocks
        # took 0.3 GB of temporaries at 10M steps, at discover's peak)
        covered = np.zeros(self.steps.height, dtype=bool)
        covered[self.handoff_codes["target_index"].to_numpy()] = True
        return pl.Series(~covered)

    @cached_property
    def first_steps(self) -> pl.DataFrame:
        """Steps nothing hands over to: where each case starts (case, activity, row)."""
        return self.steps.filter(self._first_mask).select(CASE, ACTIVITY, ROW)

    @cached_property
    def last_steps(self) -> pl.DataFrame:
        """Steps that hand over to nothing: where each case ends (case, activity, row).

        Cases still in progress have not ended; their steps are not listed."""
        return self._last_of(self.steps.select(CASE, ACTIVITY, ROW))

    def _last_of(self, frame: pl.DataFrame) -> pl.DataFrame:
        first, stop = self._blocks
        last = frame.filter(pl.Series(first == stop))
        return last.filter(~pl.col(CASE).is_in(self._open_ids.implode())) if self.open_cases else last

    # --- cases and variants ----------------------------------------------------------------
    @cached_property
    def cases(self) -> pl.DataFrame:
        """One row per case: first and last time, steps, variant, lead time, open.

        Columns: case, case_code, first_time, last_time, events, variant_id (rank in
        :attr:`variants`), lead_hours (calendar), has_repeat (an activity happened twice),
        open (still in progress when the log was exported).
        """
        per_case = _per_case(self.steps)
        ranked = self._rank_variants(per_case)
        return (
            per_case.join(ranked.select("__codes", "variant_id"), on="__codes", how="left", maintain_order="left")
            .with_columns(
                hours_between(pl.col("last_time"), pl.col("first_time")).alias("lead_hours"),
                pl.col(CASE).is_in(self._open_ids.implode()).alias("open"),
            )
            .select(CASE, "case_code", "first_time", "last_time", "events", "variant_id", "lead_hours", "has_repeat",
                    "open")
        )

    def _rank_variants(self, per_case: pl.DataFrame) -> pl.DataFrame:
        # Most cases first; ties by the sequence's text, so the ranking is stable.
        names = self.activity_names
        counted = per_case.group_by("__codes").agg(pl.len().alias("cases"))
        flat = counted.select(pl.int_range(pl.len()).alias("__v"), "__codes").explode("__codes")
        flat = flat.with_columns(names.gather(flat["__codes"]).alias("activities"))
        counted = counted.with_columns(flat.group_by("__v", maintain_order=True).agg("activities")["activities"])
        counted = counted.with_columns(pl.col("activities").list.join(SEPARATOR).alias("__key"))
        counted = counted.sort(["cases", "__key"], descending=[True, False])
        self._variant_table = counted.with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("variant_id")).drop("__key")
        return self._variant_table

    @cached_property
    def variants(self) -> pl.DataFrame:
        """One row per variant, most cases first: variant_id, activities (list), steps, cases, share."""
        total = self.cases.height
        return self._variant_table.select(
            "variant_id", "activities",
            pl.col("activities").list.len().alias("steps"),
            pl.col("cases").cast(pl.Int64),
            (pl.col("cases") / max(total, 1)).alias("share"),
        )

    # --- aggregates --------------------------------------------------------------------------
    @cached_property
    def activity_stats(self) -> pl.DataFrame:
        """Per activity: frequency, cases, median/mean/p90/total duration in calendar hours."""
        return _frequency_and_time(self.steps, [ACTIVITY], "duration_hours", "duration_hours",
                                   names=self.activity_names)

    @cached_property
    def edge_stats(self) -> pl.DataFrame:
        """Per hand-off (source → target): frequency, cases, median/mean/p90/total hours, median sync."""
        return _frequency_and_time(self.handoff_codes, ["source", "target"], "hours", "hours",
                                   pl.col("sync_hours").median().alias("median_sync_hours"), names=self.activity_names)

    @cached_property
    def start_activities(self) -> dict[str, int]:
        """How many cases start with each activity, most first."""
        return self._counts(self.steps["activity_code"].filter(self._first_mask))

    @cached_property
    def end_activities(self) -> dict[str, int]:
        """How many finished cases end with each activity, most first."""
        return self._counts(self._last_of(self.steps.select(CASE, "activity_code"))["activity_code"])

    def _counts(self, codes: pl.Series) -> dict[str, int]:
        """Steps per activity from their codes, most first (ties by name: codes follow the names)."""
        counts = np.bincount(codes.to_numpy(), minlength=self.activity_names.len())
        order = sorted(np.flatnonzero(counts), key=lambda code: -counts[code])  # (stable: by code on ties)
        names = self.activity_names.to_list()
        return {names[code]: int(counts[code]) for code in order}

    def counts(self) -> tuple[int, int]:
        """(steps, cases) of these tables."""
        steps = self.steps
        return steps.height, int(steps["case_code"].max()) + 1 if steps.height else 0

    def open_case_count(self) -> int:
        """How many of the cases in these tables are still in progress."""
        if not self.open_cases:
            return 0
        return int(self.steps[CASE].unique().is_in(self._open_ids.implode()).sum())

    # --- working time ------------------------------------------------------------------------
    def working(self, calendar: "Calendar") -> "TimeTables":
        """Steps, hand-offs and cases with working-time columns under ``calendar`` (built once)."""
        if calendar not in self._working:
            self._working[calendar] = TimeTables(self, calendar)
        return self._working[calendar]

    @cached_property
    def _open_ids(self) -> pl.Series:
        return pl.Series(sorted(self.open_cases), dtype=pl.String)


class TimeTables:
    """Steps, hand-offs and cases with calendar and working durations, each built when first read.

    Calendar hours are ``*_hours``; working hours under :attr:`calendar` are ``*_work_hours``
    (steps: duration_work_hours; hand-offs: work_hours; cases: lead_work_hours). A command that
    reads only steps and cases (kpi) never builds the hand-offs.
    """

    def __init__(self, tables: Tables, calendar: "Calendar"):
        self._tables = tables
        self.calendar = calendar
        self.has_start_times = not tables.completion_only
        #: steps that had arrived but were not completed when the log was exported
        self.open_steps = tables.open_steps

    @property
    def plain(self) -> Tables:
        """The calendar-hour tables these extend: for what reads the steps' and hand-offs' order
        and names only, without their working hours (loops: 10M steps, 0.9 s less)."""
        return self._tables

    @property
    def activity_names(self) -> pl.Series:
        """The activity dictionary: ``activity_code`` k names ``activity_names[k]``."""
        return self._tables.activity_names

    def codes(self, column: str) -> tuple[pl.Series, pl.Series]:
        """A text column of the steps as integer codes and their dictionary (see :meth:`Tables.codes`)."""
        return self._tables.codes(column)

    @cached_property
    def steps(self) -> pl.DataFrame:
        return self._add_working(self._tables.steps, "duration_from", "end", "duration_work_hours")

    @cached_property
    def handoff_codes(self) -> pl.DataFrame:
        """:attr:`Tables.handoff_codes` with work_hours (ready → arrival, working)."""
        codes = self._tables.handoff_codes
        arrival = self._tables.steps["begin"].gather(codes["target_index"])
        return codes.with_columns(self.calendar.working_hours(codes["ready"], arrival).alias("work_hours"))

    @cached_property
    def handoffs(self) -> pl.DataFrame:
        """:attr:`Tables.handoffs` with work_hours (ready → arrival, working)."""
        return self._tables.handoffs.with_columns(self.handoff_codes["work_hours"])

    @cached_property
    def cases(self) -> pl.DataFrame:
        return self._add_working(self._tables.cases, "first_time", "last_time", "lead_work_hours")

    def _add_working(self, frame: pl.DataFrame, start: str, end: str, name: str) -> pl.DataFrame:
        """``frame`` with the working hours from ``start`` to ``end`` as column ``name``."""
        return frame.with_columns(self.calendar.working_hours(frame[start], frame[end]).alias(name))

    @cached_property
    def activity_stats(self) -> pl.DataFrame:
        """Per activity: frequency, cases, median/mean/p90/total duration in working hours."""
        return _frequency_and_time(self.steps, [ACTIVITY], "duration_work_hours", "duration_work_hours",
                                   names=self.activity_names)

    @cached_property
    def edge_stats(self) -> pl.DataFrame:
        """Per hand-off: frequency, cases, median/mean/p90/total wait in working hours."""
        return _frequency_and_time(self.handoff_codes, ["source", "target"], "work_hours", "work_hours",
                                   names=self.activity_names)

    @cached_property
    def warnings(self) -> list[str]:
        """Whether the calendar fits the log (most steps completed outside working time?)."""
        return _plausibility(self._tables.steps, self.calendar)

    @property
    def basis(self) -> str:
        """'working' when a working-time calendar applies, else 'calendar'."""
        return "calendar" if self.calendar.kind == "none" else "working"


#: Above this share of steps completed outside working time, the calendar probably does not fit.
OUTSIDE_HOURS_WARNING = 0.5


#: Steps looked at for that warning: evenly spread over the log, enough for a share to ±0.5 %.
PLAUSIBILITY_SAMPLE = 100_000


def _plausibility(steps: pl.DataFrame, calendar: "Calendar") -> list[str]:
    """Warn when most steps were completed outside working time: a wrong time zone or work hours?"""
    if calendar.kind == "none" or steps.height == 0:
        return []
    ends = steps["end"].gather_every(max(1, steps.height // PLAUSIBILITY_SAMPLE))
    outside = (calendar.working_hours(ends - timedelta(minutes=1), ends) <= 0).mean()
    if outside is None or outside <= OUTSIDE_HOURS_WARNING:
        return []
    return [f"{outside * 100:.0f} % of the steps were completed outside working time "
            f"({calendar.describe('en')}); check that --timezone, --work-hours and --calendar fit this log, "
            "or use --calendar none for calendar time"]


def named_handoffs(codes: pl.DataFrame, steps: pl.DataFrame, names: pl.Series) -> pl.DataFrame:
    """Hand-offs ``codes`` (:attr:`Tables.handoff_codes`, with any more columns) with their names:
    case, source, target, source_row, target_row, source_end and target_arrival gathered from
    the ``steps`` by position, in :attr:`Tables.handoffs`' column order."""
    sources, targets = codes["source_index"], codes["target_index"]
    named = codes.with_columns(
        steps[CASE].gather(sources), names.gather(codes["source_code"]).alias("source"),
        names.gather(codes["target_code"]).alias("target"), steps[ROW].gather(sources).alias("source_row"),
        steps[ROW].gather(targets).alias("target_row"), steps["end"].gather(sources).alias("source_end"),
        steps["begin"].gather(targets).alias("target_arrival"))
    first = [CASE, "case_code", "source", "target", "source_code", "target_code", "source_row", "target_row",
             "source_index", "target_index", "source_end", "target_arrival", "ready", "hours", "sync_hours"]
    return named.select(*first, pl.exclude(*first))


def covered_steps(tables, case_code: pl.Series, first_pos: pl.Series, stop_pos: pl.Series) -> pl.Series:
    """For every step (in :attr:`Tables.steps` order): does some range [first_pos, stop_pos) of
    positions in its case cover it? One pass over a difference array, whatever the case length."""
    steps = tables.steps
    starts = steps["index"].filter(steps["pos"] == 0).to_numpy().astype(np.int64)
    base = starts[case_code.to_numpy().astype(np.int64)] if case_code.len() else np.zeros(0, dtype=np.int64)
    lo = base + first_pos.to_numpy().astype(np.int64)
    hi = base + stop_pos.to_numpy().astype(np.int64)
    size = steps.height + 1
    depth = np.cumsum(np.bincount(lo, minlength=size) - np.bincount(hi, minlength=size))[:-1]
    return pl.Series("covered", depth > 0)


def _per_case(steps: pl.DataFrame) -> pl.DataFrame:
    """Per case (in case order): case, case_code, first_time, last_time, events, __codes (its activity
    codes in step order), has_repeat. The steps are in case order, so each case is a run of rows
    starting at position 0: reductions over those runs, no grouping."""
    if steps.height == 0:
        return steps.group_by("case_code", maintain_order=True).agg(
            pl.col(CASE).first(), pl.col("begin").min().alias("first_time"), pl.col("end").max().alias("last_time"),
            pl.len().alias("events"), pl.col("activity_code").alias("__codes"),
            (pl.col("occurrence") > 1).any().alias("has_repeat"))
    import pyarrow as pa

    starts = np.flatnonzero(steps["pos"].to_numpy() == 0)
    offsets = np.append(starts, steps.height).astype(np.int64)
    codes = pl.from_arrow(pa.LargeListArray.from_arrays(_arrow(offsets), _arrow(steps["activity_code"].to_numpy())))

    def at_runs(reduce, column: str) -> pl.Series:
        return pl.Series(reduce.reduceat(_epoch_us(steps[column]), starts)).cast(pl.Datetime("us")).cast(
            steps[column].dtype)

    return pl.DataFrame({
        "case_code": pl.Series(np.arange(len(starts), dtype=np.uint32)),
        CASE: steps[CASE].gather(starts),
        "first_time": at_runs(np.minimum, "begin"),
        "last_time": at_runs(np.maximum, "end"),
        "events": pl.Series(np.diff(offsets).astype(np.uint32)),
        "__codes": codes.cast(pl.List(pl.UInt32)),
        "has_repeat": pl.Series(np.logical_or.reduceat(steps["occurrence"].to_numpy() > 1, starts)),
    })


def _arrow(values: np.ndarray):
    """A numpy array of numbers as an Arrow array, sharing its memory (``pa.array`` would import pandas)."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def _frequency_and_time(frame: pl.DataFrame, keys: list[str], column: str, name: str, *more: pl.Expr,
                        names: pl.Series | None = None) -> pl.DataFrame:
    """Per group of ``keys``: frequency, cases, and median/mean/p90/total of ``column`` (named
    ``median_<name>`` …), most frequent first."""
    hours = pl.col(column)
    # per activity of the steps, a case's first pass is occurrence 1: counting those counts distinct cases
    cases = ((pl.col("occurrence") == 1).sum().cast(pl.UInt32) if keys == [ACTIVITY] and "occurrence" in frame.columns
             else pl.col("case_code").n_unique())
    # grouped by the integer activity codes (cheaper than text), named after
    coded = {k: CODE_OF[k] for k in keys if names is not None and CODE_OF.get(k) in frame.columns}
    group = [coded.get(k, k) for k in keys]
    figures = [pl.len().alias("frequency"), cases.alias("cases"),
               hours.median().alias(f"median_{name}"), hours.mean().alias(f"mean_{name}"),
               hours.quantile(0.9, "linear").alias(f"p90_{name}"), hours.sum().alias(f"total_{name}"), *more]
    if len(coded) == len(keys) == 2:
        grouped = by_pair(frame, group, names.len(), *figures)
    else:
        grouped = frame.group_by(group).agg(*figures)
    grouped = grouped.with_columns(names.gather(grouped[code]).alias(key) for key, code in coded.items())
    return (grouped.select(*keys, pl.exclude(*keys, *coded.values()))
            .sort(["frequency", *keys], descending=[True] + [False] * len(keys)))


def by_pair(frame: pl.DataFrame, columns: list[str], width: int, *aggs: pl.Expr) -> pl.DataFrame:
    """``frame.group_by(columns).agg(*aggs)`` for two integer code columns (each below ``width``),
    grouped by one integer made of both. polars groups by two columns through a 0.4 GB temporary
    at 10M rows, by one integer through 0.1 GB, and faster."""
    a, b = columns
    wide = width * width >= 2 ** 32
    kind = pl.UInt64 if wide else pl.UInt32
    pair = (pl.col(a).cast(kind) * width + pl.col(b).cast(kind)).alias("__pair")
    grouped = frame.group_by(pair).agg(*aggs)
    return grouped.select((pl.col("__pair") // width).cast(frame.schema[a]).alias(a),
                          (pl.col("__pair") % width).cast(frame.schema[b]).alias(b), pl.exclude("__pair"))


#: The integer code column of each activity-naming column of the engine's tables.
CODE_OF = {ACTIVITY: "activity_code", "source": "source_code", "target": "target_code"}


#: Positions looked back, one at a time, for earlier steps of the same activity; the steps of longer
#: cases are counted by a sort.
LOOK_BACK = 64


def _occurrence(case_code: pl.Series, activity_code: pl.Series, pos: pl.Series, *,
                repeats_only: bool = False) -> list[pl.Series]:
    """``occurrence``: 1 for an activity's first step in its case, 2 for its second …; and
    ``first_pos``: the position of that first step.

    Steps are in case order, so the step ``k`` positions back is in the same case when ``pos ≥ k``:
    looking back one position at a time visits each pair of steps of a case once, and only the
    steps that deep (cases are short). Cases longer than :data:`LOOK_BACK` take the sort."""
    n = case_code.len()
    if n == 0:
        return _occurrence_sorted(case_code, activity_code, pos)
    act, at = activity_code.to_numpy(), pos.to_numpy()
    if not repeats_only and int(act.max()) < 64:
        # most cases do no activity twice: a case does when it has more steps than distinct
        # activities (the bits set in one integer); only those cases are looked through
        starts = np.flatnonzero(at == 0)
        seen = np.bitwise_or.reduceat(np.left_shift(np.uint64(1), act.astype(np.uint64)), starts)
        lengths = np.diff(np.append(starts, n))
        again = np.repeat(np.bitwise_count(seen) < lengths, lengths)
        occurrence = np.ones(n, dtype=np.uint32)
        first_pos = at.astype(np.uint32)
        if again.any():
            chosen = np.flatnonzero(again)
            counted = _occurrence(case_code.gather(chosen), activity_code.gather(chosen), pos.gather(chosen),
                                  repeats_only=True)
            occurrence[chosen], first_pos[chosen] = counted[0].to_numpy(), counted[1].to_numpy()
        return [pl.Series("occurrence", occurrence), pl.Series("first_pos", first_pos)]
    deepest = int(at.max())
    small = at.astype(np.uint16) if deepest < np.iinfo(np.uint16).max else at  # a radix sort
    by_pos = np.argsort(small, kind="stable")[::-1]  # the deepest steps first
    at_least = np.cumsum(np.bincount(small)[::-1])[::-1]  # at_least[k]: steps at position k or deeper
    occurrence = np.ones(n, dtype=np.uint32)
    first_pos = at.astype(np.uint32)  # a copy
    for k in range(1, min(deepest, LOOK_BACK) + 1):
        steps = by_pos[: at_least[k]]
        same = steps[act[steps - k] == act[steps]]
        occurrence[same] += 1
        first_pos[same] = at[same] - k  # the deepest look back wins: the first time
    if deepest > LOOK_BACK:
        codes = case_code.to_numpy()
        long_case = np.zeros(int(codes.max()) + 1, dtype=bool)
        long_case[codes[at > LOOK_BACK]] = True
        chosen = np.flatnonzero(long_case[codes])
        counted = _occurrence_sorted(case_code.gather(chosen), activity_code.gather(chosen), pos.gather(chosen))
        occurrence[chosen], first_pos[chosen] = counted[0].to_numpy(), counted[1].to_numpy()
    return [pl.Series("occurrence", occurrence), pl.Series("first_pos", first_pos)]


def _occurrence_sorted(case_code: pl.Series, activity_code: pl.Series, pos: pl.Series) -> list[pl.Series]:
    """:func:`_occurrence` by one stable sort of (case, activity): for any case length."""
    n = case_code.len()
    width = int(activity_code.max() or 0) + 1
    key = case_code.to_numpy().astype(np.uint64) * np.uint64(width) + activity_code.to_numpy().astype(np.uint64)
    order = np.argsort(key, kind="stable")  # stable: the steps of one key stay in step order
    sorted_key = key[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_key[1:] != sorted_key[:-1]
    position = np.arange(n, dtype=np.int64)
    group_start = np.maximum.accumulate(np.where(starts, position, 0))
    occurrence = np.empty(n, dtype=np.uint32)
    occurrence[order] = position - group_start + 1
    first_pos = np.empty(n, dtype=np.uint32)
    first_pos[order] = pos.to_numpy()[order][group_start]
    return [pl.Series("occurrence", occurrence), pl.Series("first_pos", first_pos)]


def _epoch_us(values: pl.Series) -> np.ndarray:
    return values.dt.epoch("us").to_numpy()


def one_chunk(columns: list[pl.Series], *, text_only: bool = False) -> pl.DataFrame:
    """A frame of ``columns``, each in one contiguous chunk, made two columns at a time.
    ``text_only``: only the text columns; the others (times read with a CSV) are joined later,
    by the one_chunk that ends the reading, when the text copied here has been let go (10M
    events: 0.15 GB less at the reading's peak).

    Readers return columns in many chunks, and polars copies a many-chunk column whole
    whenever a query selects it. In one chunk, the steps share the events' columns instead
    of copying them (at 10M events: 0.9 GB less). ``columns`` is emptied as
    it goes, so each column's chunks are freed once copied (when nothing else holds them):
    the caller passes a list it holds nothing else of. A frame's rechunk keeps text where it
    lies and works on two columns at once (10M events, 8 columns: 0.6 → 0.1 s, against a
    Series' rechunk one column at a time).
    """
    names = [column.name for column in columns]
    done = []
    while columns:  # (named by position meanwhile: names may repeat, or be empty)
        if text_only and columns[0].dtype != pl.String:
            done.append(columns.pop(0).rename(str(len(done))))
            continue
        pair = []
        while columns and len(pair) < 2 and not (text_only and columns[0].dtype != pl.String):
            pair.append(columns.pop(0).rename(str(len(done) + len(pair))))
        done.extend(pl.DataFrame(pair).rechunk().get_columns())
        del pair
    frame = pl.DataFrame(done)
    frame.columns = names  # (a column named "" would otherwise be renamed)
    return frame


#: Above this many (key, value) cells :func:`most_frequent` counts by a group-by, not a bincount.
COUNTED_CELLS = 1 << 24


def most_frequent(key: pl.Series, codes: pl.Series, names: pl.Series, keys: int) -> pl.DataFrame:
    """For each key (integer codes 0 … ``keys`` − 1, e.g. ``activity_code``) its most frequent value
    of ``codes`` (a column of :meth:`Tables.codes`, ``names`` its dictionary; ties: the first name)
    and how often: columns ``key``, ``value`` (the name), ``n``. Missing values are not counted;
    keys without any are left out. One count per (key, value) cell: a bincount (a group-by past
    :data:`COUNTED_CELLS` cells), not a group-by over every row."""
    if codes.null_count():
        known = codes.is_not_null()
        key, codes = key.filter(known), codes.filter(known)
    width = names.len()
    if key.len() == 0:
        return pl.DataFrame(schema={"key": pl.UInt32, "value": pl.String, "n": pl.UInt32})
    if keys * width > COUNTED_CELLS:
        counted = pl.DataFrame({"key": key.cast(pl.UInt32), "code": codes}).group_by("key", "code").len()
        counted = counted.with_columns(names.gather(counted["code"]).alias("value"))  # named before ties are broken
        return (counted.sort(["len", "value"], descending=[True, False])
                .group_by("key", maintain_order=True).agg(pl.col("value").first(), pl.col("len").first().alias("n")))
    cell = key.to_numpy().astype(np.int64) * width + codes.to_numpy()
    counts = np.bincount(cell, minlength=keys * width).reshape(keys, width)
    top = counts.argmax(axis=1)  # the first of equal counts: codes are in name order
    n = counts[np.arange(keys), top]
    done = np.flatnonzero(n)
    return pl.DataFrame({"key": pl.Series(done, dtype=pl.UInt32), "value": names.gather(top[done]).rename("value"),
                         "n": pl.Series(n[done], dtype=pl.UInt32)})


def first_of_each(values: np.ndarray) -> np.ndarray:
    """For each value: is it the first of its value? (polars' ``is_first_distinct``, by one stable
    sort: quick on values nearly in order, as hand-offs' targets are; 10M hand-offs 0.11 → 0.03 s)."""
    order, same = _sorted_runs(values)
    first = np.ones(len(values), dtype=bool)
    first[1:] = ~same
    return _in_place_of(first, order)


def duplicated(values: np.ndarray) -> np.ndarray:
    """For each value: is it found elsewhere among the values? (polars' ``is_duplicated``, by one
    stable sort: quick on keys grouped by case; 3M keys 0.26 → 0.03 s)."""
    order, same = _sorted_runs(values)
    found = np.zeros(len(values), dtype=bool)
    found[1:] |= same
    found[:-1] |= same
    return _in_place_of(found, order)


def _sorted_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values' stable sort order, and whether each sorted value equals the one before it."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    return order, ordered[1:] == ordered[:-1]


def _in_place_of(flags: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``flags`` in sorted order (see :func:`_sorted_runs`) put back in the values' own order."""
    unsorted = np.empty_like(flags)
    unsorted[order] = flags
    return unsorted


def is_sorted_by(frame: pl.DataFrame, order: list[str | pl.Expr]) -> bool:
    """True when ``frame`` is already in ``order`` (one pass; cheaper than sorting again, and no
    copy of the table: exports usually come sorted by case and time)."""
    if frame.height < 2:
        return True
    later = pl.lit(False)
    equal_so_far = pl.lit(True)
    for key in order:
        now = pl.col(key) if isinstance(key, str) else key
        before = now.shift(1)
        later = later | (equal_so_far & (now > before))
        equal_so_far = equal_so_far & (now == before)
    in_order = (later | equal_so_far).slice(1)
    return bool(frame.select(in_order.all()).item())


def _decisions(said: pl.Series | None, activity_code: pl.Series, names: pl.Series) -> pl.Series:
    """The standard decision of every step: its outcome's (``said``: the outcomes classified,
    None when the log has none), else its activity name's (names are classified once each,
    through the activity dictionary)."""
    by_name = classify_series(names, names=True)
    from_name = by_name.gather(activity_code)
    if said is None:
        return from_name.rename("decision")
    return pl.select(pl.coalesce(said, from_name)).to_series().rename("decision")
