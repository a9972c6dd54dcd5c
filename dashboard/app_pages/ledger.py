"""企业台账 / enterprise ledger: search, sort and page in SQL; detail and history; Excel export.

The table is ``views.ledger.ledger_frame`` — the same one the Excel export writes.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.ledger import detail, register, search, table, upkeep

ctx = context()
st.subheader(t("ledger.title", ctx.loc))
if show_flash():
    upkeep.note_as_of(ctx)
register.render(ctx)

query = search.render(ctx)
if query is None:
    st.stop()
enterprise_id = table.render(ctx, query)
if enterprise_id is None:
    st.stop()
if detail.render(ctx, enterprise_id):
    upkeep.render(ctx, enterprise_id)
