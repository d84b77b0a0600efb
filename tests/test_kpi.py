"""KPIs checked by hand: lead time, rejection rate, first-time-right, targets, months."""

from __future__ import annotations

import pytest

import procmine
from procmine.analyse.kpi import kpis
from procmine.calendar import Calendar

from conftest import write_text

LOG = "\n".join([
    "单据编号,审批节点,审批结果,到达时间,处理时间",
    # c1: Fri 2025-01-24 17:00 → Wed 2025-02-05 10:00 across 春节 (01-28..02-04 off; Sun 01-26 is a 调休 workday)
    "c1,提交,提交,2025-01-24 17:00,2025-01-24 17:00",
    "c1,审批,同意,2025-01-24 17:00,2025-02-05 10:00",
    # c2: rejected on the same day, 2 working hours
    "c2,提交,提交,2025-02-10 09:00,2025-02-10 09:00",
    "c2,审批,驳回,2025-02-10 09:00,2025-02-10 11:00",
    # c3: sent back once and approved: rework, not first-time-right
    "c3,提交,提交,2025-02-11 09:00,2025-02-11 09:00",
    "c3,审批,退回,2025-02-11 09:00,2025-02-11 10:00",
    "c3,提交,提交,2025-02-11 10:00,2025-02-11 11:00",
    "c3,审批,同意,2025-02-11 11:00,2025-02-11 14:00",
    # c4: still open at export (arrived, not completed)
    "c4,提交,提交,2025-02-12 09:00,2025-02-12 09:00",
    "c4,审批,,2025-02-12 09:00,",
]) + "\n"


@pytest.fixture
def report(tmp_path):
    return kpis(procmine.read_log(write_text(tmp_path / "k.csv", LOG)), target="3wd", calendar=Calendar())


def test_lead_times_in_working_time(report):
    # c1: 01-24 17–18 = 1 h; 01-26 (Sunday, 调休 workday) 8 h; 01-27 8 h; 02-05 09–10 1 h → 18 h
    # c2: 2 h; c3: 09:00–14:00 minus lunch = 4 h; c4 is open and left out
    assert report.completed_cases == 3 and report.cases == 4
    assert report.lead_time["max_work_hours"] == pytest.approx(18.0)
    assert report.lead_time["median_work_hours"] == pytest.approx(4.0)
    assert report.lead_time["median_work_days"] == pytest.approx(0.5)
    assert report.lead_time["max_hours"] == pytest.approx(12 * 24 - 7)  # 01-24 17:00 → 02-05 10:00


def test_rates_and_target(report):
    # over the 3 completed cases (c4 may still be rejected or reworked)
    assert report.rejection_rate == pytest.approx(1 / 3)        # c2 驳回; c3's 退回 is a send-back, not a rejection
    # c1 only: c2 was rejected (never resubmitted: still not right first time), c3 sent back and redone
    assert report.first_time_right == pytest.approx(1 / 3)
    assert report.target["limit_work_hours"] == pytest.approx(24.0)
    assert report.target["cases_met"] == 3 and report.target["share_met"] == pytest.approx(1.0)


def test_months(report):
    months = {r["month"]: r for r in report.by_month.to_dicts()}
    assert months["2025-01"]["cases_started"] == 1 and months["2025-01"]["cases_completed"] == 0
    assert months["2025-01"]["in_progress_at_end"] == 1
    assert months["2025-02"]["cases_completed"] == 3
    assert months["2025-02"]["in_progress_at_end"] == 1  # c4
    data = report.to_dict()
    assert set(data["lead_time"]) >= {"median_hours", "p90_hours", "median_work_days", "p90_work_days"}
    assert set(data["by_month"][0]) >= {"month", "cases_started", "cases_completed", "median_work_days"}


def test_target_in_working_hours(tmp_path):
    log = procmine.read_log(write_text(tmp_path / "k.csv", LOG))
    report = kpis(log, target="8h", calendar=Calendar())
    assert report.target["cases_met"] == 2  # c2 (2 h) and c3 (4 h); c1 took 18 working hours


def test_calendar_target_is_labelled_as_calendar_time(tmp_path):
    log = procmine.read_log(write_text(tmp_path / "k.csv", LOG))
    report = kpis(log, target="2d", calendar=Calendar())
    assert report.target["basis"] == "calendar" and report.target["limit_hours"] == pytest.approx(48.0)
    assert report.target["limit_work_hours"] is None
    assert "48.0 日历小时" in report.describe("zh")
    assert report.target["cases_met"] == 2  # c2 and c3 within 48 calendar hours; c1 took 12 days


def test_rejections_recorded_as_activities(tmp_path):
    # BPIC 2020 shape: no outcome column, the decision is in the event name
    rows = ["id,concept:name,time:timestamp",
            "d1,Declaration SUBMITTED by EMPLOYEE,2025-03-03 09:00", "d1,Declaration FINAL_APPROVED by SUPERVISOR,2025-03-03 10:00",
            "d2,Declaration SUBMITTED by EMPLOYEE,2025-03-04 09:00", "d2,Declaration REJECTED by SUPERVISOR,2025-03-04 10:00",
            "d3,Declaration SUBMITTED by EMPLOYEE,2025-03-05 09:00", "d3,Declaration REJECTED by ADMINISTRATION,2025-03-05 10:00",
            "d3,Declaration SUBMITTED by EMPLOYEE,2025-03-05 11:00", "d3,Declaration FINAL_APPROVED by SUPERVISOR,2025-03-05 12:00",
            "d4,Declaration SUBMITTED by EMPLOYEE,2025-03-06 09:00", "d4,Declaration FINAL_APPROVED by SUPERVISOR,2025-03-06 10:00"]
    report = kpis(procmine.read_log(write_text(tmp_path / "d.csv", "\n".join(rows) + "\n")), calendar=Calendar())
    assert report.rejection_rate == pytest.approx(2 / 4)      # d2 (never resubmitted) and d3
    assert report.first_time_right == pytest.approx(2 / 4)    # d1 and d4
    assert report.rejection_source == "activity names"
