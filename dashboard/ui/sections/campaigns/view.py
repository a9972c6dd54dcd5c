"""Which view of the campaigns page: the zones (攻坚战区, the default) or the founding-lead pipeline
(建会线索). The choice is in the URL (``?view=leads``: a link opens the pipeline) and in a control
with a key, so it survives the rerun after a save (tabs would fall back to the first one)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.sections import Context

VIEWS = ("zones", "leads")
KEY = "camp_view"
CLICKED = "_camp_view_clicked"


def _clicked() -> None:
    st.session_state[CLICKED] = True


def pick(ctx: Context) -> str:
    """The view chosen; an unknown ``view`` in the URL (untrusted) is ignored with a notice. A link
    (the URL) decides unless the control was just clicked."""
    raw = st.query_params.get("view")
    wanted = raw if raw in VIEWS else "zones"
    if raw is not None and raw not in VIEWS:
        st.caption(t("camp.view.unknown", ctx.loc, value=str(raw)[:20]))
    if not st.session_state.pop(CLICKED, False) and st.session_state.get(KEY) != wanted:
        st.session_state[KEY] = wanted
    labels = {"zones": t("leads.tab.zones", ctx.loc), "leads": t("leads.tab.pipeline", ctx.loc)}
    chosen = st.segmented_control(t("camp.view", ctx.loc), list(VIEWS), format_func=labels.get, key=KEY, required=True,
                                  on_change=_clicked, label_visibility="collapsed") or "zones"
    if chosen == "leads":
        st.query_params["view"] = "leads"
    else:
        st.query_params.pop("view", None)
    return chosen
