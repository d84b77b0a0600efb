"""The protocol every result shares, from one base: JSON from ``to_dict()``, text from
``describe(lang)`` (Chinese by default), the notebook display of that text, and its files.

A result defines ``to_dict()`` (numbers with their units named, JSON-ready) and ``describe(lang)``;
it gets ``to_json()``, ``__str__`` (Chinese) and a plain ``_repr_html_`` it may replace with a
richer one. Tables are ``to_frame()``; charts ``plot(lang, top)``. The notebook display is in the
result's own ``lang`` when it has one (a report built in English), else Chinese: see :func:`display_lang`.

A result that has files to give (charts, JSON, CSV) names them in ``outputs`` and writes them
with ``write(out_dir, lang, **options)``, which returns ``{file name: path}`` in that order;
``procmine <command> -o OUT`` writes exactly these files. Every file goes through
:mod:`procmine.output` (formula-like cells neutralised, one-line errors).

    >>> print(procmine.kpis(log).to_json())          # doctest: +SKIP
    >>> procmine.bottlenecks(log).write("out", lang="en", top=5)     # doctest: +SKIP
    {'bottlenecks.png': PosixPath('out/bottlenecks.png'), ..., 'backlog.csv': PosixPath('out/backlog.csv')}
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar


class Result:
    """Base of procmine's result objects (see the module docstring)."""

    #: the files :meth:`write` puts in its folder, in order (empty: the result writes none)
    outputs: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def to_json(self, filters: Iterable = ()) -> str:
        """The result as JSON text (UTF-8 characters kept; times and other objects as text).

        ``filters`` (a filtered log's ``log.filters``) are stated under ``"filters"``, in English,
        so that the JSON says which cases it counts."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)
        filters = list(filters)
        if not filters:
            return text
        payload = json.loads(text)
        payload["filters"] = [f.describe("en") for f in filters]
        return json.dumps(payload, ensure_ascii=False, indent=2)

    def describe(self, lang: str = "zh") -> str:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe("zh")

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.describe(display_lang(self)))}</pre>"

    # --- files -------------------------------------------------------------------------
    def files(self, only: Iterable[str] | None = None, **options) -> list[str]:
        """The names of the files ``write(out_dir, **options)`` writes, in order; known before
        anything is written, so that a caller can refuse to replace an input."""
        names = self._file_names(**options)
        if only is None:
            return names
        wanted = set(only)
        return [name for name in names if name in wanted]

    def _file_names(self, **options) -> list[str]:
        """Every file this result writes (a result whose names depend on it replaces this)."""
        return list(self.outputs)

    def write(self, out_dir: str | Path, lang: str = "zh", **options) -> dict[str, Path]:
        """Write the result's files into ``out_dir`` (created): ``{file name: path}``, in the
        order of :meth:`files`.

        ``lang`` is the language of the charts and of any text in a table. The options every
        result takes (those it has no use for are ignored): ``top``, the bars a chart shows (as
        ``plot(lang, top)``); ``filters``, the filters that selected the cases (a filtered log's
        ``log.filters``), stated in the JSON as :meth:`to_json` does; ``only``, the names of the
        files to write (default: all of :meth:`files`).
        """
        from procmine.output import writing
        from procmine.text import check_lang

        if not self._file_names(**options):
            raise NotImplementedError(f"{type(self).__name__} writes no files")
        check_lang(lang)  # before any file is written
        out = Path(out_dir)
        paths = {name: out / name for name in self.files(**options)}

        with writing(out, "cannot be created; choose another folder"):
            out.mkdir(parents=True, exist_ok=True)
        self._write_files(paths, lang, **options)
        return paths

    def _write_files(self, paths: dict[str, Path], lang: str, **options) -> None:  # pragma: no cover
        """Write the files of ``paths`` ({name: path}: those of :meth:`files` asked for)."""
        raise NotImplementedError

    def _write_json(self, paths: dict[str, Path], name: str, filters: Iterable = ()) -> None:
        """The JSON (:meth:`to_json`) as ``name``, when it is asked for."""
        from procmine.output import write_text

        if name in paths:
            write_text(self.to_json(filters), paths[name])

    @staticmethod
    def _write_charts(paths: dict[str, Path], charts: dict, painter=None, meanwhile=None) -> None:
        """Each chart asked for ({file stem: how to draw it}) drawn once, written as PNG and SVG.

        A chart is given as ``(function, arguments)`` (a module-level function and arguments that
        pickle), or by a function of no arguments returning the figure or such a pair (made only
        when the chart is asked for, in order). With a ``painter``
        (:class:`procmine.chart.background.ChartProcess`) the pairs are drawn in its process, one
        after the other, while the next ones are prepared here. ``meanwhile`` (no arguments) is
        called once the charts are asked for, before they are waited for."""
        from procmine.output import write_figure

        sent = False
        for stem, draw in charts.items():
            if f"{stem}.png" not in paths:
                continue
            target = paths[f"{stem}.png"].with_suffix("")
            if not isinstance(draw, tuple):
                draw = draw()
            if isinstance(draw, tuple) and painter is not None:
                painter.call(*draw, target)
                sent = True
            else:
                write_figure(draw[0](**draw[1]) if isinstance(draw, tuple) else draw, target)
        if meanwhile is not None:
            meanwhile()
        if sent:
            painter.written()


def display_lang(result) -> str:
    """The language ``result`` is displayed in, in a notebook: its ``lang`` when it has one, else zh."""
    return getattr(result, "lang", None) or "zh"


__all__ = ["Result", "display_lang"]
