"""A CJK font for the charts, without system fonts and without global side effects.

The target machines have no Chinese fonts installed, so the charts use Noto Sans CJK SC
(SIL Open Font Licence) as shipped inside the ``mplfonts`` wheel.  Only the font *file*
is used: mplfonts' own helpers (``use_font``, ``update_custom_rc``) rewrite rcParams or
the user's matplotlibrc, which a library must not do behind its caller's back.  Its
``SimHei.ttf`` is deliberately not used (licence unclear).

Typical use::

    with chart_style():
        fig = Figure(...)
        ...                          # every Text created here gets the CJK family

``use_cjk_font()`` only registers the font file with matplotlib's font manager (once);
nothing in this module touches ``matplotlib.rcParams`` except inside ``chart_style()``'s
``rc_context``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib import font_manager

__all__ = ["CJKFontNotFoundError", "chart_rc", "chart_style", "use_cjk_font", "cjk_font_path"]

_MPLFONTS_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")
# Characters a usable fallback font must contain (common in approval-process names).
_PROBE = "中文审批流程开始结束次小时"

_lock = threading.Lock()
_family: str | None = None
_path: str | None = None


class CJKFontNotFoundError(RuntimeError):
    """No font able to draw Chinese characters is available to matplotlib."""


def _mplfonts_font_file() -> Path | None:
    """Path of Noto Sans CJK SC inside the installed mplfonts package, if present.

    ``find_spec`` locates the package directory without importing it (importing
    mplfonts pulls in its rc-changing helpers and extra dependencies we do not need).
    """
    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location).joinpath(*_MPLFONTS_FILE)
        if candidate.is_file():
            return candidate
    return None


def _covers_probe(path: str) -> bool:
    """Does the font have real, distinct glyphs for common Chinese characters?

    Distinctness matters: matplotlib's own "Last Resort" font maps every code point of a
    block to one placeholder glyph, which would pass a mere "has a glyph" check.
    """
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        indices = [font.get_char_index(ord(ch)) for ch in _PROBE]
    except Exception:  # unreadable / exotic font file: not usable
        return False
    return all(indices) and len(set(indices)) == len(set(_PROBE))


def _find_installed_cjk_font(manager: font_manager.FontManager) -> tuple[str, str] | None:
    """(family, path) of some font known to ``manager`` that draws Chinese, or None.

    Checks glyph coverage rather than guessing from family names.  Regular upright
    faces and Sans families are preferred; the choice is deterministic.
    """
    candidates = []
    for entry in manager.ttflist:
        if not entry.fname.lower().endswith((".ttf", ".otf", ".ttc")) or "last resort" in entry.name.lower():
            continue
        rank = (
            entry.style != "normal",
            abs((entry.weight if isinstance(entry.weight, int) else 400) - 400),
            "sans" not in entry.name.lower() and "hei" not in entry.name.lower(),
            entry.name,
            entry.fname,
        )
        candidates.append((rank, entry))
    for _rank, entry in sorted(candidates, key=lambda item: item[0]):
        if _covers_probe(entry.fname):
            return entry.name, entry.fname
    return None


def use_cjk_font() -> str:
    """Make a CJK font available to matplotlib and return its family name.

    Registers ``mplfonts``' Noto Sans CJK SC with ``fontManager.addfont`` (once; later
    calls return the cached name).  If that file is missing, falls back to any font
    matplotlib already knows that covers Chinese.  Raises ``CJKFontNotFoundError``
    (with the ``pip install mplfonts`` hint) if there is none.  Does not change rcParams.
    """
    global _family, _path
    from matplotlib import font_manager  # (here: the font's file alone needs no matplotlib, see cjk_font_path)

    with _lock:
        if _family is not None:
            return _family
        font_file = _mplfonts_font_file()
        if font_file is not None:
            path = str(font_file)
            known = {entry.fname for entry in font_manager.fontManager.ttflist}
            if path not in known:
                font_manager.fontManager.addfont(path)
            family = font_manager.FontProperties(fname=path).get_name()
        else:
            found = _find_installed_cjk_font(font_manager.fontManager)
            if found is None:
                raise CJKFontNotFoundError(
                    "No font that can draw Chinese characters is available to matplotlib. "
                    "Install the font package with `pip install mplfonts` (it ships Noto Sans "
                    "CJK SC), or install a CJK font such as Noto Sans CJK SC on this machine."
                )
            family, path = found
        _family, _path = family, path
        return family


def cjk_font_path() -> str:
    """File of the font ``use_cjk_font()`` selects: mplfonts' Noto Sans CJK SC, found without
    importing matplotlib (the HTML pages' embedded font needs only the file), or else the
    installed font matplotlib knows."""
    found = _mplfonts_font_file()
    if found is not None:
        return str(found)
    use_cjk_font()
    assert _path is not None
    return _path


def chart_rc() -> dict[str, object]:
    """rcParams for procmine charts (registers the CJK font first).

    CJK family first with DejaVu Sans as glyph fallback, no Unicode minus (the CJK font's
    minus sign looks odd and some fonts lack it), and SVG text converted to paths so SVGs
    show the characters on machines without the font.
    """
    family = use_cjk_font()
    return {
        "font.family": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
    }


@contextlib.contextmanager
def chart_style() -> Iterator[dict[str, object]]:
    """Context manager applying :func:`chart_rc` via ``matplotlib.rc_context``."""
    from procmine.chart.display import enable_notebook_display

    enable_notebook_display()
    import matplotlib

    rc = chart_rc()
    with matplotlib.rc_context(rc):
        yield rc
