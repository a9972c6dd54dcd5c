"""Migration 0019 (荐优纳新推评制 per person) on a database with recommendations at each old stage:
the rows keep their stage and date in the new model, the schema matches the models, and it goes down
(each row back at its old stage) and up again — SQLite (batch rebuilds) and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from models.db import alembic_config, make_engine, upgrade

D = dt.date


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0018(request, tmp_path) -> Iterator[Engine]:
    """A database at 0018 with a township, an enterprise and one recommendation per old stage."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
    upgrade(engine, "0018")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO township (id, code, name, kind, sort_order, boundary_is_schematic) "
                             "VALUES (1, 'YB', '越北镇', 'town', 1, true)"))
        conn.execute(sa.text(
            "INSERT INTO enterprise (id, uscc, name, township_id, is_village, ownership, industry, employees, "
            "party_members, registered_on, owner_is_party_member) VALUES (1, '91220201MA00000001', '甲公司', 1, false, "
            "'private', '制造业', 50, 3, '2000-01-01', false)"))
        conn.execute(sa.text(
            "INSERT INTO activist_recommendation (id, enterprise_id, person_name, recommended_on, stage, stage_on) VALUES "
            "(1, 1, '张一', '2010-03-01', 'recommended', '2010-03-01'), "
            "(2, 1, '张二', '2010-03-01', 'evaluated', '2010-04-15'), "
            "(3, 1, '张三', '2010-03-01', 'activist', '2010-06-01'), "
            "(4, 1, '张四', '2010-03-01', 'probationary', '2011-07-01'), "
            "(5, 1, '张五', '2010-03-01', 'member', '2012-07-01')"))
    yield engine
    engine.dispose()


COLUMNS = "id, stage, stage_on, activist_on, candidate_on, evaluated_on, evaluation, probationary_on, member_on, version"


def _d(value):
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def rows(engine: Engine, columns: str = COLUMNS) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(_d(v) if isinstance(v, (str, dt.date)) and k > 1 and k != 6 else v for k, v in enumerate(r))
                for r in conn.execute(sa.text(f"SELECT {columns} FROM activist_recommendation ORDER BY id"))]


def mine(diff) -> list:
    """The schema differences that concern this migration's tables."""
    return [d for d in diff if "activist_recommendation" in repr(d) or "party_admission" in repr(d)]


def test_0019_maps_the_old_stages_and_goes_down_and_up(at_0018):
    upgrade(at_0018, "0019")
    assert rows(at_0018) == [
        (1, "recommended", D(2010, 3, 1), None, None, None, None, None, None, 1),
        # evaluated: still before the activist stage, with a passed evaluation on its old stage date
        (2, "recommended", D(2010, 3, 1), None, None, D(2010, 4, 15), "passed", None, None, 1),
        (3, "activist", D(2010, 6, 1), D(2010, 6, 1), None, None, None, None, None, 1),
        (4, "probationary", D(2011, 7, 1), None, None, None, None, D(2011, 7, 1), None, 1),  # earlier dates unknown
        (5, "member", D(2012, 7, 1), None, None, None, None, None, D(2012, 7, 1), 1),
    ]
    with at_0018.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
        assert mine(diff) == [], mine(diff)
    with at_0018.begin() as conn:  # the new CHECKs hold
        conn.execute(sa.text("UPDATE activist_recommendation SET stage = 'candidate', candidate_on = '2010-09-01', "
                             "stage_on = '2010-09-01' WHERE id = 3"))
        conn.execute(sa.text("INSERT INTO party_admission (enterprise_id, year, admitted) VALUES (1, 2011, 2)"))
    for bad in ("UPDATE activist_recommendation SET stage = 'evaluated' WHERE id = 1",
                "UPDATE activist_recommendation SET candidate_on = '2010-01-01' WHERE id = 3",
                "UPDATE activist_recommendation SET evaluation = NULL WHERE id = 2",
                "INSERT INTO party_admission (enterprise_id, year, admitted) VALUES (1, 2011, 1)"):
        with pytest.raises(sa.exc.IntegrityError), at_0018.begin() as conn:
            conn.execute(sa.text(bad))
    command.downgrade(alembic_config(at_0018), "0018")
    with at_0018.connect() as conn:
        assert "party_admission" not in sa.inspect(conn).get_table_names()
        assert "candidate_on" not in {c["name"] for c in sa.inspect(conn).get_columns("activist_recommendation")}
    assert rows(at_0018, "id, stage, stage_on") == [
        (1, "recommended", D(2010, 3, 1)), (2, "evaluated", D(2010, 4, 15)),
        (3, "activist", D(2010, 6, 1)),  # a development candidate is an activist of the old model, since then
        (4, "probationary", D(2011, 7, 1)), (5, "member", D(2012, 7, 1))]
    with pytest.raises(sa.exc.IntegrityError), at_0018.begin() as conn:  # the old CHECK is back
        conn.execute(sa.text("UPDATE activist_recommendation SET stage = 'candidate' WHERE id = 1"))
    upgrade(at_0018, "0019")
    assert [r[:3] for r in rows(at_0018)][1] == (2, "recommended", D(2010, 3, 1))
