"""The official coverage statistics table of the scope (issue #14, item 7): two downloads, Excel
and PDF, built when clicked (``ui.exports.statistics_file``)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui import exports
from dashboard.ui.brief import figures_label
from dashboard.ui.sections import Context


def render(ctx: Context) -> None:
    loc, label = ctx.loc, figures_label(ctx.filters, ctx.loc)
    left, right = st.columns(2)
    day = ctx.as_of.isoformat()
    left.download_button(t("stat.download_xlsx", loc), file_name=f"coverage_statistics_{day}.xlsx",
                         data=lambda: exports.statistics_file(ctx.url, ctx.scope, ctx.as_of, loc, label, "xlsx"),
                         mime=exports.XLSX_MIME, icon=":material/table_view:", help=t("stat.help", loc), on_click="ignore")
    right.download_button(t("stat.download_pdf", loc), file_name=f"coverage_statistics_{day}.pdf",
                          data=lambda: exports.statistics_file(ctx.url, ctx.scope, ctx.as_of, loc, label, "pdf"),
                          mime=exports.PDF_MIME, icon=":material/picture_as_pdf:", help=t("stat.help", loc), on_click="ignore")
