"""compare on Spark (local mode) gives the default engine's Comparison: every finding, every case
id of every deviation, the fitness and the notes, field by field.

Runs only where procmine[spark] is installed (PySpark 3.5 and a Java runtime); skipped elsewhere.
One Spark session serves the whole module."""

from __future__ import annotations

import json

import polars as pl
import pytest

pytest.importorskip("pyspark")

import procmine  # noqa: E402
from procmine.calendar import Calendar  # noqa: E402
from procmine.compare import compare, read_design  # noqa: E402
from procmine.engine.spark import read_spark_log, spark_session  # noqa: E402
from procmine.errors import DesignError  # noqa: E402

from conftest import SAMPLES, write_text  # noqa: E402
from test_compare import TINY_DESIGN, TINY_LOG  # noqa: E402
from test_spark import MASTER, run, same, same_text  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = spark_session(MASTER)
    yield session
    session.stop()


def same_comparison(mine, theirs) -> None:
    """The same JSON (floats to its 4 decimals, ± one unit in the last), the same deviations per
    case in the same order, the same designed hand-offs used and cases per activity."""
    same(mine.to_dict(), theirs.to_dict(), "comparison")
    assert mine.case_deviations.columns == theirs.case_deviations.columns
    same(mine.case_deviations.to_dicts(), theirs.case_deviations.to_dicts(), "case_deviations")
    assert (mine.used_handoffs, mine.activity_cases) == (theirs.used_handoffs, theirs.activity_cases)


def test_parallel_steps_and_working_time_limits_equal_the_default_engine(spark):
    # 客户投诉处理: arrival times with overlapping steps (法务复核 alongside 客户回访: the hand-offs and the
    # first and last steps by the parallel-aware rule), time limits in working hours, the three rule kinds
    # (required_if on a text column, 紧急程度), departments and roles
    log = procmine.read_log(SAMPLES / "客户投诉处理.csv")
    on_spark = read_spark_log(str(SAMPLES / "客户投诉处理.csv"), spark=spark)
    design, calendar = read_design(SAMPLES / "客户投诉处理.design.yaml"), Calendar()
    mine, theirs = compare(on_spark, design, calendar), compare(log, design, calendar)
    same_comparison(mine, theirs)
    # what the comparison found, so the equality above is not that of two empty results
    assert mine.fitness is not None and 0 < mine.conforming_cases < mine.cases
    assert all(rule["cases"] for rule in mine.rule_violations) and len(mine.rule_violations) == 3
    assert sum(limit["cases"] for limit in mine.time_violations) > 10 and mine.extra_handoffs
    assert {"skipped_step", "extra_handoff", "time_limit", "rule_violation"} <= set(mine.case_deviations["kind"])


def test_completion_order_amount_rules_and_calendar_time_equal_the_default_engine(spark, tmp_path):
    # 费用报销's events as Parquet without their arrival times (completion order: steps measured from the
    # previous completion), rules on the amount (numbers tested by RequiredIf.test on the executors: the one
    # case whose 财务经理审批 row was dropped), limits in calendar time
    path = tmp_path / "claims.parquet"
    procmine.read_log(SAMPLES / "费用报销.xlsx").events.drop("start_timestamp").write_parquet(path)
    log, on_spark = procmine.read_log(path), read_spark_log(str(path), spark=spark)
    design, calendar = read_design(SAMPLES / "费用报销.design.yaml"), Calendar(kind="none")
    mine, theirs = compare(on_spark, design, calendar), compare(log, design, calendar)
    same_comparison(mine, theirs)
    rules = {rule["rule"]: rule for rule in mine.rule_violations}
    assert rules["required_if: 财务经理审批 if 报销金额 > 5000"]["case_ids"] == ["BX-2025-0059"]
    assert mine.time_basis == "calendar" and not log.has_start_times
    assert mine.unexpected_starts[0]["example_case_ids"] == ["BX-2025-0308"] and len(mine.time_violations) == 5


def test_the_hand_checked_tiny_log_equals_the_default_engine(spark, tmp_path):
    # test_compare's tiny log: each kind of deviation once (c2 over its time limit and approved by its
    # submitter, c3 skipping 审核, c4 with 审核 by another department, an unplanned step, 金额 over 1000
    # without 审批), c5 still in progress
    log_path = write_text(tmp_path / "log.csv", TINY_LOG)
    design = read_design(write_text(tmp_path / "design.yaml", TINY_DESIGN))
    calendar = Calendar()
    mine = compare(read_spark_log(str(log_path), spark=spark), design, calendar)
    theirs = compare(procmine.read_log(log_path), design, calendar)
    same_comparison(mine, theirs)
    assert set(mine.case_deviations["kind"]) == {"unplanned_step", "skipped_step", "extra_handoff", "rule_violation",
                                                 "time_limit", "responsibility"}
    assert (mine.cases, mine.open_cases, mine.conforming_cases, mine.cases_without_deviations) == (4, 1, 2, 1)


def test_a_rule_on_a_missing_column_is_the_default_engines_error(spark, tmp_path):
    design = read_design(write_text(tmp_path / "design.yaml", "steps: [{name: 发起申请}, {name: 合同归档}]\n"
                                    "flows: [[发起申请, 合同归档]]\nrules:\n"
                                    "  - required_if: {activity: 合同归档, condition: \"项目预算 > 100\"}\n"))
    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    with pytest.raises(DesignError, match="tests the column '项目预算', which the log 合同审批.csv does not have"):
        compare(on_spark, design)


def test_cli_compare_on_spark_writes_the_default_engines_outputs(spark, tmp_path, capsys):
    # 合同审批.csv: GB18030, OA arrival times, steps still open at export (their cases left out), amounts written
    # as text with decimals (合同金额(元) > 50万, cases rejected on the way exempt); the cases over 20万 only (on
    # Spark, a semi-join; two of the three open steps belong to cases filtered out); working hours that do not fit
    # the log, which both engines warn about
    outputs = {}
    for name, extra in (("default", []), ("spark", ["--engine", "spark", "--master", MASTER])):
        out = tmp_path / name
        code, text, err = run(["compare", str(SAMPLES / "合同审批.csv"), str(SAMPLES / "合同审批.design.yaml"),
                               "-o", str(out), "--work-hours", "00:00-06:00", "--where", "合同金额(元)>200000",
                               *extra], capsys)
        assert code == 0, err
        outputs[name] = (out, text, err)
    (out, text, err), (out_d, text_d, err_d) = outputs["spark"], outputs["default"]
    result = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    same(result, json.loads((out_d / "comparison.json").read_text(encoding="utf-8")), "comparison.json")
    same(pl.read_csv(out / "deviations.csv").to_dicts(), pl.read_csv(out_d / "deviations.csv").to_dicts(),
         "deviations.csv")
    written, written_d = read_design(out / "design.bpmn"), read_design(out_d / "design.bpmn")  # ids are random
    assert (set(written.step_names), written.allowed_handoffs) == (set(written_d.step_names), written_d.allowed_handoffs)
    assert (out / "comparison.png").stat().st_size > 10_000
    same_text(text.replace(str(out), "OUT"), text_d.replace(str(out_d), "OUT"))
    assert "procmine: 在 Spark（local[2]）上计算，只有汇总结果回到本机" in err.splitlines()
    warnings = [line for line in err.splitlines() if "warning" in line]  # night shifts: most steps outside them
    assert warnings == [line for line in err_d.splitlines() if "warning" in line] and len(warnings) == 1
    assert (result["cases"], result["cases_in_progress_left_out"]) == (129, 1)
    assert [(rule["cases"], rule["exempt_cases"]) for rule in result["rule_violations"]] == [(2, 0), (4, 6), (0, 0)]
