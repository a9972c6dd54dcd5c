"""The database fixtures of tests/conftest.py keep their promises: the shared demo is read-only and
its guard notices a change, private copies are independent, and an emptied PostgreSQL database is
as good as a new one (the tests of this file run in order: each pair writes, then checks)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (every table on SQLModel.metadata)
from models.db import current_revision, head_revision
from tests.factories import table_counts


def test_the_shared_demo_refuses_writes(any_demo_engine):
    with any_demo_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar_one()
        assert before > 600
        with pytest.raises(sa.exc.DBAPIError, match="read-only|readonly"):
            conn.execute(sa.text("UPDATE enterprise SET employees = employees + 1"))
        conn.rollback()
        with pytest.raises(sa.exc.DBAPIError, match="read-only|readonly"):
            conn.execute(sa.text("DELETE FROM action_item"))
        conn.rollback()
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar_one() == before


def test_a_private_copy_is_writable_and_the_guard_sees_every_kind_of_change(any_own_demo_engine, request):
    sqlite = any_own_demo_engine.dialect.name == "sqlite"
    any_demo_engine = request.getfixturevalue("_shared_demo_sqlite" if sqlite else "_shared_demo_pg")
    shared = table_counts(any_demo_engine)
    before = table_counts(any_own_demo_engine)
    assert before == shared  # the same demo
    with any_own_demo_engine.begin() as conn:  # an update changes no count, but data_version
        conn.execute(sa.text("UPDATE enterprise SET employees = employees + 1 WHERE id = (SELECT MIN(id) FROM enterprise)"))
    after_update = table_counts(any_own_demo_engine)
    assert after_update != before and after_update["data_version"] != before["data_version"]
    with any_own_demo_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM activity WHERE id = (SELECT MIN(id) FROM activity)"))
        conn.execute(sa.text("INSERT INTO dataset_info (key, value) VALUES ('h5', 'x')"))
    changed = table_counts(any_own_demo_engine)
    assert changed["activity"] == before["activity"] - 1 and changed["dataset_info"] == before["dataset_info"] + 1
    assert table_counts(any_demo_engine) == shared  # the shared database did not see any of it


def test_a_fresh_database_is_empty_and_at_head_then_written(any_engine):
    _assert_fresh(any_engine)
    with any_engine.begin() as conn:  # leave rows, an advanced sequence and a changed counter behind
        conn.execute(sa.text("INSERT INTO township (code, name, kind, sort_order, boundary_is_schematic) "
                             "VALUES ('A', '甲镇', 'town', 0, :t), ('B', '乙乡', 'township', 1, :t)"), {"t": True})
        conn.execute(sa.text("UPDATE township SET name = '甲镇2' WHERE code = 'A'"))


def test_the_next_test_gets_it_empty_again(any_engine):
    _assert_fresh(any_engine)
    with any_engine.begin() as conn:  # ids start again at 1
        conn.execute(sa.text("INSERT INTO township (code, name, kind, sort_order, boundary_is_schematic) "
                             "VALUES ('C', '丙镇', 'town', 0, :t)"), {"t": True})
        assert conn.execute(sa.text("SELECT id FROM township")).scalar_one() == 1
        # and change the schema: the next test must not see it
        conn.execute(sa.text("ALTER TABLE township ADD COLUMN h5_extra INTEGER"))


def test_a_changed_schema_is_not_handed_on(any_engine):
    _assert_fresh(any_engine)
    with any_engine.connect() as conn:
        assert "h5_extra" not in {c["name"] for c in sa.inspect(conn).get_columns("township")}


def _assert_fresh(engine) -> None:
    assert current_revision(engine) == head_revision()
    counts = table_counts(engine)
    assert set(SQLModel.metadata.tables) <= set(counts)
    assert {t: n for t, n in counts.items() if t not in ("alembic_version", "data_version") and n} == {
        "dataset_info": 2}  # the data_version and ledger_version rows the migrations write
    assert counts["data_version"] == "0"
