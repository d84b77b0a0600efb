"""The Spark engine (local mode) gives the default engine's process map and KPIs, field by field.

Runs only where procmine[spark] is installed (PySpark 3.5 and a Java runtime); skipped elsewhere.
One Spark session serves the whole module (starting one costs seconds)."""

from __future__ import annotations

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
from procmine.engine.spark import SparkError, read_spark_log, spark_session  # noqa: E402
from procmine.errors import ProcmineError  # noqa: E402

from conftest import SAMPLES, real_log  # noqa: E402

MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark():
    session = spark_session(MASTER)
    yield session
    session.stop()


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
    with pytest.raises(SparkError, match="on Spark, procmine runs discover and kpi"):
        procmine.bottlenecks(on_spark)


def test_a_missing_column_is_one_clear_error(spark, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("编号,时间\nA1,2025-01-01 09:00\n", encoding="utf-8")
    with pytest.raises(ProcmineError, match="activity"):
        read_spark_log(str(path), spark=spark)


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
    assert not (tmp_path / "spark" / "current_flowchart.html").exists()
    assert (tmp_path / "spark" / "current_flowchart.png").stat().st_size > 10_000


def test_cli_on_a_real_log(spark, tmp_path, capsys):
    log = procmine.read_log(real_log("Sepsis_Cases.xes.gz"))
    path = as_parquet(log, tmp_path / "sepsis.parquet")
    results = cli_outputs(path, tmp_path, capsys, "--calendar", "none")
    (map_s, kpi_s, _, _), (map_d, kpi_d, _, _) = results["spark"], results["default"]
    same(map_s, map_d, "process_map.json")
    same(kpi_s, kpi_d, "kpi.json")
    assert map_s["cases"] == 1050 and len(map_s["nodes"]) == 16


def test_other_commands_say_which_run_on_spark(capsys):
    code, _, err = run(["bottlenecks", str(SAMPLES / "合同审批.csv"), "--engine", "spark"], capsys)
    assert code == 2
    assert err.strip() == ("procmine: error: --engine spark runs discover and kpi only; bottlenecks reads the rows "
                           "on one machine: drop --engine spark")


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
