"""Synthetic Chinese contract-approval logs of any size, for the scale benchmarks.

    python benchmarks/generate_log.py --events 1_000_000 --shape approval --out /tmp/approval_1m.csv
    python benchmarks/generate_log.py --events 10_000_000 --shape oa --format parquet --out /tmp/oa_10m.parquet
    python benchmarks/generate_log.py --events 100_000_000 --shape oa --format parquet --out /tmp/oa_100m.parquet

Two shapes of export:

* ``approval``: one completion time per event; columns 单据编号, 审批节点, 处理人, 所属部门,
  处理时间, 审批结果, 合同金额(元).
* ``oa``: the same plus 到达时间 (when the step reached the approver's inbox), so parallel steps
  show: 财务审核 and 法务审核 arrive at once and overlap.

The process (12 activities, about 7.2 events per case, a few dozen variants): 提交申请 →
部门经理审批 (sent back for 修改合同 and round again in ~20 % of cases, a few withdrawn with
撤回申请, ~4 % rejected) → 财务审核 alone for small contracts, 财务审核 ‖ 法务审核 in parallel
above 100,000 元, then 风控审核 above 1,000,000 元 (法务审核 sends ~10 % back to 修改合同) →
分管副总审批 / 总经理审批 (rejects ~6 %) / 董事长审批 by amount → 合同盖章 → 合同归档.

Everything is vectorised (numpy + polars, no loop over events or cases) and generated in
chunks of a fixed number of cases, each with its own seeded generator: the same ``--seed``
and ``--events`` give the same file, and a 100M-event Parquet file is written one row group
per chunk, so the generator never holds more than one chunk (~7.2M events) in memory.
Events are sorted by case, then completion time, as OA exports are. Times are naive local
time (Asia/Shanghai), calendar time with no working-hours model; step durations are
lognormal in seconds, so no two events of a case share a completion time.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

SHAPES = ("approval", "oa")
#: Cases per chunk: fixed (not derived from the size) so a seed gives the same cases at any size.
CASES_PER_CHUNK = 1_000_000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

CASE_COL, ACTIVITY_COL, RESOURCE_COL, DEPARTMENT_COL = "单据编号", "审批节点", "处理人", "所属部门"
ARRIVAL_COL, COMPLETION_COL, OUTCOME_COL, AMOUNT_COL = "到达时间", "处理时间", "审批结果", "合同金额(元)"

# --- the process ------------------------------------------------------------------------
ACTIVITIES = ("提交申请", "部门经理审批", "修改合同", "撤回申请", "财务审核", "法务审核", "风控审核",
              "分管副总审批", "总经理审批", "董事长审批", "合同盖章", "合同归档")
SUBMIT, MANAGER, REVISE, WITHDRAW, FINANCE, LEGAL, RISK, VP, GM, CHAIR, SEAL, ARCHIVE = range(len(ACTIVITIES))
#: Steps done by the applicant or their manager take the case's department; others their own.
APPLICANT_STEPS, MANAGER_STEPS = (SUBMIT, REVISE, WITHDRAW), (MANAGER,)
#: Median step duration in hours and lognormal sigma (提交申请 is an instant).
STEP_HOURS = {SUBMIT: (0, 0), MANAGER: (4, 1.0), REVISE: (20, 0.8), WITHDRAW: (8, 1.0), FINANCE: (16, 0.9),
              LEGAL: (30, 0.9), RISK: (24, 0.8), VP: (10, 1.0), GM: (40, 1.0), CHAIR: (48, 0.9),
              SEAL: (6, 0.7), ARCHIVE: (2, 0.7)}
MIN_STEP_SECONDS = 60

OUTCOMES = ("提交", "同意", "退回", "驳回", "撤回", "已盖章", "已归档")
SUBMITTED, AGREED, SENT_BACK, REJECTED, WITHDRAWN, SEALED, ARCHIVED = range(len(OUTCOMES))

DEPARTMENTS = ("销售部", "采购部", "研发部", "市场部", "生产部", "行政部", "财务部", "法务部", "风控部", "总经办")
(SALES, PURCHASING, RND, MARKETING, PRODUCTION, ADMIN, FINANCE_DEPT, LEGAL_DEPT, RISK_DEPT,
 BOARD) = range(len(DEPARTMENTS))
APPLYING_DEPARTMENTS = np.array([SALES, PURCHASING, RND, MARKETING, PRODUCTION, ADMIN])
APPLYING_SHARE = np.array([0.30, 0.22, 0.15, 0.13, 0.12, 0.08])
APPLICANTS_PER_DEPARTMENT, MANAGERS_PER_DEPARTMENT = 40, 2
#: Activity → (department, number of people) for steps done by a central function.
CENTRAL_STEPS = {FINANCE: (FINANCE_DEPT, 6), LEGAL: (LEGAL_DEPT, 3), RISK: (RISK_DEPT, 2), VP: (BOARD, 3),
                 GM: (BOARD, 1), CHAIR: (BOARD, 1), SEAL: (ADMIN, 2), ARCHIVE: (ADMIN, 2)}

#: Contract classes by amount (元): share of cases and amount range.
AMOUNT_CLASSES = ((0.35, 5_000, 100_000), (0.40, 100_000, 1_000_000), (0.20, 1_000_000, 5_000_000),
                  (0.05, 5_000_000, 50_000_000))

FIRST_DAY = np.datetime64("2024-01-02")
PERIOD_DAYS = 700  # submissions up to late 2025: every case ends inside the Chinese calendar's years

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_NAMES = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
               "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "文博", "子涵", "雨萱", "浩然",
               "思远", "嘉怡", "俊杰", "欣怡", "宇航", "梓萱")


# --- variants: every combination of the process's choices, merged where they coincide ---------
@dataclass(frozen=True)
class Step:
    activity: int
    outcome: int
    parallel: bool = False  # arrives together with the step before it (财务审核 ‖ 法务审核)


def _review(amount_class: int, legal_sends_back: bool) -> list[Step]:
    if amount_class == 0:
        return [Step(FINANCE, AGREED)]
    steps = [Step(FINANCE, AGREED), Step(LEGAL, SENT_BACK if legal_sends_back else AGREED, parallel=True)]
    return steps + ([Step(RISK, AGREED)] if amount_class >= 2 and not legal_sends_back else [])


def _variant(amount_class: int, send_backs: int, withdrawn: bool, manager_rejects: bool, legal_sends_back: bool,
             gm_rejects: bool) -> list[Step]:
    steps = [Step(SUBMIT, SUBMITTED)]
    for _ in range(send_backs):
        steps += [Step(MANAGER, SENT_BACK), Step(REVISE, SUBMITTED)]
    if withdrawn:  # the applicant gives up after the last send-back
        return steps[:-1] + [Step(WITHDRAW, WITHDRAWN)]
    if manager_rejects:
        return steps + [Step(MANAGER, REJECTED)]
    steps.append(Step(MANAGER, AGREED))
    if legal_sends_back:
        steps += _review(amount_class, True) + [Step(REVISE, SUBMITTED), Step(MANAGER, AGREED)]
    steps += _review(amount_class, False)
    if amount_class >= 1:
        steps.append(Step(VP, AGREED))
    if amount_class >= 2:
        steps.append(Step(GM, REJECTED if gm_rejects else AGREED))
        if gm_rejects:
            return steps
    if amount_class >= 3:
        steps.append(Step(CHAIR, AGREED))
    return steps + [Step(SEAL, SEALED), Step(ARCHIVE, ARCHIVED)]


@dataclass
class VariantTable:
    """The variants flattened into arrays, for gathering by case."""

    probability: np.ndarray  # (variants,)
    amount_class: np.ndarray  # (variants,)
    offset: np.ndarray  # (variants,) first step in the flat arrays
    length: np.ndarray  # (variants,)
    activity: np.ndarray  # (steps,)
    outcome: np.ndarray
    parallel: np.ndarray

    @property
    def mean_events(self) -> float:
        return float(self.probability @ self.length)


def variant_table() -> VariantTable:
    """Every template variant with its probability (identical step lists merged)."""
    merged: dict[tuple[int, tuple[Step, ...]], float] = {}
    choices = itertools.product(range(len(AMOUNT_CLASSES)), (0, 1, 2), (False, True), (False, True), (False, True),
                                (False, True))
    for amount_class, send_backs, withdrawn, manager_rejects, legal_sends_back, gm_rejects in choices:
        p = AMOUNT_CLASSES[amount_class][0] * (0.80, 0.16, 0.04)[send_backs]
        p *= (0.12 if withdrawn else 0.88) if send_backs else (0.0 if withdrawn else 1.0)
        p *= 0.04 if manager_rejects else 0.96
        p *= (0.10 if legal_sends_back else 0.90) if amount_class >= 1 else (0.0 if legal_sends_back else 1.0)
        p *= (0.06 if gm_rejects else 0.94) if amount_class >= 2 else (0.0 if gm_rejects else 1.0)
        if p == 0:
            continue
        key = (amount_class, tuple(_variant(amount_class, send_backs, withdrawn, manager_rejects, legal_sends_back,
                                            gm_rejects)))
        merged[key] = merged.get(key, 0.0) + p
    keys = sorted(merged, key=lambda k: -merged[k])
    lengths = np.array([len(steps) for _, steps in keys])
    flat = [step for _, steps in keys for step in steps]
    probability = np.array([merged[k] for k in keys])
    return VariantTable(
        probability=probability / probability.sum(),
        amount_class=np.array([c for c, _ in keys]),
        offset=np.concatenate([[0], np.cumsum(lengths)[:-1]]),
        length=lengths,
        activity=np.array([s.activity for s in flat], dtype=np.int8),
        outcome=np.array([s.outcome for s in flat], dtype=np.int8),
        parallel=np.array([s.parallel for s in flat]),
    )


# --- people ----------------------------------------------------------------------------------
def _people() -> tuple[list[str], dict]:
    """Distinct names, and where each pool of people starts in that list."""
    # surname and given name cycle at different lengths, so neighbours in a pool differ in both
    names = [SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[i % len(GIVEN_NAMES)]
             for i in range(math.lcm(len(SURNAMES), len(GIVEN_NAMES)))]
    pools, used = {}, 0
    for department in APPLYING_DEPARTMENTS:
        pools[("applicant", int(department))] = (used, APPLICANTS_PER_DEPARTMENT)
        used += APPLICANTS_PER_DEPARTMENT
        pools[("manager", int(department))] = (used, MANAGERS_PER_DEPARTMENT)
        used += MANAGERS_PER_DEPARTMENT
    for activity, (_, size) in CENTRAL_STEPS.items():
        pools[("central", activity)] = (used, size)
        used += size
    assert used <= len(names)
    return names[:used], pools


# --- one chunk of cases ------------------------------------------------------------------------
def _chunk(first_case: int, cases: int, total_cases: int, shape: str, seed: int, variants: VariantTable,
           names: pl.Series, pools: dict) -> pl.DataFrame:
    rng = np.random.default_rng([seed, first_case])
    case_index = np.arange(first_case, first_case + cases)

    variant = rng.choice(len(variants.probability), size=cases, p=variants.probability)
    length = variants.length[variant]
    amount_class = variants.amount_class[variant]
    low = np.array([c[1] for c in AMOUNT_CLASSES])[amount_class]
    high = np.array([c[2] for c in AMOUNT_CLASSES])[amount_class]
    amount = np.round(low * np.exp(rng.random(cases) * np.log(high / low)), -2)  # log-uniform, whole hundreds

    department = rng.choice(APPLYING_DEPARTMENTS, size=cases, p=APPLYING_SHARE)
    applicant_base = np.zeros(len(DEPARTMENTS), dtype=np.int64)
    manager_base = np.zeros(len(DEPARTMENTS), dtype=np.int64)
    for d in APPLYING_DEPARTMENTS:
        applicant_base[d] = pools[("applicant", int(d))][0]
        manager_base[d] = pools[("manager", int(d))][0]
    applicant = applicant_base[department] + rng.integers(0, APPLICANTS_PER_DEPARTMENT, cases)

    # Submissions spread evenly over the period in case-number order, on working days 08:30–17:30.
    slot = (case_index + rng.random(cases)) / total_cases * PERIOD_DAYS
    day = FIRST_DAY + slot.astype(np.int64).astype("timedelta64[D]")
    weekday = (day.astype(np.int64) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    day = day + np.where(weekday >= 5, 7 - weekday, 0).astype("timedelta64[D]")
    submitted = day.astype("datetime64[s]").astype(np.int64) + 30_600 + rng.integers(0, 9 * 3600, cases)

    # Events: each case's steps gathered from its variant.
    events = int(length.sum())
    case_of_event = np.repeat(np.arange(cases), length)
    case_first_event = np.concatenate([[0], np.cumsum(length)[:-1]])
    position = np.arange(events) - case_first_event[case_of_event]
    step = variants.offset[variant][case_of_event] + position
    activity = variants.activity[step].astype(np.int64)
    outcome = variants.outcome[step]
    parallel = variants.parallel[step]

    median_seconds = np.array([STEP_HOURS[a][0] * 3600 for a in range(len(ACTIVITIES))], dtype=float)
    sigma = np.array([STEP_HOURS[a][1] for a in range(len(ACTIVITIES))])
    duration = np.rint(median_seconds[activity] * np.exp(sigma[activity] * rng.standard_normal(events)))
    duration = np.where(activity == SUBMIT, 0, np.maximum(duration, MIN_STEP_SECONDS)).astype(np.int64)
    # parallel siblings never complete in the same second (the file order would be ambiguous)
    same = parallel & (duration == np.roll(duration, 1))
    duration = duration + same

    # A stage is a step with the parallel steps that arrived with it; the next stage arrives
    # when the slowest of them completes.
    new_stage = ~parallel
    stage_of_event = np.cumsum(new_stage) - 1
    stage_first_event = np.flatnonzero(new_stage)
    stage_duration = np.maximum.reduceat(duration, stage_first_event)
    stage_case = case_of_event[stage_first_event]
    stage_end = np.cumsum(stage_duration)
    case_stage_start = np.searchsorted(stage_case, np.arange(cases))
    before_case = np.concatenate([[0], stage_end])[case_stage_start]  # stage time used by earlier cases
    stage_arrival = submitted[stage_case] + (stage_end - stage_duration) - before_case[stage_case]
    arrival = stage_arrival[stage_of_event]
    completion = arrival + duration

    # Sort each parallel pair by completion time, as exports list events.
    order = np.arange(events)
    swap = np.flatnonzero(parallel & (completion < np.roll(completion, 1)))
    order[swap], order[swap - 1] = swap - 1, swap

    # Who did it: the applicant, their manager, or someone from a central function.
    pick = rng.random(events)
    central_base = np.zeros(len(ACTIVITIES), dtype=np.int64)
    central_size = np.ones(len(ACTIVITIES), dtype=np.int64)
    central_department = np.zeros(len(ACTIVITIES), dtype=np.int64)
    for a, (dept, size) in CENTRAL_STEPS.items():
        central_base[a], central_size[a], central_department[a] = pools[("central", a)][0], size, dept
    event_department = department[case_of_event]
    is_applicant = np.isin(activity, APPLICANT_STEPS)
    is_manager = np.isin(activity, MANAGER_STEPS)
    person = np.where(
        is_applicant, applicant[case_of_event],
        np.where(is_manager, manager_base[event_department] + (pick * MANAGERS_PER_DEPARTMENT).astype(np.int64),
                 central_base[activity] + (pick * central_size[activity]).astype(np.int64)))
    person_department = np.where(is_applicant | is_manager, event_department, central_department[activity])

    frame = pl.DataFrame({
        CASE_COL: pl.Series(case_index[case_of_event][order] + 1, dtype=pl.Int64),
        ACTIVITY_COL: pl.Series(activity[order], dtype=pl.UInt32),
        RESOURCE_COL: pl.Series(person[order], dtype=pl.UInt32),
        DEPARTMENT_COL: pl.Series(person_department[order], dtype=pl.UInt32),
        ARRIVAL_COL: pl.Series(arrival[order] * 1_000_000, dtype=pl.Int64),
        COMPLETION_COL: pl.Series(completion[order] * 1_000_000, dtype=pl.Int64),
        OUTCOME_COL: pl.Series(outcome[order], dtype=pl.UInt32),
        AMOUNT_COL: pl.Series(amount[case_of_event][order], dtype=pl.Float64),
    })
    labels = {ACTIVITY_COL: pl.Series(ACTIVITIES), RESOURCE_COL: names, DEPARTMENT_COL: pl.Series(DEPARTMENTS),
              OUTCOME_COL: pl.Series(OUTCOMES)}
    columns = [CASE_COL, ACTIVITY_COL, RESOURCE_COL, DEPARTMENT_COL] + ([ARRIVAL_COL] if shape == "oa" else []) + [
        COMPLETION_COL, OUTCOME_COL, AMOUNT_COL]
    return frame.with_columns(
        (pl.lit("HT") + pl.col(CASE_COL).cast(pl.String).str.zfill(9)).alias(CASE_COL),
        *[pl.lit(values).gather(pl.col(column)).alias(column) for column, values in labels.items()],
        pl.col(ARRIVAL_COL).cast(pl.Datetime("us")),
        pl.col(COMPLETION_COL).cast(pl.Datetime("us")),
    ).select(columns)


def generate(events: int, shape: str = "oa", seed: int = 2025) -> Iterator[pl.DataFrame]:
    """The log as chunks of whole cases (about ``events`` events in all), in case order.

    >>> sum(chunk.height for chunk in generate(10_000, "approval"))   # doctest: +SKIP
    10107
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, not {shape!r}")
    variants = variant_table()
    total_cases = max(1, round(events / variants.mean_events))
    name_list, pools = _people()
    names = pl.Series(name_list)
    for first_case in range(0, total_cases, CASES_PER_CHUNK):
        cases = min(CASES_PER_CHUNK, total_cases - first_case)
        yield _chunk(first_case, cases, total_cases, shape, seed, variants, names, pools)


def write_log(events: int, out: Path, *, shape: str = "oa", file_format: str | None = None, seed: int = 2025
              ) -> dict[str, int]:
    """Write the log to ``out`` (CSV, UTF-8, or Parquet, one row group per chunk); counts written."""
    file_format = file_format or ("parquet" if out.suffix in (".parquet", ".pq") else "csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = cases = 0
    if file_format == "parquet":
        import pyarrow.parquet as pq

        writer = None
        try:
            for chunk in generate(events, shape, seed):
                table = chunk.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(out, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=table.num_rows)
                rows, cases = rows + chunk.height, cases + chunk[CASE_COL].n_unique()
        finally:
            if writer is not None:
                writer.close()
    elif file_format == "csv":
        with out.open("wb") as handle:
            for number, chunk in enumerate(generate(events, shape, seed)):
                chunk.write_csv(handle, include_header=number == 0, datetime_format=TIME_FORMAT, float_precision=2)
                rows, cases = rows + chunk.height, cases + chunk[CASE_COL].n_unique()
    else:
        raise ValueError(f"format must be csv or parquet, not {file_format!r}")
    return {"events": rows, "cases": cases}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=lambda s: int(float(s.replace("_", ""))), default=1_000_000,
                        help="about how many events (1e6, 10_000_000 …); whole cases are generated")
    parser.add_argument("--shape", choices=SHAPES, default="oa")
    parser.add_argument("--format", choices=("csv", "parquet", "both"),
                        help="default: from the --out suffix (.parquet → Parquet, else CSV)")
    parser.add_argument("--out", type=Path, help="the file to write (required unless --describe)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--describe", action="store_true", help="print the variants and exit")
    args = parser.parse_args(argv)
    if args.describe:
        table = variant_table()
        print(f"{len(table.probability)} templates (activity, outcome and amount class), "
              f"{table.mean_events:.2f} events per case on average")
        by_sequence: dict[str, float] = {}
        for v in range(len(table.probability)):
            steps = table.activity[table.offset[v]:table.offset[v] + table.length[v]]
            sequence = " → ".join(ACTIVITIES[a] for a in steps)
            by_sequence[sequence] = by_sequence.get(sequence, 0.0) + table.probability[v]
        print(f"{len(by_sequence)} activity sequences (the approval shape also orders each parallel pair "
              "by completion, which doubles the sequences with both 财务审核 and 法务审核):")
        for sequence, p in sorted(by_sequence.items(), key=lambda item: -item[1]):
            print(f"  {p:6.2%}  {sequence}")
        return
    if args.out is None:
        parser.error("--out is required")
    formats = ["csv", "parquet"] if args.format == "both" else [args.format]
    for file_format in formats:
        out = args.out if args.format != "both" else args.out.with_suffix(f".{file_format}")
        started = time.perf_counter()
        counts = write_log(args.events, out, shape=args.shape, file_format=file_format, seed=args.seed)
        print(f"{out}: {counts['events']:,} events, {counts['cases']:,} cases, {args.shape} shape, "
              f"{out.stat().st_size / 2**20:,.0f} MiB, {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
