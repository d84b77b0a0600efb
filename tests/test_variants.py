"""Variants checked by hand: sequences in step order, cases, shares and cumulative shares."""

from __future__ import annotations

import pytest

import procmine
from procmine.analyse.variants import coverage, variants
from procmine.calendar import Calendar

from conftest import write_text

# a, b, d: 提交 → 审批 → 归档; c: sent back once (提交 → 审批 → 提交 → 审批 → 归档). All on working days.
LOG = "\n".join([
    "单据编号,审批节点,处理人,部门,审批结果,到达时间,处理时间",
    "a,提交,甲,销售部,提交,2025-03-03 09:00,2025-03-03 09:00",
    "a,审批,乙,财务部,同意,2025-03-03 09:00,2025-03-03 11:00",
    "a,归档,丙,行政部,已归档,2025-03-03 13:00,2025-03-03 14:00",
    "b,提交,甲,销售部,提交,2025-03-04 09:00,2025-03-04 09:00",
    "b,审批,乙,财务部,同意,2025-03-04 09:00,2025-03-04 10:00",
    "b,归档,丙,行政部,已归档,2025-03-04 10:00,2025-03-04 12:00",
    "c,提交,丁,销售部,提交,2025-03-05 09:00,2025-03-05 09:00",
    "c,审批,乙,财务部,退回,2025-03-05 09:00,2025-03-05 10:00",
    "c,提交,丁,销售部,提交,2025-03-05 10:00,2025-03-05 10:30",
    "c,审批,乙,财务部,同意,2025-03-05 10:30,2025-03-05 12:00",
    "c,归档,丙,行政部,已归档,2025-03-05 13:00,2025-03-05 14:00",
    "d,提交,甲,销售部,提交,2025-03-06 09:00,2025-03-06 09:00",
    "d,审批,乙,财务部,同意,2025-03-06 09:00,2025-03-06 17:00",
    "d,归档,丙,行政部,已归档,2025-03-06 17:00,2025-03-06 18:00",
]) + "\n"


@pytest.fixture
def log(tmp_path):
    return procmine.read_log(write_text(tmp_path / "v.csv", LOG))


def test_variants_by_cases_with_shares(log):
    table = variants(log, Calendar())
    assert table["activities"].to_list() == [["提交", "审批", "归档"], ["提交", "审批", "提交", "审批", "归档"]]
    assert table["rank"].to_list() == [1, 2]
    assert table["steps"].to_list() == [3, 5]
    assert table["cases"].to_list() == [3, 1]
    assert table["share"].to_list() == pytest.approx([0.75, 0.25])
    assert table["cumulative_share"].to_list() == pytest.approx([0.75, 1.0])
    # a 09–14 minus lunch = 4 h, b 3 h, d 8 h → median 4 working hours = 0.5 working day
    assert table["median_lead_work_days"][0] == pytest.approx(0.5)
    assert table.height == log.summary().variants


def test_top_and_coverage(log):
    table = variants(log, Calendar())
    assert variants(log, Calendar(), top=1).height == 1
    assert coverage(table, 1) == pytest.approx(0.75)
    assert coverage(table, 10) == pytest.approx(1.0)   # fewer variants than asked: all of them
    assert coverage(table, 0) == 0.0


def test_ties_are_ordered_by_sequence(tmp_path):
    path = write_text(tmp_path / "t.csv", "单据编号,审批节点,处理时间\n"
                      "x,B,2025-03-03 09:00\ny,A,2025-03-03 09:00\n")
    table = variants(procmine.read_log(path), Calendar())
    assert table["activities"].to_list() == [["A"], ["B"]]
    assert table["share"].to_list() == pytest.approx([0.5, 0.5])
