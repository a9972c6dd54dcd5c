"""Slide 1: the overview's KPI cards as big tiles, and the pattern line."""

from __future__ import annotations

from dashboard.i18n import t
from dashboard.queries.coverage import kpis_from_counts
from dashboard.queries.dates import year_before
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import empty_scope, grid_style, heading
from dashboard.views.overview import kpi_cards, overdue_card, pattern_line
from dashboard.views.present import kpi_tiles


def render(ctx: Context) -> None:
    heading(ctx, t("present.slide.kpis", ctx.loc))
    year_ago = year_before(ctx.as_of)
    now = kpis_from_counts(data.coverage_by_township(ctx.url, ctx.scope, ctx.as_of), ctx.as_of, ctx.scope.base)
    prev = kpis_from_counts(data.coverage_by_township(ctx.url, ctx.scope, year_ago), year_ago, ctx.scope.base)
    if now.operating == 0:
        return empty_scope(ctx)
    items = data.action_item_counts(ctx.url, ctx.scope, ctx.as_of)
    cards = [*kpi_cards(now, prev, ctx.loc), overdue_card(items, ctx.loc)]
    tiles = kpi_tiles(cards, ctx.loc)
    P.html_block(f'<div class="dg-fill"><div class="dg-grid dg-grow" style="{grid_style(len(tiles))}">{P.tiles(tiles)}</div>'
                 f'<div class="dg-sub" style="font-size:1.7rem">{P.esc(pattern_line(now.patterns, ctx.loc))}</div></div>')
