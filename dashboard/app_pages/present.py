"""会议大屏 / presentation mode: full-screen slides for a joint meeting, with the township filter
and the as-of date of the sidebar (from the URL) applied.

URL: ``/present?slide=map&theme=dark&auto=20`` (slide by name or number; ``auto`` seconds per slide).
Keys: ← → move between slides. The slides advance by themselves in an ``st.fragment(run_every=…)``.
"""

from __future__ import annotations

import datetime as dt
import time

import streamlit as st

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, fmt_pp, t
from dashboard.queries.coverage import MAP_COLUMNS, kpis_from_counts, township_map_frame
from dashboard.queries.dates import year_before
from dashboard.queries.followup import DUE_SOON_DAYS
from dashboard.ui import brief, chart, data
from dashboard.ui import present as P

filters = st.session_state["filters"]
loc, scope, as_of = filters.locale, filters.scope, filters.as_of
url = data.database_url()
info = data.dataset_info(url)

# ------------------------------------------------------------------ deck state (URL is untrusted input)
requested = P.parse_url({k: st.query_params.get(k) for k in ("slide", "theme", "auto")})
url_key = (st.query_params.get("slide"), st.query_params.get("theme"), st.query_params.get("auto"))
if st.session_state.get("_deck_url") != url_key:  # a new deep link (or first visit) wins
    st.session_state["_deck_url"] = url_key
    st.session_state["_deck_slide"] = requested.slide
    st.session_state["deck_dark"] = requested.dark
    st.session_state["deck_auto"] = requested.auto
    st.session_state["_deck_changed"] = time.monotonic()


def _go(step: int) -> None:
    st.session_state["_deck_slide"] = (st.session_state["_deck_slide"] + step) % len(P.SLIDES)
    st.session_state["_deck_changed"] = time.monotonic()


def _write_url() -> None:
    wanted = {"slide": P.SLIDES[st.session_state["_deck_slide"]],
              "theme": "dark" if st.session_state["deck_dark"] else None,
              "auto": str(st.session_state["deck_auto"]) if st.session_state["deck_auto"] else None}
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state["_deck_url"] = (st.query_params.get("slide"), st.query_params.get("theme"),
                                     st.query_params.get("auto"))


year_ago = year_before(as_of)
scope_label = brief.scope_label(filters, loc)

dark = bool(st.session_state["deck_dark"])
P.html_block(P.css(dark))

# ------------------------------------------------------------------ controls (one slim row)
with st.container(key="deck_controls"):
    c = st.columns([1.4, 1.4, 2, 2, 5, 1.6], vertical_alignment="center")
    c[0].button(t("present.prev", loc), icon=":material/chevron_left:", on_click=_go, args=(-1,), shortcut="Left",
                key="deck_prev", help=t("present.keys", loc), width="stretch")
    c[1].button(t("present.next", loc), icon=":material/chevron_right:", on_click=_go, args=(1,), shortcut="Right",
                key="deck_next", help=t("present.keys", loc), width="stretch")
    c[2].selectbox(t("present.auto", loc), P.AUTO_CHOICES, key="deck_auto", label_visibility="collapsed",
                   format_func=lambda s: t("present.auto_off", loc) if s == 0 else t("present.auto_every", loc, n=s))
    c[3].toggle(t("present.dark", loc), key="deck_dark")
    with c[4].popover(t("brief.download", loc), icon=":material/description:"):
        brief.downloads(scope=scope, as_of=as_of, locale=loc, scope_label=scope_label, key="deck_brief")
    links = {"asof": as_of.isoformat(), **({"town": list(filters.township_codes)} if filters.township_codes else {}),
             **({"lang": "en"} if loc == "en" else {})}
    c[5].page_link("app_pages/overview.py", label=t("present.exit", loc), icon=":material/close_fullscreen:",
                   query_params=links)

def _heading(title: str) -> None:
    n = st.session_state["_deck_slide"]
    demo = f" · {t('app.demo_badge', loc)}" if info.get("dataset") in ("demo", "scale") else ""
    P.html_block(f'<div class="dg-title">{P.esc(title)}</div><div class="dg-sub">'
                 f'{P.esc(info.get("district_name", ""))} · {P.esc(scope_label)} · '
                 f'{P.esc(t("app.asof_badge", loc, date=fmt_date(as_of, loc)))} · {n + 1} / {len(P.SLIDES)}{P.esc(demo)}</div>')


def _empty(text: str) -> None:
    P.html_block(f'<div class="dg-empty">{P.esc(text)}</div>')


def _delta(now, before) -> str | None:
    if now.value is None or before.value is None:
        return None
    return t("present.vs_year", loc, delta=fmt_pp(now.value - before.value, loc))


# ------------------------------------------------------------------ slides
def slide_kpis() -> None:
    _heading(t("present.slide.kpis", loc))
    now = kpis_from_counts(data.coverage_by_township(url, scope, as_of), as_of)
    prev = kpis_from_counts(data.coverage_by_township(url, scope, year_ago), year_ago)
    if now.operating == 0:
        return _empty(t("empty.township", loc) if filters.township_codes else t("empty.scope", loc))
    items = data.action_item_counts(url, scope, as_of)
    cards = [("union_coverage", "union", "unit.enterprises"), ("membership", "union", "unit.people"),
             ("party_coverage", "party", "unit.enterprises"), ("qualified_built", "party", "unit.enterprises"),
             ("work_coverage", "party", "unit.enterprises")]
    tiles = []
    for key, kind, unit in cards:
        rate, before = getattr(now, key), getattr(prev, key)
        delta = None if rate.value is None or before.value is None else rate.value - before.value
        tiles.append(P.tile(t(f"kpi.{key}", loc), fmt_pct(rate.value, loc),
                            t("kpi.fraction", loc, num=fmt_int(rate.numerator), den=fmt_int(rate.denominator), unit=t(unit, loc)),
                            kind=kind, delta=_delta(rate, before), delta_good=None if delta is None else delta >= 0,
                            definition=t(f"kpi.{key}.def", loc)))
    tiles.append(P.tile(t("kpi.overdue", loc), fmt_int(items.overdue),
                        t("kpi.overdue_detail", loc, open=fmt_int(items.open), overdue=fmt_int(items.overdue)),
                        kind="red" if items.overdue else "green", definition=t("kpi.overdue.def", loc)))
    P.html_block(f'<div class="dg-grid">{"".join(tiles)}</div>')
    patterns = " · ".join(f"{t(f'pattern.{p.value}', loc)} {fmt_int(n)} {t('unit.enterprises', loc)}"
                          for p, n in now.patterns.items())
    P.html_block(f'<div class="dg-sub" style="font-size:1.5rem;margin-top:1rem">{P.esc(patterns)}</div>')


def slide_map() -> None:
    _heading(t("present.slide.map", loc))
    # the map shows every township the user may see (context), the selected ones outlined; the
    # ranking lists the townships of the filter
    user_scope = st.session_state["user"].scope
    whole = data.coverage_by_township(url, user_scope, as_of)
    chosen = data.coverage_by_township(url, scope, as_of)
    if chosen.empty or int(chosen["operating"].sum()) == 0:
        return _empty(t("empty.township", loc) if filters.township_codes else t("empty.scope", loc))
    townships = data.townships(url)
    left, right = st.columns([3, 2])
    with left:
        chart.show("township_map", township_map_frame(whole, townships, "union_coverage")[MAP_COLUMNS], loc,
                   value_col="value", value_title=t("kpi.union_coverage", loc), height=700, label_size=20,
                   selected=filters.township_codes, dark=dark, font_scale=1.6, png="map_union_coverage")
    with right:
        ranked = township_map_frame(chosen, townships, "union_coverage").sort_values("value", ascending=False,
                                                                                 na_position="last")
        rows = [[r.name, fmt_pct(r.value, loc) if r.value == r.value else "—",
                 f"{fmt_int(r.numerator)} / {fmt_int(r.denominator)}"] for r in ranked.itertuples(index=False)]
        P.html_block(P.table([t("col.township", loc), t("kpi.union_coverage", loc), t("map.fraction", loc)], rows[:12],
                             numeric={1, 2})
                     + f'<div class="dg-def">{P.esc(t("kpi.union_coverage.def", loc))}</div>')


def slide_campaign() -> None:
    _heading(t("present.slide.campaign", loc))
    progress = data.campaign_progress(url, scope, as_of)
    if progress.empty:
        return _empty(t("campaign.none", loc))
    first = progress.iloc[0]
    P.html_block(f'<div class="dg-sub" style="font-size:1.6rem">{P.esc(first["campaign"])} · '
                 f'{P.esc(fmt_date(first["start_on"], loc))} — {P.esc(fmt_date(first["end_on"], loc))}</div>')
    cards = []
    for z in progress.itertuples(index=False):
        days = z.days_left
        when = (t("campaign.days_left", loc, n=days) if days > 0 else t("campaign.due_today", loc) if days == 0
                else t("campaign.closed", loc, date=fmt_date(z.deadline, loc)))
        met = z.new_unions >= z.target_unions and z.new_members >= z.target_members
        kind = "green" if met or days > 14 else ("amber" if days >= 0 else "red")
        body = f'<div class="dg-label">{P.esc(z.zone)}</div><div class="dg-detail">{P.esc(when)}</div>'
        if z.whole_zone_in_scope:
            for done, target, key, colour in ((z.new_unions, z.target_unions, "campaign.unions", "#4F8EF7" if dark else "#1F4E9A"),
                                              (z.new_members, z.target_members, "campaign.members", "#4F8EF7" if dark else "#1F4E9A")):
                share = done / target if target else 0.0
                body += (f'<div class="dg-detail" style="margin-top:.6rem;font-size:1.4rem">'
                         f'{P.esc(t(key, loc, done=fmt_int(done), target=fmt_int(target)))} · {fmt_pct(share, loc)}</div>'
                         + P.bar(share, colour))
        else:
            body += f'<div class="dg-detail">{P.esc(t("campaign.partial_figures", loc, unions=fmt_int(z.new_unions), members=fmt_int(z.new_members)))}</div>'
        body += f'<div class="dg-def">{P.esc(t("campaign.owner", loc, name=z.owner_name, unit=z.owner_unit))}</div>'
        cards.append(f'<div class="dg-tile {kind}">{body}</div>')
    cols = "four" if len(cards) >= 4 else ""
    P.html_block(f'<div class="dg-grid {cols}" style="margin-top:1rem">{"".join(cards[:8])}</div>'
                 f'<div class="dg-def">{P.esc(t("campaign.def", loc))}</div>')


def slide_actions() -> None:
    _heading(t("present.slide.actions", loc))
    items = data.action_item_counts(url, scope, as_of)
    if items.total == 0:
        return _empty(t("present.no_items", loc))
    P.html_block('<div class="dg-grid four">'
                 + P.tile(t("present.items_open", loc), fmt_int(items.open), t("unit.items", loc), kind="")
                 + P.tile(t("alerts.status.red", loc), fmt_int(items.overdue), t("present.items_overdue", loc),
                          kind="red" if items.overdue else "green")
                 + P.tile(t("alerts.status.amber", loc), fmt_int(items.due_soon), t("present.items_due_soon", loc),
                          kind="amber" if items.due_soon else "green")
                 + P.tile(t("present.items_done", loc), fmt_int(items.done), t("unit.items", loc), kind="green")
                 + "</div>")
    # overdue (most days first), then due within the 临期 window: the same rule as the meetings board
    table = data.action_items(url, scope, as_of, only_open=True, limit=7,
                              due_by=as_of + dt.timedelta(days=DUE_SOON_DAYS))
    if table.empty:
        P.html_block(f'<div class="dg-empty" style="padding:2rem 0">{P.esc(t("present.none_overdue", loc))}</div>')
        return
    status = {"overdue": ("alerts.status.red", "red"), "due_soon": ("alerts.status.amber", "amber")}
    rows = [[P.status(t(status[r.label][0], loc), status[r.label][1]), r.description, r.owner, fmt_date(r.due_on, loc),
             t("present.days", loc, n=fmt_int(r.days_overdue)) if r.label == "overdue" else ""]
            for r in table.itertuples(index=False) if r.label in status]
    P.html_block('<div style="margin-top:1.2rem"></div>'
                 + P.table([t("present.col.status", loc), t("col.item", loc), t("col.owner", loc), t("col.due", loc),
                            t("col.days_overdue", loc)], rows, numeric={4}, raw={0}))


def slide_model() -> None:
    _heading(t("present.slide.model", loc))
    models = data.model_enterprises(url, scope, as_of)
    if models.empty:
        return _empty(t("brief.no_model", loc))
    ids = [int(i) for i in models["enterprise_id"]]
    names = dict(zip(ids, models["name"], strict=True))
    if st.session_state.get("deck_model") not in ids:
        st.session_state["deck_model"] = ids[0]
    detail = data.case_detail(url, scope, st.session_state["deck_model"], as_of)
    if detail is None:
        return _empty(t("brief.no_model", loc))
    left, right = st.columns([3, 2], gap="large")
    with left:
        P.html_block(f'<div class="dg-label" style="font-size:2.4rem">{P.esc(detail.name)}</div>'
                     f'<div class="dg-sub" style="font-size:1.4rem">{P.esc(detail.township)}</div>'
                     f'<div class="dg-story" style="font-weight:700;margin:.8rem 0">{P.esc(detail.headline(loc) or "")}</div>')
        facts = []
        if detail.union_founded_on:
            facts.append([t("present.fact.union", loc), fmt_date(detail.union_founded_on, loc)])
        if detail.party_founded_on:
            facts.append([t("present.fact.party", loc), fmt_date(detail.party_founded_on, loc)])
        if detail.one_person:
            facts.append([t("present.fact.one_person", loc), t("brief.one_person", loc)])
        if facts:
            P.html_block(P.table([t("present.col.fact", loc), ""], facts))
        story = (detail.story(loc) or "").split("\n\n")[0]
        if story:
            P.html_block(f'<div class="dg-story" style="margin-top:1rem;font-size:1.3rem">{P.esc(story)}</div>')
    with right:
        st.selectbox(t("present.model_pick", loc), ids, key="deck_model", format_func=lambda i: names[i])
        rows = [[h.title, t(f"cases.level.{h.level}", loc), str(h.year)]
                for h in detail.honours.head(6).itertuples(index=False)]
        if rows:
            P.html_block(P.table([t("present.col.honour", loc), t("present.col.level", loc), t("present.col.year", loc)],
                                 rows, numeric={2}))


RENDER = {"kpis": slide_kpis, "map": slide_map, "campaign": slide_campaign, "actions": slide_actions,
          "model": slide_model}

auto = int(st.session_state["deck_auto"])


@st.fragment(run_every=auto or None)
def deck() -> None:
    if auto and time.monotonic() - st.session_state["_deck_changed"] >= auto - 0.5:
        _go(1)
    _write_url()
    with st.container(key="slide"):
        RENDER[P.SLIDES[st.session_state["_deck_slide"]]]()


deck()
