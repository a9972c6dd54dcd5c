"""The database — or the part of it in a scope — as ledger rows, in exactly the import's format.

``ledger_rows(conn, scope, today)`` gives, per ``spec`` sheet key, an iterator of rows keyed by
column key with Python values (dates, enum members, booleans, lists of (USCC, start, end)) that
``ledgerfile.workbook`` writes. Importing the written file into an empty database gives the same
figures at every date (a test): periods that differ from their organisation's are written per
enterprise, membership history as 会员变动 rows, and each enterprise's headcounts with the date of
its latest census (the export's date when it has none).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.queries.scope import Scope
from models.db import in_chunks
from models.enums import Barrier, LiaisonKind, Ownership, PartyOrgLevel, TownshipKind, UnionKind
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
    Unit,
)

T, U, E = Township.__table__, Unit.__table__, Enterprise.__table__
HC, MC, LO = HeadcountCensus.__table__, MembershipChange.__table__, LiaisonOfficer.__table__
UO, UC, PO, PC = UnionOrg.__table__, UnionCoverage.__table__, PartyOrg.__table__, PartyCoverage.__table__

BATCH = 20_000


def _stream(conn: Connection, stmt) -> Iterator[sa.Row]:
    result = conn.execution_options(yield_per=BATCH).execute(stmt)
    yield from result


def ledger_rows(conn: Connection, scope: Scope, today: dt.date | None = None) -> dict[str, Iterator[dict]]:
    today = today or dt.date.today()
    return {
        "townships": _townships(conn, scope),
        "enterprises": _enterprises(conn, scope, today),
        "unions": _unions(conn, scope),
        "party_orgs": _party_orgs(conn, scope),
        "liaisons": _liaisons(conn, scope),
        "membership": _membership(conn, scope),
    }


def _townships(conn: Connection, scope: Scope) -> Iterator[dict]:
    for r in _stream(conn, sa.select(T.c.code, T.c.name, T.c.kind, T.c.sort_order)
                     .where(scope.where(T.c.id)).order_by(T.c.sort_order, T.c.id)):
        yield {"code": r.code, "name": r.name, "kind": TownshipKind(r.kind), "sort_order": r.sort_order}


def _enterprises(conn: Connection, scope: Scope, today: dt.date) -> Iterator[dict]:
    latest = (sa.select(HC.c.enterprise_id, sa.func.max(HC.c.census_on).label("census_on"))
              .group_by(HC.c.enterprise_id).subquery("latest"))
    census_on = sa.func.coalesce(latest.c.census_on, today)
    members = (sa.select(sa.func.sum(MC.c.joined - MC.c.left_count))
               .where(MC.c.enterprise_id == E.c.id, MC.c.changed_on <= census_on).scalar_subquery())
    has_history = sa.exists().where(MC.c.enterprise_id == E.c.id)
    stmt = (sa.select(E, T.c.name.label("township_name"), latest.c.census_on,
                      sa.case((has_history, sa.func.coalesce(members, 0)), else_=None).label("union_members"))
            .join(T, T.c.id == E.c.township_id)
            .outerjoin(latest, latest.c.enterprise_id == E.c.id)
            .where(scope.where(E.c.township_id)).order_by(E.c.township_id, E.c.id))
    for r in _stream(conn, stmt):
        yield {
            "uscc": r.uscc, "name": r.name, "township": r.township_name, "is_village": r.is_village,
            "ownership": Ownership(r.ownership), "industry": r.industry or None,
            "registered_on": r.registered_on, "closed_on": r.closed_on, "employees": r.employees,
            "party_members": r.party_members, "union_members": r.union_members,
            "census_on": r.census_on or max(today, r.registered_on),
            "barrier": Barrier(r.barrier) if r.barrier else None, "legal_rep": r.legal_rep,
            "owner_is_party_member": r.owner_is_party_member,
            "fixed_premises": r.fixed_premises, "trading": r.trading,
        }


def _covered(conn: Connection, cov: sa.Table, org_col: str, org_ids: list[int]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    for chunk in in_chunks(org_ids):
        for r in conn.execute(sa.select(cov.c[org_col], E.c.uscc, cov.c.start_on, cov.c.end_on)
                              .join(E, E.c.id == cov.c.enterprise_id).where(cov.c[org_col].in_(chunk))
                              .order_by(cov.c.id)):
            out[r[0]].append((r.uscc, r.start_on, r.end_on))
    return out


def _entries(covered: list[tuple], founded: dt.date, dissolved: dt.date | None) -> list[tuple]:
    """Each covered enterprise; its own period only when it differs from the organisation's."""
    return [(u, None, None) if (s == founded and e == dissolved) else (u, s, e) for u, s, e in covered]


def _unions(conn: Connection, scope: Scope) -> Iterator[dict]:
    federation = UO.alias("federation")
    rows = conn.execute(sa.select(UO, T.c.name.label("township_name"), federation.c.name.label("federation_name"))
                        .join(T, T.c.id == UO.c.township_id)
                        .outerjoin(federation, federation.c.id == UO.c.federation_id)
                        .where(scope.where(UO.c.township_id))
                        .order_by(UO.c.kind != UnionKind.FEDERATION.value, UO.c.id)).all()
    covered = _covered(conn, UC, "union_id", [r.id for r in rows])
    for r in rows:
        yield {
            "name": r.name, "kind": UnionKind(r.kind), "township": r.township_name,
            "enterprises": _entries(covered.get(r.id, []), r.founded_on, r.dissolved_on),
            "founded_on": r.founded_on, "dissolved_on": r.dissolved_on, "federation": r.federation_name,
            "chair_name": r.chair_name, "has_workers_congress": r.has_workers_congress,
            "chair_is_party_secretary": r.chair_is_party_secretary,
        }


def _party_orgs(conn: Connection, scope: Scope) -> Iterator[dict]:
    rows = conn.execute(sa.select(PO, T.c.name.label("township_name")).join(T, T.c.id == PO.c.township_id)
                        .where(scope.where(PO.c.township_id)).order_by(PO.c.id)).all()
    covered = _covered(conn, PC, "party_org_id", [r.id for r in rows])
    for r in rows:
        yield {
            "name": r.name, "level": PartyOrgLevel(r.level), "township": r.township_name,
            "enterprises": _entries(covered.get(r.id, []), r.founded_on, r.dissolved_on),
            "founded_on": r.founded_on, "dissolved_on": r.dissolved_on, "secretary_name": r.secretary_name,
        }


def _liaisons(conn: Connection, scope: Scope) -> Iterator[dict]:
    # the township's own Party committee is the default: written blank, so a file imports where
    # the unit does not exist yet
    stmt = (sa.select(LO, E.c.uscc, U.c.name.label("unit_name"),
                      sa.and_(U.c.kind == "township_party", U.c.township_id == E.c.township_id).label("own_committee"))
            .join(E, E.c.id == LO.c.enterprise_id).outerjoin(U, U.c.id == LO.c.dispatched_by_unit_id)
            .where(scope.where(E.c.township_id)).order_by(LO.c.id))
    for r in _stream(conn, stmt):
        yield {
            "uscc": r.uscc, "name": r.name, "kind": LiaisonKind(r.kind),
            "unit": None if (r.unit_name is None or r.own_committee) else r.unit_name,
            "appointed_on": r.appointed_on, "ended_on": r.ended_on,
        }


def _membership(conn: Connection, scope: Scope) -> Iterator[dict]:
    stmt = (sa.select(E.c.uscc, MC.c.changed_on, sa.func.sum(MC.c.joined).label("joined"),
                      sa.func.sum(MC.c.left_count).label("left"))
            .join(E, E.c.id == MC.c.enterprise_id).where(scope.where(E.c.township_id))
            .group_by(E.c.id, E.c.uscc, MC.c.changed_on)
            .having(sa.or_(sa.func.sum(MC.c.joined) > 0, sa.func.sum(MC.c.left_count) > 0))
            .order_by(E.c.id, MC.c.changed_on))
    for r in _stream(conn, stmt):
        yield {"uscc": r.uscc, "changed_on": r.changed_on, "joined": int(r.joined), "left": int(r.left)}
