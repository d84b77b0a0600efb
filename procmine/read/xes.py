"""XES logs, streamed: one pass over the XML, events gathered into columns, no object per event.

An XES file holds traces (cases) with their attributes and, inside each, events with theirs.
Each event becomes a row; the trace's attributes are copied onto its events with the prefix
``case:`` (the names pm4py gives them, so a log reads the same whichever way it came). Only the
top-level attributes of a trace or event are read (XES's nested meta-attributes are skipped).

Types follow the element: ``date`` → a UTC datetime, ``int`` → Int64, ``float`` → Float64,
``string``/``id`` → text, ``boolean`` → the text ``True``/``False``. A key written with two
types is read as text.

    >>> import io
    >>> xes = '''<log><trace><string key="concept:name" value="C1"/>
    ...   <event><string key="concept:name" value="提交"/><date key="time:timestamp" value="2025-03-04T09:15:00+08:00"/></event>
    ... </trace></log>'''.encode()
    >>> frame = read_xes_columns(io.BytesIO(xes), "x.xes")
    >>> frame.columns, str(frame["time:timestamp"][0])
    (['concept:name', 'time:timestamp', 'case:concept:name'], '2025-03-04 01:15:00+00:00')
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import BinaryIO
import polars as pl
from lxml import etree

from procmine.errors import LogFileError

#: The XES attribute elements that carry a value.
ATTRIBUTE_TYPES = ("string", "date", "int", "float", "boolean", "id")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def read_xes_columns(source: BinaryIO, name: str) -> pl.DataFrame:
    """The events of an XES stream as a frame: event attributes first, then ``case:`` ones,
    each in the order first met. ``name`` is the file's name, for messages."""
    events: list[dict] = []       # one dict of attribute → raw text per event
    event_trace: list[int] = []   # for each event, the number of its trace
    traces: list[dict] = []       # the attributes of each trace
    types: dict[str, str] = {}    # attribute (with case: for trace ones) → XES type, "string" on a clash
    try:
        # lxml hands over only the ends of events and traces (filtered in C); their attributes
        # are their child elements
        for _, element in etree.iterparse(source, events=("end",), tag=("{*}event", "{*}trace"),
                                          resolve_entities=False, no_network=True):
            parent = element.getparent()
            if parent is None:
                continue
            if _local(element.tag) == "event":
                if _local(parent.tag) != "trace":
                    continue  # an event outside a trace is no case's
                events.append(_attributes(element, "", types))
                event_trace.append(len(traces))
                element.clear()
            elif _local(parent.tag) == "log":
                traces.append(_attributes(element, "case:", types))
                element.clear()
                while element.getprevious() is not None:  # what was read is no longer needed
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise LogFileError(f"{name}: cannot be read as XES ({exc}). Export the log again, or as CSV.") from None
    columns = {}
    for key in dict.fromkeys(k for e in events for k in e):
        columns[key] = _column(key, [e.get(key) for e in events], types[key])
    for key in dict.fromkeys(k for t in traces for k in t):
        if key in columns:  # an event attribute literally named case:… wins
            continue
        per_trace = [t.get(key) for t in traces]
        columns[key] = _column(key, [per_trace[i] for i in event_trace], types[key])
    return pl.DataFrame(columns)


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _attributes(element, prefix: str, types: dict[str, str]) -> dict:
    """The top-level attributes of a trace or event: key → the value's text."""
    found = {}
    for child in element:
        kind = _local(child.tag)
        if kind in ATTRIBUTE_TYPES:
            key, value = child.get("key"), child.get("value")
            if key is not None and value is not None:
                found[prefix + key] = value
                _note_type(types, prefix + key, kind)
    return found


def _note_type(types: dict[str, str], key: str, tag: str) -> None:
    known = types.setdefault(key, tag)
    if known != tag and {known, tag} != {"string", "id"}:
        types[key] = "string"


def _column(key: str, values: list[str | None], kind: str) -> pl.Series:
    if kind == "date":
        moments = [_epoch_us(v) for v in values]
        if all(m is not None or v is None for m, v in zip(moments, values)):
            return pl.Series(key, moments, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
        # some value is no date: the column stays text, so reading reports those rows with their value
    if kind == "int":
        parsed = [_number(v, int) for v in values]
        if all(p is not _BAD for p in parsed):
            return pl.Series(key, parsed, dtype=pl.Int64)
    elif kind == "float":
        parsed = [_number(v, float) for v in values]
        if all(p is not _BAD for p in parsed):
            return pl.Series(key, parsed, dtype=pl.Float64)
    elif kind == "boolean":
        return pl.Series(key, [None if v is None else str(v.strip().lower() == "true") for v in values],
                         dtype=pl.String)
    return pl.Series(key, values, dtype=pl.String)


_BAD = object()


def _number(value: str | None, kind):
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        return _BAD


def _epoch_us(value: str | None) -> int | None:
    """Microseconds since 1970 (UTC) of an XES date (ISO 8601; no offset is taken as UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // _MICROSECOND
