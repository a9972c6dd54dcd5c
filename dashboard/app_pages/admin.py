"""用户与审计 / users and audit log — administrators only (accounts are managed with the CLI)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.auth import require_role
from dashboard.ui.sections import context
from dashboard.ui.sections.admin import audit, users
from models.enums import Role

ctx = context()
require_role(ctx.user, Role.ADMIN, locale=ctx.loc)  # also when the page is opened by its URL

st.subheader(t("admin.title", ctx.loc))
st.caption(t("admin.cli_hint", ctx.loc))
users.render(ctx)
audit.render(ctx)
