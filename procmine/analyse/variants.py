"""Variants: the distinct paths the cases took, most frequent first, and how many cases they cover.

A case's variant is the sequence of its activities in step order (arrival, then completion, then
file row), the same order the process map and ``EventLog.summary().variants`` use. Cases still in
progress count with the steps they have done so far.

:func:`explore_variants` is the drill-down view for logs with thousands of variants: the top N
with their share, cases and median lead time (working and calendar days), the rest in one
"其他 K 个变体" row, long sequences compressed (``审批 ×3``, ``(提交 → 审批) ×2``, a middle
ellipsis).

    >>> variants(log, top=5)                     # doctest: +SKIP
    ┌──────┬─────────────────────────┬───────┬───────┬───────┬──────────────────┬───────────────────────┐
    │ rank ┆ activities              ┆ steps ┆ cases ┆ share ┆ cumulative_share ┆ median_lead_work_days │
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from procmine.analyse.cases import DrillDown, days, days_word, say
from procmine.analyse.times import time_tables
from procmine.log import EventLog
from procmine.result import display_lang

if TYPE_CHECKING:
    import pandas as pd
    from procmine.calendar import Calendar

SCHEMA = {"rank": pl.Int64, "activities": pl.List(pl.String), "steps": pl.Int64, "cases": pl.Int64,
          "share": pl.Float64, "cumulative_share": pl.Float64, "median_lead_work_days": pl.Float64,
          "median_lead_days": pl.Float64}


def variants(log: EventLog, calendar: "Calendar | None" = None, top: int | None = None) -> pl.DataFrame:
    """One row per variant, most cases first: its activities, cases, share and cumulative share.

    ``share`` = cases of the variant ÷ all cases; ``cumulative_share`` adds the shares of this
    variant and every more frequent one. ``median_lead_work_days`` is the median lead time of the
    variant's completed cases in working days under ``calendar`` (None when all are in progress),
    ``median_lead_days`` the same in calendar days (24 hours).
    Ties are ordered by the sequence text so the ranking is stable. ``top`` keeps the first rows.
    A log read with ``engine="spark"`` is counted on Spark (:mod:`procmine.engine.spark_report`).
    """
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_report import spark_variants

        ranked = spark_variants(log, calendar)
        return ranked if top is None else ranked.head(top)
    tables = time_tables(log, calendar)
    cases = tables.cases
    total = cases.height
    if total == 0:
        return pl.DataFrame(schema=SCHEMA)
    per_day = tables.calendar.hours_per_day
    lead = (cases.filter(~pl.col("open")).group_by("variant_id")
            .agg((pl.col("lead_work_hours").median() / per_day).alias("median_lead_work_days"),
                 (pl.col("lead_hours").median() / 24).alias("median_lead_days")))
    ranked = (
        log.tables().variants.join(lead, on="variant_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("variant_id").cast(pl.Int64).alias("rank"),
            pl.col("steps").cast(pl.Int64),
            (pl.col("cases").cum_sum() / total).alias("cumulative_share"),
        )
        .select(list(SCHEMA))
    )
    return ranked if top is None else ranked.head(top)


def coverage(table: pl.DataFrame, n: int) -> float:
    """Share of all cases the ``n`` most frequent variants of a :func:`variants` table cover."""
    if table.is_empty() or n <= 0:
        return 0.0
    return float(table["cumulative_share"][min(n, table.height) - 1])


#: Items of a compressed sequence shown before the middle is left out.
SHOWN_ITEMS = 9
#: Longest block of steps that is folded when it repeats: (提交 → 审批) ×2.
REPEAT_BLOCK = 3


def compress_sequence(activities: list[str], max_items: int = SHOWN_ITEMS, lang: str = "zh") -> str:
    """A variant as short text: repeats folded, the middle of a long path left out.

        >>> compress_sequence(["提交", "审批", "审批", "审批", "归档"])
        '提交 → 审批 ×3 → 归档'
        >>> compress_sequence(["A", "B", "A", "B", "C"])
        '(A → B) ×2 → C'
        >>> compress_sequence(list("ABCDEFGHIJ"), max_items=5)
        'A → B → C → …（6 步）… → J'
    """
    items: list[tuple[str, int]] = []  # (text, steps it stands for)
    i, n = 0, len(activities)
    while i < n:
        best_len, best_count = 1, 1
        for length in range(1, REPEAT_BLOCK + 1):
            block = activities[i:i + length]
            if len(block) < length:
                break
            count = 1
            while activities[i + count * length:i + (count + 1) * length] == block:
                count += 1
            if count > 1 and count * length > best_count * best_len:
                best_len, best_count = length, count
        block = activities[i:i + best_len]
        text = " → ".join(block)
        if best_count > 1:
            text = f"{text} ×{best_count}" if best_len == 1 else f"({text}) ×{best_count}"
        items.append((text, best_len * best_count))
        i += best_len * best_count
    if len(items) > max_items:
        # max_items in all: the first half, the ellipsis, the last ones
        head = items[:(max_items + 1) // 2]
        keep_tail = max_items - len(head) - 1
        tail = items[len(items) - keep_tail:] if keep_tail > 0 else []
        hidden = sum(steps for _, steps in items[len(head):len(items) - len(tail)])
        items = [*head, (say("steps_omitted", lang, n=hidden), 0), *tail]
    return " → ".join(text for text, _ in items)


@dataclass(repr=False)
class VariantExplorer(DrillDown):
    """The variants of a log, most frequent first, for a table and a chart of the top ones.

    ``table`` has every variant (the columns of :func:`variants`); the top ``top`` are shown one
    by one and the rest in a single "其他 K 个变体" row, with the median lead time of its completed
    cases. ``completed`` holds (variant_id, lead_hours, lead_work_hours) of the completed cases,
    from which that row is computed for any ``top``.
    """

    table: pl.DataFrame
    completed: pl.DataFrame
    total_cases: int
    top: int
    hours_per_day: float
    basis: str
    calendar_description: str
    calendar_description_zh: str
    source: str = ""

    def shown(self, top: int | None = None, lang: str = "zh") -> pl.DataFrame:
        """The top variants and, when there are more, one row for the others (rank empty)."""
        top = self.top if top is None else top
        head = self.table.head(top).with_columns(
            pl.col("activities").map_elements(lambda a: compress_sequence(a.to_list(), lang=lang),
                                              return_dtype=pl.String).alias("variant"))
        head = head.select("rank", "variant", "steps", "cases", "share", "cumulative_share",
                           "median_lead_work_days", "median_lead_days",
                           pl.col("activities").list.join(" → ").alias("activities"))
        rest = self.table.height - head.height
        if rest <= 0:
            return head
        others = self.completed.filter(pl.col("variant_id") > top)
        cases = int(self.table["cases"][top:].sum())
        row = pl.DataFrame({
            "rank": [None], "variant": [say("others_label", lang, k=rest)], "steps": [None], "cases": [cases],
            "share": [cases / max(self.total_cases, 1)], "cumulative_share": [1.0],
            "median_lead_work_days": [others["lead_work_hours"].median() / self.hours_per_day
                                      if others.height else None],
            "median_lead_days": [others["lead_hours"].median() / 24 if others.height else None],
            "activities": [None],
        }, schema=head.schema)
        return pl.concat([head, row])

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Every variant: variant_id (its rank, as in the case table), the compressed sequence, the full
        sequence, steps, cases, share, cumulative share, median lead time in working and calendar
        days (completed cases)."""
        frame = self.shown(self.table.height, lang).rename({"rank": "variant_id"})
        return frame.with_columns(pl.col(pl.Float64).round(6)).to_pandas()

    def to_dict(self) -> dict:
        shown = self.shown()
        rows = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
                for row in shown.to_dicts()]
        others = rows.pop() if shown.height > self.top else None
        return {
            "source": self.source,
            "cases": self.total_cases,
            "variants": self.table.height,
            "top": self.top,
            "top_coverage": round(coverage(self.table, self.top), 4),
            "time_basis": self.basis,
            "hours_per_work_day": self.hours_per_day,
            "calendar": self.calendar_description,
            "lead_time": "median over completed cases; working days under the calendar, and calendar days",
            "top_variants": rows,
            "others": None if others is None else {
                "variants": self.table.height - self.top, "cases": others["cases"], "share": others["share"],
                "median_lead_work_days": others["median_lead_work_days"],
                "median_lead_days": others["median_lead_days"]},
        }

    def describe(self, lang: str = "zh") -> str:
        shown = self.shown(lang=lang)
        lines = [say("variants_head", lang, variants=self.table.height, cases=self.total_cases,
                     top=min(self.top, self.table.height), coverage=f"{coverage(self.table, self.top) * 100:.1f} %")]
        for row in shown.iter_rows(named=True):
            values = dict(share=f"{row['share'] * 100:.1f} %", cases=row["cases"],
                          work=days(row["median_lead_work_days"]), work_days=days_word(self.basis, lang),
                          days=days(row["median_lead_days"]))
            if row["rank"] is None:
                lines.append(say("variants_others", lang, k=self.table.height - self.top, **values))
            else:
                lines.append(say("variants_row", lang, rank=row["rank"], variant=row["variant"], **values))
        lines.append("  " + self.calendar_text(lang))
        return "\n".join(lines)

    outputs = ("variants.csv", "variants.png", "variants.svg")

    def _write_files(self, paths, lang, **options) -> None:
        """Every variant as CSV (variant_id = the case table's), and the chart of the top variants."""
        if "variants.csv" in paths:
            self.to_csv(paths["variants.csv"])
        self._write_charts(paths, {"variants": lambda: self.plot(lang)})

    def plot(self, lang: str = "zh", top: int | None = None):
        """Horizontal bars of the top variants' shares, with their median lead time beside."""
        from procmine.chart.variants import draw_variants

        return draw_variants(self, lang=lang, top=top)

    def _repr_html_(self) -> str:
        import base64

        shown = self.shown().to_pandas().drop(columns=["activities"])
        chart = base64.b64encode(self._repr_png_()).decode("ascii")
        return (f"<div><pre>{html.escape(self.describe(display_lang(self)))}</pre>"
                f"<img src=\"data:image/png;base64,{chart}\" style=\"max-width:100%\"/>"
                f"{shown.to_html(index=False, na_rep='')}</div>")


def explore_variants(log: EventLog, calendar: "Calendar | None" = None, top: int = 10) -> VariantExplorer:
    """The variant explorer: the ``top`` variants one by one, the rest as one row.

        >>> explorer = explore_variants(log, top=5)       # doctest: +SKIP
        >>> explorer.plot().savefig("variants.png")       # doctest: +SKIP
        >>> explorer.write("out")             # variants.csv (every variant, with its rank), the chart  # doctest: +SKIP
    """
    tables = time_tables(log, calendar)
    cal = tables.calendar
    completed = (tables.cases.filter(~pl.col("open"))
                 .select(pl.col("variant_id").cast(pl.Int64), "lead_hours", "lead_work_hours"))
    return VariantExplorer(table=variants(log, cal), completed=completed, total_cases=tables.cases.height,
                           top=max(1, int(top)), hours_per_day=cal.hours_per_day, basis=tables.basis,
                           calendar_description=cal.describe("en"), calendar_description_zh=cal.describe("zh"),
                           source=log.label)


__all__ = ["variants", "coverage", "compress_sequence", "explore_variants", "VariantExplorer"]
