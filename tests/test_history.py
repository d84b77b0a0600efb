"""Approval-history exports: one row per instance, the steps in one text column (审批记录)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner

import procmine
from procmine.cli import cli, main
from procmine.errors import ColumnError
from procmine.read.history import parse_history

from conftest import SAMPLES, write_text

SH = ZoneInfo("Asia/Shanghai")
HEADER = ["审批编号", "标题", "发起人", "发起人部门", "发起时间", "完成时间", "审批状态", "审批结果", "审批记录"]


def sheet(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def steps(log) -> list[tuple]:
    return [(r["case"], r["activity"], r["outcome"], r["resource"], r["timestamp"].strftime("%m-%d %H:%M"))
            for r in log.events.iter_rows(named=True)]


# --- one line at a time ----------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("2025-03-05 10:02 张三(财务部) 同意 意见:无误", ("2025-03-05 10:02", "张三", "财务部", None, "同意", "无误")),
    ("张三 已同意 2025/3/5 10:02", ("2025/3/5 10:02", "张三", None, None, "同意", None)),
    ("[2025-03-05 10:02:11] 财务部-张三：同意（无误）", ("2025-03-05 10:02:11", "张三", "财务部", None, "同意", "无误")),
    ("张三(财务部) 2025-03-05 10:02 已同意", ("2025-03-05 10:02", "张三", "财务部", None, "同意", None)),
    ("【部门经理审批】张三 同意 2025-03-05 10:02", ("2025-03-05 10:02", "张三", None, "部门经理审批", "同意", None)),
    ("张三（部门经理审批） 2025-03-05 10:02 驳回", ("2025-03-05 10:02", "张三", None, "部门经理审批", "驳回", None)),
    ("２０２５－０３－０５　１０：０２　张三（财务部）　不同意　意见：金额有误",
     ("2025-03-05 10:02", "张三", "财务部", None, "驳回", "金额有误")),
    ("审批人：张三；部门：财务部；审批结果：退回；审批时间：2025-03-05 10:02；审批意见：补发票",
     ("2025-03-05 10:02", "张三", "财务部", None, "退回", "补发票")),
    ("2025-03-05 10:02:00 | 张三 | 财务部 | 转交 | 转李四", ("2025-03-05 10:02:00", "张三", "财务部", None, "转交", "转李四")),
    ("1. 李四(发起人) 2025-03-05 09:00 发起申请", ("2025-03-05 09:00", "李四", None, None, "提交", None)),
    ("2025-03-05 10:02 Zhang San (Finance) approved", ("2025-03-05 10:02", "Zhang San", "Finance", None, "同意", None)),
])
def test_line_shapes(line, expected):
    (entry,) = parse_history(line)
    assert (entry.time, entry.resource, entry.department, entry.node, entry.action, entry.comment) == expected
    assert entry.line == line and entry.kind == "step"


@pytest.mark.parametrize("separator", ["\n", "\r\n", "；", "|", " || "])
def test_entries_are_split(separator):
    text = separator.join(["张三 同意 2025-03-05 10:02", "李四(财务部) 驳回 2025-03-06 11:00 意见：预算不足；下季度再议"])
    entries = parse_history(text)
    assert [(e.resource, e.action) for e in entries] == [("张三", "同意"), ("李四", "驳回")]
    assert entries[1].comment.startswith("预算不足")


def test_feishu_blocks_comments_cc_and_pending():
    blocks = "李四（发起人）\n2025-03-05 09:00\n提交申请\n\n张三（部门经理审批）\n2025-03-05 10:02\n同意\n意见：没问题"
    assert [(e.resource, e.node, e.action, e.comment) for e in parse_history(blocks)] == [
        ("李四", None, "提交", None), ("张三", "部门经理审批", "同意", "没问题")]
    text = "2025-03-05 10:02 张三(财务部) 同意\n意见：金额较大\n抄送 赵六\n王五(总经理) 审批中\n2025-03-06 11:00 系统 同步失败"
    entries = parse_history(text)
    assert [(e.kind, e.action) for e in entries] == [("step", "同意"), ("step", "抄送"), ("pending", None),
                                                     ("unparsed", None)]
    assert entries[0].comment == "金额较大"


def test_a_pattern_for_other_shapes():
    line = "#20250305-1002#张三#OK#"
    assert parse_history(line)[0].kind == "unparsed"
    pattern = r"#(?P<time>\d{8}-\d{4})#(?P<resource>[^#]+)#(?P<action>[^#]+)#"
    (entry,) = parse_history(line, pattern)
    assert (entry.time, entry.resource, entry.action) == ("20250305-1002", "张三", "OK")


# --- reading an export ----------------------------------------------------------------------

@pytest.fixture
def export(tmp_path: Path) -> Path:
    return sheet(tmp_path / "导出.xlsx", [
        ["SP001", "采购", "李四", "销售部", "2025-03-05 09:00", "2025-03-06 11:00", "已完成", "同意",
         "2025-03-05 10:02 张三(销售部) 同意 意见:无误\n2025-03-06 11:00 王五(财务部) 同意"],
        ["SP002", "报销", "赵六", "市场部", "2025-03-05 09:30", None, "审批中", None,
         "张三 已同意 2025/3/5 10:02\r\n抄送 孙八\r\n王五(财务部) 审批中"],
        ["SP003", "报销", "赵六", "市场部", "2025-03-07 09:30", "2025-03-07 12:00", "已完成", "驳回",
         "[2025-03-07 10:02:11] 市场部-钱七：同意（无误）；[2025-03-07 12:00] 财务部-王五：不同意（发票缺失）\n"
         "2025-02-30 10:00 某某 同意\n2025-03-07 12:30 系统 同步失败"],
        ["SP004", "用印", "李四", "销售部", "2025-03-10 09:00", "2025-03-11 10:00", "已完成", "同意",
         "李四(发起人) 2025-03-10 08:55 发起申请\n张三(销售部) 2025-03-10 11:00 已退回\n"
         "李四(销售部) 2025-03-11 09:00 重新提交\n张三(销售部) 2025-03-11 10:00 已同意"],
    ])


def test_export_by_hand(export):
    log = procmine.read_log(export)
    assert steps(log) == [
        ("SP001", "提交", "提交", "李四", "03-05 09:00"),
        ("SP001", "销售部审批", "同意", "张三", "03-05 10:02"),
        ("SP001", "财务部审批", "同意", "王五", "03-06 11:00"),
        ("SP002", "提交", "提交", "赵六", "03-05 09:30"),
        ("SP002", "销售部审批", "同意", "张三", "03-05 10:02"),   # 张三's department from his other lines
        ("SP003", "提交", "提交", "赵六", "03-07 09:30"),
        ("SP003", "市场部审批", "同意", "钱七", "03-07 10:02"),
        ("SP003", "财务部审批", "驳回", "王五", "03-07 12:00"),
        ("SP004", "提交", "提交", "李四", "03-10 08:55"),        # the history's own submit line, not 发起时间
        ("SP004", "销售部审批", "退回", "张三", "03-10 11:00"),
        ("SP004", "重新提交", "提交", "李四", "03-11 09:00"),
        ("SP004", "销售部审批", "同意", "张三", "03-11 10:00"),
    ]
    events = log.events
    assert events["comment"].to_list()[1] == "无误" and events["comment"].to_list()[7] == "发票缺失"
    assert events["标题"].to_list()[0] == "采购" and "审批记录" not in events.columns   # instance columns stay
    assert events["file_row"].to_list()[:4] == [2, 2, 2, 3]
    assert events.schema["timestamp"] == procmine.read_log(export).events.schema["timestamp"]
    assert events["timestamp"][0] == datetime(2025, 3, 5, 9, 0, tzinfo=SH)
    assert log.columns.case == "审批编号"
    assert log.open_cases == frozenset({"SP002"})


def test_unreadable_lines_are_counted_and_shown_with_file_rows(export):
    quality = procmine.read_log(export).quality
    found = {f.code: f for f in quality.findings}
    unparsed = found["history_line_unparsed"]
    assert unparsed.rows == 2 and unparsed.examples == [(4, "2025-02-30 10:00 某某 同意"), (4, "2025-03-07 12:30 系统 同步失败")]
    assert "--history-pattern" in unparsed.message
    assert found["history_step_pending"].examples == [(3, "王五(财务部) 审批中")]
    assert found["history_not_a_step"].examples == [(3, "抄送 孙八")]
    assert (quality.rows_read, quality.events, quality.dropped) == (16, 12, 4)
    assert quality.rows_read == quality.events + quality.dropped + quality.merged


def test_submission_from_columns_when_the_history_only_resubmits(tmp_path):
    path = sheet(tmp_path / "e.xlsx", [["SP9", "t", "李四", "销售部", "2025-03-10 09:00", None, "已完成", None,
                                        "张三 退回 2025-03-10 10:00\n李四 重新提交 2025-03-10 11:00\n张三 同意 2025-03-10 12:00"]])
    assert [(a, r) for _, a, _, r, _ in steps(procmine.read_log(path))] == [
        ("提交", "李四"), ("张三审批", "张三"), ("重新提交", "李四"), ("张三审批", "张三")]


def test_csv_export_in_gbk_and_examples_point_at_file_rows(tmp_path):
    text = "\r\n".join([
        "申请编号,申请人,申请部门,申请时间,操作记录",
        'A1,李四,销售部,2025-03-05 09:00,"张三 同意 2025-03-05 10:00"',
        'A2,赵六,市场部,2025-03-06 09:00,"钱七 同意 2025-03-06 10:00"',
        'A3,赵六,市场部,2025-03-07 09:00,""',
    ]) + "\r\n"
    log = procmine.read_log(write_text(tmp_path / "ops.csv", text, "gbk"))
    assert [(c, a) for c, a, _, _, _ in steps(log)] == [("A1", "提交"), ("A1", "张三审批"), ("A2", "提交"),
                                                        ("A2", "钱七审批"), ("A3", "提交")]
    found = {f.code: f for f in log.quality.findings}
    assert found["single_event_case"].examples == [(4, "提交")]   # the file row, not the event number
    assert found["history_empty"].examples == [(4, "A3")]


def test_column_and_pattern_options(tmp_path):
    path = sheet(tmp_path / "p.xlsx", [["X1", "t", "李四", "销售部", "2025-03-05 09:00", None, "已完成", None,
                                        "#2025.03.05 10:02#张三#OK#"]], header=[*HEADER[:-1], "流转"])
    log = procmine.read_log(path, history_column="流转",
                            history_pattern=r"#(?P<time>[\d.: ]+)#(?P<resource>[^#]+)#(?P<action>[^#]+)#")
    assert steps(log) == [("X1", "提交", "提交", "李四", "03-05 09:00"), ("X1", "张三审批", "OK", "张三", "03-05 10:02")]
    with pytest.raises(ColumnError, match="does not exist"):
        procmine.read_log(path, history_column="审批记录")
    with pytest.raises(ColumnError, match="--activity cannot be used"):
        procmine.read_log(path, history_column="流转", activity="标题")


def test_a_step_log_with_a_history_named_column_is_not_expanded(tmp_path):
    text = "\n".join(["单据编号,审批节点,处理人,处理时间,审批记录",
                      "c1,提交,甲,2025-03-03 09:00,2025-03-03 09:00 甲 提交",
                      "c1,审批,乙,2025-03-03 10:00,2025-03-03 10:00 乙 同意"]) + "\n"
    log = procmine.read_log(write_text(tmp_path / "steps.csv", text))
    assert log.columns.activity == "审批节点" and log.events.height == 2
    # named by hand, the column is expanded all the same (rows of one case id: their lines together)
    expanded = procmine.read_log(tmp_path / "steps.csv", history_column="审批记录", case="单据编号")
    assert [(a, r) for _, a, _, r, _ in steps(expanded)] == [("提交", "甲"), ("乙审批", "乙")]


# --- the bundled sample ---------------------------------------------------------------------

def test_sample_matches_its_truth():
    truth = json.loads((SAMPLES / "审批记录导出.truth.json").read_text(encoding="utf-8"))
    log = procmine.read_log(SAMPLES / "审批记录导出.xlsx")
    assert (log.summary().cases, log.events.height) == (truth["cases"], truth["events"])
    got: dict[str, list] = {}
    for r in log.events.iter_rows(named=True):
        kind = r["activity"] if r["activity"] in ("提交", "重新提交", "撤回") else r["outcome"]
        got.setdefault(r["case"], []).append([kind, r["resource"], r["timestamp"].isoformat(sep=" ")])
    for case, info in truth["events_by_case"].items():
        assert sorted(got[case]) == sorted([e["kind"], e["resource"], e["time"]] for e in info["events"]), case
    decisions = log.events.filter(~log.events["activity"].is_in(["提交", "重新提交", "撤回"]))["outcome"].value_counts()
    assert dict(decisions.iter_rows()) == truth["decisions"]
    found = {f.code: f for f in log.quality.findings}
    assert found["history_line_unparsed"].examples == [(u["row"], u["line"]) for u in truth["unparsed_lines"]]
    assert found["history_step_pending"].examples == [(p["row"], p["line"]) for p in truth["pending_steps"]]
    assert found["history_not_a_step"].examples == [(n["row"], n["line"]) for n in truth["not_steps"]]
    assert sorted(log.open_cases) == sorted(truth["open_cases"])


def test_discover_and_check_on_the_sample(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["discover", str(SAMPLES / "审批记录导出.xlsx"), "-o", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["cases"], summary["events"]) == (24, 88)
    assert summary["columns"]["activity"] == "审批记录·节点"
    assert (tmp_path / "o" / "current_process.bpmn").stat().st_size > 0
    result = runner.invoke(cli, ["check", str(SAMPLES / "审批记录导出.xlsx"), "--lang", "en"])
    assert result.exit_code == 0 and "approval-history line not in a known shape" in result.output


def test_history_detection_can_be_turned_off(capsys):
    code = main(["check", str(SAMPLES / "审批记录导出.xlsx"), "--history-column", "none"])
    assert code == 2 and "no activity column" in capsys.readouterr().err
