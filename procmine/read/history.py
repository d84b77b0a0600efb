"""Approval-history exports: one row per approval instance, the steps packed into one text column.

DingTalk, Feishu/Lark, WeCom and the classic OA suites export 审批编号, 标题, 发起人, 发起人部门,
发起时间, 完成时间, 审批状态, 审批结果 … and a column (审批记录 / 审批历史 / 操作记录) whose text
lists the steps, one per line::

    2025-03-05 10:02 张三(财务部) 同意 意见:无误
    张三 已同意 2025/3/5 10:02
    [2025-03-05 10:02:11] 财务部-张三：同意（无误）
    张三(财务部) 2025-03-05 10:02 已同意                      (DingTalk)
    【部门经理审批】张三 同意 2025-03-05 10:02
    审批人：张三；审批结果：同意；审批时间：2025-03-05 10:02      (label: value)

Entries may be separated by line breaks (``\\n``, ``\\r\\n``), ``；`` or ``|``, or written as
blocks of lines separated by a blank line (Feishu: name, time, action, comment on lines of
their own). Full-width brackets, colons and digits are read as their ASCII forms.

:func:`expand_history` turns each instance into events: the submission (提交) from the
history's own submit line, else from the instance columns (发起人 → resource, 发起人部门 →
department, 发起时间 → time), then one event per history entry. The other instance columns
stay on every event as case attributes. A line that cannot be read is counted and shown (its
instance's row in the file and its text), never dropped silently and never turned into an
invented event; ``history_pattern`` (``--history-pattern``) describes other shapes.

Activity names: an explicit node in the line (``【部门经理审批】``, ``张三(部门经理审批)``,
``节点：…``) is the activity; otherwise the department + 审批 (``财务部审批``), else the role
(``财务总监审批``), else the person (``张三审批``). Submissions are ``提交`` (a later one in the
same instance ``重新提交``), withdrawals ``撤回``. ``outcome`` is the normalised action (同意,
驳回, 退回, 转交, 加签, 提交, 撤回, 已阅, 办理); the line's own words stay in ``action``.

Counting: every history entry (and each submission taken from the instance columns) is a
record read, so ``rows_read == events + dropped + merged`` holds. The events' ``row`` numbers
the entries (it must be unique within a case); ``file_row`` is the instance's row in the file,
and the examples in the data-quality report give file rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from procmine.check import DROPPED, KEPT, DataQualityReport, Finding
from procmine.errors import ColumnError
from procmine.outcomes import OUTCOMES, prose_words
from procmine.read.columns import ColumnMapping, _candidates, normalise_header
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import RawTable
from procmine.read.timestamps import parse_timestamps

__all__ = ["HISTORY_HEADERS", "ACTIONS", "HistoryEntry", "parse_history", "find_history_column", "expand_history"]

EXAMPLES = 3
#: An instance export has (about) one row per case id; a few rows exported twice are tolerated.
INSTANCE_SHARE = 0.8
#: Unreadable history lines listed in their finding (the report prints the first three).
UNPARSED_EXAMPLES = 10
#: A "name" longer than this is a sentence: the line is not in a known shape.
MAX_NAME_CHARS = 24

#: Headers of the history column, compared after normalisation.
HISTORY_HEADERS = [
    "审批记录", "审批历史", "操作记录", "审批意见记录", "流转记录", "审批流转记录", "审批流程记录", "审批过程",
    "处理记录", "办理记录", "流程记录", "审批日志", "审批轨迹", "流程轨迹", "历史审批记录", "审批历史记录",
    "审批流程", "流转意见", "审批详情", "approvalhistory", "approvalrecords", "approvalrecord", "history",
    "processhistory", "workflowhistory",
]
#: A header containing one word of each list is a history column too (审批操作记录, 流程审批日志 …).
_HISTORY_WORDS = ("记录", "历史", "轨迹", "日志", "history", "log")
_HISTORY_TOPICS = ("审批", "操作", "流程", "处理", "办理", "流转", "approval", "workflow", "process")

#: Instance columns of the submission, best first.
SUBMITTER_HEADERS = ["发起人", "发起人姓名", "申请人", "申请人姓名", "提交人", "创建人", "发起者", "initiator",
                     "applicant", "originator", "submitter", "creator"]
SUBMITTER_DEPARTMENT_HEADERS = ["发起人部门", "申请人部门", "申请部门", "发起部门", "提交人部门", "创建人部门",
                                "所属部门", "部门", "initiatordepartment", "department"]
SUBMIT_TIME_HEADERS = ["发起时间", "申请时间", "提交时间", "创建时间", "发起日期", "申请日期", "createtime",
                       "createdtime", "submittime", "starttime", "开始时间"]
STATUS_HEADERS = ["审批状态", "流程状态", "状态", "单据状态", "status"]
#: Instance statuses of an approval still running when the export was taken.
OPEN_STATUSES = ("审批中", "进行中", "处理中", "待审批", "待处理", "运行中", "流转中", "未完成", "审核中",
                 "running", "pending", "inprogress")

#: Action words in history lines → the normalised action (the event's outcome), from the one
#: vocabulary (:mod:`procmine.outcomes`). A resubmission is a 提交 here: the step after a
#: send-back is named 重新提交 from its place in the history, not from its word.
#: Words too common in a comment to be an action (``cc`` inside "account") are left out.
ACTIONS: dict[str, tuple[str, ...]] = {
    outcome.zh: prose_words(outcome.code) for outcome in OUTCOMES if outcome.code != "resubmit"}
ACTIONS["提交"] = (*prose_words("resubmit"), *ACTIONS["提交"])
#: Entries that are not steps of the process (notifications and remarks).
NOT_STEPS = ("抄送", "评论")
#: Words of a step still waiting when the export was taken.
PENDING_WORDS = ("审批中", "待审批", "处理中", "待处理", "未处理", "进行中", "等待审批", "审核中", "pending")

_ACTION_OF = {word.casefold(): action for action, words in ACTIONS.items() for word in words}
_ACTION_RE = re.compile("|".join(re.escape(w) for w in sorted(_ACTION_OF, key=len, reverse=True)), re.IGNORECASE)
_PENDING_RE = re.compile("|".join(PENDING_WORDS), re.IGNORECASE)

_AMPM = r"(?:上午|下午|中午|晚上|凌晨|早上)?\s*"
_TIME_CORE = (r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?"
              r"(?:\s*" + _AMPM + r"\d{1,2}\s*(?::\s*\d{1,2}(?:\s*:\s*\d{1,2})?|[时点]\s*(?:\d{1,2}\s*分?)?))?")
_TIME_RE = re.compile(r"[\[(【]?\s*(?P<time>" + _TIME_CORE + r")\s*[\])】]?")
_DATE_LIKE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_NODE_RE = re.compile(r"^\s*[【\[](?P<node>[^】\]\d][^】\]]*)[】\]]\s*")
_LABEL_RE = re.compile(
    r"(?P<label>审批节点|节点名称|节点|环节|步骤|审批人|处理人|操作人|办理人|经办人|审核人|所属部门|部门|"
    r"审批结果|处理结果|操作类型|操作|动作|结果|审批时间|处理时间|操作时间|办理时间|时间|日期|"
    r"审批意见|处理意见|意见|备注|评论)\s*:\s*"
)
_LABEL_FIELD = {
    "审批节点": "node", "节点名称": "node", "节点": "node", "环节": "node", "步骤": "node",
    "审批人": "resource", "处理人": "resource", "操作人": "resource", "办理人": "resource", "经办人": "resource",
    "审核人": "resource", "所属部门": "department", "部门": "department",
    "审批结果": "action", "处理结果": "action", "操作类型": "action", "操作": "action", "动作": "action",
    "结果": "action", "审批时间": "time", "处理时间": "time", "操作时间": "time", "办理时间": "time",
    "时间": "time", "日期": "time", "审批意见": "comment", "处理意见": "comment", "意见": "comment",
    "备注": "comment", "评论": "comment",
}
_COMMENT_LABEL = re.compile(r"^\s*(?:审批意见|处理意见|意见|备注|批注|评论|说明|附言|原因|理由)\s*:?\s*")
_HEADER_LINE = re.compile(r"^\s*(?:审批记录|审批历史|审批流程|操作记录|流转记录|审批意见|历史记录)\s*:?\s*$")
_SUBMIT_MARKERS = ("发起人", "申请人", "提交人", "创建人")
_DEPARTMENT_ENDINGS = ("部", "处", "室", "科", "中心", "组", "办", "公司", "部门", "事业部", "分公司", "院", "所", "局", "厅")
_ROLE_ENDINGS = ("经理", "总监", "主管", "总经理", "负责人", "会计", "出纳", "专员", "总裁", "董事长", "主任", "组长",
                 "领导", "总", "cfo", "ceo", "法务", "hr", "hrbp")
_NODE_ENDINGS = ("审批", "审核", "复核", "会签", "签批", "审阅", "节点", "确认", "阅知", "办理")
_SEPARATORS = re.compile(r"[;|]")
_NOT_AN_ACTION = re.compile(r"人|者|时间|日期|部门|率|单")
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}\s*[.、)]|\(\d{1,3}\)|[①-⑳])\s*(?!\d)")
_PUNCT = " \t:;,.-|/·—_>"


@dataclass
class HistoryEntry:
    """One step read from a history line."""

    line: str
    time: str | None = None
    resource: str | None = None
    department: str | None = None
    role: str | None = None
    node: str | None = None
    action: str | None = None       # normalised: 同意, 驳回, 退回, 转交, 加签, 提交, 撤回 …
    action_text: str | None = None  # as written: 已同意, 审批通过 …
    comment: str | None = None
    kind: str = "step"              # step | pending | unparsed (| instance: made from the instance columns)
    place: int = 0                  # position in its cell


# --- reading one cell -------------------------------------------------------------------

def parse_history(text: str | None, pattern: str | re.Pattern | None = None) -> list[HistoryEntry]:
    """The entries of one history cell, in the order written.

    Entries that could not be read have ``kind="unparsed"``; steps still waiting
    (``王五 审批中``) ``kind="pending"``. Times are returned as written (parsed later, per
    column); ``line`` and ``comment`` keep the cell's own characters.

    >>> [(e.resource, e.department, e.action, e.comment) for e in parse_history("2025-03-05 10:02 张三(财务部) 同意 意见:无误")]
    [('张三', '财务部', '同意', '无误')]
    >>> parse_history("张三 已同意 2025/3/5 10:02")[0].time
    '2025/3/5 10:02'
    """
    if text is None:
        return []
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    entries: list[HistoryEntry] = []
    for kind, cleaned, original in _split_entries(str(text)):
        if kind == "comment" and entries:
            previous = entries[-1]
            extra = _COMMENT_LABEL.sub("", cleaned).strip()
            extra = _in_original(cleaned, original, extra) if extra else None
            previous.comment = "\n".join(c for c in (previous.comment, extra) if c) or None
            previous.line += "\n" + original
            continue
        entries.append(_parse_entry(cleaned, original, regex))
    return entries


def _clean(text: str) -> str:
    """Full-width brackets, colons, digits and spaces as ASCII, character for character (the
    result has the same length, so a piece of it can be found in the original)."""
    out = []
    for ch in text:
        if "\uff01" <= ch <= "\uff5e":
            out.append(chr(ord(ch) - 0xFEE0))
        elif ch in "\u3000\u00a0\t":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _in_original(cleaned: str, original: str, piece: str | None) -> str | None:
    """``piece`` (found in ``cleaned``) as the original characters."""
    if not piece:
        return piece
    at = cleaned.find(piece)
    return original[at: at + len(piece)] if at >= 0 else piece


def _split_entries(text: str):
    """Yield ``(kind, cleaned, original)``: kind ``entry`` or ``comment`` (belongs to the entry before)."""
    original_text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned_text = _clean(original_text)
    lines = list(zip(cleaned_text.split("\n"), original_text.split("\n")))
    blocks = _blocks([c for c, _ in lines])
    if blocks is not None:  # Feishu: one entry per block of lines
        for block in blocks:
            yield ("entry", " ".join(lines[i][0].strip() for i in block), " ".join(lines[i][1].strip() for i in block))
        return
    seen_entry = False
    for cleaned_line, original_line in lines:
        if not cleaned_line.strip():
            continue
        for start, end in _split_line(cleaned_line):
            piece, raw_piece = cleaned_line[start:end], original_line[start:end]
            stripped = piece.strip()
            if not stripped or _HEADER_LINE.match(stripped):
                continue
            original = raw_piece.strip()
            if _TIME_RE.search(stripped) or _PENDING_RE.search(stripped):
                seen_entry = True
                yield "entry", stripped, original
                continue
            has_action = _ACTION_RE.search(stripped) is not None
            labelled = _COMMENT_LABEL.match(stripped) is not None
            indented = piece[:1] in (" ", "(", "\"", "“", "'")
            if seen_entry and (labelled or indented or not has_action):
                yield "comment", stripped, original
            else:
                seen_entry = True
                yield "entry", stripped, original


def _blocks(lines: list[str]) -> list[list[int]] | None:
    """Blank-line separated blocks (as line numbers) with at most one time each, when some
    block has several lines: the Feishu layout (name / time / action / comment)."""
    if not any(not line.strip() for line in lines[1:-1]):
        return None
    blocks: list[list[int]] = [[]]
    for number, line in enumerate(lines):
        if line.strip():
            blocks[-1].append(number)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if len(blocks) < 2 or not any(len(b) > 1 for b in blocks):
        return None
    for block in blocks:
        if sum(1 for i in block if _TIME_RE.search(lines[i])) > 1:
            return None
    return blocks


def _split_line(line: str) -> list[tuple[int, int]]:
    """Spans of the entries of a line holding several, separated by ``;`` or ``|`` (each
    with its own time); a piece without time or action is a comment holding the separator."""
    if not _SEPARATORS.search(line):
        return [(0, len(line))]
    spans, start = [], 0
    for found in _SEPARATORS.finditer(line):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(line)))
    if sum(1 for a, b in spans if _TIME_RE.search(line[a:b])) < 2:
        return [(0, len(line))]
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        piece = line[a:b]
        if merged and not _TIME_RE.search(piece) and _ACTION_RE.search(piece) is None:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _parse_entry(line: str, original: str, pattern: re.Pattern | None) -> HistoryEntry:
    numbered = _NUMBERING.match(line)
    if numbered:  # 1. / 2、/ (3) / ④ before the entry
        line, original_line = line[numbered.end():], original[numbered.end():]
    else:
        original_line = original
    entry = _parse_unnumbered(line, original_line, pattern)
    entry.line = original
    return entry


def _parse_unnumbered(line: str, original: str, pattern: re.Pattern | None) -> HistoryEntry:
    entry = None
    if pattern is not None:
        entry = _by_pattern(original, pattern) or _by_pattern(line, pattern)
    if entry is None and len(_LABEL_RE.findall(line)) >= 3:
        entry = _by_labels(line)
    if entry is None:
        entry = _by_shape(line)
    if entry is None:
        found = _PENDING_RE.search(line)
        if found:
            who = _who(_TIME_RE.sub(" ", line[: found.start()]))
            return HistoryEntry(line=original, kind="pending", resource=who[0], department=who[1], role=who[2],
                                action_text=found.group(0))
        found = _find_action(line)
        if found and _ACTION_OF[found.group(0).casefold()] in NOT_STEPS:  # 抄送 赵六 (no time needed)
            return HistoryEntry(line=original, action=_ACTION_OF[found.group(0).casefold()], action_text=found.group(0))
        return HistoryEntry(line=original, kind="unparsed")
    entry.comment = _in_original(line, original, entry.comment)
    return entry


def _by_pattern(line: str, pattern: re.Pattern) -> HistoryEntry | None:
    found = pattern.search(line)
    if not found:
        return None
    groups = {k: (v.strip() if isinstance(v, str) else v) for k, v in found.groupdict().items()}
    if not groups.get("time"):
        return None
    action_text = groups.get("action") or None
    action = _normalise_action(action_text) if action_text else None
    return HistoryEntry(line=line, time=groups["time"], resource=groups.get("resource") or None,
                        department=groups.get("department") or None, role=groups.get("role") or None,
                        node=groups.get("node") or None, action=action, action_text=action_text,
                        comment=groups.get("comment") or None)


def _by_labels(line: str) -> HistoryEntry | None:
    marks = list(_LABEL_RE.finditer(line))
    values: dict[str, str] = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
        value = line[mark.end():end].strip(" ;,|")
        values.setdefault(_LABEL_FIELD[mark.group("label")], value)
    if not values.get("action") and values.get("comment") and _find_action(values["comment"]):
        values["action"] = values["comment"]  # 审批意见：同意
        values.pop("comment")
    if not values.get("time") or not values.get("action"):
        return None
    action_found = _find_action(values["action"])
    action = _ACTION_OF[action_found.group(0).casefold()] if action_found else values["action"]
    return HistoryEntry(line=line, time=values["time"], resource=values.get("resource") or None,
                        department=values.get("department") or None, node=values.get("node") or None,
                        action=action, action_text=values["action"], comment=values.get("comment") or None)


def _by_shape(line: str) -> HistoryEntry | None:
    rest = line
    node = None
    found_node = _NODE_RE.match(rest)
    if found_node and not _TIME_RE.fullmatch(found_node.group(0).strip()):
        node = found_node.group("node").strip()
        rest = rest[found_node.end():]
    found_time = _TIME_RE.search(rest)
    if not found_time:
        return None
    time_text = found_time.group("time").strip()
    rest = rest[: found_time.start()] + " \x00 " + rest[found_time.end():]
    found_action = _find_action(rest)
    if found_action is None:
        return None
    before, after = rest[: found_action.start()], rest[found_action.end():]
    if node is None:  # 张三 【部门经理审批】 同意 …
        inner = re.search(r"[【\[](?P<node>[^】\]]+)[】\]]", before)
        if inner:
            node = inner.group("node").strip()
            before = before[: inner.start()] + before[inner.end():]
    resource, department, role, paren_node = _who(before.replace("\x00", " "))
    node = node or paren_node
    if resource is not None and len(resource) > MAX_NAME_CHARS:
        return None  # a sentence, not a person
    action_text = found_action.group(0)
    comment = _comment(after.replace("\x00", " "))
    return HistoryEntry(line=line, time=time_text, resource=resource, department=department, role=role, node=node,
                        action=_ACTION_OF[action_text.casefold()], action_text=action_text, comment=comment)


def _find_action(text: str) -> re.Match | None:
    """The leftmost action word; for English words only whole words count."""
    for found in _ACTION_RE.finditer(text):
        word = found.group(0)
        if _NOT_AN_ACTION.match(text, found.end()):
            continue  # 发起人, 提交时间, 审批通过率: a noun, not the action
        if word.isascii():
            before = text[found.start() - 1: found.start()]
            after = text[found.end(): found.end() + 1]
            if (before and before.isalnum()) or (after and after.isalnum()):
                continue
        return found
    return None


def _normalise_action(text: str) -> str:
    found = _find_action(text)
    return _ACTION_OF[found.group(0).casefold()] if found else text


def _who(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(resource, department, role, node) from the words before the action."""
    text = text.strip(_PUNCT + " ")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*(?:于|在|at|on)$", "", text, flags=re.IGNORECASE).strip(_PUNCT + " ")
    if not text:
        return None, None, None, None
    department = role = node = None
    if ":" in text:  # 部门经理审批:张三, 财务部:张三
        left, _, right = text.rpartition(":")
        left, right = left.strip(_PUNCT + " "), right.strip(_PUNCT + " ")
        if left and right:
            kind = _classify(left, default="node")
            resource, department, role, node = _who(right)
            if kind == "node":
                node = node or left
            elif kind == "role":
                role = role or left
            elif kind != "submitter":
                department = department or left
            return resource, department, role, node
    paren = re.fullmatch(r"(?P<name>[^()]+?)\s*\((?P<inner>[^()]*)\)", text)
    if paren:
        name, inner = paren.group("name").strip(_PUNCT), paren.group("inner").strip()
        kind = _classify(inner, default="department")
        department, role, node = (inner if kind == "department" else None, inner if kind == "role" else None,
                                  inner if kind == "node" else None)
        if kind == "submitter":
            role = None
        name_parts = _split_pair(name)
        if name_parts:
            extra_department, name = name_parts
            department = department or extra_department
        return name or None, department, role, node
    pair = _split_pair(text)
    if pair:
        department, name = pair
        return name, department, None, None
    return text, None, None, None


def _split_pair(text: str) -> tuple[str, str] | None:
    """``财务部-张三``, ``财务部/张三`` (department first unless the second part is the department),
    ``财务部 张三``, ``张三 财务部`` (only when one part reads as a department) → (department, name)."""
    parts = [p.strip() for p in re.split(r"\s*[-/—·|,]\s*", text) if p.strip()]
    if len(parts) == 2:
        first, second = parts
        if _classify(second) == "department" and _classify(first) != "department":
            return second, first
        return first, second
    parts = text.split()
    if len(parts) == 2:
        first, second = parts
        if _classify(first) == "department" and _classify(second) != "department":
            return first, second
        if _classify(second) == "department" and _classify(first) != "department":
            return second, first
    return None


def _classify(text: str, default: str = "name") -> str:
    """What a word next to a name is: submitter marker, node, department, role (or ``default``)."""
    low = text.casefold()
    if text in _SUBMIT_MARKERS:
        return "submitter"
    if low.endswith(_NODE_ENDINGS):
        return "node"
    if low.endswith(tuple(e.casefold() for e in _DEPARTMENT_ENDINGS)):
        return "department"
    if low.endswith(_ROLE_ENDINGS):
        return "role"
    return default


def _comment(text: str) -> str | None:
    text = text.strip(_PUNCT + " ")
    text = _COMMENT_LABEL.sub("", text).strip()
    while len(text) >= 2 and text[0] in "([“\"" and text[-1] in ")]”\"":
        text = text[1:-1].strip()
    text = _COMMENT_LABEL.sub("", text).strip(_PUNCT + " ")
    return text or None


# --- which column -----------------------------------------------------------------------

def find_history_column(raw: RawTable, given: dict, history_column: str | bool | None,
                        pattern: str | None = None) -> str | None:
    """The history column to expand, or None for an ordinary one-row-per-step log.

    ``history_column`` names it (``False`` or ``"none"``: never); when left out, a column named
    like 审批记录/审批历史/操作记录 is used if most of its cells hold dated entries and each
    instance (case id) has one row.
    """
    headers = [c for c in raw.frame.columns if c != RAW_ROW]
    source = raw.source.path
    if history_column is False or (isinstance(history_column, str) and history_column.strip().lower() == "none"):
        return None
    if isinstance(history_column, str):
        if history_column in headers:
            return history_column
        close = [h for h in headers if normalise_header(h) == normalise_header(history_column)]
        if len(close) == 1:
            return close[0]
        raise ColumnError(f"{source}: history column '{history_column}' does not exist. "
                          f"Columns in the file: {', '.join(repr(h) for h in headers[:30])}.")
    if given.get("activity"):
        return None
    names = {normalise_header(h) for h in HISTORY_HEADERS}
    candidates = []
    for header in headers:
        norm = normalise_header(header)
        named = norm in names or (any(w in norm for w in _HISTORY_WORDS) and any(t in norm for t in _HISTORY_TOPICS))
        if named:
            score = _history_share(raw.frame[header], pattern)
            if score >= 0.5:
                candidates.append((-(norm in names), -score, headers.index(header), header))
    if not candidates:
        return None
    chosen = sorted(candidates)[0][3]
    case = _case_column(headers, given, chosen)
    if case is None:
        return None
    ids = raw.frame[case].cast(pl.String).str.strip_chars().drop_nulls()
    if ids.n_unique() < INSTANCE_SHARE * ids.len():
        return None  # several rows per case: an ordinary step log with a comment column
    return chosen


def _history_share(values: pl.Series, pattern: str | None) -> float:
    """Share of the (first 200) non-empty cells that hold a dated entry."""
    cells = [v for v in values.cast(pl.String).drop_nulls().head(400).to_list() if v.strip()][:200]
    if not cells:
        return 0.0
    regex = re.compile(pattern) if pattern else None
    good = 0
    for cell in cells:
        if regex is not None and regex.search(cell):
            good += 1
        elif _DATE_LIKE.search(_clean(cell)) and (_ACTION_RE.search(cell) or "\n" in cell):
            good += 1
    return good / len(cells)


def _case_column(headers: list[str], given: dict, history: str) -> str | None:
    if given.get("case"):
        return given["case"] if given["case"] in headers else None
    others = [h for h in headers if h != history]
    found = _candidates("case", others, {h: normalise_header(h) for h in others})
    if not found:
        return None
    best = [h for rank, h in found if rank == found[0][0]]
    return best[0] if len(best) == 1 else None


def _named(headers: list[str], spellings: list[str], given: str | None, exclude: set[str]) -> str | None:
    if given:
        return given
    normalised = {normalise_header(h): h for h in headers if h not in exclude}
    for spelling in spellings:
        if normalise_header(spelling) in normalised:
            return normalised[normalise_header(spelling)]
    return None


# --- expanding the table ----------------------------------------------------------------

@dataclass
class ExpandedHistory:
    """A history export turned into one row per event, ready for :func:`procmine.read.build_log`."""

    table: RawTable
    mapping: ColumnMapping
    file_rows: dict[int, int]
    own_findings: list[Finding] = field(default_factory=list)
    open_cases: frozenset[str] = frozenset()

    def point_examples_at_file_rows(self, quality: DataQualityReport) -> None:
        """Examples of the findings made while checking events give entry numbers; show file rows."""
        own = {id(f) for f in self.own_findings}
        for finding in quality.findings:
            if id(finding) not in own:
                finding.examples = [(self.file_rows.get(int(r), int(r)), v) for r, v in finding.examples]


def expand_history(raw: RawTable, column: str, *, given: dict | None = None, pattern: str | None = None,
                   timezone: str = "Asia/Shanghai") -> ExpandedHistory:
    """One event per step of each instance's history (see the module's docstring).

    ``given`` column options name the instance's columns: ``case`` the instance id, ``resource``
    the submitter, ``department`` the submitter's department, ``timestamp`` or
    ``start_timestamp`` the submit time. ``activity``, ``role`` and ``outcome`` come from the
    history itself and cannot be given.
    """
    given = {k: v for k, v in (given or {}).items() if v}
    source = raw.source.path
    headers = [c for c in raw.frame.columns if c != RAW_ROW]
    for role in ("activity", "role", "outcome"):
        if given.get(role):
            raise ColumnError(
                f"{source}: --{role} cannot be used with the approval-history column '{column}': each step's "
                f"{role} is read from the history text. Leave it out, or read the file as a one-row-per-step "
                "log with --history-column none."
            )
    for role, header in given.items():
        if header not in headers:
            raise ColumnError(f"{source}: column '{header}' given for {role} does not exist. "
                              f"Columns in the file: {', '.join(repr(h) for h in headers[:30])}.")
    regex = re.compile(pattern) if pattern else None
    case = _case_column(headers, given, column)
    if case is None:
        raise ColumnError(f"{source}: no instance id column (审批编号) found next to the history column '{column}'. "
                          f"Name it with --case \"<header>\". Columns in the file: "
                          f"{', '.join(repr(h) for h in headers[:30])}.")
    taken = {case, column}
    submitter = _named(headers, SUBMITTER_HEADERS, given.get("resource"), taken)
    taken.add(submitter)
    submitter_department = _named(headers, SUBMITTER_DEPARTMENT_HEADERS, given.get("department"), taken)
    taken.add(submitter_department)
    submit_time = _named(headers, SUBMIT_TIME_HEADERS, given.get("timestamp") or given.get("start_timestamp"), taken)
    status = _named(headers, STATUS_HEADERS, None, taken | {submit_time})

    frame = raw.frame
    rows = frame[RAW_ROW].to_list()
    cases = frame[case].cast(pl.String).to_list()
    texts = frame[column].cast(pl.String).to_list()

    def values(name: str | None) -> list:
        return frame[name].cast(pl.String).to_list() if name else [None] * frame.height

    submitters, submitter_departments, submit_times = values(submitter), values(submitter_department), values(submit_time)

    unparsed: list[tuple[int, int, str]] = []  # (file row, entry's place in its cell, line)
    not_steps: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []
    no_submit: list[tuple[int, str]] = []
    empty: list[tuple[int, str]] = []
    open_cases: set[str] = set()

    # 1. the entries of every cell, and the submission each instance's own columns describe
    steps_of: list[list[HistoryEntry]] = []
    for index, (file_row, case_id, text) in enumerate(zip(rows, cases, texts)):
        entries = parse_history(text, regex)
        if not entries:
            empty.append((file_row, case_id or ""))
        steps = []
        for place, entry in enumerate(entries):
            entry.place = place
            if entry.kind == "unparsed":
                unparsed.append((file_row, place, entry.line))
            elif entry.kind == "pending":
                pending.append((file_row, entry.line))
                if case_id:
                    open_cases.add(case_id.strip())
            elif entry.action in NOT_STEPS:
                not_steps.append((file_row, entry.line))
            else:
                steps.append(entry)
        steps_of.append(steps)

    # 2. times, parsed once for the whole column; an unreadable one makes its line unparsed
    flat = [e.time for steps in steps_of for e in steps]
    parsed = parse_timestamps(pl.Series("t", [*flat, *submit_times], dtype=pl.String), timezone=timezone)
    values_parsed, failed = parsed.values.to_list(), parsed.failed.to_list()
    at = 0
    timed_of: list[list[tuple[object, HistoryEntry]]] = []
    for index, steps in enumerate(steps_of):
        timed = []
        for entry in steps:
            if failed[at] or values_parsed[at] is None:
                unparsed.append((rows[index], entry.place, entry.line))
            else:
                timed.append((values_parsed[at], entry))
            at += 1
        timed_of.append(timed)
    submit_parsed = list(zip(values_parsed[at:], failed[at:]))

    # 3. a person's department where a line leaves it out (张三 已同意 …): from their other lines
    known: dict[str, Counter] = {}
    for timed in timed_of:
        for _, entry in timed:
            if entry.resource and entry.department:
                known.setdefault(entry.resource, Counter())[entry.department] += 1
    for person, department in zip(submitters, submitter_departments):
        if person and department:
            known.setdefault(person.strip(), Counter())[department.strip()] += 1
    departments_of = {person: counts.most_common(1)[0][0] for person, counts in known.items()}

    # 4. per instance: its submission (the history's own submit line when it comes before any
    #    decision, else the instance columns), then the steps in time order
    records: list[dict] = []      # one per event
    for index, timed in enumerate(timed_of):
        file_row = rows[index]
        timed.sort(key=lambda pair: (pair[0], pair[1].place))
        decisions = [t for t, e in timed if e.action != "提交"]
        first_decision = min(decisions) if decisions else None
        own_submit = next((e for t, e in timed if e.action == "提交"
                           and (first_decision is None or t <= first_decision)), None)
        if own_submit is not None:
            own_submit.resource = own_submit.resource or submitters[index]
            own_submit.department = own_submit.department or submitter_departments[index]
        elif submit_time is not None:
            value, bad = submit_parsed[index]
            if bad or value is None:
                no_submit.append((file_row, f"{submit_time}: {submit_times[index] or ''}"))
            else:
                timed.insert(0, (value, HistoryEntry(
                    line=f"{submit_time}: {submit_times[index]}", time=submit_times[index],
                    resource=submitters[index], department=submitter_departments[index], action="提交",
                    action_text="发起", kind="instance", place=-1)))
                timed.sort(key=lambda pair: (pair[0], pair[1].place))
        seen_submit = False
        for value, entry in timed:
            if entry.department is None and entry.resource:
                entry.department = departments_of.get(entry.resource)
            activity = _activity(entry, seen_submit)
            seen_submit = seen_submit or entry.action == "提交"
            records.append(dict(__inst=index, file_row=file_row, time=value, activity=activity,
                                resource=entry.resource, department=entry.department, role=entry.role,
                                outcome=entry.action, action=entry.action_text, comment=entry.comment))
    if status is not None:
        for case_id, state in zip(cases, values(status)):
            if case_id and state and normalise_header(state) in {normalise_header(s) for s in OPEN_STATUSES}:
                open_cases.add(case_id.strip())

    names = {key: f"{column}·{zh}" for key, zh in (("activity", "节点"), ("time", "时间"), ("resource", "处理人"),
                                                   ("department", "部门"), ("role", "岗位"), ("outcome", "结果"))}
    has_role = any(r["role"] for r in records)
    has_department = any(r["department"] for r in records) or submitter_department is not None
    instance = frame.drop(column).with_row_index("__inst")
    events = pl.DataFrame({
        "__inst": pl.Series([r["__inst"] for r in records], dtype=pl.UInt32),
        RAW_ROW: pl.Series(range(1, len(records) + 1), dtype=pl.UInt32),
        names["activity"]: pl.Series([r["activity"] for r in records], dtype=pl.String),
        names["time"]: pl.Series([r["time"] for r in records], dtype=pl.Datetime("us", timezone)),
        names["resource"]: pl.Series([r["resource"] for r in records], dtype=pl.String),
        **({names["department"]: pl.Series([r["department"] for r in records], dtype=pl.String)} if has_department else {}),
        **({names["role"]: pl.Series([r["role"] for r in records], dtype=pl.String)} if has_role else {}),
        names["outcome"]: pl.Series([r["outcome"] for r in records], dtype=pl.String),
        "action": pl.Series([r["action"] for r in records], dtype=pl.String),
        "comment": pl.Series([r["comment"] for r in records], dtype=pl.String),
        "file_row": pl.Series([r["file_row"] for r in records], dtype=pl.UInt32),
    })
    instance_columns = [c for c in instance.columns if c not in ("__inst", RAW_ROW)]
    clash = {c: f"{c} (instance)" for c in instance_columns if c in events.columns}
    instance = instance.drop(RAW_ROW).rename(clash)
    events = events.join(instance, on="__inst", how="left").drop("__inst")
    events = events.select([RAW_ROW, clash.get(case, case), *[c for c in events.columns if c not in (RAW_ROW, clash.get(case, case))]])

    findings = []
    if unparsed:
        findings.append(Finding(
            "history_line_unparsed",
            "approval-history line not in a known shape, or its date is not a valid date; no event was made "
            "for it (examples give the instance's row in the file). Describe the shape with --history-pattern, "
            "a regular expression with named groups time, resource, department, action, comment",
            len(unparsed), DROPPED, column=column,
            examples=[(row, line) for row, _, line in sorted(unparsed)[:UNPARSED_EXAMPLES]]))
    if no_submit:
        findings.append(Finding(
            "history_no_submit_time",
            f"no submit time ({submit_time} empty or unreadable) and no submit line in the history: the case "
            "starts at its first approval", len(no_submit), DROPPED, column=submit_time, examples=no_submit[:EXAMPLES]))
    if pending:
        findings.append(Finding(
            "history_step_pending", "step still waiting when the export was taken (审批中/待审批): not an event; "
            "the case is counted as in progress", len(pending), DROPPED, column=column, examples=pending[:EXAMPLES],
            severity="info"))
    if not_steps:
        findings.append(Finding(
            "history_not_a_step", "抄送 (cc) and 评论 (comment) entries are notifications, not steps of the process",
            len(not_steps), DROPPED, column=column, examples=not_steps[:EXAMPLES], severity="info"))
    if empty:
        findings.append(Finding(
            "history_empty", "instance with an empty approval history: only its submission is known",
            len(empty), KEPT, column=column, examples=empty[:EXAMPLES], severity="info"))

    source_obj = raw.source
    shapes = ", ".join(parsed.formats) or "—"
    source_obj.notes.append(
        f"approval-history export: {frame.height:,} instances (rows) in column '{column}' expanded into "
        f"{len(records):,} events (instance id: {case}; submission: its history line, else "
        f"{submitter or '—'} / {submitter_department or '—'} / {submit_time or 'no submit-time column'}); "
        f"history times read as: {shapes}. "
        "Data-quality counts are history entries; examples give the instance's row in the file"
    )
    if open_cases:
        source_obj.notes.append(f"{len(open_cases):,} instance{'s' if len(open_cases) > 1 else ''} still in progress "
                                "(审批状态 or a pending step)")
    mapping = ColumnMapping(case=clash.get(case, case), activity=names["activity"], timestamp=names["time"],
                            resource=names["resource"], department=names["department"] if has_department else None,
                            role=names["role"] if has_role else None, outcome=names["outcome"])
    file_rows = dict(zip(events[RAW_ROW].to_list(), events["file_row"].to_list()))
    table = RawTable(events, source_obj, [*raw.findings, *findings])
    return ExpandedHistory(table, mapping, file_rows, own_findings=[*raw.findings, *findings],
                           open_cases=frozenset(open_cases))


def _activity(entry: HistoryEntry, seen_submit: bool) -> str:
    if entry.action == "提交":
        return "重新提交" if seen_submit else "提交"
    if entry.action == "撤回":
        return "撤回"
    if entry.node:
        return entry.node
    suffix = {"已阅": "阅知", "办理": "办理"}.get(entry.action or "", "审批")
    for who in (entry.department, entry.role):
        if who:
            return who if who.endswith(_NODE_ENDINGS) else f"{who}{suffix}"
    if entry.resource:
        return f"{entry.resource}{suffix}"
    return suffix
