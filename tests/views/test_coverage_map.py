"""The coverage map's view layer: pure, no database and no Streamlit — small frames built by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.queries.coverage import MAP_METRICS
from dashboard.views import coverage_map as view
from models.enums import Base, Pattern

SQUARE = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}'


def values(rate: bool = True) -> pd.DataFrame:
    """``township_map_frame`` for three townships, the last one without a boundary."""
    return pd.DataFrame({
        "township_id": [1, 2, 3], "code": ["YB", "QL", "YG"], "name": ["越北镇", "青岚街道", "云岗镇"],
        "boundary_geojson": [SQUARE, SQUARE, None],
        "value": [37 / 43, None, 0.5] if rate else [2.0, 0.0, 1.0],
        "numerator": [37, 0, 1200] if rate else [2, 0, 1], "denominator": [43, 0, 2400] if rate else [2, 0, 1],
    })


def test_every_metric_has_a_name_a_scheme_and_a_definition():
    assert set(view.METRICS) == set(MAP_METRICS) and set(view.MAP_SCHEMES) == set(view.METRICS)
    for loc in ("zh_CN", "en"):
        for m in view.METRICS:
            v = view.metric_view(m, loc)
            assert v.title and v.definition and v.scheme == view.MAP_SCHEMES[m] and view.metric_name(m, loc)


@pytest.mark.parametrize(("loc", "name", "title"), [("zh_CN", "应建未建", "应建未建（家）"),
                                                    ("en", "Qualified, no Party org", "Qualified, no Party org (count)")])
def test_the_gap_count_is_a_count_not_a_rate(loc, name, title):
    v = view.metric_view("should_build", loc)
    assert (v.is_rate, v.fmt, v.scheme, v.title) == (False, ",d", "oranges", title)
    assert view.metric_name("should_build", loc) == name


def test_rates_are_rates_in_their_organisations_colour():
    union = view.metric_view("union_coverage", "zh_CN")
    assert (union.is_rate, union.fmt, union.scheme, union.title) == (True, ".1%", "blues", "建会率")
    assert view.metric_view("party_coverage", "en").scheme == "reds"
    assert view.metric_name("union_coverage", "en") == "Union coverage"


def test_tiles_in_chinese():
    df = view.tiles_frame(values(), "union_coverage", "zh_CN")
    assert list(df.columns) == ["乡镇/街道", "建会率", "分子 / 分母", "边界"]
    assert df.iloc[0].tolist() == ["越北镇", "86.0%", "37 / 43", "有"]
    assert df.iloc[1].tolist() == ["青岚街道", "—", "0 / 0", "有"]  # no operating enterprise: no rate
    assert df.iloc[2].tolist() == ["云岗镇", "50.0%", "1,200 / 2,400", "无边界"]


def test_tiles_in_english_for_a_count():
    df = view.tiles_frame(values(rate=False), "should_build", "en")
    assert list(df.columns) == ["Township", "Qualified, no Party org (count)", "numerator / denominator", "Boundary"]
    assert df.iloc[:, 1].tolist() == ["2", "0", "1"] and df["Boundary"].tolist() == ["yes", "yes", "none"]


def test_boundaries_missing_and_schematic():
    assert view.boundary_missing(values()) == ["云岗镇"]
    towns = pd.DataFrame({"boundary_geojson": [SQUARE, None], "boundary_is_schematic": [False, True]})
    assert not view.is_schematic(towns)  # the schematic flag of a township without a boundary does not count
    assert view.is_schematic(towns.assign(boundary_is_schematic=[1, 0]))


def test_map_caption_both_locales():
    zh = view.map_caption("union_coverage", "zh_CN", schematic=True, base=Base.SANYOU)
    assert zh == ("已建工会（含独立建会与联合工会覆盖）的在营非公企业数 ÷ 在营非公企业总数。 "
                  "基数为三有企业：有固定经营场所、有正常经营活动、从业人员 10 人及以上的在营企业（党建基数）。 "
                  "点击乡镇即按该乡镇筛选（再次点击其他乡镇可切换）。 边界为示意，非真实行政区划。")
    en = view.map_caption("should_build", "en", schematic=False)
    assert en == ("Operating enterprises with 3 or more formal Party members and no Party organisation. "
                  "Base: every operating enterprise — registered, not deregistered, sole traders included. "
                  "Click a township to filter by it (click another to switch).")


def test_drill_names():
    towns = values()
    assert view.drill_names(towns, ("QL", "YB"), "zh_CN") == "越北镇、青岚街道"  # in the district's order
    assert view.drill_names(towns, (), "zh_CN") == "全区"
    assert view.drill_names(towns, (), "en") == "Whole district"


def test_pattern_caption_and_tab_labels():
    counts = {Pattern.UNION_AND_BRANCH: 7, Pattern.UNION_AND_LIAISON: 30, Pattern.UNION_ONLY: 0,
              Pattern.NO_UNION: 4, Pattern.SHOULD_BUILD: 1234}
    assert view.pattern_caption(counts, "zh_CN") == "一会一支 7 家 · 一会一员 30 家 · 仅有工会 0 家 · 未建会 4 家 · 应建未建 1,234 家"
    assert view.pattern_caption(counts, "en").startswith("Union + branch 7 enterprises · Union + liaison 30 enterprises")
    assert view.gap_tab_label(Pattern.SHOULD_BUILD, 1234, "zh_CN") == "应建未建（1,234）"
    assert view.gap_tab_label(Pattern.NO_UNION, 4, "en") == "No union (4)"
    assert view.GAPS == (Pattern.SHOULD_BUILD, Pattern.NO_UNION, Pattern.UNION_ONLY)


def gaps() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["甲公司", "乙公司", "丙公司"], "township_id": [1, 2, 99], "party_members": [3, 120, 0],
        "employees": [40, 900, 12], "barrier": ["owner_unwilling", None, "afraid"], "has_union": [False, True, True],
    })


def test_gap_frame_in_chinese():
    df = view.gap_frame(gaps(), Pattern.SHOULD_BUILD, {1: "越北镇", 2: "青岚街道"}, "zh_CN")
    assert list(df.columns) == ["企业", "乡镇/街道", "党员数", "职工数", "主要困难", "建议下一步"]
    assert df.iloc[0].tolist() == ["甲公司", "越北镇", 3, 40, "老板不愿建", "组建工会并组建党支部"]  # no union yet
    assert df.iloc[1].tolist()[1:] == ["青岚街道", 120, 900, "—", "组建党委"]
    assert df.iloc[2, 1] == "—"  # a township the user cannot see is never named


def test_gap_frame_in_english():
    df = view.gap_frame(gaps(), Pattern.UNION_ONLY, {1: "越北镇", 2: "青岚街道"}, "en")
    assert list(df.columns) == ["Enterprise", "Township", "Party members", "Employees", "Main difficulty",
                                "Suggested next step"]
    assert df["Suggested next step"].tolist() == ["Appoint an own Party member as liaison officer"] * 2 + [
        "Township committee dispatches a liaison officer"]  # no Party member of its own: one is dispatched
    assert df["Main difficulty"].tolist()[1] == "—" and df["Township"].tolist() == ["越北镇", "青岚街道", "—"]


def test_gap_more_text():
    assert view.gap_more_text(2, 2, "zh_CN") is None
    assert view.gap_more_text(200, 1234, "zh_CN") == "仅显示党员最多的 200 家（共 1,234 家）；完整清单见企业台账。"
    assert view.gap_more_text(200, 201, "en").startswith("Showing the 200 with the most Party members (of 201)")
