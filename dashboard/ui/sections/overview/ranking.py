"""Row 4: the township ranking (sortable), rates as bars with their definitions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import by_township
from dashboard.ui.widgets import table as fitted
from dashboard.views.overview import RANK_RATES, ranking_frame, ranking_rates


def _read(ctx: Context) -> pd.DataFrame:
    overdue = data.overdue_items_by_township(ctx.url, ctx.scope, ctx.as_of)
    return ranking_frame(by_township(ctx), overdue, ctx.loc, ctx.scope.base)


def prefetch(ctx: Context) -> None:
    _read(ctx)


def render(ctx: Context) -> None:
    st.markdown(f"**{t('rank.title', ctx.loc)}**", help=t("rank.help", ctx.loc))
    frame = _read(ctx)
    pct = st.column_config.ProgressColumn
    # the township pinned, the rates next (the key figures, in view on a phone), the counts after
    rates = [t(f"col.{key}", ctx.loc) for key in RANK_RATES]
    order = [frame.columns[0], *rates, *(c for c in frame.columns[1:] if c not in rates)]
    fitted(frame, column_order=order, caps={rate: 112 for rate in rates},
           column_config={label: pct(format="%.1f%%", min_value=0, max_value=100, help=definition, width=112)
                          for label, definition in ranking_rates(ctx.loc).items()})
