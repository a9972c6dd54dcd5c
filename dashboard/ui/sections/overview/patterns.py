"""Row 2, left: the pattern breakdown (一会一支 / 一会一员 / 仅有工会 / 未建会 / 应建未建)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import chart
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import coverage_kpis
from dashboard.views.overview import pattern_line


def render(ctx: Context) -> None:
    now = coverage_kpis(ctx)
    st.markdown(f"**{t('pattern.title', ctx.loc)}**", help=t("pattern.help", ctx.loc))
    chart.show("pattern_bar", now.patterns, ctx.loc)
    st.caption(pattern_line(now.patterns, ctx.loc))
