"""Vectorised reading of the date-time columns found in OA approval exports.

``parse_timestamps`` turns one column (a ``polars.Series``) into time-zone aware
datetimes, flags the values it could not read and names the formats it recognised.

How strings are read, without a Python loop over rows:

1. Surrounding whitespace is stripped and blank values become null. A column that repeats
   its values (minute-precision exports of a million rows hold ~100,000 distinct times) is
   read one distinct value at a time and the result mapped back onto the rows. Values that
   are plain numbers (``45928.5``) are read as numbers: Excel serial dates, Unix epoch
   seconds or milliseconds, or compact ``20250928`` / ``20250928090511``.
2. Every other value gets a *shape*: the same string with each ASCII digit replaced by
   ``9`` (``2025/9/28 9:05`` → ``9999/9/99 9:99``; one byte-level translate over the Arrow
   buffer). A column holds only a handful of distinct shapes. If any shape holds full-width
   characters (``２０２５／９／２８``, ``：``, ideographic space), the column is mapped to
   ASCII with ``str.replace_many`` (NFKC for those characters) and the shapes are redone.
3. Each distinct shape is matched once, in Python, against one regular expression that
   knows every supported layout; the match gives the character offsets of year, month,
   day, hour, minute, second, fraction and UTC offset, the AM/PM (上午/下午…) marker and
   the offset sign. (Extracting regex groups row by row in polars took 1.2–1.4 s per
   million rows; this takes about a third of that.)
4. Rows whose shape is a common padded layout (``2025-09-28 09:05:11``, ``2025/09/28 09:05``,
   ``2025年09月28日 09:05``) are read by polars' ``str.strptime`` with that layout's format,
   one pass per layout; what strptime accepts but this module does not (years outside
   1900–2199, second 60) is left to the next step, so results are the same either way.
5. For the other rows, the offsets are gathered back onto the rows, the digits are cut out with
   ``str.slice`` and cast to integers, and the calendar is checked explicitly (year
   1900–2199, month 1–12, the day exists in that month, hour 0–23 after the AM/PM rule …)
   before ``pl.datetime`` builds the values, so an impossible date is a flagged failure,
   never an exception.
6. Rows without a UTC offset are local time in ``timezone``; rows with one (``Z``,
   ``+08:00``, ``+0800``) and epoch numbers are converted to ``timezone``. Local times
   that do not exist (a DST gap) fail; ambiguous ones (DST overlap) take the earlier.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass

import polars as pl

from procmine.errors import TimestampError
from procmine.timezones import localize

__all__ = ["ParsedTimes", "parse_timestamps", "describe_failures"]

US = "us"

# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------

# NFKC for what matters here: the full-width ASCII block (digits, ／ ： － ． ＋ ，, Ａ…Ｚ)
# maps one-to-one onto ASCII 0x21–0x7E; the ideographic space and no-break space become
# plain spaces.
_FULLWIDTH = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}
_FULLWIDTH["\u3000"] = " "
_FULLWIDTH["\u00a0"] = " "
_FULLWIDTH_CLASS = "[\u3000\u00a0\uff01-\uff5e]"
_DIGITS_TO_9 = bytes.maketrans(b"012345678", b"999999999")

# --------------------------------------------------------------------------------------
# The one pattern every string shape is matched against (run on distinct shapes only)
# --------------------------------------------------------------------------------------

_D = "[0-9]"
_MARKS = r"上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|AM|PM|A\.M\.|P\.M\."
_SHAPE_RE = re.compile(
    rf"""
    ^(?:
        (?P<y>{_D}{{4}})(?P<s1>[-/.])(?P<m>{_D}{{1,2}})(?P=s1)(?P<d>{_D}{{1,2}})        # 2025-9-28
      | (?P<cy>{_D}{{4}})\s*年\s*(?P<cm>{_D}{{1,2}})\s*月\s*(?P<cd>{_D}{{1,2}})         # 2025年9月28日
        (?:\s*[日号號])?
      | (?P<a>{_D}{{1,2}})(?P<s2>[-/.])(?P<b>{_D}{{1,2}})(?P=s2)(?P<ay>{_D}{{4}})       # 28/09/2025
    )
    (?:
        (?P<sep>\s*T\s*|\s+|(?<=[日号號])|(?=(?:{_MARKS})))    # date/time separator
        (?:(?P<ap1>{_MARKS})\s*)?
        (?P<h>{_D}{{1,2}})
        (?:
            \s*:\s*(?P<mi>{_D}{{1,2}})
            (?:\s*:\s*(?P<sec>{_D}{{1,2}})(?:[.,](?P<frac>{_D}{{1,9}}))?)?
          | \s*[时点時點]
            (?:\s*(?:(?P<mi2>{_D}{{1,2}})(?:\s*分(?:\s*(?P<sec2>{_D}{{1,2}})\s*秒)?)?
                    |(?P<half>半)))?
        )
        (?:\s*(?P<ap2>AM|PM|A\.M\.|P\.M\.))?
        (?:\s*(?P<tz>Z|UTC|GMT|(?P<sign>[+-])(?P<oh>{_D}{{2}})(?::?(?P<om>{_D}{{2}}))?))?
    )?
    $""",
    re.VERBOSE | re.IGNORECASE,
)

# AM/PM classes: what a marker does to the hour written after it.
_AP_NONE, _AP_AM, _AP_PM, _AP_NOON, _AP_NIGHT = 0, 1, 2, 3, 4
_AP_CLASS = {
    "AM": _AP_AM, "A.M.": _AP_AM, "上午": _AP_AM, "早上": _AP_AM, "早晨": _AP_AM, "凌晨": _AP_AM,
    "PM": _AP_PM, "P.M.": _AP_PM, "下午": _AP_PM, "傍晚": _AP_PM,
    "中午": _AP_NOON,
    "晚上": _AP_NIGHT,
}  # fmt: skip
# Example hour shown in a format's name, by AM/PM class.
_AP_EXAMPLE_HOUR = {_AP_NONE: 9, _AP_AM: 9, _AP_PM: 2, _AP_NOON: 12, _AP_NIGHT: 8}

# Years accepted in text and compact numbers: anything outside is a typo (0205, 2225) in an
# approval log, better flagged than placed centuries away.
_MIN_YEAR, _MAX_YEAR = 1900, 2199

# Numbers.
_EXCEL_EPOCH_US = -2_209_161_600_000_000  # 1899-12-30 00:00 as µs since 1970-01-01
_EXCEL_MAX = 2_958_466  # exclusive; 2958465 is 9999-12-31
_NUM_EXCEL, _NUM_EPOCH_S, _NUM_EPOCH_MS, _NUM_COMPACT8, _NUM_COMPACT14 = 1, 2, 3, 4, 5
_NUM_NAMES = {
    _NUM_EXCEL: "Excel serial date",
    _NUM_EPOCH_S: "Unix epoch seconds",
    _NUM_EPOCH_MS: "Unix epoch milliseconds",
    _NUM_COMPACT8: "20250928 (compact date)",
    _NUM_COMPACT14: "20250928090511 (compact date-time)",
}

# Widths and offsets of the fields, stored per distinct shape.
_FIELDS = ("y", "p", "q", "h", "mi", "sec", "fr", "oh", "om")
_MAX_SHAPE_CHARS = 64

#: A text column whose distinct values are at most this share of its rows is read one distinct
#: value at a time (minute-precision exports repeat each time many times over).
_DISTINCT_SHARE = 0.5


@dataclass
class ParsedTimes:
    """Result of :func:`parse_timestamps`.

    ``values``  Datetime("us", time_zone=timezone); null where the input was null, blank
                or could not be read.
    ``failed``  Boolean, no nulls; True where the input held a value that could not be read.
    ``formats`` Names of the formats recognised (at least one value read), most frequent
                first, e.g. ``["2025/9/28 9:05", "Excel serial date"]``.
    """

    values: pl.Series
    failed: pl.Series
    formats: list[str]


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def parse_timestamps(values: pl.Series, *, timezone: str = "Asia/Shanghai", text_layout: str | None = None
                     ) -> ParsedTimes:
    """Read one column of dates/times into ``Datetime("us", timezone)``.

    Accepts String columns (the usual case), Datetime (naive → local time in ``timezone``;
    aware → converted), Date (midnight local), integers/floats (Excel serial dates
    1..2958465, Unix seconds 1e9..1e10, Unix milliseconds 1e12..1e13, compact
    ``20250928[090511]``) and Object/mixed columns (each value turned into text first).

    ``text_layout``: ``values`` are naive times that were read from text in this strptime layout,
    one to one (:mod:`procmine.read.iso_times`); they are read exactly as that text would be.

    Never raises for bad values: they are flagged in ``failed``. Raises
    :class:`~procmine.errors.TimestampError` only for an unknown ``timezone``.
    """
    if not isinstance(values, pl.Series):
        raise TypeError(f"parse_timestamps expects a polars Series, got {type(values).__name__}")
    _check_timezone(timezone)
    name, dtype = values.name, values.dtype

    if text_layout is not None and isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        out, formats, present = _from_read_text(values, text_layout, timezone)
    elif isinstance(dtype, pl.Datetime):
        out, formats = _from_datetimes(values, timezone)
        present = values.is_not_null()
    elif dtype == pl.Date:
        out = _localize(values.cast(pl.Datetime(US)), timezone)
        formats = [f"date values (midnight, {timezone})"] if out.null_count() < len(out) else []
        present = values.is_not_null()
    elif dtype.is_numeric():
        num = values.cast(pl.Float64)
        present = num.is_not_null() & ~num.is_nan()
        frame = pl.DataFrame({"num": num}).select(pl.when(pl.col("num").is_finite()).then(pl.col("num")).alias("num"))
        read = _from_frame(frame, timezone)
        out, formats = read.values, _formats(frame, read)
    elif dtype in (pl.String, pl.Categorical, pl.Object) or isinstance(dtype, pl.Enum):
        if dtype == pl.Object:
            texts = pl.Series(name, [_object_to_text(v) for v in values.to_list()], pl.String)
        else:
            texts = values.cast(pl.String)
        out, formats, present = _from_strings(texts, timezone)
    else:  # Null, Boolean, Time, Duration, Binary, nested …: nothing here is a point in time
        out, formats, present = _nulls(len(values), pl.Datetime(US, timezone)), [], values.is_not_null()

    failed = (present.fill_null(False) & out.is_null()).alias(name)
    return ParsedTimes(values=out.alias(name), failed=failed, formats=formats)


def describe_failures(raw: pl.Series, failed: pl.Series, limit: int = 3) -> list[tuple[int, str]]:
    """The first ``limit`` failures as ``(0-based index, raw value as text)``."""
    if len(raw) != len(failed):
        raise ValueError(f"raw has {len(raw)} values but failed has {len(failed)}")
    idx = failed.fill_null(False).arg_true().head(limit)
    picked = raw.gather(idx).to_list()
    return [(int(i), v if isinstance(v, str) else str(v)) for i, v in zip(idx.to_list(), picked)]


# --------------------------------------------------------------------------------------
# Dtype paths
# --------------------------------------------------------------------------------------


def _check_timezone(timezone: str) -> None:
    try:
        pl.Series([None], dtype=pl.Datetime(US)).dt.replace_time_zone(timezone)
    except Exception as exc:  # polars raises ComputeError for unknown names
        raise TimestampError(
            f"Unknown time zone {timezone!r}; give an IANA name such as 'Asia/Shanghai' or 'UTC'."
        ) from exc


def _localize(naive: pl.Series, timezone: str) -> pl.Series:
    # Wall-clock times that do not exist (DST gap) become null → flagged as failed;
    # ambiguous ones (DST overlap) take the earlier instant.
    return localize(naive, timezone)


def _from_datetimes(values: pl.Series, timezone: str) -> tuple[pl.Series, list[str]]:
    src_tz = values.dtype.time_zone  # type: ignore[union-attr]
    us = values.cast(pl.Datetime(US, src_tz))
    if src_tz is None:
        out = _localize(us, timezone)
        fmt = f"datetime values without time zone (read as {timezone} local time)"
    else:
        out = us.dt.convert_time_zone(timezone)
        fmt = f"datetime values in {src_tz}" + ("" if src_tz == timezone else f", converted to {timezone}")
    return out, ([fmt] if values.null_count() < len(values) else [])


def _object_to_text(v: object) -> str | None:
    if v is None:
        return None
    try:
        if v != v:  # NaN, NaT
            return None
    except Exception:  # noqa: BLE001 - arrays and other oddities: fall through to str()
        pass
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    return str(v)


def _nulls(n: int, dtype: pl.DataType) -> pl.Series:
    return pl.repeat(None, n, dtype=dtype, eager=True)


def _strip_blank(s: pl.Series) -> pl.Series:
    """Surrounding whitespace (Unicode, so also U+3000) removed; blank → null."""
    x = pl.col("s").str.strip_chars()
    return s.alias("s").to_frame().select(pl.when(x.str.len_bytes() > 0).then(x)).to_series()


def _shapes(s: pl.Series) -> pl.Series:
    """Each ASCII digit replaced by '9' (same length in characters and bytes)."""
    import pyarrow as pa

    arr = s.to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    validity, offsets, data = arr.buffers()
    if data is None:
        return s
    shaped = pa.py_buffer(data.to_pybytes().translate(_DIGITS_TO_9))
    out = pa.Array.from_buffers(pa.large_string(), len(arr), [validity, offsets, shaped], arr.null_count, arr.offset)
    return pl.Series(s.name, out)


def _split_numbers(s: pl.Series) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
    """Frame(num, s) with numbers and the other texts apart, shapes, distinct shapes."""
    n = pl.col("s").cast(pl.Float64, strict=False)
    frame = s.alias("s").to_frame().select(num=pl.when(n.is_finite()).then(n), s=pl.col("s"))
    frame = frame.with_columns(s=pl.when(pl.col("num").is_null()).then(pl.col("s")))
    shape = _shapes(frame["s"])
    uniq = shape.unique(maintain_order=True).drop_nulls()
    return frame, shape, uniq


#: Columns at least this long first try the one layout a sample of their values shows.
_FAST_MIN_ROWS = 50_000
#: Values in that sample, spread over the whole column.
_FAST_SAMPLE = 2_000


def _from_strings(texts: pl.Series, timezone: str) -> tuple[pl.Series, list[str], pl.Series]:
    """Returns values, formats and which rows held a (non-blank) value."""
    fast = _one_common_layout(texts, timezone)
    if fast is not None:
        return fast
    s = _strip_blank(texts)
    present = s.is_not_null()
    if s.len() and s.approx_n_unique() <= _DISTINCT_SHARE * s.len():
        # Each distinct text is read once and the result mapped back onto the rows. A value's
        # reading depends only on the value and on what the column holds at all (which the
        # distinct values tell as well), so the result is the same; the formats are counted
        # by rows through the weights.
        distinct = s.to_frame("s").group_by("s", maintain_order=True).agg(pl.len().alias("weight")).drop_nulls("s")
        values, formats = _read_texts(distinct["s"], timezone, weights=distinct["weight"])
        return s.replace_strict(distinct["s"], values, default=None, return_dtype=values.dtype), formats, present
    out, formats = _read_texts(s, timezone)
    return out, formats, present


def _one_common_layout(texts: pl.Series, timezone: str) -> tuple[pl.Series, list[str], pl.Series] | None:
    """A large column whose values all have one common layout (2025-09-28 09:05:11), read in one
    strptime pass; ``None`` when any value does not fit, and the column takes the general way.

    The layout is learnt from a sample spread over the column; the whole column must then read
    with it, pass the same guards as the common layouts (years 1900–2199, no second 60) and exist
    in the time zone, else nothing of this reading is used. So the result is always the one
    the general reading gives, at a fraction of the cost.
    """
    if texts.len() < _FAST_MIN_ROWS:
        return None
    sample = _strip_blank(texts.gather_every(max(1, texts.len() // _FAST_SAMPLE))).drop_nulls()
    shapes = _shapes(sample).unique()
    if shapes.len() != 1:
        return None
    match = _SHAPE_RE.fullmatch(shapes[0])
    fmt = _strptime_format(match) if match is not None and _shape_ok(match) else None
    if fmt is None or sample.cast(pl.Float64, strict=False).is_not_null().any():
        return None
    naive = texts.str.strptime(pl.Datetime(US), fmt, strict=False, cache=False)
    unread = naive.is_null() & texts.is_not_null()
    if unread.any() and (texts.filter(unread).str.strip_chars().str.len_bytes() > 0).any():
        return None  # some value is not in this layout
    earliest, latest = naive.min(), naive.max()
    if earliest is None or not (_MIN_YEAR <= earliest.year and latest.year <= _MAX_YEAR):
        return None
    if "%S" in fmt and texts.str.contains(":60", literal=True).any():
        return None
    values = _localize(naive, timezone)
    present = naive.is_not_null()
    if values.null_count() != naive.null_count():
        return None  # a wall-clock time the time zone skips: the general reading reports it
    _, formats = _read_texts(sample, timezone)
    return values, formats, present


def _from_read_text(naive: pl.Series, layout: str, timezone: str) -> tuple[pl.Series, list[str], pl.Series]:
    """Naive times read from text in ``layout`` (one to one), as :func:`_from_strings` reads that
    text: its one-layout reading, with the same sample for the formats; the text itself, given
    back, where that reading would not apply (a short column, a time the time zone skips)."""
    sample = naive.gather_every(max(1, naive.len() // _FAST_SAMPLE)).drop_nulls()
    if naive.len() >= _FAST_MIN_ROWS and sample.len():
        values = _localize(naive, timezone)
        if values.null_count() == naive.null_count():
            _, formats = _read_texts(sample.dt.strftime(layout), timezone)
            return values, formats, naive.is_not_null()
    return _from_strings(naive.dt.strftime(layout), timezone)


def _read_texts(s: pl.Series, timezone: str, *, weights: pl.Series | None = None) -> tuple[pl.Series, list[str]]:
    """Values and formats of stripped, non-blank texts (``weights``: rows each text stands for)."""
    frame, shape, uniq = _split_numbers(s)
    # Full-width characters survive in the shapes, so a handful of distinct shapes tells
    # whether the (slower) full-width normalisation is needed at all.
    if uniq.len() and uniq.str.contains(_FULLWIDTH_CLASS).any():
        s = _strip_blank(s.str.replace_many(_FULLWIDTH))
        frame, shape, uniq = _split_numbers(s)
    if weights is not None:
        frame = frame.with_columns(weights.alias("weight"))

    # Classify each distinct shape once.
    uniq = uniq.filter(uniq.str.contains("^[0-9]") & (uniq.str.len_chars() <= _MAX_SHAPE_CHARS))
    shapes: list[str] = []
    matches: list[re.Match[str]] = []
    for sh in uniq.to_list():
        m = _SHAPE_RE.fullmatch(sh)
        if m is not None and _shape_ok(m):
            shapes.append(sh)
            matches.append(m)
    if not matches:
        read = _from_frame(frame, timezone)
        return read.values, _formats(frame, read)

    frame = frame.with_columns(
        sid=shape.replace_strict(shapes, list(range(len(shapes))), default=None, return_dtype=pl.UInt32)
    )
    out = _read_common_layouts(frame, matches, timezone)
    # The general reading takes every row the common layouts did not: other shapes, numbers,
    # and the rows a layout's guards left to it. Rows with neither a shape nor a number stay null.
    rest = out.is_null() & (frame["sid"].is_not_null() | frame["num"].is_not_null())
    read = _Read(out, _nulls(frame.height, pl.Int8).alias("nkind"))
    if rest.any():
        info = pl.DataFrame([_shape_info(m) for m in matches], schema=_INFO_SCHEMA, orient="row", strict=False)
        info = info.select(c for c in info.columns if info[c].null_count() < info.height)  # fields in use
        part = frame.filter(rest)
        part = pl.concat([part, info.select(pl.all().gather(part["sid"]))], how="horizontal")
        general = _from_frame(part, timezone, matches=matches)
        rows = rest.arg_true()
        read = _Read(out.scatter(rows, general.values), read.nkind.scatter(rows, general.nkind),
                     general.day_first, general.first_gt12)
    return read.values, _formats(frame, read, matches)


#: Strptime directives for the fields of a common layout.
_STRPTIME = {"y": "%Y", "cy": "%Y", "m": "%m", "cm": "%m", "d": "%d", "cd": "%d", "h": "%H", "mi": "%M", "sec": "%S"}


def _strptime_format(m: re.Match[str]) -> str | None:
    """The strptime format of a shape in a common layout, else ``None``.

    Common: year, month, day in that order (2025-09-28, 2025/09/28, 2025年09月28日), then
    nothing, or a 24-hour ``HH:MM`` or ``HH:MM:SS`` with nothing around the colons; no AM/PM
    marker, no UTC offset, no 时/分. Every field has its full width: polars reads such formats
    with its own parser, and unpadded ones (2025/9/28 9:05) or fractions of a second through
    chrono, which is slower than the general reading.
    """
    if any(m.group(g) is not None for g in ("a", "ap1", "ap2", "frac", "tz", "mi2", "sec2", "half")):
        return None
    text = m.string
    if m.group("h") is not None:
        if m.group("mi") is None or text[m.end("h"):m.start("mi")] != ":":
            return None
        if m.group("sec") is not None and text[m.end("mi"):m.start("sec")] != ":":
            return None
    spans = [(m.start(g), m.end(g), code) for g, code in _STRPTIME.items() if m.group(g) is not None]
    if any(b - a != (4 if code == "%Y" else 2) for a, b, code in spans):
        return None
    pieces, pos = [], 0
    for a, b, code in sorted(spans):
        pieces += [text[pos:a], code]
        pos = b
    return "".join(pieces) + text[pos:]


def _read_common_layouts(frame: pl.DataFrame, matches: list[re.Match[str]], timezone: str) -> pl.Series:
    """Rows whose shape has a common layout, read by polars' strptime in one pass per layout
    (several times faster than cutting the fields out); null elsewhere.

    The result equals the general reading wherever it is not null: a row's shape fixes where
    its digits are, so the format reads the same fields; strptime refuses impossible dates and
    times just as the general reading does, and what it would accept but the general reading
    does not (years outside 1900–2199; second 60, which it reads as the next minute) is left
    to the general reading.
    """
    layouts: dict[str, list[int]] = {}
    for sid, m in enumerate(matches):
        fmt = _strptime_format(m)
        if fmt is not None:
            layouts.setdefault(fmt, []).append(sid)
    if not layouts:
        return _nulls(frame.height, pl.Datetime(US, timezone))
    text, sid = pl.col("s"), pl.col("sid")
    naive = pl.coalesce([pl.when(sid.is_in(ids)).then(text).str.strptime(pl.Datetime(US), fmt, strict=False, cache=False)
                         for fmt, ids in layouts.items()])
    usable = naive.dt.year().is_between(_MIN_YEAR, _MAX_YEAR)
    if any("%S" in fmt for fmt in layouts):
        usable = usable & ~text.str.contains(":60", literal=True)
    return _localize(frame.select(pl.when(usable).then(naive).alias("values")).to_series(), timezone)


def _shape_ok(m: re.Match[str]) -> bool:
    a1, a2 = m.group("ap1"), m.group("ap2")
    return not (a1 and a2 and _AP_CLASS[a1.upper()] != _AP_CLASS[a2.upper()])


_INFO_SCHEMA = {
    **{f"{f}_o": pl.Int32 for f in _FIELDS},
    **{f"{f}_l": pl.Int32 for f in _FIELDS},
    "mi_c": pl.Int32,  # constant minute (半 = 30)
    "fr_k": pl.Int32,  # multiplier turning the kept fraction digits into µs
    "sign": pl.Int32,  # +1/-1 for an offset, 0 for Z/UTC, null for none
    "ap": pl.Int32,  # AM/PM class
    "xxy": pl.Boolean,  # 28/09/2025: day/month order decided from the data
}

_GROUPS = {
    "y": ("y", "cy", "ay"),
    "p": ("m", "cm", "a"),
    "q": ("d", "cd", "b"),
    "h": ("h",),
    "mi": ("mi", "mi2"),
    "sec": ("sec", "sec2"),
    "fr": ("frac",),
    "oh": ("oh",),
    "om": ("om",),
}


def _span(m: re.Match[str], names: tuple[str, ...]) -> tuple[int, int] | None:
    for n in names:
        if m.group(n) is not None:
            return m.span(n)
    return None


def _shape_info(m: re.Match[str]) -> tuple:
    offsets, lengths = [], []
    for f in _FIELDS:
        sp = _span(m, _GROUPS[f])
        if f == "fr" and sp is not None:
            sp = (sp[0], sp[0] + min(sp[1] - sp[0], 6))  # keep µs, drop finer digits
        offsets.append(None if sp is None else sp[0])
        lengths.append(None if sp is None else sp[1] - sp[0])
    fr_len = lengths[_FIELDS.index("fr")]
    fr_k = None if fr_len is None else 10 ** (6 - fr_len)
    sign = None
    if m.group("tz") is not None:
        sign = {None: 0, "+": 1, "-": -1}[m.group("sign")]
    ap_text = m.group("ap1") or m.group("ap2")
    ap = _AP_NONE if ap_text is None else _AP_CLASS[ap_text.upper()]
    return (*offsets, *lengths, 30 if m.group("half") else None, fr_k, sign, ap, m.group("a") is not None)


# --------------------------------------------------------------------------------------
# The shared engine: components → validated datetimes → time zone
# --------------------------------------------------------------------------------------


@dataclass
class _Read:
    """What reading a column found: the values, the kind of number each row was read as
    (null for text), and the day/month order chosen for 28/09/2025-style dates."""

    values: pl.Series
    nkind: pl.Series
    day_first: bool = True
    first_gt12: bool = False


def _from_frame(frame: pl.DataFrame, timezone: str, *, matches: list[re.Match[str]] | None = None) -> _Read:
    """``frame`` has ``num`` (Float64) and, for text, ``s`` plus the gathered shape info."""
    i32 = pl.Int32
    cols = set(frame.columns)
    zero = pl.lit(0, i32)

    def cut(f: str, default: pl.Expr | None = zero) -> pl.Expr:
        if f"{f}_o" not in cols:
            return pl.lit(None, i32) if default is None else default
        part = pl.col("s").str.slice(pl.col(f"{f}_o"), pl.col(f"{f}_l")).cast(i32, strict=False)
        return part if default is None else part.fill_null(default)

    # 1. Calendar components from text.
    day_first, first_gt12 = True, False
    if matches:
        frame = frame.with_columns(
            y=cut("y", None), p=cut("p", None), q=cut("q", None), h0=cut("h"),
            mi=pl.coalesce(cut("mi", None), pl.col("mi_c") if "mi_c" in cols else None, zero),
            sec=cut("sec"),
            us=(cut("fr", None) * pl.col("fr_k")).fill_null(0) if "fr_k" in cols else zero,
            off=(pl.col("sign") * (cut("oh") * 60 + cut("om"))) if "sign" in cols else pl.lit(None, i32),
            offbad=(cut("oh") > 18) | (cut("om") > 59),
            ap=pl.col("ap").fill_null(_AP_NONE),
        )  # fmt: skip
        xxy = frame["xxy"].fill_null(False)
        first_gt12 = bool((xxy & (frame["p"] > 12)).any())
        second_gt12 = bool((xxy & (frame["q"] > 12)).any())
        day_first = first_gt12 or not second_gt12
        swap = pl.col("xxy").fill_null(False) & day_first
        frame = frame.with_columns(
            mo=pl.when(swap).then(pl.col("q")).otherwise(pl.col("p")),
            d=pl.when(swap).then(pl.col("p")).otherwise(pl.col("q")),
        )
    else:
        frame = frame.with_columns(
            y=pl.lit(None, i32), mo=pl.lit(None, i32), d=pl.lit(None, i32), h0=zero, mi=zero, sec=zero,
            us=zero, off=pl.lit(None, i32), offbad=pl.lit(False), ap=pl.lit(_AP_NONE, i32),
        )  # fmt: skip

    # 2. Numbers: kind, and compact 20250928[090511] as calendar components.
    v = pl.col("num")
    has_num = frame["num"].null_count() < frame.height
    if has_num:
        is_int = v == v.floor()
        kind = (
            pl.when(v.is_between(1, _EXCEL_MAX, closed="left")).then(_NUM_EXCEL)
            .when(v.is_between(1e9, 1e10, closed="left")).then(_NUM_EPOCH_S)
            .when(v.is_between(1e12, 1e13, closed="left")).then(_NUM_EPOCH_MS)
            .when(is_int & v.is_between(_MIN_YEAR * 10**4, _MAX_YEAR * 10**4 + 1231)).then(_NUM_COMPACT8)
            .when(is_int & v.is_between(_MIN_YEAR * 10**10, _MAX_YEAR * 10**10 + 1231235959)).then(_NUM_COMPACT14)
        )  # fmt: skip
        frame = frame.with_columns(nkind=kind.cast(pl.Int8))
        nk, iv = pl.col("nkind"), v.cast(pl.Int64, strict=False)
        c8, c14 = nk == _NUM_COMPACT8, nk == _NUM_COMPACT14
        if frame.select((c8 | c14).any()).item():
            def compact(e8: int | pl.Expr, e14: pl.Expr, name: str) -> pl.Expr:
                return pl.when(c8).then(e8).when(c14).then(e14).otherwise(pl.col(name)).cast(i32).alias(name)

            frame = frame.with_columns(
                compact(iv // 10_000, iv // 10**10, "y"),
                compact(iv // 100 % 100, iv // 10**8 % 100, "mo"),
                compact(iv % 100, iv // 10**6 % 100, "d"),
                compact(0, iv // 10**4 % 100, "h0"),
                compact(0, iv // 100 % 100, "mi"),
                compact(0, iv % 100, "sec"),
                compact(_AP_NONE, pl.lit(_AP_NONE), "ap"),
            )
    else:
        frame = frame.with_columns(nkind=pl.lit(None, pl.Int8))
    nk = pl.col("nkind")

    # 3. AM/PM → 24-hour clock; null = an hour that marker cannot have.
    h, ap = pl.col("h0"), pl.col("ap")
    uses_ap = bool(matches) and any((m.group("ap1") or m.group("ap2")) for m in matches)
    hour = h if not uses_ap else (
        pl.when(ap == _AP_NONE).then(h)
        .when(ap == _AP_AM).then(pl.when(h == 12).then(0).when(h < 12).then(h))
        .when(ap == _AP_PM).then(pl.when(h.is_between(1, 11)).then(h + 12).when(h.is_between(12, 23)).then(h))
        .when(ap == _AP_NOON).then(pl.when(h.is_between(1, 5)).then(h + 12).when(h.is_between(10, 15)).then(h))
        .when(ap == _AP_NIGHT).then(
            pl.when(h.is_between(1, 11)).then(h + 12).when(h == 12).then(0).when(h.is_between(13, 23)).then(h)
        )
    )  # fmt: skip
    next_day = ((ap == _AP_NIGHT) & (h == 12)).fill_null(False) if uses_ap else pl.lit(False)
    # (晚上12点 = midnight at the end of that day)

    # 4. Explicit calendar check, then construction (pl.datetime raises on impossible dates).
    frame = frame.with_columns(hour=hour, next_day=next_day)
    y, mo, d = pl.col("y"), pl.col("mo"), pl.col("d")
    leap = ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).cast(i32)
    month_len = pl.when(mo == 2).then(28 + leap).when(mo.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    ok = (
        y.is_between(_MIN_YEAR, _MAX_YEAR) & mo.is_between(1, 12) & d.is_between(1, month_len)
        & pl.col("hour").is_between(0, 23) & pl.col("mi").is_between(0, 59)
        & pl.col("sec").is_between(0, 59) & ~pl.col("offbad")
    ).fill_null(False)  # fmt: skip
    parts = [pl.when(ok).then(pl.col(c)) for c in ("y", "mo", "d", "hour", "mi", "sec", "us")]
    from_parts = pl.datetime(*parts, time_unit=US) + pl.duration(days=pl.col("next_day").cast(i32))
    naive = from_parts
    if has_num:
        num_us = (
            pl.when(nk == _NUM_EXCEL).then((v * 86_400_000).round().cast(pl.Int64) * 1000 + _EXCEL_EPOCH_US)
            .when(nk == _NUM_EPOCH_S).then((v * 1e6).round().cast(pl.Int64))
            .when(nk == _NUM_EPOCH_MS).then((v * 1e3).round().cast(pl.Int64))
        )  # fmt: skip
        naive = pl.coalesce(from_parts, num_us.cast(pl.Datetime(US)))
        frame = frame.with_columns(off=pl.when(nk.is_in([_NUM_EPOCH_S, _NUM_EPOCH_MS])).then(0).otherwise("off"))
    frame = frame.with_columns(naive=naive)

    # 5. Time zone: no offset → local wall time; offset / epoch → instant converted.
    naive, off = pl.col("naive"), pl.col("off")
    result = naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    if frame["off"].is_not_null().any():
        utc = (naive - pl.duration(minutes=off)).dt.replace_time_zone("UTC").dt.convert_time_zone(timezone)
        result = pl.when(off.is_not_null()).then(utc).otherwise(result)
    out = frame.select(result.cast(pl.Datetime(US, timezone))).to_series()

    return _Read(out, frame["nkind"], day_first, first_gt12)


# --------------------------------------------------------------------------------------
# Format names
# --------------------------------------------------------------------------------------


def _formats(frame: pl.DataFrame, read: _Read, matches: list[re.Match[str]] | None = None) -> list[str]:
    """Names of the formats with at least one value read, most frequent first.

    ``frame`` has, for text, ``sid`` per value, and ``weight`` (rows per value) when the values
    are a column's distinct texts.
    """
    day_first, first_gt12 = read.day_first, read.first_gt12
    kinds, good = frame.with_columns(read.nkind), read.values.is_not_null()
    tallies: list[tuple[int, int, str]] = []  # (rows, order of first appearance, name)

    for kind, count in _tally(kinds, "nkind", good):
        tallies.append((count, 1_000_000 + kind, _NUM_NAMES[kind]))

    if matches:
        # Shapes differing only in zero padding (2025/9/28 9:05 vs 2025/10/28 10:05) are one
        # format. A 2-digit field proves nothing (10, 11, 12 …); a 1-digit one shows the column
        # is unpadded, so that is how the format is named.
        groups: dict[str, list] = {}  # key → [rows, first sid, unpadded fields, sid shown]
        for sid, count in _tally(kinds, "sid", good):
            m = matches[sid]
            key = _render(m, day_first, unpadded=_PAD_FIELDS)
            g = groups.setdefault(key, [0, sid, set(), sid])
            g[0] += count
            g[2] |= {f for f in _PAD_FIELDS if _width(m, _pad_groups(m, f, day_first)) == 1}
        for count, first, unpadded, sid in groups.values():
            m = matches[sid]
            if (m.group("ap1") or m.group("ap2")) is not None:
                unpadded = unpadded | {"hour"}  # 12-hour clocks: 下午2:30
            name = _render(m, day_first, unpadded=frozenset(unpadded))
            if m.group("a") is not None:
                if not day_first:
                    name += " (month/day/year)"
                elif first_gt12:
                    name += " (day/month/year)"
                else:
                    name += " (day/month/year assumed: no value shows which comes first)"
            tallies.append((count, first, name))

    tallies.sort(key=lambda t: (-t[0], t[1]))
    return [name for _, _, name in tallies]


def _tally(kinds: pl.DataFrame, column: str, good: pl.Series) -> list[tuple[int, int]]:
    """(value, rows) for each value of ``column`` among the rows read, by value."""
    rows = pl.col("weight").sum() if "weight" in kinds.columns else pl.len()
    read = kinds.filter(good & pl.col(column).is_not_null())
    return read.group_by(column).agg(rows.alias("rows")).sort(column).rows()


_PAD_FIELDS = frozenset({"month", "day", "hour", "minute"})


def _pad_groups(m: re.Match[str], field: str, day_first: bool) -> tuple[str, ...]:
    if field == "month":
        return (_month_day_groups(m, day_first)[0],)
    if field == "day":
        return (_month_day_groups(m, day_first)[1],)
    if field == "hour":
        return ("h",)
    return ("mi", "mi2", "sec", "sec2")


def _width(m: re.Match[str], names: tuple[str, ...]) -> int | None:
    widths = [m.end(n) - m.start(n) for n in names if m.group(n) is not None]
    return min(widths) if widths else None


def _month_day_groups(m: re.Match[str], day_first: bool) -> tuple[str, str]:
    if m.group("a") is not None:
        return ("b", "a") if day_first else ("a", "b")
    if m.group("m") is not None:
        return "m", "d"
    return "cm", "cd"


def _render(m: re.Match[str], day_first: bool, *, unpadded: frozenset[str]) -> str:
    """The shape written out with the example 2025-09-28 09:05:11.123456789 (12-hour clocks
    show 下午2:05 / 2:05 PM; offsets +08:00 or -05:00)."""
    ap_text = m.group("ap1") or m.group("ap2")
    hour = _AP_EXAMPLE_HOUR[_AP_NONE if ap_text is None else _AP_CLASS[ap_text.upper()]]
    month_g, day_g = _month_day_groups(m, day_first)

    def num(value: int, field: str) -> str:
        return str(value) if field in unpadded else f"{value:02d}"

    repl = {"y": "2025", "cy": "2025", "ay": "2025", month_g: num(9, "month"), day_g: num(28, "day"),
            "h": num(hour, "hour"), "mi": num(5, "minute"), "mi2": num(5, "minute"),
            "sec": num(11, "minute"), "sec2": num(11, "minute"),
            "oh": "08" if m.group("sign") == "+" else "05", "om": "00"}  # fmt: skip
    spans = [(*m.span(g), txt) for g, txt in repl.items() if m.group(g) is not None]
    if m.group("frac") is not None:
        a, b = m.span("frac")
        spans.append((a, b, "123456789"[: b - a]))
    pieces, pos = [], 0
    for a, b, txt in sorted(spans):
        pieces += [m.string[pos:a], txt]
        pos = b
    return "".join(pieces) + m.string[pos:]
