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

import json
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.edits import EDITORS
from dashboard.ui.sections import Context
from dashboard.ui.widgets import PAD, text_px
from dashboard.ui.widgets import table as fitted
from dashboard.views.meetings import Table

#: the prefix of the field names a refused edit points at (``meetings.field.<field>``)
FIELD_PREFIX = "meetings.field"


def can_edit(ctx: Context) -> bool:
    """Staff and township accounts record and update; a leader reads."""
    return ctx.user.can(*EDITORS)


#: a status word on its label: the cell's padding and the label's own, both sides (px; 8 + 6 each side in the table)
LABEL_PAD = PAD + 10


def tagged(table: Table) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A table of the views as a plain frame and the ``column_config`` that draws its status column's
    words on their colours (``Table.fills``: a read-only ``MultiselectColumn`` holding one label per
    cell) — not a pandas Styler, whose every cell is rendered in Python and sent with its CSS on every
    run (issue 22: the boards' warm runs at 1M). The cells keep the words; a word with an ASCII comma
    (English: "Sent, awaiting reply") is sent as a one-word JSON list, which the table would otherwise
    split into two labels; a missing text reads "—". The column is as wide as its longest word on its
    label (a label is cut, not shortened with "…"), or its header. No status column: the frame as it
    is and no config."""
    fills = table.fills()
    if not fills:
        return table.frame, {}
    frame = table.frame
    missing = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]) and frame[c].isna().any()]  # "—"
    if missing or any("," in word for word in fills):
        frame = frame.copy()
        for col in missing:
            frame[col] = frame[col].fillna("—")
        frame[table.status] = [json.dumps([w], ensure_ascii=False) if "," in w else w for w in frame[table.status]]
    width = max(max(text_px(w) for w in fills) + LABEL_PAD, text_px(table.status) + PAD + 8)
    return frame, {table.status: st.column_config.MultiselectColumn(options=list(fills), color=list(fills.values()),
                                                                    width=width)}


def show(table: Table, *, column_config: dict | None = None, **kwargs: Any) -> Any:
    """A labelled table of the views, its status column coloured and always in words (:func:`tagged`);
    its columns fit the page (``widgets.table``)."""
    frame, config = tagged(table)
    return fitted(frame, column_config={**config, **(column_config or {})}, **kwargs)
