"""The edit protocol as the edit tests check it: run an edit in one transaction, and a refusal with
its key and field that leaves the named tables exactly as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard.edits import Actor, EditError
from models.db import session_scope


def scalar(engine, sql: str, **params) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def rows(engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


@dataclass(frozen=True)
class Protocol:
    """``run``/``refused`` for one family of edits: the ``tables`` a refusal must leave unchanged,
    the default ``actor`` and, for the edits that take one, the district's ``today``."""

    tables: Sequence[str]
    actor: Actor
    today: dt.date | None = None

    def snapshot(self, engine) -> dict:
        with engine.connect() as conn:
            return {t: sorted(tuple(str(v) for v in r) for r in conn.execute(sa.text(f"SELECT * FROM {t}")).all())
                    for t in self.tables}

    def run(self, engine, fn: Callable[..., Any], actor: Actor | None = None, **kwargs) -> Any:
        if self.today is not None:
            kwargs.setdefault("today", self.today)
        with session_scope(engine) as s:
            return fn(session=s, actor=actor or self.actor, **kwargs)

    def refused(self, engine, fn: Callable[..., Any], key: str, field: str | None = None,
                actor: Actor | None = None, **kwargs) -> EditError:
        before = self.snapshot(engine)
        with pytest.raises(EditError) as info:
            self.run(engine, fn, actor=actor, **kwargs)
        assert (info.value.key, info.value.field) == (key, field), info.value.params
        assert self.snapshot(engine) == before
        return info.value
