"""The variant explorer's chart: the top variants' shares as horizontal bars, lead time beside.

    >>> fig = draw_variants(explore_variants(log, top=10))          # doctest: +SKIP

One row per variant, most frequent at the top: its rank and compressed sequence on the left
(wrapped at the arrows), the share of cases as a bar, the share and case count after the bar,
and the median lead time of its completed cases in working and calendar days on the right. The
other variants share one grey bar at the bottom.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from procmine.chart.bars import BAR_COLOUR, MUTED, TEXT_COLOUR
from procmine.chart.fonts import chart_style
from procmine.text import Text

if TYPE_CHECKING:
    from procmine.analyse.variants import VariantExplorer

OTHERS_COLOUR = "#b7bec6"
#: Display width (a Chinese character counts two) of a line of the variant labels.
LABEL_WIDTH = 56
LABEL_LINES = 3


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_sequence(text: str, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    """A sequence ``A → B → C`` in lines of at most ``width``, broken before an arrow; a last
    line that does not fit ends with …

        >>> wrap_sequence("提交 → 审批 → 归档", width=12)
        '提交 → 审批\\n→ 归档'
    """
    parts = text.split(" → ")
    out: list[str] = []
    line = ""
    for i, part in enumerate(parts):
        piece = part if i == 0 else ("→ " + part if not line else " → " + part)
        if line and _width(line + piece) > width:
            out.append(line)
            line = "→ " + part
        else:
            line += piece
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1] + " …"
    return "\n".join(out)


def draw_variants(explorer: "VariantExplorer", *, lang: str = "zh", top: int | None = None) -> Figure:
    """The chart of a :class:`~procmine.analyse.variants.VariantExplorer` (``top`` bars, default its own)."""
    from procmine.analyse.cases import days, days_word, say

    shown = explorer.shown(top, lang)
    rows = shown.to_dicts()
    labels = []
    for row in rows:
        if row["rank"] is None:
            labels.append(row["variant"])
        else:
            labels.append(f"#{row['rank']}  " + wrap_sequence(row["variant"]))
    heights = [0.28 + 0.17 * label.count("\n") for label in labels]  # inches per row
    header, footer = 0.95, 0.6
    height = header + footer + sum(heights) + 0.1
    with chart_style():
        fig = Figure(figsize=(9.0, height), dpi=100)
        ax = fig.add_axes((0.45, footer / height, 0.30, 1 - (header + footer) / height))
        # rows from the top, each as tall as its label
        centres, y = [], 0.0
        for h in heights:
            centres.append(-(y + h / 2))
            y += h
        shares = [row["share"] or 0.0 for row in rows]
        colours = [OTHERS_COLOUR if row["rank"] is None else BAR_COLOUR for row in rows]
        ax.barh(centres, shares, height=[min(0.22, h * 0.8) for h in heights], color=colours)
        ax.set_yticks(centres)
        ax.set_yticklabels(labels, fontsize=8, color=TEXT_COLOUR, linespacing=1.15)
        ax.set_ylim(-y - 0.05, 0.05)
        top_share = max(shares) if shares and max(shares) > 0 else 1.0
        ax.set_xlim(0, top_share * 1.8)  # room for the share and cases after the longest bar
        for centre, row, share in zip(centres, rows, shares):
            ax.text(share + top_share * 0.02, centre, say("variants_bar", lang, share=share * 100, cases=row["cases"]),
                    va="center", ha="left", fontsize=7.5, color=TEXT_COLOUR)
            if row["median_lead_work_days"] is None and row["median_lead_days"] is None:
                note = say("variants_note_open", lang)
            else:
                note = say("variants_note", lang, work=days(row["median_lead_work_days"]),
                           work_days=days_word(explorer.basis, lang), days=days(row["median_lead_days"]))
            ax.text(1.03, centre, note, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=7.5,
                    color=MUTED, clip_on=False)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(say("variants_axis", lang), fontsize=8.5, color=TEXT_COLOUR)
        ax.tick_params(axis="x", labelsize=8, colors=MUTED)
        ax.tick_params(axis="y", length=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color("#c4ccd4")
        ax.spines["bottom"].set_color("#c4ccd4")
        n_top = sum(1 for row in rows if row["rank"] is not None)
        fig.text(0.02, 1 - 0.12 / height, say("variants_title", lang, n=n_top), ha="left", va="top", fontsize=13,
                 color=TEXT_COLOUR)
        subtitle = say("variants_subtitle", lang, variants=explorer.table.height, cases=explorer.total_cases)
        from procmine.chart.histogram import _wrap as wrap_lines

        separator = Text(lang)("clause_separator")
        fig.text(0.02, 1 - 0.48 / height, wrap_lines(f"{subtitle}{separator}{explorer.calendar_text(lang)}", 128),
                 ha="left", va="top", fontsize=8, color=MUTED)
    return fig


__all__ = ["draw_variants", "wrap_sequence"]
