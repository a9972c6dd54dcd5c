"""The gallery: the model enterprises in scope as of the date, as cards, filtered by highest honour level."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.cases import LEVELS, NO_HONOUR
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.sections.cases import open_case, show_saved
from dashboard.ui.widgets import escape_markdown
from dashboard.views.cases import Card, card

COLUMNS = 3
MAX_CARDS = 60  # a gallery, not a ledger: the rest are reached with the filters


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.subheader(t("cases.title", loc))
    st.caption(t("cases.intro", loc), help=t("cases.rule_help", loc))
    show_saved(ctx)
    levels = st.pills(t("cases.filter.level", loc), [*reversed(LEVELS), NO_HONOUR], selection_mode="multi",
                      format_func=lambda v: t(f"cases.level.{v}", loc), key="cases_levels",
                      help=t("cases.filter.level_help", loc))
    models = data.model_enterprises(ctx.url, ctx.scope, ctx.as_of, levels=tuple(sorted(levels or ())))
    if models.empty:
        st.info(t("cases.empty_level" if levels else "cases.empty", loc))
        return
    st.caption(t("cases.count", loc, n=fmt_int(len(models)), date=fmt_date(ctx.as_of, loc)))
    cards = [card(row, loc) for row in models.head(MAX_CARDS).to_dict("records")]
    for start in range(0, len(cards), COLUMNS):
        for col, c in zip(st.columns(COLUMNS), cards[start:start + COLUMNS], strict=False):  # the last row may be short
            with col, st.container(border=True):
                draw(c, loc)
    if len(models) > MAX_CARDS:
        st.caption(t("cases.more_cards", loc, shown=fmt_int(MAX_CARDS), n=fmt_int(len(models))))


def draw(c: Card, loc: str) -> None:
    st.markdown(f"**{escape_markdown(c.name)}**")
    st.caption(" · ".join(escape_markdown(tag) for tag in c.tags))
    if c.from_source:
        st.badge(t("cases.source_badge", loc), color="red", icon=":material/menu_book:",
                 help=t("cases.source_help", loc))
    st.markdown(f":material/workspace_premium: {escape_markdown(c.why)}")
    if c.honours:
        st.caption("  \n".join(escape_markdown(line) for line in c.honours), help=t("cases.honours_help", loc))
    st.markdown(f"*{escape_markdown(c.headline)}*")
    st.button(t("cases.open", loc), key=f"cases_open_{c.enterprise_id}", on_click=open_case, args=(c.enterprise_id,),
              icon=":material/arrow_forward:")
