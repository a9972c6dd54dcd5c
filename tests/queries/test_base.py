"""党建基数 (issue 14 item 2): the 三有 base — fixed premises, really trading, at least
``base_min_employees`` employees as of the day — on a hand-made district, on SQLite and PostgreSQL:
the figures over each base written out by hand, the summaries equal to the exact SQL over both
bases, the gap lists, the statistics table, a census moving an enterprise into the base, the
setting making the summaries stale, and an edit of the flags kept up to date incrementally."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from dashboard.edits import Actor
from dashboard.edits import enterprises as events
from dashboard.queries import coverage, statistics
from dashboard.queries.scope import Scope
from models import summary
from models.enums import Base, Role
from models.tables import Enterprise, HeadcountCensus
from tests.factories import world

D = dt.date
EARLY, LATE = D(2002, 12, 31), D(2004, 6, 30)
ALL, SANYOU = Scope.district(), Scope.district().with_base(Base.SANYOU)


def _district(engine) -> dict[str, int]:
    with world(engine) as w:
        w.add_township("T1")
        w.add_township("T2")
        w.add_enterprise("ok", "T1", employees=50, members=4, union=D(2000, 1, 1), party=D(2001, 1, 1))
        w.add_enterprise("ten", "T1", employees=10, union=D(2000, 1, 1))  # exactly the threshold: in
        w.add_enterprise("nine", "T1", employees=9, union=D(2000, 1, 1))  # one short: out
        w.add_enterprise("stall", "T2", employees=30, fixed_premises=False, union=D(2000, 1, 1))
        w.add_enterprise("dormant", "T2", employees=80, members=5, trading=False)  # 应建未建, but not trading
        w.add_enterprise("gap", "T2", employees=40, members=3)  # 应建未建 and in the base
        # five employees until a census of 2003-06-01 counts 25 (its own figure since)
        w.add_enterprise("grown", "T2", employees=25, union=D(2000, 1, 1))
        w.session.add(HeadcountCensus(enterprise_id=w.ent["grown"], census_on=D(1995, 1, 1), employees=5,
                                      party_members=0))
        w.session.add(HeadcountCensus(enterprise_id=w.ent["grown"], census_on=D(2003, 6, 1), employees=25,
                                      party_members=0))
        ids = dict(w.ent)
    return ids


def _totals(session, scope, day) -> dict[str, int]:
    return coverage.coverage_by_township(session, scope, day)[list(coverage.COVERAGE_COLUMNS)].sum().to_dict()


@pytest.fixture
def district(any_engine):
    ids = _district(any_engine)
    summary.rebuild_summaries(any_engine, today=D(2026, 11, 30))
    return any_engine, ids


def test_the_base_counts_by_hand_and_the_summaries_agree_with_the_exact_sql(district):
    engine, _ = district
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        # all operating: the seven; 三有: ok, ten, gap (+ grown once its census counts 25)
        for day, base_n in ((EARLY, 3), (LATE, 4)):
            assert _totals(s, ALL, day)["operating"] == 7
            assert _totals(s, SANYOU, day)["operating"] == base_n
            for scope in (ALL, SANYOU):
                fast = coverage.coverage_by_township_summary(s, scope, day)
                exact = coverage.coverage_by_township_exact(s, scope, day)
                assert fast.equals(exact), (scope, day)
        k = coverage.coverage_kpis(s, SANYOU, LATE)
        assert k.base is Base.SANYOU
        assert (k.union_coverage.numerator, k.union_coverage.denominator) == (3, 4)  # ok, ten, grown of 4
        assert (k.party_coverage.numerator, k.party_coverage.denominator) == (1, 4)
        every = coverage.coverage_kpis(s, ALL, LATE)
        assert every.base is Base.ALL
        assert (every.union_coverage.numerator, every.union_coverage.denominator) == (5, 7)


def test_gap_lists_and_the_statistics_table_follow_the_base(district):
    engine, ids = district
    with Session(engine) as s:
        for scope, want in ((ALL, {ids["dormant"], ids["gap"]}), (SANYOU, {ids["gap"]})):
            fast = coverage.enterprises_in_pattern(s, scope, LATE, "should_build", limit=None)
            exact = coverage.enterprise_patterns(s, scope, LATE, pattern="should_build", limit=None)
            assert set(fast["enterprise_id"]) == set(exact["enterprise_id"]) == want
        table = statistics.statistics_table(s, SANYOU, LATE)
        assert table["operating"].tolist() == [2, 2]  # T1: ok, ten; T2: gap, grown
        assert int(statistics.statistics_table(s, ALL, LATE)["operating"].sum()) == 7


def test_another_threshold_makes_the_summaries_stale_and_the_exact_sql_uses_it(district, monkeypatch):
    engine, _ = district
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_BASE_MIN_EMPLOYEES", "30")
    get_settings.cache_clear()
    with Session(engine) as s:
        assert not coverage.summaries_fresh(s)  # the stored figures were made with 10
        assert _totals(s, SANYOU, LATE)["operating"] == 2  # ok (50) and gap (40); grown's 25 no longer counts
    summary.rebuild_summaries(engine, today=D(2026, 11, 30))
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        assert coverage.coverage_by_township_summary(s, SANYOU, LATE).equals(
            coverage.coverage_by_township_exact(s, SANYOU, LATE))


def test_verifying_the_flags_moves_an_enterprise_and_keeps_the_summaries_fresh(district):
    engine, ids = district
    actor = Actor(username="staff", role=Role.STAFF)
    with Session(engine) as s:
        version = s.get(Enterprise, ids["stall"]).version
        events.verify_base_flags(session=s, actor=actor, enterprise_id=ids["stall"], version=version,
                                 fixed_premises=True, trading=True, today=D(2026, 11, 30))
        s.commit()
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)  # kept up to date by the edit itself
        assert _totals(s, SANYOU, LATE)["operating"] == 5
        assert coverage.coverage_by_township_summary(s, SANYOU, LATE).equals(
            coverage.coverage_by_township_exact(s, SANYOU, LATE))


def test_a_flag_edit_equals_a_full_rebuild_row_for_row_and_every_list_follows(district):
    from tests.edits.test_enterprise_events import assert_queries_exact, assert_same_as_rebuild

    engine, ids = district
    actor = Actor(username="staff", role=Role.STAFF)
    today = D(2026, 11, 30)
    for key, flags in (("gap", {"fixed_premises": True, "trading": False}), ("dormant", {"fixed_premises": True,
                                                                                          "trading": True})):
        with Session(engine) as s:
            events.verify_base_flags(session=s, actor=actor, enterprise_id=ids[key], version=s.get(Enterprise, ids[key]).version,
                                     today=today, **flags)
            s.commit()
        assert_same_as_rebuild(engine, today)  # enterprise_state.in_base and the sy_ measures included
        assert_queries_exact(engine, [LATE, EARLY], [SANYOU, ALL])
    with Session(engine) as s:  # gap left the base, dormant entered it: still one 应建未建 in the base
        listed = coverage.enterprises_in_pattern(s, SANYOU, LATE, "should_build", limit=None)
        assert set(listed["enterprise_id"]) == {ids["dormant"]}


def test_since_the_last_meeting_counts_the_base_the_same_way_from_the_summaries_and_the_exact_sql(any_engine):
    """A 应建未建 enterprise that enters the 三有 base by a census after the meeting is new in the base;
    one that leaves it is closed; the summaries and the exact SQL agree, and the table says the new
    one was outside the base on the meeting day (not "not operating")."""
    from dashboard.queries import meetings as MQ
    from dashboard.views.meetings import new_gaps_table
    from models.tables import DatasetInfo

    meeting, now = D(2003, 1, 1), D(2003, 12, 31)
    with world(any_engine) as w:
        w.add_township("T1")
        w.add_enterprise("grow", "T1", employees=12, members=4)
        w.add_enterprise("shrink", "T1", employees=5, members=4)
        for key, before, after in (("grow", 9, 12), ("shrink", 30, 5)):
            w.session.add(HeadcountCensus(enterprise_id=w.ent[key], census_on=D(1995, 1, 1), employees=before,
                                          party_members=4))
            w.session.add(HeadcountCensus(enterprise_id=w.ent[key], census_on=D(2003, 6, 1), employees=after,
                                          party_members=4))
        ids = dict(w.ent)
    summary.rebuild_summaries(any_engine, today=D(2026, 11, 30))
    results = []
    for fresh in (True, False):
        with Session(any_engine) as s:
            if not fresh:  # the exact SQL: the summaries made stale
                s.execute(DatasetInfo.__table__.delete().where(DatasetInfo.__table__.c.key == summary.FINGERPRINT_KEY))
            assert coverage.summaries_fresh(s) is fresh
            new, closed = MQ._should_build_changes(s, SANYOU, meeting, now)
            results.append((sorted(new["enterprise_id"]), closed, list(new["pattern_then"])))
            every, closed_every = MQ._should_build_changes(s, ALL, meeting, now)
            assert every.empty and closed_every == 0  # over every enterprise nothing changed
            s.rollback()
    assert results[0] == results[1] == ([ids["grow"]], 1, [MQ.OUT_OF_BASE])
    table = new_gaps_table(pd.DataFrame({"name": ["企业grow"], "township": ["T1镇"], "party_members": [4],
                                         "pattern_then": [MQ.OUT_OF_BASE]}), "zh_CN")
    assert table.frame.iloc[0, -1] == "当时未计入党建基数"


def test_a_model_is_compared_with_the_unionised_enterprises_of_the_same_base(any_engine):
    """The case comparison's average activities: the activities of the benchmark's unionised
    enterprises ÷ their number, both over the benchmark's base (a small unionised enterprise outside
    the 三有 base counts in neither)."""
    from dashboard.queries.cases import comparison
    from models.enums import ActivityKind, Organ
    from models.tables import Activity

    with world(any_engine) as w:
        w.add_township("T1")
        w.add_enterprise("model", "T1", employees=50, union=D(2000, 1, 1))
        w.add_enterprise("small", "T1", employees=5, union=D(2000, 1, 1))
        for k in range(10):
            w.session.add(Activity(enterprise_id=w.ent["small"], held_on=D(2003, 3, 1) + dt.timedelta(days=k),
                                   kind=ActivityKind.TRAINING, organ=Organ.UNION, title=f"活动{k}"))
        ids = dict(w.ent)
    with Session(any_engine) as s:
        for scope, average in ((SANYOU, 0.0), (ALL, 5.0)):
            c = comparison(s, scope, ids["model"], 50, D(2003, 12, 31))
            assert (c.activities.average, c.base) == (average, scope.base)
