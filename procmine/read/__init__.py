"""Read an exported event log into an :class:`~procmine.log.EventLog`.

    >>> import procmine
    >>> log = procmine.read_log("sample_logs/合同审批.csv")           # doctest: +SKIP
    >>> log = procmine.read_log("export.xlsx", activity="节点", timezone="Asia/Shanghai")  # doctest: +SKIP

Formats, encodings, delimiters and columns are detected; dates in ISO, slash, Chinese and
Excel-serial forms are parsed. Rows that cannot be used are dropped or repaired and counted in
``log.quality``; nothing disappears silently.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from procmine.check import DROPPED, KEPT, MERGED, REPAIRED, DataQualityReport, Finding
from procmine.engine.tables import is_sorted_by
from procmine.errors import ColumnError, EmptyLogError, TimestampError
from procmine.log import (
    ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROLE, ROW, START, TIMESTAMP, EventLog,
)
from procmine.read.columns import ColumnMapping, detect_columns
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import RawTable, open_table
from procmine.read.timestamps import parse_timestamps

__all__ = ["read_log", "build_log", "open_table", "detect_columns", "ColumnMapping", "RawTable"]

LABEL_ROLES = (ACTIVITY, RESOURCE, DEPARTMENT, ROLE)
OPTIONAL_TEXT_ROLES = (RESOURCE, DEPARTMENT, ROLE, OUTCOME)
EXAMPLES = 3


def read_log(
    path: str | Path | list[str | Path],
    *,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    start_timestamp: str | None = None,
    resource: str | None = None,
    department: str | None = None,
    role: str | None = None,
    outcome: str | None = None,
    timezone: str = "Asia/Shanghai",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    lifecycle: str = "pair",
    normalise_labels: bool = True,
    history_column: str | bool | None = None,
    history_pattern: str | None = None,
    source: str | None = None,
    step_names: str | Path | dict | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    engine: str = "default",
    master: str | None = None,
) -> EventLog:
    """Read an event log exported from an OA system (CSV/TSV, Excel, XES, Parquet, Arrow IPC/Feather).

    Column arguments name the file's column for that role and override detection.
    ``timezone`` applies to times written without one. ``lifecycle="pair"`` folds XES
    ``start``/``complete`` events of one activity into one step with a start and a completion
    time; ``lifecycle="all"`` keeps every event as it is. ``normalise_labels`` merges labels
    that differ only by spaces, full-width characters or letter case into their most
    frequent spelling. ``strict=True`` raises :class:`~procmine.errors.DataQualityError`
    when any data-quality problem is found.

    An export with one row per approval instance and its whole history in one text column
    (审批记录, 审批历史, 操作记录 …) is expanded into one event per step (see
    :mod:`procmine.read.history`): the column is detected, or named with ``history_column``
    (``False`` turns detection off); ``history_pattern`` is a regular expression with named
    groups ``time``, ``resource``, ``department``, ``action``, ``comment`` (and ``node``) for
    history lines of a shape procmine does not know.

        >>> log = procmine.read_log("审批记录导出.xlsx")                       # doctest: +SKIP
        >>> log = procmine.read_log("export.csv", history_column="审批历史")    # doctest: +SKIP

    Approval records in the platforms' own shapes are read too (see
    :mod:`procmine.read.platforms` and ``docs/platforms.md``): DingTalk, Feishu/Lark and WeCom
    instances saved as JSON / JSON Lines (a file or a folder), Weaver e-cology's
    workflow_requestlog (+ currentoperator, nodebase) tables (a folder, several paths, or the
    requestlog alone). The platform is detected; ``source`` ("dingtalk", "feishu", "wecom",
    "weaver") says it. ``step_names`` (a mapping or a JSON/CSV file) names steps the platform
    knows by id only (node ids, WeCom approvers).

        >>> log = procmine.read_log("sample_logs/platforms/wecom.json", step_names={"1": "部门经理审批"})  # doctest: +SKIP

    ``engine="spark"`` leaves the rows on Apache Spark (``master``: local[*] by default): ``path`` is
    a Parquet or CSV path or a Hive/Spark table name, and the result (a
    :class:`~procmine.engine.spark.SparkLog`) is what :func:`procmine.discover` and
    :func:`procmine.kpis` measure there (docs/spark.md).

        >>> log = procmine.read_log("oa.approval_events", engine="spark", master="yarn")  # doctest: +SKIP
    """
    from procmine.read.history import expand_history, find_history_column

    if engine == "spark":
        from procmine.engine.spark import SparkError, read_spark_log

        refused = [name for name, value in (("sheet", sheet), ("delimiter", delimiter), ("lifecycle", lifecycle != "pair"),
                                            ("history_column", history_column), ("history_pattern", history_pattern),
                                            ("source", source), ("step_names", step_names), ("strict", strict)) if value]
        if refused:
            raise SparkError(f"not available with engine='spark': {', '.join(refused)}")
        return read_spark_log(path, case=case, activity=activity, timestamp=timestamp, start_timestamp=start_timestamp,
                              outcome=outcome, timezone=timezone, encoding=encoding, master=master)
    if engine != "default":
        raise ValueError("engine must be 'default' or 'spark'")

    say = progress or (lambda message: None)
    _check_timezone(timezone)
    if history_pattern:
        from procmine.read.patterns import compile_user_regex

        compile_user_regex(history_pattern, "--history-pattern")  # before the file is read
    if lifecycle not in ("pair", "all"):
        raise ValueError("lifecycle must be 'pair' or 'all'")
    given = dict(
        case=case, activity=activity, timestamp=timestamp, start_timestamp=start_timestamp,
        resource=resource, department=department, role=role, outcome=outcome,
    )
    from procmine.read.platforms import is_platform_input, read_platform_log
    from procmine.read.platforms.weaver import looks_like_requestlog

    platform_args = dict(source=source, step_names=step_names, given=given, timezone=timezone, encoding=encoding,
                         delimiter=delimiter, sheet=sheet, normalise_labels=normalise_labels, strict=strict, say=say)
    if is_platform_input(path, source):  # saved API responses, a folder, Weaver tables
        return read_platform_log(path, **platform_args)
    say(f"reading {Path(path).name}")
    raw = open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    headers = [c for c in raw.frame.columns if c != RAW_ROW]
    if looks_like_requestlog(headers):  # Weaver's workflow_requestlog on its own
        return read_platform_log([path], **{**platform_args, "source": "weaver"})
    history = find_history_column(raw, given, history_column, history_pattern)
    expanded = None
    if history is not None:
        say(f"{raw.frame.height:,} approval instances; reading their history ({history})")
        expanded = expand_history(raw, history, given=given, pattern=history_pattern, timezone=timezone)
        raw, mapping = expanded.table, expanded.mapping
    else:
        mapping = detect_columns(headers, given, source=raw.source.path)
        _check_duplicate_headers(raw, mapping, given)
    say(f"{raw.frame.height:,} rows; parsing times")
    log = build_log(raw, mapping, timezone=timezone, lifecycle=lifecycle, normalise_labels=normalise_labels,
                    open_cases=expanded.open_cases if expanded else frozenset())
    if expanded is not None:
        expanded.point_examples_at_file_rows(log.quality)
    if strict:
        log.quality.raise_if_problems()
    return log


#: completion times outside these years are kept but flagged: 1900-01-01 is a placeholder, 2999 a typo
PLAUSIBLE_FIRST_YEAR, PLAUSIBLE_YEARS_AHEAD = 1970, 10


def _flag_implausible_years(events: pl.DataFrame, column: str, quality: DataQualityReport) -> None:
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
                            examples=_examples(events, odd, "__ts_raw")))


def _check_duplicate_headers(raw: RawTable, mapping: ColumnMapping, given: dict) -> None:
    """A header written twice: an error when a role would be read from one of the copies (which
    one is meant cannot be told), else a note naming the copies."""
    if not raw.renamed_duplicates:
        return
    copies: dict[str, list[str]] = {}
    for renamed, header in raw.renamed_duplicates.items():
        copies.setdefault(header, [header]).append(renamed)
    for role, column in mapping.items():
        header = raw.renamed_duplicates.get(column, column)
        if column and header in copies and not given.get(role):
            raise ColumnError(
                f"{raw.source.path}: the header '{header}' appears {len(copies[header])} times, and procmine "
                f"cannot tell which is the {role} column (read as {', '.join(repr(c) for c in copies[header])}). "
                f"Rename the copies in the file, or choose one with --{role.replace('_', '-')}."
            )
    for header, names in copies.items():
        raw.source.notes.append(f"the header '{header}' appears {len(names)} times; the copies are read as "
                                + ", ".join(repr(n) for n in names[1:]))


def build_log(
    raw: RawTable,
    mapping: ColumnMapping,
    *,
    timezone: str = "Asia/Shanghai",
    lifecycle: str = "pair",
    normalise_labels: bool = True,
    open_cases: frozenset[str] = frozenset(),
) -> EventLog:
    """Turn a table of raw columns and its column mapping into an :class:`EventLog`.

    This is everything :func:`read_log` does after detecting the columns: times parsed,
    rows checked and counted in the data-quality report, labels merged. The other readers
    (:func:`procmine.read_emails`, approval-history exports) build a :class:`RawTable` of
    their own and finish here, so their logs are exactly what ``read_log`` returns.
    ``open_cases`` are cases known to be unfinished besides those with an open step.
    """
    events, quality, (open_found, open_steps) = _build_events(raw, mapping, timezone=timezone, lifecycle=lifecycle,
                                                              normalise_labels=normalise_labels)
    if open_cases:
        open_found |= open_cases & set(events[CASE].unique().to_list())
    return EventLog(
        events,
        mapping,
        raw.source,
        quality,
        timezone=timezone,
        open_cases=open_found,
        open_steps=open_steps,
    )


def _check_timezone(timezone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimestampError(
            f"time zone {timezone!r} is unknown; give an IANA name such as 'Asia/Shanghai' or 'UTC' (--timezone)."
        ) from None


def _build_events(
    raw: RawTable, mapping: ColumnMapping, *, timezone: str, lifecycle: str, normalise_labels: bool
) -> tuple[pl.DataFrame, DataQualityReport, tuple[frozenset[str], pl.DataFrame | None]]:
    source = raw.source.path
    word = raw.source.row_word
    frame = raw.frame
    quality = DataQualityReport(source=source, rows_read=frame.height, events=0, row_word=word)
    _add_file_findings(raw, quality)
    open_cases: set[str] = set()
    open_frames: list[pl.DataFrame] = []

    # Standard columns next to the originals; originals that clash with a standard name are renamed.
    mapped = {col for _, col in mapping.items() if col}
    renames = {c: f"{c} (original)" for c in frame.columns if c in (CASE, ACTIVITY, TIMESTAMP, START, RESOURCE,
               DEPARTMENT, ROLE, OUTCOME, ROW) and c not in mapped}
    frame = frame.rename(renames)
    mapping_now = {role: renames.get(col, col) for role, col in mapping.items() if col}

    # Text checks are decided on each column's distinct values (one parallel query): most columns
    # have nothing to strip, blank or clean, and a few thousand labels are cheap to look at.
    text_columns = {role: mapping_now[role] for role in (CASE, ACTIVITY, *OPTIONAL_TEXT_ROLES) if mapping_now.get(role)}
    queries = [frame.lazy().select(pl.col(c).cast(pl.String).unique()) for c in text_columns.values()]
    distinct_values = {role: found.to_series() for role, found in zip(text_columns, pl.collect_all(queries))}

    def text(column: str, strip: bool, distinct: pl.Series) -> pl.Expr:
        value = pl.col(column).cast(pl.String)
        stripped = distinct.str.strip_chars()
        if not (stripped == "").any() and not (strip and (stripped != distinct).any()):
            return value
        blank = value.str.strip_chars() == ""
        # labels keep their spaces here: step 6 merges and counts the variants
        return pl.when(blank).then(None).otherwise(value.str.strip_chars() if strip else value)

    standard = [pl.col(RAW_ROW).cast(pl.UInt32).alias(ROW)]
    for role, col in text_columns.items():
        standard.append(text(col, role in (CASE, OUTCOME), distinct_values[role]).alias(role))
    attributes = [c for c in frame.columns if c not in mapping_now.values() and c != RAW_ROW]
    events = frame.select([*standard, *attributes, pl.col(mapping_now["timestamp"]).alias("__ts_raw")]
                          + ([pl.col(mapping_now["start_timestamp"]).alias("__start_raw")]
                             if mapping_now.get("start_timestamp") else [])
                          + ([pl.col(mapping_now["lifecycle"]).cast(pl.String).alias("__lifecycle")]
                             if mapping_now.get("lifecycle") else []))

    events = _remove_control_characters(events, mapping, quality, distinct_values)

    case_ids = frame.select(pl.col(mapping_now["case"]).cast(pl.String).unique())[mapping_now["case"]]
    if (case_ids != case_ids.str.strip_chars()).any():
        padded = frame.select((pl.col(mapping_now["case"]).cast(pl.String) != pl.col(mapping_now["case"])
                               .cast(pl.String).str.strip_chars()).fill_null(False).alias("p"))["p"]
        quality.add(Finding("case_id_spaces", "case id had spaces around it; they were removed", int(padded.sum()),
                            REPAIRED, column=mapping.case, examples=_examples(events, padded, CASE)))

    # 1. rows without a case id or an activity cannot be placed in a process.
    for role, reason, shown in ((CASE, "no case id (案例编号为空)", ACTIVITY),
                                (ACTIVITY, "no activity name (活动/节点名称为空)", CASE)):
        missing = events[role].is_null()
        if missing.any():
            quality.add(Finding(f"missing_{role}", reason, int(missing.sum()), DROPPED,
                                column=mapping.to_dict()[role], examples=_examples(events, missing, shown)))
            events = events.filter(~missing)

    # 2. completion times.
    ts_col = mapping.timestamp
    parsed = parse_timestamps(events["__ts_raw"], timezone=timezone)
    raw.source.notes.append(f"completion times ({ts_col}) read as: {', '.join(parsed.formats) or '—'}")
    events = events.with_columns(parsed.values.alias(TIMESTAMP), parsed.failed.alias("__ts_failed"))
    if events.height and parsed.failed.sum() == events.height:
        sample = events["__ts_raw"].drop_nulls().head(1).to_list()
        raise TimestampError(
            f"{source}: column '{ts_col}' has no readable dates ({word} {events[ROW][0]}: {sample[0]!r}). "
            "Choose the completion-time column with --timestamp, or fix the date format "
            "(accepted: 2025-09-28 09:05, 2025/9/28 9:05, 2025年9月28日 下午2:30, Excel dates)."
        )
    failed = events["__ts_failed"]
    if failed.any():
        # 0001-01-01 and 9999-12-31 are how databases write "no date": say so rather than "unreadable"
        year = events["__ts_raw"].cast(pl.String).str.extract(r"^\s*(\d{4})[-/.年]", 1).cast(pl.Int32, strict=False)
        out_of_range = failed & ~year.is_between(1900, 2199).fill_null(True)
        if out_of_range.any():
            quality.add(Finding("timestamp_year_out_of_range", "completion time has a year outside 1900–2199 "
                                "(0001 or 9999 usually stand for 'no date')", int(out_of_range.sum()), DROPPED,
                                column=ts_col, examples=_examples(events, out_of_range, "__ts_raw")))
        unreadable = failed & ~out_of_range
        if unreadable.any():
            quality.add(Finding("unparseable_timestamp", "completion time cannot be read as a date and time",
                                int(unreadable.sum()), DROPPED, column=ts_col,
                                examples=_examples(events, unreadable, "__ts_raw")))
        events = events.filter(~failed)
    _flag_implausible_years(events, ts_col, quality)
    no_time = events[TIMESTAMP].is_null()
    if no_time.any():
        if "__start_raw" in events.columns:
            open_steps = no_time & events["__start_raw"].is_not_null()
            if open_steps.any():
                still_open = events.filter(open_steps)
                open_cases.update(still_open[CASE].to_list())
                arrived = parse_timestamps(still_open["__start_raw"], timezone=timezone).values
                open_frames.append(still_open.select(
                    [c for c in (CASE, ACTIVITY, RESOURCE, DEPARTMENT, ROLE, ROW) if c in still_open.columns]
                ).with_columns(arrived.alias(START)))
                quality.add(Finding("step_not_completed",
                                    "step arrived but is not completed yet (arrival time, no completion time); "
                                    "open steps are left out of the map",
                                    int(open_steps.sum()), DROPPED, column=ts_col,
                                    examples=_examples(events, open_steps, ACTIVITY)))
            no_time = no_time & ~open_steps
        if no_time.any():
            quality.add(Finding("missing_timestamp", "no completion time", int(no_time.sum()), DROPPED,
                                column=ts_col, examples=_examples(events, no_time, ACTIVITY)))
        events = events.filter(events[TIMESTAMP].is_not_null())

    # 3. exact duplicates (every original column equal) are one event exported twice.
    original = [c for c in events.columns if c not in (ROW, TIMESTAMP, "__ts_failed")]
    duplicated = _later_copies(events, original)
    if duplicated.any():
        quality.add(Finding("duplicate_row", "exact duplicate of an earlier row", int(duplicated.sum()), DROPPED,
                            examples=_examples(events, duplicated, ACTIVITY)))
        events = events.filter(~duplicated)

    # 4. arrival/start times.
    if "__start_raw" in events.columns:
        start_col = mapping.start_timestamp
        parsed_start = parse_timestamps(events["__start_raw"], timezone=timezone)
        raw.source.notes.append(f"arrival times ({start_col}) read as: {', '.join(parsed_start.formats) or '—'}")
        events = events.with_columns(parsed_start.values.alias(START))
        bad = parsed_start.failed
        if bad.any():
            quality.add(Finding("unparseable_start", "arrival/start time cannot be read; the step keeps its "
                                "completion time but has no duration", int(bad.sum()), REPAIRED,
                                column=start_col, examples=_examples(events, bad, "__start_raw")))
        missing_start = events[START].is_null() & ~bad
        if missing_start.any():
            quality.add(Finding("missing_start", "no arrival/start time; duration unknown for these steps",
                                int(missing_start.sum()), KEPT, column=start_col,
                                examples=_examples(events, missing_start, ACTIVITY)))
        backwards = (events[START] > events[TIMESTAMP]).fill_null(False)
        if backwards.any():
            quality.add(Finding("completion_before_arrival",
                                "completion time is before the arrival/start time; the arrival time is ignored",
                                int(backwards.sum()), REPAIRED, column=start_col,
                                examples=_examples(events, backwards, "__start_raw")))
            events = events.with_columns(pl.when(backwards).then(None).otherwise(pl.col(START)).alias(START))
    elif "__lifecycle" in events.columns:
        events = _fold_lifecycle(events, quality, mapping, lifecycle)

    # 5. optional columns: missing values are kept, but reported.
    for role in OPTIONAL_TEXT_ROLES:
        if role in events.columns:
            missing = events[role].is_null()
            if missing.any():
                quality.add(Finding(f"missing_{role}", f"no {role} value", int(missing.sum()), KEPT,
                                    column=mapping.to_dict()[role], examples=_examples(events, missing, ACTIVITY),
                                    severity="info"))

    # 6. labels that differ only by spaces, full-width characters or case.
    if normalise_labels:
        for role in LABEL_ROLES:
            if role in events.columns:
                events = _merge_label_variants(events, role, mapping.to_dict()[role], quality)

    if events.height == 0:
        reasons = "; ".join(f.describe(word) for f in quality.findings[:3]) or "the file has no data rows"
        raise EmptyLogError(f"{source}: no usable events are left: {reasons}")

    order = [CASE, pl.coalesce(START, TIMESTAMP) if START in events.columns else TIMESTAMP, TIMESTAMP, ROW]
    if not is_sorted_by(events, order):
        events = events.sort(order, maintain_order=True)

    # 7. cases with a single event: kept, but they rarely are complete approvals.
    # events are in case order now: a case of one event differs from its neighbours on both sides
    case = pl.col(CASE)
    alone = (case != case.shift(1)).fill_null(True) & (case != case.shift(-1)).fill_null(True)
    singles = events.filter(alone).select(ROW, ACTIVITY)
    if singles.height:
        quality.add(Finding("single_event_case", "case has only one event (an unfinished or aborted request?)",
                            singles.height, KEPT, column=mapping.case,
                            examples=list(zip(singles[ROW].head(EXAMPLES).to_list(),
                                              singles[ACTIVITY].head(EXAMPLES).to_list()))))

    keep = [c for c in (CASE, ACTIVITY, START, TIMESTAMP, RESOURCE, DEPARTMENT, ROLE, OUTCOME, ROW) if c in events.columns]
    events = events.select([*keep, *[c for c in attributes if c in events.columns]])

    # 8. attribute columns holding only numbers are numbers, so that 合同金额 > 200000 compares amounts.
    events = _numbers_as_numbers(events, [c for c in attributes if c in events.columns])
    quality.events = events.height
    open_steps = open_frames[0] if open_frames else None
    return events, quality, (frozenset(open_cases), open_steps)


# --- file-level findings (made by procmine.read.files while opening the file) -------------

def _add_file_findings(raw: RawTable, quality: DataQualityReport) -> None:
    """Add what the file reader found (blank rows, lines swallowed by a quote, cut-off fields,
    merged cells). Rows it dropped never reached the frame but are records of the file, so
    they count as rows read: ``rows_read == events + dropped + merged`` still holds."""
    for finding in raw.findings:
        quality.add(finding)
        if finding.action in (DROPPED, MERGED):
            quality.rows_read += finding.rows

# --- end of file-level findings -----------------------------------------------------------


_CONTROL_PICTURES = {c: 0x2400 + c for c in range(32)} | {0x7F: 0x2421, 0xFFFE: 0xFFFD, 0xFFFF: 0xFFFD}


def _remove_control_characters(events: pl.DataFrame, mapping: ColumnMapping, quality: DataQualityReport,
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
        examples = [(row, value.translate(_CONTROL_PICTURES)) for row, value in _examples(events, found, role)]
        cleaned = pl.col(role).str.replace_all(CONTROL_CHARACTERS, "")
        events = events.with_columns(pl.when(cleaned.str.strip_chars() == "").then(None).otherwise(cleaned).alias(role))
        quality.add(Finding(f"control_characters_{role}", "control characters (invisible, e.g. NUL or ESC) were "
                            "removed", int(found.sum()), REPAIRED, column=mapping.to_dict()[role], examples=examples))
    return events


def _examples(frame: pl.DataFrame, mask: pl.Series, value_column: str | None) -> list[tuple[int, str]]:
    chosen = frame.filter(mask).head(EXAMPLES)
    values = chosen[value_column].cast(pl.String).to_list() if value_column else [""] * chosen.height
    return [(int(r), "" if v is None else str(v)) for r, v in zip(chosen[ROW].to_list(), values)]


def _later_copies(events: pl.DataFrame, columns: list[str]) -> pl.Series:
    """True for each row equal in ``columns`` to an earlier row.

    Rows are compared by a hash first, about a fifth of the cost of comparing whole rows; the
    few rows whose hash another row shares are then compared in full, so a hash collision can
    never pass two different rows off as one.
    """
    hashes = events.select(columns).hash_rows()
    later = pl.repeat(False, events.height, eager=True)
    ordered = np.sort(hashes.to_numpy())  # a sorted copy of 8-byte hashes: far cheaper than a hash table
    if not (ordered[1:] == ordered[:-1]).any():
        return later
    shared = hashes.is_duplicated()
    candidates = events.filter(shared).select((~pl.struct(columns).is_first_distinct()).alias("d"))["d"]
    return later.scatter(shared.arg_true(), candidates)


#: A number as exports write amounts and counts: no leading zeros (工号 007 is a code, not 7),
#: no thousands separators or exponents.
_PLAIN_NUMBER = r"^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"
#: Values looked at before a whole column is checked.
_NUMBER_SAMPLE = 1000


def _numbers_as_numbers(events: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Text columns whose every non-blank value is a plain number become Int64 (whole numbers)
    or Float64 (numbers with a decimal point); any other value, or a whole number too long for
    Int64 (an order number of 20 digits), keeps the column as text.

        >>> _numbers_as_numbers(pl.DataFrame({"金额": ["72500.00", " 8000", None], "工号": ["007", "12", "3"]}),
        ...                     ["金额", "工号"]).dtypes
        [Float64, String]
    """
    typed = []
    for name in columns:
        if events.schema[name] != pl.String:
            continue
        sample = events[name].drop_nulls().head(_NUMBER_SAMPLE).str.strip_chars().replace("", None).drop_nulls()
        if sample.len() == 0 or not sample.str.contains(_PLAIN_NUMBER).all():
            continue  # most text columns stop here, after a thousand values
        distinct = events[name].unique().str.strip_chars().replace("", None)  # decided on distinct values
        if not distinct.str.contains(_PLAIN_NUMBER).fill_null(True).all():
            continue
        values = events[name].str.strip_chars().replace("", None)
        if distinct.str.contains(".", literal=True).any():
            typed.append(values.cast(pl.Float64).alias(name))
            continue
        whole = values.cast(pl.Int64, strict=False)
        if whole.null_count() == values.null_count():  # longer whole numbers are codes: kept as text
            typed.append(whole.alias(name))
    return events.with_columns(typed) if typed else events


#: XES's standard lifecycle transitions (the XES lifecycle extension's model) that neither start
#: nor complete a step.
XES_NOT_STEPS = ("schedule", "assign", "reassign", "suspend", "resume", "autoskip", "manualskip", "ate_abort",
                 "pi_abort", "withdraw", "unknown")
#: Dropping more than this share of the rows is a warning (shown in the summary), not an info note.
SMALL_SHARE = 0.05


def _fold_lifecycle(events: pl.DataFrame, quality: DataQualityReport, mapping: ColumnMapping, lifecycle: str) -> pl.DataFrame:
    """Pair each ``start`` with the next ``complete`` of the same activity in the same case."""
    column = mapping.lifecycle
    transition = pl.col("__lifecycle").str.to_lowercase().str.strip_chars()
    if lifecycle == "all":
        return events.drop("__lifecycle")
    events = events.with_columns(pl.col("__lifecycle").str.strip_chars().alias("__lifecycle_value"),
                                 transition.alias("__lifecycle"))
    kinds = events["__lifecycle"]
    is_start = kinds == "start"
    is_complete = (kinds == "complete") | kinds.is_null()
    # XES's standard transitions that are not a step's start or end (schedule, suspend …) are set
    # aside; values outside the standard (BPIC 2013's "In Progress", 审批中 …) are states a case
    # passes through: each is read as an instant, named with its value ("Accepted (In Progress)")
    standard_other = kinds.is_in(list(XES_NOT_STEPS))
    own_values = ~(is_start | is_complete | standard_other)
    if own_values.any():
        counts = events.filter(own_values)["__lifecycle_value"].value_counts(sort=True)
        names = ", ".join(f"{v} ({n:,})" for v, n in counts.head(8).iter_rows())
        own = pl.Series(own_values)
        events = events.with_columns(
            pl.when(own).then(pl.col(ACTIVITY) + " (" + pl.col("__lifecycle_value") + ")").otherwise(pl.col(ACTIVITY))
            .alias(ACTIVITY),
            pl.when(own).then(pl.lit("complete")).otherwise(pl.col("__lifecycle")).alias("__lifecycle"))
        quality.add(Finding("lifecycle_states", "lifecycle values outside start/complete read as instants, the "
                            f"activity named with its value, e.g. 'activity (value)': {names} "
                            "(--lifecycle all keeps activity names as they are)",
                            int(own_values.sum()), KEPT, column=column, severity="info"))
    if standard_other.any():
        counts = events.filter(standard_other)["__lifecycle"].value_counts(sort=True)
        names = ", ".join(f"{v} ({n:,})" for v, n in counts.iter_rows())
        share = float(standard_other.mean())
        if share == 1.0:
            raise EmptyLogError(
                f"{column}: every event's lifecycle is a transition that is not a step's start or completion "
                f"({names}); read each event as it is with --lifecycle all.")
        quality.add(Finding("lifecycle_other", f"lifecycle transitions other than start/complete are not steps "
                            f"({share:.1%} of events; --lifecycle all keeps them): {names}",
                            int(standard_other.sum()), DROPPED, column=column,
                            examples=_examples(events, standard_other, "__lifecycle"),
                            severity="warning" if share > SMALL_SHARE else "info"))
        events = events.filter(~standard_other)
    events = events.drop("__lifecycle_value")
    if not (events["__lifecycle"] == "start").any():
        return events.with_columns(pl.lit(None, dtype=events[TIMESTAMP].dtype).alias(START)).drop("__lifecycle")
    order = [CASE, ACTIVITY, TIMESTAMP, ROW]
    events = events.sort(order)
    starts = (events.filter(pl.col("__lifecycle") == "start")
              .with_columns(pl.int_range(pl.len()).over(CASE, ACTIVITY).alias("__k"))
              .select(CASE, ACTIVITY, "__k", pl.col(TIMESTAMP).alias(START), pl.col(ROW).alias("__start_row")))
    completes = (events.filter(pl.col("__lifecycle") != "start")
                 .with_columns(pl.int_range(pl.len()).over(CASE, ACTIVITY).alias("__k")))
    paired = completes.join(starts, on=[CASE, ACTIVITY, "__k"], how="left")
    valid = pl.col(START) <= pl.col(TIMESTAMP)
    paired = paired.with_columns(pl.when(valid).then(pl.col(START)).otherwise(None).alias(START),
                                 pl.when(valid).then(pl.col("__start_row")).otherwise(None).alias("__start_row"))
    used = set(paired["__start_row"].drop_nulls().to_list())
    start_rows = events.filter(pl.col("__lifecycle") == "start")
    unmatched = ~start_rows[ROW].is_in(list(used))
    merged = start_rows.height - int(unmatched.sum())
    if merged:
        quality.add(Finding("lifecycle_start_folded", "start events folded into their completion (one step with "
                            "start and completion time)", merged, MERGED, column=column, severity="info"))
    if unmatched.any():
        quality.add(Finding("lifecycle_start_unmatched", "start event without a later completion of the same activity",
                            int(unmatched.sum()), DROPPED, column=column,
                            examples=_examples(start_rows, unmatched, ACTIVITY)))
    return paired.drop("__k", "__start_row", "__lifecycle")


def _label_key(label: str) -> str:
    return "".join(unicodedata.normalize("NFKC", label).split()).casefold()


def _is_clean(label: str) -> bool:
    return label == " ".join(unicodedata.normalize("NFKC", label).split())


def _merge_label_variants(events: pl.DataFrame, role: str, column: str | None, quality: DataQualityReport) -> pl.DataFrame:
    labels = events[role].drop_nulls().unique()
    keys = [_label_key(label) for label in labels.to_list()]
    if len(set(keys)) == len(keys):
        return events  # no two labels differ only by spaces, width or case: nothing to count
    counts = events[role].drop_nulls().value_counts(sort=True)
    groups: dict[str, list[tuple[str, int]]] = {}
    for label, n in counts.iter_rows():
        groups.setdefault(_label_key(label), []).append((label, n))
    replace = {}
    for variants in groups.values():
        # most frequent spelling first; on a tie, the one already written cleanly
        canonical = sorted(variants, key=lambda v: (-v[1], not _is_clean(v[0]), v[0]))[0][0].strip()
        for label, _ in variants:
            if label != canonical:
                replace[label] = canonical
    if not replace:
        return events
    changed = events[role].is_in(list(replace))
    pairs = ", ".join(f"'{a}' → '{b}'" for a, b in list(replace.items())[:4])
    quality.add(Finding(f"label_variant_{role}",
                        f"{role} labels differing only by spaces, full-width characters or case were merged: {pairs}",
                        int(changed.sum()), REPAIRED, column=column, examples=_examples(events, changed, role)))
    return events.with_columns(pl.col(role).replace(replace))
