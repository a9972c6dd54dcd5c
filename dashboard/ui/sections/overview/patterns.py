"""Row 2, left: the pattern breakdown (一会一支 / 一会一员 / 仅有工会 / 未建会 / 应建未建)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.coverage import CoverageKpis
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import Chart, coverage_kpis
from dashboard.views.overview import pattern_line


def _read(ctx: Context) -> tuple[CoverageKpis, Chart]:
    now = coverage_kpis(ctx)
    return now, Chart("pattern_bar", (now.patterns, ctx.loc))


def prefetch(ctx: Context) -> None:
    _read(ctx)[1].build()


def render(ctx: Context) -> None:
    now, bar = _read(ctx)
    st.markdown(f"**{t('pattern.title', ctx.loc)}**", help=t("pattern.help", ctx.loc))
    bar.show()
    st.caption(pattern_line(now.patterns, ctx.loc))
