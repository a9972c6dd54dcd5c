"""The official coverage statistics table (非公有制企业党组织和工会组织覆盖情况统计表, issue #14
item 7): one row per township in scope as of a date, counted in SQL, and the district total as
their sum. Own (单独建立) and joint (联合建立) organisations are counted apart, Party organisations
by level; an enterprise counts once in each block (own before joint, a Party organisation before a
liaison officer), so each block adds up to the base.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import LO, MC, PC, UC, UO, E, T, active, base_condition, headcount_as_of, operating
from dashboard.queries.scope import Scope
from models.enums import PartyOrgLevel
from models.tables import PartyOrg

PO = PartyOrg.__table__

#: the table's columns (the i18n keys ``stat.col.<name>``), in the official order
COLUMNS = (
    "operating",
    "union_own", "union_joint", "union_none", "employees_unionised", "members_unionised",
    "party_committee", "party_general_branch", "party_branch", "party_joint", "liaison_only", "party_none",
)
#: the columns of each block that add up to the base
UNION_BLOCK = ("union_own", "union_joint", "union_none")
PARTY_BLOCK = ("party_committee", "party_general_branch", "party_branch", "party_joint", "liaison_only", "party_none")


def _flags(scope: Scope, as_of: dt.date) -> sa.Subquery:
    covered = lambda cov: sa.exists().where(cov.c.enterprise_id == E.c.id, active(cov.c.start_on, cov.c.end_on, as_of))  # noqa: E731
    own_union = sa.exists().where(UC.c.enterprise_id == E.c.id, active(UC.c.start_on, UC.c.end_on, as_of),
                                  UO.c.id == UC.c.union_id, UO.c.enterprise_id == E.c.id)
    # the level of the enterprise's own Party organisation covering it on the date (highest when several)
    rank = sa.case((PO.c.level == PartyOrgLevel.COMMITTEE.value, 3),
                   (PO.c.level == PartyOrgLevel.GENERAL_BRANCH.value, 2), else_=1)
    own_party = (sa.select(sa.func.max(rank)).select_from(PC.join(PO, PO.c.id == PC.c.party_org_id))
                 .where(PC.c.enterprise_id == E.c.id, active(PC.c.start_on, PC.c.end_on, as_of),
                        PO.c.enterprise_id == E.c.id, PO.c.level != PartyOrgLevel.JOINT_BRANCH.value)
                 .scalar_subquery())
    liaison = sa.exists().where(LO.c.enterprise_id == E.c.id, active(LO.c.appointed_on, LO.c.ended_on, as_of))
    members = (sa.select(sa.func.coalesce(sa.func.sum(MC.c.joined - MC.c.left_count), 0))
               .where(MC.c.enterprise_id == E.c.id, MC.c.changed_on <= as_of).scalar_subquery())
    return (
        sa.select(E.c.township_id, covered(UC).label("has_union"), own_union.label("own_union"),
                  covered(PC).label("has_party"), sa.func.coalesce(own_party, 0).label("own_party"),
                  liaison.label("liaison"), headcount_as_of("employees", as_of).label("employees"),
                  members.label("members"))
        .where(operating(as_of), scope.where(E.c.township_id), base_condition(scope, as_of))
        .subquery("stat_flags")
    )


def _count(cond) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def statistics_table(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """``township_id``, ``code``, ``name`` and :data:`COLUMNS` for every township in scope (a
    township without an operating enterprise has a row of zeros), in the townships' order."""
    f = _flags(scope, as_of)
    union = f.c.has_union
    party, own = f.c.has_party, f.c.own_party
    counts = (
        sa.select(
            f.c.township_id,
            sa.func.count().label("operating"),
            _count(f.c.own_union).label("union_own"),
            _count(sa.and_(union, sa.not_(f.c.own_union))).label("union_joint"),
            _count(sa.not_(union)).label("union_none"),
            sa.func.coalesce(sa.func.sum(sa.case((union, f.c.employees), else_=0)), 0).label("employees_unionised"),
            sa.func.coalesce(sa.func.sum(sa.case((union, f.c.members), else_=0)), 0).label("members_unionised"),
            _count(own == 3).label("party_committee"),
            _count(own == 2).label("party_general_branch"),
            _count(own == 1).label("party_branch"),
            _count(sa.and_(party, own == 0)).label("party_joint"),
            _count(sa.and_(sa.not_(party), f.c.liaison)).label("liaison_only"),
            _count(sa.and_(sa.not_(party), sa.not_(f.c.liaison))).label("party_none"),
        )
        .group_by(f.c.township_id)
        .subquery("stat_counts")
    )
    stmt = (
        sa.select(T.c.id.label("township_id"), T.c.code, T.c.name,
                  *(sa.func.coalesce(counts.c[c], 0).label(c) for c in COLUMNS))
        .outerjoin(counts, counts.c.township_id == T.c.id)
        .where(scope.where(T.c.id))
        .order_by(T.c.sort_order, T.c.code)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=["township_id", "code", "name", *COLUMNS])
    return df.astype({c: "int64" for c in COLUMNS})
