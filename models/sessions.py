"""Sessions that survive a reload (issue 17 item 3), without Streamlit.

A sign-in makes a ``web_session`` row: a random token (``secrets.token_urlsafe``), of which the
table keeps only the SHA-256. The browser gets the token once, signed with itsdangerous
(:func:`cookie_value`: a timestamped HMAC signature with the server's key, :func:`secret`), in an
HttpOnly, SameSite=Strict cookie set by an HTTP endpoint (``dashboard.ui.session_routes``) — the
token alone cannot make a cookie, the signature alone names no session. A new Streamlit session
(F5, a new tab, a shared link) reads the cookie, checks the signature and its age, and
:func:`resume` finds the row: not revoked, not expired, not idle longer than the idle timeout, the
account not disabled. Sign-out, the idle timeout, a disabled account, a changed password revoke the
row, so the cookie is dead at once whatever the browser keeps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets as _secrets
from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.engine import Engine

from models.audit import utcnow
from models.tables import DatasetInfo, User, WebSession

WS = WebSession.__table__
COOKIE = "dangong_session"
SECRET_KEY = "session_secret"  # dataset_info key of the key made on first use
_SALT = "dangong.session.v1"
#: a browser must fetch its cookie this soon after the sign-in (the one-time binding)
BIND_SECONDS = 120
#: the last-seen time is written at most this often (not on every rerun)
SEEN_EVERY = dt.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


token_hash = _hash  # what every table of tokens keeps (web_session, kiosk_link)


def secret(engine: Engine, configured: str | None = None) -> str:
    """The cookie-signing key: the setting when there is one, else the database's own (made at random
    the first time and kept in ``dataset_info``, shared by every server of the database)."""
    if configured:
        return configured
    D = DatasetInfo.__table__
    with engine.begin() as conn:
        value = conn.execute(sa.select(D.c.value).where(D.c.key == SECRET_KEY)).scalar()
        if value:
            return value
        made = _secrets.token_hex(32)
        try:
            with conn.begin_nested():
                conn.execute(D.insert().values(key=SECRET_KEY, value=made))
        except sa.exc.IntegrityError:  # another process made it first: theirs
            return conn.execute(sa.select(D.c.value).where(D.c.key == SECRET_KEY)).scalar_one()
        return made


def cookie_value(token: str, key: str) -> str:
    return URLSafeTimedSerializer(key, salt=_SALT).dumps(token)


def token_of(value: str | None, key: str, max_age_seconds: int) -> str | None:
    """The token in a cookie, or None when the cookie is missing, altered, signed with another key or
    older than ``max_age_seconds``."""
    if not value or len(value) > 400:
        return None
    try:
        token = URLSafeTimedSerializer(key, salt=_SALT).loads(value, max_age=max_age_seconds)
    except (BadSignature, SignatureExpired):
        return None
    return token if isinstance(token, str) else None


def start(engine: Engine, user_id: int, hours: int, now: dt.datetime | None = None) -> tuple[int, str]:
    """A new session of ``user_id`` for at most ``hours``: (its id, its token — given to the browser once)."""
    now = now or utcnow()
    token = _secrets.token_urlsafe(32)
    with engine.begin() as conn:
        session_id = conn.execute(WS.insert().values(
            token_hash=_hash(token), user_id=int(user_id), created_at=now, last_seen_at=now,
            expires_at=now + dt.timedelta(hours=hours)).returning(WS.c.id)).scalar_one()
    return int(session_id), token


def bind(engine: Engine, token: str, now: dt.datetime | None = None) -> bool:
    """The browser fetches its cookie: once per session, within :data:`BIND_SECONDS` of the sign-in."""
    now = now or utcnow()
    with engine.begin() as conn:
        done = conn.execute(WS.update().where(
            WS.c.token_hash == _hash(token), WS.c.bound_at.is_(None), WS.c.revoked_at.is_(None),
            WS.c.created_at >= now - dt.timedelta(seconds=BIND_SECONDS), WS.c.expires_at > now)
            .values(bound_at=now))
        return done.rowcount == 1


@dataclass(frozen=True)
class Resumed:
    session_id: int
    user_id: int


def resume(engine: Engine, token: str, idle_minutes: int, now: dt.datetime | None = None) -> Resumed | None:
    """The session of a cookie's token, when it may go on: bound, not revoked, not expired, seen
    within the idle timeout, its account enabled. A session past its idle time is revoked here."""
    now = now or utcnow()
    U = User.__table__
    with engine.begin() as conn:
        row = conn.execute(sa.select(WS.c.id, WS.c.user_id, WS.c.last_seen_at, WS.c.expires_at, WS.c.bound_at,
                                     WS.c.revoked_at, U.c.disabled)
                           .select_from(WS.join(U, U.c.id == WS.c.user_id))
                           .where(WS.c.token_hash == _hash(token))).first()
        if row is None or row.revoked_at is not None or row.bound_at is None:
            return None
        if _aware(row.expires_at) <= now or row.disabled:
            return None
        if now - _aware(row.last_seen_at) > dt.timedelta(minutes=idle_minutes):
            conn.execute(WS.update().where(WS.c.id == row.id).values(revoked_at=now, revoked_why="idle"))
            return None
        conn.execute(WS.update().where(WS.c.id == row.id).values(last_seen_at=now))
        return Resumed(int(row.id), int(row.user_id))


def seen(engine: Engine, session_id: int, now: dt.datetime | None = None) -> bool:
    """Activity in a signed-in session; False when the session is no longer valid (revoked elsewhere:
    sign-out in another tab, an admin) — the page then ends it too."""
    now = now or utcnow()
    with engine.begin() as conn:
        done = conn.execute(WS.update().where(WS.c.id == int(session_id), WS.c.revoked_at.is_(None),
                                              WS.c.expires_at > now).values(last_seen_at=now))
        return done.rowcount == 1


def revoke(engine: Engine, *, session_id: int | None = None, token: str | None = None, user_id: int | None = None,
           why: str, now: dt.datetime | None = None) -> int:
    """End a session (by id or token) or every session of an account; returns how many ended."""
    now = now or utcnow()
    cond = [WS.c.revoked_at.is_(None)]
    if session_id is not None:
        cond.append(WS.c.id == int(session_id))
    elif token is not None:
        cond.append(WS.c.token_hash == _hash(token))
    elif user_id is not None:
        cond.append(WS.c.user_id == int(user_id))
    else:
        raise ValueError("revoke what?")
    with engine.begin() as conn:
        return conn.execute(WS.update().where(*cond).values(revoked_at=now, revoked_why=why[:40])).rowcount


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


# --------------------------------------------------------------------------- kiosk links (#17 item 2)


@dataclass(frozen=True)
class KioskGrant:
    """What a kiosk link opens: the big screen, read-only, for these townships (None: the district)."""

    link_id: int
    label: str
    township_ids: frozenset[int] | None


def use_kiosk(engine: Engine, token: str | None, now: dt.datetime | None = None) -> KioskGrant | None:
    """The grant of a kiosk link's token when the link is neither revoked nor expired (checked on every
    run of the screen: a revocation takes effect at once); notes when it was last used (at most once
    a minute)."""
    import json

    from models.tables import KioskLink

    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = now or utcnow()
    KL = KioskLink.__table__
    with engine.begin() as conn:
        row = conn.execute(sa.select(KL.c.id, KL.c.label, KL.c.township_ids, KL.c.expires_at, KL.c.revoked_at,
                                     KL.c.last_used_at).where(KL.c.token_hash == _hash(token))).first()
        if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
            return None
        if row.last_used_at is None or now - _aware(row.last_used_at) > SEEN_EVERY:
            conn.execute(KL.update().where(KL.c.id == row.id).values(last_used_at=now))
    ids = json.loads(row.township_ids) if row.township_ids else None
    return KioskGrant(int(row.id), row.label, None if ids is None else frozenset(int(i) for i in ids))
