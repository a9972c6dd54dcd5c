"""Founding leads (建会线索) from the campaigns page's pipeline: staff, township accounts and admins
record them (a leader reads). The edit protocol of ``dashboard.edits``: role and the lead's township
**as stored** against the actor's scope, the row version the form showed, every field validated, a
refusal (``EditError`` with the field) writes nothing, one audit event each, all in the caller's
transaction.

Stages move forward only (线索 → 已走访 → 已发建会通知书 → 筹备 → 已建会; a step may be skipped), or
end with 放弃 and a reason; a stage change is dated, not before the current stage began and not in
the future, and closes the current stage's period (``founding_lead_stage``). 已建会 needs a
registered enterprise: the union covering it on that day is linked, or — when none does — its own
union is founded by the ledger's event (``edits.enterprises.found_union``: the same checks, the
summaries brought up to date), so the coverage KPIs and the pipeline agree.

:func:`leads_for_registrations` makes the 盯住源头 leads of newly registered enterprises without a
union (the ledger import and the 登记新企业 event call it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import EDITORS, Actor, EditError, check_version, update_row
from dashboard.edits import enterprises as events
from dashboard.edits.fields import date as _date
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from dashboard.queries.dates import district_today
from dashboard.queries.leads import CLOSED, RANK
from models import rules
from models.audit import audit, utcnow
from models.enums import LeadSource, LeadStage, UnitKind
from models.tables import Enterprise, FoundingLead, FoundingLeadStage, Township, UnionCoverage, UnionOrg, Unit

E = Enterprise.__table__
FL = FoundingLead.__table__
FLS = FoundingLeadStage.__table__
T = Township.__table__
U = Unit.__table__
UC = UnionCoverage.__table__
UO = UnionOrg.__table__

MAX_NAME, MAX_PERSON, MAX_NOTE = 120, 40, 500
#: the longest a founding notice's deadline may lie after the notice (a typing slip otherwise)
MAX_NOTICE_DAYS = 366


@dataclass(frozen=True)
class LeadResult:
    """What an edit changed: the townships whose figures can move (the pipeline's, and the coverage's
    when a union was founded), the lead's id."""

    township_ids: frozenset[int]
    lead_id: int


def _source(value: Any) -> LeadSource:
    try:
        return LeadSource(getattr(value, "value", value))
    except ValueError:
        raise EditError("leads.err.bad_choice", field="source", value=str(value)[:40]) from None


def _stage(value: Any) -> LeadStage:
    try:
        return LeadStage(getattr(value, "value", value))
    except ValueError:
        raise EditError("leads.err.bad_choice", field="stage", value=str(value)[:40]) from None


def _day(value: Any, name: str, today: dt.date) -> dt.date:
    day = _date(value, name)
    if day > today:
        raise EditError("upkeep.err.in_future", field=name, date=today)
    return day


def township_union_unit(conn, township_id: int) -> int | None:
    """The township's union (乡镇工会), else the district's (区总工会): the default owner of its leads."""
    return conn.execute(
        sa.select(U.c.id).where(U.c.kind == UnitKind.UNION.value,
                                sa.or_(U.c.township_id == int(township_id), U.c.township_id.is_(None)))
        .order_by(sa.case((U.c.township_id.is_(None), 1), else_=0), U.c.id).limit(1)).scalar()


def _owner_unit(conn, value: Any, township_id: int) -> int | None:
    """The owner unit: the one picked (the township's own units or a district unit), else the township's union."""
    if value is None or value == "":
        unit = township_union_unit(conn, township_id)
        return None if unit is None else int(unit)
    row = conn.execute(sa.select(U.c.id, U.c.township_id).where(U.c.id == _id(value, "owner_unit"))).first()
    if row is None or row.township_id not in (None, int(township_id)):
        raise EditError("leads.err.bad_choice", field="owner_unit", value=str(value)[:40])
    return int(row.id)


def _open_lead(conn, enterprise_id: int) -> int | None:
    return conn.execute(sa.select(FL.c.id).where(FL.c.enterprise_id == enterprise_id,
                                                 FL.c.stage.not_in([s.value for s in CLOSED])).limit(1)).scalar()


def _union_on(conn, enterprise_id: int, day: dt.date) -> int | None:
    """The union covering the enterprise on ``day`` (None: none)."""
    return conn.execute(sa.select(UC.c.union_id).where(
        UC.c.enterprise_id == enterprise_id, UC.c.start_on <= day, sa.or_(UC.c.end_on.is_(None), UC.c.end_on > day))
        .order_by(UC.c.start_on.desc()).limit(1)).scalar()


def _enterprise(conn, actor: Actor, value: Any) -> dict:
    row = conn.execute(sa.select(E).where(E.c.id == _id(value, "enterprise"))).mappings().first()
    if row is None:
        raise EditError("leads.err.unknown_enterprise", field="enterprise")
    actor.require_township(row["township_id"])
    return dict(row)


def _stage_row(conn, lead_id: int, stage: LeadStage, day: dt.date, username: str) -> None:
    conn.execute(FLS.insert().values(lead_id=lead_id, stage=stage.value, start_on=day, end_on=None,
                                     username=username, at=utcnow()))


def create_lead(*, session: Session, actor: Actor, source: Any, identified_on: Any, township: Any = None,
                enterprise_id: Any = None, enterprise_name: str | None = None, owner_unit: Any = None,
                owner_name: str | None = None, note: str | None = None, today: dt.date | None = None) -> LeadResult:
    """A new lead in 线索: of a registered enterprise (its township and name) or of a project not
    registered yet (a name and a township). An enterprise has at most one open lead, and none once
    a union covers it or it is closed."""
    actor.require(*EDITORS)
    conn = session.connection()
    today = today or district_today()
    src = _source(source)
    day = _day(identified_on, "identified_on", today)
    if enterprise_id not in (None, ""):
        ent = _enterprise(conn, actor, enterprise_id)
        if ent["closed_on"] is not None and ent["closed_on"] <= day:
            raise EditError("leads.err.closed_enterprise", field="enterprise", date=ent["closed_on"])
        if _union_on(conn, ent["id"], day) is not None:
            raise EditError("leads.err.has_union", field="enterprise")
        if _open_lead(conn, ent["id"]) is not None:
            raise EditError("leads.err.open_lead", field="enterprise")
        town = {"id": int(ent["township_id"])}
        eid, name = int(ent["id"]), ent["name"]
    else:
        if township in (None, ""):
            raise EditError("leads.err.required", field="township")
        town = events._township_in_scope(conn, actor, township, "township")
        eid, name = None, _text(enterprise_name, "enterprise_name", MAX_NAME, errors="leads.err")
    values = {
        "enterprise_id": eid, "enterprise_name": name, "township_id": town["id"], "source": src.value,
        "stage": LeadStage.IDENTIFIED.value, "identified_on": day, "stage_on": day,
        "owner_unit_id": _owner_unit(conn, owner_unit, town["id"]),
        "owner_name": _text(owner_name, "owner_name", MAX_PERSON, required=False, errors="leads.err"),
        "note": _text(note, "note", MAX_NOTE, required=False, errors="leads.err"),
    }
    lead_id = int(conn.execute(FL.insert().values(**values).returning(FL.c.id)).scalar_one())
    _stage_row(conn, lead_id, LeadStage.IDENTIFIED, day, actor.username)
    audit(session, "lead_created", username=actor.username, entity="founding_lead", entity_id=lead_id,
          after={k: _plain(v) for k, v in values.items()})
    return LeadResult(frozenset({int(town["id"])}), lead_id)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else getattr(value, "value", value)


def _load(conn, actor: Actor, lead_id: Any, version: Any) -> dict:
    actor.require(*EDITORS)
    row = conn.execute(sa.select(FL).where(FL.c.id == _id(lead_id, "lead"))).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    actor.require_township(row["township_id"])
    check_version(row["version"], version)
    return dict(row)


def change_stage(*, session: Session, actor: Actor, lead_id: Any, version: Any, stage: Any, on: Any,
                 notice_deadline: Any = None, drop_reason: str | None = None, union_name: str | None = None,
                 members: Any = 0, today: dt.date | None = None) -> LeadResult:
    """The lead moves to ``stage`` on ``on`` (see the module's rules). 已发建会通知书 needs the
    notice's deadline; 放弃 a reason; 已建会 a registered enterprise — the union covering it that day is
    linked, or its own union (``union_name``, default "<enterprise>工会委员会", with ``members``) is
    founded by the ledger's event in the same transaction."""
    conn = session.connection()
    today = today or district_today()
    lead = _load(conn, actor, lead_id, version)
    current = LeadStage(lead["stage"])
    if current in CLOSED:
        raise EditError("leads.err.closed", field="stage")
    new = _stage(stage)
    if new is not LeadStage.DROPPED and RANK[new] <= RANK[current]:
        raise EditError("leads.err.backwards", field="stage")
    day = _day(on, "on", today)
    if day < lead["stage_on"]:
        raise EditError("leads.err.before_stage", field="on", date=lead["stage_on"])
    values: dict[str, Any] = {"stage": new.value, "stage_on": day}
    towns = {int(lead["township_id"])}
    if new is LeadStage.NOTICE_SENT:
        deadline = _date(notice_deadline, "notice_deadline", errors="leads.err")
        if deadline <= day or deadline > day + dt.timedelta(MAX_NOTICE_DAYS):
            raise EditError("leads.err.bad_deadline", field="notice_deadline", date=day)
        values["notice_deadline"] = deadline
    elif new is LeadStage.DROPPED:
        values["drop_reason"] = _text(drop_reason, "drop_reason", MAX_NOTE, errors="leads.err")
        values["closed_on"] = day
    elif new is LeadStage.FOUNDED:
        if lead["enterprise_id"] is None:
            raise EditError("leads.err.no_enterprise", field="stage")
        values["closed_on"] = day
        values["days_to_union"] = rules.days_to_union(new, lead["identified_on"], day)
    # the lead first (its version checked in the UPDATE): founding the union below then finds no open
    # lead of the enterprise to close (edits.enterprises closes one when the ledger records a union)
    update_row(session, FL, int(lead["id"]), int(lead["version"]), values)
    conn.execute(FLS.update().where(FLS.c.lead_id == lead["id"], FLS.c.end_on.is_(None)).values(end_on=day))
    _stage_row(conn, int(lead["id"]), new, day, actor.username)
    if new is LeadStage.FOUNDED:
        eid = int(lead["enterprise_id"])
        union_id = _union_on(conn, eid, day)
        if union_id is None:
            ent = conn.execute(sa.select(E.c.name, E.c.version).where(E.c.id == eid)).one()
            name = (union_name or "").strip() or f"{ent.name}工会委员会"
            result = events.found_union(session=session, actor=actor, enterprise_id=eid, version=ent.version,
                                        founded_on=day, name=name, members=members, today=today)
            union_id = result.ids["union"]
            towns |= set(result.township_ids)
        values["union_id"] = int(union_id)
        conn.execute(FL.update().where(FL.c.id == lead["id"]).values(union_id=int(union_id)))
    audit(session, "lead_stage", username=actor.username, entity="founding_lead", entity_id=lead["id"],
          before={"stage": current.value, "stage_on": _plain(lead["stage_on"])},
          after={k: _plain(v) for k, v in values.items()})
    return LeadResult(frozenset(towns), int(lead["id"]))


def link_enterprise(*, session: Session, actor: Actor, lead_id: Any, version: Any, enterprise_id: Any,
                    today: dt.date | None = None) -> LeadResult:
    """A project's lead (not registered when found) gets its registered enterprise: its name and
    township from then on (both townships in the actor's scope; an enterprise closed by ``today``,
    covered by a union that day or with an open lead of its own cannot be linked)."""
    conn = session.connection()
    lead = _load(conn, actor, lead_id, version)
    if lead["enterprise_id"] is not None:
        raise EditError("leads.err.has_enterprise", field="enterprise")
    if LeadStage(lead["stage"]) in CLOSED:
        raise EditError("leads.err.closed", field="enterprise")
    ent = _enterprise(conn, actor, enterprise_id)
    today = today or district_today()
    if ent["closed_on"] is not None and ent["closed_on"] <= today:
        raise EditError("leads.err.closed_enterprise", field="enterprise", date=ent["closed_on"])
    if _union_on(conn, int(ent["id"]), today) is not None:
        raise EditError("leads.err.has_union", field="enterprise")
    if _open_lead(conn, int(ent["id"])) is not None:
        raise EditError("leads.err.open_lead", field="enterprise")
    values = {"enterprise_id": int(ent["id"]), "enterprise_name": ent["name"], "township_id": int(ent["township_id"])}
    if values["township_id"] != lead["township_id"]:
        values["owner_unit_id"] = _owner_unit(conn, None, values["township_id"])
    update_row(session, FL, int(lead["id"]), int(lead["version"]), values)
    audit(session, "lead_linked", username=actor.username, entity="founding_lead", entity_id=lead["id"],
          before={"enterprise_name": lead["enterprise_name"], "township_id": lead["township_id"]}, after=values)
    return LeadResult(frozenset({int(lead["township_id"]), values["township_id"]}), int(lead["id"]))


def leads_for_registrations(conn: sa.Connection, enterprise_ids: Iterable[int], username: str) -> list[int]:
    """盯住源头: a lead in 线索 from its registration day for each of these enterprises that is open,
    has no union covering it now and no open lead; owned by its township's union (no owner when
    neither the township nor the district has a union unit: the list shows 未指定). Returns the new
    leads' ids (no audit of its own: the import or the registration that calls it is audited)."""
    ids = sorted({int(i) for i in enterprise_ids})
    made: list[int] = []
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        covered = sa.select(UC.c.enterprise_id).where(UC.c.enterprise_id.in_(chunk), UC.c.end_on.is_(None))
        leads = sa.select(FL.c.enterprise_id).where(FL.c.enterprise_id.in_(chunk),
                                                    FL.c.stage.not_in([s.value for s in CLOSED]))
        rows = conn.execute(sa.select(E.c.id, E.c.name, E.c.township_id, E.c.registered_on)
                            .where(E.c.id.in_(chunk), E.c.closed_on.is_(None), E.c.id.not_in(covered),
                                   E.c.id.not_in(leads)).order_by(E.c.id)).all()
        units: dict[int, int | None] = {}
        for r in rows:
            if r.township_id not in units:
                units[r.township_id] = township_union_unit(conn, r.township_id)
            lead_id = int(conn.execute(FL.insert().values(
                enterprise_id=r.id, enterprise_name=r.name, township_id=r.township_id,
                source=LeadSource.REGISTRATION.value, stage=LeadStage.IDENTIFIED.value, identified_on=r.registered_on,
                stage_on=r.registered_on, owner_unit_id=units[r.township_id]).returning(FL.c.id)).scalar_one())
            _stage_row(conn, lead_id, LeadStage.IDENTIFIED, r.registered_on, username)
            made.append(lead_id)
    return made


# --------------------------------------------------------------------------- the ledger's events

#: how the two functions below write: ``update(table, row id, the row before, new values)`` and
#: ``insert(table, rows)`` — straight to the database for the ledger's events, through the import's
#: journal (``ledger_import.Journal``, which keeps what an undo needs) for an import
Update = Callable[[sa.Table, int, dict, dict], Any]
Insert = Callable[[sa.Table, list[dict]], Any]


def _writers(conn, update: Update | None, insert: Insert | None) -> tuple[Update, Insert]:
    return (update or (lambda table, row_id, _before, values:
                       conn.execute(table.update().where(table.c.id == row_id).values(**values))),
            insert or (lambda table, rows: conn.execute(table.insert(), rows)))


def follow_move(conn: sa.Connection, enterprise_id: int, township_id: int, *, update: Update | None = None) -> list[int]:
    """An enterprise moved to another township (迁移, or an import): its leads go with it — they are
    read and edited in its township now — and an open one gets that township's union as its owner.
    Returns the leads moved."""
    update, _ = _writers(conn, update, None)
    owner = township_union_unit(conn, int(township_id))
    moved = []
    for lead in conn.execute(sa.select(FL).where(FL.c.enterprise_id == int(enterprise_id),
                                                 FL.c.township_id != int(township_id))).mappings().all():
        still_open = LeadStage(lead["stage"]) not in CLOSED
        update(FL, int(lead["id"]), dict(lead), {"township_id": int(township_id), "version": lead["version"] + 1,
                                                 "owner_unit_id": owner if still_open else lead["owner_unit_id"]})
        moved.append(int(lead["id"]))
    return moved


def founded_by_union(conn: sa.Connection, enterprise_id: int, union_id: int, day: dt.date, username: str, *,
                     update: Update | None = None, insert: Insert | None = None) -> int | None:
    """The enterprise got a union from the ledger (成立工会, 加入联合工会, an import): its open lead is
    已建会 from that day (or from its current stage's start, when that is later), linked to the union —
    so the pipeline and the coverage agree whichever form recorded the union. Returns the lead's id."""
    update, insert = _writers(conn, update, insert)
    lead = conn.execute(sa.select(FL).where(
        FL.c.enterprise_id == int(enterprise_id), FL.c.stage.not_in([s.value for s in CLOSED]))
        .order_by(FL.c.id).limit(1)).mappings().first()
    if lead is None:
        return None
    on = max(day, lead["stage_on"])
    update(FL, int(lead["id"]), dict(lead), {"stage": LeadStage.FOUNDED.value, "stage_on": on, "closed_on": on,
                                             "union_id": int(union_id), "version": lead["version"] + 1,
                                             "days_to_union": rules.days_to_union(LeadStage.FOUNDED,
                                                                                  lead["identified_on"], on)})
    for period in conn.execute(sa.select(FLS).where(FLS.c.lead_id == lead["id"], FLS.c.end_on.is_(None))).mappings().all():
        update(FLS, int(period["id"]), dict(period), {"end_on": on})
    insert(FLS, [{"lead_id": int(lead["id"]), "stage": LeadStage.FOUNDED.value, "start_on": on, "end_on": None,
                  "username": username, "at": utcnow()}])
    return int(lead["id"])
