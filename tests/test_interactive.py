"""The interactive map: self-contained, safe, with the figures of the map, and working in a browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

import procmine
from procmine.chart.interactive import PATHS_PER_ACTIVITY, interactive_map_html

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "合同审批.csv"


def page_data(page: str) -> dict:
    text = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    return json.loads(text)


@pytest.fixture(scope="module")
def log():
    return procmine.read_log(SAMPLE)


@pytest.fixture(scope="module")
def page(log):
    return interactive_map_html(log, calendar=procmine.Calendar())


def test_the_page_fetches_nothing(page):
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    # the only URL is the SVG namespace, which names, not fetches
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert not re.search(r"<(link|img|iframe)\b|@import|\bsrc=", page)
    # the Chinese font is embedded and named first
    assert "@font-face" in page and "data:font/woff;base64," in page
    assert 'font-family: "procmine CJK", sans-serif' in page


def test_the_sliders_hold_the_maps_the_flowchart_would_draw(log, page):
    data = page_data(page)
    pmap = procmine.discover(log)
    full = data["levels"][0][0]
    assert full["kept"] == pmap.activities.height == 8
    assert len(full["nodes"]) == 8 + 2  # and start and end
    assert {(e["source"], e["target"]) for e in full["edges"]} == {(u, v) for u, v in pmap.graph.edges}
    # figures of a box: frequency, cases, median hours as in the process map
    frequency, cases, median = full["stats"]["nodes"]["财务审核"][:3]
    row = pmap.activities.filter(pmap.activities["activity"] == "财务审核").row(0, named=True)
    assert (frequency, cases) == (row["frequency"], row["cases"])
    assert median == pytest.approx(row["median_duration_hours"], abs=1e-4)
    # total time of a box: every 财务审核 step's arrival → completion, summed (computed from the events)
    steps = log.events.filter(log.events["activity"] == "财务审核")
    total = ((steps["timestamp"] - steps["start_timestamp"]).dt.total_seconds() / 3600).sum()
    assert full["stats"]["nodes"]["财务审核"][5] == pytest.approx(total, abs=1e-3)
    # the working-time view: the median of the steps' working durations under the calendar
    from procmine.analyse.times import time_tables

    working = time_tables(log, procmine.Calendar()).steps.filter(log.tables().steps["activity"] == "财务审核")
    assert full["stats"]["nodes"]["财务审核"][6] == pytest.approx(working["duration_work_hours"].median(), abs=1e-4)
    assert data["working"].startswith("中国法定节假日与调休")
    # fewer paths, fewer arrows; fewer activities, fewer boxes
    assert len(data["levels"][0][-1]["edges"]) < len(full["edges"])
    assert data["levels"][-1][0]["kept"] < 8
    assert len(data["levels"][0]) == len(PATHS_PER_ACTIVITY) == data["path_positions"]


def test_a_click_lists_the_cases_behind_a_box(log, page):
    data = page_data(page)
    events = log.events
    expected = set(events.filter(events["activity"] == "修改合同")["case"].unique().to_list())
    listed = data["drill"]["nodes"]["修改合同"]["cases"]
    assert len(listed) == min(20, len(expected)) and set(listed) <= expected
    for sequence, cases, share in data["drill"]["nodes"]["修改合同"]["variants"]:
        assert "修改合同" in sequence and cases > 0


def test_names_from_the_log_cannot_inject_markup(tmp_path):
    hostile = '</script><script>alert(1)</script>'
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n"
                    f"c1,提交,2025-03-03 09:00\nc1,\"{hostile}\",2025-03-03 10:00\n"
                    f"c2,提交,2025-03-03 09:00\nc2,\"{hostile}\",2025-03-03 11:00\n", encoding="utf-8")
    page = interactive_map_html(procmine.read_log(path))
    assert hostile not in page and "<script>alert" not in page
    assert hostile in json.dumps(page_data(page), ensure_ascii=False)


def _browser() -> str | None:
    return next((b for b in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if b), None)


def _render(browser: str, url: str, profile: Path) -> tuple[str, str]:
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
            "--dump-dom", url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return done.stdout, done.stderr


def test_the_map_draws_in_a_headless_browser(log, page, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium on this machine (apt install chromium to run this test)")
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    data = page_data(page)
    last = len(data["levels"]) - 1
    full, err_full = _render(browser, f"{path.as_uri()}#a=0&p=0&m=frequency", tmp_path / "p1")
    small, err_small = _render(browser, f"{path.as_uri()}#a={last}&p=5&m=median&t=working", tmp_path / "p2")
    assert len(data["levels"][last]) == 6
    for dom, err in ((full, err_full), (small, err_small)):
        assert "<svg" in dom, err[-2000:]
        assert "Uncaught" not in err and "CONSOLE" not in err.upper().replace("CONSOLE_", ""), err[-2000:]
    assert full.count('class="node"') == len(data["levels"][0][0]["nodes"])
    assert small.count('class="node"') == len(data["levels"][last][5]["nodes"]) < full.count('class="node"')
    assert small.count('class="edge"') < full.count('class="edge"')
    # the labels are the log's Chinese names and figures, with their units
    assert "财务审核" in full and "次" in full and "小时" in small
    assert "工作时间: 中国法定节假日" in small and "工作时间: " not in full


def test_it_displays_inline_in_a_notebook(log, tmp_path):
    import html as html_module

    shown = procmine.interactive_map(log)
    frame = shown._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and "<script" not in frame  # the page is escaped into the frame
    assert html_module.unescape(frame.split('srcdoc="', 1)[1].split('" style=', 1)[0]) == shown.html
    assert shown.save(tmp_path / "m.html").read_text(encoding="utf-8") == shown.html


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_first_rows_read_in_slices_equal_one_group_by(monkeypatch, chunk):
    """The drill-down's examples are read a slice at a time; they are the first rows of each key
    in row order, keys in order of first occurrence, as one group-by keeping order gives."""
    import numpy as np

    from procmine.chart import interactive

    rng = np.random.default_rng(3)
    keys = np.concatenate([rng.integers(0, 4, 300), rng.integers(0, 12, 200)])  # keys 4-11 are rare and late
    frame = pl.DataFrame({"k": keys.astype(np.uint32), "v": np.arange(500, dtype=np.uint32)})
    monkeypatch.setattr(interactive, "FIRST_ROWS_CHUNK", chunk)
    got = interactive.first_rows(lambda rows: rows.select(pl.col("k").alias("key"), pl.col("v").alias("value")),
                                 frame, 5)
    expected = frame.group_by("k", maintain_order=True).agg(pl.col("v").head(5))
    assert [key for key, _ in got] == expected["k"].to_list()
    assert [values.to_list() for _, values in got] == expected["v"].to_list()
    assert len(got) == 12 and all(values.len() == 5 for _, values in got[:4])
