"""The caller's scope: which townships they may see. Applied in SQL by every query function."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from models.enums import Base


@dataclass(frozen=True)
class Scope:
    """``township_ids=None`` means the whole district; otherwise only these townships. ``base``: the
    党建基数 the coverage figures and gap lists count over (``Base.ALL``: every operating enterprise;
    ``Base.SANYOU``: the 三有 enterprises, ``dashboard.queries.coverage.in_base``) — not an access rule,
    but like the townships it decides which enterprises a figure counts, so it travels with them.

    Hashable, so it is part of every cache key.
    """

    township_ids: frozenset[int] | None = None
    base: Base = Base.ALL

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
            return Scope(wanted, self.base)
        return Scope(self.township_ids & wanted, self.base)

    def with_base(self, base: Base | str) -> "Scope":
        """The same townships over another 党建基数."""
        return replace(self, base=Base(base))

    def where(self, column: sa.ColumnElement) -> sa.ColumnElement[bool]:
        """A SQL condition restricting ``column`` (a township id) to the scope."""
        if self.township_ids is None:
            return sa.true()
        if not self.township_ids:
            return sa.false()
        return column.in_(sorted(self.township_ids))
