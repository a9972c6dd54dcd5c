"""The account forms of the admin page: create an account; pick one and disable / enable, unlock,
reset its password, change its role and townships or its display name. Every write goes through
``ui.edit.run_edit`` (``dashboard.edits.accounts``: the admin role, the guards, the row version the
screen showed, one audit event). A one-time password made by a creation or a reset is shown once,
on the next run only (:func:`show_password_once`): kept in the session for that run, then gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.edits import accounts as edits
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import pick_row, refuse_gone, run_edit
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views.admin import account_label, account_state
from models import accounts
from models.enums import Role

#: the one-time password of the last creation or reset, shown on the next run and then dropped
ONE_TIME_KEY = "_acct_one_time"
ROLES = [r.value for r in Role]
NEW = {"username": "acct_new_username", "display_name": "acct_new_display", "role": "acct_new_role",
       "townships": "acct_new_towns", "email": "acct_new_email", "password": "acct_new_password"}


def show_password_once(ctx: Context) -> None:
    """The one-time password of the creation or reset just saved — this run only."""
    held = st.session_state.pop(ONE_TIME_KEY, None)
    if not held:
        return
    loc = ctx.loc
    with st.container(border=True, key="acct_one_time_box"):
        st.markdown(t("acct.otp.title", loc, username=escape_markdown(held["username"])))
        st.code(held["password"], language=None)
        st.warning(t("acct.otp.once", loc), icon=":material/visibility_off:")


def _townships(ctx: Context) -> dict[str, str]:
    towns = data.townships(ctx.url)
    return {str(r.code): f"{r.name}（{r.code}）" for r in towns.itertuples(index=False)}


def _keeping_password(fn: Callable[..., edits.AccountChange]) -> tuple[Callable[..., Any], Callable[[], None]]:
    """``fn`` for ``run_edit`` and its ``then``: the one-time password reaches the session only after
    the transaction committed (``then`` runs after a success only)."""
    held: dict[str, edits.AccountChange] = {}

    def edit(**fields: Any) -> edits.AccountChange:
        held["change"] = fn(**fields)
        return held["change"]

    def then() -> None:
        change = held.get("change")
        if change is not None and change.password:
            st.session_state[ONE_TIME_KEY] = {"username": change.username, "password": change.password}

    return edit, then


def render_create(ctx: Context) -> None:
    loc = ctx.loc
    towns = _townships(ctx)
    with st.form("acct_create", clear_on_submit=False, border=True):
        st.markdown(f"**{t('acct.create.title', loc)}**")
        left, right = st.columns(2)
        username = left.text_input(t("acct.field.username", loc), key=NEW["username"], max_chars=40,
                                   help=t("acct.help.username", loc))
        display_name = right.text_input(t("acct.field.display_name", loc), key=NEW["display_name"], max_chars=80)
        left, right = st.columns(2)
        role = left.selectbox(t("acct.field.role", loc), ROLES, key=NEW["role"],
                              format_func=lambda r: t(f"role.{r}", loc))
        townships = right.multiselect(t("acct.field.townships", loc), list(towns), key=NEW["townships"],
                                      format_func=towns.get, help=t("acct.help.townships", loc),
                                      placeholder=t("acct.placeholder.townships", loc))
        email = st.text_input(t("acct.field.email", loc), key=NEW["email"], max_chars=120, help=t("acct.help.email", loc))
        password = st.radio(t("acct.field.password", loc), edits.PASSWORD_CHOICES, key=NEW["password"],
                            format_func=lambda c: t(f"acct.password.{c}", loc), horizontal=True)
        submitted = st.form_submit_button(t("acct.create.submit", loc), type="primary", icon=":material/person_add:")
    if not submitted:
        return
    edit, keep = _keeping_password(edits.create_account)

    def then() -> None:
        keep()
        for key in NEW.values():  # an empty form for the next account
            st.session_state.pop(key, None)

    run_edit(edit, loc=loc, field_prefix="acct.field", then=then,
             saved=t("acct.saved.created", loc, username=escape_markdown(username.strip())),
             username=username, display_name=display_name, role=role, townships=townships, email=email,
             password=password)


def render_actions(ctx: Context) -> None:
    loc = ctx.loc
    with data.session(ctx.url) as s:
        users = accounts.list_users(s)
    if not users:
        return
    by_id = {u["id"]: u for u in users}
    with st.container(border=True):
        st.markdown(f"**{t('acct.act.title', loc)}**")
        picked = pick_row(t("acct.act.pick", loc), {u["id"]: account_label(u, loc) for u in users}, key="acct_pick",
                          versions={u["id"]: u["version"] for u in users})
        if picked.gone:
            refuse_gone(loc)
            return
        user = by_id.get(picked.id)
        if user is None:
            return
        st.caption(t("acct.act.state", loc, state=escape_markdown(account_state(user, loc))))
        row = {"user_id": user["id"], "version": picked.version}
        name = escape_markdown(user["username"])
        _buttons(loc, user, row, name)
        left, right = st.columns(2)
        with left:
            _role_form(ctx, user, row, name)
        with right:
            _rename_form(loc, user, row, name)


def _buttons(loc: str, user: dict, row: dict, name: str) -> None:
    a, b, c = st.columns(3)
    if user["disabled"]:
        if a.button(t("acct.act.enable", loc), key="acct_enable", icon=":material/person_check:", width="stretch"):
            run_edit(edits.set_disabled, loc=loc, field_prefix="acct.field", disabled=False,
                     saved=t("acct.saved.enabled", loc, username=name), **row)
    elif a.button(t("acct.act.disable", loc), key="acct_disable", icon=":material/person_off:", width="stretch"):
        run_edit(edits.set_disabled, loc=loc, field_prefix="acct.field", disabled=True,
                 saved=t("acct.saved.disabled", loc, username=name), **row)
    locked = bool(user["failed_logins"] or user["locked_until"])
    if b.button(t("acct.act.unlock", loc), key="acct_unlock", icon=":material/lock_open:", disabled=not locked,
                width="stretch"):
        run_edit(edits.unlock, loc=loc, field_prefix="acct.field", saved=t("acct.saved.unlocked", loc, username=name),
                 **row)
    if c.button(t("acct.act.reset", loc), key="acct_reset", icon=":material/key:", help=t("acct.act.reset_help", loc),
                width="stretch"):
        edit, then = _keeping_password(edits.reset_password)
        run_edit(edit, loc=loc, field_prefix="acct.field", then=then,
                 saved=t("acct.saved.reset", loc, username=name), **row)


def _role_form(ctx: Context, user: dict, row: dict, name: str) -> None:
    loc = ctx.loc
    towns = _townships(ctx)
    role_now = getattr(user["role"], "value", user["role"])
    with st.form(f"acct_role_form_{user['id']}", border=False):
        st.markdown(f"**{t('acct.act.role_title', loc)}**")
        role = st.selectbox(t("acct.field.role", loc), ROLES, index=ROLES.index(role_now), key=f"acct_role_{user['id']}",
                            format_func=lambda r: t(f"role.{r}", loc))
        townships = st.multiselect(t("acct.field.townships", loc), list(towns), key=f"acct_towns_{user['id']}",
                                   default=[c for c in user["townships"] if c in towns], format_func=towns.get,
                                   help=t("acct.help.townships", loc), placeholder=t("acct.placeholder.townships", loc))
        if st.form_submit_button(t("acct.act.role_submit", loc), icon=":material/manage_accounts:"):
            run_edit(edits.set_role, loc=loc, field_prefix="acct.field", role=role, townships=townships,
                     saved=t("acct.saved.role", loc, username=name), **row)


def _rename_form(loc: str, user: dict, row: dict, name: str) -> None:
    with st.form(f"acct_rename_form_{user['id']}", border=False):
        st.markdown(f"**{t('acct.act.rename_title', loc)}**")
        display_name = st.text_input(t("acct.field.display_name", loc), value=user["display_name"], max_chars=80,
                                     key=f"acct_display_{user['id']}")
        if st.form_submit_button(t("acct.act.rename_submit", loc), icon=":material/badge:"):
            run_edit(edits.rename, loc=loc, field_prefix="acct.field", display_name=display_name,
                     saved=t("acct.saved.renamed", loc, username=name), **row)
