"""A 16:9 slide deck with a real master, for the joint-meeting brief (python-pptx, no template file).

The master is python-pptx's default one edited when the deck is made, so nothing binary is kept:

* the theme's colours carry the app's red (accent1 = #B71C1C, as ``dashboard.charts.PARTY_RED``)
  and a dark grey (accent2), and its fonts name the East Asian typeface PowerPoint and WPS resolve;
* the master draws a title bar in accent1 across the top, with the title placeholder on it in
  white, a thin rule over the footer, a footer placeholder (district · scope · 统计截至 date) and
  the slide number; its text styles use the East Asian typeface;
* the "Title Only" layout is the layout of every content slide; the "Title Slide" layout is the
  cover (a red band with the title and subtitle, no footer).

:class:`Deck` adds slides on those layouts (the title placeholder filled, the footer and the
slide-number placeholders copied onto the slide as PowerPoint does for 页眉和页脚 → 全部应用),
tables in a neutral style (header row in the red with white text, light banded rows, no
python-pptx default blue) sized to the space left on the slide, pictures scaled to fit, a note at
the foot, and speaker notes. Every run names the East Asian typeface.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from dashboard.exports.fonts import EAST_ASIAN_TYPEFACE

RED = RGBColor(0xB7, 0x1C, 0x1C)  # the app's red (charts.PARTY_RED, views.status)
DARK = RGBColor(0x37, 0x41, 0x51)
INK = RGBColor(0x11, 0x18, 0x27)
MUTED = RGBColor(0x4B, 0x55, 0x63)
BAND = RGBColor(0xF3, 0xF4, 0xF6)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
RULE = RGBColor(0xD1, 0xD5, 0xDB)

INCH = 914400
WIDTH, HEIGHT = 12192000, 6858000  # 13.33 × 7.5 in
MARGIN = int(0.5 * INCH)
BAR = int(0.95 * INCH)  # the title bar's height
FOOT_TOP = HEIGHT - int(0.45 * INCH)  # the footer's top; the rule is just above it
CONTENT_TOP = BAR + int(0.2 * INCH)
CONTENT_BOTTOM = FOOT_TOP - int(0.12 * INCH)
NO_STYLE_TABLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # "No Style, No Grid": our own fills only

_LAYOUT_COVER, _LAYOUT_TITLE_ONLY = 0, 5
_FOOTER_IDX, _NUMBER_IDX = 11, 12


# --------------------------------------------------------------------------- text


def set_font(run_or_rpr, typeface: str = EAST_ASIAN_TYPEFACE) -> None:
    """Name the Latin, East Asian and complex-script typeface of a run (or an ``a:rPr``/``a:defRPr``):
    without ``<a:ea>``, PowerPoint and WPS may pick a font without Chinese glyphs."""
    rpr = run_or_rpr._r.get_or_add_rPr() if hasattr(run_or_rpr, "_r") else run_or_rpr
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            # latin, ea, cs come after the fill in the schema's order: append keeps that
            rpr.append(el)
        el.set("typeface", typeface)


def add_text(frame, text: str, *, size: float, bold: bool = False, colour: RGBColor | None = INK,
             new_paragraph: bool = False, align=None, space_before: float | None = None):
    """A run of ``text`` in a paragraph of ``frame`` (the first one unless ``new_paragraph``)."""
    para = frame.add_paragraph() if new_paragraph else frame.paragraphs[0]
    if align is not None:
        para.alignment = align
    if space_before is not None:
        para.space_before = Pt(space_before)
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    set_font(run)
    return run


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` points, in EMU (CJK and full-width characters one em,
    the rest about half): an estimate for sizing tables, on the safe side."""
    wide = [unicodedata.east_asian_width(c) in "WF" for c in text]
    # DejaVu Sans's widths (the widest Latin a reader may get in place of the named font)
    ems = sum(1.0 if w else 0.66 if c.isdigit() or c.isupper() else 0.36 if c in " .,:;'()/|-" else 0.63
              for w, c in zip(wide, text, strict=True))
    # renderers put a little space between CJK and Latin or digits ("2026 年 8 月")
    ems += 0.25 * sum(1 for a, b, c in zip(wide, wide[1:], text[1:], strict=False) if a != b and not c.isspace())
    return ems * size * 12700


def _lines(text: str, size: float, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` EMU wide at ``size`` points."""
    return sum(max(1, math.ceil(text_width(part, size) / max(width, 1))) for part in str(text).split("\n"))


# --------------------------------------------------------------------------- the master


def _theme(prs) -> None:
    """accent1 → the app's red, accent2 → dark grey, dk2 → ink; East Asian theme fonts named."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    part = prs.slide_master.part.part_related_by(RT.THEME)
    xml = part.blob.decode("utf-8")
    for slot, colour in (("accent1", "B71C1C"), ("accent2", "374151"), ("dk2", "111827"), ("lt2", "F3F4F6")):
        xml = re.sub(rf"<a:{slot}>.*?</a:{slot}>", f'<a:{slot}><a:srgbClr val="{colour}"/></a:{slot}>', xml, count=1)
    xml = xml.replace('<a:ea typeface=""/>', f'<a:ea typeface="{EAST_ASIAN_TYPEFACE}"/>')
    xml = xml.replace('name="Office Theme"', 'name="dangong"')
    part._blob = xml.encode("utf-8")


def _xfrm(sp, x: int, y: int, cx: int, cy: int) -> None:
    sppr = sp.find(qn("p:spPr"))
    xfrm = sppr.find(qn("a:xfrm"))
    if xfrm is None:
        xfrm = sppr.makeelement(qn("a:xfrm"), {})
        sppr.insert(0, xfrm)
    for child in list(xfrm):
        xfrm.remove(child)
    xfrm.append(xfrm.makeelement(qn("a:off"), {"x": str(x), "y": str(y)}))
    xfrm.append(xfrm.makeelement(qn("a:ext"), {"cx": str(cx), "cy": str(cy)}))


def _placeholder(tree, ph_type: str):
    for sp in tree.iter(qn("p:sp")):
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
        if ph is not None and ph.get("type", "obj") == ph_type:
            return sp
    return None


def _rect(tree, *, id_: int, name: str, x: int, y: int, cx: int, cy: int, fill: str, scheme: bool = True):
    """A filled rectangle with no outline, drawn behind the placeholders (first in the tree)."""
    from lxml import etree

    colour = f'<a:schemeClr val="{fill}"/>' if scheme else f'<a:srgbClr val="{fill}"/>'
    sp = etree.fromstring(
        f'<p:sp xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<p:nvSpPr><p:cNvPr id="{id_}" name="{name}"/><p:cNvSpPr/><p:nvPr userDrawn="1"/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill>{colour}</a:solidFill><a:ln><a:noFill/></a:ln>'
        f'</p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="zh-CN"/></a:p></p:txBody></p:sp>')
    group = tree.find(qn("p:grpSpPr"))
    group.addnext(sp)
    return sp


def _text_style(sp, *, size: int, colour: str, bold: bool = False, align: str | None = None,
                anchor: str | None = None, inset: int | None = None) -> None:
    """The placeholder's own list style (level 1) and body properties."""
    body = sp.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}")
    if anchor:
        body.set("anchor", anchor)
    if inset is not None:
        body.set("lIns", str(inset))
        body.set("rIns", str(inset))
    for autofit in (qn("a:normAutofit"), qn("a:spAutoFit")):
        for el in body.findall(autofit):
            body.remove(el)
    body.append(body.makeelement(qn("a:normAutofit"), {}))
    lst = sp.find(f"{qn('p:txBody')}/{qn('a:lstStyle')}")
    for child in list(lst):
        lst.remove(child)
    lvl = lst.makeelement(qn("a:lvl1pPr"), {"marL": "0", "indent": "0", **({"algn": align} if align else {})})
    lst.append(lvl)
    lvl.append(lvl.makeelement(qn("a:buNone"), {}))  # the body style's bullets are not for a subtitle
    rpr = lvl.makeelement(qn("a:defRPr"), {"sz": str(size * 100), "b": "1" if bold else "0"})
    lvl.append(rpr)
    fill = rpr.makeelement(qn("a:solidFill"), {})
    fill.append(fill.makeelement(qn("a:srgbClr"), {"val": colour}))
    rpr.append(fill)
    set_font(rpr)


def _master(prs) -> None:
    master = prs.slide_master
    tree = master.shapes._spTree
    _rect(tree, id_=90, name="Footer rule", x=MARGIN, y=FOOT_TOP - 12700, cx=WIDTH - 2 * MARGIN, cy=12700,
          fill="D1D5DB", scheme=False)
    _rect(tree, id_=91, name="Title bar", x=0, y=0, cx=WIDTH, cy=BAR, fill="accent1")
    title = _placeholder(tree, "title")
    _xfrm(title, MARGIN, 0, WIDTH - 2 * MARGIN, BAR)
    _text_style(title, size=28, colour="FFFFFF", bold=True, align="l", anchor="ctr", inset=0)
    body = _placeholder(tree, "body")
    _xfrm(body, MARGIN, CONTENT_TOP, WIDTH - 2 * MARGIN, CONTENT_BOTTOM - CONTENT_TOP)
    foot_h = HEIGHT - FOOT_TOP - int(0.08 * INCH)
    date = _placeholder(tree, "dt")
    if date is not None:  # not used on slides: the date is in the footer's text
        _xfrm(date, WIDTH - MARGIN - int(3.2 * INCH), FOOT_TOP, int(2.0 * INCH), foot_h)
    footer = _placeholder(tree, "ftr")
    _xfrm(footer, MARGIN, FOOT_TOP, WIDTH - 2 * MARGIN - int(1.3 * INCH), foot_h)
    _text_style(footer, size=11, colour="4B5563", align="l", anchor="ctr", inset=0)
    number = _placeholder(tree, "sldNum")
    _xfrm(number, WIDTH - MARGIN - int(1.2 * INCH), FOOT_TOP, int(1.2 * INCH), foot_h)
    _text_style(number, size=11, colour="4B5563", align="r", anchor="ctr", inset=0)
    # the master's text styles: the East Asian typeface at every level
    styles = master._element.find(qn("p:txStyles"))
    for rpr in styles.iter(qn("a:defRPr")):
        set_font(rpr)

    cover = prs.slide_layouts[_LAYOUT_COVER]
    cover._element.set("showMasterSp", "0")
    ctree = cover.shapes._spTree
    band_top, band_h = int(1.9 * INCH), int(3.3 * INCH)
    _rect(ctree, id_=92, name="Cover band", x=0, y=band_top, cx=WIDTH, cy=band_h, fill="accent1")
    ctitle = _placeholder(ctree, "ctrTitle")
    _xfrm(ctitle, MARGIN * 2, band_top + int(0.35 * INCH), WIDTH - 4 * MARGIN, int(1.5 * INCH))
    _text_style(ctitle, size=40, colour="FFFFFF", bold=True, align="l", anchor="b", inset=0)
    csub = _placeholder(ctree, "subTitle")
    _xfrm(csub, MARGIN * 2, band_top + int(1.95 * INCH), WIDTH - 4 * MARGIN, int(1.2 * INCH))
    _text_style(csub, size=18, colour="FFFFFF", align="l", anchor="t", inset=0)


# --------------------------------------------------------------------------- the deck


class Deck:
    """A deck on the edited master; ``footer`` is the text of every content slide's footer."""

    def __init__(self, *, footer: str, title: str, language: str):
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Emu(WIDTH), Emu(HEIGHT)
        self.prs.core_properties.title = title
        self.prs.core_properties.language = language
        _theme(self.prs)
        _master(self.prs)
        self.footer = footer
        self.layout = self.prs.slide_layouts[_LAYOUT_TITLE_ONLY]

    # ------------------------------------------------------------------ slides
    def cover(self, title: str, lines: Sequence[str]):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[_LAYOUT_COVER])
        for ph in slide.placeholders:
            frame = ph.text_frame
            frame.word_wrap = True
            if ph.placeholder_format.idx == 0:
                add_text(frame, title, size=40, bold=True, colour=WHITE)
            elif ph.placeholder_format.idx == 1:
                for k, line in enumerate(lines):
                    add_text(frame, line, size=18, colour=WHITE, new_paragraph=k > 0, space_before=4 if k else None)
        return slide

    def slide(self, title: str, sub: str | None = None):
        """A content slide: the title in the bar, the footer and number, and ``sub`` under the bar."""
        slide = self.prs.slides.add_slide(self.layout)
        add_text(slide.shapes.title.text_frame, title, size=28, bold=True, colour=WHITE)
        for idx in (_FOOTER_IDX, _NUMBER_IDX):
            layout_ph = next(p for p in self.layout.placeholders if p.placeholder_format.idx == idx)
            slide.shapes.clone_placeholder(layout_ph)
        for ph in slide.placeholders:
            idx = ph.placeholder_format.idx
            if idx == _FOOTER_IDX:
                add_text(ph.text_frame, self.footer, size=11, colour=MUTED)
            elif idx == _NUMBER_IDX:
                _slide_number(ph.text_frame, len(self.prs.slides))
        slide.top = CONTENT_TOP
        if sub:
            height = int(0.3 * INCH) * min(_lines(sub, 18, WIDTH - 2 * MARGIN), 3) + int(0.12 * INCH)
            box = slide.shapes.add_textbox(Emu(MARGIN), Emu(CONTENT_TOP), Emu(WIDTH - 2 * MARGIN), Emu(height))
            box.text_frame.word_wrap = True
            _no_inset(box.text_frame)
            add_text(box.text_frame, sub, size=18, colour=INK)
            slide.top = CONTENT_TOP + height + int(0.12 * INCH)
        return slide

    # ------------------------------------------------------------------ content
    def foot_note(self, slide, text: str | None, *, size: float = 14, bold: bool = False, colour=MUTED,
                  bottom: int = CONTENT_BOTTOM) -> int:
        """A line ending at ``bottom`` (e.g. "另有 N 项未列出" at the foot of the content area); returns
        where the content above it must end (``bottom`` without ``text``)."""
        if not text:
            return bottom
        height = int(size * 12700 * 1.35) * min(_lines(text, size, WIDTH - 2 * MARGIN), 3) + int(0.05 * INCH)
        top = bottom - height
        box = slide.shapes.add_textbox(Emu(MARGIN), Emu(top), Emu(WIDTH - 2 * MARGIN), Emu(height))
        box.text_frame.word_wrap = True
        box.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        _no_inset(box.text_frame)
        add_text(box.text_frame, text, size=size, bold=bold, colour=colour)
        return top - int(0.1 * INCH)

    def table(self, slide, header: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[float],
              align: str | None = None, bottom: int = CONTENT_BOTTOM, max_size: float = 22, min_size: float = 10,
              max_row: float = 0.95):
        """A table from ``slide.top`` down to at most ``bottom``: the largest font (≤ ``max_size``)
        at which every row fits, rows stretched (to ``max_row`` inches) to fill the space."""
        top = getattr(slide, "top", CONTENT_TOP)
        width = WIDTH - 2 * MARGIN
        pad_x, pad_y = int(0.08 * INCH), int(0.05 * INCH)
        space = bottom - top

        def layout(candidate: float, even: bool) -> tuple[list[int], list[int]]:
            cols = _columns([header, *rows], widths, candidate, width, pad_x)
            line = int(candidate * 12700 * 1.25)
            heights = [max(_lines(v, candidate, c - 2 * pad_x) for v, c in zip(values, cols, strict=False)) * line
                       + 2 * pad_y for values in [header, *rows]]
            if even and len(heights) > 1:
                heights = heights[:1] + [max(heights[1:])] * (len(heights) - 1)
            return cols, heights

        # the largest size at which rows of one height fit, else the largest at which the rows fit
        for even in (True, False):
            for size in _sizes(max_size, min_size):
                cols, heights = layout(size, even)
                if sum(heights) <= space:
                    break
            if sum(heights) <= space:
                break
        extra = max(0, (space - sum(heights)) // max(len(heights), 1))
        heights = [min(h + extra, max(h, int(max_row * INCH))) for h in heights]
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Emu(MARGIN), Emu(top), Emu(width),
                                       Emu(sum(heights)))
        table = shape.table
        tbl_pr = shape._element.graphic.graphicData.tbl.tblPr
        style = tbl_pr.find(qn("a:tableStyleId"))
        if style is None:
            style = tbl_pr.makeelement(qn("a:tableStyleId"), {})
            tbl_pr.append(style)
        style.text = NO_STYLE_TABLE
        table.first_row, table.horz_banding = True, True
        for i, c in enumerate(cols):
            table.columns[i].width = Emu(c)
        for r, h in enumerate(heights):
            table.rows[r].height = Emu(h)
        aligns = {"L": PP_ALIGN.LEFT, "C": PP_ALIGN.CENTER, "R": PP_ALIGN.RIGHT}
        for r, values in enumerate([header, *rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = ""
                cell.margin_left = cell.margin_right = Emu(pad_x)
                cell.margin_top = cell.margin_bottom = Emu(pad_y)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                cell.fill.fore_color.rgb = RED if r == 0 else (BAND if r % 2 == 0 else WHITE)
                cell.text_frame.word_wrap = True
                add_text(cell.text_frame, "" if value is None else str(value), size=size, bold=r == 0,
                         colour=WHITE if r == 0 else INK, align=aligns.get((align or "")[c:c + 1] or "L"))
        slide.top = top + sum(heights) + int(0.15 * INCH)
        return table

    def pictures(self, slide, images: Sequence[bytes], *, bottom: int = CONTENT_BOTTOM, gap: int = int(0.3 * INCH)):
        """Pictures side by side, each scaled to the largest size that fits its share of the space."""
        from PIL import Image

        top = getattr(slide, "top", CONTENT_TOP)
        n = max(len(images), 1)
        cell_w = (WIDTH - 2 * MARGIN - (n - 1) * gap) // n
        cell_h = bottom - top
        for i, data in enumerate(images):
            w, h = Image.open(io.BytesIO(data)).size
            scale = min(cell_w / w, cell_h / h)
            pw, ph = int(w * scale), int(h * scale)
            x = MARGIN + i * (cell_w + gap) + (cell_w - pw) // 2
            slide.shapes.add_picture(io.BytesIO(data), Emu(x), Emu(top + (cell_h - ph) // 2), Emu(pw), Emu(ph))

    def text_block(self, slide, head: str, lines: Sequence[str], *, bottom: int = CONTENT_BOTTOM):
        """A headline and lines under it, as large as fits the content area, a red rule at their left."""
        top = getattr(slide, "top", CONTENT_TOP)
        width = WIDTH - 2 * MARGIN - int(0.35 * INCH)
        need = 0
        for head_size, size in ((32, 24), (28, 22), (26, 20), (24, 18), (22, 16), (20, 14)):
            need = int((_lines(head, head_size, width) * head_size * 1.3 if head else 0) * 12700
                       + sum(_lines(f"· {x}", size, width) * size * 1.3 * 12700 + 10 * 12700 for x in lines))
            if need <= bottom - top:
                break
        height = min(bottom - top, need + int(0.15 * INCH))
        bar = slide.shapes.add_shape(1, Emu(MARGIN), Emu(top), Emu(int(0.08 * INCH)), Emu(height))
        bar.fill.solid()
        bar.fill.fore_color.rgb = RED
        bar.line.fill.background()
        box = slide.shapes.add_textbox(Emu(MARGIN + int(0.35 * INCH)), Emu(top), Emu(width), Emu(height))
        frame = box.text_frame
        frame.word_wrap = True
        _no_inset(frame)
        if head:
            add_text(frame, head, size=head_size, bold=True, colour=INK)
        for k, line in enumerate(lines):
            add_text(frame, f"· {line}", size=size, colour=INK, new_paragraph=bool(head) or k > 0, space_before=10)
        slide.top = top + height + int(0.2 * INCH)

    def notes(self, slide, sections: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Speaker notes: a heading and its lines per section (empty sections left out)."""
        frame = slide.notes_slide.notes_text_frame
        first = True
        for heading, lines in sections:
            lines = [x for x in lines if x]
            if not lines:
                continue
            add_text(frame, heading, size=12, bold=True, colour=None, new_paragraph=not first)
            first = False
            for line in lines:
                add_text(frame, line, size=12, colour=None, new_paragraph=True)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def _columns(rows: Sequence[Sequence[str]], weights: Sequence[float], size: float, width: int, pad_x: int) -> list[int]:
    """Column widths at ``size``: every column as wide as its longest cell when they all fit (the
    space left shared by ``weights``); otherwise the short columns (dates, statuses, counts) as wide
    as their longest cell and the widest-weighted column the rest, so only it wraps; the plain
    ``weights`` when even that leaves it too little."""
    n = len(weights)
    need = [max(text_width(str(row[c] if c < len(row) and row[c] is not None else ""), size) for row in rows)
            + 2 * pad_x + int(0.06 * INCH) for c in range(n)]
    total = sum(weights)
    if sum(need) <= width:
        left = width - sum(need)
        cols = [int(need[c] + left * weights[c] / total) for c in range(n)]
    else:
        flex = max(range(n), key=lambda c: weights[c])
        rest = width - sum(need[c] for c in range(n) if c != flex)
        if rest >= 0.3 * width:
            cols = [int(need[c]) if c != flex else int(rest) for c in range(n)]
        else:
            cols = [int(width * w / total) for w in weights]
    cols[-1] = width - sum(cols[:-1])
    return cols


def _sizes(largest: float, smallest: float):
    size = largest
    while size >= smallest:
        yield size
        size -= 1


def _no_inset(frame) -> None:
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(0)


def _slide_number(frame, number: int) -> None:
    """The slide-number field (PowerPoint renumbers it; ``number`` is its text until then)."""
    para = frame.paragraphs[0]._p
    fld = para.makeelement(qn("a:fld"), {"id": "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}", "type": "slidenum"})
    rpr = fld.makeelement(qn("a:rPr"), {"lang": "zh-CN", "sz": "1100"})
    set_font(rpr)
    fld.append(rpr)
    text = fld.makeelement(qn("a:t"), {})
    text.text = str(number)
    fld.append(text)
    end = para.find(qn("a:endParaRPr"))
    if end is not None:
        end.addprevious(fld)
    else:
        para.append(fld)


__all__ = ["Deck", "add_text", "set_font", "text_width"]
