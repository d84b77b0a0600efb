"""The monthly monitoring chart: median lead time per month against the target, incomplete months
drawn hollow and dashed (their medians are not comparable), cases completed as bars."""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

from procmine.chart.fonts import chart_style
from procmine.text import phrases

BAR, BAR_PARTIAL = "#9fb4cf", "#dbe3ee"
LINE, TARGET = "#c8402f", "#3c8d50"

PHRASES = phrases("monitoring_chart", {
    "days_working": ("工作日", "working days"),
    "days_calendar": ("天", "days"),
    "cases_completed": ("完成案例数", "cases completed"),
    "cases_axis": ("完成案例数（个）", "cases completed"),
    "median": ("周期中位数（{days}）", "median lead time ({days})"),
    "incomplete": ("不完整月份（不可比）", "incomplete month (not comparable)"),
    "target": ("目标 ≤ {days_target:g} {days}", "target ≤ {days_target:g} {days}"),
    "title": ("月度 KPI 监控", "Monthly KPI monitoring"),
    "as_of": ("（截至 {as_of}）", " (as of {as_of})"),
})


def draw_monthly_monitoring(table: pl.DataFrame, *, target_days: float | None = None, lang: str = "zh",
                            basis: str = "working", as_of: str = "") -> Figure:
    """``table``: :func:`procmine.analyse.monitoring.monthly_kpis`' table (month, cases_completed,
    median_work_days, complete)."""
    t = PHRASES.text(lang)
    days = t("days_working" if basis == "working" else "days_calendar")
    months = table["month"].to_list()
    complete = table["complete"].to_list()
    medians = table["median_work_days"].to_list()
    x = list(range(len(months)))
    with chart_style():
        fig = Figure(figsize=(6.3, 3.9), dpi=100)  # 16 cm: the text width of an A4 page
        ax = fig.add_axes((0.09, 0.18, 0.8, 0.62))
        ax.bar(x, table["cases_completed"].to_list(), width=0.6,
               color=[BAR if c else BAR_PARTIAL for c in complete], label=t("cases_completed"))
        ax.set_ylabel(t("cases_axis"), fontsize=9)
        step = max(1, -(-len(months) // 18))
        ax.set_xticks(x[::step])
        ax.set_xticklabels(months[::step], rotation=0 if len(months) <= 8 else 45, fontsize=8)
        right = ax.twinx()
        whole = [m if c else None for m, c in zip(medians, complete)]
        right.plot(x, [float("nan") if m is None else m for m in whole], color=LINE, marker="o", linewidth=2,
                   label=t("median", days=days))
        partial = [i for i, c in enumerate(complete) if not c and medians[i] is not None]
        if partial:
            right.scatter(partial, [medians[i] for i in partial], facecolors="white", edgecolors=LINE, zorder=3,
                          label=t("incomplete"))
        if target_days is not None:
            right.axhline(target_days, color=TARGET, linestyle="--", linewidth=1.4,
                          label=t("target", days_target=target_days, days=days))
        right.set_ylabel(t("median", days=days), fontsize=9)
        known = [m for m in whole if m is not None] or [m for m in medians if m is not None]
        right.set_ylim(0, max(known + [target_days or 0, 1]) * 1.3)
        for axis in (ax, right):
            axis.tick_params(labelsize=8)
            axis.spines["top"].set_visible(False)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.92), ncol=4, fontsize=8, frameon=False)
        title = t("title") + (t("as_of", as_of=as_of) if as_of else "")
        fig.text(0.02, 0.97, title, fontsize=13, va="top")
    return fig


__all__ = ["draw_monthly_monitoring"]
