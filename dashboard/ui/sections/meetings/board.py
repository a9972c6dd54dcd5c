"""Tab 事项看板: the board per owner unit (table and chart), the items themselves (filtered by
owner, open only), and their Excel and CSV downloads — the same labelled tables as on screen."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.exports.cells import csv_bytes
from dashboard.i18n import t
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import show
from dashboard.views import meetings as V
from dashboard.views.status import DUE_SOON_DAYS


def render(ctx: Context) -> None:
    loc, url, scope, as_of = ctx.loc, ctx.url, ctx.scope, ctx.as_of
    st.markdown(f"**{t('meetings.board.title', loc)}**", help=t("meetings.board.help", loc, days=DUE_SOON_DAYS))
    board = data.item_board(url, scope, as_of)
    if board.empty:
        st.info(t("meetings.board.empty", loc))
        return
    per_owner = V.board_table(board, loc)
    left, right = st.columns([8, 5])  # 3:2 until the status labels (10 px wider than the words were)
    with left:
        # the owner's name capped, long headers (最长逾期（天）) cut and said in full on hover: it fits at 1440 px
        show(per_owner, key="mt_board_table", header_cap=72, caps={per_owner.frame.columns[0]: 130})
    with right:
        chart.show("meetings.board_bar", board, loc)

    f1, f2 = st.columns([3, 2], vertical_alignment="bottom")
    owner_names = dict(zip(board["owner_unit_id"], board["owner"], strict=True))
    owner = f1.selectbox(t("meetings.board.owner_filter", loc), [None, *owner_names], key="mt_owner",
                         format_func=lambda v: t("meetings.board.all_owners", loc) if v is None else owner_names[v])
    only_open = f2.toggle(t("meetings.board.only_open", loc), value=True, key="mt_only_open")
    listed = data.action_items(url, scope, as_of, owner_unit_id=owner, only_open=only_open)
    items = V.board_items_table(listed, loc)
    n_items = data.count_action_items(url, scope, as_of, owner_unit_id=owner, only_open=only_open)
    show(items, height=min(420, 38 + 35 * max(len(items), 1)), caps={t("col.item", loc): 170, t("meetings.col.meeting", loc): 150})
    caption = V.items_caption(n_items, len(items), as_of, loc)
    st.caption(caption)

    def workbook() -> bytes:
        from dashboard.exports.excel import workbook_bytes

        meta = V.workbook_meta(as_of=as_of, township_codes=ctx.township_codes, username=ctx.user.username,
                               exported=dt.datetime.now(), loc=loc, capped_note=caption if len(items) < n_items else None,
                               demo=data.dataset_info(url).get("dataset") in ("demo", "scale"))
        owners = V.with_total_row(per_owner.frame, loc, maximum=(t("meetings.board.max_days", loc),))
        return workbook_bytes([(t("meetings.board.title", loc), owners),
                               (t("meetings.xl.items", loc), V.board_items_export(listed, loc))],
                              meta=meta, title=t("meetings.xl.title", loc))

    x1, x2, _ = st.columns([2, 2, 4])
    x1.download_button(t("meetings.export.excel", loc), data=workbook, file_name=f"action_items_{as_of.isoformat()}.xlsx",
                       icon=":material/download:", key="mt_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
    x2.download_button(t("meetings.export.csv", loc), data=lambda: csv_bytes(items.frame),
                       file_name=f"action_items_{as_of.isoformat()}.csv", mime="text/csv", icon=":material/download:",
                       key="mt_csv", on_click="ignore")
