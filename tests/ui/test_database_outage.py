"""PostgreSQL going away and coming back while the app runs (#21 item 6).

The shared PostgreSQL server is never stopped: the app talks to it through a small TCP proxy in
this process (127.0.0.1 only, threads, bounded), and "the server is down" is the proxy closing its
port and every connection through it — to the app exactly what a stopped server looks like
(connection refused, established connections cut). Reopening the port is the server coming back.

Promised: every page, the sign-in and a save say "数据库暂时不可用，请稍后重试" (in the UI's language)
instead of Streamlit's generic error, what was typed in a form is kept, nothing is half-written,
and the app works again as soon as the database is back — no restart.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
DOWN_ZH = "数据库暂时不可用，请稍后重试"
DOWN_EN = "database is unavailable"


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``stop()`` closes the port and cuts every open
    connection, ``start()`` opens the same port again. At most ``max_connections`` at a time."""

    def __init__(self, target: tuple[str, int], max_connections: int = 64):
        self.target = target
        self.max_connections = max_connections
        self.port = 0
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._spawn(self._accept, listener)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = [t for t in self._threads if t.is_alive()]
        assert not self._threads, "proxy threads did not stop"
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _spawn(self, fn, *args) -> None:
        thread = threading.Thread(target=fn, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                full = len(self._sockets) >= 2 * self.max_connections
            if full:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.settimeout(0.1)
            with self._lock:
                self._sockets |= {client, upstream}
            self._spawn(self._pipe, client, upstream)
            self._spawn(self._pipe, upstream, client)
        with self._lock:  # down: cut every connection
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._sockets.clear()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                chunk = src.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            try:
                dst.sendall(chunk)
            except OSError:
                break
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def outage(_postgres, _pg_demo_template, monkeypatch) -> Iterator[tuple[TcpProxy, sa.Engine]]:
    """A private copy of the demo district on the real server, the app pointed at it through the
    proxy; the engine returned talks to the server directly (to check what was written)."""
    from dashboard.ui import auth
    from models.settings import get_settings

    name = _postgres.create("dangong_outage", template=_pg_demo_template)
    direct = make_url(_postgres.url(name))
    proxy = TcpProxy((direct.host or "127.0.0.1", direct.port or 5432))
    proxy.start()
    monkeypatch.setenv("DANGONG_DATABASE_URL", direct.set(host="127.0.0.1", port=proxy.port)
                       .render_as_string(hide_password=False))
    get_settings.cache_clear()
    auth.ADDRESS_THROTTLE.clear()
    engine = sa.create_engine(direct)
    try:
        yield proxy, engine
    finally:
        proxy.stop()
        engine.dispose()
        auth.ADDRESS_THROTTLE.clear()
        _postgres.drop(name)


def _as(engine: sa.Engine, username: str, page: str | None = None, **params) -> AppTest:
    from dashboard.ui.auth import USER_KEY

    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = :u"), {"u": username}).scalar_one()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[USER_KEY] = uid
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def _clear_read_caches() -> None:
    """What the cache's time limit does after a while: the page has to ask the database again."""
    import streamlit as st

    st.cache_data.clear()


@pytest.mark.postgres
@pytest.mark.parametrize("lang, sentence", [("zh", DOWN_ZH), ("en", DOWN_EN)])
def test_a_page_says_the_database_is_unavailable_and_works_again_when_it_is_back(outage, lang, sentence):
    proxy, engine = outage
    at = _as(engine, "leader", lang=lang)
    assert at.metric and not at.error

    proxy.stop()
    _clear_read_caches()
    at.run()
    assert not at.exception, [e.value for e in at.exception]  # today: Streamlit's generic error
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and sentence in errors[0].lower(), errors
    assert not at.metric  # no figure from nowhere

    proxy.start()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.metric  # the same session, no restart


@pytest.mark.postgres
@pytest.mark.parametrize("cached", [False, True], ids=["cold", "cached"])
@pytest.mark.parametrize("page", ["app_pages/ledger.py", "app_pages/meetings.py", "app_pages/coverage_map.py",
                                  "app_pages/cases.py", "app_pages/present.py", "app_pages/admin.py"])
def test_every_page_says_it_rather_than_the_generic_error(outage, page, cached):
    """Cold: the page has to read the database and cannot. Cached: the page is drawn from what is
    cached (the user row cannot be re-read; the sentence says why nothing is fresh), and whatever
    it still has to read — the slides' sign-in check, the admin lists — says it too."""
    proxy, engine = outage
    at = _as(engine, "admin", page)
    proxy.stop()
    if not cached:
        _clear_read_caches()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(DOWN_ZH in e.value for e in at.error), [e.value for e in at.error]
    proxy.start()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]


@pytest.mark.postgres
def test_sign_in_during_the_outage_says_it_keeps_the_form_and_works_afterwards(outage):
    from dashboard.i18n import t
    from dashboard.ui.auth import USER_KEY

    proxy, _ = outage
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # the login page
    submit = lambda: next(b for b in at.button if b.label == t("auth.submit"))  # noqa: E731
    at.text_input(key="login_username").input("leader")
    at.text_input(key="login_password").input("demo2002")
    proxy.stop()
    submit().click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and DOWN_ZH in errors[0], errors
    assert USER_KEY not in at.session_state
    assert at.text_input(key="login_username").value == "leader"  # the form is kept
    proxy.start()
    submit().click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state[USER_KEY]


@pytest.mark.postgres
def test_a_save_during_the_outage_says_it_keeps_the_form_writes_nothing_and_saves_afterwards(outage):
    proxy, engine = outage
    at = _as(engine, "staff", "app_pages/meetings.py")
    with engine.connect() as conn:
        owner = conn.execute(sa.text("SELECT id FROM unit WHERE code = 'ZGH'")).scalar_one()
    at.text_area(key="mt_item_desc").input("组织现场观摩")
    at.selectbox(key="mt_item_owner").set_value(owner)
    items, events = _count(engine, "action_item"), _count(engine, "audit_event")

    proxy.stop()
    at.button(key="mt_item_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(e.startswith("未保存") and DOWN_ZH in e for e in errors), errors  # next to the form
    assert at.text_area(key="mt_item_desc").value == "组织现场观摩"  # the form is still there, filled in
    assert at.selectbox(key="mt_item_owner").value == owner
    assert (_count(engine, "action_item"), _count(engine, "audit_event")) == (items, events)

    proxy.start()
    at.button(key="mt_item_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已保存" in s.value for s in at.success)
    assert (_count(engine, "action_item"), _count(engine, "audit_event")) == (items + 1, events + 1)


@pytest.mark.postgres
def test_the_app_started_while_the_database_is_down_says_it_and_recovers(outage):
    proxy, _ = outage
    proxy.stop()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(DOWN_ZH in e.value for e in at.error), [e.value for e in at.error]
    proxy.start()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.text_input(key="login_username")  # the login page


def test_what_counts_as_an_outage_and_what_stays_an_error(tmp_path):
    """Only "cannot be used right now" becomes the sentence; a bug is still raised as itself."""
    import sqlite3

    import psycopg

    from models.db import DatabaseError, make_engine, outage_kind

    engine = make_engine(f"sqlite:///{tmp_path / 'kinds.sqlite'}")
    with pytest.raises(sa.exc.OperationalError) as bug:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT * FROM no_such_table")
    engine.dispose()
    assert outage_kind(bug.value) is None
    assert outage_kind(ValueError("not a database error")) is None

    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorcode = 5  # SQLITE_BUSY
    assert outage_kind(sa.exc.OperationalError("INSERT", {}, locked)) == "busy"
    cant_open = sqlite3.OperationalError("unable to open database file")
    cant_open.sqlite_errorcode = 14  # SQLITE_CANTOPEN
    assert outage_kind(sa.exc.OperationalError("SELECT", {}, cant_open)) == "unavailable"

    refused = psycopg.OperationalError("connection failed: Connection refused")  # no SQLSTATE
    assert outage_kind(sa.exc.OperationalError("connect", {}, refused)) == "unavailable"
    assert outage_kind(sa.exc.OperationalError("SELECT", {}, psycopg.errors.AdminShutdown())) == "unavailable"
    assert outage_kind(sa.exc.OperationalError("UPDATE", {}, psycopg.errors.LockNotAvailable())) == "busy"
    assert outage_kind(sa.exc.ProgrammingError("SELECT", {}, psycopg.errors.UndefinedTable())) is None
    assert outage_kind(sa.exc.TimeoutError("QueuePool limit reached")) == "busy"
    try:  # the schema check's one sentence, raised from the connection failure
        try:
            raise sa.exc.OperationalError("connect", {}, refused)
        except sa.exc.OperationalError as exc:
            raise DatabaseError("无法连接数据库") from exc
    except DatabaseError as wrapped:
        assert outage_kind(wrapped) == "unavailable"
    assert outage_kind(DatabaseError("数据库尚未初始化")) is None
