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


def _read(ctx: Context) -> tuple:
    """(now, a year earlier, overdue items now, a year earlier); the items None for a scope without an
    operating enterprise (the page stops: they are not read)."""
    now, prev = coverage_kpis(ctx), coverage_kpis(ctx, year_ago=True)
    if now.operating == 0:
        return now, prev, None, None
    return (now, prev, data.action_item_counts(ctx.url, ctx.scope, ctx.as_of),
            data.action_item_counts(ctx.url, ctx.scope, year_before(ctx.as_of)))


def prefetch(ctx: Context) -> bool:
    """The reads of :func:`render`; False: the page stops here (no operating enterprise in scope)."""
    return _read(ctx)[2] is not None


def render(ctx: Context) -> None:
    now, prev, items, items_prev = _read(ctx)
    if items is None:
        st.info(t("empty.township", ctx.loc) if ctx.township_codes else t("empty.scope", ctx.loc))
        st.stop()
    since = year_before(ctx.as_of)
    cards = [*kpi_cards(now, prev, ctx.loc, since), overdue_card(items, ctx.loc, items_prev, since)]
    for col, card in zip(kpi_row("overview", len(cards)), cards, strict=True):
        with col:
            kpi_card(card.label, card.value, card.detail, delta=card.delta_text, help=card.full_definition,
                     delta_color="off" if card.delta_good is None else "normal" if card.higher_is_better else "inverse")
