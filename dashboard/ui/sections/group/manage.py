"""维护领导小组: staff and administrators appoint members, end memberships and record documents,
each through ``ui.edit.run_edit`` (``dashboard.edits.group``)."""

from __future__ import annotations

import streamlit as st

from dashboard.edits import group as edits
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import actor, pick_row, refuse_gone, run_edit, today_in_district
from dashboard.ui.sections import Context

PREFIX = "group.field"


def render(ctx: Context) -> None:
    if actor().role not in edits.EDITORS:
        return
    loc = ctx.loc
    with st.expander(t("group.manage", loc), icon=":material/edit:"):
        modes = {"appoint": t("group.manage.appoint", loc), "end": t("group.manage.end", loc),
                 "document": t("group.manage.document", loc)}
        mode = st.segmented_control(t("group.manage", loc), list(modes), format_func=modes.get, default="appoint",
                                    required=True, key="group_form_mode", label_visibility="collapsed")
        if mode == "appoint":
            _appoint(ctx)
        elif mode == "end":
            _end(ctx)
        else:
            _document(ctx)


def _appoint(ctx: Context) -> None:
    loc = ctx.loc
    units = data.units(ctx.url)
    names = dict(zip(units["id"].astype(int), units["name"], strict=True))
    roles = {r: t(f"group.role.{r}", loc) for r in ("leader", "deputy", "member")}
    with st.form("group_appoint"):
        c1, c2, c3 = st.columns([2, 3, 2])
        name = c1.text_input(t(f"{PREFIX}.name", loc), max_chars=edits.MAX_NAME, key="group_appoint_name")
        position = c2.text_input(t(f"{PREFIX}.position", loc), max_chars=edits.MAX_POSITION, key="group_appoint_position")
        role = c3.selectbox(t(f"{PREFIX}.role", loc), list(roles), index=2, format_func=roles.get, key="group_appoint_role")
        c4, c5, c6 = st.columns([3, 2, 1])
        unit = c4.selectbox(t(f"{PREFIX}.unit", loc), [None, *names], format_func=lambda u: names.get(u, "—"),
                            key="group_appoint_unit")
        since = c5.date_input(t(f"{PREFIX}.from_on", loc), value=today_in_district(), max_value=today_in_district(),
                              format="YYYY-MM-DD", key="group_appoint_from")
        order = c6.number_input(t(f"{PREFIX}.sort_order", loc), min_value=0, step=1, value=0, key="group_appoint_order")
        if st.form_submit_button(t("group.manage.save", loc), type="primary", key="group_appoint_submit"):
            run_edit(edits.appoint_member, loc=loc, field_prefix=PREFIX, saved=t("group.saved", loc), name=name,
                     position=position, role=role, unit_id=unit, from_on=since, sort_order=order)


def _end(ctx: Context) -> None:
    loc = ctx.loc
    rows = data.group_members(ctx.url, ctx.as_of)
    if rows.empty:
        st.caption(t("group.members.none", loc))
        return
    picked = pick_row(t("group.manage.pick", loc),
                      {int(r["id"]): f"{r['name']}（{r['position']}）" for _, r in rows.iterrows()},
                      key="group_end_pick", versions=dict(zip(rows["id"].astype(int), rows["version"].astype(int),
                                                              strict=True)))
    with st.form("group_end"):
        day = st.date_input(t(f"{PREFIX}.to_on", loc), value=today_in_district(), max_value=today_in_district(),
                            format="YYYY-MM-DD", key="group_end_day")
        if st.form_submit_button(t("group.manage.save", loc), type="primary", key="group_end_submit"):
            if picked.gone:
                refuse_gone(loc)
            else:
                run_edit(edits.end_member, loc=loc, field_prefix=PREFIX, saved=t("group.saved", loc),
                         member_id=picked.id, version=picked.version, to_on=day)


def _document(ctx: Context) -> None:
    loc = ctx.loc
    with st.form("group_document"):
        title = st.text_input(t(f"{PREFIX}.title", loc), max_chars=edits.MAX_TITLE, key="group_doc_title")
        c1, c2, c3 = st.columns([2, 3, 2])
        doc_no = c1.text_input(t(f"{PREFIX}.doc_no", loc), max_chars=edits.MAX_DOC_NO, key="group_doc_no")
        issuer = c2.text_input(t(f"{PREFIX}.issuer", loc), max_chars=edits.MAX_ISSUER, key="group_doc_issuer")
        issued = c3.date_input(t(f"{PREFIX}.issued_on", loc), value=today_in_district(), max_value=today_in_district(),
                               format="YYYY-MM-DD", key="group_doc_day")
        summary = st.text_area(t(f"{PREFIX}.summary", loc), max_chars=edits.MAX_SUMMARY, key="group_doc_summary")
        if st.form_submit_button(t("group.manage.save", loc), type="primary", key="group_doc_submit"):
            run_edit(edits.add_document, loc=loc, field_prefix=PREFIX, saved=t("group.saved", loc), title=title,
                     doc_no=doc_no, issuer=issuer, issued_on=issued, summary=summary)
