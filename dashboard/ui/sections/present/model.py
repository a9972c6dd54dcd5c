"""Slide 5: one model enterprise (典型引路): headline, facts, the story's first paragraph, honours."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import empty, heading
from dashboard.views.present import honour_rows, model_facts, model_story


def render(ctx: Context) -> None:
    loc = ctx.loc
    heading(ctx, t("present.slide.model", loc))
    models = data.model_enterprises(ctx.url, ctx.scope, ctx.as_of)
    if models.empty:
        return empty(t("brief.no_model", loc))
    ids = [int(i) for i in models["enterprise_id"]]
    names = dict(zip(ids, models["name"], strict=True))
    if st.session_state.get("deck_model") not in ids:
        st.session_state["deck_model"] = ids[0]
    detail = data.case_detail(ctx.url, ctx.scope, st.session_state["deck_model"], ctx.as_of)
    if detail is None:
        return empty(t("brief.no_model", loc))
    left, right = st.columns([3, 2], gap="large")
    with left:
        P.html_block(f'<div class="dg-label" style="font-size:2.4rem">{P.esc(detail.name)}</div>'
                     f'<div class="dg-sub" style="font-size:1.4rem">{P.esc(detail.township)}</div>'
                     f'<div class="dg-story" style="font-weight:700;margin:.8rem 0">{P.esc(detail.headline(loc) or "")}</div>')
        facts = model_facts(detail, loc)
        if facts:
            P.html_block(P.table([t("present.col.fact", loc), ""], facts))
        story = model_story(detail, loc)
        if story:
            P.html_block(f'<div class="dg-story" style="margin-top:1rem;font-size:1.3rem">{P.esc(story)}</div>')
    with right:
        st.selectbox(t("present.model_pick", loc), ids, key="deck_model", format_func=lambda i: names[i])
        headers, rows = honour_rows(detail, loc)
        if rows:
            P.html_block(P.table(headers, rows, numeric={2}))
