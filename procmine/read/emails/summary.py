"""What reading a mailbox gave, in figures: messages, cases, decisions by outcome, what was left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl

from procmine.log import ACTIVITY, CASE, OUTCOME, EventLog
from procmine.read.emails.decisions import DECISION_KEYWORDS
from procmine.read.emails.events import BROKEN_PREFIX, FINDINGS, SHORT_REASONS, UNASSIGNED_PREFIX


@dataclass
class EmailSummary:
    """What reading a mailbox gave: messages, cases, decisions by outcome, what was left out."""

    source: str
    messages: int
    cases: int
    events: int
    requests: int
    resubmissions: int
    decisions: dict[str, int]
    unassigned: int
    broken: int
    duplicates: int
    quoted_only: int
    not_decisions: int
    reasons: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def __str__(self) -> str:
        decided = " · ".join(f"{k} {v}" for k, v in self.decisions.items()) or "none"

        def why(prefix: str) -> str:
            parts = [f"{SHORT_REASONS[c]} {n}" for c, n in self.reasons.items() if c.startswith(prefix)]
            return f" ({', '.join(parts)})" if parts else ""

        return "\n".join([
            f"E-mail approvals {self.source}: {self.messages:,} messages → {self.cases:,} cases, {self.events:,} events",
            f"  requests {self.requests:,} · resubmissions {self.resubmissions:,} · decisions "
            f"{sum(self.decisions.values()):,} ({decided})",
            f"  not decisions {self.not_decisions:,} (decision word only in the quoted part: {self.quoted_only:,})"
            f" · duplicates {self.duplicates:,}",
            f"  unassigned {self.unassigned:,}{why(UNASSIGNED_PREFIX)} · broken {self.broken:,}{why(BROKEN_PREFIX)}",
        ])


def email_summary(log: EventLog) -> EmailSummary:
    """The e-mail figures of a log read by :func:`read_emails` (from its events and quality report)."""
    counts = {f.code: f.rows for f in log.quality.findings}
    outcomes = log.events.filter(pl.col(ACTIVITY) != "提交").filter(pl.col(ACTIVITY) != "重新提交")[OUTCOME]
    decisions = {k: v for k, v in outcomes.value_counts(sort=True).iter_rows() if k is not None}
    order = list(DECISION_KEYWORDS)
    decisions = dict(sorted(decisions.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])))
    activities = log.events[ACTIVITY]
    return EmailSummary(
        source=log.source.name,
        messages=log.quality.rows_read,
        cases=log.events[CASE].n_unique(),
        events=log.events.height,
        requests=int((activities == "提交").sum()),
        resubmissions=int((activities == "重新提交").sum()),
        decisions=decisions,
        unassigned=sum(n for c, n in counts.items() if c.startswith(UNASSIGNED_PREFIX)),
        broken=sum(n for c, n in counts.items() if c.startswith(BROKEN_PREFIX)),
        duplicates=counts.get("duplicate_message", 0),
        quoted_only=counts.get("quoted_decision_only", 0),
        not_decisions=sum(counts.get(c, 0) for c in ("quoted_decision_only", "forward_without_decision", "no_decision")),
        reasons={c: n for c, n in counts.items() if c in FINDINGS},
    )
