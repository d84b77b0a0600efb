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
    events = _Columns("")         # per event attribute: the numbers of the events that have it, and its texts
    traces = _Columns("case:")    # the same per trace attribute
    event_trace: list[int] = []   # for each event, the number of its trace
    try:
        # lxml hands over only the ends of events and traces (filtered in C); their attributes
        # are their child elements
        for _, element in etree.iterparse(source, events=("end",), tag=("{*}event", "{*}trace"),
                                          resolve_entities=False, no_network=True):
            parent = element.getparent()
            if parent is None:
                continue
            if _tag(element.tag) == "event":
                if _tag(parent.tag) != "trace":
                    continue  # an event outside a trace is no case's
                events.add(element)
                event_trace.append(traces.count)
                element.clear()
            elif _tag(parent.tag) == "log":
                traces.add(element)
                element.clear()
                while element.getprevious() is not None:  # what was read is no longer needed
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise LogFileError(f"{name}: cannot be read as XES ({exc}). Export the log again, or as CSV.") from None
    columns = {key: _column(key, events.values(key), events.types[key]) for key in events.found}
    of_event = pl.Series(event_trace, dtype=pl.UInt32)
    for key in traces.found:
        if key in columns:  # an event attribute literally named case:… wins
            continue
        per_trace = pl.Series(traces.values(key), dtype=pl.String)
        columns[key] = _column(key, per_trace.gather(of_event).to_list(), traces.types[key])
    return pl.DataFrame(columns)


class _Columns:
    """The top-level attributes of a run of elements (events, or traces), gathered by attribute:
    for each, the numbers of the elements that have it and its texts (no dict per element)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.count = 0  # elements added
        self.found: dict[str, tuple[list[int], list[str]]] = {}  # in the order first met
        self.types: dict[str, str] = {}  # attribute → XES type, "string" on a clash
        self._noted: set[tuple[str, str]] = set()

    def add(self, element) -> None:
        i, found = self.count, self.found
        for child in element:
            kind = _tag(child.tag)
            if kind in ATTRIBUTE_TYPES:
                key, value = child.get("key"), child.get("value")
                if key is not None and value is not None:
                    key = self.prefix + key
                    column = found.get(key)
                    if column is None:
                        column = found[key] = ([], [])
                    if column[0] and column[0][-1] == i:
                        column[1][-1] = value  # the key twice in one element: the last one counts
                    else:
                        column[0].append(i)
                        column[1].append(value)
                    if (key, kind) not in self._noted:
                        self._noted.add((key, kind))
                        _note_type(self.types, key, kind)
        self.count += 1

    def values(self, key: str) -> list[str | None]:
        """The attribute's text for every element (None where an element does not have it)."""
        numbers, texts = self.found[key]
        if len(numbers) == self.count:
            return texts
        every: list[str | None] = [None] * self.count
        for i, text in zip(numbers, texts):
            every[i] = text
        return every


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


_TAGS: dict = {}  # element tag → its local name: a log has a handful of tags (a hostile one is not remembered)


def _tag(tag) -> str:
    name = _TAGS.get(tag)
    if name is None:
        name = _local(tag)
        if len(_TAGS) < 1000:
            _TAGS[tag] = name
    return name


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
