"""Tab 会议: the filters (level, enterprise, dates), the timeline, and the meeting picker."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.meetings import MeetingDetail
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.views import meetings as V
from dashboard.views.edits import unique_labels
from models.enums import MeetingLevel

DISTRICT, ENTERPRISE = MeetingLevel.DISTRICT.value, MeetingLevel.ENTERPRISE.value


def render(ctx: Context) -> MeetingDetail | None:
    """Draw the filters and the timeline; the meeting picked (in scope, held by the date), if any."""
    loc, url, scope, as_of = ctx.loc, ctx.url, ctx.scope, ctx.as_of
    c1, c2, c3 = st.columns([2, 3, 3])
    level = c1.selectbox(t("meetings.filter.level", loc), [None, DISTRICT, ENTERPRISE], key="mt_level",
                         format_func=lambda v: t("meetings.filter.all_levels", loc) if v is None
                         else t(f"meetings.level.{v}", loc))
    ents = data.meeting_enterprises(url, scope, as_of)
    ent_names = dict(zip(ents["enterprise_id"], ents["name"], strict=True))
    enterprise_id = c2.selectbox(t("meetings.filter.enterprise", loc), [None, *ent_names], key="mt_enterprise",
                                 format_func=lambda v: t("meetings.filter.all_enterprises", loc) if v is None
                                 else ent_names[v], disabled=level == DISTRICT)
    default_start = as_of - dt.timedelta(days=3 * 365)
    span = c3.date_input(t("meetings.filter.dates", loc), value=(default_start, as_of), key="mt_range",
                         min_value=dt.date(1990, 1, 1), max_value=as_of, format="YYYY-MM-DD")
    start, end = (span if isinstance(span, tuple) and len(span) == 2 else (default_start, as_of))
    if level == DISTRICT:
        enterprise_id = None
    filters = {"level": level, "enterprise_id": enterprise_id, "start": start, "end": end}
    listed = data.meetings_list(url, scope, as_of, **filters)
    if listed.empty:
        st.info(t("meetings.empty", loc))
        return None
    st.markdown(f"**{t('meetings.timeline', loc)}**", help=t("meetings.timeline.help", loc))
    chart.show("meetings.timeline", listed, loc)
    st.caption(V.meetings_caption(data.meeting_counts(url, scope, as_of, **filters), len(listed), start, end, loc))
    titles = unique_labels({int(r.id): V.meeting_option(r.held_on, r.title, loc) for r in listed.itertuples()})
    picked = st.selectbox(t("meetings.pick", loc), list(titles), key="mt_pick", format_func=titles.get)
    detail = data.meeting_detail(url, scope, picked, as_of) if picked is not None else None
    if detail is None:
        st.warning(t("meetings.not_found", loc))
    return detail
