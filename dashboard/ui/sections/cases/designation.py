"""Staff only, under the gallery: designate another enterprise as a model, with a reason (the
enterprise picked by id and pinned: one that has left the results since is refused, never swapped)."""

from __future__ import annotations

import streamlit as st

from dashboard.edits.cases import REASON_MAX
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import pick_row, refuse_gone
from dashboard.ui.sections import Context
from dashboard.ui.sections.cases import apply_designation
from dashboard.views.cases import search_options


def render(ctx: Context) -> None:
    loc = ctx.loc
    with st.expander(t("cases.manage", loc), icon=":material/edit_note:"):
        st.caption(t("cases.manage_help", loc))
        st.markdown(f"**{t('cases.designate_title', loc)}**")
        text = st.text_input(t("cases.search", loc), key="cases_search", placeholder=t("cases.search_hint", loc),
                             max_chars=40)
        if not text.strip():
            return
        found = data.search_enterprises(ctx.url, ctx.user.scope, ctx.as_of, text.strip())
        if found.empty:
            st.info(t("cases.no_match", loc))
            return
        names = search_options(found)
        with st.form("cases_designate_form", clear_on_submit=False):
            picked = pick_row(t("cases.pick", loc), names, key="cases_pick")
            reason = st.text_area(t("cases.reason", loc), key="cases_designate_reason", max_chars=REASON_MAX,
                                  placeholder=t("cases.reason_hint", loc))
            if st.form_submit_button(t("cases.designate", loc), type="primary"):
                if picked.gone:
                    refuse_gone(loc)
                    return
                apply_designation(ctx, int(picked.id), True, reason)
