"""The database itself refuses bad rows, on SQLite and on PostgreSQL (``any_engine``).

Every refusal is checked against a good row that differs only in the bad field, and the error
message must name the constraint that fired, so a test cannot pass for the wrong reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import exc
from sqlmodel import Session, select

from models.enums import (
    ActionStatus,
    LiaisonKind,
    MeetingLevel,
    Ownership,
    PartyOrgLevel,
    TownshipKind,
    UnionKind,
    UnitKind,
)
from models.rules import make_uscc
from models.tables import (
    ActionItem,
    Decision,
    Enterprise,
    JointMeeting,
    LiaisonOfficer,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
)

D = dt.date
USCC_A = make_uscc(division="220299", serial=1)
USCC_B = make_uscc(division="220299", serial=2)


@pytest.fixture
def db(any_engine):
    """A township, a unit, an enterprise with a union and a Party branch, and a meeting decision."""
    with Session(any_engine) as s:
        township = Township(code="T1", name="越北镇", kind=TownshipKind.TOWN)
        s.add(township)
        s.flush()
        unit = Unit(code="u1", name="越北镇党委", kind=UnitKind.TOWNSHIP_PARTY, township_id=township.id)
        ent = enterprise(township.id, uscc=USCC_A)
        s.add_all([unit, ent])
        s.flush()
        union = UnionOrg(name="工会", kind=UnionKind.ENTERPRISE, township_id=township.id, enterprise_id=ent.id,
                         founded_on=D(2000, 1, 1))
        party = PartyOrg(name="支部", level=PartyOrgLevel.BRANCH, township_id=township.id, enterprise_id=ent.id,
                         founded_on=D(2001, 1, 1))
        meeting = JointMeeting(level=MeetingLevel.DISTRICT, held_on=D(2002, 5, 1), title="区级联席会议")
        s.add_all([union, party, meeting])
        s.flush()
        decision = Decision(meeting_id=meeting.id, text="推进建会")
        s.add(decision)
        s.commit()
        ids = dict(township=township.id, unit=unit.id, ent=ent.id, union=union.id, party=party.id, decision=decision.id)
    return any_engine, ids


def enterprise(township_id: int, **overrides) -> Enterprise:
    values = dict(
        uscc=USCC_B,
        name="测试企业",
        township_id=township_id,
        ownership=Ownership.PRIVATE,
        industry="制造业",
        employees=20,
        party_members=3,
        registered_on=D(2000, 1, 1),
        closed_on=None,
    )
    values.update(overrides)
    return Enterprise(**values)


def action(ids, **overrides) -> ActionItem:
    values = dict(
        decision_id=ids["decision"],
        description="建立工会",
        owner_unit_id=ids["unit"],
        township_id=ids["township"],
        created_on=D(2002, 5, 1),
        due_on=D(2002, 6, 1),
        status=ActionStatus.OPEN,
        done_on=None,
    )
    values.update(overrides)
    return ActionItem(**values)


def accepted(engine, make: Callable[[dict], object], ids) -> None:
    with Session(engine) as s:
        s.add(make(ids))
        s.commit()


def refused(engine, make: Callable[[dict], object], ids, error: type[Exception], *needles: str) -> str:
    """Insert ``make(ids)`` and expect exactly ``error`` whose message contains every needle."""
    with Session(engine) as s:
        s.add(make(ids))
        with pytest.raises(exc.SQLAlchemyError) as info:
            s.commit()
        s.rollback()
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    message = str(info.value).lower()
    for needle in needles:
        assert needle.lower() in message
    return message


def count(engine, model) -> int:
    with Session(engine) as s:
        return len(s.exec(select(model)).all())


# --------------------------------------------------------------------------- enterprise


def test_good_enterprise_is_accepted(db):
    engine, ids = db
    accepted(engine, lambda i: enterprise(i["township"]), ids)
    assert count(engine, Enterprise) == 2


def test_duplicate_uscc_is_refused(db):
    engine, ids = db
    refused(engine, lambda i: enterprise(i["township"], uscc=USCC_A, name="另一家"), ids, exc.IntegrityError, "uscc")
    assert count(engine, Enterprise) == 1


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"employees": -1, "party_members": 0}, "ck_enterprise_counts"),
        ({"party_members": -1}, "ck_enterprise_counts"),
        ({"employees": 5, "party_members": 6}, "ck_enterprise_members_le_employees"),
        ({"registered_on": D(2000, 1, 2), "closed_on": D(2000, 1, 1)}, "ck_enterprise_dates"),
    ],
)
def test_bad_enterprise_counts_and_dates_are_refused(db, overrides, constraint):
    engine, ids = db
    refused(engine, lambda i: enterprise(i["township"], **overrides), ids, exc.IntegrityError, constraint)
    assert count(engine, Enterprise) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"employees": 5, "party_members": 5},  # every employee a member: allowed
        {"employees": 0, "party_members": 0},
        {"registered_on": D(2000, 1, 1), "closed_on": D(2000, 1, 1)},  # bounds of the checks
    ],
)
def test_boundary_enterprises_are_accepted(db, overrides):
    engine, ids = db
    accepted(engine, lambda i: enterprise(i["township"], **overrides), ids)


def test_foreign_key_to_missing_township_is_refused(db):
    engine, ids = db
    refused(engine, lambda i: enterprise(i["township"] + 999), ids, exc.IntegrityError, "foreign key")
    assert count(engine, Enterprise) == 1


def test_sqlite_connections_enforce_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar_one() == 1


# --------------------------------------------------------------------------- enum columns


def _insert_enterprise_sql(conn, township_id: int, ownership: str, uscc: str = USCC_B):
    conn.execute(
        sa.text(
            "INSERT INTO enterprise (uscc, name, township_id, is_village, ownership, industry, employees,"
            " party_members, registered_on, owner_is_party_member)"
            " VALUES (:uscc, 'SQL企业', :t, :f, :own, '制造业', 10, 0, :reg, :f)"
        ),
        {"uscc": uscc, "t": township_id, "f": False, "own": ownership, "reg": D(2000, 1, 1)},
    )


def test_unknown_enum_value_written_with_sql_is_refused(db):
    engine, ids = db
    with engine.connect() as conn:
        _insert_enterprise_sql(conn, ids["township"], Ownership.FOREIGN.value)  # the good twin passes
        conn.rollback()
        with pytest.raises(exc.SQLAlchemyError) as info:
            _insert_enterprise_sql(conn, ids["township"], "state_owned")
        conn.rollback()
    assert type(info.value) is exc.IntegrityError
    assert "ck_ownership" in str(info.value)
    assert count(engine, Enterprise) == 1


def test_unknown_enum_value_on_a_status_column_is_refused(db):
    engine, ids = db
    with engine.connect() as conn:
        with pytest.raises(exc.SQLAlchemyError) as info:
            conn.execute(
                sa.text(
                    "INSERT INTO action_item (decision_id, description, owner_unit_id, created_on, due_on, status)"
                    " VALUES (:d, 'x', :u, :c, :due, 'cancelled')"
                ),
                {"d": ids["decision"], "u": ids["unit"], "c": D(2002, 5, 1), "due": D(2002, 6, 1)},
            )
        conn.rollback()
    assert type(info.value) is exc.IntegrityError
    assert "ck_actionstatus" in str(info.value)


def test_unknown_enum_value_through_the_orm_is_refused_before_sql(db):
    engine, ids = db
    # validate_strings=True: SQLAlchemy refuses the value itself (LookupError) before the database.
    with Session(engine) as s:
        s.add(enterprise(ids["township"], ownership="state_owned"))
        with pytest.raises(exc.SQLAlchemyError) as info:
            s.commit()
    assert type(info.value) is exc.StatementError
    assert isinstance(info.value.orig, LookupError)
    assert count(engine, Enterprise) == 1


# --------------------------------------------------------------------------- coverage periods


def test_coverage_periods_ending_before_they_start_are_refused(db):
    engine, ids = db
    refused(
        engine,
        lambda i: UnionCoverage(union_id=i["union"], enterprise_id=i["ent"], start_on=D(2001, 1, 2),
                                end_on=D(2001, 1, 1)),
        ids, exc.IntegrityError, "ck_union_coverage_dates",
    )
    refused(
        engine,
        lambda i: PartyCoverage(party_org_id=i["party"], enterprise_id=i["ent"], start_on=D(2001, 1, 2),
                                end_on=D(2001, 1, 1)),
        ids, exc.IntegrityError, "ck_party_coverage_dates",
    )
    refused(
        engine,
        lambda i: LiaisonOfficer(enterprise_id=i["ent"], name="张", kind=LiaisonKind.OWN, appointed_on=D(2001, 1, 2),
                                 ended_on=D(2001, 1, 1)),
        ids, exc.IntegrityError, "ck_liaison_dates",
    )
    assert count(engine, UnionCoverage) == count(engine, PartyCoverage) == count(engine, LiaisonOfficer) == 0


def test_coverage_periods_in_order_or_open_are_accepted(db):
    engine, ids = db
    accepted(engine, lambda i: UnionCoverage(union_id=i["union"], enterprise_id=i["ent"], start_on=D(2000, 1, 1),
                                             end_on=D(2001, 1, 1)), ids)
    accepted(engine, lambda i: UnionCoverage(union_id=i["union"], enterprise_id=i["ent"], start_on=D(2001, 1, 1)),
             ids)
    accepted(engine, lambda i: PartyCoverage(party_org_id=i["party"], enterprise_id=i["ent"], start_on=D(2001, 1, 1),
                                             end_on=D(2001, 1, 1)), ids)
    assert count(engine, UnionCoverage) == 2 and count(engine, PartyCoverage) == 1


def test_union_dissolved_before_founded_is_refused(db):
    engine, ids = db
    refused(
        engine,
        lambda i: UnionOrg(name="联合工会", kind=UnionKind.JOINT, township_id=i["township"], founded_on=D(2002, 1, 1),
                           dissolved_on=D(2001, 12, 31)),
        ids, exc.IntegrityError, "ck_union_dates",
    )


def test_enterprise_union_without_enterprise_is_refused(db):
    engine, ids = db
    refused(
        engine,
        lambda i: UnionOrg(name="企业工会", kind=UnionKind.ENTERPRISE, township_id=i["township"], founded_on=D(2002, 1, 1)),
        ids, exc.IntegrityError, "ck_union_enterprise_has_enterprise",
    )
    accepted(  # a joint union covers several enterprises and belongs to none
        engine,
        lambda i: UnionOrg(name="联合工会", kind=UnionKind.JOINT, township_id=i["township"], founded_on=D(2002, 1, 1)),
        ids,
    )


def test_dispatched_liaison_without_dispatching_unit_is_refused(db):
    engine, ids = db
    refused(
        engine,
        lambda i: LiaisonOfficer(enterprise_id=i["ent"], name="李", kind=LiaisonKind.DISPATCHED,
                                 appointed_on=D(2002, 1, 1)),
        ids, exc.IntegrityError, "ck_liaison_dispatched_has_unit",
    )
    accepted(
        engine,
        lambda i: LiaisonOfficer(enterprise_id=i["ent"], name="李", kind=LiaisonKind.DISPATCHED,
                                 dispatched_by_unit_id=i["unit"], appointed_on=D(2002, 1, 1)),
        ids,
    )


# --------------------------------------------------------------------------- action items


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": ActionStatus.DONE, "done_on": None},  # done without a date
        {"status": ActionStatus.OPEN, "done_on": D(2002, 5, 20)},  # a date without being done
        {"status": ActionStatus.IN_PROGRESS, "done_on": D(2002, 5, 20)},
    ],
)
def test_action_status_and_done_on_must_agree(db, overrides):
    engine, ids = db
    refused(engine, lambda i: action(i, **overrides), ids, exc.IntegrityError, "ck_action_done_on")
    assert count(engine, ActionItem) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": ActionStatus.DONE, "done_on": D(2002, 5, 20)},
        {"status": ActionStatus.OPEN, "done_on": None},
        {"status": ActionStatus.IN_PROGRESS, "done_on": None},
    ],
)
def test_consistent_action_items_are_accepted(db, overrides):
    engine, ids = db
    accepted(engine, lambda i: action(i, **overrides), ids)
    assert count(engine, ActionItem) == 1


def test_enterprise_meeting_needs_an_enterprise_and_district_meeting_has_none(db):
    engine, ids = db
    refused(engine, lambda i: JointMeeting(level=MeetingLevel.ENTERPRISE, held_on=D(2002, 1, 1), title="企业级"),
            ids, exc.IntegrityError, "ck_meeting_level_enterprise")
    refused(engine, lambda i: JointMeeting(level=MeetingLevel.DISTRICT, held_on=D(2002, 1, 1), title="区级",
                                           enterprise_id=i["ent"]),
            ids, exc.IntegrityError, "ck_meeting_level_enterprise")
    accepted(engine, lambda i: JointMeeting(level=MeetingLevel.ENTERPRISE, held_on=D(2002, 1, 1), title="企业级",
                                            enterprise_id=i["ent"]), ids)
