"""The monthly monitoring report (流程执行监控报表): KPIs by month against the target, the cases
stuck right now (卡壳), and, with a design, deviations and time-limit breaches by month.

Written like the survey report (HTML, Markdown, Word, Excel) from the same building blocks.

    >>> report = build_monitoring_report(log, target="3wd", stuck_after="1wd")   # doctest: +SKIP
    >>> report.write_all("monitoring")                                          # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Callable

import polars as pl

from procmine import __version__
from procmine.analyse.monitoring import monthly_kpis, stuck_cases
from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE, EventLog
from procmine.report.build import Builder, _process_name
from procmine.compare.comparison import KIND_WORDS
from procmine.report.model import Bullets, Note, Paragraph, Section, SurveyReport
from procmine.text import Text, phrases

if TYPE_CHECKING:
    import pandas as pd

EXAMPLE_TARGET = "3wd"

PHRASES = phrases("monitoring_report", {
    "title": ("《{process}》流程执行监控报表", "Process monitoring report: {process}"),
    "subtitle": ("截至 {as_of}{source} · 数据：{log} · 生成：{generated} · procmine {version}",
                 "as of {as_of}{source} · data: {log} · generated {generated} · procmine {version}"),
    "latest": ("（日志中最后一个时间）", " (the latest time in the log)"),
    "scope": ("监控范围与口径", "Scope and definitions"),
    "months": ("月度关键指标", "KPIs by month"),
    "stuck": ("卡壳案例", "Stuck cases"),
    "design": ("与设计流程的偏差（按月）", "Deviations from the designed process, by month"),
    "scope_text": ("本报表按流程设计方法第 6 步（上线后监控）编制：每月提取关键指标并与目标对比，跟踪卡壳案例。"
                   "数据来自 {log}，共 {cases:,} 个案例，期间 {period}。时间口径：{calendar}。",
                   "Step 6 of the method (monitoring after rollout): the KPIs of every month against the target, "
                   "and the cases stuck now. Data: {log}, {cases:,} cases, {period}. Time basis: {calendar}."),
    "target": ("周期目标：{target}{source}。", "Lead-time target: {target}{source}."),
    "target_given": ("", ""),
    "target_design": ("（来自设计流程的 KPI）", " (the design's KPI)"),
    "target_example": ("（示例目标，取自方法文档的“审批时长≤3个工作日”，请用 --target 设定）",
                       " (an example target, the method's 审批时长≤3个工作日; set yours with --target)"),
    "limits": ("卡壳判定：{limits}；等待时长从环节到达算到截至时间。",
               "Stuck: {limits}; the wait runs from the step's arrival to the as-of time."),
    "month_caption": ("月度关键指标（不完整月份已标注，其中位数不可比）",
                      "KPIs by month (incomplete months marked: their medians are not comparable)"),
    "chart_caption": ("月度周期与完成量", "Lead time and cases completed by month"),
    "stuck_caption": ("截至 {as_of} 超过时限的在办环节", "Open steps beyond their limit as of {as_of}"),
    "stuck_by_caption": ("卡壳案例按环节与处理人汇总", "Stuck cases by step and holder"),
    "none_stuck": ("截至 {as_of} 没有超过时限的在办环节（在办 {open} 个）。",
                   "No open step beyond its limit as of {as_of} ({open} open)."),
    "last_month": ("最近一个完整月份 {month}：完成 {done} 件，周期中位数 {median} 工作日{versus}。",
                   "Last complete month {month}: {done} cases completed, median lead time {median} working "
                   "days{versus}."),
    "versus_met": ("，达到目标", ", within target"),
    "versus_missed": ("，未达目标", ", above target"),
    "stuck_line": ("卡壳 {n} 件（在办 {open} 件），最久 {longest} 工作日。",
                   "{n} stuck cases ({open} open steps), the longest {longest} working days."),
    "design_caption": ("各月完成案例的偏差（按类型，件数；一个案例可有多种偏差）",
                       "Deviations of the cases completed each month (cases by kind; a case may have several)"),
    "incomplete": ("不完整", "incomplete"),
    "design_note": ("按案例完成的月份统计；改造上线前开始的案例按旧流程办理，与新设计的偏差是预期的。",
                    "Counted in the month each case was completed; cases begun before a rollout followed the old "
                    "process, so their deviations from the new design are expected."),
    "month_month": ("月份", "month"),
    "month_cases_started": ("发起（件）", "started"),
    "month_cases_completed": ("完成（件）", "completed"),
    "month_in_progress_at_end": ("月末在办（件）", "in progress at month end"),
    "month_median_work_days": ("周期中位数（工作日）", "median (working days)"),
    "month_p90_work_days": ("周期 P90（工作日）", "p90 (working days)"),
    "month_share_within_target": ("达标率", "share within target"),
    "month_status": ("月份状态", "status"),
    "stuck_case": ("案例", "case"),
    "stuck_activity": ("卡在环节", "stuck at"),
    "stuck_resource": ("处理人", "holder"),
    "stuck_department": ("部门", "department"),
    "stuck_since": ("到达时间", "arrived"),
    "stuck_waited_work_days": ("已等待（工作日）", "waited (working days)"),
    "stuck_waited_days": ("已等待（日历天）", "waited (calendar days)"),
    "stuck_limit": ("时限", "limit"),
    "stuck_over_limit_work_days": ("超出（工作日）", "over the limit (working days)"),
    "by_activity": ("环节", "step"),
    "by_resource": ("处理人", "holder"),
    "by_cases": ("卡壳（件）", "stuck cases"),
    "by_longest_work_days": ("最久（工作日）", "longest (working days)"),
    "complete": ("完整", "complete"),
    "dev_month": ("月份", "month"),
    "dev_completed": ("完成（件）", "completed"),
    "dev_deviating": ("有偏差（件）", "with deviations"),
})
#: The columns of the three tables; each is named by the phrase "<table>_<column>".
MONTH_COLUMNS = ("month", "cases_started", "cases_completed", "in_progress_at_end", "median_work_days",
                 "p90_work_days", "share_within_target", "status")
STUCK_COLUMNS = (CASE, ACTIVITY, RESOURCE, DEPARTMENT, "since", "waited_work_days", "waited_days", "limit",
                 "over_limit_work_days")
BY_COLUMNS = (ACTIVITY, RESOURCE, "cases", "longest_work_days")


def _columns(w: Text, table: str, columns: tuple[str, ...]) -> dict[str, str]:
    return {column: w(f"{table}_{column}") for column in columns}


def build_monitoring_report(log: EventLog, *, as_of=None, target: str | None = None, design=None,
                            stuck_after: str | None = None, calendar=None, lang: str = "zh",
                            process: str | None = None, progress: Callable[[str], None] | None = None,
                            ) -> SurveyReport:
    """The monitoring report of ``log`` as of ``as_of`` (default: the log's latest time).

    ``target``: the lead-time target; without one, the design's lead-time KPI, else the method's
    example ``3wd``, said as such in the report. ``design``: a design (per-step time limits for
    stuck cases, deviations by month). ``stuck_after``: the limit for steps the design does not
    time (default 1 working day).
    """
    from procmine.analyse.times import default_calendar

    w = PHRASES.text(lang)
    say = progress or (lambda message: None)
    calendar = calendar or default_calendar()
    if isinstance(design, (str,)) or hasattr(design, "__fspath__"):
        from procmine.compare import read_design

        design = read_design(design)
    target, target_source = _target(target, design)
    build = Builder(lang, say)
    say("monthly KPIs")
    months = monthly_kpis(log, as_of=as_of, target=target, calendar=calendar)
    say("stuck cases")
    stuck = stuck_cases(log, as_of=as_of, stuck_after=stuck_after, design=design, calendar=calendar)
    when = f"{months.as_of:%Y-%m-%d %H:%M}"
    source = w("latest") if as_of is None else ""
    summary = log.summary()
    name = process or _process_name(log)
    per_day = calendar.hours_per_day
    from procmine.calendar import parse_duration_target

    limit = parse_duration_target(target)
    target_days = limit.to_work_hours(calendar) / per_day if limit.basis == "working" else None

    # 1 scope
    scope = Section("scope", 0, w("scope"), [
        Paragraph(w("scope_text", log=log.label, cases=summary.cases,
                    period=f"{str(summary.start)[:10]} – {str(summary.end)[:10]}", calendar=calendar.describe(lang))),
        Paragraph(w("target", target=limit.describe(lang), source=w(f"target_{target_source}"))),
        Paragraph(w("limits", limits=w.pick((stuck.limits, _limits_en(stuck_after, design))))),
    ])
    headline = []
    whole = months.table.filter(pl.col("complete") & pl.col("median_work_days").is_not_null())
    if whole.height:
        last = whole.row(-1, named=True)
        versus = "" if target_days is None else w("versus_met" if last["median_work_days"] <= target_days
                                                  else "versus_missed")
        headline.append(w("last_month", month=last["month"], done=last["cases_completed"],
                          median=f"{last['median_work_days']:.1f}", versus=versus))
    if stuck.stuck.height:
        headline.append(w("stuck_line", n=stuck.stuck[CASE].n_unique(), open=stuck.open_steps.height,
                          longest=f"{stuck.stuck['waited_work_hours'].max() / per_day:.1f}"))
    if headline:
        scope.blocks.append(Bullets(headline))

    # 2 months
    table = months.table.with_columns(
        pl.when(pl.col("complete")).then(pl.lit(w("complete")))
        .otherwise(pl.lit(w("incomplete") + "：") + pl.col("incomplete_because")).alias("status"))
    cols = _columns(w, "month", MONTH_COLUMNS)
    frame = table.select(list(cols)).rename(cols).to_pandas()
    month_section = Section("months", 0, w("months"), [
        build.table("months", w("month_caption"), frame, formats={
            cols["cases_started"]: "int", cols["cases_completed"]: "int", cols["in_progress_at_end"]: "int",
            cols["median_work_days"]: "1f", cols["p90_work_days"]: "1f", cols["share_within_target"]: "pct"}),
        build.chart("monthly", w("chart_caption"), lambda: _draw(months, target_days, lang, when)),
    ])

    # 3 stuck
    stuck_section = Section("stuck", 0, w("stuck"), [])
    if stuck.stuck.height:
        cols = _columns(w, "stuck", STUCK_COLUMNS)
        rows = stuck.stuck.with_columns(
            pl.col("since").dt.strftime("%Y-%m-%d %H:%M"),
            (pl.col("waited_work_hours") / per_day).alias("waited_work_days"),
            (pl.col("waited_hours") / 24).alias("waited_days"),
            pl.col(w.pick(("limit_zh", "limit"))).alias("limit"),
            (pl.col("over_limit_hours") / per_day).alias("over_limit_work_days"))
        stuck_section.blocks.append(build.table(
            "stuck_cases", w("stuck_caption", as_of=when), rows.select(list(cols)).rename(cols).to_pandas(),
            formats={cols["waited_work_days"]: "1f", cols["waited_days"]: "1f", cols["over_limit_work_days"]: "1f"}))
        by = (stuck.stuck.group_by(ACTIVITY, RESOURCE).agg(pl.col(CASE).n_unique().alias("cases"),
                                                          (pl.col("waited_work_hours").max() / per_day)
                                                          .alias("longest_work_days"))
              .sort(["cases", "longest_work_days"], descending=True))
        cols = _columns(w, "by", BY_COLUMNS)
        stuck_section.blocks.append(build.table("stuck_by_step", w("stuck_by_caption"),
                                                by.select(list(cols)).rename(cols).to_pandas(),
                                                formats={cols["cases"]: "int", cols["longest_work_days"]: "1f"}))
    else:
        stuck_section.blocks.append(Paragraph(w("none_stuck", as_of=when, open=stuck.open_steps.height)))
    parts = [scope, month_section, stuck_section]

    # 4 deviations by month
    if design is not None:
        say("comparing with the design")
        parts.append(_design_section(log, design, calendar, build, w, months.as_of))
    for number, section in enumerate(parts, 1):
        section.number = number
    generated = date.today().isoformat()
    report = SurveyReport(
        title=w("title", process=name),
        subtitle=w("subtitle", as_of=when, source=source, log=log.label, generated=generated, version=__version__),
        lang=lang, sections=parts, process=name, period=f"… – {when}", generated=generated,
        results={"monthly": months, "stuck": stuck, "target": target, "target_source": target_source})
    return report


def _target(target: str | None, design) -> tuple[str, str]:
    if target:
        return target, "given"
    for t in getattr(design, "targets", ()) or ():
        if t.name == "lead_time" and t.text:
            return t.text, "design"
    return EXAMPLE_TARGET, "example"


def _limits_en(stuck_after, design) -> str:
    from procmine.analyse.monitoring import DEFAULT_STUCK_AFTER

    base = stuck_after or f"{DEFAULT_STUCK_AFTER} (the default; change it with --stuck-after)"
    return (f"the design's time limit per step, else {base}" if design is not None else f"limit {base}")


def _draw(months, target_days, lang, when):
    from procmine.chart.monitoring import draw_monthly_monitoring

    return draw_monthly_monitoring(months.table, target_days=target_days, lang=lang, basis=months.basis, as_of=when)


def _completion_months(log, calendar, as_of, ids: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The month each of the cases ``ids`` was completed in (by ``as_of``; case, month), and how many
    cases were completed per month (month, __completed). A log on Spark counts there and brings back
    only the months of ``ids`` (:mod:`procmine.engine.spark_monitoring`)."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_monitoring import spark_completion_months

        return spark_completion_months(log, calendar, as_of, ids)
    from procmine.analyse.kpi import case_outcomes

    completed = case_outcomes(log, calendar).filter(~pl.col("open") & (pl.col("last_time") <= as_of)).select(
        CASE, pl.col("last_time").dt.strftime("%Y-%m").alias("month"))
    return (completed.filter(pl.col(CASE).is_in(ids.implode())),
            completed.group_by("month").agg(pl.len().alias("__completed")))


def _design_section(log, design, calendar, build, w, as_of) -> Section:
    from procmine.compare import compare

    comparison = compare(log, design, calendar=calendar)
    section = Section("design", 0, w("design"), [])
    deviations = getattr(comparison, "case_deviations", None)
    if deviations is None or deviations.is_empty():
        section.blocks.append(Note("—"))
        return section
    months, per_month = _completion_months(log, calendar, as_of, deviations[CASE].unique())
    counts = (deviations.select(CASE, pl.col("kind").cast(pl.String)).unique().join(months, on=CASE)
              .group_by("month", "kind").agg(pl.len().alias("cases")))
    kinds = [k for k in KIND_WORDS if k in set(counts["kind"].to_list())]
    table = (per_month.join(months.group_by("month").agg(pl.len().alias("__deviating")), on="month", how="left")
             .with_columns(pl.col("__deviating").fill_null(0)).sort("month"))
    for kind in kinds:
        table = table.join(counts.filter(pl.col("kind") == kind).select("month", pl.col("cases").alias(kind)),
                           on="month", how="left")
    table = table.fill_null(0).rename({"month": w("dev_month"), "__completed": w("dev_completed"),
                                       "__deviating": w("dev_deviating"), **{k: KIND_WORDS(k, w.lang) for k in kinds}})
    frame: pd.DataFrame = table.to_pandas()
    section.blocks.append(build.table("deviations_by_month", w("design_caption"), frame,
                                      formats={c: "int" for c in frame.columns[1:]}))
    section.blocks.append(Note(w("design_note")))
    return section


__all__ = ["build_monitoring_report", "EXAMPLE_TARGET"]
