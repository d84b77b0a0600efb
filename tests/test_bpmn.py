"""The BPMN model: readable by pm4py, laid out, and faithful to the log."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import procmine
from procmine._engine import pm4py

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "omgdc": "http://www.omg.org/spec/DD/20100524/DC",
      "omgdi": "http://www.omg.org/spec/DD/20100524/DI"}


def test_bpmn_round_trips_through_pm4py_and_fits_the_log(parallel_csv, tmp_path):
    log = procmine.read_log(parallel_csv)
    model = procmine.discover_bpmn(log, noise_threshold=0.0)
    path = model.save(tmp_path / "m.bpmn")
    loaded = pm4py.read_bpmn(str(path))
    tasks = sorted(n.get_name() for n in loaded.get_nodes() if type(n).__name__ == "Task")
    assert tasks == sorted(["提交", "经理审批", "法务审核", "财务审核", "总经理审批"])
    # the inductive miner without noise filtering guarantees a model that replays every case
    net, initial, final = pm4py.convert_to_petri_net(loaded)
    frame = log.events.select("case", "activity", "timestamp").to_pandas()
    frame["timestamp"] = frame["timestamp"].dt.tz_convert("UTC")
    fitness = pm4py.fitness_token_based_replay(frame, net, initial, final, case_id_key="case",
                                               activity_key="activity", timestamp_key="timestamp")
    assert fitness["perc_fit_traces"] == 100.0
    # 法务审核 and 财务审核 were seen in both orders and overlapping: a parallel gateway
    assert model.gateways.get("ParallelGateway", 0) >= 2


def test_bpmn_has_a_diagram_without_overlaps(tmp_path):
    from conftest import SAMPLES

    log = procmine.read_log(SAMPLES / "合同审批.csv")
    path = procmine.discover_bpmn(log).save(tmp_path / "m.bpmn")
    root = ET.parse(path).getroot()
    process_nodes = [e for e in root.find("bpmn:process", NS) if not e.tag.endswith("sequenceFlow")]
    shapes = root.findall(".//bpmndi:BPMNShape", NS)
    assert len(shapes) == len(process_nodes)
    boxes = []
    for shape in shapes:
        b = shape.find("omgdc:Bounds", NS).attrib
        boxes.append((float(b["x"]), float(b["y"]), float(b["width"]), float(b["height"])))
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
    edges = root.findall(".//bpmndi:BPMNEdge", NS)
    flows = root.findall(".//bpmn:sequenceFlow", NS)
    assert len(edges) == len(flows)
    assert all(len(e.findall("omgdi:waypoint", NS)) >= 2 for e in edges)


def test_the_miner_stops_at_its_time_budget():
    import time

    import pytest

    from procmine.discover.bpmn import _budget
    from procmine.errors import MinerTimeout

    started = time.perf_counter()
    with pytest.raises(MinerTimeout, match="did not finish in 0.2 s"):
        with _budget(0.2, "a test"):
            while True:  # pure Python, as pm4py's miner is
                pass
    assert time.perf_counter() - started < 5


def test_mining_the_drawn_activities_only(parallel_csv):
    log = procmine.read_log(parallel_csv)
    model = procmine.discover_bpmn(log, noise_threshold=0.0, activities=["提交", "经理审批", "总经理审批"])
    assert model.tasks == sorted(["提交", "经理审批", "总经理审批"])
    assert model.left_out == []


def test_discover_writes_the_map_when_the_miner_runs_out_of_time(parallel_csv, tmp_path, monkeypatch, capsys):
    from procmine.cli import main
    from procmine.discover import bpmn

    def endless(variants, noise_threshold):
        while True:
            pass

    monkeypatch.setattr(bpmn, "_inductive_tree", endless)
    monkeypatch.setattr(bpmn, "MINE_IN_BACKGROUND", False)  # (the patch reaches this process only)
    code = main(["discover", str(parallel_csv), "-o", str(tmp_path), "--bpmn-timeout", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "BPMN 模型：未写出：归纳挖掘未在 1 秒内完成。流程图和图表已完整" in out
    assert (tmp_path / "current_flowchart.png").exists() and (tmp_path / "process_map.json").exists()
    assert not (tmp_path / "current_process.bpmn").exists()
    assert str(tmp_path / "current_process.bpmn") not in out


def test_a_case_of_thousands_of_steps_is_mined_from_its_directly_follows_counts(tmp_path):
    from datetime import datetime, timedelta

    from procmine.discover.bpmn import LONG_VARIANT

    start = datetime(2025, 1, 2, 9)
    loop = ["审批", "退回修改"]
    steps = ["提交"] + [loop[i % 2] for i in range(LONG_VARIANT + 1)] + ["审批", "归档"]
    rows = ["case,activity,timestamp"] + [f"c1,{a},{start + timedelta(minutes=i)}" for i, a in enumerate(steps)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = procmine.discover_bpmn(procmine.read_log(path), time_budget=60)
    assert "IMd" in model.algorithm
    assert set(model.tasks) == {"提交", "审批", "退回修改", "归档"}
    tasks = {e.get("name") for e in ET.parse(model.save(tmp_path / "long.bpmn")).iter() if e.tag.endswith("task")}
    assert tasks == {"提交", "审批", "退回修改", "归档"}


def test_the_same_model_is_laid_out_the_same_way_every_time():
    # pm4py keeps a model's nodes in a set: without a stable order the layout changed run to run
    import procmine

    log = procmine.read_log(Path(__file__).resolve().parent.parent / "sample_logs" / "合同审批.csv")

    def positions():
        model = procmine.discover_bpmn(log).engine_model
        return sorted((type(n).__name__, n.get_name() or "", n.get_x(), n.get_y()) for n in model.get_nodes())

    first = positions()
    assert all(positions() == first for _ in range(4))


def test_miner_sequences_reverse_each_block_of_overlapping_steps(tmp_path):
    import polars as pl

    # each case gives its steps in arrival order and with every block of overlapping steps reversed,
    # weight 1 each; counted per (variant, blocks) — the same as spelling out every case, long ones too
    import random
    from collections import Counter

    from conftest import write_text
    from procmine.discover.bpmn import MASK_BITS, variant_counts

    rng = random.Random(5)
    rows = ["单号,节点,到达时间,完成时间"]
    for c in range(300):
        n = MASK_BITS + 6 if c < 3 else rng.randint(2, 7)  # three cases longer than the integer's bits
        t = 0
        for k in range(n):
            start = t
            t += rng.choice([0, 1, 2])  # 0: the next step arrives before this one completes (a block)
            end = start + 3 if t == start else t
            rows.append(f"c{c:03d},A{rng.randint(0, 4)},2025-03-03 {9 + start // 60:02d}:{start % 60:02d},"
                        f"2025-03-03 {9 + end // 60:02d}:{end % 60:02d}")
            t = max(t, start + 1)
    log = procmine.read_log(write_text(tmp_path / "log.csv", "\n".join(rows) + "\n"))
    tables = log.tables()
    expected = Counter()
    steps = tables.steps.with_columns(tables.blocks)
    for _, case in steps.group_by("case_code", maintain_order=True):
        forward = case["activity"].to_list()
        backward = [a for _, block in case.group_by("block", maintain_order=True) for a in block["activity"].to_list()[::-1]]
        expected[tuple(forward)] += 1
        expected[tuple(backward)] += 1
    counted = variant_counts(tables)
    assert counted == expected
    assert any(len(k) > MASK_BITS for k in counted) and any(len(set(b)) < len(b) for b in
                                                             [steps.filter(pl.col("case_code") == 0)["block"].to_list()])


# --- the miner in a process of its own (discover's BPMN model) ---------------------------------

def _layout(xml: bytes) -> tuple:
    """What a model file says, whatever order pm4py lists its elements in: the tasks, the gateway
    kinds, and every shape's bounds and edge's waypoints."""
    root = ET.fromstring(xml)
    return (sorted(t.get("name") for t in root.iter(f"{{{NS['bpmn']}}}task")),
            sorted(g.tag.split("}")[1] for g in root.iter() if g.tag.endswith("Gateway")),
            sorted(tuple(sorted(b.attrib.items())) for b in root.iter(f"{{{NS['omgdc']}}}Bounds")),
            sorted(tuple(sorted(w.attrib.items())) for w in root.iter(f"{{{NS['omgdi']}}}waypoint")))


def test_the_miner_process_gives_the_model_mined_here(parallel_csv):
    from procmine.discover.bpmn import MinerProcess, miner_input

    log = procmine.read_log(parallel_csv)
    here = procmine.discover_bpmn(log, noise_threshold=0.0)
    miner = MinerProcess()
    try:
        for activities in (None, ["提交", "经理审批", "总经理审批"]):  # two requests to one process
            miner.send(*miner_input(log), 0.0, activities, 60)
            facts, xml = miner.receive()
            model = procmine.discover_bpmn(log, noise_threshold=0.0, activities=activities)
            assert facts == model.to_dict()
            assert _layout(xml) == _layout(model.xml())
        assert facts != here.to_dict()  # (the second request was mined on its own activities)
    finally:
        miner.close()
    assert not miner.alive


def test_the_miner_process_keeps_to_its_budget_and_says_when_it_stops(parallel_csv):
    import pytest

    from procmine.discover.bpmn import MinerProcess, miner_input
    from procmine.errors import MinerTimeout, ProcmineError

    log = procmine.read_log(parallel_csv)
    miner = MinerProcess()
    try:
        miner.send(*miner_input(log), 0.1, None, 1e-6)  # the alarm rings before the first cut is found
        with pytest.raises(MinerTimeout, match="did not finish in 1e-06 s"):
            miner.receive()
        assert miner.alive  # still there for the next request
        miner._process.kill()
        miner._process.wait(5)
        with pytest.raises((ProcmineError, OSError)):
            miner.send(*miner_input(log), 0.1, None, 60)
            miner.receive()
    finally:
        miner.close()


def test_discover_says_in_one_line_when_the_miner_process_stopped(parallel_csv, tmp_path, monkeypatch, capsys):
    from procmine.cli import main
    from procmine.discover import bpmn

    def stopped(self):
        self.close()
        raise procmine.errors.ProcmineError("the miner's process stopped before it answered")

    monkeypatch.setattr(bpmn.MinerProcess, "receive", stopped)
    code = main(["discover", str(parallel_csv), "-o", str(tmp_path), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0
    assert "BPMN: not written: the miner's process stopped before it answered. The map and charts are complete" in out
    assert (tmp_path / "current_flowchart.html").exists() and not (tmp_path / "current_process.bpmn").exists()


def test_the_bpmn_line_is_said_in_the_outputs_language():
    from procmine.cli import _BpmnOutcome

    facts = {"algorithm": "inductive miner infrequent (IMf)", "noise_threshold": 0.1, "variants": 1234,
             "tasks": ["发起申请", "审批", "归档"], "gateways": {"ParallelGateway": 2, "ExclusiveGateway": 3},
             "left_out_as_infrequent": ["加签"]}
    written = _BpmnOutcome(facts=facts, drawn=3, reasons=[(True, "the inductive miner did not finish in 60 s (IMf)")],
                           budget=60)
    assert written.describe("zh") == ("按流程图上画出的 3 个活动挖掘：3 个任务，网关：3 个排他、2 个并行；"
                                      "归纳挖掘（IMf，过滤低频路径），噪声阈值 0.1，来自 1,234 种变体；因低频未纳入：加签"
                                      "（全部活动：归纳挖掘未在 60 秒内完成）")
    assert written.describe("en") == ("mined on the 3 activities drawn on the flowchart: 3 tasks, gateways: "
                                      "3 exclusive, 2 parallel; inductive miner infrequent (IMf), noise threshold 0.1, "
                                      "from 1,234 variants; left out as infrequent: 加签 "
                                      "(the inductive miner did not finish in 60 s (IMf) on all activities)")
    failed = _BpmnOutcome(reasons=[(True, "x"), (False, "the miner failed: ValueError: y")], budget=5)
    assert failed.describe("zh").startswith("未写出：归纳挖掘未在 5 秒内完成；之后the miner failed: ValueError: y。")
    assert failed.describe("en").startswith("not written: x; then the miner failed: ValueError: y. The map")
    assert _BpmnOutcome(skipped=True).describe("zh") == "未生成（--no-bpmn）"
