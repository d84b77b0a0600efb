"""discover's flowchart drawn in a second process, while this one lays out the interactive map.

Drawing the flowchart (PNG and SVG) and laying out the interactive map are pure Python, a
second or two each whatever the log's size; in two processes they take the longer of the two
on a two-core machine, not the sum. The helper (:class:`procmine.helper.HelperProcess`) is
started with the command, so matplotlib and the chart font are imported while the log is read.

    >>> with ChartProcess() as charts:                           # doctest: +SKIP
    ...     charts.draw(shown, out / "current_flowchart", "zh")
    ...     html = interactive_map_html(...)                       # meanwhile
    ...     files = charts.written()                               # {"current_flowchart.png": …}

The figures are the same as :meth:`procmine.discover.ProcessMap.write` draws: the same function
draws them there. Its warnings (a chart too large for a page) are given again here, as if drawn
here. When the process cannot be started, or fails, the flowchart is drawn in this process.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

from procmine.helper import HelperProcess, HelperStopped, serve, started

#: Draw discover's flowchart in a second process (off: in the calling process).
DRAW_IN_BACKGROUND = True

#: Seconds to wait for the drawing before drawing here instead.
WAIT_S = 600.0


class ChartProcess:
    """The flowchart painter of ``procmine discover``; see the module docstring. A context
    manager: the process is stopped on leaving."""

    def __init__(self):
        self.process = started(DRAW_IN_BACKGROUND, lambda: HelperProcess("procmine.chart.background:_serve"))
        #: what was asked and not yet collected, in order: (function, arguments, stem, sent there)
        self._requests: list[tuple] = []

    def __enter__(self) -> "ChartProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def draw(self, drawn, stem: str | Path, lang: str) -> None:
        """Start drawing the map ``drawn`` as ``stem``.png and ``stem``.svg."""
        # the map without the events it was measured from (the figure needs only its tables)
        portable = dataclasses.replace(drawn, _events=None, _open=frozenset(), _project=None)
        self.call(map_figure, {"drawn": portable, "lang": lang}, stem)

    def call(self, function, arguments: dict, stem: str | Path) -> None:
        """Start drawing ``function(**arguments)`` (a module-level function returning a matplotlib
        figure, and arguments that pickle) as ``stem``.png and ``stem``.svg. Several charts may be
        asked for before :meth:`written`; they are drawn one after the other."""
        sent = False
        if self.process is not None:
            try:
                self.process.ask(function, arguments, str(stem))
                sent = True
            except Exception:  # noqa: BLE001  (gone, or something that does not pickle: drawn here)
                self.close()
        self._requests.append((function, arguments, Path(stem), sent))

    def written(self) -> dict[str, Path]:
        """The files of every chart asked for, ``{file name: path}``, PNG first; waits for them.
        Raises what drawing here would raise (:class:`procmine.errors.OutputError` for a file
        that cannot be written)."""
        from procmine.output import write_figure

        files: dict[str, Path] = {}
        requests, self._requests = self._requests, []
        for function, arguments, stem, sent in requests:
            answer = None
            if sent and self.process is not None:
                try:
                    answer = self.process.answer(WAIT_S)
                except HelperStopped:
                    self.close()
            if answer is not None and answer[0] == "ok":
                for message, category, filename, lineno in answer[2]:
                    warnings.warn_explicit(message, category, filename, lineno)
                files.update({name: Path(path) for name, path in answer[1].items()})
            else:
                files.update(write_figure(function(**arguments), stem))  # (again here: its own error, if any)
        return files

    def close(self) -> None:
        if self.process is not None:
            self.process.close()
            self.process = None


def _serve() -> None:
    """The chart process: import matplotlib and the chart fonts, then draw what is asked."""
    def warm_up():
        from procmine.chart import flowchart  # noqa: F401  (matplotlib and the font, imported early)
        from procmine.output import write_figure  # noqa: F401

    serve(_draw, warm_up)


def flowchart_figure(**arguments):
    """:func:`procmine.chart.flowchart.draw_flowchart` (``graph`` and the rest as keywords), named
    here so that a caller can hand it over without importing matplotlib itself."""
    from procmine.chart.flowchart import draw_flowchart

    return draw_flowchart(**arguments)


def share_bars_figure(**arguments):
    """:func:`procmine.chart.bars.draw_share_bars`, named here as :func:`flowchart_figure` is."""
    from procmine.chart.bars import draw_share_bars

    return draw_share_bars(**arguments)


def loop_bars_figure(**arguments):
    """:func:`procmine.chart.bars.draw_loop_bars`, named here as :func:`flowchart_figure` is."""
    from procmine.chart.bars import draw_loop_bars

    return draw_loop_bars(**arguments)


def map_figure(drawn, lang: str):
    """The flowchart of the map ``drawn`` (as :meth:`procmine.discover.ProcessMap.write` draws it)."""
    return drawn.plot(lang=lang, simplify=False)


def _draw(function, arguments: dict, stem: str) -> tuple:
    """("ok", files, warnings) or ("error", text): the other process then draws it itself."""
    from procmine.output import write_figure

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            files = write_figure(function(**arguments), stem)
        except Exception as exc:  # noqa: BLE001
            return ("error", f"{type(exc).__name__}: {exc}")
    return ("ok", {name: str(path) for name, path in files.items()},
            [(str(w.message), w.category, w.filename, w.lineno) for w in caught])
