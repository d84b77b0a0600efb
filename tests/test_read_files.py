"""Opening files: what happens to stray quotes, ragged rows, blank rows, delimiters typed on the
command line, misnamed files, Excel cover sheets, title rows and merged cells.

Every expectation is counted by hand from the small files written here; each test also checks
the accounting ``rows_read == events + dropped + merged``.
"""

from __future__ import annotations

from datetime import datetime

import pytest

import procmine
from procmine.errors import LogFileError
from procmine.read.files import ROW, open_table

HEADER = "单据编号,审批节点,处理人,处理时间,审批意见"


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def balanced(quality) -> bool:
    return quality.rows_read == quality.events + quality.dropped + quality.merged


def finding(log_or_table, code: str):
    findings = log_or_table.quality.findings if hasattr(log_or_table, "quality") else log_or_table.findings
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [f.code for f in findings]
    return found[0]


# --- 1. a stray quote swallows lines ---------------------------------------------------------

# QA's quote2.csv: line 3 opens a quote that line 5 closes, so lines 4 and 5 end up in
# row 3's comment. 6 data lines → 4 records; the 2 swallowed lines are counted as dropped.
QUOTE2 = (
    "单据编号,审批节点,处理人,处理时间,审批意见\n"
    "A1,发起申请,张三,2025-03-05 09:00,提交\n"
    'A1,部门经理审批,李四,2025-03-05 10:00,"同意"请尽快"\n'
    "A1,财务审核,王五,2025-03-05 11:00,同意\n"
    'A2,发起申请,张三,2025-03-06 09:00,"他说"好的"\n'
    "A2,部门经理审批,李四,2025-03-06 10:00,同意\n"
    "A2,财务审核,王五,2025-03-06 11:00,同意\n"
)


def test_lines_swallowed_by_an_unbalanced_quote_are_reported_and_counted(tmp_path):
    log = procmine.read_log(write(tmp_path / "quote2.csv", QUOTE2))
    q = log.quality
    assert sorted(log.events["row"].to_list()) == [2, 3, 6, 7]  # rows 6 and 7 keep their line numbers
    assert (q.rows_read, q.events, q.dropped) == (6, 4, 2)
    assert balanced(q)
    f = finding(log, "unbalanced_quote")
    assert (f.rows, f.action, f.severity, f.column) == (2, "dropped", "warning", "审批意见")
    assert 'an unbalanced quote (") made lines 3–5 part of one field of row 3' in f.message
    assert "lines 4–5 were not read as rows" in f.message and "fix the quote in the export" in f.message
    assert f.examples == [(4, "A1,财务审核,王五,2025-03-05 11:00,同意"),
                          (5, 'A2,发起申请,张三,2025-03-06 09:00,"他说"好的"')]
    assert not q.ok


def test_a_quote_never_closed_swallows_the_rest_of_the_file(tmp_path):
    # QA's quote.csv: polars refuses it; the careful reader takes row 3 to the end
    text = QUOTE2.replace('"同意"请尽快"', '"同意').replace('"他说"好的"', "提交")
    log = procmine.read_log(write(tmp_path / "quote.csv", text))
    q = log.quality
    assert log.events["row"].to_list() == [2, 3]
    assert (q.rows_read, q.events, q.dropped) == (6, 2, 4)
    assert balanced(q)
    f = finding(log, "unbalanced_quote")
    assert f.rows == 4 and "lines 3–7" in f.message and [r for r, _ in f.examples] == [4, 5, 6]


def test_multi_line_comments_keep_the_line_numbers_of_the_file(tmp_path):
    text = (HEADER + "\n"
            'A1,发起申请,张三,2025-03-05 09:00,"第一行\n第二行\n第三行"\n'   # lines 2-4
            "A1,部门经理审批,李四,2025-03-05 10:00,同意\n"                     # line 5
            'A1,财务审核,王五,"2025-03-05\n待定",同意\n'                       # lines 6-7: a broken time
            "A1,总经理审批,赵六,待定,同意\n")                                    # line 8
    log = procmine.read_log(write(tmp_path / "multi.csv", text))
    q = log.quality
    assert log.events["row"].to_list() == [2, 5]
    assert log.events["outcome"][0] == "第一行\n第二行\n第三行"
    bad_time = finding(log, "unparseable_timestamp")
    assert bad_time.examples == [(6, "2025-03-05\n待定"), (8, "待定")]
    assert not [f for f in q.findings if f.code == "unbalanced_quote"]  # prose, not swallowed lines
    assert (q.rows_read, q.events, q.dropped) == (4, 2, 2) and balanced(q)


# --- 2. rows with more fields than the header ------------------------------------------------

# QA's ragged.csv: row 3 has an unquoted comma in its comment, row 5 in its title.
RAGGED = (
    "单据编号,标题,审批节点,处理人,处理时间,审批意见\n"
    "A1,差旅报销,发起申请,张三,2025-03-05 09:00,提交\n"
    "A1,差旅报销,部门经理审批,李四,2025-03-05 10:00,同意,请尽快\n"
    "A1,差旅报销,财务审核,王五,2025-03-05 11:00,同意\n"
    "A2,采购,办公用品,发起申请,张三,2025-03-06 09:00,提交\n"
    "A2,采购,部门经理审批,李四,2025-03-06 10:00,同意\n"
    "A2,采购,财务审核,王五,2025-03-06 11:00,同意\n"
)


def test_rows_with_too_many_fields_are_reported(tmp_path):
    log = procmine.read_log(write(tmp_path / "ragged.csv", RAGGED))
    q = log.quality
    f = finding(log, "too_many_fields")
    assert (f.rows, f.action, f.severity) == (2, "kept", "warning")
    assert f.message.startswith("row 3 has 7 fields, the header has 6 (and 1 more row like it): "
                                "the extra fields were cut off — check for an unquoted delimiter in a comment")
    assert f.examples == [(3, "A1,差旅报销,部门经理审批,李四,2025-03-05 10:00,同意,请尽快"),
                          (5, "A2,采购,办公用品,发起申请,张三,2025-03-06 09:00,提交")]
    # row 3 is kept with its first 6 fields; row 5's shifted fields put a name in the time column
    assert log.events.filter(log.events["row"] == 3)["outcome"].to_list() == ["同意"]
    assert finding(log, "unparseable_timestamp").examples == [(5, "张三")]
    assert (q.rows_read, q.events, q.dropped) == (6, 5, 1) and balanced(q)


def test_one_ragged_row_is_named_in_the_message(tmp_path):
    text = RAGGED.replace("同意,请尽快", "同意")
    table = open_table(write(tmp_path / "ragged1.csv", text))
    f = finding(table, "too_many_fields")
    assert f.message == ("row 5 has 7 fields, the header has 6: the extra fields were cut off — check for an "
                         "unquoted delimiter in a comment")
    assert table.frame[ROW].to_list() == [2, 3, 4, 5, 6, 7]


# --- 3. blank rows and lines -----------------------------------------------------------------

def test_blank_lines_in_csv_are_dropped_and_counted_once(tmp_path):
    text = (HEADER + "\n"
            "A1,发起申请,张三,2025-03-05 09:00,提交\n"        # 2
            "A1,部门经理审批,李四,2025-03-05 10:00,同意\n"     # 3
            "\n"                                                 # 4 blank
            "A2,发起申请,张三,2025-03-06 09:00,提交\n"        # 5
            "   \n"                                              # 6 blank (spaces)
            ",,,,\n"                                             # 7 blank (empty fields)
            "A2,部门经理审批,李四,2025-03-06 10:00,同意\n"     # 8
            "\n\n")                                              # trailing: not rows of the log
    log = procmine.read_log(write(tmp_path / "blanks.csv", text))
    q = log.quality
    f = finding(log, "blank_row")
    assert (f.rows, f.action, f.severity, f.message) == (3, "dropped", "info", "blank row")
    assert f.examples == [(4, ""), (6, ""), (7, "")]
    assert not [x for x in q.findings if x.code == "missing_case"]
    assert sorted(log.events["row"].to_list()) == [2, 3, 5, 8]
    assert (q.rows_read, q.events, q.dropped) == (7, 4, 3) and balanced(q)
    assert q.ok  # blank rows are information, not a problem


def test_blank_rows_in_excel_are_counted_like_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单据编号", "审批节点", "处理人", "处理时间"])
    sheet.append(["A1", "发起申请", "张三", datetime(2025, 3, 5, 9)])      # 2
    sheet.append([None, None, None, None])                                 # 3 blank
    sheet.append(["A1", "部门经理审批", "李四", datetime(2025, 3, 5, 10)])  # 4
    sheet.append([None, "  ", None, None])                                 # 5 blank
    sheet.append(["A1", "财务审核", "王五", datetime(2025, 3, 5, 11)])      # 6
    sheet.append([None, None, None, None])                                 # 7 trailing
    book.save(tmp_path / "blanks.xlsx")
    log = procmine.read_log(tmp_path / "blanks.xlsx")
    q = log.quality
    f = finding(log, "blank_row")
    assert (f.rows, f.action, f.severity, f.examples) == (2, "dropped", "info", [(3, ""), (5, "")])
    assert log.events["row"].to_list() == [2, 4, 6]
    assert (q.rows_read, q.events, q.dropped) == (5, 3, 2) and balanced(q)


# --- 4. delimiters as people type them -------------------------------------------------------

TSV = (HEADER.replace(",", "\t") + "\n"
       "A1\t发起申请\t张三\t2025-03-05 09:00\t提交\n"
       "A1\t审批\t李四\t2025-03-05 10:00\t同意\n")


@pytest.mark.parametrize("typed", ["\t", "\\t", "tab", "TAB", "\\\\t"])
def test_tab_delimiter_spellings(tmp_path, typed):
    log = procmine.read_log(write(tmp_path / "log.tsv", TSV), delimiter=typed)
    assert log.source.delimiter == "\t"
    assert log.events["activity"].to_list() == ["发起申请", "审批"]


@pytest.mark.parametrize("typed", ["::", "，", "ab"])
def test_delimiters_that_are_not_one_character_are_a_file_error(tmp_path, typed):
    with pytest.raises(LogFileError) as info:
        procmine.read_log(write(tmp_path / "log.csv", TSV), delimiter=typed)
    message = str(info.value)
    assert "--delimiter" in message and repr(typed) in message and "\n" not in message
    assert info.value.exit_code == 2


# --- 5. files whose content is not what their name says -------------------------------------

def test_excel_workbook_named_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["单据编号", "审批节点", "处理时间"])
    book.save(tmp_path / "real.xlsx")
    renamed = tmp_path / "export.csv"
    renamed.write_bytes((tmp_path / "real.xlsx").read_bytes())
    with pytest.raises(LogFileError, match=r"is an Excel workbook \(zip file\) although it ends in \.csv; "
                                           r"rename it to \.xlsx"):
        procmine.read_log(renamed)


def test_xes_named_csv(tmp_path):
    xes = ('\ufeff<?xml version="1.0" encoding="UTF-8" ?>\n<!-- OpenXES -->\n<log xes.version="1.0">\n'
           '<trace><string key="concept:name" value="c1"/></trace>\n</log>\n')
    with pytest.raises(LogFileError,
                       match=r"is an XES event log \(XML\) although it ends in \.csv; rename it to \.xes"):
        procmine.read_log(write(tmp_path / "log.csv", xes))


def test_csv_named_xlsx(tmp_path):
    with pytest.raises(LogFileError, match=r"is a text \(CSV\) file although it ends in \.xlsx; rename it to \.csv"):
        procmine.read_log(write(tmp_path / "log.xlsx", QUOTE2))


# --- 6. Excel: cover sheet, title row, --sheet ----------------------------------------------

def _fanwei_workbook(path):
    """Like QA's fanwei_合同日志.xlsx: a cover sheet first, a title row above the header."""
    import openpyxl

    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "说明"
    for line in ["本文件由泛微e-cology导出", "导出人：管理员", "数据范围：2025年3月"]:
        cover.append([line])
    data = book.create_sheet("流程日志")
    data.append(["合同审批流程日志（导出时间：2025-04-01 10:00）"])            # 1 title
    data.merge_cells("A1:E1")
    data.append(["流程编号", "步骤名称", "操作人", "到达时间", "操作时间"])   # 2 header
    data.append(["HT1", "发起申请", "张伟", datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 9, 5)])     # 3
    data.append(["HT1", "部门经理审批", "陈静", datetime(2025, 3, 3, 9, 5), datetime(2025, 3, 3, 11)])  # 4
    data.append(["HT2", "发起申请", "张伟", datetime(2025, 3, 4, 9), datetime(2025, 3, 4, 9, 5)])     # 5
    data.append(["HT2", "部门经理审批", "陈静", datetime(2025, 3, 4, 9, 5), datetime(2025, 3, 4, 15)])  # 6
    book.save(path)
    return path


def test_excel_sheet_with_most_rows_and_header_below_a_title(tmp_path):
    pytest.importorskip("openpyxl")
    log = procmine.read_log(_fanwei_workbook(tmp_path / "fanwei.xlsx"))
    assert log.source.sheet == "流程日志"
    assert log.columns.case == "流程编号" and log.columns.start_timestamp == "到达时间"
    assert log.events["row"].to_list() == [3, 4, 5, 6]
    note = log.source.notes[0]
    assert "'流程日志'" in note and "header in row 2" in note and "合同审批流程日志" in note
    assert "other sheets not read: '说明' (3 rows)" in note
    q = log.quality
    assert (q.rows_read, q.events, q.dropped) == (4, 4, 0) and balanced(q)


def test_unknown_sheet_lists_the_sheets(tmp_path):
    pytest.importorskip("openpyxl")
    path = _fanwei_workbook(tmp_path / "fanwei.xlsx")
    with pytest.raises(LogFileError, match="no sheet named '日志'. Sheets: '说明', '流程日志'"):
        procmine.read_log(path, sheet="日志")
    with pytest.raises(LogFileError, match="no sheet number 5 .* Sheets: '说明', '流程日志'"):
        procmine.read_log(path, sheet=5)
    chosen = open_table(path, sheet="流程日志")
    assert "chosen with --sheet" in chosen.source.notes[0] and chosen.frame[ROW].to_list() == [3, 4, 5, 6]


# --- 7. Excel: merged cells -------------------------------------------------------------------

def test_merged_cells_are_filled_with_the_merged_value(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "审批明细"
    # like QA's merged.xlsx: the case id and title are merged over the rows of their case
    sheet.append(["流程编号", "流程标题", "审批节点", "审批人", "审批时间"])
    for case in range(2):
        for step, name in enumerate(["发起申请", "部门经理审批", "财务审核"]):
            sheet.append([f"HT00{case}" if step == 0 else None, f"合同{case}" if step == 0 else None,
                          name, "张三", datetime(2025, 3, 5 + case, 9 + step)])
    for first in (2, 5):  # rows 2-4 and 5-7
        sheet.merge_cells(f"A{first}:A{first + 2}")
        sheet.merge_cells(f"B{first}:B{first + 2}")
    book.save(tmp_path / "merged.xlsx")
    log = procmine.read_log(tmp_path / "merged.xlsx")
    q = log.quality
    assert log.events["case"].to_list() == ["HT000"] * 3 + ["HT001"] * 3
    assert log.events["row"].to_list() == [2, 3, 4, 5, 6, 7]
    case_fill = [f for f in q.findings if f.code == "merged_cells" and f.column == "流程编号"]
    assert len(case_fill) == 1
    f = case_fill[0]
    assert (f.rows, f.action, f.message) == (4, "repaired", "merged cells filled with the merged value")
    assert f.examples == [(3, "HT000"), (4, "HT000"), (6, "HT001")]
    assert [x.column for x in q.findings if x.code == "merged_cells"] == ["流程编号", "流程标题"]
    assert not [x for x in q.findings if x.code == "missing_case"]
    assert (q.rows_read, q.events, q.dropped, q.repaired) == (6, 6, 0, 8) and balanced(q)


def test_merged_ranges_are_read_from_the_sheet_xml_of_large_workbooks():
    """Read-only mode (used for every workbook) does not know merged cells; the sheet XML does,
    also when its writer puts a namespace prefix on the elements."""
    import io

    from procmine.read.files import _merged_ranges

    class ReadOnlySheet:
        def _get_source(self):
            return io.BytesIO(b'<x:worksheet><x:sheetData/><x:mergeCells count="2">'
                              b'<x:mergeCell ref="A2:A4"/><x:mergeCell ref="C10:B12"/></x:mergeCells>'
                              b'<hyperlinks/></x:worksheet>')

    assert _merged_ranges(ReadOnlySheet()) == [(2, 1, 4, 1), (10, 2, 12, 3)]
    assert _merged_ranges(object()) is None  # no way to look: the reader says so in a note


def test_xes_attributes_gathered_per_attribute():
    # events without an attribute get null; a key written twice in one event keeps the last value;
    # a trace's attributes are copied onto its events; a key with two types is read as text
    import io

    from procmine.read.xes import read_xes_columns

    xes = b"""<log xmlns="http://www.xes-standard.org/">
      <trace><string key="concept:name" value="C1"/><int key="amount" value="5"/>
        <event><string key="concept:name" value="A"/><string key="org:resource" value="x"/>
               <string key="org:resource" value="y"/><int key="n" value="1"/></event>
        <event><string key="concept:name" value="B"/><string key="n" value="two"/></event>
      </trace>
      <trace><string key="concept:name" value="C2"/>
        <event><string key="concept:name" value="A"/><int key="n" value="3"/></event>
      </trace></log>"""
    frame = read_xes_columns(io.BytesIO(xes), "x.xes")
    assert frame.columns == ["concept:name", "org:resource", "n", "case:concept:name", "case:amount"]
    assert frame["org:resource"].to_list() == ["y", None, None]
    assert frame["n"].to_list() == ["1", "two", "3"]  # int and string: text
    assert frame["case:concept:name"].to_list() == ["C1", "C1", "C2"]
    assert frame["case:amount"].to_list() == [5, 5, None]


def test_a_file_that_only_looks_like_utf16_is_one_clear_error(tmp_path):
    # a UTF-16 byte-order mark before bytes that are not UTF-16 text: the decoding error is said,
    # not an internal error from closing the mapped file while the failure still holds a view of it
    from procmine.errors import ProcmineError

    path = tmp_path / "junk.csv"
    path.write_bytes(b"\xff\xfe\x00\x01garbage\x00\x00")
    with pytest.raises(ProcmineError, match="junk.csv.*utf-16"):
        procmine.read_log(path)
