"""荐优纳新推评制 from the /development page: staff, township accounts and administrators record a
union's recommendation, move a person on stage by stage, record the worker representatives'
evaluation of a development candidate, record a withdrawal and the yearly new Party members of an
enterprise (a leader reads). The edit protocol of ``dashboard.edits``: the role, the enterprise's
township **as stored** against the actor's scope, the row version the form showed, every field
validated, a refusal (``EditError`` with the field) writes nothing, one audit event each, in the
caller's transaction.

The rules of the path (``queries.development``): stages move forward one step at a time (工会推荐 →
入党积极分子 → 发展对象 → 预备党员 → 正式党员) or end with 退出 and a reason; a stage's date is not
before the current stage began and not in the future; 发展对象 not before a year of training as an
activist (:data:`~dashboard.queries.development.MIN_ACTIVIST_DAYS`), 正式党员 not before the year of
probation ends; the evaluation belongs to the 发展对象 stage (not before it began), and a candidate
the worker representatives did not pass is not admitted.

:func:`open_record` is the one way a leader sees a person's name: it returns the record and writes an
audit event (``development_record_opened``) — a read that leaves a trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import EDITORS, Actor, EditError, check_version, update_row
from dashboard.edits.fields import count as _count
from dashboard.edits.fields import date as _date
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from dashboard.queries.coverage import UC, active
from dashboard.queries.dates import district_today
from dashboard.queries.development import (
    CLOSED,
    DATE_COLUMN,
    MIN_ACTIVIST_DAYS,
    PROBATION_YEARS,
    RANK,
    STEPS,
)
from models.audit import audit
from models.enums import ActivistStage, EvaluationResult, Role
from models.tables import ActivistRecommendation, Enterprise, PartyAdmission

AR = ActivistRecommendation.__table__
PA = PartyAdmission.__table__
E = Enterprise.__table__
ERR = "development.err"
MAX_NAME, MAX_REASON = 40, 200
#: who may open a record to read its name (everyone who reads the page; staff see names anyway)
READERS = (Role.LEADER, Role.STAFF, Role.TOWNSHIP, Role.ADMIN)
FIRST_YEAR = 1990


@dataclass(frozen=True)
class DevelopmentResult:
    """What an edit changed: the township whose figures move, the row's id."""

    township_ids: frozenset[int]
    row_id: int


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else getattr(value, "value", value)


def _day(value: Any, name: str, today: dt.date) -> dt.date:
    day = _date(value, name, errors=ERR)
    if day > today:
        raise EditError(f"{ERR}.in_future", field=name, date=today)
    return day


def _enterprise(conn, actor: Actor, value: Any) -> dict:
    row = conn.execute(sa.select(E).where(E.c.id == _id(value, "enterprise"))).mappings().first()
    if row is None:
        raise EditError(f"{ERR}.unknown_enterprise", field="enterprise")
    actor.require_township(row["township_id"])
    return dict(row)


def _union_on(conn, enterprise_id: int, day: dt.date) -> int | None:
    """The union covering the enterprise on ``day`` (None: none)."""
    return conn.execute(sa.select(UC.c.union_id).where(UC.c.enterprise_id == enterprise_id,
                                                       active(UC.c.start_on, UC.c.end_on, day))
                        .order_by(UC.c.start_on.desc()).limit(1)).scalar()


def recommend(*, session: Session, actor: Actor, enterprise_id: Any, person_name: str, recommended_on: Any,
              today: dt.date | None = None) -> DevelopmentResult:
    """The enterprise's union recommends ``person_name`` on ``recommended_on``: the enterprise operating
    that day and covered by a union (the recommending union, recorded with the person)."""
    actor.require(*EDITORS)
    conn = session.connection()
    today = today or district_today()
    ent = _enterprise(conn, actor, enterprise_id)
    name = _text(person_name, "person_name", MAX_NAME, errors=ERR)
    day = _day(recommended_on, "recommended_on", today)
    if day < ent["registered_on"] or (ent["closed_on"] is not None and day >= ent["closed_on"]):
        raise EditError(f"{ERR}.not_operating", field="recommended_on", date=ent["closed_on"] or ent["registered_on"])
    union = _union_on(conn, int(ent["id"]), day)
    if union is None:
        raise EditError(f"{ERR}.no_union", field="enterprise", date=day)
    values = {"enterprise_id": int(ent["id"]), "person_name": name, "recommended_on": day, "union_id": int(union),
              "stage": ActivistStage.RECOMMENDED.value, "stage_on": day}
    rid = int(conn.execute(AR.insert().values(**values).returning(AR.c.id)).scalar_one())
    audit(session, "development_recommended", username=actor.username, entity="activist_recommendation",
          entity_id=rid, after={k: _plain(v) for k, v in values.items()})
    return DevelopmentResult(frozenset({int(ent["township_id"])}), rid)


def _load(conn, actor: Actor, record_id: Any, version: Any) -> tuple[dict, int]:
    actor.require(*EDITORS)
    row = conn.execute(sa.select(AR, E.c.township_id).join(E, E.c.id == AR.c.enterprise_id)
                       .where(AR.c.id == _id(record_id, "record"))).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    actor.require_township(row["township_id"])
    check_version(row["version"], version)
    return dict(row), int(row["township_id"])


def _stage(value: Any) -> ActivistStage:
    try:
        return ActivistStage(getattr(value, "value", value))
    except ValueError:
        raise EditError(f"{ERR}.bad_choice", field="stage", value=str(value)[:40]) from None


def _one_year_after(day: dt.date, years: int = 1) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def advance(*, session: Session, actor: Actor, record_id: Any, version: Any, stage: Any, on: Any,
            today: dt.date | None = None) -> DevelopmentResult:
    """The person moves to the next stage of the path on ``on`` (the module's rules)."""
    conn = session.connection()
    today = today or district_today()
    row, town = _load(conn, actor, record_id, version)
    current = ActivistStage(row["stage"])
    if current in CLOSED:
        raise EditError(f"{ERR}.closed", field="stage")
    new = _stage(stage)
    if new not in RANK or RANK[new] != RANK[current] + 1:
        raise EditError(f"{ERR}.not_next", field="stage")
    day = _day(on, "on", today)
    if day < row["stage_on"]:
        raise EditError(f"{ERR}.before_stage", field="on", date=row["stage_on"])
    if new is ActivistStage.CANDIDATE and row["activist_on"] is not None \
            and day < row["activist_on"] + dt.timedelta(days=MIN_ACTIVIST_DAYS):
        raise EditError(f"{ERR}.training", field="on", date=row["activist_on"] + dt.timedelta(days=MIN_ACTIVIST_DAYS))
    if new is ActivistStage.PROBATIONARY and row["evaluation"] == EvaluationResult.FAILED.value:
        raise EditError(f"{ERR}.not_passed", field="stage", date=row["evaluated_on"])
    if new is ActivistStage.MEMBER and day < _one_year_after(row["probationary_on"] or row["stage_on"], PROBATION_YEARS):
        raise EditError(f"{ERR}.probation", field="on",
                        date=_one_year_after(row["probationary_on"] or row["stage_on"], PROBATION_YEARS))
    values = {DATE_COLUMN[new]: day, "stage": new.value, "stage_on": day}
    update_row(session, AR, int(row["id"]), int(row["version"]), values)
    audit(session, "development_advanced", username=actor.username, entity="activist_recommendation",
          entity_id=row["id"], before={"stage": current.value, "stage_on": row["stage_on"].isoformat()},
          after={k: _plain(v) for k, v in values.items()})
    return DevelopmentResult(frozenset({town}), int(row["id"]))


def evaluate(*, session: Session, actor: Actor, record_id: Any, version: Any, on: Any, result: Any,
             today: dt.date | None = None) -> DevelopmentResult:
    """The worker representatives evaluated the development candidate on ``on`` with ``result``
    (同意 / 不同意); a later evaluation replaces an earlier one (the audit keeps both)."""
    conn = session.connection()
    today = today or district_today()
    row, town = _load(conn, actor, record_id, version)
    if row["stage"] != ActivistStage.CANDIDATE.value:
        raise EditError(f"{ERR}.not_candidate", field="stage")
    try:
        outcome = EvaluationResult(getattr(result, "value", result))
    except ValueError:
        raise EditError(f"{ERR}.bad_choice", field="result", value=str(result)[:40]) from None
    day = _day(on, "on", today)
    if day < row["candidate_on"]:
        raise EditError(f"{ERR}.before_stage", field="on", date=row["candidate_on"])
    values = {"evaluated_on": day, "evaluation": outcome.value}
    update_row(session, AR, int(row["id"]), int(row["version"]), values)
    audit(session, "development_evaluated", username=actor.username, entity="activist_recommendation",
          entity_id=row["id"], before={"evaluated_on": _plain(row["evaluated_on"]), "evaluation": row["evaluation"]},
          after={k: _plain(v) for k, v in values.items()})
    return DevelopmentResult(frozenset({town}), int(row["id"]))


def withdraw(*, session: Session, actor: Actor, record_id: Any, version: Any, on: Any, reason: str,
             today: dt.date | None = None) -> DevelopmentResult:
    """The person leaves the path on ``on`` (a reason required); a full member does not."""
    conn = session.connection()
    today = today or district_today()
    row, town = _load(conn, actor, record_id, version)
    if ActivistStage(row["stage"]) in CLOSED:
        raise EditError(f"{ERR}.closed", field="stage")
    day = _day(on, "on", today)
    if day < row["stage_on"]:
        raise EditError(f"{ERR}.before_stage", field="on", date=row["stage_on"])
    values = {"withdrawn_on": day, "withdrawn_reason": _text(reason, "reason", MAX_REASON, errors=ERR),
              "stage": ActivistStage.WITHDRAWN.value, "stage_on": day}
    update_row(session, AR, int(row["id"]), int(row["version"]), values)
    audit(session, "development_withdrawn", username=actor.username, entity="activist_recommendation",
          entity_id=row["id"], before={"stage": row["stage"]}, after={k: _plain(v) for k, v in values.items()})
    return DevelopmentResult(frozenset({town}), int(row["id"]))


def record_admissions(*, session: Session, actor: Actor, enterprise_id: Any, year: Any, admitted: Any,
                      version: Any = None, today: dt.date | None = None) -> DevelopmentResult:
    """The enterprise's new Party members of ``year`` (all of them, the union's recommendations
    among them): a new record, or — with the ``version`` the form showed — a change of the year's
    record. Not fewer than the union's own admissions of that year."""
    actor.require(*EDITORS)
    conn = session.connection()
    today = today or district_today()
    ent = _enterprise(conn, actor, enterprise_id)
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise EditError(f"{ERR}.bad_year", field="year", value=str(year)[:10]) from None
    if not FIRST_YEAR <= y <= today.year:
        raise EditError(f"{ERR}.bad_year", field="year", value=str(year)[:10])
    n = _count(admitted, "admitted")
    via = int(conn.execute(sa.select(sa.func.count()).where(
        AR.c.enterprise_id == ent["id"], AR.c.probationary_on >= dt.date(y, 1, 1),
        AR.c.probationary_on <= dt.date(y, 12, 31))).scalar_one())
    if n < via:
        raise EditError(f"{ERR}.fewer_than_union", field="admitted", n=via)
    row = conn.execute(sa.select(PA).where(PA.c.enterprise_id == ent["id"], PA.c.year == y)).mappings().first()
    if row is None:
        if version not in (None, ""):
            raise EditError("edit.conflict")  # the form showed a record that is gone
        pid = int(conn.execute(PA.insert().values(enterprise_id=int(ent["id"]), year=y, admitted=n)
                               .returning(PA.c.id)).scalar_one())
        before = None
    else:
        if version in (None, ""):
            raise EditError("edit.conflict")  # someone recorded the year since the form was drawn
        check_version(row["version"], version)
        update_row(session, PA, int(row["id"]), int(row["version"]), {"admitted": n})
        pid, before = int(row["id"]), {"admitted": int(row["admitted"])}
    audit(session, "development_admissions", username=actor.username, entity="party_admission", entity_id=pid,
          before=before, after={"enterprise_id": int(ent["id"]), "year": y, "admitted": n})
    return DevelopmentResult(frozenset({int(ent["township_id"])}), pid)


@dataclass(frozen=True)
class Opened:
    """A record opened by name: its fields; the townships whose caches stay valid (none changes)."""

    record: dict
    township_ids: frozenset[int]


def open_record(*, session: Session, actor: Actor, record_id: Any) -> Opened:
    """One person's record with their name, for a reader who does not see names in the lists (a
    leader): within the actor's scope, and audited (``development_record_opened``, who and which
    record — not the name)."""
    actor.require(*READERS)
    conn = session.connection()
    row = conn.execute(sa.select(AR, E.c.township_id, E.c.name.label("enterprise"))
                       .join(E, E.c.id == AR.c.enterprise_id).where(AR.c.id == _id(record_id, "record"))
                       ).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    actor.require_township(row["township_id"])
    audit(session, "development_record_opened", username=actor.username, entity="activist_recommendation",
          entity_id=row["id"], detail=f"role={getattr(actor.role, 'value', actor.role)}")
    record = {k: _plain(v) for k, v in dict(row).items()}
    return Opened(record, frozenset({int(row["township_id"])}))


__all__ = [
    "STEPS",
    "DevelopmentResult",
    "Opened",
    "advance",
    "evaluate",
    "open_record",
    "recommend",
    "record_admissions",
    "withdraw",
]
