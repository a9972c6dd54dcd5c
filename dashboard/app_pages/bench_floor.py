"""Bench-only pages (``python -m bench.browser``): what Streamlit itself costs in this app.

Mounted by ``dashboard/app.py`` only when ``DANGONG_BENCH_FLOOR=1`` is set in the server's
environment, hidden from the navigation, behind the same sign-in and the same sidebar as every
page. Nothing here reads the database:

* :func:`empty` — a page with one caption: a page switch's floor (the app's header, filters and
  sidebar run as on any page);
* :func:`charts` — the overview's shape without its queries: six KPI cards and four small
  Vega-Lite charts (two beside each other, two in tabs), so that a page's time can be read as a
  ratio to it.
"""

from __future__ import annotations

from functools import lru_cache

import streamlit as st

#: the overview's elements: KPI cards and Vega-Lite charts
CARDS, CHARTS = 6, 4


def empty() -> None:
    st.caption("bench floor: empty page")


@lru_cache(maxsize=1)
def _specs() -> tuple[dict, ...]:
    """Four Vega-Lite specs with a few dozen inline rows each (built once per server)."""
    bars = [{"pattern": p, "n": n} for p, n in zip("ABCDE", (120, 80, 45, 30, 12), strict=True)]
    series = [{"month": f"{2024 + i // 12}-{i % 12 + 1:02d}-01", "rate": 0.5 + i / 100} for i in range(36)]
    places = [{"x": i % 6, "y": i // 6, "v": (i * 37) % 100} for i in range(30)]

    def spec(values: list[dict], mark, encoding: dict) -> dict:
        return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "data": {"values": values},
                "mark": mark, "encoding": encoding, "height": 220}

    return (
        spec(bars, "bar", {"x": {"field": "n", "type": "quantitative"},
                           "y": {"field": "pattern", "type": "nominal", "sort": "-x"}}),
        spec(places, "rect", {"x": {"field": "x", "type": "ordinal"}, "y": {"field": "y", "type": "ordinal"},
                              "color": {"field": "v", "type": "quantitative"}}),
        spec(series, "bar", {"x": {"field": "month", "type": "temporal"}, "y": {"field": "rate", "type": "quantitative"}}),
        spec(series, {"type": "line", "point": True}, {"x": {"field": "month", "type": "temporal"},
                                                       "y": {"field": "rate", "type": "quantitative"}}),
    )


def charts() -> None:
    bar, grid, columns, line = _specs()
    for col, k in zip(st.columns(CARDS), range(CARDS), strict=True):
        with col:
            st.metric(f"card {k + 1}", f"{(k + 1) * 1234:,}", delta=f"+{k}.0%", border=True)
    left, right = st.columns([3, 2])
    with left:
        st.vega_lite_chart(bar, width="stretch")
    with right:
        st.vega_lite_chart(grid, width="stretch")
    first, second = st.tabs(["columns", "line"])
    with first:
        st.vega_lite_chart(columns, width="stretch")
    with second:
        st.vega_lite_chart(line, width="stretch")
    st.caption("bench floor: charts page")


def pages() -> list:
    """The two hidden pages (``/bench-empty``, ``/bench-charts``) for ``app.py`` to mount."""
    return [st.Page(empty, title="bench: empty", url_path="bench-empty", visibility="hidden"),
            st.Page(charts, title="bench: charts", url_path="bench-charts", visibility="hidden")]
