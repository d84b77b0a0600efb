"""The report as Markdown, with its charts (PNG) and tables (CSV) in a folder beside it.

Text from the log is escaped so it cannot start a table cell (``|``), emphasis (``*``, ``_``),
a link, code or raw HTML (``<script>`` is written ``&lt;script&gt;``). The CSV copies of the
tables open in Excel (UTF-8 with BOM); a cell that would start a formula (``=``, ``+``, ``-``,
``@``) is written with a leading apostrophe, so ``=cmd|' /C calc'!A0`` stays text.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from procmine.output import safe_cell  # the one formula rule for every CSV procmine writes
from procmine.report.model import Bullets, Chart, Heading, Note, Paragraph, SurveyReport, Table, printable
from procmine.report.text import Text

_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: what would start a list or a heading underline at the beginning of a line ('>' becomes &gt; anyway)
_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_BULLET = re.compile(r"^(\s*)([-+=])")


def md(text, line_start: bool = False) -> str:
    """``text`` as literal Markdown on one line (``line_start``: it begins a line of its own)."""
    text = printable(text).replace("\n", " ").replace("\t", " ")
    text = _SPECIAL.sub(r"\\\1", text)
    if line_start:
        text = _BULLET.sub(r"\1\\\2", _ORDERED.sub(r"\1\\\2", text))
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def write_table_csv(table: Table, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(printable(h)) for h in table.headers])
        for row in table.frame.itertuples(index=False, name=None):
            writer.writerow([safe_cell(printable(v) if isinstance(v, str) else v) for v in row])
    return path


def write_markdown(report: SurveyReport, path: Path, files_dir: str | None = None) -> Path:
    """Write ``path`` and, in ``files_dir`` (default ``<stem>_files``) beside it, every chart and table."""
    folder = path.parent / (files_dir or f"{path.stem}_files")
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("fig[0-9][0-9]_*.png"), *folder.glob("table[0-9][0-9]_*.csv")]:
        old.unlink()  # a chart or table of an earlier run that this report may not have
    t = Text(report.lang)
    lines = [f"# {md(report.title)}", "", md(report.subtitle), ""]
    for section in report.sections:
        lines += [f"## {md(section.heading)}", ""]
        for block in section.blocks:
            lines += _block(block, t, folder, path.parent) + [""]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


def _block(block, t: Text, folder: Path, base: Path) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * min(block.level + 1, 4)} {md(block.text)}"]
    if isinstance(block, Paragraph):
        return [md(block.text, line_start=True)]
    if isinstance(block, Note):
        return [f"> {md(block.text)}"]
    if isinstance(block, Bullets):
        return [f"- {md(item)}" for item in block.items]
    if isinstance(block, Chart):
        file = folder / f"{block.name}.png"
        file.write_bytes(block.png)
        caption = md(f"{t('figure', n=block.number)} {block.caption}")
        return [f"![{caption}]({file.relative_to(base).as_posix()})", "", f"*{caption}*"]
    if isinstance(block, Table):
        csv_file = write_table_csv(block, folder / f"{block.name}.csv")
        headers = block.headers
        align = ["---:" if block.numeric(h) else "---" for h in headers]
        caption = md(f"{t('table', n=block.number)} {block.caption}")
        lines = [f"**{caption}** ([CSV]({csv_file.relative_to(base).as_posix()}))", "",
                 "| " + " | ".join(md(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
        lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in block.cells()]
        if block.note:
            lines += ["", f"> {md(block.note)}"]
        return lines
    raise TypeError(f"unknown report block {type(block).__name__}")
