"""Local accounts, authentication and lockout (no Streamlit); the audit log is ``models.audit``.

Passwords are hashed with argon2id (argon2-cffi) and rehashed when the hasher's parameters
change. Repeated failures for a username make the next attempt wait longer (``failure_delay``)
and ``MAX_FAILURES`` in a row lock the account until ``locked_until`` (or an admin unlocks it).
Every login, failure, logout, user change and data write is an ``AuditEvent``; no password or
hash ever goes into it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from models.audit import audit, utcnow  # noqa: F401  (accounts audits its own writes; utcnow for lockout)
from models.enums import Role
from models.tables import Township, User, UserTownship

MAX_FAILURES = 10
LOCK_MINUTES = 30

#: Roles that read every township; a ``township`` user reads only the townships assigned to it.
DISTRICT_ROLES = {Role.LEADER, Role.STAFF, Role.ADMIN}


class AccountError(ValueError):
    """A refused account operation, in one sentence."""


def hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    if not password or len(password) < 8:
        raise AccountError("密码至少 8 位 / the password needs at least 8 characters")
    return hasher().hash(password)


_DUMMY_HASH: list[str] = []


def _burn(password: str | None) -> None:
    """Verify against a throw-away hash, to spend the time a real check takes."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hasher().hash("not-a-real-password"))
    try:
        hasher().verify(_DUMMY_HASH[0], password or "")
    except VerificationError:
        pass


def failure_delay(failures: int, base: float = 0.5, cap: float = 8.0) -> float:
    """Seconds to wait before answering the next attempt after ``failures`` failures in a row."""
    if failures <= 0:
        return 0.0
    return min(cap, base * 2 ** (failures - 1))


def user_snapshot(session: Session, user: User) -> dict[str, Any]:
    return {
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "role": user.role.value if user.role else None, "disabled": user.disabled,
        "townships": sorted(township_codes(session, user)),
    }


# --------------------------------------------------------------------------- users


def get_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def township_ids(session: Session, user: User) -> set[int]:
    return set(session.exec(select(UserTownship.township_id).where(UserTownship.user_id == user.id)).all())


def township_codes(session: Session, user: User) -> set[str]:
    return set(session.exec(
        select(Township.code).join(UserTownship, UserTownship.township_id == Township.id)
        .where(UserTownship.user_id == user.id)
    ).all())


def scope_ids(session: Session, user: User) -> frozenset[int] | None:
    """The townships the user may see: None for the whole district, else a set (maybe empty)."""
    if user.role in DISTRICT_ROLES:
        return None
    return frozenset(township_ids(session, user))


def _resolve_townships(session: Session, codes: Iterable[str]) -> list[Township]:
    codes = list(dict.fromkeys(codes))
    townships = session.exec(select(Township).where(Township.code.in_(codes))).all() if codes else []
    missing = set(codes) - {t.code for t in townships}
    if missing:
        raise AccountError(f"未知的乡镇代码：{'、'.join(sorted(missing))} / unknown township codes")
    return list(townships)


def create_user(session: Session, *, username: str, password: str | None, role: Role, display_name: str | None = None,
                email: str | None = None, townships: Iterable[str] = (), actor: str | None = None) -> User:
    role = Role(role)
    username = username.strip()
    if not username or len(username) > 40 or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise AccountError("用户名只能包含字母、数字、_ - .，最长 40 位 / invalid username")
    if get_user(session, username):
        raise AccountError(f"用户 {username} 已存在 / user already exists")
    if email and session.exec(select(User).where(User.email == email)).first():
        raise AccountError(f"邮箱 {email} 已被其他用户使用 / e-mail already used")
    township_rows = _resolve_townships(session, townships)
    if role is Role.TOWNSHIP and not township_rows:
        raise AccountError("乡镇用户必须指定至少一个乡镇（--town）/ a township user needs --town")
    if role is not Role.TOWNSHIP and township_rows:
        raise AccountError("只有乡镇用户（township）才能指定乡镇 / only township users have townships")
    if password is None and not email:
        raise AccountError("需要密码或单点登录邮箱 / a password or an SSO e-mail is required")
    user = User(username=username, display_name=display_name or username, email=email or None, role=role,
                password_hash=hash_password(password) if password is not None else None, created_at=utcnow())
    session.add(user)
    session.flush()
    for township in township_rows:
        session.add(UserTownship(user_id=user.id, township_id=township.id))
    session.flush()
    audit(session, "user_add", username=actor, entity="user", entity_id=username, after=user_snapshot(session, user))
    return user


def _require(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise AccountError(f"没有用户 {username} / no such user")
    return user


def set_password(session: Session, username: str, password: str, *, actor: str | None = None) -> None:
    user = _require(session, username)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    audit(session, "user_passwd", username=actor, entity="user", entity_id=username)


def set_disabled(session: Session, username: str, disabled: bool, *, actor: str | None = None) -> None:
    user = _require(session, username)
    before = user_snapshot(session, user)
    user.disabled = disabled
    session.add(user)
    audit(session, "user_disable" if disabled else "user_enable", username=actor, entity="user", entity_id=username,
          before=before, after=user_snapshot(session, user))


def unlock(session: Session, username: str, *, actor: str | None = None) -> None:
    user = _require(session, username)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    audit(session, "user_unlock", username=actor, entity="user", entity_id=username)


def list_users(session: Session) -> list[dict[str, Any]]:
    rows = []
    for user in session.exec(select(User).order_by(User.username)).all():
        snap = user_snapshot(session, user)
        snap["locked_until"] = user.locked_until
        snap["failed_logins"] = user.failed_logins
        rows.append(snap)
    return rows


# --------------------------------------------------------------------------- authentication


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str  # ok | unknown | wrong_password | disabled | locked | no_password
    username: str
    user_id: int | None = None
    delay: float = 0.0  # seconds the caller should wait before answering (failures in a row)
    locked_until: dt.datetime | None = None


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime | None = None,
                 lock_minutes: int = LOCK_MINUTES, delay_base: float = 0.5) -> AuthResult:
    """Check a username and password; updates failure counters and writes the audit event.

    The caller commits the session (one transaction) and waits ``delay`` seconds before answering.
    """
    now = now or utcnow()
    username = (username or "").strip()
    user = get_user(session, username) if username else None
    if user is None:
        _burn(password)  # as slow as a real check: the answer's timing does not reveal unknown names
        audit(session, "login_failed", username=username[:40] or None, detail="unknown user", at=now)
        return AuthResult(False, "unknown", username, delay=failure_delay(1, delay_base))
    if user.locked_until is not None and user.locked_until > now:
        audit(session, "login_failed", username=username, detail="locked", at=now)
        return AuthResult(False, "locked", username, user.id, delay=failure_delay(user.failed_logins, delay_base),
                          locked_until=user.locked_until)
    ph = hasher()
    try:
        if not user.password_hash:
            raise VerificationError("no local password")
        ph.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        if user.locked_until is not None and user.locked_until <= now:  # the lock expired: start again
            user.failed_logins, user.locked_until = 0, None
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + dt.timedelta(minutes=lock_minutes)
        session.add(user)
        audit(session, "login_failed", username=username,
              detail=f"wrong password ({user.failed_logins} in a row)" + ("; locked" if user.locked_until else ""),
              at=now)
        reason = "locked" if user.locked_until else ("no_password" if not user.password_hash else "wrong_password")
        return AuthResult(False, reason, username, user.id, delay=failure_delay(user.failed_logins, delay_base),
                          locked_until=user.locked_until)
    if user.disabled:  # said only to someone who knows the password
        audit(session, "login_failed", username=username, detail="disabled", at=now)
        return AuthResult(False, "disabled", username, user.id, delay=failure_delay(1, delay_base))
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    audit(session, "login", username=username, at=now)
    return AuthResult(True, "ok", username, user.id)


def user_for_email(session: Session, email: str) -> User | None:
    if not email:
        return None
    return session.exec(select(User).where(sa.func.lower(User.email) == email.strip().lower())).first()
