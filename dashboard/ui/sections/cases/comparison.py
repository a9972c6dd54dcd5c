"""A case study against the average of the unionised enterprises of the benchmark (three figure cards)."""

from __future__ import annotations

import streamlit as st

from dashboard.queries.cases import CaseDetail
from dashboard.ui.sections import Context
from dashboard.ui.widgets import kpi_card, kpi_row
from dashboard.views.cases import bench_heading, comparison_cards


def render(ctx: Context, detail: CaseDetail) -> None:
    st.markdown(f"#### {bench_heading(detail, ctx.loc)}")
    for col, kpi in zip(kpi_row("cases", 3), comparison_cards(detail, ctx.loc), strict=True):
        with col:
            kpi_card(kpi.label, kpi.value, kpi.detail, delta=None, help=kpi.help)
