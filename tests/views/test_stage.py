"""The big screen's stage as data (#17): the WCAG contrast function, every text/background pair
of both themes at AA (4.5:1), the ``?wall=`` setting (untrusted URL input) and where a wall's
seams fall."""

from __future__ import annotations

import pytest

from dashboard.views.present import DARK, LIGHT, STATUS_HEX, STATUS_TEXT, palette
from dashboard.views.stage import (
    AA_TEXT,
    SEAM_GAP,
    STAGE_H,
    STAGE_W,
    Wall,
    WallSetting,
    contrast,
    grid_columns,
    luminance,
    parse_wall,
    seam_fillers,
)


def test_contrast_matches_the_wcag_reference_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)  # order does not matter
    assert contrast("#123456", "#123456") == pytest.approx(1.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # and the just-passes one
    assert luminance("#FFFFFF") == pytest.approx(1.0) and luminance("#000000") == 0.0
    with pytest.raises(ValueError):
        luminance("#FFF")


def test_the_old_dark_delta_red_failed_and_would_be_caught():
    # the issue: red change text (#DC2626) on the navy card was ~3.2:1
    assert contrast("#DC2626", DARK.card) < AA_TEXT


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_every_text_colour_pair_of_the_stage_reaches_aa(dark):
    pairs = palette(dark).text_pairs()
    assert {"fg/bg", "muted/card", "bad/card", "good/bg", "fg/bar", "status-amber"} <= pairs.keys()
    low = {where: round(contrast(fg, bg), 2) for where, (fg, bg) in pairs.items() if contrast(fg, bg) < AA_TEXT}
    assert not low, low


def test_status_pills_keep_white_text_readable():
    for fill in STATUS_HEX.values():
        assert contrast(STATUS_TEXT, fill) >= AA_TEXT, fill


def test_the_themes_differ_where_it_matters():
    assert LIGHT.good != DARK.good and LIGHT.bad != DARK.bad and DARK.bar != LIGHT.bar


@pytest.mark.parametrize(("raw", "wall", "rejected"), [
    (None, None, None),
    ("", None, None),
    ("  ", None, None),
    ("2x2", Wall(2, 2), None),
    ("3x3", Wall(3, 3), None),
    (" 2X2 ", Wall(2, 2), None),
    ("3×3", Wall(3, 3), None),
    ("2x3", None, "2x3"),
    ("4x4", None, "4x4"),
    ("1x1", None, "1x1"),
    ("²x²", None, "²x²"),
    ("2x2;drop", None, "2x2;drop"),
    ("<script>", None, "<script>"),
    ("x" * 100, None, "x" * 24),
    ("2x2\n\x00", None, "2x2??"),  # control characters are not printed into the note
])
def test_parse_wall(raw, wall, rejected):
    assert parse_wall(raw) == WallSetting(wall, rejected)


def test_wall_seams_and_columns():
    assert Wall(2, 2).seams_x == (STAGE_W // 2,) and Wall(2, 2).seams_y == (STAGE_H // 2,)
    assert Wall(3, 3).seams_x == (640, 1280) and Wall(3, 3).seams_y == (360, 720)
    assert Wall(2, 2).name == "2x2"
    # a multiple of the wall's columns, the fewest holding the tiles in two rows (or one)
    assert Wall(2, 2).columns(6) == 4 and Wall(2, 2).columns(4) == 2 and Wall(2, 2).columns(4, max_rows=1) == 4
    assert Wall(3, 3).columns(6) == 3 and Wall(3, 3).columns(8) == 6
    assert grid_columns(6, None, 3) == 3 and grid_columns(6, Wall(2, 2), 3) == 4


@pytest.mark.parametrize("wall", [Wall(2, 2), Wall(3, 3)], ids=["2x2", "3x3"])
def test_a_grid_of_the_walls_columns_puts_every_vertical_seam_in_a_gap(wall):
    """The tile grid spans the stage less its padding, symmetrically: with a multiple of the wall's
    columns and the wall's gap, each seam lies inside a gap between two tiles."""
    from dashboard.views.stage import PAD_X

    for items in range(1, 9):
        n = wall.columns(items)
        inner = STAGE_W - 2 * PAD_X
        width = (inner - (n - 1) * SEAM_GAP) / n
        gaps = [(PAD_X + k * width + (k - 1) * SEAM_GAP, PAD_X + k * (width + SEAM_GAP)) for k in range(1, n)]
        for seam in wall.seams_x:
            assert any(lo <= seam <= hi for lo, hi in gaps), (items, n, seam, gaps)


def _tiles_across(seam: float, count: int, width: float, gap: float) -> list[int]:
    """The tiles (by position) of a row of ``count`` tiles centred on the stage that ``seam`` cuts."""
    left = (STAGE_W - count * width - (count - 1) * gap) / 2
    return [k for k in range(count) if left + k * (width + gap) < seam < left + k * (width + gap) + width]


@pytest.mark.parametrize("wall", [None, Wall(2, 2), Wall(3, 3)], ids=["single", "2x2", "3x3"])
def test_seam_fillers_keep_a_centred_row_off_the_middle_seam(wall):
    """A one-row grid is centred: on a wall of an even number of panels across, an odd number of tiles
    would put the middle one across the middle seam — one filler makes the count even; nothing is
    added on a single screen or across an odd number of panels (those seams are the columns' job)."""
    for items in range(1, 9):
        fillers = seam_fillers(items, wall)
        if wall is None or wall.cols % 2:
            assert fillers == 0, items
            continue
        assert fillers == items % 2 and (items + fillers) % 2 == 0, items
        middle = STAGE_W / 2
        assert _tiles_across(middle, items + fillers, 200, SEAM_GAP) == [], items
        if fillers:  # the control: without the filler the middle tile sits across the seam
            assert _tiles_across(middle, items, 200, SEAM_GAP) == [items // 2], items
