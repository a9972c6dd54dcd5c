"""What a spreadsheet cell of ours may hold: text that starts like a formula is neutralised.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``: "CSV injection"). Such text reaches our
files from the database — an enterprise name, an action item, a unit — and from anyone at all: a
username typed at the login form is kept in the audit log. Every CSV and Excel export goes
through :func:`formula_like`, the one rule:

* CSV (:func:`csv_bytes`): the cell gets a leading ``'`` (:func:`neutralise`), which every
  spreadsheet shows as text;
* Excel (``exports.excel``): the cell is written as text with Excel's ``quotePrefix`` flag — what
  Excel itself stores when someone types a leading ``'`` — so the text reads as typed and stays
  text even when the cell is edited.

Numbers, dates and booleans are left alone (a negative number is a number, not a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pandas as pd

#: the first characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """Whether ``value`` is text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value):
    """``value`` as a CSV cell: formula-like text with a leading ``'``, anything else unchanged."""
    return "'" + value if formula_like(value) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV for spreadsheets: UTF-8 with a byte-order mark (Excel then reads Chinese
    right), headers as given, every formula-like cell (headers included) neutralised."""
    safe_frame = frame.copy()
    safe_frame.columns = [neutralise(str(c)) for c in frame.columns]
    for k in range(safe_frame.shape[1]):
        column = safe_frame.iloc[:, k]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            safe_frame.isetitem(k, column.map(neutralise))
    return safe_frame.to_csv(index=False).encode("utf-8-sig")


def csv_rows_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Rows (streamed: a ledger's 100,000 enterprises) as CSV for spreadsheets, like
    :func:`csv_bytes`: UTF-8 with a byte-order mark, every formula-like cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
