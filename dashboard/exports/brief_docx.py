"""The joint-meeting brief as a Word document (.docx, python-docx) in the usual 公文 layout
(GB/T 9704-2012, as far as a generated document follows it):

* A4, margins 37 / 35 / 28 / 26 mm (top, bottom, left, right);
* the marking 内部资料 at the top left; the issuing organ (发文机关标志) centred in red, the 文号
  under it (the setting ``brief_doc_no``; none when empty) and a red rule;
* the title centred in 小标宋 二号, the body in 仿宋_GB2312 三号 with a two-character first-line
  indent and a fixed 28 pt line, section headings in 黑体, tables in 五号;
* the issuing organ and the date (Arabic numerals, 成文日期) at the right after the text, the 版记
  (印发 line between two rules) at the end, and page numbers "— N —" at the foot: odd pages on
  the right, even pages on the left.

The content is the PDF's and the PPTX's, section by section and row by row: the same functions of
``dashboard.exports.brief`` (hence of ``dashboard.views``) give the rows, the list rule and the
"另有 N 项" notes. Fonts are named (East Asian and Latin) on every run; a reader without 仿宋_GB2312
or 方正小标宋简体 gets Word's or WPS's substitute, as with any 公文 file.
"""

from __future__ import annotations

import io

from dashboard.exports.brief import (
    BriefContext,
    campaign_lines,
    decided_rows,
    due_rows,
    gap_rows,
    kpi_rows,
    mechanisms_section,
    model_lines,
    subtitle,
    summaries,
    title,
)
from dashboard.i18n import fmt_date, t
from dashboard.queries.brief import Brief
from dashboard.views import meetings as V

#: typefaces of the 公文 layout (East Asian); Latin text and digits in Times New Roman
FANGSONG, HEITI, KAITI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
LATIN = "Times New Roman"
RED = (0xC0, 0x00, 0x00)
#: sizes in points: 二号 22, 三号 16, 四号 14, 五号 10.5
ERHAO, SANHAO, SIHAO, WUHAO = 22, 16, 14, 10.5
LINE = 28  # fixed line spacing of the body, in points (22 lines on a page)
#: the item lists' columns (status, item, owner, due date, days overdue), in millimetres of the 156 mm
#: text width: the date column holds "2026年12月31日" in 五号 on one line
ITEM_WIDTHS = [14, 58, 28, 36, 20]


def _font(run, typeface: str, size: float, *, bold: bool = False, colour=None) -> None:
    """Size, weight, colour and both typefaces of a run (``w:eastAsia`` for the Chinese text: without
    it Word sets Chinese in its default font)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = RGBColor(*colour)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), typeface)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


def _paragraph(doc, text: str = "", *, typeface: str = FANGSONG, size: float = SANHAO, bold: bool = False,
               align: str = "justify", indent: bool = True, colour=None, line: float | None = LINE,
               before: float = 0, after: float = 0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    fmt = p.paragraph_format
    if indent:
        fmt.first_line_indent = Pt(2 * size)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if text:
        _font(p.add_run(text), typeface, size, bold=bold, colour=colour)
    return p


def _rule(paragraph, *, colour: tuple[int, int, int], size: int = 12, top: bool = False) -> None:
    """A horizontal rule under (or over) a paragraph: its bottom (top) border; ``size`` in eighths of a point."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement("w:top" if top else "w:bottom")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), "%02X%02X%02X" % colour)
    borders.append(edge)


def _page_number(footer, align: str) -> None:
    """"— N —" with Word's PAGE field, 四号, at ``align``."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
    _font(p.add_run("— "), "宋体", SIHAO)
    run = p.add_run()
    _font(run, "宋体", SIHAO)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), "宋体", SIHAO)


def _table(doc, header: list[str], rows: list[list[str]], widths: list[float], align: str,
           nowrap: tuple[int, ...] = ()) -> None:
    """A bordered table in 五号, the header row in 黑体 on grey; ``align`` one letter (L/R/C) per column;
    the cells of the columns ``nowrap`` and of the right-aligned ones (figures, dates) never break."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # the widths below, not the text's: Word and LibreOffice read the grid
    usable = 210 - 28 - 26
    total = sum(widths)
    for c, column in enumerate(table.columns):
        column.width = Mm(usable * widths[c] / total)
    aligns = {"L": WD_ALIGN_PARAGRAPH.LEFT, "R": WD_ALIGN_PARAGRAPH.RIGHT, "C": WD_ALIGN_PARAGRAPH.CENTER}
    for r, values in enumerate([header, *rows]):
        row = table.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # a row is not cut by a page break
        if r == 0:  # the header row repeats at the top of each page the table runs over
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = Mm(usable * widths[c] / total)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else aligns[align[c]]
            _font(p.add_run(str(value)), HEITI if r == 0 else FANGSONG, WUHAO, bold=False)
            if r > 0 and (c in nowrap or align[c] == "R"):
                cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
            if r == 0:
                shade = OxmlElement("w:shd")
                shade.set(qn("w:val"), "clear")
                shade.set(qn("w:color"), "auto")
                shade.set(qn("w:fill"), "E5E7EB")
                cell._tc.get_or_add_tcPr().append(shade)


def _heading(doc, text: str) -> None:
    _paragraph(doc, text, typeface=HEITI, size=SANHAO, indent=True)


def _note(doc, text: str | None) -> None:
    if text:
        _paragraph(doc, text, size=WUHAO + 1, indent=False, line=None, before=3, colour=(0x4B, 0x55, 0x63))


def brief_docx(brief: Brief, ctx: BriefContext, images: dict[str, bytes], *, doc_no: str = "",
               issuer: str = "") -> bytes:
    """The brief as .docx bytes. ``doc_no``: the 文号 (the setting ``brief_doc_no``; ``{year}`` is
    replaced by the brief's year; empty: no 文号 line); ``issuer``: the issuing organ (the setting
    ``brief_issuer``; empty: "<district>党工共建工作领导小组办公室")."""
    from docx import Document
    from docx.shared import Mm, Pt

    loc = ctx.locale
    issuer = issuer.strip() or t("brief.docx.issuer", loc, district=ctx.district)
    doc_no = doc_no.strip().replace("{year}", str(brief.date.year))
    doc = Document()
    doc.core_properties.title = title(brief, ctx)
    doc.core_properties.language = "zh-CN" if loc == "zh_CN" else "en"
    doc.core_properties.author = issuer

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, "right")
    _page_number(section.even_page_footer, "left")
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(SANHAO)
    from docx.oxml.ns import qn

    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)

    # the head: marking, issuing organ in red, 文号, the red rule
    marking = t("brief.docx.marking", loc) + (f"　{t('app.demo_badge', loc)}" if ctx.demo else "")
    _paragraph(doc, marking, typeface=HEITI, size=SANHAO, align="left", indent=False, line=None)
    _paragraph(doc, issuer, typeface=XIAOBIAOSONG, size=26, align="center", indent=False, colour=RED, line=None,
               before=18, after=6)
    head_end = _paragraph(doc, doc_no, size=SANHAO, align="center", indent=False, line=None, after=2)
    _rule(head_end, colour=RED, size=18)
    # the title and what the figures cover
    _paragraph(doc, title(brief, ctx), typeface=XIAOBIAOSONG, size=ERHAO, align="center", indent=False, line=None,
               before=20, after=6)
    _paragraph(doc, f"（{subtitle(brief, ctx)}）", typeface=KAITI, size=SIHAO, align="center", indent=False,
               line=None, after=12)

    _heading(doc, t("brief.section.kpis", loc))
    _table(doc, [t("brief.col.kpi", loc), t("brief.col.now", loc, date=fmt_date(brief.date, loc)),
                 t("brief.col.then", loc), t("brief.col.change", loc)], kpi_rows(brief, loc),
           widths=[2.2, 3, 1.6, 1.8], align="LRRR")
    for key in ("patterns", "map"):
        if key in images:
            p = _paragraph(doc, align="center", indent=False, line=None, before=6)
            p.add_run().add_picture(io.BytesIO(images[key]), width=Mm(130))

    text = summaries(brief, loc)
    lists = (("decided", decided_rows(brief, loc), len(brief.since.decided) if brief.since else 0),
             ("due", due_rows(brief, loc), brief.n_due))
    for key, rows, n_total in lists:
        _heading(doc, t(f"brief.section.{key}", loc))
        _paragraph(doc, text[key])
        if rows:
            _table(doc, V.item_header(loc), rows, widths=ITEM_WIDTHS, align="LLLLR", nowrap=(0, 3))
            _note(doc, V.more_text(n_total, len(rows), loc))

    _heading(doc, t("brief.section.gaps", loc))
    _paragraph(doc, text["gaps"])
    if brief.since is not None:
        rows = gap_rows(brief, loc)
        if rows:
            _table(doc, [t("col.enterprise", loc), t("col.township", loc), t("col.party_members", loc)], rows,
                   widths=[4, 2, 1.4], align="LLR")
            _note(doc, V.more_text(brief.since.n_new_should_build, len(rows), loc))

    _heading(doc, t("brief.section.campaign", loc))
    line, leads_line, header, rows = campaign_lines(brief, ctx)
    _paragraph(doc, line)
    if rows:
        _table(doc, header, rows, widths=[2, 1.6, 1.8, 1.1, 1.1, 1.2], align="LRRRRL")
    _paragraph(doc, leads_line, before=4)

    _heading(doc, t("brief.section.model", loc))
    name, headline, lines = model_lines(brief, loc)
    if not name:
        _paragraph(doc, t("brief.no_model", loc))
    else:
        _paragraph(doc, name, typeface=KAITI)
        if headline:
            _paragraph(doc, headline)
        for item in lines:
            _paragraph(doc, f"· {item}")

    if (mech := mechanisms_section(brief, loc)) is not None:
        _heading(doc, t("brief.section.mechanisms", loc))
        _paragraph(doc, mech.period, typeface=KAITI)
        for line in [*mech.development, *mech.awards, *([mech.result] if mech.result else [])]:
            _paragraph(doc, line)
        if mech.rows:
            _table(doc, mech.header, mech.rows, widths=[3, 1.6, 1.6, 1.2], align="LRRR")
            _note(doc, mech.more)

    # signature: the organ and the date (成文日期, Arabic numerals), right, four characters from the edge
    date = fmt_date(brief.date, loc)
    _paragraph(doc, issuer, align="right", indent=False, before=LINE)
    _paragraph(doc, date, align="right", indent=False)
    # 版记: 印发 between two rules, at the end
    last = _paragraph(doc, t("brief.docx.printed", loc, issuer=issuer, date=date), size=SIHAO, align="left",
                      indent=False, line=None, before=LINE * 2, after=2)
    _rule(last, colour=(0, 0, 0), size=8, top=True)
    _rule(last, colour=(0, 0, 0), size=8)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
