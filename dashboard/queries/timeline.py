"""The one timeline of an enterprise: its dated events as of a date, in one vocabulary.

The ledger's detail shows every event (:data:`KINDS`); a case study shows its milestones
(:data:`MILESTONE_KINDS`, ``milestones=True``): registration or restructuring, its own union and
Party organisation (or, without one, the first coverage by a joint one), every honour, the first
activity of each type and the designation in force. Both read :func:`enterprise_timeline`, so an
event has the same name (``kind``; label ``hist.<kind>``) and the same fields wherever it is shown.

Every event source is its own small ``SELECT`` with its date condition in SQL (a year-only event —
an honour — counts from 1 January of its year; a 双爱双评 award from the day its round was published;
a designation from the district's date it was made on, ``DISTRICT_TZ``); nothing is loaded to be filtered. The rows are then put in
date order, events of one day in the order of :data:`KINDS` (honours of one year: highest level first).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.dates import DISTRICT_TZ, district_time
from dashboard.queries.scope import Scope
from models.enums import ActivistStage, HonourLevel, Ownership
from models.tables import (
    ActivistRecommendation,
    Activity,
    AwardRound,
    CoordinationNotice,
    DoubleLoveAward,
    Enterprise,
    EnterpriseChange,
    FoundingLead,
    HeadcountCensus,
    Honour,
    JointMeeting,
    LiaisonOfficer,
    MembershipChange,
    ModelDesignation,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
)

E = Enterprise.__table__
UC = UnionCoverage.__table__
UO = UnionOrg.__table__
PC = PartyCoverage.__table__
PO = PartyOrg.__table__
LO = LiaisonOfficer.__table__
U = Unit.__table__
JM = JointMeeting.__table__
AC = Activity.__table__
HO = Honour.__table__
AR = ActivistRecommendation.__table__
DA = DoubleLoveAward.__table__
AWR = AwardRound.__table__
CN = CoordinationNotice.__table__
FL = FoundingLead.__table__
MD = ModelDesignation.__table__
HC = HeadcountCensus.__table__
EC = EnterpriseChange.__table__
MC = MembershipChange.__table__
TW = Township.__table__

#: the fields of an event (``organ``: the body it belongs to — enterprise, union or Party — when known)
COLUMNS = ["date", "year_only", "kind", "title", "category", "level", "organ", "unit", "detail"]

#: every event kind, in the order used for events of the same day
KINDS = (
    "registered", "restructured", "moved",
    "union_founded", "union_coverage_start", "members_changed",
    "party_org_founded", "party_coverage_start",
    "liaison_appointed",
    "census", "barrier_noted", "barrier_cleared",
    "lead_identified", "lead_closed",
    "notice_sent", "notice_acknowledged", "notice_resolved",
    "joint_meeting", "activity", "activist_recommended", "activist_stage",
    "honour", "double_love_award",
    "designated", "designation_removed",
    "liaison_ended",
    "party_coverage_end", "party_org_dissolved",
    "union_coverage_end", "union_dissolved",
    "closed",
)

#: the kinds of a case study's timeline (``milestones=True``), same order
MILESTONE_KINDS = ("registered", "restructured", "union_founded", "union_coverage_start", "party_org_founded",
                   "party_coverage_start", "activity", "honour", "designated")

#: the body an event belongs to when its kind says it (activities and honours carry their own)
ORGAN_OF_KIND = {
    **dict.fromkeys(("registered", "restructured", "closed", "designated", "designation_removed"), "enterprise"),
    **dict.fromkeys(("union_founded", "union_coverage_start", "union_coverage_end", "union_dissolved"), "union"),
    **dict.fromkeys(("party_org_founded", "party_coverage_start", "party_coverage_end", "party_org_dissolved"),
                    "party"),
}


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the district (``DISTRICT_TZ``), as a UTC datetime:
    designations made before it count on ``day``."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=DISTRICT_TZ).astimezone(dt.UTC)


def latest_designation(as_of: dt.date) -> sa.Subquery:
    """The newest designation per enterprise made by the end of ``as_of`` (one row each): the one in force."""
    ranked = (
        sa.select(MD.c.enterprise_id, MD.c.designated, MD.c.reason, MD.c.by_username, MD.c.at,
                  sa.func.row_number().over(partition_by=MD.c.enterprise_id,
                                            order_by=(MD.c.at.desc(), MD.c.id.desc())).label("rn"))
        .where(MD.c.at < end_of_day(as_of))
        .subquery("md_ranked")
    )
    return (sa.select(ranked.c.enterprise_id, ranked.c.designated, ranked.c.reason, ranked.c.by_username, ranked.c.at)
            .where(ranked.c.rn == 1).subquery("md_latest"))


def _value(v):
    return v.value if hasattr(v, "value") else v


# --------------------------------------------------------------------------- the organisations


_ORGS = {  # organisation table, coverage table, the coverage's key of the organisation
    "union": (UO, UC, "union_id"),
    "party": (PO, PC, "party_org_id"),
}


def own_or_first(session: Session, enterprise_id: int, organ: str, as_of: dt.date) -> dict | None:
    """The enterprise's own union or Party organisation (``organ``), the first founded by ``as_of``;
    without one, the organisation of its first coverage by then. The row with ``since`` (the date it
    counts from) and ``own``; None when it has neither."""
    org, cov, fk = _ORGS[organ]
    own = session.execute(
        sa.select(org).where(org.c.enterprise_id == enterprise_id, org.c.founded_on <= as_of)
        .order_by(org.c.founded_on, org.c.id).limit(1)
    ).mappings().first()
    if own is not None:
        return {**own, "since": own["founded_on"], "own": True}
    first = session.execute(
        sa.select(org, cov.c.start_on).join(cov, cov.c[fk] == org.c.id)
        .where(cov.c.enterprise_id == enterprise_id, cov.c.start_on <= as_of)
        .order_by(cov.c.start_on, cov.c.id).limit(1)
    ).mappings().first()
    return None if first is None else {**first, "since": first["start_on"], "own": False}


# --------------------------------------------------------------------------- event sources


def _event(kind, day, *, title=None, category=None, level=None, organ=None, unit=None, detail=None) -> sa.Select:
    """A SELECT of events: ``kind`` (a name or a SQL expression), the day (a date, a year or an
    instant, see :func:`_day`) and the fields (columns or None)."""
    field = lambda v, name: (sa.null() if v is None else v).label(name)
    kind = sa.literal(kind, sa.String) if isinstance(kind, str) else kind
    return sa.select(kind.label("kind"), day.label("day"), field(title, "title"), field(category, "category"),
                     field(level, "level"), field(organ, "organ"), field(unit, "unit"), field(detail, "detail"))


def _participants(col: sa.ColumnElement) -> sa.ColumnElement:
    """An activity's number of participants as its detail (none when not recorded)."""
    return sa.case((col > 0, sa.cast(col, sa.String)), else_=sa.null())


def _headcounts() -> sa.ColumnElement:
    """A census as "120 / 5" (employees / Party members), "120 / 5 / 96" with its union members."""
    text = sa.cast(HC.c.employees, sa.String) + " / " + sa.cast(HC.c.party_members, sa.String)
    return sa.case((HC.c.union_members.is_(None), text),
                   else_=text + " / " + sa.cast(HC.c.union_members, sa.String))


def _sources(eid: int, as_of: dt.date, milestones: bool) -> list[tuple[str, sa.Select]]:
    """(how the day is stored, SELECT) of every event source; each with its date condition."""
    on = lambda col: sa.and_(col.is_not(None), col <= as_of)
    in_year = lambda col: col <= as_of.year  # a year-only event counts from 1 January
    restructured = sa.case((E.c.ownership == Ownership.RESTRUCTURED, "restructured"), else_="registered")
    sources: list[tuple[str, sa.Select]] = [
        ("date", _event(restructured, E.c.registered_on, title=E.c.name)
         .where(E.c.id == eid, on(E.c.registered_on))),
        ("year", _event("honour", HO.c.year, title=HO.c.title, level=HO.c.level, organ=HO.c.organ,
                        unit=HO.c.awarding_body).where(HO.c.enterprise_id == eid, in_year(HO.c.year))
         .order_by(sa.case(*((HO.c.level == lv, i) for i, lv in enumerate(HonourLevel)), else_=-1).desc(), HO.c.id)),
    ]
    if milestones:
        first = (sa.select(AC.c.held_on, AC.c.title, AC.c.kind, AC.c.organ, AC.c.participants,
                           sa.func.row_number().over(partition_by=AC.c.kind, order_by=(AC.c.held_on, AC.c.id))
                           .label("rn"))
                 .where(AC.c.enterprise_id == eid, on(AC.c.held_on)).subquery("first_activities"))
        d = latest_designation(as_of)
        return [*sources,
                ("date", _event("activity", first.c.held_on, title=first.c.title, category=first.c.kind,
                                organ=first.c.organ, detail=_participants(first.c.participants))
                 .where(first.c.rn == 1)),
                ("instant", _event("designated", d.c.at, title=d.c.reason)
                 .where(d.c.enterprise_id == eid, d.c.designated.is_(True)))]

    # its own organisation (a joint one has no enterprise: NULL, so "not own" must not be NULL too)
    own_union = sa.and_(UO.c.enterprise_id.is_not(None), UO.c.enterprise_id == eid)
    own_party = sa.and_(PO.c.enterprise_id.is_not(None), PO.c.enterprise_id == eid)
    unit = U.alias("unit")
    sender = U.alias("sender")
    src, dst = TW.alias("from_township"), TW.alias("to_township")
    return [
        *sources,
        ("date", _event("closed", E.c.closed_on, title=E.c.name).where(E.c.id == eid, on(E.c.closed_on))),
        # unions: its own union's founding and dissolution; every coverage period (own or joint) —
        # the start or end of its own union's coverage on its founding or dissolution day is that event
        ("date", _event("union_founded", UO.c.founded_on, title=UO.c.name, category=UO.c.kind,
                        detail=UO.c.chair_name).where(own_union, on(UO.c.founded_on))),
        ("date", _event("union_dissolved", UO.c.dissolved_on, title=UO.c.name, category=UO.c.kind)
         .where(own_union, on(UO.c.dissolved_on))),
        ("date", _event("union_coverage_start", UC.c.start_on, title=UO.c.name, category=UO.c.kind)
         .join_from(UC, UO, UO.c.id == UC.c.union_id)
         .where(UC.c.enterprise_id == eid, on(UC.c.start_on),
                sa.not_(sa.and_(own_union, UC.c.start_on == UO.c.founded_on)))),
        ("date", _event("union_coverage_end", UC.c.end_on, title=UO.c.name, category=UO.c.kind)
         .join_from(UC, UO, UO.c.id == UC.c.union_id)
         .where(UC.c.enterprise_id == eid, on(UC.c.end_on),
                sa.not_(sa.and_(own_union, UO.c.dissolved_on.is_not(None), UC.c.end_on == UO.c.dissolved_on)))),
        # Party organisations, the same way (a joint branch has no enterprise of its own)
        ("date", _event("party_org_founded", PO.c.founded_on, title=PO.c.name, level=PO.c.level,
                        detail=PO.c.secretary_name).where(own_party, on(PO.c.founded_on))),
        ("date", _event("party_org_dissolved", PO.c.dissolved_on, title=PO.c.name, level=PO.c.level)
         .where(own_party, on(PO.c.dissolved_on))),
        ("date", _event("party_coverage_start", PC.c.start_on, title=PO.c.name, level=PO.c.level)
         .join_from(PC, PO, PO.c.id == PC.c.party_org_id)
         .where(PC.c.enterprise_id == eid, on(PC.c.start_on),
                sa.not_(sa.and_(own_party, PC.c.start_on == PO.c.founded_on)))),
        ("date", _event("party_coverage_end", PC.c.end_on, title=PO.c.name, level=PO.c.level)
         .join_from(PC, PO, PO.c.id == PC.c.party_org_id)
         .where(PC.c.enterprise_id == eid, on(PC.c.end_on),
                sa.not_(sa.and_(own_party, PO.c.dissolved_on.is_not(None), PC.c.end_on == PO.c.dissolved_on)))),
        *(("date", _event(kind, col, title=LO.c.name, category=LO.c.kind, unit=unit.c.name)
           .select_from(LO.outerjoin(unit, unit.c.id == LO.c.dispatched_by_unit_id))
           .where(LO.c.enterprise_id == eid, on(col)))
          for kind, col in (("liaison_appointed", LO.c.appointed_on), ("liaison_ended", LO.c.ended_on))),
        # a headcount census kept by an import: employees / Party members (/ union members)
        ("date", _event("census", HC.c.census_on, detail=_headcounts())
         .where(HC.c.enterprise_id == eid, on(HC.c.census_on))),
        # union members joining and leaving: "+5 / −1"
        ("date", _event("members_changed", MC.c.changed_on,
                        detail="+" + sa.cast(MC.c.joined, sa.String) + " / −" + sa.cast(MC.c.left_count, sa.String))
         .where(MC.c.enterprise_id == eid, on(MC.c.changed_on))),
        # a move to another township (recorded from the ledger's detail): "from → to"
        ("date", _event("moved", EC.c.changed_on, title=src.c.name + " → " + dst.c.name, detail=EC.c.username)
         .select_from(EC.outerjoin(src, src.c.code == EC.c.before_value).outerjoin(dst, dst.c.code == EC.c.after_value))
         .where(EC.c.enterprise_id == eid, EC.c.kind == "moved", on(EC.c.changed_on))),
        # a barrier (五难) noted or cleared: the barrier's code as the title (``views.ledger`` names it)
        ("date", _event(sa.case((EC.c.after_value.is_(None), "barrier_cleared"), else_="barrier_noted"),
                        EC.c.changed_on, title=sa.func.coalesce(EC.c.after_value, EC.c.before_value),
                        detail=EC.c.username)
         .where(EC.c.enterprise_id == eid, EC.c.kind == "barrier", on(EC.c.changed_on))),
        ("date", _event("joint_meeting", JM.c.held_on, title=JM.c.title, category=JM.c.level, detail=JM.c.agenda)
         .where(JM.c.enterprise_id == eid, on(JM.c.held_on))),
        ("date", _event("activity", AC.c.held_on, title=AC.c.title, category=AC.c.kind, organ=AC.c.organ,
                        detail=_participants(AC.c.participants))
         .where(AC.c.enterprise_id == eid, on(AC.c.held_on))),
        # 荐优纳新推评制: each stage a person reached, by its stage — never the person's name (personal data:
        # names only on /development, for staff and the person's township)
        ("date", _event("activist_recommended", AR.c.recommended_on, category=sa.literal("recommended", sa.String))
         .where(AR.c.enterprise_id == eid, on(AR.c.recommended_on))),
        *(("date", _event("activist_stage", AR.c[column], title=sa.literal(stage.value, sa.String),
                          category=sa.literal(stage.value, sa.String))
           .where(AR.c.enterprise_id == eid, on(AR.c[column])))
          for stage, column in ((ActivistStage.ACTIVIST, "activist_on"), (ActivistStage.CANDIDATE, "candidate_on"),
                                (ActivistStage.PROBATIONARY, "probationary_on"), (ActivistStage.MEMBER, "member_on"),
                                (ActivistStage.WITHDRAWN, "withdrawn_on"))),
        # a 双爱双评 award, from the day its round was published (0020; nominations not awarded are not events)
        ("date", _event("double_love_award", AWR.c.awarded_on, title=DA.c.person_name, category=DA.c.category)
         .join_from(DA, AWR, AWR.c.id == DA.c.round_id)
         .where(DA.c.enterprise_id == eid, DA.c.stage == "awarded", on(AWR.c.awarded_on))),
        *(("date", _event(kind, col, category=CN.c.direction, unit=sender.c.name, detail=CN.c.note)
           .join_from(CN, sender, sender.c.id == CN.c.from_unit_id).where(CN.c.enterprise_id == eid, on(col)))
          for kind, col in (("notice_sent", CN.c.sent_on), ("notice_acknowledged", CN.c.acknowledged_on),
                            ("notice_resolved", CN.c.resolved_on))),
        ("date", _event("lead_identified", FL.c.identified_on, title=FL.c.enterprise_name, category=FL.c.source,
                        unit=unit.c.name, detail=FL.c.note)
         .join_from(FL, unit, unit.c.id == FL.c.owner_unit_id)
         .where(FL.c.enterprise_id == eid, on(FL.c.identified_on))),
        ("date", _event("lead_closed", FL.c.closed_on, title=FL.c.enterprise_name, category=FL.c.stage,
                        unit=unit.c.name)
         .join_from(FL, unit, unit.c.id == FL.c.owner_unit_id)
         .where(FL.c.enterprise_id == eid, on(FL.c.closed_on))),
        # designations and removals by the federation's staff, on the district's date they were made
        ("instant", _event(sa.case((MD.c.designated.is_(True), "designated"), else_="designation_removed"), MD.c.at,
                           title=MD.c.reason)
         .where(MD.c.enterprise_id == eid, MD.c.at < end_of_day(as_of))),
    ]


def _day(value, stored: str) -> dt.date:
    if stored == "year":
        return dt.date(int(value), 1, 1)
    if stored == "instant":
        return district_time(value).date()
    return value


def enterprise_timeline(session: Session, scope: Scope, enterprise_id: int, as_of: dt.date, *,
                        milestones: bool = False) -> pd.DataFrame:
    """The events of one enterprise up to ``as_of`` (:data:`COLUMNS`), in date order; empty when
    it does not exist or lies outside ``scope`` (checked in SQL). ``milestones``: only a case
    study's events (:data:`MILESTONE_KINDS`), else every event (:data:`KINDS`)."""
    eid = session.execute(
        sa.select(E.c.id).where(E.c.id == int(enterprise_id), scope.where(E.c.township_id))
    ).scalar_one_or_none()
    events: list[dict] = []
    if eid is not None:
        for stored, stmt in _sources(int(eid), as_of, milestones):
            for r in session.execute(stmt).mappings():
                kind = str(r["kind"])
                events.append({
                    "date": _day(r["day"], stored), "year_only": stored == "year", "kind": kind,
                    "title": r["title"], "category": _value(r["category"]), "level": _value(r["level"]),
                    "organ": _value(r["organ"]) or ORGAN_OF_KIND.get(kind), "unit": r["unit"], "detail": r["detail"],
                })
        if milestones:
            events += _first_organisations(session, int(eid), as_of)
    df = pd.DataFrame(events, columns=COLUMNS, dtype=object)
    df["year_only"] = df["year_only"].astype(bool)
    if df.empty:
        return df
    rank = {k: i for i, k in enumerate(KINDS)}
    df = df.assign(_rank=df["kind"].map(rank), _title=df["title"].fillna("").astype(str))
    df = df.sort_values(["date", "_rank", "_title"], kind="stable").drop(columns=["_rank", "_title"])
    return df.reset_index(drop=True)


def _first_organisations(session: Session, eid: int, as_of: dt.date) -> list[dict]:
    """A case study's union and Party organisation events: its own (founded), else its first coverage."""
    events = []
    for organ, founded, covered in (("union", "union_founded", "union_coverage_start"),
                                    ("party", "party_org_founded", "party_coverage_start")):
        org = own_or_first(session, eid, organ, as_of)
        if org is None:
            continue
        head = org.get("chair_name") if organ == "union" else org.get("secretary_name")
        events.append({
            "date": org["since"], "year_only": False, "kind": founded if org["own"] else covered, "title": org["name"],
            "category": _value(org.get("kind")) if organ == "union" else None,
            "level": _value(org.get("level")) if organ == "party" else None, "organ": organ, "unit": None,
            "detail": head if org["own"] else None,  # as the full timeline: the head on a founding
        })
    return events
