"""The top of a case study: back to the gallery, the name, what kind of enterprise, why it is a model."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.cases import CaseDetail
from dashboard.ui.sections import Context
from dashboard.ui.sections.cases import close_case, show_saved
from dashboard.ui.widgets import escape_markdown
from dashboard.views.cases import case_tags, case_why, label_sep


def render(ctx: Context, detail: CaseDetail) -> None:
    loc = ctx.loc
    st.button(t("cases.back", loc), on_click=close_case, icon=":material/arrow_back:", key="cases_back")
    st.subheader(detail.name)
    show_saved(ctx)
    st.caption(" · ".join(escape_markdown(x) for x in case_tags(detail, loc)))
    if detail.from_source:
        st.badge(t("cases.source_badge", loc), color="red", icon=":material/menu_book:",
                 help=t("cases.source_help", loc))
    st.info(f"**{t('cases.why_label', loc)}**{label_sep(loc)}{escape_markdown(case_why(detail, loc))}",
            icon=":material/workspace_premium:")
