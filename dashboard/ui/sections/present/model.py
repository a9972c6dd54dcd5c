"""Slide 5: one model enterprise (典型引路): headline, facts, the story's first paragraph, honours."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import columns, empty, heading, slide_bar
from dashboard.views.present import honour_rows, model_facts, model_story

#: the story's lines at most (2.3rem × 1.6 line height: what the stage holds under the headline,
#: which takes two lines in English)
STORY_LINES = {"zh_CN": 11, "en": 8}


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
    # the picker in the bar that hides with the controls: the audience sees the enterprise, not a widget
    slide_bar().selectbox(t("present.model_pick", loc), ids, key="deck_model", format_func=lambda i: names[i],
                          label_visibility="collapsed")
    left, right = columns()
    facts = model_facts(detail, loc)
    story = model_story(detail, loc)
    with left:  # large type; the story cut after whole lines (never past the stage), the column centred
        P.html_block(f'<div class="dg-fill" style="justify-content:center"><div><div class="dg-label" style="font-size:3.4rem">'
                     f'{P.esc(detail.name)}</div><div class="dg-sub" style="font-size:1.8rem">{P.esc(detail.township)}</div>'
                     f'<div class="dg-story" style="font-weight:700;font-size:2.3rem;margin:.8rem 0 0 0">'
                     f'{P.esc(detail.headline(loc) or "")}</div></div>'
                     + (f'<div class="dg-story dg-clamp" style="--dg-lines:{STORY_LINES.get(loc, 8)};font-size:2.3rem;flex:0 1 auto;'
                        f'min-height:0">{P.esc(story)}</div>' if story else "")
                     + '</div>')
    with right:  # the facts as tiles, then the honours in large type, centred in the column
        tiles = "".join(f'<div class="dg-tile union" style="padding:.8rem 1.2rem"><div class="dg-detail">{P.esc(label)}</div>'
                        f'<div class="dg-label" style="font-size:2.1rem">{P.esc(value)}</div></div>' for label, value in facts)
        headers, rows = honour_rows(detail, loc)
        honours = (f'<div style="--dg-font:2.2rem;margin-top:1rem">{P.table(headers, rows, numeric={2})}</div>'
                   if rows else "")
        P.html_block('<div class="dg-fill" style="justify-content:center">'
                     + (f'<div class="dg-grid" style="--dg-cols:{min(len(facts), 2)};gap:14px">{tiles}</div>' if facts else "")
                     + honours + '</div>')
