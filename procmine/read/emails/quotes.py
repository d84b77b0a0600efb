"""The part of a reply its sender wrote: quoted replies, forwarded messages and signatures cut off,
in plain text and in HTML bodies.

    >>> own_text("同意。\\n\\n在 2025年3月5日 10:02，张三 <z@corp.example> 写道：\\n> 同意")
    '同意。'
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


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


def own_text(body: str, *, html: bool = False) -> str:
    """The part of a message its sender wrote: quoted replies, forwarded messages and the
    signature cut off.

    >>> own_text("同意。\\n\\n在 2025年3月5日 10:02，张三 <z@corp.example> 写道：\\n> 请审批，谢谢\\n> 同意")
    '同意。'
    """
    return _split_reply(_html_text(body)[0] if html else body)[0]


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
