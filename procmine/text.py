"""One language layer: every sentence procmine says, in Chinese (zh) and English (en).

A module keeps its own phrases next to its code, registered once under a prefix; every
lookup goes through :class:`Text`, which also holds the number, duration and percentage formats.

    >>> PHRASES = phrases("example", {"cases": ("{n:,} 个案例", "{n:,} cases")})
    >>> t = PHRASES.text("en")
    >>> t("cases", n=1200)
    '1,200 cases'
    >>> Text("zh")("working_time")        # the shared words need no prefix
    '工作时间'

A phrase is a pair ``(Chinese, English)`` of ``str.format`` templates; both name the same fields.
To add one, put it in the table of the module that says it (or in ``COMMON`` below when many
modules say it), and call ``t("key", field=value)``. ``tests/test_text.py`` checks that every
phrase has both languages and that their fields agree.
"""

from __future__ import annotations

import string
import sys
from collections.abc import Iterable, Iterator, Mapping

LANGS = ("zh", "en")

#: Every registered phrase by its full key ("prefix.key"; the shared ones have no prefix).
_REGISTRY: dict[str, tuple[str, str]] = {}
#: The module that registered each prefix (a prefix belongs to one module).
_OWNERS: dict[str, str] = {}


def check_lang(lang: str) -> str:
    """``lang`` itself when procmine speaks it; otherwise a ValueError that says which it speaks."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


class Phrases(Mapping):
    """One module's phrase table: ``key → (zh, en)``, registered under ``prefix``."""

    def __init__(self, prefix: str, table: Mapping[str, tuple[str, str]]):
        self.prefix = prefix
        self._table = dict(table)

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def text(self, lang: str = "zh") -> "Text":
        """A :class:`Text` in ``lang`` that reads this table first, then the shared words."""
        return Text(lang, self.prefix)

    def __call__(self, key: str, lang: str = "zh", **fields) -> str:
        """One phrase: ``PHRASES("key", lang, n=3)``."""
        return Text(lang, self.prefix)(key, **fields)

    def pair(self, key: str, **fields) -> tuple[str, str]:
        """The phrase in both languages, ``(zh, en)``, for a result that keeps both (a note, a
        summary). A field given as a ``(zh, en)`` tuple is filled with its member in each language."""
        return tuple(Text(lang, self.prefix)(key, **{name: value[i] if isinstance(value, tuple) else value
                                                      for name, value in fields.items()})
                     for i, lang in enumerate(LANGS))


def phrases(prefix: str, table: Mapping[str, tuple[str, str]]) -> Phrases:
    """Register ``table`` under ``prefix`` and return it as a :class:`Phrases`.

    A prefix belongs to the module that registers it: another module registering the same
    prefix is a ValueError (the same module again, as on a reload, replaces its table).
    """
    owner = sys._getframe(1).f_globals.get("__name__", "?")
    if _OWNERS.get(prefix, owner) != owner:
        raise ValueError(f"phrase prefix {prefix!r} belongs to {_OWNERS[prefix]}, not {owner}")
    for key, pair in table.items():
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise ValueError(f"phrase {_full(prefix, key)!r} must be a (Chinese, English) pair of strings, "
                             f"not {pair!r}")
    _OWNERS[prefix] = owner
    _REGISTRY.update({_full(prefix, key): pair for key, pair in table.items()})
    return Phrases(prefix, table)


def _full(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def registered() -> dict[str, tuple[str, str]]:
    """Every phrase registered so far, by full key (import the modules first)."""
    return dict(_REGISTRY)


def fields(template: str) -> set[str]:
    """The names of the fields a template fills: ``"{n:,} 个"`` → ``{"n"}``."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template)
            if name is not None}


def problems() -> list[str]:
    """Phrases whose Chinese or English is missing, or whose two languages fill different fields."""
    found = []
    for key, (zh, en) in sorted(_REGISTRY.items()):
        if not zh.strip() and en.strip():
            found.append(f"{key}: no Chinese")
        try:
            zh_fields, en_fields = fields(zh), fields(en)
        except ValueError as exc:
            found.append(f"{key}: not a format template ({exc})")
            continue
        if zh_fields != en_fields:
            found.append(f"{key}: zh fills {sorted(zh_fields)}, en fills {sorted(en_fields)}")
    return found


def percent(value) -> str:
    """0.123 → '12.3 %'; a small share keeps two decimals (0.0004 → '0.04 %'), not a misleading '0.0 %'."""
    if value is None or value != value:
        return "–"
    share = float(value) * 100
    if 0 < share < 0.005:
        return "< 0.01 %"
    return f"{share:.2f} %" if 0 < abs(share) < 0.1 else f"{share:.1f} %"


class Text:
    """Phrases and number formats in one language (zh or en).

    ``prefixes`` name the module tables read first, in order (a variant's table before the one it
    varies); the shared words (``COMMON``) come after them.
    """

    def __init__(self, lang: str = "zh", *prefixes: str):
        self.lang = check_lang(lang)
        self.zh = lang == "zh"
        self.prefixes = tuple(p for p in prefixes if p)
        self._index = 0 if self.zh else 1

    def __call__(self, key: str, **values) -> str:
        return self.phrase(key).format(**values)

    def phrase(self, key: str) -> str:
        """The template of ``key`` in this language, unfilled."""
        for full in (*(f"{prefix}.{key}" for prefix in self.prefixes), key):
            pair = _REGISTRY.get(full)
            if pair is not None:
                return pair[self._index]
        tried = " nor ".join(repr(f"{prefix}.{key}") for prefix in self.prefixes) or repr(key)
        raise KeyError(f"no phrase {tried} (add it to the module's phrases(...) table)")

    def pick(self, pair: Iterable[str]):
        """The member of a (Chinese, English) pair in this language: words that come with the data."""
        zh, en = pair
        return zh if self.zh else en

    # --- numbers with units ----------------------------------------------------------------
    @staticmethod
    def num(value, digits: int = 1) -> str:
        if value is None or value != value:
            return "–"
        return f"{value:,.{digits}f}"

    @staticmethod
    def pct(value) -> str:
        return percent(value)

    def hours(self, hours) -> str:
        """A duration in hours, read the short way: '30 分钟', '5.2 小时', '2.1 d'."""
        from procmine.units import format_hours

        return format_hours(hours, self.lang)

    def basis(self, basis: str) -> str:
        return self("working_time" if basis == "working" else "calendar_time")

    def hours_unit(self, basis: str) -> str:
        return self("working_hours" if basis == "working" else "calendar_hours")

    def days_unit(self, basis: str) -> str:
        return self("working_days" if basis == "working" else "calendar_days")

    def days_word(self, basis: str) -> str:
        """The unit in a column header or caption: 工作日 / working days."""
        return self("working_days_word" if basis == "working" else "calendar_days")

    def days(self, value, basis: str) -> str:
        return f"{self.num(value)} {self.days_unit(basis)}"

    def quote(self, name) -> str:
        return self("quoted", name=name)

    def join(self, names) -> str:
        return self("list_separator").join(str(n) for n in names)


#: The words many modules say: units, time bases, list punctuation.
COMMON = phrases("", {
    "working_time": ("工作时间", "working time"),
    "calendar_time": ("日历时间", "calendar time"),
    "working_hours": ("工作小时", "working hours"),
    "calendar_hours": ("日历小时", "calendar hours"),
    "working_days": ("个工作日", "working days"),
    "working_days_word": ("工作日", "working days"),
    "calendar_days": ("天（日历时间）", "calendar days"),
    "quoted": ("「{name}」", "“{name}”"),
    "list_separator": ("、", ", "),
    "clause_separator": ("；", "; "),
    "language_tag": ("zh-CN", "en"),  # the lang attribute of an HTML page, a Word document's language
})


__all__ = ["LANGS", "COMMON", "Phrases", "Text", "check_lang", "phrases", "percent", "problems", "registered"]
