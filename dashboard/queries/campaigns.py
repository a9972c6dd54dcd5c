"""Campaign progress (百日攻坚): new unions and new members against each zone's targets."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import MC, UO, E, summaries_fresh, summary_rows
from dashboard.queries.scope import Scope
from models.enums import UnionKind
from models.tables import Campaign, CampaignZone, CampaignZoneTownship, Unit

C = Campaign.__table__
Z = CampaignZone.__table__
ZT = CampaignZoneTownship.__table__
U = Unit.__table__

PROGRESS_COLUMNS = ["campaign", "start_on", "end_on", "zone", "owner_name", "owner_unit", "deadline", "days_left",
                    "target_unions", "new_unions", "target_members", "new_members", "whole_zone_in_scope",
                    "target_party_orgs", "new_party_orgs", "target_liaisons", "new_liaisons"]
FIGURES = ("new_unions", "new_members")


def campaigns(session: Session) -> pd.DataFrame:
    """Every campaign, newest first: id, name, motto, start_on, end_on, zones (how many), version."""
    n = sa.select(sa.func.count()).where(Z.c.campaign_id == C.c.id).scalar_subquery()
    rows = session.execute(sa.select(C.c.id, C.c.name, C.c.motto, C.c.start_on, C.c.end_on, n.label("zones"),
                                     C.c.version).order_by(C.c.start_on.desc(), C.c.id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=["id", "name", "motto", "start_on", "end_on", "zones", "version"])


def campaign_zones(session: Session, campaign_id: int) -> pd.DataFrame:
    """A campaign's zones as its forms edit them: id, name, owner_name, owner_unit_id, target_unions,
    target_members, deadline, version, township_ids (a tuple)."""
    rows = session.execute(sa.select(Z.c.id, Z.c.name, Z.c.owner_name, Z.c.owner_unit_id, Z.c.target_unions,
                                     Z.c.target_members, Z.c.target_party_orgs, Z.c.target_liaisons, Z.c.deadline,
                                     Z.c.version)
                           .where(Z.c.campaign_id == int(campaign_id)).order_by(Z.c.id)).mappings().all()
    towns: dict[int, list[int]] = {}
    for zid, tid in session.execute(sa.select(ZT.c.zone_id, ZT.c.township_id)
                                    .join(Z, Z.c.id == ZT.c.zone_id).where(Z.c.campaign_id == int(campaign_id))):
        towns.setdefault(int(zid), []).append(int(tid))
    cols = ["id", "name", "owner_name", "owner_unit_id", "target_unions", "target_members", "target_party_orgs",
            "target_liaisons", "deadline", "version", "township_ids"]
    return pd.DataFrame([{**r, "township_ids": tuple(sorted(towns.get(int(r["id"]), [])))} for r in rows], columns=cols)


def _campaign(session: Session, as_of: dt.date, campaign_id: int | None) -> dict | None:
    if campaign_id is None:
        return current_campaign(session, as_of)
    row = session.execute(sa.select(C).where(C.c.id == int(campaign_id))).mappings().first()
    return dict(row) if row else None


def current_campaign(session: Session, as_of: dt.date) -> dict | None:
    """The campaign running on ``as_of``, else the latest one that started before it."""
    row = session.execute(
        sa.select(C).where(C.c.start_on <= as_of)
        .order_by(sa.case((C.c.end_on >= as_of, 0), else_=1), C.c.start_on.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row else None


def _zones(session: Session, campaign_id: int, scope: Scope) -> list[sa.RowMapping]:
    """The campaign's zones with at least one township in scope, with how many of their townships
    the scope holds (``visible``) out of how many they have (``townships``)."""
    visible = sa.func.coalesce(sa.func.sum(sa.case((scope.where(ZT.c.township_id), 1), else_=0)), 0)
    return session.execute(
        sa.select(Z.c.id, Z.c.name, Z.c.owner_name, U.c.name.label("owner_unit"), Z.c.deadline, Z.c.target_unions,
                  Z.c.target_members, Z.c.target_party_orgs, Z.c.target_liaisons,
                  sa.func.count(ZT.c.township_id).label("townships"), visible.label("visible"))
        .join(U, U.c.id == Z.c.owner_unit_id).join(ZT, ZT.c.zone_id == Z.c.id)
        .where(Z.c.campaign_id == campaign_id)
        .group_by(Z.c.id, Z.c.name, Z.c.owner_name, U.c.name, Z.c.deadline, Z.c.target_unions, Z.c.target_members,
                  Z.c.target_party_orgs, Z.c.target_liaisons)
        .having(visible > 0)
        .order_by(Z.c.id)
    ).mappings().all()


def _achieved_summary(session: Session, scope: Scope, zone_ids: list[int], start: dt.date,
                      until: dt.date) -> dict[int, dict[str, int]]:
    """New unions and members per zone in [start, until] (townships in scope only), from the
    summary tables in one statement: the figures as of ``until`` minus those of the day before ``start``."""
    after = summary_rows(session, scope, until, FIGURES).subquery("after")
    before = summary_rows(session, scope, start - dt.timedelta(days=1), FIGURES).subquery("before")
    rows = sa.union_all(
        sa.select(after.c.township_id, *(after.c[c].label(c) for c in FIGURES)),
        sa.select(before.c.township_id, *((-before.c[c]).label(c) for c in FIGURES)),
    ).subquery("rows")
    stmt = (
        sa.select(ZT.c.zone_id, *(sa.func.coalesce(sa.func.sum(rows.c[c]), 0) for c in FIGURES))
        .join(rows, rows.c.township_id == ZT.c.township_id)
        .where(ZT.c.zone_id.in_(zone_ids))
        .group_by(ZT.c.zone_id)
    )
    return {zid: {"new_unions": int(u), "new_members": int(m)} for zid, u, m in session.execute(stmt).all()}


def _achieved_exact(session: Session, scope: Scope, zone_ids: list[int], start: dt.date,
                    until: dt.date) -> dict[int, dict[str, int]]:
    """The same figures from the source tables: grassroots unions (not federations) founded and
    members joined in [start, until], per zone, townships in scope only."""
    unions = session.execute(
        sa.select(ZT.c.zone_id, sa.func.count())
        .join(UO, UO.c.township_id == ZT.c.township_id)
        .where(ZT.c.zone_id.in_(zone_ids), scope.where(ZT.c.township_id), UO.c.founded_on.between(start, until),
               UO.c.kind != UnionKind.FEDERATION.value)
        .group_by(ZT.c.zone_id)
    ).all()
    members = session.execute(
        sa.select(ZT.c.zone_id, sa.func.coalesce(sa.func.sum(MC.c.joined), 0))
        .join(E, E.c.township_id == ZT.c.township_id).join(MC, MC.c.enterprise_id == E.c.id)
        .where(ZT.c.zone_id.in_(zone_ids), scope.where(ZT.c.township_id), MC.c.changed_on.between(start, until))
        .group_by(ZT.c.zone_id)
    ).all()
    out: dict[int, dict[str, int]] = {zid: {"new_unions": 0, "new_members": 0} for zid in zone_ids}
    for zid, n in unions:
        out[zid]["new_unions"] = int(n)
    for zid, n in members:
        out[zid]["new_members"] = int(n)
    return out


def _party_and_liaisons(session: Session, scope: Scope, zone_ids: list[int], start: dt.date,
                        until: dt.date) -> dict[int, tuple[int, int]]:
    """Per zone: Party organisations founded (any level, joint branches included) and liaison officers
    or instructors appointed in [start, until], townships in scope only — counted in SQL."""
    from models.tables import LiaisonOfficer, PartyOrg

    PO, LO = PartyOrg.__table__, LiaisonOfficer.__table__
    inside = sa.and_(ZT.c.zone_id.in_(zone_ids), scope.where(ZT.c.township_id))
    orgs = dict(session.execute(
        sa.select(ZT.c.zone_id, sa.func.count()).join(PO, PO.c.township_id == ZT.c.township_id)
        .where(inside, PO.c.founded_on.between(start, until)).group_by(ZT.c.zone_id)).all())
    liaisons = dict(session.execute(
        sa.select(ZT.c.zone_id, sa.func.count()).join(E, E.c.township_id == ZT.c.township_id)
        .join(LO, LO.c.enterprise_id == E.c.id)
        .where(inside, LO.c.appointed_on.between(start, until)).group_by(ZT.c.zone_id)).all())
    return {z: (int(orgs.get(z, 0)), int(liaisons.get(z, 0))) for z in zone_ids}


def campaign_progress(session: Session, scope: Scope, as_of: dt.date, campaign_id: int | None = None) -> pd.DataFrame:
    """One row per zone that touches the scope; achievements count only townships in scope. The
    campaign ``campaign_id``, else the one running on ``as_of`` (or the latest before it).

    The scope is applied in SQL; the figures of every zone come from one grouped query (summary
    tables when fresh — checked once — else the exact SQL)."""
    campaign = _campaign(session, as_of, campaign_id)
    if campaign is None:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    zones = _zones(session, campaign["id"], scope)
    if not zones:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    ids = [z["id"] for z in zones]
    until = min(as_of, campaign["end_on"])
    achieved = (_achieved_summary if summaries_fresh(session) else _achieved_exact)(
        session, scope, ids, campaign["start_on"], until)
    party = _party_and_liaisons(session, scope, ids, campaign["start_on"], until)
    rows = []
    for z in zones:
        done = achieved.get(z["id"], {"new_unions": 0, "new_members": 0})
        extra = party.get(z["id"], (0, 0))
        rows.append({
            "campaign": campaign["name"], "start_on": campaign["start_on"], "end_on": campaign["end_on"],
            "zone": z["name"], "owner_name": z["owner_name"], "owner_unit": z["owner_unit"], "deadline": z["deadline"],
            "days_left": (z["deadline"] - as_of).days, "target_unions": z["target_unions"],
            "new_unions": done["new_unions"], "target_members": z["target_members"],
            "new_members": done["new_members"], "whole_zone_in_scope": int(z["visible"]) == int(z["townships"]),
            "target_party_orgs": int(z["target_party_orgs"]), "new_party_orgs": extra[0],
            "target_liaisons": int(z["target_liaisons"]), "new_liaisons": extra[1],
        })
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def campaign_totals(session: Session, scope: Scope, as_of: dt.date, campaign_id: int | None = None) -> dict | None:
    """The campaign's headline figures in scope (DESIGN.md §5, fact 1): union organisations founded
    from its start to its end (or to ``as_of`` while it runs), by kind; grassroots unions are every
    kind but the private-enterprise union federations (工会联合会), which are counted apart; new
    members are everyone who joined in the period (leavers not taken off). None without a campaign."""
    from dashboard.queries.coverage import members_joined, unions_founded

    campaign = _campaign(session, as_of, campaign_id)
    if campaign is None:
        return None
    until = min(campaign["end_on"], as_of)
    by_kind = unions_founded(session, scope, campaign["start_on"], until)
    return {
        "campaign": campaign["name"], "start_on": campaign["start_on"], "end_on": campaign["end_on"], "until": until,
        "by_kind": by_kind, "federations": by_kind[UnionKind.FEDERATION],
        "grassroots": sum(n for kind, n in by_kind.items() if kind is not UnionKind.FEDERATION),
        "new_members": members_joined(session, scope, campaign["start_on"], until),
    }


BURNUP_COLUMNS = ["zone", "day", "new_unions", "new_members"]


def zone_burnup(session: Session, scope: Scope, as_of: dt.date, campaign_id: int | None = None) -> pd.DataFrame:
    """Per zone that touches the scope, its new grassroots unions and new members accumulated day by
    day from the campaign's start to its end (or ``as_of``), townships in scope only — a row on each
    day something was added, and on the first and last day. Counted in SQL from the source tables
    (the same rule as ``campaign_progress``'s exact figures)."""
    campaign = _campaign(session, as_of, campaign_id)
    if campaign is None:
        return pd.DataFrame(columns=BURNUP_COLUMNS)
    zones = {z["id"]: z["name"] for z in _zones(session, campaign["id"], scope)}
    if not zones:
        return pd.DataFrame(columns=BURNUP_COLUMNS)
    start, until = campaign["start_on"], min(as_of, campaign["end_on"])
    inside = sa.and_(ZT.c.zone_id.in_(list(zones)), scope.where(ZT.c.township_id))
    unions = session.execute(
        sa.select(ZT.c.zone_id, UO.c.founded_on, sa.func.count())
        .join(UO, UO.c.township_id == ZT.c.township_id)
        .where(inside, UO.c.founded_on.between(start, until), UO.c.kind != UnionKind.FEDERATION.value)
        .group_by(ZT.c.zone_id, UO.c.founded_on)).all()
    members = session.execute(
        sa.select(ZT.c.zone_id, MC.c.changed_on, sa.func.sum(MC.c.joined))
        .join(E, E.c.township_id == ZT.c.township_id).join(MC, MC.c.enterprise_id == E.c.id)
        .where(inside, MC.c.changed_on.between(start, until))
        .group_by(ZT.c.zone_id, MC.c.changed_on)).all()
    daily: dict[tuple[int, dt.date], list[int]] = {}
    for zid, day, n in unions:
        daily.setdefault((zid, day), [0, 0])[0] += int(n)
    for zid, day, n in members:
        daily.setdefault((zid, day), [0, 0])[1] += int(n or 0)
    rows = []
    for zid, name in zones.items():
        total_u = total_m = 0
        days = sorted({start, until, *(d for (z, d) in daily if z == zid)})
        for day in days:
            add = daily.get((zid, day), [0, 0])
            total_u, total_m = total_u + add[0], total_m + add[1]
            rows.append({"zone": name, "day": day, "new_unions": total_u, "new_members": total_m})
    return pd.DataFrame(rows, columns=BURNUP_COLUMNS)
