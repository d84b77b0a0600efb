"""The process map (current flowchart data): activities, hand-offs, start and end.

    >>> pmap = procmine.discover(log)                 # doctest: +SKIP
    >>> pmap.activities_frame().head()                # doctest: +SKIP
    >>> pmap.simplify(activities=0.8, paths=0.5).save("current_flowchart.png")  # doctest: +SKIP

Times are calendar hours. A step's duration is arrival → completion when the log has arrival
(start) times, else completion of the previous step → completion of this one. A hand-off's
time is the previous step's completion → the next step's arrival; where a step waits for
several parallel steps, from the last of them to complete (the earlier branches' extra wait
is ``median_sync_hours``, synchronisation).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import polars as pl

from procmine.engine import Tables
from procmine.log import ACTIVITY, EventLog
from procmine.text import phrases

if TYPE_CHECKING:
    import pandas as pd

START_NODE, END_NODE = "__start__", "__end__"

#: Maps larger than this are simplified for drawing unless the caller says otherwise.
AUTO_MAX_ACTIVITIES = 20
#: Activities happening fewer times than this share of the cases are left out of a simplified map.
RARE_SHARE = 0.005


def auto_max_paths(activities: int) -> int:
    """Paths drawn by default with this many activities (start and end arrows included): about
    one and a half per activity, as a clean Disco map of an approval process has."""
    return round(1.5 * activities) + 4


@dataclass
class Simplification:
    """What a simplified map kept, for the chart's note and the JSON."""

    activities_share: float
    paths_share: float
    activities_kept: int
    activities_total: int
    paths_kept: int
    paths_total: int

    def note(self, lang: str = "zh") -> str:
        return PHRASES("simplified", lang, kept=self.activities_kept, total=self.activities_total,
                       paths_kept=self.paths_kept, paths_total=self.paths_total)


PHRASES = phrases("process_map", {
    "simplified": ("已简化：显示 {total} 个活动中的 {kept} 个、{paths_total} 条路径中的 {paths_kept} 条（按频次）",
                   "Simplified: {kept} of {total} activities, {paths_kept} of {paths_total} paths shown "
                   "(most frequent first)"),
    # how a step's duration is measured (the English is the JSON's duration_basis itself)
    "arrival → completion": ("到达 → 完成", "arrival → completion"),
    "completion → completion": ("上一步完成 → 本步完成", "completion → completion"),
    "unit_working": ("小时（工作时间）", "h working"),
    "unit_calendar": ("小时（日历时间）", "h calendar"),
    "head": ("流程图：{cases:,} 个案例、{events:,} 个事件、{activities} 个活动、{handoffs} 条交接；步骤时长：{basis}",
             "Process map: {cases:,} cases, {events:,} events, {activities} activities, {handoffs} hand-offs; "
             "step durations: {basis}"),
    "activity": ("  {activity}：{frequency:,} 次，{cases:,} 件，中位 {median} {unit}",
                 "  {activity}: {frequency:,} events, {cases:,} cases, median {median} {unit}"),
    "title": ("当前流程图 · {source}", "Current process · {source}"),
    "still_open": ("（其中 {n:,} 个仍在办理，不连到结束）", " ({n:,} still in progress: no arrow to End)"),
    # the chart's subtitle: the Chinese says calendar time, as the chart's times are (see the report)
    "subtitle_completion": ("{cases:,} 个案例{open_note} · {events:,} 个事件 · 方框：次数；"
                            "箭头：次数 · 中位间隔（上一步完成→本步完成，无到达时间，只计一次）；日历时间",
                            "{cases:,} cases{open_note} · {events:,} events · box: events; arrows: count · median "
                            "previous → this completion (no arrival times: counted once); {time_basis} time"),
    "subtitle_arrival": ("{cases:,} 个案例{open_note} · {events:,} 个事件 · 方框：次数 · 中位处理时长（到达→完成）；"
                         "箭头：交接次数 · 中位等待；日历时间",
                         "{cases:,} cases{open_note} · {events:,} events · box: events · median step duration "
                         "({duration_basis}); arrows: hand-offs · median wait; {time_basis} time"),
    # the notebook display's table
    "html_activity": ("活动", "activity"),
    "html_events": ("次数", "events"),
    "html_cases": ("案例数", "cases"),
    "html_median": ("中位时长（{unit}）", "median duration ({unit})"),
})
#: how a step's duration is measured, in Chinese
BASIS_ZH = {basis: PHRASES(basis, "zh") for basis in ("arrival → completion", "completion → completion")}


@dataclass
class ProcessMap:
    """Activities and hand-offs with frequencies and times, as found in the log."""

    activities: pl.DataFrame
    handoffs: pl.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    cases: int
    events: int
    duration_basis: str
    time_basis: str = "calendar"
    simplification: Simplification | None = None
    source: str = ""
    open_cases: int = 0
    #: the working-time calendar of the ``*_work_hours`` columns (None: calendar time only)
    calendar: object | None = field(default=None, repr=False)
    _events: pl.DataFrame | None = field(default=None, repr=False)
    _open: frozenset = field(default=frozenset(), repr=False)
    #: for a map computed elsewhere (Spark): kept activities → the map re-measured on them
    _project: object | None = field(default=None, repr=False)

    # --- tables ------------------------------------------------------------------------
    def activities_frame(self) -> pd.DataFrame:
        """One row per activity: frequency, cases, median/mean/p90 duration in hours."""
        return self.activities.to_pandas()

    def to_frame(self, part: str = "activities") -> pd.DataFrame:
        """``activities`` (default) or ``handoffs`` as pandas, as every result's ``to_frame``."""
        if part not in ("activities", "handoffs"):
            raise ValueError("part must be 'activities' or 'handoffs'")
        return getattr(self, part).to_pandas()

    def describe(self, lang: str = "zh", top: int = 8) -> str:
        """The map in words: size, time basis, the most frequent activities with their median time."""
        t = PHRASES.text(lang)
        unit = t("unit_working" if self.time_basis == "working" else "unit_calendar")
        basis = t(self.duration_basis) if self.duration_basis in BASIS_ZH else self.duration_basis
        lines = [t("head", cases=self.cases, events=self.events, activities=self.activities.height,
                   handoffs=self.handoffs.height, basis=basis)]
        for r in self.activities.sort("frequency", descending=True).head(top).iter_rows(named=True):
            lines.append(t("activity", activity=r["activity"], frequency=r["frequency"], cases=r["cases"],
                           median=_fmt(r["median_duration_hours"]), unit=unit))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe("zh")

    def handoffs_frame(self) -> pd.DataFrame:
        """One row per hand-off (source → target): frequency, cases, median/mean/p90 hours."""
        return self.handoffs.to_pandas()

    @property
    def graph(self) -> nx.DiGraph:
        """The map as a networkx DiGraph, with ``__start__`` and ``__end__`` nodes."""
        graph = nx.DiGraph()
        graph.add_node(START_NODE, kind="start")
        graph.add_node(END_NODE, kind="end")
        for row in self.activities.iter_rows(named=True):
            graph.add_node(row["activity"], kind="activity", **{k: v for k, v in row.items() if k != "activity"})
        for row in self.handoffs.iter_rows(named=True):
            graph.add_edge(row["source"], row["target"], **{k: v for k, v in row.items() if k not in ("source", "target")})
        for activity, count in self.start_activities.items():
            graph.add_edge(START_NODE, activity, frequency=count, cases=count, median_hours=None, p90_hours=None)
        for activity, count in self.end_activities.items():
            graph.add_edge(activity, END_NODE, frequency=count, cases=count, median_hours=None, p90_hours=None)
        return graph

    # --- simplification ----------------------------------------------------------------
    def simplify(self, activities: float = 0.8, paths: float = 0.5) -> "ProcessMap":
        """Keep the most frequent share of activities and of paths (Disco-style).

        Activities are ranked by frequency and the top ``activities`` share is kept; the hand-offs
        are then recomputed on those activities only, so time spent in hidden steps counts towards
        the hand-offs around them, while each step keeps the figures of the whole log. Of the
        paths, the most frequent ``paths`` share is kept, plus for every activity its widest path
        from the start and to the end (the path whose least frequent hand-off is most frequent),
        so no kept activity is left unreachable.
        """
        if not (0 < activities <= 1 and 0 <= paths <= 1):
            raise ValueError("activities must be in (0, 1] and paths in [0, 1]")
        if self._events is None and self._project is None:
            raise ValueError("this map was not discovered from a log and cannot be simplified")
        total_activities = self.activities.height
        keep_n = max(1, math.ceil(activities * total_activities))
        kept = self.activities.sort(["frequency", "activity"], descending=[True, False])["activity"].head(keep_n)
        if keep_n < total_activities and self._project is not None:
            full = self._project(kept.to_list())
        elif keep_n < total_activities:
            projected = self._events.filter(pl.col(ACTIVITY).is_in(kept.implode()))
            completion_only = self.duration_basis != "arrival → completion"
            full = _from_tables(Tables(projected, completion_only=completion_only, open_cases=self._open),
                                self.source, projected, self.calendar,
                                activities=self.activities.filter(pl.col(ACTIVITY).is_in(kept.implode())))
        else:  # every activity stays: the hand-offs are this map's, only fewer of them are drawn
            full = self
        graph = full.graph
        edges = sorted(graph.edges(data="frequency"), key=lambda e: (-e[2], str(e[0]), str(e[1])))
        top = {(u, v) for u, v, _ in edges[: math.ceil(paths * len(edges))]}
        keep_edges = top | _widest_tree(graph, START_NODE) | {(v, u) for u, v in _widest_tree(graph.reverse(), END_NODE)}
        handoffs = full.handoffs.filter(
            pl.struct("source", "target").map_elements(lambda s: (s["source"], s["target"]) in keep_edges,
                                                       return_dtype=pl.Boolean)
        ) if full.handoffs.height else full.handoffs
        starts = {a: n for a, n in full.start_activities.items() if (START_NODE, a) in keep_edges}
        ends = {a: n for a, n in full.end_activities.items() if (a, END_NODE) in keep_edges}
        all_paths = self.handoffs.height + len(self.start_activities) + len(self.end_activities)
        shown = handoffs.height + len(starts) + len(ends)
        # the counts describe the log, not the part of it drawn
        # a step shows the figures measured on the whole log, on the full and simplified maps alike
        kept_stats = self.activities.filter(pl.col(ACTIVITY).is_in(full.activities[ACTIVITY].implode()))
        return ProcessMap(
            activities=kept_stats, handoffs=handoffs, start_activities=starts, end_activities=ends,
            cases=self.cases, events=self.events, duration_basis=self.duration_basis, time_basis=self.time_basis,
            simplification=Simplification(activities, paths, full.activities.height, total_activities, shown, all_paths),
            source=self.source, open_cases=self.open_cases, calendar=self.calendar, _events=self._events,
            _open=self._open, _project=self._project,
        )

    def auto_simplified(self) -> "ProcessMap":
        """This map if it is small enough to read on a page, else a simplified one (for drawing).

        At most :data:`AUTO_MAX_ACTIVITIES` activities (the most frequent; none that happens in
        fewer than :data:`RARE_SHARE` of the cases) and
        :func:`auto_max_paths` paths (the most frequent, plus what keeps every drawn activity
        connected to start and end); the chart says what was left out.
        """
        total = self.activities.height
        paths = self.handoffs.height + len(self.start_activities) + len(self.end_activities)
        # activities in fewer than 0.5 % of the cases are not the main flow
        common = int((self.activities["frequency"] >= RARE_SHARE * self.cases).sum()) or total
        kept = min(total, AUTO_MAX_ACTIVITIES, common)
        target = auto_max_paths(kept)
        if kept == total and paths <= target:
            return self
        # (kept - ½) / total: the share whose ceiling is exactly ``kept`` activities
        return self.simplify(activities=(kept - 0.5) / total if kept < total else 1.0, paths=min(1.0, target / paths))

    # --- output ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "cases": self.cases,
            "events": self.events,
            "time_basis": self.time_basis,
            "duration_basis": self.duration_basis,
            "units": {"duration": "hours", "hand-off": "hours"},
            # the *_work_hours columns, when present, are working hours under this calendar
            "working_time": self.calendar.describe("en") if self.calendar is not None else None,
            "nodes": _records(self.activities),
            "edges": _records(self.handoffs),
            "start_activities": self.start_activities,
            "end_activities": self.end_activities,
            "simplification": self.simplification.__dict__ if self.simplification else None,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def plot(self, *, lang: str = "zh", title: str | None = None, simplify: bool | str = "auto"):
        """The current flowchart as a matplotlib Figure."""
        from procmine.chart.flowchart import draw_flowchart
        from procmine.output import display_names

        shown = self.auto_simplified() if simplify == "auto" else self
        note = shown.simplification.note(lang) if shown.simplification else None
        if title is None:
            title = PHRASES("title", lang, source=self.source).rstrip(" ·")
        subtitle = _subtitle(self, lang)
        note = subtitle if note is None else f"{subtitle}\n{note}"
        graph = shown.graph
        shortened = display_names([n for n in graph.nodes if isinstance(n, str)])
        if shortened:  # very long names are shortened on the chart only (laying out 10,000 characters takes hours)
            graph = nx.relabel_nodes(graph, shortened, copy=True)
        return draw_flowchart(graph, title=title, note=note, lang=lang, time_basis=self.time_basis,
                              step_times=self.duration_basis == "arrival → completion")

    def save(self, path: str | Path, *, dpi: int = 200, lang: str = "zh", simplify: bool | str = "auto") -> Path:
        """Write the flowchart to a .png or .svg file."""
        from procmine.chart.flowchart import save_figure

        save_figure(self.plot(lang=lang, simplify=simplify), path, dpi=dpi)  # a Figure outside pyplot
        return Path(path)

    # --- files -------------------------------------------------------------------------
    def files(self, **options) -> list[str]:
        """The files :meth:`write` writes."""
        return ["current_flowchart.png", "current_flowchart.svg", "process_map.json"]

    def write(self, out_dir: str | Path, lang: str = "zh", *, drawn: "ProcessMap | None" = None,
              painter=None, **options) -> dict[str, Path]:
        """The current flowchart of ``drawn`` (a simplified map; default :meth:`auto_simplified`) as
        current_flowchart.png / .svg, and process_map.json (every activity and hand-off, before
        simplification) in ``out_dir``: ``{file name: path}``, as every result's ``write``
        (:meth:`procmine.result.Result.write`).

        With a ``painter`` (:class:`procmine.chart.background.ChartProcess`) the flowchart is
        drawn in its process and this returns at once: the figures are there once
        ``painter.written()`` has returned.

            >>> pmap.write("out", lang="en", drawn=pmap.simplify(activities=0.8))   # doctest: +SKIP
        """
        from procmine.chart.background import map_figure
        from procmine.output import write_figure, write_text, writing

        out = Path(out_dir)
        with writing(out, "cannot be created; choose another folder"):
            out.mkdir(parents=True, exist_ok=True)
        map_json = write_text(self.to_json(), out / "process_map.json")
        drawn = self.auto_simplified() if drawn is None else drawn
        stem = out / "current_flowchart"
        if painter is not None:
            painter.draw(drawn, stem, lang)
            return {"current_flowchart.png": stem.with_suffix(".png"), "current_flowchart.svg": stem.with_suffix(".svg"),
                    "process_map.json": map_json}
        return write_figure(map_figure(drawn, lang), stem) | {"process_map.json": map_json}

    def _repr_html_(self) -> str:
        from procmine.result import display_lang

        lang = display_lang(self)
        t = PHRASES.text(lang)
        fig = self.plot(lang=lang)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        image = base64.b64encode(buffer.getvalue()).decode("ascii")
        top = self.activities.sort("frequency", descending=True).head(10)
        rows = "".join(
            f"<tr><td>{html.escape(r['activity'])}</td><td>{r['frequency']:,}</td><td>{r['cases']:,}</td>"
            f"<td>{_fmt(r['median_duration_hours'])}</td></tr>"
            for r in top.iter_rows(named=True)
        )
        heads = "".join(f"<th>{html.escape(t(key, unit=t.hours_unit(self.time_basis)))}</th>"
                        for key in ("html_activity", "html_events", "html_cases", "html_median"))
        return (
            f"<div><img src='data:image/png;base64,{image}' style='max-width:100%'/>"
            f"<table><tr>{heads}</tr>{rows}</table></div>"
        )

    def __repr__(self) -> str:
        return (f"ProcessMap({self.activities.height} activities, {self.handoffs.height} hand-offs, "
                f"{self.cases:,} cases, {self.events:,} events; durations {self.duration_basis}, {self.time_basis} time)")


def discover(log: EventLog, *, arrival_times: bool = True, calendar=None) -> ProcessMap:
    """Discover the process map of ``log``: activities, hand-offs, start and end activities.

    With ``arrival_times`` (the default) a log's arrival/start times are used: steps whose
    intervals overlap ran in parallel and are not drawn as a sequence, and a step's duration
    is arrival → completion. ``arrival_times=False`` uses completion times only, as pm4py's
    directly-follows graph does. With a ``calendar`` the map also carries the working-time
    figures (``*_work_hours`` columns) beside the calendar ones it draws.

    >>> pmap = procmine.discover(procmine.read_log("sample_logs/合同审批.csv"))  # doctest: +SKIP

    A log read with ``engine="spark"`` is discovered on Spark (:mod:`procmine.engine.spark`).
    """
    if getattr(log, "engine", None) in ("spark", "partitioned"):  # tables merged elsewhere
        return log.discover(arrival_times=arrival_times, calendar=calendar)
    return _from_tables(log.tables(arrival_times=arrival_times), log.label, log.events, calendar)


#: The working-time figures a map carries beside its calendar ones when it has a calendar.
WORK_COLUMNS = {
    "activities": ["median_duration_work_hours", "mean_duration_work_hours", "p90_duration_work_hours",
                   "total_duration_work_hours"],
    "handoffs": ["median_work_hours", "mean_work_hours", "p90_work_hours", "total_work_hours"],
}


def _from_tables(tables: Tables, source: str, events: pl.DataFrame, calendar=None,
                 activities: pl.DataFrame | None = None, handoffs: pl.DataFrame | None = None) -> ProcessMap:
    """The map of ``tables``; ``activities`` and ``handoffs``: their figures when already known (a
    simplified map shows each step as measured on the whole log, so its projected log need not
    measure them; the bottleneck heat map takes the counts and medians its ranking measured)."""
    # counts only: the case table (variants ranked) is not needed for a map, and a simplified
    # map's projected log would build it again for nothing
    n_steps, n_cases = tables.counts()
    n_open = tables.open_case_count()
    # the hand-offs and their figures in a thread, while the activities' figures are measured here;
    # the case table is not built meanwhile: it took CPU and memory from the hand-offs (10M CSV,
    # alternating, medians of 5: 10.53 → 9.62 s, peaks 2.18-2.36 → 2.18-2.25 GiB)
    with ThreadPoolExecutor(1, thread_name_prefix="procmine-discover") as pool:
        measuring = pool.submit(lambda: tables.edge_stats) if handoffs is None else None
        if activities is None:
            activities = tables.activity_stats
            if calendar is not None:
                activities = activities.join(tables.working(calendar).activity_stats.select(
                    ACTIVITY, *WORK_COLUMNS["activities"]), on=ACTIVITY, how="left", maintain_order="left")
        if measuring is not None:
            handoffs = measuring.result()
    if calendar is not None:
        working = tables.working(calendar)
        handoffs = handoffs.join(working.edge_stats.select("source", "target", *WORK_COLUMNS["handoffs"]),
                                 on=["source", "target"], how="left", maintain_order="left")
    return ProcessMap(
        activities=activities,
        handoffs=handoffs,
        calendar=calendar,
        start_activities=tables.start_activities,
        end_activities=tables.end_activities,
        cases=n_cases,
        events=n_steps,
        duration_basis="completion → completion" if tables.completion_only else "arrival → completion",
        source=source,
        open_cases=n_open,
        _events=events,
        _open=tables.open_cases,
    )


def _widest_tree(graph: nx.DiGraph, root: str) -> set[tuple[str, str]]:
    """Edges of the maximum-bottleneck path tree from ``root`` (a Dijkstra on frequencies)."""
    import heapq

    best = {root: math.inf}
    parent: dict[str, str] = {}
    heap = [(-math.inf, 0, root)]
    counter = 1
    done = set()
    while heap:
        width, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for succ in sorted(graph.successors(node), key=str):
            w = min(-width, graph.edges[node, succ].get("frequency", 0))
            if succ not in done and w > best.get(succ, -1):
                best[succ] = w
                parent[succ] = node
                heapq.heappush(heap, (-w, counter, succ))
                counter += 1
    return {(p, c) for c, p in parent.items()}


def _records(frame: pl.DataFrame) -> list[dict]:
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float):
                row[key] = None if math.isnan(value) else round(value, 4)
    return rows


def _fmt(hours) -> str:
    return "–" if hours is None else f"{hours:.1f}"


def _subtitle(pmap: ProcessMap, lang: str) -> str:
    t = PHRASES.text(lang)
    open_note = t("still_open", n=pmap.open_cases) if pmap.open_cases else ""
    key = "subtitle_arrival" if pmap.duration_basis == "arrival → completion" else "subtitle_completion"
    return t(key, cases=pmap.cases, open_note=open_note, events=pmap.events, duration_basis=pmap.duration_basis,
             time_basis=pmap.time_basis)
