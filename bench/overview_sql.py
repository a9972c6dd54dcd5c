"""The overview page's SQL alone: the query functions it uses, called directly (no Streamlit cache).

The list mirrors ``dashboard/app_pages/overview.py`` through ``dashboard/ui/data.py``: coverage
per township as of the date and one year earlier, action-item counts for both, the alert lists,
overdue items per township, foundings per quarter for ten years and the coverage series.
"""

from __future__ import annotations

import datetime as dt
import inspect
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from dashboard.queries import coverage, followup, trends
from dashboard.queries.scope import Scope
from models.db import make_engine


@dataclass(frozen=True)
class Dates:
    as_of: dt.date
    year_ago: dt.date
    foundings_start: dt.date
    series: tuple[dt.date, ...]


def overview_dates(as_of: dt.date) -> Dates:
    """The dates the overview page asks for (same rules as overview.py)."""
    if as_of.month == 2 and as_of.day == 29:
        year_ago = as_of - dt.timedelta(365)
    else:
        year_ago = as_of.replace(year=as_of.year - 1)
    start = dt.date(max(1998, as_of.year - 9), 1, 1)
    return Dates(as_of, year_ago, start, tuple(trends.series_dates(as_of)))


def _campaign_progress() -> Callable | None:
    """``campaigns.campaign_progress`` when this version of the overview shows campaign progress."""
    try:
        from dashboard.queries import campaigns
    except ImportError:
        return None
    return getattr(campaigns, "campaign_progress", None)


def queries(d: Dates, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    """(name, fn(session)) for every query of the overview, in page order."""
    a, y = d.as_of, d.year_ago
    progress = _campaign_progress()
    return [
        ("coverage_by_township(as_of)", lambda s: coverage.coverage_by_township(s, scope, a)),
        ("coverage_by_township(year_ago)", lambda s: coverage.coverage_by_township(s, scope, y)),
        ("action_item_counts(as_of)", lambda s: followup.action_item_counts(s, scope, a)),
        ("action_item_counts(year_ago)", lambda s: followup.action_item_counts(s, scope, y)),
        *([("campaign_progress", lambda s: progress(s, scope, a))] if progress else []),
        ("foundings_per_quarter(10 years)", lambda s: trends.foundings_per_quarter(s, scope, d.foundings_start, a)),
        (f"coverage_series({len(d.series)} dates)", lambda s: trends.coverage_series(s, scope, list(d.series))),
        ("enterprises_in_pattern(should_build)",
         lambda s: coverage.enterprises_in_pattern(s, scope, a, "should_build", limit=GAP_LIMIT)),
        ("overdue_items", lambda s: followup.overdue_items(s, scope, a)),
        ("overdue_leads", lambda s: followup.overdue_leads(s, scope, a)),
        ("count_overdue_leads", lambda s: followup.count_overdue_leads(s, scope, a)),
        ("overdue_notices", lambda s: followup.overdue_notices(s, scope, a)),
        ("count_overdue_notices", lambda s: followup.count_overdue_notices(s, scope, a)),
        ("overdue_items_by_township", lambda s: followup.overdue_items_by_township(s, scope, a)),
        *([("action_items_by_owner", lambda s: followup.action_items_by_owner(s, scope, a))]
          if hasattr(followup, "action_items_by_owner") else []),
    ]


#: Rows of the gap list the page asks for (``dashboard/ui/data.py`` ``alert_lists``).
GAP_LIMIT = 50

#: Measured but not part of the total: the exact per-enterprise query (what the summary replaces).
EXTRA = "enterprise_patterns(should_build, exact)"


def extra_query(d: Dates, scope: Scope) -> Callable[[Session], Any]:
    return lambda s: coverage.enterprise_patterns(s, scope, d.as_of, pattern="should_build", limit=GAP_LIMIT)


def page_uses_exact_gap_list() -> bool:
    """Whether ``dashboard.ui.data.alert_lists`` calls the exact ``enterprise_patterns`` (not the summary)."""
    try:
        from dashboard.ui import data

        fn = getattr(data.alert_lists, "__wrapped__", data.alert_lists)
        src = inspect.getsource(fn)
    except Exception:  # noqa: BLE001 - informative only
        return False
    return "enterprise_patterns(" in src and "enterprises_in_pattern(" not in src


def time_queries(url: str, todo: list[tuple[str, Callable[[Session], Any]]]) -> tuple[dict[str, Any], dict[str, float]]:
    """One pass over the queries on a new engine: (results, seconds per query)."""
    engine = make_engine(url)
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    try:
        with Session(engine) as s:
            s.connection()  # open the connection outside the timings
            for name, fn in todo:
                t0 = time.perf_counter()
                results[name] = fn(s)
                seconds[name] = time.perf_counter() - t0
    finally:
        engine.dispose()
    return results, seconds


def timed_passes(url: str, todo: list[tuple[str, Callable[[Session], Any]]], repeat: int,
                 counts: dict[str, str]) -> dict[str, Any]:
    """``repeat`` passes of :func:`time_queries` (the first is the cold one) and the row counts of the
    data (``counts``: name → ``SELECT count(*) …``): {counts…, cold, warm, per_query_cold} — what
    every page benchmark of one page's queries reports."""
    import sqlalchemy as sa

    passes = [time_queries(url, todo)[1] for _ in range(max(repeat, 1))]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            out: dict[str, Any] = {name: int(conn.execute(sa.text(sql)).scalar_one()) for name, sql in counts.items()}
    finally:
        engine.dispose()
    out.update(cold=sum(passes[0].values()),
               warm=statistics.median(sum(p.values()) for p in passes[1:]) if len(passes) > 1 else None,
               per_query_cold={n: passes[0][n] for n, _ in todo})
    return out


def run_once(url: str, d: Dates, scope: Scope, *, with_extra: bool = True) -> tuple[dict[str, Any], dict[str, float]]:
    """One pass over every query of the overview: (results, seconds per query)."""
    return time_queries(url, queries(d, scope) + ([(EXTRA, extra_query(d, scope))] if with_extra else []))


def measure(url: str, as_of: dt.date, repeat: int, scope: Scope | None = None) -> dict[str, Any]:
    """Median over ``repeat`` passes: total of the overview's queries and each query.

    The exact gap query (``EXTRA``, seconds at 1M) runs once, after the passes.
    """
    scope = scope or Scope.district()
    d = overview_dates(as_of)
    names = [n for n, _ in queries(d, scope)]
    passes = []
    results: dict[str, Any] = {}
    for _ in range(repeat):
        results, seconds = run_once(url, d, scope, with_extra=False)
        passes.append(seconds)
    per_query = {n: statistics.median(p[n] for p in passes) for n in names}
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            s.connection()
            t0 = time.perf_counter()
            results[EXTRA] = extra_query(d, scope)(s)
            per_query[EXTRA] = time.perf_counter() - t0
    finally:
        engine.dispose()
    totals = [sum(p[n] for n in names) for p in passes]
    return {
        "total": statistics.median(totals),
        "totals": totals,
        "per_query": per_query,
        "results": results,
        "dates": d,
    }


def render_passes(results: dict[str, Any], key: str, heading: str, intro: str, counts: list[tuple[str, str]],
                  target_cold: float, target_text: str) -> str:
    """The report's section of one page's :func:`timed_passes` (empty when no size ran it): a row per
    size with the data's ``counts`` (header, result key), the cold and warm sums (the 1m row marked
    against ``target_cold``), then each query's cold time, then the target's sentence."""
    rows, detail, names = [], [], []
    for size in results.get("sizes", []):
        r = size.get(key)
        if not r:
            continue
        label = size["dataset"].get("key") or size["dataset"]["label"]  # "1m", "1m PG"
        warm = f"{r['warm']:.3f}" if r.get("warm") is not None else "—"
        verdict = "" if (size["dataset"].get("n") or 0) < 1_000_000 else (" ✅" if r["cold"] <= target_cold else " ❌")
        rows.append(f"| {label} | " + "".join(f"{r[k]:,} | " for _, k in counts) + f"**{r['cold']:.3f}**{verdict} | {warm} |")
        detail.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in r["per_query_cold"].values()) + " |")
        names = list(r["per_query_cold"])
    if not rows:
        return ""
    head = "| size | " + "".join(f"{h} | " for h, _ in counts) + "SQL cold | SQL warm |"
    return (
        f"\n### {heading}\n\n{intro}\n\n"
        + head + "\n| --- |" + " ---: |" * (len(counts) + 2) + "\n" + "\n".join(rows) + "\n\n"
        "| size | " + " | ".join(names) + " |\n| --- |" + " ---: |" * len(names) + "\n" + "\n".join(detail) + "\n\n"
        f"{target_text}\n"
    )
