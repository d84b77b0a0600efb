"""A message's bytes as text: RFC 2047 headers and MIME bodies, in the charsets Chinese mail clients
use (and misdeclare), and Date headers. A message that cannot be read is :class:`_Broken`.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import polars as pl

from procmine.read.emails.quotes import _html_text
from procmine.read.files import _looks_chinese


_GB_CHARSETS = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "x-gb2312", "gb18030", "csgb2312"}
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


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
