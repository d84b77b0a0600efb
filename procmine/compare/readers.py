"""Read a designed process from YAML (procmine's format), the method's step table
(CSV/XLSX with 流程步骤, 操作说明, 责任部门/岗位, 时间要求, 输出成果, 关键控制点) or BPMN 2.0 XML.

    >>> design = read_design("sample_logs/客户投诉处理.design.yaml")     # doctest: +SKIP
    >>> design = read_design("流程操作说明.xlsx")                          # doctest: +SKIP
    >>> design = read_design("future.bpmn")                               # doctest: +SKIP
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from procmine.calendar import CalendarError, Duration, parse_duration_target
from procmine.compare.design import END, END_WORDS, START, START_WORDS, Design, DesignStep, parse_target
from procmine.compare.rules import parse_rule
from procmine.errors import DesignError, ProcmineError

__all__ = ["read_design"]

STEP_KEYS = {"name", "department", "role", "time_limit", "output", "control", "description", "aliases"}
TOP_KEYS = {"process", "steps", "flows", "parallel", "rules", "targets"}
#: Generic owners in a step table ("责任部门/专员") that name no particular department.
GENERIC_OWNERS = {"责任部门", "相关部门", "各部门", "业务部门", "对应部门", "责任人", "相关人员", "专员", "经办人",
                  "申请部门", "发起部门", "申请人", "发起人"}
_DEPARTMENT_ENDINGS = ("部", "中心", "处", "科", "室", "办", "办公室", "委员会", "组", "局", "所", "院", "事业部", "分公司")


def read_design(path: str | Path) -> Design:
    """Read a design: ``.yaml``/``.yml``, a step table (``.csv``/``.xlsx``/``.xls``/``.tsv``),
    or BPMN 2.0 XML (``.bpmn``/``.xml``)."""
    path = Path(path)
    if not path.exists():
        raise DesignError(f"{path}: no such file. Give the design as YAML, a step table (CSV/XLSX) or BPMN.")
    if path.is_dir():
        raise DesignError(f"{path}: is a folder; give the design file itself.")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml_design(path)
    if suffix in (".bpmn", ".xml"):
        from procmine.compare.bpmn_design import read_bpmn_design

        return read_bpmn_design(path)
    if suffix in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls"):
        return read_step_table(path)
    raise DesignError(f"{path}: unknown design format {suffix or '(no extension)'}; use .yaml, .csv/.xlsx "
                      "(the step table) or .bpmn.")


# ------------------------------------------------------------------------------------------
# YAML
# ------------------------------------------------------------------------------------------
def _clean(value: Any) -> str:
    """Names stay as written (matching with the log's names ignores width and spacing)."""
    return str(value).strip()


def _endpoint(name: str) -> str:
    lowered = name.lower()
    if lowered in START_WORDS:
        return START
    if lowered in END_WORDS:
        return END
    return name


def _limit(text: Any, where: str) -> Duration | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_duration_target(str(text))
    except CalendarError as exc:
        raise DesignError(f"{where}: {exc}") from None


def read_yaml_design(path: Path) -> Design:
    import yaml

    from procmine.read.files import decode_bytes

    try:  # UTF-8 (with or without BOM), GBK/GB18030, UTF-16: detected as for logs
        text, _encoding = decode_bytes(path.read_bytes(), path)
    except ProcmineError as exc:
        raise DesignError(f"{exc} Save the YAML as UTF-8.") from None
    try:
        _refuse_aliases(text, path)  # an alias bomb of a few hundred bytes expands to gigabytes
        data = yaml.safe_load(text)
        lines = _line_numbers(yaml.compose(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1} column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DesignError(f"{where}: not valid YAML ({problem}). Check the indentation and that lists start "
                          "with '- '.") from None
    if data is None:
        raise DesignError(f"{path}: the file is empty; a design has process, steps and flows (see docs/design-formats.md).")
    if not isinstance(data, dict):
        raise DesignError(f"{path}: a design is a mapping with process, steps, flows (optional: parallel, rules, "
                          f"targets); got {type(data).__name__}.")

    def where(*keys) -> str:
        line = lines.get(keys)
        label = ".".join(str(k) if not isinstance(k, int) else f"[{k + 1}]" for k in keys).replace(".[", "[")
        return f"{path}, {label}" + (f" (line {line})" if line else "")

    unknown = sorted(set(map(str, data)) - TOP_KEYS)
    if unknown:
        raise DesignError(f"{where(unknown[0])}: unknown key {unknown[0]!r}; a design has {', '.join(sorted(TOP_KEYS))}.")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise DesignError(f"{where('steps')}: steps must be a list of steps, e.g. '- name: 投诉接收'.")
    steps = []
    for i, raw in enumerate(raw_steps):
        if isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, dict) or not raw.get("name"):
            raise DesignError(f"{where('steps', i)}: each step needs a name, e.g. '- name: 投诉接收'; got {raw!r}.")
        extra = sorted(set(map(str, raw)) - STEP_KEYS)
        if extra:
            raise DesignError(f"{where('steps', i, extra[0])}: unknown step field {extra[0]!r}; a step has "
                              f"{', '.join(sorted(STEP_KEYS))}.")
        aliases = raw.get("aliases") or ()
        if isinstance(aliases, str):
            aliases = [aliases]
        steps.append(DesignStep(
            name=_clean(raw["name"]),
            department=_clean(raw["department"]) if raw.get("department") else None,
            role=_clean(raw["role"]) if raw.get("role") else None,
            time_limit=_limit(raw.get("time_limit"), where("steps", i, "time_limit")),
            output=raw.get("output"), control=raw.get("control"), description=raw.get("description"),
            aliases=tuple(_clean(a) for a in aliases),
        ))
    names = [s.name for s in steps]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise DesignError(f"{where('steps', i)}: step {name!r} is listed twice; each step once, please.")
    known = set(names) | {START, END}
    flows: list[tuple[str, str]] = []
    raw_flows = data.get("flows")
    if raw_flows is None:
        flows = _sequence(names)
    else:
        if not isinstance(raw_flows, list):
            raise DesignError(f"{where('flows')}: flows must be a list of pairs, e.g. '- [投诉接收, 投诉分类]'.")
        for i, pair in enumerate(raw_flows):
            if isinstance(pair, dict) and len(pair) == 1:
                pair = list(pair.items())[0]
            if isinstance(pair, str) and ("→" in pair or "->" in pair):
                pair = re.split(r"\s*(?:→|->)\s*", pair)
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(pair):
                raise DesignError(f"{where('flows', i)}: a flow is a pair [from, to], e.g. '- [投诉接收, 投诉分类]'; "
                                  f"got {pair!r}.")
            flow = (_endpoint(_clean(pair[0])), _endpoint(_clean(pair[1])))
            unknown = [n for n in flow if n not in known]
            if unknown:
                raise DesignError(f"{where('flows', i)}: {unknown[0]!r} is not a step of the design (steps: "
                                  f"{', '.join(names)}); add it under steps or fix the name.")
            flows.append(flow)
        flows = _with_ends(names, flows)
    parallel = []
    for i, group in enumerate(data.get("parallel") or []):
        if not isinstance(group, list) or len(group) < 2:
            raise DesignError(f"{where('parallel', i)}: a parallel group lists two or more steps, e.g. "
                              f"'- [法务复核, 客户回访]'; got {group!r}.")
        members = frozenset(_clean(g) for g in group)
        unknown = sorted(members - set(names))
        if unknown:
            raise DesignError(f"{where('parallel', i)}: {unknown[0]!r} is not a step of the design (steps: "
                              f"{', '.join(names)}).")
        parallel.append(members)
    rules_raw = data.get("rules") or []
    if not isinstance(rules_raw, list):
        raise DesignError(f"{where('rules')}: rules must be a list, e.g. '- four_eyes: [投诉分类, 调查与处理]'.")
    rules = tuple(parse_rule(entry, where("rules", i)) for i, entry in enumerate(rules_raw))
    for i, rule in enumerate(rules):
        unknown = [a for a in rule.activities if a not in names]
        if unknown:
            raise DesignError(f"{where('rules', i)}: the rule names {unknown[0]!r}, which is not a step of the design "
                              f"(steps: {', '.join(names)}).")
    targets_raw = data.get("targets") or {}
    if not isinstance(targets_raw, dict):
        raise DesignError(f"{where('targets')}: targets is a mapping, e.g. 'lead_time: 3wd'.")
    targets = tuple(parse_target(str(k), v, where("targets", k)) for k, v in targets_raw.items())
    try:
        return Design(process=_clean(data.get("process") or path.stem), steps=tuple(steps), flows=tuple(flows),
                      parallel=tuple(parallel), rules=rules, targets=targets, source=path, form="yaml")
    except DesignError:
        raise
    except ProcmineError as exc:
        raise DesignError(f"{path}: {exc}") from None


def _refuse_aliases(text: str, path: Path) -> None:
    """A design names every step in full: YAML anchors and aliases (``&a``/``*a``), which let a
    few lines stand for millions of nodes, are refused before anything is built."""
    import yaml

    for token in yaml.scan(text):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
            raise DesignError(f"{path}, line {token.start_mark.line + 1}: YAML anchors and aliases "
                              f"({sign}{token.value}) are not allowed in a design; write the steps out in full.")


def _line_numbers(node, keys: tuple = ()) -> dict[tuple, int]:
    """(key path) → 1-based line of each node in the YAML, for error messages."""
    import yaml

    found: dict[tuple, int] = {}
    if node is None:
        return found
    found[keys] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            found[keys + (key,)] = key_node.start_mark.line + 1
            found.update({k: v for k, v in _line_numbers(value_node, keys + (key,)).items() if k != keys + (key,)})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found.update(_line_numbers(item, keys + (i,)))
    return found


def _sequence(names: list[str]) -> list[tuple[str, str]]:
    chain = [START, *names, END]
    return list(zip(chain, chain[1:]))


def _sequence_in_blocks(names: list[str], parallel: tuple[frozenset[str], ...]) -> list[tuple[str, str]]:
    """Steps in table order; consecutive steps of one parallel group run side by side."""
    blocks: list[list[str]] = []
    for name in names:
        group = next((g for g in parallel if name in g), None)
        if blocks and group is not None and blocks[-1][0] in group:
            blocks[-1].append(name)
        else:
            blocks.append([name])
    chain = [[START], *blocks, [END]]
    return [(a, b) for left, right in zip(chain, chain[1:]) for a in left for b in right]


def _with_ends(names: list[str], flows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Steps nothing flows into start a case, steps that flow nowhere end it (besides the
    starts and ends the design names with 开始 / 结束)."""
    incoming = {b for a, b in flows if a != b}
    outgoing = {a for a, b in flows if a != b}
    starts = [n for n in names if n not in incoming and (START, n) not in flows]
    if not starts and not any(a == START for a, _ in flows):
        starts = names[:1]
    ends = [n for n in names if n not in outgoing and (n, END) not in flows]
    if not ends and not any(b == END for _, b in flows):
        ends = names[-1:]
    return [(START, n) for n in starts] + flows + [(n, END) for n in ends]


# ------------------------------------------------------------------------------------------
# the method's step table
# ------------------------------------------------------------------------------------------
STEP_TABLE_COLUMNS = {
    "name": ("流程步骤", "步骤", "环节", "步骤名称", "环节名称", "节点", "节点名称", "step"),
    "description": ("操作说明", "说明", "工作内容", "description"),
    "owner": ("责任部门/岗位", "责任部门／岗位", "责任部门", "责任岗位", "责任人", "owner", "responsible"),
    "time_limit": ("时间要求", "时限", "时限要求", "完成时限", "time_limit", "time limit"),
    "output": ("输出成果", "输出", "输出文件", "output"),
    "control": ("关键控制点", "控制点", "control"),
    "next": ("下一步", "下一步骤", "后续步骤", "next"),
    "parallel": ("并行", "并行组", "parallel"),
}
_NUMBERING = re.compile(r"^\s*(?:第?[0-9０-９一二三四五六七八九十]+[步]?\s*[.、．)）:：]?|[（(][0-9一二三四五六七八九十]+[)）]|步骤\s*[0-9]+[.:：]?)\s*")


def _header_key(header: str) -> str | None:
    clean = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).lower()
    for key, names in STEP_TABLE_COLUMNS.items():
        if clean in {re.sub(r"\s+", "", unicodedata.normalize("NFKC", n)).lower() for n in names}:
            return key
    return None


def split_owner(text: str | None) -> tuple[str | None, str | None]:
    """``客服部/投诉主管`` → (客服部, 投诉主管); ``法务部`` → (法务部, None); ``责任部门/专员`` → (None, None)."""
    if not text:
        return None, None
    text = unicodedata.normalize("NFKC", text)
    bracketed = re.fullmatch(r"\s*([^()]+?)\s*\(\s*([^()]+?)\s*\)\s*", text)  # 财务部（出纳）
    if bracketed:
        text = f"{bracketed.group(1)}/{bracketed.group(2)}"
    parts = [p.strip() for p in re.split(r"[/、|]|\s+-\s+|(?<=[部室处科心组办])[-—–]", text) if p.strip()]
    parts = [p for p in parts if p not in GENERIC_OWNERS]
    if not parts:
        return None, None
    if len(parts) == 1:
        part = parts[0]
        return (part, None) if part.endswith(_DEPARTMENT_ENDINGS) else (None, part)
    return parts[0], parts[1]


def read_step_table(path: Path) -> Design:
    from procmine.read.files import ROW, open_table

    try:
        raw = open_table(path)
    except ProcmineError as exc:
        raise DesignError(str(exc)) from None
    frame = _below_title_rows(raw.frame, ROW)
    keys = {}
    for column in frame.columns:
        if column == ROW:
            continue
        key = _header_key(column)
        if key and key not in keys:
            keys[key] = column
    if "name" not in keys:
        headers = ", ".join(c for c in frame.columns if c != ROW)
        raise DesignError(f"{path}: no 流程步骤 column; the step table needs the columns 流程步骤, 操作说明, "
                          f"责任部门/岗位, 时间要求, 输出成果, 关键控制点 (found: {headers}).")
    row_word = raw.source.row_word if hasattr(raw.source, "row_word") else "row"
    steps, nexts, groups = [], {}, {}
    for record in frame.iter_rows(named=True):
        row = record[ROW]
        name_cell = record[keys["name"]]
        if name_cell is None or not str(name_cell).strip():
            if any(record[c] not in (None, "") for c in keys.values() if c != keys["name"]):
                raise DesignError(f"{path}, {row_word} {row}, column {keys['name']}: the step has no name; "
                                  "fill in 流程步骤 or delete the row.")
            continue
        name = _NUMBERING.sub("", unicodedata.normalize("NFKC", str(name_cell))).strip()
        if not name:
            raise DesignError(f"{path}, {row_word} {row}, column {keys['name']}: {name_cell!r} is only a number; "
                              "write the step name after it, e.g. '1.投诉接收'.")
        department, role = split_owner(_cell(record, keys, "owner"))
        limit_text = _cell(record, keys, "time_limit")
        try:
            limit = parse_duration_target(limit_text) if limit_text else None
        except CalendarError as exc:
            raise DesignError(f"{path}, {row_word} {row}, column {keys['time_limit']}: {exc}") from None
        steps.append(DesignStep(name=name, department=department, role=role, time_limit=limit,
                                output=_cell(record, keys, "output"), control=_cell(record, keys, "control"),
                                description=_cell(record, keys, "description")))
        if _cell(record, keys, "next"):
            nexts[name] = (row, [_NUMBERING.sub("", n).strip() for n in re.split(r"[,，、;；/]", _cell(record, keys, "next"))
                                 if n.strip()])
        if _cell(record, keys, "parallel"):
            groups.setdefault(_cell(record, keys, "parallel"), []).append(name)
    if not steps:
        raise DesignError(f"{path}: the step table has no steps under {keys['name']}.")
    names = [s.name for s in steps]
    if nexts:
        flows = []
        for i, name in enumerate(names):
            if name in nexts:
                row, targets = nexts[name]
                for target in targets:
                    target = _endpoint(target)
                    if target not in names and target not in (START, END):
                        raise DesignError(f"{path}, {row_word} {row}, column {keys['next']}: {target!r} is not a step "
                                          f"of the table (steps: {', '.join(names)}).")
                    flows.append((name, target))
            elif i + 1 < len(names):
                flows.append((name, names[i + 1]))
        flows = _with_ends(names, flows)
    parallel = tuple(frozenset(g) for g in groups.values() if len(g) >= 2)
    if not nexts:
        flows = _sequence_in_blocks(names, parallel)
    return Design(process=path.name.split(".")[0], steps=tuple(steps), flows=tuple(flows), parallel=parallel, source=path,
                  form="step_table")


def _below_title_rows(frame, row_column: str, look: int = 5):
    """A CSV with a title line above the header (流程操作说明 …): use the first row that holds a
    流程步骤 column as the header. (Excel title rows are already skipped when the sheet is read.)"""
    import polars as pl

    if any(_header_key(c) == "name" for c in frame.columns if c != row_column):
        return frame
    data = [c for c in frame.columns if c != row_column]
    for i, values in enumerate(frame.select(data).head(look).iter_rows()):
        if any(v is not None and _header_key(str(v)) == "name" for v in values):
            names, seen = [], set()
            for j, value in enumerate(values):
                name = str(value).strip() if value not in (None, "") else f"column_{j + 1}"
                while name in seen or name == row_column:
                    name += "_"
                seen.add(name)
                names.append(name)
            body = frame.slice(i + 1)
            return body.select([pl.col(old).alias(new) for old, new in zip(data, names)] + [pl.col(row_column)])
    return frame


def _cell(record: dict, keys: dict, key: str) -> str | None:
    column = keys.get(key)
    if column is None:
        return None
    value = record.get(column)
    if value is None:
        return None
    text = str(value).strip()
    return text or None
