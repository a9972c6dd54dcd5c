"""Row 3, left: new unions and members per quarter; coverage over time."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.overview import Chart

FIRST_YEAR = 1998  # the demo district's records start here
YEARS = 10  # the foundings chart shows the last ten years at most


def _read(ctx: Context) -> tuple[Chart, Chart]:
    """(foundings per quarter, coverage over time): both are drawn, one in a closed tab."""
    start = dt.date(max(FIRST_YEAR, ctx.as_of.year - (YEARS - 1)), 1, 1)
    return (Chart("foundings_chart", (data.foundings_per_quarter(ctx.url, ctx.scope, start, ctx.as_of), ctx.loc)),
            Chart("rates_chart", (data.coverage_series(ctx.url, ctx.scope, ctx.as_of), ctx.loc)))


def prefetch(ctx: Context) -> None:
    for trend in _read(ctx):
        trend.build()


def render(ctx: Context) -> None:
    foundings_chart, rates_chart = _read(ctx)
    st.markdown(f"**{t('trend.title', ctx.loc)}**")
    foundings, rates = st.tabs([t("trend.foundings", ctx.loc), t("trend.rates", ctx.loc)])
    with foundings:
        foundings_chart.show()
    with rates:
        rates_chart.show()
