"""The ledger's enterprise events (``dashboard.edits.enterprises``): each writes exactly its rows, bumps the
enterprise's version, adds one audit event and keeps the summaries equal to a full rebuild (and fresh), so the
coverage figures move as they should; every refused event writes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from dashboard.edits import enterprises as ev
from dashboard.queries import coverage
from dashboard.queries.ledger import enterprise_detail
from dashboard.queries.scope import Scope
from models import rules
from models.db import session_scope
from models.enums import Role
from models.summary import is_fresh, rebuild_summaries
from models.tables import coverage_delta, coverage_month, enterprise_state

D = dt.date
TODAY = D(2026, 11, 30)
ON = D(2026, 6, 15)  # the day most events happen on
SOURCE_TABLES = ("enterprise", "enterprise_change", "headcount_census", "union_org", "union_coverage",
                 "membership_change", "party_org", "party_coverage", "liaison_officer", "audit_event")
SUMMARY_TABLES = ("coverage_delta", "coverage_month", "enterprise_state", "dataset_info")
STAFF = Actor("staff", Role.STAFF, Scope.district())
LEADER = Actor("leader", Role.LEADER, Scope.district())


# --------------------------------------------------------------------------- helpers (also used by
# tests/models/test_summary_incremental.py)


_ORDER = {"coverage_delta": "day, township_id", "coverage_month": "month, township_id", "dataset_info": "key"}


def _fetch(conn: Connection, sql: str) -> list[tuple]:
    """Plain DB-API tuples (tens of thousands of rows: no result-row objects, it is much faster)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return [tuple(r) for r in cursor.fetchall()]
    finally:
        cursor.close()


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table an event may touch, summaries and fingerprint included (in key order)."""
    with engine.connect() as conn:
        return {t: _fetch(conn, f"SELECT * FROM {t} ORDER BY {_ORDER.get(t, 'id')}")
                for t in SOURCE_TABLES + SUMMARY_TABLES}


def summary_rows(conn: Connection) -> dict[str, Counter]:
    """The three summary tables as multisets of rows (``enterprise_state.id`` left out)."""
    out = {}
    for table in (coverage_delta, coverage_month, enterprise_state):
        cols = ", ".join(c.name for c in table.c if c.name != "id")
        out[table.name] = Counter(_fetch(conn, f"SELECT {cols} FROM {table.name}"))
    return out


def assert_same_as_rebuild(engine: Engine, today: dt.date = TODAY, *, fresh: bool = True) -> None:
    """The summaries are (not) fresh and equal, row for row, what a full rebuild writes (the rebuild
    is rolled back: the database stays as the events left it)."""
    with engine.connect() as conn:
        assert is_fresh(conn) is fresh
        if not fresh:
            return
        kept = summary_rows(conn)
        rebuild_summaries(conn, today=today)
        rebuilt = summary_rows(conn)
        conn.rollback()
    for name, rows in rebuilt.items():
        extra, missing = kept[name] - rows, rows - kept[name]
        assert not extra and not missing, (
            f"{name}: {sum(extra.values())} rows only after the events, e.g. {sorted(extra, key=repr)[:4]}; "
            f"{sum(missing.values())} only after a rebuild, e.g. {sorted(missing, key=repr)[:4]}")


def assert_queries_exact(engine: Engine, days, scopes, *, fresh: bool = True) -> None:
    """The query layer's figures (from the summaries when fresh) equal the exact SQL at these dates
    and scopes; and the gap lists (``enterprise_state``) list the same enterprises."""
    with Session(engine) as s:
        assert coverage.summaries_fresh(s) is fresh
        cols = list(coverage.COVERAGE_COLUMNS)
        for scope in scopes:
            exact = {day: coverage.coverage_by_township_exact(s, scope, day) for day in days}
            for day in days:
                got = coverage.coverage_by_township(s, scope, day)  # the summaries' when fresh
                pd.testing.assert_frame_equal(got, exact[day], obj=f"coverage_by_township {scope} {day}")
            assert coverage.coverage_kpis(s, scope, days[0]) == coverage.kpis_from_counts(exact[days[0]], days[0],
                                                                                     scope.base)
            if fresh:  # the trend charts' totals (month ends straight from coverage_month)
                totals = coverage.summary_totals_at(s, scope, list(days), cols)
                for day in days:
                    assert totals[day].to_dict() == exact[day][cols].sum().astype(int).to_dict(), (scope, day)
            for pattern in ("should_build", "no_union", "union_only", "union_and_branch", "union_and_liaison"):
                a = coverage.enterprises_in_pattern(s, scope, days[0], pattern, limit=None)
                b = coverage.enterprise_patterns(s, scope, days[0], pattern=pattern, limit=None)
                assert sorted(a["enterprise_id"]) == sorted(b["enterprise_id"]), (scope, pattern)


def run(engine: Engine, fn, **kwargs):
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("actor", STAFF)
    with session_scope(engine) as s:
        return fn(session=s, **kwargs)


def refused(engine: Engine, fn, key: str, field: str | None = None, **kwargs) -> EditError:
    """The event is refused with ``key`` at ``field`` and no table changed (summaries included)."""
    before = snapshot(engine)
    with pytest.raises(EditError) as info:
        run(engine, fn, **kwargs)
    assert info.value.key == key, (info.value.key, info.value.field, info.value.params)
    assert info.value.field == field, (info.value.key, info.value.field, info.value.params)
    after = snapshot(engine)
    assert after == before, [t for t in after if after[t] != before[t]]
    return info.value


def one(engine: Engine, sql: str, **params):
    """The first row of ``sql`` (a mapping); fails when the demo has none."""
    with engine.connect() as conn:
        row = conn.execute(sa.text(sql), params).mappings().first()
    assert row is not None, f"the demo has no row for: {sql}"
    return {k: D.fromisoformat(v) if k.endswith("_on") and isinstance(v, str) else v for k, v in row.items()}


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def version(engine: Engine, eid: int) -> int:
    return int(scalar(engine, "SELECT version FROM enterprise WHERE id = :e", e=eid))


def town_id(engine: Engine, code: str) -> int:
    return int(scalar(engine, "SELECT id FROM township WHERE code = :c", c=code))


def town_actor(engine: Engine, township_id: int) -> Actor:
    return Actor("yuebei", Role.TOWNSHIP, Scope.townships([township_id]))


def figures(engine: Engine, day: dt.date = TODAY) -> pd.DataFrame:
    """``coverage_by_township`` as the pages read it, indexed by township id."""
    with Session(engine) as s:
        return coverage.coverage_by_township(s, Scope.district(), day).set_index("township_id")


def moved(before: pd.DataFrame, after: pd.DataFrame) -> dict[tuple[int, str], int]:
    """Non-zero changes of the figures: (township, measure) → change."""
    cols = list(coverage.COVERAGE_COLUMNS)
    diff = after[cols] - before[cols]
    return {(int(t), c): int(v) for t, row in diff.iterrows() for c, v in row.items() if v}


def added(before: dict[str, list], after: dict[str, list]) -> dict[str, list[tuple]]:
    """Rows of the source tables found only after (new or changed), per table."""
    out = {t: sorted((Counter(after[t]) - Counter(before[t])).elements(), key=repr) for t in SOURCE_TABLES}
    return {t: rows for t, rows in out.items() if rows}


def removed(before: dict[str, list], after: dict[str, list]) -> dict[str, list[tuple]]:
    """Rows of the source tables found only before (deleted or changed), per table."""
    return added(after, before)


def rows_of(engine: Engine, table: str, **where) -> list[dict]:
    cond = " AND ".join(f"{k} = :{k}" for k in where) or "1 = 1"
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} WHERE {cond} ORDER BY id"), where)
                .mappings()]


def last_audit(engine: Engine) -> dict:
    return rows_of(engine, "audit_event")[-1]


def check_success(engine: Engine, before: dict[str, list], eid: int, old_version: int, event: str,
                  changed: dict[str, int]) -> dict:
    """The common checks of a successful event: the rows added per table (``changed``: table → rows
    added; a table not named gains none; ``enterprise`` counts its changed row), the version bump,
    one audit event, the summaries fresh (each test then compares them with a rebuild once, after its
    last event: a wrong row would stay wrong). Returns the audit's ``after``."""
    after = snapshot(engine)
    gained = {t: len(v) for t, v in added(before, after).items()}
    assert gained == {"audit_event": 1, "enterprise": 1, **changed}, gained
    assert version(engine, eid) == old_version + 1
    audit = last_audit(engine)
    assert (audit["action"], audit["username"], audit["entity"], audit["entity_id"]) == (
        "enterprise_event", "staff", "enterprise", str(eid))
    payload = json.loads(audit["after_json"])
    assert payload["event"] == event
    text = (audit["after_json"] or "") + (audit["before_json"] or "")
    assert "password" not in text and "hash" not in text
    with engine.connect() as conn:
        assert is_fresh(conn)
    return payload


# enterprises picked by what they have on ON (demo ids are not hard-coded)
OLD_OPERATING = "e.closed_on IS NULL AND e.registered_on < '2020-01-01'"
NO_UNION = ("NOT EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id "
            "AND (uc.end_on IS NULL OR uc.end_on > '2026-06-15'))")
OWN_UNION_OPEN = ("EXISTS (SELECT 1 FROM union_coverage uc JOIN union_org u ON u.id = uc.union_id "
                  "WHERE uc.enterprise_id = e.id AND u.enterprise_id = e.id AND uc.end_on IS NULL "
                  "AND uc.start_on < '2020-01-01')")
NO_PARTY = ("NOT EXISTS (SELECT 1 FROM party_coverage pc WHERE pc.enterprise_id = e.id "
            "AND (pc.end_on IS NULL OR pc.end_on > '2026-06-15'))")
NO_LIAISON = ("NOT EXISTS (SELECT 1 FROM liaison_officer lo WHERE lo.enterprise_id = e.id "
              "AND (lo.ended_on IS NULL OR lo.ended_on > '2026-06-15'))")
MEMBERS = "(SELECT coalesce(sum(joined - left_count), 0) FROM membership_change mc WHERE mc.enterprise_id = e.id)"


def pick(engine: Engine, *conds: str, order: str = "e.id", **params):
    """The first enterprise operating since before 2020 that meets ``conds``, with its union ``members``."""
    return one(engine, f"SELECT e.* , {MEMBERS} AS members FROM enterprise e WHERE "
               + " AND ".join((OLD_OPERATING, *conds)) + f" ORDER BY {order}", **params)


# --------------------------------------------------------------------------- successes


@pytest.fixture
def engine(any_own_demo_engine) -> Engine:
    """The demo on SQLite and PostgreSQL (a private copy), its summaries fresh."""
    with any_own_demo_engine.connect() as conn:
        assert is_fresh(conn)
    return any_own_demo_engine


@pytest.fixture
def sqlite_demo(own_demo_engine) -> Engine:
    """The demo on SQLite alone: most refusals stop before any SQL differs between the backends."""
    return own_demo_engine


def test_register_enterprise(engine):
    yb = town_id(engine, "YB")
    uscc = rules.make_uscc(division="220299", serial=77_000_001)
    before, was, was_then = snapshot(engine), figures(engine), figures(engine, ON - dt.timedelta(days=1))
    result = run(engine, ev.register_enterprise, township="YB", uscc=uscc.lower(), name=" 新登记企业 ",
                 ownership="private", industry="制造业", registered_on=ON, employees="30", party_members=4,
                 legal_rep="张三")
    eid = result.ids["enterprise"]
    assert result.township_ids == {yb}
    after = snapshot(engine)
    assert {t: len(v) for t, v in added(before, after).items()} == {
        "enterprise": 1, "headcount_census": 1, "audit_event": 1}
    row = rows_of(engine, "enterprise", id=eid)[0]
    assert (row["uscc"], row["name"], row["township_id"], row["employees"], row["party_members"], row["version"],
            str(row["registered_on"]), row["closed_on"]) == (uscc, "新登记企业", yb, 30, 4, 1, str(ON), None)
    census = rows_of(engine, "headcount_census", enterprise_id=eid)
    assert [(str(c["census_on"]), c["employees"], c["party_members"]) for c in census] == [(str(ON), 30, 4)]
    audit = last_audit(engine)
    assert (audit["action"], audit["entity_id"]) == ("enterprise_event", str(eid))
    assert json.loads(audit["after_json"])["event"] == "register"
    assert "password" not in audit["after_json"] and audit["before_json"] is None
    assert_same_as_rebuild(engine)
    # operating, and with 4 Party members and no organisation: should build
    assert moved(was, figures(engine)) == {(yb, "operating"): 1, (yb, "qualified"): 1,
                                           (yb, "pattern_should_build"): 1}
    assert moved(was_then, figures(engine, ON - dt.timedelta(days=1))) == {}  # not yet registered
    assert_queries_exact(engine, [TODAY, ON - dt.timedelta(days=1)], [Scope.townships([yb])])


def test_close_enterprise(engine):
    e = pick(engine, order="e.id DESC")
    v, before, was = version(engine, e["id"]), snapshot(engine), figures(engine)
    was_then = figures(engine, ON - dt.timedelta(days=1))
    result = run(engine, ev.close_enterprise, enterprise_id=e["id"], version=v, closed_on=ON)
    assert result.township_ids == {e["township_id"]}
    check_success(engine, before, e["id"], v, "close", {})
    assert str(rows_of(engine, "enterprise", id=e["id"])[0]["closed_on"]) == str(ON)
    assert json.loads(last_audit(engine)["before_json"]) == {"closed_on": None}
    change = moved(was, figures(engine))
    assert change[(e["township_id"], "operating")] == -1
    assert {t for t, _ in change} == {e["township_id"]}
    assert moved(was_then, figures(engine, ON - dt.timedelta(days=1))) == {}  # the day before: unchanged
    refused(engine, ev.close_enterprise, "upkeep.err.already_closed", "closed_on", enterprise_id=e["id"],
            version=v + 1, closed_on=TODAY)
    assert_same_as_rebuild(engine)


def test_move_enterprise(engine):
    e = pick(engine, OWN_UNION_OPEN, "EXISTS (SELECT 1 FROM party_org p WHERE p.enterprise_id = e.id)")
    old = e["township_id"]
    new = int(scalar(engine, "SELECT id FROM township WHERE id <> :t ORDER BY id", t=old))
    codes = dict(one(engine, "SELECT (SELECT code FROM township WHERE id = :a) AS a, "
                             "(SELECT code FROM township WHERE id = :b) AS b", a=old, b=new))
    v, before, was = version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.move_enterprise, enterprise_id=e["id"], version=v, township=codes["b"], moved_on=ON)
    assert result.township_ids == {old, new}
    own = {t: int(scalar(engine, f"SELECT count(*) FROM {t} WHERE enterprise_id = :e", e=e["id"]))
           for t in ("union_org", "party_org")}
    assert own["union_org"] >= 1 and own["party_org"] >= 1  # they move with it
    check_success(engine, before, e["id"], v, "move", {"enterprise_change": 1, **own})
    assert rows_of(engine, "enterprise", id=e["id"])[0]["township_id"] == new
    assert {u["township_id"] for u in rows_of(engine, "union_org", enterprise_id=e["id"])} == {new}
    assert {p["township_id"] for p in rows_of(engine, "party_org", enterprise_id=e["id"])} == {new}
    change = rows_of(engine, "enterprise_change", enterprise_id=e["id"])[-1]
    assert (change["kind"], str(change["changed_on"]), change["before_value"], change["after_value"],
            change["username"]) == ("moved", str(ON), codes["a"], codes["b"], "staff")
    now = figures(engine)
    delta = moved(was, now)
    assert delta[(old, "operating")] == -1 and delta[(new, "operating")] == 1
    assert delta[(old, "unionised")] == -1 and delta[(new, "unionised")] == 1
    assert sum(v for (_, c), v in delta.items() if c == "operating") == 0
    assert_queries_exact(engine, [TODAY, D(2010, 1, 1)], [Scope.townships([old]), Scope.townships([new])])
    assert_same_as_rebuild(engine)


def test_found_union(engine):
    e = pick(engine, NO_UNION, f"{MEMBERS} + 5 <= e.employees")
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.found_union, enterprise_id=e["id"], version=v, founded_on=ON, name="新工会", members=5,
                 chair_name="李四", has_workers_congress=True)
    check_success(engine, before, e["id"], v, "union_found",
                  {"union_org": 1, "union_coverage": 1, "membership_change": 1})
    union = rows_of(engine, "union_org", id=result.ids["union"])[0]
    assert (union["kind"], union["enterprise_id"], union["township_id"], str(union["founded_on"]),
            union["dissolved_on"], union["name"], union["chair_name"]) == (
        "enterprise", e["id"], t, str(ON), None, "新工会", "李四")
    cov = rows_of(engine, "union_coverage", id=result.ids["union_coverage"])[0]
    assert (cov["union_id"], cov["enterprise_id"], str(cov["start_on"]), cov["end_on"]) == (
        union["id"], e["id"], str(ON), None)
    mc = rows_of(engine, "membership_change", id=result.ids["membership_change"])[0]
    assert (mc["union_id"], mc["enterprise_id"], str(mc["changed_on"]), mc["joined"], mc["left_count"]) == (
        union["id"], e["id"], str(ON), 5, 0)
    delta = moved(was, figures(engine))
    assert delta[(t, "unionised")] == 1 and delta[(t, "unionised_own")] == 1
    assert delta[(t, "members_unionised")] == 5 + e["members"]
    assert delta[(t, "employees_unionised")] == e["employees"]
    assert (t, "operating") not in delta
    with Session(engine) as s:  # the founding counts among the township's new unions and members
        assert coverage.unions_founded(s, Scope.townships([t]), ON, ON)[ev.UnionKind.ENTERPRISE] >= 1
        assert coverage.members_joined(s, Scope.townships([t]), ON, ON) >= 5
    assert_same_as_rebuild(engine)


def test_join_union(engine):
    e = pick(engine, NO_UNION, f"{MEMBERS} + 2 <= e.employees", "EXISTS (SELECT 1 FROM union_org j "
             "WHERE j.kind = 'joint' AND j.township_id = e.township_id)")
    t, v = e["township_id"], version(engine, e["id"])
    joint = one(engine, "SELECT id FROM union_org WHERE kind = 'joint' AND township_id = :t ORDER BY id", t=t)["id"]
    before, was = snapshot(engine), figures(engine)
    result = run(engine, ev.join_union, enterprise_id=e["id"], version=v, union_id=joint, start_on=ON,
                 members=2)
    check_success(engine, before, e["id"], v, "union_join", {"union_coverage": 1, "membership_change": 1})
    cov = rows_of(engine, "union_coverage", id=result.ids["union_coverage"])[0]
    assert (cov["union_id"], cov["enterprise_id"], str(cov["start_on"]), cov["end_on"]) == (joint, e["id"], str(ON), None)
    delta = moved(was, figures(engine))
    assert delta[(t, "unionised")] == 1 and (t, "unionised_own") not in delta
    assert delta[(t, "members_unionised")] == 2 + e["members"]
    assert_same_as_rebuild(engine)


def test_end_union(engine):
    e = pick(engine, OWN_UNION_OPEN, order="e.id DESC")
    t, v = e["township_id"], version(engine, e["id"])
    cov = one(engine, "SELECT uc.* FROM union_coverage uc WHERE uc.enterprise_id = :e AND uc.end_on IS NULL", e=e["id"])
    before, was, was_then = snapshot(engine), figures(engine), figures(engine, ON)
    run(engine, ev.end_union, enterprise_id=e["id"], version=v, end_on=TODAY)
    members = e["members"]
    after = snapshot(engine)
    changed = removed(before, after)
    assert set(changed) == {"enterprise", "union_coverage", "union_org"}  # updated in place
    check_success(engine, before, e["id"], v, "union_end",
                  {"union_coverage": 1, "union_org": 1, **({"membership_change": 1} if members else {})})
    assert str(rows_of(engine, "union_coverage", id=cov["id"])[0]["end_on"]) == str(TODAY)
    assert str(rows_of(engine, "union_org", id=cov["union_id"])[0]["dissolved_on"]) == str(TODAY)
    if members:
        mc = rows_of(engine, "membership_change", enterprise_id=e["id"])[-1]
        assert (str(mc["changed_on"]), mc["joined"], mc["left_count"]) == (str(TODAY), 0, members)
    assert scalar(engine, "SELECT " + MEMBERS.replace("e.id", ":e"), e=e["id"]) == 0
    delta = moved(was, figures(engine))
    assert delta[(t, "unionised")] == -1 and delta[(t, "unionised_own")] == -1
    assert delta[(t, "members_unionised")] == -members
    assert moved(was_then, figures(engine, ON)) == {}  # before the end: unchanged
    assert_same_as_rebuild(engine)


def test_change_members(engine):
    e = pick(engine, OWN_UNION_OPEN, f"{MEMBERS} + 3 <= e.employees", f"{MEMBERS} >= 1")
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.change_members, enterprise_id=e["id"], version=v, changed_on=TODAY, joined=3, left="1")
    check_success(engine, before, e["id"], v, "members", {"membership_change": 1})
    mc = rows_of(engine, "membership_change", id=result.ids["membership_change"])[0]
    assert (str(mc["changed_on"]), mc["joined"], mc["left_count"]) == (str(TODAY), 3, 1)
    assert moved(was, figures(engine)) == {(t, "members_unionised"): 2}
    assert_same_as_rebuild(engine)


def test_found_party_org(engine):
    e = pick(engine, NO_PARTY, "e.party_members BETWEEN 3 AND 49")
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.found_party_org, enterprise_id=e["id"], version=v, founded_on=ON, name="新党支部",
                 level="branch", secretary_name="王五")
    payload = check_success(engine, before, e["id"], v, "party_found", {"party_org": 1, "party_coverage": 1})
    assert payload["level_confirmed"] is False and payload["level"] == "branch"
    org = rows_of(engine, "party_org", id=result.ids["party_org"])[0]
    assert (org["level"], org["enterprise_id"], org["township_id"], str(org["founded_on"]), org["secretary_name"]) == (
        "branch", e["id"], t, str(ON), "王五")
    cov = rows_of(engine, "party_coverage", id=result.ids["party_coverage"])[0]
    assert (cov["party_org_id"], cov["enterprise_id"], str(cov["start_on"]), cov["end_on"]) == (org["id"], e["id"],
                                                                                               str(ON), None)
    delta = moved(was, figures(engine))
    assert delta[(t, "with_party_org")] == 1 and delta[(t, "with_party_org_own")] == 1
    assert delta[(t, "qualified_with_party_org")] == 1 and delta[(t, "pattern_should_build")] == -1
    assert_same_as_rebuild(engine)


def test_party_level_mismatch_needs_confirmation(engine):
    e = pick(engine, NO_PARTY, "e.party_members BETWEEN 3 AND 49")
    v = version(engine, e["id"])
    err = refused(engine, ev.found_party_org, "upkeep.warn.level", "level", enterprise_id=e["id"], version=v,
                  founded_on=ON, name="党委", level="committee")
    assert err.params["expected"] == "branch" and err.params["members"] == e["party_members"]
    before = snapshot(engine)
    run(engine, ev.found_party_org, enterprise_id=e["id"], version=v, founded_on=ON, name="党委", level="committee",
        confirm_level=True)
    payload = check_success(engine, before, e["id"], v, "party_found", {"party_org": 1, "party_coverage": 1})
    assert payload["level_confirmed"] is True and payload["level"] == "committee"
    few = pick(engine, NO_PARTY, "e.party_members < 3", "e.id <> :x", x=e["id"])
    refused(engine, ev.found_party_org, "upkeep.warn.level_none", "level", enterprise_id=few["id"],
            version=version(engine, few["id"]), founded_on=ON, name="党支部", level="branch")
    refused(engine, ev.found_party_org, "upkeep.err.joint_branch_own", "level", enterprise_id=few["id"],
            version=version(engine, few["id"]), founded_on=ON, name="联合", level="joint_branch")
    assert_same_as_rebuild(engine)


def test_join_party_org(engine):
    joint = one(engine, "SELECT * FROM party_org WHERE level = 'joint_branch' ORDER BY id")
    e = pick(engine, NO_PARTY, "e.township_id = :t", t=joint["township_id"])
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.join_party_org, enterprise_id=e["id"], version=v, party_org_id=str(joint["id"]),
                 start_on=ON)
    check_success(engine, before, e["id"], v, "party_join", {"party_coverage": 1})
    cov = rows_of(engine, "party_coverage", id=result.ids["party_coverage"])[0]
    assert (cov["party_org_id"], cov["enterprise_id"], str(cov["start_on"])) == (joint["id"], e["id"], str(ON))
    delta = moved(was, figures(engine))
    assert delta[(t, "with_party_org")] == 1 and (t, "with_party_org_own") not in delta
    assert_same_as_rebuild(engine)


def test_end_party_org(engine):
    e = pick(engine, "EXISTS (SELECT 1 FROM party_coverage pc JOIN party_org p ON p.id = pc.party_org_id WHERE "
             "pc.enterprise_id = e.id AND p.enterprise_id = e.id AND pc.end_on IS NULL AND pc.start_on < '2026-01-01')")
    cov = one(engine, "SELECT * FROM party_coverage WHERE enterprise_id = :e AND end_on IS NULL", e=e["id"])
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    run(engine, ev.end_party_org, enterprise_id=e["id"], version=v, end_on=ON)
    check_success(engine, before, e["id"], v, "party_end", {"party_coverage": 1, "party_org": 1})
    assert str(rows_of(engine, "party_coverage", id=cov["id"])[0]["end_on"]) == str(ON)
    assert str(rows_of(engine, "party_org", id=cov["party_org_id"])[0]["dissolved_on"]) == str(ON)
    delta = moved(was, figures(engine))
    assert delta[(t, "with_party_org")] == -1 and delta[(t, "with_party_org_own")] == -1
    refused(engine, ev.end_party_org, "upkeep.err.no_party", "end_on", enterprise_id=e["id"], version=v + 1,
            end_on=TODAY)
    assert_same_as_rebuild(engine)


def test_appoint_and_end_liaison(engine):
    e = pick(engine, NO_PARTY, NO_LIAISON, "e.party_members < 3")
    unit = one(engine, "SELECT * FROM unit ORDER BY id")
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.appoint_liaison, enterprise_id=e["id"], version=v, name="赵六", kind="dispatched",
                 appointed_on=ON, unit_id=unit["id"])
    check_success(engine, before, e["id"], v, "liaison_appoint", {"liaison_officer": 1})
    row = rows_of(engine, "liaison_officer", id=result.ids["liaison"])[0]
    assert (row["name"], row["kind"], row["dispatched_by_unit_id"], str(row["appointed_on"]), row["ended_on"]) == (
        "赵六", "dispatched", unit["id"], str(ON), None)
    delta = moved(was, figures(engine))
    assert delta[(t, "party_or_liaison")] == 1 and (t, "with_party_org") not in delta

    before, was = snapshot(engine), figures(engine)
    run(engine, ev.end_liaison, enterprise_id=e["id"], version=v + 1, liaison_id=row["id"], ended_on=TODAY)
    check_success(engine, before, e["id"], v + 1, "liaison_end", {"liaison_officer": 1})
    assert str(rows_of(engine, "liaison_officer", id=row["id"])[0]["ended_on"]) == str(TODAY)
    assert moved(was, figures(engine))[(t, "party_or_liaison")] == -1
    refused(engine, ev.end_liaison, "upkeep.err.ends_later", "ended_on", enterprise_id=e["id"], version=v + 2,
            liaison_id=row["id"], ended_on=TODAY)
    assert_same_as_rebuild(engine)


def test_record_census_keeps_history(engine):
    e = pick(engine, OWN_UNION_OPEN, "e.party_members < 3", "e.employees >= 1",
             "NOT EXISTS (SELECT 1 FROM headcount_census h WHERE h.enterprise_id = e.id)")
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    day_before = ON - dt.timedelta(days=1)
    was_then = figures(engine, day_before)
    emp, pm = e["employees"] + 10, 3
    result = run(engine, ev.record_census, enterprise_id=e["id"], version=v, census_on=ON, employees=emp,
                 party_members=pm)
    # the figures so far become the first census (on the registration day), then the new one
    check_success(engine, before, e["id"], v, "census", {"headcount_census": 2})
    census = rows_of(engine, "headcount_census", enterprise_id=e["id"])
    assert [(str(c["census_on"]), c["employees"], c["party_members"]) for c in census] == [
        (str(e["registered_on"]), e["employees"], e["party_members"]), (str(ON), emp, pm)]
    assert census[-1]["id"] == result.ids["census"]
    row = rows_of(engine, "enterprise", id=e["id"])[0]
    assert (row["employees"], row["party_members"]) == (emp, pm)
    assert json.loads(last_audit(engine)["before_json"]) == {"employees": e["employees"],
                                                             "party_members": e["party_members"]}
    with Session(engine) as s:
        then = lambda d: s.execute(sa.select(coverage.headcount_as_of("employees", d),
                                             coverage.headcount_as_of("party_members", d))
                                   .where(coverage.E.c.id == e["id"])).one()
        assert tuple(then(day_before)) == (e["employees"], e["party_members"])
        assert tuple(then(ON)) == (emp, pm) and tuple(then(TODAY)) == (emp, pm)
        past = enterprise_detail(s, Scope.district(), e["id"], day_before)
        assert (past.employees, past.party_members) == (e["employees"], e["party_members"])
        now = enterprise_detail(s, Scope.district(), e["id"], TODAY)
        assert (now.employees, now.party_members, now.version) == (emp, pm, v + 1)
    assert moved(was_then, figures(engine, day_before)) == {}  # the past keeps the old headcount
    delta = moved(was, figures(engine))
    assert delta[(t, "employees_unionised")] == 10 and delta[(t, "qualified")] == 1
    # an earlier census (between the two) is history only: the enterprise's own figures stay
    before = snapshot(engine)
    run(engine, ev.record_census, enterprise_id=e["id"], version=v + 1, census_on=D(2026, 1, 10), employees=emp - 5,
        party_members=1, union_members=None)
    check_success(engine, before, e["id"], v + 1, "census", {"headcount_census": 1})
    row = rows_of(engine, "enterprise", id=e["id"])[0]
    assert (row["employees"], row["party_members"]) == (emp, pm)
    with Session(engine) as s:
        assert enterprise_detail(s, Scope.district(), e["id"], D(2026, 2, 1)).employees == emp - 5
    refused(engine, ev.record_census, "upkeep.err.census_exists", "census_on", enterprise_id=e["id"], version=v + 2,
            census_on=ON, employees=5, party_members=0)
    assert_queries_exact(engine, [TODAY, day_before, D(2026, 1, 10), D(2026, 1, 31)], [Scope.townships([t])])
    assert_same_as_rebuild(engine)


def test_record_census_with_union_members(engine):
    e = pick(engine, OWN_UNION_OPEN, "e.employees >= 4",
             "NOT EXISTS (SELECT 1 FROM membership_change m WHERE m.enterprise_id = e.id AND m.changed_on > '2026-11-01')")
    t, v, before, was = e["township_id"], version(engine, e["id"]), snapshot(engine), figures(engine)
    target = 0 if e["members"] else e["employees"] - 1  # a different count either way
    result = run(engine, ev.record_census, enterprise_id=e["id"], version=v, census_on=TODAY,
                 employees=e["employees"], party_members=e["party_members"], union_members=target)
    check_success(engine, before, e["id"], v, "census", {"headcount_census": 2, "membership_change": 1})
    mc = rows_of(engine, "membership_change", id=result.ids["membership_change"])[0]
    diff = target - e["members"]
    assert (str(mc["changed_on"]), mc["joined"], mc["left_count"]) == (str(TODAY), max(diff, 0), max(-diff, 0))
    assert moved(was, figures(engine)).get((t, "members_unionised")) == diff
    assert_same_as_rebuild(engine)


def test_set_barrier(engine):
    e = pick(engine, NO_PARTY, "e.barrier IS NULL")
    v, before, was = version(engine, e["id"]), snapshot(engine), figures(engine)
    result = run(engine, ev.set_barrier, enterprise_id=e["id"], version=v, barrier="afraid", noted_on=ON)
    payload = check_success(engine, before, e["id"], v, "barrier", {"enterprise_change": 1})
    assert payload["barrier"] == "afraid"
    change = rows_of(engine, "enterprise_change", id=result.ids["change"])[0]
    assert (change["kind"], change["before_value"], change["after_value"]) == ("barrier", None, "afraid")
    assert rows_of(engine, "enterprise", id=e["id"])[0]["barrier"] == "afraid"
    assert moved(was, figures(engine)) == {}
    refused(engine, ev.set_barrier, "upkeep.err.no_change", "barrier", enterprise_id=e["id"], version=v + 1,
            barrier="afraid", noted_on=ON)
    before = snapshot(engine)
    run(engine, ev.set_barrier, enterprise_id=e["id"], version=v + 1, barrier="", noted_on=TODAY)  # cleared
    check_success(engine, before, e["id"], v + 1, "barrier", {"enterprise_change": 1})
    assert rows_of(engine, "enterprise", id=e["id"])[0]["barrier"] is None
    assert_same_as_rebuild(engine)


# --------------------------------------------------------------------------- refusals: who and which version


def test_leader_and_out_of_scope_are_refused(engine):
    e = pick(engine, NO_UNION)
    v = version(engine, e["id"])
    other = int(scalar(engine, "SELECT id FROM township WHERE id <> :t ORDER BY id", t=e["township_id"]))
    args = {"enterprise_id": e["id"], "version": v, "founded_on": ON, "name": "工会", "members": 0}
    refused(engine, ev.found_union, "edit.forbidden_role", actor=LEADER, **args)
    refused(engine, ev.found_union, "edit.forbidden_scope", actor=town_actor(engine, other), **args)
    refused(engine, ev.register_enterprise, "edit.forbidden_role", actor=LEADER, township="YB",
            uscc=rules.make_uscc(division="220299", serial=77_000_002), name="x", ownership="private",
            industry="制造业", registered_on=ON, employees=3, party_members=0)
    refused(engine, ev.register_enterprise, "edit.forbidden_scope", actor=town_actor(engine, town_id(engine, "QL")),
            township="YB", uscc=rules.make_uscc(division="220299", serial=77_000_003), name="x",
            ownership="private", industry="制造业", registered_on=ON, employees=3, party_members=0)
    refused(engine, ev.close_enterprise, "edit.gone", enterprise_id=10_000_000, version=1, closed_on=ON)
    # the township's own actor may
    before = snapshot(engine)
    run(engine, ev.found_union, actor=Actor("staff", Role.TOWNSHIP, Scope.townships([e["township_id"]])), **args)
    check_success(engine, before, e["id"], v, "union_found", {"union_org": 1, "union_coverage": 1})


def test_stale_version_is_a_conflict(engine):
    e = pick(engine, NO_UNION)
    v = version(engine, e["id"])
    run(engine, ev.set_barrier, enterprise_id=e["id"], version=v, barrier="afraid", noted_on=ON)
    for shown in (v, v + 2, 0, "1.0", None, True):
        refused(engine, ev.found_union, "edit.conflict", enterprise_id=e["id"], version=shown, founded_on=ON,
                name="工会", members=0)


# --------------------------------------------------------------------------- refusals: dates and counts


def test_dates_are_refused(sqlite_demo):
    engine = sqlite_demo
    e = pick(engine, NO_UNION, "e.registered_on > '2000-01-01'")
    v = version(engine, e["id"])
    args = {"enterprise_id": e["id"], "version": v, "name": "工会", "members": 0}
    refused(engine, ev.found_union, "upkeep.err.in_future", "founded_on", founded_on=TODAY + dt.timedelta(days=1), **args)
    refused(engine, ev.found_union, "upkeep.err.before_registration", "founded_on",
            founded_on=e["registered_on"] - dt.timedelta(days=1), **args)
    refused(engine, ev.found_union, "upkeep.err.required", "founded_on", founded_on="", **args)
    refused(engine, ev.found_union, "upkeep.err.bad_date", "founded_on", founded_on="2026-02-30", **args)
    refused(engine, ev.register_enterprise, "upkeep.err.in_future", "registered_on", township="YB",
            uscc=rules.make_uscc(division="220299", serial=77_000_004), name="x", ownership="private",
            industry="制造业", registered_on=TODAY + dt.timedelta(days=1), employees=3, party_members=0)
    # after the closure
    closed = one(engine, "SELECT e.* FROM enterprise e WHERE e.closed_on IS NOT NULL AND e.closed_on < '2026-01-01' "
                         "ORDER BY e.id")
    cv = version(engine, closed["id"])
    refused(engine, ev.found_union, "upkeep.err.after_closure", "founded_on", enterprise_id=closed["id"], version=cv,
            founded_on=closed["closed_on"] + dt.timedelta(days=1), name="工会", members=0)
    refused(engine, ev.record_census, "upkeep.err.after_closure", "census_on", enterprise_id=closed["id"], version=cv,
            census_on=TODAY, employees=3, party_members=0)
    refused(engine, ev.close_enterprise, "upkeep.err.already_closed", "closed_on", enterprise_id=closed["id"],
            version=cv, closed_on=TODAY)


def test_end_before_start_is_refused(sqlite_demo):
    engine = sqlite_demo
    e = pick(engine, NO_PARTY, NO_LIAISON, NO_UNION, "e.employees >= 2", f"{MEMBERS} = 0")
    v = version(engine, e["id"])
    liaison = run(engine, ev.appoint_liaison, enterprise_id=e["id"], version=v, name="联络员", kind="own",
                  appointed_on=ON).ids["liaison"]
    refused(engine, ev.end_liaison, "upkeep.err.before_start", "ended_on", enterprise_id=e["id"], version=v + 1,
            liaison_id=liaison, ended_on=ON - dt.timedelta(days=1))
    refused(engine, ev.appoint_liaison, "upkeep.err.liaison_serving", "person", enterprise_id=e["id"],
            version=v + 1, name="联络员", kind="own", appointed_on=TODAY)
    refused(engine, ev.appoint_liaison, "upkeep.err.unit_required", "unit", enterprise_id=e["id"], version=v + 1,
            name="指导员", kind="dispatched", appointed_on=TODAY)
    refused(engine, ev.end_liaison, "upkeep.err.unknown_liaison", "liaison", enterprise_id=e["id"], version=v + 1,
            liaison_id=liaison + 10_000, ended_on=TODAY)
    # a union founded on ON: ending it before that finds no union in force on the day
    run(engine, ev.found_union, enterprise_id=e["id"], version=v + 1, founded_on=ON, name="工会", members=0)
    refused(engine, ev.end_union, "upkeep.err.no_union", "end_on", enterprise_id=e["id"], version=v + 2,
            end_on=ON - dt.timedelta(days=1))
    run(engine, ev.change_members, enterprise_id=e["id"], version=v + 2, changed_on=D(2026, 9, 1), joined=1)
    refused(engine, ev.end_union, "upkeep.err.members_after", "end_on", enterprise_id=e["id"], version=v + 3,
            end_on=D(2026, 8, 1))
    run(engine, ev.end_union, enterprise_id=e["id"], version=v + 3, end_on=D(2026, 10, 1))
    refused(engine, ev.end_union, "upkeep.err.no_union", "end_on", enterprise_id=e["id"], version=v + 4,
            end_on=D(2026, 10, 2))
    refused(engine, ev.change_members, "upkeep.err.no_union", "changed_on", enterprise_id=e["id"], version=v + 4,
            changed_on=TODAY, joined=1)
    # ending on an earlier day than the recorded end: the period already has an end
    refused(engine, ev.end_union, "upkeep.err.ends_later", "end_on", enterprise_id=e["id"], version=v + 4,
            end_on=D(2026, 9, 15))
    assert_same_as_rebuild(engine)


@pytest.mark.parametrize("field, value, key", [
    ("joined", -1, "upkeep.err.negative"),
    ("joined", "2.5", "upkeep.err.bad_count"),
    ("joined", 2.5, "upkeep.err.bad_count"),
    ("joined", True, "upkeep.err.bad_count"),
    ("joined", "zwei", "upkeep.err.bad_count"),
    ("joined", 10_000_001, "upkeep.err.too_large"),
    ("left", -3, "upkeep.err.negative"),
    ("left", "1e2", "upkeep.err.bad_count"),
])
def test_bad_counts_are_refused(sqlite_demo, field, value, key):
    engine = sqlite_demo
    e = pick(engine, OWN_UNION_OPEN, f"{MEMBERS} >= 1")
    args = {"joined": 0, "left": 0, field: value}
    refused(engine, ev.change_members, key, field, enterprise_id=e["id"], version=version(engine, e["id"]),
            changed_on=TODAY, **args)


def test_counts_beyond_the_headcount_are_refused(sqlite_demo):
    engine = sqlite_demo
    covered = pick(engine, OWN_UNION_OPEN, f"{MEMBERS} >= 1", f"{MEMBERS} < e.employees")
    v = version(engine, covered["id"])
    members, employees = covered["members"], covered["employees"]
    err = refused(engine, ev.change_members, "upkeep.err.left_gt_members", "left", enterprise_id=covered["id"],
                  version=v, changed_on=TODAY, left=members + 1)
    assert err.params == {"left": members + 1, "members": members}
    refused(engine, ev.change_members, "upkeep.err.union_members_gt_employees", "joined",
            enterprise_id=covered["id"], version=v, changed_on=TODAY, joined=employees - members + 1)
    refused(engine, ev.change_members, "upkeep.err.no_change", "joined", enterprise_id=covered["id"], version=v,
            changed_on=TODAY, joined=0, left="0")
    refused(engine, ev.record_census, "upkeep.err.members_gt_employees", "party_members", enterprise_id=covered["id"],
            version=v, census_on=TODAY, employees=4, party_members=5)
    refused(engine, ev.record_census, "upkeep.err.union_members_gt_employees", "union_members",
            enterprise_id=covered["id"], version=v, census_on=TODAY, employees=4, party_members=1, union_members=5)
    refused(engine, ev.record_census, "upkeep.err.negative", "employees", enterprise_id=covered["id"], version=v,
            census_on=TODAY, employees=-4, party_members=0)
    bare = pick(engine, NO_UNION, NO_PARTY)
    bv = version(engine, bare["id"])
    refused(engine, ev.found_union, "upkeep.err.union_members_gt_employees", "members", enterprise_id=bare["id"],
            version=bv, founded_on=ON, name="工会", members=bare["employees"] + 1)
    refused(engine, ev.record_census, "upkeep.err.no_union", "union_members", enterprise_id=bare["id"], version=bv,
            census_on=TODAY, employees=bare["employees"], party_members=bare["party_members"], union_members=0)
    refused(engine, ev.register_enterprise, "upkeep.err.members_gt_employees", "party_members", township="YB",
            uscc=rules.make_uscc(division="220299", serial=77_000_005), name="x", ownership="private",
            industry="制造业", registered_on=ON, employees=3, party_members=4)


# --------------------------------------------------------------------------- refusals: the state of the enterprise


def test_union_state_is_checked(engine):
    covered = pick(engine, OWN_UNION_OPEN)
    cv = version(engine, covered["id"])
    cov = one(engine, "SELECT start_on FROM union_coverage WHERE enterprise_id = :e AND end_on IS NULL "
              "ORDER BY start_on DESC, id DESC", e=covered["id"])
    err = refused(engine, ev.found_union, "upkeep.err.has_union", "founded_on", enterprise_id=covered["id"],
                  version=cv, founded_on=ON, name="工会", members=0)
    assert str(err.params["date"]) == str(cov["start_on"])
    joint = one(engine, "SELECT id FROM union_org WHERE kind = 'joint' ORDER BY id")["id"]
    refused(engine, ev.join_union, "upkeep.err.has_union", "start_on", enterprise_id=covered["id"], version=cv,
            union_id=joint, start_on=ON)
    bare = pick(engine, NO_UNION)
    bv = version(engine, bare["id"])
    refused(engine, ev.end_union, "upkeep.err.no_union", "end_on", enterprise_id=bare["id"], version=bv, end_on=ON)
    refused(engine, ev.change_members, "upkeep.err.no_union", "changed_on", enterprise_id=bare["id"], version=bv,
            changed_on=ON, joined=1)
    own = one(engine, "SELECT id FROM union_org WHERE kind = 'enterprise' ORDER BY id")["id"]
    for not_joint in (own, 10_000_000):
        refused(engine, ev.join_union, "upkeep.err.not_joint_union", "union", enterprise_id=bare["id"], version=bv,
                union_id=not_joint, start_on=ON)
    young = one(engine, "SELECT * FROM union_org WHERE kind = 'joint' ORDER BY founded_on DESC, id")
    if young["founded_on"] > bare["registered_on"]:
        refused(engine, ev.join_union, "upkeep.err.org_not_active", "start_on", enterprise_id=bare["id"], version=bv,
                union_id=young["id"], start_on=young["founded_on"] - dt.timedelta(days=1))
    other = one(engine, "SELECT id FROM union_org WHERE kind = 'joint' AND township_id <> :t ORDER BY id",
                t=bare["township_id"])["id"]
    refused(engine, ev.join_union, "edit.forbidden_scope", enterprise_id=bare["id"], version=bv, union_id=other,
            start_on=ON, actor=town_actor(engine, bare["township_id"]))


def test_party_state_is_checked(sqlite_demo):
    engine = sqlite_demo
    covered = pick(engine, f"NOT ({NO_PARTY})")
    cv = version(engine, covered["id"])
    refused(engine, ev.found_party_org, "upkeep.err.has_party", "founded_on", enterprise_id=covered["id"], version=cv,
            founded_on=ON, name="党支部", level="branch", confirm_level=True)
    bare = pick(engine, NO_PARTY)
    bv = version(engine, bare["id"])
    refused(engine, ev.end_party_org, "upkeep.err.no_party", "end_on", enterprise_id=bare["id"], version=bv, end_on=ON)
    own = one(engine, "SELECT id FROM party_org WHERE level = 'branch' ORDER BY id")["id"]
    refused(engine, ev.join_party_org, "upkeep.err.not_joint_branch", "party_org", enterprise_id=bare["id"],
            version=bv, party_org_id=own, start_on=ON)
    refused(engine, ev.found_party_org, "upkeep.err.bad_choice", "level", enterprise_id=bare["id"], version=bv,
            founded_on=ON, name="x", level="cell")


def test_duplicate_census_day_is_refused(sqlite_demo):
    engine = sqlite_demo
    e = pick(engine, NO_UNION)
    v = version(engine, e["id"])
    run(engine, ev.record_census, enterprise_id=e["id"], version=v, census_on=ON, employees=e["employees"] + 1,
        party_members=e["party_members"])
    refused(engine, ev.record_census, "upkeep.err.census_exists", "census_on", enterprise_id=e["id"], version=v + 1,
            census_on=ON, employees=e["employees"], party_members=e["party_members"])
    # the registration day holds the first census now, too
    refused(engine, ev.record_census, "upkeep.err.census_exists", "census_on", enterprise_id=e["id"], version=v + 1,
            census_on=e["registered_on"], employees=e["employees"], party_members=e["party_members"])


def test_register_uscc_is_checked(sqlite_demo):
    engine = sqlite_demo
    taken = scalar(engine, "SELECT uscc FROM enterprise ORDER BY id")
    base = {"township": "YB", "name": "x", "ownership": "private", "industry": "制造业", "registered_on": ON,
            "employees": 3, "party_members": 0}
    refused(engine, ev.register_enterprise, "upkeep.err.uscc", "uscc", uscc="123", **base)
    good = rules.make_uscc(division="220299", serial=77_000_006)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    refused(engine, ev.register_enterprise, "upkeep.err.uscc", "uscc", uscc=wrong_check, **base)
    refused(engine, ev.register_enterprise, "upkeep.err.uscc_taken", "uscc", uscc=taken, **base)
    refused(engine, ev.register_enterprise, "upkeep.err.uscc_taken", "uscc", uscc=f" {taken.lower()} ", **base)
    refused(engine, ev.register_enterprise, "upkeep.err.required", "uscc", uscc="  ", **base)
    refused(engine, ev.register_enterprise, "upkeep.err.unknown_township", "township", uscc=good,
            **(base | {"township": "ZZ"}))
    refused(engine, ev.register_enterprise, "upkeep.err.bad_choice", "ownership", uscc=good,
            **(base | {"ownership": "state"}))


def test_move_is_checked(sqlite_demo):
    engine = sqlite_demo
    e = pick(engine)
    v, t = version(engine, e["id"]), e["township_id"]
    code = scalar(engine, "SELECT code FROM township WHERE id = :t", t=t)
    other = one(engine, "SELECT id, code FROM township WHERE id <> :t ORDER BY id", t=t)
    refused(engine, ev.move_enterprise, "upkeep.err.same_township", "township", enterprise_id=e["id"], version=v,
            township=code, moved_on=ON)
    refused(engine, ev.move_enterprise, "upkeep.err.same_township", "township", enterprise_id=e["id"], version=v,
            township=str(t), moved_on=ON)
    refused(engine, ev.move_enterprise, "edit.forbidden_scope", enterprise_id=e["id"], version=v,
            township=other["code"], moved_on=ON, actor=town_actor(engine, t))
    refused(engine, ev.move_enterprise, "upkeep.err.unknown_township", "township", enterprise_id=e["id"], version=v,
            township="NOPE", moved_on=ON)
    # an actor holding both townships may
    before = snapshot(engine)
    run(engine, ev.move_enterprise, enterprise_id=e["id"], version=v, township=other["code"], moved_on=ON,
        actor=Actor("staff", Role.TOWNSHIP, Scope.townships([t, other["id"]])))
    assert added(before, snapshot(engine))["enterprise_change"]
    assert_same_as_rebuild(engine)


# --------------------------------------------------------------------------- a change's effect on later days


def refused_any(engine: Engine, fn, **kwargs) -> EditError:
    """Refused with some message (the key is the fix's choice) and nothing written."""
    before = snapshot(engine)
    with pytest.raises(EditError) as info:
        run(engine, fn, **kwargs)
    assert snapshot(engine) == before
    return info.value


@pytest.fixture
def fresh_union(sqlite_demo):
    """An enterprise without a union, Party organisation or members, given its own union with 5 members on
    2026-01-01: (engine, enterprise id, its version now)."""
    engine = sqlite_demo
    e = pick(engine, NO_UNION, NO_PARTY, "e.employees >= 10", f"{MEMBERS} = 0")
    v = version(engine, e["id"])
    run(engine, ev.found_union, enterprise_id=e["id"], version=v, founded_on=D(2026, 1, 1), name="工会", members=5)
    return engine, e["id"], v + 1


def test_a_back_dated_leave_cannot_make_later_members_negative(fresh_union):
    engine, eid, v = fresh_union
    run(engine, ev.change_members, enterprise_id=eid, version=v, changed_on=D(2026, 9, 1), left=5)  # 0 from then
    # 5 members on 2026-03-01, so 3 may leave that day — but from 2026-09-01 the count would be 5 - 3 - 5 = -3
    err = refused_any(engine, ev.change_members, enterprise_id=eid, version=v + 1, changed_on=D(2026, 3, 1), left=3)
    assert (err.key, err.field, err.params["date"], err.params["members"]) == (
        "upkeep.err.members_negative", "left", D(2026, 9, 1), -3)


def test_a_back_dated_join_cannot_exceed_a_later_census(fresh_union):
    engine, eid, v = fresh_union
    run(engine, ev.record_census, enterprise_id=eid, version=v, census_on=D(2026, 9, 1), employees=6, party_members=0)
    # on 2026-03-01 the enterprise had 10+ employees, so 5 more members fit that day; from 2026-09-01 it has 6
    # employees and would have 10 members
    err = refused_any(engine, ev.change_members, enterprise_id=eid, version=v + 1, changed_on=D(2026, 3, 1), joined=5)
    assert (err.key, err.params["date"], err.params["members"], err.params["employees"]) == (
        "upkeep.err.union_members_gt_employees_on", D(2026, 9, 1), 10, 6)


def test_a_census_cannot_have_fewer_employees_than_union_members(fresh_union):
    engine, eid, v = fresh_union
    err = refused_any(engine, ev.record_census, enterprise_id=eid, version=v, census_on=TODAY, employees=2,
                      party_members=0)
    assert (err.key, err.field, err.params["members"], err.params["employees"]) == (
        "upkeep.err.union_members_gt_employees_on", "employees", 5, 2)


def test_a_closure_cannot_precede_recorded_events(sqlite_demo):
    engine = sqlite_demo
    e = pick(engine, NO_UNION)
    v = version(engine, e["id"])
    run(engine, ev.found_union, enterprise_id=e["id"], version=v, founded_on=D(2026, 10, 1), name="工会", members=0)
    err = refused_any(engine, ev.close_enterprise, enterprise_id=e["id"], version=v + 1, closed_on=D(2026, 6, 1))
    assert (err.key, err.field, err.params["date"]) == ("upkeep.err.events_after", "closed_on", D(2026, 10, 1))
