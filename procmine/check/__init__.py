"""Data quality: what was wrong with the rows, and what procmine did about each problem.

Nothing disappears silently. Every row read is either kept as an event, merged into another
event (a lifecycle ``start`` folded into its ``complete``), or dropped, and every drop or
repair is a :class:`Finding` with its reason, count and first examples (file row and value).
``rows_read == events + dropped + merged`` always holds.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from procmine.errors import DataQualityError

if TYPE_CHECKING:
    import pandas as pd

#: What happened to the rows a finding is about.
DROPPED, REPAIRED, MERGED, KEPT = "dropped", "repaired", "merged", "kept"


@dataclass
class Finding:
    """One data-quality observation: what, where, how many rows, what was done."""

    code: str
    message: str
    rows: int
    action: str
    column: str | None = None
    examples: list[tuple[int, str]] = field(default_factory=list)
    severity: str = "warning"  # "warning" counts as a problem for --strict; "info" does not

    def describe(self, row_word: str = "row") -> str:
        where = f" [{self.column}]" if self.column else ""
        shown = "; ".join(f"{row_word} {row}: {value!r}" for row, value in self.examples[:3])
        example = f" e.g. {shown}" if shown else ""
        plural = "" if self.rows == 1 else "s"
        return f"{self.rows:,} {row_word}{plural} {self.action}{where}: {self.message}.{example}"


@dataclass
class DataQualityReport:
    """The data-quality summary of one log read (``procmine check``)."""

    source: str
    rows_read: int
    events: int
    findings: list[Finding] = field(default_factory=list)
    row_word: str = "row"

    @property
    def dropped(self) -> int:
        return sum(f.rows for f in self.findings if f.action == DROPPED)

    @property
    def merged(self) -> int:
        return sum(f.rows for f in self.findings if f.action == MERGED)

    @property
    def repaired(self) -> int:
        return sum(f.rows for f in self.findings if f.action == REPAIRED)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, finding: Finding) -> None:
        if finding.rows:
            self.findings.append(finding)

    def raise_if_problems(self) -> None:
        """Strict mode: turn any problem into a :class:`DataQualityError`."""
        if self.problems:
            first = self.problems[0]
            raise DataQualityError(
                f"{self.source}: {len(self.problems)} data-quality problem(s) in strict mode; first: "
                f"{first.describe(self.row_word)} Fix the export or run without --strict."
            )

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "code": f.code, "column": f.column, "rows": f.rows, "action": f.action,
                    "severity": f.severity, "message": f.message,
                    "examples": "; ".join(f"{self.row_word} {r}: {v}" for r, v in f.examples[:3]),
                }
                for f in self.findings
            ],
            columns=["code", "column", "rows", "action", "severity", "message", "examples"],
        )

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "events": self.events,
            "dropped": self.dropped,
            "merged": self.merged,
            "repaired": self.repaired,
            "problems": len(self.problems),
            "findings": [
                {**asdict(f), "examples": [{self.row_word: r, "value": v} for r, v in f.examples]}
                for f in self.findings
            ],
        }

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str, **kwargs)

    def __str__(self) -> str:
        head = (
            f"Data quality: {self.rows_read:,} {self.row_word}s read → {self.events:,} events "
            f"({self.dropped:,} dropped, {self.merged:,} merged, {self.repaired:,} repaired)"
        )
        if not self.findings:
            return head + "\n  no problems found"
        lines = [head]
        for finding in self.findings:
            mark = "!" if finding.severity == "warning" else "·"
            lines.append(f"  {mark} {finding.describe(self.row_word)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(f.severity)}</td><td>{html.escape(f.column or '')}</td>"
            f"<td style='text-align:right'>{f.rows:,}</td><td>{html.escape(f.action)}</td>"
            f"<td>{html.escape(f.message)}</td><td>{html.escape('; '.join(f'{r}: {v}' for r, v in f.examples[:3]))}</td></tr>"
            for f in self.findings
        )
        return (
            f"<div><b>Data quality</b>: {self.rows_read:,} {self.row_word}s read → {self.events:,} events "
            f"({self.dropped:,} dropped, {self.merged:,} merged, {self.repaired:,} repaired)"
            + (
                "<table><tr><th>severity</th><th>column</th><th>rows</th><th>action</th><th>reason</th>"
                f"<th>examples ({self.row_word})</th></tr>{rows}</table>"
                if self.findings else "<br>no problems found"
            )
            + "</div>"
        )
