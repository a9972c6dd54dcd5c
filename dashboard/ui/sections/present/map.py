"""Slide 2: union coverage on the map of every township the user may see (the filtered ones
outlined) and the ranking of the filtered townships."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.ui import chart, data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import dark, empty_scope, heading
from dashboard.views.present import map_ranking


def render(ctx: Context) -> None:
    loc = ctx.loc
    heading(ctx, t("present.slide.map", loc))
    whole = data.coverage_by_township(ctx.url, ctx.user.scope, ctx.as_of)  # context: all the user may see
    chosen = data.coverage_by_township(ctx.url, ctx.scope, ctx.as_of)
    if chosen.empty or int(chosen["operating"].sum()) == 0:
        return empty_scope(ctx)
    townships = data.townships(ctx.url)
    left, right = st.columns([3, 2])
    with left:
        chart.show("township_map", township_map_frame(whole, townships, "union_coverage")[MAP_COLUMNS], loc,
                   value_col="value", value_title=t("kpi.union_coverage", loc), height=700, label_size=20,
                   selected=ctx.township_codes, dark=dark(), font_scale=1.6, png="map_union_coverage")
    with right:
        headers, rows = map_ranking(chosen, loc)
        P.html_block(P.table(headers, rows, numeric={1, 2})
                     + f'<div class="dg-def">{P.esc(t("kpi.union_coverage.def", loc))}</div>')
