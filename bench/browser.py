"""``python -m bench.browser``: what a leader waits for, measured in a real browser.

    python -m bench.browser [--sizes demo,1m] [--backends sqlite,postgres] [--repeat 5] [--no-write]
    python -m bench.browser --sizes demo --backends sqlite --only switch --pages meetings,awards --no-write

Playwright drives Debian's chromium (``DANGONG_CHROMIUM``, default ``/usr/bin/chromium``) against
a real ``streamlit run dashboard/ui/server.py`` that this module starts and stops, with
``DANGONG_BENCH_FLOOR=1`` (``dashboard/app_pages/bench_floor.py``: two hidden pages that read
nothing — the floor of what Streamlit itself costs in this app).

Every figure runs from the action to the end of the script run it caused, with the page drawn:
the action's own time in the page (the trusted ``mousedown``/``keydown`` of the click or key, or
the ``history.pushState`` of a page switch), then a ``MutationObserver`` on
``[data-testid=stApp]``'s ``data-test-script-state`` must have seen a run start after it and
the app be ``notRunning`` again, with every Vega-Lite chart of the page holding a drawn canvas
(checked on each animation frame: no fixed sleep anywhere in a timing). Measured:

* **sign-in → overview drawn** on a fresh server (a new ``streamlit run`` per repeat, the login
  form loaded, then the click on 登录 until the KPI cards and charts are drawn); its floor is the
  same sign-in with ``/bench-charts`` as the deep link;
* **warm page switches** to every page of the navigation and to the two floor pages (one cycle
  through all of them first, not counted: each page's first run and caches);
* **filter changes** on the overview, the map and the floor pages: a township chosen in the
  sidebar, the township cleared, the as-of date a year back (its year ↓, then the day picked in its calendar);
* **the presentation**: ``/present`` opened (in the page switches) and a slide stepped (→ key).

At each size (the demo district in a fresh file; the scale databases of ``bench/.cache`` made by
``bench/datasets.py``, used as they are when present) and on SQLite, and on PostgreSQL at the demo
size when ``DANGONG_BENCH_POSTGRES_URL`` names a server where the benchmark may create its own
database (``--pg-database``, default ``dangong_bench_browser``; a 1M PostgreSQL database only
with ``--pg-1m-url``). Signs in as ``bench-browser`` (a district leader, made in each database,
a new random password each run). Medians, quartiles and the range over ``--repeat`` repeats;
writes its tables into its own section of docs/performance.md (between
``<!-- browser-bench:results:start -->`` and ``…:end -->`` inside ``<!-- browser-bench:start -->``;
the analysis around them is written by hand). Skips, with a message, when chromium or Playwright
is missing (``make bench`` goes on).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.datasets import ROOT
from bench.serving import wait_until_healthy

CHROMIUM = os.environ.get("DANGONG_CHROMIUM", "/usr/bin/chromium")
DOC = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results" / "browser-latest.json"
BEGIN, END = "<!-- browser-bench:start -->", "<!-- browser-bench:end -->"
#: the generated tables inside the section (the analysis written by hand around them stays)
RBEGIN, REND = "<!-- browser-bench:results:start -->", "<!-- browser-bench:results:end -->"
VIEWPORT = {"width": 1600, "height": 1000}
USER = "bench-browser"
LONG_MS = 120_000  # one measured action at most (a first run at 1M on a loaded machine)

#: (label, URL path) of every page of the navigation, then the floor
PAGES = (("overview", ""), ("map", "map"), ("ledger", "ledger"), ("cases", "cases"), ("meetings", "meetings"),
         ("campaigns", "campaigns"), ("group", "group"), ("development", "development"), ("awards", "awards"),
         ("present", "present"))
FLOOR = (("floor: empty page", "bench-empty"), ("floor: 6 cards + 4 charts", "bench-charts"))
#: where a filter change is measured: the overview and the map, and the floor pages
FILTER_PAGES = (("overview", ""), ("map", "map"), ("floor: empty page", "bench-empty"),
                ("floor: 6 cards + 4 charts", "bench-charts"))

#: the observer of the app's script state, the action's time, and the clock (once per document)
_INSTALL = """() => {
  if (window.__dg) return;
  const d = window.__dg = {log: [], t0: null, armed: false};
  const app = () => document.querySelector('[data-testid=stApp]');
  const watch = () => {
    const el = app();
    if (!el) { requestAnimationFrame(watch); return; }
    new MutationObserver(() => d.log.push([performance.now(), el.dataset.testScriptState]))
      .observe(el, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  watch();
  for (const type of ['mousedown', 'keydown']) {
    document.addEventListener(type, e => {
      if (d.armed && e.isTrusted) { d.t0 = performance.now(); d.armed = false; }
    }, true);
  }
}"""
_ARM = "() => { const d = window.__dg; d.t0 = null; d.armed = true; d.log = []; }"
_NAVIGATE = """path => {
  const d = window.__dg; d.log = []; d.armed = false;
  d.t0 = performance.now();
  history.pushState({}, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}"""
#: resolves once a run that started after the action has finished, ``ready`` (a selector, or
#: null) is in the page and every chart of the main area has a drawn canvas or SVG — at least
#: ``minCharts`` of them (a first page's chart component is loaded by the browser after the run's
#: end: without a count, "every chart drawn" would hold while none is there yet)
_DONE = """([ready, limit, startLimit, minCharts]) => new Promise(resolve => {
  const d = window.__dg, start = performance.now();
  const tick = () => {
    const now = performance.now();
    if (now - start > limit) { resolve({timeout: true, log: d.log, t0: d.t0}); return; }
    const app = document.querySelector('[data-testid=stApp]');
    if (d.t0 !== null && app) {
      const runs = d.log.filter(([t, s]) => t >= d.t0 && s === 'running');
      if (!runs.length && startLimit && now - d.t0 > startLimit) { resolve({nostart: true}); return; }
      if (runs.length && app.dataset.testScriptState === 'notRunning' && (!ready || document.querySelector(ready))) {
        const charts = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stVegaLiteChart]')]
          .filter(c => c.checkVisibility());  // a chart in a tab not shown is drawn when the tab opens
        const drawn = charts.every(c => [...c.querySelectorAll('canvas, svg.marks')].some(
          e => e.getBoundingClientRect().height > 0));
        if (drawn && charts.length >= (minCharts || 0)) {
          const ends = d.log.filter(([t, s]) => t >= d.t0 && s === 'notRunning');
          resolve({t0: d.t0, first: runs[0][0] - d.t0, end: ends[ends.length - 1][0] - d.t0,
                   drawn: now - d.t0, runs: runs.length, charts: charts.length});
          return;
        }
      }
    }
    requestAnimationFrame(tick);
  };
  tick();
})"""


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def available() -> str | None:
    """Why the browser benchmark cannot run here (None when it can)."""
    if not (Path(CHROMIUM).exists() and shutil.which(CHROMIUM)):
        return f"chromium not found at {CHROMIUM} (set DANGONG_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


# --------------------------------------------------------------------------- databases


def _prepare_user(url: str) -> str:
    """The ``bench-browser`` account (a district leader) with a new random password; returns it."""
    from sqlmodel import Session

    from models import accounts
    from models.db import make_engine
    from models.enums import Role

    password = secrets.token_urlsafe(18)
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            if accounts.get_user(s, USER) is None:
                accounts.create_user(s, username=USER, password=password, role=Role.LEADER,
                                     display_name="browser benchmark", actor="bench")
            else:
                accounts.set_password(s, USER, password, actor="bench")
            s.commit()
    finally:
        engine.dispose()
    return password


def _sqlite(label: str, n: int | None, workdir: Path) -> tuple[str, str]:
    """(URL, what it is) of the SQLite database of this size."""
    from bench import datasets

    if n is None:
        ds = datasets.demo(workdir)
        return ds.url, f"demo district, {ds.enterprises:,} enterprises (fresh file)"
    path = datasets.CACHE / f"scale-{n}-seed{datasets.SCALE_SEED}-{datasets.TODAY.isoformat()}.sqlite"
    if path.exists() and _at_head(f"sqlite:///{path}"):
        ds = datasets._describe(datasets.Dataset(label, n, path, datasets.TODAY, cached=True))
        return ds.url, f"{ds.enterprises:,} enterprises, bench/.cache (used as it is)"
    ds = datasets.scale(label, n)
    return ds.url, f"{ds.enterprises:,} enterprises, bench/.cache (made now)"


def _at_head(url: str) -> bool:
    import sqlalchemy as sa

    from models.db import current_revision, head_revision

    engine = sa.create_engine(url)
    try:
        return current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def _postgres_demo(server_url: str, database: str) -> tuple[str, str]:
    """A PostgreSQL database of the benchmark's own (dropped and made again), the demo seeded."""
    import sqlalchemy as sa

    from bench.datasets import TODAY, _dangong

    if not database.replace("_", "").isalnum():
        raise ValueError(f"--pg-database: letters, digits and _ only: {database!r}")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    finally:
        admin.dispose()
    url = sa.engine.make_url(server_url).set(database=database).render_as_string(hide_password=False)
    _dangong(["db", "upgrade"], url, echo=False)
    _dangong(["seed", "demo", "--today", TODAY.isoformat()], url, echo=False)
    return url, f"demo district, PostgreSQL database {database} (made now)"


# --------------------------------------------------------------------------- server and browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(url: str, log: Path) -> Iterator[tuple[str, float]]:
    """``streamlit run dashboard/ui/server.py`` on a free port with the floor pages; yields (base
    URL, seconds until it answered); stops it afterwards."""
    port = _free_port()
    env = {**os.environ, "DANGONG_DATABASE_URL": url, "DANGONG_BENCH_FLOOR": "1"}
    t0 = time.perf_counter()
    with open(log, "a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "ui" / "server.py"),
             "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_healthy(base, proc):
            raise RuntimeError(f"streamlit did not start (see {log})")
        yield base, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Browser:
    """One Playwright and one chromium for the whole benchmark."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-renderer-backgrounding", "--disable-background-timer-throttling"])

    def page(self):
        """A new context (its own cookies: a new browser session) and its page."""
        context = self.browser.new_context(viewport=VIEWPORT)
        return context.new_page()

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()


class Missed(RuntimeError):
    """An action no run answered (the widget did not take it): not a timing; the page is reloaded."""


def _done(page, ready: str | None = None, start_ms: int | None = None, min_charts: int = 0) -> dict:
    out = page.evaluate(_DONE, [ready, LONG_MS, start_ms, min_charts])
    if out.get("nostart"):
        raise Missed(f"no run started within {start_ms / 1000:.0f} s")
    if out.get("timeout"):
        raise RuntimeError(f"no finished run within {LONG_MS / 1000:.0f} s (t0 {out['t0']}, states {out['log'][-6:]})")
    return out


def sign_in(page, base: str, path: str, password: str, ready: str | None, wait: float = 0) -> tuple[dict, float]:
    """Load the login form of ``base/path``, sign in; (the timing from the click, seconds to the form).
    ``wait``: seconds between the form and the click (not timed) — a person typing."""
    t = time.perf_counter()
    page.goto(f"{base}/{path}")
    page.wait_for_selector("input[type=password]", timeout=LONG_MS)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=LONG_MS)
    form = time.perf_counter() - t
    if wait:
        page.wait_for_timeout(wait * 1000)
    page.evaluate(_INSTALL)
    page.get_by_label("用户名", exact=True).fill(USER)
    page.get_by_label("密码", exact=True).fill(password)
    page.evaluate(_ARM)
    page.get_by_role("button", name="登录").click()
    return _done(page, ready, min_charts=SIGNIN_CHARTS), form


def visit(page, path: str) -> dict:
    """Switch the signed-in page to ``/path`` within its session (the browser's history navigation,
    which Streamlit answers with a run of that page). A navigation no run answered within 10 s (a
    message lost while the connection was busy: tests/browser's ``visit`` sees it too) is made
    again, and that second navigation is what is timed (``retried`` says so)."""
    for attempt in range(3):
        page.evaluate(_NAVIGATE, "/" + path)
        try:
            return _done(page, start_ms=10_000) | {"retried": attempt}
        except Missed:
            continue
    raise RuntimeError(f"no run of /{path} started after three navigations")


def _township_box(page):
    return page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first


def choose_township(page) -> dict:
    """Open the township filter (not timed), then the click on its first option (timed)."""
    _township_box(page).locator("input").click()
    option = page.locator("[role=option]:not([data-key=__select_all__])").first  # one township, not "Select all"
    option.wait_for(timeout=LONG_MS)
    page.evaluate(_ARM)
    option.click()
    out = _done(page, start_ms=10_000)
    page.keyboard.press("Escape")  # close the list if it stayed open (no run)
    return out


def clear_townships(page) -> dict:
    box = _township_box(page)
    page.evaluate(_ARM)
    box.get_by_role("button", name="Clear all").click()
    return _done(page, start_ms=10_000)


def set_date(page, key: str) -> dict:
    """The as-of date one year back (``ArrowDown``) or forward (``ArrowUp``): the year of the
    sidebar's date field changed and its calendar opened (not timed), then the click on the day
    chosen in it (timed: the date field sends its value when a day is picked)."""
    year = page.locator("[data-testid=stSidebar] [data-testid=stDateInput] [role=spinbutton][data-type=year]").first
    year.click()
    page.keyboard.press(key)
    page.keyboard.press("Enter")  # opens the calendar on the date typed
    day = page.locator("[role=grid] [aria-selected=true] [role=button]").first
    day.wait_for(timeout=LONG_MS)
    page.evaluate(_ARM)
    day.click()
    return _done(page, start_ms=10_000)


def step_slide(page) -> dict:
    page.evaluate(_ARM)
    page.keyboard.press("ArrowRight")
    return _done(page, ".st-key-slide .dg-title")


# --------------------------------------------------------------------------- one database


KPI = "[data-testid=stMain] [data-testid=stMetric]"
#: the charts in view on the overview and on the floor's charts page (a fourth in a tab not open)
SIGNIN_CHARTS = 3


#: the kinds of measurement (``--only``)
PARTS = ("signin", "switch", "filters", "slide")


def measure(browser: Browser, url: str, repeat: int, workdir: Path, *, signin_repeat: int | None = None,
            res: dict[str, Any] | None = None, smoke: bool = False, parts: tuple[str, ...] = PARTS,
            pages: tuple[str, ...] | None = None, signin_wait: float = 0) -> dict[str, Any]:
    """Every measurement on one database into ``res`` (kept by the caller when one fails); seconds,
    lists of ``repeat`` values. ``smoke``: the quickest pass through every kind of action (no floor
    sign-in, no uncounted first cycle, filters on the overview only): a check, not the benchmark.
    ``parts`` and ``pages`` (labels of :data:`PAGES`; the floor pages always) narrow it down for a
    quick comparison (``--only``, ``--pages``); ``signin_wait``: seconds a sign-in waits on the form
    before its click (``--signin-wait``; 0: at once, the server's start-up work may still be running)."""
    password = _prepare_user(url)
    log = workdir / "streamlit.log"
    res = {} if res is None else res
    res.update({"signin": [], "signin_floor": [], "form": [], "server_start": [], "switch": {},
                "filters": {}, "slide": [], "runs": {}, "load": [os.getloadavg()[0]]})
    n_signin = signin_repeat or repeat

    def note(key: str, out: dict) -> float:
        res["runs"].setdefault(key, []).append(out["runs"])
        return out["drawn"] / 1000

    # sign-in on a fresh server, to the overview and to the floor's charts page
    for k in range(n_signin if "signin" in parts else 0):
        for key, path, ready in (("signin", "", KPI), ("signin_floor", "bench-charts", KPI))[:1 if smoke else 2]:
            with server(url, log) as (base, started):
                res["server_start"].append(started)
                page = browser.page()
                out, form = sign_in(page, base, path, password, ready, signin_wait)
                res[key].append(note(key, out))
                res["form"].append(form)
                page.context.close()
        _log(f"    sign-in {k + 1}: {res['signin'][-1]:.2f} s"
             + (f" (floor {res['signin_floor'][-1]:.2f} s)" if res["signin_floor"] else ""))

    with server(url, log) as (base, _):
        page = browser.page()
        sign_in(page, base, "", password, KPI)
        order = [*(p for p in PAGES if pages is None or p[0] in pages), *FLOOR]
        for _label, path in order if not smoke else ():  # the first run of each page: not counted
            visit(page, path)
        for k in range(repeat if "switch" in parts else 0):
            for label, path in order:
                res["switch"].setdefault(label, []).append(note("switch " + label, visit(page, path)))
            _log(f"    switch cycle {k + 1}: " + ", ".join(f"{lbl} {v[-1]:.2f}" for lbl, v in res["switch"].items()))
        res["missed"] = []
        filter_pages = FILTER_PAGES[:1] if smoke else [
            p for p in FILTER_PAGES if pages is None or p[0] in pages or p[0].startswith("floor")]
        for label, path in filter_pages if "filters" in parts else ():
            visit(page, path)
            if not smoke:  # once, not counted (the filtered queries' first run)
                choose_township(page), clear_townships(page)
                set_date(page, "ArrowDown"), set_date(page, "ArrowUp")
            f = res["filters"].setdefault(label, {"township": [], "township cleared": [], "as-of date": []})
            for k in range(repeat + 3):  # up to three repeats a widget did not take are made again
                if min(len(v) for v in f.values()) >= repeat:
                    break
                try:
                    one = {"township": note("township " + label, choose_township(page)),
                           "township cleared": note("cleared " + label, clear_townships(page)),
                           "as-of date": note("date " + label, set_date(page, "ArrowDown"))}
                    set_date(page, "ArrowUp")
                except Missed as exc:  # start this page again from a fresh load of the session
                    res["missed"].append(f"{label}, repeat {k + 1}: {exc}")
                    _log(f"    {label}: an action no run answered ({exc}); the page is reloaded")
                    page.goto(f"{base}/{path}")
                    page.wait_for_selector("[data-testid=stSidebar] [data-testid=stMultiSelect]", timeout=LONG_MS)
                    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=LONG_MS)
                    page.evaluate(_INSTALL)
                    continue
                for key, value in one.items():
                    f[key].append(value)
            _log(f"    filters on {label}: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in f.items()))
        if "slide" in parts:
            visit(page, "present")
            page.mouse.click(1200, 60)  # focus the page, not a widget
            step_slide(page)  # the next slide's first run: not counted
            for _ in range(repeat):
                res["slide"].append(note("slide", step_slide(page)))
            _log(f"    slide step: {statistics.median(res['slide']):.2f} s")
        page.context.close()
    res["load"].append(os.getloadavg()[0])
    return res


# --------------------------------------------------------------------------- report


def spread(values: list[float]) -> dict[str, float]:
    v = sorted(values)
    q = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return {"median": statistics.median(v), "p25": q[0], "p75": q[2], "min": v[0], "max": v[-1], "n": len(v)}


def rows(res: dict) -> list[tuple[str, str, dict, str]]:
    """(group, what, spread, floor key) of one database's results."""
    out = []
    if res["signin"]:
        out.append(("sign-in → overview drawn (fresh server)", "overview", spread(res["signin"]), "signin_floor"))
    if res["signin_floor"]:
        out.append(("sign-in → overview drawn (fresh server)", "floor: 6 cards + 4 charts", spread(res["signin_floor"]), ""))
    for label, v in res["switch"].items():
        out.append(("warm page switch", label, spread(v), "" if label.startswith("floor") else "switch"))
    for label, kinds in res["filters"].items():
        for kind, v in kinds.items():
            out.append((f"filter: {kind}", label, spread(v), "" if label.startswith("floor") else "filter " + kind))
    if res["slide"]:
        out.append(("presentation: step a slide (→)", "present", spread(res["slide"]), "switch"))
    return out


def _floors(res: dict) -> dict[str, tuple[float, float]]:
    """(empty page, charts page) medians of each floor key."""
    def med(values) -> float:
        return statistics.median(values) if values else float("nan")

    sw, fl = res["switch"], res["filters"]
    out = {"signin_floor": (med(res["signin_floor"]),) * 2,
           "switch": (med(sw.get(FLOOR[0][0])), med(sw.get(FLOOR[1][0])))}
    for kind in ("township", "township cleared", "as-of date"):
        out["filter " + kind] = tuple(med(fl.get(f[0], {}).get(kind)) for f in FLOOR)
    return out


def _fmt(s: dict) -> str:
    return f"{s['median']:.2f} s ({s['p25']:.2f}–{s['p75']:.2f}; {s['min']:.2f}–{s['max']:.2f})"


def render(results: dict) -> str:
    """The Markdown of the section (between the markers)."""
    runs = results["runs"]
    lines = [RBEGIN, "", "### How it is measured", "",
             "Chromium (Playwright, headless, 1600×1000) against a real `streamlit run dashboard/ui/server.py` "
             "the benchmark starts itself. Each figure runs from the action (the click's or key's own time in "
             "the page, or the `history.pushState` of a page switch) to the end of the script run it caused, "
             "with the page's charts drawn (a `MutationObserver` on `data-test-script-state`, checked on every "
             "animation frame; no fixed sleeps). Sign-in: a new server per repeat, the login form loaded, then "
             "the click on 登录 until the KPI cards and every chart are drawn. Page switches and filter changes "
             "are warm: one cycle through every page and filter first, not counted. **Floor**: two hidden "
             "pages of the same app that read nothing (`dashboard/app_pages/bench_floor.py`, mounted only with "
             "`DANGONG_BENCH_FLOOR=1`): an empty page, and the overview's shape (6 KPI cards, 4 small "
             "Vega-Lite charts) — the same sign-in, header, filters and sidebar, so the floor is what "
             "Streamlit and the app's frame cost on this machine.", "",
             f"Run {results['started']} on commit {results.get('commit') or '—'}; {results['repeat']} repeats "
             "(median, p25–p75 and min–max in brackets). Machine: "
             + "; ".join(f"{k} {v}" for k, v in results["machine"].items() if k in
                         ("CPU", "CPUs (nproc)", "memory (free -h)", "Python", "Streamlit")) + "."
             + (f" Each sign-in clicked 登录 {results['signin_wait']:g} s after its login form was there (not timed)."
                if results.get("signin_wait") else ""), ""]
    for key, r in runs.items():
        if "error" in r:
            lines += [f"### {key}", "", f"Not measured: {r['error']}", ""]
            continue
        res = r["results"]
        floors = _floors(res)
        load = res["load"]
        lines += [f"### {key}: {r['what']}", "",
                  f"Load average (1 min) at start {load[0]:.2f}, at end {load[1]:.2f}"
                  + (f"; the server started in {statistics.median(res['server_start']):.2f} s, the login form "
                     f"loaded in {statistics.median(res['form']):.2f} s (medians)." if res["form"] else ".")
                  + (f" Filter actions a widget did not take (made again after a reload, not timed): "
                     f"{len(res['missed'])}." if res.get("missed") else ""), "",
                  "| what | page | median (p25–p75; min–max) | ÷ empty-page floor | ÷ cards+charts floor |",
                  "|---|---|---|---|---|"]
        for group, label, s, fk in rows(res):
            ratio = ("—", "—") if not fk else tuple("—" if f != f else f"{s['median'] / f:.2f}×" for f in floors[fk])
            if fk == "signin_floor":
                ratio = ("—", ratio[1])
            lines.append(f"| {group} | {label} | {_fmt(s)} | {ratio[0]} | {ratio[1]} |")
        lines.append("")
    growth = _growth(runs)
    if growth:
        lines += ["### Growth from the demo to 1M (medians)", "", "| what | page | demo | 1M | 1M ÷ demo |",
                  "|---|---|---|---|---|"]
        lines += [f"| {g} | {lbl} | {a:.2f} s | {b:.2f} s | {b / a:.2f}× |" for g, lbl, a, b in growth]
        lines.append("")
    lines.append(REND)
    return "\n".join(lines)


def _growth(runs: dict) -> list[tuple[str, str, float, float]]:
    out = []
    for backend in ("sqlite", "postgres"):
        small, big = runs.get(f"{backend} demo"), runs.get(f"{backend} 1m")
        if not small or not big or "error" in small or "error" in big:
            continue
        a = {(g, lbl): s["median"] for g, lbl, s, _ in rows(small["results"])}
        b = {(g, lbl): s["median"] for g, lbl, s, _ in rows(big["results"])}
        out += [(f"{backend}: {g}", lbl, a[g, lbl], b[g, lbl]) for g, lbl in a if (g, lbl) in b]
    return out


def write_doc(section: str, doc: Path = DOC) -> None:
    """Put the generated ``section`` between its markers inside this benchmark's own section of
    ``doc`` (made at the end the first time); nothing else of the file changes."""
    text = doc.read_text(encoding="utf-8")
    if RBEGIN in text and REND in text:
        head, rest = text.split(RBEGIN, 1)
        text = head + section + rest.split(REND, 1)[1]
    elif BEGIN in text and END in text:
        head, rest = text.split(END, 1)
        text = head + section + "\n" + END + rest
    else:
        text = (text.rstrip("\n") + "\n\n" + BEGIN + "\n\n## In the browser: what a leader waits for (`python -m bench.browser`)\n\n"
                + section + "\n" + END + "\n")
    doc.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="demo,1m", help="comma-separated: demo, 100k, 1m, or any N (default demo,1m)")
    p.add_argument("--backends", default="sqlite,postgres",
                   help="sqlite, postgres (demo size; needs DANGONG_BENCH_POSTGRES_URL) (default both)")
    p.add_argument("--repeat", type=int, default=5, help="repeats of each measurement (default 5)")
    p.add_argument("--signin-repeat", type=int, default=None, help="fresh-server sign-ins (default --repeat)")
    p.add_argument("--pg-database", default="dangong_bench_browser",
                   help="the PostgreSQL database the benchmark makes (dropped first) (default dangong_bench_browser)")
    p.add_argument("--pg-1m-url", default=None, help="a PostgreSQL database with 1M enterprises, used as it is")
    p.add_argument("--output", type=Path, default=DOC, help="Markdown file to update (default docs/performance.md)")
    p.add_argument("--no-write", action="store_true", help="print only; write neither the Markdown nor the JSON")
    p.add_argument("--smoke", action="store_true",
                   help="the quickest pass through every kind of action (a check that it works, not the benchmark)")
    p.add_argument("--json", type=Path, default=None, help="also write the results here (even with --no-write)")
    p.add_argument("--only", default=",".join(PARTS),
                   help=f"comma-separated parts to measure, of {', '.join(PARTS)} (default all; a quick comparison: "
                        "use --no-write)")
    p.add_argument("--signin-wait", type=float, default=0,
                   help="seconds between the login form and the click on 登录, not timed (default 0: at once)")
    p.add_argument("--pages", default=None,
                   help="comma-separated page labels for the switches and filters (default every page; the floor "
                        "pages always)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    parts = tuple(x.strip() for x in args.only.split(",") if x.strip())
    pages = tuple(x.strip() for x in args.pages.split(",") if x.strip()) if args.pages else None
    if set(parts) - set(PARTS) or (pages and set(pages) - {label for label, _ in PAGES}):
        p.error(f"--only: of {', '.join(PARTS)}; --pages: of {', '.join(label for label, _ in PAGES)}")
    why = available()
    if why:
        print(f"bench.browser: skipped: {why}")
        return 0
    from bench import datasets, machine
    from bench.run import _git_state

    sizes = [datasets.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    pg_server = os.environ.get("DANGONG_BENCH_POSTGRES_URL")
    results: dict[str, Any] = {"started": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": _git_state(),
                               "repeat": args.repeat, "signin_wait": args.signin_wait, "machine": machine.describe(),
                               "runs": {}}
    workdir = Path(tempfile.mkdtemp(prefix="dangong-browser-bench-"))
    browser = Browser()
    try:
        for label, n in sizes:
            for backend in backends:
                key = f"{backend} {label}"
                res = {}
                try:
                    if backend == "sqlite":
                        url, what = _sqlite(label, n, workdir)
                    elif backend == "postgres" and n is None:
                        if not pg_server:
                            _log(f"== {key}: skipped (no DANGONG_BENCH_POSTGRES_URL)")
                            continue
                        url, what = _postgres_demo(pg_server, args.pg_database)
                    elif backend == "postgres" and args.pg_1m_url and n == 1_000_000:
                        url, what = args.pg_1m_url, "1M enterprises, PostgreSQL (--pg-1m-url, used as it is)"
                    else:
                        _log(f"== {key}: skipped (no PostgreSQL database of this size)")
                        continue
                    _log(f"== {key}: {what}")
                    measure(browser, url, args.repeat, workdir, signin_repeat=args.signin_repeat, res=res,
                            smoke=args.smoke, parts=parts, pages=pages, signin_wait=args.signin_wait)
                    results["runs"][key] = {"what": what, "results": res}
                except Exception as exc:  # noqa: BLE001 - reported in the section, the others still run
                    _log(f"   {key} failed: {type(exc).__name__}: {exc}")
                    results["runs"][key] = {"what": key, "error": f"{type(exc).__name__}: {exc}", "partial": res}
    finally:
        browser.close()
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_end"] = os.getloadavg()
    section = render(results)
    print(section)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        write_doc(section, args.output)
        _log(f"wrote {args.output} and {RESULTS}")
    return 1 if any("error" in r for r in results["runs"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
