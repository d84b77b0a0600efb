"""The monthly KPI trend: cases completed per month and the median lead time against the target."""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

from procmine.chart.fonts import chart_style

BAR = "#9fb4cf"
LINE = "#c8402f"
TARGET = "#3c8d50"


def draw_monthly_trend(by_month: pl.DataFrame, *, target_days: float | None = None, lang: str = "zh",
                       basis: str = "working") -> Figure:
    """Bars: cases completed per month (left axis); line: median lead time in working days (right axis)."""
    zh = lang == "zh"
    days_word = ("工作日" if basis == "working" else "天") if zh else ("working days" if basis == "working" else "days")
    months = by_month["month"].to_list()
    x = list(range(len(months)))
    with chart_style():
        # wide enough for a year of months; longer periods label every k-th month instead of growing off the page
        fig = Figure(figsize=(6.3, 3.8), dpi=100)  # 16 cm: the text width of an A4 page
        ax = fig.add_axes((0.09, 0.16, 0.8, 0.66))
        ax.bar(x, by_month["cases_completed"].to_list(), color=BAR, width=0.6,
               label="完成案例数" if zh else "cases completed")
        ax.set_ylabel("完成案例数（个）" if zh else "cases completed", fontsize=9)
        step = max(1, -(-len(months) // 18))
        ax.set_xticks(x[::step])
        ax.set_xticklabels(months[::step], rotation=0 if len(months) <= 8 else 45, fontsize=8)
        right = ax.twinx()
        medians = by_month["median_work_days"].to_list()
        right.plot(x, medians, color=LINE, marker="o", linewidth=2,
                   label=f"周期中位数（{days_word}）" if zh else f"median lead time ({days_word})")
        if target_days is not None:
            right.axhline(target_days, color=TARGET, linestyle="--", linewidth=1.4,
                          label=f"目标 ≤ {target_days:g} {days_word}" if zh else f"target ≤ {target_days:g} {days_word}")
        right.set_ylabel(f"周期中位数（{days_word}）" if zh else f"median lead time ({days_word})", fontsize=9)
        top = max([m for m in medians if m is not None] + [target_days or 0, 1])
        right.set_ylim(0, top * 1.25)
        for axis in (ax, right):
            axis.tick_params(labelsize=8)
            axis.spines["top"].set_visible(False)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        fig.legend(handles, labels, loc="upper right", bbox_to_anchor=(0.89, 0.95), ncol=3, fontsize=8, frameon=False)
        fig.text(0.02, 0.97, "月度 KPI 监控" if zh else "Monthly KPI monitoring", fontsize=13, va="top")
    return fig
