"""The report as a Word document (python-docx): where these reports are finished.

Headings use Word's Heading 1/2/3 styles (so the navigation pane and a table of contents work),
tables have a shaded header row that repeats on every page. Charts print at their drawn size
(their text keeps its point size) or scaled to the text width; wide maps go on a landscape page
and tall charts on a page of their own. Captions are numbered with SEQ fields and the contents
is a TOC field that Word fills in when the document opens. Chinese displays in Word and LibreOffice,
also on a machine without Chinese fonts: the document carries a subset of Noto Sans CJK SC
(:mod:`procmine.report.docx_fonts`), set as the East Asian font on the document defaults and on
every style used (``w:eastAsia`` on ``w:rFonts``, theme fonts removed), with the East Asian
language zh-CN.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from procmine.report.docx_fonts import embed_cjk_font
from procmine.report.model import Bullets, Chart, Heading, Note, Paragraph, SurveyReport, Table, printable
from procmine.report.text import Text

LATIN_FONT = "Arial"
CHART_DPI = 200           # the PNGs are drawn at 200 dpi with their text at its printed point size
PORTRAIT_TEXT_CM = (16.0, 24.9)
#: the text area of a chart's own page: A4 with 1.8 cm margins along its long side
OWN_PAGE_MARGIN_CM = 1.8
OWN_PAGE_PORTRAIT_CM = (21.0 - 2 * 2.5, 29.7 - 2 * OWN_PAGE_MARGIN_CM)
OWN_PAGE_LANDSCAPE_CM = (29.7 - 2 * OWN_PAGE_MARGIN_CM, 21.0 - 2 * 2.5)
CAPTION_CM = 1.2          # the caption under a chart, and a little air
#: a chart taller than this share of the page gets a page of its own instead of being pushed
#: over to the next page and leaving most of the one before it empty
OWN_PAGE_SHARE = 0.55
EAST_ASIA_FONT = "Microsoft YaHei"
EAST_ASIA_ALT = "微软雅黑"
TEXT_WIDTH_CM = 16.0
HEADER_FILL = "EEF2F6"
CHAR_CM = 0.165           # a half-width character at 8.5 pt (a Chinese one counts two)
CELL_PADDING_CM = 0.45    # Word's default cell margins and a little air
SHORT_COLUMN_CM = 3.2     # a column whose longest value fits in this is kept on one line
MIN_TEXT_COLUMN_CM = 2.5
DARK = RGBColor(0x28, 0x31, 0x3B)
MUTED = RGBColor(0x5B, 0x65, 0x70)
ACCENT = RGBColor(0xC8, 0x40, 0x2F)


def write_docx(report: SurveyReport, path: Path) -> Path:
    t = Text(report.lang)
    doc = Document()
    _page(doc)
    _fonts(doc)
    doc.core_properties.title = printable(report.title)
    doc.core_properties.subject = printable(report.subtitle)
    doc.core_properties.author = "procmine"
    doc.core_properties.language = t("language_tag")
    doc.add_paragraph(printable(report.title), style="Title")
    subtitle = doc.add_paragraph()
    _run(subtitle, report.subtitle, size=10, color=MUTED)
    _contents(doc, t)
    for section in report.sections:
        lead = _opening_chart(section.blocks)
        if lead is not None:  # heading, intro and the tall chart share the chart's page
            _new_section(doc, "portrait", own_page=True)
        doc.add_heading(printable(section.heading), level=1)
        for i, block in enumerate(section.blocks):
            if i == lead:
                _chart(doc, block, t, page_started=True)
            else:
                _block(doc, block, t)
    doc.save(str(path))
    # a Chinese font inside the document: Chinese shows where no Chinese font is installed
    embed_cjk_font(path, east_asia=EAST_ASIA_FONT)
    return path


# --- page and styles ---------------------------------------------------------------------------
def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.4)


def _rfonts(rpr):
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)  # a theme font would override the named one
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    rfonts.set(qn("w:cs"), LATIN_FONT)
    return rfonts


def _fonts(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _rfonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    for name, size, bold, color in (("Normal", 10.5, None, DARK), ("Title", 22, True, DARK),
                                    ("Heading 1", 16, True, DARK), ("Heading 2", 13, True, DARK),
                                    ("Heading 3", 11.5, True, DARK), ("Caption", 9, True, DARK),
                                    ("List Bullet", 10.5, None, DARK)):
        style = styles[name]
        style.font.size = Pt(size)
        if bold is not None:
            style.font.bold = bold
        style.font.color.rgb = color
        _rfonts(style.element.get_or_add_rPr())
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 1"].paragraph_format.space_after = Pt(8)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Normal"].paragraph_format.line_spacing = 1.25
    styles["Caption"].font.italic = False
    _font_table(doc)


def _font_table(doc) -> None:
    """Declare the East Asian font with its Chinese name and the GB2312 character set (86): Word and
    LibreOffice then substitute a Chinese font where this one is not installed."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    if any(font.get(qn("w:name")) == EAST_ASIA_FONT for font in root.findall(qn("w:font"))):
        return
    font = etree.SubElement(root, qn("w:font"))
    font.set(qn("w:name"), EAST_ASIA_FONT)
    for tag, value in (("w:altName", EAST_ASIA_ALT), ("w:panose1", "020B0503020204020204"), ("w:charset", "86"),
                       ("w:family", "swiss"), ("w:pitch", "variable")):
        etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- blocks ------------------------------------------------------------------------------------
def _run(paragraph, text, *, size=None, bold=None, italic=None, color=None):
    run = paragraph.add_run(printable(text))
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    if color is not None:
        run.font.color.rgb = color
    return run


def _block(doc, block, t: Text) -> None:
    if isinstance(block, Heading):
        doc.add_heading(printable(block.text), level=min(block.level, 3))
    elif isinstance(block, Paragraph):
        doc.add_paragraph(printable(block.text))
    elif isinstance(block, Note):
        _run(doc.add_paragraph(), block.text, size=9, color=MUTED)
    elif isinstance(block, Bullets):
        for item in block.items:
            doc.add_paragraph(printable(item), style="List Bullet")
    elif isinstance(block, Chart):
        _chart(doc, block, t)
    elif isinstance(block, Table):
        _table(doc, block, t)
    else:
        raise TypeError(f"unknown report block {type(block).__name__}")


def chart_placement(width_px: int, height_px: int) -> tuple[str, float, bool]:
    """(orientation, printed width in cm, on a page of its own) for a chart drawn at CHART_DPI.

    Charts are drawn with their text at its printed size (8 pt at least), so they print at their
    drawn size. One that fits the text width and is not tall flows with the text; a tall one gets
    a page of its own (with narrower top and bottom margins) instead of being pushed over to the
    next page and leaving most of the one before it empty; one too wide for a portrait page goes
    on a landscape page. Only a chart too large for either is scaled down, as little as it can be.
    """
    natural_w, natural_h = width_px / CHART_DPI * 2.54, height_px / CHART_DPI * 2.54
    if natural_w <= PORTRAIT_TEXT_CM[0] and natural_h <= OWN_PAGE_SHARE * PORTRAIT_TEXT_CM[1]:
        return "portrait", round(natural_w, 2), False
    scales = {}
    for orientation, (room_w, room_h) in (("portrait", OWN_PAGE_PORTRAIT_CM), ("landscape", OWN_PAGE_LANDSCAPE_CM)):
        scales[orientation] = min(1.0, room_w / natural_w, (room_h - CAPTION_CM) / natural_h)
    orientation = "portrait" if scales["portrait"] >= scales["landscape"] else "landscape"
    return orientation, round(natural_w * scales[orientation], 2), True


#: room a section's heading and a short introduction take above a chart on its page
OPENING_CM = 4.0
OPENING_CHARS = 400


def _opening_chart(blocks) -> int | None:
    """The index of a tall portrait chart that opens a section after at most a short introduction,
    when heading, introduction and chart fit one page: the section then starts on the chart's
    page rather than leaving its heading alone at the foot of the page before."""
    text = 0
    for i, block in enumerate(blocks[:4]):
        if isinstance(block, Chart):
            orientation, width_cm, own_page = chart_placement(*block.size_px)
            width, height = block.size_px
            printed_h = height / width * width_cm
            fits = printed_h + CAPTION_CM + OPENING_CM <= OWN_PAGE_PORTRAIT_CM[1]
            return i if own_page and orientation == "portrait" and fits and text <= OPENING_CHARS else None
        if isinstance(block, (Paragraph, Note)):
            text += len(block.text)
        elif isinstance(block, Bullets):
            text += sum(len(item) for item in block.items)
        else:
            return None
    return None


def _chart(doc, chart: Chart, t: Text, page_started: bool = False) -> None:
    width, height = chart.size_px
    orientation, width_cm, own_page = chart_placement(width, height)
    if own_page and not page_started:
        _new_section(doc, orientation, own_page=True)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Cm(width_cm))
    caption = doc.add_paragraph(style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _caption(caption, t("figure", n="").strip(), chart.number, chart.caption)
    if own_page:
        _new_section(doc, "portrait")


def _new_section(doc, orientation: str, own_page: bool = False) -> None:
    """A section break to a new page in ``orientation`` (A4); a chart's own page has narrower margins
    across its height."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    long, short = Cm(29.7), Cm(21.0)
    margin = Cm(OWN_PAGE_MARGIN_CM) if own_page else Cm(2.4)
    if orientation == "landscape":
        section.left_margin = section.right_margin = margin
        section.top_margin = section.bottom_margin = Cm(2.5)
    else:
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = margin
    if orientation == "landscape":
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = long, short
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = short, long


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (w:fldChar begin/separate/end) showing ``shown`` until Word updates it."""
    def char(kind):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run._r.append(code)
    char("separate")
    paragraph.add_run(printable(shown))
    char("end")


def _caption(paragraph, label: str, number: int, text: str) -> None:
    """「图 1 …」 with the number as a SEQ field, so Word renumbers captions and lists them."""
    _run(paragraph, f"{label} ")
    _field(paragraph, f"SEQ {label} \\* ARABIC", str(number))
    _run(paragraph, f" {text}")


def _contents(doc, t: Text) -> None:
    """The table of contents as a Word TOC field over Heading 1–3, updated when the document opens."""
    heading = doc.add_paragraph()  # not a Heading style: the contents does not list itself
    heading.paragraph_format.space_before = Pt(12)
    _run(heading, t("contents"), size=16, bold=True, color=DARK)
    _field(doc.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u',
           t("contents_update"))
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _widths(headers: list[str], rows: list[list[str]], numeric: list[bool]) -> list[float]:
    """Column widths (cm) summing to the text width: numbers and short values get what they need on
    one line, the longer text columns share the rest in proportion to their content."""
    def need(text: str) -> float:
        return _display_width(text) * CHAR_CM + CELL_PADDING_CM

    def header_need(text: str) -> float:  # a header may wrap: between words, or after any 4 Chinese characters
        words = text.split() or [""]
        return max(min(need(word), need("中文字符")) if not word.isascii() else need(word) for word in words)

    fixed, weights = {}, {}
    for i, header in enumerate(headers):
        content = max([need(r[i]) for r in rows] + [header_need(header)])
        if numeric[i] or content <= SHORT_COLUMN_CM:
            fixed[i] = content
        else:
            weights[i] = min(content, 40.0)
    room = TEXT_WIDTH_CM - sum(fixed.values())
    if weights and room < MIN_TEXT_COLUMN_CM * len(weights):  # too many columns: shrink everything alike
        fixed = {i: w * (TEXT_WIDTH_CM - MIN_TEXT_COLUMN_CM * len(weights)) / sum(fixed.values())
                 for i, w in fixed.items()}
        room = MIN_TEXT_COLUMN_CM * len(weights)
    widths = [0.0] * len(headers)
    for i, width in fixed.items():
        widths[i] = width
    # text columns share the room by content, each getting at least MIN_TEXT_COLUMN_CM (or what it needs)
    floors = {i: min(MIN_TEXT_COLUMN_CM, weight) for i, weight in weights.items()}
    share = {i: room * weight / sum(weights.values()) for i, weight in weights.items()}
    low = {i for i in weights if share[i] < floors[i]}
    rest = [i for i in weights if i not in low]
    left = room - sum(floors[i] for i in low)
    for i in low:
        widths[i] = floors[i]
    for i in rest:
        widths[i] = left * weights[i] / sum(weights[j] for j in rest)
    scale = TEXT_WIDTH_CM / sum(widths)  # narrow tables are spread to the full width too
    return [w * scale for w in widths]


def _table(doc, table: Table, t: Text) -> None:
    caption = doc.add_paragraph(style="Caption")
    caption.paragraph_format.keep_with_next = True
    _caption(caption, t("table", n="").strip(), table.number, table.caption)
    headers, rows = table.headers, table.cells()
    numeric = [table.numeric(h) for h in headers]
    grid = doc.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _widths(headers, rows, numeric)
    for column, width in zip(grid.columns, widths):
        column.width = Cm(width)
    for r, values in enumerate([headers, *rows]):
        row = grid.rows[r]
        if r == 0:
            _repeat_header(row)
        for c, (cell, value) in enumerate(zip(row.cells, values)):
            cell.width = Cm(widths[c])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            if numeric[c]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, value, size=8.5, bold=True if r == 0 else None)
            if r == 0:
                _shade(cell)
    if table.note:
        _run(doc.add_paragraph(), table.note, size=9, color=MUTED)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), HEADER_FILL)
    cell._tc.get_or_add_tcPr().append(shading)
