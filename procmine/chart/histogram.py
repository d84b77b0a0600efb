"""The lead-time distribution: completed cases per lead-time bin (working days), against the target.

    >>> from procmine.analyse.kpi import lead_time_distribution
    >>> fig = draw_lead_time_histogram(lead_time_distribution(log), target_days=3)   # doctest: +SKIP
"""

from __future__ import annotations

import unicodedata

import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from procmine.chart.fonts import chart_style
from procmine.chart.trend import BAR, TARGET
from procmine.text import phrases

TEXT_COLOUR = "#28313b"
MUTED = "#5b6570"


SUBTITLE_WIDTH = 104  # half-width characters that fit the 6.3-inch figure at 8.5 pt (a Chinese one counts two)


def _wrap(text: str, limit: int) -> str:
    """At most two lines of ``limit`` display width, broken after a separator where there is one."""
    def width(part: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in part)

    if width(text) <= limit:
        return text
    cut, used = 0, 0
    for i, ch in enumerate(text):
        used += width(ch)
        if used > limit:
            break
        if ch in " ·，,；;）)":
            cut = i + 1
    cut = cut or i
    rest = text[cut:].strip()
    while width(rest) > limit:
        rest = rest[:-2] + "…"
    return text[:cut].rstrip() + "\n" + rest


def _num(value: float) -> str:
    return f"{value:g}"


PHRASES = phrases("histogram", {
    "days_working": ("工作日", "working days"),
    "days_calendar": ("天", "days"),
    "axis": ("周期（{days}）", "lead time ({days})"),
    "cases_axis": ("已完成案例数（个）", "completed cases"),
    "target": ("目标 ≤ {target} {days}", "target ≤ {target} {days}"),
    "title": ("周期分布（已完成案例）", "Lead-time distribution (completed cases)"),
})


def draw_lead_time_histogram(bins: pl.DataFrame, *, target_days: float | None = None, lang: str = "zh",
                             basis: str = "working", subtitle: str = "", target_note: str = "") -> Figure:
    """Bars: completed cases per bin of ``bins`` (from :func:`procmine.analyse.kpi.lead_time_distribution`).

    The last bin may be open ("≥ x", ``to_work_days`` None): it is drawn as one more bin with a
    hatched bar. ``target_days`` draws the target as a dashed vertical line, labelled with
    ``target_note`` (e.g. the share of cases within it).
    """
    t = PHRASES.text(lang)
    days_word = t("days_working" if basis == "working" else "days_calendar")
    rows = bins.to_dicts()
    width = (rows[0]["to_work_days"] - rows[0]["from_work_days"]) if rows and rows[0]["to_work_days"] is not None \
        else 1.0
    with chart_style():
        fig = Figure(figsize=(6.3, 3.9), dpi=100)  # 16 cm: the text width of an A4 page
        ax = fig.add_axes((0.08, 0.15, 0.88, 0.62))
        top = max((r["cases"] for r in rows), default=1) or 1
        for r in rows:
            is_open = r["to_work_days"] is None
            ax.bar(r["from_work_days"], r["cases"], width=width * 0.92, align="edge", color=BAR,
                   hatch="//" if is_open else None, edgecolor="#6f87a8" if is_open else BAR, linewidth=0.6)
            if r["cases"]:
                ax.text(r["from_work_days"] + width * 0.46, r["cases"] + top * 0.015, f"{r['cases']:,}",
                        ha="center", va="bottom", fontsize=8, color=TEXT_COLOUR, zorder=4,
                        bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"})
        edges = [r["from_work_days"] for r in rows] + ([rows[-1]["from_work_days"] + width] if rows else [0, 1])
        is_open = bool(rows) and rows[-1]["to_work_days"] is None
        step = max(1, -(-len(edges) // 16))  # at most ~16 tick labels
        ticks = edges[:-1:step] if is_open else edges[::step]  # an open bin has no upper edge
        labels = [_num(t) for t in ticks]
        if rows and rows[-1]["to_work_days"] is None and rows[-1]["from_work_days"] in ticks:
            labels[ticks.index(rows[-1]["from_work_days"])] = f"≥{_num(rows[-1]['from_work_days'])}"
        ax.set_xticks(ticks, labels)
        ax.set_xlim(edges[0] - width * 0.1, edges[-1] + width * 0.1)
        # headroom above the tallest bar's count for the target's label, so it never covers a count
        ax.set_ylim(0, top * (1.5 if target_days is not None else 1.18))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(t("axis", days=days_word), fontsize=9, color=TEXT_COLOUR)
        ax.set_ylabel(t("cases_axis"), fontsize=9, color=TEXT_COLOUR)
        ax.tick_params(labelsize=8, colors=MUTED)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#c4ccd4")
        if target_days is not None:
            ax.axvline(target_days, color=TARGET, linestyle="--", linewidth=1.4)
            label = t("target", target=_num(target_days), days=days_word)
            if target_note:
                label += f"\n{target_note}"
            right_half = target_days > (edges[0] + edges[-1]) / 2
            ax.text(target_days + (-1 if right_half else 1) * width * 0.15, top * 1.47, label,
                    ha="right" if right_half else "left", va="top", fontsize=8, color=TARGET, zorder=5,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
            if target_days > edges[-1]:
                ax.set_xlim(right=target_days + width * 0.5)
        fig.text(0.02, 0.97, t("title"), ha="left", va="top", fontsize=13, color=TEXT_COLOUR)
        if subtitle:
            fig.text(0.02, 0.885, _wrap(subtitle, SUBTITLE_WIDTH), ha="left", va="top", fontsize=8.5, color=MUTED)
    return fig


__all__ = ["draw_lead_time_histogram"]
