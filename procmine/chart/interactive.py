"""The interactive map: one offline HTML file with activity and path sliders, frequency or
median / mean / total time (calendar time), figures on hover and the cases behind a box or an arrow on click.

    >>> write_interactive_map(log, "out/current_flowchart.html")          # doctest: +SKIP

Why our own SVG and not a graph library: the map must look like the flowchart in the report
(same layered layout, same routing, same wrapped names) and work offline without a CDN; a
vendored library (cytoscape.js with dagre is ~500 kB) would lay it out differently. So every
slider position is laid out here, in Python, with the flowchart's own layout, and a little
vanilla JavaScript draws the chosen one. The Chinese font is embedded as a subset of the chart
font (Noto Sans CJK SC, SIL OFL) and named first, so a machine without Chinese fonts shows
characters, not boxes. All text reaches the page as JSON and is set with ``textContent``:
names from the log cannot inject markup.
"""

from __future__ import annotations

import html
import json
import math
import time
from pathlib import Path

import polars as pl

from procmine.discover.process_map import END_NODE, START_NODE, ProcessMap, discover
from procmine.log import ACTIVITY, CASE, EventLog
from procmine.text import Text, check_lang, phrases

#: Shares of the activities (most frequent first) the activity slider steps through.
ACTIVITY_SHARES = (1.0, 0.8, 0.6, 0.4, 0.25)
#: Paths per drawn activity at each position of the path slider (plus what keeps the map
#: connected): a map of thousands of paths is neither readable nor quick to lay out.
PATHS_PER_ACTIVITY = (3.0, 2.2, 1.6, 1.2, 1.0, 0.8)
#: A slider position never lays out more activities than this (a map of hundreds is unreadable).
MAX_DRAWN_ACTIVITIES = 40
#: Seconds for laying out the slider positions; past it, the activity slider keeps fewer positions.
LAYOUT_BUDGET_SECONDS = 60.0
#: Above this many events the activity slider has one position (each position is a pass over the log).
MAX_EVENTS_FOR_ACTIVITY_LEVELS = 2_000_000
#: Above this many events ``procmine discover`` leaves the working-time view out (a pass over every
#: step and hand-off with the calendar; kpi and bottlenecks give working time).
MAX_EVENTS_FOR_WORKING_VIEW = 2_000_000
#: Case ids listed for a box or an arrow on click.
EXAMPLE_CASES = 20
TOP_VARIANTS = 5

#: The page's words: its script reads them, in the page's language, as ``W`` (see :func:`page_words`).
PHRASES = phrases("interactive", {
    "title": ("交互式流程图", "Interactive process map"),
    "activities": ("活动", "Activities"),
    "paths": ("路径", "Paths"),
    "show": ("显示", "Show"),
    "frequency": ("频次", "frequency"),
    "median": ("中位时长", "median time"),
    "mean": ("平均时长", "mean time"),
    "total": ("总时长", "total time"),
    "of": ("/", "of"),
    "times": ("次", "×"),
    "unit_minutes": (" 分钟", " min"),
    "unit_hours": (" 小时", " h"),
    "unit_days": (" 天", " d"),
    "unit_working_days": (" 工作日", " working d"),
    "unit_working_hours": (" 工作小时", " working h"),
    "cases": ("案例", "cases"),
    "median_time": ("中位", "median"),
    "mean_time": ("平均", "mean"),
    "p90": ("P90", "p90"),
    "calendar": ("日历时间", "calendar time"),
    "working": ("工作时间", "working time"),
    "basis": ("时间口径", "time"),
    "click": ("点击方框或箭头，查看其案例与变体。", "Click a box or an arrow to list its cases and variants."),
    "examples": ("案例示例", "example cases"),
    "variants": ("最常见的变体", "most frequent variants"),
    "hidden": ("经过被隐藏环节的路径：案例清单见完整地图（活动滑块拉到最右）。",
               "a path through hidden steps: its cases are listed on the full map (activities slider all the way right)."),
    "wait": ("交接等待", "hand-off wait"),
    "duration": ("处理时长", "step duration"),
    "interval": ("间隔（上一步完成→本步完成）", "interval (previous → this completion)"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
})


def page_words(lang: str = "zh") -> dict[str, str]:
    """Every word of the page in ``lang``, ``{key: word}``: the data its script reads as ``W``."""
    t = PHRASES.text(lang)
    return {key: t(key) for key in PHRASES}


class InteractiveMap:
    """The interactive map of a log: ``save(path)`` writes the page; in Jupyter it displays inline.

        >>> procmine.interactive_map(log)                                   # doctest: +SKIP
        >>> procmine.interactive_map(log).save("out/current_flowchart.html")  # doctest: +SKIP
    """

    def __init__(self, page: str, source: str):
        #: the whole self-contained HTML page
        self.html = page
        self.source = source

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # a frame of its own: the page's script and styles stay apart from the notebook's
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%; height:720px; border:0" '
                f'title="{html.escape(self.source)}"></iframe>')

    def __repr__(self) -> str:
        return f"InteractiveMap({self.source}, {len(self.html):,} bytes)"


def interactive_map(log: EventLog, *, pmap: ProcessMap | None = None, lang: str = "zh",
                    arrival_times: bool = True, calendar=None) -> InteractiveMap:
    """The interactive map of ``log`` (see the module's documentation); ``calendar`` adds the
    working-time view (``procmine.Calendar()`` for Chinese working time)."""
    pmap = pmap or discover(log, arrival_times=arrival_times, calendar=calendar)
    return InteractiveMap(interactive_map_html(log, pmap=pmap, lang=lang, arrival_times=arrival_times), pmap.source)


def write_interactive_map(log: EventLog, path: str | Path, *, pmap: ProcessMap | None = None, lang: str = "zh",
                          arrival_times: bool = True) -> Path:
    """Write the interactive map of ``log`` to ``path`` (an .html file); returns the path."""
    return interactive_map(log, pmap=pmap, lang=lang, arrival_times=arrival_times).save(path)


def interactive_map_html(log: EventLog, *, pmap: ProcessMap | None = None, lang: str = "zh",
                         arrival_times: bool = True, calendar=None, drawn: ProcessMap | None = None) -> str:
    """The interactive map of ``log`` as one self-contained HTML page; with a ``calendar`` (or a
    ``pmap`` discovered with one) its times can also be shown in working time. The page opens at
    the slider positions nearest ``drawn`` (default: ``pmap.auto_simplified()``, the PNG's map)."""
    from procmine.chart.flowchart import flowchart_geometry
    from procmine.report.html import EMBEDDED_FAMILY, embedded_font

    words = page_words(check_lang(lang))
    pmap = pmap or discover(log, arrival_times=arrival_times, calendar=calendar)
    step_times = pmap.duration_basis == "arrival → completion"
    total = pmap.activities.height
    drawable = min(total, MAX_DRAWN_ACTIVITIES)
    counts = sorted({max(1, math.ceil(share * drawable)) for share in ACTIVITY_SHARES}, reverse=True)
    if pmap.events > MAX_EVENTS_FOR_ACTIVITY_LEVELS or getattr(log, "engine", None) == "spark":
        # each activity level re-measures the hand-offs over every event (on Spark: a job on the
        # cluster each): on a large log, only the level the flowchart draws (the path slider still works)
        counts = counts[:1]
    levels, deadline = [], time.monotonic() + LAYOUT_BUDGET_SECONDS
    for kept in counts:
        if levels and time.monotonic() > deadline:
            break  # the positions laid out so far stay; a large map costs seconds per position
        projected = pmap if kept == total else pmap.simplify(activities=(kept - 0.5) / total, paths=1.0)
        available = projected.handoffs.height + len(projected.start_activities) + len(projected.end_activities)
        row, laid_out = [], {}  # positions that keep the same paths share one layout
        for per_activity in PATHS_PER_ACTIVITY:
            share = min(1.0, per_activity * kept / max(available, 1))
            shown = projected.simplify(activities=1.0, paths=share)
            paths = (tuple(shown.handoffs.select("source", "target").iter_rows()), tuple(shown.start_activities),
                     tuple(shown.end_activities))
            if paths not in laid_out:
                laid_out[paths] = flowchart_geometry(shown.graph, lang=lang, time_basis=pmap.time_basis,
                                                     step_times=step_times)
            geometry = laid_out[paths]
            row.append({**geometry, "stats": _stats(shown), "kept": shown.activities.height,
                        "paths": shown.handoffs.height + len(shown.start_activities) + len(shown.end_activities)})
        levels.append(row)
    data = {
        "lang": lang, "words": words, "source": pmap.source, "total_activities": total,
        "total_paths": pmap.handoffs.height + len(pmap.start_activities) + len(pmap.end_activities),
        "step_times": step_times, "levels": levels, "path_positions": len(PATHS_PER_ACTIVITY),
        "drill": _drill_down(log, arrival_times), "default": _default_level(levels, drawn or pmap.auto_simplified()),
        "cases": pmap.cases, "events": pmap.events,
        "working": pmap.calendar.describe(lang) if pmap.calendar is not None else None,
        "hours_per_day": pmap.calendar.hours_per_day if pmap.calendar is not None else None,
    }
    # no "<", ">" or "&" in the JSON at all: nothing in it can close the script element or open another
    payload = (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
               .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    title = f"{words['title']} · {pmap.source}"
    font = embedded_font(title + payload + _SCRIPT)  # the script's own words (小时, 分钟 …) too
    head, rest = _PAGE.split("%DATA%")
    head = (head.replace("%FONT%", font).replace("%FAMILY%", EMBEDDED_FAMILY).replace("%TITLE%", html.escape(title))
            .replace("%LANG%", Text(lang)("language_tag")))
    # the data and the script go in last, by position: nothing in them is read as a placeholder
    return head + payload + rest.replace("%SCRIPT%", _SCRIPT)


def _stats(pmap: ProcessMap) -> dict:
    """Figures per box and per arrow of one slider position (hours, calendar time)."""
    nodes = {row[ACTIVITY]: [row["frequency"], row["cases"], _h(row["median_duration_hours"]),
                             _h(row["mean_duration_hours"]), _h(row["p90_duration_hours"]),
                             _h(row.get("total_duration_hours")), _h(row.get("median_duration_work_hours")),
                             _h(row.get("mean_duration_work_hours")), _h(row.get("total_duration_work_hours"))]
             for row in pmap.activities.iter_rows(named=True)}
    edges = {f"{row['source']}\u001f{row['target']}": [row["frequency"], row["cases"], _h(row["median_hours"]),
                                                       _h(row["mean_hours"]), _h(row["p90_hours"]),
                                                       _h(row.get("total_hours")), _h(row.get("median_work_hours")),
                                                       _h(row.get("mean_work_hours")), _h(row.get("total_work_hours"))]
             for row in pmap.handoffs.iter_rows(named=True)}
    for activity, n in pmap.start_activities.items():
        edges[f"{START_NODE}\u001f{activity}"] = [n, n] + [None] * 7
    for activity, n in pmap.end_activities.items():
        edges[f"{activity}\u001f{END_NODE}"] = [n, n] + [None] * 7
    return {"nodes": nodes, "edges": edges}


def _drill_down(log: EventLog, arrival_times: bool) -> dict:
    """For every activity and hand-off of the whole log: example case ids; for activities also
    the most frequent variants through them. A log on Spark brings back only those examples
    (:mod:`procmine.engine.spark_map`)."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_map import spark_drill_down

        return spark_drill_down(log, arrival_times)
    tables = log.tables(arrival_times=arrival_times)
    names, case_ids = tables.activity_names, tables.cases[CASE]
    width = max(names.len(), 1)
    steps, handoffs = tables.steps, tables.handoff_codes
    # first executions are one row per (case, activity): no de-duplication over the whole log;
    # integer codes while reading ten million steps and hand-offs, names and case ids for the few kept
    by_activity = [
        (names[int(code)], case_ids.gather(codes).to_list())
        for code, codes in first_rows(lambda rows: rows.filter(pl.col("occurrence") == 1).select(
            pl.col("activity_code").alias("key"), pl.col("case_code").alias("value")),
            steps.select("activity_code", "case_code", "occurrence"), EXAMPLE_CASES)]
    by_edge = [
        (names[int(key) // width], names[int(key) % width],
         case_ids.gather(codes.unique(maintain_order=True).head(EXAMPLE_CASES)).to_list())
        for key, codes in first_rows(lambda rows: rows.select(
            (pl.col("source_code").cast(pl.UInt64) * width + pl.col("target_code")).alias("key"), pl.col("case_code").alias("value")),
            handoffs.select("source_code", "target_code", "case_code"), EDGE_ROWS)]
    return drill(by_activity, by_edge, tables.variants)


#: Rows read at a time by :func:`first_rows`.
FIRST_ROWS_CHUNK = 1 << 20


def first_rows(keyed, frame: pl.DataFrame, limit: int) -> list[tuple[int, pl.Series]]:
    """For every key, its first ``limit`` values, in row order: ``(key, values)`` in the order
    the keys first occur (a group-by keeping order, taking the head of each group).

    ``keyed`` turns a slice of ``frame`` into its ``key`` (integer) and ``value`` columns. The
    frame is read a million rows at a time, and only the rows of keys still short of ``limit``
    are grouped: the frequent keys are complete after the first slice, so ten million rows cost
    a scan, not a group-by of them all (at 10M hand-offs: 0.9 → 0.1 s, and 0.4 GB less)."""
    found: dict[int, list[pl.Series]] = {}
    have: dict[int, int] = {}
    complete: list[int] = []  # the keys that have their ``limit`` values
    for start in range(0, frame.height, FIRST_ROWS_CHUNK):
        part = keyed(frame.slice(start, FIRST_ROWS_CHUNK))
        part = part.filter(~pl.col("key").is_in(pl.Series(complete, dtype=part["key"].dtype).implode()))
        grouped = part.group_by("key", maintain_order=True).agg(pl.col("value").head(limit))
        for key, values in zip(grouped["key"].to_list(), grouped["value"]):
            taken = have.get(key, 0)
            found.setdefault(key, []).append(values.head(limit - taken))
            have[key] = taken + min(values.len(), limit - taken)
            if have[key] >= limit:
                complete.append(key)
    return [(key, pl.concat(parts)) for key, parts in found.items()]


#: The hand-offs of each edge looked at for its example cases (in hand-off order), of which the
#: first EXAMPLE_CASES distinct cases are listed.
EDGE_ROWS = 10 * EXAMPLE_CASES


def drill(by_activity, by_edge, variants: pl.DataFrame) -> dict:
    """The drill-down the page opens: ``by_activity`` (activity, example case ids) and ``by_edge``
    (source, target, example case ids) in the order the boxes and arrows are first met, and for
    each activity the most frequent of the ``variants`` (the engine's variant table) through it."""
    variants = variants.select("activities", "cases", "share").head(2000)
    nodes = {}
    for activity, ids in by_activity:
        top = variants.filter(pl.col("activities").list.contains(activity)).head(TOP_VARIANTS)
        nodes[activity] = {"cases": ids, "variants": [[seq, n, round(share, 4)] for seq, n, share in top.iter_rows()]}
    return {"nodes": nodes, "edges": {f"{s}\u001f{t}": ids for s, t, ids in by_edge}}


def _default_level(levels: list[list[dict]], shown: ProcessMap) -> list[int]:
    """The slider positions nearest to the map ``shown`` (what the flowchart PNG draws)."""
    kept = shown.activities.height
    paths = shown.handoffs.height + len(shown.start_activities) + len(shown.end_activities)
    a = min(range(len(levels)), key=lambda i: abs(levels[i][0]["kept"] - kept))
    p = min(range(len(levels[a])), key=lambda j: abs(levels[a][j]["paths"] - paths))
    return [a, p]


def _h(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


_PAGE = """<!DOCTYPE html>
<html lang="%LANG%"><head><meta charset="utf-8"><title>%TITLE%</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; font-src data:; img-src data:">
<style>%FONT%
body { font-family: "%FAMILY%", sans-serif; margin: 0; color: #28313b; background: #fff; }
header { padding: 10px 16px; border-bottom: 1px solid #d8dee4; }
header h1 { font-size: 18px; margin: 0 0 6px; font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: 18px; align-items: center; font-size: 13px; }
.controls label { display: flex; align-items: center; gap: 6px; }
.controls select, .controls input { font-family: inherit; }
main { display: flex; }
#map { flex: 1; overflow: auto; height: calc(100vh - 90px); }
#panel { width: 300px; border-left: 1px solid #d8dee4; padding: 10px 14px; font-size: 13px; overflow: auto;
  height: calc(100vh - 110px); }
#panel h2 { font-size: 15px; margin: 4px 0 8px; }
#panel ul { padding-left: 18px; margin: 4px 0 10px; }
svg text { font-family: "%FAMILY%", sans-serif; }
.node rect, .node circle { cursor: pointer; }
.edge { cursor: pointer; }
.edge:hover path.line { stroke-opacity: 1; }
.note { color: #5b6570; font-size: 12px; }
</style></head>
<body>
<header><h1 id="title"></h1>
<div class="controls">
<label><span id="l-activities"></span><input id="activities" type="range" min="0" step="1"><span id="v-activities"></span></label>
<label><span id="l-paths"></span><input id="paths" type="range" min="0" step="1"><span id="v-paths"></span></label>
<label><span id="l-show"></span><select id="mode"></select></label>
<label id="basis-control"><span id="l-basis"></span><select id="basis"></select></label>
<span class="note" id="basis-note"></span>
</div></header>
<main><div id="map"></div><aside id="panel"></aside></main>
<script type="application/json" id="data">%DATA%</script>
<script>%SCRIPT%</script>
</body></html>
"""

_SCRIPT = r"""
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const W = D.words;
const NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}
function hours(h) {
  if (h === null || h === undefined) return "–";
  if (h < 1) return (h * 60).toFixed(0) + W.unit_minutes;
  if (h < 48) return h.toFixed(1) + W.unit_hours;
  return (h / 24).toFixed(1) + W.unit_days;
}
// working time: in working days of the calendar's day length (never 24-hour days), else working hours
function dur(h, working) {
  if (!working) return hours(h);
  if (h === null || h === undefined) return "–";
  const day = D.hours_per_day;
  if (day && h >= day) return (h / day).toFixed(1) + W.unit_working_days;
  return h.toFixed(1) + W.unit_working_hours;
}
const count = (n) => n.toLocaleString() + " " + W.times;
function heat(h, max) {
  if (h === null || h === undefined || max <= 0) return "#8a94a0";
  const t = Math.min(1, Math.log1p(h) / Math.log1p(max));
  const from = [245, 176, 65], to = [110, 18, 40];
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * t));
  return "rgb(" + c.join(",") + ")";
}
function parseHash() {
  const out = {};
  for (const part of location.hash.replace(/^#/, "").split("&")) {
    const [k, v] = part.split("=");
    if (k) out[k] = v;
  }
  return out;
}
function setup() {
  $("title").textContent = W.title + " · " + D.source;
  $("l-activities").textContent = W.activities;
  $("l-paths").textContent = W.paths;
  $("l-show").textContent = W.show;
  $("l-basis").textContent = W.basis;
  for (const b of ["calendar", "working"]) {
    if (b === "working" && !D.working) continue;
    const o = document.createElement("option"); o.value = b; o.textContent = W[b]; $("basis").appendChild(o);
  }
  if (!D.working) $("basis-control").style.display = "none";
  for (const m of ["frequency", "median", "mean", "total"]) {
    const o = document.createElement("option"); o.value = m; o.textContent = W[m]; $("mode").appendChild(o);
  }
  // the activities slider runs from few (left) to all (right)
  $("activities").max = D.levels.length - 1;
  $("paths").max = D.path_positions - 1;
  const h = parseHash();
  const a = h.a !== undefined ? Number(h.a) : D.default[0];
  const p = h.p !== undefined ? Number(h.p) : D.default[1];
  $("activities").value = D.levels.length - 1 - a;
  $("paths").value = D.path_positions - 1 - p;
  if (h.m) $("mode").value = h.m;
  if (h.t && D.working) $("basis").value = h.t;
  for (const id of ["activities", "paths", "mode", "basis"]) $(id).addEventListener("input", draw);
  $("panel").textContent = W.click;
  draw();
}
function current() {
  const a = D.levels.length - 1 - Number($("activities").value);
  const p = D.path_positions - 1 - Number($("paths").value);
  return [a, p, D.levels[a][p]];
}
function draw() {
  const [a, p, L] = current();
  const mode = $("mode").value;
  $("v-activities").textContent = L.kept + " " + W.of + " " + D.total_activities;
  $("v-paths").textContent = L.paths + " " + W.of + " " + D.total_paths;
  const [x0, y0, x1, y1] = L.extent, pad = 24;
  const map = $("map");
  map.textContent = "";
  const svg = el("svg", {viewBox: (x0 - pad) + " " + (y0 - pad) + " " + (x1 - x0 + 2 * pad) + " " + (y1 - y0 + 2 * pad),
                         width: (x1 - x0 + 2 * pad) * 1.4, height: (y1 - y0 + 2 * pad) * 1.4, id: "svg"}, map);
  const defs = el("defs", {}, svg);
  const marker = el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
                               markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"}, defs);
  el("path", {d: "M0,0 L10,5 L0,10 z", fill: "#5b6570"}, marker);
  const maxFreq = Math.max(1, ...L.edges.map((e) => (L.stats.edges[e.source + "\u001f" + e.target] || [1])[0]));
  const working = $("basis").value === "working";
  const col = working ? (mode === "mean" ? 7 : mode === "total" ? 8 : 6) : (mode === "mean" ? 3 : mode === "total" ? 5 : 2);
  $("basis-note").textContent = working ? W.working + ": " + D.working : W.calendar;
  const maxTime = Math.max(0, ...Object.values(L.stats.edges).map((s) => s[col] || 0),
                              ...Object.values(L.stats.nodes).map((s) => s[col] || 0));
  for (const e of L.edges) {
    const key = e.source + "\u001f" + e.target;
    const s = L.stats.edges[key] || [null, null, null, null, null, null, null, null, null];
    const g = el("g", {class: "edge", "data-key": key}, svg);
    const width = 0.8 + 5 * Math.sqrt((s[0] || 0) / maxFreq);
    const colour = mode === "frequency" ? "#8a94a0" : heat(s[col], maxTime);
    el("path", {class: "line", d: "M" + e.points.map((pt) => pt.join(",")).join(" L"), fill: "none", stroke: colour,
                "stroke-width": width, "stroke-opacity": 0.85, "marker-end": "url(#arrow)",
                "stroke-dasharray": e.back ? "5,3" : "none"}, g);
    const label = mode === "frequency" || s[col] === null ? (s[0] === null ? "" : count(s[0])) : dur(s[col], working);
    if (e.label && label) {
      const t = el("text", {x: e.label[0], y: e.label[1] + 3, "text-anchor": "middle", "font-size": 8,
                            fill: "#28313b", stroke: "#fff", "stroke-width": 2.5, "paint-order": "stroke"}, g);
      t.textContent = label;
    }
    const tip = el("title", {}, g);
    tip.textContent = nodeName(e.source) + " → " + nodeName(e.target) + "\n" + count(s[0] || 0) + " · " +
      (s[1] || 0).toLocaleString() + " " + W.cases + (s[2] !== null ? "\n" + (D.step_times ? W.wait : W.interval) +
      ": " + W.median_time + " " + hours(s[2]) + " · " + W.mean_time + " " + hours(s[3]) + " · " + W.p90 + " " +
      hours(s[4]) : "");
    g.addEventListener("click", () => showEdge(e.source, e.target, s));
  }
  for (const n of L.nodes) {
    const g = el("g", {class: "node", "data-id": n.id}, svg);
    if (n.kind === "start" || n.kind === "end") {
      el("circle", {cx: n.x, cy: n.y, r: n.w / 2, fill: n.kind === "start" ? "#e6f4ea" : "#fbe9e7",
                    stroke: n.kind === "start" ? "#2e7d32" : "#b23a2b", "stroke-width": 1.5}, g);
      const t = el("text", {x: n.x, y: n.y + 3.5, "text-anchor": "middle", "font-size": 9}, g);
      t.textContent = n.name;
      continue;
    }
    const s = L.stats.nodes[n.id] || [0, 0, null, null, null, null, null, null, null];
    const border = mode === "frequency" || !D.step_times ? "#3f6fa8" : heat(s[col], maxTime);
    el("rect", {x: n.x - n.w / 2, y: n.y - n.h / 2, width: n.w, height: n.h, rx: 5, fill: "#eef3fa",
                stroke: border, "stroke-width": 1.4}, g);
    const lines = n.name.split("\n");
    const stats = mode === "frequency" || !D.step_times || s[col] === null ? count(s[0]) : dur(s[col], working);
    const all = lines.concat([stats]);
    const top = n.y - (all.length - 1) * 6.5;
    all.forEach((line, i) => {
      const t = el("text", {x: n.x, y: top + i * 13 + 3.5, "text-anchor": "middle",
                            "font-size": i === all.length - 1 ? 8.5 : 10, fill: i === all.length - 1 ? "#5b6570" : "#28313b"}, g);
      t.textContent = line;
    });
    const tip = el("title", {}, g);
    tip.textContent = n.id + "\n" + count(s[0]) + " · " + s[1].toLocaleString() + " " + W.cases +
      (D.step_times && s[2] !== null ? "\n" + W.duration + ": " + W.median_time + " " + hours(s[2]) + " · " +
       W.mean_time + " " + hours(s[3]) + " · " + W.p90 + " " + hours(s[4]) : "");
    g.addEventListener("click", () => showNode(n.id, s));
  }
  history.replaceState(null, "", "#a=" + a + "&p=" + p + "&m=" + mode + "&t=" + $("basis").value);
}
function nodeName(id) {
  return id === "__start__" ? W.start : id === "__end__" ? W.end : id;
}
function list(parent, items) {
  const ul = document.createElement("ul");
  for (const item of items) { const li = document.createElement("li"); li.textContent = item; ul.appendChild(li); }
  parent.appendChild(ul);
}
function heading(parent, text) {
  const h = document.createElement("h2"); h.textContent = text; parent.appendChild(h);
}
function para(parent, text) {
  const p = document.createElement("p"); p.textContent = text; parent.appendChild(p);
}
function showNode(id, s) {
  const panel = $("panel"); panel.textContent = "";
  heading(panel, id);
  para(panel, count(s[0]) + " · " + s[1].toLocaleString() + " " + W.cases);
  const d = D.drill.nodes[id] || {cases: [], variants: []};
  para(panel, W.examples); list(panel, d.cases);
  para(panel, W.variants);
  list(panel, d.variants.map((v) => v[0].join(" → ") + "  (" + v[1].toLocaleString() + " " + W.cases + ", " +
                                    (v[2] * 100).toFixed(1) + "%)"));
}
function showEdge(source, target, s) {
  const panel = $("panel"); panel.textContent = "";
  heading(panel, nodeName(source) + " → " + nodeName(target));
  para(panel, count(s[0] || 0) + " · " + (s[1] || 0).toLocaleString() + " " + W.cases);
  const ids = D.drill.edges[source + "\u001f" + target];
  if (source === "__start__" || target === "__end__") return;
  if (ids) { para(panel, W.examples); list(panel, ids); } else { para(panel, W.hidden); }
}
setup();
"""
