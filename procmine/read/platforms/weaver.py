"""Weaver e-cology (泛微) workflow tables exported from the database as CSV or Excel.

- ``workflow_requestlog`` (required): one row per operation: ``requestid, nodeid, destnodeid,
  logtype, operator, operatordept, operatedate (char 10), operatetime (char 8), remark``;
- ``workflow_currentoperator`` (optional): one row per person a request reached:
  ``requestid, nodeid, userid, receivedate, receivetime, operatedate, operatetime, isremark``;
  gives arrival times, and the people still to act (``isremark`` 0, no operate date);
- ``workflow_nodebase`` (optional): ``id, nodename``: the node names;
- ``workflow_requestbase`` (optional): ``requestid, requestname, currentnodetype …``: the
  request's title, and whether it is still unfinished (``currentnodetype`` 0, 1 or 2; 3 is 归档).

Events: each requestlog row that is a step, named by its node (``workflow_nodebase``, else
the ``step_names`` mapping, else 节点<nodeid>): ``logtype`` 0 批准 → 同意, 2 提交 → 提交 at the
request's first node (重新提交 later) and 办理 at other nodes, 3 → 退回, h 转办 → 转交, r → 撤回,
e 强制归档, i 干预, 4 重新打开, 6 激活. 1 保存, 5 删除, 7 转发, 9 批注, a/b 意见征询, j, s 督办 and
t 抄送 are not steps. A currentoperator row of the same request, node and person whose operate
time is the operation's gives the step its arrival; one still waiting is an open step.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from procmine.errors import LogFileError
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import RawTable, open_table
from procmine.read.platforms.common import BadTime, Reading, Step, text

#: logtype → (kind, label): step labels are outcomes of the vocabulary or the operation's own name
LOGTYPES = {
    "0": ("step", "同意"), "2": ("submit", "提交"), "3": ("step", "退回"), "h": ("step", "转交"),
    "r": ("step", "撤回"), "e": ("step", "强制归档"), "i": ("step", "干预"), "4": ("step", "重新打开"),
    "6": ("step", "激活"),
    "1": ("not_step", "保存"), "5": ("not_step", "删除"), "7": ("not_step", "转发"), "9": ("not_step", "批注"),
    "a": ("not_step", "意见征询"), "b": ("not_step", "意见征询回复"), "j": ("not_step", "转办反馈"),
    "s": ("not_step", "督办"), "t": ("not_step", "抄送"),
}
#: currentoperator.isremark of people copied in (抄送), not asked to act
CC_REMARKS = ("8", "9", "7")
WAITING = "0"
MATCH_SECONDS = 90
TABLES = {
    "workflow_requestlog": ("requestid", "nodeid", "logtype", "operator", "operatedate", "operatetime"),
    "workflow_currentoperator": ("requestid", "nodeid", "userid", "receivedate"),
    "workflow_nodebase": ("id", "nodename"),
    "workflow_requestbase": ("requestid", "requestname"),
}
#: workflow_requestbase.currentnodetype of a request not archived: 0 创建, 1 审批, 2 处理 (3 is 归档)
UNFINISHED_NODE_TYPES = ("0", "1", "2")
FIELDS = TABLES["workflow_requestlog"]
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".csv.gz")
_TAGS = re.compile(r"<[^>]+>")


def is_table(path: Path) -> bool:
    return path.name.lower().endswith(TABLE_SUFFIXES)


def looks_like_requestlog(headers) -> bool:
    names = {str(h).strip().lower() for h in headers}
    return {"requestid", "logtype", "operatedate"} <= names


def open_tables(paths: list[Path], *, encoding=None, delimiter=None, sheet=None) -> tuple[dict[str, RawTable], list[str]]:
    """The Weaver tables among ``paths`` by table name (recognised by their columns), and the
    names of the files that are none of them."""
    found: dict[str, RawTable] = {}
    ignored = []
    for path in paths:
        raw = open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
        lower = {c: c.strip().lower() for c in raw.frame.columns if c != RAW_ROW}
        raw.frame = raw.frame.rename(lower)
        names = set(lower.values())
        for table, columns in TABLES.items():
            if set(columns) <= names and table not in found:
                found[table] = raw
                raw.source.notes.append(f"{table}: {path.name}")
                break
        else:
            ignored.append(path.name)
    if "workflow_requestlog" not in found:
        shown = ", ".join(p.name for p in paths[:6])
        raise LogFileError(
            f"{shown}: no Weaver workflow_requestlog table found. procmine expects a CSV or Excel export of "
            f"workflow_requestlog with the columns {', '.join(FIELDS)} (optionally workflow_currentoperator: "
            f"{', '.join(TABLES['workflow_currentoperator'])}; workflow_nodebase: id, nodename). Export the "
            "tables with their column names in the first row (see docs/platforms.md).")
    return found, ignored


#: Id and code columns: an Excel export may hold them as numbers (30101.0)
ID_COLUMNS = ("requestid", "nodeid", "destnodeid", "userid", "operator", "operatordept", "id", "isremark", "logtype",
              "workflowid", "currentnodetype")


def _rows(raw: RawTable) -> list[dict]:
    frame = raw.frame.with_columns(pl.all().exclude(RAW_ROW).cast(pl.String))
    ids = [c for c in ID_COLUMNS if c in frame.columns]
    frame = frame.with_columns(pl.col(ids).str.strip_chars().str.replace(r"^(\d+)\.0+$", "$1"))
    return frame.to_dicts()


def _moment(reading: Reading, date, time, row: int, what: str):
    date, time = text(date), text(time)
    if date is None:
        return None
    # Excel cells may hold the date as a date-time and the time on a dummy day: keep the parts meant
    date = date.replace("T", " ").split(" ")[0]
    time = (time or "00:00:00").replace("T", " ").split(" ")[-1]
    return reading.time(f"{date} {time}", row, what)


def read(tables: dict[str, RawTable], reading: Reading, ignored: list[str] = ()) -> None:
    names = {}
    if "workflow_nodebase" in tables:
        for row in _rows(tables["workflow_nodebase"]):
            if text(row.get("id")) and text(row.get("nodename")):
                names[text(row["id"])] = text(row["nodename"])
    else:
        reading.notes.append("no workflow_nodebase table: nodes are named 节点<nodeid>")
    if ignored:
        reading.notes.append(f"files that are none of the Weaver tables, not read: {', '.join(ignored)}")

    def node_name(node) -> str:
        return reading.name(node) or names.get(text(node) or "") or f"节点{text(node)}"

    # arrivals: (requestid, nodeid, userid) → [[row, received, operated, used]]
    waiting: dict[tuple, list[list]] = {}
    operators = _rows(tables["workflow_currentoperator"]) if "workflow_currentoperator" in tables else []
    if not operators:
        reading.notes.append("no workflow_currentoperator table: steps have no arrival times and open requests "
                             "cannot be told")
    if operators and "isremark" not in operators[0]:
        reading.notes.append("workflow_currentoperator has no isremark column: people still to act cannot be told "
                             "from people copied in, so no step is read as open")
    for row in operators:
        number = int(row[RAW_ROW])
        what = f"currentoperator {row.get('requestid')} · node {row.get('nodeid')} · {row.get('userid')}"
        received = _moment(reading, row.get("receivedate"), row.get("receivetime"), number, what)
        operated = _moment(reading, row.get("operatedate"), row.get("operatetime"), number, what)
        if isinstance(received, BadTime) or isinstance(operated, BadTime):
            continue
        key = (text(row.get("requestid")), text(row.get("nodeid")), text(row.get("userid")))
        waiting.setdefault(key, []).append([row, received, operated, False])

    logs = _rows(tables["workflow_requestlog"])
    by_request: dict[str, list[tuple]] = {}
    for row in logs:
        number = int(row[RAW_ROW])
        request = text(row.get("requestid"))
        code = (text(row.get("logtype")) or "").lower()
        shown = f"{request} · logtype {code or '(empty)'} · node {row.get('nodeid')} · {row.get('operator')}"
        if code not in LOGTYPES:
            reading.unknown_operation(f"logtype {code or '(empty)'}", number, shown)
            continue
        kind, label = LOGTYPES[code]
        if kind == "not_step":
            reading.aside("not_a_step", number, f"{shown} ({label})")
            continue
        moment = _moment(reading, row.get("operatedate"), row.get("operatetime"), number, shown)
        if isinstance(moment, BadTime):
            continue
        if moment is None or request is None:
            reading.aside("no_time", number, shown)
            continue
        by_request.setdefault(request, []).append((moment, number, row, kind, label, code))

    for request, entries in by_request.items():
        reading.instances += 1
        entries.sort(key=lambda e: (e[0], e[1]))
        first_node = text(entries[0][2].get("nodeid"))
        submits = 0
        for moment, number, row, kind, label, code in entries:
            node, user = text(row.get("nodeid")), text(row.get("operator"))
            if kind == "submit":
                if text(row.get("nodeid")) == first_node:
                    label = "提交" if submits == 0 else "重新提交"
                    submits += 1
                else:
                    label = "办理"
            arrival = _arrival(waiting.get((request, node, user), []), moment)
            if arrival is None and (kind == "submit" or label == "撤回"):
                arrival = moment  # a submission or withdrawal nobody handed over is an instant
            reading.add(Step(request, node_name(node), moment, start=arrival, resource=user,
                             department=text(row.get("operatordept")), outcome=label, action=f"logtype {code}",
                             comment=_remark(row.get("remark")), record=f"workflow_requestlog row {number}"))
        reading.attributes[request] = {"workflowid": text(entries[0][2].get("workflowid"))} \
            if text(entries[0][2].get("workflowid")) else {}

    for row in _rows(tables["workflow_requestbase"]) if "workflow_requestbase" in tables else []:
        request = text(row.get("requestid"))
        if request not in by_request:
            continue
        reading.attributes.setdefault(request, {}).update(
            {k: text(row.get(k)) for k in ("requestname", "workflowid", "currentnodetype") if text(row.get(k))})
        if text(row.get("currentnodetype")) in UNFINISHED_NODE_TYPES:
            reading.open_cases.add(request)

    for (request, node, user), rows in waiting.items():
        for row, received, operated, used in rows:
            number = int(row[RAW_ROW])
            remark = text(row.get("isremark")) or ""
            shown = f"currentoperator {request} · node {node} · {user} · isremark {remark}"
            if used:
                reading.aside("task_merged", number, shown)
            elif remark in CC_REMARKS:
                reading.aside("not_a_step", number, shown)
            elif remark == WAITING and operated is None and received is not None:
                reading.open_cases.add(request)
                reading.instances += request not in by_request
                by_request.setdefault(request, [])
                reading.add(Step(request, node_name(node), None, start=received, resource=user,
                                 action="isremark 0", record=f"workflow_currentoperator row {number}"))
            else:
                reading.aside("task_not_acted", number, shown)


def _arrival(rows: list[list], moment):
    """The receive time of the unused currentoperator row operated at ``moment``, marking it used."""
    best, gap = None, None
    for entry in rows:
        _, received, operated, used = entry
        if used or received is None or received > moment:
            continue
        distance = abs((operated - moment).total_seconds()) if operated is not None else None
        if distance is not None and distance <= MATCH_SECONDS and (gap is None or distance < gap):
            best, gap = entry, distance
    if best is None:
        return None
    best[3] = True
    return best[1]


def _remark(value) -> str | None:
    value = text(value)
    return text(_TAGS.sub(" ", value).replace("&nbsp;", " ")) if value else None
