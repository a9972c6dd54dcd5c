"""Small reusable Streamlit components."""

from __future__ import annotations

import re

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
    return word_badge_markdown(t(f"alerts.status.{status}", locale), status)


def word_badge_markdown(word: str, status: str) -> str:
    """A badge of ``status``'s colour with its own word (a campaign zone's pace: ``:red-badge[落后]``)."""
    return f":{BADGE_COLOURS[COLOUR[status]]}-badge[{escape_markdown(word)}]"


#: what a backslash escapes in Markdown (CommonMark escapes any ASCII punctuation; these are the
#: ones that mean something: emphasis, links and images, HTML, headings, lists, tables, code,
#: Streamlit's ``:colour[…]`` and ``:material/…:``, KaTeX ``$``, setext ``=``, entities ``&``)
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:=&"
#: U+2060 WORD JOINER: invisible and unbreakable. Streamlit's Markdown turns ``http://…``,
#: ``www.…`` and ``name@host`` into links *after* resolving backslash escapes, and shows
#: ``\:material/…:`` as an icon: a joiner after a colon followed by a letter or ``/`` (``http:``,
#: ``:material``), after ``www`` and before ``@`` breaks those patterns while the reader sees the
#: text unchanged.
JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=[/a-z])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
#: the longest value from the URL repeated in a notice
URL_VALUE_MAX = 40


def escape_markdown(text, *, limit: int | None = None) -> str:
    """Data (from the database, an import or the URL) shown inside Markdown, never interpreted:
    every Markdown character escaped and every autolink pattern broken (see :data:`JOINER`), so
    a saved ``[点此](http://…)``, a bare URL or an e-mail address shows as the text it is, never
    as a link, an image, HTML or an icon. ``limit``: at most that many characters, then "…"."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    text = _AUTOLINK.sub(JOINER, text)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def untrusted(value, limit: int = URL_VALUE_MAX) -> str:
    """A value from the URL (anyone can craft a link) named in a message: on one line, at most
    ``limit`` characters (then "…"), escaped like :func:`escape_markdown`."""
    return escape_markdown(" ".join(str(value).split()), limit=limit)
