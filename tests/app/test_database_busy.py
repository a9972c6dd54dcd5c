"""A SQLite file locked by another process (#21 item 6): the app waits a sensible time for the lock,
and when it is still held a save or a sign-in says "数据库繁忙，请稍后重试" in the UI's language — not
Streamlit's generic error — keeps what was typed in the form and writes nothing; once the lock is
gone the same click saves (no restart).

The lock is real: another process holds ``BEGIN EXCLUSIVE`` on the database file (in WAL mode the
pages can still read, only writers wait)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
BUSY_ZH = "数据库繁忙，请稍后重试"

#: holds the write lock until its stdin closes (or for argv[2] seconds), then lets go
_LOCKER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))
else:
    sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
"""


@contextmanager
def locked(path: Path, seconds: float | None = None) -> Iterator[subprocess.Popen]:
    """Another process holds the database's write lock inside the block (or for ``seconds``)."""
    args = [sys.executable, "-c", _LOCKER, str(path)] + ([str(seconds)] if seconds is not None else [])
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - never leave a locker behind
            proc.kill()
            proc.wait()


@pytest.fixture
def db(demo_template, tmp_path, monkeypatch) -> Iterator[tuple[Path, sa.Engine]]:
    """A private copy of the demo district, the app pointed at it; a short busy wait (the
    default is tested on its own below) so that a held lock fails a save in half a second."""
    import models.db
    from models.settings import get_settings

    monkeypatch.setattr(models.db, "SQLITE_BUSY_TIMEOUT", 0.5, raising=False)
    path = tmp_path / "busy.sqlite"
    url = demo_template.copy(path)
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    yield path, engine
    engine.dispose()


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def _meetings_as(engine: sa.Engine, username: str) -> AppTest:
    from dashboard.ui.auth import USER_KEY

    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = :u"), {"u": username}).scalar_one()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[USER_KEY] = uid
    at.run()
    at.switch_page("app_pages/meetings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_save_against_a_locked_file_says_busy_keeps_the_form_and_saves_once_the_lock_is_gone(db):
    path, engine = db
    at = _meetings_as(engine, "staff")
    with engine.connect() as conn:
        owner = conn.execute(sa.text("SELECT id FROM unit WHERE code = 'ZGH'")).scalar_one()
    at.text_area(key="mt_item_desc").input("组织现场观摩")
    at.selectbox(key="mt_item_owner").set_value(owner)
    items, events = _count(engine, "action_item"), _count(engine, "audit_event")

    with locked(path):
        at.button(key="mt_item_submit").click().run()
        assert not at.exception, [e.value for e in at.exception]  # today: OperationalError, "database is locked"
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and errors[0].startswith("未保存") and BUSY_ZH in errors[0], errors
        # the form is still there with what was typed (no rerun, no clear_on_submit)
        assert at.text_area(key="mt_item_desc").value == "组织现场观摩"
        assert at.selectbox(key="mt_item_owner").value == owner
    assert (_count(engine, "action_item"), _count(engine, "audit_event")) == (items, events)  # nothing half-written

    at.button(key="mt_item_submit").click().run()  # the same click, lock gone: saved, no restart
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已保存" in s.value for s in at.success)
    assert (_count(engine, "action_item"), _count(engine, "audit_event")) == (items + 1, events + 1)


def _submit(at: AppTest):
    from dashboard.i18n import t

    return next(b for b in at.button if b.label == t("auth.submit", "en"))


def test_sign_in_against_a_locked_file_says_busy_in_english_and_keeps_the_name(db):
    from dashboard.ui import auth

    path, _ = db
    auth.ADDRESS_THROTTLE.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.text_input(key="login_username").input("leader")
    at.text_input(key="login_password").input("demo2002")
    with locked(path):
        _submit(at).click().run()
        assert not at.exception, [e.value for e in at.exception]
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and "database is busy" in errors[0].lower(), errors
        assert auth.USER_KEY not in at.session_state
        assert at.text_input(key="login_username").value == "leader"
    _submit(at).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state[auth.USER_KEY]  # signed in once the lock is gone
    auth.ADDRESS_THROTTLE.clear()


@pytest.mark.postgres
def test_a_save_waiting_for_a_postgres_lock_says_busy_and_keeps_the_form(_postgres, _pg_demo_template, monkeypatch):
    """The same on PostgreSQL: another transaction holds a lock the save needs (a restore, a long
    import); the save waits ``PG_LOCK_TIMEOUT`` (10 s; 1 s here), then says busy."""
    import models.db
    from models.settings import get_settings

    monkeypatch.setattr(models.db, "PG_LOCK_TIMEOUT", 1.0, raising=False)
    name = _postgres.create("dangong_busy", template=_pg_demo_template)
    url = _postgres.url(name)
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    try:
        at = _meetings_as(engine, "staff")
        with engine.connect() as conn:
            owner = conn.execute(sa.text("SELECT id FROM unit WHERE code = 'ZGH'")).scalar_one()
        at.text_area(key="mt_item_desc").input("组织现场观摩")
        at.selectbox(key="mt_item_owner").set_value(owner)
        items = _count(engine, "action_item")
        with engine.connect() as holder:
            holder.execute(sa.text("LOCK TABLE action_item IN EXCLUSIVE MODE"))  # reads go on, writes wait
            started = time.monotonic()
            at.button(key="mt_item_submit").click().run()
            assert time.monotonic() - started < 30  # today: waits for the lock for ever
            assert not at.exception, [e.value for e in at.exception]
            errors = [e.value for e in at.error]
            assert len(errors) == 1 and errors[0].startswith("未保存") and BUSY_ZH in errors[0], errors
            assert at.text_area(key="mt_item_desc").value == "组织现场观摩"
            holder.rollback()
        assert _count(engine, "action_item") == items
        at.button(key="mt_item_submit").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert _count(engine, "action_item") == items + 1
    finally:
        engine.dispose()
        _postgres.drop(name)


def test_sqlite_waits_ten_seconds_for_a_lock_before_giving_up(tmp_path):
    """Python's default is 5 s (a save failed after ~5 s); the engine asks SQLite to retry for 10."""
    import models.db
    from models.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'wait.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    engine.dispose()
    assert models.db.SQLITE_BUSY_TIMEOUT == 10.0


def test_a_lock_released_within_the_wait_does_not_fail_the_write(tmp_path):
    from models.db import make_engine

    path = tmp_path / "brief.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with locked(path, seconds=1.0):
        started = time.monotonic()
        with engine.begin() as conn:  # waits for the other process, then writes
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        waited = time.monotonic() - started
    assert waited >= 0.5
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    engine.dispose()
