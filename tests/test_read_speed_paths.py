"""The fast paths of reading (issue 11) give exactly what the careful paths give.

Each fast path is checked against the path it stands in for, on small files whose expected
values were worked out by hand: GBK re-encoded block by block, polars' CSV reader against the
careful reader, strptime and distinct-value reading against the general time parser, duplicates
found by hash, number columns typed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

import procmine
from procmine.errors import LogFileError
from procmine.read import _later_copies, _numbers_as_numbers
from procmine.read import files, timestamps
from procmine.read.files import ROW, open_table, to_utf8
from procmine.read.timestamps import parse_timestamps

SH = ZoneInfo("Asia/Shanghai")


def balanced(quality) -> bool:
    return quality.rows_read == quality.events + quality.dropped + quality.merged


# --- 1. GBK / GB18030 re-encoded block by block ----------------------------------------------

# 㐀 and 𠀀 take four bytes in GB18030, 合 and € two: blocks of 1, 3, 5 and 7 bytes cut through both
GBK_LOG = ("单据编号,审批节点,处理人,处理时间\n"
           "HT-1,发起申请,张㐀,2025-03-05 09:00\n"
           "HT-1,部门经理审批,李𠀀,2025-03-05 10:00\n"
           "HT-2,发起申请,王€合,2025-03-06 09:00\n")


@pytest.mark.parametrize("block", [1, 3, 5, 7, 1 << 24])
def test_gb18030_blocks_cut_inside_a_character(monkeypatch, block):
    data = GBK_LOG.encode("gb18030")
    assert len("㐀".encode("gb18030")) == 4 and len("合".encode("gb18030")) == 2
    monkeypatch.setattr(files, "TRANSCODE_BLOCK", block)
    assert to_utf8(data, Path("log.csv")) == (GBK_LOG.encode("utf-8"), "gb18030")  # detected
    assert to_utf8(data, Path("log.csv"), "gb18030") == (GBK_LOG.encode("utf-8"), "gb18030")  # given


def test_gbk_log_read_in_small_blocks_is_the_same_log(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_bytes(GBK_LOG.encode("gb18030"))
    whole = procmine.read_log(path)
    monkeypatch.setattr(files, "TRANSCODE_BLOCK", 5)
    blocks = procmine.read_log(path)
    assert blocks.events.equals(whole.events)
    assert blocks.events["resource"].to_list() == ["张㐀", "李𠀀", "王€合"]
    assert blocks.source.encoding == "gb18030"


def test_a_bad_byte_after_the_first_block_names_its_line(monkeypatch):
    # line 5 holds 0xFF, which starts no GB18030 character, in the fifth block of 32 bytes
    data = GBK_LOG.encode("gb18030") + b"HT-3,\xff\xff,x,2025-03-07 09:00\n"
    assert 128 <= data.index(b"\xff") < 160
    monkeypatch.setattr(files, "TRANSCODE_BLOCK", 32)
    with pytest.raises(LogFileError, match=r"cannot be decoded as gb18030 at line 5 \(bytes b'\\xff\\xff,x'\)"):
        to_utf8(data, Path("log.csv"), "gb18030")
    with pytest.raises(UnicodeDecodeError) as whole:
        data.decode("gb18030")
    # wherever the blocks end (some inside a character), the error is placed where whole decoding puts it
    for block in range(1, 40):
        monkeypatch.setattr(files, "TRANSCODE_BLOCK", block)
        with pytest.raises(UnicodeDecodeError) as blocks:
            files._transcode(data, "gb18030")
        assert (blocks.value.start, blocks.value.end) == (whole.value.start, whole.value.end), block


@pytest.mark.parametrize("data", [
    "合同审批 ok".encode(),
    b"\xed\xa0\x80",              # an encoded surrogate: not UTF-8
    b"\xc0\xaf",                  # an overlong slash
    "合".encode()[:2],            # cut short
    "𠀀".encode() + b"\x80",
    b"",
])
def test_utf8_check_agrees_with_python(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        assert files._first_bad_utf8(data) == exc.start
    else:
        assert files._first_bad_utf8(data) is None


# UTF-8 is checked on the file's head only; polars checks the rest. A file that turns out not to
# be UTF-8 further down is read as if the whole file had been checked first.
LATER_GBK = ("case,activity,resource,time\n" + "HT-0,submit,zhang,2025-03-04 09:00\n" * 4
             + "HT-1,发起申请,张三,2025-03-05 09:00\n")


def test_a_file_that_is_gbk_only_past_the_checked_head_is_read_as_gbk(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    data = LATER_GBK.encode("gb18030")  # ASCII up to line 6
    path.write_bytes(data)
    assert data.index("发".encode("gb18030")) > 64
    monkeypatch.setattr(files, "UTF8_HEAD", 64)
    table = open_table(path)
    assert table.source.encoding == "gb18030"
    assert table.frame["activity"].to_list() == ["submit"] * 4 + ["发起申请"]
    assert table.frame[ROW].to_list() == [2, 3, 4, 5, 6]


def test_latin1_past_the_checked_head_names_its_line(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_bytes(b"case,activity,time\n" + b"A,submit,2025-03-04 09:00\n" * 5 + b"B,Godkend \xe6ndring,2025-03-05\n")
    monkeypatch.setattr(files, "UTF8_HEAD", 32)
    with pytest.raises(LogFileError, match=r"not UTF-8 \(first bad byte at line 7: b'\\xe6ndr'\)"):
        open_table(path)
    monkeypatch.setattr(files, "UTF8_HEAD", 1 << 20)  # the head holds it: the same message
    with pytest.raises(LogFileError, match=r"not UTF-8 \(first bad byte at line 7: b'\\xe6ndr'\)"):
        open_table(path)


def test_a_character_cut_by_the_checked_head_is_no_error(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    text = "case,activity,time\nA,发起申请,2025-03-04 09:00\n"
    path.write_bytes(text.encode("utf-8"))
    cut = text.encode("utf-8").index("起".encode("utf-8")) + 1  # inside 起
    monkeypatch.setattr(files, "UTF8_HEAD", cut)
    assert files.to_utf8(text.encode("utf-8")[:cut + 20], path, whole=False)[1] == "utf-8"
    table = open_table(path)
    assert table.source.encoding == "utf-8" and table.frame["activity"].to_list() == ["发起申请"]


def _reading_source(monkeypatch) -> list:
    """Record what polars' CSV reader is handed (a path, or a copy of the bytes)."""
    handed = []
    read_csv = files.pl.read_csv

    def spy(source, *args, **kwargs):
        handed.append(source)
        return read_csv(source, *args, **kwargs)

    monkeypatch.setattr(files.pl, "read_csv", spy)
    return handed


def test_a_utf8_file_with_a_bom_is_read_from_its_path_without_the_bom(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "单据编号,审批节点\nHT-1,发起申请\nHT-2,审批\n".encode("utf-8"))
    handed = _reading_source(monkeypatch)
    table = open_table(path)
    assert handed == [path]  # not a copy of the file without its first three bytes
    assert table.source.encoding == "utf-8-sig"
    assert table.frame.columns == [ROW, "单据编号", "审批节点"]  # no U+FEFF in the first header
    assert table.frame[ROW].to_list() == [2, 3]


@pytest.mark.parametrize("text, rows, delimiter", [
    ("sep=;\ncase;act\nA;x\n", [3], ";"),          # Excel's delimiter hint after the BOM
    ("\n\ncase,act\nA,x\nB,y\n", [4, 5], ","),    # blank lines before the header
    ("case,act\rA,x\rB,y\r", [2, 3], ","),          # CR-only line ends
])
def test_a_bom_before_awkward_starts_numbers_rows_as_without_it(tmp_path, text, rows, delimiter):
    with_bom, without = tmp_path / "bom.csv", tmp_path / "plain.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    without.write_bytes(text.encode())
    a, b = open_table(with_bom), open_table(without)
    assert a.frame.equals(b.frame) and a.frame[ROW].to_list() == rows
    assert a.source.delimiter == delimiter and a.source.encoding == "utf-8-sig"


def test_a_bom_before_bytes_that_are_not_utf8_says_so_without_blaming_an_option(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"\xef\xbb\xbfcase,act,time\nA,x,2025-01-01 09:00\nB,\xba\xcf\xcd\xac,2025-01-01 10:00\n")
    with pytest.raises(LogFileError, match=r"starts with a UTF-8 byte-order mark but is not UTF-8 at line 3 "
                                           r"\(bytes b'\\xba\\xcf\\xcd\\xac'\)\. Save it again as UTF-8") as caught:
        open_table(path)
    assert "Leave --encoding out" not in str(caught.value)


def test_only_unicode_spaces_is_no_content(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes("\u3000\n \u3000\r\n".encode("utf-8"))
    with pytest.raises(LogFileError, match="no content"):
        procmine.read_log(path)


def test_the_head_of_a_text_is_cut_by_characters():
    text = "单据编号;审批节点\n" + "HT-1;发起申请𠀀\n" * 9000
    payload = text.encode("utf-8")
    for chars in (1, 3, 10, 11, 12, files.SNIFF_CHARS + 1, len(text), len(text) + 5):
        assert files.text_head(payload, chars) == text[:chars], chars
    # the sniffer sees what it saw when it was given the whole text
    assert files.sniff_delimiter(files.text_head(payload, files.SNIFF_CHARS + 1)) == files.sniff_delimiter(text) == ";"


# --- 2. polars' CSV reader and the careful reader agree --------------------------------------

AWKWARD = ("\ufeff单据编号,审批节点,处理人,处理时间,审批意见,\n"    # BOM, trailing delimiter
           "A1,发起申请,张三,2025-03-05 09:00,提交,\n"              # 2
           "\n"                                                     # 3 blank
           'A1,部门经理审批,李四,2025-03-05 10:00,"同意\n请尽快",\n'  # 4-5
           "   ,,,,,\n"                                             # 6 blank
           "A1,财务审核,NULL,2025-03-05 11:00,N/A,\n"               # 7
           "A2,发起申请,王五,2025-03-06 09:00,提交,\n")              # 8


@pytest.mark.parametrize("bom", [True, False])  # without a BOM polars reads the file from its path
def test_fast_and_careful_csv_readings_are_the_same(tmp_path, monkeypatch, bom):
    path = tmp_path / "awkward.csv"
    path.write_bytes(AWKWARD.encode("utf-8")[0 if bom else 3:])
    fast = open_table(path)

    def refuse(*args, **kwargs):
        raise pl.exceptions.ComputeError("forced careful reading")

    monkeypatch.setattr(files.pl, "read_csv", refuse)
    careful = open_table(path)
    assert fast.frame.equals(careful.frame)
    assert fast.frame[ROW].to_list() == [2, 4, 7, 8]
    assert fast.frame["审批意见"].to_list() == ["提交", "同意\n请尽快", None, "提交"]
    assert [(f.code, f.rows, f.examples) for f in fast.findings] == \
        [(f.code, f.rows, f.examples) for f in careful.findings] == [("blank_row", 2, [(3, ""), (6, "")])]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 26])
def test_line_breaks_of_a_mapped_file_are_counted_across_blocks(tmp_path, block):
    import mmap

    path = tmp_path / "lines.csv"
    path.write_bytes(AWKWARD.encode("utf-8"))
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert files._count_breaks(mapped, block) == AWKWARD.count("\n") == 8


# --- 3. times: strptime and distinct values against the general parser -----------------------

MIXED_TIMES = [
    "2025-09-28 09:05:11",   # common layout, read by strptime
    "2025/09/28 09:05",      # common layout
    "2025年09月28日 14:30",   # common layout
    "2025/9/28 9:05",        # unpadded: general parser
    "2025-09-28 09:05:60",   # strptime would say 09:06; the general parser refuses second 60
    "0205-09-28 09:05:00",   # a year typo strptime would accept
    "2025-02-29 10:00",      # no such day
    "2025-09-28 24:00",
    "2025年9月28日 下午2:30",
    "45928.5",               # an Excel serial date
    "28/09/2025 09:05",
    "待定",
    None,
    "2025-09-28 09:05:11",   # repeated: the distinct-value reading counts it twice
]
MIXED_EXPECTED = [
    datetime(2025, 9, 28, 9, 5, 11, tzinfo=SH), datetime(2025, 9, 28, 9, 5, tzinfo=SH),
    datetime(2025, 9, 28, 14, 30, tzinfo=SH), datetime(2025, 9, 28, 9, 5, tzinfo=SH),
    None, None, None, None,
    datetime(2025, 9, 28, 14, 30, tzinfo=SH), datetime(2025, 9, 28, 12, 0, tzinfo=SH),
    datetime(2025, 9, 28, 9, 5, tzinfo=SH), None, None,
    datetime(2025, 9, 28, 9, 5, 11, tzinfo=SH),
]

# most rows first, then first appearance (numbers after text): 2025/09/28 09:05 and 2025/9/28 9:05
# differ only in padding, so they are one format, named unpadded
FORMATS = ["2025-09-28 09:05:11", "2025/9/28 9:05", "2025年09月28日 09:05", "2025年9月28日 下午2:05",
           "28/09/2025 09:05 (day/month/year)", "Excel serial date"]


def _general_only(monkeypatch):
    monkeypatch.setattr(timestamps, "_strptime_format", lambda m: None)
    monkeypatch.setattr(timestamps, "_DISTINCT_SHARE", -1.0)


@pytest.mark.parametrize("repeat", [1, 5])  # 5 copies: read as distinct values
def test_fast_times_equal_the_general_parser_on_a_mixed_column(monkeypatch, repeat):
    column = pl.Series("t", MIXED_TIMES * repeat)
    fast = parse_timestamps(column)
    assert fast.values.to_list() == MIXED_EXPECTED * repeat
    unread = [text is not None and value is None for text, value in zip(MIXED_TIMES, MIXED_EXPECTED)]
    assert fast.failed.to_list() == unread * repeat and sum(unread) == 5
    _general_only(monkeypatch)
    general = parse_timestamps(column)
    assert fast.values.equals(general.values)
    assert fast.failed.equals(general.failed)
    assert fast.formats == general.formats == FORMATS


def test_strptime_layouts_are_the_padded_year_first_ones():
    def layout(text: str) -> str | None:
        shape = text.translate(str.maketrans("0123456789", "9999999999"))
        return timestamps._strptime_format(timestamps._SHAPE_RE.fullmatch(shape))

    assert layout("2025-09-28 09:05:11") == "%Y-%m-%d %H:%M:%S"
    assert layout("2025/09/28T09:05") == "%Y/%m/%dT%H:%M"
    assert layout("2025年09月28日 09:05") == "%Y年%m月%d日 %H:%M"
    assert layout("2025.09.28") == "%Y.%m.%d"
    for general in ("2025/9/28 9:05", "2025-09-28 09:05:11.5", "28/09/2025 09:05", "2025-09-28T09:05:00Z",
                    "2025-09-28 09 : 05", "2025年09月28日 下午02:30", "2025年09月28日 14时30分"):
        assert layout(general) is None, general


def test_time_zone_gaps_are_the_same_on_both_paths(monkeypatch):
    # 02:30 on 30 March does not exist in Berlin; on 26 October it happens twice (earlier taken)
    column = pl.Series("t", ["2025-03-30 02:30:00", "2025-10-26 02:30:00", "2025-03-30 02:30:00"])
    fast = parse_timestamps(column, timezone="Europe/Berlin")
    assert fast.failed.to_list() == [True, False, True]
    _general_only(monkeypatch)
    general = parse_timestamps(column, timezone="Europe/Berlin")
    assert fast.values.equals(general.values) and fast.failed.equals(general.failed)


# --- 4. duplicates found by hash ----------------------------------------------------------------

def test_exact_duplicates_are_found_by_hash(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("单据编号,审批节点,处理时间,审批意见\n"
                    "A1,发起申请,2025-03-05 09:00,提交\n"      # 2
                    "A1,审批,2025-03-05 10:00,同意\n"          # 3
                    "A1,审批,2025-03-05 10:00,同意\n"          # 4: a copy of row 3
                    "A1,审批,2025-03-05 10:00,同意。\n"        # 5: differs in the comment only
                    "A1,审批,2025-03-05 10:00,同意\n",         # 6: another copy of row 3
                    encoding="utf-8")
    log = procmine.read_log(path)
    found = [f for f in log.quality.findings if f.code == "duplicate_row"]
    assert [(f.rows, f.examples) for f in found] == [(2, [(4, "审批"), (6, "审批")])]
    assert log.events["row"].to_list() == [2, 3, 5] and balanced(log.quality)


def test_a_hash_collision_does_not_make_different_rows_duplicates(monkeypatch):
    frame = pl.DataFrame({"a": ["x", "y", "x", "z", "y"], "b": [1, 2, 1, 3, 2]})
    assert _later_copies(frame, ["a", "b"]).to_list() == [False, False, True, False, True]
    # every row hashing alike: the rows are compared in full and the answer does not change
    monkeypatch.setattr(pl.DataFrame, "hash_rows", lambda self, *a, **k: pl.Series([7] * self.height, dtype=pl.UInt64))
    assert _later_copies(frame, ["a", "b"]).to_list() == [False, False, True, False, True]
    assert _later_copies(frame, ["a"]).to_list() == [False, False, True, False, True]
    assert _later_copies(frame.head(0), ["a"]).to_list() == []


# --- 5. attribute columns of numbers are numbers ------------------------------------------------

def test_number_attributes_are_typed_and_codes_stay_text(tmp_path):
    path = tmp_path / "amounts.csv"
    path.write_text("单据编号,审批节点,处理时间,合同金额(元),份数,工号,订单号,备注,指数\n"
                    "1001,发起申请,2025-03-05 09:00,72500.00,2,007,12345678901234567890,三份,1e5\n"
                    "1001,审批,2025-03-05 10:00, 8000 ,12,012,12345678901234567891,,2e5\n"
                    "1002,发起申请,2025-03-06 09:00,,-1,100,12345678901234567892,5,3e5\n",
                    encoding="utf-8")
    events = procmine.read_log(path).events
    assert events["case"].to_list() == ["1001", "1001", "1002"]  # a mapped column stays text
    assert events.schema["合同金额(元)"] == pl.Float64
    assert events["合同金额(元)"].to_list() == [72500.0, 8000.0, None]
    assert events.schema["份数"] == pl.Int64 and events["份数"].to_list() == [2, 12, -1]
    # leading zeros, 20-digit numbers, words and exponents are not amounts
    for text in ("工号", "订单号", "备注", "指数"):
        assert events.schema[text] == pl.String, text
    assert events["工号"].to_list() == ["007", "012", "100"]
    amounts = events.filter(pl.col("合同金额(元)") > 10000)
    assert amounts["row"].to_list() == [2]


def test_a_number_column_with_text_after_the_sample_stays_text(monkeypatch):
    monkeypatch.setattr(procmine.read, "_NUMBER_SAMPLE", 2)
    frame = pl.DataFrame({"n": ["1", "2", "3", "三"], "m": ["1", " ", None, "4"]})
    typed = _numbers_as_numbers(frame, ["n", "m"])
    assert typed.schema["n"] == pl.String
    assert typed["m"].to_list() == [1, None, None, 4]


# --- 6. Parquet and Arrow IPC, scanned lazily ----------------------------------------------------

@pytest.mark.parametrize("suffix", [".parquet", ".arrow", ".feather"])
def test_columnar_files(tmp_path, suffix):
    frame = pl.DataFrame({
        "case_id": ["a", "a", "b"], "activity": ["x", "y", "x"],
        "timestamp": [datetime(2025, 1, 2, 9), datetime(2025, 1, 2, 10), datetime(2025, 1, 3, 9)],
        "amount": [1.5, 1.5, 7.0], "code": pl.Series(["A", "A", "B"], dtype=pl.Categorical),
    })
    path = tmp_path / f"log{suffix}"
    frame.write_parquet(path) if suffix == ".parquet" else frame.write_ipc(path)
    raw = open_table(path)
    assert raw.frame.columns == [ROW, "case_id", "activity", "timestamp", "amount", "code"]
    assert raw.frame[ROW].to_list() == [1, 2, 3]
    assert raw.frame.schema["code"] == pl.String and raw.frame.schema["amount"] == pl.Float64
    log = procmine.read_log(path)
    assert log.events["timestamp"].to_list()[0] == datetime(2025, 1, 2, 9, tzinfo=SH)
    assert log.source.format == ("parquet" if suffix == ".parquet" else "arrow")


def test_a_parquet_file_in_many_row_groups_is_read_into_one_chunk_a_column(tmp_path):
    # polars copies a whole frame into one chunk at each query that meets columns chunked
    # differently: read once, each column in one chunk, with the same values and row numbers
    n = 5000
    frame = pl.DataFrame({"case_id": [f"c{i // 5}" for i in range(n)], "activity": [f"a{i % 5}" for i in range(n)],
                          "timestamp": [datetime(2025, 1, 1 + i // 1440, i // 60 % 24, i % 60) for i in range(n)]})
    path = tmp_path / "log.parquet"
    frame.write_parquet(path, row_group_size=100)
    assert pl.scan_parquet(path).with_row_index("r").collect()["case_id"].n_chunks() > 1  # (what polars gives)
    raw = open_table(path)
    assert {raw.frame[c].n_chunks() for c in raw.frame.columns} == {1}
    assert raw.frame[ROW].to_list() == list(range(1, n + 1))
    assert raw.frame.drop(ROW).equals(frame)


def test_damaged_arrow_file(tmp_path):
    path = tmp_path / "log.arrow"
    path.write_bytes(b"ARROW1\x00\x00 not really")
    with pytest.raises(LogFileError, match=r"cannot be read as Arrow IPC \(Feather\)"):
        procmine.read_log(path)



# --- one common layout, learnt from a sample ---------------------------------------------------

def _both_ways(texts: pl.Series, zone: str = "Asia/Shanghai"):
    from procmine.read import timestamps

    fast = timestamps._from_strings(texts, zone)
    saved = timestamps._FAST_MIN_ROWS
    timestamps._FAST_MIN_ROWS = 10**12  # the general reading only
    try:
        general = timestamps._from_strings(texts, zone)
    finally:
        timestamps._FAST_MIN_ROWS = saved
    return fast, general


@pytest.mark.parametrize("odd", [None, "2025/03/01 09:00:00", "  ", "2025-03-30 02:30:00", "2025-02-30 09:00:00",
                                 "1850-01-01 00:00:00", "2025-03-01 09:00:60", " 2025-03-01 09:00:00"])
def test_one_layout_reads_as_the_general_way(odd):
    # a large column in one layout, with one odd value somewhere in the middle (another layout,
    # a blank, a time Berlin skips, an impossible date, a year out of range, second 60, a space)
    base = pl.datetime_range(datetime(2025, 1, 1), datetime(2025, 12, 31), "7m", eager=True)
    texts = base.dt.strftime("%Y-%m-%d %H:%M:%S").head(60_000)
    if odd is not None:
        texts = texts.scatter(31_337, odd)
    for zone in ("Asia/Shanghai", "Europe/Berlin"):
        (values, formats, present), (g_values, g_formats, g_present) = _both_ways(texts, zone)
        assert values.equals(g_values) and present.equals(g_present) and formats == g_formats


def test_one_layout_is_taken_when_every_value_fits_and_not_otherwise():
    from procmine.read.timestamps import _one_common_layout

    texts = pl.datetime_range(datetime(2025, 1, 1), datetime(2025, 12, 31), "7m", eager=True).dt.strftime(
        "%Y-%m-%d %H:%M:%S").head(60_000)
    assert _one_common_layout(texts, "Asia/Shanghai") is not None
    assert _one_common_layout(texts.scatter(5, "2025年3月1日"), "Asia/Shanghai") is None
    assert _one_common_layout(texts.head(1000), "Asia/Shanghai") is None  # small columns: the general way


# --- 7. times read while the CSV is read (procmine.read.iso_times) ------------------------------

from procmine.read import iso_times  # noqa: E402

ISO_LOG = ("单据编号,审批节点,到达时间,处理时间,提交时间\n"
           "A1,发起申请,2025-03-03 09:00:00,2025-03-03 09:00:00,2025-03-01 08:00:00\n"   # 2
           "A1,部门经理审批,2025-03-03 09:00:00,2025-03-04 10:30:00,2025-03-01 08:00:00\n"  # 3
           "A1,财务审批,2025-03-05 09:00:00,2025-03-04 17:00:00,2025-03-01 08:00:00\n"   # 4: completes before it arrives
           "A2,发起申请,1986-05-04 01:00:00,1986-05-04 02:30:00,2025-03-01 08:00:00\n"   # 5: a time Shanghai skipped
           "A3,发起申请,1950-03-04 09:00:00,1950-03-04 10:00:00,\n"                      # 6: an implausible year
           "A3,部门经理审批,1950-03-04 10:00:00,,2025-03-01 08:00:00\n"                   # 7: still open
           "A3,发起申请,1950-03-04 09:00:00,1950-03-04 10:00:00,\n")                     # 8: a copy of row 6


def _read_both(path, monkeypatch, fast_rows: int):
    """The log read with its times read as times by polars, and read as text (as before)."""
    monkeypatch.setattr(files, "MIN_BYTES", 0)
    monkeypatch.setattr(timestamps, "_FAST_MIN_ROWS", fast_rows)
    raw = open_table(path, parse_times=True)
    fast = procmine.read_log(path)
    monkeypatch.setattr(files, "MIN_BYTES", 10**15)
    text = procmine.read_log(path)
    return raw, fast, text


@pytest.mark.parametrize("fast_rows", [1, 10**9])  # the one-layout reading of parse_timestamps, or the text given back
def test_times_read_with_the_csv_give_the_log_read_from_text(tmp_path, monkeypatch, fast_rows):
    path = tmp_path / "iso.csv"
    path.write_text(ISO_LOG, encoding="utf-8")
    raw, fast, text = _read_both(path, monkeypatch, fast_rows)
    assert raw.times == ("到达时间", "处理时间", "提交时间")  # read as times, not as text
    assert raw.frame.schema["处理时间"] == pl.Datetime("us")
    assert fast.events.equals(text.events)
    assert fast.quality.findings == text.quality.findings and fast.source.notes == text.source.notes
    found = {f.code: f for f in fast.quality.findings}
    # worked out by hand from the rows above; the examples are the file's text, not a time's repr
    assert found["completion_before_arrival"].examples == [(4, "2025-03-05 09:00:00")]
    assert found["unparseable_timestamp"].examples == [(5, "1986-05-04 02:30:00")]
    assert found["implausible_year"].examples == [(6, "1950-03-04 10:00:00"), (8, "1950-03-04 10:00:00")]  # (before duplicates)
    assert found["duplicate_row"].rows == 1 and found["step_not_completed"].rows == 1
    assert fast.events["提交时间"].dtype == pl.String  # an attribute stays the text it was
    assert fast.events["提交时间"].to_list() == ["2025-03-01 08:00:00", "2025-03-01 08:00:00", "2025-03-01 08:00:00",
                                               None]
    assert balanced(fast.quality) and fast.quality.rows_read == 7


@pytest.mark.parametrize("odd", ["2025-3-04 10:30:00", "2025-03-04 10:30:60", "2025-02-30 10:30:00",
                                 "1850-03-04 10:30:00", " 2025-03-04 10:30:00", "2025-03-04T10:30:00"])
def test_one_value_out_of_the_layout_past_the_head_reads_the_file_as_text(tmp_path, monkeypatch, odd):
    lines = [f"C{i},审批,2025-03-04 09:00:00,2025-03-04 10:30:00" for i in range(30)]
    lines[20] = f"C20,审批,2025-03-04 09:00:00,{odd}"
    path = tmp_path / "odd.csv"
    path.write_text("单据编号,审批节点,到达时间,处理时间\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(iso_times, "HEAD_ROWS", 10)  # the odd value lies past the rows looked at first
    assert iso_times.iso_columns(path, ",", files.NULL_SPELLINGS) == (["到达时间", "处理时间"], [])
    assert iso_times.read_with_times(path, ",", files.NULL_SPELLINGS, ["到达时间", "处理时间"]) is None
    raw, fast, text = _read_both(path, monkeypatch, 1)
    assert raw.times == () and raw.frame["处理时间"][20] == odd
    assert fast.events.equals(text.events) and fast.quality.findings == text.quality.findings


def test_times_as_text_give_back_the_file_text():
    texts = pl.Series("t", ["2025-03-04 09:00:00", None, "1900-01-01 00:00:00", "2199-12-31 23:59:59"])
    times = texts.str.strptime(pl.Datetime("us"), iso_times.ISO_SECONDS)
    assert iso_times.as_text(times.to_frame(), ["t"])["t"].to_list() == texts.to_list()


def test_number_columns_checked_while_reading_type_as_the_text_reading_does(tmp_path, monkeypatch):
    lines = [f"C{i},审批,2025-03-04 09:00:00,2025-03-04 10:30:00,{1000 + i}.50,{i},00{i}" for i in range(30)]
    lines[25] = "C25,审批,2025-03-04 09:00:00,2025-03-04 10:30:00,72500.00,1e5,0025"  # past the head: not a plain number
    path = tmp_path / "numbers.csv"
    path.write_text("单据编号,审批节点,到达时间,处理时间,合同金额(元),件数,工号\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(iso_times, "HEAD_ROWS", 10)
    assert iso_times.iso_columns(path, ",", files.NULL_SPELLINGS) == (["到达时间", "处理时间"], ["合同金额(元)", "件数"])
    raw, fast, text = _read_both(path, monkeypatch, 1)
    assert raw.times == ("到达时间", "处理时间") and raw.numbers == ("合同金额(元)",)  # 件数 has 1e5 further down
    assert fast.events.equals(text.events)
    c25 = fast.events.filter(pl.col("case") == "C25")
    assert fast.events.schema["合同金额(元)"] == pl.Float64 and c25["合同金额(元)"].to_list() == [72500.0]
    assert fast.events.schema["件数"] == pl.String and fast.events.schema["工号"] == pl.String
