"""Tab 事项看板: since the last district meeting — what it decided and how far it got, the new
应建未建 gaps and the coverage change since its date."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_int, t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import show
from dashboard.ui.widgets import escape_markdown
from dashboard.views import meetings as V
from dashboard.views.status import DUE_SOON_DAYS


def render(ctx: Context) -> None:
    loc, as_of = ctx.loc, ctx.as_of
    refs = data.district_meetings(ctx.url, ctx.scope, until=as_of)
    if refs.empty:
        st.info(t("meetings.since.none", loc))
        return
    titles = {int(r.id): V.meeting_option(r.held_on, r.title, loc) for r in refs.itertuples()}
    ref = st.selectbox(t("meetings.since.pick", loc), list(titles), key="mt_ref", format_func=titles.get)
    sl = data.since_last_meeting(ctx.url, ctx.scope, as_of, meeting_id=ref)
    if sl is None:
        return

    def items(n: int) -> str:
        return t("meetings.unit.items", loc, n=fmt_int(n))

    with st.container(border=True):
        st.markdown(f"**{t('meetings.since.title', loc, title=escape_markdown(sl.meeting.title), date=V.day(sl.meeting.held_on, loc))}**",
                    help=t("meetings.since.help", loc))
        st.caption(t("meetings.since.caption", loc, days=fmt_int(sl.days_since), date=V.day(as_of, loc),
                     prev=V.day(sl.previous.held_on, loc) if sl.previous else "—"))
        m = st.columns(5)
        m[0].metric(t("meetings.since.decided", loc), items(len(sl.decided)))
        m[1].metric(V.item_status_text("done", loc), items(sl.done))
        m[2].metric(V.item_status_text("overdue", loc), items(sl.late))
        m[3].metric(t("meetings.since.open", loc), items(sl.open),
                    help=t("meetings.since.open.def", loc, n=fmt_int(sl.due_soon), days=DUE_SOON_DAYS))
        m[4].metric(t("meetings.since.new_gaps", loc),
                    t("meetings.unit.enterprises", loc, n=fmt_int(sl.n_new_should_build)),
                    help=t("meetings.since.new_gaps.def", loc, closed=fmt_int(sl.closed_should_build)))
        st.markdown(V.since_coverage_text(sl.coverage_then, sl.coverage_now, sl.meeting.held_on, loc))
        if late := V.late_items_text(sl.decided, loc, escape=escape_markdown):
            st.markdown(late)
        with st.expander(t("meetings.since.details", loc)):
            if sl.decided.empty:
                st.caption(t("meetings.items_scoped", loc))
            else:
                show(V.decided_table(sl.decided, loc))
            if sl.n_new_should_build:
                st.markdown(f"**{t('meetings.since.new_gaps', loc)}**")
                show(V.new_gaps_table(sl.new_should_build, loc))
