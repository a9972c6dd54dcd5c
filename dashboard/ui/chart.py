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
from dashboard.i18n import fmt_date, t
from dashboard.ui.data import TTL  # the setting cache_ttl_seconds: specs live as long as the reads they draw


def _builder(name: str):
    """``"pattern_bar"`` → ``dashboard.charts.pattern_bar``; ``"cases.timeline"`` →
    ``dashboard.charts.cases.timeline`` (a page family's charts live in their own module)."""
    module, _, func = name.rpartition(".")
    where = importlib.import_module(f"dashboard.charts.{module}") if module else charts
    return getattr(where, func)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)
def _spec_and_digest(builder: str, *args: Any, **kwargs: Any) -> tuple[dict, str]:
    # not validated against the Vega-Lite schema here: that is three quarters of the time of a map's spec
    # (0.2 of 0.27 s at 400 townships), on every new township or date a viewer picks; the chart
    # builders' tests validate every chart they build (issue 19)
    built = _builder(builder)(*args, **kwargs).to_dict(validate=False)
    digest = hashlib.blake2b(json.dumps(built, sort_keys=True, default=str).encode(), digest_size=8).hexdigest()
    return built, digest


def spec(builder: str, *args: Any, **kwargs: Any) -> dict:
    return _spec_and_digest(builder, *args, **kwargs)[0]


#: the title under a chart's downloaded image, by builder: the words its page uses for the chart
PNG_TITLES = {
    "pattern_bar": "pattern.title",
    "foundings_chart": "trend.foundings",
    "rates_chart": "trend.rates",
    "cases.timeline": "cases.timeline",
    "meetings.board_bar": "meetings.board.title",
    "meetings.mechanism_bar": "meetings.mech.title",
    "meetings.timeline": "meetings.timeline",
    "campaigns.burnup": "camp.burnup",
    "campaigns.lead_funnel": "leads.funnel",
}


#: the charts of coverage figures (their caption names the 党建基数)
COVERAGE_BUILDERS = frozenset({"township_map", "pattern_bar", "rates_chart", "meetings.mechanism_bar"})


def png_caption(builder: str, kwargs: dict, filters: Any, title: str | None = None) -> tuple[str | None, str | None]:
    """(title, note) under the chart's image: the chart's name (``title``, else the map's metric
    or :data:`PNG_TITLES`), and 统计截至 <date> · 范围：<scope> from the page's filters (the chart's
    own ``as_of`` when it has one)."""
    loc = getattr(filters, "locale", "zh_CN")
    if title is None:
        if builder == "township_map" and kwargs.get("value_title"):
            title = t("chart.map_title", loc, value=kwargs["value_title"])
        elif builder in PNG_TITLES:
            title = t(PNG_TITLES[builder], loc)
    if filters is None:
        return title, None
    from dashboard.ui.brief import figures_label, scope_label

    as_of = kwargs.get("as_of") or filters.as_of
    # a chart of coverage figures names the 党建基数 they count over
    label = figures_label if builder in COVERAGE_BUILDERS else scope_label
    note = t("chart.caption", loc, asof=t("app.asof_badge", loc, date=fmt_date(as_of, loc)), scope=label(filters, loc))
    return title, note


def _png_callable(built: dict, width: int | None, caption: tuple[str | None, str | None] = (None, None)):
    def render() -> bytes:
        from dashboard.exports.png import chart_png

        return chart_png(built, width=width, title=caption[0], note=caption[1])

    return render


def png_button(built: dict, digest: str, *, name: str, width: int | None = None,
               caption: tuple[str | None, str | None] = (None, None)) -> None:
    """A download button for the chart as a 2× PNG with the CJK font (rendered only when clicked),
    ``caption`` (title, note) under the chart."""
    from dashboard.exports.fonts import FontMissing, cjk_font

    loc = getattr(st.session_state.get("filters"), "locale", "zh_CN")
    try:
        cjk_font()
    except FontMissing as exc:
        st.caption(str(exc))
        return
    st.download_button(t("chart.png", loc), _png_callable(built, width, caption), file_name=f"{name}.png",
                       mime="image/png", key=f"png_{name}_{digest}", type="tertiary", icon=":material/image:",
                       help=t("chart.png_help", loc), on_click="ignore")


def show(builder: str, *args: Any, key: str | None = None, on_select: str = "ignore", png: str | bool = True,
         png_width: int | None = None, png_title: str | None = None, theme: str | None = "streamlit",
         dark: bool = False, font_scale: float = 1.0, **kwargs: Any):
    """``st.vega_lite_chart`` of ``charts.<builder>(*args, **kwargs)``; returns the selection event.

    Every chart gets a PNG download under it (``png=False`` to leave it out, a string to name the
    file); ``png_width`` fixes the image width where the page stretches the chart. The image has
    the chart's title (``png_title``, else :func:`png_caption`'s), the as-of date and the scope under
    it. ``dark`` draws it for the big-screen theme (the PNG stays on white, for paper and slides).
    """
    built, digest = _spec_and_digest(builder, *args, **kwargs)
    shown = charts.for_screen(built, dark=dark, font_scale=font_scale) if dark or font_scale != 1.0 else built
    event = st.vega_lite_chart(shown, width="stretch", key=key, on_select=on_select, theme=None if dark else theme)
    if png:
        png_button(built, digest, name=png if isinstance(png, str) else builder.replace(".", "_"), width=png_width,
                   caption=png_caption(builder, kwargs, st.session_state.get("filters"), png_title))
    return event
