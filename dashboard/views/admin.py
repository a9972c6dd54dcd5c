"""The administrator's tables and words: accounts and the audit log, in the UI's language. No Streamlit."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.i18n import CATALOGUES, t
from dashboard.queries.dates import district_time

__all__ = ["MISSING", "USER_COLUMNS", "account_label", "account_state", "action_label", "audit_frame",
           "district_stamp", "users_frame"]

MISSING = "—"
#: the account columns shown, in order (``models.accounts.list_users`` has more: never a hash)
USER_COLUMNS = ["username", "display_name", "role", "townships", "email", "disabled", "must_change_password",
                "failed_logins", "locked_until"]


def _header(column: str, locale: str) -> str:
    """``acct.col.<c>`` where the account pages word it anew (the time zone, new columns), else ``admin.col.<c>``."""
    key = f"acct.col.{column}"
    return t(key, locale) if key in CATALOGUES.get(locale, CATALOGUES["zh_CN"]) else t(f"admin.col.{column}", locale)


def _headers(df: pd.DataFrame, locale: str) -> pd.DataFrame:
    return df.rename(columns={c: _header(c, locale) for c in df.columns})


def district_stamp(at) -> str | None:
    """A stored UTC time as the district reads it: ``2026-11-30 20:05:09`` (UTC+8)."""
    if at is None or at is pd.NaT or (not isinstance(at, dt.datetime) and pd.isna(at)):
        return None
    if isinstance(at, pd.Timestamp):
        at = at.to_pydatetime()
    return f"{district_time(at):%Y-%m-%d %H:%M:%S}"


def users_frame(users: list[dict], locale: str) -> pd.DataFrame:
    """Accounts (``accounts.list_users``) as a table: the role's name, the townships' codes joined
    ("—" for the whole district), the lock's end in the district's time, ``MISSING`` for an empty field."""
    df = pd.DataFrame(users, columns=list(dict.fromkeys([*USER_COLUMNS, *(users[0] if users else [])])))
    df["townships"] = [("、".join(codes) if isinstance(codes, list | tuple) else "") or MISSING for codes in df["townships"]]
    df["role"] = [t(f"role.{getattr(r, 'value', r)}", locale) for r in df["role"]]
    df["must_change_password"] = [bool(v) if v is not None and not pd.isna(v) else False
                                  for v in df["must_change_password"]]
    df["locked_until"] = pd.Series([district_stamp(v) for v in df["locked_until"]], index=df.index, dtype=object)
    df = df.astype(object).where(df.notna(), MISSING)
    return _headers(df[USER_COLUMNS], locale)


def action_label(action: str, locale: str) -> str:
    """An audit action in the UI's language; an action without a name shows as stored."""
    key = f"acct.action.{action}"
    return t(key, locale) if key in CATALOGUES.get(locale, CATALOGUES["zh_CN"]) else str(action)


def audit_frame(events: pd.DataFrame, locale: str) -> pd.DataFrame:
    """Audit events (``queries.audit.recent_events``): times in the district's time zone, actions
    named in the UI's language, translated headers, ``MISSING`` for empty."""
    df = events.copy()
    if "at" in df:
        df["at"] = pd.Series([district_stamp(v) for v in df["at"]], index=df.index, dtype=object)
    if "action" in df:
        df["action"] = pd.Series([action_label(a, locale) for a in df["action"]], index=df.index, dtype=object)
    return _headers(df.astype(object).where(df.notna(), MISSING), locale)


def account_state(user: dict, locale: str, *, now: dt.datetime | None = None) -> str:
    """What an account is now, in words: 正常 / 已停用 / 已锁定 …, with 待本人设置密码 or 仅单点登录."""
    now = now or dt.datetime.now(dt.UTC)
    parts = []
    locked = user.get("locked_until")
    if isinstance(locked, dt.datetime) and (locked if locked.tzinfo else locked.replace(tzinfo=dt.UTC)) > now:
        parts.append(t("acct.state.locked", locale, n=user.get("failed_logins") or 0))
    elif user.get("failed_logins"):
        parts.append(t("acct.state.failures", locale, n=user["failed_logins"]))
    parts.insert(0, t("acct.state.disabled" if user.get("disabled") else "acct.state.active", locale))
    if user.get("must_change_password"):
        parts.append(t("acct.state.must_change", locale))
    if not user.get("has_password", True):
        parts.append(t("acct.state.sso", locale))
    return "；".join(parts) if locale != "en" else "; ".join(parts)


def account_label(user: dict, locale: str) -> str:
    """A picker's words for an account: ``yuebei · 越北镇（乡镇）``."""
    role = t(f"role.{getattr(user['role'], 'value', user['role'])}", locale)
    name = user.get("display_name") or user["username"]
    return f"{user['username']} · {name}（{role}）" if locale != "en" else f"{user['username']} · {name} ({role})"
