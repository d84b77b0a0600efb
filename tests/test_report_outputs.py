"""The report as a user gets it from the CLI on every sample log: fonts, language, files.

One `procmine report` run per sample (and one `discover`), shared by the tests below.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

import procmine
from procmine.cli import main
from procmine.report.translate import format_name, note, time_format

from conftest import SAMPLES

#: the sample logs a report is built from: with arrival times (CSV, Excel) and without (history export)
REPORT_SAMPLES = ["合同审批.csv", "客户投诉处理.csv", "费用报销.xlsx", "审批记录导出.xlsx"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """{sample: output folder} of `procmine report` in Chinese (the default)."""
    out = {}
    for name in REPORT_SAMPLES:
        folder = tmp_path_factory.mktemp("report") / "out"
        assert main(["-q", "report", str(SAMPLES / name), "-o", str(folder)]) == 0
        out[name] = folder
    return out


@pytest.fixture(scope="module")
def discovered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discover") / "out"
    assert main(["-q", "discover", str(SAMPLES / "合同审批.csv"), "-o", str(folder), "--no-bpmn"]) == 0
    return folder


# --- fonts ------------------------------------------------------------------------------------
def _font_lists(page: str) -> list[str]:
    return [m.strip() for m in re.findall(r"font-family\s*:\s*([^;}]+)", page)]


def test_every_html_names_the_embedded_font_first(reports, discovered):
    pages = [p for folder in reports.values() for p in folder.rglob("*.html")]
    pages += list(discovered.rglob("*.html"))
    assert len(pages) == len(REPORT_SAMPLES) + 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "@font-face" in text and "data:font/woff;base64," in text, page
        lists = [f for f in _font_lists(text) if f != "inherit"]
        assert lists, page
        for fonts in lists:
            # the @font-face rule declares the family; every list that uses fonts starts with it
            assert fonts.split(",")[0].strip().strip('"') == "procmine CJK", (page.name, fonts)


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="no headless Chromium")
def test_headless_browser_prints_the_report_in_the_embedded_font(reports, tmp_path):
    """Printed to PDF by a real browser, the report's text is set in the embedded CJK font, not in a Latin
    fallback (Arial's substitute, Liberation Sans) that leaves Chinese as boxes without CJK system fonts."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    pdf = tmp_path / "report.pdf"
    page = reports["合同审批.csv"] / "report.html"
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                          f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120)
    if not pdf.exists():
        pytest.skip(f"Chromium could not print: {run.stderr[-300:]!r}")
    fonts = set(re.findall(rb"/(?:BaseFont|FontName)\s*/[A-Z]{6}\+([^\s/<>\[\]]+)", pdf.read_bytes()))
    assert any(f.startswith(b"NotoSansCJK") for f in fonts), fonts
    assert not any(f.startswith((b"LiberationSans", b"Arial", b"Helvetica")) for f in fonts), fonts


# --- language ---------------------------------------------------------------------------------
#: three or more Latin words in a row: an English phrase (single words such as CSV, Excel, OA may stand)
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:/]+[A-Za-z][A-Za-z'’-]*){2,}")
FORMAT_TOKENS = re.compile(r"(?<![A-Za-z])(?:YYYY|MM|M|DD|D|HH|H|h|SS|F+|hh|mm)(?![A-Za-z])")


def english_phrases(text: str) -> list[str]:
    """The English phrases of a text, time formats (YYYY/M/D H:MM) and the time zone set aside."""
    return ENGLISH.findall(FORMAT_TOKENS.sub("", text.replace("Asia/Shanghai", "")))


def _allowed(name: str) -> list[str]:
    """Words from the data a Chinese report may carry: names of activities, people, departments, columns."""
    log = procmine.read_log(SAMPLES / name)
    values = set(log.events.columns) | {str(c) for c in log.summary().columns.values() if c}
    for column in ("activity", "resource", "department", "role"):
        if column in log.events.columns:
            values |= {str(v) for v in log.events[column].unique() if v is not None}
    return sorted(values, key=len, reverse=True)


def test_every_report_has_its_workbook(reports):
    import openpyxl

    for name, folder in reports.items():
        book = openpyxl.load_workbook(folder / "report.xlsx", read_only=True)
        tables = len(list((folder / "report_files").glob("table*.csv")))
        assert len(book.sheetnames) == 1 + tables, name  # the contents, then one sheet per table


@pytest.mark.parametrize("name", REPORT_SAMPLES)
def test_chinese_markdown_has_no_english_sentence(reports, name):
    text = (reports[name] / "report.md").read_text(encoding="utf-8")
    text = re.sub(r"!?\[[^\]]*\]\([^)]*\)", "", text)  # links to the CSV and PNG files beside
    text = re.sub(r"[\w./\\-]+\.(?:json|md|csv|png|svg|html|docx|xlsx|bpmn)\b", "", text)  # file names
    text = re.sub(r"--[a-z-]+", "", text)  # option names
    for value in _allowed(name):
        text = text.replace(value, "")
    found = english_phrases(text)
    assert not found, found[:5]
    assert "read as" not in text and "Wrote" not in text


def test_format_examples_are_shown_as_formats(reports):
    text = (reports["合同审批.csv"] / "report.md").read_text(encoding="utf-8")
    assert "完成时间（列「处理时间」）的格式：YYYY/M/D H:MM" in text
    assert "2025/9/28 9:05" not in text  # the example the reader named the format with is not data
    history = (reports["审批记录导出.xlsx"] / "report.md").read_text(encoding="utf-8")
    assert "日志没有到达时间：两次完成之间的时间计入后一步" in history


@pytest.mark.parametrize("example, expected", [
    ("2025/9/28 9:05", "YYYY/M/D H:MM"),
    ("2025-09-28 09:05:11", "YYYY-MM-DD HH:MM:SS"),
    ("2025年9月28日 下午2:05", "YYYY年M月D日 下午h:MM"),
    ("2025-09-28T09:05:11.123+08:00", "YYYY-MM-DDTHH:MM:SS.FFF±hh:mm"),
    ("28/09/2025 09:05", "DD/MM/YYYY HH:MM"),
    ("an unknown shape", "an unknown shape"),
])
def test_time_format(example, expected):
    assert time_format(example) == expected


def test_notes_in_both_languages():
    assert format_name("datetime values in Asia/Shanghai", "zh") == "日期时间值（Asia/Shanghai）"
    assert format_name("28/09/2025 09:05 (day/month/year)", "en") == "DD/MM/YYYY HH:MM (day/month/year)"
    assert note("arrival times (到达时间) read as: 2025/9/28 9:05", "en") == \
        "arrival times (到达时间) in the format: YYYY/M/D H:MM"
    assert note("something new from a reader", "zh") == "something new from a reader"


def test_check_and_discover_speak_chinese_and_english(capsys, tmp_path):
    sample = str(SAMPLES / "费用报销.xlsx")
    assert main(["check", sample]) == 0
    chinese = capsys.readouterr().out
    assert "400 个案例" in chinese and "数据质量" in chinese and "与前面某行完全相同（重复行）" in chinese
    assert "完成时间的格式：YYYY年M月D日 下午h:MM" in chinese
    assert not english_phrases(chinese), english_phrases(chinese)
    assert main(["check", sample, "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert "400 cases" in english and "exact duplicate of an earlier row" in english
    assert main(["-q", "discover", sample, "-o", str(tmp_path / "o"), "--no-bpmn"]) == 0
    out = capsys.readouterr().out
    assert "已写入：" in out and "Wrote" not in out and "流程图：" in out


# --- durations: working time in working days, calendar time beside it ---------------------------
def test_working_time_is_never_written_in_24_hour_days():
    from procmine.chart.flowchart import _box_stats, _edge_text, format_duration

    assert format_duration(168, "zh", "working", 8) == "21.0 工作日"  # not "7.0 天"
    assert format_duration(26.1, "zh", "working", 8) == "3.3 工作日"
    assert format_duration(6, "zh", "working", 8) == "6.0 工作小时"
    assert format_duration(168, "zh", "working") == "168.0 工作小时"  # no day length known: hours
    assert format_duration(117.6, "zh") == "4.9 天" and format_duration(5.3, "zh") == "5.3 小时"
    assert format_duration(168, "en", "working", 8) == "21.0 working d"
    step = {"frequency": 331, "median_duration_hours": 26.1, "median_calendar_duration_hours": 117.6}
    assert _box_stats(step, "zh", "working", 8) == "331 次 · 中位 3.3 工作日 / 4.9 天"
    assert _box_stats(step, "zh") == "331 次 · 中位 26.1 小时"  # a calendar chart ignores the working figure
    wait = {"frequency": 12, "median_hours": 0.0, "median_calendar_hours": 0.0}
    assert _edge_text(wait, "zh", 2, "working", 8) == "12 次\n0 分钟"  # no time is said once


def test_heat_map_shows_the_flowcharts_calendar_time_for_each_step():
    """The heat map's calendar figure of a step is the flowchart's figure for it."""
    from procmine.analyse.bottlenecks import bottlenecks
    from procmine.calendar import Calendar

    log = procmine.read_log(SAMPLES / "合同审批.csv")
    pmap = procmine.discover(log)
    report = bottlenecks(log, Calendar())
    flowchart = dict(zip(pmap.activities["activity"], pmap.activities["median_duration_hours"]))
    heat = dict(zip(report.activities["activity"], report.activities["median_hours"]))
    assert flowchart.keys() == heat.keys()
    for activity, hours in flowchart.items():
        assert heat[activity] == pytest.approx(hours, abs=1e-6), activity


def test_chart_placement_in_word():
    from procmine.report.docx import chart_placement

    # a 15 × 9 cm chart flows with the text at its drawn size
    assert chart_placement(1181, 709) == ("portrait", 15.0, False)
    # a tall map (15 × 24 cm) gets a portrait page of its own rather than being pushed over
    assert chart_placement(1181, 1890) == ("portrait", 15.0, True)
    # a wide chart (25 cm) goes on a landscape page at its drawn size, not shrunk to 16 cm
    assert chart_placement(1968, 400) == ("landscape", 24.99, True)


# --- the target the report measures against ---------------------------------------------------
def _overview(folder) -> dict:
    import csv

    with open(folder / "report_files" / "table01_overview.csv", encoding="utf-8-sig") as f:
        return {row[0]: row[1] for row in csv.reader(f)}


def test_the_example_target_is_marked_as_an_example(reports, tmp_path, capsys):
    assert "示例目标" in _overview(reports["合同审批.csv"])["目标周期"]
    out = tmp_path / "given"
    assert main(["report", str(SAMPLES / "合同审批.csv"), "-o", str(out), "--target", "5wd"]) == 0
    assert "no --target" not in capsys.readouterr().err
    given = _overview(out)["目标周期"]
    assert given.startswith("≤ 5个工作日 = 40 工作小时") and "示例" not in given
    out = tmp_path / "design"
    assert main(["-q", "report", str(SAMPLES / "合同审批.csv"), "-o", str(out),
                 "--design", str(SAMPLES / "合同审批.design.yaml")]) == 0
    assert "（设计流程的目标）" in _overview(out)["目标周期"]


def test_interactive_map_writes_working_time_in_working_days():
    from procmine.calendar import Calendar
    from procmine.chart.interactive import interactive_map_html

    page = interactive_map_html(procmine.read_log(SAMPLES / "合同审批.csv"), calendar=Calendar())
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert data["hours_per_day"] == 8
    assert 'D.hours_per_day' in page and '" 工作日"' in page and '" 工作小时"' in page


def test_the_calendar_warning_is_chinese_in_the_chinese_report():
    from procmine.calendar import Calendar
    from procmine.report.translate import calendar_zh, note

    for calendar in (Calendar(), Calendar(kind="weekdays"), Calendar(kind="none"),
                     Calendar(holidays=["2025-02-03"], workdays=["2025-02-08"], timezone="Europe/Amsterdam")):
        assert calendar_zh(calendar.describe("en")) == calendar.describe("zh")
    warning = (f"72 % of the steps were completed outside working time ({Calendar().describe('en')}); check that "
               "--timezone, --work-hours and --calendar fit this log, or use --calendar none for calendar time")
    said = note(warning, "zh")
    assert said.startswith("72 % 的步骤在工作时间之外完成（中国法定节假日与调休") and "working hours" not in said
