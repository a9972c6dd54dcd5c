"""``dashboard.edits.leads``: recording, advancing and linking founding leads on the demo district
(a private copy, SQLite and PostgreSQL) — role and scope against the stored row, row versions, every
refusal writes nothing, one audit event each; 已建会 founds the union through the ledger's event so
the coverage figures and the pipeline agree; a new registration becomes a 盯住源头 lead."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session

from dashboard.edits import Actor
from dashboard.edits import enterprises as ev
from dashboard.edits import leads as ed
from dashboard.queries import coverage, leads
from dashboard.queries.scope import Scope
from models import rules
from models.db import session_scope
from models.enums import Role
from tests.edits.protocol import Protocol, rows, scalar
from tests.factories import DEMO_TODAY

D = dt.date
TODAY = DEMO_TODAY
STAFF = Actor("staff", Role.STAFF, Scope.district())
LEADER = Actor("leader", Role.LEADER, Scope.district())
TABLES = ("founding_lead", "founding_lead_stage", "union_org", "union_coverage", "membership_change", "audit_event",
          "enterprise")


PROTOCOL = Protocol(TABLES, STAFF, TODAY)
run, refused = PROTOCOL.run, PROTOCOL.refused


def day(value) -> dt.date:
    return value if isinstance(value, dt.date) else D.fromisoformat(str(value))


@pytest.fixture
def engine(any_own_demo_engine):
    return any_own_demo_engine


def gap_enterprise(engine, *, open_lead: bool = False) -> dict:
    """An operating demo enterprise no union covers today, with (or without) an open lead."""
    has = "EXISTS" if open_lead else "NOT EXISTS"
    return rows(engine, f"""
        SELECT e.id, e.name, e.township_id, e.registered_on FROM enterprise e
        WHERE e.closed_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM union_coverage c WHERE c.enterprise_id = e.id AND c.end_on IS NULL)
          AND {has} (SELECT 1 FROM founding_lead l WHERE l.enterprise_id = e.id
                     AND l.stage NOT IN ('founded', 'dropped'))
        ORDER BY e.id LIMIT 1""")[0]


def test_staff_record_a_lead_of_an_enterprise_and_of_a_project(engine):
    ent = gap_enterprise(engine)
    result = run(engine, ed.create_lead, source="opportunity", identified_on=D(2026, 11, 1), enterprise_id=ent["id"],
                 owner_name=" 王强 ", note="劳模表彰会上了解到")
    lead = rows(engine, "SELECT * FROM founding_lead WHERE id = :i", i=result.lead_id)[0]
    assert (lead["enterprise_name"], lead["township_id"], lead["stage"], lead["owner_name"], lead["version"]) == (
        ent["name"], ent["township_id"], "identified", "王强", 1)
    assert day(lead["stage_on"]) == D(2026, 11, 1)
    union_unit = scalar(engine, "SELECT id FROM unit WHERE township_id = :t AND kind = 'union'", t=ent["township_id"])
    assert lead["owner_unit_id"] == union_unit  # the township's union by default
    assert result.township_ids == {ent["township_id"]}
    assert [(r["stage"], day(r["start_on"]), r["end_on"]) for r in rows(
        engine, "SELECT * FROM founding_lead_stage WHERE lead_id = :i", i=result.lead_id)] == [
        ("identified", D(2026, 11, 1), None)]
    audit = rows(engine, "SELECT * FROM audit_event ORDER BY id DESC LIMIT 1")[0]
    assert (audit["action"], audit["entity"], audit["entity_id"]) == ("lead_created", "founding_lead", str(result.lead_id))
    # a project not registered yet: a name and a township
    yb = scalar(engine, "SELECT id FROM township WHERE code = 'YB'")
    project = run(engine, ed.create_lead, source="investment", identified_on=D(2026, 10, 1), township="YB",
                  enterprise_name="（拟设）新能源项目")
    assert scalar(engine, "SELECT township_id FROM founding_lead WHERE id = :i", i=project.lead_id) == yb
    assert scalar(engine, "SELECT enterprise_id FROM founding_lead WHERE id = :i", i=project.lead_id) is None


def test_recording_a_lead_is_refused_with_the_field_at_fault(engine):
    ent = gap_enterprise(engine)
    covered = scalar(engine, "SELECT enterprise_id FROM union_coverage WHERE end_on IS NULL ORDER BY id LIMIT 1")
    busy = gap_enterprise(engine, open_lead=True)
    other_town = scalar(engine, "SELECT id FROM township WHERE id <> :t ORDER BY id LIMIT 1", t=ent["township_id"])
    town_account = Actor("yuebei", Role.TOWNSHIP, Scope.townships([other_town]))
    ok = {"source": "opportunity", "identified_on": D(2026, 11, 1)}
    refused(engine, ed.create_lead, "edit.forbidden_role", actor=LEADER, enterprise_id=ent["id"], **ok)
    refused(engine, ed.create_lead, "edit.forbidden_scope", actor=town_account, enterprise_id=ent["id"], **ok)
    refused(engine, ed.create_lead, "leads.err.has_union", "enterprise", enterprise_id=covered, **ok)
    refused(engine, ed.create_lead, "leads.err.open_lead", "enterprise", enterprise_id=busy["id"], **ok)
    refused(engine, ed.create_lead, "upkeep.err.in_future", "identified_on", enterprise_id=ent["id"],
            source="opportunity", identified_on=TODAY + dt.timedelta(days=1))
    refused(engine, ed.create_lead, "leads.err.bad_choice", "source", enterprise_id=ent["id"], source="rumour",
            identified_on=D(2026, 11, 1))
    refused(engine, ed.create_lead, "leads.err.required", "enterprise_name", township="YB", **ok)
    refused(engine, ed.create_lead, "leads.err.required", "township", enterprise_name="某项目", **ok)
    refused(engine, ed.create_lead, "upkeep.err.unknown_township", "township", township="XX", enterprise_name="某项目",
            **ok)


def test_a_lead_moves_forward_dated_and_versioned(engine):
    ent = gap_enterprise(engine)
    lid = run(engine, ed.create_lead, source="notice_left", identified_on=D(2026, 10, 1),
              enterprise_id=ent["id"]).lead_id
    run(engine, ed.change_stage, lead_id=lid, version=1, stage="contacted", on=D(2026, 10, 5))
    refused(engine, ed.change_stage, "edit.conflict", lead_id=lid, version=1, stage="preparing", on=D(2026, 10, 9))
    refused(engine, ed.change_stage, "leads.err.backwards", "stage", lead_id=lid, version=2, stage="identified",
            on=D(2026, 10, 9))
    refused(engine, ed.change_stage, "leads.err.backwards", "stage", lead_id=lid, version=2, stage="contacted",
            on=D(2026, 10, 9))
    refused(engine, ed.change_stage, "leads.err.before_stage", "on", lead_id=lid, version=2, stage="notice_sent",
            on=D(2026, 10, 4), notice_deadline=D(2026, 11, 4))
    refused(engine, ed.change_stage, "leads.err.required", "notice_deadline", lead_id=lid, version=2,
            stage="notice_sent", on=D(2026, 10, 9))
    refused(engine, ed.change_stage, "leads.err.bad_deadline", "notice_deadline", lead_id=lid, version=2,
            stage="notice_sent", on=D(2026, 10, 9), notice_deadline=D(2026, 10, 9))
    run(engine, ed.change_stage, lead_id=lid, version=2, stage="notice_sent", on=D(2026, 10, 9),
        notice_deadline=D(2026, 11, 8))
    history = rows(engine, "SELECT stage, start_on, end_on FROM founding_lead_stage WHERE lead_id = :i ORDER BY start_on",
                   i=lid)
    assert [(h["stage"], day(h["start_on"]), h["end_on"] and day(h["end_on"])) for h in history] == [
        ("identified", D(2026, 10, 1), D(2026, 10, 5)), ("contacted", D(2026, 10, 5), D(2026, 10, 9)),
        ("notice_sent", D(2026, 10, 9), None)]
    with Session(engine) as s:  # the notice's deadline has passed by TODAY: overdue on the pipeline and the overview
        assert lid in set(leads.lead_list(s, Scope.district(), TODAY, leads.LeadFilter(only="overdue"))["id"])
    refused(engine, ed.change_stage, "leads.err.required", "drop_reason", lead_id=lid, version=3, stage="dropped",
            on=D(2026, 11, 20))
    run(engine, ed.change_stage, lead_id=lid, version=3, stage="dropped", on=D(2026, 11, 20), drop_reason="企业迁出本区")
    lead = rows(engine, "SELECT stage, closed_on, drop_reason, version FROM founding_lead WHERE id = :i", i=lid)[0]
    assert (lead["stage"], day(lead["closed_on"]), lead["drop_reason"], lead["version"]) == (
        "dropped", D(2026, 11, 20), "企业迁出本区", 4)
    refused(engine, ed.change_stage, "leads.err.closed", "stage", lead_id=lid, version=4, stage="founded",
            on=D(2026, 11, 21))
    actions = [r["action"] for r in rows(engine, "SELECT action FROM audit_event WHERE entity = 'founding_lead' "
                                                 "AND entity_id = :i ORDER BY id", i=str(lid))]
    assert actions == ["lead_created", "lead_stage", "lead_stage", "lead_stage"]


def test_founded_founds_the_union_by_the_ledger_event_and_the_coverage_moves(engine):
    ent = gap_enterprise(engine)
    lid = run(engine, ed.create_lead, source="registration", identified_on=D(2026, 11, 1),
              enterprise_id=ent["id"]).lead_id
    town = Scope.townships([ent["township_id"]])
    with Session(engine) as s:
        before = coverage.coverage_kpis(s, town, TODAY).union_coverage.numerator
    result = run(engine, ed.change_stage, lead_id=lid, version=1, stage="founded", on=D(2026, 11, 20),
                 union_name="测试企业工会委员会", members=12)
    lead = rows(engine, "SELECT * FROM founding_lead WHERE id = :i", i=lid)[0]
    union = rows(engine, "SELECT * FROM union_org WHERE id = :u", u=lead["union_id"])[0]
    assert (union["name"], union["enterprise_id"], day(union["founded_on"])) == (
        "测试企业工会委员会", ent["id"], D(2026, 11, 20))
    assert (lead["stage"], day(lead["closed_on"]), lead["days_to_union"]) == ("founded", D(2026, 11, 20), 19)
    assert ent["township_id"] in result.township_ids
    with Session(engine) as s:
        assert coverage.coverage_kpis(s, town, TODAY).union_coverage.numerator == before + 1
        assert coverage.coverage_kpis(s, town, D(2026, 11, 19)).union_coverage.numerator == before  # from that day
    assert scalar(engine, "SELECT sum(joined) FROM membership_change WHERE union_id = :u", u=union["id"]) == 12
    events = [json.loads(r["after_json"]).get("event") for r in rows(
        engine, "SELECT after_json FROM audit_event WHERE action = 'enterprise_event' AND entity_id = :e",
        e=str(ent["id"]))]
    assert events == ["union_found"]  # the ledger's own event, audited as such


def test_a_union_recorded_on_the_ledger_closes_the_open_lead_and_a_project_must_be_linked_first(engine):
    ent = gap_enterprise(engine)
    lid = run(engine, ed.create_lead, source="opportunity", identified_on=D(2026, 9, 1),
              enterprise_id=ent["id"]).lead_id
    run(engine, ed.change_stage, lead_id=lid, version=1, stage="contacted", on=D(2026, 9, 5))
    version = scalar(engine, "SELECT version FROM enterprise WHERE id = :e", e=ent["id"])
    result = run(engine, ev.found_union, enterprise_id=ent["id"], version=version, founded_on=D(2026, 10, 1),
                 name="先成立的工会")
    union = result.ids["union"]
    assert result.ids["lead"] == lid  # the ledger's 成立工会 closed the lead: the pipeline agrees with 建会率
    lead = rows(engine, "SELECT stage, union_id, closed_on, version, days_to_union FROM founding_lead WHERE id = :i",
                i=lid)[0]
    assert (lead["stage"], lead["union_id"], day(lead["closed_on"]), lead["version"], lead["days_to_union"]) == (
        "founded", union, D(2026, 10, 1), 3, 30)
    assert [(r["stage"], r["end_on"] and day(r["end_on"])) for r in rows(
        engine, "SELECT stage, end_on FROM founding_lead_stage WHERE lead_id = :i ORDER BY start_on, id", i=lid)] == [
        ("identified", D(2026, 9, 5)), ("contacted", D(2026, 10, 1)), ("founded", None)]
    refused(engine, ed.change_stage, "leads.err.closed", "stage", lead_id=lid, version=3, stage="founded",
            on=D(2026, 10, 2))
    # a project: 已建会 needs its registered enterprise first
    project = run(engine, ed.create_lead, source="investment", identified_on=D(2026, 9, 1), township="YB",
                  enterprise_name="（拟设）项目").lead_id
    refused(engine, ed.change_stage, "leads.err.no_enterprise", "stage", lead_id=project, version=1, stage="founded",
            on=D(2026, 10, 2))
    target = gap_enterprise(engine)
    run(engine, ed.link_enterprise, lead_id=project, version=1, enterprise_id=target["id"])
    linked = rows(engine, "SELECT * FROM founding_lead WHERE id = :i", i=project)[0]
    assert (linked["enterprise_id"], linked["enterprise_name"], linked["township_id"], linked["version"]) == (
        target["id"], target["name"], target["township_id"], 2)
    refused(engine, ed.link_enterprise, "leads.err.has_enterprise", "enterprise", lead_id=project, version=2,
            enterprise_id=target["id"])
    other_project = run(engine, ed.create_lead, source="investment", identified_on=D(2026, 9, 1), township="YB",
                        enterprise_name="（拟设）另一项目").lead_id
    refused(engine, ed.link_enterprise, "leads.err.has_union", "enterprise", lead_id=other_project, version=1,
            enterprise_id=ent["id"])  # a union covers it already: nothing to found
    refused(engine, ed.change_stage, "edit.forbidden_role", actor=LEADER, lead_id=project, version=2,
            stage="contacted", on=D(2026, 10, 3))
    other = scalar(engine, "SELECT id FROM township WHERE id <> :t ORDER BY id LIMIT 1", t=target["township_id"])
    refused(engine, ed.change_stage, "edit.forbidden_scope", actor=Actor("yuebei", Role.TOWNSHIP,
                                                                        Scope.townships([other])),
            lead_id=project, version=2, stage="contacted", on=D(2026, 10, 3))


def test_a_new_registration_without_a_union_becomes_a_registration_lead(engine):
    uscc = rules.make_uscc(division="220299", serial=77_000_002)
    result = run(engine, ev.register_enterprise, township="YB", uscc=uscc, name="新登记无工会企业",
                 ownership="private", industry="制造业", registered_on=D(2026, 11, 10), employees=40, party_members=0)
    lead = rows(engine, "SELECT * FROM founding_lead WHERE enterprise_id = :e", e=result.ids["enterprise"])
    assert len(lead) == 1 and result.ids["lead"] == lead[0]["id"]
    assert (lead[0]["source"], lead[0]["stage"], day(lead[0]["identified_on"])) == (
        "registration", "identified", D(2026, 11, 10))
    audit = json.loads(rows(engine, "SELECT after_json FROM audit_event ORDER BY id DESC LIMIT 1")[0]["after_json"])
    assert (audit["event"], audit["lead"]) == ("register", lead[0]["id"])
    # the same again does nothing: an open lead exists
    with session_scope(engine) as s:
        assert ed.leads_for_registrations(s.connection(), [result.ids["enterprise"]], "staff") == []


def test_a_moved_enterprise_takes_its_leads_to_its_new_township(engine):
    ent = gap_enterprise(engine, open_lead=True)
    lead = rows(engine, "SELECT id, township_id FROM founding_lead WHERE enterprise_id = :e "
                        "AND stage NOT IN ('founded', 'dropped')", e=ent["id"])[0]
    other = rows(engine, "SELECT id, code FROM township WHERE id <> :t ORDER BY id LIMIT 1", t=ent["township_id"])[0]
    version = scalar(engine, "SELECT version FROM enterprise WHERE id = :e", e=ent["id"])
    run(engine, ev.move_enterprise, enterprise_id=ent["id"], version=version, township=other["code"],
        moved_on=D(2026, 11, 1))
    moved = rows(engine, "SELECT township_id, owner_unit_id FROM founding_lead WHERE id = :i", i=lead["id"])[0]
    union_unit = scalar(engine, "SELECT id FROM unit WHERE township_id = :t AND kind = 'union'", t=other["id"])
    assert (moved["township_id"], moved["owner_unit_id"]) == (other["id"], union_unit)
    old_town = Actor("yuebei", Role.TOWNSHIP, Scope.townships([ent["township_id"]]))
    new_town = Actor("other", Role.TOWNSHIP, Scope.townships([other["id"]]))
    version = scalar(engine, "SELECT version FROM founding_lead WHERE id = :i", i=lead["id"])
    refused(engine, ed.change_stage, "edit.forbidden_scope", actor=old_town, lead_id=lead["id"], version=version,
            stage="dropped", on=D(2026, 11, 20), drop_reason="迁出")
    run(engine, ed.change_stage, actor=new_town, lead_id=lead["id"], version=version, stage="dropped",
        on=D(2026, 11, 20), drop_reason="企业已迁入本乡镇后决定另行跟踪")
