"""Data-quality findings on a deliberately dirty export, counted by hand."""

from __future__ import annotations

import json

import pytest

import procmine
from procmine.errors import DataQualityError

from conftest import write_text

DIRTY = "\n".join([
    "单据编号,审批节点,处理人,到达时间,处理时间",      # row 1
    "D1,提交,张三,2025-03-03 09:00,2025-03-03 09:00",   # 2
    "D1,部门经理审批,李四,2025-03-03 09:00,2025-03-03 10:00",  # 3
    "D1,部门经理审批,李四,2025-03-03 09:00,2025-03-03 10:00",  # 4 exact duplicate of 3
    "D1,财务审核,王五,2025-03-03 10:00,待定",             # 5 unparseable completion
    ",财务审核,王五,2025-03-03 10:00,2025-03-03 11:00",   # 6 no case id
    "D1,,王五,2025-03-03 10:00,2025-03-03 11:00",         # 7 no activity
    "D2,提交,张三,2025-03-04 09:00,2025-03-04 09:00",     # 8
    "D2,部门经理审批 ,李四,2025-03-04 09:00,2025-03-04 12:00",  # 9 trailing space
    "D2,部门经理　审批,李四,2025-03-04 13:00,2025-03-04 12:30",  # 10 full-width space; completion before arrival
    "D2,财务审核,王五,2025-03-04 12:30,",                 # 11 open step (arrived, not completed)
    "D3,提交,,2025-03-05 09:00,2025-03-05 09:00",         # 12 single-event case, no resource
]) + "\n"


@pytest.fixture
def dirty(tmp_path):
    return procmine.read_log(write_text(tmp_path / "dirty.csv", DIRTY))


def findings(log):
    return {f.code: f for f in log.quality.findings}


def test_every_row_is_accounted_for(dirty):
    q = dirty.quality
    assert q.rows_read == 11
    assert q.events == 6  # rows 2, 3, 8, 9, 10, 12
    assert q.dropped == 5  # rows 4, 5, 6, 7, 11
    assert q.rows_read == q.events + q.dropped + q.merged


def test_reasons_counts_and_rows(dirty):
    f = findings(dirty)
    assert (f["missing_case"].rows, f["missing_case"].examples[0][0]) == (1, 6)
    assert (f["missing_activity"].rows, f["missing_activity"].examples[0][0]) == (1, 7)
    assert f["unparseable_timestamp"].examples == [(5, "待定")]
    assert f["unparseable_timestamp"].column == "处理时间"
    assert f["duplicate_row"].examples[0][0] == 4
    assert f["step_not_completed"].examples == [(11, "财务审核")]
    assert f["completion_before_arrival"].examples == [(10, "2025-03-04 13:00")]
    assert f["label_variant_activity"].rows == 2
    assert f["label_variant_activity"].action == "repaired"
    assert f["single_event_case"].rows == 1 and f["single_event_case"].examples[0][0] == 12
    assert f["missing_resource"].severity == "info"


def test_label_variants_merged_into_most_frequent(dirty):
    assert sorted(set(dirty.events["activity"].to_list())) == sorted(["提交", "部门经理审批"])


def test_completion_before_arrival_clears_the_arrival(dirty):
    row = dirty.events.filter(dirty.events["row"] == 10).to_dicts()[0]
    assert row["start_timestamp"] is None and row["timestamp"] is not None


def test_report_outputs(dirty):
    data = json.loads(dirty.quality.to_json())
    assert data["dropped"] == 5 and data["events"] == 6
    text = str(dirty.quality)
    assert "row 5: '待定'" in text
    assert "<table>" in dirty.quality._repr_html_()
    assert set(dirty.quality.to_frame()["action"]) >= {"dropped", "repaired", "kept"}


def test_strict_turns_problems_into_an_error(tmp_path):
    path = write_text(tmp_path / "dirty.csv", DIRTY)
    with pytest.raises(DataQualityError, match="strict"):
        procmine.read_log(path, strict=True)


def test_clean_log_has_no_problems(sequential_csv):
    log = procmine.read_log(sequential_csv, strict=True)
    assert log.quality.ok and log.quality.dropped == 0


def test_case_ids_with_spaces_around_them_are_one_case_and_counted(tmp_path):
    text = "\n".join([
        "单据编号,审批节点,处理时间",
        "D1,提交,2025-03-03 09:00",       # row 2
        " D1,审批,2025-03-03 10:00",      # 3: the same case, written with a space before
        "D1 ,归档,2025-03-03 11:00",      # 4: and after
        "D2,提交,2025-03-04 09:00",       # 5
    ]) + "\n"
    log = procmine.read_log(write_text(tmp_path / "spaces.csv", text))
    found = findings(log)["case_id_spaces"]
    assert (found.rows, found.action, [row for row, _ in found.examples]) == (2, "repaired", [3, 4])
    assert log.summary().cases == 2
    assert dict(log.tables().cases.select("case", "events").iter_rows()) == {"D1": 3, "D2": 1}
