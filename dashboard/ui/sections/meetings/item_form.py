"""Tab 会议: add an action item (to a decision of the picked meeting, or with a new decision). The save
goes to the meeting the form was shown for: if the meeting picker has moved on since, it is refused."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.edits import meetings as edits
from dashboard.i18n import t
from dashboard.queries.meetings import MeetingDetail
from dashboard.ui import data
from dashboard.ui.edit import actor, refuse_gone, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import FIELD_PREFIX, can_edit
from dashboard.views import meetings as V
from dashboard.views.edits import unique_labels
from models.enums import MeetingLevel

#: the id of the meeting the form was drawn for (a save must go to the meeting the person saw)
SHOWN_MEETING = "_shown_meeting:mt_item"


def render(ctx: Context, detail: MeetingDetail) -> None:
    """Only for an editor whose own scope holds the meeting (a district meeting: district accounts)."""
    loc, me = ctx.loc, actor()
    if not can_edit(ctx) or not (me.is_district or (detail.township_id is not None
                                                     and detail.township_id in me.scope.township_ids)):
        return
    shown_meeting = st.session_state.get(SHOWN_MEETING)  # the meeting this form was drawn for last run
    st.session_state[SHOWN_MEETING] = detail.id
    with st.expander(t("meetings.form.add_item", loc), icon=":material/add_task:"):
        units = data.units(ctx.url, owners_for=me.scope)  # a township account: district units and its own
        unit_names = unique_labels(dict(zip(units["id"], units["name"], strict=True)))
        decisions = unique_labels({i: text[:80] for i, text in zip(detail.decisions["id"], detail.decisions["text"],
                                                                   strict=True)})
        with st.form("mt_item_form", clear_on_submit=False):
            dec = st.selectbox(t("meetings.field.decision", loc), [None, *decisions], key="mt_item_decision",
                               index=1 if decisions else 0,
                               format_func=lambda v: t("meetings.form.new_decision", loc) if v is None
                               else decisions[v])
            dec_text = st.text_input(t("meetings.form.new_decision_text", loc), key="mt_item_decision_text",
                                     max_chars=edits.MAX_DECISION)
            desc = st.text_area(t("meetings.field.description", loc), key="mt_item_desc",
                                max_chars=edits.MAX_DESCRIPTION, height=80)
            owner = st.selectbox(t("meetings.field.owner", loc), list(unit_names), key="mt_item_owner",
                                 format_func=unit_names.get, index=None, placeholder=t("meetings.form.choose", loc))
            due = st.date_input(t("meetings.field.due_on", loc), key="mt_item_due",
                                value=detail.held_on + dt.timedelta(days=30), min_value=dt.date(1990, 1, 1),
                                max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
            st.caption(t("meetings.form.add_item_help", loc, date=V.day(detail.held_on, loc)))
            if detail.level == MeetingLevel.DISTRICT.value:
                st.caption(t("meetings.form.district_visible", loc))
            if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_item_submit"):
                if shown_meeting != detail.id:  # the picker now names another meeting than the one shown
                    refuse_gone(loc)
                    return
                run_edit(edits.add_action_item, loc=loc, field_prefix=FIELD_PREFIX, today=today_in_district(),
                         meeting_id=detail.id, decision_id=dec, decision_text=dec_text, description=desc,
                         owner_unit_id=owner, due_on=due)
