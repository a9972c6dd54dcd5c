"""The ledger as a file to fill in or to take away: the template / export workbook, its CSV variant,
and the error workbook an import that failed hands back.

* :func:`ledger_workbook` — one .xlsx: a 说明 sheet (how to fill it in, then every column of every
  sheet: required or not, meaning, allowed values, the KPI it feeds — in Chinese and English), then
  one sheet per :data:`spec.SHEETS`: the Chinese headers (required ones on a light red fill), frozen,
  with an auto filter, drop-down lists for every enum and yes/no column, dates as real Excel dates,
  USCCs and codes as text. Empty, it is the template (``example=True`` adds one example row per
  sheet); with ``rows`` it is the export, in exactly the format the import reads.
* :func:`ledger_csvs` / :func:`csv_zip` — the same sheets as CSV files (UTF-8 with a BOM), zipped.
* :func:`error_workbook` — 问题清单 (every problem: sheet, row, column, value, reason) and each input
  sheet re-written at its own row numbers with the offending cells filled red and a comment giving
  the reason.

Every text cell goes through the one formula-injection rule (``dashboard.exports.cells``): an Excel
cell that would read as a formula is a text cell with the leading-apostrophe flag, a CSV cell gets a
leading ``'``. Workbooks are written in openpyxl's write-only mode, so 100,000 rows stay in bounded
memory (rows may be generators). No Streamlit, no database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import numbers
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import Enum

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard.exports.cells import csv_rows_bytes, neutralise
from dashboard.exports.excel import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    NOTE_FILL,
    NOTE_FONT,
    TITLE_FONT,
    _cell,
    _clean_text,
    sheet_name,
    text_width,
)
from dashboard.ledgerfile import spec
from dashboard.ledgerfile.cells import format_date
from dashboard.ledgerfile.problems import Problem
from models.rules import make_uscc

# --------------------------------------------------------------------------- constants

TITLE = "非公企业党工共建台账 导入模板"
TITLE_EN = "Ledger of union and Party-organisation building in non-public enterprises — import template"
#: the example enterprise of the template (valid under GB 32100-2015), used in every example row
EXAMPLE_USCC = make_uscc(division="330102", serial=1)
#: the separator written between the entries of a USCC list (the reader also takes ; , 、 and new lines)
LIST_SEPARATOR = "；"
YES_NO = ("是", "否")
TEXT_FORMAT = "@"
#: kinds written as text cells (Excel must not turn 913301020000000193 into 9.13301E+17)
TEXT_KINDS = (spec.USCC, spec.CODE, spec.USCC_LIST)
#: the last row a drop-down list covers (Excel's last row: rows added by hand are covered too)
LAST_ROW = 1_048_576
#: Excel's limit on an inline list (the quoted "a,b,c" formula)
INLINE_LIST_MAX = 255
LISTS_SHEET = "_lists"
VALIDATION_ERROR_TITLE = "不是允许的值"

REQUIRED_FILL = PatternFill("solid", start_color="F4CCCC", end_color="F4CCCC")
ERROR_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
ERROR_FONT = Font(color="9C0006")
SECTION_FONT = Font(bold=True, size=12)

PROBLEMS_SHEET = "问题清单"
PROBLEM_HEADERS = ("工作表", "行", "列", "值", "原因", "Reason (English)")
#: the most problems listed and highlighted in an error workbook
MAX_PROBLEMS = 100_000

_WIDTH_SAMPLE = 2000
_MIN_WIDTH, _MAX_WIDTH = 6, 60


# --------------------------------------------------------------------------- values


def uscc_list_text(entries: object) -> str:
    """``[(A, None, None), (B, 2003-05-01, 2008-01-01)]`` → ``A；B[2003-05-01~2008-01-01]``: an entry's
    period only when it has a start or an end (an open end: ``B[2003-05-01~]``). Text passes as is."""
    if entries is None:
        return ""
    if isinstance(entries, str):
        return entries
    parts = []
    for entry in entries:
        if isinstance(entry, str):
            parts.append(entry)
            continue
        code, start, end = entry
        if start is None and end is None:
            parts.append(str(code))
        else:
            parts.append(f"{code}[{format_date(start)}~{format_date(end)}]")
    return LIST_SEPARATOR.join(parts)


def _as_date(value: str) -> dt.date | None:
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value)
    return None


def cell_value(column: spec.Column, value: object) -> object:
    """A row's value as the file holds it: ``None`` (empty), ``str``, ``int``, ``float``, ``date``
    or ``datetime``. Enum members become their labels, booleans 是/否, USCC lists their text; in a
    DATE column an ISO date text becomes a date, in a COUNT column digits become a number; USCCs and
    codes are always text."""
    if value is None:
        return None
    if isinstance(value, Enum):  # before str: the stored enums are StrEnums
        return spec.label(value)
    if isinstance(value, bool):
        return YES_NO[0] if value else YES_NO[1]
    kind = column.kind
    if kind == spec.USCC_LIST:
        value = uscc_list_text(value)
    elif kind == spec.DATE:
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            day = _as_date(value.strip())
            if day is not None:
                return day
    elif kind == spec.COUNT:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
            return int(value.strip())
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, numbers.Number) and kind == spec.COUNT:
        return value
    if isinstance(value, numbers.Integral):
        value = int(value)
    text = str(value)
    return text if text != "" else None


def text_value(column: spec.Column, value: object) -> str:
    """The value as CSV text: dates ISO, labels, 是/否, numbers as digits — then neutralised."""
    v = cell_value(column, value)
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(neutralise(v))


def _xlsx_cell(ws, column: spec.Column, value: object):
    v = cell_value(column, value)
    if v is None:
        return None
    if isinstance(v, str):
        v = _clean_text(v)
        if column.kind in TEXT_KINDS:
            return _cell(ws, v, TEXT_FORMAT)
        return _cell(ws, v)  # formula-like text: a text cell with quotePrefix
    if isinstance(v, dt.datetime):
        return _cell(ws, v.replace(tzinfo=None), DATETIME_FORMAT)
    if isinstance(v, dt.date):
        return _cell(ws, v, DATE_FORMAT)
    return v  # a number


def _display(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return "0000-00-00 00:00"
    if isinstance(v, dt.date):
        return "0000-00-00"
    return str(v)


def _width(texts: Iterable[str], extra: int = 2) -> float:
    widest = max((text_width(t) for t in texts), default=0)
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, widest + extra)))


# --------------------------------------------------------------------------- rows


def example_row(sheet: spec.Sheet) -> dict[str, object]:
    """The template's example row of a sheet (column.example; the example enterprise's USCC)."""
    row: dict[str, object] = {}
    for col in sheet.columns:
        value: object = col.example
        if col.kind in (spec.USCC, spec.USCC_LIST) and value:
            value = EXAMPLE_USCC
        row[col.key] = value if value != "" else None
    return row


def _sheet_rows(sheet: spec.Sheet, rows: Mapping[str, Iterable[Mapping[str, object]]] | None,
                example: bool) -> Iterator[Mapping[str, object]]:
    keys = {c.key for c in sheet.columns}
    if example:
        yield example_row(sheet)
    for row in (rows or {}).get(sheet.key, ()) or ():
        extra = row.keys() - keys
        if extra:
            raise ValueError(f"sheet {sheet.key!r}: unknown column key(s) {sorted(extra)}")
        yield row


def _check_sheet_keys(rows: Mapping[str, object] | None) -> None:
    known = {s.key for s in spec.SHEETS}
    unknown = set(rows or {}) - known
    if unknown:
        raise ValueError(f"unknown sheet key(s) {sorted(unknown)}; expected some of {sorted(known)}")


# --------------------------------------------------------------------------- validations


def _inline_list(items: Sequence[str]) -> str | None:
    """The inline list formula ``"a,b,c"``, or None when Excel cannot take it inline."""
    if any("," in item or '"' in item for item in items):
        return None
    formula = '"' + ",".join(items) + '"'
    return formula if len(formula) <= INLINE_LIST_MAX else None


def list_choices(column: spec.Column) -> list[str] | None:
    """The drop-down list of a column: the enum's labels, 是/否, or None (no list)."""
    if column.kind == spec.ENUM and column.enum is not None:
        return spec.choices(column.enum)
    if column.kind == spec.BOOL:
        return list(YES_NO)
    return None


class _Lists:
    """Choices too long for an inline list, kept on a hidden sheet (none today: every list is
    short, and the import refuses hidden sheets — see the tests)."""

    def __init__(self):
        self.columns: list[list[str]] = []

    def formula(self, items: Sequence[str]) -> str:
        self.columns.append(list(items))
        letter = get_column_letter(len(self.columns))
        return f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(items)}"

    def write(self, wb: Workbook) -> None:
        if not self.columns:
            return
        ws = wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        for i in range(max(len(c) for c in self.columns)):
            ws.append([_cell(ws, c[i]) if i < len(c) else None for c in self.columns])


def _validation(column: spec.Column, letter: str, lists: _Lists) -> DataValidation | None:
    items = list_choices(column)
    if not items:
        return None
    formula = _inline_list(items) or lists.formula(items)
    shown = "、".join(items)
    error = f"“{column.header}”只能填：{shown}"
    prompt = f"可选：{shown}"
    dv = DataValidation(
        type="list", formula1=formula, allow_blank=True,
        showErrorMessage=True, errorStyle="stop", errorTitle=VALIDATION_ERROR_TITLE, error=error[:255],
        showInputMessage=True, promptTitle=column.header[:32], prompt=prompt[:255],
    )
    dv.add(f"{letter}2:{letter}{LAST_ROW}")
    return dv


# --------------------------------------------------------------------------- the 说明 sheet

_HOW_TO_ZH = (
    "每个工作表是一类数据：乡镇街道、企业、工会、党组织、联络员、会员变动。每行一条记录：每个乡镇街道一行、每家企业一行、"
    "每个工会或党组织一行、每次联络员任职一行、每家企业每天的会员变动一行。",
    "保留每个工作表第 1 行的表头，不要改名；从第 2 行起填写，不要合并单元格，不要填公式。",
    "表头为浅红色的列为必填（见下表“必填”）；其余列可空。带下拉箭头的列只能填列表中的值。",
    f"日期可写作：{spec.DATE_FORMATS_ZH}。",
    "统一社会信用代码和区划代码按文字填写（模板中这些列已设为文本格式），不要让 Excel 把它们变成数字。",
    "不需要的工作表可以删除：文件中没有的工作表不改变任何数据。",
    "以后导入的文件中没有出现的行保持不变（一个乡镇的文件只含本乡镇的部分）：企业注销、工会或党组织撤销、联络员离任，"
    "请填写对应的日期，不要删除该行。",
    "保存为 .xlsx（Excel 工作簿），然后在“数据导入”页面上传，或运行 dangong import 文件.xlsx --dry-run 先检查，"
    "无误后去掉 --dry-run 导入。",
)
_HOW_TO_EN = (
    "Each sheet holds one kind of record: townships, enterprises, unions, Party organisations, liaison officers, "
    "membership changes. One row per record (per township, enterprise, union, Party organisation, appointment, "
    "enterprise and day).",
    "Keep the headers in row 1 as they are and fill in from row 2; no merged cells, no formulas.",
    "Columns with a light red header are required; the others may be blank. Columns with a drop-down take only "
    "the listed values.",
    "Dates: 2002-05-08, 2002/5/8, 2002.5.8, 2002年5月8日, 20020508 or an Excel date.",
    "Type USCCs and township codes as text (those columns are formatted as text) so Excel does not turn them "
    "into numbers.",
    "Sheets you do not need may be deleted: a sheet absent from the file changes nothing.",
    "Rows absent from a later file are left unchanged (a township's file holds its own part only): to close an "
    "enterprise, dissolve an organisation or end an appointment, fill in the date — do not delete the row.",
    "Save as .xlsx, then upload it on the 数据导入 (data import) page, or run "
    "`dangong import FILE.xlsx --dry-run` to check it and then without --dry-run to import.",
)
_COLUMN_HEADERS = ("工作表", "列", "必填", "含义", "允许的值", "影响的指标", "Column (English)", "Meaning (English)")
_SHEET_HEADERS = ("工作表", "说明", "Sheet", "Description")
_EXPLANATION_WIDTHS = (14, 22, 8, 48, 48, 26, 24, 48)


def _write_explanation(wb: Workbook, *, example: bool, title_note: str) -> None:
    ws = wb.create_sheet(spec.EXPLANATION_TITLE)
    for k, width in enumerate(_EXPLANATION_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(k)].width = width

    def line(*cells, font=None, fill=None):
        ws.append([_cell(ws, _clean_text(str(c)), font=font, fill=fill) if c not in (None, "") else None
                   for c in cells])

    line(TITLE + (title_note or ""), font=TITLE_FONT)
    line(TITLE_EN)
    if example:
        line("每个工作表的第 2 行是示例：导入前请替换或删除示例行。"
             " / Row 2 of every sheet is an example: replace or delete it before importing.",
             font=NOTE_FONT, fill=NOTE_FILL)
    line()
    line("填写说明", font=SECTION_FONT)
    for n, text in enumerate(_HOW_TO_ZH, 1):
        line(f"{n}. {text}")
    line()
    line("How to fill it in", font=SECTION_FONT)
    for n, text in enumerate(_HOW_TO_EN, 1):
        line(f"{n}. {text}")
    line()
    line("各工作表 / Sheets", font=SECTION_FONT)
    line(*_SHEET_HEADERS, font=HEADER_FONT, fill=HEADER_FILL)
    for sheet in spec.SHEETS:
        line(sheet.title, sheet.help_zh, sheet.title_en, sheet.help_en)
    line()
    line("各列 / Columns（必填列的表头为浅红色 / required columns have a light red header）", font=SECTION_FONT)
    line(*_COLUMN_HEADERS, font=HEADER_FONT, fill=HEADER_FILL)
    for sheet in spec.SHEETS:
        for col in sheet.columns:
            ws.append([
                _cell(ws, sheet.title),
                _cell(ws, col.header, font=HEADER_FONT, fill=REQUIRED_FILL if col.required else None),
                _cell(ws, "必填" if col.required else None),
                _cell(ws, col.help_zh),
                _cell(ws, col.allowed_zh()),
                _cell(ws, col.feeds or None),
                _cell(ws, col.header_en),
                _cell(ws, col.help_en),
            ])


# --------------------------------------------------------------------------- the ledger workbook


def _write_sheet(wb: Workbook, sheet: spec.Sheet, rows: Iterator[Mapping[str, object]], lists: _Lists) -> int:
    ws = wb.create_sheet(sheet.title)
    columns = sheet.columns
    # widths from the header and the first rows (kept, then written first)
    head = list(itertools.islice(rows, _WIDTH_SAMPLE))
    for k, col in enumerate(columns, 1):
        dim = ws.column_dimensions[get_column_letter(k)]
        sample = (_display(cell_value(col, r.get(col.key))) for r in head)
        dim.width = _width([col.header, *sample], extra=4)
        if col.kind in TEXT_KINDS:
            dim.number_format = TEXT_FORMAT  # what a clerk types there stays text
        elif col.kind == spec.DATE:
            dim.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    ws.append([
        _cell(ws, col.header, font=HEADER_FONT, fill=REQUIRED_FILL if col.required else HEADER_FILL)
        for col in columns
    ])
    n = 0
    for row in itertools.chain(head, rows):
        ws.append([_xlsx_cell(ws, col, row.get(col.key)) for col in columns])
        n += 1
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{n + 1}"
    for k, col in enumerate(columns, 1):
        dv = _validation(col, get_column_letter(k), lists)
        if dv is not None:
            ws.data_validations.append(dv)
    return n


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _discard(wb: Workbook) -> None:
    for ws in wb.worksheets:  # finish the half-written sheets' temporary files quietly
        with contextlib.suppress(Exception):
            ws.close()


def ledger_workbook(rows: Mapping[str, Iterable[Mapping[str, object]]] | None = None, *,
                    example: bool = False, title_note: str = "") -> bytes:
    """The ledger as one .xlsx: 说明, then one sheet per :data:`spec.SHEETS` in order.

    ``rows`` maps a sheet's key (``enterprises``, …) to its rows, each a mapping of column keys to
    values in file form or as Python values (dates, Enum members, booleans, ints, USCC lists as
    ``(uscc, start, end)`` tuples); a sheet without rows is written with its header only.
    ``example``: one example row per sheet first (the template). ``title_note`` follows the title.
    """
    _check_sheet_keys(rows)
    wb = Workbook(write_only=True)
    try:
        _write_explanation(wb, example=example, title_note=title_note)
        lists = _Lists()
        for sheet in spec.SHEETS:
            _write_sheet(wb, sheet, _sheet_rows(sheet, rows, example), lists)
        lists.write(wb)
        return _save(wb)
    except BaseException:
        _discard(wb)
        raise


# --------------------------------------------------------------------------- CSV


def ledger_csvs(rows: Mapping[str, Iterable[Mapping[str, object]]] | None = None, *,
                example: bool = False) -> dict[str, bytes]:
    """``{"<sheet.title>.csv": bytes}`` for every sheet: UTF-8 with a BOM, the header then the rows,
    values as text (dates ISO, labels, 是/否), every cell neutralised (formula-like text gets ``'``)."""
    _check_sheet_keys(rows)
    files: dict[str, bytes] = {}
    for sheet in spec.SHEETS:
        columns = sheet.columns
        files[f"{sheet.title}.csv"] = csv_rows_bytes(
            sheet.headers, ([text_value(col, row.get(col.key)) for col in columns]
                            for row in _sheet_rows(sheet, rows, example)))
    return files


def csv_zip(files: Mapping[str, bytes]) -> bytes:
    """The CSV files in one .zip (file names stored in UTF-8)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # names in UTF-8 (zipfile sets it too for non-ASCII names)
            zf.writestr(info, data)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the error workbook


def _header_index(header: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for k, h in enumerate(header):
        text = "" if h is None else str(h)
        for name in (text, spec.normal_header(text)):
            if name and name not in index:
                index[name] = k
    return index


def _comment(reasons: list[str]) -> Comment:
    text = "\n".join(reasons)
    comment = Comment(text[:30000], "台账导入")
    comment.width = 320
    comment.height = max(80, min(600, 20 * (text.count("\n") + 2 + len(text) // 30)))
    return comment


def _error_row(ws, cells: Sequence[object], width: int, marks: dict[int | None, list[str]] | None) -> list:
    """One input row re-written; ``marks``: column index (None: the whole row) → reasons."""
    if not marks:
        return [_plain(ws, v) for v in cells]
    n = max(width, len(cells), *((k + 1) for k in marks if k is not None))
    whole = marks.get(None)
    out = []
    for k in range(n):
        value = cells[k] if k < len(cells) else None
        reasons = list(marks.get(k, ()))
        if whole and (k == 0 or reasons):
            reasons = whole + reasons
        if reasons or whole:
            v, fmt = _error_value(value)
            cell = _cell(ws, v, fmt, font=ERROR_FONT, fill=ERROR_FILL)
            if reasons:
                cell.comment = _comment(reasons)
            out.append(cell)
        else:
            out.append(_plain(ws, value))
    return out


def _error_value(value: object) -> tuple[object, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return (value.date(), DATE_FORMAT) if value.time() == dt.time(0) else (value, DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if isinstance(value, numbers.Number):
        return value, None
    return _clean_text(str(value)), None


def _plain(ws, value: object):
    v, fmt = _error_value(value)
    return _cell(ws, v, fmt) if v not in (None, "") else None


def error_workbook(sheets: Sequence[tuple[str, list[str], Iterable[tuple[int, list[object]]]]],
                   problems: Sequence[Problem]) -> bytes:
    """The import's problems as a workbook: 问题清单 (every problem, in order; at most
    :data:`MAX_PROBLEMS`, then a line saying how many more), then each input sheet ``(title, header,
    rows)`` re-written — rows as ``(excel_row_number, cells)`` in ascending order, each at its own
    row number — with every offending cell filled red and a comment holding the reason. A problem
    without a column marks the whole row; one without a row, or whose column is not in the sheet's
    header, is only listed."""
    listed = list(itertools.islice(problems, MAX_PROBLEMS))
    more = len(problems) - len(listed)
    headers = {title: _header_index(header) for title, header, _ in sheets}
    # (sheet title, row) → column index or None → reasons
    marks: dict[tuple[str, int], dict[int | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in listed:
        if p.row is None or p.sheet not in headers:
            continue
        if p.column:
            index = headers[p.sheet]
            k = index.get(str(p.column), index.get(spec.normal_header(str(p.column))))
            if k is None:
                continue
        else:
            k = None
        reason = p.reason_zh if not p.reason_en or p.reason_en == p.reason_zh else f"{p.reason_zh}\n{p.reason_en}"
        marks[(p.sheet, p.row)][k].append(reason)

    wb = Workbook(write_only=True)
    try:
        ws = wb.create_sheet(PROBLEMS_SHEET)
        sample = listed[:_WIDTH_SAMPLE]
        texts = [
            [p.sheet for p in sample], [str(p.row or "") for p in sample], [p.column or "" for p in sample],
            [p.value or "" for p in sample], [p.reason_zh for p in sample], [p.reason_en for p in sample],
        ]
        for k, header in enumerate(PROBLEM_HEADERS):
            ws.column_dimensions[get_column_letter(k + 1)].width = _width([header, *texts[k]], extra=3)
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL) for h in PROBLEM_HEADERS])
        for p in listed:
            ws.append([_plain(ws, p.sheet), p.row, _plain(ws, p.column), _plain(ws, p.value),
                       _plain(ws, p.reason_zh), _plain(ws, p.reason_en)])
        ws.auto_filter.ref = f"A1:{get_column_letter(len(PROBLEM_HEADERS))}{len(listed) + 1}"
        if more > 0:
            ws.append([_cell(ws, f"…还有 {more} 个问题 / … and {more} more problems", font=NOTE_FONT)])

        taken = [PROBLEMS_SHEET]
        for title, header, rows in sheets:
            name = sheet_name(title, taken)
            taken.append(name)
            _write_error_sheet(wb, name, title, list(header), rows, marks)
        return _save(wb)
    except BaseException:
        _discard(wb)
        raise


#: how far past a sheet's last row a problem is still marked in the error workbook
TRAILING_ROWS = 100


def _write_error_sheet(wb: Workbook, name: str, title: str, header: list[str],
                       rows: Iterable[tuple[int, list[object]]], marks) -> None:
    ws = wb.create_sheet(name)
    rows = iter(rows)
    head = list(itertools.islice(rows, _WIDTH_SAMPLE))
    for k, h in enumerate(header):
        sample = (_display(_error_value(cells[k])[0]) for _, cells in head if k < len(cells))
        ws.column_dimensions[get_column_letter(k + 1)].width = _width(["" if h is None else str(h), *sample], extra=4)
    ws.freeze_panes = "A2"
    width = len(header)
    header_marks = marks.get((title, 1))
    if header_marks:
        ws.append(_error_row(ws, header, width, header_marks))
    else:
        ws.append([_cell(ws, _clean_text(str(h)), font=HEADER_FONT, fill=HEADER_FILL) if h not in (None, "") else None
                   for h in header])
    current = 1
    for number, cells in itertools.chain(head, rows):
        if number <= current:
            raise ValueError(f"sheet {title!r}: row {number} after row {current} (rows must ascend, from 2)")
        _skip_to(ws, title, current, number, width, marks)
        current = number
        ws.append(_error_row(ws, list(cells), width, marks.get((title, number))))
    # problems at rows not given (a merged range below the data…): marked up to a few rows past the
    # data, only listed further down (a range at row 1,048,576 must not write a million empty rows)
    later = [r for (t, r) in marks if t == title and current < r <= current + TRAILING_ROWS]
    if later:
        end = max(later) + 1
        _skip_to(ws, title, current, end, width, marks)


def _skip_to(ws, title: str, current: int, number: int, width: int, marks) -> None:
    """The rows between ``current`` and ``number``: blank, unless a problem points at one."""
    for r in range(current + 1, number):
        row_marks = marks.get((title, r))
        ws.append(_error_row(ws, [], width, row_marks) if row_marks else [])
