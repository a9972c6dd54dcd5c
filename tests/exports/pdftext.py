"""Reading our PDFs back in tests: text (through the fonts' ToUnicode maps) and embedded fonts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ByteStringObject, ContentStream, TextStringObject


def text_of(data: bytes) -> tuple[PdfReader, str]:
    """The text of every page, whitespace removed, decoded through the font's ToUnicode map.

    fpdf2 embeds the Noto CJK (CFF) font as a CID font with 2-byte codes and an embedded /Encoding
    CMap; pypdf's ``extract_text`` (7.1) reads such strings one byte at a time, which is right only
    for the first 255 glyphs of the subset (a NUL before each character) and wrong after. So the
    strings of the content stream are read with pypdf and decoded two bytes at a time here."""
    reader = PdfReader(io.BytesIO(data))
    parts = []
    for page in reader.pages:
        maps = {name: _to_unicode(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
        current = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = operands[0]
            elif op in (b"Tj", b"TJ"):
                for item in (operands[0] if op == b"TJ" else [operands[0]]):
                    if isinstance(item, (ByteStringObject, TextStringObject)):
                        raw = item.original_bytes if isinstance(item, TextStringObject) else bytes(item)
                        parts.append("".join(maps[current].get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd")
                                             for i in range(0, len(raw), 2)))
    return reader, re.sub(r"\s+", "", "".join(parts))


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    return {int(src, 16): bytes.fromhex(dst).decode("utf-16-be")
            for src, dst in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap)}


def pypdf_text(data: bytes) -> str:
    """What pypdf's own extraction gives, NULs and whitespace removed (right for the first glyphs)."""
    return re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def embedded_font_files(reader: PdfReader) -> list[str]:
    """The font-file keys (/FontFile, /FontFile2, /FontFile3) of every font descriptor used."""
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for desc_font in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                desc = desc_font.get("/FontDescriptor")
                if desc is not None:
                    found += [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in desc.get_object()]
    return found


def lines_of(data: bytes) -> list[str]:
    """The text of every text object (fpdf2 writes one per line of text: ``BT … Tj ET``), in order,
    whitespace removed — to check what a line break separates."""
    reader = PdfReader(io.BytesIO(data))
    lines = []
    for page in reader.pages:
        maps = {name: _to_unicode(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
        current, parts = None, None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"BT":
                parts = []
            elif op == b"ET" and parts is not None:
                lines.append(re.sub(r"\s+", "", "".join(parts)))
                parts = None
            elif op == b"Tf":
                current = operands[0]
            elif op in (b"Tj", b"TJ") and parts is not None:
                for item in (operands[0] if op == b"TJ" else [operands[0]]):
                    if isinstance(item, (ByteStringObject, TextStringObject)):
                        raw = item.original_bytes if isinstance(item, TextStringObject) else bytes(item)
                        parts.append("".join(maps[current].get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd")
                                             for i in range(0, len(raw), 2)))
    return [x for x in lines if x]
