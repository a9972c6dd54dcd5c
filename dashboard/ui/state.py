"""Global filters kept in the URL: ``town`` (repeatable township code), ``asof``, ``base`` (the
党建基数: ``sanyou`` or ``all``; absent: the setting ``default_base``), ``lang``.

A link reproduces the view: on the first run of a session the URL sets the filters; afterwards
every run writes the filters back to the URL, so changing a filter updates it and the filters
survive page switches. ``asof`` uses Streamlit's binding (``bind="query-params"``); ``town``
and ``lang`` are synced here because their URL values are codes (``YB``, ``en``) while the
widgets show names. Unknown or malformed URL values are ignored with a visible notice, which
names them as text (escaped, never a link or an image) and cut to 40 characters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.i18n import DEFAULT_LOCALE, LANGS, locale_of, t
from dashboard.queries.dates import district_today
from dashboard.queries.scope import Scope
from dashboard.ui.widgets import untrusted
from models.enums import Base
from models.settings import get_settings

MIN_ASOF = dt.date(1998, 1, 1)
NOTICES_KEY = "_url_notices"


@dataclass(frozen=True)
class Filters:
    scope: Scope  # what the pages query: the user's scope narrowed by the township filter
    township_codes: tuple[str, ...]
    as_of: dt.date
    locale: str

    @property
    def base(self) -> Base:
        """The 党建基数 the figures count over (carried by ``scope``)."""
        return self.scope.base


INIT_KEY = "_filters_from_url"


def init_lang() -> None:
    """The language from the URL, once per session (the login page is already translated)."""
    if "lang" not in st.session_state:
        lang = st.query_params.get("lang")
        st.session_state["lang"] = lang if lang in LANGS else "zh"


def init_from_url(townships: pd.DataFrame, user_scope: Scope, today: dt.date | None = None) -> None:
    """First run after login: the URL sets the filters (before any widget exists).

    Township codes outside the user's scope are refused like unknown ones, with their own notice.
    """
    if st.session_state.get(INIT_KEY):
        return
    st.session_state[INIT_KEY] = True
    today = today or district_today()
    allowed = townships if user_scope.township_ids is None else townships[townships["id"].isin(user_scope.township_ids)]
    st.session_state[NOTICES_KEY] = _check_url(set(townships["code"]), set(allowed["code"]), today)
    st.session_state["town"] = [c for c in dict.fromkeys(st.query_params.get_all("town")) if c in set(allowed["code"])]
    raw_base = st.query_params.get("base")
    st.session_state["base"] = raw_base if raw_base in BASES else default_base()


#: the 党建基数 choices, official first
BASES = tuple(b.value for b in Base)


def default_base() -> str:
    """The base a page opens on without ``base`` in the URL: the setting ``default_base`` (三有)."""
    return get_settings().default_base


PENDING_TOWNSHIPS = "_pending_townships"


def request_townships(codes: list[str]) -> None:
    """Ask for a new township filter from a page (e.g. a click on the map) and rerun; the filter
    widget has already been drawn in this run, so the change is applied at the start of the next."""
    st.session_state[PENDING_TOWNSHIPS] = list(codes)
    st.rerun()


def apply_pending_townships() -> None:
    pending = st.session_state.pop(PENDING_TOWNSHIPS, None)
    if pending is not None:
        st.session_state["town"] = pending
        _clear_notices()


def _write_url(township_codes: tuple[str, ...], lang: str, base: str | None = None) -> None:
    if township_codes:
        if st.query_params.get_all("town") != list(township_codes):
            st.query_params["town"] = list(township_codes)
    elif "town" in st.query_params:
        del st.query_params["town"]
    if base is not None and base != default_base():
        if st.query_params.get("base") != base:
            st.query_params["base"] = base
    elif "base" in st.query_params:
        del st.query_params["base"]
    if lang != "zh":
        if st.query_params.get("lang") != lang:
            st.query_params["lang"] = lang
    elif "lang" in st.query_params:
        del st.query_params["lang"]


def current_locale() -> str:
    return locale_of(st.session_state.get("lang"))


def _clear_notices() -> None:
    st.session_state.pop(NOTICES_KEY, None)


def _check_url(township_codes: set[str], allowed_codes: set[str], today: dt.date) -> list[str]:
    """Notices for URL values that will be ignored (read before the widgets exist)."""
    loc = current_locale()
    notices = []
    given = st.query_params.get_all("town")
    unknown = [c for c in given if c not in township_codes]
    forbidden = [c for c in given if c in township_codes and c not in allowed_codes]
    # every value below comes from a link anyone can craft: named as text, capped (ui.widgets.untrusted)
    if unknown:
        notices.append(t("notice.bad_township", loc, codes=untrusted("、".join(sorted(set(unknown))))))
    if forbidden:
        notices.append(t("notice.forbidden_township", loc, codes=untrusted("、".join(sorted(set(forbidden))))))
    raw = st.query_params.get("asof")
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
            if not (MIN_ASOF <= day <= today) or len(raw) != 10:
                raise ValueError(raw)
        except ValueError:
            notices.append(t("notice.bad_asof", loc, value=untrusted(raw), lo=MIN_ASOF.isoformat(), hi=today.isoformat()))
    base = st.query_params.get("base")
    if base is not None and base not in BASES:
        notices.append(t("notice.bad_base", loc, value=untrusted(base)))
    lang = st.query_params.get("lang")
    if lang is not None and lang not in LANGS:
        notices.append(t("notice.bad_lang", loc, value=untrusted(lang)))
    return notices


def language_switch() -> str:
    st.segmented_control(
        t("filter.lang", current_locale()), options=list(LANGS), required=True,
        format_func=lambda v: {"zh": "简体中文", "en": "English"}[v], key="lang",
        label_visibility="collapsed", on_change=_clear_notices,
    )
    return current_locale()


def sidebar_filters(townships: pd.DataFrame, user_scope: Scope, today: dt.date | None = None) -> Filters:
    """Township and as-of filters in the sidebar; returns the effective filters."""
    today = today or district_today()
    if user_scope.township_ids is not None:
        townships = townships[townships["id"].isin(user_scope.township_ids)]
    codes = dict(zip(townships["code"], townships["id"], strict=True))
    names = dict(zip(townships["code"], townships["name"], strict=True))
    apply_pending_townships()
    st.session_state["town"] = [c for c in st.session_state.get("town", []) if c in codes]
    loc = current_locale()
    with st.sidebar:
        chosen = st.multiselect(
            t("filter.township", loc), options=list(codes), format_func=lambda c: names.get(c, c),
            placeholder=(t("filter.township_placeholder", loc) if user_scope.township_ids is None
                         else t("filter.own_townships", loc, names="、".join(names.values()))),
            help=t("filter.township_help", loc),
            key="town", on_change=_clear_notices,
        )
        as_of = st.date_input(
            t("filter.asof", loc), value=today, min_value=MIN_ASOF, max_value=today, format="YYYY-MM-DD",
            help=t("filter.asof_help", loc), key="asof", bind="query-params", on_change=_clear_notices,
        )
        if st.session_state.get("base") not in BASES:
            st.session_state["base"] = default_base()
        base = st.segmented_control(
            t("filter.base", loc), options=list(BASES), format_func=lambda b: t(f"base.{b}", loc), required=True,
            help=t("filter.base_help", loc, min=get_settings().base_min_employees), key="base",
            on_change=_clear_notices,
        )
    if not isinstance(as_of, dt.date):  # cleared input: back to the default
        as_of = today
    chosen = tuple(c for c in chosen if c in codes)
    base = base if base in BASES else default_base()
    _write_url(chosen, st.session_state.get("lang", "zh"), base)
    scope = user_scope.narrow(codes[c] for c in chosen) if chosen else user_scope
    return Filters(scope=scope.with_base(base), township_codes=chosen, as_of=as_of, locale=loc)


def show_url_notices() -> None:
    for notice in st.session_state.get(NOTICES_KEY, []):
        st.warning(notice, icon="⚠️")


__all__ = ["Filters", "init_lang", "init_from_url", "sidebar_filters", "language_switch", "current_locale", "show_url_notices",
           "DEFAULT_LOCALE"]
