"""The Spark engine (local mode) gives the default engine's process map, KPIs, bottlenecks, loops
and improvement candidates, field by field.

Runs only where procmine[spark] is installed (PySpark 3.5 and a Java runtime); skipped elsewhere.
One Spark session serves the whole module (starting one costs seconds)."""

from __future__ import annotations

import copy
import json
import math
import sys
import time

import pytest

pytest.importorskip("pyspark")

import procmine  # noqa: E402
from procmine.calendar import Calendar  # noqa: E402
from procmine.cli import main  # noqa: E402
from procmine.engine import spark as engine  # noqa: E402
from procmine.engine.spark import SparkError, read_spark_log  # noqa: E402
from procmine.errors import ProcmineError  # noqa: E402

from conftest import SAMPLES, SPARK_MASTER as MASTER, real_log, same_text  # noqa: E402


def same(spark_value, default_value, where: str = "") -> None:
    """Equal counts and names; floats equal to the 4 decimals the JSON keeps (± one unit in the
    last place: Spark's percentile interpolates as a + f·(b − a), polars as (a + b) / 2)."""
    if isinstance(default_value, dict):
        assert isinstance(spark_value, dict) and spark_value.keys() == default_value.keys(), where
        for key in default_value:
            same(spark_value[key], default_value[key], f"{where}.{key}")
    elif isinstance(default_value, list):
        assert isinstance(spark_value, list) and len(spark_value) == len(default_value), where
        for i, (a, b) in enumerate(zip(spark_value, default_value)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(default_value, float) and not isinstance(spark_value, str):
        assert spark_value is not None and math.isclose(spark_value, default_value, rel_tol=1e-9, abs_tol=1.01e-4), \
            f"{where}: {spark_value} != {default_value}"
    else:
        assert spark_value == default_value, f"{where}: {spark_value!r} != {default_value!r}"


def as_parquet(log, path):
    """The default reader's events as a Parquet file (what a Hive table of cleaned events holds)."""
    log.events.write_parquet(path)
    return path


# --- the library ---------------------------------------------------------------------------------

def test_parallel_steps_and_working_time_equal_the_default_engine(spark, tmp_path):
    # 客户投诉处理: arrival times with overlapping steps, so the hand-offs come from the
    # parallel-aware rule run on Arrow batches; working time from the broadcast calendar
    log = procmine.read_log(SAMPLES / "客户投诉处理.csv")
    on_spark = read_spark_log(str(SAMPLES / "客户投诉处理.csv"), spark=spark)
    calendar = Calendar()
    mine, theirs = procmine.discover(on_spark, calendar=calendar), procmine.discover(log, calendar=calendar)
    same(mine.to_dict(), theirs.to_dict(), "map")
    assert mine.duration_basis == "arrival → completion"
    assert mine.handoffs["median_work_hours"].null_count() == 0  # working time measured, not left out
    # the sample has overlapping steps: in completion order it has 11 hand-offs, not 8
    assert (mine.handoffs.height, procmine.discover(log, arrival_times=False).handoffs.height) == (8, 11)
    same(json.loads(procmine.kpis(on_spark, "3wd", calendar).to_json()),
         json.loads(procmine.kpis(log, "3wd", calendar).to_json()), "kpi")


def test_completion_order_from_a_table_of_cleaned_events(spark, tmp_path):
    # 费用报销.xlsx: Excel is read by the default reader; its events (label variants merged,
    # duplicates dropped) become a Spark table, read by name and measured in completion order
    # (the window path); the BPMN model is mined from the variants counted on Spark
    log = procmine.read_log(SAMPLES / "费用报销.xlsx")
    spark.read.parquet(str(as_parquet(log, tmp_path / "claims.parquet"))).createOrReplaceTempView("claim_events")
    on_spark = procmine.read_log("claim_events", engine="spark")
    assert on_spark.columns.case == "case" and on_spark.quality.dropped == 0
    mine = procmine.discover(on_spark, arrival_times=False)
    theirs = procmine.discover(log, arrival_times=False)
    assert (mine.source, theirs.source) == ("claim_events", "费用报销.xlsx")
    same({**mine.to_dict(), "source": "-"}, {**theirs.to_dict(), "source": "-"}, "map")
    assert mine.duration_basis == "completion → completion"
    same({**procmine.kpis(on_spark, calendar=Calendar(kind="none")).to_dict(), "source": "-"},
         {**procmine.kpis(log, calendar=Calendar(kind="none")).to_dict(), "source": "-"}, "kpi")
    variants = on_spark.aggregates(arrival_times=False, any_calendar=True).variants
    assert variants.drop("variant_id").to_dicts() == log.tables(arrival_times=False).variants.drop("variant_id").to_dicts()
    assert procmine.discover_bpmn(on_spark, arrival_times=False).to_dict() == \
        procmine.discover_bpmn(log, arrival_times=False).to_dict()


def test_rows_stay_on_spark_and_other_analyses_say_so(spark):
    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    with pytest.raises(SparkError, match="on Spark, procmine runs discover, kpi, bottlenecks, loops, improve, "
                                         "compare, report and monitor"):
        procmine.case_table(on_spark)


def test_a_missing_column_is_one_clear_error(spark, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("编号,时间\nA1,2025-01-01 09:00\n", encoding="utf-8")
    with pytest.raises(ProcmineError, match="activity"):
        read_spark_log(str(path), spark=spark)


# --- filters, on Spark ----------------------------------------------------------------------------

def kept_cases(log) -> set[str]:
    """The case ids a filtered log keeps (test only: a SparkLog's rows are brought back here)."""
    if getattr(log, "engine", None) == "spark":
        return {r[0] for r in log._cleaned[0].select("c").distinct().collect()}
    return set(log.tables().cases["case"].to_list())


def same_figures(on_spark, log, calendar) -> None:
    """The process map (with working time) and the KPIs, field by field (one aggregation on Spark)."""
    same(procmine.discover(on_spark, calendar=calendar).to_dict(), procmine.discover(log, calendar=calendar).to_dict(),
         "map")
    same(json.loads(procmine.kpis(on_spark, "3wd", calendar).to_json()),
         json.loads(procmine.kpis(log, "3wd", calendar).to_json()), "kpi")


#: Each kind and mode of filter on 合同审批.csv (arrival times, 3 steps still open at export).
CONTRACT_FILTERS = [
    dict(period="2025-02-01:2025-05-01"),
    dict(period="2025-03:", period_mode="end"),
    dict(period="2025-03-01:2025-03-15", period_mode="intersect"),
    dict(where="合同金额(元)>200000"),                         # text in the file, numbers to the reader
    dict(where="所属部门=财务部"),                              # a role, by the file's header
    dict(where=["审批意见~预算", "处理人!~唐"]),                 # contains, does not contain
    dict(where="合同金额(元)<=20万"),                           # a number written in 万
    dict(where="处理时间<2025-02-01"),                          # the completion time, as a date
    dict(lead_time=">3wd"),                                     # working time, the broadcast calendar
    dict(lead_time="<=2d"),                                     # calendar time
    dict(variants=3),
    dict(variants="80%"),
    dict(starts_with="发起申请", ends_with="合同归档"),         # open cases have no end
    dict(follows="部门经理审批 -> 财务审核 within 1wd"),
    dict(follows="法务审核 => 修改合同"),
]


@pytest.fixture(scope="module")
def contracts(spark):
    """合同审批.csv read by both engines once (the Spark log's cleaned rows are shared by the filters)."""
    return procmine.read_log(SAMPLES / "合同审批.csv"), read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)


@pytest.mark.parametrize("written", CONTRACT_FILTERS, ids=[str(w) for w in CONTRACT_FILTERS])
def test_filters_on_spark_keep_the_default_engines_cases(contracts, written):
    log, on_spark = contracts
    calendar = Calendar()
    mine, theirs = on_spark.filter(calendar=calendar, **written), log.filter(calendar=calendar, **written)
    assert 0 < mine.case_count < 300 and mine.cases_before_filters == 300
    assert kept_cases(mine) == kept_cases(theirs)
    assert (mine.filters, mine.label) == (theirs.filters, theirs.label)


def test_a_filtered_logs_map_and_kpis_equal_the_default_engines(contracts):
    # the kinds that read the steps (variants, follows) and working time (lead time), chained: the
    # figures are the map's and the KPIs' own on the kept rows (period and where: the CLI test)
    log, on_spark = contracts
    calendar = Calendar()
    written = dict(variants=3, lead_time=">3wd", follows="部门经理审批 -> 财务审核 within 1wd")
    mine, theirs = on_spark.filter(calendar=calendar, **written), log.filter(calendar=calendar, **written)
    assert mine.case_count == 106
    same_figures(mine, theirs, calendar)
    same(mine.summary().to_dict() | {"notes": []}, theirs.summary().to_dict() | {"notes": []}, "summary")


def test_filters_with_parallel_steps_on_spark(spark):
    # 客户投诉处理: 法务复核 overlaps 客户回访, so by the parallel-aware rule 2 cases end with both
    log = procmine.read_log(SAMPLES / "客户投诉处理.csv")
    on_spark = read_spark_log(str(SAMPLES / "客户投诉处理.csv"), spark=spark)
    for written, cases in ((dict(ends_with="法务复核"), 2), (dict(follows="调查与处理 => 法务复核"), 14),
                           (dict(follows="法务复核 => 结案归档 within 2d"), 12),
                           (dict(where="紧急程度=紧急", lead_time=">5wd"), 2)):
        mine = on_spark.filter(**written)
        assert kept_cases(mine) == kept_cases(log.filter(**written)), written
        assert mine.case_count == cases, written


def test_a_filter_counts_what_polars_counts_from_the_file(contracts):
    # independent of both engines: the cases with some completed row above 200,000, read with polars
    import polars as pl

    text = (SAMPLES / "合同审批.csv").read_bytes().decode("gb18030")
    rows = pl.read_csv(text.encode("utf-8"), infer_schema_length=0).filter(pl.col("处理时间").is_not_null())
    expected = rows.filter(pl.col("合同金额(元)").cast(pl.Float64) > 200000)["单据编号"].n_unique()
    on_spark = contracts[1].filter(where="合同金额(元)>200000")
    assert on_spark.case_count == expected == 130
    assert [f.describe("en") for f in on_spark.filters] == ["合同金额(元) > 200000"]
    # the data-quality report stays the file's own: 2,008 rows read, 2,005 events, 3 open steps dropped
    assert (on_spark.quality.rows_read, on_spark.quality.events) == (2008, 2005)


def test_filter_errors_on_spark_are_the_default_engines(contracts):
    from procmine.errors import EmptyLogError
    from procmine.filters import FilterError

    log, on_spark = contracts
    for written, error in ((dict(where="合同金 额>5"), FilterError), (dict(where="合同金额(元)>很多"), FilterError),
                           (dict(starts_with="财务审批"), FilterError),
                           (dict(period="2026-01-01:"), EmptyLogError)):
        with pytest.raises(error) as theirs:
            log.filter(**written)
        with pytest.raises(error) as mine:
            on_spark.filter(**written)
        assert str(mine.value) == str(theirs.value), written


# --- bottlenecks and loops, on Spark --------------------------------------------------------------

def same_bottlenecks(mine, theirs) -> None:
    """Every figure of the two results: the JSON (rankings, critical path, causes and rhythm, workload,
    notes), the backlog by week, and the text."""
    assert mine.backlog.height > 0
    same({**mine.to_dict(), "source": "-"}, {**theirs.to_dict(), "source": "-"}, "bottlenecks")
    same(mine.backlog.to_dicts(), theirs.backlog.to_dicts(), "backlog")
    assert mine.work_starts == theirs.work_starts
    same_text(mine.describe("en"), theirs.describe("en"))


def same_loops(mine, theirs) -> None:
    """Every loop's figures, the repeated activities, the map's cycles and the warnings (the JSON);
    the loops' full case lists stay on Spark."""
    same(mine.to_dict(), theirs.to_dict(), "loops")
    assert mine.loops["case_ids"].null_count() == mine.loops.height
    same_text(mine.describe("zh", top=None), theirs.describe("zh", top=None))


def test_bottlenecks_and_loops_with_parallel_steps_equal_the_default_engine(spark):
    # 客户投诉处理: work start times (开始时间) with overlapping steps: the hand-offs come from the
    # parallel-aware rule, the waits are queues; a ping-pong between people is folded into its loop
    log = procmine.read_log(SAMPLES / "客户投诉处理.csv")
    on_spark = read_spark_log(str(SAMPLES / "客户投诉处理.csv"), spark=spark)
    calendar = Calendar()
    mine, theirs = procmine.bottlenecks(on_spark, calendar), procmine.bottlenecks(log, calendar)
    same_bottlenecks(mine, theirs)
    assert mine.work_starts and mine.critical_path and mine.handoffs["share_of_lead_time"].null_count() == 0
    assert {"resources", "departments", "roles"} <= {k for k, v in mine.to_dict().items() if v}
    loops, their_loops = procmine.find_loops(on_spark, calendar), procmine.find_loops(log, calendar)
    same_loops(loops, their_loops)
    assert loops.loops.height == 2 and loops.loops["ping_pong_cases"].max() > 0


def test_bottlenecks_and_loops_of_a_real_log_in_completion_order(spark, tmp_path):
    # Sepsis (1,050 cases, one time per step): 50 loops, ping-pongs between departments (some folded
    # into loops), and the Chinese calendar, which does not fit it: the warning is the default engine's
    log = procmine.read_log(real_log("Sepsis_Cases.xes.gz"))
    on_spark = read_spark_log(str(as_parquet(log, tmp_path / "sepsis.parquet")), spark=spark)
    calendar = Calendar()
    mine, theirs = procmine.bottlenecks(on_spark, calendar), procmine.bottlenecks(log, calendar)
    same_bottlenecks(mine, theirs)
    assert any("outside working time" in note for note in mine.notes)
    assert mine.handoffs["share_of_lead_time"].null_count() == mine.handoffs.height  # completion order
    loops, their_loops = procmine.find_loops(on_spark, calendar), procmine.find_loops(log, calendar)
    same_loops(loops, their_loops)
    assert loops.loops.height == 50 and (loops.loops["kind"] == "ping-pong").any()
    assert (loops.loops["ping_pong_cases"] > 0).any()


# --- improvement candidates, on Spark -------------------------------------------------------------

def same_improvement_data(data: dict, their_data: dict, where: str) -> None:
    """Every candidate (kind, steps, evidence, saving, confidence), in order, the thresholds and the
    warnings; the evidence's sentences as text (a median exactly halfway may print one digit apart,
    see same_text)."""
    def split(data):
        data = copy.deepcopy(data)  # a report's to_dict() hands out the candidates' own evidence
        return data, [(c["evidence"].pop("summary"), c["evidence"].pop("summary_en")) for c in data["candidates"]]

    (data, sentences), (their_data, their_sentences) = split(data), split(their_data)
    same(data, their_data, where)
    for pair, their_pair in zip(sentences, their_sentences):
        for text, their_text in zip(pair, their_pair):
            same_text(text, their_text)


def same_improvements(mine, theirs) -> None:
    """The JSON (see same_improvement_data) and the text in both languages."""
    same_improvement_data(mine.to_dict(), theirs.to_dict(), "improvements")
    for lang in ("zh", "en"):
        same_text(mine.describe(lang), theirs.describe(lang))


def test_improve_with_parallel_steps_equals_the_default_engine(spark):
    # 客户投诉处理: arrival times with overlapping steps (法务复核 runs alongside 客户回访, so never a
    # parallelise candidate); one 投诉主管 classifies and assigns (merge); 调查与处理 has no owner
    log = procmine.read_log(SAMPLES / "客户投诉处理.csv")
    on_spark = read_spark_log(str(SAMPLES / "客户投诉处理.csv"), spark=spark)
    calendar = Calendar()
    mine, theirs = procmine.improvement_candidates(on_spark, calendar), procmine.improvement_candidates(log, calendar)
    same_improvements(mine, theirs)
    assert {"merge", "clarify_owner"} <= {c.kind for c in mine.candidates}


#: Thresholds that let every figure through: each activity, hand-off pair, pair of activities and
#: owner measured becomes a candidate, with its figures as evidence.
EVERY_FIGURE = dict(min_cases=1, min_approve_share=0.0, short_step_work_hours=1e9, min_single_approver_share=0.0,
                    same_owner_share=0.0, min_order_share=0.0, max_overlap_share=2.0, min_owners=1,
                    max_owner_share=2.0, applicant_share=2.0, min_saving_work_hours=-1.0)


def test_improve_figures_without_outcomes_equal_the_default_engines(spark, tmp_path):
    # 合同审批's events without outcomes (no 审批结果, no 审批意见): approvals are judged by the returns
    # after them. With every threshold open, all pairs, hand-offs and owners come out as candidates
    import polars as pl

    from procmine.analyse.improve import _step_parties
    from procmine.analyse.loops import re_entries
    from procmine.analyse.times import time_tables
    from procmine.engine.spark_analyses import _measure
    from procmine.engine.spark_improve import _per_activity
    from procmine.engine.tables import covered_steps

    events = procmine.read_log(SAMPLES / "合同审批.csv").events.drop("outcome", "审批意见")
    events.write_parquet(tmp_path / "contracts.parquet")
    log = procmine.read_log(tmp_path / "contracts.parquet")
    on_spark = read_spark_log(str(tmp_path / "contracts.parquet"), spark=spark)
    assert (log.columns.outcome, on_spark.columns.outcome) == (None, None)
    calendar = Calendar()
    mine = procmine.improvement_candidates(on_spark, calendar, **EVERY_FIGURE)
    theirs = procmine.improvement_candidates(log, calendar, **EVERY_FIGURE)
    same_improvements(mine, theirs)
    kinds = [c.kind for c in mine.candidates]
    assert kinds.count("parallelise") > 20 and kinds.count("merge") > 5 and "clarify_owner" in kinds
    # the per-activity figures behind the stamps and the merges, returns after each step included
    tables = time_tables(log, calendar)
    back = re_entries(tables)
    returned = tables.steps.with_columns(covered_steps(tables, back["case_code"], back["body_from"],
                                                       back["target_pos"]).alias("returned"))
    theirs = returned.group_by("activity").agg(pl.col("returned").sum()).join(_step_parties(tables), on="activity")
    measured = _measure(on_spark, calendar)
    try:
        figures = _per_activity(measured).select(theirs.columns)
    finally:
        measured.release()
    assert theirs["returned"].sum() > 100
    same(figures.sort("activity").to_dicts(), theirs.sort("activity").to_dicts(), "per activity")


def test_improve_in_completion_order_equals_the_default_engine(spark, tmp_path):
    # 费用报销.xlsx given to Spark as Parquet, in completion order: an approval that always agrees with one
    # approver (remove), two controls that do (sample: finance, the top authority), a merge by department
    log = procmine.read_log(SAMPLES / "费用报销.xlsx")
    on_spark = read_spark_log(str(as_parquet(log, tmp_path / "claims.parquet")), spark=spark)
    calendar = Calendar()
    mine, theirs = procmine.improvement_candidates(on_spark, calendar), procmine.improvement_candidates(log, calendar)
    same_improvements(mine, theirs)
    assert [c.kind for c in mine.candidates] == ["remove", "merge", "sample", "sample"]


def test_improve_of_a_real_log_equals_the_default_engine(spark, tmp_path):
    # Sepsis as Parquet: completion order, no outcomes, 16 activities seen together in a case (pairs of
    # first passes in both orders: parallelise), departments spread over many (clarify_owner); calendar hours
    log = procmine.read_log(real_log("Sepsis_Cases.xes.gz"))
    on_spark = read_spark_log(str(as_parquet(log, tmp_path / "sepsis.parquet")), spark=spark)
    calendar = Calendar(kind="none")
    mine, theirs = procmine.improvement_candidates(on_spark, calendar), procmine.improvement_candidates(log, calendar)
    same_improvements(mine, theirs)
    assert mine.cases == 1050 and {c.kind for c in mine.candidates} == {"parallelise", "clarify_owner"}


# --- the command line ----------------------------------------------------------------------------

def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def cli_outputs(log_path, tmp_path, capsys, *more):
    """discover's process_map.json and kpi's kpi.json, with and without --engine spark."""
    results = {}
    for name, extra in (("default", []), ("spark", ["--engine", "spark", "--master", MASTER])):
        out = tmp_path / name
        code, text, err = run(["discover", str(log_path), "-o", str(out), "--no-bpmn", *more, *extra], capsys)
        assert code == 0, err
        code, _, err = run(["kpi", str(log_path), "-o", str(out), "--target", "3wd", *more, *extra], capsys)
        assert code == 0, err
        results[name] = (json.loads((out / "process_map.json").read_text(encoding="utf-8")),
                         json.loads((out / "kpi.json").read_text(encoding="utf-8")), text, err)
    return results


def test_cli_discover_and_kpi_on_a_gbk_csv_equal_the_default_engine(spark, tmp_path, capsys):
    # 合同审批.csv: GB18030 text, slash dates, arrival times, three steps still open at export
    results = cli_outputs(SAMPLES / "合同审批.csv", tmp_path, capsys)
    (map_s, kpi_s, text, err), (map_d, kpi_d, text_d, _) = results["spark"], results["default"]
    same(map_s, map_d, "process_map.json")
    same(kpi_s, kpi_d, "kpi.json")
    assert kpi_s["in_progress"] == 3 and kpi_s["cases"] == 300
    # the log's summary (cases, events, variants, period in local time, median lead time, columns)
    assert text.splitlines()[:5] == text_d.splitlines()[:5]
    assert "引擎：Spark（local[2]）" in text and "并行感知" in text
    assert "删除 3 行" in text  # the open steps, counted on Spark as the default reader counts them
    # the interactive map too: its example cases and variants counted on Spark (see the drill-down test)
    page = (tmp_path / "spark" / "current_flowchart.html").read_text(encoding="utf-8")
    assert "部门经理审批" in page and "HT2025-0001" in page and "@font-face" in page
    assert (tmp_path / "spark" / "current_flowchart.png").stat().st_size > 10_000


def test_cli_filters_on_spark_equal_the_default_engine(spark, tmp_path, capsys):
    results = cli_outputs(SAMPLES / "合同审批.csv", tmp_path, capsys, "--where", "合同金额(元)>200000",
                          "--period", "2025-02-01:2025-05-01")
    (map_s, kpi_s, text, err), (map_d, kpi_d, text_d, err_d) = results["spark"], results["default"]
    same(map_s, map_d, "process_map.json")
    same(kpi_s, kpi_d, "kpi.json")
    note = "procmine: filter: started 2025-02-01 to 2025-05-01; 合同金额(元) > 200000: 74 of 300 cases kept"
    assert note in err.splitlines() and note in err_d.splitlines()
    assert map_s["source"] == "合同审批.csv（筛选：开始于 2025-02-01 至 2025-05-01；合同金额(元) > 200000）"
    assert text.splitlines()[:6] == text_d.splitlines()[:6]  # the summary, with its filter line


def test_cli_on_a_real_log(spark, tmp_path, capsys):
    log = procmine.read_log(real_log("Sepsis_Cases.xes.gz"))
    path = as_parquet(log, tmp_path / "sepsis.parquet")
    results = cli_outputs(path, tmp_path, capsys, "--calendar", "none")
    (map_s, kpi_s, _, _), (map_d, kpi_d, _, _) = results["spark"], results["default"]
    same(map_s, map_d, "process_map.json")
    same(kpi_s, kpi_d, "kpi.json")
    assert map_s["cases"] == 1050 and len(map_s["nodes"]) == 16


def test_cli_bottlenecks_and_loops_on_spark_equal_the_default_engine(spark, tmp_path, capsys):
    # 合同审批.csv: OA arrival times (到达时间), GB18030, three steps still open at export (they count
    # in the backlog from their arrival); bottlenecks in working time with its charts, loops in calendar time
    outputs = {}
    for name, extra in (("default", []), ("spark", ["--engine", "spark", "--master", MASTER])):
        out = tmp_path / name
        code, text, err = run(["bottlenecks", str(SAMPLES / "合同审批.csv"), "-o", str(out), *extra], capsys)
        assert code == 0, err
        code, loops, loops_err = run(["loops", str(SAMPLES / "合同审批.csv"), "--calendar", "none", "--json", *extra],
                                     capsys)
        assert code == 0, loops_err
        outputs[name] = (out, text, err, json.loads(loops))
    (out, text, err, loops), (out_d, text_d, err_d, loops_d) = outputs["spark"], outputs["default"]
    same(json.loads((out / "bottlenecks.json").read_text(encoding="utf-8")),
         json.loads((out_d / "bottlenecks.json").read_text(encoding="utf-8")), "bottlenecks.json")
    assert (out / "backlog.csv").read_text(encoding="utf-8") == (out_d / "backlog.csv").read_text(encoding="utf-8")
    same_text(text.replace(str(out), "OUT"), text_d.replace(str(out_d), "OUT"))
    assert (out / "bottleneck_heatmap.png").stat().st_size > 10_000  # the map, discovered on Spark when drawn
    assert "procmine: 在 Spark（local[2]）上计算，只有汇总结果回到本机" in err.splitlines()
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert warnings == [line for line in err_d.splitlines() if "warning" in line]
    same(loops, loops_d, "loops.json")
    assert loops["time_basis"] == "calendar" and loops["loops"][0]["cases"] == 43


def test_cli_improve_on_spark_equals_the_default_engine(spark, tmp_path, capsys):
    # 合同审批.csv: OA arrival times, GB18030; improvements.json (with -o) and the text, both engines
    outputs = {}
    for name, extra in (("default", []), ("spark", ["--engine", "spark", "--master", MASTER])):
        out = tmp_path / name
        code, text, err = run(["improve", str(SAMPLES / "合同审批.csv"), "-o", str(out), *extra], capsys)
        assert code == 0, err
        outputs[name] = (json.loads((out / "improvements.json").read_text(encoding="utf-8")), text, err)
    (found, text, err), (found_d, text_d, err_d) = outputs["spark"], outputs["default"]
    same_improvement_data(found, found_d, "improvements.json")
    assert found["candidates"] and found["cases"] == 300
    same_text(text.replace(str(tmp_path / "spark"), "OUT"), text_d.replace(str(tmp_path / "default"), "OUT"))
    assert "procmine: 在 Spark（local[2]）上计算，只有汇总结果回到本机" in err.splitlines()
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert warnings == [line for line in err_d.splitlines() if "warning" in line]


def test_options_spark_cannot_honour_are_refused_before_it_starts(capsys):
    # the filters run on Spark; pseudonymising reads the rows, so it is still refused, in one line
    code, _, err = run(["kpi", str(SAMPLES / "合同审批.csv"), "--engine", "spark", "--where", "处理人=唐亮",
                        "--min-department-size", "3"], capsys)
    assert code == 2 and "not available with --engine spark: --min-department-size" in err


def test_other_commands_say_which_run_on_spark(capsys):
    code, _, err = run(["cases", str(SAMPLES / "合同审批.csv"), "--engine", "spark"], capsys)
    assert code == 2
    assert err.strip() == ("procmine: error: --engine spark runs discover, kpi, bottlenecks, loops, improve, "
                           "compare, report and monitor only; cases reads the rows on one machine: drop --engine spark")


def test_without_pyspark_one_line_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    code, _, err = run(["kpi", str(SAMPLES / "合同审批.csv"), "--engine", "spark", "--master", "local[1]"], capsys)
    assert code == 2
    assert err.strip() == "procmine: error: Spark is not installed: pip install 'procmine[spark]'"


def test_an_unreachable_master_is_an_error_in_bounded_time(monkeypatch):
    monkeypatch.setattr(engine, "PROBE_TIMEOUT", 2.0)
    started = time.monotonic()
    with pytest.raises(SparkError, match=r"cannot reach the Spark master spark://127\.0\.0\.1:9"):
        engine._probe("spark://127.0.0.1:9")  # nothing listens on the discard port
    # a master that accepts the connection but never registers the application: the start gives up
    with pytest.raises(SparkError, match="did not start within 0.5 s"):
        engine._within(0.5, lambda: time.sleep(5), "spark://somewhere:7077")
    assert time.monotonic() - started < 5


# --- the interactive map, on Spark -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["合同审批.csv", "Sepsis_Cases.xes.gz"])
def test_interactive_map_drill_down_equals_the_default_engine(spark, tmp_path, name):
    # the example cases of every box and arrow and the variants through each box, in the same order:
    # 合同审批 with arrival times (parallel-aware hand-offs) and without; Sepsis in completion order
    from procmine.chart.interactive import _drill_down

    if name.endswith(".csv"):
        log, source = procmine.read_log(SAMPLES / name), str(SAMPLES / name)
    else:
        log = procmine.read_log(real_log(name))
        source = str(as_parquet(log, tmp_path / "log.parquet"))
    on_spark = read_spark_log(source, spark=spark)
    for arrival_times in (True, False):
        mine, theirs = _drill_down(on_spark, arrival_times), _drill_down(log, arrival_times)
        assert mine == theirs
        assert list(mine["nodes"]) == list(theirs["nodes"]) and list(mine["edges"]) == list(theirs["edges"])
        assert all(len(node["cases"]) > 0 and node["variants"] for node in mine["nodes"].values())


@pytest.mark.parametrize("name", ["客户投诉处理.csv", "合同审批.csv"])
def test_bpmn_with_parallel_steps_equals_the_default_engine(spark, name):
    # with arrival times, overlapping steps are given to the miner in both orders, as by the default
    # engine: the same weighted sequences, so the same model
    from procmine.discover.bpmn import variant_counts

    log = procmine.read_log(SAMPLES / name)
    on_spark = read_spark_log(str(SAMPLES / name), spark=spark)
    counted, names, n = on_spark.variant_counts()
    theirs = variant_counts(log.tables())
    assert counted == theirs
    in_step_order = {tuple(a): 2 * c for a, c in log.tables().variants.select("activities", "cases").iter_rows()}
    assert counted != in_step_order  # some block of overlapping steps was given reversed too
    assert (names, n) == (log.tables().activity_names.to_list(), log.tables().variants.height)
    assert procmine.discover_bpmn(on_spark).to_dict() == procmine.discover_bpmn(log).to_dict()
