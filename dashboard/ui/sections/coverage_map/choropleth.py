"""The map of every township the user may see, coloured by one metric, with a tile per township.

The map shows the user's whole scope; the township filter only outlines the selection. A click on
a township sets the global township filter (and the URL); a click on another replaces it.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.i18n import t
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.ui import chart, data, state
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.ui.widgets import table as fitted
from dashboard.views.coverage_map import (
    METRICS,
    boundary_missing,
    is_schematic,
    map_caption,
    metric_name,
    metric_view,
    tiles_frame,
)

LAST_PICK = "_map_last_pick"


def render(ctx: Context) -> None:
    loc, url = ctx.loc, ctx.url
    metric = st.segmented_control(t("map.metric", loc), METRICS, default="union_coverage", required=True,
                                  format_func=lambda m: metric_name(m, loc), key="map_metric")
    view = metric_view(metric, loc)
    townships = data.townships(url)
    values = township_map_frame(data.coverage_by_township(url, ctx.whole, ctx.as_of), townships, metric)

    left, right = st.columns([2, 1])
    with left:
        event = chart.show("township_map", values[MAP_COLUMNS], loc, value_col="value", value_title=view.title,
                           fmt=view.fmt, height=460, selected=ctx.township_codes, selectable=True, scheme=view.scheme,
                           key="map_select", on_select="rerun")
        st.caption(map_caption(metric, loc, schematic=is_schematic(townships), base=ctx.scope.base))
    with right:
        st.markdown(f"**{t('map.tiles', loc)}**", help=t("map.tiles_help", loc))
        tiles = tiles_frame(values, metric, loc)
        missing = boundary_missing(values)
        # the boundary column only when a township has none (it says nothing else; the warning names them)
        fitted(tiles, height=min(36 * (len(tiles) + 1) + 2, 460),
               column_order=list(tiles.columns if missing else tiles.columns[:-1]))
        if missing:
            st.warning(t("map.no_geometry", loc, names="、".join(escape_markdown(n) for n in missing)))
    _follow_click(ctx, event)


def _follow_click(ctx: Context, event) -> None:
    selection = (event or {}).get("selection", {}) or {}
    picked = [p.get("code") for p in (selection.get(charts.MAP_SELECTION) or []) if isinstance(p, dict) and p.get("code")]
    if tuple(picked) != st.session_state.get(LAST_PICK, ()):
        st.session_state[LAST_PICK] = tuple(picked)
        if picked and tuple(picked) != ctx.township_codes:
            state.request_townships(picked)
