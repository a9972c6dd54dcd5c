"""The admin page's 大屏链接 tab: make a kiosk link for the meeting-room screen (shown once), the list
of links with their state, revoke one (#17 item 2; ``dashboard.edits.kiosk``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.edits import kiosk as edits
from dashboard.i18n import t
from dashboard.queries import kiosk as queries
from dashboard.ui import data
from dashboard.ui.edit import run_edit
from dashboard.ui.sections import Context
from dashboard.views.kiosk import links_table, state

MADE_KEY = "_kiosk_made"


def _base_url() -> str:
    """The address the screen opens: this server's, as the admin's browser reached it."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no request
        url = ""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://localhost:8501"


def show_made_once(ctx: Context) -> None:
    """The link just made — above the tabs (a save reruns the page onto the first tab), this run only:
    its token is not kept anywhere but in the link."""
    made = st.session_state.pop(MADE_KEY, None)
    if not made:
        return
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    link = f"{_base_url()}/{base + '/' if base else ''}present?kiosk={made}"
    with st.container(border=True, key="kiosk_made_box"):
        st.markdown(t("kiosk.made", ctx.loc))
        st.code(link, language=None)
        st.warning(t("kiosk.once", ctx.loc), icon=":material/visibility_off:")


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.caption(t("kiosk.intro", loc))
    towns = data.townships(ctx.url)
    names = {str(r.code): f"{r.name}（{r.code}）" for r in towns.itertuples(index=False)}
    with st.form("kiosk_new", clear_on_submit=True):
        label = st.text_input(t("kiosk.label", loc), key="kiosk_label", max_chars=edits.MAX_LABEL)
        left, right = st.columns([3, 1])
        townships = left.multiselect(t("kiosk.townships", loc), list(names), format_func=names.get, key="kiosk_towns")
        days = right.number_input(t("kiosk.days", loc), min_value=1, max_value=edits.MAX_DAYS, value=30, step=1,
                                  key="kiosk_days")
        if st.form_submit_button(t("kiosk.create", loc), icon=":material/add_link:"):
            held: dict = {}

            def make(**kw):
                held["made"] = edits.create_link(**kw)
                return held["made"]

            run_edit(make, loc=loc, field_prefix="kiosk", label=label, townships=townships, days=days,
                     then=lambda: st.session_state.__setitem__(MADE_KEY, held["made"].token))
    with data.session(ctx.url) as s:
        links = queries.links(s)
    if links.empty:
        st.caption(t("kiosk.none", loc))
        return
    now = dt.datetime.now(dt.UTC)
    st.dataframe(links_table(links, loc, now).styled(), hide_index=True, width="stretch")
    active = {int(r["id"]): (r["label"], int(r["version"])) for _, r in links.iterrows() if state(r, now) == "active"}
    if active:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        pick = left.selectbox(t("kiosk.revoke_pick", loc), list(active), format_func=lambda i: active[i][0],
                              key="kiosk_revoke_pick")
        if right.button(t("kiosk.revoke", loc), icon=":material/link_off:", key="kiosk_revoke", width="stretch"):
            run_edit(edits.revoke_link, loc=loc, field_prefix="kiosk", link_id=pick, version=active[pick][1],
                     saved=t("kiosk.revoked_done", loc, label=active[pick][0]))
