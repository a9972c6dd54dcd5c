"""The meetings write layer: valid edits write exactly their rows and one audit event; every
invalid or out-of-scope edit is refused with its message key and field and writes nothing
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from dashboard.edits import meetings as edits
from dashboard.queries.scope import Scope
from models.db import session_scope
from models.enums import Role
from tests.queries.test_meetings import build_world

D = dt.date
TODAY = D(2026, 3, 1)
TABLES = ("joint_meeting", "meeting_attendee", "decision", "action_item", "coordination_notice", "audit_event")


def snapshot(engine) -> dict[str, list]:
    """Every row of the tables an edit may touch (compared before and after)."""
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()] for t in TABLES}


def audits(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM audit_event ORDER BY id")).mappings().all()]


@pytest.fixture
def world(any_engine):
    return any_engine, build_world(any_engine)


def staff() -> Actor:
    return Actor("staff", Role.STAFF, Scope.district())


def township(w, code="A") -> Actor:
    return Actor(f"town_{code}", Role.TOWNSHIP, Scope.townships([w.township[code]]))


def run(engine, fn, **kwargs):
    with session_scope(engine) as s:
        return fn(session=s, today=TODAY, **kwargs)


def refused(engine, fn, key, field=None, **kwargs) -> EditError:
    before = snapshot(engine)
    with pytest.raises(EditError) as info:
        run(engine, fn, **kwargs)
    assert info.value.key == key, (info.value.key, info.value.params)
    assert info.value.field == field
    assert snapshot(engine) == before  # nothing written
    return info.value


# --------------------------------------------------------------------------- valid edits


def test_record_an_enterprise_meeting_writes_its_rows_and_one_audit_event(world):
    engine, w = world
    before = snapshot(engine)
    mid = run(engine, edits.record_meeting, actor=township(w), level="enterprise", held_on=D(2026, 2, 20),
              title="  企业e1党工联席会议（2026年）  ", enterprise_id=w.ent["e1"], agenda="活动计划", minutes="",
              attendee_unit_ids=[w.unit["A_DW"], w.unit["A_DW"]], attendee_names=["企业e1党支部", " ", "企业e1工会"],
              decisions=["开展技能竞赛", "", "推荐入党积极分子"])
    after = snapshot(engine)
    added = {t: len(after[t]) - len(before[t]) for t in TABLES}
    assert added == {"joint_meeting": 1, "meeting_attendee": 3, "decision": 2, "action_item": 0,
                     "coordination_notice": 0, "audit_event": 1}
    with Session(engine) as s:
        row = s.execute(sa.text("SELECT level, held_on, township_id, enterprise_id, title, agenda, minutes "
                                "FROM joint_meeting WHERE id = :i"), {"i": mid}).one()
    assert (row.level, str(row.held_on), row.township_id, row.enterprise_id) == (
        "enterprise", "2026-02-20", w.township["A"], w.ent["e1"])
    assert (row.title, row.agenda, row.minutes) == ("企业e1党工联席会议（2026年）", "活动计划", None)
    event = audits(engine)[-1]
    assert (event["action"], event["username"], event["entity"], event["entity_id"]) == (
        "meeting.create", "town_A", "joint_meeting", str(mid))
    assert json.loads(event["after_json"])["attendee_names"] == ["企业e1党支部", "企业e1工会"]


def test_staff_records_a_district_meeting_and_adds_an_item(world):
    engine, w = world
    mid = run(engine, edits.record_meeting, actor=staff(), level="district", held_on=D(2026, 2, 1), title="区级会议",
              attendee_unit_ids=[w.unit["ZZB"], w.unit["ZGH"]], decisions=["决定一"])
    before = snapshot(engine)
    item = run(engine, edits.add_action_item, actor=staff(), meeting_id=mid, description="落实决定",
               owner_unit_id=w.unit["B_DW"], due_on=D(2026, 3, 1), decision_text="新的决定")
    after = snapshot(engine)
    assert {t: len(after[t]) - len(before[t]) for t in TABLES} == {
        "joint_meeting": 0, "meeting_attendee": 0, "decision": 1, "action_item": 1, "coordination_notice": 0,
        "audit_event": 1}
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT township_id, created_on, status, done_on, owner_unit_id FROM action_item "
                                   "WHERE id = :i"), {"i": item}).one()
    # a district meeting's item belongs to its owner's township; decided on the meeting date; open
    assert (row.township_id, str(row.created_on), row.status, row.done_on) == (w.township["B"], "2026-02-01", "open", None)
    assert audits(engine)[-1]["action"] == "action_item.create"


def test_set_status_done_and_back(world):
    engine, w = world
    before = snapshot(engine)
    run(engine, edits.set_action_status, actor=township(w), item_id=w.item["i2"], version=1, status="done",
        done_on=D(2026, 2, 28))
    after = snapshot(engine)
    assert len(after["audit_event"]) == len(before["audit_event"]) + 1
    changed = [r for r in after["action_item"] if r not in before["action_item"]]
    assert len(changed) == 1 and changed[0][0] == w.item["i2"]
    event = audits(engine)[-1]
    assert json.loads(event["before_json"]) == {"status": "open", "done_on": None}
    assert json.loads(event["after_json"]) == {"status": "done", "done_on": "2026-02-28"}
    run(engine, edits.set_action_status, actor=staff(), item_id=w.item["i2"], version=2, status="in_progress",
        done_on=D(2026, 2, 28))  # any other status clears the done date
    with engine.connect() as conn:
        assert tuple(conn.execute(sa.text("SELECT status, done_on FROM action_item WHERE id = :i"),
                                  {"i": w.item["i2"]}).one()) == ("in_progress", None)


def test_record_a_notice_response(world):
    engine, w = world
    run(engine, edits.record_notice_response, actor=township(w), notice_id=w.notice["n1"], version=1,
        acknowledged_on=D(2026, 2, 2), note="已转民营局党委")
    run(engine, edits.record_notice_response, actor=staff(), notice_id=w.notice["n1"], version=2,
        resolved_on=D(2026, 2, 25))
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT acknowledged_on, resolved_on, note FROM coordination_notice WHERE id = :i"),
                           {"i": w.notice["n1"]}).one()
    assert (str(row.acknowledged_on), str(row.resolved_on), row.note) == ("2026-02-02", "2026-02-25", "已转民营局党委")
    events = [e for e in audits(engine) if e["action"] == "notice.response"]
    assert len(events) == 2 and json.loads(events[1]["before_json"])["acknowledged_on"] == "2026-02-02"


# --------------------------------------------------------------------------- refused, nothing written


def test_invalid_meetings_are_refused(world):
    engine, w = world
    ok = dict(level="enterprise", held_on=D(2026, 2, 1), title="会", enterprise_id=w.ent["e1"],
              attendee_unit_ids=[w.unit["A_DW"]])
    refused(engine, edits.record_meeting, "meetings.err.required", "title", actor=staff(), **{**ok, "title": "   "})
    err = refused(engine, edits.record_meeting, "meetings.err.too_long", "title", actor=staff(), **{**ok, "title": "长" * 121})
    assert err.params == {"max": 120}
    refused(engine, edits.record_meeting, "meetings.err.in_future", "held_on", actor=staff(),
            **{**ok, "held_on": D(2026, 3, 2)})
    refused(engine, edits.record_meeting, "meetings.err.required", "held_on", actor=staff(), **{**ok, "held_on": None})
    refused(engine, edits.record_meeting, "meetings.err.unknown_enterprise", "enterprise", actor=staff(),
            **{**ok, "enterprise_id": 99999})
    refused(engine, edits.record_meeting, "meetings.err.unknown_unit", "attendees", actor=staff(),
            **{**ok, "attendee_unit_ids": [99999]})
    refused(engine, edits.record_meeting, "meetings.err.no_attendee", "attendees", actor=staff(),
            **{**ok, "attendee_unit_ids": [], "attendee_names": ["  "]})
    refused(engine, edits.record_meeting, "meetings.err.bad_level", "level", actor=staff(), **{**ok, "level": "city"})
    refused(engine, edits.record_meeting, "meetings.err.before_registration", "held_on", actor=staff(),
            **{**ok, "enterprise_id": w.ent["e5"], "held_on": D(2025, 10, 1)})
    # a township user: no district meetings, no enterprise of another township
    refused(engine, edits.record_meeting, "meetings.err.district_only", "level", actor=township(w),
            **{**ok, "level": "district", "enterprise_id": None})
    refused(engine, edits.record_meeting, "edit.forbidden_scope", None, actor=township(w),
            **{**ok, "enterprise_id": w.ent["e3"]})
    refused(engine, edits.record_meeting, "edit.forbidden_role", None, actor=Actor("leader", Role.LEADER), **ok)


def test_invalid_items_are_refused(world):
    engine, w = world
    ok = dict(meeting_id=w.meeting["D2"], description="事项", owner_unit_id=w.unit["A_DW"], due_on=D(2026, 1, 1),
              decision_id=w.decision["D2"])
    refused(engine, edits.add_action_item, "meetings.err.unknown_unit", "owner", actor=staff(),
            **{**ok, "owner_unit_id": 99999})
    refused(engine, edits.add_action_item, "meetings.err.required", "owner", actor=staff(), **{**ok, "owner_unit_id": None})
    err = refused(engine, edits.add_action_item, "meetings.err.due_before_meeting", "due_on", actor=staff(),
                  **{**ok, "due_on": D(2025, 10, 14)})
    assert err.params == {"date": D(2025, 10, 15)}
    refused(engine, edits.add_action_item, "meetings.err.required", "description", actor=staff(), **{**ok, "description": ""})
    refused(engine, edits.add_action_item, "meetings.err.too_long", "description", actor=staff(),
            **{**ok, "description": "x" * 501})
    refused(engine, edits.add_action_item, "meetings.err.decision_not_in_meeting", "decision", actor=staff(),
            **{**ok, "decision_id": w.decision["D1"]})
    refused(engine, edits.add_action_item, "meetings.err.required", "decision", actor=staff(),
            **{**ok, "decision_id": None, "decision_text": " "})
    refused(engine, edits.add_action_item, "meetings.err.unknown_meeting", "meeting", actor=staff(),
            **{**ok, "meeting_id": 99999})
    refused(engine, edits.add_action_item, "edit.forbidden_role", None, actor=Actor("leader", Role.LEADER), **ok)


def test_invalid_status_changes_are_refused(world):
    engine, w = world
    ok = dict(item_id=w.item["i2"], version=1, status="done", done_on=D(2026, 2, 1))
    err = refused(engine, edits.set_action_status, "meetings.err.in_future", "done_on", actor=staff(),
                  **{**ok, "done_on": D(2026, 3, 2)})
    assert err.params == {"date": TODAY}
    refused(engine, edits.set_action_status, "meetings.err.done_before_meeting", "done_on", actor=staff(),
            **{**ok, "done_on": D(2025, 10, 1)})
    refused(engine, edits.set_action_status, "meetings.err.required", "done_on", actor=staff(), **{**ok, "done_on": None})
    refused(engine, edits.set_action_status, "meetings.err.bad_status", "status", actor=staff(), **{**ok, "status": "late"})
    refused(engine, edits.set_action_status, "meetings.err.unchanged", "status", actor=staff(),
            **{**ok, "status": "open", "done_on": None})
    refused(engine, edits.set_action_status, "meetings.err.unknown_item", "item", actor=staff(), **{**ok, "item_id": 99999})
    refused(engine, edits.set_action_status, "edit.forbidden_role", None, actor=Actor("leader", Role.LEADER), **ok)


def test_invalid_notice_responses_are_refused(world):
    engine, w = world
    ok = dict(notice_id=w.notice["n1"], version=1, acknowledged_on=D(2026, 1, 10))
    refused(engine, edits.record_notice_response, "meetings.err.no_response", "acknowledged_on", actor=staff(),
            notice_id=w.notice["n1"], version=1)
    refused(engine, edits.record_notice_response, "meetings.err.before_sent", "acknowledged_on", actor=staff(),
            **{**ok, "acknowledged_on": D(2025, 12, 31)})
    refused(engine, edits.record_notice_response, "meetings.err.in_future", "resolved_on", actor=staff(),
            **{**ok, "resolved_on": D(2026, 3, 2)})
    refused(engine, edits.record_notice_response, "meetings.err.resolved_before_ack", "resolved_on", actor=staff(),
            **{**ok, "resolved_on": D(2026, 1, 5)})
    refused(engine, edits.record_notice_response, "meetings.err.too_long", "note", actor=staff(), **{**ok, "note": "x" * 1001})
    refused(engine, edits.record_notice_response, "meetings.err.unknown_notice", "notice", actor=staff(),
            **{**ok, "notice_id": 99999})


# --------------------------------------------------------------------------- crafted requests across townships


def test_a_township_user_cannot_edit_another_townships_rows_even_by_crafting_ids(world):
    engine, w = world
    a = township(w, "A")
    # B's enterprise meeting: no item may be added to it
    refused(engine, edits.add_action_item, "edit.forbidden_scope", None, actor=a, meeting_id=w.meeting["M3"],
            description="x", owner_unit_id=w.unit["A_DW"], due_on=D(2026, 2, 1), decision_id=w.decision["M3"])
    # a district meeting has no township: district accounts only
    refused(engine, edits.add_action_item, "edit.forbidden_scope", None, actor=a, meeting_id=w.meeting["D2"],
            description="x", owner_unit_id=w.unit["A_DW"], due_on=D(2026, 2, 1), decision_id=w.decision["D2"])
    # B's item of the district meeting, and a district unit's item (no township)
    refused(engine, edits.set_action_status, "edit.forbidden_scope", None, actor=a, item_id=w.item["i3"], version=1,
            status="done", done_on=D(2026, 2, 1))
    refused(engine, edits.set_action_status, "edit.forbidden_scope", None, actor=a, item_id=w.item["i1"], version=1,
            status="open")
    refused(engine, edits.set_action_status, "edit.forbidden_scope", None, actor=a, item_id=w.item["m3"], version=1,
            status="done", done_on=D(2026, 2, 1))
    # a notice about B's enterprise
    refused(engine, edits.record_notice_response, "edit.forbidden_scope", None, actor=a, notice_id=w.notice["n2"],
            version=1, resolved_on=D(2026, 2, 20))
    # an actor with an empty scope may edit nothing
    nobody = Actor("nobody", Role.TOWNSHIP, Scope.townships([]))
    refused(engine, edits.set_action_status, "edit.forbidden_scope", None, actor=nobody, item_id=w.item["i2"],
            version=1, status="done", done_on=D(2026, 2, 1))
    # the scope check is on the row, before any validation message could reveal anything about it
    refused(engine, edits.set_action_status, "edit.forbidden_scope", None, actor=a, item_id=w.item["i3"],
            version=1, status="bogus")
    # and A's own rows are editable by A
    run(engine, edits.set_action_status, actor=a, item_id=w.item["i2"], version=1, status="in_progress")


# --------------------------------------------------------------------------- operating enterprise, owner units


def test_an_enterprise_meeting_needs_the_enterprise_operating_on_the_meeting_date(world):
    engine, w = world
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE enterprise SET closed_on = :d WHERE id = :i"),
                     {"d": D(2026, 2, 1), "i": w.ent["e1"]})
    ok = dict(level="enterprise", title="会", enterprise_id=w.ent["e1"], attendee_unit_ids=[w.unit["A_DW"]])
    # closed on 2026-02-01: not operating on that day nor after it
    for day in (D(2026, 2, 1), D(2026, 2, 20)):
        err = refused(engine, edits.record_meeting, "meetings.err.after_closure", "held_on", actor=township(w),
                      held_on=day, **ok)
        assert err.params == {"date": D(2026, 2, 1)}
    # registered after the meeting date (e5: 2025-11-01), also for staff
    err = refused(engine, edits.record_meeting, "meetings.err.before_registration", "held_on", actor=staff(),
                  **{**ok, "enterprise_id": w.ent["e5"], "held_on": D(2025, 10, 31)})
    assert err.params == {"date": D(2025, 11, 1)}
    # the day before the closure and the registration day itself are fine
    assert run(engine, edits.record_meeting, actor=township(w), held_on=D(2026, 1, 31), **ok)
    assert run(engine, edits.record_meeting, actor=staff(), **{**ok, "enterprise_id": w.ent["e5"],
                                                                "held_on": D(2025, 11, 1)})


def test_a_township_user_may_give_an_item_only_to_a_district_unit_or_its_own(world):
    engine, w = world
    a = township(w, "A")
    ok = dict(meeting_id=w.meeting["M1"], description="事项", due_on=D(2026, 3, 1), decision_id=w.decision["M1"])
    refused(engine, edits.add_action_item, "meetings.err.owner_other_township", "owner", actor=a,
            owner_unit_id=w.unit["B_DW"], **ok)
    # an actor of several townships: each of them
    ab = Actor("town_AB", Role.TOWNSHIP, Scope.townships([w.township["A"], w.township["B"]]))
    before = snapshot(engine)
    for owner in ("A_DW", "ZGH"):  # its own township's unit, a district unit
        run(engine, edits.add_action_item, actor=a, owner_unit_id=w.unit[owner], **ok)
    run(engine, edits.add_action_item, actor=ab, owner_unit_id=w.unit["B_DW"], **ok)
    run(engine, edits.add_action_item, actor=staff(), owner_unit_id=w.unit["B_DW"], **ok)  # district: any unit
    after = snapshot(engine)
    assert len(after["action_item"]) == len(before["action_item"]) + 4
    with engine.connect() as conn:
        townships = conn.execute(sa.text("SELECT township_id FROM action_item ORDER BY id DESC LIMIT 4")).scalars().all()
    assert set(townships) == {w.township["A"]}  # an enterprise meeting's items belong to its township
