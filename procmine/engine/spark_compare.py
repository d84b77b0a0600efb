"""The comparison with a design of a log whose rows stay on Apache Spark: the default engine's result.

:func:`procmine.compare.compare` calls :func:`spark_compare` for a
:class:`~procmine.engine.spark.SparkLog`. :class:`SparkFacts` measures on Spark, over the steps and
hand-offs of :class:`~procmine.engine.spark_analyses._Measured` (completed cases only, activities
under the design's names), what the checks of :mod:`procmine.compare.comparison` read, and
:func:`~procmine.compare.comparison.judge` applies the same rules: the same
:class:`~procmine.compare.comparison.Comparison`, deviation for deviation.

    >>> log = procmine.read_log("oa.approval_events", engine="spark")          # doctest: +SKIP
    >>> print(procmine.compare(log, read_design("design.yaml")).describe())     # doctest: +SKIP

What comes back to the driver: one row per activity, per hand-off pair, per first and last
activity, per variant (the replay's input, replayed once each on the driver), per value of the
department or role of a designed step, and the cases that deviate, with the deviation (every id, as
``case_deviations`` lists them): never the rows, nor the ids of cases that conform. Per case, on
Spark (the steps are partitioned by case): its activities in completion order (its variant), the
set of its activities, whether the last step rejected, the first and longest passes of a step, the
values of a rule's attribute (tested by the rule's own :meth:`~procmine.compare.rules.RequiredIf.test`
on the executors).
"""

from __future__ import annotations

import polars as pl

from procmine.compare.comparison import _key, judge, match_names
from procmine.engine.spark import SEPARATOR, SparkLog, _polars
from procmine.engine.spark_analyses import _measure
from procmine.log import ACTIVITY, CASE, RESOURCE

#: A case's variant for the replay: its activities in completion order (ties: source row), joined.
TRACE_KEY = f"array_join(transform(array_sort(collect_list(struct(t_us, __r, a))), x -> x.a), '{SEPARATOR}')"


def spark_compare(log: SparkLog, design, calendar=None):
    """:func:`procmine.compare.compare` of a log on Spark: the same :class:`Comparison`, figure for figure."""
    facts = SparkFacts(log, design, calendar)
    try:
        return judge(facts)
    finally:
        facts.release()


class SparkFacts:
    """What the checks read (see :class:`procmine.compare.comparison._Facts`), measured on Spark."""

    def __init__(self, log: SparkLog, design, calendar):
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        from procmine.compare.comparison import _attribute_column
        from procmine.engine.spark_filters import _activity_names, _event_values

        self.log, self.design = log, design
        # the columns the rules test, carried along with the steps (a missing one is the design's error)
        self._attributes: dict[str, str] = {}
        for rule in design.rules:
            attribute = getattr(rule, "attribute", None)
            if attribute is not None:
                column = _attribute_column(log, attribute, rule.name, str(design.source or "design"))
                self._attributes.setdefault(column, f"__attribute{len(self._attributes)}")
        self.measured = _measure(log, calendar, {name: _event_values(log, column)[0]
                                                 for column, name in self._attributes.items()})
        self.calendar = self.measured.calendar
        self.mapping, self.name_notes = match_names(_activity_names(log).to_list(), design)
        # the cases still in progress (joined with every table)
        self._open_ids = log._cleaned[4].persist(StorageLevel.MEMORY_AND_DISK)
        self._keep(self._open_ids)
        self.n_open = self._open_ids.count()
        self.steps = self._completed(self.measured.steps, "a").persist(StorageLevel.MEMORY_AND_DISK)
        self._keep(self.steps)
        outside = ~F.col("a").isin(list(design.step_names))
        # per case: its variant, its activities, an unplanned one?, did its last step (completion order) reject?
        self._cases = self.steps.groupBy("c").agg(
            F.expr(TRACE_KEY).alias("trace"), F.collect_set("a").alias("done"), F.max(outside).alias("unplanned"),
            F.coalesce(F.max_by("decision", F.struct("t_us", "__r")) == "reject", F.lit(False)).alias("rejected"),
        ).persist(StorageLevel.MEMORY_AND_DISK)
        self._keep(self._cases)
        self.n_cases = self._cases.count()
        self.per_activity = _ids_frame(self.steps.groupBy(F.col("a").alias(ACTIVITY)).agg(
            F.countDistinct("c").alias("cases"), F.collect_set(F.when(outside, F.col("c"))).alias("ids")))
        self._ends = self._completed(self.measured.endpoints, "a").persist(StorageLevel.MEMORY_AND_DISK)
        self._keep(self._ends)
        self._variants: list[tuple[list[str], int]] = []
        self._conforming = None

    def release(self) -> None:
        self.measured.release()

    @property
    def warnings(self) -> list[str]:
        return self.measured.warnings

    def _keep(self, frame) -> None:
        self.measured._persisted.append(frame)  # released with the steps

    def _completed(self, frame, *columns: str):
        """A table's rows of completed cases, with ``columns`` under the design's names."""
        from pyspark.sql import functions as F

        frame = frame.join(self._open_ids.select("c"), on="c", how="left_anti")
        if not self.mapping:
            return frame
        names = F.create_map(*[F.lit(x) for pair in self.mapping.items() for x in pair])
        for column in columns:
            frame = frame.withColumn(column, F.coalesce(F.element_at(names, F.col(column)), F.col(column)))
        return frame

    def handoff_pairs(self) -> pl.DataFrame:
        """Per hand-off pair: source, target, cases, times, ids (only for pairs the design does not allow)."""
        from pyspark.sql import functions as F

        pairs = self._completed(self.measured.pairs.select("c", "source", "target"), "source", "target")
        allowed = [f"{a}{SEPARATOR}{b}" for a, b in self.design.allowed_handoffs]
        outside = ~F.concat_ws(SEPARATOR, "source", "target").isin(allowed)
        return _ids_frame(pairs.groupBy("source", "target").agg(
            F.countDistinct("c").alias("cases"), F.count(F.lit(1)).alias("times"),
            F.collect_set(F.when(outside, F.col("c"))).alias("ids")))

    def endpoints(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Where the cases start and end: activity, cases, ids (only outside the design's starts and ends)."""
        from pyspark.sql import functions as F

        design = self.design
        ok = F.when(F.col("kind") == 1, F.col("a").isin(list(design.start_steps))) \
            .otherwise(F.col("a").isin(list(design.end_steps)))
        table = _ids_frame(self._ends.groupBy("kind", F.col("a").alias(ACTIVITY)).agg(
            F.countDistinct("c").alias("cases"), F.collect_set(F.when(~ok, F.col("c"))).alias("ids")))
        if table.is_empty():
            return table, table
        return tuple(table.filter(pl.col("kind") == kind).drop("kind") for kind in (1, 2))

    def skipped(self, required) -> list[tuple[str, str]]:
        """(case, step) for every designed step a completed case should have done and did not."""
        from pyspark.sql import functions as F

        if not required:
            return []
        design = self.design
        short = self._ends.where((F.col("kind") == 2) & F.col("a").isin(list(design.step_names))
                                 & ~F.col("a").isin(list(design.end_steps)))
        table = self._cases.select("c", "done").join(short.groupBy("c").agg(F.collect_set("a").alias("short")),
                                                     on="c", how="left")

        def overlaps(column: str, names):
            return F.coalesce(F.arrays_overlap(F.col(column), F.array(*[F.lit(n) for n in names])), F.lit(False))

        missing = []
        for need in required:
            must = F.lit(need.always)
            if need.needed_by:
                must = must | overlaps("done", need.needed_by)
            if need.after:
                must = must | overlaps("short", need.after)
            missing.append(F.when(~F.array_contains("done", need.step) & must, F.lit(need.step)))
        rows = table.select("c", F.explode(F.filter(F.array(*missing), lambda step: step.isNotNull())).alias("step"))
        return [(row["c"], row["step"]) for row in rows.collect()]

    def variants(self) -> list[tuple[list[str], int]]:
        """Each variant (activities in completion order, then source row) with its cases, counted on Spark."""
        counted = self._cases.groupBy("trace").count().collect()
        self._variants = [(row["trace"].split(SEPARATOR), int(row["count"])) for row in counted]
        return self._variants

    def conforming(self, fitting: list[bool]) -> int:
        """How many cases conform: their variant fits and they have no unplanned step (counted on Spark)."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        fit = [(SEPARATOR.join(trace),) for (trace, _n), fits in zip(self._variants, fitting) if fits]
        table = self.log.spark.createDataFrame(fit, "trace string")
        self._conforming = self._cases.where(~F.col("unplanned")).join(F.broadcast(table), on="trace", how="left_semi") \
            .select("c").persist(StorageLevel.MEMORY_AND_DISK)
        self._keep(self._conforming)
        return self._conforming.count()

    def without_deviations(self, violating: set[str]) -> int:
        """Conforming cases without a rule, time-limit or responsibility violation."""
        if not violating:
            return self._conforming.count()
        ids = self.log.spark.createDataFrame([(case,) for case in violating], "c string")
        return self._conforming.join(ids, on="c", how="left_anti").count()

    def rule_result(self, rule, column: str | None):
        """``rule`` checked over the completed cases on Spark; the verdict by the rule's own ``result``."""
        from pyspark.sql import functions as F

        steps, a = self.steps, F.col("a")
        if rule.kind == "precedence":
            firsts = steps.where(a.isin(rule.before, rule.after)).groupBy("c").agg(
                F.min(F.when(a == rule.before, F.col("t_us"))).alias("before"),
                F.min(F.when(a == rule.after, F.col("t_us"))).alias("after")).where(F.col("after").isNotNull())
            bad = F.col("before").isNull() | (F.col("after") < F.col("before"))
            found = firsts.agg(F.count(F.lit(1)).alias("checked"), F.collect_list(
                F.when(bad, F.struct("c", F.col("before").isNull()))).alias("bad")).collect()[0]
            return rule.result(int(found["checked"]), [tuple(row) for row in found["bad"]])
        if rule.kind == "four_eyes":
            people = steps.where(a.isin(rule.first, rule.second) & F.col(RESOURCE).isNotNull()) \
                .select("c", "a", RESOURCE).distinct()
            both = people.groupBy("c", RESOURCE).agg(F.countDistinct("a").alias("steps")).where("steps = 2")
            checked = people.groupBy("c").agg(F.countDistinct("a").alias("steps")).where("steps = 2").count()
            return rule.result(checked, [tuple(row) for row in both.select("c", RESOURCE).collect()])
        return self._required_if(rule, self._attributes[column])

    def _required_if(self, rule, value: str):
        """A required_if rule: each case's distinct values tested by ``rule.test`` on the executors."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        def tested(item):  # 1 meets the condition, 0 does not, null cannot be compared
            verdict = rule.test(item)
            return None if verdict is None else int(verdict)

        values = self.steps.where(F.col(value).isNotNull()).groupBy("c", value).agg(F.min("pos").alias("first"))
        values = values.withColumn("meets", F.udf(tested, "int")(F.col(value))).persist(StorageLevel.MEMORY_AND_DISK)
        self._keep(values)  # tested once, read three times
        counts = values.agg(F.sum(F.col("meets").isNull().cast("int")).alias("unreadable")).collect()[0]
        matching = values.where("meets = 1").groupBy("c").agg(F.min_by(value, "first").alias("value")) \
            .join(self._cases.select("c", "rejected", "done"), on="c")
        held = matching.agg(F.sum(F.col("rejected").cast("int")).alias("exempt"),
                            F.sum((~F.col("rejected")).cast("int")).alias("checked")).collect()[0]
        missing = matching.where(~F.col("rejected") & ~F.array_contains("done", rule.activity)).select("c", "value")
        return rule.result(int(held["checked"] or 0), [tuple(row) for row in missing.collect()],
                           int(counts["unreadable"] or 0), int(held["exempt"] or 0))

    def people(self, activities) -> tuple[int, list[str]]:
        """How many steps of ``activities`` name a person, and the distinct people (at most three)."""
        from pyspark.sql import functions as F

        named = self.steps.where(F.col("a").isin(list(activities)) & F.col(RESOURCE).isNotNull())
        found = named.agg(F.count(F.lit(1)).alias("steps"),
                          F.slice(F.collect_set(RESOURCE), 1, 3).alias("people")).collect()[0]
        return int(found["steps"]), list(found["people"])

    def longest(self, limits: list[tuple[str, str, float]]) -> list[tuple[int, pl.DataFrame]]:
        """For each (step, column, limit_hours): how many completed cases have the step measured, and
        those whose longest duration is over the limit: case, longest (``column``: duration_hours or
        duration_work_hours). Every step at once: the longest per case and step, counted per step with
        the late cases listed."""
        from pyspark.sql import functions as F

        if not limits:
            return []
        measures = {"duration_hours": "hours", "duration_work_hours": "work_hours"}
        longest, limit = _by_step([(step, F.col(measures[column])) for step, column, _ in limits]), \
            _by_step([(step, F.lit(hours)) for step, _, hours in limits])
        steps = self.steps.where(F.col("a").isin([step for step, _, _ in limits]))
        per_case = steps.select("c", "a", longest.alias("longest"), limit.alias("limit")).where("longest IS NOT NULL") \
            .groupBy("a", "c").agg(F.max("longest").alias("longest"), F.first("limit").alias("limit"))
        late = F.when(F.col("longest") > F.col("limit") + 1e-9, F.struct("c", "longest"))
        rows = per_case.groupBy("a").agg(F.count(F.lit(1)).alias("checked"), F.collect_list(late).alias("late"))
        found = {row["a"]: (int(row["checked"]), [(one["c"], float(one["longest"])) for one in row["late"]])
                 for row in rows.collect()}
        schema = {CASE: pl.String, "longest": pl.Float64}
        return [(checked, pl.DataFrame(late, schema=schema, orient="row"))
                for checked, late in (found.get(step, (0, [])) for step, _, _ in limits)]

    def owners(self, expected: list[tuple[str, str, str]]) -> list[pl.DataFrame]:
        """For each (step, column, owner the design names; column: department or role): who else did
        the step, the actual owner and the case ids, sorted by actual owner. The distinct values per
        step are judged on the driver (:func:`~procmine.compare.comparison._key`), then the cases of
        the wrong ones collected: two jobs for every step."""
        from pyspark.sql import functions as F

        if not expected:
            return []
        done = None
        for column in dict.fromkeys(column for _, column, _ in expected):
            steps = [step for step, of, _ in expected if of == column]
            stacked = self.steps.where(F.col("a").isin(steps) & F.col(column).isNotNull()) \
                .select("c", "a", F.lit(column).alias("field"), F.col(column).alias("value"))
            done = stacked if done is None else done.unionByName(stacked)
        owner = {(step, column): _key(name) for step, column, name in expected}
        wrong = [(row["a"], row["field"], row["value"]) for row in done.select("a", "field", "value").distinct().collect()
                 if _key(row["value"]) != owner[(row["a"], row["field"])]]
        ids: dict[tuple[str, str], list] = {}
        if wrong:
            key = F.concat_ws(SEPARATOR, "a", "field", "value")
            grouped = done.where(key.isin([SEPARATOR.join(w) for w in wrong])).groupBy("a", "field", "value") \
                .agg(F.collect_set("c").alias("ids")).collect()
            for row in grouped:
                ids.setdefault((row["a"], row["field"]), []).append((row["value"], list(row["ids"])))
        return [pl.DataFrame(ids.get((step, column), []), schema={column: pl.String, "ids": pl.List(pl.String)},
                             orient="row").sort(column) for step, column, _ in expected]


def _by_step(values: list[tuple[str, object]]):
    """One Spark column taking, on each step's rows, that step's value (null on other steps' rows)."""
    from pyspark.sql import functions as F

    chosen = None
    for step, value in values:
        chosen = (F.when if chosen is None else chosen.when)(F.col("a") == step, value)
    return chosen


def _ids_frame(frame) -> pl.DataFrame:
    """A Spark table with ``ids`` (arrays of case ids) brought to the driver with ids as lists of text."""
    table = _polars(frame)
    return table.with_columns(pl.col("ids").cast(pl.List(pl.String))) if "ids" in table.columns else table


__all__ = ["spark_compare", "SparkFacts"]
