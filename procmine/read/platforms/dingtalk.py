"""DingTalk (钉钉) approval instances: ``getProcessInstance`` (workflow API v1.0) and the old topapi.

v1.0 (``GET /v1.0/workflow/processInstances?processInstanceId=…``) writes camelCase and ISO
times in UTC (``2025-03-05T02:02Z``); the topapi (``topapi/processinstance/get``) writes
snake_case and local times (``2018-11-21 12:00:00``). Both are read here.

Events: each operation record that is a step (``START_PROCESS_INSTANCE`` → 提交,
``EXECUTE_TASK_NORMAL``/``_AGENT`` → 同意/驳回 by its result, ``REDIRECT_TASK`` → 转交,
``APPEND_TASK_*`` → 加签, ``REDIRECT_PROCESS`` → 退回, ``TERMINATE_PROCESS_INSTANCE`` → 撤回).
A task of the same person finished at the operation's minute gives it its node (``activityId``)
and arrival (``createTime``); a running task is an open step; a cancelled one (another approver
of an or-sign node decided) is set aside. ``PROCESS_CC``, ``ADD_REMARK`` and
``FINISH_PROCESS_INSTANCE`` are not steps. An instance whose records hold no
``START_PROCESS_INSTANCE`` gets its submission from ``createTime`` and ``originatorUserId``.

Activity: the record's own node name where the API gives one (``showName``/``activityName``),
else the ``step_names`` mapping of the task's ``activityId``, else the ``activityId`` itself,
else 审批节点N (the N-th approval of the case).
"""

from __future__ import annotations

from procmine.read.platforms.common import (
    WITHDRAW, BadTime, Reading, Step, first, instance_submission, operation, place, submission, text, upper,
)

#: operation type → (kind, outcome label); kind: step | submit | withdraw | not_step
OPERATIONS = {
    "EXECUTE_TASK_NORMAL": ("step", None), "EXECUTE_TASK_AGENT": ("step", None),
    "APPEND_TASK_BEFORE": ("step", "加签"), "APPEND_TASK_AFTER": ("step", "加签"),
    "REDIRECT_TASK": ("step", "转交"), "REDIRECT_PROCESS": ("step", "退回"),
    "START_PROCESS_INSTANCE": ("submit", "提交"), "TERMINATE_PROCESS_INSTANCE": ("withdraw", "撤回"),
    "FINISH_PROCESS_INSTANCE": ("not_step", None), "ADD_REMARK": ("not_step", None),
    "PROCESS_CC": ("not_step", None),
}
RESULTS = {"AGREE": "同意", "REFUSE": "驳回", "REDIRECTED": "转交", "NONE": "办理", "": "办理"}
OPEN_STATUSES = ("NEW", "RUNNING")
#: A task's finish time and its operation's date agree to the minute (v1.0 dates have no seconds).
MATCH_SECONDS = 90
FIELDS = ("businessId", "processInstanceId", "title", "status", "result", "createTime", "finishTime",
          "originatorUserId", "originatorDeptName", "formComponentValues", "operationRecords", "tasks")


def read(instances: list[tuple[str, int, dict]], reading: Reading) -> None:
    seen: set[str] = set()
    for path, number, instance in instances:
        _instance(path, number, instance, reading, seen)


def _instance(path: str, number: int, instance: dict, reading: Reading, seen: set[str]) -> None:
    tasks = [t for t in first(instance, "tasks", default=[]) or [] if isinstance(t, dict)]
    case = text(first(instance, "businessId", "business_id", "processInstanceId", "process_instance_id")
                or next((first(t, "processInstanceId", "process_instance_id") for t in tasks
                         if first(t, "processInstanceId", "process_instance_id")), None)) or place(path, number)
    if case in seen:
        reading.aside("duplicate_instance", number, case)
        return
    seen.add(case)
    reading.instances += 1
    status = upper(first(instance, "status"))
    if status in OPEN_STATUSES:
        reading.open_cases.add(case)
    originator = text(first(instance, "originatorUserId", "originator_userid"))
    originator_department = text(first(instance, "originatorDeptName", "originator_dept_name"))
    attributes = {"title": text(first(instance, "title")), "status": status or None,
                  "result": text(first(instance, "result")),
                  "instance_id": text(first(instance, "processInstanceId", "process_instance_id"))}
    for field in first(instance, "formComponentValues", "form_component_values", default=[]) or []:
        if isinstance(field, dict) and text(field.get("name")) and isinstance(field.get("value"), (str, int, float)):
            attributes.setdefault(text(field["name"]), text(field["value"]))
    reading.attributes[case] = {k: v for k, v in attributes.items() if v is not None}

    # tasks: (task, finish time, create time)
    timed_tasks = []
    for index, task in enumerate(tasks):
        finished = reading.time(first(task, "finishTime", "finish_time"), number, f"{case} task {index}")
        created = reading.time(first(task, "createTime", "create_time"), number, f"{case} task {index}")
        if isinstance(finished, BadTime) or isinstance(created, BadTime):
            continue
        timed_tasks.append([task, finished, created, False])

    submits = approvals = 0
    records = first(instance, "operationRecords", "operation_records", default=[]) or []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            continue
        kind_code = upper(first(record, "type", "operation_type"))
        result = upper(first(record, "result", "operation_result"))
        user = text(first(record, "userId", "userid", "user_id"))
        where = place(path, number, f"operationRecords[{index}]")
        shown = f"{case} · {kind_code or '(no type)'} · {user or ''}"
        found = operation(reading, OPERATIONS, kind_code, number, shown, first(record, "date"))
        if found is None:
            continue
        kind, label, moment = found
        remark = text(first(record, "remark"))
        if kind == "submit":
            reading.add(Step(case, submission(submits), moment, start=moment, resource=user or originator,
                             department=originator_department if (user or originator) == originator else None,
                             outcome=submission(submits), action=kind_code, comment=remark, record=where))
            submits += 1
            continue
        if kind == "withdraw":
            reading.add(Step(case, WITHDRAW, moment, start=moment, resource=user,
                             department=originator_department if user == originator else None,
                             outcome=label, action=kind_code, comment=remark, record=where))
            continue
        task = _match(timed_tasks, user, moment)
        approvals += 1
        activity_id = text(first(record, "activityId", "activity_id")) or (
            text(first(task[0], "activityId", "activity_id")) if task else None)
        activity = (text(first(record, "showName", "activityName", "nodeName", "show_name", "activity_name"))
                    or reading.name(activity_id, user) or activity_id or f"审批节点{approvals}")
        outcome = label or RESULTS.get(result, "办理")
        reading.add(Step(case, activity, moment, start=task[2] if task else None, resource=user,
                         department=originator_department if user == originator else None, outcome=outcome,
                         action=f"{kind_code}/{result}" if result else kind_code, comment=remark, record=where))

    if submits == 0:
        instance_submission(reading, case, number, first(instance, "createTime", "create_time"), originator,
                            originator_department, place(path, number, "createTime"))
    for index, (task, finished, created, used) in enumerate(timed_tasks):
        task_status = upper(first(task, "status", "task_status"))
        user = text(first(task, "userId", "userid", "user_id"))
        activity_id = text(first(task, "activityId", "activity_id"))
        shown = f"{case} · task {first(task, 'taskId', 'taskid', default=index)} · {task_status} · {user or ''}"
        if used:
            reading.aside("task_merged", number, shown)
        elif task_status in ("CANCELED", "TERMINATED"):
            reading.aside("task_not_acted", number, shown)
        elif finished is None:  # waiting for its holder (RUNNING, NEW, PAUSED)
            reading.open_cases.add(case)
            reading.add(Step(case, reading.name(activity_id, user) or activity_id or "审批节点", None, start=created,
                             resource=user, action=f"task {task_status}", record=place(path, number, f"tasks[{index}]")))
        else:  # finished, but no operation record says so: the task is the step
            result = upper(first(task, "result", "task_result"))
            reading.add(Step(case, reading.name(activity_id, user) or activity_id or "审批节点", finished,
                             start=created, resource=user, outcome=RESULTS.get(result, "办理"),
                             action=f"task {result}", record=place(path, number, f"tasks[{index}]")))


def _match(tasks: list[list], user: str | None, moment) -> list | None:
    """The unused task of ``user`` finished closest to ``moment`` (within :data:`MATCH_SECONDS`)."""
    best, gap = None, None
    for entry in tasks:
        task, finished, _, used = entry
        if used or finished is None or text(first(task, "userId", "userid", "user_id")) != user:
            continue
        distance = abs((finished - moment).total_seconds())
        if distance <= MATCH_SECONDS and (gap is None or distance < gap):
            best, gap = entry, distance
    if best is not None:
        best[3] = True
    return best
