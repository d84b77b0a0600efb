"""What a mailbox holds: the messages of a folder of ``.eml`` files or an ``.mbox`` file, each with
the headers that place it in a thread (Message-ID, In-Reply-To, References, Thread-Index), its
subject's Re:/Fw: prefixes, its sender, date and own text.
"""

from __future__ import annotations

import base64
import binascii
import mailbox
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from zoneinfo import ZoneInfo

from procmine.errors import LogFileError
from procmine.log import Source
from procmine.read.emails.mime import _body, _Broken, _header_text, _parse_date
from procmine.read.emails.quotes import _split_reply


_PREFIX = re.compile(r"^\s*(?P<word>re|fw|fwd|aw|wg|sv|vs|tr|回复|答复|回覆|转发|轉寄|转寄|轉發)\s*(?:\[\d+\])?\s*[:：]\s*",
                     re.IGNORECASE)
_FORWARD_WORDS = {"fw", "fwd", "wg", "tr", "转发", "轉寄", "转寄", "轉發"}
_VOTE = re.compile(r"^\s*(批准|同意|不同意|拒绝|驳回|approve|approved|reject|rejected)\s*[:：]\s*", re.IGNORECASE)


@dataclass
class MailSource(Source):
    """A mailbox: each record read is a message."""

    @property
    def row_word(self) -> str:
        return "message"


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
