"""``dashboard.queries.development``: hand-made people at every stage (each rule of the module once:
the stage on a date, the 12-month window, the stuck periods, the union's share of the year's new Party
members with its records, evaluated before admission, the scope, names masked in SQL), then the demo
district against counts written out in SQL here (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import development as q
from dashboard.queries.scope import Scope
from models.enums import Role
from models.tables import ActivistRecommendation, PartyAdmission
from tests.factories import DEMO_TODAY, add_person, world

D = dt.date
AS_OF = D(2025, 6, 30)


person = add_person  # 荐优纳新: a person and their stages' dates (tests.factories)


@pytest.fixture
def district(any_engine):
    """Two townships: A (enterprises a1, a2), B (b1). People at every stage around 2025-06-30."""
    with world(any_engine) as w:
        w.add_township("A")
        w.add_township("B")
        for key, town in (("a1", "A"), ("a2", "A"), ("b1", "B")):
            w.add_enterprise(key, town, members=5, union=D(2010, 1, 1), party=D(2010, 1, 1))
        ids = {
            # recommended 2025-01-01: in the window, in stage 180 days on the date — not stuck (> 180 is)
            "rec_fresh": person(w, "a1", "甲", D(2025, 1, 1)),
            # recommended 2024-12-31: 181 days — stuck
            "rec_stuck": person(w, "a1", "乙", D(2024, 12, 31)),
            # recommended before the window (2024-06-30 is the window's excluded first day)
            "old": person(w, "a1", "丙", D(2024, 6, 30), activist_on=D(2024, 8, 1)),
            # an activist for 731 days: stuck; 730 is not (2024 has 29 February)
            "act_stuck": person(w, "a2", "丁", D(2023, 5, 1), activist_on=D(2023, 6, 30)),
            "act_ok": person(w, "a2", "戊", D(2023, 5, 1), activist_on=D(2023, 7, 1)),
            # admitted in the window: evaluated before admission / after it / never
            "adm_eval": person(w, "a1", "己", D(2022, 1, 1), activist_on=D(2022, 2, 1), candidate_on=D(2023, 3, 1),
                               evaluated_on=D(2023, 4, 1), evaluation="passed", probationary_on=D(2024, 9, 1)),
            "adm_late": person(w, "a1", "庚", D(2022, 1, 1), activist_on=D(2022, 2, 1), candidate_on=D(2023, 3, 1),
                               evaluated_on=D(2024, 10, 1), evaluation="passed", probationary_on=D(2024, 9, 2)),
            "adm_none": person(w, "b1", "辛", D(2022, 1, 1), activist_on=D(2022, 2, 1), candidate_on=D(2023, 3, 1),
                               probationary_on=D(2024, 9, 3)),
            # a probationary member for 426 days: stuck (1 year + 60 days is the usual)
            "prob_stuck": person(w, "b1", "壬", D(2021, 1, 1), activist_on=D(2021, 2, 1), candidate_on=D(2022, 3, 1),
                                 probationary_on=D(2024, 4, 30)),
            # full member in the window; withdrawn; a member after the date is a probationary member on it
            "member": person(w, "b1", "癸", D(2021, 1, 1), activist_on=D(2021, 2, 1), candidate_on=D(2022, 3, 1),
                             probationary_on=D(2023, 7, 1), member_on=D(2024, 7, 2)),
            "gone": person(w, "a2", "子", D(2020, 1, 1), withdrawn_on=D(2020, 6, 1)),
            "later": person(w, "a2", "丑", D(2022, 1, 1), activist_on=D(2022, 2, 1), candidate_on=D(2023, 3, 1),
                            probationary_on=D(2025, 1, 1), member_on=D(2026, 1, 2)),
            # recommended after the date: not there
            "future": person(w, "b1", "寅", D(2025, 7, 1)),
        }
        # the new Party members of 2024 (the share's year on 2025-06-30): a1 recorded 4, b1 0; a2 only 2023
        w.session.add_all([PartyAdmission(enterprise_id=w.ent["a1"], year=2024, admitted=4),
                           PartyAdmission(enterprise_id=w.ent["b1"], year=2024, admitted=0),
                           PartyAdmission(enterprise_id=w.ent["a2"], year=2023, admitted=9)])
        towns = dict(w.township)
    return any_engine, ids, towns


def test_stage_on_a_date_and_the_rules(district):
    engine, ids, towns = district
    with Session(engine) as s:
        f = q.figures(s, Scope.district(), AS_OF)
        everyone = q.people(s, Scope.district(), AS_OF, names=Scope.district(), limit=None)
    by_id = everyone.set_index("id")
    assert ids["future"] not in by_id.index
    assert by_id.loc[ids["later"], "stage"] == "probationary" and by_id.loc[ids["later"], "member_on"] is None
    assert by_id.loc[ids["member"], "stage"] == "member" and by_id.loc[ids["gone"], "stage"] == "withdrawn"
    stuck = set(everyone.loc[everyone["stuck"], "id"])
    assert stuck == {ids["rec_stuck"], ids["act_stuck"], ids["prob_stuck"]}
    assert list(everyone["id"][:3]) == [ids["act_stuck"], ids["prob_stuck"], ids["rec_stuck"]]  # stuck first, longest
    assert by_id.loc[ids["act_stuck"], "days"] == 731 and by_id.loc[ids["act_ok"], "days"] == 730
    o = f.overall.iloc[0]
    assert o["recommended_12m"] == 2  # rec_fresh, rec_stuck (2024-06-30 is outside)
    assert o["stuck"] == 3
    # adm_eval, adm_late, adm_none, later; only adm_eval evaluated before (adm_late after the admission)
    assert (o["admitted_12m"], o["evaluated_12m"]) == (4, 1)
    assert (o["members_12m"], o["withdrawn_12m"]) == (1, 0)
    assert o["now_probationary"] == 5 and o["now_activist"] == 3 and o["open"] == 10
    # the union's share of 2024's new Party members: a1 2 of 4 recorded; b1 recorded 0 but the union admitted
    # 2 (prob_stuck, adm_none: the union's count is taken); a2 has no 2024 record and no union admission in 2024
    assert f.year == 2024
    assert (o["admitted_union_year"], o["admitted_total_year"], o["admitted_unrecorded_year"]) == (4, 6, 0)
    a = f.by_township.set_index("key").loc[towns["A"]]
    assert (a["admitted_union_year"], a["admitted_total_year"], a["recommended_12m"]) == (2, 4, 2)


def test_unrecorded_years_and_the_share_year(district):
    engine, _, _ = district
    assert q.share_year(D(2025, 12, 31)) == 2025 and q.share_year(D(2025, 12, 30)) == 2024
    with Session(engine) as s:
        f = q.figures(s, Scope.district(), D(2025, 12, 31))  # 2025: nothing recorded; "later" admitted 2025-01-01
    o = f.overall.iloc[0]
    assert (o["admitted_union_year"], o["admitted_total_year"], o["admitted_unrecorded_year"]) == (0, 0, 1)


def test_scope_and_names(district):
    engine, _, towns = district
    a = Scope.townships([towns["A"]])
    with Session(engine) as s:
        f = q.figures(s, a, AS_OF)
        assert set(f.by_township["key"]) == {towns["A"]} and set(f.by_enterprise["township_id"]) == {towns["A"]}
        assert f.overall.iloc[0]["admitted_total_year"] == 4
        leader = q.people(s, Scope.district(), AS_OF, names=q.names_visible(Role.LEADER, Scope.district()), limit=None)
        town_a = q.people(s, Scope.district(), AS_OF, names=q.names_visible(Role.TOWNSHIP, a), limit=None)
        staff = q.people(s, Scope.district(), AS_OF, names=q.names_visible("staff", Scope.district()), limit=None)
        assert q.count_people(s, a, AS_OF) == len(q.people(s, a, AS_OF, names=a, limit=None)) == 9
        assert q.count_people(s, Scope.district(), AS_OF, q.PeopleFilter(only="stuck")) == 3
        assert q.count_people(s, Scope.district(), AS_OF, q.PeopleFilter(stage="activist")) == 3
    assert leader["person_name"].isna().all() and len(leader) == 12
    named = town_a.dropna(subset=["person_name"])
    assert set(named["township_id"]) == {towns["A"]} and len(named) == 9
    assert staff["person_name"].notna().all()


def test_the_demo_against_sql(any_demo_engine):
    engine = any_demo_engine
    start = D(DEMO_TODAY.year - 1, DEMO_TODAY.month, DEMO_TODAY.day)
    with Session(engine) as s:
        f = q.figures(s, Scope.district(), DEMO_TODAY)
        leader = q.people(s, Scope.district(), DEMO_TODAY, names=q.names_visible(Role.LEADER, Scope.district()))
    with engine.connect() as conn:
        sql = lambda text, **p: conn.execute(sa.text(text), p).scalar()
        rec = sql("SELECT count(*) FROM activist_recommendation WHERE recommended_on > :a AND recommended_on <= :b",
                  a=start, b=DEMO_TODAY)
        admitted = sql("SELECT count(*) FROM activist_recommendation WHERE probationary_on > :a AND "
                       "probationary_on <= :b", a=start, b=DEMO_TODAY)
        open_ = sql("SELECT count(*) FROM activist_recommendation WHERE recommended_on <= :b AND stage NOT IN "
                    "('member', 'withdrawn')", b=DEMO_TODAY)
        total = sql("SELECT sum(admitted) FROM party_admission WHERE year = :y", y=f.year)
    o = f.overall.iloc[0]
    assert (o["recommended_12m"], o["admitted_12m"], o["open"]) == (rec, admitted, open_)
    assert 0 < o["admitted_union_year"] < o["admitted_total_year"] == total  # the demo records every year
    assert 0 < o["evaluated_12m"] <= o["admitted_12m"] and o["stuck"] > 0
    assert f.by_township["recommended_12m"].sum() == rec and len(f.by_township) == 10
    assert leader["person_name"].isna().all() and len(leader) == 200
    # data from 2002 on
    with Session(engine) as s:
        early = q.figures(s, Scope.district(), D(2002, 12, 31)).overall.iloc[0]
    assert early["recommended_12m"] > 0 and early["admitted_total_year"] > 0


def test_the_stored_stage_and_the_dates_agree(any_demo_engine, monkeypatch):
    """As of a date no stage began after, the page reads the stored stage (``is_current``): the same
    figures and list as the stage computed from the dates."""
    engine = any_demo_engine
    with Session(engine) as s:
        latest = s.execute(sa.select(sa.func.max(ActivistRecommendation.__table__.c.stage_on))).scalar()
        day = max(DEMO_TODAY, latest if isinstance(latest, dt.date) else D.fromisoformat(str(latest)))
        assert q.is_current(s, day)
        stored = (q.figures(s, Scope.district(), day), q.people(s, Scope.district(), day, names=Scope.district()),
                  q.count_people(s, Scope.district(), day, q.PeopleFilter(only="stuck")))
        monkeypatch.setattr(q, "is_current", lambda session, as_of: False)
        dated = (q.figures(s, Scope.district(), day), q.people(s, Scope.district(), day, names=Scope.district()),
                 q.count_people(s, Scope.district(), day, q.PeopleFilter(only="stuck")))
    assert stored[0].by_township.equals(dated[0].by_township) and stored[0].by_enterprise.equals(dated[0].by_enterprise)
    assert list(stored[1]["id"]) == list(dated[1]["id"]) and stored[2] == dated[2] > 0


def test_the_list_read_part_by_part_is_the_sorted_list(any_demo_engine, monkeypatch):
    """As of a date no stage began after, the list's first pages are read part by part from the
    (stage, stage_on) index (``_picked_in_parts``): the same rows in the same order as sorting everyone,
    for every filter, scope and page the fast path takes."""
    engine = any_demo_engine
    with Session(engine) as s:
        latest = s.execute(sa.select(sa.func.max(ActivistRecommendation.__table__.c.stage_on))).scalar()
        day = max(DEMO_TODAY, latest if isinstance(latest, dt.date) else D.fromisoformat(str(latest)))
        town = s.execute(sa.text("SELECT min(id) FROM township")).scalar()
        cases = [(scope, flt, offset, limit)
                 for scope in (Scope.district(), Scope.townships([town]))
                 for flt in (q.PeopleFilter(), q.PeopleFilter(only="stuck"), q.PeopleFilter(only="open"),
                             q.PeopleFilter(stage=q.S.ACTIVIST), q.PeopleFilter(stage=q.S.MEMBER))
                 for offset, limit in ((0, 200), (0, 20), (40, 20), (180, 50))]
        fast = [q.people(s, c[0], day, c[1], names=Scope.district(), offset=c[2], limit=c[3]) for c in cases]
        monkeypatch.setattr(q, "FAST_ROWS", 0)  # every page sorts everyone
        slow = [q.people(s, c[0], day, c[1], names=Scope.district(), offset=c[2], limit=c[3]) for c in cases]
    assert sum(len(f) for f in fast) > 500  # the control: pages with people in them
    for case, a, b in zip(cases, fast, slow):
        assert list(a["id"]) == list(b["id"]), case
        assert a.equals(b), case
