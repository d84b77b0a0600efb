"""Why a step is slow: where its time goes, who carries it, and when the work gets done.

For each activity the time spent on it is split four ways, in working hours summed over cases:

* ``at_step``: arrival → completion of its first pass in each case. With arrival times (到达时间)
  this is the work waiting in the approver's inbox plus doing it; an OA export cannot tell the two
  apart. With real start times (开始时间, lifecycle start) it is the processing alone.
* ``queue``: with real start times, the wait from the moment the step was ready (its
  predecessors done) to the start of work. With arrival times, the same interval is the
  hand-off delay (routing, a form lying in a tray), reported as ``handoff``.
* ``rework``: the time at the step's second and later passes in a case, and the waits into them.

Then the **causes** a consultant names, each with its evidence:

* ``queue_at_person``: one person handles at least ``PERSON_SHARE`` (60 %) of the step, and the
  step is slow (its median at least twice the log's typical step);
* ``weekday_batching``: the step is completed on one weekday at least ``BATCH_SHARE`` (40 %) of
  the time (one in five would be even over a working week), from at least 20 completions;
* ``handoff_delay`` / ``queue``: the wait into the step is at least half its time;
* ``rework``: repeat passes take at least a fifth of its time.

    >>> causes = step_causes(time_tables(log))           # doctest: +SKIP
    >>> causes.row(by_predicate=pl.col("activity") == "财务审核", named=True)["causes"]  # doctest: +SKIP
    ['queue_at_person', 'weekday_batching']
"""

from __future__ import annotations

import numpy as np
import polars as pl

from procmine.engine.tables import first_of_each, most_frequent
from procmine.log import ACTIVITY, RESOURCE
from procmine.timezones import wall_clock_us
from procmine.text import phrases

PERSON_SHARE = 0.6
BATCH_SHARE = 0.4
MIN_COMPLETIONS = 20
WAIT_SHARE = 0.5
REWORK_SHARE = 0.2
SLOW_FACTOR = 2.0
#: a wait shorter than this per case on average (a quarter working hour) is no cause worth naming
MIN_WAIT_WORK_HOURS = 0.25

#: resource names that stand for a system or a shared/anonymised account, not a person
PLACEHOLDER_WORDS = ("system", "staff member", "unknown", "undefined", "batch", "系统", "自动", "未知")

#: The causes' names, the weekdays (Monday first) and the sentences naming the causes.
PHRASES = phrases("causes", {
    "queue_at_person": ("积压在一人", "queue at one person"),
    "weekday_batching": ("按周集中处理", "weekly batching"),
    "handoff_delay": ("交接延迟", "hand-off delay"),
    "queue": ("开始处理前排队", "queue before work starts"),
    "rework": ("返工", "rework"),
    **{f"weekday_{i}": pair for i, pair in enumerate(zip(("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
                                                       ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")))},
    "one_person": ("{person} 一人处理 {share:.0%}", "{person} handles {share:.0%} of it alone"),
    "batching": ("{share:.0%} 在{day}完成（按周集中处理）", "{share:.0%} completed on {day} (weekly batches)"),
    "wait": ("{word}平均每件 {hours:.1f} {unit}", "{word} {hours:.1f} {unit} per case on average"),
    "rework_share": ("返工占其时间 {share:.0%}", "rework is {share:.0%} of its time"),
})
CAUSES = ("queue_at_person", "weekday_batching", "handoff_delay", "queue", "rework")
WEEKDAYS_ZH, WEEKDAYS_EN = (tuple(PHRASES(f"weekday_{i}", lang) for i in range(7)) for lang in ("zh", "en"))
CAUSE_ZH, CAUSE_EN = ({cause: PHRASES(cause, lang) for cause in CAUSES} for lang in ("zh", "en"))


def placeholders(steps: pl.DataFrame) -> set[str]:
    """Resource values that name no person: system or anonymised accounts ("SYSTEM", "STAFF MEMBER").

    Only names are used: in a small team one real person may well do most of the work.
    """
    return placeholder_names(steps[RESOURCE].drop_nulls().unique())


def placeholder_names(names: pl.Series) -> set[str]:
    """:func:`placeholders` among distinct resource ``names`` (the people's dictionary of
    :meth:`procmine.engine.tables.Tables.codes`: no pass over every step)."""
    return set(names.filter(names.str.contains_any(list(PLACEHOLDER_WORDS), ascii_case_insensitive=True)).to_list())


def start_is_work_start(log) -> bool:
    """True when the log's second time is when work started (开始时间, lifecycle start), not when
    the work arrived (到达时间, 接收时间): then the wait before it is a queue, not a hand-off."""
    if log.columns.lifecycle and not log.columns.start_timestamp:
        return True  # lifecycle start events paired with their completions: a start is when work began
    header = (log.columns.start_timestamp or "").casefold()
    if not header:
        return False
    if any(w in header for w in ("到达", "接收", "收到", "arriv", "receiv")):
        return False
    return any(w in header for w in ("开始", "start", "lifecycle"))


def step_causes(tables, *, work_starts: bool = False) -> pl.DataFrame:
    """One row per activity: the time split, the person carrying most of it, the weekday rhythm
    and the causes found (see the module docstring). Hours are working hours under the tables'
    calendar (calendar hours with ``Calendar(kind="none")``)."""
    steps = tables.steps
    names = tables.activity_names
    first = pl.col("occurrence") == 1
    # grouped by the activities' integer codes (cheaper than their names); the names come back at the end
    # people as integer codes too (equal names, equal codes; sorted as the names are)
    person, people_names = tables.codes(RESOURCE)
    per_activity = steps.select("activity_code", "occurrence", "duration_work_hours", person).group_by(
        "activity_code").agg(
        first.sum().cast(pl.UInt32).alias("cases"), pl.len().alias("executions"),  # a case's first pass is occurrence 1
        pl.col("duration_work_hours").filter(first).median().alias("median_work_hours"),
        pl.col("duration_work_hours").filter(first).sum().alias("at_step_work_hours"),
        pl.col("duration_work_hours").filter(~first).sum().alias("rework_step_work_hours"),
        pl.col(RESOURCE).drop_nulls().n_unique().alias("people"),
    )
    # the log's typical step: the median of the activities' medians, instants (a submission) aside
    medians = per_activity["median_work_hours"].drop_nulls()
    typical = medians.filter(medians > 0).median()
    # the wait into each step (ready → arrival), split by first pass and rework
    occurrence = steps["occurrence"]
    handoffs = tables.handoff_codes
    waits = handoffs.select(
        pl.col("target_code").alias("activity_code"), pl.col("work_hours"), pl.Series("occ", occurrence.gather(
            handoffs["target_index"])))
    # a step with several predecessors has one wait (from the last of them): count it once
    target_index = handoffs["target_index"].to_numpy()
    shared = np.bincount(target_index)[target_index] > 1 if len(target_index) else np.zeros(0, dtype=bool)
    if shared.any():  # some step has several: keep the first of each (only those steps are looked at)
        keep = ~shared
        several = np.flatnonzero(shared)
        keep[several] = first_of_each(target_index[several])
        waits = waits.filter(pl.Series(keep))
    waits = waits.group_by("activity_code").agg(
        pl.col("work_hours").filter(pl.col("occ") == 1).sum().alias("wait_work_hours"),
        pl.col("work_hours").filter(pl.col("occ") > 1).sum().alias("rework_wait_work_hours"))
    if not tables.has_start_times:  # completion → completion: the wait is the step's own duration
        waits = waits.with_columns(pl.lit(0.0).alias("wait_work_hours"), pl.lit(0.0).alias("rework_wait_work_hours"))
    # a queue "at one person" needs a person: SYSTEM or STAFF MEMBER accounts are nobody's desk
    nobody = people_names.is_in(sorted(placeholder_names(people_names))).arg_true().cast(pl.UInt32)  # their codes
    people = _top_people(steps["activity_code"], person, people_names, nobody, names.len())
    people = people.join(per_activity.select("activity_code", "executions"), on="activity_code").select(
        "activity_code", "top_person", (pl.col("__top_n") / pl.col("executions")).alias("top_person_share"))
    rhythm = _weekday_rhythm(steps, names)
    frame = (per_activity.join(waits, on="activity_code", how="left").join(people, on="activity_code", how="left")
             .join(rhythm, on="activity_code", how="left")
             .select(pl.lit(names).gather(pl.col("activity_code")).alias(ACTIVITY), pl.exclude("activity_code")))
    return with_causes(frame, typical, work_starts)


def _top_people(activity_code: pl.Series, person: pl.Series, people_names: pl.Series, nobody: pl.Series,
                activities: int) -> pl.DataFrame:
    """Per activity code, the person doing it most (ties: the first name) and how often:
    ``activity_code``, ``top_person``, ``__top_n``; the ``nobody`` codes and missing people are not
    counted (see :func:`procmine.engine.tables.most_frequent`)."""
    somebody = ~person.is_in(nobody.implode()) & person.is_not_null()
    found = most_frequent(activity_code.filter(somebody), person.filter(somebody), people_names, activities)
    return found.rename({"key": "activity_code", "value": "top_person", "n": "__top_n"})


def with_causes(frame: pl.DataFrame, typical: float | None, work_starts: bool) -> pl.DataFrame:
    """``frame`` (one row per activity: the figures :func:`step_causes` measures) with the totals
    (rework, total), the causes each row's figures show and the log's ``typical`` step median,
    the most time first."""
    frame = (frame
             .with_columns(pl.col("wait_work_hours", "rework_wait_work_hours", "at_step_work_hours",
                                  "rework_step_work_hours").fill_null(0.0))
             .with_columns((pl.col("rework_step_work_hours") + pl.col("rework_wait_work_hours"))
                           .alias("rework_work_hours"))
             .with_columns((pl.col("at_step_work_hours") + pl.col("wait_work_hours") + pl.col("rework_work_hours"))
                           .alias("total_work_hours"))
             .sort(["total_work_hours", ACTIVITY], descending=[True, False]))
    wait_name = "queue" if work_starts else "handoff_delay"
    causes = []
    for r in frame.iter_rows(named=True):
        found = []
        total = r["total_work_hours"] or 0.0
        slow = typical is not None and r["median_work_hours"] is not None and typical > 0 and \
            r["median_work_hours"] >= SLOW_FACTOR * typical
        if slow and (r["top_person_share"] or 0) >= PERSON_SHARE:
            found.append("queue_at_person")
        if r["batch_weekday"] is not None:
            found.append("weekday_batching")
        if total > 0 and r["wait_work_hours"] >= WAIT_SHARE * (r["wait_work_hours"] + r["at_step_work_hours"]) and \
                r["wait_work_hours"] >= MIN_WAIT_WORK_HOURS * r["cases"]:
            found.append(wait_name)
        if total > 0 and r["rework_work_hours"] >= REWORK_SHARE * total:
            found.append("rework")
        causes.append(found)
    return frame.with_columns(pl.Series("causes", causes, dtype=pl.List(pl.String)),
                              pl.lit(typical, dtype=pl.Float64).alias("typical_step_median_work_hours"))


def _weekday_rhythm(steps: pl.DataFrame, names: pl.Series) -> pl.DataFrame:
    """Per activity code: completions by weekday (Mon … Sun, local time), by hour, and the weekday
    holding at least ``BATCH_SHARE`` of them, if any.

    Counted with one bincount per grid (activity × weekday, activity × hour) on the local
    wall-clock time, instead of 31 filtered sums per activity."""
    present = np.arange(len(names), dtype=np.int64)  # every code has steps: the codes are the steps' activities
    codes = steps["activity_code"]
    utc = steps["end"].dt.epoch("us")
    zone = steps["end"].dtype.time_zone
    local = wall_clock_us(utc, zone) if zone else utc
    # both grids' cells in one polars query (two threads, and no fresh 80 MB arrays per step of
    # the arithmetic: at 10M steps numpy took 0.9 s); floor division throughout, as before 1970 too
    day = pl.col("local") // US_PER_DAY
    shifted = day + 3                                  # 1970-01-01 was a Thursday; 0 is Monday
    code = pl.col("code").cast(pl.Int64)
    cells = pl.DataFrame({"local": local, "code": codes}).select(
        (code * 7 + shifted - (shifted // 7) * 7).alias("weekday"),
        (code * 24 + (pl.col("local") - day * US_PER_DAY) // US_PER_HOUR).alias("hour"))
    size = len(names)
    by_weekday = np.bincount(cells["weekday"].to_numpy(), minlength=size * 7).reshape(size, 7)[present].astype(np.uint32)
    by_hour = np.bincount(cells["hour"].to_numpy(), minlength=size * 24).reshape(size, 24)[present].astype(np.uint32)
    del cells
    completions = by_weekday.sum(axis=1, dtype=np.uint32)
    top = pl.DataFrame({
        "activity_code": pl.Series(present, dtype=pl.UInt32),
        "by_weekday": pl.Series(by_weekday).cast(pl.List(pl.UInt32)),
        "by_hour": pl.Series(by_hour).cast(pl.List(pl.UInt32)),
        "completions": completions,
        "__top": by_weekday.argmax(axis=1).astype(np.uint32),
        "batch_share": by_weekday.max(axis=1) / np.maximum(completions, 1),
    })
    return top.select(
        "activity_code", "by_weekday", "by_hour", "batch_share",
        pl.when((pl.col("batch_share") >= BATCH_SHARE) & (pl.col("completions") >= MIN_COMPLETIONS))
        .then(pl.col("__top")).alias("batch_weekday"))


US_PER_DAY = 86_400_000_000
US_PER_HOUR = 3_600_000_000


def describe_causes(row: dict, unit: dict, lang: str = "zh") -> str:
    """One sentence naming the causes of one activity's time, with their evidence (``unit`` holds
    the hours' unit in each language: ``{"zh": "工作小时", "en": "working hours"}``)."""
    t = PHRASES.text(lang)
    parts = []
    for cause in row["causes"]:
        if cause == "queue_at_person":
            parts.append(t("one_person", person=row["top_person"], share=row["top_person_share"]))
        elif cause == "weekday_batching":
            parts.append(t("batching", share=row["batch_share"], day=t(f"weekday_{row['batch_weekday']}")))
        elif cause in ("handoff_delay", "queue"):
            parts.append(t("wait", word=t(cause), hours=row["wait_work_hours"] / max(row["cases"], 1),
                           unit=unit[t.lang]))
        elif cause == "rework":
            parts.append(t("rework_share", share=row["rework_work_hours"] / row["total_work_hours"]))
    return t("clause_separator").join(parts)


__all__ = ["step_causes", "describe_causes", "start_is_work_start", "placeholders", "PLACEHOLDER_WORDS", "PHRASES",
           "CAUSE_ZH", "CAUSE_EN", "WEEKDAYS_ZH", "WEEKDAYS_EN"]
