"""What the event forms of the ledger's detail (台账维护) offer for one enterprise (no Streamlit).

Read with the person's *own* scope (never the township filter): the organisations it may join, the
townships it may move the enterprise to, the liaison officers serving, and the enterprise's state
on the day (its union, its Party organisation, its members) that decides which events make sense.
The edits (``dashboard.edits.enterprises``) check all of it again against the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import active, headcount_as_of
from dashboard.queries.scope import Scope
from models import rules
from models.enums import PartyOrgLevel, UnionKind
from models.tables import (
    Enterprise,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
)

E = Enterprise.__table__
LO = LiaisonOfficer.__table__
MC = MembershipChange.__table__
PC = PartyCoverage.__table__
PO = PartyOrg.__table__
T = Township.__table__
UC = UnionCoverage.__table__
UO = UnionOrg.__table__
U = Unit.__table__


@dataclass(frozen=True)
class UpkeepOptions:
    enterprise_id: int
    version: int
    township_id: int
    registered_on: dt.date
    closed_on: dt.date | None
    employees: int
    party_members: int
    barrier: str | None
    union: dict | None  # the coverage in force: union_id, name, kind, own, start_on
    members: int  # union members on the day
    party_org: dict | None  # party_org_id, name, level, own, start_on
    expected_level: PartyOrgLevel | None  # what its Party members call for (rules.expected_party_org_level)
    liaisons: list[dict] = field(default_factory=list)  # serving: id, name, kind, appointed_on
    joint_unions: list[dict] = field(default_factory=list)  # id, name, township
    joint_branches: list[dict] = field(default_factory=list)  # id, name, township
    townships: list[dict] = field(default_factory=list)  # id, code, name: where it may be moved
    units: list[dict] = field(default_factory=list)  # id, name: who may dispatch an instructor
    fixed_premises: bool = True  # the 三有 flags as last verified
    trading: bool = True


def _in_force(session: Session, cov: sa.Table, org: sa.Table, fk: str, kind: sa.Column, eid: int,
              day: dt.date):
    """The coverage of the enterprise in force on ``day`` (the latest started): the organisation's id
    (under ``fk``), name, kind or level, the start, and whether it is the enterprise's own."""
    return session.execute(
        sa.select(cov.c[fk], org.c.name, kind, cov.c.start_on, (org.c.enterprise_id == eid).label("own"))
        .join(org, org.c.id == cov.c[fk])
        .where(cov.c.enterprise_id == eid, active(cov.c.start_on, cov.c.end_on, day))
        .order_by(cov.c.start_on.desc()).limit(1)
    ).mappings().first()


def upkeep_options(session: Session, scope: Scope, enterprise_id: int, day: dt.date) -> UpkeepOptions | None:
    """The forms' choices for one enterprise on ``day`` (the district's today); None when it does
    not exist or lies outside ``scope`` (checked in SQL)."""
    row = session.execute(
        sa.select(E.c.id, E.c.version, E.c.township_id, E.c.registered_on, E.c.closed_on, E.c.barrier,
                  E.c.fixed_premises, E.c.trading, headcount_as_of("employees", day).label("employees"),
                  headcount_as_of("party_members", day).label("party_members"))
        .where(E.c.id == int(enterprise_id), scope.where(E.c.township_id))
    ).mappings().first()
    if row is None:
        return None
    eid = int(row["id"])
    union = _in_force(session, UC, UO, "union_id", UO.c.kind, eid, day)
    party = _in_force(session, PC, PO, "party_org_id", PO.c.level, eid, day)
    members = session.execute(sa.select(sa.func.coalesce(sa.func.sum(MC.c.joined - MC.c.left_count), 0))
                              .where(MC.c.enterprise_id == eid, MC.c.changed_on <= day)).scalar_one()
    liaisons = session.execute(
        sa.select(LO.c.id, LO.c.name, LO.c.kind, LO.c.appointed_on)
        .where(LO.c.enterprise_id == eid, LO.c.ended_on.is_(None)).order_by(LO.c.appointed_on, LO.c.id)
    ).mappings().all()
    # the joint organisations of its own township first
    alive = lambda org: sa.and_(org.c.founded_on <= day, sa.or_(org.c.dissolved_on.is_(None), org.c.dissolved_on > day))
    joint_unions = session.execute(
        sa.select(UO.c.id, UO.c.name, T.c.name.label("township")).join(T, T.c.id == UO.c.township_id)
        .where(UO.c.kind == UnionKind.JOINT.value, alive(UO), scope.where(UO.c.township_id))
        .order_by(sa.case((UO.c.township_id == row["township_id"], 0), else_=1), UO.c.name, UO.c.id)
    ).mappings().all()
    joint_branches = session.execute(
        sa.select(PO.c.id, PO.c.name, T.c.name.label("township")).join(T, T.c.id == PO.c.township_id)
        .where(PO.c.level == PartyOrgLevel.JOINT_BRANCH.value, alive(PO), scope.where(PO.c.township_id))
        .order_by(sa.case((PO.c.township_id == row["township_id"], 0), else_=1), PO.c.name, PO.c.id)
    ).mappings().all()
    towns = session.execute(sa.select(T.c.id, T.c.code, T.c.name).where(scope.where(T.c.id), T.c.id != row["township_id"])
                            .order_by(T.c.sort_order, T.c.code)).mappings().all()
    units = session.execute(sa.select(U.c.id, U.c.name).where(sa.or_(U.c.township_id.is_(None),
                                                                      scope.where(U.c.township_id)))
                            .order_by(U.c.township_id.is_not(None), U.c.township_id, U.c.id)).mappings().all()
    value = lambda v: getattr(v, "value", v)
    return UpkeepOptions(
        enterprise_id=eid, version=int(row["version"]), township_id=int(row["township_id"]),
        registered_on=row["registered_on"], closed_on=row["closed_on"], employees=int(row["employees"]),
        party_members=int(row["party_members"]), barrier=value(row["barrier"]),
        union=None if union is None else {**union, "kind": value(union["kind"]), "own": bool(union["own"])},
        members=int(members),
        party_org=None if party is None else {**party, "level": value(party["level"]), "own": bool(party["own"])},
        expected_level=rules.expected_party_org_level(int(row["party_members"])),
        liaisons=[{**r, "kind": value(r["kind"])} for r in liaisons],
        joint_unions=[dict(r) for r in joint_unions], joint_branches=[dict(r) for r in joint_branches],
        townships=[dict(r) for r in towns], units=[dict(r) for r in units],
        fixed_premises=bool(row["fixed_premises"]), trading=bool(row["trading"]),
    )
