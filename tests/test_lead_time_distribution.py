"""The lead-time distribution in working days, checked by hand, and its chart."""

from __future__ import annotations

import pytest

import procmine
from procmine.analyse.kpi import lead_time_distribution
from procmine.calendar import Calendar

from conftest import write_text
from test_variants import LOG


def test_bins_on_four_cases(tmp_path):
    log = procmine.read_log(write_text(tmp_path / "d.csv", LOG))
    # lead times: a 4 h, b 3 h, c 4 h, d 8 h → 0.5, 0.375, 0.5, 1.0 working days; p95 = 1.0 → width 0.25
    table = lead_time_distribution(log, Calendar())
    assert table["from_work_days"].to_list() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert table["to_work_days"].to_list() == [0.25, 0.5, 0.75, 1.0, 1.25]  # no open bin: nothing beyond p95's bin
    assert table["cases"].to_list() == [0, 1, 2, 0, 1]
    assert table["share"].sum() == pytest.approx(1.0)
    wide = lead_time_distribution(log, Calendar(), bin_days=1)
    assert wide["cases"].to_list() == [3, 1]


def test_open_last_bin(tmp_path):
    # 19 cases of one working hour and one of 40 (five working days): p95 = 1 h, so one open bin "≥ 0.25"
    rows = ["单据编号,审批节点,到达时间,处理时间"]
    for i in range(19):
        rows.append(f"c{i},审批,2025-03-03 09:00,2025-03-03 10:00")
    rows.append("long,审批,2025-03-03 09:00,2025-03-07 18:00")
    log = procmine.read_log(write_text(tmp_path / "o.csv", "\n".join(rows) + "\n"))
    table = lead_time_distribution(log, Calendar())
    assert table.to_dicts() == [
        {"from_work_days": 0.0, "to_work_days": 0.25, "cases": 19, "share": pytest.approx(0.95)},
        {"from_work_days": 0.25, "to_work_days": None, "cases": 1, "share": pytest.approx(0.05)},
    ]


def test_histogram_chart_draws_target_and_open_bin(tmp_path):
    from procmine.chart.histogram import draw_lead_time_histogram

    log = procmine.read_log(write_text(tmp_path / "d.csv", LOG))
    fig = draw_lead_time_histogram(lead_time_distribution(log, Calendar()), target_days=0.5, lang="zh",
                                   target_note="50.0 % 的案例达标")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("目标 ≤ 0.5 工作日" in t and "50.0 %" in t for t in texts)
    assert [t for t in texts if t.isdigit()] == ["1", "2", "1"]  # counts over non-empty bars
    assert fig.axes[0].get_xlim()[1] >= 1.25
