"""Optimistic concurrency (#21 item 2): every row an edit updates carries a version; a save sends the
version its form showed, the UPDATE's WHERE holds ``version = :shown``, a save from an older form
is refused with ``edit.conflict`` and writes nothing (no row, no audit event) — also when the other
save lands between the edit's read and its UPDATE, and when many saves race in threads (SQLite and
PostgreSQL). Migration 0008 adds the columns, backfills 1 and round-trips."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import sqlalchemy as sa
from alembic import command

from dashboard.edits import Actor, EditError
from dashboard.edits import meetings as edits
from dashboard.queries import meetings as Q
from dashboard.queries.scope import Scope
from dashboard.views.edits import refusal_text, unique_labels
from models.db import alembic_config, head_revision, make_engine, session_scope, upgrade
from models.enums import Role
from models.tables import VERSIONED, ActionItem, CoordinationNotice
from tests.edits.test_meetings_edits import TABLES, snapshot
from tests.queries.test_meetings import build_world

D = dt.date
TODAY = D(2026, 3, 1)


@pytest.fixture
def world(any_engine):
    return any_engine, build_world(any_engine)


def staff(name: str = "staff") -> Actor:
    return Actor(name, Role.STAFF, Scope.district())


def run(engine, fn, **kwargs):
    with session_scope(engine) as s:
        return fn(session=s, today=TODAY, **kwargs)


def version(engine, table: str, row_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT version FROM {table} WHERE id = :i"), {"i": row_id}).scalar_one()


def conflict(engine, fn, **kwargs) -> EditError:
    """The edit is refused as a conflict and nothing at all is written."""
    before = snapshot(engine)
    with pytest.raises(EditError) as info:
        run(engine, fn, **kwargs)
    assert info.value.key == "edit.conflict", (info.value.key, info.value.params)
    assert snapshot(engine) == before
    return info.value


# --------------------------------------------------------------------------- the columns


def test_the_updated_tables_carry_a_version_that_starts_at_one(world):
    engine, w = world
    assert {t.name for t in VERSIONED} >= {"action_item", "coordination_notice"}
    with engine.connect() as conn:
        for table in VERSIONED:
            col = next(c for c in sa.inspect(conn).get_columns(table.name) if c["name"] == "version")
            assert col["nullable"] is False
    # rows written without a version (the world builder, any bulk loader) start at 1
    assert version(engine, "action_item", w.item["i2"]) == 1
    assert version(engine, "coordination_notice", w.notice["n1"]) == 1
    with engine.begin() as conn:  # plain SQL without the column (another tool): the server default
        new = conn.execute(sa.text(
            "INSERT INTO action_item (decision_id, description, owner_unit_id, created_on, due_on, status) "
            "VALUES (:d, '手工录入', :u, :day, :day, 'open') RETURNING id"),
            {"d": w.decision["D2"], "u": w.unit["ZZB"], "day": D(2026, 1, 1)}).scalar_one()
    assert version(engine, "action_item", new) == 1


def test_the_picker_queries_return_the_version_they_show(world):
    engine, w = world
    run(engine, edits.set_action_status, actor=staff(), item_id=w.item["i2"], version=1, status="in_progress")
    with session_scope(engine) as s:
        items = Q.action_items(s, Scope.district(), TODAY, only_open=True)
        notices = Q.notices(s, Scope.district(), TODAY, unresolved=True)
    assert dict(zip(items["id"], items["version"], strict=True))[w.item["i2"]] == 2
    assert dict(zip(notices["id"], notices["version"], strict=True))[w.notice["n1"]] == 1


# --------------------------------------------------------------------------- one save after another


def test_a_status_save_bumps_the_version_and_a_save_from_an_older_form_is_refused(world):
    engine, w = world
    item = w.item["i2"]
    run(engine, edits.set_action_status, actor=staff("a"), item_id=item, version=1, status="done", done_on=D(2026, 2, 28))
    assert version(engine, "action_item", item) == 2
    # b's form was drawn before a's save: it still shows version 1
    err = conflict(engine, edits.set_action_status, actor=staff("b"), item_id=item, version=1, status="in_progress")
    assert refusal_text(err, "zh") == "未保存：已被他人修改，请刷新后重试。"
    assert refusal_text(err, "en").startswith("Not saved: ") and "someone else" in refusal_text(err, "en").lower()
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT status, done_on FROM action_item WHERE id = :i"), {"i": item}).one()
    assert (row.status, str(row.done_on)) == ("done", "2026-02-28")  # a's save stands
    # after a refresh b sees version 2 and may save
    run(engine, edits.set_action_status, actor=staff("b"), item_id=item, version=2, status="in_progress")
    assert version(engine, "action_item", item) == 3


def test_a_notice_note_is_not_replaced_by_a_save_from_an_older_form(world):
    """The issue's case: a note silently replaced by another user's save from an older form."""
    engine, w = world
    notice = w.notice["n1"]
    run(engine, edits.record_notice_response, actor=staff("a"), notice_id=notice, version=1,
        acknowledged_on=D(2026, 1, 10), note="甲：已转民营局党委")
    conflict(engine, edits.record_notice_response, actor=staff("b"), notice_id=notice, version=1,
             acknowledged_on=D(2026, 1, 12), note="乙：另一份说明")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT acknowledged_on, note, version FROM coordination_notice WHERE id = :i"),
                           {"i": notice}).one()
    assert (str(row.acknowledged_on), row.note, row.version) == ("2026-01-10", "甲：已转民营局党委", 2)


@pytest.mark.parametrize("shown", [None, "", "x", 0, 99])
def test_a_missing_or_wrong_version_is_a_conflict(world, shown):
    engine, w = world
    conflict(engine, edits.set_action_status, actor=staff(), item_id=w.item["i2"], version=shown, status="done",
             done_on=D(2026, 2, 1))
    conflict(engine, edits.record_notice_response, actor=staff(), notice_id=w.notice["n1"], version=shown,
             acknowledged_on=D(2026, 1, 10))


def test_scope_is_checked_before_the_version(world):
    """A crafted request for another township's row learns nothing from the version check."""
    engine, w = world
    a = Actor("town_A", Role.TOWNSHIP, Scope.townships([w.township["A"]]))
    with pytest.raises(EditError) as info:
        run(engine, edits.set_action_status, actor=a, item_id=w.item["i3"], version=99, status="done",
            done_on=D(2026, 2, 1))
    assert info.value.key == "edit.forbidden_scope"


# --------------------------------------------------------------------------- the other save lands in between


@pytest.mark.parametrize("table, call", [
    ("action_item", lambda w: dict(fn=edits.set_action_status, item_id=w.item["i2"], status="done",
                                   done_on=D(2026, 2, 1))),
    ("coordination_notice", lambda w: dict(fn=edits.record_notice_response, notice_id=w.notice["n1"],
                                           acknowledged_on=D(2026, 1, 10), note="迟到的说明")),
])
def test_a_save_committed_between_the_edits_read_and_its_update_is_not_overwritten(world, table, call):
    """The version is checked by the UPDATE itself, not only by the read before it: another
    connection commits a change just before the edit's UPDATE runs — the edit is refused."""
    engine, w = world
    kwargs = call(w)
    fn, row_id = kwargs.pop("fn"), kwargs.get("item_id", kwargs.get("notice_id"))
    other = make_engine(engine.url.render_as_string(hide_password=False))
    fired = []

    def before_update(conn, clauseelement, multiparams, params, execution_options):
        if not fired and isinstance(clauseelement, sa.Update) and clauseelement.table.name == table:
            fired.append(True)
            with other.begin() as c:  # someone else's save, committed first
                c.execute(sa.text(f"UPDATE {table} SET note = 'other', version = version + 1 WHERE id = :i"
                                  if table == "coordination_notice" else
                                  f"UPDATE {table} SET description = 'other', version = version + 1 WHERE id = :i"),
                          {"i": row_id})

    sa.event.listen(engine, "before_execute", before_update)
    try:
        audits_before = snapshot(engine)["audit_event"]
        with pytest.raises(EditError) as info:
            run(engine, fn, actor=staff(), version=1, **kwargs)
        assert info.value.key == "edit.conflict"
    finally:
        sa.event.remove(engine, "before_execute", before_update)
        other.dispose()
    assert fired, "the edit ran no UPDATE on the row"
    assert snapshot(engine)["audit_event"] == audits_before  # no audit event
    assert version(engine, table, row_id) == 2  # only the other save
    with engine.connect() as conn:
        col = "note" if table == "coordination_notice" else "description"
        assert conn.execute(sa.text(f"SELECT {col} FROM {table} WHERE id = :i"), {"i": row_id}).scalar_one() == "other"


def test_parallel_saves_of_one_shown_version_one_wins(world):
    """Eight people save the same item from the same form at once: exactly one save is written
    (one audit event, version 2), the seven others are refused as conflicts."""
    engine, w = world
    item, n = w.item["i2"], 8
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def save(i: int) -> None:
        barrier.wait()
        try:
            run(engine, edits.set_action_status, actor=staff(f"user{i}"), item_id=item, version=1,
                status="done" if i % 2 else "in_progress", done_on=D(2026, 2, 1 + i))
            outcome = "saved"
        except EditError as err:
            outcome = err.key
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(results) == ["edit.conflict"] * (n - 1) + ["saved"], results
    assert version(engine, "action_item", item) == 2
    with engine.connect() as conn:
        events = conn.execute(sa.text("SELECT username, after_json FROM audit_event WHERE action = 'action_item.status' "
                                      "AND entity_id = :i"), {"i": str(item)}).all()
        row = conn.execute(sa.text("SELECT status, done_on FROM action_item WHERE id = :i"), {"i": item}).one()
    assert len(events) == 1
    assert json.loads(events[0].after_json)["status"] == row.status  # the row is the winner's save


# --------------------------------------------------------------------------- picker labels


def test_pickers_give_every_row_its_own_label():
    """Streamlit maps a picked label back to its option (the last one wins on equal labels), so two
    rows with the same words must not share a label: the id is added to the ones that collide."""
    labels = unique_labels({716: "逾期 · 甲镇党委 · 摸底 · 2026-01-15", 1053: "逾期 · 甲镇党委 · 摸底 · 2026-01-15",
                            9: "正常 · 区总工会 · 观摩 · 2026-06-01"})
    assert len(set(labels.values())) == 3
    assert labels[9] == "正常 · 区总工会 · 观摩 · 2026-06-01"  # a unique label stays as it is
    assert labels[716].endswith("#716") and labels[1053].endswith("#1053")
    # a label that already ends like another row's disambiguated label still stays unique
    tricky = unique_labels({1: "甲 · #2", 2: "甲", 3: "甲"})
    assert len(set(tricky.values())) == 3


# --------------------------------------------------------------------------- migration 0008


def _round_trip(engine) -> None:
    """At head with rows; down to 0007 (the column goes, the rows stay); up again: every version 1."""
    w = build_world(engine)
    run(engine, edits.set_action_status, actor=staff(), item_id=w.item["i2"], version=1, status="in_progress")
    assert version(engine, "action_item", w.item["i2"]) == 2
    counts = {t: len(rows) for t, rows in snapshot(engine).items()}
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        insp = sa.inspect(conn)
        present = set(insp.get_table_names())
        for table in VERSIONED:
            if table.name in present:  # a table of a later revision (group_document, 0017) is not there at all
                assert "version" not in {c["name"] for c in insp.get_columns(table.name)}
        assert "action_item" in present and "coordination_notice" in present
    assert {t: len(rows) for t, rows in snapshot_without_version(engine).items()} == counts
    upgrade(engine)
    with engine.connect() as conn:
        for table in VERSIONED:
            assert set(conn.execute(sa.text(f"SELECT DISTINCT version FROM {table.name}")).scalars()) <= {1}
        assert conn.execute(sa.text("SELECT COUNT(*) FROM action_item")).scalar_one() == counts["action_item"]


def snapshot_without_version(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT id FROM {t}")).all() for t in TABLES}


def test_migration_0008_backfills_one_and_round_trips_on_sqlite(sqlite_engine):
    assert head_revision() >= "0008"
    with sqlite_engine.connect() as conn:
        before = {r.name: r.sql for r in conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name IN ('action_item', 'coordination_notice') "
            "AND type IN ('table', 'index', 'trigger')"))}
    _round_trip(sqlite_engine)
    with sqlite_engine.connect() as conn:
        after = {r.name: r.sql for r in conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name IN ('action_item', 'coordination_notice') "
            "AND type IN ('table', 'index', 'trigger')"))}
    assert set(after) == set(before)  # every index kept through the batch rebuild
    for name in ("action_item", "coordination_notice"):
        for check in ("ck_action_done_on", "ck_actionstatus", "ck_notice_ack", "ck_noticedirection"):
            assert (check in before[name]) == (check in after[name]), (name, check)


@pytest.mark.postgres
def test_migration_0008_backfills_one_and_round_trips_on_postgres(pg_url):
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        _round_trip(engine)
    finally:
        engine.dispose()


def test_the_models_know_which_tables_are_versioned():
    assert ActionItem.__table__ in VERSIONED and CoordinationNotice.__table__ in VERSIONED
    for table in VERSIONED:
        assert table.c.version.server_default is not None and not table.c.version.nullable


def test_the_designation_picker_tells_two_enterprises_of_one_name_apart():
    import pandas as pd

    from dashboard.views.cases import search_options

    found = pd.DataFrame({"enterprise_id": [5, 8, 9], "name": ["吉林市某某有限公司", "吉林市某某有限公司", "另一家公司"],
                          "township": ["越北镇", "越北镇", "越北镇"]})
    labels = search_options(found)
    assert labels == {5: "吉林市某某有限公司（越北镇） · #5", 8: "吉林市某某有限公司（越北镇） · #8", 9: "另一家公司（越北镇）"}
