"""Feishu/Lark (飞书) approval instances: approval v4 ``GET /open-apis/approval/v4/instances/:instance_id``.

Times are millisecond epochs written as strings (``"1741140120000"``; ``"0"`` while open).

Events: the ``timeline`` entries that are steps: ``START`` → 提交, ``PASS``/``AUTO_PASS`` →
同意/自动通过, ``REJECT``/``AUTO_REJECT`` → 驳回, ``TRANSFER`` → 转交, ``ADD_APPROVER*`` → 加签,
``ROLLBACK``/``ROLLBACK_SELECTED`` → 退回, ``CANCEL`` → 撤回. The entry's ``task_id`` names its
task in ``task_list``, which gives the node (``node_name``) and the arrival (``start_time``);
a task still ``PENDING`` is an open step. ``CC``, ``DELETE_APPROVER``, ``DELETE`` and the
``comment_list`` are not steps; ``REMOVE_REPEAT`` (an approver skipped as a repeat) is set aside.
An instance whose timeline holds no ``START`` gets its submission from ``start_time`` and ``user_id``.
"""

from __future__ import annotations

import json

from procmine.read.platforms.common import (
    WITHDRAW, BadTime, Reading, Step, first, instance_submission, operation, place, submission, text, upper,
)

#: timeline type → (kind, outcome label)
OPERATIONS = {
    "START": ("submit", "提交"), "RESUBMIT": ("submit", "重新提交"), "PASS": ("step", "同意"), "AUTO_PASS": ("step", "自动通过"),
    "REJECT": ("step", "驳回"), "AUTO_REJECT": ("step", "驳回"), "TRANSFER": ("step", "转交"),
    "ADD_APPROVER_BEFORE": ("step", "加签"), "ADD_APPROVER": ("step", "加签"), "ADD_APPROVER_AFTER": ("step", "加签"),
    "ROLLBACK": ("step", "退回"), "ROLLBACK_SELECTED": ("step", "退回"), "CANCEL": ("withdraw", "撤回"),
    "REMOVE_REPEAT": ("repeat", None), "CC": ("not_step", None), "DELETE_APPROVER": ("not_step", None),
    "DELETE": ("not_step", None),
}
TASK_OUTCOMES = {"APPROVED": "同意", "REJECTED": "驳回", "TRANSFERRED": "转交"}
OPEN_STATUSES = ("PENDING", "RUNNING")
FIELDS = ("instance_code", "serial_number", "approval_name", "user_id", "department_id", "start_time", "end_time",
          "status", "task_list", "timeline")


def read(instances: list[tuple[str, int, dict]], reading: Reading) -> None:
    seen: set[str] = set()
    for path, number, instance in instances:
        _instance(path, number, instance, reading, seen)


def _instance(path: str, number: int, instance: dict, reading: Reading, seen: set[str]) -> None:
    case = text(first(instance, "instance_code", "instance_id", "uuid", "serial_number")) or place(path, number)
    if case in seen:
        reading.aside("duplicate_instance", number, case)
        return
    seen.add(case)
    reading.instances += 1
    status = upper(first(instance, "status"))
    if status in OPEN_STATUSES:
        reading.open_cases.add(case)
    originator = text(first(instance, "user_id", "open_id"))
    department = text(first(instance, "department_id"))
    attributes = {"approval_name": text(first(instance, "approval_name")),
                  "serial_number": text(first(instance, "serial_number")), "status": status or None}
    attributes.update(_form(first(instance, "form")))
    reading.attributes[case] = {k: v for k, v in attributes.items() if v is not None}

    tasks: dict[str, dict] = {}
    nodes: dict[str, str] = {}
    for task in first(instance, "task_list", default=[]) or []:
        if isinstance(task, dict):
            tasks[str(first(task, "id", "task_id", default=len(tasks)))] = task
            for key in ("node_id", "custom_node_id", "node_key"):
                if text(task.get(key)) and text(task.get("node_name")):
                    nodes[text(task[key])] = text(task["node_name"])
    used: set[str] = set()
    submits = 0
    for index, entry in enumerate(first(instance, "timeline", default=[]) or []):
        if not isinstance(entry, dict):
            continue
        kind_code = upper(first(entry, "type"))
        user = text(first(entry, "user_id", "open_id"))
        shown = f"{case} · {kind_code or '(no type)'} · {user or ''}"
        where = place(path, number, f"timeline[{index}]")
        found = operation(reading, OPERATIONS, kind_code, number, shown, first(entry, "create_time"))
        if found is None:
            continue
        kind, label, moment = found
        comment = text(first(entry, "comment"))
        if kind == "submit":
            reading.add(Step(case, submission(submits), moment, start=moment, resource=user or originator,
                             department=department if (user or originator) == originator else None,
                             outcome=submission(submits), action=kind_code, comment=comment, record=where))
            submits += 1
            continue
        if kind == "withdraw":
            reading.add(Step(case, WITHDRAW, moment, start=moment, resource=user or originator,
                             department=department if (user or originator) == originator else None,
                             outcome=label, action=kind_code, comment=comment, record=where))
            continue
        task_id = text(first(entry, "task_id"))
        task = tasks.get(task_id) if task_id else None
        start = None
        if task is not None:
            used.add(task_id)
            start = reading.time(first(task, "start_time"), number, f"{case} task {task_id}")
            start = None if isinstance(start, BadTime) else start
        node_key = text(first(entry, "node_key", "node_id"))
        activity = (reading.name(first(task or {}, "node_id"), node_key, user)
                    or text(first(task or {}, "node_name")) or nodes.get(node_key or "") or node_key or "审批")
        reading.add(Step(case, activity, moment, start=start, resource=user,
                         department=department if user == originator else None, outcome=label, action=kind_code,
                         comment=comment, record=where))

    if submits == 0:
        instance_submission(reading, case, number, first(instance, "start_time"), originator, department,
                            place(path, number, "start_time"))
    for index, (task_id, task) in enumerate(tasks.items()):
        task_status = upper(first(task, "status"))
        user = text(first(task, "user_id", "open_id"))
        shown = f"{case} · task {task_id} · {task_status} · {user or ''}"
        if task_id in used:
            reading.aside("task_merged", number, shown)
            continue
        if task_status == "DONE":
            reading.aside("task_not_acted", number, shown)
            continue
        start = reading.time(first(task, "start_time"), number, shown)
        end = reading.time(first(task, "end_time"), number, shown)
        if isinstance(start, BadTime) or isinstance(end, BadTime):
            continue
        activity = reading.name(first(task, "node_id"), user) or text(first(task, "node_name")) or "审批"
        where = place(path, number, f"task_list[{index}]")
        if end is None and task_status in ("PENDING", ""):
            reading.open_cases.add(case)
            reading.add(Step(case, activity, None, start=start, resource=user, action=f"task {task_status}",
                             record=where))
        elif end is not None and task_status in TASK_OUTCOMES:  # no timeline entry for it: the task is the step
            reading.add(Step(case, activity, end, start=start, resource=user, outcome=TASK_OUTCOMES[task_status],
                             action=f"task {task_status}", record=where))
        else:
            reading.unknown_operation(f"task {task_status or '(no status)'}", number, shown)
    for comment in first(instance, "comment_list", default=[]) or []:
        reading.aside("not_a_step", number, f"{case} · comment · {text(first(comment, 'user_id')) or ''}")


def _form(form) -> dict[str, str]:
    """Simple form fields (name → value) of the ``form`` JSON string."""
    if isinstance(form, str):
        try:
            form = json.loads(form)
        except ValueError:
            return {}
    values = {}
    for widget in form if isinstance(form, list) else []:
        if isinstance(widget, dict) and text(widget.get("name")) and isinstance(widget.get("value"), (str, int, float)):
            values.setdefault(text(widget["name"]), text(widget["value"]))
    return values
