"""The ledger import (issue 12, item 6): a whole district's workbook, and 1,000 changed enterprises.

* **file** (sizes up to 200k): the dataset exported with ``dangong export ledger`` and imported into
  an empty, migrated SQLite database by ``dangong import`` in a child process — wall time and the
  child's peak memory (``ru_maxrss``); the KPIs of the copy must equal the source's.
* **changed** (sizes from 100k): on a copy of the dataset, a workbook of ``CHANGED`` operating
  enterprises of two townships, a quarter each closed, given a new headcount census, renamed, and
  given members (工会会员数), imported in this process with ``import_files`` (the summaries brought
  up to date for those townships inside it) — timed; then the overview's SQL cold on a new engine.

    python -m bench.run --sizes 100k,1m --pages import
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import datasets

CHANGED = 1_000
FILE_MAX = 200_000  # the whole-file import runs up to this size
#: the issue's targets
TARGET_FILE_SECONDS, TARGET_FILE_MB, TARGET_CHANGED, TARGET_COLD = 60.0, 1024.0, 10.0, 1.0

_CHILD = """
import json, resource, sys, time
from dashboard.edits import Actor
from dashboard.edits.ledger_import import import_files
from models.db import make_engine, upgrade
from models.enums import Role
engine = make_engine(sys.argv[1]); upgrade(engine)
data = open(sys.argv[2], 'rb').read()
t0 = time.perf_counter()
out = import_files(engine, [('ledger.xlsx', data)], actor=Actor('bench', Role.ADMIN))
seconds = time.perf_counter() - t0
print(json.dumps({'seconds': seconds, 'ok': out.ok, 'rows': out.rows, 'batch': out.batch_id,
                  'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _kpis(url: str, as_of: dt.date):
    from sqlmodel import Session

    from dashboard.queries import coverage
    from dashboard.queries.scope import Scope
    from models.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return coverage.coverage_kpis(s, Scope.district(), as_of)
    finally:
        engine.dispose()


def _file(ds: datasets.Dataset, work: Path) -> dict[str, Any]:
    from dashboard.ledgerfile.export import ledger_rows
    from dashboard.ledgerfile.workbook import ledger_workbook
    from dashboard.queries.scope import Scope
    from models.db import make_engine

    engine = make_engine(ds.url)
    t0 = time.perf_counter()
    try:
        with engine.connect() as conn:
            data = ledger_workbook(ledger_rows(conn, Scope.district(), today=ds.as_of))
    finally:
        engine.dispose()
    export_s = time.perf_counter() - t0
    book = work / "ledger.xlsx"
    book.write_bytes(data)
    target = f"sqlite:///{work / 'imported.sqlite'}"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, target, str(book)], capture_output=True, text=True,
                          cwd=datasets.ROOT, timeout=1800)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    same = _kpis(target, ds.as_of) == _kpis(ds.url, ds.as_of)
    _log(f"   file: {len(data) / 2**20:.1f} MB, {child['rows']:,} rows: import {child['seconds']:.1f} s, "
         f"peak {child['max_rss_mb']:.0f} MB, same KPIs {same}")
    return {"bytes": len(data), "rows": child["rows"], "export_seconds": export_s, "seconds": child["seconds"],
            "process_seconds": wall, "max_rss_mb": child["max_rss_mb"], "ok": child["ok"], "same_kpis": same}


def _changed_rows(url: str, as_of: dt.date) -> tuple[dict, list[int]]:
    """CHANGED operating enterprises of the two townships with the most, as export rows, changed."""
    from dashboard.ledgerfile.export import ledger_rows
    from dashboard.queries.scope import Scope
    from models.db import make_engine
    from models.tables import Enterprise

    E = Enterprise.__table__
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            towns = [r[0] for r in conn.execute(
                sa.select(E.c.township_id).where(E.c.closed_on.is_(None)).group_by(E.c.township_id)
                .order_by(sa.func.count().desc()).limit(2))]
            rows = []
            for r in ledger_rows(conn, Scope.townships(towns), today=as_of)["enterprises"]:
                if r["closed_on"] is None and r["registered_on"] < as_of - dt.timedelta(days=60):
                    rows.append(r)
                if len(rows) == CHANGED:
                    break
    finally:
        engine.dispose()
    for k, r in enumerate(rows):
        if k % 4 == 0:
            r["closed_on"] = as_of - dt.timedelta(days=30)
        elif k % 4 == 1:
            r["employees"] += 5
            r["census_on"] = as_of
        elif k % 4 == 2:
            r["name"] += "（更名）"
        else:
            r["union_members"] = min(r["employees"], (r["union_members"] or 0) + 3) if r["union_members"] is not None \
                else None
    return {"enterprises": rows}, towns


def _changed(ds: datasets.Dataset, work: Path, repeat: int) -> dict[str, Any]:
    from bench import overview_sql
    from dashboard.edits import Actor
    from dashboard.edits.ledger_import import import_files
    from dashboard.ledgerfile.workbook import ledger_workbook
    from models.db import make_engine
    from models.enums import Role

    copy = work / ds.path.name
    shutil.copyfile(ds.path, copy)
    url = f"sqlite:///{copy}"
    rows, towns = _changed_rows(url, ds.as_of)
    data = ledger_workbook(rows)
    engine = make_engine(url)
    try:
        t0 = time.perf_counter()
        out = import_files(engine, [("changed.xlsx", data)], actor=Actor("bench", Role.ADMIN), today=ds.as_of)
        seconds = time.perf_counter() - t0
    finally:
        engine.dispose()
    sql = overview_sql.measure(url, ds.as_of, repeat)
    from bench.refresh import _kpis_agree

    fresh, same, _ = _kpis_agree(url, ds.as_of)
    totals = out.totals()
    _log(f"   {len(rows['enterprises']):,} changed enterprises in {len(towns)} townships: import {seconds:.2f} s "
         f"(written {out.written}); overview SQL cold {sql['totals'][0]:.3f} s; fresh {fresh}, same KPIs {same}")
    return {"enterprises": len(rows["enterprises"]), "townships": len(towns), "seconds": seconds,
            "written": out.written, "closed": totals["enterprises_closed"], "censuses": totals["censuses"],
            "changed": totals["enterprises_changed"], "sql_cold": sql["totals"][0], "fresh": fresh, "same_kpis": same}


def measure(ds: datasets.Dataset, repeat: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="dangong-import-"))
    out: dict[str, Any] = {}
    try:
        if ds.enterprises <= FILE_MAX:
            out["file"] = _file(ds, work)
        if ds.enterprises >= 100_000:
            out["changed"] = _changed(ds, work, repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def render(results: dict[str, Any]) -> str:
    """The report's section (empty when no size ran the import)."""
    files, changed = [], []
    for size in results.get("sizes", []):
        r = size.get("import")
        if not r:
            continue
        label = size["dataset"]["label"]
        if "file" in r:
            f = r["file"]
            files.append(f"| {label} | {f['bytes'] / 2**20:.1f} MB | {f['rows']:,} | {f['export_seconds']:.1f} | "
                         f"**{f['seconds']:.1f}** | {f['max_rss_mb']:.0f} MB | {'yes' if f['ok'] and f['same_kpis'] else 'NO'} |")
        if "changed" in r:
            c = r["changed"]
            changed.append(f"| {label} | {c['enterprises']:,} in {c['townships']} | **{c['seconds']:.2f}** | "
                           f"{c['sql_cold']:.3f} | {'yes' if c['written'] and c['fresh'] and c['same_kpis'] else 'NO'} |")
    if not files and not changed:
        return ""
    text = "\n### The ledger import (`dangong import`, seconds)\n\n"
    if files:
        text += ("The dataset exported with `dangong export ledger` and imported into an empty database by "
                 "`dangong import` in a child process: every cell read and checked, written in one transaction, the "
                 "summaries built, the KPIs before and after. *Peak*: the child's largest resident memory; *right*: "
                 "the imported database's KPIs equal the source's.\n\n"
                 "| size | file | rows | export | import | peak | right |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
                 + "\n".join(files) + "\n\n"
                 f"Target: 100k enterprises in ≤ {TARGET_FILE_SECONDS:.0f} s within {TARGET_FILE_MB / 1024:.0f} GB.\n\n")
    if changed:
        text += ("A workbook of 1,000 operating enterprises of two townships (a quarter closed, a quarter with a new "
                 "headcount census, a quarter renamed, a quarter with new union members) imported into a copy of the "
                 "dataset; the import brings the summaries of those townships up to date inside its transaction. "
                 "*Overview SQL*: its first pass right after, on a new engine.\n\n"
                 "| size | changed in townships | import | overview SQL | right |\n| --- | --- | ---: | ---: | --- |\n"
                 + "\n".join(changed) + "\n\n"
                 f"Targets at 1m: ≤ {TARGET_CHANGED:.0f} s, the overview under {TARGET_COLD:.0f} s cold right after.\n")
    return text
