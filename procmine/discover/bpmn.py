"""A BPMN 2.0 model of the as-is process, from pm4py's inductive miner.

    >>> model = procmine.discover_bpmn(log, noise_threshold=0.1)   # doctest: +SKIP
    >>> model.save("out/current_process.bpmn")                      # doctest: +SKIP

The file carries diagram information (shapes and edge waypoints) laid out by procmine itself,
left to right, so it opens in bpmn.io, Camunda Modeler or Signavio without Graphviz.
"""

from __future__ import annotations

import signal
import threading
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl

from procmine.engine import Tables
from procmine.errors import MinerTimeout
from procmine.helper import HelperProcess, HelperStopped, serve, started
from procmine.log import EventLog

TASK_HEIGHT = 64.0
GATEWAY_SIZE = 50.0
EVENT_SIZE = 36.0


@dataclass
class BpmnModel:
    """A discovered BPMN model; ``save`` writes BPMN 2.0 XML with diagram layout."""

    engine_model: object  # pm4py's BPMN object; kept private to procmine's API users
    noise_threshold: float
    variants: int
    algorithm: str
    activities: tuple[str, ...] = ()

    @property
    def left_out(self) -> list[str]:
        """Activities of the log that the noise filter left out of the model."""
        return sorted(set(self.activities) - set(self.tasks))

    @property
    def tasks(self) -> list[str]:
        return sorted(n.get_name() for n in self.engine_model.get_nodes() if type(n).__name__ == "Task")

    @property
    def gateways(self) -> dict[str, int]:
        kinds = Counter(type(n).__name__ for n in self.engine_model.get_nodes() if "Gateway" in type(n).__name__)
        return dict(kinds)

    def to_dict(self) -> dict:
        """The model's facts as JSON-ready data (the XML itself: :meth:`save`)."""
        return {"algorithm": self.algorithm, "noise_threshold": self.noise_threshold, "variants": self.variants,
                "tasks": self.tasks, "gateways": self.gateways, "left_out_as_infrequent": self.left_out}

    def save(self, path: str | Path) -> Path:
        """Write the model as BPMN 2.0 XML (with BPMNDiagram shapes and waypoints)."""
        from procmine import _engine
        from procmine.output import clean_xml_file

        path = Path(path)
        _engine.write_bpmn(self.engine_model, str(path))
        return clean_xml_file(path)  # a name with a control character must not break the XML

    def xml(self) -> bytes:
        """The model as BPMN 2.0 XML, as :meth:`save` writes it."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="procmine-bpmn-") as folder:
            return self.save(Path(folder) / "model.bpmn").read_bytes()

    def describe(self, lang: str = "zh") -> str:
        """The model in one line: tasks, gateways, how it was mined (:func:`describe_model`)."""
        return describe_model(self.to_dict(), lang)

    def __repr__(self) -> str:
        return f"BpmnModel({describe_model(self.to_dict(), 'en')})"


#: How each gateway kind and mining algorithm is said in Chinese.
_GATEWAYS_ZH = {"ExclusiveGateway": "排他", "ParallelGateway": "并行", "InclusiveGateway": "包容"}
_ALGORITHMS_ZH = {"inductive miner infrequent (IMf)": "归纳挖掘（IMf，过滤低频路径）",
                  "inductive miner (IM)": "归纳挖掘（IM）"}


def describe_model(facts: dict, lang: str = "zh") -> str:
    """One line of a model's facts (:meth:`BpmnModel.to_dict`), in Chinese (zh) or English (en);
    the miner's process sends the facts, and the caller says them in its language."""
    gateways = sorted(facts["gateways"].items())
    if lang == "zh":
        said = "、".join(f"{n} 个{_GATEWAYS_ZH.get(kind, kind)}" for kind, n in gateways) or "无"
        algorithm = _ALGORITHMS_ZH.get(facts["algorithm"])
        if algorithm is None:  # on directly-follows counts: a case longer than the variants can hold
            algorithm = "归纳挖掘（IMd，按直接跟随计数；有案例超过 {:,} 步）".format(LONG_VARIANT) \
                if facts["algorithm"].startswith("inductive miner on directly-follows") else facts["algorithm"]
        left = f"；因低频未纳入：{'、'.join(facts['left_out_as_infrequent'])}" if facts["left_out_as_infrequent"] else ""
        return (f"{len(facts['tasks'])} 个任务，网关：{said}；{algorithm}，噪声阈值 {facts['noise_threshold']}，"
                f"来自 {facts['variants']:,} 种变体{left}")
    said = ", ".join(f"{n} {kind.replace('Gateway', '').lower()}" for kind, n in gateways)
    left = f"; left out as infrequent: {', '.join(facts['left_out_as_infrequent'])}" if facts["left_out_as_infrequent"] else ""
    return (f"{len(facts['tasks'])} tasks, gateways: {said or 'none'}; {facts['algorithm']}, "
            f"noise threshold {facts['noise_threshold']}, from {facts['variants']:,} variants{left}")


def discover_bpmn(log: EventLog, noise_threshold: float = 0.1, *, arrival_times: bool = True,
                  activities: list[str] | None = None, time_budget: float | None = None) -> BpmnModel:
    """Discover a BPMN model with the inductive miner (IMf when ``noise_threshold`` > 0).

    ``noise_threshold`` (0–1) is the share of infrequent behaviour the miner may leave out;
    0 keeps every observed path (a model that fits every case, often loose on real logs).
    ``arrival_times=False`` orders steps by completion only (no parallel blocks from overlaps).
    ``activities`` mines only those activities (each case's sequence without the others), as
    the simplified flowchart shows them. ``time_budget`` (seconds) stops the miner and raises
    :class:`MinerTimeout` when it has not finished by then: on logs with hundreds of
    activities pm4py's miner can take hours.

        >>> procmine.discover_bpmn(log, activities=pmap.auto_simplified().activities["activity"].to_list(),
        ...                        time_budget=60)                            # doctest: +SKIP
    """
    if not 0 <= noise_threshold <= 1:
        raise ValueError("noise_threshold must be between 0 and 1")
    return _model(*miner_input(log, arrival_times), noise_threshold, activities, time_budget)


def miner_input(log: EventLog, arrival_times: bool = True) -> tuple[Counter, list[str], int]:
    """What the miner reads of ``log``: the weighted activity sequences (see :func:`variant_counts`),
    the activity names and the number of variants."""
    if getattr(log, "engine", None) in ("spark", "partitioned"):  # the variants counted on Spark, or part by part
        return log.variant_counts(arrival_times=arrival_times)
    tables = log.tables(arrival_times=arrival_times)
    return variant_counts(tables), tables.activity_names.to_list(), tables.variants.height


def _model(variants: Counter, names: list[str], n_variants: int, noise_threshold: float,
           activities: list[str] | None, time_budget: float | None) -> BpmnModel:
    if activities is not None:
        variants = _projected(variants, set(activities))
    with _budget(time_budget, f"{len(activities or names):,} activities, {len(variants):,} "
                              "distinct sequences"):
        tree = _inductive_tree(variants, noise_threshold)
    from procmine import _engine

    model = _engine.tree_to_bpmn(tree)
    _lay_out(model)
    algorithm = "inductive miner infrequent (IMf)" if noise_threshold > 0 else "inductive miner (IM)"
    if max((len(v) for v in variants), default=0) > LONG_VARIANT:
        algorithm = f"inductive miner on directly-follows counts (IMd; a case has over {LONG_VARIANT:,} steps)"
    return BpmnModel(model, noise_threshold, n_variants, algorithm,
                     tuple(activities if activities is not None else names))


#: discover mines its BPMN model in a second process (:class:`MinerProcess`); off, in its own.
MINE_IN_BACKGROUND = True


class MinerProcess(HelperProcess):
    """The BPMN miner in a process of its own (:class:`procmine.helper.HelperProcess`): it imports
    pm4py (1–2 s) and mines while this process reads the log and draws the charts, on the
    machine's other core.

        >>> miner = MinerProcess()                         # doctest: +SKIP
        >>> miner.send(*miner_input(log), 0.1, None, 120)  # doctest: +SKIP
        >>> text, xml = miner.receive()                    # doctest: +SKIP

    One request at a time. :meth:`receive` returns the model's one-line description and its
    BPMN XML, or raises :class:`MinerTimeout` when the miner did not finish within its budget,
    or :class:`~procmine.errors.ProcmineError` when the process failed.
    """

    #: Seconds the process may take, beyond a request's budget, to start and import pm4py.
    START_GRACE = 120.0

    def __init__(self):
        super().__init__("procmine.discover.bpmn:_serve")
        self._budget: float | None = None

    def send(self, variants: Counter, names: list[str], n_variants: int, noise_threshold: float,
             activities: list[str] | None, time_budget: float) -> None:
        self._budget = time_budget
        self.ask(variants, names, n_variants, noise_threshold, activities, time_budget)

    def receive(self) -> tuple[dict, bytes]:
        from procmine.errors import ProcmineError

        try:
            answer = self.answer(self._budget + self.START_GRACE)
        except HelperStopped:
            raise ProcmineError("the miner's process stopped before it answered") from None
        if answer is None:
            raise MinerTimeout(f"the inductive miner did not finish in {self._budget:g} s")
        kind, *payload = answer
        if kind == "timeout":
            raise MinerTimeout(payload[0])
        if kind == "error":
            raise ProcmineError(payload[0])
        return payload[0], payload[1]


class BackgroundMiner:
    """discover's BPMN miner: in a :class:`MinerProcess` started at once (it imports pm4py while
    the log is read), asked for the model of all activities as soon as the map is known
    (:meth:`start`), so that it mines while the charts are drawn; in the calling process when a
    second process cannot be started (or :data:`MINE_IN_BACKGROUND` is off). A context manager:
    the process is stopped on leaving.

        >>> with BackgroundMiner(noise=0.1, budget=120) as miner:   # doctest: +SKIP
        ...     miner.start(log, arrival_times=True)
        ...     facts, xml = miner.model(None)                       # all activities
    """

    def __init__(self, noise: float, budget: float):
        self.noise, self.budget = noise, budget
        self.input: tuple[Counter, list[str], int] | None = None
        self.process: MinerProcess | None = started(MINE_IN_BACKGROUND, MinerProcess)
        self.sent = False

    def __enter__(self) -> "BackgroundMiner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, log: EventLog, arrival_times: bool) -> None:
        """Ask for the model of all activities of ``log``."""
        self.input = miner_input(log, arrival_times)
        if self.process is not None:
            try:
                self.process.send(*self.input, self.noise, None, self.budget)
                self.sent = True  # the first request (all activities) is on its way
            except OSError:  # the process is gone (it could not import pm4py?): mine here instead
                self.process.close()
                self.process = None

    def model(self, activities: list[str] | None) -> tuple[dict, bytes]:
        """The facts (:meth:`BpmnModel.to_dict`) and BPMN XML of the model of ``activities`` (all:
        ``None``, the first request); :class:`MinerTimeout` when it ran out of time."""
        from procmine.errors import ProcmineError

        if self.process is None:
            model = _model(*self.input, self.noise, activities, self.budget)
            return model.to_dict(), model.xml()
        if not self.sent:
            if not self.process.alive:
                self.process = MinerProcess()
            try:
                self.process.send(*self.input, self.noise, activities, self.budget)
            except OSError:
                raise ProcmineError("the miner's process stopped before it was asked") from None
        self.sent = False
        return self.process.receive()

    def close(self) -> None:
        if self.process is not None:
            self.process.close()


def _serve() -> None:
    """The miner process: import pm4py, then answer requests from stdin until it closes."""
    def warm_up():
        from procmine import _engine  # noqa: F401  (imported while the other process works)

    serve(_answer, warm_up)


def _answer(*request) -> tuple:
    try:
        model = _model(*request)
        return ("ok", model.to_dict(), model.xml())
    except MinerTimeout as exc:
        return ("timeout", str(exc))
    except Exception as exc:  # noqa: BLE001  (said by the other process, in one line)
        return ("error", f"the miner failed: {type(exc).__name__}: {exc}")


def _projected(variants: Counter, keep: set[str]) -> Counter:
    """The sequences with only the ``keep`` activities (empty sequences dropped)."""
    projected: Counter = Counter()
    for sequence, weight in variants.items():
        kept = tuple(a for a in sequence if a in keep)
        if kept:
            projected[kept] += weight
    return projected


@contextmanager
def _budget(seconds: float | None, what: str):
    """Raise :class:`MinerTimeout` in this thread after ``seconds`` (the miner is pure Python,
    so the alarm interrupts it between two steps). Without a budget, or outside the main
    thread where alarms cannot be set, the work runs to its end."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum, frame):
        raise MinerTimeout(f"the inductive miner did not finish in {seconds:g} s ({what})")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def variant_counts(tables: Tables) -> Counter:
    """Activity sequences for the miner, each with the weight of the cases behind it.

    Steps whose intervals overlap in a case ran in parallel, but a sequence can only show one
    order. So each block of overlapping steps is given in both orders (first-arrived first,
    and reversed), each with weight 1; cases without overlaps count 2. The miner then sees
    the parallelism, and the relative weight of every case is unchanged.

    A case's two orders follow from its variant and where its blocks open, so cases are counted
    by (variant, blocks) as integers, and each distinct pair is spelled out once.
    """
    steps = tables.steps
    variants: Counter = Counter()
    if steps.height == 0:
        return variants
    block = tables.blocks.to_numpy()
    pos = steps["pos"].to_numpy()
    opens = np.concatenate([[True], block[1:] != block[:-1]])  # blocks never span cases
    starts = np.flatnonzero(pos == 0)
    # where each case's blocks open, as bits of one integer (cases of up to 64 steps); shifted in
    # place (four 8-byte temporaries of every step were 0.3 GB at 10M steps)
    bits = opens.astype(np.uint64)
    del opens
    shift = np.minimum(pos, MASK_BITS - 1).astype(np.uint8)
    np.left_shift(bits, shift, out=bits)
    del shift
    bits[pos >= MASK_BITS] = 0
    masks = np.bitwise_or.reduceat(bits, starts)
    del bits
    long_case = np.diff(np.append(starts, steps.height)) > MASK_BITS
    sequences = dict(tables.variants.select("variant_id", "activities").iter_rows())
    per_case = pl.DataFrame({"variant_id": tables.cases["variant_id"], "mask": masks})
    for variant_id, mask, n in (per_case.filter(pl.Series(~long_case)).group_by("variant_id", "mask").len()
                                .iter_rows()):
        forward = sequences[variant_id]
        variants[tuple(forward)] += n
        variants[tuple(_reversed_blocks(forward, mask))] += n
    if long_case.any():  # the few longer cases: their blocks read from the steps
        names = tables.activity_names.to_list()
        chosen = steps.select("case_code", "index", "activity_code").with_columns(tables.blocks).filter(
            pl.col("case_code").is_in(pl.Series(np.flatnonzero(long_case), dtype=pl.UInt32).implode()))
        forward = chosen.group_by("case_code", maintain_order=True).agg(pl.col("activity_code").alias("forward"))
        backward = (chosen.sort(["block", "index"], descending=[False, True])
                    .group_by("case_code", maintain_order=True).agg(pl.col("activity_code").alias("backward")))
        for seq_forward, seq_backward, n in (
            forward.join(backward, on="case_code").group_by("forward", "backward").len().iter_rows()
        ):
            variants[tuple(names[code] for code in seq_forward)] += n
            variants[tuple(names[code] for code in seq_backward)] += n
    return variants


#: Cases of up to this many steps have their block openings counted as the bits of one integer.
MASK_BITS = 64


def _reversed_blocks(sequence: list[str], mask: int) -> list[str]:
    """``sequence`` with each block reversed; bit k of ``mask`` set: a block opens at step k."""
    cuts = [k for k in range(len(sequence)) if mask >> k & 1] + [len(sequence)]
    return [a for lo, hi in zip(cuts, cuts[1:]) for a in reversed(sequence[lo:hi])]


#: Variants longer than this (steps) are mined from their directly-follows counts (IMd).
LONG_VARIANT = 2_000


def _dfg_counts(variants: Counter) -> tuple[Counter, Counter, Counter]:
    """Directly-follows, start and end counts of the variants."""
    graph: Counter = Counter()
    starts: Counter = Counter()
    ends: Counter = Counter()
    for trace, weight in variants.items():
        if not trace:
            continue
        starts[trace[0]] += weight
        ends[trace[-1]] += weight
        for pair in zip(trace, trace[1:]):
            graph[pair] += weight
    return graph, starts, ends


def _inductive_tree(variants: Counter, noise_threshold: float):
    from procmine import _engine

    if max((len(v) for v in variants), default=0) > LONG_VARIANT:
        # The variant miner splits every trace at every cut: a case of 200,000 steps takes it
        # minutes. Its directly-follows counts say the same for the map; IMd mines those, in time
        # that grows with the activities, not the case length.
        return _engine.inductive_tree_from_dfg(*_dfg_counts(variants), noise_threshold)
    return _engine.inductive_tree(variants, noise_threshold)


def _text_width(label: str) -> float:
    wide = sum(1 for ch in label if unicodedata.east_asian_width(ch) in "WF")
    return 14.0 * wide + 7.5 * (len(label) - wide)


def _in_stable_order(model) -> list:
    """The model's nodes in an order that does not change from run to run (pm4py keeps them in a
    set of objects): by kind and name, refined by the kinds and names around each node
    (Weisfeiler-Lehman hashes), so the same model is laid out the same way every time."""
    from hashlib import blake2b

    graph = nx.DiGraph()
    graph.add_nodes_from(model.get_nodes())
    graph.add_edges_from((flow.get_source(), flow.get_target()) for flow in model.get_flows())
    label = {node: f"{type(node).__name__}:{node.get_name() or ''}" for node in graph.nodes}
    for _ in range(4):
        label = {node: blake2b("|".join([label[node], *sorted(label[p] for p in graph.predecessors(node)), ">",
                                          *sorted(label[s] for s in graph.successors(node))]).encode(),
                               digest_size=16).hexdigest() for node in graph.nodes}
    return sorted(graph.nodes, key=lambda node: (label[node], type(node).__name__, node.get_name() or ""))


def _lay_out(model) -> None:
    """Give every node a position and every flow waypoints (left to right)."""
    from procmine.chart.layout import layered_layout

    graph = nx.DiGraph()
    sizes = {}
    for node in _in_stable_order(model):
        kind = type(node).__name__
        if "Gateway" in kind:
            w = h = GATEWAY_SIZE
        elif "Event" in kind:
            w = h = EVENT_SIZE
        else:
            w, h = max(100.0, min(220.0, _text_width(node.get_name() or "") / 2 + 24)), TASK_HEIGHT
        graph.add_node(node)
        # the layout is top-to-bottom; lay out the transposed sizes and swap axes afterwards
        sizes[node] = (h, w)
    order = {node: i for i, node in enumerate(graph.nodes)}
    for source, target in sorted(((f.get_source(), f.get_target()) for f in model.get_flows()),
                                 key=lambda edge: (order[edge[0]], order[edge[1]])):
        graph.add_edge(source, target)
    sources = [n for n in graph.nodes if "StartEvent" in type(n).__name__]
    layout = layered_layout(graph, sizes, rank_sep=60.0, node_sep=30.0, sources=sources or None)
    margin = 40.0
    for node, (x, y) in layout.positions.items():
        h, w = sizes[node]
        node.set_width(w)
        node.set_height(h)
        node.set_x(y - w / 2 + margin)
        node.set_y(x - h / 2 + margin)
    bpmn_layout = model.get_layout()
    for flow in model.get_flows():
        edge_layout = bpmn_layout.get(flow)
        edge_layout.del_waypoints()
        route = layout.routes.get((flow.get_source(), flow.get_target()))
        if route is None:
            continue
        for x, y in route:
            edge_layout.add_waypoint((y + margin, x + margin))
