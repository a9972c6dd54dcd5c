"""Writes made from the pages: validated, scoped, one transaction each, audited.

The write-side twin of ``dashboard.queries`` (no Streamlit here either). Every edit function
takes keyword-only ``session`` and ``actor``, checks the actor's role and township scope **against
the rows in the database** (never against what the page showed), validates its input, writes
its rows and exactly one audit event in the caller's transaction, and raises :class:`EditError`
for anything it refuses — before writing anything. Callers wrap it in ``models.db.session_scope``
(commit on success, rollback on any error) and clear the read caches afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
