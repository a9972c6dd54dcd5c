"""Files people take away: the ledger as Excel; the official coverage statistics table.

The rows come from ``queries.ledger``, the table, its headers and the notes from
``views.ledger`` (the page's own table), the workbook from ``exports.excel``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dashboard.queries.ledger import LedgerQuery
from dashboard.queries.scope import Scope

EXPORT_LIMIT = 100_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_workbook(url: str, scope: Scope, as_of: dt.date, query: LedgerQuery, locale: str, username: str,
                    township_codes: tuple[str, ...]) -> bytes:
    """The current filtered view (all pages, within the user's scope) as an .xlsx file."""
    from dashboard.exports.excel import DEMO_META_KEY, workbook_bytes
    from dashboard.queries import coverage, ledger
    from dashboard.ui.data import dataset_info, session
    from dashboard.views import ledger as view

    with session(url) as s:
        rows = ledger.ledger_rows(s, scope, as_of, query, limit=EXPORT_LIMIT)
        townships = coverage.coverage_by_township(s, scope, as_of)
    book = view.ledger_workbook(rows, townships, query, as_of, locale, username=username,
                                narrowed=bool(township_codes) or scope.township_ids is not None,
                                exported_at=dt.datetime.now(),
                                demo=dataset_info(url).get("dataset") in ("demo", "scale"))
    meta = book.meta + ([(DEMO_META_KEY, book.demo_note)] if book.demo_note else [])  # highlighted in 说明
    return workbook_bytes(book.sheets, meta=meta, title=book.title)


def ledger_excel_callable(url: str, scope: Scope, as_of: dt.date, query: LedgerQuery, locale: str, username: str,
                          township_codes: tuple[str, ...]) -> Callable[[], bytes]:
    """Deferred: the workbook is built only when the download button is clicked."""
    return lambda: ledger_workbook(url, scope, as_of, query, locale, username, township_codes)


PDF_MIME = "application/pdf"


def statistics_file(url: str, scope: Scope, as_of: dt.date, locale: str, scope_label: str, kind: str) -> bytes:
    """The official coverage statistics table of the scope (``queries.statistics``) as ``kind``
    "xlsx" or "pdf", with the same rows and words as ``views.statistics``."""
    from dashboard.exports.statistics import statistics_pdf, statistics_xlsx
    from dashboard.queries.statistics import statistics_table
    from dashboard.ui.data import dataset_info, session
    from dashboard.views.statistics import statistics_frame, statistics_notes, statistics_title

    with session(url) as s:
        table = statistics_table(s, scope, as_of)
    build = statistics_pdf if kind == "pdf" else statistics_xlsx
    return build(statistics_frame(table, locale, scope.base), statistics_notes(locale, scope.base),
                 title=statistics_title(scope_label, locale),
                 as_of=as_of, locale=locale, demo=dataset_info(url).get("dataset") in ("demo", "scale"))


def leads_workbook(url: str, scope: Scope, as_of: dt.date, flt, idle_days: int, locale: str,
                   scope_label: str) -> bytes:
    """The founding-lead list (every lead the filter passes, within the user's scope) and the two
    breakdowns as an .xlsx file — the rows and words of the pipeline tab (``views.leads``)."""
    from dashboard.exports.excel import workbook_bytes
    from dashboard.i18n import fmt_date, t
    from dashboard.queries import leads
    from dashboard.ui.data import session
    from dashboard.views import leads as view

    with session(url) as s:
        rows = leads.lead_list(s, scope, as_of, flt, idle_days=idle_days, limit=EXPORT_LIMIT)
        pipe = leads.pipeline(s, scope, as_of, idle_days)
        by_source, by_township, overall = pipe.by_source, pipe.by_township, pipe.overall
    sheets = [(t("leads.export.sheet", locale), view.export_frame(rows, as_of, idle_days, locale)),
              (t("leads.by_source", locale), view.breakdown_table(by_source, "source", locale, overall)),
              (t("leads.by_township", locale), view.breakdown_table(by_township, "township", locale))]
    meta = [(t("ledger.xl.asof", locale), fmt_date(as_of, locale)), (t("ledger.xl.townships", locale), scope_label),
            (t("leads.filter", locale), view.filter_text(flt, locale)), (t("ledger.xl.rows", locale), str(len(rows))),
            (t("ledger.xl.exported", locale), dt.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    return workbook_bytes(sheets, meta=meta, title=t("leads.title", locale))


def leads_excel_callable(url: str, scope: Scope, as_of: dt.date, flt, idle_days: int, locale: str,
                         scope_label: str) -> Callable[[], bytes]:
    """Deferred: the workbook is built only when the download button is clicked."""
    return lambda: leads_workbook(url, scope, as_of, flt, idle_days, locale, scope_label)


def development_workbook(url: str, scope, as_of: dt.date, names, locale: str, scope_label: str) -> bytes:
    """荐优纳新推评制 as an .xlsx file: the tables by township and by enterprise, the people (names as
    the user may see them — masked by the query for a leader), the usual periods and the definitions
    — the rows and words of the page (``views.development``)."""
    from dashboard.exports.excel import workbook_bytes
    from dashboard.i18n import fmt_date, t
    from dashboard.queries import development
    from dashboard.ui.data import session
    from dashboard.views import development as view

    with session(url) as s:
        figures = development.figures(s, scope, as_of, limit=EXPORT_LIMIT)
        people = development.people(s, scope, as_of, names=names, limit=EXPORT_LIMIT)
    sheets = [(t("development.export.sheet.township", locale),
               view.township_table(figures.by_township, figures.overall, figures.year, locale)),
              (t("development.export.sheet.enterprise", locale),
               view.enterprise_table(figures.by_enterprise, figures.year, locale)),
              (t("development.export.sheet.people", locale), view.people_table(people, locale)),
              (t("development.export.sheet.rules", locale), view.rules_table(locale))]
    meta = [(t("ledger.xl.asof", locale), fmt_date(as_of, locale)), (t("ledger.xl.townships", locale), scope_label),
            *view.definitions(figures.year, locale),
            (t("ledger.xl.exported", locale), dt.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    return workbook_bytes(sheets, meta=meta, title=t("development.title", locale))


def development_excel_callable(url: str, scope, as_of: dt.date, names, locale: str,
                               scope_label: str) -> Callable[[], bytes]:
    """Deferred: the workbook is built only when the download button is clicked."""
    return lambda: development_workbook(url, scope, as_of, names, locale, scope_label)
