"""The checks every reader's rows go through, in order, each counting what it drops, repairs or
keeps in the :class:`~procmine.check.DataQualityReport` with its reason and first examples.

:func:`procmine.read.build_log` runs them on the standard columns (``case``, ``activity``, the raw
completion time ``__ts_raw`` and arrival time ``__start_raw``, ``row`` = the row in the file):

1. control characters removed from case ids and names; spaces around case ids;
2. rows without a case id or an activity dropped;
3. completion times parsed: unreadable or out-of-range ones dropped, implausible years flagged,
   steps still open (arrived, not completed) set apart;
4. exact duplicates dropped;
5. arrival times parsed: unreadable or later than the completion repaired;
6. missing optional values (resource, department, role, outcome) reported;
7. spellings of one label (spaces, full-width characters, case) merged;
8. cases of a single event reported.

What only one file shape can get wrong (a ragged CSV line, a merged Excel cell, an e-mail without
a decision, a history line that cannot be read) is found where that shape is read, with the same
:class:`~procmine.check.Finding`.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

import polars as pl

from procmine.check import DROPPED, KEPT, REPAIRED, DataQualityReport, Finding
from procmine.errors import TimestampError
from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROLE, ROW, START, TIMESTAMP, Source

if TYPE_CHECKING:  # the reader imports this module: no import of it at run time
    from procmine.read.columns import ColumnMapping

#: The optional text roles whose missing values are reported (kept).
OPTIONAL_TEXT_ROLES = (RESOURCE, DEPARTMENT, ROLE, OUTCOME)
#: Examples kept per finding: the first rows of the file it concerns.
EXAMPLES = 3
#: The raw completion and arrival times: text, or times read from text (``RawTable.times``)
RAW_TIMES = ("__ts_raw", "__start_raw")


def examples(frame: pl.DataFrame, mask: pl.Series, value_column: str | None) -> list[tuple[int, str]]:
    """The first rows where ``mask`` holds, as (row in the file, value of ``value_column``)."""
    chosen = frame.filter(mask).head(EXAMPLES)
    if value_column in RAW_TIMES and chosen.schema[value_column] == pl.Datetime("us"):
        from procmine.read.iso_times import as_text

        chosen = as_text(chosen, [value_column])  # read as times from this text (procmine.read.iso_times)
    values = chosen[value_column].cast(pl.String).to_list() if value_column else [""] * chosen.height
    return [(int(r), "" if v is None else str(v)) for r, v in zip(chosen[ROW].to_list(), values)]


# --- 1. text ----------------------------------------------------------------------------------

_CONTROL_PICTURES = {c: 0x2400 + c for c in range(32)} | {0x7F: 0x2421, 0xFFFE: 0xFFFD, 0xFFFF: 0xFFFD}


def remove_control_characters(events: pl.DataFrame, mapping: ColumnMapping, quality: DataQualityReport,
                               distinct: dict[str, pl.Series]) -> pl.DataFrame:
    """Case ids and names without control characters (NUL, ESC …): they are invisible, and XML
    (the SVG, BPMN and Word outputs) does not allow them. Each column's repaired rows are
    counted; a value of nothing but control characters becomes missing."""
    from procmine.output import CONTROL_CHARACTERS

    for role in (CASE, ACTIVITY, *OPTIONAL_TEXT_ROLES):
        if role not in events.columns:
            continue
        if not distinct[role].str.contains(CONTROL_CHARACTERS).any():
            continue  # decided on the column's distinct values
        found = events[role].str.contains(CONTROL_CHARACTERS).fill_null(False)
        if not found.any():
            continue
        # shown with the Unicode symbols for control characters: '提交␀申请'
        shown = [(row, value.translate(_CONTROL_PICTURES)) for row, value in examples(events, found, role)]
        cleaned = pl.col(role).str.replace_all(CONTROL_CHARACTERS, "")
        events = events.with_columns(pl.when(cleaned.str.strip_chars() == "").then(None).otherwise(cleaned).alias(role))
        quality.add(Finding(f"control_characters_{role}", "control characters (invisible, e.g. NUL or ESC) were "
                            "removed", int(found.sum()), REPAIRED, column=mapping.to_dict()[role], examples=shown))
    return events


def case_id_spaces(frame: pl.DataFrame, column: str, events: pl.DataFrame, mapping: ColumnMapping,
                   quality: DataQualityReport, distinct: pl.Series) -> None:
    """Count the case ids written with spaces around them (``frame``'s raw ``column``, whose
    ``distinct`` values decide whether to look; the standard column has them stripped already)."""
    if (distinct != distinct.str.strip_chars()).any():
        padded = frame.select((pl.col(column).cast(pl.String) != pl.col(column)
                               .cast(pl.String).str.strip_chars()).fill_null(False).alias("p"))["p"]
        quality.add(Finding("case_id_spaces", "case id had spaces around it; they were removed", int(padded.sum()),
                            REPAIRED, column=mapping.case, examples=examples(events, padded, CASE)))


# --- 2. rows that cannot be placed ------------------------------------------------------------

def drop_missing_keys(events: pl.DataFrame, mapping: ColumnMapping, quality: DataQualityReport) -> pl.DataFrame:
    """Rows without a case id or an activity dropped."""
    # 1. rows without a case id or an activity cannot be placed in a process.
    for role, reason, shown in ((CASE, "no case id (案例编号为空)", ACTIVITY),
                                (ACTIVITY, "no activity name (活动/节点名称为空)", CASE)):
        missing = events[role].is_null()
        if missing.any():
            quality.add(Finding(f"missing_{role}", reason, int(missing.sum()), DROPPED,
                                column=mapping.to_dict()[role], examples=examples(events, missing, shown)))
            events = events.filter(~missing)

    return events


# --- 3. completion times ------------------------------------------------------------------------

def no_readable_dates(source: Source, column: str, row: int, value) -> TimestampError:
    """The error for a completion-time column none of whose values is a date: the wrong column."""
    return TimestampError(
        f"{source.path}: column '{column}' has no readable dates ({source.row_word} {row}: {value!r}). "
        "Choose the completion-time column with --timestamp, or fix the date format "
        "(accepted: 2025-09-28 09:05, 2025/9/28 9:05, 2025年9月28日 下午2:30, Excel dates).")


def completion_times(events: pl.DataFrame, source: Source, mapping: ColumnMapping, timezone: str,
                     quality: DataQualityReport, whole_file: bool = True, layouts: dict[str, str] | None = None
                     ) -> tuple[pl.DataFrame, set[str], list[pl.DataFrame]]:
    """Completion times parsed into ``timestamp``; the rows without one dropped, those of steps
    still open set apart. Returns the events, the open cases and the open steps. A column with no
    readable date at all is the wrong column: an error, unless these rows are one part of a file.
    ``layouts``: {raw column: the text layout it was read from as times} (``RawTable.times``)."""
    from procmine.read.timestamps import parse_timestamps

    open_cases: set[str] = set()
    open_frames: list[pl.DataFrame] = []
    # 2. completion times.
    ts_col = mapping.timestamp
    layouts = layouts or {}
    parsed = parse_timestamps(events["__ts_raw"], timezone=timezone, text_layout=layouts.get("__ts_raw"))
    source.notes.append(f"completion times ({ts_col}) read as: {', '.join(parsed.formats) or '—'}")
    events = events.with_columns(parsed.values.alias(TIMESTAMP), parsed.failed.alias("__ts_failed"))
    if whole_file and events.height and parsed.failed.sum() == events.height:
        sample = events["__ts_raw"].drop_nulls().head(1).to_list()
        raise no_readable_dates(source, ts_col, int(events[ROW][0]), sample[0])
    failed = events["__ts_failed"]
    if failed.any():
        # 0001-01-01 and 9999-12-31 are how databases write "no date": say so rather than "unreadable"
        year = events["__ts_raw"].cast(pl.String).str.extract(r"^\s*(\d{4})[-/.年]", 1).cast(pl.Int32, strict=False)
        out_of_range = failed & ~year.is_between(1900, 2199).fill_null(True)
        if out_of_range.any():
            quality.add(Finding("timestamp_year_out_of_range", "completion time has a year outside 1900–2199 "
                                "(0001 or 9999 usually stand for 'no date')", int(out_of_range.sum()), DROPPED,
                                column=ts_col, examples=examples(events, out_of_range, "__ts_raw")))
        unreadable = failed & ~out_of_range
        if unreadable.any():
            quality.add(Finding("unparseable_timestamp", "completion time cannot be read as a date and time",
                                int(unreadable.sum()), DROPPED, column=ts_col,
                                examples=examples(events, unreadable, "__ts_raw")))
        events = events.filter(~failed)
    flag_implausible_years(events, ts_col, quality)
    no_time = events[TIMESTAMP].is_null()
    if no_time.any():
        if "__start_raw" in events.columns:
            open_steps = no_time & events["__start_raw"].is_not_null()
            if open_steps.any():
                still_open = events.filter(open_steps)
                open_cases.update(still_open[CASE].to_list())
                arrived = parse_timestamps(still_open["__start_raw"], timezone=timezone,
                                           text_layout=layouts.get("__start_raw")).values
                open_frames.append(still_open.select(
                    [c for c in (CASE, ACTIVITY, RESOURCE, DEPARTMENT, ROLE, ROW) if c in still_open.columns]
                ).with_columns(arrived.alias(START)))
                quality.add(Finding("step_not_completed",
                                    "step arrived but is not completed yet (arrival time, no completion time); "
                                    "open steps are left out of the map",
                                    int(open_steps.sum()), DROPPED, column=ts_col,
                                    examples=examples(events, open_steps, ACTIVITY)))
            no_time = no_time & ~open_steps
        if no_time.any():
            quality.add(Finding("missing_timestamp", "no completion time", int(no_time.sum()), DROPPED,
                                column=ts_col, examples=examples(events, no_time, ACTIVITY)))
        events = events.filter(events[TIMESTAMP].is_not_null())

    return events, open_cases, open_frames


#: completion times outside these years are kept but flagged: 1900-01-01 is a placeholder, 2999 a typo
PLAUSIBLE_FIRST_YEAR, PLAUSIBLE_YEARS_AHEAD = 1970, 10


def flag_implausible_years(events: pl.DataFrame, column: str, quality: DataQualityReport) -> None:
    """Warn about completion times in implausible years (kept: the user decides)."""
    from datetime import date

    last = date.today().year + PLAUSIBLE_YEARS_AHEAD
    first_time, last_time = events[TIMESTAMP].min(), events[TIMESTAMP].max()
    if first_time is None or (first_time.year >= PLAUSIBLE_FIRST_YEAR and last_time.year <= last):
        return
    year = events[TIMESTAMP].dt.year()
    odd = ~year.is_between(PLAUSIBLE_FIRST_YEAR, last).fill_null(True)
    if odd.any():
        quality.add(Finding("implausible_year", f"completion time before {PLAUSIBLE_FIRST_YEAR} or after {last} "
                            "(1900-01-01 often stands for 'no date'); kept, but such a time stretches lead times: "
                            "check the export or filter with --period", int(odd.sum()), KEPT, column=column,
                            examples=examples(events, odd, "__ts_raw")))

# --- 4. duplicates ------------------------------------------------------------------------------

def drop_duplicates(events: pl.DataFrame, quality: DataQualityReport) -> pl.DataFrame:
    """Exact duplicates (every original column equal) dropped: one event exported twice."""
    # 3. exact duplicates (every original column equal) are one event exported twice.
    original = [c for c in events.columns if c not in (ROW, TIMESTAMP, "__ts_failed")]
    duplicated = later_copies(events, original)
    if duplicated.any():
        quality.add(Finding("duplicate_row", "exact duplicate of an earlier row", int(duplicated.sum()), DROPPED,
                            examples=examples(events, duplicated, ACTIVITY)))
        events = events.filter(~duplicated)

    return events


def later_copies(events: pl.DataFrame, columns: list[str]) -> pl.Series:
    """True for each row equal in ``columns`` to an earlier row.

    Rows are compared by a hash first, about a fifth of the cost of comparing whole rows; the
    few rows whose hash another row shares are then compared in full, so a hash collision can
    never pass two different rows off as one.
    """
    hashes = events.select(columns).hash_rows()
    later = pl.repeat(False, events.height, eager=True)
    if hashes.n_unique() == hashes.len():  # (polars counts 10M hashes in 0.2 s; numpy's sort took 0.9)
        return later
    shared = hashes.is_duplicated()
    candidates = events.filter(shared).select((~pl.struct(columns).is_first_distinct()).alias("d"))["d"]
    return later.scatter(shared.arg_true(), candidates)

# --- 5. arrival times ---------------------------------------------------------------------------

def arrival_times(events: pl.DataFrame, source: Source, mapping: ColumnMapping, timezone: str,
                  quality: DataQualityReport, layouts: dict[str, str] | None = None) -> pl.DataFrame:
    """Arrival/start times parsed into ``start_timestamp``; unreadable ones, and those after the
    completion, set aside (the step keeps its completion time)."""
    from procmine.read.timestamps import parse_timestamps

    start_col = mapping.start_timestamp
    parsed_start = parse_timestamps(events["__start_raw"], timezone=timezone,
                                    text_layout=(layouts or {}).get("__start_raw"))
    source.notes.append(f"arrival times ({start_col}) read as: {', '.join(parsed_start.formats) or '—'}")
    events = events.with_columns(parsed_start.values.alias(START))
    bad = parsed_start.failed
    if bad.any():
        quality.add(Finding("unparseable_start", "arrival/start time cannot be read; the step keeps its "
                            "completion time but has no duration", int(bad.sum()), REPAIRED,
                            column=start_col, examples=examples(events, bad, "__start_raw")))
    missing_start = events[START].is_null() & ~bad
    if missing_start.any():
        quality.add(Finding("missing_start", "no arrival/start time; duration unknown for these steps",
                            int(missing_start.sum()), KEPT, column=start_col,
                            examples=examples(events, missing_start, ACTIVITY)))
    backwards = (events[START] > events[TIMESTAMP]).fill_null(False)
    if backwards.any():
        quality.add(Finding("completion_before_arrival",
                            "completion time is before the arrival/start time; the arrival time is ignored",
                            int(backwards.sum()), REPAIRED, column=start_col,
                            examples=examples(events, backwards, "__start_raw")))
        events = events.with_columns(pl.when(backwards).then(None).otherwise(pl.col(START)).alias(START))
    return events


# --- 6. optional values -------------------------------------------------------------------------

def report_missing_optional(events: pl.DataFrame, mapping: ColumnMapping, quality: DataQualityReport) -> None:
    """Missing resources, departments, roles and outcomes: kept, but reported."""
    # 5. optional columns: missing values are kept, but reported.
    for role in OPTIONAL_TEXT_ROLES:
        if role in events.columns:
            missing = events[role].is_null()
            if missing.any():
                quality.add(Finding(f"missing_{role}", f"no {role} value", int(missing.sum()), KEPT,
                                    column=mapping.to_dict()[role], examples=examples(events, missing, ACTIVITY),
                                    severity="info"))



# --- 7. label spellings -------------------------------------------------------------------------

def label_key(label: str) -> str:
    return "".join(unicodedata.normalize("NFKC", label).split()).casefold()


def is_clean(label: str) -> bool:
    return label == " ".join(unicodedata.normalize("NFKC", label).split())


def merge_label_variants(events: pl.DataFrame, role: str, column: str | None, quality: DataQualityReport,
                         read: pl.Series | None = None) -> pl.DataFrame:
    """Spellings of one label merged into the most frequent. ``read``: the column's distinct values
    as read, when no check has changed a value since (rows may have been dropped): when no two
    of those differ only by spelling, none of the rows left do, and the column is not looked at."""
    if read is not None:
        keys = [label_key(label) for label in read.drop_nulls().to_list()]
        if len(set(keys)) == len(keys):
            return events
    labels = events[role].drop_nulls().unique()
    keys = [label_key(label) for label in labels.to_list()]
    if len(set(keys)) == len(keys):
        return events  # no two labels differ only by spaces, width or case: nothing to count
    counts = events[role].drop_nulls().value_counts(sort=True)
    groups: dict[str, list[tuple[str, int]]] = {}
    for label, n in counts.iter_rows():
        groups.setdefault(label_key(label), []).append((label, n))
    replace = {}
    for variants in groups.values():
        # most frequent spelling first; on a tie, the one already written cleanly
        canonical = sorted(variants, key=lambda v: (-v[1], not is_clean(v[0]), v[0]))[0][0].strip()
        for label, _ in variants:
            if label != canonical:
                replace[label] = canonical
    if not replace:
        return events
    changed = events[role].is_in(list(replace))
    pairs = ", ".join(f"'{a}' → '{b}'" for a, b in list(replace.items())[:4])
    quality.add(Finding(f"label_variant_{role}",
                        f"{role} labels differing only by spaces, full-width characters or case were merged: {pairs}",
                        int(changed.sum()), REPAIRED, column=column, examples=examples(events, changed, role)))
    return events.with_columns(pl.col(role).replace(replace))


# --- 8. single-event cases ----------------------------------------------------------------------

def flag_single_event_cases(events: pl.DataFrame, mapping: ColumnMapping, quality: DataQualityReport) -> None:
    """Cases of one event: kept, but they are rarely complete approvals (events in case order)."""
    # 7. cases with a single event: kept, but they rarely are complete approvals.
    # events are in case order now: a case of one event differs from its neighbours on both sides
    case = pl.col(CASE)
    alone = (case != case.shift(1)).fill_null(True) & (case != case.shift(-1)).fill_null(True)
    singles = events.filter(alone).select(ROW, ACTIVITY).sort(ROW)  # examples: the first in the file
    if singles.height:
        quality.add(Finding("single_event_case", "case has only one event (an unfinished or aborted request?)",
                            singles.height, KEPT, column=mapping.case,
                            examples=list(zip(singles[ROW].head(EXAMPLES).to_list(),
                                              singles[ACTIVITY].head(EXAMPLES).to_list()))))

