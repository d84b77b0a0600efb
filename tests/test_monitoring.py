"""procmine monitor: stuck cases as of a moment and KPIs by month, on the redesign sample, checked
against independent pandas computations."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import polars as pl
import pytest

import procmine
from procmine.analyse.monitoring import AsOfError, monthly_kpis, stuck_cases
from procmine.calendar import Calendar
from procmine.cli import main

from conftest import SAMPLES

LOG = SAMPLES / "付款审批_改造前后.csv"
DESIGN = SAMPLES / "付款审批_改造前后.design.yaml"
SH = ZoneInfo("Asia/Shanghai")
NO_CALENDAR = Calendar(kind="none")


@pytest.fixture(scope="module")
def log():
    return procmine.read_log(LOG)


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(LOG, encoding="utf-8-sig", parse_dates=["到达时间", "处理时间"])


def test_every_stuck_case_and_no_completed_one(log, raw):
    stuck = stuck_cases(log, stuck_after="24h", calendar=NO_CALENDAR)  # calendar hours: plain arithmetic
    latest = max(raw["到达时间"].max(), raw["处理时间"].max())
    assert stuck.as_of.replace(tzinfo=None) == latest and stuck.as_of_source == "latest"
    open_rows = raw[raw["处理时间"].isna()]
    waited = (latest - open_rows["到达时间"]).dt.total_seconds() / 3600
    expected = sorted(open_rows.loc[waited > 24, "单据编号"])
    assert sorted(stuck.stuck["case"].to_list()) == expected and len(expected) >= 3
    assert sorted(stuck.open_steps["case"].to_list()) == sorted(open_rows["单据编号"])  # open, stuck or not
    first = stuck.stuck.row(0, named=True)  # the longest wait first: who holds it, where, since when
    row = open_rows[open_rows["单据编号"] == first["case"]].iloc[0]
    assert (first["activity"], first["resource"]) == (row["审批节点"], row["处理人"])
    assert first["waited_hours"] == pytest.approx((latest - row["到达时间"]).total_seconds() / 3600)


def test_as_of_an_earlier_moment_sees_the_steps_open_then(log, raw):
    moment = datetime(2025, 6, 10, 12, 0)
    stuck = stuck_cases(log, as_of="2025-06-10 12:00", stuck_after="0h", calendar=NO_CALENDAR)
    opened = raw[(raw["到达时间"] <= moment) & ((raw["处理时间"] > moment) | raw["处理时间"].isna())]
    assert sorted(stuck.open_steps["case"].to_list()) == sorted(opened["单据编号"])
    with pytest.raises(AsOfError, match="before the log's first event"):
        stuck_cases(log, as_of="2024-12-01")


def test_design_time_limits_decide_what_is_stuck(log):
    design = procmine.read_design(DESIGN)
    loose = stuck_cases(log, stuck_after="20wd", calendar=Calendar())
    by_design = stuck_cases(log, stuck_after="20wd", design=design, calendar=Calendar())
    assert loose.stuck.is_empty()  # nothing has waited 20 working days
    assert set(by_design.stuck["limit"]) == {"1个工作日内"}  # 部门经理审批's designed limit
    assert by_design.stuck.height == 4


def test_months_count_cases_as_pandas_does_and_mark_the_last_as_incomplete(log, raw):
    months = monthly_kpis(log, target="3wd").table
    per = raw.groupby("单据编号").agg(first=("到达时间", "min"), last=("处理时间", "max"),
                                     open=("处理时间", lambda s: s.isna().any()))
    started = per["first"].dt.strftime("%Y-%m").value_counts()
    done = per[~per["open"]]["last"].dt.strftime("%Y-%m").value_counts()
    for r in months.iter_rows(named=True):
        assert r["cases_started"] == started.get(r["month"], 0)
        assert r["cases_completed"] == done.get(r["month"], 0)
    status = dict(months.select("month", "complete").iter_rows())
    assert status["2025-12"] is False and status["2025-11"] is True
    assert status["2025-01"] is True  # the log begins on 2 January, the first working day of 2025
    assert monthly_kpis(log, calendar=NO_CALENDAR).table.row(0, named=True)["complete"] is False  # 1 Jan counts


def test_filters_keep_exactly_the_cases_counted_independently(log, raw):
    amounts = raw.groupby("单据编号")["付款金额(元)"].first()
    assert log.filter(where="付款金额(元)>=40000").summary().cases == int((amounts >= 40000).sum())
    first = raw.groupby("单据编号")["到达时间"].min()
    kept = log.filter(period="2025-03-01:2025-05-01").summary().cases
    assert kept == int(((first >= "2025-03-01") & (first < "2025-05-01")).sum())


def test_cli_monitor_writes_the_report(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["monitor", str(LOG), "--design", str(DESIGN), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "FK2025-0468" in said and "部门经理审批" in said
    for name in ("report.html", "report.md", "report.docx", "report.xlsx", "stuck_cases.csv", "monthly.csv"):
        assert (out / name).exists(), name
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "流程执行监控报表" in text and "不完整" in text and "与设计流程的偏差" in text
    assert "3个工作日（来自设计流程的 KPI）" in text
    assert main(["monitor", str(LOG), "--as-of", "2030-01-01", "-o", str(tmp_path / "x"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target_source"] == "example" and data["stuck"]["stuck"] == 8  # every open step, waited years
    assert main(["monitor", str(LOG), "--as-of", "2020-01-01", "-o", str(tmp_path / "y")]) == 2
    assert "before the log's first event" in capsys.readouterr().err
