"""Write small approval-instance sets in the four platforms' own shapes, with their truth.

    python sample_logs/platforms/make_platform_samples.py [--out DIR] [--seed 2025]

One simulated expense approval (提交 → 部门经理审批 → 财务审批 (or-sign of two) → 总经理审批
above 20 000 yuan) is written four times, from the field lists of the platforms' published
API and table documentation:

- ``dingtalk.json``: a JSON array of DingTalk ``getProcessInstance`` v1.0 responses;
- ``feishu.jsonl``: Feishu approval v4 instance responses, one per line;
- ``wecom/``: a folder of WeCom ``getapprovaldetail`` responses, one file per instance;
- ``weaver/``: Weaver e-cology's workflow_requestlog (GBK CSV), workflow_currentoperator and
  workflow_nodebase tables.

Each has ``<name>.truth.json``: cases, events (what procmine should make of them with default
settings), activities, open cases and every case's events. Cases: plain approvals, a
rejection, a send-back and resubmission, a transfer, an instance still running, a withdrawal,
cc and remarks. Same seed, same bytes: nothing depends on the current time.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

SHANGHAI = timezone(timedelta(hours=8))
NODES = {"manager": "部门经理审批", "finance": "财务审批", "ceo": "总经理审批"}
DINGTALK_IDS = {"manager": "sid-9C1E2F70", "finance": "sid-5B07D3A4", "ceo": "sid-E48A6C19"}
FEISHU_IDS = {"manager": "3b1f0c6e8d2a", "finance": "7c4e9a1b5f30", "ceo": "a9d2e6f1c874"}
WEAVER_IDS = {"create": "101", "manager": "102", "finance": "103", "ceo": "104", "archive": "105"}
WEAVER_NAMES = {"101": "创建", "102": "部门经理审批", "103": "财务审批", "104": "总经理审批", "105": "归档"}
MANAGERS = {"销售部": "liuqiang", "市场部": "zhaolei", "研发部": "wangjun"}
DEPARTMENT_IDS = {"销售部": "2001", "市场部": "2002", "研发部": "2003"}
FINANCE = ("zhoumin", "sunli")          # or-sign: the first to act decides
CEO, DEPUTY, CC_TO = "zhengjianguo", "sunhao", "hr01"
ORIGINATORS = (("zhangwei", "销售部"), ("chenjing", "市场部"), ("lina", "研发部"), ("wangfang", "销售部"))
SCENARIOS = ("normal", "normal", "refuse", "rollback", "normal", "transfer", "open", "withdraw", "normal",
             "normal", "rollback", "normal")
CEO_ABOVE = 20000


# --- the simulated cases ------------------------------------------------------------------

def simulate(seed: int) -> list[dict]:
    rng = random.Random(seed)

    def later(t: datetime, low: int = 20, high: int = 240) -> datetime:
        return t + timedelta(minutes=rng.randrange(low, high))

    cases = []
    for index, scenario in enumerate(SCENARIOS):
        originator, department = ORIGINATORS[index % len(ORIGINATORS)]
        amount = rng.choice((3200, 8600, 15400, 26800, 52000))
        t = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI) + timedelta(days=index, minutes=rng.randrange(0, 90))
        case = {"number": index + 1, "scenario": scenario, "originator": originator, "department": department,
                    "amount": amount, "submits": [t], "steps": [], "cc": None, "remark": None, "status": "done", "result": "agree"}
        manager = MANAGERS[department]

        def step(node, user, outcome, arrive, done, others=(), comment=None, case=case):
            case["steps"].append({"node": node, "user": user, "outcome": outcome, "arrive": arrive, "done": done,
                                      "others": list(others), "comment": comment})
            return done

        def finance(arrive, outcome="agree"):
            who = FINANCE[rng.randrange(2)]
            other = [u for u in FINANCE if u != who]
            return step("finance", who, outcome, arrive, later(arrive), others=other)

        if scenario == "withdraw":
            case["status"], case["result"] = "withdrawn", None
            case["withdrawn"] = later(t, 10, 60)
            case["waiting"] = {"node": "manager", "users": [manager], "arrive": t}
        elif scenario == "refuse":
            step("manager", manager, "refuse", t, later(t), comment="预算不足")
            case["result"] = "refuse"
        elif scenario == "open":
            t = step("manager", manager, "agree", t, later(t))
            case["status"], case["result"] = "open", None
            case["waiting"] = {"node": "finance", "users": list(FINANCE), "arrive": t}
        else:
            if scenario == "transfer":
                t = step("manager", manager, "transfer", t, later(t, 10, 60), comment="请孙浩代为审批")
                t = step("manager", DEPUTY, "agree", t, later(t))
            else:
                t = step("manager", manager, "agree", t, later(t))
            if scenario == "rollback":
                t = finance(t, "rollback")
                t = later(t, 60, 600)
                case["submits"].append(t)
                t = step("manager", manager, "agree", t, later(t))
            if index == 4:  # a remark from finance before its decision
                case["remark"] = {"user": FINANCE[0], "time": t + timedelta(minutes=5), "text": "请补充发票"}
            t = finance(t)
            if amount > CEO_ABOVE:
                t = step("ceo", CEO, "agree", t, later(t))
            if index in (0, 8):
                case["cc"] = {"user": CC_TO, "time": t}
        cases.append(case)
    return cases


def case_id(platform: str, case: dict) -> str:
    n = case["number"]
    return {"dingtalk": f"2025030{n:02d}1000{n:03d}", "feishu": f"7C1D5E2A-{n:04d}-4B8F-9A61-3E0F2D7B{n:04d}",
            "wecom": f"2025030{n:02d}00{n:02d}", "weaver": str(30100 + n)}[platform]


def ms(t: datetime | None) -> str:
    return "0" if t is None else str(int(t.timestamp() * 1000))


def utc_minute(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


# --- DingTalk ------------------------------------------------------------------------------

def dingtalk(case: dict) -> dict:
    records = [{"userId": case["originator"], "date": utc_minute(case["submits"][0]), "type": "START_PROCESS_INSTANCE",
                    "result": "NONE"}]
    tasks = []
    task_no = iter(range(60000 + case["number"] * 100, 60000 + case["number"] * 100 + 99))
    results = {"agree": "AGREE", "refuse": "REFUSE"}
    for s in case["steps"]:
        if s["outcome"] == "rollback":
            records.append({"userId": s["user"], "date": utc_minute(s["done"]), "type": "REDIRECT_PROCESS", "result": "NONE",
                                "remark": "发票抬头有误，请修改后重新提交"})
            records.append({"userId": case["originator"], "date": utc_minute(case["submits"][1]),
                                "type": "START_PROCESS_INSTANCE", "result": "NONE"})
            task_result = "REFUSE"
        elif s["outcome"] == "transfer":
            records.append({"userId": s["user"], "date": utc_minute(s["done"]), "type": "REDIRECT_TASK", "result": "NONE",
                                "remark": s["comment"]})
            task_result = "REDIRECTED"
        else:
            record = {"userId": s["user"], "date": utc_minute(s["done"]), "type": "EXECUTE_TASK_NORMAL",
                          "result": results[s["outcome"]]}
            if s["comment"]:
                record["remark"] = s["comment"]
            records.append(record)
            task_result = results[s["outcome"]]
        tasks.append({"taskId": next(task_no), "userId": s["user"], "activityId": DINGTALK_IDS[s["node"]],
                          "status": "COMPLETED", "result": task_result, "createTime": utc_minute(s["arrive"]),
                          "finishTime": utc_minute(s["done"])})
        for other in s["others"]:
            tasks.append({"taskId": next(task_no), "userId": other, "activityId": DINGTALK_IDS[s["node"]],
                              "status": "CANCELED", "result": "NONE", "createTime": utc_minute(s["arrive"]),
                              "finishTime": utc_minute(s["done"])})
    if case["remark"]:
        records.append({"userId": case["remark"]["user"], "date": utc_minute(case["remark"]["time"]), "type": "ADD_REMARK",
                            "result": "NONE", "remark": case["remark"]["text"]})
    if case.get("withdrawn"):
        records.append({"userId": case["originator"], "date": utc_minute(case["withdrawn"]),
                            "type": "TERMINATE_PROCESS_INSTANCE", "result": "NONE"})
    waiting = case.get("waiting")
    if waiting:
        for user in waiting["users"]:
            tasks.append({"taskId": next(task_no), "userId": user, "activityId": DINGTALK_IDS[waiting["node"]],
                              "status": "CANCELED" if case.get("withdrawn") else "RUNNING", "result": "NONE",
                              "createTime": utc_minute(waiting["arrive"]),
                              "finishTime": utc_minute(case.get("withdrawn"))})
    end = max((s["done"] for s in case["steps"]), default=case.get("withdrawn"))
    if case["cc"]:
        records.append({"userId": case["originator"], "date": utc_minute(case["cc"]["time"]), "type": "PROCESS_CC",
                            "result": "NONE", "ccUserIds": [case["cc"]["user"]]})
    if case["status"] == "done":
        records.append({"userId": case["steps"][-1]["user"], "date": utc_minute(end), "type": "FINISH_PROCESS_INSTANCE",
                            "result": "NONE"})
    records.sort(key=lambda r: r["date"])  # stable: a record logged at the same minute keeps its place
    status = {"done": "COMPLETED", "open": "RUNNING", "withdrawn": "TERMINATED"}[case["status"]]
    result = {
        "title": f"{case['originator']}提交的报销", "businessId": case_id("dingtalk", case),
        "createTime": utc_minute(case["submits"][0]), "finishTime": utc_minute(end) if case["status"] != "open" else None,
        "originatorUserId": case["originator"], "originatorDeptId": DEPARTMENT_IDS[case["department"]],
        "originatorDeptName": case["department"], "status": status, "result": case["result"] or "",
        "formComponentValues": [{"componentType": "MoneyField", "name": "报销金额", "value": str(case["amount"])},
                             {"componentType": "TextField", "name": "报销事由", "value": "差旅费"}],
        "operationRecords": records, "tasks": tasks}
    return {"result": result, "success": True}


# --- Feishu --------------------------------------------------------------------------------

def feishu(case: dict) -> dict:
    code = case_id("feishu", case)
    timeline = [{"type": "START", "create_time": ms(case["submits"][0]), "user_id": case["originator"]}]
    tasks = []
    task_no = iter(range(7300000 + case["number"] * 100, 7300000 + case["number"] * 100 + 99))
    kinds = {"agree": ("PASS", "APPROVED"), "refuse": ("REJECT", "REJECTED"), "rollback": ("ROLLBACK", "REJECTED"),
             "transfer": ("TRANSFER", "TRANSFERRED")}
    for s in case["steps"]:
        kind, task_status = kinds[s["outcome"]]
        task_id = str(next(task_no))
        tasks.append({"id": task_id, "user_id": s["user"], "status": task_status, "node_id": FEISHU_IDS[s["node"]],
                          "node_name": NODES[s["node"]], "type": "OR" if s["others"] else "AND",
                          "start_time": ms(s["arrive"]), "end_time": ms(s["done"])})
        entry = {"type": kind, "create_time": ms(s["done"]), "user_id": s["user"], "task_id": task_id}
        if s["comment"] or kind == "ROLLBACK":
            entry["comment"] = s["comment"] or "发票抬头有误，请修改后重新提交"
        timeline.append(entry)
        if kind == "ROLLBACK":
            timeline.append({"type": "START", "create_time": ms(case["submits"][1]), "user_id": case["originator"]})
        for other in s["others"]:
            tasks.append({"id": str(next(task_no)), "user_id": other, "status": "DONE", "node_id": FEISHU_IDS[s["node"]],
                              "node_name": NODES[s["node"]], "type": "OR", "start_time": ms(s["arrive"]),
                              "end_time": ms(s["done"])})
    waiting = case.get("waiting")
    if waiting:
        for user in waiting["users"]:
            tasks.append({"id": str(next(task_no)), "user_id": user,
                              "status": "DONE" if case.get("withdrawn") else "PENDING",
                              "node_id": FEISHU_IDS[waiting["node"]], "node_name": NODES[waiting["node"]],
                              "type": "OR" if len(waiting["users"]) > 1 else "AND", "start_time": ms(waiting["arrive"]),
                              "end_time": ms(case.get("withdrawn"))})
    if case.get("withdrawn"):
        timeline.append({"type": "CANCEL", "create_time": ms(case["withdrawn"]), "user_id": case["originator"]})
    if case["cc"]:
        timeline.append({"type": "CC", "create_time": ms(case["cc"]["time"]), "user_id": case["originator"],
                             "user_id_list": [case["cc"]["user"]], "cc_user_list": [{"user_id": case["cc"]["user"]}]})
    timeline.sort(key=lambda e: int(e["create_time"]))
    comments = []
    if case["remark"]:
        comments.append({"id": f"c{case['number']}", "user_id": case["remark"]["user"], "comment": case["remark"]["text"],
                             "create_time": ms(case["remark"]["time"])})
    end = max((s["done"] for s in case["steps"]), default=case.get("withdrawn"))
    status = {"done": "APPROVED" if case["result"] == "agree" else "REJECTED", "open": "PENDING",
              "withdrawn": "CANCELED"}[case["status"]]
    form = json.dumps([{"id": "widget1", "name": "报销金额", "type": "amount", "value": case["amount"]},
                       {"id": "widget2", "name": "报销事由", "type": "input", "value": "差旅费"}], ensure_ascii=False)
    data = {"approval_code": "A1B2C3D4-0000-4E5F-8A9B-EXPENSE00001", "approval_name": "费用报销",
                "instance_code": code, "serial_number": f"20250303{case['number']:04d}", "user_id": case["originator"],
                "department_id": DEPARTMENT_IDS[case["department"]], "start_time": ms(case["submits"][0]),
                "end_time": ms(end) if case["status"] != "open" else "0", "status": status, "form": form,
                "task_list": tasks, "comment_list": comments, "timeline": timeline}
    return {"code": 0, "msg": "success", "data": data}


# --- WeCom ---------------------------------------------------------------------------------

def seconds(t: datetime | None) -> int:
    return 0 if t is None else int(t.timestamp())


def wecom(case: dict) -> dict:
    statuses = {"agree": 2, "refuse": 3, "rollback": 11, "transfer": 4}
    nodes = []
    for s in case["steps"]:
        detail = {"approver": {"userid": s["user"]}, "speech": s["comment"] or "", "sp_status": statuses[s["outcome"]],
                      "sptime": seconds(s["done"]), "media_id": []}
        if s["outcome"] == "rollback" and not s["comment"]:
            detail["speech"] = "发票抬头有误，请修改后重新提交"
        previous = nodes[-1] if nodes else None
        if previous and previous["_node"] == s["node"] and previous["_open_for"] == s["user"]:
            previous["details"].append(detail)   # the transferee acts in the same node
            previous["sp_status"] = detail["sp_status"]
        else:
            details = [detail] + [{"approver": {"userid": u}, "speech": "", "sp_status": 1, "sptime": 0, "media_id": []}
                                  for u in s["others"]]
            nodes.append({"sp_status": detail["sp_status"], "approverattr": 1 if s["others"] else 2, "details": details,
                              "_node": s["node"], "_open_for": DEPUTY if s["outcome"] == "transfer" else None})
    waiting = case.get("waiting")
    if waiting:
        nodes.append({"sp_status": 1, "approverattr": 1 if len(waiting["users"]) > 1 else 2,
                          "details": [{"approver": {"userid": u}, "speech": "", "sp_status": 1, "sptime": 0, "media_id": []}
                                   for u in waiting["users"]], "_node": waiting["node"], "_open_for": None})
    for node in nodes:
        node.pop("_node"), node.pop("_open_for")
    status = {"done": 2 if case["result"] == "agree" else 3, "open": 1, "withdrawn": 4}[case["status"]]
    if any(s["outcome"] == "rollback" for s in case["steps"]) and case["status"] == "done":
        status = 2
    comments = []
    if case["remark"]:
        comments.append({"commentUserInfo": {"userid": case["remark"]["user"]},
                             "commenttime": seconds(case["remark"]["time"]), "commentcontent": case["remark"]["text"],
                             "commentid": f"{case['number']}00", "media_id": []})
    info = {"sp_no": case_id("wecom", case), "sp_name": "费用报销", "sp_status": status,
                "template_id": "3TmALk1ogfgKiQE3e3jRwnTUhMTh8vca1N8zUVNU", "apply_time": seconds(case["submits"][0]),
                "applyer": {"userid": case["originator"], "partyid": DEPARTMENT_IDS[case["department"]]},
                "sp_record": nodes, "notifyer": [{"userid": case["cc"]["user"]}] if case["cc"] else [],
                "apply_data": {"contents": [{"control": "Money", "id": "Money-1", "title": [{"text": "报销金额", "lang": "zh_CN"}],
                                               "value": {"new_money": str(case["amount"])}}]},
                "comments": comments}
    return {"errcode": 0, "errmsg": "ok", "info": info}


# --- Weaver e-cology -----------------------------------------------------------------------

def weaver(cases: list[dict]) -> tuple[list[dict], list[dict]]:
    """Rows of workflow_requestlog and workflow_currentoperator."""
    logs, operators = [], []

    def date_time(t: datetime | None) -> tuple[str, str]:
        return ("", "") if t is None else (t.strftime("%Y-%m-%d"), t.strftime("%H:%M:%S"))

    def log(request, node, destination, logtype, user, department, t, remark=""):
        day, clock = date_time(t)
        logs.append({"requestid": request, "workflowid": "88", "nodeid": WEAVER_IDS[node],
                         "destnodeid": WEAVER_IDS[destination], "logtype": logtype, "operator": user,
                         "operatordept": department, "operatedate": day, "operatetime": clock, "remark": remark})

    def operator(request, node, user, received, operated, isremark):
        receive_day, receive_clock = date_time(received)
        day, clock = date_time(operated)
        operators.append({"requestid": request, "nodeid": WEAVER_IDS[node], "userid": user, "receivedate": receive_day,
                              "receivetime": receive_clock, "operatedate": day, "operatetime": clock, "isremark": isremark})

    codes = {"agree": "0", "refuse": "3", "rollback": "3", "transfer": "h"}
    next_node = {"manager": "finance", "finance": "ceo", "ceo": "archive"}
    for case in cases:
        request = case_id("weaver", case)
        who, dept = case["originator"], DEPARTMENT_IDS[case["department"]]
        log(request, "create", "manager", "2", who, dept, case["submits"][0])
        operator(request, "create", who, case["submits"][0], case["submits"][0], "2")
        for s in case["steps"]:
            destination = "create" if s["outcome"] in ("refuse", "rollback") else (
                s["node"] if s["outcome"] == "transfer" else next_node[s["node"]])
            remark = f"<p>{s['comment']}</p>" if s["comment"] else (
                "<p>发票抬头有误，请修改后重新提交</p>" if s["outcome"] == "rollback" else "<p>同意</p>")
            log(request, s["node"], destination, codes[s["outcome"]], s["user"], "", s["done"], remark)
            operator(request, s["node"], s["user"], s["arrive"], s["done"], "2")
            for other in s["others"]:
                operator(request, s["node"], other, s["arrive"], None, "2")
            if s["outcome"] == "rollback":
                log(request, "create", "manager", "2", who, dept, case["submits"][1])
                operator(request, "create", who, s["done"], case["submits"][1], "2")
        if case["remark"]:
            log(request, "finance", "finance", "9", case["remark"]["user"], "", case["remark"]["time"],
                f"<p>{case['remark']['text']}</p>")
        if case["cc"]:
            log(request, "ceo" if case["amount"] > CEO_ABOVE else "finance", "archive", "t", who, dept,
                case["cc"]["time"])
            operator(request, "archive", case["cc"]["user"], case["cc"]["time"], None, "8")
        if case.get("withdrawn"):
            log(request, "create", "create", "r", who, dept, case["withdrawn"])
        waiting = case.get("waiting")
        if waiting:
            for user in waiting["users"]:
                operator(request, waiting["node"], user, waiting["arrive"], None, "2" if case.get("withdrawn") else "0")
    logs.sort(key=lambda r: (r["requestid"], r["operatedate"], r["operatetime"]))
    for number, row in enumerate(logs, start=1):
        row["logid"] = str(900000 + number)
    return logs, operators


# --- truth ----------------------------------------------------------------------------------

def truth(platform: str, cases: list[dict]) -> dict:
    """What procmine should read, by the platforms' documented meaning of each field."""
    labels = {"agree": "同意", "refuse": "退回" if platform == "weaver" else "驳回", "rollback": "退回",
              "transfer": "转审" if platform == "wecom" else "转交"}  # Weaver's only "no" is 退回 (logtype 3)

    def iso(t):
        return t.isoformat()

    by_case, open_cases, activities = {}, [], set()
    for case in cases:
        events = []
        ordinal = 0
        last_node_user = None
        submits = [(t, i) for i, t in enumerate(case["submits"])] if platform != "wecom" else [(case["submits"][0], 0)]
        for t, i in submits:
            if platform == "weaver":
                activity = "创建"
            else:
                activity = "提交" if i == 0 else "重新提交"
            start = iso(t)  # a submission is an instant
            if platform == "weaver":  # the creator's currentoperator row: received at submission / at the send-back
                sent_back = [x["done"] for x in case["steps"] if x["outcome"] == "rollback"]
                start = iso(t) if i == 0 else iso(sent_back[0])
            events.append({"activity": activity, "resource": case["originator"], "outcome": "提交" if i == 0 else "重新提交",
                               "time": iso(t), "start": start})
        previous = case["submits"][0]
        for s in case["steps"]:
            if platform == "wecom":
                if not (last_node_user and last_node_user == (s["node"], s["user"])):
                    ordinal += 1
                last_node_user = (s["node"], DEPUTY) if s["outcome"] == "transfer" else None
                activity = f"审批节点{ordinal}"
                start = previous  # WeCom: the completion of the step before (a transferee: the transfer)
            else:
                activity = {"dingtalk": DINGTALK_IDS[s["node"]], "feishu": NODES[s["node"]],
                            "weaver": WEAVER_NAMES[WEAVER_IDS[s["node"]]]}[platform]
                start = s["arrive"]
            events.append({"activity": activity, "resource": s["user"], "outcome": labels[s["outcome"]], "time": iso(s["done"]),
                               "start": iso(start)})
            previous = s["done"]
        if case.get("withdrawn") and platform != "wecom":
            events.append({"activity": "创建" if platform == "weaver" else "撤回", "resource": case["originator"],
                               "outcome": "撤回", "time": iso(case["withdrawn"]), "start": iso(case["withdrawn"])})
        events.sort(key=lambda e: e["time"])
        if case["status"] == "open":
            open_cases.append(case_id(platform, case))
        activities.update(e["activity"] for e in events)
        by_case[case_id(platform, case)] = {"scenario": case["scenario"], "events": events}
    return {
        "platform": platform, "cases": len(by_case), "events": sum(len(c["events"]) for c in by_case.values()),
        "activities": sorted(activities), "open_cases": open_cases, "events_by_case": by_case,
        "definitions": {"events": "the events procmine makes with default settings (open steps, cc, remarks and "
                                "tasks nobody acted on are not events); time = completion, start = arrival "
                                "(None where the platform gives none), Asia/Shanghai"},
    }


def write(out: Path, seed: int) -> None:
    cases = simulate(seed)
    out.mkdir(parents=True, exist_ok=True)

    def dump(path: Path, data) -> None:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    dump(out / "dingtalk.json", [dingtalk(c) for c in cases])
    (out / "feishu.jsonl").write_text("".join(json.dumps(feishu(c), ensure_ascii=False) + "\n" for c in cases),
                                      encoding="utf-8")
    (out / "wecom").mkdir(exist_ok=True)
    for c in cases:
        dump(out / "wecom" / f"{case_id('wecom', c)}.json", wecom(c))
    (out / "weaver").mkdir(exist_ok=True)
    logs, operators = weaver(cases)
    tables = {
        "workflow_requestlog.csv": (logs, ["logid", "requestid", "workflowid", "nodeid", "destnodeid", "logtype",
                                           "operator", "operatordept", "operatedate", "operatetime", "remark"], "gbk"),
        "workflow_currentoperator.csv": (operators, ["requestid", "nodeid", "userid", "receivedate", "receivetime",
                                                     "operatedate", "operatetime", "isremark"], "utf-8-sig"),
        "workflow_nodebase.csv": ([{"id": k, "nodename": v} for k, v in WEAVER_NAMES.items()], ["id", "nodename"],
                                  "utf-8-sig"),
    }
    for name, (rows, columns, encoding) in tables.items():
        with open(out / "weaver" / name, "w", encoding=encoding, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
    for platform in ("dingtalk", "feishu", "wecom", "weaver"):
        dump(out / f"{platform}.truth.json", truth(platform, cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    write(args.out, args.seed)


if __name__ == "__main__":
    main()
