"""The leading group's page: staff and administrators appoint members, end a membership and record
the documents the group issued; everyone else reads. The edit protocol of ``dashboard.edits``: role
checked, every field validated, a refusal (``EditError`` with the field) writes nothing, an update
carries the version the form showed, one audit event each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import Actor, EditError, check_version, update_row
from dashboard.edits.fields import date as _date
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from dashboard.queries.dates import district_today
from models.audit import audit
from models.enums import GroupRole, Role
from models.tables import GroupDocument, LeadingGroupMember, Unit

GM = LeadingGroupMember.__table__
GD = GroupDocument.__table__
U = Unit.__table__

#: who may change the group's page (leaders and township accounts read it)
EDITORS = (Role.STAFF, Role.ADMIN)
MAX_NAME, MAX_POSITION, MAX_TITLE, MAX_DOC_NO, MAX_ISSUER, MAX_SUMMARY = 40, 80, 120, 40, 80, 2000
ERR = "group.err"


def _day(value: Any, name: str, today: dt.date) -> dt.date:
    day = _date(value, name, errors=ERR)
    if day > today:
        raise EditError(f"{ERR}.in_future", field=name, date=today)
    return day


def appoint_member(*, session: Session, actor: Actor, name: str, position: str, role: Any, from_on: Any,
                   unit_id: Any = None, sort_order: Any = 0, today: dt.date | None = None) -> int:
    """A member of the group from ``from_on`` (its unit, when given, must exist)."""
    actor.require(*EDITORS)
    conn = session.connection()
    today = today or district_today()
    try:
        kind = GroupRole(getattr(role, "value", role))
    except ValueError:
        raise EditError(f"{ERR}.bad_choice", field="role", value=str(role)[:40]) from None
    unit = None
    if unit_id not in (None, ""):
        unit = _id(unit_id, "unit")
        if conn.execute(sa.select(U.c.id).where(U.c.id == unit)).first() is None:
            raise EditError(f"{ERR}.bad_choice", field="unit", value=str(unit_id)[:40])
    try:
        order = int(sort_order or 0)
    except (TypeError, ValueError):
        raise EditError(f"{ERR}.bad_choice", field="sort_order", value=str(sort_order)[:40]) from None
    values = {"name": _text(name, "name", MAX_NAME, errors=ERR), "position": _text(position, "position", MAX_POSITION,
                                                                                      errors=ERR),
              "role": kind.value, "unit_id": unit, "sort_order": order, "from_on": _day(from_on, "from_on", today)}
    mid = int(conn.execute(GM.insert().values(**values).returning(GM.c.id)).scalar_one())
    audit(session, "group_member_appointed", username=actor.username, entity="leading_group_member", entity_id=mid,
          after={k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()})
    return mid


def end_member(*, session: Session, actor: Actor, member_id: Any, version: Any, to_on: Any,
               today: dt.date | None = None) -> None:
    """The membership ends on ``to_on`` (after it began; not in the future; not ended already)."""
    actor.require(*EDITORS)
    conn = session.connection()
    today = today or district_today()
    row = conn.execute(sa.select(GM).where(GM.c.id == _id(member_id, "member"))).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    check_version(row["version"], version)
    day = _day(to_on, "to_on", today)
    if row["to_on"] is not None:
        raise EditError(f"{ERR}.ended", field="to_on", date=row["to_on"])
    if day <= row["from_on"]:
        raise EditError(f"{ERR}.before_start", field="to_on", date=row["from_on"])
    update_row(session, GM, int(row["id"]), int(row["version"]), {"to_on": day})
    audit(session, "group_member_ended", username=actor.username, entity="leading_group_member", entity_id=row["id"],
          before={"to_on": None}, after={"to_on": day.isoformat(), "name": row["name"], "position": row["position"]})


def add_document(*, session: Session, actor: Actor, title: str, issuer: str, issued_on: Any,
                 doc_no: str | None = None, summary: str | None = None, today: dt.date | None = None) -> int:
    """A document the group issued."""
    actor.require(*EDITORS)
    conn = session.connection()
    today = today or district_today()
    values = {"title": _text(title, "title", MAX_TITLE, errors=ERR),
              "doc_no": _text(doc_no, "doc_no", MAX_DOC_NO, required=False, errors=ERR),
              "issuer": _text(issuer, "issuer", MAX_ISSUER, errors=ERR),
              "issued_on": _day(issued_on, "issued_on", today),
              "summary": _text(summary, "summary", MAX_SUMMARY, required=False, errors=ERR)}
    did = int(conn.execute(GD.insert().values(**values).returning(GD.c.id)).scalar_one())
    audit(session, "group_document_added", username=actor.username, entity="group_document", entity_id=did,
          after={k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()})
    return did
