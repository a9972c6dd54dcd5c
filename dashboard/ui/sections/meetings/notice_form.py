"""Tab 协调通报: record a notice's acknowledgement or resolution (pending notices of the user's own scope),
picked by id and saved with the version the form showed (``ui.edit.pick_row``)."""

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


def render(ctx: Context) -> None:
    if not can_edit(ctx):
        return
    loc, url, me, today = ctx.loc, ctx.url, actor(), today_in_district()
    with st.expander(t("meetings.form.notice", loc), icon=":material/mark_email_read:"):
        pending = data.notices(url, me.scope, today, unresolved=True)  # not resolved today, in SQL
        counts = data.notice_counts(url, me.scope, today)
        n_pending = counts.sent + counts.acknowledged
        if len(pending) < n_pending:
            st.caption(t("meetings.form.notice_capped", loc, n=fmt_int(n_pending), shown=fmt_int(len(pending))))
        if pending.empty:
            st.caption(t("meetings.form.no_pending_notices", loc))
            return
        choices = {int(r.id): V.notice_option(r, loc) for r in pending.itertuples()}
        with st.form("mt_notice_form"):
            notice = pick_row(t("meetings.field.notice", loc), choices, key="mt_notice_pick",
                              versions=dict(zip(pending["id"], pending["version"], strict=True)))
            ack = st.date_input(t("meetings.field.acknowledged_on", loc), value=None, key="mt_notice_ack",
                                min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
            res = st.date_input(t("meetings.field.resolved_on", loc), value=None, key="mt_notice_res",
                                min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
            note = st.text_area(t("meetings.field.note", loc), key="mt_notice_note", max_chars=edits.MAX_NOTE, height=68)
            if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_notice_submit"):
                if notice.gone:
                    refuse_gone(loc)
                    return
                run_edit(edits.record_notice_response, loc=loc, field_prefix=FIELD_PREFIX, today=today,
                         notice_id=notice.id, version=notice.version, acknowledged_on=ack, resolved_on=res, note=note)
