"""The comparison in business language (Chinese or English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procmine.text import Text, phrases

if TYPE_CHECKING:
    from procmine.compare.comparison import Comparison

#: Case ids printed per line of text (the JSON has them all).
SHOWN_IDS = 5
#: Items printed per section (the JSON and deviations.csv have them all).
SHOWN_ITEMS = 15

PHRASES = phrases("compare", {
    "head": ("与设计流程对比：{process}（设计来源：{form}）", "Comparison with the design: {process} (design read from {form})"),
    "cases": ("  已完成案例 {cases:,} 个", "  {cases:,} completed cases"),
    "open_left_out": ("（另有 {open} 个在办案例未纳入）", " ({open} still in progress left out)"),
    "fitness": ("  拟合度 {fitness}（pm4py 令牌重放，0–1，1 表示完全符合设计）",
                "  fitness {fitness} (pm4py token-based replay, 0–1, 1 = every case follows the design)"),
    "conforming": ("  完全符合设计流程的案例 {conforming:,} 个（{share}）；无任何偏差（含规则、时限、职责）的案例 {clean:,} 个",
                   "  {conforming:,} cases follow the designed flow completely ({share}); {clean:,} have no deviation "
                   "at all (flow, rules, time limits, responsibilities)"),
    "section": ("{title}（{n} 项）", "{title} ({n})"),
    "section_none": ("  无", "  none"),
    "section_more": ("  ……另 {more} 项见 JSON / deviations.csv", "  … {more} more in the JSON / deviations.csv"),
    "unplanned_title": ("设计外的活动（未规划步骤）", "Unplanned activities (done but not designed)"),
    "unplanned": ("{activity}：{cases:,} 个案例（{share}），例：{ids}", "{activity}: {cases:,} cases ({share}), e.g. {ids}"),
    "skipped_title": ("被跳过的设计步骤", "Designed steps skipped"),
    "skipped": ("{activity}：{cases:,} 个案例未经过（{share}），例：{ids}",
                "{activity}: skipped in {cases:,} cases ({share}), e.g. {ids}"),
    "extra_title": ("设计不允许的交接", "Hand-offs the design does not allow"),
    "extra": ("{source} → {target}：{cases:,} 个案例（{share}），例：{ids}",
              "{source} → {target}: {cases:,} cases ({share}), e.g. {ids}"),
    "ends_title": ("不在设计起止点的开始 / 结束", "Cases starting or ending outside the design's start / end steps"),
    "starts_at": ("从 {activity}：{cases:,} 个案例，例：{ids}", "starts at {activity}: {cases:,} cases, e.g. {ids}"),
    "ends_at": ("止于 {activity}：{cases:,} 个案例，例：{ids}", "ends at {activity}: {cases:,} cases, e.g. {ids}"),
    "unused_title": ("从未使用的设计交接", "Designed hand-offs never used"),
    "unused": ("{source} → {target}", "{source} → {target}"),
    "start": ("开始", "start"),
    "end": ("结束", "end"),
    "rules_title": ("规则违反", "Rule violations"),
    "rule": ("{text}：{cases:,} 个案例违反（适用 {checked:,} 个）", "{text}: {cases:,} violating cases (of {checked:,} it applies to)"),
    "rule_ids": ("：{ids}", ": {ids}"),
    "time_title": ("时限超时（按环节）", "Time-limit violations per step"),
    "time": ("{activity}（时限 {limit} = {limit_hours}，{basis}）：{cases:,} / {checked:,} 个案例超时（{share}）",
             "{activity} (limit {limit} = {limit_hours}, {basis}): {cases:,} of {checked:,} cases over the limit ({share})"),
    "time_excess": ("，超出时长中位数 {excess}（{basis}）", ", median excess {excess} ({basis})"),
    "examples": ("，例：{ids}", ", e.g. {ids}"),
    "responsibility_title": ("职责不符（部门 / 岗位）", "Responsibility violations (department / role)"),
    "responsibility": ("{activity}：设计为{field}「{expected}」，实际「{actual}」办理 {cases:,} 个案例，例：{ids}",
                       "{activity}: designed {field} {expected!r}, done by {actual!r} in {cases:,} cases, e.g. {ids}"),
    "field_department": ("部门", "department"),
    "field_role": ("岗位", "role"),
    "targets_title": ("目标达成", "Targets"),
    "lead_target": ("办理时长 ≤ {limit}（{basis}）：{met:,} / {cases:,} 个已完成案例达标（{share}）",
                    "lead time ≤ {limit} ({basis}): {met:,} of {cases:,} completed cases met it ({share})"),
    "target": ("{label} 目标 {limit}：实际 {actual}，{met}", "{label} target {limit}: actual {actual}, {met}"),
    "rejection_rate": ("驳回率", "rejection rate"),
    "first_time_right": ("一次通过率", "first-time-right"),
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "unmeasured": ("无法计算", "cannot be measured"),
    "names_matched": ("名称对应：", "Names matched:"),
    "notes": ("说明：", "Notes:"),
    "ids_more": (" 等（另 {more} 个）", " … (+{more} more)"),
})


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _ids(ids: list[str], t: Text) -> str:
    shown = t.join(ids[:SHOWN_IDS])
    more = len(ids) - SHOWN_IDS
    if more > 0:
        shown += t("ids_more", more=more)
    return shown


def describe_comparison(c: "Comparison", lang: str = "zh") -> str:
    t = PHRASES.text(lang)
    fitness = "—" if c.fitness is None else f"{c.fitness:.3f}"
    lines = [
        t("head", process=c.process, form=c.design.form),
        t("cases", cases=c.cases) + (t("open_left_out", open=c.open_cases) if c.open_cases else ""),
        t("fitness", fitness=fitness),
        t("conforming", conforming=c.conforming_cases, share=_pct(_share(c.conforming_cases, c.cases)),
          clean=c.cases_without_deviations),
    ]

    def section(title: str, items: list, render) -> None:
        lines.append("")
        lines.append(t("section", title=t(title), n=len(items)))
        if not items:
            lines.append(t("section_none"))
        for item in items[:SHOWN_ITEMS]:
            lines.append("  " + render(item))
        if len(items) > SHOWN_ITEMS:
            lines.append(t("section_more", more=len(items) - SHOWN_ITEMS))

    def cases(d: dict) -> dict:
        return dict(cases=d["cases"], share=_pct(d["share"]), ids=_ids(d["example_case_ids"], t))

    section("unplanned_title", c.unplanned_activities, lambda d: t("unplanned", activity=d["activity"], **cases(d)))
    section("skipped_title", c.skipped_activities, lambda d: t("skipped", activity=d["activity"], **cases(d)))
    section("extra_title", c.extra_handoffs, lambda d: t("extra", source=d["source"], target=d["target"], **cases(d)))
    if c.unexpected_starts or c.unexpected_ends:
        section("ends_title", [("starts_at", d) for d in c.unexpected_starts] + [("ends_at", d) for d in c.unexpected_ends],
                lambda kd: t(kd[0], activity=kd[1]["activity"], cases=kd[1]["cases"],
                             ids=_ids(kd[1]["example_case_ids"], t)))
    section("unused_title", c.unused_handoffs,
            lambda d: t("unused", source=_end(d["source"], t), target=_end(d["target"], t)))
    section("rules_title", c.rule_violations,
            lambda d: t("rule", text=t.pick((d["text"], d["text_en"])), cases=d["cases"], checked=d["checked_cases"])
            + (t("rule_ids", ids=_ids(d["case_ids"], t)) if d["case_ids"] else ""))
    section("time_title", c.time_violations, lambda d: _time_line(d, t))
    section("responsibility_title", c.responsibility_violations,
            lambda d: t("responsibility", activity=d["activity"], expected=d["expected"], actual=d["actual"],
                        field=t("field_" + d["field"]),
                        cases=d["cases"], ids=_ids(d["example_case_ids"], t)))
    section("targets_title", c.targets, lambda d: _target_line(d, t))
    if c.name_matches:
        lines.append("")
        lines.append(t("names_matched"))
        for log_name, step in c.name_matches.items():
            lines.append(f"  {log_name} → {step}")
    if c.notes:
        lines.append("")
        lines.append(t("notes"))
        lines.extend(f"  - {note.describe(t.lang) if hasattr(note, 'describe') else note}" for note in c.notes)
    return "\n".join(lines)


def _share(part, whole):
    return part / whole if whole else None


def _end(name: str, t: Text) -> str:
    from procmine.compare.design import END, START

    if name == START:
        return t("start")
    if name == END:
        return t("end")
    return name


def _time_line(d: dict, t: Text) -> str:
    working = d["basis"] == "working"
    excess = d["median_excess_work_hours"] if working else d["median_excess_hours"]
    limit_hours = d["limit_work_hours"] if working else d["limit_hours"]
    basis = t.basis(d["basis"])
    text = t("time", activity=d["activity"], limit=d["limit"], limit_hours=t.hours(limit_hours), basis=basis,
             cases=d["cases"], checked=d["checked_cases"], share=_pct(d["share"]))
    if excess is not None:
        text += t("time_excess", excess=t.hours(excess), basis=basis)
    if d["case_ids"]:
        text += t("examples", ids=_ids(d["case_ids"], t))
    return text


def _target_line(d: dict, t: Text) -> str:
    if d["name"] == "lead_time":
        return t("lead_target", limit=d["limit"], basis=t.basis(d.get("basis") or "working"),
                 met=d["cases_met"] or 0, cases=d["cases"], share=_pct(d["share_met"]))
    met = {True: "met", False: "not_met", None: "unmeasured"}[d["met"]]
    return t("target", label=t(d["name"]), limit=d["limit"], actual=_pct(d["actual"]), met=t(met))
