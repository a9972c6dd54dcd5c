"""The case studies' view layer (典型案例): pure, no database and no Streamlit — a case study and
gallery rows built by hand, the words and tables checked in both languages."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from dashboard.queries.cases import (
    ACTIVITY_COLUMNS,
    HONOUR_COLUMNS,
    MODEL_COLUMNS,
    TIMELINE_COLUMNS,
    CaseDetail,
    Comparison,
    Figure,
    ModelStatus,
)
from dashboard.views import cases as view

D = dt.date


def detail(**changes) -> CaseDetail:
    """红光 as of 2002-12-31, roughly: own union 1999 and branch 2001 with one person in both posts,
    designated by the federation, two honours, two activity groups, a district benchmark."""
    honours = pd.DataFrame([
        ("模范职工之家", "provincial", "吉林省总工会", 2002, "union"),
        ("先进基层党组织", "district", "中共##区委", 2001, "party"),
    ], columns=HONOUR_COLUMNS)
    activities = pd.DataFrame([
        {"season": "spring_summer", "kind": "culture_sports", "titles": ["消夏晚会", "水球赛"], "count": 6,
         "last_12_months": 2, "first_year": 2000, "last_year": 2002},
        {"season": None, "kind": "training", "titles": ["职工培训"], "count": 1234, "last_12_months": 0,
         "first_year": 2001, "last_year": 2001},
    ], columns=ACTIVITY_COLUMNS)
    timeline = pd.DataFrame([
        {"date": D(1998, 4, 8), "year_only": False, "kind": "registered", "title": "红光公司", "organ": "enterprise"},
        {"date": D(1999, 6, 12), "year_only": False, "kind": "union_founded", "title": "红光公司工会",
         "organ": "union", "category": "enterprise", "detail": "李明"},
        {"date": D(2002, 1, 1), "year_only": True, "kind": "honour", "title": "模范职工之家", "level": "provincial",
         "organ": "union", "unit": "吉林省总工会"},
        {"date": D(2002, 12, 31), "year_only": False, "kind": "designated", "title": "原文典型", "organ": "enterprise"},
    ], columns=TIMELINE_COLUMNS)
    comparison = Comparison(
        membership=Figure(value=0.8, average=0.625, numerator=80, denominator=100, bench_numerator=500,
                          bench_denominator=800),
        activities=Figure(value=3.0, average=2.5, numerator=3, denominator=1, bench_numerator=5, bench_denominator=2),
        activists=Figure(value=3.0, average=None, numerator=3, denominator=1, bench_numerator=0, bench_denominator=0),
        bench_is_district=True, unionised=2, window_start=D(2002, 1, 1),
    )
    base = CaseDetail(
        enterprise_id=7, name="红光公司", township_id=1, township="越北镇", ownership="private", industry="机械",
        employees=1200, party_members=15, registered_on=D(1998, 4, 8), owner_is_party_member=False,
        as_of=D(2002, 12, 31), pattern="union_and_branch",
        status=ModelStatus(True, "designated", "原文典型", "staff", dt.datetime(2002, 12, 31, 9, tzinfo=dt.UTC)),
        headline_zh="先建工会，后建党支部", headline_en="Union first, then the branch",
        story_zh="第一段。\n\n第二段。", story_en=None, from_source=True,
        union_name="红光公司工会", union_founded_on=D(1999, 6, 12), union_is_own=True, union_chair="李明",
        has_workers_congress=True, party_org_name="红光公司党支部", party_org_level="branch",
        party_founded_on=D(2001, 7, 1), party_secretary="李明", one_person=True, first_organisation="union",
        timeline=timeline, honours=honours, activities=activities, comparison=comparison,
    )
    return dataclasses.replace(base, **changes)


def gallery_row(**changes) -> dict:
    row = dict.fromkeys(MODEL_COLUMNS)
    row.update(enterprise_id=12, name="德运公司", township_id=2, township="青龙街道", pattern="union_and_branch",
               basis="honour", reason=None, best_title="模范职工之家", best_level="provincial", best_year=2002,
               best_organ="union", honours=5, highest_level="provincial", from_source=True, headline_zh=None,
               headline_en=None, top_honours=[
                   {"title": "模范职工之家", "level": "provincial", "awarding_body": "吉林省总工会", "year": 2002,
                    "organ": "union"},
                   {"title": "先进企业", "level": "municipal", "awarding_body": "吉林市人民政府", "year": 2002,
                    "organ": "enterprise"}])
    row.update(changes)
    return row


# --------------------------------------------------------------------------- small rules


@pytest.mark.parametrize("raw, expected", [
    ("1", 1), ("123456789", 123456789), ("1234567890", None), ("", None), (None, None), ("-1", None), ("1e3", None),
    ("²", None), ("٣", None), ("１", None), (" 1", None), ("1\n", None), ("<script>", None),
])
def test_case_id_accepts_only_ascii_digits(raw, expected):
    assert view.case_id(raw) == expected


def test_separators_and_years_in_both_languages():
    assert (view.label_sep("zh_CN"), view.label_sep("en")) == ("：", ": ")
    assert (view.list_sep("zh_CN"), view.list_sep("en")) == ("、", ", ")
    assert (view.year_text(D(2002, 5, 1), "zh_CN"), view.year_text(D(2002, 5, 1), "en")) == ("2002年", "2002")
    assert view.event_when(D(2002, 1, 1), True, "zh_CN") == "2002年"
    assert view.event_when(D(1999, 6, 12), False, "zh_CN") == "1999年6月12日"
    assert view.event_when(D(1999, 6, 12), False, "en") == "1999-06-12"


# --------------------------------------------------------------------------- why it is a model: one rule


def test_why_text_designated_honour_and_unknown():
    assert view.why_text("zh_CN", designated=True, reason="原文典型") == "区总工会指定：原文典型"
    assert view.why_text("en", designated=True, reason=None) == "Designated by the federation: "
    assert view.why_text("zh_CN", designated=False, level="provincial", title="模范职工之家", year=2002) == \
        "市级以上荣誉：省级模范职工之家（2002年）"
    assert view.why_text("en", designated=False, level="national", title="Model Home", year=2010) == \
        "Honour at municipal level or above: National Model Home (2010)"
    assert view.why_text("zh_CN", designated=False) == "—"
    assert view.why_text("zh_CN", designated=False, level="municipal", title="x", year=float("nan")) == "—"


def test_the_card_and_the_case_page_say_the_same_why():
    designated = detail()
    assert view.case_why(designated, "zh_CN") == "区总工会指定：原文典型"
    row = gallery_row(basis="designated", reason="原文典型")
    assert view.card_why(row, "zh_CN") == view.case_why(designated, "zh_CN")
    by_honour = detail(status=ModelStatus(True, "honour"))
    assert view.case_why(by_honour, "zh_CN") == "市级以上荣誉：省级模范职工之家（2002年）"
    assert view.card_why(gallery_row(), "zh_CN") == view.case_why(by_honour, "zh_CN")
    assert view.card_why(gallery_row(), "en") == view.case_why(by_honour, "en") == \
        "Honour at municipal level or above: Provincial 模范职工之家 (2002)"
    no_honours = detail(status=ModelStatus(True, "honour"), honours=pd.DataFrame(columns=HONOUR_COLUMNS))
    assert view.case_why(no_honours, "en") == "—"


# --------------------------------------------------------------------------- the gallery


def test_card_in_chinese():
    c = view.card(gallery_row(), "zh_CN")
    assert (c.enterprise_id, c.name, c.from_source) == (12, "德运公司", True)
    assert c.tags == ["青龙街道", "一会一支"]
    assert c.why == "市级以上荣誉：省级模范职工之家（2002年）"
    assert c.honours == ["省级 · 模范职工之家 · 2002", "市级 · 先进企业 · 2002", "另有 3 项荣誉"]
    assert c.headline == "获评省级“模范职工之家”"  # no headline of its own: said from its best honour


def test_card_in_english_with_its_own_headline_and_no_pattern():
    c = view.card(gallery_row(pattern=None, honours=2, headline_en="A home for workers", headline_zh="职工之家"),
                  "en")
    assert c.tags == ["青龙街道"]
    assert c.honours == ["Provincial · 模范职工之家 · 2002", "Municipal · 先进企业 · 2002"]  # all shown: no "+n more"
    assert c.headline == "A home for workers"
    assert view.card(gallery_row(headline_zh="职工之家"), "zh_CN").headline == "职工之家"


def test_a_designated_card_without_honours():
    row = gallery_row(basis="designated", reason="经验突出", top_honours=[], honours=0, best_title=None,
                      best_level=None, best_year=None)
    for loc, why, headline in (("zh_CN", "区总工会指定：经验突出", "经区总工会指定为党工共建典型。"),
                               ("en", "Designated by the federation: 经验突出",
                                "Designated a model of Party–union co-construction by the federation.")):
        c = view.card(row, loc)
        assert (c.why, c.honours, c.headline) == (why, [], headline)


def test_search_options_name_the_township():
    found = pd.DataFrame({"enterprise_id": [3, 9], "name": ["甲厂", "乙厂"], "township": ["越北镇", "青龙街道"]})
    assert view.search_options(found) == {3: "甲厂（越北镇）", 9: "乙厂（青龙街道）"}


# --------------------------------------------------------------------------- one case


def test_tags_and_story():
    assert view.case_tags(detail(), "zh_CN") == ["越北镇", "私营企业", "一会一支"]
    assert view.case_tags(detail(pattern=None), "en") == ["越北镇", "Private"]
    assert view.story_parts(detail(), "zh_CN") == ["第一段。", "第二段。"]
    assert view.story_parts(detail(), "en") == []


def test_key_facts_in_chinese():
    facts = dict(view.key_facts(detail(), "zh_CN"))
    assert facts == {
        "乡镇/街道": "越北镇", "企业类型": "私营企业", "规模": "职工 1,200 人，党员 15 人", "组建模式": "一会一支",
        "企业老板": "不是党员", "工会": "红光公司工会，1999年6月12日成立",
        "党组织": "红光公司党支部，2001年7月1日成立",  # the name says 党支部: not said twice
        "建立顺序": "先建工会（1999年），后建党支部（2001年）", "书记主席一肩挑": "党支部书记李明兼任工会主席",
    }


def test_key_facts_in_english_joint_union_and_no_party_organisation():
    d = detail(union_is_own=False, union_name="越北镇联合工会", party_founded_on=None, party_org_name=None,
               party_org_level=None, party_secretary=None, one_person=False, first_organisation=None,
               owner_is_party_member=True)
    facts = view.key_facts(d, "en")
    assert facts == [
        ("Township", "越北镇"), ("Ownership", "Private"), ("Size", "1,200 employees, 15 Party members"),
        ("Pattern", "Union + branch"), ("Owner", "a Party member"),
        ("Union", "covered by 越北镇联合工会 since 1999-06-12"), ("Party organisation", "none yet"),
    ]


def test_order_text_both_ways():
    assert view.order_text(detail(), "en") == "Union first (1999), then the Party branch (2001)"
    party_first = detail(first_organisation="party", party_org_level="general_branch", party_founded_on=D(1998, 6, 18))
    assert view.order_text(party_first, "zh_CN") == "先建党总支（1998年），后建工会（1999年）"


def test_honours_frame_in_both_languages():
    zh = view.honours_frame(detail().honours, "zh_CN")
    assert list(zh.columns) == ["荣誉名称", "级别", "授予单位", "年份", "获奖主体"]
    assert zh.to_numpy().tolist() == [["模范职工之家", "省级", "吉林省总工会", "2002", "工会"],
                                      ["先进基层党组织", "区级", "中共##区委", "2001", "党组织"]]
    en = view.honours_frame(detail().honours, "en")
    assert list(en.columns) == ["Honour", "Level", "Awarded by", "Year", "Awarded to"]
    assert en.iloc[1].tolist() == ["先进基层党组织", "District", "中共##区委", "2001", "Party organisation"]
    assert view.honours_frame(pd.DataFrame(columns=HONOUR_COLUMNS), "zh_CN").empty


def test_activities_frame_in_both_languages():
    zh = view.activities_frame(detail().activities, "zh_CN")
    assert list(zh.columns) == ["季节", "类型", "活动", "次数", "近 12 个月"]
    assert zh.to_numpy().tolist() == [["春夏季", "文体活动", "消夏晚会、水球赛", 6, 2],
                                      ["全年", "职工培训", "职工培训", 1234, 0]]
    en = view.activities_frame(detail().activities, "en")
    assert en.iloc[0].tolist() == ["Spring–summer", "Culture and sports", "消夏晚会, 水球赛", 6, 2]
    assert en.iloc[1, 0] == "All year"


def test_event_lines_name_the_kinds_with_the_one_vocabulary():
    assert view.event_lines(detail(), "zh_CN") == [
        "1998年4月8日  注册成立  红光公司", "1999年6月12日  工会成立  红光公司工会", "2002年  荣誉  省级模范职工之家",
        "2002年12月31日  认定典型  区总工会指定为典型"]
    assert view.event_lines(detail(), "en", limit=3) == [
        "1998-04-08  Registered  红光公司", "1999-06-12  Union founded  红光公司工会", "2002  Honour  Provincial 模范职工之家"]


# --------------------------------------------------------------------------- the comparison


def test_comparison_rows_and_frame():
    assert view.bench_name(detail(), "zh_CN") == "全区"
    assert view.bench_heading(detail(), "zh_CN").endswith("（全部在营企业）")  # the base of its enterprises
    local = detail(comparison=dataclasses.replace(detail().comparison, bench_is_district=False))
    assert view.bench_name(local, "en") == "your townships"
    assert view.comparison_rows(detail(), "zh_CN") == [
        ["入会率", "80.0%（80 / 100）", "62.5%"], ["近 12 个月活动次数", "3", "2.5"], ["推荐入党积极分子（人）", "3", "—"]]
    frame = view.comparison_frame(detail(), "en")
    assert list(frame.columns) == ["Figure", "This enterprise", "Average (district)"]
    assert frame.iloc[0].tolist() == ["Membership rate", "80.0% (80 / 100)", "62.5%"]


def test_comparison_of_an_enterprise_without_a_union():
    no_union = dataclasses.replace(detail().comparison, membership=Figure(
        value=None, average=0.625, numerator=0, denominator=1200, bench_numerator=500, bench_denominator=800))
    d = detail(comparison=no_union)
    assert view.comparison_rows(d, "en")[0] == ["Membership rate", "no union as of the date", "62.5%"]
    card = view.comparison_cards(d, "zh_CN")[0]
    assert (card.value, card.detail) == ("—", "全区平均 62.5% · 截至统计日未建会")


def test_comparison_cards_state_their_denominators():
    zh = view.comparison_cards(detail(), "zh_CN")
    assert [k.label for k in zh] == ["入会率", "近 12 个月活动次数", "推荐入党积极分子（人）"]
    assert [k.value for k in zh] == ["80.0%", "3", "3"]
    assert zh[0].detail == "全区平均 62.5% · 80 / 100 人"
    assert zh[1].detail == "全区平均 2.5" and zh[2].detail == "全区平均 —"
    assert "已建会企业" in zh[0].help and "2002年1月1日" in zh[1].help and "（2 家）" in zh[2].help
    en = view.comparison_cards(detail(), "en")
    assert en[0].detail == "average (district) 62.5% · 80 / 100 people"
    assert "2002-01-01" in en[1].help and "(2)" in en[2].help


# --------------------------------------------------------------------------- the designation record


def test_designation_frame_in_both_languages():
    tz = dt.timezone(dt.timedelta(hours=8))
    history = pd.DataFrame({
        "at": [dt.datetime(2026, 5, 2, 4, 0, tzinfo=tz), dt.datetime(2002, 12, 31, 17, 0, tzinfo=tz)],
        "designated": [False, True], "reason": ["已停产", "原文典型"], "by_username": ["staff", "admin"],
    })
    zh = view.designation_frame(history, "zh_CN")
    assert list(zh.columns) == ["时间（北京时间）", "操作", "理由", "操作人"]
    assert zh.to_numpy().tolist() == [["2026-05-02 04:00", "取消", "已停产", "staff"],
                                      ["2002-12-31 17:00", "指定", "原文典型", "admin"]]
    en = view.designation_frame(history, "en")
    assert list(en.columns)[0] == "When (Beijing time, UTC+8)" and list(en.iloc[:, 1]) == ["removed", "designated"]
