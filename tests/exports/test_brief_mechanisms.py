"""The brief's section 七、荐优纳新与双爱双评 read back from the PDF (pypdf, through the font's
ToUnicode map), the PPTX (python-pptx, with its speaker notes) and the Word brief (python-docx): the
same sentences and township rows in all three, the one list rule ("另有 N 项"), the empty state, a
township's scope, and no personal name — on the demo district."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.exports import brief as B
from dashboard.exports.brief import BriefContext, brief_pdf, brief_pptx
from dashboard.exports.brief_docx import brief_docx
from dashboard.i18n import t
from dashboard.queries.brief import meeting_brief
from dashboard.queries.mechanisms import mechanisms
from dashboard.queries.meetings import district_meetings
from dashboard.queries.scope import Scope
from tests.exports.pdftext import text_of
from tests.factories import DEMO_TODAY
from tests.fonts import needs_font

HEADING = "七、荐优纳新与双爱双评"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf(data: bytes) -> str:
    text = text_of(data)[1]
    return text[text.index(squash(HEADING)):]


def _pptx(data: bytes) -> tuple[str, str]:
    """(the section's slides' text, their notes)."""
    from pptx import Presentation

    texts, notes = [], []
    for slide in Presentation(io.BytesIO(data)).slides:
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        if not title.startswith(HEADING):
            continue
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts.extend(c.text for row in shape.table.rows for c in row.cells)
        notes.append(slide.notes_slide.notes_text_frame.text)
    return squash("".join(texts)), squash("".join(notes))


def _docx(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts, on = [], False
    for block in doc.element.body.iterchildren():  # paragraphs and tables in document order
        text = "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
        on = on or text.startswith(HEADING)
        if on:
            parts.append(text)
    return squash("".join(parts))


def _files(b, loc: str = "zh_CN") -> dict[str, str]:
    ctx = BriefContext(loc, "演示区", "全区", demo=True)
    pptx_text, _ = _pptx(brief_pptx(b, ctx, {}))
    return {"pdf": _pdf(brief_pdf(b, ctx, {})), "pptx": pptx_text, "docx": _docx(brief_docx(b, ctx, {}))}


def _names(s: Session) -> set[str]:
    return {n for n in s.execute(sa.text("SELECT person_name FROM activist_recommendation UNION "
                                         "SELECT person_name FROM double_love_award")).scalars() if len(n) >= 2}


def _meeting_with_awards(s: Session) -> int:
    """A district meeting whose period (since the one before) saw a round published."""
    held = district_meetings(s, Scope.district(), until=DEMO_TODAY).sort_values("held_on")
    pairs = list(zip(held["held_on"], held["held_on"].iloc[1:], held["id"].iloc[1:], strict=False))
    for since, until, meeting_id in reversed(pairs):
        if mechanisms(s, Scope.district(), since, until).rounds_published:
            return int(meeting_id)
    raise AssertionError("no district meeting after a published round in the demo")


@needs_font
def test_the_three_formats_carry_the_same_section(demo_engine):
    with Session(demo_engine) as s:
        b = meeting_brief(s, Scope.district(), DEMO_TODAY, meeting_id=_meeting_with_awards(s))
        names = _names(s)
        direct = mechanisms(s, Scope.district(), b.previous.held_on, b.date)
    m = b.mechanisms
    assert (m.since, m.until) == (b.previous.held_on, b.date)  # the brief's own period
    assert (m.recommended, m.awards_worker, m.awards_manager, m.nominations) == (
        direct.recommended, direct.awards_worker, direct.awards_manager, direct.nominations)
    assert m.awards > 0 and not m.empty
    section = B.mechanisms_section(b, "zh_CN")
    files = _files(b)
    for kind, text in files.items():
        for line in section.lines:
            assert squash(line) in text, (kind, line)
        for row in section.rows:  # every township row, in the table's order of cells
            assert "".join(row) in text, (kind, row)
        assert f"{m.recommended}人" in text and f"热爱企业的优秀职工{m.awards_worker}名" in text
        assert not [n for n in names if n in text], kind
    assert len(section.rows) == m.n_townships and section.more is None


@needs_font
def test_the_pptx_notes_carry_the_definitions(demo_engine):
    with Session(demo_engine) as s:
        b = meeting_brief(s, Scope.district(), DEMO_TODAY, meeting_id=_meeting_with_awards(s))
    _, notes = _pptx(brief_pptx(b, BriefContext("zh_CN", "演示区", "全区", demo=True), {}))
    for key in ("mech.def.period", "mech.def.steps", "mech.def.evaluated", "mech.def.awards"):
        assert squash(t(key, "zh_CN")) in notes, key
    assert squash(t("development.kpi.share.def", "zh_CN", year=b.mechanisms.share_year)) in notes


@needs_font
def test_the_one_list_rule_cuts_the_townships_the_same_way(demo_engine, monkeypatch):
    monkeypatch.setattr(B, "LIST_LIMIT", 3)
    with Session(demo_engine) as s:
        b = meeting_brief(s, Scope.district(), DEMO_TODAY, meeting_id=_meeting_with_awards(s))
    section = B.mechanisms_section(b, "zh_CN")
    left = b.mechanisms.n_townships - 3
    assert len(section.rows) == 3 and left > 0 and section.more == f"另有 {left} 项未列出，详见系统。"
    for kind, text in _files(b).items():
        assert squash(section.more) in text, kind
        assert "".join(section.rows[-1]) in text, kind
        hidden = b.mechanisms.townships.iloc[3]
        assert f"{hidden['township']}{hidden['worker']}{hidden['manager']}{hidden['total']}" not in text, kind


@needs_font
def test_an_empty_period_says_so_in_every_format(demo_engine):
    with Session(demo_engine) as s:
        held = max(district_meetings(s, Scope.district(), until=DEMO_TODAY)["held_on"])
        b = meeting_brief(s, Scope.district(), held)  # the next meeting, as of the last one's day
    assert b.mechanisms.empty and b.previous.held_on == held
    for kind, text in _files(b).items():
        assert "本期无新的推荐和表彰。" in text, kind
        assert f"目前在培养中{b.mechanisms.open}人，其中超期滞留{b.mechanisms.stuck}人。" in text, kind


@needs_font
def test_a_township_brief_counts_its_own(demo_engine):
    with Session(demo_engine) as s:
        yb = s.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
        meeting_id = _meeting_with_awards(s)
        own = meeting_brief(s, Scope.townships([yb]), DEMO_TODAY, meeting_id=meeting_id)
        whole = meeting_brief(s, Scope.district(), DEMO_TODAY, meeting_id=meeting_id)
    assert own.mechanisms.recommended < whole.mechanisms.recommended
    assert list(own.mechanisms.townships["township"]) in ([], ["越北镇"])
    text = _files(own)["pdf"]
    assert squash(B.mechanisms_section(own, "zh_CN").development[0]) in text
    assert squash(B.mechanisms_section(whole, "zh_CN").development[0]) not in text


@needs_font
def test_english_brief_has_the_section(demo_engine):
    with Session(demo_engine) as s:
        b = meeting_brief(s, Scope.district(), DEMO_TODAY, meeting_id=_meeting_with_awards(s))
    pdf = text_of(brief_pdf(b, BriefContext("en", "Demo", "District", demo=True), {}))[1]
    assert squash(t("brief.section.mechanisms", "en")) in pdf
    assert squash(B.mechanisms_section(b, "en").development[0]) in pdf


@needs_font
def test_a_brief_gathered_without_the_section_leaves_it_out(demo_engine):
    import dataclasses

    with Session(demo_engine) as s:
        b = dataclasses.replace(meeting_brief(s, Scope.district(), DEMO_TODAY), mechanisms=None)
    assert B.mechanisms_section(b, "zh_CN") is None
    assert squash(HEADING) not in text_of(brief_pdf(b, BriefContext("zh_CN", "演示区", "全区", demo=True), {}))[1]
