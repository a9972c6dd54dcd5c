"""Slide: 荐优纳新 and 双爱双评 since the last district joint meeting — big figures (recommended, new
development candidates and their evaluation, new probationary members, the union's share of the
year's new Party members, stuck), the award round's state, the awards per category and the townships
with most awards. Counts only, no names; what is shown comes from ``dashboard.views.mechanisms``."""

from __future__ import annotations

from dashboard.i18n import t
from dashboard.queries import mechanisms as queries
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import grid_style, heading, wall_setting
from dashboard.views import mechanisms as V
from dashboard.views.stage import seam_fillers

since_last_meeting = data.cached(queries.since_last_meeting, name="mechanisms_since_last_meeting", max_entries=64)
COLUMNS = 5  # tiles in a row on one screen


def _label(text: str, status) -> str:
    """A part's name with its status word on its colour (never colour alone)."""
    pill = f" {P.status(status.text, status.colour)}" if status is not None else ""
    return f'<div class="dg-label">{P.esc(text)}{pill}</div>'


#: a tile that takes its place in the grid and shows nothing (``stage.seam_fillers`` says how many)
_HIDDEN_TILE = '<div class="dg-tile" style="visibility:hidden" aria-hidden="true"></div>'


def render(ctx: Context) -> None:
    loc = ctx.loc
    heading(ctx, t("present.slide.mechanisms", loc))
    m = since_last_meeting(ctx.url, ctx.scope, ctx.as_of, limit=V.SLIDE_TOWNSHIPS)
    period = f'<div class="dg-sub" style="font-size:1.5rem">{P.esc(V.period_text(m, loc))}</div>'
    stuck = V.stuck_status(m, loc)
    if m.empty:
        P.html_block(f'<div class="dg-fill">{period}<div class="dg-grow" style="text-align:center">'
                     f'<div class="dg-empty">{P.esc(t("mech.empty", loc))}</div>'
                     f'<div class="dg-story">{P.status(stuck.text, stuck.colour)} {P.esc(V.stuck_line(m, loc))}</div>'
                     '</div></div>')
        return
    dev = V.development_tiles(m, loc)
    dev_tiles = P.tiles(dev) + _HIDDEN_TILE * seam_fillers(len(dev), wall_setting().wall)
    awards = V.award_tiles(m, loc)
    header, rows = V.top_townships(m, loc)
    top = (f'<div class="dg-tile" style="grid-column:span 2"><div class="dg-label">{P.esc(t("mech.tile.top", loc))}</div>'
           + (P.table(header, rows, numeric={1, 2, 3}) if rows
              else f'<div class="dg-detail">{P.esc(t("mech.awards.no_result", loc))}</div>') + "</div>")
    P.html_block(
        f'<div class="dg-fill">{period}'
        f'{_label(t("mech.dev.title", loc), stuck)}'
        f'<div class="dg-grid dg-grow" style="{grid_style(len(dev), COLUMNS, max_rows=1)}">{dev_tiles}</div>'
        f'{_label(t("mech.awards.title", loc), V.round_status(m, loc))}'
        f'<div class="dg-grid dg-grow" style="{grid_style(len(awards) + 2, COLUMNS)}">{P.tiles(awards)}{top}</div>'
        '</div>')
