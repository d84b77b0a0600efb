"""The current flowchart (当前流程图) as a matplotlib Figure, ready for a report.

    >>> fig = draw_flowchart(pmap.graph, title="合同审批流程 当前流程图")   # doctest: +SKIP
    >>> save_figure(fig, "current_flowchart.png")                          # doctest: +SKIP

Input contract (produced by ``procmine.discover.process_map``): a ``networkx.DiGraph``
whose nodes are activity names with ``kind="activity"``, ``frequency``, ``cases`` and
``median_duration_hours`` (float or None), plus ``"__start__"`` (``kind="start"``) and
``"__end__"`` (``kind="end"``); edges carry ``frequency``, ``cases``, ``median_hours``
and ``p90_hours`` (None on edges from start / to end).  Cycles and self-loops are fine.

The drawing is built in points (1/72 inch) at its final size: the figure is sized from
the layout, so every font size given here is the printed size in the saved file.
Nothing here changes global matplotlib state; fonts come from :func:`chart_style`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Polygon
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from procmine.chart.fonts import chart_rc, chart_style
from procmine.chart.layout import Layout, layered_layout
from procmine.text import Text, check_lang, phrases
from procmine.units import LABELS, format_hours

__all__ = ["draw_flowchart", "draw_heatmap", "format_duration", "save_figure", "FlowchartStyle", "flowchart_geometry",
           "FlowchartLook", "draw_flowchart_variant"]

START, END = "__start__", "__end__"

#: Lines a long activity name may take beyond the style's name_max_lines before it is cut.
EXTRA_NAME_LINES = 3

#: A report page's text area (A4 portrait with 2.5 cm side margins; a chart's own page in Word has
#: 1.8 cm top and bottom margins, less a caption): charts that fit print at their own size, so no
#: text is smaller than 8 pt on paper.
PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 16 / 2.54, 24.5 / 2.54
#: a map this much over the page still counts as fitting (a few millimetres)
PAGE_TOLERANCE = 1.02
#: Beyond this (the text area of a landscape A4 page across, a portrait one down) the chart cannot
#: print anywhere at its drawn size: a warning suggests drawing fewer activities or paths.
WARN_WIDTH_IN, WARN_HEIGHT_IN = 26.2 / 2.54, 25.0 / 2.54

#: The chart's words: box and arrow labels, the legend.
PHRASES = phrases("flowchart", {
    "too_big": ("流程图需要 {w:.0f} × {h:.0f} 厘米才能保持文字清晰（A4 页面最多 26 × 25 厘米）；请少画一些活动或交接"
                "（--activities、--paths；Python 中用 simplify()）",
                "the flowchart needs {w:.0f} × {h:.0f} cm to keep its text readable (an A4 page holds 26 × 25 cm at "
                "most); draw fewer activities or paths (--activities, --paths; simplify() in Python)"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "times": ("{n} 次", "{n} ×"),
    "box_stats": ("{n} 次 · 中位 {d}", "{n} × · median {d}"),
    "cbar": ("中位时长（小时，{basis}）：方框边框=环节处理，箭头=交接等待",
             "median hours ({basis}): box border = step, arrow = hand-off wait"),
    "legend_box_name": ("活动名称", "Activity name"),
    "legend_box_stats": ("次数 · 中位处理时长", "count · median duration"),
    "legend_edge": ("次数\n交接等待中位数", "count\nmedian hand-off wait"),
    "legend_width": ("线宽：交接次数", "line width: hand-offs"),
    "legend_back": ("逆向（虚线）：返工、退回或先后不定", "dashed: rework, send-back, either order"),
    "legend_basis": ("时长均按{basis}计", "durations in {basis}"),
    "legend_both": ("时长：工作时间 / 日历时间", "durations: working time / calendar time"),
    "legend_day": ("1 工作日 = {hours:g} 工作小时", "1 working day = {hours:g} working hours"),
    "no_times": ("无时长数据", "no durations"),
    "duration_days": ("{n:.1f} 工作日", "{n:.1f} working d"),
    "duration_hours": ("{n:.1f} 工作小时", "{n:.1f} working h"),
})

# Logs with one time per step: a step's duration and the wait before it are one interval
# (previous completion → this completion), drawn once, on the arrow.
ARROW_TIMES = phrases("flowchart_arrow_times", {
    "cbar": ("中位时长（小时，{basis}）：箭头=上一步完成→本步完成（方框不另计）",
            "median hours ({basis}): arrow = previous completion → this completion (not repeated in boxes)"),
    "legend_box_stats": ("次数", "count"),
    "legend_edge": ("次数\n中位间隔（上一步完成→本步完成）", "count\nmedian previous → this completion"),
})

# A sequential map from a readable light orange to a dark red: short waits are still
# visible on white, long waits stand out.
_CMAP = LinearSegmentedColormap.from_list(
    "procmine_wait", ["#f2b25c", "#e8743b", "#c8402f", "#8e1b2c", "#4d0f28"]
)
_NO_TIME_COLOUR = "#8a9099"


@dataclass(frozen=True)
class FlowchartStyle:
    """Sizes in points; colours as matplotlib colour strings."""

    name_size: float = 10.0
    stats_size: float = 8.0
    edge_label_size: float = 8.0
    title_size: float = 14.0
    note_size: float = 9.0
    legend_size: float = 8.0
    name_wrap: float = 112.0  # max width of one line of an activity name
    edge_label_lines: int = 2  # 2: count above time; 1: "count · time" (saves height)
    rank_sep_growth: float = 1.6  # a layer gap may grow to this × rank_sep for sideways edges
    name_max_lines: int = 3
    box_pad_x: float = 9.0
    box_pad_y: float = 6.0
    box_min_width: float = 84.0
    terminal_diameter: float = 34.0
    node_sep: float = 26.0
    rank_sep: float = 28.0
    min_line: float = 0.8
    max_line: float = 6.0
    box_face: str = "#eef3fa"
    box_edge: str = "#4a6fa5"
    name_colour: str = "#1b2733"
    stats_colour: str = "#4f5d6b"
    start_face: str = "#e3f1e6"
    start_edge: str = "#3c8d50"
    end_face: str = "#f6e3e1"
    end_edge: str = "#a8443a"


#: measure(text, size in points) -> (width, height) in points, as the drawing lays text out
Measure = Callable[[str, float], tuple[float, float]]


@dataclass(frozen=True)
class FlowchartLook:
    """How a chart drawn on the flowchart's layout (the comparison chart is one) words and colours
    it; what is left out stays the flowchart's. Give it to :func:`draw_flowchart_variant`.

    * ``box_stats(node, data) -> str``: the line under a box's name (flowchart: events and median time).
    * ``edge_label(u, v, data) -> str``: an arrow's label.
    * ``edge_style(u, v, data, kind, colour) -> (colour, linestyle)``; ``kind`` is forward, back or loop.
    * ``box_style(node, data, face, edge_colour, edge_width) -> (face, edge colour, edge width, linestyle)``.
    * ``heat``: colour boxes and arrows by time (the flowchart's colour scale and legend).
    * ``legend_size(measure, style) -> (width, height)`` and ``draw_legend(ax, measure, style)``: a
      legend strip of one's own, drawn on axes in points (y down, under a thin rule).
    """

    box_stats: Callable[[Hashable, dict], str] | None = None
    edge_label: Callable[[Hashable, Hashable, dict], str] | None = None
    edge_style: Callable[..., tuple] | None = None
    box_style: Callable[..., tuple] | None = None
    heat: bool = True
    legend_size: Callable[[Measure, FlowchartStyle], tuple[float, float]] | None = None
    draw_legend: Callable[..., None] | None = None


# ------------------------------------------------------------------------------------------
# text measurement
# ------------------------------------------------------------------------------------------
class _Measure:
    """Exact text extents in points, using the Agg renderer at 72 dpi."""

    def __init__(self) -> None:
        self.fig = Figure(figsize=(4, 4), dpi=72)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        self.cache: dict[tuple[str, float], tuple[float, float]] = {}
        # explicit family: measuring must not depend on the rcParams active at call time
        self.family = list(chart_rc()["font.family"])

    def __call__(self, text: str, size: float) -> tuple[float, float]:
        key = (text, size)
        if key not in self.cache:
            if not text:
                self.cache[key] = (0.0, 0.0)
            else:
                t = self.fig.text(0, 0, text, fontsize=size, linespacing=1.25, fontfamily=self.family)
                bb = t.get_window_extent(self.renderer)
                t.remove()
                self.cache[key] = (bb.width, bb.height)
        return self.cache[key]


# a Latin word ends after a "/" (PRE_APPROVER/ SUPERVISOR): a long pair of roles may break there
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-&']*/?|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%·")


#: a name longer than this is cut in the middle before it is wrapped (the data keep it whole)
MAX_NAME_CHARS = 160


def _wrap(text: str, size: float, max_width: float, max_lines: int, measure: _Measure) -> str:
    """Break a (Chinese or English) name into balanced lines no wider than max_width."""
    text = " ".join(str(text).split())
    if len(text) > MAX_NAME_CHARS:  # thousands of characters: only what a box can show is measured
        text = text[: MAX_NAME_CHARS * 2 // 3].rstrip() + "…" + text[-(MAX_NAME_CHARS // 3):].lstrip()
    total = measure(text, size)[0]
    if total <= max_width:
        return text
    # a long name gets a wider box (up to 1.8×) before anything is cut off
    max_width = max(max_width, min(total / max_lines * 1.15, max_width * 1.8))
    tokens = _TOKEN.findall(text)
    widths = [measure(tok, size)[0] if not tok.isspace() else measure("a a", size)[0] - measure("aa", size)[0]
              for tok in tokens]

    def fill(limit: float, n_lines: int) -> list[str]:
        lines: list[list[str]] = [[]]
        width = 0.0
        for tok, w in zip(tokens, widths):
            if lines[-1] and width + w > limit and len(lines) < n_lines and tok[0] not in _NO_LINE_START:
                lines.append([])
                width = 0.0
                if tok.isspace():
                    continue
            lines[-1].append(tok)
            width += w
        return ["".join(parts).strip() for parts in lines]

    def fits(lines: list[str]) -> bool:
        return all(measure(line, size)[0] <= max_width * 1.1 for line in lines)

    # balanced lines look best; if long words make a line overflow, fill each line instead; if
    # that overflows too, one more line: a name takes up to EXTRA_NAME_LINES more lines than the
    # style's rather than lose the words that tell it apart (… by SUPERVISOR / … by PRE_APPROVER)
    first = min(max_lines, math.ceil(total / max_width))
    for n_lines in range(first, max_lines + EXTRA_NAME_LINES + 1):
        out = fill(total / n_lines * 1.08, n_lines)
        if fits(out):
            break
        out = fill(max_width, n_lines)
        if fits(out):
            break
    # the last line may still be too wide (a name of hundreds of characters): cut it in the
    # middle, keeping its end, where names of one family differ
    last = out[-1]
    if measure(last, size)[0] > max_width * 1.1:
        head, tail = last[: len(last) // 2], last[len(last) // 2:]
        while (head or tail) and measure(head + "…" + tail, size)[0] > max_width:
            if len(head) >= len(tail):
                head = head[:-1]
            else:
                tail = tail[1:]
        out[-1] = head.rstrip() + "…" + tail.lstrip()
    return "\n".join(line for line in out if line)


# ------------------------------------------------------------------------------------------
# geometry helpers
# ------------------------------------------------------------------------------------------
def _cubic(p0, c1, c2, p1, n: int = 16) -> list[tuple[float, float]]:
    t = np.linspace(0.0, 1.0, n + 1)[1:]
    a = (1 - t) ** 3
    b = 3 * (1 - t) ** 2 * t
    c = 3 * (1 - t) * t**2
    d = t**3
    xs = a * p0[0] + b * c1[0] + c * c2[0] + d * p1[0]
    ys = a * p0[1] + b * c1[1] + c * c2[1] + d * p1[1]
    return list(zip(xs.tolist(), ys.tolist()))


def _quad(p0, c, p1, n: int = 8) -> list[tuple[float, float]]:
    t = np.linspace(0.0, 1.0, n + 1)[1:]
    xs = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * c[0] + t**2 * p1[0]
    ys = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * c[1] + t**2 * p1[1]
    return list(zip(xs.tolist(), ys.tolist()))


def _axis(a, b) -> str | None:
    if abs(a[0] - b[0]) < 0.3:
        return "v"
    if abs(a[1] - b[1]) < 0.3:
        return "h"
    return None


def _smooth_route(points: Sequence[tuple[float, float]], kind: str) -> list[tuple[float, float]]:
    """Dense polyline of a smooth curve along a layout route.

    The layout's routes cross every rank vertically and travel sideways only in the gaps
    between ranks; back edges start and end with a horizontal stub at the box side.
    Vertical and horizontal runs are kept straight (right-angle turns get a small round
    corner); each sideways run in a gap becomes an S-curve with vertical ends, which
    stays inside its gap, so curves never cut through boxes or labels.
    """
    pts = [tuple(map(float, p)) for p in points]
    if len(pts) < 2:
        return pts
    if kind == "loop":
        return [pts[0]] + _cubic(pts[0], pts[1], pts[2], pts[3], 24)
    out = [pts[0]]
    cur = pts[0]
    n = len(pts)
    for i in range(n - 1):
        a, b = pts[i], pts[i + 1]
        axis = _axis(a, b)
        if axis is None:
            dy = b[1] - cur[1]
            out += _cubic(cur, (cur[0], cur[1] + dy / 2), (b[0], b[1] - dy / 2), b)
            cur = b
            continue
        nxt_axis = _axis(b, pts[i + 2]) if i + 2 < n else None
        if nxt_axis is not None and nxt_axis != axis:
            c = pts[i + 2]
            seg1 = math.hypot(b[0] - cur[0], b[1] - cur[1])
            seg2 = math.hypot(c[0] - b[0], c[1] - b[1])
            r = min(7.0, seg1 * 0.9, seg2 * 0.5)
            d1 = ((b[0] - cur[0]) / seg1, (b[1] - cur[1]) / seg1) if seg1 else (0.0, 0.0)
            d2 = ((c[0] - b[0]) / seg2, (c[1] - b[1]) / seg2) if seg2 else (0.0, 0.0)
            before = (b[0] - d1[0] * r, b[1] - d1[1] * r)
            after = (b[0] + d2[0] * r, b[1] + d2[1] * r)
            out.append(before)
            out += _quad(before, b, after)
            cur = after
        else:
            out.append(b)
            cur = b
    return out


def _runs(pts: list[tuple[float, float]]) -> list[list[int]]:
    """Index groups of consecutive points sharing one x (the vertical runs of a route)."""
    groups: list[list[int]] = [[0]]
    for i in range(1, len(pts)):
        if abs(pts[i][0] - pts[groups[-1][-1]][0]) < 0.3:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _spline_through(pts: list[np.ndarray], vertical: list[bool], first_handle=None, last_handle=None,
                    samples: int = 14) -> list[tuple[float, float]]:
    """Cubic spline through ``pts``: vertical (handles of half the segment height) where
    ``vertical[i]``, Catmull-Rom elsewhere; optional explicit handles at both ends."""
    n = len(pts)
    out = [tuple(pts[0])]
    for i in range(n - 1):
        a, b = pts[i], pts[i + 1]
        if float(np.hypot(*(b - a))) < 1e-9:
            continue
        if vertical[i] and vertical[i + 1] and abs(a[0] - b[0]) < 0.3:
            out.append(tuple(b))
            continue
        dy = b[1] - a[1]
        if i == 0 and first_handle is not None:
            c1 = np.asarray(first_handle)
        elif vertical[i] or i == 0:
            c1 = a + np.array([0.0, dy / 2])
        else:
            c1 = a + (pts[i + 1] - pts[i - 1]) / 6
        if i == n - 2 and last_handle is not None:
            c2 = np.asarray(last_handle)
        elif vertical[i + 1] or i == n - 2:
            c2 = b - np.array([0.0, dy / 2])
        else:
            c2 = b - (pts[i + 2] - pts[i]) / 6
        out += _cubic(tuple(a), tuple(c1), tuple(c2), tuple(b), samples)
    return out


def _relaxed_route(points: Sequence[tuple[float, float]], kind: str,
                   label: tuple[float, float] | None) -> list[tuple[float, float]] | None:
    """A smoother alternative to :func:`_smooth_route`: a spline through the dummy
    centres (no staircase), still straight through the edge's own label.  The caller
    uses it only if it touches no other box or label."""
    pts = [tuple(map(float, p)) for p in points]
    if kind == "loop" or len(pts) < 3:
        return None
    back = kind == "back"
    inner = pts[2:-2] if back else pts
    runs = _runs(inner)
    keys: list[np.ndarray] = []
    vertical: list[bool] = []
    for k, run in enumerate(runs):
        seg = [inner[i] for i in run]
        is_first = not back and k == 0
        is_last = not back and k == len(runs) - 1
        at_label = [j for j, p in enumerate(seg)
                    if label is not None and abs(p[0] - label[0]) < 0.01 and abs(p[1] - label[1]) < 0.01]
        chosen: list[tuple[float, float]] = []
        if is_first:
            chosen.append(seg[0])
        if at_label:  # straight through the label's band
            j = at_label[0]
            chosen += [seg[max(j - 1, 0)], seg[min(j + 1, len(seg) - 1)]]
        if is_last:
            chosen.append(seg[-1])
        if chosen:
            for p in chosen:
                if not keys or float(np.hypot(*(np.asarray(p) - keys[-1]))) > 1e-6:
                    keys.append(np.asarray(p))
                    vertical.append(True)
        else:
            ys = [p[1] for p in seg]
            keys.append(np.array([seg[0][0], (min(ys) + max(ys)) / 2]))
            vertical.append(False)
    if not back:
        if len(keys) == 2 or all(abs(q[0] - keys[0][0]) < 0.3 for q in keys):
            return None  # nothing to relax
        return _spline_through(keys, vertical)
    start, corner_a, corner_b, end = (np.asarray(p) for p in (pts[0], pts[1], pts[-2], pts[-1]))
    keys = [start] + keys + [end]
    vertical = [False] + vertical + [False]
    return _spline_through(keys, vertical, first_handle=corner_a, last_handle=corner_b, samples=16)


def _hits(line: list[tuple[float, float]], rects: np.ndarray, margin: float = 1.0) -> bool:
    """Does the polyline have a point strictly inside any rect (l, t, r, b)?"""
    if len(rects) == 0 or not line:
        return False
    p = np.asarray(line)
    # sample segment midpoints too, so long straight pieces are checked
    p = np.vstack([p, (p[1:] + p[:-1]) / 2]) if len(p) > 1 else p
    x, y = p[:, :1], p[:, 1:]
    inside = (x > rects[:, 0] + margin) & (x < rects[:, 2] - margin) & (y > rects[:, 1] + margin) & (y < rects[:, 3] - margin)
    return bool(inside.any())


def _trim_end(line: list[tuple[float, float]], length: float):
    """Cut ``length`` off the end of a polyline; returns (trimmed line, tip, direction)."""
    tip = np.array(line[-1])
    remaining = length
    pts = [np.array(p) for p in line]
    i = len(pts) - 1
    while i > 0:
        seg = pts[i] - pts[i - 1]
        seg_len = float(np.hypot(*seg))
        if seg_len >= remaining and seg_len > 0:
            cut = pts[i] - seg * (remaining / seg_len)
            kept = [tuple(p) for p in pts[:i]] + [tuple(cut)]
            direction = tip - cut
            norm = float(np.hypot(*direction)) or 1.0
            return kept, tuple(tip), tuple(direction / norm)
        remaining -= seg_len
        i -= 1
    direction = tip - pts[0]
    norm = float(np.hypot(*direction)) or 1.0
    return [tuple(pts[0])], tuple(tip), tuple(direction / norm)


def _onto_circle(point, centre, radius):
    """Move a port on a terminal's bounding box onto its circle (vertically)."""
    dx = max(-radius * 0.95, min(radius * 0.95, point[0] - centre[0]))
    dy = math.sqrt(max(radius**2 - dx**2, 0.0))
    return (centre[0] + dx, centre[1] + (dy if point[1] > centre[1] else -dy))


# ------------------------------------------------------------------------------------------
# text of boxes and edges
# ------------------------------------------------------------------------------------------
def _number(value) -> int | None:
    try:
        if value is None:
            return None
        f = float(value)
        return None if math.isnan(f) else int(round(f))
    except (TypeError, ValueError):
        return None


def _hours(value) -> float | None:
    try:
        if value is None:
            return None
        f = float(value)
        return None if math.isnan(f) else f
    except (TypeError, ValueError):
        return None


def _kind(graph: nx.DiGraph, node: Hashable) -> str:
    kind = graph.nodes[node].get("kind")
    if kind in ("start", "end", "activity"):
        return kind
    if node == START:
        return "start"
    if node == END:
        return "end"
    return "activity"


def format_duration(hours: float | None, lang: str = "zh", basis: str = "calendar",
                    hours_per_day: float | None = None) -> str:
    """A duration as a chart writes it, naming its kind of time.

    Calendar time in 分钟 / 小时 / 天 (24-hour days); working time in 工作小时, or in 工作日 of the
    calendar's length when ``hours_per_day`` is given (never in 24-hour days).

    >>> format_duration(168, "zh", "working", 8)
    '21.0 工作日'
    >>> format_duration(26.1, "zh", "working")
    '26.1 工作小时'
    >>> format_duration(117.6, "zh")
    '4.9 天'
    """
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return "–"
    if basis != "working":
        return format_hours(hours, lang)
    if hours_per_day and hours >= hours_per_day:
        return PHRASES("duration_days", lang, n=hours / hours_per_day)
    return PHRASES("duration_hours", lang, n=hours)


def _durations(data: dict, key: str, lang: str, basis: str, hours_per_day: float | None) -> str | None:
    """The median as the chart's basis, and beside it the calendar time when the graph carries it."""
    d = _hours(data.get(key))
    if d is None:
        return None
    text = format_duration(d, lang, basis, hours_per_day)
    calendar = _hours(data.get(CALENDAR_KEYS.get(key, "")))
    if basis == "working" and calendar is not None:
        if calendar < 0.5 / 60:  # no time at all: one "0 分钟" says it
            return format_duration(calendar, lang)
        text += f" / {format_duration(calendar, lang)}"
    return text


#: node and edge attributes holding the calendar-time median beside a working-time one
CALENDAR_KEYS = {"median_duration_hours": "median_calendar_duration_hours", "median_hours": "median_calendar_hours"}


def _box_stats(data: dict, lang: str, basis: str = "calendar", hours_per_day: float | None = None) -> str:
    words = PHRASES.text(lang)
    n = _number(data.get("frequency"))
    d = _durations(data, "median_duration_hours", lang, basis, hours_per_day)
    if n is None:
        return d or ""
    if d is None:
        return words("times", n=f"{n:,}")
    return words("box_stats", n=f"{n:,}", d=d)


def _edge_text(data: dict, lang: str, lines: int = 2, basis: str = "calendar",
               hours_per_day: float | None = None) -> str:
    words = PHRASES.text(lang)
    n = _number(data.get("frequency"))
    m = _durations(data, "median_hours", lang, basis, hours_per_day)
    parts = []
    if n is not None:
        parts.append(words("times", n=f"{n:,}"))
    if m is not None:
        parts.append(m)
    return ("\n" if lines > 1 else " · ").join(parts)


def _nice_log_ticks(vmin: float, vmax: float) -> list[float]:
    candidates = [1 / 60, 5 / 60, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720, 1440, 2160, 4320, 8760]
    inside = [c for c in candidates if vmin * 0.999 <= c <= vmax * 1.001]
    while len(inside) > 6:
        inside = inside[::2]
    return inside


def _round_nice(value: float) -> int:
    """Round to 1–2 significant digits (legend samples)."""
    if value < 10:
        return max(1, int(round(value)))
    magnitude = 10 ** (int(math.log10(value)) - 1)
    return int(round(value / magnitude) * magnitude)


def _tick_label(value: float) -> str:
    if value < 1:
        return f"{value:.2g}"
    return f"{value:g}"


# ------------------------------------------------------------------------------------------
# main entry
# ------------------------------------------------------------------------------------------
def draw_flowchart(
    graph: nx.DiGraph,
    *,
    title: str | None = None,
    note: str | None = None,
    lang: str = "zh",
    time_basis: str = "calendar",
    style: FlowchartStyle | None = None,
    step_times: bool = True,
    hours_per_day: float | None = None,
) -> Figure:
    """Draw the current flowchart of a process map; returns a matplotlib Figure.

    Activity boxes show the name, the number of events and the median duration; start
    and end are circles; arrows show the number of hand-offs and the median hand-off
    wait, with width ∝ frequency and colour by wait (colour bar in hours, stating the
    time basis).  Loops found by the layout (rework / send-back) are dashed and run up
    beside the boxes; self-loops are small loops at the box side.

    ``lang`` is "zh" or "en"; ``time_basis`` "calendar" (日历时间) or "working" (工作时间).
    ``step_times=False`` (logs with one time per step) shows each interval once, on the arrow:
    a step's duration would be the same interval as the arrow into it.
    Working time is written in 工作日 of ``hours_per_day`` working hours (in 工作小时 without it);
    boxes and arrows that also carry a calendar-time median (see :data:`CALENDAR_KEYS`) show it beside.
    The figure is sized from the layout (fonts are their printed size); very large maps
    are compacted to fit a report page (16 × 24.5 cm) and, if still larger, drawn larger rather
    than with unreadable text (a warning suggests simplifying the map).
    """
    check_lang(lang)
    if time_basis not in ("calendar", "working"):
        raise ValueError(f"time_basis must be 'calendar' or 'working', not {time_basis!r}")
    base = style or FlowchartStyle()
    if not step_times:
        graph = _without_step_times(graph)
    with chart_style():
        if note:  # a long note is wrapped to the page rather than widening the figure beyond it
            measure = _Measure()
            note = "\n".join(_wrap(line, base.note_size, PAGE_WIDTH_IN * 72 - 28, 4, measure)
                             for line in note.split("\n"))
        # Large maps: smaller fonts and gaps first (8 pt at least, 7 pt as a last resort), then edge labels
        # on one line and no extra room for sideways edges (saves height).
        small = replace(base, name_size=9.0, stats_size=8.0, edge_label_size=8.0, name_wrap=104.0,
                        node_sep=20.0, rank_sep=22.0, box_pad_x=7.0, box_pad_y=4.5, box_min_width=72.0,
                        terminal_diameter=30.0)
        smallest = replace(base, name_size=8.5, stats_size=8.0, edge_label_size=8.0, name_wrap=96.0,
                           node_sep=16.0, rank_sep=18.0, box_pad_x=6.0, box_pad_y=3.5, box_min_width=64.0,
                           terminal_diameter=28.0, title_size=13.0, rank_sep_growth=1.8)
        attempts = [base] if style is not None else [
            base,
            small,
            smallest,
            replace(smallest, edge_label_lines=1, rank_sep=16.0, rank_sep_growth=1.0),
            # the last resort for a map too large for a page at 8 pt: 7 pt, so a standalone chart
            # stays within about A3 (the report draws a simpler map instead: see report.sections.page_map)
            replace(smallest, name_size=8.0, stats_size=7.0, edge_label_size=7.0, name_wrap=96.0,
                    edge_label_lines=1, rank_sep=16.0, rank_sep_growth=1.0),
        ]
        tried = []
        for st in attempts:
            drawing = _Drawing(graph, st, lang, time_basis, hours_per_day)
            if not step_times:
                drawing.words = Text(lang, ARROW_TIMES.prefix, PHRASES.prefix)
            w_in, h_in = drawing.figure_size(title, note)
            if w_in <= PAGE_WIDTH_IN * PAGE_TOLERANCE and h_in <= PAGE_HEIGHT_IN * PAGE_TOLERANCE:
                break
            tried.append((max(w_in / PAGE_WIDTH_IN, h_in / PAGE_HEIGHT_IN), len(tried), drawing, w_in, h_in))
        else:  # none fits: the one that overflows the page least (one-line labels can widen a wide map)
            _overflow, _i, drawing, w_in, h_in = min(tried, key=lambda x: x[:2])
        if w_in > WARN_WIDTH_IN or h_in > WARN_HEIGHT_IN:
            warnings.warn(PHRASES("too_big", lang, w=w_in * 2.54, h=h_in * 2.54), stacklevel=2)
        return drawing.draw(title, note)


def draw_flowchart_variant(graph: nx.DiGraph, look: FlowchartLook, *, title: str | None = None,
                           note: str | None = None, lang: str = "zh", time_basis: str = "calendar",
                           style: FlowchartStyle | None = None) -> Figure:
    """Draw ``graph`` as the flowchart does, laid out the same way, worded and coloured by ``look``;
    at ``style``'s sizes as given (no fitting to a page).

        >>> fig = draw_flowchart_variant(graph, FlowchartLook(heat=False), title="对比")   # doctest: +SKIP
    """
    check_lang(lang)
    with chart_style():
        drawing = _Drawing(graph, style or FlowchartStyle(), lang, time_basis, look=look)
        return drawing.draw(title, note)


def _without_step_times(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy whose boxes carry no duration: with one time per step it is the arrow's interval."""
    graph = graph.copy()
    for node in graph.nodes:
        graph.nodes[node]["median_duration_hours"] = None
        graph.nodes[node].pop(CALENDAR_KEYS["median_duration_hours"], None)
    return graph


def draw_heatmap(graph: nx.DiGraph, steps: dict, waits: dict, *, hours_per_day: float | None,
                 time_basis: str = "working", title: str | None = None, note: str | None = None, lang: str = "zh",
                 step_times: bool = True) -> Figure:
    """The flowchart coloured by where the time goes: every box and arrow with its median in
    ``time_basis`` and, for working time, the calendar-time median beside it.

    ``steps``: activity → (median in ``time_basis`` hours, median calendar hours);
    ``waits``: (source, target) → the same for hand-offs. Boxes and arrows not in them (joined
    by simplification) carry no time.

        >>> draw_heatmap(shown.graph, {"审批": (26.1, 117.6)}, {}, hours_per_day=8)   # doctest: +SKIP
    """
    graph = graph.copy()
    for node, data in graph.nodes(data=True):
        if data.get("kind", "activity") == "activity" and node not in ("__start__", "__end__"):
            main, calendar = steps.get(node, (None, None))
            data["median_duration_hours"] = main
            if time_basis == "working":
                data[CALENDAR_KEYS["median_duration_hours"]] = calendar
    for source, target, data in graph.edges(data=True):
        main, calendar = waits.get((source, target), (None, None))
        data["median_hours"] = main
        if time_basis == "working":
            data[CALENDAR_KEYS["median_hours"]] = calendar
    return draw_flowchart(graph, title=title, note=note, lang=lang, time_basis=time_basis, step_times=step_times,
                          hours_per_day=hours_per_day)


def flowchart_geometry(graph: nx.DiGraph, *, lang: str = "zh", time_basis: str = "calendar",
                       step_times: bool = True) -> dict:
    """The flowchart's boxes and arrows as the PNG lays them out, for another renderer (the
    interactive map): points, y downwards; every edge's drawn line and label centre.

    ``{"extent": [x0, y0, x1, y1], "nodes": [{"id", "kind", "x", "y", "w", "h", "name"}],
    "edges": [{"source", "target", "points", "label", "back"}]}``
    """
    if not step_times:
        graph = _without_step_times(graph)
    with chart_style():
        drawing = _Drawing(graph, FlowchartStyle(), lang, time_basis)
        layout = drawing.layout
        nodes = []
        for node in graph.nodes:
            kind = drawing.kinds[node]
            (x, y), (w, h) = layout.positions[node], drawing.sizes[node]
            name = drawing.words(kind) if kind in ("start", "end") else drawing.texts[node][0]
            nodes.append({"id": str(node), "kind": kind, "x": x, "y": y, "w": w, "h": h, "name": name})
        edges = []
        for u, v in graph.edges:
            if not layout.routes.get((u, v)):
                continue
            label = layout.label_positions.get((u, v))
            edges.append({"source": str(u), "target": str(v),
                          "points": [[round(px, 1), round(py, 1)] for px, py in drawing._edge_line(u, v)],
                          "label": None if label is None else [round(label[0], 1), round(label[1], 1)],
                          "back": (u, v) in layout.back_edges})
        return {"extent": [round(e, 1) for e in drawing._extent()], "nodes": nodes, "edges": edges}


class _Drawing:
    def __init__(self, graph: nx.DiGraph, st: FlowchartStyle, lang: str, time_basis: str,
                 hours_per_day: float | None = None, look: FlowchartLook | None = None) -> None:
        self.graph = graph
        self.look = look or FlowchartLook()
        self.st = st
        self.lang = lang
        self.time_basis, self.hours_per_day = time_basis, hours_per_day
        self.words = PHRASES.text(lang)
        self.basis_word = LABELS[lang][time_basis]
        self.measure = _Measure()
        self.texts: dict[Hashable, tuple[str, str]] = {}
        self.kinds = {node: _kind(graph, node) for node in graph.nodes}
        self.sizes: dict[Hashable, tuple[float, float]] = {}
        for node in graph.nodes:
            kind = self.kinds[node]
            if kind in ("start", "end"):
                d = st.terminal_diameter
                self.sizes[node] = (d, d)
                continue
            name = _wrap(str(node), st.name_size, st.name_wrap, st.name_max_lines, self.measure)
            stats = self._node_stats(node, graph.nodes[node])
            nw, nh = self.measure(name, st.name_size)
            sw, sh = self.measure(stats, st.stats_size)
            w = max(nw, sw) + 2 * st.box_pad_x
            h = nh + (sh + 2.0 if stats else 0.0) + 2 * st.box_pad_y
            self.sizes[node] = (max(w, st.box_min_width), h)
            self.texts[node] = (name, stats)
        self.edge_texts: dict[tuple, str] = {}
        label_sizes: dict[tuple, tuple[float, float]] = {}
        for u, v, data in graph.edges(data=True):
            text = self._edge_label(u, v, data)
            self.edge_texts[(u, v)] = text
            if text:
                w, h = self.measure(text, st.edge_label_size)
                label_sizes[(u, v)] = (w + 4.0, h + 3.0)
        self.label_sizes = label_sizes
        sources = [n for n, k in self.kinds.items() if k == "start"]
        sinks = [n for n, k in self.kinds.items() if k == "end"]
        self.layout: Layout = layered_layout(
            graph,
            self.sizes,
            rank_sep=st.rank_sep,
            node_sep=st.node_sep,
            sources=sources or None,
            sinks=sinks or None,
            weight="frequency",
            label_sizes=label_sizes,
            self_loop_size=st.node_sep * 0.55,
            port_gap=max(6.0, st.node_sep * 0.35),
            max_rank_sep=st.rank_sep * st.rank_sep_growth,
        )
        self.pad = 8.0  # around the layout, for line widths / arrow heads
        self._lines: dict[tuple, list[tuple[float, float]]] = {}  # each edge's drawn line (_edge_line), once
        self._norm, self._colour_of = self._colour_scale() if self.look.heat else (None, lambda v: _NO_TIME_COLOUR)

    # ---- what a FlowchartLook may change (the comparison chart restyles boxes and arrows) ---
    def _node_stats(self, node, data: dict) -> str:
        if self.look.box_stats is not None:
            return self.look.box_stats(node, data)
        return _box_stats(data, self.lang, self.time_basis, self.hours_per_day)

    def _edge_label(self, u, v, data: dict) -> str:
        if self.look.edge_label is not None:
            return self.look.edge_label(u, v, data)
        return _edge_text(data, self.lang, self.st.edge_label_lines, self.time_basis, self.hours_per_day)

    def _edge_style(self, u, v, data: dict, kind: str, colour):
        """(colour, linestyle) of an arrow."""
        if self.look.edge_style is not None:
            return self.look.edge_style(u, v, data, kind, colour)
        return colour, (0, (4.0, 2.5)) if kind == "back" else "solid"

    def _node_style(self, node, data: dict, face, edge_colour, edge_width):
        """(face, edge colour, edge width, linestyle) of an activity box."""
        if self.look.box_style is not None:
            return self.look.box_style(node, data, face, edge_colour, edge_width)
        return face, edge_colour, edge_width, "solid"

    # ---- sizes ----------------------------------------------------------------------------
    def _edge_kind(self, u, v) -> str:
        if u == v:
            return "loop"
        return "back" if (u, v) in self.layout.back_edges else "forward"

    def _edge_line(self, u, v) -> list[tuple[float, float]]:
        """The drawn line of an edge (smoothed, relaxed where that hits nothing), computed once."""
        cache = self._lines
        if (u, v) in cache:
            return cache[(u, v)]
        layout, kind = self.layout, self._edge_kind(u, v)
        route = list(layout.routes[(u, v)])
        # ports on terminals: from the bounding box onto the circle
        for idx, node in ((0, u), (-1, v)):
            if self.kinds[node] in ("start", "end") and kind == "forward":
                route[idx] = _onto_circle(route[idx], layout.positions[node], layout.sizes[node][0] / 2)
        line = _smooth_route(route, kind)
        relaxed = _relaxed_route(route, kind, layout.label_positions.get((u, v)))
        if relaxed is not None and not _hits(relaxed, self._obstacles(u, v)):
            line = relaxed
        cache[(u, v)] = line
        return line

    def _extent(self) -> tuple[float, float, float, float]:
        """The drawing's bounds: the layout, widened to any drawn edge that bulges outside it."""
        points = [(0.0, 0.0), (self.layout.width, self.layout.height)]
        for u, v in self.graph.edges:
            if self.layout.routes.get((u, v)):
                points.extend(self._edge_line(u, v))
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    def header_height(self, title, note) -> float:
        h = 0.0
        if title:
            h += self.measure(title, self.st.title_size)[1] + 4
        if note:
            h += self.measure(note, self.st.note_size)[1] + 4
        return h + (6 if h else 0)

    def figure_size(self, title, note) -> tuple[float, float]:
        margin = 14.0
        x0, y0, x1, y1 = self._extent()
        chart_w = x1 - x0 + 2 * self.pad
        chart_h = y1 - y0 + 2 * self.pad
        self._chart_w = chart_w
        legend_w, legend_h, _pos = self._legend_geometry(chart_w)
        header = self.header_height(title, note)
        title_w = max(
            self.measure(title, self.st.title_size)[0] if title else 0.0,
            self.measure(note, self.st.note_size)[0] if note else 0.0,
        )
        width = max(chart_w, legend_w, title_w) + 2 * margin
        height = margin + header + chart_h + 16 + legend_h + margin
        self._geometry = (margin, header, chart_w, chart_h, width, height)
        return width / 72, height / 72

    # ---- drawing --------------------------------------------------------------------------
    def draw(self, title, note) -> Figure:
        st = self.st
        w_in, h_in = self.figure_size(title, note)
        margin, header, chart_w, chart_h, width, height = self._geometry
        fig = Figure(figsize=(w_in, h_in), dpi=100)
        fig.patch.set_facecolor("white")

        def frac(x0, y_top, w, h):  # points from top-left → figure fraction rect
            return [x0 / width, 1 - (y_top + h) / height, w / width, h / height]

        # header
        y = margin
        if title:
            fig.text(0.5, 1 - y / height, title, ha="center", va="top", fontsize=st.title_size, color="#111")
            y += self.measure(title, st.title_size)[1] + 4
        if note:
            fig.text(0.5, 1 - y / height, note, ha="center", va="top", fontsize=st.note_size, color="#5b6570")

        # chart
        chart_x = (width - chart_w) / 2
        ax = fig.add_axes(frac(chart_x, margin + header, chart_w, chart_h))
        x0, y0, x1, y1 = self._extent()
        ax.set_xlim(x0 - self.pad, x1 + self.pad)
        ax.set_ylim(y1 + self.pad, y0 - self.pad)
        ax.set_axis_off()
        norm, colour_of = self._norm, self._colour_of
        self._draw_edges(ax, colour_of)
        self._draw_nodes(ax, colour_of)

        # legend strip
        legend_top = margin + header + chart_h + 16
        self._draw_legend(fig, frac, legend_top, width, norm)
        return fig

    def _colour_scale(self):
        # one heat scale for where time goes: hand-off waits (arrows) and step durations (boxes);
        # OA exports often route instantly, so all the time sits in the steps
        values = [
            _hours(d.get("median_hours")) for _u, _v, d in self.graph.edges(data=True)
        ] + [
            _hours(d.get("median_duration_hours")) for _n, d in self.graph.nodes(data=True)
            if d.get("kind", "activity") == "activity"
        ]
        values = [v for v in values if v is not None]
        if not values:
            return None, lambda v: _NO_TIME_COLOUR
        positive = [v for v in values if v > 0]
        vmax = max(values)
        if positive and vmax / min(positive) >= 20:
            vmin = max(min(positive), 1 / 60)
            norm = LogNorm(vmin=vmin, vmax=max(vmax, vmin * 1.01), clip=True)
        else:
            vmin = 0.0
            norm = Normalize(vmin=0.0, vmax=vmax if vmax > 0 else 1.0, clip=True)

        def colour_of(v):
            if v is None:
                return _NO_TIME_COLOUR
            if isinstance(norm, LogNorm):
                v = max(v, norm.vmin)
            return _CMAP(float(norm(v)))

        return norm, colour_of

    def _line_width(self, freq: int | None) -> float:
        st = self.st
        freqs = [f for f in (_number(d.get("frequency")) for *_e, d in self.graph.edges(data=True)) if f is not None]
        if freq is None or not freqs:
            return st.min_line
        lo, hi = min(freqs), max(freqs)
        if hi <= lo:
            return (st.min_line + st.max_line) / 3
        return st.min_line + (st.max_line - st.min_line) * (freq - lo) / (hi - lo)

    def _draw_edges(self, ax, colour_of) -> None:
        st = self.st
        layout = self.layout
        edges = list(self.graph.edges(data=True))
        edges.sort(key=lambda e: -(_number(e[2].get("frequency")) or 0))  # thick first, thin on top
        for u, v, data in edges:
            route = layout.routes.get((u, v))
            if not route:
                continue
            if u == v:
                kind = "loop"
            elif (u, v) in layout.back_edges:
                kind = "back"
            else:
                kind = "forward"
            line = self._edge_line(u, v)
            lw = self._line_width(_number(data.get("frequency")))
            colour, linestyle = self._edge_style(u, v, data, kind, colour_of(_hours(data.get("median_hours"))))
            head_len = 4.5 + 1.1 * lw
            head_w = 3.6 + 1.5 * lw
            trimmed, tip, (dx, dy) = _trim_end(line, head_len * 0.85)
            path = MplPath(trimmed)
            ax.add_patch(PathPatch(
                path, facecolor="none", edgecolor=colour, linewidth=lw, capstyle="butt", joinstyle="round",
                linestyle=linestyle, zorder=2,
            ))
            # arrow head: filled triangle whose tip is exactly on the border
            bx, by = tip[0] - dx * head_len, tip[1] - dy * head_len
            nx_, ny_ = -dy, dx
            head = [tip, (bx + nx_ * head_w / 2, by + ny_ * head_w / 2), (bx - nx_ * head_w / 2, by - ny_ * head_w / 2)]
            ax.add_patch(Polygon(head, closed=True, facecolor=colour, edgecolor="none", zorder=2.5))
            text = self.edge_texts.get((u, v))
            pos = layout.label_positions.get((u, v))
            if text and pos:
                ax.text(
                    pos[0], pos[1], text, ha="center", va="center", fontsize=st.edge_label_size,
                    color="#28313b", linespacing=1.25, zorder=5,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.88),
                )

    @cached_property
    def _rects(self) -> tuple[list[tuple], np.ndarray]:
        """Every box and label: their keys (("node", n) / ("label", edge)) and (l, t, r, b)."""
        keys, rects = [], []
        for node in self.graph.nodes:
            keys.append(("node", node))
            rects.append(self.layout.box(node))
        for edge, (x, y) in self.layout.label_positions.items():
            w, h = self.label_sizes[edge]
            keys.append(("label", edge))
            rects.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        return keys, np.asarray(rects, dtype=float).reshape(-1, 4)

    def _obstacles(self, u, v) -> np.ndarray:
        """Boxes (except u and v) and labels (except the edge's own) as (l, t, r, b)."""
        keys, rects = self._rects
        mask = np.array([k not in (("node", u), ("node", v), ("label", (u, v))) for k in keys])
        return rects[mask]

    def _draw_nodes(self, ax, colour_of=None) -> None:
        st = self.st
        layout = self.layout
        for node in self.graph.nodes:
            x, y = layout.positions[node]
            w, h = layout.sizes[node]
            kind = self.kinds[node]
            if kind in ("start", "end"):
                face = st.start_face if kind == "start" else st.end_face
                edge = st.start_edge if kind == "start" else st.end_edge
                ax.add_patch(Circle((x, y), w / 2, facecolor=face, edgecolor=edge,
                                    linewidth=1.4 if kind == "start" else 2.6, zorder=3))
                ax.text(x, y, self.words(kind), ha="center", va="center", fontsize=st.stats_size,
                        color="#1b2733", zorder=4)
                continue
            radius = min(7.0, h / 4)
            face, edge_colour, edge_width = st.box_face, st.box_edge, 1.1
            duration = _hours(self.graph.nodes[node].get("median_duration_hours"))
            if colour_of is not None and duration is not None and self._norm is not None:
                heat = np.array(matplotlib.colors.to_rgb(colour_of(duration)))
                face = tuple(0.22 * heat + 0.78 * np.ones(3))  # a tint keeps the text readable
                edge_colour, edge_width = tuple(heat), 2.2
            face, edge_colour, edge_width, box_style = self._node_style(node, self.graph.nodes[node], face,
                                                                         edge_colour, edge_width)
            ax.add_patch(FancyBboxPatch(
                (x - w / 2 + radius, y - h / 2 + radius), w - 2 * radius, h - 2 * radius,
                boxstyle=f"round,pad={radius},rounding_size={radius}",
                facecolor=face, edgecolor=edge_colour, linewidth=edge_width, linestyle=box_style, zorder=3,
            ))
            name, stats = self.texts[node]
            nh = self.measure(name, st.name_size)[1]
            sh = self.measure(stats, st.stats_size)[1] if stats else 0.0
            block = nh + (sh + 2.0 if stats else 0.0)
            top = y - block / 2
            ax.text(x, top + nh / 2, name, ha="center", va="center", fontsize=st.name_size,
                    color=st.name_colour, linespacing=1.25, zorder=4)
            if stats:
                ax.text(x, top + nh + 2.0 + sh / 2, stats, ha="center", va="center", fontsize=st.stats_size,
                        color=st.stats_colour, zorder=4)

    # ---- legend -------------------------------------------------------------------------
    _GAP = 24.0  # between legend blocks
    _ROW_H = 78.0

    def _legend_blocks(self) -> dict[str, tuple[float, float]]:
        """Widths and heights (points) of the legend blocks."""
        st, words, size = self.st, self.words, self.st.legend_size
        name_w, name_h = self.measure(words("legend_box_name"), st.name_size)
        stats_w, stats_h = self.measure(words("legend_box_stats"), st.stats_size)
        basis_w = self.measure(self._basis_text(), size)[0]
        box_w = max(name_w, stats_w) + 2 * st.box_pad_x
        edge_w = self.measure(self._edge_sample(), st.edge_label_size)[0]
        samples = self._width_samples()
        widths_w = 0.0
        if samples:
            widths_w = max(self.measure(words("legend_width"), size)[0],
                           40 + max(self.measure(words("times", n=f"{f:,}"), size)[0] for f in samples))
        if self.layout.back_edges:
            widths_w = max(widths_w, 40 + self.measure(words("legend_back"), size)[0])
        title = words("cbar", basis=self.basis_word) if self._norm is not None else words("no_times")
        cbar_w = max(170.0, self.measure(title, size)[0])
        return {
            "box": (max(box_w, basis_w), name_h + stats_h + 2 * st.box_pad_y + 24),
            "edge": (max(edge_w, 20.0), 66.0),
            "widths": (widths_w, 70.0),
            "cbar": (cbar_w, 48.0),
        }

    def _basis_text(self) -> str:
        """Which time the figures are: one basis, or working and calendar side by side."""
        words = self.words
        both = self.time_basis == "working" and (
            any(CALENDAR_KEYS["median_duration_hours"] in d for _n, d in self.graph.nodes(data=True))
            or any(CALENDAR_KEYS["median_hours"] in d for *_e, d in self.graph.edges(data=True)))
        text = words("legend_both") if both else words("legend_basis", basis=self.basis_word)
        if self.time_basis == "working" and self.hours_per_day:
            text += "\n" + words("legend_day", hours=self.hours_per_day)
        return text

    def _legend_geometry(self, available: float) -> tuple[float, float, dict[str, tuple[float, float]]]:
        """(width, height, block → (x, y)): the blocks in rows no wider than the page (a legend must
        not widen the figure beyond it). ``available``, the map's width, is not a limit."""
        if self.look.legend_size is not None:
            width, height = self.look.legend_size(self.measure, self.st)
            return width, height, {}
        blocks = self._legend_blocks()
        order = [k for k in ("box", "edge", "widths", "cbar") if blocks[k][0] > 0]
        limit = PAGE_WIDTH_IN * 72 - 28  # the page, whatever the map's width
        rows: list[list[str]] = [[]]
        for k in order:
            row = rows[-1]
            wide = sum(blocks[j][0] for j in row) + self._GAP * len(row) + blocks[k][0]
            if row and wide > limit:
                rows.append([k])
            else:
                row.append(k)
        pos, width, y = {}, 0.0, 10.0
        for row in rows:
            x = 0.0
            for k in row:
                pos[k] = (x, y)
                x += blocks[k][0] + self._GAP
            width = max(width, x - self._GAP)
            y += max(blocks[k][1] for k in row) + 10
        return width, y - 10.0 + 6, pos

    def _edge_sample(self) -> str:
        text = self.words("legend_edge")
        return text if self.st.edge_label_lines > 1 else text.replace("\n", " · ")

    def _width_samples(self) -> list[int]:
        freqs = sorted({f for f in (_number(d.get("frequency")) for *_e, d in self.graph.edges(data=True))
                        if f is not None})
        if not freqs:
            return []
        return sorted({freqs[0], _round_nice((freqs[0] + freqs[-1]) / 2), freqs[-1]})

    @staticmethod
    def _legend_axes(fig, frac, left: float, top: float, legend_w: float, legend_h: float):
        """The legend strip's axes in points (y down), under a thin rule."""
        lax = fig.add_axes(frac(left, top, legend_w, legend_h))
        lax.set_xlim(0, legend_w)
        lax.set_ylim(legend_h, 0)
        lax.set_axis_off()
        lax.plot([0, legend_w], [1, 1], color="#d5dbe2", linewidth=0.8)
        return lax

    def _draw_legend(self, fig, frac, top: float, width: float, norm) -> None:
        st, words, size = self.st, self.words, self.st.legend_size
        legend_w, legend_h, pos = self._legend_geometry(self._chart_w)
        if self.look.draw_legend is not None:
            self.look.draw_legend(self._legend_axes(fig, frac, (width - legend_w) / 2, top, legend_w, legend_h),
                                  self.measure, self.st)
            return
        blocks = self._legend_blocks()
        left = (width - legend_w) / 2
        lax = self._legend_axes(fig, frac, left, top, legend_w, legend_h)
        text_kw = dict(fontsize=size, color="#28313b")

        # 1) sample activity box + time basis
        bx, by = pos["box"]
        by += 4
        name_w, name_h = self.measure(words("legend_box_name"), st.name_size)
        stats_w, stats_h = self.measure(words("legend_box_stats"), st.stats_size)
        bw = max(name_w, stats_w) + 2 * st.box_pad_x
        bh = name_h + stats_h + 2 + 2 * st.box_pad_y
        r = min(7.0, bh / 4)
        lax.add_patch(FancyBboxPatch((bx + r, by + r), bw - 2 * r, bh - 2 * r,
                                     boxstyle=f"round,pad={r},rounding_size={r}",
                                     facecolor=st.box_face, edgecolor=st.box_edge, linewidth=1.1))
        cy = by + st.box_pad_y
        lax.text(bx + bw / 2, cy + name_h / 2, words("legend_box_name"), ha="center", va="center",
                 fontsize=st.name_size, color=st.name_colour)
        lax.text(bx + bw / 2, cy + name_h + 2 + stats_h / 2, words("legend_box_stats"), ha="center",
                 va="center", fontsize=st.stats_size, color=st.stats_colour)
        lax.text(bx, by + bh + 6, self._basis_text(), ha="left", va="top", fontsize=size, color="#5b6570")

        # 2) sample edge with its label
        x0, y0 = pos["edge"]
        ex = x0 + blocks["edge"][0] / 2
        lax.plot([ex, ex], [y0, y0 + 50], color="#9aa3ad", linewidth=1.6, solid_capstyle="butt")
        lax.add_patch(Polygon([(ex, y0 + 58), (ex - 3.5, y0 + 49), (ex + 3.5, y0 + 49)], closed=True,
                              facecolor="#9aa3ad", edgecolor="none"))
        lax.text(ex, y0 + 26, self._edge_sample(), ha="center", va="center", fontsize=st.edge_label_size,
                 color="#28313b", linespacing=1.25,
                 bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.88))

        # 3) line widths and back edges
        if "widths" in pos:
            x1, y1 = pos["widths"]
            samples = self._width_samples()
            yy = y1 + 2
            if samples:
                lax.text(x1, yy, words("legend_width"), ha="left", va="center", **text_kw)
                for f in samples:
                    yy += 14
                    lax.plot([x1, x1 + 34], [yy, yy], color="#9aa3ad", linewidth=self._line_width(f),
                             solid_capstyle="butt")
                    lax.text(x1 + 40, yy, words("times", n=f"{f:,}"), ha="left", va="center", **text_kw)
                yy += 16
            if self.layout.back_edges:
                lax.plot([x1, x1 + 34], [yy, yy], color="#9aa3ad", linewidth=1.6, linestyle=(0, (4.0, 2.5)))
                lax.text(x1 + 40, yy, words("legend_back"), ha="left", va="center", **text_kw)

        # 4) colour bar
        x2, y2 = pos["cbar"]
        if norm is None:
            lax.text(x2, y2 + 2, words("no_times"), ha="left", va="center", **text_kw)
            return
        lax.text(x2, y2 + 2, words("cbar", basis=self.basis_word), ha="left", va="center", **text_kw)
        cax = fig.add_axes(frac(left + x2, top + y2 + 14, blocks["cbar"][0], 9.0))
        mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=_CMAP)
        cbar = fig.colorbar(mappable, cax=cax, orientation="horizontal")
        cbar.outline.set_linewidth(0.5)
        if isinstance(norm, LogNorm):
            cbar.ax.xaxis.set_major_locator(FixedLocator(_nice_log_ticks(norm.vmin, norm.vmax)))
            cbar.ax.xaxis.set_minor_locator(FixedLocator([]))
        else:
            cbar.ax.xaxis.set_major_locator(MaxNLocator(5))
        cbar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick_label(v)))
        cbar.ax.tick_params(labelsize=size, length=3, width=0.5)


def save_figure(fig: Figure, path: str | Path, dpi: int = 200) -> Path:
    """Write ``fig`` as PNG (``dpi`` ≥ 150, default 200) or SVG, chosen by the suffix.

    Uses ``bbox_inches="tight"`` and the chart fonts (SVG text as paths, so the file shows
    Chinese on machines without the font).  The figure is left open for the caller.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"save_figure writes .png or .svg files, not {path.suffix or 'no suffix'!r}")
    if suffix == ".png" and dpi < 150:
        raise ValueError(f"dpi must be at least 150 for report-quality PNGs, got {dpi}")
    # no date in the SVG and its clip ids from a fixed salt: the same chart is the same file, run
    # after run (outputs can be compared)
    with chart_style(), matplotlib.rc_context({"svg.hashsalt": "procmine"}):
        fig.savefig(path, format=suffix[1:], dpi=dpi, bbox_inches="tight", pad_inches=0.1,
                    facecolor="white", **({"metadata": {"Date": None}} if suffix == ".svg" else {}))
    return path
