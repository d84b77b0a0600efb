"""Tables into one Excel workbook, one sheet each: frozen header, widths set, numbers as numbers,
text neutralised (the rule of every CSV procmine writes, :func:`procmine.output.safe_cell`).

    >>> write_workbook({"KPI": kpis_frame, "环节": steps_frame}, "diff.xlsx")    # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from procmine.errors import OutputError
from procmine.output import safe_cell, xml_text

MAX_COLUMN_WIDTH = 60
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and (math.isnan(value) or math.isinf(value)) else value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time, as in the log
    if isinstance(value, date):
        return value
    if isinstance(value, (list, tuple)):
        value = " → ".join(str(v) for v in value)
    return xml_text(safe_cell("" if value is None else str(value)))


def write_workbook(sheets: dict, path: str | Path, notes: dict[str, str] | None = None) -> Path:
    """Write ``sheets`` ({name: polars or pandas frame}) to ``path``. ``notes``: a line per sheet
    written above its header (units, time basis)."""
    import openpyxl
    import polars as pl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = openpyxl.Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for name, frame in sheets.items():
        if isinstance(frame, pl.DataFrame):
            frame = frame.to_pandas()
        title = _SHEET_FORBIDDEN.sub("_", str(name))[:31] or "sheet"
        base, n = title, 2
        while title.lower() in taken:
            title, n = f"{base[:27]} ({n})", n + 1
        taken.add(title.lower())
        sheet = book.create_sheet(title)
        top = 1
        note = (notes or {}).get(name)
        if note:
            sheet.cell(row=1, column=1, value=_cell(note)).font = Font(italic=True, color="4F5D6B")
            top = 2
        headers = [str(c) for c in frame.columns]
        for j, header in enumerate(headers, 1):
            cell = sheet.cell(row=top, column=j, value=_cell(header))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2F6")
        widths = [_width(h) for h in headers]
        for i, row in enumerate(frame.itertuples(index=False, name=None), top + 1):
            for j, value in enumerate(row, 1):
                if hasattr(value, "to_pydatetime"):
                    value = value.to_pydatetime()
                value = None if value is not None and not isinstance(value, (str, list, tuple)) and \
                    _is_missing(value) else value
                written = _cell(value)
                cell = sheet.cell(row=i, column=j, value=written)
                if isinstance(written, float):
                    cell.number_format = "#,##0.00"
                elif isinstance(written, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                widths[j - 1] = max(widths[j - 1], _width(str(written if written is not None else "")))
        for j, w in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(j)].width = min(MAX_COLUMN_WIDTH, w + 2)
        sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    if not book.sheetnames:
        book.create_sheet("empty")
    try:
        book.save(path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}).") from None
    return path


def _is_missing(value) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


__all__ = ["write_workbook"]
