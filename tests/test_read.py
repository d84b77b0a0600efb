"""Reading exports: formats, encodings, delimiters, column detection and errors."""

from __future__ import annotations

import gzip
from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest

import procmine
from procmine.errors import ColumnError, EmptyLogError, LogFileError, TimestampError
from procmine.read.columns import detect_columns
from procmine.read.files import sniff_delimiter

from conftest import write_text

SH = ZoneInfo("Asia/Shanghai")
ROWS = ["审批编号,环节,审批人,所属部门,接收时间,审批时间,审批结果",
        "A-1,提交申请,张三,销售部,2025/9/28 9:00,2025/9/28 9:05,提交",
        "A-1,部门经理审批,李四,销售部,2025/9/28 9:05,2025/9/29 10:00,同意",
        "A-2,提交申请,王五,市场部,2025/9/28 11:00,2025/9/28 11:00,提交"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings_are_detected(tmp_path, encoding):
    path = write_text(tmp_path / "log.csv", "\r\n".join(ROWS) + "\r\n", encoding)
    log = procmine.read_log(path)
    assert log.events["activity"].to_list()[:2] == ["提交申请", "部门经理审批"]
    assert log.events["department"].to_list()[0] == "销售部"
    assert log.source.encoding in {encoding, "gb18030", "utf-16"}


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_delimiters_are_sniffed(tmp_path, sep):
    text = "\n".join(row.replace(",", sep) for row in ROWS) + "\n"
    path = write_text(tmp_path / "log.txt", text)
    log = procmine.read_log(path)
    assert log.source.delimiter == sep
    assert log.summary().events == 3


def test_sniff_ignores_delimiters_inside_quotes():
    assert sniff_delimiter('a;b;c\n"x, y";2;3\n"p, q";5;6\n') == ";"


def test_columns_and_times_from_chinese_headers(tmp_path):
    log = procmine.read_log(write_text(tmp_path / "log.csv", "\n".join(ROWS) + "\n"))
    mapping = log.columns
    assert (mapping.case, mapping.activity, mapping.resource, mapping.department) == ("审批编号", "环节", "审批人", "所属部门")
    assert (mapping.start_timestamp, mapping.timestamp, mapping.outcome) == ("接收时间", "审批时间", "审批结果")
    first = log.events.row(1, named=True)
    assert first["start_timestamp"] == datetime(2025, 9, 28, 9, 5, tzinfo=SH)
    assert first["timestamp"] == datetime(2025, 9, 29, 10, 0, tzinfo=SH)
    assert first["row"] == 3  # header is row 1


def test_column_override_and_case_attribute_kept(tmp_path):
    path = write_text(tmp_path / "log.csv", "ID,Step,When,Amount\nx,a,2025-01-02 10:00,5\nx,b,2025-01-02 11:00,5\n")
    log = procmine.read_log(path, case="ID", activity="Step", timestamp="When")
    assert log.columns.case == "ID"
    assert log.events["Amount"].to_list() == [5, 5]  # an attribute of numbers is a number column


def test_detection_prefers_exact_names():
    mapping = detect_columns(["合同编号", "单据编号", "审批节点", "处理时间", "到达时间", "申请部门", "所属部门"])
    assert mapping.case == "单据编号"
    assert mapping.department == "所属部门"
    assert mapping.start_timestamp == "到达时间"


def test_xes_standard_keys_detected():
    mapping = detect_columns(["case:concept:name", "concept:name", "time:timestamp", "org:resource",
                              "org:role", "lifecycle:transition", "id"])
    assert (mapping.case, mapping.activity, mapping.timestamp) == ("case:concept:name", "concept:name", "time:timestamp")
    assert (mapping.resource, mapping.role, mapping.lifecycle) == ("org:resource", "org:role", "lifecycle:transition")


def test_missing_timestamp_column_lists_headers(tmp_path):
    path = write_text(tmp_path / "log.csv", "单据编号,审批节点,处理人\n1,a,张三\n")
    with pytest.raises(ColumnError) as info:
        procmine.read_log(path)
    message = str(info.value)
    assert "log.csv" in message and "'处理人'" in message and "--timestamp" in message


def test_ambiguous_case_column_is_an_error(tmp_path):
    path = write_text(tmp_path / "log.csv", "编号,Id,审批节点,处理时间\n1,1,a,2025-01-02\n")
    # 编号 and id are different spellings with different ranks: 编号 wins, no error
    assert procmine.read_log(path).columns.case == "编号"
    path = write_text(tmp_path / "log2.csv", "单据编号,单据 编号,审批节点,处理时间\n1,1,a,2025-01-02\n")
    with pytest.raises(ColumnError, match="more than one column could be the case"):
        procmine.read_log(path)


def test_unreadable_timestamp_column(tmp_path):
    path = write_text(tmp_path / "log.csv", "单据编号,审批节点,处理时间\n1,a,soon\n1,b,later\n")
    with pytest.raises(TimestampError, match=r"log.csv.*处理时间.*row 2.*'soon'"):
        procmine.read_log(path)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(LogFileError, match="file not found"):
        procmine.read_log(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(LogFileError, match="empty"):
        procmine.read_log(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("单据编号,审批节点,处理时间\n", encoding="utf-8")
    with pytest.raises(LogFileError, match="no data rows"):
        procmine.read_log(tmp_path / "header.csv")


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("单据编号,审批节点,处理时间\n1,a,2025-01-02\n".encode("utf-8") + b"2,\xff\xfe\xfa\x80,2025-01-03\n")
    with pytest.raises(LogFileError, match=r"bad.csv.*line 3.*--encoding"):
        procmine.read_log(path)


def test_all_rows_unusable_is_an_empty_log(tmp_path):
    path = write_text(tmp_path / "log.csv", "单据编号,审批节点,处理时间\n,a,2025-01-02\n,b,2025-01-03\n")
    with pytest.raises(EmptyLogError, match="no usable events"):
        procmine.read_log(path)


def test_excel_with_text_and_datetime_cells(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "审批明细"
    sheet.append(["报销单号", "环节", "审批人", "接收时间", "完成时间"])
    sheet.append(["BX-1", "提交报销", "张三", "2025年3月5日 上午9:00", "2025年3月5日 上午9:00"])
    sheet.append(["BX-1", "部门经理审批", "李四", "2025年3月5日 上午9:00", datetime(2025, 3, 5, 14, 30)])
    sheet.append([None, None, None, None, None])
    sheet.append(["BX-2", "提交报销", "王五", "2025年3月6日 下午2:30", "2025年3月6日 下午2:30"])
    path = tmp_path / "报销.xlsx"
    book.save(path)
    log = procmine.read_log(path)
    assert log.source.sheet == "审批明细"
    assert log.events["timestamp"].to_list()[1] == datetime(2025, 3, 5, 14, 30, tzinfo=SH)
    assert log.events["start_timestamp"].to_list()[2] == datetime(2025, 3, 6, 14, 30, tzinfo=SH)
    assert log.events["row"].to_list() == [2, 3, 5]  # the blank sheet row 4 is skipped, rows keep Excel numbers


def test_parquet_with_typed_times(tmp_path):
    frame = pl.DataFrame({
        "case_id": ["a", "a"], "activity": ["x", "y"],
        "timestamp": [datetime(2025, 1, 2, 9), datetime(2025, 1, 2, 10)],
    })
    path = tmp_path / "log.parquet"
    frame.write_parquet(path)
    log = procmine.read_log(path)
    assert log.events["timestamp"].to_list()[0] == datetime(2025, 1, 2, 9, tzinfo=SH)


def test_xes_gz_with_lifecycle_pairs(tmp_path):
    xes = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
 <trace><string key="concept:name" value="t1"/>
  <event><string key="concept:name" value="审核"/><string key="lifecycle:transition" value="start"/><date key="time:timestamp" value="2025-01-02T09:00:00.000+08:00"/></event>
  <event><string key="concept:name" value="审核"/><string key="lifecycle:transition" value="complete"/><date key="time:timestamp" value="2025-01-02T11:00:00.000+08:00"/></event>
  <event><string key="concept:name" value="批准"/><string key="lifecycle:transition" value="schedule"/><date key="time:timestamp" value="2025-01-02T11:00:00.000+08:00"/></event>
  <event><string key="concept:name" value="批准"/><string key="lifecycle:transition" value="complete"/><date key="time:timestamp" value="2025-01-02T12:00:00.000+08:00"/></event>
  <event><string key="concept:name" value="归档"/><string key="lifecycle:transition" value="start"/><date key="time:timestamp" value="2025-01-02T13:00:00.000+08:00"/></event>
 </trace>
</log>"""
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(xes.encode("utf-8")))
    log = procmine.read_log(path)
    assert log.events["activity"].to_list() == ["审核", "批准"]
    assert log.events["start_timestamp"].to_list()[0] == datetime(2025, 1, 2, 9, tzinfo=SH)
    quality = {f.code: f.rows for f in log.quality.findings}
    assert quality["lifecycle_start_folded"] == 1
    assert quality["lifecycle_other"] == 1          # the schedule event
    assert quality["lifecycle_start_unmatched"] == 1  # 归档 started, never completed
    assert log.quality.rows_read == 5 == log.quality.events + log.quality.dropped + log.quality.merged
    every = procmine.read_log(path, lifecycle="all")
    assert every.summary().events == 5


def test_latin1_is_not_misread_as_chinese(tmp_path):
    path = tmp_path / "dansk.csv"
    path.write_bytes("case,activity,timestamp\n1,Ansøgning modtaget,2025-01-02 10:00\n".encode("latin-1"))
    with pytest.raises(LogFileError, match="--encoding"):
        procmine.read_log(path)
    log = procmine.read_log(path, encoding="latin-1")
    assert log.events["activity"].to_list() == ["Ansøgning modtaget"]


@pytest.mark.parametrize("header", ["实例ID", "流程ID", "请求ID", "审批实例Code", "流水号"])
def test_case_headers_of_common_oa_suites(header):
    assert detect_columns([header, "节点名称", "操作时间"]).case == header


def test_headers_about_times_or_people_do_not_compete_for_the_activity():
    mapping = detect_columns(["流程ID", "当前节点", "节点处理人部门", "节点开始时间", "节点结束时间", "操作者"])
    assert mapping.activity == "当前节点"
    assert mapping.resource == "操作者"
    assert mapping.department == "节点处理人部门"


def test_one_column_for_two_roles_is_an_error():
    with pytest.raises(ColumnError, match="--case and --activity name the same column"):
        detect_columns(["实例ID", "节点", "时间"], {"case": "实例ID", "activity": "实例ID"})


def test_lifecycle_states_outside_the_standard_are_read_as_instants(tmp_path):
    # BPIC 2013 incidents: the lifecycle holds the incident's state, not start/complete
    rows = ["case,activity,lifecycle,time",
            "i1,Accepted,In Progress,2012-01-02 09:00", "i1,Queued,Awaiting Assignment,2012-01-02 10:00",
            "i1,Accepted,In Progress,2012-01-03 09:00", "i1,Completed,Resolved,2012-01-03 12:00",
            "i1,Completed,Closed,2012-01-04 12:00",
            "i2,Accepted,start,2012-01-05 09:00", "i2,Accepted,complete,2012-01-05 09:30",
            "i2,Completed,Closed,2012-01-05 10:00"]
    log = procmine.read_log(write_text(tmp_path / "incidents.csv", "\n".join(rows) + "\n"))
    assert log.events.filter(pl.col("case") == "i1")["activity"].to_list() == [
        "Accepted (In Progress)", "Queued (Awaiting Assignment)", "Accepted (In Progress)", "Completed (Resolved)",
        "Completed (Closed)"]
    # start/complete still pair where they apply: i2's Accepted is one step of 30 minutes
    i2 = log.events.filter(pl.col("case") == "i2")
    assert i2["activity"].to_list() == ["Accepted", "Completed (Closed)"]
    assert i2["start_timestamp"][0] == datetime(2012, 1, 5, 9, tzinfo=SH)
    quality = {f.code: f for f in log.quality.findings}
    assert quality["lifecycle_states"].rows == 6 and quality["lifecycle_states"].action == "kept"
    assert log.quality.rows_read == 8 == log.quality.events + log.quality.dropped + log.quality.merged


def test_dropping_more_than_a_small_share_of_lifecycle_rows_is_a_warning(tmp_path):
    rows = ["case,activity,lifecycle,time"]
    for i in range(10):
        rows += [f"c{i},审核,schedule,2025-01-02 09:00", f"c{i},审核,complete,2025-01-02 10:00"]
    log = procmine.read_log(write_text(tmp_path / "sched.csv", "\n".join(rows) + "\n"))
    finding = next(f for f in log.quality.findings if f.code == "lifecycle_other")
    assert finding.rows == 10 and finding.severity == "warning" and "--lifecycle all" in finding.message
    only = "\n".join(["case,activity,lifecycle,time", "c1,审核,schedule,2025-01-02 09:00"]) + "\n"
    with pytest.raises(EmptyLogError, match="--lifecycle all"):
        procmine.read_log(write_text(tmp_path / "only.csv", only))
