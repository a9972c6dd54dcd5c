"""Designate an enterprise as a model (典型) or remove it, with a reason (staff and administrators).

The newest designation of an enterprise overrides the computed rule (an honour at municipal level
or above; ``dashboard.queries.cases``). History is kept: every call adds a row, never updates one.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from models.audit import audit, utcnow
from models.enums import Role
from models.tables import Enterprise, ModelDesignation

#: roles that may designate or remove a model enterprise
DESIGNATORS = (Role.STAFF, Role.ADMIN)
REASON_MIN = 2
REASON_MAX = 500

E = Enterprise.__table__
MD = ModelDesignation.__table__


def clean_reason(reason: str | None) -> str:
    """The reason, trimmed; ``EditError`` when it is empty, shorter than 2 or longer than 500 characters."""
    text = (reason or "").strip()
    if not text:
        raise EditError("cases.edit.reason_required", field="reason")
    if len(text) < REASON_MIN:
        raise EditError("cases.edit.reason_short", field="reason", min=REASON_MIN)
    if len(text) > REASON_MAX:
        raise EditError("cases.edit.reason_long", field="reason", max=REASON_MAX)
    return text


def set_designation(*, session: Session, actor: Actor, enterprise_id: int, designated: bool, reason: str,
                    at: dt.datetime | None = None) -> ModelDesignation:
    """Add a designation (``designated=True``) or a removal (``False``) of one enterprise, and one
    audit event (``model.designate`` / ``model.remove``), in the caller's transaction.

    Refused with :class:`EditError`, before anything is written, when the actor is not staff or an
    administrator, the enterprise does not exist or lies outside the actor's scope (checked in SQL),
    or the reason is missing, shorter than 2 or longer than 500 characters.
    """
    actor.require(*DESIGNATORS)
    if not isinstance(designated, bool):
        raise EditError("cases.edit.bad_choice", field="designated")
    try:
        eid = int(enterprise_id)
    except (TypeError, ValueError):
        raise EditError("cases.edit.not_found", field="enterprise") from None
    found = session.execute(
        sa.select(E.c.id, E.c.name, E.c.township_id).where(E.c.id == eid, actor.scope.where(E.c.township_id))
    ).mappings().one_or_none()
    if found is None:
        raise EditError("cases.edit.not_found", field="enterprise")
    actor.require_township(int(found["township_id"]))  # the scope again, on the row read
    text = clean_reason(reason)
    previous = session.execute(
        sa.select(MD.c.designated, MD.c.reason).where(MD.c.enterprise_id == eid)
        .order_by(MD.c.at.desc(), MD.c.id.desc()).limit(1)
    ).mappings().one_or_none()
    row = ModelDesignation(enterprise_id=eid, designated=designated, reason=text, by_username=actor.username,
                           at=at or utcnow())
    session.add(row)
    audit(session, "model.designate" if designated else "model.remove", username=actor.username,
          entity="enterprise", entity_id=eid,
          before=None if previous is None else {"designated": bool(previous["designated"]), "reason": previous["reason"]},
          after={"designated": designated, "reason": text}, detail=found["name"])
    session.flush()
    return row
