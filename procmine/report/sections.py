"""One function per section of the survey report, each turning analysis results into blocks.

Every finding sentence states its number, its unit and whether the time is working or
calendar time. Names from the log go into the blocks as plain text; the renderers escape them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from procmine import __version__
from procmine.analyse.bottlenecks import PHRASES as BOTTLENECKS
from procmine.analyse.kpi import lead_time_distribution
from procmine.analyse.loops import PHRASES as LOOPS, LoopReport, calendar_warnings
from procmine.analyse.variants import coverage, variants
from procmine.analyse.workload import department_handoffs, handoff_matrix, party_level
from procmine.log import DEPARTMENT, RESOURCE, ROLE, EventLog
from procmine.report import translate
from procmine.report.definitions import DEFINITIONS
from procmine.report.model import Bullets, Heading, Note, Paragraph, Section
from procmine.report.text import ACTIONS, FIELDS, SEVERITY, Text

if TYPE_CHECKING:
    import pandas as pd

TOP_VARIANTS = 10
TOP_BOTTLENECKS = 10
TOP_LOOPS = 15
TOP_PEOPLE = 15
MATRIX_PARTIES = 8
EXAMPLE_CASES = 5


@dataclass
class Context:
    """What every section needs: the log, the calendar, the analyses and the numbering builder."""

    log: EventLog
    calendar: object
    target: str | None
    process: str
    results: dict
    build: object
    t: Text
    #: where the target came from: "given" (--target), "design" (the design's KPI) or "example" (3wd)
    target_source: str = "given"

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def basis(self) -> str:
        return self.results["kpis"].basis

    @property
    def calendar_notes(self) -> list[str]:
        """The calendar's coverage and plausibility warnings: said once, in section 1 (from the time
        tables the bottlenecks were measured on, on either engine)."""
        return calendar_warnings(self.results["bottlenecks"]._tables)

    def own_notes(self, notes) -> list[str]:
        shared = set(self.calendar_notes)
        return [n for n in notes if n not in shared]


def _frame(rows: list[dict] | list[tuple], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


# --- 1 ----------------------------------------------------------------------------------------
def scope(c: Context) -> Section:
    t, log, b = c.t, c.log, c.build
    s = log.summary()
    kpi = c.results["kpis"]
    blocks: list = [Paragraph(t("scope_intro", source=log.source.name, process=c.process))]
    source = log.source
    form = source.format.upper()
    if source.encoding:
        form += f" · {source.encoding}"
    if source.sheet:
        form += f" · {t('sheet')} {source.sheet}"
    separator = t("clause_separator")
    rows = [
        (t("process"), c.process),
        (t("source_file"), source.name),
        *([(t("filter"), separator.join(f.describe(c.lang) for f in log.filters))] if log.filters else []),
        (t("file_format"), form),
        (t("period"), t("period_value", start=_minute(s.start), end=_minute(s.end), tz=s.timezone)),
        (t("cases"), t("cases_value", cases=s.cases, done=kpi.completed_cases, open=kpi.cases - kpi.completed_cases)),
        (t("events"), t("events_value", n=s.events)),
        (t("activities"), f"{s.activities:,}"),
        (t("variants"), f"{s.variants:,}"),
        (t("duration_basis"), t("basis_arrival") if s.has_start_times else t("basis_completion")),
        (t("calendar"), c.calendar.describe(c.lang)),
        (t("target"), _target_text(c) or t("none")),
    ]
    if s.notes:
        rows.append((t("reading_notes"), separator.join(translate.note(n, c.lang) for n in s.notes)))
    blocks.append(b.table("overview", t("overview"), _frame(rows, [t("item"), t("value")])))
    mapping = [(t.pick(FIELDS.get(role, (role, role))), column or t("none")) for role, column in s.columns.items()]
    blocks.append(b.table("column_mapping", t("mapping"), _frame(mapping, [t("field"), t("column_in_file")])))

    quality = log.quality
    blocks.append(Heading(t("quality")))
    row_word = t(f"row_word_{quality.row_word}")
    blocks.append(Paragraph(t("quality_summary", rows=quality.rows_read, row_word=row_word, events=quality.events,
                              dropped=quality.dropped, merged=quality.merged, repaired=quality.repaired,
                              problems=len(quality.problems))))
    if quality.findings:
        columns = [t("severity"), t("column"), t("rows"), t("action"), t("reason"), t("examples")]
        rows = [(t.pick(SEVERITY.get(f.severity, (f.severity, f.severity))), f.column or t("none"), f.rows,
                 t.pick(ACTIONS.get(f.action, (f.action, f.action))), translate.finding(f.code, f.message, c.lang),
                 "; ".join(f"{r}: {v}" for r, v in f.examples[:3]) or t("none"))
                for f in quality.findings]
        blocks.append(b.table("data_quality", t("quality"), _frame(rows, columns), {t("rows"): "int"}))
    else:
        blocks.append(Paragraph(t("quality_none")))
    blocks += [Note(t("calendar_warnings", text=translate.note(w, c.lang))) for w in c.calendar_notes]
    return Section("scope", 1, t("sec_scope"), blocks)


def _minute(value: str | None) -> str:
    return "–" if not value else value[:16]


def _target_text(c: Context, with_source: bool = True) -> str | None:
    if not c.target:
        return None
    from procmine.calendar import parse_duration_target

    limit = parse_duration_target(c.target)
    hours = limit.to_work_hours(c.calendar)
    unit = c.t.hours_unit("working" if limit.basis == "working" and c.calendar.kind != "none" else "calendar")
    text = f"≤ {limit.describe(c.lang)} = {hours:g} {unit}"
    if with_source and c.target_source != "given":
        text += c.t(f"target_{c.target_source}")
    return text


# --- 2 ----------------------------------------------------------------------------------------
def flowchart(c: Context) -> Section:
    t, b = c.t, c.build
    pmap = c.results["process_map"]
    blocks: list = [Paragraph(t("flowchart_intro", figure=b.next_figure()))]
    blocks.append(b.chart("current_flowchart", t("flowchart_caption"),
                          lambda: page_map(c).plot(lang=c.lang, simplify=False)))
    findings = [t("flowchart_size", activities=pmap.activities.height, paths=pmap.handoffs.height)]
    if pmap.start_activities and pmap.end_activities:
        (start, start_n) = next(iter(pmap.start_activities.items()))  # most frequent first
        (end, end_n) = next(iter(pmap.end_activities.items()))
        findings.append(t("flowchart_ends", start=start, start_n=start_n, end=end, end_n=end_n))
    shown = page_map(c)
    if shown.simplification:
        findings.append(t("flowchart_simplified", note=shown.simplification.note(c.lang)))
    blocks.append(Bullets(findings))

    blocks.append(Heading(t("variants_title")))
    table = variants(c.log, c.calendar)
    if not table.is_empty():
        blocks.append(Bullets([t("variants_finding", n=table.height, s1=t.pct(coverage(table, 1)),
                                 c1=int(table["cases"][0]), s5=t.pct(coverage(table, 5)),
                                 s10=t.pct(coverage(table, 10)))]))
        shown_rows = table.head(TOP_VARIANTS)
        lead = t("median_lead_days", unit=t.days_word(c.basis))
        columns = [t("rank"), t("sequence"), t("steps"), t("cases_col"), t("share"), t("cumulative_share"), lead]
        rows = [(r["rank"], " → ".join(r["activities"]), r["steps"], r["cases"], r["share"], r["cumulative_share"],
                 r["median_lead_work_days"]) for r in shown_rows.iter_rows(named=True)]
        blocks.append(b.table("variants", t("variants_caption", n=shown_rows.height), _frame(rows, columns),
                              {t("rank"): "int", t("steps"): "int", t("cases_col"): "int", t("share"): "pct",
                               t("cumulative_share"): "pct", lead: "1f"}))
    return Section("flowchart", 2, t("sec_flowchart"), blocks)


# --- 3 ----------------------------------------------------------------------------------------
def kpi(c: Context) -> Section:
    t, b = c.t, c.build
    report = c.results["kpis"]
    lt, basis = report.lead_time, report.basis
    days = t.days_unit(basis)
    days_word = t.days_word(basis)
    done = report.completed_cases
    median_cal = None if lt.get("median_hours") is None else lt["median_hours"] / 24
    findings = [t("kpi_lead", median=t.num(lt.get("median_work_days")), days=days, basis=t.basis(basis),
                  per_day=t("per_day", hours=report.hours_per_day), median_cal=t.num(median_cal),
                  mean=t.num(lt.get("mean_work_days")), p90=t.num(lt.get("p90_work_days")),
                  max=t.num(lt.get("max_work_days")), done=done,
                  open_note=t("open_note", open=report.cases - done) if report.cases > done else "")]
    target_days = None
    if report.target:
        target = report.target
        findings.append(t("kpi_target", limit=target["limit"], limit_text=_target_text(c, with_source=False).removeprefix("≤ "),
                          share=t.pct(target["share_met"]), met=target["cases_met"], done=done))
        if target["basis"] == "working":
            target_days = target["limit_work_hours"] / report.hours_per_day
        elif basis == "calendar":  # the chart's days are calendar days too
            target_days = target["limit_hours"] / report.hours_per_day
    else:
        findings.append(t("kpi_no_target"))
    source = t("outcome_column") if report.rejection_source == "outcome column" else t("activity_names")
    findings.append(t("kpi_rates", rejection=t.pct(report.rejection_rate), source=source,
                      ftr=t.pct(report.first_time_right)))
    blocks: list = [Bullets(findings)]

    distribution = lead_time_distribution(c.log, c.calendar)
    if not distribution.is_empty():
        from procmine.chart.histogram import draw_lead_time_histogram

        note = t("histogram_within", share=t.pct(report.target["share_met"])) if target_days is not None else ""
        subtitle = t("histogram_subtitle", done=done, calendar=c.calendar.describe(c.lang))
        blocks.append(b.chart("lead_time_distribution",
                              t("histogram_caption", days=days_word, basis=t.basis(basis)),
                              lambda: draw_lead_time_histogram(distribution, target_days=target_days, lang=c.lang,
                                                               basis=basis, subtitle=subtitle, target_note=note)))
    if report.by_month.height:
        blocks.append(b.chart("monthly_trend", t("trend_caption", days=days_word), lambda: report.plot(c.lang)))
        median = t("median_month", unit=days_word)
        columns = [t("month"), t("cases_started"), t("cases_completed"), t("in_progress_at_end"), median]
        rows = [tuple(r.values()) for r in report.by_month.iter_rows(named=True)]
        blocks.append(b.table("kpi_by_month", t("months_caption"), _frame(rows, columns),
                              {columns[1]: "int", columns[2]: "int", columns[3]: "int", median: "1f"}))
    blocks += [Note(translate.note(n, c.lang)) for n in c.own_notes(report.notes)]
    return Section("kpi", 3, t("sec_kpi"), blocks)


# --- 4 ----------------------------------------------------------------------------------------
def bottleneck_section(c: Context) -> Section:
    t, b = c.t, c.build
    report = c.results["bottlenecks"]
    basis = report.basis
    unit = t.hours_unit(basis)
    step_time = t("step_time_arrival" if c.log.has_start_times else "step_time_completion")
    blocks: list = [Paragraph(t("bottleneck_intro", basis=t.basis(basis), calendar=c.calendar.describe(c.lang),
                                step_time=step_time))]
    top = report.top(TOP_BOTTLENECKS)
    kind = {"activity": t("activity_kind"), "handoff": t("handoff_kind")}
    findings = [t("bottleneck_finding", kind=kind[r["kind"]], name=r["name"], share=t.pct(r["share_of_lead_time"]),
                  basis=t.basis(basis), median=t.num(r["median_work_hours"]), unit=unit, cases=r["cases"])
                for r in top.head(3).iter_rows(named=True)]
    if report.critical_path and report.critical_path_work_hours is not None:
        hours = report.critical_path_work_hours
        findings.append(t("critical_path", path=" → ".join(report.critical_path), hours=t.num(hours), unit=unit,
                          days=t.num(hours / c.calendar.hours_per_day), days_unit=t.days_unit(basis)))
    blocks.append(Bullets(findings or [t("no_bottlenecks")]))
    if top.height:
        median, share = t("median_hours_col", unit=unit), t("share_of_lead")
        columns = [t("rank"), t("kind"), t("where"), t("cases_col"), median, share]
        rows = [(i, kind[r["kind"]], r["name"], r["cases"], r["median_work_hours"], r["share_of_lead_time"])
                for i, r in enumerate(top.iter_rows(named=True), 1)]
        blocks.append(b.table("bottlenecks", t("bottlenecks_caption"), _frame(rows, columns),
                              {t("rank"): "int", t("cases_col"): "int", median: "1f", share: "pct"}))
        blocks.append(b.chart("bottleneck_bars", t("bars_caption", basis=t.basis(basis)),
                              lambda: report.plot(c.lang, top=TOP_BOTTLENECKS)))
    # the heat map last: a tall map takes a page of its own, and the findings, the bar chart and
    # the table fill the section's first page instead of leaving its heading there alone
    blocks.append(b.chart("bottleneck_heatmap", t("heatmap_caption", basis=t.basis(basis)), lambda: _heatmap(c)))
    blocks += [Note(translate.note(n, c.lang)) for n in c.own_notes(report.notes)]
    return Section("bottlenecks", 4, t("sec_bottlenecks"), blocks)


#: simplifications tried, in turn, until the heat map fits a report page: (activities, paths) kept
PAGE_SIMPLIFICATIONS = ((1.0, 0.7), (0.8, 0.5), (0.7, 0.4), (0.6, 0.3), (0.5, 0.2))


def page_map(c: Context):
    """The map the flowchart and the heat map draw: the auto-simplified one, or a simpler one when
    the heat map (the wider of the two: it shows working and calendar time) would not fit a page at
    8 pt. Both charts draw the same map, so they show the same boxes and arrows."""
    if "page_map" in c.results:
        return c.results["page_map"]
    import warnings

    from matplotlib.text import Text as MplText

    from procmine.chart.flowchart import PAGE_HEIGHT_IN, PAGE_TOLERANCE, PAGE_WIDTH_IN

    pmap = c.results["process_map"]
    shown = pmap.auto_simplified()
    candidates = [shown]
    for activities, paths in PAGE_SIMPLIFICATIONS:
        if activities * pmap.activities.height <= shown.activities.height or activities < 1.0 or paths < 1.0:
            candidates.append((activities, paths))
    chosen = shown
    for candidate in candidates:
        if isinstance(candidate, tuple):
            kept = min(candidate[0], shown.activities.height / max(1, pmap.activities.height))
            candidate = pmap.simplify(activities=kept, paths=candidate[1])
        chosen = candidate
        c.results["page_map"] = candidate
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # said below when even the simplest map does not fit
            figure = _heatmap(c)
        width, height = figure.get_size_inches()
        smallest = min((t.get_fontsize() for t in figure.findobj(MplText) if t.get_text()), default=8.0)
        if width <= PAGE_WIDTH_IN * PAGE_TOLERANCE and height <= PAGE_HEIGHT_IN * PAGE_TOLERANCE and smallest >= 8:
            break
    c.results["page_map"] = chosen
    return chosen


def _heatmap(c: Context):
    """The heat map with the same figures as the flowchart: each box and arrow in working time
    (工作日 of the calendar's day) with the calendar time (天/小时) the flowchart shows beside it."""
    from procmine.chart.flowchart import draw_heatmap

    report = c.results["bottlenecks"]
    working = report.basis == "working"
    main = "median_work_hours" if working else "median_hours"

    def pairs(frame, keys):
        rows = frame.select(*keys, pl.col(main).alias("__main"), pl.col("median_hours").alias("__calendar"))
        return {(k[0] if len(k) == 1 else tuple(k)): (m, h if working else None) for *k, m, h in rows.iter_rows()}

    shown = page_map(c)
    title = f"{BOTTLENECKS('heatmap_title', c.lang)} · {report.source}".rstrip(" ·")
    note = c.calendar.describe(c.lang)
    if shown.simplification:
        note += "\n" + shown.simplification.note(c.lang)
    return draw_heatmap(shown.graph, pairs(report.activities, ["activity"]), pairs(report.handoffs, ["source", "target"]),
                        hours_per_day=c.calendar.hours_per_day if working else None,
                        time_basis="working" if working else "calendar", title=title, note=note, lang=c.lang,
                        step_times=c.log.has_start_times)


# --- 5 ----------------------------------------------------------------------------------------
def loop_section(c: Context) -> Section:
    t, b = c.t, c.build
    report = c.results["loops"]
    basis = report.basis
    unit = t.hours_unit(basis)
    blocks: list = [Paragraph(t("loops_intro", unit=unit, basis=t.basis(basis)))]
    loops = report.loops.to_dicts()
    if not loops:
        blocks.append(Paragraph(t("loops_none")))
    else:
        with_loop = report.cases_with_loops
        findings = [t("loops_total", n=len(loops), cases=with_loop,
                      share=t.pct(with_loop / report.cases if report.cases else None))]
        for r in loops[:5]:
            values = dict(label=LoopReport.label(r, c.lang), cases=r["cases"], share=t.pct(r["case_share"]),
                          traversals=r["traversals"], extra=t.num(r["median_extra_work_hours"]), unit=unit)
            if r["kind"] == "ping-pong":
                findings.append(t("pong_finding", **values))
            else:
                findings.append(t("loop_finding", kind=LOOPS(r["kind"], c.lang), sender=r["sender"], **values))
        blocks.append(Bullets(findings))
        blocks.append(b.chart("loops", t("loops_caption"), lambda: report.plot(lang=c.lang, top=TOP_LOOPS)))
        extra = t("median_extra", unit=unit)
        columns = [t("rank"), t("loop"), t("kind"), t("sent_back_by"), t("cases_col"), t("share"), t("traversals"),
                   extra, t("example_cases")]
        rows = [(i, LoopReport.label(r, c.lang), LOOPS(r["kind"], c.lang), r["sender"], r["cases"],
                 r["case_share"], r["traversals"], r["median_extra_work_hours"],
                 ", ".join(r["example_cases"][:EXAMPLE_CASES]))
                for i, r in enumerate(loops[:TOP_LOOPS], 1)]
        blocks.append(b.table("loops", t("loops_table"), _frame(rows, columns),
                              {t("rank"): "int", t("cases_col"): "int", t("share"): "pct", t("traversals"): "int",
                               extra: "1f"}))
    repeated = report.repeated_activities
    if repeated.height:
        columns = [t("activity"), t("repeat_cases"), t("repetitions"), t("max_in_case")]
        rows = [tuple(r.values()) for r in repeated.head(10).iter_rows(named=True)]
        blocks.append(b.table("repeated_activities", t("repeated_caption"), _frame(rows, columns),
                              {columns[1]: "int", columns[2]: "int", columns[3]: "int"}))
    for region in report.map_regions or []:
        if not region["confirmed"]:
            blocks.append(Note(t("map_cycle", names=t.join(region["activities"]))))
    blocks += [Note(translate.note(n, c.lang)) for n in c.own_notes(report.warnings)]
    return Section("loops", 5, t("sec_loops"), blocks)


# --- 6 ----------------------------------------------------------------------------------------
def workload(c: Context) -> Section:
    t = c.t
    report = c.results["bottlenecks"]
    unit = t.hours_unit(report.basis)
    blocks: list = []
    levels = [(level, getattr(report, name)) for level, name in ((DEPARTMENT, "departments"), (ROLE, "roles"))
              if getattr(report, name).height]
    people = report.resources
    if not levels and not people.height:
        return Section("workload", 6, t("sec_workload"), [Paragraph(t("no_organisation"))])
    first = levels[0][0] if levels else RESOURCE
    span = t("span_arrival" if c.log.has_start_times else "span_completion")
    whose = "" if first == RESOURCE else t("whose", level=_level(t, first))
    blocks.append(Paragraph(t("workload_intro", level=_level(t, first), unit=unit, span=span, whose=whose)))
    for level, frame in levels:
        blocks += _workload_table(c, level, frame, unit)
    if people.height:
        shown = people.sort(["events", RESOURCE], descending=[True, False]).head(TOP_PEOPLE)
        blocks += _workload_table(c, RESOURCE, shown, unit, caption=t("people_caption", n=shown.height),
                                  findings=not levels)
    blocks += _handoffs(c)
    return Section("workload", 6, t("sec_workload"), blocks)


def _level(t: Text, level: str) -> str:
    return t(f"level_{level}")


def _workload_table(c: Context, level: str, frame: pl.DataFrame, unit: str, caption: str | None = None,
                    findings: bool = True) -> list:
    t, b = c.t, c.build
    word = _level(t, level)
    blocks: list = []
    if findings and frame.height:
        busiest = frame.sort(["events", level], descending=[True, False]).row(0, named=True)
        slowest = frame.sort(["total_work_hours", level], descending=[True, False], nulls_last=True).row(0, named=True)
        blocks.append(Bullets([t("workload_finding", level=word, busiest=busiest[level], events=busiest["events"],
                                 cases=busiest["cases"], slowest=slowest[level],
                                 total=t.num(slowest["total_work_hours"]), unit=unit,
                                 share=t.pct(slowest["share_of_lead_time"]))]))
    total, median, share = t("total_hours", unit=unit), t("median_step", unit=unit), t("share_of_lead")
    columns = [word, t("events"), t("cases_col"), total, median, share]
    rows = [(r[level], r["events"], r["cases"], r["total_work_hours"], r["median_work_hours"], r["share_of_lead_time"])
            for r in frame.iter_rows(named=True)]
    blocks.append(b.table(f"workload_{level}", caption or t("workload_caption", level=word), _frame(rows, columns),
                          {t("events"): "int", t("cases_col"): "int", total: "1f", median: "1f", share: "pct"}))
    return blocks


def _handoffs(c: Context) -> list:
    t, b = c.t, c.build
    level = party_level(c.log)
    if level is None:
        return []
    pairs = department_handoffs(c.log, c.calendar, by=level)
    if pairs.is_empty():
        return []
    word = _level(t, level)
    unit = t.hours_unit(c.basis)
    blocks: list = [Heading(t("handoff_title", level=word))]
    blocks.append(Paragraph(t("handoff_intro", table=b.next_table(), level=word)))
    matrix = handoff_matrix(pairs, top=MATRIX_PARTIES, other=t("other"))
    header = t("from_to")
    frame = matrix.to_pandas()
    frame.columns = [header, *frame.columns[1:]]
    note = t("matrix_more", top=MATRIX_PARTIES, level=word, other=t("other")) if t("other") in frame.columns else ""
    blocks.append(b.table("handoff_matrix", t("matrix_caption", level=word), frame,
                          {col: "int" for col in frame.columns[1:]}, note=note))
    total = int(pairs["handoffs"].sum())
    cross = pairs.filter(pl.col("from") != pl.col("to"))
    crossing = int(cross["handoffs"].sum())
    findings = [t("handoff_finding", total=total, cross=crossing, level=word,
                  share=t.pct(crossing / total if total else None))]
    if cross.height:
        top = cross.row(0, named=True)
        findings.append(t("handoff_top", level=word, a=top["from"], b=top["to"], n=top["handoffs"],
                          cases=top["cases"], wait=t.num(top["median_wait_work_hours"]), unit=unit))
        wait = t("median_wait", unit=unit)
        columns = [t("from"), t("to"), t("handoffs"), t("cases_col"), wait]
        rows = [tuple(r.values()) for r in cross.head(10).iter_rows(named=True)]
        blocks.append(Bullets(findings))
        blocks.append(b.table("handoffs_between", t("cross_caption", level=word), _frame(rows, columns),
                              {t("handoffs"): "int", t("cases_col"): "int", wait: "1f"}))
    else:
        blocks.append(Bullets(findings))
    return blocks


# --- 7 ----------------------------------------------------------------------------------------
def improvements(c: Context) -> Section:
    t, b = c.t, c.build
    report = c.results["improvements"]
    unit = t.hours_unit(report.basis)
    blocks: list = [Paragraph(t("improve_intro", n=len(report.candidates), unit=unit, basis=t.basis(report.basis)))]
    if report.candidates:
        saving = t("saving", unit=unit)
        columns = [t("rank"), t("kind"), t("steps_col"), saving, t("evidence")]
        key = t.pick(("summary", "summary_en"))
        rows = [(i, t(f"kind_{cand.kind}"), " + ".join(cand.activities), cand.estimated_saving_work_hours,
                 cand.evidence.get(key, cand.evidence["summary"]))
                for i, cand in enumerate(report.candidates, 1)]
        blocks.append(b.table("improvement_candidates", t("improve_caption"), _frame(rows, columns),
                              {t("rank"): "int", saving: "2f"}))
    blocks += [Note(translate.note(n, c.lang)) for n in c.own_notes(report.warnings)]
    return Section("improvements", 7, t("sec_improvements"), blocks)


def before_after(c: Context, diff) -> Section:
    """改造前后对比 from :class:`procmine.compare.periods.PeriodComparison`: KPI deltas with their
    intervals, the difference map and the steps that changed."""
    from procmine.compare.periods import PHRASES as PERIODS, _step_line

    t, b = c.t, c.build
    before, after = diff.labels(c.lang)
    blocks: list = [Paragraph(t("before_after_intro", before=before, after=after, basis=t.basis(diff.basis)))]
    cols = [t(f"ba_{name}") for name in ("measure", "before", "after", "change", "interval", "verdict")]
    rows = []
    for r in diff.kpis.iter_rows(named=True):
        rate = r["unit"].startswith("fraction")
        scale = 100 if rate else 1
        interval = "–" if r["ci_low"] is None else f"[{r['ci_low'] * scale:+.1f}, {r['ci_high'] * scale:+.1f}]"
        verdict = "–" if r["within_noise"] is None else t("ba_within_noise" if r["within_noise"] else "ba_real_change")
        name = PERIODS(r["measure"], c.lang)
        rows.append((t("ba_points", name=name) if rate else name,
                     None if r["before"] is None else r["before"] * scale, None if r["after"] is None else r["after"] * scale,
                     None if r["delta"] is None else r["delta"] * scale, interval, verdict))
    blocks.append(b.table("before_after_kpis", t("before_after_kpi_caption"), _frame(rows, cols),
                          {cols[1]: "1f", cols[2]: "1f", cols[3]: "1f"}))
    blocks.append(b.chart("difference_map", t("before_after_map_caption"), lambda: diff.plot(c.lang)))
    changed = [r for r in diff.activities.iter_rows(named=True) if r["change"] != "same"]
    if changed:
        blocks.append(Bullets([_step_line(r, t, diff.basis) for r in changed]))
    return Section("before_after", 0, t("sec_before_after"), blocks)


# --- 8 ----------------------------------------------------------------------------------------
def comparison(c: Context, result) -> Section:
    """Section 8 from ``procmine.compare``'s Comparison: ``to_dict()`` for the numbers, ``plot(lang)``."""
    t, b = c.t, c.build
    d = result.to_dict()
    cases = d.get("cases") or 0
    conforming = d.get("conforming_cases") or 0
    fitness = d.get("fitness")
    blocks: list = [Paragraph(t("compare_intro", process=d.get("process") or c.process,
                                method=t.pick((t("replay_method"), d.get("fitness_method"))) or "–",
                                fitness="–" if fitness is None else f"{fitness:.3f}", conforming=conforming,
                                cases=cases, share=t.pct(conforming / cases if cases else None)))]
    counts = []
    for key in COMPARISON_LISTS:
        if key in d:
            n = sum(1 for item in d.get(key) or [] if item.get("cases", 1))  # a rule checked and kept is no deviation
            counts.append(t("compare_count", what=t(key.removesuffix("_activities")), n=n))
    blocks.append(Bullets(counts))
    blocks.append(b.chart("design_comparison", t("compare_caption"), lambda: result.plot(c.lang)))

    def examples(row) -> str:
        ids = row.get("case_ids") or row.get("example_case_ids") or []
        return ", ".join(str(x) for x in ids[:EXAMPLE_CASES])

    def listed(value) -> str:
        if isinstance(value, (list, tuple, set)):
            return t.join(value)
        return "–" if value is None else str(value)

    def rule_text(row) -> str:
        text = t.pick((row.get("text"), row.get("text_en")))
        return listed(text or row.get("rule"))

    def excess(row) -> str:
        if row.get("median_excess_work_hours") is not None:
            return f"{t.num(row['median_excess_work_hours'])} {t.hours_unit('working')}"
        if row.get("median_excess_hours") is not None:
            return f"{t.num(row['median_excess_hours'])} {t.hours_unit('calendar')}"
        return "–"

    def achieved(row):
        return row.get("share_met") if row.get("share_met") is not None else row.get("actual")

    def met(row) -> str:
        flag = row.get("met")
        if flag is None and row.get("share_met") is not None:
            return "–"
        return t("yes") if flag else (t("no") if flag is not None else "–")

    cases_col, ex = t("cases_col"), t("example_cases")
    by_activity = ([t("activity"), cases_col, ex], lambda r: (r.get("activity"), r.get("cases"), examples(r)),
                   {cases_col: "int"})

    def word(value):
        return t(f"word_{value}") if value in RULE_WORDS else value

    specs = {
        "unplanned_activities": by_activity,
        "skipped_activities": by_activity,
        "unexpected_starts": by_activity,
        "unexpected_ends": by_activity,
        "extra_handoffs": ([t("source"), t("target_col"), cases_col, ex],
                           lambda r: (r.get("source"), r.get("target"), r.get("cases"), examples(r)),
                           {cases_col: "int"}),
        "unused_handoffs": ([t("source"), t("target_col")], lambda r: (r.get("source"), r.get("target")), {}),
        "rule_violations": ([t("rule"), t("rule_kind"), cases_col, ex],
                            lambda r: (rule_text(r), word(r.get("kind")), r.get("cases"), examples(r)), {cases_col: "int"}),
        "time_violations": ([t("activity"), t("limit"), cases_col, t("share"), t("median_excess"), ex],
                            lambda r: (r.get("activity"), listed(r.get("limit")), r.get("cases"), r.get("share"),
                                       excess(r), examples(r)),
                            {cases_col: "int", t("share"): "pct"}),
        "responsibility_violations": ([t("activity"), t("field_col"), t("expected"), t("actual"), cases_col, ex],
                                      lambda r: (r.get("activity"), word(r.get("field")), listed(r.get("expected")),
                                                 listed(r.get("actual")), r.get("cases"), examples(r)),
                                      {cases_col: "int"}),
        "targets": ([t("target_name"), t("limit"), t("share_met"), t("cases_met"), cases_col, t("met")],
                    lambda r: (word(listed(r.get("name"))), listed(r.get("limit")), achieved(r), r.get("cases_met"),
                               r.get("cases"), met(r)),
                    {t("share_met"): "pct", t("cases_met"): "int", cases_col: "int"}),
    }
    for key, (columns, row, formats) in specs.items():
        items = d.get(key) or []
        if items:
            blocks.append(b.table(f"design_{key}", t(key.removesuffix("_activities")),
                                  _frame([row(r) for r in items], columns), formats))
    notes = getattr(result, "notes", None) or d.get("notes") or []
    blocks += [Note(n.describe(t.lang) if hasattr(n, "describe") else str(n)) for n in notes]
    return Section("comparison", 8, t("sec_comparison"), blocks)


#: The words of a rule's kind, a responsibility's field and a target's name ("word_<value>" phrases).
RULE_WORDS = ("department", "role", "lead_time", "rejection_rate", "first_time_right", "precedence", "required_if",
              "four_eyes")
COMPARISON_LISTS = ("unplanned_activities", "skipped_activities", "unexpected_starts", "unexpected_ends",
                    "extra_handoffs", "unused_handoffs", "rule_violations", "time_violations",
                    "responsibility_violations")


# --- 9 ----------------------------------------------------------------------------------------
def appendix(c: Context) -> Section:
    t, b = c.t, c.build
    hours = c.calendar.hours_per_day
    with_design = "comparison" in c.results
    rows = [(t.pick((zh, en)), t.pick((dzh, den)).format(hours=hours)) for zh, en, dzh, den in DEFINITIONS
            if with_design or en != "fitness"]
    blocks: list = [b.table("definitions", t("definitions_caption"), _frame(rows, [t("measure"), t("definition")]))]
    blocks.append(Heading(t("method_title")))
    blocks.append(Bullets([
        t("method_calendar", calendar=c.calendar.describe(c.lang), hours=hours),
        t("method_timezone", tz=c.log.timezone),
        t("method_tool", version=__version__),
    ]))
    return Section("appendix", 9, t("sec_appendix"), blocks)
