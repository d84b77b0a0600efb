"""Hand-offs between departments, checked by hand on the four-case log of test_variants."""

from __future__ import annotations

import pytest

import procmine
from procmine.analyse.workload import department_handoffs, handoff_matrix, party_level
from procmine.calendar import Calendar

from conftest import write_text
from test_variants import LOG


@pytest.fixture
def log(tmp_path):
    return procmine.read_log(write_text(tmp_path / "w.csv", LOG))


def pairs_of(frame):
    return {(r["from"], r["to"]): r for r in frame.to_dicts()}


def test_department_handoffs(log):
    pairs = pairs_of(department_handoffs(log, Calendar()))
    # a, b, d: 销售部 → 财务部 → 行政部; c: 销售部 → 财务部 → 销售部 → 财务部 → 行政部
    assert set(pairs) == {("销售部", "财务部"), ("财务部", "行政部"), ("财务部", "销售部")}
    assert (pairs[("销售部", "财务部")]["handoffs"], pairs[("销售部", "财务部")]["cases"]) == (5, 4)
    assert (pairs[("财务部", "行政部")]["handoffs"], pairs[("财务部", "行政部")]["cases"]) == (4, 4)
    assert (pairs[("财务部", "销售部")]["handoffs"], pairs[("财务部", "销售部")]["cases"]) == (1, 1)
    # 财务部 → 行政部 waits: a 11:00 → 13:00 over lunch = 1 working hour; b, d 0; c 12:00 → 13:00 = 0
    assert pairs[("财务部", "行政部")]["median_wait_work_hours"] == pytest.approx(0.0)
    assert department_handoffs(log, Calendar())["handoffs"].to_list()[0] == 5  # most first


def test_wait_in_working_hours(log):
    waits = department_handoffs(log, Calendar(kind="none"))
    row = pairs_of(waits)[("财务部", "行政部")]
    assert row["median_wait_work_hours"] == pytest.approx(0.5)  # calendar: a 2 h, b 0, c 1 h, d 0


def test_matrix(log):
    matrix = handoff_matrix(department_handoffs(log, Calendar()))
    # order by hand-offs in and out: 财务部 10, 销售部 6, 行政部 4
    assert matrix.columns == ["from", "财务部", "销售部", "行政部"]
    rows = {r["from"]: r for r in matrix.to_dicts()}
    assert rows["财务部"] == {"from": "财务部", "财务部": 0, "销售部": 1, "行政部": 4}
    assert rows["销售部"] == {"from": "销售部", "财务部": 5, "销售部": 0, "行政部": 0}
    assert rows["行政部"] == {"from": "行政部", "财务部": 0, "销售部": 0, "行政部": 0}


def test_matrix_top_sums_the_rest(log):
    matrix = handoff_matrix(department_handoffs(log, Calendar()), top=1, other="其他")
    assert matrix.columns == ["from", "财务部", "其他"]
    rows = {r["from"]: r for r in matrix.to_dicts()}
    assert rows["财务部"] == {"from": "财务部", "财务部": 0, "其他": 5}
    assert rows["其他"] == {"from": "其他", "财务部": 5, "其他": 0}


def test_level_falls_back_to_people(tmp_path):
    path = write_text(tmp_path / "p.csv", "单据编号,审批节点,处理人,处理时间\n"
                      "x,A,甲,2025-03-03 09:00\nx,B,乙,2025-03-03 10:00\n")
    log = procmine.read_log(path)
    assert party_level(log) == "resource"
    frame = department_handoffs(log, Calendar())
    assert frame.to_dicts() == [{"from": "甲", "to": "乙", "handoffs": 1, "cases": 1, "median_wait_work_hours": None}]


def test_no_organisation(tmp_path):
    path = write_text(tmp_path / "n.csv", "单据编号,审批节点,处理时间\nx,A,2025-03-03 09:00\nx,B,2025-03-03 10:00\n")
    log = procmine.read_log(path)
    assert party_level(log) is None
    assert department_handoffs(log).is_empty()
    assert handoff_matrix(department_handoffs(log)).columns == ["from"]
