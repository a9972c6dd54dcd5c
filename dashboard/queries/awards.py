"""双爱双评 (热爱企业的优秀职工 / 热爱职工的优秀经营者): the yearly award rounds, counted in SQL in the
caller's scope.

A round (``award_round``) has quotas per township and category (``award_quota``) and nominations
(``double_love_award`` rows: nominated → passed / rejected → awarded, or withdrawn). A nomination
belongs to the township that nominated it (``township_id``: the enterprise's township on the day, whose
quota it uses); the scope is applied to that column. As of a date D a nomination counts when it was
made by D, in its stage when that stage began by D (``stage_on``), else 评审通过 when it was evaluated
by D (``evaluated_on``: an award published later), else 已推荐; a round shows the rounds opened by D
and its status on D from its days (``closed_on``, ``awarded_on``: 0023); an award counts from the day
its round was published (``awarded_on``).

Names of award winners are public (a published honour): whoever sees the township sees them. The
names of nominees who did not pass (未通过) only staff and the nominating township see; a leader sees
them as counts (``names_visible``, applied in SQL).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.scope import Scope
from models.enums import AwardCategory, NominationStage, Role
from models.tables import AwardQuota, AwardRound, DoubleLoveAward, Enterprise, Township

RA = AwardRound.__table__
AQ = AwardQuota.__table__
DA = DoubleLoveAward.__table__
E = Enterprise.__table__
T = Township.__table__

CATEGORIES = tuple(c.value for c in AwardCategory)
STAGES = tuple(s.value for s in NominationStage)
ROUND_COLUMNS = ["id", "year", "title", "opened_on", "nominate_by", "evaluate_by", "closed_on", "awarded_on", "status",
                 "status_now", "version"]
PROGRESS_COLUMNS = ["township_id", "township", "category", "quota", "nominated", "pending", "passed", "rejected",
                    "awarded", "withdrawn"]
NOMINATION_COLUMNS = ["id", "township_id", "township", "enterprise_id", "enterprise", "category", "person_name",
                      "stage", "nominated_on", "evaluated_on", "stage_on", "note", "remark", "version"]
TOWNSHIP_COLUMNS = ["township_id", "township", "worker", "manager", "total", "enterprises", "rounds", "last_year"]
ENTERPRISE_COLUMNS = ["enterprise_id", "enterprise", "township", "worker", "manager", "total", "first_year",
                      "last_year"]
CASE_COLUMNS = ["year", "category", "person_name", "awarded_on", "note"]
QUOTA_COLUMNS = ["id", "township_id", "category", "quota", "version"]
#: the most rows the round's list shows on screen (a round of the 1M-enterprise district has a few
#: thousand); the page says so with the total (:func:`nomination_counts`), the Excel file has them all
NOMINATION_LIMIT = 5000


def _v(value):
    return getattr(value, "value", value)


def names_visible(role: Role | str, scope: Scope) -> Scope:
    """Whose names of nominees that did not pass (未通过) a user may see: staff and administrators
    everyone's, a township account its own townships' (``scope``: the user's own scope), a leader
    nobody's — a leader sees them as counts only (the places table). The names of the awarded (a
    published honour), of the pending and of the withdrawn are shown to whoever sees the township."""
    role = Role(getattr(role, "value", role))
    if role in (Role.STAFF, Role.ADMIN):
        return Scope.district()
    if role is Role.TOWNSHIP:
        return scope
    return Scope.townships(())


def _on(column: sa.ColumnElement, as_of: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(column.is_not(None), column <= as_of)


def round_status_as_of(as_of: dt.date) -> sa.ColumnElement:
    """A round's status on ``as_of`` from the days its stages began: published by then → 已表彰,
    closed by then → 评审中, else 推荐中 (a round closed or published later shows as it was)."""
    return sa.case((_on(RA.c.awarded_on, as_of), "awarded"), (_on(RA.c.closed_on, as_of), "evaluating"),
                   else_="nominating")


def _round_select(as_of: dt.date) -> sa.Select:
    shown = lambda col: sa.case((_on(col, as_of), col), else_=None)  # noqa: E731  # a day after as_of: not yet
    cols = {"closed_on": shown(RA.c.closed_on), "awarded_on": shown(RA.c.awarded_on),
            "status": round_status_as_of(as_of), "status_now": RA.c.status}
    return (sa.select(*(cols[c].label(c) if c in cols else RA.c[c] for c in ROUND_COLUMNS))
            .where(RA.c.opened_on <= as_of))


#: newest first: by the dates (opened, then published), the year last
ROUND_ORDER = (RA.c.opened_on.desc(), RA.c.year.desc(), RA.c.id.desc())


def _round_row(row) -> dict:
    return {**row, "status": _v(row["status"]), "status_now": _v(row["status_now"])}


def rounds(session: Session, as_of: dt.date) -> pd.DataFrame:
    """The rounds that existed on ``as_of`` (opened on or before it), newest first by their dates
    (``ROUND_COLUMNS``: ``status`` and the days closed / published as they stood on ``as_of``,
    ``status_now`` the stage now)."""
    rows = session.execute(_round_select(as_of).order_by(*ROUND_ORDER)).mappings().all()
    df = pd.DataFrame([_round_row(r) for r in rows], columns=ROUND_COLUMNS)
    return df


def rounds_ahead(session: Session, today: dt.date) -> pd.DataFrame:
    """The rounds made but not opened yet on ``today`` (``ROUND_COLUMNS``), soonest first — the page
    lists rounds by the as-of date, so staff reach these (their dates, places) from the forms only."""
    stmt = _round_select(dt.date.max).where(RA.c.opened_on > today).order_by(RA.c.opened_on, RA.c.year, RA.c.id)
    rows = session.execute(stmt).mappings().all()
    return pd.DataFrame([_round_row(r) for r in rows], columns=ROUND_COLUMNS)


def round_for(session: Session, as_of: dt.date, round_id: int | None = None) -> dict | None:
    """The round ``round_id`` as it stood on ``as_of`` when it had opened by then, else the newest
    round opened by ``as_of`` (None: no round yet) — a round id from a URL or an earlier pick that did
    not exist on the date never shows."""
    if round_id is not None:
        row = session.execute(_round_select(as_of).where(RA.c.id == int(round_id))).mappings().first()
        if row is not None:
            return _round_row(row)
    row = session.execute(_round_select(as_of).order_by(*ROUND_ORDER).limit(1)).mappings().first()
    return None if row is None else _round_row(row)


def stage_as_of(as_of: dt.date) -> sa.ColumnElement:
    """A nomination's stage on ``as_of``: its stage when that began by then; else 评审通过 when it was
    evaluated by then (an award published later); else 已推荐 (a result reached later)."""
    return sa.case((DA.c.stage_on <= as_of, DA.c.stage),
                   (_on(DA.c.evaluated_on, as_of), NominationStage.PASSED.value),
                   else_=NominationStage.NOMINATED.value)


def round_progress(session: Session, scope: Scope, round_id: int, as_of: dt.date) -> pd.DataFrame:
    """Per township in scope and category (``PROGRESS_COLUMNS``): the quota and the nominations made
    by ``as_of`` by their stage on that day — ``nominated`` is every one not withdrawn (what uses the
    quota), ``pending`` those awaiting evaluation. One statement: the quotas and the counts grouped in
    SQL (index ``ix_double_love_award_progress``), townships in their order."""
    stage = stage_as_of(as_of)
    n = lambda cond: sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)  # noqa: E731
    zero = sa.literal(0)
    counts = (
        sa.select(DA.c.township_id, DA.c.category, zero.label("quota"),
                  n(stage != NominationStage.WITHDRAWN.value).label("nominated"),
                  *(n(stage == s).label(k) for k, s in (("pending", "nominated"), ("passed", "passed"),
                                                        ("rejected", "rejected"), ("awarded", "awarded"),
                                                        ("withdrawn", "withdrawn"))))
        .where(DA.c.round_id == int(round_id), scope.where(DA.c.township_id), DA.c.nominated_on <= as_of)
        .group_by(DA.c.township_id, DA.c.category)
    )
    quotas = sa.select(AQ.c.township_id, AQ.c.category, AQ.c.quota.label("quota"),
                       *(zero.label(k) for k in PROGRESS_COLUMNS[4:])
                       ).where(AQ.c.round_id == int(round_id), scope.where(AQ.c.township_id))
    both = sa.union_all(quotas, counts).subquery("progress")
    rows = session.execute(
        sa.select(both.c.township_id, T.c.name.label("township"), both.c.category,
                  *(sa.func.sum(both.c[k]).label(k) for k in PROGRESS_COLUMNS[3:]))
        .join(T, T.c.id == both.c.township_id)
        .group_by(both.c.township_id, T.c.name, T.c.sort_order, both.c.category)
        .order_by(T.c.sort_order, T.c.name, both.c.category.desc())
    ).mappings().all()
    df = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    df["category"] = [_v(c) for c in df["category"]]
    for k in PROGRESS_COLUMNS[3:]:
        df[k] = df[k].astype(int)
    return df


def _nominations_where(scope: Scope, round_id: int, as_of: dt.date, names: Scope,
                       stages: tuple[str, ...] | None) -> list[sa.ColumnElement]:
    stage = stage_as_of(as_of)
    where = [DA.c.round_id == int(round_id), scope.where(DA.c.township_id), DA.c.nominated_on <= as_of,
             # a nominee who did not pass is listed only where their names may be seen (``names_visible``):
             # decided on the stored stage, not the stage on ``as_of`` — else a date before the evaluation
             # would list them, and comparing it with today would name who failed
             sa.or_(DA.c.stage != NominationStage.REJECTED.value, names.where(DA.c.township_id))]
    if stages is not None:
        where.append(stage.in_([_v(x) for x in stages]))
    return where


def round_nominations(session: Session, scope: Scope, round_id: int, as_of: dt.date, *, names: Scope,
                      stages: tuple[str, ...] | None = None, limit: int | None = NOMINATION_LIMIT) -> pd.DataFrame:
    """The round's nominations made by ``as_of`` in scope (``NOMINATION_COLUMNS``: ``stage`` on that
    day, the days and the evaluation's remark only when they had come by then), by township, category,
    stage and name — the results list and what the forms pick from. ``stages``: only those (on
    ``as_of``); those that did not pass only in ``names`` (:func:`names_visible`); at most ``limit``
    (None: all — :func:`nomination_counts` gives the total)."""
    stage = stage_as_of(as_of)
    evaluated = _on(DA.c.evaluated_on, as_of)
    since = sa.case((DA.c.stage_on <= as_of, DA.c.stage_on), (evaluated, DA.c.evaluated_on), else_=DA.c.nominated_on)
    stmt = (
        sa.select(DA.c.id, DA.c.township_id, T.c.name.label("township"), DA.c.enterprise_id,
                  E.c.name.label("enterprise"), DA.c.category, DA.c.person_name, stage.label("stage"),
                  DA.c.nominated_on, sa.case((evaluated, DA.c.evaluated_on), else_=None).label("evaluated_on"),
                  since.label("stage_on"), DA.c.note, sa.case((evaluated, DA.c.remark), else_=None).label("remark"),
                  DA.c.version)
        .join(T, T.c.id == DA.c.township_id).join(E, E.c.id == DA.c.enterprise_id)
        .where(*_nominations_where(scope, round_id, as_of, names, stages))
        .order_by(T.c.sort_order, DA.c.category.desc(),
                  sa.case(*((stage == s, i) for i, s in enumerate(
                      ("awarded", "passed", "nominated", "rejected", "withdrawn"))), else_=9),
                  DA.c.person_name, DA.c.id)
    )
    if limit is not None:
        stmt = stmt.limit(int(limit))
    rows = session.execute(stmt).mappings().all()
    df = pd.DataFrame(rows, columns=NOMINATION_COLUMNS)
    for c in ("category", "stage"):
        df[c] = [_v(v) for v in df[c]]
    return df


def nomination_counts(session: Session, scope: Scope, round_id: int, as_of: dt.date, *, names: Scope
                      ) -> dict[str, int]:
    """How many nominations :func:`round_nominations` lists without its limit (``listed``) and how
    many that did not pass it leaves out because their names are not the user's to see (``hidden``:
    counted, not named)."""
    hidden = sa.and_(DA.c.stage == NominationStage.REJECTED.value, sa.not_(names.where(DA.c.township_id)))
    row = session.execute(
        sa.select(sa.func.count().label("all"), sa.func.coalesce(sa.func.sum(sa.case((hidden, 1), else_=0)), 0))
        .where(DA.c.round_id == int(round_id), scope.where(DA.c.township_id), DA.c.nominated_on <= as_of)).one()
    return {"listed": int(row[0]) - int(row[1]), "hidden": int(row[1])}


def _published(as_of: dt.date) -> sa.ColumnElement:
    """An award counts from the day its round was published: awarded rows of the rounds published
    by ``as_of`` (a list of round ids, so the grouping reads the stage-first indexes alone)."""
    rounds = sa.select(RA.c.id).where(RA.c.awarded_on.is_not(None), RA.c.awarded_on <= as_of)
    return sa.and_(DA.c.stage == NominationStage.AWARDED.value, DA.c.round_id.in_(rounds))


def awards_by_township(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Awards of every round published by ``as_of`` per township in scope (``TOWNSHIP_COLUMNS``): by
    category, how many enterprises they went to, in how many rounds, the latest round's year —
    grouped from the index ``ix_double_love_award_township`` alone."""
    n = lambda c: sa.func.sum(sa.case((DA.c.category == c, 1), else_=0))  # noqa: E731
    per = (
        sa.select(DA.c.township_id, n("worker").label("worker"), n("manager").label("manager"),
                  sa.func.count().label("total"), sa.func.count(sa.distinct(DA.c.enterprise_id)).label("enterprises"),
                  sa.func.count(sa.distinct(DA.c.round_id)).label("rounds"), sa.func.max(DA.c.year).label("last_year"))
        .where(_published(as_of), scope.where(DA.c.township_id))
        .group_by(DA.c.township_id).subquery("per_township")
    )
    rows = session.execute(
        sa.select(per.c.township_id, T.c.name.label("township"), *(per.c[c] for c in TOWNSHIP_COLUMNS[2:]))
        .join(T, T.c.id == per.c.township_id)
        .order_by(per.c.total.desc(), T.c.sort_order)
    ).mappings().all()
    return pd.DataFrame(rows, columns=TOWNSHIP_COLUMNS)


def awards_by_enterprise(session: Session, scope: Scope, as_of: dt.date, *, limit: int = 50
                         ) -> tuple[pd.DataFrame, int]:
    """The enterprises with the most awards published by ``as_of`` (``ENTERPRISE_COLUMNS``, at most
    ``limit``, most awards first), and how many enterprises in scope hold any — one pass over the
    index ``ix_double_love_award_enterprise`` (stage, enterprise: grouped without a sort), the count
    of holders a window over the groups; the names are read for the ``limit`` rows only."""
    n = lambda c: sa.func.sum(sa.case((DA.c.category == c, 1), else_=0))  # noqa: E731
    per = (
        sa.select(DA.c.enterprise_id, n("worker").label("worker"), n("manager").label("manager"),
                  sa.func.count().label("total"), sa.func.min(DA.c.year).label("first_year"),
                  sa.func.max(DA.c.year).label("last_year"))
        .where(_published(as_of), scope.where(DA.c.township_id))
        .group_by(DA.c.enterprise_id).subquery("per_enterprise")
    )
    top = (sa.select(per, sa.func.count().over().label("holders"))
           .order_by(per.c.total.desc(), per.c.last_year.desc(), per.c.enterprise_id).limit(int(limit))
           .subquery("top"))
    rows = session.execute(
        sa.select(top.c.enterprise_id, E.c.name.label("enterprise"), T.c.name.label("township"), top.c.worker,
                  top.c.manager, top.c.total, top.c.first_year, top.c.last_year, top.c.holders)
        .join(E, E.c.id == top.c.enterprise_id).join(T, T.c.id == E.c.township_id)
        .order_by(top.c.total.desc(), top.c.last_year.desc(), top.c.enterprise_id)
    ).mappings().all()
    holders = int(rows[0]["holders"]) if rows else 0
    return pd.DataFrame(rows, columns=ENTERPRISE_COLUMNS), holders


def enterprise_awards(session: Session, scope: Scope, enterprise_id: int, as_of: dt.date) -> pd.DataFrame:
    """The 双爱双评 awards of one enterprise in scope published by ``as_of``, newest first
    (``CASE_COLUMNS``) — its case study's list."""
    rows = session.execute(
        sa.select(DA.c.year, DA.c.category, DA.c.person_name, RA.c.awarded_on, DA.c.note)
        .select_from(DA.join(RA, RA.c.id == DA.c.round_id).join(E, E.c.id == DA.c.enterprise_id))
        .where(DA.c.enterprise_id == int(enterprise_id), _published(as_of), scope.where(E.c.township_id))
        .order_by(DA.c.year.desc(), DA.c.category.desc(), DA.c.person_name)
    ).mappings().all()
    df = pd.DataFrame(rows, columns=CASE_COLUMNS)
    df["category"] = [_v(c) for c in df["category"]]
    return df


def latest_published(session: Session, scope: Scope, as_of: dt.date) -> tuple[int | None, dt.date | None, dict[str, int]]:
    """The newest round published by ``as_of`` that awarded anyone in scope: its year, the day it was
    published, its awards by category (the leading group's 双爱双评 card); (None, None, {}) without one."""
    got = session.execute(
        sa.select(DA.c.year, RA.c.awarded_on).select_from(DA.join(RA, RA.c.id == DA.c.round_id))
        .where(_published(as_of), scope.where(DA.c.township_id))
        .order_by(RA.c.awarded_on.desc(), DA.c.year.desc()).limit(1)).first()  # newest by its publication
    if got is None:
        return None, None, {}
    year, day = int(got[0]), got[1]
    by_cat = {_v(c): int(k) for c, k in session.execute(
        sa.select(DA.c.category, sa.func.count()).select_from(DA.join(RA, RA.c.id == DA.c.round_id))
        .where(_published(as_of), scope.where(DA.c.township_id), DA.c.year == year).group_by(DA.c.category)).all()}
    return year, day, by_cat


def nominees(session: Session, scope: Scope, as_of: dt.date, text: str, *, limit: int = 20) -> pd.DataFrame:
    """Operating enterprises in scope covered by a union on ``as_of`` whose name contains ``text``
    (the nomination form's choices): enterprise_id, name, township."""
    from dashboard.queries.coverage import active, operating
    from models.tables import UnionCoverage

    UC = UnionCoverage.__table__
    cols = ["enterprise_id", "name", "township"]
    text = (text or "").strip()
    if not text:
        return pd.DataFrame(columns=cols)
    unionised = sa.select(sa.literal(1)).where(UC.c.enterprise_id == E.c.id, active(UC.c.start_on, UC.c.end_on, as_of))
    rows = session.execute(
        sa.select(E.c.id.label("enterprise_id"), E.c.name, T.c.name.label("township"))
        .join(T, T.c.id == E.c.township_id)
        .where(operating(as_of), scope.where(E.c.township_id), unionised.exists(),
               E.c.name.contains(text, autoescape=True))
        .order_by(E.c.name).limit(int(limit))
    ).mappings().all()
    return pd.DataFrame(rows, columns=cols)


def quotas(session: Session, scope: Scope, round_id: int, *, township_id: int | None = None,
           category: str | None = None) -> pd.DataFrame:
    """A round's quota rows in scope as the quota form edits them (``QUOTA_COLUMNS``), optionally of
    one township and category."""
    stmt = sa.select(*(AQ.c[c] for c in QUOTA_COLUMNS)).where(AQ.c.round_id == int(round_id),
                                                             scope.where(AQ.c.township_id))
    if township_id is not None:
        stmt = stmt.where(AQ.c.township_id == int(township_id))
    if category is not None:
        stmt = stmt.where(AQ.c.category == _v(category))
    rows = session.execute(stmt.order_by(AQ.c.township_id, AQ.c.category)).mappings().all()
    df = pd.DataFrame(rows, columns=QUOTA_COLUMNS)
    df["category"] = [_v(c) for c in df["category"]]
    return df
