"""Time series: foundings and new members per quarter, coverage rates over time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import (
    CD, CM, COVERAGE_COLUMNS, MC, UO, E, coverage_kpis, kpis_from_counts, summaries_fresh,
)
from dashboard.queries.scope import Scope
from models.enums import UnionKind


def _quarter(col):
    return sa.extract("year", col) * 10 + (sa.extract("month", col) + 2) // 3


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


def _flows_from_summary(session: Session, scope: Scope, start: dt.date, as_of: dt.date):
    month = as_of.replace(day=1)
    q = _quarter(CM.c.month).label("q")
    rows = session.execute(
        sa.select(q, sa.func.sum(CM.c.new_unions), sa.func.sum(CM.c.new_members))
        .where(CM.c.month >= start.replace(day=1), CM.c.month < month, scope.where(CM.c.township_id))
        .group_by(q)
    ).all()
    u = {int(k): int(a) for k, a, _ in rows}
    m = {int(k): int(b) for k, _, b in rows}
    cur = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(CD.c.new_unions), 0), sa.func.coalesce(sa.func.sum(CD.c.new_members), 0))
        .where(CD.c.day >= max(month, start), CD.c.day <= as_of, scope.where(CD.c.township_id))
    ).one()
    key = as_of.year * 10 + (as_of.month - 1) // 3 + 1
    u[key] = u.get(key, 0) + int(cur[0])
    m[key] = m.get(key, 0) + int(cur[1])
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


RATE_METRICS = ("union_coverage", "party_coverage", "work_coverage", "qualified_built")


def coverage_series(session: Session, scope: Scope, dates: list[dt.date]) -> pd.DataFrame:
    """Long format: date, metric, value (rates recomputed from sums at each date)."""
    if summaries_fresh(session):
        kpis = _kpis_at_dates_from_summary(session, scope, dates)
    else:
        kpis = [coverage_kpis(session, scope, day) for day in dates]
    rows = []
    for day, k in zip(dates, kpis, strict=True):
        for metric in RATE_METRICS:
            rows.append({"date": day, "metric": metric, "value": getattr(k, metric).value})
    return pd.DataFrame(rows, columns=["date", "metric", "value"])


def _kpis_at_dates_from_summary(session: Session, scope: Scope, dates: list[dt.date]):
    """One query for all month totals; cumulative sums give the figures at each date."""
    cols = list(COVERAGE_COLUMNS)
    monthly = pd.DataFrame(
        session.execute(
            sa.select(CM.c.month, *(sa.func.sum(CM.c[c]).label(c) for c in cols))
            .where(scope.where(CM.c.township_id)).group_by(CM.c.month).order_by(CM.c.month)
        ).all(),
        columns=["month", *cols],
    )
    monthly["month"] = pd.to_datetime(monthly["month"]).dt.date
    cum = monthly[cols].cumsum()
    out = []
    for day in dates:
        month = day.replace(day=1)
        before = monthly["month"] < month
        base = cum[before].iloc[-1] if before.any() else pd.Series(0, index=cols)
        rest = session.execute(
            sa.select(*(sa.func.coalesce(sa.func.sum(CD.c[c]), 0) for c in cols))
            .where(CD.c.day >= month, CD.c.day <= day, scope.where(CD.c.township_id))
        ).one()
        out.append(kpis_from_counts(base + pd.Series([int(x) for x in rest], index=cols), day))
    return out
