"""Layered (Sugiyama-style) top-to-bottom layout for directed graphs with cycles.

Used for the current flowchart and for positioning BPMN elements.

Coordinates: x grows to the right, **y grows downward** (layer 0 at the top, y = 0 at the
top edge of the drawing); all lengths are in the caller's unit (the flowchart uses
points, 1/72 inch).  Positions are box centres.  The drawing occupies
``[0, width] × [0, height]``.

Why not ``igraph.Graph.layout_sugiyama``: in python-igraph 1.0 it places every vertex
``hgap`` apart regardless of its width (our boxes have very different widths), it no
longer offers ``return_extended_graph``, it cannot be told to keep the start node on
top, and it has no notion of label ranks or side-routed back edges.  The phases are
therefore implemented here in plain Python (networkx is only used to read the graph), one
function per phase, called in turn by :func:`layered_layout`:

1. cycle breaking (``_orient_edges``): DFS from ``sources`` (heaviest successor first);
   edges into a node on the DFS stack are reversed (``back_edges``), as are edges into
   ``sources``;
2. layering (``_assign_layers``): longest path, then a "promotion" pass that shortens edges
   (weighted), with ``sources`` pinned to the top layer and ``sinks`` to the bottom one;
3. dummies (``_add_dummies``): long edges are split by dummy vertices; with ``label_sizes``
   every layer gap gets a label rank, and each labelled edge gets a label dummy of the
   label's size there (as Graphviz dot does), so labels are part of the layout and cannot
   collide; back edges get "side" dummies beside both end boxes, so they leave and enter a
   box at its side and run up in their own channel; self-loops get a slot beside the box;
4. crossing minimisation (``_order_ranks``, then ``_choose_loop_sides``): layer-by-layer
   barycenter sweeps with adjacent transpositions, from the DFS order and its mirror image,
   plus a pass that tries moving each loop channel to the far left / right; the ordering
   with fewest crossings is kept;
5. coordinates (``_place``): x minimises Σ w·(x_a − x_b)² over the layered edges subject to
   the in-layer order and the per-box widths + ``node_sep`` (block coordinate descent, each
   layer solved exactly by weighted isotonic regression / pool-adjacent-violators), then a
   few reweighted rounds towards Σ w·|x_a − x_b| so most edges come out exactly vertical;
   small remaining jogs along long edges are removed; y rank by rank;
6. routes (``_route_edges``, ``_route_self_loops``): polylines from a port on u's border
   through the dummy positions to a port on v's border.  Forward edges leave at the bottom
   and enter at the top (ports spread along the side); back edges leave and enter at the
   left or right side.  A route crosses every layer *vertically* over the whole height of
   that layer's band (its tallest box or label) and moves sideways only in the gaps between
   bands, so no route passes through a box or a reserved label.

Everything is deterministic: iteration is in node insertion / edge order with explicit
tie-breaks, never over unordered sets of node ids, and the effort spent on very large
graphs is scaled down by their size (not by a clock).  About 0.4 s for 60 nodes / 200
edges in CPython on a laptop.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

__all__ = ["Layout", "layered_layout"]

Point = tuple[float, float]
Edge = tuple[Hashable, Hashable]

# item kinds
_REAL, _DUMMY, _LABEL, _SIDE, _LOOP = 0, 1, 2, 3, 4


@dataclass
class Layout:
    """Result of :func:`layered_layout`.

    ``positions`` are box centres, y grows downward.  ``routes[(u, v)]`` is a polyline
    from the border of u to the border of v, for every edge of the graph; its segments
    are vertical (inside a layer's band, through the edge's dummy positions) or run
    through the gap between two layers.  Self-loops: four points, out of the box side,
    round and back in.  Back edges (reversed to break cycles, i.e. drawn upward) are in
    ``back_edges``; their routes start at the *side* of u — the first two points form a
    horizontal stub, and so do the last two.  ``label_positions`` holds the centre of
    every label reserved via ``label_sizes`` (on the edge's route; beside the loop for
    self-loops).  ``layers`` are the layer indices (0 = top), ``loop_sides[u]`` is +1
    (right) or -1 (left): the side where u's self-loop was given room.
    """

    positions: dict[Hashable, Point]
    routes: dict[Edge, list[Point]]
    back_edges: set[Edge]
    width: float
    height: float
    sizes: dict[Hashable, tuple[float, float]] = field(default_factory=dict)
    layers: dict[Hashable, int] = field(default_factory=dict)
    label_positions: dict[Edge, Point] = field(default_factory=dict)
    loop_sides: dict[Hashable, int] = field(default_factory=dict)

    def box(self, node: Hashable) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of a node's box."""
        x, y = self.positions[node]
        w, h = self.sizes[node]
        return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


class _Items:
    """The layered graph: real nodes plus dummies, as parallel lists indexed by item id."""

    def __init__(self) -> None:
        self.kind: list[int] = []
        self.rank: list[int] = []
        self.w: list[float] = []
        self.h: list[float] = []
        self.owner: list[int] = []  # for side / loop dummies: the real item they sit beside
        self.key: list[object] = []  # node id for real items, edge for dummies
        self.up: list[list[tuple[int, float]]] = []  # (neighbour in rank-1, weight)
        self.down: list[list[tuple[int, float]]] = []  # (neighbour in rank+1, weight)

    def add(self, kind: int, rank: int, w: float, h: float, key: object, owner: int = -1) -> int:
        self.kind.append(kind)
        self.rank.append(rank)
        self.w.append(float(w))
        self.h.append(float(h))
        self.owner.append(owner)
        self.key.append(key)
        self.up.append([])
        self.down.append([])
        return len(self.kind) - 1

    def link(self, upper: int, lower: int, weight: float) -> None:
        self.down[upper].append((lower, weight))
        self.up[lower].append((upper, weight))


def _edge_weight(data: Mapping, weight: str | None) -> float:
    if weight is None:
        return 1.0
    value = data.get(weight, 1.0)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 1.0
    if not math.isfinite(value) or value <= 0:
        return 1.0
    return value


# ----------------------------------------------------------------------------------------
# 1. cycle breaking
# ----------------------------------------------------------------------------------------
def _break_cycles(
    n: int, succ: list[list[tuple[int, float]]], sources: list[int]
) -> tuple[set[tuple[int, int]], list[int]]:
    """Reversed edges (as (u, v) index pairs in original direction) and DFS preorder."""
    source_set = set(sources)
    reversed_edges: set[tuple[int, int]] = set()
    for u in range(n):
        for v, _ in succ[u]:
            if v in source_set and u not in source_set:
                reversed_edges.add((u, v))
    indeg = [0] * n
    for u in range(n):
        for v, _ in succ[u]:
            if (u, v) not in reversed_edges:
                indeg[v] += 1
    ordered_succ = [
        [v for v, _w in sorted(succ[u], key=lambda item: (-item[1], item[0])) if (u, v) not in reversed_edges]
        for u in range(n)
    ]
    roots = list(sources) + [u for u in range(n) if indeg[u] == 0 and u not in source_set]
    roots += list(range(n))
    state = [0] * n  # 0 new, 1 on stack, 2 done
    preorder: list[int] = []
    for root in roots:
        if state[root]:
            continue
        state[root] = 1
        preorder.append(root)
        stack = [(root, iter(ordered_succ[root]))]
        while stack:
            u, it = stack[-1]
            advanced = False
            for v in it:
                if state[v] == 1:
                    reversed_edges.add((u, v))
                elif state[v] == 0:
                    state[v] = 1
                    preorder.append(v)
                    stack.append((v, iter(ordered_succ[v])))
                    advanced = True
                    break
            if not advanced:
                state[u] = 2
                stack.pop()
    return reversed_edges, preorder


# ----------------------------------------------------------------------------------------
# 2. layering
# ----------------------------------------------------------------------------------------
def _assign_layers(
    n: int,
    dag: list[tuple[int, int, float]],
    sources: list[int],
    sinks: list[int],
    preorder: list[int],
) -> list[int]:
    preds: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for a, b, w in dag:
        succs[a].append((b, w))
        preds[b].append((a, w))
    # Kahn's algorithm in preorder priority (deterministic).
    rank_of = {u: i for i, u in enumerate(preorder)}
    indeg = [len(preds[u]) for u in range(n)]
    ready = sorted((u for u in range(n) if indeg[u] == 0), key=rank_of.__getitem__)
    topo: list[int] = []
    heap = [(rank_of[u], u) for u in ready]
    heapq.heapify(heap)
    while heap:
        _, u = heapq.heappop(heap)
        topo.append(u)
        for v, _ in succs[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                heapq.heappush(heap, (rank_of[v], v))
    layer = [0] * n
    for u in topo:
        for v, _ in succs[u]:
            layer[v] = max(layer[v], layer[u] + 1)

    pinned_top = set(sources)
    # only sinks without outgoing layering edges can be pinned below everything else
    pinned_bottom = {s for s in sinks if not succs[s]} - pinned_top
    # Promotion: move each free node within its feasible range to reduce Σ w·length.
    for _round in range(30):
        changed = False
        for u in topo:
            if u in pinned_top or u in pinned_bottom:
                continue
            lo = max((layer[p] + 1 for p, _ in preds[u]), default=0)
            hi = min((layer[s] - 1 for s, _ in succs[u]), default=None)
            slope = sum(w for _, w in preds[u]) - sum(w for _, w in succs[u])
            target = layer[u]
            if slope > 0:
                target = lo
            elif slope < 0 and hi is not None:
                target = hi
            if target != layer[u] and (hi is None or lo <= target <= hi):
                layer[u] = target
                changed = True
        if not changed:
            break
    if pinned_bottom:
        others = [layer[u] for u in range(n) if u not in pinned_bottom]
        bottom = max(others) + 1 if others else 0
        for s in pinned_bottom:
            layer[s] = bottom
    # Normalise so that the top layer is 0 and sources sit there.
    low = min(layer) if layer else 0
    layer = [value - low for value in layer]
    return layer


# ----------------------------------------------------------------------------------------
# 4. crossing minimisation
# ----------------------------------------------------------------------------------------
def _count_inversions(pairs: list[tuple[int, int]], size: int) -> int:
    """Crossings between two ranks: pairs are (upper position, lower position)."""
    if len(pairs) < 2:
        return 0
    pairs.sort()
    tree = [0] * (size + 1)
    crossings = 0
    seen = 0
    for _upper, lower in pairs:
        # count already-seen lower positions strictly greater than this one
        i = lower + 1
        le = 0
        while i > 0:
            le += tree[i]
            i -= i & (-i)
        crossings += seen - le
        seen += 1
        i = lower + 1
        while i <= size:
            tree[i] += 1
            i += i & (-i)
    return crossings


class _Ordering:
    def __init__(self, items: _Items, n_ranks: int, attached: dict[int, list[int]]) -> None:
        self.items = items
        self.n_ranks = n_ranks
        self.attached = attached  # owner -> side/loop dummies (ordered inner → outer)
        self.side: dict[int, int] = {}  # side dummy -> +1 right / -1 left
        for dummies in attached.values():
            for d in dummies:
                self.side[d] = 1
        self.free: list[list[int]] = [[] for _ in range(n_ranks)]
        self.pos: list[int] = [0] * len(items.kind)
        self.expanded: list[list[int]] = [[] for _ in range(n_ranks)]
        self._block_nbs: dict[int, tuple[list[int], list[int]]] = {}

    def expand(self, r: int) -> None:
        seq: list[int] = []
        for item in self.free[r]:
            extra = self.attached.get(item)
            if extra:
                left = [d for d in extra if self.side[d] < 0]
                right = [d for d in extra if self.side[d] > 0]
                seq.extend(reversed(left))
                seq.append(item)
                seq.extend(right)
            else:
                seq.append(item)
        self.expanded[r] = seq
        for i, item in enumerate(seq):
            self.pos[item] = i

    def expand_all(self) -> None:
        for r in range(self.n_ranks):
            self.expand(r)

    def block_neighbours(self, item: int, downward: bool) -> list[int]:
        """Neighbours in the fixed rank (above when sweeping down) of a block."""
        it = self.items
        members = [item] + self.attached.get(item, [])
        out: list[int] = []
        for m in members:
            for nb, _w in (it.up[m] if downward else it.down[m]):
                out.append(nb)
        return out

    def reorder(self, r: int, downward: bool) -> None:
        current = self.free[r]
        bary: list[float | None] = []
        for item in current:
            nbs = self.block_neighbours(item, downward)
            if nbs:
                bary.append(sum(self.pos[nb] for nb in nbs) / len(nbs))
            else:
                bary.append(None)
        movable = [(b, i, item) for i, (b, item) in enumerate(zip(bary, current)) if b is not None]
        movable.sort(key=lambda t: (t[0], t[1]))
        result: list[int] = []
        it_m = iter(movable)
        for b, item in zip(bary, current):
            if b is None:
                result.append(item)
            else:
                result.append(next(it_m)[2])
        self.free[r] = result
        self.expand(r)

    def choose_sides(self) -> None:
        """Put each back-edge side dummy on the side of its owner its chain heads to.

        Positions are compared as fractions of their rank's length.  On each side the
        dummies are ordered inner → outer so that their chains do not cross each other.
        """
        it = self.items
        changed_ranks = set()
        for owner, dummies in self.attached.items():
            r_owner = it.rank[owner]
            own_n = (self.pos[owner] + 0.5) / max(1, len(self.expanded[r_owner]))
            heading: dict[int, float] = {}
            for d in dummies:
                if it.kind[d] != _SIDE:
                    continue
                nbs = it.up[d] + it.down[d]
                if not nbs:
                    continue
                nb = nbs[0][0]
                nb_n = (self.pos[nb] + 0.5) / max(1, len(self.expanded[it.rank[nb]]))
                heading[d] = nb_n
                side = 1 if nb_n >= own_n - 1e-9 else -1
                if side != self.side[d]:
                    self.side[d] = side
                    changed_ranks.add(r_owner)
            loops = [d for d in dummies if it.kind[d] == _LOOP]
            sides = [d for d in dummies if it.kind[d] != _LOOP]
            # inner → outer: on the right ascending heading, on the left descending
            sides.sort(key=lambda d: (self.side[d], heading.get(d, 0.0) * self.side[d], d))
            new_order = loops + sides
            if new_order != dummies:
                self.attached[owner] = new_order
                changed_ranks.add(r_owner)
        for r in sorted(changed_ranks):
            self.expand(r)

    def _block_positions(self, item: int) -> tuple[list[int], list[int]]:
        nbs = self._block_nbs.get(item)
        if nbs is None:
            it = self.items
            members = [item] + self.attached.get(item, [])
            nbs = ([nb for m in members for nb, _w in it.up[m]], [nb for m in members for nb, _w in it.down[m]])
            self._block_nbs[item] = nbs
        pos = self.pos
        ups = sorted([pos[j] for j in nbs[0]]) if nbs[0] else []
        downs = sorted([pos[j] for j in nbs[1]]) if nbs[1] else []
        return ups, downs

    @staticmethod
    def _pair_crossings(left: list[int], right: list[int]) -> int:
        """Pairs (a in left, b in right) with a > b; both lists sorted."""
        if not left or not right:
            return 0
        total = 0
        j = 0
        for a in left:
            while j < len(right) and right[j] < a:
                j += 1
            total += j
        return total

    def transpose(self, ranks: Iterable[int] | None = None, max_passes: int = 4) -> None:
        """Greedy adjacent swaps of blocks while that reduces crossings."""
        ranks = list(range(self.n_ranks)) if ranks is None else sorted(set(ranks))
        for _ in range(max_passes):
            improved = False
            for r in ranks:
                free = self.free[r]
                if len(free) < 2:
                    continue
                # neighbour positions live in the adjacent ranks: unaffected by swaps in r
                blocks = {item: self._block_positions(item) for item in free}
                i = 0
                swapped = False
                while i < len(free) - 1:
                    a, b = free[i], free[i + 1]
                    ua, da = blocks[a]
                    ub, db = blocks[b]
                    keep = self._pair_crossings(ua, ub) + self._pair_crossings(da, db)
                    swap = self._pair_crossings(ub, ua) + self._pair_crossings(db, da)
                    if swap < keep:
                        free[i], free[i + 1] = b, a
                        swapped = True
                    i += 1
                if swapped:
                    self.expand(r)
                    improved = True
            if not improved:
                break

    def outside_chains(self, chains: list[list[int]], limit: int = 40) -> None:
        """Try routing each back-edge channel along the far left / far right instead.

        Barycenter sweeps cannot move a whole chain of dummies across several ranks at
        once; for loops this is often what removes the last crossings.  Moves are judged
        by the crossings of the rank pairs they touch (the others cannot change).
        """
        it = self.items
        for chain in chains[:limit]:
            ranks = sorted({it.rank[d] for d in chain})
            touched = [r for r in range(ranks[0] - 1, ranks[-1] + 2) if 0 <= r < self.n_ranks]
            pair_ranks = [r for r in range(touched[0] - 1, touched[-1] + 1) if 0 <= r < self.n_ranks - 1]
            best = sum(self.pair_crossings(r) for r in pair_ranks)
            if best == 0:
                continue
            for side in (-1, 1):
                saved_free = {r: list(self.free[r]) for r in touched}
                saved_side = {d: self.side[d] for d in chain if d in self.side}
                for d in chain:
                    if it.kind[d] == _SIDE:
                        self.side[d] = side
                    else:
                        free = self.free[it.rank[d]]
                        free.remove(d)
                        if side < 0:
                            free.insert(0, d)
                        else:
                            free.append(d)
                for r in ranks:
                    self.expand(r)
                self.transpose(touched, max_passes=2)
                c = sum(self.pair_crossings(r) for r in pair_ranks)
                if c < best:
                    best = c
                else:
                    for r, free in saved_free.items():
                        self.free[r] = free
                    self.side.update(saved_side)
                    for r in touched:
                        self.expand(r)

    def pair_crossings(self, r: int) -> int:
        it = self.items
        pairs = [(self.pos[a], self.pos[b]) for a in self.expanded[r] for b, _w in it.down[a]]
        return _count_inversions(pairs, len(self.expanded[r + 1]))

    def crossings(self) -> int:
        it = self.items
        total = 0
        for r in range(self.n_ranks - 1):
            pairs = [(self.pos[a], self.pos[b]) for a in self.expanded[r] for b, _w in it.down[a]]
            total += _count_inversions(pairs, len(self.expanded[r + 1]))
        return total

    def snapshot(self) -> tuple[list[list[int]], dict[int, int]]:
        return [list(f) for f in self.free], dict(self.side)

    def restore(self, snap: tuple[list[list[int]], dict[int, int]]) -> None:
        free, side = snap
        self.free = [list(f) for f in free]
        self.side = dict(side)
        self.expand_all()

    def minimise(self, max_iter: int = 24, patience: int = 6) -> None:
        self.expand_all()
        self.transpose()
        best = self.crossings()
        best_snap = self.snapshot()
        stale = 0
        for iteration in range(max_iter):
            if best == 0:
                break
            downward = iteration % 2 == 0
            ranks = range(1, self.n_ranks) if downward else range(self.n_ranks - 2, -1, -1)
            for r in ranks:
                self.reorder(r, downward)
            self.choose_sides()
            self.transpose()
            c = self.crossings()
            if c < best:
                best, best_snap, stale = c, self.snapshot(), 0
            else:
                stale += 1
                if stale >= patience:
                    break
        self.restore(best_snap)


# ----------------------------------------------------------------------------------------
# 5. x coordinates
# ----------------------------------------------------------------------------------------
def _pava(targets: list[float], weights: list[float]) -> list[float]:
    """Weighted isotonic (non-decreasing) regression."""
    means: list[float] = []
    wsum: list[float] = []
    counts: list[int] = []
    for t, w in zip(targets, weights):
        means.append(t)
        wsum.append(w)
        counts.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            m2, w2, c2 = means.pop(), wsum.pop(), counts.pop()
            m1, w1, c1 = means[-1], wsum[-1], counts[-1]
            total = w1 + w2
            means[-1] = (m1 * w1 + m2 * w2) / total
            wsum[-1] = total
            counts[-1] = c1 + c2
    out: list[float] = []
    for m, c in zip(means, counts):
        out.extend([m] * c)
    return out


def _assign_x(
    items: _Items,
    expanded: list[list[int]],
    node_sep: float,
    attach_links: list[tuple[int, int, float]],
    iterations: int = 40,
    irls_rounds: int = 3,
) -> tuple[list[float], list[list[float]]]:
    kind, w = items.kind, items.w
    clearance = {_REAL: node_sep / 2, _DUMMY: node_sep / 4, _LABEL: node_sep / 4, _SIDE: node_sep / 4, _LOOP: 0.0}
    loop_owner = {i: items.owner[i] for i, k in enumerate(kind) if k == _LOOP}

    gaps: list[list[float]] = []
    x = [0.0] * len(kind)
    packed = [0.0] * len(kind)  # position in the tightly packed rank (for attachments)
    for seq in expanded:
        g: list[float] = []
        for a, b in zip(seq, seq[1:]):
            base = (w[a] + w[b]) / 2
            if loop_owner.get(b) == a or loop_owner.get(a) == b:
                g.append(base + 2.0)
            else:
                g.append(base + clearance[kind[a]] + clearance[kind[b]])
        gaps.append(g)
        offsets = [0.0]
        for value in g:
            offsets.append(offsets[-1] + value)
        mid = offsets[-1] / 2
        for item, off in zip(seq, offsets):
            x[item] = off - mid
            packed[item] = off

    # neighbours as (item, weight, offset): item i wants x[i] == x[j] + offset.  Side and
    # loop dummies are tied to their owner at their packed distance, so they hug the box.
    neighbours: list[list[tuple[int, float, float]]] = [
        [(j, wt, 0.0) for j, wt in items.up[i] + items.down[i]] for i in range(len(kind))
    ]
    for a, b, wt in attach_links:
        offset = packed[b] - packed[a]
        neighbours[a].append((b, wt, -offset))
        neighbours[b].append((a, wt, offset))
    n_ranks = len(expanded)
    order = list(range(n_ranks))
    # Round 0 minimises Σ w·Δx² (balanced placement); the later rounds reweight each
    # link by δ / max(|Δx|, δ) (iteratively reweighted least squares towards Σ w·|Δx|),
    # which pulls most edges exactly vertical instead of leaving many slightly slanted.
    delta = max(4.0, node_sep / 4)
    effective = [[wt for _j, wt, _off in nbs] for nbs in neighbours]
    for irls_round in range(irls_rounds + 1):
        if irls_round:
            for i, nbs in enumerate(neighbours):
                effective[i] = [wt * delta / max(abs(x[i] - x[j] - off), delta) for j, wt, off in nbs]
        for iteration in range(iterations):
            ranks = order if iteration % 2 == 0 else order[::-1]
            moved = 0.0
            for r in ranks:
                seq = expanded[r]
                if not seq:
                    continue
                g = gaps[r]
                targets: list[float] = []
                weights: list[float] = []
                cumulative = 0.0
                for idx, item in enumerate(seq):
                    if idx:
                        cumulative += g[idx - 1]
                    nbs = neighbours[item]
                    if nbs:
                        eff = effective[item]
                        s = 0.0
                        tw = 0.0
                        for (j, _wt, off), wt in zip(nbs, eff):
                            s += (x[j] + off) * wt
                            tw += wt
                        targets.append(s / tw - cumulative)
                        weights.append(tw)
                    else:
                        targets.append(x[item] - cumulative)
                        weights.append(1e-3)
                fitted = _pava(targets, weights)
                cumulative = 0.0
                for idx, item in enumerate(seq):
                    if idx:
                        cumulative += g[idx - 1]
                    new = fitted[idx] + cumulative
                    moved = max(moved, abs(new - x[item]))
                    x[item] = new
            if moved < 0.25:
                break
    return x, gaps


def _straighten(
    x: list[float],
    expanded: list[list[int]],
    gaps: list[list[float]],
    chains: Iterable[list[int]],
    kind: list[int],
    tolerance: float,
) -> None:
    """Remove small jogs along edge chains: move a dummy onto its predecessor's x when
    that is within ``tolerance`` and its rank neighbours leave room."""
    where: dict[int, tuple[int, int]] = {}
    for r, seq in enumerate(expanded):
        for i, item in enumerate(seq):
            where[item] = (r, i)
    for chain in chains:
        for prev, d in zip(chain, chain[1:]):
            if kind[d] not in (_DUMMY, _LABEL):
                continue
            target = x[prev]
            if abs(target - x[d]) < 1e-9 or abs(target - x[d]) > tolerance:
                continue
            r, i = where[d]
            seq, g = expanded[r], gaps[r]
            if i > 0 and target - x[seq[i - 1]] < g[i - 1] - 1e-6:
                continue
            if i < len(seq) - 1 and x[seq[i + 1]] - target < g[i] - 1e-6:
                continue
            x[d] = target


# ----------------------------------------------------------------------------------------
# 6. ports
# ----------------------------------------------------------------------------------------
def _spread(targets: list[float], lo: float, hi: float, gap: float) -> list[float]:
    """Positions near ``targets`` (already sorted), ≥ gap apart, inside [lo, hi]."""
    n = len(targets)
    if n == 0:
        return []
    if n > 1:
        gap = min(gap, (hi - lo) / (n - 1)) if hi > lo else 0.0
    offsets = [i * gap for i in range(n)]
    fitted = _pava([min(max(t, lo), hi) - o for t, o in zip(targets, offsets)], [1.0] * n)
    out = [f + o for f, o in zip(fitted, offsets)]
    shift = 0.0
    if out[-1] > hi:
        shift = hi - out[-1]
    if out[0] + shift < lo:
        shift = lo - out[0]
    return [value + shift for value in out]


# ----------------------------------------------------------------------------------------
# entry point
# ----------------------------------------------------------------------------------------
def layered_layout(
    graph: nx.DiGraph,
    sizes: Mapping[Hashable, tuple[float, float]],
    *,
    rank_sep: float,
    node_sep: float,
    sources: Iterable[Hashable] | None = None,
    sinks: Iterable[Hashable] | None = None,
    weight: str | None = "frequency",
    label_sizes: Mapping[Edge, tuple[float, float]] | None = None,
    self_loop_size: float | None = None,
    port_gap: float | None = None,
    max_rank_sep: float | None = None,
) -> Layout:
    """Top-to-bottom layered layout of ``graph`` (cycles and self-loops allowed).

    Parameters
    ----------
    sizes:
        ``{node: (width, height)}`` of every node's box.
    rank_sep:
        vertical gap between the boxes of consecutive layers.  With ``label_sizes`` the
        gap is ``rank_sep`` plus the height of the tallest label in it.
    node_sep:
        minimum horizontal gap between neighbouring boxes of a layer (edge dummies and
        labels get proportionally less).
    sources:
        nodes to put in the top layer (e.g. the start node).  Default: nodes without
        incoming edges.
    sinks:
        nodes to put in the bottom layer (e.g. the end node).  Default: none pinned.
    weight:
        edge attribute used as importance: heavy edges are kept short and straight and
        are explored first when breaking cycles.  Missing / invalid values count as 1.
    label_sizes:
        ``{(u, v): (width, height)}``: reserve room for edge labels (their centres are
        returned in ``Layout.label_positions``).  Self-loop labels go beside the loop.
    self_loop_size:
        how far a self-loop sticks out of its box (default ``node_sep / 2``); room for it
        is reserved beside the box.
    port_gap:
        preferred distance between edge ends along a box side (default ``node_sep / 3``).
    max_rank_sep:
        if given, a layer gap grows (up to this) where edges must run far sideways, so
        that no segment is flatter than about 1 : 3.  Default: every gap is ``rank_sep``.

    The phases are those of the module docstring, one function each.
    """
    nodes = list(graph.nodes)
    missing = [node for node in nodes if node not in sizes]
    if missing:
        raise ValueError(f"sizes is missing {len(missing)} node(s), e.g. {missing[0]!r}")
    label_sizes = dict(label_sizes) if label_sizes is not None else None
    loop_size = node_sep / 2 if self_loop_size is None else float(self_loop_size)
    port_gap = node_sep / 3 if port_gap is None else float(port_gap)
    if not nodes:
        return Layout({}, {}, set(), 0.0, 0.0)

    edges = _indexed_edges(graph, nodes, weight, sources, sinks)
    # 1. cycle breaking: which edges are drawn upward
    _orient_edges(edges)
    # 2. layering
    layer = _assign_layers(len(nodes), edges.dag, edges.src, edges.snk, edges.preorder)
    # 3. dummies along long edges, label ranks, side dummies of back edges, self-loop slots
    layered = _add_dummies(edges, layer, sizes, label_sizes, loop_size)
    # 4. crossing minimisation, then the side of each self-loop
    ordering = _order_ranks(layered, edges)
    loop_sides = _choose_loop_sides(layered, ordering)
    # 5. coordinates
    placed = _place(layered, ordering, node_sep=node_sep, rank_sep=rank_sep, max_rank_sep=max_rank_sep)
    # 6. routes
    routes, label_positions = _route_edges(layered, ordering, placed, edges, port_gap)
    _route_self_loops(layered, ordering, placed, loop_size, label_sizes, routes, label_positions)
    return _normalised(layered, placed, edges, layer, sizes, routes, label_positions, loop_sides)


# ----------------------------------------------------------------------------------------
# the phases of layered_layout, in order
# ----------------------------------------------------------------------------------------
@dataclass
class _Edges:
    """The graph's edges by node index, and how cycle breaking turned them (filled in order)."""

    nodes: list[Hashable]
    edges: list[tuple[int, int, float]]  # (u, v, weight), self-loops left out
    self_loops: list[int]  # u for every edge (u, u), in edge order
    src: list[int]  # pinned to the top layer
    snk: list[int]  # pinned to the bottom layer
    reversed_idx: set[tuple[int, int]] = field(default_factory=set)  # (u, v) drawn upward
    preorder: list[int] = field(default_factory=list)  # of the cycle-breaking DFS
    dag: list[tuple[int, int, float]] = field(default_factory=list)  # edges with reversed ones turned


def _indexed_edges(
    graph: nx.DiGraph,
    nodes: list[Hashable],
    weight: str | None,
    sources: Iterable[Hashable] | None,
    sinks: Iterable[Hashable] | None,
) -> _Edges:
    """The edges as index pairs with their weights, the self-loops apart, and the nodes pinned
    to the top (``sources``, default: those without incoming edges) and to the bottom."""
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges: list[tuple[int, int, float]] = []
    self_loops: list[int] = []
    for u, v, data in graph.edges(data=True):
        if u == v:
            self_loops.append(index[u])
        else:
            edges.append((index[u], index[v], _edge_weight(data, weight)))
    indeg = [0] * n
    for _u, v, _w in edges:
        indeg[v] += 1
    if sources is None:
        src = [u for u in range(n) if indeg[u] == 0]
    else:
        src = []
        for s in sources:
            if s not in index:
                raise ValueError(f"source {s!r} is not a node of the graph")
            if index[s] not in src:
                src.append(index[s])
    snk: list[int] = []
    for s in sinks or ():
        if s not in index:
            raise ValueError(f"sink {s!r} is not a node of the graph")
        if index[s] not in snk and index[s] not in src:
            snk.append(index[s])
    return _Edges(nodes, edges, self_loops, src, snk)


def _orient_edges(e: _Edges) -> None:
    """Phase 1: choose the edges to reverse so the graph is acyclic with the sources on top and
    the sinks at the bottom; fills ``reversed_idx``, ``preorder`` and ``dag``."""
    n, edges, src = len(e.nodes), e.edges, e.src
    succ: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for u, v, wt in edges:
        succ[u].append((v, wt))
    reversed_idx, preorder = _break_cycles(n, succ, src)
    # edges into sinks that leave sinks would make them non-sinks: reverse edges out of
    # pinned sinks as well so they can sit at the bottom.
    snk_set = set(e.snk)
    for u, v, _w in edges:
        if u in snk_set and v not in snk_set and (u, v) not in reversed_idx:
            reversed_idx.add((u, v))
    # reversing out-of-sink edges may in rare cases re-create a cycle; repeat the DFS on
    # the already-oriented graph to be safe.
    dag_succ: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for u, v, wt in edges:
        a, b = (v, u) if (u, v) in reversed_idx else (u, v)
        dag_succ[a].append((b, wt))
    extra_rev, _ = _break_cycles(n, dag_succ, src)
    for a, b in extra_rev:
        # (a, b) is in DAG orientation; map back to the original edge
        if (b, a) in reversed_idx:
            reversed_idx.discard((b, a))
        else:
            reversed_idx.add((a, b))
    dag: list[tuple[int, int, float]] = []
    for u, v, wt in edges:
        if (u, v) in reversed_idx:
            dag.append((v, u, wt))
        else:
            dag.append((u, v, wt))
    e.reversed_idx, e.preorder, e.dag = reversed_idx, preorder, dag


@dataclass
class _Layered:
    """The layered graph: real nodes and dummies on ranks, every edge a chain of items."""

    nodes: list[Hashable]
    items: _Items
    n_ranks: int
    labelled: bool
    chains: dict[tuple[int, int], list[int]]  # edge (u, v) → its items, top to bottom
    label_item: dict[tuple[int, int], int]  # edge (u, v) → the label dummy reserving its label
    attached: dict[int, list[int]]  # real item → side / loop dummies beside it (inner → outer)
    attach_links: list[tuple[int, int, float]]  # (real item, dummy beside it, weight)
    loop_item: dict[int, int]  # real item → the slot of its self-loop


def _add_dummies(
    e: _Edges,
    layer: list[int],
    sizes: Mapping[Hashable, tuple[float, float]],
    label_sizes: dict[Edge, tuple[float, float]] | None,
    loop_size: float,
) -> _Layered:
    """Phase 3: split long edges by dummy vertices, give each labelled edge a label dummy on a
    label rank (every other rank when there are labels), put "side" dummies beside both ends of
    a back edge and reserve a slot beside a box for its self-loop."""
    nodes, edges, reversed_idx = e.nodes, e.edges, e.reversed_idx
    n = len(nodes)
    labelled = label_sizes is not None
    # Merge parallel layering edges (u→v and a reversed v→u give the same DAG pair) only
    # for layering; chains stay per original edge.
    scale = 2 if labelled else 1
    n_ranks = (max(layer) if layer else 0) * scale + 1
    items = _Items()
    for i, node in enumerate(nodes):
        w, h = sizes[node]
        items.add(_REAL, layer[i] * scale, w, h, node)
    max_w = max(w for _, w, _ in edges) if edges else 1.0

    def link_weight(a: int, b: int, ew: float) -> float:
        ka, kb = items.kind[a], items.kind[b]
        reals = (ka == _REAL) + (kb == _REAL)
        base = 1.0 if reals == 2 else (2.0 if reals == 1 else 8.0)
        # frequent edges are kept straighter than rare ones
        return base * (0.5 + 3.0 * ew / max_w)

    dag_out = [0] * n
    dag_in = [0] * n
    for a, b, _w in e.dag:
        dag_out[a] += 1
        dag_in[b] += 1
    attached: dict[int, list[int]] = {}
    attach_links: list[tuple[int, int, float]] = []
    chains: dict[tuple[int, int], list[int]] = {}
    label_item: dict[tuple[int, int], int] = {}
    for u, v, ew in edges:
        is_back = (u, v) in reversed_idx
        top, bottom = (v, u) if is_back else (u, v)
        r_top, r_bot = items.rank[top], items.rank[bottom]
        key = (nodes[u], nodes[v])
        lab = label_sizes.get(key) if labelled else None
        # label rank: the odd rank nearest the middle of the span
        label_rank = None
        if labelled:
            mid = (r_top + r_bot) / 2
            odd = [r for r in range(r_top + 1, r_bot) if r % 2 == 1]
            if odd:
                label_rank = min(odd, key=lambda r: (abs(r - mid), r))
        chain: list[int] = []
        if is_back:
            sd_top = items.add(_SIDE, r_top, 0.0, 0.0, key, owner=top)
            attached.setdefault(top, []).append(sd_top)
            attach_links.append((top, sd_top, 2.0))
            chain.append(sd_top)
        else:
            chain.append(top)
        for r in range(r_top + 1, r_bot):
            if r == label_rank and lab is not None:
                d = items.add(_LABEL, r, lab[0], lab[1], key)
                label_item[(u, v)] = d
            else:
                d = items.add(_DUMMY, r, 0.0, 0.0, key)
            chain.append(d)
        if is_back:
            sd_bot = items.add(_SIDE, r_bot, 0.0, 0.0, key, owner=bottom)
            attached.setdefault(bottom, []).append(sd_bot)
            attach_links.append((bottom, sd_bot, 2.0))
            chain.append(sd_bot)
        else:
            chain.append(bottom)
        # A label between two boxes lines up with the end that has fewer edges, so a fan
        # of edges spreads out *before* the labels and runs straight through them.
        fan_up = fan_down = 1.0
        if not is_back and len(chain) == 3:
            k_out, k_in = dag_out[top], dag_in[bottom]
            fan_up, fan_down = 2 * k_in / (k_out + k_in), 2 * k_out / (k_out + k_in)
        for idx, (a, b) in enumerate(zip(chain, chain[1:])):
            factor = fan_up if idx == 0 else (fan_down if idx == len(chain) - 2 else 1.0)
            items.link(a, b, link_weight(a, b, ew) * factor)
        chains[(u, v)] = chain

    # self-loops: a reserved slot beside the box (loop + its label)
    loop_item: dict[int, int] = {}
    for u in dict.fromkeys(e.self_loops):
        key = (nodes[u], nodes[u])
        lab = label_sizes.get(key) if labelled else None
        lw = loop_size + ((lab[0] + 4.0) if lab is not None else 0.0)
        lh = lab[1] if lab is not None else 0.0
        d = items.add(_LOOP, items.rank[u], lw, lh, key, owner=u)
        attached.setdefault(u, []).insert(0, d)  # innermost
        attach_links.append((u, d, 4.0))
        loop_item[u] = d
    return _Layered(nodes, items, n_ranks, labelled, chains, label_item, attached, attach_links, loop_item)


def _initial_order(layered: _Layered, preorder: list[int]) -> list[list[int]]:
    """Each rank's items in the order a DFS through the layered graph meets them, starting from
    the real nodes in cycle-breaking preorder (the dummies beside a box are left to it)."""
    items, attached = layered.items, layered.attached
    initial: list[list[int]] = [[] for _ in range(layered.n_ranks)]
    visited = [False] * len(items.kind)
    pre_rank = {u: i for i, u in enumerate(preorder)}
    attached_ids = {d for ds in attached.values() for d in ds}
    for root in preorder:
        if visited[root]:
            continue
        stack = [root]
        while stack:
            item = stack.pop()
            if visited[item]:
                continue
            visited[item] = True
            if item not in attached_ids:
                initial[items.rank[item]].append(item)
            nexts = [nb for nb, _w in items.down[item]]
            for d in attached.get(item, []):
                nexts.extend(nb for nb, _w in items.down[d])
            nexts.sort(key=lambda j: pre_rank.get(j, len(preorder)))
            for nb in reversed(nexts):
                if not visited[nb]:
                    stack.append(nb)
    for item in range(len(items.kind)):
        if not visited[item] and item not in attached_ids:
            initial[items.rank[item]].append(item)
            visited[item] = True
    return initial


def _order_ranks(layered: _Layered, e: _Edges) -> _Ordering:
    """Phase 4: the order of the items in each rank with the fewest crossings found.

    Barycenter sweeps only find local optima; they start from the DFS order and from its
    mirror image (back edges then start on the left), then try moving each back edge's
    channel to the far left / right, and the better result is kept."""
    items, chains = layered.items, layered.chains
    initial = _initial_order(layered, e.preorder)
    back_chains = [chains[(u, v)] for u, v, _w in sorted(e.edges, key=lambda x: -x[2]) if (u, v) in e.reversed_idx]
    ordering: _Ordering | None = None
    best_crossings = None
    # Effort is scaled down for very large layered graphs (deterministically, by size)
    # to stay well within a second for ~60 nodes / 200 edges.
    n_items = len(items.kind)
    starts = (False, True) if n_items <= 1500 else (False,)
    sweeps = 24 if n_items <= 1500 else 10
    chain_limit = max(5, min(40, 40000 // max(1, n_items)))
    for mirrored in starts:
        candidate = _Ordering(items, layered.n_ranks, {k: list(v) for k, v in layered.attached.items()})
        candidate.free = [list(reversed(f)) if mirrored else list(f) for f in initial]
        if mirrored:
            candidate.side = {d: -1 for d in candidate.side}
        candidate.minimise(max_iter=sweeps)
        candidate.outside_chains(back_chains, limit=chain_limit)
        c = candidate.crossings()
        if best_crossings is None or c < best_crossings:
            ordering, best_crossings = candidate, c
        if c == 0:
            break
    assert ordering is not None
    return ordering


def _choose_loop_sides(layered: _Layered, ordering: _Ordering) -> dict[Hashable, int]:
    """A self-loop goes on the side of its box with fewer back-edge channels (right on ties);
    then every rank is expanded with the dummies beside its boxes. ``{node: +1 or -1}``."""
    items, attached = layered.items, ordering.attached
    loop_sides: dict[Hashable, int] = {}
    for u, d in layered.loop_item.items():
        sides = [ordering.side[s] for s in attached.get(u, []) if items.kind[s] == _SIDE]
        side = 1 if sides.count(1) <= sides.count(-1) else -1
        ordering.side[d] = side
        loop_sides[layered.nodes[u]] = side
    ordering.expand_all()
    return loop_sides


@dataclass
class _Placed:
    """Where every item of the layered graph sits: centres, and each rank's y and height."""

    items: _Items
    xs: list[float]
    ys: list[float]
    rank_y: list[float]
    rank_h: list[float]  # the tallest box or label of the rank

    def box(self, i: int) -> tuple[float, float, float, float]:
        xs, ys, items = self.xs, self.ys, self.items
        return (xs[i] - items.w[i] / 2, ys[i] - items.h[i] / 2, xs[i] + items.w[i] / 2, ys[i] + items.h[i] / 2)

    def port_range(self, i: int) -> tuple[float, float]:
        """Where edges may leave or enter a box along its top or bottom (inset from the corners)."""
        xs, items = self.xs, self.items
        inset = min(items.w[i] * 0.2, 10.0)
        return xs[i] - items.w[i] / 2 + inset, xs[i] + items.w[i] / 2 - inset

    def band(self, i: int) -> tuple[float, float]:
        """Top and bottom of the band of item ``i``'s rank."""
        r = self.items.rank[i]
        return self.rank_y[r] - self.rank_h[r] / 2, self.rank_y[r] + self.rank_h[r] / 2

    def through(self, i: int, upward: bool) -> list[Point]:
        """A route's points crossing item ``i``'s rank vertically, over the whole band."""
        top, bottom = self.band(i)
        x = self.xs[i]
        seq = [(x, top), (x, self.ys[i]), (x, bottom)]
        return seq[::-1] if upward else seq


def _place(
    layered: _Layered,
    ordering: _Ordering,
    *,
    node_sep: float,
    rank_sep: float,
    max_rank_sep: float | None,
) -> _Placed:
    """Phase 5: x by weighted isotonic regression (:func:`_assign_x`) with jogs along the chains
    removed from either end (:func:`_straighten`); y rank by rank, a gap growing (up to
    ``max_rank_sep``) where edges have to travel far sideways."""
    items, chains, n_ranks, labelled = layered.items, layered.chains, layered.n_ranks, layered.labelled
    n_items = len(items.kind)
    xs, rank_gaps = _assign_x(items, ordering.expanded, node_sep, layered.attach_links,
                              iterations=40 if n_items <= 1500 else 16)
    _straighten(xs, ordering.expanded, rank_gaps, chains.values(), items.kind, tolerance=node_sep)
    # and from the bottom up, so a chain's jogs collapse towards either end
    _straighten(xs, ordering.expanded, rank_gaps, [c[::-1] for c in chains.values()], items.kind,
                tolerance=node_sep)
    rank_h = [0.0] * n_ranks
    for i in range(len(items.kind)):
        rank_h[items.rank[i]] = max(rank_h[items.rank[i]], items.h[i])
    rank_y = [0.0] * n_ranks
    y = 0.0
    gap = rank_sep / 2 if labelled else rank_sep
    gap_cap = gap if max_rank_sep is None else max(gap, (max_rank_sep / 2 if labelled else max_rank_sep))
    # Where edges have to travel far sideways between two ranks, give them more height
    # (up to max_rank_sep) so they do not run nearly horizontally through labels.
    gaps = [gap] * n_ranks
    if gap_cap > gap:
        for r in range(n_ranks - 1):
            widest = 0.0
            for a in ordering.expanded[r]:
                for b, _w in items.down[a]:
                    slack = sum(max(0.0, items.w[i] / 2 - min(items.w[i] * 0.2, 10.0))
                                for i in (a, b) if items.kind[i] == _REAL)
                    widest = max(widest, abs(xs[a] - xs[b]) - slack)
            gaps[r + 1] = min(gap_cap, max(gap, 0.3 * widest))
    for r in range(n_ranks):
        if r:
            y += rank_h[r - 1] / 2 + gaps[r] + rank_h[r] / 2
        else:
            y = rank_h[0] / 2
        rank_y[r] = y
    ys = [rank_y[items.rank[i]] for i in range(len(items.kind))]
    return _Placed(items, xs, ys, rank_y, rank_h)


#: a self-loop leaves and re-enters its box this share of the box's height above and below its middle
_LOOP_BAND = 0.22


def _end_ports(layered: _Layered, placed: _Placed, e: _Edges, port_gap: float) -> tuple[dict, dict]:
    """Where each forward edge leaves its upper box (bottom side) and enters its lower one (top
    side): ``(start points, end points)`` by edge, spread at least ``port_gap`` apart.

    Port targets: straight down into the neighbouring point when it lies above/below the box;
    for a direct edge between horizontally overlapping boxes, a common x so the edge is vertical."""
    xs, ys, items = placed.xs, placed.ys, placed.items
    port_range = placed.port_range

    def clamp(value: float, lo: float, hi: float) -> float:
        return min(max(value, lo), hi)

    bottom_ports: dict[int, list[tuple[float, float, tuple[int, int]]]] = {}
    top_ports: dict[int, list[tuple[float, float, tuple[int, int]]]] = {}
    for (u, v), chain in layered.chains.items():
        if (u, v) in e.reversed_idx:
            continue
        lo_u, hi_u = port_range(u)
        lo_v, hi_v = port_range(v)
        if len(chain) == 2:
            lo, hi = max(lo_u, lo_v), min(hi_u, hi_v)
            if lo <= hi:
                common = clamp((xs[u] + xs[v]) / 2, lo, hi)
                t_u = t_v = common
            else:
                t_u, t_v = clamp(xs[v], lo_u, hi_u), clamp(xs[u], lo_v, hi_v)
        else:
            t_u, t_v = clamp(xs[chain[1]], lo_u, hi_u), clamp(xs[chain[-2]], lo_v, hi_v)
        bottom_ports.setdefault(u, []).append((t_u, xs[chain[-1]], (u, v)))
        top_ports.setdefault(v, []).append((t_v, xs[chain[0]], (u, v)))
    start_pt: dict[tuple[int, int], Point] = {}
    end_pt: dict[tuple[int, int], Point] = {}
    for ports, store, at_bottom in ((bottom_ports, start_pt, True), (top_ports, end_pt, False)):
        for node_i, entries in ports.items():
            entries.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
            lo, hi = port_range(node_i)
            placed_x = _spread([entry[0] for entry in entries], lo, hi, port_gap)
            y_port = ys[node_i] + (items.h[node_i] / 2 if at_bottom else -items.h[node_i] / 2)
            for px, entry in zip(placed_x, entries):
                store[entry[2]] = (px, y_port)
    return start_pt, end_pt


def _side_ports(ordering: _Ordering, placed: _Placed, port_gap: float) -> dict[int, float]:
    """The y where each back edge leaves or enters the side of its box: ``{side dummy: y}``.

    On each side of a box, edges going up leave from the upper part (inner ones highest) and
    edges coming up enter the lower part (inner ones lowest); a self-loop on that side keeps the
    middle for itself."""
    xs, ys, items = placed.xs, placed.ys, placed.items
    side_port_y: dict[int, float] = {}  # side dummy -> y of its port
    loop_band = _LOOP_BAND
    for owner, dummies in ordering.attached.items():
        left, top, right, bottom = placed.box(owner)
        h = items.h[owner]
        cy = ys[owner]
        margin = min(h * 0.2, 6.0)
        has_loop = {ordering.side[d] for d in dummies if items.kind[d] == _LOOP}
        for side in (1, -1):
            on_side = [d for d in ordering.expanded[items.rank[owner]] if d in dummies and ordering.side[d] == side]
            on_side.sort(key=lambda d: abs(xs[d] - xs[owner]))  # inner → outer
            going_up = [d for d in on_side if items.kind[d] == _SIDE and items.up[d]]
            coming_up = [d for d in on_side if items.kind[d] == _SIDE and not items.up[d]]
            # going_up: chain continues above (the back edge leaves this node upward);
            # coming_up: chain arrives from below (the back edge enters this node).
            split = loop_band * h if side in has_loop else 0.0
            if going_up and coming_up and not split:
                split = 0.08 * h
            upper = (top + margin, cy - split - (1.0 if split else 0.0))
            lower = (cy + split + (1.0 if split else 0.0), bottom - margin)
            if not coming_up and not split:
                upper = (top + margin, bottom - margin)
            if not going_up and not split:
                lower = (top + margin, bottom - margin)
            # outgoing: inner ones highest; incoming: inner ones lowest
            for ds, (lo, hi), inner_first_high in ((going_up, upper, True), (coming_up, lower, False)):
                k = len(ds)
                if not k:
                    continue
                if k == 1:
                    values = [(lo + hi) / 2]
                else:
                    step = min(port_gap, (hi - lo) / (k - 1))
                    mid = (lo + hi) / 2
                    values = [mid + (i - (k - 1) / 2) * step for i in range(k)]
                if not inner_first_high:
                    values = values[::-1]
                for d, value in zip(ds, values):
                    side_port_y[d] = value
    return side_port_y


def _dedupe(pts: list[Point]) -> list[Point]:
    """The points without consecutive repeats."""
    out: list[Point] = []
    for p in pts:
        if not out or abs(out[-1][0] - p[0]) > 1e-6 or abs(out[-1][1] - p[1]) > 1e-6:
            out.append(p)
    return out


def _route_edges(
    layered: _Layered, ordering: _Ordering, placed: _Placed, e: _Edges, port_gap: float
) -> tuple[dict[Edge, list[Point]], dict[Edge, Point]]:
    """Phase 6: every edge's polyline from a port of u to a port of v through its dummies, and
    the centre of its label: ``(routes, label_positions)`` by (u, v) node pair.

    Every route crosses each rank it passes through *vertically*, over the rank's whole band
    (its tallest box or label): sideways travel happens only in the gaps between bands, where
    there are no boxes and no labels. Forward edges run from the bottom of u to the top of v;
    back edges leave u at its side and run up their channel into the side of v."""
    nodes, items = layered.nodes, layered.items
    xs, ys, band, through = placed.xs, placed.ys, placed.band, placed.through
    start_pt, end_pt = _end_ports(layered, placed, e, port_gap)
    side_port_y = _side_ports(ordering, placed, port_gap)
    routes: dict[Edge, list[Point]] = {}
    label_positions: dict[Edge, Point] = {}
    for (u, v), chain in layered.chains.items():
        key = (nodes[u], nodes[v])
        if (u, v) in e.reversed_idx:
            # chain is top (v side) → bottom (u side); route runs u → v, i.e. upward
            sd_top, sd_bot = chain[0], chain[-1]
            ybot = side_port_y[sd_bot]
            side_b = ordering.side[sd_bot]
            pts: list[Point] = [(xs[u] + side_b * items.w[u] / 2, ybot), (xs[sd_bot], ybot)]
            pts.append((xs[sd_bot], band(u)[0]))
            for d in reversed(chain[1:-1]):
                pts += through(d, upward=True)
            ytop = side_port_y[sd_top]
            side_t = ordering.side[sd_top]
            pts.append((xs[sd_top], band(v)[1]))
            pts.append((xs[sd_top], ytop))
            pts.append((xs[v] + side_t * items.w[v] / 2, ytop))
        else:
            start, end = start_pt[(u, v)], end_pt[(u, v)]
            pts = [start, (start[0], band(u)[1])]
            for d in chain[1:-1]:
                pts += through(d, upward=False)
            pts += [(end[0], band(v)[0]), end]
        routes[key] = _dedupe(pts)
        if (u, v) in layered.label_item:
            d = layered.label_item[(u, v)]
            label_positions[key] = (xs[d], ys[d])
    return routes, label_positions


def _route_self_loops(
    layered: _Layered,
    ordering: _Ordering,
    placed: _Placed,
    loop_size: float,
    label_sizes: dict[Edge, tuple[float, float]] | None,
    routes: dict[Edge, list[Point]],
    label_positions: dict[Edge, Point],
) -> None:
    """Add each self-loop's route (out of its box's side, round and back in) and its label's
    centre, beside the loop, to ``routes`` and ``label_positions``."""
    nodes, items, xs, ys = layered.nodes, layered.items, placed.xs, placed.ys
    for u, d in layered.loop_item.items():
        key = (nodes[u], nodes[u])
        side = ordering.side[d]
        x0 = xs[u] + side * items.w[u] / 2
        band = _LOOP_BAND * items.h[u]
        x1 = x0 + side * loop_size
        routes[key] = [(x0, ys[u] - band), (x1, ys[u] - band), (x1, ys[u] + band), (x0, ys[u] + band)]
        if layered.labelled and key in label_sizes:
            lw = label_sizes[key][0]
            label_positions[key] = (x1 + side * (4.0 + lw / 2), ys[u])


def _normalised(
    layered: _Layered,
    placed: _Placed,
    e: _Edges,
    layer: list[int],
    sizes: Mapping[Hashable, tuple[float, float]],
    routes: dict[Edge, list[Point]],
    label_positions: dict[Edge, Point],
    loop_sides: dict[Hashable, int],
) -> Layout:
    """The :class:`Layout`, shifted so that boxes, labels and routes fill [0, width] × [0, height]."""
    nodes, items, xs, ys = layered.nodes, layered.items, placed.xs, placed.ys
    lefts, rights, tops, bottoms = [], [], [], []
    for i in range(len(items.kind)):
        if items.kind[i] in (_REAL, _LABEL, _LOOP):
            l, t, r, b = placed.box(i)
            lefts.append(l)
            rights.append(r)
            tops.append(t)
            bottoms.append(b)
    for pts in routes.values():
        for px, py in pts:
            lefts.append(px)
            rights.append(px)
            tops.append(py)
            bottoms.append(py)
    x0, y0 = min(lefts), min(tops)
    width, height = max(rights) - x0, max(bottoms) - y0

    def shift(p: Point) -> Point:
        return (p[0] - x0, p[1] - y0)

    positions = {node: shift((xs[i], ys[i])) for i, node in enumerate(nodes)}
    return Layout(
        positions=positions,
        routes={k: [shift(p) for p in pts] for k, pts in routes.items()},
        back_edges={(nodes[u], nodes[v]) for u, v, _w in e.edges if (u, v) in e.reversed_idx},
        width=width,
        height=height,
        sizes={node: (float(sizes[node][0]), float(sizes[node][1])) for node in nodes},
        layers={node: layer[i] for i, node in enumerate(nodes)},
        label_positions={k: shift(p) for k, p in label_positions.items()},
        loop_sides=loop_sides,
    )
