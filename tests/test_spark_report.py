"""The survey report and the monitoring report on Spark (local mode) have the default engine's
tables: the variant table, the lead-time histogram, the party level, the hand-offs between
departments, the months and the stuck cases computed on Spark, and both reports through the CLI.

Runs only where procmine[spark] is installed (PySpark 3.5 and a Java runtime); skipped elsewhere.
One Spark session serves the whole module."""

from __future__ import annotations

import math

import polars as pl
import pytest

pytest.importorskip("pyspark")

import procmine  # noqa: E402
from procmine.analyse.kpi import lead_time_distribution  # noqa: E402
from procmine.analyse.monitoring import latest_time, monthly_kpis, stuck_cases  # noqa: E402
from procmine.analyse.variants import variants  # noqa: E402
from procmine.analyse.workload import department_handoffs, party_level  # noqa: E402
from procmine.calendar import Calendar  # noqa: E402
from procmine.cli import main  # noqa: E402
from procmine.engine.spark import read_spark_log  # noqa: E402
from procmine.log import START  # noqa: E402

from conftest import SAMPLES, SPARK_MASTER as MASTER, same_text  # noqa: E402


def same_frame(mine: pl.DataFrame, theirs: pl.DataFrame) -> None:
    """The same columns, types, rows and order; counts and names exactly, floats to 1e-9 relative
    (a median of an even count is a + ½(b − a) on Spark and (a + b) / 2 in polars)."""
    assert mine.schema == theirs.schema and mine.height == theirs.height
    for column in theirs.columns:
        for a, b in zip(mine[column].to_list(), theirs[column].to_list()):
            if isinstance(b, float):
                assert a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{column}: {a} != {b}"
            else:
                assert a == b, f"{column}: {a!r} != {b!r}"


def test_report_tables_in_completion_order_equal_the_default_engine(spark, tmp_path):
    # 付款审批 without its arrival times, as Parquet: steps and hand-offs in completion order, a
    # department column; both engines read the same file
    path = tmp_path / "payments.parquet"
    procmine.read_log(SAMPLES / "付款审批_改造前后.csv").events.drop(START).write_parquet(path)
    log, on_spark = procmine.read_log(path), read_spark_log(str(path), spark=spark)
    assert not on_spark.has_start_times and not log.has_start_times
    calendar = Calendar()
    table = variants(on_spark, calendar)
    same_frame(table, variants(log, calendar))
    assert table.height == 6 and table["median_lead_work_days"].null_count() == 0
    same_frame(variants(on_spark, calendar, top=3), variants(log, calendar, top=3))
    for width in (None, 1.0):  # the bins chosen from the 95th percentile, and a width given
        histogram = lead_time_distribution(on_spark, calendar, bin_days=width)
        same_frame(histogram, lead_time_distribution(log, calendar, bin_days=width))
    assert histogram["to_work_days"][-1] is None  # an open last bin: lead times beyond the p95's bin
    assert party_level(on_spark) == party_level(log) == "department"
    assert party_level(on_spark, prefer="role") == "department"  # no role column: the next one filled
    pairs = department_handoffs(on_spark, calendar)
    same_frame(pairs, department_handoffs(log, calendar))
    assert pairs["median_wait_work_hours"].null_count() == pairs.height  # no arrival times: no wait of its own


def test_report_tables_with_parallel_steps_equal_the_default_engine(spark):
    # 客户投诉处理.csv: arrival times with overlapping steps (the parallel-aware hand-offs) and a role column
    log = procmine.read_log(SAMPLES / "客户投诉处理.csv")
    on_spark = read_spark_log(str(SAMPLES / "客户投诉处理.csv"), spark=spark)
    calendar = Calendar()
    same_frame(variants(on_spark, calendar), variants(log, calendar))
    same_frame(lead_time_distribution(on_spark, calendar), lead_time_distribution(log, calendar))
    assert party_level(on_spark, prefer="role") == party_level(log, prefer="role") == "role"
    pairs = department_handoffs(on_spark, calendar, by="department")
    same_frame(pairs, department_handoffs(log, calendar, by="department"))
    assert pairs["median_wait_work_hours"].null_count() == 0 and pairs.height > 3


def test_log_summary_and_source_as_the_report_reads_them(spark):
    log = procmine.read_log(SAMPLES / "合同审批.csv")
    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    assert (on_spark.source.name, on_spark.source.format, on_spark.source.encoding) == \
        (log.source.name, log.source.format, log.source.encoding) == ("合同审批.csv", "csv", "gb18030")
    mine, theirs = on_spark.summary(), log.summary()
    assert mine.columns == theirs.columns and (mine.cases, mine.events, mine.variants) == (300, 2005, 19)
    assert (mine.start, mine.end, mine.timezone) == (theirs.start, theirs.end, theirs.timezone)
    assert on_spark.has_start_times == log.has_start_times and on_spark.filters == log.filters == ()


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_report_on_spark_writes_the_default_engines_tables(spark, tmp_path, capsys):
    # 付款审批: OA arrival times, eight steps still open at export, a send-back and a ping-pong that share
    # their 62 cases; every table of the report (report_files/*.csv) and every section after the
    # first, as Markdown
    outputs = {}
    for name, extra in (("default", []), ("spark", ["--engine", "spark", "--master", MASTER])):
        out = tmp_path / name
        code, text, err = run(["report", str(SAMPLES / "付款审批_改造前后.csv"), "-o", str(out), "--target", "3wd",
                               *extra], capsys)
        assert code == 0, err
        outputs[name] = (out, text, err)
    (out, text, err), (out_d, text_d, _) = outputs["spark"], outputs["default"]
    assert "procmine: 在 Spark（local[2]）上计算，只有汇总结果回到本机" in err.splitlines()
    assert "Traceback" not in err
    assert text.replace(str(out), "OUT") == text_d.replace(str(out_d), "OUT")  # sections, tables, charts
    tables = sorted(p.name for p in (out_d / "report_files").glob("*.csv"))
    assert tables == sorted(p.name for p in (out / "report_files").glob("*.csv")) and len(tables) == 14
    for name in tables:
        mine = (out / "report_files" / name).read_text(encoding="utf-8")
        theirs = (out_d / "report_files" / name).read_text(encoding="utf-8")
        if name == "table01_overview.csv":  # the default reader notes the time layouts it read; Spark does not
            theirs = "\n".join(line for line in theirs.splitlines() if not line.startswith("读取说明")) + "\n"
        if name == "table03_data_quality.csv":  # Spark's examples are values without row numbers, and it
            # does not note single-event cases (docs/spark.md): the open steps, counted alike, are checked
            open_steps = "处理时间,8,删除,步骤已到达但尚未完成"
            assert open_steps in mine and open_steps in theirs
            continue
        same_text(mine, theirs)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    same_text(_from_section_two(markdown), _from_section_two((out_d / "report.md").read_text(encoding="utf-8")))
    # the cases with any loop, counted on Spark: each once, though they went round both loops
    assert "共发现 2 种循环；至少经历一种的案例 62 个" in markdown
    assert pl.read_csv(out / "report_files" / "table07_loops.csv")["案例数"].to_list() == [62, 62]
    assert (out / "report_files" / "fig02_lead_time_distribution.png").stat().st_size > 20_000


def _from_section_two(markdown: str) -> str:
    return markdown[markdown.index("## 2 "):]


# --- the monitoring report -----------------------------------------------------------------------

def test_monitoring_tables_equal_the_default_engine(spark):
    # 合同审批.csv as of its latest time: three steps the export lists without a completion time
    log = procmine.read_log(SAMPLES / "合同审批.csv")
    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    calendar = Calendar()
    assert latest_time(on_spark) == latest_time(log)
    months = monthly_kpis(on_spark, target="3wd", calendar=calendar)
    same_frame(months.table, monthly_kpis(log, target="3wd", calendar=calendar).table)
    assert months.table["complete"].to_list() == [True] * 5 + [False]  # June: the export's month
    stuck = stuck_cases(on_spark, calendar=calendar)
    same_frame(stuck.open_steps, stuck_cases(log, calendar=calendar).open_steps)
    assert stuck.open_steps["case"].to_list() == ["HT2025-0299", "HT2025-0298", "HT2025-0300"]  # longest wait first


def test_a_before_after_section_on_spark_is_refused_before_the_analyses(spark):
    from procmine.engine.spark import SparkError

    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    with pytest.raises(SparkError, match=r"the before/after section \(--split\) .* does not run on Spark yet"):
        procmine.build_report(on_spark, before_after="2025-03-01")


def test_the_reports_analyses_share_one_measurement(spark, monkeypatch):
    from procmine.engine import spark_analyses

    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    built = []
    original = spark_analyses._Measured.__init__
    monkeypatch.setattr(spark_analyses._Measured, "__init__",
                        lambda self, *args, **kw: (built.append(self), original(self, *args, **kw))[1])
    calendar = Calendar()
    with spark_analyses.measured_once(on_spark):
        procmine.bottlenecks(on_spark, calendar)
        procmine.find_loops(on_spark, calendar)
        department_handoffs(on_spark, calendar)
        assert len(built) == 1 and built[0].steps.is_cached  # still persisted for the next analysis
    assert not built[0].steps.is_cached and on_spark._shared_measures is None  # freed at the end
    procmine.find_loops(on_spark, calendar)  # outside the block: a measurement of its own, freed
    assert len(built) == 2 and not built[1].steps.is_cached


def test_deviations_by_month_are_counted_as_the_default_engine_counts_them(spark):
    # monitor --design: the months of the deviating cases and the cases completed per month
    from procmine.compare import compare, read_design
    from procmine.report.monitoring import _completion_months

    log = procmine.read_log(SAMPLES / "合同审批.csv")
    on_spark = read_spark_log(str(SAMPLES / "合同审批.csv"), spark=spark)
    calendar, as_of = Calendar(), latest_time(log)
    ids = compare(log, read_design(SAMPLES / "合同审批.design.yaml"), calendar=calendar).case_deviations["case"].unique()
    assert 0 < ids.len() < 300
    months, per_month = _completion_months(on_spark, calendar, as_of, ids)
    their_months, their_per_month = _completion_months(log, calendar, as_of, ids)
    same_frame(months.sort("case"), their_months.sort("case"))
    same_frame(per_month.sort("month"), their_per_month.sort("month"))
    assert per_month["__completed"].sum() == 297  # 300 cases, three still open at export


def test_cli_monitor_on_spark_writes_the_default_engines_tables(spark, tmp_path, capsys):
    # 付款审批 as of 10 May, 12:00: steps arrived then and completed later are open; four wait beyond 4h
    outputs = {}
    for name, extra in (("default", []), ("spark", ["--engine", "spark", "--master", MASTER])):
        out = tmp_path / name
        code, text, err = run(["monitor", str(SAMPLES / "付款审批_改造前后.csv"), "-o", str(out), "--as-of",
                               "2025-05-10 12:00", "--stuck-after", "4h", "--target", "3wd", *extra], capsys)
        assert code == 0, err
        outputs[name] = (out, text, err)
    (out, text, err), (out_d, text_d, _) = outputs["spark"], outputs["default"]
    assert "procmine: 在 Spark（local[2]）上计算，只有汇总结果回到本机" in err.splitlines()
    assert text.replace(str(out), "OUT") == text_d.replace(str(out_d), "OUT")
    assert "超过时限 4 个" in text
    files = ["stuck_cases.csv", "monthly.csv", *sorted(p.relative_to(out_d).as_posix()
                                                      for p in (out_d / "report_files").glob("*.csv"))]
    assert len(files) == 5
    for name in files:
        same_text((out / name).read_text(encoding="utf-8"), (out_d / name).read_text(encoding="utf-8"))
    same_text((out / "report.md").read_text(encoding="utf-8"), (out_d / "report.md").read_text(encoding="utf-8"))
