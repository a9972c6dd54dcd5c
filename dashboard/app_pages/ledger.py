"""企业台账 / enterprise ledger: search, sort and page in SQL; detail and history; Excel export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.ledger import SEARCH_MAX_LENGTH, SORT_COLUMNS, LedgerQuery
from dashboard.ui import data, exports
from dashboard.ui.widgets import escape_markdown
from models.enums import Pattern

filters = st.session_state["filters"]
user = st.session_state["user"]
loc, scope, as_of = filters.locale, filters.scope, filters.as_of
url = data.database_url()
PAGE_SIZES = (25, 50, 100, 200)

st.subheader(t("ledger.title", loc))
c1, c2, c3, c4 = st.columns([3, 3, 2, 1], vertical_alignment="bottom")
search = c1.text_input(t("ledger.search", loc), key="ledger_search", placeholder=t("ledger.search_hint", loc),
                       max_chars=SEARCH_MAX_LENGTH)
patterns = c2.multiselect(t("ledger.patterns", loc), [p.value for p in Pattern], key="ledger_patterns",
                          format_func=lambda v: t(f"pattern.{v}", loc), placeholder=t("ledger.all_patterns", loc))
sort = c3.selectbox(t("ledger.sort", loc), SORT_COLUMNS, key="ledger_sort", format_func=lambda c: t(f"ledger.col.{c}", loc))
descending = c4.toggle(t("ledger.desc", loc), key="ledger_desc")
page_size = st.session_state.get("ledger_page_size", 50)

try:
    query = LedgerQuery(search=search.strip(), patterns=tuple(patterns), sort=sort, descending=descending, page=1,
                        page_size=page_size)
except ValueError as exc:  # e.g. a search longer than allowed: say so, never a traceback
    st.warning(str(exc))
    st.stop()
first = data.ledger_page(url, scope, as_of, query)
pages = max(first.pages, 1)
current = min(st.session_state.get("ledger_page", 1), pages)
page = first if current == 1 else data.ledger_page(url, scope, as_of, LedgerQuery(**{**query.__dict__, "page": current}))

st.caption(t("ledger.total", loc, n=fmt_int(page.total), date=fmt_date(as_of, loc)))
if page.total == 0:
    st.info(t("ledger.empty", loc))
    st.stop()

rows = page.rows
view = pd.DataFrame({
    t("ledger.col.name", loc): rows["name"],
    t("ledger.col.uscc", loc): rows["uscc"],
    t("ledger.col.township", loc): rows["township"],
    t("ledger.col.employees", loc): rows["employees"],
    t("ledger.col.party_members", loc): rows["party_members"],
    t("ledger.col.union", loc): rows["union"].fillna("—"),
    t("ledger.col.party_org", loc): [
        org if isinstance(org, str) and org else (exports.liaison_label(lia, kind, loc) or "—")
        for org, lia, kind in zip(rows["party_org"], rows["liaison"], rows["liaison_kind"], strict=True)],
    t("ledger.col.pattern", loc): [t(f"pattern.{p}", loc) for p in rows["pattern"]],
})
# the selection belongs to this exact result: a new filter, sort or page starts without one
table_key = f"ledger_table_{abs(hash((query, current, scope, as_of))) % 10**12}"
picked = st.dataframe(view, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                      key=table_key)
p1, p2, p3 = st.columns([4, 2, 2], vertical_alignment="center")
with p1:
    st.pagination(pages, default=current, key="ledger_page")
p2.selectbox(t("ledger.page_size", loc), PAGE_SIZES, index=PAGE_SIZES.index(page_size), key="ledger_page_size")
with p3:
    too_many = page.total > exports.EXPORT_LIMIT
    st.download_button(
        t("ledger.export", loc), data=exports.ledger_excel_callable(url, scope, as_of, query, loc, user.username,
                                                                   filters.township_codes),
        file_name=f"enterprise_ledger_{as_of.isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        help=t("ledger.export_help", loc, limit=fmt_int(exports.EXPORT_LIMIT)), disabled=too_many,
    )
    if too_many:
        st.caption(t("ledger.export_too_many", loc, limit=fmt_int(exports.EXPORT_LIMIT)))

# ------------------------------------------------------------------ detail
selected = [i for i in ((picked or {}).get("selection", {}) or {}).get("rows", []) if 0 <= i < len(rows)]
if not selected:
    st.caption(t("ledger.pick_hint", loc))
    st.stop()
enterprise_id = int(rows.iloc[selected[0]]["enterprise_id"])
detail = data.enterprise_detail(url, scope, enterprise_id, as_of)
if detail is None:  # not in scope (or gone): show nothing of it
    st.warning(t("ledger.not_found", loc))
    st.stop()
st.markdown(f"#### {escape_markdown(detail.name)}")
facts = st.columns(4)
facts[0].metric(t("ledger.col.pattern", loc), t(f"pattern.{detail.pattern}", loc) if detail.pattern else "—")
facts[1].metric(t("ledger.col.employees", loc), fmt_int(detail.employees))
facts[2].metric(t("ledger.col.party_members", loc), fmt_int(detail.party_members))
facts[3].metric(t("ledger.col.township", loc), detail.township)
st.caption(f"{t('ledger.col.uscc', loc)}：{detail.uscc} · {t('ledger.col.registered_on', loc)}："
           f"{fmt_date(detail.registered_on, loc)}" + (f" · {t('ledger.closed', loc)}：{fmt_date(detail.closed_on, loc)}"
                                                      if detail.closed_on else ""))
history = detail.history
if history.empty:
    st.info(t("ledger.no_history", loc))
else:
    st.dataframe(
        pd.DataFrame({
            t("ledger.hist.date", loc): [str(d.year) if y else fmt_date(d, loc)
                                         for d, y in zip(history["date"], history["year_only"], strict=True)],
            t("ledger.hist.kind", loc): [t(f"hist.{k}", loc) for k in history["kind"]],
            t("ledger.hist.title", loc): history["title"].fillna(""),
            t("ledger.hist.detail", loc): history["detail"].fillna(""),
        }),
        hide_index=True, width="stretch",
    )
