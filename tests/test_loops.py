"""procmine.analyse.loops: re-entries, ping-pong and repeated steps, hand-checked and against the truth."""

from __future__ import annotations

import json
import re
import warnings

import pytest

import procmine
from procmine.analyse.loops import LABEL_WIDTH, LoopReport, _width, find_loops
from procmine.calendar import Calendar

from conftest import SAMPLES, real_log, write_text

CAL = Calendar(kind="none")  # calendar hours: the expected figures can be checked by hand
HEADER = "单号,节点,处理人,部门,到达时间,完成时间,结果"


def log_of(tmp_path, rows: list[str], name: str = "log.csv", header: str = HEADER):
    return procmine.read_log(write_text(tmp_path / name, "\n".join([header, *rows]) + "\n"))


def chain(case: str, steps: list[tuple], day: int = 3) -> list[str]:
    """One row per (activity, person, department, result, hours): each step starts when the last ends."""
    rows, hour = [], 9
    for activity, who, dept, result, hours in steps:
        rows.append(f"{case},{activity},{who},{dept},2025-03-{day:02d} {hour:02d}:00,"
                    f"2025-03-{day:02d} {hour + hours:02d}:00,{result}")
        hour += hours
    return rows


def loops_of(report) -> list[dict]:
    return report.loops.to_dicts()


def test_self_loop_counts_the_case_once_and_every_round(tmp_path):
    rows = (chain("s1", [("A", "甲", "一部", "", 1), ("B", "乙", "一部", "退回", 1), ("B", "乙", "一部", "", 1),
                         ("B", "乙", "一部", "", 1), ("C", "丙", "一部", "", 1)])
            + chain("s2", [("A", "甲", "一部", "", 1), ("B", "乙", "一部", "", 1), ("C", "丙", "一部", "", 1)]))
    report = find_loops(log_of(tmp_path, rows), CAL)
    (loop,) = loops_of(report)
    assert loop["kind"] == "self-loop" and loop["back_edge"] == ["B", "B"] and loop["activities"] == ["B"]
    assert loop["sender"] == "B"  # it sent itself back: still a self-loop
    assert (loop["cases"], loop["traversals"], loop["case_share"]) == (1, 2, 0.5)
    assert loop["median_extra_work_hours"] == pytest.approx(5 - 3)  # lead 5 h with the loop, 3 h without
    assert report.repeated_activities.to_dicts() == [
        {"activity": "B", "cases": 1, "repetitions": 2, "max_in_case": 3}]
    assert report.map_regions == [{"activities": ["B"], "confirmed": True, "simple_cycles": 1}]


def test_rework_without_outcome_is_grouped_by_its_back_edge(tmp_path):
    # r1 goes round A → B → C twice; the second pass's A → B, B → C are forward, not new loops
    rows = (chain("r1", [("A", "甲", "", "", 1), ("B", "乙", "", "", 1), ("C", "丙", "", "", 1),
                         ("A", "甲", "", "", 1), ("B", "乙", "", "", 1), ("C", "丙", "", "", 1), ("D", "丁", "", "", 1)])
            + chain("r2", [("A", "甲", "", "", 1), ("B", "乙", "", "", 1), ("C", "丙", "", "", 1),
                           ("D", "丁", "", "", 1)]))
    (loop,) = loops_of(find_loops(log_of(tmp_path, rows), CAL, ping_pong_by=None))
    assert loop["kind"] == "rework" and loop["back_edge"] == ["C", "A"]
    assert loop["activities"] == ["A", "B", "C"] and loop["sender"] == "C"
    assert (loop["cases"], loop["traversals"], loop["example_cases"]) == (1, 1, ["r1"])
    assert loop["scc"] == ["A", "B", "C"]
    assert loop["median_extra_work_hours"] == pytest.approx(7 - 4)


def test_send_back_names_the_step_whose_outcome_sent_it_back(tmp_path):
    loop_case = [("申请", "甲", "销售部", "提交", 1), ("审批", "乙", "销售部", "同意", 1), ("复核", "丙", "法务部", "退回", 1),
                 ("修改", "甲", "销售部", "提交", 1), ("审批", "乙", "销售部", "同意", 1), ("复核", "丙", "法务部", "同意", 1),
                 ("归档", "丁", "行政部", "已归档", 1)]
    straight = [("申请", "甲", "销售部", "提交", 1), ("审批", "乙", "销售部", "同意", 1), ("复核", "丙", "法务部", "同意", 1),
                ("归档", "丁", "行政部", "已归档", 1)]
    rows = chain("k1", loop_case) + chain("k2", straight) + chain("k3", straight, day=4)
    (loop,) = loops_of(find_loops(log_of(tmp_path, rows), CAL))
    assert loop["kind"] == "send-back" and loop["sender"] == "复核"
    assert loop["back_edge"] == ["修改", "审批"] and loop["activities"] == ["审批", "复核", "修改"]
    assert loop["median_extra_work_hours"] == pytest.approx(7 - 4)


def test_open_cases_are_left_out_of_the_extra_time(tmp_path):
    rows = (chain("a1", [("A", "甲", "", "", 1), ("B", "乙", "", "", 1), ("A", "甲", "", "", 1), ("C", "丙", "", "", 1)])
            + chain("a2", [("A", "甲", "", "", 1), ("B", "乙", "", "", 5), ("A", "甲", "", "", 1)], day=4)
            + ["a2,C,丙,,2025-03-04 16:00,,"]  # still waiting at C: open, its lead time (7 h so far) is not final
            + chain("a3", [("A", "甲", "", "", 1), ("C", "丙", "", "", 1)]))
    log = log_of(tmp_path, rows)
    assert log.open_cases == {"a2"}
    (loop,) = [r for r in loops_of(find_loops(log, CAL)) if r["kind"] != "ping-pong"]
    assert loop["cases"] == 2 and loop["median_extra_work_hours"] == pytest.approx(4 - 2)


def test_ping_pong_between_two_people(tmp_path):
    rows = (chain("p1", [("起草", "张三", "", "", 1), ("审核", "李四", "", "", 1), ("定稿", "张三", "", "", 1)])
            + chain("p2", [("起草", "张三", "", "", 1), ("审核", "李四", "", "", 1), ("定稿", "王五", "", "", 1)]))
    (loop,) = loops_of(find_loops(log_of(tmp_path, rows), CAL))
    assert loop["kind"] == "ping-pong" and loop["by"] == "resource"
    assert loop["activities"] == ["起草", "审核", "定稿"] and loop["parties"] == ["张三 ⇄ 李四 (1)"]
    assert (loop["cases"], loop["example_cases"], loop["sender"], loop["party_pairs"]) == (1, ["p1"], "审核", 1)


def test_ping_pong_names_its_pairs_with_counts(tmp_path):
    # 5 cases bounce 起草 → 审核 → 定稿 between 4 different pairs; 张三 ⇄ 李四 twice (once each way)
    pairs = [("张三", "李四"), ("李四", "张三"), ("王五", "赵六"), ("孙七", "周八"), ("吴九", "郑十")]
    rows = [row for i, (a, b) in enumerate(pairs)
            for row in chain(f"q{i}", [("起草", a, "", "", 1), ("审核", b, "", "", 1), ("定稿", a, "", "", 1)])]
    (loop,) = loops_of(find_loops(log_of(tmp_path, rows), CAL))
    assert loop["cases"] == 5 and loop["party_pairs"] == 4
    assert loop["parties"][0] == "张三 ⇄ 李四 (2)" and len(loop["parties"]) == 3  # the top 3
    assert all(p.endswith("(1)") for p in loop["parties"][1:])
    assert "4 对：张三 ⇄ 李四 (2)" in str(find_loops(log_of(tmp_path, rows), CAL))


def test_a_ping_pong_over_a_send_back_loops_cases_is_folded_into_it(tmp_path):
    # 财务审核 (会计) sends back to 补充材料 (the applicant) and checks again: one send-back loop, which
    # person by person is also 财务审核 → 补充材料 → 财务审核 between 会计 and applicant
    rows = []
    for i in range(6):
        who = f"会计{i % 2}"
        rows += chain(f"f{i}", [("申请", f"员工{i}", "", "提交", 1), ("审批", "经理", "", "同意", 1), ("财务审核", who, "", "退回", 1),
                                ("补充材料", f"员工{i}", "", "提交", 1), ("财务审核", who if i < 5 else "会计9", "", "同意", 1)])
    rows += chain("f9", [("申请", "员工9", "", "提交", 1), ("审批", "经理", "", "同意", 1), ("财务审核", "会计0", "", "同意", 1)])
    report = find_loops(log_of(tmp_path, rows), CAL)
    (loop,) = loops_of(report)  # not the loop plus its ping-pong
    assert loop["kind"] == "send-back" and loop["back_edge"] == ["补充材料", "财务审核"] and loop["cases"] == 6
    assert loop["ping_pong_cases"] == 5 and loop["by"] == "resource" and loop["party_pairs"] == 5
    assert loop["parties"][0].endswith("(1)") and len(loop["parties"]) == 3
    assert "其中 5 件在人员间来回（5 对：" in str(report)
    assert report.describe("en").count("pair(s)") == 1


@pytest.mark.parametrize("looped, straight, folded", [(5, 1, True), (4, 1, True), (2, 3, False)])
def test_a_ping_pong_is_folded_only_when_most_of_its_cases_went_round_the_loop(tmp_path, looped, straight, folded):
    # 起草 and 定稿 by 甲, 审核 by 乙: 起草 → 审核 → 定稿 is a ping-pong in every case; it is the
    # 定稿 → 起草 loop seen person by person only where the case went round that loop
    round_trip = [("起草", "甲", "", "", 1), ("审核", "乙", "", "", 1), ("定稿", "甲", "", "退回", 1)]
    rows = [row for i in range(looped) for row in chain(f"l{i}", round_trip * 2)]
    rows += [row for i in range(straight) for row in chain(f"s{i}", round_trip[:2] + [("定稿", "甲", "", "", 1)])]
    loops = loops_of(find_loops(log_of(tmp_path, rows), CAL))
    (loop,) = [r for r in loops if r["kind"] != "ping-pong"]
    assert loop["back_edge"] == ["定稿", "起草"] and loop["cases"] == looped
    pongs = [r for r in loops if r["kind"] == "ping-pong"]
    assert (pongs == []) == folded
    assert loop["ping_pong_cases"] == (looped if folded else 0)
    assert loop["parties"] == ([f"甲 ⇄ 乙 ({looped})"] if folded else None)
    if not folded:
        assert pongs[0]["cases"] == looped + straight and pongs[0]["parties"] == [f"甲 ⇄ 乙 ({looped + straight})"]


def test_return_in_an_activity_name_is_no_send_back_but_rejected_is(tmp_path):
    header = "单号,节点,处理人,开始时间,完成时间"

    def log(middle: str, name: str):
        rows = [f"r{i},{act},{who},2025-03-03 {9 + j:02d}:00,2025-03-03 {10 + j:02d}:00"
                for i in range(2) for j, (act, who) in enumerate(
                    [("ER Registration", "A"), ("CRP", "B"), (middle, "C"), ("CRP", "B")][: 4 if i == 0 else 2])]
        return log_of(tmp_path, rows, name, header)

    (er,) = [r for r in loops_of(find_loops(log("Return ER", "er.csv"), CAL, ping_pong_by=None))]
    assert er["kind"] == "rework"  # the patient came back to the ER: nobody sent anything back
    (rejected,) = loops_of(find_loops(log("Request REJECTED by SUPERVISOR", "rej.csv"), CAL, ping_pong_by=None))
    assert rejected["kind"] == "send-back" and rejected["sender"] == "Request REJECTED by SUPERVISOR"
    (returned,) = loops_of(find_loops(log("Claim returned to applicant", "ret.csv"), CAL, ping_pong_by=None))
    assert returned["kind"] == "send-back"


def test_departments_count_only_when_work_really_goes_back(tmp_path):
    header = "单号,节点,部门,到达时间,完成时间,结果"
    designed = ["客服部", "物流部", "客服部"]  # registered, investigated, called back: a designed round trip
    rows = []
    for case, results in (("d1", ["登记", "处理", "满意"]), ("d2", ["登记", "退回", "重新提交"])):
        for i, (act, dept, result) in enumerate(zip(["接收", "调查", "回访"], designed, results)):
            rows.append(f"{case},{act},{dept},2025-03-03 {9 + i:02d}:00,2025-03-03 {10 + i:02d}:00,{result}")
    (loop,) = loops_of(find_loops(log_of(tmp_path, rows, header=header), CAL))
    assert loop["by"] == "department" and loop["example_cases"] == ["d2"]


def test_a_join_sent_back_from_two_parallel_branches_is_one_loop(tmp_path):
    rows = []
    for case, verdict in (("j1", "退回"), ("j2", "同意")):
        rows += [f"{case},提交,甲,一部,2025-03-03 09:00,2025-03-03 09:00,提交",
                 f"{case},法务审核,乙,法务部,2025-03-03 09:00,2025-03-03 12:00,{verdict}",
                 f"{case},财务审核,丙,财务部,2025-03-03 09:00,2025-03-03 10:00,同意"]
    rows += ["j1,提交,甲,一部,2025-03-03 13:00,2025-03-03 14:00,提交", "j1,法务审核,乙,法务部,2025-03-03 14:00,2025-03-03 15:00,同意"]
    (loop,) = loops_of(find_loops(log_of(tmp_path, rows), CAL, ping_pong_by=None))
    assert loop["back_edge"] == ["法务审核", "提交"] and loop["traversals"] == 1  # not also 财务审核 → 提交
    assert loop["activities"] == ["提交", "财务审核", "法务审核"] and loop["sender"] == "法务审核"


def test_parallel_branches_are_not_loops(parallel_csv):
    report = find_loops(procmine.read_log(parallel_csv), CAL)
    assert report.loops.is_empty() and report.repeated_activities.is_empty() and report.map_regions == []


@pytest.fixture(scope="module")
def samples():
    return {name: procmine.read_log(SAMPLES / name) for name in ("合同审批.csv", "费用报销.xlsx", "客户投诉处理.csv")}


def truth_loop(name: str) -> dict:
    (loop,) = json.loads((SAMPLES / (name.rsplit(".", 1)[0] + ".truth.json")).read_text("utf-8"))["injected"][
        "loops"].values()
    return loop


@pytest.mark.parametrize("name, back_edge, sender, body", [
    ("合同审批.csv", ["修改合同", "部门经理审批"], "法务审核", {"部门经理审批", "法务审核", "财务审核", "修改合同"}),
    ("费用报销.xlsx", ["补充材料", "财务初审"], "财务初审", {"财务初审", "补充材料"}),
    ("客户投诉处理.csv", ["客户回访", "调查与处理"], "客户回访", {"调查与处理", "客户回访"}),
])
def test_sample_loops_match_the_truth_case_by_case(samples, name, back_edge, sender, body):
    truth = truth_loop(name)
    report = find_loops(samples[name])
    re_entries = [r for r in loops_of(report) if r["kind"] != "ping-pong"]
    assert [r["back_edge"] for r in re_entries] == [back_edge]  # the only real loop in each sample
    (loop,) = re_entries
    assert set(loop["case_ids"]) == set(truth["cases"]) and loop["cases"] == len(truth["cases"])
    assert loop["traversals"] == len(truth["cases"]) + len(truth.get("cases_twice", []))
    assert loop["kind"] == "send-back" and loop["sender"] == sender and set(loop["activities"]) == body
    assert loop["activities"][0] == back_edge[1] and loop["median_extra_work_hours"] > 0
    assert report.basis == "working"


def test_contract_loop_body_in_step_order_and_the_export_dirt_cycle(samples):
    (loop,) = loops_of(find_loops(samples["合同审批.csv"]))
    assert loop["activities"] == ["部门经理审批", "财务审核", "法务审核", "修改合同"]  # 财务 usually completes first
    # the expense row whose completion precedes its arrival swaps 提交报销 and 部门经理审批 in one case:
    # a cycle in the map, but no case goes round it
    regions = find_loops(samples["费用报销.xlsx"]).map_regions
    assert {"activities": ["提交报销", "部门经理审批"], "confirmed": False, "simple_cycles": 1} in regions


def test_report_outputs_say_units_and_escape_text(samples, tmp_path):
    report = find_loops(samples["合同审批.csv"])
    data = json.loads(report.to_json())
    assert set(data["loops"][0]) >= {"activities", "cases", "case_share", "median_extra_work_hours", "kind", "sender",
                                     "traversals"}
    assert data["repeated_activities"][0].keys() >= {"activity", "cases", "repetitions"}
    assert re.search(r"中位额外 \d+\.\d 工作小时", str(report))
    assert "日历小时" in str(find_loops(samples["合同审批.csv"], CAL))
    assert report.to_frame().shape[0] == report.loops.height
    rows = chain("h1", [("<b>A</b>", "甲", "", "", 1), ("<b>A</b>", "甲", "", "", 1)])
    page = find_loops(log_of(tmp_path, rows), CAL)._repr_html_()
    assert "&lt;b&gt;A&lt;/b&gt;" in page and "<b>A</b>" not in page


def test_long_labels_keep_the_first_and_last_steps_and_the_return_mark():
    short = {"activities": ["部门经理审批", "财务审核", "法务审核", "修改合同"], "kind": "send-back"}
    assert LoopReport.label(short, limit=LABEL_WIDTH) == "部门经理审批 → 财务审核 → 法务审核 → 修改合同 ↩"
    names = ["采购需求部门负责人审批意见", "集团财务共享中心付款复核", "重新提交供应商资质证明材料", "供应商准入资格审查与登记"]
    long = {"activities": names, "kind": "rework", "back_edge": [names[-1], names[0]]}
    text = LoopReport.label(long, limit=LABEL_WIDTH)
    assert all(_width(line) <= LABEL_WIDTH for line in text.split("\n")) and text.count("\n") == 1
    assert text == "采购需求部门负责人审批意见 → … →\n供应商准入资格审查与登记 ↩（4 步）"  # both ends in full
    assert LoopReport.label(long, "en", limit=LABEL_WIDTH).endswith(" ↩ (4 steps)")
    assert LoopReport.label(long) == " → ".join(names) + " ↩"  # the text keeps every step


def test_chart_labels_of_long_english_names_stay_distinct():
    """PrepaidTravelCost-like names: a shared prefix, the difference at the end."""
    sub, rej = "Request For Payment SUBMITTED by EMPLOYEE", "Request For Payment REJECTED by {}"
    rows = [{"kind": "send-back", "activities": [sub, "Permit APPROVED by ADMINISTRATION", rej.format(who)],
             "back_edge": [rej.format(who), sub]} for who in ("EMPLOYEE", "ADMINISTRATION", "BUDGET OWNER")]
    rows += [{"kind": "ping-pong", "activities": ["Request Payment", f"Permit FINAL_APPROVED by {who}", "Payment Handled"],
              "back_edge": None} for who in ("DIRECTOR", "SUPERVISOR")]
    labels = [LoopReport.label(r, limit=LABEL_WIDTH) for r in rows]
    assert len(set(labels)) == len(labels)
    assert all(_width(line) <= LABEL_WIDTH for label in labels for line in label.split("\n"))
    assert labels[0].startswith(sub) and labels[0].split("\n")[-1].startswith(rej.format("EMPLOYEE"))


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def long_names_log(tmp_path):
    """Loops through steps with long Chinese names, the widest labels a chart meets."""
    names = ["供应商准入资格审查与登记", "采购需求部门负责人审批意见", "集团财务共享中心付款复核", "重新提交供应商资质证明材料"]
    rows = []
    for i in range(12):
        steps = [(n, f"人{j}", "", "退回" if j == 2 and i % 3 else "", 1) for j, n in enumerate(names[:3])]
        back = [(names[3], "人0", "", "", 1), (names[1], "人1", "", "", 1)] if i % 3 else []
        rows += chain(f"L{i:02d}", steps + back, day=1 + i)
    return log_of(tmp_path, rows)


@pytest.mark.parametrize("source", ["sample", "long names", "bpi"])
def test_plot_draws_chinese_without_overlaps(samples, tmp_path, source):
    log = {"sample": lambda: samples["客户投诉处理.csv"], "long names": lambda: long_names_log(tmp_path),
           "bpi": lambda: procmine.read_log(real_log("BPI_Challenge_2012.xes.gz"))}[source]()
    report = find_loops(log)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        fig = report.plot()
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    top = report.loops.row(0, named=True)
    assert labels[-1].get_text() == report.label(top, limit=LABEL_WIDTH)  # most cases on top
    boxes = [t.get_window_extent(renderer) for t in [*labels, *ax.texts]]
    assert len(boxes) == 2 * min(report.loops.height, 15)
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    figure_box = fig.bbox
    assert all(b.x0 >= 0 and b.x1 <= figure_box.x1 and b.y0 >= 0 and b.y1 <= figure_box.y1 for b in boxes)
    axes_box = ax.get_window_extent(renderer)
    fig.savefig(tmp_path / f"{source}.png")
    assert all(axes_box.x0 <= t.get_window_extent(renderer).x0 and t.get_window_extent(renderer).x1 <= axes_box.x1
               for t in ax.texts)  # value labels stay inside the axes, clear of its frame


def test_runs_on_a_real_log():
    report = find_loops(procmine.read_log(real_log("BPI_Challenge_2012.xes.gz")))
    assert report.cases == 13087 and report.loops.height > 15
    assert report.loops["cases"].is_sorted(descending=True)
    data = json.loads(report.to_json())
    assert data["loops"][0]["cases"] == report.loops["cases"][0] and len(data["loops"]) == report.loops.height
    for lang, more in (("zh", f"  … 另有 {report.loops.height - 15} 种（见 --json）"),
                       ("en", f"  … {report.loops.height - 15} more (see --json)")):
        lines = report.describe(lang).splitlines()
        assert more in lines and sum(bool(re.match(r"  \d+\. ", line)) for line in lines) == 15
    assert "15. " in report.describe("en", top=None) and f"{report.loops.height}. " in report.describe("en", top=None)


def test_calendar_coverage_warnings_reach_the_report_and_english_names_the_calendar(tmp_path):
    rows = (chain("w1", [("A", "甲", "", "", 1), ("B", "乙", "", "", 1), ("A", "甲", "", "", 1)])
            + chain("w2", [("A", "甲", "", "", 1), ("B", "乙", "", "", 1)]))
    rows = [r.replace("2025-03-", "2035-03-") for r in rows]  # beyond chinese-calendar's years
    report = find_loops(log_of(tmp_path, rows), Calendar())
    assert any("2035" in w and "chinese-calendar" in w for w in report.warnings)
    assert any("2035" in w for w in json.loads(report.to_json())["warnings"])
    english = report.describe("en")
    assert "Chinese statutory holidays" in english and "中国法定节假日" not in english
    assert "中国法定节假日" in report.describe("zh")


@pytest.mark.parametrize("shuffled", [False, True])
def test_hand_off_chains_equal_a_self_join_on_the_middle_step(shuffled):
    # i → j → k: every hand-off joined with every hand-off leaving its target, in hand-off order
    import numpy as np
    import polars as pl

    from procmine.analyse.loops import _chains

    rng = np.random.default_rng(7)
    source = np.sort(rng.integers(0, 300, 1000)).astype(np.uint32)  # steps fan out and join
    target = (source + rng.integers(1, 4, 1000)).astype(np.uint32)
    handoffs = pl.DataFrame({"case": [f"c{s // 10}" for s in source], "source_index": source, "target_index": target})
    if shuffled:  # not in source order: the chains still come in hand-off order
        handoffs = handoffs.sample(fraction=1.0, shuffle=True, seed=1)
    h = handoffs.select("case", pl.col("source_index").alias("i"), pl.col("target_index").alias("j"))
    joined = h.join(h.select(pl.col("i").alias("j"), pl.col("j").alias("k")), on="j", maintain_order="left_right")
    chains = _chains(handoffs, 400)
    assert chains.height == joined.height > 1000
    as_int = {c: pl.Int64 for c in "ijk"}
    assert chains.select("i", "j", "k").cast(as_int).equals(joined.select("i", "j", "k").cast(as_int))
    # a test of the chains keeps those, still in that order (single and spelled-out chains alike)
    odd = _chains(handoffs, 400, lambda i, j, k: (i + k) % 2 == 1)
    expected = joined.filter((pl.col("i").cast(pl.Int64) + pl.col("k")) % 2 == 1)
    assert 0 < odd.height < chains.height
    assert odd.select("i", "j", "k").cast(as_int).equals(expected.select("i", "j", "k").cast(as_int))


def test_a_calendar_that_does_not_fit_is_warned_in_the_reports_language():
    # 合同审批's steps complete in office hours: under a 00:00-06:00 working day most fall outside it
    from procmine.analyse.improve import improvement_candidates

    log = procmine.read_log(SAMPLES / "合同审批.csv")
    night = Calendar.from_options(work_hours="00:00-06:00")
    for report in (find_loops(log, night), improvement_candidates(log, night)):
        assert any("outside working time" in w for w in report.warnings)
        zh, en = report.describe("zh"), report.describe("en")
        assert "的步骤在工作时间之外完成" in zh and "outside working time" not in zh
        assert "outside working time" in en
