"""Filters: each kind against counts computed independently from the file with the csv module."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import procmine
from procmine.cli import cli, main
from procmine.errors import EmptyLogError
from procmine.filters import Filter, FilterError, parse_period, parse_where

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "合同审批.csv"


@pytest.fixture(scope="module")
def log():
    return procmine.read_log(SAMPLE)


@pytest.fixture(scope="module")
def rows():
    """The file's completed rows, read without procmine: (case, activity, arrival, completion, …)."""
    with SAMPLE.open(encoding="gbk", newline="") as handle:
        records = list(csv.DictReader(handle))
    parse = lambda text: datetime.strptime(text, "%Y/%m/%d %H:%M")  # noqa: E731
    done = []
    for line, r in enumerate(records, start=2):
        if not r["处理时间"].strip():
            continue  # a step not completed yet: not an event
        done.append({**r, "line": line, "arrival": parse(r["到达时间"]), "completion": parse(r["处理时间"])})
    return done


@pytest.fixture(scope="module")
def by_case(rows):
    cases = defaultdict(list)
    for r in rows:
        cases[r["单据编号"]].append(r)
    for steps in cases.values():
        steps.sort(key=lambda r: (r["arrival"], r["completion"], r["line"]))
    return cases


def kept(log, **written) -> set[str]:
    return set(log.filter(**written).events["case"].unique().to_list())


def test_where_amount_above(log, by_case):
    expected = {c for c, steps in by_case.items() if any(float(r["合同金额(元)"]) > 200000 for r in steps)}
    assert len(expected) == 130
    assert kept(log, where="合同金额(元)>200000") == expected
    # 20万 is 200000; ≥ keeps the same cases here (no amount is exactly 200000)
    assert kept(log, where="合同金额(元)>=20万") == expected


def test_where_text_equal_and_contains(log, by_case):
    finance = {c for c, steps in by_case.items() if any(r["所属部门"] == "财务部" for r in steps)}
    assert kept(log, where="所属部门=财务部") == finance
    # the role name and the file's header mean the same column
    assert kept(log, where="department=财务部") == finance
    word = {c for c, steps in by_case.items() if any("修改" in r["审批意见"] for r in steps)}
    assert word and kept(log, where="审批意见~修改") == word


def test_period_keeps_cases_by_first_event(log, by_case):
    low, high = datetime(2025, 3, 1), datetime(2025, 5, 1)
    expected = {c for c, steps in by_case.items() if low <= min(r["arrival"] for r in steps) < high}
    assert 0 < len(expected) < len(by_case)
    assert kept(log, period="2025-03-01:2025-05-01") == expected
    ended = {c for c, steps in by_case.items() if low <= max(r["completion"] for r in steps) < high}
    assert kept(log, period="2025-03-01:2025-05-01", period_mode="end") == ended
    # an open end keeps everything from the start on
    later = {c for c, steps in by_case.items() if min(r["arrival"] for r in steps) >= low}
    assert kept(log, period="2025-03-01:") == later


def test_lead_time_in_calendar_days(log, by_case):
    def lead_hours(steps):
        return (max(r["completion"] for r in steps) - min(r["arrival"] for r in steps)).total_seconds() / 3600

    assert kept(log, lead_time=">2d") == {c for c, s in by_case.items() if lead_hours(s) > 48}
    assert log.filter(lead_time=">2d").summary().filters == ["lead time > 2d"]
    assert log.filter(follows="财务审核 -> 修改合同 within 3wd").filters[0].describe() == "财务审核 -> 修改合同 within 3wd"
    assert kept(log, lead_time="<=2d") == {c for c, s in by_case.items() if lead_hours(s) <= 48}


def test_variants_top_one(log, by_case):
    sequences = Counter(tuple(r["审批节点"] for r in steps) for steps in by_case.values())
    (top, n), = sequences.most_common(1)
    chosen = kept(log, variants=1)
    assert len(chosen) == n
    assert {tuple(r["审批节点"] for r in by_case[c]) for c in chosen} == {top}


def test_follows_eventually_and_directly(log, by_case):
    def eventually(steps, a, b):
        names = [r["审批节点"] for r in steps]
        return a in names and b in names[names.index(a) + 1:]

    expected = {c for c, s in by_case.items() if eventually(s, "财务审核", "修改合同")}
    assert kept(log, follows="财务审核 -> 修改合同") == expected
    # 修改合同 always comes straight after a review in this log: directly == eventually here
    assert kept(log, follows="财务审核 => 修改合同") <= expected
    assert kept(log, follows="修改合同 -> 财务审核") < set(by_case)


def test_endpoints(log, by_case):
    assert kept(log, starts_with="发起申请") == {c for c, s in by_case.items() if s[0]["审批节点"] == "发起申请"}
    open_cases = set(log.open_cases)
    ends = {c for c, s in by_case.items() if s[-1]["审批节点"] == "合同归档" and c not in open_cases}
    assert kept(log, ends_with="合同归档") == ends


def test_filters_chain_and_are_stated(log):
    narrowed = log.filter(where="合同金额(元)>200000").filter(period="2025-03-01:2025-05-01")
    both = log.filter(where="合同金额(元)>200000", period="2025-03-01:2025-05-01")
    assert set(narrowed.events["case"].to_list()) == set(both.events["case"].to_list())
    assert [f.kind for f in narrowed.filters] == ["attribute", "period"]
    assert "合同金额(元) > 200000" in narrowed.label
    assert narrowed.summary().filters == ["合同金额(元) > 200000", "started 2025-03-01 to 2025-05-01"]
    # the data-quality report stays the file's own
    assert narrowed.quality is log.quality
    assert procmine.discover(narrowed).cases == narrowed.summary().cases


def test_bad_filters_name_the_column_and_the_fix(log):
    with pytest.raises(FilterError, match=r"no column '金额'.*did you mean '合同金额\(元\)'"):
        log.filter(where="金额>1")
    with pytest.raises(FilterError, match="holds numbers, but 'abc'"):
        log.filter(where="合同金额(元)>abc")
    with pytest.raises(EmptyLogError, match="keeps none of the 300 cases"):
        log.filter(period="2026-01-01:")
    with pytest.raises(FilterError, match="no activity '财务'.*财务审核"):
        log.filter(follows="财务 -> 合同归档")
    with pytest.raises(FilterError, match="START:END"):
        parse_period("2025-03-01")
    with pytest.raises(FilterError, match="COLUMN OP VALUE"):
        parse_where("处理人")


def test_written_forms():
    assert parse_where("合同金额(元) >= 20万") == Filter("attribute", "合同金额(元)", ">=", "20万",
                                                      text="合同金额(元) >= 20万")
    start, end = parse_period("2025-03-01 09:00:2025-07-01").value
    assert (start, end) == (datetime(2025, 3, 1, 9, 0), datetime(2025, 7, 1))


def test_cli_filters_every_output(tmp_path):
    result = CliRunner().invoke(cli, ["kpi", str(SAMPLE), "--where", "合同金额(元)>200000", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["filters"] == ["合同金额(元) > 200000"]
    assert payload["cases"] == 130
    text = CliRunner().invoke(cli, ["loops", str(SAMPLE), "--period", "2025-03-01:2025-05-01"])
    assert text.exit_code == 0 and "筛选：开始于 2025-03-01 至 2025-05-01" in text.stdout


def test_cli_bad_filter_is_one_line(capsys):
    code = main(["discover", str(SAMPLE), "--where", "金额>1", "-o", "/nonexistent/never"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "no column '金额'" in err and "合同金额(元)" in err


def test_discover_reads_the_attributes_a_where_names_and_lets_the_others_go(tmp_path):
    # discover reads the roles only, unless --where names a column: then the cases it keeps are those
    # kpi keeps with the same filter (130, counted from the file in test_cli_filters_every_output)
    result = CliRunner().invoke(cli, ["discover", str(SAMPLE), "--where", "合同金额(元)>200000", "--json", "--no-bpmn",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 130
    everything = procmine.read_log(SAMPLE)
    roles = procmine.read_log(SAMPLE, attributes=False)
    assert everything.attributes == ["合同名称", "合同金额(元)", "申请部门", "审批意见"] and roles.attributes == []
    assert roles.events.equals(everything.events.drop(everything.attributes))
    assert roles.quality.to_dict() == everything.quality.to_dict()  # checked with them all the same
