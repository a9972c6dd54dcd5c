"""Two SQL helpers that steer SQLite's planner without changing what a query means.

SQLite plans without statistics (the databases carry no ``sqlite_stat1``): it takes an equality on
an indexed column for a selective one and a range for a wide one. Where that guess is wrong at scale,
these rewrite a term so that the planner sees what is known; PostgreSQL (which has statistics) gets
the term unchanged.

* :func:`unindexed` — ``+column`` on SQLite: the planner uses no index for that term (or that key of
  an ORDER BY), the value is the same.
* :func:`likely` — ``likely(condition)`` on SQLite: the condition is true for most rows, so an index
  on its column is not worth walking for it. A partial index whose ``WHERE`` is that condition is
  still matched (SQLite looks through ``likely()`` when it checks the implication).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class _unindexed(FunctionElement):
    """The column unchanged; on SQLite written ``+column`` so the planner uses no index for it."""

    inherit_cache = True


@compiles(_unindexed)
def _compile_unindexed(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_unindexed, "sqlite")
def _compile_unindexed_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


def unindexed(column: sa.ColumnElement) -> sa.ColumnElement:
    """``column`` with no index use for it on SQLite (same type, same value)."""
    return sa.type_coerce(_unindexed(column), column.type)


class _likely(ColumnElement):
    """The condition unchanged; on SQLite wrapped in ``likely()``. Typeless, so that SQLite's
    compiler does not append ``= 1`` as it does to a boolean expression that is not a comparison."""

    inherit_cache = True
    type = sa.types.NullType()
    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]  # part of the cache key

    def __init__(self, condition: sa.ColumnElement[bool]):
        self.condition = condition

    @property
    def _from_objects(self):
        return self.condition._from_objects


@compiles(_likely)
def _compile_likely(element, compiler, **kw):
    return compiler.process(element.condition, **kw)


@compiles(_likely, "sqlite")
def _compile_likely_sqlite(element, compiler, **kw):
    return "likely(" + compiler.process(element.condition, **kw) + ")"


def likely(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """``condition``, marked on SQLite as true for most rows (see the module's docstring)."""
    return _likely(sa.and_(condition))  # (a clause, also when given a plain column)
