"""Tab 事项看板: change an action item's status (open items of the user's own scope, most overdue
first; past ``STATUS_PICKER_LIMIT`` a search box narrows them — never silently cut off). The item
is picked by id and saved with the version the form showed (``ui.edit.pick_row``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.edits import meetings as edits
from dashboard.i18n import fmt_int, t
from dashboard.ui import data
from dashboard.ui.edit import actor, pick_row, refuse_gone, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import FIELD_PREFIX, can_edit
from dashboard.views import meetings as V
from models.enums import ActionStatus

#: the status-edit picker lists at most this many open items (most overdue first), with a search box beyond
STATUS_PICKER_LIMIT = 500


def render(ctx: Context) -> None:
    if not can_edit(ctx):
        return
    loc, url, me, today = ctx.loc, ctx.url, actor(), today_in_district()
    with st.expander(t("meetings.form.status", loc), icon=":material/task_alt:"):
        # items that can still change: open today, in the user's own scope (not the sidebar filter)
        n_open = data.count_action_items(url, me.scope, today, only_open=True)
        search = ""
        if n_open > STATUS_PICKER_LIMIT:
            search = st.text_input(t("meetings.form.status_search", loc), key="mt_status_search", max_chars=60)
        editable = data.action_items(url, me.scope, today, only_open=True, search=search, limit=STATUS_PICKER_LIMIT)
        n_match = data.count_action_items(url, me.scope, today, only_open=True, search=search) if search.strip() else n_open
        if len(editable) < n_match:
            st.caption(t("meetings.form.status_capped", loc, n=fmt_int(n_match), shown=fmt_int(len(editable))))
        if editable.empty:
            st.caption(t("meetings.form.no_matching_items" if n_open else "meetings.form.no_open_items", loc))
            return
        choices = {int(r.id): V.item_option(r, loc) for r in editable.itertuples()}
        with st.form("mt_status_form"):
            item = pick_row(t("meetings.field.item", loc), choices, key="mt_status_item",
                            versions=dict(zip(editable["id"], editable["version"], strict=True)))
            status = st.selectbox(t("meetings.field.status", loc), [s.value for s in ActionStatus], index=2,
                                  key="mt_status_value", format_func=lambda v: t(f"meetings.status.{v}", loc))
            done_on = st.date_input(t("meetings.field.done_on", loc), value=today, key="mt_status_done",
                                    min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
            st.caption(t("meetings.form.status_help", loc))
            if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_status_submit"):
                if item.gone:
                    refuse_gone(loc)
                    return
                run_edit(edits.set_action_status, loc=loc, field_prefix=FIELD_PREFIX, today=today, item_id=item.id,
                         version=item.version, status=status,
                         done_on=done_on if status == ActionStatus.DONE.value else None)
