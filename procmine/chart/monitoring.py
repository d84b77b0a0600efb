"""The monthly monitoring chart: median lead time per month against the target, incomplete months
drawn hollow and dashed (their medians are not comparable), cases completed as bars."""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

from procmine.chart.fonts import chart_style

BAR, BAR_PARTIAL = "#9fb4cf", "#dbe3ee"
LINE, TARGET = "#c8402f", "#3c8d50"


def draw_monthly_monitoring(table: pl.DataFrame, *, target_days: float | None = None, lang: str = "zh",
                            basis: str = "working", as_of: str = "") -> Figure:
    """``table``: :func:`procmine.analyse.monitoring.monthly_kpis`' table (month, cases_completed,
    median_work_days, complete)."""
    zh = lang == "zh"
    days = ("工作日" if basis == "working" else "天") if zh else ("working days" if basis == "working" else "days")
    months = table["month"].to_list()
    complete = table["complete"].to_list()
    medians = table["median_work_days"].to_list()
    x = list(range(len(months)))
    with chart_style():
        fig = Figure(figsize=(6.3, 3.9), dpi=100)  # 16 cm: the text width of an A4 page
        ax = fig.add_axes((0.09, 0.18, 0.8, 0.62))
        ax.bar(x, table["cases_completed"].to_list(), width=0.6,
               color=[BAR if c else BAR_PARTIAL for c in complete], label="完成案例数" if zh else "cases completed")
        ax.set_ylabel("完成案例数（个）" if zh else "cases completed", fontsize=9)
        step = max(1, -(-len(months) // 18))
        ax.set_xticks(x[::step])
        ax.set_xticklabels(months[::step], rotation=0 if len(months) <= 8 else 45, fontsize=8)
        right = ax.twinx()
        whole = [m if c else None for m, c in zip(medians, complete)]
        right.plot(x, [float("nan") if m is None else m for m in whole], color=LINE, marker="o", linewidth=2,
                   label=f"周期中位数（{days}）" if zh else f"median lead time ({days})")
        partial = [i for i, c in enumerate(complete) if not c and medians[i] is not None]
        if partial:
            right.scatter(partial, [medians[i] for i in partial], facecolors="white", edgecolors=LINE, zorder=3,
                          label="不完整月份（不可比）" if zh else "incomplete month (not comparable)")
        if target_days is not None:
            right.axhline(target_days, color=TARGET, linestyle="--", linewidth=1.4,
                          label=f"目标 ≤ {target_days:g} {days}" if zh else f"target ≤ {target_days:g} {days}")
        right.set_ylabel(f"周期中位数（{days}）" if zh else f"median lead time ({days})", fontsize=9)
        known = [m for m in whole if m is not None] or [m for m in medians if m is not None]
        right.set_ylim(0, max(known + [target_days or 0, 1]) * 1.3)
        for axis in (ax, right):
            axis.tick_params(labelsize=8)
            axis.spines["top"].set_visible(False)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.92), ncol=4, fontsize=8, frameon=False)
        title = "月度 KPI 监控" if zh else "Monthly KPI monitoring"
        if as_of:
            title += f"（截至 {as_of}）" if zh else f" (as of {as_of})"
        fig.text(0.02, 0.97, title, fontsize=13, va="top")
    return fig


__all__ = ["draw_monthly_monitoring"]
