"""``make bench``: measure the pages at each size, print the tables, update docs/performance.md.

    python -m bench.run [--sizes demo,100k,1m] [--pages overview,map,ledger,refresh,import,edits,leads,...] [--repeat 3]
                        [--backend both|sqlite|postgresql] [--pg-sizes 1m] [--regenerate]
                        [--naive-series-cap N] [--no-app] [--no-naive] [--no-write] [--refresh-townships 2,20]

SQLite at every size; PostgreSQL (``bench.datasets``: the server ``.ci/run`` starts, a database
``dangong_bench_<size>`` kept between runs) at the ``--pg-sizes`` among them (default 1m), skipped
with a message when the server does not answer. ``--backend postgresql --sizes 10m``: PostgreSQL
only, at 10M (on demand). The results are merged into ``bench/results/latest.json``: a run of some
pages or sizes replaces only what it measured, and the whole report is rendered again from it.
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
    explain,
    imports,
    leads,
    machine,
    meetings,
    naive,
    overview_sql,
    pages_sql,
    refresh,
    report,
)
from bench.datasets import ROOT

DOC = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
PAGES = ("overview", "map", "ledger", "refresh", "import", "edits", "leads", "awards", "development",
         "meetings")  # refresh: bench/refresh.py; import: bench/imports.py; edits: bench/edits.py; leads: bench/leads.py;
# awards: bench/awards.py; meetings: bench/meetings.py
#: work on a copy of the SQLite file: not run on PostgreSQL
SQLITE_ONLY_PAGES = ("refresh", "import", "edits")
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


def bench_size(label: str, n: int | None, args: argparse.Namespace, warmed: list[bool],
               backend: str = "sqlite") -> dict[str, Any]:
    pg = backend == "postgresql"
    _log(f"== {label}{' on PostgreSQL' if pg else ''}: preparing the database")
    ds = datasets.make(label, n, regenerate=args.regenerate, backend=backend)
    _log(f"   {ds.enterprises:,} enterprises, {ds.file_bytes / 1e6:,.1f} MB at {ds.database if pg else ds.path}"
         + (f" ({'; '.join(ds.prepared)})" if ds.prepared else ""))
    out: dict[str, Any] = {"dataset": ds.to_json()}
    pages = tuple(p for p in args.pages if not (pg and p in SQLITE_ONLY_PAGES))
    label = ds.key
    out["runs"] = {p: 0 for p in pages}  # the page's figures come from this run (renumbered when merged)

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

    if not args.no_naive and "overview" in pages and not pg:  # the naive way: SQLite only (pandas either way)
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
    if "meetings" in pages:
        _log(f"== {label}: the joint meetings page's SQL (/meetings)")
        out["meetings"] = meetings.measure(ds.url, ds.as_of, args.repeat)
    if pg and not args.no_explain:
        _log(f"== {label}: EXPLAIN (ANALYZE, BUFFERS) of each page's slowest statement")
        out["explain"] = explain.measure(ds.url, ds.as_of, pages)
    if "edits" in pages:
        _log(f"== {label}: {edits.EDITS} enterprise events from the ledger, the overview right after (on a copy)")
        out["edits"] = edits.measure(ds, args.repeat, app=not args.no_app, warmed=warmed)
    if n is None and not pg:  # the demo's temporary directory
        shutil.rmtree(ds.path.parent, ignore_errors=True)
    return out


def _order(entry: dict[str, Any]) -> tuple:
    d = entry["dataset"]
    return (d["n"] or 0, d.get("backend", "sqlite") != "sqlite")


def merge(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """``new`` (one run) laid over ``old`` (the saved results): a size measured again keeps the
    figures of the pages this run did not measure; a size not measured stays as it was. The
    per-page provenance (``runs``: page → index in ``results["runs"]``) follows the figures."""
    old = old or {}
    runs_old = old.get("runs") or ([_run_info(old)] if old.get("sizes") else [])
    run = _run_info(new)
    by_key: dict[str, dict[str, Any]] = {}
    for entry in old.get("sizes", []):
        entry = dict(entry)
        refs = entry.get("runs", {p: 0 for p in (old.get("pages") or [])})
        entry["runs"] = {p: runs_old[i] for p, i in refs.items() if i < len(runs_old)}  # page → run info
        by_key[entry["dataset"].get("key") or entry["dataset"]["label"]] = entry
    #: what each page writes in a size's results (default: a key of the page's own name)
    page_keys = {"overview": ("sql", "kpis", "naive", "check"), "map": ("pages_sql",), "ledger": ("pages_sql",)}
    for entry in new["sizes"]:
        key = entry["dataset"].get("key") or entry["dataset"]["label"]
        base = by_key.get(key, {"runs": {}})
        combined = {k: v for k, v in base.items() if k not in ("dataset", "runs")}
        for page in entry["runs"]:
            for k in page_keys.get(page, (page,)):
                combined.pop(k, None)
        for k in ("apps", "explain"):  # per view / per page inside: the views measured again replace theirs
            inner = {**(base.get(k) or {}), **(entry.get(k) or {})}
            if inner:
                combined[k] = inner
        combined.update({k: v for k, v in entry.items() if k not in ("runs", "apps", "explain")})
        combined["runs"] = {**{p: r for p, r in base["runs"].items() if p not in entry["runs"]},
                            **{p: run for p in entry["runs"]}}
        by_key[key] = combined
    sizes = sorted(by_key.values(), key=_order)
    used: list[dict[str, Any]] = []
    for entry in sizes:
        for info in entry["runs"].values():
            if info not in used:
                used.append(info)
    used.sort(key=lambda info: str(info.get("started")))
    for entry in sizes:
        entry["runs"] = {p: used.index(info) for p, info in entry["runs"].items()}
    return {**new, "sizes": sizes, "runs": used}


def _run_info(results: dict[str, Any]) -> dict[str, Any]:
    keys = ("started", "commit", "elapsed", "repeat", "pages")
    info = {k: results.get(k) for k in keys}
    info["sizes"] = [e["dataset"].get("key") or e["dataset"]["label"] for e in results.get("sizes", [])]
    machine_ = results.get("machine") or {}
    info["load_start"] = machine_.get("load average at start (1/5/15 min)")
    info["load_end"] = results.get("load_end") or machine_.get("load average at end")
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="demo,100k,1m", help="comma-separated: demo, 100k, 1m, or any N (default all)")
    p.add_argument("--pages", default=",".join(PAGES),
                   help="comma-separated: overview (page, SQL, naive), map, ledger, refresh, import, edits, leads, awards, development (default all)")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    p.add_argument("--backend", default="both", choices=("both", "sqlite", "postgresql"),
                   help="both (default): SQLite at every size, PostgreSQL at --pg-sizes; or one database at every size")
    p.add_argument("--pg-sizes", default="1m", help="with --backend both: the sizes also run on PostgreSQL (default 1m)")
    p.add_argument("--no-explain", action="store_true", help="PostgreSQL: skip EXPLAIN (ANALYZE, BUFFERS) of the pages")
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
    try:
        pg_wanted = {datasets.parse_size(s)[0] for s in args.pg_sizes.split(",") if s.strip()}
    except ValueError as exc:
        p.error(str(exc))
    plan = [] if args.backend == "postgresql" else [(label, n, "sqlite") for label, n in sizes]
    pg_plan = [(label, n, "postgresql") for label, n in sizes
               if args.backend == "postgresql" or (args.backend == "both" and label in pg_wanted)]
    from bench.apptest import quiet_streamlit

    quiet_streamlit()

    started, t0 = report.now(), time.perf_counter()
    warmed = [False]
    skipped = None
    if pg_plan:
        skipped = datasets.postgres_server()
        if skipped:
            _log(f"== PostgreSQL skipped: {skipped}")
            pg_plan = []
    results: dict[str, Any] = {
        "started": started,
        "commit": _git_state(),
        "repeat": args.repeat,
        "pages": list(args.pages),
        "machine": machine.describe(),
        "page_uses_exact_gap_list": overview_sql.page_uses_exact_gap_list(),
        "sizes": [bench_size(label, n, args, warmed, backend) for label, n, backend in plan + pg_plan],
    }
    if skipped:
        results["postgresql_skipped"] = skipped
    results["elapsed"] = time.perf_counter() - t0
    results["load_end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    if results["commit"] != _git_state():
        results["commit"] += " (the code changed during the run)"
    if not args.no_write:
        saved = RESULTS / "latest.json"
        old = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else None
        results = merge(old, json.loads(json.dumps(results, default=str)))
    body = render(results)
    print(body)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False),
                                             encoding="utf-8")
        report.write_doc(args.output, body)
        _log(f"wrote {args.output} and {RESULTS / 'latest.json'}")
    return 0


def render(results: dict[str, Any]) -> str:
    """The whole results block: the main tables, then each page's section, then the plans."""
    return (report.render(results) + refresh.render(results) + imports.render(results) + edits.render(results)
            + leads.render(results) + awards.render(results) + development.render(results)
            + meetings.render(results) + explain.render(results))


if __name__ == "__main__":
    sys.exit(main())
