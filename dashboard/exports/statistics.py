"""The official coverage statistics table as an Excel workbook and an A4 PDF (issue #14, item 7),
from ``views.statistics``: the same rows and words as the page. No Streamlit."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.exports.excel import workbook_bytes
from dashboard.exports.pdf import Document
from dashboard.i18n import fmt_date, fmt_int, t


def statistics_xlsx(frame: pd.DataFrame, notes: list[str], *, title: str, as_of: dt.date, locale: str,
                    demo: bool = False) -> bytes:
    """说明 (title, date, the definitions) then the table."""
    meta = [(t("stat.as_of", locale), fmt_date(as_of, locale)),
            *((t("stat.note", locale) + f" {k}", note) for k, note in enumerate(notes, 1))]
    if demo:
        meta.append(("demo", t("app.demo_help", locale)))
    return workbook_bytes([(t("stat.sheet", locale), frame)], meta=meta, title=title)


def statistics_pdf(frame: pd.DataFrame, notes: list[str], *, title: str, as_of: dt.date, locale: str,
                   demo: bool = False) -> bytes:
    """The table on A4 with the definitions printed under it."""
    doc = Document(locale=locale, as_of=as_of, demo=demo, subtitle=t("stat.name", locale))
    doc.heading(title)
    doc.paragraph(t("stat.as_of_line", locale, date=fmt_date(as_of, locale)), size=9, muted=True)
    header = [str(c) for c in frame.columns]
    rows = [[str(r[0]), *(fmt_int(v) for v in r[1:])] for r in frame.itertuples(index=False)]
    doc.table(header, rows, widths=[2.2, *([1] * (len(header) - 1))], size=6.5, align=["L", *("R" * (len(header) - 1))])
    for note in notes:
        doc.paragraph(note, size=8, muted=True)
    return doc.to_bytes()
