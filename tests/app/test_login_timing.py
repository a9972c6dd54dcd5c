"""The login form under attack (issue #21, item 1), through the app: an unknown and an existing
username get the same answers, lock included, in about the same time; failed sign-ins from one
client address are refused past the allowance, then allowed again when the window has passed.

Each test works on its own copy of the demo database (locking ``staff`` in the shared copy would
break the other page tests) and starts and ends with the process-wide address counter empty.
"""

from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.test_overview import APP


@pytest.fixture
def own_app(demo_template, tmp_path, monkeypatch):
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "login.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    monkeypatch.setenv("DANGONG_LOGIN_DELAY_SECONDS", "0.0001")
    get_settings.cache_clear()
    _clear_address_counts()
    yield url
    _clear_address_counts()
    get_settings.cache_clear()


def _clear_address_counts():
    from dashboard.ui import auth

    throttle = getattr(auth, "ADDRESS_THROTTLE", None)
    if throttle is not None:
        throttle.clear()


def _attempt(at: AppTest, username: str, password: str) -> tuple[str, float]:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    start = time.perf_counter()
    at.button[0].click().run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    return " ".join(e.value for e in at.error), elapsed


def test_unknown_and_existing_names_get_the_same_answers_in_the_same_time(own_app):
    from models import accounts

    attempts = accounts.MAX_FAILURES + 8  # eight timed answers after the lock: a median a busy worker cannot sway
    answers: dict[str, list[str]] = {}
    times: dict[str, list[float]] = {}
    for name in ("staff", "staff-nobody"):  # each from a fresh address count: the same delays
        _clear_address_counts()
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        answers[name], times[name] = [], []
        for i in range(attempts):
            text, elapsed = _attempt(at, name, f"wrong guess {i}")
            answers[name].append(text)
            times[name].append(elapsed)
    assert all(answers["staff"]) and "用户名或密码错误" in answers["staff"][0]
    assert answers["staff"] == answers["staff-nobody"]  # equal strings, lock included
    # staff is locked now (the database says so), yet its answer was the unknown name's
    engine = sa.create_engine(own_app)
    with engine.connect() as conn:
        locked = conn.execute(sa.text("SELECT locked_until FROM app_user WHERE username = 'staff'")).scalar()
    engine.dispose()
    assert locked is not None
    # the locked account's answers cost a hash check as well (medians, generous margin: a busy machine)
    tail = slice(accounts.MAX_FAILURES, attempts)
    known, unknown = statistics.median(times["staff"][tail]), statistics.median(times["staff-nobody"][tail])
    assert abs(known - unknown) <= 0.5 * max(known, unknown) + 0.05, (known, unknown)


def test_failed_sign_ins_from_one_address_are_throttled_then_allowed_again(own_app, monkeypatch):
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_LOGIN_ADDRESS_MAX_FAILURES", "3")
    monkeypatch.setenv("DANGONG_LOGIN_ADDRESS_WINDOW_MINUTES", "0.05")  # 3 s
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for name in ("alice", "bob", "carol"):  # password spraying: other names each time
        text, _ = _attempt(at, name, "Winter2026!")
        assert "用户名或密码错误" in text
    started = time.monotonic()
    text, _ = _attempt(at, "staff", "demo2002")  # even the right password is refused now
    assert not at.metric
    assert "此网络地址登录失败次数过多" in text
    engine = sa.create_engine(own_app)
    with engine.connect() as conn:
        last = conn.execute(sa.text("SELECT detail FROM audit_event WHERE action = 'login_failed' "
                                    "ORDER BY id DESC LIMIT 1")).scalar()
    engine.dispose()
    assert "address" in last
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
    _attempt(at, "staff", "demo2002")
    assert at.metric  # signed in once the window has passed
