"""Model enterprises (典型案例): who is a model as of a date, and one model's case study.

The model rule, in SQL (``model_enterprises``), as of a date D, over operating enterprises in scope:

1. the newest ``ModelDesignation`` of the enterprise made by the end of D (D is a date in the district,
   ``DISTRICT_TZ`` = Asia/Shanghai, UTC+8; designations are stored in UTC), if any, decides —
   ``designated`` → a model (basis ``designated``, with the staff's reason); not designated → not a
   model (removed, with a reason);
2. otherwise the enterprise is a model when it holds an ``Honour`` at municipal level or above
   (市级、省级、全国) awarded in D's year or before (basis ``honour``). Only the year of an honour is
   stored, so an honour counts from 1 January of its year.

A 双爱双评 award (``queries.awards``) is the district's own (区级), below municipal level: like a
district honour it does not by itself make an enterprise a model; the federation's staff can
designate an awarded enterprise (rule 1). The case study lists its awards.

``case_detail`` gathers what the case-study page, the printable PDF and the meeting brief show:
the story, key facts (一肩挑, owner's membership, which organisation came first), a timeline, the
honours, the activities by season and type, and the enterprise against the average of the
unionised enterprises of a benchmark scope (the caller's own scope: the district for district
roles). Everything is scoped in SQL; nothing is computed from rows loaded for the purpose.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.awards import CASE_COLUMNS as AWARD_COLUMNS
from dashboard.queries.awards import enterprise_awards
from dashboard.queries.coverage import (
    active,
    base_condition,
    coverage_by_township,
    kpis_from_counts,
    operating,
)
from dashboard.queries.dates import district_time, year_before
from dashboard.queries.ledger import _patterns_for
from dashboard.queries.scope import Scope
from dashboard.queries.timeline import (
    COLUMNS,
    MILESTONE_KINDS,
    end_of_day,
    enterprise_timeline,
    latest_designation,
    own_or_first,
)
from models.enums import Base, HonourLevel, Season
from models.summary import is_fresh
from models.tables import (
    ActivistRecommendation,
    Activity,
    CaseStudy,
    Enterprise,
    Honour,
    MembershipChange,
    ModelDesignation,
    Township,
    UnionCoverage,
)

E = Enterprise.__table__
T = Township.__table__
H = Honour.__table__
MD = ModelDesignation.__table__
CS = CaseStudy.__table__
AC = Activity.__table__
AR = ActivistRecommendation.__table__
MC = MembershipChange.__table__
UC = UnionCoverage.__table__

#: honour levels from lowest to highest; a model by honour needs one of ``MODEL_LEVELS``
LEVELS = (HonourLevel.DISTRICT.value, HonourLevel.MUNICIPAL.value, HonourLevel.PROVINCIAL.value,
          HonourLevel.NATIONAL.value)
MODEL_LEVELS = LEVELS[1:]
LEVEL_RANK = {level: i + 1 for i, level in enumerate(LEVELS)}
#: the gallery's level filter also offers models without any honour (designated by staff)
NO_HONOUR = "none"
#: honours shown on a card
TOP_HONOURS = 3

MODEL_COLUMNS = [
    "enterprise_id", "name", "township_id", "township", "pattern", "basis", "reason", "designated_by",
    "designated_at", "best_title", "best_level", "best_year", "best_organ", "top_honours", "honours",
    "highest_level", "from_source", "headline_zh", "headline_en",
]


def window_start(as_of: dt.date) -> dt.date:
    """First day of the 12 months that end on ``as_of`` (2020-12-31 → 2020-01-01)."""
    return year_before(as_of) + dt.timedelta(days=1)


def _level_rank(column: sa.ColumnElement) -> sa.Case:
    return sa.case(*((column == level, rank) for level, rank in LEVEL_RANK.items()), else_=0)


def _honour_stats(as_of: dt.date) -> sa.Subquery:
    """Per enterprise: its number of honours to ``as_of``'s year and its highest level (rank)."""
    return (
        sa.select(H.c.enterprise_id, sa.func.count().label("honours"),
                  sa.func.max(_level_rank(H.c.level)).label("highest_rank"))
        .where(H.c.year <= as_of.year)
        .group_by(H.c.enterprise_id)
        .subquery("honour_stats")
    )


def _models_select(scope: Scope, as_of: dt.date, levels: tuple[str, ...] = ()) -> sa.Select:
    d = latest_designation(as_of)
    hs = _honour_stats(as_of)
    min_model_rank = LEVEL_RANK[MODEL_LEVELS[0]]
    is_model = sa.or_(
        d.c.designated.is_(True),
        sa.and_(d.c.enterprise_id.is_(None), sa.func.coalesce(hs.c.highest_rank, 0) >= min_model_rank),
    )
    stmt = (
        sa.select(
            E.c.id.label("enterprise_id"), E.c.name, E.c.township_id, T.c.name.label("township"),
            sa.case((d.c.designated.is_(True), "designated"), else_="honour").label("basis"),
            d.c.reason, d.c.by_username.label("designated_by"), d.c.at.label("designated_at"),
            sa.func.coalesce(hs.c.honours, 0).label("honours"),
            sa.func.coalesce(hs.c.highest_rank, 0).label("highest_rank"),
            sa.func.coalesce(CS.c.from_source, sa.false()).label("from_source"),
            CS.c.headline_zh, CS.c.headline_en,
        )
        .select_from(
            E.join(T, T.c.id == E.c.township_id)
            .outerjoin(d, d.c.enterprise_id == E.c.id)
            .outerjoin(hs, hs.c.enterprise_id == E.c.id)
            .outerjoin(CS, CS.c.enterprise_id == E.c.id)
        )
        .where(operating(as_of), scope.where(E.c.township_id), is_model,
               # only enterprises that can be models (an honour at municipal level or above, or a
               # designation) are looked at: the query stays small at any number of enterprises
               E.c.id.in_(sa.union(
                   sa.select(H.c.enterprise_id).where(H.c.level.in_(MODEL_LEVELS), H.c.year <= as_of.year),
                   sa.select(MD.c.enterprise_id).where(MD.c.at < end_of_day(as_of)))))
    )
    if levels:
        ranks = [LEVEL_RANK[lv] for lv in levels if lv in LEVEL_RANK]
        if NO_HONOUR in levels:
            ranks.append(0)
        stmt = stmt.where(sa.func.coalesce(hs.c.highest_rank, 0).in_(sorted(set(ranks)) or [-1]))
    return stmt


def top_honours(session: Session, enterprise_ids: list[int], as_of: dt.date, *, per_enterprise: int = TOP_HONOURS
                ) -> pd.DataFrame:
    """The best honours of each enterprise to ``as_of``'s year (highest level, then newest), limited in SQL."""
    cols = ["enterprise_id", "title", "level", "awarding_body", "year", "organ"]
    if not enterprise_ids:
        return pd.DataFrame(columns=cols)
    ranked = (
        sa.select(H.c.enterprise_id, H.c.title, H.c.level, H.c.awarding_body, H.c.year, H.c.organ,
                  sa.func.row_number().over(partition_by=H.c.enterprise_id,
                                            order_by=(_level_rank(H.c.level).desc(), H.c.year.desc(), H.c.id)
                                            ).label("rn"))
        .where(H.c.enterprise_id.in_(enterprise_ids), H.c.year <= as_of.year)
        .subquery("ranked_honours")
    )
    rows = session.execute(
        sa.select(*(ranked.c[c] for c in cols)).where(ranked.c.rn <= per_enterprise)
        .order_by(ranked.c.enterprise_id, ranked.c.rn)
    ).mappings().all()
    df = pd.DataFrame(rows, columns=cols)
    for c in ("level", "organ"):
        df[c] = [_value(v) for v in df[c]]
    return df


def _value(v):
    return v.value if hasattr(v, "value") else v


def model_enterprises(session: Session, scope: Scope, as_of: dt.date, *, levels: tuple[str, ...] = ()
                      ) -> pd.DataFrame:
    """The model enterprises in scope as of ``as_of`` (``MODEL_COLUMNS``), the source's four first,
    then by highest honour level and name.

    ``levels`` filters on the highest honour level held (``LEVELS`` values, and ``NO_HONOUR`` for
    models without any honour); empty = all. ``basis`` is ``honour`` or ``designated``; for an
    honour the best one is ``best_*`` (the why of the card); ``top_honours`` is a list of dicts
    (title, level, awarding_body, year, organ), best first.
    """
    stmt = _models_select(scope, as_of, tuple(levels))
    rows = session.execute(stmt).mappings().all()
    df = pd.DataFrame(rows, columns=["enterprise_id", "name", "township_id", "township", "basis", "reason",
                                     "designated_by", "designated_at", "honours", "highest_rank", "from_source",
                                     "headline_zh", "headline_en"])
    if df.empty:
        return pd.DataFrame(columns=MODEL_COLUMNS)
    df["from_source"] = df["from_source"].astype(bool)
    df = df.sort_values(["from_source", "highest_rank", "name"], ascending=[False, False, True], kind="stable")
    ids = [int(i) for i in df["enterprise_id"]]
    by_ent: dict[int, list[dict]] = {}  # the best honours of each, in the order SQL ranked them
    for h in top_honours(session, ids, as_of).to_dict("records"):
        by_ent.setdefault(int(h.pop("enterprise_id")), []).append(h)
    df["top_honours"] = [by_ent.get(int(i), []) for i in df["enterprise_id"]]
    best = [h[0] if h else {} for h in df["top_honours"]]
    for field in ("title", "level", "year", "organ"):
        df[f"best_{field}"] = [b.get(field) for b in best]
    df["highest_level"] = [LEVELS[r - 1] if r else None for r in df["highest_rank"]]
    patterns = _patterns_for(session, Scope.district(), ids, as_of, is_fresh(session.connection()))
    df["pattern"] = [patterns.get(int(i)) for i in df["enterprise_id"]]
    return df[MODEL_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class ModelStatus:
    """Whether an enterprise is a model as of a date, and why."""

    is_model: bool
    basis: str | None  # "honour" | "designated" | "removed" (designation says not a model) | None
    reason: str | None = None  # the staff's reason (designated or removed)
    by: str | None = None
    at: dt.datetime | None = None


def model_status(session: Session, scope: Scope, enterprise_id: int, as_of: dt.date) -> ModelStatus | None:
    """The model status of one enterprise (None when it does not exist, is outside the scope or is
    not operating on ``as_of``)."""
    d = latest_designation(as_of)
    hs = _honour_stats(as_of)
    row = session.execute(
        sa.select(E.c.id, d.c.enterprise_id.label("has_designation"), d.c.designated, d.c.reason, d.c.by_username,
                  d.c.at, sa.func.coalesce(hs.c.highest_rank, 0).label("highest_rank"))
        .select_from(E.outerjoin(d, d.c.enterprise_id == E.c.id).outerjoin(hs, hs.c.enterprise_id == E.c.id))
        .where(E.c.id == int(enterprise_id), operating(as_of), scope.where(E.c.township_id))
    ).mappings().one_or_none()
    if row is None:
        return None
    if row["has_designation"] is not None:
        return ModelStatus(bool(row["designated"]), "designated" if row["designated"] else "removed", row["reason"],
                           row["by_username"], row["at"])
    if int(row["highest_rank"]) >= LEVEL_RANK[MODEL_LEVELS[0]]:
        return ModelStatus(True, "honour")
    return ModelStatus(False, None)


def designation_history(session: Session, scope: Scope, enterprise_id: int) -> pd.DataFrame:
    """Every designation and removal of one enterprise in scope, newest first; ``at`` in the district's
    time zone (``DISTRICT_TZ``)."""
    cols = ["at", "designated", "reason", "by_username"]
    rows = session.execute(
        sa.select(MD.c.at, MD.c.designated, MD.c.reason, MD.c.by_username)
        .join(E, E.c.id == MD.c.enterprise_id)
        .where(MD.c.enterprise_id == int(enterprise_id), scope.where(E.c.township_id))
        .order_by(MD.c.at.desc(), MD.c.id.desc())
    ).mappings().all()
    df = pd.DataFrame(rows, columns=cols)
    df["at"] = pd.Series([district_time(a) for a in df["at"]], index=df.index, dtype=object)
    return df


def search_enterprises(session: Session, scope: Scope, as_of: dt.date, text: str, *, limit: int = 20
                       ) -> pd.DataFrame:
    """Operating enterprises in scope whose name contains ``text`` (for the designation form)."""
    cols = ["enterprise_id", "name", "township"]
    text = (text or "").strip()
    if not text:
        return pd.DataFrame(columns=cols)
    rows = session.execute(
        sa.select(E.c.id.label("enterprise_id"), E.c.name, T.c.name.label("township"))
        .join(T, T.c.id == E.c.township_id)
        .where(operating(as_of), scope.where(E.c.township_id), E.c.name.contains(text, autoescape=True))
        .order_by(E.c.name).limit(int(limit))
    ).mappings().all()
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- one case


@dataclass(frozen=True)
class Figure:
    """A figure of the enterprise and the benchmark average, with what they are made of."""

    value: float | None  # the enterprise's
    average: float | None  # the benchmark's
    numerator: int  # the enterprise's numerator (members, activities, recommendations)
    denominator: int  # the enterprise's denominator (employees; 1 for counts)
    bench_numerator: int
    bench_denominator: int  # unionised enterprises (employees of them for the membership rate)


@dataclass(frozen=True)
class Comparison:
    membership: Figure  # 入会率: members ÷ employees (the overview's KPI for the benchmark)
    activities: Figure  # activities in the 12 months to as_of
    activists: Figure  # activist recommendations to date
    bench_is_district: bool  # the benchmark is the whole district (else the caller's townships)
    unionised: int  # unionised enterprises of the benchmark
    window_start: dt.date  # first day of the 12-month window
    base: Base = Base.ALL  # the 党建基数 of the benchmark's enterprises


@dataclass(frozen=True, eq=False)
class CaseDetail:
    enterprise_id: int
    name: str
    township_id: int
    township: str
    ownership: str
    industry: str
    employees: int
    party_members: int
    registered_on: dt.date
    owner_is_party_member: bool
    as_of: dt.date
    pattern: str | None
    status: ModelStatus
    headline_zh: str | None
    headline_en: str | None
    story_zh: str | None
    story_en: str | None
    from_source: bool
    union_name: str | None
    union_founded_on: dt.date | None  # its own union's founding, else the start of its first coverage
    union_is_own: bool
    union_chair: str | None
    has_workers_congress: bool
    party_org_name: str | None
    party_org_level: str | None
    party_founded_on: dt.date | None
    party_secretary: str | None
    one_person: bool  # 书记主席一肩挑: the union chair is the Party secretary
    first_organisation: str | None  # "party" | "union" | "same" | None (which came first)
    timeline: pd.DataFrame  # TIMELINE_COLUMNS, sorted by date
    honours: pd.DataFrame  # HONOUR_COLUMNS, best first
    activities: pd.DataFrame  # ACTIVITY_COLUMNS
    comparison: Comparison
    #: 双爱双评 awards published by as_of (``queries.awards.CASE_COLUMNS``): district-level (区级), so by
    #: themselves they do not make a model (the rule above); a staff designation can
    awards: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=AWARD_COLUMNS))

    def headline(self, locale: str) -> str | None:
        return self.headline_zh if locale == "zh_CN" else self.headline_en

    def story(self, locale: str) -> str | None:
        return self.story_zh if locale == "zh_CN" else self.story_en


#: the case study's timeline: the enterprise's milestones in the one event vocabulary (``queries.timeline``)
TIMELINE_COLUMNS = COLUMNS
TIMELINE_KINDS = MILESTONE_KINDS
HONOUR_COLUMNS = ["title", "level", "awarding_body", "year", "organ"]
ACTIVITY_COLUMNS = ["season", "kind", "titles", "count", "last_12_months", "first_year", "last_year"]


def _honours(session: Session, eid: int, as_of: dt.date) -> pd.DataFrame:
    rows = session.execute(
        sa.select(*(H.c[c] for c in HONOUR_COLUMNS))
        .where(H.c.enterprise_id == eid, H.c.year <= as_of.year)
        .order_by(_level_rank(H.c.level).desc(), H.c.year.desc(), H.c.id)
    ).mappings().all()
    df = pd.DataFrame(rows, columns=HONOUR_COLUMNS)
    for c in ("level", "organ"):
        df[c] = [_value(v) for v in df[c]]
    return df


def _activities(session: Session, eid: int, as_of: dt.date) -> pd.DataFrame:
    """Activities to date by season and type, counted in SQL, with the titles of each season and type
    listed in the order they were recorded (for 德运: the source's order). Seasons in the year's order
    (spring–summer, autumn–winter, then none), then the order of the first record; ``season`` None: none."""
    start = window_start(as_of)
    year = sa.extract("year", AC.c.held_on)
    mine = sa.and_(AC.c.enterprise_id == eid, AC.c.held_on <= as_of)
    season_order = sa.case((AC.c.season == Season.SPRING_SUMMER, 0), (AC.c.season == Season.AUTUMN_WINTER, 1),
                           else_=2)
    groups = session.execute(
        sa.select(AC.c.season, AC.c.kind, sa.func.count().label("count"),
                  sa.func.sum(sa.case((AC.c.held_on >= start, 1), else_=0)).label("last_12_months"),
                  sa.func.min(year).label("first_year"), sa.func.max(year).label("last_year"))
        .where(mine).group_by(AC.c.season, AC.c.kind)
        .order_by(sa.func.min(season_order), sa.func.min(AC.c.id))
    ).mappings().all()
    if not groups:
        return pd.DataFrame(columns=ACTIVITY_COLUMNS)
    titles: dict[tuple, list[str]] = {}
    for r in session.execute(  # each title once, in the order it was first recorded (the plan's order)
        sa.select(AC.c.season, AC.c.kind, AC.c.title).where(mine).group_by(AC.c.season, AC.c.kind, AC.c.title)
        .order_by(sa.func.min(AC.c.id))
    ).all():
        titles.setdefault((_value(r.season), _value(r.kind)), []).append(r.title)
    return pd.DataFrame([{
        "season": _value(g["season"]) or None, "kind": _value(g["kind"]),
        "titles": titles.get((_value(g["season"]), _value(g["kind"])), []), "count": int(g["count"]),
        "last_12_months": int(g["last_12_months"] or 0), "first_year": int(g["first_year"]),
        "last_year": int(g["last_year"]),
    } for g in groups], columns=ACTIVITY_COLUMNS)


def _unionised_flag(as_of: dt.date) -> sa.Exists:
    return sa.select(sa.literal(1)).where(UC.c.enterprise_id == E.c.id,
                                           active(UC.c.start_on, UC.c.end_on, as_of)).exists()


def comparison(session: Session, bench: Scope, enterprise_id: int, employees: int, as_of: dt.date) -> Comparison:
    """The enterprise's figures against the average of the unionised enterprises of ``bench``.

    * membership rate: its members ÷ its employees vs the overview's 入会率 of ``bench`` (members ÷
      employees of the unionised enterprises);
    * activities per year: its activities in the 12 months to ``as_of`` vs those of the unionised
      enterprises of ``bench`` ÷ their number;
    * activists recommended: its recommendations to date vs those of the unionised enterprises of
      ``bench`` ÷ their number.
    """
    start = window_start(as_of)
    eid = int(enterprise_id)
    members = int(session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(MC.c.joined - MC.c.left_count), 0))
        .where(MC.c.enterprise_id == eid, MC.c.changed_on <= as_of)
    ).scalar_one())
    own_unionised = bool(session.execute(
        sa.select(sa.literal(1)).where(UC.c.enterprise_id == eid, active(UC.c.start_on, UC.c.end_on, as_of)).limit(1)
    ).first())
    own_acts = int(session.execute(
        sa.select(sa.func.count()).where(AC.c.enterprise_id == eid, AC.c.held_on >= start, AC.c.held_on <= as_of)
    ).scalar_one())
    own_recs = int(session.execute(
        sa.select(sa.func.count()).where(AR.c.enterprise_id == eid, AR.c.recommended_on <= as_of)
    ).scalar_one())

    kpis = kpis_from_counts(coverage_by_township(session, bench, as_of), as_of, bench.base)
    # the unionised enterprises of the benchmark, over its 党建基数 (the same as ``n`` below counts)
    unionised_ents = sa.select(E.c.id).where(operating(as_of), bench.where(E.c.township_id), _unionised_flag(as_of),
                                             base_condition(bench, as_of))
    bench_acts = int(session.execute(
        sa.select(sa.func.count()).where(AC.c.enterprise_id.in_(unionised_ents), AC.c.held_on >= start,
                                         AC.c.held_on <= as_of)
    ).scalar_one())
    bench_recs = int(session.execute(
        sa.select(sa.func.count()).where(AR.c.enterprise_id.in_(unionised_ents), AR.c.recommended_on <= as_of)
    ).scalar_one())
    n = kpis.union_coverage.numerator  # unionised enterprises of the benchmark
    avg = lambda num: None if n == 0 else num / n  # noqa: E731
    return Comparison(
        membership=Figure(value=(members / employees) if own_unionised and employees else None,
                          average=kpis.membership.value, numerator=members, denominator=employees,
                          bench_numerator=kpis.membership.numerator, bench_denominator=kpis.membership.denominator),
        activities=Figure(value=float(own_acts), average=avg(bench_acts), numerator=own_acts, denominator=1,
                          bench_numerator=bench_acts, bench_denominator=n),
        activists=Figure(value=float(own_recs), average=avg(bench_recs), numerator=own_recs, denominator=1,
                         bench_numerator=bench_recs, bench_denominator=n),
        bench_is_district=bench.township_ids is None, unionised=n, window_start=start, base=bench.base,
    )


def case_detail(session: Session, scope: Scope, enterprise_id: int, as_of: dt.date, *,
                bench: Scope | None = None, models_only: bool = True) -> CaseDetail | None:
    """The case study of one enterprise as of ``as_of``; None when it does not exist, is outside
    ``scope`` (checked in SQL), is not operating, or — with ``models_only`` — is not a model.

    ``bench`` is the scope of the comparison averages (default: ``scope``).
    """
    status = model_status(session, scope, enterprise_id, as_of)
    if status is None or (models_only and not status.is_model):
        return None
    ent = session.execute(
        sa.select(E, T.c.name.label("township_name"), CS.c.headline_zh, CS.c.headline_en, CS.c.story_zh,
                  CS.c.story_en, CS.c.from_source)
        .join(T, T.c.id == E.c.township_id).outerjoin(CS, CS.c.enterprise_id == E.c.id)
        .where(E.c.id == int(enterprise_id), scope.where(E.c.township_id))
    ).mappings().one()
    eid = int(ent["id"])
    union = own_or_first(session, eid, "union", as_of)
    party = own_or_first(session, eid, "party", as_of)
    honours = _honours(session, eid, as_of)
    pattern = _patterns_for(session, Scope.district(), [eid], as_of, is_fresh(session.connection())).get(eid)
    one_person = bool(union and party and (union.get("chair_is_party_secretary") or (
        union.get("chair_name") and union.get("chair_name") == party.get("secretary_name"))))
    first = None
    if union and party:
        first = "same" if union["since"] == party["since"] else ("party" if party["since"] < union["since"] else "union")
    return CaseDetail(
        enterprise_id=eid, name=ent["name"], township_id=int(ent["township_id"]), township=ent["township_name"],
        ownership=_value(ent["ownership"]), industry=ent["industry"], employees=int(ent["employees"]),
        party_members=int(ent["party_members"]), registered_on=ent["registered_on"],
        owner_is_party_member=bool(ent["owner_is_party_member"]), as_of=as_of, pattern=pattern, status=status,
        headline_zh=ent["headline_zh"], headline_en=ent["headline_en"], story_zh=ent["story_zh"],
        story_en=ent["story_en"], from_source=bool(ent["from_source"]),
        union_name=union["name"] if union else None, union_founded_on=union["since"] if union else None,
        union_is_own=bool(union and union["own"]), union_chair=union.get("chair_name") if union else None,
        has_workers_congress=bool(union and union.get("has_workers_congress")),
        party_org_name=party["name"] if party else None, party_org_level=_value(party["level"]) if party else None,
        party_founded_on=party["since"] if party else None,
        party_secretary=party.get("secretary_name") if party else None,
        one_person=one_person, first_organisation=first,
        timeline=enterprise_timeline(session, scope, eid, as_of, milestones=True),
        honours=honours, activities=_activities(session, eid, as_of),
        comparison=comparison(session, bench or scope, eid, int(ent["employees"]), as_of),
        awards=enterprise_awards(session, scope, eid, as_of),
    )
