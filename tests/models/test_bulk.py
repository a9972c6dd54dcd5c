"""``models.bulk`` (the scale generator's and the summary rebuild's writer) on SQLite and PostgreSQL:
the values land in the columns named, in the order named (not the table's), dates as the database
stores them, NULLs as NULL, inside the caller's transaction; and ``models.summary._read`` reads
integer days back exactly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from models import bulk, summary

META = sa.MetaData()
#: a table of the test's own (no foreign keys): the columns in an order the rows do not follow
ROWS = sa.Table("bulk_rows", META, sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.String(20)),
                sa.Column("n", sa.BigInteger), sa.Column("valid_from", sa.Date, nullable=False),
                sa.Column("valid_to", sa.Date))


@pytest.fixture
def rows_table(any_engine):
    META.create_all(any_engine)
    yield any_engine
    META.drop_all(any_engine)


def test_rows_land_in_the_columns_named_in_the_order_named(rows_table):
    engine = rows_table
    frame = pd.DataFrame({"_to": [bulk.NO_DAY, 19000], "label": ["无工会", None], "n": [3, 2**40], "_from": [0, 18000],
                          "id": [7, 8]})
    with engine.begin() as conn:
        text = bulk.dates_as_text(conn)
        columns = ["valid_to", "label", "n", "valid_from", "id"]
        rows = list(bulk.frame_rows(frame, columns, {"valid_to": "_to", "valid_from": "_from"}, text))
        assert rows[0][0] is None and rows[1][0] == ("2022-01-08" if text else dt.date(2022, 1, 8))
        assert all(type(v) in (int, str, dt.date, type(None)) for row in rows for v in row)  # no numpy scalars
        done = bulk.write_rows(conn, ROWS, columns, iter(rows), batch_size=1)
    with engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(sa.select(ROWS).order_by(ROWS.c.id))]
    assert done == 2
    assert got == [(7, "无工会", 3, dt.date(1970, 1, 1), None), (8, None, 2**40, dt.date(2019, 4, 14), dt.date(2022, 1, 8))]


def test_a_failed_batch_leaves_nothing(rows_table):
    engine = rows_table
    day = "2020-01-01" if engine.dialect.name == "sqlite" else dt.date(2020, 1, 1)
    with pytest.raises(sa.exc.DBAPIError):
        with engine.begin() as conn:
            bulk.write_rows(conn, ROWS, ["id", "valid_from"], [(1, day), (2, day)])
            bulk.write_rows(conn, ROWS, ["id", "valid_from"], [(3, day), (1, day)])  # id 1 again
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ROWS)).scalar_one() == 0


def test_dates_read_as_days_are_the_dates(rows_table):
    engine = rows_table
    days = [bulk.NO_DAY, 0, 11688, 20788, -7397]  # none, 1970-01-01, 2002-01-01, 2026-12-01, 1949-10-01
    with engine.begin() as conn:
        values = bulk.day_values(np.array(days), bulk.dates_as_text(conn))
        bulk.write_rows(conn, ROWS, ["id", "valid_from", "valid_to"],
                        [(k, values[2], v) for k, v in enumerate(values)])
        frame = summary._read(conn, sa.select(ROWS.c.id, summary._day_sql(conn, ROWS.c.valid_to)).order_by(ROWS.c.id),
                              ints=True)
    assert list(frame.columns) == ["id", "valid_to"] and frame["valid_to"].tolist() == days
    assert frame["valid_to"].dtype == "int64"
    assert values[1:] == (["1970-01-01", "2002-01-01", "2026-12-01", "1949-10-01"] if engine.dialect.name == "sqlite"
                          else [dt.date(1970, 1, 1), dt.date(2002, 1, 1), dt.date(2026, 12, 1), dt.date(1949, 10, 1)])


def test_a_null_where_ints_were_promised_is_read_all_the_same(rows_table):
    engine = rows_table
    with engine.begin() as conn:
        day = bulk.day_values(np.array([5]), bulk.dates_as_text(conn))[0]
        bulk.write_rows(conn, ROWS, ["id", "n", "valid_from"], [(1, None, day), (2, 4, day)])
        frame = summary._read(conn, sa.select(ROWS.c.id, ROWS.c.n).order_by(ROWS.c.id), ints=True)
    assert frame["id"].tolist() == [1, 2] and pd.isna(frame["n"][0]) and frame["n"][1] == 4


def test_a_rebuild_that_fails_after_dropping_the_indexes_keeps_rows_and_indexes(any_own_demo_engine, monkeypatch):
    """A full rebuild writes the rows without the indexes and builds them after the rows are in, all in
    one transaction (SQLite: the live tables' indexes dropped; PostgreSQL: new tables swapped in at the
    end): a failure in between leaves the old rows and every index (on SQLite too, where Python's
    sqlite3 opens its transaction only at the first DELETE or INSERT), and no new table."""
    from models.tables import coverage_delta, coverage_month, enterprise_state

    engine = any_own_demo_engine
    tables = (coverage_delta, coverage_month, enterprise_state)

    def state():
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            return ({t.name: sorted(ix["name"] for ix in inspector.get_indexes(t.name)) for t in tables},
                    {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in tables},
                    sorted(inspector.get_table_names()))

    before = state()
    assert before[0]["enterprise_state"] and all(before[1].values())  # the control: indexes and rows there
    real_write, real_copy = summary._write, bulk.copy_arrays
    written = []

    def failing_write(conn, table, *args, **kwargs):
        real_write(conn, table, *args, **kwargs)
        written.append(table.name)
        if table is enterprise_state:  # every row written, the indexes not yet built again
            raise RuntimeError("the disk is full")

    def failing_copy(conn, table, *args, **kwargs):
        real_copy(conn, table, *args, **kwargs)
        written.append(table)
        if table.startswith("enterprise_state"):  # the new table's rows written, no index yet
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(summary, "_write", failing_write)
    monkeypatch.setattr(bulk, "copy_arrays", failing_copy)
    with pytest.raises(RuntimeError):
        summary.rebuild_summaries(engine)
    # the failure came after enterprise_state's rows were written (on PostgreSQL in its builder's thread,
    # while the other one may have gone on with coverage_month)
    assert ("enterprise_state" if engine.dialect.name == "sqlite" else "enterprise_state__new") in written
    assert state() == before


def test_dates_before_1970_count_in_the_summaries(any_engine):
    """The ledger takes dates from 1949: an enterprise registered and a union founded before 1970 are
    counted by the summaries as by the exact SQL (a negative day once meant "no date": the rebuild
    failed on the union and dropped the enterprise)."""
    from dashboard.queries import coverage
    from dashboard.queries.scope import Scope
    from tests.factories import world

    D = dt.date
    with world(any_engine) as w:
        w.add_township("A")
        w.add_enterprise("old", "A", members=5, registered=D(1958, 3, 1), union=D(1965, 5, 1))
        w.add_enterprise("new", "A", members=2, registered=D(1999, 1, 1), union=D(2002, 6, 1))
        w.add_enterprise("gone", "A", registered=D(1955, 1, 1), closed=D(1969, 12, 31))
    summary.rebuild_summaries(any_engine, today=D(2026, 12, 1))
    from sqlmodel import Session

    with Session(any_engine) as s:
        for day in (D(1960, 1, 1), D(1966, 1, 1), D(1969, 12, 30), D(2002, 12, 31), D(2026, 11, 30)):
            fast = coverage.coverage_by_township_summary(s, Scope.district(), day)
            exact = coverage.coverage_by_township_exact(s, Scope.district(), day)
            assert fast.equals(exact), (day, fast, exact)
        late = coverage.coverage_by_township_summary(s, Scope.district(), D(2026, 11, 30)).iloc[0]
    assert (late["operating"], late["unionised"]) == (2, 2)  # the control: both living enterprises counted
