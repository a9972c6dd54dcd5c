"""Tab 机制覆盖: the two-level joint meeting mechanism at enterprise level, per township."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_pct, t
from dashboard.queries.coverage import Rate
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import show
from dashboard.ui.widgets import metric_style
from dashboard.views import base as base_words
from dashboard.views import meetings as V


def render(ctx: Context) -> None:
    loc = ctx.loc
    mech = data.mechanism_coverage(ctx.url, ctx.scope, ctx.as_of)
    num, den, rate = V.mechanism_totals(mech)
    st.markdown(f"**{t('meetings.mech.title', loc)}**", help=t("meetings.mech.def", loc))
    metric_style()
    c1, c2 = st.columns([1, 3])
    with c1, st.container(border=True):
        st.metric(t("meetings.mech.rate", loc), fmt_pct(rate, loc), help=t("meetings.mech.def", loc))
        # the eligible enterprises (一会一支) counted over the page's 党建基数
        st.caption(base_words.fraction(Rate(num, den), "unit.enterprises", ctx.scope.base, loc))
    c2.caption(f"{t('meetings.mech.def', loc)} {base_words.definition(ctx.scope.base, loc)}")
    if den == 0:
        st.info(t("meetings.mech.empty", loc))
        return
    left, right = st.columns([1, 1])
    with left:
        chart.show("meetings.mechanism_bar", mech, loc)
    with right:
        show(V.mechanism_table(mech, loc), header_cap=90, column_config={
            t("meetings.mech.rate", loc): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100)})
