"""Durations and their units, stated the same way everywhere.

procmine keeps durations as float hours internally. What users read says the unit and
whether it is calendar time (日历时间) or working time (工作时间).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

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


def to_number(value: Any) -> float | None:
    """A number from a cell: 500000, "500,000.00", "¥5万", "1.2亿元"; None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"[,\s¥$元]|RMB|CNY", "", text, flags=re.I)
    scale = 1.0
    for suffix, factor in (("万", 1e4), ("亿", 1e8)):
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)], factor
    try:
        return float(text) * scale
    except ValueError:
        return None
