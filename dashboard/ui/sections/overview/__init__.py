"""The overview's sections (DESIGN.md §9): KPI cards | patterns, mini map | campaign | trends,
alerts | township ranking. Each reads through ``ui.data`` (cached, so two sections asking for the
same figures cost one query) and takes what it shows from ``dashboard.views.overview``.

Each section that reads has ``prefetch(ctx)`` beside ``render(ctx)``: the same reads and chart specs
(one helper of the section makes them for both), nothing drawn — :func:`prefetch` runs them all, for
the server's warm-up (``ui/warm.py``), outside any page run.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import pandas as pd

from dashboard.queries.coverage import CoverageKpis, kpis_from_counts
from dashboard.queries.dates import year_before
from dashboard.ui import chart, data
from dashboard.ui.sections import Context


def by_township(ctx: Context, *, year_ago: bool = False) -> pd.DataFrame:
    """Coverage counts per township in scope, as of the date (or one year earlier)."""
    day = year_before(ctx.as_of) if year_ago else ctx.as_of
    return data.coverage_by_township(ctx.url, ctx.scope, day)


def coverage_kpis(ctx: Context, *, year_ago: bool = False) -> CoverageKpis:
    day = year_before(ctx.as_of) if year_ago else ctx.as_of
    return kpis_from_counts(by_township(ctx, year_ago=year_ago), day, ctx.scope.base)


class Chart(NamedTuple):
    """One chart of a section: its builder (``dashboard.charts``) and the builder's arguments — drawn by
    ``render`` (:meth:`show`), built ahead by ``prefetch`` (:meth:`build`), so both ask ``ui.chart`` for
    the same spec."""

    builder: str
    args: tuple
    kwargs: Mapping[str, Any] = MappingProxyType({})  # read-only: one default shared by every Chart

    def show(self) -> Any:
        return chart.show(self.builder, *self.args, **self.kwargs)

    def build(self) -> dict:
        return chart.spec(self.builder, *self.args, **self.kwargs)


def prefetch(ctx: Context) -> bool:
    """Every read and chart spec of the overview's run for ``ctx``, in the page's order, into the caches;
    nothing drawn, no ``ScriptRunContext`` needed. False: the scope has no operating enterprise (the page
    stops after its first section: nothing more is read)."""
    from dashboard.ui.sections.overview import alerts, campaign, kpis, mini_map, patterns, ranking, trends

    if not kpis.prefetch(ctx):
        return False
    for section in (patterns, mini_map, campaign, trends, alerts, ranking):
        section.prefetch(ctx)
    return True
