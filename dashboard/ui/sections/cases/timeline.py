"""A case study's timeline: its milestones on a time axis (``charts.cases.timeline``)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.cases import CaseDetail
from dashboard.ui import chart
from dashboard.ui.sections import Context


def render(ctx: Context, detail: CaseDetail) -> None:
    st.markdown(f"#### {t('cases.timeline', ctx.loc)}", help=t("cases.timeline_help", ctx.loc))
    if detail.timeline.empty:
        st.caption("—")
    else:
        chart.show("cases.timeline", detail.timeline, ctx.loc, as_of=ctx.as_of)
