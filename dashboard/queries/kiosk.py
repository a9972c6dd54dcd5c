"""The kiosk links of the meeting-room screen, for the admin page (never their tokens)."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from models.tables import KioskLink, Township

KL = KioskLink.__table__
T = Township.__table__
COLUMNS = ["id", "label", "townships", "created_by", "created_at", "expires_at", "revoked_at", "revoked_by",
           "last_used_at", "version"]


def links(session: Session) -> pd.DataFrame:
    """Every link, newest first, with its townships by name (empty: the whole district)."""
    names = dict(session.execute(sa.select(T.c.id, T.c.name)).all())
    rows = session.execute(sa.select(KL).order_by(KL.c.created_at.desc(), KL.c.id.desc())).mappings().all()
    out = []
    for r in rows:
        ids = json.loads(r["township_ids"]) if r["township_ids"] else []
        out.append({**{c: r[c] for c in COLUMNS if c != "townships"},
                    "townships": [names.get(int(i), str(i)) for i in ids]})
    return pd.DataFrame(out, columns=COLUMNS)
