"""The import page's tables and sentences, from an import's outcome and its batches. No Streamlit.

The CLI prints the same diff (``dashboard/cli.py``) from the same outcome, so the page and the
terminal agree on what an import changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.edits.ledger_import import DIFF_KEYS, KPI_KEYS, BatchInfo, Outcome
from dashboard.i18n import fmt_int, fmt_pct, fmt_pp_change, pp_shown, t
from dashboard.queries.dates import district_time
from dashboard.ledgerfile.problems import Problem

__all__ = ["KpiChange", "PROBLEMS_SHOWN", "batches_frame", "diff_frame", "kpi_changes", "problems_frame"]

#: problems listed on the page (the workbook holds every one)
PROBLEMS_SHOWN = 500


def problems_frame(problems: Sequence[Problem], locale: str) -> pd.DataFrame:
    """Every problem: sheet, row, column, value, reason (in the page's language)."""
    rows = [[p.sheet, p.row if p.row is not None else "", p.column or "", p.value, p.reason(locale)]
            for p in problems[:PROBLEMS_SHOWN]]
    cols = [t(f"import.col.{c}", locale) for c in ("sheet", "row", "column", "value", "reason")]
    return pd.DataFrame(rows, columns=cols)


def diff_frame(out: Outcome, locale: str) -> pd.DataFrame:
    """Per township, each kind of change (only kinds that occur), then a total row."""
    used = [k for k in DIFF_KEYS if any(c.get(k) for c in out.per_township.values())]
    rows = [[town, *(counts.get(k, 0) for k in used)] for town, counts in sorted(out.per_township.items())]
    totals = out.totals()
    rows.append([t("import.diff.total", locale), *(totals[k] for k in used)])
    cols = [t("import.diff.township", locale), *(t(f"import.diff.{k}", locale) for k in used)]
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True)
class KpiChange:
    label: str
    before: str
    after: str
    delta: str | None  # e.g. "+1.2 个百分点", None when unchanged or not a rate
    definition: str


def _rate(pair) -> float | None:
    if not isinstance(pair, list | tuple) or not pair[1]:
        return None
    return pair[0] / pair[1]


def kpi_changes(out: Outcome, locale: str) -> list[KpiChange]:
    """The KPI cards before → after as of the file's date."""
    if not out.kpis_after:
        return []
    b, a = out.kpis_before, out.kpis_after
    cards = [KpiChange(t("import.kpi.operating", locale), fmt_int(b["operating"], locale), fmt_int(a["operating"], locale),
                       f"{a['operating'] - b['operating']:+,}" if a["operating"] != b["operating"] else None, "")]
    for key in KPI_KEYS[1:]:
        rb, ra = _rate(b[key]), _rate(a[key])
        delta = fmt_pp_change(rb, ra, locale) if pp_shown(rb, ra) else None
        cards.append(KpiChange(t(f"kpi.{key}", locale), fmt_pct(rb, locale), fmt_pct(ra, locale), delta,
                               t(f"kpi.{key}.def", locale)))
    return cards


def batches_frame(batches: Sequence[BatchInfo], locale: str) -> pd.DataFrame:
    """The import batches, newest first: who, when (the district's time), which file, how many rows,
    what changed, state."""
    rows = []
    for b in batches:
        totals = b.summary.get("totals", {})
        changes = "，".join(f"{t(f'import.diff.{k}', locale)} {v:,}" for k, v in totals.items() if v)
        state = (t("import.batches.state.undone", locale, by=b.undone_by or "",
                   at=f"{district_time(b.undone_at):%Y-%m-%d %H:%M}")
                 if b.undone_at else t("import.batches.state.active", locale))
        rows.append([b.id, f"{district_time(b.at):%Y-%m-%d %H:%M}", b.username, b.filename, b.rows, changes, state])
    cols = [t(f"import.batches.col.{c}", locale) for c in ("id", "at", "user", "file", "rows", "changes", "state")]
    return pd.DataFrame(rows, columns=cols)
