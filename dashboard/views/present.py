"""What the presentation mode (会议大屏) shows, as data: the slides' tiles, tables and lines, and
the big screen's palette (no Streamlit, no HTML — ``ui.present`` draws and escapes).

The KPI tiles and campaign zones are the overview's (:mod:`dashboard.views.overview`), so a slide
and the overview cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.charts import DARK_BG, DARK_MUTED, DARK_TEXT, PARTY_RED, UNION_BLUE
from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries.coverage import metric_by_township
from dashboard.queries.followup import ItemCounts
from dashboard.views.overview import CampaignView, KpiCard
from dashboard.views.status import COLOUR, DUE_SOON_DAYS, HEX, count_status, items_status

#: a status pill's fill, by traffic-light colour (white text on it: each at least 4.5:1, WCAG AA —
#: ``tests/unit/test_stage.py``; the lighter #D97706 / #16A34A were 3.2–3.3:1)
STATUS_HEX: dict[str, str] = {"red": "#B91C1C", "amber": "#B45309", "green": "#15803D"}
#: the text on a status pill
STATUS_TEXT = "#FFFFFF"
#: how many townships the map slide's ranking lists
MAP_RANK_ROWS = 12


@dataclass(frozen=True)
class Palette:
    """The colours of one theme of the big screen."""

    bg: str
    fg: str
    muted: str
    card: str
    line: str
    union: str  # union accent (tiles, progress bars)
    party: str  # Party accent
    good: str  # text of a change that is good news (green)
    bad: str  # text of a change that is not (red)
    bar: str  # the controls bar (and the widgets' menus) behind ``fg`` text

    def text_pairs(self) -> dict[str, tuple[str, str]]:
        """Every (text colour, background) pair the stage writes text in, by where: each must
        reach WCAG AA 4.5:1 (``views.stage.contrast``; tested over both themes)."""
        pairs = {}
        for ground_name, ground in (("bg", self.bg), ("card", self.card), ("bar", self.bar)):
            for text_name in ("fg", "muted", "good", "bad"):
                pairs[f"{text_name}/{ground_name}"] = (getattr(self, text_name), ground)
        for colour, fill in STATUS_HEX.items():
            pairs[f"status-{colour}"] = (STATUS_TEXT, fill)
        return pairs


# the dark theme's change colours were the status fills (#DC2626 on navy: 3.2:1); now lighter tints
LIGHT = Palette(bg="#FFFFFF", fg="#111827", muted="#4B5563", card="#F8FAFC", line="#E5E7EB",
                union=UNION_BLUE, party=PARTY_RED, good="#15803D", bad="#B91C1C", bar="#FFFFFF")
DARK = Palette(bg=DARK_BG, fg=DARK_TEXT, muted=DARK_MUTED, card="#102447", line="#1F3358",
               union=HEX["union_dark"], party="#F05252", good="#4ADE80", bad="#F87171", bar="#14294F")


def palette(dark: bool) -> Palette:
    return DARK if dark else LIGHT


@dataclass(frozen=True)
class Status:
    """A status as shown: its word and its traffic-light colour, always together."""

    text: str
    colour: str  # red / amber / green

    @property
    def hex(self) -> str:
        return STATUS_HEX[self.colour]


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    detail: str = ""
    kind: str = ""  # accent: union / party / red / amber / green / "" (neutral)
    delta: str | None = None
    delta_good: bool | None = None
    definition: str = ""


def heading_line(*, district: str, scope_label: str, as_of: dt.date, slide: int, slides: int, demo: bool,
                 loc: str) -> str:
    """Under a slide's title: district · scope · 统计截至 … · 2 / 5 (· 演示数据)."""
    line = (f"{district} · {scope_label} · {t('app.asof_badge', loc, date=fmt_date(as_of, loc))} · "
            f"{slide + 1} / {slides}")
    return line + (f" · {t('app.demo_badge', loc)}" if demo else "")


def kpi_tiles(cards: list[KpiCard], loc: str) -> list[Tile]:
    """The overview's KPI cards as big-screen tiles: the change "较上年同期 +1.2 个百分点", green
    when good news, red when not."""
    return [Tile(card.label, card.value, card.detail, kind=card.kind,
                 delta=t("present.vs_year", loc, delta=card.delta) if card.delta else None,
                 delta_good=card.delta_good if card.delta else None, definition=card.definition)
            for card in cards]


def campaign_line(campaign: CampaignView) -> str:
    return f"{campaign.name} · {campaign.start} — {campaign.end}"


def map_ranking(by_township: pd.DataFrame, loc: str) -> tuple[list[str], list[list[str]]]:
    """Headers and the first :data:`MAP_RANK_ROWS` rows of the map slide's ranking: township, union
    coverage, numerator / denominator; highest first, townships without enterprises last."""
    ranked = metric_by_township(by_township, "union_coverage")
    ranked = ranked.assign(value=ranked["value"].astype(float)).sort_values("value", ascending=False,
                                                                             na_position="last", kind="stable")
    rows = [[r.name, fmt_pct(r.value, loc) if r.value == r.value else "—",
             f"{fmt_int(r.numerator)} / {fmt_int(r.denominator)}"] for r in ranked.itertuples(index=False)]
    return [t("col.township", loc), t("kpi.union_coverage", loc), t("map.fraction", loc)], rows[:MAP_RANK_ROWS]


def action_tiles(items: ItemCounts, loc: str) -> list[Tile]:
    """Open, overdue (逾期), due soon (临期) and done items."""
    return [
        Tile(t("present.items_open", loc), fmt_int(items.open), t("unit.items", loc)),
        Tile(t("alerts.status.red", loc), fmt_int(items.overdue), t("present.items_overdue", loc),
             kind=count_status(items.overdue)),
        Tile(t("alerts.status.amber", loc), fmt_int(items.due_soon),
             t("present.items_due_soon", loc, days=DUE_SOON_DAYS), kind=items_status(0, items.due_soon)),
        Tile(t("present.items_done", loc), fmt_int(items.done), t("unit.items", loc), kind="green"),
    ]


#: the item labels the action slide lists (``queries.meetings.action_items``' ``label``)
ACTION_LABELS = ("overdue", "due_soon")


def action_rows(items: pd.DataFrame, loc: str) -> tuple[list[str], list[list]]:
    """Headers and rows of the action slide: status (a :class:`Status`), item, owner, due date and
    days overdue, for the overdue and due-soon items of ``items`` in their order."""
    headers = [t("present.col.status", loc), t("col.item", loc), t("col.owner", loc), t("col.due", loc),
               t("col.days_overdue", loc)]
    rows = []
    for r in items.itertuples(index=False):
        if r.label not in ACTION_LABELS:
            continue
        colour = COLOUR[r.label]
        rows.append([Status(t(f"alerts.status.{colour}", loc), colour), r.description, r.owner,
                     fmt_date(r.due_on, loc),
                     t("present.days", loc, n=fmt_int(r.days_overdue)) if r.label == "overdue" else ""])
    return headers, rows


def model_facts(detail, loc: str) -> list[list[str]]:
    """The model slide's facts (``queries.cases.CaseDetail``): union and Party founding, 一肩挑."""
    facts = []
    if detail.union_founded_on:
        facts.append([t("present.fact.union", loc), fmt_date(detail.union_founded_on, loc)])
    if detail.party_founded_on:
        facts.append([t("present.fact.party", loc), fmt_date(detail.party_founded_on, loc)])
    if detail.one_person:
        facts.append([t("present.fact.one_person", loc), t("brief.one_person", loc)])
    return facts


def model_story(detail, loc: str) -> str:
    """The story's first paragraph (empty when there is none)."""
    return (detail.story(loc) or "").split("\n\n")[0]


def honour_rows(detail, loc: str, limit: int = 6) -> tuple[list[str], list[list[str]]]:
    """Headers and the best ``limit`` honours: title, level, year."""
    headers = [t("present.col.honour", loc), t("present.col.level", loc), t("present.col.year", loc)]
    return headers, [[h.title, t(f"cases.level.{h.level}", loc), str(h.year)]
                     for h in detail.honours.head(limit).itertuples(index=False)]
