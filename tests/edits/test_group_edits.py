"""``dashboard.edits.group``: staff appoint members, end memberships and record documents (validated,
versioned, audited); leaders and township accounts are refused and nothing is written."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard.edits import Actor
from dashboard.edits import group as ed
from dashboard.queries.scope import Scope
from models.enums import Role
from tests.edits.protocol import Protocol, scalar
from tests.factories import DEMO_TODAY

D = dt.date
STAFF = Actor("staff", Role.STAFF, Scope.district())
TABLES = ("leading_group_member", "group_document", "audit_event")


PROTOCOL = Protocol(TABLES, STAFF, DEMO_TODAY)
run, refused = PROTOCOL.run, PROTOCOL.refused


def test_staff_appoint_and_end_a_member_and_record_a_document(any_own_demo_engine):
    engine = any_own_demo_engine
    unit = scalar(engine, "SELECT id FROM unit WHERE code = 'ZGH'")
    mid = run(engine, ed.appoint_member, name=" 王强 ", position="区总工会副主席", role="member", unit_id=unit,
              from_on=D(2026, 6, 1), sort_order=9)
    assert scalar(engine, "SELECT name FROM leading_group_member WHERE id = :i", i=mid) == "王强"
    refused(engine, ed.end_member, "group.err.before_start", "to_on", member_id=mid, version=1, to_on=D(2026, 6, 1))
    run(engine, ed.end_member, member_id=mid, version=1, to_on=D(2026, 10, 1))
    assert str(scalar(engine, "SELECT to_on FROM leading_group_member WHERE id = :i", i=mid)) == "2026-10-01"
    refused(engine, ed.end_member, "edit.conflict", member_id=mid, version=1, to_on=D(2026, 11, 1))
    refused(engine, ed.end_member, "group.err.ended", "to_on", member_id=mid, version=2, to_on=D(2026, 11, 1))
    did = run(engine, ed.add_document, title="关于深化党工共建的通知", doc_no="##委办发〔2026〕3号",
              issuer="中共##区委办公室", issued_on=D(2026, 3, 1))
    assert scalar(engine, "SELECT doc_no FROM group_document WHERE id = :i", i=did) == "##委办发〔2026〕3号"
    with engine.connect() as conn:
        actions = [a for (a,) in conn.execute(sa.text(
            "SELECT action FROM audit_event WHERE action LIKE 'group_%' ORDER BY id"))]
    assert actions == ["group_member_appointed", "group_member_ended", "group_document_added"]


def test_refusals_write_nothing(any_own_demo_engine):
    engine = any_own_demo_engine
    ok = {"name": "王强", "position": "岗位", "role": "member", "from_on": D(2026, 6, 1)}
    refused(engine, ed.appoint_member, "edit.forbidden_role", actor=Actor("leader", Role.LEADER), **ok)
    refused(engine, ed.appoint_member, "edit.forbidden_role", actor=Actor("yuebei", Role.TOWNSHIP, Scope.townships([1])),
            **ok)
    refused(engine, ed.appoint_member, "group.err.bad_choice", "role", **{**ok, "role": "chair"})
    refused(engine, ed.appoint_member, "group.err.required", "name", **{**ok, "name": "  "})
    refused(engine, ed.appoint_member, "group.err.in_future", "from_on", **{**ok, "from_on": DEMO_TODAY + dt.timedelta(1)})
    refused(engine, ed.appoint_member, "group.err.bad_choice", "unit", **{**ok, "unit_id": 999_999})
    refused(engine, ed.add_document, "group.err.required", "issuer", title="文件", issuer="", issued_on=D(2026, 1, 1))
    refused(engine, ed.add_document, "group.err.bad_date", "issued_on", title="文件", issuer="区委",
            issued_on="2026-13-01")
