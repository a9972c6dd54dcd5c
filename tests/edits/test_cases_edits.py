"""Designating and removing model enterprises: roles, scope, reason, one row and one audit event,
nothing written on a refusal. On SQLite and PostgreSQL (``any_engine``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.edits import Actor, EditError
from dashboard.edits.cases import set_designation
from dashboard.queries import cases
from dashboard.queries.scope import Scope
from models.db import session_scope
from models.enums import Role
from models.tables import AuditEvent, ModelDesignation
from tests.queries.test_cases import small_district

DAY = dt.date(2021, 1, 1)
AT = dt.datetime(2020, 12, 1, 9, 0, tzinfo=dt.UTC)


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.count()).select_from(ModelDesignation)).scalar_one(),
                conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one())


def test_staff_designates_one_row_one_audit_event_and_the_rule_follows(any_engine):
    ids = small_district(any_engine)
    before = counts(any_engine)
    with session_scope(any_engine) as s:
        set_designation(session=s, actor=Actor("staff", Role.STAFF), enterprise_id=ids["D"], designated=True,
                        reason="  荣获全国模范职工之家  ", at=AT)
    assert counts(any_engine) == (before[0] + 1, before[1] + 1)
    with Session(any_engine) as s:
        row = s.exec(select(ModelDesignation).where(ModelDesignation.enterprise_id == ids["D"])).one()
        event = s.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (row.designated, row.reason, row.by_username) == (True, "荣获全国模范职工之家", "staff")  # trimmed
        assert (event.action, event.username, event.entity, event.entity_id) == \
            ("model.designate", "staff", "enterprise", str(ids["D"]))
        assert json.loads(event.after_json) == {"designated": True, "reason": "荣获全国模范职工之家"}
        assert event.before_json is None
        assert "测试企业D" in set(cases.model_enterprises(s, Scope.district(), DAY)["name"])
        assert "测试企业D" not in set(cases.model_enterprises(s, Scope.district(), dt.date(2020, 11, 30))["name"])

    # an administrator removes it again: the newest row decides, the audit keeps the before
    with session_scope(any_engine) as s:
        set_designation(session=s, actor=Actor("admin", Role.ADMIN), enterprise_id=ids["D"], designated=False,
                        reason="已停产", at=AT + dt.timedelta(days=2))
    assert counts(any_engine) == (before[0] + 2, before[1] + 2)
    with Session(any_engine) as s:
        event = s.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "model.remove"
        assert json.loads(event.before_json) == {"designated": True, "reason": "荣获全国模范职工之家"}
        assert "测试企业D" not in set(cases.model_enterprises(s, Scope.district(), DAY)["name"])
        # removing overrides an honour too
    with session_scope(any_engine) as s:
        set_designation(session=s, actor=Actor("staff", Role.STAFF), enterprise_id=ids["A"], designated=False,
                        reason="不再作为典型", at=AT)
    with Session(any_engine) as s:
        assert "测试企业A" not in set(cases.model_enterprises(s, Scope.district(), DAY)["name"])


@pytest.mark.parametrize("actor, enterprise, reason, key", [
    (Actor("leader", Role.LEADER), "D", "理由充分", "edit.forbidden_role"),
    (Actor("yuebei", Role.TOWNSHIP, Scope.townships([1])), "D", "理由充分", "edit.forbidden_role"),
    (Actor("staff", Role.STAFF), "D", "", "cases.edit.reason_required"),
    (Actor("staff", Role.STAFF), "D", "   \n ", "cases.edit.reason_required"),
    (Actor("staff", Role.STAFF), "D", "好", "cases.edit.reason_short"),
    (Actor("staff", Role.STAFF), "D", "长" * 501, "cases.edit.reason_long"),
    (Actor("staff", Role.STAFF), None, "理由充分", "cases.edit.not_found"),
    (Actor("staff", Role.STAFF, Scope.townships([])), "D", "理由充分", "cases.edit.not_found"),
])
def test_refusals_write_nothing(any_engine, actor, enterprise, reason, key):
    ids = small_district(any_engine)
    before = counts(any_engine)
    with pytest.raises(EditError) as err:
        with session_scope(any_engine) as s:
            set_designation(session=s, actor=actor, enterprise_id=ids[enterprise] if enterprise else 999_999,
                            designated=True, reason=reason, at=AT)
    assert err.value.key == key
    assert counts(any_engine) == before


def test_scope_is_checked_against_the_row(any_engine):
    """A staff account limited to T1 (not a demo role, but the edit layer must hold) cannot touch T2."""
    ids = small_district(any_engine)
    actor = Actor("staff1", Role.STAFF, Scope.townships([ids["T1"]]))
    with pytest.raises(EditError) as err, session_scope(any_engine) as s:
        set_designation(session=s, actor=actor, enterprise_id=ids["D"], designated=True, reason="越权指定", at=AT)
    assert err.value.key == "cases.edit.not_found"
    with session_scope(any_engine) as s:
        set_designation(session=s, actor=actor, enterprise_id=ids["B"], designated=False, reason="本镇取消", at=AT)
    with Session(any_engine) as s:
        assert s.exec(select(ModelDesignation).where(ModelDesignation.enterprise_id == ids["D"])).all() == []
