"""AppTest of the /present slide 荐优纳新与双爱双评 (``ui/sections/present/mechanisms.py``): its figures
are the query's for the period since the last district meeting, its status words carry colours, no
name is on it, a township account sees its own, and a period without news shows the empty state.

Until the slide is listed in ``ui.present.SLIDES`` and the page's slides (the lead registers it), the
tests add it to the real page for the run (``registered``); ``test_the_deck_lists_it`` runs once it is
registered for good."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.mechanisms import since_last_meeting
from dashboard.queries.scope import Scope
from dashboard.ui import present as P
from tests.app.conftest import DEMO_TODAY
from tests.app.test_overview import run as run_app

SLIDE = "mechanisms"


@pytest.fixture
def registered(monkeypatch):
    """The slide added to the deck for this test (what the lead's registration does for good)."""
    from dashboard.ui.sections.present import deck
    from dashboard.ui.sections.present import mechanisms as slide

    if SLIDE not in P.SLIDES:
        monkeypatch.setattr(P, "SLIDES", (*P.SLIDES, SLIDE))
        for entry in ("stage", "show"):  # the page's call into the deck (``stage`` since the stage rework)
            if hasattr(deck, entry):
                original = getattr(deck, entry)
                monkeypatch.setattr(deck, entry, lambda ctx, slides, _f=original: _f(ctx, {**slides, SLIDE: slide.render}))


def run(_user="leader", **params):
    at = run_app(_user=_user, **params)
    at.switch_page("app_pages/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html_text(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def _figures(url: str, scope: Scope, day: dt.date):
    from models.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return since_last_meeting(s, scope, day, limit=3)
    finally:
        engine.dispose()


def _names(url: str) -> set[str]:
    from models.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return set(c.execute(sa.text("SELECT person_name FROM activist_recommendation UNION "
                                         "SELECT person_name FROM double_love_award")).scalars())
    finally:
        engine.dispose()


def test_the_slide_shows_the_periods_figures_with_status_words(app_env, registered):
    at = run(slide=SLIDE, asof=DEMO_TODAY.isoformat())
    text = html_text(at)
    m = _figures(app_env, Scope.district(), DEMO_TODAY)
    assert not m.empty
    assert "荐优纳新与双爱双评" in text and f"{P.SLIDES.index(SLIDE) + 1} / {len(P.SLIDES)}" in text
    for label, n in (("工会推荐", m.recommended), ("列为发展对象", m.to_candidate), ("接收预备党员", m.to_probationary),
                     ("超期滞留", m.stuck), ("新推荐", m.nominations)):
        assert label in text and f"{n:,} 人" in text, label
    assert f"职工代表评议 {m.evaluated} 人，同意 {m.evaluated_passed} 人" in text
    assert f"{m.share_year}年 {m.admitted_union_year} / {m.admitted_total_year} 人" in text
    # status words on their colours: the stuck (red with people stuck) and the round's state
    assert "dg-status" in text and ("有超期滞留" if m.stuck else "无超期滞留") in text
    assert "评审中" in text or "推荐中" in text or "已表彰" in text or "评审逾期" in text
    assert at.query_params["slide"] == SLIDE
    assert not any(n in text for n in _names(app_env) if len(n) >= 2)


def test_a_township_account_sees_its_townships_figures(app_env, registered):
    from models.tables import Township

    at = run(_user="yuebei", slide=SLIDE, asof=DEMO_TODAY.isoformat(), town=["SH"])
    text = html_text(at)
    from models.db import make_engine

    engine = make_engine(app_env)
    with Session(engine) as s:
        yb = s.execute(sa.select(Township.id).where(Township.code == "YB")).scalar_one()
    engine.dispose()
    own, district = _figures(app_env, Scope.townships([yb]), DEMO_TODAY), _figures(app_env, Scope.district(), DEMO_TODAY)
    assert own.open != district.open  # the check below can tell them apart
    assert f"在培养中 {own.open} 人" in text and f"在培养中 {district.open} 人" not in text


def test_a_period_without_news_shows_the_empty_state(app_env, registered):
    # a district meeting on the as-of day: the period since it is empty
    from models.db import make_engine
    from models.tables import JointMeeting

    engine = make_engine(app_env)
    with Session(engine) as s:
        held = max(s.execute(sa.select(JointMeeting.held_on).where(JointMeeting.level == "district")).scalars())
    engine.dispose()
    at = run(slide=SLIDE, asof=held.isoformat())
    text = html_text(at)
    m = _figures(app_env, Scope.district(), held)
    assert m.empty
    assert "本期无新的推荐和表彰。" in text and f"在培养中 {m.open} 人" in text and "dg-status" in text


def test_english(app_env, registered):
    text = html_text(run(slide=SLIDE, asof=DEMO_TODAY.isoformat(), lang="en"))
    assert "Party recommendations and awards" in text and "Recommended by unions" in text


@pytest.mark.skipif(SLIDE not in P.SLIDES, reason="the slide is not registered in ui.present.SLIDES yet (the lead's step)")
def test_the_deck_lists_it(app_env):
    at = run(slide=SLIDE, asof=DEMO_TODAY.isoformat())
    assert "荐优纳新与双爱双评" in html_text(at) and at.query_params["slide"] == SLIDE
