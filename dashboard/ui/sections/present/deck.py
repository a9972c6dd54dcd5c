"""The deck: which slide, theme, interval and wall (from the URL, untrusted, and back into it),
the stage (a 1920×1080 box the browser scales to the window: ``ui.present.css``), the controls
bar at its foot that hides while the mouse rests (``ui.present.stage_script``), and the slide body
as an ``st.fragment(run_every=…)`` so auto-advance reruns only the slide, never the page. The
slide picker lives in the fragment (so it follows an auto-advance), in a second bar beside the
controls (``slide_bar``), where a slide can put its own picker too.

A timed run of the fragment does not pass through ``app.py``'s login gate, so the fragment checks
the user itself (``auth.recheck``): a disabled account, an idle timeout or a changed role or
scope reruns the whole app — the login page with its reason, or the slides for the new scope.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.dates import DISTRICT_TZ
from dashboard.ui import auth, brief, data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import SLIDE_KEY, WALL_KEY, dark, set_slide_bar
from dashboard.views.stage import parse_wall


def _url_key() -> tuple[str | None, str | None, str | None]:
    """The deck's URL parameters as they are now: ``slide``, ``theme``, ``auto``."""
    return st.query_params.get("slide"), st.query_params.get("theme"), st.query_params.get("auto")


def sync_from_url() -> None:
    """A new deep link (or the first visit) sets the slide, theme and interval."""
    key = _url_key()
    # (or the controls' own state is gone: a run that ended before drawing them, e.g. a database outage)
    if st.session_state.get("_deck_url") != key or not {"deck_dark", "deck_auto"} <= st.session_state.keys():
        requested = P.parse_url(dict(zip(("slide", "theme", "auto"), key, strict=True)))
        st.session_state["_deck_url"] = key
        st.session_state[SLIDE_KEY] = requested.slide
        st.session_state["deck_dark"] = requested.dark
        st.session_state["deck_auto"] = requested.auto
        st.session_state["_deck_changed"] = time.monotonic()
    # ?wall= (untrusted; validated): read on every run of the page, kept in the URL as given
    st.session_state[WALL_KEY] = parse_wall(st.query_params.get("wall"))


def go(step: int) -> None:
    st.session_state[SLIDE_KEY] = (st.session_state[SLIDE_KEY] + step) % len(P.SLIDES)
    st.session_state["_deck_changed"] = time.monotonic()


def write_url() -> None:
    """The slide, theme and interval back into the URL (a reload or a shared link shows the same)."""
    wanted = {"slide": P.SLIDES[st.session_state[SLIDE_KEY]],
              "theme": "dark" if st.session_state["deck_dark"] else None,
              "auto": str(st.session_state["deck_auto"]) if st.session_state["deck_auto"] else None}
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state["_deck_url"] = _url_key()


def picked() -> None:
    st.session_state[SLIDE_KEY] = int(st.session_state["deck_pick"])
    st.session_state["_deck_changed"] = time.monotonic()


def controls(ctx: Context) -> None:
    """The bar at the stage's foot: previous, next (also ← →), auto-advance, dark theme, the brief,
    exit, and the keys' hint as a caption (no tooltip: it would stay over the slide after a click).
    It fades after a few seconds without a mouse movement (``ui.present.stage_script``)."""
    loc = ctx.loc
    with st.container(key="deck_controls"):
        c = st.columns([1.3, 1.3, 1.45, 1.7, 1.7, 2.0, 1.55], vertical_alignment="center", gap="small")
        c[0].button(t("present.prev", loc), icon=":material/chevron_left:", on_click=go, args=(-1,), shortcut="Left",
                    key="deck_prev", width="stretch")
        c[1].button(t("present.next", loc), icon=":material/chevron_right:", on_click=go, args=(1,), shortcut="Right",
                    key="deck_next", width="stretch")
        c[2].selectbox(t("present.auto", loc), P.AUTO_CHOICES, key="deck_auto", label_visibility="collapsed",
                       format_func=lambda s: t("present.auto_off", loc) if s == 0 else t("present.auto_every", loc, n=s))
        c[3].toggle(t("present.dark", loc), key="deck_dark")
        with c[4].popover(t("brief.download", loc), icon=":material/description:", width="stretch"):
            brief.downloads(scope=ctx.scope, as_of=ctx.as_of, locale=loc, scope_label=brief.figures_label(ctx.filters, loc),
                            key="deck_brief")
        if not getattr(ctx.user, "kiosk", False):  # a kiosk link's screen has no other page to go to
            c[5].page_link("app_pages/overview.py", label=t("present.exit", loc), icon=":material/close_fullscreen:",
                           query_params=ctx.links())
        c[6].caption(t("present.keys", loc))


def slide_controls(ctx: Context) -> None:
    """The second bar (in the fragment): the slide picker, then whatever the slide adds."""
    loc = ctx.loc
    bar = st.container(key="deck_slide_controls")
    set_slide_bar(bar)
    st.session_state["deck_pick"] = st.session_state[SLIDE_KEY]  # follows prev/next and auto-advance
    titles = [t(f"present.slide.{name}", loc) for name in P.SLIDES]
    bar.selectbox(t("present.pick", loc), range(len(P.SLIDES)), key="deck_pick", on_change=picked,
                  label_visibility="collapsed", format_func=lambda i: f"{i + 1}. {titles[i]}")


def still_signed_in(ctx: Context) -> bool:
    """The user the slides were drawn for may still see them: signed in, not idle past the timeout
    (the slides changing by themselves are not activity), same role and scope."""
    return auth.recheck(data.engine(), ctx.loc) == ctx.user


def stage(ctx: Context, slides: dict[str, Callable[[Context], None]]) -> None:
    """The whole big screen: the stage's style and script, the controls bar, the slide."""
    wall = st.session_state[WALL_KEY].wall
    P.html_block(P.css(dark(), wall))
    with st.container(key="dg_stage"):
        offset = DISTRICT_TZ.utcoffset(dt.datetime.now()) or dt.timedelta(0)
        P.script_block(P.stage_script(int(offset.total_seconds() // 60)))
        controls(ctx)
        show(ctx, slides)


def show(ctx: Context, slides: dict[str, Callable[[Context], None]]) -> None:
    """The current slide in a fragment that advances every ``deck_auto`` seconds (0: by hand)."""
    auto = int(st.session_state["deck_auto"])

    @st.fragment(run_every=auto or None)
    @data.guarded  # a database outage inside the fragment: the sentence, not Streamlit's generic error
    def deck() -> None:
        if not still_signed_in(ctx):
            st.rerun()  # the whole app: the login page says why, or the pages of the new role and scope
        if auto and time.monotonic() - st.session_state["_deck_changed"] >= auto - 0.5:
            go(1)
        write_url()
        slide_controls(ctx)
        with st.container(key="slide"):
            slides[P.SLIDES[st.session_state[SLIDE_KEY]]](ctx)

    deck()
