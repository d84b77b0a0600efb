"""procmine diff / compare_periods on a log spanning a redesign whose answer is known by construction,
checked against an independent pandas computation."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import polars as pl
import pytest

import procmine
from procmine.calendar import Calendar
from procmine.cli import main
from procmine.compare.periods import PeriodError, compare_periods, quantile_delta

from conftest import SAMPLES, write_text

LOG = SAMPLES / "付款审批_改造前后.csv"


@pytest.fixture(scope="module")
def diff():
    return compare_periods(procmine.read_log(LOG), split="2025-07-01", target="3wd")


def independent_lead_times() -> dict[str, np.ndarray]:
    """Calendar-hour lead times of completed cases, split by first arrival, in pandas."""
    frame = pd.read_csv(LOG, encoding="utf-8-sig", parse_dates=["到达时间", "处理时间"])
    per = frame.groupby("单据编号").agg(first=("到达时间", "min"), last=("处理时间", "max"),
                                       open=("处理时间", lambda s: s.isna().any()))
    done = per[~per["open"]]
    lead = (done["last"] - done["first"]).dt.total_seconds() / 3600
    before = done["first"] < pd.Timestamp("2025-07-01")
    return {"before": lead[before].to_numpy(), "after": lead[~before].to_numpy(), "open": int(per["open"].sum())}


def test_lead_times_match_an_independent_computation(diff):
    truth = independent_lead_times()
    row = diff.kpis.row(by_predicate=pl.col("measure") == "median_lead_hours", named=True)
    assert row["before"] == pytest.approx(np.median(truth["before"]))
    assert row["after"] == pytest.approx(np.median(truth["after"]))
    done = diff.kpis.row(by_predicate=pl.col("measure") == "completed_cases", named=True)
    assert (done["before"], done["after"]) == (len(truth["before"]), len(truth["after"]))
    assert row["delta"] < 0 and row["within_noise"] is False and row["ci_high"] < 0


def test_removed_added_and_faster_steps_are_named(diff):
    change = dict(diff.activities.select("activity", "change").iter_rows())
    assert change["副总审批"] == "removed" and change["合规审查"] == "new" and change["财务审核"] == "faster"
    # the untouched steps did not change beyond noise
    assert change["部门经理审批"] == change["出纳付款"] == change["提交申请"] == "same"
    paths = {r["path"]: r["change"] for r in diff.paths.iter_rows(named=True)}
    assert paths["部门经理审批 → 合规审查"] == "new" and paths["副总审批 → 财务审核"] == "removed"
    text = diff.describe("zh")
    assert "已删除 副总审批" in text and "新增 合规审查" in text and "变快 财务审核" in text
    assert "removed: 副总审批" in diff.describe("en")


def test_a_rate_that_did_not_change_is_said_to_be_within_noise(diff):
    ftr = diff.kpis.row(by_predicate=pl.col("measure") == "first_time_right", named=True)
    assert ftr["within_noise"] is True and ftr["ci_low"] < 0 < ftr["ci_high"]  # every 8th case sent back, both sides
    assert "在随机波动范围内" in diff.describe("zh")


def test_bootstrap_interval_covers_a_known_shift():
    rng = np.random.default_rng(1)
    x, y = rng.exponential(10, 400), rng.exponential(10, 400) + 5
    delta, low, high, method = quantile_delta(x, y, 0.5, np.random.default_rng(2))
    assert low < 5 < high and delta == pytest.approx(np.median(y) - np.median(x)) and "bootstrap" in method
    # large samples use order-statistic intervals; same shift, narrower interval
    x, y = rng.exponential(10, 30_000), rng.exponential(10, 30_000) + 5
    _, low, high, method = quantile_delta(x, y, 0.5, rng)
    assert low < 5 < high and high - low < 1 and "order-statistic" in method


def test_two_exports_and_a_split_outside_the_log(tmp_path):
    frame = pd.read_csv(LOG, encoding="utf-8-sig")
    first = frame.groupby("单据编号")["到达时间"].transform("min")
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    frame[first < "2025-07-01"].to_csv(old, index=False)
    frame[first >= "2025-07-01"].rename(columns={"审批节点": "节点名称"}).to_csv(new, index=False)
    both = compare_periods(procmine.read_log(old), other=procmine.read_log(new))
    split = compare_periods(procmine.read_log(LOG), split="2025-07-01")
    assert both.activities.select("activity", "change").sort("activity").equals(
        split.activities.select("activity", "change").sort("activity"))
    with pytest.raises(PeriodError, match="no case starts from 2030-01-01 on"):
        compare_periods(procmine.read_log(LOG), split="2030-01-01")


def test_cli_diff_writes_every_output(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["diff", str(LOG), "--split", "2025-07-01", "--target", "3wd", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "前后对比" in said and "已删除 副总审批" in said
    data = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    assert {k["measure"] for k in data["kpis"]} >= {"median_lead_work_hours", "rejection_rate", "target_share"}
    ET.parse(out / "diff_map.svg")
    import openpyxl

    book = openpyxl.load_workbook(out / "diff.xlsx")
    assert book.sheetnames[0] == "KPI" and book["KPI"].freeze_panes == "A3"
    assert isinstance(book["KPI"]["C3"].value, float)  # numbers as numbers
    assert main(["diff", str(LOG), "--split", "2030-01-01"]) == 2
    assert "2030-01-01" in capsys.readouterr().err


def test_the_survey_report_includes_the_before_and_after_section(diff):
    from procmine.calendar import Calendar
    from procmine.report import build_report

    log = procmine.read_log(LOG)
    report = build_report(log, Calendar(), target="3wd", before_after=diff)
    section = report.section("before_after")
    table = next(block for block in section.blocks if hasattr(block, "frame"))
    kpis = dict(zip(table.frame["指标"], table.frame["结论"]))
    assert kpis["周期中位数（工作小时）"] == "显著变化" and kpis["一次通过率（百分点）"] == "随机波动"
    assert any(getattr(block, "name", "").endswith("difference_map") for block in section.blocks)


def test_two_overlapping_exports_say_so(tmp_path):
    frame = pd.read_csv(LOG, encoding="utf-8-sig")
    first = frame.groupby("单据编号")["到达时间"].transform("min")
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    frame[first < "2025-08-01"].to_csv(old, index=False)
    frame[first >= "2025-06-01"].to_csv(new, index=False)
    both = compare_periods(procmine.read_log(old), other=procmine.read_log(new))
    overlap = frame[(first >= "2025-06-01") & (first < "2025-08-01")]["单据编号"].nunique()
    assert any(note.startswith(f"{overlap:,} 个案例同时出现在两份导出中") for note in both.notes)


def test_a_split_that_is_not_a_date_is_one_line(capsys):
    assert main(["diff", str(LOG), "--split", "abc"]) == 2
    err = capsys.readouterr().err
    assert "--split 'abc' is not a date" in err and len(err.strip().splitlines()) == 1
