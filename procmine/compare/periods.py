"""Before and after: did the redesign work? Two periods of one log, or two exports, side by side.

    >>> diff = compare_periods(log, split="2025-07-01", target="3wd")     # doctest: +SKIP
    >>> print(diff)                                                       # doctest: +SKIP
    >>> diff.plot()                                                       # the difference map  # doctest: +SKIP

Cases are split by their **first event** (a case begun before the split belongs to "before"
even if it ended after it), or come from two exports (``other``). Both sides are measured under
one calendar, and every KPI delta carries a 95 % confidence interval:

* rates (rejection, first-time-right, target share): the bootstrap of a proportion, drawn
  exactly as a binomial (B = 2,000 resamples);
* medians and 90th percentiles: a percentile bootstrap of the cases (B = 1,000) up to
  ``BOOTSTRAP_MAX_CASES`` cases a side; beyond that, the distribution-free order-statistic
  interval of each side's quantile, combined as independent normal errors.

A change whose interval contains 0 is reported as within noise, in so many words. Steps and
hand-offs are compared by their median working time the same way, and marked new or removed
when only one side has them.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from procmine.errors import EmptyLogError, ProcmineError
from procmine.log import ACTIVITY, EventLog
from procmine.result import Result, display_lang
from procmine.text import Text, phrases

if TYPE_CHECKING:
    import pandas as pd

BOOTSTRAP = 1000
BOOTSTRAP_MAX_CASES = 20_000
Z95 = 1.959964
#: a step is listed as faster or slower only when its median moved by at least this share …
MIN_RELATIVE_CHANGE = 0.1
#: … and its interval excludes 0; steps seen in fewer cases than this on a side are not compared
MIN_CASES = 5


class PeriodError(ProcmineError):
    """A period to compare is empty, or the two logs cannot be compared."""

    exit_code = 2


@dataclass
class PeriodComparison(Result):
    """Two periods (or exports) of a process, compared: KPI deltas, steps, paths, variants."""

    before_label: str
    after_label: str
    kpis: pl.DataFrame
    activities: pl.DataFrame
    paths: pl.DataFrame
    variants: pl.DataFrame
    basis: str
    calendar_description: str
    calendar_description_en: str
    hours_per_day: float
    split: str | None = None
    target: str | None = None
    #: the two sides named in English (the Chinese names are before_label / after_label)
    labels_en: tuple[str, str] = ("before", "after")
    notes: list[str] = field(default_factory=list)
    _maps: tuple = field(default=(), repr=False)

    # --- shapes ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "before": self.labels_en[0], "after": self.labels_en[1], "before_zh": self.before_label,
            "after_zh": self.after_label, "split": self.split, "target": self.target,
            "time_basis": self.basis, "calendar": self.calendar_description_en,
            "hours_per_work_day": self.hours_per_day,
            "units": {"*_hours": "calendar hours", "*_work_hours": "working hours", "rate": "fraction of completed cases",
                      "ci": "95 % confidence interval of after − before"},
            "kpis": _records(self.kpis), "activities": _records(self.activities), "paths": _records(self.paths),
            "variants": _records(self.variants), "notes": self.notes,
        }


    def to_frame(self, part: str = "kpis") -> pd.DataFrame:
        """One of the tables as pandas: kpis, activities, paths or variants."""
        return getattr(self, part).to_pandas()

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"kpis": self.kpis, "activities": self.activities, "paths": self.paths, "variants": self.variants}

    # --- text --------------------------------------------------------------------------
    def labels(self, lang: str = "zh") -> tuple[str, str]:
        """The two sides' names in ``lang``."""
        return PHRASES.text(lang).pick(((self.before_label, self.after_label), self.labels_en))

    def describe(self, lang: str = "zh") -> str:
        t = PHRASES.text(lang)
        before, after = self.labels(lang)
        lines = [t("head", before=before, after=after, basis=t.basis(self.basis),
                   calendar=t.pick((self.calendar_description, self.calendar_description_en)))]
        lines.append(t("kpis_head"))
        for r in self.kpis.iter_rows(named=True):
            lines.append("    " + _kpi_line(r, t))
        changed = self.activities.filter(pl.col("change") != "same")
        if changed.height:
            lines.append(t("steps_head"))
            for r in changed.iter_rows(named=True):
                lines.append("    " + _step_line(r, t, self.basis))
        else:
            lines.append(t("steps_same"))
        new = self.paths.filter(pl.col("change") == "new")["path"].to_list()
        gone = self.paths.filter(pl.col("change") == "removed")["path"].to_list()
        if new or gone:
            lines.append(t("paths", new=t.join(new) or t("no_path"), gone=t.join(gone) or t("no_path")))
        top = self.variants.head(5)
        if top.height:
            lines.append(t("variants_head"))
            for r in top.iter_rows(named=True):
                lines.append(f"    {_pct(r['share_before'])} → {_pct(r['share_after'])}  {r['variant']}")
        lines += [f"  ! {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe("zh")

    def _repr_html_(self) -> str:
        esc = html.escape
        t = PHRASES.text(display_lang(self))
        rows = "".join(f"<tr><td>{esc(_kpi_line(r, t))}</td></tr>" for r in self.kpis.iter_rows(named=True))
        steps = "".join(f"<tr><td>{esc(_step_line(r, t, self.basis))}</td></tr>"
                        for r in self.activities.filter(pl.col("change") != "same").iter_rows(named=True))
        empty = f"<tr><td>{t('html_none')}</td></tr>"
        return (f"<div><h4>{esc(t('html_head', before=self.before_label, after=self.after_label))}</h4>"
                f"<table>{rows}</table><h5>{t('html_steps')}</h5><table>{steps or empty}</table></div>")

    # --- chart -------------------------------------------------------------------------
    def plot(self, lang: str = "zh"):
        """The difference map: both periods' maps in one, steps and paths coloured faster (green)
        or slower (red), new ones marked 新增, removed ones dashed grey (已删除)."""
        from procmine.chart.difference import draw_difference_map

        return draw_difference_map(self, lang=lang)

    # --- files -------------------------------------------------------------------------
    outputs = ("diff.json", "diff_kpis.csv", "diff_activities.csv", "diff_paths.csv", "diff_variants.csv",
               "diff.xlsx", "diff_map.png", "diff_map.svg")

    def _write_files(self, paths, lang, filters=(), **options) -> None:
        """diff.json, one CSV per table, diff.xlsx (every table on its own sheet) and the
        difference map (diff_map.png, .svg)."""
        from procmine.output import write_csv, writing
        from procmine.report.workbook import write_workbook

        self._write_json(paths, "diff.json", filters)
        for name, frame in self.tables().items():
            if f"diff_{name}.csv" in paths:
                write_csv(frame, paths[f"diff_{name}.csv"])
        if "diff.xlsx" in paths:
            unit = "working hours" if self.basis == "working" else "calendar hours"
            sheets = {"KPI": self.kpis, "环节 steps": self.activities, "路径 paths": self.paths,
                      "变体 variants": self.variants}
            notes = {name: f"{self.before_label} → {self.after_label}; *_work_hours = {unit}; ci = 95 % interval "
                           "of after − before" for name in ("KPI", "环节 steps", "路径 paths")}
            with writing(paths["diff.xlsx"]):
                write_workbook(sheets, paths["diff.xlsx"], notes=notes)
        self._write_charts(paths, {"diff_map": lambda: self.plot(lang)})


# --- building ---------------------------------------------------------------------------

def compare_periods(log: EventLog, split: str | date | datetime | None = None, other: EventLog | None = None, *,
                    calendar=None, target: str | None = None, seed: int = 0) -> PeriodComparison:
    """``log`` before and after ``split`` (cases by their first event), or ``log`` (before)
    against ``other`` (after, a later export). See the module docstring for the statistics."""
    from procmine.analyse.times import default_calendar

    calendar = calendar or default_calendar()
    if (split is None) == (other is None):
        raise PeriodError("compare two periods of one log (a split date) or two logs (an old and a new export), "
                          "not both and not neither.")
    if other is not None:
        before, after = log, other
        before_label, after_label = log.label, other.label
        labels_en = (f"old export {log.source.name}", f"new export {other.source.name}")
        _same_mapping(log, other)
    else:
        written = split if isinstance(split, str) else split.isoformat()
        if isinstance(split, str):
            check_split(split)
        before = _side(log, f":{written}", f"before {written}", log)
        after = _side(log, f"{written}:", f"from {written} on", log)
        n_before, n_after = before.summary().cases, after.summary().cases
        (before_label, labels_before), (after_label, labels_after) = (
            PHRASES.pair("before", split=written, n=n_before), PHRASES.pair("after", split=written, n=n_after))
        labels_en = (labels_before, labels_after)
    rng = np.random.default_rng(seed)
    a, b = _case_frame(before, calendar, target), _case_frame(after, calendar, target)
    if a["done"].height == 0 or b["done"].height == 0:
        empty = before_label if a["done"].height == 0 else after_label
        raise PeriodError(f"no completed case in {empty}: nothing to compare (pick a split date with completed "
                          "cases on both sides).")
    kpis = _kpi_table(a, b, rng, target)
    from procmine.analyse.times import time_tables

    ta, tb = time_tables(before, calendar), time_tables(after, calendar)
    activities = _activity_table(ta, tb, rng)
    paths = _path_table(ta, tb)
    variants = _variant_table(before, after)
    notes = []
    if other is not None:  # two exports: a case in both is counted on both sides
        shared = before.events["case"].unique().is_in(after.events["case"].unique().implode()).sum()
        if shared:
            notes.append(" · ".join(PHRASES.pair("in_both_exports", n=shared)))
    if a["open"] or b["open"]:
        notes.append(" · ".join(PHRASES.pair("open_left_out", before=a["open"], after=b["open"])))
    from procmine.discover import discover

    return PeriodComparison(
        before_label=before_label, after_label=after_label, kpis=kpis, activities=activities, paths=paths,
        variants=variants, basis=ta.basis, calendar_description=ta.calendar.describe("zh"),
        calendar_description_en=ta.calendar.describe("en"), hours_per_day=ta.calendar.hours_per_day,
        split=None if split is None else (split if isinstance(split, str) else split.isoformat()), target=target,
        notes=notes, labels_en=labels_en, _maps=(discover(before), discover(after)))


def check_split(split: str) -> None:
    """A --split that is not a date: one clear line."""
    from procmine.filters import FilterError, _read_day

    try:
        _read_day(split, f"--split {split}")
    except FilterError:
        raise PeriodError(f"--split {split!r} is not a date; write it as 2025-07-01 (or 2025-07-01 09:00), "
                          "the day the new process started.") from None


def _side(log: EventLog, period: str, what: str, whole: EventLog) -> EventLog:
    try:
        return log.filter(period=period)
    except EmptyLogError:
        first, last = whole.summary().start, whole.summary().end
        raise PeriodError(f"{whole.source.name}: no case starts {what} (the log's cases start from {first} to "
                          f"{last}); pick a split date inside that range.") from None


def _same_mapping(old: EventLog, new: EventLog) -> None:
    """Two exports are compared by their mapped columns; say so when a role is missing on one side."""
    a, b = old.columns.to_dict(), new.columns.to_dict()
    missing = [role for role in ("case", "activity", "timestamp") if not (a.get(role) and b.get(role))]
    if missing:
        raise PeriodError(f"{new.source.name}: no {', '.join(missing)} column to compare with {old.source.name}.")


def _case_frame(log: EventLog, calendar, target) -> dict:
    from procmine.analyse.kpi import case_outcomes

    cases = case_outcomes(log, calendar)
    done = cases.filter(~pl.col("open"))
    out = {"done": done, "open": cases.height - done.height}
    if target is not None:
        from procmine.calendar import parse_duration_target

        limit = parse_duration_target(target)
        column = "lead_work_hours" if limit.basis == "working" else "lead_hours"
        out["met"] = (done[column] <= limit.to_work_hours(calendar) + 1e-9).fill_null(False)
    return out


def _kpi_table(a: dict, b: dict, rng, target) -> pl.DataFrame:
    rows = []
    for column, unit_en in (("lead_hours", "calendar hours"), ("lead_work_hours", "working hours")):
        x, y = _values(a["done"][column]), _values(b["done"][column])
        for q, name in ((0.5, "median"), (0.9, "p90")):
            rows.append(_delta_row(f"{name}_{column}", unit_en, x, y, q, rng))
    for flag, name in (("rejected", "rejection_rate"), ("right_first_time", "first_time_right")):
        rows.append(_rate_row(name, a["done"][flag].to_numpy(), b["done"][flag].to_numpy(), rng))
    if target is not None:
        rows.append(_rate_row("target_share", a["met"].to_numpy(), b["met"].to_numpy(), rng))
    rows.append({"measure": "completed_cases", "unit": "cases", "before": a["done"].height,
                 "after": b["done"].height, "delta": b["done"].height - a["done"].height, "ci_low": None,
                 "ci_high": None, "method": "count", "within_noise": None})
    return pl.DataFrame(rows, schema={"measure": pl.String, "unit": pl.String, "before": pl.Float64,
                                      "after": pl.Float64, "delta": pl.Float64, "ci_low": pl.Float64,
                                      "ci_high": pl.Float64, "method": pl.String, "within_noise": pl.Boolean})


def _values(series: pl.Series) -> np.ndarray:
    return series.drop_nulls().drop_nans().to_numpy().astype(float) if series.dtype.is_float() else \
        series.drop_nulls().to_numpy().astype(float)


def quantile_delta(x: np.ndarray, y: np.ndarray, q: float, rng) -> tuple[float | None, float | None, float | None, str]:
    """(after − before) of the ``q`` quantile with its 95 % interval, and the method used."""
    if len(x) == 0 or len(y) == 0:
        return None, None, None, "not enough cases"
    delta = float(np.quantile(y, q) - np.quantile(x, q))
    if max(len(x), len(y)) <= BOOTSTRAP_MAX_CASES:
        boot = _boot_quantile(y, q, rng) - _boot_quantile(x, q, rng)
        low, high = np.quantile(boot, [0.025, 0.975])
        return delta, float(low), float(high), f"percentile bootstrap of cases, B = {BOOTSTRAP}"
    se = math.hypot(_order_stat_se(x, q), _order_stat_se(y, q))
    return delta, delta - Z95 * se, delta + Z95 * se, "order-statistic intervals, combined as normal errors"


def _boot_quantile(values: np.ndarray, q: float, rng) -> np.ndarray:
    n = len(values)
    out = np.empty(BOOTSTRAP)
    step = max(1, 5_000_000 // n)  # resamples per chunk: bounded memory
    for start in range(0, BOOTSTRAP, step):
        stop = min(BOOTSTRAP, start + step)
        sample = values[rng.integers(0, n, size=(stop - start, n))]
        out[start:stop] = np.quantile(sample, q, axis=1)
    return out


def _order_stat_se(values: np.ndarray, q: float) -> float:
    ordered = np.sort(values)
    n = len(ordered)
    half = Z95 * math.sqrt(n * q * (1 - q))
    lo, hi = max(0, int(math.floor(n * q - half))), min(n - 1, int(math.ceil(n * q + half)))
    return float(ordered[hi] - ordered[lo]) / (2 * Z95)


def _delta_row(name: str, unit: str, x, y, q, rng) -> dict:
    delta, low, high, method = quantile_delta(x, y, q, rng)
    return {"measure": name, "unit": unit, "before": _q(x, q), "after": _q(y, q), "delta": delta, "ci_low": low,
            "ci_high": high, "method": method,
            "within_noise": None if low is None else bool(low <= 0 <= high)}


def _q(values, q):
    return float(np.quantile(values, q)) if len(values) else None


def _rate_row(name: str, x: np.ndarray, y: np.ndarray, rng) -> dict:
    px, py = float(x.mean()), float(y.mean())
    # the bootstrap of a proportion: a resample's count of successes is binomial
    boot = rng.binomial(len(y), py, 2 * BOOTSTRAP) / len(y) - rng.binomial(len(x), px, 2 * BOOTSTRAP) / len(x)
    low, high = np.quantile(boot, [0.025, 0.975])
    return {"measure": name, "unit": "fraction of completed cases", "before": px, "after": py, "delta": py - px,
            "ci_low": float(low), "ci_high": float(high), "method": f"bootstrap of a proportion, B = {2 * BOOTSTRAP}",
            "within_noise": bool(low <= 0 <= high)}


def _activity_table(ta, tb, rng) -> pl.DataFrame:
    def per(tables):
        steps = tables.steps
        return {name: (group["case_code"].n_unique(), _values(group["duration_work_hours"]),
                       _values(group["duration_hours"]))
                for (name,), group in steps.group_by(ACTIVITY)}

    a, b = per(ta), per(tb)
    rows = []
    for name in sorted(set(a) | set(b)):
        (na, wa, ca), (nb, wb, cb) = a.get(name, (0, np.array([]), np.array([]))), b.get(name, (0, np.array([]),
                                                                                                 np.array([])))
        row = {"activity": name, "cases_before": na, "cases_after": nb,
               "median_work_hours_before": _q(wa, 0.5), "median_work_hours_after": _q(wb, 0.5),
               "median_hours_before": _q(ca, 0.5), "median_hours_after": _q(cb, 0.5),
               "delta_work_hours": None, "ci_low": None, "ci_high": None}
        if na == 0:
            row["change"] = "new"
        elif nb == 0:
            row["change"] = "removed"
        elif na < MIN_CASES or nb < MIN_CASES or not len(wa) or not len(wb):
            row["change"] = "same"
        else:
            delta, low, high, _ = quantile_delta(wa, wb, 0.5, rng)
            row |= {"delta_work_hours": delta, "ci_low": low, "ci_high": high}
            base = abs(row["median_work_hours_before"] or 0)
            moved = not (low <= 0 <= high) and abs(delta) >= MIN_RELATIVE_CHANGE * max(base, 1e-9)
            row["change"] = ("faster" if delta < 0 else "slower") if moved else "same"
        rows.append(row)
    order = {"removed": 0, "new": 1, "slower": 2, "faster": 3, "same": 4}
    rows.sort(key=lambda r: (order[r["change"]], -abs(r["delta_work_hours"] or 0), r["activity"]))
    return pl.DataFrame(rows, schema={
        "activity": pl.String, "cases_before": pl.Int64, "cases_after": pl.Int64,
        "median_work_hours_before": pl.Float64, "median_work_hours_after": pl.Float64,
        "median_hours_before": pl.Float64, "median_hours_after": pl.Float64, "delta_work_hours": pl.Float64,
        "ci_low": pl.Float64, "ci_high": pl.Float64, "change": pl.String})


def _path_table(ta, tb) -> pl.DataFrame:
    def per(tables):
        names = tables.activity_names.to_list()
        return {(names[s], names[t]): (n, w) for s, t, n, w in tables.handoff_codes.group_by(
            "source_code", "target_code").agg(pl.col("case_code").n_unique(), pl.col("work_hours").median()).iter_rows()}

    a, b = per(ta), per(tb)
    rows = []
    for key in sorted(set(a) | set(b)):
        (na, wa), (nb, wb) = a.get(key, (0, None)), b.get(key, (0, None))
        rows.append({"source": key[0], "target": key[1], "path": f"{key[0]} → {key[1]}", "cases_before": na,
                     "cases_after": nb, "median_wait_work_hours_before": wa, "median_wait_work_hours_after": wb,
                     "change": "new" if na == 0 else "removed" if nb == 0 else "kept"})
    return pl.DataFrame(rows, schema={"source": pl.String, "target": pl.String, "path": pl.String,
                                      "cases_before": pl.Int64, "cases_after": pl.Int64,
                                      "median_wait_work_hours_before": pl.Float64,
                                      "median_wait_work_hours_after": pl.Float64, "change": pl.String})


def _variant_table(before: EventLog, after: EventLog) -> pl.DataFrame:
    def shares(log):
        v = log.tables().variants
        total = v["cases"].sum()
        key = v["activities"].list.join(" → ") if "activities" in v.columns else None
        return dict(zip(key.to_list(), (v["cases"] / total).to_list()))

    a, b = shares(before), shares(after)
    rows = [{"variant": k, "share_before": a.get(k, 0.0), "share_after": b.get(k, 0.0),
             "delta": b.get(k, 0.0) - a.get(k, 0.0)} for k in set(a) | set(b)]
    rows.sort(key=lambda r: (-max(r["share_before"], r["share_after"]), r["variant"]))
    return pl.DataFrame(rows[:50], schema={"variant": pl.String, "share_before": pl.Float64,
                                           "share_after": pl.Float64, "delta": pl.Float64})


# --- words ------------------------------------------------------------------------------

PHRASES = phrases("periods", {
    "before": ("{split} 之前（{n:,} 件）", "before {split} ({n:,} cases)"),
    "after": ("{split} 起（{n:,} 件）", "from {split} on ({n:,} cases)"),
    "head": ("前后对比：{before} 对比 {after}（{basis}：{calendar}）", "Before and after: {before} vs {after} ({basis}: {calendar})"),
    "kpis_head": ("  关键指标（后 − 前，95% 置信区间）：", "  KPIs (after − before, 95 % confidence interval):"),
    "steps_head": ("  环节变化：", "  steps that changed:"),
    "steps_same": ("  环节：没有超出随机波动的变化", "  steps: no change beyond noise"),
    "paths": ("  路径：新增 {new}；消失 {gone}", "  paths: new {new}; gone {gone}"),
    "no_path": ("无", "none"),
    "variants_head": ("  主要变体占比（前 → 后）：", "  main variants, share (before → after):"),
    # notes, kept in both languages at once
    "in_both_exports": ("{n:,} 个案例同时出现在两份导出中，两边都计入",
                        "{n:,} cases appear in both exports and count on both sides (export by period to keep them apart)"),
    "open_left_out": ("进行中、未计入周期的案例：之前 {before:,} 件，之后 {after:,} 件",
                      "in progress, left out of lead times: {before:,} before, {after:,} after"),
    # the measures
    "median_lead_hours": ("周期中位数（日历小时）", "median lead time (calendar hours)"),
    "p90_lead_hours": ("周期 P90（日历小时）", "p90 lead time (calendar hours)"),
    "median_lead_work_hours": ("周期中位数（工作小时）", "median lead time (working hours)"),
    "p90_lead_work_hours": ("周期 P90（工作小时）", "p90 lead time (working hours)"),
    "rejection_rate": ("驳回率", "rejection rate"),
    "first_time_right": ("一次通过率", "first-time-right"),
    "target_share": ("达标率", "share within target"),
    "completed_cases": ("已完成案例数", "completed cases"),
    "count_line": ("{name}：{before:,.0f} → {after:,.0f}", "{name}: {before:,.0f} → {after:,.0f}"),
    "points": ("{delta:+.1f} 个百分点", "{delta:+.1f} pp"),
    "within_noise": ("，在随机波动范围内（区间含 0），不能算作变化", "; within noise (the interval contains 0): not a change"),
    "real_change": ("，变化显著", "; a real change"),
    "kpi_line": ("{name}：{before} → {after}，变化 {delta} {ci}{verdict}", "{name}: {before} → {after}, change {delta} {ci}{verdict}"),
    # the steps
    "unit_working": ("工作小时", "working hours"),
    "unit_calendar": ("日历小时", "calendar hours"),
    "step_new": ("新增 {name}（{cases:,} 件）", "new: {name} ({cases:,} cases)"),
    "step_removed": ("已删除 {name}（此前 {cases:,} 件）", "removed: {name} ({cases:,} cases before)"),
    "faster": ("变快", "faster"),
    "slower": ("变慢", "slower"),
    "step_line": ("{word} {name}：中位 {before:.1f} → {after:.1f} {unit}（{delta:+.1f}，区间 [{low:+.1f}, {high:+.1f}]）",
                  "{word}: {name}, median {before:.1f} → {after:.1f} {unit} ({delta:+.1f}, interval [{low:+.1f}, "
                  "{high:+.1f}])"),
    # the notebook display
    "html_head": ("前后对比 · {before} → {after}", "Before and after · {before} → {after}"),
    "html_steps": ("环节变化", "Changes by step"),
    "html_none": ("无", "none"),
})
MEASURES = ("median_lead_hours", "p90_lead_hours", "median_lead_work_hours", "p90_lead_work_hours", "rejection_rate",
            "first_time_right", "target_share", "completed_cases")
KPI_ZH, KPI_EN = ({m: PHRASES(m, lang) for m in MEASURES} for lang in ("zh", "en"))


def _kpi_line(r: dict, t: Text) -> str:
    """One KPI's change, in the language of ``t``."""
    t = PHRASES.text(t.lang)
    name = t(r["measure"])
    rate = r["unit"].startswith("fraction")
    fmt = _pct if rate else (lambda v: "–" if v is None else f"{v:,.1f}")
    if r["measure"] == "completed_cases":
        return t("count_line", name=name, before=r["before"], after=r["after"])
    delta = "–" if r["delta"] is None else t("points", delta=r["delta"] * 100) if rate else f"{r['delta']:+,.1f}"
    ci = "" if r["ci_low"] is None else (
        f"[{r['ci_low'] * 100:+.1f}, {r['ci_high'] * 100:+.1f}]" if rate else f"[{r['ci_low']:+,.1f}, {r['ci_high']:+,.1f}]")
    verdict = "" if r["within_noise"] is None else t("within_noise" if r["within_noise"] else "real_change")
    return t("kpi_line", name=name, before=fmt(r["before"]), after=fmt(r["after"]), delta=delta, ci=ci, verdict=verdict)


def _step_line(r: dict, t: Text, basis: str) -> str:
    """One step that changed, in the language of ``t``."""
    t = PHRASES.text(t.lang)
    name = r["activity"]
    if r["change"] == "new":
        return t("step_new", name=name, cases=r["cases_after"])
    if r["change"] == "removed":
        return t("step_removed", name=name, cases=r["cases_before"])
    return t("step_line", word=t(r["change"]), name=name, before=r["median_work_hours_before"],
             after=r["median_work_hours_after"], unit=t(f"unit_{basis}"), delta=r["delta_work_hours"],
             low=r["ci_low"], high=r["ci_high"])


def _pct(value) -> str:
    return "–" if value is None else f"{value:.1%}"


def _records(frame: pl.DataFrame) -> list[dict]:
    return [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()} for row in frame.to_dicts()]


__all__ = ["check_split", "compare_periods", "PeriodComparison", "PeriodError", "quantile_delta"]
