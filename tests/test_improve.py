"""procmine.analyse.improve: remove / merge / parallelise / clarify_owner on logs whose answer is known."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

import procmine
from procmine.analyse.improve import improvement_candidates
from procmine.calendar import Calendar

from conftest import SAMPLES, real_log, write_text

CAL = Calendar(kind="none")  # calendar hours, so the expected savings are plain arithmetic


def make_log(tmp_path, cases: list[list[tuple]], outcome: bool = True):
    """cases: per case, steps (activity, person, department, result, start, end) in hours after 09:00."""
    header = "单号,节点,处理人,部门,到达时间,完成时间" + (",结果" if outcome else "")
    rows = [header]
    for i, steps in enumerate(cases):
        day = datetime(2025, 3, 3, 9) + timedelta(days=i)
        for activity, person, dept, result, start, end in steps:
            times = [(day + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M") for h in (start, end)]
            rows.append(",".join([f"c{i:02d}", activity, person, dept, *times] + ([result] if outcome else [])))
    return procmine.read_log(write_text(tmp_path / "log.csv", "\n".join(rows) + "\n"))


def of_kind(report, kind: str) -> dict[tuple, object]:
    return {tuple(c.activities): c for c in report.candidates if c.kind == kind}


def test_an_approval_that_always_agrees_is_a_rubber_stamp(tmp_path):
    cases = [[("申请", "甲", "销售部", "提交", 0, 0), ("审批", "乙", "销售部", "同意", 0, 2 + i % 3),
              ("复核", "丙", "财务部", "退回" if i == 0 else "同意", 5, 6), ("归档", "丁", "行政部", "已归档", 6, 7)]
             for i in range(20)]
    stamps = of_kind(improvement_candidates(make_log(tmp_path, cases), CAL), "remove")
    assert list(stamps) == [("审批",)]  # 复核 sent back 1 in 20 (5 %); 申请/归档 take no decisions
    (stamp,) = stamps.values()
    assert stamp.estimated_saving_work_hours == pytest.approx(3)  # median of 2, 3, 4 … hours at the step
    assert stamp.evidence["decisions"] == 20 and stamp.evidence["rejections"] == 0
    assert "日历小时" in stamp.evidence["summary"] and "calendar hours" in stamp.evidence["summary_en"]
    # 申请 → 审批 stay in 销售部, but 申请 takes no time and nothing waits: merging saves nothing, not listed
    assert of_kind(improvement_candidates(make_log(tmp_path, cases), CAL), "merge") == {}


def test_without_outcomes_a_step_never_sent_back_to_is_a_rubber_stamp(tmp_path):
    straight = [("登记", "甲", "一部", "", 0, 0), ("审核", "乙", "二部", "", 0, 1), ("复核", "丙", "三部", "", 1, 3),
                ("归档", "丁", "四部", "", 3, 4)]
    sent_back = straight[:3] + [("补正", "甲", "一部", "", 3, 4), ("复核", "丙", "三部", "", 4, 5),
                                ("归档", "丁", "四部", "", 5, 6)]
    log = make_log(tmp_path, [sent_back] * 5 + [straight] * 15, outcome=False)
    stamps = of_kind(improvement_candidates(log, CAL), "remove")
    assert list(stamps) == [("审核",)]  # 复核 was returned to in 5 of its 25 executions
    assert stamps[("审核",)].evidence["returned_afterwards"] == 0
    assert stamps[("审核",)].estimated_saving_work_hours == pytest.approx(1)


def test_consecutive_steps_by_the_same_person_can_merge(tmp_path):
    def case(i: int) -> list[tuple]:
        checker = "李四" if i < 2 else "张三"  # 18 of 20 the same person
        approver = "王五" if i < 7 else "张三"  # 13 of 20: below 80 %, and another department
        return [("录入", "张三", "财务部", "", 0, 2), ("核对", checker, "财务部", "", 3, 4),
                ("批准", approver, "总经办" if i < 7 else "财务部", "", 4, 6)]
    merges = of_kind(improvement_candidates(make_log(tmp_path, [case(i) for i in range(20)]), CAL), "merge")
    assert list(merges) == [("录入", "核对")]
    merge = merges[("录入", "核对")]
    assert merge.evidence["same_person_share"] == pytest.approx(0.9)
    assert merge.estimated_saving_work_hours == pytest.approx(1 + 0.5 * 1)  # 1 h wait + half of the 1 h step


def test_an_application_is_not_merged_with_its_own_approval_by_department(tmp_path):
    # the applicant and the applicant's manager share a department by design, different people; the
    # application waits 2 h for the approval. Merging them would drop the approval: not a candidate.
    # 审批 → 复核 in the same department (another pair of people, not the case's first step) still is.
    cases = [[("发起申请", f"员工{i}", f"部门{i % 4}", "提交", 0, 1), ("部门经理审批", f"经理{i % 4}", f"部门{i % 4}", "同意", 3, 4),
              ("财务审核", f"会计{i % 2}", "财务部", "同意", 4, 5), ("财务复核", f"复核员{i % 3}", "财务部", "同意", 7, 8)]
             for i in range(20)]
    report = improvement_candidates(make_log(tmp_path, cases), CAL)
    merges = of_kind(report, "merge")
    assert ("发起申请", "部门经理审批") not in merges
    assert list(merges) == [("财务审核", "财务复核")]
    assert merges[("财务审核", "财务复核")].evidence["same_department_share"] == 1
    assert merges[("财务审核", "财务复核")].evidence["same_person_share"] == 0
    # the same person submitting and going on is still a merge (by person, not by department)
    for case in cases:
        case[1] = ("补充说明", case[0][1], case[0][2], "提交", 3, 4)
    merges = of_kind(improvement_candidates(make_log(tmp_path, cases), CAL), "merge")
    assert ("发起申请", "补充说明") in merges
    # a lower applicant_share threshold does not bring the department merge back: 发起申请 opens every case
    assert ("发起申请", "部门经理审批") not in of_kind(
        improvement_candidates(make_log(tmp_path, [[*c[:1], ("部门经理审批", "经理", c[0][2], "同意", 3, 4)]
                                                   for c in cases]), CAL, applicant_share=0.5), "merge")


def test_calendar_coverage_warnings_and_the_english_calendar(tmp_path):
    cases = [[("申请", "甲", "销售部", "提交", 0, 0), ("审批", "乙", "销售部", "同意", 0, 2)] for _ in range(20)]
    log = make_log(tmp_path, cases)
    future = procmine.read_log(write_text(tmp_path / "2035.csv", (tmp_path / "log.csv").read_text("utf-8")
                                          .replace("2025-", "2035-")))
    report = improvement_candidates(future, Calendar())
    assert any("2035" in w and "chinese-calendar" in w for w in report.warnings)
    assert report.to_dict()["warnings"] == report.warnings and "! 2035" in report.describe("en")
    english = report.describe("en")
    assert "Chinese statutory holidays" in english and "中国法定节假日" not in english
    assert "中国法定节假日" in report.describe("zh")
    assert not any("covers" in w for w in improvement_candidates(log, Calendar()).warnings)  # 2025 is covered


def _pair_log(tmp_path, x_first: int, y_first: int, together: int):
    def case(order: str) -> list[tuple]:
        x, y = {"xy": ((1, 3), (3, 4)), "yx": ((2, 4), (1, 2)), "both": ((1, 3), (1, 2))}[order]
        return [("受理", "甲", "一部", "", 0, 1), ("资质核查", "乙", "二部", "", *x), ("信用核查", "丙", "三部", "", *y),
                ("办结", "丁", "四部", "", 4, 5)]
    return make_log(tmp_path, [case("xy")] * x_first + [case("yx")] * y_first + [case("both")] * together)


def test_independent_steps_done_one_after_the_other_can_run_in_parallel(tmp_path):
    report = improvement_candidates(_pair_log(tmp_path, 9, 9, 2), CAL)  # 10 % overlap
    (pair,) = of_kind(report, "parallelise").values()
    assert sorted(pair.activities) == ["信用核查", "资质核查"]
    assert pair.estimated_saving_work_hours == pytest.approx(1)  # the shorter step: 1 h
    assert pair.evidence["overlap_share"] == pytest.approx(0.1)


@pytest.mark.parametrize("x_first, y_first, together", [(7, 7, 6), (0, 0, 20)])
def test_steps_that_already_overlap_are_not_reported(tmp_path, x_first, y_first, together):
    report = improvement_candidates(_pair_log(tmp_path, x_first, y_first, together), CAL)
    assert of_kind(report, "parallelise") == {}


def test_a_step_spread_over_four_departments_needs_an_owner(tmp_path):
    depts = ["品控部", "物流部", "人力资源部", "法务部"]
    cases = [[("登记", "甲", depts[i % 4], "", 0, 1), ("部门经理审批", f"经理{i % 4}", depts[i % 4], "", 1, 2),
              ("处理", f"员工{i}", depts[(i + 1) % 4], "", 2, 3),
              ("复审", f"审核员{i}", depts[1 + i % 3] if i < 6 else "法务部", "", 3, 4)]  # 法务部 has 70 %: clear
             for i in range(20)]
    report = improvement_candidates(make_log(tmp_path, cases), CAL)
    owners = of_kind(report, "clarify_owner")
    # each applicant's own manager approves: spread, but ownership is clear
    assert list(owners) == [("处理",)]
    assert owners[("处理",)].estimated_saving_work_hours is None
    assert owners[("处理",)].evidence["largest_share"] == pytest.approx(0.25)
    assert "not estimated" in owners[("处理",)].evidence["saving_basis"]
    assert report.to_dict()["candidates"][-1]["kind"] == "clarify_owner"  # no estimate: listed last


def test_without_arrival_times_each_case_has_one_order(tmp_path):
    rows = ["单号,节点,处理人,完成时间"]
    for i in range(40):
        # X first, Y first, then both in the same minute with X's row first or Y's row first
        x, y = [("10", "12"), ("12", "10"), ("11", "11"), ("11", "11")][i % 4]
        steps = [f"c{i},X,乙,2025-03-03 {x}:00", f"c{i},Y,丙,2025-03-03 {y}:00"]
        rows += [f"c{i},受理,甲,2025-03-03 09:00", *(steps[::-1] if i % 4 == 3 else steps), f"c{i},办结,丁,2025-03-03 13:00"]
    log = procmine.read_log(write_text(tmp_path / "instants.csv", "\n".join(rows) + "\n"))
    (pair,) = of_kind(improvement_candidates(log, CAL), "parallelise").values()
    ev = pair.evidence
    assert ev["a_first_share"] + ev["b_first_share"] + ev["overlap_share"] == pytest.approx(1)  # same minute: row order
    assert ev["a_first_share"] == pytest.approx(0.5)
    assert pair.estimated_saving_work_hours == pytest.approx(0.5) and "无到达时间" in ev["summary"]


@pytest.fixture(scope="module")
def samples():
    return {name: improvement_candidates(procmine.read_log(SAMPLES / name))
            for name in ("合同审批.csv", "费用报销.xlsx", "客户投诉处理.csv")}


def test_samples_parallel_steps_are_not_reported_and_stamps_are_the_always_agreeing(samples):
    for name, pair in (("合同审批.csv", {"法务审核", "财务审核"}), ("客户投诉处理.csv", {"客户回访", "法务复核"})):
        assert all(set(c.activities) != pair for c in samples[name].candidates)
    # 法务审核 sends back 15 %, 部门经理审批 rejects 4 %: not stamps. 财务审核 always 同意 but is a control
    # (finance); 总经理审批 always 同意 but is the top approval authority and slow (14 h, one person): a queue
    assert of_kind(samples["合同审批.csv"], "remove") == {}
    limit = of_kind(samples["合同审批.csv"], "time_limit")[("总经理审批",)]
    assert limit.evidence["causes"] == ["queue_at_person"] and limit.evidence["top_person"] == "钱志远"
    assert set(of_kind(samples["费用报销.xlsx"], "remove")) == {("部门经理审批",)}
    assert set(of_kind(samples["费用报销.xlsx"], "sample")) == {("财务经理审批",), ("总经理审批",)}
    sample = of_kind(samples["费用报销.xlsx"], "sample")[("财务经理审批",)].evidence
    n = sample["cases"]  # a sentence that reads: "117 件案例中，117 次决定中同意 117 次、驳回或退回 0 次，…"
    assert f"不建议删减；{n} 件案例中，" in sample["summary"] and f"in {n} cases " in sample["summary_en"]
    # an approval and the payment it authorises stay two steps (segregation of duties)
    assert all("出纳付款" not in pair for pair in of_kind(samples["费用报销.xlsx"], "merge"))
    assert ("投诉分类", "分派处理") in of_kind(samples["客户投诉处理.csv"], "merge")  # one 投诉主管 does both
    assert set(of_kind(samples["客户投诉处理.csv"], "clarify_owner")) == {("调查与处理",)}


def test_report_is_ordered_by_saving_and_says_units(samples):
    report = samples["费用报销.xlsx"]
    data = json.loads(report.to_json())
    savings = [c["estimated_saving_work_hours"] for c in data["candidates"]]
    known = [s for s in savings if s is not None]
    assert known == sorted(known, reverse=True) and len(known) >= 2
    assert savings[:len(known)] == known  # candidates without an estimate come last
    keys = {"kind", "activities", "evidence", "estimated_saving_work_hours", "saving_method", "confidence"}
    assert all(c.keys() >= keys for c in data["candidates"])
    assert all("工作小时" in c["evidence"]["summary"] and "working hours" in c["evidence"]["summary_en"]
               for c in data["candidates"])
    assert "预计每件节省 4.1 工作小时" in str(report)
    assert list(report.to_frame()["kind"]) == [c["kind"] for c in data["candidates"]]


def test_html_escapes_log_text(tmp_path):
    cases = [[("<i>审批</i>", "乙", "一部", "同意", 0, 2)] for _ in range(20)]
    page = improvement_candidates(make_log(tmp_path, cases), CAL)._repr_html_()
    assert "&lt;i&gt;审批&lt;/i&gt;" in page and "<i>审批</i>" not in page


def test_real_logs_run_and_placeholder_accounts_are_not_people():
    bpi = improvement_candidates(procmine.read_log(real_log("BPI_Challenge_2012.xes.gz")))
    assert bpi.cases == 13087
    json.loads(bpi.to_json())
    rfp = improvement_candidates(procmine.read_log(real_log("RequestForPayment.xes.gz")))
    assert rfp.candidates and json.loads(rfp.to_json())["candidates"]
    # every event there is by "STAFF MEMBER" or "SYSTEM": that is no evidence of one person doing both steps
    assert of_kind(rfp, "merge") == {}


def test_pair_counts_equal_the_pairwise_definition():
    # _pairs forms pairs by position offsets; check it against every pair of first executions
    import random
    from datetime import datetime, timedelta

    import polars as pl

    from procmine.analyse.improve import _pairs
    from procmine.engine import Tables

    rng = random.Random(7)
    rows = []
    for case in range(40):
        clock = 0
        for _ in range(rng.randint(1, 9)):
            arrival = clock + rng.choice([0, 10, 30])
            done = arrival + rng.choice([0, 20, 90])
            rows.append((f"c{case}", rng.choice("ABCDEF"), arrival, done))
            clock = arrival if rng.random() < 0.4 else done
    t0 = datetime(2025, 3, 3, 9)
    frame = pl.DataFrame({"case": [r[0] for r in rows], "activity": [r[1] for r in rows],
                          "start_timestamp": [t0 + timedelta(minutes=r[2]) for r in rows],
                          "timestamp": [t0 + timedelta(minutes=r[3]) for r in rows],
                          "row": pl.Series(range(len(rows)), dtype=pl.UInt32)})
    tables = Tables(frame, completion_only=False)
    steps = tables.steps.with_columns(pl.lit(1.0).alias("duration_work_hours"))
    got = {(a, b): (n, af, bf, o) for a, b, n, af, bf, o in
           _pairs(steps, tables.activity_names.to_list()).select("a", "b", "cases", "a_first", "b_first",
                                                                  "overlap").iter_rows()}
    expected: dict = {}
    firsts = steps.filter(pl.col("occurrence") == 1)
    for (_,), case in firsts.group_by("case_code"):
        s = case.select("activity", "begin", "end", "pos").rows()
        for x in s:
            for y in s:
                if x[0] < y[0]:
                    n, af, bf, o = expected.get((x[0], y[0]), (0, 0, 0, 0))
                    expected[(x[0], y[0])] = (n + 1, af + (x[2] <= y[1] and x[3] < y[3]),
                                              bf + (y[2] <= x[1] and y[3] < x[3]), o + (x[1] < y[2] and y[1] < x[2]))
    assert got == expected


def heldout_like_log(tmp_path):
    """An OA log whose answer is known by construction (calendar hours):
    提交申请 → 部门经理审批 (three managers; sends back every fifth case → 修改申请 by the applicant
    → 部门经理审批 again) → 副总审批 (one person, always 同意, 0.5 h: the rubber stamp) → 财务审核
    (会计甲 does 27 of 30, always 同意, done in a batch on Thursdays at 16:00: a slow queue at a
    control step) → 归档 (0.5 h)."""
    cases = []
    for i in range(30):
        weekday = i % 7  # day i is 2025-03-03 (a Monday) + i days
        to_thursday = (3 - weekday) % 7 or 7
        steps = [("提交申请", f"员工{i}", "销售部", "提交", 0, 0)]
        t = 0
        if i % 5 == 0:
            steps += [("部门经理审批", f"经理{i % 3}", "销售部", "退回", 0, 1), ("修改申请", f"员工{i}", "销售部", "提交", 1, 2)]
            t = 2
        steps += [("部门经理审批", f"经理{i % 3}", "销售部", "同意", t, t + 1),
                  ("副总审批", "副总", "总经办", "同意", t + 1, t + 1.5)]
        finance_done = to_thursday * 24 + 7  # Thursday 16:00
        steps += [("财务审核", "会计乙" if i % 10 == 0 else "会计甲", "财务部", "同意", t + 1.5, finance_done),
                  ("归档", "文员", "行政部", "已归档", finance_done, finance_done + 0.5)]
        cases.append(steps)
    return make_log(tmp_path, cases)


def test_only_the_rubber_stamp_is_removed_and_the_control_queue_is_named(tmp_path):
    report = improvement_candidates(heldout_like_log(tmp_path), CAL)
    assert list(of_kind(report, "remove")) == [("副总审批",)]
    stamp = of_kind(report, "remove")[("副总审批",)]
    assert stamp.evidence["approvals"] == 30 and stamp.evidence["single_approver_share"] == 1
    assert stamp.estimated_saving_work_hours == pytest.approx(0.5) and stamp.confidence == "medium"  # 30 cases
    # 财务审核: never removed nor sampled (a control, and slow); its queue is named with its causes
    assert not any("财务审核" in c.activities for c in report.candidates if c.kind in ("remove", "sample"))
    limit = of_kind(report, "time_limit")[("财务审核",)]
    assert limit.evidence["causes"] == ["queue_at_person", "weekday_batching"]
    assert limit.evidence["top_person"] == "会计甲" and limit.evidence["top_person_share"] == pytest.approx(0.9)
    assert "积压在一人" in limit.evidence["summary"] and "周四" in limit.evidence["summary"]
    assert "Thu" in limit.evidence["summary_en"] and limit.evidence["control"] == "财务"
    # the applicant's revision is never merged with the manager's approval (same department)
    assert all({"修改申请", "部门经理审批"} != set(c.activities) for c in report.candidates)


def test_a_rejection_recorded_as_its_own_event_protects_the_approval(tmp_path):
    # BPIC 2020 shape: "REJECTED by SUPERVISOR" is a separate event; FINAL_APPROVED never says no itself
    cases = []
    for i in range(30):
        rejected = i % 6 == 0
        cases.append([("Declaration SUBMITTED by EMPLOYEE", "e", "", "", 0, 0),
                      ("Declaration REJECTED by SUPERVISOR" if rejected else "Declaration FINAL_APPROVED by SUPERVISOR",
                       "s", "", "", 0, 1)])
    report = improvement_candidates(make_log(tmp_path, cases, outcome=False), CAL)
    assert of_kind(report, "remove") == {}


def test_a_design_control_point_is_never_removed(tmp_path):
    from procmine.compare import read_design

    log = heldout_like_log(tmp_path)
    design = write_text(tmp_path / "design.yaml", "\n".join([
        "process: 测试", "steps:", "  - name: 提交申请", "  - name: 部门经理审批", "  - name: 副总审批",
        "    control: 副总审批把关", "  - name: 财务审核", "  - name: 归档", ""]))
    report = improvement_candidates(log, CAL, design=read_design(design))
    assert of_kind(report, "remove") == {}
    assert of_kind(report, "sample")[("副总审批",)].evidence["control"] == "设计中的控制点"


def test_cli_improve_takes_the_design(tmp_path, capsys):
    from procmine.cli import main

    heldout_like_log(tmp_path)  # writes log.csv
    design = write_text(tmp_path / "design.yaml", "\n".join([
        "process: 测试", "steps:", "  - name: 提交申请", "  - name: 部门经理审批", "  - name: 副总审批",
        "    control: 副总审批把关", "  - name: 财务审核", "  - name: 归档", ""]))
    assert main(["improve", str(tmp_path / "log.csv"), "--calendar", "none", "--json"]) == 0
    kinds = {c["kind"] for c in json.loads(capsys.readouterr().out)["candidates"]}
    assert "remove" in kinds
    assert main(["improve", str(tmp_path / "log.csv"), "--calendar", "none", "--design", str(design), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not any(c["kind"] == "remove" for c in data["candidates"])
    assert all({"confidence", "saving_method"} <= c.keys() for c in data["candidates"])


def test_one_approver_share_counts_cases_whose_passes_were_one_persons(tmp_path):
    # 审批 done twice in c00 (甲 then 乙: two people), twice in c01 (甲 both times), once in c02 … c03;
    # c04 has no person: cases with a person recorded are 4, one approver in 3 of them
    from procmine.analyse.improve import _single_approver_share
    from procmine.analyse.times import time_tables

    def case(people):
        steps, t = [("申请", "申", "销售部", "提交", 0, 0)], 0
        for person in people:
            steps.append(("审批", person, "销售部", "同意", t, t + 1))
            steps.append(("修改", "申", "销售部", "提交", t + 1, t + 2))
            t += 2
        return steps

    log = make_log(tmp_path, [case(["甲", "乙"]), case(["甲", "甲"]), case(["丙"]), case(["丁"]), case([""])])
    tables = time_tables(log, CAL)
    shares = _single_approver_share(tables.steps, tables.activity_names, tables.codes("resource")[0])
    assert shares["审批"] == pytest.approx(3 / 4)
    assert shares["申请"] == 1.0 and shares["修改"] == 1.0
    # the same as grouping every (activity, case) pair
    import polars as pl

    direct = (tables.steps.filter(pl.col("resource").is_not_null()).group_by("activity", "case")
              .agg((pl.col("resource").n_unique() == 1).alias("one")).group_by("activity").agg(pl.col("one").mean()))
    assert dict(direct.iter_rows()) == pytest.approx(shares)


@pytest.mark.parametrize("name", ["Sepsis_Cases.xes.gz", "BPI_Challenge_2012.xes.gz"])
def test_pair_counts_equal_a_join_of_every_case_with_itself(name):
    # the offset pairs counted with bincount against the plain definition: every two first
    # executions of one case; one came first when it is earlier in step order and completed
    # before the other arrived (as the hand-offs define it)
    import polars as pl

    from procmine.analyse.improve import _pairs
    from procmine.analyse.times import time_tables

    log = procmine.read_log(real_log(name))
    steps = time_tables(log, CAL).steps
    firsts = steps.filter(pl.col("occurrence") == 1).select("case_code", "activity", "pos", "begin", "end")
    pairs = firsts.join(firsts, on="case_code", suffix="_y").filter(pl.col("activity") < pl.col("activity_y"))
    direct = pairs.group_by(pl.col("activity").alias("a"), pl.col("activity_y").alias("b")).agg(
        pl.len().cast(pl.UInt32).alias("cases"),
        ((pl.col("pos") < pl.col("pos_y")) & (pl.col("end") <= pl.col("begin_y"))).sum().cast(pl.UInt32)
        .alias("a_first"),
        ((pl.col("pos_y") < pl.col("pos")) & (pl.col("end_y") <= pl.col("begin"))).sum().cast(pl.UInt32)
        .alias("b_first"),
        ((pl.col("begin") < pl.col("end_y")) & (pl.col("begin_y") < pl.col("end"))).sum().cast(pl.UInt32)
        .alias("overlap")).sort("a", "b")
    names = log.tables().activity_names.to_list()
    assert _pairs(steps, names).equals(direct)
    # the saving of the most common pairs: the median over their cases of the shorter first execution
    # (both with a duration)
    from procmine.analyse.improve import _saving

    firsts = steps.filter(pl.col("occurrence") == 1).select("case_code", "activity", "duration_work_hours")
    both = firsts.join(firsts, on="case_code", suffix="_y").filter(pl.col("activity") < pl.col("activity_y"))
    wanted = direct.sort("cases", "a", "b", descending=[True, False, False]).head(4).select("a", "b")
    shorter = (both.join(wanted, left_on=["activity", "activity_y"], right_on=["a", "b"])
               .group_by("activity", "activity_y").agg(  # a step without a duration gives none
                   pl.when(pl.col("duration_work_hours").is_not_null() & pl.col("duration_work_hours_y").is_not_null())
                   .then(pl.min_horizontal("duration_work_hours", "duration_work_hours_y")).median()))
    assert _saving(steps, names, wanted) == pytest.approx({(a, b): m for a, b, m in shorter.iter_rows()})


def test_each_activity_s_most_frequent_department_ties_go_to_the_first_name():
    """Counted by hand: A is done twice in 财务部 and once in 人事部; B once in each (a tie: 人事部
    sorts before 财务部 by code point); C never has a department."""
    import polars as pl

    from procmine.analyse.improve import _most_frequent

    activity = pl.Series([0, 0, 0, 1, 1, 2, 0], dtype=pl.UInt32)
    departments = pl.Series(["财务部", "人事部", "财务部", "财务部", "人事部", None, None])
    names = departments.drop_nulls().unique().sort()
    codes = departments.cast(pl.Enum(names.to_list())).to_physical().cast(pl.UInt32)
    found = _most_frequent(activity, codes, names, ["A", "B", "C"])
    assert found == {"A": "财务部", "B": "人事部"}


@pytest.mark.parametrize("size, values", [(0, 3), (1, 3), (7, 3), (1000, 50), (100_000, 10**9)])
def test_duplicates_and_firsts_by_sorting_equal_polars(size, values):
    """The sort-based duplicate and first-of-each tests equal polars' is_duplicated and
    is_first_distinct (an independent hash-based computation) on random keys."""
    import numpy as np
    import polars as pl

    from procmine.engine.tables import duplicated as _duplicated, first_of_each as _first_of_each

    keys = np.random.default_rng(size).integers(0, values, size).astype(np.uint32)
    assert _first_of_each(keys).tolist() == pl.Series(keys).is_first_distinct().to_list()
    assert _duplicated(keys.astype(np.uint64)).tolist() == pl.Series(keys.astype(np.uint64)).is_duplicated().to_list()
    if size == 7:  # and two by hand
        assert _first_of_each(np.array([2, 0, 2, 1, 1], dtype=np.uint32)).tolist() == [True, True, False, True, False]
        assert _duplicated(np.array([2, 0, 2, 1], dtype=np.uint64)).tolist() == [True, False, True, False]
