"""Process-map figures checked by hand on tiny logs (see conftest.py for the rows)."""

from __future__ import annotations

import pytest

import procmine


def edge(pmap, source, target):
    rows = pmap.handoffs.filter((pmap.handoffs["source"] == source) & (pmap.handoffs["target"] == target))
    return rows.to_dicts()[0] if rows.height else None


def node(pmap, activity):
    return pmap.activities.filter(pmap.activities["activity"] == activity).to_dicts()[0]


def test_sequential_log_frequencies_and_times(sequential_csv):
    pmap = procmine.discover(procmine.read_log(sequential_csv))
    # c1: A→B→C, c2: A→C, c3: A→B→B→C
    assert edge(pmap, "A", "B")["frequency"] == 2
    assert edge(pmap, "B", "C")["frequency"] == 2
    assert edge(pmap, "A", "C")["frequency"] == 1
    assert edge(pmap, "B", "B")["frequency"] == 1
    assert pmap.handoffs.height == 4
    # A→B waits: c1 1 h, c3 0.5 h → median 0.75 h, p90 (linear) 0.95 h
    assert edge(pmap, "A", "B")["median_hours"] == pytest.approx(0.75)
    assert edge(pmap, "A", "B")["p90_hours"] == pytest.approx(0.95)
    assert edge(pmap, "A", "C")["median_hours"] == pytest.approx(0.5)
    assert node(pmap, "B")["frequency"] == 3 and node(pmap, "B")["cases"] == 2
    # completion → completion: B took 1 h (c1), 0.5 h and 1 h (c3)
    assert node(pmap, "B")["median_duration_hours"] == pytest.approx(1.0)
    assert node(pmap, "B")["mean_duration_hours"] == pytest.approx(2.5 / 3)
    assert node(pmap, "C")["median_duration_hours"] == pytest.approx(2.0)
    assert node(pmap, "A")["median_duration_hours"] is None
    assert pmap.start_activities == {"A": 3}
    assert pmap.end_activities == {"C": 3}
    assert pmap.duration_basis == "completion → completion"


def test_summary_of_sequential_log(sequential_csv):
    summary = procmine.read_log(sequential_csv).summary()
    assert (summary.cases, summary.events, summary.activities, summary.variants) == (3, 9, 3, 3)
    # lead times 3 h, 0.5 h, 3.5 h
    assert summary.median_lead_time_hours == pytest.approx(3.0)
    assert summary.start == "2025-03-03 08:00:00+08:00"
    assert summary.columns["case"] == "单据编号" and summary.columns["resource"] == "处理人"


def test_overlapping_steps_are_parallel_not_a_sequence(parallel_csv):
    pmap = procmine.discover(procmine.read_log(parallel_csv))
    # k1: 法务 [10:00, 15:00] and 财务 [10:00, 11:00] overlap: neither hands over to the other
    assert edge(pmap, "法务审核", "财务审核") is None
    # k2 ran them in sequence: 财务 completed 11:00, 法务 arrived 11:00
    assert edge(pmap, "财务审核", "法务审核")["frequency"] == 1
    assert edge(pmap, "经理审批", "法务审核")["frequency"] == 1  # k1 only
    assert edge(pmap, "经理审批", "财务审核")["frequency"] == 2
    # k1: 总经理审批 was ready when the slower branch (法务, 15:00) completed and arrived at 15:30;
    # 财务's output (11:00) waited 4 h for 法务: synchronisation, not hand-off
    assert edge(pmap, "财务审核", "总经理审批")["frequency"] == 1
    assert edge(pmap, "财务审核", "总经理审批")["median_hours"] == pytest.approx(0.5)
    assert edge(pmap, "财务审核", "总经理审批")["median_sync_hours"] == pytest.approx(4.0)
    assert edge(pmap, "法务审核", "总经理审批")["median_sync_hours"] == pytest.approx(0.0)
    assert edge(pmap, "法务审核", "总经理审批")["frequency"] == 2  # 0.5 h (k1), 1 h (k2)
    assert edge(pmap, "法务审核", "总经理审批")["median_hours"] == pytest.approx(0.75)
    assert edge(pmap, "提交", "经理审批")["median_hours"] == pytest.approx(((0) + 10 / 60) / 2)
    assert pmap.handoffs.height == 6
    # arrival → completion: 法务 5 h and 1 h
    assert node(pmap, "法务审核")["median_duration_hours"] == pytest.approx(3.0)
    assert pmap.start_activities == {"提交": 2}
    assert pmap.end_activities == {"总经理审批": 2}
    assert pmap.duration_basis == "arrival → completion"


def test_parallel_steps_at_the_end_both_end_the_case(tmp_path):
    path = tmp_path / "ends.csv"
    path.write_text("case,activity,start,end\n"
                    "x,a,2025-01-06 09:00,2025-01-06 10:00\n"
                    "x,b,2025-01-06 10:00,2025-01-06 12:00\n"
                    "x,c,2025-01-06 10:30,2025-01-06 11:00\n", encoding="utf-8")
    pmap = procmine.discover(procmine.read_log(path, start_timestamp="start", timestamp="end"))
    assert pmap.end_activities == {"b": 1, "c": 1}
    assert edge(pmap, "a", "c")["median_hours"] == pytest.approx(0.5)
    assert edge(pmap, "b", "c") is None and edge(pmap, "c", "b") is None


def test_graph_has_start_and_end_nodes(sequential_csv):
    graph = procmine.discover(procmine.read_log(sequential_csv)).graph
    assert graph.nodes["__start__"]["kind"] == "start"
    assert graph.edges["__start__", "A"]["frequency"] == 3
    assert graph.edges["B", "B"]["frequency"] == 1
    assert graph.nodes["C"]["frequency"] == 3


def test_simplify_keeps_frequent_activities_reachable(tmp_path):
    # A→B→D in 5 cases, A→C→D in 1 case, A→E→D in 1 case: keep 3 of 5 activities
    rows = ["case,activity,timestamp"]
    n = 0
    for path, copies in ((["A", "B", "D"], 5), (["A", "C", "D"], 2), (["A", "E", "D"], 1)):
        for _ in range(copies):
            n += 1
            rows += [f"k{n},{a},2025-03-03 {9 + i:02d}:00" for i, a in enumerate(path)]
    log_path = tmp_path / "s.csv"
    log_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    pmap = procmine.discover(procmine.read_log(log_path))
    small = pmap.simplify(activities=0.6, paths=1.0)
    assert sorted(small.activities["activity"].to_list()) == ["A", "B", "D"]
    # with C and E hidden, cases k6–k8 go A→D directly in the projection
    assert edge(small, "A", "D")["frequency"] == 3
    # paths=0 keeps only each activity's widest path from the start and to the end:
    # D is reached through B (bottleneck 5), so A→D (3) goes
    tiny = pmap.simplify(activities=0.6, paths=0.0)
    assert edge(tiny, "A", "D") is None
    import networkx as nx
    graph = tiny.graph
    assert {"A", "B", "D", "__end__"} <= nx.descendants(graph, "__start__")
    assert all(nx.has_path(graph, a, "__end__") for a in ("A", "B", "D"))
    assert small.simplification.activities_kept == 3 and small.simplification.activities_total == 5
    assert "3" in small.simplification.note()


def naive_handoffs(steps):
    """The definition, literally: i ≺ j iff i earlier in step order and c_i ≤ s_j; keep direct ones."""
    before = {(i, j) for i in range(len(steps)) for j in range(len(steps))
              if i < j and steps[i][2] <= steps[j][1]}
    return {(steps[i][0], steps[j][0]) for i, j in before
            if not any((i, k) in before and (k, j) in before for k in range(len(steps)))}


def test_hand_offs_equal_the_definition_on_random_overlapping_cases(tmp_path):
    import random
    from collections import Counter

    rng = random.Random(7)
    rows, expected = ["case,activity,start,end"], Counter()
    for case in range(60):
        steps = []
        for n in range(rng.randint(2, 7)):
            begin = rng.randint(0, 20)
            steps.append((f"s{n}", begin, begin + rng.choice([0, 0, 1, 2, 5])))
        # step order: (begin, end, file row)
        ordered = sorted(enumerate(steps), key=lambda t: (t[1][1], t[1][2], t[0]))
        expected.update(naive_handoffs([s for _, s in ordered]))
        rows += [f"c{case},{a},2025-03-03 {8 + b // 60:02d}:{b % 60:02d},2025-03-03 {8 + e // 60:02d}:{e % 60:02d}"
                 for a, b, e in steps]
    path = tmp_path / "random.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    log = procmine.read_log(path, start_timestamp="start", timestamp="end", normalise_labels=False)
    pmap = procmine.discover(log)
    got = Counter({(r["source"], r["target"]): r["frequency"] for r in pmap.handoffs.iter_rows(named=True)})
    assert got == expected


def test_cases_still_in_progress_do_not_lead_to_the_end(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text("单据编号,审批节点,到达时间,处理时间\n"
                    "a,提交,2025-03-03 09:00,2025-03-03 09:00\na,审批,2025-03-03 09:00,2025-03-03 10:00\n"
                    "b,提交,2025-03-04 09:00,2025-03-04 09:00\nb,审批,2025-03-04 09:00,\n", encoding="utf-8")
    pmap = procmine.discover(procmine.read_log(path))
    assert pmap.end_activities == {"审批": 1}  # b's 提交 is not an end: b waits at 审批
    assert pmap.open_cases == 1
    assert "仍在办理" in pmap.plot().texts[1].get_text() or any("仍在办理" in t.get_text() for t in pmap.plot().texts)


def test_simplified_map_keeps_the_log_counts(sequential_csv):
    pmap = procmine.discover(procmine.read_log(sequential_csv))
    small = pmap.simplify(activities=0.5, paths=1.0)
    assert (small.cases, small.events) == (pmap.cases, pmap.events)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_one_time_per_step_is_drawn_once_on_the_arrow(sequential_csv):
    import matplotlib.pyplot as plt

    pmap = procmine.discover(procmine.read_log(sequential_csv))
    fig = pmap.plot(lang="en")
    texts = _texts(fig)
    plt.close(fig)
    # boxes: counts only (B 3 ×); arrows: count and the interval (A→B 2 × · 45 min)
    assert "3 ×" in texts and not any("median" in t and "×" in t and "·" in t for t in texts if t.startswith("3 ×"))
    assert any("45 min" in t for t in texts)
    assert not any(t.startswith("3 × · median") for t in texts)
    assert any("previous → this completion" in t for t in texts)


def test_arrival_times_keep_step_durations_in_the_boxes(parallel_csv):
    import matplotlib.pyplot as plt

    fig = procmine.discover(procmine.read_log(parallel_csv)).plot(lang="en")
    texts = _texts(fig)
    plt.close(fig)
    assert any(" × · median " in t for t in texts)


def test_a_simplified_map_shows_each_step_as_measured_on_the_whole_log(tmp_path):
    from conftest import write_text

    path = write_text(tmp_path / "rare.csv", "\n".join([
        "单据编号,审批节点,处理时间",
        "c1,A,2025-03-03 09:00", "c1,B,2025-03-03 10:00", "c1,C,2025-03-03 12:00",
        "c2,A,2025-03-03 09:00", "c2,C,2025-03-03 09:30",
        "c3,A,2025-03-03 08:00", "c3,C,2025-03-03 09:00",
    ]) + "\n")
    pmap = procmine.discover(procmine.read_log(path))
    simplified = pmap.simplify(activities=0.6, paths=1.0)  # B, the rarest, is hidden
    assert sorted(simplified.activities["activity"].to_list()) == ["A", "C"]
    # C measured on the whole log: B→C 2 h, A→C 0.5 h and 1 h → median 1 h; without B, c1's
    # A→C would count 3 h and the median would move
    assert node(pmap, "C")["median_duration_hours"] == pytest.approx(1.0)
    assert node(simplified, "C")["median_duration_hours"] == pytest.approx(1.0)
    assert node(simplified, "C")["mean_duration_hours"] == pytest.approx(3.5 / 3)
    # the hand-off around the hidden step does count the time spent in it
    assert edge(simplified, "A", "C")["frequency"] == 3


@pytest.mark.real_logs
@pytest.mark.parametrize("name", ["Sepsis_Cases.xes.gz", "BPI_Challenge_2012.xes.gz", "RequestForPayment.xes.gz"])
def test_default_map_of_a_real_log_fits_a_report_page(name, tmp_path):
    from conftest import real_log
    from PIL import Image

    pmap = procmine.discover(procmine.read_log(real_log(name)))
    path = pmap.save(tmp_path / "map.png", dpi=200)
    width, height = Image.open(path).size
    assert width / 200 * 2.54 <= 25.5 and height / 200 * 2.54 <= 36.5, (width, height)


def test_the_map_has_the_shape_of_every_result():
    import procmine
    from conftest import SAMPLES

    log = procmine.read_log(SAMPLES / "合同审批.csv")
    pmap = procmine.discover(log)
    text = pmap.describe()
    assert text.startswith("流程图：300 个案例") and "到达 → 完成" in text and "部门经理审批：348 次" in text
    assert str(pmap) == text and pmap.describe("en").startswith("Process map: 300 cases")
    assert list(pmap.to_frame("handoffs").columns) == list(pmap.handoffs_frame().columns)
    model = procmine.discover_bpmn(log)
    data = model.to_dict()
    assert data["tasks"] == model.tasks and set(data) >= {"algorithm", "gateways", "left_out_as_infrequent"}


def test_the_map_of_a_log_with_only_its_map_columns_is_the_same_map():
    from pathlib import Path

    log = procmine.read_log(Path(__file__).parent.parent / "sample_logs" / "合同审批.csv")
    narrowed = log.map_columns()
    assert narrowed.events.columns == ["case", "activity", "start_timestamp", "timestamp", "row"]
    assert "resource" in log.events.columns and narrowed.events.height == log.events.height == 2005
    full, small = procmine.discover(log), procmine.discover(narrowed)
    assert small.activities.equals(full.activities) and small.handoffs.equals(full.handoffs)
    assert small.start_activities == full.start_activities and small.end_activities == full.end_activities
    assert narrowed.summary() == log.summary() and narrowed.quality is log.quality
    assert narrowed.map_columns() is narrowed
