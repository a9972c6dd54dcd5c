"""The presentation mode's sections: the deck (URL state, controls, the auto-advancing slide
fragment) and one module per slide, each ``render(ctx)``. What a slide shows comes from
``dashboard.views.present`` (and the overview's views for the KPI tiles and the campaign zones);
``ui.present`` draws it as HTML sized for a 1920×1080 wall screen."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import brief, data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.views.present import heading_line

SLIDE_KEY = "_deck_slide"


def dark() -> bool:
    return bool(st.session_state["deck_dark"])


def heading(ctx: Context, title: str) -> None:
    """The slide's title and the line under it (district · scope · date · n / N)."""
    info = data.dataset_info(ctx.url)
    line = heading_line(district=info.get("district_name", ""), scope_label=brief.scope_label(ctx.filters, ctx.loc),
                        as_of=ctx.as_of, slide=st.session_state[SLIDE_KEY], slides=len(P.SLIDES),
                        demo=info.get("dataset") in ("demo", "scale"), loc=ctx.loc)
    P.html_block(f'<div class="dg-title">{P.esc(title)}</div><div class="dg-sub">{P.esc(line)}</div>')


def empty(text: str) -> None:
    P.html_block(f'<div class="dg-empty">{P.esc(text)}</div>')


def empty_scope(ctx: Context) -> None:
    empty(t("empty.township", ctx.loc) if ctx.township_codes else t("empty.scope", ctx.loc))
