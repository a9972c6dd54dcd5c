"""The figures of 荐优纳新推评制 on the date: the four KPI cards with their definitions, the people per
stage, the tables by township and by enterprise, the usual periods behind 超期, the Excel file."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.development import names_visible
from dashboard.ui import data, exports
from dashboard.ui.brief import scope_label
from dashboard.ui.sections import Context
from dashboard.ui.widgets import kpi_card, kpi_row
from dashboard.ui.widgets import table as fitted
from dashboard.views import development as V


def names(ctx: Context):
    """Whose names this user sees: by their role and their own scope (never the sidebar filter)."""
    return names_visible(ctx.user.role, ctx.user.scope)


def figures(ctx: Context) -> bool:
    """The cards and the tables; False when the scope has no recommendation yet (the page says so)."""
    loc = ctx.loc
    st.caption(V.intro(ctx.as_of, loc))
    st.caption(t("development.privacy", loc))
    f = data.development_figures(ctx.url, ctx.scope, ctx.as_of)
    if f.by_township.empty:
        st.info(t("development.none", loc))
        return False
    for col, card in zip(kpi_row("development", 4), V.kpi_cards(f.overall, f.year, loc), strict=True):
        with col:
            kpi_card(card.label, card.value, card.detail, delta=None, help=card.definition)
    left, right = st.columns([1, 4])
    with left:
        st.markdown(f"**{t('development.stages', loc)}**")
        st.dataframe(V.stages_table(f.overall, loc), hide_index=True, width="stretch")
        st.download_button(t("development.export", loc), icon=":material/download:", mime=exports.XLSX_MIME,
                           data=exports.development_excel_callable(ctx.url, ctx.scope, ctx.as_of, names(ctx), loc,
                                                                   scope_label(ctx.filters, loc)),
                           file_name=f"development_{ctx.as_of.isoformat()}.xlsx", key="development_export", on_click="ignore")
    with right:
        by_town, by_ent, rules = st.tabs([t("development.tab.township", loc), t("development.tab.enterprise", loc),
                                          t("development.tab.rules", loc)])
        with by_town:
            fitted(V.township_table(f.by_township, f.overall, f.year, loc), header_cap=72,  # ten columns fit at 1440 px
                   height=35 * (len(f.by_township) + 2) + 3)
        with by_ent:
            st.caption(t("development.enterprise.note", loc, n=f.enterprises, shown=len(f.by_enterprise)))
            st.dataframe(V.enterprise_table(f.by_enterprise, f.year, loc), hide_index=True, width="stretch")
        with rules:
            st.dataframe(V.rules_table(loc), hide_index=True, width="stretch")
            for label, text in V.definitions(f.year, loc):
                st.markdown(f"**{label}**：{text}" if loc != "en" else f"**{label}**: {text}")
    return True
