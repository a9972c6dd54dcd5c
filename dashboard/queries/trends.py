"""Time series: foundings and new members per quarter, coverage rates over time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import (
    COVERAGE_COLUMNS, MC, UO, E, coverage_kpis, kpis_from_counts, summaries_fresh, summary_totals_at,
)
from dashboard.queries.scope import Scope
from models.enums import UnionKind


def _quarter(col):
    """yyyyq as an integer (PostgreSQL's EXTRACT gives numeric: without the casts ``// 3`` is not
    an integer division and the months of one quarter fall into three groups)."""
    year, month = (sa.cast(sa.extract(part, col), sa.Integer) for part in ("year", "month"))
    return year * 10 + (month + 2) // 3


def foundings_per_quarter(session: Session, scope: Scope, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    """Per quarter in [start, as_of]: new grassroots unions (not federations) and new members."""
    if summaries_fresh(session):
        u, m = _flows_from_summary(session, scope, start, as_of)
    else:
        u, m = _flows_exact(session, scope, start, as_of)
    rows = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while (year, quarter) <= (as_of.year, (as_of.month - 1) // 3 + 1):
        key = year * 10 + quarter
        rows.append({"quarter": dt.date(year, 3 * quarter - 2, 1), "label": f"{year}Q{quarter}",
                     "new_unions": u.get(key, 0), "new_members": m.get(key, 0)})
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return pd.DataFrame(rows, columns=["quarter", "label", "new_unions", "new_members"])


def _quarter_end(year: int, quarter: int) -> dt.date:
    return dt.date(year + quarter // 4, 3 * quarter % 12 + 1, 1) - dt.timedelta(days=1)


def _flows_from_summary(session: Session, scope: Scope, start: dt.date, as_of: dt.date):
    """Quarter flows as differences of the accumulated counts at the quarter ends (one query)."""
    first = (start.year, (start.month - 1) // 3 + 1)
    last = (as_of.year, (as_of.month - 1) // 3 + 1)
    before = start - dt.timedelta(days=1)
    points = [before]
    year, quarter = first
    while (year, quarter) <= last:
        points.append(min(_quarter_end(year, quarter), as_of))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    totals = summary_totals_at(session, scope, points, ("new_unions", "new_members"))
    u, m = {}, {}
    for prev, cur in zip(points, points[1:]):
        key = cur.year * 10 + (cur.month - 1) // 3 + 1
        u[key] = int(totals[cur]["new_unions"] - totals[prev]["new_unions"])
        m[key] = int(totals[cur]["new_members"] - totals[prev]["new_members"])
    return u, m


def _flows_exact(session: Session, scope: Scope, start: dt.date, as_of: dt.date):
    q_u = _quarter(UO.c.founded_on).label("q")
    unions = session.execute(
        sa.select(q_u, sa.func.count())
        .where(UO.c.founded_on.between(start, as_of), UO.c.kind != UnionKind.FEDERATION.value,
               scope.where(UO.c.township_id))
        .group_by(q_u)
    ).all()
    q_m = _quarter(MC.c.changed_on).label("q")
    members = session.execute(
        sa.select(q_m, sa.func.sum(MC.c.joined))
        .join(E, E.c.id == MC.c.enterprise_id)
        .where(MC.c.changed_on.between(start, as_of), scope.where(E.c.township_id))
        .group_by(q_m)
    ).all()
    return {int(q): int(n) for q, n in unions}, {int(q): int(n or 0) for q, n in members}


def series_dates(as_of: dt.date, first_year: int = 1998) -> list[dt.date]:
    """Year ends from ``first_year`` up to the as-of date, then the as-of date itself."""
    dates = [dt.date(y, 12, 31) for y in range(first_year, as_of.year) if dt.date(y, 12, 31) < as_of]
    return dates + [as_of]


SERIES_METRICS = ("union_coverage", "party_coverage", "work_coverage", "qualified_built")


def coverage_series_to(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """``coverage_series`` at the year ends up to ``as_of`` and at ``as_of`` (``series_dates``)."""
    return coverage_series(session, scope, series_dates(as_of))


def coverage_series(session: Session, scope: Scope, dates: list[dt.date]) -> pd.DataFrame:
    """Long format: date, metric, value (rates recomputed from sums at each date)."""
    if summaries_fresh(session):
        kpis = _kpis_at_dates_from_summary(session, scope, dates)
    else:
        kpis = [coverage_kpis(session, scope, day) for day in dates]
    rows = []
    for day, k in zip(dates, kpis, strict=True):
        for metric in SERIES_METRICS:
            rows.append({"date": day, "metric": metric, "value": getattr(k, metric).value})
    return pd.DataFrame(rows, columns=["date", "metric", "value"])


def _kpis_at_dates_from_summary(session: Session, scope: Scope, dates: list[dt.date]):
    totals = summary_totals_at(session, scope, dates, COVERAGE_COLUMNS)
    return [kpis_from_counts(totals[d], d, scope.base) for d in dates]
