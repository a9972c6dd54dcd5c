"""At a glance: items overdue, due soon, done; coordination notices overdue (all counted in SQL)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_int, fmt_pct, t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import kpi_row, status_badge
from dashboard.views import meetings as V
from dashboard.views.status import DUE_SOON_DAYS


def render(ctx: Context) -> None:
    loc = ctx.loc
    board = data.item_board(ctx.url, ctx.scope, ctx.as_of)
    g = V.glance(board, data.notice_counts(ctx.url, ctx.scope, ctx.as_of).overdue)  # never from a capped list

    def items(n: int) -> str:
        return t("meetings.unit.items", loc, n=fmt_int(n))

    cards = kpi_row("meetings", 4)
    with cards[0], st.container(border=True):
        st.metric(t("meetings.kpi.overdue", loc), items(g.overdue), help=t("meetings.kpi.overdue.def", loc))
        status_badge(g.items_status, loc)
    with cards[1], st.container(border=True):
        st.metric(t("meetings.kpi.due_soon", loc), items(g.due_soon),
                  help=t("meetings.kpi.due_soon.def", loc, days=DUE_SOON_DAYS))
        st.caption(t("meetings.kpi.open_detail", loc, open=fmt_int(g.open), total=fmt_int(g.total)))
    with cards[2], st.container(border=True):
        st.metric(t("meetings.kpi.done", loc), items(g.done), help=t("meetings.kpi.done.def", loc))
        st.caption(t("meetings.kpi.done_detail", loc, pct=fmt_pct(g.done_share, loc)))
    with cards[3], st.container(border=True):
        st.metric(t("meetings.kpi.notices_overdue", loc), items(g.notices_overdue),
                  help=t("meetings.kpi.notices_overdue.def", loc))
        status_badge(g.notices_status, loc)
