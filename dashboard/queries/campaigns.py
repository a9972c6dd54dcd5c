"""Campaign progress (百日攻坚): new unions and new members against each zone's targets."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import members_joined, summaries_fresh, summary_totals_at, unions_founded
from dashboard.queries.scope import Scope
from models.enums import UnionKind
from models.tables import Campaign, CampaignZone, CampaignZoneTownship, Unit

C = Campaign.__table__
Z = CampaignZone.__table__
ZT = CampaignZoneTownship.__table__
U = Unit.__table__

PROGRESS_COLUMNS = ["campaign", "start_on", "end_on", "zone", "owner_name", "owner_unit", "deadline", "days_left",
                    "target_unions", "new_unions", "target_members", "new_members", "whole_zone_in_scope"]


def current_campaign(session: Session, as_of: dt.date) -> dict | None:
    """The campaign running on ``as_of``, else the latest one that started before it."""
    row = session.execute(
        sa.select(C).where(C.c.start_on <= as_of)
        .order_by(sa.case((C.c.end_on >= as_of, 0), else_=1), C.c.start_on.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row else None


def campaign_progress(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """One row per zone that touches the scope; achievements count only townships in scope."""
    campaign = current_campaign(session, as_of)
    if campaign is None:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    zones = session.execute(
        sa.select(Z.c.id, Z.c.name, Z.c.owner_name, U.c.name.label("owner_unit"), Z.c.deadline, Z.c.target_unions,
                  Z.c.target_members)
        .join(U, U.c.id == Z.c.owner_unit_id).where(Z.c.campaign_id == campaign["id"]).order_by(Z.c.id)
    ).mappings().all()
    members = {}
    for zid, tid in session.execute(sa.select(ZT.c.zone_id, ZT.c.township_id).where(ZT.c.zone_id.in_([z["id"] for z in zones]))):
        members.setdefault(zid, set()).add(tid)
    until = min(as_of, campaign["end_on"])
    rows = []
    for z in zones:
        townships = members.get(z["id"], set())
        visible = townships if scope.township_ids is None else townships & scope.township_ids
        if not visible:
            continue
        zone_scope = Scope(frozenset(visible))
        if summaries_fresh(session):
            totals = summary_totals_at(session, zone_scope, [campaign["start_on"] - dt.timedelta(days=1), until],
                                       ("new_unions", "new_members"))
            before, after = totals[campaign["start_on"] - dt.timedelta(days=1)], totals[until]
            new_unions = int(after["new_unions"] - before["new_unions"])
            new_members = int(after["new_members"] - before["new_members"])
        else:
            founded = unions_founded(session, zone_scope, campaign["start_on"], until)
            new_unions = sum(n for kind, n in founded.items() if kind is not UnionKind.FEDERATION)
            new_members = members_joined(session, zone_scope, campaign["start_on"], until)
        rows.append({
            "campaign": campaign["name"], "start_on": campaign["start_on"], "end_on": campaign["end_on"],
            "zone": z["name"], "owner_name": z["owner_name"], "owner_unit": z["owner_unit"], "deadline": z["deadline"],
            "days_left": (z["deadline"] - as_of).days, "target_unions": z["target_unions"], "new_unions": new_unions,
            "target_members": z["target_members"], "new_members": new_members,
            "whole_zone_in_scope": visible == townships,
        })
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
