"""The running campaign (百日攻坚): one card per zone with its deadline, status and progress bars."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown, word_badge_markdown
from dashboard.views.overview import campaign_totals_text, campaign_view


def _read(ctx: Context) -> tuple:
    """(the campaign's view, its totals' text); (None, None) without a running campaign."""
    campaign = campaign_view(data.campaign_progress(ctx.url, ctx.scope, ctx.as_of), ctx.loc, data.pace_margin())
    if campaign is None:
        return None, None
    return campaign, campaign_totals_text(data.campaign_totals(ctx.url, ctx.scope, ctx.as_of), ctx.loc)


def prefetch(ctx: Context) -> None:
    _read(ctx)


def render(ctx: Context) -> None:
    campaign, totals = _read(ctx)
    if campaign is None:
        return
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(campaign.title)}**", help=campaign.definition)
        if totals is not None:
            st.markdown(escape_markdown(totals[0]), help=totals[1])
        for col, zone in zip(st.columns(max(len(campaign.zones), 2)), campaign.zones, strict=False):
            with col:
                badge = f" {word_badge_markdown(zone.status_text, zone.status)}" if zone.status else ""
                st.markdown(f"**{escape_markdown(zone.zone)}** · {escape_markdown(zone.when)}{badge}")
                for bar in zone.bars:
                    st.progress(bar.fill, text=bar.text)
                if zone.progress:
                    st.caption(zone.progress)
                if zone.partial:
                    st.markdown(escape_markdown(zone.partial))
                    st.caption(zone.partial_note)
                st.caption(escape_markdown(zone.owner))  # names from the database
