"""The comparison in business language (Chinese or English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procmine.units import format_hours

if TYPE_CHECKING:
    from procmine.compare.comparison import Comparison

#: Case ids printed per line of text (the JSON has them all).
SHOWN_IDS = 5
#: Items printed per section (the JSON and deviations.csv have them all).
SHOWN_ITEMS = 15


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _ids(ids: list[str], lang: str) -> str:
    shown = "、".join(ids[:SHOWN_IDS]) if lang == "zh" else ", ".join(ids[:SHOWN_IDS])
    more = len(ids) - SHOWN_IDS
    if more > 0:
        shown += f" 等（另 {more} 个）" if lang == "zh" else f" … (+{more} more)"
    return shown


def describe_comparison(c: "Comparison", lang: str = "zh") -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    zh = lang == "zh"
    lines = []
    fitness = "—" if c.fitness is None else f"{c.fitness:.3f}"
    if zh:
        lines.append(f"与设计流程对比：{c.process}（设计来源：{c.design.form}）")
        lines.append(f"  已完成案例 {c.cases:,} 个" + (f"（另有 {c.open_cases} 个在办案例未纳入）" if c.open_cases else ""))
        lines.append(f"  拟合度 {fitness}（pm4py 令牌重放，0–1，1 表示完全符合设计）")
        lines.append(f"  完全符合设计流程的案例 {c.conforming_cases:,} 个（{_pct(_share(c.conforming_cases, c.cases))}）；"
                     f"无任何偏差（含规则、时限、职责）的案例 {c.cases_without_deviations:,} 个")
    else:
        lines.append(f"Comparison with the design: {c.process} (design read from {c.design.form})")
        lines.append(f"  {c.cases:,} completed cases" + (f" ({c.open_cases} still in progress left out)" if c.open_cases else ""))
        lines.append(f"  fitness {fitness} (pm4py token-based replay, 0–1, 1 = every case follows the design)")
        lines.append(f"  {c.conforming_cases:,} cases follow the designed flow completely "
                     f"({_pct(_share(c.conforming_cases, c.cases))}); {c.cases_without_deviations:,} have no deviation "
                     "at all (flow, rules, time limits, responsibilities)")

    def section(title_zh: str, title_en: str, items: list, render) -> None:
        lines.append("")
        lines.append((title_zh if zh else title_en) + (f"（{len(items)} 项）" if zh else f" ({len(items)})"))
        if not items:
            lines.append("  无" if zh else "  none")
        for item in items[:SHOWN_ITEMS]:
            lines.append("  " + render(item))
        if len(items) > SHOWN_ITEMS:
            more = len(items) - SHOWN_ITEMS
            lines.append(f"  ……另 {more} 项见 JSON / deviations.csv" if zh else
                         f"  … {more} more in the JSON / deviations.csv")

    section("设计外的活动（未规划步骤）", "Unplanned activities (done but not designed)", c.unplanned_activities,
            lambda d: (f"{d['activity']}：{d['cases']:,} 个案例（{_pct(d['share'])}），例：{_ids(d['example_case_ids'], lang)}"
                       if zh else f"{d['activity']}: {d['cases']:,} cases ({_pct(d['share'])}), e.g. "
                       f"{_ids(d['example_case_ids'], lang)}"))
    section("被跳过的设计步骤", "Designed steps skipped", c.skipped_activities,
            lambda d: (f"{d['activity']}：{d['cases']:,} 个案例未经过（{_pct(d['share'])}），例：{_ids(d['example_case_ids'], lang)}"
                       if zh else f"{d['activity']}: skipped in {d['cases']:,} cases ({_pct(d['share'])}), e.g. "
                       f"{_ids(d['example_case_ids'], lang)}"))
    section("设计不允许的交接", "Hand-offs the design does not allow", c.extra_handoffs,
            lambda d: (f"{d['source']} → {d['target']}：{d['cases']:,} 个案例（{_pct(d['share'])}），例：{_ids(d['example_case_ids'], lang)}"
                       if zh else f"{d['source']} → {d['target']}: {d['cases']:,} cases ({_pct(d['share'])}), e.g. "
                       f"{_ids(d['example_case_ids'], lang)}"))
    if c.unexpected_starts or c.unexpected_ends:
        section("不在设计起止点的开始 / 结束", "Cases starting or ending outside the design's start / end steps",
                [("start", d) for d in c.unexpected_starts] + [("end", d) for d in c.unexpected_ends],
                lambda kd: (f"{'从' if kd[0] == 'start' else '止于'} {kd[1]['activity']}：{kd[1]['cases']:,} 个案例，"
                            f"例：{_ids(kd[1]['example_case_ids'], lang)}" if zh else
                            f"{'starts at' if kd[0] == 'start' else 'ends at'} {kd[1]['activity']}: "
                            f"{kd[1]['cases']:,} cases, e.g. {_ids(kd[1]['example_case_ids'], lang)}"))
    section("从未使用的设计交接", "Designed hand-offs never used", c.unused_handoffs,
            lambda d: f"{_end(d['source'], lang)} → {_end(d['target'], lang)}")
    section("规则违反", "Rule violations", c.rule_violations,
            lambda d: (f"{d['text']}：{d['cases']:,} 个案例违反（适用 {d['checked_cases']:,} 个）"
                       + (f"：{_ids(d['case_ids'], lang)}" if d["case_ids"] else "")
                       if zh else f"{d['text_en']}: {d['cases']:,} violating cases (of {d['checked_cases']:,} "
                       "it applies to)" + (f": {_ids(d['case_ids'], lang)}" if d["case_ids"] else "")))
    section("时限超时（按环节）", "Time-limit violations per step", c.time_violations,
            lambda d: _time_line(d, lang))
    section("职责不符（部门 / 岗位）", "Responsibility violations (department / role)", c.responsibility_violations,
            lambda d: (f"{d['activity']}：设计为{'部门' if d['field'] == 'department' else '岗位'}「{d['expected']}」，"
                       f"实际「{d['actual']}」办理 {d['cases']:,} 个案例，例：{_ids(d['example_case_ids'], lang)}"
                       if zh else f"{d['activity']}: designed {d['field']} {d['expected']!r}, done by "
                       f"{d['actual']!r} in {d['cases']:,} cases, e.g. {_ids(d['example_case_ids'], lang)}"))
    section("目标达成", "Targets", c.targets, lambda d: _target_line(d, lang))
    if c.name_matches:
        lines.append("")
        lines.append("名称对应：" if zh else "Names matched:")
        for log_name, step in c.name_matches.items():
            lines.append(f"  {log_name} → {step}")
    if c.notes:
        lines.append("")
        lines.append("说明：" if zh else "Notes:")
        lines.extend(f"  - {getattr(note, 'zh', note) if zh else note}" for note in c.notes)
    return "\n".join(lines)


def _share(part, whole):
    return part / whole if whole else None


def _end(name: str, lang: str) -> str:
    from procmine.compare.design import END, START

    if name == START:
        return "开始" if lang == "zh" else "start"
    if name == END:
        return "结束" if lang == "zh" else "end"
    return name


def _time_line(d: dict, lang: str) -> str:
    working = d["basis"] == "working"
    excess = d["median_excess_work_hours"] if working else d["median_excess_hours"]
    limit_hours = d["limit_work_hours"] if working else d["limit_hours"]
    basis = {"zh": "工作时间" if working else "日历时间", "en": "working time" if working else "calendar time"}[lang]
    if lang == "zh":
        text = (f"{d['activity']}（时限 {d['limit']} = {format_hours(limit_hours, 'zh')}，{basis}）："
                f"{d['cases']:,} / {d['checked_cases']:,} 个案例超时（{_pct(d['share'])}）")
        if excess is not None:
            text += f"，超出时长中位数 {format_hours(excess, 'zh')}（{basis}）"
        if d["case_ids"]:
            text += f"，例：{_ids(d['case_ids'], lang)}"
        return text
    text = (f"{d['activity']} (limit {d['limit']} = {format_hours(limit_hours, 'en')}, {basis}): "
            f"{d['cases']:,} of {d['checked_cases']:,} cases over the limit ({_pct(d['share'])})")
    if excess is not None:
        text += f", median excess {format_hours(excess, 'en')} ({basis})"
    if d["case_ids"]:
        text += f", e.g. {_ids(d['case_ids'], lang)}"
    return text


def _target_line(d: dict, lang: str) -> str:
    zh = lang == "zh"
    if d["name"] == "lead_time":
        basis = d.get("basis") or "working"
        word = ("工作时间" if basis == "working" else "日历时间") if zh else f"{basis} time"
        if zh:
            return (f"办理时长 ≤ {d['limit']}（{word}）：{d['cases_met'] or 0:,} / {d['cases']:,} 个已完成案例达标"
                    f"（{_pct(d['share_met'])}）")
        return (f"lead time ≤ {d['limit']} ({word}): {d['cases_met'] or 0:,} of {d['cases']:,} completed cases met it "
                f"({_pct(d['share_met'])})")
    label = {"rejection_rate": ("驳回率", "rejection rate"), "first_time_right": ("一次通过率", "first-time-right")}[d["name"]]
    met = {True: ("达标", "met"), False: ("未达标", "not met"), None: ("无法计算", "cannot be measured")}[d["met"]]
    if zh:
        return f"{label[0]} 目标 {d['limit']}：实际 {_pct(d['actual'])}，{met[0]}"
    return f"{label[1]} target {d['limit']}: actual {_pct(d['actual'])}, {met[1]}"
