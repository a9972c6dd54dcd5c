"""覆盖地图 / coverage map: township choropleth, tiles, and the drill-down to gap enterprises.

Words, formats, colour schemes and tables come from ``views.coverage_map``.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.sections import context
from dashboard.ui.sections.coverage_map import choropleth, drill_down, statistics

ctx = context()
st.subheader(t("map.page_title", ctx.loc))
choropleth.render(ctx)
drill_down.render(ctx)
statistics.render(ctx)
