"""The campaigns page's chart: new grassroots unions per zone, accumulated day by day, against each
zone's target (a dashed line to its deadline). No Streamlit."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import GREY, UNION_BLUE, _configure
from dashboard.i18n import t


def burnup(daily: pd.DataFrame, targets: pd.DataFrame, locale: str) -> alt.Chart:
    """``daily``: ``queries.campaigns.zone_burnup``; ``targets``: ``views.campaigns.targets``."""
    zone = alt.Color("zone:N", title=t("camp.col.zone", locale))
    x = alt.X("day:T", title=t("camp.chart.day", locale), axis=alt.Axis(format="%m-%d"))
    lines = alt.Chart(daily).mark_line(interpolate="step-after", point=True).encode(
        x=x, y=alt.Y("new_unions:Q", title=t("camp.chart.unions", locale)), color=zone,
        tooltip=[alt.Tooltip("zone:N", title=t("camp.col.zone", locale)),
                 alt.Tooltip("day:T", title=t("camp.chart.day", locale), format="%Y-%m-%d"),
                 alt.Tooltip("new_unions:Q", title=t("camp.chart.unions", locale), format=","),
                 alt.Tooltip("new_members:Q", title=t("camp.chart.members", locale), format=",")])
    goals = alt.Chart(targets).mark_rule(strokeDash=[6, 4]).encode(
        y="target_unions:Q", color=zone,
        tooltip=[alt.Tooltip("zone:N", title=t("camp.col.zone", locale)),
                 alt.Tooltip("target_unions:Q", title=t("camp.chart.target", locale), format=",")])
    return _configure(alt.layer(lines, goals).properties(height=320))


def lead_funnel(frame: pd.DataFrame, locale: str) -> alt.Chart:
    """``frame``: ``views.leads.funnel_frame`` — one horizontal bar per stage (leads that reached it),
    in pipeline order, the count at the bar's end; 放弃 in grey below the steps."""
    order = list(frame["stage"])
    reached, now = t("leads.funnel.reached", locale), t("leads.funnel.now", locale)
    base = alt.Chart(frame).encode(
        y=alt.Y("stage:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("reached:Q", title=reached),
        tooltip=[alt.Tooltip("stage:N", title=t("leads.col.stage", locale)),
                 alt.Tooltip("reached:Q", title=reached, format=","),
                 alt.Tooltip("now:Q", title=now, format=",")],
    )
    bars = base.mark_bar().encode(
        color=alt.condition(alt.datum.dropped, alt.value(GREY), alt.value(UNION_BLUE)))
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(text=alt.Text("reached:Q", format=","))
    return _configure(alt.layer(bars, labels).properties(height=34 * max(len(frame), 1)))
