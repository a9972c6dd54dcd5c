"""Row 2, right: union coverage by township on a small map: every township the user may see (a
township account: its own), the township filter's ones outlined and the others dimmed — as on
/map and the big screen (issue 17: a filter left a lone blob)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.queries.coverage import MAP_COLUMNS, township_map_frame
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import Chart
from dashboard.ui.widgets import escape_markdown
from dashboard.views.overview import map_note


def _read(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame, Chart]:
    """(the townships, the map's frame, the map)."""
    townships = data.townships(ctx.url)
    whole = data.coverage_by_township(ctx.url, ctx.whole, ctx.as_of)  # the user's scope, not the filter's
    frame = township_map_frame(whole, townships, "union_coverage")
    return townships, frame, Chart("township_map", (frame[MAP_COLUMNS], ctx.loc),
                                   {"value_col": "value", "value_title": t("kpi.union_coverage", ctx.loc),
                                    "selected": ctx.township_codes})


def prefetch(ctx: Context) -> None:
    _read(ctx)[2].build()


def render(ctx: Context) -> None:
    townships, frame, township_map = _read(ctx)
    st.markdown(f"**{t('map.title', ctx.loc)}**", help=t("kpi.union_coverage.def", ctx.loc))
    township_map.show()
    st.caption(map_note(frame, townships, ctx.loc, escape=escape_markdown))
