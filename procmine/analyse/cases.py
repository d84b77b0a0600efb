"""Drill-down to single cases: a table with every case id, and one case's timeline.

    >>> table = case_table(log)                          # doctest: +SKIP
    >>> table.write("out/cases.csv")                     # doctest: +SKIP
    >>> timeline = case_timeline(log, "HT2025-0001")     # doctest: +SKIP
    >>> timeline.plot().savefig("HT2025-0001.png")       # doctest: +SKIP

Both read the engine's tables (:meth:`procmine.EventLog.tables`) with the working-time columns
of :func:`procmine.analyse.times.time_tables`: every duration is given in calendar hours and in
working hours under the calendar. A case's lead time runs from its first arrival (or first
completion) to its last completion; for a case still in progress, to its last completion so far
(``open`` says which).
"""

from __future__ import annotations

import base64
import difflib
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from procmine.analyse.times import time_tables
from procmine.errors import ProcmineError
from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE, START, TIMESTAMP, EventLog, hours_between
from procmine.result import Result, display_lang
from procmine.text import Text, phrases

if TYPE_CHECKING:
    import pandas as pd
    from procmine.calendar import Calendar
    from procmine.compare.comparison import Comparison
    from procmine.compare.design import Design

#: Rows of a table shown inline in a notebook (the CSV and to_frame() have them all).
HTML_ROWS = 20

#: The sentences of the drill-down results, charts included: (Chinese, English).
PHRASES = phrases("cases", {
    "cases_head": ("案例表：{cases:,} 个案例（已完成 {closed:,}，办理中 {open:,}）；{calendar}",
                   "Case table: {cases:,} cases ({closed:,} completed, {open:,} in progress); {calendar}"),
    "cases_rework": ("  被驳回 {rejected:,} 个，被退回 {sent_back:,} 个，有重复步骤 {repeat:,} 个",
                     "  rejected {rejected:,}, sent back {sent_back:,}, with a repeated step {repeat:,}"),
    "cases_deviations": ("  与设计对比：{with_dev:,}/{compared:,} 个已完成案例有偏差，共 {total:,} 处",
                         "  against the design: {with_dev:,} of {compared:,} completed cases deviate, "
                         "{total:,} deviations in all"),
    "cases_longest": ("  周期最长的已完成案例：{items}", "  longest completed cases: {items}"),
    "cases_chart_title": ("周期最长的 {n} 个已完成案例", "The {n} completed cases with the longest lead time"),
    "cases_chart_axis": ("周期（{days}）", "lead time ({days})"),
    "work_days": ("工作日", "working days"),
    "calendar_days": ("天（日历）", "calendar days"),
    "work_hours": ("工作小时", "working h"),
    "calendar_hours": ("日历小时", "calendar h"),
    "timeline_head": ("案例 {case}：{steps} 个步骤，{first} → {last}，周期 {lead_work} {work_hours}"
                      "（日历 {lead} 小时）{status}",
                      "Case {case}: {steps} steps, {first} → {last}, lead time {lead_work} {work_hours} "
                      "({lead} calendar h){status}"),
    "timeline_open": ("，办理中（截至 {as_of}）", ", in progress (as of {as_of})"),
    "timeline_variant": ("  变体 #{rank}（{share} 的案例走此路径）；{calendar}",
                         "  variant #{rank} (the path of {share} of the cases); {calendar}"),
    "timeline_step": ("  {pos}. {activity}{who}：{begin} → {end}，用时 {work} {work_hours}（日历 {hours} 小时）{wait}",
                      "  {pos}. {activity}{who}: {begin} → {end}, took {work} {work_hours} ({hours} calendar h){wait}"),
    "timeline_wait": ("，到达前等待 {work} {work_hours}", ", waited {work} {work_hours} before arriving"),
    "timeline_still_open": ("办理中", "in progress"),
    "timeline_pending": ("  注意：{n} 个在办步骤的用时计至日志最晚时间 {as_of}",
                         "  note: {n} step(s) in progress are measured up to the log's latest time, {as_of}"),
    "timeline_title": ("案例 {case} 的办理时间线", "Timeline of case {case}"),
    "timeline_subtitle": ("{steps} 个步骤；周期 {lead_work} {work_hours}（日历 {lead} 小时）；灰色底纹为非工作时间"
                          "（{calendar}）",
                          "{steps} steps; lead time {lead_work} {work_hours} ({lead} calendar h); grey shading is "
                          "non-working time ({calendar})"),
    "timeline_subtitle_nocal": ("{steps} 个步骤；周期 {lead} 小时（日历时间）",
                                "{steps} steps; lead time {lead} h (calendar time)"),
    "legend_step": ("步骤（到达 → 完成）", "step (arrival → completion)"),
    "legend_instant": ("完成（日志只有完成时间）", "completion (the log has completion times only)"),
    "legend_handoff": ("交接等待", "hand-off wait"),
    "legend_open": ("办理中", "in progress"),
    "legend_offtime": ("非工作时间", "non-working time"),
    "legend_measured": ("按上一步完成计时", "timed from the previous completion"),
    "variants_head": ("变体：{variants:,} 种路径，{cases:,} 个案例；前 {top} 种覆盖 {coverage} 的案例",
                      "Variants: {variants:,} paths over {cases:,} cases; the top {top} cover {coverage} of the cases"),
    "variants_row": ("  #{rank} {share}（{cases:,} 个案例），周期中位 {work} {work_days}／{days} 天（日历）：{variant}",
                     "  #{rank} {share} ({cases:,} cases), median lead time {work} {work_days} / {days} calendar days: "
                     "{variant}"),
    "variants_others": ("  其他 {k:,} 个变体 {share}（{cases:,} 个案例），周期中位 {work} {work_days}／{days} 天（日历）",
                        "  {k:,} other variants {share} ({cases:,} cases), median lead time {work} {work_days} / "
                        "{days} calendar days"),
    "others_label": ("其他 {k:,} 个变体", "{k:,} other variants"),
    "variants_title": ("最常见的 {n} 种路径（变体）", "The {n} most frequent paths (variants)"),
    "variants_subtitle": ("共 {variants:,} 种变体、{cases:,} 个案例；条形为案例占比，右侧为已完成案例的周期中位数",
                          "{variants:,} variants over {cases:,} cases; bars: share of cases; right: median lead "
                          "time of completed cases"),
    "variants_axis": ("案例占比", "share of cases"),
    "variants_note": ("中位 {work} {work_days} · {days} 天", "median {work} {work_days} · {days} calendar d"),
    "variants_note_open": ("均在办理中", "all in progress"),
    "steps_omitted": ("…（{n} 步）…", "… ({n} steps) …"),
    "timeline_who": ("（{who}）", " ({who})"),
    "timeline_first_steps": ("仅显示前 {n} 步", "first {n} steps shown"),
    "variants_bar": ("{share:.1f} %（{cases:,}个案例）", "{share:.1f} % ({cases:,} cases)"),
})


def say(key: str, lang: str = "zh", **values) -> str:
    """The phrase ``key`` in ``lang`` ("zh" or "en") with ``values`` filled in."""
    return PHRASES(key, lang, **values)


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def days(value: float | None) -> str:
    """Days with one decimal, two below one day (0.04 days is an hour, not 0.0)."""
    return number(value, 2 if value is not None and abs(value) < 1 else 1)


def days_word(basis: str, lang: str) -> str:
    """工作日 under a working-time calendar; calendar days under ``Calendar(kind="none")``."""
    return say("work_days" if basis == "working" else "calendar_days", lang)


class CaseNotFoundError(ProcmineError):
    """The case id asked for is not in the log."""

    exit_code = 2


class DrillDown(Result):
    """The protocol the drill-down results share: JSON, CSV, inline display.

    A subclass gives ``to_frame``, ``to_dict``, ``describe(lang)`` and ``plot(lang, top)``; the
    rest follows from them.
    """


    def __str__(self) -> str:
        return self.describe("zh")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe('en').splitlines()[0]})"

    def calendar_text(self, lang: str = "zh") -> str:
        """The calendar in ``lang`` (results with ``calendar_description`` and ``calendar_description_zh``)."""
        return Text(lang).pick((self.calendar_description_zh, self.calendar_description))

    def write(self, out_dir: str | Path, lang: str = "zh", **options):
        """The result's files in ``out_dir``: ``{file name: path}`` (see :meth:`Result.write`).

        Given a file name ending in ``.csv`` instead of a folder, only the table is written there,
        as CSV, and its path returned: ``table.write("out/cases.csv")``."""
        if str(out_dir).lower().endswith(".csv"):
            return self.to_csv(out_dir)
        return super().write(out_dir, lang, **options)

    def to_csv(self, path: str | Path) -> Path:
        """The table as CSV (UTF-8 with BOM, formula-like text cells neutralised)."""
        from procmine.output import write_csv

        return write_csv(self.to_frame(), path)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()  # the chart is a Figure outside pyplot: nothing to close
        self.plot(display_lang(self)).savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        shown = frame.head(HTML_ROWS)
        more = (f"<p>{len(frame) - HTML_ROWS:,} more rows: to_frame() or write() has them all.</p>"
                if len(frame) > HTML_ROWS else "")
        chart = base64.b64encode(self._repr_png_()).decode("ascii")
        return (f"<div><pre>{html.escape(self.describe(display_lang(self)))}</pre>"
                f"<img src=\"data:image/png;base64,{chart}\" style=\"max-width:100%\"/>"
                f"{shown.to_html(index=False, na_rep='')}{more}</div>")


# --- the case table ----------------------------------------------------------------------------

@dataclass(repr=False)
class CaseTable(DrillDown):
    """One row per case with its variant, lead times, rework and (against a design) deviations."""

    table: pl.DataFrame
    hours_per_day: float
    basis: str
    calendar_description: str
    calendar_description_zh: str
    source: str = ""
    compared: bool = False

    outputs = ("cases.csv",)

    def _write_files(self, paths, lang, **options) -> None:
        if "cases.csv" in paths:
            self.to_csv(paths["cases.csv"])

    def to_frame(self) -> pd.DataFrame:
        frame = self.table.with_columns(pl.col("first_time", "last_time").dt.strftime("%Y-%m-%d %H:%M:%S"),
                                        pl.col(pl.Float64).round(6))
        frame = frame.to_pandas()
        if "deviations" in frame:  # a count, empty for a case not compared: not 2.0
            frame["deviations"] = frame["deviations"].astype("Int64")
        return frame

    def to_dict(self) -> dict:
        table = self.table
        closed = table.filter(~pl.col("open"))
        result = {
            "source": self.source,
            "cases": table.height,
            "completed_cases": closed.height,
            "in_progress": table.height - closed.height,
            "calendar": self.calendar_description,
            "hours_per_work_day": self.hours_per_day,
            "time_basis": self.basis,
            "rejected_cases": int(table["rejected"].sum()),
            "sent_back_cases": int(table["sent_back"].sum()),
            "cases_with_repeated_step": int(table["has_repeat"].sum()),
        }
        if self.compared:
            result["cases_with_deviations"] = int((table["deviations"].fill_null(0) > 0).sum())
            result["deviations"] = int(table["deviations"].fill_null(0).sum())
        result["rows"] = json.loads(self.to_frame().to_json(orient="records", force_ascii=False))
        return result

    def longest(self, n: int = 10) -> pl.DataFrame:
        """The ``n`` completed cases with the longest working-time lead time."""
        return (self.table.filter(~pl.col("open") & pl.col("lead_work_hours").is_not_null())
                .sort(["lead_work_hours", CASE], descending=[True, False]).head(n))

    def describe(self, lang: str = "zh") -> str:
        table = self.table
        n_open = int(table["open"].sum())
        lines = [say("cases_head", lang, cases=table.height, closed=table.height - n_open, open=n_open,
                     calendar=self.calendar_text(lang)),
                 say("cases_rework", lang, rejected=int(table["rejected"].sum()),
                     sent_back=int(table["sent_back"].sum()), repeat=int(table["has_repeat"].sum()))]
        if self.compared:
            compared = table.filter(pl.col("deviations").is_not_null())
            lines.append(say("cases_deviations", lang, with_dev=int((compared["deviations"] > 0).sum()),
                             compared=compared.height, total=int(compared["deviations"].sum())))
        longest = self.longest(5)
        if longest.height:
            unit = days_word(self.basis, lang)
            items = Text(lang).join(
                f"{case} {number(days)} {unit}" for case, days in longest.select(CASE, "lead_work_days").iter_rows())
            lines.append(say("cases_longest", lang, items=items))
        return "\n".join(lines)

    def plot(self, lang: str = "zh", top: int = 15):
        """The ``top`` completed cases with the longest lead time, in working days."""
        from procmine.chart.bars import draw_bars

        longest = self.longest(top)
        unit = days_word(self.basis, lang)
        notes = [f"{number(h / 24)} {say('calendar_days', lang)}" for h in longest["lead_hours"]]
        return draw_bars(longest[CASE].to_list(), longest["lead_work_days"].to_list(), notes,
                         title=say("cases_chart_title", lang, n=longest.height),
                         subtitle=self.calendar_text(lang),
                         axis_label=say("cases_chart_axis", lang, days=unit))


def case_table(log: EventLog, calendar: "Calendar | None" = None,
               design_comparison: "Comparison | Design | None" = None) -> CaseTable:
    """One row per case, every case id: what a filter, a pivot table or a look-up starts from.

    Columns: case, variant_id (the rank of its variant, 1 = most frequent, as in
    :func:`procmine.analyse.variants.variants`), first_time, last_time, events, lead_hours
    (calendar), lead_work_hours and lead_work_days (working time under ``calendar``), open (still
    in progress at export: its lead time runs to the log's latest time), rejected and sent_back (a step's decision was
    reject / send_back), has_repeat (an activity happened twice); with ``design_comparison`` (a
    :class:`~procmine.compare.Comparison`, or a design to compare with) also deviations: how many
    (case, deviation) rows ``deviations.csv`` has for it, 0 for a conforming case, empty for a
    case the comparison left out (in progress).

        >>> case_table(log).table.filter(pl.col("sent_back"))        # doctest: +SKIP
    """
    tables = time_tables(log, calendar)
    cal = tables.calendar
    decisions = (tables.steps.group_by("case_code")
                 .agg((pl.col("decision") == "reject").any().alias("rejected"),
                      (pl.col("decision") == "send_back").any().alias("sent_back")))
    table = (
        tables.cases.join(decisions, on="case_code", how="left", maintain_order="left")
        .select(CASE, pl.col("variant_id").cast(pl.Int64), "first_time", "last_time",
                pl.col("events").cast(pl.Int64), "lead_hours", "lead_work_hours",
                (pl.col("lead_work_hours") / cal.hours_per_day).alias("lead_work_days"), "open",
                pl.col("rejected").fill_null(False), pl.col("sent_back").fill_null(False), "has_repeat")
    )
    open_ids = table.filter(pl.col("open"))[CASE]
    as_of = _as_of(log)
    if open_ids.len() and as_of is not None:  # a case in progress: its lead time so far, up to the log's latest time
        latest = pl.lit(as_of).cast(table["last_time"].dtype)
        table = table.with_columns(pl.when(pl.col("open")).then(latest).otherwise(pl.col("last_time")).alias("__to"))
        table = table.with_columns(
            pl.when(pl.col("open")).then(hours_between(pl.col("__to"), pl.col("first_time")))
            .otherwise(pl.col("lead_hours")).alias("lead_hours"),
            pl.when(pl.col("open")).then(cal.working_hours(table["first_time"], table["__to"]))
            .otherwise(pl.col("lead_work_hours")).alias("lead_work_hours"),
        ).with_columns((pl.col("lead_work_hours") / cal.hours_per_day).alias("lead_work_days")).drop("__to")
    compared = design_comparison is not None
    if compared:
        comparison = design_comparison
        if not hasattr(comparison, "case_deviations"):  # a design: compare first
            from procmine.compare import compare

            comparison = compare(log, comparison, cal)
        counts = comparison.deviation_counts()
        table = (table.join(counts, on=CASE, how="left", maintain_order="left")
                 .with_columns(pl.when(~pl.col("open")).then(pl.col("deviations").fill_null(0)).alias("deviations")))
    return CaseTable(table=table, hours_per_day=cal.hours_per_day, basis=tables.basis,
                     calendar_description=cal.describe("en"), calendar_description_zh=cal.describe("zh"),
                     source=log.label, compared=compared)


# --- one case's timeline -----------------------------------------------------------------------

@dataclass(repr=False)
class CaseTimeline(DrillDown):
    """One case, step by step: when each step arrived and was completed, how long it took and how
    long it waited for the hand-off, in calendar and working hours.

    The lead time of a case in progress runs to ``as_of``, the log's latest time.
    ``steps`` columns: pos (1 = first), activity, resource, department, decision, arrival,
    completion (empty for a step still in progress), hours and work_hours (the step's duration:
    arrival → completion, or the previous completion → completion when the log has no arrival
    times; for a step in progress, up to ``as_of``), wait_hours and wait_work_hours (from the
    moment the step could start, its predecessors completed, to its arrival; empty without
    arrival times), timed_from (the instant the duration is measured from).
    """

    case: str
    steps: pl.DataFrame
    variant_id: int
    variant_share: float
    first_time: datetime
    last_time: datetime
    lead_hours: float | None
    lead_work_hours: float | None
    open: bool
    as_of: datetime | None
    has_arrival_times: bool
    calendar: "Calendar"
    source: str = ""

    def to_frame(self) -> pd.DataFrame:
        times = ["arrival", "completion", "timed_from"]
        return self.steps.with_columns(pl.col(times).dt.strftime("%Y-%m-%d %H:%M:%S")).to_pandas()

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "case": self.case,
            "variant_id": self.variant_id,
            "variant_share": round(self.variant_share, 4),
            "open": self.open,
            "as_of": None if self.as_of is None else _when(self.as_of),
            "lead_hours": _round(self.lead_hours),
            "lead_work_hours": _round(self.lead_work_hours),
            "lead_work_days": _round(None if self.lead_work_hours is None
                                     else self.lead_work_hours / self.calendar.hours_per_day),
            "calendar": self.calendar.describe("en"),
            "hours_per_work_day": self.calendar.hours_per_day,
            "has_arrival_times": self.has_arrival_times,
            "steps": json.loads(self.to_frame().to_json(orient="records", force_ascii=False)),
        }

    def describe(self, lang: str = "zh") -> str:
        steps = self.steps
        work_hours = say("work_hours" if self.calendar.kind != "none" else "calendar_hours", lang)
        status = say("timeline_open", lang, as_of=_when(self.as_of)) if self.open else ""
        lines = [say("timeline_head", lang, case=self.case, steps=steps.height, first=_when(self.first_time),
                     last=_when(self.last_time), lead_work=number(self.lead_work_hours),
                     work_hours=work_hours, lead=number(self.lead_hours), status=status),
                 say("timeline_variant", lang, rank=self.variant_id, share=f"{self.variant_share * 100:.1f} %",
                     calendar=self.calendar.describe(lang))]
        for row in steps.iter_rows(named=True):
            who = "、".join(v for v in (row[RESOURCE], row[DEPARTMENT]) if v)
            wait = ""
            if row["wait_work_hours"] is not None and row["wait_hours"] and row["wait_hours"] > 0:
                wait = say("timeline_wait", lang, work=number(row["wait_work_hours"]),
                           work_hours=work_hours)
            end = _when(row["completion"]) if row["completion"] is not None else say("timeline_still_open", lang)
            lines.append(say("timeline_step", lang, pos=row["pos"], activity=row[ACTIVITY],
                             who=say("timeline_who", lang, who=who) if who else "",
                             begin=_when(row["timed_from"] or row["arrival"]), end=end,
                             work=number(row["work_hours"]), work_hours=work_hours,
                             hours=number(row["hours"]), wait=wait))
        pending = steps.filter(pl.col("completion").is_null()).height
        if pending:
            lines.append(say("timeline_pending", lang, n=pending, as_of=_when(self.as_of)))
        return "\n".join(lines)

    def _file_names(self, **options) -> list[str]:
        """timeline_<case id>.png / .svg, the id made safe for a file name."""
        stem = "timeline_" + (re.sub(r"[^0-9A-Za-z\u4e00-\u9fff._-]+", "_", self.case).strip("._") or "case")
        return [f"{stem}.png", f"{stem}.svg"]

    def _write_files(self, paths, lang, **options) -> None:
        self._write_charts(paths, {self._file_names()[0].removesuffix(".png"): lambda: self.plot(lang)})

    def plot(self, lang: str = "zh", top: int | None = None):
        """The Gantt-like timeline (``top``, when given, keeps the first steps)."""
        from procmine.chart.timeline import draw_case_timeline

        return draw_case_timeline(self, lang=lang, top=top)


def case_timeline(log: EventLog, case_id: str, calendar: "Calendar | None" = None) -> CaseTimeline:
    """One case's steps with their times, durations and hand-off waits, ready to chart.

        >>> timeline = case_timeline(log, "HT2025-0001")        # doctest: +SKIP
        >>> timeline.steps.select("activity", "work_hours")     # doctest: +SKIP

    Raises :class:`CaseNotFoundError`, naming the closest ids, when ``case_id`` is not in the log.
    """
    tables = time_tables(log, calendar)
    cal = tables.calendar
    case_id = str(case_id).strip()
    cases = tables.cases.filter(pl.col(CASE) == case_id)
    if cases.is_empty():
        raise CaseNotFoundError(_not_found(log, case_id, tables.cases[CASE]))
    case = cases.row(0, named=True)
    steps = tables.steps.filter(pl.col("case_code") == case["case_code"])
    with_arrival = tables.has_start_times
    waits = None
    if with_arrival:  # without arrival times the wait and the step are one interval: not told apart
        waits = (tables.handoff_codes.filter(pl.col("case_code") == case["case_code"])
                 .group_by("target_index").agg(pl.col("hours").first().alias("wait_hours"),
                                               pl.col("work_hours").first().alias("wait_work_hours")))
    table = steps.select(
        pl.col("index"), (pl.col("pos") + 1).cast(pl.Int64).alias("pos"), ACTIVITY, RESOURCE, DEPARTMENT,
        pl.col("decision").cast(pl.String),
        pl.col("begin").alias("arrival") if with_arrival else pl.lit(None, dtype=steps["end"].dtype).alias("arrival"),
        pl.col("end").alias("completion"), pl.col("duration_hours").alias("hours"),
        pl.col("duration_work_hours").alias("work_hours"), pl.col("duration_from").alias("timed_from"),
    )
    if waits is not None:
        table = table.join(waits, left_on="index", right_on="target_index", how="left", maintain_order="left")
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("wait_hours"),
                                   pl.lit(None, dtype=pl.Float64).alias("wait_work_hours"))
    table = table.drop("index")
    as_of = _as_of(log)
    open_steps = log.open_steps.filter(pl.col(CASE) == case_id) if log.open_steps is not None else None
    if open_steps is not None and open_steps.height:
        arrival = open_steps[START].cast(table["completion"].dtype)
        ends = pl.Series([as_of] * open_steps.height).cast(arrival.dtype)
        pending = pl.DataFrame({
            "pos": pl.Series(range(table.height + 1, table.height + 1 + open_steps.height), dtype=pl.Int64),
            ACTIVITY: open_steps[ACTIVITY],
            **{role: open_steps[role] if role in open_steps.columns else pl.Series([None] * open_steps.height,
                                                                                  dtype=pl.String)
               for role in (RESOURCE, DEPARTMENT)},
            "decision": pl.Series([None] * open_steps.height, dtype=pl.String),
            "arrival": arrival, "completion": pl.Series([None] * open_steps.height, dtype=arrival.dtype),
            "hours": ((ends - arrival).dt.total_microseconds() / 3.6e9),
            "work_hours": cal.working_hours(arrival, ends), "timed_from": arrival,
            "wait_hours": pl.Series([None] * open_steps.height, dtype=pl.Float64),
            "wait_work_hours": pl.Series([None] * open_steps.height, dtype=pl.Float64),
        })
        table = pl.concat([table, pending.select(table.columns).cast(table.schema)])
    lead_hours, lead_work_hours = case["lead_hours"], case["lead_work_hours"]
    if case["open"] and as_of is not None:  # in progress: so far, up to the log's latest time
        first = pl.Series([case["first_time"]])
        latest = pl.Series([as_of]).cast(first.dtype)
        lead_hours = (as_of - case["first_time"]).total_seconds() / 3600
        lead_work_hours = cal.working_hours(first, latest).item()
    total = max(tables.cases.height, 1)
    share = tables.cases.filter(pl.col("variant_id") == case["variant_id"]).height / total
    return CaseTimeline(case=case_id, steps=table, variant_id=int(case["variant_id"]), variant_share=share,
                        first_time=case["first_time"], last_time=case["last_time"], lead_hours=lead_hours,
                        lead_work_hours=lead_work_hours,
                        open=bool(case["open"]), as_of=as_of, has_arrival_times=with_arrival, calendar=cal,
                        source=log.label)


def _not_found(log: EventLog, case_id: str, ids: pl.Series) -> str:
    ids_list = ids.to_list()
    # an id typed in part: the ids that contain it; else the most alike (a typo)
    wanted = case_id.casefold()
    close = sorted(i for i in ids_list if wanted and wanted in i.casefold())[:3]
    number_part = re.search(r"\d{2,}$", case_id)
    if not close and number_part:  # BX0001 for BX-2025-0001: the same serial number
        close = sorted(i for i in ids_list if i.endswith(number_part.group()))[:3]
    if not close:
        close = difflib.get_close_matches(case_id, ids_list, n=3, cutoff=0.5)
    hint = f"; close ids: {', '.join(close)}" if close else f"; its ids look like {', '.join(sorted(ids_list)[:3])}"
    where = " (after the filters)" if log.filters else ""
    return (f"case {case_id!r} is not in {log.source.name}{where}, which has {len(ids_list):,} cases{hint}. "
            "Check the id (procmine cases LOG -o OUT lists every one in cases.csv).")


def _as_of(log: EventLog):
    """The log's latest time: completions, and arrivals of steps still in progress."""
    latest = [log.events[TIMESTAMP].max()]
    if log.open_steps is not None and log.open_steps.height:
        latest.append(log.open_steps[START].max())
    latest = [t for t in latest if t is not None]
    return max(latest) if latest else None


def _when(value) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M")


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


__all__ = ["CaseNotFoundError", "CaseTable", "CaseTimeline", "case_table", "case_timeline", "say"]
