"""总览 / overview: the truth about coverage in ten seconds (DESIGN.md §9)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, fmt_pp, t
from dashboard.queries.coverage import MAP_COLUMNS, Rate, kpis_from_counts, township_map_frame
from dashboard.queries.dates import year_before
from dashboard.ui import chart, data
from dashboard.ui.widgets import escape_markdown, kpi_card, status_badge
from models.enums import Pattern

filters = st.session_state["filters"]
loc, scope, as_of = filters.locale, filters.scope, filters.as_of
url = data.database_url()
year_ago = year_before(as_of)

by_township = data.coverage_by_township(url, scope, as_of)
by_township_prev = data.coverage_by_township(url, scope, year_ago)
now, prev = kpis_from_counts(by_township, as_of), kpis_from_counts(by_township_prev, year_ago)
items, items_prev = data.action_item_counts(url, scope, as_of), data.action_item_counts(url, scope, year_ago)

if now.operating == 0:
    st.info(t("empty.township", loc) if filters.township_codes else t("empty.scope", loc))
    st.stop()


def _rate_delta(a: Rate, b: Rate) -> str | None:
    if a.value is None or b.value is None:
        return None
    return fmt_pp(a.value - b.value, loc)


# ------------------------------------------------------------------ row 1: KPI cards
cards = [
    ("union_coverage", now.union_coverage, prev.union_coverage, "unit.enterprises"),
    ("membership", now.membership, prev.membership, "unit.people"),
    ("party_coverage", now.party_coverage, prev.party_coverage, "unit.enterprises"),
    ("qualified_built", now.qualified_built, prev.qualified_built, "unit.enterprises"),
    ("work_coverage", now.work_coverage, prev.work_coverage, "unit.enterprises"),
]
cols = st.columns(6)
for col, (key, rate, before, unit) in zip(cols, cards, strict=False):
    with col:
        kpi_card(
            t(f"kpi.{key}", loc), fmt_pct(rate.value, loc),
            t("kpi.fraction", loc, num=fmt_int(rate.numerator), den=fmt_int(rate.denominator), unit=t(unit, loc)),
            delta=_rate_delta(rate, before), help=t(f"kpi.{key}.def", loc),
        )
with cols[5]:
    diff = items.overdue - items_prev.overdue
    kpi_card(
        t("kpi.overdue", loc), fmt_int(items.overdue),
        t("kpi.overdue_detail", loc, open=fmt_int(items.open), overdue=fmt_int(items.overdue)),
        delta=t("unit.count_delta", loc, value=f"{diff:+,}") if diff else None, help=t("kpi.overdue.def", loc),
        delta_color="inverse",
    )

# ------------------------------------------------------------------ row 2: patterns | mini map
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('pattern.title', loc)}**", help=t("pattern.help", loc))
    chart.show("pattern_bar", now.patterns, loc)
    st.caption(" · ".join(f"{t(f'pattern.{p.value}', loc)} {fmt_int(now.patterns[p])} {t('unit.enterprises', loc)}"
                          for p in Pattern))
with right:
    st.markdown(f"**{t('map.title', loc)}**", help=t("kpi.union_coverage.def", loc))
    townships = data.townships(url)
    m = township_map_frame(by_township, townships, "union_coverage")
    chart.show("township_map", m[MAP_COLUMNS], loc,
               value_col="value", value_title=t("kpi.union_coverage", loc))
    missing = m[m["boundary_geojson"].isna()]["name"].tolist()
    schematic = bool(townships["boundary_is_schematic"].astype(bool)[townships["boundary_geojson"].notna()].any())
    st.caption((t("map.schematic", loc) if schematic else "")
               + (" " + t("map.no_geometry", loc, names="、".join(missing)) if missing else ""))

# ------------------------------------------------------------------ campaign progress
progress = data.campaign_progress(url, scope, as_of)
if len(progress):
    first = progress.iloc[0]
    with st.container(border=True):
        st.markdown(f"**{t('campaign.title', loc, name=escape_markdown(first['campaign']), start=fmt_date(first['start_on'], loc), end=fmt_date(first['end_on'], loc))}**",
                    help=t("campaign.def", loc))
        for col, zone in zip(st.columns(max(len(progress), 2)), progress.itertuples(index=False), strict=False):
            with col:
                days = zone.days_left
                when = (t("campaign.days_left", loc, n=days) if days > 0 else
                        t("campaign.due_today", loc) if days == 0 else
                        t("campaign.closed", loc, date=fmt_date(zone.deadline, loc)))
                st.markdown(f"**{escape_markdown(zone.zone)}** · {when}")
                if zone.whole_zone_in_scope:
                    st.progress(min(zone.new_unions / zone.target_unions, 1.0) if zone.target_unions else 0.0,
                                text=t("campaign.unions", loc, done=fmt_int(zone.new_unions), target=fmt_int(zone.target_unions)))
                    st.progress(min(zone.new_members / zone.target_members, 1.0) if zone.target_members else 0.0,
                                text=t("campaign.members", loc, done=fmt_int(zone.new_members), target=fmt_int(zone.target_members)))
                else:  # the zone's target covers other townships too: no bar against it
                    st.markdown(t("campaign.partial_figures", loc, unions=fmt_int(zone.new_unions),
                                  members=fmt_int(zone.new_members)))
                    st.caption(t("campaign.partial", loc))
                st.caption(t("campaign.owner", loc, name=zone.owner_name, unit=zone.owner_unit))

# ------------------------------------------------------------------ row 3: trends | alerts
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('trend.title', loc)}**")
    tab1, tab2 = st.tabs([t("trend.foundings", loc), t("trend.rates", loc)])
    with tab1:
        start = dt.date(max(1998, as_of.year - 9), 1, 1)
        chart.show("foundings_chart", data.foundings_per_quarter(url, scope, start, as_of), loc)
    with tab2:
        chart.show("rates_chart", data.coverage_series(url, scope, as_of), loc)

with right:
    st.markdown(f"**{t('alerts.title', loc)}**", help=t("alerts.rule", loc))
    lists = data.alert_lists(url, scope, as_of)
    township_names = dict(zip(by_township["township_id"], by_township["name"], strict=True))

    def alert(title: str, status: str, count_text: str, table: pd.DataFrame | None, columns: dict[str, str]):
        with st.container(border=True):
            a, b, c = st.columns([4, 2, 3], vertical_alignment="center")
            a.markdown(title)
            with b:
                status_badge(status, loc)
            c.markdown(f"**{count_text}**")
            if table is not None and len(table):
                with st.expander(t("alerts.list", loc)):
                    view = table.copy()
                    if "township_id" in view:
                        view["township_id"] = view["township_id"].map(township_names).fillna("—")
                        columns = {"township_id": t("col.township", loc), **columns}
                    st.dataframe(view[list(columns)].rename(columns=columns), hide_index=True, width="stretch")

    n_gap = now.patterns[Pattern.SHOULD_BUILD]
    gaps = lists["should_build"].copy()
    gaps["barrier"] = [t(f"barrier.{b}", loc) if isinstance(b, str) else "—" for b in gaps["barrier"]]
    alert(t("alerts.should_build", loc), "gap" if n_gap else "green", t("alerts.count_ent", loc, n=fmt_int(n_gap)), gaps,
          {"name": t("col.enterprise", loc), "party_members": t("col.party_members", loc), "barrier": t("col.barrier", loc)})
    links = {"asof": as_of.isoformat(), **({"town": list(filters.township_codes)} if filters.township_codes else {}),
             **({"lang": "en"} if loc == "en" else {})}
    st.page_link("app_pages/coverage_map.py", label=t("alerts.open_map", loc), icon=":material/map:", query_params=links)
    st.page_link("app_pages/ledger.py", label=t("alerts.open_ledger", loc), icon=":material/table_view:",
                 query_params=links)
    status = "red" if items.overdue else ("amber" if items.due_soon else "green")
    alert(t("alerts.overdue_items", loc), status,
          t("alerts.count", loc, n=fmt_int(items.overdue)) + ("" if items.overdue or not items.due_soon
                                                              else " · " + t("alerts.due_soon", loc, n=items.due_soon)),
          lists["overdue_items"],
          {"description": t("col.item", loc), "owner": t("col.owner", loc), "due_on": t("col.due", loc),
           "days_overdue": t("col.days_overdue", loc)})
    by_owner = data.action_items_by_owner(url, scope, as_of)
    if len(by_owner):
        with st.expander(t("alerts.by_owner", loc)):
            st.dataframe(by_owner.rename(columns={c: t(f"col.items_{c}", loc) for c in by_owner.columns}),
                         hide_index=True, width="stretch")
    leads = lists["overdue_leads"].copy()
    leads["source"] = [t(f"lead.{s}", loc) for s in leads["source"]]
    n = lists["n_overdue_leads"]
    alert(t("alerts.overdue_leads", loc), "red" if n else "green", t("alerts.count", loc, n=fmt_int(n)), leads,
          {"enterprise_name": t("col.enterprise", loc), "source": t("col.lead_source", loc),
           "notice_deadline": t("col.deadline", loc)})
    notices = lists["overdue_notices"].copy()
    notices["direction"] = [t(f"direction.{d}", loc) for d in notices["direction"]]
    n = lists["n_overdue_notices"]
    alert(t("alerts.overdue_notices", loc), "red" if n else "green", t("alerts.count", loc, n=fmt_int(n)), notices,
          {"enterprise_name": t("col.enterprise", loc), "direction": t("col.direction", loc),
           "respond_by": t("col.respond_by", loc)})

# ------------------------------------------------------------------ row 4: township ranking
st.markdown(f"**{t('rank.title', loc)}**", help=t("rank.help", loc))
overdue = data.overdue_items_by_township(url, scope, as_of)
rank = by_township.merge(overdue, on="township_id", how="left").fillna({"overdue": 0})
ratio = lambda n, d: [100 * a / b if b else None for a, b in zip(rank[n], rank[d], strict=True)]  # noqa: E731
table = pd.DataFrame({
    t("col.township", loc): rank["name"],
    t("col.operating", loc): rank["operating"],
    t("col.union_coverage", loc): ratio("unionised", "operating"),
    t("col.party_coverage", loc): ratio("with_party_org", "operating"),
    t("col.work_coverage", loc): ratio("party_or_liaison_unionised", "unionised"),
    t("col.should_build", loc): rank[f"pattern_{Pattern.SHOULD_BUILD.value}"],
    t("col.no_union", loc): rank[f"pattern_{Pattern.NO_UNION.value}"],
    t("col.overdue", loc): rank["overdue"].astype(int),
}).sort_values(t("col.union_coverage", loc), ascending=False)
pct = st.column_config.ProgressColumn
st.dataframe(
    table, hide_index=True, width="stretch",
    column_config={
        t("col.union_coverage", loc): pct(format="%.1f%%", min_value=0, max_value=100, help=t("kpi.union_coverage.def", loc)),
        t("col.party_coverage", loc): pct(format="%.1f%%", min_value=0, max_value=100, help=t("kpi.party_coverage.def", loc)),
        t("col.work_coverage", loc): pct(format="%.1f%%", min_value=0, max_value=100, help=t("kpi.work_coverage.def", loc)),
    },
)
st.caption(t("footer.definitions", loc))
