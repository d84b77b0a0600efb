"""The designed future process (未来流程): steps with owners and time limits, the allowed
hand-offs, steps that may run in parallel, rules and targets.

A :class:`Design` comes from :func:`procmine.read_design` (YAML, the method's step table, or
BPMN 2.0). Behind it is a BPMN model and its Petri net (pm4py), used for the token-based
replay and to work out which steps every case must pass (mandatory) and which may run at the
same time (concurrent).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from procmine.calendar import Duration
from procmine.compare.rules import Rule
from procmine.errors import DesignError
from procmine.result import display_lang
from procmine.text import phrases

START, END = "__start__", "__end__"
#: Words that mean the start or the end of the process in a design's flows.
START_WORDS = {"开始", "start", "begin", "__start__", "流程开始"}
END_WORDS = {"结束", "end", "finish", "__end__", "流程结束"}
#: Above this many markings the design's behaviour is not explored (designs are small).
MAX_MARKINGS = 200_000
TARGET_NAMES = ("lead_time", "rejection_rate", "first_time_right")
#: A design's targets said as a condition, and the words of its notebook display.
PHRASES = phrases("design", {
    "lead_time": ("办理时长 ≤ {limit}", "lead time ≤ {limit}"),
    "rejection_rate": ("驳回率 ≤ {limit:g} %", "rejection rate ≤ {limit:g} %"),
    "first_time_right": ("一次通过率 ≥ {limit:g} %", "first-time-right ≥ {limit:g} %"),
    "html_steps": ("{n} 个步骤", "{n} steps"),
    "html_step": ("步骤", "step"),
    "html_department": ("责任部门", "department"),
    "html_role": ("岗位", "role"),
    "html_time_limit": ("时间要求", "time limit"),
})


@dataclass(frozen=True)
class DesignStep:
    """One designed step: who does it and how fast (流程操作说明的一行)."""

    name: str
    department: str | None = None
    role: str | None = None
    time_limit: Duration | None = None
    output: str | None = None
    control: str | None = None
    description: str | None = None
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"name": self.name, "department": self.department, "role": self.role,
                "time_limit": self.time_limit.text if self.time_limit else None, "output": self.output,
                "control": self.control, "description": self.description, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class Target:
    """A KPI target of the design: ``lead_time`` (a duration) or a rate (share, 0–1)."""

    name: str
    limit: Duration | float
    text: str

    def describe(self, lang: str = "zh") -> str:
        if isinstance(self.limit, Duration):
            return PHRASES("lead_time", lang, limit=self.limit.describe(lang))
        return PHRASES(self.name, lang, limit=self.limit * 100)


@dataclass
class Design:
    """A designed process. ``flows`` are the allowed hand-offs between steps (``__start__`` and
    ``__end__`` mark where cases may start and end); ``parallel`` groups steps that may run
    in any order or at the same time."""

    process: str
    steps: tuple[DesignStep, ...]
    flows: tuple[tuple[str, str], ...]
    parallel: tuple[frozenset[str], ...] = ()
    rules: tuple[Rule, ...] = ()
    targets: tuple[Target, ...] = ()
    source: Path | None = None
    form: str = "yaml"
    warnings: list[str] = field(default_factory=list)
    engine_model: Any = None  # pm4py's BPMN object; built from the flows when not read from BPMN
    #: the steps on every designed path from a step to the end, by step, filled as the comparison asks
    _needed_after: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if not names:
            raise DesignError(f"{self._where()}: the design has no steps.")
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise DesignError(f"{self._where()}: step {name!r} is listed twice; each step once, please.")
            seen.add(name)
        for source, target in self.flows:
            for end, name in (("from", source), ("to", target)):
                if name not in seen and name not in (START, END):
                    raise DesignError(f"{self._where()}: the flow {source} → {target} goes {end} {name!r}, which is "
                                      f"not a step of the design (steps: {', '.join(names)}).")
        for group in self.parallel:
            unknown = sorted(group - seen)
            if unknown:
                raise DesignError(f"{self._where()}: parallel lists {', '.join(unknown)}, not a step of the design.")
        for rule in self.rules:
            unknown = [a for a in rule.activities if a not in seen]
            if unknown:
                raise DesignError(f"{self._where()}: the rule '{rule.name}' names {', '.join(unknown)}, which is not "
                                  f"a step of the design (steps: {', '.join(names)}).")
        if self.engine_model is None:
            self.engine_model = build_bpmn(self)

    def _where(self) -> str:
        return str(self.source) if self.source else "design"

    # ---- views ---------------------------------------------------------------------------
    @property
    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]

    def step(self, name: str) -> DesignStep:
        return next(s for s in self.steps if s.name == name)

    @property
    def handoffs(self) -> list[tuple[str, str]]:
        """Designed hand-offs between two steps (no start / end)."""
        return [(a, b) for a, b in self.flows if a not in (START, END) and b not in (START, END)]

    @property
    def start_steps(self) -> list[str]:
        return [b for a, b in self.flows if a == START]

    @property
    def end_steps(self) -> list[str]:
        return [a for a, b in self.flows if b == END]

    @cached_property
    def allowed_handoffs(self) -> frozenset[tuple[str, str]]:
        """Designed hand-offs plus either order of two steps that may run at the same time."""
        allowed = set(self.handoffs)
        for a, b in self.concurrent_pairs:
            allowed |= {(a, b), (b, a)}
        return frozenset(allowed)

    def alias_map(self) -> dict[str, str]:
        """Log activity name → design step name, for steps given ``aliases``."""
        return {alias: s.name for s in self.steps for alias in s.aliases}

    # ---- behaviour (from the Petri net) -------------------------------------------------
    @cached_property
    def _net(self):
        """The engine's Petri net of the design: (net, initial marking, final marking), built once."""
        from procmine import _engine

        return _engine.petri_net(self.engine_model)

    def _petri_net(self):
        """The engine's Petri net of the design (:attr:`_net`); internal."""
        return self._net

    @cached_property
    def _behaviour(self) -> tuple[frozenset[str], frozenset[tuple[str, str]], dict[str, frozenset[str]]]:
        net, im, fm = self._petri_net()
        labels = sorted({t.label for t in net.transitions if t.label is not None})
        reach_all, concurrent, _fired, explored = _explore(net, im, fm, None)
        if not explored:
            self.warnings.append(f"the design has more than {MAX_MARKINGS:,} states; mandatory steps and "
                                 "parallel steps were not worked out")
            return frozenset(), frozenset(), {}
        if not reach_all:
            self.warnings.append("the designed flow cannot reach its end; check the flows and gateways "
                                 "(every branch that splits in parallel must join again)")
        mandatory, requires = set(), {}
        for label in labels:
            reached, _c, fired, _done = _explore(net, im, fm, label)
            if reach_all and not reached:
                mandatory.add(label)
            requires[label] = frozenset(set(labels) - fired - {label})
        return frozenset(mandatory), concurrent, requires

    @property
    def mandatory_steps(self) -> frozenset[str]:
        """Steps every case must pass to reach the designed end (not optional branches, not
        steps a designed early end such as a rejection may leave out)."""
        return self._behaviour[0]

    def needed_before(self, step: str) -> frozenset[str]:
        """The steps that cannot happen unless ``step`` has happened (e.g. 合同盖章 needs 法务审核)."""
        return self._behaviour[2].get(step, frozenset())

    @property
    def concurrent_pairs(self) -> frozenset[tuple[str, str]]:
        """Pairs of steps (sorted) that may run at the same time in the design."""
        found = set(self._behaviour[1])
        for group in self.parallel:
            members = sorted(group)
            found |= {(a, b) for i, a in enumerate(members) for b in members[i + 1:]}
        return frozenset(found)

    # ---- output -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "process": self.process, "form": self.form, "source": str(self.source) if self.source else None,
            "steps": [s.to_dict() for s in self.steps],
            "flows": [[a, b] for a, b in self.flows],
            "parallel": [sorted(g) for g in self.parallel],
            "rules": [{"kind": r.kind, "rule": r.name, "text": r.describe("zh")} for r in self.rules],
            "targets": [{"name": t.name, "limit": t.text} for t in self.targets],
            "mandatory_steps": sorted(self.mandatory_steps),
        }

    def save_bpmn(self, path: str | Path) -> Path:
        """Write the design as BPMN 2.0 XML with a diagram (opens in bpmn.io / Camunda Modeler)."""
        from procmine import _engine
        from procmine.discover.bpmn import _lay_out

        from procmine.output import clean_xml_file

        _lay_out(self.engine_model)
        path = Path(path)
        _engine.write_bpmn(self.engine_model, str(path))
        return clean_xml_file(path)  # a step name with a control character must not break the XML

    def __repr__(self) -> str:
        return (f"Design({self.process!r}: {len(self.steps)} steps, {len(self.handoffs)} hand-offs, "
                f"{len(self.rules)} rules, {len(self.targets)} targets; from {self.form})")

    def _repr_html_(self) -> str:
        import html

        lang = display_lang(self)
        t = PHRASES.text(lang)
        rows = "".join(
            f"<tr><td>{html.escape(s.name)}</td><td>{html.escape(s.department or '')}</td>"
            f"<td>{html.escape(s.role or '')}</td><td>{html.escape(s.time_limit.text if s.time_limit else '')}</td></tr>"
            for s in self.steps)
        heads = "".join(f"<th>{t(key)}</th>"
                        for key in ("html_step", "html_department", "html_role", "html_time_limit"))
        rules = "".join(f"<li>{html.escape(r.describe(lang))}</li>" for r in self.rules)
        return (f"<b>{html.escape(self.process)}</b> ({t('html_steps', n=len(self.steps))})"
                f"<table><tr>{heads}</tr>{rows}</table>"
                + (f"<ul>{rules}</ul>" if rules else ""))


def _explore(net, im, fm, without: str | None) -> tuple[bool, frozenset[tuple[str, str]], set[str], bool]:
    """Breadth-first over the reachable markings (transitions labelled ``without`` disabled).

    Returns whether the final marking is reachable, the pairs of visible transitions enabled
    together in some marking (they may run at the same time), the labels that can fire, and
    whether the search finished.
    """
    transitions = [t for t in net.transitions if without is None or t.label != without]
    inputs = {t: tuple((a.source, a.weight) for a in t.in_arcs) for t in transitions}
    outputs = {t: tuple((a.target, a.weight) for a in t.out_arcs) for t in transitions}
    start = frozenset(im.items())
    final = frozenset(fm.items())
    seen = {start}
    queue = deque([start])
    concurrent: set[tuple[str, str]] = set()
    fired: set[str] = set()
    reached = False
    while queue:
        state = queue.popleft()
        if state == final:
            reached = True
        tokens = dict(state)
        enabled = [t for t in transitions if all(tokens.get(p, 0) >= w for p, w in inputs[t])]
        visible = sorted({t.label for t in enabled if t.label is not None})
        fired.update(visible)
        concurrent.update((a, b) for i, a in enumerate(visible) for b in visible[i + 1:])
        for t in enabled:
            after = dict(tokens)
            for p, w in inputs[t]:
                after[p] -= w
                if not after[p]:
                    del after[p]
            for p, w in outputs[t]:
                after[p] = after.get(p, 0) + w
            key = frozenset(after.items())
            if key not in seen:
                if len(seen) >= MAX_MARKINGS:
                    return reached, frozenset(concurrent), fired, False
                seen.add(key)
                queue.append(key)
    # two labels enabled together only compete for one token when they share an input place
    shared = {(a, b) for a, b in concurrent if _compete(net, a, b)}
    return reached, frozenset(concurrent - shared), fired, True


def _compete(net, a: str, b: str) -> bool:
    places_a = {arc.source for t in net.transitions if t.label == a for arc in t.in_arcs}
    places_b = {arc.source for t in net.transitions if t.label == b for arc in t.in_arcs}
    return bool(places_a & places_b)


# ------------------------------------------------------------------------------------------
# flows → BPMN (pm4py object)
# ------------------------------------------------------------------------------------------
def build_bpmn(design: Design):
    """A BPMN model of the design's flows: exclusive gateways where a step has several
    possible next steps, parallel gateways where the next steps form a ``parallel`` group."""
    from procmine import _engine

    BPMN = _engine.bpmn_classes()

    model = BPMN(name=design.process)
    nodes: dict[str, Any] = {START: BPMN.NormalStartEvent(name="开始"), END: BPMN.NormalEndEvent(name="结束")}
    for step in design.steps:
        nodes[step.name] = BPMN.Task(name=step.name)
    flows = list(design.flows)
    # A parallel group whose members all lead to the same next steps is a block: the members
    # join first (parallel gateway), then the next step is chosen (exclusive gateway).
    joins: dict[str, list[str]] = {}
    for i, group in enumerate(design.parallel):
        outs = {frozenset(b for a, b in flows if a == member) for member in group}
        if len(outs) != 1 or not next(iter(outs)):
            continue
        after = next(iter(outs))
        key = f"__join_{i}__"
        joins[key] = sorted(group)
        nodes[key] = BPMN.ParallelGateway(gateway_direction=BPMN.Gateway.Direction.CONVERGING)
        position = min(i for i, (a, b) in enumerate(flows) if a in group and b in after)
        kept = [f for f in flows if not (f[0] in group and f[1] in after)]
        position = sum(1 for f in flows[:position] if f in kept)
        order = {name: i for i, name in enumerate([END, *design.step_names])}
        block = [(m, key) for m in sorted(group)] + [(key, t) for t in sorted(after, key=order.get)]
        flows = kept[:position] + block + kept[position:]
    for node in nodes.values():
        model.add_node(node)
    targets: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}
    for a, b in flows:
        targets.setdefault(a, []).append(b)
        sources.setdefault(b, []).append(a)
    added: set[tuple[int, int]] = set()

    def connect(a, b) -> None:
        if (id(a), id(b)) not in added:
            added.add((id(a), id(b)))
            model.add_flow(BPMN.SequenceFlow(a, b))

    def gateways(node_name: str, others: list[str], diverging: bool) -> dict[str, Any]:
        """The node each neighbour connects through: the step itself, or its gateways."""
        direction = BPMN.Gateway.Direction.DIVERGING if diverging else BPMN.Gateway.Direction.CONVERGING
        node = nodes[node_name]
        bundles, singles = [], list(others)
        for group in design.parallel:
            members = [o for o in others if o in group]
            if len(members) >= 2:
                bundles.append(members)
                singles = [o for o in singles if o not in members]
        branches = len(bundles) + len(singles)
        port: dict[str, Any] = {o: node for o in singles}
        hub = node
        if branches > 1:
            hub = BPMN.ExclusiveGateway(gateway_direction=direction)
            model.add_node(hub)
            connect(node, hub) if diverging else connect(hub, node)
            port = {o: hub for o in singles}
        for members in bundles:
            gate = BPMN.ParallelGateway(gateway_direction=direction)
            model.add_node(gate)
            connect(hub, gate) if diverging else connect(gate, hub)
            port.update({o: gate for o in members})
        return port

    out_port = {a: gateways(a, sorted(set(bs), key=bs.index), True) for a, bs in targets.items()}
    in_port = {b: (gateways(b, sorted(set(as_), key=as_.index), False) if b not in joins
                   else {m: nodes[b] for m in joins[b]}) for b, as_ in sources.items()}
    for a, b in flows:
        connect(out_port[a][b], in_port[b][a])
    return model


def parse_target(name: str, value: Any, where: str) -> Target:
    """``lead_time: 3wd``; ``rejection_rate: 10%``; ``first_time_right: ≥90%``."""
    from procmine.calendar import CalendarError, parse_duration_target

    if name not in TARGET_NAMES:
        raise DesignError(f"{where}: unknown target {name!r}; use {', '.join(TARGET_NAMES)} "
                          "(e.g. lead_time: 3wd, rejection_rate: 10%, first_time_right: 90%).")
    text = str(value)
    if name == "lead_time":
        try:
            return Target(name, parse_duration_target(text), text)
        except CalendarError as exc:
            raise DesignError(f"{where}: lead_time: {exc}") from None
    body = text.strip().lstrip("≤≥<>=").replace("％", "%").strip()
    try:
        share = float(body[:-1]) / 100 if body.endswith("%") else float(body)
    except ValueError:
        share = None
    if share is None or not 0 <= share <= 1:
        raise DesignError(f"{where}: {name} must be a share such as 10% or 0.1, got {value!r}.")
    return Target(name, share, text)
