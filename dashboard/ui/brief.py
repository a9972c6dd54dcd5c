"""The meeting-brief downloads (PDF, PPTX, Word): a meeting picker and three buttons, used by the
presentation mode and the meetings page. The documents are built only when a button is clicked
(deferred download) and cached by database, scope, meeting, date, language and model."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.exports.fonts import FontMissing, cjk_font
from dashboard.i18n import fmt_date, t
from dashboard.queries import brief as briefq
from dashboard.queries.scope import Scope
from dashboard.ui import data
from models.settings import get_settings

TTL = data.TTL


@st.cache_data(ttl=TTL, show_spinner=False)
def _choices(url: str, as_of: dt.date, epoch: int = 0):
    """The meetings a brief can be about (``epoch``: ``data.epoch()``, stale after a write that makes everything stale)."""
    with data.session(url) as s:
        return briefq.meeting_choices(s, as_of)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def document(url: str, scope: Scope, as_of: dt.date, meeting_id: int | None, locale: str, scope_label: str,
             kind: str, generation: tuple = ()) -> bytes:
    """The brief as ``kind`` = ``pdf``, ``pptx`` or ``docx``; ``generation`` (``data.generation(scope)``) makes
    it stale after a write of the scope's townships, as every cached read is."""
    from dashboard.exports import brief as export

    with data.session(url) as s:
        b = briefq.meeting_brief(s, scope, as_of, meeting_id=meeting_id)
    if b is None:
        raise ValueError(t("brief.unknown_meeting", locale))
    info = data.dataset_info(url)
    ctx = export.BriefContext(locale, info.get("district_name", ""), scope_label, info.get("dataset") in ("demo", "scale"),
                              data.pace_margin())
    images = export.chart_images(b, locale, data.townships(url))
    if kind == "docx":
        from dashboard.exports.brief_docx import brief_docx

        settings = get_settings()
        return brief_docx(b, ctx, images, doc_no=settings.brief_doc_no, issuer=settings.brief_issuer)
    return export.brief_pdf(b, ctx, images) if kind == "pdf" else export.brief_pptx(b, ctx, images)


def scope_label(filters, locale: str) -> str:
    """What the figures cover: 全区 for the whole district, else the townships of the scope by name
    (a township account without a filter sees its own townships, not 全区)."""
    ids = filters.scope.township_ids
    if ids is None:
        return t("present.whole_district", locale)
    townships = data.townships(data.database_url())
    names = [n for i, n in zip(townships["id"], townships["name"], strict=True) if int(i) in ids]
    return "、".join(names) if names else t("present.no_township", locale)


def figures_label(filters, locale: str) -> str:
    """:func:`scope_label` and the 党建基数 its coverage figures count over: "全区 · 三有企业"."""
    return f"{scope_label(filters, locale)} · {t(f'base.{filters.scope.base.value}', locale)}"


def popover(filters, *, key: str = "brief") -> None:
    """The brief downloads in a popover button (for a page's title row)."""
    loc = filters.locale
    with st.popover(t("brief.download", loc), icon=":material/description:"):
        downloads(scope=filters.scope, as_of=filters.as_of, locale=loc, scope_label=figures_label(filters, loc), key=key)


def _deferred(url, scope, as_of, meeting_id, locale, scope_label, kind):
    return lambda: document(url, scope, as_of, meeting_id, locale, scope_label, kind, data.generation(scope))


def downloads(*, scope: Scope, as_of: dt.date, locale: str, scope_label: str, key: str = "brief") -> None:
    """A meeting picker (the next meeting, or any district meeting held by ``as_of``) and the
    PDF / PPTX / Word download buttons."""
    url = data.database_url()
    try:
        cjk_font()
    except FontMissing as exc:
        st.warning(str(exc))
        return
    meetings = _choices(url, as_of, data.epoch())
    options = [None, *[int(i) for i in meetings["id"]]]
    names = {int(r.id): f"{fmt_date(r.held_on, locale)} {r.title}" for r in meetings.itertuples(index=False)}
    chosen = st.selectbox(t("brief.meeting", locale), options, key=f"{key}_meeting",
                          format_func=lambda m: t("brief.meeting_next", locale, date=fmt_date(as_of, locale))
                          if m is None else names[m], help=t("brief.help", locale))
    stamp = (as_of if chosen is None else next(r.held_on for r in meetings.itertuples(index=False) if r.id == chosen))
    base = f"brief_{stamp.isoformat()}"
    left, middle, right = st.columns(3)
    left.download_button(t("brief.pdf", locale), _deferred(url, scope, as_of, chosen, locale, scope_label, "pdf"),
                         file_name=f"{base}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:",
                         key=f"{key}_pdf", on_click="ignore", width="stretch")
    middle.download_button(t("brief.pptx", locale), _deferred(url, scope, as_of, chosen, locale, scope_label, "pptx"),
                           file_name=f"{base}.pptx", icon=":material/slideshow:", key=f"{key}_pptx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           width="stretch")
    right.download_button(t("brief.docx", locale), _deferred(url, scope, as_of, chosen, locale, scope_label, "docx"),
                          file_name=f"{base}.docx", icon=":material/article:", key=f"{key}_docx", on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          width="stretch")
