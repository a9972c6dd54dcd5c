"""The summary tables give exactly the figures of the reference SQL, at any date and scope."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session

from dashboard.queries import coverage
from dashboard.queries.scope import Scope
from models import accounts, rules
from models.summary import is_fresh, rebuild_summaries
from seed_data.demo import write_demo

TODAY = dt.date(2026, 11, 24)


def test_summary_equals_exact_sql_at_random_dates_and_scopes(any_engine, monkeypatch):
    """On a district of its own (seed 11, not the shared demo's 2002)."""
    # the demo accounts' passwords: a cheap argon2id (a quarter of write_demo's time otherwise)
    monkeypatch.setattr(accounts, "hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    write_demo(any_engine, seed=11, today=TODAY)
    rng = random.Random(5)
    with Session(any_engine) as s:
        assert coverage.summaries_fresh(s)
        ids = [i for (i,) in s.execute(sa.text("SELECT id FROM township ORDER BY id"))]
        for _ in range(25):
            day = dt.date(1998, 1, 1) + dt.timedelta(rng.randint(0, (TODAY - dt.date(1998, 1, 1)).days))
            scope = rng.choice([Scope.district(), Scope.townships(rng.sample(ids, 1)), Scope.townships(rng.sample(ids, 3))])
            fast = coverage.coverage_by_township_summary(s, scope, day)
            exact = coverage.coverage_by_township_exact(s, scope, day)
            assert fast.equals(exact), (day, scope)
        # month boundaries and year ends are where an off-by-one would show
        for day in (dt.date(2002, 12, 31), dt.date(2003, 1, 1), dt.date(2010, 6, 30), dt.date(2010, 7, 1), TODAY):
            assert coverage.coverage_by_township_summary(s, Scope.district(), day).equals(
                coverage.coverage_by_township_exact(s, Scope.district(), day)), day


def test_gap_lists_match_the_reference(demo_engine):
    """(The series and flows of ``trends`` are compared in tests/queries/test_trends.py.)"""
    with Session(demo_engine) as s:
        for day in (dt.date(2002, 12, 31), TODAY):
            for pattern in ("should_build", "no_union", "union_only"):
                a = coverage.enterprises_in_pattern(s, Scope.district(), day, pattern, limit=None)
                b = coverage.enterprise_patterns(s, Scope.district(), day, pattern=pattern, limit=None)
                assert sorted(a["enterprise_id"]) == sorted(b["enterprise_id"]) and len(a) > 0


def test_stale_summary_is_detected_and_the_exact_sql_is_used(own_demo_engine):
    with own_demo_engine.begin() as conn:
        township = conn.execute(sa.text("SELECT id FROM township LIMIT 1")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO enterprise (uscc, name, township_id, is_village, ownership, industry, employees, party_members,"
            " registered_on, owner_is_party_member) VALUES (:u, '新企业', :t, 0, 'private', '商贸', 10, 5, '2020-01-01', 0)"),
            {"u": rules.make_uscc(division="220299", serial=99_999_999), "t": township})
        assert not is_fresh(conn)
    with Session(own_demo_engine) as s:
        k = coverage.coverage_kpis(s, Scope.district(), TODAY)
        exact = coverage.kpis_from_counts(coverage.coverage_by_township_exact(s, Scope.district(), TODAY), TODAY)
        assert k == exact  # the new enterprise is counted although the summary predates it
    rebuild_summaries(own_demo_engine)
    with own_demo_engine.connect() as conn:
        assert is_fresh(conn)


def test_an_update_or_delete_in_place_makes_the_summaries_stale(any_own_demo_engine):
    """Triggers (migration 0006) bump data_version: figures stay right after edits by any tool."""
    engine = any_own_demo_engine  # a private copy: this test writes
    with engine.begin() as conn:
        assert is_fresh(conn)
        # close fifty operating enterprises in place, as a hand-made correction would
        ids = [i for (i,) in conn.execute(sa.text(
            "SELECT id FROM enterprise WHERE closed_on IS NULL ORDER BY id LIMIT 50"))]
        conn.execute(sa.text("UPDATE enterprise SET closed_on = :d WHERE id IN (%s)" % ",".join(map(str, ids))),
                     {"d": dt.date(2020, 1, 1)})
        assert not is_fresh(conn)
    with Session(engine) as s:
        assert coverage.coverage_kpis(s, Scope.district(), TODAY) == coverage.kpis_from_counts(
            coverage.coverage_by_township_exact(s, Scope.district(), TODAY), TODAY)
    rebuild_summaries(engine, today=TODAY)
    with engine.begin() as conn:
        assert is_fresh(conn)
        conn.execute(sa.text("DELETE FROM membership_change WHERE id = (SELECT MIN(id) FROM membership_change)"))
        assert not is_fresh(conn)
