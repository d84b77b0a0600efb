"""How long `procmine discover` takes on a large OA log, stage by stage.

    python benchmarks/bench_discover.py               # ~1M events (150,000 contract cases)
    python benchmarks/bench_discover.py --cases 20000

Generates the log with the sample simulator into a temporary folder (nothing is written to
the repository), then times reading, discovery, the flowchart, the BPMN model and the whole
CLI run. Prints figures; asserts nothing (speed goals are not tests).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, func):
    started = time.perf_counter()
    result = func()
    print(f"  {label:<28} {time.perf_counter() - started:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150_000)
    args = parser.parse_args()

    import procmine

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        timed("generate log", lambda: subprocess.run(
            [sys.executable, str(ROOT / "sample_logs" / "simulate.py"), "--only", "contract",
             "--cases", str(args.cases), "--out", tmp], check=True, capture_output=True))
        path = tmp_path / "合同审批.csv"
        print(f"log: {path.stat().st_size / 1e6:.0f} MB, GBK CSV, {args.cases:,} cases")
        log = timed("read_log", lambda: procmine.read_log(path))
        print(f"  → {len(log):,} events, {log.summary().variants:,} variants")
        pmap = timed("discover (process map)", lambda: procmine.discover(log))
        timed("flowchart PNG", lambda: pmap.save(tmp_path / "f.png"))
        timed("flowchart SVG", lambda: pmap.save(tmp_path / "f.svg"))
        timed("BPMN (inductive miner)", lambda: procmine.discover_bpmn(log).save(tmp_path / "m.bpmn"))
        timed("CLI procmine discover (total)", lambda: subprocess.run(
            [sys.executable, "-m", "procmine.cli", "-q", "discover", str(path), "-o", str(tmp_path / "out")],
            check=True, capture_output=True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
