"""The big screen's stage (会议大屏舞台), as data: a fixed 1920×1080 canvas that the browser scales to
fit any screen (letterboxed, aspect kept), the spliced-wall setting ``?wall=``, the controls'
hide delay, and the WCAG contrast of the colours the stage writes text in (no Streamlit, no HTML:
``ui.present`` draws).

A spliced wall (拼接屏) is one browser window spanning ``cols × rows`` panels, e.g. 2×2 of
1920×1080 panels = 3840×2160: the stage is scaled to the whole wall like to any screen, and the
slides put their gaps where the panels meet (:meth:`Wall.columns`, :attr:`Wall.seams_x`) so that
no tile or number is cut by a bezel where that is practical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: the stage's own size in CSS pixels: every slide is laid out for it, then scaled as a whole
STAGE_W, STAGE_H = 1920, 1080
#: padding of the stage (CSS px of the stage): nothing of a slide is drawn in it
PAD_X, PAD_Y = 56, 32
#: the controls (prev/next, slide picker, auto-advance, theme, brief, exit) hide after this long
#: without a mouse movement, a touch or a key, and come back on the next one
HIDE_AFTER_MS = 3000
#: the ``?wall=`` values understood: columns × rows of panels
WALLS = ("2x2", "3x3")
#: the gap (stage px) a wall puts between tiles that meet at a seam: wider than a panel's bezel
#: in stage pixels (a 3.5 mm bezel on a 55" 1920×1080 panel is ~6 px of the panel; the stage on a
#: 2×2 wall is scaled by 2, so 6 px of the stage covers 12 panel px) with room to spare
SEAM_GAP = 48


@dataclass(frozen=True)
class Wall:
    """A spliced wall of ``cols × rows`` equal panels."""

    cols: int
    rows: int

    @property
    def name(self) -> str:
        return f"{self.cols}x{self.rows}"

    @property
    def seams_x(self) -> tuple[int, ...]:
        """Where the panels meet across the stage (stage px from its left edge)."""
        return tuple(round(STAGE_W * i / self.cols) for i in range(1, self.cols))

    @property
    def seams_y(self) -> tuple[int, ...]:
        return tuple(round(STAGE_H * i / self.rows) for i in range(1, self.rows))

    def columns(self, items: int, max_rows: int = 2) -> int:
        """How many grid columns ``items`` tiles get on this wall: a multiple of the wall's columns
        (so that, with the grid spanning the stage symmetrically, every seam falls into a gap
        between tiles), the smallest that holds them in at most ``max_rows`` rows."""
        n = self.cols
        while n * max_rows < items:
            n += self.cols
        return n


@dataclass(frozen=True)
class WallSetting:
    """``?wall=`` as read: the wall (``None``: a single screen) and the raw value when it was not
    understood (then ignored, and the stage says so)."""

    wall: Wall | None
    rejected: str | None = None


_WALL = re.compile(r"^([23])x([23])$")


def parse_wall(raw: object) -> WallSetting:
    """``?wall=`` from the URL (untrusted): ``2x2`` or ``3x3`` (``×`` and upper case accepted);
    absent or empty → a single screen; anything else → a single screen and ``rejected`` set to a
    short, printable form of what was given (for the note on the stage)."""
    if raw is None:
        return WallSetting(None)
    text = str(raw).strip()
    if not text:
        return WallSetting(None)
    norm = text.lower().replace("×", "x").replace("*", "x")
    m = _WALL.match(norm)
    if m and m.group(1) == m.group(2) and norm in WALLS:
        return WallSetting(Wall(int(m.group(1)), int(m.group(2))))
    shown = "".join(ch if ch.isprintable() else "?" for ch in text)[:24]
    return WallSetting(None, shown)


def grid_columns(items: int, wall: Wall | None, single: int, max_rows: int = 2) -> int:
    """Columns of a tile grid: ``single`` on one screen, seam-aware on a wall."""
    return single if wall is None else wall.columns(items, max_rows)


def seam_fillers(items: int, wall: Wall | None) -> int:
    """Invisible tiles to add to a one-row grid of ``items`` tiles: the row is centred, and on a wall
    of an even number of panels across an odd number of tiles would put one across the middle seam
    — one invisible tile makes the count even (a second row is no way out: the slide has no height
    for it). 0 on a single screen and on walls of an odd number of panels across."""
    return 1 if wall is not None and wall.cols % 2 == 0 and items % 2 == 1 else 0


# --- contrast (WCAG 2.x) --------------------------------------------------------------------

#: WCAG AA for normal-size text
AA_TEXT = 4.5


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """Relative luminance of ``#RRGGBB`` (WCAG 2.x)."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"not a #RRGGBB colour: {hex_colour!r}")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of two colours, 1.0 – 21.0 (order does not matter)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
