"""双爱双评 / the award rounds: a round's stages, places per township and category with their
status, its nominations and awards (Excel), the awards of every published round per township and
per enterprise; townships nominate within their places, staff run the rounds."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.edit import actor, show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.awards import board, manage

ctx = context()
st.subheader(t("awards.title", ctx.loc))
st.markdown(t("awards.intro", ctx.loc))
st.caption(t("awards.model_rule", ctx.loc))
show_flash()
rnd = board.pick(ctx)
if rnd is None:
    st.info(t("awards.none.staff" if actor().role in manage.edits.ORGANISERS else "awards.none", ctx.loc))
else:
    tab_round, tab_list, tab_history = st.tabs([t("awards.tab.round", ctx.loc), t("awards.tab.list", ctx.loc),
                                                t("awards.tab.history", ctx.loc)])
    with tab_round:
        board.round_view(ctx, rnd)
    with tab_list:
        board.nominations(ctx, rnd)
    with tab_history:
        board.history(ctx)
manage.render(ctx, rnd)
