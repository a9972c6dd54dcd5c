"""The ledger file reader: formats decided by content, files refused whole with a sentence that says
what to do, sheet faults as problems, CSV encodings decided strictly.

The small malformed files are committed under ``corpus/`` (built by ``corpus/make_corpus.py``);
the big ones (a 400 MB zip bomb, a 50 MB + 1 byte file) are built here in ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from dashboard.ledgerfile import reader
from dashboard.ledgerfile.problems import LedgerFileError
from dashboard.ledgerfile.reader import (
    MB,
    RawSheet,
    check_size,
    normalise_header,
    read_ledger,
)
from tests.ledgerfile.corpus import make_corpus as corpus

CORPUS = Path(corpus.__file__).parent
SAVE_AS = "请在 Excel 中另存为 .xlsx（Excel 工作簿）后再导入"


def read_all(data: bytes, filename: str, **kwargs) -> list[tuple[RawSheet, list]]:
    """Every sheet with its rows read to the end (the problems are complete only then)."""
    return [(sheet, list(sheet.rows)) for sheet in read_ledger(data, filename, **kwargs)]


def refusal(data: bytes, filename: str, **kwargs) -> LedgerFileError:
    with pytest.raises(LedgerFileError) as caught:
        read_all(data, filename, **kwargs)
    error = caught.value
    assert error.zh and error.en and "Traceback" not in str(error)
    return error


def corpus_file(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_the_committed_corpus_is_what_the_script_builds():
    committed = {p.name for p in CORPUS.iterdir() if p.suffix != ".py" and p.is_file()}
    assert committed == set(corpus.BUILDERS)
    for name, build in corpus.BUILDERS.items():
        data = corpus_file(name)
        assert data == build(), f"{name}: run python -m tests.ledgerfile.corpus.make_corpus"
        assert len(data) < 50 * 1024


# -- files refused whole -------------------------------------------------------------------------

REFUSED = {
    "xls.xls": f"文件为旧版 .xls 格式，{SAVE_AS}",
    "xlsb.xlsb": f"文件为 .xlsb 格式（Excel 二进制工作簿），{SAVE_AS}",
    "ods.ods": f"文件为 .ods 格式（OpenDocument 电子表格），{SAVE_AS}",
    "html-table.xls": f"文件为旧版 .xls 格式，{SAVE_AS}",
    "encrypted.xlsx": "工作簿设有打开密码，请取消密码后另存为 .xlsx",
    "truncated.xlsx": "文件已损坏或不是 Excel 工作簿",
    "docx-renamed.xlsx": "文件已损坏或不是 Excel 工作簿",
    "csv-renamed.xlsx": "文件已损坏或不是 Excel 工作簿",
    "damaged-sheet.xlsx": "文件已损坏或不是 Excel 工作簿（工作表「企业」无法读取）",
    "binary.csv": "无法识别文件格式，请上传 .xlsx 工作簿或 .csv 文件",
    "empty.xlsx": "工作簿中没有数据",
    "blank-rows.xlsx": "工作簿中没有数据",
    "empty.csv": "文件中没有数据",
    "latin1.csv": "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV",
    "latin1-gb18030-lookalike.csv": "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV",
    "unterminated-quote.csv": "CSV 文件格式错误（第 2 行附近）：引号不配对或单元格过长",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_malformed_file_is_refused_with_its_message(name):
    error = refusal(corpus_file(name), name)
    assert error.zh.startswith(REFUSED[name])


def test_refused_formats_say_save_as_xlsx_in_english_too():
    for name in ("xls.xls", "xlsb.xlsb", "ods.ods"):
        assert "save it as .xlsx" in refusal(corpus_file(name), name).message("en")


def test_the_format_is_decided_by_content_not_by_the_name():
    # an .xlsx named .csv is read as a workbook; an .xls named .xlsx is still an .xls
    [(sheet, rows)] = read_all(corpus.enterprises(), "企业.csv")
    assert (sheet.title, sheet.encoding, len(rows)) == ("企业", None, 3)
    assert refusal(corpus.xls(), "台账.xlsx").zh.startswith("文件为旧版 .xls 格式")
    assert "密码" in refusal(corpus.encrypted_xlsx(), "台账.xls").zh


def test_a_latin1_lookalike_decodes_as_gb18030_but_is_not_taken_for_it():
    data = corpus_file("latin1-gb18030-lookalike.csv")
    data.decode("gb18030")  # the precondition: strictly valid GB18030 (mojibake)
    error = refusal(data, "x.csv", known_headers={"统一社会信用代码", "企业名称"})
    assert error.zh == reader.ENCODING_ZH


# -- big files, built here -----------------------------------------------------------------------


def test_a_zip_bomb_disguised_as_xlsx_is_refused_without_unpacking(tmp_path):
    path = corpus.write_zip_bomb(tmp_path / "台账.xlsx")
    assert path.stat().st_size < MB  # about 400 KB
    error = refusal(path.read_bytes(), "台账.xlsx")
    assert error.zh.startswith("文件解压后过大，疑似损坏或恶意文件")
    assert "xl/worksheets/sheet1.xml" in error.zh


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_a_zip_unpacking_to_too_much_in_total_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNZIPPED", 1 * MB)
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    members |= {f"xl/media/image{i}.bin": bytes(range(256)) * 1024 for i in range(5)}  # 256 KB each
    error = refusal(_zip(members), "台账.xlsx")
    assert error.zh == "文件解压后过大，疑似损坏或恶意文件（解压后 1.3 MB）"


def test_one_member_compressed_too_well_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "BOMB_MEMBER", 100 * 1024)
    data = _zip(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/a.xml": bytes(MB)}
    )
    assert "xl/a.xml 压缩比" in refusal(data, "台账.xlsx").zh


def test_a_file_over_the_size_limit_is_refused_saying_both_sizes():
    error = refusal(corpus.oversized(50 * MB + 1), "台账.xlsx")
    assert error.zh.startswith("文件大小 50.1 MB，超过上限 50 MB")
    assert "50.1 MB, over the 50 MB limit" in error.en
    read_ledger(corpus.enterprises(), "台账.xlsx", max_bytes=len(corpus.enterprises()))
    with pytest.raises(LedgerFileError, match="超过上限 0.5 MB"):
        check_size(MB, max_bytes=MB // 2)


def test_more_rows_than_the_limit_in_all_sheets_together_is_refused():
    def build(wb):
        corpus.sheet(wb, "企业", [corpus.ENTERPRISE_HEADER, *corpus.ROWS])
        corpus.sheet(wb, "工会", [["名称"], ["甲工会"], ["乙工会"]])

    data = corpus.xlsx(build)
    assert sum(len(rows) for _, rows in read_all(data, "台账.xlsx", max_rows=5)) == 5
    error = refusal(data, "台账.xlsx", max_rows=4)
    assert error.zh.startswith("数据超过 4 行的上限")
    assert refusal(corpus.utf8_csv(), "企业.csv", max_rows=1).zh.startswith("数据超过 1 行的上限")


# -- problems of a readable sheet ----------------------------------------------------------------


def problems_of(name: str) -> list[tuple]:
    return [
        (p.sheet, p.row, p.column, p.value, p.reason_zh)
        for sheet, _ in read_all(corpus_file(name), name)
        for p in sheet.problems
    ]


def test_merged_cells_are_one_problem_each_at_the_top_left_cell():
    assert problems_of("merged.xlsx") == [
        ("企业", 2, "乡镇街道", "城关镇", "合并单元格 C2:C4，请取消合并并在每一行填写"),
        ("企业", 6, "统一社会信用代码", "", "合并单元格 A6:B6，请取消合并并在每一行填写"),
    ]


def test_formulas_are_problems_with_the_formula_as_the_value():
    assert problems_of("formula.xlsx") == [
        ("企业", 3, "职工人数", "=D2*2", "单元格含公式，请粘贴为数值"),
        ("企业", 4, "企业名称", '=CONCATENATE("丙","公司")', "单元格含公式，请粘贴为数值"),
    ]
    [(_, rows)] = read_all(corpus_file("formula.xlsx"), "formula.xlsx")
    assert rows[1] == (3, ["91110000100000002X", "乙公司", "城关镇", "=D2*2"])


def test_hidden_and_very_hidden_sheets_are_problems_and_are_not_read():
    sheets = read_all(corpus_file("hidden-sheets.xlsx"), "hidden-sheets.xlsx")
    assert [(s.title, s.header, rows) for s, rows in sheets[1:]] == [("选项", [], []), ("旧数据", [], [])]
    assert problems_of("hidden-sheets.xlsx") == [
        ("选项", None, None, "", "隐藏的工作表，请取消隐藏或删除后再导入"),
        ("旧数据", None, None, "", "隐藏的工作表，请取消隐藏或删除后再导入"),
    ]


def test_a_header_not_in_row_1_is_a_problem_and_rows_keep_their_excel_numbers():
    [(sheet, rows)] = read_all(corpus_file("header-in-row-3.xlsx"), "x.xlsx")
    assert sheet.header == corpus.ENTERPRISE_HEADER
    assert [n for n, _ in rows] == [4, 5, 6]
    [(title, row, column, value, reason)] = problems_of("header-in-row-3.xlsx")
    assert (title, row, column, value) == ("企业", 1, None, "")
    assert reason.startswith("第 1 行应为表头") and "表头在第 3 行" in reason


def test_data_beyond_the_header_is_a_problem_once_per_column():
    assert problems_of("beyond-header.xlsx") == [
        ("企业", 3, "E", "备注：已注销", "表头之外的列有数据，请补上表头或删除该列"),
    ]
    [(_, rows)] = read_all(corpus_file("beyond-header.xlsx"), "x.xlsx")
    assert all(len(cells) == 3 for _, cells in rows)


def test_an_error_value_is_a_problem():
    assert problems_of("error-value.xlsx") == [
        ("企业", 2, "乡镇街道", "#N/A", "单元格为错误值，请改为正确的数据"),
    ]


def test_clean_files_have_no_problems():
    for name in ("utf8.csv", "gb18030.csv", "quoted-newline.csv", "fullwidth-header.xlsx"):
        assert problems_of(name) == [], name


def test_problems_are_filled_as_the_rows_are_read():
    [sheet] = read_ledger(corpus_file("formula.xlsx"), "formula.xlsx")
    assert sheet.problems == [] and iter(sheet.rows) is sheet.rows
    list(sheet.rows)
    assert len(sheet.problems) == 2


# -- what a readable file gives ------------------------------------------------------------------

CSV_ROWS = [
    (2, ["91110000100000001X", "甲公司", "城关镇"]),
    (4, ["91110000100000002X", "喆堃公司", "城关镇"]),  # row 3 is blank; 喆堃 are not GB2312
]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf8.csv", "utf-8"),
        ("utf8-bom.csv", "utf-8-sig"),
        ("gb18030.csv", "gb18030"),
        ("utf16-tab.txt", "utf-16"),
    ],
)
def test_csv_encodings_are_detected_and_recorded(name, encoding):
    [(sheet, rows)] = read_all(corpus_file(name), "企业.csv")
    assert (sheet.title, sheet.encoding, sheet.header) == ("企业", encoding, corpus.ENTERPRISE_HEADER)
    assert rows == CSV_ROWS


def test_gb18030_with_an_ascii_header_is_decided_by_the_text():
    data = "code,name\n1,甲公司\n2,城关镇\n".encode("gb18030")
    [(sheet, rows)] = read_all(data, "企业.csv")
    assert sheet.encoding == "gb18030" and rows[0] == (2, ["1", "甲公司"])


def test_known_headers_decide_gb18030_when_the_header_has_rare_characters():
    data = "喆堃,企业名称\n1,甲\n".encode("gb18030")
    assert refusal(data, "x.csv").zh == reader.ENCODING_ZH  # 喆堃: not GB2312, below 95 %
    [(sheet, _)] = read_all(data, "x.csv", known_headers={"企业名称"})
    assert sheet.encoding == "gb18030" and sheet.header == ["喆堃", "企业名称"]


def test_a_quoted_newline_stays_in_its_cell_and_rows_are_records():
    [(_, rows)] = read_all(corpus_file("quoted-newline.csv"), "企业.csv")
    assert rows == [
        (2, ["91110000100000001X", "甲公司", "幸福路 1 号\n二楼"]),
        (3, ["91110000100000002X", "乙公司", None]),
    ]


def test_a_tab_separated_file_is_read():
    data = "统一社会信用代码\t企业名称\n91110000100000001X\t甲公司, 有限\n".encode()
    [(sheet, rows)] = read_all(data, "企业.txt")
    assert sheet.header == ["统一社会信用代码", "企业名称"]
    assert rows == [(2, ["91110000100000001X", "甲公司, 有限"])]


def test_the_csv_title_is_the_file_name_stem():
    for name, title in [
        ("企业.csv", "企业"),
        ("台账-企业.csv", "台账-企业"),
        ("C:\\数据\\工会.CSV", "工会"),
        ("/tmp/up/党组织.csv", "党组织"),
    ]:
        [sheet] = read_ledger(corpus.utf8_csv(), name)
        assert sheet.title == title


def test_headers_are_normalised_and_cells_stripped():
    [(sheet, rows)] = read_all(corpus_file("fullwidth-header.xlsx"), "x.xlsx")
    assert sheet.header == ["USCC", "企业名称", "乡镇街道(全称)"]  # trailing empty columns dropped
    assert rows == [(2, ["９１１１", "甲公司", "城关镇"])]  # cells: stripped, not normalised
    assert normalise_header(" 统一社会\n信用代码\u200b ") == "统一社会信用代码"
    assert normalise_header(None) == "" and normalise_header(2024.0) == "2024"


def test_cells_come_as_calamine_gives_them_and_empty_rows_are_skipped():
    def build(wb):
        ws = corpus.sheet(wb, "企业", [["名称", "成立日期", "人数", "比例", "备注"]])
        ws.append(["甲", dt.date(2002, 5, 8), 12, 0.5, "  "])
        ws.append([None, None, None, None, "   "])
        ws.append(["乙", dt.datetime(2003, 1, 2, 8, 30), None, None, None])

    [(_, rows)] = read_all(corpus.xlsx(build), "x.xlsx")
    assert rows == [
        (2, ["甲", dt.date(2002, 5, 8), 12, 0.5, None]),
        (4, ["乙", dt.datetime(2003, 1, 2, 8, 30), None, None, None]),
    ]


def test_a_wrong_dimension_tag_does_not_cut_rows_short():
    with zipfile.ZipFile(io.BytesIO(corpus.enterprises())) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    part = members["xl/worksheets/sheet1.xml"]
    assert b'<dimension ref="A1:C4"/>' in part
    members["xl/worksheets/sheet1.xml"] = part.replace(b'ref="A1:C4"', b'ref="A1"')
    [(_, rows)] = read_all(corpus.repack(members), "x.xlsx")
    assert [n for n, _ in rows] == [2, 3, 4] and rows[0][1][2] == "城关镇"


def test_an_empty_sheet_is_left_out_and_sheets_keep_the_file_order():
    def build(wb):
        corpus.sheet(wb, "乡镇街道", [["代码", "名称"], ["110101001", "城关镇"]])
        wb.create_sheet("Sheet2")
        corpus.sheet(wb, "企业", [corpus.ENTERPRISE_HEADER, corpus.ROWS[0]])

    assert [s.title for s in read_ledger(corpus.xlsx(build), "x.xlsx")] == ["乡镇街道", "企业"]


def test_merged_ranges_are_found_across_chunks_and_with_a_namespace_prefix():
    head = b'<x:worksheet xmlns:x="urn:x"><x:sheetData/>'
    padding = b" " * (MB - len(head) - 10)  # the first mergeCell straddles the 1 MB boundary
    xml = head + padding + b'<x:mergeCells count="2"><x:mergeCell ref="B2:B3"/>'
    xml += b"<x:mergeCell ref='d5:e5'/></x:mergeCells></x:worksheet>"
    with zipfile.ZipFile(io.BytesIO(_zip({"s.xml": xml}))) as zf:
        assert reader._scan_sheet(zf, "s.xml")[0] == ["B2:B3", "D5:E5"]


def test_an_ordinary_workbook_is_read_as_openpyxl_writes_it():
    wb = Workbook()
    wb.active.title = "企业"
    wb.active.append(corpus.ENTERPRISE_HEADER)
    for row in corpus.ROWS:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    [(sheet, rows)] = read_all(out.getvalue(), "台账.xlsx")
    assert (sheet.title, sheet.header, sheet.problems) == ("企业", corpus.ENTERPRISE_HEADER, [])
    assert rows == [(n, r) for n, r in zip((2, 3, 4), corpus.ROWS, strict=True)]


def test_a_damaged_member_gives_the_damaged_file_message():
    data = bytearray(corpus.enterprises())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF  # bad deflate data or a bad CRC
    assert refusal(bytes(data), "台账.xlsx").zh.startswith("文件已损坏或不是 Excel 工作簿")


def test_formulas_after_the_cells_are_not_cell_formulas():
    """A data validation pointing at another sheet (x14 extLst) holds an <xm:f> after </sheetData>:
    not a formula in a cell."""
    xml = (b'<worksheet xmlns="x" xmlns:xm="m"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
           b'</row><row r="2"><c r="A2"><v>5</v></c><c r="B2" t="e"/></row></sheetData><extLst><ext><x14:dataValidations>'
           b'<x14:dataValidation><x14:formula1><xm:f>Lists!$A$1:$A$5</xm:f></x14:formula1></x14:dataValidation>'
           b'</x14:dataValidations></ext></extLst></worksheet>')
    with zipfile.ZipFile(io.BytesIO(_zip({"s.xml": xml}))) as zf:
        merged, faults = reader._scan_sheet(zf, "s.xml")
    assert merged == [] and faults == {2: [(1, "error", "#ERROR")]}
