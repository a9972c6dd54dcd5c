"""Migration 0020 (双爱双评 rounds) on a database that has awards: each year becomes a published
round, its rows awarded nominations of the enterprise's township with quotas of what was awarded;
it refuses to go down while a nomination that was not awarded would be lost, goes down once there is
none, and up again — SQLite (batch rebuilds) and PostgreSQL. Migration 0023 (the days of each stage,
the evaluation's remark) on a database at 0022 with rounds in every status, down and up again."""

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
    # going down would lose that nomination: refused with the count, nothing changed
    with pytest.raises(RuntimeError, match="1 double-love nominations that were not awarded"):
        command.downgrade(alembic_config(at_0019), "0019")
    with at_0019.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0020"
        assert conn.execute(sa.text("SELECT count(*) FROM double_love_award")).scalar_one() == 4
    with at_0019.begin() as conn:  # once the operator has dealt with it, the downgrade runs
        conn.execute(sa.text("DELETE FROM double_love_award WHERE stage <> 'awarded'"))
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


# --------------------------------------------------------------------------- 0023: each stage's day


@pytest.fixture
def at_0022(at_0019) -> Engine:
    """At 0022: the 2003 and 2004 awards as 0020 made them, a 2005 round in its evaluation (passed and
    rejected on their evaluation days, one withdrawn, the rejected one's remark written over its
    citation as 0020's edits did), and a 2006 round taking nominations."""
    upgrade(at_0019, "0022")
    with at_0019.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO award_round (id, year, title, opened_on, nominate_by, evaluate_by, status) VALUES "
            "(10, 2005, '2005', '2005-09-01', '2005-10-31', '2005-11-30', 'evaluating'), "
            "(11, 2006, '2006', '2006-09-01', '2006-10-31', '2006-11-30', 'nominating')"))
        conn.execute(sa.text(
            "INSERT INTO double_love_award (id, enterprise_id, year, category, person_name, round_id, township_id, "
            "stage, nominated_on, stage_on, note) VALUES "
            "(4, 1, 2005, 'worker', '钱进', 10, 1, 'passed', '2005-09-10', '2005-11-03', '技术革新'), "
            "(5, 2, 2005, 'worker', '孙丽', 10, 2, 'rejected', '2005-09-12', '2005-11-08', '材料不足'), "
            "(6, 2, 2005, 'manager', '周全', 10, 2, 'withdrawn', '2005-09-12', '2005-10-01', NULL), "
            "(7, 1, 2006, 'worker', '吴敏', 11, 1, 'nominated', '2006-09-05', '2006-09-05', '带徒')"))
    return at_0019


def test_0023_keeps_each_stages_day_and_goes_down_and_up(at_0022):
    upgrade(at_0022, "0023")
    with at_0022.connect() as conn:
        rounds = {r.year: (as_date(r.closed_on), as_date(r.awarded_on), r.status) for r in conn.execute(sa.text(
            "SELECT year, closed_on, awarded_on, status FROM award_round"))}
        noms = {r.id: (r.stage, as_date(r.evaluated_on), as_date(r.stage_on), r.note, r.remark) for r in conn.execute(
            sa.text("SELECT id, stage, evaluated_on, stage_on, note, remark FROM double_love_award"))}
    # closed: the day after the deadline, or the first evaluation / the publication when earlier
    assert rounds == {2003: (D(2003, 11, 1), D(2003, 12, 1), "awarded"), 2004: (D(2004, 11, 1), D(2004, 12, 1), "awarded"),
                      2005: (D(2005, 11, 1), None, "evaluating"), 2006: (None, None, "nominating")}
    assert noms == {
        1: ("awarded", D(2003, 12, 1), D(2003, 12, 1), None, None), 2: ("awarded", D(2003, 12, 1), D(2003, 12, 1), None, None),
        3: ("awarded", D(2004, 12, 1), D(2004, 12, 1), None, None),
        4: ("passed", D(2005, 11, 3), D(2005, 11, 3), "技术革新", None),
        5: ("rejected", D(2005, 11, 8), D(2005, 11, 8), "材料不足", None),
        6: ("withdrawn", None, D(2005, 10, 1), None, None), 7: ("nominated", None, D(2006, 9, 5), "带徒", None)}
    # the checks hold: a status without its day, an evaluated stage without its day, a day out of order
    for bad in ("UPDATE award_round SET status = 'evaluating' WHERE year = 2006",
                "UPDATE award_round SET closed_on = NULL WHERE year = 2005",
                "UPDATE award_round SET closed_on = '2005-08-01' WHERE year = 2005",
                "UPDATE award_round SET awarded_on = '2005-10-01', status = 'awarded' WHERE year = 2005",
                "UPDATE double_love_award SET evaluated_on = NULL WHERE id = 4",
                "UPDATE double_love_award SET evaluated_on = '2005-09-01' WHERE id = 4",
                "UPDATE double_love_award SET evaluated_on = '2005-11-20' WHERE id = 4",
                "UPDATE double_love_award SET evaluated_on = '2006-09-06' WHERE id = 7"):
        with pytest.raises(sa.exc.IntegrityError), at_0022.begin() as conn:
            conn.execute(sa.text(bad))
    with at_0022.begin() as conn:  # the round published later, with a remark apart from the citation
        conn.execute(sa.text("UPDATE double_love_award SET remark = '事迹突出' WHERE id = 4"))
        conn.execute(sa.text("UPDATE double_love_award SET remark = '与条件不符' WHERE id = 5"))
        conn.execute(sa.text("UPDATE award_round SET status = 'awarded', awarded_on = '2005-12-05' WHERE year = 2005"))
        conn.execute(sa.text("UPDATE double_love_award SET stage = 'awarded', stage_on = '2005-12-05' WHERE id = 4"))
    command.downgrade(alembic_config(at_0022), "0022")
    with at_0022.connect() as conn:
        assert "closed_on" not in {c["name"] for c in sa.inspect(conn).get_columns("award_round")}
        assert not {"evaluated_on", "remark"} & {c["name"] for c in sa.inspect(conn).get_columns("double_love_award")}
        kept = {r.id: (r.stage, as_date(r.stage_on), r.note) for r in conn.execute(sa.text(
            "SELECT id, stage, stage_on, note FROM double_love_award"))}
    assert len(kept) == 7  # every row stays; the remarks in the one column 0022 had for them
    assert kept[4] == ("awarded", D(2005, 12, 5), "技术革新 评审意见：事迹突出")
    assert kept[5] == ("rejected", D(2005, 11, 8), "材料不足 评审意见：与条件不符")
    assert kept[7] == ("nominated", D(2006, 9, 5), "带徒")
    upgrade(at_0022, "0023")
    with at_0022.connect() as conn:
        assert as_date(conn.execute(sa.text("SELECT closed_on FROM award_round WHERE year = 2005")).scalar_one()) == \
            D(2005, 11, 1)
        assert conn.execute(sa.text("SELECT count(*) FROM double_love_award WHERE evaluated_on IS NOT NULL")
                            ).scalar_one() == 5


def test_0023_closes_a_round_on_its_first_evaluation_when_that_came_before_the_deadline(at_0022):
    with at_0022.begin() as conn:  # closed early: evaluated on 25 October, before the 31 October deadline
        conn.execute(sa.text("UPDATE double_love_award SET stage_on = '2005-10-25' WHERE id = 4"))
    upgrade(at_0022, "0023")
    with at_0022.connect() as conn:
        assert as_date(conn.execute(sa.text("SELECT closed_on FROM award_round WHERE year = 2005")).scalar_one()) == \
            D(2005, 10, 25)


def test_going_down_from_head_past_0020_refuses_with_every_nomination_kept(at_0022):
    """From head, a downgrade to 0019 over nominations that were not awarded stops at 0020's step with
    the message; every nomination is still there and the database is at a revision whose schema it has
    (PostgreSQL: the whole downgrade rolled back; SQLite, whose DDL is not transactional in Alembic:
    the steps after 0020 undone, at 0020)."""
    from models.db import current_revision, head_revision

    upgrade(at_0022)
    with pytest.raises(RuntimeError, match="would lose 4 double-love nominations"):
        command.downgrade(alembic_config(at_0022), "0019")
    revision = current_revision(at_0022)
    assert revision == ("0020" if at_0022.dialect.name == "sqlite" else head_revision())
    with at_0022.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM double_love_award")).scalar_one() == 7
        assert ("closed_on" in {c["name"] for c in sa.inspect(conn).get_columns("award_round")}) == (revision != "0020")
    upgrade(at_0022)  # and back up to head from wherever it stopped
    with at_0022.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM double_love_award WHERE evaluated_on IS NOT NULL")
                            ).scalar_one() == 5
