"""The ledger import makes 盯住源头 leads: a new enterprise without a union in the file becomes a
founding lead (counted in the diff, dry run included); one with its union in the file does not; an
undo removes the untouched leads, and refuses when someone has worked on one (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.edits import Actor, EditError
from dashboard.edits import leads as lead_edits
from dashboard.edits.ledger_import import import_ledger, undo_batch
from dashboard.ledgerfile.export import ledger_rows
from dashboard.ledgerfile.workbook import ledger_workbook
from dashboard.queries.scope import Scope
from models.db import session_scope
from models.enums import Ownership, Role, UnionKind
from models.rules import make_uscc
from models.tables import Township
from tests.factories import DEMO_TODAY, table_counts

ADMIN = Actor("admin", Role.ADMIN)


def file_with_two_new_enterprises(engine) -> tuple[bytes, str, str]:
    with engine.connect() as conn:
        tid = conn.execute(sa.select(Township.id).where(Township.code == "YB")).scalar_one()
        rows = {k: list(v) for k, v in ledger_rows(conn, Scope.townships([tid]), today=DEMO_TODAY).items()}
    bare, unionised = make_uscc(division="330102", serial=881), make_uscc(division="330102", serial=882)
    for uscc, name in ((bare, "越北新注册甲公司"), (unionised, "越北新注册乙公司")):
        rows["enterprises"].append({"uscc": uscc, "name": name, "township": "越北镇", "ownership": Ownership.PRIVATE,
                                    "registered_on": dt.date(2026, 10, 8), "employees": 30, "party_members": 0,
                                    "census_on": dt.date(2026, 10, 8)})
    rows["unions"].append({"name": "越北新注册乙公司工会", "kind": UnionKind.ENTERPRISE, "township": "越北镇",
                           "enterprises": [(unionised, None, None)], "founded_on": dt.date(2026, 11, 1)})
    return ledger_workbook(rows), bare, unionised


def leads_of(engine, uscc: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(
            "SELECT l.* FROM founding_lead l JOIN enterprise e ON e.id = l.enterprise_id WHERE e.uscc = :u"),
            {"u": uscc}).mappings()]


def test_an_import_makes_registration_leads_and_its_undo_removes_them(any_own_demo_engine):
    engine = any_own_demo_engine
    data, bare, unionised = file_with_two_new_enterprises(engine)
    counts = table_counts(engine)
    dry = import_ledger(engine, data, "越北镇.xlsx", actor=ADMIN, dry_run=True, today=DEMO_TODAY)
    assert dry.ok and dry.per_township["越北镇"]["leads_created"] == 1
    assert table_counts(engine) == counts
    out = import_ledger(engine, data, "越北镇.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals()["leads_created"] == 1
    made = leads_of(engine, bare)
    assert [(m["source"], m["stage"], str(m["identified_on"])) for m in made] == [
        ("registration", "identified", "2026-10-08")]
    assert leads_of(engine, unionised) == []  # its union came in the same file
    with session_scope(engine) as s:
        undo_batch(s, out.batch_id, actor=ADMIN)
    after = table_counts(engine)
    assert after["founding_lead"] == counts["founding_lead"]
    assert after["founding_lead_stage"] == counts["founding_lead_stage"]


def test_an_undo_is_refused_once_someone_worked_on_a_lead_it_made(any_own_demo_engine):
    engine = any_own_demo_engine
    data, bare, _ = file_with_two_new_enterprises(engine)
    out = import_ledger(engine, data, "越北镇.xlsx", actor=ADMIN, today=DEMO_TODAY)
    lead = leads_of(engine, bare)[0]
    with session_scope(engine) as s:
        lead_edits.change_stage(session=s, actor=ADMIN, lead_id=lead["id"], version=1, stage="contacted",
                                on=dt.date(2026, 11, 2), today=DEMO_TODAY)
    counts = table_counts(engine)
    with session_scope(engine) as s, pytest.raises(EditError) as err:
        undo_batch(s, out.batch_id, actor=ADMIN)
    assert err.value.key == "import.undo.leads_worked"
    assert table_counts(engine) == counts


def test_a_union_in_a_file_closes_the_open_lead_and_the_undo_reopens_it(any_own_demo_engine):
    engine = any_own_demo_engine
    with engine.connect() as conn:
        tid = conn.execute(sa.select(Township.id).where(Township.code == "YB")).scalar_one()
        lead = conn.execute(sa.text(
            "SELECT l.id, l.stage, l.stage_on, l.version, e.uscc, e.name FROM founding_lead l "
            "JOIN enterprise e ON e.id = l.enterprise_id WHERE l.township_id = :t AND l.stage NOT IN ('founded', 'dropped') "
            "AND e.closed_on IS NULL ORDER BY l.id LIMIT 1"), {"t": tid}).mappings().first()
        assert lead is not None, "the demo has an open lead in 越北镇"
        rows = {k: list(v) for k, v in ledger_rows(conn, Scope.townships([tid]), today=DEMO_TODAY).items()}
        periods = conn.execute(sa.text("SELECT count(*) FROM founding_lead_stage WHERE lead_id = :i"),
                               {"i": lead["id"]}).scalar_one()
    rows["unions"].append({"name": f"{lead['name']}工会", "kind": UnionKind.ENTERPRISE, "township": "越北镇",
                           "enterprises": [(lead["uscc"], None, None)], "founded_on": dt.date(2026, 11, 20)})
    out = import_ledger(engine, ledger_workbook(rows), "越北镇.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written, [p.zh for p in out.problems]
    with engine.connect() as conn:
        now = conn.execute(sa.text("SELECT stage, union_id, version FROM founding_lead WHERE id = :i"),
                           {"i": lead["id"]}).mappings().one()
        union = conn.execute(sa.text("SELECT union_id FROM union_coverage c JOIN enterprise e ON e.id = c.enterprise_id "
                                     "WHERE e.uscc = :u AND c.end_on IS NULL"), {"u": lead["uscc"]}).scalar_one()
    assert (now["stage"], now["union_id"], now["version"]) == ("founded", union, lead["version"] + 1)
    with session_scope(engine) as s:
        undo_batch(s, out.batch_id, actor=ADMIN)
    with engine.connect() as conn:
        back = conn.execute(sa.text("SELECT stage, union_id, version FROM founding_lead WHERE id = :i"),
                            {"i": lead["id"]}).mappings().one()
        assert (back["stage"], back["union_id"], back["version"]) == (lead["stage"], None, lead["version"])
        assert conn.execute(sa.text("SELECT count(*) FROM founding_lead_stage WHERE lead_id = :i AND end_on IS NULL"),
                            {"i": lead["id"]}).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM founding_lead_stage WHERE lead_id = :i"),
                            {"i": lead["id"]}).scalar_one() == periods
