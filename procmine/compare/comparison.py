"""How far the current process deviates from its design, where, in how many cases and which.

    >>> design = read_design("sample_logs/客户投诉处理.design.yaml")    # doctest: +SKIP
    >>> result = compare(log, design)                                  # doctest: +SKIP
    >>> print(result.describe())                                        # doctest: +SKIP

Everything is measured over **completed** cases (cases still in progress have not had the
chance to reach every designed step); how many were left out is stated.

* **Fitness** is pm4py's token-based replay fitness of the log on the design's Petri net
  (``0.5·(1 − missing/consumed) + 0.5·(1 − remaining/produced)``, summed over cases). As in
  pm4py, activities that are not in the design are ignored by the replay; they are listed as
  unplanned steps instead.
* A case **conforms** when the replay fits it completely (no missing or remaining tokens) and
  it has no unplanned step.
* Time limits are compared with each step's duration (arrival → completion, or previous
  completion → completion when the log has no arrival times) in working time for limits in
  working days/hours/minutes, in calendar time for limits in calendar days.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from procmine.compare.design import END, START, Design
from procmine.errors import DesignError
from procmine.log import ACTIVITY, CASE, DEPARTMENT, RESOURCE, ROLE, ROW, TIMESTAMP, EventLog
from procmine.result import Result
from procmine.text import phrases

if TYPE_CHECKING:
    import pandas as pd
    from procmine.calendar import Calendar
    from procmine.engine.tables import TimeTables

#: Example case ids listed per finding (rule and time-limit violations list every case).
EXAMPLES = 10
FITNESS_METHOD = "token-based replay (pm4py)"


class Note(str):
    """A note of the comparison: a phrase ``key`` of this module's table and the ``fields`` that
    fill it (a field may be a ``(zh, en)`` pair), said in either language by ``describe(lang)``.
    The string itself is the English, as the JSON's ``notes`` hold it.

        >>> note = Note("open_left_out", n=3)
        >>> str(note), note.describe("zh")
        ('3 cases still in progress were left out of the comparison', '3 个在办案例未纳入对比')
    """

    def __new__(cls, key: str, **fields) -> "Note":
        note = super().__new__(cls, _say(key, "en", fields))
        note.key, note.fields = key, fields
        return note

    def describe(self, lang: str = "zh") -> str:
        return _say(self.key, lang, self.fields)

    def __reduce__(self):  # a str subclass with keyword fields: pickle and copy rebuild it from them
        return _rebuild_note, (self.key, self.fields)


def _rebuild_note(key: str, fields: dict) -> Note:
    return Note(key, **fields)


def _say(key: str, lang: str, fields: dict) -> str:
    """The phrase ``key`` in ``lang``, a field given as a ``(zh, en)`` pair filled with its member in ``lang``."""
    t = PHRASES.text(lang)
    return t(key, **{name: t.pick(value) if isinstance(value, tuple) else value for name, value in fields.items()})


def _key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).casefold()


@dataclass
class Comparison(Result):
    """The deviations of a log from a design. ``to_dict`` gives the JSON of ``procmine compare``."""

    process: str
    design: Design
    fitness: float | None
    cases: int
    open_cases: int
    conforming_cases: int
    cases_without_deviations: int
    unplanned_activities: list[dict]
    skipped_activities: list[dict]
    extra_handoffs: list[dict]
    unexpected_starts: list[dict]
    unexpected_ends: list[dict]
    used_handoffs: list[dict]
    unused_handoffs: list[dict]
    rule_violations: list[dict]
    time_violations: list[dict]
    responsibility_violations: list[dict]
    targets: list[dict]
    name_matches: dict[str, str]
    time_basis: str
    calendar_description: str
    source: str = ""
    notes: list[str] = field(default_factory=list)
    activity_cases: dict[str, int] = field(default_factory=dict)
    #: one row per (case, deviation), every case id: see :meth:`deviations_by_case`
    case_deviations: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CASE_DEVIATION_SCHEMA))
    #: the time tables' own warnings (most steps completed outside working time?): stderr, not the JSON
    warnings: list[str] = field(default_factory=list)

    # ---- data -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "process": self.process,
            "source": self.source,
            "design": str(self.design.source) if self.design.source else None,
            "design_form": self.design.form,
            "fitness": None if self.fitness is None else round(self.fitness, 4),
            "fitness_method": FITNESS_METHOD,
            "cases": self.cases,
            "cases_in_progress_left_out": self.open_cases,
            "conforming_cases": self.conforming_cases,
            "conforming_share": _share(self.conforming_cases, self.cases),
            "cases_without_deviations": self.cases_without_deviations,
            "unplanned_activities": self.unplanned_activities,
            "skipped_activities": self.skipped_activities,
            "extra_handoffs": self.extra_handoffs,
            "unexpected_starts": self.unexpected_starts,
            "unexpected_ends": self.unexpected_ends,
            "unused_handoffs": self.unused_handoffs,
            "rule_violations": self.rule_violations,
            "time_violations": self.time_violations,
            "responsibility_violations": self.responsibility_violations,
            "targets": self.targets,
            "time_basis": self.time_basis,
            "calendar": self.calendar_description,
            "name_matches": self.name_matches,
            "notes": self.notes,
        }


    def deviations_by_case(self, lang: str = "zh") -> pd.DataFrame:
        """One row per (case, deviation), every case id: what ``deviations.csv`` holds.

        Columns: case, kind (one of :data:`DEVIATION_KINDS`: unplanned_step, skipped_step,
        extra_handoff, unexpected_start, unexpected_end, rule_violation, time_limit,
        responsibility), detail (a sentence in ``lang``), activity, from_activity and to_activity
        (hand-offs), rule, limit (the design's text), measured_hours and hours_over_limit
        (time limits, in ``time_basis``: working or calendar hours), expected and actual
        (responsibilities). Sorted by case, then kind in that order.

            >>> result.deviations_by_case().query("case == 'c4'")[["kind", "detail"]]   # doctest: +SKIP
        """
        frame = self.case_deviations.with_columns(
            pl.col("measured_hours", "hours_over_limit").round(4),
            pl.Series("detail", [_deviation_detail(row, lang) for row in self.case_deviations.iter_rows(named=True)],
                      dtype=pl.String))
        return frame.select(DEVIATION_COLUMNS).to_pandas()

    def deviation_counts(self) -> pl.DataFrame:
        """Deviations per compared case (case, deviations); cases without any have 0."""
        counted = self.case_deviations.group_by(CASE).agg(pl.len().cast(pl.Int64).alias("deviations"))
        return counted.sort(CASE)

    def to_frame(self) -> pd.DataFrame:
        """Summary, one row per deviation found: kind, what, cases, share of cases and case ids
        (every id for rules and time limits, examples for the rest). For one row per case, see
        :meth:`deviations_by_case`."""
        rows = []

        def add(kind, what, item, ids_key="example_case_ids"):
            rows.append((kind, what, item["cases"], " ".join(item.get(ids_key) or [])))

        for item in self.unplanned_activities:
            add("unplanned_activity", item["activity"], item)
        for item in self.skipped_activities:
            add("skipped_activity", item["activity"], item)
        for item in self.extra_handoffs:
            add("extra_handoff", f"{item['source']} → {item['target']}", item)
        for item in self.unexpected_starts:
            add("unexpected_start", item["activity"], item)
        for item in self.unexpected_ends:
            add("unexpected_end", item["activity"], item)
        for item in self.rule_violations:
            add(f"rule:{item['kind']}", item["rule"], item, "case_ids")
        for item in self.time_violations:
            add("time_limit", f"{item['activity']} ({item['limit']})", item, "case_ids")
        for item in self.responsibility_violations:
            add(f"responsibility:{item['field']}", f"{item['activity']}: {item['expected']} → {item['actual']}", item)
        import pandas as pd

        frame = pd.DataFrame(rows, columns=["kind", "what", "cases", "case_ids"])
        frame.insert(3, "share_of_cases", [_share(n, self.cases) for n in frame["cases"]])
        return frame

    # ---- text ---------------------------------------------------------------------------
    def describe(self, lang: str = "zh") -> str:
        from procmine.compare.text import describe_comparison

        return describe_comparison(self, lang)

    def _repr_html_(self) -> str:
        head = html.escape(self.describe("zh").split("\n\n")[0]).replace("\n", "<br>")
        return f"<div>{head}</div>" + self.to_frame().to_html(index=False)

    # ---- chart --------------------------------------------------------------------------
    def graph(self):
        """The design's flow with the log's hand-offs: a networkx graph for the comparison chart."""
        from procmine.chart.comparison import comparison_graph

        return comparison_graph(self)[0]

    # ---- files --------------------------------------------------------------------------
    outputs = ("comparison.png", "comparison.svg", "comparison.json", "deviations.csv", "design.bpmn")

    def _write_files(self, paths, lang, filters=(), **options) -> None:
        """The comparison chart (PNG + SVG), the JSON, one row per case and deviation, and the design as BPMN."""
        from procmine.output import write_csv, writing

        self._write_charts(paths, {"comparison": lambda: self.plot(lang)})
        self._write_json(paths, "comparison.json", filters)
        if "deviations.csv" in paths:
            write_csv(self.deviations_by_case(lang), paths["deviations.csv"])
        if "design.bpmn" in paths:
            with writing(paths["design.bpmn"]):
                self.design.save_bpmn(paths["design.bpmn"])

    def plot(self, lang: str = "zh"):
        """The comparison chart: designed hand-offs used (solid, with case counts), hand-offs
        outside the design (red), designed hand-offs never used (dashed)."""
        from procmine.chart.comparison import draw_comparison

        return draw_comparison(self, lang=lang)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


#: The kinds of deviation a case can have, in the order deviations.csv lists them.
DEVIATION_KINDS = ("unplanned_step", "skipped_step", "extra_handoff", "unexpected_start", "unexpected_end",
                   "rule_violation", "time_limit", "responsibility")
CASE_DEVIATION_SCHEMA = {
    CASE: pl.String, "kind": pl.Enum(DEVIATION_KINDS), "activity": pl.String, "from_activity": pl.String,
    "to_activity": pl.String, "rule": pl.String, "rule_text_zh": pl.String, "rule_text_en": pl.String,
    "rule_detail": pl.String, "limit": pl.String, "measured_hours": pl.Float64, "hours_over_limit": pl.Float64,
    "time_basis": pl.String, "expected": pl.String, "actual": pl.String,
}
DEVIATION_COLUMNS = [CASE, "kind", "detail", "activity", "from_activity", "to_activity", "rule", "limit",
                     "measured_hours", "hours_over_limit", "time_basis", "expected", "actual"]
KIND_WORDS = phrases("deviation_kind", {
    "unplanned_step": ("设计外步骤", "unplanned step"),
    "skipped_step": ("跳过的设计步骤", "skipped step"),
    "extra_handoff": ("设计外交接", "hand-off outside the design"),
    "unexpected_start": ("非设计起点", "start outside the design"),
    "unexpected_end": ("非设计终点", "end outside the design"),
    "rule_violation": ("违反规则", "rule violation"),
    "time_limit": ("超出时限", "time limit exceeded"),
    "responsibility": ("责任主体不符", "done by another"),
})

#: The sentences of deviations.csv's detail column and of the comparison's notes.
PHRASES = phrases("deviation", {
    "handoff": ("{word}：{source} → {target}", "{word}: {source} → {target}"),
    "rule": ("{word}：{text}", "{word}: {text}"),
    "rule_detail": ("（{detail}）", " ({detail})"),
    # what a precedence rule's check says about a case
    "precedence_missing": ("前一步骤未做", "the earlier step is missing"),
    "precedence_after": ("顺序颠倒", "done in the wrong order"),
    "time_limit": ("{word}：{activity} 用时 {measured:.2f} {unit}，时限 {limit}，超出 {over:.2f} {unit}",
                   "{word}: {activity} took {measured:.2f} {unit}, limit {limit}, {over:.2f} {unit} over"),
    "working_h": ("工作小时", "working h"),
    "calendar_h": ("日历小时", "calendar h"),
    "responsibility": ("{word}：{activity} 应由「{expected}」办理，实际「{actual}」",
                       "{word}: {activity} designed for {expected!r}, done by {actual!r}"),
    "step": ("{word}：{activity}", "{word}: {activity}"),
    # notes (English in the JSON, both in the text)
    "never_occurs": ("设计步骤「{step}」在日志中从未出现{hint}", "designed step {step!r} never occurs in the log{hint}"),
    "alias_hint": ("；日志中有「{close}」，如为同一步骤，请在设计中为该步骤加 aliases: [{close}]",
                   "; the log has {close!r}; if it is the same step, add 'aliases: [{close}]' to the step in the design"),
    "placeholder_people": ("{rule}：这两个步骤的处理人只有「{shown}」，像是岗位或占位符而非具体人员，四眼原则无法据此判断",
                           "{rule}: the resource column has only {shown} for these steps; it looks like a role or "
                           "placeholder, not a person, so the four-eyes check cannot tell people apart"),
    "immediately": ("{step}：时间要求「{limit}」无法按时长检查，未检查；如需检查请写明时长，如 15分钟内",
                    "{step}: time limit {limit!r} (immediately) is not checked; write a number such as 15分钟内 to "
                    "check it"),
    "open_left_out": ("{n} 个在办案例未纳入对比", "{n} cases still in progress were left out of the comparison"),
    "rule_note": ("{rule}：{note}", "{rule}: {note}"),
    "rows_dropped": ("读取日志时有 {n} 行被剔除（见 procmine check），案例中缺少的步骤可能在其中",
                     "{n} rows were dropped while reading the log (see procmine check); a step missing from a case "
                     "may be one of them"),
})


def _deviation_detail(row: dict, lang: str) -> str:
    """One deviation of one case as a sentence (the ``detail`` column of deviations.csv)."""
    t = PHRASES.text(lang)
    kind = row["kind"]
    word = KIND_WORDS(kind, lang)
    if kind == "extra_handoff":
        return t("handoff", word=word, source=row["from_activity"], target=row["to_activity"])
    if kind == "rule_violation":
        detail = row["rule_detail"]
        if row["rule"].startswith("precedence") and detail in ("missing", "after"):
            detail = t(f"precedence_{detail}")
        return (t("rule", word=word, text=t.pick((row["rule_text_zh"], row["rule_text_en"])))
                + (t("rule_detail", detail=detail) if detail else ""))
    if kind == "time_limit":
        unit = t("working_h" if row["time_basis"] == "working" else "calendar_h")
        return t("time_limit", word=word, activity=row["activity"], measured=row["measured_hours"], unit=unit,
                 limit=row["limit"], over=row["hours_over_limit"])
    if kind == "responsibility":
        return t("responsibility", word=word, activity=row["activity"], expected=row["expected"], actual=row["actual"])
    return t("step", word=word, activity=row["activity"])


def _case_deviation_frame(rows: list[dict]) -> pl.DataFrame:
    """The per-case rows collected by :func:`compare`, in case order, then kind order."""
    filled = [{name: row.get(name) for name in CASE_DEVIATION_SCHEMA} for row in rows]
    frame = pl.DataFrame(filled, schema=CASE_DEVIATION_SCHEMA)
    return frame.sort([CASE, pl.col("kind").to_physical(), "activity", "from_activity", "to_activity", "rule"],
                      nulls_last=True, maintain_order=True)


def match_names(activities: list[str], design: Design) -> tuple[dict[str, str], list[str]]:
    """Log activity → design step (exact, alias, or equal ignoring width/spacing/case), and
    notes on designed steps the log never shows (with the closest log name)."""
    by_key = {_key(s.name): s.name for s in design.steps}
    aliases = {_key(a): name for a, name in design.alias_map().items()}
    mapping = {}
    for activity in activities:
        key = _key(activity)
        target = by_key.get(key) or aliases.get(key)
        if target is not None and target != activity:
            mapping[activity] = target
    seen = {mapping.get(a, a) for a in activities}
    notes = []
    for step in design.step_names:
        if step not in seen:
            close = difflib.get_close_matches(step, [a for a in activities if a not in mapping and a not in
                                                     design.step_names], n=1, cutoff=0.5)
            hint = PHRASES.pair("alias_hint", close=close[0]) if close else ""
            notes.append(Note("never_occurs", step=step, hint=hint))
    return mapping, notes


def _attribute_column(log: EventLog, attribute: str, rule_name: str, design_name: str = "design") -> str:
    column = log.find_column(attribute)
    if column is not None:
        return column
    raise DesignError(f"{design_name}: the rule '{rule_name}' tests the column {attribute!r}, which the log "
                      f"{log.source.name} does not have (its columns: {', '.join(log.attributes) or 'none beyond the mapped ones'}"
                      f"; mapped: {', '.join(h for _r, h in log.columns.items() if h)}). Fix the attribute name "
                      "in the design.")


def _examples(ids) -> list[str]:
    return sorted(ids)[:EXAMPLES]


def compare(log: EventLog, design: Design, calendar: "Calendar | None" = None) -> Comparison:
    """Compare ``log`` (the current process) with ``design`` (the future process).

    Each check is one function below, run in the order the JSON lists its findings. They read
    the facts an engine measured over the completed cases under the design's step names
    (:class:`_Facts` here; a log read with ``engine="spark"`` is measured on Spark by
    :mod:`procmine.engine.spark_compare`) and collect, as they go, one row per case and deviation,
    the notes and the cases with a rule, time-limit or responsibility violation (:class:`_Found`)."""
    if getattr(log, "engine", None) == "spark":
        from procmine.engine.spark_compare import spark_compare

        return spark_compare(log, design, calendar)
    return judge(_Facts(log, design, calendar))


def judge(facts) -> Comparison:
    """The comparison from an engine's ``facts`` (:class:`_Facts` or the Spark engine's, with the
    same attributes and methods): every rule of the comparison lives here, for both engines."""
    design = facts.design
    found = _Found(notes=list(facts.name_notes))
    unplanned = _unplanned_steps(facts, found)
    extra, used = _extra_handoffs(facts, found)
    unexpected_starts, unexpected_ends = _unexpected_endpoints(facts, found, used)
    skipped = _skipped_steps(facts, found)
    used_list, unused = _designed_handoffs(design, used)
    fitness, fitting = _replay(facts.variants(), design) if facts.n_cases else (None, [])
    conforming = facts.conforming(fitting)
    rule_rows = _rule_violations(facts, found)
    time_rows = _time_violations(facts, found)
    resp_rows = _responsibility_violations(facts, found)
    target_rows = _targets(facts)
    return Comparison(
        process=design.process, design=design, fitness=fitness, cases=facts.n_cases, open_cases=facts.n_open,
        conforming_cases=conforming, cases_without_deviations=facts.without_deviations(found.cases),
        unplanned_activities=unplanned, skipped_activities=skipped, extra_handoffs=extra,
        unexpected_starts=unexpected_starts, unexpected_ends=unexpected_ends, used_handoffs=used_list,
        unused_handoffs=unused, rule_violations=rule_rows, time_violations=time_rows,
        responsibility_violations=resp_rows, targets=target_rows, name_matches=facts.mapping,
        time_basis="calendar" if facts.calendar.kind == "none" else "working",
        calendar_description=facts.calendar.describe("en"), source=facts.log.label,
        notes=_all_notes(facts, found.notes),
        activity_cases=dict(facts.per_activity.select(ACTIVITY, "cases").iter_rows()),
        case_deviations=_case_deviation_frame(found.by_case), warnings=list(facts.warnings),
    )


def counted(ids, n_cases: int) -> dict:
    """How many cases, their share of the ``n_cases`` compared and example ids."""
    return {"cases": len(ids), "share": _share(len(ids), n_cases), "example_case_ids": _examples(ids)}


@dataclass(frozen=True)
class Required:
    """When a completed case must have done a designed ``step``: always (``always``), when it did a
    step that cannot happen without it (``needed_by``), or when it stopped short of a designed end at
    a step every path from which to the end passes through it (``after``)."""

    step: str
    always: bool
    needed_by: tuple[str, ...]
    after: tuple[str, ...]


def requirements(design: Design) -> list[Required]:
    """Each designed step's :class:`Required`, in the design's order (the skipped-step check of both engines)."""
    short = [s for s in design.step_names if s not in design.end_steps]
    return [Required(step, step in design.mandatory_steps, tuple(sorted(design.needed_before(step))),
                     tuple(last for last in short if step in _still_needed_after(design, last)))
            for step in design.step_names]


class _Facts:
    """What the checks read, measured by the default engine: the log's completed cases, their
    activities under the design's names.

    Every engine gives the same attributes and methods (the Spark engine's in
    :mod:`procmine.engine.spark_compare`): ``per_activity``, ``handoff_pairs()`` and ``endpoints()``
    are tables with ``cases`` and the case ``ids``; a table's ids may be left empty where the
    design allows what it counts (the checks read them only for deviations)."""

    def __init__(self, log: EventLog, design: Design, calendar: "Calendar | None"):
        from procmine.analyse.times import time_tables

        self.log, self.design = log, design
        self.tables: TimeTables = time_tables(log, calendar)
        self.calendar = self.tables.calendar
        activities = log.events[ACTIVITY].unique().sort().to_list()
        self.mapping, self.name_notes = match_names(activities, design)
        events = log.events
        if self.mapping:
            events = events.with_columns(pl.col(ACTIVITY).replace(self.mapping))
        self.open_ids = sorted(log.open_cases)
        if self.open_ids:
            events = events.filter(~pl.col(CASE).is_in(pl.Series(self.open_ids, dtype=pl.String).implode()))
        self.events = events
        self.case_ids = events[CASE].unique().sort().to_list()
        #: activity, cases, ids (the cases that did it)
        self.per_activity = events.group_by(ACTIVITY).agg(pl.col(CASE).unique().alias("ids")).with_columns(
            pl.col("ids").list.len().alias("cases"))
        self._conforming: set[str] = set()

    @property
    def n_cases(self) -> int:
        return len(self.case_ids)

    @property
    def warnings(self) -> list[str]:
        return self.tables.warnings

    @property
    def n_open(self) -> int:
        return len(self.open_ids)

    def completed(self, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """An engine table's rows of completed cases, with ``columns`` under the design's names."""
        frame = frame.filter(~pl.col(CASE).is_in(pl.Series(self.open_ids, dtype=pl.String).implode()))
        return frame.with_columns(pl.col(c).replace(self.mapping) for c in columns) if self.mapping else frame

    def handoff_pairs(self) -> pl.DataFrame:
        """The engine's hand-offs per pair: source, target, cases, times, ids."""
        handoffs = self.completed(self.log.tables().handoffs.select(CASE, "source", "target"), "source", "target")
        return handoffs.group_by("source", "target").agg(
            pl.col(CASE).unique().alias("ids"), pl.len().alias("times")).with_columns(
            pl.col("ids").list.len().alias("cases"))

    def endpoints(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Where the cases start and where the completed ones end: activity, cases, ids."""
        engine = self.log.tables()
        return tuple(self.completed(frame, ACTIVITY).group_by(ACTIVITY).agg(pl.col(CASE).unique().alias("ids"))
                     .with_columns(pl.col("ids").list.len().alias("cases"))
                     for frame in (engine.first_steps, engine.last_steps))

    def skipped(self, required: list[Required]) -> list[tuple[str, str]]:
        """(case, step) for every designed step a completed case should have done and did not."""
        design = self.design
        lasts = self.completed(self.log.tables().last_steps, ACTIVITY)
        short = lasts.filter(~pl.col(ACTIVITY).is_in(list(design.end_steps))
                             & pl.col(ACTIVITY).is_in(list(design.step_names)))
        table = self.events.group_by(CASE).agg(pl.col(ACTIVITY).unique().alias("done")).join(
            short.group_by(CASE).agg(pl.col(ACTIVITY).alias("short")), on=CASE, how="left")
        pairs = []
        for need in required:
            must = pl.lit(need.always)
            if need.needed_by:
                must = must | pl.col("done").list.eval(pl.element().is_in(list(need.needed_by))).list.any()
            if need.after:
                must = must | pl.col("short").list.eval(pl.element().is_in(list(need.after))).list.any().fill_null(False)
            pairs += [(case, need.step) for case in
                      table.filter(~pl.col("done").list.contains(need.step) & must)[CASE].to_list()]
        return pairs

    def variants(self) -> list[tuple[list[str], int]]:
        """Each variant (the activities in completion order, then file row) with its cases."""
        traces = self.events.sort([CASE, TIMESTAMP, ROW]).group_by(CASE, maintain_order=True).agg(
            pl.col(ACTIVITY).alias("trace"))
        self._variants = traces.group_by("trace", maintain_order=True).agg(pl.col(CASE).alias("ids"))
        return [(trace, len(ids)) for trace, ids in self._variants.iter_rows()]

    def conforming(self, fitting: list[bool]) -> int:
        """How many cases conform: their variant fits (``fitting``, in :meth:`variants`' order) and
        they have no unplanned step."""
        designed = self.design.step_names
        unplanned = set(self.events.filter(~pl.col(ACTIVITY).is_in(designed))[CASE].to_list())
        fit = {case for fits, ids in zip(fitting, self._variants["ids"].to_list()) if fits for case in ids}
        self._conforming = fit - unplanned
        return len(self._conforming)

    def without_deviations(self, violating: set[str]) -> int:
        """Conforming cases without a rule, time-limit or responsibility violation."""
        return len(self._conforming - violating)

    def rule_result(self, rule, column: str | None):
        """``rule`` checked over the completed cases (``column``: the log's column of its attribute)."""
        events = self.events
        if column is not None and column != rule.attribute:
            events = events.with_columns(pl.col(column).alias(rule.attribute))
        return rule.check(events, self.case_ids)

    def people(self, activities) -> tuple[int, list[str]]:
        """How many steps of ``activities`` name a person, and the distinct people (at most three)."""
        people = self.events.filter(pl.col(ACTIVITY).is_in(list(activities)))[RESOURCE].drop_nulls()
        return people.len(), people.unique().head(3).to_list()

    def longest(self, limits: list[tuple[str, str, float]]) -> list[tuple[int, pl.DataFrame]]:
        """For each (step, column, limit_hours): how many completed cases have the step measured, and
        those whose longest duration (``column``: duration_hours or duration_work_hours) is over the
        limit: case, longest."""
        steps = self.completed(self.tables.steps, ACTIVITY)
        found = []
        for step, column, limit_hours in limits:
            measured = steps.filter((pl.col(ACTIVITY) == step) & pl.col(column).is_not_null())
            per_case = measured.group_by(CASE).agg(pl.col(column).max().alias("longest"))
            found.append((per_case.height, per_case.filter(pl.col("longest") > limit_hours + 1e-9)))
        return found

    def owners(self, expected: list[tuple[str, str, str]]) -> list[pl.DataFrame]:
        """For each (step, column, owner the design names; column: department or role): who else did
        the step, the actual owner and the case ids, sorted by actual owner."""
        found = []
        for step, column, owner in expected:
            if column not in self.events.columns:
                found.append(pl.DataFrame(schema={column: pl.String, "ids": pl.List(pl.String)}))
                continue
            done = self.events.filter((pl.col(ACTIVITY) == step) & pl.col(column).is_not_null())
            wrong = done.filter(pl.col(column).map_elements(_key, return_dtype=pl.String) != _key(owner))
            found.append(wrong.group_by(column).agg(pl.col(CASE).unique().alias("ids")).sort(column))
        return found


@dataclass
class _Found:
    """What the checks collect: one row per (case, deviation) for deviations.csv and the case table
    (every id, not examples), the notes, and the cases with a rule, time-limit or responsibility violation."""

    by_case: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cases: set[str] = field(default_factory=set)


def _unplanned_steps(facts, found: _Found) -> list[dict]:
    """Activities the design does not have, and the cases that did any of them."""
    designed = set(facts.design.step_names)
    outside = [(a, ids) for a, ids in facts.per_activity.select(ACTIVITY, "ids").iter_rows() if a not in designed]
    found.by_case += [{CASE: case, "kind": "unplanned_step", "activity": a} for a, ids in outside for case in ids]
    return sorted(({"activity": a, **counted(ids, facts.n_cases)} for a, ids in outside),
                  key=lambda d: (-d["cases"], d["activity"]))


def _extra_handoffs(facts, found: _Found) -> tuple[list[dict], dict]:
    """The engine's hand-offs the design does not allow; the allowed ones go into ``used``,
    (source, target) → (cases, times)."""
    allowed = facts.design.allowed_handoffs
    extra, used = [], {}
    for source, target, cases, n, ids in facts.handoff_pairs().select(
            "source", "target", "cases", "times", "ids").iter_rows():
        if (source, target) in allowed:
            used[(source, target)] = (cases, n)
        else:
            extra.append({"source": source, "target": target, "cases": len(ids), "times": n,
                          "share": _share(len(ids), facts.n_cases), "example_case_ids": _examples(ids)})
            found.by_case += [{CASE: case, "kind": "extra_handoff", "from_activity": source, "to_activity": target}
                              for case in ids]
    extra.sort(key=lambda d: (-d["cases"], d["source"], d["target"]))
    return extra, used


def _unexpected_endpoints(facts, found: _Found, used: dict) -> tuple[list[dict], list[dict]]:
    """Cases starting or ending outside the design's start and end steps (the designed ones go into
    ``used`` as hand-offs from START / to END)."""
    firsts, lasts = facts.endpoints()
    design = facts.design
    starts = _endpoint_check(facts, found, used, firsts, set(design.start_steps), START)
    ends = _endpoint_check(facts, found, used, lasts, set(design.end_steps), END)
    return starts, ends


def _endpoint_check(facts, found: _Found, used: dict, frame: pl.DataFrame, ok: set[str], endpoint: str) -> list[dict]:
    out = []
    for activity, cases, ids in frame.select(ACTIVITY, "cases", "ids").iter_rows():
        pair = (START, activity) if endpoint == START else (activity, END)
        if activity in ok:
            used[pair] = (cases, cases)
        else:
            out.append({"activity": activity, **counted(ids, facts.n_cases)})
            kind = "unexpected_start" if endpoint == START else "unexpected_end"
            found.by_case += [{CASE: case, "kind": kind, "activity": activity} for case in ids]
    out.sort(key=lambda d: (-d["cases"], d["activity"]))
    return out


def _skipped_steps(facts, found: _Found) -> list[dict]:
    """Designed steps a completed case skipped: one the designed end needs, or one a later step of
    the case needs; and, for a case that stopped short of a designed end, the steps every path from
    where it stopped to the end passes through (:func:`requirements`)."""
    skipped_ids: dict[str, set[str]] = {}
    for case, step in facts.skipped(requirements(facts.design)):
        skipped_ids.setdefault(step, set()).add(case)
    found.by_case += [{CASE: case, "kind": "skipped_step", "activity": step}
                      for step, ids in skipped_ids.items() for case in ids]
    return sorted(({"activity": step, **counted(ids, facts.n_cases)} for step, ids in skipped_ids.items()),
                  key=lambda d: (-d["cases"], d["activity"]))


def _designed_handoffs(design: Design, used: dict) -> tuple[list[dict], list[dict]]:
    """The design's hand-offs the log used (with cases and times; between parallel branches marked
    so) and those it never used."""
    used_list = [{"source": a, "target": b, "cases": used[(a, b)][0], "times": used[(a, b)][1]}
                 for a, b in design.flows if (a, b) in used]
    for a, b in sorted(design.allowed_handoffs - set(design.flows)):
        if (a, b) in used:
            used_list.append({"source": a, "target": b, "cases": used[(a, b)][0], "times": used[(a, b)][1],
                              "parallel": True})
    unused = [{"source": a, "target": b} for a, b in design.flows if (a, b) not in used]
    return used_list, unused


def _rule_violations(facts, found: _Found) -> list[dict]:
    """Each design rule checked over the completed cases: every violating case id, with details."""
    design = facts.design
    rule_rows = []
    for rule in design.rules:
        attribute = getattr(rule, "attribute", None)
        column = None if attribute is None else _attribute_column(facts.log, attribute, rule.name,
                                                                   str(design.source or "design"))
        result = facts.rule_result(rule, column)
        if rule.kind == "four_eyes" and result.case_ids:
            steps_with_person, people = facts.people(rule.activities)
            if len(people) <= 2 and steps_with_person > 10:
                shown = "、".join(sorted(people))
                found.notes.append(Note("placeholder_people", rule=(rule.describe("zh"), rule.name), shown=shown))
        rule_rows.append({"rule": rule.name, "kind": rule.kind, "text": rule.describe("zh"),
                          "text_en": rule.describe("en"), "cases": len(result.case_ids),
                          "checked_cases": result.checked_cases, "exempt_cases": result.exempt,
                          "share": _share(len(result.case_ids), facts.n_cases),
                          "case_ids": list(result.case_ids),
                          "details": dict(sorted(result.details.items()))})  # in case order, run after run
        found.by_case += [{CASE: case, "kind": "rule_violation", "rule": rule.name,
                           "rule_text_zh": rule.describe("zh"), "rule_text_en": rule.describe("en"),
                           "rule_detail": None if result.details.get(case) is None else str(result.details[case])}
                          for case in result.case_ids]
        if result.note:
            found.notes.append(Note("rule_note", rule=(rule.describe("zh"), rule.name),
                                    note=(result.note_zh, result.note)))
        found.cases |= set(result.case_ids)
    return rule_rows


def _time_violations(facts, found: _Found) -> list[dict]:
    """Each designed step's time limit against its longest duration per case, in working time for
    working-time limits and calendar time for calendar-day limits."""
    cal = facts.calendar
    limited = []  # (step, limit, calendar basis?, column, limit in hours)
    for step in facts.design.steps:
        limit = step.time_limit
        if limit is None:
            continue
        if limit.value == 0:
            found.notes.append(Note("immediately", step=step.name, limit=limit.text))
            continue
        column = "duration_hours" if limit.basis == "calendar" else "duration_work_hours"
        limited.append((step.name, limit, limit.basis == "calendar" or cal.kind == "none", column,
                        limit.to_work_hours(cal)))
    time_rows = []
    measured = facts.longest([(name, column, hours) for name, _limit, _basis, column, hours in limited])
    for (name, limit, calendar_basis, _column, limit_hours), (checked, late) in zip(limited, measured):
        late = late.sort(CASE)
        excess = (late["longest"] - limit_hours)
        time_rows.append({
            "activity": name, "limit": limit.text, "basis": "calendar" if calendar_basis else "working",
            "limit_work_hours": None if calendar_basis else round(limit_hours, 4),
            "limit_hours": round(limit_hours, 4) if calendar_basis else None,
            "checked_cases": checked, "cases": late.height, "share": _share(late.height, checked),
            "median_excess_work_hours": None if calendar_basis or not late.height else round(excess.median(), 2),
            "median_excess_hours": round(excess.median(), 2) if calendar_basis and late.height else None,
            "case_ids": late[CASE].to_list(),
        })
        found.cases |= set(late[CASE].to_list())
        found.by_case += [{CASE: case, "kind": "time_limit", "activity": name, "limit": limit.text,
                           "measured_hours": longest, "hours_over_limit": longest - limit_hours,
                           "time_basis": "calendar" if calendar_basis else "working"}
                          for case, longest in late.select(CASE, "longest").iter_rows()]
    return time_rows


def _responsibility_violations(facts, found: _Found) -> list[dict]:
    """Designed steps done by another department or role than the design names."""
    expected = [(step.name, field_name, column, getattr(step, field_name)) for step in facts.design.steps
                for field_name, column in (("department", DEPARTMENT), ("role", ROLE)) if getattr(step, field_name)]
    resp_rows = []
    others = facts.owners([(name, column, owner) for name, _field, column, owner in expected])
    for (name, field_name, _column, owner), wrong in zip(expected, others):
        for actual, ids in wrong.iter_rows():
            resp_rows.append({"activity": name, "field": field_name, "expected": owner, "actual": actual,
                              **counted(ids, facts.n_cases)})
            found.cases |= set(ids)
            found.by_case += [{CASE: case, "kind": "responsibility", "activity": name, "expected": owner,
                               "actual": actual} for case in ids]
    resp_rows.sort(key=lambda d: (-d["cases"], d["activity"], d["actual"]))
    return resp_rows


def _targets(facts) -> list[dict]:
    """The design's targets (lead time, rejection rate, first-time-right) against the log's KPIs."""
    from procmine.analyse.kpi import kpis

    log, cal, n_cases = facts.log, facts.calendar, facts.n_cases
    target_rows = []
    for target in facts.design.targets:
        if target.name == "lead_time":
            info = kpis(log, target=target.text, calendar=cal).target or {}
            target_rows.append({"name": target.name, "limit": target.text, "basis": info.get("basis"),
                                "share_met": info.get("share_met"), "cases_met": info.get("cases_met"),
                                "cases": n_cases})
        else:
            report = kpis(log, calendar=cal)
            actual = report.rejection_rate if target.name == "rejection_rate" else report.first_time_right
            met = None if actual is None else (actual <= target.limit if target.name == "rejection_rate"
                                               else actual >= target.limit)
            target_rows.append({"name": target.name, "limit": target.text, "actual": None if actual is None
                                else round(actual, 4), "met": met, "share_met": None, "cases": n_cases})
    return target_rows


def _all_notes(facts, notes: list[str]) -> list[str]:
    """The design's warnings, the cases left out, the checks' notes, and the rows dropped on reading."""
    notes = list(notes)
    if facts.n_open:
        notes.insert(0, Note("open_left_out", n=facts.n_open))
    # rows of steps still open (the file's, whatever a filter kept) are no missing steps; any other
    # dropped row may be one
    quality = facts.log.quality
    dropped = quality.dropped - sum(f.rows for f in quality.findings if f.code == "step_not_completed")
    if dropped > 0:
        notes.append(Note("rows_dropped", n=dropped))
    return list(facts.design.warnings) + notes


def _still_needed_after(design: Design, last: str) -> list[str]:
    """Steps on every designed path from ``last`` to the end (removing one cuts ``last`` off)."""
    import networkx as nx

    cache = design.__dict__.setdefault("_needed_after", {})
    if last not in cache:
        graph = nx.DiGraph(list(design.flows))
        needed = []
        if last in graph and nx.has_path(graph, last, END):
            for step in design.step_names:
                if step == last or step not in graph:
                    continue
                cut = graph.copy()
                cut.remove_node(step)
                if not nx.has_path(cut, last, END):
                    needed.append(step)
        cache[last] = needed
    return cache[last]


def _replay(variants: list[tuple[list[str], int]], design: Design) -> tuple[float | None, list[bool]]:
    """pm4py's token-based replay, once per variant (its activities, its cases): the fitness of
    the cases, and whether each variant fits (no missing or remaining tokens)."""
    from procmine import _engine

    net, im, fm = design._petri_net()
    results = _engine.token_replay([list(trace) for trace, _n in variants], net, im, fm)
    totals = dict(m=0, c=0, r=0, p=0)
    for result, (_trace, n) in zip(results, variants):
        totals["m"] += result["missing_tokens"] * n
        totals["c"] += result["consumed_tokens"] * n
        totals["r"] += result["remaining_tokens"] * n
        totals["p"] += result["produced_tokens"] * n
    fitting = [bool(result["trace_is_fit"] and result["remaining_tokens"] == 0) for result in results]
    if not totals["c"] or not totals["p"]:
        return None, fitting
    fitness = 0.5 * (1 - totals["m"] / totals["c"]) + 0.5 * (1 - totals["r"] / totals["p"])
    return fitness, fitting
