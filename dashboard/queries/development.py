"""荐优纳新推评制 (issue 16 item 1): the unions' recommendations of outstanding workers to the Party,
each person stage by stage, as of a date, counted in SQL in the caller's scope (the enterprise's
township). Definitions (docs/kpis.md, shown next to the numbers by ``views.development``):

* **a person's stage on a date** — the latest of 工会推荐 (``recommended_on``), 入党积极分子, 发展对象,
  预备党员, 正式党员, 退出 whose date is on or before it (a person recommended after the date is not
  counted); the 职工代表评议 is a date and a result on the 发展对象 stage, not a stage;
* **recommended (12 months)** — people recommended in the 12 months up to the date (the day after the
  same date a year earlier up to it: ``dates.year_before``);
* **new Party members via the union (year)** — of the new Party members (接收为预备党员, the Party's
  发展党员) of the last full calendar year up to the date (:func:`share_year`) in the non-public
  enterprises of the scope (every enterprise of the register is non-public), those who came through a
  union recommendation: people of this table admitted as probationary members that year ÷ the new
  Party members recorded for the enterprise and year (``party_admission``; when a record is smaller
  than the union's own admissions, the union's count is taken). Enterprise-years without a record
  are left out of both and counted apart (``admitted_unrecorded``);
* **evaluated before admission (12 months)** — of the development candidates admitted as probationary
  members in the 12 months, those whose 职工代表评议 was held on or before the admission;
* **stuck** — on the path on the date (not 正式党员, not 退出) and in their stage for longer than the
  stage's usual period (:data:`STUCK_DAYS`).

Names are personal data: only staff, administrators and the person's township see them. Every query
that returns people takes ``names`` (:func:`names_visible`), and a name outside it comes back as None
from the database — a leader's aggregate view never holds one (``edits.development.open_record``
shows one record's name, audited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import UC, active, operating
from dashboard.queries.dates import year_before
from dashboard.queries.scope import Scope
from models.enums import ActivistStage, Role
from models.tables import (
    ActivistRecommendation,
    Enterprise,
    PartyAdmission,
    Township,
    UnionOrg,
)

AR = ActivistRecommendation.__table__
PA = PartyAdmission.__table__
E = Enterprise.__table__
T = Township.__table__
UO = UnionOrg.__table__
S = ActivistStage

#: the path in order (退出 is an exit, not a step)
STEPS: tuple[ActivistStage, ...] = (S.RECOMMENDED, S.ACTIVIST, S.CANDIDATE, S.PROBATIONARY, S.MEMBER)
RANK: dict[ActivistStage, int] = {s: k for k, s in enumerate(STEPS)}
CLOSED: tuple[ActivistStage, ...] = (S.MEMBER, S.WITHDRAWN)
#: the column holding the day each stage began
DATE_COLUMN: dict[ActivistStage, str] = {S.RECOMMENDED: "recommended_on", S.ACTIVIST: "activist_on",
                                         S.CANDIDATE: "candidate_on", S.PROBATIONARY: "probationary_on",
                                         S.MEMBER: "member_on", S.WITHDRAWN: "withdrawn_on"}

# The usual periods. A person is *stuck* when they have been in a stage longer than these days.
#: 工会推荐 → 入党积极分子: the Party organisation answers a union's recommendation at its next
#: decisions on activists (the branch meets at least quarterly); half a year without one is stuck
RECOMMENDED_STUCK_DAYS = 180
#: 入党积极分子 → 发展对象: the Party's rule asks for at least one year of training and examination
#: (培养教育考察一年以上) before a person can become a development candidate; more than two years is stuck
ACTIVIST_STUCK_DAYS = 730
#: 发展对象 → 预备党员: political review, a short training course, the worker representatives'
#: evaluation and the branch meeting usually take a few months; more than a year is stuck
CANDIDATE_STUCK_DAYS = 365
#: 预备党员 → 正式党员: the probation is one year (预备期一年), decided by the branch when it ends; more
#: than a year and 60 days is stuck (an extended probation, 延长预备期, shows here too)
PROBATIONARY_STUCK_DAYS = 365 + 60
STUCK_DAYS: dict[ActivistStage, int] = {S.RECOMMENDED: RECOMMENDED_STUCK_DAYS, S.ACTIVIST: ACTIVIST_STUCK_DAYS,
                                        S.CANDIDATE: CANDIDATE_STUCK_DAYS, S.PROBATIONARY: PROBATIONARY_STUCK_DAYS}
#: the shortest training of an activist before 发展对象, and the probation (the edits' rules)
MIN_ACTIVIST_DAYS = 365
PROBATION_YEARS = 1


def names_visible(role: Role | str, scope: Scope) -> Scope:
    """Whose names a user may see: staff and administrators every person's, a township account those
    of its own townships (``scope``: the user's own scope), a leader nobody's (aggregates; one record
    opened explicitly, audited)."""
    role = Role(getattr(role, "value", role))
    if role in (Role.STAFF, Role.ADMIN):
        return Scope.district()
    if role is Role.TOWNSHIP:
        return scope
    return Scope.townships(())


def share_year(as_of: dt.date) -> int:
    """The calendar year of the new-members share: the year of the date when the date is 31 December,
    else the year before (the last full year)."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def _on(column: sa.ColumnElement, as_of: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(column.is_not(None), column <= as_of)


def stage_at(as_of: dt.date, current: bool = False) -> sa.ColumnElement:
    """A person's stage on ``as_of`` (SQL), for people recommended by then. ``current``: no stage began
    after ``as_of`` (:func:`is_current`), so the stored ``stage`` is the stage on the date."""
    if current:
        return AR.c.stage
    return sa.case(*((_on(AR.c[DATE_COLUMN[s]], as_of), s.value) for s in (
        S.WITHDRAWN, S.MEMBER, S.PROBATIONARY, S.CANDIDATE, S.ACTIVIST)), else_=S.RECOMMENDED.value)


def since_at(as_of: dt.date, current: bool = False) -> sa.ColumnElement:
    """The day a person's stage on ``as_of`` began (SQL); ``current`` as for :func:`stage_at`."""
    if current:
        return AR.c.stage_on
    return sa.case(*((_on(AR.c[DATE_COLUMN[s]], as_of), AR.c[DATE_COLUMN[s]]) for s in (
        S.WITHDRAWN, S.MEMBER, S.PROBATIONARY, S.CANDIDATE, S.ACTIVIST)), else_=AR.c.recommended_on)


def stuck_at(as_of: dt.date, current: bool = False) -> sa.ColumnElement[bool]:
    """On the path on ``as_of`` and in the stage for longer than its usual period (:data:`STUCK_DAYS`)."""
    stage, since = stage_at(as_of, current), since_at(as_of, current)
    return sa.or_(*(sa.and_(stage == s.value, since < as_of - dt.timedelta(days=d)) for s, d in STUCK_DAYS.items()))


def _days(session: Session, later, earlier):
    """Whole days from ``earlier`` to ``later`` (two date expressions), in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.type_coerce(later - earlier, sa.Integer)
    return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)


def _n(cond) -> sa.ColumnElement:
    """How many rows meet ``cond``: ``count(*) FILTER (WHERE …)`` (SQLite ≥ 3.30 and PostgreSQL) —
    a quarter faster than a sum over a CASE on SQLite, and 0, never NULL, over no rows."""
    return sa.func.count().filter(cond)


def _inside(column: sa.ColumnElement, as_of: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(column > year_before(as_of), column <= as_of)


def _year(column: sa.ColumnElement, year: int) -> sa.ColumnElement[bool]:
    return sa.and_(column >= dt.date(year, 1, 1), column <= dt.date(year, 12, 31))


#: the counts of each breakdown row (and of the whole scope)
COUNT_COLUMNS = ["recommended_12m", *(f"now_{s.value}" for s in (*STEPS, S.WITHDRAWN)), "open", "stuck",
                 "admitted_12m", "evaluated_12m", "members_12m", "withdrawn_12m",
                 "admitted_union_year", "admitted_total_year", "admitted_unrecorded_year"]


def is_current(session: Session, as_of: dt.date) -> bool:
    """Whether no stage began after ``as_of`` (the usual case: the page as of today) — then each
    person's stored ``stage``/``stage_on`` are their stage on the date, read without the CASE over the
    dates (the edits keep them)."""
    latest = session.execute(sa.select(sa.func.max(AR.c.stage_on))).scalar()
    return latest is None or latest <= as_of


def _counts(as_of: dt.date, current: bool = False) -> list[sa.ColumnElement]:
    stage = stage_at(as_of, current)
    return [
        _n(_inside(AR.c.recommended_on, as_of)).label("recommended_12m"),
        *(_n(stage == s.value).label(f"now_{s.value}") for s in (*STEPS, S.WITHDRAWN)),
        _n(stage.not_in([s.value for s in CLOSED])).label("open"),
        _n(stuck_at(as_of, current)).label("stuck"),
        _n(_inside(AR.c.probationary_on, as_of)).label("admitted_12m"),
        _n(sa.and_(_inside(AR.c.probationary_on, as_of), AR.c.evaluated_on.is_not(None),
                   AR.c.evaluated_on <= AR.c.probationary_on)).label("evaluated_12m"),
        _n(_inside(AR.c.member_on, as_of)).label("members_12m"),
        _n(_inside(AR.c.withdrawn_on, as_of)).label("withdrawn_12m"),
    ]


@dataclass(frozen=True, eq=False)
class Figures:
    """The page's figures on a date: per township (``key`` = township id, ``township``), per enterprise
    (``key`` = enterprise id, ``enterprise``, ``township``; the ``limit`` with most to look at: stuck,
    then recommendations), the whole scope (one row), the share's ``year``. Columns
    :data:`COUNT_COLUMNS`; rows only where something happened."""

    by_township: pd.DataFrame
    by_enterprise: pd.DataFrame
    overall: pd.DataFrame
    year: int
    enterprises: int  # enterprises with a person recommended by the date (the table shows ``limit`` at most)


def figures(session: Session, scope: Scope, as_of: dt.date, *, limit: int = 200) -> Figures:
    """Every figure of the page in three queries, each aggregated in the database. The people are
    grouped once per enterprise (one scan of the table in the order of its enterprise index; a
    materialised CTE), and that grouping gives both the townships' sums (joined to the enterprises by
    primary key) and the ``limit`` enterprises with most to look at (stuck, then recommendations,
    then open, with how many enterprises there are) — one statement. The year's recorded new Party
    members per township with the union's share of them is the second; the townships' names the third."""
    year = share_year(as_of)
    current = is_current(session, as_of)
    pa_year = sa.select(PA.c.enterprise_id, PA.c.admitted).where(PA.c.year == year).subquery("pa")
    counts = [c for c in COUNT_COLUMNS if not c.endswith("_year")]
    per_ent = (sa.select(AR.c.enterprise_id, *_counts(as_of, current),
                         _n(_year(AR.c.probationary_on, year)).label("via_year"))
               .select_from(_from(scope, PeopleFilter()))
               .where(AR.c.recommended_on <= as_of, scope.where(E.c.township_id))
               .group_by(AR.c.enterprise_id).cte("per_ent"))
    if session.get_bind().dialect.name == "sqlite":  # read twice below: computed once (PostgreSQL does so itself)
        per_ent = per_ent.prefix_with("MATERIALIZED")
    unrecorded = sa.case((pa_year.c.admitted.is_(None), per_ent.c.via_year), else_=0)
    towns_part = (sa.select(sa.literal("t").label("kind"), E.c.township_id.label("key"),
                            *(sa.func.sum(per_ent.c[c]).label(c) for c in counts),
                            sa.func.sum(per_ent.c.via_year).label("via_year"),
                            sa.func.sum(unrecorded).label("unrecorded"),
                            sa.literal(None, sa.Integer).label("admitted"), sa.literal(None, sa.Integer).label("enterprises"))
                  .select_from(per_ent.join(E, E.c.id == per_ent.c.enterprise_id)
                               .outerjoin(pa_year, pa_year.c.enterprise_id == per_ent.c.enterprise_id))
                  .group_by(E.c.township_id))
    rank = (per_ent.c.stuck.desc(), per_ent.c.recommended_12m.desc(), per_ent.c.open.desc(), per_ent.c.enterprise_id)
    top = (sa.select(per_ent, sa.func.count().over().label("enterprises")).order_by(*rank).limit(int(limit))
           .subquery("top"))
    ents_part = (sa.select(sa.literal("e").label("kind"), top.c.enterprise_id.label("key"),
                           *(top.c[c] for c in counts), top.c.via_year, sa.literal(0, sa.Integer).label("unrecorded"),
                           pa_year.c.admitted, top.c.enterprises)
                 .select_from(top.outerjoin(pa_year, pa_year.c.enterprise_id == top.c.enterprise_id)))
    both = sa.union_all(towns_part, ents_part).subquery("both")
    rows = session.execute(sa.select(both)).mappings().all()
    # the recorded new members of the year per township, also of enterprises nobody was recommended in
    via = (sa.select(AR.c.enterprise_id, sa.func.count().label("n"))
           .where(_year(AR.c.probationary_on, year), AR.c.probationary_on <= as_of).group_by(AR.c.enterprise_id)
           .subquery("via"))
    via_n = sa.func.coalesce(via.c.n, 0)
    recorded = {int(r.township_id): (int(r.union or 0), int(r.total or 0)) for r in session.execute(
        sa.select(E.c.township_id, sa.func.sum(via_n).label("union"),
                  sa.func.sum(sa.case((via_n > pa_year.c.admitted, via_n), else_=pa_year.c.admitted)).label("total"))
        .select_from(pa_year.join(E, E.c.id == pa_year.c.enterprise_id)
                     .outerjoin(via, via.c.enterprise_id == pa_year.c.enterprise_id))
        .where(scope.where(E.c.township_id)).group_by(E.c.township_id))}
    towns = {int(r.id): (r.sort_order, r.name) for r in session.execute(
        sa.select(T.c.id, T.c.name, T.c.sort_order).where(scope.where(T.c.id)))}
    ent_ids = [int(r["key"]) for r in rows if r["kind"] == "e"]
    names = {int(r.id): (r.name, int(r.township_id)) for r in session.execute(
        sa.select(E.c.id, E.c.name, E.c.township_id).where(E.c.id.in_(ent_ids)))} if ent_ids else {}

    by_town: dict[int, dict[str, int]] = {}
    for r in rows:
        if r["kind"] == "t":
            by_town[int(r["key"])] = {**dict.fromkeys(COUNT_COLUMNS, 0), **{c: int(r[c] or 0) for c in counts},
                                      "admitted_unrecorded_year": int(r["unrecorded"] or 0)}
    for town, (union, total) in recorded.items():
        agg = by_town.setdefault(town, dict.fromkeys(COUNT_COLUMNS, 0))
        agg["admitted_union_year"], agg["admitted_total_year"] = union, total
    town_rows = [{"key": k, "township": towns.get(k, (0, ""))[1], **v}
                 for k, v in sorted(by_town.items(), key=lambda kv: (towns.get(kv[0], (0, ""))[0], kv[0]))]
    by_township = pd.DataFrame(town_rows, columns=["key", "township", *COUNT_COLUMNS])
    overall = pd.DataFrame([{"key": 0, **{c: int(by_township[c].sum()) for c in COUNT_COLUMNS}}],
                           columns=["key", *COUNT_COLUMNS])
    ent_rows, total_ents = [], 0
    ranked = sorted((r for r in rows if r["kind"] == "e"),
                    key=lambda r: (-int(r["stuck"]), -int(r["recommended_12m"]), -int(r["open"]), int(r["key"])))
    for r in ranked:
        via_year, rec, total_ents = int(r["via_year"]), r["admitted"], int(r["enterprises"])
        name, town = names[int(r["key"])]
        ent_rows.append({
            "key": int(r["key"]), "enterprise": name, "township_id": town,
            "township": towns.get(town, (0, ""))[1], **{c: int(r[c]) for c in counts},
            "admitted_union_year": via_year if rec is not None else 0,
            "admitted_total_year": max(int(rec), via_year) if rec is not None else 0,
            "admitted_unrecorded_year": via_year if rec is None else 0})
    by_enterprise = pd.DataFrame(ent_rows, columns=["key", "enterprise", "township_id", "township", *COUNT_COLUMNS])
    return Figures(by_township, by_enterprise, overall, year, total_ents)


LIST_COLUMNS = ["id", "enterprise_id", "enterprise", "township_id", "township", "person_name", "union", "stage",
                "since", "days", "stuck", "recommended_on", "activist_on", "candidate_on", "evaluated_on",
                "evaluation", "probationary_on", "member_on", "withdrawn_on", "withdrawn_reason", "version"]


@dataclass(frozen=True)
class PeopleFilter:
    """The list's filters: a stage on the date, only the stuck, only those still on the path, words of
    the enterprise's name. Hashable: part of the cache key."""

    stage: ActivistStage | None = None
    only: str | None = None  # "stuck" | "open"
    search: str = ""

    def __post_init__(self) -> None:
        if self.only not in (None, "stuck", "open"):
            raise ValueError(f"unknown people filter {self.only!r}")
        if not isinstance(self.search, str) or any(c < " " or c == "\x7f" for c in self.search):
            raise ValueError("the search must be printable text")
        object.__setattr__(self, "search", self.search.strip()[:60])


def _listed(scope: Scope, as_of: dt.date, flt: PeopleFilter, current: bool = False) -> list[sa.ColumnElement[bool]]:
    conds = [AR.c.recommended_on <= as_of, scope.where(E.c.township_id)]
    if flt.stage is not None:
        conds.append(stage_at(as_of, current) == ActivistStage(flt.stage).value)
    if flt.only == "stuck":
        conds.append(stuck_at(as_of, current))
    elif flt.only == "open":
        conds.append(stage_at(as_of, current).not_in([s.value for s in CLOSED]))
    if flt.search:
        conds.append(E.c.name.contains(flt.search, autoescape=True))
    return conds


def _from(scope: Scope, flt: PeopleFilter) -> sa.FromClause:
    """The people alone when nothing needs their enterprise (the whole district, no search: a count or
    a sort without the join), else joined to it."""
    return AR if scope.township_ids is None and not flt.search else AR.join(E, E.c.id == AR.c.enterprise_id)


def count_people(session: Session, scope: Scope, as_of: dt.date, flt: PeopleFilter = PeopleFilter()) -> int:
    """How many people :func:`people` lists without its limit."""
    return int(session.execute(sa.select(sa.func.count()).select_from(_from(scope, flt))
                               .where(*_listed(scope, as_of, flt, is_current(session, as_of)))).scalar_one())


def people(session: Session, scope: Scope, as_of: dt.date, flt: PeopleFilter = PeopleFilter(), *, names: Scope,
           limit: int | None = 200, offset: int = 0) -> pd.DataFrame:
    """The people recommended by the date that pass the filter, with their stage on the date, since
    when, the days in it and whether they are stuck, and every date up to the date: the stuck first
    (longest first), then those on the path (oldest stage first), then the rest (the earliest first).
    ``person_name`` is None outside ``names`` (:func:`names_visible`) — masked in the database.
    Columns :data:`LIST_COLUMNS`."""
    current = is_current(session, as_of)
    stage, since, stuck = stage_at(as_of, current), since_at(as_of, current), stuck_at(as_of, current)
    days = _days(session, sa.literal(as_of, sa.Date), since)
    # the order: the stuck (part 0), the others on the path (1), the rest (2); in each, the stage's
    # start, then the id (for the rest: the days in the stage, longest first, is the same order)
    part = sa.case((stuck, 0), (stage.in_([s.value for s in CLOSED]), 2), else_=1)
    order = (part, since, AR.c.id)
    if current and limit is not None and not flt.search and offset + limit <= FAST_ROWS:
        p = _picked_in_parts(scope, as_of, flt, offset, limit)
    else:
        # the page's rows picked on the people's own columns first (sorted without the joins), then dressed
        picked = (sa.select(AR.c.id.label("pid"), *(c.label(f"k{k}") for k, c in enumerate(order)))
                  .select_from(_from(scope, flt)).where(*_listed(scope, as_of, flt, current)).order_by(*order)
                  .offset(int(offset)))
        if limit is not None:
            picked = picked.limit(int(limit))
        p = picked.subquery("picked")
    shown = lambda col: sa.case((_on(col, as_of), col), else_=None)
    stmt = (
        sa.select(AR.c.id, AR.c.enterprise_id, E.c.name.label("enterprise"), E.c.township_id,
                  T.c.name.label("township"),
                  sa.case((names.where(E.c.township_id), AR.c.person_name), else_=None).label("person_name"),
                  UO.c.name.label("union"), stage.label("stage"), since.label("since"), days.label("days"),
                  stuck.label("stuck"), AR.c.recommended_on,
                  *(shown(AR.c[c]).label(c) for c in ("activist_on", "candidate_on", "evaluated_on")),
                  sa.case((_on(AR.c.evaluated_on, as_of), AR.c.evaluation), else_=None).label("evaluation"),
                  *(shown(AR.c[c]).label(c) for c in ("probationary_on", "member_on", "withdrawn_on")),
                  sa.case((_on(AR.c.withdrawn_on, as_of), AR.c.withdrawn_reason), else_=None).label("withdrawn_reason"),
                  AR.c.version)
        .select_from(p.join(AR, AR.c.id == p.c.pid).join(E, E.c.id == AR.c.enterprise_id)
                     .join(T, T.c.id == E.c.township_id).outerjoin(UO, UO.c.id == AR.c.union_id))
        .order_by(*(p.c[f"k{k}"] for k in range(len(order))))
    )
    frame = pd.DataFrame(session.execute(stmt).mappings().all(), columns=LIST_COLUMNS)
    frame["stuck"] = frame["stuck"].astype(bool)
    frame["stage"] = [getattr(s, "value", s) for s in frame["stage"]]
    frame["evaluation"] = [getattr(v, "value", v) for v in frame["evaluation"]]
    return frame


#: the deepest row the list reads part by part (:func:`_picked_in_parts`); deeper pages sort everyone
FAST_ROWS = 2000


def _picked_in_parts(scope: Scope, as_of: dt.date, flt: PeopleFilter, offset: int, limit: int) -> sa.Subquery:
    """The page's people when no stage began after the date (the stored stage is the stage on it):
    each part of the order — the stuck, then the others on the path, then the rest — read on its own
    in the order of the (stage, stage_on) index, ``offset + limit`` rows at most, instead of sorting
    every person. Stage values are literals, so SQLite picks that index for each stage."""
    need = int(offset) + int(limit)
    cutoff = {s: as_of - dt.timedelta(days=d) for s, d in STUCK_DAYS.items()}
    base = _listed(scope, as_of, flt, current=True)

    def one(k: int, cond: sa.ColumnElement[bool]) -> sa.Select:
        return (sa.select(AR.c.id.label("pid"), sa.literal(k).label("k0"), AR.c.stage_on.label("k1"),
                          AR.c.id.label("k2"))
                .select_from(_from(scope, flt)).where(*base, cond).order_by(AR.c.stage_on, AR.c.id).limit(need))

    def stage_is(s: ActivistStage) -> sa.ColumnElement[bool]:
        return AR.c.stage == sa.literal_column(f"'{s.value}'")  # an enum value, not input: a constant

    parts = [
        one(0, sa.or_(*(sa.and_(stage_is(s), AR.c.stage_on < cutoff[s]) for s in STUCK_DAYS))),
        one(1, sa.or_(*(sa.and_(stage_is(s), AR.c.stage_on >= cutoff[s]) for s in STUCK_DAYS))),
        one(2, sa.or_(*(stage_is(s) for s in CLOSED))),
    ]
    both = sa.union_all(*(p.subquery().select() for p in parts)).subquery("parts")
    return (sa.select(both).order_by(both.c.k0, both.c.k1, both.c.k2).offset(int(offset)).limit(int(limit))
            .subquery("picked"))


def recommend_candidates(session: Session, scope: Scope, as_of: dt.date, text: str, *,
                         limit: int = 20) -> pd.DataFrame:
    """Enterprises a union can recommend from on the date: operating, in scope, covered by a union that
    day; name containing ``text`` or USCC equal to it. Columns enterprise_id, name, township."""
    cols = ["enterprise_id", "name", "township"]
    text = (text or "").strip()
    if not text:
        return pd.DataFrame(columns=cols)
    covered = sa.exists().where(UC.c.enterprise_id == E.c.id, active(UC.c.start_on, UC.c.end_on, as_of))
    rows = session.execute(
        sa.select(E.c.id.label("enterprise_id"), E.c.name, T.c.name.label("township"))
        .join(T, T.c.id == E.c.township_id)
        .where(operating(as_of), scope.where(E.c.township_id), covered,
               sa.or_(E.c.name.contains(text, autoescape=True), E.c.uscc == text.upper()))
        .order_by(E.c.name).limit(int(limit))).mappings().all()
    return pd.DataFrame(rows, columns=cols)


def admissions(session: Session, scope: Scope, enterprise_id: int) -> pd.DataFrame:
    """The recorded new Party members of one enterprise in scope, per year (newest first), with the
    union's admissions of each year. Columns id, year, admitted, via_union, version."""
    via = (sa.select(sa.func.count()).where(AR.c.enterprise_id == PA.c.enterprise_id,
                                            sa.extract("year", AR.c.probationary_on) == PA.c.year)
           .scalar_subquery())
    rows = session.execute(
        sa.select(PA.c.id, PA.c.year, PA.c.admitted, via.label("via_union"), PA.c.version)
        .join(E, E.c.id == PA.c.enterprise_id)
        .where(PA.c.enterprise_id == int(enterprise_id), scope.where(E.c.township_id))
        .order_by(PA.c.year.desc())).mappings().all()
    return pd.DataFrame(rows, columns=["id", "year", "admitted", "via_union", "version"])


