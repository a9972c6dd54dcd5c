"""The one-page case-study PDF and the PDF base: produced, one A4 page, the CJK font embedded, and
the text read back (pypdf) carries the enterprise's name and every honour title."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from dashboard.exports import fonts
from dashboard.exports.case_pdf import MAX_HONOURS, case_pdf
from dashboard.exports.pdf import Document, fit_one_page, with_page_total
from dashboard.queries import cases
from dashboard.queries.scope import Scope
from models.tables import Enterprise, Honour
from seed_data import facts
from tests.exports.pdftext import embedded_font_files, pypdf_text, text_of
from tests.fonts import needs_font

TODAY = dt.date(2026, 11, 24)



# ``demo_engine``: the shared, read-only demo district of tests/conftest.py


def detail_of(engine, name: str, as_of: dt.date = TODAY):
    with Session(engine) as s:
        eid = s.exec(select(Enterprise.id).where(Enterprise.name == name)).one()
        detail = cases.case_detail(s, Scope.district(), eid, as_of)
        honours = s.exec(select(Honour.title).where(Honour.enterprise_id == eid, Honour.year <= as_of.year)).all()
    return detail, honours


@needs_font
@pytest.mark.parametrize("name", facts.MODEL_ENTERPRISES)  # the source's four: 德运, 恒通, 方田, 红光
def test_one_page_with_the_name_and_every_honour_in_chinese(demo_engine, name):
    detail, honours = detail_of(demo_engine, name)
    data = case_pdf(detail, "zh_CN", demo=True)
    assert data.startswith(b"%PDF")
    reader, text = text_of(data)
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    assert name in text and name in pypdf_text(data)  # the title is among the first glyphs
    assert "\ufffd" not in text
    assert len(honours) <= MAX_HONOURS and all(h in text for h in honours)
    assert "统计截至2026年11月24日" in text and "演示数据" in text and "第1页/共1页" in text
    assert embedded_font_files(reader)  # the CJK font is embedded, not referenced


@needs_font
def test_deyun_pdf_holds_the_source_facts(demo_engine):
    detail, _ = detail_of(demo_engine, facts.DEYUN, facts.SNAPSHOT)
    _, text = text_of(case_pdf(detail, "zh_CN"))
    for title, level, _, body in facts.DEYUN_HONORS:
        assert title in text and body in text
    assert "先建党总支（1998年），后建工会（1999年）" in text
    assert "演示数据" not in text  # not a demo unless told so


@needs_font
def test_hongguang_pdf_in_english_keeps_the_chinese_names(demo_engine):
    detail, _ = detail_of(demo_engine, facts.HONGGUANG, facts.SNAPSHOT)
    reader, text = text_of(case_pdf(detail, "en", demo=True))
    assert len(reader.pages) == 1
    assert facts.HONGGUANG in text and "notaPartymember" in text and "Union first (1999)" .replace(" ", "") in text
    assert "Page1of1" in text and embedded_font_files(reader)


@needs_font
def test_the_base_numbers_pages_and_fit_one_page_shrinks():
    def build(scale: float = 1.0, total: int | None = None) -> Document:
        doc = Document(locale="zh_CN", as_of=dt.date(2002, 12, 31), subtitle="测试", scale=scale, total_pages=total)
        doc.heading("标题")
        for _ in range(34):
            doc.paragraph("一段较长的中文文字，用来把页面占满。" * 3)
        doc.table(["名称", "数量"], [["甲", "1"], ["乙", "2"]], widths=[3, 1], align=["L", "R"])
        return doc

    big = build(1.0)
    assert big.page_no() == 2
    _, text = text_of(big.to_bytes())
    assert "第1页" in text and "第2页" in text and "共2页" not in text and text.count("党工共建驾驶舱·测试") == 2
    assert "统计截至2002年12月31日" in text and "名称数量甲1乙2" in text
    _, text = text_of(with_page_total(lambda total: build(1.0, total)).to_bytes())
    assert "第1页/共2页" in text and "第2页/共2页" in text
    fitted = fit_one_page(build)
    assert fitted.page_no() == 1 and fitted.scale < 1.0
    assert "第1页/共1页" in text_of(fitted.to_bytes())[1]


def test_no_font_is_a_clear_error(demo_engine, monkeypatch, tmp_path):
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_CJK_FONT", str(tmp_path / "missing.ttc"))
    get_settings.cache_clear()
    detail, _ = detail_of(demo_engine, facts.DEYUN)
    with pytest.raises(fonts.FontMissing, match="DANGONG_CJK_FONT"):
        case_pdf(detail, "zh_CN")
