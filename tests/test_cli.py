"""The CLI end to end: outputs, JSON, and one clear line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import procmine
from procmine.cli import cli, main

from conftest import write_text


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_discover_writes_every_output(parallel_csv, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, _ = run(["discover", str(parallel_csv), "-o", str(out), "--json"], capsys)
    assert code == 0
    summary = json.loads(stdout)
    assert (summary["cases"], summary["events"], summary["activities"]) == (2, 10, 5)
    assert summary["variants"] == 1  # both cases: 提交, 经理审批, 财务审核, 法务审核, 总经理审批 in step order
    assert summary["columns"]["case"] == "流程编号" and summary["columns"]["department"] is None
    assert summary["columns"]["start_timestamp"] == "到达时间"
    for name in ("current_flowchart.png", "current_flowchart.svg", "current_process.bpmn", "process_map.json"):
        assert (out / name).stat().st_size > 0
    pmap = json.loads((out / "process_map.json").read_text(encoding="utf-8"))
    edges = {(e["source"], e["target"]): e for e in pmap["edges"]}
    assert edges[("经理审批", "财务审核")]["frequency"] == 2
    assert pmap["start_activities"] == {"提交": 2}
    assert {n["activity"] for n in pmap["nodes"]} == {"提交", "经理审批", "法务审核", "财务审核", "总经理审批"}


def test_discover_text_summary(sequential_csv, tmp_path, capsys):
    code, stdout, _ = run(["discover", str(sequential_csv), "-o", str(tmp_path / "o"), "--lang", "en"], capsys)
    assert code == 0
    assert "3 cases" in stdout and "current_flowchart.png" in stdout


def test_check_strict_exit_code(tmp_path, capsys):
    path = write_text(tmp_path / "d.csv", "单据编号,审批节点,处理时间\n1,a,2025-01-02 09:00\n1,a,2025-01-02 09:00\n")
    code, stdout, _ = run(["check", str(path), "--lang", "en"], capsys)
    assert code == 0 and "duplicate" in stdout
    code, _, err = run(["check", str(path), "--strict"], capsys)
    assert code == 3 and "strict" in err


@pytest.mark.parametrize("content, expected", [
    (None, "file not found"),
    (b"", "empty"),
    ("单据编号,审批节点,处理人\n1,a,张三\n".encode("gbk"), "no timestamp column"),
    (b"case,act,time\n\x80\x80\x80,a,b\n", "encoding"),
    ("单据编号,审批节点,处理时间\n".encode(), "no data rows"),
])
def test_bad_input_one_line_no_traceback(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(["discover", str(path), "-o", str(tmp_path / "o")], capsys)
    assert code != 0
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "bad.csv" in err


def test_debug_shows_traceback(tmp_path, capsys):
    code, _, err = run(["--debug", "discover", str(tmp_path / "missing.csv")], capsys)
    assert code != 0 and "Traceback" in err


def test_console_script_exits_non_zero(tmp_path):
    result = subprocess.run([sys.executable, "-m", "procmine.cli", "check", str(tmp_path / "x.csv")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "file not found" in result.stderr and "Traceback" not in result.stderr


def test_every_command_has_help():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert command.help and "Example" in command.help, f"{name} needs help text with an example"


def test_output_folder_that_is_a_file(parallel_csv, tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("x")
    code, _, err = run(["discover", str(parallel_csv), "-o", str(blocker)], capsys)
    assert code == 4 and "needs a folder" in err


def test_unknown_time_zone(parallel_csv, capsys):
    code, _, err = run(["check", str(parallel_csv), "--timezone", "Mars/Base"], capsys)
    assert code == 2 and "Mars/Base" in err and "Traceback" not in err


@pytest.mark.parametrize("command, files, keys", [
    ("bottlenecks", ["bottlenecks.png", "bottleneck_heatmap.svg", "bottlenecks.json", "backlog.csv"],
     {"activities", "handoffs", "resources", "critical_path"}),
    ("kpi", ["kpi_trend.png", "kpi_trend.svg", "kpi.json", "kpi_by_month.csv"],
     {"cases", "lead_time", "target", "rejection_rate", "first_time_right", "by_month"}),
    ("loops", ["loops.png", "loops.svg", "loops.json"], {"loops", "repeated_activities"}),
    ("improve", ["improvements.json"], {"candidates"}),
])
def test_analysis_commands_end_to_end(command, files, keys, tmp_path, capsys):
    from conftest import SAMPLES

    out = tmp_path / "out"
    args = [command, str(SAMPLES / "费用报销.xlsx"), "-o", str(out), "--json", "--work-hours", "09:00-18:00"]
    if command == "kpi":
        args += ["--target", "3wd"]
    code, stdout, err = run(args, capsys)
    assert code == 0, err
    data = json.loads(stdout)
    assert keys <= set(data)
    for name in files:
        assert (out / name).stat().st_size > 0
    if command == "loops":  # the injected 财务初审 → 补充材料 → 财务初审 loop: 31 cases
        assert max(loop["cases"] for loop in data["loops"]) == 31
    if command == "kpi":
        assert data["target"]["limit_work_hours"] == 27.0  # 3 days × 9 working hours


@pytest.mark.parametrize("option, value, expected", [
    ("--work-hours", "25:00-26:00", "25:00"),
    ("--target", "3weeks", "3weeks"),
    ("--holidays", "missing.csv", "missing.csv"),
])
def test_bad_calendar_options_one_line(option, value, expected, parallel_csv, capsys):
    command = "kpi"
    code, _, err = run([command, str(parallel_csv), option, value], capsys)
    assert code != 0 and expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_no_python_warning_reaches_the_user(parallel_csv, tmp_path, monkeypatch, capsys):
    import warnings

    from procmine.chart import flowchart
    from procmine.discover.process_map import ProcessMap

    original = ProcessMap.plot

    def noisy(self, **kwargs):
        for _ in range(2):  # procmine's own: said once, in one line
            warnings.warn_explicit("the flowchart needs 30 × 40 cm", UserWarning, flowchart.__file__, 9)
        warnings.warn_explicit("Tight layout not applied", UserWarning, "/site-packages/matplotlib/figure.py", 1)
        return original(self, **kwargs)

    monkeypatch.setattr(ProcessMap, "plot", noisy)
    monkeypatch.setattr("procmine.chart.background.DRAW_IN_BACKGROUND", False)  # the patched plot is drawn here
    assert main(["discover", str(parallel_csv), "-o", str(tmp_path), "--no-bpmn"]) == 0
    err = capsys.readouterr().err
    assert err.count("procmine: note: the flowchart needs 30 × 40 cm") == 1
    assert "Warning" not in err and "matplotlib" not in err and "Tight layout" not in err
    assert main(["--debug", "discover", str(parallel_csv), "-o", str(tmp_path), "--no-bpmn"]) == 0
    assert "UserWarning from /site-packages/matplotlib/figure.py:1: Tight layout not applied" in capsys.readouterr().err


def test_an_analysis_says_when_reading_dropped_rows(tmp_path, capsys):
    path = tmp_path / "log.csv"
    path.write_text("单据编号,审批节点,处理时间\nA1,提交,明天早上\nA1,审批,2025-01-02 10:00\nA2,提交,2025-01-03 09:00\n",
                    encoding="utf-8")
    assert main(["kpi", str(path), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "of 3 rows read, 1 dropped and 0 repaired" in err and "row 2: '明天早上'" in err
    assert main(["kpi", str(path)]) == 0  # Chinese by default, as the command's output
    err = capsys.readouterr().err
    assert "读取 3 行，删除 1、修复 0" in err and "第 2 行：'明天早上'" in err
    assert main(["-q", "kpi", str(path)]) == 0
    assert "dropped" not in capsys.readouterr().err
    assert main(["check", str(path)]) == 0  # check prints the whole report, not this line too
    assert "lists them all" not in capsys.readouterr().err


def test_the_command_prints_everything_before_it_ends(parallel_csv, tmp_path):
    # the process ends without the interpreter's teardown: what it printed must be flushed first
    result = subprocess.run([sys.executable, "-m", "procmine.cli", "discover", str(parallel_csv), "-o",
                             str(tmp_path / "out"), "--json", "--no-bpmn"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["events"] == procmine.read_log(parallel_csv).summary().events
    assert (tmp_path / "out" / "current_flowchart.png").stat().st_size > 1000
    failed = subprocess.run([sys.executable, "-m", "procmine.cli", "check", str(tmp_path / "missing.csv")],
                            capture_output=True, text=True)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1
