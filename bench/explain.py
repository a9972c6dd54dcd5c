"""``EXPLAIN (ANALYZE, BUFFERS)`` of each page's main statement on PostgreSQL: the statement that
took longest among those the page's query functions sent (captured with SQLAlchemy's cursor events
while running the same query lists the benchmark times), run again under ``EXPLAIN (ANALYZE,
BUFFERS)`` with the same parameters. The capture pass warms PostgreSQL's buffers: the plans' times
are those of a warm server, the plans themselves are what the planner chose at that size.

    python -m bench.run --sizes 1m --backend postgresql --pages ledger   # (part of every PostgreSQL run)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from models.db import make_engine

#: longest statement text kept in the report (one line)
STATEMENT_CHARS = 3000


def page_queries(as_of, pages: tuple[str, ...]) -> dict[str, list[tuple[str, Callable[[Session], Any]]]]:
    """page → its query list (the lists the benchmark times); the ledger as its four views."""
    from bench import awards, development, leads, meetings, overview_sql, pages_sql
    from dashboard.queries.scope import Scope

    scope = Scope.district()
    out: dict[str, list] = {}
    if "overview" in pages:
        out["overview"] = overview_sql.queries(overview_sql.overview_dates(as_of), scope)
    if "map" in pages:
        out["map"] = pages_sql.map_queries(as_of, scope)
    if "ledger" in pages:
        for (key, _label, _kw), query in zip(pages_sql.LEDGER_VARIANTS, pages_sql.ledger_queries(as_of, scope),
                                             strict=True):
            out[key] = [query]
    for name, module in (("leads", leads), ("awards", awards), ("development", development)):
        if name in pages:
            out[name] = module.queries(as_of, scope)
    if "meetings" in pages:
        out["meetings"] = meetings.queries(as_of)
    return out


def _slowest(url: str, todo: list[tuple[str, Callable[[Session], Any]]]) -> dict[str, Any] | None:
    """Run the queries once on a new engine; the slowest statement they sent (SQL, parameters, time, query)."""
    engine = make_engine(url)
    seen: list[dict[str, Any]] = []
    current = [""]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        conn.info["bench_t0"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append({"statement": statement, "parameters": parameters, "query": current[0],
                         "seconds": time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())})

    try:
        with Session(engine) as s:
            for name, fn in todo:
                current[0] = name
                fn(s)
    finally:
        engine.dispose()
    return max(seen, key=lambda x: x["seconds"]) if seen else None


def _plan(url: str, found: dict[str, Any]) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + found["statement"], found["parameters"]).all()
    finally:
        engine.dispose()
    return "\n".join(r[0] for r in rows)


def measure(url: str, as_of, pages: tuple[str, ...]) -> dict[str, Any]:
    """page → {query, seconds (the statement's time in the capture pass), statement, plan}."""
    out: dict[str, Any] = {}
    if not url.startswith("postgresql"):
        return out
    for page, todo in page_queries(as_of, pages).items():
        try:
            found = _slowest(url, todo)
            if found is None:
                continue
            out[page] = {"query": found["query"], "seconds": found["seconds"],
                         "statement": " ".join(found["statement"].split())[:STATEMENT_CHARS], "plan": _plan(url, found)}
        except Exception as exc:  # noqa: BLE001 - reported in the section, the run goes on
            out[page] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
    return out


def _execution_ms(plan: str) -> str:
    for line in reversed(plan.splitlines()):
        if line.strip().startswith("Execution Time:"):
            return line.split(":", 1)[1].strip()
    return "—"


def render(results: dict[str, Any]) -> str:
    """A collapsed block per page and size (PostgreSQL sizes only); empty when none ran."""
    parts = []
    for size in results.get("sizes", []):
        plans = size.get("explain") or {}
        if not plans:
            continue
        key = size["dataset"].get("key") or size["dataset"]["label"]
        parts.append(f"\n#### {key}\n")
        for page, e in plans.items():
            if "error" in e:
                parts.append(f"- **{page}**: EXPLAIN failed: `{e['error']}`")
                continue
            parts += [f"<details><summary><b>{page}</b>: <code>{e['query']}</code>'s slowest statement, "
                      f"{e['seconds']:.3f} s when captured; EXPLAIN ANALYZE execution {_execution_ms(e['plan'])}</summary>",
                      "", "```sql", e["statement"], "```", "", "```", e["plan"], "```", "", "</details>", ""]
    if not parts:
        return ""
    return ("\n### EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, each page's slowest statement\n\n"
            "The statement that took longest among those each page's queries sent (captured with SQLAlchemy's "
            "cursor events, whole district, as of the date), run again under `EXPLAIN (ANALYZE, BUFFERS)` with the "
            "same parameters: warm buffers (the capture pass read them). The ledger is shown per view (`ledger`: "
            "page 1 by name; `ledger_search`: “机械”; `ledger_search_digits`: “0007”; `ledger_sort`: employees "
            "descending).\n" + "\n".join(parts) + "\n")
