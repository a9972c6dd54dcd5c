"""Coverage figures and patterns as of a date, aggregated in SQL (DESIGN.md §2–3).

The pattern CASE below is the SQL twin of ``models.rules.classify``; tests check they agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from models import rules, summary
from models.enums import Base, PartyOrgLevel, Pattern, UnionKind
from models.tables import (
    Enterprise,
    HeadcountCensus,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
)
from dashboard.queries.scope import Scope
from models.tables import BASE_PREFIX, STOCK_MEASURES
from models.tables import coverage_delta as CD
from models.tables import coverage_month as CM
from models.tables import enterprise_state as ES

E = Enterprise.__table__
UC = UnionCoverage.__table__
PC = PartyCoverage.__table__
LO = LiaisonOfficer.__table__
MC = MembershipChange.__table__
UO = UnionOrg.__table__
PO = PartyOrg.__table__
T = Township.__table__
HC = HeadcountCensus.__table__

PATTERNS = tuple(Pattern)


def headcount_as_of(column: str, as_of: dt.date) -> sa.ColumnElement[int]:
    """An enterprise's ``employees`` or ``party_members`` as of ``as_of``: its own (current) figure
    unless a census after that date exists; then the latest census on or before it, or its first
    census when there is none before (``headcount_census``: the history an import keeps). The SQL
    twin of the census events of ``models.summary``."""
    later = sa.exists().where(HC.c.enterprise_id == E.c.id, HC.c.census_on > as_of)
    before = (sa.select(HC.c[column]).where(HC.c.enterprise_id == E.c.id, HC.c.census_on <= as_of)
              .order_by(HC.c.census_on.desc()).limit(1).scalar_subquery())
    first = (sa.select(HC.c[column]).where(HC.c.enterprise_id == E.c.id)
             .order_by(HC.c.census_on).limit(1).scalar_subquery())
    return sa.case((later, sa.func.coalesce(before, first)), else_=E.c[column])


def active(start: sa.ColumnElement, end: sa.ColumnElement, as_of: dt.date) -> sa.ColumnElement[bool]:
    """Half-open period [start, end) contains ``as_of``."""
    return sa.and_(start <= as_of, sa.or_(end.is_(None), end > as_of))


def operating(as_of: dt.date) -> sa.ColumnElement[bool]:
    return active(E.c.registered_on, E.c.closed_on, as_of)


def in_base(as_of: dt.date) -> sa.ColumnElement[bool]:
    """三有 (党建基数) as of ``as_of``, for an operating enterprise: fixed premises, really trading (their
    state as last verified) and at least ``base_min_employees`` employees as of that day — the rule of
    the summaries' sweep (``models.summary._sweep``, ``inb``); tests check both give the same figures."""
    return sa.and_(E.c.fixed_premises, E.c.trading,
                   headcount_as_of("employees", as_of) >= summary.base_min_employees())


def base_condition(scope: Scope, as_of: dt.date) -> sa.ColumnElement[bool]:
    """The scope's 党建基数 on ``enterprise`` rows: nothing more for every operating enterprise."""
    return in_base(as_of) if scope.base == Base.SANYOU else sa.true()


def stored(column: str, base: Base) -> str:
    """The summary column holding ``column`` over ``base``: the 三有 stocks are ``sy_<measure>``; the
    flows (new unions, new members) have one figure whatever the base."""
    return BASE_PREFIX + column if base == Base.SANYOU and column in STOCK_MEASURES else column


def _exists(table: sa.Table, start: str, end: str, as_of: dt.date) -> sa.Exists:
    return (
        sa.select(sa.literal(1))
        .where(table.c.enterprise_id == E.c.id, active(table.c[start], table.c[end], as_of))
        .exists()
    )


def pattern_case(has_union, has_party, has_liaison, party_members) -> sa.Case:
    """SQL version of ``models.rules.classify`` (same order of rules)."""
    return sa.case(
        (sa.and_(party_members >= rules.PARTY_ORG_THRESHOLD, sa.not_(has_party)), Pattern.SHOULD_BUILD.value),
        (sa.not_(has_union), Pattern.NO_UNION.value),
        (has_party, Pattern.UNION_AND_BRANCH.value),
        (has_liaison, Pattern.UNION_AND_LIAISON.value),
        else_=Pattern.UNION_ONLY.value,
    )


def enterprise_flags(scope: Scope, as_of: dt.date) -> sa.Subquery:
    """One row per operating enterprise in scope (townships and 党建基数): coverage flags and pattern
    as of ``as_of``."""
    has_union = _exists(UC, "start_on", "end_on", as_of)
    has_party = _exists(PC, "start_on", "end_on", as_of)
    has_liaison = _exists(LO, "appointed_on", "ended_on", as_of)
    inner = (
        sa.select(
            E.c.id.label("enterprise_id"),
            E.c.township_id,
            headcount_as_of("employees", as_of).label("employees"),
            headcount_as_of("party_members", as_of).label("party_members"),
            has_union.label("has_union"),
            has_party.label("has_party"),
            has_liaison.label("has_liaison"),
        )
        .where(operating(as_of), scope.where(E.c.township_id), base_condition(scope, as_of))
        .subquery("flags0")
    )
    return sa.select(
        inner,
        pattern_case(inner.c.has_union, inner.c.has_party, inner.c.has_liaison, inner.c.party_members).label(
            "pattern"
        ),
    ).subquery("flags")


def own_union(enterprise_id: sa.ColumnElement, as_of: dt.date) -> sa.Exists:
    """单独建会: the enterprise is covered on ``as_of`` by a union of its own (``union_org.enterprise_id``)."""
    return sa.exists().where(UC.c.enterprise_id == enterprise_id, active(UC.c.start_on, UC.c.end_on, as_of),
                             UO.c.id == UC.c.union_id, UO.c.enterprise_id == enterprise_id)


def own_party(enterprise_id: sa.ColumnElement, as_of: dt.date) -> sa.Exists:
    """单独组建: covered on ``as_of`` by a Party organisation of its own (a 党委, 党总支 or 党支部 whose
    ``enterprise_id`` it is; a joint branch never)."""
    return sa.exists().where(PC.c.enterprise_id == enterprise_id, active(PC.c.start_on, PC.c.end_on, as_of),
                             PO.c.id == PC.c.party_org_id, PO.c.enterprise_id == enterprise_id,
                             PO.c.level != PartyOrgLevel.JOINT_BRANCH.value)


def _count_if(cond) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def _members_as_of(scope: Scope, as_of: dt.date) -> sa.Subquery:
    """Union members per enterprise as of ``as_of`` (Σ joined − left up to that date)."""
    return (
        sa.select(MC.c.enterprise_id, sa.func.sum(MC.c.joined - MC.c.left_count).label("members"))
        .join(E, E.c.id == MC.c.enterprise_id)
        .where(MC.c.changed_on <= as_of, scope.where(E.c.township_id))
        .group_by(MC.c.enterprise_id)
        .subquery("members")
    )


COVERAGE_COLUMNS = STOCK_MEASURES  # additive, per township; rates come from their sums


def summaries_fresh(session: Session) -> bool:
    """Whether the summary tables match the data (else the exact SQL is used)."""
    return summary.is_fresh(session.connection())


def coverage_by_township(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Additive coverage counts per township in scope (every township, zeros where empty).

    From the summary tables when they are fresh (fast at any size), else the exact SQL.
    """
    if summaries_fresh(session):
        return coverage_by_township_summary(session, scope, as_of)
    return coverage_by_township_exact(session, scope, as_of)


def _frame(session: Session, scope: Scope, per_township: sa.Subquery) -> pd.DataFrame:
    """Every township in scope with its counts (zeros where it has none)."""
    stmt = (
        sa.select(T.c.id.label("township_id"), T.c.code, T.c.name, *(per_township.c[c] for c in COVERAGE_COLUMNS))
        .select_from(T.outerjoin(per_township, per_township.c.township_id == T.c.id))
        .where(scope.where(T.c.id))
        .order_by(T.c.sort_order, T.c.code)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=["township_id", "code", "name", *COVERAGE_COLUMNS])
    df[list(COVERAGE_COLUMNS)] = df[list(COVERAGE_COLUMNS)].fillna(0).astype("int64")
    return df


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_end(day: dt.date) -> bool:
    return _next_month(day) - dt.timedelta(days=1) == day


def _base_month(session: Session, day: dt.date) -> dt.date | None:
    """The last month fully before ``day``'s month that ``coverage_month`` has (None: none)."""
    return session.execute(sa.select(sa.func.max(CM.c.month)).where(CM.c.month < day.replace(day=1))).scalar()


def summary_rows(session: Session, scope: Scope, as_of: dt.date, columns) -> sa.CompoundSelect:
    """Rows whose sums are the figures as of ``as_of``: the accumulated figures at the end of the
    last month before, plus the daily changes since (a few hundred rows at any size)."""
    base = _base_month(session, as_of)
    col = lambda t, c: t.c[stored(c, scope.base)].label(c)  # noqa: E731 - the scope's 党建基数
    delta = sa.select(CD.c.township_id, *(col(CD, c) for c in columns)).where(CD.c.day <= as_of,
                                                                               scope.where(CD.c.township_id))
    if base is None:
        return sa.union_all(delta)
    return sa.union_all(
        sa.select(CM.c.township_id, *(col(CM, c) for c in columns)).where(CM.c.month == base,
                                                                        scope.where(CM.c.township_id)),
        delta.where(CD.c.day >= _next_month(base)),
    )


def summary_totals_at(session: Session, scope: Scope, dates: list[dt.date], columns) -> dict[dt.date, pd.Series]:
    """Scope totals of ``columns`` at each date: month ends from ``coverage_month`` in one query,
    other dates from the last month before plus the days since."""
    cols = list(columns)
    last = session.execute(sa.select(sa.func.max(CM.c.month))).scalar()
    at_month_end = {d for d in dates if last is not None and _month_end(d) and d.replace(day=1) <= last}
    out: dict[dt.date, pd.Series] = {}
    if at_month_end:
        rows = session.execute(
            sa.select(CM.c.month, *(sa.func.sum(CM.c[stored(c, scope.base)]) for c in cols))
            .where(CM.c.month.in_(sorted(d.replace(day=1) for d in at_month_end)), scope.where(CM.c.township_id))
            .group_by(CM.c.month)
        ).all()
        found = {m: pd.Series([int(v or 0) for v in vals], index=cols) for m, *vals in rows}
        for d in at_month_end:
            out[d] = found.get(d.replace(day=1), pd.Series(0, index=cols))
    for d in dates:
        if d in out:
            continue
        sub = summary_rows(session, scope, d, cols).subquery()
        vals = session.execute(sa.select(*(sa.func.coalesce(sa.func.sum(sub.c[c]), 0) for c in cols))).one()
        out[d] = pd.Series([int(v) for v in vals], index=cols)
    return out


def coverage_by_township_summary(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    rows = summary_rows(session, scope, as_of, COVERAGE_COLUMNS).subquery("rows")
    per_township = (
        sa.select(rows.c.township_id, *(sa.func.sum(rows.c[c]).label(c) for c in COVERAGE_COLUMNS))
        .group_by(rows.c.township_id)
        .subquery("per_township")
    )
    return _frame(session, scope, per_township)


def coverage_by_township_exact(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """The reference: every enterprise's flags from the source tables, aggregated in SQL."""
    f = enterprise_flags(scope, as_of)
    m = _members_as_of(scope, as_of)
    is_u = f.c.has_union
    per_township = (
        sa.select(
            f.c.township_id,
            sa.func.count().label("operating"),
            _count_if(is_u).label("unionised"),
            _count_if(f.c.has_party).label("with_party_org"),
            _count_if(f.c.party_members >= rules.PARTY_ORG_THRESHOLD).label("qualified"),
            _count_if(sa.and_(f.c.party_members >= rules.PARTY_ORG_THRESHOLD, f.c.has_party)).label(
                "qualified_with_party_org"
            ),
            _count_if(sa.and_(is_u, sa.or_(f.c.has_party, f.c.has_liaison))).label("party_or_liaison_unionised"),
            _count_if(sa.or_(f.c.has_party, f.c.has_liaison)).label("party_or_liaison"),
            _count_if(own_union(f.c.enterprise_id, as_of)).label("unionised_own"),
            _count_if(own_party(f.c.enterprise_id, as_of)).label("with_party_org_own"),
            sa.func.coalesce(sa.func.sum(sa.case((is_u, f.c.employees), else_=0)), 0).label("employees_unionised"),
            sa.func.coalesce(sa.func.sum(sa.case((is_u, sa.func.coalesce(m.c.members, 0)), else_=0)), 0).label(
                "members_unionised"
            ),
            *(_count_if(f.c.pattern == p.value).label(f"pattern_{p.value}") for p in PATTERNS),
        )
        .select_from(f.outerjoin(m, m.c.enterprise_id == f.c.enterprise_id))
        .group_by(f.c.township_id)
        .subquery("per_township")
    )
    return _frame(session, scope, per_township)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@dataclass(frozen=True)
class CoverageKpis:
    as_of: dt.date
    operating: int
    union_coverage: Rate  # 建会率
    membership: Rate  # 入会率 (members ÷ employees in unionised enterprises)
    party_coverage: Rate  # 党组织覆盖率
    qualified_built: Rate  # 应建已建率
    work_coverage: Rate  # 党的工作覆盖率: a Party organisation or a liaison officer ÷ operating (official)
    patterns: dict[Pattern, int]
    #: the same among unionised enterprises only (its own name: 建会企业党建覆盖率; the former 工作覆盖率)
    union_work_coverage: Rate = Rate(0, 0)
    #: 建会率 split: 单独建会 (a union of its own) and 联合建会 (a joint union only), over operating enterprises
    union_own: Rate = Rate(0, 0)
    union_joint: Rate = Rate(0, 0)
    #: 党组织覆盖率 split: 单独组建 (its own 党委/党总支/党支部) and 联合组建 (a joint branch only)
    party_own: Rate = Rate(0, 0)
    party_joint: Rate = Rate(0, 0)
    #: the 党建基数 every denominator above counts over
    base: Base = Base.ALL


def kpis_from_counts(counts: pd.DataFrame | pd.Series, as_of: dt.date, base: Base = Base.ALL) -> CoverageKpis:
    """District (or any group) KPIs from additive counts: sums first, then rates. ``base``: the
    党建基数 the counts were made over (the scope's), carried to the cards' denominators."""
    s = counts[list(COVERAGE_COLUMNS)].sum() if isinstance(counts, pd.DataFrame) else counts
    n = lambda c: int(s[c])  # noqa: E731
    return CoverageKpis(
        as_of=as_of,
        operating=n("operating"),
        union_coverage=Rate(n("unionised"), n("operating")),
        membership=Rate(n("members_unionised"), n("employees_unionised")),
        party_coverage=Rate(n("with_party_org"), n("operating")),
        qualified_built=Rate(n("qualified_with_party_org"), n("qualified")),
        work_coverage=Rate(n("party_or_liaison"), n("operating")),
        union_work_coverage=Rate(n("party_or_liaison_unionised"), n("unionised")),
        patterns={p: n(f"pattern_{p.value}") for p in PATTERNS},
        union_own=Rate(n("unionised_own"), n("operating")),
        union_joint=Rate(n("unionised") - n("unionised_own"), n("operating")),
        party_own=Rate(n("with_party_org_own"), n("operating")),
        party_joint=Rate(n("with_party_org") - n("with_party_org_own"), n("operating")),
        base=Base(base),
    )


def coverage_kpis(session: Session, scope: Scope, as_of: dt.date) -> CoverageKpis:
    return kpis_from_counts(coverage_by_township(session, scope, as_of), as_of, scope.base)


ENTERPRISE_PATTERN_COLUMNS = ["enterprise_id", "name", "uscc", "township_id", "employees", "party_members",
                              "barrier", "has_union", "has_party", "has_liaison", "pattern"]


GAP_COLUMNS = ["enterprise_id", "name", "uscc", "township_id", "employees", "party_members", "barrier", "pattern"]


def enterprises_in_pattern(session: Session, scope: Scope, as_of: dt.date, pattern: str,
                           *, limit: int | None = 200) -> pd.DataFrame:
    """Enterprises in one pattern as of a date (most Party members first), limited in SQL."""
    if not summaries_fresh(session):
        return enterprise_patterns(session, scope, as_of, pattern=pattern, limit=limit)[GAP_COLUMNS]
    stmt = (
        sa.select(ES.c.enterprise_id, E.c.name, E.c.uscc, ES.c.township_id, E.c.employees, E.c.party_members,
                  E.c.barrier, ES.c.pattern)
        .join(E, E.c.id == ES.c.enterprise_id)
        .where(ES.c.pattern == Pattern(pattern).value, active(ES.c.valid_from, ES.c.valid_to, as_of),
               scope.where(ES.c.township_id), ES.c.in_base if scope.base == Base.SANYOU else sa.true())
        .order_by(ES.c.party_members.desc(), ES.c.enterprise_id.desc())  # a backward scan of the index
        .limit(limit)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=GAP_COLUMNS)


def enterprise_patterns(session: Session, scope: Scope, as_of: dt.date, *, pattern: str | None = None,
                        limit: int | None = 200) -> pd.DataFrame:
    """Per-enterprise flags and pattern (exact, from the source tables), filtered and limited in SQL."""
    f = enterprise_flags(scope, as_of)
    stmt = (
        sa.select(f.c.enterprise_id, E.c.name, E.c.uscc, f.c.township_id, f.c.employees, f.c.party_members,
                  E.c.barrier, f.c.has_union, f.c.has_party, f.c.has_liaison, f.c.pattern)
        .join(E, E.c.id == f.c.enterprise_id)
        .where(sa.true() if pattern is None else f.c.pattern == Pattern(pattern).value)
        .order_by(f.c.party_members.desc(), f.c.enterprise_id.desc())
        .limit(limit)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=ENTERPRISE_PATTERN_COLUMNS)


def pattern_of(session: Session, enterprise_id: int, as_of: dt.date) -> Pattern | None:
    """Pattern of one enterprise (None when not operating on that date)."""
    f = enterprise_flags(Scope.district(), as_of)
    value = session.execute(sa.select(f.c.pattern).where(f.c.enterprise_id == enterprise_id)).scalar_one_or_none()
    return None if value is None else Pattern(value)


def unions_founded(session: Session, scope: Scope, start: dt.date, end: dt.date) -> dict[UnionKind, int]:
    """Union organisations founded in [start, end], by kind."""
    stmt = (
        sa.select(UO.c.kind, sa.func.count())
        .where(UO.c.founded_on.between(start, end), scope.where(UO.c.township_id))
        .group_by(UO.c.kind)
    )
    found = {UnionKind(k): int(c) for k, c in session.execute(stmt).all()}
    return {k: found.get(k, 0) for k in UnionKind}


def members_joined(session: Session, scope: Scope, start: dt.date, end: dt.date) -> int:
    """New union members (joined) in [start, end]."""
    stmt = (
        sa.select(sa.func.coalesce(sa.func.sum(MC.c.joined), 0))
        .join(E, E.c.id == MC.c.enterprise_id)
        .where(MC.c.changed_on.between(start, end), scope.where(E.c.township_id))
    )
    return int(session.execute(stmt).scalar_one())


#: metric → (numerator column, denominator column); the denominator of a count is the operating total
MAP_METRICS = {
    "union_coverage": ("unionised", "operating"),
    "membership": ("members_unionised", "employees_unionised"),
    "party_coverage": ("with_party_org", "operating"),
    "work_coverage": ("party_or_liaison", "operating"),
    "should_build": (f"pattern_{Pattern.SHOULD_BUILD.value}", "operating"),
    # 单独建立 / 联合建立 (the joint figure: the whole minus the own one, ``JOINT_COLUMNS``)
    "union_own": ("unionised_own", "operating"),
    "union_joint": ("unionised_joint", "operating"),
    "party_own": ("with_party_org_own", "operating"),
    "party_joint": ("with_party_org_joint", "operating"),
}
RATE_METRICS = {"union_coverage", "membership", "party_coverage", "work_coverage", "union_own", "union_joint",
                "party_own", "party_joint"}
#: derived columns: (the whole, its own part) — the joint part is their difference
JOINT_COLUMNS = {"unionised_joint": ("unionised", "unionised_own"),
                 "with_party_org_joint": ("with_party_org", "with_party_org_own")}


def _column(by_township: pd.DataFrame, name: str) -> pd.Series:
    if name in JOINT_COLUMNS and name not in by_township:
        whole, own = JOINT_COLUMNS[name]
        return by_township[whole] - by_township[own]
    return by_township[name]


def metric_by_township(by_township: pd.DataFrame, metric: str) -> pd.DataFrame:
    """township_id, code, name, numerator, denominator, value (a rate, or a count for should_build)."""
    num, den = MAP_METRICS[metric]
    out = by_township[["township_id", "code", "name"]].copy()
    out["numerator"], out["denominator"] = _column(by_township, num).to_numpy(), _column(by_township, den).to_numpy()
    if metric in RATE_METRICS:
        out["value"] = [n / d if d else None for n, d in zip(out["numerator"], out["denominator"], strict=True)]
    else:
        out["value"] = out["numerator"].astype(float)
    return out


MAP_COLUMNS = ["code", "name", "boundary_geojson", "value", "numerator", "denominator"]


def township_map_frame(by_township: pd.DataFrame, townships: pd.DataFrame, metric: str) -> pd.DataFrame:
    """What ``charts.township_map`` draws: :func:`metric_by_township` with each township's boundary
    (``towns``: id, boundary_geojson — the township table); ``MAP_COLUMNS`` plus ``township_id``."""
    values = metric_by_township(by_township, metric)
    bounds = townships.set_index("id")["boundary_geojson"]
    values["boundary_geojson"] = [bounds.get(i) for i in values["township_id"]]
    return values[["township_id", *MAP_COLUMNS]]


#: how many enterprises a gap list of the map page shows (``gap_enterprises``)
GAP_LIST_LIMIT = 200


def gap_enterprises(session: Session, scope: Scope, as_of: dt.date, pattern: str, *,
                    limit: int = GAP_LIST_LIMIT) -> pd.DataFrame:
    """The gap list of one pattern (``enterprises_in_pattern``) with ``has_union`` (an 应建未建
    enterprise may have none)."""
    df = enterprises_in_pattern(session, scope, as_of, pattern, limit=limit)
    df["has_union"] = df["enterprise_id"].isin(unionised_among(session, df["enterprise_id"].tolist(), as_of))
    return df


def unionised_among(session: Session, enterprise_ids: list[int], as_of: dt.date) -> set[int]:
    """Which of these enterprises a union covers on ``as_of`` (for a short list; ids already scoped)."""
    if not enterprise_ids:
        return set()
    stmt = sa.select(UC.c.enterprise_id).where(
        UC.c.enterprise_id.in_([int(i) for i in enterprise_ids]), active(UC.c.start_on, UC.c.end_on, as_of)
    ).distinct()
    return {int(i) for (i,) in session.execute(stmt)}
