"""A designed process from BPMN 2.0 XML drawn in a modeller (bpmn.io, Camunda Modeler, Signavio).

Tasks become steps; sequence flows through gateways and intermediate events become the
allowed hand-offs between tasks; a lane's name gives its tasks' department (and role, as in
``客服部/投诉主管``); a task's documentation may carry its time limit (``时限：2个工作日``).
The Petri net for the replay is pm4py's own conversion of pm4py's reading of the same file,
so procmine's fitness is the fitness pm4py computes on that net.
"""

from __future__ import annotations

import re
from pathlib import Path

from procmine.calendar import CalendarError, parse_duration_target
from procmine.compare.design import END, START, Design, DesignStep
from procmine.errors import DesignError

TASK_TAGS = {"task", "userTask", "serviceTask", "manualTask", "scriptTask", "businessRuleTask", "sendTask",
             "receiveTask", "callActivity", "subProcess"}
GATEWAY_TAGS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENT_TAGS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
_LIMIT = re.compile(r"(?:时限|时间要求|完成时限|time\s*limit)\s*[:：]\s*(?P<limit>[^\n;；,，]+)", re.I)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def read_bpmn_design(path: Path) -> Design:
    from lxml import etree

    from procmine.compare.readers import split_owner

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise DesignError(f"{path}, line {exc.lineno}: not well-formed XML ({exc.msg}). Export the model again "
                          "as BPMN 2.0 XML.") from None
    processes = [e for e in root.iter() if _local(e.tag) == "process"]
    if _local(root.tag) != "definitions" or not processes:
        raise DesignError(f"{path}: not a BPMN 2.0 model (no <definitions> with a <process>); export the diagram "
                          "as BPMN 2.0 XML from the modeller.")
    nodes: dict[str, tuple[str, str, int]] = {}  # id → (tag, name, line)
    flows: list[tuple[str, str, str, int]] = []  # id, source, target, line
    attached: dict[str, str] = {}  # boundary event → task
    lane_of: dict[str, str] = {}
    documentation: dict[str, str] = {}
    for element in root.iter():
        tag = _local(element.tag)
        element_id = element.get("id")
        if tag in TASK_TAGS | GATEWAY_TAGS | EVENT_TAGS:
            if not element_id:
                raise DesignError(f"{path}, line {element.sourceline}: <{tag}> has no id.")
            nodes[element_id] = (tag, _clean(element.get("name")), element.sourceline)
            if tag == "boundaryEvent" and element.get("attachedToRef"):
                attached[element_id] = element.get("attachedToRef")
            docs = [d.text or "" for d in element if _local(d.tag) == "documentation"]
            if docs:
                documentation[element_id] = "\n".join(docs)
        elif tag == "sequenceFlow":
            flows.append((element_id or "?", element.get("sourceRef"), element.get("targetRef"), element.sourceline))
        elif tag == "lane":
            refs = [r.text.strip() for r in element if _local(r.tag) == "flowNodeRef" and r.text]
            for ref in refs:
                lane_of.setdefault(ref, _clean(element.get("name")))
    # tasks inside a sub-process are steps of their own; the sub-process is a container
    for element in root.iter():
        if _local(element.tag) == "subProcess" and any(_local(c.tag) in TASK_TAGS for c in element):
            nodes.pop(element.get("id"), None)
    tasks = {i: v for i, v in nodes.items() if v[0] in TASK_TAGS}
    if not tasks:
        raise DesignError(f"{path}: the model has no tasks; a design needs at least one task (步骤).")
    for task_id, (tag, name, line) in tasks.items():
        if not name:
            raise DesignError(f"{path}, line {line}: <{tag} id=\"{task_id}\"> has no name; name every task after "
                              "the step it stands for (e.g. 部门经理审批).")
    for flow_id, source, target, line in flows:
        for end, ref in (("sourceRef", source), ("targetRef", target)):
            if not ref or ref not in nodes:
                known = "missing" if not ref else f"{ref!r}, which is not an element of the process"
                raise DesignError(f"{path}, line {line}: <sequenceFlow id=\"{flow_id}\"> has {end} {known}; "
                                  "reconnect the arrow in the modeller.")

    successors: dict[str, list[str]] = {}
    for _flow_id, source, target, _line in flows:
        successors.setdefault(source, []).append(target)
    for event, task in attached.items():
        successors.setdefault(task, []).append(event)

    def next_tasks(node: str) -> set[str]:
        found, stack, seen = set(), list(successors.get(node, [])), set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            tag = nodes[current][0]
            if tag in TASK_TAGS:
                found.add(tasks[current][1])
            elif tag == "endEvent":
                found.add(END)
            else:
                stack.extend(successors.get(current, []))
        return found

    design_flows: list[tuple[str, str]] = []
    for node_id, (tag, name, _line) in nodes.items():
        if tag in TASK_TAGS or tag == "startEvent":
            source = name if tag in TASK_TAGS else START
            if tag == "startEvent" and node_id in attached:
                continue
            for target in sorted(next_tasks(node_id)):
                if (source, target) not in design_flows:
                    design_flows.append((source, target))
    if not any(a == START for a, _ in design_flows):
        raise DesignError(f"{path}: the model has no start event connected to a task; add a start event and connect it.")
    if not any(b == END for _, b in design_flows):
        raise DesignError(f"{path}: no task leads to an end event; add an end event and connect the last task.")

    steps, seen_names = [], set()
    for task_id, (_tag, name, line) in sorted(tasks.items(), key=lambda item: item[1][2]):
        if name in seen_names:
            continue
        seen_names.add(name)
        department, role = split_owner(lane_of.get(task_id))
        limit = None
        match = _LIMIT.search(documentation.get(task_id, ""))
        if match:
            try:
                limit = parse_duration_target(match.group("limit").strip())
            except CalendarError as exc:
                raise DesignError(f"{path}, line {line}: the documentation of task {name!r}: {exc}") from None
        steps.append(DesignStep(name=name, department=department, role=role, time_limit=limit,
                                description=documentation.get(task_id)))

    engine = _pm4py_model(path, root)
    name = next((p.get("name") for p in processes if p.get("name")), None) or path.stem
    return Design(process=_clean(name), steps=tuple(steps), flows=tuple(design_flows), source=path, form="bpmn",
                  engine_model=engine)


def _pm4py_model(path: Path, root):
    """pm4py's reading of the model. pm4py only reads UTF-8, so a model saved in another
    declared encoding (GBK) is handed over re-encoded; the elements are the same."""
    import tempfile

    from lxml import etree

    from procmine import _engine

    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper().replace("_", "-")
    with tempfile.TemporaryDirectory() as folder:
        source = path
        if encoding not in ("UTF-8", "UTF8", "ASCII", "US-ASCII"):
            source = Path(folder) / "model.bpmn"
            source.write_bytes(etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True))
        try:
            return _engine.read_bpmn(str(source))
        except Exception as exc:  # pm4py's importer raises plain exceptions on odd models
            raise DesignError(f"{path}: pm4py cannot read this BPMN model ({type(exc).__name__}: {exc}).") from None
