"""The drill-down under the map: the patterns of the selected townships (the current scope), a tab
per gap (应建未建, 未建会, 仅有工会) listing its enterprises with a suggested next step, and a tab
per rule check (a Party organisation below its level, an own union due, a joint branch too large)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.checks import CHECKS
from dashboard.queries.coverage import kpis_from_counts
from dashboard.ui import chart, data
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.ui.widgets import table as fitted
from dashboard.views.coverage_map import (
    GAPS,
    check_frame,
    check_tab_label,
    drill_names,
    gap_frame,
    gap_more_text,
    gap_tab_label,
    pattern_caption,
)


def render(ctx: Context) -> None:
    loc, url, scope, as_of = ctx.loc, ctx.url, ctx.scope, ctx.as_of
    whole = data.coverage_by_township(url, ctx.whole, as_of)  # names of every township the user may see
    st.markdown(f"#### {t('map.drill_title', loc, names=escape_markdown(drill_names(whole, ctx.township_codes, loc)))}")
    if not ctx.township_codes:
        st.info(t("map.drill_hint", loc))
    k = kpis_from_counts(data.coverage_by_township(url, scope, as_of), as_of, scope.base)
    # no enterprise at all: nothing to show; none in the 三有 base only: the rule checks (every
    # enterprise) still are
    if k.operating == 0 and int(data.coverage_by_township(url, ctx.register, as_of)["operating"].sum()) == 0:
        st.info(t("empty.township", loc))
        return
    a, b = st.columns([1, 2])
    with a:
        chart.show("pattern_bar", k.patterns, loc)
        st.caption(pattern_caption(k.patterns, loc))
    with b:
        township_names = dict(zip(whole["township_id"], whole["name"], strict=True))
        found = {check: getattr(data, f"check_{check}")(url, scope, as_of) for check in CHECKS}
        tabs = st.tabs([gap_tab_label(p, k.patterns[p], loc) for p in GAPS]
                       + [check_tab_label(c, found[c][1], loc) for c in CHECKS])
        for tab, check in zip(tabs[len(GAPS):], CHECKS, strict=True):
            rows, total = found[check]
            with tab:
                st.caption(t(f"check.{check}.def", loc))
                if rows.empty:
                    st.success(t("map.no_gaps", loc))
                    continue
                fitted(check_frame(check, rows, township_names, loc), header_cap=72,
                       caps={t("col.enterprise", loc): 180, t("col.next_step", loc): 190})
                if total > len(rows):
                    st.caption(t("check.more", loc, shown=len(rows), total=total))
        for tab, pattern in zip(tabs, GAPS, strict=False):
            with tab:
                gaps = data.gap_enterprises(url, scope, as_of, pattern.value)
                if gaps.empty:
                    st.success(t("map.no_gaps", loc))
                    continue
                frame = gap_frame(gaps, pattern, township_names, loc)
                barrier = t("col.barrier", loc)  # the next step before the difficulty: what to do is read first
                fitted(frame, column_order=[c for c in frame.columns if c != barrier] + [barrier],
                       caps={t("col.enterprise", loc): 170, t("col.next_step", loc): 180}, header_cap=72)
                more = gap_more_text(len(gaps), k.patterns[pattern], loc)
                if more:
                    st.caption(more)
