"""KPIs for the survey and the monthly monitoring: lead time, rejections, first-time-right.

    >>> report = procmine.kpis(log, target="3wd")        # doctest: +SKIP
    >>> report.by_month                                  # doctest: +SKIP

Definitions (also in docs/measures.md):

* **lead time** of a case: its first arrival (or first completion) → its last completion,
  in calendar hours and in working hours; working days = working hours ÷ hours per working day.
  Cases still open at export (a step arrived but not completed) are left out of lead-time
  figures and counted as in progress.
* **rejection rate**: share of completed cases with a rejection (驳回, 拒绝, 不同意, 不通过, 否决,
  reject, declined, REFUSE …) in the outcome column or, for a step without an outcome, in its
  activity name ("REJECTED by …"). The words are :mod:`procmine.outcomes`' one vocabulary. A
  send-back for rework (退回) is not a rejection.
* **first-time-right**: share of completed cases with no rejection, no send-back (退回 …), no
  resubmission and no activity done twice. A case with any rejection or send-back is not right
  first time, whether or not it was resubmitted.
* **target**: share of completed cases whose lead time is within the limit, e.g. ``3wd``
  (3 working days) or ``8h`` (8 working hours).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from procmine.analyse.times import time_tables
from procmine.log import OUTCOME, EventLog
from procmine.outcomes import SAYS_NO
from procmine.result import Result, display_lang
from procmine.text import phrases

if TYPE_CHECKING:
    import pandas as pd
    from procmine.calendar import Calendar

#: Decisions that make a case not right first time: a rejection, a send-back, a resubmission.
NOT_RIGHT_FIRST_TIME = (*SAYS_NO, "resubmit")

PHRASES = phrases("kpi", {
    "head": ("KPI：{cases:,} 个案例（已完成 {done:,}，办理中 {open:,}）；{calendar}",
             "KPIs: {cases:,} cases ({done:,} completed, {open:,} in progress); {calendar}"),
    "lead_time": ("  周期：中位 {median} {days}（日历 {hours} 小时），P90 {p90} {days}，最长 {max} {days}",
                  "  lead time: median {median} {days} ({hours} calendar h), p90 {p90} {days}, max {max} {days}"),
    "days_working": ("工作日", "working days"),
    "days_calendar": ("天", "days"),
    "rates": ("  驳回率 {rejection}（依据：{source}）；一次通过率 {ftr}",
              "  rejection rate {rejection} ({source}); first-time-right {ftr}"),
    "source_outcome": ("审批结果列", "outcome column"),
    "source_activities": ("活动名称", "activity names"),
    "target": ("  目标周期 ≤ {limit}（{limit_text}）：{share} 的已完成案例达标（{met:,}/{done:,}）",
               "  target lead time ≤ {limit} ({limit_text}): met by {share} of completed cases ({met:,} of {done:,})"),
    "limit_working": ("{n} 工作小时", "{n} working h"),
    "limit_calendar": ("{n} 日历小时", "{n} calendar h"),
    "note": ("  注意：{note}", "  note: {note}"),
})


@dataclass
class KPIReport(Result):
    """Headline KPIs of a log, with the monthly monitoring table."""

    cases: int
    completed_cases: int
    lead_time: dict
    rejection_rate: float | None
    first_time_right: float | None
    target: dict | None
    by_month: pl.DataFrame
    basis: str
    calendar_description: str
    hours_per_day: float
    rejection_source: str
    source: str = ""
    notes: list[str] = field(default_factory=list)
    calendar_description_zh: str = ""

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "cases": self.cases,
            "completed_cases": self.completed_cases,
            "in_progress": self.cases - self.completed_cases,
            "calendar": self.calendar_description,
            "hours_per_work_day": self.hours_per_day,
            "lead_time": self.lead_time,
            "target": self.target,
            "rejection_rate": _round(self.rejection_rate),
            "rejections_from": self.rejection_source,
            "first_time_right": _round(self.first_time_right),
            "by_month": [{k: _round(v) for k, v in row.items()} for row in self.by_month.to_dicts()],
            "notes": self.notes,
        }


    def to_frame(self) -> pd.DataFrame:
        """The monthly table as pandas."""
        return self.by_month.to_pandas()

    def describe(self, lang: str = "zh") -> str:
        """The KPIs as text, in Chinese (zh) or English (en)."""
        t = PHRASES.text(lang)
        lt = self.lead_time
        days = t(f"days_{self.basis}")
        calendar = t.pick((self.calendar_description_zh or self.calendar_description, self.calendar_description))
        lines = [
            t("head", cases=self.cases, done=self.completed_cases, open=self.cases - self.completed_cases,
              calendar=calendar),
            t("lead_time", median=_num(lt["median_work_days"]), days=days, hours=_num(lt["median_hours"]),
              p90=_num(lt["p90_work_days"]), max=_num(lt["max_work_days"])),
            t("rates", rejection=_pct(self.rejection_rate), ftr=_pct(self.first_time_right),
              source=t("source_outcome" if self.rejection_source == "outcome column" else "source_activities")),
        ]
        if self.target:
            lines.append(t("target", limit=self.target["limit"], limit_text=self._limit_text(lang),
                           share=_pct(self.target["share_met"]), met=self.target["cases_met"],
                           done=self.completed_cases))
        from procmine.report.translate import note  # the calendar's notes are written in English

        lines += [t("note", note=note(n, lang)) for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe("zh")

    def _limit_text(self, lang: str) -> str:
        if self.target["basis"] == "working":
            return PHRASES("limit_working", lang, n=_num(self.target["limit_work_hours"]))
        return PHRASES("limit_calendar", lang, n=_num(self.target["limit_hours"]))

    def _repr_html_(self) -> str:
        months = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(_round(v)))}</td>" for v in row.values()) + "</tr>"
            for row in self.by_month.to_dicts()
        )
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.by_month.columns)
        return (f"<div><pre>{html.escape(self.describe(display_lang(self)))}</pre><table><tr>{head}</tr>{months}"
                "</table></div>")

    outputs = ("kpi_trend.png", "kpi_trend.svg", "kpi.json", "kpi_by_month.csv")

    def _write_files(self, paths, lang, filters=(), **options) -> None:
        """The monthly trend chart (PNG + SVG), the JSON and the monthly table."""
        from procmine.output import write_csv

        self._write_charts(paths, {"kpi_trend": lambda: self.plot(lang)})
        self._write_json(paths, "kpi.json", filters)
        if "kpi_by_month.csv" in paths:
            write_csv(self.by_month, paths["kpi_by_month.csv"])

    def plot(self, lang: str = "zh"):
        """Monthly median lead time (working days) and cases completed, against the target."""
        from procmine.chart.trend import draw_monthly_trend

        limit = None
        if self.target and self.target["basis"] == "working":
            limit = self.target["limit_work_hours"] / self.hours_per_day
        elif self.target and self.basis == "calendar":  # the chart's days are calendar days too
            limit = self.target["limit_hours"] / self.hours_per_day
        return draw_monthly_trend(self.by_month, target_days=limit, lang=lang, basis=self.basis)


def target_limit(target: str, calendar: "Calendar") -> tuple[float, str, str]:
    """A lead-time target (``3wd``, ``72h`` …) as its limit in hours, its basis ('working' or
    'calendar') and the cases column it is compared with (``lead_work_hours`` or ``lead_hours``)."""
    from procmine.calendar import parse_duration_target

    limit = parse_duration_target(target)
    limit_hours = limit.to_work_hours(calendar)
    # with --calendar none, "working" hours are plain calendar hours: say so
    basis = "working" if limit.basis == "working" and calendar.kind != "none" else "calendar"
    return limit_hours, basis, "lead_work_hours" if limit.basis == "working" else "lead_hours"


def target_summary(target: str, limit_hours: float, basis: str, met: int, completed: int) -> dict:
    """The ``target`` field of a KPI report: the limit as written and in hours, and how many of
    the ``completed`` cases met it."""
    return {
        "limit": target, "basis": basis,
        "limit_work_hours": _round(limit_hours) if basis == "working" else None,
        "limit_hours": _round(limit_hours) if basis == "calendar" else None,
        "cases_met": met, "share_met": _round(met / completed) if completed else None,
    }


def kpis(log: EventLog, target: str | None = None, calendar: "Calendar | None" = None) -> KPIReport:
    """Lead time, rejection rate, first-time-right, target attainment and the monthly table.

    A log read with ``engine="spark"`` is measured on Spark (:mod:`procmine.engine.spark`)."""
    if getattr(log, "engine", None) == "spark":
        return log.kpis(target, calendar)
    tables = time_tables(log, calendar)
    cal = tables.calendar
    # steps only for their decisions: the engine's table, without working-time columns
    steps, cases = log.tables().steps, tables.cases
    per_day = cal.hours_per_day
    done = cases.filter(~pl.col("open"))
    lead = done.select(
        pl.col("lead_hours").median().alias("median_hours"),
        pl.col("lead_hours").mean().alias("mean_hours"),
        pl.col("lead_hours").quantile(0.9, "linear").alias("p90_hours"),
        pl.col("lead_hours").max().alias("max_hours"),
        pl.col("lead_work_hours").median().alias("median_work_hours"),
        pl.col("lead_work_hours").mean().alias("mean_work_hours"),
        pl.col("lead_work_hours").quantile(0.9, "linear").alias("p90_work_hours"),
        pl.col("lead_work_hours").max().alias("max_work_hours"),
    ).to_dicts()[0]
    for key in ("median", "mean", "p90", "max"):
        value = lead[f"{key}_work_hours"]
        lead[f"{key}_work_days"] = None if value is None else value / per_day
    lead = {k: _round(v) for k, v in lead.items()}

    has_outcome = steps[OUTCOME].null_count() < steps.height
    # a case still open may yet be rejected or reworked: rates are over completed cases
    flagged = case_outcomes(log, calendar).filter(~pl.col("open"))
    total = cases.height
    rejection_rate = flagged["rejected"].sum() / flagged.height if flagged.height else None
    first_time_right = flagged["right_first_time"].sum() / flagged.height if flagged.height else None

    target_info = None
    if target is not None:
        limit_hours, basis, column = target_limit(target, cal)
        met = int((done[column] <= limit_hours + 1e-9).sum())
        target_info = target_summary(target, limit_hours, basis, met, done.height)

    notes = []
    if tables.basis == "working" and getattr(cal, "warnings", None):
        notes += list(cal.warnings)
    return KPIReport(
        cases=total,
        completed_cases=done.height,
        lead_time=lead,
        rejection_rate=rejection_rate,
        first_time_right=first_time_right,
        target=target_info,
        by_month=monthly(cases, per_day),
        basis=tables.basis,
        calendar_description=cal.describe("en"),
        hours_per_day=per_day,
        rejection_source="outcome column" if has_outcome else "activity names",
        source=log.label,
        notes=notes,
        calendar_description_zh=cal.describe("zh"),
    )


def case_outcomes(log: EventLog, calendar: "Calendar | None" = None) -> pl.DataFrame:
    """One row per case: what the KPIs count. Columns case, case_code, first_time, last_time, open,
    lead_hours, lead_work_hours, rejected (a step decided ``reject``), right_first_time (no
    rejection, send-back or resubmission and no activity done twice).

    Decisions are the engine's, in the one vocabulary of :mod:`procmine.outcomes`: from the
    outcome column or, where a step has none, from its name ("Declaration REJECTED by SUPERVISOR").
    """
    cases = time_tables(log, calendar).cases
    flags = log.tables().steps.select(
        "case_code", (pl.col("decision") == "reject").fill_null(False).alias("rejected"),
        pl.col("decision").is_in(NOT_RIGHT_FIRST_TIME).fill_null(False).alias("said_no"),
    ).group_by("case_code").agg(pl.col("rejected").any(), pl.col("said_no").any())
    return cases.join(flags, on="case_code", how="left").select(
        "case", "case_code", "first_time", "last_time", "open", "lead_hours", "lead_work_hours",
        pl.col("rejected").fill_null(False),
        (~pl.col("has_repeat") & ~pl.col("said_no").fill_null(False)).alias("right_first_time"))


def monthly(cases: pl.DataFrame, hours_per_day: float) -> pl.DataFrame:
    """Per calendar month: cases started, completed, in progress at month end, median working days."""
    if cases.height == 0:
        return pl.DataFrame(schema={"month": pl.String, "cases_started": pl.UInt32, "cases_completed": pl.UInt32,
                                    "in_progress_at_end": pl.UInt32, "median_work_days": pl.Float64})
    started = cases.group_by(pl.col("first_time").dt.strftime("%Y-%m").alias("month")).agg(
        pl.len().alias("cases_started"))
    completed = cases.filter(~pl.col("open")).group_by(pl.col("last_time").dt.strftime("%Y-%m").alias("month")).agg(
        pl.len().alias("cases_completed"),
        (pl.col("lead_work_hours").median() / hours_per_day).alias("median_work_days"),
    )
    months = pl.date_range(cases["first_time"].min().date().replace(day=1),
                           cases["last_time"].max().date().replace(day=1), interval="1mo", eager=True)
    table = pl.DataFrame({"month": months.dt.strftime("%Y-%m")})
    table = table.join(started, on="month", how="left").join(completed, on="month", how="left")
    # in progress at the end of a month: started by then, not completed by then (or still open)
    month_end = pl.col("month").str.to_date("%Y-%m").dt.month_end()
    open_counts = []
    first = cases["first_time"].dt.date()
    last = cases["last_time"].dt.date()
    still_open = cases["open"]
    for end in table.select(month_end.alias("end"))["end"].to_list():
        open_counts.append(int(((first <= end) & (still_open | (last > end))).sum()))
    return table.with_columns(
        pl.col("cases_started").fill_null(0), pl.col("cases_completed").fill_null(0),
        pl.Series("in_progress_at_end", open_counts, dtype=pl.UInt32),
    ).select("month", "cases_started", "cases_completed", "in_progress_at_end", "median_work_days")


#: Bin widths (days) the lead-time distribution chooses from: the smallest that keeps it readable.
NICE_WIDTHS = (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def lead_time_distribution(log: EventLog, calendar: "Calendar | None" = None, *, bin_days: float | None = None,
                           max_bins: int = 15) -> pl.DataFrame:
    """Completed cases by lead time in working days (calendar days with ``Calendar(kind="none")``).

    Columns ``from_work_days``, ``to_work_days`` (bin [from, to); None for the last, open-ended
    bin), ``cases`` and ``share`` (of completed cases). Lead time and working days are the KPI
    report's: first arrival → last completion in working hours ÷ hours per working day; cases
    in progress are left out. Without ``bin_days`` the width is the smallest of
    :data:`NICE_WIDTHS` that covers the 95th percentile in at most ``max_bins`` bins; lead
    times beyond the last bin go into one open bin "≥ from".

    A log read with ``engine="spark"`` is counted on Spark (:mod:`procmine.engine.spark_report`).

    >>> lead_time_distribution(log, Calendar()).head(3)     # doctest: +SKIP
    """
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_report import spark_lead_time_distribution

        return spark_lead_time_distribution(log, calendar, bin_days=bin_days, max_bins=max_bins)
    tables = time_tables(log, calendar)
    done = tables.cases.filter(~pl.col("open"))
    days = (done["lead_work_hours"] / tables.calendar.hours_per_day).fill_null(0.0).to_list()
    if not days:
        return LeadTimeBins.empty()
    ordered = sorted(days)
    p95 = ordered[min(len(ordered) - 1, max(0, math.ceil(0.95 * len(ordered)) - 1))]
    bins = LeadTimeBins.fitting(p95, ordered[-1], bin_days, max_bins)
    counts = [0] * bins.count
    for value in days:
        counts[bins.index(value)] += 1
    return bins.table(counts)


@dataclass(frozen=True)
class LeadTimeBins:
    """The bins of :func:`lead_time_distribution`: ``closed`` bins of ``width`` days from 0, and one
    open bin "≥ closed × width" when some lead time lies beyond them (both engines count into these)."""

    width: float
    closed: int
    has_open: bool

    SCHEMA = {"from_work_days": pl.Float64, "to_work_days": pl.Float64, "cases": pl.Int64, "share": pl.Float64}

    @classmethod
    def fitting(cls, p95: float, largest: float, width: float | None, max_bins: int) -> LeadTimeBins:
        """The bins for lead times whose 95th percentile (nearest rank) is ``p95`` and maximum ``largest``."""
        if width is None:
            width = next((w for w in NICE_WIDTHS if p95 / w <= max_bins - 1), NICE_WIDTHS[-1])
        if width <= 0:
            raise ValueError(f"bin_days must be positive, not {width}")
        closed = max(1, math.floor(p95 / width + 1e-9) + 1)  # bins up to and including the one holding p95
        if largest < closed * width:  # nothing beyond: no open bin
            return cls(width, max(1, math.floor(largest / width + 1e-9) + 1), False)
        return cls(width, closed, True)

    @property
    def count(self) -> int:
        return self.closed + self.has_open

    def index(self, days: float) -> int:
        """The bin holding a lead time of ``days`` (Spark computes the same with floor and least)."""
        return min(int(days / self.width + 1e-9), self.count - 1)

    def table(self, counts: list[int]) -> pl.DataFrame:
        total = sum(counts)
        rows = [{"from_work_days": i * self.width,
                 "to_work_days": None if (self.has_open and i == self.closed) else (i + 1) * self.width,
                 "cases": n, "share": n / total} for i, n in enumerate(counts)]
        return pl.DataFrame(rows, schema=self.SCHEMA)

    @classmethod
    def empty(cls) -> pl.DataFrame:
        return pl.DataFrame(schema=cls.SCHEMA)


def _round(value):
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    return value


def _num(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


__all__ = ["kpis", "KPIReport", "case_outcomes", "monthly", "lead_time_distribution", "NOT_RIGHT_FIRST_TIME"]
