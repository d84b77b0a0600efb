"""Every file procmine writes goes through here: safe cells, clean XML, no input overwritten.

Logs, designs and mailboxes are untrusted: a person's name may be ``=cmd|' /C calc'!A0`` and
an activity may hold a NUL byte. Three rules apply to every output:

* a CSV/XLSX cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) is written with a leading apostrophe, so it stays
  text; numbers stay numbers;
* control characters (C0 except tab, line feed and carriage return; DEL; U+FFFE/U+FFFF),
  which XML forbids, are removed from XML, SVG, BPMN and Word text;
* an output never replaces an input: not the log, a ``--holidays``/``--departments`` file or a
  design, whether by the same path, a symbolic link or a hard link (same inode).

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> xml_text("合同\\x00审批")
    '合同审批'
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

from procmine.errors import OutputError

#: What makes a spreadsheet read a cell as a formula (or, for tab and CR, hide one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Characters XML 1.0 does not allow (and Word refuses): C0 controls but tab/LF/CR, DEL, U+FFFE/F.
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]"
_CONTROL = re.compile(CONTROL_CHARACTERS)
_CONTROL_TABLE = {c: None for c in range(32) if c not in (9, 10, 13)} | {0x7F: None, 0xFFFE: None, 0xFFFF: None}
#: the same characters as bytes of UTF-8 text, and as character references
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xef\xbf[\xbe\xbf]")
_CONTROL_REFS = re.compile(rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127)|x0*(?:[0-8bcefBCEF]|1[0-9a-fA-F]|7[fF]));")


class InputOverwriteError(OutputError):
    """An output would replace one of the inputs (same path, a link to it, or a hard link)."""

    exit_code = 2


@contextmanager
def writing(path, problem: str = "cannot be written"):
    """Turn an OSError while writing ``path`` into one clear OutputError line (exit 4).

        >>> with writing(path):              # doctest: +SKIP
        ...     path.write_text(text)
    """
    try:
        yield
    except OSError as exc:
        raise OutputError(f"{path}: {problem} ({exc.strerror or exc}).") from None


def safe_cell(value):
    """A CSV/XLSX cell that a spreadsheet will not run as a formula; numbers stay numbers.

        >>> [safe_cell(v) for v in ("@SUM(A1)", "-5", -5, "合同", None, float("nan"))]
        ["'@SUM(A1)", "'-5", -5, '合同', '', '']
    """
    if isinstance(value, float):
        return "" if math.isnan(value) else round(value, 4)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = " → ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_text_cell(value):
    """:func:`safe_cell` for cells written as they are (no rounding): only text changes."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def safe_frame(frame):
    """A polars or pandas frame whose text cells cannot start a formula (other columns as they are)."""
    import polars as pl

    if isinstance(frame, pl.DataFrame):
        starts = "^[" + re.escape("".join(FORMULA_START)) + "]"
        return frame.with_columns(
            pl.when(pl.col(name).str.contains(starts)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name))
            .alias(name)
            for name, dtype in frame.schema.items() if dtype == pl.String
        )
    from pandas.api.types import is_object_dtype, is_string_dtype

    frame = frame.copy()
    for name in frame.columns:
        if is_object_dtype(frame[name]) or is_string_dtype(frame[name]):
            frame[name] = frame[name].map(lambda v: safe_text_cell(v) if isinstance(v, str) else v)
    return frame


def write_csv(frame, path: str | Path, *, bom: bool = True) -> Path:
    """Write a polars or pandas frame as CSV (UTF-8 with BOM, so that Excel shows Chinese),
    text cells neutralised with :func:`safe_frame`."""
    import polars as pl

    path = Path(path)
    frame = safe_frame(frame)
    with writing(path):
        if isinstance(frame, pl.DataFrame):
            with path.open("wb") as handle:
                if bom:
                    handle.write(b"\xef\xbb\xbf")
                frame.write_csv(handle)
        else:
            with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
                frame.to_csv(handle, index=False)
    return path


def write_rows_csv(rows: Iterable[Iterable], path: str | Path, *, bom: bool = True, lineterminator="\r\n") -> Path:
    """Write rows (the first one the header) as CSV, every text cell neutralised."""
    path = Path(path)
    with writing(path):
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator=lineterminator)
            for row in rows:
                writer.writerow([safe_text_cell(v) for v in row])
    return path


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` as UTF-8 (JSON, HTML): an OSError becomes one OutputError line."""
    path = Path(path)
    with writing(path):
        path.write_text(text, encoding="utf-8")
    return path


def write_figure(figure, stem: str | Path) -> dict[str, Path]:
    """Write a matplotlib figure as ``stem.png`` and ``stem.svg`` (the SVG cleaned of characters
    XML forbids): {file name: path}, PNG first.

        >>> write_figure(report.plot("en"), out_dir / "bottlenecks")   # doctest: +SKIP
        {'bottlenecks.png': ..., 'bottlenecks.svg': ...}
    """
    from procmine.chart.flowchart import save_figure

    stem = Path(stem)
    written = {}
    for suffix in ("png", "svg"):
        path = stem.with_name(f"{stem.name}.{suffix}")
        with writing(path):
            save_figure(figure, path)
            if suffix == "svg":
                clean_xml_file(path)
        written[path.name] = path
    return written


def xml_text(text) -> str:
    """``text`` without the characters XML forbids (for SVG, BPMN and Word)."""
    return str(text).translate(_CONTROL_TABLE)


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def clean_xml_file(path: str | Path) -> Path:
    """Remove characters XML forbids from a UTF-8 XML file another library wrote (pm4py's BPMN,
    matplotlib's SVG), raw or as character references. Multi-byte UTF-8 characters never
    contain these bytes, so removing them cannot cut a character."""
    path = Path(path)
    data = path.read_bytes()
    cleaned = _CONTROL_REFS.sub(b"", _CONTROL_BYTES.sub(b"", data))
    if cleaned != data:
        path.write_bytes(cleaned)
    return path


# --- names shortened for display -----------------------------------------------------------

#: names longer than this are shortened on charts (the data keep them in full)
DISPLAY_NAME_CHARS = 80


def display_names(names, limit: int = DISPLAY_NAME_CHARS) -> dict[str, str]:
    """{name: how a chart shows it} for names longer than ``limit``: the start and the end (where
    names of one family differ) around an ellipsis; two names never get the same label.

        >>> display_names(["合同" * 50 + "甲", "合同" * 50 + "乙", "归档"], limit=9)
        {'合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同甲': '合同合同合同…同甲', '合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同合同乙': '合同合同合同…同乙'}
    """
    names = list(dict.fromkeys(names))
    shown: dict[str, str] = {}
    used = {n for n in names if len(n) <= limit}
    for name in names:
        if len(name) <= limit:
            continue
        head = limit * 2 // 3
        label = name[:head].rstrip() + "…" + name[-(limit - head - 1):].lstrip()
        number = 2
        while label in used:
            label = f"{name[:head].rstrip()}…{name[-(limit - head - 1):].lstrip()} ({number})"
            number += 1
        used.add(label)
        shown[name] = label
    return shown


# --- outputs never replace inputs ---------------------------------------------------------

def refuse_overwriting_inputs(outputs: Iterable[str | Path], inputs: Mapping[str, str | Path | None],
                              folders: Iterable[str | Path] = ()) -> None:
    """Raise :class:`InputOverwriteError` when an output is one of the ``inputs``
    ({what it is: path}): the same path, a link to it, or a hard link (same inode); or when
    an input lies inside one of ``folders``, whose files an output writer replaces.

        >>> refuse_overwriting_inputs(["out/backlog.csv"], {"the --holidays file": "out/backlog.csv"})
        Traceback (most recent call last):
        ...
        procmine.output.InputOverwriteError: out/backlog.csv: would overwrite the --holidays file (out/backlog.csv). Choose another folder or file name with -o.
    """
    named = [(what, Path(p)) for what, p in inputs.items() if p is not None and str(p) != ""]
    for output in outputs:
        output = Path(output)
        for what, source in named:
            if _same_file(output, source):
                raise InputOverwriteError(f"{shown(output)}: would overwrite {what} ({shown(source)}). Choose "
                                          "another folder or file name with -o.")
    for folder in folders:
        folder = Path(folder)
        for what, source in named:
            if _inside(source, folder):
                raise InputOverwriteError(f"{source}: {what} is inside {folder}, whose files this command "
                                          "replaces. Move it, or choose another folder with -o.")


def shown(path: str | Path, limit: int = 120) -> str:
    """A path for a message: a very long one keeps its start and end (``/tmp/zzz…zzz/kpi.json``)."""
    text = str(path)
    return text if len(text) <= limit else text[: limit // 3] + "…" + text[-(limit - limit // 3 - 1):]


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError as exc:  # a name too long, a loop of links: say so in one line
        raise OutputError(f"{shown(a)}: cannot be used as an output ({exc.strerror or exc}).") from None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
