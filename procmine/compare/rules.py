"""Control points and decision rules of a design (关键控制点、决策规则), checked case by case.

Three kinds, as the method writes them:

* ``precedence`` — ``before`` must complete before ``after`` completes, and must occur
  whenever ``after`` occurs (e.g. 法务审核 before 合同盖章);
* ``required_if`` — ``activity`` must occur in every case whose ``attribute`` satisfies a
  condition (e.g. 合同金额 > 5万 → 总经理审批);
* ``four_eyes`` — two steps must be done by different people (不相容岗位分离).

    >>> rule = parse_rule({"precedence": {"before": "法务审核", "after": "合同盖章"}}, "rules[1]")
    >>> rule.describe("zh")
    '法务审核 须在 合同盖章 之前完成'
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from procmine.errors import DesignError
from procmine.log import ACTIVITY, CASE, RESOURCE, TIMESTAMP
from procmine.text import phrases
from procmine.units import to_number

#: Each rule said as a sentence.
PHRASES = phrases("rules", {
    "precedence": ("{before} 须在 {after} 之前完成", "{before} must complete before {after} completes"),
    "required_if": ("{attribute} {op} {value} 的案例须经过 {activity}",
                    "cases with {attribute} {op} {value} must pass {activity}"),
    "four_eyes": ("{first} 与 {second} 须由不同人员办理", "{first} and {second} must be done by different people"),
})

OPERATORS = {"==": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge, "<": operator.lt,
             "<=": operator.le}
_OP_ALIASES = {"=": "==", "≠": "!=", "≥": ">=", "≤": "<=", "＞": ">", "＜": "<", "＝": "==", "eq": "==", "ne": "!=",
               "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_CONDITION = re.compile(r"^\s*(?P<attribute>.+?)\s*(?P<op>==|!=|>=|<=|≥|≤|≠|=|>|<)\s*(?P<value>.+?)\s*$")
RULE_KINDS = ("precedence", "required_if", "four_eyes")
RULE_FORMS = (
    "precedence: {before: 法务审核, after: 合同盖章}; "
    "required_if: {activity: 总经理审批, attribute: 合同金额, op: \">\", value: 500000} "
    "(or condition: \"合同金额 > 5万\"); four_eyes: [投诉分类, 调查与处理]"
)


def _text(value: Any) -> str:
    return str(value).strip()


@dataclass(frozen=True)
class Rule:
    """One rule of the design; ``check`` returns the violating cases."""

    kind: ClassVar[str] = ""

    @property
    def activities(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def name(self) -> str:
        """A short stable name, e.g. ``precedence: 法务复核 → 结案归档``."""
        raise NotImplementedError

    def describe(self, lang: str = "zh") -> str:
        raise NotImplementedError

    def check(self, events: pl.DataFrame, cases: list[str]) -> "RuleResult":
        raise NotImplementedError

    def renamed(self, mapping: dict[str, str]) -> "Rule":
        """The rule with its step names replaced (aliases → design names)."""
        return self


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    checked_cases: int
    case_ids: tuple[str, ...]
    details: dict[str, str]  # case → what happened (who did both steps, the value …)
    note: str = ""
    exempt: int = 0
    note_zh: str = ""  # cases the rule does not apply to (rejected before the step was due)


@dataclass(frozen=True)
class Precedence(Rule):
    before: str
    after: str
    kind: ClassVar[str] = "precedence"

    @property
    def activities(self) -> tuple[str, ...]:
        return (self.before, self.after)

    @property
    def name(self) -> str:
        return f"precedence: {self.before} → {self.after}"

    def describe(self, lang: str = "zh") -> str:
        return PHRASES("precedence", lang, before=self.before, after=self.after)

    def check(self, events: pl.DataFrame, cases: list[str]) -> RuleResult:
        firsts = (
            events.filter(pl.col(ACTIVITY).is_in([self.before, self.after]))
            .group_by(CASE, ACTIVITY).agg(pl.col(TIMESTAMP).min())
            .pivot(on=ACTIVITY, index=CASE, values=TIMESTAMP)
        )
        for column in (self.before, self.after):
            if column not in firsts.columns:
                firsts = firsts.with_columns(pl.lit(None, dtype=events.schema[TIMESTAMP]).alias(column))
        with_after = firsts.filter(pl.col(self.after).is_not_null())
        bad = with_after.filter(pl.col(self.before).is_null() | (pl.col(self.after) < pl.col(self.before)))
        return self.result(with_after.height, bad.select(CASE, pl.col(self.before).is_null()).iter_rows())

    def result(self, checked: int, bad) -> RuleResult:
        """The verdict from the cases that did ``after`` (``checked``) and those that did it without
        ``before`` or before it: ``bad`` yields (case, whether ``before`` is missing)."""
        details = {case: ("missing" if missing else "after") for case, missing in bad}
        return RuleResult(self, checked, tuple(sorted(details)), details)

    def renamed(self, mapping: dict[str, str]) -> "Precedence":
        return Precedence(mapping.get(self.before, self.before), mapping.get(self.after, self.after))


@dataclass(frozen=True)
class RequiredIf(Rule):
    activity: str
    attribute: str
    op: str
    value: Any
    kind: ClassVar[str] = "required_if"

    @property
    def activities(self) -> tuple[str, ...]:
        return (self.activity,)

    @property
    def name(self) -> str:
        return f"required_if: {self.activity} if {self.attribute} {self.op} {self.value}"

    def describe(self, lang: str = "zh") -> str:
        return PHRASES("required_if", lang, attribute=self.attribute, op=self.op, value=self.value,
                       activity=self.activity)

    def test(self, value: Any) -> bool | None:
        """Whether one value satisfies the condition (None: a value that cannot be compared, such as
        text against a number; a missing value does not satisfy it).

            >>> rule = RequiredIf("总经理审批", "合同金额", ">", "50万")
            >>> rule.test("62万"), rule.test(300000), rule.test("待定")
            (True, False, None)
        """
        if value is None:
            return False
        compare = OPERATORS[self.op]
        target_number = to_number(self.value)
        numeric = self.op not in ("==", "!=") or target_number is not None
        number = to_number(value) if numeric else None
        if numeric and number is not None and target_number is not None:
            return compare(number, target_number)
        if self.op in ("==", "!="):
            return compare(_text(value), _text(self.value))
        return None

    def matches(self, values: pl.Series) -> tuple[pl.Series, int]:
        """Which values satisfy the condition, and how many could not be compared."""
        tested = [self.test(value) for value in values.to_list()]
        return pl.Series([bool(t) for t in tested], dtype=pl.Boolean), tested.count(None)

    def check(self, events: pl.DataFrame, cases: list[str]) -> RuleResult:
        values = events.select(CASE, pl.col(self.attribute).alias("__value")).filter(pl.col("__value").is_not_null())
        values = values.unique(maintain_order=True)
        satisfied, unreadable = self.matches(values["__value"])
        matching = values.filter(satisfied)
        # A case that was rejected and stopped never reached the step the rule requires.
        rejected = _rejected_cases(events)
        stopped = matching.filter(pl.col(CASE).is_in(rejected.implode()))[CASE].unique()
        matching = matching.filter(~pl.col(CASE).is_in(rejected.implode()))
        condition_cases = matching[CASE].unique()
        done = events.filter(pl.col(ACTIVITY) == self.activity)[CASE].unique()
        missing = matching.filter(~pl.col(CASE).is_in(done.implode()))
        return self.result(condition_cases.len(), missing.iter_rows(), unreadable, stopped.len())

    def result(self, checked: int, missing, unreadable: int, exempt: int) -> RuleResult:
        """The verdict from the cases held to the rule (``checked``), those without the step
        (``missing`` yields (case, a value that met the condition); the first pair of a case is its
        detail), the values that could not be compared and the cases exempt (rejected and stopped)."""
        details: dict[str, str] = {}
        for case, value in missing:
            details.setdefault(case, str(value))
        notes, notes_zh = [], []
        if unreadable:
            notes.append(f"{unreadable} values of {self.attribute} are not numbers and were not compared")
            notes_zh.append(f"{self.attribute} 有 {unreadable} 个值不是数字，未参与比较")
        if exempt:
            notes.append(f"{exempt} cases that meet the condition but ended with a rejection are not held to it")
            notes_zh.append(f"{exempt} 个满足条件但以驳回结束的案例不适用此规则")
        return RuleResult(self, checked, tuple(sorted(details)), details, "; ".join(notes),
                          exempt=exempt, note_zh="；".join(notes_zh))

    def renamed(self, mapping: dict[str, str]) -> "RequiredIf":
        return RequiredIf(mapping.get(self.activity, self.activity), self.attribute, self.op, self.value)


@dataclass(frozen=True)
class FourEyes(Rule):
    first: str
    second: str
    kind: ClassVar[str] = "four_eyes"

    @property
    def activities(self) -> tuple[str, ...]:
        return (self.first, self.second)

    @property
    def name(self) -> str:
        return f"four_eyes: {self.first} ≠ {self.second}"

    def describe(self, lang: str = "zh") -> str:
        return PHRASES("four_eyes", lang, first=self.first, second=self.second)

    def check(self, events: pl.DataFrame, cases: list[str]) -> RuleResult:
        people = events.filter(pl.col(ACTIVITY).is_in([self.first, self.second]) & pl.col(RESOURCE).is_not_null())
        people = people.select(CASE, ACTIVITY, RESOURCE).unique()
        both = people.group_by(CASE, RESOURCE).agg(pl.col(ACTIVITY).n_unique().alias("steps")).filter(
            pl.col("steps") == 2)
        checked = people.group_by(CASE).agg(pl.col(ACTIVITY).n_unique()).filter(pl.col(ACTIVITY) == 2).height
        return self.result(checked, both.select(CASE, RESOURCE).iter_rows())

    def result(self, checked: int, both) -> RuleResult:
        """The verdict from the cases that did both steps with a known person (``checked``) and the
        (case, person) pairs where one person did both."""
        details: dict[str, str] = {}
        for case, person in sorted(both):
            details[case] = f"{details[case]}, {person}" if case in details else person
        return RuleResult(self, checked, tuple(sorted(details)), details)

    def renamed(self, mapping: dict[str, str]) -> "FourEyes":
        return FourEyes(mapping.get(self.first, self.first), mapping.get(self.second, self.second))


def _rejected_cases(events: pl.DataFrame) -> pl.Series:
    """Cases whose last step's decision is a rejection (驳回, 不同意, "REJECTED by …"; see
    :mod:`procmine.outcomes`)."""
    from procmine.log import ACTIVITY, OUTCOME, ROW
    from procmine.outcomes import decisions

    last = events.sort([CASE, TIMESTAMP, ROW]).group_by(CASE, maintain_order=True).agg(
        pl.col(OUTCOME).last() if OUTCOME in events.columns else pl.lit(None, dtype=pl.String).alias(OUTCOME),
        pl.col(ACTIVITY).last())
    return last.filter((decisions(last[OUTCOME], last[ACTIVITY]) == "reject").fill_null(False))[CASE]


def _pair(body: Any, keys: tuple[str, str], where: str, kind: str) -> tuple[str, str]:
    if isinstance(body, dict):
        if all(k in body for k in keys):
            return _name(body[keys[0]], where, keys[0]), _name(body[keys[1]], where, keys[1])
        if "steps" in body:
            body = body["steps"]
        else:
            raise DesignError(f"{where}: {kind} needs {keys[0]} and {keys[1]}; got {sorted(body)}. "
                              f"Write e.g. {kind}: {{{keys[0]}: A, {keys[1]}: B}} or {kind}: [A, B].")
    if isinstance(body, (list, tuple)) and len(body) == 2:
        return _name(body[0], where, keys[0]), _name(body[1], where, keys[1])
    raise DesignError(f"{where}: {kind} needs two steps, e.g. {kind}: [A, B]; got {body!r}.")


def _name(value: Any, where: str, field: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, (dict, list)):
        raise DesignError(f"{where}: {field} must be a step name, got {value!r}.")
    return str(value).strip()


def parse_rule(entry: Any, where: str) -> Rule:
    """One entry of a design's ``rules`` list; ``where`` names it in error messages."""
    if not isinstance(entry, dict) or len(entry) != 1:
        raise DesignError(f"{where}: a rule is one of {', '.join(RULE_KINDS)} with its settings, e.g. {RULE_FORMS}; "
                          f"got {entry!r}.")
    (kind, body), = entry.items()
    if kind == "precedence":
        return Precedence(*_pair(body, ("before", "after"), where, kind))
    if kind == "four_eyes":
        return FourEyes(*_pair(body, ("first", "second"), where, kind))
    if kind == "required_if":
        if not isinstance(body, dict) or "activity" not in body:
            raise DesignError(f"{where}: required_if needs activity and a condition, e.g. {RULE_FORMS}; got {body!r}.")
        activity = _name(body["activity"], where, "activity")
        if "condition" in body or "if" in body:
            text = str(body.get("condition", body.get("if")))
            match = _CONDITION.match(unicodedata.normalize("NFKC", text))
            if not match:
                raise DesignError(f"{where}: cannot read the condition {text!r}; write it as "
                                  "\"attribute op value\", e.g. \"合同金额 > 500000\" (op: == != > >= < <=).")
            attribute, op, value = match.group("attribute"), match.group("op"), match.group("value").strip("\"'")
        else:
            missing = [k for k in ("attribute", "value") if k not in body]
            if missing:
                raise DesignError(f"{where}: required_if needs {' and '.join(missing)}, e.g. {RULE_FORMS}.")
            attribute, op, value = body["attribute"], str(body.get("op", "==")), body["value"]
        op = _OP_ALIASES.get(op.strip(), op.strip())
        if op not in OPERATORS:
            raise DesignError(f"{where}: unknown comparison {op!r}; use one of {' '.join(OPERATORS)}.")
        if op not in ("==", "!=") and to_number(value) is None:
            raise DesignError(f"{where}: {op} needs a number to compare with, got {value!r} "
                              "(numbers such as 500000, 5万 or 1.2亿 are accepted).")
        return RequiredIf(activity, _name(attribute, where, "attribute"), op, value)
    raise DesignError(f"{where}: unknown rule kind {kind!r}; use one of {', '.join(RULE_KINDS)} ({RULE_FORMS}).")
