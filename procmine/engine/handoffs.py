"""Hand-offs: which step follows which in each case, honouring steps that ran in parallel.

Each step ``i`` is an interval [b_i, c_i] (arrival → completion; a step without an arrival
time is the instant [c_i, c_i]). Steps are ordered within a case by (b, c, file row). Step
``i`` *precedes* ``j`` when ``i`` comes first in that order and completed no later than ``j``
arrived (c_i ≤ b_j). A hand-off ``i → j`` is a direct precedence: no ``k`` with i ≺ k ≺ j.

* With one time per step this is the plain "directly follows" relation (consecutive events),
  the same as pm4py's DFG.
* Two steps whose intervals overlap (legal and finance review both waiting at once) precede
  neither one another: they are drawn side by side, each handed over from the step before
  them and each handing over to the step after them.
* The hand-off time into a step is measured from the moment it was ready: the completion of
  the last of its direct predecessors. With a parallel split that is the slower branch; the
  faster branch's extra wait is synchronisation (``sync_hours``), not hand-off.

How it is computed, without comparing steps pairwise (a case of 200,000 steps costs what
200,000 short cases cost). Because arrivals are sorted, the steps ``i`` precedes are exactly
those from ``s(i)`` on, where ``s(i)`` is the first later step arriving at or after ``i``
completed. ``j ≥ s(i)`` is a *direct* successor unless some ``k`` in ``[s(i), j)`` also
precedes ``j``, that is unless ``s(k) ≤ j``. So the direct successors of ``i`` are the
contiguous block ``[s(i), e(s(i)))`` with ``e(p) = min(s(k) for k ≥ p)``, a suffix minimum.
``s`` is one merge of the completions into the sorted arrivals; everything else is a scan.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def successor_blocks(case_code: np.ndarray, begin_us: np.ndarray, end_us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For steps sorted by (case, begin, end, row): each step's block of direct successors.

    Returns ``(first, stop)``: step ``i`` hands over to the steps ``first[i] … stop[i] - 1``
    (global positions, unsigned 32-bit integers up to 4 billion steps: half the memory to write
    and read of 64 bits); ``first[i] == stop[i]`` when it hands over to none (a last step).
    """
    n = len(case_code)
    position = index_type(n)
    if n == 0:
        empty = np.zeros(0, dtype=position)
        return empty, empty
    case_end = _case_ends(case_code, position)
    # Where the next step of the case arrives at or after a step completed, s(i) is simply
    # i + 1 (arrivals are sorted). Only cases with some overlap need the merge below.
    overlaps = case_code[1:] == case_code[:-1]
    overlaps &= begin_us[1:] < end_us[:-1]
    first = np.arange(1, n + 1, dtype=position)
    np.minimum(first, case_end, out=first)
    chosen = np.flatnonzero(overlaps)  # only these steps i have s(i) beyond i + 1
    del overlaps
    if chosen.size:
        # s(i) is a few steps on in most cases: look ahead step by step, and merge only the steps
        # still unresolved after SCAN_STEPS (a long case whose steps all overlap)
        found, left = _scanned_successors(begin_us, end_us, chosen, case_end)
        first[chosen] = found
        if left.size:
            left_cases = np.zeros(int(case_code.max()) + 1, dtype=bool)
            left_cases[case_code[left]] = True
            rest = np.flatnonzero(left_cases[case_code])
            first[rest] = _merged_successors(case_code[rest], begin_us[rest], end_us[rest], rest, n, case_end[rest])
    # e(p) = min(s(k) for k ≥ p): a later case's s(k) exceeds this case's end, so one global
    # suffix minimum never mixes cases.
    suffix_min = np.minimum.accumulate(first[::-1])[::-1]
    # stop = e(s(i)) where s(i) is in the case, else s(i) (the case's end: no successor)
    stop = np.minimum(first, n - 1)
    np.take(suffix_min, stop, out=stop, mode="clip")  # (in range: clip spares the copy "raise" makes)
    del suffix_min
    np.copyto(stop, first, where=first >= case_end)
    return first, stop


def index_type(n: int) -> type:
    """The integer type of positions among ``n`` steps (polars' own index type, UInt32, while they fit)."""
    return np.uint32 if n < np.iinfo(np.uint32).max else np.int64


#: Steps looked ahead, one at a time, before the merge takes over.
SCAN_STEPS = 16


def _scanned_successors(begin_us, end_us, chosen, case_end) -> tuple[np.ndarray, np.ndarray]:
    """s(i) for the ``chosen`` steps by looking ahead: the first later step of the case arriving at
    or after step i completed (arrivals are sorted, so the first found is s(i)), or the case's end.
    Returns s for each chosen step and the positions of those not resolved within
    :data:`SCAN_STEPS` (their value in the first array is then meaningless)."""
    found = np.empty(len(chosen), dtype=np.int64)
    active = np.arange(len(chosen))  # positions in ``chosen`` still looking
    for k in range(1, SCAN_STEPS + 1):
        steps = chosen[active]
        ahead = steps + k
        past = ahead >= case_end[steps]
        done = past | (begin_us[np.minimum(ahead, len(begin_us) - 1)] >= end_us[steps])
        found[active[done]] = np.where(past[done], case_end[steps[done]], ahead[done])
        active = active[~done]
        if not active.size:
            break
    return found, chosen[active]


def _merged_successors(case_code, begin_us, end_us, index, n, case_end) -> np.ndarray:
    """s(i) for the given steps (all steps of their cases): merge the completions into the
    arrivals; at equal times a completion sorts first, so "arrives at or after it completed"
    includes equality."""
    m = len(index)
    merged = pl.DataFrame({
        "case": np.concatenate([case_code, case_code]),
        "time": np.concatenate([end_us, begin_us]),
        "kind": np.concatenate([np.zeros(m, dtype=np.int8), np.ones(m, dtype=np.int8)]),
        "index": np.concatenate([index, index]),
    }).sort(["case", "time", "kind"], maintain_order=True)
    arrival = pl.when(pl.col("kind") == 1).then(pl.col("index"))
    after = (merged.with_columns(arrival.fill_null(strategy="backward").fill_null(n).alias("next_arrival"))
             .filter(pl.col("kind") == 0).sort("index")["next_arrival"].to_numpy())
    return np.minimum(np.maximum(index + 1, after), case_end)


def handoff_pairs(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (source, target) pair of global step positions, sources in order (positions of
    :func:`index_type`)."""
    counts = stop - first
    total = int(counts.sum(dtype=np.int64))
    position = np.result_type(index_type(len(first)), index_type(total))
    sources = np.repeat(np.arange(len(first), dtype=position), counts)
    # a target is its source's first successor plus its rank among them
    starts = np.cumsum(counts, dtype=position)
    starts -= counts
    targets = np.arange(total, dtype=position)
    targets -= np.repeat(starts, counts)
    del starts
    targets += np.repeat(first.astype(position, copy=False), counts)
    return sources, targets


def _case_ends(case_code: np.ndarray, position: type = np.int64) -> np.ndarray:
    """For each step, the global position just past its case's last step."""
    n = len(case_code)
    ends = np.flatnonzero(case_code[1:] != case_code[:-1]).astype(position)
    ends += 1
    ends = np.append(ends, position(n))
    sizes = np.diff(ends, prepend=position(0))
    return np.repeat(ends, sizes)
