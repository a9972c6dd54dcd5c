"""``dashboard.views.leads``: the pipeline's display rules on hand-made frames, both locales."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.charts.campaigns import lead_funnel
from dashboard.queries.leads import LIST_COLUMNS, Headline, LeadFilter
from dashboard.views import leads as V

D = dt.date
AS_OF = D(2026, 6, 1)


def row(**over) -> dict:
    base = dict.fromkeys(LIST_COLUMNS)
    base.update(id=1, enterprise_id=7, enterprise_name="甲公司", township_id=1, township="甲镇", source="village",
                stage="contacted", stage_on=D(2026, 5, 1), identified_on=D(2026, 4, 1), owner_unit="甲镇工会",
                owner_name=None, version=1)
    base.update(over)
    return base


@pytest.mark.parametrize(("over", "expected"), [
    ({"stage": "notice_sent", "notice_deadline": D(2026, 5, 31)}, ("overdue", "red", 1)),
    ({"stage": "notice_sent", "notice_deadline": AS_OF}, ("ok", "green", 31)),  # due today: not overdue
    ({"stage": "preparing", "notice_deadline": D(2026, 1, 1)}, ("ok", "green", 31)),  # past the notice: no longer
    ({"stage_on": D(2026, 4, 1)}, ("idle", "amber", 61)),
    ({"stage_on": D(2026, 4, 2)}, ("ok", "green", 60)),  # exactly the days: not idle yet
    ({"stage": "founded", "stage_on": D(2025, 1, 1)}, ("closed", "", 0)),
    ({"stage": "dropped", "stage_on": D(2025, 1, 1)}, ("closed", "", 0)),
])
def test_lead_status_edges(over, expected):
    assert V.lead_status(row(**over), AS_OF, 60) == expected


def test_next_stages_go_forward_or_drop_and_none_once_closed():
    assert V.next_stages("identified") == ["contacted", "notice_sent", "preparing", "founded", "dropped"]
    assert V.next_stages("preparing") == ["founded", "dropped"]
    assert V.next_stages("founded") == [] and V.next_stages("dropped") == []


def test_the_list_table_says_status_in_words_with_its_colour_and_marks_projects():
    rows = pd.DataFrame([row(stage="notice_sent", notice_deadline=D(2026, 5, 20)),
                         row(id=2, enterprise_id=None, enterprise_name="乙项目", owner_unit=None),
                         row(id=3, stage="founded", union_name="丙工会", closed_on=D(2026, 5, 2))], columns=LIST_COLUMNS)
    table = V.list_table(rows, AS_OF, 60, "zh_CN")
    assert table.colours == ["red", "green", ""]
    assert table.frame["状态"].tolist() == ["通知书逾期 12 天", "正常", "已结束"]
    assert table.frame["企业（项目）"].tolist() == ["甲公司", "乙项目（尚未注册）", "甲公司"]
    assert table.frame["责任单位（责任人）"].tolist()[1] == "未指定"
    assert table.frame["结果"].tolist()[2] == "已建会：丙工会"
    en = V.list_table(rows, AS_OF, 60, "en").frame
    assert en["Status"].tolist()[0] == "Notice 12 days overdue" and en["Stage"].tolist()[0] == "Founding notice sent"
    exported = V.export_frame(rows, AS_OF, 60, "zh_CN")
    assert exported["本阶段起始"].tolist()[0] == D(2026, 5, 1)  # a date, sortable in Excel
    assert exported["本阶段天数"].tolist() == [31, 31, 31]


def test_breakdown_table_totals_use_summed_counts_and_the_overall_median():
    frame = pd.DataFrame({"key": ["registration", "village"], "leads": [4, 6], "founded": [3, 1], "dropped": [0, 2],
                          "open": [1, 3], "conversion": [0.75, 1 / 6], "median_days": [40.0, None]})
    overall = pd.DataFrame({"key": [0], "leads": [10], "founded": [4], "dropped": [2], "open": [4],
                            "conversion": [0.4], "median_days": [52.5]})
    table = V.breakdown_table(frame, "source", "zh_CN", overall)
    assert table.iloc[:, 0].tolist() == ["盯住源头", "拓宽领域", "合计"]
    assert table["建会转化率"].tolist() == ["75.0%", "16.7%", "40.0%"]
    assert table["建会中位天数"].tolist() == ["40", "—", "52"]  # banker's rounding of 52.5 is 52
    assert V.breakdown_table(frame, "source", "zh_CN")["建会中位天数"].tolist()[-1] == "—"


def test_headline_words_and_the_filter_in_words():
    h = Headline(D(2026, 3, 1), new=5, founded=2, dropped=1, overdue=3, idle=4, open=9)
    assert V.headline_text(h, "zh_CN") == "建会线索：上次会议以来新增 5 条、建会 2 条；目前跟踪中 9 条，建会通知书逾期 3 条。"
    assert "since the last meeting" in V.headline_text(h, "en")
    assert V.headline_text(Headline(None, 5, 2, 1, 3, 4, 9), "zh_CN").startswith("建会线索：新增 5 条")
    assert V.filter_text(LeadFilter(), "zh_CN") == "全部"
    assert V.filter_text(LeadFilter(source="village", only="overdue"), "zh_CN") == "拓宽领域 · 通知书逾期"


def test_headline_figures_each_with_a_definition():
    funnel = pd.DataFrame({"stage": ["identified", "contacted", "notice_sent", "preparing", "founded", "dropped"],
                           "reached": [10, 8, 5, 4, 4, 2], "now": [2, 1, 1, 0, 4, 2]})
    overall = pd.DataFrame({"key": [0], "leads": [10], "founded": [4], "dropped": [2], "open": [4],
                            "conversion": [0.4], "median_days": [88.0]})
    figs = V.headline_figures(funnel, overall, overdue=1, idle=2, idle_days=60, loc="zh_CN")
    assert [(f.label, f.value) for f in figs] == [("跟踪中的线索", "4"), ("建会转化率", "40.0%"), ("建会用时中位数", "88 天"),
                                                  ("建会通知书逾期", "1"), ("超过 60 天未推进", "2")]
    assert all(f.help for f in figs)


def test_the_funnel_chart_spec():
    funnel = pd.DataFrame({"stage": ["identified", "contacted", "notice_sent", "preparing", "founded", "dropped"],
                           "reached": [10, 8, 5, 4, 4, 2], "now": [2, 1, 1, 0, 4, 2]})
    spec = lead_funnel(V.funnel_frame(funnel, "zh_CN"), "zh_CN").to_dict()
    bars, labels = spec["layer"]
    assert bars["mark"]["type"] == "bar" and labels["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["sort"] == ["线索", "已走访", "已发建会通知书", "筹备", "已建会", "放弃"]
    assert bars["encoding"]["x"]["title"] == "到达过该阶段"
    data = spec["datasets"][spec["data"]["name"]] if "datasets" in spec else None
    assert data is None or [d["reached"] for d in data] == [10, 8, 5, 4, 4, 2]
