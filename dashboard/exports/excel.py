"""Excel workbooks from DataFrames (openpyxl, write-only mode): generic, no Streamlit.

``workbook_bytes(sheets, meta=…, title=…)`` writes a first sheet "说明" (the title, the caller's
(label, value) pairs — filters, as-of date, user, export time — and a demo-data note when the
caller says so), then one sheet per table: headers as given (the caller translates them), bold
header row with a fill, frozen below the header, an auto filter, column widths from the content
(CJK characters count double), dates as real Excel dates, integers and decimals as numbers.
Text that a spreadsheet would read as a formula (``= + - @``, tab, CR: ``exports.cells``) is a
text cell with Excel's leading-apostrophe flag (``quotePrefix``), never a formula.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import io
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard.exports.cells import formula_like

INFO_SHEET = "说明"
#: A meta pair with this label is not listed: it asks for the demo-data note. Its value is
#: the note (in the caller's language), or a yes-word for the default note; a no-word for none.
DEMO_META_KEY = "demo"
DEMO_NOTE = "演示数据：本文件中的企业、人员和数字均为虚构，仅供演示。/ Demo data: every enterprise, person and figure is fictional."
_YES = {"1", "true", "yes", "y", "是"}
_NO = {"", "0", "false", "no", "n", "否"}

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_SHEET_NAME = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_WIDTH_SAMPLE = 2000  # rows looked at per column to size it

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DCE6F1", end_color="DCE6F1")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(bold=True, color="9C0006")
NOTE_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")


def text_width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused sheet name: no []:*?/\\, no leading/trailing apostrophe, at most 31
    characters, unique ignoring case (Excel's rule), "History" avoided (reserved by Excel)."""
    base = _SHEET_NAME_BAD.sub("_", str(name)).strip().strip("'").strip() or "Sheet"
    if base.lower() == "history":
        base = f"{base}_"
    base = base[:MAX_SHEET_NAME]
    used = {t.lower() for t in taken}
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        suffix = f"({n})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    return candidate


def _clean_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _is_missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return False


def _excel_value(value):
    """(value openpyxl can write, number format or None, force text)."""
    if _is_missing(value):
        return None, None, False
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()  # numpy scalars → Python numbers and booleans
    if isinstance(value, decimal.Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        if value.time() == dt.time(0):
            return value.date(), DATE_FORMAT, False
        return value, DATETIME_FORMAT, False
    if isinstance(value, dt.date):
        return value, DATE_FORMAT, False
    if isinstance(value, bool):
        return value, None, False
    if isinstance(value, numbers.Integral):
        return int(value), None, False
    if isinstance(value, numbers.Real):
        value = float(value)
        return (None if math.isnan(value) or math.isinf(value) else value), None, False
    if hasattr(value, "value") and isinstance(value.value, str):  # an Enum member
        value = value.value
    text = _clean_text(str(value))
    return text, None, formula_like(text)  # text, never a formula (no injection)


def _display(value, fmt) -> str:
    if value is None:
        return ""
    if fmt == DATE_FORMAT:
        return "0000-00-00"
    if fmt == DATETIME_FORMAT:
        return "0000-00-00 00:00"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _cell(ws, value, fmt=None, *, force_text=False, font=None, fill=None, wrap=False):
    """A cell of the write-only sheet; ``force_text``: formula-like text, kept as text with the
    leading-apostrophe flag (Excel shows the text as typed and keeps it text when edited)."""
    force_text = force_text or formula_like(value)
    if fmt is None and not force_text and font is None and fill is None and not wrap:
        return value
    cell = WriteOnlyCell(ws, value)
    if force_text:
        cell.data_type = "s"
        cell.quotePrefix = True
    if fmt:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _width(texts: Iterable[str]) -> float:
    widest = max((text_width(t) for t in texts), default=0)
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, widest + 2)))


def _write_info(wb: Workbook, title: str, meta: list[tuple[str, str]]) -> None:
    ws = wb.create_sheet(INFO_SHEET)
    note = None
    pairs = []
    for label, value in meta:
        if str(label).strip().lower() == DEMO_META_KEY:
            text = "" if value is None else str(value).strip()
            if text.lower() in _NO:
                continue
            note = DEMO_NOTE if text.lower() in _YES else text
        else:
            pairs.append((_clean_text(str(label)), _clean_text("" if value is None else str(value))))
    labels = [title[:20]] + [label for label, _ in pairs]
    values = [value for _, value in pairs] + ([note] if note else [])
    ws.column_dimensions["A"].width = _width(labels)
    ws.column_dimensions["B"].width = max(30.0, _width(values))
    ws.append([_cell(ws, _clean_text(title), font=TITLE_FONT)])
    if note:
        ws.append([_cell(ws, note, font=NOTE_FONT, fill=NOTE_FILL)])
    ws.append([])
    for label, value in pairs:
        ws.append([_cell(ws, label, font=HEADER_FONT), _cell(ws, value, wrap=True)])


def _write_table(wb: Workbook, name: str, df: pd.DataFrame) -> None:
    ws = wb.create_sheet(name)
    headers = [_clean_text(str(c)) for c in df.columns]
    ncols = len(headers)
    # values converted once; widths from the header and a sample of the rows
    columns = [[_excel_value(v) for v in df.iloc[:, k].tolist()] for k in range(ncols)]
    for k, header in enumerate(headers):
        sample = (_display(v, f) for v, f, _ in columns[k][:_WIDTH_SAMPLE])
        ws.column_dimensions[get_column_letter(k + 1)].width = _width([header, *sample])
    if ncols:
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{len(df) + 1}"
    ws.append([_cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL) for h in headers])
    for i in range(len(df)):
        row = []
        for k in range(ncols):
            value, fmt, force_text = columns[k][i]
            row.append(_cell(ws, value, fmt, force_text=force_text))
        ws.append(row)


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame]], *, meta: list[tuple[str, str]], title: str) -> bytes:
    """An .xlsx file: "说明" (title, meta pairs, demo note) then one sheet per (name, table).

    Sheet names are made valid and unique (``sheet_name``); headers are the DataFrame's column
    labels as given.
    """
    sheets = list(sheets)
    for name, df in sheets:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"sheet {name!r}: expected a DataFrame, not {type(df).__name__}")
    wb = Workbook(write_only=True)
    try:
        _write_info(wb, title, list(meta))
        taken = [INFO_SHEET]
        for name, df in sheets:
            final = sheet_name(name, taken)
            taken.append(final)
            _write_table(wb, final, df)
        buffer = io.BytesIO()
        wb.save(buffer)
    except BaseException:
        for ws in wb.worksheets:  # finish the half-written sheets' temporary files quietly
            with contextlib.suppress(Exception):
                ws.close()
        raise
    return buffer.getvalue()
