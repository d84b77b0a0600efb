"""Time columns read as times while a large CSV is read, when every value is ``2025-09-28 09:05:11``.

Reading a column as text and parsing it afterwards holds each value twice: as 35 bytes of text
(a 16-byte view and 19 bytes of characters), then as an 8-byte time. At 10M events the two time
columns of an OA export are 0.7 GB of text, copied once more to put them in one piece. Most
large exports (databases, OA systems) write times in one layout, ``YYYY-MM-DD HH:MM:SS``, so
those columns are parsed inside polars' CSV reading instead, in parallel, and their text is
never held.

Nothing changes for what is read: a column is parsed here only when every value is that exact
layout (four-digit year, two-digit fields, seconds below 60) and a real time in 1900–2199.
Then the text and the time stand for each other one to one, and :func:`as_text` gives the
text back exactly wherever text is needed (an attribute column, an example in the
data-quality report, a time the time zone skips). Any other value in any such column, and the
whole file is read as text as before (:func:`read_with_times` returns ``None``).

The columns come back as naive ``Datetime("us")``; ``RawTable.times`` names them, and
:func:`procmine.read.timestamps.parse_timestamps` reads them with ``text_layout=ISO_SECONDS``
exactly as it reads their text.

While the file is read, the columns whose first values are all plain numbers (72500.00) are
also checked to the end, in the same parallel pass: ``RawTable.numbers`` names those where every
value is one, so that typing them as numbers later need not look at them again.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

#: The one layout read during the CSV reading (strptime form), and exactly its text.
ISO_SECONDS = "%Y-%m-%d %H:%M:%S"
_ISO_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-5][0-9]:[0-5][0-9]$"
#: Files smaller than this are read as text (the time saved is too small to matter).
MIN_BYTES = 1 << 22
#: Rows of the file's head that decide which columns are tried.
HEAD_ROWS = 1000
#: Years a time read here must lie in (as the text reading's common layouts require).
FIRST_YEAR, LAST_YEAR = 1900, 2199
_BAD = "__iso_times_bad__"
#: A plain number: what an attribute column must hold throughout to be typed as numbers.
PLAIN_NUMBER = r"^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"


def iso_columns(path: Path, separator: str, null_values: list[str]) -> tuple[list[str], list[str]]:
    """The columns whose non-empty values in the file's first rows are all ``YYYY-MM-DD HH:MM:SS``,
    and those whose values there are all plain numbers."""
    try:
        head = pl.read_csv(path, separator=separator, infer_schema=False, null_values=null_values, n_rows=HEAD_ROWS)
    except pl.exceptions.PolarsError:
        return [], []  # the full reading will say what is wrong

    def all_are(pattern: str) -> list[str]:
        found = head.select(pl.col(pl.String).drop_nulls().str.contains(pattern).all()
                            & (pl.col(pl.String).drop_nulls().len() > 0))
        return [name for name in found.columns if found[name][0]]

    return all_are(_ISO_PATTERN), all_are(PLAIN_NUMBER)


def read_with_times(path: Path, separator: str, null_values: list[str], columns: list[str],
                    numbers: list[str] = ()) -> tuple[pl.DataFrame, list[str]] | None:
    """The CSV with ``columns`` parsed as naive times and the rest as text, and which of
    ``numbers`` hold only plain numbers (nulls aside); ``None`` when any value of ``columns`` is
    not exactly ``YYYY-MM-DD HH:MM:SS`` in 1900–2199 (read as text then). Raises polars' error
    for a malformed file, as ``pl.read_csv`` does."""
    parsed = {name: pl.col(name).str.strptime(pl.Datetime("us"), ISO_SECONDS, strict=False, cache=False)
              for name in columns}
    bad = pl.any_horizontal([pl.col(name).is_not_null() & (time.is_null() | ~pl.col(name).str.contains(_ISO_PATTERN))
                             for name, time in parsed.items()])
    numbers = [name for name in numbers if name not in parsed]
    plain = [pl.col(name).str.contains(PLAIN_NUMBER).fill_null(True).alias(f"{_BAD}{k}") for k, name in enumerate(numbers)]
    frame = (pl.scan_csv(path, separator=separator, infer_schema=False, null_values=null_values)
             .with_columns(*[time.alias(name) for name, time in parsed.items()], bad.alias(_BAD), *plain)
             .collect(engine="streaming"))
    if frame[_BAD].any():
        return None
    for name in columns:
        earliest, latest = frame[name].min(), frame[name].max()
        if earliest is not None and not (FIRST_YEAR <= earliest.year and latest.year <= LAST_YEAR):
            return None
    plain_numbers = [name for k, name in enumerate(numbers) if frame[f"{_BAD}{k}"].all()]
    return frame.drop(_BAD, *[f"{_BAD}{k}" for k in range(len(numbers))]), plain_numbers


def as_text(frame: pl.DataFrame, columns) -> pl.DataFrame:
    """``columns`` (read here as times) as the text they were in the file."""
    columns = [name for name in columns if name in frame.columns]
    if not columns:
        return frame
    return frame.with_columns(pl.col(name).dt.strftime(ISO_SECONDS) for name in columns)
