"""Tab 会议: one meeting's card — where and when, attendees, agenda, minutes, its decisions and
their action items in scope."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.meetings import MeetingDetail
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import show
from dashboard.ui.widgets import escape_markdown
from dashboard.views import meetings as V


def render(ctx: Context, detail: MeetingDetail) -> None:
    loc = ctx.loc
    with st.container(border=True):
        st.markdown(f"#### {escape_markdown(detail.title)}")
        where = (escape_markdown(detail.enterprise) + f"（{escape_markdown(detail.township)}）"
                 if detail.enterprise else t("meetings.district_wide", loc))
        st.markdown(f"{t(f'meetings.level.{detail.level}', loc)} · {V.day(detail.held_on, loc)} · {where}")
        st.markdown(f"**{t('meetings.attendees', loc)}**：" + (
            "、".join(escape_markdown(n) for n in detail.attendees["name"]) or "—"))
        a, m = st.columns(2)
        a.markdown(f"**{t('meetings.agenda', loc)}**")
        a.text(detail.agenda or "—")
        m.markdown(f"**{t('meetings.minutes', loc)}**")
        m.text(detail.minutes or "—")
        st.markdown(f"**{t('meetings.decisions', loc)}**")
        items = detail.items
        for i, dec in enumerate(detail.decisions.itertuples(), start=1):
            st.markdown(f"{i}. {escape_markdown(dec.text)}")
            mine = items[items["decision_id"] == dec.id]
            if len(mine):
                show(V.detail_items_table(mine, loc))
        if detail.decisions.empty:
            st.caption(t("meetings.no_decisions", loc))
        elif items.empty and ctx.scope.township_ids is not None:
            st.caption(t("meetings.items_scoped", loc))
