"""Writes of the meetings page: joint meetings, action items, coordination-notice responses.

Each function takes keyword-only ``session`` and ``actor`` then its fields; checks the role
(``EDITORS``: a leader reads only), the township scope **against the database rows**, and its
input; raises :class:`~dashboard.edits.EditError` (an i18n key and the field at fault) before
writing anything; otherwise adds its rows and exactly one audit event to the caller's
transaction (``models.db.session_scope``). ``today`` is a parameter so tests control it.
An update of an existing row (an item's status, a notice's response) takes the ``version`` the
form showed and is refused with ``edit.conflict`` when the row has changed since
(``dashboard.edits.update_row``).

Who may edit what:

* ``staff`` / ``admin`` (whole district): everything.
* ``township`` users: enterprise-level meetings of enterprises in their townships (and items of
  those meetings, owned by a district unit or a unit of their townships); the status of action
  items whose ``township_id`` is theirs; responses to notices about enterprises in their
  townships. They may not record district meetings nor add items to them (a district meeting has
  no township).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import EDITORS, Actor, EditError, check_version, fields, update_row
from models.audit import audit
from models.enums import ActionStatus, MeetingLevel
from models.tables import (
    ActionItem,
    CoordinationNotice,
    Decision,
    Enterprise,
    JointMeeting,
    MeetingAttendee,
    Unit,
)

MAX_TITLE = 120
MAX_TEXT = 4000  # agenda, minutes
MAX_DECISION = 1000
MAX_DESCRIPTION = 500
MAX_NOTE = 1000
MAX_ATTENDEE_NAME = 80


# --------------------------------------------------------------------------- validation helpers


def _text(value: str | None, field: str, max_len: int, *, required: bool) -> str | None:
    return fields.text(value, field, max_len, required=required, errors="meetings.err")


def _date(value, field: str, *, required: bool = True) -> dt.date | None:
    return fields.date(value, field, required=required, errors="meetings.err")


def _not_future(day: dt.date, field: str, today: dt.date) -> None:
    if day > today:
        raise EditError("meetings.err.in_future", field=field, date=today)


def _id(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EditError("meetings.err.required", field=field) from None


def _unit(session: Session, unit_id, field: str) -> Unit:
    unit = session.get(Unit, _id(unit_id, field))
    if unit is None:
        raise EditError("meetings.err.unknown_unit", field=field)
    return unit


def _meeting(session: Session, meeting_id) -> JointMeeting:
    meeting = session.get(JointMeeting, _id(meeting_id, "meeting"))
    if meeting is None:
        raise EditError("meetings.err.unknown_meeting", field="meeting")
    return meeting


def _meeting_township(session: Session, meeting: JointMeeting) -> int | None:
    """An enterprise meeting belongs to its enterprise's township (read from the enterprise row)."""
    if meeting.enterprise_id is None:
        return None
    return session.execute(sa.select(Enterprise.township_id).where(Enterprise.id == meeting.enterprise_id)).scalar_one()


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


# --------------------------------------------------------------------------- meetings


def record_meeting(*, session: Session, actor: Actor, level: str, held_on, title: str,
                   enterprise_id: int | None = None, agenda: str | None = None, minutes: str | None = None,
                   attendee_unit_ids: Sequence[int] = (), attendee_names: Sequence[str] = (),
                   decisions: Sequence[str] = (), today: dt.date | None = None) -> int:
    """Record a held joint meeting with its attendees and decisions; returns the meeting id.

    District level: district actors only, no enterprise. Enterprise level: the enterprise must
    exist, be in the actor's townships and be operating on the meeting date (registered on or
    before it, not closed on or before it); the meeting's township is the enterprise's. At least
    one attendee (a known unit or a name).
    """
    today = today or dt.date.today()
    actor.require(*EDITORS)
    try:
        level = MeetingLevel(level)
    except ValueError:
        raise EditError("meetings.err.bad_level", field="level") from None
    day = _date(held_on, "held_on")
    _not_future(day, "held_on", today)
    title_ = _text(title, "title", MAX_TITLE, required=True)
    agenda_ = _text(agenda, "agenda", MAX_TEXT, required=False)
    minutes_ = _text(minutes, "minutes", MAX_TEXT, required=False)
    township_id = None
    if level is MeetingLevel.DISTRICT:
        if enterprise_id is not None:
            raise EditError("meetings.err.district_no_enterprise", field="enterprise")
        if not actor.is_district:
            raise EditError("meetings.err.district_only", field="level")
    else:
        if enterprise_id is None:
            raise EditError("meetings.err.required", field="enterprise")
        ent = session.get(Enterprise, _id(enterprise_id, "enterprise"))
        if ent is None:
            raise EditError("meetings.err.unknown_enterprise", field="enterprise")
        actor.require_township(ent.township_id)
        if day < ent.registered_on:
            raise EditError("meetings.err.before_registration", field="held_on", date=ent.registered_on)
        if ent.closed_on is not None and day >= ent.closed_on:
            raise EditError("meetings.err.after_closure", field="held_on", date=ent.closed_on)
        township_id = ent.township_id
    units = [_unit(session, u, "attendees") for u in dict.fromkeys(int(_id(u, "attendees")) for u in attendee_unit_ids)]
    names = [_text(n, "attendees", MAX_ATTENDEE_NAME, required=True) for n in attendee_names if (n or "").strip()]
    if not units and not names:
        raise EditError("meetings.err.no_attendee", field="attendees")
    texts = [_text(d, "decisions", MAX_DECISION, required=True) for d in decisions if (d or "").strip()]

    meeting = JointMeeting(level=level, held_on=day, enterprise_id=None if level is MeetingLevel.DISTRICT else ent.id,
                           township_id=township_id, title=title_, agenda=agenda_, minutes=minutes_)
    session.add(meeting)
    session.flush()
    for u in units:
        session.add(MeetingAttendee(meeting_id=meeting.id, unit_id=u.id, name=None))
    for n in names:
        session.add(MeetingAttendee(meeting_id=meeting.id, unit_id=None, name=n))
    decision_ids = []
    for text in texts:
        d = Decision(meeting_id=meeting.id, text=text)
        session.add(d)
        session.flush()
        decision_ids.append(d.id)
    audit(session, "meeting.create", username=actor.username, entity="joint_meeting", entity_id=meeting.id,
          after={"level": level.value, "held_on": day.isoformat(), "title": title_, "enterprise_id": meeting.enterprise_id,
                 "township_id": township_id, "attendee_unit_ids": [u.id for u in units], "attendee_names": names,
                 "decision_ids": decision_ids})
    session.flush()
    return meeting.id


# --------------------------------------------------------------------------- action items


def add_action_item(*, session: Session, actor: Actor, meeting_id: int, description: str, owner_unit_id: int,
                    due_on, decision_id: int | None = None, decision_text: str | None = None,
                    today: dt.date | None = None) -> int:
    """Add an action item to a decision of a meeting; returns the item id.

    The decision is ``decision_id`` (it must belong to the meeting) or a new decision of the
    meeting with ``decision_text``. The item is decided at the meeting (``created_on`` = the
    meeting date), is ``open``, and belongs to the meeting's township (enterprise meetings) or to
    the owner unit's township (district meetings, as in the demo data). Only actors whose scope
    contains the meeting's township may add items — district meetings: district actors only. A
    township actor's owner unit is a district unit (no township) or a unit of its townships.
    """
    today = today or dt.date.today()
    actor.require(*EDITORS)
    meeting = _meeting(session, meeting_id)
    meeting_township = _meeting_township(session, meeting)
    actor.require_township(meeting_township)
    desc = _text(description, "description", MAX_DESCRIPTION, required=True)
    owner = _unit(session, owner_unit_id, "owner")
    if not actor.is_district and owner.township_id is not None and owner.township_id not in actor.scope.township_ids:
        raise EditError("meetings.err.owner_other_township", field="owner")
    due = _date(due_on, "due_on")
    if due < meeting.held_on:
        raise EditError("meetings.err.due_before_meeting", field="due_on", date=meeting.held_on)
    new_decision = None
    if decision_id not in (None, ""):
        decision = session.get(Decision, _id(decision_id, "decision"))
        if decision is None or decision.meeting_id != meeting.id:
            raise EditError("meetings.err.decision_not_in_meeting", field="decision")
    else:
        new_decision = _text(decision_text, "decision", MAX_DECISION, required=True)
        decision = Decision(meeting_id=meeting.id, text=new_decision)
        session.add(decision)
        session.flush()
    township_id = meeting_township if meeting.level == MeetingLevel.ENTERPRISE else owner.township_id
    item = ActionItem(decision_id=decision.id, description=desc, owner_unit_id=owner.id, township_id=township_id,
                      created_on=meeting.held_on, due_on=due, status=ActionStatus.OPEN, done_on=None)
    session.add(item)
    session.flush()
    audit(session, "action_item.create", username=actor.username, entity="action_item", entity_id=item.id,
          after={"meeting_id": meeting.id, "decision_id": decision.id, "new_decision": new_decision,
                 "description": desc, "owner_unit_id": owner.id, "township_id": township_id,
                 "due_on": due.isoformat()})
    session.flush()
    return item.id


def set_action_status(*, session: Session, actor: Actor, item_id: int, version: int, status: str, done_on=None,
                      today: dt.date | None = None) -> None:
    """Change an item's status; ``done`` needs a done date between the meeting and today,
    any other status clears it. The item's own township must be in the actor's scope, and the
    item must still be at ``version`` (the one the form showed), else ``edit.conflict``."""
    today = today or dt.date.today()
    actor.require(*EDITORS)
    item = session.get(ActionItem, _id(item_id, "item"))
    if item is None:
        raise EditError("meetings.err.unknown_item", field="item")
    actor.require_township(item.township_id)
    version = check_version(item.version, version)
    try:
        new = ActionStatus(status)
    except ValueError:
        raise EditError("meetings.err.bad_status", field="status") from None
    day = None
    if new is ActionStatus.DONE:
        day = _date(done_on, "done_on")
        _not_future(day, "done_on", today)
        if day < item.created_on:
            raise EditError("meetings.err.done_before_meeting", field="done_on", date=item.created_on)
    before = {"status": ActionStatus(item.status).value, "done_on": _iso(item.done_on)}
    after = {"status": new.value, "done_on": _iso(day)}
    if before == after:
        raise EditError("meetings.err.unchanged", field="status")
    update_row(session, ActionItem.__table__, item.id, version, {"status": new, "done_on": day})
    audit(session, "action_item.status", username=actor.username, entity="action_item", entity_id=item.id,
          before=before, after=after)
    session.flush()


# --------------------------------------------------------------------------- notices


def record_notice_response(*, session: Session, actor: Actor, notice_id: int, version: int, acknowledged_on=None,
                           resolved_on=None, note: str | None = None, today: dt.date | None = None) -> None:
    """Record a notice's acknowledgement and/or resolution (dates between sending and today;
    resolution not before acknowledgement). A given note replaces the stored one — only when the
    notice is still at ``version`` (the one the form showed), else ``edit.conflict``. The notice's
    enterprise must be in the actor's townships."""
    today = today or dt.date.today()
    actor.require(*EDITORS)
    notice = session.get(CoordinationNotice, _id(notice_id, "notice"))
    if notice is None:
        raise EditError("meetings.err.unknown_notice", field="notice")
    township_id = session.execute(
        sa.select(Enterprise.township_id).where(Enterprise.id == notice.enterprise_id)).scalar_one()
    actor.require_township(township_id)
    version = check_version(notice.version, version)
    ack = _date(acknowledged_on, "acknowledged_on", required=False)
    res = _date(resolved_on, "resolved_on", required=False)
    note_ = _text(note, "note", MAX_NOTE, required=False)
    if ack is None and res is None:
        raise EditError("meetings.err.no_response", field="acknowledged_on")
    for day, field in ((ack, "acknowledged_on"), (res, "resolved_on")):
        if day is not None:
            _not_future(day, field, today)
            if day < notice.sent_on:
                raise EditError("meetings.err.before_sent", field=field, date=notice.sent_on)
    ack_after = ack if ack is not None else notice.acknowledged_on
    res_after = res if res is not None else notice.resolved_on
    if ack_after is not None and res_after is not None and res_after < ack_after:
        raise EditError("meetings.err.resolved_before_ack", field="resolved_on", date=ack_after)
    before = {"acknowledged_on": _iso(notice.acknowledged_on), "resolved_on": _iso(notice.resolved_on),
              "note": notice.note}
    after = {"acknowledged_on": _iso(ack_after), "resolved_on": _iso(res_after),
             "note": note_ if note_ is not None else notice.note}
    if before == after:
        raise EditError("meetings.err.unchanged", field="acknowledged_on")
    update_row(session, CoordinationNotice.__table__, notice.id, version,
               {"acknowledged_on": ack_after, "resolved_on": res_after, "note": after["note"]})
    audit(session, "notice.response", username=actor.username, entity="coordination_notice", entity_id=notice.id,
          before=before, after=after)
    session.flush()
