"""The one outcome vocabulary: OA wordings, platform codes and event names, checked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from procmine.outcomes import classify, classify_name, classify_series, decisions, step_of


@pytest.mark.parametrize("text, code", [
    ("同意", "approve"), ("拟同意", "approve"), ("审批通过", "approve"), ("AGREE", "approve"), ("PASS", "approve"),
    ("不同意，预算超支", "reject"), ("未通过", "reject"), ("不予批准", "reject"), ("REFUSE", "reject"),
    ("rejected", "reject"), ("not approved", "reject"),
    ("退回", "send_back"), ("退回修改", "send_back"), ("ROLLBACK", "send_back"), ("sent back", "send_back"),
    ("不满意", "send_back"),
    ("撤回", "withdraw"), ("CANCELED", "withdraw"), ("转交", "transfer"), ("REDIRECT_TASK", "transfer"),
    ("加签", "add_approver"), ("抄送", "cc"), ("PROCESS_CC", "cc"),
    ("提交", "submit"), ("重新提交", "resubmit"), ("已阅", "read"), ("已归档", None), ("", None), (None, None),
])
def test_outcome_values(text, code):
    assert classify(text) == code


@pytest.mark.parametrize("name, code", [
    ("Declaration REJECTED by SUPERVISOR", "reject"), ("Declaration FINAL_APPROVED by SUPERVISOR", "approve"),
    ("A_DECLINED", "reject"), ("财务审核驳回", "reject"), ("退回补正", "send_back"),
    ("Declaration SUBMITTED by EMPLOYEE", "submit"),
    # names of steps, not decisions
    ("部门经理审批", None), ("Return ER", None), ("Payment Handled", None), ("Approve Request", None),
])
def test_activity_names(name, code):
    assert classify_name(name) == code


def test_series_agrees_with_one_value_at_a_time():
    values = ["不同意", "同意", None, "REJECTED", "Return ER", "已阅", "xx", "同意"]
    assert classify_series(pl.Series(values)).to_list() == [classify(v) for v in values]
    assert classify_series(pl.Series(values), names=True).to_list() == [classify_name(v) for v in values]


def test_decision_prefers_the_outcome_over_the_name():
    got = decisions(pl.Series(["同意", None, None]), pl.Series(["x REJECTED", "x REJECTED by Y", "审批"]))
    assert got.to_list() == ["approve", "reject", None]


def test_step_of_links_a_decision_event_to_its_step():
    assert step_of("Declaration FINAL_APPROVED by SUPERVISOR") == step_of("Declaration REJECTED by SUPERVISOR")
    assert step_of("财务审核驳回") == step_of("财务审核")
    assert step_of("Declaration REJECTED by ADMINISTRATION") != step_of("Declaration FINAL_APPROVED by SUPERVISOR")
