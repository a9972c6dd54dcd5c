"""The PPTX brief's master and slides (issue 17): a title bar in the theme's red on the master, every
content slide on the "Title Only" layout with its title placeholder filled, a footer with the scope
and the date and a slide number, tables in the neutral style (red header, light bands — not
python-pptx's default blue), tables and charts filling the space, speaker notes with definitions."""

from __future__ import annotations

import io

from sqlmodel import Session

from dashboard.i18n import t
from dashboard.queries.brief import LIST_LIMIT, meeting_brief
from dashboard.queries.scope import Scope
from tests.exports import test_brief
from tests.exports.test_brief import TODAY, _with_more_items
from tests.fonts import needs_font

pytestmark = needs_font
made = test_brief.made  # the hand-made database of the brief's tests (a fixture)

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def _deck(engine, ids, *, more: bool = False, images: bool = True):
    from pptx import Presentation

    from dashboard.exports.brief import BriefContext, brief_pptx, chart_images

    if more:
        b = _with_more_items(engine, ids, LIST_LIMIT + 3, "加项{k:02d}")
    else:
        with Session(engine) as s:
            b = meeting_brief(s, Scope.district(), TODAY)
    ctx = BriefContext("zh_CN", "测试区", "甲镇、乙乡", demo=False)
    data = brief_pptx(b, ctx, chart_images(b, "zh_CN", None) if images else {})
    return Presentation(io.BytesIO(data)), b


def test_the_master_has_the_red_title_bar_footer_and_number(made):
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    engine, ids = made
    prs, _ = _deck(engine, ids, images=False)
    master = prs.slide_master
    theme = master.part.part_related_by(RT.THEME).blob.decode()
    assert '<a:accent1><a:srgbClr val="B71C1C"/></a:accent1>' in theme  # the theme's red is the app's
    bar = next(s for s in master.shapes if s.name == "Title bar")
    assert bar.left == 0 and bar.top == 0 and bar.width == prs.slide_width
    assert bar._element.find(f"{P}spPr/{A}solidFill/{A}schemeClr").get("val") == "accent1"
    title = next(s for s in master.placeholders if s.placeholder_format.idx == 0)
    assert title.top >= 0 and title.top + title.height <= bar.height  # the title sits on the bar
    white = title._element.find(f".//{A}lvl1pPr/{A}defRPr/{A}solidFill/{A}srgbClr").get("val")
    assert white == "FFFFFF"
    types = {s.placeholder_format.type for s in master.placeholders}
    assert {13, 15} <= {int(x) for x in types}  # slide number, footer


def test_every_content_slide_uses_the_layout_with_footer_number_and_notes(made):
    engine, ids = made
    prs, _ = _deck(engine, ids, more=True)
    slides = list(prs.slides)
    assert slides[0].slide_layout.name == "Title Slide"
    for n, slide in enumerate(slides[1:], start=2):
        assert slide.slide_layout.name == "Title Only", n
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text.strip(), n
        by_idx = {ph.placeholder_format.idx: ph for ph in slide.placeholders}
        footer = by_idx[11].text_frame.text
        assert "甲镇、乙乡" in footer and "统计截至 2026年11月24日" in footer and "测试区" in footer
        field = by_idx[12]._element.find(f".//{A}fld")
        assert field.get("type") == "slidenum" and field.find(f"{A}t").text == str(n)
        notes = slide.notes_slide.notes_text_frame.text
        assert t("brief.notes.figures", "zh_CN") in notes, n
    # the key figures' notes: each figure and each definition
    kpis = slides[1].notes_slide.notes_text_frame.text
    for key in ("union_coverage", "membership", "party_coverage", "qualified_built", "work_coverage"):
        assert t(f"kpi.{key}.def", "zh_CN") in kpis, key
    assert "建会率：50.0%（2 / 4），上次会议时 66.7%，变化 -16.7 个百分点。" in kpis
    due = [s for s in slides if s.shapes.title.text_frame.text.startswith("三、")]
    assert t("kpi.overdue.def", "zh_CN") in due[0].notes_slide.notes_text_frame.text
    assert "加项00" in due[0].notes_slide.notes_text_frame.text  # the slide's rows


def test_tables_are_neutral_and_fill_the_slide(made):
    from dashboard.exports.brief import PPTX_ROWS
    from dashboard.exports.slides import CONTENT_BOTTOM, NO_STYLE_TABLE

    engine, ids = made
    prs, _ = _deck(engine, ids, more=True)
    tables = [(slide, shape) for slide in prs.slides for shape in slide.shapes if shape.has_table]
    assert tables
    for slide, shape in tables:
        tbl = shape.table
        assert shape._element.find(f".//{A}tableStyleId").text == NO_STYLE_TABLE  # not python-pptx's blue
        head = tbl.cell(0, 0)
        assert str(head.fill.fore_color.rgb) == "B71C1C"
        assert str(head.text_frame.paragraphs[0].runs[0].font.color.rgb) == "FFFFFF"
        bands = {str(tbl.cell(r, 0).fill.fore_color.rgb) for r in range(1, len(tbl.rows))}
        assert bands <= {"FFFFFF", "F3F4F6"} and (len(tbl.rows) < 3 or len(bands) == 2)
    full = [(s, sh) for s, sh in tables if len(sh.table.rows) == PPTX_ROWS + 1]
    full.append(next((s, sh) for s, sh in tables if s.shapes.title.text_frame.text.startswith("一、")))
    for slide, shape in full:  # a full list and the key figures reach down to the foot of the slide
        bottom = shape.top + sum(r.height for r in shape.table.rows)
        assert bottom >= CONTENT_BOTTOM - 600000, slide.shapes.title.text_frame.text  # within 0.66 in
        assert bottom <= CONTENT_BOTTOM
        size = shape.table.cell(1, 0).text_frame.paragraphs[0].runs[0].font.size.pt
        assert size >= 12


def test_the_chart_fills_its_slide(made):
    from dashboard.exports.slides import CONTENT_BOTTOM, MARGIN, WIDTH

    engine, ids = made
    prs, _ = _deck(engine, ids)
    pictures = [sh for slide in prs.slides for sh in slide.shapes if sh.shape_type == 13]
    assert len(pictures) == 1
    pic = pictures[0]
    assert pic.left >= MARGIN - 1 and pic.left + pic.width <= WIDTH - MARGIN + 1
    assert pic.top + pic.height <= CONTENT_BOTTOM + 1
    # scaled to the space: as wide as the content area or as tall as it
    assert pic.width >= 0.95 * (WIDTH - 2 * MARGIN) or pic.top + pic.height >= CONTENT_BOTTOM - 0.05 * 914400
