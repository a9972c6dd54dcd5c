"""The enterprise ledger as a person reads it: the labelled table (screen and Excel alike), the
Excel file's summary sheet and notes, one enterprise's facts and history. No Streamlit.

:func:`ledger_frame` is the one place that turns ledger rows (``queries.ledger.LEDGER_COLUMNS``)
into the table a person sees: the page shows it and the Excel export writes it, so the screen
and the file cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import CATALOGUES, fmt_date, fmt_int, t
from dashboard.queries.ledger import LedgerQuery
from dashboard.views.meetings import with_total_row

__all__ = [
    "MISSING",
    "TABLE_DATE_FORMAT",
    "LedgerWorkbook",
    "detail_caption",
    "detail_facts",
    "history_frame",
    "kind_label",
    "ledger_frame",
    "ledger_workbook",
    "liaison_label",
    "sort_label",
    "township_summary_frame",
]

#: what a cell without a value shows (no union, no Party organisation, no liaison officer)
MISSING = "—"

#: how the table's date column is drawn on screen (a momentjs format; the file keeps real dates)
TABLE_DATE_FORMAT = {"zh_CN": "YYYY年M月D日", "en": "YYYY-MM-DD"}


def _text(value) -> str:
    return value if isinstance(value, str) and value else MISSING


def liaison_label(name, kind, locale: str) -> str | None:
    """"张三（乡镇下派）" — a liaison officer with how they were appointed; None when there is none."""
    if not isinstance(name, str) or not name:
        return None
    how = t(f"ledger.liaison.{kind}", locale)
    return f"{name}（{how}）" if locale == "zh_CN" else f"{name} ({how})"


def ledger_frame(rows: pd.DataFrame, locale: str) -> pd.DataFrame:
    """Ledger rows (a page of ``ledger_page`` or the export's ``ledger_rows``) as the table a person
    reads: translated headers, the pattern's name, the liaison officer with how they were appointed,
    ``MISSING`` where an enterprise has no union, Party organisation or liaison officer. Integers stay
    numbers and the registration date a date (the Excel file writes them as such)."""
    return pd.DataFrame({
        t("ledger.col.name", locale): rows["name"].to_numpy(dtype=object),
        t("ledger.col.uscc", locale): rows["uscc"].to_numpy(dtype=object),
        t("ledger.col.township", locale): rows["township"].to_numpy(dtype=object),
        t("ledger.col.employees", locale): rows["employees"].astype("int64").to_numpy(),
        t("ledger.col.party_members", locale): rows["party_members"].astype("int64").to_numpy(),
        t("ledger.col.union", locale): [_text(u) for u in rows["union"]],
        t("ledger.col.union_how", locale): [_how(h, locale) for h in _column(rows, "union_how")],
        t("ledger.xl.party_org", locale): [_text(p) for p in rows["party_org"]],
        t("ledger.col.party_how", locale): [_how(h, locale) for h in _column(rows, "party_how")],
        t("ledger.col.liaison", locale): [liaison_label(n, k, locale) or MISSING
                                          for n, k in zip(rows["liaison"], rows["liaison_kind"], strict=True)],
        t("ledger.col.pattern", locale): [t(f"pattern.{p}", locale) for p in rows["pattern"]],
        t("ledger.col.registered_on", locale): [pd.Timestamp(d).date() if pd.notna(d) else None
                                                for d in rows["registered_on"]],
    })


def _column(rows: pd.DataFrame, name: str) -> list:
    return list(rows[name]) if name in rows else [None] * len(rows)


def _how(how: str | None, locale: str) -> str:
    """单独 (its own organisation) / 联合 (a joint one) / ``MISSING`` (none)."""
    return t(f"ledger.how.{how}", locale) if how in ("own", "joint") else MISSING


def sort_label(column: str, locale: str) -> str:
    """The name of a sort column (``queries.ledger.SORT_COLUMNS``): the header of the same column."""
    return t(f"ledger.col.{column}", locale)


def township_summary_frame(by_township: pd.DataFrame, locale: str) -> pd.DataFrame:
    """The export's township sheet from ``coverage_by_township``: operating, unionised, with a Party
    organisation, 应建未建 and 未建会 enterprises per township."""
    return pd.DataFrame({
        t("col.township", locale): by_township["name"].to_numpy(dtype=object),
        t("col.operating", locale): by_township["operating"].to_numpy(),
        t("ledger.xl.unionised", locale): by_township["unionised"].to_numpy(),
        t("ledger.xl.with_party", locale): by_township["with_party_org"].to_numpy(),
        t("pattern.should_build", locale): by_township["pattern_should_build"].to_numpy(),
        t("pattern.no_union", locale): by_township["pattern_no_union"].to_numpy(),
    })


@dataclass(frozen=True, eq=False)
class LedgerWorkbook:
    """What the Excel export writes: its title, the "说明" notes (label, value), the demo-data note
    (None for real data) and the (sheet name, table) pairs."""

    title: str
    meta: list[tuple[str, str]]
    demo_note: str | None
    sheets: list[tuple[str, pd.DataFrame]]


def ledger_workbook(rows: pd.DataFrame, by_township: pd.DataFrame, query: LedgerQuery, as_of: dt.date, locale: str, *,
                    username: str, narrowed: bool, exported_at: dt.datetime, demo: bool) -> LedgerWorkbook:
    """The ledger export: every matching row (:func:`ledger_frame`, the page's table) and the township
    summary, with notes saying what was exported — the date, whose townships (by name when the file
    holds less than the whole district: ``narrowed``), the search, patterns and sort, how many rows,
    who and when, and the demo-data note for a demo database."""
    meta = [
        (t("ledger.xl.asof", locale), fmt_date(as_of, locale)),
        (t("ledger.xl.townships", locale), "、".join(by_township["name"]) if narrowed
         else t("filter.township_placeholder", locale)),
        # the ledger is a register: rows and township counts over every operating enterprise
        (t("filter.base", locale), t("base.all", locale)),
        (t("ledger.search", locale), query.search or MISSING),
        (t("ledger.patterns", locale), "、".join(t(f"pattern.{p}", locale) for p in query.patterns)
         or t("ledger.all_patterns", locale)),
        (t("ledger.sort", locale), sort_label(query.sort, locale) + (" ↓" if query.descending else " ↑")),
        (t("ledger.xl.rows", locale), str(len(rows))),
        (t("ledger.xl.user", locale), username),
        (t("ledger.xl.exported", locale), exported_at.strftime("%Y-%m-%d %H:%M")),
    ]
    return LedgerWorkbook(
        title=t("ledger.xl.title", locale), meta=meta, demo_note=t("app.demo_help", locale) if demo else None,
        sheets=[(t("ledger.xl.sheet_ledger", locale), ledger_frame(rows, locale)),
                (t("ledger.xl.sheet_townships", locale), with_total_row(township_summary_frame(by_township, locale),
                                                                        locale))],
    )


# --------------------------------------------------------------------------- one enterprise


def detail_facts(detail, locale: str) -> list[tuple[str, str]]:
    """The four figures above an enterprise's history (``queries.ledger.EnterpriseDetail``):
    pattern (— when not operating on the date), employees, Party members, township."""
    pattern = getattr(detail.pattern, "value", detail.pattern)
    return [
        (t("ledger.col.pattern", locale), t(f"pattern.{pattern}", locale) if pattern else MISSING),
        (t("ledger.col.employees", locale), fmt_int(detail.employees)),
        (t("ledger.col.party_members", locale), fmt_int(detail.party_members)),
        (t("ledger.col.township", locale), detail.township),
    ]


def detail_caption(detail, locale: str) -> str:
    """"统一社会信用代码：… · 注册日期：… · 注销日期：…" (the last only for a closed enterprise)."""
    colon = "：" if locale == "zh_CN" else ": "
    parts = [f"{t('ledger.col.uscc', locale)}{colon}{detail.uscc}",
             f"{t('ledger.col.registered_on', locale)}{colon}{fmt_date(detail.registered_on, locale)}"]
    if detail.closed_on:
        parts.append(f"{t('ledger.closed', locale)}{colon}{fmt_date(detail.closed_on, locale)}")
    return " · ".join(parts)


def kind_label(kind: str, locale: str) -> str:
    """The name of an event kind (``hist.<kind>``); an unknown kind shows as itself, never an error."""
    key = f"hist.{kind}"
    return t(key, locale) if key in CATALOGUES.get(locale, {}) else str(kind)


def _history_date(day, year_only: bool, locale: str) -> str:
    if day is None or (not isinstance(day, dt.date) and pd.isna(day)):
        return MISSING
    day = pd.Timestamp(day).date()
    return str(day.year) if year_only else fmt_date(day, locale)


#: kinds whose title is a stored code, named by the catalogue's ``<prefix>.<code>``
TITLE_LABELS = {"barrier_noted": "barrier", "barrier_cleared": "barrier", "activist_stage": "development.stage"}


def history_frame(history: pd.DataFrame, locale: str) -> pd.DataFrame:
    """An enterprise's history (date, kind, and the title and detail where given) as a table: the
    date in the locale's words (only the year for events known to the year), the kind's name
    (``hist.<kind>``, or a ``label`` column when the history names its events itself), title and
    detail as written. Generic over the kinds: a new kind needs a label, not a change here."""
    n = len(history)
    year_only = history["year_only"].fillna(False).astype(bool) if "year_only" in history else pd.Series([False] * n)
    if "label" in history:
        kinds = [lab if isinstance(lab, str) and lab else kind_label(k, locale)
                 for k, lab in zip(history["kind"], history["label"], strict=True)]
    else:
        kinds = [kind_label(k, locale) for k in history["kind"]]

    def column(name: str) -> list[str]:
        if name not in history:
            return [""] * n
        return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in history[name]]

    titles = [t(f"{TITLE_LABELS[k]}.{v}", locale) if k in TITLE_LABELS and v else v
              for k, v in zip(history["kind"], column("title"), strict=True)]
    return pd.DataFrame({
        t("ledger.hist.date", locale): [_history_date(d, y, locale)
                                        for d, y in zip(history["date"], year_only, strict=True)],
        t("ledger.hist.kind", locale): kinds,
        t("ledger.hist.title", locale): titles,
        t("ledger.hist.detail", locale): column("detail"),
    })
