"""The one edit runner of the pages: ``run_edit(fn, **fields)``.

Every write a page makes goes through here (DESIGN.md §6, docs/architecture.md "Writes"): the
actor is the logged-in user with *their own* scope (never the sidebar filter), the edit runs in
one transaction (``session_scope``: commit on success, rollback on any error), a refusal is shown
as one sentence next to the form and writes nothing, a success clears the read caches, leaves a
message for the next run (:func:`show_flash`) and reruns the page so the change shows at once.

A form that updates an existing row picks it with :func:`pick_row`: the options are row ids (the
label only shows them, each label different), the pick is pinned to the row the screen showed,
and the save sends the version the screen showed for it; a row that has left the list or changed
since is refused (``edit.gone``, ``edit.conflict``), never swapped for another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard.edits import Actor, EditError
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.views.edits import refusal_text, unique_labels
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
    ``field_prefix`` + ``.field``) and returns False; nothing was written. So is a database that is
    down or busy (``data.outage_text``): the form, not rerun, keeps its input. On success the caches
    are cleared, ``saved`` (a message, default ``edit.saved``) is kept for :func:`show_flash`,
    ``then()`` runs (e.g. to leave a closed record) and the page reruns.
    """
    try:
        with session_scope(data.engine()) as s:
            result = fn(session=s, actor=actor(), **fields)
    except EditError as err:
        if err.key == "edit.conflict":  # the row changed since it was shown: read everything afresh
            data.clear_caches()
        st.error(refusal_text(err, loc, field_prefix=field_prefix))
        return False
    except Exception as exc:  # a database down or busy: the sentence next to the form, which keeps its input
        reason = data.outage_text(exc, loc)
        if reason is None:
            raise
        st.error(t("edit.failed", loc, reason=reason))
        return False
    # an edit that says which townships it changed (``township_ids``) makes only their cached reads stale
    data.clear_caches(getattr(result, "township_ids", None))
    st.session_state[FLASH_KEY] = saved or t("edit.saved", loc)
    if then is not None:
        then()
    st.rerun()
    return True  # pragma: no cover - st.rerun raises


@dataclass(frozen=True)
class Picked:
    """The row a form's picker holds: its id, the version the screen showed for it (None when the
    rows are not versioned or the screen never showed it), and whether it has left the list since."""

    id: Any
    version: int | None = None
    gone: bool = False


def pick_row(label: str, options: Mapping[int, str], *, key: str, versions: Mapping[int, int] | None = None,
             **kwargs: Any) -> Picked:
    """A selectbox of rows: its values are the row ids, ``options`` (id → words) only label them.

    * Every label is different (:func:`~dashboard.views.edits.unique_labels`): Streamlit sends a
      pick back as its label, and on equal labels it would return another row.
    * The pick is pinned by id: the value the browser sent, read with the options the screen
      showed. When that row is no longer among the options Streamlit would quietly select another
      one; :class:`Picked` says ``gone`` instead, and the form refuses (:func:`refuse_gone`).
    * ``versions`` (id → version) are remembered per run: a save sends the version the screen
      showed (the previous run's), not the one just read — the one the other person's save made.
    """
    shown_key = f"_shown_versions:{key}"
    wanted = st.session_state.get(key)  # the browser's pick, decoded with the options it was shown with
    shown = st.session_state.get(shown_key, {})
    labels = unique_labels(options)
    value = st.selectbox(label, list(labels), key=key, format_func=labels.get, **kwargs)
    if versions is not None:
        st.session_state[shown_key] = {int(i): int(v) for i, v in versions.items()}
    if wanted is not None and wanted not in labels:
        return Picked(wanted, shown.get(wanted), gone=True)
    picked = wanted if wanted is not None else value
    return Picked(picked, shown.get(picked) if versions is not None else None)


def refuse_gone(loc: str) -> None:
    """The picked row left the list since the screen showed it: say so next to the form, write nothing."""
    st.error(refusal_text(EditError("edit.gone"), loc))


def show_flash(*, toast: bool = True) -> str | None:
    """The message of the last successful edit, shown once (a success box and a toast).

    The box sits in a container drawn on every run, message or not: without it the elements below
    would move up one place on the run after the message and Streamlit, which knows an element by
    its place, would draw them anew — an open expander closed, the form the person was in gone."""
    flash = st.session_state.pop(FLASH_KEY, None)
    slot = st.container()
    if flash:
        slot.success(flash, icon=":material/check_circle:")
        if toast:
            st.toast(flash)
    return flash


def today_in_district() -> dt.date:
    """"Not in the future" is judged on the district's date, not the server's."""
    from dashboard.queries.dates import district_today

    return district_today()
