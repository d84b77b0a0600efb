"""The difference map: the union of two periods' process maps, coloured by what changed.

Laid out as the current flowchart lays out a map (:func:`procmine.chart.flowchart.flowchart_geometry`),
then drawn with its own colours: steps faster (green) or slower (red) beyond noise, new steps and
paths (blue, 新增), removed ones (grey, dashed, 已删除). Each box says its median before → after.

    >>> draw_difference_map(compare_periods(log, split="2025-07-01")).savefig("diff.png")  # doctest: +SKIP
"""

from __future__ import annotations

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from procmine.chart.flowchart import flowchart_geometry
from procmine.chart.fonts import chart_style
from procmine.text import Text, phrases

COLOURS = {  # (face, edge)
    "faster": ("#dff3e4", "#2e8b57"),
    "slower": ("#fbe3df", "#c0392b"),
    "new": ("#e1ecfb", "#1f5fbf"),
    "removed": ("#f0f0f0", "#9a9a9a"),
    "same": ("#eef3fa", "#4a6fa5"),
}
LINE = {"new": "#1f5fbf", "removed": "#9a9a9a", "kept": "#5b6770"}
PHRASES = phrases("difference_map", {
    "faster": ("变快", "faster"),
    "slower": ("变慢", "slower"),
    "new": ("新增", "new"),
    "removed": ("已删除", "removed"),
    "same": ("无显著变化", "no real change"),
    "title": ("前后对比流程图：{before} → {after}", "Difference map: {before} → {after}"),
    "start": ("开始", "start"),
    "end": ("结束", "end"),
    "path_new": ("新增路径", "new path"),
    "path_removed": ("消失的路径", "path gone"),
    "note": ("方框内：环节中位耗时 前 → 后（{unit}）；颜色表示超出随机波动的变化（95% 置信区间不含 0）",
             "in the boxes: median time at the step, before → after ({unit}); colour = a change beyond noise "
             "(95 % interval excludes 0)"),
})
NAME_PT, STATS_PT = 9.0, 8.0


def draw_difference_map(diff, lang: str = "zh") -> Figure:
    """Draw a :class:`~procmine.compare.periods.PeriodComparison` as one map (see the module docstring)."""
    words = PHRASES.text(lang)
    before_map, after_map = diff._maps
    graph = nx.compose(before_map.graph, after_map.graph)  # the union; numbers come from the comparison
    geometry = flowchart_geometry(graph, lang=lang)
    steps = {r["activity"]: r for r in diff.activities.iter_rows(named=True)}
    paths = {(r["source"], r["target"]): r["change"] for r in diff.paths.iter_rows(named=True)}
    unit = words.hours_unit(diff.basis)
    x0, y0, x1, y1 = geometry["extent"]
    header, footer = 46.0, 40.0
    width_pt, height_pt = max(x1 - x0, 360.0) + 24, (y1 - y0) + header + footer
    with chart_style():
        fig = Figure(figsize=(width_pt / 72, height_pt / 72))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(x0 - 12, x0 - 12 + width_pt)
        ax.set_ylim(y0 - header + height_pt, y0 - header)
        ax.set_axis_off()
        for edge in geometry["edges"]:
            change = paths.get((edge["source"], edge["target"]), "kept")
            xs, ys = zip(*edge["points"])
            style = "--" if change == "removed" else "-"
            ax.plot(xs, ys, color=LINE[change], linewidth=1.6 if change == "new" else 1.0, linestyle=style,
                    zorder=1, solid_capstyle="round")
            ax.annotate("", xy=edge["points"][-1], xytext=edge["points"][-2], zorder=2,
                        arrowprops={"arrowstyle": "-|>", "color": LINE[change], "lw": 1.0, "shrinkA": 0,
                                    "shrinkB": 0, "mutation_scale": 9})
        for node in geometry["nodes"]:
            x, y, w, h = node["x"], node["y"], float(node["w"]), float(node["h"])
            if node["kind"] in ("start", "end"):
                face, edge = ("#e3f1e6", "#3c8d50") if node["kind"] == "start" else ("#f6e3e1", "#a8443a")
                ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={h / 2}",
                                            facecolor=face, edgecolor=edge, linewidth=1.0, zorder=3))
                ax.text(x, y, words(node["kind"]), ha="center", va="center", fontsize=STATS_PT, zorder=4)
                continue
            row = steps.get(node["id"], {})
            change = row.get("change", "same")
            face, edge = COLOURS[change]
            ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=4",
                                        facecolor=face, edgecolor=edge, linewidth=1.4 if change != "same" else 0.9,
                                        linestyle="--" if change == "removed" else "-", zorder=3))
            ax.text(x, y - h * 0.12, node["name"], ha="center", va="center", fontsize=NAME_PT, zorder=4,
                    color="#1b2733" if change != "removed" else "#7a7a7a")
            ax.text(x, y + h * 0.32, _stats(row, change, words), ha="center", va="center", fontsize=STATS_PT,
                    color=edge, zorder=4)
        before, after = diff.labels(lang)
        ax.text(x0, y0 - header + 16, words("title", before=before, after=after), fontsize=12, va="center")
        ax.text(x0, y0 - header + 34, words("note", unit=unit), fontsize=STATS_PT, va="center", color="#4f5d6b")
        handles = [Patch(facecolor=COLOURS[k][0], edgecolor=COLOURS[k][1], label=words(k))
                   for k in ("faster", "slower", "new", "removed", "same")]
        handles += [Line2D([], [], color=LINE["new"], lw=1.6, label=words("path_new")),
                    Line2D([], [], color=LINE["removed"], lw=1.0, ls="--", label=words("path_removed"))]
        fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=STATS_PT, frameon=False,
                   bbox_to_anchor=(0.5, 0.0))
    return fig


def _stats(row: dict, change: str, words: Text) -> str:
    if change == "new":
        return f"{words('new')} · {_h(row.get('median_work_hours_after'))}"
    if change == "removed":
        return f"{words('removed')} · {_h(row.get('median_work_hours_before'))}"
    return f"{_h(row.get('median_work_hours_before'))} → {_h(row.get('median_work_hours_after'))}"


def _h(value) -> str:
    return "–" if value is None else f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}"


__all__ = ["draw_difference_map"]
