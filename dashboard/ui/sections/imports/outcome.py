"""What a check found, drawn: every problem (a table and the workbook with the cells in red), or
"nothing to change", or the diff per township, the KPI cards before → after as of the file's date
and the 确认导入 button. Tables and cards come from ``dashboard.views.imports``."""

from __future__ import annotations

import streamlit as st

from dashboard.edits.ledger_import import Outcome
from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.ui.exports import XLSX_MIME
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown, kpi_card
from dashboard.views.imports import (
    PROBLEMS_SHOWN,
    diff_frame,
    kpi_changes,
    problems_frame,
)


def _facts(out: Outcome, loc: str) -> None:
    if out.file_date is not None:
        st.caption(t("import.rows", loc, rows=fmt_int(out.rows, loc), date=fmt_date(out.file_date, loc)))
    for sheet, encoding in out.encodings.items():
        st.caption(t("import.encoding", loc, sheet=escape_markdown(sheet, limit=60), encoding=encoding))


def problems(out: Outcome, files: list[tuple[str, bytes]], loc: str) -> None:
    st.error(t("import.problems.title", loc, n=fmt_int(out.problem_count, loc)), icon=":material/error:")
    st.dataframe(problems_frame(out.problems, loc), hide_index=True, width="stretch")
    if out.problem_count > min(len(out.problems), PROBLEMS_SHOWN):
        st.caption(t("import.problems.more", loc, shown=fmt_int(min(len(out.problems), PROBLEMS_SHOWN), loc)))

    def workbook() -> bytes:
        from dashboard.ledgerfile.errors import problems_workbook

        return problems_workbook(files, out.problems)

    st.download_button(t("import.problems.download", loc), data=workbook, file_name="import_problems.xlsx",
                       mime=XLSX_MIME, icon=":material/download:", key="import_problems_xlsx", on_click="ignore")


def diff(out: Outcome, loc: str) -> None:
    st.markdown(f"**{t('import.diff.title', loc, date=fmt_date(out.file_date, loc))}**")
    if out.townships_created:
        st.info(t("import.diff.townships_created", loc, names=escape_markdown("、".join(out.townships_created))))
    if out.townships_changed:
        st.info(t("import.diff.townships_changed", loc, names=escape_markdown("、".join(out.townships_changed))))
    if out.units_created:
        st.info(t("import.diff.units_created", loc, names=escape_markdown("、".join(out.units_created))))
    st.dataframe(diff_frame(out, loc), hide_index=True, width="stretch")
    cards = kpi_changes(out, loc)
    if cards:
        st.markdown(f"**{t('import.kpi.title', loc)}**")
        for col, card in zip(st.columns(len(cards)), cards, strict=True):
            with col:
                kpi_card(card.label, card.after, t("import.kpi.before_after", loc, before=card.before, after=card.after),
                         delta=card.delta, help=card.definition or None)


def render(ctx: Context, out: Outcome, files: list[tuple[str, bytes]]) -> bool:
    """Draw the outcome; True when 确认导入 was clicked (only offered for a clean check that changes something)."""
    loc = ctx.loc
    _facts(out, loc)
    if not out.ok:
        problems(out, files, loc)
        return False
    if not out.changed:
        same = f" {t('import.same_file', loc, batch=out.same_file_batch)}" if out.same_file_batch else ""
        st.info(t("import.unchanged", loc) + same, icon=":material/check_circle:")
        return False
    diff(out, loc)
    st.caption(t("import.dry_run_note", loc))
    return st.button(t("import.commit", loc), type="primary", icon=":material/cloud_upload:",
                     help=t("import.commit.help", loc), key="import_commit")
