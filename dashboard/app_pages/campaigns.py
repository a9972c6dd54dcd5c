"""攻坚 / campaigns: a campaign's zones with their pace and forecast, its totals, the burn-up chart;
and the founding-lead pipeline (建会线索) of the six measures — one view at a time (``?view=leads``),
chosen with a control that keeps its choice across the runs a save causes."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.campaigns import board, leads, manage, view

ctx = context()
st.subheader(t("camp.title", ctx.loc))
show_flash()
if view.pick(ctx) == "zones":
    campaign_id = board.pick(ctx)
    manage.render(ctx, campaign_id)  # staff and administrators: create and change campaigns and zones
    if campaign_id is not None:
        board.render(ctx, campaign_id)
else:
    leads.render(ctx)
