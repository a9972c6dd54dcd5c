"""双爱双评: every stage keeps its own date (review of issue 16 item 2) — ``award_round.closed_on``
(the day the nominations were closed: the round is 评审中 from then), ``double_love_award.evaluated_on``
(the day of the evaluation's result, kept when the awards are published: ``stage_on`` of an awarded
row is the publication day) and ``double_love_award.remark`` (the evaluation's remark, apart from the
nomination's 主要事迹 in ``note``), with checks that tie a round's status to its dates and a
nomination's stage to its evaluation date.

The existing rows: a round past its nominations is given ``closed_on`` = the day after its
nominations' deadline, or its first evaluation (or its publication, or the migration's day) when that
came earlier, never before its opening; an evaluated nomination (通过 / 未通过) its ``stage_on``; an
awarded one its ``stage_on`` too — the publication day, the latest its evaluation can have been (the
older rows did not keep the day of the evaluation). A remark the evaluation wrote over ``note`` before
this revision stays in ``note``.

Downgrade: every row stays; the remark is appended to ``note`` (``评审意见：…``, as 0022 held it in
the one column); ``closed_on`` and ``evaluated_on`` go (0022 has no column for them: a round's
status and an awarded row's publication day carry what 0022 knew).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""
import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: Union[str, None] = "0022"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# copies of the stored values (models.enums at 0023): a migration never imports the app
EVALUATED = ("passed", "rejected", "awarded")
NOT_EVALUATED = ("nominated", "withdrawn")
REMARK_LABEL = "评审意见："
#: a round's progress as of a day reads the evaluation's day too: the index keeps covering it
PROGRESS_INDEX = "ix_double_love_award_progress"
PROGRESS_0020 = ["round_id", "township_id", "category", "stage", "stage_on", "nominated_on"]
PROGRESS_0023 = [*PROGRESS_0020, "evaluated_on"]


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


#: the round's checks, ``{n}`` the row's prefix (none in a CHECK; ``NEW.`` in SQLite's triggers)
ROUND_CHECKS = {
    "ck_award_round_closed": "{n}closed_on IS NULL OR {n}closed_on >= {n}opened_on",
    "ck_award_round_published": "{n}awarded_on IS NULL OR ({n}closed_on IS NOT NULL AND {n}awarded_on >= {n}closed_on)",
    "ck_award_round_status": "({n}status = 'nominating' AND {n}closed_on IS NULL AND {n}awarded_on IS NULL) OR "
                             "({n}status = 'evaluating' AND {n}closed_on IS NOT NULL AND {n}awarded_on IS NULL) OR "
                             "({n}status = 'awarded' AND {n}closed_on IS NOT NULL AND {n}awarded_on IS NOT NULL)",
}


def _round_checks_sqlite() -> None:
    """SQLite cannot add a CHECK to a table without rebuilding it, and a rebuild of ``award_round``
    drops the table the quotas' and nominations' foreign keys point at (0011 avoids the same): the
    checks are triggers there, refusing a row as a CHECK would (SQLITE_CONSTRAINT, named)."""
    for name, condition in ROUND_CHECKS.items():
        for event in ("INSERT", "UPDATE"):
            op.execute(f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON award_round "
                       f"WHEN NOT ({condition.format(n='NEW.')}) "
                       f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END")
NOMINATION_CHECKS = {
    "ck_double_love_award_evaluated": f"(stage IN ({_in(NOT_EVALUATED)}) AND evaluated_on IS NULL) OR "
                                      f"(stage IN ({_in(EVALUATED)}) AND evaluated_on IS NOT NULL "
                                      "AND evaluated_on >= nominated_on AND stage_on >= evaluated_on)",
}


def _day(value):
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    op.add_column("award_round", sa.Column("closed_on", sa.Date(), nullable=True))  # native on both: no rebuild
    with op.batch_alter_table("double_love_award") as batch:
        batch.add_column(sa.Column("evaluated_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("remark", sa.Text(), nullable=True))

    conn = op.get_bind()
    rounds = sa.table("award_round", *(sa.column(c) for c in ("id", "opened_on", "nominate_by", "awarded_on",
                                                              "status", "closed_on")))
    noms = sa.table("double_love_award", *(sa.column(c) for c in ("round_id", "stage", "stage_on", "evaluated_on")))
    op.execute(f"UPDATE double_love_award SET evaluated_on = stage_on WHERE stage IN ({_in(EVALUATED)})")
    first_eval = dict(conn.execute(sa.select(noms.c.round_id, sa.func.min(noms.c.evaluated_on))
                                   .where(noms.c.evaluated_on.is_not(None)).group_by(noms.c.round_id)).all())
    today = dt.date.today()
    for rid, opened, nominate_by, awarded_on, status in conn.execute(sa.select(
            rounds.c.id, rounds.c.opened_on, rounds.c.nominate_by, rounds.c.awarded_on, rounds.c.status)).all():
        if status == "nominating":
            continue
        opened, nominate_by, awarded_on = _day(opened), _day(nominate_by), _day(awarded_on)
        candidates = [nominate_by + dt.timedelta(days=1), today]
        candidates += [d for d in (_day(first_eval.get(rid)), awarded_on) if d is not None]
        closed = max(opened, min(candidates))
        values = {"closed_on": closed}
        if status == "awarded" and awarded_on is None:  # 0020 allowed it; the check below does not
            values["awarded_on"] = max(closed, nominate_by)
        conn.execute(rounds.update().where(rounds.c.id == rid).values(**values))

    if conn.dialect.name == "sqlite":
        _round_checks_sqlite()
    else:
        for name, condition in ROUND_CHECKS.items():
            op.create_check_constraint(name, "award_round", condition.format(n=""))
    with op.batch_alter_table("double_love_award") as batch:
        for name, condition in NOMINATION_CHECKS.items():
            batch.create_check_constraint(name, condition)
        batch.drop_index(PROGRESS_INDEX)
        batch.create_index(PROGRESS_INDEX, PROGRESS_0023)


def downgrade() -> None:
    with op.batch_alter_table("double_love_award") as batch:
        for name in NOMINATION_CHECKS:
            batch.drop_constraint(name, type_="check")
        batch.drop_index(PROGRESS_INDEX)
        batch.create_index(PROGRESS_INDEX, PROGRESS_0020)
    # the remark back into the one column 0022 had for it: nothing written by the evaluation is lost
    op.execute(f"UPDATE double_love_award SET note = CASE WHEN note IS NULL OR note = '' "
               f"THEN '{REMARK_LABEL}' || remark ELSE note || ' {REMARK_LABEL}' || remark END "
               "WHERE remark IS NOT NULL AND remark <> ''")
    with op.batch_alter_table("double_love_award") as batch:
        batch.drop_column("remark")
        batch.drop_column("evaluated_on")
    if op.get_bind().dialect.name == "sqlite":
        for name in ROUND_CHECKS:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER {name}_{event}")
    else:
        for name in ROUND_CHECKS:
            op.drop_constraint(name, "award_round", type_="check")
    op.execute("ALTER TABLE award_round DROP COLUMN closed_on")  # native (SQLite 3.35+): no rebuild, as 0011
