"""The login lockout under attack (issue #21, item 1), against real databases.

* 40 wrong passwords sent in parallel (threads, each with its own connection, on a SQLite file and
  on PostgreSQL) lock the account: every attempt is counted, at most ``MAX_FAILURES`` of them are
  checked against the hash, the right password is refused afterwards;
* failed sign-ins from one client address are limited too (a process-wide counter, atomic under
  a lock), in parallel as well, whatever usernames are tried;
* an unknown and an existing username take the same time (the real argon2 hasher) and get the
  same answer, before and after the lock.
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import accounts
from models.db import make_engine
from models.enums import Role
from models.tables import AuditEvent, User

PASSWORD = "correct horse 2002"
THREADS = 40


class _CountingHasher(PasswordHasher):
    """A cheap argon2id hasher (memory for 40 checks at once) that counts the checks made against
    one hash — the account's real hash, as opposed to the throw-away hash of a refused attempt."""

    checks: dict[str, int] = {}
    _lock = threading.Lock()

    def __init__(self):
        super().__init__(time_cost=2, memory_cost=2048, parallelism=1)

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        with self._lock:
            self.checks[hash] = self.checks.get(hash, 0) + 1
        return super().verify(hash, password)


@pytest.fixture
def cheap_hasher(monkeypatch):
    _CountingHasher.checks = {}
    monkeypatch.setattr(accounts, "hasher", _CountingHasher)
    # the throw-away hash of refused attempts is made again, with the same cheap parameters
    monkeypatch.setattr(accounts, "_DUMMY_HASH", type(accounts._DUMMY_HASH)())
    return _CountingHasher


def _pool(engine, size: int = 20):
    """An engine on the same database with a pool big enough for the threads."""
    return make_engine(engine.url.render_as_string(hide_password=False), pool_size=size, max_overflow=0)


def _add_user(engine, username: str = "wang") -> str:
    with Session(engine) as s:
        accounts.create_user(s, username=username, password=PASSWORD, role=Role.LEADER, actor="test")
        s.commit()
        return s.exec(select(User.password_hash).where(User.username == username)).one()


def _in_parallel(n: int, fn) -> tuple[list, list[BaseException]]:
    """Run ``fn(i)`` in ``n`` threads released together; return the results and the errors."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def work(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors


# --------------------------------------------------------------------------- the account lock


def test_parallel_wrong_passwords_lock_the_account(any_engine, cheap_hasher):
    real_hash = _add_user(any_engine)
    engine = _pool(any_engine)

    def attempt(i):
        with Session(engine) as s:
            result = accounts.authenticate(s, "wang", f"wrong guess {i}")
            s.commit()
            return result

    try:
        results, errors = _in_parallel(THREADS, attempt)
        assert errors == []
        with Session(engine) as s:
            user = s.exec(select(User).where(User.username == "wang")).one()
            # every attempt counted: no lost update
            assert user.failed_logins == THREADS
            assert user.locked_until is not None
            failures = s.exec(select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "login_failed", AuditEvent.username == "wang")).one()
        assert failures == THREADS
        # no more than MAX_FAILURES guesses were checked against the real hash; the others were refused
        assert cheap_hasher.checks.get(real_hash, 0) <= accounts.MAX_FAILURES
        assert sum(r.reason == "locked" for r in results) >= THREADS - accounts.MAX_FAILURES + 1
        assert not any(r.ok for r in results)
        # the right password does not open it now
        with Session(engine) as s:
            assert accounts.authenticate(s, "wang", PASSWORD).reason == "locked"
            s.commit()
    finally:
        engine.dispose()


def test_a_right_password_among_parallel_wrong_ones_is_never_checked_after_the_lock(any_engine, cheap_hasher):
    """Parallel wrong guesses with the right one last: once the lock is reached the right password
    is refused without being checked (no guess is worth more after the tenth)."""
    real_hash = _add_user(any_engine)
    engine = _pool(any_engine)
    try:
        def attempt(i):
            with Session(engine) as s:
                r = accounts.authenticate(s, "wang", f"wrong {i}")
                s.commit()
                return r

        _, errors = _in_parallel(THREADS // 2, attempt)
        assert errors == []
        checks = cheap_hasher.checks.get(real_hash, 0)
        with Session(engine) as s:
            result = accounts.authenticate(s, "wang", PASSWORD)
            s.commit()
        assert result.reason == "locked" and not result.ok
        assert cheap_hasher.checks.get(real_hash, 0) == checks  # not even checked
    finally:
        engine.dispose()


def test_a_lock_that_expired_starts_the_count_again(sqlite_engine, cheap_hasher):
    import datetime as dt

    _add_user(sqlite_engine)
    now = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
    with Session(sqlite_engine) as s:
        for i in range(accounts.MAX_FAILURES):
            r = accounts.authenticate(s, "wang", "nope", now=now)
        s.commit()
        assert r.reason == "locked"
        later = now + dt.timedelta(minutes=accounts.LOCK_MINUTES, seconds=1)
        assert accounts.authenticate(s, "wang", "nope", now=later).reason == "wrong_password"
        s.commit()
        user = s.exec(select(User).where(User.username == "wang")).one()
        assert (user.failed_logins, user.locked_until) == (1, None)


# --------------------------------------------------------------------------- per client address


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_parallel_attempts_from_one_address_are_throttled(any_engine, cheap_hasher, monkeypatch):
    """40 sign-ins at once from one address, each on another username (password spraying): only the
    address's allowance is checked at all; another address is not affected."""
    POLICY = accounts.LoginPolicy(delay_base=0.01, address_max_failures=10, address_window_minutes=15)
    _add_user(any_engine)
    engine = _pool(any_engine)
    throttle = accounts.AddressThrottle()
    checked = []
    real_authenticate = accounts.authenticate

    def counting(session, username, password, **kw):
        checked.append(username)
        return real_authenticate(session, username, password, **kw)

    monkeypatch.setattr(accounts, "authenticate", counting)
    names = ["wang"] + [f"user{i}" for i in range(1, THREADS)]
    try:
        results, errors = _in_parallel(THREADS, lambda i: accounts.sign_in(
            engine, names[i], "Winter2026!", address="203.0.113.9", throttle=throttle, policy=POLICY))
        assert errors == []
        assert len(checked) == POLICY.address_max_failures
        throttled = [r for r in results if r.answer == "throttled"]
        assert len(throttled) == THREADS - POLICY.address_max_failures
        assert all(r.retry_after > 0 and not r.ok for r in throttled)
        assert all(r.answer == "failed" for r in results if r not in throttled)
        # the same address is refused even with the right password, another address is not
        assert accounts.sign_in(engine, "wang", PASSWORD, address="203.0.113.9", throttle=throttle,
                                policy=POLICY).answer == "throttled"
        assert accounts.sign_in(engine, "wang", PASSWORD, address="198.51.100.7", throttle=throttle,
                                policy=POLICY).ok
        with Session(engine) as s:
            refused = s.exec(select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "login_failed", AuditEvent.detail.contains("address"))).one()
        assert refused == THREADS - POLICY.address_max_failures + 1  # every refusal is audited
    finally:
        engine.dispose()


def test_the_address_allowance_comes_back_after_the_window(sqlite_engine, cheap_hasher):
    _add_user(sqlite_engine)
    clock = _Clock()
    throttle = accounts.AddressThrottle(clock=clock)
    policy = accounts.LoginPolicy(delay_base=0.01, address_max_failures=3, address_window_minutes=1)
    delays = [accounts.sign_in(sqlite_engine, f"x{i}", "guess", address="192.0.2.1", throttle=throttle,
                               policy=policy).delay for i in range(3)]
    assert delays == [0.01, 0.02, 0.04]  # grows with the failures from the address, whatever the name
    blocked = accounts.sign_in(sqlite_engine, "wang", PASSWORD, address="192.0.2.1", throttle=throttle, policy=policy)
    assert blocked.answer == "throttled" and 0 < blocked.retry_after <= 60
    clock.now += 61
    assert accounts.sign_in(sqlite_engine, "wang", PASSWORD, address="192.0.2.1", throttle=throttle, policy=policy).ok
    assert throttle.failures("192.0.2.1") == 0  # the old failures left the window


def test_a_success_does_not_reset_the_address_count():
    clock = _Clock()
    throttle = accounts.AddressThrottle(clock=clock)
    for _ in range(2):
        assert throttle.begin("192.0.2.5", limit=3, window_seconds=60) == 0
        throttle.end("192.0.2.5", failed=True)
    assert throttle.begin("192.0.2.5", limit=3, window_seconds=60) == 0
    throttle.end("192.0.2.5", failed=False)
    assert throttle.failures("192.0.2.5") == 2
    assert throttle.begin("192.0.2.5", limit=3, window_seconds=60) == 0
    throttle.end("192.0.2.5", failed=True)
    assert throttle.begin("192.0.2.5", limit=3, window_seconds=60) > 0


def test_addresses_of_one_ipv6_network_share_a_count_and_unknown_ones_are_one_address():
    assert accounts.address_key("2001:db8:1:2::a") == accounts.address_key("2001:db8:1:2:ffff::1")
    assert accounts.address_key("2001:db8:1:3::a") != accounts.address_key("2001:db8:1:2::a")
    assert accounts.address_key("203.0.113.9") == "203.0.113.9"
    assert accounts.address_key(None) == accounts.address_key("") == "local"


def test_the_address_table_stays_bounded():
    clock = _Clock()
    throttle = accounts.AddressThrottle(clock=clock, max_addresses=100)
    for i in range(1000):
        assert throttle.begin(f"10.0.{i // 256}.{i % 256}", limit=5, window_seconds=60) == 0
        throttle.end(f"10.0.{i // 256}.{i % 256}", failed=True)
        clock.now += 0.01
    assert len(throttle) <= 100


# --------------------------------------------------------------------------- same answer, same time


def _median(values):
    return statistics.median(values)


def test_unknown_and_existing_names_take_the_same_time_before_and_after_the_lock(sqlite_engine):
    """The real hasher. For each attempt the time is what the person waits: the check plus the delay
    the caller sleeps. An existing name (locked after MAX_FAILURES) and an unknown one are asked in
    turn, so the machine's load falls on both; medians and a generous margin keep it robust."""
    _add_user(sqlite_engine)
    attempts = accounts.MAX_FAILURES + 3
    waited: dict[str, list[float]] = {"wang": [], "nobody-here": []}
    reasons: dict[str, list[str]] = {"wang": [], "nobody-here": []}
    with Session(sqlite_engine) as s:
        for i in range(attempts):
            for name in waited:
                start = time.perf_counter()
                r = accounts.authenticate(s, name, f"guess {i}")
                s.commit()
                waited[name].append(time.perf_counter() - start + r.delay)
                reasons[name].append(r.reason)
    assert reasons["wang"][-1] == "locked"  # the lock was reached …
    assert reasons["nobody-here"][-1] == "unknown"

    def close(a, b):
        return abs(a - b) <= 0.5 * max(a, b) + 0.02

    before = [slice(0, accounts.MAX_FAILURES - 1)]
    after = slice(accounts.MAX_FAILURES, attempts)  # … and a locked account costs a check too
    for part in before + [after]:
        known, unknown = _median(waited["wang"][part]), _median(waited["nobody-here"][part])
        assert close(known, unknown), (part, known, unknown)
