"""台账维护: the event forms under an enterprise's detail (staff, township accounts and admins; a
leader reads only). One form per event; every write through ``ui.edit.run_edit`` with the
enterprise's row version (``dashboard.edits.enterprises``), so the history above and every figure
show the change after the rerun; the forms' choices come from ``queries.upkeep`` read with the
person's own scope, never the township filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from dashboard.edits import enterprises as edits
from dashboard.i18n import fmt_date, t
from dashboard.queries.upkeep import upkeep_options
from dashboard.ui import data
from dashboard.ui.edit import actor, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.views import upkeep as V

PREFIX = "upkeep.field"


def _options(ctx: Context, enterprise_id: int, today: dt.date):
    # not cached: the version and the state must be those of this moment (a form saves against them)
    with data.session(ctx.url) as s:
        return upkeep_options(s, actor().scope, enterprise_id, today)


def render(ctx: Context, enterprise_id: int) -> None:
    loc, me = ctx.loc, actor()
    if not V.can_edit(me.role):
        st.caption(t("upkeep.read_only", loc))
        return
    today = today_in_district()
    opts = _options(ctx, enterprise_id, today)
    if opts is None:
        return
    with st.expander(t("upkeep.title", loc), icon=":material/edit_note:"):
        st.caption(t("upkeep.intro", loc))
        if opts.closed_on is not None:
            st.info(t("upkeep.closed", loc, date=fmt_date(opts.closed_on, loc)))
            return
        st.markdown(V.state_line(opts, loc))
        kinds = V.available_events(opts)
        kind = st.selectbox(t("upkeep.pick", loc), kinds, format_func=lambda k: V.event_label(k, loc),
                            key=f"upkeep_kind_{enterprise_id}")
        FORMS[kind](ctx, opts, today, f"upkeep_{kind}_{enterprise_id}")


def note_as_of(ctx: Context) -> None:
    """Under the message of a saved event: an as-of date before the event's does not show it yet."""
    if ctx.as_of < today_in_district():
        st.caption(t("upkeep.as_of_note", ctx.loc, date=fmt_date(ctx.as_of, ctx.loc)))


# --------------------------------------------------------------------------- helpers


def _day(loc: str, field: str, opts, today: dt.date, key: str) -> dt.date:
    return st.date_input(t(f"{PREFIX}.{field}", loc), value=today, min_value=opts.registered_on, max_value=today,
                         key=f"{key}_{field}", format="YYYY-MM-DD")


def _count(loc: str, field: str, key: str, value: int = 0, help: str | None = None) -> int:
    return st.number_input(t(f"{PREFIX}.{field}", loc), min_value=0, value=value, step=1, key=f"{key}_{field}",
                           help=help)


def _save(ctx: Context, opts, kind: str, fn, key: str, **fields: Any) -> None:
    if st.form_submit_button(t("upkeep.save", ctx.loc), type="primary", key=f"{key}_submit"):
        run_edit(fn, loc=ctx.loc, field_prefix=PREFIX, saved=t("upkeep.saved", ctx.loc, event=V.event_label(kind, ctx.loc)),
                 enterprise_id=opts.enterprise_id, version=opts.version, today=today_in_district(), **fields)


# --------------------------------------------------------------------------- one form per event


def _census(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        on = _day(loc, "census_on", opts, today, key)
        c1, c2, c3 = st.columns(3)
        with c1:
            employees = _count(loc, "employees", key, opts.employees)
        with c2:
            party = _count(loc, "party_members", key, opts.party_members)
        with c3:
            union = st.text_input(t(f"{PREFIX}.union_members", loc), key=f"{key}_union_members",
                                  help=t("upkeep.union_members.help", loc), disabled=opts.union is None)
        _save(ctx, opts, "census", edits.record_census, key, census_on=on, employees=employees, party_members=party,
              union_members=(union or "").strip() or None)


def _members(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        on = _day(loc, "changed_on", opts, today, key)
        c1, c2 = st.columns(2)
        with c1:
            joined = _count(loc, "joined", key, help=t("upkeep.members.help", loc))
        with c2:
            left = _count(loc, "left", key)
        _save(ctx, opts, "members", edits.change_members, key, changed_on=on, joined=joined, left=left)


def _union_found(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        on = _day(loc, "founded_on", opts, today, key)
        name = st.text_input(t(f"{PREFIX}.name", loc), key=f"{key}_name", max_chars=edits.MAX_NAME)
        c1, c2 = st.columns(2)
        with c1:
            members = _count(loc, "members", key, help=t("upkeep.members.help", loc))
        with c2:
            chair = st.text_input(t(f"{PREFIX}.chair_name", loc), key=f"{key}_chair", max_chars=edits.MAX_PERSON)
        congress = st.checkbox(t(f"{PREFIX}.has_workers_congress", loc), key=f"{key}_congress")
        _save(ctx, opts, "union_found", edits.found_union, key, founded_on=on, name=name, members=members,
              chair_name=chair, has_workers_congress=congress)


def _union_join(ctx, opts, today, key):
    loc = ctx.loc
    choices = V.org_options(opts.joint_unions)
    with st.form(key):
        union = st.selectbox(t(f"{PREFIX}.union", loc), list(choices), format_func=choices.get, key=f"{key}_union")
        on = _day(loc, "start_on", opts, today, key)
        members = _count(loc, "members", key, help=t("upkeep.members.help", loc))
        _save(ctx, opts, "union_join", edits.join_union, key, union_id=union, start_on=on, members=members)


def _union_end(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        st.caption(t("upkeep.union_end.help", loc))
        on = _day(loc, "end_on", opts, today, key)
        _save(ctx, opts, "union_end", edits.end_union, key, end_on=on)


def _party_found(ctx, opts, today, key):
    loc = ctx.loc
    levels = V.level_options(loc)
    with st.form(key):
        on = _day(loc, "founded_on", opts, today, key)
        name = st.text_input(t(f"{PREFIX}.name", loc), key=f"{key}_name", max_chars=edits.MAX_NAME)
        c1, c2 = st.columns(2)
        with c1:
            level = st.selectbox(t(f"{PREFIX}.level", loc), list(levels), format_func=levels.get,
                                 index=list(levels).index(V.default_level(opts)), key=f"{key}_level")
        with c2:
            secretary = st.text_input(t(f"{PREFIX}.secretary_name", loc), key=f"{key}_secretary",
                                      max_chars=edits.MAX_PERSON)
        st.caption(V.level_hint(opts, loc))
        confirm = st.checkbox(t("upkeep.confirm_level", loc), key=f"{key}_confirm",
                              help=t("upkeep.confirm_level.help", loc))
        _save(ctx, opts, "party_found", edits.found_party_org, key, founded_on=on, name=name, level=level,
              secretary_name=secretary, confirm_level=confirm)


def _party_join(ctx, opts, today, key):
    loc = ctx.loc
    choices = V.org_options(opts.joint_branches)
    with st.form(key):
        org = st.selectbox(t(f"{PREFIX}.party_org", loc), list(choices), format_func=choices.get, key=f"{key}_org")
        on = _day(loc, "start_on", opts, today, key)
        _save(ctx, opts, "party_join", edits.join_party_org, key, party_org_id=org, start_on=on)


def _party_end(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        st.caption(t("upkeep.party_end.help", loc))
        on = _day(loc, "end_on", opts, today, key)
        _save(ctx, opts, "party_end", edits.end_party_org, key, end_on=on)


def _liaison_appoint(ctx, opts, today, key):
    loc = ctx.loc
    kinds, units = V.liaison_kind_options(loc), V.unit_options(opts)
    with st.form(key):
        c1, c2 = st.columns(2)
        with c1:
            name = st.text_input(t(f"{PREFIX}.person", loc), key=f"{key}_name", max_chars=edits.MAX_PERSON)
            kind = st.selectbox(t(f"{PREFIX}.kind", loc), list(kinds), format_func=kinds.get, key=f"{key}_kind")
        with c2:
            on = _day(loc, "appointed_on", opts, today, key)
            unit = st.selectbox(t(f"{PREFIX}.unit", loc), [None, *units], key=f"{key}_unit",
                                format_func=lambda u: "—" if u is None else units[u])
        _save(ctx, opts, "liaison_appoint", edits.appoint_liaison, key, name=name, kind=kind, appointed_on=on,
              unit_id=unit)


def _liaison_end(ctx, opts, today, key):
    loc = ctx.loc
    choices = V.liaison_options(opts, loc)
    with st.form(key):
        person = st.selectbox(t(f"{PREFIX}.liaison", loc), list(choices), format_func=choices.get, key=f"{key}_who")
        on = _day(loc, "ended_on", opts, today, key)
        _save(ctx, opts, "liaison_end", edits.end_liaison, key, liaison_id=person, ended_on=on)


def _barrier(ctx, opts, today, key):
    loc = ctx.loc
    choices = V.barrier_options(loc)
    current = opts.barrier or ""
    with st.form(key):
        barrier = st.selectbox(t(f"{PREFIX}.barrier", loc), list(choices), format_func=choices.get,
                               index=list(choices).index(current) if current in choices else 0, key=f"{key}_barrier")
        on = _day(loc, "noted_on", opts, today, key)
        _save(ctx, opts, "barrier", edits.set_barrier, key, barrier=barrier or None, noted_on=on)


def _base_flags(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        st.caption(t("upkeep.base_flags.help", loc))
        premises = st.checkbox(t(f"{PREFIX}.fixed_premises", loc), value=opts.fixed_premises, key=f"{key}_premises")
        trading = st.checkbox(t(f"{PREFIX}.trading", loc), value=opts.trading, key=f"{key}_trading")
        _save(ctx, opts, "base_flags", edits.verify_base_flags, key, fixed_premises=premises, trading=trading)


def _move(ctx, opts, today, key):
    loc = ctx.loc
    choices = V.township_options(opts)
    with st.form(key):
        st.caption(t("upkeep.move.help", loc))
        town = st.selectbox(t(f"{PREFIX}.township", loc), list(choices), format_func=choices.get, key=f"{key}_town")
        on = _day(loc, "moved_on", opts, today, key)
        _save(ctx, opts, "move", edits.move_enterprise, key, township=town, moved_on=on)


def _close(ctx, opts, today, key):
    loc = ctx.loc
    with st.form(key):
        st.caption(t("upkeep.close.help", loc))
        on = _day(loc, "closed_on", opts, today, key)
        _save(ctx, opts, "close", edits.close_enterprise, key, closed_on=on)


FORMS = {
    "census": _census, "members": _members, "union_found": _union_found, "union_join": _union_join,
    "union_end": _union_end, "party_found": _party_found, "party_join": _party_join, "party_end": _party_end,
    "liaison_appoint": _liaison_appoint, "liaison_end": _liaison_end, "barrier": _barrier,
    "base_flags": _base_flags, "move": _move,
    "close": _close,
}
