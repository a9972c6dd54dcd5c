"""The joint-meeting brief on a hand-made database: the PDF's text and the PPTX read back with
python-pptx carry the expected figures; the chosen meeting, the scope and bad ids behave."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlmodel import Session

from dashboard.queries.brief import meeting_brief
from dashboard.queries.scope import Scope
from models.db import upgrade
from models.enums import (
    ActionStatus, HonourLevel, MeetingLevel, Organ, Ownership, PartyOrgLevel, TownshipKind, UnionKind, UnitKind,
)
from models.rules import make_uscc
from models.tables import (
    ActionItem, CaseStudy, Decision, Enterprise, Honour, JointMeeting, MembershipChange, PartyCoverage, PartyOrg,
    Township, UnionCoverage, UnionOrg, Unit,
)
from tests.exports.pdftext import embedded_font_files, text_of
from tests.fonts import needs_font

TODAY = dt.date(2026, 11, 24)
M1, M2 = dt.date(2025, 11, 1), dt.date(2026, 5, 1)



def build(engine) -> dict[str, int]:
    """Two townships, four enterprises, two district meetings, three action items of the second."""
    upgrade(engine)
    ids: dict[str, int] = {}
    with Session(engine) as s:
        a = Township(code="AA", name="甲镇", kind=TownshipKind.TOWN)
        b = Township(code="BB", name="乙乡", kind=TownshipKind.TOWNSHIP)
        s.add_all([a, b])
        s.flush()
        fed = Unit(code="ZGH", name="区总工会", kind=UnitKind.UNION)
        org = Unit(code="ZZB", name="区委组织部", kind=UnitKind.PARTY_DEPT)
        s.add_all([fed, org])
        s.flush()

        def ent(name, township, serial, members, employees, registered):
            e = Enterprise(uscc=make_uscc(division="220201", serial=serial), name=name, township_id=township.id,
                           ownership=Ownership.PRIVATE, industry="制造业", employees=employees,
                           party_members=members, registered_on=registered)
            s.add(e)
            s.flush()
            return e

        e1 = ent("甲镇样板机械有限公司", a, 1, 6, 100, dt.date(2010, 1, 1))
        e2 = ent("甲镇缺口建材有限公司", a, 2, 3, 50, dt.date(2012, 1, 1))
        e3 = ent("乙乡小微商贸有限公司", b, 3, 0, 8, dt.date(2015, 1, 1))
        e4 = ent("甲镇新设电子有限公司", a, 4, 4, 30, dt.date(2026, 6, 1))
        for e, founded, members in ((e1, dt.date(2020, 1, 1), 90), (e2, dt.date(2020, 3, 1), 40)):
            u = UnionOrg(name=f"{e.name}工会", kind=UnionKind.ENTERPRISE, township_id=a.id, enterprise_id=e.id,
                         founded_on=founded)
            s.add(u)
            s.flush()
            s.add(UnionCoverage(union_id=u.id, enterprise_id=e.id, start_on=founded))
            s.add(MembershipChange(union_id=u.id, enterprise_id=e.id, changed_on=founded, joined=members))
        p = PartyOrg(name=f"{e1.name}党支部", level=PartyOrgLevel.BRANCH, township_id=a.id, enterprise_id=e1.id,
                     founded_on=dt.date(2021, 1, 1))
        s.add(p)
        s.flush()
        s.add(PartyCoverage(party_org_id=p.id, enterprise_id=e1.id, start_on=dt.date(2021, 1, 1)))
        s.add(Honour(enterprise_id=e1.id, title="市级模范职工之家", level=HonourLevel.MUNICIPAL, awarding_body="市总工会",
                    year=2024, organ=Organ.UNION))
        s.add(CaseStudy(enterprise_id=e1.id, headline_zh="支部建在车间，工会办在班组", headline_en="Branch in the workshop",
                        story_zh="样板故事。", story_en="A model story."))
        m1 = JointMeeting(level=MeetingLevel.DISTRICT, held_on=M1, title="区级联席会议（第1次）")
        m2 = JointMeeting(level=MeetingLevel.DISTRICT, held_on=M2, title="区级联席会议（第2次）")
        s.add_all([m1, m2])
        s.flush()
        d = Decision(meeting_id=m2.id, text="补齐党组织覆盖")
        s.add(d)
        s.flush()
        s.add_all([
            ActionItem(decision_id=d.id, description="核实甲镇党员底数", owner_unit_id=org.id, township_id=a.id,
                       created_on=M2, due_on=dt.date(2026, 6, 1), status=ActionStatus.DONE, done_on=dt.date(2026, 5, 20)),
            ActionItem(decision_id=d.id, description="督促缺口企业建立党支部", owner_unit_id=org.id, township_id=a.id,
                       created_on=M2, due_on=dt.date(2026, 7, 1), status=ActionStatus.OPEN),
            ActionItem(decision_id=d.id, description="乙乡小微企业建会摸底", owner_unit_id=fed.id, township_id=b.id,
                       created_on=M2, due_on=dt.date(2026, 12, 1), status=ActionStatus.IN_PROGRESS),
        ])
        s.commit()
        ids.update(a=a.id, b=b.id, m1=m1.id, m2=m2.id, e1=e1.id, e4=e4.id)
    return ids


@pytest.fixture
def made(any_engine):
    return any_engine, build(any_engine)


def test_brief_for_the_next_meeting_gathers_the_expected_figures(made):
    engine, ids = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
    assert b.meeting is None and b.previous.id == ids["m2"] and b.date == TODAY
    assert (b.kpis.union_coverage.numerator, b.kpis.union_coverage.denominator) == (2, 4)
    assert (b.kpis_before.union_coverage.numerator, b.kpis_before.union_coverage.denominator) == (2, 3)
    assert (b.since.done, b.since.late, b.since.open) == (1, 1, 1)
    assert b.n_overdue == 1 and b.n_due_soon == 1  # due 2026-12-01 is within 14 days
    assert list(b.new_gaps["name"]) == ["甲镇新设电子有限公司"]
    assert b.model is not None and b.model.enterprise_id == ids["e1"]


def test_brief_for_a_past_meeting_is_as_of_its_date(made):
    engine, ids = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY, meeting_id=ids["m2"])
        assert b.date == M2 and b.meeting.id == ids["m2"] and b.previous.id == ids["m1"]
        assert b.since.decided.empty  # the first meeting decided nothing
        assert b.due.empty  # on 2026-05-01 nothing of the second meeting existed yet … nor was due
        first = meeting_brief(s, Scope.district(), TODAY, meeting_id=ids["m1"])
        assert first.previous is None and first.since is None
        for bad in (999999, "x", ids["m2"] + 1000):
            assert meeting_brief(s, Scope.district(), TODAY, meeting_id=bad) is None
        assert meeting_brief(s, Scope.district(), dt.date(2026, 1, 1), meeting_id=ids["m2"]) is None  # not yet held
        for bad_model in ("x", 10**12, ids["e4"]):  # garbage, unknown, not a model: the first model instead
            assert meeting_brief(s, Scope.district(), TODAY, model_id=bad_model).model.enterprise_id == ids["e1"]


def test_brief_obeys_the_scope(made):
    engine, ids = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.townships([ids["b"]]), TODAY)
    assert b.kpis.union_coverage.denominator == 1  # only 乙乡's one enterprise
    assert list(b.due["description"]) == ["乙乡小微企业建会摸底"]
    assert b.new_gaps.empty and b.model is None


def _pdf_text(data: bytes) -> str:
    return text_of(data)[1]


def _pptx_text(data: bytes) -> tuple[str, list]:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    texts, pictures = [], []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts.extend(c.text for row in shape.table.rows for c in row.cells)
            if shape.shape_type == 13:
                pictures.append(shape)
    return re.sub(r"\s+", "", "".join(texts)), pictures


EXPECTED = ["下次区级联席会议简报", "50.0%（2/4）", "66.7%", "-16.7个百分点", "督促缺口企业建立党支部", "逾期", "146天",
            "乙乡小微企业建会摸底", "临期", "甲镇新设电子有限公司", "甲镇样板机械有限公司", "市级模范职工之家",
            "上次会议共决定事项3项：已办结1项，逾期1项，正在办理1项。"]


@needs_font
def test_pdf_and_pptx_carry_the_figures(made):
    from dashboard.exports.brief import BriefContext, brief_pdf, brief_pptx, chart_images

    engine, _ = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
    ctx = BriefContext("zh_CN", "测试区", "全区", demo=False)
    images = chart_images(b, "zh_CN", None)
    pdf = brief_pdf(b, ctx, images)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    for needle in EXPECTED:
        assert needle in text, needle
    assert embedded_font_files(text_of(pdf)[0])  # the CJK font is embedded

    pptx = brief_pptx(b, ctx, images)
    text, pictures = _pptx_text(pptx)
    for needle in EXPECTED:
        assert needle in text, needle
    assert len(pictures) == 1  # the pattern chart (no boundaries in this database: no map)
    from PIL import Image

    image = Image.open(io.BytesIO(pictures[0].image.blob))
    assert image.format == "PNG" and image.size[0] >= 1000  # 2× resolution


@needs_font
def test_pptx_sets_an_east_asian_font_on_every_run(made):
    from pptx import Presentation

    from dashboard.exports.brief import BriefContext, brief_pptx
    from dashboard.exports.fonts import EAST_ASIAN_TYPEFACE

    engine, _ = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
    prs = Presentation(io.BytesIO(brief_pptx(b, BriefContext("zh_CN", "测试区", "全区", False), {})))
    runs = []
    for slide in prs.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if getattr(shape, "has_table", False) and shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            runs += [r for f in frames for p in f.paragraphs for r in p.runs]
    assert runs
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for run in runs:
        ea = run._r.find(f"{ns}rPr/{ns}ea")
        assert ea is not None and ea.get("typeface") == EAST_ASIAN_TYPEFACE, run.text


@needs_font
def test_english_brief(made):
    from dashboard.exports.brief import BriefContext, brief_pdf

    engine, _ = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
    text = _pdf_text(brief_pdf(b, BriefContext("en", "Test district", "Whole district", False), {}))
    assert "Briefforthenextdistrictjointmeeting" in text and "50.0%(2/4)" in text and "146days" in text


@needs_font
def test_a_brief_without_a_previous_meeting_says_so(made):
    from dashboard.exports.brief import BriefContext, brief_pdf, brief_pptx

    engine, ids = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY, meeting_id=ids["m1"])
    assert b.since is None
    ctx = BriefContext("zh_CN", "测试区", "全区", demo=True)
    pdf, (pptx, _) = _pdf_text(brief_pdf(b, ctx, {})), _pptx_text(brief_pptx(b, ctx, {}))
    for text in (pdf, pptx):
        assert "区级联席会议（第1次）简报" in text and text.count("此前没有区级联席会议记录。") >= 2

