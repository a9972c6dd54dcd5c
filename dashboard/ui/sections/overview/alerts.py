"""Row 3, right: the alerts (红/黄/绿 with their words), each with its list a click away, and links
to the map and the ledger."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import by_township, coverage_kpis
from dashboard.ui.widgets import status_badge
from dashboard.ui.widgets import table as fitted
from dashboard.views.overview import Alert, alerts_rule, gap_alert, items_alert, leads_alert, notices_alert, owner_frame
from models.enums import Pattern


def show(alert: Alert, loc: str) -> None:
    with st.container(border=True):
        title, badge, count = st.columns([4, 2, 3], vertical_alignment="center")
        title.markdown(alert.title)
        with badge:
            status_badge(alert.status, loc)
        count.markdown(f"**{alert.count_text}**")
        if alert.table is not None and len(alert.table):
            with st.expander(t("alerts.list", loc)):
                fitted(alert.table)


def _read(ctx: Context) -> tuple[list[Alert], pd.DataFrame]:
    """(the four alerts in the page's order, the open items per owner unit)."""
    loc, url = ctx.loc, ctx.url
    lists = data.alert_lists(url, ctx.scope, ctx.as_of)
    counts = by_township(ctx)
    names = dict(zip(counts["township_id"], counts["name"], strict=True))
    items = data.action_item_counts(url, ctx.scope, ctx.as_of)
    return ([gap_alert(coverage_kpis(ctx).patterns[Pattern.SHOULD_BUILD], lists["should_build"], names, loc),
             items_alert(items, lists["overdue_items"], names, loc),
             leads_alert(lists["n_overdue_leads"], lists["overdue_leads"], names, loc),
             notices_alert(lists["n_overdue_notices"], lists["overdue_notices"], names, loc)],
            data.action_items_by_owner(url, ctx.scope, ctx.as_of))


def prefetch(ctx: Context) -> None:
    _read(ctx)


def render(ctx: Context) -> None:
    loc = ctx.loc
    (gaps, items, leads, notices), by_owner = _read(ctx)
    st.markdown(f"**{t('alerts.title', loc)}**", help=alerts_rule(loc))
    show(gaps, loc)
    st.page_link("app_pages/coverage_map.py", label=t("alerts.open_map", loc), icon=":material/map:",
                 query_params=ctx.links())
    st.page_link("app_pages/ledger.py", label=t("alerts.open_ledger", loc), icon=":material/table_view:",
                 query_params=ctx.links())
    show(items, loc)
    if len(by_owner):
        with st.expander(t("alerts.by_owner", loc)):
            fitted(owner_frame(by_owner, loc))
    show(leads, loc)
    show(notices, loc)
