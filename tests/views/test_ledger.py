"""The ledger's view layer: pure, no database and no Streamlit — small frames built by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.queries.ledger import LEDGER_COLUMNS, EnterpriseDetail, LedgerQuery
from dashboard.views import ledger as view
from models.enums import Pattern

D = dt.date


def rows() -> pd.DataFrame:
    """Two ledger rows as ``ledger_page`` returns them: one with a union and a Party organisation,
    one with only a liaison officer dispatched by the township."""
    return pd.DataFrame([
        {"enterprise_id": 1, "name": "吉林市红光热能设备有限责任公司", "uscc": "912202991000000001", "township_id": 7,
         "township": "越北镇", "employees": 120, "party_members": 9, "union": "红光工会", "party_org": "红光党支部",
         "liaison": None, "liaison_kind": None, "pattern": "union_and_branch", "registered_on": D(1996, 3, 1),
         "closed_on": None, "union_how": "own", "party_how": "joint"},
        {"enterprise_id": 2, "name": "吉林市业裕电子厂", "uscc": "91220299100001473T", "township_id": 7,
         "township": "越北镇", "employees": 47, "party_members": 0, "union": None, "party_org": None,
         "liaison": "熊芬", "liaison_kind": "dispatched", "pattern": "no_union", "registered_on": D(1995, 1, 25),
         "closed_on": None, "union_how": None, "party_how": None},
    ], columns=LEDGER_COLUMNS)


def test_ledger_frame_in_chinese():
    df = view.ledger_frame(rows(), "zh_CN")
    assert list(df.columns) == ["企业名称", "统一社会信用代码", "乡镇/街道", "职工数", "党员数", "工会", "建会方式",
                                "党组织", "党组织组建方式", "党建联络员", "组建模式", "注册日期"]
    assert df.iloc[0].tolist() == ["吉林市红光热能设备有限责任公司", "912202991000000001", "越北镇", 120, 9, "红光工会",
                                   "单独", "红光党支部", "联合", "—", "一会一支", D(1996, 3, 1)]
    assert df.iloc[1].tolist() == ["吉林市业裕电子厂", "91220299100001473T", "越北镇", 47, 0, "—", "—", "—", "—",
                                   "熊芬（乡镇下派）", "未建会", D(1995, 1, 25)]
    assert str(df["职工数"].dtype) == "int64" and str(df["党员数"].dtype) == "int64"  # numbers stay numbers


def test_ledger_frame_in_english():
    df = view.ledger_frame(rows(), "en")
    assert list(df.columns) == ["Enterprise", "USCC", "Township", "Employees", "Party members", "Union",
                                "Union: own/joint", "Party organisation", "Party org: own/joint", "Liaison officer",
                                "Pattern", "Registered"]
    assert df.iloc[0].tolist()[6] == "own" and df.iloc[0].tolist()[8] == "joint"
    assert df.iloc[1].tolist()[5:11] == ["—", "—", "—", "—", "熊芬 (dispatched)", "No union"]
    assert df["Pattern"].tolist() == ["Union + branch", "No union"]


def test_ledger_frame_of_no_rows_keeps_its_headers():
    df = view.ledger_frame(rows().iloc[0:0], "zh_CN")
    assert len(df) == 0 and df.columns[0] == "企业名称" and len(df.columns) == 12


def test_ledger_frame_reads_timestamps_as_dates():
    r = rows().assign(registered_on=pd.to_datetime(["1996-03-01", "1995-01-25"]))
    assert view.ledger_frame(r, "en")["Registered"].tolist() == [D(1996, 3, 1), D(1995, 1, 25)]


@pytest.mark.parametrize(("loc", "want"), [("zh_CN", "张三（本企业党员）"), ("en", "张三 (own member)")])
def test_liaison_label(loc, want):
    assert view.liaison_label("张三", "own", loc) == want
    assert view.liaison_label(None, "own", loc) is None and view.liaison_label("", "own", loc) is None


def test_sort_label_is_the_column_header():
    assert view.sort_label("registered_on", "zh_CN") == "注册日期"
    assert view.sort_label("name", "en") == "Enterprise"


def townships() -> pd.DataFrame:
    return pd.DataFrame({"name": ["越北镇", "青岚街道"], "operating": [43, 60], "unionised": [37, 50],
                         "with_party_org": [9, 20], "pattern_should_build": [2, 3], "pattern_no_union": [6, 10]})


def test_township_summary_frame_both_locales():
    zh = view.township_summary_frame(townships(), "zh_CN")
    assert list(zh.columns) == ["乡镇/街道", "在营企业", "已建会（家）", "有党组织（家）", "应建未建", "未建会"]
    assert zh.iloc[0].tolist() == ["越北镇", 43, 37, 9, 2, 6]
    en = view.township_summary_frame(townships(), "en")
    assert list(en.columns) == ["Township", "Operating", "Unionised", "With a Party org", "Qualified, no Party org",
                                "No union"]


def test_workbook_holds_the_screen_table_and_says_what_was_exported():
    q = LedgerQuery(search="红光", patterns=("no_union", "union_and_branch"), sort="employees", descending=True)
    book = view.ledger_workbook(rows(), townships(), q, D(2002, 12, 31), "zh_CN", username="yuebei", narrowed=True,
                                exported_at=dt.datetime(2026, 11, 24, 9, 30), demo=True)
    assert book.title == "企业台账导出"
    assert [name for name, _ in book.sheets] == ["企业台账", "乡镇汇总"]
    pd.testing.assert_frame_equal(book.sheets[0][1], view.ledger_frame(rows(), "zh_CN"))  # the page's own table
    towns = book.sheets[1][1]
    summary = view.township_summary_frame(townships(), "zh_CN")
    assert len(towns) == len(summary) + 1 and towns.iloc[-1, 0] == "合计"  # a total row under the townships
    assert towns.iloc[-1, 1:].tolist() == summary.iloc[:, 1:].sum().tolist()
    meta = dict(book.meta)
    assert meta == {"统计截至": "2002年12月31日", "乡镇筛选": "越北镇、青岚街道", "党建基数": "全部在营企业", "搜索": "红光",
                    "组建模式": "一会一支、未建会", "排序": "职工数 ↓", "企业数": "2", "导出人": "yuebei",
                    "导出时间": "2026-11-24 09:30"}
    assert book.demo_note and "越北镇" in book.demo_note


def test_workbook_of_the_whole_district_in_english():
    book = view.ledger_workbook(rows(), townships(), LedgerQuery(), D(2002, 12, 31), "en", username="staff",
                                narrowed=False, exported_at=dt.datetime(2026, 1, 2, 3, 4), demo=False)
    meta = dict(book.meta)
    assert meta["Township filter"] == "Whole district" and meta["Search"] == "—"
    assert meta["Patterns"] == "all patterns" and meta["Sort by"] == "Enterprise ↑" and meta["As of"] == "2002-12-31"
    assert book.demo_note is None
    assert [name for name, _ in book.sheets] == ["Ledger", "Townships"]


def detail(**changes) -> EnterpriseDetail:
    base = {
        "enterprise_id": 1, "uscc": "912202991000000001", "name": "红光", "township_id": 7, "township": "越北镇", "is_village": False,
        "ownership": "private", "industry": "制造业", "employees": 1234, "party_members": 9, "registered_on": D(1996, 3, 1),
        "closed_on": None, "barrier": None, "legal_rep": None, "owner_is_party_member": False, "as_of": D(2002, 12, 31),
        "pattern": Pattern.UNION_AND_BRANCH, "union": "红光工会", "party_org": "红光党支部", "liaison": None, "liaison_kind": None,
        "history": pd.DataFrame(),
    }
    return EnterpriseDetail(**{**base, **changes})


def test_detail_facts_and_caption():
    assert view.detail_facts(detail(), "zh_CN") == [("组建模式", "一会一支"), ("职工数", "1,234"), ("党员数", "9"),
                                                     ("乡镇/街道", "越北镇")]
    assert view.detail_facts(detail(pattern=None), "en")[0] == ("Pattern", "—")  # not operating on the date
    assert view.detail_caption(detail(), "zh_CN") == "统一社会信用代码：912202991000000001 · 注册日期：1996年3月1日"
    closed = detail(closed_on=D(2003, 5, 6))
    assert view.detail_caption(closed, "en") == "USCC: 912202991000000001 · Registered: 1996-03-01 · Closed: 2003-05-06"
    assert view.detail_caption(closed, "zh_CN").endswith(" · 注销日期：2003年5月6日")


def history() -> pd.DataFrame:
    return pd.DataFrame([
        {"date": D(1996, 3, 1), "year_only": False, "kind": "registered", "title": "红光", "detail": None},
        {"date": D(1999, 1, 1), "year_only": True, "kind": "union_founded", "title": "红光工会", "detail": None},
        {"date": D(2001, 7, 1), "year_only": False, "kind": "a_kind_added_later", "title": None, "detail": "说明"},
    ])


def test_history_frame_in_chinese():
    df = view.history_frame(history(), "zh_CN")
    assert list(df.columns) == ["日期", "事项", "名称", "内容"]
    assert df["日期"].tolist() == ["1996年3月1日", "1999", "2001年7月1日"]  # only the year when only the year is known
    assert df["事项"].tolist() == ["注册成立", "工会成立", "a_kind_added_later"]  # an unknown kind: itself, no error
    assert df["名称"].tolist() == ["红光", "红光工会", ""] and df["内容"].tolist() == ["", "", "说明"]


def test_history_frame_in_english_and_with_its_own_labels():
    df = view.history_frame(history(), "en")
    assert list(df.columns) == ["Date", "Event", "Name", "Detail"]
    assert df["Date"].tolist() == ["1996-03-01", "1999", "2001-07-01"]
    assert df["Event"].tolist()[:2] == ["Registered", "Union founded"]
    labelled = history().assign(label=["成立", None, "新事项"]).drop(columns=["year_only", "detail"])
    out = view.history_frame(labelled, "zh_CN")
    assert out["事项"].tolist() == ["成立", "工会成立", "新事项"]  # a label of the history wins; else hist.<kind>
    assert out["日期"].tolist() == ["1996年3月1日", "1999年1月1日", "2001年7月1日"] and out["内容"].tolist() == ["", "", ""]
