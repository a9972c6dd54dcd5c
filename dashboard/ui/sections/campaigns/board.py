"""One campaign: the picker, its totals, the zones' table (pace, forecast) and the burn-up chart."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_date, t
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views import campaigns as V
from dashboard.views.overview import campaign_totals_text, margin_text


def pick(ctx: Context) -> int | None:
    """The campaign picked (newest first); None when there is none."""
    listed = data.campaigns_list(ctx.url)
    if listed.empty:
        st.info(t("camp.none", ctx.loc))
        return None
    labels = {int(r["id"]): V.campaign_label(r, ctx.loc) for _, r in listed.iterrows()}
    chosen = st.selectbox(t("camp.pick", ctx.loc), list(labels), format_func=labels.get, key="camp_pick")
    motto = listed.loc[listed["id"] == chosen, "motto"].iloc[0]
    if isinstance(motto, str) and motto:
        st.caption(escape_markdown(t("camp.motto", ctx.loc, motto=motto)))
    return int(chosen)


def render(ctx: Context, campaign_id: int) -> None:
    loc = ctx.loc
    totals = campaign_totals_text(data.campaign_totals(ctx.url, ctx.scope, ctx.as_of, campaign_id), loc)
    if totals is not None:
        st.markdown(escape_markdown(totals[0]), help=totals[1])
    progress = data.campaign_progress(ctx.url, ctx.scope, ctx.as_of, campaign_id)
    if progress.empty:
        st.info(t("camp.no_zone", loc))
        return
    st.markdown(f"**{t('camp.zones', loc, date=fmt_date(ctx.as_of, loc))}**", help=t("camp.zones.help", loc, margin=margin_text(data.pace_margin())))
    table = V.zones_table(progress, ctx.as_of, loc, data.pace_margin())
    st.dataframe(table.styled(), hide_index=True, width="stretch")
    if not progress["whole_zone_in_scope"].astype(bool).all():
        st.caption(t("camp.partial_note", loc))
    st.markdown(f"**{t('camp.burnup', loc)}**")
    daily = data.zone_burnup(ctx.url, ctx.scope, ctx.as_of, campaign_id)
    chart.show("campaigns.burnup", daily, V.targets(progress), loc, png="campaign_burnup", png_width=900)
