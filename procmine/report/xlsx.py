"""Every table of the report in one Excel workbook: a contents sheet, then one sheet per table.

The sheets are written by the shared :func:`procmine.report.workbook.write_workbook` (text through
:func:`procmine.output.safe_cell`, the rule of every CSV procmine writes, so a name such as
``=cmd|' /C calc'!A0`` gets a leading apostrophe and stays text). Here the numbers get the report's
formats (1,234 · 12.3 · 12.3 %), and a contents sheet links to every table.

    >>> report.save_xlsx("report.xlsx")       # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path

from procmine.output import safe_cell, xml_text
from procmine.report.model import SurveyReport, Table, printable
from procmine.report.text import Text

NUMBER_FORMATS = {"int": "#,##0", "1f": "#,##0.0", "2f": "#,##0.00", "pct": "0.0%"}
HEADER_FILL = "EEF2F6"
#: characters Excel does not allow in a sheet name
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _text(value) -> str:
    return xml_text(printable(value))


def sheet_name(table: Table, t: Text, taken: set[str]) -> str:
    """「表 3 数据质量」 cut to Excel's 31 characters, without the characters Excel forbids; unique."""
    base = _SHEET_FORBIDDEN.sub("_", f"{t('table', n=table.number)} {table.caption}")[:31].rstrip()
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def write_xlsx(report: SurveyReport, path: Path) -> Path:
    """Write ``path``: a contents sheet listing every table, then one sheet per table (through the shared
    :func:`procmine.report.workbook.write_workbook`), numbers formatted as the report writes them."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font, PatternFill

    from procmine.report.workbook import write_workbook

    t = Text(report.lang)
    contents_title = t("contents")
    taken = {contents_title.lower()}
    tables = [(sheet_name(table, t, taken), table) for table in report.tables()]
    captions = {name: _text(f"{t('table', n=table.number)} {table.caption}"
                            + (f" — {table.note}" if table.note else "")) for name, table in tables}
    write_workbook({name: table.frame for name, table in tables}, path, notes=captions)

    book = load_workbook(path)
    for name, table in tables:
        sheet = book[name]
        for j, header in enumerate(table.headers, 1):
            number_format = NUMBER_FORMATS.get(table.formats.get(header, "text"))
            if number_format is None:
                continue
            for row in range(3, 3 + len(table.frame)):  # the caption, the header, then the rows
                cell = sheet.cell(row=row, column=j)
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = number_format
    contents = book.create_sheet(contents_title, 0)
    contents.append([_text(report.title)])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append([_text(report.subtitle)])
    contents.append([])
    contents.append([t("contents_table"), t("contents_caption"), t("sheet")])
    for cell in contents[contents.max_row]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for name, table in tables:
        contents.append([table.number, safe_cell(_text(table.caption)), name])
        link = contents.cell(row=contents.max_row, column=3)
        link.hyperlink = f"#'{name}'!A1"
        link.style = "Hyperlink"
    for column, width in (("A", 6), ("B", 70), ("C", 34)):
        contents.column_dimensions[column].width = width
    book.active = 0
    book.save(str(path))
    return path
