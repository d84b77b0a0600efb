"""Open a log file of any supported format as a table of raw columns.

Every format ends up as a polars DataFrame whose columns keep their original header names,
plus a ``__row__`` column with the row number a person would look up in the file (header =
row 1, as Excel and most editors count). Text formats come in as strings; the reader decides
later which column is which and how to parse its dates.
"""

from __future__ import annotations

import codecs
import gzip
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from procmine.errors import LogFileError
from procmine.log import Source

ROW = "__row__"

#: Spellings of "no value" that OA systems and databases write into exports.
NULL_SPELLINGS = ["", "NULL", "null", "Null", "NaN", "nan", "None", "N/A", "n/a", "#N/A"]

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = [",", "\t", ";", "|"]


@dataclass
class RawTable:
    """A file's content before column mapping: raw columns and where they came from."""

    frame: pl.DataFrame
    source: Source


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".xes") or name.endswith(".xes.gz"):
        return "xes"
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix == ".xls":
        return "xls"
    if suffix in TEXT_SUFFIXES or name.endswith(".csv.gz"):
        return "csv"
    raise LogFileError(
        f"{path}: unknown file type '{path.suffix}'. procmine reads .csv, .tsv, .txt, .xlsx, "
        ".xes, .xes.gz and .parquet; save the export in one of these formats."
    )


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> RawTable:
    """Read ``path`` into a :class:`RawTable`, detecting format, encoding and delimiter."""
    path = Path(path)
    if not path.exists():
        raise LogFileError(f"{path}: file not found. Check the path (current folder: {Path.cwd()}).")
    if path.is_dir():
        raise LogFileError(f"{path}: is a folder, not a log file. Give the path of the exported file.")
    if path.stat().st_size == 0:
        raise LogFileError(f"{path}: the file is empty (0 bytes). Export the log again.")
    kind = detect_format(path)
    if kind == "csv":
        return _read_text(path, encoding=encoding, delimiter=delimiter)
    if kind == "excel":
        return _read_excel(path, sheet=sheet)
    if kind == "xls":
        raise LogFileError(
            f"{path}: old Excel 97-2003 (.xls) files are not supported. Open it in Excel or WPS and "
            "save it as .xlsx (文件 → 另存为 → Excel 工作簿), or export CSV."
        )
    if kind == "parquet":
        return _read_parquet(path)
    return _read_xes(path)


# --- text ---------------------------------------------------------------------------------

def decode_bytes(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text export, trying UTF-8 (with or without BOM), UTF-16 and GB18030/GBK."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise LogFileError(f"{path}: unknown encoding '{encoding}'. Try utf-8, gbk or gb18030.") from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise LogFileError(
                f"{path}: cannot be decoded as {encoding} at line {line} "
                f"(bytes {data[exc.start:exc.start + 4]!r}). Leave --encoding out to detect it, "
                "or try --encoding gb18030 / utf-8."
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_chinese(text):
            return text, "gb18030"
    line = data[: utf8_error.start].count(b"\n") + 1
    raise LogFileError(
        f"{path}: cannot detect the text encoding: not UTF-8 (first bad byte at line {line}: "
        f"{data[utf8_error.start:utf8_error.start + 4]!r}) and not GBK/GB18030 Chinese text. "
        "Give the encoding with --encoding (e.g. --encoding latin-1), or save the file as UTF-8."
    )


def _looks_chinese(text: str) -> bool:
    """GB18030 decodes most byte soups; accept it only for real Chinese text.

    Chinese exports are written almost entirely in GB2312's common characters; Latin-1 or
    cp1252 text misread as GB18030 turns into rare extension characters instead.
    """
    sample = text[:200_000]
    non_ascii = [ch for ch in sample if ord(ch) > 127]
    if not non_ascii:
        return True
    common = 0
    for ch in non_ascii:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(non_ascii) > 0.9


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (>1) of fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        counts = [_count_outside_quotes(line, candidate) for line in lines]
        if counts[0] == 0:
            continue
        typical, agree = Counter(counts).most_common(1)[0]
        score = (agree, typical)
        if typical > 0 and score > best_score:
            best, best_score = candidate, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _read_text(path: Path, *, encoding: str | None, delimiter: str | None) -> RawTable:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        data = gzip.decompress(data)
    text, used_encoding = decode_bytes(data, path, encoding)
    if not text.strip():
        raise LogFileError(f"{path}: the file has no content (only blank lines). Export the log again.")
    sep = delimiter or sniff_delimiter(text)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")) if used_encoding != "utf-8" else io.BytesIO(data),
            separator=sep,
            infer_schema=False,
            null_values=NULL_SPELLINGS,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise LogFileError(
            f"{path}: cannot be read as a table with delimiter {sep!r}: {str(exc).splitlines()[0]}. "
            "Check that it is a CSV export, or give the delimiter with --delimiter."
        ) from None
    frame = _drop_unnamed_empty_columns(frame)
    frame = _strip_header_names(frame)
    if frame.height == 0:
        raise LogFileError(f"{path}: has a header line but no data rows. Export the log with its rows.")
    frame = frame.with_row_index(ROW, offset=2)
    return RawTable(frame, Source(str(path), "csv", encoding=used_encoding, delimiter=sep))


def _drop_unnamed_empty_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """A trailing delimiter on every line makes an unnamed, empty column; it carries nothing."""
    drop = [
        name for name in frame.columns
        if (name.strip() == "" or name.startswith("_duplicated_")) and frame[name].null_count() == frame.height
    ]
    return frame.drop(drop) if drop else frame


def _strip_header_names(frame: pl.DataFrame) -> pl.DataFrame:
    renames = {}
    for name in frame.columns:
        clean = name.strip().strip("\ufeff")
        if clean != name and clean not in frame.columns:
            renames[name] = clean
    return frame.rename(renames) if renames else frame


# --- Excel --------------------------------------------------------------------------------

def _read_excel(path: Path, *, sheet: str | int | None) -> RawTable:
    import datetime as dt

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise LogFileError(f"{path}: cannot be opened as an Excel workbook ({exc}). Save it again as .xlsx.") from None
    try:
        if sheet is None:
            worksheet = next((ws for ws in book.worksheets if ws.max_row and ws.max_row > 1), book.worksheets[0])
        elif isinstance(sheet, int):
            worksheet = book.worksheets[sheet]
        else:
            if sheet not in book.sheetnames:
                raise LogFileError(f"{path}: no sheet named '{sheet}'. Sheets: {', '.join(book.sheetnames)}.")
            worksheet = book[sheet]
        rows = worksheet.iter_rows(values_only=True)
        header, header_row = None, 0
        for header_row, values in enumerate(rows, start=1):
            if values and any(v is not None and str(v).strip() for v in values):
                header = values
                break
        if header is None:
            raise LogFileError(f"{path}: sheet '{worksheet.title}' is empty. Choose the sheet with --sheet.")
        names = _unique_names([str(v).strip() if v is not None else "" for v in header])
        columns: list[list[str | None]] = [[] for _ in names]
        row_numbers: list[int] = []

        def cell_text(value: object) -> str | None:
            if value is None:
                return None
            if isinstance(value, dt.datetime):
                return value.isoformat(sep=" ")
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dt.time):
                return value.isoformat()
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            text = str(value)
            return None if text.strip() in NULL_SPELLINGS else text

        for number, values in enumerate(rows, start=header_row + 1):
            if values is None or all(v is None for v in values):
                continue
            row_numbers.append(number)
            for index in range(len(names)):
                columns[index].append(cell_text(values[index]) if index < len(values) else None)
    finally:
        book.close()
    frame = pl.DataFrame({name: pl.Series(name, col, dtype=pl.String) for name, col in zip(names, columns)})
    frame = _drop_unnamed_empty_columns(frame)
    if frame.height == 0:
        raise LogFileError(f"{path}: sheet '{worksheet.title}' has a header but no data rows.")
    frame = frame.with_columns(pl.Series(ROW, row_numbers, dtype=pl.UInt32)).select([ROW, *frame.columns])
    return RawTable(frame, Source(str(path), "excel", sheet=worksheet.title))


def _unique_names(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


# --- Parquet ------------------------------------------------------------------------------

def _read_parquet(path: Path) -> RawTable:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise LogFileError(f"{path}: cannot be read as Parquet ({str(exc).splitlines()[0]}).") from None
    if frame.height == 0:
        raise LogFileError(f"{path}: the Parquet file has no rows.")
    keep_types = (pl.Datetime, pl.Date)
    frame = frame.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if not isinstance(dtype, keep_types) and not dtype.is_numeric()
    )
    return RawTable(frame.with_row_index(ROW, offset=1), Source(str(path), "parquet"))


# --- XES ----------------------------------------------------------------------------------

def _read_xes(path: Path) -> RawTable:
    from procmine._engine import pm4py

    import warnings

    try:
        with warnings.catch_warnings():  # pm4py suggests optional speed-up packages on every read
            warnings.simplefilter("ignore")
            try:
                frame = pm4py.read_xes(str(path), return_legacy_log_object=False, show_progress_bar=False)
            except TypeError:  # older pm4py without these keywords
                frame = pm4py.read_xes(str(path))
    except LogFileError:
        raise
    except Exception as exc:
        raise LogFileError(f"{path}: cannot be read as XES ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}).") from None
    if frame is None or len(frame) == 0:
        raise LogFileError(f"{path}: the XES file has no events.")
    converted = {}
    for name in frame.columns:
        series = frame[name]
        if str(series.dtype).startswith("datetime"):
            converted[name] = pl.from_pandas(series)
        elif series.dtype.kind in "iufb":
            converted[name] = pl.from_pandas(series)
        else:
            converted[name] = pl.Series(name, [None if _is_missing(v) else str(v) for v in series.tolist()], dtype=pl.String)
    table = pl.DataFrame(converted)
    return RawTable(table.with_row_index(ROW, offset=1), Source(str(path), "xes"))


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
