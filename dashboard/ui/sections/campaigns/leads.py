"""建会线索: the founding-lead pipeline tab of the campaigns page — headline figures, the funnel, the
breakdowns by measure and township, the filtered list with its Excel export, and (staff, township
accounts, admins) the forms that record, advance and link leads, each through ``ui.edit.run_edit``
with the lead's version (``dashboard.edits.leads``)."""

from __future__ import annotations

import streamlit as st

from dashboard.edits import EDITORS
from dashboard.edits import leads as edits
from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.leads import LeadFilter
from dashboard.ui import chart, data, exports
from dashboard.ui.brief import scope_label
from dashboard.ui.edit import actor, pick_row, refuse_gone, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views import leads as V

PREFIX = "leads.field"
LIST_LIMIT = 200


def render(ctx: Context) -> None:
    loc, idle_days = ctx.loc, data.lead_idle_days()
    st.markdown(f"#### {t('leads.title', loc)}")
    st.caption(t("leads.intro", loc, date=fmt_date(ctx.as_of, loc)))
    pipe = data.lead_pipeline(ctx.url, ctx.scope, ctx.as_of, idle_days)
    funnel = pipe.funnel
    if int(funnel["reached"].iloc[0]) == 0 and int(funnel["reached"].iloc[-1]) == 0:
        st.info(t("leads.none", loc))
        _manage(ctx, None)
        return
    figures = V.headline_figures(funnel, pipe.overall, pipe.overdue, pipe.idle, idle_days, loc)
    for col, fig in zip(st.columns(5), figures, strict=True):
        col.metric(fig.label, fig.value, help=fig.help, border=True)
    left, right = st.columns([5, 6])
    with left:
        st.markdown(f"**{t('leads.funnel', loc)}**", help=t("leads.funnel.help", loc))
        chart.show("campaigns.lead_funnel", V.funnel_frame(funnel, loc), loc, png="lead_funnel", png_width=700)
    with right:
        st.markdown(f"**{t('leads.by_source', loc)}**", help=t("leads.kpi.conversion.help", loc))
        st.dataframe(V.breakdown_table(pipe.by_source, "source", loc, pipe.overall), hide_index=True, width="stretch")
    st.markdown(f"**{t('leads.by_township', loc)}**", help=t("leads.kpi.median.help", loc))
    towns = V.breakdown_table(pipe.by_township, "township", loc, pipe.overall)
    st.dataframe(towns, hide_index=True, width="stretch", height=min(35 * (len(towns) + 1) + 3, 600))
    rows = _list(ctx, idle_days, pipe)
    _manage(ctx, rows)


def _list(ctx: Context, idle_days: int, pipe):
    loc = ctx.loc
    st.markdown(f"**{t('leads.list', loc)}**")
    sources, stages = V.source_options(loc), V.stage_options(loc)
    only = {"overdue": t("leads.filter.only.overdue", loc), "idle": t("leads.filter.only.idle", loc)}
    all_ = t("leads.filter.all", loc)
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
    source = c1.selectbox(t("leads.filter.source", loc), [None, *sources], format_func=lambda k: sources.get(k, all_),
                          key="leads_source")
    stage = c2.selectbox(t("leads.filter.stage", loc), [None, *stages], format_func=lambda k: stages.get(k, all_),
                         key="leads_stage")
    which = c3.selectbox(t("leads.filter.only", loc), [None, *only], format_func=lambda k: only.get(k, all_),
                         key="leads_only")
    search = st.text_input(t("leads.filter.search", loc), key="leads_search", max_chars=60,
                           placeholder=t("leads.filter.search_hint", loc))
    flt = LeadFilter(source=source, stage=stage, only=which, search=search)
    # the pipeline counted these already for the filters it knows (no source, no stage)
    known = {None: int(pipe.overall["leads"].sum()), "overdue": pipe.overdue, "idle": pipe.idle}
    total = (known[which] if source is None and stage is None and not flt.search else
             data.count_leads(ctx.url, ctx.scope, ctx.as_of, flt, idle_days=idle_days))
    with c4:
        st.download_button(t("leads.export", loc), icon=":material/download:", mime=exports.XLSX_MIME,
                           data=exports.leads_excel_callable(ctx.url, ctx.scope, ctx.as_of, flt, idle_days, loc,
                                                             scope_label(ctx.filters, loc)),
                           file_name=f"founding_leads_{ctx.as_of.isoformat()}.xlsx", disabled=total == 0,
                           key="leads_export", on_click="ignore")
    if total == 0:
        st.caption(t("leads.list.empty", loc))
        return None
    rows = data.lead_list(ctx.url, ctx.scope, ctx.as_of, flt, idle_days=idle_days, limit=LIST_LIMIT)
    st.caption(t("leads.list.count", loc, n=fmt_int(total), shown=fmt_int(len(rows))) if total > len(rows)
               else t("leads.list.count_all", loc, n=fmt_int(total)))
    st.dataframe(V.list_table(rows, ctx.as_of, idle_days, loc).styled(), hide_index=True, width="stretch")
    return rows


# --------------------------------------------------------------------------- forms


def _manage(ctx: Context, rows) -> None:
    if actor().role not in EDITORS:
        return
    loc = ctx.loc
    with st.expander(t("leads.manage", loc), icon=":material/edit_note:"):
        # a control with a key, not tabs: the form chosen stays chosen across the runs its pickers cause
        modes = {"new": t("leads.manage.new", loc), "advance": t("leads.manage.advance", loc),
                 "link": t("leads.manage.link", loc)}
        mode = st.segmented_control(t("leads.manage.mode", loc), list(modes), format_func=modes.get, default="new", required=True,
                                    key="lead_form_mode", label_visibility="collapsed") or "new"
        open_rows = None if rows is None else rows[~rows["stage"].isin(["founded", "dropped"])]
        if mode == "new":
            _new_form(ctx)
        elif mode == "advance":
            if open_rows is None or open_rows.empty:
                st.caption(t("leads.list.empty", loc))
            else:
                _advance_form(ctx, open_rows)
        else:
            projects = None if open_rows is None else open_rows[open_rows["enterprise_id"].isna()]
            if projects is None or projects.empty:
                st.caption(t("leads.list.empty", loc))
            else:
                _link_form(ctx, projects)


def _labels(rows, loc: str) -> dict[int, str]:
    return {int(r["id"]): f"{r['enterprise_name']}（{r['township']} · {V.stage_text(r['stage'], loc)}）"
            for _, r in rows.iterrows()}


def _enterprise_pick(ctx: Context, key: str) -> int | None:
    loc = ctx.loc
    text = st.text_input(t("leads.manage.search", loc), key=f"{key}_search")
    if not text.strip():
        return None
    found = data.lead_candidates(ctx.url, ctx.scope, ctx.as_of, text)
    if found.empty:
        st.caption(t("leads.manage.search_none", loc))
        return None
    names = {int(r["enterprise_id"]): f"{r['name']}（{r['township']}）" for _, r in found.iterrows()}
    return st.selectbox(t("leads.field.enterprise", loc), list(names), format_func=names.get, key=f"{key}_ent")


def _new_form(ctx: Context) -> None:
    loc = ctx.loc
    kinds = {"enterprise": t("leads.manage.kind.enterprise", loc), "project": t("leads.manage.kind.project", loc)}
    kind = st.radio(t("leads.manage.kind", loc), list(kinds), format_func=kinds.get, horizontal=True, key="lead_new_kind")
    enterprise = _enterprise_pick(ctx, "lead_new") if kind == "enterprise" else None
    towns = data.townships(ctx.url)
    mine = towns if ctx.user.scope.township_ids is None else towns[towns["id"].isin(ctx.user.scope.township_ids)]
    town_names = dict(zip(mine["id"].astype(int), mine["name"], strict=True))
    with st.form("lead_new_form"):
        name = township = None
        if kind == "project":
            c1, c2 = st.columns(2)
            name = c1.text_input(t(f"{PREFIX}.enterprise_name", loc), max_chars=edits.MAX_NAME, key="lead_new_name")
            township = c2.selectbox(t(f"{PREFIX}.township", loc), list(town_names), format_func=town_names.get,
                                    key="lead_new_town")
        sources = V.source_options(loc)
        c3, c4 = st.columns(2)
        source = c3.selectbox(t(f"{PREFIX}.source", loc), list(sources), format_func=sources.get, key="lead_new_source")
        day = c4.date_input(t(f"{PREFIX}.identified_on", loc), value=today_in_district(), max_value=today_in_district(),
                            format="YYYY-MM-DD", key="lead_new_day")
        owner = st.text_input(t(f"{PREFIX}.owner_name", loc), max_chars=edits.MAX_PERSON, key="lead_new_owner")
        note = st.text_input(t(f"{PREFIX}.note", loc), max_chars=edits.MAX_NOTE, key="lead_new_note")
        if st.form_submit_button(t("leads.manage.save", loc), type="primary", key="lead_new_submit"):
            if kind == "enterprise" and enterprise is None:
                st.error(t("edit.failed", loc, reason=t("edit.field", loc, field=t(f"{PREFIX}.enterprise", loc),
                                                          reason=t("leads.err.required", loc))))
                return
            run_edit(edits.create_lead, loc=loc, field_prefix=PREFIX, saved=t("leads.saved", loc), source=source,
                     identified_on=day, township=township, enterprise_id=enterprise, enterprise_name=name,
                     owner_name=owner, note=note)


def _advance_form(ctx: Context, rows) -> None:
    loc = ctx.loc
    picked = pick_row(t("leads.manage.pick", loc), _labels(rows, loc), key="lead_adv_pick",
                      versions=dict(zip(rows["id"].astype(int), rows["version"].astype(int), strict=True)))
    found = rows[rows["id"] == picked.id]
    if found.empty:
        return
    row = found.iloc[0]
    detail = data.lead_detail(ctx.url, ctx.scope, int(row["id"]))
    if detail is not None:
        st.caption(t("leads.manage.history", loc) + "：" + escape_markdown(" → ".join(
            f"{V.stage_text(s['stage'], loc)} {fmt_date(s['start_on'], loc)}" for s in detail["stages"])))
    stages = V.stage_options(loc)
    choices = V.next_stages(row["stage"])
    new = st.selectbox(t(f"{PREFIX}.stage", loc), choices, format_func=stages.get, key=f"lead_adv_stage_{picked.id}")
    with st.form(f"lead_adv_form_{picked.id}"):
        day = st.date_input(t(f"{PREFIX}.on", loc), value=today_in_district(), max_value=today_in_district(),
                            format="YYYY-MM-DD", key=f"lead_adv_day_{picked.id}")
        fields = {}
        if new == "notice_sent":
            fields["notice_deadline"] = st.date_input(t(f"{PREFIX}.notice_deadline", loc), value=None,
                                                      format="YYYY-MM-DD", key=f"lead_adv_deadline_{picked.id}")
        elif new == "dropped":
            fields["drop_reason"] = st.text_input(t(f"{PREFIX}.drop_reason", loc), max_chars=edits.MAX_NOTE,
                                                  key=f"lead_adv_reason_{picked.id}")
        elif new == "founded":
            st.caption(t("leads.manage.founded_note", loc))
            c1, c2 = st.columns([3, 1])
            fields["union_name"] = c1.text_input(t(f"{PREFIX}.union_name", loc), value=f"{row['enterprise_name']}工会委员会",
                                                 max_chars=edits.MAX_NAME, key=f"lead_adv_union_{picked.id}")
            fields["members"] = c2.number_input(t(f"{PREFIX}.members", loc), min_value=0, step=1, value=0,
                                                key=f"lead_adv_members_{picked.id}")
        if st.form_submit_button(t("leads.manage.save", loc), type="primary", key=f"lead_adv_submit_{picked.id}"):
            if picked.gone:
                refuse_gone(loc)
            else:
                run_edit(edits.change_stage, loc=loc, field_prefix=PREFIX, saved=t("leads.saved", loc),
                         lead_id=picked.id, version=picked.version, stage=new, on=day, **fields)


def _link_form(ctx: Context, rows) -> None:
    loc = ctx.loc
    picked = pick_row(t("leads.manage.pick", loc), _labels(rows, loc), key="lead_link_pick",
                      versions=dict(zip(rows["id"].astype(int), rows["version"].astype(int), strict=True)))
    enterprise = _enterprise_pick(ctx, "lead_link")
    if st.button(t("leads.manage.save", loc), type="primary", key="lead_link_submit", disabled=enterprise is None):
        if picked.gone:
            refuse_gone(loc)
        else:
            run_edit(edits.link_enterprise, loc=loc, field_prefix=PREFIX, saved=t("leads.saved", loc),
                     lead_id=picked.id, version=picked.version, enterprise_id=enterprise)
