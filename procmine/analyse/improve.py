"""Improvement candidates (流程优化) found in the as-is log, after the method's four principles.

* ``remove`` 删减冗余环节 — an approval step that (almost) never says no is a rubber stamp.
  Approval-like = named 审批/审核/复核/会签/确认/approve/review/check, or its outcomes are
  decisions (同意, 驳回 …). Not every step of a log with outcomes: 发起申请 (提交) and 合同归档
  (已归档) never say no either, and are no stamps. "No" = an outcome with a reject/send-back word;
  for steps without outcomes, a later return of the case to this step or an earlier one.
* ``merge`` 合并相似步骤 — consecutive steps done by the same person (or department). Not by
  department when one step is the case's first (the applicant's submission): the applicant's own
  manager approving it is the same department by design, and merging would drop the approval.
* ``parallelise`` 并行处理 — two steps seen in both orders (no dependency) that still run one
  after the other; steps that already overlap in time are parallel already and never reported.
* ``clarify_owner`` 明确责任主体 — a step whose department (or role) is spread over many.

Each candidate carries its evidence (numbers plus one sentence in Chinese and in English) and an
estimated saving in working hours per case that passes the step(s), or None with the reason. Times
come from :func:`procmine.analyse.times.time_tables`, so they are working time under the calendar
(calendar time with ``Calendar(kind="none")``). These are candidates for a person to judge, not
verdicts: a step may be required by law or policy whatever the log says.

    >>> report = improvement_candidates(log)          # doctest: +SKIP
    >>> print(report)                                 # doctest: +SKIP
    1. [删减] 财务审核 — 预计每件节省 18.3 工作小时：…
"""

from __future__ import annotations

import html
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from procmine.analyse.loops import calendar_warnings, hours_unit, re_entries, says_no
from procmine.analyse.times import time_tables
from procmine.engine.tables import _epoch_us as epoch_us, by_pair, covered_steps, duplicated, most_frequent
from procmine.log import ACTIVITY, DEPARTMENT, OUTCOME, RESOURCE, ROLE, EventLog
from procmine.analyse.causes import (
    CAUSE_EN, CAUSE_ZH, SLOW_FACTOR, describe_causes, placeholder_names, start_is_work_start,
    step_causes,
)
from procmine.outcomes import DECIDES, SAYS_NO, classify_name, step_of
from procmine.result import Result, display_lang
from procmine.text import phrases

if TYPE_CHECKING:
    import pandas as pd

APPROVAL_WORDS = ("审批", "审核", "复核", "会签", "确认", "approve", "review", "check")
#: Words of a control function (风险控制点): a step named so, or done by such a department, is never
#: proposed for removal. Finance, legal, risk, compliance, audit, and their Chinese names.
CONTROL_WORDS = ("法务", "法律", "财务", "会计", "出纳", "资金", "风控", "风险", "合规", "审计", "内控", "稽核", "监察",
                 "legal", "finance", "financial", "accounting", "treasury", "risk", "compliance", "audit",
                 "controller", "controlling",
                 # 授权审批控制: the top of the approval authority (分级授权) is a control too
                 "总经理", "总裁", "董事长", "董事会", "general manager", "ceo", "cfo", "board", "director")
#: without outcomes, a step followed by a return to it or an earlier step in this share of its
#: executions is not a stamp
MAX_RETURN_SHARE = 0.02
KIND_ORDER = ["remove", "time_limit", "merge", "parallelise", "sample", "clarify_owner"]
PHRASES = phrases("improve", {
    # the kinds and confidences, by their names in the JSON (the English text says the names)
    "kind_remove": ("删减", "remove"),
    "kind_time_limit": ("限时", "time_limit"),
    "kind_merge": ("合并", "merge"),
    "kind_parallelise": ("并行", "parallelise"),
    "kind_sample": ("抽查", "sample"),
    "kind_clarify_owner": ("明确责任", "clarify_owner"),
    "confidence_high": ("高", "high"),
    "confidence_medium": ("中", "medium"),
    "confidence_low": ("低", "low"),
    "head": ("改进候选：{cases} 件案例中找到 {n} 项（{basis}：{calendar}）",
             "Improvement candidates: {n} in {cases} cases ({basis}: {calendar})"),
    "candidate": ("  {i}. [{kind}，置信度{confidence}] {steps} — {saving}：{summary}",
                  "  {i}. [{kind}, {confidence} confidence] {steps} — {saving}: {summary}"),
    "none": ("  没有达到阈值的候选", "  no candidate reaches the thresholds"),
    "no_saving": ("未估算节省", "saving not estimated"),
    "saving": ("预计每件节省 {hours} {unit}", "saves about {hours} {unit} per case"),
    # the notebook display
    "html_head": ("改进候选 · improvement candidates", "Improvement candidates"),
    "html_kind": ("类型", "kind"),
    "html_steps": ("环节", "steps"),
    "html_saving": ("节省", "saving"),
    "html_evidence": ("依据", "evidence"),
    # the evidence sentences, kept in both languages (the JSON's summary and summary_en)
    "decided": ("{of} 次决定中同意 {approvals} 次、驳回或退回 0 次",
                "{approvals} of {of} decisions approved, none rejected or sent back"),
    "no_outcomes": ("没有审批结果记录；{of} 次执行后只有 {no} 次被退回到它或更早的环节",
                    "no outcomes recorded; {no} of {of} executions were followed by a return to it or an earlier step"),
    "no_decision": ("无决定记录", "no decision recorded"),
    "one_approver": ("{share:.0%} 的案例由一人审批", "one approver in {share:.0%} of cases"),
    "in_parallel": ("（与 {partner} 并行，周期缩短可能更少）", " (runs in parallel with {partner}: the lead time may shrink less)"),
    "summary_sample": ("{name} 是控制环节（{control}），不建议删减；{cases} 件案例中，{decisions}，{who}，"
                       "中位耗时 {median} {unit}：可考虑改为按金额或风险抽查{note}。",
                       "{name} is a control ({control}) and is not proposed for removal; in {cases} "
                       "cases {decisions}, {who}, median {median} {unit}: consider sampling by amount or risk{note}."),
    "summary_remove": ("{name} 在 {cases} 件中执行，{decisions}，{who}，中位耗时 {median} {unit}"
                       "（不超过 {limit}），同一环节也没有单独记录的驳回：可考虑取消或改为抽查{note}。",
                       "{name} ran in {cases} cases; {decisions}; {who}; median {median} {unit} "
                       "(at most {limit}); no rejection recorded for the step elsewhere either: "
                       "consider dropping it or sampling{note}."),
    "kept_control": ("（{control}是控制环节，保留，只限时）", " ({control}: a control, kept; only its time is limited)"),
    "summary_time_limit": ("{name} 中位耗时 {median} {unit}，是一般环节（{typical} {unit}）的 "
                           "{factor:.1f} 倍；原因：{causes}——{explained}。建议设定处理时限并针对原因改进{keep}。",
                           "{name} takes a median {median} {unit}, {factor:.1f}× the typical "
                           "step ({typical} {unit}); cause: {causes} — {explained}. Set a time limit and act on the cause{keep}."),
    "same_person": ("同一人", "the same person"),
    "same_department": ("同一部门", "the same department"),
    "summary_merge": ("{source} → {target} 在 {cases} 件中由{who}连续处理（{same:.0%}），合并可省去交接等待 "
                      "{wait} {unit}及较短环节的一半时间（{smaller} {unit} × 0.5）。",
                      "{source} → {target} was done by {who} in {same:.0%} of {cases} cases; merging saves the "
                      "hand-off wait ({wait} {unit}) and half the smaller step ({smaller} {unit} × 0.5)."),
    "no_arrival_caveat": ("（无到达时间，看不出是否已并行）", " (no arrival times: existing overlap cannot be seen)"),
    "summary_parallelise": ("{a} 与 {b} 在 {n} 件中都出现，先后顺序两种都有（{a_first:.0%} / {b_first:.0%}），"
                            "却只有 {overlap:.0%} 同时进行{caveat}；并行处理每件可省较短环节 {saving} {unit}。",
                            "{a} and {b} occur together in {n} cases in both orders ({a_first:.0%} / "
                            "{b_first:.0%}) but overlap in only {overlap:.0%}{caveat}; running "
                            "them in parallel saves the shorter step, {saving} {unit}."),
    "departments": ("部门", "departments"),
    "roles": ("岗位", "roles"),
    "summary_clarify_owner": ("{name} 由 {owners} 个{word}处理（{listed}），最大的也只占 {top:.0%}，责任主体不清。",
                              "{name} is handled by {owners} {word} ({listed}); the largest has only {top:.0%}: no clear owner."),
})
KIND_ZH = {kind: PHRASES(f"kind_{kind}", "zh") for kind in KIND_ORDER}
CONFIDENCE_ZH = {level: PHRASES(f"confidence_{level}", "zh") for level in ("high", "medium", "low")}


@dataclass
class Candidate:
    """One improvement candidate; ``estimated_saving_work_hours`` is per case passing the step(s)."""

    kind: str
    activities: list[str]
    evidence: dict
    estimated_saving_work_hours: float | None
    #: how the saving was estimated (or why it was not)
    saving_method: str = ""
    #: high / medium / low: how far the evidence carries (see the module docstring)
    confidence: str = "medium"

    def to_dict(self) -> dict:
        saving = self.estimated_saving_work_hours
        return {"kind": self.kind, "activities": self.activities, "evidence": self.evidence,
                "estimated_saving_work_hours": None if saving is None else round(saving, 3),
                "saving_method": self.saving_method or self.evidence.get("saving_basis", ""),
                "confidence": self.confidence}


@dataclass
class ImprovementReport(Result):
    """Candidates, largest saving first (those without an estimate last)."""

    candidates: list[Candidate]
    cases: int
    basis: str
    calendar_description: str
    thresholds: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # the calendar's coverage and plausibility warnings
    calendar_description_en: str = ""

    def to_dict(self) -> dict:
        return {"cases": self.cases, "time_basis": self.basis,
                "calendar": self.calendar_description_en or self.calendar_description,
                "calendar_zh": self.calendar_description, "thresholds": self.thresholds, "warnings": self.warnings,
                "candidates": [c.to_dict() for c in self.candidates]}


    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{**c.to_dict(), "summary": c.evidence["summary"], "summary_en": c.evidence["summary_en"]}
                             for c in self.candidates],
                            columns=["kind", "activities", "estimated_saving_work_hours", "saving_method",
                                     "confidence", "summary", "summary_en", "evidence"])

    outputs = ("improvements.json",)

    def _write_files(self, paths, lang, filters=(), **options) -> None:
        self._write_json(paths, "improvements.json", filters)

    def _saving(self, c: Candidate, lang: str = "zh") -> str:
        t = PHRASES.text(lang)
        if c.estimated_saving_work_hours is None:
            return t("no_saving")
        return t("saving", hours=_h(c.estimated_saving_work_hours), unit=t.hours_unit(self.basis))

    def describe(self, lang: str = "zh") -> str:
        """The candidates as text, in Chinese (zh) or English (en)."""
        t = PHRASES.text(lang)
        calendar = t.pick((self.calendar_description, self.calendar_description_en or self.calendar_description))
        lines = [t("head", n=len(self.candidates), cases=self.cases, basis=t.basis(self.basis), calendar=calendar)]
        lines += [t("candidate", i=i, kind=t(f"kind_{c.kind}"), confidence=t(f"confidence_{c.confidence}"),
                    steps=" + ".join(c.activities), saving=self._saving(c, lang),
                    summary=t.pick((c.evidence["summary"], c.evidence.get("summary_en", c.evidence["summary"]))))
                  for i, c in enumerate(self.candidates, 1)]
        lines += [] if self.candidates else [t("none")]
        from procmine.report.translate import note  # the calendar's warnings are written in English

        return "\n".join([*lines, *(f"  ! {note(w, lang)}" for w in self.warnings)])

    def __str__(self) -> str:
        return self.describe("zh")

    def _repr_html_(self) -> str:
        esc, t = html.escape, PHRASES.text(display_lang(self))
        rows = "".join(f"<tr><td>{esc(t(f'kind_{c.kind}'))}</td><td>{esc(' + '.join(c.activities))}</td>"
                       f"<td>{esc(self._saving(c, t.lang))}</td>"
                       f"<td>{esc(t.pick((c.evidence['summary'], c.evidence.get('summary_en', c.evidence['summary']))))}"
                       "</td></tr>" for c in self.candidates)
        calendar = t.pick((self.calendar_description, self.calendar_description_en or self.calendar_description))
        heads = "".join(f"<th>{t(key)}</th>" for key in ("html_kind", "html_steps", "html_saving", "html_evidence"))
        return (f"<div><h4>{t('html_head')}</h4><p>{esc(calendar)}</p>"
                f"<table><tr>{heads}</tr>{rows}</table></div>")


def improvement_candidates(
    log: EventLog, calendar=None, *, design=None, min_cases: int = 20, min_approve_share: float = 0.98,
    short_step_work_hours: float | None = None, min_single_approver_share: float = 0.95,
    same_owner_share: float = 0.8, min_order_share: float = 0.1, max_overlap_share: float = 0.2,
    min_owners: int = 3, max_owner_share: float = 0.6, applicant_share: float = 0.8,
    min_saving_work_hours: float = 1 / 60,
) -> ImprovementReport:
    """Candidates to remove, merge, parallelise or give a clear owner; see the module docstring.

    ``min_cases``: a step (or pair) must occur in at least this many cases (20).
    ``design``: a :class:`procmine.compare.Design` whose control points are never proposed for
    removal. A removal needs all of: no rejection or send-back recorded for the step anywhere
    (its outcomes, decision events of the same step such as "REJECTED by X", and, without
    outcomes, returns after it in less than 2 % of executions); ``min_approve_share`` of its
    decisions approve (0.98); a short step, median at most ``short_step_work_hours`` (default:
    twice the log's typical step, the median of the activities' medians, or one working day if
    that is longer);
    one approver per case in ``min_single_approver_share`` of cases (0.95), or no decision
    recorded. ``same_owner_share``: merge when the same person, else the same department,
    did both steps of a hand-off in at least this share of cases (0.8). ``min_order_share``: each
    of two steps came first in at least this share of the cases with both (0.1), and
    ``max_overlap_share``: they overlapped in time in less than this share (0.2).
    ``min_owners`` / ``max_owner_share``: a step is spread when it has at least 3 departments (roles
    when there is no department) and the largest has less than 0.6 of its events;
    ``applicant_share``: not when its department is the case's first step's in at least 0.8 of
    events (each applicant's own manager: ownership is clear); and no merge by department with a step
    that is its case's first in at least this share of its events (the applicant's submission: its
    approval is in the same department by design). ``min_saving_work_hours``: candidates
    whose estimated saving is below this (one working minute per case) are left out.

    A log read with ``engine="spark"`` is measured on Spark (:mod:`procmine.engine.spark_improve`).

    >>> [c.kind for c in improvement_candidates(log).candidates]      # doctest: +SKIP
    ['remove', 'merge', 'clarify_owner']
    """
    thresholds = {k: v for k, v in locals().items() if k not in ("log", "calendar", "design")}
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_improve import spark_improvement_candidates

        return spark_improvement_candidates(log, calendar, design, thresholds)
    tables = time_tables(log, calendar)
    steps = tables.steps
    unit = {lang: hours_unit(tables.basis, lang) for lang in ("zh", "en")}
    names = log.tables().activity_names.to_list()
    controls = _design_controls(design)
    # The rules read the same engine tables and nothing of each other's but the pairs and the causes.
    # They run side by side (polars and numpy let go of the GIL): the pairs (steps only) and the
    # hand-offs first, while the cases, the people's and departments' codes and the per-activity
    # figures are measured here; then the rules that read those.
    with ThreadPoolExecutor(2, thread_name_prefix="procmine-improve") as pool:
        pairs = pool.submit(_pairs, steps, names)
        handoffs = pool.submit(lambda: tables.handoff_codes)
        tables.cases, tables.codes(DEPARTMENT)  # noqa: B018
        placeholders = placeholder_names(tables.codes(RESOURCE)[1])  # SYSTEM, STAFF MEMBER …: nobody's desk
        # per activity, grouped by its integer code (cheaper than its name): the median working
        # duration and the most frequent department
        per_activity = steps.group_by("activity_code").agg(pl.col("duration_work_hours").median().alias("median"))
        durations = dict(zip([names[code] for code in per_activity["activity_code"].to_list()],
                             per_activity["median"].to_list()))
        departments = _most_frequent(steps["activity_code"], *tables.codes(DEPARTMENT), names)
        handoffs.result()
        finding_causes = pool.submit(step_causes, tables, work_starts=start_is_work_start(log))
        merges = pool.submit(_merges, tables, names, durations, unit, min_cases, same_owner_share, placeholders,
                             applicant_share)
        owners = pool.submit(_owners, tables, min_cases, min_owners, max_owner_share, applicant_share)
        overlaps, causes = pairs.result(), finding_causes.result()
        short = _short_limit(short_step_work_hours, causes, tables.calendar)
        stamps = pool.submit(_rubber_stamps, tables, durations, overlaps, unit, min_cases, controls, short,
                             min_single_approver_share, min_approve_share)
        parallel = _parallel(overlaps, unit, min_cases, min_order_share, max_overlap_share, tables.has_start_times,
                             lambda hits: _saving(steps, names, hits))
        found = [*stamps.result(), *_time_limits(causes, unit, min_cases, controls, departments), *merges.result(),
                 *parallel, *owners.result()]
    thresholds["short_step_work_hours"] = short
    return _report(found, min_saving_work_hours, tables.cases.height, tables.basis, tables.calendar, thresholds,
                   calendar_warnings(tables))


def _most_frequent(activity_code: pl.Series, codes: pl.Series, code_names: pl.Series, names: list[str]) -> dict[str, str]:
    """Each activity's most frequent value of a coded column (:meth:`Tables.codes`; ties: the
    first name); activities without a value are left out."""
    found = most_frequent(activity_code, codes, code_names, len(names))
    return {names[key]: value for key, value in zip(found["key"].to_list(), found["value"].to_list())}


def _short_limit(short_step_work_hours: float | None, causes: pl.DataFrame, calendar) -> float:
    """The longest median a removable step may have: the given limit, else twice the log's typical
    step or one working day, whichever is longer (short = not slow)."""
    typical = causes["typical_step_median_work_hours"].first() if causes.height else None
    per_day = calendar.hours_per_day
    return short_step_work_hours if short_step_work_hours is not None else (
        max(SLOW_FACTOR * typical, per_day) if typical is not None else per_day)


def _report(found: list[Candidate], min_saving_work_hours: float, cases: int, basis: str, calendar, thresholds: dict,
            warnings: list[str]) -> ImprovementReport:
    """The candidates that save enough (or have no estimate), largest saving first, as a report."""
    found = [c for c in found if c.estimated_saving_work_hours is None
             or c.estimated_saving_work_hours >= min_saving_work_hours]
    found.sort(key=lambda c: (c.estimated_saving_work_hours is None, -(c.estimated_saving_work_hours or 0),
                              KIND_ORDER.index(c.kind), c.activities))
    return ImprovementReport(found, cases, basis, calendar.describe("zh"), thresholds, warnings,
                             calendar.describe("en"))


def _design_controls(design) -> set[str]:
    """The names (and aliases) of a design's control points (关键控制点)."""
    if design is None:
        return set()
    return {name for s in design.steps if s.control for name in (s.name, *s.aliases)}


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _pairs(steps: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Per pair of activities (first execution in each case): cases with both, orders, overlaps.

    Pairs are formed by position offsets within each case (a step with the step d places later,
    d = 1, 2 …), so no join of every case with itself; each offset's counts are added into one
    array per figure, indexed by the pair's codes.
    """
    k = len(names)
    firsts = _first_executions(steps)
    case, code = firsts["case_code"].to_numpy(), firsts["activity"].to_numpy().astype(np.int64)
    begin, end = epoch_us(firsts["begin"]), epoch_us(firsts["end"])
    n, elsewhere = len(case), 4 * k * k  # (the count of steps in different cases, set aside)
    # one count per pair and state: 0 neither first, 1 a completed before b arrived, 2 b before a,
    # 3 they overlap (a pair that overlaps has neither before the other); one bincount an offset
    counts = np.zeros(elsewhere + 1, dtype=np.int64)
    offset, x = 1, None
    while offset < n:
        if x is None:  # while most steps have one `offset` places on in their case: whole slices, no gathers
            same = case[:-offset] == case[offset:]
            if np.count_nonzero(same) >= n // 2:
                state = _pair_states(code[:-offset], code[offset:], begin[:-offset], end[:-offset], begin[offset:],
                                     end[offset:], k)
                state[~same] = elsewhere
                counts += np.bincount(state, minlength=elsewhere + 1)
                offset += 1
                continue
            x = np.flatnonzero(same)  # then only the steps still paired
        if not len(x):
            break
        y = x + offset
        counts += np.bincount(_pair_states(code[x], code[y], begin[x], end[x], begin[y], end[y], k),
                              minlength=elsewhere + 1)
        offset += 1
        x = x[x + offset < n]
        x = x[case[x + offset] == case[x]]
    by_state = counts[:elsewhere].reshape(k * k, 4)
    cases, a_first, b_first, overlap = by_state.sum(axis=1), by_state[:, 1], by_state[:, 2], by_state[:, 3]
    found = np.flatnonzero(cases)  # in code order: a, then b (codes follow the names' order)
    table = pl.Series(names, dtype=pl.String)
    return pl.DataFrame({
        "a": table.gather(found // k), "b": table.gather(found % k),
        **{name: pl.Series(values[found], dtype=pl.UInt32)
           for name, values in (("cases", cases), ("a_first", a_first), ("b_first", b_first), ("overlap", overlap))},
    })


def _pair_states(x_code, y_code, x_begin, x_end, y_begin, y_end, k: int) -> np.ndarray:
    """4 × the pair's key (a·k + b, a < b) + its state (see :func:`_pairs`), for x before y in step order."""
    before = x_end <= y_begin
    state = before.astype(np.int64)
    state += before & (x_code > y_code)  # b was first
    state += 3 * ((x_begin < y_end) & (y_begin < x_end))
    state += 4 * (np.minimum(x_code, y_code) * k + np.maximum(x_code, y_code))
    return state


@dataclass
class _Pairs:
    """The pairs of first executions at one offset: x, and y that many steps later in its case."""
    x: np.ndarray  # index of x in the first executions
    y: np.ndarray
    a: np.ndarray  # the pair's activity codes, a < b
    b: np.ndarray


def _first_executions(steps: pl.DataFrame) -> pl.DataFrame:
    # activity codes follow the names' order, so "a < b" on codes is the names' order
    return steps.select(
        "case_code", pl.col("activity_code").alias("activity"), "begin", "end", "duration_work_hours",
        "occurrence").filter(pl.col("occurrence") == 1).drop("occurrence")


def _offset_pairs(firsts: pl.DataFrame):
    """Each pair (x, y) of first executions of one case, y later in step order, oriented as
    (a, b) with a < b: one :class:`_Pairs` per offset between them (:func:`_pairs` walks the
    offsets the same way, counting their states as it goes)."""
    case = firsts["case_code"].to_numpy()
    code = firsts["activity"].to_numpy()
    n = len(case)
    # a case's steps stay together: a pair at offset d + 1 has one at offset d
    x = np.flatnonzero(case[1:] == case[:-1])
    offset = 1
    while len(x):
        y = x + offset
        x_code, y_code = code[x], code[y]
        yield _Pairs(x, y, np.minimum(x_code, y_code), np.maximum(x_code, y_code))
        offset += 1
        x = x[x + offset < n]
        x = x[case[x + offset] == case[x]]


def _saving(steps: pl.DataFrame, names: list[str], wanted: pl.DataFrame) -> dict[tuple[str, str], float | None]:
    """Median over cases of the shorter of the two steps' working durations, for the ``wanted``
    pairs (a, b) only: the one figure that needs every case's value, not a count."""
    if wanted.is_empty():
        return {}
    k = len(names)
    codes = {name: code for code, name in enumerate(names)}
    keys = np.array([codes[a] * k + codes[b] for a, b in zip(wanted["a"], wanted["b"])], dtype=np.int64)
    # only the wanted activities' steps: their pairs are the same, at fewer offsets
    involved = pl.Series(sorted({codes[n] for n in (*wanted["a"], *wanted["b"])}), dtype=pl.UInt32)
    firsts = _first_executions(steps).filter(pl.col("activity").is_in(involved.implode()))
    duration = firsts["duration_work_hours"]
    values = []
    for pairs in _offset_pairs(firsts):
        hit = np.isin(pairs.a * k + pairs.b, keys)
        x, y = duration.gather(pairs.x[hit]), duration.gather(pairs.y[hit])
        values.append(pl.DataFrame({"a": pairs.a[hit], "b": pairs.b[hit], "shorter": _shorter(x, y)}))
    medians = pl.concat(values).group_by("a", "b").agg(pl.col("shorter").median())
    return {(names[a], names[b]): m for a, b, m in medians.iter_rows()}


def _shorter(x: pl.Series, y: pl.Series) -> pl.Series:
    both = x.is_not_null() & y.is_not_null()
    return pl.select(pl.when(both).then(pl.min_horizontal(x, y))).to_series()


def _single_approver_share(steps: pl.DataFrame, names: pl.Series, people: pl.Series) -> dict[str, float]:
    """Per activity: the share of cases whose passes at it (with a person recorded) were all one
    person's. Only an activity done more than once in a case can have two people; the first
    pass's step index names each (case, activity), so only those repeated passes are grouped.
    ``people``: the steps' persons as integer codes (:meth:`Tables.codes`)."""
    named = steps.select(
        "activity_code", people.alias(RESOURCE), (pl.col("index") - pl.col("pos") + pl.col("first_pos")).alias("first"),
        (pl.col("occurrence") > 1).alias("again")).filter(pl.col(RESOURCE).is_not_null())
    repeated = named.filter("again")["first"].unique().implode()
    once = named.filter(~pl.col("first").is_in(repeated)).group_by("activity_code").len("groups")
    more = (named.filter(pl.col("first").is_in(repeated))
            .group_by("activity_code", "first").agg((pl.col(RESOURCE).min() == pl.col(RESOURCE).max()).alias("one"))
            .group_by("activity_code").agg(pl.len().alias("groups"), pl.col("one").sum().alias("one")))
    share = (pl.concat([once.with_columns(pl.col("groups").alias("one")), more], how="vertical_relaxed")
             .group_by("activity_code").agg((pl.col("one").sum() / pl.col("groups").sum()).alias("share")))
    return {names[int(code)]: value for code, value in share.iter_rows()}


def _rubber_stamps(tables, durations, overlaps, unit, min_cases, controls, short_hours, min_single,
                   min_approve) -> list[Candidate]:
    """Approval steps that never say no (removal), and control steps that never say no (sampling).

    The evidence a removal needs, every item of it: no rejection or send-back recorded at the
    step, neither as its outcome nor as a separate decision event of the same step ("REJECTED by
    X" for "APPROVED by X", 财务审核驳回 for 财务审核), nor as a return of the case to it or an
    earlier step (logs without outcomes); at least ``min_approve`` of its decisions approve; a
    short step (median at most ``short_hours``); one approver per case (no 会签) or no decision
    recorded at all. A control step (finance, legal, risk, compliance, audit, or a design's
    control point) is never proposed for removal: with the same evidence it may be sampled.
    """
    steps = tables.steps
    back = re_entries(tables)
    returned = covered_steps(tables, back["case_code"], back["body_from"], back["target_pos"])
    names = tables.activity_names
    stats = (
        steps.with_columns(returned.alias("returned"))
        .group_by("activity_code").agg(  # integer keys group cheaply; the names come back below
            # a case's first pass at a step is occurrence 1: counting those counts distinct cases
            (pl.col("occurrence") == 1).sum().cast(pl.UInt32).alias("cases"), pl.len().alias("executions"),
            pl.col(OUTCOME).is_not_null().sum().alias("recorded"),
            pl.col("decision").is_in(DECIDES).sum().alias("decisions"),
            (pl.col("decision") == "approve").sum().alias("approvals"),
            says_no().sum().alias("rejects"),
            pl.col("returned").sum().alias("returned"),
            pl.col(DEPARTMENT).drop_nulls().mode().first().alias("department"),
        ).filter(pl.col("cases") >= min_cases)
        .select(pl.lit(names).gather(pl.col("activity_code")).alias(ACTIVITY), pl.exclude("activity_code"))
    )
    no_events = steps.filter(says_no()).group_by(ACTIVITY).len()
    return _stamp_candidates(stats, _single_approver_share(steps, names, tables.codes(RESOURCE)[0]), no_events,
                             durations, overlaps, unit, min_cases, controls, short_hours, min_single, min_approve)


def _stamp_candidates(stats: pl.DataFrame, single: dict[str, float], no_events: pl.DataFrame, durations, overlaps,
                      unit, min_cases, controls, short_hours, min_single, min_approve) -> list[Candidate]:
    """Removal and sampling candidates from per activity figures: ``stats`` (cases, executions,
    decisions, approvals, rejects, returned, department), ``single`` (one-approver share) and
    ``no_events`` (the events that say no, per activity: len)."""
    stats = stats.filter(pl.col("cases") >= min_cases).sort(ACTIVITY)
    # decisions recorded as events of their own: "no" events by the step they belong to
    # (only events *named* as a rejection: 财务复核 退回 says nothing about 财务审核)
    no_by_step: dict[str, list[tuple[str, int]]] = {}
    for name, n in no_events.select(ACTIVITY, "len").iter_rows():
        if classify_name(name) in SAYS_NO:
            no_by_step.setdefault(step_of(name), []).append((name, n))
    out = []
    for r in stats.to_dicts():
        name = r[ACTIVITY]
        if not (r["decisions"] > 0 or _has(name, APPROVAL_WORDS)):  # approval-like: decides, or named so
            continue
        linked = [(other, n) for other, n in no_by_step.get(step_of(name), []) if other != name]
        linked_no = sum(n for _, n in linked)
        by_outcome = r["decisions"] > 0
        no, of = (r["rejects"], r["decisions"]) if by_outcome else (r["returned"], r["executions"])
        if r["rejects"] or linked_no or (not by_outcome and no / of >= MAX_RETURN_SHARE):
            continue
        if by_outcome and r["approvals"] < min_approve * r["decisions"]:
            continue
        median = _num(durations.get(name))
        if median is None or short_hours is None or median > short_hours:
            continue  # not short: a slow approval is a queue to shorten, not a stamp (see time limits)
        one_approver = single.get(name)
        no_value = r["decisions"] == 0  # no decision known at all: not in an outcome, not in the name
        if not (no_value or (one_approver is not None and one_approver >= min_single)):
            continue
        control = _control(name, r["department"], controls)
        partner = _parallel_partner(overlaps, name)
        ev = {"cases": r["cases"], "executions": r["executions"], "median_work_hours": median,
              "short_step_limit_work_hours": short_hours, "single_approver_share": one_approver,
              "linked_rejection_events": linked_no}
        if by_outcome:
            ev |= {"decisions": of, "approvals": r["approvals"], "rejections": no, "rejection_share": no / of}
            decisions = PHRASES.pair("decided", of=of, approvals=r["approvals"])
        else:
            ev |= {"returned_afterwards": no, "returned_share": no / of}
            decisions = PHRASES.pair("no_outcomes", of=of, no=no)
        who = PHRASES.pair("no_decision") if no_value else PHRASES.pair("one_approver", share=one_approver)
        note = ("", "")
        if partner:
            ev["runs_parallel_with"] = partner
            note = PHRASES.pair("in_parallel", partner=partner)
        said = {"name": name, "cases": r["cases"], "decisions": decisions, "who": who, "median": _h(median),
                "unit": (unit["zh"], unit["en"]), "note": note}
        confidence = "high" if by_outcome and r["cases"] >= 100 and not partner else "medium"
        if control:
            ev["control"] = control
            ev["summary"], ev["summary_en"] = PHRASES.pair("summary_sample", control=control, **said)
            ev["saving_basis"] = "not estimated: how many cases sampling skips is a policy choice"
            out.append(Candidate("sample", [name], ev, None, "not estimated", "medium"))
            continue
        ev["summary"], ev["summary_en"] = PHRASES.pair("summary_remove", limit=_h(short_hours), **said)
        ev["saving_basis"] = "the step's median working duration (its whole time at the step goes)"
        out.append(Candidate("remove", [name], ev, median, ev["saving_basis"], confidence))
    return out


def _time_limits(causes, unit, min_cases, controls, departments) -> list[Candidate]:
    """Slow steps whose time has a cause one can act on: a time limit (时限) or a fix of the cause.

    A step qualifies when its median is at least ``SLOW_FACTOR`` × the log's typical step and a
    cause is found (queue at one person, weekly batching, hand-off delay or queue, rework). The
    saving is the median minus the typical step: what a limit at the typical level would leave.
    """
    out = []
    for r in causes.iter_rows(named=True):
        typical, median = r["typical_step_median_work_hours"], r["median_work_hours"]
        if r["cases"] < min_cases or not r["causes"] or typical is None or median is None or typical <= 0:
            continue
        if median < SLOW_FACTOR * typical and r["causes"] != ["rework"]:
            continue
        control = _control(r[ACTIVITY], departments.get(r[ACTIVITY]), controls)
        name = r[ACTIVITY]
        saving = max(median - typical, 0.0)
        named_zh = "、".join(CAUSE_ZH[c] for c in r["causes"])
        named_en = ", ".join(CAUSE_EN[c] for c in r["causes"])
        ev = {"cases": r["cases"], "median_work_hours": median, "typical_step_median_work_hours": typical,
              "causes": r["causes"], "top_person": r["top_person"], "top_person_share": r["top_person_share"],
              "by_weekday": r["by_weekday"], "wait_work_hours_total": r["wait_work_hours"],
              "rework_work_hours_total": r["rework_work_hours"],
              "saving_basis": "the step's median minus the log's typical step median (a time limit at the "
                              "typical level)"}
        keep = PHRASES.pair("kept_control", control=control) if control else ("", "")
        if control:
            ev["control"] = control
        ev["summary"], ev["summary_en"] = PHRASES.pair(
            "summary_time_limit", name=name, median=_h(median), typical=_h(typical), unit=(unit["zh"], unit["en"]),
            factor=median / typical, causes=(named_zh, named_en),
            explained=(describe_causes(r, unit, "zh"), describe_causes(r, unit, "en")), keep=keep)
        out.append(Candidate("time_limit", [name], ev, saving, ev["saving_basis"], "medium"))
    return out


def _control(name: str, department: str | None, controls: set[str]) -> str | None:
    """Why a step is a control, or None: a design's control point, or a control function's name
    (legal, finance, risk, compliance, audit, the top approval authority) in the step's name or
    its department's."""
    if name in controls:
        return "设计中的控制点"
    for text in (name, department or ""):
        low = text.casefold()
        for word in CONTROL_WORDS:
            if word.isascii():  # English as a whole word: "board", not "dashboard"
                if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", low):
                    return word
            elif word in low:
                return word
    return None


def _has(text: str, words) -> bool:
    low = text.lower()
    return any(w in low for w in words)


def _h(value) -> str:
    """Hours for reading: one decimal, two below an hour (0.07 h is four minutes, not zero)."""
    return "–" if value is None else f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}"


def _parallel_partner(overlaps: pl.DataFrame, name: str) -> str | None:
    """The step ``name`` overlaps in time in at least half the cases with both, if any."""
    hit = overlaps.filter(((pl.col("a") == name) | (pl.col("b") == name)) & (pl.col("overlap") * 2 >= pl.col("cases"))
                          & (pl.col("overlap") > 0)).sort("overlap", descending=True)
    if hit.is_empty():
        return None
    a, b = hit.row(0)[:2]
    return b if a == name else a


def _merges(tables, names_of, durations, unit, min_cases, share, placeholders, applicant_share) -> list[Candidate]:
    # people and departments as integer codes (equal names, equal codes): cheaper to gather and compare;
    # system accounts are nobody
    person, person_names = tables.codes(RESOURCE)
    nobody = person_names.is_in(sorted(placeholders)).arg_true().cast(pl.UInt32).implode()
    who = pl.DataFrame([person, tables.codes(DEPARTMENT)[0]]).with_columns(
        pl.when(~pl.col(RESOURCE).is_in(nobody)).then(pl.col(RESOURCE)).alias(RESOURCE))
    handoffs = tables.handoff_codes.select("case_code", "source_code", "target_code", "source_index", "target_index",
                                      "work_hours").filter(pl.col("source_code") != pl.col("target_code"))
    # steps are numbered by their global index, so a gather finds each hand-off's two steps
    pairs = pl.concat([
        handoffs.select("case_code", "source_code", "target_code", "work_hours"),
        who[handoffs["source_index"]].rename({RESOURCE: "p1", DEPARTMENT: "d1"}),
        who[handoffs["target_index"]].rename({RESOURCE: "p2", DEPARTMENT: "d2"}),
    ], how="horizontal")
    checks = [((pl.col(a).is_not_null() & pl.col(b).is_not_null()).alias(f"{tag}_known"),
               (pl.col(a) == pl.col(b)).fill_null(False).alias(f"{tag}_same"))
              for a, b, tag in (("p1", "p2", "person"), ("d1", "d2", "dept"))]
    # A pair happens once in most cases: those rows are their own per-case figures; only the
    # (pair, case) keys seen more than once are grouped.
    repeated = _repeated_keys(pairs, tables.steps["occurrence"].gather(handoffs["source_index"]).to_numpy())
    once = pairs.filter(~repeated).select("source_code", "target_code", "case_code", "work_hours",
                                          *[e for pair in checks for e in pair])
    again = pairs.filter(repeated).group_by("source_code", "target_code", "case_code").agg(
        pl.col("work_hours").median(), *[e.all() for pair in checks for e in pair])
    per_case = pl.concat([once, again.select(once.columns)])
    stats = by_pair(
        per_case, ["source_code", "target_code"], len(names_of),
        pl.len().alias("cases"), pl.col("work_hours").median().alias("wait"),
        *[e for tag in ("person", "dept") for e in (
            pl.col(f"{tag}_known").sum().alias(f"{tag}_known"),
            (pl.col(f"{tag}_same") & pl.col(f"{tag}_known")).sum().alias(f"{tag}_same"))],
    ).filter(pl.col("cases") >= min_cases)
    names = pl.Series(names_of, dtype=pl.String)
    stats = stats.with_columns(names.gather(stats["source_code"]).alias("source"),
                               names.gather(stats["target_code"]).alias("target"))
    return _merge_candidates(stats, _step_parties(tables), durations, tables.has_start_times, unit, min_cases,
                             share, placeholders, applicant_share)


def _merge_candidates(stats: pl.DataFrame, parties: pl.DataFrame, durations, has_start: bool, unit, min_cases, share,
                      placeholders, applicant_share) -> list[Candidate]:
    """Merge candidates from per hand-off figures (``stats``: source, target, cases, wait, person_known,
    person_same, dept_known, dept_same, counted over cases) and per activity ones (``parties``, see
    :func:`_step_parties`)."""
    # steps that open their case (发起申请, 提交报销) in at least applicant_share of their events
    opening = set(parties.filter(pl.col("opens") >= applicant_share)[ACTIVITY].to_list())
    applicant, approving = _applicant_and_approving(parties, opening)
    out = []
    for r in stats.filter(pl.col("cases") >= min_cases).sort("source", "target").to_dicts():
        pair = {r["source"], r["target"]}
        # segregation of duties: an applicant's step (提交, 修改) is never merged with an approval
        if pair & applicant and pair & approving:
            continue
        # by department, similar steps merge (two reviews, two clerical steps); an approval and the
        # step it authorises (财务初审 → 出纳付款) are two people on purpose, and stay apart
        level = next((tag for tag in ("person", "dept") if r[f"{tag}_known"] >= min_cases
                      and r[f"{tag}_same"] >= share * r[f"{tag}_known"]
                      and not (tag == "dept" and (pair & opening or len(pair & approving) == 1))), None)
        if level is None:
            continue
        s, t = r["source"], r["target"]
        # without arrival times the wait is inside the next step's duration: count it once
        wait = _num(r["wait"]) if has_start else 0.0
        steps_median = [d for d in (_num(durations.get(s)), _num(durations.get(t))) if d is not None]
        smaller = min(steps_median) if steps_median else None  # unknown for steps without arrival times
        saving = None if wait is None else wait + 0.5 * (smaller or 0.0)
        same = r[f"{level}_same"] / r[f"{level}_known"]
        who = PHRASES.pair("same_person" if level == "person" else "same_department")
        ev = {"cases": r["cases"], "same_person_share": _ratio(r["person_same"], r["person_known"]),
              "same_department_share": _ratio(r["dept_same"], r["dept_known"]), "median_handoff_work_hours": wait,
              "smaller_step_median_work_hours": smaller,
              "saving_basis": "median hand-off wait + 0.5 × the smaller step's median working duration"
                              + ("" if has_start else " (no arrival times: the wait is inside the step)")
                              + ("" if smaller is not None else " (step durations unknown: the wait only)")}
        if placeholders:
            ev["resources_not_counted_as_people"] = sorted(placeholders)
        ev["summary"], ev["summary_en"] = PHRASES.pair(
            "summary_merge", source=s, target=t, cases=r["cases"], who=who, same=same, wait=_h(wait),
            smaller=_h(smaller), unit=(unit["zh"], unit["en"]))
        out.append(Candidate("merge", [s, t], ev, saving))
    return out


def _repeated_keys(pairs: pl.DataFrame, source_occurrence: np.ndarray) -> pl.Series:
    """For each hand-off row: does its (source, target, case) happen more than once?

    A pair can happen twice in a case only when its source step happens twice there: only the
    cases with such a repeated source are looked at (the rework cases, a few in most logs)."""
    case = pairs["case_code"].to_numpy()
    repeated = np.zeros(pairs.height, dtype=bool)
    rework = np.zeros(int(case.max(initial=0)) + 1, dtype=bool)
    rework[case[source_occurrence > 1]] = True
    look = np.flatnonzero(rework[case])
    if len(look):
        codes = pairs.select("source_code", "target_code", "case_code")[look].to_numpy().astype(np.uint64)
        width = np.uint64(max(int(codes[:, :2].max(initial=0)) + 1, 1))
        key = (codes[:, 0] * width + codes[:, 1]) * np.uint64(int(codes[:, 2].max(initial=0)) + 1) + codes[:, 2]
        repeated[look] = duplicated(key)
    return pl.Series("repeated", repeated)


def _step_parties(tables) -> pl.DataFrame:
    """Per activity: the share of its events that submit (submit, resubmit; of those with a decision),
    that the case's opener did (of those with a person on both), whether any decides, and the share
    that open their case."""
    steps = tables.steps
    person = tables.codes(RESOURCE)[0]  # persons as integer codes: equal names, equal codes
    # case codes number the cases in step order, one first step each: a gather finds the opener
    opener = person.filter(steps["pos"] == 0).gather(steps["case_code"]).alias("__opener")
    parties = steps.select("activity_code", "decision", "pos", person, opener).group_by("activity_code").agg(
        pl.col("decision").is_in(["submit", "resubmit"]).mean().alias("submits"),
        (pl.col(RESOURCE) == pl.col("__opener")).mean().alias("by_opener"),
        pl.col("decision").is_in(DECIDES).any().alias("decides"),
        (pl.col("pos") == 0).mean().alias("opens"))
    return parties.select(tables.activity_names.gather(parties["activity_code"]).alias(ACTIVITY),
                          pl.exclude("activity_code"))


def _applicant_and_approving(parties: pl.DataFrame, opening: set[str]) -> tuple[set[str], set[str]]:
    """Steps of the applicant (open the case, submit or resubmit, or done by the person who opened
    the case in at least half their executions) and steps that approve (decide, or named so)."""
    applicant, approving = set(opening), set()
    for name, submits, by_opener, decides, opens in parties.select(
            ACTIVITY, "submits", "by_opener", "decides", "opens").iter_rows():
        if (submits or 0) >= 0.5 or (by_opener or 0) >= 0.5:
            applicant.add(name)
        if decides or _has(name, APPROVAL_WORDS):
            approving.add(name)
    return applicant, approving - applicant


def _ratio(a, b) -> float | None:
    return a / b if b else None


def _parallel(pairs, unit, min_cases, min_order, max_overlap, has_start, saving_of) -> list[Candidate]:
    # a decision recorded as an event ("REJECTED by X", 撤回) is an outcome, not a step to reorder
    outcomes = [n for n in set(pairs["a"].to_list()) | set(pairs["b"].to_list())
                if classify_name(n) in (*SAYS_NO, "withdraw")]
    pairs = pairs.filter(~pl.col("a").is_in(outcomes) & ~pl.col("b").is_in(outcomes))
    hits = pairs.filter((pl.col("cases") >= min_cases) & (pl.col("a_first") >= min_order * pl.col("cases"))
                        & (pl.col("b_first") >= min_order * pl.col("cases"))
                        & (pl.col("overlap") < max_overlap * pl.col("cases")))
    savings = saving_of(hits)
    hits = hits.with_columns(pl.Series("saving", [savings.get((a, b)) for a, b in zip(hits["a"], hits["b"])],
                                       dtype=pl.Float64))
    out = []
    for r in hits.filter(pl.col("saving").is_not_null()).to_dicts():  # no durations (instants): nothing to gain
        a, b, n, saving = r["a"], r["b"], r["cases"], _num(r["saving"])
        ev = {"cases": n, "a_first_share": r["a_first"] / n, "b_first_share": r["b_first"] / n,
              "overlap_share": r["overlap"] / n, "median_shorter_step_work_hours": saving,
              "saving_basis": "median over cases of the shorter of the two steps' working durations"}
        ev["summary"], ev["summary_en"] = PHRASES.pair(
            "summary_parallelise", a=a, b=b, n=n, a_first=r["a_first"] / n, b_first=r["b_first"] / n,
            overlap=r["overlap"] / n, caveat=("", "") if has_start else PHRASES.pair("no_arrival_caveat"),
            saving=_h(saving), unit=(unit["zh"], unit["en"]))
        out.append(Candidate("parallelise", [a, b], ev, saving))
    return out


def _owners(tables, min_cases, min_owners, max_share, applicant_share) -> list[Candidate]:
    steps = tables.steps
    level = next((c for c in (DEPARTMENT, ROLE) if steps[c].null_count() < steps.height), None)
    if level is None:
        return []
    # owners and activities as integer codes (equal names, equal codes), named after; case codes
    # number the cases in step order, one first step each: a gather finds the applicant's owner
    owner, owner_names = tables.codes(level)
    applicant = owner.filter(steps["pos"] == 0).gather(steps["case_code"]).alias("own")
    events = steps.select("activity_code", "case_code", owner, applicant).filter(pl.col(level).is_not_null())
    stats = events.group_by("activity_code").agg(
        pl.col("case_code").n_unique().alias("cases"), pl.len().alias("events"), pl.col(level).n_unique().alias("owners"),
        (pl.col(level) == pl.col("own")).fill_null(False).mean().alias("applicant_share"))
    names = tables.activity_names
    stats = stats.select(names.gather(stats["activity_code"]).alias(ACTIVITY), pl.exclude("activity_code"))
    code_of = {name: code for code, name in enumerate(names.to_list())}

    def counts_of(name: str) -> pl.DataFrame:  # its events per owner, by name
        counts = events.filter(pl.col("activity_code") == code_of[name]).group_by(level).len()
        return counts.with_columns(owner_names.gather(counts[level]))

    return _owner_candidates(level, stats, counts_of, min_cases, min_owners, max_share, applicant_share)


def _owner_candidates(level: str, stats: pl.DataFrame, counts_of, min_cases, min_owners, max_share, applicant_share
                      ) -> list[Candidate]:
    """Clarify-owner candidates from per activity figures (``stats``: cases, events, owners and
    applicant_share at ``level``) and ``counts_of(activity)``: its events per owner (``level``, len)."""
    stats = stats.filter((pl.col("cases") >= min_cases) & (pl.col("owners") >= min_owners)
                         & (pl.col("applicant_share") < applicant_share)).sort(ACTIVITY)
    out = []
    for r in stats.to_dicts():
        name = r[ACTIVITY]
        counts = counts_of(name).sort(["len", level], descending=[True, False])
        top = counts["len"][0] / r["events"]
        if top >= max_share:
            continue
        shares = {k: v / r["events"] for k, v in counts.head(5).iter_rows()}
        listed = [f"{k} {v:.0%}" for k, v in shares.items()]
        ev = {"cases": r["cases"], "events": r["events"], "level": level, "owners": r["owners"], "largest_share": top,
              "shares": shares, "saving_basis": "not estimated: unclear ownership shows as waiting, see bottlenecks"}
        ev["summary"], ev["summary_en"] = PHRASES.pair(
            "summary_clarify_owner", name=name, owners=r["owners"], top=top,
            word=PHRASES.pair("departments" if level == DEPARTMENT else "roles"),
            listed=("、".join(listed), ", ".join(listed)))
        out.append(Candidate("clarify_owner", [name], ev, None))
    return out
