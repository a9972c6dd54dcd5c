"""The joint-meeting brief as a PDF (A4, CJK font embedded) and as a PPTX (16:9, charts as PNG
images from vl-convert, East Asian text set in a font PowerPoint and WPS resolve).

Both are built from one :class:`dashboard.queries.brief.Brief` and say the same things in the
same order: the KPIs and their change since the previous meeting, the previous meeting's
decisions, the items overdue or due soon, the new gaps, the campaign's pace and the founding-lead
pipeline, one model enterprise. Their rows, status
words and summaries come from ``dashboard.views.meetings`` — the functions the meetings page uses,
so the screen and the documents cannot disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from dashboard import charts
from dashboard.exports.fonts import EAST_ASIAN_TYPEFACE
from dashboard.exports.pdf import Document
from dashboard.exports.png import chart_png
from dashboard.i18n import fmt_date, t
from dashboard.queries.brief import LIST_LIMIT, Brief
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.views import campaigns as CV
from dashboard.views import leads as LV
from dashboard.views import meetings as V
from dashboard.views.status import PACE_MARGIN


@dataclass(frozen=True)
class BriefContext:
    """What the brief needs besides the data: language, district name, scope label, demo flag."""

    locale: str
    district: str
    scope_label: str
    demo: bool
    margin: float = PACE_MARGIN  # the campaign pace rule's margin (setting campaign_pace_margin_pp)


# --------------------------------------------------------------------------- shared text


def title(brief: Brief, ctx: BriefContext) -> str:
    if brief.meeting is not None:
        return t("brief.title_meeting", ctx.locale, title=brief.meeting.title)
    return t("brief.title_next", ctx.locale)


def subtitle(brief: Brief, ctx: BriefContext) -> str:
    loc = ctx.locale
    since = (t("brief.since", loc, title=brief.previous.title, date=fmt_date(brief.previous.held_on, loc))
             if brief.previous else t("brief.no_previous", loc))
    return f"{ctx.district} · {ctx.scope_label} · {t('app.asof_badge', loc, date=fmt_date(brief.date, loc))} · {since}"


def kpi_rows(brief: Brief, loc: str) -> list[list[str]]:
    """KPI | value (numerator / denominator) | at the previous meeting | change."""
    return V.brief_kpi_rows(brief, loc)


def decided_rows(brief: Brief, loc: str) -> list[list[str]]:
    """The previous meeting's items: the rows of the page's since-the-last-meeting list."""
    return V.item_rows(brief.since.decided, loc, limit=LIST_LIMIT) if brief.since else []


def due_rows(brief: Brief, loc: str) -> list[list[str]]:
    """The items overdue or due soon (the first LIST_LIMIT)."""
    return V.item_rows(brief.due, loc, limit=LIST_LIMIT)


def summaries(brief: Brief, loc: str) -> dict[str, str]:
    """The one-sentence summary of each section, shared by the PDF and the PPTX."""
    return V.brief_summaries(brief, loc)


def gap_rows(brief: Brief, loc: str) -> list[list[str]]:
    return V.brief_gap_rows(brief.new_gaps, loc, limit=LIST_LIMIT)


def campaign_lines(brief: Brief, ctx: BriefContext) -> tuple[str, str, list[str], list[list[str]]]:
    """(the campaign's line, the pipeline's sentence, the zones' header and rows): the campaigns
    page's zone table cut to the brief's columns (same pace words) and ``views.leads``'s sentence."""
    loc = ctx.locale
    if brief.campaign.empty:
        line = t("brief.campaign.none", loc)
    else:
        first = brief.campaign.iloc[0]
        line = t("brief.campaign.name", loc, name=first["campaign"], start=fmt_date(first["start_on"], loc),
                 end=fmt_date(first["end_on"], loc))
    header, rows, _ = CV.brief_zone_rows(brief.campaign, brief.date, loc, ctx.margin)
    return line, LV.headline_text(brief.leads, loc), header, rows


def model_lines(brief: Brief, loc: str) -> tuple[str, str, list[str]]:
    """(name · township, headline, honour lines)."""
    m = brief.model
    if m is None:
        return "", "", []
    honours = [f"{h.title}（{t(f'cases.level.{h.level}', loc)}，{h.awarding_body}，{h.year}）" if loc == "zh_CN"
               else f"{h.title} ({t(f'cases.level.{h.level}', loc)}, {h.awarding_body}, {h.year})"
               for h in m.honours.head(4).itertuples(index=False)]
    facts = []
    if m.one_person:
        facts.append(t("brief.one_person", loc))
    return f"{m.name} · {m.township}", m.headline(loc) or "", facts + honours


# --------------------------------------------------------------------------- charts


def chart_images(brief: Brief, loc: str, townships: pd.DataFrame | None) -> dict[str, bytes]:
    """PNG images: the pattern breakdown and (when boundaries exist) the union-coverage map."""
    images = {"patterns": chart_png(charts.pattern_bar(brief.kpis.patterns, loc).to_dict(), width=520)}
    if townships is not None and len(brief.by_township):
        m = township_map_frame(brief.by_township, townships, "union_coverage")
        if m["boundary_geojson"].notna().any():
            spec = charts.township_map(m[MAP_COLUMNS], loc,
                                       value_col="value", value_title=t("kpi.union_coverage", loc), height=300).to_dict()
            images["map"] = chart_png(spec, width=520)
    return images


# --------------------------------------------------------------------------- PDF


def brief_pdf(brief: Brief, ctx: BriefContext, images: dict[str, bytes]) -> bytes:
    loc = ctx.locale
    doc = Document(locale=loc, as_of=brief.date, demo=ctx.demo, subtitle=t("brief.name", loc))
    doc.heading(title(brief, ctx))
    doc.paragraph(subtitle(brief, ctx), size=9, muted=True)

    doc.heading(t("brief.section.kpis", loc), level=2)
    doc.table([t("brief.col.kpi", loc), t("brief.col.now", loc, date=fmt_date(brief.date, loc)),
               t("brief.col.then", loc), t("brief.col.change", loc)], kpi_rows(brief, loc),
              widths=[2.2, 3, 1.6, 1.8], align="LRRR")
    if images:
        y = doc.get_y()
        half = (doc.w - doc.l_margin - doc.r_margin - 4) / 2
        heights = []
        for i, key in enumerate(k for k in ("patterns", "map") if k in images):
            info = doc.image(io.BytesIO(images[key]), x=doc.l_margin + i * (half + 4), y=y, w=half)
            heights.append(info.rendered_height)
        doc.set_y(y + max(heights) + 3)

    text = summaries(brief, loc)
    lists = (("decided", decided_rows(brief, loc), len(brief.since.decided) if brief.since else 0),
             ("due", due_rows(brief, loc), brief.n_due))
    for section, rows, n_total in lists:
        doc.heading(t(f"brief.section.{section}", loc), level=2)
        doc.paragraph(text[section], size=9.5, muted=section == "decided" and brief.since is None)
        if rows:
            doc.table(V.item_header(loc), rows, widths=[1, 5, 2.4, 1.9, 1.3], align="LLLLR", size=8.5)
            if (note := V.more_text(n_total, len(rows), loc)):
                doc.paragraph(note, size=8.5, muted=True)

    doc.heading(t("brief.section.gaps", loc), level=2)
    doc.paragraph(text["gaps"], size=9.5, muted=brief.since is None)
    if brief.since is not None:
        rows = gap_rows(brief, loc)
        if rows:
            doc.table([t("col.enterprise", loc), t("col.township", loc), t("col.party_members", loc)], rows,
                      widths=[4, 2, 1.4], align="LLR", size=8.5)
            if (note := V.more_text(brief.since.n_new_should_build, len(rows), loc)):
                doc.paragraph(note, size=8.5, muted=True)

    doc.heading(t("brief.section.campaign", loc), level=2)
    line, leads_line, header, rows = campaign_lines(brief, ctx)
    doc.paragraph(line, size=9.5, muted=brief.campaign.empty)
    if rows:
        doc.table(header, rows, widths=[2, 1.6, 1.8, 1.1, 1.1, 1.2], align="LRRRRL", size=8.5)
    doc.paragraph(leads_line, size=9.5)

    doc.heading(t("brief.section.model", loc), level=2)
    name, headline, lines = model_lines(brief, loc)
    if not name:
        doc.paragraph(t("brief.no_model", loc), size=9, muted=True)
    else:
        doc.paragraph(name, size=10.5)
        if headline:
            doc.paragraph(headline, size=9.5)
        for line in lines:
            doc.paragraph(f"· {line}", size=9)
    return doc.to_bytes()


# --------------------------------------------------------------------------- PPTX


def _set_ea_font(run, typeface: str = EAST_ASIAN_TYPEFACE) -> None:
    """Name the East Asian (and Latin) typeface of a run: without ``<a:ea>``, PowerPoint and WPS
    may pick a font without Chinese glyphs."""
    from pptx.oxml.ns import qn

    rpr = run._r.get_or_add_rPr()
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", typeface)


def _text(frame, text: str, *, size: int, bold: bool = False, colour=None, new_paragraph: bool = False) -> None:
    from pptx.util import Pt

    para = frame.add_paragraph() if new_paragraph else frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    _set_ea_font(run)


def _slide(prs, heading: str, sub: str | None = None):
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    box = slide.shapes.add_textbox(Emu(457200), Emu(280000), prs.slide_width - Emu(914400), Emu(700000))
    box.text_frame.word_wrap = True
    _text(box.text_frame, heading, size=28, bold=True, colour=RGBColor(0x11, 0x18, 0x27))
    if sub:
        _text(box.text_frame, sub, size=13, colour=RGBColor(0x4B, 0x55, 0x63), new_paragraph=True)
    line = slide.shapes.add_connector(1, Emu(457200), Emu(1150000), prs.slide_width - Emu(457200), Emu(1150000))
    line.line.color.rgb = RGBColor(0xB7, 0x1C, 0x1C)
    line.line.width = Pt(2)
    return slide


def _table(slide, prs, header: list[str], rows: list[list[str]], *, top, widths: list[float], size: int = 14):
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    left = Emu(457200)
    width = prs.slide_width - Emu(914400)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, width, Emu(400000 * (len(rows) + 1)))
    table = shape.table
    total = sum(widths)
    for i, w in enumerate(widths):
        table.columns[i].width = Emu(int(width * w / total))
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            _text(cell.text_frame, str(value), size=size, bold=r == 0,
                  colour=RGBColor(0x11, 0x18, 0x27) if r else RGBColor(0xFF, 0xFF, 0xFF))
            cell.text_frame.paragraphs[0].runs[0].font.size = Pt(size)
    return table


PPTX_ROWS = 8  # rows of a list on one slide; the rest is counted in a note under the table


def _note(slide, prs, text: str | None) -> None:
    """A grey line at the foot of the slide (e.g. "另有 N 项未列出")."""
    if not text:
        return
    from pptx.dml.color import RGBColor
    from pptx.util import Emu

    box = slide.shapes.add_textbox(Emu(457200), prs.slide_height - Emu(600000), prs.slide_width - Emu(914400),
                                   Emu(400000))
    _text(box.text_frame, text, size=12, colour=RGBColor(0x4B, 0x55, 0x63))


def _list_slides(prs, loc: str, heading: str, sub: str, header: list[str], rows: list[list[str]],
                 note: str | None, *, widths: list[float], size: int) -> None:
    """A list on as many slides as it needs (:data:`PPTX_ROWS` rows each, "（续）" after the first): the
    same rows as the PDF's table — the one list rule of every format — with the same note of what was
    left out under the last one."""
    from pptx.util import Emu

    chunks = [rows[k:k + PPTX_ROWS] for k in range(0, len(rows), PPTX_ROWS)] or [[]]
    for k, chunk in enumerate(chunks):
        s = _slide(prs, heading + (t("brief.continued", loc) if k else ""), sub if k == 0 else None)
        if chunk:
            _table(s, prs, header, chunk, top=Emu(1350000), widths=widths, size=size)
        if k == len(chunks) - 1:
            _note(s, prs, note)


def brief_pptx(brief: Brief, ctx: BriefContext, images: dict[str, bytes]) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu

    loc = ctx.locale
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9
    prs.core_properties.title = title(brief, ctx)
    prs.core_properties.language = "zh-CN" if loc == "zh_CN" else "en"
    demo = f" · {t('app.demo_badge', loc)}" if ctx.demo else ""

    cover = prs.slides.add_slide(prs.slide_layouts[6])
    box = cover.shapes.add_textbox(Emu(700000), Emu(2200000), prs.slide_width - Emu(1400000), Emu(2200000))
    box.text_frame.word_wrap = True
    _text(box.text_frame, title(brief, ctx), size=40, bold=True)
    _text(box.text_frame, subtitle(brief, ctx) + demo, size=18, new_paragraph=True)

    s = _slide(prs, t("brief.section.kpis", loc), t("app.asof_badge", loc, date=fmt_date(brief.date, loc)))
    _table(s, prs, [t("brief.col.kpi", loc), t("brief.col.now", loc, date=fmt_date(brief.date, loc)),
                    t("brief.col.then", loc), t("brief.col.change", loc)], kpi_rows(brief, loc),
           top=Emu(1350000), widths=[2.2, 3, 1.6, 1.8], size=16)

    if images:
        s = _slide(prs, t("brief.section.charts", loc))
        keys = [k for k in ("patterns", "map") if k in images]
        width = (prs.slide_width - Emu(914400 + 300000)) // max(len(keys), 1)
        for i, key in enumerate(keys):
            s.shapes.add_picture(io.BytesIO(images[key]), Emu(457200 + i * (width + 300000)), Emu(1400000), width=width)

    text = summaries(brief, loc)
    _list_slides(prs, loc, t("brief.section.decided", loc), text["decided"], V.item_header(loc), decided_rows(brief, loc),
                 V.more_text(len(brief.since.decided) if brief.since else 0, len(decided_rows(brief, loc)), loc),
                 widths=[1, 5, 2.4, 1.9, 1.3], size=13)
    _list_slides(prs, loc, t("brief.section.due", loc), text["due"], V.item_header(loc), due_rows(brief, loc),
                 V.more_text(brief.n_due, len(due_rows(brief, loc)), loc), widths=[1, 5, 2.4, 1.9, 1.3], size=13)
    gaps = gap_rows(brief, loc) if brief.since is not None else []
    _list_slides(prs, loc, t("brief.section.gaps", loc), text["gaps"],
                 [t("col.enterprise", loc), t("col.township", loc), t("col.party_members", loc)], gaps,
                 V.more_text(brief.since.n_new_should_build, len(gaps), loc) if brief.since else None,
                 widths=[4, 2, 1.4], size=14)

    line, leads_line, header, rows = campaign_lines(brief, ctx)
    s = _slide(prs, t("brief.section.campaign", loc), line)
    if rows:
        _table(s, prs, header, rows[:PPTX_ROWS], top=Emu(1350000), widths=[2, 1.6, 1.8, 1.1, 1.1, 1.2], size=14)
    box = s.shapes.add_textbox(Emu(457200), prs.slide_height - Emu(1100000), prs.slide_width - Emu(914400), Emu(600000))
    box.text_frame.word_wrap = True
    _text(box.text_frame, leads_line, size=16, bold=True)

    name, headline, lines = model_lines(brief, loc)
    s = _slide(prs, t("brief.section.model", loc), name or t("brief.no_model", loc))
    if name:
        box = s.shapes.add_textbox(Emu(457200), Emu(1400000), prs.slide_width - Emu(914400), Emu(4500000))
        box.text_frame.word_wrap = True
        _text(box.text_frame, headline, size=20, bold=True)
        for line in lines:
            _text(box.text_frame, f"· {line}", size=16, new_paragraph=True)

    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
