"""Draw the pure chart builders of ``dashboard.charts``, memoising their Vega-Lite specs.

Building and serialising an Altair chart costs tens of milliseconds (0.2 s for a 400-township
map), on every rerun; the spec depends only on the builder's inputs, so it is cached by them.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from typing import Any

import streamlit as st

from dashboard import charts
from dashboard.i18n import t

TTL = 600


def _builder(name: str):
    """``"pattern_bar"`` → ``dashboard.charts.pattern_bar``; ``"cases.timeline"`` →
    ``dashboard.charts.cases.timeline`` (a page family's charts live in their own module)."""
    module, _, func = name.rpartition(".")
    where = importlib.import_module(f"dashboard.charts.{module}") if module else charts
    return getattr(where, func)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)
def _spec_and_digest(builder: str, *args: Any, **kwargs: Any) -> tuple[dict, str]:
    built = _builder(builder)(*args, **kwargs).to_dict()
    digest = hashlib.blake2b(json.dumps(built, sort_keys=True, default=str).encode(), digest_size=8).hexdigest()
    return built, digest


def spec(builder: str, *args: Any, **kwargs: Any) -> dict:
    return _spec_and_digest(builder, *args, **kwargs)[0]


def _png_callable(built: dict, width: int | None):
    def render() -> bytes:
        from dashboard.exports.png import chart_png

        return chart_png(built, width=width)

    return render


def png_button(built: dict, digest: str, *, name: str, width: int | None = None) -> None:
    """A download button for the chart as a 2× PNG with the CJK font (rendered only when clicked)."""
    from dashboard.exports.fonts import FontMissing, cjk_font

    loc = getattr(st.session_state.get("filters"), "locale", "zh_CN")
    try:
        cjk_font()
    except FontMissing as exc:
        st.caption(str(exc))
        return
    st.download_button(t("chart.png", loc), _png_callable(built, width), file_name=f"{name}.png", mime="image/png",
                       key=f"png_{name}_{digest}", type="tertiary", icon=":material/image:",
                       help=t("chart.png_help", loc), on_click="ignore")


def show(builder: str, *args: Any, key: str | None = None, on_select: str = "ignore", png: str | bool = True,
         png_width: int | None = None, theme: str | None = "streamlit", dark: bool = False, font_scale: float = 1.0,
         **kwargs: Any):
    """``st.vega_lite_chart`` of ``charts.<builder>(*args, **kwargs)``; returns the selection event.

    Every chart gets a PNG download under it (``png=False`` to leave it out, a string to name the
    file); ``png_width`` fixes the image width where the page stretches the chart. ``dark`` draws it
    for the big-screen theme (the PNG stays on white, for paper and slides).
    """
    built, digest = _spec_and_digest(builder, *args, **kwargs)
    shown = charts.for_screen(built, dark=dark, font_scale=font_scale) if dark or font_scale != 1.0 else built
    event = st.vega_lite_chart(shown, width="stretch", key=key, on_select=on_select, theme=None if dark else theme)
    if png:
        png_button(built, digest, name=png if isinstance(png, str) else builder.replace(".", "_"), width=png_width)
    return event
