"""台账维护: the dated events of one enterprise, recorded from the ledger's detail between imports.

Every function takes keyword-only ``session`` and ``actor``, then the enterprise (``enterprise_id``
and the ``version`` the form showed) and the event's fields; ``today`` (the district's date) is a
parameter so tests control it. The protocol of every event (:func:`_Event`):

1. the role (``EDITORS``: a leader reads only) and the enterprise's township **as stored** are
   checked against the actor's own scope; the enterprise's row version against the form's
   (``edit.conflict`` when someone saved it since);
2. every field is validated — a date is required, not in the future, not before the registration,
   not after the closure, an end not before its start; counts are whole numbers ≥ 0 and members
   never exceed employees — and a refusal (:class:`EditError` with the field) writes nothing;
3. the enterprise row's version goes up (the first write: it locks the row, so two events of one
   enterprise never interleave), the event's rows are written, the summary tables are brought up
   to date for this enterprise alone (``models.summary.before`` / ``after``: the pages keep their
   speed), and exactly one audit event (``enterprise_event``) is added — all in the caller's
   transaction.

Each returns an :class:`EventResult`: the townships whose figures changed (for cache invalidation)
and the new rows' ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import EDITORS, Actor, EditError, check_version, update_row
from dashboard.edits.fields import count as _count
from dashboard.edits.fields import date as _date
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from dashboard.queries.dates import district_today
from models import rules, summary
from models.audit import audit, utcnow
from models.enums import Barrier, LiaisonKind, Ownership, PartyOrgLevel, UnionKind
from models.tables import (
    Enterprise,
    EnterpriseChange,
    HeadcountCensus,
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
EC = EnterpriseChange.__table__
HC = HeadcountCensus.__table__
LO = LiaisonOfficer.__table__
MC = MembershipChange.__table__
PC = PartyCoverage.__table__
PO = PartyOrg.__table__
T = Township.__table__
UC = UnionCoverage.__table__
UO = UnionOrg.__table__

MAX_NAME = 120
MAX_PERSON = 40

#: every event a form records (the audit's ``event`` and the i18n key ``upkeep.event.<kind>``)
EVENTS = (
    "close", "move", "union_found", "union_join", "union_end", "members", "party_found", "party_join",
    "party_end", "liaison_appoint", "liaison_end", "census", "barrier",
)


@dataclass(frozen=True)
class EventResult:
    """What an event changed: the townships whose figures it can move, the rows it created."""

    township_ids: frozenset[int]
    ids: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- validation


def _flag(value: Any, name: str) -> bool:
    """A yes/no field: a bool, 0/1, or the words (是/否, true/false, yes/no); anything else refused."""
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    text = str(value or "").strip().lower()
    if text in ("", "0", "false", "no", "否", "n"):
        return False
    if text in ("1", "true", "yes", "是", "y"):
        return True
    raise EditError("upkeep.err.bad_choice", field=name, value=str(value)[:40])


def _enum(enum_cls, value: Any, name: str):
    try:
        return enum_cls(getattr(value, "value", value))
    except ValueError:
        raise EditError("upkeep.err.bad_choice", field=name, value=str(value)[:40]) from None


# --------------------------------------------------------------------------- one event


class _Event:
    """The protocol every event follows (module docstring): checks, the version bump, the summary
    before and after, the audit event."""

    def __init__(self, session: Session, actor: Actor, enterprise_id: Any, version: Any, kind: str,
                 today: dt.date | None):
        actor.require(*EDITORS)
        self.session, self.actor, self.kind = session, actor, kind
        self.conn = session.connection()
        summary.lock(self.conn)  # before any read: one writer of the summaries at a time
        self.today = today or district_today()
        self.eid = _id(enterprise_id, "enterprise")
        row = self.conn.execute(sa.select(E).where(E.c.id == self.eid)).mappings().first()
        if row is None:
            raise EditError("edit.gone")
        actor.require_township(row["township_id"])
        self.version = check_version(row["version"], version)
        self.row = dict(row)
        self.towns: set[int] = {int(row["township_id"])}
        self.ids: dict[str, int] = {}
        self.fields: dict[str, Any] = {}
        self._was: summary.Before | None = None
        self._new_unions: set[int] = set()

    # --- dates

    def day(self, value: Any, name: str = "on", *, closing: bool = False) -> dt.date:
        """A required date: not in the future, not before the registration, not after the closure
        (``closing``: the closure itself)."""
        day = _date(value, name)
        if day > self.today:
            raise EditError("upkeep.err.in_future", field=name, date=self.today)
        if day < self.row["registered_on"]:
            raise EditError("upkeep.err.before_registration", field=name, date=self.row["registered_on"])
        closed = self.row["closed_on"]
        if closed is not None and not closing and day > closed:
            raise EditError("upkeep.err.after_closure", field=name, date=closed)
        return day

    # --- facts as of a day

    def open_period(self, cov: sa.Table, start: str, end: str, day: dt.date) -> dict | None:
        """The period of ``cov`` of this enterprise in force on ``day`` or starting later (None: none)."""
        return self.conn.execute(
            sa.select(cov).where(cov.c.enterprise_id == self.eid, sa.or_(cov.c[end].is_(None), cov.c[end] > day))
            .order_by(cov.c[start].desc(), cov.c.id.desc()).limit(1)
        ).mappings().first()

    def members(self, day: dt.date) -> int:
        """Union members at this enterprise on ``day`` (Σ joined − left up to it)."""
        return int(self.conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(MC.c.joined - MC.c.left_count), 0))
            .where(MC.c.enterprise_id == self.eid, MC.c.changed_on <= day)).scalar_one())

    def employees(self, day: dt.date) -> tuple[int, int]:
        """(employees, Party members) on ``day``: the latest census on or before it (its first
        census before that; the enterprise's own figures without any census)."""
        rows = self.conn.execute(sa.select(HC.c.census_on, HC.c.employees, HC.c.party_members)
                                 .where(HC.c.enterprise_id == self.eid).order_by(HC.c.census_on)).all()
        if not rows:
            return int(self.row["employees"]), int(self.row["party_members"])
        if rows[-1].census_on <= day:
            return int(self.row["employees"]), int(self.row["party_members"])
        past = [r for r in rows if r.census_on <= day] or rows[:1]
        return int(past[-1].employees), int(past[-1].party_members)

    # --- writing

    def begin(self, union_ids: set[int] = frozenset()) -> None:
        """After validation: the version bump (locks the row), then the summaries' "before"."""
        fresh = summary.is_fresh(self.conn)
        update_row(self.session, E, self.eid, self.version, {})
        own = {int(i) for (i,) in self.conn.execute(sa.select(UO.c.id).where(UO.c.enterprise_id == self.eid))}
        self._was = summary.before(self.conn, [self.eid], own | set(union_ids), fresh=fresh)

    def insert(self, table: sa.Table, values: dict, name: str | None = None) -> int:
        new_id = int(self.conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())
        if name:
            self.ids[name] = new_id
        if table is UO:
            self._new_unions.add(new_id)
        return new_id

    def finish(self, before: dict | None = None) -> EventResult:
        summary.after(self.conn, self._was, [self.eid], self._new_unions, today=self.today)
        # a joint organisation of another township counts this enterprise too (e.g. the map's check
        # of joint branches over five units, read in the branch's township): its township changed as well
        for org, cov, fk in ((UO, UC, "union_id"), (PO, PC, "party_org_id")):
            self.towns |= {int(t) for (t,) in self.conn.execute(
                sa.select(org.c.township_id).join(cov, cov.c[fk] == org.c.id)
                .where(cov.c.enterprise_id == self.eid).distinct())}
        audit(self.session, "enterprise_event", username=self.actor.username, entity="enterprise",
              entity_id=self.eid, before=before,
              after={"event": self.kind, **{k: _plain(v) for k, v in self.fields.items()}, **self.ids})
        return EventResult(frozenset(self.towns), dict(self.ids))


#: per organ ("union" / "party", as in the refusals upkeep.err.has_<organ> / no_<organ>): the organisation
#: table, the coverage table and the coverage's key of the organisation
_ORGANS = {"union": (UO, UC, "union_id"), "party": (PO, PC, "party_org_id")}


def _not_covered(ev: _Event, organ: str, day: dt.date, name: str) -> None:
    """Refused when a union (Party organisation) covers the enterprise on ``day`` or later."""
    _, cov, _ = _ORGANS[organ]
    found = ev.open_period(cov, "start_on", "end_on", day)
    if found is not None:
        raise EditError(f"upkeep.err.has_{organ}", field=name, date=found["start_on"])


def _joint_org(ev: _Event, organ: str, org_id: Any, id_field: str, is_joint, not_joint_key: str,
               day: dt.date) -> dict:
    """The joint organisation to join on ``day``: of a township in the actor's scope, founded by
    then, no dissolution recorded (even a later one: the coverage would outlive it)."""
    org_table, _, _ = _ORGANS[organ]
    org = ev.conn.execute(sa.select(org_table).where(org_table.c.id == _id(org_id, id_field))).mappings().first()
    if org is None or not is_joint(org):
        raise EditError(not_joint_key, field=id_field)
    ev.actor.require_township(org["township_id"])
    if org["founded_on"] > day or org["dissolved_on"] is not None:
        raise EditError("upkeep.err.org_not_active", field="start_on", name=org["name"])
    return dict(org)


def _coverage_to_end(ev: _Event, organ: str, day: dt.date) -> tuple[dict, dict]:
    """(coverage, organisation) in force on ``day`` with no end recorded yet: what an end ends."""
    org_table, cov, fk = _ORGANS[organ]
    found = ev.open_period(cov, "start_on", "end_on", day)
    if found is None or found["start_on"] > day:
        raise EditError(f"upkeep.err.no_{organ}", field="end_on")
    if found["end_on"] is not None:
        raise EditError("upkeep.err.ends_later", field="end_on", date=found["end_on"])
    org = ev.conn.execute(sa.select(org_table).where(org_table.c.id == found[fk])).mappings().one()
    return dict(found), dict(org)


def _end_coverage(ev: _Event, organ: str, found: dict, org: dict, day: dt.date) -> None:
    """End the coverage on ``day``; the enterprise's own organisation is dissolved with it."""
    org_table, cov, _ = _ORGANS[organ]
    ev.conn.execute(cov.update().where(cov.c.id == found["id"]).values(end_on=day))
    if org["enterprise_id"] == ev.eid and org["dissolved_on"] is None:
        ev.conn.execute(org_table.update().where(org_table.c.id == org["id"]).values(dissolved_on=day))
        ev.fields["dissolved"] = True


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


def _township_in_scope(conn, actor: Actor, value: Any, name: str) -> dict:
    """A township by id or code, in the actor's own scope."""
    text = str(value).strip()
    row = conn.execute(sa.select(T.c.id, T.c.code, T.c.name).where(T.c.code == text)).mappings().first()
    if row is None and text.isdigit():  # not a code: a township id (the form's picker sends ids)
        row = conn.execute(sa.select(T.c.id, T.c.code, T.c.name).where(T.c.id == int(text))).mappings().first()
    if row is None:
        raise EditError("upkeep.err.unknown_township", field=name, value=str(value)[:40])
    actor.require_township(row["id"])
    return dict(row)


# --------------------------------------------------------------------------- registration, closure, move


def register_enterprise(*, session: Session, actor: Actor, township: Any, uscc: str, name: str, ownership: Any,
                        industry: str, registered_on: Any, employees: Any, party_members: Any,
                        is_village: bool = False, legal_rep: str | None = None,
                        owner_is_party_member: bool = False, fixed_premises: bool = True, trading: bool = True,
                        today: dt.date | None = None) -> EventResult:
    """A newly registered enterprise (with its first headcount census on its registration day);
    ``fixed_premises`` / ``trading``: the 三有 flags as found at registration."""
    actor.require(*EDITORS)
    conn = session.connection()
    summary.lock(conn)
    today = today or district_today()
    town = _township_in_scope(conn, actor, township, "township")
    code = _text(uscc, "uscc", 18, required=True).upper()
    problem = rules.uscc_problem(code)
    if problem is not None:
        raise EditError("upkeep.err.uscc", field="uscc", reason=problem)
    if conn.execute(sa.select(E.c.id).where(E.c.uscc == code)).first() is not None:
        raise EditError("upkeep.err.uscc_taken", field="uscc", value=code)
    values = {
        "uscc": code, "name": _text(name, "name", MAX_NAME, required=True),
        "ownership": _enum(Ownership, ownership, "ownership").value,
        "industry": _text(industry, "industry", 40, required=True),
        "registered_on": _date(registered_on, "registered_on"),
        "employees": _count(employees, "employees"), "party_members": _count(party_members, "party_members"),
        "is_village": _flag(is_village, "is_village"),
        "legal_rep": _text(legal_rep, "legal_rep", MAX_PERSON, required=False),
        "owner_is_party_member": _flag(owner_is_party_member, "owner_is_party_member"), "township_id": town["id"],
        "fixed_premises": _flag(fixed_premises, "fixed_premises"), "trading": _flag(trading, "trading"),
    }
    if values["registered_on"] > today:
        raise EditError("upkeep.err.in_future", field="registered_on", date=today)
    if values["party_members"] > values["employees"]:
        raise EditError("upkeep.err.members_gt_employees", field="party_members",
                        members=values["party_members"], employees=values["employees"])
    fresh = summary.is_fresh(conn)
    was = summary.before(conn, [], fresh=fresh)
    eid = int(conn.execute(E.insert().values(**values).returning(E.c.id)).scalar_one())
    conn.execute(HC.insert().values(enterprise_id=eid, census_on=values["registered_on"],
                                    employees=values["employees"], party_members=values["party_members"]))
    summary.after(conn, was, [eid], today=today)
    made = _leads().leads_for_registrations(conn, [eid], actor.username)  # 盯住源头: a new registration is a lead
    ids = {"enterprise": eid, **({"lead": made[0]} if made else {})}
    audit(session, "enterprise_event", username=actor.username, entity="enterprise", entity_id=eid,
          after={"event": "register", **{k: _plain(v) for k, v in values.items()}, "township": town["code"],
                 **({"lead": made[0]} if made else {})})
    return EventResult(frozenset({town["id"]}), ids)


def close_enterprise(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, closed_on: Any,
                     today: dt.date | None = None) -> EventResult:
    """注销: the enterprise stops counting from this day (its organisations' periods stay as recorded)."""
    ev = _Event(session, actor, enterprise_id, version, "close", today)
    if ev.row["closed_on"] is not None:
        raise EditError("upkeep.err.already_closed", field="closed_on", date=ev.row["closed_on"])
    day = ev.day(closed_on, "closed_on", closing=True)
    later = _last_event(ev)
    if later is not None and later > day:
        raise EditError("upkeep.err.events_after", field="closed_on", date=later)
    ev.fields = {"closed_on": day}
    ev.begin()
    ev.conn.execute(E.update().where(E.c.id == ev.eid).values(closed_on=day))
    return ev.finish({"closed_on": None})


def _last_event(ev: _Event) -> dt.date | None:
    """The latest date of anything recorded for the enterprise (its own organisations' foundings and
    dissolutions, coverage periods' starts and ends, membership changes, liaison officers, censuses,
    moves and barriers)."""
    eid = ev.eid
    dates = [
        sa.select(sa.func.max(UO.c.founded_on)).where(UO.c.enterprise_id == eid),
        sa.select(sa.func.max(PO.c.founded_on)).where(PO.c.enterprise_id == eid),
        sa.select(sa.func.max(UC.c.start_on)).where(UC.c.enterprise_id == eid),
        sa.select(sa.func.max(PC.c.start_on)).where(PC.c.enterprise_id == eid),
        sa.select(sa.func.max(MC.c.changed_on)).where(MC.c.enterprise_id == eid),
        sa.select(sa.func.max(LO.c.appointed_on)).where(LO.c.enterprise_id == eid),
        sa.select(sa.func.max(HC.c.census_on)).where(HC.c.enterprise_id == eid),
        sa.select(sa.func.max(EC.c.changed_on)).where(EC.c.enterprise_id == eid),
        sa.select(sa.func.max(UO.c.dissolved_on)).where(UO.c.enterprise_id == eid),
        sa.select(sa.func.max(PO.c.dissolved_on)).where(PO.c.enterprise_id == eid),
        sa.select(sa.func.max(UC.c.end_on)).where(UC.c.enterprise_id == eid),
        sa.select(sa.func.max(PC.c.end_on)).where(PC.c.enterprise_id == eid),
        sa.select(sa.func.max(LO.c.ended_on)).where(LO.c.enterprise_id == eid),
    ]
    found = [ev.conn.execute(stmt).scalar() for stmt in dates]
    found = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in found if d is not None]
    return max(found) if found else None


def move_enterprise(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, township: Any,
                    moved_on: Any, today: dt.date | None = None) -> EventResult:
    """迁移: to another township (the actor must hold both). Its own union and Party organisation move
    with it; the move is kept in ``enterprise_change``. Figures count an enterprise's whole history
    in the township it is in now (as an import does) — see docs/upkeep.md."""
    ev = _Event(session, actor, enterprise_id, version, "move", today)
    if ev.row["closed_on"] is not None:
        raise EditError("upkeep.err.already_closed", field="moved_on", date=ev.row["closed_on"])
    day = ev.day(moved_on, "moved_on")
    last_move = ev.conn.execute(sa.select(sa.func.max(EC.c.changed_on))
                                .where(EC.c.enterprise_id == ev.eid, EC.c.kind == "moved")).scalar()
    if last_move is not None and day < last_move:
        raise EditError("upkeep.err.before_last_move", field="moved_on", date=last_move)
    town = _township_in_scope(ev.conn, actor, township, "township")
    old = int(ev.row["township_id"])
    if town["id"] == old:
        raise EditError("upkeep.err.same_township", field="township")
    old_code = ev.conn.execute(sa.select(T.c.code).where(T.c.id == old)).scalar_one()
    ev.fields = {"moved_on": day, "township": town["code"], "from": old_code}
    ev.towns.add(int(town["id"]))
    ev.begin()
    ev.conn.execute(E.update().where(E.c.id == ev.eid).values(township_id=town["id"]))
    for org in (UO, PO):
        ev.conn.execute(org.update().where(org.c.enterprise_id == ev.eid).values(township_id=town["id"]))
    leads = _leads().follow_move(ev.conn, ev.eid, int(town["id"]))  # its founding leads go with it
    if leads:
        ev.fields["leads"] = leads
    ev.insert(EC, {"enterprise_id": ev.eid, "kind": "moved", "changed_on": day, "before_value": old_code,
                   "after_value": town["code"], "username": actor.username, "at": utcnow()}, "change")
    return ev.finish({"township": old_code})


# --------------------------------------------------------------------------- unions


def _leads():
    from dashboard.edits import leads  # it builds on this module's events (found_union)

    return leads


def _close_lead(ev: _Event, union_id: int, day: dt.date) -> None:
    """The enterprise's open founding lead, if any, is 已建会 with this union (``edits.leads``)."""
    lead = _leads().founded_by_union(ev.conn, ev.eid, union_id, day, ev.actor.username)
    if lead is not None:
        ev.ids["lead"] = lead


def found_union(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, founded_on: Any, name: str,
                members: Any = 0, chair_name: str | None = None, has_workers_congress: bool = False,
                today: dt.date | None = None) -> EventResult:
    """建会: the enterprise's own union, covering it from its founding, with its first members."""
    ev = _Event(session, actor, enterprise_id, version, "union_found", today)
    day = ev.day(founded_on, "founded_on")
    _not_covered(ev, "union", day, "founded_on")
    count = _count(members, "members")
    _members_fit(ev, day, ev.members(day) + count, "members")
    _check_members(ev, [(day, count)], "members")
    ev.fields = {"founded_on": day, "name": _text(name, "name", MAX_NAME, required=True), "members": count,
                 "chair_name": _text(chair_name, "chair_name", MAX_PERSON, required=False)}
    ev.begin()
    uid = ev.insert(UO, {"name": ev.fields["name"], "kind": UnionKind.ENTERPRISE.value,
                         "township_id": ev.row["township_id"], "enterprise_id": ev.eid, "founded_on": day,
                         "chair_name": ev.fields["chair_name"], "has_workers_congress": bool(has_workers_congress)},
                    "union")
    ev.insert(UC, {"union_id": uid, "enterprise_id": ev.eid, "start_on": day}, "union_coverage")
    if count:
        ev.insert(MC, {"union_id": uid, "enterprise_id": ev.eid, "changed_on": day, "joined": count,
                       "left_count": 0}, "membership_change")
    _close_lead(ev, uid, day)
    return ev.finish()


def join_union(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, union_id: Any, start_on: Any,
               members: Any = 0, today: dt.date | None = None) -> EventResult:
    """加入联合工会: covered by a joint union (of a township in the actor's scope) from this day."""
    ev = _Event(session, actor, enterprise_id, version, "union_join", today)
    day = ev.day(start_on, "start_on")
    union = _joint_org(ev, "union", union_id, "union", lambda o: o["kind"] == UnionKind.JOINT.value,
                       "upkeep.err.not_joint_union", day)
    _not_covered(ev, "union", day, "start_on")
    count = _count(members, "members")
    _members_fit(ev, day, ev.members(day) + count, "members")
    _check_members(ev, [(day, count)], "members")
    ev.fields = {"start_on": day, "union": union["name"], "members": count}
    ev.begin({int(union["id"])})
    ev.insert(UC, {"union_id": union["id"], "enterprise_id": ev.eid, "start_on": day}, "union_coverage")
    if count:
        ev.insert(MC, {"union_id": union["id"], "enterprise_id": ev.eid, "changed_on": day, "joined": count,
                       "left_count": 0}, "membership_change")
    _close_lead(ev, int(union["id"]), day)
    return ev.finish()


def end_union(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, end_on: Any,
              today: dt.date | None = None) -> EventResult:
    """工会撤销 / 退出联合工会: the coverage in force ends this day; its own union is dissolved with it;
    its members leave (recorded, so a later union starts from its own members)."""
    ev = _Event(session, actor, enterprise_id, version, "union_end", today)
    day = ev.day(end_on, "end_on")
    cov, union = _coverage_to_end(ev, "union", day)
    later = ev.conn.execute(sa.select(sa.func.max(MC.c.changed_on)).where(MC.c.enterprise_id == ev.eid)).scalar()
    if later is not None and later > day:
        raise EditError("upkeep.err.members_after", field="end_on", date=later)
    ev.fields = {"end_on": day, "union": union["name"]}
    ev.begin({int(union["id"])})
    _end_coverage(ev, "union", cov, union, day)
    left = ev.members(day)
    if left > 0:
        ev.insert(MC, {"union_id": union["id"], "enterprise_id": ev.eid, "changed_on": day, "joined": 0,
                       "left_count": left}, "membership_change")
    return ev.finish({"end_on": None})


def change_members(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, changed_on: Any,
                   joined: Any = 0, left: Any = 0, today: dt.date | None = None) -> EventResult:
    """会员变动: members joining and leaving the union at this enterprise on a day."""
    ev = _Event(session, actor, enterprise_id, version, "members", today)
    day = ev.day(changed_on, "changed_on")
    n_in, n_out = _count(joined, "joined"), _count(left, "left")
    if n_in == 0 and n_out == 0:
        raise EditError("upkeep.err.no_change", field="joined")
    cov = ev.open_period(UC, "start_on", "end_on", day)
    if cov is None or cov["start_on"] > day:
        raise EditError("upkeep.err.no_union", field="changed_on")
    if cov["end_on"] is not None:  # the members left when it ended: a change inside it would outlive it
        raise EditError("upkeep.err.union_ended", field="changed_on", date=cov["end_on"])
    now = ev.members(day)
    if n_out > now:
        raise EditError("upkeep.err.left_gt_members", field="left", left=n_out, members=now)
    _members_fit(ev, day, now + n_in - n_out, "joined")
    _check_members(ev, [(day, n_in - n_out)], "left" if n_out > n_in else "joined")
    ev.fields = {"changed_on": day, "joined": n_in, "left": n_out}
    ev.begin({int(cov["union_id"])})
    ev.insert(MC, {"union_id": cov["union_id"], "enterprise_id": ev.eid, "changed_on": day, "joined": n_in,
                   "left_count": n_out}, "membership_change")
    return ev.finish()


def _members_timeline(ev: _Event, changes: list[tuple[dt.date, int]], census: tuple[dt.date, int] | None = None
                      ) -> dict[dt.date, tuple[int, int]]:
    """Union members and employees of the enterprise at every date from the earliest of ``changes`` /
    ``census`` on where either changes (its membership changes and censuses, with these added):
    date → (members, employees)."""
    rows = ev.conn.execute(sa.select(MC.c.changed_on, MC.c.joined - MC.c.left_count)
                           .where(MC.c.enterprise_id == ev.eid)).all()
    moves = [(d, int(n)) for d, n in rows] + list(changes)
    series = sorted([(c, int(e)) for c, e in ev.conn.execute(
        sa.select(HC.c.census_on, HC.c.employees).where(HC.c.enterprise_id == ev.eid)).all()]
        + ([census] if census else []))
    own = census[1] if census and (not series or census[0] >= series[-1][0]) else int(ev.row["employees"])
    start = min([d for d, _ in changes] + ([census[0]] if census else []))
    points = sorted({start, *(d for d, _ in moves if d >= start), *(c for c, _ in series if c >= start)})
    out = {}
    for d in points:
        past = [e for c, e in series if c <= d]
        employees = own if not series or series[-1][0] <= d else (past[-1] if past else series[0][1])
        out[d] = (sum(n for c, n in moves if c <= d), employees)
    return out


def _check_members(ev: _Event, changes: list[tuple[dt.date, int]], name: str,
                   census: tuple[dt.date, int] | None = None) -> None:
    """The union's members must never go below 0 nor above the employees, on the event's day or any
    later one (a back-dated change moves every later count). A day that was already wrong before the
    event is not held against it, unless the event makes it worse."""
    after = _members_timeline(ev, changes, census)
    before = _members_timeline(ev, [(d, 0) for d, _ in changes] or [(census[0], 0)])
    for day, (members, employees) in after.items():
        was_members, was_employees = before.get(day, (None, None))
        if members < 0 and (was_members is None or members < min(was_members, 0)):
            raise EditError("upkeep.err.members_negative", field=name, date=day, members=members)
        over, was_over = members - employees, (None if was_members is None else was_members - was_employees)
        if over > 0 and (was_over is None or over > max(was_over, 0)):
            raise EditError("upkeep.err.union_members_gt_employees_on", field=name, date=day, members=members,
                            employees=employees)


def _members_fit(ev: _Event, day: dt.date, members: int, name: str) -> None:
    employees, _ = ev.employees(day)
    if members > employees:
        raise EditError("upkeep.err.union_members_gt_employees", field=name, members=members, employees=employees)


# --------------------------------------------------------------------------- Party organisations


def found_party_org(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, founded_on: Any, name: str,
                    level: Any, secretary_name: str | None = None, confirm_level: bool = False,
                    today: dt.date | None = None) -> EventResult:
    """建立党组织: its own 党委 / 党总支 / 党支部, covering it from its founding. A level other than the
    one its Party members call for (``rules.expected_party_org_level``) is refused with
    ``upkeep.warn.level`` unless the person confirmed it (``confirm_level``)."""
    ev = _Event(session, actor, enterprise_id, version, "party_found", today)
    day = ev.day(founded_on, "founded_on")
    lvl = _enum(PartyOrgLevel, level, "level")
    if lvl == PartyOrgLevel.JOINT_BRANCH:
        raise EditError("upkeep.err.joint_branch_own", field="level")
    _not_covered(ev, "party", day, "founded_on")
    _, party_members = ev.employees(day)
    expected = rules.expected_party_org_level(party_members)
    if lvl != expected and not confirm_level:
        if expected is None:
            raise EditError("upkeep.warn.level_none", field="level", members=party_members, level=lvl)
        raise EditError("upkeep.warn.level", field="level", members=party_members, expected=expected, level=lvl)
    ev.fields = {"founded_on": day, "name": _text(name, "name", MAX_NAME, required=True), "level": lvl,
                 "secretary_name": _text(secretary_name, "secretary_name", MAX_PERSON, required=False),
                 "level_confirmed": lvl != expected}
    ev.begin()
    pid = ev.insert(PO, {"name": ev.fields["name"], "level": lvl.value, "township_id": ev.row["township_id"],
                         "enterprise_id": ev.eid, "founded_on": day, "secretary_name": ev.fields["secretary_name"]},
                    "party_org")
    ev.insert(PC, {"party_org_id": pid, "enterprise_id": ev.eid, "start_on": day}, "party_coverage")
    return ev.finish()


def join_party_org(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, party_org_id: Any,
                   start_on: Any, today: dt.date | None = None) -> EventResult:
    """加入联合党支部: covered by a joint branch (of a township in the actor's scope) from this day."""
    ev = _Event(session, actor, enterprise_id, version, "party_join", today)
    day = ev.day(start_on, "start_on")
    org = _joint_org(ev, "party", party_org_id, "party_org", lambda o: o["level"] == PartyOrgLevel.JOINT_BRANCH.value,
                     "upkeep.err.not_joint_branch", day)
    _not_covered(ev, "party", day, "start_on")
    ev.fields = {"start_on": day, "party_org": org["name"]}
    ev.begin()
    ev.insert(PC, {"party_org_id": org["id"], "enterprise_id": ev.eid, "start_on": day}, "party_coverage")
    return ev.finish()


def end_party_org(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, end_on: Any,
                  today: dt.date | None = None) -> EventResult:
    """党组织撤销 / 退出联合党支部: the coverage in force ends this day; its own organisation is dissolved."""
    ev = _Event(session, actor, enterprise_id, version, "party_end", today)
    day = ev.day(end_on, "end_on")
    cov, org = _coverage_to_end(ev, "party", day)
    ev.fields = {"end_on": day, "party_org": org["name"]}
    ev.begin()
    _end_coverage(ev, "party", cov, org, day)
    return ev.finish({"end_on": None})


# --------------------------------------------------------------------------- liaison officers


def appoint_liaison(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, name: str, kind: Any,
                    appointed_on: Any, unit_id: Any = None, today: dt.date | None = None) -> EventResult:
    """党建联络员 (own: one of its Party members) or 党建指导员 (dispatched: sent by a unit) from this day."""
    ev = _Event(session, actor, enterprise_id, version, "liaison_appoint", today)
    day = ev.day(appointed_on, "appointed_on")
    person = _text(name, "person", MAX_PERSON, required=True)
    lk = _enum(LiaisonKind, kind, "kind")
    if lk == LiaisonKind.OWN and ev.employees(day)[1] == 0:
        raise EditError("upkeep.err.own_liaison_no_members", field="kind")
    unit = None
    if lk == LiaisonKind.DISPATCHED:
        unit = ev.session.get(Unit, _id(unit_id, "unit")) if unit_id not in (None, "") else None
        if unit is None:
            raise EditError("upkeep.err.unit_required", field="unit")
    clash = ev.conn.execute(sa.select(LO.c.id).where(
        LO.c.enterprise_id == ev.eid, LO.c.name == person, sa.or_(LO.c.ended_on.is_(None), LO.c.ended_on > day))).first()
    if clash is not None:
        raise EditError("upkeep.err.liaison_serving", field="person", name=person)
    ev.fields = {"appointed_on": day, "name": person, "kind": lk, "unit": unit.name if unit else None}
    ev.begin()
    ev.insert(LO, {"enterprise_id": ev.eid, "name": person, "kind": lk.value,
                   "dispatched_by_unit_id": unit.id if unit else None, "appointed_on": day}, "liaison")
    return ev.finish()


def end_liaison(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, liaison_id: Any, ended_on: Any,
                today: dt.date | None = None) -> EventResult:
    """A liaison officer's or instructor's appointment ends this day."""
    ev = _Event(session, actor, enterprise_id, version, "liaison_end", today)
    day = ev.day(ended_on, "ended_on")
    row = ev.conn.execute(sa.select(LO).where(LO.c.id == _id(liaison_id, "liaison"),
                                              LO.c.enterprise_id == ev.eid)).mappings().first()
    if row is None:
        raise EditError("upkeep.err.unknown_liaison", field="liaison")
    if row["ended_on"] is not None:
        raise EditError("upkeep.err.ends_later", field="ended_on", date=row["ended_on"])
    if day < row["appointed_on"]:
        raise EditError("upkeep.err.before_start", field="ended_on", date=row["appointed_on"])
    ev.fields = {"ended_on": day, "name": row["name"]}
    ev.begin()
    ev.conn.execute(LO.update().where(LO.c.id == row["id"]).values(ended_on=day))
    return ev.finish({"ended_on": None})


# --------------------------------------------------------------------------- headcounts and barriers


def record_census(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, census_on: Any,
                  employees: Any, party_members: Any, union_members: Any = None,
                  today: dt.date | None = None) -> EventResult:
    """人数统计: employees and Party members on a day, kept as history (a past as-of date shows that
    date's figures); union members, if given, become the membership change that makes the union's
    count equal them on that day. The latest census is also the enterprise's own figures."""
    ev = _Event(session, actor, enterprise_id, version, "census", today)
    day = ev.day(census_on, "census_on")
    emp, pm = _count(employees, "employees"), _count(party_members, "party_members")
    um = _count(union_members, "union_members", required=False)
    if pm > emp:
        raise EditError("upkeep.err.members_gt_employees", field="party_members", members=pm, employees=emp)
    if um is not None and um > emp:
        raise EditError("upkeep.err.union_members_gt_employees", field="union_members", members=um, employees=emp)
    censuses = ev.conn.execute(sa.select(HC.c.census_on).where(HC.c.enterprise_id == ev.eid)
                               .order_by(HC.c.census_on)).scalars().all()
    if day in censuses:
        raise EditError("upkeep.err.census_exists", field="census_on", date=day)
    cov = None
    if um is not None:
        cov = ev.open_period(UC, "start_on", "end_on", day)
        if cov is None or cov["start_on"] > day:
            raise EditError("upkeep.err.no_union", field="union_members")
        if cov["end_on"] is not None:
            raise EditError("upkeep.err.union_ended", field="union_members", date=cov["end_on"])
        later = ev.conn.execute(sa.select(sa.func.max(MC.c.changed_on)).where(MC.c.enterprise_id == ev.eid)).scalar()
        if later is not None and later > day:
            raise EditError("upkeep.err.members_after", field="census_on", date=later)
    diff = 0 if um is None else um - ev.members(day)
    _check_members(ev, [(day, diff)], "union_members" if um is not None else "employees", census=(day, emp))
    ev.fields = {"census_on": day, "employees": emp, "party_members": pm, "union_members": um}
    ev.begin(set() if cov is None else {int(cov["union_id"])})
    if not censuses and day > ev.row["registered_on"]:  # the figures so far become the first census
        # (from the registration), so they stay history
        ev.insert(HC, {"enterprise_id": ev.eid, "census_on": ev.row["registered_on"],
                       "employees": ev.row["employees"], "party_members": ev.row["party_members"]})
    ev.insert(HC, {"enterprise_id": ev.eid, "census_on": day, "employees": emp, "party_members": pm,
                   "union_members": um}, "census")
    if not censuses or day > censuses[-1]:
        ev.conn.execute(E.update().where(E.c.id == ev.eid).values(employees=emp, party_members=pm))
    if um is not None:
        if diff:
            ev.insert(MC, {"union_id": cov["union_id"], "enterprise_id": ev.eid, "changed_on": day,
                           "joined": max(diff, 0), "left_count": max(-diff, 0)}, "membership_change")
    return ev.finish({"employees": ev.row["employees"], "party_members": ev.row["party_members"]})


def verify_base_flags(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, fixed_premises: Any,
                      trading: Any, today: dt.date | None = None) -> EventResult:
    """三有核实: whether the enterprise has fixed premises (有固定经营场所) and really trades (有正常经营
    活动), as a verification found them — its state from now on, for every date (the flags have no
    history of their own: the audit event keeps the values before). Moves it into or out of the 三有
    base (党建基数) together with its headcount; the summaries are kept up to date in the same
    transaction."""
    ev = _Event(session, actor, enterprise_id, version, "base_flags", today)
    new = {"fixed_premises": _flag(fixed_premises, "fixed_premises"), "trading": _flag(trading, "trading")}
    old = {k: bool(ev.row[k]) for k in new}
    if new == old:
        raise EditError("upkeep.err.no_change", field="fixed_premises")
    ev.fields = dict(new)
    ev.begin()
    ev.conn.execute(E.update().where(E.c.id == ev.eid).values(**new))
    return ev.finish(old)


def set_barrier(*, session: Session, actor: Actor, enterprise_id: Any, version: Any, barrier: Any, noted_on: Any,
                today: dt.date | None = None) -> EventResult:
    """五难: the difficulty that keeps the enterprise without a Party organisation, noted on a day, or
    cleared (``barrier`` None / ""). Kept as history in ``enterprise_change``."""
    ev = _Event(session, actor, enterprise_id, version, "barrier", today)
    day = ev.day(noted_on, "noted_on")
    new = None if barrier in (None, "") else _enum(Barrier, barrier, "barrier").value
    old = getattr(ev.row["barrier"], "value", ev.row["barrier"])
    if new == old:
        raise EditError("upkeep.err.no_change", field="barrier")
    ev.fields = {"noted_on": day, "barrier": new}
    ev.begin()
    ev.conn.execute(E.update().where(E.c.id == ev.eid).values(barrier=new))
    ev.insert(EC, {"enterprise_id": ev.eid, "kind": "barrier", "changed_on": day, "before_value": old,
                   "after_value": new, "username": actor.username, "at": utcnow()}, "change")
    return ev.finish({"barrier": old})
