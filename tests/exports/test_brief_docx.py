"""The Word brief (.docx) read back with python-docx: the 公文 layout (A4, margins, red issuing organ
and rule, 文号 from the setting, page numbers odd right / even left, the 版记), the figures of the PDF
and the PPTX, the same list rows and "另有 N 项" notes, an East Asian typeface on every run."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import Session

from dashboard.i18n import t
from dashboard.queries.brief import meeting_brief
from dashboard.queries.scope import Scope
from tests.exports.test_brief import EXPECTED, TODAY, _pdf_text, _with_more_items, made  # noqa: F401
from tests.fonts import needs_font

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return re.sub(r"\s+", "", "".join(parts))


def runs(doc):
    out = [r for p in doc.paragraphs for r in p.runs]
    for table in doc.tables:
        out += [r for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    return out


def brief(engine, **kw):
    from dashboard.exports.brief import BriefContext

    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY, **kw)
    return b, BriefContext("zh_CN", "测试区", "全区", demo=False)


def test_the_word_brief_is_a_gongwen_with_the_figures(made):  # noqa: F811
    from dashboard.exports.brief import chart_images
    from dashboard.exports.brief_docx import RED, brief_docx

    engine, _ = made
    b, ctx = brief(engine)
    data = brief_docx(b, ctx, chart_images(b, "zh_CN", None), doc_no="区党工办〔{year}〕3号")
    assert data[:2] == b"PK"  # a zip: the .docx container
    doc = read(data)
    text = all_text(doc)
    for needle in EXPECTED:
        assert re.sub(r"\s+", "", needle) in text, needle
    section = doc.sections[0]
    mm = lambda *lengths: tuple(round(x.mm, 1) for x in lengths)  # noqa: E731  (stored in twips)
    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == (37, 35, 28, 26)
    head = [p for p in doc.paragraphs if p.text][:4]
    assert head[0].text.startswith("内部资料")
    assert head[1].text == "测试区党工共建工作领导小组办公室"
    assert head[1].runs[0].font.color.rgb is not None and tuple(head[1].runs[0].font.color.rgb) == RED
    assert head[2].text == "区党工办〔2026〕3号"  # {year}: the brief's year
    assert head[2]._p.find(f"{W}pPr/{W}pBdr/{W}bottom").get(f"{W}color") == "C00000"  # the red rule
    assert head[3].text == "下次区级联席会议简报"
    # the signature and the 版记 at the end: the organ, the date, the 印发 line
    tail = [p.text for p in doc.paragraphs if p.text][-3:]
    assert tail == ["测试区党工共建工作领导小组办公室", "2026年11月24日", "测试区党工共建工作领导小组办公室　　2026年11月24日印发"]
    # page numbers: odd pages at the right, even pages at the left, a PAGE field in each
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):
        p = footer.paragraphs[0]
        assert p.alignment == align and p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(x.text for x in p._p.iter(f"{W}instrText"))
    assert len(doc.inline_shapes) == 1  # the pattern chart (no boundaries here: no map)
    # the KPI table's rows are the PDF's rows
    from dashboard.exports.brief import kpi_rows

    kpis = doc.tables[0]
    assert [[c.text for c in row.cells] for row in kpis.rows][1:] == kpi_rows(b, "zh_CN")


def test_every_run_names_an_east_asian_typeface(made):  # noqa: F811
    from dashboard.exports.brief_docx import brief_docx

    engine, _ = made
    b, ctx = brief(engine)
    doc = read(brief_docx(b, ctx, {}))
    found = runs(doc)
    assert len(found) > 30
    for run in found:
        fonts = run._r.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and fonts.get(f"{W}eastAsia"), run.text
    # no 文号 setting: no 文号 line, the red rule under an empty paragraph
    assert not any("〔" in p.text for p in doc.paragraphs[:4])


@needs_font
def test_word_pdf_and_pptx_list_the_same_items_and_say_the_same_rest(made):  # noqa: F811
    """One list rule for every format: the Word brief lists the PDF's rows and says the same 另有 N 项."""
    from dashboard.exports.brief import BriefContext, brief_pdf
    from dashboard.exports.brief_docx import brief_docx
    from dashboard.queries.brief import LIST_LIMIT

    engine, ids = made
    b = _with_more_items(engine, ids, LIST_LIMIT + 3, "加项{k:02d}")
    ctx = BriefContext("zh_CN", "##区", "全区", False)
    pdf = re.sub(r"\s+", "", _pdf_text(brief_pdf(b, ctx, {})))
    word = all_text(read(brief_docx(b, ctx, {})))
    listed = [f"加项{k:02d}" for k in range(LIST_LIMIT + 3)]
    in_word = [x for x in listed if x in word]
    assert [x for x in listed if x in pdf] == in_word and len(in_word) >= LIST_LIMIT - 3
    rest = re.sub(r"\s+", "", t("brief.more", "zh_CN", n=b.n_due - LIST_LIMIT))
    assert rest in pdf and rest in word


def test_english_word_brief(made):  # noqa: F811
    from dashboard.exports.brief import BriefContext
    from dashboard.exports.brief_docx import brief_docx

    engine, _ = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
    doc = read(brief_docx(b, BriefContext("en", "Test district", "Whole district", False), {}, issuer="Test office"))
    text = all_text(doc)
    assert "Briefforthenextdistrictjointmeeting" in text and "50.0%(2/4)" in text and "146days" in text
    assert [p.text for p in doc.paragraphs if p.text][1] == "Test office"


@pytest.mark.parametrize("kind", ["pdf", "pptx", "docx"])
def test_the_download_builds_each_kind(made, kind, monkeypatch):  # noqa: F811
    """``ui.brief.document``: the page's download builds each of the three documents from the settings."""
    from dashboard.ui import brief as ui_brief
    from models.settings import get_settings

    engine, _ = made
    monkeypatch.setenv("DANGONG_BRIEF_DOC_NO", "测试〔{year}〕9号")
    get_settings.cache_clear()
    try:
        data = ui_brief.document.__wrapped__(engine.url.render_as_string(hide_password=False), Scope.district(), TODAY,
                                             None, "zh_CN", "全区", kind)
    finally:
        get_settings.cache_clear()
    assert data[:4] == (b"%PDF" if kind == "pdf" else b"PK\x03\x04")
    if kind == "docx":
        assert "测试〔2026〕9号" in all_text(read(data))
