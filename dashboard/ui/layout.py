"""Shared page furniture: header with district name, demo badge, as-of date and language switch."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_date, t
from dashboard.ui import state
from dashboard.ui.widgets import escape_markdown


def header(info: dict[str, str]):
    """Draw the header; returns the current locale and a slot for the as-of badge."""
    box = st.container(key="app_header")  # the presentation mode hides it by this key
    title_col, badge_col, lang_col = box.columns([6, 3, 2], vertical_alignment="center")
    with lang_col:
        locale = state.language_switch()
    district = info.get("district_name", "")
    with title_col:
        st.markdown(f"### {t('app.title', locale)} · {escape_markdown(district)}" if district
                    else f"### {t('app.title', locale)}")
    with badge_col:
        if info.get("dataset") in ("demo", "scale"):
            st.badge(t("app.demo_badge", locale), color="orange", icon=":material/science:",
                     help=t("app.demo_help", locale))
        asof_slot = st.empty()
    return locale, asof_slot


def show_asof(slot, filters: state.Filters) -> None:
    """Fill the header's as-of badge (the date is known only after the sidebar filters ran)."""
    slot.badge(t("app.asof_badge_base", filters.locale, date=fmt_date(filters.as_of, filters.locale),
                 base=t(f"base.{filters.base.value}", filters.locale)), color="gray", icon=":material/event:")
