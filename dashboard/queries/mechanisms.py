"""荐优纳新推评制 and 双爱双评 since the last district joint meeting (issue 16 item 4): the brief's
and the big screen's section, counted in SQL in the caller's scope.

*The period* is the brief's: after the previous district meeting's day up to the brief's date
(``since`` < day ≤ ``until``; ``since`` None: everything up to the date), as
``leads.headline`` counts the founding leads. Definitions (docs/kpis.md; the words in
``views.mechanisms``):

荐优纳新 (``activist_recommendation``, scoped by the enterprise's township):

* **recommended** — people a union recommended in the period (``recommended_on``);
* **moved to 发展对象 / 预备党员 / 正式党员** — people whose ``candidate_on`` / ``probationary_on`` /
  ``member_on`` falls in the period (a person can count in more than one); **withdrawn** likewise;
* **evaluated** — development candidates whose 职工代表评议 was held in the period (``evaluated_on``),
  of them agreed (``passed``);
* **stuck** / **open** — on the brief's date, the development page's rule
  (``queries.development.stuck_at``: longer in a stage than its usual period);
* **new Party members via the union (year)** — the development page's share for the last full
  calendar year (``development.share_year``): the union's admissions (预备党员) that year ÷ the new
  Party members recorded for the enterprise and year (``party_admission``, the larger of the record
  and the union's own count), over the enterprise-years with a record; the union's admissions in
  enterprises without a record are counted apart. Party admissions are recorded per year, so the
  share cannot be cut at the meeting's day; the period's own figure is ``to_probationary``.

双爱双评 (``award_round``, ``double_love_award``, scoped by the nominating township):

* **rounds opened / published** — rounds whose ``opened_on`` / ``awarded_on`` falls in the period
  (rounds are district-wide: the same for every scope);
* **the round on the date** — the latest round opened by the date and its state then: 已表彰 once
  published, 推荐中 until its nominations closed (``closed_on``), then 评审中, 评审逾期 after
  ``evaluate_by`` while unpublished (``queries.awards.round_for``: the awards page's rule);
* **nominations** — nominations made in the period not withdrawn by the date (what uses the quota:
  the awards page's 已推荐);
* **awards** — the awarded nominations of the rounds published in the period, per category
  (热爱企业的优秀职工 ``worker`` / 热爱职工的优秀经营者 ``manager``), the enterprises they went to, and
  per township (most first).

No personal name is read: every figure is a count (a leader's brief and the wall screen carry
aggregates only; townships are named, enterprises are counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import awards
from dashboard.queries import development as D
from dashboard.queries.scope import Scope
from models.enums import EvaluationResult, NominationStage
from models.tables import ActivistRecommendation, AwardRound, DoubleLoveAward, Enterprise, PartyAdmission, Township

AR = ActivistRecommendation.__table__
PA = PartyAdmission.__table__
RA = AwardRound.__table__
DA = DoubleLoveAward.__table__
E = Enterprise.__table__
T = Township.__table__

TOWNSHIP_COLUMNS = ["township_id", "township", "worker", "manager", "total"]


@dataclass(frozen=True, eq=False)
class Mechanisms:
    since: dt.date | None  # the previous district meeting's day (excluded); None: from the start
    until: dt.date  # the brief's date (included)
    # 荐优纳新 in the period
    recommended: int = 0
    to_activist: int = 0
    to_candidate: int = 0
    to_probationary: int = 0
    to_member: int = 0
    withdrawn: int = 0
    evaluated: int = 0
    evaluated_passed: int = 0
    # on the date
    open: int = 0
    stuck: int = 0
    # the union's share of the year's new Party members (development.share_year)
    share_year: int = 0
    admitted_union_year: int = 0
    admitted_total_year: int = 0
    admitted_unrecorded_year: int = 0
    # 双爱双评 in the period
    rounds_opened: tuple[int, ...] = ()  # the rounds' years
    rounds_published: tuple[int, ...] = ()
    nominations: int = 0
    round_year: int | None = None  # the latest round opened by the date (None: none yet)
    round_state: str | None = None  # its state on the date: nominating / evaluating / evaluation_overdue / awarded
    awards_worker: int = 0
    awards_manager: int = 0
    awarded_enterprises: int = 0
    # the townships with awards in the period, most first (≤ limit; ``n_townships`` of them in all)
    townships: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TOWNSHIP_COLUMNS))
    n_townships: int = 0

    @property
    def awards(self) -> int:
        return self.awards_worker + self.awards_manager

    @property
    def share(self) -> float | None:
        """The union's share of the year's recorded new Party members (None: none recorded)."""
        return self.admitted_union_year / self.admitted_total_year if self.admitted_total_year else None

    @property
    def development_moved(self) -> bool:
        return any((self.recommended, self.to_activist, self.to_candidate, self.to_probationary, self.to_member,
                    self.withdrawn, self.evaluated))

    @property
    def awards_moved(self) -> bool:
        return bool(self.rounds_opened or self.rounds_published or self.nominations or self.awards)

    @property
    def empty(self) -> bool:
        """Nothing happened in the period (no recommendation, no step, no round, nomination or award)."""
        return not (self.development_moved or self.awards_moved)


def _n(cond) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def in_period(column: sa.ColumnElement, since: dt.date | None, until: dt.date) -> sa.ColumnElement[bool]:
    """``since`` < column ≤ ``until`` (no lower bound without ``since``); NULL is outside."""
    upper = sa.and_(column.is_not(None), column <= until)
    return upper if since is None else sa.and_(upper, column > since)


def _people(scope: Scope) -> sa.FromClause:
    return AR if scope.township_ids is None else AR.join(E, E.c.id == AR.c.enterprise_id)


def _development(session: Session, scope: Scope, since: dt.date | None, until: dt.date) -> dict[str, int]:
    inside = lambda c: in_period(AR.c[c], since, until)  # noqa: E731
    current = D.is_current(session, until)
    stage = D.stage_at(until, current)
    row = session.execute(
        sa.select(_n(inside("recommended_on")).label("recommended"),
                  _n(inside("activist_on")).label("to_activist"),
                  _n(inside("candidate_on")).label("to_candidate"),
                  _n(inside("probationary_on")).label("to_probationary"),
                  _n(inside("member_on")).label("to_member"),
                  _n(inside("withdrawn_on")).label("withdrawn"),
                  _n(inside("evaluated_on")).label("evaluated"),
                  _n(sa.and_(inside("evaluated_on"), AR.c.evaluation == EvaluationResult.PASSED.value))
                  .label("evaluated_passed"),
                  _n(stage.not_in([s.value for s in D.CLOSED])).label("open"),
                  _n(D.stuck_at(until, current)).label("stuck"))
        .select_from(_people(scope))
        .where(AR.c.recommended_on <= until, scope.where(E.c.township_id))
    ).mappings().one()
    return {k: int(v) for k, v in row.items()}


def _share(session: Session, scope: Scope, until: dt.date) -> dict[str, int]:
    """The union's admissions and the recorded new Party members of ``share_year`` (the development
    page's rule): per enterprise the union's count of the year (up to ``until``) against the record."""
    year = D.share_year(until)
    via = (sa.select(AR.c.enterprise_id, sa.func.count().label("n"))
           .where(AR.c.probationary_on >= dt.date(year, 1, 1), AR.c.probationary_on <= dt.date(year, 12, 31),
                  AR.c.probationary_on <= until)
           .group_by(AR.c.enterprise_id).subquery("via"))
    pa = sa.select(PA.c.enterprise_id, PA.c.admitted).where(PA.c.year == year).subquery("pa")
    via_n = sa.func.coalesce(via.c.n, 0)
    recorded = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(via_n), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((via_n > pa.c.admitted, via_n), else_=pa.c.admitted)), 0))
        .select_from(pa.join(E, E.c.id == pa.c.enterprise_id).outerjoin(via, via.c.enterprise_id == pa.c.enterprise_id))
        .where(scope.where(E.c.township_id))).one()
    unrecorded = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(via.c.n), 0))
        .select_from(via.join(E, E.c.id == via.c.enterprise_id).outerjoin(pa, pa.c.enterprise_id == via.c.enterprise_id))
        .where(pa.c.enterprise_id.is_(None), scope.where(E.c.township_id))).scalar_one()
    return {"share_year": year, "admitted_union_year": int(recorded[0]), "admitted_total_year": int(recorded[1]),
            "admitted_unrecorded_year": int(unrecorded)}


def _awards(session: Session, scope: Scope, since: dt.date | None, until: dt.date, limit: int | None) -> dict:
    # the round on the date and its status then: the awards page's own rule (``queries.awards``)
    latest = awards.round_for(session, until)
    state = None
    if latest is not None:
        state = ("awarded" if latest["status"] == "awarded"
                 else "nominating" if latest["status"] == "nominating"
                 else "evaluation_overdue" if until > latest["evaluate_by"] else "evaluating")
    opened = [int(y) for y in session.execute(
        sa.select(RA.c.year).where(in_period(RA.c.opened_on, since, until)).order_by(RA.c.year)).scalars()]
    published_ids = sa.select(RA.c.id).where(in_period(RA.c.awarded_on, since, until))
    published = [int(y) for y in session.execute(
        sa.select(RA.c.year).where(in_period(RA.c.awarded_on, since, until)).order_by(RA.c.year)).scalars()]
    awarded = sa.and_(DA.c.stage == NominationStage.AWARDED.value, DA.c.round_id.in_(published_ids))
    withdrawn_by = sa.and_(DA.c.stage == NominationStage.WITHDRAWN.value, DA.c.stage_on <= until)
    row = session.execute(
        sa.select(_n(sa.and_(in_period(DA.c.nominated_on, since, until), ~withdrawn_by)).label("nominations"),
                  _n(sa.and_(awarded, DA.c.category == "worker")).label("worker"),
                  _n(sa.and_(awarded, DA.c.category == "manager")).label("manager"),
                  sa.func.count(sa.distinct(sa.case((awarded, DA.c.enterprise_id), else_=None))).label("enterprises"))
        .where(scope.where(DA.c.township_id))
    ).mappings().one()
    per = (sa.select(DA.c.township_id, _n(DA.c.category == "worker").label("worker"),
                     _n(DA.c.category == "manager").label("manager"), sa.func.count().label("total"))
           .where(awarded, scope.where(DA.c.township_id)).group_by(DA.c.township_id).subquery("per"))
    stmt = (sa.select(per.c.township_id, T.c.name.label("township"), per.c.worker, per.c.manager, per.c.total,
                      sa.func.count().over().label("n"))
            .join(T, T.c.id == per.c.township_id).order_by(per.c.total.desc(), T.c.sort_order, T.c.id))
    if limit is not None:
        stmt = stmt.limit(int(limit))
    rows = session.execute(stmt).mappings().all()
    towns = pd.DataFrame([{c: r[c] for c in TOWNSHIP_COLUMNS} for r in rows], columns=TOWNSHIP_COLUMNS)
    for c in ("township_id", "worker", "manager", "total"):
        towns[c] = towns[c].astype(int)
    return {"round_year": None if latest is None else int(latest["year"]), "round_state": state,
            "rounds_opened": tuple(opened), "rounds_published": tuple(published),
            "nominations": int(row["nominations"]), "awards_worker": int(row["worker"]),
            "awards_manager": int(row["manager"]), "awarded_enterprises": int(row["enterprises"]),
            "townships": towns, "n_townships": int(rows[0]["n"]) if rows else 0}


def mechanisms(session: Session, scope: Scope, since: dt.date | None, until: dt.date, *,
               limit: int | None = None) -> Mechanisms:
    """荐优纳新 and 双爱双评 after ``since`` up to ``until`` in ``scope`` (see the module's
    definitions); ``limit``: the most townships listed (all of them counted in ``n_townships``)."""
    if since is not None and since > until:
        raise ValueError("the period starts after it ends")
    return Mechanisms(since=since, until=until, **_development(session, scope, since, until),
                      **_share(session, scope, until), **_awards(session, scope, since, until, limit))


def since_last_meeting(session: Session, scope: Scope, as_of: dt.date, *, limit: int | None = None) -> Mechanisms:
    """:func:`mechanisms` since the latest district joint meeting held on or before ``as_of`` (the big
    screen's slide; the brief passes its own previous meeting)."""
    from dashboard.queries.meetings import latest_district_meeting

    meeting = latest_district_meeting(session, as_of)
    return mechanisms(session, scope, meeting.held_on if meeting else None, as_of, limit=limit)
