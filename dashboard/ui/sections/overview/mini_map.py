"""Row 2, right: union coverage by township on a small map."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import by_township
from dashboard.ui.widgets import escape_markdown
from dashboard.views.overview import map_note


def render(ctx: Context) -> None:
    st.markdown(f"**{t('map.title', ctx.loc)}**", help=t("kpi.union_coverage.def", ctx.loc))
    townships = data.townships(ctx.url)
    frame = township_map_frame(by_township(ctx), townships, "union_coverage")
    chart.show("township_map", frame[MAP_COLUMNS], ctx.loc, value_col="value",
               value_title=t("kpi.union_coverage", ctx.loc))
    st.caption(map_note(frame, townships, ctx.loc, escape=escape_markdown))
