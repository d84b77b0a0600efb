"""procmine's map against pm4py computed directly on the same events."""

from __future__ import annotations

import pytest

import procmine
from procmine._engine import pm4py

from conftest import SAMPLES, real_log


def pm4py_dfg(log):
    # in file order, as pm4py would read the file; pm4py sorts by case and time itself
    frame = log.events.sort("row").select("case", "activity", "timestamp").to_pandas()
    frame["timestamp"] = frame["timestamp"].dt.tz_convert("UTC")
    # format_dataframe is how pm4py users prepare a frame: it sorts by case, time and file order
    frame = pm4py.format_dataframe(frame, case_id="case", activity_key="activity", timestamp_key="timestamp")
    dfg = pm4py.discover_dfg(frame)[0]
    # procmine does not end a case that is still in progress (a step arrived, not completed)
    finished = frame[~frame["case:concept:name"].isin(list(log.open_cases))]
    starts, ends = pm4py.get_start_activities(frame), pm4py.get_end_activities(finished)
    return dict(dfg), dict(starts), dict(ends)


def ours(pmap):
    edges = {(r["source"], r["target"]): r["frequency"] for r in pmap.handoffs.iter_rows(named=True)}
    return edges, pmap.start_activities, pmap.end_activities


def assert_same_as_pm4py(log):
    pmap = procmine.discover(log, arrival_times=False)
    edges, starts, ends = ours(pmap)
    dfg, pm_starts, pm_ends = pm4py_dfg(log)
    assert edges == dfg
    assert starts == pm_starts
    assert ends == pm_ends
    assert pmap.events == len(log.events)


def test_hand_checked_log_matches_pm4py(sequential_csv):
    assert_same_as_pm4py(procmine.read_log(sequential_csv))


@pytest.mark.parametrize("name", ["合同审批.csv", "费用报销.xlsx", "客户投诉处理.csv"])
def test_sample_logs_match_pm4py_on_completion_times(name):
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} not generated")
    assert_same_as_pm4py(procmine.read_log(path))


@pytest.mark.real_logs
@pytest.mark.parametrize("name, options", [
    ("RequestForPayment.xes.gz", {}),
    ("PrepaidTravelCost.xes.gz", {}),
    ("BPI_Challenge_2012.xes.gz", {"lifecycle": "all"}),
    ("Sepsis_Cases.xes.gz", {}),
    ("helpdesk.xes.gz", {}),
    ("dryers_Fond_eventlog.csv", {}),
])
def test_real_logs_match_pm4py(name, options):
    log = procmine.read_log(real_log(name), **options)
    assert_same_as_pm4py(log)


@pytest.mark.real_logs
def test_request_for_payment_counts_match_the_published_figures():
    log = procmine.read_log(real_log("RequestForPayment.xes.gz"))
    summary = log.summary()
    assert (summary.cases, summary.events, summary.activities) == (6886, 36796, 19)
    assert log.quality.dropped == 0
