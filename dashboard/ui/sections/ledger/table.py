"""The ledger table (one page, searched, sorted and paged in SQL), its pager and the Excel export."""

from __future__ import annotations

import dataclasses

import streamlit as st

from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.ledger import LedgerQuery
from dashboard.ui import data, exports
from dashboard.ui.sections import Context
from dashboard.ui.sections.ledger.search import PAGE_SIZES
from dashboard.ui.widgets import table as fitted
from dashboard.views.ledger import TABLE_DATE_FORMAT, ledger_frame


def render(ctx: Context, query: LedgerQuery) -> int | None:
    """Draw the page of the ledger the user is on; the id of the enterprise picked in it, if any."""
    loc, url, scope, as_of = ctx.loc, ctx.url, ctx.register, ctx.as_of
    first = data.ledger_page(url, scope, as_of, query)
    pages = max(first.pages, 1)
    current = min(st.session_state.get("ledger_page", 1), pages)
    page = first if current == 1 else data.ledger_page(url, scope, as_of, dataclasses.replace(query, page=current))

    total = t("ledger.total", loc, n=fmt_int(page.total), date=fmt_date(as_of, loc))
    if ctx.scope.base != scope.base:  # the ledger is a register: every operating enterprise, whatever the base
        total += " " + t("ledger.register_note", loc, base=t(f"base.{ctx.scope.base.value}", loc))
    st.caption(total)
    if page.total == 0:
        st.info(t("ledger.empty", loc))
        return None

    rows = page.rows
    view = ledger_frame(rows, loc)
    # the name stays in view while the other columns scroll; dates in the locale's words
    config = {t("ledger.col.name", loc): st.column_config.TextColumn(pinned=True),
              t("ledger.col.registered_on", loc): st.column_config.DateColumn(format=TABLE_DATE_FORMAT[loc])}
    # the selection belongs to this exact result: a new filter, sort or page starts without one
    table_key = f"ledger_table_{abs(hash((query, current, scope, as_of))) % 10**12}"
    # the columns a reader scans first, next to the name; the long names and the code after them
    first = [t(f"ledger.col.{c}", loc) for c in ("name", "township", "pattern", "employees", "party_members",
                                                  "union_how", "party_how")]
    order = [*(c for c in first if c in view.columns), *(c for c in view.columns if c not in first)]
    picked = fitted(view, on_select="rerun", selection_mode="single-row", key=table_key, column_config=config,
                    column_order=order, cap=200)
    p1, p2, p3 = st.columns([4, 2, 2], vertical_alignment="center")
    with p1:
        st.pagination(pages, default=current, key="ledger_page")
    p2.selectbox(t("ledger.page_size", loc), PAGE_SIZES, index=PAGE_SIZES.index(query.page_size), key="ledger_page_size")
    with p3:
        _export_button(ctx, query, too_many=page.total > exports.EXPORT_LIMIT)

    selected = [i for i in ((picked or {}).get("selection", {}) or {}).get("rows", []) if 0 <= i < len(rows)]
    if not selected:
        st.caption(t("ledger.pick_hint", loc))
        return None
    return int(rows.iloc[selected[0]]["enterprise_id"])


def _export_button(ctx: Context, query: LedgerQuery, *, too_many: bool) -> None:
    loc, limit = ctx.loc, fmt_int(exports.EXPORT_LIMIT)
    st.download_button(
        t("ledger.export", loc),
        data=exports.ledger_excel_callable(ctx.url, ctx.register, ctx.as_of, query, loc, ctx.user.username,
                                           ctx.township_codes),
        file_name=f"enterprise_ledger_{ctx.as_of.isoformat()}.xlsx", mime=exports.XLSX_MIME,
        icon=":material/download:", help=t("ledger.export_help", loc, limit=limit), disabled=too_many, on_click="ignore")
    if too_many:
        st.caption(t("ledger.export_too_many", loc, limit=limit))
