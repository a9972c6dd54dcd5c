"""Two app servers behind nginx on one PostgreSQL database (issue 19 item 3), with deploy/nginx/dangong.conf.

Two real ``streamlit run dashboard/ui/server.py`` processes on one PostgreSQL database (the demo district),
nginx in front of them with the project's config (only its ports replaced), chromium through the proxy:

* every request of one browser — the page, the websocket, the session-cookie request — reaches one
  process (the ``dangong_route`` cookie), and two browsers with other routes reach the other process;
* a leader signed in through each process sees the same figures;
* an item marked done by staff through one process shows in the other's figures within that process's
  cache lifetime (``DANGONG_CACHE_TTL_SECONDS``, short here).

Needs nginx and chromium: skipped without them, unless ``DANGONG_TEST_NGINX=required`` /
``DANGONG_TEST_BROWSER=required`` (CI, ``.ci/run``), where a missing one fails. Needs PostgreSQL
(``DANGONG_TEST_POSTGRES_URL``, as the other PostgreSQL tests).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import IDLE, _free_port, _require_browser, login, streamlit_server, visit, wait_until_still
from tests.factories import DEMO_TODAY

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "dangong.conf"
SERVER = ROOT / "dashboard" / "ui" / "server.py"
TTL = 4  # seconds a cached read lives in each server here (600 by default)
LONG = 90_000


def _nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()),
                                          None)
    if found:
        return found
    if os.environ.get("DANGONG_TEST_NGINX") == "required":
        pytest.fail("nginx not found but DANGONG_TEST_NGINX=required")
    pytest.skip("nginx not installed (apt-get install nginx); CI installs it (.ci/run)")


def site_config(proxy_port: int, upstream_ports: list[int]) -> str:
    """deploy/nginx/dangong.conf with its listen port and upstream servers replaced — nothing else."""
    text = CONF.read_text(encoding="utf-8")
    assert text.count("listen 80;") == 1 and len(re.findall(r"server 127\.0\.0\.1:850\d;", text)) == 2
    text = text.replace("listen 80;", f"listen 127.0.0.1:{proxy_port};")
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstream_ports)
    return re.sub(r"(    server 127\.0\.0\.1:850\d;\n)+", servers + "\n", text)


@contextmanager
def nginx(site: str, workdir: Path):
    """nginx in the foreground with ``site`` in its http block; the access log names each request's upstream."""
    binary = _nginx()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    (workdir / "dangong.conf").write_text(site, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (workdir / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
        "events { worker_connections 512; }\nhttp {\n"
        "    log_format route '$cookie_dangong_route $upstream_addr \"$request\" $status';\n"
        f"    access_log {workdir}/access.log route;\n"
        + "".join(f"    {kind}_temp_path {workdir}/{sub};\n" for kind, sub in
                  (("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"),
                   ("scgi", "scgi")))
        + f"    include {workdir}/dangong.conf;\n}}\n", encoding="utf-8")
    args = [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([*args, "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield workdir / "access.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _log(path: Path) -> list[tuple[str, str, str]]:
    """(route cookie, upstream, request line) of every request so far."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r'(\S+) (\S+) "([^"]*)"', line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def _routes(base: str, log: Path, ports: list[int]) -> dict[int, str]:
    """A route cookie value that nginx sends to each upstream port (found by asking)."""
    found: dict[int, str] = {}
    for k in range(200):
        key = f"route{k}"
        req = urllib.request.Request(f"{base}/_stcore/health", headers={"Cookie": f"dangong_route={key}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
        time.sleep(0.05)
        upstream = [u for c, u, _ in _log(log) if c == key][-1]
        found.setdefault(int(upstream.rsplit(":", 1)[1]), key)
        if len(found) == len(ports):
            return found
    raise AssertionError(f"nginx sent every route to {found}: no stickiness spread over {ports}")


def _metrics(page) -> dict[str, str]:
    page.wait_for_selector("[data-testid=stMetric]", timeout=LONG)
    cards = page.locator("[data-testid=stMetric]")
    return {cards.nth(i).locator("[data-testid=stMetricLabel]").inner_text().strip():
            cards.nth(i).locator("[data-testid=stMetricValue]").inner_text().strip() for i in range(cards.count())}


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _open(context, url: str, user: str):
    page = context.new_page()
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(url)
    login(page, user)
    page.wait_for_selector("[data-testid=stSidebar] [data-testid=stMultiSelect]", timeout=LONG, state="attached")
    page.wait_for_selector(IDLE, timeout=LONG)
    return page


@pytest.fixture
def demo_pg(pg_url):
    env = {**os.environ, "DANGONG_DATABASE_URL": pg_url}
    dangong = str(Path(sys.executable).parent / "dangong")
    for args in (["db", "upgrade"], ["seed", "demo", "--today", DEMO_TODAY.isoformat()]):
        done = subprocess.run([dangong, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return pg_url


def test_two_servers_behind_nginx_serve_the_same_figures_and_an_edit_reaches_the_other(demo_pg, tmp_path, monkeypatch):
    _nginx()
    _require_browser()
    monkeypatch.setenv("DANGONG_CACHE_TTL_SECONDS", str(TTL))
    from playwright.sync_api import sync_playwright

    with streamlit_server(demo_pg, SERVER) as a, streamlit_server(demo_pg, SERVER) as b:
        ports = [int(a.rsplit(":", 1)[1]), int(b.rsplit(":", 1)[1])]
        proxy_port = _free_port()
        base = f"http://127.0.0.1:{proxy_port}"
        with nginx(site_config(proxy_port, ports), tmp_path / "nginx") as log:
            deadline = time.monotonic() + 30
            while True:  # nginx answers once it has started
                try:
                    urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, (tmp_path / "nginx" / "error.log").read_text()
                    time.sleep(0.2)
            route = _routes(base, log, ports)

            # a browser without the cookie gets one from nginx, and keeps it
            first = urllib.request.urlopen(f"{base}/_stcore/health", timeout=10)
            assert any(re.match(r"dangong_route=[^;]+; Path=/; HttpOnly", c) for c in first.headers.get_all("Set-Cookie"))

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=os.environ.get("DANGONG_CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
                try:
                    contexts = {}
                    for port in ports:
                        context = browser.new_context()
                        context.add_cookies([{"name": "dangong_route", "value": route[port], "url": base}])
                        contexts[port] = context
                    # a leader through each server: the same figures (overview, then the meetings page)
                    leader = {p: _open(contexts[p], base + "/", "leader") for p in ports}
                    overview = {p: _metrics(leader[p]) for p in ports}
                    assert overview[ports[0]] == overview[ports[1]] and len(overview[ports[0]]) >= 4
                    for p in ports:
                        visit(leader[p], base + "/meetings")
                    before = {p: _metrics(leader[p]) for p in ports}
                    assert before[ports[0]] == before[ports[1]]
                    overdue, done = _number(before[ports[1]]["逾期事项"]), _number(before[ports[1]]["已完成事项"])
                    assert overdue > 0

                    # staff mark the most overdue item done through the first server
                    # (a context of its own: the leader's context has the leader's session cookie)
                    staff_context = browser.new_context()
                    staff_context.add_cookies([{"name": "dangong_route", "value": route[ports[0]], "url": base}])
                    staff = _open(staff_context, base + "/meetings", "staff")
                    staff.get_by_role("tab", name="事项看板").click()
                    form = staff.locator("[data-testid=stExpander]", has_text="更新事项状态")
                    form.wait_for(timeout=LONG)
                    form.get_by_text("更新事项状态").click()
                    form.get_by_role("button", name="保存").wait_for(state="visible", timeout=LONG)
                    wait_until_still(form)
                    assert "已完成" in form.locator("[data-testid=stSelectbox] input").nth(1).input_value()
                    form.get_by_role("button", name="保存").click()
                    staff.get_by_text("已保存").first.wait_for(timeout=LONG)
                    saved_at = time.monotonic()
                    staff.wait_for_selector(IDLE, timeout=LONG)
                    assert _number(_metrics(staff)["逾期事项"]) == overdue - 1  # its own server: at once

                    # the second server shows it once its cached reads have expired
                    while True:
                        visit(leader[ports[1]], base + "/meetings")
                        now = _metrics(leader[ports[1]])
                        if _number(now["逾期事项"]) == overdue - 1:
                            break
                        assert time.monotonic() - saved_at < TTL + 30, f"still {now} after {TTL + 30} s"
                        time.sleep(1)
                    assert _number(now["已完成事项"]) == done + 1
                    assert time.monotonic() - saved_at < TTL + 30
                    for page in (*leader.values(), staff):
                        assert page.locator("[data-testid=stException]").count() == 0
                finally:
                    browser.close()

            # sticky: every request of each browser went to its own server (the page, its websocket, the
            # session-cookie request), and each server had one
            seen: dict[str, set[str]] = {}
            for cookie, upstream, request in _log(log):
                if cookie in route.values():
                    seen.setdefault(cookie, set()).add(upstream)
            for port, key in route.items():
                assert seen[key] == {f"127.0.0.1:{port}"}, seen
            lines = [req for cookie, _, req in _log(log) if cookie in route.values()]
            assert any("/_stcore/stream" in r for r in lines) and any(r.startswith("POST ") for r in lines)
