"""The 党建基数 selector (issue 14 item 2) on the page: the official 三有 base by default, ``?base=all``
for every operating enterprise (the seed facts' base), a bad value refused with a notice, the choice
kept in the URL, and every card naming the base of its denominator — the figures equal to the query
layer's over the same base."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import coverage
from dashboard.queries.scope import Scope
from dashboard.ui.widgets import untrusted
from models.enums import Base
from tests.app.test_overview import badges, captions, run

SNAPSHOT = dt.date(2002, 12, 31)


def _kpis(url: str, base: Base, township: str | None = None):
    engine = sa.create_engine(url)
    try:
        with Session(engine) as s:
            scope = Scope.district()
            if township:
                tid = s.execute(sa.text("SELECT id FROM township WHERE code = :c"), {"c": township}).scalar_one()
                scope = Scope.townships([tid])
            return coverage.coverage_kpis(s, scope.with_base(base), SNAPSHOT)
    finally:
        engine.dispose()


def _fraction(caption: str) -> tuple[int, int]:
    num, den = caption.split(" · ")[0].replace(",", "").split(" / ")
    return int(num), int(den.split()[0])


def test_the_page_opens_on_the_official_sanyou_base(app_env):
    at = run(asof="2002-12-31")
    assert at.sidebar.segmented_control[0].value == "sanyou"
    want = _kpis(app_env, Base.SANYOU)
    union = captions(at)[0]
    assert _fraction(union) == (want.union_coverage.numerator, want.union_coverage.denominator)
    assert union.split(" · ")[1] == "三有"
    every = _kpis(app_env, Base.ALL)
    assert want.operating < every.operating  # the demo has enterprises outside the base
    assert any("三有企业" in b for b in badges(at))
    assert "base" not in at.query_params  # the default is not written into the URL


def test_base_all_shows_the_seed_facts_and_stays_in_the_url(app_env):
    at = run(asof="2002-12-31", base="all")
    assert at.sidebar.segmented_control[0].value == "all"
    union = captions(at)[0]
    assert union.startswith("585 / ") and union.split(" · ")[1] == "全部在营"
    assert _fraction(union)[1] == _kpis(app_env, Base.ALL).operating
    assert any("全部在营企业" in b for b in badges(at))
    assert at.query_params["base"] == "all"


def test_switching_the_base_changes_every_figure(app_env):
    at = run(asof="2002-12-31", town=["YB"])
    before = _fraction(captions(at)[0])
    at.sidebar.segmented_control[0].set_value("all").run()
    assert not at.exception
    after = _fraction(captions(at)[0])
    want = _kpis(app_env, Base.ALL, "YB")
    assert after == (want.union_coverage.numerator, want.union_coverage.denominator) == (37, after[1])
    assert before[1] <= after[1]
    assert at.query_params["base"] == "all"


def test_a_bad_base_in_the_link_is_named_and_the_default_used(app_env):
    at = run(asof="2002-12-31", base="<b>everything</b>")
    notices = [w.value for w in at.warning]
    # named as text, escaped like every URL value (ui.widgets.untrusted)
    assert any("党建基数" in n and untrusted("<b>everything</b>") in n for n in notices)
    assert at.sidebar.segmented_control[0].value == "sanyou"
