"""The group as of the date, its changes, the four mechanisms' cards, its documents."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_date, t
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.ui.widgets import table as fitted
from dashboard.views import group as V


def members(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('group.members', loc, date=fmt_date(ctx.as_of, loc))}**")
    rows = data.group_members(ctx.url, ctx.as_of)
    if rows.empty:
        st.info(t("group.members.none", loc))
    else:
        fitted(V.members_table(rows, loc), height=35 * (len(rows) + 1) + 3)
    changes = data.group_changes(ctx.url, ctx.as_of)
    if not changes.empty:
        with st.expander(t("group.changes", loc), icon=":material/history:"):
            fitted(V.changes_table(changes, loc))


def mechanisms(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{V.window_text(ctx.as_of, loc)}**")
    cards = V.mechanism_cards(data.group_mechanisms(ctx.url, ctx.scope, ctx.as_of), loc)
    for col, card in zip(st.columns(len(cards)), cards, strict=True):
        with col.container(border=True):
            st.markdown(f"**{escape_markdown(card.title)}**")
            st.write(card.text)
            if card.last:
                st.caption(card.last)
            if card.page:
                st.page_link(f"app_pages/{card.page}.py", label=t("group.mech.link", loc), icon=":material/arrow_forward:",
                             query_params=ctx.links())


def documents(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('group.documents', loc)}**")
    rows = data.group_documents(ctx.url, ctx.as_of)
    if rows.empty:
        st.caption(t("group.documents.none", loc))
    else:
        fitted(V.documents_table(rows, loc))
