"""How long `Calendar.working_hours` takes on many start/end pairs.

    python benchmarks/bench_calendar.py                 # 1,000,000 pairs over 2024–2026
    python benchmarks/bench_calendar.py --pairs 5000000

Random tz-aware (Asia/Shanghai) starts with waits of up to 30 days. Prints figures; asserts
nothing (speed goals are not tests).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from procmine.calendar import Calendar, cn_coverage

    rng = np.random.default_rng(7)
    first = np.datetime64("2024-01-01T00:00:00", "us").astype(np.int64)
    span = 3 * 365 * 86_400_000_000 - 31 * 86_400_000_000
    start_us = first + rng.integers(0, span, args.pairs)
    end_us = start_us + rng.integers(0, 30 * 86_400_000_000, args.pairs)
    start = pl.Series("start", start_us).cast(pl.Datetime("us")).dt.replace_time_zone("Asia/Shanghai")
    end = pl.Series("end", end_us).cast(pl.Datetime("us")).dt.replace_time_zone("Asia/Shanghai")

    started = time.perf_counter()
    years = cn_coverage()
    print(f"  chinese-calendar coverage scan   {time.perf_counter() - started:7.3f} s  ({years[0]}–{years[-1]})")

    for kind in ("cn", "weekdays", "none"):
        calendar = Calendar(kind=kind)
        started = time.perf_counter()
        calendar.working_hours(start, end)  # first call also fills the per-year caches
        cold = time.perf_counter() - started
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = calendar.working_hours(start, end)
            times.append(time.perf_counter() - started)
        print(
            f"  {kind:<9} {args.pairs:>9,} pairs   first {cold:6.3f} s   best of {args.repeat} "
            f"{min(times):6.3f} s   (mean {result.mean():.1f} h)"
        )


if __name__ == "__main__":
    main()
