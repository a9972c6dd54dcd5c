"""The ledger workbook writer (``dashboard.ledgerfile.workbook``): the template, the export format,
the CSV variant and the error workbook — each written, then opened with openpyxl and checked."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from dashboard.ledgerfile import spec
from dashboard.ledgerfile.problems import Problem
from dashboard.ledgerfile.workbook import (
    ERROR_FILL,
    EXAMPLE_USCC,
    INLINE_LIST_MAX,
    LISTS_SHEET,
    MAX_PROBLEMS,
    PROBLEM_HEADERS,
    PROBLEMS_SHEET,
    REQUIRED_FILL,
    TITLE,
    VALIDATION_ERROR_TITLE,
    csv_zip,
    error_workbook,
    ledger_csvs,
    ledger_workbook,
    list_choices,
    uscc_list_text,
)
from models.enums import Barrier, LiaisonKind, Ownership, PartyOrgLevel, TownshipKind, UnionKind
from models.rules import make_uscc, uscc_problem

U1 = make_uscc(division="330102", serial=11)
U2 = make_uscc(division="330102", serial=12)
U3 = make_uscc(division="330102", serial=13, authority="0")  # a leading zero Excel must not eat


def read(data: bytes):
    return load_workbook(io.BytesIO(data))


def values(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def validations(ws) -> dict[str, list[str]]:
    """Column letter → the list's choices."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        (ref,) = str(dv.sqref).split()
        letter = ref.split(":")[0].rstrip("0123456789")
        out[letter] = dv.formula1.strip('"').split(",")
    return out


def letter(sheet: spec.Sheet, key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([c.key for c in sheet.columns].index(key) + 1)


SAMPLE_ROWS = {
    "townships": [{"code": "330102001", "name": "越北镇", "kind": TownshipKind.TOWN, "sort_order": 1},
                  {"code": "033010200", "name": "=1+1", "kind": "街道", "sort_order": None}],
    "enterprises": [{
        "uscc": U3, "name": "+cmd|' /C calc'!A0", "township": "越北镇", "is_village": True,
        "ownership": Ownership.FOREIGN, "industry": "@SUM(A1)", "registered_on": dt.date(1998, 3, 16),
        "closed_on": dt.datetime(2004, 5, 1), "employees": 120, "party_members": 0, "union_members": None,
        "census_on": "2002-12-31", "barrier": Barrier.AFRAID, "legal_rep": "-2+3", "owner_is_party_member": False,
        "fixed_premises": False, "trading": True,
    }],
    "unions": [{"name": "联合工会", "kind": UnionKind.JOINT, "township": "越北镇",
                "enterprises": [(U1, None, None), (U2, dt.date(2003, 5, 1), dt.date(2008, 1, 1)),
                                (U3, dt.date(2003, 5, 1), None)],
                "founded_on": dt.date(1999, 6, 1), "has_workers_congress": True}],
    "party_orgs": [{"name": "党支部", "level": PartyOrgLevel.JOINT_BRANCH, "township": "越北镇",
                    "enterprises": [(U1, None, None)], "founded_on": dt.date(2001, 7, 1)}],
    "liaisons": [{"uscc": U1, "name": "张某", "kind": LiaisonKind.DISPATCHED, "appointed_on": dt.date(2002, 3, 1)}],
    "membership": [{"uscc": U1, "changed_on": dt.date(2002, 6, 30), "joined": 12, "left": 0}],
}


@pytest.fixture(scope="module")
def template():
    return read(ledger_workbook(example=True, title_note="（越北镇）"))


@pytest.fixture(scope="module")
def export():
    return read(ledger_workbook(SAMPLE_ROWS))


# --------------------------------------------------------------------------- the workbook


def test_sheets_in_order_headers_equal_the_spec(template):
    assert template.sheetnames == [spec.EXPLANATION_TITLE, *(s.title for s in spec.SHEETS)]
    for sheet in spec.SHEETS:
        ws = template[sheet.title]
        assert [c.value for c in ws[1]] == sheet.headers  # no "*" added to the text
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{letter(sheet, sheet.columns[-1].key)}2"
        for k, col in enumerate(sheet.columns):
            cell = ws.cell(1, k + 1)
            assert cell.font.b
            required_fill = cell.fill.fgColor.rgb.endswith(REQUIRED_FILL.fgColor.rgb[-6:])
            assert required_fill == col.required, col.header
            width = ws.column_dimensions[letter(sheet, col.key)].width
            assert width >= sum(2 if ord(ch) > 0x2E7F else 1 for ch in col.header), col.header


def test_a_list_per_enum_and_bool_column_with_the_right_choices(template):
    for sheet in spec.SHEETS:
        ws = template[sheet.title]
        lists = validations(ws)
        want = {}
        for col in sheet.columns:
            if col.kind == spec.ENUM:
                want[letter(sheet, col.key)] = spec.choices(col.enum)
            elif col.kind == spec.BOOL:
                want[letter(sheet, col.key)] = ["是", "否"]
        assert lists == want, sheet.title
        for dv in ws.data_validations.dataValidation:
            assert str(dv.sqref).endswith("1048576") and str(dv.sqref).split(":")[0].endswith("2")
            assert dv.showErrorMessage and dv.errorTitle == VALIDATION_ERROR_TITLE
            assert all(choice in dv.error for choice in dv.formula1.strip('"').split(","))
    assert LISTS_SHEET not in template.sheetnames  # no hidden sheet: the import refuses hidden sheets


def test_every_inline_list_fits_excel_limit():
    for sheet in spec.SHEETS:
        for col in sheet.columns:
            items = list_choices(col)
            if items:
                assert len('"' + ",".join(items) + '"') < INLINE_LIST_MAX, col.header
                assert not any("," in i or '"' in i for i in items)


def test_a_long_list_goes_to_a_hidden_lists_sheet(monkeypatch):
    from dashboard.ledgerfile import workbook

    long = [f"很长的选项名称{n:03d}" for n in range(40)]
    real = workbook.list_choices
    monkeypatch.setattr(workbook, "list_choices",
                        lambda col: long if col.kind == spec.ENUM and col.enum is Ownership else real(col))
    wb = read(ledger_workbook())
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert [r[0] for r in values(wb[LISTS_SHEET])] == long
    dv = {d.formula1 for d in wb["企业"].data_validations.dataValidation}
    assert f"'{LISTS_SHEET}'!$A$1:$A$40" in dv


def test_the_example_row(template):
    assert uscc_problem(EXAMPLE_USCC) is None and EXAMPLE_USCC == make_uscc(division="330102", serial=1)
    for sheet in spec.SHEETS:
        ws = template[sheet.title]
        rows = values(ws)
        assert len(rows) == 2, sheet.title
        for k, col in enumerate(sheet.columns):
            got = rows[1][k]
            cell = ws.cell(2, k + 1)
            if not col.example:
                assert got is None
            elif col.kind in (spec.USCC, spec.USCC_LIST):
                assert got == EXAMPLE_USCC and cell.data_type == "s" and cell.number_format == "@"
            elif col.kind == spec.DATE:
                assert got == dt.datetime.combine(dt.date.fromisoformat(col.example), dt.time())
                assert cell.is_date and cell.number_format == "yyyy-mm-dd"
            elif col.kind == spec.COUNT:
                assert type(got) is int and got == int(col.example)
            elif col.kind == spec.CODE:
                assert got == col.example and cell.data_type == "s" and cell.number_format == "@"
            else:
                assert got == col.example
    # the example enterprise is the one the union, Party organisation, liaison and membership rows name
    assert template["企业"]["A2"].value == template["工会"]["D2"].value == template["党组织"]["D2"].value
    assert template["联络员"]["A2"].value == template["会员变动"]["A2"].value == EXAMPLE_USCC


def test_the_explanation_sheet(template):
    ws = template[spec.EXPLANATION_TITLE]
    rows = values(ws)
    texts = [c for r in rows for c in r if isinstance(c, str)]
    assert rows[0][0] == TITLE + "（越北镇）"
    assert any("示例" in t and "删除" in t for t in texts)
    assert any(spec.DATE_FORMATS_ZH in t for t in texts)
    assert any("dangong import" in t and "--dry-run" in t for t in texts)
    assert any("数据导入" in t for t in texts) and any(".xlsx" in t for t in texts)
    assert any("How to fill" in t for t in texts)  # the English block
    header = ("工作表", "列", "必填", "含义", "允许的值", "影响的指标")
    start = next(i for i, r in enumerate(rows) if r[:6] == header)
    table = {(r[0], r[1]): r for r in rows[start + 1:]}
    for sheet in spec.SHEETS:
        assert any(sheet.help_zh in t for t in texts) and any(sheet.help_en in t for t in texts)
        for col in sheet.columns:
            r = table[(sheet.title, col.header)]
            assert r[2] == ("必填" if col.required else None)
            assert r[3] == col.help_zh and r[4] == col.allowed_zh() and r[5] == (col.feeds or None)
            assert r[6] == col.header_en and r[7] == col.help_en
    assert len(table) == sum(len(s.columns) for s in spec.SHEETS)


def test_explanation_without_example_has_no_example_note():
    wb = read(ledger_workbook())
    texts = [c for r in values(wb[spec.EXPLANATION_TITLE]) for c in r if isinstance(c, str)]
    assert not any("示例" in t for t in texts)
    for sheet in spec.SHEETS:
        assert values(wb[sheet.title]) == [tuple(sheet.headers)]


def test_python_values_are_written_in_file_form(export):
    ws = export["乡镇街道"]
    assert values(ws)[1:] == [("330102001", "越北镇", "镇", 1), ("033010200", "=1+1", "街道", None)]
    assert ws["A3"].data_type == "s" and ws["A3"].number_format == "@"
    ws = export["企业"]
    row = dict(zip(spec.ENTERPRISES.headers, values(ws)[1], strict=True))
    assert row["统一社会信用代码"] == U3 and ws["A2"].data_type == "s" and ws["A2"].number_format == "@"
    assert row["村级企业"] == "是" and row["出资人是党员"] == "否"
    assert row["有固定经营场所"] == "否" and row["有正常经营活动"] == "是"  # the 三有 flags (issue 14 item 2)
    assert row["经济类型"] == "外资及港澳台" and row["未建党组织原因"] == "怕被辞退不敢建"
    assert row["成立日期"] == dt.datetime(1998, 3, 16) and ws["G2"].is_date and ws["G2"].number_format == "yyyy-mm-dd"
    assert row["注销日期"] == dt.datetime(2004, 5, 1) and ws["H2"].number_format == "yyyy-mm-dd"
    assert row["人数统计日期"] == dt.datetime(2002, 12, 31)  # an ISO text becomes a date
    assert row["从业人员数"] == 120 and row["正式党员数"] == 0 and row["工会会员数"] is None
    ws = export["工会"]
    assert ws["D2"].value == f"{U1}；{U2}[2003-05-01~2008-01-01]；{U3}[2003-05-01~]"
    assert ws["D2"].data_type == "s" and ws["I2"].value == "是" and ws["J2"].value is None
    assert export["党组织"]["B2"].value == "联合党支部" and export["联络员"]["C2"].value == "下派党建指导员"
    assert values(export["会员变动"])[1] == (U1, dt.datetime(2002, 6, 30), 12, 0)
    assert export["企业"].auto_filter.ref == "A1:Q2"


def test_formula_like_text_is_neutralised_as_exports_cells_does(export):
    ws = export["企业"]
    for ref, text in (("B2", "+cmd|' /C calc'!A0"), ("F2", "@SUM(A1)"), ("N2", "-2+3")):
        cell = ws[ref]
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, ref
    cell = export["乡镇街道"]["B3"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
    # and nothing in the file is a formula
    raw = zipfile.ZipFile(io.BytesIO(ledger_workbook(SAMPLE_ROWS)))
    for name in raw.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in raw.read(name), name


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="unknown sheet"):
        ledger_workbook({"enterprise": []})
    with pytest.raises(ValueError, match="unknown column"):
        ledger_workbook({"townships": [{"code": "1", "nmae": "x"}]})


def test_uscc_list_text():
    assert uscc_list_text([("A", None, None), ("B", dt.date(2003, 5, 1), dt.date(2008, 1, 1))]) == \
        "A；B[2003-05-01~2008-01-01]"
    assert uscc_list_text([("B", None, dt.date(2008, 1, 1))]) == "B[~2008-01-01]"
    assert uscc_list_text("A；B") == "A；B" and uscc_list_text([]) == "" and uscc_list_text(None) == ""


def test_the_written_lists_read_back_with_the_cell_parser():
    from dashboard.ledgerfile.cells import parse_uscc_list

    entries = SAMPLE_ROWS["unions"][0]["enterprises"]
    assert parse_uscc_list(uscc_list_text(entries)) == entries


@pytest.mark.slow
def test_a_hundred_thousand_enterprises():
    """Written in write-only mode from a generator (bounded memory); no timing is asserted."""
    n = 100_000

    def rows():
        for i in range(n):
            yield {"uscc": make_uscc(division="330102", serial=i), "name": f"企业{i}", "township": "越北镇",
                   "ownership": Ownership.PRIVATE, "registered_on": dt.date(1998, 1, 1) + dt.timedelta(days=i % 1000),
                   "employees": i % 500, "party_members": i % 7, "census_on": dt.date(2002, 12, 31)}

    data = ledger_workbook({"enterprises": rows()})
    wb = load_workbook(io.BytesIO(data), read_only=True)
    ws = wb["企业"]
    count = 0
    last = None
    for last in ws.iter_rows(values_only=True, max_col=9):
        count += 1
    assert count == n + 1
    assert last[0] == make_uscc(division="330102", serial=n - 1) and last[8] == (n - 1) % 500
    wb.close()


# --------------------------------------------------------------------------- CSV


def test_csv_files_bom_header_rows_round_trip():
    files = ledger_csvs(SAMPLE_ROWS, example=True)
    assert list(files) == [f"{s.title}.csv" for s in spec.SHEETS]
    for sheet in spec.SHEETS:
        data = files[f"{sheet.title}.csv"]
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == sheet.headers
        assert len(rows) == 2 + len(SAMPLE_ROWS[sheet.key])
        assert all(len(r) == len(sheet.headers) for r in rows)
    rows = list(csv.reader(io.StringIO(files["企业.csv"].decode("utf-8-sig"))))
    example = dict(zip(spec.ENTERPRISES.headers, rows[1], strict=True))
    assert example["统一社会信用代码"] == EXAMPLE_USCC and example["成立日期"] == "1998-03-16"
    assert example["从业人员数"] == "120" and example["注销日期"] == ""
    row = dict(zip(spec.ENTERPRISES.headers, rows[2], strict=True))
    assert row["统一社会信用代码"] == U3  # leading zero kept
    assert row["企业名称"] == "'+cmd|' /C calc'!A0" and row["行业"] == "'@SUM(A1)" and row["法定代表人"] == "'-2+3"
    assert row["村级企业"] == "是" and row["出资人是党员"] == "否" and row["经济类型"] == "外资及港澳台"
    assert row["注销日期"] == "2004-05-01" and row["人数统计日期"] == "2002-12-31" and row["正式党员数"] == "0"
    assert row["工会会员数"] == ""
    towns = list(csv.reader(io.StringIO(files["乡镇街道.csv"].decode("utf-8-sig"))))
    assert towns[2:] == [["330102001", "越北镇", "镇", "1"], ["033010200", "'=1+1", "街道", ""]]
    unions = list(csv.reader(io.StringIO(files["工会.csv"].decode("utf-8-sig"))))
    assert unions[2][3] == f"{U1}；{U2}[2003-05-01~2008-01-01]；{U3}[2003-05-01~]"


def test_csv_zip_names_in_utf8():
    files = ledger_csvs(example=True)
    data = csv_zip(files)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == list(files)
        assert all(info.flag_bits & 0x800 for info in zf.infolist())
        for name, content in files.items():
            assert zf.read(name) == content


# --------------------------------------------------------------------------- the error workbook

ERR_HEADER = ["统一社会信用代码", "企业名称", "乡镇街道", "成立日期", "从业人员数"]
ERR_ROWS = [
    (2, ["91330100MA2B3C4D5E", "甲公司", "越北镇", dt.datetime(1998, 3, 16), 10]),
    (3, [U1, "=HYPERLINK(\"x\")", "无此镇", "2002/13/45", -1]),
    (5, [U2, "丙公司", "越北镇"]),
    (7, [U3, "丁公司", "越北镇", dt.date(2001, 1, 1), 3]),
]
ERR_PROBLEMS = [
    Problem("企业", 2, "统一社会信用代码", "91330100MA2B3C4D5E", "校验码错误", "wrong check character (the 18th)"),
    Problem("企业", 3, "乡镇街道", "无此镇", "乡镇街道不存在", "unknown township"),
    Problem("企业", 3, "成立日期", "2002/13/45", "不存在的日期", "no such date"),
    Problem("企业", 3, "从业人员数", "-1", "不能为负数", "must not be negative"),
    Problem("企业", 5, "从业人员数", "", "必填", "required"),  # beyond the row's cells
    Problem("企业", 7, None, "", "与第 2 行重复", "duplicate of row 2"),  # the whole row
    Problem("企业", 6, "企业名称", "", "必填", "required"),  # a row the reader skipped (blank)
    Problem("企业", None, None, "", "缺少必填列：经济类型", "missing required column: 经济类型"),
    Problem("企业", 4, "没有的列", "x", "原因", "reason"),  # a column not in the header: listed only
    Problem("工会", None, None, "", "隐藏的工作表", "hidden sheet"),  # a sheet not given: listed only
]


def _red(cell) -> bool:
    return cell.fill.fgColor.rgb is not None and cell.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])


def test_error_workbook_lists_and_highlights():
    wb = read(error_workbook([("企业", ERR_HEADER, iter(ERR_ROWS))], ERR_PROBLEMS))
    assert wb.sheetnames == [PROBLEMS_SHEET, "企业"]
    listing = values(wb[PROBLEMS_SHEET])
    assert listing[0] == PROBLEM_HEADERS
    assert listing[1:] == [(p.sheet, p.row, p.column, p.value or None, p.reason_zh, p.reason_en)
                           for p in ERR_PROBLEMS]
    ws = wb["企业"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ERR_HEADER
    # values at their original row numbers (rows 4 and 6 blank)
    assert ws["A2"].value == "91330100MA2B3C4D5E" and ws["D2"].value == dt.datetime(1998, 3, 16)
    assert ws["B3"].value == '=HYPERLINK("x")' and ws["B3"].data_type == "s" and ws["B3"].quotePrefix
    assert ws["D3"].value == "2002/13/45" and ws["E3"].value == -1
    assert ws["A5"].value == U2 and ws["A7"].value == U3 and ws["A4"].value is None
    red = {c.coordinate for row in ws.iter_rows() for c in row if _red(c)}
    want = {"A2", "C3", "D3", "E3", "E5", "B6"} | {f"{col}7" for col in "ABCDE"}
    assert red == want
    assert "校验码错误" in ws["A2"].comment.text and "wrong check character" in ws["A2"].comment.text
    assert "不存在的日期" in ws["D3"].comment.text
    assert "必填" in ws["E5"].comment.text and "必填" in ws["B6"].comment.text
    assert "重复" in ws["A7"].comment.text
    assert ws["B2"].comment is None and not _red(ws["B2"])
    assert ws["C3"].font.color.rgb.endswith("9C0006")


def test_error_workbook_caps_the_problems(monkeypatch):
    from dashboard.ledgerfile import workbook

    assert MAX_PROBLEMS == 100_000
    monkeypatch.setattr(workbook, "MAX_PROBLEMS", 3)
    problems = [Problem("企业", 2 + i, "企业名称", "", "必填", "required") for i in range(5)]
    rows = ((2 + i, [U1, None]) for i in range(5))
    wb = read(error_workbook([("企业", ["统一社会信用代码", "企业名称"], rows)], problems))
    listing = values(wb[PROBLEMS_SHEET])
    assert len(listing) == 1 + 3 + 1
    assert listing[-1][0].startswith("…还有 2 个问题")
    ws = wb["企业"]
    assert [_red(ws[f"B{r}"]) for r in range(2, 7)] == [True, True, True, False, False]
    assert ws["B6"].comment is None and ws.max_row == 6


def test_error_workbook_refuses_rows_out_of_order():
    with pytest.raises(ValueError, match="ascend"):
        error_workbook([("企业", ["a"], [(3, ["x"]), (2, ["y"])])], [])
