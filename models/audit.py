"""The audit log: one ``AuditEvent`` per login, logout, user change and data write (no Streamlit).

Used by accounts, the edits layer, boundary imports and seeding; no password or hash ever goes in.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import Session

from models.tables import AuditEvent

_SECRET_FIELDS = {"password_hash", "password"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _jsonable(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    clean = {k: v for k, v in values.items() if k not in _SECRET_FIELDS}
    return json.dumps(clean, ensure_ascii=False, default=str, sort_keys=True)


def audit(session: Session, action: str, *, username: str | None, entity: str | None = None,
          entity_id: Any = None, before: dict | None = None, after: dict | None = None,
          detail: str | None = None, at: dt.datetime | None = None) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's transaction)."""
    event = AuditEvent(at=at or utcnow(), username=username, action=action, entity=entity,
                       entity_id=None if entity_id is None else str(entity_id),
                       before_json=_jsonable(before), after_json=_jsonable(after), detail=detail)
    session.add(event)
    return event
