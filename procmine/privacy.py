"""Pseudonymisation (去标识化): people, and optionally departments, replaced by stable pseudonyms.

A pseudonym is a keyed hash (HMAC-SHA256) of the name: the same person has the same pseudonym
in every output and every run with the same key, and without the key nobody can compute which
name a pseudonym stands for (try names one by one, as they could with a plain hash). The key
lives in a file the analyst keeps apart from the outputs; procmine creates it when it is absent
and never overwrites it. What is and is not protected: docs/privacy.md.

    >>> key = load_key("procmine.key")                                   # doctest: +SKIP
    >>> log = pseudonymise(procmine.read_log("合同审批.csv"), key)         # doctest: +SKIP
    >>> log.events["resource"].head(2).to_list()                         # doctest: +SKIP
    ['人员-3F2A', '人员-91C0']

The log is changed right after reading, so every output made from it (charts, HTML, Markdown,
Word, CSV, Excel, JSON) inherits the pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from procmine.errors import ProcmineError

#: hexadecimal digits of a pseudonym; names whose first digits collide get LONG_DIGITS
SHORT_DIGITS, LONG_DIGITS = 4, 8
PERSON, DEPARTMENT_PREFIX = "人员", "部门"
#: what departments with fewer than ``min_department_size`` people become
SMALL_DEPARTMENTS = "其他部门（人数过少，已合并）"
#: names shorter than this are not looked for inside other text (a one-character name would match too much)
MIN_NAME_LENGTH = 2
#: e-mail addresses (senders of approval mails) name their owner in pinyin: they get pseudonyms too
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MAIL_PREFIX = "邮箱"


class PseudonymKeyError(ProcmineError):
    """The pseudonymisation key file cannot be read or created."""


def load_key(path: str | Path) -> tuple[bytes, bool]:
    """(key, created): the key in ``path``, or a new random 256-bit key written there when the file
    does not exist. An existing file is never overwritten."""
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise PseudonymKeyError(
                f"{path}: not a procmine pseudonymisation key (expected 64 hexadecimal characters). "
                "Give the key file of earlier runs, or a path that does not exist yet to create a new key."
            ) from None
        return key, False
    except OSError as exc:
        raise PseudonymKeyError(f"{path}: the key file cannot be created ({exc.strerror or exc}).") from None
    key = secrets.token_bytes(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key, True


def pseudonym(name: str, key: bytes, prefix: str = PERSON, digits: int = SHORT_DIGITS) -> str:
    """``人员-3F2A``: the first ``digits`` hex digits of HMAC-SHA256(key, prefix + name)."""
    digest = hmac.new(key, f"{prefix}\u001f{name}".encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:digits].upper()}"


def pseudonyms(names, key: bytes, prefix: str = PERSON) -> dict[str, str]:
    """Each distinct name's pseudonym; names whose short pseudonyms collide get longer ones."""
    names = sorted({str(n) for n in names if n is not None and str(n) != ""})
    short = {n: pseudonym(n, key, prefix) for n in names}
    counts: dict[str, int] = {}
    for value in short.values():
        counts[value] = counts.get(value, 0) + 1
    return {n: (p if counts[p] == 1 else pseudonym(n, key, prefix, LONG_DIGITS)) for n, p in short.items()}


@dataclass
class PseudonymisationReport:
    """What was replaced: counts, and what was left as it was (said on stderr and in docs/privacy.md)."""

    people: int = 0
    departments: int = 0
    merged_departments: list[str] = field(default_factory=list)
    #: activity labels that contained a person's name, which was replaced in them (审批人 named steps)
    names_in_activities: list[str] = field(default_factory=list)


def pseudonymise(log, key: bytes, *, departments: bool = False, min_department_size: int | None = None,
                 people: bool = True):
    """A copy of ``log`` with people (and with ``departments=True`` departments) pseudonymised.

    People in the resource column become ``人员-XXXX``; their names are also replaced wherever they
    appear inside other text: activity labels (赵磊审批 → 人员-3F2A审批), comments, submitter columns,
    history lines and the data-quality examples. Case ids are kept. Departments with fewer than
    ``min_department_size`` distinct people are merged into one group (k-anonymity for small
    teams). ``people=False`` keeps the names (only small departments are merged).
    Returns ``(log, report)``.
    """
    with_people = people
    from procmine.check import DataQualityReport, Finding
    from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE, EventLog

    events = log.events
    report = PseudonymisationReport()
    people: dict[str, str] = {}
    if RESOURCE in events.columns and with_people:
        people = pseudonyms(events[RESOURCE].drop_nulls().unique().to_list(), key, PERSON)
        report.people = len(people)
    groups: dict[str, str] = {}
    if DEPARTMENT in events.columns:
        names = events[DEPARTMENT].drop_nulls().unique().to_list()
        small: set[str] = set()
        if min_department_size and RESOURCE in events.columns:
            sizes = events.group_by(DEPARTMENT).agg(pl.col(RESOURCE).n_unique().alias("people"))
            small = {d for d, n in sizes.iter_rows() if d is not None and n < min_department_size}
            report.merged_departments = sorted(small)
        if departments:
            groups = pseudonyms([d for d in names if d not in small], key, DEPARTMENT_PREFIX)
            report.departments = len(groups)
        groups.update({d: SMALL_DEPARTMENTS for d in small})

    # names inside other text: longest first, so 王小明 is replaced before 王小
    inside = {n: p for n, p in people.items() if len(n) >= MIN_NAME_LENGTH}
    if departments:
        inside.update({d: g for d, g in groups.items() if len(d) >= MIN_NAME_LENGTH})
    order = sorted(inside, key=len, reverse=True)
    patterns, replacements = order, [inside[n] for n in order]

    def scrub_text(column: pl.Expr) -> pl.Expr:
        if not patterns:
            return column
        return column.str.replace_many(patterns, replacements)

    def addresses(column: pl.Series) -> pl.Expr | None:
        """The column with every e-mail address in it replaced by its pseudonym (None: it holds none)."""
        values = column.drop_nulls().unique()
        with_mail = values.filter(values.str.contains(EMAIL.pattern))
        if with_mail.is_empty():
            return None
        mapping = {v: EMAIL.sub(lambda m: pseudonym(m.group().lower(), key, MAIL_PREFIX), v)
                   for v in with_mail.to_list()}
        return pl.col(column.name).replace(mapping)

    def scrub(frame: pl.DataFrame | None) -> pl.DataFrame | None:
        if frame is None:
            return None
        if with_people:  # addresses first, so a name inside an address's display part is replaced after
            mails = [e for name, dtype in frame.schema.items() if dtype == pl.String and name != CASE
                     for e in [addresses(frame[name])] if e is not None]
            frame = frame.with_columns(mails) if mails else frame
        changes = []
        if RESOURCE in frame.columns and people:
            changes.append(pl.col(RESOURCE).replace(people))
        if DEPARTMENT in frame.columns and groups:
            changes.append(pl.col(DEPARTMENT).replace(groups))
        for name, dtype in frame.schema.items():
            if name in (CASE, RESOURCE, DEPARTMENT) or dtype != pl.String:
                continue
            changes.append(scrub_text(pl.col(name)))
        return frame.with_columns(changes) if changes else frame

    if patterns and ACTIVITY in events.columns:
        labels = events[ACTIVITY].drop_nulls().unique().sort().to_list()
        report.names_in_activities = [a for a in labels if any(n in a for n in patterns)]

    def scrub_value(value) -> str:
        text = str(value)
        for name in order:
            if name in text:
                text = text.replace(name, inside[name])
        return text

    quality = log.quality
    findings = [
        Finding(f.code, scrub_value(f.message), f.rows, f.action, column=f.column,
                examples=[(row, scrub_value(value)) for row, value in f.examples], severity=f.severity)
        for f in quality.findings
    ]
    new_quality = DataQualityReport(quality.source, quality.rows_read, quality.events, findings,
                                    row_word=quality.row_word)
    changed = EventLog(scrub(events), log.columns, log.source, new_quality, timezone=log.timezone,
                       open_cases=log.open_cases, open_steps=scrub(log.open_steps))
    changed.filters = log.filters
    return changed, report


def describe(report: PseudonymisationReport, key_path: Path | None, created: bool) -> list[str]:
    """The lines said on stderr after pseudonymising (English, as procmine's other notes)."""
    lines = []
    if key_path is None:  # only small departments merged
        return [f"{len(report.merged_departments):,} departments with too few people merged into "
                f"'{SMALL_DEPARTMENTS}'"] if report.merged_departments else []
    if created:
        lines.append(f"created the pseudonymisation key {key_path}: keep it private and apart from the outputs; "
                     "give the same file in later runs to keep the same pseudonyms (it is never overwritten)")
    said = f"{report.people:,} people"
    if report.departments:
        said += f" and {report.departments:,} departments"
    lines.append(f"pseudonymised {said} with the key in {key_path} (see docs/privacy.md for what is not protected)")
    if report.merged_departments:
        lines.append(f"{len(report.merged_departments):,} departments with too few people merged into "
                     f"'{SMALL_DEPARTMENTS}'")
    if report.names_in_activities:
        shown = ", ".join(report.names_in_activities[:3])
        lines.append(f"{len(report.names_in_activities):,} activity labels contained a person's name, now replaced by "
                     f"the pseudonym (e.g. {shown}); check that no other word was taken for a name")
    return lines
