"""数据导入 / the ledger import (/import): the template and the current ledger as files, upload and
check (every problem at once, or the diff and the KPIs before → after), the commit, and the import
batches with undo of the newest. Administrators and staff import anything, a township account the
rows of its own townships (the edit enforces it); leaders have no such page.

A composition of ``dashboard.ui.sections.imports``; the import itself is
``dashboard.edits.ledger_import`` (one transaction, all or nothing, journaled for undo).
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.ui.auth import require_role
from dashboard.ui.edit import show_flash
from dashboard.ui.sections import context
from dashboard.ui.sections.imports import IMPORTERS, batches, template, upload

ctx = context()
require_role(ctx.user, *IMPORTERS, locale=ctx.loc)  # also when the page is opened by its URL

st.subheader(t("import.title", ctx.loc))
st.caption(t("import.intro", ctx.loc))
show_flash()
template.render(ctx)
st.divider()
upload.render(ctx)
st.divider()
batches.render(ctx)
