"""The administrator's tables: accounts and the audit log, with translated headers. No Streamlit."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import t

__all__ = ["MISSING", "USER_COLUMNS", "audit_frame", "users_frame"]

MISSING = "—"
#: the account columns shown, in order (``models.accounts.list_users`` has more: never a hash)
USER_COLUMNS = ["username", "display_name", "role", "townships", "email", "disabled", "failed_logins", "locked_until"]


def _headers(df: pd.DataFrame, locale: str) -> pd.DataFrame:
    return df.rename(columns={c: t(f"admin.col.{c}", locale) for c in df.columns})


def users_frame(users: list[dict], locale: str) -> pd.DataFrame:
    """Accounts (``accounts.list_users``) as a table: the role's name, the townships' codes joined
    ("—" for the whole district), ``MISSING`` for an empty field."""
    df = pd.DataFrame(users, columns=list(dict.fromkeys([*USER_COLUMNS, *(users[0] if users else [])])))
    df["townships"] = [("、".join(codes) if isinstance(codes, list | tuple) else "") or MISSING for codes in df["townships"]]
    df["role"] = [t(f"role.{getattr(r, 'value', r)}", locale) for r in df["role"]]
    df = df.astype(object).where(df.notna(), MISSING)
    return _headers(df[USER_COLUMNS], locale)


def audit_frame(events: pd.DataFrame, locale: str) -> pd.DataFrame:
    """Audit events (``queries.audit.recent_events``) with translated headers, ``MISSING`` for empty."""
    return _headers(events.astype(object).where(events.notna(), MISSING), locale)
