"""The sections of 数据导入 (``app_pages/imports.py``): the template and the export (``template``),
upload, check and commit (``upload``, drawn by ``outcome``), and the import batches with undo
(``batches``). The rules — what is checked, what may be imported or undone by whom — live in
``dashboard.edits.ledger_import``; these sections only ask and show.
"""

from __future__ import annotations

from dashboard.ui import data
from dashboard.ui.sections import Context
from models.enums import Role

#: who may open the page (a township account imports rows of its own townships only: the edit checks)
IMPORTERS = (Role.ADMIN, Role.STAFF, Role.TOWNSHIP)
#: who may undo a batch
UNDOERS = (Role.ADMIN, Role.STAFF)


def own_townships(ctx: Context) -> list[str]:
    """The names of the townships of a township account (its own scope, not the sidebar filter)."""
    ids = ctx.user.scope.township_ids
    if ids is None:
        return []
    towns = data.townships(ctx.url)
    return list(towns.loc[towns["id"].isin(list(ids)), "name"])
