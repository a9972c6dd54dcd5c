"""The import page's tables and cards, from an outcome built by hand (pure, no database)."""

from __future__ import annotations

import datetime as dt

from dashboard.edits.ledger_import import DIFF_KEYS, BatchInfo, Outcome
from dashboard.ledgerfile.problems import Problem
from dashboard.views.imports import batches_frame, diff_frame, kpi_changes, problems_frame


def outcome() -> Outcome:
    out = Outcome(filename="a.xlsx", sha256="x", dry_run=True)
    out.per_township = {"越北镇": dict.fromkeys(DIFF_KEYS, 0) | {"enterprises_new": 2, "unions_founded": 1},
                        "青岚街道": dict.fromkeys(DIFF_KEYS, 0) | {"enterprises_closed": 1}}
    out.kpis_before = {"as_of": "2026-10-01", "operating": 696, "union_coverage": [645, 696], "membership": [9, 10],
                       "party_coverage": [1, 8], "qualified_built": [79, 100], "work_coverage": [91, 100]}
    out.kpis_after = {"as_of": "2026-10-01", "operating": 697, "union_coverage": [646, 697], "membership": [9, 10],
                      "party_coverage": [1, 8], "qualified_built": [78, 100], "work_coverage": [91, 100]}
    return out


def test_the_diff_shows_the_kinds_that_occur_and_a_total():
    df = diff_frame(outcome(), "zh_CN")
    assert list(df.columns) == ["乡镇街道", "新增企业", "企业注销", "新建工会"]
    assert df.iloc[-1].tolist() == ["合计", 2, 1, 1]
    assert list(diff_frame(outcome(), "en").columns)[:2] == ["Township", "New enterprises"]


def test_kpi_cards_say_before_after_and_only_real_changes():
    cards = {c.label: c for c in kpi_changes(outcome(), "zh_CN")}
    assert (cards["在营企业数"].before, cards["在营企业数"].after, cards["在营企业数"].delta) == ("696", "697", "+1")
    assert cards["建会率"].delta is None  # 92.67 % -> 92.68 %: no "+0.0 个百分点"
    assert cards["应建已建率"].delta == "-1.0 个百分点" and cards["应建已建率"].definition
    assert cards["入会率"].delta is None


def test_problems_and_batches_in_the_pages_language():
    p = Problem("企业", 5, "成立日期", "2002-13-01", "不存在的日期", "no such date")
    assert problems_frame([p], "en").iloc[0].tolist() == ["企业", 5, "成立日期", "2002-13-01", "no such date"]
    batch = BatchInfo(3, dt.datetime(2026, 11, 30, 16, 9, tzinfo=dt.UTC), "admin", "a.xlsx", "x", dt.date(2026, 10, 1),
                      12, {"totals": {"enterprises_new": 2, "censuses": 0}}, None, None)
    row = batches_frame([batch], "zh_CN").iloc[0].tolist()
    assert row == [3, "2026-12-01 00:09", "admin", "a.xlsx", 12, "新增企业 2", "有效"]  # the district's time
