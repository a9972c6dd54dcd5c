"""Row 2, right: union coverage by township on a small map: every township the user may see (a
township account: its own), the township filter's ones outlined and the others dimmed — as on
/map and the big screen (issue 17: a filter left a lone blob)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views.overview import map_note


def render(ctx: Context) -> None:
    st.markdown(f"**{t('map.title', ctx.loc)}**", help=t("kpi.union_coverage.def", ctx.loc))
    townships = data.townships(ctx.url)
    whole = data.coverage_by_township(ctx.url, ctx.whole, ctx.as_of)  # the user's scope, not the filter's
    frame = township_map_frame(whole, townships, "union_coverage")
    chart.show("township_map", frame[MAP_COLUMNS], ctx.loc, value_col="value",
               value_title=t("kpi.union_coverage", ctx.loc), selected=ctx.township_codes)
    st.caption(map_note(frame, townships, ctx.loc, escape=escape_markdown))
