"""Campaigns (攻坚) and their zones from the campaigns page: staff and administrators create and
edit them; everyone else reads. The edit protocol of ``dashboard.edits``: role checked, every field
validated, a refusal (``EditError`` with the field) writes nothing, an update carries the version
the form showed (``update_row``), one audit event each.

A zone's townships are the 战区's 划线设区: at least one, each in at most one zone of the campaign;
its deadline lies within the campaign; targets are whole numbers ≥ 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import Actor, EditError, check_version, update_row
from dashboard.edits.fields import count as _count
from dashboard.edits.fields import date as _date
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from models.audit import audit
from models.enums import Role
from models.tables import Campaign, CampaignZone, CampaignZoneTownship, Township, Unit

C = Campaign.__table__
Z = CampaignZone.__table__
ZT = CampaignZoneTownship.__table__
T = Township.__table__
U = Unit.__table__

#: who may create and edit campaigns (township accounts and leaders read them)
PLANNERS = (Role.STAFF, Role.ADMIN)
MAX_NAME, MAX_ZONE, MAX_PERSON, MAX_MOTTO = 80, 60, 40, 500


def _target(value: Any, name: str) -> int:
    return _count(value, name)


def _campaign_fields(name: Any, motto: Any, start_on: Any, end_on: Any) -> dict:
    values = {"name": _text(name, "name", MAX_NAME), "motto": _text(motto, "motto", MAX_MOTTO, required=False),
              "start_on": _date(start_on, "start_on"), "end_on": _date(end_on, "end_on")}
    if values["end_on"] < values["start_on"]:
        raise EditError("camp.err.end_before_start", field="end_on", date=values["start_on"])
    return values


def create_campaign(*, session: Session, actor: Actor, name: Any, start_on: Any, end_on: Any,
                    motto: Any = None) -> int:
    """A new campaign; returns its id."""
    actor.require(*PLANNERS)
    conn = session.connection()
    values = _campaign_fields(name, motto, start_on, end_on)
    if conn.execute(sa.select(C.c.id).where(C.c.name == values["name"])).first() is not None:
        raise EditError("camp.err.name_taken", field="name", name=values["name"])
    cid = int(conn.execute(C.insert().values(**values).returning(C.c.id)).scalar_one())
    audit(session, "campaign_created", username=actor.username, entity="campaign", entity_id=cid,
          after={k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()})
    return cid


def update_campaign(*, session: Session, actor: Actor, campaign_id: Any, version: Any, name: Any, start_on: Any,
                    end_on: Any, motto: Any = None) -> None:
    """Change a campaign's name, motto or dates (its zones' deadlines must stay within them)."""
    actor.require(*PLANNERS)
    conn = session.connection()
    row = conn.execute(sa.select(C).where(C.c.id == _id(campaign_id, "campaign"))).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    check_version(row["version"], version)
    values = _campaign_fields(name, motto, start_on, end_on)
    if conn.execute(sa.select(C.c.id).where(C.c.name == values["name"], C.c.id != row["id"])).first() is not None:
        raise EditError("camp.err.name_taken", field="name", name=values["name"])
    outside = conn.execute(sa.select(sa.func.min(Z.c.deadline), sa.func.max(Z.c.deadline))
                           .where(Z.c.campaign_id == row["id"])).one()
    if outside[0] is not None and (outside[0] < values["start_on"] or outside[1] > values["end_on"]):
        raise EditError("camp.err.zone_deadline_outside", field="end_on", first=outside[0], last=outside[1])
    update_row(session, C, row["id"], version, values)
    audit(session, "campaign_updated", username=actor.username, entity="campaign", entity_id=row["id"],
          before=_plain(row, values), after={k: _iso(v) for k, v in values.items()})


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _plain(row, keys) -> dict:
    return {k: _iso(row[k]) for k in keys}


def _zone_fields(conn, campaign: dict, zone_id: int | None, name: Any, owner_name: Any, owner_unit_id: Any,
                 target_unions: Any, target_members: Any, deadline: Any, township_ids: Sequence[Any],
                 target_party_orgs: Any = 0, target_liaisons: Any = 0) -> tuple[dict, list[int]]:
    values = {
        "name": _text(name, "zone_name", MAX_ZONE), "owner_name": _text(owner_name, "owner_name", MAX_PERSON),
        "owner_unit_id": _id(owner_unit_id, "owner_unit"), "target_unions": _target(target_unions, "target_unions"),
        "target_members": _target(target_members, "target_members"),
        "target_party_orgs": _target(target_party_orgs, "target_party_orgs"),
        "target_liaisons": _target(target_liaisons, "target_liaisons"), "deadline": _date(deadline, "deadline"),
    }
    if conn.execute(sa.select(U.c.id).where(U.c.id == values["owner_unit_id"])).first() is None:
        raise EditError("meetings.err.unknown_unit", field="owner_unit")
    if not campaign["start_on"] <= values["deadline"] <= campaign["end_on"]:
        raise EditError("camp.err.deadline_outside", field="deadline", start=campaign["start_on"], end=campaign["end_on"])
    towns = sorted({_id(t, "townships") for t in township_ids or []})
    if not towns:
        raise EditError("camp.err.no_township", field="townships")
    known = {int(t) for (t,) in conn.execute(sa.select(T.c.id).where(T.c.id.in_(towns)))}
    if set(towns) - known:
        raise EditError("upkeep.err.unknown_township", field="townships", value=str(sorted(set(towns) - known)[0]))
    taken = conn.execute(
        sa.select(T.c.name, Z.c.name).join(ZT, ZT.c.township_id == T.c.id).join(Z, Z.c.id == ZT.c.zone_id)
        .where(Z.c.campaign_id == campaign["id"], ZT.c.township_id.in_(towns),
               *([Z.c.id != zone_id] if zone_id is not None else []))).first()
    if taken is not None:
        raise EditError("camp.err.township_in_zone", field="townships", township=taken[0], zone=taken[1])
    same = conn.execute(sa.select(Z.c.id).where(Z.c.campaign_id == campaign["id"], Z.c.name == values["name"],
                                                *([Z.c.id != zone_id] if zone_id is not None else []))).first()
    if same is not None:
        raise EditError("camp.err.zone_name_taken", field="zone_name", name=values["name"])
    return values, towns


def create_zone(*, session: Session, actor: Actor, campaign_id: Any, name: Any, owner_name: Any, owner_unit_id: Any,
                target_unions: Any, target_members: Any, deadline: Any, township_ids: Sequence[Any],
                target_party_orgs: Any = 0, target_liaisons: Any = 0) -> int:
    """A new zone (战区) of a campaign with its townships; returns its id."""
    actor.require(*PLANNERS)
    conn = session.connection()
    campaign = conn.execute(sa.select(C).where(C.c.id == _id(campaign_id, "campaign"))).mappings().first()
    if campaign is None:
        raise EditError("edit.gone")
    values, towns = _zone_fields(conn, dict(campaign), None, name, owner_name, owner_unit_id, target_unions,
                                 target_members, deadline, township_ids, target_party_orgs, target_liaisons)
    zid = int(conn.execute(Z.insert().values(campaign_id=campaign["id"], **values).returning(Z.c.id)).scalar_one())
    conn.execute(ZT.insert(), [{"zone_id": zid, "township_id": t} for t in towns])
    audit(session, "campaign_zone_created", username=actor.username, entity="campaign_zone", entity_id=zid,
          after={**{k: _iso(v) for k, v in values.items()}, "townships": towns, "campaign": campaign["id"]})
    return zid


def update_zone(*, session: Session, actor: Actor, zone_id: Any, version: Any, name: Any, owner_name: Any,
                owner_unit_id: Any, target_unions: Any, target_members: Any, deadline: Any,
                township_ids: Sequence[Any], target_party_orgs: Any = 0, target_liaisons: Any = 0) -> None:
    """Change a zone's name, owner, targets, deadline or townships."""
    actor.require(*PLANNERS)
    conn = session.connection()
    row = conn.execute(sa.select(Z).where(Z.c.id == _id(zone_id, "zone"))).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    check_version(row["version"], version)
    campaign = dict(conn.execute(sa.select(C).where(C.c.id == row["campaign_id"])).mappings().one())
    values, towns = _zone_fields(conn, campaign, row["id"], name, owner_name, owner_unit_id, target_unions,
                                 target_members, deadline, township_ids, target_party_orgs, target_liaisons)
    before_towns = sorted(int(t) for (t,) in conn.execute(sa.select(ZT.c.township_id).where(ZT.c.zone_id == row["id"])))
    update_row(session, Z, row["id"], version, values)
    conn.execute(ZT.delete().where(ZT.c.zone_id == row["id"]))
    conn.execute(ZT.insert(), [{"zone_id": row["id"], "township_id": t} for t in towns])
    audit(session, "campaign_zone_updated", username=actor.username, entity="campaign_zone", entity_id=row["id"],
          before={**_plain(row, values), "townships": before_towns},
          after={**{k: _iso(v) for k, v in values.items()}, "townships": towns})
