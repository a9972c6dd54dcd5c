"""Every account, as a table (read fresh every run; the forms are ``account_form.py``)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.views.admin import users_frame
from models import accounts


def render(ctx: Context) -> None:
    with data.session(ctx.url) as s:
        users = accounts.list_users(s)
    if not users:
        st.info(t("admin.no_users", ctx.loc))
        return
    st.dataframe(users_frame(users, ctx.loc), hide_index=True, width="stretch")
