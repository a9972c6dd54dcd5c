"""The sections of 典型案例 (``app_pages/cases.py``): the gallery of model enterprises and the form to
designate another one; one case study (``?case=<enterprise id>``) in parts — its header, story and key
facts with the PDF, timeline, honours and activities, the comparison — and the staff's removal form
with the designation record. Texts and tables come from ``dashboard.views.cases``."""

from __future__ import annotations

import streamlit as st

from dashboard.edits.cases import DESIGNATORS, set_designation
from dashboard.i18n import t
from dashboard.queries.cases import CaseDetail
from dashboard.ui import data
from dashboard.ui.edit import run_edit, show_flash, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.widgets import untrusted
from dashboard.views.cases import case_id


def open_case(enterprise_id: int) -> None:
    st.query_params["case"] = str(enterprise_id)


def close_case() -> None:
    st.query_params.pop("case", None)


def can_edit(ctx: Context) -> bool:
    """Staff and administrators designate and remove models; a leader only reads."""
    return ctx.user.can(*DESIGNATORS)


def case_from_url(ctx: Context) -> CaseDetail | None:
    """The case the URL names (``?case=``), when it is a model the user may see as of the date; else
    None — and, for a value that names none, a notice (shown once: the URL no longer points at it)."""
    raw = st.query_params.get("case")
    if raw is None:
        return None
    eid = case_id(raw)
    detail = None if eid is None else data.case_detail(ctx.url, ctx.whole, eid, ctx.as_of)
    if detail is None:
        st.warning(t("cases.bad_case", ctx.loc, value=untrusted(raw)))
        close_case()
    return detail


def apply_designation(ctx: Context, enterprise_id: int, designated: bool, reason: str) -> None:
    """Designate (or remove) a model through the one edit runner; a removal leaves the case, which is
    no longer a model, for the gallery."""
    run_edit(set_designation, loc=ctx.loc, saved=t(f"cases.saved.{'designate' if designated else 'remove'}", ctx.loc),
             then=None if designated else close_case,
             enterprise_id=enterprise_id, designated=designated, reason=reason)


def show_saved(ctx: Context) -> None:
    """The message of the last designation; a designation counts from the district's date it was made
    on, so an earlier as-of date does not show it yet (said under the message)."""
    if show_flash() and ctx.as_of < today_in_district():
        st.caption(t("cases.future_note", ctx.loc))
