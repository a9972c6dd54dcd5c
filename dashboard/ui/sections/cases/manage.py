"""Staff only, under a case study: remove it as a model (with a reason), and its designation record."""

from __future__ import annotations

import streamlit as st

from dashboard.edits.cases import REASON_MAX
from dashboard.i18n import t
from dashboard.queries.cases import CaseDetail
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.cases import apply_designation
from dashboard.views.cases import designation_frame


def render(ctx: Context, detail: CaseDetail) -> None:
    loc = ctx.loc
    with st.expander(t("cases.manage", loc), icon=":material/edit_note:"):
        st.caption(t("cases.manage_help", loc))
        with st.form("cases_remove_form"):
            st.markdown(f"**{t('cases.remove_title', loc)}**")
            reason = st.text_area(t("cases.reason", loc), key="cases_remove_reason", max_chars=REASON_MAX,
                                  placeholder=t("cases.reason_hint", loc))
            if st.form_submit_button(t("cases.remove", loc)):
                apply_designation(ctx, detail.enterprise_id, False, reason)
        history = data.designation_history(ctx.url, ctx.user.scope, detail.enterprise_id)
        if not history.empty:
            st.markdown(f"**{t('cases.history', loc)}**")
            st.dataframe(designation_frame(history, loc), hide_index=True, width="stretch")
