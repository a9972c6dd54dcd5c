"""Rules added after the review of the enterprise events (issue 13): a membership change inside a
union period that has ended, a move before the last one or of a closed enterprise, an own liaison
officer without Party members, joining an organisation whose dissolution is recorded, a closure
before a recorded end; and two events at once on SQLite and PostgreSQL (the summaries' lock)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from dashboard.edits import EditError
from dashboard.edits import enterprises as ev
from models.db import session_scope
from tests.edits.test_enterprise_events import (
    D,
    NO_PARTY,
    NO_UNION,
    STAFF,
    TODAY,
    assert_same_as_rebuild,
    pick,
    refused,
    run,
    scalar,
    version,
)


def test_a_membership_change_inside_an_ended_union_is_refused(own_demo_engine):
    engine = own_demo_engine
    e = pick(engine, NO_UNION, NO_PARTY, "e.employees >= 10")
    v = version(engine, e["id"])
    run(engine, ev.found_union, enterprise_id=e["id"], version=v, founded_on=D(2024, 1, 1), name="工会", members=5)
    run(engine, ev.end_union, enterprise_id=e["id"], version=v + 1, end_on=D(2025, 1, 1))
    err = refused(engine, ev.change_members, "upkeep.err.union_ended", "changed_on", enterprise_id=e["id"],
                  version=v + 2, changed_on=D(2024, 6, 1), joined=7)
    assert err.params["date"] == D(2025, 1, 1)
    members = scalar(engine, "SELECT sum(joined - left_count) FROM membership_change WHERE enterprise_id = :e",
                     e=e["id"])
    assert members == 0  # everyone left with the union


def test_a_move_before_the_last_one_and_a_move_of_a_closed_enterprise_are_refused(own_demo_engine):
    engine = own_demo_engine
    e = pick(engine)
    v = version(engine, e["id"])
    with engine.connect() as conn:
        towns = [t for (t,) in conn.execute(sa.text("SELECT id FROM township WHERE id <> :t ORDER BY id"),
                                            {"t": e["township_id"]})]
    run(engine, ev.move_enterprise, enterprise_id=e["id"], version=v, township=towns[0], moved_on=D(2026, 6, 1))
    refused(engine, ev.move_enterprise, "upkeep.err.before_last_move", "moved_on", enterprise_id=e["id"],
            version=v + 1, township=towns[1], moved_on=D(2026, 5, 1))
    run(engine, ev.close_enterprise, enterprise_id=e["id"], version=v + 1, closed_on=TODAY)
    refused(engine, ev.move_enterprise, "upkeep.err.already_closed", "moved_on", enterprise_id=e["id"],
            version=v + 2, township=towns[1], moved_on=D(2026, 7, 1))


def test_an_own_liaison_officer_needs_a_party_member(own_demo_engine):
    engine = own_demo_engine
    e = pick(engine, "e.party_members = 0", "NOT EXISTS (SELECT 1 FROM headcount_census h WHERE h.enterprise_id = e.id)")
    refused(engine, ev.appoint_liaison, "upkeep.err.own_liaison_no_members", "kind", enterprise_id=e["id"],
            version=version(engine, e["id"]), name="张三", kind="own", appointed_on=D(2026, 6, 1))


def test_joining_an_organisation_with_a_recorded_dissolution_is_refused(own_demo_engine):
    engine = own_demo_engine
    e = pick(engine, NO_UNION)
    with engine.begin() as conn:
        joint = conn.execute(sa.text("SELECT id FROM union_org WHERE kind = 'joint' AND township_id = :t "
                                     "ORDER BY id LIMIT 1"), {"t": e["township_id"]}).scalar()
        if joint is None:
            pytest.skip("no joint union in the enterprise's township")
        conn.execute(sa.text("UPDATE union_org SET dissolved_on = '2026-10-01' WHERE id = :u"), {"u": joint})
    refused(engine, ev.join_union, "upkeep.err.org_not_active", "start_on", enterprise_id=e["id"],
            version=version(engine, e["id"]), union_id=joint, start_on=D(2026, 6, 1))


def test_a_closure_before_a_recorded_end_is_refused(own_demo_engine):
    engine = own_demo_engine
    e = pick(engine, NO_UNION, NO_PARTY, "e.employees >= 10")
    v = version(engine, e["id"])
    run(engine, ev.found_union, enterprise_id=e["id"], version=v, founded_on=D(2024, 1, 1), name="工会", members=0)
    run(engine, ev.end_union, enterprise_id=e["id"], version=v + 1, end_on=D(2026, 9, 1))
    err = refused(engine, ev.close_enterprise, "upkeep.err.events_after", "closed_on", enterprise_id=e["id"],
                  version=v + 2, closed_on=D(2026, 8, 1))
    assert err.params["date"] == D(2026, 9, 1)


def test_a_township_given_by_a_numeric_code_is_found_by_its_code(own_demo_engine):
    engine = own_demo_engine
    e = pick(engine)
    with engine.begin() as conn:  # a township whose code is all digits (a 9-digit 乡镇 code)
        target = conn.execute(sa.text("SELECT id FROM township WHERE id <> :t ORDER BY id DESC LIMIT 1"),
                              {"t": e["township_id"]}).scalar()
        conn.execute(sa.text("UPDATE township SET code = '220211100' WHERE id = :t"), {"t": target})
    run(engine, ev.move_enterprise, enterprise_id=e["id"], version=version(engine, e["id"]), township="220211100",
        moved_on=D(2026, 6, 1))
    assert scalar(engine, "SELECT township_id FROM enterprise WHERE id = :e", e=e["id"]) == target


def test_two_events_at_once_keep_the_summaries_right(any_own_demo_engine):
    """A registration and a union founding in the same township on the same day, in two threads at
    once: both saved (one waits for the other's lock), the summaries fresh and equal to a rebuild."""
    engine = any_own_demo_engine
    e = pick(engine, NO_UNION, NO_PARTY, "e.employees >= 10")
    v = version(engine, e["id"])
    code = scalar(engine, "SELECT code FROM township WHERE id = :t", t=e["township_id"])
    from models.rules import make_uscc

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def register():
        try:
            with session_scope(engine) as s:
                barrier.wait(timeout=10)
                ev.register_enterprise(session=s, actor=STAFF, township=code, uscc=make_uscc(division="220299",
                                       serial=987654), name="并发登记测试企业", ownership="private", industry="制造业",
                                       registered_on=D(2026, 6, 1), employees=20, party_members=1, today=TODAY)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def found():
        try:
            with session_scope(engine) as s:
                barrier.wait(timeout=10)
                ev.found_union(session=s, actor=STAFF, enterprise_id=e["id"], version=v, founded_on=D(2026, 6, 1),
                               name="并发工会", members=3, today=TODAY)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=register), threading.Thread(target=found)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not [x for x in errors if not isinstance(x, EditError)], errors
    assert not errors, [getattr(x, "key", x) for x in errors]
    assert scalar(engine, "SELECT count(*) FROM enterprise WHERE name = '并发登记测试企业'") == 1
    assert scalar(engine, "SELECT count(*) FROM union_org WHERE name = '并发工会'") == 1
    assert_same_as_rebuild(engine)


def test_boundary_writes_check_the_role_in_the_edit_layer(own_demo_engine):
    """Only an administrator imports or removes boundaries, whatever page offers the form."""
    from dashboard.edits import Actor
    from dashboard.edits import boundaries as bnd
    from dashboard.queries.scope import Scope
    from models.enums import Role

    before = scalar(own_demo_engine, "SELECT count(*) FROM audit_event")
    for role in (Role.LEADER, Role.STAFF, Role.TOWNSHIP):
        who = Actor("someone", role, Scope.district())
        with pytest.raises(EditError) as info:
            bnd.remove(own_demo_engine, "YB", actor=who)
        assert info.value.key == "edit.forbidden_role"
        with pytest.raises(EditError):
            bnd.import_file(own_demo_engine, '{"type": "FeatureCollection", "features": []}', actor=who)
    assert scalar(own_demo_engine, "SELECT boundary_geojson IS NOT NULL FROM township WHERE code = 'YB'")
    assert scalar(own_demo_engine, "SELECT count(*) FROM audit_event") == before
    code, name = bnd.remove(own_demo_engine, "YB", actor=Actor("admin", Role.ADMIN, Scope.district()))
    assert (code, name) == ("YB", "越北镇")
    assert not scalar(own_demo_engine, "SELECT boundary_geojson IS NOT NULL FROM township WHERE code = 'YB'")
