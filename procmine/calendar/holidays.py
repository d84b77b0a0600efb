"""The holidays file (公司假日表): a user's own days off and 调休 working days.

A CSV/TXT/XLSX file with one date per row and, optionally, its type (假日 / 上班 …). What
the file is and how its text is encoded are told by the log reader's sniffers
(:mod:`procmine.read.files`), so a holidays file is recognised as a log would be. The days
it lists override the calendar's own (:meth:`procmine.calendar.Calendar.from_options`).

    >>> holidays, workdays = read_holidays_file("holidays.csv")   # doctest: +SKIP
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from procmine.calendar.working import CalendarError, _BadDate, _parse_date_text

__all__ = ["read_holidays_file"]

_OFF_WORDS = {
    "假日", "假期", "节假日", "法定节假日", "休息", "休息日", "休", "放假", "休假", "公休", "公休日",
    "holiday", "holidays", "off", "dayoff", "rest", "closed", "non-working", "nonworking",
}
_WORK_WORDS = {
    "工作日", "工作", "上班", "上班日", "调休", "调休上班", "补班", "班",
    "workday", "working", "work", "workingday", "business", "businessday", "open",
}
_OFF_NORMAL = {re.sub(r"[\s_\-]+", "", w) for w in _OFF_WORDS}
_WORK_NORMAL = {re.sub(r"[\s_\-]+", "", w) for w in _WORK_WORDS}
_DATE_HEADERS = ("日期", "date", "day", "时间")
_TYPE_HEADERS = ("类型", "type", "kind", "状态", "属性", "性质", "类别", "status")


def _cell_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            return _parse_date_text(str(int(value)))
        if 1 <= value < 100_000 and float(value).is_integer():  # an Excel serial date
            return date(1899, 12, 30) + timedelta(days=int(value))
        return None
    return _parse_date_text(str(value))


def _normal_word(value: Any) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(value)).strip().lower())


def _read_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """(line or row number, cells) for every row of a text or Excel file. What the file is and how
    its text is encoded are told by the log reader's sniffers (:mod:`procmine.read.files`), so a
    holidays file is recognised as a log would be."""
    from procmine.errors import LogFileError
    from procmine.read.files import EXCEL_SUFFIXES, decode_bytes, sniff_content

    raw = path.read_bytes()
    suffix = path.suffix.lower()
    kind = sniff_content(raw[:4096])
    if suffix in EXCEL_SUFFIXES or kind == "zip":
        return _workbook_rows(path, raw)
    if suffix == ".xls" or kind == "ole":
        raise CalendarError(f"holidays file {str(path)!r} is an Excel 97-2003 .xls file: save it as .xlsx or .csv")
    try:
        text, _encoding = decode_bytes(raw, path)
    except LogFileError:
        raise CalendarError(f"holidays file {str(path)!r} is neither UTF-8 nor GBK text: save it as UTF-8") from None
    return _text_rows(text)


def _workbook_rows(path: Path, raw: bytes) -> list[tuple[int, list[Any]]]:
    """The rows of the first sheet with any, comment rows (``#``) left out."""
    import io

    import openpyxl

    from procmine.read.files import EXCEL_SUFFIXES
    from procmine.read.limits import check_workbook

    check_workbook(path)  # a zip bomb is refused from its directory, before openpyxl parses it
    try:
        # openpyxl refuses names not ending in .xlsx/.xlsm; a workbook under another name comes as a stream
        book = openpyxl.load_workbook(path if path.suffix.lower() in EXCEL_SUFFIXES else io.BytesIO(raw),
                                      read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise CalendarError(f"holidays file {str(path)!r} cannot be opened as Excel: {exc}") from exc
    try:
        for sheet in book.worksheets:
            rows = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = list(row)
                while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
                    cells.pop()
                if cells and not str(cells[0]).strip().startswith("#"):
                    rows.append((number, cells))
            if rows:
                return rows
        return []
    finally:
        book.close()


def _text_rows(text: str) -> list[tuple[int, list[Any]]]:
    """The rows of a text file: cells split at commas, tabs, semicolons or spaces; blank lines and
    ``#`` comments left out."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = re.sub(r"\s+#.*$", "", stripped)
        if "," in stripped or "，" in stripped:
            cells = re.split(r"[,，]", stripped)
        elif "\t" in stripped:
            cells = stripped.split("\t")
        elif ";" in stripped or "；" in stripped:
            cells = re.split(r"[;；]", stripped)
        else:
            cells = stripped.split()
        cells = [c.strip().strip('"').strip() for c in cells]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((number, cells))
    return rows


def read_holidays_file(path: str | Path) -> tuple[frozenset[date], frozenset[date]]:
    """Company days off and working days from a CSV/TXT/XLSX file: ``(holidays, workdays)``.

    One date per row, optionally followed by a type: 假日/休息/holiday/off (a day off, also
    the default when the type is missing) or 工作日/上班/调休/workday/work (a working day).
    A header row naming the columns (日期/date, 类型/type) is optional; without one the date
    is the first column and the type the second, further columns are ignored (notes).
    Blank lines and ``#`` comments are ignored. Dates may be written 2025-10-01, 2025/10/1
    or 2025年10月1日 (or be real Excel dates). Errors name the file, line and value.
    """
    path = Path(path)
    where = f"holidays file {str(path)!r}"
    if not path.exists():
        raise CalendarError(f"{where} does not exist")
    if path.is_dir():
        raise CalendarError(f"{where} is a folder, not a file")
    rows = _read_rows(path)
    if not rows:
        raise CalendarError(f"{where} has no dates: write one date per line, e.g. 2025-10-01,假日")

    date_col, type_col = 0, 1
    first_number, first_cells = rows[0]
    if not any(_is_date_like(c) for c in first_cells):
        headers = [_normal_word(c) for c in first_cells]
        date_col = next((i for i, h in enumerate(headers) if any(w in h for w in _DATE_HEADERS)), -1)
        if date_col < 0:
            raise CalendarError(
                f"{where}, line {first_number}: {', '.join(str(c) for c in first_cells)!r} is neither a "
                "date nor a header with a date column (日期/date); write one date per line, e.g. 2025-10-01,假日"
            )
        type_col = next(
            (i for i, h in enumerate(headers) if i != date_col and any(w in h for w in _TYPE_HEADERS)), -1
        )
        rows = rows[1:]

    seen: dict[date, tuple[bool, int]] = {}
    for number, cells in rows:
        value = cells[date_col] if date_col < len(cells) else None
        try:
            day = _cell_date(value)
        except _BadDate as exc:
            raise CalendarError(f"{where}, line {number}: {value!r} is not a real date ({exc})") from None
        if day is None:
            raise CalendarError(
                f"{where}, line {number}: cannot read {value!r} as a date; "
                "write dates like 2025-10-01, 2025/10/1 or 2025年10月1日"
            )
        kind_value = cells[type_col] if 0 <= type_col < len(cells) else None
        word = _normal_word(kind_value) if kind_value is not None else ""
        if word == "" or word in _OFF_NORMAL:
            is_work = False
        elif word in _WORK_NORMAL:
            is_work = True
        else:
            raise CalendarError(
                f"{where}, line {number}: type {kind_value!r} for {day.isoformat()} is neither a day off "
                "(假日/休息/holiday/off) nor a working day (工作日/上班/调休/workday/work)"
            )
        if day in seen and seen[day][0] != is_work:
            raise CalendarError(
                f"{where}, line {number}: {day.isoformat()} is a "
                f"{'working day' if is_work else 'day off'} here but a "
                f"{'working day' if seen[day][0] else 'day off'} on line {seen[day][1]}"
            )
        seen.setdefault(day, (is_work, number))
    holidays = frozenset(d for d, (w, _) in seen.items() if not w)
    workdays = frozenset(d for d, (w, _) in seen.items() if w)
    return holidays, workdays


def _is_date_like(value: Any) -> bool:
    try:
        return _cell_date(value) is not None
    except _BadDate:
        return True

