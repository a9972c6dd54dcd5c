"""Excel export: a real ledger written with Chinese headers and read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from dashboard.exports.excel import DEMO_META_KEY, DEMO_NOTE, INFO_SHEET, sheet_name, text_width, workbook_bytes
from dashboard.queries.ledger import LedgerQuery, ledger_rows
from dashboard.queries.scope import Scope
from seed_data import facts

HEADERS = {
    "enterprise_id": "企业编号", "name": "企业名称", "uscc": "统一社会信用代码", "township": "乡镇/街道",
    "employees": "职工人数", "party_members": "党员人数", "union": "工会", "party_org": "党组织",
    "liaison": "党建联络员", "pattern": "类型", "registered_on": "登记日期", "closed_on": "注销日期",
}
META = [("统计截至", "2002年12月31日"), ("乡镇/街道", "越北镇"), ("搜索", "—"), ("导出人", "staff"),
        ("导出时间", "2026-11-24 09:30")]


@pytest.fixture(scope="module")
def ledger_frame(demo_template, tmp_path_factory) -> pd.DataFrame:
    """The 2002-12-31 district ledger of the demo (a copy of the session's, tests/conftest.py), with
    the caller's Chinese headers."""
    from models.db import make_engine

    engine = make_engine(demo_template.copy(tmp_path_factory.mktemp("xl") / "demo.sqlite"))
    with Session(engine) as s:
        rows = ledger_rows(s, Scope.district(), facts.SNAPSHOT, LedgerQuery(sort="registered_on"), limit=5000)
    engine.dispose()
    return rows[list(HEADERS)].rename(columns=HEADERS)


def read(data: bytes):
    return load_workbook(io.BytesIO(data))


def cell_equals(got, want) -> bool:
    if want is None or (not isinstance(want, str) and pd.isna(want)):
        return got is None
    if isinstance(want, dt.date):
        return isinstance(got, dt.datetime) and got.date() == want
    if isinstance(want, (int, np.integer)):
        return type(got) is int and got == int(want)
    return got == want


def test_ledger_round_trip_values_types_and_meta(ledger_frame):
    df = ledger_frame
    assert len(df) > 500 and df["注销日期"].notna().any() and df["注销日期"].isna().any()
    data = workbook_bytes([("企业台账", df)], meta=META + [(DEMO_META_KEY, "是")], title="企业台账（截至2002年12月31日）")
    assert data[:2] == b"PK"  # a zip container: .xlsx
    wb = read(data)
    assert wb.sheetnames == [INFO_SHEET, "企业台账"]
    ws = wb["企业台账"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(HEADERS.values())  # headers as given
    assert len(rows) == len(df) + 1
    records = df.to_dict("records")
    for got, want in zip(rows[1:], records, strict=True):
        for header, value in zip(HEADERS.values(), got, strict=True):
            assert cell_equals(value, want[header]), (header, value, want[header])
    # types: real dates with a date format, integers as numbers, CJK text intact
    date_col = list(HEADERS.values()).index("登记日期") + 1
    assert ws.cell(2, date_col).is_date and ws.cell(2, date_col).number_format == "yyyy-mm-dd"
    assert ws.cell(2, list(HEADERS.values()).index("职工人数") + 1).data_type == "n"
    names = [r[1] for r in rows[1:]]
    assert facts.HONGGUANG in names and facts.DEYUN in names
    # header style, frozen panes, auto filter, widths
    assert all(c.font.bold for c in ws[1]) and ws["A1"].fill.fill_type == "solid"
    assert not ws["A2"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:L{len(df) + 1}"
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEFGHIJKL"}
    longest_name = max(text_width(n) for n in df["企业名称"])
    assert widths["B"] >= min(60, longest_name)  # the name column fits its longest (CJK) name
    assert widths["A"] < widths["B"]
    # the 说明 sheet: title, demo note, every meta pair
    info = wb[INFO_SHEET]
    lines = [tuple(v for v in r if v is not None) for r in info.iter_rows(values_only=True)]
    assert lines[0] == ("企业台账（截至2002年12月31日）",) and info["A1"].font.bold
    assert (DEMO_NOTE,) in lines
    for pair in META:
        assert pair in lines, pair
    assert not any(DEMO_META_KEY in line for line in lines)  # the flag itself is not listed


def test_demo_note_only_when_asked_and_in_the_callers_words():
    df = pd.DataFrame({"企业名称": ["甲"]})
    plain = [tuple(r) for r in read(workbook_bytes([("表", df)], meta=META, title="t"))[INFO_SHEET].iter_rows(values_only=True)]
    assert not any(DEMO_NOTE in (v or "") for r in plain for v in r)
    off = read(workbook_bytes([("表", df)], meta=[(DEMO_META_KEY, "否")], title="t"))[INFO_SHEET]
    assert [v for r in off.iter_rows(values_only=True) for v in r if v] == ["t"]
    custom = read(workbook_bytes([("表", df)], meta=[("DEMO", "Demo data, fictional names")], title="t"))[INFO_SHEET]
    assert "Demo data, fictional names" in [v for r in custom.iter_rows(values_only=True) for v in r]


def test_values_of_every_kind_are_written_as_their_excel_type():
    df = pd.DataFrame({
        "整数": pd.Series([1, 2, 3], dtype="int64"),
        "小数": [0.5, np.nan, 1.25],
        "日期": [dt.date(2002, 12, 31), None, dt.date(1999, 6, 12)],
        "时间戳": pd.to_datetime(["2020-01-01", "2021-02-03 04:05", None], format="ISO8601"),
        "文本": ["红光", None, "=HYPERLINK(\"http://x\")"],
        "布尔": [True, False, True],
        "可空整数": pd.array([7, None, 9], dtype="Int64"),
    })
    ws = read(workbook_bytes([("t", df)], meta=[], title="t"))["t"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [1, 2, 3] and all(type(r[0]) is int for r in rows)
    assert rows[0][1] == 0.5 and rows[1][1] is None
    assert rows[0][2] == dt.datetime(2002, 12, 31) and rows[1][2] is None and ws["C2"].number_format == "yyyy-mm-dd"
    assert rows[0][3] == dt.datetime(2020, 1, 1) and ws["D2"].number_format == "yyyy-mm-dd"
    assert rows[1][3] == dt.datetime(2021, 2, 3, 4, 5) and ws["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert rows[2][3] is None
    assert rows[0][4] == "红光" and rows[1][4] is None
    assert rows[2][4] == "=HYPERLINK(\"http://x\")" and ws["E4"].data_type == "s"  # text, never a formula
    assert [r[5] for r in rows] == [True, False, True]
    assert [r[6] for r in rows] == [7, None, 9] and type(rows[0][6]) is int


def test_sheet_names_are_sanitised_and_unique():
    assert sheet_name("台账[2002]:越北镇/明细?*\\") == "台账_2002__越北镇_明细___"
    long = "非公有制企业党工共建企业台账越北镇二〇〇二年十二月三十一日明细表"
    assert len(long) > 31 and sheet_name(long) == long[:31]
    assert sheet_name("'引号'") == "引号"
    assert sheet_name("") == "Sheet" and sheet_name("History") != "History"
    assert sheet_name("台账", ["台账"]) == "台账(2)" and sheet_name("ABC", ["abc", "ABC(2)"]) == "ABC(3)"
    assert len(sheet_name(long, [long[:31]])) == 31
    df = pd.DataFrame({"a": [1]})
    wb = read(workbook_bytes([("说明", df), ("a/b", df), ("a/b", df), (long, df)], meta=[], title="t"))
    assert wb.sheetnames == ["说明", "说明(2)", "a_b", "a_b(2)", long[:31]]
    for name in wb.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_column_widths_count_cjk_characters_double():
    assert text_width("abc") == 3 and text_width("红光热能") == 8 and text_width("Ａ") == 2
    df = pd.DataFrame({"x": ["abcdefghij"], "y": ["红光热能设备有限公司"]})  # ten characters each
    ws = read(workbook_bytes([("t", df)], meta=[], title="t"))["t"]
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width >= 10
    assert ws.column_dimensions["B"].width <= 60


def test_empty_table_and_illegal_characters():
    empty = pd.DataFrame({"企业名称": pd.Series([], dtype=object), "职工人数": pd.Series([], dtype="int64")})
    dirty = pd.DataFrame({"名称": ["红光\x01热能\x1f"]})
    wb = read(workbook_bytes([("空", empty), ("脏", dirty)], meta=[("说明\x02", "值\x03")], title="标题\x00"))
    assert [tuple(r) for r in wb["空"].iter_rows(values_only=True)] == [("企业名称", "职工人数")]
    assert wb["脏"]["A2"].value == "红光热能"
    assert ("说明", "值") in [tuple(r) for r in wb[INFO_SHEET].iter_rows(values_only=True)]
    with pytest.raises(TypeError):
        workbook_bytes([("x", [1, 2])], meta=[], title="t")



def test_the_ledger_sheet_is_the_screen_table_cell_for_cell():
    """The page and the file share ``views.ledger.ledger_frame``: written and read back, the sheet's
    header and rows are the table the page shows (dates as dates, counts as numbers, "—" as text)."""
    from dashboard.queries.ledger import LEDGER_COLUMNS
    from dashboard.views.ledger import ledger_frame

    rows = pd.DataFrame([
        [1, "红光", "912202991000000001", 7, "越北镇", 120, 9, "红光工会", "红光党支部", None, None, "union_and_branch",
         dt.date(1996, 3, 1), None, "own", "own"],
        [2, "业裕", "91220299100001473T", 7, "越北镇", 47, 0, None, None, "熊芬", "dispatched", "no_union",
         dt.date(1995, 1, 25), None, None, None],
    ], columns=LEDGER_COLUMNS)
    for loc in ("zh_CN", "en"):
        screen = ledger_frame(rows, loc)
        ws = read(workbook_bytes([("t", screen)], meta=[], title="t"))["t"]
        got = [[v.date() if isinstance(v, dt.datetime) else v for v in r] for r in ws.iter_rows(values_only=True)]
        assert got[0] == list(screen.columns)
        assert got[1:] == [[v.item() if hasattr(v, "item") else v for v in r] for r in screen.itertuples(index=False)]
        assert type(got[1][3]) is int and got[2][5] == "—"
