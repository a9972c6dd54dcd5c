"""After an import: ``refresh_summaries`` for the townships it touched, then the overview (issue 12, item 6).

On a copy of each benchmark database (the cached file is not changed), one "import" per variant
changes ``CHANGED`` enterprises spread over K townships with plain SQL, a quarter each: closed,
a new union coverage, members joining, a new headcount (``employees``); ``MOVES`` of the closed
ones instead move to another township (also refreshed). Then, timed, ``refresh_summaries`` for
those townships (``since`` = the earliest date the import wrote; a moved enterprise is rewritten
from its first event whatever ``since`` says) and the commit. Right after: the summaries must be
fresh, the overview's SQL (``bench.overview_sql``, on a new engine: its first pass is the cold
one) and, unless ``--no-app``, the overview page cold and warm with AppTest; the district's KPIs
from the summaries are checked against the exact SQL. The variants run one after the other on the
same copy, each on fresh summaries.

    python -m bench.run --sizes 1m --pages refresh [--refresh-townships 2,20] [--no-app]
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import datasets

#: enterprises an import changes, and how many of them move to another township
CHANGED = 1_000
MOVES = 10
#: K: the townships the changed enterprises are spread over, one variant each
TOWNSHIPS = (2, 20)
#: the issue's targets at 1M
TARGET_REFRESH, TARGET_COLD = 10.0, 1.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _import(conn, k: int, as_of: dt.date, skip: set[int], changed: int = CHANGED,
            moves: int = MOVES) -> tuple[list[int], dt.date, dict[str, int]]:
    """Change ``changed`` operating enterprises of K townships (none of ``skip``); return the
    townships to refresh, the earliest date written and what was done."""
    towns = [t for (t,) in conn.execute(sa.text(
        "SELECT t.id FROM township t WHERE EXISTS (SELECT 1 FROM union_org u WHERE u.township_id = t.id) "
        "ORDER BY t.id"))]
    free = [t for t in towns if t not in skip]
    k = max(1, min(k, len(free) - 1))
    chosen, target = free[:k], free[k]  # ``target``: where the moved enterprises go
    closed_on, union_on, members_on = as_of - dt.timedelta(30), as_of - dt.timedelta(20), as_of - dt.timedelta(10)
    per_town = -(-changed // k)
    ids: list[tuple[int, int]] = []
    for t in chosen:
        ids += [(int(e), t) for (e,) in conn.execute(sa.text(
            "SELECT id FROM enterprise WHERE township_id = :t AND closed_on IS NULL AND registered_on < :d "
            "ORDER BY id LIMIT :n"), {"t": t, "d": closed_on - dt.timedelta(30), "n": per_town})]
    ids = ids[:changed]
    union_of = dict(conn.execute(sa.text(
        f"SELECT township_id, min(id) FROM union_org WHERE township_id IN ({','.join(map(str, chosen))}) "
        "GROUP BY township_id")).all())
    close, cover, join, census, move = [], [], [], [], []
    for i, (e, t) in enumerate(ids):
        [close, cover, join, census][i % 4].append((e, t))
    move, close = close[:moves], close[moves:]
    if close:
        conn.execute(sa.text("UPDATE enterprise SET closed_on = :d WHERE id = :e"),
                     [{"d": closed_on, "e": e} for e, _ in close])
    if cover:
        conn.execute(sa.text("INSERT INTO union_coverage (union_id, enterprise_id, start_on) VALUES (:u, :e, :d)"),
                     [{"u": union_of[t], "e": e, "d": union_on} for e, t in cover])
    if join:
        conn.execute(sa.text("INSERT INTO membership_change (union_id, enterprise_id, changed_on, joined, left_count) "
                             "VALUES (:u, :e, :d, 5, 1)"), [{"u": union_of[t], "e": e, "d": members_on} for e, t in join])
    if census:
        conn.execute(sa.text("UPDATE enterprise SET employees = employees + 3 WHERE id = :e"),
                     [{"e": e} for e, _ in census])
    if move:
        conn.execute(sa.text("UPDATE enterprise SET township_id = :t WHERE id = :e"), [{"t": target, "e": e}
                                                                                         for e, _ in move])
    done = {"enterprises": len(ids), "closed": len(close), "union coverage": len(cover), "members": len(join),
            "headcount": len(census), "moved": len(move)}
    return sorted({*chosen, target}), closed_on, done


def _kpis_agree(url: str, as_of: dt.date) -> tuple[bool, bool, float]:
    """(summaries fresh, KPIs from the summaries == from the exact SQL, seconds of the exact SQL)."""
    from sqlmodel import Session

    from dashboard.queries import coverage
    from dashboard.queries.scope import Scope
    from models.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as s:
            fresh = coverage.summaries_fresh(s)
            fast = coverage.coverage_kpis(s, Scope.district(), as_of)
            t0 = time.perf_counter()
            exact = coverage.kpis_from_counts(coverage.coverage_by_township_exact(s, Scope.district(), as_of), as_of)
            return fresh, fast == exact, time.perf_counter() - t0
    finally:
        engine.dispose()


def overview_after(url: str, as_of: dt.date, repeat: int, *, app: bool = True,
                   warmed: list[bool] | None = None) -> dict[str, Any]:
    """Right after a write: the overview's SQL (its first pass on a new engine is the cold one), the
    summaries fresh and the KPIs equal to the exact SQL's, and unless ``app`` is false the overview
    page cold and warm with AppTest (``warmed``: whether this process already ran the warm-up)."""
    from bench import apptest, overview_sql

    sql = overview_sql.measure(url, as_of, repeat)
    fresh, same, exact_s = _kpis_agree(url, as_of)
    out: dict[str, Any] = {"sql_cold": sql["totals"][0], "sql": sql["total"], "fresh": fresh, "same_kpis": same,
                           "exact_seconds": exact_s}
    if app:
        try:
            if warmed is not None and not warmed[0]:
                apptest.warm_up(url, as_of)
                warmed[0] = True
            res = apptest.measure(url, as_of, repeat)
            out |= {"cold": res["cold"], "warm": res["warm"]}
        except Exception as exc:  # noqa: BLE001 - reported in the table
            out["app_error"] = f"{type(exc).__name__}: {exc}"
    return out


def measure(ds: datasets.Dataset, repeat: int, *, townships: tuple[int, ...] = TOWNSHIPS, app: bool = True,
            warmed: list[bool] | None = None) -> dict[str, Any]:
    from models.db import make_engine
    from models.summary import refresh_summaries

    work = Path(tempfile.mkdtemp(prefix="dangong-refresh-"))
    copy = work / ds.path.name
    t0 = time.perf_counter()
    shutil.copyfile(ds.path, copy)
    url = f"sqlite:///{copy}"
    out: dict[str, Any] = {"copy_seconds": time.perf_counter() - t0, "full_rebuild": ds.seed_seconds.get("summary"),
                           "variants": []}
    used: set[int] = set()
    try:
        for k in townships:
            engine = make_engine(url)
            try:
                with engine.begin() as conn:
                    towns, since, done = _import(conn, k, ds.as_of, used)
                used |= set(towns)
                c0, t0 = time.process_time(), time.perf_counter()
                with engine.begin() as conn:
                    counts = refresh_summaries(conn, towns, since=since, today=ds.as_of)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            finally:
                engine.dispose()
            _log(f"   {done['enterprises']:,} enterprises in {k} townships (+1 for the moves): refresh "
                 f"{seconds:.2f} s ({counts['enterprises']:,} enterprises swept)")
            v: dict[str, Any] = {
                "k": len(towns) - 1, "townships": len(towns), "done": done, "since": since.isoformat(),
                "seconds": seconds, "cpu_seconds": cpu,
                "counts": {key: (val.isoformat() if isinstance(val, dt.date) else val) for key, val in counts.items()},
                **overview_after(url, ds.as_of, repeat, app=app, warmed=warmed),
            }
            fresh, same = v["fresh"], v["same_kpis"]
            _log(f"   overview SQL {v['sql_cold']:.3f} s first pass; fresh {fresh}; same KPIs as exact SQL {same}"
                 + (f"; page cold {v['cold']:.3f} s" if "cold" in v else ""))
            out["variants"].append(v)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def render(results: dict[str, Any]) -> str:
    """The section of the report (empty when no size ran the refresh)."""
    rows = []
    for size in results.get("sizes", []):
        r = size.get("refresh")
        if not r:
            continue
        ds = size["dataset"]
        full = r.get("full_rebuild")
        for v in r["variants"]:
            c = v["counts"]
            cold = f"{v['cold']:.3f}" if "cold" in v else "—"
            rows.append(
                f"| {ds['label']} | {v['done']['enterprises']:,} in {v['k']} (+1) | {c['enterprises']:,} | "
                f"{c['from_day'] or '—'} | {c['coverage_delta']:,} / {c['coverage_month']:,} / "
                f"{c['enterprise_state']:,} | **{v['seconds']:.2f}** ({v['cpu_seconds'] / v['seconds']:.0%}) | {'—' if full is None else f'{full:.0f}'} | "
                f"{v['sql_cold']:.3f} | {cold} | "
                f"{'yes' if v['fresh'] and v['same_kpis'] else 'NO'} |")
    if not rows:
        return ""
    return (
        "\n### Summaries after an import (`refresh_summaries`, seconds)\n\n"
        f"Each row: one import on a copy of the database changing that many operating enterprises spread over K "
        f"townships (a quarter each closed, given a union coverage, given new members, given a new headcount; "
        f"{MOVES} of the closed ones moved to one more township instead), then `refresh_summaries` for those "
        "townships and the commit, timed. *Swept*: enterprises whose whole history was re-swept; *from*: the "
        "first day rewritten (a moved enterprise is rewritten from its first event); *rows*: coverage_delta / "
        "coverage_month / enterprise_state rows written; *refresh* with the process's CPU time ÷ wall time in "
        "brackets (well below 100 %: it waited for a CPU or the disk). *Overview SQL* is its first pass on a new engine, "
        "*page cold* the overview with AppTest; *right* = summaries fresh and the KPIs equal to the exact SQL's.\n\n"
        "| size | changed in K townships | swept | from | rows | refresh | full rebuild | overview SQL | "
        "page cold | right |\n| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
        + "\n".join(rows) + "\n\n"
        f"Targets at 1m: refresh ≤ {TARGET_REFRESH:.0f} s for 1,000 changed enterprises, the overview under "
        f"{TARGET_COLD:.0f} s cold right after.\n"
    )
