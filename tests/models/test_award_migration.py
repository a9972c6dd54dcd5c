"""Migration 0020 (双爱双评 rounds) on a database that has awards: each year becomes a published
round, its rows awarded nominations of the enterprise's township with quotas of what was awarded;
it goes down (the nominations not awarded go) and up again — SQLite (batch rebuilds) and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from models.db import alembic_config, make_engine, upgrade

D = dt.date


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0019(request, tmp_path) -> Iterator[Engine]:
    """A database at 0019: two townships, an enterprise in each, three awards of 2003 and 2004."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
    upgrade(engine, "0019")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO township (id, code, name, kind, sort_order, boundary_is_schematic) VALUES "
                             "(1, 'YB', '越北镇', 'town', 1, true), (2, 'QL', '青岚街道', 'subdistrict', 2, true)"))
        conn.execute(sa.text(
            "INSERT INTO enterprise (id, uscc, name, township_id, is_village, ownership, industry, employees, "
            "party_members, registered_on, owner_is_party_member) VALUES "
            "(1, '91220201000000001X', '甲公司', 1, false, 'private', '制造', 50, 1, '2000-01-01', false), "
            "(2, '912202010000000028', '乙公司', 2, false, 'private', '制造', 80, 3, '2000-01-01', false)"))
        conn.execute(sa.text(
            "INSERT INTO double_love_award (id, enterprise_id, year, category, person_name) VALUES "
            "(1, 1, 2003, 'worker', '李明'), (2, 2, 2003, 'manager', '赵刚'), (3, 1, 2004, 'worker', '王芳')"))
    yield engine
    engine.dispose()


def as_date(value) -> dt.date | None:
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_0020_makes_each_year_a_published_round_and_goes_down_and_up(at_0019):
    upgrade(at_0019, "0020")
    with at_0019.connect() as conn:
        rounds = conn.execute(sa.text("SELECT id, year, status, opened_on, nominate_by, evaluate_by, awarded_on, "
                                      "version FROM award_round ORDER BY year")).all()
        awards = conn.execute(sa.text("SELECT id, round_id, township_id, stage, nominated_on, stage_on, version "
                                      "FROM double_love_award ORDER BY id")).all()
        quotas = conn.execute(sa.text("SELECT round_id, township_id, category, quota FROM award_quota "
                                      "ORDER BY round_id, township_id")).all()
    assert [(r.year, r.status, as_date(r.opened_on), as_date(r.nominate_by), as_date(r.evaluate_by),
             as_date(r.awarded_on), r.version) for r in rounds] == [
        (2003, "awarded", D(2003, 9, 1), D(2003, 10, 31), D(2003, 11, 30), D(2003, 12, 1), 1),
        (2004, "awarded", D(2004, 9, 1), D(2004, 10, 31), D(2004, 11, 30), D(2004, 12, 1), 1)]
    r03, r04 = rounds[0].id, rounds[1].id
    assert [(a.id, a.round_id, a.township_id, a.stage, as_date(a.nominated_on), as_date(a.stage_on), a.version)
            for a in awards] == [
        (1, r03, 1, "awarded", D(2003, 9, 1), D(2003, 12, 1), 1),
        (2, r03, 2, "awarded", D(2003, 9, 1), D(2003, 12, 1), 1),
        (3, r04, 1, "awarded", D(2004, 9, 1), D(2004, 12, 1), 1)]
    assert [tuple(q) for q in quotas] == [(r03, 1, "worker", 1), (r03, 2, "manager", 1), (r04, 1, "worker", 1)]
    # the constraints hold after the rebuild: a stage outside the list, a missing round are refused
    for bad in ("UPDATE double_love_award SET stage = 'won' WHERE id = 1",
                "UPDATE double_love_award SET round_id = NULL WHERE id = 1"):
        with pytest.raises(sa.exc.IntegrityError), at_0019.begin() as conn:
            conn.execute(sa.text(bad))
    with at_0019.begin() as conn:  # a nomination that was not awarded: 0019 cannot hold it
        conn.execute(sa.text("INSERT INTO award_round (year, title, opened_on, nominate_by, evaluate_by, status) "
                             "VALUES (2005, '2005', '2005-09-01', '2005-10-31', '2005-11-30', 'nominating')"))
        conn.execute(sa.text(
            "INSERT INTO double_love_award (id, enterprise_id, year, category, person_name, round_id, township_id, stage, "
            "nominated_on, stage_on) SELECT 4, 2, 2005, 'worker', '钱进', id, 2, 'nominated', '2005-09-10', '2005-09-10' "
            "FROM award_round WHERE year = 2005"))
    command.downgrade(alembic_config(at_0019), "0019")
    with at_0019.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        assert "award_round" not in names and "award_quota" not in names
        assert {c["name"] for c in sa.inspect(conn).get_columns("double_love_award")} == {
            "id", "enterprise_id", "year", "category", "person_name"}
        assert [tuple(r) for r in conn.execute(sa.text(
            "SELECT id, enterprise_id, year, category, person_name FROM double_love_award ORDER BY id"))] == [
            (1, 1, 2003, "worker", "李明"), (2, 2, 2003, "manager", "赵刚"), (3, 1, 2004, "worker", "王芳")]
    upgrade(at_0019, "0020")
    with at_0019.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM award_round")).scalar_one() == 2
        assert conn.execute(sa.text("SELECT count(*) FROM double_love_award WHERE stage = 'awarded'")).scalar_one() == 3
