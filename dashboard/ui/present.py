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
from dashboard.views.stage import HIDE_AFTER_MS, PAD_X, PAD_Y, SEAM_GAP, STAGE_H, STAGE_W, Wall
from dashboard.views.status import COLOUR

SLIDES = ("kpis", "map", "campaign", "actions", "model", "mechanisms")  # new slides at the end: numbered URLs keep
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


def css(dark: bool, wall: Wall | None = None) -> str:
    """Hide the app chrome (sidebar, header bar, our header), set the big-screen type, and make the
    stage: a 1920×1080 box scaled as a whole to fit the window (letterboxed, aspect kept; pure CSS:
    ``tan(atan2(100vw, 1920px))`` is the unitless ratio ``100vw / 1920px``), the slide filling it,
    the controls a bar at its foot that hides while the mouse rests (``stage_script``), the widgets
    and their menus in the theme's colours."""
    p = palette(dark)
    bg, fg, muted, card, line = p.bg, p.fg, p.muted, p.card, p.line
    gap = SEAM_GAP if wall is not None else 22
    return f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], .st-key-app_header {{display: none !important;}}
html, body {{overflow: hidden !important;}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{background: {bg} !important; color: {fg}; overflow: hidden !important;}}
[data-testid="stMainBlockContainer"] {{padding: 0 !important; max-width: 100% !important;}}
:root {{--dg-s: min(tan(atan2(100vw, {STAGE_W}px)), tan(atan2(100vh, {STAGE_H}px)));}}
.st-key-dg_stage {{position: fixed !important; left: 0; top: 0; z-index: 999990; width: {STAGE_W}px !important;
  min-width: {STAGE_W}px !important; max-width: none !important; height: {STAGE_H}px !important; box-sizing: border-box; padding: {PAD_Y}px {PAD_X}px; background: {bg};
  transform-origin: 0 0; overflow: hidden; display: flex !important; flex-direction: column; gap: 0 !important;
  transform: translate(calc((100vw - {STAGE_W}px * var(--dg-s)) / 2), calc((100vh - {STAGE_H}px * var(--dg-s)) / 2))
             scale(var(--dg-s));}}
.st-key-dg_stage > * {{flex: 0 0 auto;}}
.st-key-dg_stage [data-testid="stElementContainer"]:has(> .stHtml > .dg-script) {{display: none;}}
.st-key-dg_stage :is([data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"]):has(.st-key-slide) {{
  flex: 1 1 0 !important; min-height: 0; display: flex; flex-direction: column; gap: 0;}}
.st-key-slide {{flex: 1 1 0 !important; min-height: 0; height: 100%; display: flex !important; flex-direction: column;
  gap: 14px !important; overflow: hidden;}}
.st-key-slide > * {{flex: 0 0 auto;}}
.st-key-slide > :is([data-testid="stElementContainer"]:has(.dg-fill), [data-testid="stLayoutWrapper"]:has(> [data-testid="stHorizontalBlock"]),
  [data-testid="stHorizontalBlock"]) {{flex: 1 1 0 !important; min-height: 0;}}
.st-key-slide [data-testid="stElementContainer"]:has(.dg-fill) > .stHtml {{height: 100%;}}
.st-key-slide [data-testid="stHorizontalBlock"] {{height: 100%; align-items: stretch;}}
.st-key-slide [data-testid="stColumn"], .st-key-slide [data-testid="stColumn"] > [data-testid="stVerticalBlock"] {{
  height: 100%; min-height: 0;}}
.st-key-slide [data-testid="stColumn"] > [data-testid="stVerticalBlock"] {{display: flex; flex-direction: column;
  justify-content: center;}}
.st-key-slide [data-testid="stColumn"] > [data-testid="stVerticalBlock"]:has(.dg-fill) {{justify-content: flex-start;}}
.st-key-slide [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"]:has(.dg-fill) {{flex: 1 1 0 !important;
  min-height: 0;}}
.dg-fill {{height: 100%; display: flex; flex-direction: column; gap: 14px; min-height: 0;}}
.dg-fill > .dg-grow {{flex: 1 1 0; min-height: 0;}}
.stApp p, .stApp label, .stApp span, .stApp div {{color: {fg};}}
.dg-head {{display: flex; justify-content: space-between; align-items: flex-start; gap: 2rem;}}
.dg-title {{font-size: 2.9rem; font-weight: 700; line-height: 1.15; margin: 0;}}
.dg-sub {{font-size: 1.3rem; color: {muted} !important; margin-top: .2rem;}}
.dg-clockbox {{text-align: right; white-space: nowrap;}}
.dg-clock {{font-size: 2.6rem; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.15;}}
.dg-countdown {{font-size: 1.2rem; color: {muted} !important; font-variant-numeric: tabular-nums;}}
.dg-note {{font-size: 1.1rem; color: {p.bad} !important;}}
.dg-grid {{display: grid; grid-template-columns: repeat(var(--dg-cols, 3), minmax(0, 1fr)); gap: {gap}px;
  grid-auto-rows: minmax(0, 1fr);}}
.dg-grid.four {{--dg-cols: 4;}}
{_wall_grid(gap) if wall is not None else ""}.dg-grid.roomy .dg-label {{font-size: 2.9rem;}}
.dg-grid.roomy .dg-detail {{font-size: 2.1rem !important;}}
.dg-grid.roomy .dg-def {{font-size: 1.5rem;}}
.dg-grid.roomy .dg-status {{font-size: 1.9rem;}}
.dg-grid.roomy .dg-bar {{height: 2.4rem; border-radius: 1.2rem;}}
.dg-tile {{background: {card}; border: 1px solid {line}; border-left: .6rem solid {muted}; border-radius: .6rem;
  padding: 1.1rem 1.4rem; min-width: 0; overflow: hidden; display: flex; flex-direction: column; justify-content: center;}}
.dg-tile.union {{border-left-color: {p.union};}}
.dg-tile.party {{border-left-color: {p.party};}}
.dg-tile.red {{border-left-color: {STATUS_HEX["red"]};}}
.dg-tile.amber {{border-left-color: {STATUS_HEX["amber"]};}}
.dg-tile.green {{border-left-color: {STATUS_HEX["green"]};}}
.dg-label {{font-size: 1.9rem; font-weight: 600;}}
.dg-value {{font-size: 5.4rem; font-weight: 800; line-height: 1.05; font-variant-numeric: tabular-nums; margin: .4rem 0;
  white-space: nowrap;}}
.dg-detail {{font-size: 1.5rem; color: {muted} !important;}}
.dg-delta {{font-size: 1.5rem; font-weight: 600;}}
.dg-delta.good {{color: {p.good} !important;}}
.dg-delta.bad {{color: {p.bad} !important;}}
.dg-def {{font-size: 1.1rem; color: {muted} !important; margin-top: .4rem; line-height: 1.35;}}
.dg-bar {{height: 1.6rem; background: {line}; border-radius: .8rem; overflow: hidden; margin: .35rem 0 .2rem 0;}}
.dg-bar > div {{height: 100%; border-radius: .8rem;}}
.dg-table {{width: 100%; border-collapse: collapse; font-size: var(--dg-font, 1.6rem);}}
.dg-table.fill {{height: 100%;}}
.dg-table th {{text-align: left; color: {muted} !important; font-weight: 600; border-bottom: 2px solid {line}; padding: .45rem .5rem;}}
.dg-table td {{border-bottom: 1px solid {line}; padding: .45rem .5rem; vertical-align: middle;}}
.dg-table td.num {{text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}}
.dg-clamp {{display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: var(--dg-lines, 2); overflow: hidden;}}
.dg-status {{display: inline-block; padding: .1rem .7rem; border-radius: 1rem; color: {STATUS_TEXT} !important; font-weight: 700;
  font-size: 1.3rem; white-space: nowrap;}}
.dg-story {{font-size: 1.6rem; line-height: 1.6;}}
.dg-empty {{font-size: 2.2rem; color: {muted} !important; padding: 4rem 0; text-align: center;}}
.dg-foot {{font-size: 1.1rem; color: {muted} !important;}}
/* the controls: a bar at the stage's foot, over the slide, shown while the mouse moves */
.st-key-deck_controls, .st-key-deck_slide_controls {{position: absolute !important; bottom: 18px; z-index: 5;
  background: {p.bar}; border: 1px solid {line}; border-radius: .7rem; padding: 10px 16px; box-sizing: border-box;
  box-shadow: 0 6px 24px rgba(0, 0, 0, .25); transition: opacity .4s; width: auto !important;}}
.st-key-deck_controls {{left: {PAD_X}px; width: 1304px !important;}}
.st-key-deck_slide_controls {{right: {PAD_X}px; width: 480px !important; display: flex !important; flex-direction: row !important;
  gap: 12px !important; align-items: center;}}
.st-key-deck_slide_controls > * {{flex: 1 1 0; min-width: 0;}}
.dg-idle .st-key-deck_controls:not(:hover):not(:focus-within),
.dg-idle .st-key-deck_slide_controls:not(:hover):not(:focus-within),
.dg-idle .st-key-slide [data-testid="stDownloadButton"], .dg-idle .st-key-slide [data-testid="stElementToolbar"] {{
  opacity: 0; pointer-events: none;}}
.dg-idle .st-key-dg_stage {{cursor: none;}}
.dg-idle #vg-tooltip-element {{display: none !important;}}
.st-key-dg_stage button {{white-space: nowrap;}}
.st-key-dg_stage button p, .st-key-dg_stage label p {{font-size: 1.1rem;}}
.st-key-dg_stage [data-testid="stCaptionContainer"] p {{color: {muted} !important; font-size: 1rem; white-space: nowrap;}}
/* the widgets in the theme (a select box's menu and a popover open outside the stage) */
.stApp button {{background: {card} !important; border-color: {line} !important;}}
.stApp button * {{color: {fg} !important;}}
.stApp [data-testid="stSelectbox"] > div > div {{background: {card} !important; border-color: {line} !important;}}
.stApp [data-testid="stSelectbox"] input {{color: {fg} !important; -webkit-text-fill-color: {fg}; background: transparent !important;
  font-size: 1.1rem !important;}}
.stApp [data-testid="stSelectbox"] svg {{fill: {fg} !important; color: {fg} !important;}}
[data-testid="stSelectboxVirtualDropdown"], [data-testid="stPopoverBody"] {{background: {p.bar} !important;
  border: 1px solid {line} !important;}}
[data-testid="stSelectboxVirtualDropdown"] [role="option"], [data-testid="stSelectboxVirtualDropdown"] [role="option"] *,
[data-testid="stPopoverBody"] :is(p, span, label, div) {{color: {fg} !important;}}
[data-testid="stSelectboxVirtualDropdown"] [role="option"]:is([data-focused], [data-selected], :hover) {{background: {card} !important;}}
.st-key-dg_stage [data-testid="stPageLink"] a, .st-key-dg_stage [data-testid="stPageLink"] a * {{color: {fg} !important;
  font-size: 1.1rem !important; white-space: nowrap;}}
.st-key-dg_stage [data-testid="stCaptionContainer"], .st-key-dg_stage [data-testid="stCaptionContainer"] * {{
  color: {muted} !important; opacity: 1 !important;}}
</style>"""


def _wall_grid(gap: int) -> str:
    """On a wall the tiles wrap in centred rows of ``--dg-cols`` (a multiple of the wall's columns):
    a short last row is centred too, so its tiles also meet at the seams (an even row on 2×2)."""
    return (f".dg-grid {{display: flex; flex-wrap: wrap; justify-content: center; align-content: stretch;}}\n"
            f".dg-grid > * {{flex: 0 0 calc((100% - (var(--dg-cols, 3) - 1) * {gap}px) / var(--dg-cols, 3));}}\n")


def stage_script(offset_minutes: int) -> str:
    """The stage's script (run once per page in the app's own document, ``st.html(…,
    unsafe_allow_javascript=True)``): the ``dg-idle`` class on ``<html>`` after
    :data:`HIDE_AFTER_MS` without a mouse movement, touch, wheel or key (the controls fade, the
    cursor and chart tooltips go), gone on the next one; the clock (``.dg-clock``, the district's
    time: UTC + ``offset_minutes``) and the countdown to the next slide (``.dg-countdown``) tick
    every second."""
    return f"""<div class="dg-script"></div><script>
(() => {{
  const root = document.documentElement;
  const w = window;
  w.__dgStageCfg = {{offset: {int(offset_minutes)}, hide: {HIDE_AFTER_MS}}};
  if (w.__dgStage) return;
  w.__dgStage = true;
  let timer = null;
  const wake = () => {{
    root.classList.remove('dg-idle');
    clearTimeout(timer);
    timer = setTimeout(() => root.classList.add('dg-idle'), w.__dgStageCfg.hide);
  }};
  for (const ev of ['mousemove', 'pointerdown', 'touchstart', 'wheel', 'keydown']) {{
    w.addEventListener(ev, wake, {{passive: true, capture: true}});
  }}
  wake();
  const pad = n => String(n).padStart(2, '0');
  const tick = () => {{
    const now = new Date(Date.now() + w.__dgStageCfg.offset * 60000);
    const text = pad(now.getUTCHours()) + ':' + pad(now.getUTCMinutes()) + ':' + pad(now.getUTCSeconds());
    document.querySelectorAll('.dg-clock').forEach(el => {{ if (el.textContent !== text) el.textContent = text; }});
    document.querySelectorAll('.dg-countdown[data-left]').forEach(el => {{
      if (el.__dgStart === undefined) el.__dgStart = Date.now();
      const left = Math.max(0, Math.round(Number(el.dataset.left) - (Date.now() - el.__dgStart) / 1000));
      const text = (el.dataset.template || '{{n}}').replace('{{n}}', left);
      if (el.textContent !== text) el.textContent = text;
    }});
  }};
  tick();
  setInterval(tick, 250);
}})();
</script>"""


def esc(text: object) -> str:
    return html.escape(str(text))


def tile(label: str, value: str, detail: str = "", *, kind: str = "", delta: str | None = None,
         delta_good: bool | None = None, definition: str = "") -> str:
    # the change's colour is the theme's good/bad text colour (css); no title= tooltip over the slide
    tone = "" if delta_good is None else ("good" if delta_good else "bad")
    return (f'<div class="dg-tile {esc(kind)}"><div class="dg-label">{esc(label)}</div>'
            f'<div class="dg-value">{esc(value)}</div><div class="dg-detail">{esc(detail)}</div>'
            + (f'<div class="dg-delta {tone}">{esc(delta)}</div>' if delta else "")
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


def table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), raw: set[int] = frozenset(),
          fill: bool = False, clamp: set[int] = frozenset()) -> str:
    """An HTML table; cells are escaped unless their column index is in ``raw`` (pre-built HTML);
    a :class:`views.present.Status` cell is drawn as a status pill. ``fill``: the table stretches its
    rows to the height it is given (a slide's body); ``clamp``: columns whose text stops after two
    lines (long item texts on a fixed-size stage)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)

    def td(i: int, cell: object) -> str:
        inner = _cell(cell, i in raw)
        if i in clamp:
            inner = f'<div class="dg-clamp">{inner}</div>'
        return f'<td class="{"num" if i in numeric else ""}">{inner}</td>'

    body = "".join("<tr>" + "".join(td(i, cell) for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="dg-table{" fill" if fill else ""}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def html_block(markup: str) -> None:
    st.html(markup)


def script_block(markup: str) -> None:
    """Our own script (never user input) run in the app's document."""
    st.html(markup, unsafe_allow_javascript=True)
