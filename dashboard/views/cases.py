"""典型案例 / model enterprises as a person reads them: the gallery's cards, one case study (why it is
a model, key facts, honours, activities, timeline lines, the comparison) and the designation record.
No Streamlit.

The page (``ui/sections/cases``) and the one-page PDF (``exports/case_pdf``) take every text and
labelled table from here, so the screen and the printout cannot disagree. Texts are plain: a page
section escapes what it draws as Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries.cases import CaseDetail
from dashboard.views import base as base_words
from dashboard.views.edits import unique_labels

__all__ = [
    "Card", "Kpi", "activities_frame", "bench_heading", "bench_name", "card", "card_why", "case_id", "case_tags", "case_why",
    "comparison_cards", "comparison_frame", "comparison_rows", "designation_frame", "event_lines", "event_when",
    "honour_line", "honours_frame", "key_facts", "label_sep", "list_sep", "order_text", "search_options",
    "story_parts", "why_text", "year_text",
]

#: a case id in the URL: 1–9 ASCII digits (``str.isdigit()`` also accepts "²" and "٣", which ``int()``
#: refuses or reads as another number)
CASE_ID = re.compile(r"[0-9]{1,9}")


def case_id(raw: str | None) -> int | None:
    """The enterprise id a ``?case=`` value names, or None when it is not one (untrusted input)."""
    return int(raw) if isinstance(raw, str) and CASE_ID.fullmatch(raw) else None


def label_sep(locale: str) -> str:
    """Between a label and its value: "企业老板：不是党员", "Owner: not a Party member"."""
    return "：" if locale == "zh_CN" else ": "


def list_sep(locale: str) -> str:
    """Between the items of a list in running text: "消夏晚会、水球赛", "Picnic, Relay"."""
    return "、" if locale == "zh_CN" else ", "


def year_text(day: dt.date, locale: str) -> str:
    """A year in words: "2002年", "2002"."""
    return f"{day.year}年" if locale == "zh_CN" else str(day.year)


def event_when(day: dt.date, year_only: bool, locale: str) -> str:
    """When an event happened: its year for year-only events (honours), else its date."""
    return year_text(day, locale) if year_only else fmt_date(day, locale)


# --------------------------------------------------------------------------- why it is a model


def why_text(locale: str, *, designated: bool, reason: str | None = None, level: str | None = None,
             title: str | None = None, year: int | None = None) -> str:
    """Why an enterprise is a model, in one line: the staff's reason when designated, else its best
    honour (level, title, year); "—" when neither is known. The card, the case page and the PDF say this."""
    if designated:
        return t("cases.why.designated", locale, reason=reason or "")
    if not isinstance(level, str) or not isinstance(title, str) or year is None or pd.isna(year):
        return "—"
    return t("cases.why.honour", locale, level=t(f"cases.level.{level}", locale), title=title, year=int(year))


def case_why(detail: CaseDetail, locale: str) -> str:
    """:func:`why_text` of a case study (its best honour is the first of ``detail.honours``)."""
    best = detail.honours.iloc[0] if len(detail.honours) else {}
    return why_text(locale, designated=detail.status.basis == "designated", reason=detail.status.reason,
                    level=best.get("level"), title=best.get("title"), year=best.get("year"))


def card_why(row: Mapping, locale: str) -> str:
    """:func:`why_text` of a gallery row (``queries.cases.MODEL_COLUMNS``)."""
    return why_text(locale, designated=row["basis"] == "designated", reason=row["reason"], level=row["best_level"],
                    title=row["best_title"], year=row["best_year"])


# --------------------------------------------------------------------------- the gallery


def honour_line(honour: Mapping, locale: str) -> str:
    """"省级 · 模范职工之家 · 2002"."""
    return f"{t('cases.level.' + str(honour['level']), locale)} · {honour['title']} · {honour['year']}"


@dataclass(frozen=True)
class Card:
    """One model enterprise of the gallery, in words."""

    enterprise_id: int
    name: str
    tags: list[str]  # township, pattern
    from_source: bool  # one of the source's four (a badge)
    why: str
    honours: list[str]  # its best honours, then "另有 n 项荣誉" when it holds more
    headline: str


def card(row: Mapping, locale: str) -> Card:
    """A gallery row (``queries.cases.MODEL_COLUMNS``) as a card."""
    tags = [row["township"]]
    if isinstance(row["pattern"], str):
        tags.append(t(f"pattern.{row['pattern']}", locale))
    top = list(row["top_honours"] or [])
    honours = [honour_line(h, locale) for h in top]
    if top and int(row["honours"]) > len(top):
        honours.append(t("cases.honours_more", locale, n=fmt_int(int(row["honours"]) - len(top))))
    headline = row["headline_zh"] if locale == "zh_CN" else row["headline_en"]
    if not (isinstance(headline, str) and headline):
        headline = (t("cases.headline.honour", locale, level=t(f"cases.level.{row['best_level']}", locale),
                      title=row["best_title"]) if row["basis"] == "honour" else t("cases.headline.designated", locale))
    return Card(enterprise_id=int(row["enterprise_id"]), name=row["name"], tags=tags,
                from_source=bool(row["from_source"]), why=card_why(row, locale), honours=honours, headline=headline)


def search_options(found: pd.DataFrame) -> dict[int, str]:
    """Enterprises found for the designation form: id → "name（township）", every label different
    (two enterprises of one name in one township get their ids: ``views.edits.unique_labels``)."""
    return unique_labels({int(i): f"{n}（{tw}）" for i, n, tw in zip(found["enterprise_id"], found["name"],
                                                                   found["township"], strict=True)})


# --------------------------------------------------------------------------- one case


def case_tags(detail: CaseDetail, locale: str) -> list[str]:
    """Under the title: township, ownership, pattern."""
    tags = [detail.township, t(f"cases.ownership.{detail.ownership}", locale)]
    if detail.pattern:
        tags.append(t(f"pattern.{detail.pattern}", locale))
    return tags


def story_parts(detail: CaseDetail, locale: str) -> list[str]:
    """The story's paragraphs (none when there is no text)."""
    story = detail.story(locale)
    return [p for p in story.split("\n\n") if p] if story else []


def key_facts(detail: CaseDetail, locale: str) -> list[tuple[str, str]]:
    """(label, value) pairs: who it is and how its Party and union organisations came about."""
    facts = [
        (t("cases.fact.township", locale), detail.township),
        (t("cases.fact.ownership", locale), t(f"cases.ownership.{detail.ownership}", locale)),
        (t("cases.fact.size", locale), t("cases.fact.size_value", locale, employees=fmt_int(detail.employees),
                                         members=fmt_int(detail.party_members))),
        (t("cases.fact.pattern", locale), t(f"pattern.{detail.pattern}", locale) if detail.pattern else "—"),
        (t("cases.fact.owner", locale), t("cases.fact.owner_member" if detail.owner_is_party_member
                                          else "cases.fact.owner_not_member", locale)),
    ]
    if detail.union_founded_on:
        facts.append((t("cases.fact.union", locale), t(
            "cases.fact.union_value" if detail.union_is_own else "cases.fact.union_joint", locale,
            name=detail.union_name, date=fmt_date(detail.union_founded_on, locale))))
    else:
        facts.append((t("cases.fact.union", locale), t("cases.fact.none", locale)))
    if detail.party_founded_on:
        level = t(f"cases.party_level.{detail.party_org_level}", locale)
        named = level in (detail.party_org_name or "")  # "…党支部" already says it
        facts.append((t("cases.fact.party", locale), t(
            "cases.fact.party_value", locale, name=detail.party_org_name,
            level="" if named else t("cases.fact.level_suffix", locale, level=level),
            date=fmt_date(detail.party_founded_on, locale))))
    else:
        facts.append((t("cases.fact.party", locale), t("cases.fact.none", locale)))
    if detail.first_organisation:
        facts.append((t("cases.fact.order", locale), order_text(detail, locale)))
    if detail.one_person:
        facts.append((t("cases.fact.one_person", locale),
                      t("cases.fact.one_person_value", locale, name=detail.party_secretary or detail.union_chair or "",
                        org=t(f"cases.party_level.{detail.party_org_level}", locale))))
    return facts


def order_text(detail: CaseDetail, locale: str) -> str:
    """先建党组织，后建工会 (or the other way round), with the years."""
    return t(f"cases.fact.first.{detail.first_organisation}", locale,
             party=year_text(detail.party_founded_on, locale), union=year_text(detail.union_founded_on, locale),
             org=t(f"cases.party_level.{detail.party_org_level}", locale))


def honours_frame(honours: pd.DataFrame, locale: str) -> pd.DataFrame:
    """The honours (``queries.cases.HONOUR_COLUMNS``) as a labelled table: title, level, awarding body,
    year, which body received it."""
    return pd.DataFrame({
        t("cases.col.title", locale): list(honours["title"]),
        t("cases.col.level", locale): [t(f"cases.level.{v}", locale) for v in honours["level"]],
        t("cases.col.body", locale): list(honours["awarding_body"]),
        t("cases.col.year", locale): [str(y) for y in honours["year"]],
        t("cases.col.organ", locale): [t(f"cases.organ.{v}", locale) for v in honours["organ"]],
    })


def activities_frame(activities: pd.DataFrame, locale: str) -> pd.DataFrame:
    """The activities by season and type (``queries.cases.ACTIVITY_COLUMNS``) as a labelled table:
    season (全年 without one), type, the titles in recorded order, count to date, count in the last 12 months."""
    return pd.DataFrame({
        t("cases.col.season", locale): [t(f"cases.season.{s if isinstance(s, str) and s else 'none'}", locale)
                                        for s in activities["season"]],
        t("cases.col.kind", locale): [t(f"cases.activity.{k}", locale) for k in activities["kind"]],
        t("cases.col.titles", locale): [list_sep(locale).join(x) for x in activities["titles"]],
        t("cases.col.count", locale): [int(n) for n in activities["count"]],
        t("cases.col.recent", locale): [int(n) for n in activities["last_12_months"]],
    })


def event_lines(detail: CaseDetail, locale: str, limit: int | None = None) -> list[str]:
    """The timeline as text: "1999年6月12日  工会成立  吉林市…工会委员会" (the kind's name: ``hist.<kind>``)."""
    lines = []
    for row in detail.timeline.to_dict("records")[:limit]:
        title = row["title"] if isinstance(row["title"], str) else ""
        if row["kind"] == "honour":
            level = t("cases.level." + str(row["level"]), locale)
            title = f"{level}{title}" if locale == "zh_CN" else f"{level} {title}"
        if row["kind"] == "designated":
            title = t("cases.timeline.by_staff", locale)
        when, what = event_when(row["date"], bool(row["year_only"]), locale), t(f"hist.{row['kind']}", locale)
        lines.append(f"{when}  {what}  {title}".strip())
    return lines


# --------------------------------------------------------------------------- the comparison


def bench_name(detail: CaseDetail, locale: str) -> str:
    """What the averages are of: 全区 (the district) or 本辖区 (the caller's townships)."""
    return t("cases.bench.district" if detail.comparison.bench_is_district else "cases.bench.scope", locale)


def bench_heading(detail: CaseDetail, locale: str) -> str:
    """The comparison's heading: against the averages of :func:`bench_name`, over the 党建基数 of their
    enterprises — "与全区已建会企业平均比较（三有企业）"."""
    return (f"{t('cases.compare', locale, bench=bench_name(detail, locale))}"
            f"（{base_words.name(detail.comparison.base, locale)}）")


def _average(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def comparison_rows(detail: CaseDetail, locale: str) -> list[list[str]]:
    """[figure, this enterprise, the benchmark's average] for the three comparison figures."""
    c = detail.comparison
    m = c.membership
    fraction = f"{fmt_int(m.numerator)} / {fmt_int(m.denominator)}"
    own_rate = (fmt_pct(m.value, locale) + (f"（{fraction}）" if locale == "zh_CN" else f" ({fraction})")
                if m.value is not None else t("cases.cmp.not_unionised", locale))
    return [
        [t("cases.cmp.membership", locale), own_rate, fmt_pct(m.average, locale)],
        [t("cases.cmp.activities", locale), fmt_int(c.activities.numerator), _average(c.activities.average)],
        [t("cases.cmp.activists", locale), fmt_int(c.activists.numerator), _average(c.activists.average)],
    ]


def comparison_frame(detail: CaseDetail, locale: str) -> pd.DataFrame:
    """:func:`comparison_rows` as a labelled table: figure, this enterprise, the benchmark's average."""
    return pd.DataFrame(comparison_rows(detail, locale), columns=[
        t("cases.col.figure", locale), t("cases.col.this", locale),
        t("cases.col.average", locale, bench=bench_name(detail, locale))])


@dataclass(frozen=True)
class Kpi:
    """A figure card: label, big value, the line under it, the definition (a tooltip)."""

    label: str
    value: str
    detail: str
    help: str


def comparison_cards(detail: CaseDetail, locale: str) -> list[Kpi]:
    """The three comparison figures as cards: the enterprise's value, the benchmark's average under
    it (with members / employees for the membership rate), each with its definition."""
    c = detail.comparison
    bench = bench_name(detail, locale)
    rows = comparison_rows(detail, locale)
    start, n = fmt_date(c.window_start, locale), fmt_int(c.unionised)
    m = c.membership
    avg = lambda i: t("cases.cmp.avg", locale, bench=bench, value=rows[i][2])  # noqa: E731
    members = (f" · {fmt_int(m.numerator)} / {fmt_int(m.denominator)} {t('unit.people', locale)}"
               if m.value is not None else f" · {t('cases.cmp.not_unionised', locale)}")
    return [
        Kpi(t("cases.cmp.membership", locale), fmt_pct(m.value, locale) if m.value is not None else "—",
            avg(0) + members, t("cases.cmp.membership.def", locale, bench=bench)),
        Kpi(t("cases.cmp.activities", locale), rows[1][1], avg(1),
            t("cases.cmp.activities.def", locale, bench=bench, start=start, n=n)),
        Kpi(t("cases.cmp.activists", locale), rows[2][1], avg(2),
            t("cases.cmp.activists.def", locale, bench=bench, n=n)),
    ]


# --------------------------------------------------------------------------- the designation record


def designation_frame(history: pd.DataFrame, locale: str) -> pd.DataFrame:
    """Designations and removals (``queries.cases.designation_history``, times in the district's zone),
    newest first: when (Beijing time), what, the reason, by whom."""
    return pd.DataFrame({
        t("cases.history.col.at", locale): [a.strftime("%Y-%m-%d %H:%M") for a in history["at"]],
        t("cases.history.col.action", locale): [t("cases.history.designated" if d else "cases.history.removed", locale)
                                                for d in history["designated"]],
        t("cases.reason", locale): list(history["reason"]),
        t("cases.history.col.by", locale): list(history["by_username"]),
    })
