"""``dashboard.edits.development``: a person's path from the union's recommendation to full member, the
worker representatives' evaluation, a withdrawal, the yearly new Party members, and a leader opening
one record (audited) — validated, scoped, versioned; refusals write nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from dashboard.edits import Actor
from dashboard.edits import development as ed
from dashboard.queries.scope import Scope
from models.enums import Role
from tests.edits.protocol import Protocol, rows, scalar
from tests.factories import DEMO_TODAY

D = dt.date
STAFF = Actor("staff", Role.STAFF, Scope.district())
LEADER = Actor("leader", Role.LEADER, Scope.district())
TABLES = ("activist_recommendation", "party_admission", "audit_event")
PROTOCOL = Protocol(TABLES, STAFF, DEMO_TODAY)
run, refused = PROTOCOL.run, PROTOCOL.refused
READ = Protocol(TABLES, LEADER)  # open_record has no date rules (no ``today``)

#: an operating enterprise of 越北镇 covered by a union since before 2024 (the demo has many)
COVERED = ("SELECT e.id FROM enterprise e JOIN township t ON t.id = e.township_id JOIN union_coverage c "
           "ON c.enterprise_id = e.id WHERE t.code = :town AND e.closed_on IS NULL AND c.start_on < '2024-01-01' "
           "AND c.end_on IS NULL ORDER BY e.id LIMIT 1")


def yuebei(engine) -> Actor:
    return Actor("yuebei", Role.TOWNSHIP, Scope.townships([scalar(engine, "SELECT id FROM township WHERE code = 'YB'")]))


def version(engine, rid: int) -> int:
    return int(scalar(engine, "SELECT version FROM activist_recommendation WHERE id = :i", i=rid))


def test_a_path_from_recommendation_to_full_member(any_own_demo_engine):
    engine = any_own_demo_engine
    ent = scalar(engine, COVERED, town="YB")
    actor = yuebei(engine)  # the person's own township records it
    res = run(engine, ed.recommend, actor=actor, enterprise_id=ent, person_name=" 李建国 ", recommended_on=D(2024, 1, 10))
    rid = res.row_id
    got = rows(engine, "SELECT person_name, stage, stage_on, union_id FROM activist_recommendation WHERE id = :i", i=rid)[0]
    assert got["person_name"] == "李建国" and got["stage"] == "recommended" and got["union_id"] is not None
    refused(engine, ed.advance, "development.err.not_next", "stage", record_id=rid, version=1, stage="candidate",
            on=D(2024, 3, 1))
    run(engine, ed.advance, actor=actor, record_id=rid, version=1, stage="activist", on=D(2024, 3, 1))
    # a year of training before 发展对象
    refused(engine, ed.advance, "development.err.training", "on", record_id=rid, version=2, stage="candidate",
            on=D(2025, 2, 28))
    run(engine, ed.advance, record_id=rid, version=2, stage="candidate", on=D(2025, 3, 5))
    refused(engine, ed.evaluate, "development.err.before_stage", "on", record_id=rid, version=3, on=D(2025, 3, 1),
            result="passed")
    run(engine, ed.evaluate, record_id=rid, version=3, on=D(2025, 4, 1), result="failed")
    refused(engine, ed.advance, "development.err.not_passed", "stage", record_id=rid, version=4,
            stage="probationary", on=D(2025, 6, 1))
    run(engine, ed.evaluate, record_id=rid, version=4, on=D(2025, 5, 1), result="passed")  # evaluated again
    run(engine, ed.advance, record_id=rid, version=5, stage="probationary", on=D(2025, 6, 1))
    # the year of probation
    refused(engine, ed.advance, "development.err.probation", "on", record_id=rid, version=6, stage="member",
            on=D(2026, 5, 31))
    run(engine, ed.advance, record_id=rid, version=6, stage="member", on=D(2026, 6, 1))
    row = rows(engine, "SELECT * FROM activist_recommendation WHERE id = :i", i=rid)[0]
    assert [str(row[c]) for c in ("activist_on", "candidate_on", "evaluated_on", "probationary_on", "member_on",
                                  "stage_on")] == ["2024-03-01", "2025-03-05", "2025-05-01", "2025-06-01",
                                                   "2026-06-01", "2026-06-01"]
    assert (row["stage"], row["evaluation"], row["version"]) == ("member", "passed", 7)
    refused(engine, ed.withdraw, "development.err.closed", "stage", record_id=rid, version=7, on=D(2026, 7, 1),
            reason="调离")
    actions = [r["action"] for r in rows(engine, "SELECT action FROM audit_event WHERE entity_id = :i AND "
                                                 "entity = 'activist_recommendation' ORDER BY id", i=str(rid))]
    assert actions == ["development_recommended", "development_advanced", "development_advanced",
                       "development_evaluated", "development_evaluated", "development_advanced",
                       "development_advanced"]


def test_withdrawal_and_the_refusals(any_own_demo_engine):
    engine = any_own_demo_engine
    ent = scalar(engine, COVERED, town="YB")
    other = scalar(engine, COVERED, town="QL")
    ok = {"enterprise_id": ent, "person_name": "王芳", "recommended_on": D(2026, 3, 1)}
    refused(engine, ed.recommend, "edit.forbidden_role", actor=LEADER, **ok)
    refused(engine, ed.recommend, "edit.forbidden_scope", actor=yuebei(engine), **{**ok, "enterprise_id": other})
    refused(engine, ed.recommend, "development.err.required", "person_name", **{**ok, "person_name": " "})
    refused(engine, ed.recommend, "development.err.in_future", "recommended_on",
            **{**ok, "recommended_on": DEMO_TODAY + dt.timedelta(1)})
    refused(engine, ed.recommend, "development.err.unknown_enterprise", "enterprise", **{**ok, "enterprise_id": 10**8})
    no_union = scalar(engine, "SELECT e.id FROM enterprise e WHERE e.closed_on IS NULL AND NOT EXISTS "
                              "(SELECT 1 FROM union_coverage c WHERE c.enterprise_id = e.id) ORDER BY e.id LIMIT 1")
    refused(engine, ed.recommend, "development.err.no_union", "enterprise", **{**ok, "enterprise_id": no_union})
    rid = run(engine, ed.recommend, **ok).row_id
    refused(engine, ed.advance, "edit.forbidden_role", actor=LEADER, record_id=rid, version=1, stage="activist",
            on=D(2026, 4, 1))
    refused(engine, ed.advance, "edit.forbidden_scope",
            actor=Actor("town", Role.TOWNSHIP, Scope.townships([scalar(engine, "SELECT id FROM township WHERE code = 'QL'")])),
            record_id=rid, version=1, stage="activist", on=D(2026, 4, 1))
    refused(engine, ed.advance, "edit.conflict", record_id=rid, version=2, stage="activist", on=D(2026, 4, 1))
    refused(engine, ed.advance, "development.err.before_stage", "on", record_id=rid, version=1, stage="activist",
            on=D(2026, 2, 1))
    refused(engine, ed.advance, "development.err.bad_choice", "stage", record_id=rid, version=1, stage="evaluated",
            on=D(2026, 4, 1))
    refused(engine, ed.evaluate, "development.err.not_candidate", "stage", record_id=rid, version=1, on=D(2026, 4, 1),
            result="passed")
    refused(engine, ed.withdraw, "development.err.required", "reason", record_id=rid, version=1, on=D(2026, 4, 1),
            reason="")
    run(engine, ed.withdraw, record_id=rid, version=1, on=D(2026, 4, 1), reason="本人申请退出")
    assert rows(engine, "SELECT stage, withdrawn_on, withdrawn_reason FROM activist_recommendation WHERE id = :i",
                i=rid)[0]["withdrawn_reason"] == "本人申请退出"
    refused(engine, ed.advance, "development.err.closed", "stage", record_id=rid, version=2, stage="activist",
            on=D(2026, 5, 1))


def test_yearly_new_party_members(any_own_demo_engine):
    engine = any_own_demo_engine
    first = rows(engine, "SELECT enterprise_id, CAST(substr(CAST(probationary_on AS VARCHAR(10)), 1, 4) AS INTEGER) "
                         "AS y FROM activist_recommendation WHERE probationary_on IS NOT NULL ORDER BY id LIMIT 1")[0]
    ent, year = first["enterprise_id"], first["y"]
    via = scalar(engine, "SELECT count(*) FROM activist_recommendation WHERE enterprise_id = :e AND "
                         "probationary_on >= :a AND probationary_on <= :b", e=ent, a=D(year, 1, 1), b=D(year, 12, 31))
    with engine.begin() as conn:  # start from no record for that year
        conn.exec_driver_sql(f"DELETE FROM party_admission WHERE enterprise_id = {int(ent)} AND year = {int(year)}")
    refused(engine, ed.record_admissions, "development.err.fewer_than_union", "admitted", enterprise_id=ent,
            year=year, admitted=via - 1)
    refused(engine, ed.record_admissions, "development.err.bad_year", "year", enterprise_id=ent, year=DEMO_TODAY.year + 1,
            admitted=via)
    refused(engine, ed.record_admissions, "edit.forbidden_role", actor=LEADER, enterprise_id=ent, year=year, admitted=via)
    run(engine, ed.record_admissions, enterprise_id=ent, year=year, admitted=via + 2)
    refused(engine, ed.record_admissions, "edit.conflict", enterprise_id=ent, year=year, admitted=via + 3)  # no version
    run(engine, ed.record_admissions, enterprise_id=ent, year=year, admitted=via + 3, version=1)
    assert scalar(engine, "SELECT admitted FROM party_admission WHERE enterprise_id = :e AND year = :y", e=ent,
                  y=year) == via + 3


def test_a_leader_opens_one_record_and_it_is_audited(any_own_demo_engine):
    engine = any_own_demo_engine
    first = rows(engine, "SELECT a.id, a.person_name, e.township_id FROM activist_recommendation a JOIN enterprise e "
                         "ON e.id = a.enterprise_id ORDER BY a.id LIMIT 1")[0]
    rid, name, town = first["id"], first["person_name"], first["township_id"]
    before = scalar(engine, "SELECT count(*) FROM audit_event WHERE action = 'development_record_opened'")
    opened = READ.run(engine, ed.open_record, record_id=rid)
    assert opened.record["person_name"] == name and opened.township_ids == frozenset({town})
    event = rows(engine, "SELECT username, entity_id, detail, after_json FROM audit_event "
                         "WHERE action = 'development_record_opened' ORDER BY id DESC")[0]
    assert (event["username"], event["entity_id"], event["detail"]) == ("leader", str(rid), "role=leader")
    assert name not in str(event["after_json"])  # the trace names the record, not the person
    assert scalar(engine, "SELECT count(*) FROM audit_event WHERE action = 'development_record_opened'") == before + 1
    elsewhere = Actor("town", Role.TOWNSHIP, Scope.townships([town + 1]))
    READ.refused(engine, ed.open_record, "edit.forbidden_scope", actor=elsewhere, record_id=rid)
    READ.refused(engine, ed.open_record, "edit.gone", record_id=10**8)
