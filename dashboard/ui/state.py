"""Global filters kept in the URL: ``town`` (repeatable township code), ``asof``, ``lang``.

The widgets are bound to the query parameters (``bind="query-params"``), so a link reproduces
the view, changing a filter updates the URL and the filters survive page switches. Values in the
URL that are unknown or malformed are dropped by the binding; this module reads the raw URL
first so that the user sees a notice saying what was ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.i18n import DEFAULT_LOCALE, LANGS, fmt_date, locale_of, t
from dashboard.queries.scope import Scope

MIN_ASOF = dt.date(1998, 1, 1)
NOTICES_KEY = "_url_notices"


@dataclass(frozen=True)
class Filters:
    scope: Scope  # what the pages query: the user's scope narrowed by the township filter
    town_codes: tuple[str, ...]
    as_of: dt.date
    locale: str


def current_locale() -> str:
    value = st.session_state.get("lang")
    if value is None:
        raw = st.query_params.get("lang")
        value = raw if raw in LANGS else None
    return locale_of(value)


def _clear_notices() -> None:
    st.session_state.pop(NOTICES_KEY, None)


def _check_url(town_codes: set[str], today: dt.date) -> list[str]:
    """Notices for URL values the bound widgets will ignore (read before the widgets exist)."""
    loc = current_locale()
    notices = []
    bad = [c for c in st.query_params.get_all("town") if c and c not in town_codes]
    if bad:
        notices.append(t("notice.bad_town", loc, codes="、".join(sorted(set(bad)))))
    raw = st.query_params.get("asof")
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
            if not (MIN_ASOF <= day <= today) or len(raw) != 10:
                raise ValueError(raw)
        except ValueError:
            notices.append(t("notice.bad_asof", loc, value=raw, lo=MIN_ASOF.isoformat(), hi=today.isoformat()))
    lang = st.query_params.get("lang")
    if lang and lang not in LANGS:
        notices.append(t("notice.bad_lang", loc, value=lang))
    return notices


def language_switch() -> str:
    st.segmented_control(
        t("filter.lang", current_locale()), options=list(LANGS), default="zh", required=True,
        format_func=lambda v: {"zh": "简体中文", "en": "English"}[v], key="lang", bind="query-params",
        label_visibility="collapsed", on_change=_clear_notices,
    )
    return current_locale()


def sidebar_filters(towns: pd.DataFrame, user_scope: Scope, today: dt.date | None = None) -> Filters:
    """Township and as-of filters in the sidebar; returns the effective filters."""
    today = today or dt.date.today()
    if user_scope.township_ids is not None:
        towns = towns[towns["id"].isin(user_scope.township_ids)]
    codes = dict(zip(towns["code"], towns["id"], strict=True))
    names = dict(zip(towns["code"], towns["name"], strict=True))
    if NOTICES_KEY not in st.session_state:
        st.session_state[NOTICES_KEY] = _check_url(set(codes), today)
    loc = current_locale()
    with st.sidebar:
        chosen = st.multiselect(
            t("filter.town", loc), options=list(codes), format_func=lambda c: names.get(c, c),
            placeholder=t("filter.town_placeholder", loc), help=t("filter.town_help", loc),
            key="town", bind="query-params", on_change=_clear_notices,
        )
        as_of = st.date_input(
            t("filter.asof", loc), value=today, min_value=MIN_ASOF, max_value=today, format="YYYY-MM-DD",
            help=t("filter.asof_help", loc), key="asof", bind="query-params", on_change=_clear_notices,
        )
    if not isinstance(as_of, dt.date):  # cleared input: back to the default
        as_of = today
    chosen = tuple(c for c in chosen if c in codes)
    scope = user_scope.narrow(codes[c] for c in chosen) if chosen else user_scope
    return Filters(scope=scope, town_codes=chosen, as_of=as_of, locale=loc)


def show_url_notices() -> None:
    for notice in st.session_state.get(NOTICES_KEY, []):
        st.warning(notice, icon="⚠️")


def asof_label(filters: Filters) -> str:
    return t("app.asof_badge", filters.locale, date=fmt_date(filters.as_of, filters.locale))


__all__ = ["Filters", "sidebar_filters", "language_switch", "current_locale", "show_url_notices", "asof_label",
           "DEFAULT_LOCALE"]
