"""The Word report carries its own Chinese font (ECMA-376 §17.8.1), so Chinese shows on a machine
without Chinese fonts: the font part, its obfuscation, and that it covers every character used."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from fontTools.ttLib import TTFont

import procmine
from procmine.calendar import Calendar
from procmine.report import build_report
from procmine.report.docx_fonts import FAMILY, document_text, obfuscate

from conftest import SAMPLES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def docx(tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    build_report(procmine.read_log(SAMPLES / "合同审批.csv"), Calendar(), target="3wd").save_docx(path)
    return path


def test_the_font_is_embedded_and_covers_every_chinese_character(docx):
    with zipfile.ZipFile(docx) as package:
        table = package.read("word/fontTable.xml").decode("utf-8")
        key = re.search(r'w:name="' + FAMILY + r'".*?w:fontKey="(\{[0-9A-F-]+\})"', table, re.S).group(1)
        stored = package.read("word/fonts/font1.odttf")
        assert "embedTrueTypeFonts" in package.read("word/settings.xml").decode("utf-8")
        assert 'Extension="odttf"' in package.read("[Content_Types].xml").decode("utf-8")
        assert f'w:eastAsia="{FAMILY}"' in package.read("word/styles.xml").decode("utf-8")
        text = document_text(package)
    font = TTFont(io.BytesIO(obfuscate(stored, key)))  # obfuscation is its own inverse
    assert font.sfntVersion == "\x00\x01\x00\x00" and "glyf" in font  # TrueType: what Word embeds
    chinese = {c for c in text if "\u4e00" <= c <= "\u9fff"}
    assert len(chinese) > 100 and chinese <= {chr(c) for c in font.getBestCmap()}
    assert len(stored) < 2_000_000  # a subset, not the 16 MB font


def test_obfuscation_follows_the_standard():
    # the key's last hex pair XORs the first byte (§17.8.1): {00…0001} flips only bytes 0 and 16
    data = bytes(64)
    out = obfuscate(data, "{00000000-0000-0000-0000-000000000001}")
    assert out[0] == 1 and out[16] == 1 and out[1:16] == bytes(15) and out[32:] == bytes(32)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_draws_the_chinese_with_the_embedded_font(docx, tmp_path):
    pymupdf = pytest.importorskip("pymupdf")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = pymupdf.open(tmp_path / "report.pdf")
    fonts = {f[3].split("+")[-1] for page in pdf for f in page.get_fonts()}
    assert any(name.startswith("NotoSansCJK") for name in fonts), fonts
    assert "现状调研分析报告" in pdf[0].get_text()


def test_a_section_opening_with_a_tall_chart_starts_on_the_charts_page():
    import struct
    import zlib

    from procmine.report.docx import _opening_chart
    from procmine.report.model import Chart, Paragraph, Table

    def png(width: int, height: int) -> bytes:  # a blank PNG of that size (only the header is read)
        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")

    intro = Paragraph("瓶颈分析的说明，一两句话。")
    tall = Chart("heat", "热力图", png(1205, 1500))        # 19 cm: heading and intro fit above it
    taller = Chart("heat", "热力图", png(1205, 1888))      # 24 cm: they do not
    small = Chart("bars", "条形图", png(1205, 800))        # flows with the text
    assert _opening_chart([intro, tall]) == 1
    assert _opening_chart([intro, taller]) is None and _opening_chart([intro, small]) is None
    assert _opening_chart([Paragraph("长" * 500), tall]) is None  # a long introduction stays on its own
    assert _opening_chart([Table("t", "表", None), tall]) is None
