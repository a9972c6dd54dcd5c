"""覆盖地图 / coverage map: township choropleth, tiles, and the drill-down to gap enterprises."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.i18n import fmt_int, fmt_pct, t
from dashboard.queries.coverage import MAP_COLUMNS, RATE_METRICS, kpis_from_counts, township_map_frame
from dashboard.ui import chart, data, state
from models import rules
from models.enums import Pattern

filters = st.session_state["filters"]
loc, scope, as_of = filters.locale, filters.scope, filters.as_of
url = data.database_url()
user_scope = st.session_state["user"].scope

METRICS = ("union_coverage", "membership", "party_coverage", "work_coverage", "should_build")
GAPS = (Pattern.SHOULD_BUILD, Pattern.NO_UNION, Pattern.UNION_ONLY)
#: union figures in blue, Party figures in red, the combined one in purple, the gap count in orange
MAP_SCHEMES = {"union_coverage": "blues", "membership": "blues", "party_coverage": "reds", "work_coverage": "purples",
               "should_build": "oranges"}

st.subheader(t("map.page_title", loc))
metric = st.segmented_control(t("map.metric", loc), METRICS, default="union_coverage", required=True,
                              format_func=lambda m: t(f"kpi.{m}", loc) if m != "should_build" else t("pattern.should_build", loc),
                              key="map_metric")
is_rate = metric in RATE_METRICS
label = t(f"kpi.{metric}", loc) if is_rate else t("map.should_build_count", loc)
definition = t(f"kpi.{metric}.def", loc) if is_rate else t("map.should_build_def", loc)

# the map shows every township the user may see; the filter only outlines the selection
whole = data.coverage_by_township(url, user_scope, as_of)
values = township_map_frame(whole, data.townships(url), metric)

left, right = st.columns([3, 1])
with left:
    event = chart.show("township_map", values[MAP_COLUMNS],
                       loc, value_col="value", value_title=label, fmt=".1%" if is_rate else ",d", height=460,
                       selected=filters.township_codes, selectable=True, scheme=MAP_SCHEMES[metric],
                       key="map_select", on_select="rerun")
    townships_all = data.townships(url)
    schematic = bool(townships_all["boundary_is_schematic"].astype(bool)[townships_all["boundary_geojson"].notna()].any())
    st.caption(f"{definition} {t('map.click_hint', loc)}" + (f" {t('map.schematic', loc)}" if schematic else ""))
with right:
    st.markdown(f"**{t('map.tiles', loc)}**", help=t("map.tiles_help", loc))
    tiles = pd.DataFrame({
        t("col.township", loc): values["name"],
        label: [(fmt_pct(v, loc) if is_rate else fmt_int(v)) if pd.notna(v) else "—" for v in values["value"]],
        t("map.fraction", loc): [f"{fmt_int(n)} / {fmt_int(d)}" for n, d in zip(values["numerator"], values["denominator"], strict=True)],
        t("map.boundary", loc): [t("map.has_boundary", loc) if isinstance(g, str) and g else t("map.no_boundary", loc)
                                 for g in values["boundary_geojson"]],
    })
    st.dataframe(tiles, hide_index=True, width="stretch", height=min(36 * (len(tiles) + 1) + 2, 460))
    missing = values[values["boundary_geojson"].isna()]["name"].tolist()
    if missing:
        st.warning(t("map.no_geometry", loc, names="、".join(missing)))

# a click on a township sets the global township filter (and the URL); a new click replaces it
selection = (event or {}).get("selection", {}) or {}
picked = [p.get("code") for p in (selection.get(charts.MAP_SELECTION) or []) if isinstance(p, dict) and p.get("code")]
if tuple(picked) != st.session_state.get("_map_last_pick", ()):
    st.session_state["_map_last_pick"] = tuple(picked)
    if picked and tuple(picked) != filters.township_codes:
        state.request_townships(picked)

# ------------------------------------------------------------------ drill-down
names = "、".join(whole[whole["code"].isin(filters.township_codes)]["name"]) if filters.township_codes else t("filter.township_placeholder", loc)
st.markdown(f"#### {t('map.drill_title', loc, names=names)}")
if not filters.township_codes:
    st.info(t("map.drill_hint", loc))
by_township = data.coverage_by_township(url, scope, as_of)
k = kpis_from_counts(by_township, as_of)
if k.operating == 0:
    st.info(t("empty.township", loc))
    st.stop()
a, b = st.columns([2, 3])
with a:
    chart.show("pattern_bar", k.patterns, loc)
    st.caption(" · ".join(f"{t(f'pattern.{p.value}', loc)} {fmt_int(k.patterns[p])} {t('unit.enterprises', loc)}"
                          for p in Pattern))
with b:
    township_names = dict(zip(whole["township_id"], whole["name"], strict=True))
    tabs = st.tabs([t("map.tab", loc, label=t(f"pattern.{p.value}", loc), n=fmt_int(k.patterns[p])) for p in GAPS])
    for tab, pattern in zip(tabs, GAPS, strict=True):
        with tab:
            gaps = data.gap_enterprises(url, scope, as_of, pattern.value)
            if gaps.empty:
                st.success(t("map.no_gaps", loc))
                continue
            view = pd.DataFrame({
                t("col.enterprise", loc): gaps["name"],
                t("col.township", loc): gaps["township_id"].map(township_names),
                t("col.party_members", loc): gaps["party_members"],
                t("col.employees", loc): gaps["employees"],
                t("col.barrier", loc): [t(f"barrier.{b}", loc) if isinstance(b, str) else "—" for b in gaps["barrier"]],
                t("col.next_step", loc): [t(f"next.{rules.next_step(pattern, int(m), has_union=bool(u))}", loc)
                                          for m, u in zip(gaps["party_members"], gaps["has_union"], strict=True)],
            })
            st.dataframe(view, hide_index=True, width="stretch")
            if k.patterns[pattern] > len(gaps):
                st.caption(t("map.more_in_ledger", loc, shown=fmt_int(len(gaps)), total=fmt_int(k.patterns[pattern])))
