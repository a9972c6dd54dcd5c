"""The caller's scope: which townships they may see. Applied in SQL by every query function."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Scope:
    """``township_ids=None`` means the whole district; otherwise only these townships.

    Hashable, so it is part of every cache key.
    """

    township_ids: frozenset[int] | None = None

    @classmethod
    def district(cls) -> "Scope":
        return cls(None)

    @classmethod
    def townships(cls, ids) -> "Scope":
        return cls(frozenset(int(i) for i in ids))

    def narrow(self, ids) -> "Scope":
        """The intersection of this scope and a filter (a user can never widen their scope)."""
        wanted = frozenset(int(i) for i in ids)
        if self.township_ids is None:
            return Scope(wanted)
        return Scope(self.township_ids & wanted)

    def where(self, column: sa.ColumnElement) -> sa.ColumnElement[bool]:
        """A SQL condition restricting ``column`` (a township id) to the scope."""
        if self.township_ids is None:
            return sa.true()
        if not self.township_ids:
            return sa.false()
        return column.in_(sorted(self.township_ids))
