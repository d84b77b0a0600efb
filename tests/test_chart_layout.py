"""procmine.chart.layout: the layered layout, checked geometrically."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import networkx as nx
import pytest

from procmine.chart.layout import Layout, layered_layout

TOL = 1e-6


def looped_graph() -> tuple[nx.DiGraph, dict]:
    """Start, a parallel split, a rework loop, a 2-cycle, a self-loop, a long skip edge;
    boxes of very different widths."""
    g = nx.DiGraph()
    edges = [
        ("start", "提交申请", 300), ("提交申请", "部门经理审批", 310), ("部门经理审批", "法务审核", 300),
        ("部门经理审批", "财务审核及预算复核（含供应商资质）", 295), ("法务审核", "修改合同", 80),
        ("修改合同", "部门经理审批", 75), ("法务审核", "总经理审批", 210),
        ("财务审核及预算复核（含供应商资质）", "总经理审批", 280), ("总经理审批", "盖章", 290),
        ("盖章", "总经理审批", 20), ("盖章", "end", 290), ("法务审核", "法务审核", 10),
        ("提交申请", "end", 5),
    ]
    for u, v, f in edges:
        g.add_edge(u, v, frequency=f)
    sizes = {n: (40.0 + 12.0 * len(n), 36.0) for n in g}
    sizes["start"] = sizes["end"] = (30.0, 30.0)
    sizes["财务审核及预算复核（含供应商资质）"] = (320.0, 52.0)
    return g, sizes


def random_graph(n: int, m: int, seed: int) -> nx.DiGraph:
    rng = random.Random(seed)
    g = nx.DiGraph()
    g.add_nodes_from(f"n{i}" for i in range(n))
    while g.number_of_edges() < m:
        a, b = rng.randrange(n), rng.randrange(n)
        g.add_edge(f"n{a}", f"n{b}", frequency=rng.randint(1, 100))
    return g


def random_sizes(g: nx.DiGraph, seed: int) -> dict:
    rng = random.Random(seed)
    return {node: (rng.uniform(30, 240), rng.uniform(24, 60)) for node in g}


def overlap(a, b, gap: float = 0.0) -> bool:
    """Rectangles (l, t, r, b) closer than ``gap`` horizontally while overlapping vertically."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] and b[1] < a[3]


def on_border(p, box, tol: float = 1e-6) -> bool:
    l, t, r, b = box
    inside = l - tol <= p[0] <= r + tol and t - tol <= p[1] <= b + tol
    return inside and min(abs(p[0] - l), abs(p[0] - r), abs(p[1] - t), abs(p[1] - b)) <= tol


def strictly_inside(p, box, margin: float = 0.5) -> bool:
    l, t, r, b = box
    return l + margin < p[0] < r - margin and t + margin < p[1] < b - margin


def sample(route, step: float = 1.0):
    """Points along a polyline every ``step`` units."""
    out = [route[0]]
    for (x0, y0), (x1, y1) in zip(route, route[1:]):
        n = max(1, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    return out


def test_boxes_do_not_overlap_with_cycles_and_wide_nodes():
    g, sizes = looped_graph()
    layout = layered_layout(g, sizes, rank_sep=30, node_sep=20, sources=["start"])
    nodes = list(g)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            # node_sep is the promised minimum horizontal gap between boxes of a layer
            assert not overlap(layout.box(a), layout.box(b), gap=20 - 1e-6), (a, b)
    for node in nodes:  # boxes keep their sizes and lie inside the drawing
        l, t, r, b = layout.box(node)
        assert r - l == pytest.approx(sizes[node][0]) and b - t == pytest.approx(sizes[node][1])
        assert l >= -TOL and t >= -TOL and r <= layout.width + TOL and b <= layout.height + TOL


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_boxes_do_not_overlap_on_dense_random_graphs(seed):
    g = random_graph(40, 120, seed)
    sizes = random_sizes(g, seed)
    layout = layered_layout(g, sizes, rank_sep=30, node_sep=16)
    nodes = list(g)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            assert not overlap(layout.box(a), layout.box(b), gap=16 - 1e-6), (a, b)


def test_every_edge_has_a_route_from_border_to_border():
    g, sizes = looped_graph()
    layout = layered_layout(g, sizes, rank_sep=30, node_sep=20, sources=["start"])
    assert set(layout.routes) == set(g.edges)
    for (u, v), route in layout.routes.items():
        assert len(route) >= 2
        assert on_border(route[0], layout.box(u)), (u, v, route[0])
        assert on_border(route[-1], layout.box(v)), (u, v, route[-1])


def test_routes_pass_through_gaps_not_through_other_boxes():
    for g, sizes in (looped_graph(), (random_graph(40, 120, 5), random_sizes(random_graph(40, 120, 5), 5))):
        layout = layered_layout(g, sizes, rank_sep=30, node_sep=16)
        for (u, v), route in layout.routes.items():
            for node in g:
                if node in (u, v):
                    continue
                box = layout.box(node)
                assert not any(strictly_inside(p, box) for p in sample(route)), (u, v, node)
            if u != v:  # and not through their own boxes either (they start at the border)
                for node in (u, v):
                    assert not any(strictly_inside(p, layout.box(node)) for p in sample(route)), (u, v)


def test_long_edge_runs_through_dummy_positions_between_layers():
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
    sizes = {n: (60.0, 30.0) for n in g}
    layout = layered_layout(g, sizes, rank_sep=30, node_sep=20)
    assert [layout.layers[n] for n in "abcd"] == [0, 1, 2, 3]
    route = layout.routes[("a", "d")]
    ys_b, ys_c = layout.positions["b"][1], layout.positions["c"][1]
    # the long edge crosses layers 1 and 2 at the height of their boxes, beside them
    crossing_b = [p for p in route if abs(p[1] - ys_b) < TOL]
    crossing_c = [p for p in route if abs(p[1] - ys_c) < TOL]
    assert crossing_b and crossing_c
    assert not strictly_inside(crossing_b[0], layout.box("b"))
    assert not strictly_inside(crossing_c[0], layout.box("c"))


def test_two_cycle_has_one_back_edge_and_sources_on_top():
    g = nx.DiGraph([("s", "a"), ("a", "b"), ("b", "a"), ("b", "e")])
    sizes = {n: (50.0, 30.0) for n in g}
    layout = layered_layout(g, sizes, rank_sep=30, node_sep=20, sources=["s"])
    assert layout.back_edges == {("b", "a")}
    assert layout.layers["s"] == 0
    ys = {n: layout.positions[n][1] for n in g}
    assert ys["s"] < ys["a"] < ys["b"] < ys["e"]  # y grows downward
    # the back edge and the forward edge do not share a line: the back edge leaves b at its side
    forward, back = layout.routes[("a", "b")], layout.routes[("b", "a")]
    l, t, r, b = layout.box("b")
    assert abs(back[0][0] - l) < TOL or abs(back[0][0] - r) < TOL
    assert back[0] != forward[-1]


def test_sources_win_over_cycles_into_them():
    # 'start' has an incoming edge; asked for as a source it still goes to the top layer
    g = nx.DiGraph([("x", "start"), ("start", "x"), ("x", "y"), ("y", "start")])
    layout = layered_layout(g, {n: (40.0, 20.0) for n in g}, rank_sep=20, node_sep=10, sources=["start"])
    assert layout.layers["start"] == 0
    assert layout.positions["start"][1] < min(layout.positions[n][1] for n in ("x", "y"))
    assert ("x", "start") in layout.back_edges and ("y", "start") in layout.back_edges


def test_sinks_go_to_the_bottom_layer():
    g = nx.DiGraph([("s", "a"), ("a", "b"), ("b", "c"), ("a", "end"), ("c", "end")])
    layout = layered_layout(g, {n: (40.0, 20.0) for n in g}, rank_sep=20, node_sep=10,
                            sources=["s"], sinks=["end"])
    assert layout.layers["end"] == max(layout.layers.values())
    assert layout.layers["end"] > layout.layers["c"]


def test_self_loop_is_ignored_for_layering_but_gets_room_and_a_route():
    g = nx.DiGraph([("a", "b"), ("b", "b"), ("b", "c")])
    g.add_edge("a", "d")
    g.add_edge("d", "c")
    sizes = {n: (80.0, 30.0) for n in g}
    plain = layered_layout(nx.DiGraph([e for e in g.edges if e[0] != e[1]]), sizes, rank_sep=20, node_sep=20)
    layout = layered_layout(g, sizes, rank_sep=20, node_sep=20, self_loop_size=15,
                            label_sizes={("b", "b"): (40.0, 12.0)})
    assert layout.layers == plain.layers
    route = layout.routes[("b", "b")]
    box = layout.box("b")
    assert on_border(route[0], box) and on_border(route[-1], box)
    assert not any(strictly_inside(p, box) for p in route)
    # the loop and its label stay clear of the neighbouring box
    side = layout.loop_sides["b"]
    lx, ly = layout.label_positions[("b", "b")]
    label_box = (lx - 20, ly - 6, lx + 20, ly + 6)
    assert not overlap(label_box, layout.box("d"))
    assert all(not strictly_inside(p, layout.box("d"), margin=0) for p in sample(route))
    assert side in (1, -1)


def test_reserved_labels_overlap_neither_boxes_nor_each_other():
    g, sizes = looped_graph()
    labels = {e: (46.0, 22.0) for e in g.edges}
    layout = layered_layout(g, sizes, rank_sep=28, node_sep=20, sources=["start"], label_sizes=labels)
    assert set(layout.label_positions) == set(g.edges)
    rects = {}
    for e, (x, y) in layout.label_positions.items():
        w, h = labels[e]
        rects[e] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    for e, rect in rects.items():
        for node in g:
            assert not overlap(rect, layout.box(node)), (e, node)
        for f, other in rects.items():
            if f != e:
                assert not overlap(rect, other), (e, f)
    # each label sits on its own edge's route (except self-loop labels, beside the loop)
    for (u, v), (x, y) in layout.label_positions.items():
        if u != v:
            assert (x, y) in [tuple(p) for p in layout.routes[(u, v)]]


def layout_fingerprint(layout: Layout) -> str:
    return json.dumps({
        "positions": {str(k): [round(c, 6) for c in v] for k, v in layout.positions.items()},
        "routes": {str(k): [[round(c, 6) for c in p] for p in v] for k, v in layout.routes.items()},
        "back": sorted(map(str, layout.back_edges)),
        "size": [round(layout.width, 6), round(layout.height, 6)],
    }, sort_keys=True)


def test_deterministic_within_a_process():
    g = random_graph(40, 120, 9)
    sizes = random_sizes(g, 9)
    first = layout_fingerprint(layered_layout(g, sizes, rank_sep=30, node_sep=16))
    second = layout_fingerprint(layered_layout(g.copy(), dict(sizes), rank_sep=30, node_sep=16))
    assert first == second


def test_deterministic_across_hash_seeds():
    """String hashing differs between interpreter runs; the layout must not depend on it."""
    code = (
        "import json, random, networkx as nx\n"
        "from procmine.chart.layout import layered_layout\n"
        "rng = random.Random(4)\n"
        "g = nx.DiGraph()\n"
        "g.add_nodes_from(f'活动{i}' for i in range(30))\n"
        "while g.number_of_edges() < 80:\n"
        "    a, b = rng.randrange(30), rng.randrange(30)\n"
        "    g.add_edge(f'活动{a}', f'活动{b}', frequency=rng.randint(1, 50))\n"
        "L = layered_layout(g, {n: (60 + 3 * int(n[2:]), 30) for n in g}, rank_sep=30, node_sep=16,\n"
        "                   label_sizes={e: (40, 20) for e in g.edges})\n"
        "print(json.dumps([sorted((k, [round(c, 6) for c in v]) for k, v in L.positions.items()),\n"
        "                  sorted((str(k), [[round(c, 6) for c in p] for p in v]) for k, v in L.routes.items())]))\n"
    )
    outputs = set()
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_empty_and_single_node_graphs():
    assert layered_layout(nx.DiGraph(), {}, rank_sep=10, node_sep=10).positions == {}
    g = nx.DiGraph()
    g.add_node("only")
    layout = layered_layout(g, {"only": (50.0, 20.0)}, rank_sep=10, node_sep=10)
    assert layout.positions["only"] == (25.0, 10.0)
    assert (layout.width, layout.height) == (50.0, 20.0)


def test_missing_size_is_an_error():
    g = nx.DiGraph([("a", "b")])
    with pytest.raises(ValueError, match="sizes"):
        layered_layout(g, {"a": (10.0, 10.0)}, rank_sep=10, node_sep=10)
