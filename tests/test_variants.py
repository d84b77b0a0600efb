"""Variants checked by hand: sequences in step order, cases, shares and cumulative shares."""

from __future__ import annotations

import pytest

import procmine
from procmine.analyse.variants import compress_sequence, coverage, explore_variants, variants
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


# ---- the variant explorer ------------------------------------------------------------------------

@pytest.mark.parametrize("activities, expected", [
    (["提交", "审批", "审批", "审批", "归档"], "提交 → 审批 ×3 → 归档"),
    (["提交", "审批", "提交", "审批", "归档"], "(提交 → 审批) ×2 → 归档"),
    (["A", "B", "C", "A", "B", "C", "D"], "(A → B → C) ×2 → D"),
    (["A", "A", "B", "B"], "A ×2 → B ×2"),
    (["A", "B", "C"], "A → B → C"),
])
def test_compress_sequence_folds_repeats(activities, expected):
    assert compress_sequence(activities) == expected


def test_compress_sequence_leaves_out_the_middle():
    # 10 steps in 5 items: the first 3, the ellipsis counting D…I (6 steps), the last one
    assert compress_sequence(list("ABCDEFGHIJ"), max_items=5) == "A → B → C → …（6 步）… → J"
    assert compress_sequence(list("ABCDEFGHIJ"), max_items=6, lang="en") == "A → B → C → … (5 steps) … → I → J"
    assert compress_sequence(list("ABCDE"), max_items=5) == "A → B → C → D → E"  # fits: nothing left out


def test_explorer_top_and_others_row(log):
    explorer = explore_variants(log, Calendar(), top=1)
    shown = explorer.shown()
    assert shown["rank"].to_list() == [1, None]
    assert shown["variant"].to_list() == ["提交 → 审批 → 归档", "其他 1 个变体"]
    assert shown["cases"].to_list() == [3, 1]
    assert shown["share"].to_list() == pytest.approx([0.75, 0.25])
    # calendar lead times a 5 h, b 3 h, d 9 h → median 5 h = 5/24 day; working median 4 h = 0.5 day
    assert shown["median_lead_days"][0] == pytest.approx(5 / 24)
    assert shown["median_lead_work_days"][0] == pytest.approx(0.5)
    # the others row is case c alone: 09:00–14:00, 4 working hours (lunch 12–13), 5 calendar hours
    assert shown["median_lead_work_days"][1] == pytest.approx(0.5)
    assert shown["median_lead_days"][1] == pytest.approx(5 / 24)
    data = explorer.to_dict()
    assert data["variants"] == 2 and data["top_coverage"] == 0.75
    assert data["others"] == {"variants": 1, "cases": 1, "share": 0.25, "median_lead_work_days": 0.5,
                              "median_lead_days": round(5 / 24, 4)}
    assert "其他 1 个变体 25.0 %（1 个案例），周期中位 0.50 工作日／0.21 天（日历）" in explorer.describe()
    assert "1 other variants 25.0 % (1 cases)" in explorer.describe("en")


def test_explorer_frame_has_every_variant_with_its_id(log):
    frame = explore_variants(log, Calendar(), top=1).to_frame()
    assert frame["variant_id"].tolist() == [1, 2]  # every variant, no "others" row
    assert frame["variant"].tolist() == ["提交 → 审批 → 归档", "(提交 → 审批) ×2 → 归档"]
    assert frame["activities"].tolist()[1] == "提交 → 审批 → 提交 → 审批 → 归档"
    assert explore_variants(log, Calendar(), top=5).shown().height == 2  # fewer variants than top: no others row


def test_explorer_thousands_of_variants_stay_readable(tmp_path):
    # 40 cases with 40 different paths: 审批 done 1…40 times; the top 10 and one row for 30 others
    rows = ["单据编号,审批节点,处理时间"]
    for k in range(1, 41):
        rows += [f"k{k:02d},提交,2025-03-03 09:00"] + [f"k{k:02d},审批,2025-03-03 09:{i:02d}" for i in range(1, k + 1)]
    explorer = explore_variants(procmine.read_log(write_text(tmp_path / "many.csv", "\n".join(rows) + "\n")),
                                Calendar(), top=10)
    shown = explorer.shown()
    assert shown.height == 11 and shown["variant"][-1] == "其他 30 个变体"
    assert shown["cases"][-1] == 30 and shown["share"][-1] == pytest.approx(0.75)
    # one case each: ties ordered by the sequence, the shorter first
    assert shown["variant"][:3].to_list() == ["提交 → 审批", "提交 → 审批 ×2", "提交 → 审批 ×3"]
    assert explorer.to_frame()["variant"].tolist()[-1] == "提交 → 审批 ×40"  # folded, not 40 names


def test_explorer_chart_and_notebook_display(log):
    explorer = explore_variants(log, Calendar(), top=1)
    fig = explorer.plot()
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # the top variant and the others bar
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["#1  提交 → 审批 → 归档", "其他 1 个变体"]
    texts = [t.get_text() for t in ax.texts]
    assert "中位 0.50 工作日 · 0.21 天" in texts  # 4 working hours of 8; 5 calendar hours of 24
    assert explorer._repr_png_().startswith(b"\x89PNG")
    page = explorer._repr_html_()
    assert "<img" in page and "其他 1 个变体" in page
