"""The joint-meetings chart builders (``dashboard/charts/meetings.py``), tested on the Vega-Lite spec
they produce: marks, encodings, fields, titles in both languages, colours (each with a text label
in the legend), the CJK font, and what an empty frame gives. No Streamlit, no database."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard import charts
from dashboard.charts import meetings as mc
from dashboard.queries.followup import BOARD_COLUMNS

D = dt.date


def data(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def colours(encoding: dict) -> dict[str, str]:
    scale = encoding["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def assert_cjk_config(spec: dict) -> None:
    assert spec["config"]["font"] == charts.FONT and "Noto Sans SC" in spec["config"]["font"]
    assert spec["config"]["axis"]["labelFont"] == spec["config"]["legend"]["labelFont"] == charts.FONT


# --------------------------------------------------------------------------- timeline


MEETINGS = pd.DataFrame({
    "id": [1, 2, 3], "level": ["district", "enterprise", "enterprise"],
    "held_on": [D(2025, 3, 1), D(2025, 6, 1), D(2025, 12, 1)], "title": ["会议D1", "会议M1", "会议M3"],
    "enterprise": [None, "企业e1", "企业e3"], "decisions": [1, 1, 2], "items": [3, 1, 0], "overdue": [1, 0, 0],
})


def test_timeline_one_dot_per_meeting_on_its_level_red_where_items_are_overdue():
    spec = mc.timeline(MEETINGS, "zh_CN").to_dict()
    assert_cjk_config(spec)
    assert spec["mark"]["type"] == "circle" and spec["height"] == 200
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"], enc["x"]["axis"]["format"]) == ("held_on", "temporal", "%Y-%m")
    levels = ["区级联席会议", "企业级联席会议"]
    assert enc["y"]["field"] == "level" and enc["y"]["sort"] == levels and enc["y"]["scale"]["domain"] == levels
    assert (enc["size"]["field"], enc["size"]["title"]) == ("items", "事项数")
    assert colours(enc) == {"有逾期事项": charts.PARTY_RED, "无逾期事项": charts.UNION_BLUE}  # said in words
    assert [t["title"] for t in enc["tooltip"]] == ["日期", "会议", "企业", "决定数", "事项数", "逾期"]
    # district meetings sit on their line, enterprise meetings are spread a little (jitter)
    assert enc["yOffset"]["field"] == "jitter" and spec["transform"][0]["as"] == "jitter"
    assert "datum.level_key == 'district' ? 0" in spec["transform"][0]["calculate"]
    rows = data(spec)
    assert [(r["id"], r["level"], r["date"], r["where"], r["state"]) for r in rows] == [
        (1, "区级联席会议", "2025-03-01", "全区", "有逾期事项"),
        (2, "企业级联席会议", "2025-06-01", "企业e1", "无逾期事项"),
        (3, "企业级联席会议", "2025-12-01", "企业e3", "无逾期事项")]
    assert [(r["decisions"], r["items"], r["overdue"]) for r in rows] == [(1, 3, 1), (1, 1, 0), (2, 0, 0)]


def test_timeline_in_english_with_a_height_and_empty():
    spec = mc.timeline(MEETINGS, "en", height=320).to_dict()
    enc = spec["encoding"]
    assert enc["y"]["sort"] == ["District joint meeting", "Enterprise joint meeting"]
    assert colours(enc) == {"with overdue items": charts.PARTY_RED, "no overdue items": charts.UNION_BLUE}
    assert [t["title"] for t in enc["tooltip"]] == ["Date", "Meeting", "Enterprise", "Decisions", "Action items",
                                                   "Overdue"]
    assert data(spec)[0]["where"] == "Whole district" and spec["height"] == 320
    empty = mc.timeline(MEETINGS.iloc[0:0], "zh_CN").to_dict()
    assert data(empty) == [] and colours(empty["encoding"]) == {"有逾期事项": charts.PARTY_RED,
                                                                "无逾期事项": charts.UNION_BLUE}


# --------------------------------------------------------------------------- board_bar


def board(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=BOARD_COLUMNS)


BOARD = board([
    [1, "甲镇党委", 2, 1, 1, 0, 4, 2, D(2026, 2, 1)],
    [2, "区委组织部", 0, 0, 1, 1, 2, 0, D(2026, 1, 1)],
    [3, "乙街道党工委", 0, 0, 0, 3, 3, 0, None],  # everything done: nothing left to show
])


def test_board_bar_stacks_what_each_unit_still_owes_in_the_boards_order():
    spec = mc.board_bar(BOARD, "zh_CN").to_dict()
    assert_cjk_config(spec)
    assert spec["mark"]["type"] == "bar" and spec["height"] == {"step": 24}
    enc = spec["encoding"]
    assert enc["y"]["field"] == "owner" and enc["y"]["sort"] == ["甲镇党委", "区委组织部"]
    assert (enc["x"]["field"], enc["x"]["stack"], enc["x"]["title"]) == ("n", "zero", "未办结事项（项）")
    assert colours(enc) == {"逾期": charts.PARTY_RED, "进行中": charts.UNION_BLUE, "未开始": charts.GREY}
    assert [b for b, _ in mc.BOARD_BUCKETS] == ["overdue", "in_progress", "not_started", "done"]
    assert enc["order"]["field"] == "order"  # overdue first in each stack
    assert [t["title"] for t in enc["tooltip"]] == ["责任单位", "状态", "事项数"]
    assert [(r["owner"], r["bucket"], r["n"]) for r in data(spec)] == [
        ("甲镇党委", "逾期", 1), ("甲镇党委", "进行中", 1), ("甲镇党委", "未开始", 2),
        ("区委组织部", "逾期", 1), ("区委组织部", "进行中", 0), ("区委组织部", "未开始", 0)]


def test_board_bar_in_english_keeps_the_first_units_and_is_empty_when_all_is_done():
    spec = mc.board_bar(BOARD, "en", limit=1).to_dict()
    enc = spec["encoding"]
    assert enc["y"]["sort"] == ["甲镇党委"] and enc["x"]["title"] == "Open action items"
    assert list(colours(enc)) == ["Overdue", "In progress", "Not started"]
    assert [t["title"] for t in enc["tooltip"]] == ["Owner unit", "Status", "Action items"]
    assert {r["owner"] for r in data(spec)} == {"甲镇党委"}
    done = mc.board_bar(BOARD.iloc[[2]], "zh_CN").to_dict()
    assert data(done) == [] and done["encoding"]["y"]["sort"] == []
    assert data(mc.board_bar(board([]), "en").to_dict()) == []


# --------------------------------------------------------------------------- mechanism_bar


MECHANISM = pd.DataFrame({"township_id": [1, 2, 3], "code": ["A", "B", "C"], "name": ["甲镇", "乙街道", "丙乡"],
                          "eligible": [3, 1, 0], "with_meeting": [1, 1, 0], "rate": [1 / 3, 1.0, None]})


@pytest.mark.parametrize(("locale", "titles"), [
    ("zh_CN", ["乡镇/街道", "机制覆盖率", "分子", "分母"]), ("en", ["Township", "Mechanism coverage", "numerator",
                                                           "denominator"])])
def test_mechanism_bar_rate_bars_labelled_with_their_numerator_and_denominator(locale, titles):
    spec = mc.mechanism_bar(MECHANISM, locale).to_dict()
    assert_cjk_config(spec)
    bars, text = spec["layer"]
    assert (bars["mark"]["type"], bars["mark"]["color"]) == ("bar", charts.PARTY_RED)
    assert text["mark"]["type"] == "text" and text["encoding"]["text"]["field"] == "text"
    x = bars["encoding"]["x"]
    assert (x["field"], x["title"], x["axis"]["format"], x["scale"]["domain"]) == ("pct", titles[1], "%", [0, 1])
    assert bars["encoding"]["y"]["field"] == "name" and bars["encoding"]["y"]["sort"] == "-x"  # best first
    assert [t["title"] for t in bars["encoding"]["tooltip"]] == titles
    rows = data(spec)
    assert [(r["name"], r["text"]) for r in rows] == [("甲镇", "1 / 3"), ("乙街道", "1 / 1"), ("丙乡", "0 / 0")]
    pct = [r["pct"] for r in rows]
    assert pct[:2] == pytest.approx([1 / 3, 1.0])
    assert pct[2] == 0.0 and not math.isnan(pct[2])  # no eligible enterprise: an empty bar, not a missing one
    assert spec["height"] == {"step": 26}


def test_mechanism_bar_of_no_township_and_of_a_rate_column_of_none_only():
    assert data(mc.mechanism_bar(MECHANISM.iloc[0:0], "zh_CN").to_dict()) == []
    nothing = MECHANISM.assign(eligible=0, with_meeting=0, rate=[None, None, None])
    assert [r["pct"] for r in data(mc.mechanism_bar(nothing, "en").to_dict())] == [0.0, 0.0, 0.0]
