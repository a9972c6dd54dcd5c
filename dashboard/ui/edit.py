"""The one edit runner of the pages: ``run_edit(fn, **fields)``.

Every write a page makes goes through here (DESIGN.md §6, docs/architecture.md "Writes"): the
actor is the logged-in user with *their own* scope (never the sidebar filter), the edit runs in
one transaction (``session_scope``: commit on success, rollback on any error), a refusal is shown
as one sentence next to the form and writes nothing, a success clears the read caches, leaves a
message for the next run (:func:`show_flash`) and reruns the page so the change shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.edits import Actor, EditError
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.views.edits import refusal_text
from models.db import session_scope

FLASH_KEY = "_edit_flash"


def actor() -> Actor:
    """The logged-in user as an editor: name, role and their own township scope (re-read every run)."""
    user = st.session_state["user"]
    return Actor(user.username, user.role, user.scope)


def run_edit(fn: Callable[..., Any], *, loc: str, saved: str | None = None, field_prefix: str | None = None,
             then: Callable[[], None] | None = None, **fields: Any) -> bool:
    """Run ``fn(session=…, actor=…, **fields)`` in one transaction.

    A refusal (:class:`EditError`) is shown with ``st.error`` (the field named through
    ``field_prefix`` + ``.field``) and returns False; nothing was written. On success the caches
    are cleared, ``saved`` (a message, default ``edit.saved``) is kept for :func:`show_flash`,
    ``then()`` runs (e.g. to leave a closed record) and the page reruns.
    """
    try:
        with session_scope(data.engine()) as s:
            fn(session=s, actor=actor(), **fields)
    except EditError as err:
        st.error(refusal_text(err, loc, field_prefix=field_prefix))
        return False
    data.clear_caches()
    st.session_state[FLASH_KEY] = saved or t("edit.saved", loc)
    if then is not None:
        then()
    st.rerun()
    return True  # pragma: no cover - st.rerun raises


def show_flash(*, toast: bool = True) -> str | None:
    """The message of the last successful edit, shown once (a success box and a toast)."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
        if toast:
            st.toast(flash)
    return flash


def today_in_district() -> dt.date:
    """"Not in the future" is judged on the district's date, not the server's."""
    from dashboard.queries.dates import district_today

    return district_today()
