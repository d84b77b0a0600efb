"""A log read in parts by case (procmine.engine.partitioned) gives the figures of the whole log.

Each log is written to Parquet and read twice: whole, and in parts of a few hundred events; the
process map, the KPIs, the summary, the BPMN model and the data-quality counts must agree. Counts
and medians are compared exactly; means and totals to 1e-9 (sums in another order).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import polars as pl
import pytest

import procmine
from procmine.engine.partitioned import PartitionError, PartitionedLog
from procmine.read.files import ROW, open_table

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
REAL = Path(os.environ.get("PROCMINE_REAL_LOGS", Path(__file__).resolve().parents[2] / "shared" / "real_logs"))


def as_parquet(source: Path, tmp_path: Path) -> Path:
    """The file's raw columns as Parquet (what an OA export to a data lake looks like)."""
    target = tmp_path / (source.name.replace(".", "_") + ".parquet")
    open_table(source).frame.drop(ROW).write_parquet(target)
    return target


def same(whole, parts, where: str = "") -> None:
    if isinstance(whole, dict):
        assert set(whole) == set(parts), where
        for key in whole:
            same(whole[key], parts[key], f"{where}.{key}")
    elif isinstance(whole, list):
        assert len(whole) == len(parts), where
        for i, (a, b) in enumerate(zip(whole, parts)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(whole, float) and isinstance(parts, float):
        assert math.isclose(whole, parts, rel_tol=1e-9, abs_tol=1e-9), (where, whole, parts)
    else:
        assert whole == parts, (where, whole, parts)


def both(path: Path, rows: int):
    whole = procmine.read_log(path)
    parts = procmine.read_log(path, partition_rows=rows)
    assert isinstance(parts, PartitionedLog) and len(parts.files) >= 2
    return whole, parts


@pytest.mark.parametrize("name", ["合同审批.csv", "费用报销.xlsx", "付款审批_改造前后.csv", "客户投诉处理.csv"])
def test_parts_give_the_whole_logs_figures(name, tmp_path):
    whole, parts = both(as_parquet(SAMPLES / name, tmp_path), rows=400)
    same(procmine.discover(whole).to_dict(), procmine.discover(parts).to_dict(), "map")
    same(procmine.kpis(whole, target="3wd").to_dict(), procmine.kpis(parts, target="3wd").to_dict(), "kpi")
    same(whole.summary().to_dict(), parts.summary().to_dict(), "summary")
    assert parts.quality.rows_read == whole.quality.rows_read
    assert parts.quality.events == whole.quality.events == len(parts)
    assert [(f.code, f.rows, f.action) for f in parts.quality.findings] == \
        [(f.code, f.rows, f.action) for f in whole.quality.findings]
    assert repr(procmine.discover_bpmn(parts)) == repr(procmine.discover_bpmn(whole))


def test_the_examples_are_the_files_first_rows(tmp_path):
    # 费用报销.xlsx has a duplicate row, an unreadable time and label variants: every finding's
    # examples are those the whole read names (the file's rows, not a part's)
    whole, parts = both(as_parquet(SAMPLES / "费用报销.xlsx", tmp_path), rows=300)
    for a, b in zip(whole.quality.findings, parts.quality.findings):
        assert a.examples == b.examples, a.code


def test_a_simplified_map_measures_its_hand_offs_on_the_parts(tmp_path):
    whole, parts = both(as_parquet(SAMPLES / "合同审批.csv", tmp_path), rows=500)
    a = procmine.discover(whole).simplify(activities=0.5, paths=1.0)
    b = procmine.discover(parts).simplify(activities=0.5, paths=1.0)
    same(a.to_dict(), b.to_dict(), "simplified")
    assert a.activities.height < procmine.discover(whole).activities.height  # something was hidden


def test_case_filters_apply_part_by_part(tmp_path):
    path = as_parquet(SAMPLES / "合同审批.csv", tmp_path)
    whole, parts = both(path, rows=500)
    where = "合同金额(元)>200000"
    a, b = whole.filter(where=where), parts.filter(where=where)
    # counted independently from the file: the cases with an amount above 200,000 on any row
    raw = pl.read_csv(SAMPLES / "合同审批.csv", encoding="gbk", infer_schema=False)
    amount = [c for c in raw.columns if c.startswith("合同金额")][0]
    case = [c for c in raw.columns if c in ("单据编号", "合同编号", "流程编号")][0]
    expected = raw.filter(pl.col(amount).cast(pl.Float64, strict=False) > 200000)[case].n_unique()
    assert b.summary().cases == a.summary().cases == expected
    same(procmine.kpis(a).to_dict(), procmine.kpis(b).to_dict(), "filtered kpi")
    assert b.label == a.label
    with pytest.raises(PartitionError, match="variants"):
        parts.filter(variants=3)
    from procmine.errors import EmptyLogError

    with pytest.raises(EmptyLogError) as said_whole:
        whole.filter(period="2030-01-01:2031-01-01")
    with pytest.raises(EmptyLogError) as said_in_parts:
        len(parts.filter(period="2030-01-01:2031-01-01"))
    assert str(said_in_parts.value) == str(said_whole.value)


def test_no_parts_below_the_size(tmp_path):
    path = as_parquet(SAMPLES / "合同审批.csv", tmp_path)
    assert not isinstance(procmine.read_log(path, partition_rows=10_000), PartitionedLog)
    assert not isinstance(procmine.read_log(SAMPLES / "合同审批.csv", partition_rows=10), PartitionedLog)  # CSV


def test_the_parts_are_removed(tmp_path):
    parts = procmine.read_log(as_parquet(SAMPLES / "合同审批.csv", tmp_path), partition_rows=500)
    folder = parts.files[0].parents[1]
    assert folder.exists()
    parts.close()
    assert not folder.exists()


@pytest.mark.skipif(not (REAL / "BPI_Challenge_2012.xes.gz").exists(), reason="real logs not present")
def test_bpic_2012_in_88_parts_with_lifecycle_folding(tmp_path):
    whole, parts = both(as_parquet(REAL / "BPI_Challenge_2012.xes.gz", tmp_path), rows=3000)
    same(procmine.discover(whole).to_dict(), procmine.discover(parts).to_dict(), "map")
    same(procmine.kpis(whole).to_dict(), procmine.kpis(parts).to_dict(), "kpi")
    assert [(f.code, f.rows) for f in parts.quality.findings] == [(f.code, f.rows) for f in whole.quality.findings]


@pytest.mark.skipif(not (REAL / "Sepsis_Cases.xes.gz").exists(), reason="real logs not present")
def test_sepsis_in_parts_completion_order(tmp_path):
    whole, parts = both(as_parquet(REAL / "Sepsis_Cases.xes.gz", tmp_path), rows=2000)
    a = procmine.discover(whole, arrival_times=False).to_dict()
    b = procmine.discover(parts, arrival_times=False).to_dict()
    same(a, b, "map")


def test_parts_that_chose_another_spelling_agree(tmp_path):
    # 财务审核 is written "财务 审核" in 40 % of the cases; a part where that spelling is the
    # more frequent names the step so: merged, the map still has one 财务审核 with every step
    rows = []
    for i in range(60):
        finance = "财务 审核" if i % 5 in (1, 3) else "财务审核"
        for j, activity in enumerate(["提交申请", "部门审批", finance, "归档"]):
            rows.append({"单据编号": f"BX{i:03d}", "审批节点": activity,
                         "处理时间": f"2025-03-{1 + i % 28:02d} {9 + j}:00:00"})
    path = tmp_path / "spellings.parquet"
    pl.DataFrame(rows).write_parquet(path)
    whole, parts = both(path, rows=30)
    chosen = {name for f in parts.files for name in procmine.read_log(f).events["activity"].unique()}
    assert {"财务审核", "财务 审核"} <= chosen  # the parts did disagree
    a, b = procmine.discover(whole).to_dict(), procmine.discover(parts).to_dict()
    same(a, b, "map")
    assert {x["activity"] for x in b["nodes"]} == {"提交申请", "部门审批", "财务审核", "归档"}


def test_the_interactive_map_of_a_log_in_parts(tmp_path):
    from procmine.chart.interactive import interactive_map_html

    whole, parts = both(as_parquet(SAMPLES / "合同审批.csv", tmp_path), rows=500)
    page = interactive_map_html(parts, pmap=procmine.discover(parts))
    for activity in whole.tables().activity_names.to_list():
        assert activity in page
    assert f'"cases":{whole.summary().cases}' in page


# --- the command line -------------------------------------------------------------------------

class Ran:
    def __init__(self, code, out, err):
        self.exit_code, self.stdout, self.output = code, out, out + err


def cli(args: list[str], monkeypatch, capsys, parts: int | None = None) -> Ran:
    from procmine.cli import main

    if parts is not None:
        monkeypatch.setenv("PROCMINE_PARTITION_ROWS", str(parts))
    else:
        monkeypatch.delenv("PROCMINE_PARTITION_ROWS", raising=False)
    code = main([str(a) for a in args])
    return Ran(code, *capsys.readouterr())


def test_discover_and_kpi_read_a_large_file_in_parts(tmp_path, monkeypatch, capsys):
    import json

    path = as_parquet(SAMPLES / "合同审批.csv", tmp_path)
    whole = cli(["discover", path, "-o", tmp_path / "whole", "--no-bpmn"], monkeypatch, capsys)
    parts = cli(["discover", path, "-o", tmp_path / "parts", "--no-bpmn"], monkeypatch, capsys, parts=600)
    assert whole.exit_code == parts.exit_code == 0, parts.output
    assert "read in parts" in parts.output and "read in parts" not in whole.output
    a = json.loads((tmp_path / "whole" / "process_map.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "parts" / "process_map.json").read_text(encoding="utf-8"))
    # the parts keep calendar time only: the working-time figures are the whole read's extra
    for node in a["nodes"]:
        for key in [k for k in node if "work_hours" in k]:
            del node[key]
    for edge in a["edges"]:
        for key in [k for k in edge if "work_hours" in k]:
            del edge[key]
    a["working_time"] = None
    same(a, b, "process_map.json")
    assert (tmp_path / "whole" / "current_flowchart.png").read_bytes() == \
        (tmp_path / "parts" / "current_flowchart.png").read_bytes()
    assert (tmp_path / "parts" / "current_flowchart.html").stat().st_size > 10_000
    for args in (["kpi", path, "--target", "3wd", "--json"], ["kpi", path, "--where", "合同金额(元)>200000"],
                 ["check", path, "--json"]):
        whole, parts = cli(args, monkeypatch, capsys), cli(args, monkeypatch, capsys, parts=600)
        assert whole.exit_code == parts.exit_code == 0
        assert whole.stdout == parts.stdout, args


def test_what_parts_cannot_do_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    path = as_parquet(SAMPLES / "合同审批.csv", tmp_path)
    for option in (["--variants", "3"], ["--follows", "提交申请->合同归档"]):
        result = cli(["kpi", path, *option], monkeypatch, capsys, parts=600)
        assert result.exit_code == 2 and option[0] in result.output and "--where" in result.output
    result = cli(["kpi", path, "--pseudonymise", tmp_path / "key"], monkeypatch, capsys, parts=600)
    assert result.exit_code == 2 and "pseudonymised" in result.output and not (tmp_path / "key").exists()


def test_a_command_that_needs_every_row_stops_before_memory_runs_out(tmp_path, monkeypatch, capsys):
    from procmine.engine import partitioned

    path = as_parquet(SAMPLES / "合同审批.csv", tmp_path)
    monkeypatch.setattr(partitioned, "_available_bytes", lambda: 100 * partitioned.BYTES_PER_EVENT)  # 100 events fit
    result = cli(["bottlenecks", path], monkeypatch, capsys)
    assert result.exit_code == 2
    assert "2,008 events need about" in result.output and "discover, kpi" in result.output
    assert "Traceback" not in result.output
    assert cli(["kpi", path], monkeypatch, capsys).exit_code == 0  # kpi reads such a log in parts


def test_a_csv_that_would_not_fit_is_refused_with_the_way_to_parquet(tmp_path, monkeypatch, capsys):
    from procmine.engine import partitioned

    monkeypatch.setattr(partitioned, "_available_bytes", lambda: 1000 * partitioned.BYTES_PER_EVENT)
    rows = partitioned.estimated_text_rows(SAMPLES / "合同审批.csv")
    assert 1800 < rows < 2300  # 2,008 rows and a header
    for command in ("discover", "bottlenecks"):
        result = cli([command, SAMPLES / "合同审批.csv"], monkeypatch, capsys)
        assert result.exit_code == 2 and "sink_parquet" in result.output and "Traceback" not in result.output


def test_a_part_whose_every_row_is_dropped_still_counts(tmp_path):
    # half the cases have no completion time at all: some parts keep nothing, yet every dropped
    # row is counted as the whole read counts it
    rows = []
    for i in range(40):
        for j, activity in enumerate(["提交申请", "部门审批", "归档"]):
            rows.append({"单据编号": f"BX{i:03d}", "审批节点": activity,
                         "处理时间": f"2025-03-{1 + i % 28:02d} {9 + j}:00:00" if i < 4 else None})
    path = tmp_path / "mostly_empty.parquet"
    pl.DataFrame(rows).write_parquet(path)
    whole, parts = both(path, rows=10)
    assert [(f.code, f.rows) for f in parts.quality.findings] == [(f.code, f.rows) for f in whole.quality.findings]
    assert parts.summary().cases == whole.summary().cases == 4
    garbled = tmp_path / "garbled.parquet"  # unreadable times instead of none: the same
    pl.DataFrame([r | {"处理时间": r["处理时间"] or "garbage"} for r in rows]).write_parquet(garbled)
    whole, parts = both(garbled, rows=10)
    assert [(f.code, f.rows) for f in parts.quality.findings] == [(f.code, f.rows) for f in whole.quality.findings]
    assert parts.summary().cases == 4
    nothing = tmp_path / "nothing.parquet"
    pl.DataFrame([r | {"处理时间": None} for r in rows]).write_parquet(nothing)
    with pytest.raises(procmine.errors.ProcmineError):
        procmine.read_log(nothing)
    with pytest.raises(procmine.errors.ProcmineError, match="no usable events|no readable"):
        len(procmine.read_log(nothing, partition_rows=10))
    wrong = tmp_path / "wrong_column.parquet"  # no value of the time column is a date: said as the whole read says it
    pl.DataFrame([r | {"处理时间": "不是日期"} for r in rows]).write_parquet(wrong)
    with pytest.raises(procmine.errors.TimestampError) as said_whole:
        procmine.read_log(wrong)
    with pytest.raises(procmine.errors.TimestampError) as said_in_parts:
        len(procmine.read_log(wrong, partition_rows=10))
    assert str(said_in_parts.value) == str(said_whole.value)


def test_two_simplifications_keep_their_own_figures(tmp_path):
    # each pass over the parts keeps its tables in its own files: a second simplified map must not
    # change the first
    whole, parts = both(as_parquet(SAMPLES / "合同审批.csv", tmp_path), rows=500)
    mapped = procmine.discover(parts)
    first = mapped.simplify(activities=0.5, paths=1.0)
    second = mapped.simplify(activities=0.8, paths=1.0)
    again = mapped.simplify(activities=0.5, paths=1.0)
    same(first.to_dict(), again.to_dict(), "simplified twice")
    same(second.to_dict(), procmine.discover(whole).simplify(activities=0.8, paths=1.0).to_dict(), "second")
    same(procmine.discover(whole).simplify(activities=0.5, paths=1.0).to_dict(), first.to_dict(), "first")
