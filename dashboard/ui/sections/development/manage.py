"""登记与维护: staff, township accounts and administrators record a union's recommendation, move a
person to the next stage, record the worker representatives' evaluation, a withdrawal and the yearly
new Party members — each through ``ui.edit.run_edit`` (``dashboard.edits.development``)."""

from __future__ import annotations

import streamlit as st

from dashboard.edits import EDITORS
from dashboard.edits import development as edits
from dashboard.i18n import t
from dashboard.queries.development import RANK, STEPS, PeopleFilter, S
from dashboard.ui import data
from dashboard.ui.edit import actor, pick_row, refuse_gone, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.sections.development.board import names
from dashboard.views import development as V

PREFIX = "development.field"
PICK_LIMIT = 500


def render(ctx: Context) -> None:
    if actor().role not in EDITORS:
        return
    loc = ctx.loc
    with st.expander(t("development.manage", loc), icon=":material/edit:"):
        modes = {m: t(f"development.manage.{m}", loc) for m in ("recommend", "advance", "evaluate", "withdraw",
                                                                 "admissions")}
        mode = st.segmented_control(t("development.manage", loc), list(modes), format_func=modes.get,
                                    default="recommend", required=True, key="development_form_mode",
                                    label_visibility="collapsed")
        if mode == "recommend":
            _recommend(ctx)
        elif mode == "admissions":
            _admissions(ctx)
        else:
            _person_form(ctx, mode)


def _enterprise(ctx: Context, key: str) -> int | None:
    """An operating enterprise with a union today, in the user's scope, found by name or USCC."""
    loc = ctx.loc
    text = st.text_input(t("development.manage.search", loc), max_chars=60, key=f"{key}_search")
    if not text.strip():
        return None
    found = data.development_candidates(ctx.url, ctx.scope, today_in_district(), text)
    if found.empty:
        st.caption(t("development.manage.no_match", loc))
        return None
    labels = {int(r.enterprise_id): f"{r.name}（{r.township}）" for r in found.itertuples()}
    return st.selectbox(t(f"{PREFIX}.enterprise", loc), list(labels), format_func=labels.get, key=f"{key}_enterprise")


def _recommend(ctx: Context) -> None:
    loc = ctx.loc
    ent = _enterprise(ctx, "development_rec")
    with st.form("development_recommend"):
        c1, c2 = st.columns(2)
        name = c1.text_input(t(f"{PREFIX}.person_name", loc), max_chars=edits.MAX_NAME, key="development_rec_name")
        day = c2.date_input(t(f"{PREFIX}.recommended_on", loc), value=today_in_district(),
                            max_value=today_in_district(), format="YYYY-MM-DD", key="development_rec_day")
        if st.form_submit_button(t("development.manage.save", loc), type="primary", key="development_rec_submit"):
            run_edit(edits.recommend, loc=loc, field_prefix=PREFIX, saved=t("development.saved", loc),
                     enterprise_id=ent, person_name=name, recommended_on=day)


def _person_form(ctx: Context, mode: str) -> None:
    """Next stage, evaluation or withdrawal of one person on the path today."""
    loc = ctx.loc
    search = st.text_input(t("development.filter.search", loc), max_chars=60, key=f"development_{mode}_search")
    flt = PeopleFilter(stage=S.CANDIDATE if mode == "evaluate" else None, only=None if mode == "evaluate" else "open",
                       search=search)
    rows = data.development_people(ctx.url, ctx.scope, today_in_district(), flt, names=names(ctx), limit=PICK_LIMIT)
    if rows.empty:
        st.caption(t("development.manage.none_candidate" if mode == "evaluate" else "development.manage.none", loc))
        return
    picked = pick_row(t("development.manage.pick", loc), {int(r["id"]): V.pick_label(r, loc) for _, r in rows.iterrows()},
                      key=f"development_{mode}_pick",
                      versions=dict(zip(rows["id"].astype(int), rows["version"].astype(int), strict=True)))
    stage = rows.loc[rows["id"] == picked.id, "stage"]
    with st.form(f"development_{mode}"):
        fields: dict = {}
        if mode == "advance" and len(stage):
            current = S(stage.iloc[0])
            nxt = STEPS[RANK[current] + 1] if current in RANK and RANK[current] + 1 < len(STEPS) else None
            if nxt is not None:
                st.caption(t("development.manage.next", loc, stage=V.stage_label(nxt, loc)))
                fields["stage"] = nxt.value
        on = st.date_input(t(f"{PREFIX}.on", loc), value=today_in_district(), max_value=today_in_district(),
                           format="YYYY-MM-DD", key=f"development_{mode}_day")
        if mode == "evaluate":
            results = {"passed": t("development.evaluation.passed", loc), "failed": t("development.evaluation.failed", loc)}
            fields["result"] = st.radio(t(f"{PREFIX}.result", loc), list(results), format_func=results.get,
                                        horizontal=True, key="development_evaluate_result")
        if mode == "withdraw":
            fields["reason"] = st.text_input(t(f"{PREFIX}.reason", loc), max_chars=edits.MAX_REASON,
                                             key="development_withdraw_reason")
        if st.form_submit_button(t("development.manage.save", loc), type="primary", key=f"development_{mode}_submit"):
            if picked.gone:
                refuse_gone(loc)
            else:
                fn = {"advance": edits.advance, "evaluate": edits.evaluate, "withdraw": edits.withdraw}[mode]
                run_edit(fn, loc=loc, field_prefix=PREFIX, saved=t("development.saved", loc), record_id=picked.id,
                         version=picked.version, on=on, **fields)


def _admissions(ctx: Context) -> None:
    loc = ctx.loc
    ent = _enterprise(ctx, "development_adm")
    if ent is None:
        return
    recorded = data.development_admissions(ctx.url, ctx.scope, ent)
    versions = dict(zip(recorded["year"].astype(int), recorded["version"].astype(int), strict=True))
    st.caption(t("development.manage.admissions.current", loc,
                 rows="；".join(f"{int(r.year)}: {int(r.admitted)}" for r in recorded.head(8).itertuples()))
               if len(recorded) else t("development.manage.admissions.none", loc))
    with st.form("development_admissions"):
        c1, c2 = st.columns(2)
        year = c1.number_input(t(f"{PREFIX}.year", loc), min_value=edits.FIRST_YEAR, max_value=today_in_district().year,
                               value=today_in_district().year - 1, step=1, key="development_adm_year")
        admitted = c2.number_input(t(f"{PREFIX}.admitted", loc), min_value=0, step=1, value=0, key="development_adm_n")
        if st.form_submit_button(t("development.manage.save", loc), type="primary", key="development_adm_submit"):
            run_edit(edits.record_admissions, loc=loc, field_prefix=PREFIX, saved=t("development.saved", loc),
                     enterprise_id=ent, year=int(year), admitted=int(admitted), version=versions.get(int(year)))
