"""Decisions in a reply's own words: 同意 / 批准 / 通过, 驳回 / 不同意, 退回, 转交, 加签 and English
approve / reject, not when asked for (请批准, 是否同意) and read as 驳回 when negated (不同意).

    >>> find_decision("不同意，预算超支").outcome
    '驳回'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from procmine.outcomes import words_by_label


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
#: 通过 is also "by means of" (通过邮件发送): a decision only at a clause's end or after these.
#: (已通过 / 均通过 … are decisions at a clause's end; followed by more, 已通过邮件发送 is "by" again.)
_PASS_AFTER = ("审核", "审批", "审查", "予以", "准予", "同意")


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
