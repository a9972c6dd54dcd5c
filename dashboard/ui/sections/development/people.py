"""The people recommended by the date: filters, the list (names as this user may see them — masked by
the query), and for a user who sees masked names (a leader) one record opened explicitly, audited
(``edits.development.open_record`` through ``ui.edit.run_edit``)."""

from __future__ import annotations

import streamlit as st

from dashboard.edits import development as edits
from dashboard.i18n import t
from dashboard.queries.development import STEPS, PeopleFilter, S
from dashboard.ui import data
from dashboard.ui.edit import pick_row, run_edit
from dashboard.ui.sections import Context
from dashboard.ui.sections.development.board import names
from dashboard.ui.widgets import escape_markdown
from dashboard.views import development as V

LIMIT = 200
OPENED = "_development_opened"


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('development.tab.people', loc)}**")
    stages = {s.value: V.stage_label(s, loc) for s in (*STEPS, S.WITHDRAWN)}
    only = {"stuck": t("development.filter.only.stuck", loc), "open": t("development.filter.only.open", loc)}
    all_ = t("development.filter.all", loc)
    c1, c2, c3 = st.columns([1, 1, 2])
    stage = c1.selectbox(t("development.filter.stage", loc), [None, *stages], format_func=lambda k: stages.get(k, all_),
                         key="development_stage")
    which = c2.selectbox(t("development.filter.only", loc), [None, *only], format_func=lambda k: only.get(k, all_),
                         key="development_only")
    search = c3.text_input(t("development.filter.search", loc), max_chars=60, key="development_search")
    flt = PeopleFilter(stage=stage, only=which, search=search)
    total = data.development_count(ctx.url, ctx.scope, ctx.as_of, flt)
    if total == 0:
        st.caption(t("development.list.empty", loc))
        return
    rows = data.development_people(ctx.url, ctx.scope, ctx.as_of, flt, names=names(ctx), limit=LIMIT)
    st.caption(t("development.list.count", loc, n=f"{total:,}", shown=len(rows)))
    st.dataframe(V.people_table(rows, loc), hide_index=True, width="stretch", key="development_people")
    if rows["person_name"].isna().any():
        _open(ctx, rows)


def _open(ctx: Context, rows) -> None:
    """One record by name, for a user whose list hides names: the click is an audited read. The record
    opened last shows under the expander (which a rerun may close) until another one is opened."""
    loc = ctx.loc
    record = st.session_state.get(OPENED)
    with st.expander(t("development.open", loc), icon=":material/lock_open:", expanded=record is not None):
        picked = pick_row(t("development.open.pick", loc),
                          {int(r["id"]): V.pick_label(r, loc) for _, r in rows.iterrows()}, key="development_open_pick")
        if st.button(t("development.open.button", loc), key="development_open_button"):
            holder: dict = {}

            def opened(*, session, actor, record_id):
                result = edits.open_record(session=session, actor=actor, record_id=record_id)
                holder["record"] = result.record
                return result

            run_edit(opened, loc=loc, saved=t("development.open.audited", loc), field_prefix="development.field",
                     then=lambda: st.session_state.__setitem__(OPENED, holder["record"]), record_id=picked.id)
    if record:
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(t('development.record', loc, id=record['id'], name=record['person_name']))}**")
            for label, value in V.record_lines(record, loc):
                st.text(f"{label}：{value}" if label else value)
