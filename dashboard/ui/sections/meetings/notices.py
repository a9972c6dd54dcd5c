"""Tab 协调通报: the notices of both directions, their figures (counted in SQL) and the table."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_int, t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import show
from dashboard.ui.widgets import kpi_row
from dashboard.views import meetings as V
from models.enums import NoticeDirection


def render(ctx: Context) -> None:
    loc, url, scope, as_of = ctx.loc, ctx.url, ctx.scope, ctx.as_of
    st.markdown(f"**{t('meetings.notice.title', loc)}**", help=t("meetings.notice.help", loc))
    direction = st.segmented_control(t("col.direction", loc), [d.value for d in NoticeDirection], key="mt_direction",
                                     selection_mode="single", format_func=lambda v: t(f"direction.{v}", loc))
    shown = data.notices(url, scope, as_of, direction=direction or None)  # filtered in SQL, capped
    nc = data.notice_counts(url, scope, as_of, direction=direction or None)  # the figures: counted in SQL
    n = kpi_row("notices", 4)
    for col, key, value in zip(n, ("meetings.notice.overdue", "meetings.notice.status.sent",
                                   "meetings.notice.status.acknowledged", "meetings.notice.status.resolved"),
                               (nc.overdue, nc.sent, nc.acknowledged, nc.resolved), strict=True):
        col.metric(t(key, loc), t("meetings.unit.items", loc, n=fmt_int(value)))
    if shown.empty:
        st.info(t("meetings.notice.empty", loc))
        return
    table = V.notices_table(shown, loc)
    cols = list(table.frame.columns)
    overdue = t("col.days_overdue", loc)
    order = [*cols[: cols.index(t("col.respond_by", loc)) + 1], overdue,
             *(c for c in cols[cols.index(t("col.respond_by", loc)) + 1:] if c != overdue)]
    show(table, height=min(460, 38 + 35 * len(table)), column_order=order, header_cap=96,
         caps={t("col.enterprise", loc): 180})
    st.caption(V.notices_caption(nc.total, len(shown), loc))
