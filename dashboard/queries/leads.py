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
    # days to the union, counted per (township, source, days)
    if current:
        founded_src, founded_on, fconds = FL, FL.c.stage_on, [FL.c.stage == LeadStage.FOUNDED.value,
                                                              FL.c.stage_on <= as_of]
    else:
        founded_src, founded_on, fconds = (FLS.join(FL, FL.c.id == FLS.c.lead_id), FLS.c.start_on,
                                           [FLS.c.stage == LeadStage.FOUNDED.value, FLS.c.start_on <= as_of])
    # the medians in SQL: each founded lead's days with its rank within its township, its measure
    # and the whole scope; only the middle rows (one or two per group) come back
    days = _days(session, founded_on, FL.c.identified_on)
    ranked = sa.select(
        FL.c.township_id, FL.c.source, days.label("days"),
        sa.func.row_number().over(partition_by=FL.c.township_id, order_by=days).label("rt"),
        sa.func.count().over(partition_by=FL.c.township_id).label("nt"),
        sa.func.row_number().over(partition_by=FL.c.source, order_by=days).label("rs"),
        sa.func.count().over(partition_by=FL.c.source).label("ns"),
        sa.func.row_number().over(order_by=days).label("ra"), sa.func.count().over().label("na"),
    ).select_from(founded_src).where(*fconds, scope.where(FL.c.township_id)).subquery("ranked")
    middle = lambda r, k: sa.or_(2 * r == k, 2 * r == k + 1, 2 * r == k + 2)  # noqa: E731
    mids = session.execute(sa.select(ranked).where(sa.or_(middle(ranked.c.rt, ranked.c.nt), middle(ranked.c.rs, ranked.c.ns),
                                                          middle(ranked.c.ra, ranked.c.na)))).all()
    medians: dict[tuple[str, object], list[int]] = {}
    for town, source, d, rt, nt, rs, ns, ra, na in mids:
        source = getattr(source, "value", source)
        for by, key, r, k in (("township", int(town), rt, nt), ("source", source, rs, ns), ("all", 0, ra, na)):
            if 2 * r in (k, k + 1, k + 2):
                medians.setdefault((by, key), []).append(int(d))

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
    return sa.and_(stage == LeadStage.NOTICE_SENT.value, FL.c.notice_deadline.is_not(None),
                   FL.c.notice_deadline < as_of)


def _idle(stage: sa.ColumnElement, since: sa.ColumnElement, as_of: dt.date, idle_days: int) -> sa.ColumnElement[bool]:
    """长期未推进: open on the date, its stage (begun ``since``) unchanged for more than ``idle_days``."""
    return sa.and_(stage.not_in([s.value for s in CLOSED]), since < as_of - dt.timedelta(days=int(idle_days)))


def _listed(scope: Scope, as_of: dt.date, flt: LeadFilter, idle_days: int, current: bool = False):
    now = _now(as_of, current)
    conds = [scope.where(FL.c.township_id)]
    if flt.source is not None:
        conds.append(FL.c.source == LeadSource(flt.source).value)
    if flt.stage is not None:
        conds.append(now.c.stage == LeadStage(flt.stage).value)
    if flt.only == "overdue":
        conds.append(_overdue(now.c.stage, as_of))
    elif flt.only == "idle":
        conds.append(_idle(now.c.stage, now.c.start_on, as_of, idle_days))
    if flt.search:  # the name the list shows: the enterprise's now, or the lead's own (a project's)
        renamed = sa.exists().where(E.c.id == FL.c.enterprise_id, E.c.name.contains(flt.search, autoescape=True))
        conds.append(sa.or_(sa.and_(FL.c.enterprise_id.is_(None),
                                    FL.c.enterprise_name.contains(flt.search, autoescape=True)), renamed))
    return now, sa.and_(*conds)


def count_leads(session: Session, scope: Scope, as_of: dt.date, flt: LeadFilter = LeadFilter(),
                idle_days: int = IDLE_DAYS) -> int:
    """How many leads :func:`lead_list` lists without its limit."""
    now, where = _listed(scope, as_of, flt, idle_days, _is_current(session, as_of))
    return int(session.execute(sa.select(sa.func.count()).select_from(now.join(FL, FL.c.id == now.c.lead_id))
                               .where(where)).scalar_one())


def lead_list(session: Session, scope: Scope, as_of: dt.date, flt: LeadFilter = LeadFilter(), *,
              idle_days: int = IDLE_DAYS, limit: int | None = 200, offset: int = 0) -> pd.DataFrame:
    """The leads identified by the date that pass the filter, with their stage on the date (``stage``,
    ``stage_on``: since when): the overdue notices first (oldest deadline first), then the leads
    whose stage is oldest — what needs a visit comes first. Columns :data:`LIST_COLUMNS`."""
    now, where = _listed(scope, as_of, flt, idle_days, _is_current(session, as_of))
    overdue = sa.case((_overdue(now.c.stage, as_of), 0), else_=1)
    closed = sa.case((now.c.stage.in_([s.value for s in CLOSED]), 1), else_=0)
    order = (closed, overdue, sa.case((overdue == 0, FL.c.notice_deadline), else_=None), now.c.start_on, FL.c.id)
    # the page's rows picked on the leads' own columns first (sorted without the joins), then dressed
    picked = (sa.select(FL.c.id.label("id"), now.c.stage.label("stage"), now.c.start_on.label("stage_on"),
                        *(c.label(f"k{k}") for k, c in enumerate(order)))
              .select_from(now.join(FL, FL.c.id == now.c.lead_id)).where(where).order_by(*order)
              .offset(int(offset)))
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
        .order_by(*(p.c[f"k{k}"] for k in range(len(order))))
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=LIST_COLUMNS)


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
