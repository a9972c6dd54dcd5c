"""荐优纳新推评制 / recommending workers to the Party: the figures on the date per township and
enterprise with their definitions, the people (names only for staff and the person's township; a
leader opens one record, audited), and the forms of staff and townships."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.development import board, manage, people

ctx = context()
st.subheader(t("development.title", ctx.loc))
show_flash()
if board.figures(ctx):
    people.render(ctx)
manage.render(ctx)
