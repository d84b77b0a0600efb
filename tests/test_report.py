"""The survey report: numbers checked by hand on a tiny log, escaping, files, Word, and the CLI."""

from __future__ import annotations

import base64
import csv
import io
import re
from html.parser import HTMLParser

import pytest

import procmine
from procmine.calendar import Calendar
from procmine.cli import main
from procmine.report import build_report
from procmine.report.markdown import md, safe_cell

from conftest import SAMPLES, write_text
from test_variants import LOG

HOSTILE = ["<script>alert(1)</script>", "=cmd|' /C calc'!A0", "</td>", "&amp;", "a|b*c_d"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = write_text(tmp_path_factory.mktemp("tiny") / "报销.csv", LOG)
    return procmine.read_log(path)


@pytest.fixture(scope="module")
def report(tiny):
    return build_report(tiny, Calendar(), target="3wd")


@pytest.fixture(scope="module")
def hostile_log(tmp_path_factory):
    """Three cases whose activity, person and department names are HTML, formulas and Markdown."""
    rows = ["单据编号,审批节点,处理人,部门,到达时间,处理时间"]
    for case, day in (("h1", "03"), ("h2", "04"), ("h3", "05")):
        steps = [(HOSTILE[1], "=HYPERLINK(\"x\")", "<b>销售部</b>"), (HOSTILE[0], "</td>", "财务|部"),
                 (HOSTILE[2], "&amp;", "*行政*"), (HOSTILE[4], "@SUM(A1)", "+部门")]
        for i, (activity, person, department) in enumerate(steps):
            quoted = [f'"{v}"' if any(ch in v for ch in ',"') else v for v in (activity, person, department)]
            quoted = [q.replace('"x"', '""x""') if '"x"' in q else q for q in quoted]
            rows.append(f"{case},{quoted[0]},{quoted[1]},{quoted[2]},2025-03-{day} {9 + i}:00,2025-03-{day} {9 + i}:30")
    path = write_text(tmp_path_factory.mktemp("hostile") / "hostile.csv", "\n".join(rows) + "\n")
    log = procmine.read_log(path)
    assert set(log.events["activity"].unique()) == {HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[4]}
    return log


@pytest.fixture(scope="module")
def hostile_files(hostile_log, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile_out")
    return build_report(hostile_log, Calendar(), lang="en").write_all(out)


# --- numbers, by hand ------------------------------------------------------------------------
def test_sections_in_order(report):
    assert [s.key for s in report.sections] == ["scope", "flowchart", "kpi", "bottlenecks", "loops", "workload",
                                                "improvements", "appendix"]
    assert [s.number for s in report.sections] == list(range(1, 9))
    assert report.section("scope").title == "调研范围与数据"
    assert report.title == "《报销》现状调研分析报告"
    assert report.period == "2025-03-03 – 2025-03-06"


def test_scope_counts(report):
    overview = dict(report.table("table01_overview").frame.itertuples(index=False, name=None))
    assert overview["案例数"] == "4 个（已完成 4 个，导出时仍在办理 0 个）"
    assert overview["事件数"] == "14 个"
    assert overview["流程变体数"] == "2"
    assert overview["目标周期"] == "≤ 3个工作日 = 24 工作小时"
    mapping = dict(report.table("table02_column_mapping").frame.itertuples(index=False, name=None))
    assert mapping["案例编号"] == "单据编号" and mapping["部门"] == "部门" and mapping["岗位"] == "—"


def test_variants_table(report):
    table = next(t for t in report.tables() if t.name.endswith("_variants"))
    rows = table.cells()
    assert rows[0][1:6] == ["提交 → 审批 → 归档", "3", "3", "75.0 %", "75.0 %"]
    assert rows[1][1:6] == ["提交 → 审批 → 提交 → 审批 → 归档", "5", "1", "25.0 %", "100.0 %"]
    assert rows[0][6] == "0.5"  # median of 4, 3 and 8 working hours = 4 h = 0.5 working day


def test_handoff_matrix_and_pairs(report):
    matrix = next(t for t in report.tables() if t.name.endswith("_handoff_matrix"))
    assert matrix.headers == ["交出 \\ 接手", "财务部", "销售部", "行政部"]
    assert matrix.cells() == [["财务部", "0", "1", "4"], ["销售部", "5", "0", "0"], ["行政部", "0", "0", "0"]]
    text = " ".join(b for block in report.section("workload").blocks if hasattr(block, "items") for b in block.items)
    assert "共 10 次交接，其中跨部门 10 次（100.0 %）" in text
    assert "「销售部」→「财务部」，5 次（4 个案例）" in text


def test_kpi_findings_state_number_unit_and_basis(report):
    bullets = report.section("kpi").blocks[0].items
    # lead times 4, 3, 4 and 8 working hours → median 4 h = 0.5 working day; longest 8 h = 1 working day
    assert bullets[0].startswith("中位周期 0.5 个工作日（工作时间，按每日 8 工作小时计")
    assert "最长 1.0 个工作日" in bullets[0] and "办理中" not in bullets[0]
    assert bullets[1] == "目标周期 ≤ 3wd（3个工作日 = 24 工作小时）：100.0 % 的已完成案例达标（4/4 个）。"
    assert "一次通过率 75.0 %" in bullets[2]  # c was sent back


def test_lead_time_histogram_in_report(report):
    charts = {c.name: c for c in report.charts()}
    assert list(charts) == ["fig01_current_flowchart", "fig02_lead_time_distribution", "fig03_monthly_trend",
                            "fig04_bottleneck_bars", "fig05_bottleneck_heatmap", "fig06_loops"]
    width, height = charts["fig02_lead_time_distribution"].size_px
    # 6.3 × 3.9 in at 200 dpi, trimmed: the 16 cm text width of an A4 page, printed at its drawn size
    assert 1100 < width <= 1260 and 600 < height < 800


def test_english_report(tiny):
    english = build_report(tiny, Calendar(kind="none"), lang="en")
    assert english.title == "Current-state survey report: 报销"
    assert english.section("kpi").title == "Lead time and KPIs"
    bullets = english.section("kpi").blocks[0].items
    # calendar time: a 5 h, b 3 h, c 5 h, d 9 h → median 5 h of 24-hour days
    assert bullets[0].startswith("Median lead time 0.2 calendar days (calendar time, 24 working hours a day")
    assert bullets[1].startswith("No lead-time target was given")


# --- HTML ------------------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.rows: list[int] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "tr":
            self.rows.append(0)
        if tag in ("td", "th"):
            self.rows[-1] += 1

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_names_from_the_log(hostile_files):
    page = hostile_files["html"].read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    text = "".join(parser.text)
    for name in HOSTILE:
        assert name in text  # shown literally
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp;amp;" in page
    # every table row has as many cells as its header: a "</td>" name did not end a cell
    tables = re.findall(r"<table>.*?</table>", page, flags=re.S)
    assert tables
    for table in tables:
        counts = [len(re.findall(r"<t[dh][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)]
        assert len(set(counts)) == 1


def test_html_is_self_contained(hostile_files):
    page = hostile_files["html"].read_text(encoding="utf-8")
    for reference in ("http://", "https://", 'src="//', "<link", "<script", "@import"):
        assert reference not in page
    assert re.findall(r"url\(([^)]{0,22})", page) == ["data:font/woff;base64,"]  # the one embedded font
    parser = _Tags()
    parser.feed(page)
    sources = [value for name, value in parser.attrs if name in ("src", "href")]
    images = [s for s in sources if s.startswith("data:")]
    assert len(images) == 5  # flowchart, lead-time distribution, trend, heat map, bars (no loops in this log)
    assert all(s.startswith("data:image/png;base64,") for s in images)
    assert all(s.startswith(("data:image/png;base64,", "#s")) for s in sources)  # only the contents' anchors
    png = base64.b64decode(images[0].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_embeds_a_chinese_font_subset(report):
    from fontTools.ttLib import TTFont

    page = report.to_html()
    data = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page).group(1)
    assert len(data) < 400_000  # a subset, not the 16 MB font
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    covered = set(chr(c) for c in font.getBestCmap())
    assert set("现状调研分析报告提交审批归档报销工作日") <= covered
    assert "龘" not in covered  # only the report's own characters


def test_the_embedded_font_leaves_no_file_open():
    # the font is read lazily from its file: once cut down, the file is closed (a file left to the
    # garbage collector warned in whatever drew next, and a long session holds one per page)
    import gc
    import warnings

    from procmine.report.html import embedded_font

    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        css = embedded_font("现状调研分析报告")
        gc.collect()
    assert "data:font/woff;base64," in css
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_notebook_display_is_a_fragment(report):
    fragment = report._repr_html_()
    assert fragment.startswith('<div class="procmine-report"') and "<html" not in fragment
    assert "data:image/png;base64," in fragment and "1 调研范围与数据" in fragment


# --- Markdown and CSV ------------------------------------------------------------------------
def test_markdown_escapes_and_images_beside(hostile_files):
    path = hostile_files["markdown"]
    text = path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert "a\\|b\\*c\\_d" in text and "a|b*c_d" not in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == 5
    for image in images:
        file = path.parent / image
        assert file.is_file() and file.parent.name == "report_files"
        from PIL import Image

        with Image.open(file) as picture:
            assert round(picture.info["dpi"][0]) == 200


def test_markdown_folder_holds_this_reports_files_only(report, tmp_path):
    folder = tmp_path / "report_files"
    folder.mkdir()
    (folder / "fig09_old_chart.png").write_bytes(b"old")
    (folder / "notes.txt").write_text("the analyst's own file", encoding="utf-8")
    report.save_markdown(tmp_path / "report.md")
    names = sorted(p.name for p in folder.iterdir())
    assert "fig09_old_chart.png" not in names and "notes.txt" in names
    assert len([n for n in names if n.endswith(".png")]) == 6
    assert len([n for n in names if n.endswith(".csv")]) == len(report.tables())


def test_markdown_tables_keep_their_columns(report, tmp_path):
    path = report.save_markdown(tmp_path / "report.md")
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ---") or line.startswith("| ---:"):
            width = len(re.split(r"(?<!\\)\|", lines[i - 1]))
            j = i + 1
            while j < len(lines) and lines[j].startswith("| "):
                assert len(re.split(r"(?<!\\)\|", lines[j])) == width, lines[j]
                j += 1


def test_csv_cells_cannot_run_as_formulas(hostile_files):
    folder = hostile_files["files"]
    cells = []
    for file in folder.glob("*.csv"):
        with file.open(encoding="utf-8-sig", newline="") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@")) or (c.startswith("-") and not _number(c))]


def test_xlsx_holds_every_table_with_numbers_as_numbers_and_no_formulas(hostile_files, report, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(hostile_files["xlsx"])
    assert book.sheetnames[0] == "Contents" and len(book.sheetnames) == 1 + len(
        [n for n in book.sheetnames[1:] if n.startswith("Table ")])
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'=cmd|' /C calc'!A0" in texts and "'@SUM(A1)" in texts  # names from the log stay text
    assert not [c for c in cells if c.data_type == "f"]  # not one formula
    assert not [v for v in texts if v.startswith(("=", "+", "@")) or (v.startswith("-") and not _number(v))]
    # the tiny report: one sheet per table, values as numbers with their format
    path = report.save_xlsx(tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "目录" and len(book.sheetnames) == 1 + len(report.tables())
    variants = book[next(n for n in book.sheetnames if "流程变体" in n)]
    assert [c.value for c in variants[2]][:4] == ["序号", "活动序列", "步数", "案例数"]
    first = [c for c in variants[3]]
    assert first[1].value == "提交 → 审批 → 归档" and first[3].value == 3 and first[4].value == 0.75
    assert first[4].number_format == "0.0%" and first[6].value == pytest.approx(0.5)  # 4 working hours


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+86 10", "'+86 10"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("法务审核", "法务审核"),
    (-1.5, -1.5), (float("nan"), ""), (None, ""),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_md_escaping():
    assert md("a|b") == "a\\|b"
    assert md("<i>x</i> &amp; R&D") == "&lt;i&gt;x&lt;/i&gt; &amp;amp; R&D"
    assert md("1. not a list", line_start=True) == "1\\. not a list"
    assert md("50.3 %") == "50.3 %"
    assert md("bell\x07 and\nnewline") == "bell and newline"


# --- Word ------------------------------------------------------------------------------------
def test_docx_reopens_with_headings_tables_and_pictures(report, tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    path = report.save_docx(tmp_path / "report.docx")
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in report.sections]
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [report.title]
    assert len(document.tables) == len(report.tables())
    assert len(document.inline_shapes) == len(report.charts()) == 6
    # every chart prints at its drawn size (its text at its point size, 8 pt at least), within the
    # text width of the section it is in; the wide loop chart has a landscape page of its own
    body = document.element.body
    section_of, index = [], 0
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            if child.findall(".//" + qn("w:drawing")):
                section_of.append(index)
            if child.find(qn("w:pPr")) is not None and child.find(qn("w:pPr")).find(qn("w:sectPr")) is not None:
                index += 1
    for chart, shape, where in zip(report.charts(), document.inline_shapes, section_of):
        section = document.sections[where]
        natural = chart.size_px[0] / 200 * 2.54
        assert shape.width.cm == pytest.approx(natural, abs=0.05), chart.name
        assert shape.width <= section.page_width - section.left_margin - section.right_margin + 1, chart.name
        assert shape.height <= section.page_height - section.top_margin - section.bottom_margin, chart.name
    orientations = [document.sections[w].orientation for w in section_of]
    assert orientations[-1] == WD_ORIENT.LANDSCAPE and set(orientations[:-1]) == {WD_ORIENT.PORTRAIT}
    # numbered captions and the contents are Word fields
    codes = [c.text.strip() for c in body.iter(qn("w:instrText"))]
    assert codes[0].startswith("TOC \\o") and codes.count("SEQ 图 \\* ARABIC") == 6
    assert codes.count("SEQ 表 \\* ARABIC") == len(report.tables())
    assert document.settings.element.find(qn("w:updateFields")) is not None
    for table in document.tables:  # fixed column widths that fill the 16 cm between the margins
        assert sum(column.width for column in table.columns) == pytest.approx(docx.shared.Cm(16), rel=0.01)
    first = document.tables[0]
    assert first.rows[0].cells[0].text == "项目" and first.rows[1].cells[1].text == "报销"
    for style in ("Normal", "Heading 1", "Title"):
        fonts = document.styles[style].element.rPr.find(qn("w:rFonts"))
        # the embedded Chinese font (see test_docx_fonts), not one the reader may lack
        assert fonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC" and fonts.get(qn("w:eastAsiaTheme")) is None


def test_docx_keeps_hostile_text_literal(hostile_files):
    import docx

    document = docx.Document(str(hostile_files["docx"]))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert HOSTILE[1] in cells and HOSTILE[0] in cells and HOSTILE[2] in cells


# --- section 8 -------------------------------------------------------------------------------
class StubComparison:
    """What procmine.compare's Comparison offers the report: to_dict, describe, plot."""

    def to_dict(self):
        return {
            "process": "<设计>", "fitness": 0.8771, "fitness_method": "token-based replay", "cases": 4,
            "conforming_cases": 3,
            "unplanned_activities": [{"activity": "<script>x</script>", "cases": 1, "case_ids": ["c"]}],
            "skipped_activities": [], "extra_handoffs": [{"source": "审批", "target": "提交", "cases": 1,
                                                          "case_ids": ["c"]}],
            "unused_handoffs": [{"source": "提交", "target": "归档"}],
            "rule_violations": [{"rule": "four_eyes", "kind": "four_eyes", "cases": 0, "case_ids": []}],
            "time_violations": [{"activity": "审批", "limit": "4h", "cases": 1, "share": 0.25,
                                 "median_excess_work_hours": 3.0}],
            "responsibility_violations": [],
            "targets": [{"name": "lead_time", "limit": "3wd", "share_met": 1.0, "cases_met": 4, "cases": 4}],
        }

    def describe(self, lang="zh"):
        return "stub"

    def plot(self, lang="zh"):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4, 3))
        fig.add_subplot().plot([0, 1], [0, 1])
        return fig


def test_comparison_section_from_the_interface(tiny, tmp_path):
    survey = build_report(tiny, Calendar(), comparison=StubComparison())
    section = survey.section("comparison")
    assert section.number == 8 and survey.sections[-1].key == "appendix" and survey.sections[-1].number == 9
    assert section.blocks[0].text == ("将实际案例与设计流程「<设计>」对比：拟合度（pm4py 令牌重放）为 0.877；"
                                      "3/4 个案例（75.0 %）完全符合设计。")
    counts = section.blocks[1].items
    assert "规则违反：0 项" in counts and "设计中有、实际未出现的交接：1 项" in counts
    names = [t.name for t in survey.tables() if t.name.split("_", 1)[1].startswith("design_")]
    assert [n.split("_", 1)[1] for n in names] == ["design_unplanned_activities", "design_extra_handoffs",
                                                  "design_unused_handoffs", "design_rule_violations",
                                                  "design_time_violations", "design_targets"]
    time_rows = survey.table(names[4]).cells()
    assert time_rows == [["审批", "4h", "1", "25.0 %", "3.0 工作小时", ""]]
    assert any(c.name.endswith("design_comparison") for c in survey.charts())
    page = survey.to_html()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page


def test_comparison_with_the_real_module(tmp_path):
    compare = pytest.importorskip("procmine.compare")
    design = SAMPLES / "合同审批.design.yaml"
    if not design.exists():
        pytest.skip("no sample design")
    log = procmine.read_log(SAMPLES / "合同审批.csv")
    survey = build_report(log, Calendar(), design=compare.read_design(design))
    section = survey.section("comparison")
    assert section.number == 8
    assert "拟合度" in section.blocks[0].text
    assert survey.title == "《合同审批》现状调研分析报告"  # the log's process, not the design's name


# --- CLI -------------------------------------------------------------------------------------
def test_cli_report_english(tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(["report", str(SAMPLES / "客户投诉处理.csv"), "-o", str(out), "--lang", "en", "--quiet"])
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    for name in ("report.html", "report.md", "report.docx"):
        assert (out / name).stat().st_size > 10_000
    assert len(list((out / "report_files").glob("*.png"))) >= 4
    assert "Current-state survey report: 客户投诉处理" in stdout and str(out / "report.docx") in stdout
    assert "Lead time and KPIs" in (out / "report.html").read_text(encoding="utf-8")
    assert "procmine:" not in stderr, stderr


def test_cli_report_chinese_default_and_progress(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    out = tmp_path / "rep"
    code = main(["report", str(SAMPLES / "合同审批.csv"), "-o", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == 0
    assert "《合同审批》现状调研分析报告" in stdout
    assert "procmine: drawing current flowchart …" in stderr  # progress on a terminal
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "4 瓶颈分析" in page and "目标周期 ≤ 3wd" in page
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    code = main(["report", str(SAMPLES / "合同审批.csv"), "-o", str(tmp_path / "quiet"), "--quiet"])
    assert code == 0 and "procmine:" not in capsys.readouterr().err


def test_cli_report_bad_target_and_bad_folder(tmp_path, capsys):
    code = main(["report", str(SAMPLES / "合同审批.csv"), "-o", str(tmp_path / "x"), "--target", "soon"])
    _, stderr = capsys.readouterr()
    assert code != 0 and "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()  # nothing written before the error
    taken = write_text(tmp_path / "taken", "a file, not a folder")
    code = main(["report", str(SAMPLES / "合同审批.csv"), "-o", str(taken), "--quiet"])
    _, stderr = capsys.readouterr()
    assert code == 4 and "needs a folder" in stderr
