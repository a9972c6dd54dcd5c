"""The overview's view layer: pure, no database and no Streamlit — small inputs built by hand,
the labelled output checked in both locales."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.queries.campaigns import PROGRESS_COLUMNS
from dashboard.queries.coverage import COVERAGE_COLUMNS, MAP_METRICS, CoverageKpis, Rate
from dashboard.queries.followup import ItemCounts
from dashboard.views import overview as view
from dashboard.views.status import DUE_SOON_DAYS
from models.enums import Pattern

D = dt.date
AS_OF = D(2002, 12, 31)


def kpis(unionised=585, operating=702, members=(900, 1000), party=(300, 702), qualified=(52, 60), work=(400, 585),
         patterns=None) -> CoverageKpis:
    return CoverageKpis(
        as_of=AS_OF, operating=operating, union_coverage=Rate(unionised, operating), membership=Rate(*members),
        party_coverage=Rate(*party), qualified_built=Rate(*qualified), work_coverage=Rate(*work),
        patterns=patterns or {p: i for i, p in enumerate(Pattern, start=1)},
    )


# --------------------------------------------------------------------------- KPI cards

def test_five_kpi_cards_with_values_fractions_and_changes_in_chinese():
    now, prev = kpis(), kpis(unionised=500)
    cards = view.kpi_cards(now, prev, "zh_CN")
    assert [c.key for c in cards] == ["union_coverage", "membership", "party_coverage", "qualified_built",
                                      "work_coverage"]
    assert [c.label for c in cards] == ["建会率", "入会率", "党组织覆盖率", "应建已建率", "工作覆盖率"]
    first = cards[0]
    assert first.value == "83.3%" and first.detail == "585 / 702 家 · 全部在营"  # the base of the denominator
    assert first.delta == "+12.1 个百分点" and first.delta_good is True
    assert first.detail_text == "585 / 702 家 · 全部在营 · 变化较上年同期"  # the delta names what it compares with
    assert first.kind == "union" and cards[2].kind == "party"
    assert first.definition.startswith("已建工会")
    assert cards[1].detail == "900 / 1,000 人 · 全部在营"  # membership counts people
    assert cards[1].delta == "持平" and cards[1].delta_good is None  # no change: neither good nor bad news


def test_every_card_names_the_base_of_its_denominator_and_defines_it():
    """Issue 14 item 2: a figure shows which 党建基数 its denominator counts, next to the denominator,
    and the definition panel says what that base is (with the staff threshold in force)."""
    from dataclasses import replace

    from models.enums import Base

    cards = view.kpi_cards(replace(kpis(), base=Base.SANYOU), kpis(), "zh_CN")
    assert all(c.detail.endswith(" · 三有") for c in cards)
    assert all("三有企业" in c.full_definition and "10 人及以上" in c.full_definition for c in cards)
    assert all("三有企业" not in c.definition for c in cards)  # a slide's card: its heading names the base
    english = view.kpi_cards(kpis(), kpis(), "en")
    assert all(c.detail.endswith(" · all operating") for c in english)
    assert all("every operating enterprise" in c.full_definition for c in english)


def test_kpi_cards_in_english_and_a_fall_is_bad_news():
    cards = view.kpi_cards(kpis(unionised=500), kpis(), "en")
    assert cards[0].label == "Union coverage" and cards[0].detail == "500 / 702 enterprises · all operating"
    assert cards[0].delta == "-12.1 pp" and cards[0].delta_good is False
    assert cards[0].detail_text == "500 / 702 enterprises · all operating · change on a year earlier"


def test_a_delta_is_the_difference_of_the_rates_shown():
    """95.04% and 94.66% show as 95.0% and 94.7%: the delta says -0.3, not -0.4 (issue #14, item 6);
    12.81% and 12.84% both show as 12.8%: 持平, not "-0.0"."""
    from dashboard.i18n import fmt_pp_change, pp_shown

    assert pp_shown(0.9504, 0.9466) == -0.3 and fmt_pp_change(0.9504, 0.9466) == "-0.3 个百分点"
    assert fmt_pp_change(0.1281, 0.1284) == "持平" and fmt_pp_change(0.1281, 0.1284, "en") == "unchanged"
    assert fmt_pp_change(None, 0.5) is None
    now, prev = kpis(unionised=585), kpis(unionised=584)  # 83.33% and 83.19%: shown 83.3% and 83.2%
    card = view.kpi_cards(now, prev, "zh_CN")[0]
    assert (card.value, card.delta) == ("83.3%", "+0.1 个百分点") and card.change == 0.001


def test_no_change_without_a_denominator_a_year_earlier():
    cards = view.kpi_cards(kpis(), kpis(unionised=0, operating=0), "zh_CN")
    assert cards[0].delta is None and cards[0].change is None and cards[0].delta_good is None
    empty = view.kpi_cards(kpis(unionised=0, operating=0), kpis(), "en")
    assert empty[0].value == "—" and empty[0].delta is None


def test_overdue_card_red_when_any_and_fewer_is_good_news():
    items = ItemCounts(total=20, done=8, open=12, overdue=3, due_soon=2)
    card = view.overdue_card(items, "zh_CN", ItemCounts(total=15, done=5, open=10, overdue=5, due_soon=0))
    assert card.label == "逾期事项" and card.value == "3" and card.detail == "未办结 12 项，其中逾期 3 项"
    assert card.delta == "-2 较上年同期" and card.delta_good is True and card.kind == "red"
    assert not card.higher_is_better
    worse = view.overdue_card(items, "en", ItemCounts(total=1, done=0, open=1, overdue=1, due_soon=0))
    assert worse.delta == "+2 vs last year" and worse.delta_good is False
    same = view.overdue_card(items, "en", items)
    assert same.delta is None and same.delta_good is None
    none = view.overdue_card(ItemCounts(total=2, done=2, open=0, overdue=0, due_soon=0), "en")
    assert none.kind == "green" and none.delta is None


def test_the_overview_delta_names_the_day_it_compares_with():
    """Issue 17: the delta did not say what it compares with. With the earlier day given, the delta
    reads "+12.1 个百分点 · 较\u00a02001年12月31日" (sign first: Streamlit's arrow reads it), the small
    line keeps only the fraction; the big screen, calling without the day, is unchanged."""
    since = D(2001, 12, 31)
    first = view.kpi_cards(kpis(), kpis(unionised=500), "zh_CN", since)[0]
    assert first.delta == "+12.1 个百分点" and first.delta_text == "+12.1 个百分点 · 较\u00a02001年12月31日"
    assert first.detail == "585 / 702 家 · 全部在营"
    en = view.kpi_cards(kpis(unionised=500), kpis(), "en", since)[0]
    assert en.delta_text == "-12.1 pp · vs\u00a02001-12-31" and en.delta_good is False
    flat = view.kpi_cards(kpis(), kpis(), "zh_CN", since)[0]
    assert flat.delta_text == "持平 · 较\u00a02001年12月31日" and flat.delta_good is None
    none = view.kpi_cards(kpis(), kpis(unionised=0, operating=0), "zh_CN", since)[0]
    assert none.delta_text is None
    items = ItemCounts(total=20, done=8, open=12, overdue=3, due_soon=2)
    card = view.overdue_card(items, "zh_CN", ItemCounts(total=15, done=5, open=10, overdue=5, due_soon=0), since)
    assert card.delta_text == "-2 · 较\u00a02001年12月31日" and card.delta_good is True
    assert view.overdue_card(items, "en", items, since).delta_text is None  # no change: no delta
    assert view.kpi_cards(kpis(), kpis(unionised=500), "zh_CN")[0].delta_text == "+12.1 个百分点 · 变化较上年同期"


def test_pattern_line_in_the_order_of_the_patterns():
    patterns = {Pattern.UNION_AND_BRANCH: 7, Pattern.UNION_AND_LIAISON: 30, Pattern.UNION_ONLY: 1200,
                Pattern.NO_UNION: 4, Pattern.SHOULD_BUILD: 0}
    assert view.pattern_line(patterns, "zh_CN") == "一会一支 7 家 · 一会一员 30 家 · 仅有工会 1,200 家 · 未建会 4 家 · 应建未建 0 家"
    assert view.pattern_line(patterns, "en").startswith("Union + branch 7 enterprises · Union + liaison 30 enterprises")


def test_map_note_says_schematic_and_names_townships_without_a_boundary():
    townships = pd.DataFrame({"id": [1, 2, 3], "boundary_geojson": ["{}", "{}", None],
                              "boundary_is_schematic": [1, 0, 0]})
    frame = pd.DataFrame({"name": ["越北镇", "双河镇", "清林乡"], "boundary_geojson": ["{}", "{}", None]})
    assert view.map_note(frame, townships, "zh_CN") == "边界为示意，非真实行政区划。 以下乡镇暂无边界数据：清林乡"
    real = townships.assign(boundary_is_schematic=[0, 0, 1])  # only a township without a boundary is "schematic"
    drawn = frame.assign(boundary_geojson=["{}", "{}", "{}"])
    assert view.map_note(drawn, real, "en") == ""


# --------------------------------------------------------------------------- campaign zones

def progress(*zones: dict) -> pd.DataFrame:
    base = {"campaign": "百日攻坚", "start_on": D(2002, 5, 1), "end_on": D(2002, 8, 31), "owner_name": "王强",
            "owner_unit": "区总工会", "whole_zone_in_scope": True}
    return pd.DataFrame([{**base, **z} for z in zones], columns=PROGRESS_COLUMNS)


def zone(name, days_left, unions, target_unions, members, target_members, **extra) -> dict:
    return {"zone": name, "deadline": D(2002, 8, 31), "days_left": days_left,
            "new_unions": unions, "target_unions": target_unions, "new_members": members,
            "target_members": target_members, **extra}


def test_a_zone_at_46_7_percent_ten_days_before_its_deadline_is_behind():
    """任务进度 46.7% (the lower of 7/15 and 300/500) with 112 of the 122 days gone: 落后, red."""
    c = view.campaign_view(progress(zone("一战区", 10, 7, 15, 300, 500)), "zh_CN")
    card = c.zones[0]
    assert (card.pace, card.status, card.status_text, card.when) == ("behind", "red", "落后", "距期限 10 天")
    assert card.progress == "任务进度 46.7% · 时间进度 91.8%"
    assert [b.text for b in card.bars] == ["新建工会 7 / 15 个", "新增会员 300 / 500 人"]
    assert card.bars[0].pct == "46.7%" and card.bars[0].fill == pytest.approx(7 / 15)
    assert card.partial is None and card.owner == "责任人：王强（区总工会）"
    en = view.campaign_view(progress(zone("Zone 1", 10, 7, 15, 300, 500)), "en").zones[0]
    assert en.status_text == "behind" and en.when == "10 days to the deadline"
    assert en.progress == "task 46.7% · time 91.8%" and en.bars[0].text == "New unions 7 / 15"


def test_46_7_percent_with_60_percent_of_the_time_gone_is_behind_not_green():
    """The issue's case (the old rule showed it green: the deadline was far): 73 of 122 days gone."""
    card = view.campaign_view(progress(zone("一战区", 122 - 73, 7, 15, 500, 500)), "zh_CN").zones[0]
    assert card.progress == "任务进度 46.7% · 时间进度 59.8%"
    assert (card.pace, card.status, card.status_text) == ("behind", "red", "落后")


# the campaign runs 2002-05-01 → 2002-08-31: 122 days; days_left 122 is the start day
@pytest.mark.parametrize(("days_left", "unions", "target", "pace", "colour"), [
    (122, 0, 15, "on_pace", "green"),  # start day: nothing done, no time gone
    (122, 3, 15, "ahead", "green"),  # start day, 20% done
    (61, 6, 15, "on_pace", "green"),  # half the time, 40% done: exactly 10 points behind is still on pace
    (61, 5, 15, "behind", "red"),  # 33.3% done: more than 10 points behind
    (61, 10, 15, "ahead", "green"),  # 66.7%: more than 10 points ahead
    (0, 14, 15, "on_pace", "green"),  # the deadline day, 93.3% done: 6.7 points behind, within the margin
    (0, 13, 15, "behind", "red"),  # the deadline day, 86.7% done: 13.3 points behind
    (0, 15, 15, "done", "green"),  # the deadline day, done
    (-1, 14, 15, "overdue", "red"),  # past the deadline, unmet
    (-30, 15, 15, "done", "green"),  # met targets stay done after the deadline
    (40, 0, 0, "done", "green"),  # zero targets: nothing to do
])
def test_zone_pace_rule(days_left, unions, target, pace, colour):
    z = zone("一战区", days_left, unions, target, 0, 0)  # no members target: the unions decide
    card = view.campaign_view(progress(z), "zh_CN").zones[0]
    words = {"on_pace": "按期", "ahead": "超前", "behind": "落后", "done": "已完成", "overdue": "逾期未完成"}
    assert (card.pace, card.status, card.status_text) == (pace, colour, words[pace])


def test_party_and_liaison_targets_count_when_set():
    """A zone with Party organisation and liaison targets: a bar each, and the least advanced target
    (2 of 8 Party organisations: 25 %) decides the task progress."""
    z = zone("一战区", 61, 15, 15, 500, 500, target_party_orgs=8, new_party_orgs=2, target_liaisons=4, new_liaisons=4)
    card = view.campaign_view(progress(z), "zh_CN").zones[0]
    assert [b.text for b in card.bars] == ["新建工会 15 / 15 个", "新增会员 500 / 500 人", "新建党组织 2 / 8 个",
                                           "选派联络员 4 / 4 名"]
    assert card.progress.startswith("任务进度 25.0%") and card.pace == "behind"


def test_the_margin_is_a_setting_and_the_definition_says_it():
    z = zone("一战区", 61, 5, 15, 0, 0)  # 33.3 % done, half the time gone: behind at 10 points, on pace at 20
    assert view.campaign_view(progress(z), "zh_CN").zones[0].pace == "behind"
    wide = view.campaign_view(progress(z), "zh_CN", margin=0.20)
    assert wide.zones[0].pace == "on_pace" and "低 20 个百分点以上为“落后”" in wide.definition
    assert "more than 10 ahead" in view.campaign_view(progress(z), "en").definition


def test_the_pace_rule_in_one_place():
    from dashboard.views.status import campaign_pace, task_progress, time_progress

    assert time_progress(D(2002, 5, 1), D(2002, 5, 1), D(2002, 5, 1)) == 1.0  # a one-day campaign
    assert time_progress(D(2002, 5, 1), D(2002, 8, 31), D(2002, 4, 1)) == 0.0  # before it starts
    assert task_progress([(5, 10), (90, 100)]) == 0.5 and task_progress([(3, 0)]) == 1.0
    assert campaign_pace(task=0.5, time=0.7, days_left=3, margin=0.25) == "on_pace"  # the margin is a parameter
    assert campaign_pace(task=0.5, time=0.7, days_left=3) == "behind"


def test_deadline_words_and_an_overshoot_fills_the_bar():
    closed = view.campaign_view(progress(zone("一战区", -5, 30, 15, 0, 0)), "zh_CN").zones[0]
    assert closed.when == "已截止（2002年8月31日）" and closed.pace == "done"  # 30 of 15 unions, no members target
    assert closed.bars[0].pct == "200.0%" and closed.bars[0].fill == 1.0
    assert closed.bars[1].share == 0.0 and closed.bars[1].pct == "0.0%"  # no target: nothing to show
    today = view.campaign_view(progress(zone("Zone", 0, 1, 15, 0, 10)), "en").zones[0]
    assert today.when == "due today" and view.zone_when(-1, D(2002, 8, 31), "en") == "closed (2002-08-31)"


def test_a_zone_reaching_beyond_the_scope_shows_figures_without_bars():
    z = zone("一战区", 10, 3, 15, 120, 500, whole_zone_in_scope=False)
    card = view.campaign_view(progress(z), "zh_CN").zones[0]
    assert card.bars == () and card.partial == "您辖区完成：新建工会 3 个，新增会员 120 人"
    assert card.partial_note.startswith("本战区还含其他乡镇")
    # the target is the whole zone's: the scope's figures cannot say whether it was met, so no status
    # (a township's 3 of 15 after the deadline is not "逾期" for the zone)
    late = view.campaign_view(progress(zone("一战区", -5, 3, 15, 120, 500, whole_zone_in_scope=False)), "zh_CN")
    assert late.zones[0].status == "" and late.zones[0].status_text == ""


def test_campaign_title_and_no_campaign():
    c = view.campaign_view(progress(zone("一战区", 10, 7, 15, 300, 500), zone("二战区", 40, 0, 5, 0, 50)), "zh_CN")
    assert c.title == "攻坚进度：百日攻坚（2002年5月1日 至 2002年8月31日）" and len(c.zones) == 2
    assert c.definition.startswith("各战区")
    assert view.campaign_view(progress(zone("Zone", 1, 0, 1, 0, 1)), "en").title == \
        "Campaign: 百日攻坚 (2002-05-01 to 2002-08-31)"
    assert view.campaign_view(progress(), "zh_CN") is None


# --------------------------------------------------------------------------- alerts

NAMES = {7: "越北镇", 8: "双河镇"}


def test_gap_alert_lists_the_enterprises_with_their_township_first():
    gaps = pd.DataFrame({"enterprise_id": [1, 2], "name": ["红光", "业裕"], "uscc": ["x", "y"], "township_id": [7, 9],
                         "employees": [120, 40], "party_members": [5, 3], "barrier": ["afraid", None],
                         "pattern": ["should_build"] * 2})
    a = view.gap_alert(2, gaps, NAMES, "zh_CN")
    assert a.title == "应建未建企业"
    assert a.status == "gap" and a.status_text == "待组建" and a.count_text == "2 家"
    assert list(a.table.columns) == ["乡镇/街道", "企业", "党员数", "主要困难"]
    assert a.table.values.tolist() == [["越北镇", "红光", 5, "怕被辞退不敢建"], ["—", "业裕", 3, "—"]]
    en = view.gap_alert(0, gaps.iloc[:0], NAMES, "en")
    assert en.title == "Qualified enterprises without a Party organisation"
    assert en.status == "green" and en.status_text == "OK" and en.count_text == "0 enterprises"
    assert list(en.table.columns) == ["Township", "Enterprise", "Party members", "Main difficulty"] and en.table.empty


def items_frame() -> pd.DataFrame:
    return pd.DataFrame({"id": [1], "description": ["走访业裕电子厂"], "owner": ["越北镇党委"], "due_on": [D(2002, 12, 1)],
                         "township_id": [7], "days_overdue": [30]})


@pytest.mark.parametrize(("counts", "status", "zh", "en"), [
    ((3, 2), "red", "3 项", "3"),
    ((0, 2), "amber", f"0 项 · 2 项将在 {DUE_SOON_DAYS} 天内到期", f"0 · 2 due within {DUE_SOON_DAYS} days"),
    ((0, 0), "green", "0 项", "0"),
])
def test_items_alert_red_amber_green(counts, status, zh, en):
    overdue, due_soon = counts
    items = ItemCounts(total=10, done=2, open=8, overdue=overdue, due_soon=due_soon)
    a = view.items_alert(items, items_frame(), NAMES, "zh_CN")
    assert a.title == "逾期联席会议事项" and a.status == status and a.count_text == zh
    assert list(a.table.columns) == ["乡镇/街道", "事项", "责任单位", "期限", "逾期天数"]
    assert a.table.iloc[0].tolist() == ["越北镇", "走访业裕电子厂", "越北镇党委", D(2002, 12, 1), 30]
    assert view.items_alert(items, items_frame(), NAMES, "en").count_text == en


def test_leads_and_notices_alerts_translate_their_codes():
    leads = pd.DataFrame({"id": [1], "enterprise_name": ["业裕"], "source": ["notice_left"],
                          "notice_deadline": [D(2002, 11, 1)], "township_id": [8]})
    a = view.leads_alert(4, leads, NAMES, "zh_CN")
    assert a.status == "red" and a.count_text == "4 项" and a.status_text == "逾期"
    assert a.table.values.tolist() == [["双河镇", "业裕", "登门留帖", D(2002, 11, 1)]]
    assert view.leads_alert(0, leads.iloc[:0], NAMES, "en").status == "green"
    notices = pd.DataFrame({"id": [1], "enterprise_name": ["红光"], "direction": ["to_bureau"],
                            "sent_on": [D(2002, 10, 1)], "respond_by": [D(2002, 10, 15)], "township_id": [7]})
    n = view.notices_alert(1, notices, NAMES, "en")
    assert n.status == "red" and n.status_text == "Overdue"
    assert list(n.table.columns) == ["Township", "Enterprise", "Direction", "Reply due"]
    assert n.table.iloc[0, 2] == "Union federation → bureau Party committee"


def test_alerts_rule_names_the_due_soon_window():
    assert f"{DUE_SOON_DAYS} 天内到期" in view.alerts_rule("zh_CN")
    assert f"within {DUE_SOON_DAYS} days" in view.alerts_rule("en") and "{" not in view.alerts_rule("en")


def test_owner_frame_is_labelled():
    by_owner = pd.DataFrame({"owner": ["区总工会"], "open": [3], "overdue": [1], "done": [2], "total": [5]})
    assert list(view.owner_frame(by_owner, "zh_CN").columns) == ["责任单位", "未办结", "逾期", "已办结", "合计"]
    assert list(view.owner_frame(by_owner, "en").columns) == ["Owner unit", "Open", "Overdue", "Done", "Total"]


# --------------------------------------------------------------------------- township ranking

def counts() -> pd.DataFrame:
    """Three townships' additive counts: 越北 37/43 unionised, 双河 10/10, 清林 with no enterprise."""
    rows = []
    for tid, code, name, operating, unionised, party, work in ((7, "YB", "越北镇", 43, 37, 12, 20),
                                                               (8, "SH", "双河镇", 10, 10, 1, 10),
                                                               (9, "QL", "清林乡", 0, 0, 0, 0)):
        row = dict.fromkeys(COVERAGE_COLUMNS, 0)
        row.update(operating=operating, unionised=unionised, with_party_org=party, party_or_liaison_unionised=work,
                   party_or_liaison=work + 2 if operating else 0,
                   **{f"pattern_{Pattern.SHOULD_BUILD.value}": 2, f"pattern_{Pattern.NO_UNION.value}": operating - unionised})
        rows.append({"township_id": tid, "code": code, "name": name, **row})
    return pd.DataFrame(rows)


def test_ranking_uses_the_map_metrics_and_sorts_by_union_coverage():
    overdue = pd.DataFrame({"township_id": [7], "overdue": [3]})
    frame = view.ranking_frame(counts(), overdue, "zh_CN")
    assert list(frame.columns) == ["乡镇/街道", "在营企业", "建会率", "党组织覆盖率", "工作覆盖率", "应建未建", "未建会", "逾期事项"]
    assert list(frame["乡镇/街道"]) == ["双河镇", "越北镇", "清林乡"]  # no enterprise: no rate, last
    yb = frame.iloc[1]
    num, den = MAP_METRICS["work_coverage"]
    assert yb["建会率"] == pytest.approx(100 * 37 / 43) and yb["工作覆盖率"] == pytest.approx(100 * 22 / 43)
    assert (num, den) == ("party_or_liaison", "operating")  # the official base: operating enterprises
    assert yb["逾期事项"] == 3 and frame.iloc[0]["逾期事项"] == 0 and yb["未建会"] == 6
    assert pd.isna(frame.iloc[2]["建会率"])
    en = view.ranking_frame(counts(), overdue.iloc[:0], "en")
    assert list(en.columns[:3]) == ["Township", "Operating", "Union coverage"] and en["Overdue items"].sum() == 0


def test_ranking_rate_columns_carry_the_kpi_definitions():
    rates = view.ranking_rates("zh_CN")
    assert list(rates) == ["建会率", "党组织覆盖率", "工作覆盖率"]
    assert rates["建会率"].startswith("已建工会")
    assert list(view.ranking_rates("en")) == ["Union coverage", "Party org coverage", "Work coverage"]
