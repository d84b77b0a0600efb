"""What the four platform readers share: the step record, times, the accounting, the table.

Each platform module turns its records into :class:`Step` objects and tells a
:class:`Reading` what it set aside and why; :meth:`Reading.table` then builds the
:class:`~procmine.read.files.RawTable` that :func:`procmine.read.build_log` finishes, so a
platform's log has the same columns, checks and data-quality counts as any other.

Counting: a *record* is one operation (DingTalk operation record, Feishu timeline entry,
WeCom approver detail, Weaver requestlog row) or one task/work item the platform lists on
its own. Every record becomes an event, is merged into one (a task giving an operation its
arrival time), or is dropped with its reason, so ``rows_read == events + dropped + merged``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from procmine.check import DROPPED, MERGED, Finding
from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, START, TIMESTAMP, Source
from procmine.read.columns import ColumnMapping
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import RawTable

EXAMPLES = 3
#: Epoch numbers at or above this are milliseconds (1e11 s is the year 5138).
MILLISECONDS_FROM = 10**11
#: Activity of a submission, of a later one in the same case, and of a withdrawal (as
#: :mod:`procmine.read.history` names them).
SUBMIT, RESUBMIT, WITHDRAW = "提交", "重新提交", "撤回"

_LOCAL_TIME = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?)?\s*$")


class BadTime(ValueError):
    """A time value none of the platforms' formats reads."""


class Clock:
    """Reads every time format the platforms write, as aware datetimes in ``timezone``.

    >>> clock = Clock("Asia/Shanghai")
    >>> str(clock.read("1741140120000")), str(clock.read(1741140120)), str(clock.read("2025-03-05 10:02:00"))
    ('2025-03-05 10:02:00+08:00', '2025-03-05 10:02:00+08:00', '2025-03-05 10:02:00+08:00')
    >>> clock.read("0") is None                                  # Feishu/WeCom: not done yet
    True
    """

    def __init__(self, timezone: str):
        self.zone = ZoneInfo(timezone)
        self.shapes: Counter = Counter()

    def read(self, value) -> datetime | None:
        """None for an empty value or an epoch of 0 (open); :class:`BadTime` for anything unreadable."""
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return self._epoch(float(value))
        text = str(value).strip()
        if not text or text.lower() in ("null", "none"):
            return None
        if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            return self._epoch(float(text))
        found = _LOCAL_TIME.match(text)
        if found:
            year, month, day, hour, minute, second = (int(g) if g else 0 for g in found.groups())
            try:
                moment = datetime(year, month, day, hour, minute, second, tzinfo=self.zone)
            except ValueError:
                raise BadTime(text) from None
            self.shapes["local date and time"] += 1
            return moment
        try:  # ISO 8601 with an offset or Z (DingTalk v1.0 writes 2025-03-05T02:02Z, in UTC)
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise BadTime(text) from None
        if moment.tzinfo is None:
            self.shapes["local date and time"] += 1
            return moment.replace(tzinfo=self.zone)
        self.shapes["ISO 8601 with offset"] += 1
        return moment.astimezone(self.zone)

    def _epoch(self, number: float) -> datetime | None:
        if number == 0:
            return None
        if number < 0:
            raise BadTime(str(number))
        if number >= MILLISECONDS_FROM:
            self.shapes["epoch milliseconds"] += 1
            number /= 1000
        else:
            self.shapes["epoch seconds"] += 1
        try:
            return datetime.fromtimestamp(number, tz=UTC).astimezone(self.zone)
        except (OverflowError, OSError, ValueError):
            raise BadTime(str(number)) from None


@dataclass
class Step:
    """One event of the log (or an open step: ``time`` None, ``start`` set). A submission or
    withdrawal is an instant: its ``start`` is its ``time``."""

    case: str
    activity: str | None
    time: datetime | None
    start: datetime | None = None
    resource: str | None = None
    department: str | None = None
    outcome: str | None = None      # the Chinese label of the vocabulary: 同意, 驳回, 退回 …
    action: str | None = None       # the platform's own code: AGREE, PASS, 2, logtype 0 …
    comment: str | None = None
    record: str = ""                # where it was read: file and position


@dataclass
class Reading:
    """Steps read so far, and every record set aside, by reason."""

    platform: str
    clock: Clock
    step_names: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    attributes: dict[str, dict[str, object]] = field(default_factory=dict)   # case → its columns
    open_cases: set[str] = field(default_factory=set)
    set_aside: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    unknown: Counter = field(default_factory=Counter)
    instances: int = 0
    notes: list[str] = field(default_factory=list)

    def name(self, *keys) -> str | None:
        """The activity name the ``step_names`` mapping gives the first key it knows."""
        for key in keys:
            if key is not None and str(key) in self.step_names:
                return self.step_names[str(key)]
        return None

    def aside(self, reason: str, instance: int, text: str) -> None:
        """A record that is not an event: ``reason`` is a key of :data:`REASONS`."""
        self.set_aside.setdefault(reason, []).append((instance, text))

    def unknown_operation(self, code: str, instance: int, text: str) -> None:
        self.unknown[code] += 1
        self.aside("unknown_operation", instance, text)

    def time(self, value, instance: int, what: str) -> datetime | None | BadTime:
        """The time of ``value``; a :class:`BadTime` (counted as dropped) when unreadable."""
        try:
            return self.clock.read(value)
        except BadTime as bad:
            self.aside("time_unreadable", instance, f"{what}: {value!r}")
            return bad

    def add(self, step: Step) -> None:
        self.steps.append(step)

    def findings(self) -> list[Finding]:
        found = []
        for reason, examples in self.set_aside.items():
            code, message, action, severity = REASONS[reason]
            if reason == "unknown_operation":
                listed = ", ".join(f"{c} ({n:,})" for c, n in self.unknown.most_common())
                message = message.format(platform=self.platform, listed=listed)
            found.append(Finding(code, message, len(examples), action, column=self.platform,
                                 examples=examples[:EXAMPLES], severity=severity))
        return found

    def table(self, path: str, timezone: str) -> tuple[RawTable, ColumnMapping]:
        """The steps as a raw table with standard column names, and its mapping."""
        steps = self.steps
        attributes = list(dict.fromkeys(k for values in self.attributes.values() for k in values))
        columns: dict[str, pl.Series] = {
            RAW_ROW: pl.Series(range(1, len(steps) + 1), dtype=pl.UInt32),
            CASE: pl.Series([s.case for s in steps], dtype=pl.String),
            ACTIVITY: pl.Series([s.activity for s in steps], dtype=pl.String),
            TIMESTAMP: pl.Series([s.time for s in steps], dtype=pl.Datetime("us", timezone)),
            START: pl.Series([s.start for s in steps], dtype=pl.Datetime("us", timezone)),
            RESOURCE: pl.Series([s.resource for s in steps], dtype=pl.String),
            DEPARTMENT: pl.Series([s.department for s in steps], dtype=pl.String),
            OUTCOME: pl.Series([s.outcome for s in steps], dtype=pl.String),
            "action": pl.Series([s.action for s in steps], dtype=pl.String),
            "comment": pl.Series([s.comment for s in steps], dtype=pl.String),
            "record": pl.Series([s.record for s in steps], dtype=pl.String),
        }
        for name in attributes:
            if name in columns:
                continue
            values = [self.attributes.get(s.case, {}).get(name) for s in steps]
            columns[name] = pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
        frame = pl.DataFrame(columns)
        shapes = ", ".join(f"{shape} ({n:,})" for shape, n in self.clock.shapes.most_common()) or "—"
        source = Source(path=path, format=self.platform)
        source.notes.append(
            f"{PLATFORM_NAMES[self.platform]} records: {self.instances:,} instances, {len(steps):,} steps "
            f"(open ones included); a row is an event in reading order, its 'record' column says where it was "
            f"read; times read as: {shapes} (without an offset: {timezone})")
        source.notes.extend(self.notes)
        if self.open_cases:
            source.notes.append(f"{len(self.open_cases):,} instance{'s' if len(self.open_cases) > 1 else ''} "
                                "still in progress (status, or a task not finished)")
        has_start = any(s.start is not None for s in steps)
        mapping = ColumnMapping(case=CASE, activity=ACTIVITY, timestamp=TIMESTAMP,
                                start_timestamp=START if has_start else None, resource=RESOURCE,
                                department=DEPARTMENT, outcome=OUTCOME)
        if not has_start:
            frame = frame.drop(START)
        return RawTable(frame, source, self.findings()), mapping


PLATFORM_NAMES = {"dingtalk": "DingTalk (钉钉)", "feishu": "Feishu/Lark (飞书)", "wecom": "WeCom (企业微信)",
                  "weaver": "Weaver e-cology (泛微)"}

#: Why a record is not an event: reason → (finding code, message, action, severity).
REASONS: dict[str, tuple[str, str, str, str]] = {
    "not_a_step": (
        "platform_not_a_step",
        ("not a step: cc (抄送), remarks (评论/批注), forwards (转发), saved drafts and the instance's end marker "
         "are notifications or markers, not steps of the process (examples give the instance's place in the input)"),
        DROPPED, "info"),
    "unknown_operation": (
        "platform_unknown_operation",
        ("{platform} operation types procmine does not know, so no event was made for them: {listed}. If they are "
         "steps of the process, tell the procmine maintainers what they mean"),
        DROPPED, "warning"),
    "task_merged": (
        "platform_task_merged",
        "task (work item) folded into the operation that completed it: its arrival time is the step's arrival time",
        MERGED, "info"),
    "or_sign_waiting": (
        "platform_or_sign_waiting",
        "another holder of the same waiting or-sign node (或签): the node is one open step",
        MERGED, "info"),
    "task_not_acted": (
        "platform_task_not_acted",
        ("task closed without its holder acting (another approver of an or-sign node decided, or the instance "
         "ended first)"),
        DROPPED, "info"),
    "duplicate_approver": (
        "platform_duplicate_approver",
        "approval skipped because the same person had already approved (Feishu REMOVE_REPEAT)",
        DROPPED, "info"),
    "duplicate_instance": (
        "platform_duplicate_instance",
        "instance read twice (saved in two responses); the first copy is used",
        DROPPED, "info"),
    "not_an_instance": (
        "platform_not_an_instance",
        ("saved response holding no approval instance (an error response such as errcode/errmsg, or an empty "
         "page); nothing was read from it"),
        DROPPED, "warning"),
    "time_unreadable": (
        "platform_time_unreadable",
        "operation time cannot be read as a date and time; no event was made",
        DROPPED, "warning"),
    "no_time": (
        "platform_no_time",
        "operation without a time (and not an open task); no event was made",
        DROPPED, "warning"),
}


def instance_submission(reading: Reading, case: str, number: int, value, user: str | None,
                        department: str | None, record: str) -> None:
    """The submission (提交) from the instance's own create time and originator, for an instance
    whose operations do not record it."""
    moment = reading.time(value, number, f"{case} · {record}")
    if moment is None or isinstance(moment, BadTime):
        return
    reading.add(Step(case, SUBMIT, moment, start=moment, resource=user, department=department, outcome=SUBMIT,
                     action=record.rsplit(" ", 1)[-1], record=record))


def first(record: dict, *keys, default=None):
    """The value of the first key present and not empty (camelCase and snake_case spellings)."""
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return default


def text(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def upper(value) -> str:
    return (text(value) or "").upper()


def submission(case_steps: int) -> str:
    """提交 for a case's first submission, 重新提交 for a later one."""
    return SUBMIT if case_steps == 0 else RESUBMIT


def operation(reading: "Reading", operations: dict, code: str | None, instance: int, shown: str, when):
    """(kind, label, moment) of one operation record, or None when it makes no event: an unknown
    type (listed), a notification or remark (not a step), a repeated approval, or no readable time
    (each counted with its reason)."""
    if code not in operations:
        reading.unknown_operation(code or "(no type)", instance, shown)
        return None
    kind, label = operations[code]
    if kind in ("not_step", "repeat"):
        reading.aside("not_a_step" if kind == "not_step" else "duplicate_approver", instance, shown)
        return None
    moment = reading.time(when, instance, shown)
    if isinstance(moment, BadTime):
        return None
    if moment is None:
        reading.aside("no_time", instance, shown)
        return None
    return kind, label, moment


def place(path: Path | str, index: int, part: str = "") -> str:
    """Where a record was read: ``file.json #3 timeline[2]``."""
    return f"{Path(path).name} #{index}" + (f" {part}" if part else "")
