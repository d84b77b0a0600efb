"""Charts for reports: the current flowchart (当前流程图), fonts, layered layout.

    >>> from procmine.chart import draw_flowchart, save_figure       # doctest: +SKIP
    >>> save_figure(draw_flowchart(pmap.graph), "current_flowchart.png")  # doctest: +SKIP

Chinese text uses Noto Sans CJK SC from the ``mplfonts`` package; nothing here changes
global matplotlib settings (see :mod:`procmine.chart.fonts`).  Names are imported lazily
so that ``import procmine.chart`` stays cheap.
"""

from __future__ import annotations

import importlib

__all__ = ["Layout", "chart_style", "draw_flowchart", "draw_lead_time_histogram", "layered_layout", "save_figure",
           "use_cjk_font"]

_WHERE = {
    "Layout": "procmine.chart.layout",
    "layered_layout": "procmine.chart.layout",
    "chart_style": "procmine.chart.fonts",
    "use_cjk_font": "procmine.chart.fonts",
    "draw_flowchart": "procmine.chart.flowchart",
    "save_figure": "procmine.chart.flowchart",
    "draw_lead_time_histogram": "procmine.chart.histogram",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'procmine.chart' has no attribute {name!r}")
