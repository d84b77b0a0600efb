"""Messages into cases: the request id in the subject, else the thread (Message-ID, In-Reply-To,
References, Thread-Index, a ``Re:`` of an earlier subject); duplicates dropped, circulars and
messages that fit nowhere counted as unassigned.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from procmine.read.emails.messages import _Message, _short


#: A request id in a subject: capital letters, an optional hyphen and at least five digits in
#: groups (HT2025001, BX-2025-0042, QJ20250305001), or whatever follows 编号/单号/审批号.
ID_PATTERN = (r"(?<![A-Za-z0-9])[A-Z]{1,6}-?\d{4}(?:-?\d+)+(?![A-Za-z0-9])"
              r"|(?:编号|单号|审批号|申请号|流水号)\s*[:：#]?\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]{3,})")


def _compile_id_pattern(pattern: str | None) -> re.Pattern:
    from procmine.read.patterns import compile_user_regex

    return compile_user_regex(pattern, "--id-pattern") if pattern else re.compile(ID_PATTERN)


def _request_id(subject: str, regex: re.Pattern) -> str | None:
    found = regex.search(subject)
    if not found:
        return None
    if "id" in regex.groupindex and found.group("id"):
        return found.group("id").strip()
    groups = [g for g in found.groups() if g]
    return (groups[0] if groups else found.group(0)).strip() or None


def _drop_duplicates(messages: list[_Message], found: dict) -> list[_Message]:
    """The same message twice (sent and received copies, two folders): the first is kept."""
    seen: dict[str, _Message] = {}
    kept = []
    for message in messages:
        key = message.message_id
        if key and key in seen:
            first = seen[key]
            found.setdefault("duplicate_message", []).append((message.row, f"{message.label}: same Message-ID as "
                                                                            f"{first.label}"))
            continue
        if key:
            seen[key] = message
        kept.append(message)
    return kept


def _assign_cases(messages: list[_Message], id_regex: re.Pattern, found: dict) -> dict[str, list[_Message]]:
    """Each message's case: its request id, else its thread's; unassigned ones go to ``found``."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    keys = {}
    by_id = {}
    for message in messages:
        key = f"msg:{message.message_id}" if message.message_id else f"row:{message.row}"
        keys[message.row] = key
        root(key)
        if message.message_id:
            by_id[message.message_id] = message
        for ref in message.parents:
            join(key, f"msg:{ref}")
        if message.conversation:
            join(key, f"conv:{message.conversation}")
    # a reply whose client dropped In-Reply-To/References: the latest earlier message with its
    # subject, but only into a thread its headers made (two messages or more), never into a group
    # that the subject alone would make ("Re: 年会安排" from everybody is not an approval)
    sizes = Counter(root(keys[m.row]) for m in messages)
    threaded = {key for key, n in sizes.items() if n > 1}
    ordered = sorted(messages, key=lambda m: (m.date, m.row))
    for index, message in enumerate(ordered):
        if message.kind == "reply" and not message.parents and len(message.base_subject) >= 4:
            earlier = [m for m in ordered[:index] if m.base_subject == message.base_subject
                       and root(keys[m.row]) in threaded]
            if earlier:
                join(keys[message.row], keys[earlier[-1].row])

    for message in messages:
        message.case = _request_id(message.subject, id_regex)
    # messages without an id: the nearest ancestor's id, else any id of the thread
    thread_ids: dict[str, list[tuple[datetime, int, str]]] = {}
    for message in messages:
        if message.case:
            thread_ids.setdefault(root(keys[message.row]), []).append((message.date, message.row, message.case))
    for message in ordered:
        if message.case:
            continue
        for ref in reversed(message.parents):
            ancestor = by_id.get(ref)
            if ancestor is not None and ancestor.case:
                message.case = ancestor.case
                break
        if message.case is None and thread_ids.get(root(keys[message.row])):
            message.case = sorted(thread_ids[root(keys[message.row])])[0][2]

    # threads without any id: a case of their own when they hold two or more messages
    threads: dict[str, list[_Message]] = {}
    for message in messages:
        if message.case is None:
            threads.setdefault(root(keys[message.row]), []).append(message)
    # a thread started by a circular (to a list or all staff) is no approval case, whatever its replies say
    circulars = {key for key, group in threads.items() if min(group, key=lambda m: (m.date, m.row)).broadcast}
    numbered = sorted((min((m.date, m.row) for m in group), key) for key, group in threads.items()
                      if len(group) > 1 and key not in circulars)
    names = {key: f"thread-{n:03d}" for n, (_, key) in enumerate(numbered, start=1)}
    cases: dict[str, list[_Message]] = {}
    for message in messages:
        if message.case is None:
            key = root(keys[message.row])
            if key in names:
                message.case = names[key]
            else:
                code = ("unassigned_broadcast" if key in circulars or message.broadcast else
                        "unassigned_reply_to_missing" if message.parents else "unassigned_no_id_no_thread")
                found.setdefault(code, []).append((message.row, f"{message.label}: {_short(message.subject)}"))
                continue
        cases.setdefault(message.case, []).append(message)
    return cases
