"""Slide 3: the campaign's zones (the overview's zone cards): deadline, status word and colour,
progress bars; the founding-lead pipeline since the last district meeting in one line."""

from __future__ import annotations

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui import present as P
from dashboard.ui.sections import Context
from dashboard.ui.sections.present import dark, empty, grid_style, heading
from dashboard.views.leads import slide_text
from dashboard.views.overview import ZoneCard, campaign_totals_text, campaign_view
from dashboard.views.present import campaign_line, palette

MAX_ZONES = 8


def card(zone: ZoneCard, bar_colour: str) -> str:
    body = (f'<div class="dg-label">{P.esc(zone.zone)}</div>'
            f'<div class="dg-detail">{P.status(zone.status_text, zone.status) if zone.status else ""} '
            f'{P.esc(zone.when)}</div>')
    for bar in zone.bars:
        body += (f'<div class="dg-detail" style="margin-top:.6rem;font-size:1.4rem">{P.esc(bar.text)} · '
                 f'{P.esc(bar.pct)}</div>' + P.bar(bar.fill, bar_colour))
    if zone.progress:
        body += f'<div class="dg-detail" style="margin-top:.6rem">{P.esc(zone.progress)}</div>'
    if zone.partial:
        body += f'<div class="dg-detail">{P.esc(zone.partial)}</div>'
    body += f'<div class="dg-def">{P.esc(zone.owner)}</div>'
    return f'<div class="dg-tile {P.esc(zone.status)}">{body}</div>'


def render(ctx: Context) -> None:
    heading(ctx, t("present.slide.campaign", ctx.loc))
    campaign = campaign_view(data.campaign_progress(ctx.url, ctx.scope, ctx.as_of), ctx.loc, data.pace_margin())
    if campaign is None:
        return empty(t("campaign.none", ctx.loc))
    lines = f'<div class="dg-sub" style="font-size:1.6rem;margin:0">{P.esc(campaign_line(campaign))}</div>'
    totals = campaign_totals_text(data.campaign_totals(ctx.url, ctx.scope, ctx.as_of), ctx.loc)
    if totals is not None:
        lines += f'<div class="dg-sub" style="font-size:1.5rem;margin:0">{P.esc(totals[0])}</div>'
    colour = palette(dark()).union
    zones = campaign.zones[:MAX_ZONES]
    cards = [card(zone, colour) for zone in zones]
    single = 4 if len(zones) >= 4 else max(len(zones), 1)
    roomy = " roomy" if len(zones) <= 2 else ""  # one or two zones: larger type in the large cards
    leads = slide_text(data.lead_headline(ctx.url, ctx.scope, ctx.as_of), ctx.loc)
    P.html_block(f'<div class="dg-fill"><div>{lines}</div>'
                 f'<div class="dg-grid dg-grow{roomy}" style="{grid_style(len(cards), single)}">{"".join(cards)}</div>'
                 f'<div><div class="dg-sub" style="font-size:1.6rem;margin:0">{P.esc(leads)}</div>'
                 f'<div class="dg-def">{P.esc(campaign.definition)}</div></div></div>')
