"""Durations and their units, stated the same way everywhere.

procmine keeps durations as float hours internally. What users read says the unit and
whether it is calendar time (日历时间) or working time (工作时间).
"""

from __future__ import annotations

import math

LABELS = {
    "zh": {"min": "分钟", "h": "小时", "d": "天", "calendar": "日历时间", "working": "工作时间"},
    "en": {"min": "min", "h": "h", "d": "d", "calendar": "calendar time", "working": "working time"},
}


def format_hours(hours: float | None, lang: str = "zh") -> str:
    """A short human reading of a duration given in hours.

    >>> format_hours(0.5)
    '30 分钟'
    >>> format_hours(5.25)
    '5.2 小时'
    >>> format_hours(50, lang="en")
    '2.1 d'
    """
    words = LABELS[lang]
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return "–"
    if hours < 1:
        return f"{hours * 60:.0f} {words['min']}"
    if hours < 48:
        return f"{hours:.1f} {words['h']}"
    return f"{hours / 24:.1f} {words['d']}"
