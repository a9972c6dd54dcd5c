"""Enterprise events from the ledger's detail (issue 13, item 2): ``EDITS`` events in a row, each
its own transaction through ``dashboard.edits.enterprises`` (the summaries brought up to date for
the edited enterprise inside it), then the overview cold.

On a copy of the benchmark database (the cached file is not changed), a seeded mix over operating
enterprises of several townships: a union founded, members joining, a headcount census, a liaison
officer appointed, a barrier noted, a Party branch founded (level confirmed), a closure, a move.
Each is timed (median, 90th percentile, max). Right after: the summaries must be fresh, the
overview's SQL (``bench.overview_sql``, on a new engine: its first pass is the cold one) and,
unless ``--no-app``, the overview page cold and warm with AppTest; the district's KPIs from the
summaries are checked against the exact SQL.

    python -m bench.run --sizes 1m --pages edits [--no-app]
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import datasets

EDITS = 100
#: the issue's target at 1M: the overview under this many seconds cold after the edits
TARGET_COLD = 1.0
#: the events of the mix, in turn
MIX = ("union_found", "members", "census", "liaison", "barrier", "party_found", "close", "move")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _candidates(conn, as_of: dt.date, n: int) -> list[int]:
    """``n`` operating enterprises without a union or a Party organisation today, spread over the townships."""
    rows = conn.execute(sa.text(
        "SELECT e.id, e.township_id FROM enterprise e WHERE e.closed_on IS NULL AND e.registered_on < :d "
        "AND e.employees >= 10 AND NOT EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id "
        "AND uc.end_on IS NULL) AND NOT EXISTS (SELECT 1 FROM party_coverage pc WHERE pc.enterprise_id = e.id "
        "AND pc.end_on IS NULL) ORDER BY e.id LIMIT :n"), {"d": as_of - dt.timedelta(400), "n": n * 20}).all()
    by_town: dict[int, list[int]] = {}
    for eid, town in rows:
        by_town.setdefault(int(town), []).append(int(eid))
    out: list[int] = []
    while len(out) < n and any(by_town.values()):
        for ids in by_town.values():
            if ids and len(out) < n:
                out.append(ids.pop(0))
    return out


def _edit(s, kind: str, eid: int, version: int, day: dt.date, rng: random.Random, towns: list[int]):
    """One event of ``kind`` (``members``: a union founded a month before, then members joining — two
    events in one timed transaction); ``towns``: the townships a move may go to."""
    from dashboard.edits import Actor
    from dashboard.edits import enterprises as ed
    from dashboard.queries.scope import Scope
    from models.enums import Role

    actor = Actor("bench", Role.STAFF, Scope.district())
    common = {"session": s, "actor": actor, "enterprise_id": eid, "version": version, "today": day}
    if kind == "union_found":
        return ed.found_union(**common, founded_on=day, name=f"工会 {eid}", members=rng.randint(1, 9))
    if kind == "members":
        ed.found_union(**common, founded_on=day - dt.timedelta(30), name=f"工会 {eid}", members=3)
        common["version"] += 1
        return ed.change_members(**common, changed_on=day, joined=rng.randint(1, 5), left=1)
    if kind == "census":
        return ed.record_census(**common, census_on=day, employees=rng.randint(20, 60), party_members=rng.randint(0, 5))
    if kind == "liaison":  # a 党建指导员 sent by a unit (an own liaison officer needs a Party member)
        unit = s.execute(sa.text("SELECT min(id) FROM unit")).scalar()
        return ed.appoint_liaison(**common, name=f"指导员{eid}", kind="dispatched", unit_id=unit, appointed_on=day)
    if kind == "barrier":
        return ed.set_barrier(**common, barrier="afraid", noted_on=day)
    if kind == "party_found":
        return ed.found_party_org(**common, founded_on=day, name=f"党支部 {eid}", level="branch", confirm_level=True)
    if kind == "close":
        return ed.close_enterprise(**common, closed_on=day)
    return ed.move_enterprise(**common, township=towns[0], moved_on=day)


def measure(ds: datasets.Dataset, repeat: int, *, app: bool = True, warmed: list[bool] | None = None,
            edits: int = EDITS) -> dict[str, Any]:
    from bench.refresh import overview_after
    from models.db import make_engine, session_scope

    work = Path(tempfile.mkdtemp(prefix="dangong-edits-"))
    copy = work / ds.path.name
    shutil.copyfile(ds.path, copy)
    url = f"sqlite:///{copy}"
    rng = random.Random(13)
    times: list[float] = []
    kinds: dict[str, int] = {}
    try:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                ids = _candidates(conn, ds.as_of, edits)
                towns = [int(t) for (t,) in conn.execute(sa.text("SELECT id FROM township ORDER BY id"))]
                versions = dict(conn.execute(sa.text(
                    f"SELECT id, version FROM enterprise WHERE id IN ({','.join(map(str, ids))})")).all())
            for i, eid in enumerate(ids):
                kind = MIX[i % len(MIX)]
                t0 = time.perf_counter()
                with session_scope(engine) as s:
                    town = s.execute(sa.text("SELECT township_id FROM enterprise WHERE id = :e"), {"e": eid}).scalar()
                    other = [t for t in towns if t != town]
                    _edit(s, kind, eid, versions[eid], ds.as_of, rng, other)
                times.append(time.perf_counter() - t0)
                kinds[kind] = kinds.get(kind, 0) + 1
        finally:
            engine.dispose()
        times_sorted = sorted(times)
        out: dict[str, Any] = {
            "edits": len(times), "kinds": kinds, "median": statistics.median(times),
            "p90": times_sorted[int(0.9 * (len(times) - 1))], "max": max(times), "total": sum(times),
        }
        _log(f"   {len(times)} edits: median {out['median']:.3f} s, p90 {out['p90']:.3f} s, max {out['max']:.3f} s")
        out |= overview_after(url, ds.as_of, repeat, app=app, warmed=warmed)
        _log(f"   overview SQL {out['sql_cold']:.3f} s first pass; fresh {out['fresh']}; same KPIs as exact SQL "
             f"{out['same_kpis']}"
             + (f"; page cold {out['cold']:.3f} s" if "cold" in out else ""))
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render(results: dict[str, Any]) -> str:
    """The section of the report (empty when no size ran the edits)."""
    rows = []
    for size in results.get("sizes", []):
        r = size.get("edits")
        if not r:
            continue
        cold = f"{r['cold']:.3f}" if "cold" in r else "—"
        warm = f"{r['warm']:.3f}" if "warm" in r else "—"
        rows.append(f"| {size['dataset']['label']} | {r['edits']} | {r['median']:.3f} | {r['p90']:.3f} | "
                    f"{r['max']:.3f} | {r['sql_cold']:.3f} | **{cold}** | {warm} | "
                    f"{'yes' if r['fresh'] and r['same_kpis'] else 'NO'} |")
    if not rows:
        return ""
    return (
        "\n### Enterprise events from the ledger (seconds)\n\n"
        f"Each row: {EDITS} events in a row on a copy of the database, each its own transaction through "
        "`dashboard.edits.enterprises` (a mix of: " + ", ".join(MIX) + "), the summaries updated for the "
        "edited enterprise inside it (`models.summary.before/after`). Per edit: median, 90th percentile, max. "
        "Then the overview's SQL (first pass on a new engine) and the overview page with AppTest, cold and warm; "
        "*right* = summaries fresh and the KPIs equal to the exact SQL's.\n\n"
        "| size | edits | median | p90 | max | overview SQL | page cold | page warm | right |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n" + "\n".join(rows) + "\n\n"
        f"Target at 1m: the overview under {TARGET_COLD:.0f} s cold after the edits.\n"
    )
