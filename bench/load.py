"""Many viewers at once (issue 19 item 2): ``make bench-load`` / ``python -m bench.load``.

N signed-in sessions at the same time against one ``streamlit run dashboard/ui/server.py`` on the
1M database (SQLite: the bench's cached file, ``bench/datasets.py``; PostgreSQL: ``--pg-url``, e.g.
the bench's ``dangong_bench_1m``). Each session does what a leader does the morning before a joint
meeting, as a browser does it:

    open      GET / and the websocket, the sign-in page drawn
    sign_in   the form submitted (user, password, 登录) → the overview drawn (the district, today)
    township  a township chosen in the sidebar → the overview drawn again
    date      an as-of date chosen → the overview drawn again
    map       覆盖地图 opened → drawn
    meetings  联席会议 opened → drawn
    (round 2 and later: overview opened, then township, date, map, meetings with other choices)

**How the sessions are driven: Streamlit's own websocket protocol, not chromium.** Each session is
one websocket (``/_stcore/stream``) that sends the ``BackMsg`` a browser sends — the same widget ids
and values (a multiselect's labels, the date as ``YYYY-MM-DD``, the form's trigger), the page's
script hash on navigation, the hashes of the messages it has cached — and reads every ``ForwardMsg``
until ``script_finished``. *Time to drawn* is from sending the message (for ``open``: from the
HTTP request) to that ``script_finished``: the server has run the page and every element has reached
the client. After a sign-in the session also makes the request the page's cookie script makes (the
session cookie), as a browser would. What it leaves out is the browser's own drawing of the
elements (Vega-Lite, the data grid), which happens on each viewer's machine, in parallel — measured
once with chromium (``--calibrate``: the same steps in one chromium page, time to the app's idle
state) and reported beside the table. 50 chromium pages on the benchmark's 2 cores would have
measured chromium, not the server.

Every step is checked: a run that ends in an exception element, an error alert (the database
busy/unavailable sentence included), a page without its content (the overview's KPI cards, the
map's chart, the meetings page's tables), a sign-in that does not reach the pages, a closed
connection or a step over ``--step-timeout`` is an error, counted per kind.

Each N runs on a fresh server (cold Streamlit caches, warm OS page cache; the server's imports
warmed by one session that is then discarded, and the data caches cleared through the protocol's
``clear_cache``), so every N starts as a morning does. All N sessions start together; a session
thinks ``--think`` seconds (±50 %, seeded) between steps. Peak resident memory of the server
(``VmHWM``) and the CPU time of the server and of this driver are recorded per N.

Accounts ``load01``… (role leader, district scope, password :data:`PASSWORD`) are added to the
database once, as ``bench.run`` adds ``bench``.

    python -m bench.load                                    # SQLite 1M, N = 1, 10, 20, 50
    python -m bench.load --pg-url postgresql+psycopg://…/dangong_bench_1m --db both
    python -m bench.load --db sqlite --sessions 10 --rounds 1 --no-write   # a quick look
    python -m bench.load --url sqlite:////tmp/demo.sqlite --sessions 2 --no-write   # any database

Results: ``bench/results/load.json``; ``--write`` (default) also renders them into
docs/performance.md between ``<!-- load-bench:start -->`` and ``<!-- load-bench:end -->``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.serving import wait_until_healthy  # noqa: E402 - after the path above (run as a script too)

RESULTS = ROOT / "bench" / "results" / "load.json"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- load-bench:start -->", "<!-- load-bench:end -->"
PASSWORD = "load-bench-2026"
STEPS = ("open", "sign_in", "township", "date", "map", "meetings", "overview")
#: as-of dates a session picks from (the scale data's story ends on 2026-11-24)
DATES = ("2026-11-24", "2026-10-31", "2026-09-30", "2026-06-30", "2026-03-31", "2025-12-31")


# --------------------------------------------------------------------------- one session


class StepError(Exception):
    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


@dataclass
class Run:
    """What one script run sent: its elements by type, the widgets' ids, errors seen."""

    elements: dict[str, int] = field(default_factory=dict)
    widgets: dict[str, Any] = field(default_factory=dict)  # user key → element proto
    errors: list[tuple[str, str]] = field(default_factory=list)
    iframes: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # url path → page script hash
    page_hash: str = ""


def _widget_key(widget_id: str) -> str:
    if "FormSubmitter:" in widget_id:
        return "FormSubmitter:" + widget_id.split("FormSubmitter:", 1)[1].split("-", 1)[0]
    return widget_id.rsplit("-", 1)[-1]


class Client:
    """One browser tab's Streamlit session, over the websocket."""

    def __init__(self, host: str, *, step_timeout: float) -> None:
        self.host = host
        self.step_timeout = step_timeout
        self.ws = None
        self.cache: list[str] = []  # hashes of cacheable messages received (what the browser keeps)
        self.widgets: dict[str, Any] = {}
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self.cookie = ""

    async def connect(self) -> None:
        import websockets

        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await websockets.connect(
            f"ws://{self.host}/_stcore/stream", subprotocols=["streamlit"], origin=f"http://{self.host}",
            max_size=None, additional_headers=headers, open_timeout=self.step_timeout, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def send(self, msg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def rerun(self, widget_states: list[tuple[str, str, Any]], page_hash: str | None = None) -> Run:
        """Send one ``rerun_script`` (widget states as (key, kind, value)) and read until it has finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        for key, kind, value in widget_states:
            el = self.widgets.get(key)
            if el is None:
                raise StepError("missing widget", key)
            w = cs.widget_states.widgets.add()
            w.id = el.id
            if kind == "strings":
                w.string_array_value.data.extend(value)
            elif kind == "string":
                w.string_value = value
            elif kind == "trigger":
                w.trigger_value = True
        if page_hash is not None:
            cs.page_script_hash = page_hash
        elif self.page_hash:
            cs.page_script_hash = self.page_hash
        cs.cached_message_hashes.extend(self.cache[-200:])
        info = cs.context_info
        info.timezone, info.timezone_offset, info.locale, info.color_scheme = "Asia/Shanghai", -480, "zh-CN", "light"
        info.url = f"http://{self.host}/"
        await self.send(msg)
        return await self.read_run()

    async def read_run(self) -> Run:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run()
        deadline = time.monotonic() + self.step_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StepError("timeout", f"no finished run within {self.step_timeout:.0f} s")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except asyncio.TimeoutError:
                raise StepError("timeout", f"no finished run within {self.step_timeout:.0f} s") from None
            except Exception as exc:  # noqa: BLE001 - the connection closed
                raise StepError("connection closed", type(exc).__name__) from None
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            if fm.metadata.cacheable and fm.hash:
                self.cache.append(fm.hash)
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # a (re)run begins: what came before belongs to a run that stopped
                run = Run(pages=run.pages)
                self.page_hash = fm.new_session.page_script_hash
            elif kind == "navigation":
                run.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
                self.pages.update(run.pages)
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(run, fm.delta.new_element)
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise StepError("exception", "compile error")
                if fm.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    run.page_hash = self.page_hash
                    return run
                # FINISHED_EARLY_FOR_RERUN: the script asked for a rerun (after the sign-in): keep reading

    def _element(self, run: Run, el) -> None:
        kind = el.WhichOneof("type")
        run.elements[kind] = run.elements.get(kind, 0) + 1
        proto = getattr(el, kind)
        widget_id = getattr(proto, "id", "") if kind not in ("iframe", "html", "markdown") else ""
        if widget_id.startswith("$$ID-"):
            run.widgets[_widget_key(widget_id)] = proto
            self.widgets[_widget_key(widget_id)] = proto
        if kind == "exception":
            run.errors.append(("exception", f"{proto.type}: {proto.message[:120]}"))
        elif kind == "alert" and proto.format == proto.ERROR:
            text = proto.body
            run.errors.append(("outage" if ("数据库" in text or "database" in text.lower()) else "error alert", text[:120]))
        elif kind == "iframe" and proto.srcdoc:
            run.iframes.append(proto.srcdoc)


def _check(run: Run, step: str) -> None:
    """A run that does not show what the step's page must show is an error."""
    if run.errors:
        raise StepError(*run.errors[0])
    e = run.elements
    if step == "open":
        if "login_password" not in run.widgets:
            raise StepError("missing content", "no sign-in form")
        return
    if "town" not in run.widgets or "asof" not in run.widgets:
        raise StepError("sign-in failed" if step == "sign_in" else "missing content", "no sidebar filters")
    if step in ("sign_in", "township", "date", "overview") and (e.get("metric", 0) < 4 or e.get("vega_lite_chart", 0) < 1):
        raise StepError("missing content", f"{step}: overview without its KPI cards and charts ({e})")
    if step == "map" and e.get("vega_lite_chart", 0) < 1:
        raise StepError("missing content", f"map without its chart ({e})")
    if step == "meetings" and e.get("dataframe", 0) + e.get("metric", 0) + e.get("vega_lite_chart", 0) < 1:
        raise StepError("missing content", f"meetings without tables or figures ({e})")


_TICKET = re.compile(r"fetch\((\"[^\"]+\")[^)]*body: (\"(?:[^\"\\]|\\.)*\")")


def _bind_cookie(host: str, srcdoc: str) -> str:
    """The request the page's cookie script makes after a sign-in; returns the Cookie header."""
    m = _TICKET.search(srcdoc)
    if not m:
        return ""
    path, body = json.loads(m.group(1)), json.loads(m.group(2))
    req = urllib.request.Request(f"http://{host}{path}", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Origin": f"http://{host}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        cookies = resp.headers.get_all("Set-Cookie") or []
    return "; ".join(c.split(";", 1)[0] for c in cookies)


@dataclass
class Sample:
    session: int
    round: int
    step: str
    seconds: float | None
    error: str | None = None
    detail: str = ""
    started: float = 0.0


async def session(index: int, host: str, user: str, *, rounds: int, think: float, step_timeout: float,
                  deadline: float, t0: float, seed: int) -> list[Sample]:
    """One viewer: open, sign in, then ``rounds`` rounds of township, date, map, meetings."""
    rng = random.Random(seed * 1000 + index)
    client = Client(host, step_timeout=step_timeout)
    samples: list[Sample] = []
    town_labels: list[str] = []

    async def step(name: str, rnd: int, action) -> Run | None:
        if time.monotonic() > deadline:
            samples.append(Sample(index, rnd, name, None, "not started", "the run's time bound", time.monotonic() - t0))
            return None
        start = time.monotonic()
        try:
            run = await action()
            _check(run, name)
        except StepError as exc:
            samples.append(Sample(index, rnd, name, time.monotonic() - start, exc.kind, exc.detail, start - t0))
            raise
        samples.append(Sample(index, rnd, name, time.monotonic() - start, None, "", start - t0))
        return run

    async def think_pause() -> None:
        if think > 0:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))

    async def open_() -> Run:
        await asyncio.to_thread(lambda: urllib.request.urlopen(f"http://{host}/", timeout=step_timeout).read())
        await client.connect()
        return await client.rerun([])

    async def sign_in() -> Run:
        run = await client.rerun([("login_username", "string", user), ("login_password", "string", PASSWORD),
                                  ("FormSubmitter:login", "trigger", True)])
        for doc in run.iframes:  # the session cookie, as the page's script asks for it
            client.cookie = await asyncio.to_thread(_bind_cookie, host, doc) or client.cookie
        return run

    def filters(town: list[str], date: str) -> list[tuple[str, str, Any]]:
        return [("town", "strings", town), ("asof", "strings", [date])]

    try:
        if await step("open", 0, open_) is None:
            return samples
        await think_pause()
        run = await step("sign_in", 0, sign_in)
        if run is None:
            return samples
        town_labels = list(client.widgets["town"].options)
        for rnd in range(1, rounds + 1):
            town, date = [rng.choice(town_labels)], rng.choice(DATES)
            if rnd > 1:
                await think_pause()
                home = client.pages.get("", "")
                if await step("overview", rnd, lambda: client.rerun(filters(town, date), home)) is None:
                    break
            await think_pause()
            shown = list(client.widgets["asof"].default)[:1] or [DATES[0]]  # the date the sidebar shows now
            if await step("township", rnd, lambda: client.rerun(filters(town, shown[0]))) is None:
                break
            await think_pause()
            if await step("date", rnd, lambda: client.rerun(filters(town, date))) is None:
                break
            for name, path in (("map", "map"), ("meetings", "meetings")):
                await think_pause()
                if await step(name, rnd, lambda path=path: client.rerun(filters(town, date), client.pages[path])) is None:
                    return samples
    except StepError:
        pass  # recorded; this viewer gives up (a browser would show the error)
    except Exception as exc:  # noqa: BLE001 - anything else is an error of this session, not of the benchmark
        samples.append(Sample(index, 0, "?", None, type(exc).__name__, str(exc)[:200], time.monotonic() - t0))
    finally:
        try:
            await client.close()
        except Exception:  # noqa: BLE001
            pass
    return samples


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run dashboard/ui/server.py`` on a free port, with its memory and CPU watched."""

    def __init__(self, url: str, *, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.url, self.port = url, free_port()
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.rss_peak_kb = 0
        self._watch = False
        self._thread: threading.Thread | None = None
        self.env = {**os.environ, "DANGONG_DATABASE_URL": url, **(env or {})}

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Server:
        out = open(self.log, "w") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard/ui/server.py"), "--server.port", str(self.port),
             "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        if not wait_until_healthy(f"http://{self.host}", self.proc, every=0.2):
            self.stop()
            raise RuntimeError(f"streamlit did not start on {self.host} (log: {self.log})")
        return self

    def status(self, field_name: str) -> int:
        """A ``/proc/<pid>/status`` field in kB (VmRSS, VmHWM)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
        except (OSError, AttributeError):
            pass
        return 0

    def cpu_seconds(self) -> float:
        try:
            parts = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, AttributeError, IndexError):
            return 0.0

    def watch(self) -> None:
        self._watch = True

        def loop() -> None:
            while self._watch:
                self.rss_peak_kb = max(self.rss_peak_kb, self.status("VmRSS"))
                time.sleep(0.1)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._watch = False
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --------------------------------------------------------------------------- databases


def ensure_accounts(url: str, n: int) -> list[str]:
    """``load01``…``load<n>``: district leaders with :data:`PASSWORD`, added when missing, unlocked."""
    import sqlalchemy as sa

    from models import accounts
    from models.db import make_engine, session_scope
    from models.enums import Role
    from models.tables import User

    names = [f"load{i:02d}" for i in range(1, n + 1)]
    engine = make_engine(url, create=False)
    try:
        with session_scope(engine) as s:
            have = set(s.execute(sa.select(User.username).where(User.username.in_(names))).scalars())
            for name in names:
                if name not in have:
                    accounts.create_user(s, username=name, password=PASSWORD, role=Role.LEADER,
                                         display_name=f"load {name[4:]}", actor="bench")
            s.execute(sa.update(User).where(User.username.in_(names)).values(failed_logins=0, locked_until=None,
                                                                              disabled=False))
    finally:
        engine.dispose()
    return names


def sqlite_1m(*, regenerate: bool = False) -> str:
    """The bench's cached 1M SQLite file, made usable without regenerating it when it exists: migrated
    to the code's head and its summaries rebuilt only when they are stale (not merely when the
    summary code changed: the load benchmark reads them, it does not time their rebuild)."""
    import sqlalchemy as sa

    from bench import datasets
    from models.db import current_revision, head_revision
    from models.summary import is_fresh

    path = datasets.CACHE / f"scale-1000000-seed{datasets.SCALE_SEED}-{datasets.TODAY.isoformat()}.sqlite"
    if regenerate or not path.exists():
        return datasets.scale("1m", 1_000_000, regenerate=regenerate).url
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    try:
        behind = current_revision(engine) != head_revision()
    finally:
        engine.dispose()
    if behind:
        print("  1m: dangong db upgrade", file=sys.stderr, flush=True)
        datasets._dangong(["db", "upgrade"], url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            fresh = is_fresh(conn)
    finally:
        engine.dispose()
    if not fresh:
        print("  1m: stale summaries: dangong db refresh-summary", file=sys.stderr, flush=True)
        datasets._dangong(["db", "refresh-summary"], url)
    return url


def describe_db(url: str) -> dict[str, Any]:
    import sqlalchemy as sa

    from models.db import mask_url

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {"url": mask_url(url), "backend": engine.dialect.name,
                    "enterprises": conn.execute(sa.text("SELECT count(*) FROM enterprise")).scalar_one(),
                    "townships": conn.execute(sa.text("SELECT count(*) FROM township")).scalar_one()}
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- one level


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q * (len(values) - 1)))))
    return values[k]


async def _warm(host: str, user: str, step_timeout: float) -> None:
    """One session signs in and opens the three pages (the server's imports), then clears the data
    caches through the protocol (what the browser's "clear cache" sends): every level starts cold."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    await session(0, host, user, rounds=1, think=0, step_timeout=step_timeout, deadline=time.monotonic() + 300,
                  t0=time.monotonic(), seed=0)
    client = Client(host, step_timeout=step_timeout)
    await client.connect()
    msg = BackMsg()
    msg.clear_cache = True
    await client.send(msg)
    await asyncio.sleep(0.5)
    await client.close()


def run_level(url: str, n: int, users: list[str], *, rounds: int, think: float, step_timeout: float,
              bound: float, seed: int, env: dict[str, str] | None = None, log: Path | None = None,
              servers: int = 1) -> dict[str, Any]:
    """``n`` sessions on ``servers`` fresh server processes (session i on process i mod servers: what a
    sticky proxy does, without the proxy's own hop)."""
    procs = []
    try:
        for k in range(servers):
            procs.append(Server(url, env=env, log=log.with_name(f"{log.stem}-{k}{log.suffix}") if log else None).start())
        for k, server in enumerate(procs):
            asyncio.run(_warm(server.host, users[-1 - k], step_timeout))
        rss_start = sum(server.status("VmRSS") for server in procs)
        for server in procs:
            server.watch()
        cpu0, own0, load0 = [server.cpu_seconds() for server in procs], time.process_time(), os.getloadavg()

        async def all_sessions() -> list[list[Sample]]:
            t0 = time.monotonic()
            deadline = t0 + bound
            return await asyncio.gather(*(session(i, procs[i % servers].host, users[i % (len(users) - servers)],
                                                  rounds=rounds, think=think, step_timeout=step_timeout,
                                                  deadline=deadline, t0=t0, seed=seed)
                                          for i in range(n)))

        wall0 = time.monotonic()
        per_session = asyncio.run(all_sessions())
        wall = time.monotonic() - wall0
        for server in procs:
            server.rss_peak_kb = max(server.rss_peak_kb, server.status("VmRSS"))
        hwm = [server.status("VmHWM") for server in procs]
        cpu = sum(server.cpu_seconds() - c for server, c in zip(procs, cpu0))
        own = time.process_time() - own0
    finally:
        for server in procs:
            server.stop()
    samples = [s for ss in per_session for s in ss]
    ok = [s for s in samples if s.error is None]
    errors: dict[str, int] = {}
    for s in samples:
        if s.error is not None:
            errors[s.error] = errors.get(s.error, 0) + 1
    times = [s.seconds for s in ok if s.step != "open"]
    by_step = {}
    for name in STEPS:
        vals = [s.seconds for s in ok if s.step == name]
        if vals:
            by_step[name] = {"n": len(vals), "p50": _pct(vals, 0.5), "p95": _pct(vals, 0.95), "max": max(vals)}
    return {
        "sessions": n, "servers": servers, "wall": wall, "steps_ok": len(ok), "steps": len(samples),
        "p50": _pct(times, 0.5), "p95": _pct(times, 0.95), "max": max(times) if times else None,
        "errors": errors, "error_examples": [f"{s.step}: {s.error} {s.detail}"[:200] for s in samples if s.error][:5],
        "by_step": by_step, "server_cpu": cpu, "driver_cpu": own,
        "rss_start_mb": rss_start / 1024, "rss_peak_mb": sum(server.rss_peak_kb for server in procs) / 1024,
        "vm_hwm_mb": max(hwm) / 1024, "vm_hwm_each_mb": [h / 1024 for h in hwm],
        "load_before": [round(x, 2) for x in load0], "load_after": [round(x, 2) for x in os.getloadavg()],
        "samples": [s.__dict__ for s in samples],
    }


# --------------------------------------------------------------------------- chromium calibration


def calibrate(url: str, user: str, step_timeout: float) -> dict[str, Any]:
    """The same steps in one chromium page, one session alone (time to the app's idle state after each
    action), against the websocket driver's times of the same steps on the same fresh server."""
    from playwright.sync_api import sync_playwright

    idle = "[data-testid=stApp][data-test-script-state=notRunning]"
    ran = ("() => window.__dgRan === true && "
           "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")
    arm = """() => { window.__dgRan = false;
        const seen = new MutationObserver(() => { window.__dgRan = true; seen.disconnect(); });
        seen.observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']}); }"""
    server = Server(url).start()
    out: dict[str, Any] = {}
    try:
        asyncio.run(_warm(server.host, user, step_timeout))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("DANGONG_CHROMIUM", "/usr/bin/chromium"),
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            ms = step_timeout * 1000
            t = time.monotonic()
            page.goto(f"http://{server.host}/")
            page.wait_for_selector("input[type=password]", timeout=ms)
            out["open"] = time.monotonic() - t
            page.get_by_label("用户名", exact=True).fill(user)
            page.get_by_label("密码", exact=True).fill(PASSWORD)
            page.evaluate(arm)
            t = time.monotonic()
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("[data-testid=stMetric]", timeout=ms)
            page.wait_for_function(ran, timeout=ms)
            page.wait_for_selector(idle, timeout=ms)
            out["sign_in"] = time.monotonic() - t
            for name in ("map", "meetings"):
                label = {"map": "覆盖地图", "meetings": "联席会议"}[name]
                page.evaluate(arm)
                t = time.monotonic()
                page.locator("[data-testid=stSidebarNav] a", has_text=label).first.click()
                page.wait_for_function(ran, timeout=ms)
                page.wait_for_selector(idle, timeout=ms)
                page.wait_for_selector("[data-testid=stVegaLiteChart], [data-testid=stDataFrame]", timeout=ms)
                out[name] = time.monotonic() - t
            browser.close()
    finally:
        server.stop()
    ws = run_level(url, 1, [user, user], rounds=1, think=0.5, step_timeout=step_timeout, bound=300, seed=1)
    return {"chromium": out, "websocket": {k: v["p50"] for k, v in ws["by_step"].items()}}


# --------------------------------------------------------------------------- report


def _f(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"Run of {result['started']} at commit `{result['commit']}` (`python -m bench.load "
        f"{result['args']}`), {result['minutes']:.1f} min.",
        "",
        f"Machine: {m.get('CPU', '?')}, {m.get('CPUs (nproc)', '?')} CPUs, {m.get('memory (free -h)', '?')}; "
        f"Python {m.get('Python', '?')}, Streamlit {m.get('streamlit', '?')}. Each step: {result['rounds']} round(s), "
        f"think time {result['think']} s ±50 %, a step fails after {result['step_timeout']:.0f} s, each N bounded to "
        f"{result['bound']:.0f} s.",
        "",
        "| database | N | steps ok / all | p50 s | p95 s | max s | errors | server CPU s / wall s | "
        "server VmHWM MB (each process) | load avg before → after |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for db in result["databases"]:
        for lv in db["levels"]:
            errs = ", ".join(f"{k} {v}" for k, v in sorted(lv["errors"].items())) or "0"
            lines.append(
                f"| {db['label']} | {lv['sessions']} | {lv['steps_ok']} / {lv['steps']} | {_f(lv['p50'])} | {_f(lv['p95'])} | "
                f"{_f(lv['max'])} | {errs} | {lv['server_cpu']:.0f} / {lv['wall']:.0f} | {lv['vm_hwm_mb']:.0f} | "
                f"{lv['load_before'][0]:.2f} → {lv['load_after'][0]:.2f} |")
    lines += ["", "Time to drawn per step (p50 / p95, seconds):", "",
              "| database | N | " + " | ".join(STEPS) + " |", "|---|---:|" + "---:|" * len(STEPS)]
    for db in result["databases"]:
        for lv in db["levels"]:
            cells = [f"{_f(lv['by_step'][s]['p50'])} / {_f(lv['by_step'][s]['p95'])}" if s in lv["by_step"] else "—"
                     for s in STEPS]
            lines.append(f"| {db['label']} | {lv['sessions']} | " + " | ".join(cells) + " |")
    if result.get("calibration"):
        c = result["calibration"]
        lines += ["", "One session alone, chromium against the websocket driver (seconds; the difference is the "
                  "browser drawing the elements):", "", "| step | chromium | websocket |", "|---|---:|---:|"]
        for step_name, secs in c["chromium"].items():
            lines.append(f"| {step_name} | {secs:.2f} | {_f(c['websocket'].get(step_name))} |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text()
    if START in doc and END in doc:
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        inner = rest.split(END, 1)[0]
        marker = "<!-- load-bench:results -->"
        if marker in inner:  # keep the hand-written analysis around the generated table
            before, after = inner.split(marker, 1)
            after = after.split("<!-- load-bench:results-end -->", 1)[-1]
            inner = f"{before}{marker}\n{text}\n<!-- load-bench:results-end -->{after}"
        else:  # the section's own text stays; the results go at its end
            inner = f"{inner.rstrip()}\n\n### Latest `make bench-load`\n\n{marker}\n{text}\n<!-- load-bench:results-end -->\n"
        DOC.write_text(f"{head}{START}{inner}{END}{tail}")
    else:
        DOC.write_text(doc.rstrip("\n") + f"\n\n{START}\n<!-- load-bench:results -->\n{text}\n"
                       f"<!-- load-bench:results-end -->\n{END}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--url", help="any database (instead of the 1M SQLite file / --pg-url)")
    ap.add_argument("--pg-url", default=os.environ.get("DANGONG_LOAD_PG_URL"),
                    help="a 1M PostgreSQL database (default: $DANGONG_LOAD_PG_URL)")
    ap.add_argument("--sessions", default="1,10,20,50")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--think", type=float, default=1.0, help="seconds between a viewer's steps (±50 %%)")
    ap.add_argument("--step-timeout", type=float, default=60.0)
    ap.add_argument("--bound", type=float, default=300.0, help="seconds a level may take; later steps are not started")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--calibrate", action="store_true", help="also one session in chromium against the driver")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--write", dest="write", action="store_true", default=True)
    ap.add_argument("--no-write", dest="write", action="store_false")
    ap.add_argument("--servers", type=int, default=1, help="server processes, sessions spread over them (sticky)")
    ap.add_argument("--server-env", action="append", default=[], help="KEY=VALUE for the server (e.g. a pool size)")
    args = ap.parse_args(argv)

    from bench.machine import describe

    levels = [int(x) for x in args.sessions.split(",") if x.strip()]
    targets: list[tuple[str, str]] = []
    if args.url:
        targets.append(("given", args.url))
    else:
        if args.db in ("sqlite", "both"):
            targets.append(("SQLite", sqlite_1m(regenerate=args.regenerate)))
        if args.db in ("postgresql", "both"):
            if not args.pg_url:
                print("PostgreSQL skipped: no --pg-url (or DANGONG_LOAD_PG_URL)", file=sys.stderr)
            else:
                from bench.datasets import _dangong

                _dangong(["db", "upgrade"], args.pg_url, echo=False)
                targets.append(("PostgreSQL", args.pg_url))
    env = dict(kv.split("=", 1) for kv in args.server_env)
    started = time.time()
    result: dict[str, Any] = {
        "started": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "args": " ".join(argv if argv is not None else sys.argv[1:]),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "machine": {**describe(), "streamlit": __import__("streamlit").__version__}, "rounds": args.rounds, "think": args.think,
        "step_timeout": args.step_timeout, "bound": args.bound, "server_env": env, "databases": [],
    }
    for label, url in targets:
        users = ensure_accounts(url, max(levels) + args.servers)
        db = {"label": label + (f", {args.servers} servers" if args.servers > 1 else ""), **describe_db(url), "levels": []}
        result["databases"].append(db)
        for n in levels:
            print(f"== {label}, {n} sessions (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
            lv = run_level(url, n, users, rounds=args.rounds, think=args.think, step_timeout=args.step_timeout,
                           bound=args.bound, seed=args.seed, env=env, servers=args.servers,
                           log=Path(os.environ.get("TMPDIR", "/tmp")) / f"dangong-load-{label}-{n}.log")
            db["levels"].append(lv)
            print(f"   p50 {_f(lv['p50'])} p95 {_f(lv['p95'])} max {_f(lv['max'])} errors {lv['errors'] or 0} "
                  f"steps {lv['steps_ok']}/{lv['steps']} VmHWM {lv['vm_hwm_mb']:.0f} MB, server CPU {lv['server_cpu']:.0f} s "
                  f"in {lv['wall']:.0f} s" + (f"; e.g. {lv['error_examples'][:2]}" if lv["errors"] else ""),
                  file=sys.stderr, flush=True)
        if args.calibrate:
            result["calibration"] = calibrate(url, users[0], args.step_timeout)
    result["minutes"] = (time.time() - started) / 60
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    text = render(result)
    print(text)
    if args.write:
        write_doc(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
