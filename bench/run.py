"""``make bench``: measure the pages at each size, print the tables, update docs/performance.md.

    python -m bench.run [--sizes demo,100k,1m] [--pages overview,map,ledger,refresh,import,edits,leads] [--repeat 3] [--regenerate]
                        [--naive-series-cap N] [--no-app] [--no-naive] [--no-write] [--refresh-townships 2,20]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import (
    apptest,
    awards,
    datasets,
    development,
    edits,
    imports,
    leads,
    machine,
    naive,
    overview_sql,
    pages_sql,
    refresh,
    report,
)
from bench.datasets import ROOT

DOC = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
PAGES = ("overview", "map", "ledger", "refresh", "import", "edits", "leads", "awards", "development")  # refresh: bench/refresh.py; import:
# bench/imports.py; edits: bench/edits.py; leads: bench/leads.py; awards: bench/awards.py
#: Above this many seconds for one naive run, the naive way is run once only.
NAIVE_BUDGET = 60.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _naive(ds: datasets.Dataset, d: overview_sql.Dates, repeat: int, cap: int | None) -> tuple[dict, dict]:
    passes, results = [], {}
    for k in range(repeat):
        results, sec = naive.run_once(ds.url, d, series_cap=cap)
        passes.append(sec)
        total = sum(sec.values())
        _log(f"    naive run {k + 1}: {total:.2f} s")
        if total > NAIVE_BUDGET:
            break
    steps = {s: statistics.median(p[s] for p in passes) for s in passes[0]}
    loads = [next(v for s, v in p.items() if s.startswith("load")) for p in passes]
    totals = [sum(p.values()) for p in passes]
    n_dates = len(results["series_dates"])
    return results, {
        "steps": steps,
        "load": statistics.median(loads),
        "compute": statistics.median(t - lo for t, lo in zip(totals, loads, strict=True)),
        "total": statistics.median(totals),
        "runs": len(passes),
        "series_dates": n_dates,
        "series_dates_all": len(d.series),
        "series_capped": n_dates < len(d.series),
    }


def _git_state() -> str:
    """``abc1234`` or ``abc1234 + uncommitted changes`` (read-only git calls; "" without git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "dashboard", "models", "seed_data"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + (" + uncommitted changes" if dirty else "")


def bench_size(label: str, n: int | None, args: argparse.Namespace, warmed: list[bool]) -> dict[str, Any]:
    _log(f"== {label}: preparing the database")
    ds = datasets.make(label, n, regenerate=args.regenerate)
    _log(f"   {ds.enterprises:,} enterprises, {ds.file_bytes / 1e6:,.1f} MB at {ds.path}"
         + (f" ({'; '.join(ds.prepared)})" if ds.prepared else ""))
    out: dict[str, Any] = {"dataset": ds.to_json()}
    pages = args.pages

    sql: dict[str, Any] = {}
    if "overview" in pages:
        _log(f"== {label}: the overview's SQL alone (x{args.repeat})")
        sql = overview_sql.measure(ds.url, ds.as_of, args.repeat)
        out["sql"] = {k: sql[k] for k in ("total", "totals", "per_query")}
        out["kpis"] = naive.kpi_summary(sql["results"], ds.as_of)
        _log(f"   total {sql['total']:.3f} s")

    expect = None
    if "map" in pages or "ledger" in pages:
        _log(f"== {label}: the map's and the ledger's SQL alone (x{args.repeat})")
        psql = pages_sql.measure(ds.url, ds.as_of, args.repeat)
        out["pages_sql"] = {k: psql[k] for k in ("per_query", "per_page", "rows", "groups")}
        expect = pages_sql.expected(psql["results"])
        _log("   " + ", ".join(f"{k} {v:.3f} s" for k, v in psql["per_page"].items()))

    if not args.no_app:
        out["apps"] = {}
        for sc in apptest.scenarios():
            if sc.key.split("_")[0] not in pages:
                continue
            _log(f"== {label}: {sc.label} with AppTest, cold and warm (x{args.repeat})")
            try:
                if not warmed[0]:
                    _log(f"   warm-up runs (imports, not counted): {apptest.warm_up(ds.url, ds.as_of):.2f} s")
                    warmed[0] = True
                res = apptest.measure(ds.url, ds.as_of, args.repeat, sc, expect)
                _log(f"   cold {res['cold']:.3f} s, warm {res['warm']:.3f} s")
            except Exception as exc:  # noqa: BLE001 - reported in the table, the other parts still run
                res = {"error": f"{type(exc).__name__}: {exc}"}
                _log(f"   AppTest failed: {res['error']}")
            out["apps"][sc.key] = res | {"label": sc.label}

    if not args.no_naive and "overview" in pages:
        _log(f"== {label}: the naive way (pandas)")
        nres, out["naive"] = _naive(ds, sql["dates"], args.repeat, args.naive_series_cap)
        out["check"] = naive.compare(sql["results"], nres)
        _log("   same figures as the SQL" if not out["check"] else "   DIFFERENT: " + "; ".join(out["check"]))
    if "refresh" in pages:
        _log(f"== {label}: an import, refresh_summaries for its townships, the overview right after (on a copy)")
        out["refresh"] = refresh.measure(ds, args.repeat, townships=args.refresh_townships, app=not args.no_app,
                                         warmed=warmed)
    if "import" in pages:
        _log(f"== {label}: the ledger import (a whole file into an empty database; 1,000 changed enterprises)")
        out["import"] = imports.measure(ds, args.repeat)
    if "leads" in pages:
        _log(f"== {label}: the founding-lead pipeline's SQL")
        out["leads"] = leads.measure(ds.url, ds.as_of, args.repeat)
    if "awards" in pages:
        _log(f"== {label}: 双爱双评's SQL (/awards)")
        out["awards"] = awards.measure(ds.url, ds.as_of, args.repeat)
    if "development" in pages:
        _log(f"== {label}: 荐优纳新推评制's SQL (/development)")
        out["development"] = development.measure(ds.url, ds.as_of, args.repeat)
    if "edits" in pages:
        _log(f"== {label}: {edits.EDITS} enterprise events from the ledger, the overview right after (on a copy)")
        out["edits"] = edits.measure(ds, args.repeat, app=not args.no_app, warmed=warmed)
    if n is None:  # the demo's temporary directory
        shutil.rmtree(ds.path.parent, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="demo,100k,1m", help="comma-separated: demo, 100k, 1m, or any N (default all)")
    p.add_argument("--pages", default=",".join(PAGES),
                   help="comma-separated: overview (page, SQL, naive), map, ledger, refresh, import, edits, leads, awards, development (default all)")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    p.add_argument("--regenerate", action="store_true", help="regenerate cached scale databases")
    p.add_argument("--naive-series-cap", type=int, default=None,
                   help="compute only the last N dates of the coverage series the naive way")
    p.add_argument("--no-app", action="store_true", help="skip the AppTest measurement")
    p.add_argument("--no-naive", action="store_true", help="skip the naive way")
    p.add_argument("--refresh-townships", default=",".join(map(str, refresh.TOWNSHIPS)),
                   help="refresh: the changed enterprises spread over K townships, one import per K (default 2,20)")
    p.add_argument("--output", type=Path, default=DOC, help="Markdown file to update (default docs/performance.md)")
    p.add_argument("--no-write", action="store_true",
                   help="print only; write neither the Markdown file nor bench/results/latest.json")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    try:
        sizes = [datasets.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as exc:
        p.error(str(exc))
    args.pages = tuple(x.strip() for x in args.pages.split(",") if x.strip())
    try:
        args.refresh_townships = tuple(int(x) for x in args.refresh_townships.split(",") if x.strip())
    except ValueError:
        p.error("--refresh-townships: comma-separated numbers")
    if not args.pages or set(args.pages) - set(PAGES):
        p.error(f"--pages: choose among {', '.join(PAGES)}")
    from bench.apptest import quiet_streamlit

    quiet_streamlit()

    started, t0 = report.now(), time.perf_counter()
    warmed = [False]
    results: dict[str, Any] = {
        "started": started,
        "commit": _git_state(),
        "repeat": args.repeat,
        "pages": list(args.pages),
        "machine": machine.describe(),
        "page_uses_exact_gap_list": overview_sql.page_uses_exact_gap_list(),
        "sizes": [bench_size(label, n, args, warmed) for label, n in sizes],
    }
    results["elapsed"] = time.perf_counter() - t0
    results["load_end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    if results["commit"] != _git_state():
        results["commit"] += " (the code changed during the run)"
    body = (report.render(results) + refresh.render(results) + imports.render(results) + edits.render(results)
            + leads.render(results) + awards.render(results)
            + development.render(results))
    print(body)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False),
                                             encoding="utf-8")
        report.write_doc(args.output, body)
        _log(f"wrote {args.output} and {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
