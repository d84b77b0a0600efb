"""E-mail approvals: quoted parts, decisions, cases, broken messages, the samples and the CLI."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from click.testing import CliRunner

import procmine
from procmine.cli import cli, main
from procmine.errors import DataQualityError, EmptyLogError, LogFileError
from procmine.log import EventLog
from procmine.read.emails import email_summary, find_decision, own_text, read_emails, write_log_csv

from conftest import SAMPLES

SH = ZoneInfo("Asia/Shanghai")


def word(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def message(*, sender: str, subject: str, date: str | None, body: str = "", message_id: str,
            reply_to: str | None = None, charset: str = "utf-8", html: bool = False, subject_charset: str = "utf-8",
            extra: str = "") -> bytes:
    """A message as a mail client writes it: RFC 2047 words, base64 body."""
    name, address = sender.split("<")
    lines = [f"From: {word(name.strip(), subject_charset)} <{address}", "To: boss@corp.example",
             f"Subject: {word(subject, subject_charset)}"]
    if date is not None:
        lines.append(f"Date: {date}")
    lines.append(f"Message-ID: <{message_id}>")
    if reply_to:
        lines += [f"In-Reply-To: <{reply_to}>", f"References: <{reply_to}>"]
    lines += ["MIME-Version: 1.0", f"Content-Type: text/{'html' if html else 'plain'}; charset=\"{charset}\"",
              "Content-Transfer-Encoding: base64"]
    if extra:
        lines.append(extra)
    payload = base64.encodebytes(body.replace("\n", "\r\n").encode(charset)).decode()
    return ("\r\n".join(lines) + "\r\n\r\n" + payload).encode("utf-8")  # a raw 8-bit Date stays as written


def write(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def rows(log: EventLog) -> list[tuple]:
    return [(r["case"], r["activity"], r["outcome"], r["resource"], r["timestamp"].replace(tzinfo=None).isoformat(" "))
            for r in log.events.sort("case", "timestamp").iter_rows(named=True)]


# --- the reply's own words ----------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "同意。\n> 请审批\n> 同意",
    "同意。\n\n-----原始邮件-----\n发件人: 张三\n同意",
    "同意。\n\n------------------ 原始邮件 ------------------\n发件人: \"张三\"<z@corp.example>;\n同意",
    "同意。\n\n-----Original Message-----\nFrom: Zhang\nSent: Wednesday\n同意",
    "同意。\n\n在 2025年3月5日 10:02，张三 <z@corp.example> 写道：\n同意",
    "同意。\n\nOn Wed, Mar 5, 2025 at 10:02 AM Zhang San <\nz@corp.example> wrote:\n> 同意",
    "同意。\n\n发件人: 张三 <z@corp.example>\n发送时间: 2025年3月5日 10:02\n收件人: 王总\n主题: 审批\n同意",
    "同意。\n\n---------- Forwarded message ---------\nFrom: 张三\n同意",
    "同意。\n\n________________________________\nFrom: 张三\n同意",
    "同意。\n-- \n张三 | 财务部 | 电话 1234（本邮件未经同意不得转发）",
])
def test_own_text_cuts_quotes_forwards_and_signatures(body):
    assert own_text(body) == "同意。"


@pytest.mark.parametrize("markup", [
    "<div>收到</div><blockquote><div>同意</div></blockquote>",
    '<div dir="ltr">收到</div><div class="gmail_quote"><div class="gmail_attr">在…写道：</div>同意</div>',
    '<div>收到</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>发件人:</b> 张三</div><div>同意</div>',
    "<p>收到</p><div>------------------&nbsp;原始邮件&nbsp;------------------</div><div>同意</div>",
])
def test_own_text_of_html_replies(markup):
    assert own_text(f"<html><head><style>p{{margin:0}}</style></head><body>{markup}</body></html>", html=True) == "收到"


@pytest.mark.parametrize("text, outcome", [
    ("同意。", "同意"), ("已阅，同意", "同意"), ("批准", "同意"), ("审核通过。", "同意"), ("通过", "同意"),
    ("不同意，预算超支", "驳回"), ("我不同意这个方案", "驳回"), ("不批准", "驳回"), ("未通过", "驳回"),
    ("无法通过", "驳回"), ("驳回：条款风险大", "驳回"), ("退回修改：请补充报价单", "退回"),
    ("请补充发票后重新提交，先退回。", "退回"), ("转交李四处理", "转交"), ("加签：请法务会签", "加签"),
    ("同意，请财务部审核", "同意"), ("Approved.", "同意"), ("I approve", "同意"), ("Rejected - no budget", "驳回"),
    ("I do not approve this", "驳回"), ("disapproved", "驳回"),
    ("请王总批准", None), ("此合同金额较大，请您批准。", None), ("同意吗？", None), ("是否同意", None),
    ("通过邮件发送给您", None), ("please approve", None), ("收到，谢谢", None), ("the approval flow", None),
    # a broadcast asking who agrees decides nothing; a reply saying so does
    ("同意的请回复", None), ("同意者请回复确认", None), ("同意的话请回复", None), ("不同意的请说明理由", None),
    ("我是同意的", "同意"), ("同意。请回复确认收到", "同意"),
])
def test_decisions_and_what_is_not_one(text, outcome):
    found = find_decision(text)
    assert (found.outcome if found else None) == outcome


def test_keywords_can_be_added():
    assert find_decision("可以") is None
    assert find_decision("可以", {"同意": ["可以", "OK"]}).outcome == "同意"
    assert find_decision("作废", {"作废": ["作废"]}).outcome == "作废"


# --- a small mailbox, checked by hand -------------------------------------------------------

@pytest.fixture
def mailbox_folder(tmp_path: Path) -> Path:
    """HT2025001: request (09:00), manager 同意 in GBK (02:30 UTC = 10:30), finance "收到" above a
    quoted 同意 (HTML only), general manager 不同意 (Thu 10:00). Plus an empty file and a message
    without Date."""
    return write(tmp_path / "mail", {
        "01.eml": message(sender="张三 <zhangsan@corp.example>", subject="【审批】合同HT2025001 采购合同",
                          date="Wed, 05 Mar 2025 09:00:00 +0800", message_id="a1@corp.example",
                          body="王经理：\n经部门讨论同意，现提交合同HT2025001，请审批。\n张三", subject_charset="gb2312"),
        "02.eml": message(sender="王经理 <wang@corp.example>", subject="Re: 【审批】合同HT2025001 采购合同",
                          date="Wed, 05 Mar 2025 02:30:00 +0000", message_id="a2@corp.example",
                          reply_to="a1@corp.example", charset="gbk",
                          body="同意，请财务部审核。\n\n------------------ 原始邮件 ------------------\n发件人: 张三\n请审批"),
        "03.eml": message(sender="李四 <lisi@fin.corp.example>", subject="RE: Re: 【审批】合同HT2025001 采购合同",
                          date="Wed, 05 Mar 2025 14:00:00 +0800", message_id="a3@corp.example",
                          reply_to="a2@corp.example", html=True,
                          body='<div>收到，已安排付款。</div><div id="divRplyFwdMsg">发件人: 王经理</div><div>同意</div>'),
        "04.eml": message(sender="王总 <ceo@corp.example>", subject="回复：【审批】合同HT2025001",
                          date="Thu, 06 Mar 2025 10:00:00 +0800", message_id="a4@corp.example",
                          body="不同意，预算超支。\n\n在 2025年3月5日 14:00，李四 <lisi@fin.corp.example> 写道：\n> 同意"),
        "05.eml": b"",
        "06.eml": message(sender="赵六 <zhao@corp.example>", subject="Re: 【审批】合同HT2025001", date=None,
                          message_id="a6@corp.example", body="同意"),
    })


def test_small_mailbox_events_by_hand(mailbox_folder):
    log = read_emails(mailbox_folder)
    assert rows(log) == [
        ("HT2025001", "提交", "提交", "张三", "2025-03-05 09:00:00"),
        ("HT2025001", "王经理审批", "同意", "王经理", "2025-03-05 10:30:00"),
        ("HT2025001", "王总审批", "驳回", "王总", "2025-03-06 10:00:00"),
    ]
    assert log.events["row"].to_list() == [1, 2, 4]
    assert log.events["comment"].to_list()[1] == "同意，请财务部审核。"
    quality = log.quality
    assert (quality.rows_read, quality.events, quality.dropped, quality.row_word) == (6, 3, 3, "message")
    assert quality.rows_read == quality.events + quality.dropped + quality.merged
    found = {f.code: [r for r, _ in f.examples] for f in quality.findings}
    assert found["broken_empty"] == [5] and found["broken_no_date"] == [6] and found["quoted_decision_only"] == [3]
    summary = email_summary(log)
    assert (summary.messages, summary.cases, summary.decisions, summary.broken, summary.quoted_only) == (
        6, 1, {"同意": 1, "驳回": 1}, 2, 1)


def test_the_log_is_what_read_log_returns(mailbox_folder):
    log = read_emails(mailbox_folder, timezone="UTC")
    assert isinstance(log, EventLog) and isinstance(procmine.read_emails(mailbox_folder), EventLog)
    assert log.events.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert log.events["timestamp"].to_list()[1] == datetime(2025, 3, 5, 2, 30, tzinfo=ZoneInfo("UTC"))
    assert log.timezone == "UTC" and log.columns.case == "case"
    pmap = procmine.discover(read_emails(mailbox_folder))
    assert set(pmap.activities["activity"]) == {"提交", "王经理审批", "王总审批"}


def test_cases_from_threads_and_unassigned_messages(tmp_path):
    folder = write(tmp_path / "m", {
        "1.eml": message(sender="王芳 <wf@corp.example>", subject="请假申请：王芳 3月17日至19日",
                         date="Mon, 10 Mar 2025 09:00:00 +0800", message_id="l1@c", body="请批准。"),
        # the manager's client dropped In-Reply-To / References: joined by its subject
        "2.eml": message(sender="刘强 <lq@corp.example>", subject="回复：请假申请：王芳 3月17日至19日",
                         date="Mon, 10 Mar 2025 10:00:00 +0800", message_id="l2@c", body="同意。"),
        "3.eml": message(sender="黄蕾 <hl@corp.example>", subject="Re: 请假申请：王芳 3月17日至19日",
                         date="Mon, 10 Mar 2025 11:00:00 +0800", message_id="l3@c", reply_to="l1@c", body="已备案。"),
        "4.eml": message(sender="IT <it@vendor.example>", subject="系统维护通知",
                         date="Mon, 10 Mar 2025 12:00:00 +0800", message_id="n1@v", body="周六维护。"),
        "5.eml": message(sender="Tom <tom@partner.example>", subject="Re: 周五会议",
                         date="Mon, 10 Mar 2025 13:00:00 +0800", message_id="t1@p", reply_to="gone@p", body="同意"),
    })
    log = read_emails(folder)
    assert rows(log) == [("thread-001", "提交", "提交", "王芳", "2025-03-10 09:00:00"),
                         ("thread-001", "刘强审批", "同意", "刘强", "2025-03-10 10:00:00")]
    found = {f.code: [r for r, _ in f.examples] for f in log.quality.findings}
    assert found["unassigned_no_id_no_thread"] == [4]
    assert found["unassigned_reply_to_missing"] == [5]
    assert found["no_decision"] == [3]
    assert email_summary(log).unassigned == 2


def test_broadcasts_and_subjects_alone_make_no_case(tmp_path):
    """Held-out shape of issue 16: a circular to all staff, "同意的请回复", and replies "Re: …" saying
    同意, threaded by headers or by their subject alone, is not an approval case."""
    day = "Mon, 10 Mar 2025 {}:00:00 +0800"
    files = {
        "1.eml": message(sender="张三 <zs@corp.example>", subject="【审批】合同HT2025001", date=day.format("08"),
                         message_id="a1@c", body="请审批。"),
        "2.eml": message(sender="李四 <ls@corp.example>", subject="Re: 【审批】合同HT2025001", date=day.format("09"),
                         message_id="a2@c", reply_to="a1@c", body="同意。"),
        "3.eml": message(sender="行政部 <hr@corp.example>", subject="关于年会安排", date=day.format("10"),
                         message_id="b1@c", body="同意的请回复。", extra="Cc: all-staff@corp.example"),
        "4.eml": message(sender="王五 <ww@corp.example>", subject="Re: 关于年会安排", date=day.format("11"),
                         message_id="b2@c", reply_to="b1@c", body="同意"),
        "5.eml": message(sender="赵六 <zl@corp.example>", subject="Re: 关于年会安排", date=day.format("12"),
                         message_id="b3@c", body="同意"),  # no thread headers: the subject alone
        "6.eml": message(sender="孙七 <sq@corp.example>", subject="周报", date=day.format("13"),
                         message_id="c1@c", body="本周进展。"),
        "7.eml": message(sender="周八 <zb@corp.example>", subject="Re: 周报", date=day.format("14"),
                         message_id="c2@c", body="同意"),
        "8.eml": message(sender="吴九 <wj@corp.example>", subject="Re: 周报", date=day.format("15"),
                         message_id="c3@c", body="同意"),
    }
    log = read_emails(write(tmp_path / "m", files))
    assert rows(log) == [("HT2025001", "提交", "提交", "张三", "2025-03-10 08:00:00"),
                         ("HT2025001", "李四审批", "同意", "李四", "2025-03-10 09:00:00")]
    found = {f.code: (f.rows, [r for r, _ in f.examples]) for f in log.quality.findings}
    assert found["unassigned_broadcast"] == (3, [3, 4, 5])  # the circular and its replies (5: by subject)
    assert found["unassigned_no_id_no_thread"] == (3, [6, 7, 8])  # 周报 and two "Re:" joined by subject alone
    assert log.quality.rows_read == 8


def test_id_pattern_is_configurable(tmp_path):
    folder = write(tmp_path / "m", {
        "1.eml": message(sender="A <a@c.example>", subject="采购申请 #20250042", date="Mon, 10 Mar 2025 09:00:00 +0800",
                         message_id="1@c", body="请审批"),
        "2.eml": message(sender="B <b@c.example>", subject="Re: 采购申请 #20250042", date="Mon, 10 Mar 2025 10:00:00 +0800",
                         message_id="2@c", body="同意"),
    })
    with pytest.raises(EmptyLogError):  # no id by default, no thread headers: the subject alone makes no case
        read_emails(folder)
    assert read_emails(folder, id_pattern=r"#(\d+)").events["case"].unique().to_list() == ["20250042"]


def test_departments_name_the_steps(mailbox_folder):
    log = read_emails(mailbox_folder, departments={"wang@corp.example": ("销售部", "部门经理审批"),
                                                    "@corp.example": "星河科技", "王总": "总经理办公室"})
    assert log.events["activity"].to_list() == ["提交", "部门经理审批", "总经理办公室审批"]
    assert log.events["department"].to_list() == ["星河科技", "销售部", "总经理办公室"]


def test_departments_from_a_file(mailbox_folder, tmp_path):
    mapping = tmp_path / "dept.csv"
    mapping.write_bytes("地址,部门,环节\r\nwang@corp.example,销售部,部门经理审批\r\n@corp.example,总部,\r\n".encode("gbk"))
    log = read_emails(mailbox_folder, departments=mapping)
    assert log.events["activity"].to_list() == ["提交", "部门经理审批", "总部审批"]


def test_requester_resubmits_after_a_send_back_but_thanks_are_no_event(tmp_path):
    subject = "报销单BX-2025-0042 审批"
    folder = write(tmp_path / "m", {
        "1.eml": message(sender="张三 <zs@c.example>", subject=subject, date="Mon, 10 Mar 2025 09:00:00 +0800",
                         message_id="1@c", body="请审批"),
        "2.eml": message(sender="周敏 <zm@c.example>", subject="Re: " + subject, date="Mon, 10 Mar 2025 10:00:00 +0800",
                         message_id="2@c", reply_to="1@c", body="退回，请补充发票。"),
        "3.eml": message(sender="张三 <zs@c.example>", subject="Re: Re: " + subject,
                         date="Mon, 10 Mar 2025 11:00:00 +0800", message_id="3@c", reply_to="2@c",
                         body="已补充发票，请再审。"),
        "4.eml": message(sender="周敏 <zm@c.example>", subject="Re: Re: Re: " + subject,
                         date="Mon, 10 Mar 2025 12:00:00 +0800", message_id="4@c", reply_to="3@c", body="不同意。"),
        "5.eml": message(sender="张三 <zs@c.example>", subject="Re: " + subject, date="Mon, 10 Mar 2025 13:00:00 +0800",
                         message_id="5@c", reply_to="4@c", body="收到，谢谢！\n> 不同意。"),
        # a forward is no decision unless the forwarder's own words hold one
        "6.eml": message(sender="周敏 <zm@c.example>", subject="Fw: " + subject, date="Mon, 10 Mar 2025 14:00:00 +0800",
                         message_id="6@c", body="王总：请您批准。\n\n---------- Forwarded message ---------\n同意"),
        "7.eml": message(sender="王总 <wz@c.example>", subject="Fw: " + subject, date="Mon, 10 Mar 2025 15:00:00 +0800",
                         message_id="7@c", body="同意，转财务。\n\n-------- 转发邮件信息 --------\n请审批"),
    })
    log = read_emails(folder)
    assert [(a, o) for _, a, o, _, _ in rows(log)] == [("提交", "提交"), ("周敏审批", "退回"), ("重新提交", "提交"),
                                                      ("周敏审批", "驳回"), ("王总审批", "同意")]
    found = {f.code: [r for r, _ in f.examples] for f in log.quality.findings}
    assert found["quoted_decision_only"] == [5] and found["forward_without_decision"] == [6]


def test_mbox_with_a_duplicate_an_outlook_vote_and_a_bad_body(tmp_path):
    parts = [
        message(sender="张三 <zs@c.example>", subject="合同HT2025009", date="Mon, 10 Mar 2025 09:00:00 +0800",
                message_id="1@c", body="请审批"),
        message(sender="周敏 <zm@c.example>", subject="批准: 合同HT2025009", date="Mon, 10 Mar 2025 10:00:00 +0800",
                message_id="2@c", reply_to="1@c", body=""),
        message(sender="王总 <wz@c.example>", subject="Re: 合同HT2025009", date="Mon, 10 Mar 2025 11:00:00 +0800",
                message_id="3@c", reply_to="1@c", body="x"),
    ]
    parts[2] = parts[2].replace(b"eA==", base64.encodebytes(b"\xff\xfe\xfa\xfb" * 4).strip())
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(b"".join(b"From x@c.example Mon Mar 10 09:00:00 2025\n" + p.replace(b"\r\n", b"\n") + b"\n\n"
                              for p in [*parts, parts[1]]))
    log = read_emails(mbox)
    assert [(a, o) for _, a, o, _, _ in rows(log)] == [("提交", "提交"), ("周敏审批", "同意")]
    found = {f.code: [r for r, _ in f.examples] for f in log.quality.findings}
    assert found["broken_body"] == [3] and found["duplicate_message"] == [4]
    assert log.quality.rows_read == 4 == log.quality.events + log.quality.dropped


def test_unreadable_date_is_broken_and_non_rfc_date_is_read(tmp_path):
    folder = write(tmp_path / "m", {
        "1.eml": message(sender="A <a@c.example>", subject="合同HT2025001", date="2025-03-05 10:02:11 +0800",
                         message_id="1@c", body="请审批"),
        "2.eml": message(sender="B <b@c.example>", subject="Re: 合同HT2025001", date="星期三 下午 3点",
                         message_id="2@c", body="同意"),
    })
    log = read_emails(folder)
    assert log.events["timestamp"].to_list() == [datetime(2025, 3, 5, 10, 2, 11, tzinfo=SH)]
    assert {f.code for f in log.quality.findings} >= {"broken_bad_date"}
    with pytest.raises(DataQualityError):
        read_emails(folder, strict=True)


def test_no_messages_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(LogFileError, match="no .eml files"):
        read_emails(tmp_path / "empty")
    with pytest.raises(LogFileError, match="not found"):
        read_emails(tmp_path / "missing.mbox")


def test_csv_round_trip(mailbox_folder, tmp_path):
    log = read_emails(mailbox_folder)
    path = write_log_csv(log, tmp_path / "log.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + b"case,activity,timestamp,resource,department,outcome,message,")
    again = procmine.read_log(path)
    assert rows(again) == rows(log)
    assert again.events["message"].to_list() == [1, 2, 4]  # a column of numbers is read as numbers


# --- the bundled samples against their ground truth -------------------------------------------

SAMPLE_MAILBOXES = [("邮件审批", "邮件审批.truth.json"), ("邮件审批.mbox", "邮件审批.mbox.truth.json")]


@pytest.mark.parametrize("name, truth_file", SAMPLE_MAILBOXES)
def test_samples_match_their_truth(name, truth_file):
    truth = json.loads((SAMPLES / truth_file).read_text(encoding="utf-8"))
    log = read_emails(SAMPLES / name)
    summary = email_summary(log)
    assert (summary.messages, summary.cases, summary.events) == (truth["messages"], truth["cases"], truth["events"])
    assert summary.decisions == truth["decisions"]
    assert (summary.requests, summary.resubmissions) == (truth["requests"], truth["resubmissions"])
    events: dict[str, list] = {}
    for r in log.events.iter_rows(named=True):
        kind = r["activity"] if r["activity"] in ("提交", "重新提交") else r["outcome"]
        events.setdefault(r["case"], []).append([r["row"], kind, r["resource"], r["timestamp"].isoformat(sep=" ")])
    assert events == {case: [[e["row"], e["kind"], e["resource"], e["time"]] for e in listed]
                      for case, listed in truth["events_by_case"].items()}
    rows_seen = set(log.events["row"].to_list())
    assert not rows_seen & {q["row"] for q in truth["quoted_decisions_not_counted"]}
    found = {f.code: f for f in log.quality.findings}
    for item in truth["broken"]:
        assert item["row"] in [r for r, _ in found[f"broken_{item['reason']}"].examples]
    for item in truth["unassigned"]:
        assert item["row"] in [r for r, _ in found[f"unassigned_{item['reason']}"].examples]
    assert summary.broken == len(truth["broken"]) and summary.unassigned == len(truth["unassigned"])
    assert summary.quoted_only == len(truth["quoted_decisions_not_counted"])


def test_sample_with_departments_gives_the_contract_process():
    log = read_emails(SAMPLES / "邮件审批", departments=SAMPLES / "邮件审批.departments.csv")
    assert set(log.events["activity"]) == {"提交", "部门经理审批", "法务审核", "财务审核", "总经理审批", "重新提交"}
    edges = {(r["source"], r["target"]): r["cases"] for r in procmine.discover(log).handoffs.iter_rows(named=True)}
    assert edges[("提交", "部门经理审批")] == 10 and edges[("部门经理审批", "法务审核")] == 8


# --- the command line -----------------------------------------------------------------------

def test_from_email_then_discover(tmp_path):
    truth = json.loads((SAMPLES / "邮件审批.mbox.truth.json").read_text(encoding="utf-8"))
    runner = CliRunner()
    out = tmp_path / "out" / "log.csv"
    result = runner.invoke(cli, ["from-email", str(SAMPLES / "邮件审批.mbox"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{truth['messages']} messages → {truth['cases']} cases, {truth['events']} events" in result.output
    assert "broken 2 (no Date 1, undecodable body 1)" in result.output and "UTF-8 with BOM" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcase,activity,timestamp,resource,department,outcome")
    result = runner.invoke(cli, ["discover", str(out), "-o", str(tmp_path / "map"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["cases"], summary["events"]) == (truth["cases"], truth["events"])
    assert (tmp_path / "map" / "current_flowchart.png").stat().st_size > 0


def test_from_email_json_and_options(tmp_path):
    result = CliRunner().invoke(cli, ["from-email", str(SAMPLES / "邮件审批"), "--json", "--departments",
                                      str(SAMPLES / "邮件审批.departments.csv"), "--keyword", "同意=可以,OK"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["email"]["decisions"] == {"同意": 26, "驳回": 1, "退回": 1, "转交": 1, "加签": 1}
    assert payload["output"] is None and payload["email"]["unassigned"] == 2
    assert payload["quality"]["rows_read"] == 54 and payload["summary"]["cases"] == 11


def test_from_email_refuses_to_overwrite_its_input_and_bad_options(tmp_path, capsys):
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes((SAMPLES / "邮件审批.mbox").read_bytes())
    assert main(["from-email", str(mbox), "-o", str(mbox)]) == 2
    assert "overwrite" in capsys.readouterr().err
    assert mbox.read_bytes() == (SAMPLES / "邮件审批.mbox").read_bytes()
    assert main(["from-email", str(mbox), "--keyword", "同意"]) == 2
    assert main(["from-email", str(mbox), "--strict"]) == 3
    assert main(["from-email", str(tmp_path / "nothing")]) == 2
