"""管理攻坚活动: staff and administrators create and change campaigns and their zones (划线设区:
townships, owner, targets, deadline) on the campaigns page; every save through ``ui.edit.run_edit``
with the row's version (``dashboard.edits.campaigns``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.edits import campaigns as edits
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import actor, pick_row, refuse_gone, run_edit
from dashboard.ui.sections import Context

PREFIX = "camp.field"
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def render(ctx: Context, campaign_id: int | None) -> None:
    if actor().role not in edits.PLANNERS:
        return
    loc = ctx.loc
    with st.expander(t("camp.manage", loc), icon=":material/edit_calendar:"):
        new, change, zone_new, zone_change = st.tabs([t("camp.manage.new", loc), t("camp.manage.edit", loc),
                                                      t("camp.manage.new_zone", loc), t("camp.manage.edit_zone", loc)])
        with new:
            _campaign_form(ctx, None)
        if campaign_id is None:
            return
        with change:
            _campaign_form(ctx, campaign_id)
        with zone_new:
            _zone_form(ctx, campaign_id, None)
        with zone_change:
            zones = data.campaign_zones(ctx.url, campaign_id)
            if zones.empty:
                st.caption(t("camp.no_zone", loc))
            else:
                _zone_form(ctx, campaign_id, zones)


def _campaign_form(ctx: Context, campaign_id: int | None) -> None:
    loc = ctx.loc
    row = None
    if campaign_id is not None:
        listed = data.campaigns_list(ctx.url)
        row = listed[listed["id"] == campaign_id].iloc[0]
    key = f"camp_form_{campaign_id or 'new'}"
    with st.form(key):
        name = st.text_input(t(f"{PREFIX}.name", loc), value="" if row is None else row["name"],
                             max_chars=edits.MAX_NAME, key=f"{key}_name")
        motto = st.text_input(t(f"{PREFIX}.motto", loc), value="" if row is None else (row["motto"] or ""),
                              max_chars=edits.MAX_MOTTO, key=f"{key}_motto")
        c1, c2 = st.columns(2)
        start = c1.date_input(t(f"{PREFIX}.start_on", loc), value=None if row is None else row["start_on"],
                              min_value=EARLIEST, max_value=LATEST, format="YYYY-MM-DD", key=f"{key}_start")
        end = c2.date_input(t(f"{PREFIX}.end_on", loc), value=None if row is None else row["end_on"],
                            min_value=EARLIEST, max_value=LATEST, format="YYYY-MM-DD", key=f"{key}_end")
        if st.form_submit_button(t("camp.manage.save", loc), type="primary", key=f"{key}_submit"):
            if row is None:
                run_edit(edits.create_campaign, loc=loc, field_prefix=PREFIX, saved=t("camp.saved", loc), name=name,
                         motto=motto, start_on=start, end_on=end)
            else:
                run_edit(edits.update_campaign, loc=loc, field_prefix=PREFIX, saved=t("camp.saved", loc),
                         campaign_id=campaign_id, version=int(row["version"]), name=name, motto=motto,
                         start_on=start, end_on=end)


def _zone_form(ctx: Context, campaign_id: int, zones) -> None:
    loc = ctx.loc
    units = data.units(ctx.url)
    unit_names = dict(zip(units["id"].astype(int), units["name"], strict=True))
    towns = data.townships(ctx.url)
    town_names = dict(zip(towns["id"].astype(int), towns["name"], strict=True))
    key = f"zone_form_{campaign_id}_{'edit' if zones is not None else 'new'}"
    row = picked = None
    if zones is not None:  # outside the form: the fields below show the zone picked
        picked = pick_row(t("camp.manage.pick_zone", loc), dict(zip(zones["id"].astype(int), zones["name"], strict=True)),
                          key=f"{key}_pick", versions=dict(zip(zones["id"].astype(int), zones["version"], strict=True)))
        found = zones[zones["id"] == picked.id]
        row = None if found.empty else found.iloc[0]
    with st.form(key):
        suffix = "" if row is None else f"_{int(row['id'])}"
        name = st.text_input(t(f"{PREFIX}.zone_name", loc), value="" if row is None else row["name"],
                             max_chars=edits.MAX_ZONE, key=f"{key}_name{suffix}")
        c1, c2 = st.columns(2)
        owner = c1.text_input(t(f"{PREFIX}.owner_name", loc), value="" if row is None else row["owner_name"],
                              max_chars=edits.MAX_PERSON, key=f"{key}_owner{suffix}")
        unit_ids = list(unit_names)
        unit = c2.selectbox(t(f"{PREFIX}.owner_unit", loc), unit_ids, format_func=unit_names.get,
                            index=0 if row is None else unit_ids.index(int(row["owner_unit_id"])),
                            key=f"{key}_unit{suffix}")
        c3, c4, c5 = st.columns(3)
        unions = c3.number_input(t(f"{PREFIX}.target_unions", loc), min_value=0, step=1,
                                 value=0 if row is None else int(row["target_unions"]), key=f"{key}_tu{suffix}")
        members = c4.number_input(t(f"{PREFIX}.target_members", loc), min_value=0, step=1,
                                  value=0 if row is None else int(row["target_members"]), key=f"{key}_tm{suffix}")
        deadline = c5.date_input(t(f"{PREFIX}.deadline", loc), value=None if row is None else row["deadline"],
                                 min_value=EARLIEST, max_value=LATEST, format="YYYY-MM-DD", key=f"{key}_dl{suffix}")
        c6, c7 = st.columns(2)
        party = c6.number_input(t(f"{PREFIX}.target_party_orgs", loc), min_value=0, step=1,
                                value=0 if row is None else int(row["target_party_orgs"]), key=f"{key}_tp{suffix}")
        liaisons = c7.number_input(t(f"{PREFIX}.target_liaisons", loc), min_value=0, step=1,
                                   value=0 if row is None else int(row["target_liaisons"]), key=f"{key}_tl{suffix}")
        chosen = st.multiselect(t(f"{PREFIX}.townships", loc), list(town_names), format_func=town_names.get,
                                default=[] if row is None else list(row["township_ids"]), key=f"{key}_towns{suffix}")
        if st.form_submit_button(t("camp.manage.save", loc), type="primary", key=f"{key}_submit"):
            fields = dict(name=name, owner_name=owner, owner_unit_id=unit, target_unions=unions,
                          target_members=members, target_party_orgs=party, target_liaisons=liaisons,
                          deadline=deadline, township_ids=chosen)
            if zones is None:
                run_edit(edits.create_zone, loc=loc, field_prefix=PREFIX, saved=t("camp.saved", loc),
                         campaign_id=campaign_id, **fields)
            elif picked.gone or row is None:
                refuse_gone(loc)
            else:
                run_edit(edits.update_zone, loc=loc, field_prefix=PREFIX, saved=t("camp.saved", loc),
                         zone_id=picked.id, version=picked.version, **fields)
