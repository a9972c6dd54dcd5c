"""Furniture of the presentation mode (会议大屏): full-screen CSS, big KPI tiles, bars and tables
as HTML sized for a 1920×1080 wall screen read from the back of a room.

What is shown (tiles, rows, statuses) and the colours come from ``dashboard.views.present``; text
from the database is HTML-escaped here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st

from dashboard.views.present import STATUS_HEX, STATUS_TEXT, Status, Tile, palette
from dashboard.views.status import COLOUR

SLIDES = ("kpis", "map", "campaign", "actions", "model")
AUTO_CHOICES = (0, 10, 20, 30, 60)  # seconds per slide; 0 = off


@dataclass(frozen=True)
class Deck:
    slide: int  # index into SLIDES
    dark: bool
    auto: int  # seconds, 0 = off

    @property
    def name(self) -> str:
        return SLIDES[self.slide]


def parse_url(params: dict[str, str | None]) -> Deck:
    """The deck requested by the URL (untrusted): ``slide`` as a name or 1-based number,
    ``theme=dark|light``, ``auto`` seconds among :data:`AUTO_CHOICES`. Anything else → defaults."""
    raw = (params.get("slide") or "").strip().lower()
    numbers = {str(i + 1): i for i in range(len(SLIDES))}  # plain ASCII digits only ("²".isdigit() is True)
    slide = SLIDES.index(raw) if raw in SLIDES else numbers.get(raw, 0)
    auto = {str(s): s for s in AUTO_CHOICES}.get((params.get("auto") or "").strip(), 0)
    return Deck(slide, (params.get("theme") or "").strip().lower() == "dark", auto)


def css(dark: bool) -> str:
    """Hide the app chrome (sidebar, header bar, our header) and set the big-screen type."""
    p = palette(dark)
    bg, fg, muted, card, line = p.bg, p.fg, p.muted, p.card, p.line
    return f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], .st-key-app_header {{display: none !important;}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{background: {bg} !important; color: {fg};}}
[data-testid="stMainBlockContainer"] {{padding: 0.8rem 2.2rem 0 2.2rem !important; max-width: 100% !important;}}
.stApp p, .stApp label, .stApp span, .stApp div {{color: {fg};}}
.dg-title {{font-size: 2.6rem; font-weight: 700; line-height: 1.15; margin: 0;}}
.dg-sub {{font-size: 1.15rem; color: {muted} !important; margin-top: .2rem;}}
.dg-grid {{display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.4rem;}}
.dg-grid.four {{grid-template-columns: repeat(4, 1fr);}}
.dg-tile {{background: {card}; border: 1px solid {line}; border-left: .6rem solid {muted}; border-radius: .6rem;
  padding: 1.1rem 1.4rem;}}
.dg-tile.union {{border-left-color: {p.union};}}
.dg-tile.party {{border-left-color: {p.party};}}
.dg-tile.red {{border-left-color: {STATUS_HEX["red"]};}}
.dg-tile.amber {{border-left-color: {STATUS_HEX["amber"]};}}
.dg-tile.green {{border-left-color: {STATUS_HEX["green"]};}}
.dg-label {{font-size: 1.7rem; font-weight: 600;}}
.dg-value {{font-size: 4.6rem; font-weight: 800; line-height: 1.05; font-variant-numeric: tabular-nums; margin: .3rem 0;}}
.dg-detail {{font-size: 1.35rem; color: {muted} !important;}}
.dg-delta {{font-size: 1.35rem; font-weight: 600;}}
.dg-def {{font-size: 1.0rem; color: {muted} !important; margin-top: .4rem; line-height: 1.35;}}
.dg-bar {{height: 1.6rem; background: {line}; border-radius: .8rem; overflow: hidden; margin: .35rem 0 .2rem 0;}}
.dg-bar > div {{height: 100%; border-radius: .8rem;}}
.dg-table {{width: 100%; border-collapse: collapse; font-size: 1.45rem;}}
.dg-table th {{text-align: left; color: {muted} !important; font-weight: 600; border-bottom: 2px solid {line}; padding: .45rem .5rem;}}
.dg-table td {{border-bottom: 1px solid {line}; padding: .45rem .5rem; vertical-align: top;}}
.dg-table td.num {{text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}}
.dg-status {{display: inline-block; padding: .1rem .7rem; border-radius: 1rem; color: {STATUS_TEXT} !important; font-weight: 700;
  font-size: 1.2rem; white-space: nowrap;}}
.dg-story {{font-size: 1.5rem; line-height: 1.6;}}
.dg-empty {{font-size: 2rem; color: {muted} !important; padding: 4rem 0; text-align: center;}}
.dg-foot {{font-size: 1.0rem; color: {muted} !important;}}
.st-key-deck_controls button p {{font-size: 1.1rem;}}
.stApp button, .stApp [data-baseweb="select"] > div {{background: {card} !important; border-color: {line} !important;}}
.stApp button *, .stApp [data-baseweb="select"] * {{color: {fg} !important;}}
</style>"""


def esc(text: object) -> str:
    return html.escape(str(text))


def tile(label: str, value: str, detail: str = "", *, kind: str = "", delta: str | None = None,
         delta_good: bool | None = None, definition: str = "") -> str:
    colour = "" if delta_good is None else f"color:{STATUS_HEX['green' if delta_good else 'red']} !important"
    return (f'<div class="dg-tile {esc(kind)}" title="{esc(definition)}"><div class="dg-label">{esc(label)}</div>'
            f'<div class="dg-value">{esc(value)}</div><div class="dg-detail">{esc(detail)}</div>'
            + (f'<div class="dg-delta" style="{colour}">{esc(delta)}</div>' if delta else "")
            + (f'<div class="dg-def">{esc(definition)}</div>' if definition else "") + "</div>")


def tiles(items: list[Tile]) -> str:
    """:class:`views.present.Tile` objects as tiles."""
    return "".join(tile(x.label, x.value, x.detail, kind=x.kind, delta=x.delta, delta_good=x.delta_good,
                        definition=x.definition) for x in items)


def bar(share: float, colour: str) -> str:
    pct = max(0.0, min(1.0, share)) * 100
    return f'<div class="dg-bar"><div style="width:{pct:.1f}%;background:{colour}"></div></div>'


def status(label: str, colour_key: str) -> str:
    """A status pill: colour and its text label together (never colour alone)."""
    return f'<span class="dg-status" style="background:{STATUS_HEX[COLOUR[colour_key]]}">{esc(label)}</span>'


def _cell(cell: object, raw: bool) -> str:
    if isinstance(cell, Status):
        return status(cell.text, cell.colour)
    return str(cell) if raw else esc(cell)


def table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), raw: set[int] = frozenset()) -> str:
    """An HTML table; cells are escaped unless their column index is in ``raw`` (pre-built HTML);
    a :class:`views.present.Status` cell is drawn as a status pill."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if i in numeric else ""}">{_cell(cell, i in raw)}</td>'
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    return f'<table class="dg-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def html_block(markup: str) -> None:
    st.html(markup)
