"""The account edits of the admin page (``dashboard.edits.accounts``): every action writes its row and
exactly one audit event without a secret; every refusal — wrong role, bad field, the last admin,
locking oneself out, a stale form — names its field and writes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from dashboard.edits import accounts as edits
from dashboard.queries.scope import Scope
from models import accounts
from models.db import session_scope
from models.enums import Role, TownshipKind
from models.tables import Township

TABLES = ("app_user", "user_township", "audit_event")
ADMIN = Actor("boss", Role.ADMIN, Scope.district())


@pytest.fixture(autouse=True)
def _cheap_hasher(monkeypatch):
    """argon2id with the smallest parameters (the hasher's cost is not under test here)."""
    monkeypatch.setattr(accounts, "hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def engine(any_engine):
    """Two townships, an admin ``boss`` and a staff account ``clerk`` (created with known passwords)."""
    with session_scope(any_engine) as s:
        for i, code in enumerate(("YB", "QL"), 1):
            s.add(Township(code=code, name=f"{code}镇", kind=TownshipKind.TOWN, sort_order=i))
        s.flush()
        accounts.create_user(s, username="boss", password="boss-pass-1", role=Role.ADMIN, actor="test")
        accounts.create_user(s, username="clerk", password="clerk-pass-1", role=Role.STAFF, actor="test")
    return any_engine


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1, 2"))] for t in TABLES}


def audits(engine, since: int = 0) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM audit_event WHERE id > :i ORDER BY id"),
                                              {"i": since}).mappings()]


def last_audit_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar_one()


def row(engine, username: str) -> dict:
    with engine.connect() as conn:
        user = dict(conn.execute(sa.text("SELECT * FROM app_user WHERE username = :u"), {"u": username}).mappings().one())
        user["townships"] = sorted(conn.execute(sa.text(
            "SELECT t.code FROM user_township ut JOIN township t ON t.id = ut.township_id WHERE ut.user_id = :i"),
            {"i": user["id"]}).scalars())
    return user


def run(engine, fn, actor: Actor = ADMIN, **fields):
    with session_scope(engine) as s:
        return fn(session=s, actor=actor, **fields)


def refused(engine, fn, key: str, field: str | None, actor: Actor = ADMIN, **fields) -> EditError:
    before = snapshot(engine)
    with pytest.raises(EditError) as info:
        run(engine, fn, actor=actor, **fields)
    assert (info.value.key, info.value.field) == (key, field), (info.value.key, info.value.field, info.value.params)
    assert snapshot(engine) == before  # nothing written
    return info.value


def target(engine, username: str) -> dict:
    """What the admin page sends for an account: its id and the version the screen showed."""
    user = row(engine, username)
    return {"user_id": user["id"], "version": user["version"]}


def no_secrets(events: list[dict], *secrets: str) -> None:
    for event in events:
        text = json.dumps(event, default=str)
        assert "argon2" not in text and "password_hash" not in text
        for secret in secrets:
            assert secret not in text


def signs_in(engine, username: str, password: str) -> accounts.AuthResult:
    with Session(engine) as s:
        result = accounts.authenticate(s, username, password)
        s.commit()
    return result


# --------------------------------------------------------------------------- creating accounts


def test_create_a_township_account_with_a_one_time_password(engine):
    since = last_audit_id(engine)
    change = run(engine, edits.create_account, username=" yb_clerk ", display_name=" 越北镇联络员 ", role="township",
                 townships=["YB", "YB"], email="", password="one_time")
    assert change.username == "yb_clerk" and change.password and len(change.password) >= accounts.MIN_PASSWORD
    assert set(change.password) <= set(accounts.READABLE + "-")
    user = row(engine, "yb_clerk")
    assert (user["display_name"], user["role"], user["townships"]) == ("越北镇联络员", "township", ["YB"])
    assert user["must_change_password"] and user["password_hash"].startswith("$argon2id$")
    assert user["email"] is None and user["version"] == 1 and not user["disabled"]
    [event] = audits(engine, since)
    assert (event["action"], event["username"], event["entity_id"]) == ("user_add", "boss", "yb_clerk")
    assert json.loads(event["after_json"])["townships"] == ["YB"] and event["detail"] == "one-time password"
    no_secrets([event], change.password)
    result = signs_in(engine, "yb_clerk", change.password)  # the password shown works once given
    assert result.ok and result.must_change_password


def test_one_time_passwords_differ():
    made = {accounts.generate_password() for _ in range(200)}
    assert len(made) == 200 and all(len(p) == 14 and accounts.password_problem(p) is None for p in made)


def test_create_a_district_account_for_single_sign_on_only(engine):
    change = run(engine, edits.create_account, username="lead2", role=Role.LEADER, email="Lead2@Example.org",
                 password="sso")
    assert change.password is None
    user = row(engine, "lead2")
    assert user["password_hash"] is None and not user["must_change_password"] and user["display_name"] == "lead2"
    assert user["email"] == "Lead2@Example.org" and user["townships"] == []


@pytest.mark.parametrize(("fields", "key", "field"), [
    ({"username": ""}, "acct.err.required", "username"),
    ({"username": "has space"}, "acct.err.bad_username", "username"),
    ({"username": "x" * 41}, "acct.err.bad_username", "username"),
    ({"username": "a/b"}, "acct.err.bad_username", "username"),
    ({"username": "clerk"}, "acct.err.username_taken", "username"),
    ({"role": "boss"}, "acct.err.bad_role", "role"),
    ({"display_name": "名" * 81}, "acct.err.too_long", "display_name"),
    ({"display_name": "tab\there"}, "acct.err.control", "display_name"),
    ({"townships": []}, "acct.err.township_required", "townships"),
    ({"townships": ["YB", "NOPE"]}, "acct.err.unknown_township", "townships"),
    ({"role": "staff", "townships": ["YB"]}, "acct.err.district_townships", "townships"),
    ({"role": "admin", "townships": ["QL"]}, "acct.err.district_townships", "townships"),
    ({"email": "not-an-address"}, "acct.err.bad_email", "email"),
    ({"email": "a@b.c" + "x" * 120}, "acct.err.too_long", "email"),
    ({"password": "sso"}, "acct.err.email_for_sso", "email"),
    ({"password": "hunter2"}, "acct.err.bad_password_choice", "password"),
])
def test_a_bad_field_of_a_new_account_is_named_and_nothing_is_written(engine, fields, key, field):
    good = {"username": "newbie", "display_name": "新人", "role": "township", "townships": ["YB"], "email": None,
            "password": "one_time"}
    err = refused(engine, edits.create_account, key, field, **{**good, **fields})
    if key == "acct.err.unknown_township":
        assert err.params["codes"] == "NOPE"


def test_an_e_mail_is_used_by_one_account_only_whatever_its_case(engine):
    run(engine, edits.create_account, username="one", role="staff", email="same@example.org", password="sso")
    refused(engine, edits.create_account, "acct.err.email_taken", "email", username="two", role="staff",
            email="SAME@example.org", password="one_time")


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.TOWNSHIP])
def test_only_an_admin_may_change_accounts(engine, role):
    someone = Actor("clerk", role, Scope.district() if role is not Role.TOWNSHIP else Scope.townships([1]))
    refused(engine, edits.create_account, "edit.forbidden_role", None, actor=someone, username="sneaky",
            role="admin", password="one_time")
    for fn, extra in ((edits.set_disabled, {"disabled": True}), (edits.unlock, {}), (edits.reset_password, {}),
                      (edits.set_role, {"role": "admin"}), (edits.rename, {"display_name": "x"})):
        refused(engine, fn, "edit.forbidden_role", None, actor=someone, **target(engine, "boss"), **extra)


# --------------------------------------------------------------------------- disable, enable, unlock


def test_disable_then_enable_an_account(engine):
    since = last_audit_id(engine)
    run(engine, edits.set_disabled, **target(engine, "clerk"), disabled=True)
    assert row(engine, "clerk")["disabled"] and row(engine, "clerk")["version"] == 2
    assert signs_in(engine, "clerk", "clerk-pass-1").reason == "disabled"
    refused(engine, edits.set_disabled, "acct.err.already_disabled", "user", **target(engine, "clerk"), disabled=True)
    run(engine, edits.set_disabled, **target(engine, "clerk"), disabled=False)
    assert not row(engine, "clerk")["disabled"] and row(engine, "clerk")["version"] == 3
    refused(engine, edits.set_disabled, "acct.err.already_enabled", "user", **target(engine, "clerk"), disabled=False)
    events = [e for e in audits(engine, since) if e["username"] == "boss"]
    assert [e["action"] for e in events] == ["user_disable", "user_enable"]
    assert json.loads(events[0]["before_json"])["disabled"] is False and json.loads(events[0]["after_json"])["disabled"]
    no_secrets(events, "clerk-pass-1")


def test_unlock_clears_the_failures_and_the_lock(engine):
    for _ in range(accounts.MAX_FAILURES):
        signs_in(engine, "clerk", "wrong")
    assert row(engine, "clerk")["locked_until"] is not None
    assert signs_in(engine, "clerk", "clerk-pass-1").reason == "locked"
    since = last_audit_id(engine)
    run(engine, edits.unlock, **target(engine, "clerk"))
    user = row(engine, "clerk")
    assert user["failed_logins"] == 0 and user["locked_until"] is None
    [event] = audits(engine, since)
    assert event["action"] == "user_unlock" and json.loads(event["before_json"])["failed_logins"] == accounts.MAX_FAILURES + 1
    assert signs_in(engine, "clerk", "clerk-pass-1").ok
    refused(engine, edits.unlock, "acct.err.not_locked", "user", **target(engine, "clerk"))


# --------------------------------------------------------------------------- passwords


def test_reset_password_gives_a_new_one_time_password_and_voids_the_old(engine):
    signs_in(engine, "clerk", "wrong")
    since = last_audit_id(engine)
    change = run(engine, edits.reset_password, **target(engine, "clerk"))
    user = row(engine, "clerk")
    assert user["must_change_password"] and user["failed_logins"] == 0 and user["version"] == 2
    [event] = audits(engine, since)
    assert (event["action"], event["entity_id"], event["detail"]) == ("user_passwd", "clerk", "one-time password")
    no_secrets([event], change.password, "clerk-pass-1")
    assert not signs_in(engine, "clerk", "clerk-pass-1").ok
    assert signs_in(engine, "clerk", change.password).must_change_password


def test_an_admin_cannot_reset_their_own_password_here(engine):
    refused(engine, edits.reset_password, "acct.err.self_reset", "user", **target(engine, "boss"))


def test_the_first_sign_in_sets_an_own_password_and_clears_the_flag(engine):
    change = run(engine, edits.create_account, username="yb1", role="township", townships=["YB"], password="one_time")
    me = Actor("yb1", Role.TOWNSHIP, Scope.townships([1]))
    for password, repeat, key, field in (
        ("short1", "short1", "acct.err.password_too_short", "password"),
        ("x" * 129, "x" * 129, "acct.err.password_too_long", "password"),
        ("YB1", "YB1", "acct.err.password_too_short", "password"),
        ("aaaaaaaaab", "aaaaaaaaab", "acct.err.password_one_kind", "password"),
        ("my-own-pass", "my-own-pasS", "acct.err.password_mismatch", "repeat"),
        (change.password, change.password, "acct.err.password_same", "password"),
    ):
        refused(engine, edits.set_own_password, key, field, actor=me, password=password, repeat=repeat)
    run(engine, edits.create_account, username="long_name_1", role="staff", password="one_time")
    refused(engine, edits.set_own_password, "acct.err.password_like_username", "password",
            actor=Actor("long_name_1", Role.STAFF), password="LONG_NAME_1", repeat="LONG_NAME_1")
    since = last_audit_id(engine)
    run(engine, edits.set_own_password, actor=me, password="my-own-pass", repeat="my-own-pass")
    user = row(engine, "yb1")
    assert not user["must_change_password"] and user["version"] == 2
    [event] = audits(engine, since)
    assert (event["action"], event["username"], event["entity_id"]) == ("user_passwd_own", "yb1", "yb1")
    no_secrets([event], "my-own-pass", change.password)
    assert not signs_in(engine, "yb1", change.password).ok
    result = signs_in(engine, "yb1", "my-own-pass")
    assert result.ok and not result.must_change_password


# --------------------------------------------------------------------------- role, townships, name


def test_change_role_and_townships(engine):
    run(engine, edits.create_account, username="yb1", role="township", townships=["YB"], password="one_time")
    since = last_audit_id(engine)
    run(engine, edits.set_role, **target(engine, "yb1"), role="township", townships=["QL", "YB"])
    assert row(engine, "yb1")["townships"] == ["QL", "YB"]
    run(engine, edits.set_role, **target(engine, "yb1"), role="staff", townships=[])
    user = row(engine, "yb1")
    assert (user["role"], user["townships"], user["version"]) == ("staff", [], 3)
    events = audits(engine, since)
    assert [e["action"] for e in events] == ["user_role", "user_role"]
    assert json.loads(events[1]["before_json"])["townships"] == ["QL", "YB"]
    assert (json.loads(events[1]["after_json"])["role"], json.loads(events[1]["after_json"])["townships"]) == ("staff", [])
    refused(engine, edits.set_role, "acct.err.unchanged", "role", **target(engine, "yb1"), role="staff", townships=[])
    refused(engine, edits.set_role, "acct.err.township_required", "townships", **target(engine, "yb1"), role="township")
    refused(engine, edits.set_role, "acct.err.district_townships", "townships", **target(engine, "yb1"), role="leader",
            townships=["YB"])
    refused(engine, edits.set_role, "acct.err.bad_role", "role", **target(engine, "yb1"), role="root")


def test_rename(engine):
    since = last_audit_id(engine)
    run(engine, edits.rename, **target(engine, "clerk"), display_name="  区总工会 张三 ")
    assert row(engine, "clerk")["display_name"] == "区总工会 张三"
    [event] = audits(engine, since)
    assert event["action"] == "user_rename" and json.loads(event["after_json"]) == {"display_name": "区总工会 张三"}
    refused(engine, edits.rename, "acct.err.unchanged", "display_name", **target(engine, "clerk"), display_name="区总工会 张三")
    refused(engine, edits.rename, "acct.err.required", "display_name", **target(engine, "clerk"), display_name="  ")
    refused(engine, edits.rename, "acct.err.too_long", "display_name", **target(engine, "clerk"), display_name="x" * 81)


def test_an_unknown_account_is_refused(engine):
    for user_id in (9999, "abc", None):
        refused(engine, edits.rename, "acct.err.unknown_user", "user", user_id=user_id, version=1, display_name="x")


# --------------------------------------------------------------------------- guards


def test_an_admin_cannot_lock_themselves_out(engine):
    run(engine, edits.create_account, username="boss2", role="admin", password="one_time")  # not the last admin
    refused(engine, edits.set_disabled, "acct.err.self_lockout", "user", **target(engine, "boss"), disabled=True)
    refused(engine, edits.set_role, "acct.err.self_lockout", "role", **target(engine, "boss"), role="staff")
    run(engine, edits.rename, **target(engine, "boss"), display_name="管理员")  # their own name: allowed


def test_the_last_enabled_admin_stays(engine):
    run(engine, edits.create_account, username="boss2", role="admin", password="one_time")
    other = Actor("boss2", Role.ADMIN)
    run(engine, edits.set_disabled, **target(engine, "boss2"), disabled=True)  # boss disables boss2: one left
    # boss2 (say, a session still open) cannot disable or demote the last enabled admin, boss
    refused(engine, edits.set_disabled, "acct.err.last_admin", "user", actor=other, **target(engine, "boss"),
            disabled=True)
    refused(engine, edits.set_role, "acct.err.last_admin", "role", actor=other, **target(engine, "boss"),
            role="leader")
    # a disabled admin does not count; enabled again, boss2 may demote boss
    run(engine, edits.set_disabled, **target(engine, "boss2"), disabled=False)
    run(engine, edits.set_role, actor=other, **target(engine, "boss"), role="staff")
    assert row(engine, "boss")["role"] == "staff"
    refused(engine, edits.set_role, "acct.err.self_lockout", "role", actor=other, **target(engine, "boss2"),
            role="staff")


def test_two_admins_disabling_each_other_at_once_leave_one(engine):
    """The guard is not a read-then-write race: two transactions that each see the other admin
    enabled cannot both commit (PostgreSQL: the admins' rows are locked; SQLite: one writer)."""
    run(engine, edits.create_account, username="boss2", role="admin", password="one_time")
    a, b = Actor("boss", Role.ADMIN), Actor("boss2", Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def disable(actor: Actor, victim: str) -> None:
        fields = target(engine, victim)
        try:
            with session_scope(engine) as s:
                edits._target(s, fields["user_id"])  # both have read before either writes
                barrier.wait(timeout=10)
                edits.set_disabled(session=s, actor=actor, disabled=True, **fields)
            outcomes[actor.username] = "ok"
        except Exception as exc:  # noqa: BLE001 - the refusal, a lock timeout or SQLite's busy error
            outcomes[actor.username] = exc

    threads = [threading.Thread(target=disable, args=(a, "boss2")), threading.Thread(target=disable, args=(b, "boss"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(o == "ok" for o in outcomes.values()) == [False, True], outcomes
    [refusal] = [o for o in outcomes.values() if o != "ok"]
    assert isinstance(refusal, EditError) and refusal.key == "acct.err.last_admin", repr(refusal)
    with engine.connect() as conn:
        enabled = conn.execute(sa.text("SELECT count(*) FROM app_user WHERE role = 'admin' AND NOT disabled")).scalar_one()
    assert enabled == 1


# --------------------------------------------------------------------------- row versions


def test_a_form_drawn_before_another_save_is_refused(engine):
    shown = target(engine, "clerk")
    run(engine, edits.rename, **shown, display_name="第一次")
    for fn, extra in ((edits.rename, {"display_name": "第二次"}), (edits.set_disabled, {"disabled": True}),
                      (edits.reset_password, {}), (edits.set_role, {"role": "leader"})):
        refused(engine, fn, "edit.conflict", None, **shown, **extra)
    for version in (None, "", "1.0", True, 0):
        refused(engine, edits.rename, "edit.conflict", None, user_id=shown["user_id"], version=version, display_name="x")
    assert row(engine, "clerk")["display_name"] == "第一次"


def test_a_save_between_the_read_and_the_update_is_refused(engine, monkeypatch):
    """The version is checked again in the UPDATE itself (``update_row``)."""
    shown = target(engine, "clerk")
    real = edits.update_row
    calls = []

    def someone_saves_first(session, table, row_id, version, values):
        calls.append(values)
        if len(calls) == 1:  # the first UPDATE waits for the other person's whole save
            with session_scope(engine) as other:
                edits.rename(session=other, actor=ADMIN, **shown, display_name="抢先")
        return real(session, table, row_id, version, values)

    monkeypatch.setattr(edits, "update_row", someone_saves_first)
    before = last_audit_id(engine)
    with pytest.raises(EditError) as info:
        run(engine, edits.set_disabled, **shown, disabled=True)
    assert info.value.key == "edit.conflict"
    user = row(engine, "clerk")
    assert not user["disabled"] and user["display_name"] == "抢先"
    assert [e["action"] for e in audits(engine, before)] == ["user_rename"]  # only the other save's


def test_the_cli_commands_raise_the_version_too(engine):
    shown = target(engine, "clerk")
    with session_scope(engine) as s:
        accounts.set_disabled(s, "clerk", True, actor="cli")
    refused(engine, edits.set_disabled, "edit.conflict", None, **shown, disabled=False)


def test_list_users_gives_ids_versions_and_flags_never_a_hash(engine):
    run(engine, edits.create_account, username="yb1", role="township", townships=["YB"], password="one_time")
    with Session(engine) as s:
        rows = {r["username"]: r for r in accounts.list_users(s)}
    assert rows["yb1"]["must_change_password"] and rows["yb1"]["has_password"] and rows["yb1"]["version"] == 1
    assert not any("argon2" in json.dumps(r, default=str) for r in rows.values())
    assert isinstance(rows["boss"]["id"], int) and rows["boss"]["locked_until"] is None
