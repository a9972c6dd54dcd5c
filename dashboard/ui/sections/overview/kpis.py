"""Row 1: the five coverage KPI cards and the overdue items, each with its change on a year
earlier; an empty scope stops the page with a sentence for a leader."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.dates import year_before
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import coverage_kpis
from dashboard.ui.widgets import kpi_card, kpi_row
from dashboard.views.overview import kpi_cards, overdue_card


def render(ctx: Context) -> None:
    now, prev = coverage_kpis(ctx), coverage_kpis(ctx, year_ago=True)
    if now.operating == 0:
        st.info(t("empty.township", ctx.loc) if ctx.township_codes else t("empty.scope", ctx.loc))
        st.stop()
    items = data.action_item_counts(ctx.url, ctx.scope, ctx.as_of)
    items_prev = data.action_item_counts(ctx.url, ctx.scope, year_before(ctx.as_of))
    since = year_before(ctx.as_of)
    cards = [*kpi_cards(now, prev, ctx.loc, since), overdue_card(items, ctx.loc, items_prev, since)]
    for col, card in zip(kpi_row("overview", len(cards)), cards, strict=True):
        with col:
            kpi_card(card.label, card.value, card.detail, delta=card.delta_text, help=card.full_definition,
                     delta_color="off" if card.delta_good is None else "normal" if card.higher_is_better else "inverse")
