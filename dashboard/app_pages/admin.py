"""用户与审计日志 / users and audit log — administrators only: accounts (create, disable / enable,
unlock, reset the password, change the role, townships and display name), the audit log, the
township boundaries when that section is installed, and the push (channels, schedule, send log,
a test message)."""

from __future__ import annotations

import importlib.util

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.auth import require_role
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.admin import account_form, audit, kiosk, push, users
from models.enums import Role

ctx = context()
require_role(ctx.user, Role.ADMIN, locale=ctx.loc)  # also when the page is opened by its URL

st.subheader(t("admin.title", ctx.loc))
show_flash()  # above the tabs: a save's message shows whichever tab is open
account_form.show_password_once(ctx)
kiosk.show_made_once(ctx)

BOUNDARIES = "dashboard.ui.sections.admin.boundaries"
has_boundaries = importlib.util.find_spec(BOUNDARIES) is not None
names = ["acct.tab.users", "acct.tab.audit"] + (["acct.tab.boundaries"] if has_boundaries else []) + ["admin.tab.kiosk", "admin.tab.push"]
tabs = st.tabs([t(n, ctx.loc) for n in names])

with tabs[0]:
    users.render(ctx)
    account_form.render_actions(ctx)
    account_form.render_create(ctx)
with tabs[1]:
    audit.render(ctx)
if has_boundaries:
    with tabs[2]:
        importlib.import_module(BOUNDARIES).render(ctx)
with tabs[-2]:
    kiosk.render(ctx)
with tabs[-1]:
    push.render(ctx)
