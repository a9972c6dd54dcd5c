"""用户与审计 / users and audit log — administrators only (accounts are managed with the CLI)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlmodel import Session

from dashboard.i18n import t
from dashboard.queries import audit
from dashboard.ui import data
from dashboard.ui.auth import require_role
from models import accounts
from models.enums import Role

user = st.session_state["user"]
filters = st.session_state["filters"]
loc = filters.locale
require_role(user, Role.ADMIN, locale=loc)  # also when the page is opened by its URL

engine = data.engine()
st.subheader(t("admin.title", loc))
st.caption(t("admin.cli_hint", loc))

with Session(engine) as s:
    users = pd.DataFrame(accounts.list_users(s))
if users.empty:
    st.info(t("admin.no_users", loc))
else:
    users["townships"] = users["townships"].map(lambda codes: "、".join(codes) or "—")
    users["role"] = users["role"].map(lambda r: t(f"role.{r}", loc))
    users = users.astype(object).where(users.notna(), "—")
    st.dataframe(
        users[["username", "display_name", "role", "townships", "email", "disabled", "failed_logins", "locked_until"]]
        .rename(columns={c: t(f"admin.col.{c}", loc) for c in users.columns}),
        hide_index=True, width="stretch",
    )

st.markdown(f"**{t('admin.audit', loc)}**")
left, right = st.columns(2)
who = left.text_input(t("admin.filter_user", loc), key="audit_user", max_chars=40).strip()
limit = right.selectbox(t("admin.limit", loc), [100, 500, 2000], key="audit_limit")
with Session(engine) as s:
    events = audit.recent_events(s, username=who or None, limit=limit)
if events.empty:
    st.info(t("admin.no_events", loc))
else:
    view = events.fillna("—").rename(columns={c: t(f"admin.col.{c}", loc) for c in events.columns})
    st.dataframe(view, hide_index=True, width="stretch")
    st.download_button(t("admin.download", loc), view.to_csv(index=False).encode("utf-8-sig"),
                       file_name="audit_events.csv", mime="text/csv", icon=":material/download:")
