"""Approvals done by e-mail: a folder of ``.eml`` files or an ``.mbox`` file as an event log.

    >>> log = procmine.read_emails("sample_logs/邮件审批.mbox")                       # doctest: +SKIP
    >>> log = procmine.read_emails("审批邮件/", departments="通讯录.csv")              # doctest: +SKIP

How the messages become events (each message is one record read: the quality report counts
*messages*, ``rows_read == events + dropped``):

* **Cases.** A request id in the subject (``【审批】合同HT2025001``, ``Re: 回复: 报销单BX-2025-0042 审批``;
  :data:`ID_PATTERN`, or ``id_pattern=``) is the case. A message without one joins the case of
  its thread (Message-ID / In-Reply-To / References, Outlook's Thread-Index, or a ``Re:`` of an
  earlier subject when the reply lost its headers, but only into a thread its headers made: the
  subject alone never makes a case); a thread with no id anywhere is a case of its own
  (``thread-001`` …), unless it starts with a circular (to a mailing list, to all-staff@ and the
  like, or to more than 20 people). Messages that fit nowhere are counted as unassigned, with
  the reason.
* **The request** is the case's first message that is not a reply or a forward: activity
  ``提交``, resource its sender.
* **Decisions** are read from each reply's *own* text: quoted replies (``>`` lines, 原始邮件 /
  Original Message / 在…写道 / On…wrote / 发件人: header blocks / Outlook's line / Gmail and
  Outlook quote blocks in HTML) are cut off first, so a quoted 同意 is not a decision. Keywords
  (:data:`DECISION_KEYWORDS`): 同意 / 批准 / 通过, 驳回 / 不同意 / 拒绝, 退回, 转交, 加签 and English
  approve / reject; 不同意, 不批准, 未通过 are rejections; a word asked for (请批准, 是否同意,
  同意吗？) is not a decision. An Outlook voting reply (subject ``批准: …``) counts too. The
  requester's own messages are never decisions: after a 退回/驳回, or as a fresh message, they are
  ``重新提交``. A forward is not a decision unless the forwarder's own text says one.
* **Activities.** The decision's step: the ``step`` given for the sender in the department
  mapping, else the sender's department + 审批 (``财务部审批``), else the sender's name + 审批
  (``张三审批``), so that the flowchart shows who decides in which order even without a mapping.
  ``outcome`` holds the normalised decision (同意, 驳回, 退回, 转交, 加签), ``comment`` the first
  lines of the reply's own text.
* **Times** are the Date header, converted to ``timezone`` (a Date without offset is local time
  there). Messages without a readable Date, empty files and bodies that cannot be decoded are
  *broken*: reported with their file, never fatal.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import mailbox
import quopri
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from procmine.check import DROPPED, KEPT, REPAIRED, Finding
from procmine.errors import LogFileError
from procmine.outcomes import words_by_label
from procmine.log import (
    ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROW, START, STANDARD, TIMESTAMP, EventLog, Source,
)
from procmine.output import safe_text_cell
from procmine.read.columns import ColumnMapping
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import RawTable, _looks_chinese, open_table

__all__ = [
    "read_emails", "own_text", "find_decision", "email_summary", "EmailSummary", "write_log_csv",
    "DECISION_KEYWORDS", "ID_PATTERN",
]

EXAMPLES = 3

#: A request id in a subject: capital letters, an optional hyphen and at least five digits in
#: groups (HT2025001, BX-2025-0042, QJ20250305001), or whatever follows 编号/单号/审批号.
ID_PATTERN = (r"(?<![A-Za-z0-9])[A-Z]{1,6}-?\d{4}(?:-?\d+)+(?![A-Za-z0-9])"
              r"|(?:编号|单号|审批号|申请号|流水号)\s*[:：#]?\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]{3,})")

#: Decision words by normalised outcome, from the one vocabulary (:mod:`procmine.outcomes`), less
#: the words too common in prose to be a decision in a reply ("pass", "accept", 委托 …).
#: 不同意 / 不批准 / 未通过 … are rejections (an approval word after 不, 未, 没, 无法 … is read as 驳回).
DECISION_KEYWORDS: dict[str, tuple[str, ...]] = words_by_label()
#: Outcomes whose words can be asked for (请批准, 是否同意) or negated (不同意).
_ASKABLE = ("同意", "驳回", "退回")
_NEGATORS_ZH = ("不", "未", "没", "没有", "不予", "未予", "无法", "不能", "不可", "暂不", "不太", "并不", "不再", "不会")
_NEGATORS_EN = ("not", "don't", "do not", "cannot", "can't", "won't", "never", "couldn't", "wouldn't", "unable to")
_REQUEST_ZH = ("请", "烦请", "恳请", "望", "盼", "希望", "是否", "能否", "可否", "需要", "需", "待", "如果", "如", "若")
_REQUEST_EN = ("please", "pls", "kindly", "would you", "could you", "can you", "need", "waiting", "pending",
               "for your", "if you", "whether", "awaiting")
_CLAUSE_BREAK = "，,。；;！!？?\n：:、"
_QUESTION = re.compile(r"[?？]|吗|么|呢")
#: A decision word that qualifies someone or something (同意的…, 同意者…, 同意的话…, 同意与否) or is
#: followed, in its clause, by a request to reply or confirm, asks; it does not decide.
_CONDITION = re.compile(r"\s*(?:的(?![\s，,。；;！!？?、]|$)|者|与否|与不同意|或不同意)")
_ASKS_REPLY = re.compile(r"请.{0,4}(?:回复|回覆|答复|确认|反馈|告知)|(?i:please\s+(?:reply|confirm|let))")
#: A requester's reply after a send-back that resubmits (已修改，请再审) rather than thanks (收到，谢谢).
_RESUBMIT = re.compile(r"提交|修改|补充|更新|修订|重新|再次|重发|请审|审批|审核|批准|附件|resubmit|updated|revised|attached",
                       re.IGNORECASE)
#: 通过 is also "by means of" (通过邮件发送): a decision only at a clause's end or after these.
#: (已通过 / 均通过 … are decisions at a clause's end; followed by more, 已通过邮件发送 is "by" again.)
_PASS_AFTER = ("审核", "审批", "审查", "予以", "准予", "同意")

_PREFIX = re.compile(r"^\s*(?P<word>re|fw|fwd|aw|wg|sv|vs|tr|回复|答复|回覆|转发|轉寄|转寄|轉發)\s*(?:\[\d+\])?\s*[:：]\s*",
                     re.IGNORECASE)
_FORWARD_WORDS = {"fw", "fwd", "wg", "tr", "转发", "轉寄", "转寄", "轉發"}
_VOTE = re.compile(r"^\s*(批准|同意|不同意|拒绝|驳回|approve|approved|reject|rejected)\s*[:：]\s*", re.IGNORECASE)

# Where the quoted part of a reply or the forwarded message begins.
_SEPARATOR_LINE = re.compile(
    r"^[-_=*\s]*(?:原始邮件|原邮件|邮件原文|原始信件|original message|forwarded message|转发的邮件|转发邮件信息|"
    r"转发邮件|原始消息)[-_=*\s]*$", re.IGNORECASE)
_OUTLOOK_LINE = re.compile(r"^_{8,}\s*$")
_FORWARD_START = re.compile(r"^(?:begin forwarded message|开始转发的邮件|以下是转发的邮件)\s*[:：]?", re.IGNORECASE)
_WROTE = re.compile(r"(?:写道|寫道|wrote)\s*[:：]?\s*$", re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\*?\s*(?:发件人|from|寄件者|发信人)\s*\*?\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\*?\s*(?:发送时间|发送日期|日期|时间|sent|date|收件人|to|主题|subject|抄送|cc)\s*\*?\s*[:：]",
                          re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s?$")
_HTML_CUT_IDS = {"divrplyfwdmsg", "x_divrplyfwdmsg", "appendonsend", "isreplycontent", "isforwardcontent",
                 "replycontent", "origbody"}
_HTML_CUT_CLASSES = {"gmail_quote", "gmail_attr", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote",
                     "outlookmessageheader", "mail-quote"}
_GB_CHARSETS = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "x-gb2312", "gb18030", "csgb2312"}
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")

#: Finding codes, so that a summary can count them, and their short names in the summary.
SHORT_REASONS = {
    "broken_empty": "empty file", "broken_not_email": "not an e-mail", "broken_no_date": "no Date",
    "broken_bad_date": "unreadable Date", "broken_body": "undecodable body",
    "unassigned_no_id_no_thread": "no id and no thread", "unassigned_reply_to_missing": "reply to a missing message",
    "unassigned_broadcast": "circular",
}
BROKEN_PREFIX, UNASSIGNED_PREFIX = "broken_", "unassigned_"
COMMENT_LINES, COMMENT_CHARS = 2, 200


# --- public API ---------------------------------------------------------------------------

def read_emails(
    path: str | Path,
    *,
    id_pattern: str | None = None,
    keywords: Mapping[str, Iterable[str]] | None = None,
    departments: str | Path | Mapping[str, str | tuple[str, str]] | None = None,
    timezone: str = "Asia/Shanghai",
    normalise_labels: bool = True,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> EventLog:
    """Read approval e-mails (a folder of ``.eml`` files, or an ``.mbox`` file) as an event log.

    ``id_pattern`` is a regular expression finding the request id in a subject (the named group
    ``id``, else the first group, else the whole match; default :data:`ID_PATTERN`).
    ``keywords`` adds decision words per outcome, e.g. ``{"同意": ["可以", "OK"]}`` (a new
    outcome name is allowed). ``departments`` maps senders to departments: a CSV/XLSX file whose
    columns are key (address, ``@domain`` or display name), department and optionally step (the
    activity name), or a dict ``{key: department}`` / ``{key: (department, step)}``.

    Returns the same :class:`~procmine.log.EventLog` as :func:`procmine.read_log`; its quality
    report counts messages and says which were broken, unassigned or not decisions.

        >>> log = procmine.read_emails("sample_logs/邮件审批/")          # doctest: +SKIP
        >>> print(procmine.read.emails.email_summary(log))              # doctest: +SKIP
    """
    from procmine.read import _check_timezone, build_log

    say = progress or (lambda message: None)
    _check_timezone(timezone)
    path = Path(path)
    id_regex = _compile_id_pattern(id_pattern)
    table = _keyword_table(keywords)
    directory = _Directory.load(departments)
    say(f"reading {path.name}")
    source = MailSource(str(path), "eml" if path.is_dir() else "mbox")
    found: dict[str, list[tuple[int, str]]] = {}
    messages: list[_Message] = []
    charset_repairs: list[tuple[int, str]] = []
    zone = ZoneInfo(timezone)
    count = 0
    for row, label, data in _load(path, source):
        count += 1
        try:
            message = _parse(row, label, data, zone, timezone)
        except _Broken as broken:
            found.setdefault(broken.code, []).append((row, f"{label}: {broken.detail}" if broken.detail else label))
            continue
        if message.charset_note:
            charset_repairs.append((row, f"{label}: {message.charset_note}"))
        messages.append(message)
    say(f"{count:,} messages; grouping them into cases")
    messages = _drop_duplicates(messages, found)
    cases = _assign_cases(messages, id_regex, found)
    records = _events(cases, table, directory, found)

    frame = _frame(records, timezone)
    findings = _findings(found, charset_repairs)
    source.notes.append(
        f"e-mail approvals: {count:,} messages ({'files' if path.is_dir() else 'mbox'}); cases by request id in the "
        f"subject ({'--id-pattern' if id_pattern else 'default id pattern'}), else by thread; decisions read from "
        "each reply's own text (quoted part ignored); a row is a message"
    )
    if directory.size:
        source.notes.append(f"departments from {directory.origin} ({directory.size:,} entries)")
    raw = RawTable(frame, source, findings)
    mapping = ColumnMapping(case=CASE, activity=ACTIVITY, timestamp=TIMESTAMP, resource=RESOURCE,
                            department=DEPARTMENT, outcome=OUTCOME)
    log = build_log(raw, mapping, timezone=timezone, normalise_labels=normalise_labels)
    if strict:
        log.quality.raise_if_problems()
    return log


def own_text(body: str, *, html: bool = False) -> str:
    """The part of a message its sender wrote: quoted replies, forwarded messages and the
    signature cut off.

    >>> own_text("同意。\\n\\n在 2025年3月5日 10:02，张三 <z@corp.example> 写道：\\n> 请审批，谢谢\\n> 同意")
    '同意。'
    """
    return _split_reply(_html_text(body)[0] if html else body)[0]


@dataclass(frozen=True)
class Decision:
    """A decision found in a text: the normalised outcome and the word as written."""

    outcome: str
    word: str


def find_decision(text: str, keywords: Mapping[str, Iterable[str]] | None = None) -> Decision | None:
    """The first decision in ``text`` (one's own words, see :func:`own_text`), or None.

    >>> find_decision("不同意，预算超支").outcome
    '驳回'
    >>> find_decision("请王总批准") is None
    True
    """
    return _find_decision(text, _keyword_table(keywords))


# --- what a mailbox holds -----------------------------------------------------------------

@dataclass
class MailSource(Source):
    """A mailbox: each record read is a message."""

    @property
    def row_word(self) -> str:
        return "message"


class _Broken(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


BROKEN_REASONS = {
    "broken_empty": "empty file: not a message",
    "broken_not_email": "not an e-mail message (no mail headers)",
    "broken_no_date": "no Date header: the message cannot be placed in time",
    "broken_bad_date": "Date header cannot be read as a date and time",
    "broken_body": "the body cannot be decoded (wrong or unknown charset); the decision cannot be read",
}


def _load(path: Path, source: MailSource):
    """Yield ``(row, label, bytes)`` per message: files sorted by name, or mbox order."""
    if not path.exists():
        raise LogFileError(f"{path}: not found. Give a folder of .eml files or an .mbox file (current folder: "
                           f"{Path.cwd()}).")
    if path.is_dir():
        files = sorted((p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".eml"),
                       key=lambda p: p.relative_to(path).as_posix())
        if not files:
            raise LogFileError(f"{path}: the folder holds no .eml files. Save the approval e-mails as .eml "
                               "(Outlook: 另存为; Foxmail/Thunderbird: 导出), or give an .mbox file.")
        for row, file in enumerate(files, start=1):
            yield row, file.relative_to(path).as_posix(), file.read_bytes()
        return
    data = path.read_bytes()
    if not data.strip():
        raise LogFileError(f"{path}: the file is empty (0 bytes). Export the mailbox again.")
    if path.suffix.lower() == ".eml" or not data.startswith(b"From "):
        if path.suffix.lower() not in (".eml", ".mbox", ".mbx", "") and not _looks_like_mail(data):
            raise LogFileError(f"{path}: is neither an .mbox mailbox nor an .eml message. Give a folder of .eml "
                               "files or an .mbox file.")
        if path.suffix.lower() in (".mbox", ".mbx"):
            raise LogFileError(f"{path}: does not start with a 'From ' line, so it is not an mbox mailbox. "
                               "If it is a single message, rename it to .eml.")
        source.format = "eml"
        yield 1, path.name, data
        return
    box = mailbox.mbox(str(path), create=False)
    try:
        for row, key in enumerate(box.iterkeys(), start=1):
            yield row, f"{path.name} #{row}", box.get_bytes(key)
    finally:
        box.close()


def _looks_like_mail(data: bytes) -> bool:
    head = data[:4096].decode("latin-1")
    return re.search(r"^(?:from|date|subject|message-id|received|mime-version)\s*:", head, re.I | re.M) is not None


@dataclass
class _Message:
    row: int
    label: str
    message_id: str | None
    parents: list[str]          # In-Reply-To and References, nearest parent last
    in_reply_to: str | None
    conversation: str | None    # Outlook Thread-Index conversation
    subject: str
    base_subject: str
    kind: str | None            # "reply", "forward" or None (outermost subject prefix)
    vote: str | None
    sender: str | None
    name: str | None
    date: datetime
    own: str
    quoted: str
    charset_note: str | None = None
    case: str | None = None
    broadcast: bool = False     # sent to a mailing list or to all staff (see _is_broadcast)


def _parse(row: int, label: str, data: bytes, zone: ZoneInfo, timezone: str) -> _Message:
    if not data.strip():
        raise _Broken("broken_empty")
    try:
        msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:  # the parser is lenient; anything raised means it is not a message
        raise _Broken("broken_not_email", type(exc).__name__) from None
    headers = {name.lower(): value for name, value in reversed(list(msg.raw_items()))}  # first occurrence wins
    if not any(h in headers for h in ("from", "date", "subject", "message-id", "received")):
        raise _Broken("broken_not_email")
    subject = _header_text(headers.get("subject", ""))
    raw_date = _header_text(headers.get("date", "")).strip()
    if not raw_date:
        raise _Broken("broken_no_date", _short(subject))
    date = _parse_date(raw_date, zone, timezone)
    if date is None:
        raise _Broken("broken_bad_date", repr(raw_date))
    try:
        body, quoted_html, note = _body(msg)
    except _Broken as broken:
        broken.detail = broken.detail or _short(subject)
        raise
    own, quoted = _split_reply(body)
    name, sender = _address(_header_text(headers.get("from", "")))
    base, kind = _strip_prefixes(subject)
    vote = _VOTE.match(subject)
    references = _ids(headers.get("references", ""))
    in_reply_to = _ids(headers.get("in-reply-to", ""))
    parents = [r for r in references if r not in in_reply_to] + in_reply_to
    message_ids = _ids(headers.get("message-id", ""))
    return _Message(
        row=row, label=label, message_id=message_ids[0] if message_ids else None, parents=parents,
        in_reply_to=in_reply_to[-1] if in_reply_to else None,
        conversation=_conversation(headers.get("thread-index")),
        subject=subject, base_subject=base, kind=kind, vote=vote.group(1) if vote else None,
        sender=sender, name=name, date=date, own=own.strip(), quoted="\n".join([quoted_html, quoted]).strip(),
        charset_note=note, broadcast=_is_broadcast(headers),
    )


#: local parts of addresses that reach everybody (all@, all-staff@, 全体员工@ …)
_EVERYONE = re.compile(r"^(?:all|all[-_.]?(?:staff|users|employees|members|company|hands)|everyone|everybody|staff|"
                       r"employees|全体|全体员工|全员|所有人)$|^all[-_.]|[-_.]all$", re.IGNORECASE)
#: more recipients than this: a circular, not an approval request
BROADCAST_RECIPIENTS = 20


def _is_broadcast(headers: dict) -> bool:
    """Whether a message went to a list rather than to people: a mailing-list header
    (List-Id, Precedence: bulk/list), an address such as all-staff@, or many recipients."""
    if "list-id" in headers or "list-unsubscribe" in headers:
        return True
    if _header_text(headers.get("precedence", "")).strip().lower() in ("bulk", "list", "junk"):
        return True
    recipients = [addr for _, addr in getaddresses([_header_text(headers.get(h, "")) for h in ("to", "cc")]) if addr]
    if len(recipients) > BROADCAST_RECIPIENTS:
        return True
    return any(_EVERYONE.search(addr.split("@")[0]) for addr in recipients if "@" in addr)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header_text(raw: object) -> str:
    """A header's text: unfolded, RFC 2047 words decoded (adjacent words of one charset are
    joined first, as clients split Chinese characters across them), raw 8-bit UTF-8/GBK read."""
    text = str(raw)
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # 8-bit bytes kept as surrogates by the parser
        data = text.encode("utf-8", "surrogateescape")
        decoded = _decode_text(data, None)
        text = decoded[0] if decoded else data.decode("utf-8", "replace")
    text = re.sub(r"\r?\n[ \t]+", " ", text).replace("\r", "").replace("\n", "")
    if "=?" not in text:
        return text.strip()
    pieces: list[tuple[str | None, bytes | str]] = []
    position = 0
    for found in _ENCODED_WORD.finditer(text):
        between = text[position: found.start()]
        if between and not (between.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, between))
        charset, encoding, payload = found.group(1).lower().split("*")[0], found.group(2).lower(), found.group(3)
        try:
            if encoding == "b":
                data = base64.b64decode(payload + "=" * (-len(payload) % 4))
            else:
                data = quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=True)
        except (binascii.Error, ValueError):
            pieces.append((None, found.group(0)))
        else:
            if pieces and pieces[-1][0] == charset:
                pieces[-1] = (charset, pieces[-1][1] + data)
            else:
                pieces.append((charset, data))
        position = found.end()
    pieces.append((None, text[position:]))
    out = []
    for charset, value in pieces:
        if charset is None:
            out.append(value)
        else:
            decoded = _decode_text(value, charset)
            out.append(decoded[0] if decoded else value.decode("utf-8", "replace"))
    return "".join(out).strip()


def _decode_text(data: bytes, charset: str | None) -> tuple[str, str | None] | None:
    """``(text, note)``: the declared charset first, then GB18030 for the GB family, UTF-8, and
    GB18030 when the text then reads as Chinese. ``note`` says when the declared charset was wrong.
    None when nothing fits."""
    declared = (charset or "").lower().strip("\"' ") or None
    tries: list[str] = []
    if declared:
        tries.append(declared)
        if declared in _GB_CHARSETS:
            tries.append("gb18030")  # GBK characters in a message declared GB2312
    tries += ["utf-8", "gb18030?"]
    for name in tries:
        guess = name.endswith("?")
        name = name.rstrip("?")
        try:
            text = data.decode(name)
        except LookupError:
            continue
        except UnicodeDecodeError as exc:
            if not (name in ("utf-8", "utf8") and exc.reason == "unexpected end of data" and exc.start > 0):
                continue
            text = data[: exc.start].decode(name)  # cut off in the middle of the last character
            return text, f"{name} text cut off in its last character"
        if guess and not _looks_chinese(text):
            continue
        if declared is None or name == declared or (declared in _GB_CHARSETS and name == "gb18030"):
            note = None if declared or data.isascii() else f"no charset declared; read as {name}"
        else:
            note = f"declared {declared} but read as {name}"
        return text, note
    return None


def _parse_date(raw: str, zone: ZoneInfo, timezone: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        value = None
    if value is None:  # 2025-03-05 10:02:11 +0800, 2025年3月5日 10:02 … (non-RFC clients)
        from procmine.read.timestamps import parse_timestamps

        cleaned = re.sub(r"\s*\([A-Za-z ]+\)\s*$", "", raw)
        parsed = parse_timestamps(pl.Series([cleaned], dtype=pl.String), timezone=timezone).values[0]
        return parsed
    if value.year < 1990 or value.year > 2199:
        return None
    if value.tzinfo is None:  # "-0000": the zone is unknown; read as local time
        value = value.replace(tzinfo=zone)
    return value.astimezone(zone)


def _body(msg: EmailMessage) -> tuple[str, str, str | None]:
    """(text, quoted text cut from HTML, charset note) of the message's body; attachments ignored."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:  # a damaged MIME structure
        part = None
    if part is None:
        return "", "", None
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception:
        raise _Broken("broken_body") from None
    defects = {type(d).__name__ for d in part.defects}
    if "InvalidBase64LengthDefect" in defects or ("InvalidBase64CharactersDefect" in defects and not payload.strip()):
        raise _Broken("broken_body", "invalid base64")
    decoded = _decode_text(payload, part.get_content_charset())
    if decoded is None:
        raise _Broken("broken_body", f"declared charset {part.get_content_charset() or 'none'}")
    text, note = decoded
    if part.get_content_subtype() == "html":
        text, quoted = _html_text(text)
        return text, quoted, note
    return text, "", note


def _address(text: str) -> tuple[str | None, str | None]:
    """(display name, address in lower case) of a From header."""
    found = re.match(r'^\s*"?(?P<name>[^<>"]*?)"?\s*<(?P<addr>[^<>\s]+)>\s*$', text)
    if found:
        name, addr = found.group("name").strip() or None, found.group("addr")
    else:
        pairs = getaddresses([text])
        name, addr = (pairs[0][0] or None, pairs[0][1] or None) if pairs else (None, None)
        if addr and "@" not in addr:
            name, addr = name or addr, None
    return name, addr.lower() if addr else None


def _ids(raw: object) -> list[str]:
    return [m.lower() for m in re.findall(r"<([^<>\s]+)>", str(raw or ""))]


def _conversation(raw: object) -> str | None:
    """Outlook's Thread-Index: its first 22 bytes name the conversation."""
    if not raw:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s", "", str(raw)) + "==")
    except (binascii.Error, ValueError):
        return None
    return data[:22].hex() if len(data) >= 22 else None


def _strip_prefixes(subject: str) -> tuple[str, str | None]:
    """The subject without Re:/回复:/Fw:/转发: prefixes, and the outermost prefix's kind."""
    kind = None
    text = subject
    while True:
        found = _PREFIX.match(text)
        if not found:
            break
        if kind is None:
            kind = "forward" if found.group("word").lower() in _FORWARD_WORDS else "reply"
        text = text[found.end():]
    return text.strip(), kind


# --- the reply's own words ----------------------------------------------------------------

class _HtmlText(HTMLParser):
    """Text of an HTML body; quote blocks (blockquote, gmail_quote, Outlook's divRplyFwdMsg …)
    go to ``quoted``."""

    BLOCKS = {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre",
              "blockquote", "section", "article", "header", "footer"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.own: list[str] = []
        self.quoted: list[str] = []
        self.skip = 0
        self.quote = 0
        self.cut = False

    def _target(self) -> list[str]:
        return self.quoted if (self.cut or self.quote) else self.own

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
            return
        values = dict(attrs)
        ids = (values.get("id") or "").lower()
        classes = set((values.get("class") or "").lower().split())
        if ids in _HTML_CUT_IDS or classes & _HTML_CUT_CLASSES:
            self.cut = True
        if tag == "blockquote":
            self.quote += 1
        if tag in self.BLOCKS:
            self._target().append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self.skip -= 1

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in self.BLOCKS:
            self._target().append("\n")
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)

    def handle_data(self, data):
        if not self.skip:
            self._target().append(data)


def _html_text(html: str) -> tuple[str, str]:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # badly broken markup: keep what was read
        pass

    def tidy(parts: list[str]) -> str:
        text = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
        lines = [line.strip() for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    return tidy(parser.own), tidy(parser.quoted)


def _split_reply(text: str) -> tuple[str, str]:
    """(own text, quoted text) of a plain-text body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    own: list[str] = []
    quoted: list[str] = []
    signature = False
    for index, line in enumerate(lines):
        if _quote_starts(lines, index):
            quoted.extend(lines[index:])
            break
        stripped = line.strip()
        if stripped.startswith(">") or line.lstrip().startswith("｜"):
            quoted.append(line.lstrip("> "))
            continue
        if _SIGNATURE.match(line):
            signature = True
            continue
        if not signature:
            own.append(line)
    return "\n".join(own).strip(), "\n".join(quoted).strip()


def _quote_starts(lines: list[str], index: int) -> bool:
    line = lines[index].replace("\xa0", " ").replace("\u3000", " ").strip()
    if not line:
        return False
    if _SEPARATOR_LINE.match(line) or _OUTLOOK_LINE.match(line) or _FORWARD_START.match(line):
        return True
    if len(line) <= 250 and _WROTE.search(line) and re.search(r"\d|@", line):
        return True
    if re.match(r"^(?:on|在|于)\s", line, re.IGNORECASE) and index + 1 < len(lines):
        joined = line + " " + lines[index + 1].strip()
        if len(joined) <= 300 and _WROTE.search(joined):
            return True
    if _HEADER_FROM.match(line):
        following = [l.replace("\xa0", " ").strip() for l in lines[index + 1: index + 6]]
        return any(_HEADER_NEXT.match(l) for l in following if l)
    return False


# --- decisions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _KeywordTable:
    regex: re.Pattern
    outcome_of: dict[str, str]


def _keyword_table(extra: Mapping[str, Iterable[str]] | None) -> _KeywordTable:
    words: dict[str, str] = {}
    for outcome, listed in DECISION_KEYWORDS.items():
        for word in listed:
            words[word.casefold()] = outcome
    for outcome, listed in (extra or {}).items():
        if isinstance(listed, str):
            listed = [listed]
        for word in listed:
            if word and word.strip():
                words[word.strip().casefold()] = outcome
    ordered = sorted(words, key=len, reverse=True)
    return _KeywordTable(re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE), words)


def _find_decision(text: str, table: _KeywordTable) -> Decision | None:
    for found in table.regex.finditer(text):
        word = found.group(0)
        outcome = table.outcome_of[word.casefold()]
        start, end = found.span()
        if re.match(r"[a-z]", word, re.IGNORECASE):  # English: whole words only
            if (start and text[start - 1].isascii() and text[start - 1].isalnum()) or \
                    (end < len(text) and text[end].isascii() and text[end].isalnum()):
                continue
        clause_start = max(text.rfind(ch, 0, start) for ch in _CLAUSE_BREAK) + 1
        prefix = text[clause_start:start]
        ends = [i for i in (text.find(ch, end) for ch in _CLAUSE_BREAK) if i >= 0]
        clause_end = min(ends) if ends else len(text)
        suffix = text[end: clause_end + 1]
        low_prefix = prefix.casefold().strip()
        if outcome in _ASKABLE or outcome not in DECISION_KEYWORDS:
            if _QUESTION.search(suffix):
                continue
            if _CONDITION.match(suffix) or _ASKS_REPLY.search(suffix):
                continue  # 同意的请回复 / 同意者请回复 / 同意的话请确认: asks who agrees, decides nothing
            if any(w in prefix for w in _REQUEST_ZH) or any(re.search(rf"\b{re.escape(w)}\b", low_prefix)
                                                            for w in _REQUEST_EN):
                continue
        if outcome == "同意":
            stem = prefix.rstrip()
            negator = next((n for n in sorted(_NEGATORS_ZH, key=len, reverse=True) if stem.endswith(n)), None)
            if negator is not None:
                return Decision("驳回", negator + word)
            negator = next((n for n in sorted(_NEGATORS_EN, key=len, reverse=True) if low_prefix.endswith(n)), None)
            if negator is not None:
                return Decision("驳回", f"{stem[-len(negator):]} {word}")
            if word == "通过":
                after = text[end: end + 1]
                if not (after == "" or after in _CLAUSE_BREAK or after.isspace() or after in "了啦的"
                        or prefix.rstrip().endswith(_PASS_AFTER)):
                    continue  # 通过邮件发送: "by", not "passed"
        return Decision(outcome, word)
    return None


# --- cases --------------------------------------------------------------------------------

def _compile_id_pattern(pattern: str | None) -> re.Pattern:
    from procmine.read.patterns import compile_user_regex

    return compile_user_regex(pattern, "--id-pattern") if pattern else re.compile(ID_PATTERN)


def _request_id(subject: str, regex: re.Pattern) -> str | None:
    found = regex.search(subject)
    if not found:
        return None
    if "id" in regex.groupindex and found.group("id"):
        return found.group("id").strip()
    groups = [g for g in found.groups() if g]
    return (groups[0] if groups else found.group(0)).strip() or None


def _drop_duplicates(messages: list[_Message], found: dict) -> list[_Message]:
    """The same message twice (sent and received copies, two folders): the first is kept."""
    seen: dict[str, _Message] = {}
    kept = []
    for message in messages:
        key = message.message_id
        if key and key in seen:
            first = seen[key]
            found.setdefault("duplicate_message", []).append((message.row, f"{message.label}: same Message-ID as "
                                                                            f"{first.label}"))
            continue
        if key:
            seen[key] = message
        kept.append(message)
    return kept


def _assign_cases(messages: list[_Message], id_regex: re.Pattern, found: dict) -> dict[str, list[_Message]]:
    """Each message's case: its request id, else its thread's; unassigned ones go to ``found``."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    keys = {}
    by_id = {}
    for message in messages:
        key = f"msg:{message.message_id}" if message.message_id else f"row:{message.row}"
        keys[message.row] = key
        root(key)
        if message.message_id:
            by_id[message.message_id] = message
        for ref in message.parents:
            join(key, f"msg:{ref}")
        if message.conversation:
            join(key, f"conv:{message.conversation}")
    # a reply whose client dropped In-Reply-To/References: the latest earlier message with its
    # subject, but only into a thread its headers made (two messages or more), never into a group
    # that the subject alone would make ("Re: 年会安排" from everybody is not an approval)
    sizes = Counter(root(keys[m.row]) for m in messages)
    threaded = {key for key, n in sizes.items() if n > 1}
    ordered = sorted(messages, key=lambda m: (m.date, m.row))
    for index, message in enumerate(ordered):
        if message.kind == "reply" and not message.parents and len(message.base_subject) >= 4:
            earlier = [m for m in ordered[:index] if m.base_subject == message.base_subject
                       and root(keys[m.row]) in threaded]
            if earlier:
                join(keys[message.row], keys[earlier[-1].row])

    for message in messages:
        message.case = _request_id(message.subject, id_regex)
    # messages without an id: the nearest ancestor's id, else any id of the thread
    thread_ids: dict[str, list[tuple[datetime, int, str]]] = {}
    for message in messages:
        if message.case:
            thread_ids.setdefault(root(keys[message.row]), []).append((message.date, message.row, message.case))
    for message in ordered:
        if message.case:
            continue
        for ref in reversed(message.parents):
            ancestor = by_id.get(ref)
            if ancestor is not None and ancestor.case:
                message.case = ancestor.case
                break
        if message.case is None and thread_ids.get(root(keys[message.row])):
            message.case = sorted(thread_ids[root(keys[message.row])])[0][2]

    # threads without any id: a case of their own when they hold two or more messages
    threads: dict[str, list[_Message]] = {}
    for message in messages:
        if message.case is None:
            threads.setdefault(root(keys[message.row]), []).append(message)
    # a thread started by a circular (to a list or all staff) is no approval case, whatever its replies say
    circulars = {key for key, group in threads.items() if min(group, key=lambda m: (m.date, m.row)).broadcast}
    numbered = sorted((min((m.date, m.row) for m in group), key) for key, group in threads.items()
                      if len(group) > 1 and key not in circulars)
    names = {key: f"thread-{n:03d}" for n, (_, key) in enumerate(numbered, start=1)}
    cases: dict[str, list[_Message]] = {}
    for message in messages:
        if message.case is None:
            key = root(keys[message.row])
            if key in names:
                message.case = names[key]
            else:
                code = ("unassigned_broadcast" if key in circulars or message.broadcast else
                        "unassigned_reply_to_missing" if message.parents else "unassigned_no_id_no_thread")
                found.setdefault(code, []).append((message.row, f"{message.label}: {_short(message.subject)}"))
                continue
        cases.setdefault(message.case, []).append(message)
    return cases


# --- departments --------------------------------------------------------------------------

@dataclass
class _Directory:
    """Sender → (department, step) from the ``departments`` mapping."""

    entries: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    origin: str = ""

    @property
    def size(self) -> int:
        return len(self.entries)

    @classmethod
    def load(cls, departments) -> _Directory:
        if departments is None:
            return cls()
        if isinstance(departments, Mapping):
            entries = {}
            for key, value in departments.items():
                department, step = (value, None) if isinstance(value, str) or value is None else tuple(value)[:2]
                entries[_key(key)] = (department or None, step or None)
            return cls(entries, "the departments mapping")
        path = Path(departments)
        table = open_table(path)
        columns = [c for c in table.frame.columns if c != RAW_ROW]
        if len(columns) < 2:
            raise LogFileError(f"{path}: the departments file needs two columns: address, @domain or display name, "
                               "then the department (a third column may name the step).")
        entries = {}
        for values in table.frame.select(columns[:3]).iter_rows():
            key, department = values[0], values[1]
            step = values[2] if len(values) > 2 else None
            if key and str(key).strip() and (department or step):
                entries[_key(str(key))] = ((department or "").strip() or None, (step or "").strip() or None)
        return cls(entries, path.name)

    def lookup(self, address: str | None, name: str | None) -> tuple[str | None, str | None]:
        keys = []
        if address:
            keys.append(address)
        if name:
            keys += [_key(name), _key(re.sub(r"\s*[(（].*?[)）]\s*", "", name))]
        if address and "@" in address:
            domain = address.split("@", 1)[1]
            parts = domain.split(".")
            keys += ["@" + ".".join(parts[i:]) for i in range(len(parts) - 1)]
        for key in keys:
            if key in self.entries:
                return self.entries[key]
        return None, None


def _key(text: str) -> str:
    text = str(text).strip().lower()
    if "@" not in text and re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", text):
        text = "@" + text  # a bare domain
    return text


def _person(message: _Message, names: dict[str, str], directory: _Directory) -> tuple[str | None, str | None, str | None]:
    """(resource, department, step) of a message's sender."""
    display = names.get(message.sender or "", message.name)
    department, step = directory.lookup(message.sender, message.name)
    resource = display
    if display:
        inner = re.fullmatch(r"(?P<name>.+?)\s*[(（](?P<inner>[^()（）]+)[)）]", display)
        if inner:
            resource = inner.group("name").strip()
            department = department or inner.group("inner").strip()
    return resource or message.sender, department, step


def _usual_names(messages: Iterable[_Message]) -> dict[str, str]:
    """Each address's most frequent display name (people sign differently from phone and PC)."""
    counts: dict[str, Counter] = {}
    for message in messages:
        if message.sender and message.name:
            counts.setdefault(message.sender, Counter())[message.name] += 1
    return {address: counter.most_common(1)[0][0] for address, counter in counts.items()}


# --- events -------------------------------------------------------------------------------

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


# --- summary and CSV ----------------------------------------------------------------------

@dataclass
class EmailSummary:
    """What reading a mailbox gave: messages, cases, decisions by outcome, what was left out."""

    source: str
    messages: int
    cases: int
    events: int
    requests: int
    resubmissions: int
    decisions: dict[str, int]
    unassigned: int
    broken: int
    duplicates: int
    quoted_only: int
    not_decisions: int
    reasons: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def __str__(self) -> str:
        decided = " · ".join(f"{k} {v}" for k, v in self.decisions.items()) or "none"

        def why(prefix: str) -> str:
            parts = [f"{SHORT_REASONS[c]} {n}" for c, n in self.reasons.items() if c.startswith(prefix)]
            return f" ({', '.join(parts)})" if parts else ""

        return "\n".join([
            f"E-mail approvals {self.source}: {self.messages:,} messages → {self.cases:,} cases, {self.events:,} events",
            f"  requests {self.requests:,} · resubmissions {self.resubmissions:,} · decisions "
            f"{sum(self.decisions.values()):,} ({decided})",
            f"  not decisions {self.not_decisions:,} (decision word only in the quoted part: {self.quoted_only:,})"
            f" · duplicates {self.duplicates:,}",
            f"  unassigned {self.unassigned:,}{why(UNASSIGNED_PREFIX)} · broken {self.broken:,}{why(BROKEN_PREFIX)}",
        ])


def email_summary(log: EventLog) -> EmailSummary:
    """The e-mail figures of a log read by :func:`read_emails` (from its events and quality report)."""
    counts = {f.code: f.rows for f in log.quality.findings}
    outcomes = log.events.filter(pl.col(ACTIVITY) != "提交").filter(pl.col(ACTIVITY) != "重新提交")[OUTCOME]
    decisions = {k: v for k, v in outcomes.value_counts(sort=True).iter_rows() if k is not None}
    order = list(DECISION_KEYWORDS)
    decisions = dict(sorted(decisions.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])))
    activities = log.events[ACTIVITY]
    return EmailSummary(
        source=log.source.name,
        messages=log.quality.rows_read,
        cases=log.events[CASE].n_unique(),
        events=log.events.height,
        requests=int((activities == "提交").sum()),
        resubmissions=int((activities == "重新提交").sum()),
        decisions=decisions,
        unassigned=sum(n for c, n in counts.items() if c.startswith(UNASSIGNED_PREFIX)),
        broken=sum(n for c, n in counts.items() if c.startswith(BROKEN_PREFIX)),
        duplicates=counts.get("duplicate_message", 0),
        quoted_only=counts.get("quoted_decision_only", 0),
        not_decisions=sum(counts.get(c, 0) for c in ("quoted_decision_only", "forward_without_decision", "no_decision")),
        reasons={c: n for c, n in counts.items() if c in FINDINGS},
    )


def write_log_csv(log: EventLog, path: str | Path) -> Path:
    """Write a log's events as CSV: standard columns first (case, activity, timestamp …), then
    the attributes; UTF-8 with BOM so that Excel shows Chinese; times as ISO 8601 with offset.
    The source record number is the ``message`` column (``row`` for other logs)."""
    path = Path(path)
    events = log.events
    word = log.source.row_word if log.source.row_word != "row" else "source_row"
    times = [c for c in (TIMESTAMP, START) if c in events.columns]
    frame = events.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S%:z") for c in times
    ).rename({ROW: word} if ROW in events.columns else {})
    for column in (CASE, ACTIVITY, TIMESTAMP, RESOURCE, DEPARTMENT, OUTCOME):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    first = [c for c in STANDARD if c in frame.columns and c != ROW]
    frame = frame.select([*first, *[c for c in frame.columns if c not in first]])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(frame.columns)
    for values in frame.iter_rows():  # a sender may call himself =cmd|' /C calc'!A0
        writer.writerow([safe_text_cell(v) for v in values])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path
