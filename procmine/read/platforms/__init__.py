"""Approval records in the platforms' own shapes: DingTalk, Feishu/Lark, WeCom, Weaver e-cology.

    >>> log = procmine.read_log("sample_logs/platforms/feishu.json")          # doctest: +SKIP
    >>> log = procmine.read_log("saved_responses/", source="dingtalk")        # doctest: +SKIP
    >>> log = procmine.read_log(["workflow_requestlog.csv", "workflow_nodebase.csv"])  # doctest: +SKIP

Accepted inputs: a JSON file (one instance, a list, or a saved API response wrapping them), a
JSON Lines file (one per line), a folder of such files, or for Weaver the exported tables (a
folder, several paths, or the requestlog alone). The platform is recognised by its fields;
``source`` says it instead. Each platform module (:mod:`.dingtalk`, :mod:`.feishu`,
:mod:`.wecom`, :mod:`.weaver`) documents what it makes of each field; ``docs/platforms.md``
says how to get the records out of each platform.

The result is a :class:`~procmine.read.files.RawTable` with the standard columns that
:func:`procmine.read.build_log` finishes like every other reader's, so every command works on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from procmine.errors import LogFileError
from procmine.read.columns import ColumnMapping
from procmine.read.files import RawTable
from procmine.read.platforms import dingtalk, feishu, weaver, wecom
from procmine.read.platforms.common import PLATFORM_NAMES, Clock, Reading

__all__ = ["SOURCES", "PlatformRecords", "detect_source", "is_platform_input", "read_platform"]

SOURCES = ("dingtalk", "feishu", "wecom", "weaver")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
#: An object is an instance of a platform when it has every key of one of its signatures.
SIGNATURES: dict[str, tuple[tuple[str, ...], ...]] = {
    "dingtalk": (("operationRecords",), ("operation_records",), ("originatorUserId",), ("originator_userid",)),
    "feishu": (("timeline",), ("task_list",), ("instance_code", "approval_code")),
    "wecom": (("sp_record",), ("sp_no", "sp_status")),
}
MODULES = {"dingtalk": dingtalk, "feishu": feishu, "wecom": wecom, "weaver": weaver}
#: How deep wrappers ({"data": {"items": [...]}}) are searched for instances.
MAX_DEPTH = 6


@dataclass
class PlatformRecords:
    """A platform's records as a table for :func:`procmine.read.build_log`."""

    table: RawTable
    mapping: ColumnMapping
    open_cases: frozenset[str]
    platform: str


def is_platform_input(path, source: str | None = None) -> bool:
    """Whether :func:`procmine.read_log` should read ``path`` with :func:`read_platform`."""
    if source is not None or isinstance(path, (list, tuple)):
        return True
    path = Path(path)
    return path.is_dir() or path.name.lower().endswith(JSON_SUFFIXES)


def read_platform(
    path: str | Path | Sequence[str | Path],
    *,
    source: str | None = None,
    timezone: str = "Asia/Shanghai",
    step_names: str | Path | Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> PlatformRecords:
    """Read a platform's records (see the module's docstring) into a table of steps.

    ``step_names`` names activities where the platform gives ids only: a mapping (or a JSON or
    two-column CSV file) from a node id (DingTalk ``activityId``, Feishu ``node_id``, Weaver
    ``nodeid``), an approver's user id (WeCom) or a WeCom node's ordinal to an activity name.
    """
    if source is not None and source not in SOURCES:
        raise LogFileError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)} (--source).")
    paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    for p in paths:
        if not p.exists():
            raise LogFileError(f"{p}: not found. Check the path (current folder: {Path.cwd()}).")
    label = str(path if not isinstance(path, (list, tuple)) else paths[0].parent)
    files = _files(paths)
    json_files = [f for f in files if f.name.lower().endswith(JSON_SUFFIXES)]
    tables = [f for f in files if weaver.is_table(f)]
    found_json = None
    if json_files and source != "weaver":
        try:
            found_json = _instances(json_files, source)
        except LogFileError:
            if source is not None or not tables:
                raise
            # JSON beside tables holding no instance (procmine's own outputs written into a Weaver folder)
    if source == "weaver" or (source is None and found_json is None and tables):
        if not tables:
            raise LogFileError(f"{label}: no CSV or Excel tables found for Weaver e-cology; export "
                               "workflow_requestlog (and workflow_currentoperator, workflow_nodebase) as CSV or Excel.")
        found, ignored = weaver.open_tables(tables, encoding=encoding, delimiter=delimiter, sheet=sheet)
        reading = Reading("weaver", Clock(timezone), load_step_names(step_names))
        weaver.read(found, reading, ignored)
        return _records(reading, label, timezone)
    if not json_files:
        mail = any(f.suffix.lower() in (".eml", ".mbox") for f in files)
        raise LogFileError(f"{label}: holds no .json/.jsonl files of saved approval records, nor Weaver tables. "
                           + ("Approval e-mails are read with procmine from-email." if mail else
                              "Save the API responses as .json (see docs/platforms.md), or give --source."))
    platform, instances, empty = found_json
    reading = Reading(platform, Clock(timezone), load_step_names(step_names))
    for name, number in empty:
        reading.aside("not_an_instance", number, name)
    MODULES[platform].read(instances, reading)
    return _records(reading, label, timezone)


def detect_source(path: str | Path | Sequence[str | Path]) -> str:
    """The platform whose records ``path`` holds: dingtalk, feishu, wecom or weaver."""
    paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    files = _files(paths)
    json_files = [f for f in files if f.name.lower().endswith(JSON_SUFFIXES)]
    try:
        return _instances(json_files, None)[0] if json_files else "weaver"
    except LogFileError:
        if any(weaver.is_table(f) for f in files):
            return "weaver"
        raise


def _records(reading: Reading, label: str, timezone: str) -> PlatformRecords:
    table, mapping = reading.table(label, timezone)
    return PlatformRecords(table, mapping, frozenset(reading.open_cases), reading.platform)


def _files(paths: list[Path]) -> list[Path]:
    files = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith((".", "~$"))
                                and not f.name.lower().endswith(".truth.json")))
        else:
            files.append(p)
    return files


def _load(path: Path) -> list[tuple[int, object]]:
    """The JSON documents of a file: one, or one per line (JSON Lines); numbered from 1."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as bad:
        raise LogFileError(f"{path}: not UTF-8 text (byte {bad.start}); save the API responses as UTF-8 JSON.") from None
    if not content.strip():
        raise LogFileError(f"{path}: the file is empty. Save the API responses again.")
    whole = None
    if not path.name.lower().endswith((".jsonl", ".ndjson")):
        try:
            return [(1, json.loads(content))]
        except json.JSONDecodeError as bad:
            whole = LogFileError(f"{path}: not valid JSON ({bad.msg} at line {bad.lineno}, column {bad.colno}). "
                                 "Save the API response as it came.")
    documents = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append((number, json.loads(line)))
        except json.JSONDecodeError as bad:
            raise whole or LogFileError(f"{path}: line {number} is not valid JSON ({bad.msg}, column {bad.colno}). "
                                        "A .jsonl file holds one JSON object per line.") from None
    return documents


def _platforms_of(node: dict) -> list[str]:
    return [p for p, signatures in SIGNATURES.items() if any(all(k in node for k in sig) for sig in signatures)]


def _walk(node, depth: int = 0):
    """(platform, instance) for each instance object in a document, wrappers searched."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        platforms = _platforms_of(node)
        if platforms:
            yield platforms[0], node
            return
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)


def _instances(files: list[Path], source: str | None):
    """The instances of one platform in ``files`` as (file, number, object), and the documents
    holding none as (name, number)."""
    by_platform: dict[str, list[tuple[str, int, dict]]] = {}
    empty: list[tuple[str, int]] = []
    counter = 0
    first_empty = None
    for path in files:
        for line, document in _load(path):
            found = list(_walk(document))
            if not found:
                counter += 1
                empty.append((f"{path.name}" + (f" line {line}" if line > 1 else "") + f": {_gist(document)}", counter))
                first_empty = first_empty or (path, document)
            for platform, instance in found:
                counter += 1
                by_platform.setdefault(platform, []).append((str(path), counter, instance))
    if not by_platform:
        path, document = first_empty or (files[0], [])
        raise LogFileError(
            f"{path}: no DingTalk, Feishu or WeCom approval instance found ({_gist(document)}). procmine expects "
            f"DingTalk getProcessInstance ({', '.join(dingtalk.FIELDS)}), Feishu approval v4 instance "
            f"({', '.join(feishu.FIELDS)}) or WeCom getapprovaldetail ({', '.join(wecom.FIELDS)}). "
            "Save each instance's detail response as it came (see docs/platforms.md); for Weaver tables give "
            "the CSV/Excel exports.")
    if source is not None:
        if source not in by_platform:
            seen = ", ".join(PLATFORM_NAMES[p] for p in by_platform)
            raise LogFileError(f"{files[0]}: --source {source} given, but the records are {seen} records. "
                               "Leave --source out to detect the platform.")
        platform = source
    elif len(by_platform) > 1:
        counts = ", ".join(f"{PLATFORM_NAMES[p]} ({len(v):,})" for p, v in by_platform.items())
        raise LogFileError(f"{files[0].parent}: records of several platforms: {counts}. Read one platform at a time "
                           "with --source dingtalk|feishu|wecom.")
    else:
        platform = next(iter(by_platform))
    others = [(f"{Path(p).name}: {PLATFORM_NAMES[q]} instance", n) for q, items in by_platform.items()
              if q != platform for p, n, _ in items]
    return platform, by_platform[platform], empty + others


def _gist(document) -> str:
    """What a document holds instead: an error response's code and message, or its keys."""
    if isinstance(document, dict):
        code = next((document[k] for k in ("errcode", "code") if k in document), None)
        message = next((document[k] for k in ("errmsg", "msg", "message") if k in document), None)
        if code not in (None, 0, "0") or (message and code is None):
            return f"an error response: {code} {message or ''}".strip()
        keys = ", ".join(list(document)[:12])
        return f"its fields: {keys}" if keys else "an empty object"
    if isinstance(document, list):
        return f"a list of {len(document)} item{'s' if len(document) != 1 else ''} without instance fields"
    return f"a {type(document).__name__}"


def load_step_names(step_names: str | Path | Mapping[str, str] | None) -> dict[str, str]:
    """``step_names`` as {key: activity name}: a mapping, a JSON object file, or a two-column CSV/XLSX."""
    if step_names is None:
        return {}
    if isinstance(step_names, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in step_names.items() if v is not None}
    path = Path(step_names)
    if not path.exists():
        raise LogFileError(f"{path}: step-names file not found.")
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as bad:
            raise LogFileError(f"{path}: not a JSON object of id → step name ({bad}).") from None
        if not isinstance(loaded, dict):
            raise LogFileError(f"{path}: expected a JSON object such as {{\"lisi\": \"部门经理审批\"}}.")
        return load_step_names(loaded)
    from procmine.read.files import ROW, open_table

    frame = open_table(path).frame
    columns = [c for c in frame.columns if c != ROW]
    if len(columns) < 2:
        raise LogFileError(f"{path}: a step-names table needs two columns: id (node id, user id or ordinal) and "
                           "step name.")
    keys, names = frame[columns[0]].cast(str).to_list(), frame[columns[1]].cast(str).to_list()
    return {k.strip(): v.strip() for k, v in zip(keys, names) if k and v}


def read_platform_log(path, *, source: str | None = None, step_names=None, given: Mapping | None = None,
                      timezone: str = "Asia/Shanghai", encoding: str | None = None, delimiter: str | None = None,
                      sheet: str | int | None = None, normalise_labels: bool = True, strict: bool = False,
                      say=lambda message: None):
    """:func:`read_platform` finished by :func:`procmine.read.build_log`: what ``read_log`` returns."""
    from procmine.errors import ColumnError
    from procmine.read import build_log

    named = [role for role, column in (given or {}).items() if column]
    if named:
        raise ColumnError(f"{path}: --{named[0].replace('_', '-')} cannot be used with approval-platform records: "
                          "their fields are read by name (see docs/platforms.md). Leave it out.")
    say(f"reading {Path(path).name if not isinstance(path, (list, tuple)) else f'{len(path)} files'}")
    records = read_platform(path, source=source, timezone=timezone, step_names=step_names, encoding=encoding,
                            delimiter=delimiter, sheet=sheet)
    say(f"{records.table.frame.height:,} steps of {PLATFORM_NAMES[records.platform]}; checking them")
    log = build_log(records.table, records.mapping, timezone=timezone, normalise_labels=normalise_labels,
                    open_cases=records.open_cases)
    if strict:
        log.quality.raise_if_problems()
    return log
