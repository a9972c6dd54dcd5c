"""Time series: foundings and new members per quarter, coverage rates over time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import MC, UO, E, coverage_kpis
from dashboard.queries.scope import Scope
from models.enums import UnionKind


def _quarter(col):
    return sa.extract("year", col) * 10 + (sa.extract("month", col) + 2) // 3


def foundings_per_quarter(session: Session, scope: Scope, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    """Per quarter in [start, as_of]: new grassroots unions (not federations) and new members."""
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
    u = {int(q): int(n) for q, n in unions}
    m = {int(q): int(n or 0) for q, n in members}
    rows = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while (year, quarter) <= (as_of.year, (as_of.month - 1) // 3 + 1):
        key = year * 10 + quarter
        rows.append({"quarter": dt.date(year, 3 * quarter - 2, 1), "label": f"{year}Q{quarter}",
                     "new_unions": u.get(key, 0), "new_members": m.get(key, 0)})
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return pd.DataFrame(rows, columns=["quarter", "label", "new_unions", "new_members"])


def series_dates(as_of: dt.date, first_year: int = 1998) -> list[dt.date]:
    """Year ends from ``first_year`` up to the as-of date, then the as-of date itself."""
    dates = [dt.date(y, 12, 31) for y in range(first_year, as_of.year) if dt.date(y, 12, 31) < as_of]
    return dates + [as_of]


def coverage_series(session: Session, scope: Scope, dates: list[dt.date]) -> pd.DataFrame:
    """Long format: date, metric, value (rates recomputed from sums at each date)."""
    rows = []
    for day in dates:
        k = coverage_kpis(session, scope, day)
        for metric, rate in (("union_coverage", k.union_coverage), ("party_coverage", k.party_coverage),
                             ("work_coverage", k.work_coverage), ("qualified_built", k.qualified_built)):
            rows.append({"date": day, "metric": metric, "value": rate.value})
    return pd.DataFrame(rows, columns=["date", "metric", "value"])
