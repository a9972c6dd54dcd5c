"""1. 模板与现有台账: the import template (.xlsx, and its CSVs zipped) and the ledger within the
user's own scope in the same format, to correct and import back. Files are built when clicked."""

from __future__ import annotations

import functools

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import today_in_district
from dashboard.ui.exports import XLSX_MIME
from dashboard.ui.sections import Context


@functools.cache
def template_xlsx() -> bytes:
    """The template never changes while the server runs (kept out of st.cache_data, which every write clears)."""
    from dashboard.ledgerfile.workbook import ledger_workbook

    return ledger_workbook(example=True)


@functools.cache
def template_csv_zip() -> bytes:
    from dashboard.ledgerfile.workbook import csv_zip, ledger_csvs

    return csv_zip(ledger_csvs(example=True))


def export_xlsx(url: str, scope, today) -> bytes:
    """The ledger of ``scope`` (the user's own) in the import format, read afresh."""
    from dashboard.ledgerfile.export import ledger_rows
    from dashboard.ledgerfile.workbook import ledger_workbook

    with data.session(url) as s:
        return ledger_workbook(ledger_rows(s.connection(), scope, today))


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('import.template.title', loc)}**")
    left, middle, right = st.columns(3)
    left.download_button(t("import.template.xlsx", loc), data=template_xlsx, file_name="ledger_template.xlsx",
                         mime=XLSX_MIME, icon=":material/download:", help=t("import.template.help", loc),
                         key="import_template_xlsx", on_click="ignore")
    middle.download_button(t("import.template.csv", loc), data=template_csv_zip, file_name="ledger_template_csv.zip",
                           mime="application/zip", icon=":material/download:", key="import_template_csv",
                           on_click="ignore")
    url, scope, today = ctx.url, ctx.user.scope, today_in_district()
    right.download_button(t("import.export.xlsx", loc), data=lambda: export_xlsx(url, scope, today),
                          file_name=f"ledger_export_{today.isoformat()}.xlsx", mime=XLSX_MIME,
                          icon=":material/download:", help=t("import.export.help", loc), key="import_export_xlsx",
                          on_click="ignore")
