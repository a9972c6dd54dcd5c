"""联席会议 / two-level joint meetings: timeline and minutes, the action-item board with the
since-the-last-district-meeting summary, mechanism coverage, coordination notices; editing for
staff and township users (forms in expanders).

A composition of ``dashboard.ui.sections.meetings``: reads through ``ui.data`` (the pure
functions of ``dashboard.queries.meetings``), labelled tables and statuses from
``dashboard.views.meetings``, writes through ``ui.edit.run_edit`` (``dashboard.edits.meetings``,
one transaction each).
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.sections import context
from dashboard.ui.sections.meetings import (
    board, can_edit, detail, glance, header, item_form, mechanism, notice_form, notices, record_form, since,
    status_form, timeline,
)

ctx = context()
header.render(ctx)
glance.render(ctx)

tab_meetings, tab_board, tab_mechanism, tab_notices = st.tabs(
    [t("meetings.tab.meetings", ctx.loc), t("meetings.tab.board", ctx.loc), t("meetings.tab.mechanism", ctx.loc),
     t("meetings.tab.notices", ctx.loc)])

with tab_meetings:
    picked = timeline.render(ctx)
    if picked is not None:
        detail.render(ctx, picked)
        item_form.render(ctx, picked)
    record_form.render(ctx)

with tab_board:
    since.render(ctx)
    board.render(ctx)
    status_form.render(ctx)

with tab_mechanism:
    mechanism.render(ctx)

with tab_notices:
    notices.render(ctx)
    notice_form.render(ctx)

if not can_edit(ctx):
    st.caption(t("meetings.read_only", ctx.loc))
