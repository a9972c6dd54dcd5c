"""Writes made from the pages: validated, scoped, one transaction each, audited.

The write-side twin of ``dashboard.queries`` (no Streamlit here either). Every edit function
takes keyword-only ``session`` and ``actor``, checks the actor's role and township scope **against
the rows in the database** (never against what the page showed), validates its input, writes
its rows and exactly one audit event in the caller's transaction, and raises :class:`EditError`
for anything it refuses — before writing anything. Callers wrap it in ``models.db.session_scope``
(commit on success, rollback on any error) and clear the read caches afterwards.

An edit that changes an existing row takes the ``version`` the person's form showed (the rows of
``models.tables.VERSIONED``) and writes through :func:`update_row`: the UPDATE's WHERE holds
``version = :shown`` and raises the version by one, so a save from a form drawn before someone
else's save matches no row and is refused with ``edit.conflict`` (optimistic concurrency).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.scope import Scope
from models.enums import Role


class EditError(ValueError):
    """An edit refused: ``key`` is an i18n message key, ``field`` the form field at fault (if any)."""

    def __init__(self, key: str, *, field: str | None = None, **params: Any):
        super().__init__(f"{key} {params}" if params else key)
        self.key = key
        self.field = field
        self.params = params


@dataclass(frozen=True)
class Actor:
    """Who is editing: the logged-in user's name, role and township scope (re-read every run)."""

    username: str
    role: Role
    scope: Scope = field(default_factory=Scope.district)

    @property
    def is_district(self) -> bool:
        return self.scope.township_ids is None

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise EditError("edit.forbidden_role")

    def require_township(self, township_id: int | None) -> None:
        """A row of ``township_id`` (``None``: a district-level row) must be in the actor's scope."""
        if self.is_district:
            return
        if township_id is None or township_id not in self.scope.township_ids:
            raise EditError("edit.forbidden_scope")


#: roles that may edit meetings, action items and notices (``leader`` reads only)
EDITORS = (Role.STAFF, Role.TOWNSHIP, Role.ADMIN)


# --------------------------------------------------------------------------- row versions


def shown_version(value: Any) -> int:
    """The version a form showed, as sent by the page; anything else (missing, not a whole number)
    cannot match a row, so it is refused like a stale one: ``edit.conflict``."""
    if isinstance(value, bool):
        raise EditError("edit.conflict")
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise EditError("edit.conflict") from None
    if version < 1 or str(version) != str(value).strip():
        raise EditError("edit.conflict")
    return version


def check_version(stored: int, shown: Any) -> int:
    """Refuse early (``edit.conflict``) when the row read is no longer the version the form showed —
    before any validation message about the newer row; returns the version. :func:`update_row`
    checks it again in the UPDATE itself (another save may land in between)."""
    version = shown_version(shown)
    if int(stored) != version:
        raise EditError("edit.conflict")
    return version


def update_row(session: Session, table: sa.Table, row_id: int, shown: int, values: Mapping[str, Any]) -> None:
    """``UPDATE table SET values…, version = version + 1 WHERE id = :row_id AND version = :shown``.

    No row matched: someone saved the row since the form showed version ``shown`` — refused with
    ``edit.conflict`` (raise it before the audit event: the caller's transaction rolls back and
    nothing is written). Every edit that changes a row of ``models.tables.VERSIONED`` writes
    through here, so the version goes up on every update."""
    result = session.execute(
        sa.update(table).where(table.c.id == row_id, table.c.version == shown_version(shown))
        .values(**values, version=table.c.version + 1)
    )
    if result.rowcount != 1:
        raise EditError("edit.conflict")
