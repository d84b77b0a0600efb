"""Write the e-mail and approval-history samples, with their ground truth.

Three inputs of the kinds the method's survey step collects besides OA step logs:

* ``邮件审批/``: a folder of ``.eml`` files, contract approvals (合同审批) done by e-mail;
* ``邮件审批.mbox``: an mbox mailbox, expense reimbursements (费用报销) done by e-mail;
* ``审批记录导出.xlsx``: an OA export with one row per approval instance and the whole history
  in one text column (审批记录), in the line shapes of DingTalk, Feishu, WeCom and classic OA suites;

plus ``邮件审批.departments.csv`` (sender → department, step) for ``--departments``. Each input
comes with ``<name>.truth.json``: what the script wrote on purpose (cases, events with their
times, decisions by kind, the quoted decisions that must not count, the unassigned and broken
messages, the history lines that cannot be read), computed from the scripted scenarios, not by
procmine.

The messages are written byte by byte (headers, RFC 2047 words, MIME parts), not with
``email.generator``, so that every run and every Python version gives identical files. Nothing
depends on the current time; ``random.Random(seed)`` draws the times and amounts.

    python sample_logs/make_mail_samples.py                  # into sample_logs/
    python sample_logs/make_mail_samples.py --out /tmp/x     # elsewhere (the tests compare bytes)
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import quopri
import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import openpyxl
from openpyxl.styles import Alignment, Font

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simulate import _save_workbook as save_workbook_stable  # noqa: E402  (the samples' byte-stable writer)

DEFAULT_SEED = 2025
DOMAIN = "xinghe.example"          # .example is reserved (RFC 2606): no real company
SHANGHAI = timezone(timedelta(hours=8), "CST")
XLSX_TIMESTAMP = datetime(2025, 4, 30, 18, 0)
FOLDER, MBOX, HISTORY = "邮件审批", "邮件审批.mbox", "审批记录导出.xlsx"
DEPARTMENTS_FILE = "邮件审批.departments.csv"


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str
    login: str
    department: str
    step: str | None = None          # the activity name given in the departments file

    @property
    def address(self) -> str:
        return f"{self.login}@{DOMAIN}"


P = {p.login: p for p in [
    Person("张伟", "zhangwei", "销售部"),
    Person("李娜", "lina", "销售部"),
    Person("王芳", "wangfang", "销售部"),
    Person("陈静", "chenjing", "市场部"),
    Person("刘强", "liuqiang", "销售部", "部门经理审批"),
    Person("赵磊", "zhaolei", "市场部", "部门经理审批"),
    Person("孙丽", "sunli", "法务部", "法务审核"),
    Person("周敏", "zhoumin", "财务部", "财务审核"),
    Person("吴刚", "wugang", "财务部", "出纳"),
    Person("郑建国", "zhengjianguo", "总经理办公室", "总经理审批"),
    Person("黄蕾", "huanglei", "人力资源部", "人事备案"),
]}
IT_NOTICE = ("IT服务台", "it-notice@vendor.example")
FRIEND = ("Tom Lee", "tom.lee@partner.example")


# ---------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------

@dataclass
class Mail:
    """One message as scripted, and what reading it must give (``event`` / ``dropped``)."""

    sender: Person | tuple[str, str]
    to: list
    subject: str
    sent: datetime                   # Asia/Shanghai
    own: str                         # what the sender wrote
    case: str | None = None          # the case the truth assigns it to
    event: str | None = None         # 提交, 重新提交, or the decision's outcome
    dropped: str | None = None       # why it is no event (quoted_decision_only, broken_no_date …)
    quote: Mail | None = None        # the message quoted below the own text
    quote_style: str = "outlook"     # outlook, qq, gmail, thunderbird, none
    forward: Mail | None = None      # the message forwarded below the own text
    reply_to: Mail | None = None     # In-Reply-To / References
    keep_thread_headers: bool = True
    body: str = "plain"              # plain, html (HTML only), alternative (plain + HTML)
    charset: str = "utf-8"
    transfer: str = "base64"         # base64, quoted-printable, 8bit
    subject_style: str = "b"         # b (one RFC 2047 word), q, split (a character cut across words), raw, gb2312
    date_zone: timezone = SHANGHAI
    date_header: str | None = "auto"  # auto, None (no Date), or a literal value
    attachments: list = field(default_factory=list)
    broken_body: bool = False
    message_id: str = ""
    missing_parent: str | None = None

    @property
    def address(self) -> str:
        return self.sender.address if isinstance(self.sender, Person) else self.sender[1]

    @property
    def name(self) -> str:
        return self.sender.name if isinstance(self.sender, Person) else self.sender[0]

    def full_text(self) -> str:
        """The body as text (own words, then the quoted or forwarded message), as a client writes it."""
        text = self.own
        if self.forward is not None:
            text += "\n\n" + _forward_block(self.forward)
        elif self.quote is not None and self.quote_style != "none":
            text += "\n\n" + _quote_block(self.quote, self.quote_style)
        return text


def _cn_time(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _who(mail: Mail) -> str:
    return f"{mail.name} <{mail.address}>"


def _to_names(mail: Mail) -> str:
    return "; ".join(p.name if isinstance(p, Person) else p[0] for p in mail.to)


def _quote_block(quoted: Mail, style: str) -> str:
    original = quoted.full_text()
    if style == "outlook":
        return (f"________________________________\n发件人: {_who(quoted)}\n发送时间: {_cn_time(quoted.sent)}\n"
                f"收件人: {_to_names(quoted)}\n主题: {quoted.subject}\n\n{original}")
    if style == "qq":
        weekday = "一二三四五六日"[quoted.sent.weekday()]
        return (f"------------------ 原始邮件 ------------------\n发件人: \"{quoted.name}\"<{quoted.address}>;\n"
                f"发送时间: {quoted.sent.year}年{quoted.sent.month}月{quoted.sent.day}日(星期{weekday}) "
                f"{quoted.sent:%H:%M}\n收件人: \"{_to_names(quoted)}\";\n主题: {quoted.subject}\n\n{original}")
    if style == "gmail":
        weekday = "一二三四五六日"[quoted.sent.weekday()]
        lines = "\n".join(f"> {line}" if line else ">" for line in original.split("\n"))
        return (f"在 {quoted.sent.year}年{quoted.sent.month}月{quoted.sent.day}日周{weekday} {quoted.sent:%H:%M}，"
                f"{_who(quoted)} 写道：\n\n{lines}")
    if style == "thunderbird":
        lines = "\n".join(f"> {line}" if line else ">" for line in original.split("\n"))
        return f"On {quoted.sent:%Y/%m/%d %H:%M}, {quoted.name} wrote:\n{lines}"
    raise ValueError(style)


def _forward_block(forwarded: Mail) -> str:
    return (f"-------- 转发邮件信息 --------\n发件人：{_who(forwarded)}\n发送日期：{forwarded.sent:%Y-%m-%d %H:%M}\n"
            f"收件人：{_to_names(forwarded)}\n主题：{forwarded.subject}\n\n{forwarded.full_text()}")


def _html_body(mail: Mail) -> str:
    """The HTML an Outlook (or Gmail, for gmail quotes) client writes for this message."""
    own = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in mail.own.split("\n"))
    quoted = mail.forward or mail.quote
    if quoted is None or mail.quote_style == "none":
        return f"<html><body>{own}</body></html>"
    original = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in quoted.full_text().split("\n"))
    if mail.quote_style == "gmail":
        weekday = "一二三四五六日"[quoted.sent.weekday()]
        return (f'<html><body><div dir="ltr">{own}</div><br><div class="gmail_quote"><div dir="ltr" '
                f'class="gmail_attr">在 {quoted.sent.year}年{quoted.sent.month}月{quoted.sent.day}日周{weekday} '
                f'{quoted.sent:%H:%M}，{html.escape(_who(quoted))} 写道：<br></div><blockquote class="gmail_quote" '
                f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
                f'{original}</blockquote></div></body></html>')
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
            f'<div style="font-family:微软雅黑,sans-serif;font-size:12pt">{own}</div>'
            f'<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
            f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt">'
            f'<b>发件人:</b> {html.escape(_who(quoted))}<br><b>发送时间:</b> {_cn_time(quoted.sent)}<br>'
            f'<b>收件人:</b> {html.escape(_to_names(quoted))}<br><b>主题:</b> {html.escape(quoted.subject)}</font>'
            f'<div>&nbsp;</div></div><div>{original}</div></body></html>')


# --- bytes --------------------------------------------------------------------------------

def _word(text: str, charset: str = "utf-8", kind: str = "b") -> str:
    data = text.encode(charset)
    if kind == "b":
        return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="
    encoded = "".join(chr(b) if (chr(b).isalnum() and b < 128) else ("_" if b == 32 else f"={b:02X}") for b in data)
    return f"=?{charset}?Q?{encoded}?="


def _subject_header(mail: Mail) -> bytes:
    text = mail.subject
    if mail.subject_style == "raw":  # some clients send 8-bit UTF-8 headers
        return b"Subject: " + text.encode("utf-8")
    if mail.subject_style == "gb2312":
        return ("Subject: " + _word(text, "gb2312")).encode("ascii")
    if mail.subject_style == "q":
        return ("Subject: " + _word(text, "utf-8", "q")).encode("ascii")
    if mail.subject_style == "split":  # a three-byte character cut in two: the words must be joined
        data = text.encode("utf-8")
        middle = next(i for i in range(len(text) // 2, len(text)) if len(text[i].encode("utf-8")) > 1)
        cut = len(text[:middle].encode("utf-8")) + 1  # one byte into a Chinese character
        first, second = data[:cut], data[cut:]
        return ("Subject: =?utf-8?B?" + base64.b64encode(first).decode() + "?=\r\n =?utf-8?B?"
                + base64.b64encode(second).decode() + "?=").encode("ascii")
    return ("Subject: " + _word(text)).encode("ascii")


def _address_header(name: str, person) -> str:
    if isinstance(person, Person):
        return f"{_word(person.name, 'gb2312' if name == 'From-gb' else 'utf-8')} <{person.address}>"
    return f"{_word(person[0])} <{person[1]}>"


def _encode_body(text: str, charset: str, transfer: str) -> tuple[str, bytes]:
    # clients that declare GB2312 write GBK (a superset) all the same
    data = text.replace("\n", "\r\n").encode("gbk" if charset == "gb2312" else charset)
    if transfer == "base64":
        return "base64", base64.encodebytes(data).replace(b"\n", b"\r\n")
    if transfer == "quoted-printable":
        return "quoted-printable", quopri.encodestring(data).replace(b"\r\r\n", b"\r\n")
    return "8bit", data + (b"" if data.endswith(b"\r\n") else b"\r\n")


def _part(content_type: str, charset: str, transfer: str, text: str) -> bytes:
    used, payload = _encode_body(text, charset, transfer)
    return (f"Content-Type: {content_type}; charset=\"{charset}\"\r\nContent-Transfer-Encoding: {used}\r\n\r\n"
            .encode("ascii") + payload)


def render(mail: Mail, boundary_seed: str) -> bytes:
    """The message as it lies in a mailbox (CRLF line ends)."""
    head = [
        ("From: " + _address_header("From-gb" if mail.charset in ("gbk", "gb2312") else "From", mail.sender)).encode(),
        ("To: " + ", ".join(_address_header("To", p) for p in mail.to)).encode(),
        _subject_header(mail),
    ]
    if mail.date_header == "auto":
        head.append(f"Date: {format_datetime(mail.sent.astimezone(mail.date_zone))}".encode())
    elif mail.date_header is not None:
        head.append(f"Date: {mail.date_header}".encode("utf-8"))
    head.append(f"Message-ID: <{mail.message_id}>".encode())
    if mail.keep_thread_headers:
        parent = mail.reply_to or mail.forward
        if mail.missing_parent:
            head.append(f"In-Reply-To: <{mail.missing_parent}>".encode())
            head.append(f"References: <{mail.missing_parent}>".encode())
        elif parent is not None:
            chain = []
            node = parent
            while node is not None:
                chain.insert(0, node.message_id)
                node = node.reply_to or node.forward
            head.append(f"In-Reply-To: <{parent.message_id}>".encode())
            head.append(("References: " + "\r\n ".join(f"<{m}>" for m in chain)).encode())
    head.append(b"MIME-Version: 1.0")
    head.append(b"X-Mailer: " + (b"Microsoft Outlook 16.0" if mail.body != "plain" else b"Foxmail 7.2.25"))

    boundary = f"----=_NextPart_{boundary_seed}"
    text = mail.full_text()
    if mail.broken_body:
        body = (b"Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + base64.encodebytes(b"\xff\xfe\x00\xd8\x00\xdc" * 8 + "同意".encode("utf-16-le")).replace(b"\n", b"\r\n"))
    elif mail.body == "html":
        body = _part("text/html", mail.charset, mail.transfer, _html_body(mail))
    elif mail.body == "alternative":
        alt = f"{boundary}_alt"
        body = (f"Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n--{alt}\r\n".encode()
                + _part("text/plain", mail.charset, mail.transfer, text) + f"\r\n--{alt}\r\n".encode()
                + _part("text/html", mail.charset, mail.transfer, _html_body(mail)) + f"\r\n--{alt}--\r\n".encode())
    else:
        body = _part("text/plain", mail.charset, mail.transfer, text)
    if mail.attachments:
        parts = [f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in "
                 f"MIME format.\r\n\r\n--{boundary}\r\n".encode(), body]
        for filename, content_type, payload in mail.attachments:
            encoded = quote(filename.encode("utf-8"))
            parts.append(f"\r\n--{boundary}\r\nContent-Type: {content_type}; name=\"{_word(filename)}\"\r\n"
                         f"Content-Disposition: attachment; filename*=utf-8''{encoded}\r\n"
                         f"Content-Transfer-Encoding: base64\r\n\r\n".encode()
                         + base64.encodebytes(payload).replace(b"\n", b"\r\n"))
        parts.append(f"\r\n--{boundary}--\r\n".encode())
        body = b"".join(parts)
    return b"\r\n".join(head) + b"\r\n" + body


def _pdf(title: str) -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + title.encode("utf-8")
            + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n")


# ---------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------

APPROVE = ["同意。", "同意，请{next}审核。", "批准。", "已阅，同意。", "审核通过。", "没问题，同意。", "同意，按流程办理。"]


class Script:
    """A clock and the messages of one mailbox, with ids that never depend on the run."""

    def __init__(self, rng: random.Random, tag: str, first_day: datetime):
        self.rng, self.tag = rng, tag
        self.day = first_day
        self.mails: list[Mail] = []

    def next_case_start(self) -> datetime:
        self.day += timedelta(days=1)
        while self.day.weekday() >= 5:
            self.day += timedelta(days=1)
        return self.day.replace(hour=9, minute=self.rng.randint(0, 50), second=self.rng.randint(0, 59))

    def later(self, moment: datetime, low: int = 25, high: int = 240) -> datetime:
        moment = moment + timedelta(minutes=self.rng.randint(low, high), seconds=self.rng.randint(0, 59))
        if moment.hour >= 18:
            moment = (moment + timedelta(days=1)).replace(hour=9, minute=self.rng.randint(0, 40))
            while moment.weekday() >= 5:
                moment += timedelta(days=1)
        return moment

    def add(self, mail: Mail) -> Mail:
        mail.message_id = mail.message_id or (
            f"{mail.sent:%Y%m%d%H%M%S}.{len(self.mails) + 1:03d}.{self.tag}@{mail.address.split('@')[1]}")
        self.mails.append(mail)
        return mail

    def approve_text(self, next_step: str = "下一环节") -> str:
        return self.rng.choice(APPROVE).format(next=next_step)

    def reply(self, parent: Mail, sender: Person, own: str, at: datetime, *, event=None, dropped=None,
              prefix: str = "Re: ", **options) -> Mail:
        return self.add(Mail(sender=sender, to=[parent.sender], subject=prefix + parent.subject, sent=at, own=own,
                             case=parent.case, event=event, dropped=dropped, quote=parent, reply_to=parent,
                             **options))


def _request_text(to: Person, what: str, amount: int, requester: Person, extra: str = "") -> str:
    return (f"{to.name}：\n您好！现提交{what}，金额 {amount:,} 元，请审批。{extra}\n\n{requester.name}\n"
            f"{requester.department}")


def contract_mailbox(rng: random.Random) -> Script:
    """合同审批 by e-mail: 部门经理 → 法务 → 财务 (→ 总经理 above 500 000 元); ten cases and a leave thread."""
    s = Script(rng, "ht", datetime(2025, 3, 2, tzinfo=SHANGHAI))
    mgr, legal, fin, cashier, gm = P["liuqiang"], P["sunli"], P["zhoumin"], P["wugang"], P["zhengjianguo"]
    titles = ["办公设备采购合同", "年度软件服务合同", "展会场地租赁合同", "物流运输框架合同", "市场推广服务合同",
              "服务器维保合同", "员工培训服务合同", "办公楼保洁合同", "广告投放合同", "咨询服务合同"]
    for n in range(1, 11):
        case = f"HT2025{n:03d}"
        requester = [P["zhangwei"], P["lina"], P["wangfang"]][n % 3]
        amount = rng.randint(5, 45) * 10_000 if n not in (4, 6) else rng.randint(60, 150) * 10_000
        subject = f"【审批】合同{case} {titles[n - 1]}"
        t = s.next_case_start()
        request = s.add(Mail(sender=requester, to=[mgr], subject=subject, sent=t, case=case, event="提交",
                             own=_request_text(mgr, f"合同{case}（{titles[n - 1]}）", amount, requester,
                                               "\n合同文本见附件。"),
                             attachments=[(f"{titles[n - 1]}.pdf", "application/pdf", _pdf(case))],
                             subject_style={6: "split", 8: "gb2312", 9: "raw"}.get(n, "b")))
        t = s.later(t)
        if n == 3:  # rejected by the manager; the requester's thanks quote the 不同意
            no = s.reply(request, mgr, "不同意，预算超支，请重新评估。", t, event="驳回", quote_style="qq")
            s.reply(no, requester, "收到，谢谢！", s.later(t), dropped="quoted_decision_only", quote_style="outlook")
            s.add(Mail(sender=legal, to=[requester], subject="Re: " + subject, sent=s.later(t, 300, 400),
                       own="同意。", case=case, dropped="broken_no_date", reply_to=request, date_header=None))
            continue
        if n == 10:  # waiting: the manager has not decided yet
            s.reply(request, mgr, "好的，我看一下，稍后回复。", t, dropped="no_decision", quote_style="none")
            continue
        if n == 5:  # handed over to the market department's manager
            handed = s.reply(request, mgr, "转交市场部赵磊处理（本人出差）。", t, event="转交", quote_style="outlook")
            t = s.later(t)
            first = s.reply(handed, P["zhaolei"], s.approve_text("法务部"), t, event="同意", quote_style="gmail")
        elif n == 8:  # a GBK reply from an old Foxmail
            first = s.reply(request, mgr, "同意，请法务部审核。", t, event="同意", charset="gbk", quote_style="qq")
        elif n == 7:  # Outlook, HTML only
            first = s.reply(request, mgr, s.approve_text("法务部"), t, event="同意", body="html")
        elif n == 9:
            first = s.reply(request, mgr, "同意", t, event="同意", quote_style="thunderbird", transfer="quoted-printable")
        else:
            first = s.reply(request, mgr, s.approve_text("法务部"), t, event="同意",
                            quote_style=["outlook", "qq", "gmail"][n % 3])
        t = s.later(t)
        if n == 2:  # sent back by legal; the requester replies with the revision; legal approves
            back = s.reply(first, legal, "退回修改：请补充供应商报价单。", t, event="退回", quote_style="outlook")
            t = s.later(t, 120, 600)
            again = s.reply(back, requester, "已按要求补充报价单，请再次审批。", t, event="重新提交", quote_style="outlook",
                            attachments=[("报价单.pdf", "application/pdf", _pdf("quote"))])
            t = s.later(t)
            legal_ok = s.reply(again, legal, "审核通过。", t, event="同意", quote_style="outlook")
        elif n == 6:  # legal adds the general manager as a co-signer
            added = s.reply(first, legal, "加签：请总经理办公室郑建国一并审核。", t, event="加签", quote_style="qq")
            t = s.later(t)
            legal_ok = s.reply(added, gm, "同意。", t, event="同意", quote_style="qq")
        elif n == 7:
            legal_ok = s.reply(first, legal, "同意，请财务部审核。", t, event="同意", body="html")
        elif n == 5:
            s.add(Mail(sender=legal, to=[requester], subject="Re: " + subject, sent=t, own="同意。", case=case,
                       dropped="broken_bad_date", reply_to=first, date_header="星期三 下午 3点"))
            t = s.later(t)
            legal_ok = s.reply(first, legal, "同意。", t, event="同意", quote_style="outlook")
        elif n == 8:
            s.reply(first, legal, "同意", t, dropped="broken_body", broken_body=True)
            t = s.later(t, 10, 30)
            legal_ok = s.reply(first, legal, "同意（重发，上一封乱码）。", t, event="同意", body="alternative")
        else:
            legal_ok = s.reply(first, legal, s.approve_text("财务部"), t, event="同意", quote_style="qq")
        t = s.later(t)
        if n == 7:  # finance votes with Outlook's buttons; the cashier's "收到" quotes an approval
            s.add(Mail(sender=fin, to=[requester], subject="批准: " + subject, sent=t, own="", case=case,
                       event="同意", reply_to=legal_ok, quote_style="none"))
            s.reply(legal_ok, cashier, "收到，已安排付款。", s.later(t), dropped="quoted_decision_only", body="html")
            continue
        fin_ok = s.reply(legal_ok, fin, s.approve_text(), t, event="同意", quote_style="gmail")
        if n == 4:  # finance forwards to the travelling general manager, who answers in English (+0200)
            t = s.later(t)
            fwd = s.add(Mail(sender=fin, to=[gm], subject="Fw: " + subject, sent=t, own="郑总：\n此合同金额较大，请您批准。",
                             case=case, dropped="forward_without_decision", forward=fin_ok))
            t = s.later(t)
            s.reply(fwd, gm, "Approved.\n\nSent from my iPhone", t, event="同意", quote_style="thunderbird",
                    date_zone=timezone(timedelta(hours=2)))
        if n == 1:
            s.reply(fin_ok, requester, "好的，谢谢周老师！", s.later(t), dropped="quoted_decision_only", quote_style="gmail")

    # a leave request without an id: one thread (the manager's client dropped the thread headers)
    t = s.next_case_start()
    leave = s.add(Mail(sender=P["wangfang"], to=[mgr], subject="请假申请：王芳 3月17日至3月19日 事假", sent=t,
                       case="thread-001", event="提交", own="刘经理：\n因家中有事，申请事假三天（3月17日至3月19日），请批准。\n\n王芳"))
    t = s.later(t)
    s.add(Mail(sender=mgr, to=[P["wangfang"], P["huanglei"]], subject="回复：" + leave.subject, sent=t, own="同意。",
               case="thread-001", event="同意", quote=leave, quote_style="outlook", keep_thread_headers=False))
    s.reply(leave, P["huanglei"], "已备案。", s.later(t), dropped="no_decision", quote_style="outlook")

    # messages that belong to no case
    s.add(Mail(sender=IT_NOTICE, to=[P["zhangwei"]], subject="【通知】IT系统维护：3月22日 20:00-22:00", sent=s.later(t),
               own="各位同事：\n本周六晚进行邮件系统维护，期间邮件可能延迟。\n\nIT服务台", dropped="unassigned_no_id_no_thread"))
    s.add(Mail(sender=FRIEND, to=[mgr], subject="Re: 周五会议安排", sent=s.later(t, 300, 400), own="同意，周五下午三点见。",
               dropped="unassigned_reply_to_missing", missing_parent="20250310093000.meeting@partner.example",
               quote_style="none"))
    return s


def expense_mailbox(rng: random.Random) -> Script:
    """费用报销 by e-mail: 部门经理 → 财务 (→ 总经理 above 5 000 元); eight cases and a trip thread."""
    s = Script(rng, "bx", datetime(2025, 4, 6, tzinfo=SHANGHAI))
    fin, cashier, gm = P["zhoumin"], P["wugang"], P["zhengjianguo"]
    for n in range(1, 9):
        case = f"BX-2025-{n:04d}"
        requester = [P["zhangwei"], P["chenjing"], P["lina"], P["chenjing"]][n % 4]
        mgr = P["zhaolei"] if requester.department == "市场部" else P["liuqiang"]
        amount = rng.randint(3, 48) * 100 if n not in (3, 6) else rng.randint(60, 200) * 100
        subject = f"报销单{case} 审批"
        t = s.next_case_start()
        request = s.add(Mail(sender=requester, to=[mgr], subject=subject, sent=t, case=case, event="提交",
                             own=_request_text(mgr, f"报销单{case}（差旅费）", amount, requester),
                             subject_style="q" if n == 2 else "b",
                             charset="gb2312" if n == 5 else "utf-8", transfer="8bit" if n == 5 else "base64"))
        t = s.later(t)
        if n == 5:  # an old client: GB2312 declared, GBK characters, 8-bit body
            request.own += "\n（附：发票已交喆姐）"
        first = s.reply(request, mgr, s.approve_text("财务"), t, event="同意", prefix="回复: ",
                        quote_style="qq", charset="gbk" if n == 5 else "utf-8")
        t = s.later(t)
        if n == 2:  # sent back by finance; the requester sends the request again as a fresh message
            s.reply(first, fin, "请补充发票后重新提交，先退回。", t, event="退回", quote_style="qq")
            t = s.later(t, 200, 600)
            again = s.add(Mail(sender=requester, to=[fin], subject=subject + "（补充发票）", sent=t, case=case,
                               event="重新提交", own="周老师：\n发票已补充，见附件，请审核。",
                               attachments=[("发票.pdf", "application/pdf", _pdf("invoice"))]))
            t = s.later(t)
            fin_ok = s.reply(again, fin, "审核通过。", t, event="同意", quote_style="qq")
        elif n == 4:  # the requester forwards the manager's approval to finance (not a decision)
            fwd = s.add(Mail(sender=requester, to=[fin], subject="Fw: " + first.subject, sent=t, case=case,
                             own="周老师：\n部门经理已同意，请审核。", dropped="forward_without_decision", forward=first))
            t = s.later(t)
            fin_ok = s.reply(fwd, fin, "同意。", t, event="同意", prefix="Re: ", quote_style="qq")
        elif n == 7:  # finance hands over to the cashier, who adds the general manager
            handed = s.reply(first, fin, "转交吴刚处理。", t, event="转交", quote_style="qq")
            t = s.later(t)
            fin_ok = s.reply(handed, cashier, "加签：请郑总一并审批。", t, event="加签", quote_style="qq")
            t = s.later(t)
            s.reply(fin_ok, gm, "同意", t, event="同意", quote_style="qq")
            continue
        elif n == 8:  # broken: no Date, and a body that cannot be decoded; the same message twice
            s.reply(first, fin, "同意。", t, dropped="broken_body", broken_body=True)
            t = s.later(t, 5, 20)
            fin_ok = s.reply(first, fin, "同意。", t, event="同意", quote_style="qq")
            s.add(Mail(sender=cashier, to=[requester], subject="回复: " + subject, sent=s.later(t), own="已付款。",
                       case=case, dropped="broken_no_date", reply_to=fin_ok, date_header=None))
        else:
            fin_ok = s.reply(first, fin, s.approve_text("总经理"), t, event="同意", quote_style="qq")
        t = s.later(t)
        if n in (3, 6):
            if n == 3:  # the general manager rejects in English, from a UTC webmail
                s.reply(fin_ok, gm, "Rejected - not in this quarter's budget.", t, event="驳回", quote_style="thunderbird",
                        date_zone=timezone.utc)
            else:
                s.reply(fin_ok, gm, "同意", t, event="同意", quote_style="qq")
        if n == 6:  # Gmail HTML: the cashier's "收到" above a quoted 同意
            s.reply(fin_ok, cashier, "收到，本周五付款。", s.later(t), dropped="quoted_decision_only", body="html",
                    quote_style="gmail")

    t = s.next_case_start()
    trip = s.add(Mail(sender=P["chenjing"], to=[P["zhaolei"]], subject="出差申请 - 陈静 4月22日北京客户拜访", sent=t,
                      case="thread-001", event="提交", own="赵经理：\n申请4月22日赴北京拜访客户，往返高铁，请批准。\n\n陈静"))
    t = s.later(t)
    s.reply(trip, P["zhaolei"], "同意，注意控制费用。", t, event="同意", quote_style="qq")
    s.add(Mail(sender=IT_NOTICE, to=[P["chenjing"]], subject="【通知】密码即将过期", sent=s.later(t),
               own="您的邮箱密码将于7天后过期，请及时修改。", dropped="unassigned_no_id_no_thread"))
    return s


# ---------------------------------------------------------------------------------------
# Writing mailboxes and their truth
# ---------------------------------------------------------------------------------------

def _ordered(script: Script) -> list[Mail]:
    return sorted(script.mails, key=lambda m: (m.sent, script.mails.index(m)))


def write_folder(script: Script, folder: Path) -> list[tuple[int, str, Mail]]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    placed = []
    mails = _ordered(script)
    for row, mail in enumerate(mails, start=1):
        name = f"{row:03d}.eml"
        data = render(mail, f"{row:03d}")
        (folder / name).write_bytes(data)
        placed.append((row, name, mail))
    # an empty file, as a failed save leaves it
    row = len(mails) + 1
    (folder / f"{row:03d}.eml").write_bytes(b"")
    placed.append((row, f"{row:03d}.eml", None))
    return placed


def write_mbox(script: Script, path: Path) -> list[tuple[int, str, Mail]]:
    mails = _ordered(script)
    duplicate = next(m for m in mails if m.case == "BX-2025-0006" and m.event == "同意")
    entries = [*mails, duplicate]
    out = io.BytesIO()
    placed = []
    for row, mail in enumerate(entries, start=1):
        data = render(mail, f"{mails.index(mail) + 1:03d}").replace(b"\r\n", b"\n")
        data = b"\n".join((b">" + line if line.startswith(b"From ") else line) for line in data.split(b"\n"))
        moment = mail.sent.astimezone(timezone.utc)
        weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[moment.weekday()]
        month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[moment.month - 1]
        out.write(f"From {mail.address} {weekday} {month} {moment.day:2d} {moment:%H:%M:%S} {moment.year}\n".encode())
        out.write(data.rstrip(b"\n") + b"\n\n")
        placed.append((row, f"{path.name} #{row}", mail if row <= len(mails) else None))
    path.write_bytes(out.getvalue())
    return placed


def mailbox_truth(placed: list[tuple[int, str, Mail | None]], file: str, form: str, duplicate_of: int | None) -> dict:
    events: dict[str, list[dict]] = {}
    decisions: dict[str, int] = {}
    buckets: dict[str, list[dict]] = {}
    for row, label, mail in placed:
        if mail is None:
            reason = "duplicate_message" if duplicate_of else "broken_empty"
            buckets.setdefault(reason, []).append({"row": row, "file": label})
            continue
        if mail.event:
            events.setdefault(mail.case, []).append({
                "row": row, "kind": mail.event, "resource": mail.name,
                "time": mail.sent.astimezone(SHANGHAI).isoformat(sep=" "), "file": label,
            })
            if mail.event not in ("提交", "重新提交"):
                decisions[mail.event] = decisions.get(mail.event, 0) + 1
        else:
            buckets.setdefault(mail.dropped, []).append({"row": row, "file": label, "subject": mail.subject})
    events = {case: sorted(rows, key=lambda e: (e["time"], e["row"])) for case, rows in sorted(events.items())}
    order = ["同意", "驳回", "退回", "转交", "加签"]
    return {
        "file": file, "format": form, "messages": len(placed),
        "cases": len(events), "case_ids": sorted(events),
        "events": sum(len(v) for v in events.values()),
        "requests": sum(1 for v in events.values() for e in v if e["kind"] == "提交"),
        "resubmissions": sum(1 for v in events.values() for e in v if e["kind"] == "重新提交"),
        "decisions": {k: decisions[k] for k in order if k in decisions},
        "events_by_case": events,
        "quoted_decisions_not_counted": buckets.get("quoted_decision_only", []),
        "forwards_without_decision": buckets.get("forward_without_decision", []),
        "no_decision": buckets.get("no_decision", []),
        "unassigned": [dict(e, reason=r.removeprefix("unassigned_")) for r in sorted(buckets) if r.startswith("unassigned_")
                       for e in buckets[r]],
        "broken": [dict(e, reason=r.removeprefix("broken_")) for r in sorted(buckets) if r.startswith("broken_")
                   for e in buckets[r]],
        "duplicates": buckets.get("duplicate_message", []),
        "timezone": "Asia/Shanghai",
        "definitions": {
            "row": "the message's position: files sorted by name, or order in the mbox (1-based)",
            "events": "the request (提交), the requester's resubmission (重新提交) and each decision read from a "
                      "reply's own text; quoted and forwarded text never counts",
            "decisions": "decision events by normalised outcome",
        },
    }


def write_departments(path: Path) -> None:
    lines = ["地址,部门,环节"]
    for person in P.values():
        lines.append(f"{person.address},{person.department},{person.step or ''}")
    lines.append(f"@{DOMAIN},星河科技,")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------
# The OA approval-history export
# ---------------------------------------------------------------------------------------

HISTORY_HEADER = ("审批编号", "标题", "审批类型", "发起人", "发起人部门", "发起时间", "完成时间", "审批状态", "审批结果",
                  "金额(元)", "审批记录")
#: How each line shape writes one step: (time, person, department, node, action word, comment).
SHAPES = ["classic", "oa_after", "bracket", "dingtalk", "node", "feishu", "fullwidth", "labels"]
SEPARATORS = {"classic": "\n", "oa_after": "\r\n", "bracket": "；", "dingtalk": "\n", "node": " | ",
              "feishu": "\n\n", "fullwidth": "\n", "labels": "\n"}
WORDS = {  # how each shape writes each action
    "同意": {"classic": "同意", "oa_after": "已同意", "bracket": "同意", "dingtalk": "已同意", "node": "同意",
             "feishu": "同意", "fullwidth": "同意", "labels": "同意"},
    "驳回": {"classic": "驳回", "oa_after": "已驳回", "bracket": "不同意", "dingtalk": "已拒绝", "node": "驳回",
             "feishu": "拒绝", "fullwidth": "不同意", "labels": "驳回"},
    "退回": {s: "退回" for s in SHAPES} | {"dingtalk": "已退回"},
    "转交": {s: "转交" for s in SHAPES} | {"dingtalk": "已转交"},
    "加签": {s: "加签" for s in SHAPES},
    "撤回": {s: "撤回" for s in SHAPES} | {"dingtalk": "已撤回"},
    "提交": {s: "提交" for s in SHAPES} | {"dingtalk": "发起申请", "feishu": "提交申请"},
    "重新提交": {s: "重新提交" for s in SHAPES},
    "抄送": {s: "抄送" for s in SHAPES},
}
NODES = {"mgr": "部门经理审批", "fin": "财务审核", "gm": "总经理审批", "legal": "法务会签", "cashier": "出纳确认",
         "submit": "发起"}


def _fmt_time(moment: datetime, shape: str) -> str:
    if shape == "oa_after":
        return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment:%M}"
    if shape == "bracket":
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    return f"{moment:%Y-%m-%d %H:%M}"


def history_line(shape: str, moment: datetime | None, person: Person, action: str, node: str,
                 comment: str | None, *, submitter: bool = False) -> str:
    word = WORDS[action][shape]
    when = _fmt_time(moment, shape) if moment else ""
    dept = person.department
    if shape == "classic":
        return f"{when} {person.name}({dept}) {word}" + (f" 意见:{comment}" if comment else "")
    if shape == "oa_after":
        return f"{person.name} {word} {when}" + (f" 意见：{comment}" if comment else "")
    if shape == "bracket":
        return f"[{when}] {dept}-{person.name}：{word}" + (f"（{comment}）" if comment else "")
    if shape == "dingtalk":
        who = f"{person.name}(发起人)" if submitter else f"{person.name}({dept})"
        return f"{who} {when} {word}" + (f" {comment}" if comment else "")
    if shape == "node":
        return f"【{node}】{person.name} {word} {when}" + (f" 意见:{comment}" if comment else "")
    if shape == "feishu":
        who = f"{person.name}（发起人）" if submitter else f"{person.name}（{node}）"
        return f"{who}\n{when}\n{word}" + (f"\n意见：{comment}" if comment else "")
    if shape == "fullwidth":
        text = f"{when}　{person.name}（{dept}）　{word}" + (f"　意见：{comment}" if comment else "")
        return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-:"}).replace(" ", "　")
    if shape == "labels":
        return f"审批人：{person.name}；部门：{dept}；审批结果：{word}；审批时间：{when}" + (f"；审批意见：{comment}" if comment else "")
    raise ValueError(shape)


def history_export(rng: random.Random) -> tuple[list[tuple], dict]:
    """24 instances, one row each; the steps written in eight line shapes (one shape per row)."""
    managers = {"销售部": P["liuqiang"], "市场部": P["zhaolei"]}
    kinds = [("采购申请", "办公用品采购"), ("用印申请", "合同用印"), ("费用报销", "差旅费报销"), ("付款申请", "供应商付款")]
    requesters = [P["zhangwei"], P["chenjing"], P["lina"], P["wangfang"]]
    rows, truth_cases, unparsed, pending, not_steps = [], {}, [], [], []
    day = datetime(2025, 3, 2, tzinfo=SHANGHAI)
    decisions: dict[str, int] = {}
    open_cases = []
    for index in range(24):
        file_row = index + 2
        shape = SHAPES[index % len(SHAPES)]
        case = f"SP20250{3 + index // 12}{index % 12 + 1:02d}0{index + 1:02d}"
        kind, title = kinds[index % len(kinds)]
        requester = requesters[index % len(requesters)]
        mgr, fin, gm = managers[requester.department], P["zhoumin"], P["zhengjianguo"]
        amount = rng.randint(20, 480) * 500 if index % 5 else rng.randint(110, 300) * 1000
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        t = day.replace(hour=9, minute=rng.randint(0, 50))
        submitted = t
        steps: list[tuple] = []   # (moment, person, action, node-key, comment, is_event)

        def step(person, action, node, comment=None, low=30, high=300):
            nonlocal t
            t = t + timedelta(minutes=rng.randint(low, high))
            if t.hour >= 18:
                t = (t + timedelta(days=1)).replace(hour=9, minute=rng.randint(0, 40))
            steps.append((t, person, action, node, comment))

        status, result = "已完成", "同意"
        step(mgr, "同意", "mgr", rng.choice([None, "情况属实", "同意申请"]))
        if index == 5:
            steps[-1] = (steps[-1][0], mgr, "驳回", "mgr", "预算不足，下季度再议")
            status, result = "已完成", "驳回"
        elif index == 11:
            step(requester, "撤回", "submit", "申请有误，撤回重提")
            status, result = "已撤回", "撤回"
        else:
            if index == 9:
                step(mgr, "加签", "mgr", "请法务会签")
                step(P["sunli"], "同意", "legal")
            if index == 3:
                step(fin, "退回", "fin", "发票抬头有误")
                step(requester, "重新提交", "submit", "已更换发票", 60, 600)
            if index == 7:
                step(fin, "转交", "fin", "转吴刚办理")
                step(P["wugang"], "同意", "cashier")
            else:
                step(fin, "同意", "fin", rng.choice([None, "票据齐全", "无误"]))
            if amount > 100_000 or index in (13, 17):
                if index in (13, 17):
                    status, result = "审批中", ""
                else:
                    step(gm, "同意", "gm")
        lines = []
        events = []
        if shape in ("dingtalk", "feishu"):  # these systems write the submission into the history
            lines.append(history_line(shape, submitted, requester, "提交", NODES["submit"], None, submitter=True))
        events.append({"kind": "提交", "resource": requester.name, "time": submitted.isoformat(sep=" ")})
        for moment, person, action, node, comment in steps:
            lines.append(history_line(shape, moment, person, action, NODES[node], comment))
            events.append({"kind": action, "resource": person.name, "time": moment.isoformat(sep=" ")})
            if action not in ("重新提交", "撤回"):
                decisions[action] = decisions.get(action, 0) + 1
        if index == 15:  # a cc entry and a comment on its own line
            lines.insert(2, f"{_fmt_time(steps[0][0], shape)} {P['wugang'].name}(财务部) 抄送")
            not_steps.append({"row": file_row, "line": lines[2]})
            lines[1] += "\n意见：金额较大，请注意付款节点"
        if index == 19:  # a system line in no known shape
            bad = f"{_fmt_time(steps[-1][0] + timedelta(minutes=5), shape)} 系统 同步到ERP失败（错误码E102）"
            lines.append(bad)
            unparsed.append({"row": file_row, "line": bad})
        if index == 20:  # a typed date that does not exist (30 February)
            bad = history_line(shape, datetime(2025, 3, 1, 10, 15, tzinfo=SHANGHAI), P["sunli"], "同意",
                               NODES["legal"], None).replace("2025-03-01", "2025-02-30")
            lines.insert(1, bad)
            unparsed.append({"row": file_row, "line": bad})
        if status == "审批中":
            waiting = f"{gm.name}({gm.department}) 审批中"
            lines.append(waiting)
            pending.append({"row": file_row, "line": waiting})
            open_cases.append(case)
        if index == 23:  # newest first, as some systems list it
            lines.reverse()
        finished = steps[-1][0] if status != "审批中" else None
        rows.append((case, f"{requester.name}的{kind}（{title}）", kind, requester.name, requester.department,
                     f"{submitted:%Y-%m-%d %H:%M}", f"{finished:%Y-%m-%d %H:%M}" if finished else None, status,
                     result or None, amount, SEPARATORS[shape].join(lines)))
        truth_cases[case] = {"row": file_row, "shape": shape, "events": events}
    order = ["同意", "驳回", "退回", "转交", "加签"]
    truth = {
        "file": HISTORY, "format": "xlsx, one row per approval instance, history in 审批记录",
        "instances": len(rows), "cases": len(truth_cases),
        "events": sum(len(c["events"]) for c in truth_cases.values()),
        "submissions": len(truth_cases),
        "resubmissions": sum(1 for c in truth_cases.values() for e in c["events"] if e["kind"] == "重新提交"),
        "withdrawals": sum(1 for c in truth_cases.values() for e in c["events"] if e["kind"] == "撤回"),
        "decisions": {k: decisions[k] for k in order if k in decisions},
        "shapes": SHAPES,
        "unparsed_lines": unparsed, "pending_steps": pending, "not_steps": not_steps,
        "open_cases": open_cases, "events_by_case": truth_cases, "timezone": "Asia/Shanghai",
        "definitions": {
            "events": "the submission (from the history's own submit line, else 发起人/发起人部门/发起时间) and "
                      "one event per step written in 审批记录; cc lines, pending steps and unreadable lines are not events",
            "row": "the instance's row in the sheet (header = row 1)",
        },
    }
    return rows, truth


def write_history(rows: list[tuple], path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "审批记录"
    sheet.append(list(HISTORY_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for cell in sheet["K"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["K"].width = 70
    _save_workbook(book, path)


def _save_workbook(workbook: openpyxl.Workbook, path: Path) -> None:
    """Save byte-identically between runs (the simulator's writer, with this export's date)."""
    save_workbook_stable(workbook, path, XLSX_TIMESTAMP)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def generate(out: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    contract = contract_mailbox(random.Random(f"{seed}-contract-mail"))
    placed = write_folder(contract, out / FOLDER)
    _write_json(out / f"{FOLDER}.truth.json", mailbox_truth(placed, f"{FOLDER}/", "folder of .eml files", None))
    written += [out / FOLDER, out / f"{FOLDER}.truth.json"]

    expense = expense_mailbox(random.Random(f"{seed}-expense-mail"))
    placed = write_mbox(expense, out / MBOX)
    _write_json(out / f"{MBOX}.truth.json", mailbox_truth(placed, MBOX, "mbox", duplicate_of=1))
    written += [out / MBOX, out / f"{MBOX}.truth.json"]

    rows, truth = history_export(random.Random(f"{seed}-history"))
    write_history(rows, out / HISTORY)
    _write_json(out / (HISTORY.rsplit(".", 1)[0] + ".truth.json"), truth)
    written += [out / HISTORY, out / (HISTORY.rsplit(".", 1)[0] + ".truth.json")]

    write_departments(out / DEPARTMENTS_FILE)
    written.append(out / DEPARTMENTS_FILE)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output folder (default: the folder of this script)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
