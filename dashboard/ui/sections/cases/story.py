"""A case study's story (left) and its key facts with the one-page PDF (right)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.cases import CaseDetail
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views.cases import key_facts, label_sep, story_parts


def render(ctx: Context, detail: CaseDetail) -> None:
    loc = ctx.loc
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"#### {t('cases.story', loc)}")
        headline = detail.headline(loc)
        if headline:
            st.markdown(f"**{escape_markdown(headline)}**")
        parts = story_parts(detail, loc)
        for part in parts:
            st.markdown(escape_markdown(part))
        if parts and detail.from_source:
            st.caption(t("cases.story_source", loc))
        elif not parts:
            st.caption(t("cases.story_missing", loc))
    with right:
        st.markdown(f"#### {t('cases.facts', loc)}")
        sep = label_sep(loc)
        st.markdown("\n".join(f"- **{escape_markdown(label)}**{sep}{escape_markdown(value)}"
                              for label, value in key_facts(detail, loc)))
        pdf_button(ctx, detail)


def pdf_button(ctx: Context, detail: CaseDetail) -> None:
    """The one-page PDF, made when clicked; without a CJK font, what to install instead."""
    from dashboard.exports.fonts import FontMissing, cjk_font

    loc = ctx.loc
    try:
        cjk_font()
    except FontMissing as exc:
        st.warning(t("cases.pdf.missing", loc, reason=str(exc)))
        return
    demo = data.dataset_info(ctx.url).get("dataset") in ("demo", "scale")

    def build() -> bytes:
        from dashboard.exports.case_pdf import case_pdf

        return case_pdf(detail, loc, demo=demo)

    st.download_button(t("cases.pdf.button", loc), data=build, file_name=f"case_{detail.enterprise_id}_{ctx.as_of}.pdf",
                       mime="application/pdf", icon=":material/print:", help=t("cases.pdf.help", loc),
                       key="cases_pdf", type="primary", on_click="ignore")
