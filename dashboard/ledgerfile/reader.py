"""A ledger file's bytes to sheets of raw rows: .xlsx streamed by openpyxl, CSV decoded strictly.

:func:`read_ledger` decides the format by the bytes, not the file name: an OOXML zip is read as
.xlsx, an OLE2 compound file is an old .xls (or a password-protected workbook), a zip holding
``xl/workbook.bin`` is .xlsb, one holding ``content.xml`` is .ods, and anything else that decodes
as text is CSV. A file that cannot be read is refused whole with a :class:`LedgerFileError` that
says what to do; faults of a readable sheet (a hidden sheet, merged cells, formulas, data beyond
the header, a header not in row 1) become :class:`Problem` records on the sheet, so that the
validator can show them together with its own.

Nothing here checks what the columns mean: a :class:`RawSheet` carries the header as typed
(normalised: NFKC, no whitespace) and the cells as calamine gives them. Memory stays bounded:
rows are a lazy iterator over openpyxl's read-only stream (or the CSV reader), and the zip is
inspected — sizes from its central directory — before anything is decompressed.

Row numbers are Excel's: the header is row 1, blank rows are skipped but still counted. For a
CSV the row number is the record number (a quoted newline does not start a new row), as Excel
shows it.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import math
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from dashboard.ledgerfile.problems import LedgerFileError, Problem, shown

MB = 1024 * 1024
#: the largest file accepted (bytes)
MAX_BYTES = 50 * MB
#: the most data rows accepted, all sheets together (1M enterprises and their organisations)
MAX_ROWS = 1_100_000
#: a zip whose members together unpack to more than this is refused (a 50 MB workbook of plain
#: data unpacks to well under 300 MB)
MAX_UNZIPPED = 300 * MB
#: … and so is one member that unpacks to more than BOMB_MEMBER at a ratio above BOMB_RATIO
BOMB_RATIO = 200
BOMB_MEMBER = 10 * MB
#: a workbook has a few parts per sheet; tens of thousands of members is not a workbook
MAX_MEMBERS = 10_000

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: the stream an encrypted (password-protected) OOXML file keeps inside its compound file
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
#: what reading a damaged zip member can raise (a bad CRC, bad deflate data, an unsupported
#: compression method, a member encrypted with a zip password, …)
_ZIP_ERRORS = (
    KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError,
    NotImplementedError, RuntimeError,
)

#: how much of a CSV with a plain-ASCII header is looked at to decide GB18030 (characters)
ENCODING_SAMPLE = 64 * 1024
#: the share of a GB18030 sample's non-ASCII characters that must be common (GB2312) characters
GB2312_SHARE = 0.95

# -- messages ------------------------------------------------------------------------------------

SAVE_AS_XLSX_ZH = "请在 Excel 中另存为 .xlsx（Excel 工作簿）后再导入"
SAVE_AS_XLSX_EN = "open it in Excel and save it as .xlsx (Excel Workbook), then import that file"
PASSWORD_ZH = "工作簿设有打开密码，请取消密码后另存为 .xlsx"
PASSWORD_EN = (
    "The workbook is protected by a password: remove the password in Excel, save as .xlsx "
    "and import that file."
)
BOMB_ZH = "文件解压后过大，疑似损坏或恶意文件"
BOMB_EN = "The file would unpack to far more than a workbook holds: it looks damaged or malicious."
CORRUPT_ZH = "文件已损坏或不是 Excel 工作簿"
CORRUPT_EN = "The file is damaged or is not an Excel workbook."
EMPTY_ZH = "工作簿中没有数据"
EMPTY_EN = "The workbook holds no data."
EMPTY_CSV_ZH = "文件中没有数据"
EMPTY_CSV_EN = "The file holds no data."
ENCODING_ZH = "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV"
ENCODING_EN = "The text encoding is not recognised: save the file as CSV in UTF-8 or GB18030."
UNKNOWN_ZH = "无法识别文件格式，请上传 .xlsx 工作簿或 .csv 文件"
UNKNOWN_EN = "The file format is not recognised: upload an .xlsx workbook or a .csv file."

HIDDEN_ZH = "隐藏的工作表，请取消隐藏或删除后再导入"
HIDDEN_EN = "Hidden sheet: unhide it or delete it, then import again."
FORMULA_ZH = "单元格含公式，请粘贴为数值"
FORMULA_EN = "The cell holds a formula: copy the column and paste it as values."
ERROR_VALUE_ZH = "单元格为错误值，请改为正确的数据"
ERROR_VALUE_EN = "The cell holds an error value (#N/A, #REF!, …): type the right value."
BEYOND_HEADER_ZH = "表头之外的列有数据，请补上表头或删除该列"
BEYOND_HEADER_EN = "Data in a column without a header: add the header or delete the column."
HEADER_ROW_ZH = "第 1 行应为表头"
HEADER_ROW_EN = "Row 1 must be the header"

_FORMATS = {
    "xls": ("文件为旧版 .xls 格式", "This is an old .xls file"),
    "xlsb": ("文件为 .xlsb 格式（Excel 二进制工作簿）", "This is an .xlsb (Excel Binary Workbook) file"),
    "ods": ("文件为 .ods 格式（OpenDocument 电子表格）", "This is an .ods (OpenDocument) spreadsheet"),
}


def _save_as_xlsx(kind: str) -> LedgerFileError:
    zh, en = _FORMATS[kind]
    return LedgerFileError(f"{zh}，{SAVE_AS_XLSX_ZH}", f"{en}: {SAVE_AS_XLSX_EN}.")


def _corrupt(sheet: str | None = None) -> LedgerFileError:
    if sheet is None:
        return LedgerFileError(CORRUPT_ZH, CORRUPT_EN)
    return LedgerFileError(
        f"{CORRUPT_ZH}（工作表「{sheet}」无法读取）",
        f"{CORRUPT_EN[:-1]} (the sheet “{sheet}” cannot be read).",
    )


def _mb(size: float) -> str:
    """Megabytes, rounded *up* to 0.1 (50 MB + 1 byte is 50.1 MB, not a confusing 50.0)."""
    value = math.ceil(size / MB * 10) / 10
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


# -- the result ----------------------------------------------------------------------------------


@dataclass
class RawSheet:
    """One sheet as read: its title, its header (row 1) and its data rows, lazily.

    ``rows`` yields ``(excel_row_number, cells)`` for row 2 onwards, fully empty rows skipped;
    ``cells`` has exactly ``len(header)`` items (padded with ``None``; a value beyond the header
    is not passed on but is a problem). A cell is ``None``, a stripped ``str`` (never ""), or what
    calamine gives for a number or a date: ``int`` (a whole number), ``float``, ``bool``, ``datetime.datetime``,
    ``datetime.date``, ``datetime.time``. A formula cell is passed on as its formula text
    (``"=SUM(B2:B9)"``) and is a problem.

    ``problems`` is filled *as the rows are read* (merged cells and formulas are found on the
    way): read the rows to the end before looking at it. ``encoding`` is the CSV's encoding
    (``utf-8``, ``utf-8-sig``, ``gb18030`` or ``utf-16``), ``None`` for a workbook.

    Iterating ``rows`` may raise :class:`LedgerFileError`: a sheet found damaged half way, or
    more than ``max_rows`` data rows in the file (counted over all its sheets).
    """

    title: str
    header: list[str]
    rows: Iterator[tuple[int, list[object]]]
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalise_header(value: object) -> str:
    """A header cell as compared with the spec: text, NFKC (full-width letters, digits and
    brackets to ASCII), without any whitespace (inner too: ``"企业 名称"`` is ``"企业名称"``) or
    invisible characters; ``""`` for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return "".join(text.split())


def check_size(size: int, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a file of ``size`` bytes if it is over the limit — callers that have a path or an
    upload's size can call this before reading the bytes into memory."""
    if size > max_bytes:
        raise LedgerFileError(
            f"文件大小 {_mb(size)} MB，超过上限 {_mb(max_bytes)} MB，请按乡镇街道拆分后分批导入",
            f"The file is {_mb(size)} MB, over the {_mb(max_bytes)} MB limit: split it "
            "(by township, for instance) and import the parts one by one.",
        )


# -- the entry point -----------------------------------------------------------------------------


def read_ledger(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    known_headers: set[str] | None = None,
) -> list[RawSheet]:
    """The sheets of a ledger file, in the file's order (a CSV is one sheet, titled by the file
    name's stem: ``"企业.csv"`` → ``"企业"``). Visible sheets with no data at all are left out;
    a hidden sheet is returned without rows, with a problem.

    ``known_headers`` (normalised, see :func:`normalise_header`) only helps decide a CSV's
    encoding: text that decodes as GB18030 but not as UTF-8 is taken as GB18030 when one of its
    header cells is a known header, or else when it reads as Chinese — it has CJK ideographs and
    at least 95 % of its non-ASCII characters are common (GB2312) characters; the header's are
    looked at, or the first 64 K characters' when the header is plain ASCII. Latin-1 or cp1252
    text read as GB18030 gives rare characters and is refused rather than guessed at.

    Raises :class:`LedgerFileError` for a file refused whole (here, or while iterating rows).
    """
    check_size(len(data), max_bytes)
    budget = _RowBudget(max_rows)
    lower = filename.lower()
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise LedgerFileError(PASSWORD_ZH, PASSWORD_EN)
        raise _save_as_xlsx("xls")
    if data.startswith(ZIP_MAGICS):
        return _read_zip(data, budget)
    if lower.endswith(XLSX_SUFFIXES):
        raise _corrupt()  # a workbook's name, but not a zip: a damaged or renamed file
    if lower.endswith(".xls"):
        raise _save_as_xlsx("xls")  # often an HTML or XML table named .xls by another system
    return [_read_csv(data, filename, budget, known_headers)]


class _RowBudget:
    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.used = 0

    def take(self) -> None:
        self.used += 1
        if self.used > self.max_rows:
            raise LedgerFileError(
                f"数据超过 {self.max_rows:,} 行的上限，请按乡镇街道拆分后分批导入",
                f"More than {self.max_rows:,} data rows: split the file (by township, for "
                "instance) and import the parts one by one.",
            )


# -- zip: .xlsx, or a format to refuse -----------------------------------------------------------


def _read_zip(data: bytes, budget: _RowBudget) -> list[RawSheet]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _ZIP_ERRORS as exc:
        raise _corrupt() from exc
    names = {info.filename for info in infos}
    if "xl/workbook.bin" in names:
        raise _save_as_xlsx("xlsb")
    if "content.xml" in names and ("mimetype" in names or "META-INF/manifest.xml" in names):
        raise _save_as_xlsx("ods")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _corrupt()
    _check_unpacked_sizes(infos)
    return _read_xlsx(data, zf, budget)


def _check_unpacked_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the central directory alone (nothing is decompressed). The sizes
    are trustworthy for what follows: :mod:`zipfile` never returns more than a member's declared
    size, and checks its CRC."""
    if len(infos) > MAX_MEMBERS:
        raise LedgerFileError(BOMB_ZH, BOMB_EN)
    total = sum(info.file_size for info in infos)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > BOMB_MEMBER and ratio > BOMB_RATIO:
            raise LedgerFileError(
                f"{BOMB_ZH}（{info.filename} 压缩比 {ratio:.0f}:1）",
                f"{BOMB_EN[:-1]} ({info.filename} is compressed {ratio:.0f}:1).",
            )
    if total > MAX_UNZIPPED:
        raise LedgerFileError(
            f"{BOMB_ZH}（解压后 {_mb(total)} MB）", f"{BOMB_EN[:-1]} ({_mb(total)} MB unpacked)."
        )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Sheet title → (the sheet's part in the zip, its state: visible, hidden, veryHidden), from
    xl/workbook.xml and its relationships (namespace-agnostic: strict OOXML too)."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (*_ZIP_ERRORS, ElementTree.ParseError):
        return {}  # openpyxl will say whether the workbook can be read
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in rels.iter()
        if _local(rel.tag) == "Relationship"
    }
    parts: dict[str, tuple[str, str]] = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.startswith("{") and _local(k) == "id"), None)
        target = targets.get(rid)
        if not target:
            continue
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = (path, sheet.get("state", "visible"))
    return parts


_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}[0-9]+:[A-Za-z]{1,3}[0-9]+)[\"']"
)
_CELL_REF = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]{1,3})([0-9]+)[\"']")
_FORMULA_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>([^<]*)<)")
_VALUE_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<")
# a formula element; a cell element's opening tag holding ``t="e"`` (an error value: #DIV/0!)
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>")
_F_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_ERROR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\bt\s*=\s*[\"']e[\"'][^>]*>")


def _cell_before(buffer: bytes, pos: int) -> tuple[int, int, int] | None:
    """(row number, 0-based column, end of the opening tag) of the ``<c …>`` element whose
    content holds position ``pos``."""
    start = max(buffer.rfind(b"<c ", 0, pos), buffer.rfind(b":c ", 0, pos))
    if start < 0:
        return None
    end = buffer.find(b">", start)
    ref = _CELL_REF.search(buffer, start, end)
    if ref is None or end < 0:
        return None
    return int(ref.group(2)), column_index_from_string(ref.group(1).decode("ascii").upper()) - 1, end


def _scan_sheet(zf: zipfile.ZipFile, path: str) -> tuple[list[str], dict[int, list[_Fault]]]:
    """One pass over a sheet's XML in 1 MB chunks: its merged ranges (``["A2:A4", …]``) and the
    cells holding a formula or an error value, by row (the values come from calamine, which
    gives a formula's cached result and nothing for an error)."""
    merged: list[str] = []
    faults: dict[int, dict[int, _Fault]] = {}
    tail = b""
    cells_done = False  # past </sheetData>: formulas of data validations or conditional formats are not cells'
    with zf.open(path) as part:
        while chunk := part.read(MB):
            buffer = tail + chunk
            data_end = 0 if cells_done else len(buffer)
            if not cells_done and (closing := _SHEET_DATA_END.search(buffer)):
                data_end, cells_done = closing.start(), True
            end = 0
            if b"mergeCell" in buffer:
                for match in _MERGE_CELL.finditer(buffer):
                    merged.append(match.group(1).decode("ascii").upper())
                    end = match.end()
            if data_end and _F_OPEN.search(buffer, 0, data_end):
                for match in _F_OPEN.finditer(buffer, 0, data_end):
                    found = _cell_before(buffer, match.start())
                    if (found is not None and found[2] < match.start() and buffer[found[2] - 1:found[2]] != b"/"
                            and buffer.find(b"</", found[2], match.start()) < 0):  # inside that cell, not after it
                        row, col, _ = found
                        m = _FORMULA_TEXT.match(buffer, match.start())
                        text = html.unescape((m.group(1) or b"").decode("utf-8", "replace")) if m else ""
                        faults.setdefault(row, {})[col] = (col, "formula", "=" + text if text else "=…")
            if data_end and (b'"e"' in buffer or b"'e'" in buffer):
                for match in _ERROR_CELL.finditer(buffer, 0, data_end):
                    ref = _CELL_REF.search(match.group(0))
                    if ref is None:
                        continue
                    row = int(ref.group(2))
                    col = column_index_from_string(ref.group(1).decode("ascii").upper()) - 1
                    v = None if match.group(0).endswith(b"/>") else _VALUE_TEXT.search(buffer, match.end(), match.end() + 200)
                    text = html.unescape(v.group(1).decode("utf-8", "replace")) if v else "#ERROR"
                    faults.setdefault(row, {}).setdefault(col, (col, "error", text))
            tail = buffer[max(end, len(buffer) - 4096) :]
    merged = list(dict.fromkeys(merged))
    return merged, {row: list(cols.values()) for row, cols in faults.items()}


def _read_xlsx(data: bytes, zf: zipfile.ZipFile, budget: _RowBudget) -> list[RawSheet]:
    """The workbook's values through calamine (a Rust reader, ten times openpyxl's speed; dates
    as dates), its hidden sheets, merged cells, formulas and error values from the XML."""
    from python_calamine import CalamineError, CalamineWorkbook  # only when a workbook comes

    parts = _sheet_parts(zf)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except Exception as exc:  # a damaged workbook, whichever way calamine says so
        raise _corrupt() from exc
    sheets: list[RawSheet] = []
    for title in names:
        path, state = parts.get(title, ("", "visible"))
        if state != "visible":
            problem = Problem(title, None, None, "", HIDDEN_ZH, HIDDEN_EN)
            sheets.append(RawSheet(title, [], iter(()), [problem]))
            continue
        try:
            merged, faults = _scan_sheet(zf, path) if path else ([], {})
        except (*_ZIP_ERRORS, CalamineError) as exc:
            raise _corrupt(title) from exc
        built = _build_sheet(title, _calamine_rows(workbook, title, faults), budget, merged=merged)
        if built is not None:
            sheets.append(built)
    if not sheets:
        raise LedgerFileError(EMPTY_ZH, EMPTY_EN)
    return sheets


# a row as it comes from a source: its number, its values, and the faults of single cells found
# while reading it: (column index, "formula" | "error", the cell's text)
_Fault = tuple[int, str, str]
_SourceRow = tuple[int, list[object], list[_Fault]]


def _calamine_rows(workbook, title: str, faults: dict[int, list[_Fault]]) -> Iterator[_SourceRow]:
    """Rows from A1 down: "" is an empty cell (None), text stripped, a formula cell carries its
    formula text (it is a problem), numbers, booleans and dates as calamine gives them. The sheet
    is loaded when its rows are first asked for and let go when they end: one sheet in memory at
    a time."""
    try:
        rows = workbook.get_sheet_by_name(title).iter_rows()
        for number, raw in enumerate(rows, start=1):
            values: list[object] = [
                None if v == "" else (v.strip() or None) if isinstance(v, str)
                else int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v
                for v in raw
            ]
            found = faults.get(number, [])
            for index, kind, text in found:
                if kind == "formula":
                    while len(values) <= index:
                        values.append(None)
                    values[index] = text
            yield number, values, found
    except LedgerFileError:
        raise
    except Exception as exc:  # damaged half way
        raise _corrupt(title) from exc


def _read_csv(
    data: bytes, filename: str, budget: _RowBudget, known_headers: set[str] | None
) -> RawSheet:
    title = _stem(filename)
    if not data.strip():
        raise LedgerFileError(EMPTY_CSV_ZH, EMPTY_CSV_EN)
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in data[:65536]:
        raise LedgerFileError(UNKNOWN_ZH, UNKNOWN_EN)  # binary: not a CSV, not a workbook
    text, encoding = _decode(data, known_headers)
    sheet = _build_sheet(title, _csv_rows(text, _delimiter(text)), budget)
    if sheet is None:
        raise LedgerFileError(EMPTY_CSV_ZH, EMPTY_CSV_EN)
    sheet.encoding = encoding
    return sheet


def _stem(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return stem.strip()


def _decode(data: bytes, known_headers: set[str] | None) -> tuple[str, str]:
    """The text and its encoding, decided strictly (see :func:`read_ledger`)."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"  # Excel's "Unicode text" (tab-separated)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _strict(data, "gb18030")
    if _reads_as_chinese(text, known_headers):
        return text, "gb18030"
    raise LedgerFileError(ENCODING_ZH, ENCODING_EN)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LedgerFileError(ENCODING_ZH, ENCODING_EN) from exc


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
    )


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _first_line(text: str) -> str:
    return text.lstrip("\r\n").split("\n", 1)[0]


def _delimiter(text: str) -> str:
    """A comma; a tab when the header line has tabs and no comma (Excel's "Unicode text")."""
    line = _first_line(text)
    return "\t" if "\t" in line and "," not in line else ","


def _reads_as_chinese(text: str, known_headers: set[str] | None) -> bool:
    first_line = _first_line(text)
    try:
        header = next(csv.reader([first_line], delimiter=_delimiter(text)))
    except (csv.Error, StopIteration):
        header = []
    if known_headers and any(normalise_header(cell) in known_headers for cell in header):
        return True
    sample = [c for c in first_line if ord(c) > 0x7F]
    if not sample:
        sample = [c for c in text[:ENCODING_SAMPLE] if ord(c) > 0x7F]
    if not any(_is_cjk(c) for c in sample):
        return False
    common = sum(1 for c in sample if _in_gb2312(c))
    return common >= GB2312_SHARE * len(sample)


def _csv_rows(text: str, delimiter: str) -> Iterator[_SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LedgerFileError(
                f"CSV 文件格式错误（第 {number + 1} 行附近）：引号不配对或单元格过长，"
                "请在 Excel 中打开后重新另存为 CSV",
                f"The CSV is malformed near row {number + 1} (unbalanced quotes or a cell too "
                "long): open it in Excel and save it as CSV again.",
            ) from exc
        number += 1
        yield number, [cell.strip() or None for cell in record], []


# -- the common part: header, problems, rows -----------------------------------------------------


def _is_empty(values: list[object]) -> bool:
    return all(v is None for v in values)


def _build_sheet(
    title: str, source: Iterator[_SourceRow], budget: _RowBudget, *, merged: Iterable[str] = ()
) -> RawSheet | None:
    """The header (row 1, or the first non-empty row with a problem) and the lazy data rows;
    ``None`` for a sheet without any data."""
    first: _SourceRow | None = None
    for item in source:
        if not _is_empty(item[1]) or item[2]:
            first = item
            break
    if first is None:
        return None
    number, values, faults = first
    last = max((i for i, v in enumerate(values) if v is not None), default=-1)
    header = [normalise_header(v) for v in values[: last + 1]]
    problems: list[Problem] = []
    if number != 1:
        problems.append(
            Problem(
                title, 1, None, "",
                f"{HEADER_ROW_ZH}（第 1 行为空，表头在第 {number} 行？请删除表头上方的空行）",
                f"{HEADER_ROW_EN} (row 1 is empty and the header seems to be in row {number}: "
                "delete the empty rows above it).",
            )
        )
    pending = sorted(
        (range_boundaries(ref)[1], range_boundaries(ref)[0], ref) for ref in set(merged)
    )
    sheet = RawSheet(title, header, iter(()), problems)

    def column(index: int) -> str:
        if index < len(header) and header[index]:
            return header[index]
        return get_column_letter(index + 1)

    def merges_up_to(number: int, values: list[object]) -> None:
        while pending and pending[0][0] <= number:
            top, left, ref = pending.pop(0)
            value = values[left - 1] if top == number and left - 1 < len(values) else None
            problems.append(
                Problem(
                    title, top, column(left - 1), shown(value),
                    f"合并单元格 {ref}，请取消合并并在每一行填写",
                    f"Merged cells {ref}: unmerge them and fill in every row.",
                )
            )

    def cell_faults(number: int, faults: list[_Fault]) -> None:
        for index, kind, text in faults:
            zh, en = (FORMULA_ZH, FORMULA_EN) if kind == "formula" else (ERROR_VALUE_ZH, ERROR_VALUE_EN)
            problems.append(Problem(title, number, column(index), shown(text), zh, en))

    merges_up_to(number, values)
    cell_faults(number, faults)

    def rows() -> Iterator[tuple[int, list[object]]]:
        beyond_reported: set[int] = set()
        width = len(header)
        for number, values, faults in source:
            if _is_empty(values) and not faults:
                continue
            merges_up_to(number, values)
            cell_faults(number, faults)
            for index in range(width, len(values)):
                if values[index] is not None and index not in beyond_reported:
                    beyond_reported.add(index)
                    problems.append(
                        Problem(
                            title, number, get_column_letter(index + 1), shown(values[index]),
                            BEYOND_HEADER_ZH, BEYOND_HEADER_EN,
                        )
                    )
            budget.take()
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            elif len(values) > width:
                del values[width:]
            yield number, values
        merges_up_to(math.inf, [])  # ranges over empty rows at the end

    sheet.rows = rows()
    return sheet
