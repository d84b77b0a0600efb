"""Loops and rework (返工): where work goes back to a step the case has already passed.

A loop is found by its **re-entry**: a hand-off i → j into an activity the case has already done,
where j's activity first appeared in the case no later than i's did (the work goes back up the
process). The hand-offs of the second pass (部门经理审批 → 法务审核 again) go forward and are not
new loops. Loops are grouped by that back edge (source → target); a case counts once however
often it went round, ``traversals`` counts every round. The process map's strongly connected
components (networkx) show where the map *can* loop; the cases show where it *did*.

Ping-pong: two consecutive hand-offs i → j → k that take the work from one person to another
and straight back (who(i) = who(k) ≠ who(j)). People are used when the log names them, else
departments; a department appears twice on many designed paths (客服部 → 物流部 → 客服部), so
there it only counts when the work really goes back (j's outcome is a send-back, or k is a
re-entry). A ping-pong whose cases are mostly (``FOLD_SHARE``) the cases of a re-entry loop over
the same activities is that loop seen person by person: it is folded into the loop
(``ping_pong_cases``, ``parties``) instead of being reported again.

All times come from :func:`procmine.analyse.times.time_tables`: working hours under the
calendar (calendar hours when ``Calendar(kind="none")``). Open cases are left out of lead times.

    >>> report = find_loops(log)                 # doctest: +SKIP
    >>> print(report)                            # doctest: +SKIP
    >>> report.plot().savefig("loops.png")       # doctest: +SKIP
"""

from __future__ import annotations

import html
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import polars as pl

from procmine.analyse.times import time_tables
from procmine.engine.tables import named_handoffs
from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE, EventLog
from procmine.outcomes import SAYS_NO
from procmine.result import Result, display_lang
from procmine.text import Text, phrases

if TYPE_CHECKING:
    import pandas as pd

#: A ping-pong is folded into a re-entry loop when at least this share of its cases went round that loop.
FOLD_SHARE = 0.8
#: A round's body (the steps gone through again) is read up to this many steps: enough to name
#: the loop, and bounded however long one case runs.
MAX_BODY = 200
#: The text lists this many loops (JSON has them all).
TEXT_TOP = 15
MAP_CYCLE_LENGTH, MAP_CYCLE_CAP = 8, 10_000  # simple_cycles is exponential: bound length and count
PHRASES = phrases("loops", {
    # the kinds of loop, by their names in the JSON
    "self-loop": ("自循环", "self-loop"),
    "send-back": ("退回返工", "send-back"),
    "rework": ("返工", "rework"),
    "ping-pong": ("来回传递", "ping-pong"),
    "pong_end": ("（往返）", " (ping-pong)"),
    "steps": ("（{n} 步）", " ({n} steps)"),
    "head_one": ("返工与循环：{cases} 件案例中发现 {n} 种（{basis}：{calendar}）",
                 "Loops: {n} kind in {cases} cases ({basis}: {calendar})"),
    "head_many": ("返工与循环：{cases} 件案例中发现 {n} 种（{basis}：{calendar}）",
                  "Loops: {n} kinds in {cases} cases ({basis}: {calendar})"),
    "level_people": ("人员", "people"),
    "level_departments": ("部门", "departments"),
    "who_pong": ("{level}间往返，{pairs_n} 对：{pairs}", "between {level}: {pairs_n} pair(s), {pairs}"),
    "who_sender": ("由 {sender} 发回", "sent back by {sender}"),
    "line": ("  {i}. {label}  [{kind}，{who}]  {cases} 件（{share:.1%}）· 共 {traversals} 次 · 中位额外 {extra}",
             "  {i}. {label}  [{kind}, {who}]  {cases} cases ({share:.1%}), {traversals} times, median extra {extra}"),
    "line_pong": (" · 其中 {n} 件在{level}间来回（{pairs_n} 对：{pairs}）",
                  "; in {n} of them the work bounced between two {level} ({pairs_n} pair(s): {pairs})"),
    "more": ("  … 另有 {n} 种（见 --json）", "  … {n} more (see --json)"),
    "none": ("  未发现返工或来回传递", "  no loops or ping-pong found"),
    "map_cycle": ("  流程图中 {names} 之间有环，但没有案例真正返回（只是顺序不同）",
                  "  the map cycles between {names}, but no case went back (order only)"),
    "repeated": ("  重复执行：{activity} {cases} 件多次（多出 {n} 次）", "  repeated: {activity} in {cases} cases, {n} extra times"),
    "bar": ("{cases} 件 · 中位额外 {extra:.1f} {unit}", "{cases} cases · median extra {extra:.1f} {unit}"),
    "bar_cases": ("{cases} 件", "{cases} cases"),
    "axis": ("案例数（中位额外 = 有此环与无此环的已结案案例中位周期之差，{unit}）",
             "cases (median extra = median lead time of closed cases with the loop minus those without, {unit})"),
    "title": ("返工与循环（按案例数）", "Loops by cases"),
    "no_loops": ("未发现返工", "no loops found"),
    # the notebook display's table
    "html_head": ("返工与循环", "Loops"),
    "html_loop": ("环", "loop"),
    "html_kind": ("类型", "kind"),
    "html_sender": ("发回环节", "sent back by"),
    "html_cases": ("案例数", "cases"),
    "html_share": ("占比", "share"),
    "html_times": ("次数", "times"),
    "html_extra": ("中位额外（{unit}）", "median extra ({unit})"),
})
SCHEMA = {
    "kind": pl.String, "activities": pl.List(pl.String), "back_edge": pl.List(pl.String), "by": pl.String,
    "sender": pl.String, "cases": pl.Int64, "case_share": pl.Float64, "traversals": pl.Int64,
    "median_extra_work_hours": pl.Float64, "scc": pl.List(pl.String), "parties": pl.List(pl.String),
    "party_pairs": pl.Int64, "ping_pong_cases": pl.Int64, "example_cases": pl.List(pl.String),
    "case_ids": pl.List(pl.String),
}


def says_no(expr: pl.Expr = pl.col("decision")) -> pl.Expr:
    """True where a step's decision sent the work back or rejected it (null → False); the
    decision is the engine's, in the one vocabulary of :mod:`procmine.outcomes`."""
    return expr.is_in(SAYS_NO).fill_null(False)


def hours_unit(basis: str, lang: str = "zh") -> str:
    """'工作小时' / 'working hours', or the calendar-hour words when no working calendar applies."""
    return Text(lang).hours_unit(basis)


def re_entries(tables) -> pl.DataFrame:
    """One row per re-entry: the back edge, its rows, and where the loop body starts (``body_from``).

    A step re-entered from several parallel branches at once counts once, from the branch that
    sent the work back (send-back outcome first, then the last to complete).
    """
    # Steps are numbered by their global index, so each hand-off's two steps are a gather away:
    # the few back edges are found first, and only they get the rest of their columns.
    steps = tables.steps
    handoffs = tables.handoff_codes
    first_pos = steps["first_pos"]
    target_occ = steps["occurrence"].gather(handoffs["target_index"])
    is_back = (first_pos.gather(handoffs["target_index"]) <= first_pos.gather(handoffs["source_index"])) & (target_occ > 1)
    back = named_handoffs(handoffs.filter(is_back), steps, tables.activity_names).select(
        CASE, "case_code", "source", "target", "target_code", "source_row", "target_row", "source_index",
        "target_index", "source_end")
    at_source, at_target = steps[back["source_index"]], steps[back["target_index"]]
    back = back.with_columns(
        at_source["pos"].alias("source_pos"), at_source["first_pos"].alias("source_first"),
        at_source.select(says_no()).to_series().alias("source_sends_back"),
        at_target["pos"].alias("target_pos"), at_target["first_pos"].alias("target_first"),
        at_target["occurrence"].alias("target_occ"),
    ).sort(["case_code", "target_index", "source_sends_back", "source_end", "source_pos"],
           descending=[False, False, True, True, True]
    ).unique(["case_code", "target_index"], keep="first", maintain_order=True)
    previous = steps.filter(pl.col("case_code").is_in(back["case_code"].unique().implode())).select(
        "case_code", pl.col("activity_code").alias("target_code"), (pl.col("occurrence") + 1).alias("target_occ"),
        pl.col("pos").alias("body_from"))
    return back.join(previous, on=["case_code", "target_code", "target_occ"]).drop(
        "target_code", "source_index", "target_index")


@dataclass
class LoopReport(Result):
    """Loops (one row each, most cases first), repeated activities, and what the times mean.

    ``loops`` columns: kind ('self-loop' | 'send-back' | 'rework' | 'ping-pong'), activities
    (loop body in step order; for ping-pong the three steps), back_edge, by, sender, cases,
    case_share, traversals, median_extra_work_hours (median lead time of closed cases with the
    loop minus that of closed cases without it), scc, parties (the top 3 pairs who passed the work
    back and forth, "甲 ⇄ 乙 (cases)"), party_pairs (how many distinct pairs), ping_pong_cases (re-entry
    loops: cases of the loop that also bounced between two people/departments, from the ping-pong
    folded into it), example_cases, case_ids.
    ``cases_with_loops``: the cases that went round at least one of the loops listed (any kind).
    ``repeated_activities``: activity, cases (cases doing it more than once), repetitions
    (its executions beyond the first in each case = occurrences − cases with it), max_in_case.
    """

    loops: pl.DataFrame
    repeated_activities: pl.DataFrame
    cases: int
    basis: str
    calendar_description: str
    map_regions: list[dict] | None = None
    warnings: list[str] = field(default_factory=list)  # the calendar's coverage and plausibility warnings
    calendar_description_en: str = ""
    cases_with_loops: int = 0

    def to_dict(self) -> dict:
        loops = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items() if k != "case_ids"}
                 for row in self.loops.to_dicts()]
        return {"cases": self.cases, "cases_with_loops": self.cases_with_loops, "time_basis": self.basis,
                "calendar": self.calendar_description_en or self.calendar_description,
                "calendar_zh": self.calendar_description, "loops": loops, "repeated_activities": self.repeated_activities.to_dicts(),
                "map_regions": self.map_regions or [], "warnings": self.warnings}


    def to_frame(self) -> pd.DataFrame:
        return self.loops.to_pandas()

    @staticmethod
    def label(row: dict, lang: str = "zh", limit: int | None = None) -> str:
        """'部门经理审批 → 法务审核 → 修改合同 ↩' (re-entry) or 'A → B → A（往返）' (ping-pong).

        With ``limit`` (display width per line: a Chinese character counts two) a long label wraps
        onto a second line; a loop still too long keeps its back edge, the step it returns to and
        the step that sends the work back, in full: 'A → … → Z ↩（N 步）'. Names are cut (in the
        middle) only when one alone is wider than a line.
        """
        names = list(row["activities"])
        pong = row["kind"] == "ping-pong"
        end = PHRASES("pong_end", lang) if pong else " ↩"
        if not limit:
            return " → ".join(names) + end
        variants = [(names, end)]
        if not pong and len(names) > 2:
            source, target = row.get("back_edge") or [names[-1], names[0]]
            steps = PHRASES("steps", lang, n=len(names))
            variants += [([target, "…", source], end + steps), ([target, "…", source], end)]
        for parts, tail in variants:
            lines = _wrap(parts, tail, limit, cut=False)
            if lines and len(lines) <= 2:
                return "\n".join(lines)
        # names cut to fit: the full ping-pong, or the loop's back edge with its number of steps
        return "\n".join(_wrap(*variants[min(1, len(variants) - 1)], limit))

    def describe(self, lang: str = "zh", top: int | None = TEXT_TOP) -> str:
        """The loops as a short numbered table in words, with units (Chinese or English).

        Only the ``top`` loops by cases are listed (None: all); the JSON keeps every loop.
        """
        t = PHRASES.text(lang)
        unit = t.hours_unit(self.basis)
        calendar = t.pick((self.calendar_description, self.calendar_description_en or self.calendar_description))
        lines = [t("head_one" if self.loops.height == 1 else "head_many", n=self.loops.height, cases=self.cases,
                   basis=t.basis(self.basis), calendar=calendar)]
        rows = self.loops.to_dicts()
        shown = rows if top is None else rows[:top]
        for i, r in enumerate(shown, 1):
            extra = "–" if r["median_extra_work_hours"] is None else f"{r['median_extra_work_hours']:.1f} {unit}"
            pairs = t.join(r["parties"] or [])
            level = t("level_people" if r["by"] == RESOURCE else "level_departments")
            who = (t("who_pong", level=level, pairs_n=r["party_pairs"], pairs=pairs) if r["kind"] == "ping-pong"
                   else t("who_sender", sender=r["sender"]))
            line = t("line", i=i, label=self.label(r, lang), kind=t(r["kind"]), who=who, cases=r["cases"],
                     share=r["case_share"], traversals=r["traversals"], extra=extra)
            if r["ping_pong_cases"]:
                line += t("line_pong", n=r["ping_pong_cases"], level=level, pairs_n=r["party_pairs"], pairs=pairs)
            lines.append(line)
        if len(shown) < len(rows):
            lines.append(t("more", n=len(rows) - len(shown)))
        if self.loops.is_empty():
            lines.append(t("none"))
        for region in self.map_regions or []:
            if not region["confirmed"]:  # e.g. two steps recorded in either order: not rework
                lines.append(t("map_cycle", names=t.join(region["activities"])))
        for r in self.repeated_activities.head(5).to_dicts():
            lines.append(t("repeated", activity=r["activity"], cases=r["cases"], n=r["repetitions"]))
        from procmine.report.translate import note  # the calendar's warnings are written in English

        return "\n".join([*lines, *(f"  ! {note(w, lang)}" for w in self.warnings)])

    def __str__(self) -> str:
        return self.describe("zh")

    def _repr_html_(self) -> str:
        esc, t = html.escape, PHRASES.text(display_lang(self))
        rows = "".join(
            f"<tr><td>{esc(self.label(r, t.lang))}</td><td>{esc(t(r['kind']))}</td><td>{esc(str(r['sender']))}</td>"
            f"<td>{r['cases']}</td><td>{r['case_share']:.1%}</td><td>{r['traversals']}</td>"
            f"<td>{_fmt(r['median_extra_work_hours'])}</td></tr>"
            for r in self.loops.to_dicts())
        calendar = t.pick((self.calendar_description, self.calendar_description_en or self.calendar_description))
        heads = "".join(f"<th>{esc(t(key, unit=t.hours_unit(self.basis)))}</th>" for key in
                        ("html_loop", "html_kind", "html_sender", "html_cases", "html_share", "html_times",
                         "html_extra"))
        return (f"<div><h4>{esc(t('html_head'))}</h4><p>{esc(calendar)}</p><table><tr>{heads}</tr>{rows}"
                "</table></div>")

    outputs = ("loops.png", "loops.svg", "loops.json")

    def _write_files(self, paths, lang, filters=(), painter=None, **options) -> None:
        """The loops chart (PNG + SVG; its own top 15) and the JSON. With a ``painter`` the chart
        is drawn in its process while the JSON is written here."""
        self._write_charts(paths, {"loops": self._bars(lang)}, painter,
                           meanwhile=lambda: self._write_json(paths, "loops.json", filters))

    def plot(self, lang: str = "zh", top: int = 15):
        """Horizontal bars of the ``top`` loops by cases, each labelled with its median extra time."""
        draw, arguments = self._bars(lang, top)
        return draw(**arguments)

    def _bars(self, lang: str, top: int = 15) -> tuple:
        """The chart as (drawing function, its arguments): drawn here or in another process."""
        from procmine.chart.background import loop_bars_figure  # (matplotlib is imported where it draws)

        t = PHRASES.text(lang)
        rows = self.loops.head(top).to_dicts()[::-1]  # largest at the top
        unit = t.hours_unit(self.basis)
        labels = _distinct([self.label(r, lang, limit=LABEL_WIDTH) for r in rows[::-1]])[::-1]  # by rank
        notes = [t("bar", cases=r["cases"], extra=r["median_extra_work_hours"], unit=unit)
                 if r["median_extra_work_hours"] is not None else t("bar_cases", cases=r["cases"]) for r in rows]
        return loop_bars_figure, {"labels": labels, "cases": [r["cases"] for r in rows], "notes": notes,
                                  "title": t("title"), "axis_label": t("axis", unit=unit), "empty": t("no_loops")}


LABEL_WIDTH = 48  # bar labels, in half-width characters (a Chinese character counts two)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fmt(hours: float | None) -> str:
    return "–" if hours is None else f"{hours:.1f}"


def _shorten(text: str, limit: int) -> str:
    """Cut ``text`` in the middle to ``limit`` display width: both ends of a name tell steps apart
    ("Request For Payment … by EMPLOYEE")."""
    if _width(text) <= limit:
        return text
    room = max(limit - 1, 2)  # the ellipsis takes one
    head = ""
    for ch in text:
        if _width(head + ch) > (room + 1) // 2:
            break
        head += ch
    tail = ""
    for ch in reversed(text):
        if _width(head) + _width(ch + tail) > room:
            break
        tail = ch + tail
    return head.rstrip() + "…" + tail.lstrip()


def _wrap(names: list[str], end: str, limit: int, cut: bool = True) -> list[str] | None:
    """'A → B → C' + end packed into lines of at most ``limit`` width, each line but the last ending
    with '→'. A name too wide for a line is cut in the middle (``cut``) or gives None."""
    suffixes = [" →"] * (len(names) - 1) + [end]
    pieces = [n + x for n, x in zip(names, suffixes)]
    if not cut and any(_width(p) > limit for p in pieces):
        return None
    pieces = [p if _width(p) <= limit else _shorten(n, limit - _width(x)) + x
              for p, n, x in zip(pieces, names, suffixes)]
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if _width(lines[-1] + " " + piece) <= limit:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return lines


def _distinct(labels: list[str]) -> list[str]:
    """Labels that came out the same (names cut alike) get a number each: '… #2'."""
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    count: dict[str, int] = {}
    out = []
    for label in labels:
        if seen[label] > 1:
            count[label] = count.get(label, 0) + 1
            label = f"{label} #{count[label]}"
        out.append(label)
    return out


def find_loops(log: EventLog, calendar=None, *, examples: int = 5, ping_pong_by: str | None = "auto") -> LoopReport:
    """Loops (re-entries), ping-pong hand-backs and repeated activities of ``log``.

    ``ping_pong_by``: 'resource', 'department', 'auto' (people when the log names them, else
    departments) or None (no ping-pong). ``examples``: how many case ids each loop lists.

    >>> find_loops(log).to_dict()["loops"][0]["activities"]       # doctest: +SKIP
    ['部门经理审批', '财务审核', '法务审核', '修改合同']

    A log read with ``engine="spark"`` is measured on Spark (:mod:`procmine.engine.spark_analyses`).
    """
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_analyses import spark_loops

        return spark_loops(log, calendar, examples=examples, ping_pong_by=ping_pong_by)
    timed = time_tables(log, calendar)
    # loops are found in the steps' and hand-offs' order and names: only the cases need working hours
    tables = timed.plain
    steps = tables.steps
    by = _ping_pong_level(steps, ping_pong_by)
    # the hand-offs are built in a thread while what needs only the steps and cases is measured here
    with ThreadPoolExecutor(1, thread_name_prefix="procmine-loops") as pool:
        building = pool.submit(lambda: tables.handoff_codes)
        n_cases = timed.cases.height
        closed = timed.cases.filter(~pl.col("open")).select(CASE, "lead_work_hours")
        typical = dict(steps.group_by(ACTIVITY).agg(pl.col("pos").median()).iter_rows())
        repeated = _repeated(steps)
        if by:
            tables.codes(by)
        building.result()

    graph = _activity_graph(tables)
    sccs = [sorted(c, key=lambda a: (typical.get(a, 0), a)) for c in nx.strongly_connected_components(graph)
            if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))]
    scc_of = {a: c for c in sccs for a in c}

    def common(row: dict) -> dict:  # figures every loop kind shares
        ids = sorted(row.pop("ids"))
        loop = closed[CASE].is_in(pl.Series(ids, dtype=pl.String).implode())
        inside, outside = closed["lead_work_hours"].filter(loop), closed["lead_work_hours"].filter(~loop)
        extra = None if inside.is_empty() or outside.is_empty() else inside.median() - outside.median()
        return {**row, "cases": len(ids), "case_share": len(ids) / n_cases if n_cases else 0.0,
                "median_extra_work_hours": extra, "scc": scc_of.get(row["activities"][0], []),
                "example_cases": ids[:examples], "case_ids": ids}

    records = [common(r) for r in _loop_rows(steps, re_entries(tables), tables.activity_names.to_list())]
    if by:
        records = _fold(records, [common(r) for r in _ping_pong_rows(tables, by)])
    for r in records:
        pairs = sorted(r.pop("pairs").values(), key=lambda p: (-len(p[1]), p[0]))
        r["parties"] = [f"{a} ⇄ {b} ({len(ids)})" for (a, b), ids in pairs[:3]] if pairs else None
        r["party_pairs"] = len(pairs) if pairs else None
    loops = pl.DataFrame(records, schema=SCHEMA) if records else pl.DataFrame(schema=SCHEMA)
    loops = loops.with_columns(pl.col("activities").list.join(" → ").alias("__label")).sort(
        ["cases", "traversals", "__label"], descending=[True, True, False]).drop("__label")

    confirmed = {a for edge in loops["back_edge"].drop_nulls().to_list() for a in edge}
    regions = [{"activities": c, "confirmed": bool(confirmed & set(c)),
                "simple_cycles": sum(1 for _ in islice(
                    nx.simple_cycles(graph.subgraph(c), length_bound=MAP_CYCLE_LENGTH), MAP_CYCLE_CAP))}
               for c in sccs]
    return LoopReport(loops, repeated, n_cases, timed.basis, timed.calendar.describe("zh"), regions,
                      calendar_warnings(timed), timed.calendar.describe("en"),
                      cases_with_loops=len({case for r in records for case in r["case_ids"]}))


def calendar_warnings(tables) -> list[str]:
    """The calendar's coverage warnings (days it had to guess) and the time tables' plausibility ones."""
    found = [*getattr(tables.calendar, "warnings", []), *getattr(tables, "warnings", [])]
    return list(dict.fromkeys(found))


def _fold(loops: list[dict], pongs: list[dict]) -> list[dict]:
    """Re-entry loops plus the ping-pongs that are not one of them seen person by person.

    A ping-pong whose activities all lie on a re-entry loop, and at least ``FOLD_SHARE`` of whose
    cases went round it, is folded into that loop: its cases there count in ``ping_pong_cases`` and
    its pairs of people in the loop's ``pairs``.
    """
    kept = []
    for pong in sorted(pongs, key=lambda r: (-r["cases"], r["activities"])):
        ids = set(pong["case_ids"])
        home, shared = None, set()
        for loop in loops:
            if loop["kind"] == "ping-pong" or not set(pong["activities"]) <= {*loop["activities"], *loop["back_edge"]}:
                continue
            common = ids & set(loop["case_ids"])
            if len(common) >= FOLD_SHARE * len(ids) and len(common) > len(shared):
                home, shared = loop, common
        if home is None:
            kept.append(pong)
            continue
        home["by"] = pong["by"]
        home["folded"] = home.get("folded", set()) | shared
        home["ping_pong_cases"] = len(home["folded"])
        for key, (names, cases) in pong["pairs"].items():
            names, before = home["pairs"].get(key, (names, set()))
            home["pairs"][key] = (names, before | (cases & shared))
    for loop in loops:
        loop.pop("folded", None)
    return loops + kept


def _activity_graph(tables) -> nx.DiGraph:
    """The process map's graph without its start and end: the activities and their hand-offs,
    added in the map's order (most frequent first), so cycles are found in the same order; built
    from counts of integer codes, not the map's duration statistics."""
    names = tables.activity_names
    frequency = np.bincount(tables.steps["activity_code"].to_numpy(), minlength=len(names))
    nodes = pl.DataFrame({"name": names, "n": frequency}).sort(["n", "name"], descending=[True, False])["name"]
    edges = (tables.handoff_codes.group_by("source_code", "target_code").len()
             .with_columns(pl.lit(names).gather(pl.col("source_code")).alias("source"),
                           pl.lit(names).gather(pl.col("target_code")).alias("target"))
             .sort(["len", "source", "target"], descending=[True, False, False]))
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes.to_list())
    graph.add_edges_from(edges.select("source", "target").iter_rows())
    return graph


def _loop_rows(steps: pl.DataFrame, back: pl.DataFrame, names: list[str]) -> list[dict]:
    """One record per back edge: body, sender, kind, traversals and its case ids."""
    if back.is_empty():
        return []
    # each round's body: the steps from body_from up to the re-entry, gathered by global step
    # index (one range per round, not a join of every round with its whole case)
    case_start = steps["index"].filter(steps["pos"] == 0)  # by case_code: cases are contiguous
    rounds = back.select(CASE, "case_code", "source", "target", "target_row", "body_from", "target_pos").with_columns(
        (case_start.gather(back["case_code"]).cast(pl.Int64) + pl.col("body_from")).alias("__first"),
        pl.min_horizontal(pl.col("target_pos").cast(pl.Int64) - pl.col("body_from"), pl.lit(MAX_BODY)).alias("__n"),
    ).with_row_index("round")
    body = rounds.select("round", CASE, "source", "target", "body_from",
                         pl.int_ranges("__first", pl.col("__first") + pl.col("__n")).alias("__step")
                         ).explode("__step").drop_nulls("__step")
    body = pl.concat([body, steps.select("pos", ACTIVITY, "activity_code", "decision")[body["__step"]]],
                     how="horizontal")
    # each round's body as its activity codes; the distinct bodies (few) are then named, and the
    # most frequent per back edge kept (ties: the body's names joined, in text order)
    counted = (body.group_by("round", "source", "target", maintain_order=True).agg(pl.col("activity_code"))
               .group_by("source", "target", "activity_code").len())
    counted = counted.with_columns(pl.Series("key", ["\u001f".join(names[c] for c in codes)
                                                     for codes in counted["activity_code"].to_list()]))
    bodies = {(s, t): key.split("\u001f") for s, t, _, _, key in (
        counted.sort(["source", "target", "len", "key"], descending=[False, False, True, False])
        .unique(["source", "target"], keep="first", maintain_order=True).iter_rows())}
    # the step in the body that said no (驳回, 退回, or "REJECTED by …" as a step's name)
    senders = {(s, t): a for s, t, a, *_ in (
        body.filter(says_no()).group_by("source", "target", ACTIVITY)
        .agg(pl.len(), (pl.col("pos") - pl.col("body_from")).mean().alias("offset"))
        .sort(["source", "target", "len", "offset", ACTIVITY], descending=[False, False, True, False, False])
        .unique(["source", "target"], keep="first", maintain_order=True).iter_rows())}
    rows = []
    for (s, t), group in back.group_by("source", "target", maintain_order=True):
        sender = senders.get((s, t))
        kind = "self-loop" if s == t else "send-back" if sender else "rework"
        rows.append({"kind": kind, "activities": bodies.get((s, t), [t, s]), "back_edge": [s, t], "by": None,
                     "sender": sender or s, "traversals": group.height, "pairs": {}, "ping_pong_cases": 0,
                     "ids": group[CASE].unique().to_list()})
    return rows


def _ping_pong_level(steps: pl.DataFrame, choice: str | None) -> str | None:
    if choice in (None, "resource", "department"):
        return choice
    for column in (RESOURCE, DEPARTMENT):
        if steps[column].null_count() < steps.height:
            return column
    return None


def _ping_pong_rows(tables, by: str) -> list[dict]:
    """Records for i → j → k chains of hand-offs with who(i) = who(k) ≠ who(j)."""
    s = tables.steps.select(ACTIVITY, "decision", "occurrence", pl.col(by).alias("who"), "first_pos")
    # chains i → j → k: hand-offs joined on their middle step (global step indices), in hand-off order;
    # who(i) = who(k) ≠ who(j) decided on integer codes (-1: nobody) first; only those chains get their columns
    who = tables.codes(by)[0].cast(pl.Int64).fill_null(-1).to_numpy()
    chain = _chains(tables.handoff_codes, tables.steps.height,
                    lambda i, j, k: (who[i] == who[k]) & (who[i] != who[j]) & (who[i] >= 0) & (who[j] >= 0))
    chain = pl.concat([tables.steps[CASE].gather(chain["i"]).to_frame(),
                       *(s[chain[tag]].rename({c: f"{c}_{tag}" for c in s.columns}) for tag in ("i", "j", "k"))],
                      how="horizontal")
    if by == DEPARTMENT:  # designed paths pass a department twice; count only real returns
        goes_back = (pl.col("first_pos_k") <= pl.col("first_pos_j")) & (pl.col("occurrence_k") > 1)
        chain = chain.filter(says_no(pl.col("decision_j")) | goes_back)
    rows = []
    for (ai, aj, ak), group in chain.group_by(f"{ACTIVITY}_i", f"{ACTIVITY}_j", f"{ACTIVITY}_k", maintain_order=True):
        pairs: dict[frozenset, tuple] = {}  # {甲, 乙} → ((甲, 乙) as first seen, case ids): 甲 ⇄ 乙 either way
        for a, b, ids, _ in (group.group_by("who_i", "who_j").agg(pl.col(CASE).unique().sort())
                          .with_columns(pl.col(CASE).list.len().alias("n"))
                          .sort(["n", "who_i", "who_j"], descending=[True, False, False]).iter_rows()):
            names, before = pairs.get(frozenset((a, b)), ((a, b), set()))
            pairs[frozenset((a, b))] = (names, before | set(ids))
        rows.append({"kind": "ping-pong", "activities": [ai, aj, ak], "back_edge": None, "by": by, "sender": aj,
                     "traversals": group.height, "pairs": pairs, "ping_pong_cases": None,
                     "ids": group[CASE].unique().to_list()})
    return rows


def _chains(handoffs: pl.DataFrame, n_steps: int, keep=None) -> pl.DataFrame:
    """The chains i → j → k of two hand-offs that ``keep(i, j, k)`` (numpy arrays → a mask; all
    without it) keeps (i, j, k as global step indices), in hand-off order, then in the order of j's own
    hand-offs: the self-join on j, done by position. Each step's hand-offs are a run of the
    table ordered by source, found from the counts per step.

    Most steps hand over to one step: those chains are tested as they are, without building a
    table of them; only the steps handing over to several (parallel branches) are spelled out."""
    i, j = handoffs["source_index"].to_numpy(), handoffs["target_index"].to_numpy()
    by_source = None if (i[1:] >= i[:-1]).all() else np.argsort(i, kind="stable")
    counts = np.bincount(i, minlength=n_steps)
    offset = np.cumsum(counts) - counts  # where step s's hand-offs start, in source order
    follow = counts[j]  # how many hand-offs leave each hand-off's target
    single = np.flatnonzero(follow == 1)
    several = np.flatnonzero(follow > 1)
    spelled = np.repeat(several, follow[several])
    within = np.arange(len(spelled)) - np.repeat(np.cumsum(follow[several]) - follow[several], follow[several])
    kept_rows, kept_within, kept_k = [], [], []
    for rows, nth in ((single, None), (spelled, within)):  # nth: which of j's hand-offs (None: the only one)
        at = offset[j[rows]] if nth is None else offset[j[rows]] + nth
        k = j[at if by_source is None else by_source[at]]
        kept = keep(i[rows], j[rows], k) if keep is not None else np.ones(len(rows), dtype=bool)
        kept_rows.append(rows[kept])
        kept_within.append(np.zeros(int(kept.sum()), dtype=np.int64) if nth is None else nth[kept])
        kept_k.append(k[kept])
    rows, within, k = np.concatenate(kept_rows), np.concatenate(kept_within), np.concatenate(kept_k)
    order = np.lexsort((within, rows))  # hand-off order, then the order of j's hand-offs
    rows, k = rows[order], k[order]
    return pl.DataFrame({"i": i[rows], "j": j[rows], "k": k})


def _repeated(steps: pl.DataFrame) -> pl.DataFrame:
    """Activities some case did more than once; repetitions = executions beyond each case's first."""
    return (
        steps.select(ACTIVITY, "occurrence").filter(pl.col("occurrence") > 1)
        .group_by(ACTIVITY).agg((pl.col("occurrence") == 2).sum().alias("cases"), pl.len().alias("repetitions"),
                                pl.col("occurrence").max().alias("max_in_case"))
        .sort(["cases", "repetitions", ACTIVITY], descending=[True, True, False])
        .with_columns(pl.col("cases").cast(pl.Int64), pl.col("repetitions").cast(pl.Int64),
                      pl.col("max_in_case").cast(pl.Int64))
    )
