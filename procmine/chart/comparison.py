"""The comparison chart (现状与设计流程对比图): the design's flow, drawn with the log's cases.

* designed hand-offs the cases used: grey-blue arrows labelled with their number of cases;
* hand-offs outside the design: red arrows, labelled the same way;
* designed hand-offs no case used: dashed grey arrows;
* boxes: designed steps (blue), activities outside the design (red), designed steps that
  never happened (dashed).

    >>> fig = draw_comparison(result)      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon

from procmine.chart.flowchart import END, START, FlowchartLook, FlowchartStyle, draw_flowchart_variant
from procmine.text import phrases

if TYPE_CHECKING:
    from procmine.compare.comparison import Comparison

#: Hand-offs outside the design drawn at most (the most frequent); the rest are counted in the note.
MAX_EXTRA_DRAWN = 15
OK_COLOUR, EXTRA_COLOUR, UNUSED_COLOUR = "#5b7fb0", "#d1495b", "#a3abb5"
EXTRA_FACE, MISSING_FACE = "#fbe3e6", "#ffffff"

PHRASES = phrases("comparison_chart", {
    "cases": ("{n} 例", "{n} cases"),
    "unused": ("未使用", "unused"),
    "title": ("{process}：现状与设计流程对比", "{process}: current process vs. design"),
    "note": ("{cases} 个已完成案例；拟合度 {fitness}；完全符合设计 {conforming} 例",
             "{cases} completed cases; fitness {fitness}; {conforming} follow the design completely"),
    "more": ("；另有 {n} 条设计外交接未画出（见报告表格）", "; {n} more hand-offs outside the design not drawn (see the tables)"),
    # the legend: three kinds of arrow, then three kinds of box
    "legend_0": ("设计内交接（案例数）", "designed hand-off (cases)"),
    "legend_1": ("设计外交接（案例数）", "hand-off outside the design (cases)"),
    "legend_2": ("设计中从未使用的交接", "designed hand-off never used"),
    "legend_3": ("设计步骤（次数为案例数）", "designed step (cases)"),
    "legend_4": ("设计外活动", "activity outside the design"),
    "legend_5": ("设计步骤，但从未发生", "designed step that never happened"),
})


def comparison_graph(result: "Comparison") -> tuple[nx.DiGraph, int]:
    """The graph to draw, and how many extra hand-offs were left out of it."""
    design = result.design
    graph = nx.DiGraph()
    graph.add_node(START, kind="start")
    graph.add_node(END, kind="end")
    for step in design.step_names:
        n = result.activity_cases.get(step, 0)
        graph.add_node(step, kind="activity", cases=n, status="designed" if n else "missing")
    for item in result.used_handoffs:
        graph.add_edge(item["source"], item["target"], cases=item["cases"], frequency=item["cases"], status="ok")
    for item in result.unused_handoffs:
        graph.add_edge(item["source"], item["target"], cases=0, frequency=0, status="unused")
    extras = [(d["source"], d["target"], d["cases"]) for d in result.extra_handoffs]
    extras += [(START, d["activity"], d["cases"]) for d in result.unexpected_starts]
    extras += [(d["activity"], END, d["cases"]) for d in result.unexpected_ends]
    extras.sort(key=lambda e: -e[2])
    for source, target, cases in extras[:MAX_EXTRA_DRAWN]:
        for node in (source, target):
            if node not in graph:
                graph.add_node(node, kind="activity", cases=result.activity_cases.get(node, 0), status="unplanned")
        graph.add_edge(source, target, cases=cases, frequency=cases, status="extra")
    return graph, max(0, len(extras) - MAX_EXTRA_DRAWN)


def comparison_look(lang: str = "zh") -> FlowchartLook:
    """The flowchart worded and coloured for a comparison: case counts on boxes and arrows, arrows
    and boxes by their place in the design, no time colouring, a legend of those kinds."""
    words = PHRASES.text(lang)

    def cases(data: dict) -> str:
        return words("cases", n=f"{data.get('cases', 0):,}")

    def edge_label(u, v, data: dict) -> str:
        return words("unused") if data.get("status") == "unused" else cases(data)

    def edge_style(u, v, data, kind, colour):
        status = data.get("status")
        if status == "extra":
            return EXTRA_COLOUR, "solid" if kind != "back" else (0, (4.0, 2.5))
        if status == "unused":
            return UNUSED_COLOUR, (0, (2.0, 2.0))
        return OK_COLOUR, "solid"

    def box_style(node, data, face, edge_colour, edge_width):
        status = data.get("status")
        if status == "unplanned":
            return EXTRA_FACE, EXTRA_COLOUR, 1.6, "solid"
        if status == "missing":
            return MISSING_FACE, UNUSED_COLOUR, 1.2, (0, (3.0, 2.0))
        return face, edge_colour, edge_width, "solid"

    legend_words = [words(f"legend_{i}") for i in range(6)]

    def legend_column(measure, st) -> float:
        return 46 + max(measure(t, st.legend_size)[0] for t in legend_words)

    def legend_size(measure, st) -> tuple[float, float]:
        return 2 * legend_column(measure, st) + 24, 3 * 18 + 12

    def draw_legend(lax, measure, st) -> None:
        text_kw = dict(fontsize=st.legend_size, color="#28313b", ha="left", va="center")
        for i, (colour, style) in enumerate(((OK_COLOUR, "solid"), (EXTRA_COLOUR, "solid"),
                                             (UNUSED_COLOUR, (0, (2.0, 2.0))))):
            y = 14 + 18 * i
            lax.plot([0, 30], [y, y], color=colour, linewidth=1.8, linestyle=style)
            lax.add_patch(Polygon([(36, y), (29, y - 3.5), (29, y + 3.5)], closed=True, facecolor=colour,
                                  edgecolor="none"))
            lax.text(42, y, legend_words[i], **text_kw)
        x0 = legend_column(measure, st) + 24
        for i, (face, edge, style) in enumerate(((st.box_face, st.box_edge, "solid"),
                                                 (EXTRA_FACE, EXTRA_COLOUR, "solid"),
                                                 (MISSING_FACE, UNUSED_COLOUR, (0, (3.0, 2.0))))):
            y = 14 + 18 * i
            lax.add_patch(FancyBboxPatch((x0 + 3, y - 5), 28, 10, boxstyle="round,pad=2,rounding_size=3",
                                         facecolor=face, edgecolor=edge, linewidth=1.2, linestyle=style))
            lax.text(x0 + 42, y, legend_words[3 + i], **text_kw)

    return FlowchartLook(box_stats=lambda node, data: cases(data), edge_label=edge_label, edge_style=edge_style,
                         box_style=box_style, heat=False, legend_size=legend_size, draw_legend=draw_legend)


def draw_comparison(result: "Comparison", lang: str = "zh", style: FlowchartStyle | None = None) -> Figure:
    """Draw the comparison chart of a :class:`~procmine.compare.Comparison`."""
    words = PHRASES.text(lang)
    graph, left_out = comparison_graph(result)
    fitness = "—" if result.fitness is None else f"{result.fitness:.3f}"
    note = words("note", cases=f"{result.cases:,}", fitness=fitness, conforming=f"{result.conforming_cases:,}")
    if left_out:
        note += words("more", n=left_out)
    return draw_flowchart_variant(graph, comparison_look(lang), title=words("title", process=result.process),
                                  note=note, lang=lang, time_basis="working", style=style)
