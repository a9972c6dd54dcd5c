"""Files people take away: the ledger as Excel (the workbook itself is built in dashboard/exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from dashboard.i18n import fmt_date, t
from dashboard.queries.ledger import LedgerQuery
from dashboard.queries.scope import Scope

EXPORT_LIMIT = 100_000


def liaison_label(name, kind, locale: str) -> str | None:
    """"张三（乡镇下派）" — a liaison officer with how they were appointed; None when there is none."""
    if not isinstance(name, str) or not name:
        return None
    return f"{name}（{t(f'ledger.liaison.{kind}', locale)}）" if locale == "zh_CN" else \
        f"{name} ({t(f'ledger.liaison.{kind}', locale)})"


def ledger_frame(rows: pd.DataFrame, locale: str) -> pd.DataFrame:
    """The ledger rows with the page's columns and Chinese (or English) headers."""
    return pd.DataFrame({
        t("ledger.col.name", locale): rows["name"],
        t("ledger.col.uscc", locale): rows["uscc"],
        t("ledger.col.township", locale): rows["township"],
        t("ledger.col.employees", locale): rows["employees"].astype("int64"),
        t("ledger.col.party_members", locale): rows["party_members"].astype("int64"),
        t("ledger.col.union", locale): rows["union"].fillna(""),
        t("ledger.xl.party_org", locale): rows["party_org"].fillna(""),
        t("ledger.col.liaison", locale): [liaison_label(n, k, locale) or ""
                                          for n, k in zip(rows["liaison"], rows["liaison_kind"], strict=True)],
        t("ledger.col.pattern", locale): [t(f"pattern.{p}", locale) for p in rows["pattern"]],
        t("ledger.col.registered_on", locale): rows["registered_on"],
    })


def ledger_workbook(url: str, scope: Scope, as_of: dt.date, query: LedgerQuery, locale: str, username: str,
                    township_codes: tuple[str, ...]) -> bytes:
    """The current filtered view (all pages, within the user's scope) as an .xlsx file."""
    from dashboard.exports.excel import workbook_bytes
    from dashboard.queries import coverage, ledger
    from dashboard.ui.data import dataset_info, session

    with session(url) as s:
        rows = ledger.ledger_rows(s, scope, as_of, query, limit=EXPORT_LIMIT)
        townships = coverage.coverage_by_township(s, scope, as_of)
    summary = pd.DataFrame({
        t("col.township", locale): townships["name"],
        t("col.operating", locale): townships["operating"],
        t("ledger.xl.unionised", locale): townships["unionised"],
        t("ledger.xl.with_party", locale): townships["with_party_org"],
        t("pattern.should_build", locale): townships["pattern_should_build"],
        t("pattern.no_union", locale): townships["pattern_no_union"],
    })
    info = dataset_info(url)
    meta = [
        (t("ledger.xl.asof", locale), fmt_date(as_of, locale)),
        (t("ledger.xl.townships", locale), "、".join(townships["name"]) if (township_codes or scope.township_ids is not None)
         else t("filter.township_placeholder", locale)),
        (t("ledger.search", locale), query.search or "—"),
        (t("ledger.patterns", locale), "、".join(t(f"pattern.{p}", locale) for p in query.patterns) or t("ledger.all_patterns", locale)),
        (t("ledger.sort", locale), t(f"ledger.col.{query.sort}", locale) + (" ↓" if query.descending else " ↑")),
        (t("ledger.xl.rows", locale), str(len(rows))),
        (t("ledger.xl.user", locale), username),
        (t("ledger.xl.exported", locale), dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]
    if info.get("dataset") in ("demo", "scale"):
        meta.append(("demo", t("app.demo_help", locale)))  # a highlighted demo-data note in the 说明 sheet
    return workbook_bytes([(t("ledger.xl.sheet_ledger", locale), ledger_frame(rows, locale)),
                           (t("ledger.xl.sheet_townships", locale), summary)],
                          meta=meta, title=t("ledger.xl.title", locale))


def ledger_excel_callable(url: str, scope: Scope, as_of: dt.date, query: LedgerQuery, locale: str, username: str,
                          township_codes: tuple[str, ...]) -> Callable[[], bytes]:
    """Deferred: the workbook is built only when the download button is clicked."""
    return lambda: ledger_workbook(url, scope, as_of, query, locale, username, township_codes)
