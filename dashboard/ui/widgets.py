"""Small reusable Streamlit components."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t

STATUS_COLOURS = {"red": "red", "gap": "red", "amber": "orange", "green": "green"}


def kpi_card(label: str, value: str, detail: str, *, delta: str | None, help: str, delta_color: str = "normal") -> None:
    with st.container(border=True):
        st.metric(label, value, delta=delta, delta_color=delta_color, help=help)
        st.caption(detail)


def status_badge(status: str, locale: str) -> None:
    """Red/amber/green always with its text label (逾期 / 临期 / 正常)."""
    st.badge(t(f"alerts.status.{status}", locale), color=STATUS_COLOURS[status], icon=None)


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def escape_markdown(text: str) -> str:
    """Data (names from the database or an import) shown inside Markdown, never interpreted."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
