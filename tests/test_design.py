"""The designed process object itself: its notebook display in its language, and its Petri net
built once (the contract design of sample_logs/合同审批.design.yaml: 8 steps, 3 rules)."""

from __future__ import annotations

import pytest

from procmine import _engine
from procmine.compare import read_design

from conftest import SAMPLES


@pytest.fixture()
def design():
    return read_design(SAMPLES / "合同审批.design.yaml")


def test_the_display_is_chinese_by_default(design):
    shown = design._repr_html_()
    assert shown.startswith("<b>合同审批（未来流程）</b> (8 个步骤)<table><tr><th>步骤</th><th>责任部门</th>"
                            "<th>岗位</th><th>时间要求</th></tr>")
    assert "<td>法务审核</td><td>法务部</td><td></td><td>3个工作日内</td>" in shown
    assert "<li>法务审核 须在 合同盖章 之前完成</li>" in shown


def test_the_display_follows_the_design_language(design):
    design.lang = "en"  # as display_lang reads it from any result
    shown = design._repr_html_()
    assert shown.startswith("<b>合同审批（未来流程）</b> (8 steps)<table><tr><th>step</th><th>department</th>"
                            "<th>role</th><th>time limit</th></tr>")
    rule = design.rules[0]
    assert f"<li>{rule.describe('en')}</li>" in shown and rule.describe("en") != rule.describe("zh")
    assert "步骤" not in shown and "责任部门" not in shown


def test_the_petri_net_is_built_once(design, monkeypatch):
    built = []
    real = _engine.petri_net
    monkeypatch.setattr(_engine, "petri_net", lambda model: built.append(model) or real(model))
    first = design._petri_net()
    assert design._petri_net() is first
    assert design.mandatory_steps  # the behaviour is worked out on the same net
    assert built == [design.engine_model]
