"""Slide 2: union coverage on the map of every township the user may see (the filtered ones
outlined) and the ranking of the filtered townships."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.i18n import t
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.ui import chart, data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import column_spec, column_width, columns, dark, empty_scope, heading
from dashboard.views.present import map_ranking

#: the map's height on the stage (stage px): the slide's body below the heading
CHART_HEIGHT = 860
#: the map is wide: it gets the wider column on one screen
SPLIT = (2, 1)


def render(ctx: Context) -> None:
    loc = ctx.loc
    heading(ctx, t("present.slide.map", loc))
    whole = data.coverage_by_township(ctx.url, ctx.whole, ctx.as_of)  # context: all the user may see
    chosen = data.coverage_by_township(ctx.url, ctx.scope, ctx.as_of)
    if chosen.empty or int(chosen["operating"].sum()) == 0:
        return empty_scope(ctx)
    townships = data.townships(ctx.url)
    left, right = columns(SPLIT)
    with left:
        # sized in stage pixels, not "stretch": Streamlit would measure the column on the scaled
        # screen (twice too wide at 3840×2160); no image button (a control, with a tooltip, over
        # the slide: the map page has it)
        built = chart.spec("township_map", township_map_frame(whole, townships, "union_coverage")[MAP_COLUMNS], loc,
                           value_col="value", value_title=t("kpi.union_coverage", loc), height=CHART_HEIGHT,
                           label_size=20, selected=ctx.township_codes)
        width = column_width(column_spec(SPLIT)) - 8
        shown = {**charts.for_screen(built, dark=dark(), font_scale=1.6), "width": width}
        st.vega_lite_chart(shown, width="content", theme=None if dark() else "streamlit")
    with right:
        headers, rows = map_ranking(chosen, loc)
        P.html_block(f'<div class="dg-fill"><div class="dg-grow">{P.table(headers, rows, numeric={1, 2}, fill=True)}</div>'
                     f'<div class="dg-def">{P.esc(t("kpi.union_coverage.def", loc))}</div></div>')
