"""领导小组 / the leading group: who it is on the date and how it changed, the four mechanisms it
runs with their last 12 months, the documents it issued; staff maintain it."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.group import board, manage

ctx = context()
st.subheader(t("group.title", ctx.loc))
show_flash()
board.members(ctx)
board.mechanisms(ctx)
board.documents(ctx)
manage.render(ctx)
