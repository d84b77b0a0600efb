"""One case's timeline: a row per step from arrival to completion, non-working time shaded.

    >>> fig = draw_case_timeline(case_timeline(log, "HT2025-0001"))      # doctest: +SKIP

Bars run from a step's arrival to its completion; a step with no duration (or a log with
completion times only) is a dot. A dotted line before a bar is the hand-off wait: from the
moment the step could start (its predecessors completed) to its arrival. A hatched bar is a
step still in progress at the log's latest time. Grey shading is time the calendar does not
count as working time (nights, lunch breaks, weekends, holidays), so a long bar over a weekend
reads as what it is. Times are shown in the calendar's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import matplotlib.dates as mdates
import polars as pl
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from procmine.chart.fonts import chart_style
from procmine.log import ACTIVITY, DEPARTMENT, RESOURCE
from procmine.text import Text

if TYPE_CHECKING:
    from procmine.analyse.cases import CaseTimeline
    from procmine.calendar import Calendar

STEP_COLOUR = "#2f6fa8"
OPEN_COLOUR = "#d98a1c"
WAIT_COLOUR = "#8a939c"
OFF_TIME = "#e9ecef"
TEXT_COLOUR = "#28313b"
MUTED = "#5b6570"
#: The date formats of a Chinese time axis (matplotlib's ConciseDateFormatter).
ZH_DATE_FORMATS = {
    "formats": ["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S.%f"],
    "zero_formats": ["", "%Y年", "%m月", "%m月%d日", "%H:%M", "%H:%M"],
    "offset_formats": ["", "%Y年", "%Y年%m月", "%Y年%m月%d日", "%Y年%m月%d日", "%Y年%m月%d日 %H:%M"],
}
#: Rows drawn at most; a longer case shows its first steps and says how many are left out.
MAX_ROWS = 60
#: Above this many days, only whole non-working days are shaded (nights would be a grey blur).
SHADE_HOURS_UP_TO_DAYS = 45


def non_working_intervals(calendar: "Calendar", start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The spans between ``start`` and ``end`` (naive local times) that ``calendar`` does not
    count as working time, adjacent spans merged. Over long ranges only whole days off.

        >>> non_working_intervals(Calendar(), datetime(2025, 3, 7, 17), datetime(2025, 3, 10, 10))  # doctest: +SKIP
        [(datetime(2025, 3, 7, 18, 0), datetime(2025, 3, 10, 9, 0))]
    """
    if calendar.kind == "none" or end <= start:
        return []
    hours_too = (end - start).days <= SHADE_HOURS_UP_TO_DAYS
    spans: list[tuple[datetime, datetime]] = []
    day: date = start.date()
    while day <= end.date():
        midnight = datetime.combine(day, time())
        if not calendar.is_workday(day):
            spans.append((midnight, midnight + timedelta(days=1)))
        elif hours_too:
            previous = midnight
            for a, b in calendar.work_periods:
                if datetime.combine(day, a) > previous:
                    spans.append((previous, datetime.combine(day, a)))
                previous = midnight + timedelta(days=1) if b == time.max else datetime.combine(day, b)
            if previous < midnight + timedelta(days=1):
                spans.append((previous, midnight + timedelta(days=1)))
        day += timedelta(days=1)
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and merged[-1][1] >= a:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return [(max(a, start), min(b, end)) for a, b in merged if b > start and a < end]


def _local(values: pl.Series, zone: str) -> list[datetime | None]:
    if isinstance(values.dtype, pl.Datetime) and values.dtype.time_zone is not None:
        values = values.dt.convert_time_zone(zone).dt.replace_time_zone(None)
    return values.to_list()


def _local_one(value: datetime | None, zone: str) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def draw_case_timeline(timeline: "CaseTimeline", *, lang: str = "zh", top: int | None = None) -> Figure:
    """The timeline chart of a :class:`~procmine.analyse.cases.CaseTimeline`."""
    from procmine.analyse.cases import number, say

    calendar = timeline.calendar
    zone = calendar.timezone
    limit = min(top or MAX_ROWS, MAX_ROWS)
    steps = timeline.steps.head(limit)
    left_out = timeline.steps.height - steps.height
    arrival = _local(steps["arrival"], zone)
    completion = _local(steps["completion"], zone)
    timed_from = _local(steps["timed_from"], zone)
    as_of = _local_one(timeline.as_of, zone)
    rows = steps.to_dicts()
    instants = [t for t in (*arrival, *completion, *timed_from) if t is not None]
    if any(c is None for c in completion) and as_of is not None:
        instants.append(as_of)
    waits_from = []
    for row, arrived in zip(rows, arrival):
        wait = row["wait_hours"]
        waits_from.append(arrived - timedelta(hours=wait) if arrived is not None and wait and wait > 0 else None)
    instants += [t for t in waits_from if t is not None]
    first, last = min(instants), max(instants)
    span = max(last - first, timedelta(hours=1))
    x0, x1 = first - span * 0.03, last + span * 0.12  # room for the duration after the last bar

    n = max(1, len(rows))
    header, footer = 0.95, 0.95  # inches: title + subtitle; x axis + legend
    height = header + footer + 0.34 * n
    work_unit = say("work_hours" if calendar.kind != "none" else "calendar_hours", lang)
    with chart_style():
        fig = Figure(figsize=(9.0, height), dpi=100)
        ax = fig.add_axes((0.26, footer / height, 0.71, 1 - (header + footer) / height))
        for a, b in non_working_intervals(calendar, x0, x1):
            ax.axvspan(a, b, color=OFF_TIME, lw=0, zorder=0)
        for i, row in enumerate(rows):
            y = n - 1 - i
            start, end = arrival[i], completion[i]
            still_open = end is None
            if still_open:
                end = as_of
            if start is not None and end is not None and end > start:
                ax.barh(y, end - start, left=start, height=0.56, zorder=3,
                        color="white" if still_open else STEP_COLOUR,
                        edgecolor=OPEN_COLOUR if still_open else STEP_COLOUR,
                        hatch="///" if still_open else None, linewidth=1.0)
            else:
                if timed_from[i] is not None and end is not None and end > timed_from[i]:
                    ax.plot([timed_from[i], end], [y, y], color=STEP_COLOUR, alpha=0.35, lw=2.5, zorder=2,
                            solid_capstyle="butt")
                if end is not None:
                    ax.plot([end], [y], marker="o", ms=6.5, zorder=4, color="white" if still_open else STEP_COLOUR,
                            markeredgecolor=OPEN_COLOUR if still_open else STEP_COLOUR)
            if waits_from[i] is not None:
                ax.plot([waits_from[i], start], [y, y], color=WAIT_COLOUR, lw=1.4, ls=(0, (1.5, 1.5)), zorder=2)
            if end is not None and row["work_hours"] is not None and (row["hours"] or 0) > 0:
                shown = f"{number(row['work_hours'])} {work_unit}"
                ax.text(end + span * 0.012, y, shown, va="center", ha="left", fontsize=7.5, color=MUTED, zorder=5)
        labels = []
        for row in rows:
            who = " · ".join(v for v in (row[RESOURCE], row[DEPARTMENT]) if v)
            activity = row[ACTIVITY] if len(row[ACTIVITY]) <= 18 else row[ACTIVITY][:17] + "…"
            labels.append(f"{row['pos']}. {activity}" + (f"\n{who}" if who else ""))
        ax.set_yticks([n - 1 - i for i in range(len(rows))])
        ax.set_yticklabels(labels, fontsize=8.5, color=TEXT_COLOUR, linespacing=1.1)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlim(x0, x1)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
        ax.xaxis.set_major_locator(locator)
        # dates written the Chinese way, not "2026-Jan"; the English ones matplotlib's own way
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=True,
                                                                 **Text(lang).pick((ZH_DATE_FORMATS, {}))))
        ax.tick_params(axis="x", labelsize=8, colors=MUTED)
        ax.xaxis.get_offset_text().set_fontsize(8)
        ax.xaxis.get_offset_text().set_color(MUTED)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#d5dbe1", lw=0.5, zorder=1)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color("#c4ccd4")

        title = say("timeline_title", lang, case=timeline.case)
        if calendar.kind == "none":
            subtitle = say("timeline_subtitle_nocal", lang, steps=timeline.steps.height, lead=number(timeline.lead_hours))
        else:
            subtitle = say("timeline_subtitle", lang, steps=timeline.steps.height, lead_work=number(timeline.lead_work_hours),
                           work_hours=work_unit, lead=number(timeline.lead_hours), calendar=calendar.describe(lang))
        if left_out:
            subtitle += Text(lang)("clause_separator") + say("timeline_first_steps", lang, n=len(rows))
        fig.text(0.02, 1 - 0.12 / height, title, ha="left", va="top", fontsize=13, color=TEXT_COLOUR)
        from procmine.chart.histogram import _wrap as wrap_lines

        fig.text(0.02, 1 - 0.48 / height, wrap_lines(subtitle, 128), ha="left", va="top", fontsize=8, color=MUTED)

        handles = [Patch(color=STEP_COLOUR, label=say("legend_step", lang)) if timeline.has_arrival_times else
                   Line2D([], [], marker="o", color=STEP_COLOUR, lw=0, label=say("legend_instant", lang))]
        if not timeline.has_arrival_times:
            handles.append(Line2D([], [], color=STEP_COLOUR, alpha=0.35, lw=2.5, label=say("legend_measured", lang)))
        if any(w is not None for w in waits_from):
            handles.append(Line2D([], [], color=WAIT_COLOUR, lw=1.4, ls=(0, (1.5, 1.5)),
                                  label=say("legend_handoff", lang)))
        if any(c is None for c in completion):
            handles.append(Patch(facecolor="white", edgecolor=OPEN_COLOUR, hatch="///", label=say("legend_open", lang)))
        if calendar.kind != "none":
            handles.append(Patch(color=OFF_TIME, label=say("legend_offtime", lang)))
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, 0.04 / height * 2), ncol=len(handles),
                   fontsize=8, frameon=False, handlelength=1.8)
    return fig


__all__ = ["draw_case_timeline", "non_working_intervals"]
