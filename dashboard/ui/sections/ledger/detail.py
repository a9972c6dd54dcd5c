"""One enterprise of the ledger: its figures, registration, and its history up to the as-of date."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views.ledger import detail_caption, detail_facts, history_frame


def render(ctx: Context, enterprise_id: int) -> bool:
    """Draws the detail; False when the enterprise is not in the page's scope."""
    loc = ctx.loc
    detail = data.enterprise_detail(ctx.url, ctx.register, enterprise_id, ctx.as_of)
    if detail is None:  # not in scope (or gone): show nothing of it
        st.warning(t("ledger.not_found", loc))
        return False
    st.markdown(f"#### {escape_markdown(detail.name)}")
    for column, (label, value) in zip(st.columns(4), detail_facts(detail, loc), strict=True):
        column.metric(label, value)
    st.caption(detail_caption(detail, loc))
    if detail.history.empty:
        st.info(t("ledger.no_history", loc))
    else:
        st.dataframe(history_frame(detail.history, loc), hide_index=True, width="stretch")
    return True
