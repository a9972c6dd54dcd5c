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
from dashboard.exports.pdf import Document
from dashboard.exports.png import chart_png
from dashboard.i18n import fmt_date, t
from dashboard.queries.brief import LIST_LIMIT, Brief
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.views import campaigns as CV
from dashboard.views import leads as LV
from dashboard.views import mechanisms as MV
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


def mechanisms_section(brief: Brief, loc: str) -> MV.Section | None:
    """荐优纳新 and 双爱双评 since the previous meeting (``views.mechanisms``: the same sentences, rows
    and "另有 N 项" note in every format); None for a brief gathered without them."""
    if brief.mechanisms is None:
        return None
    return MV.brief_section(brief.mechanisms, loc, limit=LIST_LIMIT)


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

    if (mech := mechanisms_section(brief, loc)) is not None:
        if doc.get_y() > doc.page_break_trigger - 45:  # the heading stays with its first lines
            doc.add_page()
        doc.heading(t("brief.section.mechanisms", loc), level=2)
        doc.paragraph(mech.period, size=9, muted=True)
        for line in [*mech.development, *mech.awards, *([mech.result] if mech.result else [])]:
            doc.paragraph(line, size=9.5, muted=mech.empty)
        if mech.rows:
            doc.table(mech.header, mech.rows, widths=[3, 1.6, 1.6, 1.2], align="LRRR", size=8.5)
            if mech.more:
                doc.paragraph(mech.more, size=8.5, muted=True)
    return doc.to_bytes()


# --------------------------------------------------------------------------- PPTX
#
# The deck is built on a master with the title bar in the theme's red, the footer (district · scope ·
# 统计截至 date) and slide numbers (``dashboard.exports.slides``); every slide after the cover uses
# its "Title Only" layout and carries speaker notes: the figures' definitions and the slide's numbers.


PPTX_ROWS = 8  # rows of a list on one slide; the list goes on over slides (（续）) to the PDF's rows


def _list_slides(deck, loc: str, heading: str, sub: str, header: list[str], rows: list[list[str]],
                 note: str | None, *, widths: list[float], align: str, notes: list[tuple[str, list[str]]],
                 tail: str | None = None) -> None:
    """A list on as many slides as it needs (:data:`PPTX_ROWS` rows each, "（续）" after the first): the
    same rows as the PDF's table — the one list rule of every format — with the same note of what was
    left out under the last one (and ``tail``, a closing line, at its foot)."""
    from dashboard.exports.slides import CONTENT_BOTTOM, INK

    chunks = [rows[k:k + PPTX_ROWS] for k in range(0, len(rows), PPTX_ROWS)] or [[]]
    for k, chunk in enumerate(chunks):
        last = k == len(chunks) - 1
        s = deck.slide(heading + (t("brief.continued", loc) if k else ""), sub if k == 0 else None)
        bottom = CONTENT_BOTTOM
        if last and tail and not chunk:  # nothing to list: the closing line right under the heading
            deck.text_block(s, "", [tail])
        elif last:
            bottom = deck.foot_note(s, tail, size=18, bold=True, colour=INK, bottom=bottom)
        if last:
            bottom = deck.foot_note(s, note, bottom=bottom)
        if chunk:
            deck.table(s, header, chunk, widths=widths, align=align, bottom=bottom)
        lines = [f"{i + 1 + k * PPTX_ROWS}. " + " | ".join(x for x in row if x) for i, row in enumerate(chunk)]
        deck.notes(s, [(t("brief.notes.figures", loc), [sub, *lines, note if last else ""]), *notes])


def _kpi_notes(brief: Brief, loc: str) -> list[tuple[str, list[str]]]:
    rows = kpi_rows(brief, loc)
    figures = [t("brief.notes.kpi_row", loc, kpi=r[0], now=r[1], then=r[2], change=r[3]) for r in rows]
    definitions = [f"{t(f'kpi.{key}', loc)}：{t(f'kpi.{key}.def', loc)}" if loc == "zh_CN"
                   else f"{t(f'kpi.{key}', loc)}: {t(f'kpi.{key}.def', loc)}" for key in V.BRIEF_RATES]
    definitions += [t("pattern.help", loc), t("brief.notes.change", loc)]
    return [(t("brief.notes.figures", loc), figures), (t("brief.notes.definitions", loc), definitions)]


def _pattern_notes(brief: Brief, loc: str) -> list[str]:
    from models.enums import Pattern

    unit = t("unit.enterprises", loc)
    return [f"{t(f'pattern.{p.value}', loc)} {brief.kpis.patterns.get(p, 0):,} {unit}" for p in Pattern]


def brief_pptx(brief: Brief, ctx: BriefContext, images: dict[str, bytes]) -> bytes:
    from dashboard.exports.slides import Deck
    from dashboard.views.overview import margin_text

    loc = ctx.locale
    asof = t("app.asof_badge", loc, date=fmt_date(brief.date, loc))
    demo = f" · {t('app.demo_badge', loc)}" if ctx.demo else ""
    deck = Deck(footer=f"{ctx.district} · {ctx.scope_label} · {asof}{demo}", title=title(brief, ctx),
                language="zh-CN" if loc == "zh_CN" else "en")
    definitions = t("brief.notes.definitions", loc)

    since = (t("brief.since", loc, title=brief.previous.title, date=fmt_date(brief.previous.held_on, loc))
             if brief.previous else t("brief.no_previous", loc))
    cover_lines = [f"{ctx.district} · {ctx.scope_label}", asof + demo, since]
    cover = deck.cover(title(brief, ctx), cover_lines)
    deck.notes(cover, [(t("brief.notes.figures", loc), [subtitle(brief, ctx) + demo]),
                       (definitions, [t("brief.notes.cover", loc)])])

    s = deck.slide(t("brief.section.kpis", loc), since)
    deck.table(s, [t("brief.col.kpi", loc), t("brief.col.now", loc, date=fmt_date(brief.date, loc)),
                   t("brief.col.then", loc), t("brief.col.change", loc)], kpi_rows(brief, loc),
               widths=[2.2, 3, 1.8, 2.2], align="LRRR", max_size=24, max_row=0.85)
    deck.notes(s, _kpi_notes(brief, loc))

    if images:
        s = deck.slide(t("brief.section.charts", loc))
        keys = [k for k in ("patterns", "map") if k in images]
        deck.pictures(s, [images[k] for k in keys])
        chart_defs = [t("pattern.help", loc)] + ([f"{t('kpi.union_coverage', loc)}：{t('kpi.union_coverage.def', loc)}"
                                                  if loc == "zh_CN" else
                                                  f"{t('kpi.union_coverage', loc)}: {t('kpi.union_coverage.def', loc)}"]
                                                 if "map" in keys else [])
        deck.notes(s, [(t("brief.notes.figures", loc), _pattern_notes(brief, loc)), (definitions, chart_defs)])

    text = summaries(brief, loc)
    item_defs = [(definitions, [t("kpi.overdue.def", loc), t("brief.notes.due_soon", loc, days=V.DUE_SOON_DAYS)])]
    items = {"widths": [1.1, 5, 2.4, 2.1, 1.4], "align": "LLLLR"}
    decided = decided_rows(brief, loc)
    _list_slides(deck, loc, t("brief.section.decided", loc), text["decided"], V.item_header(loc), decided,
                 V.more_text(len(brief.since.decided) if brief.since else 0, len(decided), loc), notes=item_defs,
                 **items)
    due = due_rows(brief, loc)
    _list_slides(deck, loc, t("brief.section.due", loc), text["due"], V.item_header(loc), due,
                 V.more_text(brief.n_due, len(due), loc), notes=item_defs, **items)
    gaps = gap_rows(brief, loc) if brief.since is not None else []
    _list_slides(deck, loc, t("brief.section.gaps", loc), text["gaps"],
                 [t("col.enterprise", loc), t("col.township", loc), t("col.party_members", loc)], gaps,
                 V.more_text(brief.since.n_new_should_build, len(gaps), loc) if brief.since else None,
                 widths=[4, 2, 1.4], align="LLR", notes=[(definitions, [t("pattern.help", loc)])])

    line, leads_line, header, rows = campaign_lines(brief, ctx)
    _list_slides(deck, loc, t("brief.section.campaign", loc), line, header, rows, None,
                 widths=[2, 1.6, 1.8, 1.1, 1.1, 1.2], align="LRRRRL", tail=leads_line,
                 notes=[(t("brief.notes.figures", loc), [leads_line]),
                        (definitions, [t("camp.zones.help", loc, margin=margin_text(ctx.margin)),
                                       t("leads.kpi.conversion.help", loc)])])

    name, headline, lines = model_lines(brief, loc)
    s = deck.slide(t("brief.section.model", loc), name or t("brief.no_model", loc))
    if name:
        deck.text_block(s, headline, lines)
    deck.notes(s, [(t("brief.notes.figures", loc), [name, headline, *lines] if name else [t("brief.no_model", loc)])])

    if (mech := mechanisms_section(brief, loc)) is not None:
        _mechanism_slides(deck, loc, mech)
    return deck.to_bytes()


def _mechanism_slides(deck, loc: str, mech: MV.Section) -> None:
    """荐优纳新 on one slide (its sentences), 双爱双评 on the next (its sentences and the townships'
    table, over as many slides as the list needs); the empty period on one slide. Notes: the figures
    and their definitions."""
    heading, definitions = t("brief.section.mechanisms", loc), t("brief.notes.definitions", loc)
    if mech.empty:
        s = deck.slide(heading, mech.period)
        deck.text_block(s, "", mech.development)
        deck.notes(s, [(t("brief.notes.figures", loc), [mech.period, *mech.development]), (definitions, mech.definitions)])
        return
    s = deck.slide(t("brief.section.mechanisms.part", loc, section=heading, part=t("mech.part.development", loc)), mech.period)
    deck.text_block(s, "", mech.development)
    deck.notes(s, [(t("brief.notes.figures", loc), [mech.period, *mech.development]), (definitions, mech.definitions)])
    _list_slides(deck, loc, t("brief.section.mechanisms.part", loc, section=heading, part=t("mech.part.awards", loc)),
                 ("" if loc == "zh_CN" else " ").join([*mech.awards, mech.result]),
                 mech.header, mech.rows, mech.more, widths=[3, 1.6, 1.6, 1.2], align="LRRR",
                 notes=[(definitions, mech.definitions)])
