"""The one-page printable case study of a model enterprise (A4, CJK font embedded)."""

from __future__ import annotations

from dashboard.exports.pdf import Document, fit_one_page
from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries.cases import CaseDetail

#: at most this many rows of each list, so that the page holds (the page notes what was left out)
MAX_HONOURS = 8
MAX_EVENTS = 12
MAX_ACTIVITY_ROWS = 6


def why_text(detail: CaseDetail, locale: str) -> str:
    """Why it is a model, in one line (the card and the page say the same)."""
    status = detail.status
    if status.basis == "designated":
        return t("cases.why.designated", locale, reason=status.reason or "")
    best = detail.honours.iloc[0] if len(detail.honours) else None
    if best is None:
        return "—"
    return t("cases.why.honour", locale, level=t(f"cases.level.{best['level']}", locale), title=best["title"],
             year=int(best["year"]))


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
    kind = detail.first_organisation
    return t(f"cases.fact.first.{kind}", locale, party=_year(detail.party_founded_on, locale),
             union=_year(detail.union_founded_on, locale),
             org=t(f"cases.party_level.{detail.party_org_level}", locale))


def _year(day, locale: str) -> str:
    return f"{day.year}年" if locale == "zh_CN" else str(day.year)


def comparison_rows(detail: CaseDetail, locale: str) -> list[list[str]]:
    """[figure, this enterprise, the benchmark's average] for the three comparison figures."""
    c = detail.comparison
    m = c.membership
    fraction = f"{fmt_int(m.numerator)} / {fmt_int(m.denominator)}"
    own_rate = (f"{fmt_pct(m.value, locale)}" + (f"（{fraction}）" if locale == "zh_CN" else f" ({fraction})")
                if m.value is not None else t("cases.cmp.not_unionised", locale))
    avg = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
    return [
        [t("cases.cmp.membership", locale), own_rate, fmt_pct(m.average, locale)],
        [t("cases.cmp.activities", locale), fmt_int(c.activities.numerator), avg(c.activities.average)],
        [t("cases.cmp.activists", locale), fmt_int(c.activists.numerator), avg(c.activists.average)],
    ]


def bench_name(detail: CaseDetail, locale: str) -> str:
    return t("cases.bench.district" if detail.comparison.bench_is_district else "cases.bench.scope", locale)


def event_lines(detail: CaseDetail, locale: str, limit: int = MAX_EVENTS) -> list[str]:
    """The timeline as text: "1999年6月12日 工会成立 吉林市…工会委员会"."""
    lines = []
    for row in detail.timeline.to_dict("records")[:limit]:
        when = (f"{row['date'].year}年" if locale == "zh_CN" else str(row["date"].year)) if row["year_only"] \
            else fmt_date(row["date"], locale)
        what = t(f"cases.event.{row['kind']}", locale)
        title = row["title"] or ""
        if row["kind"] == "honour":
            level = t("cases.level." + str(row["level"]), locale)
            title = f"{level}{title}" if locale == "zh_CN" else f"{level} {title}"
        if row["kind"] == "designated":
            title = t("cases.timeline.by_staff", locale)
        lines.append(f"{when}  {what}  {title}".strip())
    return lines


def activity_rows(detail: CaseDetail, locale: str, limit: int = MAX_ACTIVITY_ROWS) -> list[list[str]]:
    sep = "、" if locale == "zh_CN" else ", "
    rows = []
    for a in detail.activities.to_dict("records")[:limit]:
        season = a["season"] if isinstance(a["season"], str) and a["season"] else "none"
        rows.append([t(f"cases.season.{season}", locale), t(f"cases.activity.{a['kind']}", locale),
                     sep.join(a["titles"]), fmt_int(a["count"])])
    return rows


def case_pdf(detail: CaseDetail, locale: str, *, demo: bool = False) -> bytes:
    """One A4 page: title and why, the story, key facts, the timeline as text, the honours, the
    activities and the comparison figures. Raises ``FontMissing`` without a CJK font."""

    def build(scale: float) -> Document:
        doc = Document(locale=locale, as_of=detail.as_of, demo=demo, subtitle=t("cases.title", locale), scale=scale)
        doc.heading(detail.name)
        doc.paragraph(t("cases.pdf.why", locale, why=why_text(detail, locale)), size=9.5)
        headline = detail.headline(locale)
        if headline:
            doc.heading(headline, level=2)
        story = detail.story(locale)
        doc.paragraph(story if story else t("cases.story_missing", locale), size=10)
        doc.heading(t("cases.facts", locale), level=2)
        doc.facts(key_facts(detail, locale), label_width=34 if locale == "zh_CN" else 40)
        honours = detail.honours
        doc.heading(t("cases.honours", locale), level=2)
        if len(honours):
            doc.table([t("cases.col.title", locale), t("cases.col.level", locale), t("cases.col.body", locale),
                       t("cases.col.year", locale), t("cases.col.organ", locale)],
                      [[h["title"], t(f"cases.level.{h['level']}", locale), h["awarding_body"], str(h["year"]),
                        t(f"cases.organ.{h['organ']}", locale)] for h in honours.to_dict("records")[:MAX_HONOURS]],
                      widths=[4, 1.4, 3, 1.2, 1.4])
            if len(honours) > MAX_HONOURS:
                doc.paragraph(t("cases.pdf.more", locale, n=len(honours) - MAX_HONOURS), size=8, muted=True)
        else:
            doc.paragraph(t("cases.no_honours", locale), size=9, muted=True)
        doc.heading(t("cases.timeline", locale), level=2)
        lines = event_lines(detail, locale)
        doc.paragraph("\n".join(lines) if lines else "—", size=9)
        if len(detail.timeline) > MAX_EVENTS:
            doc.paragraph(t("cases.pdf.more_events", locale, n=len(detail.timeline) - MAX_EVENTS), size=8, muted=True)
        if len(detail.activities):
            doc.heading(t("cases.activities", locale), level=2)
            doc.table([t("cases.col.season", locale), t("cases.col.kind", locale), t("cases.col.titles", locale),
                       t("cases.col.count", locale)], activity_rows(detail, locale), widths=[1.3, 1.6, 5, 1],
                      align=["L", "L", "L", "R"])
        doc.heading(t("cases.compare", locale, bench=bench_name(detail, locale)), level=2)
        doc.table([t("cases.col.figure", locale), t("cases.col.this", locale),
                   t("cases.col.average", locale, bench=bench_name(detail, locale))],
                  comparison_rows(detail, locale), widths=[3, 3, 2], align=["L", "R", "R"])
        doc.paragraph(t("cases.pdf.definitions", locale, date=fmt_date(detail.comparison.window_start, locale),
                        n=fmt_int(detail.comparison.unionised)), size=7.5, muted=True)
        return doc

    return fit_one_page(build).to_bytes()
