"""Read an exported event log into an :class:`~procmine.log.EventLog`.

    >>> import procmine
    >>> log = procmine.read_log("sample_logs/合同审批.csv")           # doctest: +SKIP
    >>> log = procmine.read_log("export.xlsx", activity="节点", timezone="Asia/Shanghai")  # doctest: +SKIP

Formats, encodings, delimiters and columns are detected; dates in ISO, slash, Chinese and
Excel-serial forms are parsed. Rows that cannot be used are dropped or repaired and counted in
``log.quality``; nothing disappears silently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from procmine.check import DROPPED, KEPT, MERGED, DataQualityReport, Finding
from procmine.check import rows
from procmine.check.rows import EXAMPLES, OPTIONAL_TEXT_ROLES  # noqa: F401  (EXAMPLES: read by other readers)
# the names these checks had here before they moved to procmine.check.rows
from procmine.check.rows import examples as _examples
from procmine.check.rows import is_clean as _is_clean  # noqa: F401
from procmine.check.rows import label_key as _label_key  # noqa: F401
from procmine.check.rows import later_copies as _later_copies  # noqa: F401
from procmine.engine.tables import is_sorted_by, one_chunk
from procmine.errors import ColumnError, EmptyLogError, TimestampError
from procmine.log import (
    ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROLE, ROW, START, TIMESTAMP, EventLog,
)
from procmine.read.columns import ColumnMapping, detect_columns
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import RawTable, open_table
from procmine.read.iso_times import ISO_SECONDS, PLAIN_NUMBER

__all__ = ["read_log", "build_log", "open_table", "detect_columns", "ColumnMapping", "RawTable"]

LABEL_ROLES = (ACTIVITY, RESOURCE, DEPARTMENT, ROLE)


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
    partition_rows: int | str | None = None,
    attributes: bool = True,
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
    :class:`~procmine.engine.spark.SparkLog`) is what :func:`procmine.discover`,
    :func:`procmine.kpis`, :func:`procmine.bottlenecks` and :func:`procmine.find_loops` measure
    there (docs/spark.md).

        >>> log = procmine.read_log("oa.approval_events", engine="spark", master="yarn")  # doctest: +SKIP

    ``partition_rows`` reads a Parquet or Arrow file with more events than that (``"auto"``: when
    the whole log would not fit in the free memory) in parts split by case, on this machine:
    the result (a :class:`~procmine.engine.partitioned.PartitionedLog`) gives the process map,
    the BPMN model and the KPIs of a log larger than memory, with the same figures.

        >>> log = procmine.read_log("approvals_100m.parquet", partition_rows="auto")  # doctest: +SKIP

    ``attributes=False`` lets the file's other columns (amounts, categories …) go once the rows
    are checked and counted with them (duplicates are still whole rows): the log keeps the roles
    only. ``procmine discover`` reads so when no ``--where`` names a column (10M events: the
    amounts are not typed as numbers, 0.4 s and 80 MB).
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
                              outcome=outcome, resource=resource, department=department, role=role,
                              timezone=timezone, encoding=encoding, master=master)
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
    if partition_rows is not None:
        from procmine.engine.partitioned import partition_rows_for, read_partitioned

        rows, per_part = partition_rows_for(path, partition_rows)
        if per_part and rows > per_part:
            log = read_partitioned(path, rows, per_part, given=given, progress=say,
                                   read=dict(timezone=timezone, lifecycle=lifecycle, normalise_labels=normalise_labels,
                                             history_column=history_column, history_pattern=history_pattern))
            if strict:
                log.quality.raise_if_problems()
            return log
    say(f"reading {Path(path).name}")
    raw = open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet, parse_times=True)
    headers = [c for c in raw.frame.columns if c != RAW_ROW]
    if looks_like_requestlog(headers):  # Weaver's workflow_requestlog on its own
        return read_platform_log([path], **{**platform_args, "source": "weaver"})
    history = find_history_column(raw, given, history_column, history_pattern)
    expanded = None
    if history is not None:
        say(f"{raw.frame.height:,} approval instances; reading their history ({history})")
        expanded = expand_history(raw.with_times_as_text(), history, given=given, pattern=history_pattern,
                                  timezone=timezone)
        raw, mapping = expanded.table, expanded.mapping
    else:
        mapping = detect_columns(headers, given, source=raw.source.path)
        _check_duplicate_headers(raw, mapping, given)
    say(f"{raw.frame.height:,} rows; parsing times")
    log = build_log(raw, mapping, timezone=timezone, lifecycle=lifecycle, normalise_labels=normalise_labels,
                    open_cases=expanded.open_cases if expanded else frozenset(), attributes=attributes)
    if expanded is not None:
        expanded.point_examples_at_file_rows(log.quality)
    if strict:
        log.quality.raise_if_problems()
    return log


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
    part: bool = False,
    attributes: bool = True,
) -> EventLog:
    """Turn a table of raw columns and its column mapping into an :class:`EventLog`.

    This is everything :func:`read_log` does after detecting the columns: times parsed,
    rows checked and counted in the data-quality report, labels merged. The other readers
    (:func:`procmine.read_emails`, approval-history exports) build a :class:`RawTable` of
    their own and finish here, so their logs are exactly what ``read_log`` returns.
    ``open_cases`` are cases known to be unfinished besides those with an open step.
    ``part=True`` reads one part of a larger file (:mod:`procmine.engine.partitioned`): a part
    whose completion times are all unreadable is not taken for the wrong column.
    ``attributes=False``: the columns not mapped to a role are let go once the rows are checked
    (see :func:`read_log`).
    """
    events, quality, (open_found, open_steps) = _build_events(raw, mapping, timezone=timezone, lifecycle=lifecycle,
                                                              normalise_labels=normalise_labels, part=part,
                                                              keep_attributes=attributes)
    if open_cases:
        open_found |= open_cases & set(events[CASE].unique().to_list())
    log = EventLog(
        events,
        mapping,
        raw.source,
        quality,
        timezone=timezone,
        open_cases=open_found,
        open_steps=open_steps,
    )
    log._in_order = events  # sorted by (case, arrival, completion, row) in _build_events
    return log


def _check_timezone(timezone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimestampError(
            f"time zone {timezone!r} is unknown; give an IANA name such as 'Asia/Shanghai' or 'UTC' (--timezone)."
        ) from None


def _build_events(
    raw: RawTable, mapping: ColumnMapping, *, timezone: str, lifecycle: str, normalise_labels: bool, part: bool = False,
    keep_attributes: bool = True,
) -> tuple[pl.DataFrame, DataQualityReport, tuple[frozenset[str], pl.DataFrame | None]]:
    source = raw.source.path
    word = raw.source.row_word
    frame = raw.frame
    # columns read as times (RawTable.times) stay times only as the completion and arrival times
    timed = {mapping.timestamp, mapping.start_timestamp} & set(raw.times)
    if set(raw.times) - timed:
        from procmine.read.iso_times import as_text

        frame = as_text(frame, set(raw.times) - timed)
    layouts = {raw_name: ISO_SECONDS for raw_name, col in (("__ts_raw", mapping.timestamp),
                                                          ("__start_raw", mapping.start_timestamp)) if col in timed}
    quality = DataQualityReport(source=source, rows_read=frame.height, events=0, row_word=word)
    _add_file_findings(raw, quality)

    # Standard columns next to the originals; originals that clash with a standard name are renamed.
    mapped = {col for _, col in mapping.items() if col}
    renames = {c: f"{c} (original)" for c in frame.columns if c in (CASE, ACTIVITY, TIMESTAMP, START, RESOURCE,
               DEPARTMENT, ROLE, OUTCOME, ROW) and c not in mapped}
    frame = frame.rename(renames)
    mapping_now = {role: renames.get(col, col) for role, col in mapping.items() if col}

    # Text checks are decided on each column's distinct values (one parallel query): most columns
    # have nothing to strip, blank or clean, and a few thousand labels are cheap to look at.
    text_columns = {role: mapping_now[role] for role in (CASE, ACTIVITY, *OPTIONAL_TEXT_ROLES) if mapping_now.get(role)}
    def distinct(role: str, column: str) -> pl.LazyFrame:
        value = pl.col(column).cast(pl.String)
        if role == CASE:  # one value per run first: an export lists a case's rows together (10M: 0.77 → 0.18 s)
            value = value.filter(value.ne_missing(value.shift()) | (pl.int_range(pl.len()) == 0))
        return frame.lazy().select(value.unique())

    queries = [distinct(role, c) for role, c in text_columns.items()]
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

    events = rows.remove_control_characters(events, mapping, quality, distinct_values)
    rows.case_id_spaces(frame, mapping_now["case"], events, mapping, quality, distinct_values[CASE])
    events = rows.drop_missing_keys(events, mapping, quality)
    events, open_cases, open_frames = rows.completion_times(events, raw.source, mapping, timezone, quality,
                                                            whole_file=not part, layouts=layouts)
    events = rows.drop_duplicates(events, quality)
    if "__start_raw" in events.columns:
        events = rows.arrival_times(events, raw.source, mapping, timezone, quality, layouts=layouts)
    elif "__lifecycle" in events.columns:
        events = _fold_lifecycle(events, quality, mapping, lifecycle)
    rows.report_missing_optional(events, mapping, quality)
    if normalise_labels:
        from procmine.output import CONTROL_CHARACTERS

        for role in LABEL_ROLES:
            if role in events.columns:
                read = distinct_values.get(role)
                if read is not None and ((read.str.strip_chars() == "").any() or read.str.contains(CONTROL_CHARACTERS).any()):
                    read = None  # values were blanked or cleaned: the distinct values read are not these
                events = rows.merge_label_variants(events, role, mapping.to_dict()[role], quality, read)

    if events.height == 0:
        reasons = "; ".join(f.describe(word) for f in quality.findings[:3]) or "the file has no data rows"
        error = EmptyLogError(f"{source}: no usable events are left: {reasons}")
        error.quality = quality  # what was found: a log read in parts counts an empty part's rows too
        raise error

    order = [CASE, pl.coalesce(START, TIMESTAMP) if START in events.columns else TIMESTAMP, TIMESTAMP, ROW]
    if not is_sorted_by(events, order):
        events = events.sort(order, maintain_order=True)
    rows.flag_single_event_cases(events, mapping, quality)

    keep = [c for c in (CASE, ACTIVITY, START, TIMESTAMP, RESOURCE, DEPARTMENT, ROLE, OUTCOME, ROW) if c in events.columns]
    attributes = [c for c in attributes if c in events.columns] if keep_attributes else []
    columns = events.select([*keep, *attributes]).get_columns()
    del events
    events = one_chunk(columns)

    # 8. attribute columns holding only numbers are numbers, so that 合同金额 > 200000 compares amounts.
    events = _numbers_as_numbers(events, attributes, checked=raw.numbers)
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


#: A number as exports write amounts and counts: no leading zeros (工号 007 is a code, not 7),
#: no thousands separators or exponents.
_PLAIN_NUMBER = PLAIN_NUMBER
#: Values looked at before a whole column is checked.
_NUMBER_SAMPLE = 1000


def _numbers_as_numbers(events: pl.DataFrame, columns: list[str], checked=()) -> pl.DataFrame:
    """Text columns whose every non-blank value is a plain number become Int64 (whole numbers)
    or Float64 (numbers with a decimal point); any other value, or a whole number too long for
    Int64 (an order number of 20 digits), keeps the column as text.

        >>> _numbers_as_numbers(pl.DataFrame({"金额": ["72500.00", " 8000", None], "工号": ["007", "12", "3"]}),
        ...                     ["金额", "工号"]).dtypes
        [Float64, String]

    ``checked``: columns known to hold only plain numbers (the CSV reader checked every value).
    """
    typed = []
    for name in columns:
        if events.schema[name] != pl.String:
            continue
        sample = events[name].drop_nulls().head(_NUMBER_SAMPLE).str.strip_chars().replace("", None).drop_nulls()
        if sample.len() == 0 or not sample.str.contains(_PLAIN_NUMBER).all():
            continue  # most text columns stop here, after a thousand values
        # every value checked (a pattern over ten million values costs a third of finding the
        # distinct ones); stripped only when some need it (most exports write bare numbers)
        values = events[name]
        if name not in checked and not values.str.contains(_PLAIN_NUMBER).all():  # (nulls aside)
            values = values.str.strip_chars().replace("", None)
            if not values.str.contains(_PLAIN_NUMBER).all():
                continue
        if values.str.contains(".", literal=True).any():
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


