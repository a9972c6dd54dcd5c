"""Rules the ledger can be checked against beyond the five patterns (issue #14, item 4), as of a
date, in scope, counted in SQL:

* **party_level** — an enterprise's own Party organisation below the level its formal members call
  for (``models.rules.expected_party_org_level``: 50 or more a 党总支, 100 or more a 党委);
* **union_committee** — an enterprise whose union members number 25 or more (工会法 第十一条: 25
  members form a union committee) but which has no union of its own, only a joint one;
* **joint_branch_size** — a joint Party branch covering more than 5 enterprises (党支部工作条例: a
  joint branch normally covers no more than five units).

Each function returns ``(rows, total)``: at most ``limit`` rows (the largest first) and how many there are.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import HC, MC, PC, UC, UO, E, active, headcount_as_of, operating
from dashboard.queries.scope import Scope
from models import rules
from models.enums import PartyOrgLevel, UnionKind
from models.tables import PartyOrg

PO = PartyOrg.__table__

#: union members that call for an enterprise's own union committee (工会法 第十一条)
UNION_COMMITTEE_MEMBERS = 25
#: enterprises a joint Party branch normally covers at most (党支部工作条例)
JOINT_BRANCH_MAX_UNITS = 5
CHECKS = ("party_level", "union_committee", "joint_branch_size")

#: the order of levels, lowest first (a joint branch is checked by its size, not its level)
_RANK = {PartyOrgLevel.BRANCH.value: 1, PartyOrgLevel.GENERAL_BRANCH.value: 2, PartyOrgLevel.COMMITTEE.value: 3}


def _rank_needed(members: sa.ColumnElement) -> sa.ColumnElement[int]:
    return sa.case((members >= rules.COMMITTEE_THRESHOLD, 3), (members >= rules.GENERAL_BRANCH_THRESHOLD, 2),
                   else_=1)


def _page(session: Session, stmt: sa.Select, order, limit: int, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` rows of ``stmt`` in ``order`` and how many there are, in one execution (the
    count a window over the same rows: the candidates are found once, not once more for a count)."""
    sub = stmt.subquery("found")
    if limit < 1:
        return pd.DataFrame(columns=columns), int(session.execute(sa.select(sa.func.count()).select_from(sub)).scalar_one())
    rows = session.execute(sa.select(sub, sa.func.count().over().label("found_total"))
                           .order_by(*order(sub)).limit(limit)).mappings().all()
    total = int(rows[0]["found_total"]) if rows else 0
    return pd.DataFrame([{c: r[c] for c in columns} for r in rows], columns=columns), total


def party_level(session: Session, scope: Scope, as_of: dt.date, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """Operating enterprises whose own Party organisation is below the level its members call for."""
    members = headcount_as_of("party_members", as_of)
    rank = sa.case(*((PO.c.level == level, r) for level, r in _RANK.items()), else_=0)
    # only enterprises that could need more than a branch: 50 members now, or a census history (the
    # members of a past date may differ) — an index range instead of every enterprise
    could = sa.union(sa.select(E.c.id.label("id")).where(E.c.party_members >= rules.GENERAL_BRANCH_THRESHOLD),
                     sa.select(HC.c.enterprise_id.label("id"))).subquery("could")
    stmt = (
        sa.select(E.c.id.label("enterprise_id"), E.c.name, E.c.township_id, members.label("party_members"),
                  PO.c.name.label("organisation"), PO.c.level)
        .select_from(could).join(E, E.c.id == could.c.id)
        .join(PO, PO.c.enterprise_id == E.c.id)
        .where(operating(as_of), scope.where(E.c.township_id), active(PO.c.founded_on, PO.c.dissolved_on, as_of),
               PO.c.level != PartyOrgLevel.JOINT_BRANCH.value, rank < _rank_needed(members))
    )
    return _page(session, stmt, lambda s: (s.c.party_members.desc(), s.c.enterprise_id), limit,
                 ["enterprise_id", "name", "township_id", "party_members", "organisation", "level"])


def union_committee(session: Session, scope: Scope, as_of: dt.date, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """Operating enterprises with 25 or more union members covered only by a joint union."""
    # the candidates: enterprises a union not of their own covers on the date (few, whatever the size)
    not_own = [k.value for k in UnionKind if k is not UnionKind.ENTERPRISE]  # an IN list: the index on kind
    joint = (sa.select(UC.c.enterprise_id).select_from(UO).join(UC, UC.c.union_id == UO.c.id)
             .where(UO.c.kind.in_(not_own), active(UC.c.start_on, UC.c.end_on, as_of)))
    if scope.township_ids is not None:  # a township's enterprises, not the district's joint coverage
        joint = joint.where(UC.c.enterprise_id.in_(sa.select(E.c.id).where(scope.where(E.c.township_id))))
    joint = joint.distinct().subquery("joint_covered")
    members = (sa.select(MC.c.enterprise_id, sa.func.sum(MC.c.joined - MC.c.left_count).label("union_members"))
               .join(joint, joint.c.enterprise_id == MC.c.enterprise_id)
               .where(MC.c.changed_on <= as_of).group_by(MC.c.enterprise_id).subquery("joint_members"))
    own = sa.exists().where(UO.c.enterprise_id == E.c.id, UO.c.kind == UnionKind.ENTERPRISE.value,
                            active(UO.c.founded_on, UO.c.dissolved_on, as_of))
    stmt = (
        sa.select(E.c.id.label("enterprise_id"), E.c.name, E.c.township_id, members.c.union_members,
                  headcount_as_of("employees", as_of).label("employees"))
        .join(members, members.c.enterprise_id == E.c.id)
        .where(members.c.union_members >= UNION_COMMITTEE_MEMBERS, operating(as_of), scope.where(E.c.township_id),
               sa.not_(own))
    )
    return _page(session, stmt, lambda s: (s.c.union_members.desc(), s.c.enterprise_id), limit,
                 ["enterprise_id", "name", "township_id", "union_members", "employees"])


def joint_branch_size(session: Session, scope: Scope, as_of: dt.date, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """Joint Party branches active on ``as_of`` covering more than five operating enterprises."""
    units = sa.func.count(PC.c.enterprise_id)
    stmt = (
        sa.select(PO.c.id.label("party_org_id"), PO.c.name, PO.c.township_id, units.label("units"))
        .join(PC, PC.c.party_org_id == PO.c.id).join(E, E.c.id == PC.c.enterprise_id)
        .where(PO.c.level == PartyOrgLevel.JOINT_BRANCH.value, scope.where(PO.c.township_id),
               active(PO.c.founded_on, PO.c.dissolved_on, as_of), active(PC.c.start_on, PC.c.end_on, as_of),
               operating(as_of))
        .group_by(PO.c.id, PO.c.name, PO.c.township_id)
        .having(units > JOINT_BRANCH_MAX_UNITS)
    )
    return _page(session, stmt, lambda s: (s.c.units.desc(), s.c.party_org_id), limit,
                 ["party_org_id", "name", "township_id", "units"])
