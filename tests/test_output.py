"""procmine.output: safe cells, clean XML, no input overwritten (and the user-regex check)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pandas as pd
import polars as pl
import pytest

from procmine.errors import LogFileError, OutputError
from procmine.output import (
    InputOverwriteError, clean_xml_file, display_names, refuse_overwriting_inputs, safe_cell, safe_frame, write_csv,
    xml_text,
)
from procmine.read.patterns import compile_user_regex


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-财务部", "'-财务部"), ("@张三", "'@张三"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("财务部", "财务部"), ("a=b", "a=b"), (-5, -5), (2.123456, 2.1235), (None, ""),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_safe_frame_changes_text_cells_only():
    frame = pl.DataFrame({"who": ["=cmd|' /C calc'!A0", "张三", None], "n": [-1, 2, 3]})
    assert safe_frame(frame).to_dict(as_series=False) == {"who": ["'=cmd|' /C calc'!A0", "张三", None], "n": [-1, 2, 3]}
    for dtype in (object, "string"):
        table = pd.DataFrame({"what": pd.Series(["@SUM(A1)", "归档"], dtype=dtype), "cases": [-1, 2]})
        assert safe_frame(table)["what"].tolist() == ["'@SUM(A1)", "归档"]
        assert safe_frame(table)["cases"].tolist() == [-1, 2]


def test_write_csv_has_a_bom_and_safe_cells(tmp_path):
    path = write_csv(pl.DataFrame({"a": ["+1"]}), tmp_path / "t.csv")
    assert path.read_bytes() == b"\xef\xbb\xbfa\n'+1\n"


def test_xml_text_and_clean_xml_file(tmp_path):
    assert xml_text("合同\x00审批\x1b\x7f\t\n") == "合同审批\t\n"
    path = tmp_path / "m.bpmn"
    path.write_bytes('<a name="提交\x00申请&#1;&#x1F;&#x1f;"><b>审\x08批</b>&#10;</a>'.encode())
    with pytest.raises(ET.ParseError):
        ET.parse(path)
    root = ET.parse(clean_xml_file(path)).getroot()
    assert root.get("name") == "提交申请" and root.find("b").text == "审批"


def test_refuses_same_path_link_hard_link_and_folder(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("x", encoding="utf-8")
    inputs = {"the input log": log, "the --holidays file": None}
    refuse_overwriting_inputs([tmp_path / "out" / "backlog.csv"], inputs)  # a new file: fine
    (tmp_path / "out").mkdir()
    os.link(log, tmp_path / "out" / "hard.csv")
    os.symlink(log, tmp_path / "out" / "soft.csv")
    for name in ("../log.csv", "hard.csv", "soft.csv"):
        with pytest.raises(InputOverwriteError, match="would overwrite the input log") as raised:
            refuse_overwriting_inputs([tmp_path / "out" / name], inputs)
        assert raised.value.exit_code == 2
    with pytest.raises(InputOverwriteError, match="inside"):
        refuse_overwriting_inputs([], {"the input log": tmp_path / "out" / "hard.csv"}, folders=[tmp_path / "out"])
    with pytest.raises(OutputError, match="cannot be used as an output"):
        refuse_overwriting_inputs([tmp_path / ("x" * 300) / "a.csv"], inputs)


@pytest.mark.parametrize("pattern", [r"(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d)\s+(?P<resource>\S+)\s+(?P<action>同意|驳回)",
                                     r"(\d{1,2}[:：]\d\d)?", r"([A-Z]{2}\d+)", r"(?:a|b)+"])
def test_ordinary_patterns_are_accepted(pattern):
    assert compile_user_regex(pattern, "--history-pattern").pattern == pattern


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)*x", r"((ab)*c)+", r"(?:\d+,?)+;", r"(x{1,5})*y"])
def test_nested_repeats_are_refused(pattern):
    with pytest.raises(LogFileError, match="repeated group"):
        compile_user_regex(pattern, "--history-pattern")


def test_display_names_shorten_long_names_only_and_never_merge():
    long_a, long_b = "合同" * 100 + "甲", "合同" * 100 + "乙"
    twins = ["甲" * 30 + "中间" * 50 + "乙" * 30, "甲" * 30 + "其他" * 50 + "乙" * 30]
    shown = display_names([long_a, long_b, "归档", *twins], limit=20)
    assert set(shown) == {long_a, long_b, *twins}  # 归档 is short: not shortened
    assert shown[long_a].endswith("甲") and shown[long_b].endswith("乙") and "…" in shown[long_a]
    assert len(set(shown.values())) == 4  # the twins share start and end, yet get two labels
    assert all(len(label) <= 24 for label in shown.values())
