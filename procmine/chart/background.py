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
        self._request = None
        self._sent = False

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
        figure, and arguments that pickle) as ``stem``.png and ``stem``.svg."""
        self._request = (function, arguments, Path(stem))
        if self.process is None:
            return
        try:
            self.process.ask(function, arguments, str(stem))
            self._sent = True
        except Exception:  # noqa: BLE001  (gone, or something that does not pickle: drawn here)
            self.close()

    def written(self) -> dict[str, Path]:
        """The files drawn, ``{file name: path}``, PNG first; waits for them. Raises what drawing
        here would raise (:class:`procmine.errors.OutputError` for a file that cannot be written)."""
        from procmine.output import write_figure

        function, arguments, stem = self._request
        if self._sent:
            self._sent = False
            try:
                answer = self.process.answer(WAIT_S)
            except HelperStopped:
                answer = None
            if answer is not None and answer[0] == "ok":
                files, caught = answer[1], answer[2]
                for message, category, filename, lineno in caught:
                    warnings.warn_explicit(message, category, filename, lineno)
                return {name: Path(path) for name, path in files.items()}
        return write_figure(function(**arguments), stem)  # (again here: its own error, if any)

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
