"""``refresh_summaries``: after changes in a few townships, refreshing those townships alone gives
row for row what a full ``rebuild_summaries`` gives, and the query layer uses the summaries again."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from dashboard.queries import coverage
from dashboard.queries.scope import Scope
from models import rules
from models.summary import is_fresh, rebuild_summaries, refresh_summaries
from models.tables import coverage_delta, coverage_month, enterprise_state
from tests.factories import DEMO_TODAY

TODAY = DEMO_TODAY
SUMMARY_TABLES = (coverage_delta, coverage_month, enterprise_state)


def _rows(conn: Connection) -> dict[str, Counter]:
    """Every row of the three summary tables (``enterprise_state.id`` left out), as multisets."""
    out = {}
    for table in SUMMARY_TABLES:
        cols = [c for c in table.c if c.name != "id"]
        out[table.name] = Counter(tuple(r) for r in conn.execute(sa.select(*cols)).all())
    return out


def _assert_same(refreshed: dict[str, Counter], rebuilt: dict[str, Counter]) -> None:
    for name, rows in rebuilt.items():
        extra, missing = refreshed[name] - rows, rows - refreshed[name]
        assert not extra and not missing, (
            f"{name}: {sum(extra.values())} rows only after the refresh, e.g. {sorted(extra, key=repr)[:3]}; "
            f"{sum(missing.values())} only after the rebuild, e.g. {sorted(missing, key=repr)[:3]}")
        assert sum(rows.values()) > 0, name


def _one(conn: Connection, sql: str, **params) -> int:
    return conn.execute(sa.text(sql), params).scalars().first()


def _change_two_townships(conn: Connection) -> tuple[list[int], dict[str, int]]:
    """Plain-SQL edits in townships A and B (and C, where one enterprise of B moves to): close an
    enterprise, add a union coverage, add a membership change, move an enterprise. Returns the
    townships to refresh and the enterprises changed."""
    towns = [t for (t,) in conn.execute(sa.text(
        "SELECT township_id FROM enterprise GROUP BY township_id HAVING count(*) >= 20 ORDER BY township_id"))]
    a, b, c = towns[0], towns[1], towns[2]
    operating = ("SELECT id FROM enterprise WHERE township_id = :t AND registered_on < '2024-01-01' "
                 "AND closed_on IS NULL")
    closed = _one(conn, operating + " ORDER BY id", t=a)
    conn.execute(sa.text("UPDATE enterprise SET closed_on = :d WHERE id = :e"), {"d": dt.date(2025, 6, 1), "e": closed})
    # a union coverage for an operating enterprise of A without one today
    bare = _one(conn, operating + " AND id <> :x AND id NOT IN (SELECT enterprise_id FROM union_coverage WHERE "
                "end_on IS NULL) ORDER BY id", t=a, x=closed)
    if bare is None:  # every enterprise of A has a union: end one and start another later
        bare = _one(conn, operating + " AND id <> :x ORDER BY id DESC", t=a, x=closed)
    union = _one(conn, "SELECT id FROM union_org WHERE township_id = :t ORDER BY id", t=a)
    conn.execute(sa.text("INSERT INTO union_coverage (union_id, enterprise_id, start_on) VALUES (:u, :e, :d)"),
                 {"u": union, "e": bare, "d": dt.date(2025, 9, 1)})
    # members join at a unionised enterprise of B
    joined_at = _one(conn, "SELECT e.id FROM enterprise e JOIN union_coverage uc ON uc.enterprise_id = e.id "
                     "WHERE e.township_id = :t AND e.closed_on IS NULL AND uc.end_on IS NULL ORDER BY e.id", t=b)
    union_b = _one(conn, "SELECT union_id FROM union_coverage WHERE enterprise_id = :e", e=joined_at)
    conn.execute(sa.text("INSERT INTO membership_change (union_id, enterprise_id, changed_on, joined, left_count) "
                         "VALUES (:u, :e, :d, 7, 2)"), {"u": union_b, "e": joined_at, "d": dt.date(2025, 11, 3)})
    # an enterprise of B (with a long history) moves to C
    moved = _one(conn, "SELECT id FROM enterprise WHERE township_id = :t AND id <> :x ORDER BY registered_on, id",
                 t=b, x=joined_at)
    conn.execute(sa.text("UPDATE enterprise SET township_id = :c WHERE id = :e"), {"c": c, "e": moved})
    return [a, b, c], {"closed": closed, "unionised": bare, "joined": joined_at, "moved": moved}


def _check_queries(engine: Engine, monkeypatch, day: dt.date) -> None:
    """The query layer takes the summaries (fresh; the exact SQL is not called) and gives the exact figures."""
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        days = (day, dt.date(2025, 6, 1), dt.date(2025, 8, 31), dt.date(2025, 12, 31), dt.date(2010, 3, 15))
        exact = {d: coverage.coverage_by_township_exact(s, Scope.district(), d) for d in days}
        with monkeypatch.context() as m:
            m.setattr(coverage, "coverage_by_township_exact", lambda *a: pytest.fail("exact SQL used"))
            fast = {d: coverage.coverage_kpis(s, Scope.district(), d) for d in days}
            by_township = {d: coverage.coverage_by_township(s, Scope.district(), d) for d in days}
        for d in days:
            assert fast[d] == coverage.kpis_from_counts(exact[d], d), d
            assert by_township[d].equals(exact[d]), d
        for pattern in ("should_build", "no_union", "union_only"):
            a = coverage.enterprises_in_pattern(s, Scope.district(), day, pattern, limit=None)
            b = coverage.enterprise_patterns(s, Scope.district(), day, pattern=pattern, limit=None)
            assert sorted(a["enterprise_id"]) == sorted(b["enterprise_id"]), pattern


@pytest.mark.parametrize("since", [None, dt.date(2025, 1, 1)], ids=["whole-history", "since-2025"])
def test_refresh_equals_full_rebuild(any_own_demo_engine, monkeypatch, since):
    engine = any_own_demo_engine
    with engine.begin() as conn:
        assert is_fresh(conn)
        max_id = conn.execute(sa.select(sa.func.max(enterprise_state.c.id))).scalar_one()
        towns, changed = _change_two_townships(conn)
        assert not is_fresh(conn)
        counts = refresh_summaries(conn, towns, since=since, today=TODAY)
        assert is_fresh(conn)  # in the caller's transaction
    assert counts["enterprises"] > 0 and counts["enterprise_state"] > 0
    if since is not None:  # the moved enterprise's history is rewritten from its first event
        assert counts["from_day"] < since
    with engine.connect() as conn:
        assert is_fresh(conn)
        new_ids = [i for (i,) in conn.execute(sa.select(enterprise_state.c.id).where(enterprise_state.c.id > max_id))]
        assert new_ids, "re-inserted enterprise_state rows take ids after the largest one"
        moved_towns = {t for (t,) in conn.execute(sa.select(enterprise_state.c.township_id).where(
            enterprise_state.c.enterprise_id == changed["moved"]))}
        assert moved_towns <= {towns[2]}
        refreshed = _rows(conn)
    _check_queries(engine, monkeypatch, TODAY)

    rebuild_summaries(engine, today=TODAY)  # the same data, rebuilt from scratch
    with engine.connect() as conn:
        _assert_same(refreshed, _rows(conn))


def test_refresh_a_later_day_and_an_earliest_enterprise_moves_every_township_month(own_demo_engine, monkeypatch):
    """A new enterprise registered before anything else in the district, and a refresh months after
    the last rebuild: the other townships' months are extended at both ends, as a rebuild would."""
    engine, later = own_demo_engine, dt.date(2027, 2, 10)
    with engine.begin() as conn:
        first = conn.execute(sa.select(sa.func.min(coverage_month.c.month))).scalar_one()
        town = _one(conn, "SELECT id FROM township ORDER BY id DESC")
        conn.execute(sa.text(
            "INSERT INTO enterprise (uscc, name, township_id, is_village, ownership, industry, employees,"
            " party_members, registered_on, owner_is_party_member) VALUES (:u, '老企业', :t, 0, 'private', '商贸',"
            " 40, 5, :d, 0)"), {"u": rules.make_uscc(division="220299", serial=99_999_998), "t": town,
                                "d": first - dt.timedelta(days=400)})
        counts = refresh_summaries(conn, [town], since=dt.date(2026, 11, 1), today=later)
        assert counts["from_day"] == first - dt.timedelta(days=400)  # new to the summaries: its whole history
        assert conn.execute(sa.select(sa.func.min(coverage_month.c.month))).scalar_one() < first
        assert conn.execute(sa.select(sa.func.max(coverage_month.c.month))).scalar_one() == dt.date(2027, 2, 1)
        refreshed = _rows(conn)
    _check_queries(engine, monkeypatch, later)
    rebuild_summaries(engine, today=later)
    with engine.connect() as conn:
        _assert_same(refreshed, _rows(conn))


def test_refresh_without_summaries_is_a_full_rebuild(own_demo_engine):
    with own_demo_engine.begin() as conn:
        for table in SUMMARY_TABLES:
            conn.execute(table.delete())
        conn.execute(sa.text("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'"))
        counts = refresh_summaries(conn, [], today=TODAY)
        assert counts["full_rebuild"] and is_fresh(conn)
        refreshed = _rows(conn)
    rebuild_summaries(own_demo_engine, today=TODAY)
    with own_demo_engine.connect() as conn:
        _assert_same(refreshed, _rows(conn))
