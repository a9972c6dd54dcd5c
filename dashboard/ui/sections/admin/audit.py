"""The audit log, newest first: filtered by user name, action and a date range (district days),
one page at a time, in the UI's language with times in the district's time zone, and the page as
a CSV download. Read fresh every run (filtered and counted in SQL, ``queries.audit``)."""

from __future__ import annotations

import math

import streamlit as st

from dashboard.exports.cells import csv_bytes
from dashboard.i18n import t
from dashboard.queries import audit
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.views.admin import action_label, audit_frame

LIMITS = [100, 500, 2000]
PAGE_KEY = "audit_page"


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('admin.audit', loc)}**")
    with data.session(ctx.url) as s:
        known = audit.actions(s)
    who_col, action_col, from_col, to_col, limit_col = st.columns([3, 3, 2, 2, 1])
    who = who_col.text_input(t("admin.filter_user", loc), key="audit_user", max_chars=40).strip()
    action = action_col.selectbox(t("acct.audit.action", loc), ["", *known], key="audit_action",
                                  format_func=lambda a: action_label(a, loc) if a else t("acct.audit.all_actions", loc))
    since = from_col.date_input(t("acct.audit.from", loc), value=None, key="audit_from", format="YYYY-MM-DD")
    until = to_col.date_input(t("acct.audit.to", loc), value=None, key="audit_to", format="YYYY-MM-DD")
    limit = limit_col.selectbox(t("admin.limit", loc), LIMITS, key="audit_limit")
    if since is not None and until is not None and until < since:
        st.warning(t("acct.audit.date_order", loc))
        return
    filters = {"username": who or None, "action": action or None, "since": since, "until": until}
    with data.session(ctx.url) as s:
        total = audit.count_events(s, **filters)
        pages = max(1, math.ceil(total / limit))
        if st.session_state.get(PAGE_KEY, 1) > pages:  # fewer pages than before (another filter)
            st.session_state[PAGE_KEY] = pages
        page = 1
        if pages > 1:
            page = int(st.number_input(t("acct.audit.page", loc), min_value=1, max_value=pages, step=1, key=PAGE_KEY))
        events = audit.recent_events(s, **filters, limit=limit, offset=(page - 1) * limit)
    if events.empty:
        st.info(t("admin.no_events", loc))
        return
    st.caption(t("acct.audit.count", loc, total=total, page=page, pages=pages))
    view = audit_frame(events, loc)
    st.dataframe(view, hide_index=True, width="stretch")
    st.download_button(t("admin.download", loc), lambda: csv_bytes(view),  # usernames typed by anyone: no formulas
                       file_name="audit_events.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
