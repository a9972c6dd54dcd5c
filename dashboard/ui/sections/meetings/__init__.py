"""The sections of the joint-meetings page (``app_pages/meetings.py``).

``header`` (title, brief downloads, the last edit's message), ``glance`` (the four cards); tab
会议: ``timeline`` (filters, timeline, meeting picker), ``detail`` (the meeting's card),
``item_form`` (add an action item), ``record_form`` (record a meeting); tab 事项看板: ``since``
(since the last district meeting), ``board`` (per owner unit, the items, exports),
``status_form``; tab 机制覆盖: ``mechanism``; tab 协调通报: ``notices``, ``notice_form``.

Tables come from ``dashboard.views.meetings`` (labelled, with their status colours); writes go
through ``dashboard.ui.edit.run_edit``.
"""

from __future__ import annotations

from typing import Any

from dashboard.edits import EDITORS
from dashboard.ui.sections import Context
from dashboard.ui.widgets import table as fitted
from dashboard.views.meetings import Table

#: the prefix of the field names a refused edit points at (``meetings.field.<field>``)
FIELD_PREFIX = "meetings.field"


def can_edit(ctx: Context) -> bool:
    """Staff and township accounts record and update; a leader reads."""
    return ctx.user.can(*EDITORS)


def show(table: Table, **kwargs: Any) -> Any:
    """A labelled table of the views, its status column coloured and always in words; its columns
    fit the page (``widgets.table``)."""
    return fitted(table.styled(), **kwargs)
