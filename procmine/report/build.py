"""Gather the analyses of a log into the survey report's sections.

The report computes nothing of its own: every number comes from the analysis it names
(``discover``, ``kpis``, ``bottlenecks``, ``find_loops``, ``improvement_candidates``,
``variants``, ``department_handoffs``, ``lead_time_distribution`` and, with a design,
``procmine.compare``), under one calendar, so it matches what the other commands print.
A log read with ``engine="spark"`` gives the same report: each analysis computes its figures on
Spark (:mod:`procmine.engine.spark_report` for the variants, the lead-time histogram and the
hand-offs between departments).

    >>> report = build_report(procmine.read_log("sample_logs/合同审批.csv"), target="3wd")   # doctest: +SKIP
    >>> report.write_all("procmine_report")                                                  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from procmine import __version__
from procmine.analyse.times import default_calendar, time_tables
from procmine.log import EventLog
from procmine.report import sections
from procmine.report.model import Chart, SurveyReport, Table, figure_png
from procmine.report.text import Text

if TYPE_CHECKING:
    from procmine.calendar import Calendar


class Builder:
    """Numbers figures and tables in order and renders each chart once (200 dpi PNG)."""

    def __init__(self, lang: str, say: Callable[[str], None]):
        self.t = Text(lang)
        self.say = say
        self.figures = 0
        self.tables = 0

    def chart(self, name: str, caption: str, draw: Callable[[], object]) -> Chart:
        self.say(f"drawing {name.replace('_', ' ')}")
        fig = draw()
        png = figure_png(fig)
        fig.clear()
        self.figures += 1
        return Chart(name=f"fig{self.figures:02d}_{name}", caption=caption, png=png, number=self.figures)

    def table(self, name: str, caption: str, frame, formats: dict[str, str] | None = None, note: str = "") -> Table:
        self.tables += 1
        return Table(name=f"table{self.tables:02d}_{name}", caption=caption, frame=frame, formats=formats or {},
                     note=note, number=self.tables)

    def next_figure(self) -> str:
        """How the next chart will be called in the text ('图 3')."""
        return self.t("figure", n=self.figures + 1)

    def next_table(self) -> str:
        return self.t("table", n=self.tables + 1)


def build_report(
    log: EventLog,
    calendar: "Calendar | None" = None,
    design=None,
    target: str | None = None,
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
    *,
    process: str | None = None,
    comparison=None,
    target_source: str = "given",
    before_after=None,
) -> SurveyReport:
    """The current-state survey report of ``log`` (sections 1–9 of the method's 现状调研分析报告).

    ``calendar``: working time (default: Chinese holidays and 调休, 09:00–12:00, 13:00–18:00).
    ``target``: lead-time target such as ``"3wd"`` (3 working days) for section 3; ``target_source``
    says where it came from, as the report states beside it: ``"given"`` (the analyst's), ``"design"``
    (the design's lead-time KPI) or ``"example"`` (the method's example 审批时长≤3个工作日, shown as 示例目标).
    ``design``: a design (``procmine.compare.read_design(path)``) or its file path; adds
    section 8, the comparison with the designed process (or pass ``comparison`` already made).
    ``before_after``: a rollout date (``"2025-07-01"``) or a
    :class:`~procmine.compare.periods.PeriodComparison`: adds the section 改造前后对比.
    ``lang``: ``"zh"`` (default) or ``"en"``. ``progress``: called with a short message per stage.
    ``process``: the process name in the title (default: the log file's name).

    >>> report = build_report(log, target="3wd", lang="en")     # doctest: +SKIP
    >>> report.save_html("report.html")                          # doctest: +SKIP
    """
    from procmine.analyse.bottlenecks import bottlenecks
    from procmine.analyse.improve import improvement_candidates
    from procmine.analyse.kpi import kpis
    from procmine.analyse.loops import find_loops
    from procmine.discover import discover

    say = progress or (lambda message: None)
    calendar = calendar or default_calendar()
    build = Builder(lang, say)
    t = build.t
    if design is not None and comparison is None:
        comparison = _compare(log, design, calendar, say)
    if isinstance(before_after, str):  # before the long work: a log that cannot be split says so first
        from procmine.compare.periods import compare_periods

        if getattr(log, "engine", None) == "spark":
            from procmine.engine.spark import SparkError

            raise SparkError("the before/after section (--split) compares two periods as `procmine diff` does, "
                             "which does not run on Spark yet: drop --split, or drop --engine spark")

        say("comparing before and after " + before_after)
        before_after = compare_periods(log, split=before_after, calendar=calendar, target=target)

    with _shared_measurement(log):  # on Spark: the steps and hand-offs measured once for every section
        if getattr(log, "engine", None) != "spark":  # on Spark each analysis measures on the cluster
            say("measuring working time per step and hand-off")
            time_tables(log, calendar)  # built once, shared by every analysis below
        say("discovering the process map")
        results = {"process_map": discover(log)}
        say("KPIs and lead times")
        results["kpis"] = kpis(log, target=target, calendar=calendar)
        say("bottlenecks")
        results["bottlenecks"] = bottlenecks(log, calendar)
        say("loops and rework")
        results["loops"] = find_loops(log, calendar)
        say("improvement candidates")
        # the design's control points are never proposed for removal
        controls_from = getattr(comparison, "design", None)  # a comparison made elsewhere may not carry it
        results["improvements"] = improvement_candidates(log, calendar, design=controls_from)
        if comparison is not None:
            results["comparison"] = comparison

        summary = log.summary()
        name = process or _process_name(log)  # not the design's name: that is the future process
        period = f"{_day(summary.start)} – {_day(summary.end)}"
        generated = date.today().isoformat()
        if target_source not in ("given", "design", "example"):
            raise ValueError(f"target_source must be 'given', 'design' or 'example', not {target_source!r}")
        context = sections.Context(log=log, calendar=calendar, target=target, process=name, results=results,
                                   target_source=target_source,
                                   build=build, t=t)
        parts = [
            sections.scope(context),
            sections.flowchart(context),
            sections.kpi(context),
            sections.bottleneck_section(context),
            sections.loop_section(context),
            sections.workload(context),
            sections.improvements(context),
        ]
        if comparison is not None:
            parts.append(sections.comparison(context, comparison))
        if before_after is not None:
            parts.append(sections.before_after(context, before_after))
        parts.append(sections.appendix(context))
    for number, section in enumerate(parts, 1):
        section.number = number
    return SurveyReport(
        title=t("title", process=name),
        subtitle=t("subtitle", period=period, source=log.label, generated=generated, version=__version__),
        lang=lang, sections=parts, process=name, period=period, generated=generated, results=results,
    )


def _shared_measurement(log):
    """On Spark, one measurement of the steps and hand-offs for all the analyses of the report
    (:func:`procmine.engine.spark_analyses.measured_once`); nothing to share otherwise."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_analyses import measured_once

        return measured_once(log)
    return contextlib.nullcontext()


def _compare(log: EventLog, design, calendar, say):
    from procmine.compare import compare, read_design

    if isinstance(design, (str, Path)):
        say(f"reading the design {Path(design).name}")
        design = read_design(design)
    say("comparing the cases with the design")
    return compare(log, design, calendar=calendar)


def _process_name(log: EventLog) -> str:
    """The process as the file names it: '合同审批.csv' → '合同审批', 'Payment.xes.gz' → 'Payment'."""
    name = Path(log.source.path).name
    for suffix in (".gz", ".zip", ".xes", ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq", ".arrow",
                   ".feather", ".ipc"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or log.source.name


def _day(value: str | None) -> str:
    return "–" if not value else value[:10]
