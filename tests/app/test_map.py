"""AppTest of the coverage map page: every township on the map, a click sets the filter, scope."""

from __future__ import annotations

import json

from tests.app.test_overview import run


def map_page(user="leader", **params):
    at = run(_user=user, **params)
    at.switch_page("app_pages/coverage_map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_features(at) -> list[dict]:
    """The features drawn by the (first) map chart, read from its Vega-Lite spec."""
    charts = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"] or \
        [n for n in at.get("vega_lite_chart")]
    spec = json.loads(charts[0].proto.spec)
    values = []
    for layer in spec.get("layer", [spec]):
        data = layer.get("data") or spec.get("data") or {}
        if "values" in data:
            values = data["values"]
        elif "name" in data and data["name"] in spec.get("datasets", {}):
            values = spec["datasets"][data["name"]]
        if values:
            break
    if not values and spec.get("datasets"):
        values = next(iter(spec["datasets"].values()))
    return values


def test_every_township_gets_a_value_on_the_map_and_in_the_tiles(app_env):
    at = map_page(asof="2002-12-31", base="all")
    features = chart_features(at)
    assert len(features) == 10
    assert all(f["properties"]["value"] is not None and 0 < f["properties"]["value"] <= 1 for f in features)
    yb = next(f for f in features if f["properties"]["code"] == "YB")
    assert (yb["properties"]["num"], yb["properties"]["den"]) == (37, 43)
    tiles = at.dataframe[0].value
    assert len(tiles) == 10 and "—" not in set(tiles.iloc[:, 1])


def test_a_click_on_a_township_sets_the_filter_and_the_url(app_env):
    at = map_page(asof="2002-12-31", base="all")
    at.session_state["map_select"] = {"selection": {"pick": [{"code": "QL"}]}}  # what a click sends
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["QL"]
    assert at.query_params["town"] in ("QL", ["QL"])
    assert any("青岚街道" in m.value for m in at.markdown if "乡镇下钻" in m.value)


def test_metric_selector_changes_the_values(app_env):
    at = map_page(asof="2002-12-31", base="all")
    before = {f["properties"]["code"]: f["properties"]["value"] for f in chart_features(at)}
    at.segmented_control(key="map_metric").set_value("should_build").run()
    after = {f["properties"]["code"]: f["properties"]["value"] for f in chart_features(at)}
    assert after != before and all(float(v).is_integer() for v in after.values())
    assert sum(after.values()) == 28  # 应建未建 at the end of 2002, district-wide


def test_drill_down_lists_gap_enterprises_with_next_steps(app_env):
    at = map_page(asof="2002-12-31", base="all", town=["YB"])
    gaps = at.dataframe[1].value
    assert len(gaps) == 2 and set(gaps["乡镇/街道"]) == {"越北镇"}
    # 越北镇's two 应建未建 enterprises at the end of 2002 have no union: both organisations are missing
    assert set(gaps["建议下一步"]) == {"组建工会并组建党支部"}


def test_township_user_sees_only_its_township_on_the_map(app_env):
    at = map_page(user="yuebei", asof="2002-12-31", base="all")
    features = chart_features(at)
    assert [f["properties"]["code"] for f in features] == ["YB"]
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["越北镇"]
    at.session_state["map_select"] = {"selection": {"pick": [{"code": "QL"}]}}  # a crafted selection
    at.run()
    assert at.sidebar.multiselect[0].value == []  # QL is not in the user's scope: ignored


def test_map_page_in_english(app_env):
    at = map_page(asof="2002-12-31", base="all", town=["YB"], lang="en")
    tiles = at.dataframe[0].value
    assert list(tiles.columns) == ["Township", "Union coverage", "numerator / denominator", "Boundary"]
    assert tiles.loc[tiles["Township"] == "越北镇", "numerator / denominator"].iloc[0] == "37 / 43"
    gaps = at.dataframe[1].value
    assert set(gaps["Suggested next step"]) == {"Found a union and set up a Party branch"}
    assert at.tabs[0].label == "Qualified, no Party org (2)"
