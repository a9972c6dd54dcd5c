"""A full rebuild of the summaries on PostgreSQL builds new tables beside the live ones and swaps them in
(``models.summary._Swap``): the swapped tables carry everything the migrations made (indexes, keys,
foreign keys, comments, defaults, the sequence, grants), readers are not blocked while the rows are
written and indexed — only for the swap itself — and the rows are those of a rebuild in place. On both
databases a rebuild swept in parts (``part_enterprises``) gives the rows of one swept at once."""

from __future__ import annotations

import threading
import time
from collections import Counter

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import models  # noqa: F401 - every table in the metadata
from models import bulk, summary
from models.pg_indexes import include_object
from models.tables import coverage_delta, coverage_month, enterprise_state
from tests.factories import DEMO_TODAY

TABLES = (coverage_delta, coverage_month, enterprise_state)
NAMES = tuple(t.name for t in TABLES)


def pg_demo(test):
    """The test gets a writable copy of the demo district on PostgreSQL: conftest's
    ``any_own_demo_engine``, its PostgreSQL side only."""
    return pytest.mark.postgres(pytest.mark.parametrize("any_own_demo_engine", ["postgres"], indirect=True)(test))


def _schema(conn: Connection) -> dict:
    """What PostgreSQL's catalog says of the summary tables, by name (never by OID)."""
    rows = lambda sql: sorted(tuple(r) for r in conn.execute(sa.text(sql), {"t": list(NAMES)}))  # noqa: E731
    return {
        "columns": rows("SELECT table_name, ordinal_position, column_name, data_type, character_maximum_length, "
                        "is_nullable, column_default, collation_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND table_name = ANY(:t)"),
        "indexes": rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                        "AND tablename = ANY(:t)"),
        "constraints": rows("SELECT conrelid::regclass::text, conname, contype, convalidated, pg_get_constraintdef(oid) "
                            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(:t)"),
        "tables": rows("SELECT relname, obj_description(oid, 'pg_class'), reloptions::text, relacl::text, "
                       "pg_get_userbyid(relowner), relpersistence, relkind FROM pg_class "
                       "WHERE relnamespace = 'public'::regnamespace AND relname = ANY(:t)"),
        "column_settings": rows("SELECT attrelid::regclass::text, attname, attstattarget, attstorage, "
                                "col_description(attrelid, attnum) FROM pg_attribute "
                                "WHERE attrelid::regclass::text = ANY(:t) AND attnum > 0 AND NOT attisdropped"),
        "sequences": rows("SELECT t, pg_get_serial_sequence(t, 'id') FROM unnest(CAST(:t AS text[])) AS t "
                          "WHERE t = 'enterprise_state'"),
        "leftovers": rows("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                          "AND (relname LIKE '%\\_\\_new%' OR relname LIKE '%\\_\\_old%')"),
    }


def _rows(conn: Connection) -> dict[str, Counter]:
    """Every row of the three tables (``enterprise_state.id`` left out), as multisets."""
    return {t.name: Counter(tuple(r) for r in conn.execute(sa.select(*[c for c in t.c if c.name != "id"])))
            for t in TABLES}


def _diff(conn: Connection) -> list:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
    return compare_metadata(ctx, SQLModel.metadata)


@pg_demo
def test_the_swapped_tables_carry_everything_the_migrations_made(any_own_demo_engine):
    engine = any_own_demo_engine
    with engine.begin() as conn:
        # what a district's administrator might have added: kept as well
        conn.execute(sa.text("GRANT SELECT ON coverage_delta, coverage_month, enterprise_state TO PUBLIC"))
        conn.execute(sa.text("ALTER TABLE enterprise_state SET (fillfactor = 90)"))
        conn.execute(sa.text("ALTER TABLE coverage_delta ALTER COLUMN township_id SET STATISTICS 500"))
        assert summary.swappable(conn) is None
        before, rows_before = _schema(conn), _rows(conn)
        oids = dict(conn.execute(sa.text("SELECT relname, oid FROM pg_class WHERE relname = ANY(:t)"), {"t": list(NAMES)}).all())
    assert len(before["indexes"]) == 6 and len(before["constraints"]) == 7  # the control: the migrations' schema

    counts = summary.rebuild_summaries(engine, today=DEMO_TODAY)
    with engine.connect() as conn:
        after = _schema(conn)
        new_oids = dict(conn.execute(sa.text("SELECT relname, oid FROM pg_class WHERE relname = ANY(:t)"),
                                     {"t": list(NAMES)}).all())
        assert after == before
        assert not after["leftovers"]
        assert _diff(conn) == []  # the models still match the database, as the migrations made it
        assert _rows(conn) == rows_before  # the demo's summaries were fresh: the same rows again
        assert summary.is_fresh(conn)
        # COPY FREEZE: every page all-visible at once (index-only scans need no VACUUM first)
        pages = conn.execute(sa.text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'enterprise_state'")).one()
        assert pages[0] > 0 and pages[1] == pages[0]
        top = conn.execute(sa.text("SELECT last_value FROM enterprise_state_id_seq")).scalar_one()
        assert top == conn.execute(sa.text("SELECT max(id) FROM enterprise_state")).scalar_one()
    assert all(new_oids[n] != oids[n] for n in NAMES)  # new tables indeed
    assert counts["enterprise_state"] == sum(rows_before["enterprise_state"].values())

    # an edit's incremental update works on the swapped tables (a new row takes the next id)
    with engine.begin() as conn:
        eid = conn.execute(sa.text("SELECT min(enterprise_id) FROM enterprise_state")).scalar_one()
        was = summary.before(conn, [eid])
        conn.execute(sa.text("UPDATE enterprise SET closed_on = DATE '2025-01-01' WHERE id = :e"), {"e": eid})
        assert summary.after(conn, was, today=DEMO_TODAY)
    with engine.connect() as conn:
        assert summary.is_fresh(conn)
        updated = _rows(conn)
    summary.rebuild_summaries(engine, today=DEMO_TODAY)
    with engine.connect() as conn:
        assert _rows(conn) == updated


@pg_demo
def test_a_rebuild_in_the_callers_transaction_writes_in_place(any_own_demo_engine):
    """Given a connection, the rebuild runs in the caller's transaction, which may have written already
    (new tables made on other connections would not see its rows) and may still roll back: the live
    tables are written in place, the same ones after."""
    engine = any_own_demo_engine
    with engine.connect() as conn:
        before = _schema(conn)
        oids = conn.execute(sa.text("SELECT relname, oid FROM pg_class WHERE relname = ANY(:t) ORDER BY 1"),
                            {"t": list(NAMES)}).all()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE enterprise SET employees = employees + 1 WHERE id = (SELECT min(id) FROM enterprise)"))
        summary.rebuild_summaries(conn, today=DEMO_TODAY)
        assert summary.is_fresh(conn)
        fresh_rows = _rows(conn)
    with engine.connect() as conn:
        assert _schema(conn) == before and summary.is_fresh(conn)
        assert _rows(conn) == fresh_rows
        assert conn.execute(sa.text("SELECT relname, oid FROM pg_class WHERE relname = ANY(:t) ORDER BY 1"),
                            {"t": list(NAMES)}).all() == oids


@pg_demo
def test_the_same_rows_as_a_rebuild_in_place(any_own_demo_engine, monkeypatch):
    engine = any_own_demo_engine
    summary.rebuild_summaries(engine, today=DEMO_TODAY)
    with engine.connect() as conn:
        swapped = _rows(conn)
    monkeypatch.setattr(summary, "swappable", lambda conn: "forced in place")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM coverage_month"))  # so that the rebuild must write them again
    summary.rebuild_summaries(engine, today=DEMO_TODAY)
    with engine.connect() as conn:
        assert _rows(conn) == swapped and sum(swapped["coverage_month"].values()) > 0


@pg_demo
def test_something_it_cannot_copy_makes_it_rebuild_in_place(any_own_demo_engine):
    engine = any_own_demo_engine
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE VIEW gaps AS SELECT * FROM enterprise_state WHERE pattern = 'should_build'"))
        assert "view" in summary.swappable(conn)
        oid = conn.execute(sa.text("SELECT 'enterprise_state'::regclass::oid")).scalar_one()
    summary.rebuild_summaries(engine, today=DEMO_TODAY)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 'enterprise_state'::regclass::oid")).scalar_one() == oid  # the same table
        assert conn.execute(sa.text("SELECT count(*) FROM gaps")).scalar_one() > 0 and summary.is_fresh(conn)


def _reader(engine: Engine, out: list, stop: threading.Event, timeout_ms: int) -> None:
    """Read the live summaries again and again (a page's queries), each with a lock timeout: (seconds,
    coverage_month rows, or the error)."""
    with engine.connect() as conn:
        conn.execute(sa.text(f"SET lock_timeout = {timeout_ms}"))
        conn.commit()
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                n = conn.execute(sa.text("SELECT count(*) FROM coverage_month")).scalar_one()
                conn.execute(sa.text("SELECT count(*) FROM enterprise_state WHERE pattern = 'no_union'")).scalar_one()
                conn.execute(sa.text("SELECT count(*) FROM enterprise WHERE township_id IS NOT NULL")).scalar_one()
                out.append((time.perf_counter() - t0, n))
            except sa.exc.OperationalError as exc:
                out.append((time.perf_counter() - t0, type(exc.orig).__name__))
            conn.rollback()
            time.sleep(0.02)


@pg_demo
def test_readers_are_not_blocked_while_the_rows_are_written_only_by_the_swap(any_own_demo_engine, monkeypatch):
    engine = any_own_demo_engine
    with engine.begin() as conn:
        months = conn.execute(sa.text("SELECT count(*) FROM coverage_month")).scalar_one()
        conn.execute(sa.text("DELETE FROM coverage_month"))  # the live table: 0 rows until the swap
    assert months > 0
    building, swapped = threading.Event(), threading.Event()
    real_build, real_finish = summary._Swap.build, summary._Swap.finish

    def slow_build(self, conn, names):  # the new tables' indexes: in their builders' transactions
        real_build(self, conn, names)
        building.set()
        time.sleep(1.5)

    def slow_finish(self):  # the swap done, its locks held until the commit
        real_finish(self)
        swapped.set()
        time.sleep(1.5)

    monkeypatch.setattr(summary._Swap, "build", slow_build)
    monkeypatch.setattr(summary._Swap, "finish", slow_finish)
    rebuild = threading.Thread(target=summary.rebuild_summaries, args=(engine,), kwargs={"today": DEMO_TODAY})
    rebuild.start()
    assert building.wait(60)
    seen: list = []
    stop = threading.Event()
    reader = threading.Thread(target=_reader, args=(engine, seen, stop, 300))
    reader.start()
    time.sleep(1.0)
    during_build = list(seen)
    assert swapped.wait(60)
    time.sleep(0.5)
    during_swap = list(seen[len(during_build):])
    rebuild.join(60)
    time.sleep(0.3)
    stop.set()
    reader.join(10)
    after = seen[len(during_build) + len(during_swap):]
    # while the rows were written and indexed: every read answered at once, from the old tables
    assert len(during_build) >= 5
    assert all(n == 0 and seconds < 0.25 for seconds, n in during_build), during_build
    # the swap's locks (held here for 1.5 s on purpose): a reader waits, its lock timeout expires — the
    # control that this test would see a blocked reader
    assert any(n == "LockNotAvailable" for _, n in during_swap), during_swap
    # after the commit: the new tables
    assert after and after[-1][1] == months


def test_a_rebuild_in_parts_gives_the_rows_of_one_at_once(any_own_demo_engine):
    engine = any_own_demo_engine
    summary.rebuild_summaries(engine, today=DEMO_TODAY)
    with engine.connect() as conn:
        whole = _rows(conn)
        parts = summary._parts(conn, 60)
    assert len(parts) >= 3  # the control: several parts
    assert sorted(t for p in parts for t in p) == sorted(set(t for p in parts for t in p))  # each township once
    counts = summary.rebuild_summaries(engine, today=DEMO_TODAY, part_enterprises=60)
    with engine.connect() as conn:
        assert _rows(conn) == whole and summary.is_fresh(conn)
        ids = [i for (i,) in conn.execute(sa.select(enterprise_state.c.id).order_by(enterprise_state.c.id))]
    assert ids == list(range(1, counts["enterprise_state"] + 1))


@pytest.mark.postgres
def test_copy_arrays_writes_every_layout_in_order(pg_engine):
    """``bulk.copy_arrays``: NULLs, labels of several lengths (one empty), dates before 1970, booleans and
    64-bit numbers land as given, in the rows' order, whatever the layout of the rows around them."""
    rng = np.random.default_rng(7)
    n = 3_000
    labels = ["no_union", "无工会", "", "union_and_liaison"]
    code = rng.integers(0, len(labels), n)
    start = rng.integers(-8_000, 21_000, n)
    end = np.where(rng.random(n) < 0.4, bulk.NO_DAY, start + 5)
    flag = rng.random(n) < 0.5
    big = rng.integers(-(2**40), 2**40, n)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id int, label varchar(30), s date, e date, f boolean, b bigint)"))
        done = bulk.copy_arrays(conn, "t", [
            bulk.Column("id", "int4", np.arange(n)), bulk.Column("label", "text", code, labels=labels),
            bulk.Column("s", "date", start), bulk.Column("e", "date", end), bulk.Column("f", "bool", flag),
            bulk.Column("b", "int8", big)], rows_per_chunk=700)
        got = conn.execute(sa.text("SELECT id, label, s - DATE '1970-01-01', e - DATE '1970-01-01', f, b FROM t")).all()
        with pytest.raises(OverflowError):
            bulk.Column("id", "int4", np.array([2**31]))
        conn.execute(sa.text("DROP TABLE t"))
    assert done == n and [r[0] for r in got] == list(range(n))  # every row, in order (the heap's)
    for i, (_, label, s, e, f, b) in enumerate(got):
        assert (label, s, e, f, b) == (labels[code[i]], start[i], None if end[i] == bulk.NO_DAY else end[i], flag[i],
                                       big[i]), i
