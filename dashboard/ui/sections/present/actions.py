"""Slide 4: joint-meeting decisions: open, overdue, due-soon and done items, then the overdue and
due-soon items (the meetings board's rule and order) with their status words."""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import empty, heading
from dashboard.views.present import action_rows, action_tiles
from dashboard.views.status import DUE_SOON_DAYS

ROWS = 7


def render(ctx: Context) -> None:
    loc = ctx.loc
    heading(ctx, t("present.slide.actions", loc))
    items = data.action_item_counts(ctx.url, ctx.scope, ctx.as_of)
    if items.total == 0:
        return empty(t("present.no_items", loc))
    P.html_block(f'<div class="dg-grid four">{P.tiles(action_tiles(items, loc))}</div>')
    # overdue (most days first), then due within the 临期 window: the same rule as the meetings board
    table = data.action_items(ctx.url, ctx.scope, ctx.as_of, only_open=True, limit=ROWS,
                              due_by=ctx.as_of + dt.timedelta(days=DUE_SOON_DAYS))
    if table.empty:
        P.html_block(f'<div class="dg-empty" style="padding:2rem 0">{P.esc(t("present.none_overdue", loc))}</div>')
        return
    headers, rows = action_rows(table, loc)
    P.html_block('<div style="margin-top:1.2rem"></div>' + P.table(headers, rows, numeric={4}))
