"""The interactive map's drill-down for a log whose rows stay on Apache Spark.

The page lists, for each box and arrow, a few example cases, and for each box the most frequent
variants through it (:func:`procmine.chart.interactive.interactive_map_html`). On Spark these are
window functions over the steps and hand-offs: per activity the first cases (by case id) that
pass it, per hand-off its first rows in hand-off order. What comes to the driver is at most
``EXAMPLE_CASES`` rows per activity and ``EDGE_ROWS`` per hand-off; the variants are the table
:mod:`procmine.engine.spark` already counted for the map.
"""

from __future__ import annotations

import polars as pl

from procmine.engine.spark import SparkLog, _parallel_pairs, _polars, _steps, completion_pairs


def spark_drill_down(log: SparkLog, arrival_times: bool) -> dict:
    """The default engine's drill-down (same cases, same order), computed on Spark."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from procmine.chart.interactive import EDGE_ROWS, EXAMPLE_CASES, drill

    completion_only = not (arrival_times and log.has_start_times)
    steps = _steps(log, completion_only, None, decisions=False)
    # each activity's first pass in each case, then its first cases by case id (the default engine's
    # case order); the activities in the order met: by their first case, then position in it
    firsts = steps.groupBy("c", "a").agg(F.min("pos").alias("pos"))
    ranked = firsts.withColumn("k", F.row_number().over(Window.partitionBy("a").orderBy("c")))
    rows = _polars(ranked.where(F.col("k") <= EXAMPLE_CASES).select("a", "c", "pos", "k"))
    by_activity = [(a, group.sort("k")["c"].to_list()) for (a,), group in
                   rows.sort("c", "pos", "k").group_by("a", maintain_order=True)]
    # each hand-off's first rows in hand-off order (case, then the two steps' positions)
    pairs = (completion_pairs(steps, work=False) if completion_only else
             _parallel_pairs(steps, work=False).where("kind = 0")).select("c", "source", "target", "source_pos",
                                                                          "target_pos")
    order = Window.partitionBy("source", "target").orderBy("c", "source_pos", "target_pos")
    rows = _polars(pairs.withColumn("k", F.row_number().over(order)).where(F.col("k") <= EDGE_ROWS)
                   .select("source", "target", "c", "source_pos", "target_pos", "k"))
    by_edge = [(s, t, group.sort("k")["c"].unique(maintain_order=True).head(EXAMPLE_CASES).to_list())
               for (s, t), group in rows.sort("c", "source_pos", "target_pos").group_by("source", "target",
                                                                                        maintain_order=True)]
    variants = log.aggregates(arrival_times=arrival_times, any_calendar=True).variants
    if variants.is_empty():
        variants = pl.DataFrame(schema={"activities": pl.List(pl.String), "cases": pl.Int64, "share": pl.Float64})
    return drill(by_activity, by_edge, variants)


__all__ = ["spark_drill_down"]
