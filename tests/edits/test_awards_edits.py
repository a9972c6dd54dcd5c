"""``dashboard.edits.awards``: a round from opening to published awards on the demo district
(SQLite and PostgreSQL), and each rule's refusal — which writes nothing (``tests.edits.protocol``)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from dashboard.edits import Actor, EditError
from dashboard.edits import awards as ed
from dashboard.queries.scope import Scope
from models.db import session_scope
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
    run(engine, ed.evaluate, nomination_id=n1, version=1, result="passed", remark="事迹突出")
    run(engine, ed.evaluate, nomination_id=n2, version=1, result="rejected")
    assert run(engine, ed.publish_round, round_id=rid, version=2, awarded_on=DEMO_TODAY) == 1
    # the citation and the evaluation's remark both kept (review item 5)
    assert rows(engine, "SELECT id, stage, note, remark FROM double_love_award WHERE round_id = :r ORDER BY id",
                r=rid) == [{"id": n1, "stage": "awarded", "note": "技术革新", "remark": "事迹突出"},
                           {"id": n2, "stage": "rejected", "note": None, "remark": None}]
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


def _day(value):
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_each_stage_keeps_its_own_day_and_every_day_is_checked(setup):
    """Review items 2 and 3: closing, evaluating and publishing each write their own day; a day before
    the round opened, before the stage it follows or in the future is refused with its message (no
    CHECK constraint reached, nothing written)."""
    engine, rid, _yb, town = setup
    a = _ids(engine, UNIONISED, "YB")[0]
    nid = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=a, category="worker", person_name="李明",
              today=D(2026, 11, 3))
    refused(engine, ed.withdraw, "awards.err.before", None, actor=town, nomination_id=nid, version=1,
            today=D(2026, 11, 2))  # a clock before the nomination: refused, not moved silently
    run(engine, ed.close_nominations, round_id=rid, version=1, today=D(2026, 11, 10))
    refused(engine, ed.evaluate, "awards.err.before", None, nomination_id=nid, version=1, result="passed",
            today=D(2026, 11, 9))  # before the round was closed
    run(engine, ed.evaluate, nomination_id=nid, version=1, result="passed", remark="同意", today=D(2026, 11, 12))
    # publication: before the round opened (the CHECK's case of the review), before it was closed, before the
    # evaluation, in the future — each refused naming the day it cannot precede
    for day, bound in ((D(2026, 10, 1), D(2026, 11, 12)), (D(2026, 11, 9), D(2026, 11, 12)),
                       (D(2026, 11, 11), D(2026, 11, 12))):
        err = refused(engine, ed.publish_round, "awards.err.before", "awarded_on", round_id=rid, version=2,
                      awarded_on=day)
        assert err.params == {"date": bound}
    refused(engine, ed.publish_round, "awards.err.in_future", "awarded_on", round_id=rid, version=2,
            awarded_on=D(2026, 11, 25))
    refused(engine, ed.publish_round, "awards.err.bad_date", "awarded_on", round_id=rid, version=2, awarded_on="2026-13-01")
    run(engine, ed.publish_round, round_id=rid, version=2, awarded_on=D(2026, 11, 20))
    got = rows(engine, "SELECT stage, nominated_on, evaluated_on, stage_on, remark FROM double_love_award WHERE id = :n",
               n=nid)[0]
    assert (got["stage"], _day(got["nominated_on"]), _day(got["evaluated_on"]), _day(got["stage_on"])) == (
        "awarded", D(2026, 11, 3), D(2026, 11, 12), D(2026, 11, 20))  # the evaluation's day survives publication
    rnd = rows(engine, "SELECT closed_on, awarded_on FROM award_round WHERE id = :r", r=rid)[0]
    assert (_day(rnd["closed_on"]), _day(rnd["awarded_on"])) == (D(2026, 11, 10), D(2026, 11, 20))


def test_a_rounds_dates_must_fit_its_year(setup):
    """Review item 4: a round of year Y opens between 1 January of Y−1 and 31 December of Y+1; its
    deadlines and publication fall by that day; the opening cannot move past what happened."""
    engine, rid, _yb, town = setup
    # the demo has every year from 2003 to 2026 and the fixture 2027: the rule through the 2027 round's dates
    err = refused(engine, ed.update_round, "awards.err.opened_year", "opened_on", round_id=rid, version=1,
                  opened_on=D(2025, 12, 31), nominate_by=D(2026, 12, 31), evaluate_by=D(2027, 1, 31))
    assert err.params == {"year": 2027, "first": D(2026, 1, 1), "last": D(2028, 12, 31)}
    refused(engine, ed.update_round, "awards.err.after_year", "evaluate_by", round_id=rid, version=1,
            opened_on=D(2026, 11, 1), nominate_by=D(2026, 12, 31), evaluate_by=D(2029, 1, 1))
    run(engine, ed.update_round, round_id=rid, version=1, opened_on=D(2026, 10, 1), nominate_by=D(2026, 12, 31),
        evaluate_by=D(2027, 1, 31))
    a = _ids(engine, UNIONISED, "YB")[0]
    run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=a, category="worker", person_name="李明",
        today=D(2026, 11, 3))
    refused(engine, ed.update_round, "awards.err.after_first", "opened_on", round_id=rid, version=2,
            opened_on=D(2026, 11, 4), nominate_by=D(2026, 12, 31), evaluate_by=D(2027, 1, 31))


def test_a_round_cannot_close_before_it_opens_and_a_township_cannot_withdraw_after_the_deadline(setup):
    engine, rid, yb, town = setup
    refused(engine, ed.close_nominations, "awards.err.close_before_open", None, round_id=rid, version=1,
            today=D(2026, 10, 31))
    a, b = _ids(engine, UNIONISED, "YB")[:2]
    n1 = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=a, category="worker", person_name="李明")
    n2 = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=b, category="manager", person_name="赵刚")
    after = D(2027, 1, 2)  # the deadline was 31 December, the round not closed yet
    err = refused(engine, ed.withdraw, "awards.err.withdraw_deadline", None, actor=town, nomination_id=n1, version=1,
                  today=after)
    assert err.params == {"date": D(2026, 12, 31)}
    run(engine, ed.withdraw, actor=town, nomination_id=n2, version=1, today=D(2026, 12, 31))  # on the day: yes
    run(engine, ed.withdraw, nomination_id=n1, version=1, today=after)  # the federation's staff: yes
    assert scalar(engine, "SELECT count(*) FROM double_love_award WHERE round_id = :r AND stage = 'withdrawn'",
                  r=rid) == 2


def _waiting_for_a_lock(engine, timeout: float = 10.0) -> None:
    """Return once another connection waits for a row lock (pg_locks), or fail after ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if scalar(engine, "SELECT count(*) FROM pg_locks WHERE NOT granted"):
            return
        time.sleep(0.02)
    raise AssertionError("the other session never waited for the quota's lock")


def _in_thread(engine, fn, **kwargs) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def go() -> None:
        try:
            with session_scope(engine) as s:
                out["result"] = fn(session=s, actor=kwargs.pop("actor", STAFF), today=DEMO_TODAY, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the refusal under test (or a lock timeout: then the test fails)
            out["error"] = exc

    th = threading.Thread(target=go)
    th.start()
    return th, out


@pytest.mark.parametrize("first", ["nominate", "set_quota"])
def test_a_quota_change_and_a_nomination_at_once_never_exceed_the_quota(setup, first):
    """Review item 7 on the real PostgreSQL server, two sessions: one holds its transaction open after
    its write, the other must wait for the quota row's lock and then see the first one's result —
    lowering a quota to 0 while the last place is being taken, either way round, is refused."""
    engine, rid, yb, town = setup
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: the race needs PostgreSQL's row locks")
    a = _ids(engine, UNIONISED, "YB")[0]
    nominate = {"round_id": rid, "enterprise_id": a, "category": "worker", "person_name": "李明"}
    lower = {"round_id": rid, "township_id": yb, "category": "worker", "quota": 0, "version": 1}
    with session_scope(engine) as s:  # the first one's transaction, left open until the other waits
        if first == "nominate":
            ed.nominate(session=s, actor=town, today=DEMO_TODAY, **nominate)
            th, out = _in_thread(engine, ed.set_quota, **lower)
        else:
            ed.set_quota(session=s, actor=STAFF, today=DEMO_TODAY, **lower)
            th, out = _in_thread(engine, ed.nominate, actor=town, **nominate)
        _waiting_for_a_lock(engine)
    th.join(30)
    assert isinstance(out.get("error"), EditError), out
    assert out["error"].key == ("awards.err.quota_below_used" if first == "nominate" else "awards.err.quota_full")
    quota = scalar(engine, "SELECT quota FROM award_quota WHERE round_id = :r AND township_id = :t AND "
                           "category = 'worker'", r=rid, t=yb)
    used = scalar(engine, "SELECT count(*) FROM double_love_award WHERE round_id = :r AND township_id = :t AND "
                          "category = 'worker' AND stage <> 'withdrawn'", r=rid, t=yb)
    assert (quota, used) == ((1, 1) if first == "nominate" else (0, 0))


def test_an_evaluation_while_the_round_is_published_waits_and_is_refused(setup):
    """The review's race on the real PostgreSQL server: staff publishes the round (its transaction
    left open) while another changes a rejected nominee to passed — the evaluation waits for the
    round's lock, then sees the round published and is refused: no passed nominee in a published
    round that was never awarded."""
    engine, rid, yb, town = setup
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: the race needs PostgreSQL's row locks")
    a, b = _ids(engine, UNIONISED, "YB")[:2]
    n1 = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=a, category="worker", person_name="李明")
    n2 = run(engine, ed.nominate, actor=town, round_id=rid, enterprise_id=b, category="manager", person_name="赵刚")
    run(engine, ed.close_nominations, round_id=rid, version=1)
    run(engine, ed.evaluate, nomination_id=n1, version=1, result="passed")
    run(engine, ed.evaluate, nomination_id=n2, version=1, result="rejected")
    with session_scope(engine) as s:
        assert ed.publish_round(session=s, actor=STAFF, today=DEMO_TODAY, round_id=rid, version=2,
                                awarded_on=DEMO_TODAY) == 1
        th, out = _in_thread(engine, ed.evaluate, nomination_id=n2, version=2, result="passed")
        _waiting_for_a_lock(engine)
    th.join(30)
    assert isinstance(out.get("error"), EditError) and out["error"].key == "awards.err.not_evaluating", out
    assert [r["stage"] for r in rows(engine, "SELECT stage FROM double_love_award WHERE round_id = :r ORDER BY id",
                                     r=rid)] == ["awarded", "rejected"]
