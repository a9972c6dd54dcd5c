"""A case study's honours and 双爱双评 awards (left) and activities by season and type (right), as tables."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.cases import CaseDetail
from dashboard.ui.sections import Context
from dashboard.ui.widgets import table as fitted
from dashboard.views.awards import case_awards_table
from dashboard.views.cases import activities_frame, honours_frame


def render(ctx: Context, detail: CaseDetail) -> None:
    loc = ctx.loc
    a, b = st.columns([1, 1], gap="large")
    with a:
        st.markdown(f"#### {t('cases.honours', loc)}", help=t("cases.honours_help", loc))
        if detail.honours.empty:
            st.caption(t("cases.no_honours", loc))
        else:
            fitted(honours_frame(detail.honours, loc), cap=130, header_cap=72)
        # 双爱双评: district awards (区级) — listed, not a model by themselves (the rule in the help)
        st.markdown(f"#### {t('cases.awards', loc)}", help=t("cases.awards.help", loc))
        if detail.awards.empty:
            st.caption(t("cases.awards.none", loc))
        else:
            fitted(case_awards_table(detail.awards, loc))
    with b:
        st.markdown(f"#### {t('cases.activities', loc)}", help=t("cases.activities_help", loc))
        if detail.activities.empty:
            st.caption(t("cases.no_activities", loc))
        else:
            fitted(activities_frame(detail.activities, loc), cap=140, header_cap=72)
