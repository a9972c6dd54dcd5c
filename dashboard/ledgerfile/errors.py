"""The problems of an import as a workbook: the files read again, offending cells marked red."""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.ledgerfile import spec
from dashboard.ledgerfile.problems import LedgerFileError, Problem
from dashboard.ledgerfile.reader import read_ledger
from dashboard.ledgerfile.workbook import error_workbook


def problems_workbook(files: Sequence[tuple[str, bytes]], problems: Sequence[Problem]) -> bytes:
    """问题清单 and each sheet of the files with its offending cells highlighted (only the list when
    a file cannot be read at all)."""
    sheets = []
    try:
        for name, data in files:
            for raw in read_ledger(data, name, known_headers=spec.known_headers()):
                sheets.append((raw.title, raw.header, raw.rows))  # rows stream as the workbook is written
        return error_workbook(sheets, problems)
    except LedgerFileError:
        return error_workbook([], problems)
