"""The audit log, newest first (administrators only; the page checks the role).

Filtered in SQL: by user name, action and a date range of the district's days (``DISTRICT_TZ``:
the events are stored in UTC, a day of the district runs from 16:00 UTC the day before), one page
of ``limit`` rows at ``offset``; :func:`count_events` counts the same filter for the pager.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.dates import DISTRICT_TZ
from models.tables import AuditEvent

A = AuditEvent.__table__
AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "detail", "before_json", "after_json"]
MAX_LIMIT = 5000


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the district, as a UTC datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=DISTRICT_TZ).astimezone(dt.UTC)


def _where(*, username: str | None, action: str | None, since: dt.date | None, until: dt.date | None) -> list:
    conditions = []
    if username:
        conditions.append(A.c.username == username)
    if action:
        conditions.append(A.c.action == action)
    if since is not None:
        conditions.append(A.c.at >= day_start(since))
    if until is not None:
        conditions.append(A.c.at < day_start(until + dt.timedelta(days=1)))
    return conditions


def recent_events(session: Session, *, username: str | None = None, action: str | None = None,
                  since: dt.date | None = None, until: dt.date | None = None, limit: int = 100,
                  offset: int = 0) -> pd.DataFrame:
    """Events matching every filter given (``since``/``until``: district dates, both included), newest
    first, ``limit`` rows from ``offset``; times as stored (UTC)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    stmt = (sa.select(*(A.c[c] for c in AUDIT_COLUMNS))
            .where(*_where(username=username, action=action, since=since, until=until))
            .order_by(A.c.id.desc()).limit(limit).offset(max(0, int(offset))))
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=AUDIT_COLUMNS)


def count_events(session: Session, *, username: str | None = None, action: str | None = None,
                 since: dt.date | None = None, until: dt.date | None = None) -> int:
    """How many events match the filters (counted in the database)."""
    stmt = sa.select(sa.func.count()).select_from(A).where(
        *_where(username=username, action=action, since=since, until=until))
    return int(session.execute(stmt).scalar_one())


def actions(session: Session) -> list[str]:
    """The actions the log holds, for the filter's choices."""
    return list(session.execute(sa.select(A.c.action).distinct().order_by(A.c.action)).scalars())
