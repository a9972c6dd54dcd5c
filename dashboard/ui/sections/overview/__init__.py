"""The overview's sections (DESIGN.md §9): KPI cards | patterns, mini map | campaign | trends,
alerts | township ranking. Each reads through ``ui.data`` (cached, so two sections asking for the
same figures cost one query) and takes what it shows from ``dashboard.views.overview``."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.coverage import CoverageKpis, kpis_from_counts
from dashboard.queries.dates import year_before
from dashboard.ui import data
from dashboard.ui.sections import Context


def by_township(ctx: Context, *, year_ago: bool = False) -> pd.DataFrame:
    """Coverage counts per township in scope, as of the date (or one year earlier)."""
    day = year_before(ctx.as_of) if year_ago else ctx.as_of
    return data.coverage_by_township(ctx.url, ctx.scope, day)


def coverage_kpis(ctx: Context, *, year_ago: bool = False) -> CoverageKpis:
    day = year_before(ctx.as_of) if year_ago else ctx.as_of
    return kpis_from_counts(by_township(ctx, year_ago=year_ago), day, ctx.scope.base)
