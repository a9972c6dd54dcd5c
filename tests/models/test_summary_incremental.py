"""The summaries kept up to date one event at a time (``models.summary.before`` / ``after``, called by
``dashboard.edits.enterprises``): after random sequences of the ledger's events over a few enterprises of a
few townships, the summaries are fresh, equal row for row what a full rebuild writes, and the query layer's
figures from them equal the exact SQL at several dates and scopes (SQLite and PostgreSQL). Summaries that
were stale before an event stay stale (the query layer keeps using the exact SQL)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.edits import Actor, EditError
from dashboard.edits import enterprises as ev
from dashboard.queries.scope import Scope
from models import rules
from models.enums import Barrier, Role
from models.summary import is_fresh, rebuild_summaries
from models.tables import (
    Enterprise,
    HeadcountCensus,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    UnionCoverage,
    UnionOrg,
    coverage_month,
)
from tests.edits.test_enterprise_events import (
    STAFF,
    TODAY,
    assert_queries_exact,
    assert_same_as_rebuild,
    run,
    snapshot,
    summary_rows,
)

D = dt.date
E, HC, LO, MC = Enterprise.__table__, HeadcountCensus.__table__, LiaisonOfficer.__table__, MembershipChange.__table__
PC, PO, UC, UO = PartyCoverage.__table__, PartyOrg.__table__, UnionCoverage.__table__, UnionOrg.__table__
EARLIEST = D(2024, 1, 1)  # the random events' dates start here, mostly
BEFORE_EDITS = EARLIEST - dt.timedelta(days=1)
PEOPLE = ("周一", "吴二", "郑三", "王四", "冯五", "陈六")


# --------------------------------------------------------------------------- the random driver


@dataclass
class Run:
    """One random sequence: its townships and enterprises, the events applied and refused."""

    towns: list[int]
    enterprises: list[int]
    applied: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    serial: int = 0


def _state(engine: Engine, eid: int) -> dict:
    """What an enterprise has now: its row, its open periods, its members, the last date of any of its rows."""
    with engine.connect() as conn:
        row = dict(conn.execute(sa.select(E).where(E.c.id == eid)).mappings().one())
        open_union = conn.execute(sa.select(UC).where(UC.c.enterprise_id == eid, UC.c.end_on.is_(None))
                                  .order_by(UC.c.start_on.desc())).mappings().first()
        open_party = conn.execute(sa.select(PC).where(PC.c.enterprise_id == eid, PC.c.end_on.is_(None))
                                  .order_by(PC.c.start_on.desc())).mappings().first()
        liaisons = conn.execute(sa.select(LO).where(LO.c.enterprise_id == eid, LO.c.ended_on.is_(None))).mappings().all()
        members = int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(MC.c.joined - MC.c.left_count), 0))
                                   .where(MC.c.enterprise_id == eid)).scalar_one())
        dates = [row["registered_on"]]
        for table, cols in ((UC, ("start_on", "end_on")), (PC, ("start_on", "end_on")), (MC, ("changed_on",)),
                            (HC, ("census_on",)), (LO, ("appointed_on", "ended_on"))):
            for col in cols:
                dates.append(conn.execute(sa.select(sa.func.max(table.c[col])).where(table.c.enterprise_id == eid))
                             .scalar())
        last_mc = conn.execute(sa.select(sa.func.max(MC.c.changed_on)).where(MC.c.enterprise_id == eid)).scalar()
        joint_unions = conn.execute(sa.select(UO).where(UO.c.kind == "joint", UO.c.dissolved_on.is_(None))
                                    .order_by(UO.c.id)).mappings().all()
        joint_branches = conn.execute(sa.select(PO).where(PO.c.level == "joint_branch", PO.c.dissolved_on.is_(None))
                                      .order_by(PO.c.id)).mappings().all()
        unit = conn.execute(sa.text("SELECT min(id) FROM unit")).scalar()
    return {"row": row, "union": open_union and dict(open_union), "party": open_party and dict(open_party),
            "liaisons": [dict(r) for r in liaisons], "members": members,
            "last": max(d for d in dates if d is not None), "last_mc": last_mc,
            "joint_unions": [dict(u) for u in joint_unions], "joint_branches": [dict(p) for p in joint_branches],
            "unit": unit}


def _day(rnd: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    if hi < lo:
        return hi
    return lo + dt.timedelta(days=rnd.randint(0, (hi - lo).days))


def _one_event(engine: Engine, rnd: random.Random, r: Run) -> tuple[str, object, dict]:
    """A random event valid for the state of a random enterprise of the run (most of the time: a
    back-dated one may still be refused)."""
    eid = rnd.choice(r.enterprises)
    s = _state(engine, eid)
    row = s["row"]
    hi = row["closed_on"] or TODAY
    start = max(row["registered_on"], EARLIEST if rnd.random() < 0.8 else row["registered_on"])
    lo = max(start, s["last"]) if rnd.random() < 0.75 else start  # mostly after its last event
    day = _day(rnd, lo, hi)
    base = {"enterprise_id": eid, "version": row["version"]}
    actor = STAFF if rnd.random() < 0.6 else Actor("town", Role.TOWNSHIP, Scope.townships([row["township_id"]]))
    options: dict[str, tuple] = {}
    if row["closed_on"] is None:
        options["close"] = (ev.close_enterprise, {"closed_on": day})
    if len(r.towns) > 1:
        options["move"] = (ev.move_enterprise, {"township": rnd.choice([t for t in r.towns if t != row["township_id"]]),
                                                "moved_on": day})
    if s["union"] is None:
        room = max(0, row["employees"] - max(s["members"], 0))
        options["union_found"] = (ev.found_union, {"founded_on": day, "name": f"工会{r.serial}",
                                                   "members": rnd.randint(0, min(room, 8))})
        joint = [u for u in s["joint_unions"] if u["township_id"] == row["township_id"]] or s["joint_unions"]
        if joint:
            options["union_join"] = (ev.join_union, {"union_id": rnd.choice(joint)["id"], "start_on": day,
                                                     "members": rnd.randint(0, min(room, 4))})
    else:
        end = _day(rnd, max(day, s["union"]["start_on"], s["last_mc"] or day), hi)
        options["union_end"] = (ev.end_union, {"end_on": end})
        left = rnd.randint(0, max(s["members"], 0)) if rnd.random() < 0.5 else 0
        options["members"] = (ev.change_members, {"changed_on": max(day, s["union"]["start_on"]),
                                                   "joined": rnd.randint(0 if left else 1, 6), "left": left})
    if s["party"] is None:
        expected = rules.expected_party_org_level(row["party_members"])
        level = expected if expected is not None and rnd.random() < 0.7 else rnd.choice(
            ["branch", "general_branch", "committee"])
        options["party_found"] = (ev.found_party_org, {"founded_on": day, "name": f"党组织{r.serial}",
                                                        "level": level, "confirm_level": level != expected})
        if s["joint_branches"]:
            options["party_join"] = (ev.join_party_org, {"party_org_id": rnd.choice(s["joint_branches"])["id"],
                                                          "start_on": day})
    else:
        options["party_end"] = (ev.end_party_org, {"end_on": _day(rnd, max(day, s["party"]["start_on"]), hi)})
    kind = rnd.choice(["own", "dispatched"])
    options["liaison_appoint"] = (ev.appoint_liaison, {"name": rnd.choice(PEOPLE), "kind": kind,
                                                        "appointed_on": day,
                                                        "unit_id": s["unit"] if kind == "dispatched" else None})
    if s["liaisons"]:
        officer = rnd.choice(s["liaisons"])
        options["liaison_end"] = (ev.end_liaison, {"liaison_id": officer["id"],
                                                    "ended_on": _day(rnd, max(day, officer["appointed_on"]), hi)})
    employees = max(0, row["employees"] + rnd.randint(-8, 12))
    census = {"census_on": day, "employees": employees,
              "party_members": rnd.randint(0, min(employees, 6 if rnd.random() < 0.8 else 60))}
    if s["union"] is not None and rnd.random() < 0.4:
        census["union_members"] = rnd.randint(0, employees)
    options["census"] = (ev.record_census, census)
    barrier = rnd.choice([None, *(b.value for b in Barrier)])
    if barrier != row["barrier"]:
        options["barrier"] = (ev.set_barrier, {"barrier": barrier, "noted_on": day})
    if rnd.random() < 0.04:  # now and then a newly registered enterprise (joins the run)
        r.serial += 1
        emp = rnd.randint(1, 40)
        code = rules.make_uscc(division="220299", serial=88_000_000 + rnd.randint(0, 999_999))
        return "register", ev.register_enterprise, {
            "township": rnd.choice(r.towns), "uscc": code, "name": f"新企业{r.serial}", "ownership": "private",
            "industry": "制造业", "registered_on": _day(rnd, EARLIEST, TODAY), "employees": emp,
            "party_members": rnd.randint(0, min(emp, 5)), "actor": STAFF}
    name = rnd.choice(sorted(options))
    fn, args = options[name]
    r.serial += 1
    return name, fn, {**base, **args, "actor": STAFF if name == "move" else actor}


def random_run(engine: Engine, seed: int, n_events: int = 25) -> Run:
    """``n_events`` random events over two enterprises in each of three townships (one of them with a
    joint Party branch; one enterprise of each without a union), refused ones skipped."""
    rnd = random.Random(seed)
    with engine.connect() as conn:
        branch_towns = [t for (t,) in conn.execute(sa.select(PO.c.township_id).where(PO.c.level == "joint_branch")
                                                    .distinct().order_by(PO.c.township_id))]
        all_towns = [t for (t,) in conn.execute(sa.text("SELECT id FROM township ORDER BY id"))]
        first = rnd.choice(branch_towns)
        towns = [first, *rnd.sample([t for t in all_towns if t != first], 2)]
        enterprises = []
        open_union = sa.select(UC.c.enterprise_id).where(UC.c.end_on.is_(None))
        for t in towns:  # one without a union today (if any), one at random
            ids = [i for (i,) in conn.execute(sa.select(E.c.id).where(E.c.township_id == t).order_by(E.c.id))]
            bare = [i for (i,) in conn.execute(sa.select(E.c.id).where(E.c.township_id == t,
                                                                        E.c.id.not_in(open_union)).order_by(E.c.id))]
            first_pick = rnd.choice(bare or ids)
            enterprises += [first_pick, rnd.choice([i for i in ids if i != first_pick])]
    r = Run(towns, enterprises)
    for _ in range(n_events):
        name, fn, kwargs = _one_event(engine, rnd, r)
        try:
            result = run(engine, fn, **kwargs)
        except EditError as err:
            r.refused.append(f"{name}:{err.key}")
            continue
        r.applied.append(name)
        if name == "register":
            r.enterprises.append(result.ids["enterprise"])
    return r


def _check(engine: Engine, r: Run, today: dt.date = TODAY) -> None:
    days = [today, BEFORE_EDITS, today.replace(day=1), D(2025, 7, 16), D(2026, 10, 31)]
    assert_queries_exact(engine, days, [Scope.district(), Scope.townships([r.towns[0]]),
                                        Scope.townships(r.towns[1:])])
    assert_same_as_rebuild(engine, today)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_events_keep_the_summaries_exact(any_own_demo_engine, seed):
    engine = any_own_demo_engine
    r = random_run(engine, seed)
    assert len(r.applied) >= 12, (r.applied, r.refused)
    assert len(set(r.applied)) >= 6, r.applied
    _check(engine, r)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_random_events_keep_the_summaries_exact_more_seeds(own_demo_engine, seed):
    r = random_run(own_demo_engine, seed)
    assert len(r.applied) >= 12, (r.applied, r.refused)
    _check(own_demo_engine, r)


def test_stale_summaries_stay_stale(any_own_demo_engine):
    """Data written without a rebuild (a plain UPDATE) made the summaries stale: an event then writes its rows
    but leaves the summaries as they are (stale), and the figures still come out exact (from the SQL)."""
    engine = any_own_demo_engine
    with engine.begin() as conn:
        eid = conn.execute(sa.select(sa.func.min(E.c.id))).scalar_one()
        conn.execute(sa.text("UPDATE enterprise SET name = name || '（改）' WHERE id = :e"), {"e": eid})
        assert not is_fresh(conn)
    with engine.connect() as conn:
        kept = summary_rows(conn)
    r = random_run(engine, 11, n_events=15)
    assert len(r.applied) >= 6, (r.applied, r.refused)
    with engine.connect() as conn:
        assert not is_fresh(conn)
        assert summary_rows(conn) == kept  # untouched
    assert_queries_exact(engine, [TODAY, BEFORE_EDITS, TODAY.replace(day=1)],
                         [Scope.district(), Scope.townships([r.towns[0]])], fresh=False)
    rebuild_summaries(engine, today=TODAY)  # a rebuild makes them fresh and exact again
    assert_queries_exact(engine, [TODAY, BEFORE_EDITS], [Scope.district()])


def test_stale_register_stays_stale(own_demo_engine):
    engine = own_demo_engine
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE union_coverage SET end_on = NULL WHERE id = (SELECT min(id) FROM union_coverage "
                             "WHERE end_on IS NOT NULL)"))
    before = snapshot(engine)
    run(engine, ev.register_enterprise, township="YB", uscc=rules.make_uscc(division="220299", serial=66_000_001),
        name="新企业", ownership="private", industry="制造业", registered_on=D(2026, 3, 1), employees=9,
        party_members=3)
    after = snapshot(engine)
    for table in ("coverage_delta", "coverage_month", "enterprise_state", "dataset_info"):
        assert after[table] == before[table], table
    assert_queries_exact(engine, [TODAY, D(2026, 2, 28)], [Scope.district()], fresh=False)


def test_a_later_today_carries_the_months_forward(own_demo_engine):
    """The district's date moves on past the last rebuild's month: an event that changes figures extends
    ``coverage_month`` to the new month for every township, as a rebuild with that date would."""
    engine, later = own_demo_engine, D(2027, 2, 10)
    r = random_run(engine, 21, n_events=8)  # some events on TODAY first
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(coverage_month.c.month))).scalar_one() == D(2026, 11, 1)
        eid = conn.execute(sa.text("SELECT id FROM enterprise WHERE closed_on IS NULL ORDER BY id")).scalar()
        v = conn.execute(sa.text("SELECT version FROM enterprise WHERE id = :e"), {"e": eid}).scalar()
    run(engine, ev.close_enterprise, enterprise_id=eid, version=v, closed_on=D(2027, 1, 5), today=later)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(coverage_month.c.month))).scalar_one() == D(2027, 2, 1)
    _check(engine, r, later)


def test_a_later_today_without_a_figure_change_carries_the_months_forward(own_demo_engine):
    engine, later = own_demo_engine, D(2027, 2, 10)
    with engine.connect() as conn:
        eid, v = conn.execute(sa.text("SELECT id, version FROM enterprise WHERE barrier IS NULL ORDER BY id")).first()
    run(engine, ev.set_barrier, enterprise_id=eid, version=v, barrier="afraid", noted_on=D(2027, 1, 3), today=later)
    assert_queries_exact(engine, [later, D(2027, 1, 31)], [Scope.district()])  # the figures are right
    assert_same_as_rebuild(engine, later)  # the months are not: they stop at 2026-11
