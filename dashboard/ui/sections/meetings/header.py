"""The title row (with the meeting-brief downloads) and the message of the last edit."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import brief
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import Context


def render(ctx: Context) -> None:
    title_col, brief_col = st.columns([5, 1], vertical_alignment="bottom")
    with title_col:
        st.subheader(t("meetings.title", ctx.loc))
        st.caption(t("meetings.subtitle", ctx.loc))
    with brief_col:
        brief.popover(ctx.filters, key="mt_brief")
    show_flash()
