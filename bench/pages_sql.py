"""The coverage map's and the ledger's SQL alone: the query functions the pages use, called directly.

The map (``dashboard/app_pages/coverage_map.py`` through ``dashboard/ui/data.py``) asks for the
coverage per township as of the date (for the map and the drill-down: one cached call when the
filter is the user's whole scope), the gap lists of three patterns and the three rule checks
(``queries.checks``), 200 rows each. The ledger
(``dashboard/app_pages/ledger.py``) asks for one ``ledger_page``; the benchmark measures the
first page sorted by name, two searches and the sort by employees descending — and, as SQL alone,
deep pages (``LEDGER_DEEP``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bench.overview_sql import time_queries
from dashboard.queries import coverage
from dashboard.queries.scope import Scope

#: The map's gap tabs (``coverage_map.GAPS``) and their length (``coverage.GAP_LIST_LIMIT``).
MAP_GAPS = ("should_build", "no_union", "union_only")
MAP_GAP_LIMIT = 200

#: Ledger variants: (key, label, LedgerQuery arguments, widget values set on the page).
#: "机械" occurs in about one demo name in ten and in no scale name (规模企业NNNNNN): at 100k and
#: 1M it is a search that scans every name and finds nothing; "0007" finds a few hundred there.
LEDGER_VARIANTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("ledger", "ledger (/ledger), page 1 by name", {}),
    ("ledger_search", "ledger, search “机械”", {"search": "机械"}),
    ("ledger_search_digits", "ledger, search “0007”", {"search": "0007"}),
    ("ledger_sort", "ledger, employees descending", {"sort": "employees", "descending": True}),
)


def ledger_query(**kwargs: Any):
    from dashboard.queries.ledger import LedgerQuery

    return LedgerQuery(**kwargs)


#: The ledger's deep pages (SQL alone, not an AppTest view): a broad search (“规模” is in every scale
#: name) and the whole register sorted by pattern, a page in the middle of the largest pattern and the
#: last one, and the broad search sorted by name — the pages issue 19 asks under 1 s.
LEDGER_DEEP: tuple[dict[str, Any], ...] = (
    {"search": "规模", "sort": "pattern", "page": 2},
    {"search": "规模", "sort": "pattern", "page": 12000},
    {"search": "规模", "sort": "pattern", "page": 18315},
    {"sort": "pattern", "page": 12000},
    {"search": "规模", "sort": "name", "page": 9000},
)


def map_scope(scope: Scope) -> Scope:
    """The map's scope: the page counts over the 党建基数 it opens on (the setting ``default_base``,
    三有 unless changed), the ledger over every operating enterprise (a register)."""
    from models.settings import get_settings

    return scope.with_base(get_settings().default_base)


def map_queries(as_of: dt.date, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    from dashboard.queries import checks

    return [
        ("coverage_by_township(as_of)", lambda s: coverage.coverage_by_township(s, scope, as_of)),
        *((f"enterprises_in_pattern({p}, {MAP_GAP_LIMIT})",
           (lambda p: lambda s: coverage.enterprises_in_pattern(s, scope, as_of, p, limit=MAP_GAP_LIMIT))(p))
          for p in MAP_GAPS),
        # the drill-down's rule-check tabs (``sections/coverage_map/drill_down.py``), 200 rows each
        *((f"checks.{c}", (lambda c: lambda s: getattr(checks, c)(s, scope, as_of))(c)) for c in checks.CHECKS),
    ]


def ledger_queries(as_of: dt.date, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    from dashboard.queries.ledger import ledger_page

    out = []
    for _key, _, kw in LEDGER_VARIANTS:
        q = ledger_query(**kw)
        out.append((f"ledger_page({describe(q)})", (lambda q: lambda s: ledger_page(s, scope, as_of, q))(q)))
    return out


def ledger_deep_queries(as_of: dt.date, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    from dashboard.queries.ledger import ledger_page

    out = []
    for kw in LEDGER_DEEP:
        q = ledger_query(**kw)
        out.append((f"ledger_page({describe(q)})", (lambda q: lambda s: ledger_page(s, scope, as_of, q))(q)))
    return out


def describe(q) -> str:
    """``sort=name`` / ``search='机械'`` / ``sort=employees desc``: what differs from the default query."""
    parts = [f"search={q.search!r}"] if q.search else []
    if q.patterns:
        parts.append(f"patterns={','.join(q.patterns)}")
    parts.append(f"sort={q.sort}{' desc' if q.descending else ''}")
    if q.page != 1:
        parts.append(f"page={q.page}")
    return ", ".join(parts)


def _run_once(url: str, todo: list[tuple[str, Callable[[Session], Any]]]) -> tuple[dict[str, Any], dict[str, float]]:
    return time_queries(url, todo)


def measure(url: str, as_of: dt.date, repeat: int, scope: Scope | None = None) -> dict[str, Any]:
    """Median over ``repeat`` passes of each query of the map and of the ledger, and their totals.

    ``per_page``: the map's total (every query it runs on a cold cache) and each ledger variant
    (one ``ledger_page`` each); ``rows``: what each query returned (rows, and the ledger's total).
    """
    scope = scope or Scope.district()
    groups = {"map": map_queries(as_of, map_scope(scope)), "ledger": ledger_queries(as_of, scope)}
    views = list(groups["ledger"])  # one per LEDGER_VARIANTS view
    groups["ledger"] += ledger_deep_queries(as_of, scope)
    todo = [q for qs in groups.values() for q in qs]
    passes, results = [], {}
    for _ in range(repeat):
        results, seconds = _run_once(url, todo)
        passes.append(seconds)
    per_query = {n: statistics.median(p[n] for p in passes) for n, _ in todo}
    map_names = [n for n, _ in groups["map"]]
    per_page = {"map": statistics.median(sum(p[n] for n in map_names) for p in passes)}
    for (key, _, _), (name, _) in zip(LEDGER_VARIANTS, views, strict=True):
        per_page[key] = per_query[name]
    rows = {}
    for name, value in results.items():
        if hasattr(value, "total"):  # LedgerPage
            rows[name] = {"rows": len(value.rows), "total": int(value.total)}
        elif isinstance(value, tuple):  # a rule check: (rows, total)
            rows[name] = {"rows": len(value[0]), "total": int(value[1])}
        else:
            rows[name] = {"rows": len(value)}
    return {"per_query": per_query, "per_page": per_page, "rows": rows, "results": results,
            "groups": {g: [n for n, _ in qs] for g, qs in groups.items()}}


def expected(results: dict[str, Any]) -> dict[str, Any]:
    """What the pages must show, from the SQL's results (checked against the AppTest run)."""
    out: dict[str, Any] = {"gaps": {}}
    for p in MAP_GAPS:
        df = results[f"enterprises_in_pattern({p}, {MAP_GAP_LIMIT})"]
        out["gaps"][p] = list(df["name"])
    townships = results["coverage_by_township(as_of)"]
    out["townships"] = len(townships)
    for key, _, kw in LEDGER_VARIANTS:
        page = results[f"ledger_page({describe(ledger_query(**kw))})"]
        out[key] = {"names": list(page.rows["name"]), "total": int(page.total)}
    return out
