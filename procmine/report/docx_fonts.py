"""A Chinese font inside the Word document, so Chinese shows on a machine without Chinese fonts.

Word and LibreOffice read fonts embedded in a .docx (ECMA-376 Part 1, §17.8.1): a TrueType file
in ``word/fonts/``, obfuscated with a key from the font table, declared with ``w:embedRegular``.
procmine embeds Noto Sans CJK SC (SIL Open Font License), cut down to the characters the document
uses and converted from its CFF outlines to TrueType (Word embeds TrueType only); a report's
subset weighs a few hundred kB. Text typed later that the subset lacks falls back to the
reader's own fonts, as any missing glyph does.

    >>> embed_cjk_font(Path("report.docx"))        # doctest: +SKIP
    True
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path

from lxml import etree

#: the embedded font's family, as the document's East Asian font names it
FAMILY = "Noto Sans CJK SC"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
#: always in the subset: what Word shows in fields it fills in on opening (目录, page numbers)
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "目录表图第页章节，。、；：？！“”‘’（）《》【】…—·％"


def truetype_subset(text: str) -> bytes | None:
    """Noto Sans CJK SC with only the glyphs of ``text``, as TrueType; None without the font or fontTools."""
    try:
        from fontTools import subset
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen
        from fontTools.ttLib import newTable

        from procmine.chart.fonts import cjk_font_path

        options = subset.Options()
        options.layout_features = []
        options.hinting = False
        options.desubroutinize = True
        options.notdef_outline = True
        options.name_IDs = ["*"]
        font = subset.load_font(cjk_font_path(), options, lazy=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(text + ALWAYS))))
        subsetter.subset(font)
    except Exception:  # no font, no fontTools, an unreadable font: the reader's fonts will do
        return None
    # CFF (cubic) outlines → TrueType (quadratic) glyf, as fontTools' otf2ttf snippet does
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font.recalcBBoxes = True  # the new outlines need their bounds
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():  # left side bearings from the new outlines
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["head"].glyphDataFormat = 0
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = maxp.maxStorage = maxp.maxFunctionDefs = maxp.maxInstructionDefs = 0
    maxp.maxStackElements = maxp.maxSizeOfInstructions = maxp.maxComponentElements = 0
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def obfuscate(data: bytes, key: str) -> bytes:
    """The font as stored in the package: its first 32 bytes XORed with the key, which is the GUID
    ``key`` ("{…}") read as 16 bytes from its last hex pair to its first (§17.8.1). Symmetric."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", key)
    mask = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def document_text(package: zipfile.ZipFile) -> str:
    """Every character of the document's text parts (body, headers, footers, footnotes, styles)."""
    chars = []
    for name in package.namelist():
        if name.startswith("word/") and name.endswith(".xml") and not name.startswith("word/fonts"):
            root = etree.fromstring(package.read(name))
            chars.extend(node.text or "" for node in root.iter(f"{{{W}}}t", f"{{{W}}}instrText"))
    return "".join(chars)


def embed_cjk_font(path: Path, east_asia: str | None = None) -> bool:
    """Embed the Chinese font in the .docx at ``path`` (rewritten in place) and make it the East Asian
    font wherever ``east_asia`` was named. False (document unchanged) when no font can be made."""
    path = Path(path)
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
        text = document_text(package)
    font = truetype_subset(text)
    if font is None:
        return False
    key = "{" + str(uuid.uuid4()).upper() + "}"
    parts["word/fonts/font1.odttf"] = obfuscate(font, key)
    parts["word/fontTable.xml"] = _font_table(parts["word/fontTable.xml"], key)
    parts["word/_rels/fontTable.xml.rels"] = _font_rels(parts.get("word/_rels/fontTable.xml.rels"))
    parts["[Content_Types].xml"] = _content_types(parts["[Content_Types].xml"])
    parts["word/settings.xml"] = _settings(parts["word/settings.xml"])
    if east_asia:
        for name in ("word/styles.xml", "word/document.xml"):
            parts[name] = parts[name].replace(f'w:eastAsia="{east_asia}"'.encode(), f'w:eastAsia="{FAMILY}"'.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return True


def _font_table(xml: bytes, key: str) -> bytes:
    root = etree.fromstring(xml)
    for old in root.findall(f"{{{W}}}font"):
        if old.get(f"{{{W}}}name") == FAMILY:
            root.remove(old)
    font = etree.SubElement(root, f"{{{W}}}font")
    font.set(f"{{{W}}}name", FAMILY)
    for tag, value in (("charset", "86"), ("family", "swiss"), ("pitch", "variable")):
        etree.SubElement(font, f"{{{W}}}{tag}").set(f"{{{W}}}val", value)
    embed = etree.SubElement(font, f"{{{W}}}embedRegular")
    embed.set(f"{{{R}}}id", "rIdProcmineFont1")
    embed.set(f"{{{W}}}fontKey", key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _font_rels(xml: bytes | None) -> bytes:
    root = etree.fromstring(xml) if xml else etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    for old in root.findall(f"{{{PKG_RELS}}}Relationship"):
        if old.get("Id") == "rIdProcmineFont1":
            root.remove(old)
    rel = etree.SubElement(root, f"{{{PKG_RELS}}}Relationship")
    rel.set("Id", "rIdProcmineFont1")
    rel.set("Type", FONT_REL)
    rel.set("Target", "fonts/font1.odttf")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _content_types(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    if not any(d.get("Extension") == "odttf" for d in root.findall(f"{{{CT}}}Default")):
        default = etree.Element(f"{{{CT}}}Default")
        default.set("Extension", "odttf")
        default.set("ContentType", OBFUSCATED)
        root.insert(0, default)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    if root.find(f"{{{W}}}embedTrueTypeFonts") is None:
        # the schema's order: these few elements may come before it
        before = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                  "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                  "printFractionalCharacterWidth", "printFormsData")
        place = 0
        for i, child in enumerate(root):
            if etree.QName(child).localname in before:
                place = i + 1
        root.insert(place, etree.Element(f"{{{W}}}embedTrueTypeFonts"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


__all__ = ["embed_cjk_font", "truetype_subset", "obfuscate", "FAMILY"]
