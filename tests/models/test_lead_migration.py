"""Migration 0016 (founding lead stages) on a database that has leads: each lead gets its stage
history, nothing else is lost, and it goes down and up again — SQLite (batch rebuilds) and PostgreSQL."""

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
def at_0015(request, tmp_path) -> Iterator[Engine]:
    """A database at 0015 with a township, a union unit, an enterprise and three leads (open,
    founded, dropped)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
    upgrade(engine, "0015")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO township (id, code, name, kind, sort_order, boundary_is_schematic) "
                             "VALUES (1, 'YB', '越北镇', 'town', 1, true)"))
        conn.execute(sa.text("INSERT INTO unit (id, code, name, kind, township_id) VALUES (1, 'YB_GH', '越北镇工会', 'union', 1)"))
        conn.execute(sa.text(
            "INSERT INTO founding_lead (id, enterprise_id, enterprise_name, township_id, source, stage, identified_on, "
            "notice_deadline, closed_on, owner_unit_id, note) VALUES "
            "(1, NULL, '甲公司', 1, 'pre_notice', 'contacted', '2026-01-05', NULL, NULL, 1, NULL), "
            "(2, NULL, '乙公司', 1, 'investment', 'founded', '2025-03-01', NULL, '2025-09-10', 1, '备注'), "
            "(3, NULL, '丙公司', 1, 'notice_left', 'dropped', '2025-05-01', '2025-06-01', '2025-05-01', 1, NULL)"))
    yield engine
    engine.dispose()


def stages(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT lead_id, stage, start_on, end_on FROM founding_lead_stage ORDER BY lead_id, start_on, id"))]


def as_date(value) -> dt.date | None:
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_0016_gives_every_lead_its_stage_history_and_goes_down_and_up(at_0015):
    upgrade(at_0015)
    got = [(lead, stage, as_date(a), as_date(b)) for lead, stage, a, b in stages(at_0015)]
    assert got == [
        (1, "contacted", D(2026, 1, 5), None),  # open: its stage from the day it was found
        (2, "identified", D(2025, 3, 1), D(2025, 9, 10)),  # closed: found, then founded on the closing day
        (2, "founded", D(2025, 9, 10), None),
        (3, "dropped", D(2025, 5, 1), None),  # closed the day it was found: one row
    ]
    with at_0015.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, stage_on, version, note FROM founding_lead ORDER BY id")).all()
    assert [(r.id, as_date(r.stage_on), r.version, r.note) for r in rows] == [
        (1, D(2026, 1, 5), 1, None), (2, D(2025, 9, 10), 1, "备注"), (3, D(2025, 5, 1), 1, None)]
    command.downgrade(alembic_config(at_0015), "0015")
    with at_0015.connect() as conn:
        assert "founding_lead_stage" not in sa.inspect(conn).get_table_names()
        assert conn.execute(sa.text("SELECT count(*) FROM founding_lead")).scalar_one() == 3
        assert "stage_on" not in {c["name"] for c in sa.inspect(conn).get_columns("founding_lead")}
    upgrade(at_0015)
    assert len(stages(at_0015)) == 4


def test_0018_keeps_the_days_to_the_union_on_founded_leads_and_goes_down_and_up(at_0015):
    upgrade(at_0015, "0018")
    with at_0015.connect() as conn:
        days = dict(conn.execute(sa.text("SELECT id, days_to_union FROM founding_lead ORDER BY id")).all())
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("founding_lead")}
    assert days == {1: None, 2: 193, 3: None}  # 2025-03-01 → 2025-09-10; open and dropped leads: none
    assert {"ix_founding_lead_days_township", "ix_founding_lead_days_source", "ix_founding_lead_days",
            "ix_founding_lead_open", "ix_founding_lead_overdue"} <= indexes
    command.downgrade(alembic_config(at_0015), "0017")
    with at_0015.connect() as conn:
        assert "days_to_union" not in {c["name"] for c in sa.inspect(conn).get_columns("founding_lead")}
        assert conn.execute(sa.text("SELECT count(*) FROM founding_lead")).scalar_one() == 3
    assert len(stages(at_0015)) == 4  # no rebuild of founding_lead: its stage rows did not cascade away
    upgrade(at_0015, "0018")
    with at_0015.connect() as conn:
        assert conn.execute(sa.text("SELECT days_to_union FROM founding_lead WHERE id = 2")).scalar_one() == 193
