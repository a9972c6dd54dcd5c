"""Export links and framing in the real browser, against the server as ``make run`` starts it
(``streamlit run dashboard/ui/server.py``) (#21 item 7).

* A download is generated when its button is clicked and its ``/media/…`` address dies seconds
  after it was fetched: a client without the leader's session that got hold of the address (a
  proxy log, the browser's download list, a shared screen) gets nothing — not the workbook.
* Every response says the app may only be framed by itself (``X-Frame-Options`` and CSP
  ``frame-ancestors``): no other site can put the dashboard in an invisible frame.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import IDLE, LONG, _free_port, _require_browser, login

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
#: what ``make run`` serves
SCRIPT = ROOT / "dashboard" / "ui" / "server.py"


@pytest.fixture(scope="module")
def served(demo_template, tmp_path_factory):
    """This module's own server, started as ``make run`` starts it, on its own copy of the demo."""
    _require_browser()
    url = demo_template.copy(tmp_path_factory.mktemp("downloads") / "demo.sqlite")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(SCRIPT), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env={**os.environ, "DANGONG_DATABASE_URL": url}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + (proc.stdout.read() if proc.stdout else ""))
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP client: no cookies, no session, no browser."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def _is_workbook(body: bytes) -> bool:
    import openpyxl

    try:
        openpyxl.load_workbook(io.BytesIO(body), read_only=True).close()
        return True
    except Exception:  # noqa: BLE001 - anything that is not a workbook
        return False


def _download(page, button_name: str):
    """Click a download button; the bytes the browser saved and the address it fetched them from."""
    with page.expect_download(timeout=LONG) as info:
        page.get_by_role("button", name=button_name).click()
    download = info.value
    assert download.failure() is None, download.failure()
    return Path(download.path()).read_bytes(), download.url


def _dead_soon(url: str, seconds: float = 15) -> tuple[int, bytes]:
    """Poll the address from outside the session until it stops answering (or give up)."""
    deadline = time.monotonic() + seconds
    while True:
        status, _, body = _get(url)
        if status != 200 or time.monotonic() > deadline:
            return status, body
        time.sleep(0.5)


@pytest.fixture
def leader_page(browser, served):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    yield page
    ctx.close()


def test_every_response_forbids_framing_by_other_sites(served):
    for path in ("/", "/ledger", "/_stcore/health"):
        status, headers, _ = _get(served + path)
        assert status == 200, path
        assert headers.get("x-frame-options") == "SAMEORIGIN", (path, headers)
        assert "frame-ancestors 'self'" in headers.get("content-security-policy", ""), (path, headers)
        assert headers.get("x-content-type-options") == "nosniff", (path, headers)


def test_a_ledger_export_address_is_useless_without_the_session(served, browser, leader_page):
    page = leader_page
    page.goto(served + "/ledger")
    login(page, "leader")
    page.get_by_role("button", name="导出 Excel").wait_for(timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)

    body, url = _download(page, "导出 Excel")
    assert _is_workbook(body)  # the leader gets the workbook
    assert "/media/" in url
    # the leader is still signed in, the page still open — another client asks for the same address
    status, leaked = _dead_soon(url)
    assert status == 404 and not _is_workbook(leaked), status
    stranger = browser.new_context()  # a browser without the leader's cookies or session
    try:
        response = stranger.request.get(url)
        assert response.status == 404 and not _is_workbook(response.body())
    finally:
        stranger.close()

    again, url2 = _download(page, "导出 Excel")  # a second click makes a fresh file
    assert _is_workbook(again)
    assert _dead_soon(url2)[0] == 404


def test_the_same_file_twice_downloads_twice_and_then_dies(served, leader_page):
    """The action-item CSV has the same bytes on every click (the same address): the second click
    still gets the file, and the address dies after it all the same."""
    page = leader_page
    page.goto(served + "/meetings")
    login(page, "leader")
    page.get_by_role("tab", name="事项看板").wait_for(timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)
    page.get_by_role("tab", name="事项看板").click()
    page.get_by_role("button", name="导出 CSV").wait_for(timeout=LONG)

    first, url = _download(page, "导出 CSV")
    assert first.decode("utf-8-sig").count("\n") > 1
    assert _dead_soon(url)[0] == 404
    second, url2 = _download(page, "导出 CSV")
    assert second == first and url2 == url
    assert _dead_soon(url2)[0] == 404
