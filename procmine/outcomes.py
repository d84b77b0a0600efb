"""One vocabulary of approval outcomes: approve, reject, send back, withdraw, transfer, cc, submit …

OA systems, e-mail replies and event names spell the same decision many ways: 同意 / 审批通过 /
agree / AGREE / "Declaration APPROVED by SUPERVISOR"; 驳回 / 不同意 / REFUSE / "REJECTED by …";
退回 / 打回 / ROLLBACK. Here each is mapped once to a standard code. The engine applies it when it
builds the steps table (column ``decision``: from the outcome column, or from the activity name
where a step has no outcome), and every analysis compares codes, never words.

    >>> classify("不同意，预算超支")
    'reject'
    >>> classify_name("Declaration REJECTED by SUPERVISOR")
    'reject'
    >>> classify_name("部门经理审批") is None        # a step, not an outcome
    True

The decision an analysis needs: :data:`SAYS_NO` (reject, send back) makes a case not right
first time; a rejection rate counts ``reject`` only. Definitions: ``docs/measures.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from procmine.text import Text


@dataclass(frozen=True)
class Outcome:
    """A standard outcome: its code, its Chinese and English labels, and the words that say it.

    ``words`` are read in outcome values (审批结果, e-mail replies, history lines); ``name_words``
    in activity names, where only a decision spelled out counts ("REJECTED by …", 驳回), not a
    verb that names a step (审批, "Return ER").
    """

    code: str
    zh: str
    en: str
    words: tuple[str, ...]
    name_words: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, str]:
        """The label in both languages, ``(zh, en)``."""
        return self.zh, self.en


#: In precedence order: the first outcome whose word appears wins, so 不同意 is a rejection before
#: 同意 is read, 重新提交 a resubmission before 提交 is. English words match as whole words
#: (letters on neither side; "FINAL_APPROVED" and "A_DECLINED" match).
OUTCOMES: tuple[Outcome, ...] = (
    Outcome("resubmit", "重新提交", "resubmit",
            ("重新提交", "再次提交", "重新发起", "重新申请", "重提", "resubmit", "resubmitted", "re-submit",
             "re-submitted"),
            ("重新提交", "再次提交", "重新发起", "resubmitted", "resubmit", "re-submitted")),
    Outcome("withdraw", "撤回", "withdraw",
            ("已撤回", "撤回", "已撤销", "撤销", "撤单", "取消申请", "withdraw", "withdrawn", "withdrew", "revoke",
             "revoked", "cancel", "cancelled", "canceled", "terminated", "terminate"),
            ("撤回", "撤销", "withdrawn", "withdrew", "revoked", "cancelled", "canceled")),
    Outcome("send_back", "退回", "send back",
            ("已退回", "退回", "回退", "打回", "发回", "退件", "返回修改", "退回修改", "send back", "sent back",
             "sendback", "return", "returned", "rollback", "rolled back", "redirect_process", "不满意"),
            # not "sent back" in names: BPIC 2012's O_SENT_BACK is the customer returning a signed offer
            ("退回", "回退", "打回", "发回", "returned", "rolled back")),
    Outcome("reject", "驳回", "reject",
            ("已驳回", "驳回", "已拒绝", "拒绝", "不同意", "不批准", "不予批准", "不予", "不通过", "未通过", "否决",
             "拒批", "reject", "rejected", "rejection", "decline", "declined", "deny", "denied", "refuse",
             "refused", "refusal", "disapprove", "disapproved", "not approved"),
            ("驳回", "拒绝", "不同意", "不批准", "不通过", "未通过", "否决", "rejected", "rejection", "declined",
             "denied", "refused", "disapproved", "not approved")),
    Outcome("approve", "同意", "approve",
            ("审批通过", "审核通过", "拟同意", "已同意", "同意", "已通过", "通过", "已批准", "批准", "核准", "准予",
             "自动通过", "已审批", "已审核", "已确认", "approve", "approved", "agree", "agreed", "accept",
             "accepted", "pass", "passed"),
            ("审批通过", "审核通过", "已同意", "已批准", "approved", "accepted", "agreed")),
    Outcome("transfer", "转交", "transfer",
            ("已转交", "转交", "已转审", "转审", "转办", "转签", "移交", "委托", "transfer", "transferred", "delegate", "delegated",
             "reassign", "reassigned", "redirect", "redirected", "redirect_task"),
            ("转交", "转办", "移交", "transferred", "delegated", "reassigned")),
    Outcome("add_approver", "加签", "add approver",
            ("前加签", "后加签", "并加签", "加签", "append_task", "append_task_before", "append_task_after",
             "add approver", "added approver"),
            ("加签",)),
    Outcome("cc", "抄送", "cc",
            ("已抄送", "抄送", "知会", "传阅", "转发", "cc", "process_cc", "carbon copy"),
            ("抄送", "知会")),
    Outcome("submit", "提交", "submit",
            ("发起申请", "提交申请", "发起审批", "发起", "提交", "创建", "submit", "submitted", "start",
             "start_process_instance", "created"),
            ("发起申请", "提交申请", "提交", "发起", "submitted")),
    Outcome("read", "已阅", "read", ("已阅", "阅知", "知悉", "已读")),
    Outcome("done", "办理", "done", ("办理完成", "已办理", "已处理", "处理完成", "已办结", "办结", "已完成", "办理")),
    Outcome("comment", "评论", "comment", ("添加评论", "评论", "批注", "add_remark")),
)
BY_CODE = {o.code: o for o in OUTCOMES}
CODES = tuple(o.code for o in OUTCOMES)
#: Outcomes that say "no": the case does not go on as submitted (not right first time).
SAYS_NO = ("reject", "send_back")
#: Outcomes that decide something (a step with them takes decisions, whatever its name).
DECIDES = ("approve", "reject", "send_back")
#: The dtype of the engine's ``decision`` column.
DECISION_DTYPE = pl.Enum(list(CODES))


def _is_english(word: str) -> bool:
    return word.isascii()


def _pattern(words) -> str:
    """One case-insensitive regex (Rust and Python syntax) for ``words``; English as whole words."""
    zh = sorted((w for w in words if not _is_english(w)), key=len, reverse=True)
    en = sorted((w for w in words if _is_english(w)), key=len, reverse=True)
    parts = [re.escape(w) for w in zh]
    if en:
        spelled = "|".join(re.escape(w).replace("_", "[ _-]?").replace(r"\ ", "[ _-]?") for w in en)
        parts.append(f"(?:^|[^a-z])(?:{spelled})(?:[^a-z]|$)")
    return "(?i)(?:" + "|".join(parts) + ")" if parts else "(?!)"


@lru_cache(maxsize=None)
def _compiled(code: str, names: bool) -> re.Pattern:
    o = BY_CODE[code]
    return re.compile(_pattern(o.name_words if names else o.words))


def classify(text: str | None) -> str | None:
    """The standard code of an outcome value (审批结果, a decision in a reply), or None.

    >>> classify("同意，请法务审核"), classify("未通过"), classify("AGREE"), classify("已阅")
    ('approve', 'reject', 'approve', 'read')
    """
    return _first(text, names=False)


def classify_name(activity: str | None) -> str | None:
    """The decision an activity *name* spells out ("Declaration REJECTED by X", 审批通过), or None."""
    return _first(activity, names=True)


def _first(text: str | None, names: bool) -> str | None:
    if not text:
        return None
    for o in OUTCOMES:
        if (o.name_words if names else o.words) and _compiled(o.code, names).search(text):
            return o.code
    return None


def classify_series(values: pl.Series, *, names: bool = False) -> pl.Series:
    """:func:`classify` (or :func:`classify_name`) of every value, read once per distinct value."""
    distinct = values.drop_nulls().unique()
    code = pl.lit(None, dtype=pl.String)
    for o in reversed(OUTCOMES):  # the first outcome in precedence order ends up outermost
        listed = o.name_words if names else o.words
        if listed:
            code = pl.when(pl.col("v").str.contains(_pattern(listed))).then(pl.lit(o.code)).otherwise(code)
    mapped = pl.DataFrame({"v": distinct}).with_columns(code.alias("code"))
    if distinct.len() == 0:
        return pl.Series(values.name, [None] * values.len(), dtype=DECISION_DTYPE)
    # each value's position among the distinct ones (a cast to an Enum of them), then a gather:
    # half the time of looking every value up in a mapping
    position = values.cast(pl.String).cast(pl.Enum(distinct.cast(pl.String).to_list())).to_physical()
    return mapped["code"].cast(DECISION_DTYPE).gather(position).rename(values.name)


def decisions(outcome: pl.Series, activity: pl.Series) -> pl.Series:
    """The ``decision`` column: the outcome value's code, or the activity name's where there is none."""
    from_outcome = classify_series(outcome.cast(pl.String))
    from_name = classify_series(activity.cast(pl.String), names=True)
    return pl.select(pl.coalesce(from_outcome, from_name)).to_series().rename("decision")


#: Words of the vocabulary that are too common in prose (an e-mail reply, a comment in an OA
#: history line) or too short to be read as a decision there: platform codes, "pass", "cc" …
PROSE_AMBIGUOUS = frozenset({
    "pass", "passed", "accept", "accepted", "redirect", "redirected", "redirect_task", "reassign", "reassigned",
    "transfer", "transferred", "委托", "转签", "rollback", "rolled back", "redirect_process", "sendback", "return",
    "append_task", "append_task_before", "append_task_after", "不予", "已审批", "已审核", "已确认", "自动通过",
    "不满意", "cc", "process_cc", "carbon copy", "start", "start_process_instance", "created", "cancel",
    "cancelled", "canceled", "terminated", "terminate", "add_remark", "转发", "办理", "批注", "重提", "知会", "传阅", "撤单", "退件"})


def prose_words(code: str) -> tuple[str, ...]:
    """The words of an outcome that may be read as a decision inside free text."""
    return tuple(w for w in BY_CODE[code].words if w not in PROSE_AMBIGUOUS)


def label(code: str | None, lang: str = "zh") -> str:
    """同意 / approve … for a code ("–" for none)."""
    if code is None:
        return "–"
    return Text(lang).pick(BY_CODE[code].labels)


def words_by_label(codes=("approve", "reject", "send_back", "transfer", "add_approver")) -> dict[str, tuple[str, ...]]:
    """{中文标签: words read in prose} for readers that name outcomes in Chinese (e-mail replies)."""
    return {BY_CODE[c].zh: prose_words(c) for c in codes}


#: Words removed from an activity name to find the step a decision event belongs to.
_DECISION_NAME_WORDS = tuple(dict.fromkeys(
    w for o in OUTCOMES if o.code in ("approve", "reject", "send_back", "resubmit", "submit") for w in o.name_words)) + (
    "final_approved", "final approved", "approve", "reject", "审批", "审核", "复核")


def step_of(activity: str) -> str:
    """The step an activity name records a decision of, for linking "REJECTED by X" to
    "APPROVED by X" and 财务审核驳回 to 财务审核: the name without its decision words, spaces
    folded, lower case.

    >>> step_of("Declaration FINAL_APPROVED by SUPERVISOR") == step_of("Declaration REJECTED by SUPERVISOR")
    True
    """
    text = activity.casefold()
    zh = sorted((w for w in _DECISION_NAME_WORDS if not _is_english(w)), key=len, reverse=True)
    en = sorted((w for w in _DECISION_NAME_WORDS if _is_english(w)), key=len, reverse=True)
    for word in zh:
        text = text.replace(word, " ")
    text = re.sub(r"(?:^|(?<=[^a-z]))(?:" + "|".join(re.escape(w).replace("_", "[ _-]?").replace(r"\ ", "[ _-]?")
                                                    for w in en) + r")(?=[^a-z]|$)", " ", text)
    step = re.sub(r"[\s_\-·—:：]+", " ", text).strip()
    return step or activity.casefold()  # a name that is all decision words (审批) is its own step


__all__ = ["Outcome", "OUTCOMES", "CODES", "SAYS_NO", "DECIDES", "DECISION_DTYPE", "classify", "classify_name",
           "classify_series", "decisions", "label", "words_by_label", "prose_words", "PROSE_AMBIGUOUS", "step_of"]
