"""Small reusable Streamlit components."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.views.status import COLOUR

#: Streamlit's name of each traffic-light colour (a status key's colour is ``views.status.COLOUR``)
BADGE_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


def kpi_card(label: str, value: str, detail: str, *, delta: str | None, help: str, delta_color: str = "normal") -> None:
    with st.container(border=True):
        st.metric(label, value, delta=delta, delta_color=delta_color, help=help)
        st.caption(detail)


def status_badge(status: str, locale: str) -> None:
    """Red/amber/green always with its text label (逾期 / 临期 / 正常)."""
    st.badge(t(f"alerts.status.{status}", locale), color=BADGE_COLOURS[COLOUR[status]], icon=None)


def status_badge_markdown(status: str, locale: str) -> str:
    """The same badge inline in a Markdown line: ``:red-badge[逾期]``."""
    return f":{BADGE_COLOURS[COLOUR[status]]}-badge[{escape_markdown(t(f'alerts.status.{status}', locale))}]"


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def escape_markdown(text: str) -> str:
    """Data (names from the database or an import) shown inside Markdown, never interpreted."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
