"""Sessions that survive a reload (``models.sessions``) and their HTTP endpoint
(``dashboard.ui.session_routes``, called as an ASGI app): a token is bound to its cookie once and soon,
the cookie is the token signed (altered, re-signed with another key or too old: refused), a session
ends on sign-out, idle time, expiry, a disabled account — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from models import accounts, sessions
from models.enums import Role

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
KEY = "k" * 40


@pytest.fixture
def made(any_engine):
    from models.db import upgrade

    upgrade(any_engine)
    with Session(any_engine) as s:
        user = accounts.create_user(s, username="wang", password="Correct-horse-9", role=Role.LEADER, actor="test")
        s.commit()
        return any_engine, user.id


def test_a_bound_session_resumes_until_sign_out(made):
    engine, uid = made
    sid, token = sessions.start(engine, uid, hours=12, now=T0)
    assert sessions.resume(engine, token, 30, now=T0) is None  # never given to a browser: no cookie yet
    assert sessions.bind(engine, token, now=T0 + dt.timedelta(seconds=5))
    assert not sessions.bind(engine, token, now=T0 + dt.timedelta(seconds=6))  # once
    got = sessions.resume(engine, token, 30, now=T0 + dt.timedelta(minutes=10))
    assert got == sessions.Resumed(sid, uid)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM web_session")).scalar_one()
    assert token not in stored and len(stored) == 64  # only the hash is kept
    assert sessions.revoke(engine, session_id=sid, why="logout", now=T0 + dt.timedelta(minutes=11)) == 1
    assert sessions.resume(engine, token, 30, now=T0 + dt.timedelta(minutes=12)) is None
    assert not sessions.seen(engine, sid, now=T0 + dt.timedelta(minutes=12))  # another tab learns it ended


def test_binding_is_only_soon_after_the_sign_in(made):
    engine, uid = made
    _, token = sessions.start(engine, uid, hours=12, now=T0)
    assert not sessions.bind(engine, token, now=T0 + dt.timedelta(seconds=sessions.BIND_SECONDS + 1))
    assert not sessions.bind(engine, "not-a-token-of-any-session-at-all", now=T0)


def test_idle_expired_and_disabled_sessions_do_not_resume(made):
    engine, uid = made
    _, idle = sessions.start(engine, uid, hours=12, now=T0)
    sessions.bind(engine, idle, now=T0)
    assert sessions.resume(engine, idle, 30, now=T0 + dt.timedelta(minutes=29)) is not None
    assert sessions.resume(engine, idle, 30, now=T0 + dt.timedelta(minutes=60)) is None  # 31 min since last seen
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT revoked_why FROM web_session WHERE revoked_at IS NOT NULL")).scalar() == "idle"
    _, short = sessions.start(engine, uid, hours=1, now=T0)
    sessions.bind(engine, short, now=T0)
    for minutes in (25, 50):  # active all along, but the sign-in lasts an hour
        assert sessions.resume(engine, short, 30, now=T0 + dt.timedelta(minutes=minutes)) is not None
    assert sessions.resume(engine, short, 30, now=T0 + dt.timedelta(minutes=61)) is None
    _, other = sessions.start(engine, uid, hours=12, now=T0)
    sessions.bind(engine, other, now=T0)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE app_user SET disabled = :t"), {"t": True})
    assert sessions.resume(engine, other, 30, now=T0 + dt.timedelta(minutes=1)) is None
    assert sessions.revoke(engine, user_id=uid, why="admin") >= 1


def test_the_cookie_is_the_token_signed(made):
    engine, _ = made
    key = sessions.secret(engine)
    assert sessions.secret(engine) == key and len(key) == 64  # made once, kept in the database
    assert sessions.secret(engine, KEY) == KEY  # the setting wins
    value = sessions.cookie_value("tok-" * 8, key)
    payload, stamp, signature = value.rsplit(".", 2)  # itsdangerous: payload.timestamp.signature
    assert payload and stamp and len(signature) >= 20
    assert sessions.token_of(value, key, 3600) == "tok-" * 8
    assert sessions.token_of(value, KEY, 3600) is None  # signed with another key
    assert sessions.token_of(value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), key, 3600) is None  # altered
    assert sessions.token_of(value, key, -1) is None  # too old
    assert sessions.token_of(None, key, 3600) is None and sessions.token_of("x" * 500, key, 3600) is None


# --------------------------------------------------------------------------- the endpoint, as an ASGI app


def call(app, method: str, *, body: bytes = b"", headers: dict | None = None) -> tuple[int, dict[str, list[str]]]:
    sent: list[dict] = []
    raw = [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **(headers or {})}.items()]
    scope = {"type": "http", "method": method, "path": "/api/dangong/session", "raw_path": b"/api/dangong/session",
             "query_string": b"", "headers": raw, "scheme": "http", "server": ("testserver", 80),
             "client": ("127.0.0.1", 5000), "http_version": "1.1", "root_path": ""}
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    out: dict[str, list[str]] = {}
    for k, v in start["headers"]:
        out.setdefault(k.decode().lower(), []).append(v.decode())
    return start["status"], out


@pytest.fixture
def endpoint(made, monkeypatch):
    from models.settings import get_settings

    engine, uid = made
    monkeypatch.setenv("DANGONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("DANGONG_SECRET_KEY", KEY)
    get_settings.cache_clear()
    from dashboard.ui import session_routes

    session_routes._ENGINES.clear()
    route = session_routes.routes("")[0]
    yield engine, uid, route.app
    session_routes._ENGINES.clear()
    get_settings.cache_clear()


def test_the_endpoint_sets_an_httponly_cookie_once(endpoint):
    engine, uid, app = endpoint
    _, token = sessions.start(engine, uid, hours=12)
    body = json.dumps({"ticket": token}).encode()
    status, headers = call(app, "POST", body=body, headers={"origin": "http://testserver",
                                                           "content-type": "application/json"})
    assert status == 204
    cookie = headers["set-cookie"][0]
    assert cookie.startswith(f"{sessions.COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/" in cookie and "Max-Age=43200" in cookie and "Secure" not in cookie  # http: not Secure (auto)
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert sessions.token_of(value, KEY, 3600) == token
    assert call(app, "POST", body=body)[0] == 403  # the ticket is spent
    # the browser's later session resumes from the cookie
    assert sessions.resume(engine, token, 30) is not None
    # sign-out: the cookie cleared, the session revoked (also when the page did not revoke it)
    status, headers = call(app, "DELETE", headers={"cookie": f"{sessions.COOKIE}={value}"})
    assert status == 204 and 'dangong_session=""' in headers["set-cookie"][0] and "Max-Age=0" in headers["set-cookie"][0]
    assert sessions.resume(engine, token, 30) is None


@pytest.mark.parametrize("body, headers, status", [
    (b'{"ticket": "short"}', {}, 400),
    (b"not json", {}, 400),
    (b'{"ticket": 12345678901234567890123}', {}, 400),
    (b"x" * 2000, {}, 413),
    (b'{"ticket": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}', {}, 403),  # no such session
    (None, {"origin": "https://evil.example"}, 403),  # another site's page cannot bind a ticket
])
def test_the_endpoint_refuses_what_is_not_a_fresh_ticket_of_this_site(endpoint, body, headers, status):
    engine, uid, app = endpoint
    if body is None:
        _, token = sessions.start(engine, uid, hours=12)
        body = json.dumps({"ticket": token}).encode()
    got, answer = call(app, "POST", body=body, headers=headers)
    assert got == status and "set-cookie" not in answer
