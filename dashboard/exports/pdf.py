"""A small base for printable A4 documents (fpdf2) with the CJK font embedded. No Streamlit.

Every page has a header (the app title, an optional subtitle, and 演示数据 when the dataset is a
demo) and a footer (统计截至 <date> and the page number). Content helpers: :meth:`Document.heading`,
:meth:`Document.paragraph`, :meth:`Document.facts` (label: value lines), :meth:`Document.table`.
CJK text wraps by character, English by word — but never inside a date (2026年11月24日, 2026-11-24)
or a figure with its percent sign, fraction and unit (50.0%（2 / 4）, -16.7 个百分点, 146 天), and
never with closing punctuation at the start of a line or opening punctuation at its end: every
text is broken into lines here (:meth:`Document.lines`) before fpdf2 lays it out (issue 17: the
brief's subtitle broke as "(2026年11月2/日)").

    doc = Document(locale="zh_CN", as_of=day, demo=True, subtitle="典型案例")
    doc.heading("吉林德运公司")
    doc.paragraph("改制后先建党总支，后建工会……")
    doc.table(["荣誉", "级别"], [["模范职工之家", "省级"]], widths=[3, 1])
    data = doc.to_bytes()

:func:`fit_one_page` rebuilds a document at smaller scales until it fits on one page;
:func:`with_page_total` builds twice so that every footer says 第 n 页 / 共 N 页 (fpdf2's ``{nb}``
alias is not used: text extractors misread CJK footers written with it).
Raises :class:`~dashboard.exports.fonts.FontMissing` when no CJK font is available.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from dashboard.exports.fonts import CjkFont, cjk_font
from dashboard.i18n import fmt_date, t

FAMILY = "cjk"
INK = (17, 24, 39)
MUTED = (107, 114, 128)
RULE = (209, 213, 219)
PARTY_RED = (183, 28, 28)
HEAD_FILL = (243, 244, 246)
MARGIN = 14  # mm
CELL_PAD = 1.2  # mm, left and right in a table cell

#: runs of text that never break across lines: dates, then figures with their sign, percent sign,
#: fraction in brackets and unit, then Latin words
UNBREAKABLE = re.compile(r"""
    \d{4}年\d{1,2}月(?:\d{1,2}日)?(?:\s?[至到~–-]\s?(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?)?
  | \d{1,2}月\d{1,2}日
  | \d{4}-\d{2}-\d{2}
  | [+\-−±]?\d[\d,.]*(?:\s?%)?
    (?:\s?[（(]\s?[\d,.]+\s?/\s?[\d,.]+\s?[）)])?
    (?:\s?(?:个百分点|个|天|项|家|人|名|次|条|年|倍|days?\b|pp\b))?
  | [A-Za-z][A-Za-z0-9'’._/&-]*
""", re.VERBOSE)
NO_LINE_START = set("，。、；：？！）》」』”’%‰·…,.;:?!)]}")
NO_LINE_END = set("（《「『“‘([{")


class Document(FPDF):
    """An A4 portrait document with the CJK font, header and footer; sizes scale with ``scale``."""

    def __init__(self, *, locale: str, as_of: dt.date, demo: bool = False, subtitle: str | None = None,
                 title: str | None = None, scale: float = 1.0, font: CjkFont | None = None,
                 total_pages: int | None = None):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.locale = locale
        self.as_of = as_of
        self.demo = demo
        self.doc_title = title or t("app.title", locale)
        self.subtitle = subtitle
        self.scale = scale
        self.total_pages = total_pages  # known: "第 1 页 / 共 2 页"; unknown: "第 1 页"
        self.cjk = font or cjk_font()
        self.add_font(FAMILY, fname=str(self.cjk.path), collection_font_number=self.cjk.index)
        # The embedded subset keeps the whole font's bounding box instead of fontTools recomputing it
        # from every kept glyph's outline when the subset is saved: the PDF's own FontBBox comes from
        # the font's head table either way, the pages render the same, and a brief is made in about
        # half the time (Noto CJK is a CFF font: the recalculation was ~40 % of a document's time).
        self.fonts[FAMILY].ttfont.recalcBBoxes = False
        self.set_margins(MARGIN, MARGIN + 6, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.set_title(f"{self.doc_title} · {subtitle}" if subtitle else self.doc_title)
        self.set_creator("dangong")
        self.set_lang("zh-CN" if locale == "zh_CN" else "en")
        self.add_page()

    # ------------------------------------------------------------------ page furniture
    @property
    def wrap(self) -> WrapMode:
        return WrapMode.CHAR if self.locale == "zh_CN" else WrapMode.WORD

    def size(self, points: float) -> float:
        return round(points * self.scale, 2)

    def header(self) -> None:
        self.set_y(8)
        self.set_font(FAMILY, size=9)
        self.set_text_color(*MUTED)
        left = self.doc_title + (f" · {self.subtitle}" if self.subtitle else "")
        self.cell(0, 5, left, new_x=XPos.LMARGIN, new_y=YPos.TOP)
        if self.demo:
            self.set_text_color(*PARTY_RED)
            self.cell(0, 5, t("app.demo_badge", self.locale), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RULE)
        self.line(MARGIN, 14, self.w - MARGIN, 14)
        self.set_text_color(*INK)
        self.set_y(MARGIN + 6)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, t("app.asof_badge", self.locale, date=fmt_date(self.as_of, self.locale)),
                  new_x=XPos.LMARGIN, new_y=YPos.TOP)
        if self.total_pages:
            text = t("pdf.page_of", self.locale, page=self.page_no(), pages=self.total_pages)
        else:
            text = t("pdf.page", self.locale, page=self.page_no())
        self.cell(0, 5, text, align="R")
        self.set_text_color(*INK)

    # ------------------------------------------------------------------ line breaking
    def lines(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines at most ``width`` mm wide in the current font: between
        characters (CJK) or at spaces, never inside an :data:`UNBREAKABLE` run nor before closing /
        after opening punctuation; a run wider than the line is broken by character."""
        out: list[str] = []
        for para in str(text).split("\n"):
            line = ""
            for token in _tokens(para):
                if not line.strip() or self.get_string_width((line + token).rstrip()) <= width:
                    line = line + token if line.strip() else token.lstrip()
                else:
                    out.append(line.rstrip())
                    line = token.lstrip()
                while self.get_string_width(line.rstrip()) > width and len(line.strip()) > 1:
                    cut = len(line)  # a run longer than the line: by character
                    while cut > 1 and self.get_string_width(line[:cut].rstrip()) > width:
                        cut -= 1
                    while cut > 1 and (line[cut] in NO_LINE_START or line[cut - 1] in NO_LINE_END):
                        cut -= 1
                    out.append(line[:cut].rstrip())
                    line = line[cut:].lstrip()
            out.append(line.rstrip())
        return out

    def _broken(self, text: str, width: float) -> str:
        return "\n".join(self.lines(text, width - 0.05))

    def _text_width(self, w: float = 0) -> float:
        """The room for text in a ``multi_cell`` of width ``w`` (0: to the right margin) without padding."""
        return (w or self.w - self.r_margin - self.x) - 2 * self.c_margin

    # ------------------------------------------------------------------ content
    def heading(self, text: str, level: int = 1) -> None:
        """A title (level 1, red rule under it) or a section heading (level 2)."""
        size = {1: 16, 2: 11.5}.get(level, 10.5)
        self.set_font(FAMILY, size=self.size(size))
        self.set_text_color(*INK)
        if level > 1:
            self.ln(self.size(1.5))
        self.multi_cell(0, self.size(size) * 0.5, self._broken(text, self._text_width()), wrapmode=self.wrap,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if level == 1:
            self.set_draw_color(*PARTY_RED)
            self.set_line_width(0.6)
            self.line(self.l_margin, self.get_y() + 0.8, self.w - self.r_margin, self.get_y() + 0.8)
            self.set_line_width(0.2)
            self.ln(2.5)
        else:
            self.ln(0.6)

    def paragraph(self, text: str, *, size: float = 10, muted: bool = False) -> None:
        """Running text; blank lines separate paragraphs."""
        self.set_font(FAMILY, size=self.size(size))
        self.set_text_color(*(MUTED if muted else INK))
        for part in [p.strip() for p in str(text).split("\n\n") if p.strip()]:
            self.multi_cell(0, self.size(size) * 0.5, self._broken(part, self._text_width()), wrapmode=self.wrap, align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(self.size(1.2))
        self.set_text_color(*INK)

    def facts(self, pairs: Sequence[tuple[str, str]], *, size: float = 9.5, label_width: float = 30) -> None:
        """Label: value lines (the label in grey, a fixed column)."""
        line = self.size(size) * 0.5
        for label, value in pairs:
            self.set_font(FAMILY, size=self.size(size))
            self.set_text_color(*MUTED)
            y = self.get_y()
            self.multi_cell(label_width, line, self._broken(label, self._text_width(label_width)), wrapmode=self.wrap,
                            new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.set_text_color(*INK)
            self.multi_cell(0, line, self._broken(value, self._text_width()), wrapmode=self.wrap,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_y(max(self.get_y(), y + line))
        self.ln(self.size(1))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[float] | None = None,
              size: float = 9, align: Sequence[str] | None = None) -> None:
        """A simple table: a grey header row, horizontal rules; ``widths`` are relative column widths,
        ``align`` one of L/C/R per column."""
        self.set_font(FAMILY, size=self.size(size))
        self.set_draw_color(*RULE)
        self.set_text_color(*INK)
        weights = list(widths) if widths else [1] * len(header)
        room = [self.epw * w / sum(weights) - 2 * CELL_PAD - 0.3 for w in weights]  # 0.3: the rules

        def cell(value, c: int) -> str:
            return self._broken("" if value is None else str(value), room[c]) if c < len(room) else str(value)

        with FPDF.table(
            self, col_widths=tuple(widths) if widths else None,
            text_align=tuple({"L": "LEFT", "C": "CENTER", "R": "RIGHT"}[a] for a in align) if align else "LEFT",
            line_height=self.size(size) * 0.55, padding=(0.8, CELL_PAD), wrapmode=self.wrap,
            borders_layout="HORIZONTAL_LINES", headings_style=_heading_style(), first_row_as_headings=True,
        ) as table:
            head = table.row()
            for c, h in enumerate(header):
                head.cell(cell(h, c))
            for values in rows:
                row = table.row()
                for c, value in enumerate(values):
                    row.cell(cell(value, c))
        self.ln(self.size(1.5))

    def to_bytes(self) -> bytes:
        """The PDF file."""
        return bytes(self.output())


def _tokens(text: str) -> list[str]:
    """The pieces a line may break between: :data:`UNBREAKABLE` runs, spaces, single characters;
    closing punctuation joined to the piece before it, opening punctuation to the piece after."""
    pieces: list[str] = []
    i = 0
    while i < len(text):
        m = UNBREAKABLE.match(text, i)
        j = m.end() if m and m.end() > i else i + 1
        pieces.append(text[i:j])
        i = j
    out: list[str] = []
    carry = ""
    for piece in pieces:
        if out and not carry and piece[0] in NO_LINE_START:
            out[-1] += piece
        elif piece[-1] in NO_LINE_END and not piece.isspace():
            carry += piece
        else:
            out.append(carry + piece)
            carry = ""
    if carry:
        out.append(carry)
    return out


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="", color=INK, fill_color=HEAD_FILL)


def fit_one_page(build: Callable[[float], Document], scales: Sequence[float] = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66)
                 ) -> Document:
    """The first document ``build(scale)`` that fits on one page, its footer saying 第 1 页 / 共 1 页
    (the smallest scale otherwise, numbered page by page)."""
    doc = None
    for scale in scales:
        doc = build(scale)
        if doc.page_no() == 1:
            doc.total_pages = 1  # the only footer is drawn when the document is closed, after this
            return doc
    assert doc is not None
    return doc


def with_page_total(build: Callable[[int | None], Document]) -> Document:
    """Build once to count the pages, then again with the total in every footer (第 1 页 / 共 N 页).

    ``build(total_pages)`` must pass ``total_pages`` on to :class:`Document`.
    """
    return build(build(None).page_no())
