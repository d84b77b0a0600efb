"""The case table and deviations.csv, one row per case (and per deviation), checked by hand."""

from __future__ import annotations

import csv
import json

import pytest

import procmine
from procmine.analyse.cases import case_table
from procmine.calendar import Calendar
from procmine.cli import main
from procmine.compare import compare, read_design

from conftest import write_text
from test_compare import TINY_DESIGN, TINY_LOG

# 2025-03-07 is a Friday, 2025-03-10 a Monday; working time 09:00–12:00 and 13:00–18:00.
LOG = "\n".join([
    "单据编号,审批节点,处理人,部门,审批结果,到达时间,处理时间",
    # a: sent back once, resubmitted, approved: Fri 16:00 → Mon 15:00
    "a,提交,甲,销售部,提交,2025-03-07 16:00,2025-03-07 16:00",
    "a,审批,乙,财务部,退回,2025-03-07 17:00,2025-03-10 10:00",
    "a,提交,甲,销售部,提交,2025-03-10 10:00,2025-03-10 11:00",
    "a,审批,乙,财务部,同意,2025-03-10 14:00,2025-03-10 15:00",
    "a,归档,丙,行政部,已归档,2025-03-10 15:00,2025-03-10 15:00",
    # b: rejected on Monday morning
    "b,提交,甲,销售部,提交,2025-03-10 09:00,2025-03-10 09:00",
    "b,审批,乙,财务部,驳回,2025-03-10 09:00,2025-03-10 11:30",
    # c: 审批 arrived at 09:30 and was not completed when the log was exported (latest time: 15:00)
    "c,提交,甲,销售部,提交,2025-03-10 09:00,2025-03-10 09:00",
    "c,审批,乙,财务部,,2025-03-10 09:30,",
]) + "\n"


@pytest.fixture
def log(tmp_path):
    return procmine.read_log(write_text(tmp_path / "cases.csv", LOG))


def test_one_row_per_case_by_hand(log):
    table = case_table(log, Calendar()).table
    assert table["case"].to_list() == ["a", "b", "c"]
    rows = {r["case"]: r for r in table.iter_rows(named=True)}
    a, b, c = rows["a"], rows["b"], rows["c"]
    # a: Fri 16–18 (2 h) + Mon 9–12, 13–15 (5 h) = 7 working hours; 71 calendar hours
    assert (a["lead_hours"], a["lead_work_hours"], a["lead_work_days"]) == pytest.approx((71.0, 7.0, 7 / 8))
    assert (a["events"], a["open"], a["rejected"], a["sent_back"], a["has_repeat"]) == (5, False, False, True, True)
    # b: 09:00 → 11:30
    assert (b["lead_hours"], b["lead_work_hours"]) == pytest.approx((2.5, 2.5))
    assert (b["open"], b["rejected"], b["sent_back"], b["has_repeat"]) == (False, True, False, False)
    # c is open: measured up to the log's latest time, Mon 15:00: 09–12 + 13–15 = 5 working hours
    assert c["open"] is True
    assert (c["lead_hours"], c["lead_work_hours"]) == pytest.approx((6.0, 5.0))
    # three variants of one case each, ordered by sequence: c's is 提交 alone (its open step not done yet),
    # then b's 提交 → 审批, then a's
    assert (a["variant_id"], b["variant_id"], c["variant_id"]) == (3, 2, 1)
    assert "deviations" not in table.columns


def test_summary_and_export(log, tmp_path):
    result = case_table(log, Calendar())
    text = result.describe()
    assert "3 个案例（已完成 2，办理中 1）" in text
    assert "被驳回 1 个，被退回 1 个，有重复步骤 1 个" in text
    assert "a 0.9 工作日" in text  # the longest completed case: 7 working hours = 0.875 days
    assert "rejected 1, sent back 1" in result.describe("en")
    data = json.loads(result.to_json())
    assert (data["cases"], data["completed_cases"], data["in_progress"]) == (3, 2, 1)
    assert [row["case"] for row in data["rows"]] == ["a", "b", "c"]
    path = result.write(tmp_path / "cases.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [r["case"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["first_time"] == "2025-03-07 16:00:00" and rows[0]["lead_work_hours"] == "7.0"


def test_chart_and_notebook(log):
    result = case_table(log, Calendar())
    ax = result.plot().axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]  # completed cases, longest first
    assert "<img" in result._repr_html_()


def test_formula_like_case_ids_are_neutralised(tmp_path):
    path = write_text(tmp_path / "f.csv", "单据编号,审批节点,处理时间\n=1+1,提交,2025-03-03 09:00\n")
    written = case_table(procmine.read_log(path), Calendar()).write(tmp_path / "out.csv")
    assert "'=1+1" in written.read_text(encoding="utf-8-sig")


# ---- against a design: deviations.csv and the deviation count -----------------------------------
@pytest.fixture
def tiny(tmp_path):
    design = read_design(write_text(tmp_path / "design.yaml", TINY_DESIGN))
    log = procmine.read_log(write_text(tmp_path / "log.csv", TINY_LOG))
    return log, design, compare(log, design)


def test_deviations_one_row_per_case_and_deviation(tiny):
    _log, _design, result = tiny
    frame = result.deviations_by_case()
    rows = [(r.case, r.kind) for r in frame.itertuples()]
    assert rows == [
        # c1 conforms; c2: four eyes (张三 submits and approves), 审核 4 working hours against 2 h
        ("c2", "rule_violation"), ("c2", "time_limit"),
        # c3 skips 审核: the step, the hand-off 提交 → 审批, and the precedence rule 审核 before 归档
        ("c3", "skipped_step"), ("c3", "extra_handoff"), ("c3", "rule_violation"),
        # c4: 复印 unplanned, 审批 skipped, 审核 → 复印 → 归档 outside the design, 金额 5000 without 审批,
        # 审核 done by 业务部 instead of 财务部; c5 is in progress and not compared
        ("c4", "unplanned_step"), ("c4", "skipped_step"), ("c4", "extra_handoff"), ("c4", "extra_handoff"),
        ("c4", "rule_violation"), ("c4", "responsibility"),
    ]
    late = frame[frame["kind"] == "time_limit"].iloc[0]
    assert (late["activity"], late["limit"], late["time_basis"]) == ("审核", "2h", "working")
    assert (late["measured_hours"], late["hours_over_limit"]) == pytest.approx((4.0, 2.0))
    assert late["detail"] == "超出时限：审核 用时 4.00 工作小时，时限 2h，超出 2.00 工作小时"
    four_eyes = frame[(frame["case"] == "c2") & (frame["kind"] == "rule_violation")].iloc[0]
    assert four_eyes["rule"].startswith("four_eyes") and four_eyes["detail"].endswith("（张三）")
    hand_offs = frame[(frame["case"] == "c4") & (frame["kind"] == "extra_handoff")]
    assert list(zip(hand_offs["from_activity"], hand_offs["to_activity"])) == [("复印", "归档"), ("审核", "复印")]
    wrong = frame[frame["kind"] == "responsibility"].iloc[0]
    assert (wrong["expected"], wrong["actual"]) == ("财务部", "业务部")
    assert "违反规则：审核 须在 归档 之前完成（前一步骤未做）" in frame["detail"].tolist()
    assert "hand-off outside the design: 提交 → 审批" in result.deviations_by_case("en")["detail"].tolist()
    # the summary still agrees: cases with a deviation = compared cases minus those without
    assert frame["case"].nunique() == result.cases - result.cases_without_deviations


def test_case_table_counts_deviations(tiny):
    log, design, result = tiny
    table = case_table(log, Calendar(), design_comparison=result).table
    counts = dict(zip(table["case"], table["deviations"]))
    assert counts == {"c1": 0, "c2": 2, "c3": 3, "c4": 6, "c5": None}  # c5 in progress: not compared
    again = case_table(log, Calendar(), design_comparison=design).table  # a design: compared on the way
    assert again["deviations"].to_list() == table["deviations"].to_list()
    text = case_table(log, Calendar(), design_comparison=result).describe()
    assert "与设计对比：3/4 个已完成案例有偏差，共 11 处" in text


def test_cli_compare_writes_long_deviations(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["-q", "compare", str(tmp_path / "log.csv"), str(tmp_path / "design.yaml"), "-o", str(out)])
    capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader((out / "deviations.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 11 and {r["case"] for r in rows} == {"c2", "c3", "c4"}
    assert list(rows[0])[:3] == ["case", "kind", "detail"]


# ---- CLI ------------------------------------------------------------------------------------------
def test_cli_cases_end_to_end(log, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["-q", "cases", str(tmp_path / "cases.csv"), "-o", str(out), "--timeline", "a", "--top", "1"])
    stdout, _ = capsys.readouterr()
    assert code == 0
    for name in ("cases.csv", "variants.csv", "variants.png", "variants.svg", "timeline_a.png", "timeline_a.svg"):
        assert (out / name).stat().st_size > 0, name
    assert "3 个案例（已完成 2，办理中 1）" in stdout and "其他 2 个变体" in stdout
    assert "2. 审批（乙、财务部）：2025-03-07 17:00 → 2025-03-10 10:00，用时 2.0 工作小时" in stdout
    variants = list(csv.DictReader((out / "variants.csv").open(encoding="utf-8-sig")))
    assert [(v["variant_id"], v["variant"]) for v in variants] == [
        ("1", "提交"), ("2", "提交 → 审批"), ("3", "(提交 → 审批) ×2 → 归档")]
    cases = list(csv.DictReader((out / "cases.csv").open(encoding="utf-8-sig")))
    assert [c["case"] for c in cases] == ["a", "b", "c"]


def test_cli_cases_json_and_design(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["-q", "cases", str(tmp_path / "log.csv"), "--design", str(tmp_path / "design.yaml"), "-o", str(out),
                 "--json"])
    stdout, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(stdout)
    assert data["cases"]["cases_with_deviations"] == 3 and data["cases"]["deviations"] == 11
    assert data["variants"]["cases"] == 5 and data["timeline"] is None
    cases = {r["case"]: r["deviations"] for r in csv.DictReader((out / "cases.csv").open(encoding="utf-8-sig"))}
    assert cases == {"c1": "0", "c2": "2", "c3": "3", "c4": "6", "c5": ""}
    assert (out / "deviations.csv").stat().st_size > 0


def test_cli_unknown_case_is_one_line_naming_close_ids(log, tmp_path, capsys):
    code = main(["-q", "cases", str(tmp_path / "cases.csv"), "--timeline", "aa"])
    _, stderr = capsys.readouterr()
    assert code == 2
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert "'aa' is not in cases.csv" in stderr and "close ids: a" in stderr


# ---- awkward files (tests/test_hostile.py's fixtures) -----------------------------------------
from test_hostile import READABLE, _assert_one_clear_line, _assert_safe_outputs, _run, fixtures  # noqa: E402,F401


@pytest.mark.parametrize("name", READABLE)
def test_cases_command_on_awkward_files(name, fixtures, tmp_path, capsys):  # noqa: F811
    code, _out, err, _seconds = _run(["cases", str(fixtures[name]), "-o", str(tmp_path / "out")], capsys)
    _assert_one_clear_line(code, err)
    assert code == 0, err
    assert _assert_safe_outputs(tmp_path / "out") >= 2  # cases.csv and variants.csv, formula cells neutralised
