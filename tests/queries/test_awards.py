"""``dashboard.queries.awards``: a round's progress as of a date, its nominations, the awards per
township and per enterprise, on a hand-made district (SQLite and PostgreSQL) where every figure is
written out; and the demo district's rounds (quotas kept, the current round in progress, the
figures of the page equal to counts written in SQL here)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import awards as Q
from dashboard.queries import group
from dashboard.queries.scope import Scope
from dashboard.queries.timeline import enterprise_timeline
from models.tables import AwardQuota, AwardRound, DoubleLoveAward
from tests.factories import DEMO_TODAY, world

D = dt.date
RA, AQ, DA = AwardRound.__table__, AwardQuota.__table__, DoubleLoveAward.__table__


@pytest.fixture
def district(any_engine):
    """Townships A and B; a1, a2 in A and b1 in B, unionised. The 2024 round closed on 1 November and
    published on 5 December 2024 (a1 and b1 evaluated on 12 November and awarded, a b1 manager not
    passed on 10 November); the 2025 round closed on 3 November, in its evaluation, with places A: 2
    workers, 1 manager; B: 1 worker — 甲 pending, 乙 passed on 5 Nov, 丙 (manager) not passed on 6 Nov,
    丁 withdrawn on 1 Oct (A); 戊 nominated on 20 Oct, passed on 20 Nov (B)."""
    with world(any_engine) as w:
        w.add_township("A")
        w.add_township("B")
        for key, town in (("a1", "A"), ("a2", "A"), ("b1", "B")):
            w.add_enterprise(key, town, union=D(2001, 1, 1))
        conn = w.session.connection()
        r24 = conn.execute(RA.insert().values(year=2024, title="2024", opened_on=D(2024, 9, 1),
                                              nominate_by=D(2024, 10, 31), evaluate_by=D(2024, 11, 30),
                                              closed_on=D(2024, 11, 1), awarded_on=D(2024, 12, 5),
                                              status="awarded").returning(RA.c.id)).scalar_one()
        r25 = conn.execute(RA.insert().values(year=2025, title="2025", opened_on=D(2025, 9, 1),
                                              nominate_by=D(2025, 10, 31), evaluate_by=D(2025, 11, 30),
                                              closed_on=D(2025, 11, 3), status="evaluating").returning(RA.c.id)).scalar_one()
        A, B = w.township["A"], w.township["B"]
        conn.execute(AQ.insert(), [
            {"round_id": r24, "township_id": A, "category": "worker", "quota": 1},
            {"round_id": r24, "township_id": B, "category": "worker", "quota": 1},
            {"round_id": r24, "township_id": B, "category": "manager", "quota": 1},
            {"round_id": r25, "township_id": A, "category": "worker", "quota": 2},
            {"round_id": r25, "township_id": A, "category": "manager", "quota": 1},
            {"round_id": r25, "township_id": B, "category": "worker", "quota": 1}])

        def nom(rnd, year, ent, town, cat, name, stage, nominated, stage_on, evaluated=None):
            evaluated = evaluated or (stage_on if stage in ("passed", "rejected") else None)
            return {"round_id": rnd, "year": year, "enterprise_id": w.ent[ent], "township_id": town, "category": cat,
                    "person_name": name, "stage": stage, "nominated_on": nominated, "stage_on": stage_on,
                    "evaluated_on": evaluated, "note": f"{name}的事迹",
                    "remark": f"{name}的评审意见" if evaluated else None}
        conn.execute(DA.insert(), [
            nom(r24, 2024, "a1", A, "worker", "子", "awarded", D(2024, 9, 10), D(2024, 12, 5), D(2024, 11, 12)),
            nom(r24, 2024, "b1", B, "worker", "丑", "awarded", D(2024, 9, 10), D(2024, 12, 5), D(2024, 11, 12)),
            nom(r24, 2024, "b1", B, "manager", "寅", "rejected", D(2024, 9, 10), D(2024, 11, 10)),
            nom(r25, 2025, "a1", A, "worker", "甲", "nominated", D(2025, 9, 10), D(2025, 9, 10)),
            nom(r25, 2025, "a2", A, "worker", "乙", "passed", D(2025, 9, 12), D(2025, 11, 5)),
            nom(r25, 2025, "a1", A, "manager", "丙", "rejected", D(2025, 9, 15), D(2025, 11, 6)),
            nom(r25, 2025, "a2", A, "worker", "丁", "withdrawn", D(2025, 9, 11), D(2025, 10, 1)),
            nom(r25, 2025, "b1", B, "worker", "戊", "passed", D(2025, 10, 20), D(2025, 11, 20))])
    return any_engine, w, r24, r25


def _progress(engine, scope, rid, as_of):
    with Session(engine) as s:
        df = Q.round_progress(s, scope, rid, as_of)
    return {(r.township, r.category): (r.quota, r.nominated, r.pending, r.passed, r.rejected, r.awarded, r.withdrawn)
            for r in df.itertuples()}


def test_a_rounds_progress_counts_each_stage_as_of_the_date(district):
    engine, w, r24, r25 = district
    #                                       quota nominated pending passed rejected awarded withdrawn
    assert _progress(engine, Scope.district(), r25, D(2025, 11, 30)) == {
        ("A镇", "worker"): (2, 2, 1, 1, 0, 0, 1), ("A镇", "manager"): (1, 1, 0, 0, 1, 0, 0),
        ("B镇", "worker"): (1, 1, 0, 1, 0, 0, 0)}
    # on 5 November: 乙 passed that day, 丙 and 戊 still pending
    assert _progress(engine, Scope.district(), r25, D(2025, 11, 5)) == {
        ("A镇", "worker"): (2, 2, 1, 1, 0, 0, 1), ("A镇", "manager"): (1, 1, 1, 0, 0, 0, 0),
        ("B镇", "worker"): (1, 1, 1, 0, 0, 0, 0)}
    # on 30 September: 丁 not withdrawn yet (three of A's workers pending), 戊 not nominated yet
    assert _progress(engine, Scope.district(), r25, D(2025, 9, 30)) == {
        ("A镇", "worker"): (2, 3, 3, 0, 0, 0, 0), ("A镇", "manager"): (1, 1, 1, 0, 0, 0, 0),
        ("B镇", "worker"): (1, 0, 0, 0, 0, 0, 0)}
    # the scope in SQL: B only; nothing for an empty scope
    assert _progress(engine, Scope.townships([w.township["B"]]), r25, D(2025, 11, 30)) == {
        ("B镇", "worker"): (1, 1, 0, 1, 0, 0, 0)}
    assert _progress(engine, Scope.townships([]), r25, D(2025, 11, 30)) == {}
    assert _progress(engine, Scope.district(), r24, D(2024, 12, 31)) == {
        ("A镇", "worker"): (1, 1, 0, 0, 0, 1, 0), ("B镇", "worker"): (1, 1, 0, 0, 0, 1, 0),
        ("B镇", "manager"): (1, 1, 0, 0, 1, 0, 0)}
    # between the evaluation (12 November) and the publication (5 December): passed, not pending —
    # publishing kept the evaluation's day (review item 2)
    assert _progress(engine, Scope.district(), r24, D(2024, 11, 20)) == {
        ("A镇", "worker"): (1, 1, 0, 1, 0, 0, 0), ("B镇", "worker"): (1, 1, 0, 1, 0, 0, 0),
        ("B镇", "manager"): (1, 1, 0, 0, 1, 0, 0)}
    assert _progress(engine, Scope.district(), r24, D(2024, 11, 11)) == {
        ("A镇", "worker"): (1, 1, 1, 0, 0, 0, 0), ("B镇", "worker"): (1, 1, 1, 0, 0, 0, 0),
        ("B镇", "manager"): (1, 1, 0, 0, 1, 0, 0)}


def test_the_round_of_a_date_its_nominations_and_the_published_awards(district):
    engine, w, _r24, r25 = district
    A, B = Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]])
    with Session(engine) as s:
        assert Q.round_for(s, D(2025, 8, 31))["year"] == 2024
        assert Q.round_for(s, D(2025, 9, 1))["year"] == 2025 and Q.round_for(s, D(2024, 1, 1)) is None
        noms = Q.round_nominations(s, A, r25, D(2025, 11, 30), names=Scope.district())
        assert list(zip(noms["person_name"], noms["stage"], strict=True)) == [
            ("乙", "passed"), ("甲", "nominated"), ("丁", "withdrawn"), ("丙", "rejected")]
        assert list(noms["note"]) == ["乙的事迹", "甲的事迹", "丁的事迹", "丙的事迹"]  # the citation kept
        assert list(noms["remark"].fillna("")) == ["乙的评审意见", "", "", "丙的评审意见"]  # the remark apart
        assert list(Q.round_nominations(s, B, r25, D(2025, 10, 19), names=Scope.district())["person_name"]) == []
        # the rounds of a date: those opened by then, newest by their dates, each as it stood then
        assert Q.rounds(s, D(2010, 12, 31)).empty and Q.round_for(s, D(2010, 12, 31)) is None
        assert Q.round_for(s, D(2010, 12, 31), r25) is None  # a round id of a later date: not shown
        listed = Q.rounds(s, D(2025, 10, 15))
        assert list(zip(listed["year"], listed["status"], listed["status_now"], strict=True)) == [
            (2025, "nominating", "evaluating"), (2024, "awarded", "awarded")]
        then = Q.round_for(s, D(2024, 11, 20), _r24)
        assert (then["status"], then["closed_on"], then["awarded_on"]) == ("evaluating", D(2024, 11, 1), None)
        assert Q.round_for(s, D(2024, 10, 20), _r24)["status"] == "nominating"
        assert Q.round_for(s, D(2024, 12, 5), _r24)["awarded_on"] == D(2024, 12, 5)
        # on 20 November 2024 the awarded were passed, their remark already written
        early = Q.round_nominations(s, Scope.district(), _r24, D(2024, 11, 20), names=Scope.district())
        assert sorted(zip(early["person_name"], early["stage"], strict=True)) == [
            ("丑", "passed"), ("子", "passed"), ("寅", "rejected")]
        assert Q.round_nominations(s, Scope.district(), _r24, D(2024, 11, 11),
                                   names=Scope.district())["remark"].isna().sum() == 2  # not evaluated yet then
        # awards count from the day the round was published, per nominating township
        assert Q.awards_by_township(s, Scope.district(), D(2024, 12, 4)).empty
        towns = Q.awards_by_township(s, Scope.district(), D(2025, 12, 31))
        assert sorted(zip(towns["township"], towns["worker"], towns["manager"], towns["total"], towns["rounds"],
                          towns["last_year"], strict=True)) == [("A镇", 1, 0, 1, 1, 2024), ("B镇", 1, 0, 1, 1, 2024)]
        top, holders = Q.awards_by_enterprise(s, B, D(2025, 12, 31))
        assert holders == 1 and list(top["enterprise"]) == ["企业b1"] and list(top["total"]) == [1]
        assert Q.awards_by_enterprise(s, Scope.district(), D(2025, 12, 31))[1] == 2
        assert Q.latest_published(s, Scope.district(), D(2025, 12, 31)) == (2024, D(2024, 12, 5), {"worker": 2})
        assert Q.latest_published(s, A, D(2024, 12, 4)) == (None, None, {})
        mine = Q.enterprise_awards(s, Scope.district(), w.ent["a1"], D(2025, 12, 31))
        assert list(zip(mine["year"], mine["category"], mine["person_name"], strict=True)) == [(2024, "worker", "子")]
        assert Q.enterprise_awards(s, B, w.ent["a1"], D(2025, 12, 31)).empty  # outside the scope
        # the enterprise's timeline: the award on the day it was published; a nomination is no event
        events = enterprise_timeline(s, Scope.district(), w.ent["a1"], D(2025, 12, 31))
        got = events[events["kind"] == "double_love_award"]
        assert list(zip(got["date"], got["title"], strict=True)) == [(D(2024, 12, 5), "子")]
        # the leading group's card: the newest published round in scope
        card = group.mechanisms(s, A, D(2025, 12, 31))[-1]
        assert (card.key, card.last, card.figures) == ("awards", D(2024, 12, 5), {"year": 2024, "worker": 1, "manager": 0})
        hits = Q.nominees(s, A, D(2025, 11, 30), "企业")
        assert list(hits["name"]) == ["企业a1", "企业a2"]


def scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def test_the_demo_rounds_keep_their_quotas_and_match_counts_in_sql(any_demo_engine):
    engine = any_demo_engine
    # a round a year from 2003; the demo's own round (2026) in its evaluation on the demo's date
    with Session(engine) as s:
        rounds = Q.rounds(s, DEMO_TODAY)
        current = Q.round_for(s, DEMO_TODAY)
        progress = Q.round_progress(s, Scope.district(), current["id"], DEMO_TODAY)
        towns = Q.awards_by_township(s, Scope.district(), DEMO_TODAY)
    assert list(rounds["year"]) == list(range(DEMO_TODAY.year, 2002, -1))
    assert current["year"] == 2026 and current["status"] == "evaluating" and current["awarded_on"] is None
    assert set(rounds["status"][1:]) == {"awarded"}
    # no township ever nominated beyond its places (withdrawn ones do not count)
    assert scalar(engine, """SELECT count(*) FROM award_quota q WHERE q.quota < (SELECT count(*) FROM double_love_award a
        WHERE a.round_id = q.round_id AND a.township_id = q.township_id AND a.category = q.category
        AND a.stage <> 'withdrawn')""") == 0
    assert scalar(engine, "SELECT count(*) FROM double_love_award a WHERE NOT EXISTS (SELECT 1 FROM award_quota q "
                          "WHERE q.round_id = a.round_id AND q.township_id = a.township_id AND q.category = a.category)") == 0
    assert int(progress["quota"].sum()) == scalar(engine, "SELECT sum(quota) FROM award_quota WHERE round_id = :r",
                                                  r=current["id"])
    assert int(progress["nominated"].sum()) == scalar(
        engine, "SELECT count(*) FROM double_love_award WHERE round_id = :r AND stage <> 'withdrawn'", r=current["id"])
    assert int(progress["pending"].sum()) > 0 and int(progress["passed"].sum()) > 0  # some evaluated, some not
    assert int(progress["awarded"].sum()) == 0
    assert int(towns["total"].sum()) == scalar(engine, "SELECT count(*) FROM double_love_award WHERE stage = 'awarded'")
    # every model enterprise of the source has an award, so its case study lists one
    assert scalar(engine, """SELECT count(DISTINCT a.enterprise_id) FROM double_love_award a JOIN enterprise e
        ON e.id = a.enterprise_id WHERE a.stage = 'awarded' AND e.name IN ('吉林德运公司', '吉林市恒通高压电气有限责任公司',
        '吉林市方田水泵有限公司', '吉林市红光热能设备有限责任公司')""") == 4


def test_who_sees_the_names_of_those_who_did_not_pass_and_the_lists_filters_in_sql(district):
    engine, w, r24, r25 = district
    A, B = w.township["A"], w.township["B"]
    day = D(2025, 11, 30)
    assert Q.names_visible("staff", Scope.townships([A])) == Scope.district()
    assert Q.names_visible("township", Scope.townships([A])) == Scope.townships([A])
    assert Q.names_visible("leader", Scope.district()) == Scope.townships(())
    with Session(engine) as s:
        # a leader: 丙 (not passed) is neither listed nor named — counted only
        led = Q.round_nominations(s, Scope.district(), r25, day, names=Q.names_visible("leader", Scope.district()))
        assert "丙" not in set(led["person_name"]) and "rejected" not in set(led["stage"])
        assert Q.nomination_counts(s, Scope.district(), r25, day, names=Scope.townships(())) == {"listed": 4, "hidden": 1}
        assert Q.nomination_counts(s, Scope.district(), r25, day, names=Scope.district()) == {"listed": 5, "hidden": 0}
        # nor on a date before 丙 was evaluated: comparing that list with today's would name who failed
        early = Q.round_nominations(s, Scope.district(), r25, D(2025, 11, 5), names=Scope.townships(()))
        assert "丙" not in set(early["person_name"]) and len(early) == 4
        assert Q.nomination_counts(s, Scope.district(), r25, D(2025, 11, 5), names=Scope.townships(())) == {
            "listed": 4, "hidden": 1}
        # the nominating township sees its own; B's account does not see A's rejected (outside its scope anyway)
        own = Q.round_nominations(s, Scope.townships([A]), r25, day, names=Scope.townships([A]))
        assert "丙" in set(own["person_name"])
        assert Q.round_nominations(s, Scope.district(), r24, D(2024, 12, 31), names=Scope.townships([A]))[
            "person_name"].tolist() == ["子", "丑"]  # B's 寅 (not passed) hidden from A's account
        # the forms' pickers: the stages picked in SQL, on the date
        picked = Q.round_nominations(s, Scope.district(), r25, day, names=Scope.district(), stages=("nominated",))
        assert list(picked["person_name"]) == ["甲"]
        assert list(Q.round_nominations(s, Scope.district(), r25, D(2025, 11, 5), names=Scope.district(),
                                        stages=("nominated",))["person_name"]) == ["甲", "丙", "戊"]
        # the limit is the screen's; the count gives the total
        assert len(Q.round_nominations(s, Scope.district(), r25, day, names=Scope.district(), limit=2)) == 2
        assert len(Q.round_nominations(s, Scope.district(), r25, day, names=Scope.district(), limit=None)) == 5
        # the quotas in scope, one township and category in SQL
        assert sorted(Q.quotas(s, Scope.district(), r25)["quota"]) == [1, 1, 2]
        assert list(Q.quotas(s, Scope.townships([B]), r25)["township_id"]) == [B]
        one = Q.quotas(s, Scope.district(), r25, township_id=A, category="manager")
        assert list(zip(one["category"], one["quota"], strict=True)) == [("manager", 1)]
        assert Q.quotas(s, Scope.townships([B]), r25, township_id=A).empty


def test_rounds_are_ordered_by_their_dates_and_those_not_open_are_ahead(district):
    engine, w, r24, r25 = district
    with Session(engine) as s:  # a 2023 round run late, opened after the 2024 one: newer by its dates
        late = s.connection().execute(RA.insert().values(
            year=2023, title="2023", opened_on=D(2024, 9, 15), nominate_by=D(2024, 10, 31), evaluate_by=D(2024, 11, 30),
            status="nominating").returning(RA.c.id)).scalar_one()
        ahead = s.connection().execute(RA.insert().values(
            year=2026, title="2026", opened_on=D(2026, 9, 1), nominate_by=D(2026, 10, 31), evaluate_by=D(2026, 11, 30),
            status="nominating").returning(RA.c.id)).scalar_one()
        s.commit()
        assert list(Q.rounds(s, D(2024, 12, 31))["year"]) == [2023, 2024]
        assert Q.round_for(s, D(2024, 12, 31))["id"] == late
        assert list(Q.rounds_ahead(s, D(2025, 12, 1))["id"]) == [ahead]
        assert Q.rounds_ahead(s, D(2026, 9, 1)).empty
