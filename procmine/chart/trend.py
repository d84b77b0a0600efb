"""The monthly KPI trend of the survey report: cases completed per month and the median lead time
against the target, drawn as the monitoring chart draws it (:mod:`procmine.chart.monitoring`)."""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

from procmine.chart.monitoring import BAR, LINE, TARGET, draw_monthly_monitoring

__all__ = ["draw_monthly_trend", "BAR", "LINE", "TARGET"]


def draw_monthly_trend(by_month: pl.DataFrame, *, target_days: float | None = None, lang: str = "zh",
                       basis: str = "working") -> Figure:
    """Bars: cases completed per month (left axis); line: median lead time in working days (right
    axis). The export's last month is marked incomplete (hollow, not joined to the line): it holds
    only the cases quick enough to finish before the export, so its median is not comparable."""
    table = by_month
    if "complete" not in table.columns:
        last = table.height - 1
        table = table.with_columns(pl.Series("complete", [i != last or table.height == 1
                                                          for i in range(table.height)], dtype=pl.Boolean))
    return draw_monthly_monitoring(table, target_days=target_days, lang=lang, basis=basis)
