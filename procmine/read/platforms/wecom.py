"""WeCom (企业微信) approval instances: ``POST /cgi-bin/oa/getapprovaldetail`` (``info`` of the response).

Times are Unix seconds (``sptime`` 0: the approver has not acted). WeCom names no nodes and
gives no arrival times:

- the activity is the approver's role from the ``step_names`` mapping (approver userid →
  name, e.g. ``lisi: 部门经理审批``), else the mapping of the node's ordinal (``1: 部门经理审批``),
  else 审批节点N for the N-th node of ``sp_record``;
- a node's arrival is the completion of the node before it (the submission for the first),
  which is when WeCom hands it on.

Events: the submission (``apply_time``, ``applyer``) → 提交, then each approver detail that
acted, its outcome from ``sp_status`` (2 同意, 3 驳回, 4 转审, 11 退回, 12 加签, 13 同意并加签,
14 办理, 15 转交). A waiting detail (``sp_status`` 1, ``sptime`` 0) of a pending node is an open
step (one for an or-sign node, ``approverattr`` 1; one per person for a joint-sign node, 2);
one left over at a node already decided is set aside. ``comments`` are not steps.
"""

from __future__ import annotations

from procmine.read.platforms.common import SUBMIT, BadTime, Reading, Step, first, place, text

DETAIL_OUTCOMES = {2: "同意", 3: "驳回", 4: "转审", 11: "退回", 12: "加签", 13: "同意并加签", 14: "办理", 15: "转交"}
INSTANCE_STATUSES = {1: "审批中", 2: "已通过", 3: "已驳回", 4: "已撤销", 6: "通过后撤销", 7: "已删除", 10: "已支付"}
PENDING, OR_SIGN = 1, 1
TRANSFERS = (4, 15)
FIELDS = ("sp_no", "sp_name", "sp_status", "apply_time", "applyer{userid, partyid}",
          "sp_record[{sp_status, approverattr, details[{approver{userid}, speech, sp_status, sptime}]}]")


def read(instances: list[tuple[str, int, dict]], reading: Reading) -> None:
    seen: set[str] = set()
    reading.notes.append("WeCom gives no arrival times: a node's arrival is the completion of the node before it")
    for path, number, instance in instances:
        _instance(path, number, instance, reading, seen)


def _number(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _instance(path: str, number: int, instance: dict, reading: Reading, seen: set[str]) -> None:
    case = text(first(instance, "sp_no")) or place(path, number)
    if case in seen:
        reading.aside("duplicate_instance", number, case)
        return
    seen.add(case)
    reading.instances += 1
    status = _number(first(instance, "sp_status"))
    if status == PENDING:
        reading.open_cases.add(case)
    applyer = first(instance, "applyer", default={}) or {}
    originator = text(first(applyer, "userid", "user_id"))
    department = text(first(applyer, "partyid", "party_id"))
    reading.attributes[case] = {k: v for k, v in {
        "sp_name": text(first(instance, "sp_name")), "template_id": text(first(instance, "template_id")),
        "status": INSTANCE_STATUSES.get(status, text(first(instance, "sp_status"))),
        **_form(first(instance, "apply_data", default={}))}.items() if v is not None}

    applied = reading.time(first(instance, "apply_time"), number, f"{case} apply_time")
    reached = None
    if isinstance(applied, BadTime) or applied is None:
        if applied is None:
            reading.aside("no_time", number, f"{case} · apply_time")
    else:
        reading.add(Step(case, SUBMIT, applied, start=applied, resource=originator, department=department, outcome="提交",
                         action="apply", record=place(path, number, "apply_time")))
        reached = applied

    for ordinal, node in enumerate(first(instance, "sp_record", default=[]) or [], start=1):
        if not isinstance(node, dict):
            continue
        node_status = _number(first(node, "sp_status"))
        or_sign = _number(first(node, "approverattr")) == OR_SIGN
        latest = reached
        handed = None  # a transferee's arrival: the transfer
        waiting_shown = False
        for index, detail in enumerate(first(node, "details", default=[]) or []):
            if not isinstance(detail, dict):
                continue
            user = text(first(first(detail, "approver", default={}) or {}, "userid", "user_id"))
            detail_status = _number(first(detail, "sp_status"))
            shown = f"{case} · node {ordinal} · sp_status {first(detail, 'sp_status')} · {user or ''}"
            where = place(path, number, f"sp_record[{ordinal - 1}].details[{index}]")
            activity = reading.name(user, ordinal) or f"审批节点{ordinal}"
            moment = reading.time(first(detail, "sptime"), number, shown)
            if isinstance(moment, BadTime):
                continue
            if moment is None or detail_status == PENDING:
                if node_status == PENDING and status == PENDING and not (or_sign and waiting_shown):
                    reading.open_cases.add(case)
                    reading.add(Step(case, activity, None, start=reached, resource=user,
                                     action=f"sp_status {detail_status}", record=where))
                    waiting_shown = True
                elif node_status == PENDING and status == PENDING:
                    reading.aside("or_sign_waiting", number, shown)
                else:
                    reading.aside("task_not_acted", number, shown)
                continue
            if detail_status not in DETAIL_OUTCOMES:
                reading.unknown_operation(f"sp_status {first(detail, 'sp_status')}", number, shown)
                continue
            reading.add(Step(case, activity, moment, start=handed or reached, resource=user,
                             department=department if user == originator else None,
                             outcome=DETAIL_OUTCOMES[detail_status], action=f"sp_status {detail_status}",
                             comment=text(first(detail, "speech")), record=where))
            handed = moment if detail_status in TRANSFERS else None
            latest = moment if latest is None else max(latest, moment)
        reached = latest
    for comment in first(instance, "comments", default=[]) or []:
        who = text(first(first(comment, "commentUserInfo", default={}) or {}, "userid")) if isinstance(comment, dict) else None
        reading.aside("not_a_step", number, f"{case} · comment · {who or ''}")


#: Where a simple control of ``apply_data`` keeps its value.
FORM_VALUES = ("text", "new_money", "new_number")


def _form(apply_data) -> dict[str, str]:
    """Simple controls of the application form (text, money, number): title → value."""
    values = {}
    contents = apply_data.get("contents", []) if isinstance(apply_data, dict) else []
    for control in contents if isinstance(contents, list) else []:
        if not isinstance(control, dict) or not isinstance(control.get("value"), dict):
            continue
        titles = control.get("title") or []
        title = text(titles[0].get("text")) if titles and isinstance(titles[0], dict) else None
        value = next((text(control["value"].get(k)) for k in FORM_VALUES if text(control["value"].get(k))), None)
        if title and value:
            values.setdefault(title, value)
    return values
