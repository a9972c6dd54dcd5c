"""The ledger import end to end on real databases (SQLite and PostgreSQL): the demo district
exported and imported into an empty database gives the same figures at several dates; a later
file becomes dated events with history kept; all or nothing; scope; batches and undo."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from dashboard.edits.ledger_import import import_files, import_ledger, list_batches, undo_batch, undo_problem
from dashboard.ledgerfile import spec
from dashboard.ledgerfile.export import ledger_rows
from dashboard.ledgerfile.workbook import ledger_csvs, ledger_workbook
from dashboard.queries import coverage
from dashboard.queries.scope import Scope
from models.db import session_scope
from models.enums import LiaisonKind, Ownership, Role, TownshipKind, UnionKind
from models.rules import make_uscc
from models.tables import Enterprise, HeadcountCensus, Township, UnionOrg
from tests.factories import DEMO_TODAY, table_counts

ADMIN = Actor("admin", Role.ADMIN)
DATES = (dt.date(2002, 12, 31), dt.date(2010, 6, 30), dt.date(2019, 1, 1), DEMO_TODAY)


def export_bytes(engine, scope=Scope.district()) -> bytes:
    with engine.connect() as conn:
        return ledger_workbook(ledger_rows(conn, scope, today=DEMO_TODAY))


def figures(engine, day: dt.date, scope=Scope.district()) -> tuple:
    with Session(engine) as s:
        k = coverage.coverage_kpis(s, scope, day)
        start = dt.date(day.year, 1, 1)
        return (k, coverage.unions_founded(s, scope, start, day), coverage.members_joined(s, scope, start, day))


@pytest.fixture(scope="module")
def demo_export(demo_template, tmp_path_factory) -> bytes:
    from models.db import make_engine

    engine = make_engine(demo_template.copy(tmp_path_factory.mktemp("export") / "demo.sqlite"))
    try:
        return export_bytes(engine)
    finally:
        engine.dispose()


def test_the_demo_district_exported_and_imported_into_an_empty_database_gives_the_same_figures(
        demo_export, demo_engine, any_engine):
    out = import_ledger(any_engine, demo_export, "demo.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.ok, out.problems[:5]
    assert out.written and out.totals()["enterprises_new"] == 741
    for day in DATES:
        assert figures(any_engine, day) == figures(demo_engine, day), day
    with Session(any_engine) as s:  # the summaries were built: the overview reads them
        assert coverage.summaries_fresh(s)
    # the same file again changes nothing, and says so
    again = import_ledger(any_engine, demo_export, "demo.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert again.ok and not again.changed and not again.written
    assert again.same_file_batch == out.batch_id


def test_csv_variant_imports_like_the_workbook(demo_engine, sqlite_engine):
    with demo_engine.connect() as conn:
        files = ledger_csvs(ledger_rows(conn, Scope.district(), today=DEMO_TODAY))
    out = import_files(sqlite_engine, list(files.items()), actor=ADMIN, today=DEMO_TODAY)
    assert out.ok, out.problems[:5]
    assert set(out.encodings.values()) == {"utf-8-sig"}
    assert figures(sqlite_engine, DEMO_TODAY) == figures(demo_engine, DEMO_TODAY)


# --------------------------------------------------------------------------- filled in by hand


def _fill(ws, rows: list[list]) -> None:
    for r in rows:
        ws.append(r)


def hand_filled_template() -> bytes:
    """The template as a clerk fills it in Excel: example rows deleted, two townships, four
    enterprises, dates typed in several ways, a full-width number, a joint union."""
    from dashboard.ledgerfile.workbook import ledger_workbook

    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook(example=True)))
    for ws in wb.worksheets[1:]:
        ws.delete_rows(2, ws.max_row)
    a, b, c, d = (make_uscc(division="330102", serial=n) for n in (11, 12, 13, 14))
    _fill(wb["乡镇街道"], [["330102001", "东湖镇", "镇", 1], ["330102002", "西溪街道", "街道", None]])
    _fill(wb["企业"], [
        [a, "东湖精密机械有限公司", "东湖镇", "否", "私营", "制造业", "1998-03-16", None, 120, 5, 96, "2002/12/31"],
        [b, "东湖纺织厂", "东湖镇", "否", "改制企业", "纺织业", "1995.6.1", None, "８０", 1, 40, "2002年12月31日"],
        [c, "西溪餐饮店", "330102002", "否", "个体", "餐饮", dt.datetime(2001, 5, 8), None, 12, 0, 5, 37621],
        [d, "西溪物流有限公司", "西溪街道", "否", "私营", "物流", "20000101", "2002-06-30", 30, 4, None, "2002-06-30"],
    ])
    _fill(wb["工会"], [
        ["东湖精密机械工会", "企业工会", "东湖镇", a, "1999-06-01"],
        ["西溪联合工会", "联合工会", "西溪街道", f"{b}；{c}", "2001-07-01"],
    ])
    _fill(wb["党组织"], [["东湖精密机械党支部", "党支部", "东湖镇", a, "2001-07-01"]])
    _fill(wb["联络员"], [[b, "李某", "下派党建指导员", None, "2002-03-01"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_empty_database_comes_up_from_a_hand_filled_template(any_engine):
    out = import_ledger(any_engine, hand_filled_template(), "台账.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.ok, out.problems
    assert out.townships_created == ["东湖镇", "西溪街道"]
    assert out.units_created == ["西溪街道党工委"] or out.units_created == ["东湖镇党委"]
    k, _, _ = figures(any_engine, dt.date(2002, 12, 31))
    assert k.operating == 3  # 西溪物流 closed on 2002-06-30
    assert (k.union_coverage.numerator, k.union_coverage.denominator) == (3, 3)
    assert (k.qualified_built.numerator, k.qualified_built.denominator) == (1, 1)
    # members 96 + 40 + 5 of employees 120 + 80 + 12
    assert (k.membership.numerator, k.membership.denominator) == (141, 212)
    assert (k.work_coverage.numerator, k.work_coverage.denominator) == (2, 3)  # a branch, a dispatched officer
    k_mid = figures(any_engine, dt.date(2002, 1, 1))[0]
    assert k_mid.operating == 4
    with Session(any_engine) as s:
        kinds = dict(s.execute(sa.select(Township.code, Township.kind)).all())
        assert kinds == {"330102001": TownshipKind.TOWN, "330102002": TownshipKind.SUBDISTRICT}


# --------------------------------------------------------------------------- a later file


def _rows_of(engine, township_code: str) -> dict[str, list[dict]]:
    with engine.connect() as conn:
        tid = conn.execute(sa.select(Township.id).where(Township.code == township_code)).scalar_one()
        return {k: list(v) for k, v in ledger_rows(conn, Scope.townships([tid]), today=DEMO_TODAY).items()}


def test_a_later_file_becomes_dated_events_and_keeps_the_history(any_own_demo_engine):
    engine = any_own_demo_engine
    rows = _rows_of(engine, "YB")
    before = figures(engine, DEMO_TODAY)
    open_ones = [r for r in rows["enterprises"] if r["closed_on"] is None]
    closing, recount = open_ones[0], open_ones[1]
    closing["closed_on"] = dt.date(2026, 6, 30)
    recount.update(employees=recount["employees"] + 10, census_on=dt.date(2026, 10, 1))
    old_counts = {k: v for k, v in recount.items() if k in ("employees", "party_members")}
    new = make_uscc(division="330102", serial=777)
    rows["enterprises"].append({"uscc": new, "name": "越北新材料有限公司", "township": "越北镇", "ownership": Ownership.PRIVATE,
                                "registered_on": dt.date(2026, 3, 1), "employees": 40, "party_members": 3,
                                "census_on": dt.date(2026, 10, 1)})
    rows["unions"].append({"name": "越北新材料工会", "kind": UnionKind.ENTERPRISE, "township": "越北镇",
                           "enterprises": [(new, None, None)], "founded_on": dt.date(2026, 9, 1)})
    rows["liaisons"].append({"uscc": new, "name": "王某", "kind": LiaisonKind.OWN, "appointed_on": dt.date(2026, 9, 1)})
    data = ledger_workbook(rows)
    counts_before = table_counts(engine)

    dry = import_ledger(engine, data, "越北镇.xlsx", actor=ADMIN, dry_run=True, today=DEMO_TODAY)
    assert dry.ok and dry.changed and not dry.written
    assert table_counts(engine) == counts_before  # a dry run writes nothing
    assert dry.per_township["越北镇"]["enterprises_new"] == 1
    assert dry.per_township["越北镇"]["enterprises_closed"] == 1
    assert dry.per_township["越北镇"]["censuses"] == 1
    assert dry.per_township["越北镇"]["unions_founded"] == 1
    assert dry.kpis_after["operating"] == dry.kpis_before["operating"]  # one closed, one new

    out = import_ledger(engine, data, "越北镇.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals() == dry.totals() and out.kpis_after == dry.kpis_after
    after = figures(engine, DEMO_TODAY)
    assert after != before
    with Session(engine) as s:
        assert s.execute(sa.select(Enterprise.closed_on).where(Enterprise.uscc == closing["uscc"])).scalar_one() \
            == dt.date(2026, 6, 30)
        eid = s.execute(sa.select(Enterprise.id).where(Enterprise.uscc == recount["uscc"])).scalar_one()
        history = s.execute(sa.select(HeadcountCensus.census_on, HeadcountCensus.employees)
                            .where(HeadcountCensus.enterprise_id == eid).order_by(HeadcountCensus.census_on)).all()
        assert history[-1] == (dt.date(2026, 10, 1), old_counts["employees"])
        assert history[0][1] == old_counts["employees"] - 10  # the earlier figures are kept
        assert s.get(Enterprise, eid).employees == old_counts["employees"]
        assert coverage.summaries_fresh(s)  # brought up to date for 越北镇 only, and fresh
    # the summaries agree with the exact SQL after the partial refresh
    with Session(engine) as s:
        assert coverage.coverage_by_township_summary(s, Scope.district(), DEMO_TODAY).equals(
            coverage.coverage_by_township_exact(s, Scope.district(), DEMO_TODAY))

    # undo the newest batch: every table as before, the figures as before
    with session_scope(engine) as s:
        undo_batch(s, out.batch_id, actor=ADMIN)
    after_undo = table_counts(engine)
    changed = {k for k in after_undo if after_undo[k] != counts_before[k]}
    assert changed <= {"import_batch", "audit_event", "data_version", "coverage_delta", "coverage_month",
                       "enterprise_state", "headcount_census"}
    assert figures(engine, DEMO_TODAY) == before
    with Session(engine) as s:
        assert s.execute(sa.select(Enterprise.closed_on).where(Enterprise.uscc == closing["uscc"])).scalar_one() is None
        assert s.execute(sa.select(sa.func.count()).select_from(HeadcountCensus)).scalar_one() == 0
        assert list_batches(s)[0].undone_by == "admin"
        assert undo_problem(s, out.batch_id) == "import.undo.already"


def test_undo_is_refused_after_an_edit_and_for_an_older_batch(any_own_demo_engine):
    engine = any_own_demo_engine
    rows = _rows_of(engine, "YB")
    rows["enterprises"][0]["name"] += "（更名）"
    first = import_ledger(engine, ledger_workbook(rows), "a.xlsx", actor=ADMIN, today=DEMO_TODAY)
    rows["enterprises"][1]["name"] += "（更名）"
    second = import_ledger(engine, ledger_workbook(rows), "b.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert first.written and second.written
    assert first.totals()["enterprises_changed"] == 1 and second.totals()["enterprises_changed"] == 1
    with session_scope(engine) as s:
        with pytest.raises(EditError) as err:
            undo_batch(s, first.batch_id, actor=ADMIN)
        assert err.value.key == "import.undo.not_newest"
    with session_scope(engine) as s:  # an edit in place after the batch
        s.execute(sa.update(Enterprise).where(Enterprise.uscc == rows["enterprises"][5]["uscc"]).values(industry="其他"))
    with session_scope(engine) as s:
        assert undo_problem(s, second.batch_id) == "import.undo.edited_after"
        with pytest.raises(EditError):
            undo_batch(s, second.batch_id, actor=ADMIN)
    with session_scope(engine) as s:
        with pytest.raises(EditError):
            undo_batch(s, second.batch_id, actor=Actor("lead", Role.LEADER))


# --------------------------------------------------------------------------- all or nothing, scope


def test_one_bad_cell_among_thousands_writes_nothing_and_every_problem_is_reported(demo_export, sqlite_engine):
    wb = openpyxl.load_workbook(io.BytesIO(demo_export))
    ws = wb["企业"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    ws.cell(5, col["成立日期"]).value = "2002年13月1日"
    ws.cell(9, col["统一社会信用代码"]).value = ws.cell(9, col["统一社会信用代码"]).value[:-1] + "0"
    ws.cell(12, col["乡镇街道"]).value = "不存在镇"
    ws.cell(20, col["统一社会信用代码"]).value = ws.cell(21, col["统一社会信用代码"]).value
    ws.cell(30, col["正式党员数"]).value = -1
    unions = wb["工会"]
    uh = {c.value: i + 1 for i, c in enumerate(unions[1])}
    for r in range(2, unions.max_row + 1):
        if unions.cell(r, uh["工会类型"]).value == "联合工会":
            first = str(unions.cell(r, uh["覆盖企业"]).value).split("；")[0].split("[")[0]
            unions.cell(r, uh["覆盖企业"]).value = f"{unions.cell(r, uh['覆盖企业']).value}；{first}"
            joint_row = r
            break
    buf = io.BytesIO()
    wb.save(buf)
    counts = table_counts(sqlite_engine)
    out = import_ledger(sqlite_engine, buf.getvalue(), "bad.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert not out.ok and not out.written
    assert table_counts(sqlite_engine) == counts
    found = {(p.sheet, p.row, p.column) for p in out.problems}
    assert ("企业", 5, "成立日期") in found
    assert ("企业", 9, "统一社会信用代码") in found
    assert ("企业", 12, "乡镇街道") in found
    assert ("企业", 21, "统一社会信用代码") in found  # the second of the two rows with one USCC
    assert ("企业", 30, "正式党员数") in found
    assert ("工会", joint_row, "覆盖企业") in found
    reasons = {(p.row, p.reason_zh) for p in out.problems if p.sheet == "企业"}
    assert (5, "不存在的日期") in reasons
    assert any("校验码错误" in r for row, r in reasons if row == 9)
    assert (21, "与第 20 行重复") in reasons


def test_a_township_account_imports_only_its_own_townships(any_own_demo_engine):
    engine = any_own_demo_engine
    with Session(engine) as s:
        ids = dict(s.execute(sa.select(Township.code, Township.id)).all())
    yuebei = Actor("yuebei", Role.TOWNSHIP, Scope.townships([ids["YB"]]))
    own = _rows_of(engine, "YB")
    own["enterprises"][0]["name"] += "（更名）"
    assert import_ledger(engine, ledger_workbook(own), "own.xlsx", actor=yuebei, today=DEMO_TODAY).written

    other = _rows_of(engine, "QL")
    other["enterprises"][0]["name"] += "（更名）"
    counts = table_counts(engine)
    out = import_ledger(engine, ledger_workbook(other), "other.xlsx", actor=yuebei, today=DEMO_TODAY)
    assert not out.ok and table_counts(engine) == counts
    assert {p.sheet for p in out.problems} >= {"乡镇街道", "企业"}
    assert all("不在您负责的乡镇街道" in p.reason_zh for p in out.problems)
    # moving one of its enterprises to another township is refused too
    moved = _rows_of(engine, "YB")
    moved["enterprises"][0]["township"] = "青岚街道"
    out = import_ledger(engine, ledger_workbook({"enterprises": moved["enterprises"][:1]}), "m.xlsx", actor=yuebei,
                        today=DEMO_TODAY)
    assert not out.ok
    with pytest.raises(EditError):
        import_ledger(engine, ledger_workbook(own), "own.xlsx", actor=Actor("lead", Role.LEADER), today=DEMO_TODAY)


def test_a_membership_change_for_an_enterprise_without_a_union_is_refused_whole(sqlite_engine):
    a = make_uscc(division="330102", serial=21)
    rows = {"townships": [{"code": "T1", "name": "甲镇", "kind": TownshipKind.TOWN}],
            "enterprises": [{"uscc": a, "name": "甲厂", "township": "甲镇", "ownership": Ownership.PRIVATE,
                             "registered_on": dt.date(2001, 1, 1), "employees": 10, "party_members": 0,
                             "census_on": dt.date(2002, 1, 1)}],
            "membership": [{"uscc": a, "changed_on": dt.date(2002, 1, 1), "joined": 5}]}
    counts = table_counts(sqlite_engine)
    out = import_ledger(sqlite_engine, ledger_workbook(rows), "m.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert not out.ok and table_counts(sqlite_engine) == counts
    assert [(p.sheet, p.row, p.reason_zh) for p in out.problems] == [("会员变动", 2, "该企业没有工会，不能记录会员变动")]


def test_the_batch_keeps_who_what_and_the_diff(sqlite_engine):
    out = import_ledger(sqlite_engine, hand_filled_template(), "台账.xlsx", actor=ADMIN, today=DEMO_TODAY)
    with Session(sqlite_engine) as s:
        (batch,) = list_batches(s)
        event = s.execute(sa.text("SELECT action, entity_id, after_json FROM audit_event")).one()
    assert (batch.id, batch.username, batch.filename, batch.rows) == (out.batch_id, "admin", "台账.xlsx", 10)
    assert batch.summary["totals"]["enterprises_new"] == 4 and batch.summary["kpis_after"]["operating"] >= 3
    assert event.action == "ledger.import" and event.entity_id == str(out.batch_id)
    assert json.loads(event.after_json)["sha256"] == out.sha256


def test_every_sheet_of_the_spec_is_exported(demo_engine):
    with demo_engine.connect() as conn:
        rows = ledger_rows(conn, Scope.district(), today=DEMO_TODAY)
        assert set(rows) == {s.key for s in spec.SHEETS}
        firsts = {k: next(iter(v)) for k, v in rows.items()}
    for sheet in spec.SHEETS:
        assert set(firsts[sheet.key]) <= {c.key for c in sheet.columns}, sheet.key
    with Session(demo_engine) as s:
        federations = s.execute(sa.select(sa.func.count()).where(UnionOrg.kind == UnionKind.FEDERATION)).scalar_one()
    assert federations == 3


def test_a_past_date_shows_the_headcounts_of_that_date(any_own_demo_engine):
    """A new census changes the figures from its date on: before it, the earlier headcounts count
    (the exact SQL and the summaries agree on both sides of the census)."""
    engine = any_own_demo_engine
    rows = _rows_of(engine, "YB")
    census = dt.date(2026, 10, 1)
    grown = next(r for r in rows["enterprises"] if r["closed_on"] is None and r["party_members"] == 1
                 and r["employees"] >= 10 and r["registered_on"] < dt.date(2020, 1, 1))
    grown.update(party_members=4, employees=grown["employees"] + 20, census_on=census)
    day_before, scope = census - dt.timedelta(days=1), Scope.district()
    before = {d: figures(engine, d)[0] for d in (day_before, DEMO_TODAY)}
    out = import_ledger(engine, ledger_workbook({"enterprises": [grown]}), "c.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals()["censuses"] == 1
    after = {d: figures(engine, d)[0] for d in (day_before, DEMO_TODAY)}
    assert after[day_before] == before[day_before]  # the past is as it was
    assert after[DEMO_TODAY].qualified_built.denominator == before[DEMO_TODAY].qualified_built.denominator + 1
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        for d in (day_before, census, DEMO_TODAY):
            assert coverage.coverage_by_township_summary(s, scope, d).equals(
                coverage.coverage_by_township_exact(s, scope, d)), d


# --------------------------------------------------------------------------- what a review found


def test_a_change_of_an_attribute_only_is_written_and_shown(any_own_demo_engine):
    engine = any_own_demo_engine
    rows = _rows_of(engine, "YB")
    union = next(r for r in rows["unions"] if r["kind"] == UnionKind.ENTERPRISE and r["dissolved_on"] is None)
    union["chair_name"] = "新主席"
    out = import_ledger(engine, ledger_workbook({"unions": [union]}), "u.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals()["unions_changed"] == 1
    with Session(engine) as s:
        assert s.execute(sa.select(UnionOrg.chair_name).where(UnionOrg.name == union["name"])).scalars().all() == ["新主席"]


def test_a_joint_union_over_two_townships_keeps_both_townships_summaries_right(any_own_demo_engine):
    engine = any_own_demo_engine
    yb, ql = _rows_of(engine, "YB"), _rows_of(engine, "QL")
    covered = {u for r in ql["unions"] for u, _s, _e in r["enterprises"]}
    outsider = next(r for r in ql["enterprises"] if r["closed_on"] is None and r["uscc"] not in covered)
    insider = next(r for r in yb["enterprises"] if r["closed_on"] is None)
    joint = {"name": "跨镇联合工会", "kind": UnionKind.JOINT, "township": "越北镇", "founded_on": dt.date(2026, 1, 5),
             "enterprises": [(insider["uscc"], None, None), (outsider["uscc"], None, None)]}
    out = import_ledger(engine, ledger_workbook({"unions": [joint]}), "j.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        assert coverage.coverage_by_township_summary(s, Scope.district(), DEMO_TODAY).equals(
            coverage.coverage_by_township_exact(s, Scope.district(), DEMO_TODAY))
    with session_scope(engine) as s:
        undo_batch(s, out.batch_id, actor=ADMIN)
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        assert coverage.coverage_by_township_summary(s, Scope.district(), DEMO_TODAY).equals(
            coverage.coverage_by_township_exact(s, Scope.district(), DEMO_TODAY))


def test_members_given_twice_for_one_day_must_agree(sqlite_engine):
    a = make_uscc(division="330102", serial=31)
    rows = {"townships": [{"code": "T1", "name": "甲镇", "kind": TownshipKind.TOWN}],
            "enterprises": [{"uscc": a, "name": "甲厂", "township": "甲镇", "ownership": Ownership.PRIVATE,
                             "registered_on": dt.date(2001, 1, 1), "employees": 50, "party_members": 0,
                             "union_members": 30, "census_on": dt.date(2002, 1, 1)}],
            "unions": [{"name": "甲厂工会", "kind": UnionKind.ENTERPRISE, "township": "甲镇",
                        "enterprises": [(a, None, None)], "founded_on": dt.date(2001, 6, 1)}],
            "membership": [{"uscc": a, "changed_on": dt.date(2002, 1, 1), "joined": 20}]}
    out = import_ledger(sqlite_engine, ledger_workbook(rows), "m.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert [(p.sheet, p.column) for p in out.problems] == [("企业", "工会会员数")]
    rows["enterprises"][0]["union_members"] = 20  # agrees: written once, then nothing to change
    first = import_ledger(sqlite_engine, ledger_workbook(rows), "m.xlsx", actor=ADMIN, today=DEMO_TODAY)
    again = import_ledger(sqlite_engine, ledger_workbook(rows), "m.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert first.written and not again.changed


def test_a_township_account_cannot_reach_another_townships_records_through_its_own_rows(any_own_demo_engine):
    engine = any_own_demo_engine
    with Session(engine) as s:
        ids = dict(s.execute(sa.select(Township.code, Township.id)).all())
    yuebei = Actor("yuebei", Role.TOWNSHIP, Scope.townships([ids["YB"]]))
    counts = table_counts(engine)
    # a union of 青岚街道 renamed "from" a row that says 越北镇
    ql_union = next(r for r in _rows_of(engine, "QL")["unions"] if r["kind"] == UnionKind.ENTERPRISE)
    out = import_ledger(engine, ledger_workbook({"unions": [{**ql_union, "township": "越北镇", "name": "改名"}]}),
                        "u.xlsx", actor=yuebei, today=DEMO_TODAY)
    assert not out.ok
    # a liaison officer of its own enterprise, dispatched by another township's committee
    own = next(r for r in _rows_of(engine, "YB")["enterprises"] if r["closed_on"] is None)
    liaison = {"uscc": own["uscc"], "name": "赵某", "kind": LiaisonKind.DISPATCHED, "unit": "青岚街道党工委",
               "appointed_on": dt.date(2026, 1, 1)}
    out = import_ledger(engine, ledger_workbook({"liaisons": [liaison]}), "l.xlsx", actor=yuebei, today=DEMO_TODAY)
    assert not out.ok and out.problems[0].column == "派出单位"
    # its own township renamed
    town = _rows_of(engine, "YB")["townships"][0]
    out = import_ledger(engine, ledger_workbook({"townships": [{**town, "name": "越北新镇"}]}), "t.xlsx", actor=yuebei,
                        today=DEMO_TODAY)
    assert not out.ok
    assert table_counts(engine) == counts


def test_a_column_left_out_of_a_file_changes_nothing(any_own_demo_engine):
    engine = any_own_demo_engine
    rows = _rows_of(engine, "YB")["enterprises"]
    target = next(r for r in rows if r["legal_rep"] and r["industry"])
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook({"enterprises": [{**target, "name": target["name"] + "（新）"}]})))
    ws = wb["企业"]
    for header in ("法定代表人", "行业", "未建党组织原因", "出资人是党员", "村级企业"):
        ws.delete_cols([c.value for c in ws[1]].index(header) + 1)
    data = io.BytesIO()
    wb.save(data)
    out = import_ledger(engine, data.getvalue(), "partial.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals()["enterprises_changed"] == 1
    with Session(engine) as s:
        row = s.execute(sa.select(Enterprise).where(Enterprise.uscc == target["uscc"])).scalar_one()
        assert (row.name, row.legal_rep, row.industry) == (target["name"] + "（新）", target["legal_rep"], target["industry"])


def test_true_false_and_times_are_refused_where_text_belongs(sqlite_engine):
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook({"townships": [
        {"code": "T1", "name": "甲镇", "kind": TownshipKind.TOWN}]})))
    ws = wb["乡镇街道"]
    ws["A2"].value = True
    ws["B2"].value = dt.time(8, 30)
    data = io.BytesIO()
    wb.save(data)
    out = import_ledger(sqlite_engine, data.getvalue(), "t.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert [(p.row, p.column) for p in out.problems] == [(2, "区划代码"), (2, "名称")]


def test_the_enterprise_history_shows_each_census(sqlite_engine):
    from dashboard.queries.timeline import enterprise_timeline

    import_ledger(sqlite_engine, hand_filled_template(), "a.xlsx", actor=ADMIN, today=DEMO_TODAY)
    a = make_uscc(division="330102", serial=11)
    rows = {"enterprises": [{"uscc": a, "name": "东湖精密机械有限公司", "township": "东湖镇", "ownership": Ownership.PRIVATE,
                             "industry": "制造业", "registered_on": dt.date(1998, 3, 16), "employees": 150,
                             "party_members": 6, "union_members": 96, "census_on": dt.date(2005, 12, 31)}]}
    assert import_ledger(sqlite_engine, ledger_workbook(rows), "b.xlsx", actor=ADMIN, today=DEMO_TODAY).written
    with Session(sqlite_engine) as s:
        eid = s.execute(sa.select(Enterprise.id).where(Enterprise.uscc == a)).scalar_one()
        history = enterprise_timeline(s, Scope.district(), eid, DEMO_TODAY)
    censuses = history[history["kind"] == "census"]
    assert list(censuses["detail"]) == ["120 / 5 / 96", "150 / 6 / 96"]


# --------------------------------------------------------------------------- what a second review found


def _fresh_district(engine):
    a = make_uscc(division="330102", serial=41)
    rows = {"townships": [{"code": "T1", "name": "甲镇", "kind": TownshipKind.TOWN}],
            "enterprises": [{"uscc": a, "name": "甲厂", "township": "甲镇", "ownership": Ownership.PRIVATE,
                             "registered_on": dt.date(2001, 1, 1), "employees": 50, "party_members": 1,
                             "census_on": dt.date(2001, 1, 1)}],
            "unions": [{"name": "甲厂工会", "kind": UnionKind.ENTERPRISE, "township": "甲镇",
                        "enterprises": [(a, None, None)], "founded_on": dt.date(2001, 6, 1)}],
            "liaisons": [{"uscc": a, "name": "钱某", "kind": LiaisonKind.OWN, "appointed_on": dt.date(2002, 1, 1)}],
            "membership": [{"uscc": a, "changed_on": dt.date(2002, 1, 1), "joined": 5, "left": 2}]}
    assert import_ledger(engine, ledger_workbook(rows), "a.xlsx", actor=ADMIN, today=DEMO_TODAY).written
    return a, rows


def _without(data: bytes, sheet: str, *headers: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    for header in headers:
        ws.delete_cols([c.value for c in ws[1]].index(header) + 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_census_on_the_registration_day_of_an_enterprise_without_one(any_own_demo_engine):
    engine = any_own_demo_engine
    row = next(r for r in _rows_of(engine, "YB")["enterprises"] if r["closed_on"] is None)
    row.update(census_on=row["registered_on"], employees=row["employees"] + 1)
    out = import_ledger(engine, ledger_workbook({"enterprises": [row]}), "c.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals()["censuses"] == 1


def test_membership_and_liaison_columns_left_out_change_nothing(sqlite_engine):
    a, rows = _fresh_district(sqlite_engine)
    counts = table_counts(sqlite_engine)
    same_membership = _without(ledger_workbook({"membership": rows["membership"]}), "会员变动", "退会人数")
    again = import_ledger(sqlite_engine, same_membership, "m.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert again.ok and not again.changed and table_counts(sqlite_engine) == counts
    same_liaison = _without(ledger_workbook({"liaisons": rows["liaisons"]}), "联络员", "派出单位")
    again = import_ledger(sqlite_engine, same_liaison, "l.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert again.ok and not again.changed and not again.units_created
    # the kind changed to dispatched without the column: the township's committee, no error
    dispatched = _without(ledger_workbook({"liaisons": [{**rows["liaisons"][0], "kind": LiaisonKind.DISPATCHED}]}),
                          "联络员", "派出单位")
    out = import_ledger(sqlite_engine, dispatched, "d.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.units_created == ["甲镇党委"] and out.totals()["liaisons_changed"] == 1


def test_a_commit_after_someone_else_wrote_is_refused_as_stale(sqlite_engine):
    a, rows = _fresh_district(sqlite_engine)
    rows["enterprises"][0]["name"] = "甲厂（新）"
    data = ledger_workbook({"enterprises": rows["enterprises"]})
    check = import_ledger(sqlite_engine, data, "e.xlsx", actor=ADMIN, dry_run=True, today=DEMO_TODAY)
    with session_scope(sqlite_engine) as s:  # an edit in between that changes no count of the diff
        s.execute(sa.update(Enterprise).where(Enterprise.uscc == a).values(industry="其他"))
    commit = import_ledger(sqlite_engine, data, "e.xlsx", actor=ADMIN, today=DEMO_TODAY, expected=check.changes())
    assert commit.stale and not commit.written and commit.totals() == check.totals()
    fresh_check = import_ledger(sqlite_engine, data, "e.xlsx", actor=ADMIN, dry_run=True, today=DEMO_TODAY)
    assert import_ledger(sqlite_engine, data, "e.xlsx", actor=ADMIN, today=DEMO_TODAY,
                         expected=fresh_check.changes()).written


def test_a_township_account_founds_a_federation_and_its_union_in_one_file(any_own_demo_engine):
    engine = any_own_demo_engine
    with Session(engine) as s:
        yb = s.execute(sa.select(Township.id).where(Township.code == "YB")).scalar_one()
    own = next(r for r in _rows_of(engine, "YB")["enterprises"] if r["closed_on"] is None)
    rows = {"unions": [
        {"name": "越北镇新业态工会联合会", "kind": UnionKind.FEDERATION, "township": "越北镇", "founded_on": dt.date(2026, 5, 1)},
        {"name": "越北新业态联合工会", "kind": UnionKind.JOINT, "township": "越北镇", "founded_on": dt.date(2026, 5, 2),
         "enterprises": [(own["uscc"], None, None)], "federation": "越北镇新业态工会联合会"}]}
    out = import_ledger(engine, ledger_workbook(rows), "f.xlsx", actor=Actor("yuebei", Role.TOWNSHIP, Scope.townships([yb])),
                        today=DEMO_TODAY)
    assert out.written, out.problems


def test_three_censuses_give_the_same_figures_in_sql_and_in_the_summaries(sqlite_engine):
    a, rows = _fresh_district(sqlite_engine)
    for day, members in ((dt.date(2005, 1, 1), 3), (dt.date(2010, 1, 1), 60), (dt.date(2015, 1, 1), 120)):
        ent = {**rows["enterprises"][0], "census_on": day, "party_members": members, "employees": 300}
        assert import_ledger(sqlite_engine, ledger_workbook({"enterprises": [ent]}), "c.xlsx", actor=ADMIN,
                             today=DEMO_TODAY).written
    with Session(sqlite_engine) as s:
        assert coverage.summaries_fresh(s)
        for day in (dt.date(2002, 1, 1), dt.date(2005, 1, 1), dt.date(2007, 1, 1), dt.date(2012, 1, 1), DEMO_TODAY):
            assert coverage.coverage_by_township_summary(s, Scope.district(), day).equals(
                coverage.coverage_by_township_exact(s, Scope.district(), day)), day
        qualified = [coverage.coverage_kpis(s, Scope.district(), d).qualified_built.denominator
                     for d in (dt.date(2004, 1, 1), dt.date(2006, 1, 1))]
    assert qualified == [0, 1]  # 1 member before the 2005 census, 3 after it


def test_the_three_you_flags_import_move_enterprises_in_and_out_of_the_base(any_own_demo_engine):
    """Issue 14 item 2: 有固定经营场所 / 有正常经营活动 from a file (是/否; a blank reads 是, a column
    left out changes nothing); the 三有 figures follow at once, from the summaries the import keeps."""
    from models.enums import Base

    engine = any_own_demo_engine
    rows = _rows_of(engine, "YB")["enterprises"]
    inside = [r for r in rows if r["fixed_premises"] and r["trading"] and r["closed_on"] is None
              and r["employees"] >= 10][:2]
    assert len(inside) == 2
    sanyou = Scope.district().with_base(Base.SANYOU)
    before = figures(engine, DEMO_TODAY, sanyou)[0].operating
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook({"enterprises": [
        {**inside[0], "fixed_premises": False}, {**inside[1], "trading": False}]})))
    data = io.BytesIO()
    wb.save(data)
    out = import_ledger(engine, data.getvalue(), "flags.xlsx", actor=ADMIN, today=DEMO_TODAY)
    assert out.written and out.totals()["enterprises_changed"] == 2
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        assert coverage.coverage_kpis(s, sanyou, DEMO_TODAY).operating == before - 2
        assert coverage.coverage_kpis(s, Scope.district(), DEMO_TODAY).operating == figures(engine, DEMO_TODAY)[0].operating
        flags = dict(s.execute(sa.select(Enterprise.uscc, Enterprise.fixed_premises)
                               .where(Enterprise.uscc.in_([r["uscc"] for r in inside]))).all())
    assert flags == {inside[0]["uscc"]: False, inside[1]["uscc"]: True}
    # blank cells read 是: the enterprise is back in the base; a file without the columns changes nothing
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook({"enterprises": [inside[0]]})))
    ws = wb["企业"]
    col = [c.value for c in ws[1]].index("有固定经营场所") + 1
    ws.cell(row=2, column=col).value = None
    wb.save(data := io.BytesIO())
    assert import_ledger(engine, data.getvalue(), "blank.xlsx", actor=ADMIN, today=DEMO_TODAY).written
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook({"enterprises": [{**inside[1], "trading": True}]})))
    ws = wb["企业"]
    for header in ("有固定经营场所", "有正常经营活动"):
        ws.delete_cols([c.value for c in ws[1]].index(header) + 1)
    wb.save(data := io.BytesIO())
    # (its trading set to 是 in the rows, but without the column the file says nothing about it)
    assert import_ledger(engine, data.getvalue(), "without.xlsx", actor=ADMIN, today=DEMO_TODAY).writes == 0
    with Session(engine) as s:
        flags = dict(s.execute(sa.select(Enterprise.uscc, sa.and_(Enterprise.fixed_premises, Enterprise.trading))
                               .where(Enterprise.uscc.in_([r["uscc"] for r in inside]))).all())
        assert coverage.coverage_kpis(s, sanyou, DEMO_TODAY).operating == before - 1
    assert flags == {inside[0]["uscc"]: True, inside[1]["uscc"]: False}
