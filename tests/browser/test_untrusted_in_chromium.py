"""Untrusted text and the presentation's session in a real browser (issue #21, items 3 and 5).

What AppTest cannot show: how the browser renders the Markdown. Streamlit's Markdown turns bare
``http://…``, ``www.…`` and ``name@host`` into links even when backslash-escaped, so these tests
look at the page itself: no link to the crafted host, no image fetched from it, the text shown as
typed. And a running deck whose account is disabled stops at its next slide change.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from dashboard.i18n import t
from tests.browser.conftest import IDLE, LONG, ROOT, _free_port, _require_browser, login
from tests.ui.test_untrusted_text import TITLE, _save_hostile_texts

pytestmark = pytest.mark.browser
EVIL_LINKS = "a[href*='evil.example'], a[href*='127.0.0.1:9']"


@pytest.fixture(scope="module")
def hostile(demo_template, tmp_path_factory):
    """A server of this module's own (the shared one's data must not change under the other
    tests) on a demo district where staff saved text full of links (tests/ui/test_untrusted_text.py)."""
    _require_browser()
    url = demo_template.copy(tmp_path_factory.mktemp("browser") / "hostile.sqlite")
    _save_hostile_texts(url)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env={**os.environ, "DANGONG_DATABASE_URL": url}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + (proc.stdout.read() if proc.stdout else ""))
    yield base, url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _open(browser, url: str, user: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    login(page, user)
    page.wait_for_selector("[data-testid=stSidebar] [data-testid=stMultiSelect]", timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)
    time.sleep(1.0)
    return page, requests


def _fetched_from_outside(requests: list[str]) -> list[str]:
    """Requests to the crafted hosts (the page's own URL names them in its query: not those)."""
    return [u for u in requests if urllib.parse.urlsplit(u).netloc in ("evil.example", "www.evil.example", "127.0.0.1:9")]


def test_a_crafted_link_in_the_url_is_shown_as_text(hostile, browser):
    base, _ = hostile
    query = urllib.parse.urlencode({"town": "[点此重新登录](http://evil.example/login)",
                                    "asof": "![x](http://127.0.0.1:9/a.png)"})
    page, requests = _open(browser, f"{base}/?{query}", "leader")
    page.wait_for_selector("[data-testid=stAlert]", timeout=30_000)
    notices = page.locator("[data-testid=stAlert]").all_inner_texts()
    shown = " ".join(notices).replace("\u2060", "")
    assert "[点此重新登录](http://evil.example/login)" in shown, notices  # the reader sees the trick as text
    assert "![x](http://127.0.0.1:9/a.png)" in shown, notices
    assert page.locator(EVIL_LINKS).count() == 0
    assert page.locator("img[src*='127.0.0.1:9']").count() == 0
    assert _fetched_from_outside(requests) == []
    page.close()


def test_saved_text_with_links_is_shown_as_text(hostile, browser):
    """A leader reads the meeting staff saved: title, attendees, decisions, the overdue item, the
    user box and the district name — all text, nothing clickable, nothing fetched."""
    base, _ = hostile
    page, requests = _open(browser, f"{base}/meetings", "leader")
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes('会 http')",
                           timeout=60_000)
    main = page.inner_text("[data-testid=stMain]").replace("\u2060", "")
    assert TITLE in main  # the title as typed
    sidebar = page.inner_text("[data-testid=stSidebar]").replace("\u2060", "")
    assert "[区领导](http://evil.example/u)" in sidebar  # the display name, as text
    assert page.locator(EVIL_LINKS).count() == 0, page.locator(EVIL_LINKS).evaluate_all("els => els.map(e => e.outerHTML)")
    assert page.locator("img[src*='evil.example']").count() == 0
    assert page.locator("[data-testid=stMain] b").filter(has_text="粗").count() == 0  # no HTML either
    assert _fetched_from_outside(requests) == []
    page.close()


def test_a_running_deck_stops_when_its_account_is_disabled(hostile, browser):
    """``dangong users disable staff`` while staff's deck advances every 10 s: at the next change
    the deck is gone and the login page says why."""
    base, url = hostile
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{base}/present?slide=kpis&auto=10")
    login(page, "staff")
    page.wait_for_selector(".st-key-slide .dg-title", timeout=LONG)
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "users", "disable", "staff"], check=False, cwd=ROOT,  # = dangong
                          capture_output=True, text=True, timeout=120, env={**os.environ, "DANGONG_DATABASE_URL": url})
    assert done.returncode == 0, done.stdout + done.stderr
    page.wait_for_selector("input[type=password]", timeout=40_000)  # the login page, within one interval or two
    assert t("auth.disabled_session", "zh_CN") in page.inner_text("[data-testid=stMain]")
    # the slide goes (a loaded machine may show the old page's elements a moment longer)
    page.locator(".st-key-slide .dg-title").first.wait_for(state="detached", timeout=LONG)
    time.sleep(12)  # and it stays stopped: no slide comes back
    assert page.locator(".dg-title").count() == 0
    page.close()
