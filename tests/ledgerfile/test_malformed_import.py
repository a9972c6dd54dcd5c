"""The malformed-file corpus through ``dangong import``: for each file the exact message, a non-zero
exit, and every table's row count unchanged — on a copy of the demo district, so that "unchanged"
means something. File-level faults come from tests/ledgerfile/corpus (built by make_corpus.py);
faults of single cells are made here from one valid workbook, one fault per file."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from dashboard.ledgerfile.workbook import ledger_workbook
from models.enums import Ownership, PartyOrgLevel, UnionKind
from models.rules import make_uscc
from tests.cli.test_cli import invoke
from tests.factories import table_counts
from tests.ledgerfile.corpus import make_corpus as corpus
from tests.ledgerfile.test_reader import REFUSED, corpus_file

A, B, C = (make_uscc(division="330102", serial=n) for n in (901, 902, 903))


@pytest.fixture(scope="module")
def demo_db(demo_template, tmp_path_factory):
    """One writable copy of the demo district for the module: no test here may write to it."""
    from models.db import make_engine

    url = demo_template.copy(tmp_path_factory.mktemp("malformed") / "demo.sqlite")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def good_rows() -> dict:
    return {
        "enterprises": [
            {"uscc": A, "name": "越北新能源有限公司", "township": "越北镇", "ownership": Ownership.PRIVATE,
             "registered_on": dt.date(2020, 3, 1), "employees": 40, "party_members": 3, "census_on": dt.date(2024, 1, 1)},
            {"uscc": B, "name": "越北小五金厂", "township": "越北镇", "ownership": Ownership.INDIVIDUAL,
             "registered_on": dt.date(2021, 5, 8), "employees": 8, "party_members": 0, "census_on": dt.date(2024, 1, 1)},
            {"uscc": C, "name": "越北小餐馆", "township": "越北镇", "ownership": Ownership.INDIVIDUAL,
             "registered_on": dt.date(2021, 6, 1), "employees": 5, "party_members": 0, "census_on": dt.date(2024, 1, 1)},
        ],
        "unions": [{"name": "越北联合工会（新）", "kind": UnionKind.JOINT, "township": "越北镇",
                    "enterprises": [(B, None, None), (C, None, None)], "founded_on": dt.date(2022, 1, 1)}],
        "party_orgs": [{"name": "越北新能源党支部", "level": PartyOrgLevel.BRANCH, "township": "越北镇",
                        "enterprises": [(A, None, None)], "founded_on": dt.date(2023, 7, 1)}],
    }


def workbook_with(sheet: str, row: int, header: str, value) -> bytes:
    """The good workbook with one cell changed (``row``: the Excel row)."""
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook(good_rows())))
    ws = wb[sheet]
    col = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row, col).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run_import(tmp_path, demo_db, name: str, data: bytes):
    url, engine = demo_db
    path = tmp_path / name
    path.write_bytes(data)
    before = table_counts(engine)
    result = invoke(["import", str(path)], url)
    assert table_counts(engine) == before, "a refused file wrote something"
    return result


def test_the_good_workbook_passes_a_dry_run(tmp_path, demo_db):
    url, engine = demo_db
    path = tmp_path / "good.xlsx"
    path.write_bytes(ledger_workbook(good_rows()))
    before = table_counts(engine)
    r = invoke(["import", str(path), "--dry-run"], url)
    assert r.returncode == 0, r.stderr
    assert "新增企业" in r.stdout and "试运行" in r.stdout
    assert table_counts(engine) == before


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_refused_whole_gives_its_message_and_writes_nothing(tmp_path, demo_db, name):
    r = run_import(tmp_path, demo_db, name, corpus_file(name))
    assert r.returncode == 1
    assert REFUSED[name] in r.stderr
    assert "Traceback" not in r.stderr


def test_a_fifty_megabyte_file_is_refused_before_it_is_read(tmp_path, demo_db):
    url, engine = demo_db
    path = tmp_path / "big.xlsx"
    path.write_bytes(corpus.oversized(50 * 1024 * 1024 + 1))
    before = table_counts(engine)
    r = invoke(["import", str(path)], url)
    assert r.returncode == 1 and "超过上限 50 MB" in r.stderr
    assert table_counts(engine) == before


def test_a_zip_bomb_is_refused(tmp_path, demo_db):
    data = corpus.write_zip_bomb(tmp_path / "bomb-src.xlsx").read_bytes()
    r = run_import(tmp_path, demo_db, "台账.xlsx", data)
    assert r.returncode == 1 and "文件解压后过大，疑似损坏或恶意文件" in r.stderr


# problems of single cells found by the reader: the CLI table names sheet, row, column and reason
READER_FAULTS = {
    "merged.xlsx": "合并单元格",
    "formula.xlsx": "单元格含公式，请粘贴为数值",
    "hidden-sheets.xlsx": "隐藏的工作表，请取消隐藏或删除后再导入",
    "header-in-row-3.xlsx": "第 1 行应为表头",
}


@pytest.mark.parametrize("name", sorted(READER_FAULTS))
def test_a_faulty_sheet_is_refused_with_the_cell_named(tmp_path, demo_db, name):
    r = run_import(tmp_path, demo_db, name, corpus_file(name))
    assert r.returncode == 1
    assert "未写入任何数据" in r.stderr and READER_FAULTS[name] in r.stderr


# one wrong cell each: (sheet, Excel row, column header, value) -> the reason in the table
CELL_FAULTS = {
    "date-no-such-day": ("企业", 2, "成立日期", "2002-13-01", "不存在的日期"),
    "date-two-digit-year": ("企业", 2, "成立日期", "02-5-8", "日期格式无法识别"),
    "date-us-order": ("企业", 2, "成立日期", "5/8/2002", "日期格式无法识别"),
    "date-no-day": ("企业", 2, "成立日期", "2002年5月", "日期格式无法识别"),
    "date-chinese-numerals": ("企业", 2, "成立日期", "二〇〇二年五月八日", "日期格式无法识别"),
    "date-with-time": ("企业", 2, "成立日期", dt.datetime(2002, 5, 8, 10, 30), "日期不应含时间"),
    "date-in-the-future": ("企业", 2, "成立日期", "2099-01-01", "日期晚于今天"),
    "date-before-1949": ("企业", 2, "成立日期", "1900-01-01", "日期早于 1949-10-01"),
    "date-text": ("企业", 2, "成立日期", "去年", "日期格式无法识别"),
    "uscc-check-digit": ("企业", 2, "统一社会信用代码", A[:-1] + ("0" if A[-1] != "0" else "1"), "校验码错误"),
    "uscc-too-short": ("企业", 2, "统一社会信用代码", A[:-2], "统一社会信用代码应为 18 位"),
    "uscc-duplicate": ("企业", 3, "统一社会信用代码", A, "与第 2 行重复"),
    "unknown-township": ("企业", 2, "乡镇街道", "不存在镇", "乡镇街道不存在"),
    "negative-count": ("企业", 2, "从业人员数", -5, "不能为负数"),
    "fraction-count": ("企业", 2, "从业人员数", 12.5, "应为整数"),
    "members-over-employees": ("企业", 2, "正式党员数", 400, "正式党员数多于从业人员数"),
    "closed-before-registered": ("企业", 2, "注销日期", "2019-01-01", "注销日期早于成立日期"),
    "unknown-ownership": ("企业", 2, "经济类型", "国有", "不是允许的值"),
    "missing-name": ("企业", 2, "企业名称", None, "必填，不能为空"),
    "joint-union-twice": ("工会", 2, "覆盖企业", f"{B}；{C}；{B}", f"企业 {B} 重复出现"),
    "union-unknown-enterprise": ("工会", 2, "覆盖企业", make_uscc(division="330102", serial=999), "不在“企业”表中"),
    "own-branch-two-enterprises": ("党组织", 2, "覆盖企业", f"{A}；{B}", "单独建立的党组织应覆盖且只覆盖一家企业"),
}


@pytest.mark.parametrize("case", sorted(CELL_FAULTS))
def test_a_wrong_cell_is_named_with_its_reason_and_nothing_is_written(tmp_path, demo_db, case):
    sheet, row, header, value, reason = CELL_FAULTS[case]
    r = run_import(tmp_path, demo_db, f"{case}.xlsx", workbook_with(sheet, row, header, value))
    assert r.returncode == 1
    lines = [line.split("\t") for line in r.stderr.splitlines() if "\t" in line]
    assert any(cells[:3] == [sheet, str(row), header] and reason in cells[4] for cells in lines), r.stderr


def test_serial_dates_and_full_width_digits_are_read(tmp_path, demo_db):
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook(good_rows())))
    ws = wb["企业"]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("成立日期") + 1).value = 43891  # 2020-03-01 as Excel stores it
    ws.cell(2, head.index("从业人员数") + 1).value = "４０"
    ws.cell(3, head.index("成立日期") + 1).value = "2021.5.8"
    ws.cell(4, head.index("成立日期") + 1).value = "2021年6月1日"
    out = io.BytesIO()
    wb.save(out)
    url, engine = demo_db
    path = tmp_path / "ok.xlsx"
    path.write_bytes(out.getvalue())
    r = invoke(["import", str(path), "--dry-run"], url)
    assert r.returncode == 0, r.stderr
    assert "合计\t3\t" in r.stdout  # three new enterprises


def test_a_gb18030_csv_from_chinese_excel_imports(tmp_path, demo_db):
    from dashboard.ledgerfile.workbook import ledger_csvs

    text = ledger_csvs({"enterprises": good_rows()["enterprises"]})["企业.csv"].decode("utf-8-sig")
    url, engine = demo_db
    path = tmp_path / "企业.csv"
    path.write_bytes(text.encode("gb18030"))
    r = invoke(["import", str(path), "--dry-run"], url)
    assert r.returncode == 0, r.stderr
    assert "企业: gb18030" in r.stdout and "合计\t3\t" in r.stdout


def test_the_problems_workbook_marks_the_cells(tmp_path, demo_db):
    url, engine = demo_db
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_with("企业", 2, "成立日期", "2002-13-01"))
    report = tmp_path / "问题.xlsx"
    r = invoke(["import", str(path), "--errors", str(report)], url)
    assert r.returncode == 1
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames[0] == "问题清单"
    listed = [[c.value for c in row] for row in wb["问题清单"].iter_rows(min_row=2)]
    assert listed[0][:5] == ["企业", 2, "成立日期", "2002-13-01", "不存在的日期"]
    ws = wb["企业"]
    col = [c.value for c in ws[1]].index("成立日期") + 1
    assert ws.cell(2, col).comment is not None and "不存在的日期" in ws.cell(2, col).comment.text


def test_a_wrong_and_a_missing_header_are_named(tmp_path, demo_db):
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook(good_rows())))
    ws = wb["企业"]
    head = [c.value for c in ws[1]]
    ws.cell(1, head.index("企业名称") + 1).value = "公司名"
    out = io.BytesIO()
    wb.save(out)
    r = run_import(tmp_path, demo_db, "headers.xlsx", out.getvalue())
    assert r.returncode == 1
    lines = [line.split("\t") for line in r.stderr.splitlines() if "\t" in line]
    assert ["企业", "1", "公司名", "公司名"] == lines[1][:4] and "不认识的列" in lines[1][4]
    assert any(cells[:3] == ["企业", "1", "企业名称"] and "缺少必填列" in cells[4] for cells in lines)
