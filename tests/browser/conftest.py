"""Fixtures of the browser tests: a real ``streamlit run`` on a free port with the demo district
as of today (one server and one copy of the database per test module, so a module may write to
it; the demo itself is written once per session), and Debian's chromium.

Skipped when chromium is missing, unless ``DANGONG_TEST_BROWSER=required`` (CI), where it fails.
``login`` and ``open_page`` are imported by the test modules (``from tests.browser.conftest import …``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.db import make_engine
from seed_data.demo import write_demo
from tests.factories import DEMO_SEED

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DANGONG_CHROMIUM", "/usr/bin/chromium")


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


@pytest.fixture(scope="session")
def _demo_today(migrated_template, tmp_path_factory):
    """The demo district as of today (the pages' default as-of date), written once per session."""
    import datetime as dt

    _require_browser()

    path = tmp_path_factory.mktemp("browser") / "demo-today.sqlite"
    engine = make_engine(migrated_template.copy(path))
    write_demo(engine, seed=DEMO_SEED, today=dt.date.today())
    engine.dispose()
    return type(migrated_template)(path)  # a SqliteTemplate: copy it


@pytest.fixture(scope="module")
def server(_demo_today, tmp_path_factory):
    _require_browser()
    url = _demo_today.copy(tmp_path_factory.mktemp("browser") / "demo.sqlite")
    port = _free_port()
    env = {**os.environ, "DANGONG_DATABASE_URL": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import urllib.request

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
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield b
        b.close()


def _login(page, username: str, password: str = "demo2002") -> None:
    page.wait_for_selector("input[type=password]", timeout=90_000)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def _open(browser, url, size=(1600, 1000), user="leader"):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url)
    _login(page, user)
    # "notRunning" is also the state before the first run starts: wait for content, then for the end
    page.wait_for_selector("[data-testid=stSidebar] [data-testid=stMultiSelect]", timeout=90_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
    return page


login = _login
open_page = _open
