"""One case's timeline: its steps, waits and working time checked by hand, and the chart."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import procmine
from procmine.analyse.cases import CaseNotFoundError, case_timeline
from procmine.calendar import Calendar
from procmine.chart.timeline import non_working_intervals

from conftest import write_text
from test_cases import LOG


@pytest.fixture
def log(tmp_path):
    return procmine.read_log(write_text(tmp_path / "cases.csv", LOG))


def test_steps_with_working_and_calendar_hours(log):
    timeline = case_timeline(log, "a", Calendar())
    steps = timeline.steps
    assert steps["pos"].to_list() == [1, 2, 3, 4, 5]
    assert steps["activity"].to_list() == ["提交", "审批", "提交", "审批", "归档"]
    assert steps["decision"].to_list() == ["submit", "send_back", "submit", "approve", None]
    # 审批 Fri 17:00 → Mon 10:00: Fri 17–18 and Mon 9–10 are working time
    assert steps["hours"].to_list() == pytest.approx([0.0, 65.0, 1.0, 1.0, 0.0])
    assert steps["work_hours"].to_list() == pytest.approx([0.0, 2.0, 1.0, 1.0, 0.0])
    # hand-off waits: 提交 done 16:00, 审批 arrived 17:00; the second 审批 waited 11:00 → 14:00 (lunch)
    assert steps["wait_hours"].to_list() == [None, 1.0, 0.0, 3.0, 0.0]
    assert steps["wait_work_hours"].to_list() == [None, 1.0, 0.0, 2.0, 0.0]
    assert (timeline.lead_hours, timeline.lead_work_hours) == pytest.approx((71.0, 7.0))
    assert (timeline.open, timeline.variant_id, timeline.variant_share) == (False, 3, pytest.approx(1 / 3))


def test_describe_and_json(log):
    timeline = case_timeline(log, "a", Calendar())
    text = timeline.describe()
    assert text.startswith("案例 a：5 个步骤，2025-03-07 16:00 → 2025-03-10 15:00，周期 7.0 工作小时（日历 71.0 小时）")
    assert "4. 审批（乙、财务部）：2025-03-10 14:00 → 2025-03-10 15:00，用时 1.0 工作小时（日历 1.0 小时），到达前等待 2.0 工作小时" in text
    assert "took 2.0 working h (65.0 calendar h), waited 1.0 working h before arriving" in timeline.describe("en")
    data = json.loads(timeline.to_json())
    assert data["case"] == "a" and data["lead_work_days"] == pytest.approx(7 / 8)
    assert data["steps"][1]["arrival"] == "2025-03-07 17:00:00" and data["steps"][1]["work_hours"] == 2.0


def test_open_step_is_measured_up_to_the_latest_time(log):
    timeline = case_timeline(log, "c", Calendar())
    assert timeline.open and timeline.as_of.strftime("%Y-%m-%d %H:%M") == "2025-03-10 15:00"
    pending = timeline.steps.row(1, named=True)
    assert (pending["activity"], pending["completion"]) == ("审批", None)
    # 09:30 → 15:00: 09:30–12:00 and 13:00–15:00 = 4.5 working hours of 5.5
    assert (pending["hours"], pending["work_hours"]) == pytest.approx((5.5, 4.5))
    assert (timeline.lead_hours, timeline.lead_work_hours) == pytest.approx((6.0, 5.0))
    assert "办理中（截至 2025-03-10 15:00）" in timeline.describe()


def test_completion_times_only(sequential_csv):
    timeline = case_timeline(procmine.read_log(sequential_csv), "c1", Calendar())
    steps = timeline.steps
    assert not timeline.has_arrival_times
    # measured from the previous completion; the first step has nothing to measure from
    assert steps["hours"].to_list() == [None, 1.0, 2.0]
    assert steps["wait_hours"].to_list() == [None, None, None]  # the wait is inside that interval
    assert steps["arrival"].null_count() == 3


def test_unknown_case_names_close_ids(log):
    with pytest.raises(CaseNotFoundError, match=r"'b2' is not in cases.csv, which has 3 cases; close ids: b"):
        case_timeline(log, "b2")
    assert issubclass(CaseNotFoundError, procmine.ProcmineError)


def test_non_working_intervals_by_hand():
    calendar = Calendar()
    # Friday 17:00 → Monday 10:00: from Friday's close to Monday's opening, one span
    assert non_working_intervals(calendar, datetime(2025, 3, 7, 17), datetime(2025, 3, 10, 10)) == [
        (datetime(2025, 3, 7, 18), datetime(2025, 3, 10, 9))]
    # a working day: lunch only
    assert non_working_intervals(calendar, datetime(2025, 3, 10, 11), datetime(2025, 3, 10, 14)) == [
        (datetime(2025, 3, 10, 12), datetime(2025, 3, 10, 13))]
    # 2025-10-01 to 08 is the National Day holiday; 2025-09-28 (Sunday) a make-up working day
    spans = non_working_intervals(calendar, datetime(2025, 9, 28, 8), datetime(2025, 9, 28, 20))
    assert spans[0] == (datetime(2025, 9, 28, 8), datetime(2025, 9, 28, 9))
    assert non_working_intervals(Calendar(kind="none"), datetime(2025, 3, 7), datetime(2025, 3, 10)) == []
    # over months only whole days off are shaded
    long = non_working_intervals(calendar, datetime(2025, 1, 1), datetime(2025, 4, 1))
    assert all(a.hour == 0 and b.hour == 0 for a, b in long)


def test_chart_rows_bars_waits_and_shading(log):
    timeline = case_timeline(log, "a", Calendar())
    fig = timeline.plot()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "1. 提交\n甲 · 销售部" and labels[1] == "2. 审批\n乙 · 财务部" and len(labels) == 5
    bars = [p for p in ax.patches if p.get_height() == pytest.approx(0.56)]
    assert len(bars) == 3  # 审批, 提交 (resubmitted), 审批; the instants are dots
    shaded = [p for p in ax.patches if p not in bars]
    assert shaded  # nights, the weekend and lunch breaks
    dotted = [line for line in ax.lines if line.get_linestyle() not in ("-", "None")]
    assert len(dotted) == 2  # the two waits longer than zero
    assert "2.0 工作小时" in [t.get_text() for t in ax.texts]
    assert timeline._repr_png_().startswith(b"\x89PNG")
    assert "<img" in timeline._repr_html_()
    fig_en = case_timeline(log, "c", Calendar()).plot("en")
    legend = [t.get_text() for t in fig_en.legends[0].get_texts()]
    assert "in progress" in legend and "non-working time" in legend
