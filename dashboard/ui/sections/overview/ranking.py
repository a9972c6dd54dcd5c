"""Row 4: the township ranking (sortable), rates as bars with their definitions."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import by_township
from dashboard.views.overview import ranking_frame, ranking_rates


def render(ctx: Context) -> None:
    st.markdown(f"**{t('rank.title', ctx.loc)}**", help=t("rank.help", ctx.loc))
    overdue = data.overdue_items_by_township(ctx.url, ctx.scope, ctx.as_of)
    pct = st.column_config.ProgressColumn
    st.dataframe(
        ranking_frame(by_township(ctx), overdue, ctx.loc), hide_index=True, width="stretch",
        column_config={label: pct(format="%.1f%%", min_value=0, max_value=100, help=definition)
                       for label, definition in ranking_rates(ctx.loc).items()},
    )
