"""Approvals done by e-mail: a folder of ``.eml`` files or an ``.mbox`` file as an event log.

    >>> log = procmine.read_emails("sample_logs/邮件审批.mbox")                       # doctest: +SKIP
    >>> log = procmine.read_emails("审批邮件/", departments="通讯录.csv")              # doctest: +SKIP

How the messages become events (each message is one record read: the quality report counts
*messages*, ``rows_read == events + dropped``):

* **Cases.** A request id in the subject (``【审批】合同HT2025001``, ``Re: 回复: 报销单BX-2025-0042 审批``;
  :data:`ID_PATTERN`, or ``id_pattern=``) is the case. A message without one joins the case of
  its thread (Message-ID / In-Reply-To / References, Outlook's Thread-Index, or a ``Re:`` of an
  earlier subject when the reply lost its headers, but only into a thread its headers made: the
  subject alone never makes a case); a thread with no id anywhere is a case of its own
  (``thread-001`` …), unless it starts with a circular (to a mailing list, to all-staff@ and the
  like, or to more than 20 people). Messages that fit nowhere are counted as unassigned, with
  the reason.
* **The request** is the case's first message that is not a reply or a forward: activity
  ``提交``, resource its sender.
* **Decisions** are read from each reply's *own* text: quoted replies (``>`` lines, 原始邮件 /
  Original Message / 在…写道 / On…wrote / 发件人: header blocks / Outlook's line / Gmail and
  Outlook quote blocks in HTML) are cut off first, so a quoted 同意 is not a decision. Keywords
  (:data:`DECISION_KEYWORDS`): 同意 / 批准 / 通过, 驳回 / 不同意 / 拒绝, 退回, 转交, 加签 and English
  approve / reject; 不同意, 不批准, 未通过 are rejections; a word asked for (请批准, 是否同意,
  同意吗？) is not a decision. An Outlook voting reply (subject ``批准: …``) counts too. The
  requester's own messages are never decisions: after a 退回/驳回, or as a fresh message, they are
  ``重新提交``. A forward is not a decision unless the forwarder's own text says one.
* **Activities.** The decision's step: the ``step`` given for the sender in the department
  mapping, else the sender's department + 审批 (``财务部审批``), else the sender's name + 审批
  (``张三审批``), so that the flowchart shows who decides in which order even without a mapping.
  ``outcome`` holds the normalised decision (同意, 驳回, 退回, 转交, 加签), ``comment`` the first
  lines of the reply's own text.
* **Times** are the Date header, converted to ``timezone`` (a Date without offset is local time
  there). Messages without a readable Date, empty files and bodies that cannot be decoded are
  *broken*: reported with their file, never fatal.

The modules, in the order a message goes through them: :mod:`.messages` (files → messages and
their headers, decoded by :mod:`.mime`; own text by :mod:`.quotes`), :mod:`.threads` (messages →
cases), :mod:`.senders` (who), :mod:`.decisions` (what they decided), :mod:`.events` (events and
quality findings); :mod:`.summary` and :mod:`.write` for the command's figures and CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from procmine.log import ACTIVITY, CASE, DEPARTMENT, OUTCOME, RESOURCE, TIMESTAMP, EventLog
from procmine.read.columns import ColumnMapping
from procmine.read.emails.decisions import DECISION_KEYWORDS, Decision, _keyword_table, find_decision
from procmine.read.emails.events import ATTRIBUTES, FINDINGS, SHORT_REASONS, _events, _findings, _frame
from procmine.read.emails.messages import BROADCAST_RECIPIENTS, MailSource, _load, _Message, _parse
from procmine.read.emails.mime import BROKEN_REASONS, _Broken
from procmine.read.emails.quotes import own_text
from procmine.read.emails.senders import _Directory
from procmine.read.emails.summary import EmailSummary, email_summary
from procmine.read.emails.threads import ID_PATTERN, _assign_cases, _compile_id_pattern, _drop_duplicates
from procmine.read.emails.write import write_log_csv
from procmine.read.files import RawTable

__all__ = [
    "read_emails", "own_text", "find_decision", "email_summary", "EmailSummary", "write_log_csv",
    "DECISION_KEYWORDS", "ID_PATTERN",
]


def read_emails(
    path: str | Path,
    *,
    id_pattern: str | None = None,
    keywords: Mapping[str, Iterable[str]] | None = None,
    departments: str | Path | Mapping[str, str | tuple[str, str]] | None = None,
    timezone: str = "Asia/Shanghai",
    normalise_labels: bool = True,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> EventLog:
    """Read approval e-mails (a folder of ``.eml`` files, or an ``.mbox`` file) as an event log.

    ``id_pattern`` is a regular expression finding the request id in a subject (the named group
    ``id``, else the first group, else the whole match; default :data:`ID_PATTERN`).
    ``keywords`` adds decision words per outcome, e.g. ``{"同意": ["可以", "OK"]}`` (a new
    outcome name is allowed). ``departments`` maps senders to departments: a CSV/XLSX file whose
    columns are key (address, ``@domain`` or display name), department and optionally step (the
    activity name), or a dict ``{key: department}`` / ``{key: (department, step)}``.

    Returns the same :class:`~procmine.log.EventLog` as :func:`procmine.read_log`; its quality
    report counts messages and says which were broken, unassigned or not decisions.

        >>> log = procmine.read_emails("sample_logs/邮件审批/")          # doctest: +SKIP
        >>> print(procmine.read.emails.email_summary(log))              # doctest: +SKIP
    """
    from procmine.read import _check_timezone, build_log

    say = progress or (lambda message: None)
    _check_timezone(timezone)
    path = Path(path)
    id_regex = _compile_id_pattern(id_pattern)
    table = _keyword_table(keywords)
    directory = _Directory.load(departments)
    say(f"reading {path.name}")
    source = MailSource(str(path), "eml" if path.is_dir() else "mbox")
    found: dict[str, list[tuple[int, str]]] = {}
    messages: list[_Message] = []
    charset_repairs: list[tuple[int, str]] = []
    zone = ZoneInfo(timezone)
    count = 0
    for row, label, data in _load(path, source):
        count += 1
        try:
            message = _parse(row, label, data, zone, timezone)
        except _Broken as broken:
            found.setdefault(broken.code, []).append((row, f"{label}: {broken.detail}" if broken.detail else label))
            continue
        if message.charset_note:
            charset_repairs.append((row, f"{label}: {message.charset_note}"))
        messages.append(message)
    say(f"{count:,} messages; grouping them into cases")
    messages = _drop_duplicates(messages, found)
    cases = _assign_cases(messages, id_regex, found)
    records = _events(cases, table, directory, found)

    frame = _frame(records, timezone)
    findings = _findings(found, charset_repairs)
    source.notes.append(
        f"e-mail approvals: {count:,} messages ({'files' if path.is_dir() else 'mbox'}); cases by request id in the "
        f"subject ({'--id-pattern' if id_pattern else 'default id pattern'}), else by thread; decisions read from "
        "each reply's own text (quoted part ignored); a row is a message"
    )
    if directory.size:
        source.notes.append(f"departments from {directory.origin} ({directory.size:,} entries)")
    raw = RawTable(frame, source, findings)
    mapping = ColumnMapping(case=CASE, activity=ACTIVITY, timestamp=TIMESTAMP, resource=RESOURCE,
                            department=DEPARTMENT, outcome=OUTCOME)
    log = build_log(raw, mapping, timezone=timezone, normalise_labels=normalise_labels)
    if strict:
        log.quality.raise_if_problems()
    return log
