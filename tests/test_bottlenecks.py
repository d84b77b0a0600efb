"""Bottleneck shares, critical path and backlog, checked by hand on a two-case log."""

from __future__ import annotations

import json
import warnings

import polars as pl
import pytest

import procmine
from procmine.analyse.bottlenecks import bottlenecks
from procmine.calendar import Calendar

from conftest import write_text

# Monday 2025-03-03 (a working day). a: 审批 2 h, then 1 h wait, 归档 12:00–13:00 (lunch);
# b: 审批 1 h, 归档 10:00–12:00 right after.
TWO_CASES = "\n".join([
    "单据编号,审批节点,处理人,部门,到达时间,处理时间",
    "a,提交,甲,销售部,2025-03-03 09:00,2025-03-03 09:00",
    "a,审批,乙,财务部,2025-03-03 09:00,2025-03-03 11:00",
    "a,归档,丙,行政部,2025-03-03 12:00,2025-03-03 13:00",
    "b,提交,甲,销售部,2025-03-03 09:00,2025-03-03 09:00",
    "b,审批,乙,财务部,2025-03-03 09:00,2025-03-03 10:00",
    "b,归档,丙,行政部,2025-03-03 10:00,2025-03-03 12:00",
]) + "\n"


@pytest.fixture
def log(tmp_path):
    return procmine.read_log(write_text(tmp_path / "two.csv", TWO_CASES))


def row(frame, **keys):
    for key, value in keys.items():
        frame = frame.filter(frame[key] == value)
    return frame.to_dicts()[0]


def test_shares_in_calendar_time(log):
    report = bottlenecks(log, Calendar(kind="none"))
    # lead times 4 h + 3 h = 7 h; 审批 2 + 1 = 3 h; 归档 1 + 2 = 3 h; hand-off 审批→归档 1 + 0 h
    assert row(report.activities, activity="审批")["share_of_lead_time"] == pytest.approx(3 / 7)
    assert row(report.activities, activity="归档")["share_of_lead_time"] == pytest.approx(3 / 7)
    assert row(report.handoffs, source="审批", target="归档")["share_of_lead_time"] == pytest.approx(1 / 7)
    assert row(report.activities, activity="审批")["median_hours"] == pytest.approx(1.5)
    assert report.basis == "calendar"


def test_shares_in_working_time_skip_the_lunch_break(log):
    report = bottlenecks(log, Calendar())
    # working time: a's 归档 12:00–13:00 is lunch (0 h); a lead 09:00–13:00 = 3 h, b 09:00–12:00 = 3 h
    assert row(report.activities, activity="归档")["total_work_hours"] == pytest.approx(2.0)
    assert row(report.activities, activity="审批")["share_of_lead_time"] == pytest.approx(3 / 6)
    assert row(report.activities, activity="归档")["share_of_lead_time"] == pytest.approx(2 / 6)
    # the 1 h wait 11:00–12:00 is working time
    assert row(report.handoffs, source="审批", target="归档")["median_work_hours"] == pytest.approx(0.5)
    assert report.basis == "working"


def test_rankings_are_largest_first_and_people_are_ranked(log):
    report = bottlenecks(log, Calendar(kind="none"))
    shares = report.activities["share_of_lead_time"].to_list()
    assert shares == sorted(shares, reverse=True)
    assert row(report.resources, resource="乙")["total_work_hours"] == pytest.approx(3.0)
    assert row(report.departments, department="行政部")["share_of_lead_time"] == pytest.approx(3 / 7)


def test_critical_path(log):
    report = bottlenecks(log, Calendar(kind="none"))
    assert report.critical_path == ["提交", "审批", "归档"]
    # medians: 提交 0 + 审批 1.5 + wait 0.5 + 归档 1.5
    assert report.critical_path_work_hours == pytest.approx(3.5)


def test_backlog_counts_open_items_at_week_end(tmp_path):
    path = write_text(tmp_path / "b.csv", "\n".join([
        "单据编号,审批节点,部门,到达时间,处理时间",
        "x,审批,财务部,2025-03-06 09:00,2025-03-11 10:00",   # open over the weekend of 03-09
        "y,审批,财务部,2025-03-07 09:00,2025-03-07 10:00",   # closed the same day
    ]) + "\n")
    backlog = bottlenecks(procmine.read_log(path), Calendar(kind="none")).backlog
    first_week = backlog.filter(backlog["period_end"].dt.date().cast(str) == "2025-03-09")
    assert first_week["open_items"].to_list() == [1]


def test_json_has_the_promised_keys(log):
    data = bottlenecks(log).to_dict()
    assert set(data) >= {"activities", "handoffs", "resources", "critical_path"}
    assert set(data["activities"][0]) >= {"activity", "cases", "median_hours", "p90_hours", "median_work_hours",
                                          "share_of_lead_time"}
    assert set(data["handoffs"][0]) >= {"source", "target", "cases", "median_hours", "p90_hours",
                                        "median_work_hours", "share_of_lead_time"}


def test_injected_bottleneck_tops_the_contract_sample():
    from conftest import SAMPLES
    import json

    truth = json.loads((SAMPLES / "合同审批.truth.json").read_text(encoding="utf-8"))["injected"]
    report = bottlenecks(procmine.read_log(SAMPLES / "合同审批.csv"))
    assert report.activities["activity"][0] in truth["bottlenecks"]
    medians = dict(zip(report.activities["activity"], report.activities["median_work_hours"]))
    for activity, figures in truth["activity_durations"].items():
        assert medians[activity] == pytest.approx(figures["observed_median_working_hours"], rel=0.01), activity


def test_backlog_counts_steps_still_open_at_export(tmp_path):
    path = write_text(tmp_path / "o.csv", "\n".join([
        "单据编号,审批节点,部门,到达时间,处理时间",
        "x,审批,财务部,2025-03-03 09:00,2025-03-03 10:00",
        "y,审批,财务部,2025-03-04 09:00,",                    # arrived, never completed
        "z,审批,财务部,2025-03-12 09:00,2025-03-12 10:00",
    ]) + "\n")
    backlog = bottlenecks(procmine.read_log(path), Calendar(kind="none")).backlog
    by_week = dict(zip(backlog["period_end"].dt.date().cast(str), backlog["open_items"]))
    assert by_week["2025-03-09"] == 1 and by_week["2025-03-16"] == 1


def test_without_arrival_times_each_interval_counts_once(sequential_csv):
    report = bottlenecks(procmine.read_log(sequential_csv), Calendar(kind="none"))
    # completion → completion: the wait before a step is that step's duration, not a hand-off of its own
    assert report.handoffs["share_of_lead_time"].null_count() == report.handoffs.height
    assert sum(report.activities["share_of_lead_time"].fill_null(0)) == pytest.approx(1.0)
    assert set(report.top()["kind"]) == {"activity"}


def test_critical_path_runs_from_the_usual_first_to_the_usual_last_step():
    from conftest import SAMPLES

    report = bottlenecks(procmine.read_log(SAMPLES / "费用报销.xlsx"))
    assert report.critical_path[0] == "提交报销" and report.critical_path[-1] == "出纳付款"


def test_causes_name_the_queue_at_one_person_and_the_weekly_batch(tmp_path):
    from test_improve import CAL as NO_CALENDAR, heldout_like_log

    report = procmine.bottlenecks(heldout_like_log(tmp_path), NO_CALENDAR)
    causes = {r["activity"]: r for r in report.causes.iter_rows(named=True)}
    finance = causes["财务审核"]
    assert finance["causes"] == ["queue_at_person", "weekday_batching"]
    assert finance["top_person"] == "会计甲" and finance["top_person_share"] == pytest.approx(27 / 30)
    assert finance["by_weekday"][3] == 30  # every 财务审核 completes on a Thursday
    # 部门经理审批: 30 first passes of 1 h, 6 second passes of 1 h after 修改申请 (rework), no wait
    manager = causes["部门经理审批"]
    assert manager["at_step_work_hours"] == pytest.approx(30) and manager["rework_work_hours"] == pytest.approx(6)
    assert manager["wait_work_hours"] == pytest.approx(0)
    work = report.workload.filter(pl.col("activity") == "财务审核")
    assert work.row(0, named=True)["resource"] == "会计甲" and work.row(0, named=True)["share_of_step"] == pytest.approx(0.9)
    text = report.describe("zh")
    assert "会计甲 处理 90%" in text and "在周四完成" in text and "积压在一人、按周集中处理" in text
    assert "queue at one person, weekly batching" in report.describe("en")
    data = json.loads(report.to_json())
    assert data["rhythm"]["财务审核"]["completions_by_weekday_mon_to_sun"][3] == 30
    assert "cannot tell them apart" in data["at_step_means"]


def test_weekday_and_hour_rhythm_equal_pythons_local_calendar_before_and_after_1970():
    # an independent count: each completion's local weekday and hour from zoneinfo, 1960–2040
    import random
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from procmine.analyse.causes import _weekday_rhythm

    rng = random.Random(3)
    zone = "Asia/Shanghai"
    times = [datetime(1960, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 80 * 365 * 86400))
             for _ in range(3000)]
    codes = [rng.randint(0, 2) for _ in times]
    steps = pl.DataFrame({"activity_code": pl.Series(codes, dtype=pl.UInt32),
                          "end": pl.Series(times).dt.convert_time_zone(zone)})
    rhythm = _weekday_rhythm(steps, pl.Series(["a", "b", "c"]))
    by_weekday = [[0] * 7 for _ in range(3)]
    by_hour = [[0] * 24 for _ in range(3)]
    for code, moment in zip(codes, times):
        local = moment.astimezone(ZoneInfo(zone))
        by_weekday[code][local.weekday()] += 1
        by_hour[code][local.hour] += 1
    assert rhythm["by_weekday"].to_list() == by_weekday
    assert rhythm["by_hour"].to_list() == by_hour


def test_measuring_the_later_figures_side_by_side_gives_what_reading_them_one_by_one_gives():
    from conftest import SAMPLES
    from procmine.analyse.bottlenecks import Later

    log = procmine.read_log(SAMPLES / "合同审批.csv")
    one_by_one, side_by_side = bottlenecks(log), bottlenecks(log)
    names = [name for group in side_by_side.LATER_GROUPS for name in group]
    assert all(type(vars(side_by_side)[name]) is Later for name in names)  # nothing measured yet
    side_by_side.measure_later()
    assert not any(type(vars(side_by_side)[name]) is Later for name in names)
    for name in names:
        expected, got = getattr(one_by_one, name), vars(side_by_side)[name]
        if isinstance(expected, pl.DataFrame):
            assert got.equals(expected), name
        else:
            assert got == expected, name
    assert side_by_side.critical_path[0] == "发起申请"  # every case of the sample opens with it
    assert side_by_side.causes.height == side_by_side.activities.height


@pytest.mark.parametrize("cells", [None, 1])
def test_the_person_doing_a_step_most_counted_by_hand(cells, monkeypatch):
    """Counted by hand: 审批 is done by 王芳 twice and 李雷 twice (a tie: 李 sorts before 王 by code
    point), and once by SYSTEM (nobody's desk, not counted); 归档 only by SYSTEM; 提交 by 赵敏 once.
    Both ways of counting (one count per cell; a group-by when the cells are many) agree."""
    import polars as pl

    from procmine.analyse import causes
    from procmine.engine import tables

    if cells is not None:
        monkeypatch.setattr(tables, "COUNTED_CELLS", cells)
    people = pl.Series(["SYSTEM", "李雷", "王芳", "赵敏"])  # the dictionary: sorted, codes 0…3
    activity = pl.Series([0, 0, 0, 0, 0, 1, 2, 1], dtype=pl.UInt32)  # 0 审批, 1 归档, 2 提交
    person = pl.Series([2, 1, 2, 1, 0, 0, 3, None], dtype=pl.UInt32)
    nobody = pl.Series([0], dtype=pl.UInt32)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        found = causes._top_people(activity, person, people, nobody, 3).sort("activity_code")
    assert [str(w.message) for w in said] == []  # (a deprecated polars call printed a note on every bottlenecks run)
    assert found.rows() == [(0, "李雷", 2), (2, "赵敏", 1)]
