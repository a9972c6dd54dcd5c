"""Kiosk links for the meeting-room screen (#17 item 2): an administrator makes a link that opens
``/present`` read-only without a password — limited to some townships or the whole district, for a
number of days — and can revoke it. The token is shown once; only its SHA-256 is kept
(``kiosk_link``, 0022). The edit protocol of ``dashboard.edits``: administrators only, every field
checked, a refusal writes nothing, a revocation carries the version the list showed, audited."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import Actor, EditError, check_version, update_row
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from models.audit import audit, utcnow
from models.enums import Role
from models.sessions import token_hash
from models.tables import KioskLink, Township

KL = KioskLink.__table__
T = Township.__table__
MAX_LABEL = 60
MAX_DAYS = 366
ERR = "kiosk.err"


@dataclass(frozen=True)
class Made:
    link_id: int
    token: str  # shown once


def create_link(*, session: Session, actor: Actor, label: Any, townships: Any = (), days: Any = 30,
                now: dt.datetime | None = None) -> Made:
    """A kiosk link for ``days`` days (1–366) limited to ``townships`` (codes; none: the whole district)."""
    actor.require(Role.ADMIN)
    now = now or utcnow()
    name = _text(label, "label", MAX_LABEL, errors=ERR)
    try:
        n_days = int(days)
    except (TypeError, ValueError):
        raise EditError(f"{ERR}.bad_days", field="days", max=MAX_DAYS) from None
    if not 1 <= n_days <= MAX_DAYS:
        raise EditError(f"{ERR}.bad_days", field="days", max=MAX_DAYS)
    codes = sorted({str(c) for c in (townships or ())})
    ids = None
    if codes:
        rows = session.connection().execute(sa.select(T.c.id, T.c.code).where(T.c.code.in_(codes))).all()
        unknown = sorted(set(codes) - {r.code for r in rows})
        if unknown:
            raise EditError(f"{ERR}.bad_township", field="townships", value="、".join(unknown)[:60])
        ids = sorted(int(r.id) for r in rows)
    token = secrets.token_urlsafe(32)
    link_id = int(session.connection().execute(KL.insert().values(
        token_hash=token_hash(token), label=name, township_ids=None if ids is None else json.dumps(ids),
        created_by=actor.username, created_at=now, expires_at=now + dt.timedelta(days=n_days)).returning(KL.c.id))
        .scalar_one())
    audit(session, "kiosk_link_created", username=actor.username, entity="kiosk_link", entity_id=link_id,
          after={"label": name, "townships": codes or None, "days": n_days})  # never the token
    return Made(link_id, token)


def revoke_link(*, session: Session, actor: Actor, link_id: Any, version: Any, now: dt.datetime | None = None) -> None:
    actor.require(Role.ADMIN)
    now = now or utcnow()
    lid = _id(link_id, "link")
    row = session.connection().execute(sa.select(KL).where(KL.c.id == lid)).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    check_version(row["version"], version)
    if row["revoked_at"] is not None:
        raise EditError(f"{ERR}.revoked", field="link")
    update_row(session, KL, lid, version, {"revoked_at": now, "revoked_by": actor.username})
    audit(session, "kiosk_link_revoked", username=actor.username, entity="kiosk_link", entity_id=lid,
          before={"label": row["label"]})
