"""Campaigns and zones from the campaigns page: staff create and change them (validated, versioned,
audited); leaders and township accounts read only; every refusal writes nothing (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.edits import Actor
from dashboard.edits import campaigns as ed
from dashboard.queries.scope import Scope
from models.enums import Role
from tests.edits.protocol import Protocol, scalar

D = dt.date
STAFF = Actor("staff", Role.STAFF, Scope.district())
TABLES = ("campaign", "campaign_zone", "campaign_zone_township", "audit_event")


PROTOCOL = Protocol(TABLES, STAFF)
run, refused = PROTOCOL.run, PROTOCOL.refused


@pytest.fixture
def world(any_own_demo_engine):
    engine = any_own_demo_engine
    with engine.connect() as conn:
        towns = [int(t) for (t,) in conn.execute(sa.text("SELECT id FROM township ORDER BY id"))]
        unit = int(conn.execute(sa.text("SELECT min(id) FROM unit")).scalar())
    return engine, towns, unit


def zone_fields(towns, unit, **over):
    return {"name": "东片", "owner_name": "王强", "owner_unit_id": unit, "target_unions": 12, "target_members": 300,
            "deadline": D(2027, 3, 31), "township_ids": towns[:2], **over}


def test_staff_create_a_campaign_and_a_zone_and_change_them(world):
    engine, towns, unit = world
    cid = run(engine, ed.create_campaign, name="2027年春季攻坚", motto="应建尽建", start_on=D(2027, 1, 1),
              end_on=D(2027, 4, 10))
    zid = run(engine, ed.create_zone, campaign_id=cid, **zone_fields(towns, unit))
    assert scalar(engine, "SELECT count(*) FROM campaign_zone_township WHERE zone_id = :z", z=zid) == 2
    run(engine, ed.update_zone, zone_id=zid, version=1, **zone_fields(towns, unit, target_unions=15,
                                                                       township_ids=[towns[2]], target_party_orgs=4))
    assert scalar(engine, "SELECT target_unions FROM campaign_zone WHERE id = :z", z=zid) == 15
    assert scalar(engine, "SELECT target_party_orgs + target_liaisons FROM campaign_zone WHERE id = :z", z=zid) == 4
    assert scalar(engine, "SELECT version FROM campaign_zone WHERE id = :z", z=zid) == 2
    assert scalar(engine, "SELECT township_id FROM campaign_zone_township WHERE zone_id = :z", z=zid) == towns[2]
    run(engine, ed.update_campaign, campaign_id=cid, version=1, name="2027年春季攻坚", start_on=D(2027, 1, 1),
        end_on=D(2027, 4, 30))
    with engine.connect() as conn:
        actions = [a for (a,) in conn.execute(sa.text(
            "SELECT action FROM audit_event WHERE action LIKE 'campaign%' ORDER BY id"))]
    assert actions == ["campaign_created", "campaign_zone_created", "campaign_zone_updated", "campaign_updated"]
    # a stale form is refused: the zone is at version 2 now
    refused(engine, ed.update_zone, "edit.conflict", zone_id=zid, version=1, **zone_fields(towns, unit))


def test_leaders_and_township_accounts_read_only(world):
    engine, towns, unit = world
    for actor in (Actor("leader", Role.LEADER, Scope.district()),
                  Actor("yuebei", Role.TOWNSHIP, Scope.townships([towns[0]]))):
        refused(engine, ed.create_campaign, "edit.forbidden_role", actor=actor, name="X", start_on=D(2027, 1, 1),
                end_on=D(2027, 2, 1))


def test_every_field_is_checked(own_demo_engine):
    engine = own_demo_engine
    with engine.connect() as conn:
        towns = [int(t) for (t,) in conn.execute(sa.text("SELECT id FROM township ORDER BY id"))]
        unit = int(conn.execute(sa.text("SELECT min(id) FROM unit")).scalar())
    refused(engine, ed.create_campaign, "upkeep.err.required", "name", name=" ", start_on=D(2027, 1, 1),
            end_on=D(2027, 2, 1))
    refused(engine, ed.create_campaign, "camp.err.end_before_start", "end_on", name="X", start_on=D(2027, 2, 1),
            end_on=D(2027, 1, 1))
    refused(engine, ed.create_campaign, "camp.err.name_taken", "name", name="2002年百日攻坚", start_on=D(2027, 1, 1),
            end_on=D(2027, 2, 1))
    cid = run(engine, ed.create_campaign, name="试点攻坚", start_on=D(2027, 1, 1), end_on=D(2027, 2, 28))
    refused(engine, ed.create_zone, "camp.err.deadline_outside", "deadline", campaign_id=cid,
            **zone_fields(towns, unit, deadline=D(2027, 3, 31)))
    refused(engine, ed.create_zone, "upkeep.err.negative", "target_unions", campaign_id=cid,
            **zone_fields(towns, unit, target_unions=-1, deadline=D(2027, 2, 1)))
    refused(engine, ed.create_zone, "upkeep.err.bad_count", "target_members", campaign_id=cid,
            **zone_fields(towns, unit, target_members="3.5", deadline=D(2027, 2, 1)))
    refused(engine, ed.create_zone, "camp.err.no_township", "townships", campaign_id=cid,
            **zone_fields(towns, unit, township_ids=[], deadline=D(2027, 2, 1)))
    run(engine, ed.create_zone, campaign_id=cid, **zone_fields(towns, unit, deadline=D(2027, 2, 1)))
    refused(engine, ed.create_zone, "camp.err.township_in_zone", "townships", campaign_id=cid,
            **zone_fields(towns, unit, name="西片", township_ids=[towns[1], towns[3]], deadline=D(2027, 2, 1)))
    refused(engine, ed.create_zone, "camp.err.zone_name_taken", "zone_name", campaign_id=cid,
            **zone_fields(towns, unit, township_ids=[towns[4]], deadline=D(2027, 2, 1)))
    # shortening the campaign past its zone's deadline is refused
    refused(engine, ed.update_campaign, "camp.err.zone_deadline_outside", "end_on", campaign_id=cid, version=1,
            name="试点攻坚", start_on=D(2027, 1, 1), end_on=D(2027, 1, 20))


def test_zone_progress_counts_party_organisations_and_liaison_officers(world):
    """Each zone's new Party organisations and liaison officers in the campaign period equal a count
    of the source rows in its townships (the 2002 campaign of the demo)."""
    import datetime as dt

    from sqlmodel import Session

    from dashboard.queries.campaigns import campaign_progress
    from dashboard.queries.scope import Scope

    engine, _, _ = world
    with Session(engine) as s:
        progress = campaign_progress(s, Scope.district(), dt.date(2002, 12, 31), campaign_id=1)
    assert len(progress) == 4
    with engine.connect() as conn:
        for z in progress.itertuples(index=False):
            zid = conn.execute(sa.text("SELECT id FROM campaign_zone WHERE name = :n AND campaign_id = 1"),
                               {"n": z.zone}).scalar_one()
            towns = "SELECT township_id FROM campaign_zone_township WHERE zone_id = :z"
            orgs = conn.execute(sa.text(f"SELECT count(*) FROM party_org WHERE township_id IN ({towns}) AND founded_on "
                                        "BETWEEN :a AND :b"), {"z": zid, "a": z.start_on, "b": z.end_on}).scalar()
            liaisons = conn.execute(sa.text(
                f"SELECT count(*) FROM liaison_officer l JOIN enterprise e ON e.id = l.enterprise_id WHERE "
                f"e.township_id IN ({towns}) AND l.appointed_on BETWEEN :a AND :b"),
                {"z": zid, "a": z.start_on, "b": z.end_on}).scalar()
            assert (z.new_party_orgs, z.new_liaisons) == (orgs, liaisons)
    assert progress["new_liaisons"].sum() > 0  # the demo appointed liaison officers during the campaign
