"""Bounds on what one input may cost: decompressed size, columns, pattern length.

A log is untrusted. A 9 MB ``.csv.gz`` can hold 3 GiB of text, an 8 MB ``.xlsx`` a 2 GB sheet,
and a CSV 100,000 columns; each would hold procmine for minutes and take gigabytes before any
message. These checks stop such files early (while decompressing, or from the zip directory
before a sheet is parsed) with one line that says how to go on.

Limits (environment variables, for a log that really is this large):

* ``PROCMINE_MAX_UNCOMPRESSED_MB`` (default 4096): the most a ``.gz`` log or one sheet of a
  workbook may decompress to. When it is not set, a member that decompresses to more than
  :data:`MAX_RATIO` times its compressed size (and more than 64 MB) is also stopped: real
  exports compress 5–20 times (XES up to about 55: 200 times is allowed there), compression
  bombs a thousand times.
  XES logs (read whole by pm4py) are refused above 1 GB uncompressed.
* ``PROCMINE_MAX_COLUMNS`` (default 2000): columns of a table (a log has a few dozen).

    >>> check_column_count(30, "log.csv")
    >>> check_column_count(100_000, "log.csv")
    Traceback (most recent call last):
    ...
    procmine.errors.LogFileError: log.csv: has 100,000 columns; procmine reads at most 2,000 (a log has a few dozen). Check the delimiter (--delimiter), or keep the columns the log needs (PROCMINE_MAX_COLUMNS raises the limit).
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from pathlib import Path

from procmine.errors import LogFileError

#: a member decompressing to more than this many times its compressed size is a bomb ...
MAX_RATIO = 100
#: ... XES is verbose XML, which compresses better (the public BPI logs: 20–55 times)
XES_RATIO = 200
#: ... once it is past this size (small files may compress very well)
RATIO_FLOOR = 64 << 20
DEFAULT_MAX_UNCOMPRESSED_MB = 4096
DEFAULT_MAX_COLUMNS = 2000
#: XES is read whole by pm4py, which holds every event as Python objects: larger files are refused
DEFAULT_MAX_XES_MB = 1024
CHUNK = 1 << 20


def max_uncompressed(compressed: int, ratio: int = MAX_RATIO) -> tuple[int, bool]:
    """The most ``compressed`` bytes may decompress to, and whether the user set the limit."""
    given = os.environ.get("PROCMINE_MAX_UNCOMPRESSED_MB")
    if given:
        try:
            return int(float(given) * (1 << 20)), True
        except ValueError:
            raise LogFileError(f"PROCMINE_MAX_UNCOMPRESSED_MB={given!r}: give a number of megabytes.") from None
    return min(DEFAULT_MAX_UNCOMPRESSED_MB << 20, max(RATIO_FLOOR, ratio * compressed)), False


def check_xes_size(path: Path) -> None:
    """Refuse an XES log too large to read whole (a ``.xes.gz`` is measured while decompressing)."""
    limit, given = max_uncompressed(path.stat().st_size)
    if not given:
        limit = DEFAULT_MAX_XES_MB << 20
    if path.name.lower().endswith(".gz"):
        check_gzip_size(path, DEFAULT_MAX_XES_MB << 20, XES_RATIO)
    elif path.stat().st_size > limit:
        raise LogFileError(f"{path}: the XES file has {path.stat().st_size / (1 << 20):,.0f} MB, more than the "
                           f"{limit / (1 << 20):,.0f} MB procmine reads as XES. Export the log as CSV or Parquet, or "
                           "raise the limit with PROCMINE_MAX_UNCOMPRESSED_MB.")


def max_columns() -> int:
    given = os.environ.get("PROCMINE_MAX_COLUMNS")
    return int(given) if given and given.isdigit() else DEFAULT_MAX_COLUMNS


def _too_large(path: Path | str, what: str, limit: int, given: bool, compressed: int,
               ratio: int = MAX_RATIO) -> LogFileError:
    size = f"more than {limit / (1 << 20):,.0f} MB"
    if given:
        why = "the limit set by PROCMINE_MAX_UNCOMPRESSED_MB"
    elif limit < DEFAULT_MAX_UNCOMPRESSED_MB << 20:
        why = (f"over {ratio} times its compressed size ({compressed / (1 << 20):,.1f} MB): a compression bomb "
               "or a damaged file")
    else:
        why = "procmine's limit"
    return LogFileError(f"{path}: {what} decompresses to {size}, {why}; procmine stopped reading it. If the log "
                        "really is this large, raise the limit with PROCMINE_MAX_UNCOMPRESSED_MB.")


def gunzip(path: Path) -> bytes:
    """The decompressed content of a ``.gz`` file, read in chunks and stopped past the limit."""
    compressed = path.stat().st_size
    limit, given = max_uncompressed(compressed)
    chunks, total = [], 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    chunks.clear()
                    raise _too_large(path, "the file", limit, given, compressed)
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise LogFileError(f"{path}: cannot be decompressed as gzip ({exc}). Export the log again.") from None
    return b"".join(chunks)


#: members of a .zip that hold a log (an archive's other files — __MACOSX, readme — are left alone)
ZIP_LOG_SUFFIXES = (".csv", ".tsv", ".txt")


def unzip_one(path: Path) -> bytes:
    """The one CSV/TSV/TXT member of a ``.zip``, decompressed in chunks and stopped past the limit
    (the size the archive's directory claims is not trusted)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LogFileError(f"{path}: cannot be opened as a zip archive ({exc}). Export the log again.") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
                   and m.filename.lower().endswith(ZIP_LOG_SUFFIXES)]
        if len(members) != 1:
            listed = ", ".join(m.filename for m in archive.infolist()[:8]) or "nothing"
            what = "no CSV, TSV or TXT file" if not members else f"{len(members)} CSV/TSV/TXT files"
            raise LogFileError(f"{path}: the archive holds {what} ({listed}); unzip it and give the one log file.")
        member = members[0]
        limit, given = max_uncompressed(path.stat().st_size)
        chunks, total = [], 0
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        chunks.clear()
                        raise _too_large(path, member.filename, limit, given, path.stat().st_size)
                    chunks.append(chunk)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise LogFileError(f"{path}: {member.filename} cannot be decompressed ({exc}). Unzip it and give "
                               "the file inside.") from None
    return b"".join(chunks)


def check_gzip_size(path: Path, at_most: int | None = None, ratio: int = MAX_RATIO) -> None:
    """Decompress a ``.gz`` file without keeping it, only to stop one past the limit (before a
    library reads the whole of it into memory); ``at_most`` lowers the default limit."""
    compressed = path.stat().st_size
    limit, given = max_uncompressed(compressed, ratio)
    capped = at_most is not None and not given and at_most < limit
    if capped:
        limit = at_most
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limit and capped:
                    raise LogFileError(f"{path}: decompresses to more than {limit / (1 << 20):,.0f} MB, more than "
                                       "procmine reads as XES. Export the log as CSV or Parquet, or raise the limit "
                                       "with PROCMINE_MAX_UNCOMPRESSED_MB.")
                if total > limit:
                    raise _too_large(path, "the file", limit, given, compressed, ratio)
    except (OSError, EOFError, zlib.error) as exc:
        raise LogFileError(f"{path}: cannot be decompressed as gzip ({exc}). Export the log again.") from None


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose sheets (or shared strings) would decompress past the limit, from
    the sizes its zip directory states: the zip reader never returns more than a member's stated
    size, so the check holds even when the directory lies."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the workbook reader says what it is
    for member in members:
        name = member.filename.lower()
        if not (name.startswith("xl/") and name.endswith(".xml")):
            continue
        limit, given = max_uncompressed(member.compress_size)
        if member.file_size > limit:
            raise _too_large(path, f"'{member.filename}' in the workbook", limit, given, member.compress_size)


def check_column_count(count: int, path: Path | str) -> None:
    """Refuse a table with more columns than a log can have (each column costs time everywhere)."""
    limit = max_columns()
    if count > limit:
        raise LogFileError(f"{path}: has {count:,} columns; procmine reads at most {limit:,} (a log has a few "
                           "dozen). Check the delimiter (--delimiter), or keep the columns the log needs "
                           "(PROCMINE_MAX_COLUMNS raises the limit).")
