"""The one language layer: every phrase in both languages, lookups that fail loudly."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import procmine
from procmine.text import Text, fields, phrases, problems, registered


def _import_all() -> None:
    """Import every procmine module so that every phrase table is registered."""
    for module in pkgutil.walk_packages(procmine.__path__, "procmine."):
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional engine (Spark) that is not installed
            pass


#: Phrases whose two languages fill different fields on purpose.
DIFFERENT_FIELDS = {
    "report.whose",  # the English sentence already says the level before it
    "bottlenecks.row",  # the Chinese line names the kind of place (环节/交接), the English one does not
    # the Chinese subtitle of the current flowchart says 日历时间 and its own duration words; the English
    # one names the map's time basis and duration basis
    "process_map.subtitle_arrival", "process_map.subtitle_completion",
}


def test_every_phrase_has_both_languages_and_the_same_fields():
    _import_all()
    assert len(registered()) > 200
    assert [p for p in problems() if p.split(":")[0] not in DIFFERENT_FIELDS] == []


def test_a_phrase_in_each_language():
    table = phrases("test_text", {"cases": ("{n:,} 个案例", "{n:,} cases")})
    assert table.text("zh")("cases", n=1200) == "1,200 个案例"
    assert table.text("en")("cases", n=1200) == "1,200 cases"
    assert table("cases", "en", n=1) == "1 cases"


def test_module_phrases_come_first_then_the_shared_words():
    phrases("test_text_units", {"working_time": ("工时", "work time")})
    assert Text("zh", "test_text_units")("working_time") == "工时"
    assert Text("zh")("working_time") == "工作时间"
    assert Text("en", "test_text_units")("calendar_time") == "calendar time"


def test_an_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="'zh' or 'en', not 'fr'"):
        Text("fr")


def test_a_missing_key_names_the_key():
    with pytest.raises(KeyError, match="no_such_phrase"):
        Text("en", "report")("no_such_phrase")


def test_a_prefix_belongs_to_one_module():
    with pytest.raises(ValueError, match="belongs to procmine.report.text"):
        phrases("report", {"x": ("x", "x")})


def test_a_phrase_must_be_a_pair():
    with pytest.raises(ValueError, match="pair"):
        phrases("test_text_bad", {"x": ("只有中文",)})


def test_fields_of_a_template():
    assert fields("{n:,} 个案例，{share}（{d[x]}）") == {"n", "share", "d"}


def test_numbers_and_units():
    zh, en = Text("zh"), Text("en")
    assert zh.days(2.45, "working") == "2.5 个工作日"
    assert en.days(2.45, "calendar") == "2.5 calendar days"
    assert zh.days_word("working") == "工作日" and en.days_word("working") == "working days"
    assert zh.pct(0.123) == "12.3 %" and zh.pct(0.00004) == "< 0.01 %" and zh.pct(None) == "–"
    assert zh.hours(0.5) == "30 分钟" and en.hours(50) == "2.1 d"
    assert zh.quote("A") == "「A」" and en.quote("A") == "“A”"
    assert zh.join(["A", "B"]) == "A、B" and en.join(["A", "B"]) == "A, B"
    assert en.pick(("中", "en")) == "en"
