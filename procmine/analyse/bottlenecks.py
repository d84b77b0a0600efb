"""Where does the time go? Activities, hand-offs, people and departments ranked by their share.

    >>> report = procmine.bottlenecks(log)              # doctest: +SKIP
    >>> report.activities.head()                         # doctest: +SKIP
    >>> report.plot()                                    # top bottlenecks as a bar chart  # doctest: +SKIP

``share_of_lead_time`` = time spent there, summed over all cases ÷ lead time summed over all
cases, in working time (calendar time with ``Calendar(kind="none")``). At a step the time is
arrival → completion (the step had the work: queueing in the approver's inbox and doing it);
at a hand-off it is the wait from the moment the next step was ready to its arrival. Steps
that ran in parallel both count, so shares can add up to more than 100 %.
"""

from __future__ import annotations

import html
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import polars as pl

from procmine.analyse.causes import PHRASES as CAUSES, start_is_work_start, step_causes
from procmine.analyse.times import TimeTables, time_tables
from procmine.engine.tables import CODE_OF, by_pair
from procmine.discover.process_map import ProcessMap, _from_tables, discover
from procmine.timezones import wall_clock_us
from procmine.log import ACTIVITY, DEPARTMENT, RESOURCE, ROLE, START, EventLog

US_PER_DAY = 86_400_000_000
from procmine.result import Result, display_lang
from procmine.text import Text, phrases

if TYPE_CHECKING:
    import pandas as pd
    from procmine.calendar import Calendar

PHRASES = phrases("bottlenecks", {
    "head": ("瓶颈：{cases:,} 个案例；占总周期时间的比例按{basis}计（{calendar}）",
             "Bottlenecks: {cases:,} cases; share of lead time in {basis} ({calendar})"),
    # the Chinese line names the kind of place; the English one does not
    "row": ("  {share:5.1f} %  {kind}：{name}（中位 {median} {unit}，{cases:,} 个案例）",
            "  {share:5.1f} %  {name}  (median {median} {unit}, {cases:,} cases)"),
    "kind_activity": ("环节", "activity"),
    "kind_handoff": ("交接", "hand-off"),
    "unit_working": ("工作小时", "working"),
    "unit_calendar": ("日历小时", "calendar"),
    "critical_path": ("  关键路径：{path}（典型案例约 {hours} {unit}）",
                      "  critical path: {path} (≈ {hours} {unit} time in a typical case)"),
    "causes_head": ("  原因（耗时最多的环节，每件平均）：", "  causes (the activities taking most time, per case on average):"),
    "at_step_work": ("处理", "processing"),
    "at_step_arrival": ("在办（排队与处理，日志不分）", "at the step (queue and work, not told apart)"),
    "wait_work": ("开始前排队", "queue before work starts"),
    "wait_arrival": ("交接等待", "hand-off wait"),
    "split": ("{at_step} {at}、{wait} {waited}、返工 {rework} {unit}", "{at_step} {at}, {wait} {waited}, rework {rework} {unit}"),
    "who_one": ("；{person} 处理 {share:.0%}（共 {people} 人）", "; {person} does {share:.0%} ({people} person)"),
    "who_many": ("；{person} 处理 {share:.0%}（共 {people} 人）", "; {person} does {share:.0%} ({people} people)"),
    "rhythm": ("；{share:.0%} 在{day}完成", "; {share:.0%} completed on {day}"),
    "no_single_cause": ("未见单一原因", "no single cause found"),
    "cause_line": ("    {activity}：{split}{who}{rhythm} → {named}", "    {activity}: {split}{who}{rhythm} → {named}"),
    "bars_title": ("瓶颈：占总周期时间的比例", "Bottlenecks: share of total lead time"),
    "bars_subtitle": ("{cases:,} 个案例 · 按{basis}计 · {calendar}", "{cases:,} cases · {basis} · {calendar}"),
    "bars_axis": ("占总周期时间比例", "share of lead time"),
    "bar_unit_working": ("工作小时", "working h"),
    "bar_unit_calendar": ("小时", "h"),
    "bar_activity": ("环节：{name}", "activity: {name}"),
    "bar_handoff": ("交接：{name}", "handoff: {name}"),
    "bar_note": ("中位 {median} {unit} · {cases:,} 个案例", "median {median} {unit} · {cases:,} cases"),
    "heatmap_title": ("瓶颈热力图：时间花在哪里", "Where the time goes"),
    # the notebook display
    "html_head": ("瓶颈", "Bottlenecks"),
    "html_said": ("（{cases:,} 个案例；{calendar}）", " ({cases:,} cases; {calendar})"),
    "html_where": ("位置", "where"),
    "html_cases": ("案例数", "cases"),
    "html_median": ("中位（{unit}）", "median ({unit})"),
    "html_share": ("占总周期时间比例", "share of lead time"),
    "html_path": ("关键路径：{path}", "critical path: {path}"),
})

#: Activities and hand-offs on the critical path must be seen in at least this share of cases
#: (tried in turn until the usual last step can be reached from the usual first step).
TYPICAL_SHARES = (1 / 3, 0.2, 0.05)


class Later:
    """A figure of a result measured the first time it is read (see :class:`Bottlenecks`)."""

    __slots__ = ("measure",)

    def __init__(self, measure):
        self.measure = measure


@dataclass
class Bottlenecks(Result):
    """Ranked time consumers of a log, plus the critical path and workload per person/department.

    The people, departments, roles, critical path, backlog, causes and workload may be given as
    :class:`Later`: measured when first read. ``procmine bottlenecks -o`` sends both charts (they
    need the activities and hand-offs only) to the chart process first, and the rest is measured
    while they are drawn."""

    activities: pl.DataFrame
    handoffs: pl.DataFrame
    resources: pl.DataFrame
    departments: pl.DataFrame
    roles: pl.DataFrame
    critical_path: list[str]
    critical_path_work_hours: float | None
    backlog: pl.DataFrame
    cases: int
    basis: str
    calendar_description: str
    source: str = ""
    _tables: TimeTables | None = field(default=None, repr=False)
    _map: object = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)
    #: per activity: time at the step, waiting before it, rework, the person carrying most of it,
    #: the weekday/hour rhythm and the causes named (see :mod:`procmine.analyse.causes`)
    causes: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: per person at the top bottleneck activities: executions, share, median and total working hours
    workload: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: True when the log's second time is when work started (then the wait before it is a queue)
    work_starts: bool = False

    def __getattribute__(self, name: str):
        value = object.__getattribute__(self, name)
        if type(value) is Later:
            value = value.measure()
            object.__setattr__(self, name, value)
        return value

    #: The figures that may be :class:`Later`, in groups that share a measurement (the critical path
    #: and its hours; the causes and the workload at their top activities).
    LATER_GROUPS = (("causes", "workload"), ("resources", "departments", "roles"),
                    ("critical_path", "critical_path_work_hours"), ("backlog",))

    def measure_later(self) -> None:
        """Measure every figure still :class:`Later`, two groups at a time: they read the same
        engine tables and write nothing but their own field, and polars and numpy let go of the GIL
        (``bottlenecks -o`` at 10M steps, while the chart process draws: 10.93 → 10.63 s)."""
        fields = vars(self)
        groups = [g for g in self.LATER_GROUPS if any(type(fields[name]) is Later for name in g)]
        if not groups:
            return
        if self._tables is not None:  # the people's and departments' codes, read by two groups: built once, first
            self._tables.codes(RESOURCE), self._tables.codes(DEPARTMENT)

        def measure(group: tuple[str, ...]) -> None:
            for name in group:
                getattr(self, name)  # (reading a Later field measures it)

        with ThreadPoolExecutor(2, thread_name_prefix="procmine-bottlenecks") as pool:
            list(pool.map(measure, groups))

    # --- tables ------------------------------------------------------------------------
    def to_frame(self, level: str = "activities") -> pd.DataFrame:
        """One of the rankings as a pandas DataFrame (activities, handoffs, resources, departments, roles)."""
        return getattr(self, level).to_pandas()

    def top(self, n: int = 10) -> pl.DataFrame:
        """Activities and hand-offs together, by share of lead time."""
        acts = self.activities.select(
            pl.lit("activity").alias("kind"), pl.col(ACTIVITY).alias("name"), "cases", "median_work_hours",
            "share_of_lead_time")
        hand = self.handoffs.select(
            pl.lit("handoff").alias("kind"), (pl.col("source") + " → " + pl.col("target")).alias("name"), "cases",
            "median_work_hours", "share_of_lead_time")
        ranked = pl.concat([acts, hand]).sort("share_of_lead_time", descending=True, nulls_last=True)
        return ranked.filter(pl.col("share_of_lead_time") > 0.001).head(n)  # 0 % is not a bottleneck

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "cases": self.cases,
            "time_basis": self.basis,
            "calendar": self.calendar_description,
            "units": {"*_hours": "calendar hours", "*_work_hours": "working hours", "share_of_lead_time": "fraction"},
            "activities": _records(self.activities),
            "handoffs": _records(self.handoffs),
            "resources": _records(self.resources),
            "departments": _records(self.departments),
            "roles": _records(self.roles),
            "critical_path": self.critical_path,
            "critical_path_work_hours": _round(self.critical_path_work_hours),
            "causes": _records(self.causes.drop("by_hour", strict=False)) if self.causes.height else [],
            "rhythm": {r[ACTIVITY]: {"completions_by_weekday_mon_to_sun": r["by_weekday"],
                                     "completions_by_hour_0_to_23": r["by_hour"]}
                       for r in self.causes.iter_rows(named=True)} if self.causes.height else {},
            "workload": _records(self.workload),
            "at_step_means": ("processing (work start → completion)" if self.work_starts
                              else "queue and processing together (arrival → completion; the log cannot tell them apart)"),
            "notes": self.notes,
        }


    def describe(self, lang: str = "zh", n: int = 8) -> str:
        """The top bottlenecks and the critical path as text, in Chinese (zh) or English (en)."""
        t = PHRASES.text(lang)
        unit = t(f"unit_{self.basis}")
        lines = [t("head", cases=self.cases, basis=t.basis(self.basis), calendar=self._tables.calendar.describe(lang))]
        for row in self.top(n).iter_rows(named=True):
            # the Chinese names the kind and gives hours; the English gives the duration in its own unit
            median = t.pick((_fmt(row["median_work_hours"]), t.hours(row["median_work_hours"])))
            lines.append(t("row", share=row["share_of_lead_time"] * 100, kind=t(f"kind_{row['kind']}"),
                           name=row["name"], median=median, unit=unit, cases=row["cases"]))
        if self.critical_path:
            hours = t.pick((_fmt(self.critical_path_work_hours), t.hours(self.critical_path_work_hours)))
            lines.append(t("critical_path", path=" → ".join(self.critical_path), hours=hours, unit=unit))
        return "\n".join(lines + self._cause_lines(t))

    def __str__(self) -> str:
        return self.describe("zh")

    def _cause_lines(self, t: Text, top: int = 3) -> list[str]:
        """Why the top activities are slow: time split per case, who carries it, when it is done."""
        if not self.causes.height:
            return []
        unit = t.hours_unit(self.basis)
        at_step = t("at_step_work" if self.work_starts else "at_step_arrival")
        wait = t("wait_work" if self.work_starts else "wait_arrival")
        lines = [t("causes_head")]
        for r in self.causes.head(top).iter_rows(named=True):
            n = max(r["cases"], 1)
            split = t("split", at_step=at_step, at=_fmt(r["at_step_work_hours"] / n), wait=wait,
                      waited=_fmt(r["wait_work_hours"] / n), rework=_fmt(r["rework_work_hours"] / n), unit=unit)
            who = ""
            if r["top_person"] is not None:
                who = t("who_one" if r["people"] == 1 else "who_many", person=r["top_person"],
                        share=r["top_person_share"], people=r["people"])
            days = r["by_weekday"] or []
            rhythm = ""
            if days and sum(days):
                best = max(range(7), key=lambda d: days[d])
                rhythm = t("rhythm", share=days[best] / sum(days), day=CAUSES(f"weekday_{best}", t.lang))
            named = t.join(CAUSES(c, t.lang) for c in r["causes"]) or t("no_single_cause")
            lines.append(t("cause_line", activity=r[ACTIVITY], split=split, who=who, rhythm=rhythm, named=named))
        return lines

    def _repr_html_(self) -> str:
        esc, t = html.escape, PHRASES.text(display_lang(self))
        rows = "".join(
            f"<tr><td>{esc(t('kind_' + r['kind']))}</td><td>{esc(r['name'])}</td><td>{r['cases']:,}</td>"
            f"<td>{_fmt(r['median_work_hours'])}</td><td>{r['share_of_lead_time'] * 100:.1f} %</td></tr>"
            for r in self.top(12).iter_rows(named=True)
        )
        heads = "".join(f"<th>{esc(t(key, unit=t.hours_unit(self.basis)))}</th>"
                        for key in ("html_where", "html_cases", "html_median", "html_share"))
        calendar = self._tables.calendar.describe(t.lang) if self._tables is not None else self.calendar_description
        return (
            f"<div><b>{esc(t('html_head'))}</b>{esc(t('html_said', cases=self.cases, calendar=calendar))}"
            f"<table><tr><th></th>{heads}</tr>{rows}</table>"
            f"<p>{esc(t('html_path', path=' → '.join(self.critical_path)))}</p></div>"
        )

    # --- files -------------------------------------------------------------------------
    outputs = ("bottlenecks.png", "bottlenecks.svg", "bottleneck_heatmap.png", "bottleneck_heatmap.svg",
               "bottlenecks.json", "backlog.csv")

    def _write_files(self, paths, lang, top: int = 10, filters=(), painter=None, **options) -> None:
        """The top bottlenecks and the heat map (PNG + SVG), the JSON, and the backlog by period.
        With a ``painter`` both charts are drawn in its process: the bars while the heat map's
        map is measured here, then the heat map while the JSON and the backlog are written (and
        the figures given as :class:`Later` measured)."""
        from procmine.output import write_csv

        def rest():  # (in the meantime, with a painter: what is still to measure is measured while it draws)
            self.measure_later()
            self._write_json(paths, "bottlenecks.json", filters)
            if "backlog.csv" in paths:
                write_csv(self.backlog.with_columns(self.backlog["period_end"].dt.strftime("%Y-%m-%d")),
                          paths["backlog.csv"])

        self._write_charts(paths, {"bottlenecks": self._bars(lang, top),
                                   "bottleneck_heatmap": lambda: self._heatmap(lang)}, painter, meanwhile=rest)

    # --- charts ------------------------------------------------------------------------
    def plot(self, lang: str = "zh", top: int = 10):
        """Bar chart of the ``top`` activities and hand-offs by share of lead time (the same
        ``plot(lang, top)`` as every result)."""
        draw, arguments = self._bars(lang, top)
        return draw(**arguments)

    def _bars(self, lang: str, top: int) -> tuple:
        """The bar chart as (drawing function, its arguments): drawn here or in another process."""
        from procmine.chart.background import share_bars_figure  # (matplotlib is imported where it draws)

        t = PHRASES.text(lang)
        n = top
        top = self.top(n)
        unit = t(f"bar_unit_{self.basis}")
        labels = [t(f"bar_{k}", name=name) for k, name in zip(top["kind"], top["name"])]
        notes = [t("bar_note", median=_fmt(m), unit=unit, cases=c)
                 for m, c in zip(top["median_work_hours"], top["cases"])]
        title = f"{t('bars_title')} · {self.source}".rstrip(" ·")  # the file, and the filter when there is one
        subtitle = t("bars_subtitle", cases=self.cases, basis=t.basis(self.basis),
                     calendar=self._tables.calendar.describe(lang))
        return share_bars_figure, {"labels": labels, "shares": top["share_of_lead_time"].to_list(), "notes": notes,
                                 "title": title, "subtitle": subtitle, "axis_label": t("bars_axis")}

    def heatmap(self, lang: str = "zh"):
        """The current flowchart coloured by where the working time goes.

        The map's structure (and its simplification of large maps, start and end, cases still
        in progress) is the current flowchart's; boxes and arrows carry working-time medians.
        """
        draw, arguments = self._heatmap(lang)
        return draw(**arguments)

    def _heatmap(self, lang: str) -> tuple:
        """The heat map as (drawing function, its arguments): drawn here or in another process."""
        from procmine.chart.background import flowchart_figure  # (matplotlib is imported where it draws)

        shown = self._map.auto_simplified()
        graph = shown.graph
        steps = dict(zip(self.activities[ACTIVITY], self.activities["median_work_hours"]))
        waits = {(s, t): m for s, t, m in self.handoffs.select("source", "target", "median_work_hours").iter_rows()}
        for node, data in graph.nodes(data=True):
            if data.get("kind") == "activity":
                data["median_duration_hours"] = steps.get(node)
        for source, target, data in graph.edges(data=True):
            if data.get("median_hours") is not None or (source, target) in waits:
                data["median_hours"] = waits.get((source, target))  # None where simplification joined steps
        title = f"{PHRASES('heatmap_title', lang)} · {self.source}".rstrip(" ·")
        basis = "working" if self.basis == "working" else "calendar"
        note = self._tables.calendar.describe(lang)
        if shown.simplification:
            note += "\n" + shown.simplification.note(lang)
        # with one time per step a box's time is the arrow's interval: shown once, on the arrow
        return flowchart_figure, {"graph": graph, "title": title, "note": note, "lang": lang, "time_basis": basis,
                                "step_times": self._tables.has_start_times}


class MapWhenDrawn:
    """The process map the heat map draws on, discovered the first time it is drawn (a text or
    JSON result never needs it; on Spark it is computed there). Reads as the map itself.

    ``build`` makes it from figures already measured (see :func:`_map_of_ranked`); without it the
    map is discovered from the log."""

    def __init__(self, log, build=None):
        self._log = log
        self._build = build

    @cached_property
    def _map(self):
        if self._build is not None:
            return self._build()
        return discover(self._log)  # the map without a calendar, as the flowchart draws it

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._map, name)


def bottlenecks(log: EventLog, calendar: "Calendar | None" = None) -> Bottlenecks:
    """Rank where the time goes in ``log`` (see the module docstring for the definitions).

    A log read with ``engine="spark"`` is measured on Spark (:mod:`procmine.engine.spark_analyses`)."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_analyses import spark_bottlenecks

        return spark_bottlenecks(log, calendar)
    tables = time_tables(log, calendar)
    steps = tables.steps

    def share(column: str) -> pl.Expr:
        return (pl.col(column).sum() / lead_total) if lead_total else pl.lit(None, dtype=pl.Float64)

    def rank(frame: pl.DataFrame, keys: list[str], hours: str, work: str) -> pl.DataFrame:
        # per activity, a case's first pass is occurrence 1: counting those counts distinct cases
        by_activity = keys == [ACTIVITY] and "occurrence" in frame.columns
        cases = (pl.col("occurrence") == 1).sum().cast(pl.UInt32) if by_activity else pl.col("case_code").n_unique()
        # activities, people and departments are grouped by integer codes (cheaper than text), named after
        coded = {k: CODE_OF[k] for k in keys if CODE_OF.get(k) in frame.columns}
        dictionaries = {k: tables.activity_names for k in coded}
        for k in keys:
            if k in (RESOURCE, DEPARTMENT, ROLE):
                codes, dictionaries[k] = tables.codes(k)
                coded[k] = f"__{k}_code"
                frame = frame.with_columns(codes.alias(coded[k]))
        group = [coded.get(k, k) for k in keys]
        figures = [
            pl.len().alias("events" if hours == "duration_hours" else "frequency"),
            cases.alias("cases"),
            pl.col(hours).median().alias("median_hours"),
            pl.col(hours).quantile(0.9, "linear").alias("p90_hours"),
            pl.col(work).median().alias("median_work_hours"),
            pl.col(work).quantile(0.9, "linear").alias("p90_work_hours"),
            pl.col(work).sum().alias("total_work_hours"),
            share(work).alias("share_of_lead_time"),
        ]
        measured = (frame.select(*group, "case_code", *(["occurrence"] if by_activity else []), hours, work)
                    .filter(pl.all_horizontal(pl.col(k).is_not_null() for k in group)))
        if len(group) == 2:  # a hand-off's two activity codes
            ranked = by_pair(measured, group, tables.activity_names.len(), *figures)
        else:
            ranked = measured.group_by(group).agg(*figures)
        ranked = ranked.with_columns(dictionaries[key].gather(ranked[code]).alias(key) for key, code in coded.items())
        return (ranked.select(*keys, pl.exclude(*keys, *coded.values()))
                .sort(["share_of_lead_time", *keys], descending=[True] + [False] * len(keys), nulls_last=True))

    # the hand-offs are built in a thread while the cases and the activities' ranking are measured here
    with ThreadPoolExecutor(1, thread_name_prefix="procmine-bottlenecks") as pool:
        building = pool.submit(lambda: tables.handoff_codes)
        cases = tables.cases
        lead_total = cases["lead_work_hours"].sum() or None
        activities = rank(steps, [ACTIVITY], "duration_hours", "duration_work_hours")
        handoffs = building.result()
    hand = rank(handoffs, ["source", "target"], "hours", "work_hours")
    notes = []
    if not tables.has_start_times:
        # completion → completion: the wait before a step is the step's own duration; count it once
        hand = hand.with_columns(pl.lit(None, dtype=pl.Float64).alias("share_of_lead_time")).sort(
            ["total_work_hours", "source", "target"], descending=[True, False, False], nulls_last=True)
        notes.append("the log has no arrival times: the time between two completions is counted at the later "
                     "step, so hand-offs have no share of their own")
    # the rest is measured when first read: the charts need only the activities and hand-offs
    def people(level: str) -> Later:
        return Later(lambda: rank(steps, [level], "duration_hours", "duration_work_hours"))

    path = cache(lambda: critical_path(tables))
    work_starts = start_is_work_start(log)
    causes = cache(lambda: step_causes(tables, work_starts=work_starts))
    return Bottlenecks(
        activities=activities,
        handoffs=hand,
        resources=people(RESOURCE),
        departments=people(DEPARTMENT),
        roles=people(ROLE),
        critical_path=Later(lambda: path()[0]),
        critical_path_work_hours=Later(lambda: path()[1]),
        backlog=Later(lambda: backlog(tables)),
        cases=cases.height,
        basis=tables.basis,
        calendar_description=tables.calendar.describe("en"),
        source=log.label,
        _tables=tables,
        _map=MapWhenDrawn(log, lambda: _map_of_ranked(log, tables, activities, hand)),
        notes=notes + tables.warnings + list(getattr(tables.calendar, "warnings", [])),
        causes=Later(causes),
        workload=Later(lambda: workload_at(steps, causes()[ACTIVITY].head(3).to_list())),
        work_starts=work_starts,
    )


def _map_of_ranked(log: EventLog, tables: TimeTables, activities: pl.DataFrame, hand: pl.DataFrame) -> ProcessMap:
    """The current flowchart's map, from the counts and calendar medians the ranking measured
    (the same figures :func:`procmine.discover` would measure again: 0.7 s at 10M events). The
    heat map draws frequencies and medians only; means and totals are not carried."""
    return _from_tables(
        tables._tables, log.label, log.events,  # the calendar tables the working ones extend
        activities=activities.select(ACTIVITY, pl.col("events").alias("frequency"), "cases",
                                     pl.col("median_hours").alias("median_duration_hours"),
                                     pl.col("p90_hours").alias("p90_duration_hours"))
        .sort(["frequency", ACTIVITY], descending=[True, False]),
        handoffs=hand.select("source", "target", "frequency", "cases", "median_hours", "p90_hours")
        .sort(["frequency", "source", "target"], descending=[True, False, False]))


def workload_at(steps: pl.DataFrame, activities: list[str]) -> pl.DataFrame:
    """Per person at each of ``activities``: executions, share of the step, median and total
    working hours (who carries the bottleneck)."""
    at = steps.filter(pl.col(ACTIVITY).is_in(activities) & pl.col(RESOURCE).is_not_null())
    return (at.group_by(ACTIVITY, RESOURCE).agg(
        pl.len().alias("executions"), pl.col("duration_work_hours").median().alias("median_work_hours"),
        pl.col("duration_work_hours").sum().alias("total_work_hours"))
        .with_columns((pl.col("executions") / pl.col("executions").sum().over(ACTIVITY)).alias("share_of_step"))
        .sort([ACTIVITY, "executions", RESOURCE], descending=[False, True, False]))


def critical_path(tables: TimeTables) -> tuple[list[str], float | None]:
    """The path from the usual first step to the usual last step with the most median working time.

    Built from each case's first pass (steps and hand-offs before any activity repeats, so a
    rework loop taken by a minority does not swallow the path), keeping activities and
    hand-offs seen in a typical share of cases (a third, else a fifth, else 5 %). Remaining
    cycles (steps done in either order) are collapsed with networkx and shown joined by " ⇄ ".
    Weights: each activity's median working duration plus the median wait of the hand-off
    into it (without arrival times the wait is already the step's duration and is not added).
    """
    steps, handoffs, cases = tables.steps, tables.handoff_codes, tables.cases
    is_first = steps["occurrence"] == 1
    # only the columns needed, before filtering: the tables are wide
    first = steps.select("activity_code", "duration_work_hours").filter(is_first)
    # a hand-off between two first executions (steps found by their global index)
    first_hand = handoffs.select("source_code", "target_code", "work_hours").filter(
        is_first.gather(handoffs["source_index"]) & is_first.gather(handoffs["target_index"]))
    # a case has one first pass at each activity, so one row per case: counting rows counts cases;
    # grouped by the integer activity codes, named after
    names = tables.activity_names
    activity_stats = first.group_by("activity_code").agg(
        pl.len().alias("cases"), pl.col("duration_work_hours").median().alias("median"))
    activity_stats = activity_stats.select(names.gather(activity_stats["activity_code"]).alias(ACTIVITY),
                                           "cases", "median")
    hand_stats = by_pair(first_hand, ["source_code", "target_code"], names.len(),
                         pl.len().alias("cases"), pl.col("work_hours").median().alias("median"))
    hand_stats = hand_stats.select(names.gather(hand_stats["source_code"]).alias("source"),
                                   names.gather(hand_stats["target_code"]).alias("target"), "cases", "median")
    if not tables.has_start_times:
        hand_stats = hand_stats.with_columns(pl.lit(0.0).alias("median"))
    start = _most_common(steps[ACTIVITY].filter(steps["pos"] == 0))  # (one column filtered, not the table)
    # each finished case's last step (cases are in case-code order, so a gather finds a step's case)
    last_pos = cases["events"].gather(steps["case_code"]) - 1
    finished = ~cases["open"].gather(steps["case_code"])
    end = _most_common(steps[ACTIVITY].filter((steps["pos"] == last_pos) & finished))
    for typical in TYPICAL_SHARES:
        floor = max(1, math.ceil(typical * cases.height))
        path, hours = _longest_path(activity_stats, hand_stats, start, end, floor)
        if path:
            return path, hours
    return [], None


def _most_common(values: pl.Series) -> str | None:
    if values.len() == 0:
        return None
    counts = values.value_counts(sort=True)
    return counts[values.name][0]


def _longest_path(activity_stats: pl.DataFrame, hand_stats: pl.DataFrame, start: str | None, end: str | None,
                  floor: int) -> tuple[list[str], float | None]:
    """The heaviest start → end path over activities and hand-offs seen in at least ``floor`` cases."""
    weight = {a: (m or 0.0) for a, n, m in activity_stats.iter_rows() if n >= floor}
    if start not in weight or end not in weight:
        return [], None
    graph = nx.DiGraph()
    graph.add_nodes_from(weight)
    for source, target, n, wait in hand_stats.iter_rows():
        if n >= floor and source in weight and target in weight and source != target:
            graph.add_edge(source, target, wait=wait or 0.0)
    dag = nx.condensation(graph)
    members = nx.get_node_attributes(dag, "members")
    node_weight = {c: sum(weight[a] for a in members[c]) for c in dag.nodes}
    for u, v in dag.edges:
        waits = [graph.edges[a, b]["wait"] for a in members[u] for b in members[v] if graph.has_edge(a, b)]
        dag.edges[u, v]["weight"] = max(waits) + node_weight[v]
    root, target = dag.graph["mapping"][start], dag.graph["mapping"][end]
    lengths, previous = {root: node_weight[root]}, {}
    for node in nx.topological_sort(dag):
        if node not in lengths:
            continue
        for succ in dag.successors(node):
            candidate = lengths[node] + dag.edges[node, succ]["weight"]
            if candidate > lengths.get(succ, -1.0):
                lengths[succ], previous[succ] = candidate, node
    if target not in lengths:
        return [], None
    path = [target]
    while path[-1] in previous:
        path.append(previous[path[-1]])
    return [" ⇄ ".join(sorted(members[c])) for c in path[::-1]], round(lengths[target], 3)


def backlog(tables: TimeTables) -> pl.DataFrame:
    """Open items per department (or person) at the end of each week: arrived, not completed.

    An item is open at ``t`` when it arrived at or before ``t`` and completed after ``t``.
    Counted as arrivals minus completions up to ``t``: each arrival and completion is counted
    in its week, and the weekly counts are summed up (no row-by-period cross product).
    Weeks run Monday 00:00 to Sunday 24:00 in the log's time zone.
    """
    steps = tables.steps
    owner = DEPARTMENT if steps[DEPARTMENT].null_count() < steps.height else RESOURCE
    empty = pl.DataFrame(schema={"period_end": steps["end"].dtype, "owner": pl.String, "open_items": pl.Int64})
    # the owners as the tables' integer codes (sorted names; a missing owner has none)
    codes, owners = tables.codes(owner)
    known = codes.is_not_null() if codes.null_count() else None
    items = steps.select("begin", "end") if known is None else steps.select("begin", "end").filter(known)
    if items.height == 0:
        return empty
    zone = steps["end"].dtype.time_zone

    def week(times: pl.Series) -> pl.Series:  # weeks since the Monday 1969-12-29, in local time
        local = wall_clock_us(times.dt.epoch("us"), zone) if zone else times.dt.epoch("us")
        return ((local // US_PER_DAY + 3) // 7).rename("week")

    owner_enum = pl.Enum(owners.to_list())
    first_week, last_week = int(week(items["begin"]).min()), int(week(items["end"]).max())
    still_open = tables.open_steps
    if still_open is not None and owner in still_open.columns:
        # steps still open at export arrived and never completed: open from arrival onwards
        still_open = still_open.filter(pl.col(owner).is_in(owners.implode()) & pl.col(START).is_not_null())
        if still_open.height:
            opened = week(still_open[START])
            first_week, last_week = min(first_week, int(opened.min())), max(last_week, int(opened.max()))
    n_weeks = last_week - first_week + 1

    def rows_of(code: pl.Series) -> np.ndarray:  # each row's owner as its first cell
        return code.to_numpy().astype(np.int64) * n_weeks - first_week

    def cells(rows: np.ndarray, times: pl.Series) -> np.ndarray:
        # one integer per (owner, week): counted with bincount instead of a group-by on text
        return rows + week(times).to_numpy()

    size = len(owners) * n_weeks
    rows = rows_of(codes if known is None else codes.filter(known))  # (read once for arrivals and completions)
    change = np.bincount(cells(rows, items["begin"]), minlength=size) - np.bincount(cells(rows, items["end"]),
                                                                                       minlength=size)
    del rows
    if still_open is not None and still_open.height:
        change += np.bincount(cells(rows_of(still_open[owner].cast(owner_enum).to_physical()), still_open[START]),
                              minlength=size)
    counted = pl.DataFrame({
        "owner": owners.gather(np.repeat(np.arange(len(owners)), n_weeks)),
        "week": np.tile(np.arange(first_week, last_week + 1, dtype=np.int64), len(owners)),
        "open_items": change.reshape(len(owners), n_weeks).cumsum(axis=1).ravel(),
    })
    # the last microsecond of each week (Sunday 24:00 local time)
    monday = (pl.col("week") * 7 - 3) * US_PER_DAY
    period_end = (monday + 7 * US_PER_DAY - 1).cast(pl.Datetime("us"))
    if zone:
        period_end = period_end.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    return (
        counted.select(period_end.alias("period_end"), "owner", pl.col("open_items").cast(pl.Int64))
        .sort(["period_end", "owner"])
    )


def _round(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(value, 4) if isinstance(value, float) else value


def _records(frame: pl.DataFrame) -> list[dict]:
    return [{k: _round(v) for k, v in row.items()} for row in frame.to_dicts()]


def _fmt(hours) -> str:
    return "–" if hours is None else f"{hours:.1f}"
