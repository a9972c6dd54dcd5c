"""Charts as PNG (vl-convert): a valid image of the chart's size at 2×, with the CJK font."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from PIL import Image

from dashboard import charts
from dashboard.exports import fonts
from dashboard.exports.png import chart_png, chart_svg_size, printable_spec
from models.enums import Pattern
from tests.fonts import needs_font

pytestmark = needs_font


def _bar() -> dict:
    return charts.pattern_bar({p: 10 * i + 3 for i, p in enumerate(Pattern)}, "zh_CN").to_dict()


@pytest.mark.parametrize("width", [None, 640])
def test_png_is_a_valid_image_twice_the_charts_size(width):
    spec = _bar()
    png = chart_png(spec, width=width)
    image = Image.open(io.BytesIO(png))
    image.verify()  # raises on a corrupt file
    image = Image.open(io.BytesIO(png))
    w, h = chart_svg_size(spec, width=width)
    assert image.format == "PNG"
    assert abs(image.size[0] - 2 * w) <= 2 and abs(image.size[1] - 2 * h) <= 2
    if width:
        assert w >= width  # the plot is at least as wide as asked (axis labels add to it)
    # drawn, not blank: the bars' colours are in the picture
    colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0xB7, 0x1C, 0x1C) in colours and (0x1F, 0x4E, 0x9A) in colours


def test_printable_spec_puts_the_cjk_font_first_and_keeps_the_original():
    spec = _bar()
    out = printable_spec(spec)
    family = fonts.cjk_font().family
    assert out["config"]["font"].startswith(family)
    assert out["config"]["axis"]["labelFont"].startswith(family)
    assert out["background"] == "white" and out["width"] > 0
    assert spec["config"]["font"] == charts.FONT  # the cached page spec is not mutated


def test_a_map_with_inline_geojson_renders_too():
    from seed_data.geo import load_demo_geojson

    features = load_demo_geojson()["features"][:3]
    import json

    townships = pd.DataFrame({
        "code": [f["properties"]["code"] for f in features],
        "name": [f["properties"]["name"] for f in features],
        "boundary_geojson": [json.dumps(f["geometry"]) for f in features],
        "value": [0.2, 0.5, 0.9], "numerator": [1, 2, 3], "denominator": [5, 4, 3],
    })
    spec = charts.township_map(townships, "zh_CN", value_col="value", value_title="建会率").to_dict()
    image = Image.open(io.BytesIO(chart_png(spec, width=500)))
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 20  # filled shapes in a colour scale, not an empty frame


def test_the_overview_trend_charts_render_with_dates_in_their_data():
    """The foundings and rates charts carry Python dates in their inline data: the PNG (下载图片)
    must still render (it failed with "unsupported type date" before; issue 17)."""
    import datetime as dt

    import pandas as pd

    from dashboard import charts
    from dashboard.exports.png import chart_png

    quarters = pd.DataFrame({"quarter_start": [dt.date(2025, 1, 1), dt.date(2025, 4, 1)], "label": ["2025Q1", "2025Q2"],
                             "new_unions": [3, 5]})
    series = pd.DataFrame({"as_of": [dt.date(2025, 6, 30), dt.date(2025, 12, 31)], "metric": ["union_coverage"] * 2,
                           "value": [0.9, 0.92]})
    for spec in (charts.foundings_chart(quarters, "zh_CN").to_dict(), charts.rates_chart(series, "zh_CN").to_dict()):
        png = chart_png(spec)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def test_a_caption_under_the_chart_says_title_date_and_scope(monkeypatch):
    """The title, the as-of date and the scope go under the chart (the spec's title and subtitle,
    orient bottom, in the CJK font): the image is taller by them, the rest unchanged."""
    import vl_convert as vlc

    spec = _bar()
    title, note = "组建模式分布", "统计截至 2026年11月24日 · 范围：甲镇、乙乡"
    plain = Image.open(io.BytesIO(chart_png(spec, width=640)))
    captioned = Image.open(io.BytesIO(chart_png(spec, width=640, title=title, note=note)))
    grown = captioned.size[1] - plain.size[1]
    assert 2 * (15 + 12) <= grown <= 2 * (15 + 12 + 16 + 5 + 2 * 12 + 20)  # two lines, offset, padding at 2×
    assert captioned.size[0] >= plain.size[0]
    # the caption is drawn in ink under the plot: dark pixels in the added band at the bottom
    band = captioned.convert("L").crop((0, plain.size[1], captioned.size[0], captioned.size[1]))
    assert band.getextrema()[0] < 60

    sent = []
    real = vlc.vegalite_to_png
    monkeypatch.setattr(vlc, "vegalite_to_png", lambda s, **kw: sent.append(s) or real(s, **kw))
    chart_png(spec, width=640, title=title, note=note)
    caption = sent[0]["title"]
    family = fonts.cjk_font().family
    assert (caption["text"], caption["subtitle"], caption["orient"]) == (title, note, "bottom")
    assert caption["font"].startswith(family) and caption["subtitleFont"].startswith(family)
    assert "title" not in printable_spec(spec) and "title" not in spec  # no caption unless asked; spec untouched


def test_every_chart_kind_takes_a_caption():
    """Layered charts, maps and charts with dates render with the caption too."""
    import datetime as dt
    import json

    from seed_data.geo import load_demo_geojson

    features = load_demo_geojson()["features"][:3]
    townships = pd.DataFrame({
        "code": [f["properties"]["code"] for f in features], "name": [f["properties"]["name"] for f in features],
        "boundary_geojson": [json.dumps(f["geometry"]) for f in features],
        "value": [0.2, 0.5, 0.9], "numerator": [1, 2, 3], "denominator": [5, 4, 3],
    })
    quarters = pd.DataFrame({"quarter_start": [dt.date(2025, 1, 1), dt.date(2025, 4, 1)], "label": ["2025Q1", "2025Q2"],
                             "new_unions": [3, 5]})
    series = pd.DataFrame({"as_of": [dt.date(2025, 6, 30), dt.date(2025, 12, 31)], "metric": ["union_coverage"] * 2,
                           "value": [0.9, 0.92]})
    for spec in (charts.township_map(townships, "zh_CN", value_col="value", value_title="建会率").to_dict(),
                 charts.foundings_chart(quarters, "zh_CN").to_dict(), charts.rates_chart(series, "zh_CN").to_dict()):
        plain = chart_svg_size(spec, width=500)
        w, h = chart_svg_size(spec, width=500, title="标题", note="统计截至 2026年11月24日 · 范围：全区")
        assert h >= plain[1] + 27 and w >= plain[0]
        image = Image.open(io.BytesIO(chart_png(spec, width=500, title="标题", note="统计截至 2026年11月24日 · 范围：全区")))
        assert abs(image.size[1] - 2 * h) <= 2
