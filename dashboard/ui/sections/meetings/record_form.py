"""Tab 会议: record a joint meeting (a district meeting: district accounts only)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.edits import meetings as edits
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import actor, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import FIELD_PREFIX, can_edit
from dashboard.views.edits import unique_labels
from models.enums import MeetingLevel

DISTRICT, ENTERPRISE = MeetingLevel.DISTRICT.value, MeetingLevel.ENTERPRISE.value


def render(ctx: Context) -> None:
    if not can_edit(ctx):
        return
    loc, me, today = ctx.loc, actor(), today_in_district()
    with st.expander(t("meetings.form.record", loc), icon=":material/edit_calendar:"):
        levels = [DISTRICT, ENTERPRISE] if me.is_district else [ENTERPRISE]
        level = st.radio(t("meetings.field.level", loc), levels, key="mt_new_level", horizontal=True,
                         format_func=lambda v: t(f"meetings.level.{v}", loc))
        enterprise = None
        if level == ENTERPRISE:
            search = st.text_input(t("meetings.form.search_enterprise", loc), key="mt_new_search", max_chars=60)
            cands = data.meeting_candidates(ctx.url, me.scope, ctx.as_of, search=search)
            cand_names = unique_labels({int(r.enterprise_id): f"{r.name}（{r.township}）" for r in cands.itertuples()})
            enterprise = st.selectbox(t("meetings.field.enterprise", loc), list(cand_names), key="mt_new_ent",
                                      format_func=cand_names.get, index=None,
                                      placeholder=t("meetings.form.choose", loc))
            st.caption(t("meetings.form.enterprise_help", loc))
        units = data.units(ctx.url)
        unit_names = unique_labels(dict(zip(units["id"], units["name"], strict=True)))
        with st.form("mt_new_form"):
            held = st.date_input(t("meetings.field.held_on", loc), key="mt_new_date", value=min(today, ctx.as_of),
                                 min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
            title = st.text_input(t("meetings.field.title", loc), key="mt_new_title", max_chars=edits.MAX_TITLE)
            att_units = st.multiselect(t("meetings.field.attendees", loc), list(unit_names), key="mt_new_units",
                                       format_func=unit_names.get, placeholder=t("meetings.form.choose", loc))
            att_names = st.text_area(t("meetings.form.attendee_names", loc), key="mt_new_names", height=68)
            agenda = st.text_area(t("meetings.field.agenda", loc), key="mt_new_agenda", max_chars=edits.MAX_TEXT,
                                  height=80)
            minutes = st.text_area(t("meetings.field.minutes", loc), key="mt_new_minutes", max_chars=edits.MAX_TEXT,
                                   height=80)
            decisions = st.text_area(t("meetings.form.decisions", loc), key="mt_new_decisions", height=80)
            if level == DISTRICT:
                st.caption(t("meetings.form.district_visible", loc))
            if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_new_submit"):
                run_edit(edits.record_meeting, loc=loc, field_prefix=FIELD_PREFIX, today=today, level=level,
                         held_on=held, title=title, enterprise_id=enterprise if level == ENTERPRISE else None,
                         agenda=agenda, minutes=minutes, attendee_unit_ids=att_units,
                         attendee_names=att_names.splitlines(), decisions=decisions.splitlines())
