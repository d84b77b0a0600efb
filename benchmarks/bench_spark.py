"""The Spark engine in local mode against the default engine: discover's and kpi's aggregates.

    python benchmarks/generate_log.py --events 1e6 --shape approval --format parquet --out /tmp/approval_1m.parquet
    python benchmarks/bench_spark.py /tmp/approval_1m.parquet --master 'local[2]'
    python benchmarks/bench_spark.py /tmp/approval_1m.parquet --explain      # the physical plan (docs/spark.md)

Prints, for each engine, the seconds to read the log and to build the map's and the KPIs'
aggregates (working time under the Chinese calendar), the driver's peak memory, and whether
the figures agree (counts exactly; medians to the 4 decimals the JSON keeps). The Spark run
starts its session first (timed apart: a cluster keeps one open).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from pathlib import Path


def _run_engine(read, calendar):
    """Read a log with ``read`` and compute its map and KPIs: (log, map, kpis, (read s, discover s, kpi s))."""
    import procmine

    started = time.perf_counter()
    log = read()
    if hasattr(log, "events_read"):
        log.events_read  # noqa: B018  (Spark's reading pass: rows counted, labels merged)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    process_map = procmine.discover(log, calendar=calendar)
    map_s = time.perf_counter() - started
    started = time.perf_counter()
    kpi = procmine.kpis(log, target="3wd", calendar=calendar)
    return log, process_map, kpi, (read_s, map_s, time.perf_counter() - started)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _differences(a, b, where="") -> list[str]:
    if isinstance(b, dict):
        if not isinstance(a, dict) or a.keys() != b.keys():
            return [f"{where}: keys differ"]
        return [d for k in b for d in _differences(a[k], b[k], f"{where}.{k}")]
    if isinstance(b, list):
        if not isinstance(a, list) or len(a) != len(b):
            return [f"{where}: {len(a) if isinstance(a, list) else a!r} items, not {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{where}[{i}]")]
    if isinstance(b, float) and isinstance(a, (int, float)):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1.01e-4) else [f"{where}: {a} != {b}"]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="a Parquet (or CSV) log, e.g. from benchmarks/generate_log.py")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--skip-default", action="store_true", help="Spark only (a log too large for one machine)")
    parser.add_argument("--approx", action="store_true", help="percentile_approx instead of exact medians")
    parser.add_argument("--explain", action="store_true", help="print the plan of the steps table and exit")
    args = parser.parse_args()

    import procmine
    from procmine.calendar import Calendar
    from procmine.engine.spark import read_spark_log, spark_session

    calendar = Calendar()
    started = time.perf_counter()
    spark = spark_session(args.master)
    session_s = time.perf_counter() - started
    if args.explain:
        from procmine.engine.spark import explain

        print(explain(read_spark_log(str(args.log), spark=spark, exact=not args.approx), calendar=calendar))
        return 0
    rows = []
    on_spark, spark_map, spark_kpi, seconds = _run_engine(
        lambda: read_spark_log(str(args.log), spark=spark, exact=not args.approx), calendar)
    rows.append(("spark " + args.master, *seconds, _peak_mb()))
    print(f"Spark session start: {session_s:.1f} s; {on_spark.quality.rows_read:,} rows read, {spark_map.events:,} events, "
          f"{spark_map.cases:,} cases", flush=True)

    agree = "not compared (--skip-default)"
    if not args.skip_default:
        _log, default_map, default_kpi, seconds = _run_engine(lambda: procmine.read_log(args.log), calendar)
        rows.append(("default (polars)", *seconds, _peak_mb()))
        problems = (_differences(json.loads(spark_map.to_json()), json.loads(default_map.to_json()), "map")
                    + _differences(json.loads(spark_kpi.to_json()), json.loads(default_kpi.to_json()), "kpi"))
        agree = "equal" if not problems else f"{len(problems)} differences: " + "; ".join(problems[:5])

    print(f"{'engine':<20} {'read s':>8} {'discover s':>11} {'kpi s':>7} {'peak MB (driver)':>17}")
    for name, read_s, map_s, kpi_s, peak in rows:
        print(f"{name:<20} {read_s:>8.1f} {map_s:>11.1f} {kpi_s:>7.1f} {peak:>17,.0f}")
    print(f"process_map.json and kpi.json figures: {agree}")
    print("(peak MB is the Python process's; Spark's JVM runs beside it, sized by spark.driver.memory)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
