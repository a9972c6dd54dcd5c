"""双爱双评 from the awards page: the federation's staff (and administrators) open a round, set the
townships' quotas, close the nominations, record the evaluation and publish the awards; a township
account nominates its own enterprises within its quota (and withdraws its own nomination while the
round takes nominations); staff may nominate for any township; a leader only reads.

The edit protocol of ``dashboard.edits``: role checked, scope checked against the rows in the
database (the enterprise's township), every field validated, a refusal (``EditError`` with the
field) writes nothing, an update carries the version the form showed (``update_row``), one audit
event each, one transaction.

The rules (``awards.err.*``):

* a round per year, from 2003 (the district's 实施办法) to next year; opened ≤ nominations' end ≤
  evaluation's end; its dates can change until it is published (not after a nomination already made,
  nor after the day it was closed);
* a round's dates and its year (``year_bounds``): a round of 年度 Y opens between 1 January of Y−1
  and 31 December of Y+1 (prepared the year before, run in its year, or run the year after for the
  year's work), and its deadlines and its publication fall by 31 December of Y+1; rounds are ordered
  by their dates (opened, then the year), not by the year alone;
* every day an edit writes is checked (``awards.err.*``, field named): not before the round opened,
  not after the district's today, not before the stage it follows (closed ≥ opened; evaluated ≥
  nominated and ≥ closed; published ≥ closed and ≥ the last evaluation) — each stage keeps its own
  day (``closed_on``, ``evaluated_on``, ``awarded_on``; 0023);
* a quota is a whole number per round, township and category; it cannot go below the nominations
  the township has made in it (withdrawn ones do not count) nor change after publication;
* a nomination: while the round takes nominations and not after its deadline (the district's date);
  a township account withdraws its own nomination only by that deadline; after it, until the round is
  closed, only the federation's staff may withdraw one (e.g. a nominee who dropped out);
  an operating enterprise with a union on the day; the township's quota of the category not yet used
  up; a person once per round; one 经营者 per enterprise and round;
* evaluation (通过 / 未通过) only after the nominations are closed and before publication; its remark
  (评审意见) is kept apart from the nomination's 主要事迹 (``remark`` / ``note``);
* a quota and a nomination check the places under a lock of the quota row (``SELECT … FOR UPDATE``
  on PostgreSQL; SQLite serialises writers): two staff changing the places, or two nominations for
  the last place, cannot together exceed a quota;
* publication once every nomination is evaluated, on a day not before the last evaluation nor in
  the future: every nomination that passed is awarded on that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from dashboard.edits import Actor, EditError, check_version, update_row
from dashboard.edits.fields import count as _count
from dashboard.edits.fields import date as _date
from dashboard.edits.fields import ident as _id
from dashboard.edits.fields import text as _text
from dashboard.queries.coverage import active
from dashboard.queries.dates import district_today
from models.audit import audit
from models.enums import AwardCategory, AwardRoundStatus, NominationStage, Role
from models.tables import (
    AwardQuota,
    AwardRound,
    DoubleLoveAward,
    Enterprise,
    Township,
    UnionCoverage,
)

RA = AwardRound.__table__
AQ = AwardQuota.__table__
DA = DoubleLoveAward.__table__
E = Enterprise.__table__
T = Township.__table__
UC = UnionCoverage.__table__

#: who runs the rounds: open, quotas, close, evaluate, publish
ORGANISERS = (Role.STAFF, Role.ADMIN)
#: who nominates (a township account: its own townships' enterprises)
NOMINATORS = (Role.STAFF, Role.ADMIN, Role.TOWNSHIP)
FIRST_YEAR = 2003
MAX_TITLE, MAX_NAME, MAX_NOTE = 80, 40, 500
ERR = "awards.err"
#: the evaluation's results a form may record
RESULTS = (NominationStage.PASSED.value, NominationStage.REJECTED.value)
#: stages that use a quota place
COUNTED = sa.and_(DA.c.stage != NominationStage.WITHDRAWN.value)


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _category(value: Any) -> str:
    try:
        return AwardCategory(getattr(value, "value", value)).value
    except ValueError:
        raise EditError(f"{ERR}.bad_choice", field="category", value=str(value)[:40]) from None


def _day_of(value: Any) -> dt.date | None:
    """A date read back from the database (SQLite's aggregates give text)."""
    return dt.date.fromisoformat(str(value)[:10]) if isinstance(value, str) else value


def _round(conn, round_id: Any) -> dict:
    """The round, its row locked until the edit's commit (every caller is an edit): an evaluation, a
    nomination or a withdrawal waits while the round is being closed or published, then sees its new
    status — never a passed nominee in a published round, never a nomination after the close."""
    row = conn.execute(sa.select(RA).where(RA.c.id == _id(round_id, "round")).with_for_update()).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    return {**row, "status": getattr(row["status"], "value", row["status"])}


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The days a round of 年度 ``year`` may open in: 1 January of the year before to 31 December of the
    year after; its deadlines and publication fall by that last day too."""
    return dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)


def _not_before(day: dt.date, field: str | None, *bounds: dt.date | None) -> None:
    """Refuse ``day`` before the latest of ``bounds`` (the stage it follows), naming that date."""
    known = [b for b in bounds if b is not None]
    if known and day < max(known):
        raise EditError(f"{ERR}.before", field=field, date=max(known))


def _not_future(day: dt.date, field: str | None, today: dt.date) -> None:
    if day > today:
        raise EditError(f"{ERR}.in_future", field=field, date=today)


def _in_year(day: dt.date, field: str, year: int) -> None:
    if day > year_bounds(year)[1]:
        raise EditError(f"{ERR}.after_year", field=field, year=year, date=year_bounds(year)[1])


def _round_dates(year: int, opened_on: Any, nominate_by: Any, evaluate_by: Any) -> dict:
    values = {"opened_on": _date(opened_on, "opened_on", errors=ERR),
              "nominate_by": _date(nominate_by, "nominate_by", errors=ERR),
              "evaluate_by": _date(evaluate_by, "evaluate_by", errors=ERR)}
    first, last = year_bounds(year)
    if not first <= values["opened_on"] <= last:
        raise EditError(f"{ERR}.opened_year", field="opened_on", year=year, first=first, last=last)
    if values["nominate_by"] < values["opened_on"]:
        raise EditError(f"{ERR}.before", field="nominate_by", date=values["opened_on"])
    if values["evaluate_by"] < values["nominate_by"]:
        raise EditError(f"{ERR}.before", field="evaluate_by", date=values["nominate_by"])
    for field in ("nominate_by", "evaluate_by"):
        _in_year(values[field], field, year)
    return values


# --------------------------------------------------------------------------- rounds and quotas


def create_round(*, session: Session, actor: Actor, year: Any, opened_on: Any, nominate_by: Any, evaluate_by: Any,
                 title: Any = None, today: dt.date | None = None) -> int:
    """A new round (taking nominations); returns its id."""
    actor.require(*ORGANISERS)
    conn = session.connection()
    today = today or district_today()
    y = _count(year, "year")
    if not FIRST_YEAR <= y <= today.year + 1:
        raise EditError(f"{ERR}.bad_year", field="year", first=FIRST_YEAR, last=today.year + 1)
    if conn.execute(sa.select(RA.c.id).where(RA.c.year == y)).first() is not None:
        raise EditError(f"{ERR}.year_taken", field="year", year=y)
    values = {"year": y, "title": _text(title, "title", MAX_TITLE, required=False, errors=ERR)
              or f"{y}年度“双爱双评”", **_round_dates(y, opened_on, nominate_by, evaluate_by),
              "status": AwardRoundStatus.NOMINATING.value}
    rid = int(conn.execute(RA.insert().values(**values).returning(RA.c.id)).scalar_one())
    audit(session, "award_round_created", username=actor.username, entity="award_round", entity_id=rid,
          after={k: _iso(v) for k, v in values.items()})
    return rid


def update_round(*, session: Session, actor: Actor, round_id: Any, version: Any, opened_on: Any, nominate_by: Any,
                 evaluate_by: Any, title: Any = None, today: dt.date | None = None) -> None:
    """Change a round's title or dates (e.g. extend the nominations) until it is published."""
    actor.require(*ORGANISERS)
    conn = session.connection()
    row = _round(conn, round_id)
    check_version(row["version"], version)
    if row["status"] == AwardRoundStatus.AWARDED.value:
        raise EditError(f"{ERR}.published", year=row["year"])
    values = {"title": _text(title, "title", MAX_TITLE, required=False, errors=ERR) or row["title"],
              **_round_dates(int(row["year"]), opened_on, nominate_by, evaluate_by)}
    # the opening cannot move past what already happened in the round
    first = _day_of(conn.execute(sa.select(sa.func.min(DA.c.nominated_on)).where(DA.c.round_id == row["id"])).scalar())
    if first is not None and values["opened_on"] > first:
        raise EditError(f"{ERR}.after_first", field="opened_on", date=first)
    if row["closed_on"] is not None and values["opened_on"] > row["closed_on"]:
        raise EditError(f"{ERR}.after_closed", field="opened_on", date=row["closed_on"])
    update_row(session, RA, row["id"], row["version"], values)
    audit(session, "award_round_updated", username=actor.username, entity="award_round", entity_id=row["id"],
          before={k: _iso(row[k]) for k in values}, after={k: _iso(v) for k, v in values.items()})


def _lock_quota(conn, round_id: int, township_id: int, category: str):
    """The quota row of a township and category, locked until the transaction ends (PostgreSQL:
    ``SELECT … FOR UPDATE``; SQLite takes no row locks but lets one writer at a time)."""
    return conn.execute(sa.select(AQ).where(AQ.c.round_id == round_id, AQ.c.township_id == township_id,
                                            AQ.c.category == category).with_for_update()).mappings().first()


def set_quota(*, session: Session, actor: Actor, round_id: Any, township_id: Any, category: Any, quota: Any,
              version: Any = None, today: dt.date | None = None) -> int:
    """A township's places of one category in a round: a new quota, or a change of the one the form
    showed (``version``); returns the quota's id. The quota row is locked before the places used are
    counted, as :func:`nominate` locks it: one waits for the other, then sees its result."""
    actor.require(*ORGANISERS)
    conn = session.connection()
    rnd = _round(conn, round_id)
    if rnd["status"] == AwardRoundStatus.AWARDED.value:
        raise EditError(f"{ERR}.published", year=rnd["year"])
    tid = _id(township_id, "township")
    if conn.execute(sa.select(T.c.id).where(T.c.id == tid)).first() is None:
        raise EditError(f"{ERR}.bad_choice", field="township", value=str(township_id)[:40])
    cat = _category(category)
    places = _count(quota, "quota")
    row = _lock_quota(conn, rnd["id"], tid, cat)
    if row is not None:
        check_version(row["version"], version)
    elif version is not None:  # the form showed a quota row that is gone
        raise EditError("edit.conflict")
    used = int(conn.execute(sa.select(sa.func.count()).select_from(DA).where(
        DA.c.round_id == rnd["id"], DA.c.township_id == tid, DA.c.category == cat, COUNTED)).scalar_one())
    if places < used:
        raise EditError(f"{ERR}.quota_below_used", field="quota", used=used)
    if row is None:
        # a quota made at the same moment by someone else: the unique key wins, this save is a conflict
        insert = (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(AQ).values(
            round_id=rnd["id"], township_id=tid, category=cat, quota=places)
        got = conn.execute(insert.on_conflict_do_nothing(index_elements=["round_id", "township_id", "category"])
                           .returning(AQ.c.id)).scalar()
        if got is None:
            raise EditError("edit.conflict")
        qid, before = int(got), None
    else:
        qid = int(row["id"])
        update_row(session, AQ, qid, int(row["version"]), {"quota": places})
        before = {"quota": int(row["quota"])}
    audit(session, "award_quota_set", username=actor.username, entity="award_quota", entity_id=qid, before=before,
          after={"round": rnd["year"], "township_id": tid, "category": cat, "quota": places})
    return qid


def close_nominations(*, session: Session, actor: Actor, round_id: Any, version: Any,
                      today: dt.date | None = None) -> None:
    """The round stops taking nominations and goes to the evaluation (``closed_on``: today)."""
    actor.require(*ORGANISERS)
    conn = session.connection()
    today = today or district_today()
    row = _round(conn, round_id)
    check_version(row["version"], version)
    if row["status"] != AwardRoundStatus.NOMINATING.value:
        raise EditError(f"{ERR}.not_nominating", year=row["year"])
    if today < row["opened_on"]:
        raise EditError(f"{ERR}.close_before_open", date=row["opened_on"])
    values = {"status": AwardRoundStatus.EVALUATING.value, "closed_on": today}
    update_row(session, RA, row["id"], row["version"], values)
    audit(session, "award_round_closed", username=actor.username, entity="award_round", entity_id=row["id"],
          before={"status": row["status"]}, after={k: _iso(v) for k, v in values.items()})


def publish_round(*, session: Session, actor: Actor, round_id: Any, version: Any, awarded_on: Any,
                  today: dt.date | None = None) -> int:
    """Publish the awards: every nomination that passed is awarded on ``awarded_on`` (its evaluation's
    day stays in ``evaluated_on``); returns how many. The day: not in the future, not before the
    round opened, was closed or last evaluated, not after the round's year allows."""
    actor.require(*ORGANISERS)
    conn = session.connection()
    today = today or district_today()
    row = _round(conn, round_id)
    check_version(row["version"], version)
    if row["status"] != AwardRoundStatus.EVALUATING.value:
        raise EditError(f"{ERR}.not_evaluating", year=row["year"])
    day = _date(awarded_on, "awarded_on", errors=ERR)
    _not_future(day, "awarded_on", today)
    pending = int(conn.execute(sa.select(sa.func.count()).select_from(DA).where(
        DA.c.round_id == row["id"], DA.c.stage == NominationStage.NOMINATED.value)).scalar_one())
    if pending:
        raise EditError(f"{ERR}.pending", field="awarded_on", n=pending)
    last = _day_of(conn.execute(sa.select(sa.func.max(DA.c.evaluated_on)).where(DA.c.round_id == row["id"])).scalar())
    _not_before(day, "awarded_on", row["opened_on"], row["closed_on"], last)
    _in_year(day, "awarded_on", int(row["year"]))
    update_row(session, RA, row["id"], row["version"], {"status": AwardRoundStatus.AWARDED.value, "awarded_on": day})
    n = conn.execute(sa.update(DA).where(DA.c.round_id == row["id"], DA.c.stage == NominationStage.PASSED.value)
                     .values(stage=NominationStage.AWARDED.value, stage_on=day, version=DA.c.version + 1)).rowcount
    audit(session, "award_round_published", username=actor.username, entity="award_round", entity_id=row["id"],
          before={"status": row["status"]}, after={"status": AwardRoundStatus.AWARDED.value,
                                                   "awarded_on": day.isoformat(), "awarded": int(n)})
    return int(n)


# --------------------------------------------------------------------------- nominations


def nominate(*, session: Session, actor: Actor, round_id: Any, enterprise_id: Any, category: Any, person_name: Any,
             note: Any = None, today: dt.date | None = None) -> int:
    """A nomination of a person of an enterprise in the actor's scope; returns its id."""
    actor.require(*NOMINATORS)
    conn = session.connection()
    today = today or district_today()
    rnd = _round(conn, round_id)
    ent = conn.execute(sa.select(E.c.id, E.c.name, E.c.township_id, E.c.registered_on, E.c.closed_on)
                       .where(E.c.id == _id(enterprise_id, "enterprise"))).mappings().first()
    if ent is None:
        raise EditError(f"{ERR}.bad_choice", field="enterprise", value=str(enterprise_id)[:40])
    actor.require_township(int(ent["township_id"]))
    if rnd["status"] != AwardRoundStatus.NOMINATING.value:
        raise EditError(f"{ERR}.not_nominating", year=rnd["year"])
    if today > rnd["nominate_by"]:
        raise EditError(f"{ERR}.deadline_passed", date=rnd["nominate_by"])
    if today < rnd["opened_on"]:
        raise EditError(f"{ERR}.not_open", date=rnd["opened_on"])
    cat = _category(category)
    name = _text(person_name, "person_name", MAX_NAME, errors=ERR)
    note = _text(note, "note", MAX_NOTE, required=False, errors=ERR)
    if not (ent["registered_on"] <= today and (ent["closed_on"] is None or ent["closed_on"] > today)):
        raise EditError(f"{ERR}.not_operating", field="enterprise", name=ent["name"])
    if conn.execute(sa.select(sa.literal(1)).where(UC.c.enterprise_id == ent["id"],
                                                   active(UC.c.start_on, UC.c.end_on, today)).limit(1)).first() is None:
        raise EditError(f"{ERR}.no_union", field="enterprise", name=ent["name"])
    tid = int(ent["township_id"])
    # the quota row is locked first (PostgreSQL) so two nominations of one township cannot both take its
    # last place, nor a quota change land between the count and the insert (set_quota locks it too)
    quota_row = _lock_quota(conn, rnd["id"], tid, cat)
    quota = int(quota_row["quota"]) if quota_row is not None else 0
    mine = sa.and_(DA.c.round_id == rnd["id"], COUNTED)
    if conn.execute(sa.select(DA.c.id).where(mine, DA.c.enterprise_id == ent["id"],
                                             DA.c.person_name == name)).first() is not None:
        raise EditError(f"{ERR}.twice", field="person_name", name=name)
    if cat == AwardCategory.MANAGER.value and conn.execute(sa.select(DA.c.id).where(
            mine, DA.c.enterprise_id == ent["id"], DA.c.category == cat)).first() is not None:
        raise EditError(f"{ERR}.one_manager", field="category", name=ent["name"])
    used = int(conn.execute(sa.select(sa.func.count()).select_from(DA).where(
        mine, DA.c.township_id == tid, DA.c.category == cat)).scalar_one())
    if used >= quota:
        raise EditError(f"{ERR}.quota_full", field="category", quota=quota, used=used)
    values = {"round_id": rnd["id"], "year": rnd["year"], "enterprise_id": ent["id"], "township_id": tid,
              "category": cat, "person_name": name, "note": note, "stage": NominationStage.NOMINATED.value,
              "nominated_on": today, "stage_on": today}
    nid = int(conn.execute(DA.insert().values(**values).returning(DA.c.id)).scalar_one())
    audit(session, "award_nominated", username=actor.username, entity="double_love_award", entity_id=nid,
          after={k: _iso(v) for k, v in values.items()})
    return nid


def _nomination(conn, actor: Actor, nomination_id: Any, version: Any) -> tuple[dict, dict]:
    row = conn.execute(sa.select(DA).where(DA.c.id == _id(nomination_id, "nomination"))).mappings().first()
    if row is None:
        raise EditError("edit.gone")
    actor.require_township(int(row["township_id"]))
    check_version(row["version"], version)
    row = {**row, "stage": getattr(row["stage"], "value", row["stage"])}
    return row, _round(conn, row["round_id"])


def withdraw(*, session: Session, actor: Actor, nomination_id: Any, version: Any, today: dt.date | None = None) -> None:
    """The township takes back its nomination by the nominations' deadline (its place is free again);
    after the deadline, while the round is not yet closed, only the federation's staff may."""
    actor.require(*NOMINATORS)
    conn = session.connection()
    today = today or district_today()
    row, rnd = _nomination(conn, actor, nomination_id, version)
    if rnd["status"] != AwardRoundStatus.NOMINATING.value:
        raise EditError(f"{ERR}.not_nominating", year=rnd["year"])
    if row["stage"] != NominationStage.NOMINATED.value:
        raise EditError(f"{ERR}.not_pending", stage=row["stage"])
    if today > rnd["nominate_by"] and actor.role not in ORGANISERS:
        raise EditError(f"{ERR}.withdraw_deadline", date=rnd["nominate_by"])
    _not_before(today, None, row["nominated_on"])
    update_row(session, DA, row["id"], row["version"], {"stage": NominationStage.WITHDRAWN.value, "stage_on": today})
    audit(session, "award_withdrawn", username=actor.username, entity="double_love_award", entity_id=row["id"],
          before={"stage": row["stage"]}, after={"stage": NominationStage.WITHDRAWN.value,
                                                 "stage_on": today.isoformat(), "person_name": row["person_name"]})


def evaluate(*, session: Session, actor: Actor, nomination_id: Any, version: Any, result: Any, remark: Any = None,
             today: dt.date | None = None) -> None:
    """The evaluation's result of one nomination (通过 / 未通过; it can be changed until publication),
    on today (``evaluated_on``), with the evaluation's remark (``remark``; none given: the earlier one
    stays) — the nomination's 主要事迹 (``note``) is never touched."""
    actor.require(*ORGANISERS)
    conn = session.connection()
    today = today or district_today()
    row, rnd = _nomination(conn, actor, nomination_id, version)
    if rnd["status"] != AwardRoundStatus.EVALUATING.value:
        raise EditError(f"{ERR}.not_evaluating", year=rnd["year"])
    value = getattr(result, "value", result)
    if value not in RESULTS:
        raise EditError(f"{ERR}.bad_choice", field="result", value=str(result)[:40])
    if row["stage"] == NominationStage.WITHDRAWN.value:
        raise EditError(f"{ERR}.withdrawn")
    _not_before(today, None, row["nominated_on"], rnd["closed_on"])
    values = {"stage": value, "stage_on": today, "evaluated_on": today}
    text = _text(remark, "remark", MAX_NOTE, required=False, errors=ERR)
    if text is not None:
        values["remark"] = text
    update_row(session, DA, row["id"], row["version"], values)
    audit(session, "award_evaluated", username=actor.username, entity="double_love_award", entity_id=row["id"],
          before={"stage": row["stage"], "remark": row["remark"]}, after={k: _iso(v) for k, v in values.items()})
