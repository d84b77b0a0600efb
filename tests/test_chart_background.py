"""discover's flowchart drawn in a second process: the same files and warnings as drawn here."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import procmine
from procmine.chart import background
from procmine.chart.background import ChartProcess
from procmine.output import write_figure


def long_chain_csv(tmp_path: Path, steps: int = 40) -> Path:
    """Cases through ``steps`` activities in a row: a flowchart too long for an A4 page."""
    lines = ["单据编号,审批节点,处理时间"]
    for case in range(3):
        for k in range(steps):
            lines.append(f"C{case},第{k:02d}步审批节点名称较长,2025-03-{3 + case:02d} {8 + k // 60:02d}:{k % 60:02d}")
    path = tmp_path / "chain.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def drawn_here(shown, stem: Path) -> tuple[dict, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = write_figure(shown.plot(lang="zh", simplify=False), stem)
    return files, [(str(w.message), w.filename, w.lineno) for w in caught]


def test_the_chart_process_draws_what_is_drawn_here_and_says_its_warnings(tmp_path):
    log = procmine.read_log(long_chain_csv(tmp_path))
    shown = procmine.discover(log)
    here, said_here = drawn_here(shown, tmp_path / "here")
    assert any("厘米" in message for message, _, _ in said_here)  # too big for a page: the warning to carry over
    with ChartProcess() as charts, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert charts.process is not None and charts.process.alive
        charts.draw(shown, tmp_path / "there", "zh")
        there = charts.written()
    assert list(there) == ["there.png", "there.svg"]
    assert there["there.png"].read_bytes() == here["here.png"].read_bytes()
    # the same warnings, from the same procmine lines (so the CLI says them as procmine's)
    assert [(str(w.message), w.filename, w.lineno) for w in caught] == said_here


def test_a_chart_process_that_stopped_or_cannot_take_the_map_leaves_the_drawing_here(tmp_path, parallel_csv):
    shown = procmine.discover(procmine.read_log(parallel_csv))
    here, _ = drawn_here(shown, tmp_path / "here")
    with ChartProcess() as charts:
        charts.process._process.kill()
        charts.process._process.wait(5)
        charts.draw(shown, tmp_path / "stopped", "zh")
        files = charts.written()
    assert files["stopped.png"].read_bytes() == here["here.png"].read_bytes()
    with ChartProcess() as charts:
        charts.draw(shown, tmp_path / "killed", "zh")  # sent, then the process dies before answering
        charts.process._process.kill()
        files = charts.written()
    assert files["killed.png"].read_bytes() == here["here.png"].read_bytes()


def test_without_the_chart_process_the_flowchart_is_drawn_here(tmp_path, parallel_csv, monkeypatch):
    monkeypatch.setattr(background, "DRAW_IN_BACKGROUND", False)
    shown = procmine.discover(procmine.read_log(parallel_csv))
    with ChartProcess() as charts:
        assert charts.process is None
        charts.draw(shown, tmp_path / "f", "en")
        assert set(charts.written()) == {"f.png", "f.svg"}


def test_an_unwritable_flowchart_is_the_usual_output_error(tmp_path, parallel_csv):
    from procmine.errors import OutputError

    shown = procmine.discover(procmine.read_log(parallel_csv))
    (tmp_path / "f.png").mkdir()  # a folder where the PNG should go
    with ChartProcess() as charts, pytest.raises(OutputError, match="f.png"):
        charts.draw(shown, tmp_path / "f", "zh")
        charts.written()


CONTRACTS = Path(__file__).parent.parent / "sample_logs" / "合同审批.csv"


def written_here_and_there(report, tmp_path, monkeypatch) -> tuple[dict, dict]:
    """``report``'s files written here, then with the chart process as painter, checking that
    nothing was drawn in this process the second time."""
    import procmine.output

    here = report.write(tmp_path / "here")
    drawn_here = []
    write_figure = procmine.output.write_figure
    monkeypatch.setattr(procmine.output, "write_figure", lambda *a, **k: drawn_here.append(a) or write_figure(*a, **k))
    with ChartProcess() as charts:
        there = report.write(tmp_path / "there", painter=charts)
        assert charts.process is not None and charts.process.alive
    assert drawn_here == []  # every chart was drawn there
    assert list(here) == list(there)
    return here, there


def test_a_results_charts_are_the_same_drawn_in_the_chart_process(tmp_path, monkeypatch):
    from procmine.analyse.bottlenecks import bottlenecks

    here, there = written_here_and_there(bottlenecks(procmine.read_log(CONTRACTS)), tmp_path, monkeypatch)
    for name in ("bottlenecks.png", "bottleneck_heatmap.png", "bottlenecks.json", "backlog.csv"):
        assert there[name].read_bytes() == here[name].read_bytes(), name


def test_the_loops_chart_is_the_same_drawn_in_the_chart_process(tmp_path, monkeypatch):
    from procmine.analyse.loops import find_loops

    report = find_loops(procmine.read_log(CONTRACTS))
    assert report.loops.height > 0  # bars to draw
    here, there = written_here_and_there(report, tmp_path, monkeypatch)
    assert list(there) == ["loops.png", "loops.svg", "loops.json"]
    for name in ("loops.png", "loops.json"):
        assert there[name].read_bytes() == here[name].read_bytes(), name


def test_a_maps_files_are_the_same_with_its_flowchart_drawn_in_the_chart_process(tmp_path, parallel_csv):
    pmap = procmine.discover(procmine.read_log(parallel_csv))
    here = pmap.write(tmp_path / "here")
    with ChartProcess() as charts:
        there = pmap.write(tmp_path / "there", painter=charts)
        charts.written()
    assert sorted(there) == sorted(here)
    for name in here:
        assert there[name].read_bytes() == here[name].read_bytes() or name.endswith(".svg"), name


def test_charts_asked_for_together_are_all_written_even_when_the_process_stops_between(tmp_path, parallel_csv):
    shown = procmine.discover(procmine.read_log(parallel_csv))
    with ChartProcess() as charts:
        charts.draw(shown, tmp_path / "one", "zh")
        charts.draw(shown, tmp_path / "two", "en")
        assert list(charts.written()) == ["one.png", "one.svg", "two.png", "two.svg"]
        charts.draw(shown, tmp_path / "three", "zh")
        charts.process.close()  # gone before the second answer: drawn here instead
        charts.draw(shown, tmp_path / "four", "zh")
        files = charts.written()
    assert sorted(files) == ["four.png", "four.svg", "three.png", "three.svg"]
    assert all(path.stat().st_size > 1000 for path in files.values())
    assert (tmp_path / "one.png").read_bytes() == (tmp_path / "three.png").read_bytes()


def test_answers_waiting_together_in_the_pipe_are_each_read(tmp_path, parallel_csv):
    # both drawn before the first answer is read (bottlenecks measures its other figures
    # meanwhile): a buffered read of the first took the second too, and the wait for it never ended
    import time

    shown = procmine.discover(procmine.read_log(parallel_csv))
    with ChartProcess() as charts:
        charts.draw(shown, tmp_path / "one", "zh")
        charts.draw(shown, tmp_path / "two", "zh")
        deadline = time.monotonic() + 120
        while not (tmp_path / "two.svg").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the second answer follows its files
        background.WAIT_S, wait = 20.0, background.WAIT_S  # (a lost answer: 20 s, then drawn here)
        try:
            started = time.monotonic()
            files = charts.written()
        finally:
            background.WAIT_S = wait
        assert time.monotonic() - started < 10
        assert charts.process is not None and charts.process.alive  # both answered there
    assert list(files) == ["one.png", "one.svg", "two.png", "two.svg"]
