"""The meetings and awards boards past their lists' caps (issue 22: the boards without a pandas
Styler, drawn at 1M): the action items' list on 事项看板 beyond ``ITEMS_LIMIT`` and the round's
nominations beyond the page's ``LIST_LIMIT``. The list shows exactly the cap, says so with the total
(never a silent cut), and its status words are the table's own coloured labels (a
``MultiselectColumn`` of ``ui.sections.meetings.tagged``) — every word shown has its label, on the
colour of its status — as on the small demo lists. Each test adds rows to a copy of its own."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dashboard.queries.dates import district_today
from dashboard.queries.meetings import ITEMS_LIMIT
from dashboard.ui.sections.awards.board import LIST_LIMIT
from dashboard.views.status import LABEL_FILL
from tests.factories import app_on_own_demo


@pytest.fixture
def engine(demo_template, tmp_path, monkeypatch):
    engine = sa.create_engine(app_on_own_demo(demo_template, tmp_path / "large.sqlite", monkeypatch))
    yield engine
    engine.dispose()


def _series(n: int) -> str:
    """``SELECT k`` for k in 1..n (SQLite's recursive CTE), for an ``INSERT … SELECT`` of many rows."""
    return f"WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < {n}) "


def labelled(at, column: str, status: str = "状态"):
    """(frame, {word: fill}) of the first table holding ``column``, whose ``status`` column must be drawn as labels."""
    d = next(d for d in at.dataframe if column in d.value.columns)
    type_config = json.loads(d.proto.columns or "{}").get(status, {}).get("type_config", {})
    assert type_config.get("type") == "multiselect", f"{status} of the table with {column} is not labelled"
    return d.value, {o["value"]: o.get("color") for o in type_config["options"]}


def test_the_action_items_past_the_cap(engine):
    from tests.app.test_meetings_page import page

    today = district_today()
    with engine.begin() as conn:
        n_open = conn.execute(sa.text("SELECT count(*) FROM action_item WHERE status != 'done'")).scalar_one()
        copies = ITEMS_LIMIT // max(n_open, 1) + 2
        # each open item of the demo copied: due from 40 days ago to 60 days ahead, so every open status occurs
        conn.execute(sa.text(
            _series(copies) + "INSERT INTO action_item (decision_id, description, owner_unit_id, township_id, created_on, "
            "due_on, status, done_on, version) SELECT a.decision_id, a.description || '（' || k.k || '）', a.owner_unit_id, "
            "a.township_id, a.created_on, date(:today, ((k.k * 7) % 100 - 40) || ' days'), 'open', NULL, 1 "
            "FROM action_item a, k WHERE a.status != 'done'"), {"today": today.isoformat()})
        total_open = conn.execute(sa.text("SELECT count(*) FROM action_item WHERE status != 'done'")).scalar_one()
    assert total_open > ITEMS_LIMIT

    at = page(engine, "leader")
    items, fills = labelled(at, "会议")
    assert len(items) == ITEMS_LIMIT  # the cap, not every open item
    words = set(items["状态"])
    assert {"逾期", "临期"} <= words and words <= set(fills)  # every word shown has its label
    assert fills["逾期"] == LABEL_FILL["red"] and fills["临期"] == LABEL_FILL["amber"]
    caption = next(c.value for c in at.caption if "逾期在前" in c.value and "项" in c.value)
    assert f"共 {total_open:,} 项" in caption and f"只显示前 {ITEMS_LIMIT:,} 项" in caption  # said, with the total
    # the board per owner counts them all, its status labelled too
    board, board_fills = labelled(at, "最长逾期（天）")
    assert set(board["状态"]) <= set(board_fills) and "逾期" in set(board["状态"])


def test_the_nominations_past_the_cap(engine):
    from tests.app.test_awards_page import awards_page, labels

    today = district_today()
    with engine.begin() as conn:
        rnd = conn.execute(sa.text("SELECT id FROM award_round WHERE status != 'awarded' ORDER BY year DESC")).scalar_one()
        n = conn.execute(sa.text("SELECT count(*) FROM double_love_award WHERE round_id = :r AND stage IN "
                                 "('nominated', 'passed')"), {"r": rnd}).scalar_one()
        conn.execute(sa.text(
            _series(LIST_LIMIT // max(n, 1) + 2) + "INSERT INTO double_love_award (enterprise_id, year, category, "
            "person_name, round_id, township_id, stage, nominated_on, stage_on, note, version, evaluated_on, remark) "
            "SELECT d.enterprise_id, d.year, d.category, d.person_name || k.k, d.round_id, d.township_id, d.stage, "
            "d.nominated_on, d.stage_on, d.note, 1, d.evaluated_on, d.remark FROM double_love_award d, k "
            "WHERE d.round_id = :r AND d.stage IN ('nominated', 'passed')"), {"r": rnd})
        listed = conn.execute(sa.text("SELECT count(*) FROM double_love_award WHERE round_id = :r AND stage != 'rejected'"),
                              {"r": rnd}).scalar_one()
    assert listed > LIST_LIMIT

    at = awards_page(asof=today.isoformat())
    nominations = next(d.value for d in at.dataframe if "推荐日期" in d.value.columns)
    assert len(nominations) == LIST_LIMIT
    caption = next(c.value for c in at.caption if "显示前" in c.value)
    assert f"显示前 {LIST_LIMIT:,} 条" in caption and "导出的 Excel 含全部" in caption
    # the places per township over all of them, their status words on their labels
    places = labels(at, "已推荐")
    assert places and all(fill in (*LABEL_FILL.values(), None) for fill in places.values())
