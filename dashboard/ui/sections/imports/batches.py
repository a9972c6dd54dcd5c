"""4. 导入批次: the batches, newest first (read afresh every run), and for administrators and staff
one button to undo the newest batch still in force — disabled, with the reason, when it cannot be
undone. A township account sees its own batches only (a batch names other townships' changes)."""

from __future__ import annotations

import streamlit as st

from dashboard.edits.ledger_import import list_batches, undo_batch, undo_problem
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import run_edit
from dashboard.ui.sections import Context
from dashboard.ui.sections.imports import UNDOERS
from dashboard.ui.sections.imports.upload import forget
from dashboard.views.imports import batches_frame
from models.enums import Role


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('import.batches.title', loc)}**")
    may_undo = ctx.user.can(*UNDOERS)
    with data.session(ctx.url) as s:
        batches = list_batches(s, username=ctx.user.username if ctx.user.role == Role.TOWNSHIP else None)
        target = next((b for b in batches if b.undone_at is None), None) if may_undo else None
        problem = undo_problem(s, target.id) if target is not None else None
    if not batches:
        st.info(t("import.batches.empty", loc))
        return
    st.dataframe(batches_frame(batches, loc), hide_index=True, width="stretch")
    if target is None:
        return
    reason = t(problem, loc) if problem else None
    if st.button(t("import.undo", loc, batch=target.id), icon=":material/undo:", disabled=reason is not None,
                 help=reason or t("import.undo.help", loc), key="import_undo"):
        run_edit(undo_batch, loc=loc, saved=t("import.undo.done", loc, batch=target.id), then=forget,
                 batch_id=target.id)
    if reason:
        st.caption(reason)
