"""Founding leads (建会线索) of the six measures: the pipeline as of a date, counted in SQL.

A lead's stage on a day is its ``founding_lead_stage`` row whose period holds the day (0016), so
every figure can be read as of any date, like the coverage. The figures (docs/kpis.md):

* **funnel** — per stage, the leads identified by the date that have reached it (or a later one;
  a lead may skip 已走访 or the founding notice) and those in it on the date;
* **by source / by township** — leads, 已建会, 放弃, open; 建会转化率 = 已建会 ÷ leads identified by the
  date; the median days from identification to 已建会 (of the leads founded by the date);
* **overdue notices** — leads in 已发建会通知书 on the date whose notice's deadline has passed;
* **idle** — open leads whose stage has not changed for more than ``idle_days`` days;
* **headline** — what a meeting brief says since the last meeting: new leads, leads founded, overdue
  notices now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import UC, E, active, operating
from dashboard.queries.scope import Scope
from models.enums import LeadSource, LeadStage
from models.tables import FoundingLead, FoundingLeadStage, Township, UnionOrg, Unit

FL = FoundingLead.__table__
FLS = FoundingLeadStage.__table__
T = Township.__table__
U = Unit.__table__
UO = UnionOrg.__table__

#: the stages in the order of the pipeline (放弃 is an exit, not a step)
STEPS: tuple[LeadStage, ...] = (LeadStage.IDENTIFIED, LeadStage.CONTACTED, LeadStage.NOTICE_SENT,
                                LeadStage.PREPARING, LeadStage.FOUNDED)
RANK: dict[LeadStage, int] = {s: k for k, s in enumerate(STEPS)}
CLOSED: tuple[LeadStage, ...] = (LeadStage.FOUNDED, LeadStage.DROPPED)
#: the default number of days without a stage change after which an open lead counts as idle
IDLE_DAYS = 60


def _value(stage: LeadStage) -> sa.ColumnElement:
    """A stage as an inline SQL literal, not a bound parameter: the partial indexes of 0018 serve only
    a query whose WHERE repeats their condition, and SQLite matches it only against constants."""
    return sa.literal_column(f"'{LeadStage(stage).value}'")


def _open(stage: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """Not 已建会 nor 放弃 — the condition of the partial index ``ix_founding_lead_open``."""
    return stage.not_in([_value(s) for s in CLOSED])

LIST_COLUMNS = ["id", "enterprise_id", "enterprise_name", "township_id", "township", "source", "stage",
                "stage_on", "identified_on", "notice_deadline", "owner_unit", "owner_unit_id", "owner_name",
                "closed_on", "drop_reason", "union_id", "union_name", "note", "version"]


@dataclass(frozen=True)
class LeadFilter:
    """The list's filters (all optional): a source, a stage on the date, only the overdue notices or
    only the idle leads, words of the enterprise's (project's) name. Hashable: part of the cache key."""

    source: LeadSource | None = None
    stage: LeadStage | None = None
    only: str | None = None  # "overdue" | "idle"
    search: str = ""

    def __post_init__(self) -> None:
        if self.only not in (None, "overdue", "idle"):
            raise ValueError(f"unknown lead list filter {self.only!r}")
        if not isinstance(self.search, str) or any(c < " " or c == "\x7f" for c in self.search):
            raise ValueError("the lead search must be printable text")
        object.__setattr__(self, "search", self.search.strip()[:60])


def _in_force(as_of: dt.date):
    """The stage rows whose period holds ``as_of``: one per lead identified by then."""
    return sa.and_(FLS.c.start_on <= as_of, sa.or_(FLS.c.end_on.is_(None), FLS.c.end_on > as_of))


def _days(session: Session, later, earlier):
    """Whole days from ``earlier`` to ``later`` (two date expressions), in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.type_coerce(later - earlier, sa.Integer)
    return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)


def _rank(column):
    return sa.case(*((column == s.value, k) for k, s in enumerate(STEPS)), else_=None)


def _now(as_of: dt.date, current: bool = False) -> sa.Subquery:
    """lead_id, stage, start_on of every lead's stage on ``as_of``. ``current``: no stage changed
    after ``as_of`` (:func:`_is_current`), so each lead's own columns (``stage``, ``stage_on``, kept
    by every edit) are its stage on the date — read without the stage periods."""
    if current:
        return (sa.select(FL.c.id.label("lead_id"), FL.c.stage, FL.c.stage_on.label("start_on"))
                .where(FL.c.identified_on <= as_of).subquery("now"))
    return sa.select(FLS.c.lead_id, FLS.c.stage, FLS.c.start_on).where(_in_force(as_of)).subquery("now")


def _is_current(session: Session, as_of: dt.date) -> bool:
    """Whether no lead changed stage after ``as_of`` (the usual case: the pipeline as of today)."""
    latest = session.execute(sa.select(sa.func.max(FL.c.stage_on))).scalar()
    return latest is None or latest <= as_of


BREAKDOWN_COLUMNS = ["key", "leads", "founded", "dropped", "open", "conversion", "median_days"]


@dataclass(frozen=True, eq=False)
class Pipeline:
    """The pipeline's figures on a date (the module's definitions): the funnel (stage, reached, now),
    the breakdowns (:data:`BREAKDOWN_COLUMNS`; by township with its name), the whole scope's row, the
    overdue notices and the idle leads."""

    funnel: pd.DataFrame
    by_source: pd.DataFrame
    by_township: pd.DataFrame
    overall: pd.DataFrame
    overdue: int
    idle: int


def _state(as_of: dt.date, current: bool) -> tuple[sa.FromClause, sa.ColumnElement, sa.ColumnElement, list]:
    """(from, stage on the date, since when, conditions): the leads identified by ``as_of`` with their
    stage that day — the lead's own columns when ``current``, else the stage periods."""
    if current:
        return FL, FL.c.stage, FL.c.stage_on, [FL.c.identified_on <= as_of]
    now = _now(as_of)
    return now.join(FL, FL.c.id == now.c.lead_id), now.c.stage, now.c.start_on, []


def pipeline(session: Session, scope: Scope, as_of: dt.date, idle_days: int = IDLE_DAYS) -> Pipeline:
    """Every figure of the pipeline view in three queries: the leads counted by township, source and
    stage on the date (with the overdue and idle among them); the steps the dropped leads had
    reached; the median days from discovery to 已建会 of the leads founded by then per township, per
    measure and in all (window functions; the middle rows only)."""
    current = _is_current(session, as_of)
    src, stage, since, conds = _state(as_of, current)
    where = [*conds, scope.where(FL.c.township_id)]
    overdue_c, idle_c = _overdue(stage, as_of), _idle(stage, since, as_of, idle_days)
    n = lambda cond: sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)  # noqa: E731
    cells = session.execute(
        sa.select(FL.c.township_id, FL.c.source, stage.label("stage"), sa.func.count(), n(overdue_c), n(idle_c))
        .select_from(src).where(*where).group_by(FL.c.township_id, FL.c.source, stage)).all()
    # the dropped leads' furthest step (their stage periods up to the date)
    dropped_now = sa.select(FL.c.id).select_from(src).where(*where, stage == LeadStage.DROPPED.value)
    top = (sa.select(sa.func.max(_rank(FLS.c.stage)).label("rank"))
           .where(FLS.c.lead_id.in_(dropped_now), FLS.c.start_on <= as_of, FLS.c.stage != LeadStage.DROPPED.value)
           .group_by(FLS.c.lead_id).subquery("top"))
    dropped_reached = dict(session.execute(sa.select(top.c.rank, sa.func.count()).group_by(top.c.rank)).all())
    medians = _medians(session, scope, as_of, current)

    # folding the counted cells (a few hundred at most) into the figures
    now: dict[str, int] = {}
    reached = [0] * len(STEPS)
    groups: dict[str, dict] = {"source": {}, "township": {}, "all": {}}
    overdue = idle = 0
    for town, source, st, count, over, still in cells:
        st, source, count = getattr(st, "value", st), getattr(source, "value", source), int(count)
        now[st] = now.get(st, 0) + count
        overdue, idle = overdue + int(over), idle + int(still)
        if st != LeadStage.DROPPED.value:
            for k in range(RANK[LeadStage(st)] + 1):
                reached[k] += count
        for by, key in (("source", source), ("township", int(town)), ("all", 0)):
            g = groups[by].setdefault(key, {"leads": 0, "founded": 0, "dropped": 0})
            g["leads"] += count
            g["founded"] += count if st == LeadStage.FOUNDED.value else 0
            g["dropped"] += count if st == LeadStage.DROPPED.value else 0
    for rank, count in dropped_reached.items():
        for k in range(int(rank) + 1 if rank is not None else 0):
            reached[k] += int(count)
    reached[0] += sum(int(c) for r, c in dropped_reached.items() if r is None)
    dropped = now.get(LeadStage.DROPPED.value, 0)
    funnel = pd.DataFrame([{"stage": st.value, "reached": reached[k], "now": now.get(st.value, 0)}
                           for k, st in enumerate(STEPS)] + [{"stage": LeadStage.DROPPED.value, "reached": dropped,
                                                              "now": dropped}], columns=["stage", "reached", "now"])

    def frame(by: str, order) -> pd.DataFrame:
        rows = [{"key": key, "leads": g["leads"], "founded": g["founded"], "dropped": g["dropped"],
                 "open": g["leads"] - g["founded"] - g["dropped"],
                 "conversion": g["founded"] / g["leads"] if g["leads"] else None,
                 "median_days": sum(medians[by, key]) / len(medians[by, key]) if (by, key) in medians else None}
                for key, g in sorted(groups[by].items(), key=lambda kv: order(kv[0]))]
        return pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)

    source_order = {x.value: k for k, x in enumerate(LeadSource)}
    towns = {int(r.id): (r.sort_order, r.name) for r in session.execute(
        sa.select(T.c.id, T.c.name, T.c.sort_order).where(scope.where(T.c.id)))}
    by_township = frame("township", lambda key: (towns.get(key, (0, ""))[0], key))
    by_township.insert(1, "township", [towns.get(int(k), (0, ""))[1] for k in by_township["key"]])
    return Pipeline(funnel, frame("source", source_order.get), by_township, frame("all", lambda key: key),
                    overdue, idle)


def _middle(r, k) -> sa.ColumnElement[bool]:
    """Row ``r`` of ``k`` (ranked from 1) is a middle one: the one of an odd count, the two of an even."""
    return sa.or_(2 * r == k, 2 * r == k + 1, 2 * r == k + 2)


def _medians(session: Session, scope: Scope, as_of: dt.date, current: bool) -> dict[tuple[str, object], list[int]]:
    """The middle values (one or two) of the days from discovery to 已建会 of the leads founded by the
    date, per ("township", id), ("source", value) and ("all", 0) — ranked in SQL, only the middle rows
    come back. ``current``: from the leads' own ``days_to_union`` (0018), one query per grouping, each
    reading its partial index in order; else from the stage periods."""
    medians: dict[tuple[str, object], list[int]] = {}

    def keep(by: str, key, days) -> None:
        medians.setdefault((by, getattr(key, "value", key) if by != "township" else int(key)), []).append(int(days))

    if current:
        days = FL.c.days_to_union
        for by, column in (("township", FL.c.township_id), ("source", FL.c.source), ("all", None)):
            part = {} if column is None else {"partition_by": column}
            ranked = sa.select((sa.literal(0) if column is None else column).label("key"), days.label("days"),
                               sa.func.row_number().over(order_by=days, **part).label("r"),
                               sa.func.count().over(**part).label("n"),
                               ).where(days.is_not(None), scope.where(FL.c.township_id)).subquery("ranked")
            for key, d, _r, _n in session.execute(sa.select(ranked).where(_middle(ranked.c.r, ranked.c.n))):
                keep(by, key, d)
        return medians
    # as of a past date: each founded lead's days with its rank within its township, its measure and
    # the whole scope, from the day its 已建会 period began
    days = _days(session, FLS.c.start_on, FL.c.identified_on)
    ranked = sa.select(
        FL.c.township_id, FL.c.source, days.label("days"),
        sa.func.row_number().over(partition_by=FL.c.township_id, order_by=days).label("rt"),
        sa.func.count().over(partition_by=FL.c.township_id).label("nt"),
        sa.func.row_number().over(partition_by=FL.c.source, order_by=days).label("rs"),
        sa.func.count().over(partition_by=FL.c.source).label("ns"),
        sa.func.row_number().over(order_by=days).label("ra"), sa.func.count().over().label("na"),
    ).select_from(FLS.join(FL, FL.c.id == FLS.c.lead_id)).where(
        FLS.c.stage == LeadStage.FOUNDED.value, FLS.c.start_on <= as_of, scope.where(FL.c.township_id)).subquery("ranked")
    rows = session.execute(sa.select(ranked).where(sa.or_(_middle(ranked.c.rt, ranked.c.nt), _middle(ranked.c.rs, ranked.c.ns),
                                                          _middle(ranked.c.ra, ranked.c.na)))).all()
    for town, source, d, rt, nt, rs, ns, ra, na in rows:
        for by, key, r, k in (("township", town, rt, nt), ("source", source, rs, ns), ("all", 0, ra, na)):
            if 2 * r in (k, k + 1, k + 2):
                keep(by, key, d)
    return medians


def funnel(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """stage, reached, now — one row per step of :data:`STEPS` and one for 放弃 (``reached`` = how many
    were dropped by the date). ``reached``: leads identified by the date that reached the stage or a
    later one by then; ``now``: leads in the stage on the date. (:func:`pipeline`'s.)"""
    return pipeline(session, scope, as_of).funnel


def breakdown(session: Session, scope: Scope, as_of: dt.date, by: str) -> pd.DataFrame:
    """One row per source (``by="source"``) or township (``by="township"``, with its name, in the
    townships' order), or one row for the whole scope (``by="all"``, key 0), with leads identified by
    the date: key, leads, founded, dropped, open, conversion (founded ÷ leads), median_days
    (identification → 已建会, of the leads founded by then; None when none was). (:func:`pipeline`'s.)"""
    if by not in ("source", "township", "all"):
        raise ValueError(f"unknown breakdown {by!r}")
    p = pipeline(session, scope, as_of)
    return {"source": p.by_source, "township": p.by_township, "all": p.overall}[by]


def _overdue(stage: sa.ColumnElement, as_of: dt.date) -> sa.ColumnElement[bool]:
    """建会通知书逾期: in 已发建会通知书 on the date (``stage``), the notice's deadline before it."""
    return sa.and_(stage == _value(LeadStage.NOTICE_SENT), FL.c.notice_deadline.is_not(None),
                   FL.c.notice_deadline < as_of)


def _idle(stage: sa.ColumnElement, since: sa.ColumnElement, as_of: dt.date, idle_days: int) -> sa.ColumnElement[bool]:
    """长期未推进: open on the date, its stage (begun ``since``) unchanged for more than ``idle_days``."""
    return sa.and_(_open(stage), since < as_of - dt.timedelta(days=int(idle_days)))


def _listed(scope: Scope, as_of: dt.date, flt: LeadFilter, idle_days: int, current: bool = False):
    """(from, stage on the date, since when, condition) of the leads the list shows (:func:`_state`)."""
    src, stage, since, conds = _state(as_of, current)
    conds = [*conds, scope.where(FL.c.township_id)]
    if flt.source is not None:
        conds.append(FL.c.source == LeadSource(flt.source).value)
    if flt.stage is not None:
        conds.append(stage == LeadStage(flt.stage).value)
    if flt.only == "overdue":
        conds.append(_overdue(stage, as_of))
    elif flt.only == "idle":
        conds.append(_idle(stage, since, as_of, idle_days))
    if flt.search:  # the name the list shows: the enterprise's now, or the lead's own (a project's)
        renamed = sa.exists().where(E.c.id == FL.c.enterprise_id, E.c.name.contains(flt.search, autoescape=True))
        conds.append(sa.or_(sa.and_(FL.c.enterprise_id.is_(None),
                                    FL.c.enterprise_name.contains(flt.search, autoescape=True)), renamed))
    return src, stage, since, sa.and_(*conds)


def count_leads(session: Session, scope: Scope, as_of: dt.date, flt: LeadFilter = LeadFilter(),
                idle_days: int = IDLE_DAYS) -> int:
    """How many leads :func:`lead_list` lists without its limit."""
    src, _stage, _since, where = _listed(scope, as_of, flt, idle_days, _is_current(session, as_of))
    return int(session.execute(sa.select(sa.func.count()).select_from(src).where(where)).scalar_one())


def lead_list(session: Session, scope: Scope, as_of: dt.date, flt: LeadFilter = LeadFilter(), *,
              idle_days: int = IDLE_DAYS, limit: int | None = 200, offset: int = 0) -> pd.DataFrame:
    """The leads identified by the date that pass the filter, with their stage on the date (``stage``,
    ``stage_on``: since when): the overdue notices first (oldest deadline first), then the other open
    leads whose stage is oldest, the closed ones last — what needs a visit comes first. Columns
    :data:`LIST_COLUMNS`."""
    current = _is_current(session, as_of)
    src, stage, since, where = _listed(scope, as_of, flt, idle_days, current)
    # the page's rows picked on the leads' own columns first (sorted without the joins), then dressed;
    # the order keys: the part (0 the overdue notices, 1 the other open leads, 2 the closed ones), the
    # notice's deadline in the first part, the stage's start, the id
    if current and limit is not None:
        p = _picked_in_parts(where, as_of, flt, int(limit), int(offset))
    else:
        overdue = _overdue(stage, as_of)
        order = (sa.case((overdue, 0), (_open(stage), 1), else_=2), sa.case((overdue, FL.c.notice_deadline), else_=None),
                 since, FL.c.id)
        picked = (sa.select(FL.c.id.label("id"), stage.label("stage"), since.label("stage_on"),
                            *(c.label(f"k{k}") for k, c in enumerate(order)))
                  .select_from(src).where(where).order_by(*order).offset(int(offset)))
        if limit is not None:
            picked = picked.limit(int(limit))
        p = picked.subquery("picked")
    stmt = (
        sa.select(FL.c.id, FL.c.enterprise_id,
                  # a registered enterprise by its name now (renamed since the lead was found), a project by the lead's
                  sa.func.coalesce(E.c.name, FL.c.enterprise_name).label("enterprise_name"),
                  FL.c.township_id, T.c.name.label("township"),
                  FL.c.source, p.c.stage, p.c.stage_on, FL.c.identified_on,
                  FL.c.notice_deadline, U.c.name.label("owner_unit"), FL.c.owner_unit_id, FL.c.owner_name,
                  sa.case((p.c.stage.in_([s.value for s in CLOSED]), FL.c.closed_on), else_=None).label("closed_on"),
                  sa.case((p.c.stage == LeadStage.DROPPED.value, FL.c.drop_reason), else_=None).label("drop_reason"),
                  sa.case((p.c.stage == LeadStage.FOUNDED.value, FL.c.union_id), else_=None).label("union_id"),
                  sa.case((p.c.stage == LeadStage.FOUNDED.value, UO.c.name), else_=None).label("union_name"),
                  FL.c.note, FL.c.version)
        .select_from(p.join(FL, FL.c.id == p.c.id).join(T, T.c.id == FL.c.township_id)
                     .outerjoin(E, E.c.id == FL.c.enterprise_id)
                     .outerjoin(U, U.c.id == FL.c.owner_unit_id).outerjoin(UO, UO.c.id == FL.c.union_id))
        .order_by(p.c.k0, p.c.k1, p.c.k2, p.c.k3)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=LIST_COLUMNS)


def _picked_in_parts(where, as_of: dt.date, flt: LeadFilter, limit: int, offset: int) -> sa.Subquery:
    """:func:`lead_list`'s page when every lead's own columns are its stage on the date: each part of
    the order read from its own index in order (``ix_founding_lead_overdue``, ``ix_founding_lead_open``,
    ``ix_founding_lead_stage_on``), at most ``offset + limit`` rows of each, the page cut from their
    union — instead of sorting every open lead of the district. Parts the filter rules out are left out."""
    overdue = _overdue(FL.c.stage, as_of)
    parts = {0: overdue, 1: sa.and_(_open(FL.c.stage), sa.not_(overdue)),
             2: sa.not_(_open(FL.c.stage))}
    if flt.only == "overdue":
        parts = {0: parts[0]}
    elif flt.only == "idle" or flt.stage == LeadStage.NOTICE_SENT:
        parts = {0: parts[0], 1: parts[1]}
    elif flt.stage is not None:
        parts = {2: parts[2]} if LeadStage(flt.stage) in CLOSED else {1: parts[1]}
    selects = []
    for k, cond in parts.items():
        deadline = FL.c.notice_deadline if k == 0 else sa.null()
        order = (FL.c.notice_deadline, FL.c.stage_on, FL.c.id) if k == 0 else (FL.c.stage_on, FL.c.id)
        first = (sa.select(FL.c.id.label("id"), FL.c.stage.label("stage"), FL.c.stage_on.label("stage_on"),
                           sa.literal(k).label("k0"), sa.cast(deadline, sa.Date).label("k1"),
                           FL.c.stage_on.label("k2"), FL.c.id.label("k3"))
                 .where(where, cond).order_by(*order).limit(offset + limit).subquery(f"part{k}"))
        selects.append(sa.select(first))
    union = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    u = union.subquery("parts")
    return (sa.select(u).order_by(u.c.k0, u.c.k1, u.c.k2, u.c.k3).offset(offset).limit(limit)).subquery("picked")


def lead(session: Session, scope: Scope, lead_id: int) -> dict | None:
    """One lead as its forms need it (None when it does not exist or is outside the scope), with its
    stage history (``stages``: stage, start_on, end_on, username, oldest first)."""
    row = session.execute(
        sa.select(FL, T.c.name.label("township"), U.c.name.label("owner_unit"), UO.c.name.label("union_name"))
        .join(T, T.c.id == FL.c.township_id).outerjoin(U, U.c.id == FL.c.owner_unit_id)
        .outerjoin(UO, UO.c.id == FL.c.union_id)
        .where(FL.c.id == int(lead_id), scope.where(FL.c.township_id))
    ).mappings().first()
    if row is None:
        return None
    stages = session.execute(sa.select(FLS.c.stage, FLS.c.start_on, FLS.c.end_on, FLS.c.username)
                             .where(FLS.c.lead_id == int(lead_id)).order_by(FLS.c.start_on, FLS.c.id)).mappings().all()
    return {**dict(row), "stages": [dict(s) for s in stages]}


@dataclass(frozen=True)
class Headline:
    """The pipeline since a date (the last district joint meeting): new leads, leads founded, leads
    dropped in the window; overdue notices and idle leads on the date; open leads on the date."""

    since: dt.date | None
    new: int
    founded: int
    dropped: int
    overdue: int
    idle: int
    open: int


def headline(session: Session, scope: Scope, as_of: dt.date, since: dt.date | None,
             idle_days: int = IDLE_DAYS) -> Headline:
    """What changed after ``since`` up to ``as_of`` (None: since the first lead)."""
    after = (lambda c: c > since) if since is not None else (lambda c: sa.true())  # noqa: E731
    n = lambda cond: sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)  # noqa: E731
    now = _now(as_of, _is_current(session, as_of))
    row = session.execute(
        sa.select(n(after(FL.c.identified_on)),
                  n(sa.and_(now.c.stage == LeadStage.FOUNDED.value, after(now.c.start_on))),
                  n(sa.and_(now.c.stage == LeadStage.DROPPED.value, after(now.c.start_on))),
                  n(_overdue(now.c.stage, as_of)), n(_idle(now.c.stage, now.c.start_on, as_of, idle_days)),
                  n(now.c.stage.not_in([s.value for s in CLOSED])))
        .select_from(now.join(FL, FL.c.id == now.c.lead_id)).where(scope.where(FL.c.township_id))
    ).one()
    new, founded, dropped, overdue, idle, open_ = (int(x) for x in row)
    return Headline(since, new, founded, dropped, overdue, idle, open_)


def lead_candidates(session: Session, scope: Scope, as_of: dt.date, text: str, *, limit: int = 20) -> pd.DataFrame:
    """Enterprises a new lead (or a project's registration) can name: operating on the date, in
    scope, no union covering them, no open lead; name containing ``text`` or USCC equal to it.
    Columns enterprise_id, name, township, uscc."""
    cols = ["enterprise_id", "name", "township", "uscc"]
    text = (text or "").strip()
    if not text:
        return pd.DataFrame(columns=cols)
    covered = sa.exists().where(UC.c.enterprise_id == E.c.id, active(UC.c.start_on, UC.c.end_on, as_of))
    open_lead = sa.exists().where(FL.c.enterprise_id == E.c.id, FL.c.stage.not_in([s.value for s in CLOSED]))
    rows = session.execute(
        sa.select(E.c.id.label("enterprise_id"), E.c.name, T.c.name.label("township"), E.c.uscc)
        .join(T, T.c.id == E.c.township_id)
        .where(operating(as_of), scope.where(E.c.township_id), ~covered, ~open_lead,
               sa.or_(E.c.name.contains(text, autoescape=True), E.c.uscc == text.upper()))
        .order_by(E.c.name).limit(int(limit))
    ).mappings().all()
    return pd.DataFrame(rows, columns=cols)


def since_last_meeting(session: Session, scope: Scope, as_of: dt.date, idle_days: int = IDLE_DAYS) -> Headline:
    """:func:`headline` since the latest district joint meeting held on or before ``as_of`` (the big
    screen's line; the brief passes its own previous meeting)."""
    from dashboard.queries.meetings import latest_district_meeting  # meetings → followup → this module

    meeting = latest_district_meeting(session, as_of)
    return headline(session, scope, as_of, meeting.held_on if meeting else None, idle_days)
