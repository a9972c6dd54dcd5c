"""``dashboard.views.awards`` and the 双爱双评 status rules of ``views.status``: each rule on hand-made
cases, the round's tables with their words and colours, and the Excel workbook of a round."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.exports.excel import workbook_bytes
from dashboard.queries.awards import NOMINATION_COLUMNS, PROGRESS_COLUMNS
from dashboard.views import awards as V
from dashboard.views.status import AWARD_COLOUR, award_places, award_stage

D = dt.date
ROUND = {"id": 1, "year": 2026, "title": "2026年度“双爱双评”", "opened_on": D(2026, 9, 1), "nominate_by": D(2026, 10, 31),
         "evaluate_by": D(2026, 11, 30), "closed_on": D(2026, 11, 1), "awarded_on": None, "status": "evaluating",
         "version": 1}


@pytest.mark.parametrize(("stage", "current", "deadline", "as_of", "key"), [
    (0, 1, D(2026, 10, 31), D(2026, 11, 5), "done"),  # behind the round
    (2, 1, None, D(2026, 11, 5), "upcoming"),  # ahead of it
    (1, 1, D(2026, 11, 30), D(2026, 11, 5), "on_track"),  # 25 days left
    (1, 1, D(2026, 11, 30), D(2026, 11, 16), "due_soon"),  # 14 days left
    (1, 1, D(2026, 11, 30), D(2026, 11, 30), "due_soon"),  # the deadline itself
    (1, 1, D(2026, 11, 30), D(2026, 12, 1), "overdue"),
])
def test_a_stage_of_a_round(stage, current, deadline, as_of, key):
    assert award_stage(stage, current, deadline, as_of) == key


N, E = D(2026, 10, 31), D(2026, 11, 30)


@pytest.mark.parametrize(("stage", "quota", "nominated", "pending", "as_of", "key"), [
    (0, 0, 0, 0, D(2026, 9, 5), "no_quota"),
    (0, 3, 3, 3, D(2026, 9, 5), "full"),
    (0, 3, 1, 1, D(2026, 9, 5), "open"),
    (0, 3, 1, 1, D(2026, 10, 20), "open_due_soon"),
    (0, 3, 1, 1, D(2026, 11, 2), "unfilled"),  # the deadline passed, the round not closed yet
    (1, 3, 3, 1, D(2026, 11, 10), "evaluating"),
    (1, 3, 3, 1, D(2026, 12, 2), "evaluation_overdue"),
    (1, 3, 2, 0, D(2026, 11, 10), "evaluated"),  # places left unused: nothing pending is what counts now
    (2, 3, 3, 0, D(2026, 12, 10), "awarded"),
    (2, 0, 1, 0, D(2026, 12, 10), "awarded"),  # a nomination beyond a quota lowered to 0: not "no places"
])
def test_a_townships_places(stage, quota, nominated, pending, as_of, key):
    assert award_places(stage, quota, nominated, pending, N, E, as_of) == key
    assert key in AWARD_COLOUR


def test_a_round_is_replayed_from_its_dates():
    published = {**ROUND, "status": "awarded", "awarded_on": D(2026, 12, 5)}
    assert V.round_stage(published, D(2026, 12, 5)) == 2
    assert V.round_stage(published, D(2026, 11, 1)) == 1  # published later: in its evaluation then
    assert V.round_stage(published, D(2026, 10, 1)) == 0
    # a round closed later shows as it was: still taking nominations on 1 October (review item 1)
    assert V.round_stage(ROUND, D(2026, 10, 1)) == 0
    assert V.round_stage(ROUND, D(2026, 11, 1)) == 1
    stages = V.stages_table(ROUND, D(2026, 10, 1), "zh_CN")
    assert list(stages.frame["状态"]) == ["进行中", "未开始", "未开始"]


def _progress() -> pd.DataFrame:
    return pd.DataFrame([
        {"township_id": 1, "township": "越北镇", "category": "worker", "quota": 2, "nominated": 2, "pending": 1,
         "passed": 1, "rejected": 0, "awarded": 0, "withdrawn": 1},
        {"township_id": 1, "township": "越北镇", "category": "manager", "quota": 1, "nominated": 1, "pending": 0,
         "passed": 0, "rejected": 1, "awarded": 0, "withdrawn": 0},
        {"township_id": 2, "township": "青岚街道", "category": "manager", "quota": 0, "nominated": 0, "pending": 0,
         "passed": 0, "rejected": 0, "awarded": 0, "withdrawn": 0}], columns=PROGRESS_COLUMNS)


def _nominations() -> pd.DataFrame:
    return pd.DataFrame([
        {"id": 1, "township_id": 1, "township": "越北镇", "enterprise_id": 5, "enterprise": "=HYPERLINK(\"x\")",
         "category": "worker", "person_name": "李明", "stage": "passed", "nominated_on": D(2026, 9, 10),
         "evaluated_on": D(2026, 11, 5), "stage_on": D(2026, 11, 5), "note": "技术革新", "remark": "事迹突出",
         "version": 2},
        {"id": 2, "township_id": 1, "township": "越北镇", "enterprise_id": 6, "enterprise": "乙公司",
         "category": "manager", "person_name": "赵刚", "stage": "rejected", "nominated_on": D(2026, 9, 12),
         "evaluated_on": D(2026, 11, 6), "stage_on": D(2026, 11, 6), "note": None, "remark": None,
         "version": 2}], columns=NOMINATION_COLUMNS)


def test_the_rounds_tables_say_their_status_in_words_and_colour():
    as_of = D(2026, 11, 24)
    stages = V.stages_table(ROUND, as_of, "zh_CN")
    assert list(stages.frame["状态"]) == ["已完成", "临期", "未开始"] and stages.colours == ["green", "amber", ""]
    table = V.progress_table(_progress(), ROUND, as_of, "zh_CN")
    assert list(table.frame["状态"]) == ["评审中", "评审完成", "无名额"] and table.colours == ["amber", "green", ""]
    assert list(table.frame["类别"]) == ["热爱企业的优秀职工", "热爱职工的优秀经营者", "热爱职工的优秀经营者"]
    cards = V.headline(_progress(), ROUND, as_of, "zh_CN")
    assert [(c.label, c.value) for c in cards] == [("名额", "3 人"), ("已推荐 / 名额", "3 / 3"),
                                                   ("已评审 / 已推荐", "2 / 3"), ("已表彰", "0 人")]
    assert cards[1].detail == "占名额 100.0%" and cards[3].detail == "尚未公布" and all(c.help for c in cards)
    assert V.headline(_progress().iloc[0:0], ROUND, as_of, "en")[1].detail == "— of the places"  # empty: no division
    en = V.progress_table(_progress(), ROUND, as_of, "en").frame
    assert list(en["Status"]) == ["In evaluation", "Evaluated", "No places"]


def test_the_rounds_workbook_lists_the_awarded_the_places_and_every_nomination():
    published = {**ROUND, "status": "awarded", "awarded_on": D(2026, 12, 5)}
    rows = _nominations().assign(stage=["awarded", "rejected"])
    sheets = V.export_sheets(published, _progress().assign(awarded=[1, 0, 0]), rows, D(2026, 12, 31), "zh_CN")
    assert [name for name, _ in sheets] == ["获奖名单", "名额使用情况", "全部推荐"]
    assert list(sheets[0][1]["姓名"]) == ["李明"] and list(sheets[2][1]["结果"]) == ["已表彰", "未通过"]
    book = load_workbook(BytesIO(workbook_bytes(sheets, meta=[("评选轮次", "2026")], title="“双爱双评”评选")))
    assert book.sheetnames == ["说明", "获奖名单", "名额使用情况", "全部推荐"]
    cell = book["获奖名单"]["B2"]
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s"  # text, never a formula
    assert [c.value for c in book["名额使用情况"][1]][-1] == "状态"


def test_the_list_keeps_the_citation_and_the_remark_apart_and_says_when_it_is_cut():
    table = V.nominations_table(_nominations(), "zh_CN")
    assert list(table.columns) == ["乡镇/街道", "企业", "类别", "姓名", "结果", "推荐日期", "评审日期", "主要事迹", "评审意见"]
    assert list(table["主要事迹"]) == ["技术革新", ""] and list(table["评审意见"]) == ["事迹突出", ""]
    assert list(table["评审日期"]) == ["2026年11月5日", "2026年11月6日"]
    day = D(2026, 11, 24)
    assert V.list_caption({"listed": 12, "hidden": 0}, 12, day, "zh_CN") == "共 12 条推荐（截至 2026年11月24日）"
    # never a silent cap: the first rows of the total, and the not-passed counted but not named
    assert V.list_caption({"listed": 7_321, "hidden": 3}, 5_000, day, "zh_CN") == (
        "显示前 5,000 条，共 7,321 条推荐（截至 2026年11月24日）；导出的 Excel 含全部；另有 3 人未通过评审（只统计人数，不显示姓名）")
    assert "first 5,000 of 7,321" in V.list_caption({"listed": 7_321, "hidden": 0}, 5_000, day, "en")
