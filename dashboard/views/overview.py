"""What the overview (总览) shows, as data: KPI cards, the pattern line, the map note, the
campaign zone cards, the alert lists and the township ranking (no Streamlit).

The presentation mode's slides take their KPI cards and campaign zones from here too, so the
overview and the big screen cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, fmt_pp_change, pp_shown, t
from dashboard.queries.coverage import CoverageKpis, Rate, metric_by_township
from dashboard.queries.followup import ItemCounts
from dashboard.views.status import (
    DUE_SOON_DAYS,
    PACE_COLOUR,
    PACE_MARGIN,
    campaign_pace,
    count_status,
    items_status,
    task_progress,
    time_progress,
)
from dashboard.views import base as base_words
from models.enums import Base, Pattern

#: the five coverage KPIs of the first row: key, accent (union blue / Party red), unit of the fraction
KPIS: tuple[tuple[str, str, str], ...] = (
    ("union_coverage", "union", "unit.enterprises"),
    ("membership", "union", "unit.people"),
    ("party_coverage", "party", "unit.enterprises"),
    ("qualified_built", "party", "unit.enterprises"),
    ("work_coverage", "party", "unit.enterprises"),
)


@dataclass(frozen=True)
class KpiCard:
    """One KPI card: big value, "585 / 702 家", the change on a year earlier and its definition."""

    key: str
    label: str
    value: str
    detail: str
    delta: str | None  # the change, e.g. "+1.2 个百分点"; None when it cannot be computed
    definition: str
    kind: str  # "union" / "party" (accent) or a status colour ("red", "green")
    change: float | None = None  # the change behind ``delta`` as shown (None: none, or 持平)
    higher_is_better: bool = True
    #: what the delta compares with ("较上年同期"); "" when the delta says so itself
    basis: str = ""
    #: what the 党建基数 of the denominator is ("基数为三有企业：…"): the overview's ⓘ adds it to the
    #: definition; a slide, whose heading names the base, leaves it out
    base_note: str = ""

    @property
    def full_definition(self) -> str:
        """The definition and the base it counts over (the overview's ⓘ)."""
        return f"{self.definition}\n\n{self.base_note}" if self.base_note else self.definition

    @property
    def detail_text(self) -> str:
        """The card's small line: the fraction, and the basis of the delta when there is one (the
        delta pill itself keeps its sign first — Streamlit's arrow reads it — and stays short)."""
        return f"{self.detail} · {self.basis}" if self.delta and self.basis else self.detail

    @property
    def delta_text(self) -> str | None:
        """The delta with what it compares with, sign first (Streamlit's arrow reads the sign):
        "+0.4 个百分点 · 较 2025年12月1日" — the overview's cards, whose delta pill may wrap."""
        if not self.delta:
            return None
        return f"{self.delta} · {self.basis}" if self.basis else self.delta

    @property
    def delta_good(self) -> bool | None:
        """Whether the change is good news (None: no change to judge)."""
        if self.change is None:
            return None
        return self.change >= 0 if self.higher_is_better else self.change <= 0


def _change(now: Rate, before: Rate) -> float | None:
    """The change as shown (a fraction): the difference of the two rounded rates; None when there
    is none to show (no rate, or the same rate shown twice: 持平 is neither good nor bad news)."""
    shown = pp_shown(before.value, now.value)
    return None if not shown else shown / 100


def since_text(since: dt.date | None, loc: str) -> str:
    """What a delta compares with: "较 2025年12月1日" (``since``: the day of the earlier figures),
    or "变化较上年同期" without a day."""
    return t("unit.basis_since", loc, date=fmt_date(since, loc)) if since else t("unit.basis_year", loc)


def kpi_cards(now: CoverageKpis, prev: CoverageKpis, loc: str, since: dt.date | None = None) -> list[KpiCard]:
    """The five coverage KPI cards, each with its change since ``prev`` (one year earlier; ``since``:
    its day, which the delta then names — "较 2025年12月1日")."""
    cards = []
    for key, kind, unit in KPIS:
        rate, before = getattr(now, key), getattr(prev, key)
        change = _change(rate, before)
        cards.append(KpiCard(
            key=key, label=t(f"kpi.{key}", loc), value=fmt_pct(rate.value, loc),
            detail=base_words.fraction(rate, unit, now.base, loc),
            delta=fmt_pp_change(before.value, rate.value, loc), definition=_definition(key, now, loc), kind=kind,
            change=change, basis=since_text(since, loc), base_note=base_words.definition(now.base, loc),
        ))
    return cards


#: a KPI whose definition panel also gives its 单独建立 / 联合建立 split: (own Rate, joint Rate, words)
SPLITS = {"union_coverage": ("union_own", "union_joint", "kpi.split.union"),
          "party_coverage": ("party_own", "party_joint", "kpi.split.party")}


def _definition(key: str, now: CoverageKpis, loc: str) -> str:
    """The definition behind ⓘ; for 建会率 and 党组织覆盖率 also how many enterprises have their own
    organisation and how many a joint one only (the official tables' 单独建立 / 联合建立)."""
    text = t(f"kpi.{key}.def", loc)
    if key not in SPLITS:
        return text
    own_key, joint_key, words = SPLITS[key]
    own, joint = getattr(now, own_key), getattr(now, joint_key)
    return text + "\n\n" + t(words, loc, own=fmt_int(own.numerator), own_pct=fmt_pct(own.value, loc),
                              joint=fmt_int(joint.numerator), joint_pct=fmt_pct(joint.value, loc))


def overdue_card(items: ItemCounts, loc: str, prev: ItemCounts | None = None, since: dt.date | None = None) -> KpiCard:
    """The sixth card: overdue action items (red when any), with the change since ``prev`` when given
    (``since``: its day, which the delta then names: "+3 · 较 2025年12月1日")."""
    diff = None if prev is None else items.overdue - prev.overdue
    if since is not None:
        return KpiCard(
            key="overdue", label=t("kpi.overdue", loc), value=fmt_int(items.overdue),
            detail=t("kpi.overdue_detail", loc, open=fmt_int(items.open), overdue=fmt_int(items.overdue)),
            delta=f"{diff:+,}" if diff else None, definition=t("kpi.overdue.def", loc), kind=count_status(items.overdue),
            change=float(diff) if diff else None, higher_is_better=False, basis=since_text(since, loc),
        )
    return KpiCard(
        key="overdue", label=t("kpi.overdue", loc), value=fmt_int(items.overdue),
        detail=t("kpi.overdue_detail", loc, open=fmt_int(items.open), overdue=fmt_int(items.overdue)),
        delta=t("unit.count_delta", loc, value=f"{diff:+,}") if diff else None,
        definition=t("kpi.overdue.def", loc), kind=count_status(items.overdue),
        change=float(diff) if diff else None, higher_is_better=False,
    )


def pattern_line(patterns: dict[Pattern, int], loc: str) -> str:
    """"一会一支 7 家 · 一会一员 30 家 · …" in the order of :class:`Pattern`."""
    return " · ".join(f"{t(f'pattern.{p.value}', loc)} {fmt_int(patterns.get(p, 0))} {t('unit.enterprises', loc)}"
                      for p in Pattern)


def map_note(map_frame: pd.DataFrame, townships: pd.DataFrame, loc: str, *, escape=str) -> str:
    """Under the mini map: that the boundaries are schematic (when they are) and which townships
    have no boundary yet. ``map_frame``: ``township_map_frame``; ``townships``: the township table;
    ``escape`` protects the names where the text is Markdown."""
    drawn = townships["boundary_geojson"].notna()
    schematic = bool(townships["boundary_is_schematic"].astype(bool)[drawn].any())
    missing = list(map_frame["name"][map_frame["boundary_geojson"].isna()])
    return ((t("map.schematic", loc) if schematic else "")
            + (" " + t("map.no_geometry", loc, names="、".join(escape(n) for n in missing)) if missing else ""))


# --------------------------------------------------------------------------- campaign (百日攻坚)

@dataclass(frozen=True)
class ZoneBar:
    """One target of a zone: "新建工会 12 / 20 个" and how far along (``share`` may pass 1)."""

    text: str
    share: float
    pct: str

    @property
    def fill(self) -> float:
        """The share drawn as a bar: between 0 and 1."""
        return max(0.0, min(1.0, self.share))


@dataclass(frozen=True)
class ZoneCard:
    zone: str
    when: str  # "距期限 10 天" / "今天到期" / "已截止（…）"
    status: str  # the pace's colour (views.status.PACE_COLOUR); "" when the zone reaches beyond the scope
    status_text: str  # the pace's word (按期 / 超前 / 落后 / 已完成 / 逾期未完成): colour never alone; "" with none
    bars: tuple[ZoneBar, ...]  # empty when the zone reaches beyond the scope
    partial: str | None  # the scope's figures when the zone reaches beyond the scope
    partial_note: str | None
    owner: str
    pace: str = ""  # views.status.campaign_pace; "" when the zone reaches beyond the scope
    progress: str = ""  # "任务进度 46.7% · 时间进度 60.0%"


@dataclass(frozen=True)
class CampaignView:
    name: str
    start: str
    end: str
    title: str  # "攻坚进度：{name}（{start} 至 {end}）"
    definition: str
    zones: tuple[ZoneCard, ...]


def zone_when(days_left: int, deadline, loc: str) -> str:
    if days_left > 0:
        return t("campaign.days_left", loc, n=days_left)
    if days_left == 0:
        return t("campaign.due_today", loc)
    return t("campaign.closed", loc, date=fmt_date(deadline, loc))


def zone_bar(key: str, done: int, target: int, loc: str) -> ZoneBar:
    share = done / target if target else 0.0
    return ZoneBar(t(key, loc, done=fmt_int(done), target=fmt_int(target)), share, fmt_pct(share, loc))


#: a zone's targets: (what was done, its target, the bar's words) — the last two only when set
ZONE_TARGETS = (("new_unions", "target_unions", "campaign.unions"), ("new_members", "target_members", "campaign.members"),
                ("new_party_orgs", "target_party_orgs", "campaign.party_orgs"),
                ("new_liaisons", "target_liaisons", "campaign.liaisons"))


def _count(zone, field: str) -> int:
    value = getattr(zone, field, 0)
    return 0 if value is None or pd.isna(value) else int(value)


def zone_pairs(zone) -> list[tuple[int, int, str]]:
    """(done, target, words) of each target a zone has: new unions and members always, Party
    organisations and liaison officers when a target is set."""
    return [(_count(zone, done), _count(zone, target), key) for done, target, key in ZONE_TARGETS
            if target in ("target_unions", "target_members") or _count(zone, target) > 0]


def zone_card(zone, loc: str, as_of=None, margin: float = PACE_MARGIN) -> ZoneCard:
    """One row of ``campaign_progress`` as a card, its status the pace rule of ``views.status``
    (任务进度 — the least advanced target — against 时间进度 from the campaign's start to the zone's
    deadline on ``as_of``). A zone that reaches beyond the scope has no status: its target is the
    whole zone's, and the scope's figures cannot say how far it is."""
    pace = progress = ""
    if zone.whole_zone_in_scope:
        as_of = as_of or (zone.deadline - dt.timedelta(days=int(zone.days_left)))
        task = task_progress([(done, target) for done, target, _ in zone_pairs(zone)])
        time = time_progress(zone.start_on, zone.deadline, as_of)
        pace = campaign_pace(task=task, time=time, days_left=int(zone.days_left), margin=margin)
        progress = t("campaign.progress", loc, task=fmt_pct(task, loc), time=fmt_pct(time, loc))
    status = PACE_COLOUR[pace] if pace else ""
    bars: tuple[ZoneBar, ...] = ()
    partial = note = None
    if zone.whole_zone_in_scope:
        bars = tuple(zone_bar(key, done, target, loc) for done, target, key in zone_pairs(zone))
    else:  # the zone's target covers other townships too: no bar against it
        partial = t("campaign.partial_figures", loc, unions=fmt_int(zone.new_unions), members=fmt_int(zone.new_members))
        note = t("campaign.partial", loc)
    return ZoneCard(zone=zone.zone, when=zone_when(int(zone.days_left), zone.deadline, loc), status=status,
                    status_text=t(f"campaign.pace.{pace}", loc) if pace else "", bars=bars, partial=partial,
                    partial_note=note, owner=t("campaign.owner", loc, name=zone.owner_name, unit=zone.owner_unit),
                    pace=pace, progress=progress)


def margin_text(margin: float) -> str:
    """The pace rule's margin in percentage points, as its definitions print it ("10")."""
    return f"{margin * 100:g}"


def campaign_view(progress: pd.DataFrame, loc: str, margin: float = PACE_MARGIN) -> CampaignView | None:
    """The campaign of ``campaign_progress`` with one card per zone (``margin``: the pace rule's, a
    share — the setting ``campaign_pace_margin_pp`` ÷ 100); None without a campaign."""
    if progress.empty:
        return None
    first = progress.iloc[0]
    start, end = fmt_date(first["start_on"], loc), fmt_date(first["end_on"], loc)
    return CampaignView(name=str(first["campaign"]), start=start, end=end,
                        title=t("campaign.title", loc, name=first["campaign"], start=start, end=end),
                        definition=t("campaign.def", loc, margin=margin_text(margin)),
                        zones=tuple(zone_card(z, loc, margin=margin) for z in progress.itertuples(index=False)))


def campaign_totals_text(totals: dict | None, loc: str) -> tuple[str, str] | None:
    """The campaign's totals in one line — "攻坚期合计：新建基层工会 916 个（…）· 私营企业工会联合会 3 个 ·
    发展会员 24,516 人" — and the rule of what counts (its help); None without a campaign."""
    if totals is None:
        return None
    kinds = [(k, n) for k, n in totals["by_kind"].items() if k.value != "federation" and n]
    parts = "、".join(t("campaign.totals.kind", loc, kind=t(f"campaign.kind.{k.value}", loc), n=fmt_int(n))
                     for k, n in kinds)
    text = t("campaign.totals", loc, unions=fmt_int(totals["grassroots"]), kinds=parts or "—",
             federations=fmt_int(totals["federations"]), members=fmt_int(totals["new_members"]),
             until=fmt_date(totals["until"], loc))
    return text, t("campaign.totals.def", loc)


# --------------------------------------------------------------------------- alerts

def alerts_rule(loc: str) -> str:
    """How the alerts are coloured (the help of the alerts' title), with the due-soon window."""
    return t("alerts.rule", loc, days=DUE_SOON_DAYS)


@dataclass(frozen=True)
class Alert:
    title: str
    status: str  # a status key of views.status.COLOUR (red / amber / green / gap)
    status_text: str
    count_text: str
    table: pd.DataFrame | None  # labelled rows to list (None or empty: nothing to list)


def _labelled(rows: pd.DataFrame, columns: dict[str, str], township_names: dict[int, str], loc: str) -> pd.DataFrame:
    """``rows[columns]`` with the township id as its name (first) and the columns' labels."""
    view = rows.copy()
    if "township_id" in view:
        view["township_id"] = view["township_id"].map(township_names).fillna("—")
        columns = {"township_id": t("col.township", loc), **columns}
    return view[list(columns)].rename(columns=columns).reset_index(drop=True)


def _alert(title: str, status: str, count_text: str, rows: pd.DataFrame, columns: dict[str, str],
           township_names: dict[int, str], loc: str) -> Alert:
    return Alert(title=title, status=status, status_text=t(f"alerts.status.{status}", loc), count_text=count_text,
                 table=_labelled(rows, columns, township_names, loc))


def gap_alert(n_gap: int, gaps: pd.DataFrame, township_names: dict[int, str], loc: str) -> Alert:
    """Qualified enterprises without a Party organisation (应建未建): 待组建 when any."""
    rows = gaps.copy()
    rows["barrier"] = [t(f"barrier.{b}", loc) if isinstance(b, str) else "—" for b in rows["barrier"]]
    return _alert(t("alerts.should_build", loc), "gap" if n_gap else "green",
                  t("alerts.count_ent", loc, n=fmt_int(n_gap)), rows,
                  {"name": t("col.enterprise", loc), "party_members": t("col.party_members", loc),
                   "barrier": t("col.barrier", loc)}, township_names, loc)


def items_alert(items: ItemCounts, overdue_items: pd.DataFrame, township_names: dict[int, str], loc: str) -> Alert:
    """Overdue action items: red when any is overdue, amber when some are due soon (with how many)."""
    count = t("alerts.count", loc, n=fmt_int(items.overdue))
    if not items.overdue and items.due_soon:
        count += " · " + t("alerts.due_soon", loc, n=items.due_soon, days=DUE_SOON_DAYS)
    return _alert(t("alerts.overdue_items", loc), items_status(items.overdue, items.due_soon), count, overdue_items,
                  {"description": t("col.item", loc), "owner": t("col.owner", loc), "due_on": t("col.due", loc),
                   "days_overdue": t("col.days_overdue", loc)}, township_names, loc)


def leads_alert(n: int, leads: pd.DataFrame, township_names: dict[int, str], loc: str) -> Alert:
    rows = leads.copy()
    rows["source"] = [t(f"lead.{s}", loc) for s in rows["source"]]
    return _alert(t("alerts.overdue_leads", loc), count_status(n), t("alerts.count", loc, n=fmt_int(n)), rows,
                  {"enterprise_name": t("col.enterprise", loc), "source": t("col.lead_source", loc),
                   "notice_deadline": t("col.deadline", loc)}, township_names, loc)


def notices_alert(n: int, notices: pd.DataFrame, township_names: dict[int, str], loc: str) -> Alert:
    rows = notices.copy()
    rows["direction"] = [t(f"direction.{d}", loc) for d in rows["direction"]]
    return _alert(t("alerts.overdue_notices", loc), count_status(n), t("alerts.count", loc, n=fmt_int(n)), rows,
                  {"enterprise_name": t("col.enterprise", loc), "direction": t("col.direction", loc),
                   "respond_by": t("col.respond_by", loc)}, township_names, loc)


def owner_frame(by_owner: pd.DataFrame, loc: str) -> pd.DataFrame:
    """Action items per owner unit (``followup.action_items_by_owner``), labelled."""
    return by_owner.rename(columns={c: t(f"col.items_{c}", loc) for c in by_owner.columns})


# --------------------------------------------------------------------------- township ranking

#: the ranking's rate columns (the KPI of the same name, from ``coverage.MAP_METRICS``)
RANK_RATES = ("union_coverage", "party_coverage", "work_coverage")


def ranking_frame(by_township: pd.DataFrame, overdue: pd.DataFrame, loc: str, base: Base = Base.ALL) -> pd.DataFrame:
    """One row per township: the enterprises in the base (``base``: its column's name), the three coverage rates in percent (the
    definitions of ``coverage.MAP_METRICS``; empty where a township has no denominator), the
    应建未建 and 未建会 counts and its overdue items; highest union coverage first."""
    per_township = dict(zip(overdue["township_id"], overdue["overdue"], strict=True))
    columns = {t("col.township", loc): by_township["name"].to_numpy(),
               base_words.operating_column(base, loc): by_township["operating"].to_numpy()}
    for key in RANK_RATES:
        columns[t(f"col.{key}", loc)] = (metric_by_township(by_township, key)["value"].astype(float) * 100).to_numpy()
    columns[t("col.should_build", loc)] = by_township[f"pattern_{Pattern.SHOULD_BUILD.value}"].to_numpy()
    columns[t("col.no_union", loc)] = by_township[f"pattern_{Pattern.NO_UNION.value}"].to_numpy()
    columns[t("col.overdue", loc)] = [int(per_township.get(i, 0)) for i in by_township["township_id"]]
    return (pd.DataFrame(columns).sort_values(t("col.union_coverage", loc), ascending=False, kind="stable")
            .reset_index(drop=True))


def ranking_rates(loc: str) -> dict[str, str]:
    """The ranking's rate columns: label → the KPI's definition (a column's help)."""
    return {t(f"col.{key}", loc): t(f"kpi.{key}.def", loc) for key in RANK_RATES}
