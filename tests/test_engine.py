"""The engine's tables against hand-checked values and a brute-force reference.

The hand-off rule is checked against its definition written the slow way (every pair of steps
of a case compared), on random cases full of ties and overlaps.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import polars as pl
import pytest

from procmine.engine import Tables
from procmine.log import ACTIVITY, CASE, ROW, START, TIMESTAMP

T0 = datetime(2025, 3, 3, 9, 0)


def events(rows: list[tuple]) -> pl.DataFrame:
    """(case, activity, arrival minute or None, completion minute) → an event frame."""
    return pl.DataFrame(
        {
            CASE: [r[0] for r in rows],
            ACTIVITY: [r[1] for r in rows],
            START: [None if r[2] is None else T0 + timedelta(minutes=r[2]) for r in rows],
            TIMESTAMP: [T0 + timedelta(minutes=r[3]) for r in rows],
            ROW: list(range(2, len(rows) + 2)),
        },
        schema_overrides={ROW: pl.UInt32},
    )


def test_parallel_split_and_join_by_hand():
    # 申请 → (财务 ∥ 法务) → 盖章; 财务 finishes at 60, 法务 at 90: 盖章 is ready at 90.
    frame = events([
        ("A", "申请", 0, 0), ("A", "财务", 10, 60), ("A", "法务", 10, 90), ("A", "盖章", 120, 130),
    ])
    tables = Tables(frame, completion_only=False)
    minutes = (pl.col("hours") * 60).round(6), (pl.col("sync_hours") * 60).round(6)
    pairs = tables.handoffs.select("source", "target", *minutes).sort("source", "target").rows()
    assert pairs == [
        ("法务", "盖章", 30, 0),       # ready at 90 (the last branch), arrived at 120
        ("申请", "法务", 10, 0),
        ("申请", "财务", 10, 0),
        ("财务", "盖章", 30, 30),      # completed at 60, waited 30 min for 法务
    ]
    assert tables.start_activities == {"申请": 1}
    assert tables.end_activities == {"盖章": 1}
    steps = tables.steps
    assert steps["pos"].to_list() == [0, 1, 2, 3]
    assert steps["duration_hours"].to_list() == pytest.approx([0.0, 50 / 60, 80 / 60, 10 / 60])


def test_steps_all_timed_from_arrival_share_the_arrival_column():
    # every step has an arrival: begin and duration_from are the arrival column itself, and the
    # figures are those of the general path (where steps without an arrival have no duration)
    timed = events([("A", "申请", 0, 0), ("A", "审批", 10, 70), ("B", "申请", 5, 5), ("B", "审批", 20, 50)])
    mixed = timed.with_columns(pl.when(pl.col(ACTIVITY) == "申请").then(None).otherwise(pl.col(START)).alias(START))
    a, b = Tables(timed, completion_only=False).steps, Tables(mixed, completion_only=False).steps
    assert a["duration_hours"].to_list() == pytest.approx([0.0, 1.0, 0.0, 0.5])
    assert b["duration_hours"].to_list() == [None, 1.0, None, 0.5]
    assert a["begin"].to_list() == timed[START].to_list()
    assert a["duration_from"].to_list() == a["begin"].to_list()
    assert b["duration_from"].to_list()[0] is None


@pytest.mark.parametrize("name", ["合同审批.csv", "客户投诉处理.csv"])
def test_the_readers_order_is_the_steps_order(name):
    # the tables trust the reader's sort instead of checking it again: the same steps either way
    import procmine
    from conftest import SAMPLES

    log = procmine.read_log(SAMPLES / name)
    shuffled = log.events.sample(fraction=1.0, shuffle=True, seed=3)
    for arrival_times in (True, False):
        trusted = log.tables(arrival_times=arrival_times)
        completion_only = trusted.completion_only
        assert trusted._in_order == (not completion_only or START not in log.events.columns)
        assert trusted.steps.equals(Tables(shuffled, completion_only=completion_only).steps)
    assert log.filter(variants=3).tables()._in_order  # a filter keeps the order
    log.events = shuffled  # an events frame set by hand is checked
    log._tables.clear()
    assert not log.tables()._in_order


def test_text_codes_name_the_steps_text():
    frame = events([("A", "申请", None, 0), ("A", "审批", None, 5), ("B", "申请", None, 1), ("B", "审批", None, 9)])
    frame = frame.with_columns(pl.Series("resource", ["王五", None, "张三", "王五"]))
    tables = Tables(frame, completion_only=True)
    codes, names = tables.codes("resource")
    assert names.to_list() == sorted(["王五", "张三"])  # sorted: codes compare as the names do
    # steps are in case order: A 申请 王五, A 审批 (nobody), B 申请 张三, B 审批 王五
    assert [None if c is None else names[c] for c in codes.to_list()] == tables.steps["resource"].to_list()
    assert codes.to_list()[1] is None
    assert tables.codes("resource")[0] is codes  # built once


def test_cases_variants_and_occurrences_by_hand():
    frame = events([
        ("B", "申请", None, 0), ("B", "审批", None, 30), ("B", "申请", None, 50), ("B", "审批", None, 80),
        ("A", "申请", None, 0), ("A", "审批", None, 60),
        ("C", "申请", None, 5), ("C", "审批", None, 65),
    ])
    tables = Tables(frame, completion_only=True, open_cases=frozenset({"C"}))
    cases = tables.cases.sort(CASE)
    assert cases[CASE].to_list() == ["A", "B", "C"]
    assert cases["lead_hours"].to_list() == [1.0, 80 / 60, 1.0]
    assert cases["has_repeat"].to_list() == [False, True, False]
    assert cases["open"].to_list() == [False, False, True]
    # two cases share 申请→审批 (variant 1); B's rework is variant 2
    assert cases["variant_id"].to_list() == [1, 2, 1]
    assert tables.variants.select("variant_id", "cases", "steps").rows() == [(1, 2, 2), (2, 1, 4)]
    assert tables.variants["activities"][1].to_list() == ["申请", "审批", "申请", "审批"]
    occurrence = tables.steps.filter(pl.col(CASE) == "B")["occurrence"].to_list()
    assert occurrence == [1, 1, 2, 2]
    # completion-only durations: previous completion → this completion, none for a first step
    durations = tables.steps.filter(pl.col(CASE) == "B")["duration_hours"].to_list()
    assert durations[0] is None and durations[1:] == pytest.approx([0.5, 20 / 60, 0.5])
    # the open case has no end
    assert tables.end_activities == {"审批": 2}


def test_unsorted_events_are_ordered_once():
    frame = events([("A", "审批", 5, 60), ("B", "申请", 0, 0), ("A", "申请", 0, 0)])
    steps = Tables(frame, completion_only=False).steps
    assert steps.select(CASE, ACTIVITY).rows() == [("A", "申请"), ("A", "审批"), ("B", "申请")]
    assert steps["case_code"].to_list() == [0, 0, 1]


def reference_handoffs(frame: pl.DataFrame) -> tuple[set, dict, set, set]:
    """The rule written out pairwise: every (case, source row, target row), ready per target,
    first rows and last rows."""
    rows = frame.with_columns(pl.coalesce(START, TIMESTAMP).alias("b")).sort(CASE, "b", TIMESTAMP, ROW)
    pairs, ready, firsts, lasts = set(), {}, set(), set()
    for (case,), steps in rows.group_by(CASE):
        s = steps.sort("b", TIMESTAMP, ROW).select("b", TIMESTAMP, ROW).rows()

        def precedes(i: int, j: int) -> bool:
            return i < j and s[i][1] <= s[j][0]

        has_in, has_out = set(), set()
        for j in range(len(s)):
            for i in range(j):
                if precedes(i, j) and not any(precedes(i, k) and precedes(k, j) for k in range(i + 1, j)):
                    pairs.add((case, s[i][2], s[j][2]))
                    ready[s[j][2]] = max(ready.get(s[j][2], s[i][1]), s[i][1])
                    has_in.add(j)
                    has_out.add(i)
        firsts |= {s[j][2] for j in range(len(s)) if j not in has_in}
        lasts |= {s[i][2] for i in range(len(s)) if i not in has_out}
    return pairs, ready, firsts, lasts


@pytest.mark.parametrize("seed", range(12))
def test_handoffs_equal_the_pairwise_definition(seed):
    rng = random.Random(seed)
    rows = []
    for case in range(rng.randint(1, 25)):
        clock = 0
        for _ in range(rng.randint(1, 14)):
            # coarse minutes make ties (equal arrivals, a completion equal to an arrival) common
            arrival = clock + rng.choice([0, 0, 5, 10, 30])
            done = arrival + rng.choice([0, 0, 10, 20, 60, 120])
            instant = rng.random() < 0.25
            rows.append((f"c{case:02d}", rng.choice("ABCDE"), None if instant else arrival, done))
            clock = arrival if rng.random() < 0.5 else done
    rng.shuffle(rows)
    frame = events(rows)
    tables = Tables(frame, completion_only=False)
    pairs, ready, firsts, lasts = reference_handoffs(frame)
    found = tables.handoffs
    assert set(found.select(CASE, "source_row", "target_row").rows()) == pairs
    assert found.height == len(pairs)
    got_ready = dict(zip(found["target_row"].to_list(), found["ready"].to_list()))
    assert got_ready == ready
    assert set(tables.first_steps[ROW].to_list()) == firsts
    assert set(tables.last_steps[ROW].to_list()) == lasts
    # a step opens a block when it arrives no earlier than every earlier step of its case completed
    steps = tables.steps.with_columns(tables.blocks)
    opens = []
    for (_,), case in steps.group_by("case_code", maintain_order=True):
        latest = None
        for begin, end in case.select("begin", "end").rows():
            opens.append(latest is None or begin >= latest)
            latest = end if latest is None else max(latest, end)
    block = steps["block"].to_list()
    assert [i == 0 or block[i] != block[i - 1] for i in range(len(block))] == opens
    # the coded table is the named one without its names; its hours are the named times' differences
    assert tables.handoff_codes.equals(found.select(tables.handoff_codes.columns))
    hours = found.select(((pl.col("target_arrival") - pl.col("ready")).dt.total_seconds() / 3600).alias("h"),
                         ((pl.col("ready") - pl.col("source_end")).dt.total_seconds() / 3600).alias("s"))
    assert found["hours"].to_list() == pytest.approx(hours["h"].to_list())
    assert found["sync_hours"].to_list() == pytest.approx(hours["s"].to_list())
    assert found["source_end"].to_list() == tables.steps["end"].gather(found["source_index"]).to_list()


def test_one_long_case_is_not_quadratic():
    # 20,000 steps of one case, all overlapping in pairs: a pairwise rule would compare
    # 2·10⁸ pairs; the sweep finds the 2-wide chain's hand-offs directly.
    n = 20_000
    rows = [("A", f"S{i % 7}", 10 * (i // 2), 10 * (i // 2) + 5) for i in range(n)]
    tables = Tables(events(rows), completion_only=False)
    # each pair of parallel steps hands over to both steps of the next pair
    assert tables.handoffs.height == 4 * (n // 2 - 1)
    assert tables.start_activities == {"S0": 1, "S1": 1}


@pytest.mark.parametrize("scan_steps", [1, 3, 16])
def test_successors_equal_a_brute_force_search_with_and_without_the_merge(scan_steps, monkeypatch):
    # s(i), the first later step of the case arriving at or after step i completed, found by
    # looking ahead (SCAN_STEPS) and by the merge for what is left: both against a plain loop
    import numpy as np

    from procmine.engine import handoffs

    monkeypatch.setattr(handoffs, "SCAN_STEPS", scan_steps)
    rng = np.random.default_rng(7)
    for trial in range(120):
        lengths = rng.integers(1, 30 if trial % 3 else 5, rng.integers(1, 20))
        case = np.repeat(np.arange(len(lengths)), lengths)
        begin = rng.integers(0, 50, len(case)).astype(np.int64)
        took = rng.integers(0, 30 if trial % 2 else 3, len(case))
        order = np.lexsort((begin + took, begin, case))
        case, begin, end = case[order], begin[order], (begin + took)[order]
        first, _ = handoffs.successor_blocks(case, begin, end)
        ends = handoffs._case_ends(case)
        expected = [next((j for j in range(i + 1, ends[i]) if begin[j] >= end[i]), ends[i]) for i in range(len(case))]
        assert first.tolist() == expected, trial


@pytest.mark.parametrize("activities", [6, 100])  # below 64 activities, cases without a repeat are skipped first
@pytest.mark.parametrize("look_back", [1, 4, 64])
def test_occurrence_by_looking_back_equals_the_sort(look_back, activities, monkeypatch):
    # occurrence (1st, 2nd … time an activity happens in its case) and the first time's position:
    # looking back position by position, with the sort for cases longer than LOOK_BACK, as the sort alone
    import numpy as np

    from procmine.engine import tables

    monkeypatch.setattr(tables, "LOOK_BACK", look_back)
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 12, 500)
    lengths[:3] = [40, 70, 150]  # long cases
    case = np.repeat(np.arange(len(lengths), dtype=np.uint32), lengths)
    pos = (np.arange(len(case)) - np.repeat(np.cumsum(lengths) - lengths, lengths)).astype(np.uint32)
    activity = rng.integers(0, activities, len(case)).astype(np.uint32)
    args = [pl.Series(case), pl.Series(activity), pl.Series(pos)]
    looked, sorted_ = tables._occurrence(*args), tables._occurrence_sorted(*args)
    assert all(a.to_list() == b.to_list() for a, b in zip(looked, sorted_))
    # by hand: case 0's first three steps
    seen = {}
    for i in range(40):
        seen[int(activity[i])] = seen.get(int(activity[i]), 0) + 1
        assert looked[0][i] == seen[int(activity[i])]


def test_reading_and_mapping_a_log_does_not_import_pandas():
    # pandas costs ~0.4 s to import: the CLI and the engine load it only when a DataFrame for pandas is asked for
    import subprocess
    import sys

    from conftest import SAMPLES

    code = ("import sys, procmine.cli, procmine; log = procmine.read_log(sys.argv[1]); procmine.discover(log); "
            "log.tables().variants; print('pandas' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "合同审批.csv")], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("width", [7, 70_000])  # a key of 32 bits, and one of 64 (width² ≥ 2³²)
def test_a_group_by_of_two_codes_as_one_integer_equals_the_group_by_of_both(width):
    import numpy as np

    from procmine.engine.tables import by_pair

    rng = np.random.default_rng(width)
    kinds = min(9, width)  # codes spread up to the width: 0, w/9, 2w/9 … and the five highest
    frame = pl.DataFrame({"a": (rng.integers(0, kinds, 5000) * (width // kinds)).astype(np.uint32),
                          "b": (rng.integers(0, 5, 5000) + (width - 5)).astype(np.uint32),
                          "x": rng.random(5000)})
    figures = [pl.len().alias("n"), pl.col("x").median().alias("m"), pl.col("x").sum().alias("s")]
    got = by_pair(frame, ["a", "b"], width, *figures).sort("a", "b")
    expected = frame.group_by("a", "b").agg(*figures).sort("a", "b")
    assert got.schema == expected.schema
    assert got.equals(expected)
    assert got.height == kinds * 5


def test_one_chunk_joins_each_columns_chunks_and_keeps_names_and_values():
    from procmine.engine.tables import one_chunk

    def chunked(name, *parts):
        return pl.concat([pl.Series(name, part) for part in parts], rechunk=False)

    def columns():
        return [chunked("单据编号", ["A", "B"], ["C"]), chunked("", [1, 2], [3]), chunked("t", ["x"], ["y", "z"])]

    frame = one_chunk(columns())
    assert frame.columns == ["单据编号", "", "t"]  # an empty name stays empty
    assert frame.rows() == [("A", 1, "x"), ("B", 2, "y"), ("C", 3, "z")]
    assert [frame[:, k].n_chunks() for k in range(3)] == [1, 1, 1]
    texts = one_chunk(columns(), text_only=True)  # the number column is left as it was read
    assert texts.rows() == frame.rows() and [texts[:, k].n_chunks() for k in range(3)] == [1, 2, 1]
