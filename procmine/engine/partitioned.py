"""Logs larger than memory, on one machine: the rows split by case into parts, each part read
and measured as an ordinary log, and the engine's tables merged.

A case never spans two parts (rows go to part ``hash(case id) mod k``), so everything measured
within a case (steps, hand-offs, lead times, variants, the data-quality checks, duplicates
included) is what the whole log gives. What is kept from each part is narrow: per step its case,
activity code, completion, duration, occurrence and decision; per hand-off its case, codes and
hours; the case and variant tables; the start and end counts; the miner's sequences. The
aggregates are then computed once on those, by the engine's own code, so medians and p90s are
exact, not merged estimates. Only means and totals may differ in the last bits (floating-point
sums in another order).

    >>> log = procmine.read_log("approvals_100m.parquet", partition_rows=10_000_000)  # doctest: +SKIP
    >>> procmine.discover(log), procmine.kpis(log, target="3wd")                      # doctest: +SKIP

What a part cannot tell (the rows themselves) is not kept: the interactive map, which opens
cases, and the analyses other than the map and the KPIs need the rows in memory; they refuse a
partitioned log with one line. Memory: about 40 bytes per event kept, plus one part's reading
(about 500 bytes per event of the part).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl

from procmine.check import DataQualityReport, Finding
from procmine.engine.tables import SEPARATOR, Tables, _frequency_and_time
from procmine.errors import EmptyLogError, ProcmineError
from procmine.log import ACTIVITY, OUTCOME, TIMESTAMP, LogSummary, Source, _iso

#: Events per part when splitting a log that does not fit: about 5 GiB at the peak of one part.
DEFAULT_PARTITION_ROWS = 10_000_000

#: The filters a part can apply on its own: each decides on a case's own rows.
CASE_LOCAL_FILTERS = ("period", "attribute", "performance")

#: The file's row number, carried through the split (the reader numbers each part anew).
SOURCE_ROW = "__source_row__"


class PartitionError(ProcmineError):
    """A partitioned log cannot do what was asked (exit code 2)."""

    exit_code = 2


#: Peak memory of reading and measuring a log whole, per event (measured: 4.75 GiB at 10M events).
BYTES_PER_EVENT = 500


def partition_rows_for(path: str | Path, partition_rows: int | str | None) -> tuple[int, int]:
    """(events in the file, events per part; 0 = read it whole) for a Parquet or Arrow file.

    ``partition_rows="auto"`` reads in parts only when the whole log would not fit: more than
    80 % of the free memory at :data:`BYTES_PER_EVENT`; a part then holds
    :data:`DEFAULT_PARTITION_ROWS` events, or what a third of the free memory holds.
    ``$PROCMINE_PARTITION_ROWS`` sets the part size and reads in parts any file larger than that."""
    from procmine.read.files import COLUMNAR_NAMES, detect_format

    path = Path(path)
    if partition_rows is None or not path.is_file():
        return 0, 0
    try:
        kind = detect_format(path)
    except ProcmineError:
        return 0, 0
    if kind not in COLUMNAR_NAMES:
        return 0, 0
    try:
        scan = pl.scan_parquet(path) if kind == "parquet" else pl.scan_ipc(path)
        rows = int(scan.select(pl.len()).collect().item())
    except Exception:  # the reader says what is wrong with the file
        return 0, 0
    if partition_rows == "auto":
        if os.environ.get("PROCMINE_PARTITION_ROWS"):
            per_part = int(os.environ["PROCMINE_PARTITION_ROWS"])
            return rows, per_part if rows > per_part else 0
        available = _available_bytes() or 8 * 2**30
        if rows * BYTES_PER_EVENT <= 0.8 * available:
            return rows, 0
        return rows, max(1_000_000, min(DEFAULT_PARTITION_ROWS, available // 3 // BYTES_PER_EVENT))
    return rows, int(partition_rows) if rows > int(partition_rows) else 0


def estimated_text_rows(path: str | Path) -> int:
    """About how many rows an uncompressed CSV/TSV/TXT file holds (from its first 4 MiB); 0 for
    other files."""
    from procmine.read.files import TEXT_SUFFIXES

    path = Path(path)
    if path.suffix.lower() not in TEXT_SUFFIXES or not path.is_file():
        return 0
    size = path.stat().st_size
    with open(path, "rb") as stream:
        head = stream.read(4 * 2**20)
    lines = head.count(b"\n")
    return int(size / (len(head) / lines)) if lines else 0


def check_fits(path: str | Path, command: str, in_parts: tuple[str, ...]) -> None:
    """Stop before reading a log this machine cannot hold whole, with one line, instead of the
    system killing the process half-way. A Parquet/Arrow file is read in parts by the ``in_parts``
    commands; a text file never is, and is refused for every command when it would not fit."""
    available = _available_bytes()
    if not available:
        return
    rows, per_part = partition_rows_for(path, "auto")
    if per_part and rows * BYTES_PER_EVENT > available and command not in in_parts:
        raise PartitionError(
            f"{path}: {rows:,} events need about {_size(rows * BYTES_PER_EVENT)} in memory for {command}, "
            f"and {_size(available)} are free. procmine {', '.join(in_parts)} read such a log in parts; "
            f"for {command}, export a smaller period or run it where more memory is free")
    rows = estimated_text_rows(path)
    if rows * BYTES_PER_EVENT > available:
        raise PartitionError(
            f"{path}: about {rows:,} rows need about {_size(rows * BYTES_PER_EVENT)} in memory, and "
            f"{_size(available)} are free. Convert the file to Parquet, which procmine "
            f"{', '.join(in_parts)} read in parts: python -c \"import polars as pl; pl.scan_csv('{Path(path).name}', "
            f"infer_schema=False).sink_parquet('{Path(path).stem}.parquet')\" (a GBK file: convert it to UTF-8 first, "
            "e.g. iconv -f GB18030 -t UTF-8)")


def _size(n: float) -> str:
    return f"{n / 2**30:,.0f} GiB" if n >= 10 * 2**30 else f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _available_bytes() -> int | None:
    """Memory free for this process: the system's available memory, or less under a container's
    limit (cgroup v2), whose /proc/meminfo still shows the host's."""
    found = []
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            found.append(int(limit) - int(Path("/sys/fs/cgroup/memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


# --- splitting ------------------------------------------------------------------------------

def split_by_case(path: Path, kind: str, case_column: str, parts: int, folder: Path) -> list[Path]:
    """The rows of ``path`` in ``parts`` Parquet files by case (streamed; the file's row numbers kept)."""
    scan = pl.scan_parquet(path) if kind == "parquet" else pl.scan_ipc(path)
    key = (pl.col(case_column).cast(pl.String).str.strip_chars().hash(seed=0) % parts).cast(pl.UInt32)
    (scan.with_row_index(SOURCE_ROW, offset=1).with_columns(key.alias("__part"))
     .sink_parquet(pl.PartitionBy(folder, key="__part", include_key=False)))
    found = sorted(folder.rglob("*.parquet"), key=lambda p: str(p))
    return found


# --- what each part gives ---------------------------------------------------------------------

@dataclass
class _Part:
    """The narrow tables one part contributes, its activity codes still its own. The three long
    tables are Parquet files next to the parts (scanned when the merged tables are read), so what a
    log read in parts keeps in memory does not grow with its size."""

    names: pl.Series
    #: steps per activity code (for agreeing on label spellings without reading the steps back)
    counts: np.ndarray
    steps: pl.LazyFrame
    handoffs: pl.LazyFrame
    cases: pl.LazyFrame
    n_cases: int
    variants: pl.DataFrame
    starts: dict[str, int]
    ends: dict[str, int]
    sequences: Counter


def _measure(tables: Tables, with_sequences: bool, spill: Path) -> _Part:
    """What a part keeps of its tables; the long ones written to ``spill``.steps/.handoffs/.cases.parquet."""
    from procmine.discover.bpmn import variant_counts

    long = {
        "steps": tables.steps.select(
            "case_code", "activity_code", "end", "duration_hours", "occurrence",
            pl.col("decision").cast(pl.Categorical), pl.col(OUTCOME).cast(pl.Categorical)),
        "handoffs": tables.handoff_codes.select("case_code", "source_code", "target_code", "hours", "sync_hours"),
        "cases": tables.cases,
    }
    scans = {}
    for name, frame in long.items():
        path = spill.with_name(f"{spill.name}.{name}.parquet")
        frame.write_parquet(path, compression="lz4", statistics=False)
        scans[name] = pl.scan_parquet(path)
    counts = np.bincount(long["steps"]["activity_code"].to_numpy(), minlength=tables.activity_names.len())
    return _Part(tables.activity_names, counts, scans["steps"], scans["handoffs"], scans["cases"], tables.cases.height,
                 tables.variants.select("variant_id", "activities", "cases"),
                 dict(tables.start_activities), dict(tables.end_activities),
                 variant_counts(tables) if with_sequences else Counter())


class MergedTables(Tables):
    """The engine's tables of a partitioned log: the parts' narrow tables put together.

    Steps keep case_code, activity_code, end, duration_hours, occurrence, decision and outcome;
    hand-offs case_code, source_code, target_code, hours and sync_hours. The aggregates
    (:attr:`activity_stats`, :attr:`edge_stats`) and the working-time case table are the
    engine's own code run on them. The tables that need every column of a step (blocks, first
    and last steps) are not kept: the start and end counts are."""

    def __init__(self, parts: list[_Part], *, completion_only: bool, open_cases: frozenset[str],
                 open_steps: pl.DataFrame | None, normalise_labels: bool = True):
        if normalise_labels:
            parts = _agreed_labels(parts)
        self.completion_only = completion_only
        self.open_cases = open_cases
        self.open_steps = open_steps
        self._events = None
        self._working = {}
        names = pl.Series(ACTIVITY, sorted(set().union(*(p.names.to_list() for p in parts))), dtype=pl.String)
        self._activity_names = names
        variants = _merged_variants(parts)
        steps, handoffs, cases = [], [], []
        offset = 0
        for part in parts:
            code = pl.lit(pl.Series(np.searchsorted(names.to_numpy(), part.names.to_numpy()).astype(np.uint32)))
            case_code = (pl.col("case_code") + offset).cast(pl.UInt32)
            steps.append(part.steps.with_columns(case_code, code.gather(pl.col("activity_code")).alias("activity_code")))
            handoffs.append(part.handoffs.with_columns(
                case_code, code.gather(pl.col("source_code")).alias("source_code"),
                code.gather(pl.col("target_code")).alias("target_code")))
            renumbered = (part.variants.select("variant_id", pl.col("activities").list.join(SEPARATOR).alias("__key"))
                          .join(variants.select("__key", pl.col("variant_id").alias("__global")), on="__key"))
            cases.append(part.cases.join(renumbered.lazy().select("variant_id", "__global"), on="variant_id",
                                         how="left", maintain_order="left")
                         .with_columns(case_code, pl.col("__global").alias("variant_id")).drop("__global"))
            offset += part.n_cases
        if not parts:
            raise PartitionError("no part of this log has an event to measure")
        self._plans = {"steps": pl.concat(steps), "handoffs": pl.concat(handoffs), "cases": pl.concat(cases)}
        self._n_steps, self._n_cases = int(sum(p.counts.sum() for p in parts)), offset
        self._read_back: dict[str, weakref.ref] = {}
        self._variants = variants.select(
            "variant_id", "activities", pl.col("activities").list.len().alias("steps"),
            pl.col("cases").cast(pl.Int64), (pl.col("cases") / max(offset, 1)).alias("share"))
        self._starts = _summed(p.starts for p in parts)
        self._ends = _summed(p.ends for p in parts)
        #: the BPMN miner's sequences with their weights (:func:`procmine.discover.bpmn.variant_counts`)
        self.sequences = sum((p.sequences for p in parts), Counter())

    def _table(self, name: str) -> pl.DataFrame:
        """A merged table read back from the parts' files; while a caller still holds it, the same
        frame (no second copy), and freed when nobody does."""
        held = self._read_back.get(name)
        frame = held() if held is not None else None
        if frame is None:
            frame = self._plans[name].collect()
            self._read_back[name] = weakref.ref(frame)
        return frame

    # the engine's tables, merged (narrow: see the class docstring)
    steps = property(lambda self: self._table("steps"))
    handoffs = property(lambda self: self._table("handoffs"))
    handoff_codes = handoffs
    cases = property(lambda self: self._table("cases"))
    variants = property(lambda self: self._variants)
    activity_names = property(lambda self: self._activity_names)
    start_activities = property(lambda self: self._starts)
    end_activities = property(lambda self: self._ends)

    def counts(self) -> tuple[int, int]:
        return self._n_steps, self._n_cases

    def open_case_count(self) -> int:
        return int(self._plans["cases"].select(pl.col("open").sum()).collect().item())

    # the aggregates read back only the columns they group and measure
    @cached_property
    def activity_stats(self) -> pl.DataFrame:
        steps = self._plans["steps"].select("activity_code", "occurrence", "duration_hours").collect()
        return _frequency_and_time(steps, [ACTIVITY], "duration_hours", "duration_hours", names=self.activity_names)

    @cached_property
    def edge_stats(self) -> pl.DataFrame:
        handoffs = self._plans["handoffs"].collect()  # every column is needed
        return _frequency_and_time(handoffs, ["source", "target"], "hours", "hours",
                                   pl.col("sync_hours").median().alias("median_sync_hours"), names=self.activity_names)

    @property
    def _blocks(self):
        raise PartitionError("the blocks of overlapping steps are not kept for a log read in parts")


def _agreed_labels(parts: list[_Part]) -> list[_Part]:
    """The parts with one spelling per label: each part merged the spellings of a label that differ
    only by spaces, full-width characters or case into its most frequent one; where two parts chose
    differently, the spelling with more steps in all parts wins."""
    from procmine.check.rows import is_clean as _is_clean, label_key as _label_key

    steps: Counter = Counter()
    for part in parts:
        steps.update(dict(zip(part.names.to_list(), part.counts.tolist())))
    spellings: dict[str, list[str]] = {}
    for name in steps:
        spellings.setdefault(_label_key(name), []).append(name)
    rename = {}
    for names in spellings.values():
        if len(names) > 1:
            chosen = min(names, key=lambda n: (-steps[n], not _is_clean(n), n))
            rename.update({n: chosen for n in names if n != chosen})
    if not rename:
        return parts

    def renamed(names) -> list[str]:
        return [rename.get(n, n) for n in names]

    agreed = []
    for part in parts:
        names = pl.Series(ACTIVITY, renamed(part.names.to_list()), dtype=pl.String)
        order = names.arg_sort()  # codes follow the sorted names, as the engine numbers them
        recoded = np.argsort(order.to_numpy()).astype(np.uint32)
        recode = pl.lit(pl.Series(recoded))
        counts = np.zeros_like(part.counts)
        np.add.at(counts, recoded, part.counts)
        agreed.append(_Part(
            names.gather(order), counts,
            part.steps.with_columns(recode.gather(pl.col("activity_code")).alias("activity_code")),
            part.handoffs.with_columns(recode.gather(pl.col("source_code")).alias("source_code"),
                                       recode.gather(pl.col("target_code")).alias("target_code")),
            part.cases, part.n_cases,
            part.variants.with_columns(pl.col("activities").list.eval(pl.element().replace(rename))),
            _summed([{rename.get(a, a): n for a, n in part.starts.items()}]),
            _summed([{rename.get(a, a): n for a, n in part.ends.items()}]),
            Counter({tuple(renamed(seq)): n for seq, n in part.sequences.items()})))
    return agreed


def _merged_variants(parts: list[_Part]) -> pl.DataFrame:
    """The variants of all parts, ranked as the engine ranks them: most cases first, ties by text."""
    if not parts:
        return pl.DataFrame(schema={"variant_id": pl.UInt32, "activities": pl.List(pl.String), "cases": pl.UInt32,
                                    "__key": pl.String})
    every = pl.concat([p.variants.select("activities", pl.col("cases").cast(pl.UInt32)) for p in parts])
    every = every.with_columns(pl.col("activities").list.join(SEPARATOR).alias("__key"))
    counted = (every.group_by("__key").agg(pl.col("activities").first(), pl.col("cases").sum())
               .sort(["cases", "__key"], descending=[True, False]))
    return counted.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("variant_id"))


def _summed(counts) -> dict[str, int]:
    total: Counter = Counter()
    for one in counts:
        total.update(one)
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


# --- the log ----------------------------------------------------------------------------------

@dataclass
class _FirstPass:
    """What the first pass over the parts learns, besides the tables."""

    events: int = 0
    cases_before_filters: int = 0
    has_start_times: bool = False
    first_time: object = None
    last_time: object = None
    open_cases: frozenset = frozenset()
    open_steps: pl.DataFrame | None = None
    source: Source | None = None
    quality: DataQualityReport | None = None


class _Parts:
    """The part files on disk, removed when no log reads them any more (or at exit)."""

    def __init__(self, path: Path, kind: str, files: list[Path], folder: Path, rows: int):
        self.path, self.kind, self.files, self.folder, self.rows = path, kind, files, folder, rows
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(folder), True)

    def remove(self) -> None:
        self._cleanup()


class PartitionedLog:
    """A log read in parts (see the module docstring): the map, the KPIs and the BPMN model's
    sequences, computed part by part. ``events`` is None: the rows stay in the parts.

    The parts are read when a figure is first asked for; :meth:`filter` gives a log over the same
    parts that keeps fewer cases (period, attribute and lead-time filters)."""

    engine = "partitioned"
    events = None

    def __init__(self, parts: _Parts, *, mapping, read: dict, filters: tuple = (), calendar=None,
                 progress: Callable[[str], None] | None = None):
        self._parts = parts
        self.path, self.kind, self.files = parts.path, parts.kind, parts.files
        #: the rows of the file (before any check or filter)
        self.rows = parts.rows
        self.columns = mapping
        self.timezone = read["timezone"]
        self.filters = tuple(filters)
        self._read, self._calendar = read, calendar
        self._say = progress or (lambda message: None)
        self._tables: dict[bool, MergedTables] = {}
        self._passes = 0  # passes over the parts after the first (each keeps its own files)

    # what the first pass over the parts learns (read when first asked for)
    quality = property(lambda self: self._first.quality, doc="The data-quality report of the whole file.")
    source = property(lambda self: self._first.source)
    has_start_times = property(lambda self: self._first.has_start_times)
    open_cases = property(lambda self: self._first.open_cases)
    open_steps = property(lambda self: self._first.open_steps)
    cases_before_filters = property(lambda self: self._first.cases_before_filters,
                                    doc="The cases of the file before the filters (what a filter note counts).")

    def filter(self, *filters, calendar=None, **written) -> "PartitionedLog":
        """This log narrowed to the cases the filters keep (see :meth:`procmine.EventLog.filter`);
        only filters that decide on a case's own rows: period, attribute, lead time."""
        from procmine.filters import parse_filters

        chosen = [*filters, *parse_filters(**written)]
        _refuse(self.path, self.rows, chosen)
        return PartitionedLog(self._parts, mapping=self.columns, read=self._read, filters=(*self.filters, *chosen),
                              calendar=calendar or self._calendar, progress=self._say)

    # reading ---------------------------------------------------------------------------------
    def _logs(self, what: str):
        """Each part as (its data-quality report, its cases before the filters, its EventLog
        filtered or None when nothing of it is left), in turn."""
        from procmine.filters import apply_filters
        from procmine.read import build_log
        from procmine.read.files import ROW, RawTable, _read_columnar

        for number, file in enumerate(self.files, 1):
            self._say(f"part {number}/{len(self.files)}: {what}")
            raw = _read_columnar(file, "parquet")
            frame = raw.frame.drop(ROW).rename({SOURCE_ROW: ROW})
            raw = RawTable(frame.select(ROW, pl.exclude(ROW)), Source(str(self.path), self.kind))
            try:
                log = build_log(raw, self.columns, timezone=self.timezone, lifecycle=self._read["lifecycle"],
                                normalise_labels=self._read["normalise_labels"], part=True)
            except EmptyLogError as exc:  # every row of this part dropped: its findings still count
                if getattr(exc, "quality", None) is None:
                    raise
                yield exc.quality, 0, None
                continue
            quality, cases = log.quality, log.tables().cases.height
            if self.filters:
                try:
                    log = apply_filters(log, list(self.filters), self._calendar)
                except EmptyLogError:
                    log = None
            yield quality, cases, log

    def _spill(self, one_pass: int, number: int) -> Path:
        """Where a part's narrow tables go: next to the parts, a name per log, pass and part."""
        return self._parts.folder / f"kept-{id(self):x}-{one_pass}-{number}"

    @cached_property
    def _first(self) -> "_FirstPass":
        """Read every part once: the data-quality report, the summary's figures, and the tables
        with arrival times (what discover and kpi ask for first)."""
        reports, parts, notes, open_steps = [], [], [], []
        read = _FirstPass()
        for quality, cases, log in self._logs("reading and measuring"):
            reports.append(quality)
            read.cases_before_filters += cases
            if log is None:
                continue
            notes += [n for n in log.source.notes if n not in notes]
            read.has_start_times |= log.has_start_times
            read.events += len(log)
            times = log.events[TIMESTAMP]
            read.first_time = _earliest(read.first_time, times.min())
            read.last_time = _latest(read.last_time, times.max())
            read.open_cases |= log.open_cases
            if log.open_steps is not None:
                open_steps.append(log.open_steps)
            parts.append(_measure(log.tables(), with_sequences=True, spill=self._spill(0, len(parts))))
            del log
        if not parts:
            if self.filters:
                said = "; ".join(f.describe("en") for f in self.filters)
                raise EmptyLogError(f"{self.path.name}: the filter{'s' if len(self.filters) > 1 else ''} '{said}' "
                                    f"{'keep' if len(self.filters) > 1 else 'keeps'} none of the "
                                    f"{read.cases_before_filters:,} cases; loosen it or check its values")
            quality = _merged_quality(reports, str(self.path))
            unreadable = next((f for f in quality.findings if f.code == "unparseable_timestamp"), None)
            placed = quality.rows_read - sum(f.rows for f in quality.findings
                                             if f.code in ("missing_case", "missing_activity", "blank_row"))
            if unreadable is not None and unreadable.rows == placed and unreadable.examples:
                from procmine.check.rows import no_readable_dates

                raise no_readable_dates(Source(str(self.path), self.kind), self.columns.timestamp,
                                        *unreadable.examples[0])  # the whole read's words: the wrong column
            reasons = "; ".join(f.describe(quality.row_word) for f in quality.findings[:3]) or "no data rows"
            raise EmptyLogError(f"{self.path}: no usable events are left: {reasons}")
        read.open_steps = pl.concat(open_steps) if open_steps else None
        read.source = Source(str(self.path), self.kind, notes=notes)
        read.quality = _merged_quality(reports, str(self.path))
        self._tables[not read.has_start_times] = MergedTables(
            parts, completion_only=not read.has_start_times, open_cases=read.open_cases, open_steps=read.open_steps,
            normalise_labels=self._read["normalise_labels"])
        return read

    def tables(self, *, arrival_times: bool = True) -> MergedTables:
        """The merged tables (a second pass over the parts for ``arrival_times=False``)."""
        completion_only = not (arrival_times and self.has_start_times)
        if completion_only not in self._tables:
            self._tables[completion_only] = self._merge(completion_only, "measuring by completion times")
        return self._tables[completion_only]

    def _merge(self, completion_only: bool, what: str, keep: list[str] | None = None) -> MergedTables:
        self._passes += 1
        one_pass, parts = self._passes, []
        for _, _, log in self._logs(what):
            if log is None:
                continue
            events = log.events if keep is None else log.events.filter(pl.col(ACTIVITY).is_in(pl.Series(keep).implode()))
            if events.height:
                tables = Tables(events, completion_only=completion_only, open_cases=log.open_cases,
                                open_steps=log.open_steps)
                parts.append(_measure(tables, with_sequences=keep is None, spill=self._spill(one_pass, len(parts))))
        return MergedTables(parts, completion_only=completion_only, open_cases=self.open_cases,
                            open_steps=self.open_steps, normalise_labels=self._read["normalise_labels"])

    # what the commands ask of a log -----------------------------------------------------------
    def __len__(self) -> int:
        return self._first.events

    @property
    def label(self) -> str:
        if not self.filters:
            return self.source.name
        return f"{self.source.name}（筛选：{'；'.join(f.describe('zh') for f in self.filters)}）"

    @property
    def attributes(self) -> list[str]:
        return []

    def summary(self) -> LogSummary:
        tables = self.tables()
        cases = tables.cases
        first = cases["first_time"].min() if cases.height else None
        earliest = self._first.first_time
        start = earliest if first is None or (earliest is not None and earliest <= first) else first
        median = cases["lead_hours"].median() if cases.height else None
        return LogSummary(
            source=self.source.name, cases=cases.height, events=self._first.events,
            activities=tables.activity_names.len(), variants=tables.variants.height,
            start=_iso(start), end=_iso(self._first.last_time),
            median_lead_time_hours=round(median, 3) if median is not None else None,
            timezone=self.timezone, has_start_times=self.has_start_times, columns=self.columns.to_dict(),
            notes=list(self.source.notes), filters=[f.describe("en") for f in self.filters])

    def discover(self, *, arrival_times: bool = True, calendar=None):
        """The process map, as :func:`procmine.discover` draws it; a simplified map's hand-offs are
        measured again on the parts, over the activities kept."""
        from procmine.discover.process_map import _from_tables

        if calendar is not None:
            raise PartitionError(f"{self.path}: read in parts, the map keeps calendar time only (the steps' own "
                                 "times are not kept); procmine.kpis(log, calendar=...) measures working lead times")
        tables = self.tables(arrival_times=arrival_times)
        pmap = _from_tables(tables, self.label, None, calendar)

        projected = {}  # the flowchart and the interactive map ask for the same simplification

        def project(kept: list[str]):
            key = tuple(sorted(kept))
            if key not in projected:
                merged = self._merge(tables.completion_only, "measuring the simplified map", keep=list(key))
                projected[key] = _from_tables(merged, self.label, None, calendar)
            return projected[key]

        pmap._project = project
        return pmap

    def variant_counts(self, *, arrival_times: bool = True) -> tuple[Counter, list[str], int]:
        """The miner's sequences with their weights, the activities and the number of variants."""
        tables = self.tables(arrival_times=arrival_times)
        return tables.sequences, tables.activity_names.to_list(), tables.variants.height

    def close(self) -> None:
        """Remove the parts (also done when no log reads them any more, or the program ends)."""
        self._parts.remove()

    def __repr__(self) -> str:
        return f"{self.summary()}\n(read in {len(self.files)} parts)\n{self.quality}"


def _earliest(a, b):
    return b if a is None or (b is not None and b < a) else a


def _latest(a, b):
    return b if a is None or (b is not None and b > a) else a


#: The order in which the reader finds things (procmine.read._build_events): findings of one part
#: keep their order; findings that no part has together are placed by this.
READER_STAGES = ("blank_row", "control_characters_", "case_id_spaces", "missing_case", "missing_activity",
                 "timestamp_year_out_of_range", "unparseable_timestamp", "implausible_year", "step_not_completed",
                 "missing_timestamp", "duplicate_row", "unparseable_start", "missing_start",
                 "completion_before_arrival", "lifecycle_states", "lifecycle_other", "lifecycle_start_folded",
                 "lifecycle_start_unmatched", "missing_", "label_variant_", "single_event_case")


def _stage(code: str) -> int:
    exact = [i for i, stage in enumerate(READER_STAGES) if code == stage]
    if exact:
        return exact[0]
    prefixed = [i for i, stage in enumerate(READER_STAGES) if stage.endswith("_") and code.startswith(stage)]
    return prefixed[0] if prefixed else len(READER_STAGES)


def _merged_quality(reports: list[DataQualityReport], source: str) -> DataQualityReport:
    """One report for the whole file: the parts' findings of one kind summed, their examples
    the first rows of the file."""
    from procmine.check.rows import EXAMPLES

    merged = DataQualityReport(source=source, rows_read=sum(r.rows_read for r in reports),
                               events=sum(r.events for r in reports), row_word=reports[0].row_word if reports else "row")
    from graphlib import TopologicalSorter

    # every part lists its findings in the reader's order: keep that order in the whole
    found: dict[tuple, list[Finding]] = {}
    after = TopologicalSorter()
    for report in reports:
        keys = [(f.code, f.column, f.action) for f in report.findings]
        for key, finding in zip(keys, report.findings):
            found.setdefault(key, []).append(finding)
            after.add(key)
        for earlier, later in zip(keys, keys[1:]):
            after.add(later, earlier)
    topological = {key: i for i, key in enumerate(after.static_order())}
    for key in sorted(found, key=lambda k: (_stage(k[0]), topological[k])):
        group = found[key]
        examples = sorted((e for f in group for e in f.examples), key=lambda e: e[0])[:EXAMPLES]
        # a message that carries a part's own figures (a share of its events) is the largest part's
        largest = max(group, key=lambda f: f.rows)
        message = largest.message
        if any(f.message != message for f in group):
            message = f"{message} [figures of the largest of {len(group)} parts]"
        severity = "warning" if any(f.severity == "warning" for f in group) else largest.severity
        merged.add(Finding(largest.code, message, sum(f.rows for f in group), largest.action, column=largest.column,
                           examples=examples, severity=severity))
    return merged


#: How each filter kind is written on the command line.
FILTER_OPTIONS = {"period": "--period", "attribute": "--where", "performance": "--lead-time", "variants": "--variants",
                  "endpoints": "--starts-with/--ends-with", "follows": "--follows"}


def _refuse(path: Path, rows: int, filters) -> None:
    bad = sorted({FILTER_OPTIONS.get(f.kind, f.kind) for f in filters if f.kind not in CASE_LOCAL_FILTERS})
    if bad:
        allowed = ", ".join(FILTER_OPTIONS[k] for k in CASE_LOCAL_FILTERS)
        raise PartitionError(f"{path}: {rows:,} rows are read in parts by case, and a part cannot rank or search "
                             f"across cases: {', '.join(bad)} is not available here, {allowed} are; export a smaller "
                             "file for it, or raise the part size with PROCMINE_PARTITION_ROWS")


def read_partitioned(path: str | Path, rows: int, partition_rows: int, *, given: dict, read: dict,
                     filters: tuple = (), calendar=None, progress: Callable[[str], None] | None = None
                     ) -> PartitionedLog:
    """Split ``path`` (``rows`` events) into parts of about ``partition_rows`` by case and read them
    (see :class:`PartitionedLog`)."""
    from procmine.read import _check_duplicate_headers
    from procmine.read.columns import detect_columns
    from procmine.read.files import _read_columnar, detect_format
    from procmine.read.history import find_history_column

    path = Path(path)
    kind = detect_format(path)
    _refuse(path, rows, filters)
    say = progress or (lambda message: None)
    scan = pl.scan_parquet(path) if kind == "parquet" else pl.scan_ipc(path)
    headers = scan.collect_schema().names()
    mapping = detect_columns(headers, given, source=str(path))
    parts = max(2, math.ceil(rows / partition_rows))
    folder = Path(tempfile.mkdtemp(prefix="procmine_parts_"))
    try:
        say(f"{rows:,} rows, more than memory holds at once: splitting them by case into {parts} parts of about "
            f"{-(-rows // parts):,} rows (in {folder})")
        files = split_by_case(path, kind, mapping.case, parts, folder)
        first = _read_columnar(files[0], "parquet")
        _check_duplicate_headers(first, mapping, given)
        if find_history_column(first, given, read["history_column"], read["history_pattern"]) is not None:
            raise PartitionError(f"{path}: an export with each case's history in one column cannot be read in parts "
                                 f"({rows:,} rows); export one row per step, or read it whole (no partition_rows)")
        del first
        return PartitionedLog(_Parts(path, kind, files, folder, rows), mapping=mapping, read=read, filters=filters,
                              calendar=calendar, progress=say)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


__all__ = ["PartitionedLog", "MergedTables", "read_partitioned", "partition_rows_for", "PartitionError",
           "DEFAULT_PARTITION_ROWS"]
