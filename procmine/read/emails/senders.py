"""Who sent a message: the person (their usual display name), department and step, from the
``departments`` mapping (address, @domain or name) or a name written 张三（财务部）.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from procmine.errors import LogFileError
from procmine.read.emails.messages import _Message
from procmine.read.files import ROW as RAW_ROW
from procmine.read.files import open_table


@dataclass
class _Directory:
    """Sender → (department, step) from the ``departments`` mapping."""

    entries: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    origin: str = ""

    @property
    def size(self) -> int:
        return len(self.entries)

    @classmethod
    def load(cls, departments) -> _Directory:
        if departments is None:
            return cls()
        if isinstance(departments, Mapping):
            entries = {}
            for key, value in departments.items():
                department, step = (value, None) if isinstance(value, str) or value is None else tuple(value)[:2]
                entries[_key(key)] = (department or None, step or None)
            return cls(entries, "the departments mapping")
        path = Path(departments)
        table = open_table(path)
        columns = [c for c in table.frame.columns if c != RAW_ROW]
        if len(columns) < 2:
            raise LogFileError(f"{path}: the departments file needs two columns: address, @domain or display name, "
                               "then the department (a third column may name the step).")
        entries = {}
        for values in table.frame.select(columns[:3]).iter_rows():
            key, department = values[0], values[1]
            step = values[2] if len(values) > 2 else None
            if key and str(key).strip() and (department or step):
                entries[_key(str(key))] = ((department or "").strip() or None, (step or "").strip() or None)
        return cls(entries, path.name)

    def lookup(self, address: str | None, name: str | None) -> tuple[str | None, str | None]:
        keys = []
        if address:
            keys.append(address)
        if name:
            keys += [_key(name), _key(re.sub(r"\s*[(（].*?[)）]\s*", "", name))]
        if address and "@" in address:
            domain = address.split("@", 1)[1]
            parts = domain.split(".")
            keys += ["@" + ".".join(parts[i:]) for i in range(len(parts) - 1)]
        for key in keys:
            if key in self.entries:
                return self.entries[key]
        return None, None


def _key(text: str) -> str:
    text = str(text).strip().lower()
    if "@" not in text and re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", text):
        text = "@" + text  # a bare domain
    return text


def _person(message: _Message, names: dict[str, str], directory: _Directory) -> tuple[str | None, str | None, str | None]:
    """(resource, department, step) of a message's sender."""
    display = names.get(message.sender or "", message.name)
    department, step = directory.lookup(message.sender, message.name)
    resource = display
    if display:
        inner = re.fullmatch(r"(?P<name>.+?)\s*[(（](?P<inner>[^()（）]+)[)）]", display)
        if inner:
            resource = inner.group("name").strip()
            department = department or inner.group("inner").strip()
    return resource or message.sender, department, step


def _usual_names(messages: Iterable[_Message]) -> dict[str, str]:
    """Each address's most frequent display name (people sign differently from phone and PC)."""
    counts: dict[str, Counter] = {}
    for message in messages:
        if message.sender and message.name:
            counts.setdefault(message.sender, Counter())[message.name] += 1
    return {address: counter.most_common(1)[0][0] for address, counter in counts.items()}
