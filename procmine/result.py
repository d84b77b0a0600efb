"""The protocol every result shares, from one base: JSON from ``to_dict()``, text from
``describe(lang)`` (Chinese by default), and the notebook display of that text.

A result defines ``to_dict()`` (numbers with their units named, JSON-ready) and ``describe(lang)``;
it gets ``to_json()``, ``__str__`` (Chinese) and a plain ``_repr_html_`` it may replace with a
richer one. Tables are ``to_frame()``; charts ``plot(lang)``. The notebook display is in the
result's own ``lang`` when it has one (a report built in English), else Chinese: see :func:`display_lang`.

    >>> print(procmine.kpis(log).to_json())          # doctest: +SKIP
"""

from __future__ import annotations

import html
import json


class Result:
    """Base of procmine's result objects (see the module docstring)."""

    def to_dict(self) -> dict:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def to_json(self) -> str:
        """The result as JSON text (UTF-8 characters kept; times and other objects as text)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def describe(self, lang: str = "zh") -> str:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe("zh")

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.describe(display_lang(self)))}</pre>"


def display_lang(result) -> str:
    """The language ``result`` is displayed in, in a notebook: its ``lang`` when it has one, else zh."""
    return getattr(result, "lang", None) or "zh"


__all__ = ["Result", "display_lang"]
