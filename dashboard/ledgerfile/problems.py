"""What is wrong with a ledger file, and where: sheet, row, column, value, reason.

A :class:`Problem` locates one fault; a :class:`LedgerFileError` refuses a whole file (not a
workbook, a password, too big, …) with a sentence in both languages. Rows are numbered as the
person sees them in Excel (the header is row 1, the first data row is row 2); ``row`` and
``column`` are ``None`` for a fault of the whole sheet or file.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the longest cell value echoed back in a message (a 50 MB cell is not shown whole)
ECHO_MAX = 60


def shown(value: object) -> str:
    """A cell value as it is echoed in a message: text, clipped to :data:`ECHO_MAX` characters."""
    text = "" if value is None else str(value)
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


@dataclass(frozen=True)
class Problem:
    sheet: str  # the sheet's title as in the file (乡镇街道, 企业, … or the CSV's file name)
    row: int | None  # Excel row number (header = 1); None: the whole sheet
    column: str | None  # the column's header as in the spec (统一社会信用代码, …); None: the whole row
    value: str  # the offending value, clipped (see :func:`shown`); "" when nothing was there
    reason_zh: str
    reason_en: str

    def reason(self, locale: str = "zh_CN") -> str:
        return self.reason_en if locale == "en" else self.reason_zh

    def where(self, locale: str = "zh_CN") -> str:
        parts = [self.sheet]
        if self.row is not None:
            parts.append(f"row {self.row}" if locale == "en" else f"第 {self.row} 行")
        if self.column:
            parts.append(self.column)
        return " · ".join(parts)


class LedgerFileError(ValueError):
    """The whole file is refused before any row is read (or a row limit is passed)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def message(self, locale: str = "zh_CN") -> str:
        return self.en if locale == "en" else self.zh
