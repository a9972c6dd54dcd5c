"""登记新企业: a form on the ledger for staff, township accounts and admins (their own townships)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.edits import enterprises as edits
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import actor, run_edit, today_in_district
from dashboard.ui.sections import Context
from dashboard.views import upkeep as V

PREFIX = "upkeep.field"


def render(ctx: Context) -> None:
    loc, me = ctx.loc, actor()
    if not V.can_edit(me.role):
        return
    towns = data.townships(ctx.url)
    if me.scope.township_ids is not None:
        towns = towns[towns["id"].isin(list(me.scope.township_ids))]
    if towns.empty:
        return
    names = dict(zip(towns["id"].astype(int), towns["name"], strict=True))
    owners = V.ownership_options(loc)
    today = today_in_district()
    with st.expander(t("upkeep.event.register", loc), icon=":material/domain_add:"):
        st.caption(t("upkeep.register.help", loc))
        with st.form("upkeep_register"):
            c1, c2, c3 = st.columns(3)
            with c1:
                name = st.text_input(t(f"{PREFIX}.name", loc), max_chars=edits.MAX_NAME, key="reg_name")
                uscc = st.text_input(t(f"{PREFIX}.uscc", loc), max_chars=18, key="reg_uscc")
                township = st.selectbox(t(f"{PREFIX}.township", loc), list(names), format_func=names.get, key="reg_town")
            with c2:
                ownership = st.selectbox(t(f"{PREFIX}.ownership", loc), list(owners), format_func=owners.get,
                                         key="reg_ownership")
                industry = st.text_input(t(f"{PREFIX}.industry", loc), max_chars=40, key="reg_industry")
                registered_on = st.date_input(t(f"{PREFIX}.registered_on", loc), value=today, max_value=today,
                                              min_value=dt.date(1949, 10, 1), format="YYYY-MM-DD", key="reg_on")
            with c3:
                employees = st.number_input(t(f"{PREFIX}.employees", loc), min_value=0, step=1, key="reg_emp")
                party = st.number_input(t(f"{PREFIX}.party_members", loc), min_value=0, step=1, key="reg_pm")
                legal_rep = st.text_input(t(f"{PREFIX}.legal_rep", loc), max_chars=edits.MAX_PERSON, key="reg_rep")
            village = st.checkbox(t(f"{PREFIX}.is_village", loc), key="reg_village")
            owner_party = st.checkbox(t(f"{PREFIX}.owner_is_party_member", loc), key="reg_owner_party")
            premises = st.checkbox(t(f"{PREFIX}.fixed_premises", loc), value=True, key="reg_premises")
            trading = st.checkbox(t(f"{PREFIX}.trading", loc), value=True, key="reg_trading")
            if st.form_submit_button(t("upkeep.save", loc), type="primary", key="reg_submit"):
                run_edit(edits.register_enterprise, loc=loc, field_prefix=PREFIX,
                         saved=t("upkeep.saved", loc, event=V.event_label("register", loc)), township=township,
                         uscc=uscc, name=name, ownership=ownership, industry=industry, registered_on=registered_on,
                         employees=employees, party_members=party, is_village=village, legal_rep=legal_rep,
                         owner_is_party_member=owner_party, fixed_premises=premises, trading=trading, today=today)
