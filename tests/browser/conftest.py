"""Fixtures of the browser tests: one real ``streamlit run`` per worker session on a free port,
with its own copy of the session's demo district (tests/conftest.py ``demo_template``), and one
Debian chromium with one browser context (its HTTP cache makes every page after the first load
in about half the time); each test opens its own pages in it. Chromium and Playwright stop when
the worker moves on to a test outside this folder (Playwright's event loop would refuse that
test's ``asyncio.run``) and start again if a browser test comes later.

Signing in is the slow part of a browser test (a page load, the login run, the password check,
the first page run: about 3 s). The sign-in lives in the Streamlit session of one page, so:

* ``open_page(context, url, user=…)`` — a new page that signs in through the form with ``url``
  as the deep link (the tests of the sign-in itself, of the deep link through it, and those that
  change the session's filters);
* ``signed_in(user, url, size)`` — a page of that user kept signed in for the worker session and
  moved to ``url`` *within* the session (``visit``: the browser's history navigation, which
  Streamlit answers with a run of the page the path names, with the URL's query parameters; no
  reload, no new sign-in). A test that fails closes the pages it was given, so the next test signs
  in afresh.

The server's database is written by the tests (an item marked done, audit rows): no test reads a
figure another test can change (the seed snapshot is of 2002; the meetings test reads its own
before and after). A module whose data must differ starts a server of its own
(``with streamlit_server(url) as base:``) and still uses the session's ``browser``/``context``.

Skipped when chromium is missing, unless ``DANGONG_TEST_BROWSER=required`` (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = os.environ.get("DANGONG_CHROMIUM", "/usr/bin/chromium")
DESKTOP = (1600, 1000)
LONG = 90_000  # ms: the first run of a page after a sign-in, on a loaded machine

#: the hosts a browser test may talk to: the test's own server on this machine
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

#: the app has finished a run (``notRunning`` is also the state before the first run: wait for
#: content first when a page has just been loaded)
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def _require_browser():
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("DANGONG_TEST_BROWSER") == "required":
        pytest.fail(f"chromium not found at {CHROMIUM} but DANGONG_TEST_BROWSER=required")
    pytest.skip(f"chromium not found at {CHROMIUM}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test (``signed_in`` drops its pages after a failure)."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@contextmanager
def streamlit_server(database_url: str, script: Path = APP) -> Iterator[str]:
    """``streamlit run <script>`` on a free port against ``database_url``; yields the base URL
    once the server answers, stops it afterwards (for a module that needs a server of its own)."""
    _require_browser()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env={**os.environ, "DANGONG_DATABASE_URL": database_url},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("streamlit did not start: " + (proc.stdout.read() if proc.stdout else ""))
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(demo_template, tmp_path_factory):
    """``streamlit run dashboard/app.py`` on a copy of the demo district, for the whole session."""
    with streamlit_server(demo_template.copy(tmp_path_factory.mktemp("browser") / "demo.sqlite")) as base:
        yield base


class _Chromium:
    """Playwright, one chromium and one context, started when a test first needs them and stopped
    when this worker moves on to a test outside tests/browser (``pytest_runtest_teardown`` below):
    while started, Playwright's event loop runs in the main thread, and a later test's
    ``asyncio.run`` would be refused. The signed-in pages (``signed_in``) go with it."""

    def __init__(self) -> None:
        self._playwright = self._browser = self._context = None
        self.pages: dict = {}
        #: every request of a page that went anywhere but this machine (a CDN font, an analytics
        #: beacon, a map tile): the test it happened in fails (``_nothing_leaves_this_machine``)
        self.external: list[str] = []

    def _note(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            self.external.append(url)

    def _watch(self, context) -> None:
        context.on("request", lambda request: self._note(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: self._note(ws.url)))

    def browser(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"],
            )
            made = self._browser.new_context

            def new_context(*args, **kwargs):  # every context, also a test's own, is watched
                context = made(*args, **kwargs)
                self._watch(context)
                return context

            self._browser.new_context = new_context
        return self._browser

    def context(self):
        if self._context is None:
            self._context = self.browser().new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]},
                                                       accept_downloads=True)
        return self._context

    def stop(self) -> None:
        self.pages.clear()
        try:
            if self._browser is not None:
                self._browser.close()  # its context and pages with it
        finally:
            if self._playwright is not None:
                self._playwright.stop()
            self._playwright = self._browser = self._context = None


_CHROMIUM = _Chromium()


class _Live:
    """Stands for the chromium (or context) running now: started again after a stop."""

    def __init__(self, get) -> None:
        self._get = get

    def __getattr__(self, name):
        return getattr(self._get(), name)


@pytest.fixture(autouse=True)
def _nothing_leaves_this_machine():
    """A browser test fails when any page it drove asked for something outside this machine (#17):
    the dashboard must work in a district's closed network, and nothing of it may leak out."""
    _CHROMIUM.external.clear()
    yield
    leaked, _CHROMIUM.external[:] = list(_CHROMIUM.external), []
    assert not leaked, f"requests that left this machine: {sorted(set(leaked))[:10]}"


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last of a run of browser tests (the next test is elsewhere, or none): stop chromium
    and Playwright (the shared ``server`` keeps running: a process of its own)."""
    here = Path(__file__).resolve().parent
    if nextitem is None or Path(nextitem.path).resolve().parent != here:
        _CHROMIUM.stop()


@pytest.fixture(scope="session")
def browser():
    """The chromium of this worker (for the shared ``server`` and for a module's own)."""
    _require_browser()
    yield _Live(_CHROMIUM.browser)
    _CHROMIUM.stop()


@pytest.fixture(scope="session")
def context(browser):
    """One browser context: its pages share the HTTP cache (the app's scripts), not their
    Streamlit sessions (each page is one, signed in on its own)."""
    return _Live(_CHROMIUM.context)


def login(page, username: str, password: str = "demo2002") -> None:
    """Fill the sign-in form (Chinese labels) and submit it."""
    page.wait_for_selector("input[type=password]", timeout=LONG)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def new_page(context, size=DESKTOP):
    page = context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    return page


def open_page(context, url, size=DESKTOP, user="leader", ready="[data-testid=stSidebar] [data-testid=stMultiSelect]"):
    """A new page (a new Streamlit session) on ``url``, signed in as ``user`` through the form;
    returns once the page the URL names has run (``ready``: a selector its content shows)."""
    page = new_page(context, size)
    page.goto(url)
    login(page, user)
    page.wait_for_selector(ready, timeout=LONG, state="attached")
    page.wait_for_selector(IDLE, timeout=LONG)
    return page


_STILL = """el => new Promise(resolve => {
    let last = '', same = 0;
    const tick = () => {
        const r = el.getBoundingClientRect();
        const now = [r.x, r.y, r.width, r.height].join();
        same = now === last ? same + 1 : 0;
        last = now;
        if (same >= 5) resolve(true); else requestAnimationFrame(tick);
    };
    tick();
})"""


def wait_until_still(locator) -> None:
    """Until the element has kept its place and size for five animation frames (an expander's
    opening animation moves what is inside it: a click during it may land beside its target)."""
    locator.evaluate(_STILL)


_NAVIGATE = """url => {
    window.__dgRan = false;
    const seen = new MutationObserver(() => { window.__dgRan = true; seen.disconnect(); });
    seen.observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
    history.pushState({}, '', url);
    window.dispatchEvent(new PopStateEvent('popstate'));
}"""
_RAN = ("() => window.__dgRan === true && "
        "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


def visit(page, url: str) -> None:
    """Move a signed-in page to ``url`` within its Streamlit session, as the browser's back and
    forward buttons do: Streamlit runs the page the path names with the URL's query parameters.
    Returns when that run has finished (a run that started after the call, not the last one).
    A navigation no run answered within 15 s (a message lost while the connection was busy) is
    made again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + LONG / 1000
    page.evaluate(_NAVIGATE, url)
    while True:
        try:
            page.wait_for_function(_RAN, timeout=15_000)
            return
        except PlaywrightTimeout:
            state = page.evaluate("() => [window.__dgRan, location.href, "
                                  "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState]")
            if time.monotonic() > deadline:
                raise AssertionError(f"no finished run of {url} (ran, location, script state: {state})") from None
            if not state[0]:  # no run started: ask again (and say so in the warnings summary)
                warnings.warn(f"visit({url!r}): no run started within 15 s, navigating again", stacklevel=2)
                page.evaluate(_NAVIGATE, url)


@pytest.fixture(scope="session")
def _signed_in_pages() -> dict:
    return _CHROMIUM.pages  # emptied when chromium stops


@pytest.fixture
def signed_in(request, context, _signed_in_pages):
    """``signed_in(user="leader", url=…, size=DESKTOP)``: a page signed in as ``user`` (kept for
    the session, one per server, user and screen size) that has just run ``url``. The first call signs in
    with ``url`` as the deep link; later calls move the page there (``visit``)."""
    used = []

    def get(user: str = "leader", url: str = "", size=DESKTOP, **kwargs):
        key = (urlsplit(url).netloc, user, tuple(size))  # a server, a user, a screen
        page = _signed_in_pages.get(key)
        if page is not None and page.is_closed():
            page = None
        if page is None:
            page = open_page(context, url, size=size, user=user, **kwargs)
            _signed_in_pages[key] = page
        else:
            page.bring_to_front()  # a page behind another gets no animation frames: screenshots would wait
            visit(page, url)
        used.append(key)
        return page

    yield get
    report = getattr(request.node, "_report_call", None)
    if report is None or not report.passed:  # failed (or its setup did): the next test signs in afresh
        for key in used:
            page = _signed_in_pages.pop(key, None)
            if page is not None and not page.is_closed():
                page.close()


#: the names the test modules import
_login = login
_open = open_page
