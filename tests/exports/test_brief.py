"""The joint-meeting brief on a hand-made database: the PDF's text and the PPTX read back with
python-pptx carry the expected figures; the chosen meeting, the scope and bad ids behave."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlmodel import Session

from dashboard.i18n import t
from dashboard.queries.brief import meeting_brief
from dashboard.queries.scope import Scope
from models.db import upgrade
from models.enums import ActionStatus, HonourLevel, Organ, TownshipKind, UnitKind
from models.tables import ActionItem, Decision, Unit
from tests.exports.pdftext import embedded_font_files, text_of
from tests.factories import world
from tests.fonts import needs_font

TODAY = dt.date(2026, 11, 24)
M1, M2 = dt.date(2025, 11, 1), dt.date(2026, 5, 1)



def build(engine) -> dict[str, int]:
    """Two townships, four enterprises, two district meetings, three action items of the second."""
    upgrade(engine)
    with world(engine, division="220201") as w:
        w.add_township("AA", "甲镇", TownshipKind.TOWN, sort_order=0)
        w.add_township("BB", "乙乡", TownshipKind.TOWNSHIP, sort_order=0)
        w.add_unit("ZGH", "区总工会", UnitKind.UNION)
        w.add_unit("ZZB", "区委组织部", UnitKind.PARTY_DEPT)
        w.add_enterprise("e1", "AA", name="甲镇样板机械有限公司", members=6, employees=100, registered=dt.date(2010, 1, 1),
                         union=dt.date(2020, 1, 1), party=dt.date(2021, 1, 1))
        w.add_enterprise("e2", "AA", name="甲镇缺口建材有限公司", members=3, employees=50, registered=dt.date(2012, 1, 1),
                         union=dt.date(2020, 3, 1))
        w.add_enterprise("e3", "BB", name="乙乡小微商贸有限公司", members=0, employees=8, registered=dt.date(2015, 1, 1))
        w.add_enterprise("e4", "AA", name="甲镇新设电子有限公司", members=4, employees=30, registered=dt.date(2026, 6, 1))
        w.add_members("e1", "e1", dt.date(2020, 1, 1), 90)
        w.add_members("e2", "e2", dt.date(2020, 3, 1), 40)
        w.add_honour("e1", "市级模范职工之家", year=2024, level=HonourLevel.MUNICIPAL, organ=Organ.UNION, body="市总工会")
        w.add_case_study("e1", "支部建在车间，工会办在班组", headline_en="Branch in the workshop", story_zh="样板故事。",
                         story_en="A model story.")
        w.add_meeting("m1", M1, title="区级联席会议（第1次）")
        w.add_meeting("m2", M2, title="区级联席会议（第2次）", decision="补齐党组织覆盖")
        w.add_item("k1", "m2", "ZZB", township="AA", description="核实甲镇党员底数", due=dt.date(2026, 6, 1),
                   status=ActionStatus.DONE, done=dt.date(2026, 5, 20))
        w.add_item("k2", "m2", "ZZB", township="AA", description="督促缺口企业建立党支部", due=dt.date(2026, 7, 1))
        w.add_item("k3", "m2", "ZGH", township="BB", description="乙乡小微企业建会摸底", due=dt.date(2026, 12, 1),
                   status=ActionStatus.IN_PROGRESS)
    return dict(a=w.township["AA"], b=w.township["BB"], m1=w.meeting["m1"], m2=w.meeting["m2"], e1=w.ent["e1"],
                e4=w.ent["e4"])


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



def test_a_row_of_the_brief_is_the_row_the_page_shows(made):
    """The brief's list of the previous meeting's items and the page's since-the-last-meeting list
    are one function of ``views.meetings``: same rows, same words, in both languages."""
    from dashboard.exports.brief import decided_rows, due_rows
    from dashboard.queries.meetings import since_last_meeting
    from dashboard.views.meetings import decided_table, item_header, item_rows

    engine, ids = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
        page = since_last_meeting(s, Scope.district(), TODAY, meeting_id=ids["m2"])  # the page's since section
    for loc in ("zh_CN", "en"):
        table = decided_table(page.decided, loc)
        assert list(table.frame.columns) == item_header(loc)
        assert decided_rows(b, loc) == table.frame.values.tolist()
        assert due_rows(b, loc) == item_rows(b.due, loc)
    assert decided_rows(b, "zh_CN") == [
        ["逾期", "督促缺口企业建立党支部", "区委组织部", "2026年7月1日", "146 天"],
        ["临期", "乙乡小微企业建会摸底", "区总工会", "2026年12月1日", ""],
        ["已完成", "核实甲镇党员底数", "区委组织部", "2026年6月1日", ""],
    ]
    assert [r[0] for r in decided_rows(b, "en")] == ["Overdue", "Due soon", "Done"]
    assert table.colours == ["red", "amber", "green"]


@needs_font
def test_the_pdf_row_is_the_page_row(made):
    from dashboard.exports.brief import BriefContext, brief_pdf
    from dashboard.queries.meetings import since_last_meeting
    from dashboard.views.meetings import decided_table

    engine, ids = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
        page = since_last_meeting(s, Scope.district(), TODAY, meeting_id=ids["m2"])
    text = _pdf_text(brief_pdf(b, BriefContext("zh_CN", "测试区", "全区", False), {}))
    for row in decided_table(page.decided, "zh_CN").frame.values.tolist():
        assert re.sub(r"\s+", "", "".join(row)) in text, row


def _with_more_items(engine, ids, n: int, text: str):
    """``n`` more open items of the first decision, overdue from 2026-08-01 on (``text`` formatted with
    their number), and the brief for the next meeting after them."""
    from sqlmodel import select

    with Session(engine) as s:
        d = s.exec(select(Decision)).first()
        owner = s.exec(select(Unit)).first()
        for k in range(n):
            s.add(ActionItem(decision_id=d.id, description=text.format(k=k), owner_unit_id=owner.id,
                             township_id=ids["a"], created_on=M2, due_on=dt.date(2026, 8, 1) + dt.timedelta(k),
                             status=ActionStatus.OPEN))
        s.commit()
        return meeting_brief(s, Scope.district(), TODAY)


def test_due_items_are_counted_in_sql_past_the_list(made):
    """More items on the table than the brief lists: the figures count them all, the list stops at
    LIST_LIMIT and the documents say how many are left out."""

    from dashboard.exports.brief import due_rows
    from dashboard.queries.brief import LIST_LIMIT
    from dashboard.views.meetings import more_text

    engine, ids = made
    b = _with_more_items(engine, ids, LIST_LIMIT + 3, "加项{k}")
    assert len(b.due) == LIST_LIMIT
    assert (b.n_overdue, b.n_due_soon, b.n_due) == (LIST_LIMIT + 4, 1, LIST_LIMIT + 5)
    assert list(b.due["label"]) == ["overdue"] * LIST_LIMIT  # overdue first
    assert len(due_rows(b, "zh_CN")) == LIST_LIMIT
    assert more_text(b.n_due, LIST_LIMIT, "zh_CN") == t("brief.more", "zh_CN", n=5)


@needs_font
def test_the_pdf_and_the_pptx_list_the_same_items_and_say_the_same_rest(made):
    """One list rule for every format: the PPTX continues a list over slides (（续）) instead of cutting
    it shorter than the PDF, so both list every one of the LIST_LIMIT rows and both say 另有 N 项."""

    from dashboard.exports.brief import PPTX_ROWS, BriefContext, brief_pdf, brief_pptx
    from dashboard.queries.brief import LIST_LIMIT

    engine, ids = made
    b = _with_more_items(engine, ids, LIST_LIMIT + 3, "加项{k:02d}")
    ctx = BriefContext("zh_CN", "##区", "全区", False)
    pdf = _pdf_text(brief_pdf(b, ctx, {}))
    pptx, _ = _pptx_text(brief_pptx(b, ctx, {}))
    listed = [f"加项{k:02d}" for k in range(LIST_LIMIT + 3)]
    in_pdf = [x for x in listed if x in re.sub(r"\s+", "", pdf)]
    in_pptx = [x for x in listed if x in pptx]
    assert LIST_LIMIT > PPTX_ROWS and in_pdf == in_pptx and len(in_pptx) >= PPTX_ROWS + 1
    rest = re.sub(r"\s+", "", t("brief.more", "zh_CN", n=b.n_due - LIST_LIMIT))
    assert rest in re.sub(r"\s+", "", pdf) and rest in pptx
    assert "（续）" in pptx
