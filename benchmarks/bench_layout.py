"""Layout and drawing time for large maps (prints figures; not a test).

    python benchmarks/bench_layout.py
"""

from __future__ import annotations

import random
import time

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402

from procmine.chart.flowchart import draw_flowchart  # noqa: E402
from procmine.chart.layout import layered_layout  # noqa: E402


def random_map(nodes: int, edges: int, seed: int) -> nx.DiGraph:
    rng = random.Random(seed)
    names = [f"审批环节{i:02d}" for i in range(nodes)]
    graph = nx.DiGraph()
    graph.add_node("__start__", kind="start")
    graph.add_node("__end__", kind="end")
    for name in names:
        graph.add_node(name, kind="activity", frequency=rng.randint(1, 500), cases=1, median_duration_hours=rng.random() * 40)
    while graph.number_of_edges() < edges:
        u, v = rng.sample(names, 2)
        graph.add_edge(u, v, frequency=rng.randint(1, 300), cases=1, median_hours=rng.random() * 30, p90_hours=None)
    graph.add_edge("__start__", names[0], frequency=500, cases=500, median_hours=None, p90_hours=None)
    graph.add_edge(names[-1], "__end__", frequency=500, cases=500, median_hours=None, p90_hours=None)
    return graph


def main() -> None:
    for nodes, edges in ((10, 20), (25, 60), (40, 120), (60, 200)):
        graph = random_map(nodes, edges, 1)
        sizes = {n: (120.0, 40.0) for n in graph.nodes}
        started = time.perf_counter()
        layered_layout(graph, sizes, rank_sep=30, node_sep=16)
        layout_s = time.perf_counter() - started
        started = time.perf_counter()
        draw_flowchart(graph)
        draw_s = time.perf_counter() - started
        print(f"{nodes:3d} activities, {edges:3d} hand-offs: layout {layout_s:5.2f} s, full drawing {draw_s:5.2f} s")


if __name__ == "__main__":
    main()
