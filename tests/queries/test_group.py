"""``dashboard.queries.group``: the leading group as of a date and its mechanisms' figures, on the
demo district (SQLite and PostgreSQL) checked against counts written out in SQL here."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import group
from dashboard.queries.scope import Scope
from tests.factories import DEMO_TODAY

D = dt.date


def scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def test_the_group_on_a_date_is_its_members_then_leader_first(any_demo_engine):
    with Session(any_demo_engine) as s:
        now = group.members(s, DEMO_TODAY)
        first = group.members(s, D(2002, 12, 31))
        before = group.members(s, D(2002, 2, 28))
    assert now["role"].iloc[0] == "leader" and list(now["role"]).count("leader") == 1
    assert list(now["role"]) == sorted(now["role"], key=group.ROLE_ORDER.get)
    assert (now["from_on"] == D(2022, 3, 1)).all()  # the current term
    assert (first["from_on"] == D(2002, 3, 1)).all() and len(first) == len(now)
    assert "区委主管书记" in set(first["position"])
    assert before.empty  # the group was formed in March 2002
    with Session(any_demo_engine) as s:
        changes = group.changes(s, DEMO_TODAY, limit=500)
    assert changes.iloc[0]["day"] == D(2022, 3, 1)
    assert set(changes["change"]) == {"joined", "left"}
    assert (changes["change"] == "left").sum() == 4 * len(now)  # four terms ended


def test_the_documents_are_those_issued_by_the_date(any_demo_engine):
    with Session(any_demo_engine) as s:
        docs = group.documents(s, DEMO_TODAY)
        early = group.documents(s, D(2002, 6, 1))
    assert len(docs) == 5 and docs["issued_on"].is_monotonic_decreasing
    assert "关于做好非公有制企业党工共建工作的意见" in set(docs["title"])
    assert list(early["title"]) == ["##区非公有制企业工会组建百日攻坚实施方案", "关于成立##区党工共建工作领导小组的通知"]


def test_the_mechanisms_count_the_twelve_months_in_scope(any_demo_engine):
    engine = any_demo_engine
    start = D(DEMO_TODAY.year - 1, DEMO_TODAY.month, DEMO_TODAY.day)
    yb = scalar(engine, "SELECT id FROM township WHERE code = 'YB'")
    with Session(engine) as s:
        district = {m.key: m for m in group.mechanisms(s, Scope.district(), DEMO_TODAY)}
        town = {m.key: m for m in group.mechanisms(s, Scope.townships([yb]), DEMO_TODAY)}
    sent = scalar(engine, "SELECT count(*) FROM coordination_notice WHERE sent_on > :a AND sent_on <= :b",
                  a=start, b=DEMO_TODAY)
    assert district["notices"].figures["sent"] == sent
    assert str(district["notices"].last) == str(scalar(
        engine, "SELECT max(sent_on) FROM coordination_notice WHERE sent_on <= :b", b=DEMO_TODAY))
    held = scalar(engine, "SELECT count(*) FROM joint_meeting WHERE level = 'district' AND held_on > :a AND held_on <= :b",
                  a=start, b=DEMO_TODAY)
    assert district["meetings"].figures["district"] == held
    assert town["meetings"].figures["district"] == 0  # district meetings are the whole district's
    recommended = scalar(engine, "SELECT count(*) FROM activist_recommendation WHERE recommended_on > :a "
                                 "AND recommended_on <= :b", a=start, b=DEMO_TODAY)
    assert district["recommendations"].figures["recommended"] == recommended
    town_rec = scalar(engine, "SELECT count(*) FROM activist_recommendation r JOIN enterprise e ON e.id = r.enterprise_id "
                              "WHERE e.township_id = :t AND recommended_on > :a AND recommended_on <= :b",
                      t=yb, a=start, b=DEMO_TODAY)
    assert town["recommendations"].figures["recommended"] == town_rec
    # 双爱双评: the newest round published by the date (0020: the 2026 round is still in its evaluation)
    year = scalar(engine, "SELECT max(year) FROM award_round WHERE awarded_on <= :d", d=DEMO_TODAY)
    awards = district["awards"].figures
    assert awards["year"] == year == DEMO_TODAY.year - 1
    assert awards["worker"] + awards["manager"] == scalar(
        engine, "SELECT count(*) FROM double_love_award WHERE year = :y AND stage = 'awarded'", y=year)
    assert str(district["awards"].last) == str(scalar(engine, "SELECT awarded_on FROM award_round WHERE year = :y",
                                                      y=year))
    with Session(engine) as s:  # before anything happened: zeros, no last date
        empty = {m.key: m for m in group.mechanisms(s, Scope.district(), D(2001, 1, 1))}
    assert empty["notices"].last is None and empty["awards"].figures["year"] == 0
