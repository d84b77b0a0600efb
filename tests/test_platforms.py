"""Approval records in the platforms' own shapes (procmine.read.platforms): DingTalk, Feishu, WeCom, Weaver.

The sample sets in sample_logs/platforms/ are written by make_platform_samples.py; the
expected values of one case per platform below were read off the raw files by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from procmine.cli import cli
from procmine.errors import ColumnError, LogFileError
from procmine.outcomes import classify
from procmine.read import read_log
from procmine.read.platforms import detect_source

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs" / "platforms"
INPUTS = {"dingtalk": "dingtalk.json", "feishu": "feishu.jsonl", "wecom": "wecom", "weaver": "weaver"}
CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def case_events(log, case: str) -> list[tuple]:
    events = log.events.filter(log.events["case"] == case).sort("timestamp", "row")
    return [(r["activity"], r["resource"], r["outcome"], r["start_timestamp"], r["timestamp"])
            for r in events.iter_rows(named=True)]


@pytest.fixture(scope="module", params=list(INPUTS))
def sample(request):
    platform = request.param
    truth = json.loads((SAMPLES / f"{platform}.truth.json").read_text(encoding="utf-8"))
    return platform, read_log(SAMPLES / INPUTS[platform]), truth


# --- the sample sets against their truth ----------------------------------------------------

def test_sample_counts_activities_and_accounting(sample):
    platform, log, truth = sample
    assert log.source.format == platform
    assert log.events["case"].n_unique() == truth["cases"] == 12
    assert log.events.height == truth["events"]
    assert sorted(log.events["activity"].unique().to_list()) == truth["activities"]
    assert sorted(log.open_cases) == truth["open_cases"]
    quality = log.quality
    assert quality.rows_read == quality.events + quality.dropped + quality.merged
    codes = {f.code for f in quality.findings}
    assert "platform_unknown_operation" not in codes
    assert "step_not_completed" in codes           # the running instance's waiting step
    assert set(log.events.columns) >= {"case", "activity", "timestamp", "start_timestamp", "resource",
                                       "department", "outcome", "row"}


def test_sample_every_case_matches_truth(sample):
    _, log, truth = sample
    for case, expected in truth["events_by_case"].items():
        got = [{"activity": a, "resource": r, "outcome": o, "time": t.isoformat(), "start": s.isoformat() if s else None}
               for a, r, o, s, t in case_events(log, case)]
        assert got == sorted(expected["events"], key=lambda e: e["time"]), case


def test_sample_outcomes_are_in_the_vocabulary(sample):
    _, log, _ = sample
    codes = {value: classify(value) for value in log.events["outcome"].unique().to_list()}
    assert None not in codes.values(), codes


def test_dingtalk_transfer_case_by_hand():
    log = read_log(SAMPLES / "dingtalk.json")
    # businessId 2025030061000006: START 01:24Z; REDIRECT_TASK by zhaolei 01:35Z; sunhao AGREE 04:56Z;
    # zhoumin AGREE 08:37Z (sunli's task CANCELED); times are UTC in the v1.0 API
    assert case_events(log, "2025030061000006") == [
        ("提交", "chenjing", "提交", at("2025-03-08 09:24"), at("2025-03-08 09:24")),
        ("sid-9C1E2F70", "zhaolei", "转交", at("2025-03-08 09:24"), at("2025-03-08 09:35")),
        ("sid-9C1E2F70", "sunhao", "同意", at("2025-03-08 09:35"), at("2025-03-08 12:56")),
        ("sid-5B07D3A4", "zhoumin", "同意", at("2025-03-08 12:56"), at("2025-03-08 16:37")),
    ]
    first = log.events.filter(log.events["case"] == "2025030061000006").row(0, named=True)
    assert first["department"] == "市场部" and first["报销金额"] == 8600 and first["status"] == "COMPLETED"


def test_feishu_send_back_case_by_hand():
    log = read_log(SAMPLES / "feishu.jsonl")
    assert case_events(log, "7C1D5E2A-0004-4B8F-9A61-3E0F2D7B0004") == [
        ("提交", "wangfang", "提交", at("2025-03-06 09:15"), at("2025-03-06 09:15")),
        ("部门经理审批", "liuqiang", "同意", at("2025-03-06 09:15"), at("2025-03-06 12:51")),
        ("财务审批", "zhoumin", "退回", at("2025-03-06 12:51"), at("2025-03-06 14:47")),
        ("重新提交", "wangfang", "重新提交", at("2025-03-06 17:28"), at("2025-03-06 17:28")),
        ("部门经理审批", "liuqiang", "同意", at("2025-03-06 17:28"), at("2025-03-06 19:33")),
        ("财务审批", "zhoumin", "同意", at("2025-03-06 19:33"), at("2025-03-06 22:29")),
    ]
    not_steps = next(f for f in log.quality.findings if f.code == "platform_not_a_step")
    assert not_steps.rows == 3 and not_steps.action == "dropped"     # 2 CC timeline entries + 1 comment


def test_wecom_transfer_case_by_hand():
    log = read_log(SAMPLES / "wecom")
    # no node names, no arrival times: 审批节点N, arrival = the step before's completion (the transfer
    # for the transferee)
    assert case_events(log, "2025030060006") == [
        ("提交", "chenjing", "提交", at("2025-03-08 09:24"), at("2025-03-08 09:24")),
        ("审批节点1", "zhaolei", "转审", at("2025-03-08 09:24"), at("2025-03-08 09:35")),
        ("审批节点1", "sunhao", "同意", at("2025-03-08 09:35"), at("2025-03-08 12:56")),
        ("审批节点2", "zhoumin", "同意", at("2025-03-08 12:56"), at("2025-03-08 16:37")),
    ]
    assert log.open_steps.height == 1   # the or-sign node waiting for zhoumin or sunli is one open step
    assert log.events.filter(log.events["case"] == "2025030060006")["报销金额"].unique().to_list() == [8600]


def test_wecom_step_names_by_ordinal_and_by_approver():
    log = read_log(SAMPLES / "wecom", step_names={"1": "部门经理审批", "2": "财务审批", "sunhao": "代理审批"})
    assert [a for a, *_ in case_events(log, "2025030060006")] == ["提交", "部门经理审批", "代理审批", "财务审批"]


def test_weaver_send_back_case_by_hand():
    log = read_log(SAMPLES / "weaver")
    assert case_events(log, "30104") == [
        ("创建", "wangfang", "提交", at("2025-03-06 09:15"), at("2025-03-06 09:15")),
        ("部门经理审批", "liuqiang", "同意", at("2025-03-06 09:15"), at("2025-03-06 12:51")),
        ("财务审批", "zhoumin", "退回", at("2025-03-06 12:51"), at("2025-03-06 14:47")),
        ("创建", "wangfang", "重新提交", at("2025-03-06 14:47"), at("2025-03-06 17:28")),
        ("部门经理审批", "liuqiang", "同意", at("2025-03-06 17:28"), at("2025-03-06 19:33")),
        ("财务审批", "zhoumin", "同意", at("2025-03-06 19:33"), at("2025-03-06 22:29")),
    ]
    assert sorted(log.open_steps["resource"].to_list()) == ["sunli", "zhoumin"]


def test_weaver_folder_with_procmine_outputs_in_it(tmp_path):
    for name in ("workflow_requestlog.csv", "workflow_currentoperator.csv", "workflow_nodebase.csv"):
        (tmp_path / name).write_bytes((SAMPLES / "weaver" / name).read_bytes())
    (tmp_path / "process_map.json").write_text('{"nodes": [], "edges": []}', encoding="utf-8")
    assert read_log(tmp_path).events.height == 42


def test_weaver_requestlog_alone_and_several_paths():
    alone = read_log(SAMPLES / "weaver" / "workflow_requestlog.csv")      # detected by its columns
    assert alone.source.format == "weaver" and alone.events.height == 42
    assert "节点102" in alone.events["activity"].to_list()                # no nodebase: ids
    assert "start_timestamp" in alone.events.columns
    two = read_log([SAMPLES / "weaver" / "workflow_requestlog.csv", SAMPLES / "weaver" / "workflow_nodebase.csv"])
    assert "部门经理审批" in two.events["activity"].to_list()


def test_weaver_currentoperator_without_isremark(tmp_path):
    import polars as pl

    for name in ("workflow_requestlog.csv", "workflow_nodebase.csv"):
        (tmp_path / name).write_bytes((SAMPLES / "weaver" / name).read_bytes())
    operators = pl.read_csv(SAMPLES / "weaver" / "workflow_currentoperator.csv", infer_schema=False)
    operators.drop("isremark").write_csv(tmp_path / "workflow_currentoperator.csv")
    log = read_log(tmp_path)
    # arrivals still come from it, but waiting people cannot be told from people copied in
    assert log.events.height == 42 and log.open_steps is None and not log.open_cases
    assert log.events["start_timestamp"].null_count() == 0
    assert any("no isremark column" in note for note in log.source.notes)


def test_weaver_requestbase_names_requests_and_tells_unfinished_ones(tmp_path):
    for name in ("workflow_requestlog.csv", "workflow_nodebase.csv"):
        (tmp_path / name).write_bytes((SAMPLES / "weaver" / name).read_bytes())
    (tmp_path / "workflow_requestbase.csv").write_text(
        "requestid,workflowid,requestname,currentnodetype\n30101,88,差旅报销-张伟,3\n30102,88,差旅报销-陈静,1\n",
        encoding="utf-8")
    log = read_log(tmp_path)
    assert "30102" in log.open_cases and "30101" not in log.open_cases
    first = log.events.filter(log.events["case"] == "30101").row(0, named=True)
    assert first["requestname"] == "差旅报销-张伟"


def test_submission_from_the_instance_when_no_operation_records_it(tmp_path):
    dingtalk = {"businessId": "B1", "createTime": "2025-03-05 09:00:00", "originatorUserId": "u1",
                "originatorDeptName": "销售部", "status": "COMPLETED",
                "operationRecords": [{"userId": "u2", "date": "2025-03-05 10:00:00", "type": "EXECUTE_TASK_NORMAL",
                                      "result": "REFUSE"}]}
    log = read_log(write(tmp_path, "d.json", dingtalk))
    assert case_events(log, "B1") == [
        ("提交", "u1", "提交", at("2025-03-05 09:00"), at("2025-03-05 09:00")),
        ("审批节点1", "u2", "驳回", None, at("2025-03-05 10:00")),
    ]
    feishu = {"instance_code": "F2", "user_id": "u1", "start_time": "1741136400000", "status": "PENDING",
              "task_list": [{"id": "t1", "user_id": "u2", "status": "PENDING", "node_name": "主管审批",
                             "start_time": "1741136400000", "end_time": "0"}], "timeline": []}
    log = read_log(write(tmp_path, "f.json", feishu))
    assert case_events(log, "F2") == [("提交", "u1", "提交", at("2025-03-05 09:00"), at("2025-03-05 09:00"))]
    assert log.open_cases == {"F2"} and log.open_steps["activity"].to_list() == ["主管审批"]


def test_detect_source():
    assert {p: detect_source(SAMPLES / f) for p, f in INPUTS.items()} == {p: p for p in INPUTS}


def test_generator_is_deterministic(tmp_path):
    subprocess.run([sys.executable, str(SAMPLES / "make_platform_samples.py"), "--out", str(tmp_path)], check=True)
    for name in ("dingtalk.json", "feishu.jsonl", "wecom/2025030040004.json", "weaver/workflow_requestlog.csv",
                 "weaver.truth.json"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


# --- time formats and the old DingTalk API --------------------------------------------------

def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_dingtalk_topapi_snake_case_and_local_times(tmp_path):
    response = {"errcode": 0, "process_instance": {
        "title": "报销", "business_id": "201811210001", "originator_userid": "u1", "originator_dept_name": "销售部",
        "status": "COMPLETED", "result": "agree", "create_time": "2018-11-21 09:00:00",
        "operation_records": [
            {"userid": "u1", "date": "2018-11-21 09:00:00", "operation_type": "START_PROCESS_INSTANCE",
             "operation_result": "NONE"},
            {"userid": "u2", "date": "2018-11-21 12:00:00", "operation_type": "EXECUTE_TASK_NORMAL",
             "operation_result": "AGREE", "remark": "ok"},
            {"userid": "u2", "date": "2018-11-21 12:01:00", "operation_type": "ADD_REMARK",
             "operation_result": "NONE"}],
        "tasks": [{"userid": "u2", "task_status": "COMPLETED", "task_result": "AGREE", "activity_id": "n1",
                   "create_time": "2018-11-21 09:00:00", "finish_time": "2018-11-21 12:00:00", "taskid": "7"}]}}
    log = read_log(write(tmp_path, "old.json", response), step_names={"n1": "主管审批"})
    assert case_events(log, "201811210001") == [
        ("提交", "u1", "提交", at("2018-11-21 09:00"), at("2018-11-21 09:00")),
        ("主管审批", "u2", "同意", at("2018-11-21 09:00"), at("2018-11-21 12:00")),
    ]
    assert log.events["comment"].to_list() == [None, "ok"]


def test_iso_times_with_offset_and_unix_seconds(tmp_path):
    feishu = {"instance_code": "F1", "user_id": "u1", "status": "APPROVED",
              "timeline": [{"type": "START", "create_time": "2025-03-05T10:00:00+08:00", "user_id": "u1"},
                           {"type": "PASS", "create_time": "2025-03-05T03:30:00Z", "user_id": "u2"}]}
    log = read_log(write(tmp_path, "f.json", feishu))
    assert log.events["timestamp"].to_list() == [at("2025-03-05 10:00"), at("2025-03-05 11:30")]
    wecom = {"sp_no": "W1", "sp_status": 2, "apply_time": 1741140000, "applyer": {"userid": "u1", "partyid": "2"},
             "sp_record": [{"sp_status": 2, "approverattr": 1, "details": [
                 {"approver": {"userid": "u2"}, "speech": "", "sp_status": 2, "sptime": 1741143600}]}]}
    log = read_log(write(tmp_path, "w.json", {"errcode": 0, "errmsg": "ok", "info": wecom}))
    assert log.events["timestamp"].to_list() == [at("2025-03-05 10:00"), at("2025-03-05 11:00")]


# --- bad input ------------------------------------------------------------------------------

def test_json_of_no_known_shape_is_one_clear_error(tmp_path):
    path = write(tmp_path, "orders.json", [{"order_id": 1, "amount": 3}])
    with pytest.raises(LogFileError) as error:
        read_log(path)
    message = str(error.value)
    assert "orders.json" in message and "operationRecords" in message and "timeline" in message
    assert "sp_record" in message


def test_error_response_alone_is_named(tmp_path):
    path = write(tmp_path, "resp.json", {"errcode": 40014, "errmsg": "invalid access_token"})
    with pytest.raises(LogFileError, match="an error response: 40014 invalid access_token"):
        read_log(path)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"sp_no": "1",\n "sp_status": }', encoding="utf-8")
    with pytest.raises(LogFileError, match=r"broken.json: not valid JSON .*line 2"):
        read_log(path)


def test_unknown_operation_types_are_listed_and_error_responses_counted(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    data = json.loads((SAMPLES / "dingtalk.json").read_text(encoding="utf-8"))[0]
    data["result"]["operationRecords"].insert(1, {"userId": "x", "date": "2025-03-03T02:00Z", "type": "NEW_THING",
                                                  "result": "NONE"})
    write(folder, "1.json", data)
    write(folder, "2.json", {"errcode": 88, "errmsg": "rate limited"})
    log = read_log(folder)
    unknown = next(f for f in log.quality.findings if f.code == "platform_unknown_operation")
    assert unknown.rows == 1 and "NEW_THING (1)" in unknown.message and unknown.severity == "warning"
    empty = next(f for f in log.quality.findings if f.code == "platform_not_an_instance")
    assert empty.rows == 1 and "rate limited" in empty.examples[0][1]
    assert log.quality.rows_read == log.quality.events + log.quality.dropped + log.quality.merged


def test_source_that_does_not_match_and_mixed_platforms(tmp_path):
    with pytest.raises(LogFileError, match="--source wecom given, but the records are Feishu"):
        read_log(SAMPLES / "feishu.jsonl", source="wecom")
    folder = tmp_path / "mixed"
    folder.mkdir()
    write(folder, "a.json", json.loads((SAMPLES / "wecom" / "2025030010001.json").read_text(encoding="utf-8")))
    write(folder, "b.json", json.loads((SAMPLES / "feishu.jsonl").read_text(encoding="utf-8").splitlines()[0]))
    with pytest.raises(LogFileError, match="several platforms"):
        read_log(folder)
    assert read_log(folder, source="wecom").events["case"].n_unique() == 1


def test_column_options_are_refused(tmp_path):
    with pytest.raises(ColumnError, match="--activity cannot be used with approval-platform records"):
        read_log(SAMPLES / "feishu.jsonl", activity="节点")


def test_folder_without_records(tmp_path):
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(LogFileError, match="no .json/.jsonl files"):
        read_log(tmp_path)


def test_weaver_tables_without_requestlog(tmp_path):
    (tmp_path / "nodes.csv").write_text("id,nodename\n1,创建\n", encoding="utf-8")
    with pytest.raises(LogFileError, match="no Weaver workflow_requestlog table found.*logtype"):
        read_log(tmp_path, source="weaver")


# --- the CLI --------------------------------------------------------------------------------

def test_cli_discover_on_a_platform_folder(tmp_path):
    result = CliRunner().invoke(cli, ["discover", str(SAMPLES / "weaver"), "--source", "weaver",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "process_map.json").exists()
