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
#: above this many enterprises with meetings, the enterprise filter lists those whose names contain what
#: is typed in a search box (at most this many): at 1M the page sent 25,000 names with every run, and the
#: browser took about 1.5 s of each page switch to take them in (issue 22)
ENTERPRISE_OPTIONS = 200


def render(ctx: Context) -> MeetingDetail | None:
    """Draw the filters and the timeline; the meeting picked (in scope, held by the date), if any."""
    loc, url, scope, as_of = ctx.loc, ctx.url, ctx.scope, ctx.as_of
    ents = data.meeting_enterprises(url, scope, as_of)
    many = len(ents) > ENTERPRISE_OPTIONS
    c1, *search_col, c2, c3 = st.columns([2, 2, 2, 3] if many else [2, 3, 3])
    level = c1.selectbox(t("meetings.filter.level", loc), [None, DISTRICT, ENTERPRISE], key="mt_level",
                         format_func=lambda v: t("meetings.filter.all_levels", loc) if v is None
                         else t(f"meetings.level.{v}", loc))
    listed_ents = ents
    if many:
        search = search_col[0].text_input(t("meetings.form.search_enterprise", loc), key="mt_enterprise_search",
                                          max_chars=60, disabled=level == DISTRICT).strip()
        if search:
            listed_ents = ents[ents["name"].str.contains(search, regex=False)]
        listed_ents = listed_ents.head(ENTERPRISE_OPTIONS)
    ent_names = dict(zip(listed_ents["enterprise_id"], listed_ents["name"], strict=True))
    picked = st.session_state.get("mt_enterprise")
    if picked is not None and picked not in ent_names:  # chosen before the search changed: it stays a choice
        name = ents.loc[ents["enterprise_id"] == picked, "name"]
        if len(name):
            ent_names = {picked: name.iloc[0], **ent_names}
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
