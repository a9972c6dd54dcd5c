"""The coverage map as a person reads it: the metric's words, colour scheme and number format, the
township tiles next to the map, the drill-down's captions and gap lists. No Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_int, fmt_pct, t
from dashboard.queries.coverage import RATE_METRICS
from dashboard.views import base as base_words
from models import rules
from models.enums import Base, Pattern

__all__ = [
    "GAPS", "MAP_SCHEMES", "check_frame", "check_tab_label", "METRICS", "MISSING", "MetricView", "boundary_missing", "drill_names", "gap_frame",
    "gap_more_text", "gap_tab_label", "is_schematic", "map_caption", "metric_name", "metric_view", "pattern_caption",
    "tiles_frame",
]

#: the metrics the map can show, in the selector's order (``queries.coverage.MAP_METRICS``)
METRICS = ("union_coverage", "union_own", "union_joint", "membership", "party_coverage", "party_own", "party_joint",
           "work_coverage", "should_build")
#: the gap lists of the drill-down, one tab each
GAPS = (Pattern.SHOULD_BUILD, Pattern.NO_UNION, Pattern.UNION_ONLY)
#: the map's colour scheme per metric (DESIGN.md §9): union figures in blue, Party figures in red,
#: the combined one in purple, the gap count in orange
MAP_SCHEMES = {"union_coverage": "blues", "union_own": "blues", "union_joint": "blues", "membership": "blues",
               "party_coverage": "reds", "party_own": "reds", "party_joint": "reds", "work_coverage": "purples",
               "should_build": "oranges"}
#: what a tile without a value shows
MISSING = "—"


def metric_name(metric: str, locale: str) -> str:
    """The metric's name in the selector: the KPI's name, or the pattern 应建未建 for the gap count."""
    return t("pattern.should_build", locale) if metric == "should_build" else t(f"kpi.{metric}", locale)


@dataclass(frozen=True)
class MetricView:
    """How one metric is drawn: its title (legend, tiles), definition, number format and scheme."""

    metric: str
    is_rate: bool
    title: str
    definition: str
    fmt: str  # a d3 format for the chart
    scheme: str


def metric_view(metric: str, locale: str) -> MetricView:
    is_rate = metric in RATE_METRICS
    return MetricView(
        metric=metric, is_rate=is_rate,
        title=t(f"kpi.{metric}", locale) if is_rate else t("map.should_build_count", locale),
        definition=t(f"kpi.{metric}.def", locale) if is_rate else t("map.should_build_def", locale),
        fmt=".1%" if is_rate else ",d", scheme=MAP_SCHEMES[metric],
    )


def tiles_frame(values: pd.DataFrame, metric: str, locale: str) -> pd.DataFrame:
    """Every township of ``township_map_frame`` (with or without a boundary) as a tile row: name,
    value in the metric's words, "numerator / denominator", whether it has a boundary."""
    view = metric_view(metric, locale)
    return pd.DataFrame({
        t("col.township", locale): values["name"].to_numpy(dtype=object),
        view.title: [MISSING if v is None or pd.isna(v) else fmt_pct(v, locale) if view.is_rate else fmt_int(v, locale)
                     for v in values["value"]],
        t("map.fraction", locale): [f"{fmt_int(n)} / {fmt_int(d)}"
                                    for n, d in zip(values["numerator"], values["denominator"], strict=True)],
        t("map.boundary", locale): [t("map.has_boundary", locale) if isinstance(g, str) and g else
                                    t("map.no_boundary", locale) for g in values["boundary_geojson"]],
    })


def boundary_missing(values: pd.DataFrame) -> list[str]:
    """The names of the townships the map cannot draw (no boundary)."""
    return [n for n, g in zip(values["name"], values["boundary_geojson"], strict=True) if not (isinstance(g, str) and g)]


def is_schematic(townships: pd.DataFrame) -> bool:
    """Whether any drawn boundary is schematic (the township table: boundary_geojson,
    boundary_is_schematic)."""
    return any(bool(s) for g, s in zip(townships["boundary_geojson"], townships["boundary_is_schematic"], strict=True)
               if isinstance(g, str) and g)


def map_caption(metric: str, locale: str, *, schematic: bool, base: Base = Base.ALL) -> str:
    """Under the map: the metric's definition and the 党建基数 of its denominator, how a click
    filters, and a schematic-boundary note."""
    text = f"{metric_view(metric, locale).definition} {base_words.definition(base, locale)} {t('map.click_hint', locale)}"
    return text + (f" {t('map.schematic', locale)}" if schematic else "")


def drill_names(by_township: pd.DataFrame, codes: tuple[str, ...], locale: str) -> str:
    """The drill-down's townships by name ("越北镇、青岚街道"), or "whole district" without a filter."""
    if not codes:
        return t("filter.township_placeholder", locale)
    chosen = set(codes)
    return "、".join(n for c, n in zip(by_township["code"], by_township["name"], strict=True) if c in chosen)


def pattern_caption(patterns: dict[Pattern, int], locale: str) -> str:
    """"一会一支 7 家 · 一会一员 30 家 · …" — every pattern with its count."""
    return " · ".join(f"{t(f'pattern.{p.value}', locale)} {fmt_int(patterns[p])} {t('unit.enterprises', locale)}"
                      for p in Pattern)


def gap_tab_label(pattern: Pattern, count: int, locale: str) -> str:
    return t("map.tab", locale, label=t(f"pattern.{pattern.value}", locale), n=fmt_int(count))


def gap_frame(gaps: pd.DataFrame, pattern: Pattern, township_names: dict[int, str], locale: str) -> pd.DataFrame:
    """A gap list (``queries.coverage.gap_enterprises``) as a table: enterprise, township, Party
    members, employees, the main difficulty and the suggested next step (``rules.next_step``)."""
    return pd.DataFrame({
        t("col.enterprise", locale): gaps["name"].to_numpy(dtype=object),
        t("col.township", locale): [township_names.get(i, MISSING) for i in gaps["township_id"]],
        t("col.party_members", locale): gaps["party_members"].to_numpy(),
        t("col.employees", locale): gaps["employees"].to_numpy(),
        t("col.barrier", locale): [t(f"barrier.{b}", locale) if isinstance(b, str) and b else MISSING
                                   for b in gaps["barrier"]],
        t("col.next_step", locale): [t(f"next.{rules.next_step(pattern, int(m), has_union=bool(u))}", locale)
                                     for m, u in zip(gaps["party_members"], gaps["has_union"], strict=True)],
    })


def gap_more_text(shown: int, total: int, locale: str) -> str | None:
    """When a gap list is cut (the most Party members first): how many of how many, see the ledger."""
    if total <= shown:
        return None
    return t("map.more_in_ledger", locale, shown=fmt_int(shown), total=fmt_int(total))


# --------------------------------------------------------------------------- rule checks (queries.checks)


def check_tab_label(check: str, total: int, locale: str) -> str:
    return t("map.tab", locale, label=t(f"check.{check}", locale), n=fmt_int(total))


def check_frame(check: str, rows: pd.DataFrame, township_names: dict[int, str], locale: str) -> pd.DataFrame:
    """A rule check's rows (``queries.checks``) as a table with the next step."""
    town = [township_names.get(i, MISSING) for i in rows["township_id"]]
    if check == "party_level":
        return pd.DataFrame({
            t("col.enterprise", locale): rows["name"].to_numpy(dtype=object),
            t("col.township", locale): town,
            t("col.party_members", locale): rows["party_members"].to_numpy(),
            t("check.col.organisation", locale): [
                f"{n}（{t(f'check.level.{lv}', locale)}）" if locale != "en" else f"{n} ({t(f'check.level.{lv}', locale)})"
                for n, lv in zip(rows["organisation"], rows["level"], strict=True)],
            t("col.next_step", locale): [
                t("check.next.raise_level", locale,
                  level=t(f"check.level.{rules.expected_party_org_level(int(m)).value}", locale))
                for m in rows["party_members"]],
        })
    if check == "union_committee":
        return pd.DataFrame({
            t("col.enterprise", locale): rows["name"].to_numpy(dtype=object),
            t("col.township", locale): town,
            t("check.col.union_members", locale): rows["union_members"].to_numpy(),
            t("col.employees", locale): rows["employees"].to_numpy(),
            t("col.next_step", locale): [t("check.next.own_union", locale)] * len(rows),
        })
    return pd.DataFrame({
        t("check.col.joint_branch", locale): rows["name"].to_numpy(dtype=object),
        t("col.township", locale): town,
        t("check.col.units", locale): rows["units"].to_numpy(),
        t("col.next_step", locale): [t("check.next.split_branch", locale)] * len(rows),
    })
