"""The one-page printable case study of a model enterprise (A4, CJK font embedded).

Every text and row comes from ``dashboard.views.cases``, as on the case page: the PDF lays them out.
"""

from __future__ import annotations

from dashboard.exports.pdf import Document, fit_one_page
from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.cases import CaseDetail
from dashboard.views.cases import (
    activities_frame,
    bench_name,
    case_why,
    comparison_frame,
    event_lines,
    honours_frame,
    key_facts,
)

#: at most this many rows of each list, so that the page holds (the page notes what was left out)
MAX_HONOURS = 8
MAX_EVENTS = 12
MAX_ACTIVITY_ROWS = 6


def case_pdf(detail: CaseDetail, locale: str, *, demo: bool = False) -> bytes:
    """One A4 page: title and why, the story, key facts, the timeline as text, the honours, the
    activities and the comparison figures. Raises ``FontMissing`` without a CJK font."""

    def build(scale: float) -> Document:
        doc = Document(locale=locale, as_of=detail.as_of, demo=demo, subtitle=t("cases.title", locale), scale=scale)
        doc.heading(detail.name)
        doc.paragraph(t("cases.pdf.why", locale, why=case_why(detail, locale)), size=9.5)
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
            table = honours_frame(honours.head(MAX_HONOURS), locale)
            doc.table(list(table.columns), table.to_numpy().tolist(), widths=[4, 1.4, 3, 1.2, 1.4])
            if len(honours) > MAX_HONOURS:
                doc.paragraph(t("cases.pdf.more", locale, n=len(honours) - MAX_HONOURS), size=8, muted=True)
        else:
            doc.paragraph(t("cases.no_honours", locale), size=9, muted=True)
        doc.heading(t("cases.timeline", locale), level=2)
        lines = event_lines(detail, locale, MAX_EVENTS)
        doc.paragraph("\n".join(lines) if lines else "—", size=9)
        if len(detail.timeline) > MAX_EVENTS:
            doc.paragraph(t("cases.pdf.more_events", locale, n=len(detail.timeline) - MAX_EVENTS), size=8, muted=True)
        if len(detail.activities):
            doc.heading(t("cases.activities", locale), level=2)
            table = activities_frame(detail.activities.head(MAX_ACTIVITY_ROWS), locale).iloc[:, :4]  # not the 12 months
            rows = [[*r[:3], fmt_int(r[3])] for r in table.to_numpy().tolist()]
            doc.table(list(table.columns), rows, widths=[1.3, 1.6, 5, 1], align=["L", "L", "L", "R"])
        doc.heading(t("cases.compare", locale, bench=bench_name(detail, locale)), level=2)
        table = comparison_frame(detail, locale)
        doc.table(list(table.columns), table.to_numpy().tolist(), widths=[3, 3, 2], align=["L", "R", "R"])
        doc.paragraph(t("cases.pdf.definitions", locale, date=fmt_date(detail.comparison.window_start, locale),
                        n=fmt_int(detail.comparison.unionised)), size=7.5, muted=True)
        return doc

    return fit_one_page(build).to_bytes()
