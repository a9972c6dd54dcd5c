"""Local accounts, authentication and lockout (no Streamlit); the audit log is ``models.audit``.

Passwords are hashed with argon2id (argon2-cffi) and rehashed when the hasher's parameters
change. Every login, failure, logout, user change and data write is an ``AuditEvent``; no password
or hash ever goes into it.

Attacks on the login (issue #21):

* **Account lock, in the database.** Each attempt on an existing name first counts itself with one
  ``UPDATE app_user SET failed_logins = …, locked_until = … WHERE username = … RETURNING …``,
  committed before the password is checked: the database serialises the attempts (row lock on
  PostgreSQL, write lock on SQLite), so parallel attempts each get their own number and none is
  lost. Attempt number ``MAX_FAILURES`` sets the lock; only attempts up to that number are checked
  against the hash, later ones are refused unchecked (a right password included) until
  ``locked_until`` or an admin's unlock. A right password resets the count.
* **Per client address, in this process** (``AddressThrottle``): at most
  ``address_max_failures`` failed sign-ins per address in a sliding window, counted atomically
  under a lock (attempts in flight included), whatever names are tried. Streamlit serves every
  session from one process, so a process-wide structure sees every attempt without a database
  write per refused attempt and without a schema change; several server processes each count
  alone, a restart forgets — the account lock in the database is the limit that survives both.
* **Nothing tells an unknown name from a real one**: the same statements run for both (the UPDATE
  simply matches no row), an unknown name, a locked account and an account without a local
  password spend one hash check on a throw-away hash, the delay before the answer grows with the
  failures *from the address* (never the account's), and the user gets one answer for every
  failure — ``AuthResult.answer`` (the lock included); only the right password of a disabled
  account is told it is disabled.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.audit import audit, utcnow  # noqa: F401  (accounts audits its own writes; utcnow for lockout)
from models.db import session_scope
from models.enums import Role
from models.tables import Township, User, UserTownship

MAX_FAILURES = 10
LOCK_MINUTES = 30

#: Roles that read every township; a ``township`` user reads only the townships assigned to it.
DISTRICT_ROLES = {Role.LEADER, Role.STAFF, Role.ADMIN}


class AccountError(ValueError):
    """A refused account operation, in one sentence."""


#: password hashes (argon2id: 64 MiB and four lanes each) computed at the same time in one process: fifty
#: viewers signing in at once would otherwise ask for 3.2 GB and 200 threads on a 2-core server, to finish
#: no sooner (the work is the CPU's either way); the others wait their turn (issue 19)
HASH_CONCURRENCY = max(1, os.cpu_count() or 1)
_HASH_SLOTS = threading.BoundedSemaphore(HASH_CONCURRENCY)


class _BoundedHasher(PasswordHasher):
    """argon2id with at most :data:`HASH_CONCURRENCY` hashes or checks running at once in this process."""

    def hash(self, password, *args, **kwargs):  # noqa: ANN001, ANN201 - PasswordHasher's own signature
        with _HASH_SLOTS:
            return super().hash(password, *args, **kwargs)

    def verify(self, hash, password):  # noqa: A002, ANN001, ANN201
        with _HASH_SLOTS:
            return super().verify(hash, password)


def hasher() -> PasswordHasher:
    return _BoundedHasher()  # argon2id with the library's current recommended parameters


#: the shortest and longest password accepted (the same rule for the CLI, the admin page and the
#: first sign-in); a one-time password is longer than the minimum
MIN_PASSWORD = 8
MAX_PASSWORD = 128
#: letters and digits nobody misreads on a screen or over the phone (no 0/O, 1/l/I, 5/S, 2/Z, 8/B)
READABLE = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679"


def hash_password(password: str) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise AccountError("密码至少 8 位 / the password needs at least 8 characters")
    return hasher().hash(password)


def generate_password(groups: int = 3, size: int = 4) -> str:
    """A one-time password from ``secrets``: ``groups`` groups of ``size`` readable characters
    joined by "-" (``xK7m-Qp4a-…``; 3 × 4 characters of 49: about 67 bits)."""
    return "-".join("".join(secrets.choice(READABLE) for _ in range(size)) for _ in range(groups))


def password_problem(password: str | None, *, username: str | None = None) -> str | None:
    """Why a new password chosen by a person is refused (``too_short``, ``too_long``,
    ``like_username``, ``one_kind``), or None. The length rule is ``hash_password``'s; a password
    that is the username, or one character repeated, is refused too."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return "too_short"
    if len(password) > MAX_PASSWORD:
        return "too_long"
    if username and password.strip().lower() == username.strip().lower():
        return "like_username"
    if len(set(password)) < 3:
        return "one_kind"
    return None


def valid_username(username: str) -> bool:
    """The username rule: 1–40 letters or digits and ``_ - .``."""
    return bool(username) and len(username) <= 40 and username.replace("_", "").replace("-", "").replace(".", "").isalnum()


#: throw-away hashes, one per hasher's parameters (a check against it costs what a real one does)
_DUMMY_HASH: dict[tuple, str] = {}


def _burn(password: str | None) -> None:
    """Verify against a throw-away hash, to spend the time a real check takes."""
    ph = hasher()
    key = (type(ph), ph.time_cost, ph.memory_cost, ph.parallelism, ph.hash_len, ph.salt_len)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = ph.hash("not-a-real-password")
    try:
        ph.verify(_DUMMY_HASH[key], password or "")
    except VerificationError:
        pass


def failure_delay(failures: int, base: float = 0.5, cap: float | None = None) -> float:
    """Seconds to wait before answering after ``failures`` failures (from one address): ``base``,
    doubling each time, capped at ``cap`` (default 16 × ``base``: 8 s for the default 0.5 s)."""
    if failures <= 0:
        return 0.0
    cap = 16 * base if cap is None else cap
    return min(cap, base * 2 ** min(failures - 1, 62))


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
                email: str | None = None, townships: Iterable[str] = (), actor: str | None = None,
                must_change_password: bool = False, detail: str | None = None) -> User:
    """Add an account and its audit event (``user_add``). ``must_change_password``: the password is a
    one-time one, its owner sets their own at the first sign-in; ``detail`` goes into the audit event."""
    role = Role(role)
    username = username.strip()
    if not valid_username(username):
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
                password_hash=hash_password(password) if password is not None else None, created_at=utcnow(),
                must_change_password=bool(must_change_password))
    session.add(user)
    session.flush()
    for township in township_rows:
        session.add(UserTownship(user_id=user.id, township_id=township.id))
    session.flush()
    audit(session, "user_add", username=actor, entity="user", entity_id=username, after=user_snapshot(session, user),
          detail=detail)
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
    user.version = (user.version or 1) + 1  # a form of the admin page drawn before this is stale
    session.add(user)
    audit(session, "user_passwd", username=actor, entity="user", entity_id=username)


def set_disabled(session: Session, username: str, disabled: bool, *, actor: str | None = None) -> None:
    user = _require(session, username)
    before = user_snapshot(session, user)
    user.disabled = disabled
    user.version = (user.version or 1) + 1
    session.add(user)
    audit(session, "user_disable" if disabled else "user_enable", username=actor, entity="user", entity_id=username,
          before=before, after=user_snapshot(session, user))


def unlock(session: Session, username: str, *, actor: str | None = None) -> None:
    user = _require(session, username)
    user.failed_logins, user.locked_until = 0, None
    user.version = (user.version or 1) + 1
    session.add(user)
    audit(session, "user_unlock", username=actor, entity="user", entity_id=username)


def list_users(session: Session) -> list[dict[str, Any]]:
    rows = []
    for user in session.exec(select(User).order_by(User.username)).all():
        snap = user_snapshot(session, user)
        snap["locked_until"] = user.locked_until
        snap["failed_logins"] = user.failed_logins
        snap["id"], snap["version"] = user.id, user.version
        snap["must_change_password"] = user.must_change_password
        snap["has_password"] = bool(user.password_hash)  # whether there is one, never the hash
        rows.append(snap)
    return rows


# --------------------------------------------------------------------------- authentication


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    #: for the audit and the tests: ok | unknown | wrong_password | locked | no_password | disabled |
    #: throttled — the person at the form is told only ``answer``
    reason: str
    username: str
    user_id: int | None = None
    delay: float = 0.0  # seconds the caller waits before answering (``sign_in``: failures from the address)
    locked_until: dt.datetime | None = None
    retry_after: float = 0.0  # throttled: seconds until the address may try again
    must_change_password: bool = False  # ok with a one-time password: the owner sets their own first

    @property
    def answer(self) -> str:
        """What the form says: ``ok``, ``failed``, ``disabled`` or ``throttled``. One answer for every
        failure, so it never tells an unknown name from a real, a locked or an SSO-only one;
        ``disabled`` is said only to someone who gave the right password, ``throttled`` depends
        only on the client's address."""
        if self.ok:
            return "ok"
        return self.reason if self.reason in ("disabled", "throttled") else "failed"


def _from(address: str | None) -> str:
    return f"; from {address}" if address else ""


def _count_attempt(session: Session, username: str, now: dt.datetime, *, max_failures: int,
                   lock_minutes: int) -> sa.Row | None:
    """Count one attempt on ``username`` and decide the lock, in one statement; commit it.

    Returns the row after the update (``id, failed_logins, locked_until, password_hash,
    disabled, must_change_password``) or None for a name that does not exist (the statement is the same: it matches no
    row). ``failed_logins`` is this attempt's number in the run of attempts: an expired lock starts
    the run again at 1; the attempt numbered ``max_failures`` sets ``locked_until``; a lock still
    in force is kept (never extended). The commit makes the count visible to every parallel
    attempt before this one's password is checked.
    """
    c = User.__table__.c
    count = sa.case((c.locked_until <= now, 1), else_=c.failed_logins + 1)
    lock_until = sa.bindparam("lock_until", now + dt.timedelta(minutes=lock_minutes), type_=c.locked_until.type)
    locked = sa.case((c.locked_until > now, c.locked_until), (count >= max_failures, lock_until), else_=sa.null())
    stmt = (sa.update(User.__table__).where(c.username == username[:41])  # a longer name cannot exist
            .values(failed_logins=count, locked_until=locked)
            .returning(c.id, c.failed_logins, c.locked_until, c.password_hash, c.disabled, c.must_change_password))
    session.flush()
    row = session.execute(stmt).first()
    session.commit()
    return row


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime | None = None,
                 lock_minutes: int = LOCK_MINUTES, max_failures: int = MAX_FAILURES,
                 address: str | None = None) -> AuthResult:
    """Check a username and password: count the attempt, decide the lock, write the audit event.

    The attempt is counted and committed first (``_count_attempt``); the outcome (the audit event,
    the reset after a right password, a rehash) is added to the session for the caller to commit.
    ``address`` (the client's, when known) goes into the audit detail. The returned ``delay`` is 0:
    the wait grows per client address (``sign_in``), never per account.
    """
    now = now or utcnow()
    username = (username or "").strip()
    row = _count_attempt(session, username, now, max_failures=max_failures, lock_minutes=lock_minutes)
    if row is None:
        _burn(password)  # as slow as a real check: the answer's timing does not reveal unknown names
        audit(session, "login_failed", username=username[:40] or None, detail="unknown user" + _from(address), at=now)
        return AuthResult(False, "unknown", username)
    attempt, locked_until = row.failed_logins, row.locked_until
    locked_before = attempt > max_failures or (
        locked_until is not None and locked_until > now and attempt < max_failures)  # (a lock set by hand)
    if locked_before:  # refused unchecked, in the time a check takes
        _burn(password)
        audit(session, "login_failed", username=username, detail=f"locked ({attempt} in a row)" + _from(address), at=now)
        return AuthResult(False, "locked", username, row.id, locked_until=locked_until)
    ph = hasher()
    right = False
    try:
        if not row.password_hash:
            raise InvalidHashError("no local password")
        right = ph.verify(row.password_hash, password or "")
    except InvalidHashError:
        _burn(password)  # no (usable) local password: spend the check's time all the same
    except VerificationError:
        pass
    if not right:
        locked = attempt >= max_failures
        audit(session, "login_failed", username=username,
              detail=f"wrong password ({attempt} in a row)" + ("; locked" if locked else "") + _from(address), at=now)
        reason = "locked" if locked else ("no_password" if not row.password_hash else "wrong_password")
        return AuthResult(False, reason, username, row.id, locked_until=locked_until if locked else None)
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
    if not row.disabled and ph.check_needs_rehash(row.password_hash):
        values["password_hash"] = ph.hash(password)
    session.execute(sa.update(User.__table__).where(User.__table__.c.id == row.id).values(**values))
    if row.disabled:  # said only to someone who knows the password
        audit(session, "login_failed", username=username, detail="disabled" + _from(address), at=now)
        return AuthResult(False, "disabled", username, row.id)
    audit(session, "login", username=username, detail=f"from {address}" if address else None, at=now)
    return AuthResult(True, "ok", username, row.id, must_change_password=bool(row.must_change_password))


# --------------------------------------------------------------------------- per client address


def address_key(address: str | None) -> str:
    """The key an address is counted under: an IPv4 address, an IPv6 /64 network (one host
    usually has a whole /64), ``local`` when Streamlit gives none (localhost, or a reverse proxy
    on the same host that does not send ``X-Forwarded-For``)."""
    if not isinstance(address, str) or not address.strip():
        return "local"
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class AddressThrottle:
    """Failed sign-ins per client address in a sliding window, for this process.

    ``begin`` decides and reserves in one step under a lock: an address with ``limit`` failures in
    the window — attempts still in flight included, so parallel attempts cannot slip past — is
    refused for the seconds until its oldest failure leaves the window. ``end`` releases the
    reservation and records a failure. A success does not wipe the address's failures (an
    attacker's own account would reset them). At most ``max_addresses`` addresses are kept (the
    longest quiet are forgotten first), so a flood of addresses cannot exhaust memory.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_addresses: int = 10_000):
        self._clock = clock
        self._max = max_addresses
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._pending: dict[str, int] = {}
        self._window = 15 * 60.0

    def clear(self) -> None:
        """Forget every address (a restart does the same)."""
        with self._lock:
            self._failures.clear()
            self._pending.clear()

    def _live(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def begin(self, address: str | None, *, limit: int, window_seconds: float) -> float:
        """0 when the attempt may go ahead (it is reserved: call ``end``), else seconds to wait."""
        key, now = address_key(address), self._clock()
        with self._lock:
            self._window = float(window_seconds)
            times = self._live(key, now)
            pending = self._pending.get(key, 0)
            if len(times) + pending >= limit:
                return max(times[0] + self._window - now, 1.0) if times else 1.0
            self._pending[key] = pending + 1
            return 0.0

    def end(self, address: str | None, *, failed: bool) -> int:
        """Release the reservation of ``begin``; returns the address's failures in the window."""
        key, now = address_key(address), self._clock()
        with self._lock:
            left = self._pending.get(key, 0) - 1
            if left > 0:
                self._pending[key] = left
            else:
                self._pending.pop(key, None)
            if failed:
                self._failures.setdefault(key, deque()).append(now)
                self._bound(now)
            return len(self._live(key, now))

    def _bound(self, now: float) -> None:
        if len(self._failures) <= self._max:
            return
        for key in list(self._failures):
            self._live(key, now)
        excess = len(self._failures) - int(self._max * 0.9)
        if excess > 0:
            for key in sorted(self._failures, key=lambda k: self._failures[k][-1])[:excess]:
                del self._failures[key]

    def failures(self, address: str | None) -> int:
        with self._lock:
            return len(self._live(address_key(address), self._clock()))


    def __len__(self) -> int:
        return len(self._failures)


@dataclass(frozen=True)
class LoginPolicy:
    """The limits of ``sign_in`` (the app builds it from the settings)."""

    max_failures: int = MAX_FAILURES
    lock_minutes: int = LOCK_MINUTES
    delay_base: float = 0.5
    address_max_failures: int = 30
    address_window_minutes: float = 15

    @classmethod
    def from_settings(cls, settings: Any) -> LoginPolicy:
        return cls(lock_minutes=settings.lock_minutes, delay_base=settings.login_delay_seconds,
                   address_max_failures=settings.login_address_max_failures,
                   address_window_minutes=settings.login_address_window_minutes)


def sign_in(engine: Engine, username: str, password: str, *, throttle: AddressThrottle, address: str | None = None,
            policy: LoginPolicy = LoginPolicy(), now: dt.datetime | None = None) -> AuthResult:
    """A sign-in from the login form: the address's allowance, then ``authenticate`` (its own
    transactions). A failure's ``delay`` grows with the failures from the address."""
    wait = throttle.begin(address, limit=policy.address_max_failures, window_seconds=policy.address_window_minutes * 60)
    if wait:
        with session_scope(engine) as s:
            audit(s, "login_failed", username=(username or "").strip()[:40] or None,
                  detail="refused: too many failed sign-ins from this address" + _from(address), at=now)
        return AuthResult(False, "throttled", (username or "").strip(), retry_after=wait)
    failed = False
    try:
        with session_scope(engine) as s:
            result = authenticate(s, username, password, now=now, lock_minutes=policy.lock_minutes,
                                  max_failures=policy.max_failures, address=address)
        failed = result.answer == "failed"
    finally:
        failures = throttle.end(address, failed=failed)
    return replace(result, delay=failure_delay(failures, policy.delay_base)) if failed else result


def user_for_email(session: Session, email: str) -> User | None:
    if not email:
        return None
    return session.exec(select(User).where(sa.func.lower(User.email) == email.strip().lower())).first()
