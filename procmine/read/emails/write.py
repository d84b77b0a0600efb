"""A log's events as a CSV file that Excel opens (what ``procmine from-email -o`` writes).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROW, START, STANDARD, TIMESTAMP, EventLog
from procmine.output import safe_text_cell


def write_log_csv(log: EventLog, path: str | Path) -> Path:
    """Write a log's events as CSV: standard columns first (case, activity, timestamp …), then
    the attributes; UTF-8 with BOM so that Excel shows Chinese; times as ISO 8601 with offset.
    The source record number is the ``message`` column (``row`` for other logs)."""
    path = Path(path)
    events = log.events
    word = log.source.row_word if log.source.row_word != "row" else "source_row"
    times = [c for c in (TIMESTAMP, START) if c in events.columns]
    frame = events.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S%:z") for c in times
    ).rename({ROW: word} if ROW in events.columns else {})
    for column in (CASE, ACTIVITY, TIMESTAMP, RESOURCE, DEPARTMENT, OUTCOME):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    first = [c for c in STANDARD if c in frame.columns and c != ROW]
    frame = frame.select([*first, *[c for c in frame.columns if c not in first]])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(frame.columns)
    for values in frame.iter_rows():  # a sender may call himself =cmd|' /C calc'!A0
        writer.writerow([safe_text_cell(v) for v in values])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path
