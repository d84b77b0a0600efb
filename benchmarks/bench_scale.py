"""Scale: procmine against pm4py (on pandas and on polars) and a plain polars floor, 1M–100M events.

    python benchmarks/bench_scale.py                         # 1M, 3M, 10M events; approval and oa shapes
    python benchmarks/bench_scale.py --sizes 1e6 --repeat 3
    python benchmarks/bench_scale.py --sizes 1e5,1e6 --shapes approval --tools discover,pm4py-pandas,polars-floor
    python benchmarks/bench_scale.py --sizes 1e6 --huge      # + 100M events from Parquet: discover and kpi

Logs come from ``benchmarks/generate_log.py`` (kept in ``--workdir`` and reused). For each
size and shape every tool runs in its own subprocess, tools alternating within each repeat,
so a figure is one run's own cost:

* ``discover``      ``procmine discover LOG -o DIR --json``: read, map, flowchart PNG + SVG, BPMN.
* ``kpi``, ``bottlenecks``, ``loops``, ``improve``: each analysis command end to end.
* ``pm4py-pandas``  pandas.read_csv → pm4py.format_dataframe → discover_dfg,
  discover_performance_dfg, get_variants, get_all_case_durations, discover_petri_net_inductive
  (IMf, noise 0.1, stopped after ``--miner-timeout`` seconds).
* ``pm4py-polars``  the same pm4py calls on a polars LazyFrame (read once, formatted once).
* ``polars-floor``  one lazy polars query: sort by case and time, DFG counts, start and end
  activities, variants and case durations. No tool can do the same work for less.

Each run prints wall seconds, CPU seconds (user + sys of the child and its children, from
``os.wait4``) and peak resident memory in GiB (the child's ``ru_maxrss``); with ``--repeat``
the medians. A watchdog stops a run above ``--max-rss`` GiB or ``--timeout`` seconds, so
an out-of-memory run is reported, not fatal to a shared machine.

Correctness is asserted, not speed: procmine's process_map.json (hand-off counts, start and
end activities; on the approval shape, whose one time per event makes procmine's hand-offs
pm4py's directly-follows relation) and its variant count and median lead time must equal
pm4py's and the polars floor's. pm4py's case durations are checked against the floor's own
(pandas 3 keeps microsecond timestamps, and a unit slip there shows as a factor of 1000).
The benchmark exits with code 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate_log.py"

CASE_COL, ACTIVITY_COL, COMPLETION_COL = "单据编号", "审批节点", "处理时间"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: The steps the generator runs in parallel (both arrive at once) in the oa shape.
PARALLEL_PAIR = {"财务审核", "法务审核"}

PROCMINE_TOOLS = ("discover", "kpi", "bottlenecks", "loops", "improve")
OTHER_TOOLS = ("pm4py-pandas", "pm4py-polars", "polars-floor")
#: Run order within a repeat: procmine discover and its rivals alternate, then the analyses.
DEFAULT_TOOLS = ("discover", "pm4py-pandas", "polars-floor", "pm4py-polars", "kpi", "bottlenecks", "loops",
                 "improve")
LABELS = {"discover": "procmine discover", "kpi": "procmine kpi", "bottlenecks": "procmine bottlenecks",
          "loops": "procmine loops", "improve": "procmine improve", "pm4py-pandas": "pm4py on pandas",
          "pm4py-polars": "pm4py on polars", "polars-floor": "plain polars floor", "generate": "generate log"}
GIB = 2**30


# --- running one measured subprocess -------------------------------------------------------
@dataclass
class Run:
    """One subprocess: its cost, how it ended, and where its output went."""

    tool: str
    wall_s: float
    cpu_s: float
    peak_gib: float
    exit_code: int
    stopped: str = ""  # why the watchdog stopped it, if it did
    stdout: Path | None = None
    stderr: Path | None = None
    result: Path | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.stopped

    def last_stderr_line(self) -> str:
        if self.stderr is None or not self.stderr.exists():
            return ""
        lines = [line for line in self.stderr.read_text(errors="replace").splitlines() if line.strip()]
        return lines[-1].strip()[:200] if lines else ""

    def outcome(self) -> str:
        if self.stopped:
            return self.stopped
        if self.exit_code < 0:
            return f"killed by signal {-self.exit_code} ({signal.Signals(-self.exit_code).name})"
        if self.exit_code:
            return f"exit code {self.exit_code}: {self.last_stderr_line()}"
        return "ok"


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants, from /proc (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError, PermissionError):
            continue
    return total


def measure(tool: str, command: list[str], run_dir: Path, *, timeout_s: float, max_rss_gib: float,
            result: Path | None = None) -> Run:
    """Run ``command`` once in its own process group and measure it with ``os.wait4``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr = run_dir / "stdout.txt", run_dir / "stderr.txt"
    stopped = ""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True,
                                   env={**os.environ, "MPLBACKEND": "Agg"})
        pidfd = os.pidfd_open(process.pid)
        try:
            # The pidfd becomes readable when the child exits: exact wall time, and between
            # polls the watchdog checks memory and time.
            while not select.select([pidfd], [], [], 0.25)[0]:
                elapsed = time.perf_counter() - started
                rss = _tree_rss_bytes(process.pid) / GIB
                if rss > max_rss_gib and not stopped:
                    stopped = f"stopped by the watchdog: resident memory {rss:.1f} GiB above --max-rss {max_rss_gib:g}"
                elif elapsed > timeout_s and not stopped:
                    stopped = f"stopped by the watchdog: did not finish in {timeout_s:.0f} s (--timeout)"
                if stopped:
                    os.killpg(process.pid, signal.SIGKILL)
                    break
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            os.close(pidfd)
        wall = time.perf_counter() - started
    process.returncode = exit_code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Run(tool=tool, wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_gib=usage.ru_maxrss * 1024 / GIB,
               exit_code=exit_code, stopped=stopped, stdout=stdout, stderr=stderr, result=result)


# --- what each tool runs -----------------------------------------------------------------------
def command_for(tool: str, log: Path, run_dir: Path, args: argparse.Namespace, *, quiet: bool = True
                ) -> tuple[list[str], Path | None]:
    """The command line of ``tool`` on ``log``, and the file it leaves its results in."""
    procmine = [sys.executable, "-m", "procmine.cli"] + (["-q"] if quiet else [])
    if tool == "discover":
        return procmine + ["discover", str(log), "-o", str(run_dir / "out"), "--json"], run_dir / "out"
    if tool == "bottlenecks":
        return procmine + ["bottlenecks", str(log), "-o", str(run_dir / "out")], None
    if tool in PROCMINE_TOOLS:
        return procmine + [tool, str(log)], None
    result = run_dir / "result.json"
    return [sys.executable, str(Path(__file__).resolve()), "--child", tool, "--log", str(log), "--result",
            str(result), "--miner-timeout", str(args.miner_timeout)], result


# --- the child side: pm4py pipelines and the polars floor ---------------------------------------
class _Stages:
    """Stage timings and results of a child run, rewritten after every stage so a run stopped
    half-way still says how far it got."""

    def __init__(self, path: Path):
        self.path, self.data, self.seconds = path, {}, {}
        self._last = time.perf_counter()

    def done(self, stage: str, **results) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 3)
        self._last = now
        self.data.update(results)
        self.path.write_text(json.dumps({"seconds": self.seconds, **self.data}, ensure_ascii=False))


class _MinerTimeout(Exception):
    pass


def _pm4py_child(log: Path, engine: str, stages: _Stages, miner_timeout: float) -> None:
    sys._pm4py_welcome_shown = True  # no licence banner when pm4py is imported from a script
    import pm4py

    stages.done("import pm4py")

    keys = dict(case_id=CASE_COL, activity_key=ACTIVITY_COL, timestamp_key=COMPLETION_COL)
    if engine == "pandas":
        import pandas as pd

        frame = pd.read_parquet(log) if log.suffix == ".parquet" else pd.read_csv(log)
        stages.done("read")
        frame = pm4py.format_dataframe(frame, **keys, timest_format=TIME_FORMAT)
        events, cases = len(frame), int(frame["case:concept:name"].nunique())
    else:
        import polars as pl

        # Read once and format once: a LazyFrame over the file would re-read it in every call.
        frame = (pl.read_parquet(log) if log.suffix == ".parquet" else pl.read_csv(log)).lazy()
        stages.done("read")
        frame = pm4py.format_dataframe(frame, **keys, timest_format=TIME_FORMAT).collect().lazy()
        counts = frame.select(pl.len(), pl.col("case:concept:name").n_unique()).collect()
        events, cases = int(counts[0, 0]), int(counts[0, 1])
    stages.done("format_dataframe", events=events, cases=cases)
    dfg, starts, ends = pm4py.discover_dfg(frame)
    stages.done("discover_dfg", dfg={f"{a}→{b}": int(n) for (a, b), n in dfg.items()},
                start_activities={a: int(n) for a, n in starts.items()},
                end_activities={a: int(n) for a, n in ends.items()})
    pm4py.discover_performance_dfg(frame)
    stages.done("discover_performance_dfg")
    variants = pm4py.get_variants(frame)
    stages.done("get_variants", variants=len(variants))
    durations = pm4py.get_all_case_durations(frame)
    stages.done("get_all_case_durations", median_case_duration_s=float(statistics.median(durations)))

    def give_up(signum, frame):
        raise _MinerTimeout

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(max(1, int(miner_timeout)))
    try:
        net, _, _ = pm4py.discover_petri_net_inductive(frame, noise_threshold=0.1)
        signal.alarm(0)
        stages.done("discover_petri_net_inductive", miner=f"{len(net.transitions)} transitions")
    except _MinerTimeout:
        stages.done("discover_petri_net_inductive", miner=f"did not finish in {miner_timeout:.0f} s")


def _polars_floor_child(log: Path, stages: _Stages, parts: int = 1) -> None:
    """The floor's one query; with ``parts`` > 1 run on each slice of cases (hash of the case id),
    for a log whose sort does not fit in memory, and the slices' figures added up."""
    import polars as pl

    stages.done("import polars")
    scan = pl.scan_parquet(log) if log.suffix == ".parquet" else pl.scan_csv(log)
    if parts > 1:
        totals: dict = {"events": 0, "cases": 0, "dfg": {}, "start_activities": {}, "end_activities": {}}
        variants, durations = set(), []
        for part in range(parts):
            sliced = scan.filter(pl.col(CASE_COL).hash(seed=1) % parts == part)
            found = _floor_figures(pl, sliced, keep=True)
            totals["events"] += found["events"]
            totals["cases"] += found["cases"]
            for key in ("dfg", "start_activities", "end_activities"):
                for name, n in found[key].items():
                    totals[key][name] = totals[key].get(name, 0) + n
            variants |= found["variant_set"]
            durations.append(found["durations"])
            stages.done(f"slice {part + 1}/{parts}")
        stages.done("added up", **totals, variants=len(variants),
                    median_case_duration_s=float(pl.concat(durations).median()))
        return
    stages.done("one query", **_floor_figures(pl, scan))


def _floor_figures(pl, scan, keep: bool = False) -> dict:
    time_col = pl.col(COMPLETION_COL)
    if scan.collect_schema()[COMPLETION_COL] == pl.String:
        time_col = time_col.str.to_datetime(TIME_FORMAT)
    events = (
        scan.select(pl.col(CASE_COL).alias("case"), pl.col(ACTIVITY_COL).alias("activity"), time_col.alias("time"))
        .sort("case", "time", maintain_order=True)
    )
    # sorted by case, so the next row of the same case is the directly following event
    dfg = (
        events.with_columns(pl.col("activity").shift(-1).alias("next"),
                            (pl.col("case") == pl.col("case").shift(-1)).alias("same_case"))
        .filter(pl.col("same_case"))
        .group_by("activity", "next").len()
    )
    case_table = events.group_by("case").agg(
        pl.col("activity").str.join("→").alias("variant"),
        pl.col("activity").first().alias("start"),
        pl.col("activity").last().alias("end"),
        (pl.col("time").max() - pl.col("time").min()).dt.total_seconds(fractional=True).alias("duration_s"),
    )
    totals = case_table.select(pl.len().alias("cases"), pl.col("variant").n_unique().alias("variants"),
                               pl.col("duration_s").median().alias("median"))
    extra = [case_table.select(pl.col("variant").unique()), case_table.select("duration_s")] if keep else []
    dfg, starts, ends, totals, count, *kept = pl.collect_all([
        dfg, case_table.group_by("start").len(), case_table.group_by("end").len(), totals, events.select(pl.len()),
        *extra])
    figures = dict(events=int(count[0, 0]), cases=int(totals["cases"][0]),
                   dfg={f"{a}→{b}": int(n) for a, b, n in dfg.iter_rows()},
                   start_activities={a: int(n) for a, n in starts.iter_rows()},
                   end_activities={a: int(n) for a, n in ends.iter_rows()},
                   variants=int(totals["variants"][0]), median_case_duration_s=float(totals["median"][0]))
    if keep:
        figures.update(variant_set=set(kept[0]["variant"].to_list()), durations=kept[1]["duration_s"])
    return figures


def child_main(args: argparse.Namespace) -> None:
    stages = _Stages(Path(args.result))
    if args.child == "polars-floor":
        _polars_floor_child(Path(args.log), stages, parts=args.floor_parts)
    else:
        _pm4py_child(Path(args.log), args.child.removeprefix("pm4py-"), stages, args.miner_timeout)


# --- the parent side ---------------------------------------------------------------------------
def _size_list(text: str) -> list[int]:
    return [int(float(part.replace("_", ""))) for part in text.split(",") if part.strip()]


def _millions(events: int) -> str:
    return f"{events / 1e6:g}M" if events >= 1_000_000 else f"{events / 1e3:g}k"


def ensure_log(events: int, shape: str, file_format: str, args: argparse.Namespace) -> Path | None:
    """The generated log (reused when the workdir already holds it); None if it could not be made."""
    path = args.workdir / "logs" / f"{shape}_{events}_seed{args.seed}.{file_format}"
    if path.exists():
        print(f"  log {path} (reused, {path.stat().st_size / 2**20:,.0f} MiB)")
        return path
    run = measure("generate", [sys.executable, str(GENERATOR), "--events", str(events), "--shape", shape,
                               "--format", file_format, "--out", str(path), "--seed", str(args.seed)],
                  args.workdir / "runs" / f"generate_{path.stem}", timeout_s=args.timeout, max_rss_gib=args.max_rss)
    if not run.ok:
        print(f"  generating {path} failed: {run.outcome()}")
        path.unlink(missing_ok=True)
        return None
    print(f"  log {run.last_stderr_line()} (generator peak {run.peak_gib:.2f} GiB)")
    return path


def _median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(run, attribute) for run in runs)


def _stage_note(run: Run) -> str:
    if run.result is None or not run.result.is_file():
        return ""
    data = json.loads(run.result.read_text()) if run.result.suffix == ".json" else {}
    seconds = " · ".join(f"{stage} {s:.1f}" for stage, s in data.get("seconds", {}).items())
    return f"{seconds}" + (f"; IMf: {data['miner']}" if "miner" in data else "")


def print_table(title: str, events: int, runs_by_tool: dict[str, list[Run]]) -> None:
    print(f"\n{title}")
    print(f"  {'tool':<22} {'wall s':>8} {'CPU s':>8} {'peak GiB':>9} {'s / M events':>13}  outcome")
    for tool, runs in runs_by_tool.items():
        wall, cpu, peak = _median(runs, "wall_s"), _median(runs, "cpu_s"), _median(runs, "peak_gib")
        failed = [run for run in runs if not run.ok]
        outcome = failed[-1].outcome() if failed else "ok"
        print(f"  {LABELS[tool]:<22} {wall:8.2f} {cpu:8.2f} {peak:9.2f} {wall / (events / 1e6):13.2f}  {outcome}")
        note = _stage_note(runs[-1])
        if note:
            print(f"  {'':<22} stages (s): {note}")


def print_ratios(runs_by_tool: dict[str, list[Run]]) -> None:
    if "discover" not in runs_by_tool:
        return
    ours = runs_by_tool["discover"]
    rivals = [tool for tool in OTHER_TOOLS if tool in runs_by_tool]
    if not rivals:
        return
    print("  procmine discover ÷ other (below 1: procmine takes less)"
          + ("" if all(run.ok for run in ours) else "; procmine discover did not finish cleanly") + ":")
    for tool in rivals:
        theirs = runs_by_tool[tool]
        ratio = {a: _median(ours, a) / max(_median(theirs, a), 1e-9) for a in ("wall_s", "cpu_s", "peak_gib")}
        caveat = "" if all(run.ok for run in theirs) else "  (that run did not finish cleanly)"
        print(f"    vs {LABELS[tool]:<20} wall {ratio['wall_s']:5.2f}×   CPU {ratio['cpu_s']:5.2f}×   "
              f"peak memory {ratio['peak_gib']:5.2f}×{caveat}")


# --- correctness ----------------------------------------------------------------------------------
def _procmine_figures(run: Run) -> dict | None:
    """procmine's numbers from discover's process_map.json and its --json summary."""
    if not run.ok:
        return None
    pmap = json.loads((run.result / "process_map.json").read_text(encoding="utf-8"))
    summary = json.loads(run.stdout.read_text(encoding="utf-8"))
    return {
        "events": summary["events"], "cases": summary["cases"],
        "dfg": {f"{e['source']}→{e['target']}": e["frequency"] for e in pmap["edges"]},
        "start_activities": pmap["start_activities"], "end_activities": pmap["end_activities"],
        "variants": summary["variants"], "median_lead_time_hours": summary["median_lead_time_hours"],
    }


def _describe_difference(ours: dict, theirs: dict) -> str:
    keys = sorted(set(ours) | set(theirs), key=str)
    diff = [f"{k}: {ours.get(k)} vs {theirs.get(k)}" for k in keys if ours.get(k) != theirs.get(k)]
    return f"{len(diff)} differ, e.g. " + "; ".join(diff[:3])


def check_correctness(shape: str, events: int, runs_by_tool: dict[str, list[Run]]) -> list[str]:
    """Compare procmine with pm4py and the floor; print each check; return the failures."""
    if "discover" not in runs_by_tool:
        return []
    ours = _procmine_figures(runs_by_tool["discover"][-1])
    others = {}
    for tool in OTHER_TOOLS:
        run = runs_by_tool.get(tool, [None])[-1]
        if run is not None and run.result.is_file():
            others[tool] = json.loads(run.result.read_text(encoding="utf-8"))
    print(f"  correctness ({shape}, {_millions(events)} events): procmine discover against "
          + (", ".join(LABELS[t] for t in others) or "nothing (no rival ran)"))
    if ours is None:
        print("    ✗ procmine discover did not finish: nothing to compare")
        return [f"{shape} {events}: procmine discover did not finish"]
    failures = []

    def check(name: str, mine, key: str, same=lambda a, b: a == b, note: str = "") -> None:
        agree, disagree, missing = [], [], []
        for tool, data in others.items():
            if key not in data:
                missing.append(LABELS[tool])
            elif same(mine, data[key]):
                agree.append(LABELS[tool])
            else:
                detail = _describe_difference(mine, data[key]) if isinstance(mine, dict) else f"{data[key]!r}"
                disagree.append(f"≠ {LABELS[tool]}: {detail}")
                failures.append(f"{shape} {_millions(events)}: {name} differs from {LABELS[tool]}")
        shown = f"{len(mine)} kinds, {sum(mine.values()):,} in all" if isinstance(mine, dict) else f"{mine!r}"
        verdicts = ([f"= {', '.join(agree)}"] if agree else []) + disagree + (
            [f"not computed by {', '.join(missing)} (stopped early)"] if missing else [])
        print(f"    {'✗' if disagree else '✓'} {name:<26} {shown:<28} " + "; ".join(verdicts) + note)

    check("events", ours["events"], "events")
    check("cases", ours["cases"], "cases")
    if shape == "approval":
        check("DFG (hand-off counts)", ours["dfg"], "dfg")
    else:
        # With arrival times procmine draws overlapping steps side by side, so the hand-offs
        # around the parallel pair differ from a completion-order DFG by design; all others match.
        def outside_pair(dfg: dict) -> dict:
            return {edge: n for edge, n in dfg.items() if not set(edge.split("→")) & PARALLEL_PAIR}

        check("DFG away from 财务‖法务", outside_pair(ours["dfg"]), "dfg", same=lambda a, b: a == outside_pair(b),
              note="  (hand-offs touching the parallel pair differ by design: procmine uses 到达时间)")
    check("start activities", ours["start_activities"], "start_activities")
    check("end activities", ours["end_activities"], "end_activities")
    check("variants", ours["variants"], "variants")
    # procmine rounds hours to 3 decimals
    check("median case duration (h)", ours["median_lead_time_hours"], "median_case_duration_s",
          same=lambda h, s: abs(h - s / 3600) <= 0.0006)
    floor = others.get("polars-floor", {}).get("median_case_duration_s")
    for tool in ("pm4py-pandas", "pm4py-polars"):
        theirs = others.get(tool, {}).get("median_case_duration_s")
        if floor is not None and theirs is not None:
            ratio = theirs / floor if floor else float("nan")
            verdict = "same" if abs(ratio - 1) < 1e-9 else f"off by a factor of {ratio:g}"
            print(f"    {'✓' if verdict == 'same' else '✗'} {LABELS[tool]} get_all_case_durations median "
                  f"{theirs:,.1f} s vs independent polars {floor:,.1f} s: {verdict}")
            if verdict != "same":
                failures.append(f"{shape} {events}: {LABELS[tool]} case durations {verdict}")
    return failures


# --- main --------------------------------------------------------------------------------------
def _versions() -> str:
    from importlib.metadata import version

    names = ("procmine", "pm4py", "polars", "pandas", "numpy", "pyarrow")
    return ", ".join(f"{name} {version(name)}" for name in names)


def _memory_available_gib() -> float:
    with open("/proc/meminfo") as handle:
        info = {line.split(":")[0]: int(line.split()[1]) for line in handle}
    return info.get("MemAvailable", info["MemTotal"]) * 1024 / GIB


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_size_list, default=[1_000_000, 3_000_000, 10_000_000],
                        help="events per log, comma-separated (default 1e6,3e6,1e7)")
    parser.add_argument("--shapes", default="approval,oa", help="approval, oa or both (default)")
    parser.add_argument("--tools", default=",".join(DEFAULT_TOOLS), help=f"default: {','.join(DEFAULT_TOOLS)}")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", help="log format for --sizes")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; medians are printed")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/procmine_bench"),
                        help="generated logs (reused) and each run's output")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--miner-timeout", type=float, default=300, help="seconds pm4py's inductive miner may take")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds any run may take")
    parser.add_argument("--max-rss", type=float, default=None,
                        help="GiB a run may hold before it is stopped (default: 90%% of memory available at start)")
    parser.add_argument("--huge", action="store_true", help="also 100M events from Parquet: procmine discover, kpi")
    parser.add_argument("--huge-timeout", type=float, default=3 * 3600, help="seconds each --huge run may take")
    parser.add_argument("--huge-events", type=_size_list, default=[100_000_000],
                        help="events of the --huge log(s), comma-separated (default 1e8)")
    parser.add_argument("--child", choices=OTHER_TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--floor-parts", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return

    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = ([t for t in tools if t not in PROCMINE_TOOLS + OTHER_TOOLS]
               + [s for s in shapes if s not in ("approval", "oa")])
    if unknown:
        parser.error(f"unknown tool or shape: {', '.join(unknown)}")
    args.max_rss = args.max_rss or round(0.9 * _memory_available_gib(), 1)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"bench_scale: {os.cpu_count()} CPUs, {_memory_available_gib():.1f} GiB available, "
          f"Python {platform.python_version()}; {_versions()}")
    print(f"runs are stopped above {args.max_rss} GiB or after {args.timeout:.0f} s; pm4py's miner after "
          f"{args.miner_timeout:.0f} s; medians of {args.repeat} run(s)")

    failures: list[str] = []
    per_million: dict[tuple[str, str], dict[int, Run]] = {}
    for events in args.sizes:
        for shape in shapes:
            print(f"\n=== {shape} shape, {_millions(events)} events ({args.format}) ===")
            log = ensure_log(events, shape, args.format, args)
            if log is None:
                failures.append(f"{shape} {_millions(events)}: the log could not be generated")
                continue
            runs_by_tool: dict[str, list[Run]] = {tool: [] for tool in tools}
            for repeat in range(args.repeat):
                for tool in tools:
                    run_dir = args.workdir / "runs" / f"{shape}_{events}" / f"{tool}_{repeat}"
                    command, result = command_for(tool, log, run_dir, args)
                    run = measure(tool, command, run_dir, timeout_s=args.timeout, max_rss_gib=args.max_rss,
                                  result=result)
                    runs_by_tool[tool].append(run)
                    print(f"  [{repeat + 1}/{args.repeat}] {LABELS[tool]:<22} {run.wall_s:8.2f} s wall "
                          f"{run.cpu_s:8.2f} s CPU {run.peak_gib:6.2f} GiB  {run.outcome()}", flush=True)
            print_table(f"{shape} shape, {_millions(events)} events: medians", events, runs_by_tool)
            print_ratios(runs_by_tool)
            failures += check_correctness(shape, events, runs_by_tool)
            for tool, runs in runs_by_tool.items():
                per_million.setdefault((shape, tool), {})[events] = runs

    if len(args.sizes) > 1:
        print("\nlinear in events? wall seconds per million events (and peak memory) at each size")
        for (shape, tool), by_size in per_million.items():
            cells = "   ".join(
                f"{_millions(n)}: {_median(runs, 'wall_s') / (n / 1e6):6.2f} s "
                f"(peak {_median(runs, 'peak_gib'):.2f} GiB)" for n, runs in by_size.items())
            print(f"  {shape:<8} {LABELS[tool]:<22} {cells}")

    if args.huge:
        for events in args.huge_events:
            print(f"\n=== huge: oa shape, {_millions(events)} events (parquet) ===")
            log = ensure_log(events, "oa", "parquet", args)
            if log is None:
                continue
            runs_by_tool = {}
            for tool in ("discover", "kpi", "polars-floor"):
                run_dir = args.workdir / "runs" / f"huge_{events}" / tool
                # progress messages on, so the last stderr line says how far a failed run got
                command, result = command_for(tool, log, run_dir, args, quiet=False)
                if tool == "polars-floor":  # its sort of every event does not fit either: by slices of cases
                    command += ["--floor-parts", str(max(1, -(-events // 10_000_000)))]
                run = measure(tool, command, run_dir, timeout_s=args.huge_timeout, max_rss_gib=args.max_rss,
                              result=result)
                runs_by_tool[tool] = [run]
                print(f"  {LABELS[tool]:<22} {run.wall_s:8.1f} s wall {run.cpu_s:8.1f} s CPU "
                      f"{run.peak_gib:6.2f} GiB  exit code {run.exit_code}  {run.outcome()}", flush=True)
                if not run.ok:
                    print(f"  {'':<22} last stderr line: {run.last_stderr_line() or '(none)'}")
            print_table(f"huge, {_millions(events)} events", events, runs_by_tool)
            failures += check_correctness("oa", events, runs_by_tool)

    if failures:
        print("\ncorrectness FAILED:\n  " + "\n  ".join(failures))
        raise SystemExit(1)
    print("\nall correctness checks passed" if any(t in tools for t in OTHER_TOOLS) and "discover" in tools
          else "\n(no correctness checks: they need discover and at least one rival tool)")


if __name__ == "__main__":
    main()
