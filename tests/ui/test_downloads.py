"""Downloads that die and headers that forbid framing, without a browser (#21 item 7; the browser
test is tests/browser/test_downloads_need_session.py).

* ``dashboard.ui.serving`` against the installed Streamlit: its media file manager still has what
  ``forget_download`` uses, and Streamlit's own ``/media`` route behind the middlewares answers a
  generated download once, then 404 after the grace — with the headers.
* Every download button of the pages hands Streamlit a callable (a file made on click), never the
  bytes: bytes would be kept and served at ``/media/…`` for as long as a page shows the button.
* Every download button says ``on_click="ignore"``: a click that also reran the script could lose
  the file (see the test).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.ui.serving import DOWNLOAD_GRACE_SECONDS, SecurityHeaders, ShortLivedDownloads, forget_download

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _manager():
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    storage = MemoryMediaFileStorage("/media")
    return MediaFileManager(storage), storage


def _generated(mgr, data: bytes = b"PK workbook", name: str = "ledger.xlsx") -> str:
    """A download made on click, as Streamlit makes it: the address the browser is sent to."""
    placeholder = mgr.add_deferred(lambda: data, "application/octet-stream", "1.(2).3", file_name=name)
    return mgr.execute_deferred(placeholder)



def _run_in_own_loop(coro):
    """``asyncio.run`` in a thread of its own: a worker that ran the Playwright tests first still has
    their event loop running in its main thread, where ``asyncio.run`` is refused."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)

def test_a_generated_download_is_forgotten_and_a_shown_one_is_not():
    mgr, storage = _manager()
    url = _generated(mgr)
    file_id = url.rsplit("/", 1)[1].split(".")[0]
    assert storage.get_file(url.rsplit("/", 1)[1]).content == b"PK workbook"
    assert forget_download(file_id, mgr) is True
    from streamlit.runtime.media_file_storage import MediaFileStorageError

    with pytest.raises(MediaFileStorageError):
        storage.get_file(url.rsplit("/", 1)[1])
    assert forget_download(file_id, mgr) is False  # already gone

    shown = mgr.add(b"bytes a page shows", "text/csv", "1.(4).5", file_name="a.csv", is_for_static_download=True)
    shown_id = shown.rsplit("/", 1)[1].split(".")[0]
    assert forget_download(shown_id, mgr) is False  # Streamlit's bookkeeping keeps it while shown
    assert storage.get_file(shown.rsplit("/", 1)[1]).content == b"bytes a page shows"


async def _call(app, method: str, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """One HTTP request to an ASGI app (no HTTP client library needed)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": [],
             "client": ("203.0.113.9", 40000), "server": ("127.0.0.1", 8501)}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.lower(): v for k, v in start.get("headers", [])}, body


def test_streamlits_media_route_behind_the_middlewares_serves_a_download_briefly():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from streamlit.web.server.starlette.starlette_routes import create_media_routes

    mgr, storage = _manager()
    grace = 0.3
    app = Starlette(routes=create_media_routes(storage, None),
                    middleware=[Middleware(SecurityHeaders),
                                Middleware(ShortLivedDownloads, grace_seconds=grace, manager=lambda: mgr)])
    path = _generated(mgr, b"PK the whole workbook")

    async def scenario():
        first = await _call(app, "GET", path)  # the browser's check and its download, at once
        second = await _call(app, "GET", path)
        await asyncio.sleep(grace + 0.3)
        later = await _call(app, "GET", path)  # anyone else, afterwards
        return first, second, later

    (s1, h1, b1), (s2, _, b2), (s3, h3, b3) = _run_in_own_loop(scenario())
    assert (s1, b1) == (200, b"PK the whole workbook") and (s2, b2) == (200, b1)
    assert h1[b"cache-control"] == b"no-store" and h1[b"content-disposition"].startswith(b"attachment")
    assert h1[b"x-frame-options"] == b"SAMEORIGIN" and b"frame-ancestors 'self'" in h1[b"content-security-policy"]
    assert s3 == 404 and b"PK" not in b3
    assert h3[b"x-frame-options"] == b"SAMEORIGIN"  # an error answer carries them too


def test_the_grace_is_seconds_not_minutes():
    assert DOWNLOAD_GRACE_SECONDS in range(1, 11)


def test_every_download_button_of_the_pages_sends_a_file_made_on_click(demo_template, tmp_path, monkeypatch):
    from streamlit.elements.widgets import button
    from streamlit.testing.v1 import AppTest

    from dashboard.ui.auth import USER_KEY
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "downloads.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    seen: list[tuple[str | None, bool]] = []
    real = button.marshall_file

    def spy(coordinates, data, proto, mimetype, file_name=None, **kwargs):
        seen.append((file_name, callable(data)))
        return real(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(button, "marshall_file", spy)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = 'admin'")).scalar_one()
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[USER_KEY] = uid
    at.query_params["asof"] = "2002-12-31"
    at.run()
    for page in ("ledger", "meetings", "admin", "present"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
    names = {name for name, _ in seen}
    assert {"audit_events.csv"} <= names and any(n and n.endswith(".xlsx") for n in names), names  # the control
    assert [name for name, deferred in seen if not deferred] == []


def test_every_download_button_leaves_the_script_alone_when_clicked():
    """Streamlit 1.67 empties the session's outgoing queue when a run starts, and the answer to a
    made-on-click download travels in that queue: a click that also reran the script (the default
    ``on_click="rerun"``) could lose the answer when the run started first, and the button then spun
    for ever (seen in CI under load). None of the pages needs a run after a download: every button
    says ``on_click="ignore"``."""
    import ast

    root = Path(APP).parent
    calls, missing = 0, []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "download_button":
                calls += 1
                kw = {k.arg: k.value for k in node.keywords}
                if not (isinstance(kw.get("on_click"), ast.Constant) and kw["on_click"].value == "ignore"):
                    missing.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert calls >= 15, calls  # the control: the walk finds the pages' buttons
    assert missing == []


def test_the_launcher_serves_the_app_with_both_middlewares_and_says_an_outage(tmp_path):
    """``dashboard/ui/server.py`` as ``streamlit run`` imports it (in a process of its own: making an
    ``st.App`` sets process-wide Streamlit options)."""
    import json
    import subprocess
    import sys

    probe = r"""
import json, sys
sys.path.insert(0, sys.argv[1] + "/dashboard/ui")   # what `streamlit run dashboard/ui/server.py` does
import server
import sqlalchemy as sa, psycopg
refused = sa.exc.OperationalError("connect", {}, psycopg.OperationalError("Connection refused"))
print(json.dumps({
    "script": str(server.app.script_path),
    "middleware": [m.cls.__name__ for m in server.app._user_middleware],
    "outage": server._database_outage(refused),
    "bug": server._database_outage(ValueError("a bug")),
}))
"""
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True, text=True, timeout=60,
                         cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["script"] == str(root / "dashboard" / "app.py")
    assert got["middleware"] == ["SecurityHeaders", "ShortLivedDownloads"]
    assert got["outage"] is True and got["bug"] is None
