"""The report as one self-contained HTML file: styles inline, charts as base64 PNG, no links out.

Every string is escaped with :func:`html.escape` (names from the log such as ``<script>`` or
``</td>`` stay text). Nothing is fetched: no scripts, links, fonts or images from elsewhere, so
the file opens the same offline, attached to a mail or printed to PDF. The characters of the report,
cut from the chart font and embedded, come first in the font list; the reader's own fonts follow.
"""

from __future__ import annotations

import base64
import html
import io
import unicodedata

from procmine.report.model import Bullets, Chart, Heading, Note, Paragraph, SurveyReport, Table, printable
from procmine.report.text import Text

EMBEDDED_FAMILY = "procmine CJK"
#: the embedded subset first: it holds every character of the report, so the page looks the same on a
#: machine without Chinese fonts (a headless browser, print-to-PDF), where a Latin font named before it
#: would leave Chinese as empty boxes; the reader's fonts follow in case the embedding failed
FONTS = ('"' + EMBEDDED_FAMILY + '", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
         '"Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif')

CSS = """
.procmine-report { font-family: %(fonts)s; color: #28313b; line-height: 1.6; max-width: 1040px; margin: 0 auto;
  padding: 24px 28px 48px; font-size: 15px; background: #fff; }
.procmine-report h1 { font-size: 26px; margin: 8px 0 4px; }
.procmine-report h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #c8402f; }
.procmine-report h3 { font-size: 16px; margin: 22px 0 8px; }
.procmine-report .subtitle { color: #5b6570; margin: 0 0 18px; font-size: 13px; }
.procmine-report nav ol { margin: 4px 0 0; padding-left: 0; list-style: none; columns: 2; }
.procmine-report nav a { color: #1f5f99; text-decoration: none; }
.procmine-report nav h2 { border: 0; margin-top: 16px; }
.procmine-report ul { padding-left: 22px; }
.procmine-report li { margin: 3px 0; }
.procmine-report p, .procmine-report li, .procmine-report td, .procmine-report th { overflow-wrap: break-word; }
.procmine-report td.text { min-width: 7em; }
.procmine-report .note { color: #5b6570; font-size: 13px; }
.procmine-report figure { margin: 16px 0 22px; }
.procmine-report figure.chart { text-align: center; }
.procmine-report figure.chart img { max-width: 100%%; height: auto; }
.procmine-report figcaption { font-size: 13px; color: #28313b; margin: 6px 0; font-weight: 600; }
.procmine-report .scroll { overflow-x: auto; }
.procmine-report table { border-collapse: collapse; font-size: 13px; width: auto; max-width: 100%%; }
.procmine-report th, .procmine-report td { border: 1px solid #d5dbe1; padding: 4px 8px; vertical-align: top;
  text-align: left; }
.procmine-report th { background: #eef2f6; font-weight: 600; }
.procmine-report td.num, .procmine-report th.num { text-align: right; }
.procmine-report td.num { white-space: nowrap; }
.procmine-report td.short, .procmine-report th.short { white-space: nowrap; }
.procmine-report tbody tr:nth-child(even) td { background: #fafbfc; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  .procmine-report { max-width: none; padding: 0; font-size: 10.5pt; }
  .procmine-report h2 { break-after: avoid; }
  .procmine-report h3 { break-after: avoid; }
  .procmine-report figure.chart, .procmine-report figure.keep { break-inside: avoid; }
  .procmine-report figcaption { break-after: avoid; }
  .procmine-report figure.chart img { max-height: 235mm; }
  .procmine-report .scroll { overflow: visible; }
  .procmine-report thead { display: table-header-group; }
  .procmine-report tr { break-inside: avoid; }
  .procmine-report nav a { color: inherit; }
}
""" % {"fonts": FONTS}


NUM = ' class="num"'


def esc(text) -> str:
    return html.escape(printable(text), quote=True)


def render_html(report: SurveyReport, standalone: bool = True) -> str:
    """The report as HTML: a whole document, or (``standalone=False``) a fragment for a notebook."""
    t = Text(report.lang)
    parts = [f'<div class="procmine-report" lang="{t("language_tag")}">', f"<style>{CSS}</style>",
             f"<header><h1>{esc(report.title)}</h1><p class=\"subtitle\">{esc(report.subtitle)}</p></header>"]
    if standalone:
        items = "".join(f'<li><a href="#s{s.number}">{esc(s.heading)}</a></li>' for s in report.sections)
        parts.append(f"<nav><h2>{esc(t('contents'))}</h2><ol>{items}</ol></nav>")
    for section in report.sections:
        parts.append(f'<section id="s{section.number}"><h2>{esc(section.heading)}</h2>')
        parts += [_block(block, t) for block in section.blocks]
        parts.append("</section>")
    parts.append("</div>")
    body = "\n".join(parts)
    font = embedded_font(body)
    if font:
        body = body.replace("<style>", f"<style>{font}", 1)
    if not standalone:
        return body
    return ("<!DOCTYPE html>\n"
            f'<html lang="{t("language_tag")}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(report.title)}</title>"
            '<style>body { margin: 0; background: #fff; }</style></head>\n'
            f"<body>\n{body}\n</body></html>\n")


def _block(block, t: Text) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level + 1, 3), 4)
        return f"<h{level}>{esc(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{esc(block.text)}</p>"
    if isinstance(block, Note):
        return f'<p class="note">{esc(block.text)}</p>'
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block, t)
    if isinstance(block, Chart):
        width, _ = block.size_px
        data = base64.b64encode(block.png).decode("ascii")
        caption = f"{t('figure', n=block.number)} {block.caption}"
        return (f'<figure class="chart"><img src="data:image/png;base64,{data}" width="{width // 2}" '
                f'alt="{esc(caption)}"><figcaption>{esc(caption)}</figcaption></figure>')
    raise TypeError(f"unknown report block {type(block).__name__}")


#: a text column no wider than this (half-width characters; a Chinese one counts two) is kept on one line
SHORT = 16
#: tables of at most this many rows stay on one printed page
KEEP_ROWS = 15


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(table: Table, t: Text) -> str:
    headers, rows = table.headers, table.cells()
    classes = []
    for i, header in enumerate(headers):
        if table.numeric(header):
            classes.append(NUM)
        elif max([_width(header)] + [_width(row[i]) for row in rows]) <= SHORT:
            classes.append(' class="short"')
        else:
            classes.append(' class="text"')
    head = "".join(f"<th{c}>{esc(h)}</th>" for h, c in zip(headers, classes))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{esc(cell)}</td>" for cell, c in zip(row, classes)) + "</tr>"
        for row in rows
    )
    caption = f"{t('table', n=table.number)} {table.caption}"
    note = f'<p class="note">{esc(table.note)}</p>' if table.note else ""
    keep = " keep" if len(rows) <= KEEP_ROWS else ""  # a short table is not split over two pages
    return (f'<figure class="table{keep}"><figcaption>{esc(caption)}</figcaption><div class="scroll"><table>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}</figure>")


def embedded_font(text: str) -> str:
    """An ``@font-face`` rule with the chart font (Noto Sans CJK SC, SIL OFL) cut down to the characters
    of ``text``, inline as a data URI (about 100 kB): Chinese shows on a machine without Chinese fonts,
    such as a headless browser, and nothing is fetched. Empty when the font or fontTools is missing."""
    try:
        from fontTools import subset

        from procmine.chart.fonts import cjk_font_path

        options = subset.Options()
        options.layout_features = []
        options.hinting = False
        options.desubroutinize = True
        options.flavor = "woff"
        # read lazily, only the tables and glyphs needed; the file stays open until closed here
        with subset.load_font(cjk_font_path(), options, lazy=True) as font:
            subsetter = subset.Subsetter(options)
            subsetter.populate(text="".join(sorted(set(text))))
            subsetter.subset(font)
            buffer = io.BytesIO()
            font.flavor = "woff"
            font.save(buffer)
    except Exception:  # no font, no fontTools, an unreadable font: the reader's fonts will do
        return ""
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}\n')
