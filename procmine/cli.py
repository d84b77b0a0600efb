"""The ``procmine`` command line: thin wrappers over the library.

Each command reads the log with the shared options (column overrides, encoding, time zone),
calls one library function, writes the result's files with ``result.write(OUT)`` (-o) and prints
it. Errors from procmine are printed on one line without a traceback (``--debug`` shows it) and
the exit code is non-zero.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import click

from procmine import __version__
from procmine.errors import OutputError, ProcmineError
from procmine.output import writing
from procmine.text import phrases

#: What the commands themselves say around a result (the results describe themselves).
PHRASES = phrases("cli", {
    "filter": ("筛选：{said}", "Filter: {said}"),
    "wrote": ("已写入：", "Wrote:"),
    "bpmn": ("BPMN 模型：{said}", "BPMN: {said}"),
    "bpmn_skipped": ("未生成（--no-bpmn）", "skipped (--no-bpmn)"),
    "bpmn_timeout": ("归纳挖掘未在 {seconds:g} 秒内完成", "the inductive miner did not finish in {seconds:g} s"),
    "bpmn_then": ("；之后", "; then "),
    "bpmn_not_written": ("未写出：{reasons}。流程图和图表已完整；可用 --bpmn-timeout 给更多时间，用 --activities 少画一些活动，"
                         "或用 --no-bpmn 跳过",
                         "not written: {reasons}. The map and charts are complete; allow more time with "
                         "--bpmn-timeout, draw fewer activities with --activities, or skip it with --no-bpmn"),
    "bpmn_drawn": ("按流程图上画出的 {n} 个活动挖掘：", "mined on the {n} activities drawn on the flowchart: "),
    "bpmn_all_failed": ("（全部活动：{reason}）", " ({reason} on all activities)"),
    "process_map": ("流程图：{activities} 个活动，{handoffs} 条交接{durations}{simplified}",
                    "Process map: {activities} activities, {handoffs} hand-offs{durations}{simplified}"),
    "simplified": ("；{note}", "; chart {note}"),
    "order_completion": ("完成顺序", "completion order"),
    "order_arrival": ("到达时间，并行感知", "arrival times, parallel-aware"),
    "spark_map": ("引擎：Spark（{master}），只有汇总结果回到本机；交接按{order}",
                  "Engine: Spark ({master}); only aggregates came back; hand-offs by {order}"),
    "losses": ("{name}：读取 {read:,} {unit}，删除 {dropped:,}、修复 {repaired:,}（最多的原因：{why}）；"
               "procmine check {path} 列出全部",
               "{name}: of {read:,} {unit} read, {dropped:,} dropped and {repaired:,} repaired ({why}); "
               "procmine check {path} lists them all"),
    "unit_event": ("个事件", "events"),
    "unit_row": ("行", "rows"),
    "loss_example": ("，例：第 {row} {unit}：{value!r}", "; e.g. {unit} {row}: {value!r}"),
    "spark_figures": ("在 Spark（{master}）上计算，只有汇总结果回到本机",
                      "computed on Spark ({master}); only aggregates came back"),
})


class _State:
    debug = False
    quiet = False
    #: the files this run reads, {what it is: path}: no output may replace one of them
    inputs: dict[str, Path] = {}


def _progress(message: str) -> None:
    """Progress lines on stderr, only for a person watching a terminal."""
    if not _State.quiet and sys.stderr.isatty():
        click.echo(f"procmine: {message} …", err=True)


#: Which cases to analyse (mirrors EventLog.filter's keywords; see docs/filters.md).
FILTER_OPTIONS = [
    click.option("--period", metavar="START:END",
                 help="Keep the cases whose first event falls in [START, END), e.g. 2025-03-01:2025-07-01; "
                      "either side may be left out."),
    click.option("--period-by", "period_mode", type=click.Choice(["start", "end", "intersect"]), default="start",
                 show_default=True,
                 help="What --period tests: the case's first event, its last event, or any time it was open."),
    click.option("--where", multiple=True, metavar="EXPR",
                 help="Keep the cases where some event has this value: COLUMN OP VALUE with OP = != > >= < <= "
                      "~ (contains) !~, e.g. '合同金额(元)>200000', '所属部门=财务部' (repeatable)."),
    click.option("--variants", metavar="N|P%",
                 help="Keep the N most frequent variants, or those covering P% of the cases."),
    click.option("--lead-time", metavar="OPDURATION",
                 help="Keep the cases whose lead time is above/below a limit, e.g. '>3wd' (working days), "
                      "'<=8h' (working hours), '>2d' (calendar days)."),
    click.option("--starts-with", metavar="ACTIVITY", help="Keep the cases that start with this activity."),
    click.option("--ends-with", metavar="ACTIVITY", help="Keep the cases that end with this activity."),
    click.option("--follows", multiple=True, metavar="'A -> B'",
                 help="Keep the cases where B follows A: 'A -> B' eventually, 'A => B' directly (a hand-off); "
                      "add 'within 2d' for a time limit (repeatable)."),
]
FILTER_KEYWORDS = ("period", "period_mode", "where", "variants", "lead_time", "starts_with", "ends_with", "follows")


PRIVACY_OPTIONS = [
    click.option("--pseudonymise", "pseudonym_key", type=click.Path(path_type=Path), metavar="KEYFILE",
                 help="Replace people with stable pseudonyms (人员-3F2A; keyed HMAC-SHA256) in every output. The "
                      "key is read from KEYFILE, or created there when absent (never overwritten): keep it apart "
                      "from the outputs. See docs/privacy.md."),
    click.option("--pseudonymise-departments", "pseudonymise_departments", is_flag=True,
                 help="With --pseudonymise: departments too (部门-XXXX)."),
    click.option("--min-department-size", type=click.IntRange(2), metavar="K",
                 help="Merge departments with fewer than K people into one group (其他部门)."),
]
PRIVACY_KEYWORDS = ("pseudonym_key", "pseudonymise_departments", "min_department_size")


out_option = click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path),
                          help="Folder for the charts (PNG + SVG) and the JSON result.")


def json_options(what: str = "the result"):
    """--json: ``what`` as JSON on stdout instead of text."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON on stdout.")


def lang_options(what: str = "the text and chart labels"):
    """--lang zh|en: the language of ``what``."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                        help=f"Language of {what}.")


json_option = json_options()
lang_option = lang_options()


def log_options(func):
    """The options every command that reads a log shares (mirroring ``read_log``'s keywords)."""
    options = [
        click.argument("log_path", metavar="LOG", type=click.Path(path_type=Path)),
        click.option("--case", help="Column holding the case id (案例编号), e.g. 单据编号."),
        click.option("--activity", help="Column holding the activity / approval node (审批节点)."),
        click.option("--timestamp", help="Column holding the completion time (处理时间/完成时间)."),
        click.option("--start-timestamp", help="Column holding the arrival or start time (到达时间/开始时间)."),
        click.option("--resource", help="Column holding the person who acted (处理人/审批人)."),
        click.option("--department", help="Column holding the department (部门)."),
        click.option("--role", help="Column holding the role / position (岗位)."),
        click.option("--outcome", help="Column holding the decision (审批结果)."),
        click.option("--encoding", help="Text encoding of a CSV file (detected when left out: UTF-8, UTF-8 BOM, GBK/GB18030, UTF-16)."),
        click.option("--delimiter", help="Field delimiter of a CSV file (sniffed when left out)."),
        click.option("--sheet", help="Excel sheet name (default: the first sheet with data)."),
        click.option("--timezone", default="Asia/Shanghai", show_default=True,
                     help="Time zone of times written without one."),
        click.option("--lifecycle", type=click.Choice(["pair", "all"]), default="pair", show_default=True,
                     help="XES lifecycle: 'pair' folds start/complete into one step; 'all' keeps every event."),
        click.option("--history-column",
                     help="Column holding each approval instance's history (审批记录/审批历史/操作记录) in a "
                          "one-row-per-instance export; detected when left out; 'none' turns detection off."),
        click.option("--history-pattern",
                     help="Regular expression for history lines of another shape, with named groups time, "
                          "resource, department, action, comment (and node)."),
        click.option("--source", type=click.Choice(["dingtalk", "feishu", "wecom", "weaver"]),
                     help="Approval platform whose own records LOG holds (saved API responses as JSON/JSONL, a "
                          "folder of them, or Weaver's workflow tables); detected when left out."),
        click.option("--step-names", type=click.Path(path_type=Path),
                     help="JSON or two-column CSV naming platform steps known by id only: node id, WeCom "
                          "approver user id or node ordinal → step name."),
        click.option("--strict", is_flag=True, help="Exit with code 3 when any data-quality problem is found."),
        click.option("--engine", type=click.Choice(["default", "spark"]), default="default", show_default=True,
                     help="spark: compute on Apache Spark (discover, kpi, bottlenecks, loops, improve, compare, "
                          "report and monitor; LOG is a Parquet or CSV path or a Hive/Spark table name; only "
                          "aggregates come back). See docs/spark.md."),
        click.option("--master", metavar="URL",
                     help="With --engine spark: the Spark master (local[*] by default; yarn, spark://HOST:7077, "
                          "k8s://…, sc://HOST:15002 for Spark Connect)."),
        *FILTER_OPTIONS,
        *PRIVACY_OPTIONS,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def calendar_options(func):
    """--calendar, --work-hours, --holidays: the working-time calendar (mirrors Calendar.from_options)."""
    options = [
        click.option("--calendar", "calendar_kind", type=click.Choice(["cn", "weekdays", "none"]), default="cn",
                     show_default=True,
                     help="Working days: cn = Chinese statutory holidays and 调休; weekdays = Mon–Fri; "
                          "none = plain calendar time."),
        click.option("--work-hours", help='Working hours per day, e.g. "09:00-12:00,13:00-18:00" (the default).'),
        click.option("--holidays", "holidays_file", type=click.Path(path_type=Path),
                     help="File of company-specific days off and working days (CSV/TXT/XLSX: date[,type])."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _calendar(kwargs: dict, log):
    from procmine.calendar import Calendar

    holidays_file = kwargs.pop("holidays_file")
    _State.inputs["the --holidays file"] = holidays_file
    return Calendar.from_options(kwargs.pop("calendar_kind"), work_hours=kwargs.pop("work_hours"),
                                 holidays_file=holidays_file, timezone=log.timezone)


def _warn_calendar(calendar, log=None, lang: str = "en", measured=()) -> None:
    """The calendar's warnings on stderr, in the command's language (``measured``: those of the
    time tables, which a result measured on Spark brings back)."""
    from procmine.report.translate import note

    warnings = [*getattr(calendar, "warnings", []), *measured]
    if log is not None and getattr(log, "engine", None) != "spark":  # on Spark: the calendar's own warnings
        from procmine.analyse.times import time_tables

        warnings += time_tables(log, calendar).warnings
    for warning in warnings:
        click.echo(f"procmine: warning: {note(warning, lang)}", err=True)


def _prepare_out(out_dir: Path | None, log, names: list[str]) -> dict[str, Path]:
    """The output paths in ``out_dir`` (created), refusing to overwrite the input log."""
    if out_dir is None:
        return {}
    paths = {name: out_dir / name for name in names}
    _State.inputs.setdefault("the input log", Path(log.source.path))
    _guard_outputs(paths.values())
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: is a file; -o needs a folder for the outputs.")
    with writing(out_dir, "cannot be created; choose another folder with -o"):
        out_dir.mkdir(parents=True, exist_ok=True)
    return paths


def _write(out_dir: Path | None, log, lang: str, *results, **options) -> dict[str, Path]:
    """With -o, each result's files in OUT (``result.write``), none replacing an input: {name: path}
    in the order written. A result may come as ``(result, {its own options})``; ``options`` go to all."""
    if out_dir is None:
        return {}
    chosen = [item if isinstance(item, tuple) else (item, {}) for item in results]
    _prepare_out(out_dir, log, [name for result, own in chosen for name in result.files(**options, **own)])
    paths: dict[str, Path] = {}
    for result, own in chosen:
        paths |= result.write(out_dir, lang=lang, **options, **own)
    return paths


def _emit(report, log, calendar, paths: dict[str, Path], as_json: bool, lang: str, measured=()) -> None:
    """Warnings on stderr, the result on stdout (JSON or text), then the files written."""
    _warn_calendar(calendar, log, lang, measured)
    if as_json:
        click.echo(report.to_json(log.filters))
        return
    if log.filters:
        click.echo(PHRASES("filter", lang, said="；".join(f.describe(lang) for f in log.filters)))
    click.echo(report.describe(lang))
    if paths and not as_json:
        click.echo(_wrote(lang) + "\n" + "\n".join(f"  {p}" for p in paths.values()))


def _wrote(lang: str) -> str:
    return PHRASES("wrote", lang)


#: The commands that read a Parquet/Arrow log larger than memory in parts (procmine.engine.partitioned).
IN_PARTS = ("check", "discover", "kpi")


def _read(kwargs: dict, say_losses: bool = True, attributes: bool = True):
    """The log of the command's options, filtered; ``attributes=False``: the columns not mapped to
    a role are let go once read, unless a --where names one (see :func:`procmine.read_log`)."""
    from procmine.read import read_log

    engine, master = kwargs.pop("engine", "default"), kwargs.pop("master", None)
    if engine == "spark":
        from procmine.engine.spark import SparkError, spark_commands

        command = click.get_current_context().info_name
        raise SparkError(f"--engine spark runs {spark_commands()} only; {command} reads the rows on one "
                         "machine: drop --engine spark")
    if master is not None:
        raise click.UsageError("--master needs --engine spark")
    path = kwargs.pop("log_path")
    _State.inputs["the input log"] = path
    read_args = {k: kwargs.pop(k) for k in ("case", "activity", "timestamp", "start_timestamp", "resource",
                                             "department", "role", "outcome", "encoding", "delimiter", "sheet",
                                             "timezone", "lifecycle", "strict", "history_column",
                                             "history_pattern", "source", "step_names")}
    filters = {k: kwargs.pop(k) for k in FILTER_KEYWORDS}
    privacy = {k: kwargs.pop(k, None) for k in PRIVACY_KEYWORDS}
    if privacy["pseudonym_key"] is not None:
        _State.inputs["the pseudonymisation key"] = privacy["pseudonym_key"]
    from procmine.engine.partitioned import check_fits

    command = click.get_current_context().info_name
    in_parts = command in IN_PARTS
    check_fits(path, command, IN_PARTS)  # one line, not the system stopping it half-way
    written = {k: v for k, v in filters.items() if v not in (None, ())}
    log = read_log(path, progress=_progress, partition_rows="auto" if in_parts else None,
                   attributes=attributes or "where" in written, **read_args)
    parts = getattr(log, "engine", None) == "partitioned"
    if set(written) - {"period_mode"}:
        from procmine.filters import parse_filters

        chosen = parse_filters(**written)
        calendar = _calendar(dict(kwargs), log) if "calendar_kind" in kwargs else None
        total = None if parts else log.summary().cases  # in parts: counted while the filter reads them
        log = log.filter(*chosen, calendar=calendar)
        total = log.cases_before_filters if parts else total
        _note(f"filter: {'; '.join(f.describe('en') for f in chosen)}: {log.summary().cases:,} of {total:,} cases kept")
    if parts and any(v not in (None, False) for v in privacy.values()):
        from procmine.engine.partitioned import PartitionError

        raise PartitionError(f"{path}: {log.rows:,} rows are read in parts by case, and a log read "
                             "in parts cannot be pseudonymised; pseudonymise a smaller export, or drop --pseudonymise "
                             "/ --min-department-size")
    log = _pseudonymise(log, **privacy) if not parts else log
    if say_losses:
        _say_losses(log, path)
    return log


#: The reading options the Spark engine takes (the others read files on one machine).
SPARK_READ_OPTIONS = ("case", "activity", "timestamp", "start_timestamp", "outcome", "resource", "department", "role",
                      "encoding", "timezone")


def _read_spark(kwargs: dict, say_losses: bool = True):
    """The log on Spark (--engine spark): the rows stay there; options it cannot honour are refused."""
    from procmine.engine.spark import read_spark_log

    kwargs.pop("engine")
    path, master = kwargs.pop("log_path"), kwargs.pop("master")
    _State.inputs["the input log"] = path
    read_args = {k: kwargs.pop(k) for k in SPARK_READ_OPTIONS}
    filters = {k: kwargs.pop(k, None) for k in FILTER_KEYWORDS}
    others = {k: kwargs.pop(k, None) for k in ("delimiter", "sheet", "lifecycle",
                                               "strict", "history_column", "history_pattern", "source", "step_names",
                                               *PRIVACY_KEYWORDS)}
    given = [k for k, v in others.items() if v not in (None, False, (), "pair", "start")]
    if given:
        raise click.UsageError(f"not available with --engine spark: {', '.join('--' + k.replace('_', '-') for k in given)}")
    _progress(f"starting Spark ({master or 'local[*]'})")
    log = read_spark_log(str(path), master=master, **read_args)
    written = {k: v for k, v in filters.items() if v not in (None, ())}
    if set(written) - {"period_mode"}:  # computed on Spark: the ids of the kept cases, then a semi-join
        from procmine.filters import parse_filters

        chosen = parse_filters(**written)
        calendar = _calendar(dict(kwargs), log) if "calendar_kind" in kwargs else None
        log = log.filter(*chosen, calendar=calendar)
        _note(f"filter: {'; '.join(f.describe('en') for f in chosen)}: {log.case_count:,} of "
              f"{log.cases_before_filters:,} cases kept")
    if say_losses:
        _say_losses(log, path)
    return log


def _say_losses(log, path) -> None:
    """One line when reading dropped or repaired rows: the analyses' figures leave them out, and
    an analyst who only ran kpi or diff would not know (check and discover print the whole report)."""
    quality = log.quality
    # steps still open at export are not lost: they are the open cases every command reports
    changed = [f for f in quality.findings if f.action in ("dropped", "repaired") and f.code != "step_not_completed"]
    if not changed:
        return
    dropped = sum(f.rows for f in changed if f.action == "dropped")
    repaired = sum(f.rows for f in changed if f.action == "repaired")
    first = max(changed, key=lambda f: f.rows)
    name = Path(str(path)).name
    context = click.get_current_context(silent=True)
    t = PHRASES.text((context.params.get("lang") if context else None) or "en")
    unit_key = "unit_event" if quality.row_word == "event" else "unit_row"
    # the English reason lists its examples; the Chinese one names the first
    from procmine.report.translate import finding

    example = "".join(PHRASES("loss_example", "zh", row=row, unit=PHRASES(unit_key, "zh"), value=value)
                      for row, value in first.examples[:1])
    why = t.pick((finding(first.code, first.message, "zh") + example, first.describe(quality.row_word)))
    _note(t("losses", name=name, read=quality.rows_read, unit=t(unit_key), dropped=dropped, repaired=repaired, why=why,
            path=path))


def _pseudonymise(log, pseudonym_key: Path | None, pseudonymise_departments: bool, min_department_size: int | None):
    """The log with people (and departments) pseudonymised right after reading, so every output inherits it."""
    if pseudonym_key is None:
        if pseudonymise_departments:
            raise click.UsageError("--pseudonymise-departments needs --pseudonymise KEYFILE")
        if min_department_size is None:
            return log
    from procmine import privacy

    key, created = (privacy.load_key(pseudonym_key) if pseudonym_key is not None else (None, False))
    if key is None:  # --min-department-size alone: merge small departments, names stay
        key = b"\0" * 32
    log, done = privacy.pseudonymise(log, key, departments=pseudonymise_departments,
                                     min_department_size=min_department_size, people=pseudonym_key is not None)
    for line in privacy.describe(done, pseudonym_key, created):
        if created:  # the new key is said even with --quiet: the user must keep it
            click.echo(f"procmine: {line}", err=True)
        else:
            _note(line)
    return log


def _design(path: Path | None):
    """The design named by --design (or DESIGN), read once; the file is an input no output may replace."""
    if path is None:
        return None
    from procmine.compare import read_design

    _State.inputs["the design"] = path
    return read_design(path)


def _note(message: str) -> None:
    """A line on stderr that belongs with the results (not progress): shown unless --quiet."""
    if not _State.quiet:
        click.echo(f"procmine: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="procmine")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
def cli(debug: bool, quiet: bool) -> None:
    """procmine: current-state analysis (流程现状调研) of approval processes from OA event logs.

    \b
    Start with:
      procmine check LOG              data-quality report
      procmine discover LOG -o out/   current flowchart, BPMN model and process map
    """
    _State.debug = debug
    _State.quiet = quiet
    _State.inputs = {}


@cli.command()
@log_options
@json_options("the report")
@lang_options("the summary and the data-quality reasons")
def check(as_json: bool, lang: str, **kwargs) -> None:
    """Check a log's data quality: missing values, unreadable times, duplicates, label variants.

    Every row that is dropped or repaired is counted with its reason. With --strict, any
    problem makes the exit code 3.

    \b
    Example:
      procmine check sample_logs/费用报销.xlsx
    """
    strict = kwargs.pop("strict")
    kwargs["strict"] = False
    log = _read(kwargs, say_losses=False)
    if as_json:
        click.echo(json.dumps({"summary": log.summary().to_dict(), "quality": log.quality.to_dict()},
                              ensure_ascii=False, indent=2))
    else:
        from procmine.report.translate import quality_text, summary_text

        click.echo(summary_text(log.summary(), lang))
        click.echo(quality_text(log.quality, lang))
    if strict:
        log.quality.raise_if_problems()


@cli.command()
@log_options
@calendar_options
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("procmine_out"),
              show_default=True, help="Folder for the flowchart, BPMN model and process map.")
@click.option("--activities", type=click.FloatRange(0, 1, min_open=True),
              help="Share of activities to draw, most frequent first (default: all, or 0.8 for large maps).")
@click.option("--paths", type=click.FloatRange(0, 1),
              help="Share of paths to draw, most frequent first (default: all, or 0.5 for large maps).")
@click.option("--noise", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Noise threshold of the inductive miner for the BPMN model (0 keeps every path).")
@click.option("--arrival-times/--no-arrival-times", default=True, show_default=True,
              help="Use the log's arrival/start times (parallel steps side by side, durations arrival → "
                   "completion); --no-arrival-times orders and measures by completion only, as pm4py's DFG does.")
@click.option("--bpmn/--no-bpmn", "with_bpmn", default=True, show_default=True,
              help="Mine the BPMN model (pm4py's inductive miner, in a second process while the map and charts "
                   "are drawn; written last).")
@click.option("--bpmn-timeout", type=click.FloatRange(1), default=120, show_default=True, metavar="SECONDS",
              help="Time budget of the miner. When the full activity set does not finish in time, the activities "
                   "drawn on the flowchart are mined instead (in a second budget); if that fails too, no BPMN.")
@lang_options("the summary and the chart labels")
@json_options("the summary")
def discover(out_dir: Path, activities: float | None, paths: float | None, noise: float, arrival_times: bool,
             with_bpmn: bool, bpmn_timeout: float, lang: str, as_json: bool, **kwargs) -> None:
    """Discover the current process and draw the current flowchart (当前流程图).

    \b
    Writes to OUT:
      current_flowchart.png / .svg   the flowchart (frequencies, durations, waits)
      current_flowchart.html         the interactive map: activity and path sliders, frequency or
                                     time, figures on hover, cases and variants on click (offline)
      process_map.json               activities, hand-offs, start/end (before simplification)
      current_process.bpmn           BPMN 2.0 with layout (bpmn.io, Camunda Modeler), written last

    \b
    Example:
      procmine discover sample_logs/合同审批.csv -o out/
    """
    from contextlib import ExitStack

    from procmine.chart.background import ChartProcess
    from procmine.discover.bpmn import BackgroundMiner

    started = time.perf_counter()
    on_spark = kwargs.get("engine") == "spark"

    def start_helpers() -> tuple:
        """The BPMN miner and the flowchart painter, a process each (they import pm4py and matplotlib)."""
        return (helpers.enter_context(BackgroundMiner(noise, bpmn_timeout)) if with_bpmn else None,
                helpers.enter_context(ChartProcess()))

    with ExitStack() as helpers:
        # started now, they import while the log is read; a large file is read first, on every
        # core, and they start once it is (their imports took CPU from polars' reading)
        early = on_spark or not _large_input(kwargs.get("log_path"))
        _discover(kwargs, start_helpers() if early else start_helpers, out_dir, activities, paths, arrival_times,
                  lang, as_json, started, on_spark, with_bpmn)


#: Input files at least this large are read before discover's helper processes start.
LARGE_INPUT_BYTES = 256 << 20


def _large_input(path) -> bool:
    try:
        return Path(path).stat().st_size >= LARGE_INPUT_BYTES
    except (OSError, TypeError, ValueError):  # a folder of platform records, a table name …: not a file
        return False


def _discover(kwargs, helpers, out_dir: Path, activities, paths, arrival_times: bool, lang: str,
              as_json: bool, started: float, on_spark: bool, with_bpmn: bool) -> None:
    """``helpers``: (miner, charts), or the function that starts them once the log is read."""
    from procmine.discover import discover as discover_map
    from procmine.log import EventLog

    # the map reads only the roles: the other columns go once checked (unless a --where needs them)
    log = _read_spark(kwargs, say_losses=False) if on_spark else _read(kwargs, say_losses=False, attributes=False)
    miner, charts = helpers() if callable(helpers) else helpers
    if type(log) is EventLog:  # read, checked and filtered: the map needs none of the other columns
        log = log.map_columns()
    events = log.events_read if on_spark else len(log)
    if not on_spark:
        _progress(f"{len(log):,} events read; discovering the process map")
    calendar = _calendar(kwargs, log)  # the interactive map's working-time view
    from procmine.chart.interactive import MAX_EVENTS_FOR_WORKING_VIEW

    working_view = events <= MAX_EVENTS_FOR_WORKING_VIEW and getattr(log, "engine", None) != "partitioned"
    if events > MAX_EVENTS_FOR_WORKING_VIEW:
        _note(f"note: the interactive map shows calendar time only above {MAX_EVENTS_FOR_WORKING_VIEW:,} events "
              "(working time: procmine kpi / bottlenecks)")
    elif not working_view:
        _note("note: the interactive map of a log read in parts shows calendar time only (working time: procmine kpi)")
    pmap = discover_map(log, arrival_times=arrival_times, calendar=calendar if working_view else None)
    if activities is not None or paths is not None:
        shown = pmap.simplify(activities=activities or 1.0, paths=1.0 if paths is None else paths)
    else:
        shown = pmap.auto_simplified()
    if miner is not None:  # mined there while the charts are drawn here
        miner.start(log, arrival_times)
    from procmine.output import write_text

    files = _prepare_out(out_dir, log, ["current_flowchart.png", "current_flowchart.svg", "current_flowchart.html",
                                        "current_process.bpmn", "process_map.json"])
    _progress("drawing the flowchart")
    # the PNG and SVG are drawn in the chart process while the interactive map is laid out here
    pmap.write(out_dir, lang=lang, drawn=shown, painter=charts)
    outputs = {"flowchart_png": files["current_flowchart.png"], "flowchart_svg": files["current_flowchart.svg"],
               "flowchart_html": files["current_flowchart.html"], "process_map": files["process_map.json"]}
    _progress("laying out the interactive map")
    from procmine.chart.interactive import interactive_map_html

    write_text(interactive_map_html(log, pmap=pmap, lang=lang, arrival_times=arrival_times, drawn=shown),
               files["current_flowchart.html"])
    charts.written()
    if pmap.calendar is not None:
        _warn_calendar(calendar, log, lang)
    summary = log.summary()
    if not as_json:  # the summary before the miner: it is there even while the miner works
        from procmine.report.translate import quality_text, summary_text

        click.echo(summary_text(summary, lang))
        click.echo(quality_text(log.quality, lang))
        if on_spark:
            click.echo(_spark_line(log, pmap, lang))
        t, simplification = PHRASES.text(lang), shown.simplification
        click.echo(t("process_map", activities=pmap.activities.height, handoffs=pmap.handoffs.height,
                     durations=t.pick(("", f" (step durations {pmap.duration_basis})")),  # only the English says it
                     simplified=t("simplified", note=t.pick((simplification.note("zh"), simplification.note("en").lower())))
                     if simplification else ""))
    bpmn = _BpmnOutcome(skipped=True)
    if with_bpmn:
        bpmn = _mine_bpmn(miner, shown, files["current_process.bpmn"])
        if bpmn.facts is not None:
            outputs["bpmn"] = files["current_process.bpmn"]

    if as_json:
        payload = summary.to_dict()
        payload["columns"] = {k: payload["columns"].get(k) for k in
                              ("case", "activity", "timestamp", "start_timestamp", "resource", "department",
                               "role", "outcome", "lifecycle")}
        payload.update(
            hand_offs=pmap.handoffs.height,
            duration_basis=pmap.duration_basis,
            time_basis="calendar",
            simplification=shown.simplification.__dict__ if shown.simplification else None,
            bpmn=bpmn.describe("en"),
            data_quality={"rows_read": log.quality.rows_read, "dropped": log.quality.dropped,
                          "merged": log.quality.merged, "repaired": log.quality.repaired,
                          "problems": len(log.quality.problems)},
            outputs={k: str(v) for k, v in outputs.items()},
            seconds=round(time.perf_counter() - started, 2),
        )
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(PHRASES("bpmn", lang, said=bpmn.describe(lang)))
    click.echo(_wrote(lang))
    for path in outputs.values():
        click.echo(f"  {path}")


def _spark_line(log, pmap, lang: str) -> str:
    """What ran on Spark and what did not, in one line."""
    master = log.spark.sparkContext.master
    t = PHRASES.text(lang)
    order = t("order_completion" if pmap.duration_basis != "arrival → completion" else "order_arrival")
    return t("spark_map", master=master, order=order)


@dataclass
class _BpmnOutcome:
    """What became of discover's BPMN model, said in either language (:meth:`describe`)."""

    facts: dict | None = None  #: the model's facts (:meth:`BpmnModel.to_dict`) when it was written
    drawn: int = 0  #: mined on this many activities drawn on the flowchart (all of them did not finish)
    reasons: list = field(default_factory=list)  #: why an attempt gave no model: (ran out of time, text)
    budget: float = 0.0  #: the miner's seconds per attempt
    skipped: bool = False  #: --no-bpmn

    def describe(self, lang: str) -> str:
        t = PHRASES.text(lang)
        if self.skipped:
            return t("bpmn_skipped")

        def reason(timed_out: bool, text: str) -> str:  # (the English says the miner's own words)
            return t.pick((t("bpmn_timeout", seconds=self.budget) if timed_out else text, text))

        if self.facts is None:
            return t("bpmn_not_written", reasons=t("bpmn_then").join(reason(*r) for r in self.reasons))
        from procmine.discover.bpmn import describe_model

        line = (t("bpmn_drawn", n=self.drawn) if self.drawn else "") + describe_model(self.facts, lang)
        return line + (t("bpmn_all_failed", reason=reason(*self.reasons[0])) if self.reasons else "")


def _mine_bpmn(miner, shown, path: Path) -> _BpmnOutcome:
    """Mine and write the BPMN model within the miner's budget: what happened (written when its
    ``facts`` are there).

    When the full activity set does not finish, the activities drawn on the flowchart are
    mined instead (a second budget): a model of the main flow rather than none."""
    from procmine.errors import MinerTimeout

    drawn = shown.activities["activity"].to_list()
    attempts = [None]
    if len(drawn) < (shown.simplification.activities_total if shown.simplification else len(drawn)):
        attempts.append(drawn)
    outcome = _BpmnOutcome(budget=miner.budget)
    for chosen in attempts:
        _progress(f"mining the BPMN model (inductive miner, at most {miner.budget:g} s)")
        try:
            facts, xml = miner.model(chosen)
        except MinerTimeout as exc:
            outcome.reasons.append((True, str(exc)))
            continue
        except ProcmineError as exc:  # the miner's process failed: the map and charts are written
            outcome.reasons.append((False, str(exc)))
            break
        with writing(path):
            path.write_bytes(xml)
        outcome.facts, outcome.drawn = facts, len(chosen) if chosen is not None else 0
        return outcome
    return outcome


@cli.command()
@log_options
@calendar_options
@out_option
@click.option("--top", type=click.IntRange(1, 50), default=10, show_default=True, help="Bars in the chart.")
@lang_option
@json_option
def bottlenecks(out_dir: Path | None, top: int, lang: str, as_json: bool, **kwargs) -> None:
    """Where the time goes: activities, hand-offs, people and departments by share of lead time.

    share_of_lead_time = time spent there summed over cases ÷ lead time summed over cases, in
    working time (calendar time with --calendar none). Also the critical path of a typical
    case and the workload per person and department.

    \b
    Writes to OUT (with -o): bottlenecks.png/.svg (top bottlenecks), bottleneck_heatmap.png/.svg
    (the flowchart coloured by where the time goes), bottlenecks.json, backlog.csv.

    \b
    Example:
      procmine bottlenecks sample_logs/合同审批.csv -o out/
    """
    from contextlib import nullcontext

    from procmine.analyse.bottlenecks import bottlenecks as find_bottlenecks
    from procmine.chart.background import ChartProcess

    on_spark = kwargs.get("engine") == "spark"
    # with -o, one chart is drawn in a second process (started now: it imports matplotlib meanwhile)
    with ChartProcess() if out_dir is not None else nullcontext() as charts:
        log = _read_spark(kwargs) if on_spark else _read(kwargs)
        calendar = _calendar(kwargs, log)
        _progress("measuring working time per step and hand-off")
        report = find_bottlenecks(log, calendar)
        if on_spark:
            _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
        paths = _write(out_dir, log, lang, report, top=top, filters=log.filters, painter=charts)
    _emit(report, log, calendar, paths, as_json, lang, measured=report._tables.warnings if on_spark else ())


@cli.command()
@log_options
@click.argument("new_log_path", metavar="[NEW_LOG]", required=False, type=click.Path(path_type=Path))
@click.option("--split", help="Compare cases begun before this date with those begun from it on, e.g. 2025-07-01 "
                              "(a rollout date). Without it, LOG is the old export and NEW_LOG the new one.")
@calendar_options
@out_option
@click.option("--target", help="Lead-time target for the share within target, e.g. 3wd.")
@lang_option
@json_option
def diff(new_log_path: Path | None, split: str | None, out_dir: Path | None, target: str | None, lang: str,
         as_json: bool, **kwargs) -> None:
    """Before and after: did the redesign work? KPI deltas with confidence intervals, steps and paths
    faster or slower, new and removed, the shift in variants, and a difference map.

    Cases are split by their first event (--split), or come from two exports (LOG = old, NEW_LOG =
    new, read with the same options). A change whose 95 % interval contains 0 is said to be within noise.

    \b
    Writes to OUT (with -o): diff.json, diff_*.csv, diff.xlsx, diff_map.png/.svg.

    \b
    Examples:
      procmine diff sample_logs/付款审批_改造前后.csv --split 2025-07-01 -o out/
      procmine diff old_export.csv new_export.csv --target 3wd
    """
    from procmine.compare.periods import check_split, compare_periods

    if (split is None) == (new_log_path is None):
        raise click.UsageError("give either --split DATE (one log) or a second log NEW_LOG (two exports).")
    if split is not None:
        check_split(split)  # before the log is read
    second = dict(kwargs, log_path=new_log_path) if new_log_path is not None else None
    log = _read(kwargs)
    other = _read(second) if second is not None else None
    calendar = _calendar(kwargs, log)
    result = compare_periods(log, split=split, other=other, calendar=calendar, target=target)
    paths = _write(out_dir, log, lang, result)  # diff.json states its two sides, not the filters
    _emit(result, log, calendar, paths, as_json, lang)


@cli.command()
@log_options
@calendar_options
@out_option
@click.option("--target", help="Lead-time target, e.g. 3wd (3 working days) or 8h (8 working hours).")
@lang_option
@json_option
def kpi(out_dir: Path | None, target: str | None, lang: str, as_json: bool, **kwargs) -> None:
    """KPIs: lead time (calendar and working), rejection rate, first-time-right, monthly table.

    \b
    Writes to OUT (with -o): kpi_trend.png/.svg (monthly cases and median lead time against the
    target), kpi.json, kpi_by_month.csv.

    \b
    Example:
      procmine kpi sample_logs/合同审批.csv --target 3wd
    """
    from procmine.analyse.kpi import kpis

    on_spark = kwargs.get("engine") == "spark"
    log = _read_spark(kwargs, say_losses=False) if on_spark else _read(kwargs)
    calendar = _calendar(kwargs, log)
    report = kpis(log, target=target, calendar=calendar)
    if on_spark:  # the losses include the duplicates, counted with the figures
        _say_losses(log, log.source.path)
        _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
    paths = _write(out_dir, log, lang, report, filters=log.filters)
    _emit(report, log, calendar, paths, as_json, lang)


@cli.command()
@log_options
@calendar_options
@out_option
@lang_option
@json_option
def loops(out_dir: Path | None, lang: str, as_json: bool, **kwargs) -> None:
    """Loops and rework: self-loops, returns to earlier steps, send-backs, ping-pong.

    Each loop with its activities, the cases that went round it, their share, the extra
    working time (median lead time of cases with the loop minus without) and the step that
    sends work back.

    \b
    Writes to OUT (with -o): loops.png/.svg, loops.json.

    \b
    Example:
      procmine loops sample_logs/费用报销.xlsx -o out/
    """
    from procmine.analyse.loops import find_loops

    on_spark = kwargs.get("engine") == "spark"
    log = _read_spark(kwargs) if on_spark else _read(kwargs)
    calendar = _calendar(kwargs, log)
    report = find_loops(log, calendar)
    if on_spark:
        _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
    paths = _write(out_dir, log, lang, report, filters=log.filters)
    measured = [w for w in report.warnings if w not in getattr(calendar, "warnings", [])] if on_spark else ()
    _emit(report, log, calendar, paths, as_json, lang, measured=measured)


@cli.command()
@log_options
@calendar_options
@out_option
@lang_option
@json_option
@click.option("--design", "design_path", type=click.Path(path_type=Path),
              help="The designed process (YAML, step table or BPMN): its control points are never proposed for "
                   "removal.")
def improve(out_dir: Path | None, lang: str, as_json: bool, design_path: Path | None = None, **kwargs) -> None:
    """Improvement candidates: rubber-stamp approvals, slow steps to time-limit (with their cause), steps to
    merge, to run in parallel, unclear owners.

    Following the method's principles (删减冗余环节、合并相似步骤、并行处理、明确责任主体), each
    candidate comes with its evidence in numbers, an estimated saving in working hours per case with
    the method of the estimate, and a confidence. Control steps (finance, legal, risk, compliance,
    audit, the top approval authority, the design's control points) are never proposed for removal.

    \b
    Writes to OUT (with -o): improvements.json.

    \b
    Example:
      procmine improve sample_logs/合同审批.csv
    """
    from procmine.analyse.improve import improvement_candidates

    design = _design(design_path)
    on_spark = kwargs.get("engine") == "spark"
    log = _read_spark(kwargs) if on_spark else _read(kwargs)
    calendar = _calendar(kwargs, log)
    report = improvement_candidates(log, calendar, design=design)
    if on_spark:
        _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
    paths = _write(out_dir, log, lang, report, filters=log.filters)
    measured = [w for w in report.warnings if w not in getattr(calendar, "warnings", [])] if on_spark else ()
    _emit(report, log, calendar, paths, as_json, lang, measured=measured)


@cli.command()
@log_options
@click.argument("design_path", metavar="DESIGN", type=click.Path(path_type=Path))
@calendar_options
@out_option
@lang_option
@json_option
def compare(design_path: Path, out_dir: Path | None, lang: str, as_json: bool, **kwargs) -> None:
    """Compare the current process with the designed future process (与设计流程对比).

    DESIGN is procmine's YAML design, the method's step table (CSV/XLSX with 流程步骤,
    责任部门/岗位, 时间要求 …) or a BPMN 2.0 file from a modeller. Lists, over completed cases:
    fitness (pm4py token-based replay), unplanned and skipped steps, hand-offs the design
    does not allow, rule violations with every case id, time-limit violations in working
    time, responsibility violations and targets.

    \b
    Writes to OUT (with -o): comparison.png/.svg (the design's flow with the log's cases;
    hand-offs outside the design in red, unused ones dashed), comparison.json,
    deviations.csv (one row per case and deviation), design.bpmn (the design as BPMN with layout).

    \b
    Example:
      procmine compare sample_logs/客户投诉处理.csv sample_logs/客户投诉处理.design.yaml -o out/
    """
    from procmine.compare import compare as compare_with_design

    design = _design(design_path)
    on_spark = kwargs.get("engine") == "spark"
    log = _read_spark(kwargs) if on_spark else _read(kwargs)
    calendar = _calendar(kwargs, log)
    _progress("replaying the log on the design")
    report = compare_with_design(log, design, calendar)
    if on_spark:
        _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
    paths = _write(out_dir, log, lang, report, filters=log.filters)
    _emit(report, log, calendar, paths, as_json, lang, measured=report.warnings if on_spark else ())


@cli.command()
@log_options
@calendar_options
@out_option
@click.option("--top", type=click.IntRange(1, 50), default=10, show_default=True,
              help="Variants shown one by one in the text and chart; the rest form one row (variants.csv has all).")
@click.option("--timeline", "timeline_case", metavar="CASE_ID",
              help="One case's timeline: print its steps and, with -o, draw timeline_<CASE_ID>.png/.svg.")
@click.option("--design", "design_path", type=click.Path(path_type=Path),
              help="Designed process (YAML, step table or BPMN, as for procmine compare): adds each case's "
                   "deviation count to cases.csv and writes deviations.csv.")
@lang_option
@json_option
def cases(out_dir: Path | None, top: int, timeline_case: str | None, design_path: Path | None, lang: str,
          as_json: bool, **kwargs) -> None:
    """Drill down: every case id, the variants, one case's timeline (案例明细、变体、单案例时间线).

    The case table has one row per case: variant rank, first and last time, events, lead time
    in calendar and working hours, open/closed, rejected, sent back, repeated steps and (with
    --design) deviations. The variants are ranked by cases, with share and median lead time
    of their completed cases in working and calendar days.

    \b
    Writes to OUT (with -o): cases.csv, variants.csv (every variant, rank = variant_id in
    cases.csv), variants.png/.svg (the top variants); with --design deviations.csv (one row per
    case and deviation); with --timeline timeline_<CASE_ID>.png/.svg.

    \b
    Example:
      procmine cases sample_logs/合同审批.csv -o out/ --timeline HT2025-0001
    """
    from procmine.analyse.cases import case_table, case_timeline
    from procmine.analyse.variants import explore_variants

    design = _design(design_path)
    log = _read(kwargs)
    calendar = _calendar(kwargs, log)
    comparison = None
    if design is not None:
        from procmine.compare import compare as compare_with_design

        _progress("replaying the log on the design")
        comparison = compare_with_design(log, design, calendar)
    table = case_table(log, calendar, design_comparison=comparison)
    explorer = explore_variants(log, calendar, top=top)
    timeline = case_timeline(log, timeline_case, calendar) if timeline_case is not None else None
    deviations = [(comparison, {"only": ["deviations.csv"]})] if comparison is not None else []
    paths = _write(out_dir, log, lang, table, explorer, *deviations, *([timeline] if timeline is not None else []))
    _warn_calendar(calendar, log, lang)
    if as_json:
        payload = {"cases": {k: v for k, v in table.to_dict().items() if k != "rows"},
                   "variants": explorer.to_dict(),
                   "timeline": None if timeline is None else timeline.to_dict()}
        if log.filters:
            payload["filters"] = [f.describe("en") for f in log.filters]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if log.filters:
        click.echo(PHRASES("filter", lang, said="；".join(f.describe(lang) for f in log.filters)))
    click.echo(table.describe(lang))
    click.echo(explorer.describe(lang))
    if timeline is not None:
        click.echo(timeline.describe(lang))
    if paths:
        click.echo(_wrote(lang) + "\n" + "\n".join(f"  {p}" for p in paths.values()))

def _guard_outputs(outputs, folders=()) -> None:
    """Refuse (one line, exit 2) to write onto any file this run reads: the log, a design, a
    --holidays or --departments file, by path, link or hard link; or to replace the files of
    ``folders`` when an input lies inside one."""
    from procmine.output import refuse_overwriting_inputs

    refuse_overwriting_inputs(outputs, _State.inputs, folders)



MONITOR_OUTPUTS = ["report.html", "report.md", "report_files", "report.docx", "report.xlsx", "stuck_cases.csv",
                   "monthly.csv"]


@cli.command()
@log_options
@calendar_options
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("procmine_monitoring"),
              show_default=True, help="Folder for the monitoring report (HTML, Markdown, Word, Excel) and its CSVs.")
@click.option("--as-of", "as_of", help="The moment to report as of, e.g. 2025-12-31 18:00 (default: the log's latest "
                                       "time, which the report says).")
@click.option("--target", help="Lead-time target, e.g. 3wd. Default: the design's lead_time target with --design, "
                               "else the method's example 3wd (marked 示例目标).")
@click.option("--design", "design_path", type=click.Path(path_type=Path),
              help="The designed process: its time limit per step decides which cases are stuck, and deviations "
                   "are counted by month.")
@click.option("--stuck-after", help="Limit for a step without a designed time limit, e.g. 1wd (default), 4h, 2d.")
@lang_option
@json_option
def monitor(out_dir: Path, as_of: str | None, target: str | None, design_path: Path | None, stuck_after: str | None,
            lang: str, as_json: bool, **kwargs) -> None:
    """The monthly monitoring report (流程执行监控报表): KPIs by month against the target, incomplete
    months marked; every case stuck as of --as-of (who holds it, at which step, since when, how long
    in working time); with --design, deviations and time-limit breaches by month.

    \b
    Writes to OUT: report.html, report.md (+ report_files/), report.docx, report.xlsx,
    stuck_cases.csv (every open step, stuck or not) and monthly.csv.

    \b
    Example:
      procmine monitor sample_logs/付款审批_改造前后.csv --design sample_logs/付款审批_改造前后.design.yaml -o out/
    """
    from procmine.calendar import parse_duration_target
    from procmine.report.monitoring import build_monitoring_report

    for given in (target, stuck_after):
        if given:
            parse_duration_target(given)  # a bad limit fails before the long work
    design = _design(design_path)
    on_spark = kwargs.get("engine") == "spark"
    log = _read_spark(kwargs) if on_spark else _read(kwargs)
    calendar = _calendar(kwargs, log)
    paths = _prepare_out(out_dir, log, MONITOR_OUTPUTS)
    _guard_outputs([], folders=[paths["report_files"]])  # the report replaces the charts and tables there
    report = build_monitoring_report(log, as_of=as_of, target=target, design=design, stuck_after=stuck_after,
                                     calendar=calendar, lang=lang, progress=_progress)
    stuck, months = report.results["stuck"], report.results["monthly"]
    if report.results["target_source"] == "example":
        _note("no --target: the report uses the method's example target 3wd (marked 示例目标)")
    if on_spark:
        _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
    _warn_calendar(calendar, log, lang)
    with writing(out_dir, "the monitoring report cannot be written"):
        written = report.write_all(out_dir)
    written |= stuck.write(out_dir, lang=lang) | months.write(out_dir, lang=lang)
    if as_json:
        click.echo(json.dumps({"as_of": stuck.as_of.isoformat(), "target": report.results["target"],
                               "target_source": report.results["target_source"], "stuck": stuck.to_dict(),
                               "months": months.table.to_dicts()}, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(stuck.describe(lang))
    click.echo(_wrote(lang) + "\n" + "\n".join(f"  {p}" for p in written.values()))


@cli.command()
@log_options
@calendar_options
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("procmine_report"),
              show_default=True, help="Folder for report.html, report.md (+ report_files/), report.docx and report.xlsx.")
@click.option("--design", "design_path", type=click.Path(path_type=Path),
              help="Designed process to compare with (YAML, step table or BPMN, as for procmine compare): "
                   "adds the section 与设计流程对比.")
@click.option("--target",
              help="Lead-time target, e.g. 3wd (3 working days), 8h, 2d (calendar days); none for no target. "
                   "Default: the design's lead_time target with --design, else 3wd (the method's example "
                   "审批时长≤3个工作日, marked 示例目标 in the report).")
@click.option("--process", "process_name", help="Process name in the title (default: the log file's name).")
@click.option("--split", help="A rollout date, e.g. 2025-07-01: adds the section 改造前后对比 (cases begun before it "
                              "against those begun from it on), as procmine diff.")
@lang_option
@click.option("--quiet", is_flag=True, help="No progress messages on stderr (same as procmine -q).")
def report(out_dir: Path, design_path: Path | None, target: str, process_name: str | None, lang: str, quiet: bool,
           split: str | None = None, **kwargs) -> None:
    """The current-state survey report (现状调研分析报告): HTML, Markdown, Word and Excel.

    Sections: 调研范围与数据 (scope, data, column mapping, calendar, data quality), 当前流程图
    (flowchart, variants), 时效与KPI (lead-time distribution against the target, monthly trend),
    瓶颈分析 (heat map, top bottlenecks), 返工与循环, 岗位与部门 (workload, hand-offs between
    departments), 改进机会, 与设计流程对比 (with --design) and an appendix defining every measure.
    Every number states its unit and whether it is working or calendar time.

    \b
    Writes to OUT:
      report.html    one self-contained file: charts embedded, no network references
      report.md      Markdown; report_files/ beside it holds the charts (200 dpi PNG) and tables (CSV)
      report.docx    Word, to finish editing and send
      report.xlsx    every table of the report, one sheet each (numbers as numbers)

    \b
    Example:
      procmine report sample_logs/合同审批.csv -o procmine_report/
    """
    from procmine.calendar import parse_duration_target
    from procmine.report import build_report

    if quiet:
        _State.quiet = True
    design = _design(design_path)
    target_source = "given"
    if target is None:  # one target throughout the report: the design's, when it has one
        designed = next((t.text for t in (design.targets if design else ()) if t.name == "lead_time"), None)
        target, target_source = (designed, "design") if designed else ("3wd", "example")
        if not designed:
            _note("no --target: the report uses the method's example target 3wd (marked 示例目标); "
                  "set the process's own with --target, or --target none")
    target = None if target.strip().lower() in ("none", "") else target
    if target is not None:
        parse_duration_target(target)  # a bad target fails before the long work
    on_spark = kwargs.get("engine") == "spark"
    log = _read_spark(kwargs) if on_spark else _read(kwargs)
    calendar = _calendar(kwargs, log)
    paths = _prepare_out(out_dir, log, ["report.html", "report.md", "report_files", "report.docx", "report.xlsx"])
    _guard_outputs([], folders=[paths["report_files"]])  # the report replaces the charts and tables there
    survey = build_report(log, calendar, design=design, target=target, lang=lang, progress=_progress,
                          target_source=target_source,
                          process=process_name, before_after=split)
    if on_spark:
        _note(PHRASES("spark_figures", lang, master=log.spark.sparkContext.master))
    _warn_calendar(calendar, log, lang, measured=survey.results["bottlenecks"]._tables.warnings if on_spark else ())
    _progress("writing report.html, report.md, report.docx and report.xlsx")
    with writing(out_dir, "the report cannot be written"):
        written = survey.write_all(out_dir)
    click.echo(f"{survey.title}: {len(survey.sections)} sections, {len(survey.tables())} tables, "
               f"{len(survey.charts())} charts")
    for section in survey.sections:
        click.echo(f"  {section.heading}")
    click.echo(_wrote(lang) + "\n" + "\n".join(f"  {written[k]}" for k in ("html", "markdown", "files", "docx", "xlsx")))


def _keywords(values: tuple[str, ...]) -> dict[str, list[str]]:
    """--keyword 同意=可以,OK (repeatable) as {outcome: words}."""
    table: dict[str, list[str]] = {}
    for value in values:
        outcome, sep, words = value.partition("=")
        listed = [w.strip() for w in re.split(r"[,，]", words) if w.strip()]
        if not sep or not outcome.strip() or not listed:
            raise click.BadParameter(f"{value!r}: write OUTCOME=WORD[,WORD...], e.g. 同意=可以,OK",
                                     param_hint="--keyword")
        table.setdefault(outcome.strip(), []).extend(listed)
    return table


@cli.command("from-email")
@click.argument("mail_path", metavar="PATH", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_file", type=click.Path(path_type=Path),
              help="CSV file for the event log, UTF-8 with BOM so that Excel shows Chinese: case, activity, "
                   "timestamp (ISO 8601 with offset), resource, department, outcome, then message (its number), "
                   "comment, decision_word, subject, sender, message_id, file. Every procmine command reads it.")
@click.option("--id-pattern", help="Regular expression finding the request id in a subject (named group 'id', "
                                   "else the first group, else the whole match). Default: capitals + digits such "
                                   "as HT2025001 or BX-2025-0042, or what follows 编号/单号.")
@click.option("--keyword", "keywords", multiple=True, metavar="OUTCOME=WORD[,WORD...]",
              help="More decision words for an outcome, e.g. --keyword 同意=可以,OK (repeatable). Outcomes: "
                   "同意, 驳回, 退回, 转交, 加签, or a new one.")
@click.option("--departments", "departments_file", type=click.Path(path_type=Path),
              help="CSV/XLSX mapping senders to departments: columns key (address, @domain or display name), "
                   "department, and optionally step (the activity name for that sender's decisions).")
@click.option("--timezone", default="Asia/Shanghai", show_default=True,
              help="Time zone of the log: Date headers are converted to it.")
@click.option("--strict", is_flag=True, help="Exit with code 3 when any message is broken or unassigned "
                                             "(any data-quality problem); the CSV is still written.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary and data-quality report as JSON.")
@PRIVACY_OPTIONS[0]
@PRIVACY_OPTIONS[1]
@PRIVACY_OPTIONS[2]
def from_email(mail_path: Path, out_file: Path | None, id_pattern: str | None, keywords: tuple[str, ...],
               departments_file: Path | None, timezone: str, strict: bool, as_json: bool, **privacy) -> None:
    """Turn approval e-mails (a folder of .eml files, or an .mbox file) into an event log.

    Cases come from the request id in the subject (【审批】合同HT2025001), else from the thread;
    decisions (同意/批准/通过, 驳回/不同意, 退回, 转交, 加签, approve/reject) are read from each
    reply's own text, never from the quoted message below it. Prints how many messages were
    read, the cases, the decisions by outcome, and the messages left out (unassigned, broken)
    with their reasons; -o writes the event log as CSV.

    \b
    Example:
      procmine from-email sample_logs/邮件审批.mbox -o out/邮件审批.csv
      procmine discover out/邮件审批.csv -o out/
    """
    from procmine.read.emails import email_summary, read_emails, write_log_csv

    table = _keywords(keywords)
    _State.inputs.update({"the input mailbox": mail_path, "the --departments file": departments_file})
    if out_file is not None:
        _guard_outputs([out_file])
        if mail_path.is_dir() and out_file.suffix.lower() == ".eml" and out_file.resolve().is_relative_to(
                mail_path.resolve()):
            raise OutputError(f"{out_file}: would overwrite a message of the input folder. Choose a .csv file "
                              "with -o.")
        if out_file.is_dir():
            raise OutputError(f"{out_file}: is a folder; -o needs a file name such as log.csv.")
    log = read_emails(mail_path, id_pattern=id_pattern, keywords=table, departments=departments_file,
                      timezone=timezone, progress=_progress)
    log = _pseudonymise(log, **privacy)
    summary = email_summary(log)
    if out_file is not None:
        with writing(out_file):
            out_file.parent.mkdir(parents=True, exist_ok=True)
            write_log_csv(log, out_file)
    if as_json:
        click.echo(json.dumps({"email": summary.to_dict(), "summary": log.summary().to_dict(),
                               "quality": log.quality.to_dict(), "output": str(out_file) if out_file else None},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(str(summary))
        click.echo(str(log.quality))
        if out_file is not None:
            click.echo(f"Wrote {out_file} (UTF-8 with BOM)")
    if strict:
        log.quality.raise_if_problems()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning procmine's errors into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    _State.debug = "--debug" in args
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = _run(args)
    _say_warnings(caught)
    return code


def _say_warnings(caught) -> None:
    """No Python warning reaches a user as such: procmine's own are one line in its words (once
    each); those of the libraries underneath only with --debug."""
    package = Path(__file__).resolve().parent
    said = set()
    for warning in caught:
        message = str(warning.message).splitlines()[0]
        ours = Path(warning.filename).resolve().is_relative_to(package)
        if message in said or not (ours or _State.debug):
            continue
        said.add(message)
        click.echo(f"procmine: note: {message}" if ours else
                   f"procmine: debug: {warning.category.__name__} from {warning.filename}:{warning.lineno}: {message}",
                   err=True)


def _run(args: list[str]) -> int:
    try:
        cli.main(args=args, prog_name="procmine", standalone_mode=False)
    except ProcmineError as exc:
        if _State.debug:
            traceback.print_exc()
        click.echo(f"procmine: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("procmine: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("procmine: interrupted", err=True)
        return 130
    except Exception as exc:  # a bug in procmine: say so plainly
        if _State.debug:
            traceback.print_exc()
        else:
            click.echo(f"procmine: internal error: {type(exc).__name__}: {exc} "
                       "(run with --debug for the traceback and report it)", err=True)
        return 70
    return 0


def run() -> None:
    """The ``procmine`` command: :func:`main`, then the process ends at once. What it printed is
    flushed first; the interpreter's teardown, which frees every table one by one (0.6 s after
    discover at 10M events), is skipped: the files are written and closed, the helpers stopped.
    With Spark in use, the usual exit (its shutdown hooks stop the JVM)."""
    code = main()
    if "pyspark" in sys.modules:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (procmine … | head): nothing more to say
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
