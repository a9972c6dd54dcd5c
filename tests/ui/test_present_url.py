"""The presentation mode's URL parsing (untrusted input → a valid deck, never an error)."""

from __future__ import annotations

import pytest

from dashboard.ui.present import AUTO_CHOICES, SLIDES, Deck, css, parse_url, status, table, tile, tiles
from dashboard.views.present import STATUS_HEX, Status, Tile, palette


@pytest.mark.parametrize(("params", "expected"), [
    ({}, Deck(0, False, 0)),
    ({"slide": "map"}, Deck(1, False, 0)),
    ({"slide": "MAP "}, Deck(1, False, 0)),
    ({"slide": "5"}, Deck(4, False, 0)),
    ({"slide": "6"}, Deck(5, False, 0)),
    ({"slide": "7"}, Deck(0, False, 0)),
    ({"slide": "-1"}, Deck(0, False, 0)),
    ({"slide": "model", "theme": "dark", "auto": "30"}, Deck(4, True, 30)),
    ({"theme": "DARK", "auto": "15"}, Deck(0, True, 0)),
    ({"auto": "1e9"}, Deck(0, False, 0)),
    ({"slide": "²", "auto": "³"}, Deck(0, False, 0)),
    ({"slide": "٣", "auto": "١٠"}, Deck(0, False, 0)),
    ({"slide": "02", "auto": "010"}, Deck(0, False, 0)),
    ({"slide": "9" * 40}, Deck(0, False, 0)),
])
def test_parse_url(params, expected):
    assert parse_url(params) == expected


def test_slide_names_and_auto_choices_are_stable():
    assert SLIDES == ("kpis", "map", "campaign", "actions", "model", "mechanisms") and 0 in AUTO_CHOICES


def test_database_text_is_escaped_in_tiles_and_tables():
    evil = "<img src=x onerror=alert(1)>"
    assert "<img" not in tile(evil, "1", evil, definition=evil)
    assert "<img" not in table([evil], [[evil]])
    assert "<b>ok</b>" in table(["h"], [["<b>ok</b>"]], raw={0})


def test_a_status_cell_is_a_pill_with_its_word_and_colour_escaped():
    html = table(["状态"], [[Status("<b>逾期</b>", "red")], [Status("临期", "amber")]])
    assert f'background:{STATUS_HEX["red"]}">&lt;b&gt;逾期&lt;/b&gt;</span>' in html
    assert f'background:{STATUS_HEX["amber"]}">临期</span>' in html
    assert status("待组建", "gap") == status("待组建", "red")  # a gap is red, with its own word


def test_tiles_draw_view_tiles_and_the_css_takes_the_palette():
    html = tiles([Tile("建会率", "83.3%", "585 / 702 家", kind="union", delta="较上年同期 +1.2 个百分点", delta_good=True)])
    assert 'class="dg-tile union"' in html and "83.3%" in html and 'class="dg-delta good"' in html
    assert "title=" not in html  # no native tooltip over a slide (#17)
    for dark in (True, False):
        p = palette(dark)
        assert all(colour in css(dark) for colour in (p.bg, p.fg, p.card, p.union, p.party, p.good, p.bad, p.bar))
