"""``dashboard.edits.awards``: a round from opening to published awards on the demo district
(SQLite and PostgreSQL), and each rule's refusal — which writes nothing (``tests.edits.protocol``)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.edits import Actor
from dashboard.edits import awards as ed
from dashboard.queries.scope import Scope
from models.enums import Role
from tests.edits.protocol import Protocol, rows, scalar
from tests.factories import DEMO_TODAY

D = dt.date
STAFF = Actor("staff", Role.STAFF, Scope.district())
LEADER = Actor("leader", Role.LEADER, Scope.district())
TABLES = ("award_round", "award_quota", "double_love_award", "audit_event")
PROTOCOL = Protocol(TABLES, STAFF, DEMO_TODAY)
run, refused = PROTOCOL.run, PROTOCOL.refused
ROUND = {"year": 2027, "opened_on": D(2026, 11, 1), "nominate_by": D(2026, 12, 31), "evaluate_by": D(2027, 1, 31)}

UNIONISED = """SELECT e.id FROM enterprise e JOIN township t ON t.id = e.township_id
  WHERE t.code = :code AND e.closed_on IS NULL AND EXISTS (SELECT 1 FROM union_coverage c
    WHERE c.enterprise_id = e.id AND c.start_on <= :day AND (c.end_on IS NULL OR c.end_on > :day))
  ORDER BY e.id"""
NO_UNION = """SELECT e.id FROM enterprise e JOIN township t ON t.id = e.township_id
  WHERE t.code = :code AND e.closed_on IS NULL AND NOT EXISTS (SELECT 1 FROM union_coverage c
    WHERE c.enterprise_id = e.id AND c.start_on <= :day AND (c.end_on IS NULL OR c.end_on > :day))
  ORDER BY e.id"""


def _ids(engine, sql, code):
    return [r["id"] for r in rows(engine, sql, code=code, day=DEMO_TODAY)]


@pytest.fixture
def setup(any_own_demo_engine):
    """A 2027 round taking nominations, 越北镇 with one place of each category; its township account."""
    engine = any_own_demo_engine
    yb = scalar(engine, "SELECT id FROM township WHERE code = 'YB'")
    rid = run(engine, ed.create_round, **ROUND)
    for category in ("worker", "manager"):
        run(engine, ed.set_quota, round_id=rid, township_id=yb, category=category, quota=1)
    return engine, rid, yb, Actor("yuebei", Role.TOWNSHIP, Scope.townships([yb]))


def test_a_round_from_nominations_to_published_awards(setup):
    engine, rid, yb, town = setup
    a, b = _ids(engine, UNIONISED, "YB")[:2]
    n1 = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=a, category="worker", person_name=" 李明 ",
             note="技术革新")
    n2 = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=b, category="manager", person_name="赵刚")
    got = rows(engine, "SELECT person_name, township_id, year, stage, nominated_on, version FROM double_love_award "
                       "WHERE round_id = :r ORDER BY id", r=rid)
    assert [(g["person_name"], g["township_id"], g["year"], g["stage"], str(g["nominated_on"])) for g in got] == [
        ("李明", yb, 2027, "nominated", "2026-11-24"), ("赵刚", yb, 2027, "nominated", "2026-11-24")]
    run(engine, ed.close_nominations, round_id=rid, version=1)
    run(engine, ed.evaluate, nomination_id=n1, version=1, result="passed", note="事迹突出")
    run(engine, ed.evaluate, nomination_id=n2, version=1, result="rejected")
    assert run(engine, ed.publish_round, round_id=rid, version=2, awarded_on=DEMO_TODAY) == 1
    assert rows(engine, "SELECT id, stage, note FROM double_love_award WHERE round_id = :r ORDER BY id", r=rid) == [
        {"id": n1, "stage": "awarded", "note": "事迹突出"}, {"id": n2, "stage": "rejected", "note": None}]
    assert scalar(engine, "SELECT status FROM award_round WHERE id = :r", r=rid) == "awarded"
    actions = [r["action"] for r in rows(engine, "SELECT action FROM audit_event WHERE action LIKE 'award_%' ORDER BY id")]
    assert actions == ["award_round_created", "award_quota_set", "award_quota_set", "award_nominated", "award_nominated",
                       "award_round_closed", "award_evaluated", "award_evaluated", "award_round_published"]
    # published: nothing of the round changes any more
    refused(engine, ed.set_quota, "awards.err.published", round_id=rid, township_id=yb, category="worker", quota=3,
            version=2)
    refused(engine, ed.update_round, "awards.err.published", round_id=rid, version=3, **{k: v for k, v in ROUND.items()
                                                                                          if k != "year"})


def test_nominations_are_refused_beyond_the_quota_outside_the_township_and_for_a_leader(setup):
    engine, rid, yb, town = setup
    a, b, c = _ids(engine, UNIONISED, "YB")[:3]
    other = _ids(engine, UNIONISED, "QL")[0]
    ok = {"round_id": rid, "category": "worker", "person_name": "李明"}
    refused(engine, ed.nominate, "edit.forbidden_role", actor=LEADER, enterprise_id=a, **ok)
    refused(engine, ed.nominate, "edit.forbidden_scope", actor=town, enterprise_id=other, **ok)  # another township
    refused(engine, ed.nominate, "awards.err.no_union", "enterprise", actor=town,
            enterprise_id=_ids(engine, NO_UNION, "YB")[0], **ok)
    refused(engine, ed.nominate, "awards.err.required", "person_name", actor=town, enterprise_id=a,
            **{**ok, "person_name": " "})
    refused(engine, ed.nominate, "awards.err.bad_choice", "category", actor=town, enterprise_id=a,
            **{**ok, "category": "hero"})
    first = run(engine, ed.nominate, actor=town, enterprise_id=a, **ok)
    err = refused(engine, ed.nominate, "awards.err.quota_full", "category", actor=town, enterprise_id=b,
                  **{**ok, "person_name": "王芳"})
    assert err.params == {"quota": 1, "used": 1}
    # the quota row of another township: none, so no place there even for staff
    refused(engine, ed.nominate, "awards.err.quota_full", "category", enterprise_id=other, **ok)
    # a manager: one per enterprise and round; a person once per round
    run(engine, ed.set_quota, round_id=rid, township_id=yb, category="manager", quota=3, version=1)
    run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=b, category="manager", person_name="赵刚")
    refused(engine, ed.nominate, "awards.err.one_manager", "category", actor=town, round_id=rid, enterprise_id=b,
            category="manager", person_name="钱进")
    refused(engine, ed.nominate, "awards.err.twice", "person_name", actor=town, round_id=rid, enterprise_id=a,
            category="manager", person_name="李明")
    # a quota cannot go below the places used; a withdrawal frees its place
    refused(engine, ed.set_quota, "awards.err.quota_below_used", "quota", round_id=rid, township_id=yb,
            category="worker", quota=0, version=1)
    refused(engine, ed.withdraw, "edit.forbidden_role", actor=LEADER, nomination_id=first, version=1)
    refused(engine, ed.withdraw, "edit.forbidden_scope", actor=Actor("ql", Role.TOWNSHIP, Scope.townships([yb + 1])),
            nomination_id=first, version=1)
    run(engine, ed.withdraw, actor=town, nomination_id=first, version=1)
    refused(engine, ed.withdraw, "edit.conflict", actor=town, nomination_id=first, version=1)  # stale
    run(engine, ed.nominate, actor=town, enterprise_id=c, **{**ok, "person_name": "王芳"})
    assert scalar(engine, "SELECT count(*) FROM double_love_award WHERE round_id = :r AND stage <> 'withdrawn'",
                  r=rid) == 2


def test_the_stages_and_dates_of_a_round_are_kept(setup):
    engine, rid, _yb, town = setup
    a = _ids(engine, UNIONISED, "YB")[0]
    # a round per year, from 2003 to next year, its dates in order
    refused(engine, ed.create_round, "awards.err.year_taken", "year", **ROUND)
    refused(engine, ed.create_round, "awards.err.bad_year", "year", **{**ROUND, "year": 2002})
    refused(engine, ed.create_round, "awards.err.bad_year", "year", **{**ROUND, "year": 2028})
    refused(engine, ed.update_round, "awards.err.before", "evaluate_by", round_id=rid, version=1,
            opened_on=D(2026, 11, 1), nominate_by=D(2026, 12, 31), evaluate_by=D(2026, 12, 1))
    refused(engine, ed.update_round, "edit.conflict", round_id=rid, version=7, opened_on=D(2026, 11, 1),
            nominate_by=D(2026, 12, 31), evaluate_by=D(2027, 1, 31))
    refused(engine, ed.create_round, "edit.forbidden_role", actor=town, **{**ROUND, "year": 2026 + 1})
    # the nominations' deadline (the district's date) and the stage
    late = {"round_id": rid, "enterprise_id": a, "category": "worker", "person_name": "李明"}
    refused(engine, ed.nominate, "awards.err.deadline_passed", actor=town, today=D(2027, 1, 1), **late)
    nid = run(engine, ed.nominate, actor=town, **late)
    refused(engine, ed.evaluate, "awards.err.not_evaluating", nomination_id=nid, version=1, result="passed")
    refused(engine, ed.evaluate, "edit.forbidden_role", actor=town, nomination_id=nid, version=1, result="passed")
    refused(engine, ed.close_nominations, "edit.forbidden_role", actor=town, round_id=rid, version=1)
    refused(engine, ed.close_nominations, "edit.conflict", round_id=rid, version=2)
    run(engine, ed.close_nominations, round_id=rid, version=1)
    refused(engine, ed.nominate, "awards.err.not_nominating", actor=town, **{**late, "person_name": "王芳"})
    refused(engine, ed.withdraw, "awards.err.not_nominating", actor=town, nomination_id=nid, version=1)
    refused(engine, ed.publish_round, "awards.err.pending", "awarded_on", round_id=rid, version=2,
            awarded_on=DEMO_TODAY)
    refused(engine, ed.evaluate, "awards.err.bad_choice", "result", nomination_id=nid, version=1, result="awarded")
    run(engine, ed.evaluate, nomination_id=nid, version=1, result="passed")
    refused(engine, ed.evaluate, "edit.conflict", nomination_id=nid, version=1, result="rejected")
    refused(engine, ed.publish_round, "awards.err.in_future", "awarded_on", round_id=rid, version=2,
            awarded_on=DEMO_TODAY + dt.timedelta(days=1))
    err = refused(engine, ed.publish_round, "awards.err.before", "awarded_on", round_id=rid, version=2,
                  awarded_on=D(2026, 11, 2))  # before the last evaluation
    assert err.params == {"date": DEMO_TODAY}
    refused(engine, ed.publish_round, "edit.forbidden_role", actor=LEADER, round_id=rid, version=2,
            awarded_on=DEMO_TODAY)
    refused(engine, ed.publish_round, "edit.conflict", round_id=rid, version=1, awarded_on=DEMO_TODAY)
    assert run(engine, ed.publish_round, round_id=rid, version=2, awarded_on=DEMO_TODAY) == 1
    refused(engine, ed.publish_round, "awards.err.not_evaluating", round_id=rid, version=3, awarded_on=DEMO_TODAY)


def test_the_quota_form_refuses_a_stale_quota_and_unknown_choices(setup):
    engine, rid, yb, _ = setup
    refused(engine, ed.set_quota, "edit.conflict", round_id=rid, township_id=yb, category="worker", quota=2)  # no version
    refused(engine, ed.set_quota, "edit.conflict", round_id=rid, township_id=yb, category="worker", quota=2, version=2)
    refused(engine, ed.set_quota, "awards.err.bad_choice", "township", round_id=rid, township_id=999_999,
            category="worker", quota=2)
    refused(engine, ed.set_quota, "upkeep.err.negative", "quota", round_id=rid, township_id=yb, category="worker",
            quota=-1, version=1)
    refused(engine, ed.set_quota, "edit.forbidden_role", actor=LEADER, round_id=rid, township_id=yb,
            category="worker", quota=2, version=1)
    refused(engine, ed.set_quota, "edit.gone", round_id=999_999, township_id=yb, category="worker", quota=2)
    run(engine, ed.set_quota, round_id=rid, township_id=yb, category="worker", quota=4, version=1)
    assert rows(engine, "SELECT quota, version FROM award_quota WHERE round_id = :r AND category = 'worker'",
                r=rid) == [{"quota": 4, "version": 2}]
