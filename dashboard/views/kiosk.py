"""The admin page's kiosk links as a labelled table (no Streamlit): status in words and colour."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.i18n import t
from dashboard.queries.dates import district_time
from dashboard.views.meetings import Table

#: a link's state → colour (views.status palette)
COLOUR = {"active": "green", "expired": "amber", "revoked": "red"}


def state(row, now: dt.datetime) -> str:
    if row["revoked_at"] is not None and not pd.isna(row["revoked_at"]):
        return "revoked"
    expires = row["expires_at"]
    expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
    return "expired" if expires <= now else "active"


def links_table(links: pd.DataFrame, loc: str, now: dt.datetime) -> Table:
    when = lambda at: "" if at is None or pd.isna(at) else district_time(at).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    states = [state(r, now) for _, r in links.iterrows()]
    frame = pd.DataFrame({
        t("kiosk.col.label", loc): links["label"],
        t("kiosk.col.scope", loc): ["、".join(x) if x else t("present.whole_district", loc) for x in links["townships"]],
        t("kiosk.col.state", loc): [t(f"kiosk.state.{s}", loc) for s in states],
        t("kiosk.col.expires", loc): [when(x) for x in links["expires_at"]],
        t("kiosk.col.last_used", loc): [when(x) for x in links["last_used_at"]],
        t("kiosk.col.created", loc): [f"{when(a)} {b}" for a, b in zip(links["created_at"], links["created_by"])],
    })
    return Table(frame, [COLOUR[s] for s in states], t("kiosk.col.state", loc))
