"""The presentation mode's sections: the deck (URL state, controls, the auto-advancing slide
fragment) and one module per slide, each ``render(ctx)``. What a slide shows comes from
``dashboard.views.present`` (and the overview's views for the KPI tiles and the campaign zones);
``ui.present`` draws it as HTML sized for the 1920×1080 stage (scaled to any screen as a whole).

A slide fills the stage below its heading: the block that should take the rest of the height
carries the class ``dg-fill`` (a flex column; a ``dg-grow`` child takes what is left), or the slide
is one row of ``columns()``. Tile grids take their column count from ``grid_style`` (seam-aware
on a ``?wall=`` wall). A slide's own widgets go into ``slide_bar()`` (the bar that hides)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.dates import DISTRICT_TZ
from dashboard.ui import brief, data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.views.present import heading_line
from dashboard.views.stage import PAD_X, STAGE_W, WallSetting, grid_columns

SLIDE_KEY = "_deck_slide"
WALL_KEY = "_deck_wall"
_RUN = threading.local()  # this session's script thread: the slide bar of the current run


def set_slide_bar(bar) -> None:
    _RUN.bar = bar


def slide_bar():
    """The container of the slide controls bar of this run (hides with the controls)."""
    return _RUN.bar


def wall_setting() -> WallSetting:
    return st.session_state.get(WALL_KEY) or WallSetting(None)


def grid_style(items: int, single: int = 3, max_rows: int = 2) -> str:
    """The column count (a ``style`` declaration) of a tile grid of ``items`` tiles: ``single`` columns on one screen;
    on a wall a multiple of its columns, so that the seams fall between tiles."""
    return f"--dg-cols:{grid_columns(items, wall_setting().wall, single, max_rows)};"


def column_spec(single: tuple[int, int] = (3, 2)) -> list[int]:
    wall = wall_setting().wall
    return list(single) if wall is None else ([1, 1] if wall.cols == 2 else [2, 1])


def column_width(spec: list[int], gap: int = 64) -> int:
    """The first column's width in stage px (the stage is 1920 wide whatever the screen): for a
    chart, whose width Streamlit would otherwise measure on the scaled screen."""
    return int((STAGE_W - 2 * PAD_X - gap) * spec[0] / sum(spec))


def columns(single: tuple[int, int] = (3, 2), gap: str = "large"):
    """A slide's two columns: ``single`` (3 : 2) on one screen; on a 2×2 wall 1 : 1 (the gap on the middle
    seam), on a 3×3 wall 2 : 1 (the gap on the right seam)."""
    return st.columns(column_spec(single), gap=gap)


def dark() -> bool:
    return bool(st.session_state["deck_dark"])


def heading(ctx: Context, title: str) -> None:
    """The slide's title and the line under it (district · scope · date · n / N)."""
    info = data.dataset_info(ctx.url)
    line = heading_line(district=info.get("district_name", ""), scope_label=brief.figures_label(ctx.filters, ctx.loc),
                        as_of=ctx.as_of, slide=st.session_state[SLIDE_KEY], slides=len(P.SLIDES),
                        demo=info.get("dataset") in ("demo", "scale"), loc=ctx.loc)
    P.html_block(f'<div class="dg-head"><div><div class="dg-title">{P.esc(title)}</div><div class="dg-sub">{P.esc(line)}</div>'
                 f'{wall_note(ctx)}</div>{clock(ctx)}</div>')


def wall_note(ctx: Context) -> str:
    """A ``?wall=`` value not understood: ignored, and said so on the stage."""
    rejected = wall_setting().rejected
    return "" if rejected is None else f'<div class="dg-note">{P.esc(t("present.wall_ignored", ctx.loc, value=rejected))}</div>'


def clock(ctx: Context) -> str:
    """The district's time (ticking in the browser) and, with auto-advance on, the seconds to the
    next slide."""
    now = dt.datetime.now(DISTRICT_TZ).strftime("%H:%M:%S")
    auto = int(st.session_state.get("deck_auto") or 0)
    countdown = ""
    if auto:
        left = max(0, round(auto - (time.monotonic() - st.session_state.get("_deck_changed", time.monotonic()))))
        template = t("present.countdown", ctx.loc, n="{n}")
        countdown = (f'<div class="dg-countdown" data-left="{left}" data-template="{P.esc(template)}">'
                     f'{P.esc(template.replace("{n}", str(left)))}</div>')
    return f'<div class="dg-clockbox"><div class="dg-clock">{now}</div>{countdown}</div>'


def empty(text: str) -> None:
    P.html_block(f'<div class="dg-empty">{P.esc(text)}</div>')


def empty_scope(ctx: Context) -> None:
    empty(t("empty.township", ctx.loc) if ctx.township_codes else t("empty.scope", ctx.loc))
