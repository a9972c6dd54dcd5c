"""The presentation mode's view layer: pure, no database and no Streamlit — small inputs built by
hand, the slides' words and statuses checked in both locales."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard.charts import DARK_BG
from dashboard.queries.coverage import COVERAGE_COLUMNS
from dashboard.queries.followup import ItemCounts
from dashboard.views import present as view
from dashboard.views.overview import CampaignView, KpiCard
from dashboard.views.status import DUE_SOON_DAYS, HEX

D = dt.date


def test_heading_line_in_both_locales():
    line = view.heading_line(district="示范区", scope_label="越北镇", as_of=D(2002, 12, 31), slide=1, slides=5,
                             demo=True, loc="zh_CN")
    assert line == "示范区 · 越北镇 · 统计截至 2002年12月31日 · 2 / 5 · 演示数据 / demo data"
    en = view.heading_line(district="Demo", scope_label="Whole district", as_of=D(2002, 12, 31), slide=0, slides=5,
                           demo=False, loc="en")
    assert en == "Demo · Whole district · As of 2002-12-31 · 1 / 5"


def card(delta: str | None, change: float | None, higher_is_better: bool = True, kind: str = "union") -> KpiCard:
    return KpiCard(key="union_coverage", label="建会率", value="83.3%", detail="585 / 702 家", delta=delta,
                   definition="定义", kind=kind, change=change, higher_is_better=higher_is_better)


def test_kpi_tiles_say_the_change_on_a_year_earlier_and_colour_it():
    up, down, none = view.kpi_tiles([card("+1.2 个百分点", 0.012), card("-0.5 个百分点", -0.005), card(None, None)],
                                    "zh_CN")
    assert up.delta == "较上年同期 +1.2 个百分点" and up.delta_good is True and up.kind == "union"
    assert up.label == "建会率" and up.value == "83.3%" and up.detail == "585 / 702 家" and up.definition == "定义"
    assert down.delta_good is False
    assert none.delta is None and none.delta_good is None
    (en,) = view.kpi_tiles([card("+1.2 pp", 0.012)], "en")
    assert en.delta == "+1.2 pp on a year earlier"


def counts(*rows) -> pd.DataFrame:
    out = []
    for tid, name, operating, unionised in rows:
        row = dict.fromkeys(COVERAGE_COLUMNS, 0)
        row.update(operating=operating, unionised=unionised)
        out.append({"township_id": tid, "code": f"T{tid}", "name": name, **row})
    return pd.DataFrame(out)


def test_map_ranking_highest_first_empty_townships_last_and_at_most_twelve():
    headers, rows = view.map_ranking(counts((1, "越北镇", 43, 37), (2, "清林乡", 0, 0), (3, "双河镇", 10, 10)), "zh_CN")
    assert headers == ["乡镇/街道", "建会率", "分子 / 分母"]
    assert rows == [["双河镇", "100.0%", "10 / 10"], ["越北镇", "86.0%", "37 / 43"], ["清林乡", "—", "0 / 0"]]
    many = counts(*((i, f"T{i}", 10, i % 10) for i in range(20)))
    headers, rows = view.map_ranking(many, "en")
    assert headers == ["Township", "Union coverage", "numerator / denominator"]
    assert len(rows) == view.MAP_RANK_ROWS == 12 and rows[0][1] == "90.0%"


def test_action_tiles_open_overdue_due_soon_done():
    tiles = view.action_tiles(ItemCounts(total=20, done=8, open=12, overdue=3, due_soon=2), "zh_CN")
    assert [(x.label, x.value, x.kind) for x in tiles] == [("未办结", "12", ""), ("逾期", "3", "red"),
                                                         ("临期", "2", "amber"), ("已办结", "8", "green")]
    assert tiles[2].detail == f"{DUE_SOON_DAYS} 天内到期"
    calm = view.action_tiles(ItemCounts(total=2, done=2, open=0, overdue=0, due_soon=0), "en")
    assert [x.kind for x in calm] == ["", "green", "green", "green"]
    assert calm[2].detail == f"due within {DUE_SOON_DAYS} days" and calm[1].label == "Overdue"


def test_action_rows_carry_a_status_word_with_its_colour():
    items = pd.DataFrame({"description": ["走访业裕", "复核台账", "已办"], "owner": ["越北镇党委", "区总工会", "x"],
                          "due_on": [D(2026, 11, 1), D(2026, 11, 30), D(2026, 12, 30)],
                          "days_overdue": [23, 0, 0], "label": ["overdue", "due_soon", "on_track"]})
    headers, rows = view.action_rows(items, "zh_CN")
    assert headers == ["状态", "事项", "责任单位", "期限", "逾期天数"]
    assert rows == [[view.Status("逾期", "red"), "走访业裕", "越北镇党委", "2026年11月1日", "23 天"],
                    [view.Status("临期", "amber"), "复核台账", "区总工会", "2026年11月30日", ""]]
    assert rows[0][0].hex == view.STATUS_HEX["red"]
    _, en = view.action_rows(items, "en")
    assert en[0][0] == view.Status("Overdue", "red") and en[0][3] == "2026-11-01" and en[0][4] == "23 days"
    assert en[1][0].text == "Due soon"


def test_palettes():
    assert view.palette(True).bg == DARK_BG and view.palette(True).union == HEX["union_dark"]
    assert view.palette(False).union == HEX["union"] and view.palette(False).bg == "#FFFFFF"
    assert set(view.STATUS_HEX) == {"red", "amber", "green"}


def test_campaign_line():
    c = CampaignView(name="百日攻坚", start="2002年5月1日", end="2002年8月31日", title="", definition="", zones=())
    assert view.campaign_line(c) == "百日攻坚 · 2002年5月1日 — 2002年8月31日"


def detail(**kw):
    base = dict(union_founded_on=D(1998, 3, 1), party_founded_on=None, one_person=True,
                story=lambda loc: "第一段。\n\n第二段。" if loc == "zh_CN" else None,
                honours=pd.DataFrame({"title": [f"先进{i}" for i in range(8)], "level": ["municipal"] * 8,
                                      "year": list(range(2000, 2008))}))
    return SimpleNamespace(**{**base, **kw})


def test_model_facts_story_and_honours():
    d = detail()
    assert view.model_facts(d, "zh_CN") == [["工会成立", "1998年3月1日"], ["一肩挑", "党组织书记兼任工会主席（一肩挑）"]]
    assert [f[0] for f in view.model_facts(d, "en")] == ["Union founded", "One person, two posts"]
    assert view.model_facts(detail(union_founded_on=None, one_person=False), "en") == []
    assert view.model_story(d, "zh_CN") == "第一段。" and view.model_story(d, "en") == ""
    headers, rows = view.honour_rows(d, "zh_CN")
    assert headers == ["荣誉", "级别", "年份"] and len(rows) == 6 and rows[0] == ["先进0", "市级", "2000"]
    assert view.honour_rows(d, "en")[1][0] == ["先进0", "Municipal", "2000"]


@pytest.mark.parametrize("loc", ["zh_CN", "en"])
def test_every_slide_word_exists_in_both_locales(loc):
    tiles = view.action_tiles(ItemCounts(total=1, done=0, open=1, overdue=1, due_soon=0), loc)
    assert all(x.label and x.detail for x in tiles)
    assert "{" not in "".join(x.detail for x in tiles)
