"""The ledger's controls: search, patterns, sort column and direction → a :class:`LedgerQuery`."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.ledger import SEARCH_MAX_LENGTH, SORT_COLUMNS, LedgerQuery
from dashboard.ui.sections import Context
from dashboard.views.ledger import sort_label
from models.enums import Pattern

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def render(ctx: Context) -> LedgerQuery | None:
    """Draw the controls; the query of page 1 (None, with a warning, when the input is refused)."""
    loc = ctx.loc
    c1, c2, c3, c4 = st.columns([3, 3, 2, 1], vertical_alignment="bottom")
    search = c1.text_input(t("ledger.search", loc), key="ledger_search", placeholder=t("ledger.search_hint", loc),
                           max_chars=SEARCH_MAX_LENGTH)
    patterns = c2.multiselect(t("ledger.patterns", loc), [p.value for p in Pattern], key="ledger_patterns",
                              format_func=lambda v: t(f"pattern.{v}", loc), placeholder=t("ledger.all_patterns", loc))
    sort = c3.selectbox(t("ledger.sort", loc), SORT_COLUMNS, key="ledger_sort", format_func=lambda c: sort_label(c, loc))
    descending = c4.toggle(t("ledger.desc", loc), key="ledger_desc")
    try:
        return LedgerQuery(search=search.strip(), patterns=tuple(patterns), sort=sort, descending=descending, page=1,
                           page_size=st.session_state.get("ledger_page_size", DEFAULT_PAGE_SIZE))
    except ValueError as exc:  # e.g. a search longer than allowed: say so, never a traceback
        st.warning(str(exc))
        return None
