"""The overview and map chart builders (``dashboard/charts/__init__.py``), tested on the Vega-Lite
spec they produce: marks, encodings, fields, titles in both languages, colours, the CJK font,
and what an empty frame gives. No Streamlit, no database."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard import charts
from models.enums import Pattern

D = dt.date
PATTERNS_ZH = ["一会一支", "一会一员", "仅有工会", "未建会", "应建未建"]
PATTERNS_EN = ["Union + branch", "Union + liaison", "Union only", "No union", "Qualified, no Party org"]


def data(spec: dict) -> list[dict]:
    """The rows of a spec's (single) inline dataset."""
    if "datasets" not in spec:
        return spec["data"]["values"]
    (rows,) = spec["datasets"].values()
    return rows


def assert_cjk_config(spec: dict) -> None:
    config = spec["config"]
    assert config["font"] == charts.FONT and "Noto Sans SC" in charts.FONT
    for part in ("axis", "legend"):
        assert config[part]["labelFont"] == config[part]["titleFont"] == charts.FONT


def colour_of(encoding: dict) -> dict[str, str]:
    scale = encoding["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


# --------------------------------------------------------------------------- pattern_bar


def test_pattern_bar_one_bar_per_pattern_in_the_design_order_with_its_colour():
    counts = {Pattern.UNION_AND_BRANCH: 5, Pattern.NO_UNION: 2, Pattern.SHOULD_BUILD: 1}
    spec = charts.pattern_bar(counts, "zh_CN").to_dict()
    assert_cjk_config(spec)
    bars, labels = spec["layer"]
    assert bars["mark"]["type"] == "bar" and labels["mark"]["type"] == "text"
    enc = bars["encoding"]
    assert enc["y"]["field"] == "pattern" and enc["y"]["sort"] == PATTERNS_ZH and enc["y"]["title"] is None
    assert (enc["x"]["field"], enc["x"]["title"]) == ("count", "企业数")
    assert colour_of(enc) == {label: charts.PATTERN_COLOURS[p] for label, p in zip(PATTERNS_ZH, Pattern, strict=True)}
    assert colour_of(enc)["一会一支"] == charts.PARTY_RED and colour_of(enc)["仅有工会"] == charts.UNION_BLUE
    assert enc["color"]["legend"] is None  # the axis names the bars
    assert [t["title"] for t in enc["tooltip"]] == ["模式", "企业数", "%"]
    assert labels["encoding"]["text"] == {"field": "count", "format": ",", "type": "quantitative"}
    rows = data(spec)
    assert [(r["key"], r["pattern"], r["count"]) for r in rows] == [
        ("union_and_branch", "一会一支", 5), ("union_and_liaison", "一会一员", 0), ("union_only", "仅有工会", 0),
        ("no_union", "未建会", 2), ("should_build", "应建未建", 1)]
    assert [r["share"] for r in rows] == pytest.approx([5 / 8, 0, 0, 2 / 8, 1 / 8])
    assert spec["height"] == 200


def test_pattern_bar_in_english_and_with_no_enterprise_at_all():
    spec = charts.pattern_bar({}, "en").to_dict()
    bars = spec["layer"][0]["encoding"]
    assert bars["y"]["sort"] == PATTERNS_EN and bars["x"]["title"] == "Enterprises"
    assert [t["title"] for t in bars["tooltip"]] == ["Pattern", "Enterprises", "%"]
    rows = data(spec)
    assert [r["pattern"] for r in rows] == PATTERNS_EN
    assert all(r["count"] == 0 and r["share"] == 0 for r in rows)  # five empty bars, no division by zero


# --------------------------------------------------------------------------- foundings_chart


FOUNDINGS = pd.DataFrame({"quarter": [D(2025, 1, 1), D(2025, 4, 1)], "label": ["2025Q1", "2025Q2"],
                          "new_unions": [1, 2], "new_members": [35, 20]})


@pytest.mark.parametrize(("locale", "titles"), [
    ("zh_CN", ("季度", "新建工会", "新增会员")), ("en", ("Quarter", "New unions", "New members"))])
def test_foundings_chart_bars_of_unions_and_a_line_of_members_on_two_axes(locale, titles):
    quarter, unions, members = titles
    spec = charts.foundings_chart(FOUNDINGS, locale).to_dict()
    assert_cjk_config(spec)
    bars, line = spec["layer"]
    assert (bars["mark"]["type"], bars["mark"]["color"]) == ("bar", charts.UNION_BLUE)
    assert (line["mark"]["type"], line["mark"]["color"]) == ("line", charts.PARTY_RED)
    for layer in (bars, line):
        x = layer["encoding"]["x"]
        assert (x["field"], x["type"], x["title"]) == ("quarter", "temporal", quarter)
        assert [t["title"] for t in layer["encoding"]["tooltip"]] == [quarter, unions, members]
    assert (bars["encoding"]["y"]["field"], bars["encoding"]["y"]["title"]) == ("new_unions", unions)
    assert bars["encoding"]["y"]["axis"]["titleColor"] == charts.UNION_BLUE
    assert (line["encoding"]["y"]["field"], line["encoding"]["y"]["title"]) == ("new_members", members)
    assert line["encoding"]["y"]["axis"]["titleColor"] == charts.PARTY_RED
    assert spec["resolve"] == {"scale": {"y": "independent"}}  # two y axes
    assert [(r["label"], r["new_unions"], r["new_members"]) for r in data(spec)] == [("2025Q1", 1, 35),
                                                                                   ("2025Q2", 2, 20)]


def test_foundings_chart_of_an_empty_frame_has_no_rows():
    spec = charts.foundings_chart(FOUNDINGS.iloc[0:0], "zh_CN").to_dict()
    assert data(spec) == [] and len(spec["layer"]) == 2


# --------------------------------------------------------------------------- rates_chart


SERIES = pd.DataFrame({
    "date": [D(2024, 12, 31)] * 4 + [D(2025, 6, 30)] * 4,
    "metric": ["union_coverage", "party_coverage", "work_coverage", "qualified_built"] * 2,
    "value": [0.5, 0.25, None, 0.0, 1.0, 1 / 3, 1 / 3, 1.0],
})


def test_rates_chart_one_line_per_kpi_in_its_colour_with_labels_in_the_locale():
    spec = charts.rates_chart(SERIES, "zh_CN").to_dict()
    assert_cjk_config(spec)
    assert spec["mark"] == {"type": "line", "point": True}
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"], enc["x"]["title"]) == ("date", "temporal", "日期")
    assert (enc["y"]["field"], enc["y"]["title"], enc["y"]["axis"]["format"]) == ("value", "比率", "%")
    assert enc["y"]["scale"]["domain"] == [0, 1]
    assert (enc["color"]["field"], enc["color"]["title"]) == ("label", "指标")
    assert colour_of(enc) == {"建会率": charts.UNION_BLUE, "党组织覆盖率": charts.PARTY_RED,
                              "工作覆盖率": charts.METRIC_COLOURS["work_coverage"],
                              "应建已建率": charts.METRIC_COLOURS["qualified_built"]}
    assert [t["title"] for t in enc["tooltip"]] == ["日期", "指标", "比率"]
    rows = data(spec)
    assert [r["label"] for r in rows[:4]] == ["建会率", "党组织覆盖率", "工作覆盖率", "应建已建率"]
    assert rows[2]["value"] is None or rows[2]["value"] != rows[2]["value"]  # no rate: a gap in the line
    series = SERIES.copy()
    charts.rates_chart(series, "en")
    assert series.equals(SERIES)  # the caller's frame is not changed


def test_rates_chart_in_english_keeps_only_the_metrics_it_is_given():
    only_two = SERIES[SERIES["metric"].isin(["party_coverage", "union_coverage"])]
    enc = charts.rates_chart(only_two, "en").to_dict()["encoding"]
    assert enc["x"]["title"] == "Date" and enc["y"]["title"] == "Rate" and enc["color"]["title"] == "Metric"
    assert colour_of(enc) == {"Union coverage": charts.UNION_BLUE, "Party org coverage": charts.PARTY_RED}
    empty = charts.rates_chart(SERIES.iloc[0:0], "en").to_dict()
    assert data(empty) == [] and colour_of(empty["encoding"]) == {}


# --------------------------------------------------------------------------- township_map and its geometry


def ring(x0: float, y0: float, clockwise: bool = False) -> list[list[float]]:
    pts = [[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1], [x0, y0 + 1], [x0, y0]]  # counter-clockwise
    return list(reversed(pts)) if clockwise else pts


def polygon(x0: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [ring(x0, 0)]})


TOWNSHIPS = pd.DataFrame({"code": ["A", "B", "C"], "name": ["甲镇", "乙乡", "丙街道"],
                          "boundary_geojson": [polygon(0), polygon(2), None], "value": [0.5, float("nan"), 0.1],
                          "numerator": [1, 0, 1], "denominator": [2, 0, 10]})


def test_map_one_shape_per_township_with_a_boundary_and_its_value():
    spec = charts.township_map(TOWNSHIPS, "zh_CN", value_col="value", value_title="建会率").to_dict()
    assert_cjk_config(spec)
    assert spec["projection"] == {"type": "mercator"} and spec["height"] == 260
    features = data(spec)
    assert [f["properties"]["code"] for f in features] == ["A", "B"]  # 丙街道 has no boundary
    a, b = (f["properties"] for f in features)
    assert (a["name"], a["value"], a["num"], a["den"]) == ("甲镇", 0.5, 1, 2)
    assert (a["lon"], a["lat"]) == (pytest.approx(0.5, abs=1e-3), pytest.approx(0.5, abs=1e-3))  # the square's centre
    assert b["value"] is None  # NaN becomes no value (drawn without a colour), not 0
    shapes, labels = spec["layer"]
    assert shapes["mark"]["type"] == "geoshape"
    enc = shapes["encoding"]
    assert (enc["color"]["field"], enc["color"]["title"]) == ("properties.value", "建会率")
    # the lowest value a light tint, never white (issue 17: 87.8 % looked like nothing)
    assert enc["color"]["scale"] == {"scheme": {"name": "blues", "extent": [0.25, 1]}}
    assert enc["color"]["legend"]["format"] == ".1%"
    assert [t["title"] for t in enc["tooltip"]] == ["乡镇/街道", "建会率", "分子", "分母"]
    assert enc["stroke"] == {"value": "white"} and enc["opacity"] == {"value": 1}  # nothing selected: none dimmed
    assert [p["name"] for p in spec["params"]] == ["lfs"]  # the label size only: not clickable
    # township names on top and each value under its name, with a white halo, each only when it fits
    halo, text, value_halo, value = labels["layer"]
    assert halo["mark"]["stroke"] == "white" and text["mark"]["type"] == "text"
    assert text["encoding"]["text"]["field"] == "label" and value["encoding"]["text"]["field"] == "value_label"
    assert (text["encoding"]["longitude"]["field"], text["encoding"]["latitude"]["field"]) == (
        "properties.lon", "properties.lat")
    assert text["mark"]["fontSize"] == {"expr": "lfs"} and value["mark"]["dy"] == {"expr": "0.7 * lfs"}
    assert value_halo["mark"]["stroke"] == "white"
    assert (a["short"], a["rw"], a["rh"]) == ("甲镇", pytest.approx(1 / 3, abs=1e-3), pytest.approx(1, abs=1e-2))


def test_map_outlines_the_selected_townships_and_a_click_selects_one():
    spec = charts.township_map(TOWNSHIPS, "en", value_col="value", value_title="Union coverage", fmt=".0%",
                               selected=("B",), selectable=True, scheme="reds", height=500, label_size=20).to_dict()
    enc = spec["layer"][0]["encoding"]
    assert enc["stroke"]["condition"] == {"test": {"field": "code", "oneOf": ["B"]}, "value": "#111827"}
    assert enc["strokeWidth"]["condition"]["value"] == 4 and enc["strokeWidth"]["value"] == 1.5
    assert enc["color"]["scale"] == {"scheme": {"name": "reds", "extent": [0.25, 1]}}
    assert enc["color"]["legend"]["format"] == ".0%"
    assert [t["title"] for t in enc["tooltip"]] == ["Township", "Union coverage", "numerator", "denominator"]
    (param,) = [p for p in spec["params"] if p["name"] != "lfs"]
    assert param["name"] == charts.MAP_SELECTION and param["select"] == {"type": "point", "fields": ["code"],
                                                                         "on": "click"}
    assert spec["height"] == 500 and "min(20," in next(p["expr"] for p in spec["params"] if p["name"] == "lfs")
    # the townships outside the filter dimmed, their labels fainter
    assert enc["opacity"]["condition"] == {"test": {"field": "code", "oneOf": ["B"]}, "value": 1}
    assert enc["opacity"]["value"] == charts.DIMMED


def test_map_labels_fit_their_shapes_at_every_width():
    """Issue 17: the names overlapped on a narrow map. Drawn by Vega (vl-convert's SVG) at a phone's
    and a desktop's width: every name written is the full or the short name (越北镇 → 越北), its
    width at the drawn size within its shape's room; narrow maps shorten or drop them, wide ones
    show every name and value."""
    import re

    import vl_convert as vlc

    from seed_data.geo import load_demo_geojson

    features = load_demo_geojson()["features"]
    towns = pd.DataFrame({"code": [f["properties"]["code"] for f in features],
                          "name": [f["properties"]["name"] for f in features],
                          "boundary_geojson": [json.dumps(f["geometry"]) for f in features],
                          "value": [0.878 + 0.01 * i for i in range(len(features))], "numerator": 1, "denominator": 2})
    spec = charts.township_map(towns, "zh_CN", value_col="value", value_title="建会率").to_dict()
    names = set(towns["name"])
    shown = {}
    for width in (140, 220, 700):
        svg = vlc.vegalite_to_svg({**spec, "width": width})
        words = [w for w in re.findall(r"<text[^>]*>([^<]+)</text>", svg)]
        shown[width] = ({w for w in words if w in names}, {w for w in words if w in {charts.short_name(n) for n in names}},
                        {w for w in words if re.fullmatch(r"\d+\.\d%", w)})
    full_700, short_700, values_700 = shown[700]
    assert full_700 == names and not (short_700 - names)  # wide: every full name …
    assert len(values_700) >= len(names)  # … and every value (legend ticks may add more)
    full_140, short_140, _ = shown[140]
    assert len(full_140) < len(names) and short_140  # narrow: shortened (or left out), never all in full
    assert charts.short_name("青岚街道") == "青岚" and charts.short_name("越北镇") == "越北"
    assert charts.short_name("镇") == "镇" and charts.short_name("Hill Town") == "Hill Town"


def test_map_without_any_boundary_is_an_empty_map():
    none = TOWNSHIPS.assign(boundary_geojson=[None, "", None])
    assert data(charts.township_map(none, "zh_CN", value_col="value", value_title="x").to_dict()) == []


def test_exterior_rings_are_wound_clockwise_for_vega_and_holes_the_other_way():
    ccw = ring(0, 0)
    got = charts.for_vega({"type": "Polygon", "coordinates": [ccw, ring(0.2, 0.2)]})["coordinates"]
    assert got[0] == list(reversed(ccw))  # RFC 7946 (counter-clockwise) → clockwise
    assert got[1] == ring(0.2, 0.2)  # a hole: counter-clockwise
    cw = ring(0, 0, clockwise=True)
    assert charts.for_vega({"type": "Polygon", "coordinates": [cw]})["coordinates"] == [cw]  # already right
    multi = charts.for_vega({"type": "MultiPolygon", "coordinates": [[ccw], [ring(5, 5, clockwise=True)]]})
    assert multi == {"type": "MultiPolygon", "coordinates": [[list(reversed(ccw))], [ring(5, 5, clockwise=True)]]}
    with pytest.raises(ValueError, match="Point"):
        charts.for_vega({"type": "Point", "coordinates": [0, 0]})


def test_the_label_sits_inside_the_largest_part_of_a_township():
    from shapely.geometry import Point, shape

    small, big = ring(10, 10), [[0, 0], [4, 0], [4, 2], [2, 3], [0, 2], [0, 0]]
    lon, lat = charts._label_point({"type": "Polygon", "coordinates": [ring(0, 0)]})
    assert lon == pytest.approx(0.5, abs=1e-3) and lat == pytest.approx(0.5, abs=1e-3)
    multi = {"type": "MultiPolygon", "coordinates": [[small], [big]]}
    assert shape({"type": "Polygon", "coordinates": [big]}).contains(Point(charts._label_point(multi)))
    # a U shape: the mean of its ring falls in the gap between the arms, the label does not
    u = [[0, 0], [6, 0], [6, 6], [4, 6], [4, 2], [2, 2], [2, 6], [0, 6], [0, 0]]
    assert shape({"type": "Polygon", "coordinates": [u]}).contains(Point(charts._label_point(
        {"type": "Polygon", "coordinates": [u]})))


# --------------------------------------------------------------------------- for_screen


def test_for_screen_enlarges_the_type_and_darkens_a_copy():
    spec = charts.pattern_bar({Pattern.NO_UNION: 3}, "zh_CN").to_dict()
    original = json.dumps(spec, sort_keys=True, default=str)
    big = charts.for_screen(spec, font_scale=2.0)
    assert big["config"]["axis"]["labelFontSize"] == big["config"]["axis"]["titleFontSize"] == 24
    assert big["config"]["legend"]["gradientLength"] == 400 and big["config"]["legend"]["gradientThickness"] == 32
    assert big["config"]["font"] == charts.FONT and "background" not in big["config"]
    assert big["layer"] == spec["layer"]
    dark = charts.for_screen(spec, dark=True)
    assert dark["config"]["background"] == "transparent"
    assert dark["config"]["axis"]["labelColor"] == charts.DARK_TEXT and dark["config"]["axis"]["labelFontSize"] == 12
    assert dark["config"]["legend"]["titleColor"] == charts.DARK_MUTED
    assert dark["config"]["text"]["color"] == charts.DARK_TEXT
    assert json.dumps(spec, sort_keys=True, default=str) == original  # the input spec is unchanged
