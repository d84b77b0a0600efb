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
    code = main(["discover", str(parallel_csv), "-o", str(tmp_path), "--bpmn-timeout", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "BPMN: not written: the inductive miner did not finish in 1 s" in out
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
