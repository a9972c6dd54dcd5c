"""双爱双评's forms, each through ``ui.edit.run_edit`` (``dashboard.edits.awards``): a township account
(or staff) nominates and withdraws; staff and administrators run the rounds — places, the
evaluation, the round's dates, closing the nominations, publishing the awards, a new round."""

from __future__ import annotations

import streamlit as st

from dashboard.edits import awards as edits
from dashboard.i18n import fmt_date, t
from dashboard.ui import data
from dashboard.ui.edit import actor, pick_row, refuse_gone, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.sections.awards import board
from dashboard.views import awards as V

PREFIX = "awards.field"
CATEGORIES = ("worker", "manager")


def _saved(loc: str) -> str:
    return t("awards.saved", loc)


def shown_version(key: str, current: int) -> int:
    """The version of a row the screen showed on the previous run (what a save must carry), and
    remember this run's; the first run: this run's."""
    slot = f"_shown_version:{key}"
    shown = st.session_state.get(slot, current)
    st.session_state[slot] = int(current)
    return int(shown)


def render(ctx: Context, rnd: dict | None) -> None:
    """The forms act on the picked round as it stands today (whatever the page's as-of date)."""
    role = actor().role
    loc = ctx.loc
    if rnd is not None:
        now = data.award_round(ctx.url, today_in_district(), int(rnd["id"]))
        rnd = None if now is None else {**now, "status": now["status_now"]}
    if rnd is not None and role in edits.NOMINATORS:
        with st.expander(t("awards.manage.nominate", loc), icon=":material/how_to_reg:", key="awards_nominate_box"):
            if rnd["status"] != "nominating":
                st.caption(t("awards.not_nominating", loc, status=t(f"awards.round.{rnd['status']}", loc)))
            else:
                modes = {"nominate": t("awards.mode.nominate", loc), "withdraw": t("awards.mode.withdraw", loc)}
                mode = st.segmented_control(t("awards.manage.nominate", loc), list(modes), format_func=modes.get,
                                            default="nominate", required=True, key="awards_nominate_mode",
                                            label_visibility="collapsed")
                (_nominate if mode == "nominate" else _withdraw)(ctx, rnd)
    if role not in edits.ORGANISERS:
        return
    with st.expander(t("awards.manage.organise", loc), icon=":material/edit:", key="awards_organise_box"):
        ahead = board.rounds_ahead(ctx.url, today_in_district())
        if not ahead.empty:  # rounds made but not open yet: not on the page, reached here
            choices = {**({int(rnd["id"]): V.round_label(rnd, loc)} if rnd is not None else {}),
                       **{int(r["id"]): t("awards.round.ahead", loc, title=r["title"], date=fmt_date(r["opened_on"], loc))
                          for _, r in ahead.iterrows()}}
            if st.session_state.get("awards_organise_round") not in choices:
                st.session_state["awards_organise_round"] = next(iter(choices))
            chosen = st.selectbox(t("awards.organise.round", loc), list(choices), format_func=choices.get,
                                  key="awards_organise_round")
            if rnd is None or chosen != int(rnd["id"]):
                rnd = next({**r.to_dict(), "status": r["status_now"]} for _, r in ahead.iterrows()
                           if int(r["id"]) == chosen)
        modes = {k: t(f"awards.mode.{k}", loc) for k in ("evaluate", "quota", "round", "new_round")}
        if rnd is None:
            modes = {"new_round": modes["new_round"]}
        mode = st.segmented_control(t("awards.manage.organise", loc), list(modes), format_func=modes.get,
                                    default=next(iter(modes)), required=True, key="awards_organise_mode",
                                    label_visibility="collapsed")
        if mode == "new_round" or rnd is None:
            _new_round(ctx)
        elif mode == "evaluate":
            _evaluate(ctx, rnd)
        elif mode == "quota":
            _quota(ctx, rnd)
        else:
            _round(ctx, rnd)


def _nominate(ctx: Context, rnd: dict) -> None:
    loc = ctx.loc
    today = today_in_district()
    text = st.text_input(t("awards.search", loc), key="awards_search", max_chars=40)
    found = data.award_nominees(ctx.url, ctx.scope, today, text) if text.strip() else None
    if found is not None and found.empty:
        st.caption(t("awards.search.none", loc))
    options = {} if found is None else {int(r["enterprise_id"]): f"{r['name']}（{r['township']}）"
                                        for _, r in found.iterrows()}
    with st.form("awards_nominate"):
        ent = st.selectbox(t(f"{PREFIX}.enterprise", loc), list(options), format_func=options.get, index=None,
                           key="awards_nominate_enterprise")
        c1, c2 = st.columns([2, 3])
        category = c1.radio(t(f"{PREFIX}.category", loc), CATEGORIES, format_func=lambda c: V.category_word(c, loc),
                            key="awards_nominate_category")
        name = c2.text_input(t(f"{PREFIX}.person_name", loc), max_chars=edits.MAX_NAME, key="awards_nominate_name")
        note = st.text_area(t(f"{PREFIX}.note", loc), max_chars=edits.MAX_NOTE, key="awards_nominate_note")
        if st.form_submit_button(t("awards.save", loc), type="primary", key="awards_nominate_submit"):
            run_edit(edits.nominate, loc=loc, field_prefix=PREFIX, saved=_saved(loc), round_id=int(rnd["id"]),
                     enterprise_id=ent, category=category, person_name=name, note=note)


def _nominations(ctx: Context, rnd: dict, stages: tuple[str, ...]):
    """The round's nominations at ``stages`` today in the page's scope (the user's own, narrowed by
    the filter) — picked in SQL."""
    return data.award_nominations(ctx.url, ctx.scope, int(rnd["id"]), today_in_district(), names=board.names(ctx),
                                  stages=stages)


def _withdraw(ctx: Context, rnd: dict) -> None:
    loc = ctx.loc
    rows = _nominations(ctx, rnd, ("nominated",))
    if rows.empty:
        st.caption(t("awards.nothing_pending", loc))
        return
    picked = pick_row(t(f"{PREFIX}.nomination", loc), {int(r["id"]): V.nomination_label(r, loc) for _, r in rows.iterrows()},
                      key="awards_withdraw_pick",
                      versions=dict(zip(rows["id"].astype(int), rows["version"].astype(int), strict=True)))
    with st.form("awards_withdraw"):
        if st.form_submit_button(t("awards.mode.withdraw", loc), type="primary", key="awards_withdraw_submit"):
            if picked.gone:
                refuse_gone(loc)
            else:
                run_edit(edits.withdraw, loc=loc, field_prefix=PREFIX, saved=_saved(loc), nomination_id=picked.id,
                         version=picked.version)


def _evaluate(ctx: Context, rnd: dict) -> None:
    loc = ctx.loc
    if rnd["status"] != "evaluating":
        st.caption(t("awards.evaluate.only_evaluating", loc))
        return
    rows = _nominations(ctx, rnd, ("nominated", "passed", "rejected"))
    if rows.empty:
        st.caption(t("awards.nothing_to_evaluate", loc))
        return
    picked = pick_row(t(f"{PREFIX}.nomination", loc), {int(r["id"]): V.nomination_label(r, loc) for _, r in rows.iterrows()},
                      key="awards_evaluate_pick",
                      versions=dict(zip(rows["id"].astype(int), rows["version"].astype(int), strict=True)))
    with st.form("awards_evaluate"):
        result = st.radio(t(f"{PREFIX}.result", loc), edits.RESULTS, format_func=lambda s: V.stage_word(s, loc),
                          horizontal=True, key="awards_evaluate_result")
        remark = st.text_input(t(f"{PREFIX}.remark", loc), max_chars=edits.MAX_NOTE, key="awards_evaluate_remark")
        if st.form_submit_button(t("awards.save", loc), type="primary", key="awards_evaluate_submit"):
            if picked.gone:
                refuse_gone(loc)
            else:
                run_edit(edits.evaluate, loc=loc, field_prefix=PREFIX, saved=_saved(loc), nomination_id=picked.id,
                         version=picked.version, result=result, remark=remark or None)


def _quota(ctx: Context, rnd: dict) -> None:
    loc = ctx.loc
    towns = data.townships(ctx.url)
    names = dict(zip(towns["id"].astype(int), towns["name"], strict=True))
    c1, c2 = st.columns(2)
    tid = c1.selectbox(t(f"{PREFIX}.township", loc), list(names), format_func=names.get, key="awards_quota_township")
    category = c2.radio(t(f"{PREFIX}.category", loc), CATEGORIES, format_func=lambda c: V.category_word(c, loc),
                        horizontal=True, key="awards_quota_category")
    mine = data.award_quotas(ctx.url, ctx.scope, int(rnd["id"]), township_id=tid, category=category)
    current = int(mine["quota"].iloc[0]) if not mine.empty else 0
    version = shown_version(f"award_quota:{rnd['id']}:{tid}:{category}", int(mine["version"].iloc[0])) \
        if not mine.empty else None
    with st.form("awards_quota"):
        quota = st.number_input(t(f"{PREFIX}.quota", loc), min_value=0, step=1, value=current, key="awards_quota_n")
        if st.form_submit_button(t("awards.save", loc), type="primary", key="awards_quota_submit"):
            run_edit(edits.set_quota, loc=loc, field_prefix=PREFIX, saved=_saved(loc), round_id=int(rnd["id"]),
                     township_id=tid, category=category, quota=quota, version=version)


def _round(ctx: Context, rnd: dict) -> None:
    loc = ctx.loc
    version = shown_version(f"award_round:{rnd['id']}", int(rnd["version"]))
    if rnd["status"] == "awarded":
        st.caption(t("awards.err.published", loc, year=rnd["year"]))
        return
    with st.form("awards_round_dates"):
        title = st.text_input(t(f"{PREFIX}.title", loc), value=rnd["title"], max_chars=edits.MAX_TITLE,
                              key="awards_round_title")
        c1, c2, c3 = st.columns(3)
        opened = c1.date_input(t(f"{PREFIX}.opened_on", loc), value=rnd["opened_on"], format="YYYY-MM-DD",
                               key="awards_round_opened")
        nominate_by = c2.date_input(t(f"{PREFIX}.nominate_by", loc), value=rnd["nominate_by"], format="YYYY-MM-DD",
                                    key="awards_round_nominate_by")
        evaluate_by = c3.date_input(t(f"{PREFIX}.evaluate_by", loc), value=rnd["evaluate_by"], format="YYYY-MM-DD",
                                    key="awards_round_evaluate_by")
        if st.form_submit_button(t("awards.save", loc), type="primary", key="awards_round_submit"):
            run_edit(edits.update_round, loc=loc, field_prefix=PREFIX, saved=_saved(loc), round_id=int(rnd["id"]),
                     version=version, title=title, opened_on=opened, nominate_by=nominate_by, evaluate_by=evaluate_by)
    if rnd["status"] == "nominating":
        with st.form("awards_close"):
            if st.form_submit_button(t("awards.close", loc), key="awards_close_submit"):
                run_edit(edits.close_nominations, loc=loc, field_prefix=PREFIX, saved=_saved(loc),
                         round_id=int(rnd["id"]), version=version)
    else:
        with st.form("awards_publish"):
            day = st.date_input(t(f"{PREFIX}.awarded_on", loc), value=today_in_district(), max_value=today_in_district(),
                                format="YYYY-MM-DD", key="awards_publish_day")
            if st.form_submit_button(t("awards.publish", loc), type="primary", help=t("awards.publish.help", loc),
                                     key="awards_publish_submit"):
                run_edit(edits.publish_round, loc=loc, field_prefix=PREFIX, saved=_saved(loc),
                         round_id=int(rnd["id"]), version=version, awarded_on=day)


def _new_round(ctx: Context) -> None:
    import datetime as dt

    loc = ctx.loc
    today = today_in_district()
    taken = {int(y) for y in data.award_rounds(ctx.url, today)["year"]} | \
        {int(y) for y in board.rounds_ahead(ctx.url, today)["year"]}
    year = today.year + (1 if today.year in taken else 0)
    with st.form("awards_new_round"):
        c1, c2 = st.columns([1, 3])
        y = c1.number_input(t(f"{PREFIX}.year", loc), min_value=edits.FIRST_YEAR, step=1, value=year,
                            key="awards_new_year")
        title = c2.text_input(t(f"{PREFIX}.title", loc), max_chars=edits.MAX_TITLE, key="awards_new_title")
        c3, c4, c5 = st.columns(3)
        opened = c3.date_input(t(f"{PREFIX}.opened_on", loc), value=dt.date(year, 9, 1), format="YYYY-MM-DD",
                               key="awards_new_opened")
        nominate_by = c4.date_input(t(f"{PREFIX}.nominate_by", loc), value=dt.date(year, 10, 31), format="YYYY-MM-DD",
                                    key="awards_new_nominate_by")
        evaluate_by = c5.date_input(t(f"{PREFIX}.evaluate_by", loc), value=dt.date(year, 11, 30), format="YYYY-MM-DD",
                                    key="awards_new_evaluate_by")
        if st.form_submit_button(t("awards.save", loc), type="primary", key="awards_new_submit"):
            run_edit(edits.create_round, loc=loc, field_prefix=PREFIX, saved=_saved(loc), year=y, title=title,
                     opened_on=opened, nominate_by=nominate_by, evaluate_by=evaluate_by)
