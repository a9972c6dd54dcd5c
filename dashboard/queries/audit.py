"""The audit log, newest first (administrators only; the page checks the role)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from models.tables import AuditEvent

A = AuditEvent.__table__
AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "detail", "before_json", "after_json"]


def recent_events(session: Session, *, username: str | None = None, limit: int = 100) -> pd.DataFrame:
    stmt = sa.select(*(A.c[c] for c in AUDIT_COLUMNS)).order_by(A.c.id.desc()).limit(int(limit))
    if username:
        stmt = stmt.where(A.c.username == username)
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=AUDIT_COLUMNS)
