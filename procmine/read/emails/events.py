"""Each case's messages as events (提交, decisions, 重新提交), one row per message read, and the
quality findings for the messages that are not events.
"""

from __future__ import annotations

import re

import polars as pl

from procmine.check import DROPPED, KEPT, REPAIRED, Finding
from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, TIMESTAMP
from procmine.read.emails.decisions import _find_decision, _KeywordTable
from procmine.read.emails.messages import _Message, _short
from procmine.read.emails.mime import BROKEN_REASONS
from procmine.read.emails.senders import _Directory, _person, _usual_names
from procmine.read.files import ROW as RAW_ROW


EXAMPLES = 3


#: Finding codes, so that a summary can count them, and their short names in the summary.
SHORT_REASONS = {
    "broken_empty": "empty file", "broken_not_email": "not an e-mail", "broken_no_date": "no Date",
    "broken_bad_date": "unreadable Date", "broken_body": "undecodable body",
    "unassigned_no_id_no_thread": "no id and no thread", "unassigned_reply_to_missing": "reply to a missing message",
    "unassigned_broadcast": "circular",
}
BROKEN_PREFIX, UNASSIGNED_PREFIX = "broken_", "unassigned_"
COMMENT_LINES, COMMENT_CHARS = 2, 200


#: A requester's reply after a send-back that resubmits (已修改，请再审) rather than thanks (收到，谢谢).
_RESUBMIT = re.compile(r"提交|修改|补充|更新|修订|重新|再次|重发|请审|审批|审核|批准|附件|resubmit|updated|revised|attached",
                       re.IGNORECASE)


def _events(cases: dict[str, list[_Message]], table: _KeywordTable, directory: _Directory,
            found: dict) -> list[dict]:
    names = _usual_names(m for group in cases.values() for m in group)
    records: list[dict] = []
    for case_id, group in cases.items():
        group.sort(key=lambda m: (m.date, m.row))
        request = next((m for m in group if m.kind is None and not m.in_reply_to), None) or \
            next((m for m in group if m.kind is None), None)
        if request is None:
            found.setdefault("case_without_request", []).append((group[0].row, f"{case_id}: {group[0].label}"))
        requester = request.sender if request else None
        sent_back = False
        for message in group:
            resource, department, step = _person(message, names, directory)
            base = dict(row=message.row, case=case_id, timestamp=message.date, resource=resource,
                        department=department, comment=_comment(message.own), subject=message.subject,
                        sender=message.sender, message_id=message.message_id, file=message.label)
            if message is request:
                records.append(dict(base, activity="提交", outcome="提交"))
                continue
            if requester and message.sender == requester:  # the requester never decides their own request
                fresh = message.kind is None and not message.in_reply_to
                if message.kind != "forward" and (fresh or (sent_back and _RESUBMIT.search(message.own))):
                    records.append(dict(base, activity="重新提交", outcome="提交"))
                    sent_back = False
                else:
                    _not_a_decision(message, table, found)
                continue
            decision = _find_decision(message.vote, table) if message.vote else None
            decision = decision or _find_decision(message.own, table)
            if decision is None:
                _not_a_decision(message, table, found)
                continue
            activity = step or _step_name(department or resource)
            records.append(dict(base, activity=activity, outcome=decision.outcome, decision_word=decision.word))
            sent_back = decision.outcome in ("驳回", "退回") or (sent_back and decision.outcome in ("转交", "加签"))
    return records


def _not_a_decision(message: _Message, table: _KeywordTable, found: dict) -> None:
    if message.kind == "forward":
        code = "forward_without_decision"
    elif _find_decision(message.quoted, table) is not None:
        code = "quoted_decision_only"
    else:
        code = "no_decision"
    found.setdefault(code, []).append((message.row, f"{message.label}: {_short(message.own or message.subject)}"))


def _step_name(who: str | None) -> str:
    if not who:
        return "审批"
    return who if who.endswith(("审批", "审核", "复核", "会签", "签批")) else f"{who}审批"


def _comment(own: str) -> str | None:
    lines = [line.strip() for line in own.split("\n") if line.strip()]
    text = " ".join(lines[:COMMENT_LINES])
    return (text if len(text) <= COMMENT_CHARS else text[: COMMENT_CHARS - 1] + "…") or None


ATTRIBUTES = ("comment", "decision_word", "subject", "sender", "message_id", "file")


def _frame(records: list[dict], timezone: str) -> pl.DataFrame:
    columns = {
        RAW_ROW: pl.Series([r["row"] for r in records], dtype=pl.UInt32),
        CASE: pl.Series([r["case"] for r in records], dtype=pl.String),
        ACTIVITY: pl.Series([r["activity"] for r in records], dtype=pl.String),
        TIMESTAMP: pl.Series([r["timestamp"] for r in records], dtype=pl.Datetime("us", timezone)),
        RESOURCE: pl.Series([r["resource"] for r in records], dtype=pl.String),
        DEPARTMENT: pl.Series([r["department"] for r in records], dtype=pl.String),
        OUTCOME: pl.Series([r["outcome"] for r in records], dtype=pl.String),
    }
    for name in ATTRIBUTES:
        columns[name] = pl.Series([r.get(name) for r in records], dtype=pl.String)
    return pl.DataFrame(columns)


FINDINGS = {
    # code: (message, action, severity)
    "broken_empty": (BROKEN_REASONS["broken_empty"], DROPPED, "warning"),
    "broken_not_email": (BROKEN_REASONS["broken_not_email"], DROPPED, "warning"),
    "broken_no_date": (BROKEN_REASONS["broken_no_date"], DROPPED, "warning"),
    "broken_bad_date": (BROKEN_REASONS["broken_bad_date"], DROPPED, "warning"),
    "broken_body": (BROKEN_REASONS["broken_body"], DROPPED, "warning"),
    "duplicate_message": ("the same message (Message-ID) twice; the first copy is kept", DROPPED, "info"),
    "unassigned_no_id_no_thread": ("no request id in the subject and no thread (no reply, no In-Reply-To/"
                                   "References): not assigned to a case; set --id-pattern if the id is written "
                                   "differently", DROPPED, "warning"),
    "unassigned_broadcast": ("a circular (to a mailing list or all staff) without a request id, or a reply to "
                             "one: not an approval case", DROPPED, "warning"),
    "unassigned_reply_to_missing": ("a reply to a message that is not in the mailbox, with no request id in the "
                                    "subject: not assigned to a case", DROPPED, "warning"),
    "quoted_decision_only": ("the only decision word is in the quoted part (an earlier message): not counted as "
                             "a decision", DROPPED, "info"),
    "forward_without_decision": ("forwarded without a decision in the forwarder's own text", DROPPED, "info"),
    "no_decision": ("no decision word in the message's own text (a question, 收到, or the requester's reply)",
                    DROPPED, "info"),
    "case_without_request": ("the case's request message is not in the mailbox: the case starts at its first "
                             "reply", KEPT, "info"),
}


def _findings(found: dict[str, list[tuple[int, str]]], charset_repairs: list[tuple[int, str]]) -> list[Finding]:
    findings = []
    for code, (message, action, severity) in FINDINGS.items():
        rows = sorted(found.get(code, []))
        if rows:
            findings.append(Finding(code, message, len(rows), action, examples=rows[:EXAMPLES], severity=severity))
    if charset_repairs:
        findings.append(Finding("charset_repaired", "body charset missing or wrong; decoded with the charset that fits",
                                len(charset_repairs), REPAIRED, examples=charset_repairs[:EXAMPLES], severity="info"))
    return findings
