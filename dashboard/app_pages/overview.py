"""总览 / overview: the truth about coverage in ten seconds (DESIGN.md §9).

A composition of sections (``ui/sections/overview/``); what they show comes from
``dashboard.views.overview``.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.sections import context
from dashboard.ui.sections.overview import alerts, campaign, kpis, mini_map, patterns, ranking, trends

ctx = context()

# row 1: KPI cards (an empty scope stops here with a sentence)
kpis.render(ctx)

# row 2: patterns | mini map
left, right = st.columns([3, 2])
with left:
    patterns.render(ctx)
with right:
    mini_map.render(ctx)

# the running campaign
campaign.render(ctx)

# row 3: trends | alerts
left, right = st.columns([3, 2])
with left:
    trends.render(ctx)
with right:
    alerts.render(ctx)

# row 4: township ranking
ranking.render(ctx)
st.caption(t("footer.definitions", ctx.loc))
