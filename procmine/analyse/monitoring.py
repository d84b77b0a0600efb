"""Monitoring after a rollout: stuck cases (卡壳) as of a moment, and the KPIs month by month.

    >>> stuck = stuck_cases(log, stuck_after="1wd")          # doctest: +SKIP
    >>> stuck.stuck                                          # who holds each case, at which step, since when  # doctest: +SKIP
    >>> monthly_kpis(log, target="3wd")                      # doctest: +SKIP

**As of.** Both look at the log as it stood at ``as_of`` (default: the log's latest time, the
moment of the export). A step is *open* at ``as_of`` when it had arrived and was not completed:
the steps the export lists without a completion time, and, for an earlier ``as_of``, steps that
completed after it. Cases begun after ``as_of`` are not there yet.

**Stuck.** An open step is stuck when it has waited longer than its limit, counted in working
time from its arrival to ``as_of``: the design's time limit for that step (时限) when a design is
given, else ``stuck_after`` (default ``1wd``, one working day). A limit in calendar units
(``2d``) is counted in calendar time.

**Months.** Cases are counted in the month they started (first arrival) and the month they were
completed (last completion, at or before ``as_of``). A month is *complete* when it ended by
``as_of`` and the log covers it from its first day; the others are marked incomplete, and their
medians are not comparable (a month cut short holds only its quick cases).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from procmine.errors import ProcmineError
from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE, START, TIMESTAMP, EventLog
from procmine.result import Result, display_lang
from procmine.text import phrases

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_STUCK_AFTER = "1wd"

PHRASES = phrases("stuck", {
    "latest_time": ("（日志中最后一个时间）", " (the latest time in the log)"),
    "head": ("卡壳案例：截至 {when}{said}，在办环节 {open} 个，超过时限 {stuck} 个（时限：{limits}）",
             "Stuck cases as of {when}{said}: {open} open steps, {stuck} beyond their limit ({limits})"),
    "no_holder": ("（未记录处理人）", "(no holder recorded)"),
    "case": ("  {case}：{activity}，{who}，自 {since:%Y-%m-%d %H:%M} 起已等待 {days:.1f} {unit}（时限 {limit}）",
             "  {case}: {activity}, held by {who} since {since:%Y-%m-%d %H:%M}, {days:.1f} {unit} (limit {limit})"),
    "days_working": ("工作日", "working days"),
    "days_calendar": ("天", "days"),
    "more": ("  … 另有 {n} 个（完整列表见 stuck_cases.csv）", "  … {n} more (the full list is in stuck_cases.csv)"),
    # the limits: the design's per step, a given --stuck-after, or the default
    "limits_design": ("设计中各环节的时限，其余 {limit}", "the design's time limit per step, else {limit}"),
    "limits_given": ("{limit}", "{limit}"),
    "limits_default": ("{limit}（默认，可用 --stuck-after 修改）", "{limit} (the default; change it with --stuck-after)"),
    "html_head": ("卡壳案例（截至 {when:%Y-%m-%d %H:%M}）", "Stuck cases (as of {when:%Y-%m-%d %H:%M})"),
    "html_case": ("案例", "case"),
    "html_step": ("环节", "step"),
    "html_holder": ("处理人", "held by"),
    "html_since": ("到达", "since"),
    "html_waited": ("已等待（工作小时）", "waited (working hours)"),
    "html_limit": ("时限", "limit"),
})


class AsOfError(ProcmineError):
    """``as_of`` lies outside the log."""

    exit_code = 2


@dataclass
class StuckCases(Result):
    """Open steps as of a moment, and those waiting beyond their limit."""

    as_of: datetime
    as_of_source: str  # "given" or "latest time in the log"
    open_steps: pl.DataFrame
    basis: str
    calendar_description: str
    #: the limits said in Chinese (the JSON's ``limits``); ``limits_en`` says them in English
    limits: str
    hours_per_day: float
    limits_en: str = field(default="", repr=False)

    @property
    def stuck(self) -> pl.DataFrame:
        return self.open_steps.filter(pl.col("stuck"))

    def to_frame(self) -> pd.DataFrame:
        return self.stuck.to_pandas()

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "as_of_source": self.as_of_source, "time_basis": self.basis,
                "limits": self.limits, "open_steps": self.open_steps.height, "stuck": self.stuck.height,
                "units": {"waited_work_hours": "working hours", "waited_hours": "calendar hours"},
                "cases": [{k: (v.isoformat() if isinstance(v, datetime) else round(v, 3) if isinstance(v, float) else v)
                           for k, v in r.items()} for r in self.stuck.to_dicts()]}


    def describe(self, lang: str = "zh", top: int = 20) -> str:
        t = PHRASES.text(lang)
        when = self.as_of.strftime("%Y-%m-%d %H:%M")
        said = t("latest_time") if self.as_of_source != "given" else ""
        lines = [t("head", when=when, said=said, open=self.open_steps.height, stuck=self.stuck.height,
                   limits=t.pick((self.limits, self.limits_en or self.limits)))]
        for r in self.stuck.head(top).iter_rows(named=True):
            lines.append(t("case", case=r[CASE], activity=r[ACTIVITY], who=r[RESOURCE] or t("no_holder"),
                           since=r["since"], days=r["waited_work_hours"] / self.hours_per_day,
                           unit=t(f"days_{self.basis}"), limit=t.pick((r["limit_zh"], r["limit"]))))
        if self.stuck.height > top:
            lines.append(t("more", n=self.stuck.height - top))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe("zh")

    outputs = ("stuck_cases.csv",)

    def _write_files(self, paths, lang, **options) -> None:
        """Every open step, stuck or not, its arrival as 2025-12-31 18:00."""
        from procmine.output import write_csv

        if "stuck_cases.csv" in paths:
            write_csv(self.open_steps.with_columns(pl.col("since").dt.strftime("%Y-%m-%d %H:%M")),
                      paths["stuck_cases.csv"])

    def _repr_html_(self) -> str:
        t = PHRASES.text(display_lang(self))
        rows = "".join(f"<tr><td>{html.escape(str(r[CASE]))}</td><td>{html.escape(str(r[ACTIVITY]))}</td>"
                       f"<td>{html.escape(str(r[RESOURCE] or ''))}</td><td>{r['since']:%Y-%m-%d %H:%M}</td>"
                       f"<td>{r['waited_work_hours']:.1f}</td><td>{html.escape(r['limit'])}</td></tr>"
                       for r in self.stuck.iter_rows(named=True))
        heads = "".join(f"<th>{t(key)}</th>" for key in
                        ("html_case", "html_step", "html_holder", "html_since", "html_waited", "html_limit"))
        return (f"<div><h4>{t('html_head', when=self.as_of)}</h4><table><tr>{heads}</tr>{rows}</table></div>")


def latest_time(log: EventLog) -> datetime:
    """The log's latest time: its last completion or the last arrival of a step still open."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_monitoring import spark_time_span

        return spark_time_span(log)[1]
    times = [log.events[TIMESTAMP].max()]
    if START in log.events.columns:
        times.append(log.events[START].max())
    if log.open_steps is not None and START in log.open_steps.columns and log.open_steps.height:
        times.append(log.open_steps[START].max())
    return max(t for t in times if t is not None)


def resolve_as_of(log: EventLog, as_of) -> tuple[datetime, str]:
    """``as_of`` as an aware datetime in the log's time zone, and where it came from."""
    if as_of is None:
        return latest_time(log), "latest"
    if isinstance(as_of, str):
        from procmine.filters import _read_day  # the filters' reading of dates and times

        parsed = _read_day(as_of, f"--as-of {as_of}")
        if parsed is None:
            raise AsOfError(f"--as-of {as_of!r} is not a date or time; write it as 2025-12-31 or 2025-12-31 18:00.")
        as_of = parsed
    if isinstance(as_of, date) and not isinstance(as_of, datetime):
        as_of = datetime(as_of.year, as_of.month, as_of.day)
    if as_of.tzinfo is None:
        from zoneinfo import ZoneInfo

        as_of = as_of.replace(tzinfo=ZoneInfo(log.timezone))
    first = _first_time(log)
    if as_of < first:
        raise AsOfError(f"{log.source.name}: --as-of {as_of:%Y-%m-%d %H:%M} is before the log's first event "
                        f"({first:%Y-%m-%d %H:%M}); nothing had happened yet.")
    return as_of, "given"


def _first_time(log: EventLog) -> datetime:
    """The log's first time: its first arrival or completion."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_monitoring import spark_time_span

        return spark_time_span(log)[0]
    first = log.events[START].min() if START in log.events.columns else None
    return min(t for t in (first, log.events[TIMESTAMP].min()) if t is not None)


def stuck_cases(log: EventLog, *, as_of=None, stuck_after: str | None = None, design=None,
                calendar=None) -> StuckCases:
    """Steps open at ``as_of`` and those beyond their limit (see the module docstring)."""
    from procmine.analyse.times import default_calendar
    from procmine.calendar import parse_duration_target

    calendar = calendar or default_calendar()
    moment, source = resolve_as_of(log, as_of)
    found = _open_at(log, moment)
    until = pl.Series([moment] * found.height, dtype=found["since"].dtype)
    working = calendar.working_hours(found["since"], until) if found.height else pl.Series([], dtype=pl.Float64)
    calendar_hours = ((until - found["since"]).dt.total_seconds() / 3600) if found.height else \
        pl.Series([], dtype=pl.Float64)
    default = parse_duration_target(stuck_after or DEFAULT_STUCK_AFTER)
    by_step = _design_limits(design)
    limit_text, limit_zh, limit_hours, limit_basis = [], [], [], []
    for activity in found[ACTIVITY].to_list():
        limit = by_step.get(activity, default)
        limit_text.append(limit.text or limit.describe("en"))
        limit_zh.append(limit.describe("zh"))
        limit_hours.append(limit.to_work_hours(calendar))
        limit_basis.append(limit.basis)
    found = found.with_columns(
        pl.Series("waited_work_hours", working, dtype=pl.Float64),
        pl.Series("waited_hours", calendar_hours, dtype=pl.Float64),
        pl.Series("limit", limit_text, dtype=pl.String),
        pl.Series("limit_zh", limit_zh, dtype=pl.String),
        pl.Series("limit_hours", limit_hours, dtype=pl.Float64),
        pl.Series("limit_basis", limit_basis, dtype=pl.String),
    ).with_columns(
        pl.when(pl.col("limit_basis") == "working").then(pl.col("waited_work_hours"))
        .otherwise(pl.col("waited_hours")).alias("__waited"))
    found = found.with_columns((pl.col("__waited") > pl.col("limit_hours")).alias("stuck"),
                               (pl.col("__waited") - pl.col("limit_hours")).alias("over_limit_hours")
                               ).drop("__waited").sort(["stuck", "waited_work_hours", CASE, ACTIVITY],
                                                        descending=[True, True, False, False])
    # in English the limit as the rows say it (its text, as written: 1wd)
    limits, limits_en = PHRASES.pair("limits_design" if by_step else "limits_given" if stuck_after else "limits_default",
                                     limit=(default.describe("zh"), default.text or default.describe("en")))
    return StuckCases(moment, "given" if source == "given" else "latest", found, calendar_basis(calendar),
                      calendar.describe("zh"), limits, calendar.hours_per_day, limits_en)


def _open_at(log: EventLog, moment: datetime) -> pl.DataFrame:
    """The steps open at ``moment`` (see the module docstring): case, activity, since (the arrival),
    resource, department. A log read with ``engine="spark"`` finds them on Spark
    (:mod:`procmine.engine.spark_monitoring`): the work in progress comes back, not the rows."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_monitoring import spark_open_at

        return spark_open_at(log, moment)
    frames = []
    steps = log.tables().steps
    has_arrivals = not log.tables().completion_only
    if has_arrivals:  # completed later than as_of, arrived by then
        frames.append(steps.filter((pl.col("begin") <= moment) & (pl.col("end") > moment))
                      .select(CASE, ACTIVITY, pl.col("begin").alias("since"), RESOURCE, DEPARTMENT))
    open_steps = log.open_steps
    if open_steps is not None and open_steps.height and START in open_steps.columns:
        frames.append(open_steps.filter(pl.col(START) <= moment).select(
            CASE, ACTIVITY, pl.col(START).alias("since"),
            *[pl.col(c) if c in open_steps.columns else pl.lit(None, dtype=pl.String).alias(c)
              for c in (RESOURCE, DEPARTMENT)]))
    if frames:
        return pl.concat([f.with_columns(pl.col("since").cast(steps["begin"].dtype)) for f in frames])
    return pl.DataFrame(schema={CASE: pl.String, ACTIVITY: pl.String, "since": steps["begin"].dtype,
                                RESOURCE: pl.String, DEPARTMENT: pl.String})


def _first_workday(calendar, month_start: date) -> date:
    day = month_start
    for _ in range(31):
        if calendar.is_workday(day):
            return day
        day += timedelta(days=1)
    return month_start


def calendar_basis(calendar) -> str:
    return "calendar" if getattr(calendar, "kind", None) == "none" else "working"


def _design_limits(design) -> dict:
    if design is None:
        return {}
    return {name: s.time_limit for s in design.steps if s.time_limit for name in (s.name, *s.aliases)}


@dataclass
class MonthlyKPIs:
    """KPIs per month as of a moment, incomplete months marked."""

    table: pl.DataFrame
    as_of: datetime
    target: str | None
    basis: str
    hours_per_day: float
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.to_pandas()

    def files(self, **options) -> list[str]:
        return ["monthly.csv"]

    def write(self, out_dir, lang: str = "zh", **options) -> dict[str, Path]:
        """The table as ``monthly.csv`` in ``out_dir``: ``{file name: path}``, as every result's
        ``write`` (:meth:`procmine.result.Result.write`)."""
        from procmine.output import write_csv, writing

        out = Path(out_dir)
        with writing(out, "cannot be created; choose another folder"):
            out.mkdir(parents=True, exist_ok=True)
        return {"monthly.csv": write_csv(self.table, out / "monthly.csv")}


@dataclass
class MonthFigures:
    """What the monthly table is drawn from, counted by either engine (the default one from the
    per-case table, Spark by two group-bys of its own): months are local ``YYYY-MM``."""

    #: the day the first case began (local), None without cases
    first_day: date | None
    #: cases by the month they began (``first``) and the month they were completed by as_of (``last``,
    #: null while in progress): ``n``
    spans: pl.DataFrame
    #: per month of completion: ``n``, the median and p90 lead time in working hours, and ``within``
    #: (cases within the target; null without one)
    finished: pl.DataFrame

    SPANS = {"first": pl.String, "last": pl.String, "n": pl.Int64}
    FINISHED = {"month": pl.String, "n": pl.Int64, "median_work_hours": pl.Float64, "p90_work_hours": pl.Float64,
                "within": pl.Int64}


def _month_figures(log: EventLog, calendar, moment: datetime, limit) -> MonthFigures:
    from procmine.analyse.kpi import case_outcomes

    cases = case_outcomes(log, calendar).filter(pl.col("first_time") <= moment)
    done = (~pl.col("open")) & (pl.col("last_time") <= moment)
    spans = cases.group_by(pl.col("first_time").dt.strftime("%Y-%m").alias("first"),
                           pl.when(done).then(pl.col("last_time").dt.strftime("%Y-%m")).alias("last")) \
        .agg(pl.len().alias("n"))
    lead = pl.col("lead_work_hours")
    within = pl.lit(None) if limit is None else \
        (pl.col("lead_work_hours" if limit.basis == "working" else "lead_hours")
         <= limit.to_work_hours(calendar) + 1e-9).sum()
    finished = cases.filter(done).group_by(pl.col("last_time").dt.strftime("%Y-%m").alias("month")).agg(
        pl.len().alias("n"), lead.median().alias("median_work_hours"),
        lead.quantile(0.9, "linear").alias("p90_work_hours"), within.alias("within"))
    first_day = cases["first_time"].min().date() if cases.height else None
    return MonthFigures(first_day, spans.cast(MonthFigures.SPANS), finished.cast(MonthFigures.FINISHED))


def monthly_kpis(log: EventLog, *, as_of=None, target: str | None = None, calendar=None) -> MonthlyKPIs:
    """Per month up to ``as_of``: cases started, completed, in progress at month end, median and
    p90 lead time of the cases completed (working days), share within ``target``, and whether
    the month is complete (see the module docstring). A log read with ``engine="spark"`` is
    counted on Spark (:mod:`procmine.engine.spark_monitoring`)."""
    from procmine.analyse.times import default_calendar
    from procmine.calendar import parse_duration_target

    calendar = calendar or default_calendar()
    moment, _ = resolve_as_of(log, as_of)
    per_day = calendar.hours_per_day
    limit = None if target is None else parse_duration_target(target)
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_monitoring import spark_month_figures

        figures = spark_month_figures(log, calendar, moment, limit)
    else:
        figures = _month_figures(log, calendar, moment, limit)
    first_day = figures.first_day or moment.date()
    months = pl.date_range(first_day.replace(day=1), moment.date().replace(day=1), interval="1mo", eager=True)
    spans, finished = figures.spans, {r["month"]: r for r in figures.finished.iter_rows(named=True)}
    rows = []
    for start in months.to_list():
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)  # the next month's first day
        month = start.strftime("%Y-%m")
        end_moment = datetime(end.year, end.month, end.day, tzinfo=moment.tzinfo)
        # in progress at the month's end: begun by then, not completed by then (nor by as_of)
        in_progress = spans.filter((pl.col("first") <= month) & (pl.col("last").is_null() | (pl.col("last") > month)))
        done = finished.get(month)
        # the first month is whole when the log begins by its first working day
        begins_late = start == first_day.replace(day=1) and first_day > _first_workday(calendar, start)
        complete = end_moment <= moment and not begins_late
        why = "" if complete else ("月份未结束（截至日在本月）" if end_moment > moment else "日志始于月中")
        rows.append({
            "month": month, "cases_started": int(spans.filter(pl.col("first") == month)["n"].sum()),
            "cases_completed": done["n"] if done else 0, "in_progress_at_end": int(in_progress["n"].sum()),
            "median_work_days": None if not done or done["median_work_hours"] is None
            else done["median_work_hours"] / per_day,
            "p90_work_days": None if not done or done["p90_work_hours"] is None else done["p90_work_hours"] / per_day,
            "share_within_target": None if limit is None or not done else done["within"] / done["n"],
            "complete": complete, "incomplete_because": why,
        })
    table = pl.DataFrame(rows, schema={
        "month": pl.String, "cases_started": pl.Int64, "cases_completed": pl.Int64, "in_progress_at_end": pl.Int64,
        "median_work_days": pl.Float64, "p90_work_days": pl.Float64, "share_within_target": pl.Float64,
        "complete": pl.Boolean, "incomplete_because": pl.String})
    return MonthlyKPIs(table, moment, target, calendar_basis(calendar), per_day)


__all__ = ["stuck_cases", "StuckCases", "monthly_kpis", "MonthlyKPIs", "resolve_as_of", "latest_time", "AsOfError",
           "DEFAULT_STUCK_AFTER"]
