"""The audit log, newest first, filtered by user name, with a CSV download (read fresh every run)."""

from __future__ import annotations

import streamlit as st

from dashboard.exports.cells import csv_bytes
from dashboard.i18n import t
from dashboard.queries import audit
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.views.admin import audit_frame

LIMITS = [100, 500, 2000]


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('admin.audit', loc)}**")
    left, right = st.columns(2)
    who = left.text_input(t("admin.filter_user", loc), key="audit_user", max_chars=40).strip()
    limit = right.selectbox(t("admin.limit", loc), LIMITS, key="audit_limit")
    with data.session(ctx.url) as s:
        events = audit.recent_events(s, username=who or None, limit=limit)
    if events.empty:
        st.info(t("admin.no_events", loc))
        return
    view = audit_frame(events, loc)
    st.dataframe(view, hide_index=True, width="stretch")
    st.download_button(t("admin.download", loc), lambda: csv_bytes(view),  # usernames typed by anyone: no formulas
                       file_name="audit_events.csv", mime="text/csv", icon=":material/download:")
