"""Ranked horizontal bar charts (top bottlenecks, loops …) in the report's one style.

    >>> fig = draw_share_bars(["环节：法务审核"], [0.42], ["中位 12.0 工作小时"], title="瓶颈")  # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from procmine.chart.fonts import chart_style

BAR_COLOUR = "#c8402f"
TEXT_COLOUR = "#28313b"
MUTED = "#5b6570"


def _wrap(label: str, width: int = 26) -> str:
    # Chinese has no spaces: wrap by characters, a wide character counting as two
    if label.isascii():
        return "\n".join(textwrap.wrap(label, width * 2)) or label
    lines, line, size = [], "", 0
    for ch in label:
        step = 1 if ch.isascii() else 2
        if size + step > width * 2 and line:
            lines.append(line)
            line, size = "", 0
        line += ch
        size += step
    lines.append(line)
    return "\n".join(lines[:3])


def draw_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    notes: Sequence[str] = (),
    *,
    title: str,
    subtitle: str = "",
    axis_label: str = "",
    percent: bool = False,
) -> Figure:
    """Largest first, from the top; each bar labelled with its value and a note beside it."""
    values = [0.0 if v is None else float(v) for v in values]
    notes = list(notes) or [""] * len(values)
    rows = max(1, len(values))
    from procmine.chart.histogram import SUBTITLE_WIDTH, _wrap as wrap_lines

    subtitle = wrap_lines(subtitle, SUBTITLE_WIDTH) if subtitle else subtitle
    header, footer = 0.9 + 0.16 * subtitle.count("\n"), 0.6  # inches for title + subtitle, and for the x axis
    height = header + footer + 0.46 * rows
    with chart_style():
        fig = Figure(figsize=(6.3, height), dpi=100)  # 16 cm: the text width of an A4 page
        ax = fig.add_axes((0.33, footer / height, 0.30, 1 - (header + footer) / height))  # notes beside, within 16 cm
        positions = list(range(rows))[::-1]
        ax.barh(positions[: len(values)], values, color=BAR_COLOUR, height=0.62)
        ax.set_yticks(positions[: len(values)])
        ax.set_yticklabels([_wrap(label) for label in labels], fontsize=9, color=TEXT_COLOUR)
        top = max(values) if values and max(values) > 0 else 1.0
        ax.set_xlim(0, top * 1.3)  # room for the value after the longest bar
        for y, value, note in zip(positions, values, notes):
            shown = f"{value * 100:.1f} %" if percent else f"{value:,.1f}"
            ax.text(value + top * 0.015, y, shown, va="center", ha="left", fontsize=8.5, color=TEXT_COLOUR)
            if note:
                ax.text(1.02, y, note, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=8,
                        color=MUTED, clip_on=False)
        if percent:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(axis_label, fontsize=9, color=TEXT_COLOUR)
        ax.tick_params(axis="x", labelsize=8, colors=MUTED)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color("#c4ccd4")
        ax.spines["bottom"].set_color("#c4ccd4")
        fig.text(0.02, 1 - 0.12 / height, title, ha="left", va="top", fontsize=13, color=TEXT_COLOUR)
        if subtitle:
            fig.text(0.02, 1 - 0.5 / height, subtitle, ha="left", va="top", fontsize=8.5, color=MUTED)
    return fig


def draw_share_bars(labels, shares, notes=(), *, title: str, subtitle: str = "", axis_label: str = "") -> Figure:
    """Bars of shares (0–1) shown as percentages."""
    return draw_bars(labels, shares, notes, title=title, subtitle=subtitle, axis_label=axis_label, percent=True)


def draw_loop_bars(labels, cases, notes, *, title: str, axis_label: str, empty: str) -> Figure:
    """Horizontal bars of loops by cases (``labels`` and ``cases`` bottom to top), each with its
    note after the bar (its median extra time); ``empty`` is said when there are none."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import MaxNLocator

    lines = max((label.count("\n") + 1 for label in labels), default=1)
    with chart_style():
        fig = Figure(figsize=(10, 1.2 + (0.55 + 0.16 * (lines - 1)) * max(len(cases), 1)), dpi=100,
                     layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.barh(range(len(cases)), cases, color="#c0504d", height=0.6)
        ax.set_yticks(range(len(cases)), labels)
        top_cases = max(cases, default=1)
        for i, (n, note) in enumerate(zip(cases, notes)):
            ax.text(n + top_cases * 0.01, i, note, va="center", fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # cases are whole numbers
        ax.set_xlim(0, top_cases * 1.05)
        _fit_value_labels(fig, ax, [n + top_cases * 0.01 for n in cases])
        ax.set_xlabel(axis_label, fontsize=9)
        ax.set_title(title, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        if not cases:
            ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center")
    return fig


def _fit_value_labels(fig, ax, xs: list[float]) -> None:
    """Widen the x axis until every value label (drawn at data x) ends inside the axes."""
    fig.canvas.draw()  # constrained layout has sized the axes; the labels have their widths now
    renderer = fig.canvas.get_renderer()
    width = ax.get_window_extent(renderer).width * 0.97
    right = ax.get_xlim()[1]
    for x, text in zip(xs, ax.texts):
        w = text.get_window_extent(renderer).width
        if width > w:  # x / right * width + w <= width
            right = max(right, x * width / (width - w))
    ax.set_xlim(0, right)
