"""Which column is the case, the activity, the times, the person and the department.

OA systems name their export columns in many ways (单据编号, 流程编号, 审批编号 …). Detection
compares normalised header names with the spellings below, exact matches first, then headers
that contain a telling word. The mapping found is kept on the log and printed, and any role
can be set by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields

from procmine.errors import ColumnError

#: Roles in the order they are detected (earlier roles take their column first).
ROLES = ("lifecycle", "case", "activity", "start_timestamp", "timestamp", "resource", "department", "role", "outcome")
REQUIRED = ("case", "activity", "timestamp")

ROLE_NAMES_ZH = {
    "case": "案例编号", "activity": "活动/审批节点", "timestamp": "完成时间", "start_timestamp": "到达/开始时间",
    "resource": "处理人", "department": "部门", "role": "岗位", "outcome": "审批结果", "lifecycle": "生命周期",
}

# Exact spellings, best first. Compared after normalisation (see `normalise_header`).
EXACT = {
    "case": [
        "case:concept:name", "单据编号", "流程编号", "审批编号", "申请单号", "流程实例编号", "实例编号", "流程实例id",
        "实例id", "流程id", "请求id", "请求编号", "审批实例code", "审批实例id", "审批单号", "单据号", "流水号",
        "caseid", "case", "caseconcept:name", "requestid", "单号", "报销单号", "申请编号", "工单编号", "工单号",
        "表单编号", "合同编号", "订单编号", "processinstanceid", "instanceid", "casenumber", "caseno", "编号", "id",
    ],
    "activity": [
        "concept:name", "审批节点", "节点名称", "环节", "环节名称", "审批环节", "流程节点", "节点", "活动", "活动名称",
        "步骤", "步骤名称", "任务名称", "任务", "activity", "activityname", "task", "taskname", "step", "event",
        "eventname",
    ],
    "timestamp": [
        "time:timestamp", "处理时间", "审批时间", "完成时间", "办理时间", "结束时间", "审核时间", "操作时间",
        "timestamp", "completetimestamp", "completiontime", "endtime", "endtimestamp", "eventtime", "datetime",
        "time", "时间", "日期", "date",
    ],
    "start_timestamp": [
        "start_timestamp", "到达时间", "接收时间", "开始时间", "收到时间", "到达日期", "开始日期", "arrivaltime",
        "starttime", "starttimestamp", "start:timestamp", "arrival", "start",
    ],
    "resource": [
        "org:resource", "处理人", "审批人", "经办人", "办理人", "审核人", "操作人", "操作者", "执行人", "当前处理人",
        "处理者", "审批人员", "处理人员", "操作人员", "办理人员", "节点处理人",
        "resource", "user", "username", "performer", "executor", "actor", "员工", "姓名",
    ],
    "department": [
        "所属部门", "部门", "处理部门", "审批部门", "经办部门", "办理部门", "处理人部门", "审批人部门", "department",
        "dept", "org:group", "group",
    ],
    "role": ["org:role", "岗位", "角色", "职位", "职务", "role", "position"],
    "outcome": ["审批结果", "处理结果", "审核结果", "审批意见", "办理结果", "结果", "outcome", "decision", "result"],
    "lifecycle": ["lifecycle:transition", "lifecycle", "transition", "生命周期"],
}

# Words a header may contain, best first (the second tier, used when no exact spelling fits).
CONTAINS = {
    "case": ["单据编号", "流程编号", "审批编号", "实例id", "流程id", "请求id", "单号", "caseid", "编号"],
    "activity": ["节点", "环节", "步骤", "活动", "activity"],
    "timestamp": ["完成时间", "处理时间", "审批时间", "办理时间", "结束时间", "timestamp"],
    "start_timestamp": ["到达时间", "接收时间", "开始时间", "starttime", "arrival"],
    "resource": ["处理人", "审批人", "经办人", "办理人", "操作人", "操作者", "resource"],
    "department": ["部门", "department"],
    "role": ["岗位", "角色", "role"],
    "outcome": ["审批结果", "处理结果", "outcome"],
    "lifecycle": ["lifecycle"],
}


# A header with one of these words is about something else (a time, a person, a department,
# an id) even if it also contains a role's telling word: 节点开始时间 is not the activity.
NOT_FOR = {
    "case": ["时间", "日期", "名称", "人", "部门", "time", "date", "name"],
    "activity": ["时间", "日期", "人", "者", "部门", "编号", "id", "time", "date"],
    "timestamp": ["开始", "到达", "接收", "start", "arrival"],
    "start_timestamp": [],
    "resource": ["部门", "时间", "编号", "id"],
    "department": ["时间", "编号", "id"],
    "role": ["时间", "编号"],
    "outcome": ["时间"],
    "lifecycle": [],
}


@dataclass
class ColumnMapping:
    """The log's columns by role; ``None`` where the log has no such column."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    start_timestamp: str | None = None
    resource: str | None = None
    department: str | None = None
    role: str | None = None
    outcome: str | None = None
    lifecycle: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def items(self):
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


def normalise_header(name: str) -> str:
    """Lower-case, half-width, without spaces, underscores, hyphens or brackets' contents' noise."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = re.sub(r"[\s_\-\.]+", "", text)
    return text


def _normalised_spellings(role: str) -> list[str]:
    return [normalise_header(s) for s in EXACT[role]]


def detect_columns(headers: list[str], given: dict[str, str | None] | None = None, *, source: str = "the log") -> ColumnMapping:
    """Find each role's column among ``headers``; ``given`` columns (by role) win.

    >>> detect_columns(["单据编号", "审批节点", "处理人", "处理时间"]).activity
    '审批节点'
    """
    given = {role: col for role, col in (given or {}).items() if col}
    by_column: dict[str, list[str]] = {}
    for role, column in given.items():
        by_column.setdefault(normalise_header(column), []).append(role)
    clash = next((roles for roles in by_column.values() if len(roles) > 1), None)
    if clash:
        options = " and ".join("--" + r.replace("_", "-") for r in clash)
        raise ColumnError(f"{source}: {options} name the same column '{given[clash[0]]}'; each role needs its own column.")
    mapping = ColumnMapping()
    taken: set[str] = set()
    for role, column in given.items():
        if role not in ROLES:
            raise ColumnError(f"{source}: unknown column role '{role}'. Roles: {', '.join(ROLES)}.")
        if column not in headers:
            close = [h for h in headers if normalise_header(h) == normalise_header(column)]
            if len(close) == 1:
                column = close[0]
            else:
                raise ColumnError(
                    f"{source}: column '{column}' given for {role} does not exist. "
                    f"Columns in the file: {_list(headers)}."
                )
        setattr(mapping, role, column)
        taken.add(column)

    normalised = {h: normalise_header(h) for h in headers}
    for role in ROLES:
        if getattr(mapping, role) is not None:
            continue
        candidates = _candidates(role, [h for h in headers if h not in taken], normalised)
        if not candidates:
            continue
        best_rank = candidates[0][0]
        best = [h for rank, h in candidates if rank == best_rank]
        if len(best) > 1:
            if role in REQUIRED:
                option = "--" + role.replace("_", "-")
                raise ColumnError(
                    f"{source}: more than one column could be the {role} ({ROLE_NAMES_ZH[role]}): {_list(best)}. "
                    f"Choose one with {option} \"{best[0]}\". Columns in the file: {_list(headers)}."
                )
            continue  # an optional role stays unset rather than guessed
        setattr(mapping, role, best[0])
        taken.add(best[0])

    missing = [role for role in REQUIRED if getattr(mapping, role) is None]
    if missing:
        role = missing[0]
        option = "--" + role.replace("_", "-")
        spellings = "、".join(EXACT[role][1:6]) if role != "case" else "、".join(EXACT[role][1:6])
        raise ColumnError(
            f"{source}: no {role} column ({ROLE_NAMES_ZH[role]}) found. Columns in the file: {_list(headers)}. "
            f"procmine looks for headers such as {spellings}; name the column with {option} \"<header>\"."
        )
    return mapping


def _candidates(role: str, headers: list[str], normalised: dict[str, str]) -> list[tuple[int, str]]:
    exact = _normalised_spellings(role)
    found: list[tuple[int, str]] = []
    for header in headers:
        norm = normalised[header]
        if norm in exact:
            found.append((exact.index(norm), header))
    if found:
        return sorted(found)
    words = [normalise_header(w) for w in CONTAINS[role]]
    excluded = [normalise_header(w) for w in NOT_FOR[role]]
    for header in headers:
        norm = normalised[header]
        if any(word in norm for word in excluded):
            continue
        for rank, word in enumerate(words):
            if word in norm:
                # 当前节点 (ends with the word) before 节点类型 (merely contains it)
                found.append((100 + 2 * rank + (0 if norm.endswith(word) else 1), header))
                break
    return sorted(found)


def _list(headers: list[str]) -> str:
    shown = [f"'{h}'" for h in headers[:30]]
    more = f" … ({len(headers) - 30} more)" if len(headers) > 30 else ""
    return ", ".join(shown) + more
