"""Account changes from the admin page, and the password a person sets at the first sign-in.

The write side of 用户管理 (no Streamlit): every function takes keyword-only ``session`` and
``actor``; only an ``admin`` may change accounts (``set_own_password`` is the one a person makes on
their own account). Each checks every field and raises :class:`~dashboard.edits.EditError` (an
``acct.err.*`` key and the field at fault) before writing anything; otherwise it writes the row
through :func:`~dashboard.edits.update_row` with the version the form showed (``app_user`` is in
``models.tables.VERSIONED``) and exactly one audit event — never a password or a hash.

The hashing, the username rule and the township rule are ``models.accounts``'s (the CLI's).

Guards: an admin cannot disable or demote themselves ("lock themselves out"), nor disable or
demote the last enabled admin. The check reads the enabled admins ``FOR UPDATE`` (PostgreSQL:
two admins disabling each other at once wait for one another and the second is refused; SQLite
allows one writer at a time) and is made again after the write.

A one-time password (``accounts.generate_password``) is returned to the caller to be shown once;
the account carries ``must_change_password`` until its owner sets their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from dashboard.edits import Actor, EditError, check_version, shown_version, update_row
from models import accounts
from models.audit import audit
from models.enums import Role
from models.tables import Township, User, UserTownship

MAX_DISPLAY_NAME = 80
MAX_EMAIL = 120
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: how an account gets into the app: a one-time password shown once, or none (single sign-on only)
PASSWORD_CHOICES = ("one_time", "sso")

U = User.__table__


@dataclass(frozen=True)
class AccountChange:
    """What an account edit did: the account and, after a creation or a reset, the one-time
    password to show once (never stored anywhere but as its hash). ``township_ids`` is empty: no
    figure of any page changes, so ``run_edit`` keeps every township's cached reads."""

    user_id: int
    username: str
    password: str | None = None
    township_ids: tuple[int, ...] = ()


# --------------------------------------------------------------------------- validation helpers


def _has_control(text: str) -> bool:
    return any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def _username(value) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        raise EditError("acct.err.required", field="username")
    if not accounts.valid_username(name):
        raise EditError("acct.err.bad_username", field="username")
    return name


def _display_name(value, *, default: str | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        if default is None:
            raise EditError("acct.err.required", field="display_name")
        return default
    if len(text) > MAX_DISPLAY_NAME:
        raise EditError("acct.err.too_long", field="display_name", max=MAX_DISPLAY_NAME)
    if _has_control(text):
        raise EditError("acct.err.control", field="display_name")
    return text


def _email(session: Session, value, *, required: bool) -> str | None:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        if required:
            raise EditError("acct.err.email_for_sso", field="email")
        return None
    if len(text) > MAX_EMAIL:
        raise EditError("acct.err.too_long", field="email", max=MAX_EMAIL)
    if not EMAIL.match(text):
        raise EditError("acct.err.bad_email", field="email")
    if accounts.user_for_email(session, text) is not None:
        raise EditError("acct.err.email_taken", field="email")
    return text


def _role(value) -> Role:
    try:
        return Role(getattr(value, "value", value))
    except ValueError:
        raise EditError("acct.err.bad_role", field="role") from None


def _townships(session: Session, role: Role, codes: Iterable[str] | None) -> list[Township]:
    """The townships of an account: at least one for ``township``, none for a district role."""
    if isinstance(codes, str):
        codes = [codes]
    wanted = list(dict.fromkeys(str(c).strip() for c in (codes or ()) if str(c).strip()))
    if role is not Role.TOWNSHIP:
        if wanted:
            raise EditError("acct.err.district_townships", field="townships")
        return []
    if not wanted:
        raise EditError("acct.err.township_required", field="townships")
    rows = list(session.exec(select(Township).where(Township.code.in_(wanted))).all())
    missing = set(wanted) - {t.code for t in rows}
    if missing:
        raise EditError("acct.err.unknown_township", field="townships", codes="、".join(sorted(missing)))
    return sorted(rows, key=lambda t: t.code)


def _target(session: Session, user_id) -> User:
    try:
        row_id = int(user_id)
    except (TypeError, ValueError):
        raise EditError("acct.err.unknown_user", field="user") from None
    user = session.get(User, row_id)
    if user is None:
        raise EditError("acct.err.unknown_user", field="user")
    return user


def _admin(actor: Actor) -> None:
    actor.require(Role.ADMIN)


def _other_enabled_admins(session: Session, user: User) -> int:
    """Enabled admins other than ``user``. Every enabled admin's row is locked until the transaction
    ends (PostgreSQL; in id order, so two such edits wait for each other instead of deadlocking, and
    the second reads the first's result)."""
    ids = session.execute(
        sa.select(U.c.id).where(U.c.role == Role.ADMIN, U.c.disabled.is_(False)).order_by(U.c.id).with_for_update()
    ).scalars().all()
    return sum(1 for i in ids if i != user.id)


def _guard_admin_loss(session: Session, actor: Actor, user: User, field: str) -> None:
    """``user`` is about to stop being an enabled admin: not the actor themselves, not the last one."""
    if user.username == actor.username:
        raise EditError("acct.err.self_lockout", field=field)
    if _other_enabled_admins(session, user) == 0:
        raise EditError("acct.err.last_admin", field=field)


def _still_an_admin(session: Session, field: str) -> None:
    """After the write: at least one enabled admin (else the transaction is rolled back)."""
    left = session.execute(sa.select(sa.func.count()).select_from(U)
                           .where(U.c.role == Role.ADMIN, U.c.disabled.is_(False))).scalar_one()
    if not left:
        raise EditError("acct.err.last_admin", field=field)


def _is_enabled_admin(user: User) -> bool:
    return Role(user.role) is Role.ADMIN and not user.disabled


def _snapshot(session: Session, user: User) -> dict:
    snap = accounts.user_snapshot(session, user)
    snap["must_change_password"] = bool(user.must_change_password)
    return snap


def _refresh(session: Session, user: User) -> User:
    session.flush()
    session.refresh(user)
    return user


# --------------------------------------------------------------------------- create


def create_account(*, session: Session, actor: Actor, username: str, role, display_name: str | None = None,
                   townships: Iterable[str] = (), email: str | None = None,
                   password: str = "one_time") -> AccountChange:
    """A new account. ``password``: ``one_time`` — a generated password, returned to be shown once,
    which its owner replaces at the first sign-in; ``sso`` — none (single sign-on by ``email``, which
    is then required). Townships: at least one for role ``township``, none for a district role."""
    _admin(actor)
    name = _username(username)
    if accounts.get_user(session, name) is not None:
        raise EditError("acct.err.username_taken", field="username")
    role_ = _role(role)
    shown = _display_name(display_name, default=name)
    towns = _townships(session, role_, townships)
    if password not in PASSWORD_CHOICES:
        raise EditError("acct.err.bad_password_choice", field="password")
    mail = _email(session, email, required=password == "sso")
    secret = accounts.generate_password() if password == "one_time" else None
    try:
        user = accounts.create_user(session, username=name, password=secret, role=role_, display_name=shown,
                                    email=mail, townships=[t.code for t in towns], actor=actor.username,
                                    must_change_password=secret is not None,
                                    detail="one-time password" if secret else "single sign-on only")
    except accounts.AccountError:  # checked above; a rule of models.accounts this module does not know
        raise EditError("acct.err.refused", field="username") from None
    session.flush()
    return AccountChange(user.id, user.username, secret)


# --------------------------------------------------------------------------- changes of an account


def set_disabled(*, session: Session, actor: Actor, user_id: int, version, disabled: bool) -> AccountChange:
    """Disable (its sessions end at their next run) or enable an account."""
    _admin(actor)
    user = _target(session, user_id)
    version = check_version(user.version, version)
    disabled = bool(disabled)
    if bool(user.disabled) == disabled:
        raise EditError("acct.err.already_disabled" if disabled else "acct.err.already_enabled", field="user")
    if disabled and _is_enabled_admin(user):
        _guard_admin_loss(session, actor, user, "user")
    before = _snapshot(session, user)
    update_row(session, U, user.id, version, {"disabled": disabled})
    _still_an_admin(session, "user")
    after = _snapshot(session, _refresh(session, user))
    audit(session, "user_disable" if disabled else "user_enable", username=actor.username, entity="user",
          entity_id=user.username, before=before, after=after)
    session.flush()
    return AccountChange(user.id, user.username)


def unlock(*, session: Session, actor: Actor, user_id: int, version) -> AccountChange:
    """Clear the failed sign-ins in a row and the lock."""
    _admin(actor)
    user = _target(session, user_id)
    version = check_version(user.version, version)
    if not user.failed_logins and user.locked_until is None:
        raise EditError("acct.err.not_locked", field="user")
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    update_row(session, U, user.id, version, {"failed_logins": 0, "locked_until": None})
    audit(session, "user_unlock", username=actor.username, entity="user", entity_id=user.username,
          before=before, after={"failed_logins": 0, "locked_until": None})
    session.flush()
    return AccountChange(user.id, user.username)


def reset_password(*, session: Session, actor: Actor, user_id: int, version) -> AccountChange:
    """A new one-time password (returned to be shown once; the old password stops working, the
    lock is cleared, the owner sets their own at the next sign-in). Not for the admin's own account:
    their session would end before they could read it."""
    _admin(actor)
    user = _target(session, user_id)
    version = check_version(user.version, version)
    if user.username == actor.username:
        raise EditError("acct.err.self_reset", field="user")
    secret = accounts.generate_password()
    update_row(session, U, user.id, version, {"password_hash": accounts.hash_password(secret),
                                             "must_change_password": True, "failed_logins": 0, "locked_until": None})
    audit(session, "user_passwd", username=actor.username, entity="user", entity_id=user.username,
          detail="one-time password", after={"must_change_password": True})
    session.flush()
    return AccountChange(user.id, user.username, secret)


def set_role(*, session: Session, actor: Actor, user_id: int, version, role,
             townships: Iterable[str] = ()) -> AccountChange:
    """Change an account's role and townships (at least one for ``township``, none otherwise). An
    admin cannot demote themselves nor the last enabled admin."""
    _admin(actor)
    user = _target(session, user_id)
    version = check_version(user.version, version)
    role_ = _role(role)
    towns = _townships(session, role_, townships)
    before = _snapshot(session, user)
    if before["role"] == role_.value and before["townships"] == [t.code for t in towns]:
        raise EditError("acct.err.unchanged", field="role")
    if role_ is not Role.ADMIN and _is_enabled_admin(user):
        _guard_admin_loss(session, actor, user, "role")
    update_row(session, U, user.id, version, {"role": role_})
    session.execute(sa.delete(UserTownship.__table__).where(UserTownship.__table__.c.user_id == user.id))
    for town in towns:
        session.add(UserTownship(user_id=user.id, township_id=town.id))
    session.flush()
    _still_an_admin(session, "role")
    after = _snapshot(session, _refresh(session, user))
    audit(session, "user_role", username=actor.username, entity="user", entity_id=user.username,
          before=before, after=after)
    session.flush()
    return AccountChange(user.id, user.username)


def rename(*, session: Session, actor: Actor, user_id: int, version, display_name: str) -> AccountChange:
    """Change the name the app shows for an account."""
    _admin(actor)
    user = _target(session, user_id)
    version = check_version(user.version, version)
    name = _display_name(display_name)
    if name == user.display_name:
        raise EditError("acct.err.unchanged", field="display_name")
    before = {"display_name": user.display_name}
    update_row(session, U, user.id, version, {"display_name": name})
    audit(session, "user_rename", username=actor.username, entity="user", entity_id=user.username,
          before=before, after={"display_name": name})
    session.flush()
    return AccountChange(user.id, user.username)


# --------------------------------------------------------------------------- the first sign-in


def set_own_password(*, session: Session, actor: Actor, password: str, repeat: str) -> AccountChange:
    """The signed-in person replaces their one-time password with their own (typed twice):
    ``models.accounts.password_problem``'s rule, not the one-time password again; clears
    ``must_change_password``. Any role: it is the actor's own account."""
    user = accounts.get_user(session, actor.username)
    if user is None or user.disabled:
        raise EditError("acct.err.unknown_user", field="password")
    password = password if isinstance(password, str) else ""
    problem = accounts.password_problem(password, username=user.username)
    if problem:
        raise EditError(f"acct.err.password_{problem}", field="password", min=accounts.MIN_PASSWORD,
                        max=accounts.MAX_PASSWORD)
    if repeat != password:
        raise EditError("acct.err.password_mismatch", field="repeat")
    if user.password_hash:
        try:
            if accounts.hasher().verify(user.password_hash, password):
                raise EditError("acct.err.password_same", field="password")
        except (VerificationError, InvalidHashError):
            pass
    update_row(session, U, user.id, shown_version(user.version),
               {"password_hash": accounts.hash_password(password), "must_change_password": False})
    audit(session, "user_passwd_own", username=actor.username, entity="user", entity_id=user.username,
          detail="own password set" + (" (one-time password replaced)" if user.must_change_password else ""),
          after={"must_change_password": False})
    session.flush()
    return AccountChange(user.id, user.username)
