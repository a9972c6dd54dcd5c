"""The deck: which slide, theme and interval (from the URL, untrusted, and back into it), the
controls row, and the slide body as an ``st.fragment(run_every=…)`` so auto-advance reruns only
the slide, never the page.

A timed run of the fragment does not pass through ``app.py``'s login gate, so the fragment checks
the user itself (``auth.recheck``): a disabled account, an idle timeout or a changed role or
scope reruns the whole app — the login page with its reason, or the slides for the new scope.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import auth, brief, data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import SLIDE_KEY


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


def controls(ctx: Context) -> None:
    """One slim row: previous, next (also ← →), auto-advance, dark theme, the brief, exit."""
    loc = ctx.loc
    with st.container(key="deck_controls"):
        c = st.columns([1.4, 1.4, 2, 2, 5, 1.6], vertical_alignment="center")
        c[0].button(t("present.prev", loc), icon=":material/chevron_left:", on_click=go, args=(-1,), shortcut="Left",
                    key="deck_prev", help=t("present.keys", loc), width="stretch")
        c[1].button(t("present.next", loc), icon=":material/chevron_right:", on_click=go, args=(1,), shortcut="Right",
                    key="deck_next", help=t("present.keys", loc), width="stretch")
        c[2].selectbox(t("present.auto", loc), P.AUTO_CHOICES, key="deck_auto", label_visibility="collapsed",
                       format_func=lambda s: t("present.auto_off", loc) if s == 0 else t("present.auto_every", loc, n=s))
        c[3].toggle(t("present.dark", loc), key="deck_dark")
        with c[4].popover(t("brief.download", loc), icon=":material/description:"):
            brief.downloads(scope=ctx.scope, as_of=ctx.as_of, locale=loc, scope_label=brief.scope_label(ctx.filters, loc),
                            key="deck_brief")
        if not getattr(ctx.user, "kiosk", False):  # a kiosk link's screen has no other page to go to
            c[5].page_link("app_pages/overview.py", label=t("present.exit", loc), icon=":material/close_fullscreen:",
                           query_params=ctx.links())


def still_signed_in(ctx: Context) -> bool:
    """The user the slides were drawn for may still see them: signed in, not idle past the timeout
    (the slides changing by themselves are not activity), same role and scope."""
    return auth.recheck(data.engine(), ctx.loc) == ctx.user


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
        with st.container(key="slide"):
            slides[P.SLIDES[st.session_state[SLIDE_KEY]]](ctx)

    deck()
