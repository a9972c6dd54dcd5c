"""Build the malformed-file corpus of the ledger reader (tests/ledgerfile/test_reader.py).

    .venv/bin/python -m tests.ledgerfile.corpus.make_corpus      # rewrite the files here

Every file is small (< 50 KB) and byte-for-byte reproducible (fixed zip timestamps and document
dates), so a test checks that the committed files are what this script builds. What each file
must give — the refusal or the problems — is written in the test, next to its name. Files too
big to commit (a 400 MB zip bomb, a 50 MB + 1 byte file) are built at test time by
:func:`write_zip_bomb` and :func:`oversized`.

Add a file: write a builder returning its bytes, list it in :data:`BUILDERS`, run the script,
and give its expected outcome in the test.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_DATE = dt.datetime(2026, 1, 1)
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# -- helpers ---------------------------------------------------------------------------------------


def repack(members: dict[str, bytes] | bytes) -> bytes:
    """A zip with fixed timestamps: from a name → content mapping, or re-packed from zip bytes."""
    if isinstance(members, bytes):
        with zipfile.ZipFile(io.BytesIO(members)) as source:
            members = {info.filename: source.read(info) for info in source.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            if name == "docProps/core.xml":  # openpyxl stamps the save time
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content
                )
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def xlsx(build: Callable[[Workbook], None]) -> bytes:
    """A workbook built by ``build`` (given a new workbook with one sheet), reproducibly saved."""
    wb = Workbook()
    wb.properties.created = FIXED_DATE
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return repack(out.getvalue())


def sheet(wb: Workbook, title: str, rows: list[list[object]], *, first_row: int = 1):
    ws = wb.active if wb.active.title == "Sheet" else wb.create_sheet()
    ws.title = title
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(first_row + offset, col, value)
    return ws


ENTERPRISE_HEADER = ["统一社会信用代码", "企业名称", "乡镇街道"]
ROWS = [
    ["91110000100000001X", "甲公司", "城关镇"],
    ["91110000100000002X", "乙公司", "城关镇"],
    ["91110000100000003X", "丙公司", "城关镇"],
]

# -- refused formats -------------------------------------------------------------------------------


def xls() -> bytes:
    """The first bytes of a BIFF8 .xls: the compound-file header, its stream names."""
    return CFB_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(2000)


def encrypted_xlsx() -> bytes:
    """A password-protected .xlsx: a compound file with EncryptionInfo and EncryptedPackage."""
    names = "".join(n.ljust(32, "\0") for n in ("EncryptionInfo", "EncryptedPackage"))
    return CFB_MAGIC + bytes(504) + names.encode("utf-16-le") + bytes(2000)


def xlsb() -> bytes:
    return repack(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.bin": bytes(64),
            "xl/worksheets/sheet1.bin": bytes(64),
        }
    )


def ods() -> bytes:
    return repack(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
        }
    )


def html_as_xls() -> bytes:
    """What some information systems export as "xls": an HTML table."""
    return "<html><body><table><tr><td>企业名称</td></tr></table></body></html>".encode()


def truncated_xlsx() -> bytes:
    data = enterprises()
    return data[: len(data) // 2]


def docx() -> bytes:
    """A zip, but not a workbook (a Word document's parts)."""
    return repack(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


def damaged_sheet_xml() -> bytes:
    """A workbook whose sheet XML is cut off in the middle of a row."""
    with zipfile.ZipFile(io.BytesIO(enterprises())) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    part = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = part[: part.index(b"<row r=\"3\"") + 30]
    return repack(members)


def csv_as_xlsx() -> bytes:
    return "统一社会信用代码,企业名称\n".encode()


def binary_csv() -> bytes:
    return bytes(range(256)) * 4


def empty_xlsx() -> bytes:
    return xlsx(lambda wb: None)


def blank_rows_xlsx() -> bytes:
    """Only empty strings and spaces: no data."""
    return xlsx(lambda wb: sheet(wb, "企业", [[" ", "\u3000"], ["", None]]))


def empty_csv() -> bytes:
    return b"\xef\xbb\xbf\r\n\r\n"


def latin1_csv() -> bytes:
    """A French export in Latin-1: "é" before a comma is not valid GB18030 at all."""
    return "Société,Adresse\nCafé,Paris\n".encode("latin-1")


def latin1_gb18030_lookalike_csv() -> bytes:
    """Latin-1 whose bytes happen to be valid GB18030: decoded, the header is rare characters."""
    return "Réseau,Qualités,Année\nCrème,Très,Mère\n".encode("latin-1")


def unterminated_quote_csv() -> bytes:
    return '统一社会信用代码,企业名称\n91110000100000001X,"甲公司\n'.encode()


# -- readable, with problems -----------------------------------------------------------------------


def enterprises() -> bytes:
    return xlsx(lambda wb: sheet(wb, "企业", [ENTERPRISE_HEADER, *ROWS]))


def merged() -> bytes:
    def build(wb):
        ws = sheet(wb, "企业", [ENTERPRISE_HEADER, *ROWS])
        ws.merge_cells("C2:C4")  # one township typed once for three rows
        ws.merge_cells("A6:B6")  # two empty cells merged below the data

    return xlsx(build)


def formula() -> bytes:
    def build(wb):
        ws = sheet(wb, "企业", [[*ENTERPRISE_HEADER, "职工人数"], *[[*r, 10] for r in ROWS]])
        ws["D3"] = "=D2*2"
        ws["B4"] = '=CONCATENATE("丙","公司")'

    return xlsx(build)


def hidden_sheets() -> bytes:
    def build(wb):
        sheet(wb, "企业", [ENTERPRISE_HEADER, *ROWS])
        sheet(wb, "选项", [["所有制"], ["国有"]]).sheet_state = "hidden"
        sheet(wb, "旧数据", [ENTERPRISE_HEADER, ROWS[0]]).sheet_state = "veryHidden"

    return xlsx(build)


def header_in_row_3() -> bytes:
    return xlsx(lambda wb: sheet(wb, "企业", [ENTERPRISE_HEADER, *ROWS], first_row=3))


def beyond_header() -> bytes:
    def build(wb):
        ws = sheet(wb, "企业", [ENTERPRISE_HEADER, *ROWS])
        ws["E3"] = "备注：已注销"
        ws["E4"] = "又一条"

    return xlsx(build)


def error_value() -> bytes:
    def build(wb):
        ws = sheet(wb, "企业", [ENTERPRISE_HEADER, *ROWS])
        ws["C2"] = "#N/A"  # openpyxl writes a typed error cell (t="e")

    return xlsx(build)


def fullwidth_header() -> bytes:
    header = ["ＵＳＣＣ", " 企业 名称 ", "乡镇\u3000街道\n（全称）", None, None]
    return xlsx(lambda wb: sheet(wb, "企业", [header, ["９１１１", "  甲公司 ", "城关镇"]]))


# -- readable CSVs ---------------------------------------------------------------------------------

CSV_TEXT = "统一社会信用代码,企业名称,乡镇街道\n91110000100000001X,甲公司,城关镇\n\n91110000100000002X,喆堃公司,城关镇\n"


def utf8_csv() -> bytes:
    return CSV_TEXT.encode("utf-8")


def utf8_bom_csv() -> bytes:
    return CSV_TEXT.replace("\n", "\r\n").encode("utf-8-sig")


def gb18030_csv() -> bytes:
    return CSV_TEXT.encode("gb18030")


def utf16_tab_txt() -> bytes:
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated."""
    return CSV_TEXT.replace(",", "\t").encode("utf-16")


def quoted_newline_csv() -> bytes:
    return '统一社会信用代码,企业名称,地址\n91110000100000001X,"甲公司","幸福路 1 号\n二楼"\n91110000100000002X,乙公司,\n'.encode()


BUILDERS: dict[str, Callable[[], bytes]] = {
    "xls.xls": xls,
    "encrypted.xlsx": encrypted_xlsx,
    "xlsb.xlsb": xlsb,
    "ods.ods": ods,
    "html-table.xls": html_as_xls,
    "truncated.xlsx": truncated_xlsx,
    "docx-renamed.xlsx": docx,
    "damaged-sheet.xlsx": damaged_sheet_xml,
    "csv-renamed.xlsx": csv_as_xlsx,
    "binary.csv": binary_csv,
    "empty.xlsx": empty_xlsx,
    "blank-rows.xlsx": blank_rows_xlsx,
    "empty.csv": empty_csv,
    "latin1.csv": latin1_csv,
    "latin1-gb18030-lookalike.csv": latin1_gb18030_lookalike_csv,
    "unterminated-quote.csv": unterminated_quote_csv,
    "merged.xlsx": merged,
    "formula.xlsx": formula,
    "hidden-sheets.xlsx": hidden_sheets,
    "header-in-row-3.xlsx": header_in_row_3,
    "beyond-header.xlsx": beyond_header,
    "error-value.xlsx": error_value,
    "fullwidth-header.xlsx": fullwidth_header,
    "utf8.csv": utf8_csv,
    "utf8-bom.csv": utf8_bom_csv,
    "gb18030.csv": gb18030_csv,
    "utf16-tab.txt": utf16_tab_txt,
    "quoted-newline.csv": quoted_newline_csv,
}

# -- built at test time ----------------------------------------------------------------------------


def write_zip_bomb(path: Path, size: int = 400 * 1024 * 1024) -> Path:
    """An "xlsx" whose one sheet is ``size`` bytes of zeros (about 1/1000 of it on disk),
    written in 1 MB pieces so that it never sits in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", b'<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)
    return path


def oversized(size: int) -> bytes:
    """``size`` bytes that start like an .xlsx (refused on the size alone, before anything)."""
    head = enterprises()
    return head + bytes(size - len(head))


def main(target: Path = HERE) -> None:
    for name, build in BUILDERS.items():
        data = build()
        assert len(data) < 50 * 1024, (name, len(data))
        (target / name).write_bytes(data)
    print(f"{len(BUILDERS)} files written to {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
