"""The survey report as data: sections of headings, findings, tables and charts.

Every renderer (HTML, Markdown, Word) walks the same :class:`SurveyReport`, so the three files
say the same thing. Text is kept plain here; each renderer escapes it for its format, so a
name from the log (``<script>``, ``|``, ``=cmd|``) stays literal text everywhere.
"""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Union


from procmine.text import percent

if TYPE_CHECKING:
    import pandas as pd

#: how each column of a table is written: "int" 1,234 · "1f" 12.3 · "pct" 12.3 % · "text"
FORMATS = ("int", "1f", "2f", "pct", "text")


@dataclass
class Heading:
    """A sub-heading inside a section (level 2; 3 below that)."""

    text: str
    level: int = 2


@dataclass
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass
class Bullets:
    """Findings as a bulleted list: each states its number, unit and time basis."""

    items: list[str]


@dataclass
class Note:
    """A small-print remark (caveats, warnings from the analyses)."""

    text: str


@dataclass
class Table:
    """A table: the values in ``frame`` (headers already carry the units) and how to write them."""

    name: str
    caption: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str = ""
    number: int = 0

    def cells(self) -> list[list[str]]:
        """The rows as display strings (numbers formatted, missing values as '–')."""
        columns = list(self.frame.columns)
        kinds = [self.formats.get(c, "text") for c in columns]
        return [[_cell(value, kind) for value, kind in zip(row, kinds)]
                for row in self.frame.itertuples(index=False, name=None)]

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def numeric(self, column: str) -> bool:
        return self.formats.get(column, "text") != "text"


@dataclass
class Chart:
    """A chart rendered once as a 200 dpi PNG (the figure itself is not kept)."""

    name: str
    caption: str
    png: bytes
    number: int = 0

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) in pixels, read from the PNG header."""
        width, height = struct.unpack(">II", self.png[16:24])
        return width, height


Block = Union[Heading, Paragraph, Bullets, Note, Table, Chart]


@dataclass
class Section:
    """One numbered section of the report (``key`` names it for code: 'scope', 'flowchart' …)."""

    key: str
    number: int
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"


@dataclass
class SurveyReport:
    """The current-state survey report (现状调研分析报告): title, sections and the analyses behind them.

    >>> report = procmine.build_report(log, target="3wd")     # doctest: +SKIP
    >>> report.write_all("procmine_report")                    # doctest: +SKIP
    >>> report                                                 # shows inline in a notebook  # doctest: +SKIP
    """

    title: str
    subtitle: str
    lang: str
    sections: list[Section]
    process: str = ""
    period: str = ""
    generated: str = ""
    #: the analysis results the sections were built from (process_map, kpis, bottlenecks, loops,
    #: improvements, comparison …), for a notebook user who wants the full tables
    results: dict = field(default_factory=dict, repr=False)

    # --- looking inside ------------------------------------------------------------------
    def section(self, key: str) -> Section:
        """The section named ``key`` ('scope', 'flowchart', 'kpi', 'bottlenecks', 'loops', 'workload',
        'improvements', 'comparison', 'appendix')."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"no section {key!r}; the report has {', '.join(s.key for s in self.sections)}")

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    def table(self, name: str) -> Table:
        for table in self.tables():
            if table.name == name:
                return table
        raise KeyError(f"no table {name!r}; tables: {', '.join(t.name for t in self.tables())}")

    # --- output ----------------------------------------------------------------------------
    def to_html(self, standalone: bool = True) -> str:
        """One self-contained HTML document (charts embedded, styles inline, no external references)."""
        from procmine.report.html import render_html

        return render_html(self, standalone=standalone)

    def save_html(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def save_markdown(self, path: str | Path, files_dir: str | None = None) -> Path:
        """``report.md`` with its charts (PNG) and tables (CSV) in ``report_files/`` beside it."""
        from procmine.report.markdown import write_markdown

        return write_markdown(self, Path(path), files_dir)

    def save_docx(self, path: str | Path) -> Path:
        """A Word document: headings, findings, tables and the charts at their drawn size."""
        from procmine.report.docx import write_docx

        return write_docx(self, Path(path))

    def save_xlsx(self, path: str | Path) -> Path:
        """Every table in one Excel workbook: a contents sheet, then a sheet per table."""
        from procmine.report.xlsx import write_xlsx

        return write_xlsx(self, Path(path))

    def write_all(self, out_dir: str | Path) -> dict[str, Path]:
        """report.html, report.md (+ report_files/), report.docx and report.xlsx in ``out_dir``; returns the
        paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return {
            "html": self.save_html(out / "report.html"),
            "markdown": self.save_markdown(out / "report.md"),
            "files": out / "report_files",
            "docx": self.save_docx(out / "report.docx"),
            "xlsx": self.save_xlsx(out / "report.xlsx"),
        }

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def __repr__(self) -> str:
        parts = ", ".join(f"{s.number} {s.key}" for s in self.sections)
        return (f"SurveyReport({self.title!r}, {len(self.sections)} sections: {parts}; "
                f"{len(self.tables())} tables, {len(self.charts())} charts)")


def _cell(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        import pandas as pd

        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):  # lists and other non-scalars
        pass
    if isinstance(value, (list, tuple)):
        return " → ".join(str(v) for v in value)
    if kind == "int":
        return f"{int(value):,}"
    if kind == "1f":
        return f"{float(value):,.1f}"
    if kind == "2f":
        return f"{float(value):,.2f}"
    if kind == "pct":
        return percent(value)
    return str(value)


def figure_png(fig, dpi: int = 200) -> bytes:
    """The figure as PNG bytes, drawn like :func:`procmine.chart.flowchart.save_figure` (tight, white)."""
    from procmine.chart.fonts import chart_style

    buffer = io.BytesIO()
    with chart_style():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.1, facecolor="white")
    return buffer.getvalue()


_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {0x7F: None, 0xFFFE: None, 0xFFFF: None}


def printable(text) -> str:
    """``text`` as a string without control characters (XML and Word refuse them; HTML shows junk)."""
    return str(text).translate(_CONTROL)
