"""Draw the pure chart builders of ``dashboard.charts``, memoising their Vega-Lite specs.

Building and serialising an Altair chart costs tens of milliseconds (0.2 s for a 400-township
map), on every rerun; the spec depends only on the builder's inputs, so it is cached by them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts

TTL = 600


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)
def spec(builder: str, *args: Any, **kwargs: Any) -> dict:
    return getattr(charts, builder)(*args, **kwargs).to_dict()


def show(builder: str, *args: Any, key: str | None = None, on_select: str = "ignore", **kwargs: Any):
    """``st.vega_lite_chart`` of ``charts.<builder>(*args, **kwargs)``; returns the selection event."""
    return st.vega_lite_chart(spec(builder, *args, **kwargs), width="stretch", key=key, on_select=on_select)
