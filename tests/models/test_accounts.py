"""Accounts: argon2id hashes, growing delay, lockout, disabled users, audit without secrets.

The library's argon2 parameters cost about 0.2 s a hash or check: the tests of the hashing itself
(``real_hasher``) use them, the others a cheap argon2id (the same code paths, a thousandth of the
time). The timing tests are tests/models/test_lockout.py and tests/app/test_login_timing.py."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import accounts
from models.enums import Role, TownshipKind
from models.tables import AuditEvent, Township, User

PASSWORD = "correct horse 2002"
NOW = dt.datetime(2026, 11, 24, 8, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def real_hasher():
    """This test uses the library's argon2 parameters (``accounts.hasher`` as shipped)."""
    assert accounts.hasher().memory_cost == PasswordHasher().memory_cost


@pytest.fixture(autouse=True)
def _cheap_hasher(request, monkeypatch):
    """argon2id with the smallest parameters, unless the test asks for ``real_hasher``."""
    if "real_hasher" not in request.fixturenames:
        monkeypatch.setattr(accounts, "hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def db(any_engine):
    with Session(any_engine) as s:
        s.add(Township(code="YB", name="越北镇", kind=TownshipKind.TOWN))
        s.add(Township(code="QL", name="青岚街道", kind=TownshipKind.SUBDISTRICT))
        s.commit()
        accounts.create_user(s, username="wang", password=PASSWORD, role=Role.LEADER, actor="test")
        accounts.create_user(s, username="yb", password=PASSWORD, role=Role.TOWNSHIP, townships=["YB"], actor="test")
        s.commit()
        yield s


def _user(s, name) -> User:
    return s.exec(select(User).where(User.username == name)).one()


def test_hashes_are_argon2id_and_verify(real_hasher, db):
    h = _user(db, "wang").password_hash
    assert h.startswith("$argon2id$") and PASSWORD not in h
    assert not PasswordHasher().check_needs_rehash(h)  # the library's current parameters
    assert PasswordHasher().verify(h, PASSWORD)


def test_login_ok_resets_counters_and_is_audited(db):
    assert not accounts.authenticate(db, "wang", "nope", now=NOW).ok
    result = accounts.authenticate(db, "wang", PASSWORD, now=NOW)
    db.commit()
    assert result.ok and result.reason == "ok" and result.delay == 0
    assert _user(db, "wang").failed_logins == 0
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.username == "wang"))]
    assert actions[-2:] == ["login_failed", "login"]


def test_wrong_password_delay_grows_then_lock_after_ten(db):
    delays = []
    for i in range(1, 11):
        r = accounts.authenticate(db, "wang", f"wrong{i}", now=NOW)
        db.commit()
        assert not r.ok
        delays.append(r.delay)
    assert delays == [0.0] * 10  # the wait grows per client address (sign_in), never per account (#21)
    assert r.reason == "locked" and r.locked_until == NOW + dt.timedelta(minutes=accounts.LOCK_MINUTES)
    # the right password does not open a locked account …
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW + dt.timedelta(minutes=1)).reason == "locked"
    # … until the lock has passed
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW + dt.timedelta(minutes=31)).ok


def test_nine_failures_do_not_lock_and_an_admin_can_unlock(db):
    for i in range(9):
        accounts.authenticate(db, "wang", "x", now=NOW)
    assert _user(db, "wang").locked_until is None
    accounts.authenticate(db, "wang", "x", now=NOW)
    assert _user(db, "wang").locked_until is not None
    accounts.unlock(db, "wang", actor="admin")
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW).ok


def test_failure_delay_doubles_and_is_capped():
    assert accounts.failure_delay(0) == 0
    assert [accounts.failure_delay(n, base=0.5) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert accounts.failure_delay(50, base=0.5, cap=8) == 8


def test_disabled_and_unknown_users_are_refused(db):
    accounts.set_disabled(db, "wang", True, actor="admin")
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW).reason == "disabled"
    assert accounts.authenticate(db, "nobody", PASSWORD, now=NOW).reason == "unknown"
    accounts.set_disabled(db, "wang", False, actor="admin")
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW).ok


def test_rehash_when_parameters_change(real_hasher, db):
    user = _user(db, "wang")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db.add(user)
    db.commit()
    old = user.password_hash
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW).ok
    db.commit()
    new = _user(db, "wang").password_hash
    assert new != old and not PasswordHasher().check_needs_rehash(new)


def test_no_password_or_hash_in_the_audit_table(db):
    accounts.authenticate(db, "wang", "a-wrong-secret", now=NOW)
    accounts.authenticate(db, "wang", PASSWORD, now=NOW)
    accounts.set_password(db, "wang", "another secret 9", actor="admin")
    db.commit()
    rows = db.exec(sa.text("SELECT * FROM audit_event")).all()
    text = " ".join(str(v) for row in rows for v in row)
    assert len(rows) >= 5
    for secret in (PASSWORD, "a-wrong-secret", "another secret 9", "$argon2"):
        assert secret not in text


def test_scope_per_role(db):
    assert accounts.scope_ids(db, _user(db, "wang")) is None
    yb = db.exec(select(Township).where(Township.code == "YB")).one()
    assert accounts.scope_ids(db, _user(db, "yb")) == frozenset({yb.id})


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(username="t1", password=PASSWORD, role=Role.TOWNSHIP), "--town"),
    (dict(username="t2", password=PASSWORD, role=Role.TOWNSHIP, townships=["XX"]), "XX"),
    (dict(username="t3", password=PASSWORD, role=Role.LEADER, townships=["YB"]), "township"),
    (dict(username="wang", password=PASSWORD, role=Role.LEADER), "已存在"),
    (dict(username="short", password="1234567", role=Role.LEADER), "8"),
    (dict(username="bad name!", password=PASSWORD, role=Role.LEADER), "invalid"),
])
def test_invalid_users_are_refused_and_nothing_is_written(db, kwargs, fragment):
    before = db.exec(sa.text("SELECT COUNT(*) FROM app_user")).scalar_one()
    with pytest.raises(accounts.AccountError, match=fragment):
        accounts.create_user(db, **kwargs)
    db.rollback()
    assert db.exec(sa.text("SELECT COUNT(*) FROM app_user")).scalar_one() == before


def test_sso_email_maps_case_insensitively(db):
    accounts.create_user(db, username="sso", password=None, role=Role.STAFF, email="Li.Ming@example.org")
    assert accounts.user_for_email(db, "li.ming@EXAMPLE.org").username == "sso"
    assert accounts.user_for_email(db, "someone@example.org") is None
    assert accounts.authenticate(db, "sso", "", now=NOW).ok is False  # no local password


def test_disabled_is_only_revealed_with_the_right_password_and_unknown_names_cost_a_check(db, monkeypatch):
    accounts.set_disabled(db, "wang", True, actor="admin")
    assert accounts.authenticate(db, "wang", "a wrong guess", now=NOW).reason == "wrong_password"
    assert accounts.authenticate(db, "wang", PASSWORD, now=NOW).reason == "disabled"
    calls = []
    monkeypatch.setattr(accounts, "_burn", lambda pw: calls.append(pw))
    accounts.authenticate(db, "no-such-user", "guess", now=NOW)
    assert calls == ["guess"]
