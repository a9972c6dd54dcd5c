"""Slide 4: joint-meeting decisions: open, overdue, due-soon and done items, then the overdue and
due-soon items (the meetings board's rule and order) with their status words."""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import empty, grid_style, heading
from dashboard.views.present import action_rows, action_tiles
from dashboard.views.status import DUE_SOON_DAYS

ROWS = 7


def render(ctx: Context) -> None:
    loc = ctx.loc
    heading(ctx, t("present.slide.actions", loc))
    items = data.action_item_counts(ctx.url, ctx.scope, ctx.as_of)
    if items.total == 0:
        return empty(t("present.no_items", loc))
    tiles = action_tiles(items, loc)
    grid = f'<div class="dg-grid" style="{grid_style(len(tiles), 4, max_rows=1)}">{P.tiles(tiles)}</div>'
    # overdue (most days first), then due within the 临期 window: the same rule as the meetings board
    table = data.action_items(ctx.url, ctx.scope, ctx.as_of, only_open=True, limit=ROWS,
                              due_by=ctx.as_of + dt.timedelta(days=DUE_SOON_DAYS))
    if table.empty:
        P.html_block(f'<div class="dg-fill">{grid}<div class="dg-empty dg-grow">{P.esc(t("present.none_overdue", loc))}</div></div>')
        return
    headers, rows = action_rows(table, loc)
    P.html_block(f'<div class="dg-fill">{grid}<div class="dg-grow">'
                 f'{P.table(headers, rows, numeric={4}, fill=True, clamp={1, 2})}</div></div>')
