"""Duration targets and time limits (时限): ``3wd``, ``8h``, ``3个工作日``, ``接收后30分钟内``.

:func:`parse_duration_target` reads a KPI target or a step's time limit into a
:class:`Duration`, which says whether it is working or calendar time and how many hours of
that basis it allows under a :class:`~procmine.calendar.Calendar`.

    >>> parse_duration_target("≤3个工作日")
    Duration(value=3.0, unit='working_days', text='≤3个工作日')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procmine.calendar.working import CalendarError
from procmine.text import phrases

if TYPE_CHECKING:
    from procmine.calendar.working import Calendar

__all__ = ["ACCEPTED_FORMS", "UNITS", "Duration", "parse_duration_target"]

UNITS = ("working_days", "working_hours", "calendar_hours", "calendar_days", "minutes")
#: A duration said in each unit (Duration.describe).
PHRASES = phrases("duration", {
    "working_days": ("{n}个工作日", "{n} working days"),
    "working_hours": ("{n} 工作小时", "{n} working hours"),
    "minutes": ("{n} 分钟", "{n} min"),
    "calendar_hours": ("{n} 小时（日历时间）", "{n} calendar hours"),
    "calendar_days": ("{n} 天（日历时间）", "{n} calendar days"),
})


@dataclass(frozen=True)
class Duration:
    """A KPI target or time limit as written: ``value`` in ``unit``, and the original ``text``.

    ``unit`` is one of ``working_days``, ``working_hours``, ``minutes`` (all working time)
    or ``calendar_hours``, ``calendar_days`` (calendar time). ``basis`` says which of the two
    times it must be compared with.
    """

    value: float
    unit: str
    text: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise CalendarError(f"unknown duration unit {self.unit!r}: use one of {', '.join(UNITS)}")

    @property
    def basis(self) -> str:
        """``"working"`` for working days/hours and minutes, ``"calendar"`` for calendar hours/days."""
        return "calendar" if self.unit.startswith("calendar") else "working"

    def to_work_hours(self, calendar: Calendar) -> float:
        """Hours to compare durations with, in this duration's :attr:`basis`.

        * ``working_days`` × ``calendar.hours_per_day`` (3 working days = 24 h with 8-hour days);
        * ``working_hours`` as they are;
        * ``minutes`` / 60 — minutes count as working time, like hours (``30分钟内`` is
          compared with the working hours a step took);
        * ``calendar_hours`` as they are and ``calendar_days`` × 24: these are **calendar**
          hours (basis ``"calendar"``) and must be compared with calendar durations, not with
          working hours.
        """
        if self.unit == "working_days":
            return self.value * calendar.hours_per_day
        if self.unit == "minutes":
            return self.value / 60
        if self.unit == "calendar_days":
            return self.value * 24
        return float(self.value)

    def describe(self, lang: str = "zh") -> str:
        """``3个工作日`` / ``3 working days`` and so on."""
        if lang not in ("zh", "en"):
            raise CalendarError(f"lang must be 'zh' or 'en', not {lang!r}")
        return PHRASES(self.unit, lang, n=f"{self.value:g}")


_UNIT_WORDS: dict[str, str] = {}
for _unit, _words in {
    "working_days": ["wd", "wds", "workingday", "workingdays", "workday", "workdays", "businessday",
                     "businessdays", "个工作日", "工作日", "个工作天", "工作天"],
    "working_hours": ["h", "hr", "hrs", "hour", "hours", "wh", "workinghour", "workinghours",
                      "小时", "个小时", "钟头", "个钟头", "工作小时", "个工作小时"],
    "minutes": ["min", "mins", "minute", "minutes", "分钟", "分", "个分钟"],
    "calendar_days": ["d", "day", "days", "calendarday", "calendardays", "天", "日", "个自然日",
                      "自然日", "日历日", "个日历日", "自然天"],
    "calendar_hours": ["ch", "calendarhour", "calendarhours", "自然小时", "个自然小时", "日历小时"],
}.items():
    for _word in _words:
        _UNIT_WORDS[_word] = _unit
_UNIT_ALTERNATION = "|".join(sorted((re.escape(w) for w in _UNIT_WORDS), key=len, reverse=True))
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUMBER = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+|半"
_DURATION_RE = re.compile(rf"^(?P<number>{_NUMBER})(?:个)?(?P<unit>{_UNIT_ALTERNATION})$")
_IMMEDIATE = {"即时", "立即", "立刻", "马上", "实时", "即刻", "immediate", "immediately", "instant"}
_PREFIXES = re.compile(
    r"^(?:[≤<]=?|=|最长不超过|最长不得超过|最多不超过|不得超过|不超过|不多于|最长|最多|至多|"
    r"限时|时限|要求|须在|需在|应在|在|within|atmost|upto|max(?:imum)?|limit|target)"
)
_AFTER = re.compile(r"^[\u4e00-\u9fff]{1,10}?后")
_SUFFIXES = re.compile(
    r"(?:以内|之内|内)?(?:完成|办结|处理|处理完毕|回复|响应|审批|办理)?$"
)
ACCEPTED_FORMS = (
    "3wd, 2 wd, 3 working days, 3个工作日, 1个工作日内, ≤3个工作日, 最长不超过2个工作日 (working days); "
    "8h, 4h, 1小时内, 分类后1小时内 (working hours); 30min, 30分钟内, 接收后30分钟内 (minutes); "
    "2d, 2天 (calendar days); 即时 (0)"
)


def _zh_number(text: str) -> float | None:
    if text == "半":
        return 0.5
    if all(c in _ZH_DIGITS for c in text):
        if len(text) == 1:
            return float(_ZH_DIGITS[text])
        return None
    if text.count("十") == 1:
        tens, _, ones = text.partition("十")
        if (tens and tens not in _ZH_DIGITS) or (ones and ones not in _ZH_DIGITS):
            return None
        return float((_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0))
    return None


def parse_duration_target(text: str) -> Duration:
    """Read a KPI target or time limit such as ``3个工作日`` or ``接收后30分钟内``.

    ======================================================  ==================================
    written                                                 read as
    ======================================================  ==================================
    ``3wd``, ``2 wd``, ``3 working days``, ``3个工作日``,     working days
    ``1个工作日内``, ``≤3个工作日``, ``最长不超过2个工作日``
    ``8h``, ``4h``, ``1小时内``, ``分类后1小时内``            working hours (``h`` is working
                                                            time, as ``--target 8h`` means)
    ``30min``, ``30分钟内``, ``接收后30分钟内``                minutes (working time)
    ``2d``, ``2天``, ``2 days``, ``2个自然日``                calendar days
    ``4 calendar hours``, ``4个自然小时``                     calendar hours
    ``即时`` / ``立即``                                      0 minutes
    ======================================================  ==================================

    Leading limits (``≤``, ``不超过``, ``最长不超过``, ``接收后``/``分类后`` …) and trailing
    ``内``/``以内`` are dropped; full-width characters and Chinese numerals (``三个工作日``,
    ``半小时``) are accepted. Anything else raises :class:`CalendarError` listing these forms.
    """
    if not isinstance(text, str):
        raise CalendarError(f"a time limit must be text such as '3个工作日', not {text!r}")
    normal = unicodedata.normalize("NFKC", text).strip().lower()
    normal = re.sub(r"\s+", "", normal).replace("≦", "≤").replace("<=", "≤")
    if normal in _IMMEDIATE:
        return Duration(0.0, "minutes", text)
    body = normal
    for _ in range(3):  # e.g. 接收后最长不超过30分钟
        stripped = _AFTER.sub("", _PREFIXES.sub("", body), count=1)
        if stripped == body:
            break
        body = stripped
    body = _SUFFIXES.sub("", body, count=1)
    if body in _IMMEDIATE:
        return Duration(0.0, "minutes", text)
    match = _DURATION_RE.match(body)
    if match:
        raw = match.group("number")
        value = float(raw) if raw[0].isdigit() else _zh_number(raw)
        if value is not None:
            return Duration(value, _UNIT_WORDS[match.group("unit")], text)
    raise CalendarError(f"cannot read the time limit {text!r}; accepted forms: {ACCEPTED_FORMS}")
