"""Charts show up inline in Jupyter without ``%matplotlib inline``.

procmine builds figures with ``matplotlib.figure.Figure`` (no pyplot state). Jupyter only
shows such a figure when an image formatter is registered for it; if the code runs inside
IPython and none is, register one that renders the PNG at 110 dpi.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

_registered = False


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def enable_notebook_display() -> None:
    """Register a PNG formatter for Figures in the running IPython, once; a no-op elsewhere."""
    global _registered
    if _registered:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    if Figure not in formatter.type_printers:  # matplotlib-inline may have registered one already
        formatter.for_type(Figure, _png)
    _registered = True
