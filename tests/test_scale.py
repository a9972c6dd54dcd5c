"""The scale generator (seed_data/scale.py) on real databases."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from models import enums as E
from models.db import make_engine, upgrade
from models.rules import expected_party_org_level, is_valid_uscc
from models.tables import FoundingLead, FoundingLeadStage, Township, Unit
from seed_data.scale import TABLES, ScaleError, generate_scale, township_count

TODAY = dt.date(2025, 6, 30)
N = 3000


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _all(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def _table_counts(engine) -> dict[str, int]:
    counts = {t.name: _count(engine, t.name) for t in TABLES}
    counts["dataset_info"] -= 2  # the 'data_version' and 'ledger_version' rows the migrations write (not generated data)
    return counts


def _dump(engine, names=("enterprise", "union_coverage", "action_item")) -> dict[str, list[tuple]]:
    """Typed rows (dates as dates on both databases) ordered by id."""
    tables = {t.name: t for t in TABLES}
    with engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(sa.select(tables[name]).order_by(tables[name].c.id))]
            for name in names
        }


def _new_sqlite(tmp_path, name: str):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    return engine


def _fail_half_way(engine, n: int) -> None:
    """Start generating ``n`` enterprises and fail once the party organisations are being written."""

    class Boom(Exception):
        pass

    def progress(stage, done, total):
        if stage == "party_org" and done > 0:
            raise Boom

    with pytest.raises(Boom):
        generate_scale(engine, n, today=TODAY, batch_size=100, progress=progress)


# --------------------------------------------------------------------------- size and validity


def test_writes_exactly_n_enterprises_with_valid_unique_usccs(any_engine):
    counts = generate_scale(any_engine, N, seed=11, today=TODAY)

    assert counts["enterprise"] == N
    assert _count(any_engine, "enterprise") == N
    assert _count(any_engine, "township") == township_count(N) == 8
    # the returned counts are what the database holds
    assert {k: v for k, v in _table_counts(any_engine).items() if k in counts} == counts
    assert all(counts[name] > 0 for name in counts)

    usccs = [u for (u,) in _all(any_engine, "SELECT uscc FROM enterprise")]
    assert len(usccs) == N
    assert len(set(usccs)) == N
    assert [u for u in usccs if not is_valid_uscc(u)] == []

    if any_engine.dialect.name == "sqlite":
        assert _all(any_engine, "PRAGMA foreign_key_check") == []


def test_township_count_is_proportional(sqlite_engine):
    assert township_count(1) == 8
    assert township_count(1_000_000) == 400

    generate_scale(sqlite_engine, 22_500, seed=5, today=TODAY)

    assert _count(sqlite_engine, "township") == 9
    codes = [c for (c,) in _all(sqlite_engine, "SELECT code FROM township ORDER BY id")]
    assert codes == [f"S{k:04d}" for k in range(1, 10)]
    kinds = {k for (k,) in _all(sqlite_engine, "SELECT DISTINCT kind FROM township")}
    assert len(kinds) >= 2
    # one Party committee per township plus the four district units
    assert _all(sqlite_engine, "SELECT COUNT(DISTINCT township_id) FROM unit WHERE kind = 'township_party'") == [(9,)]
    assert _all(sqlite_engine, "SELECT kind FROM unit WHERE township_id IS NULL ORDER BY id") == [
        ("party_dept",), ("union",), ("government",), ("bureau_party",)
    ]


def test_one_enterprise_is_enough(sqlite_engine):
    counts = generate_scale(sqlite_engine, 1, today=TODAY)
    assert counts["enterprise"] == 1
    assert _count(sqlite_engine, "township") == 8


def test_bad_arguments_write_nothing(sqlite_engine):
    with pytest.raises(ScaleError):
        generate_scale(sqlite_engine, 0, today=TODAY)
    with pytest.raises(ScaleError):
        generate_scale(sqlite_engine, 10, batch_size=0, today=TODAY)
    assert set(_table_counts(sqlite_engine).values()) == {0}


# --------------------------------------------------------------------------- plausible, consistent data


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    engine = _new_sqlite(tmp_path_factory.mktemp("scale"), "consistent.sqlite")
    generate_scale(engine, N, seed=21, today=TODAY)
    yield engine
    engine.dispose()


def test_distributions_are_plausible(generated):
    [(zero, few, qualified, big, closed, barrier)] = _all(
        generated,
        "SELECT AVG(party_members = 0), AVG(party_members BETWEEN 1 AND 2), AVG(party_members >= 3),"
        " SUM(party_members >= 50), AVG(closed_on IS NOT NULL), SUM(barrier IS NOT NULL) FROM enterprise",
    )
    assert 0.50 <= zero <= 0.60
    assert 0.20 <= few <= 0.30
    assert 0.16 <= qualified <= 0.24
    assert big >= 1
    assert 0.05 <= closed <= 0.11
    assert barrier > 0
    [(small, largest)] = _all(generated, "SELECT AVG(employees BETWEEN 5 AND 80), MAX(employees) FROM enterprise")
    assert 0.75 <= small <= 0.92
    assert 500 < largest <= 2000 * 3

    covered = _count(generated, "union_coverage") / N
    assert 0.78 <= covered <= 0.90
    kinds = dict(_all(generated, "SELECT kind, COUNT(*) FROM union_org GROUP BY kind"))
    assert kinds["enterprise"] > kinds["joint"] > 0
    assert kinds["federation"] >= 3
    [(with_org,)] = _all(
        generated,
        "SELECT AVG(EXISTS (SELECT 1 FROM party_coverage pc WHERE pc.enterprise_id = e.id))"
        " FROM enterprise e WHERE e.party_members >= 3",
    )
    assert 0.6 <= with_org <= 0.8


def test_the_three_you_flags_have_the_demos_proportions_and_the_summaries_both_bases(generated, tmp_path):
    """Issue 14 item 2: about a third of 个体 and 4 % of the others without fixed premises, 5 % not
    trading; the rebuilt summaries equal the exact SQL over both bases."""
    import datetime as dt

    from sqlmodel import Session

    from dashboard.queries import coverage
    from dashboard.queries.scope import Scope
    from models.enums import Base

    [(individual, others, trading)] = _all(
        generated,
        "SELECT AVG(CASE WHEN ownership = 'individual' THEN 1 - fixed_premises END),"
        " AVG(CASE WHEN ownership <> 'individual' THEN 1 - fixed_premises END), AVG(1 - trading) FROM enterprise")
    assert 0.25 <= individual <= 0.45 and 0.02 <= others <= 0.07 and 0.03 <= trading <= 0.07
    from models.summary import rebuild_summaries

    engine = _new_sqlite(tmp_path, "flags.sqlite")  # a copy of its own: the summaries are written
    generate_scale(engine, 1500, seed=5, today=TODAY)
    rebuild_summaries(engine, today=TODAY)
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        for base in Base:
            scope = Scope.district().with_base(base)
            for day in (dt.date(2002, 12, 31), TODAY):
                assert coverage.coverage_by_township_summary(s, scope, day).equals(
                    coverage.coverage_by_township_exact(s, scope, day)), (base, day)
    engine.dispose()


def test_dates_and_periods_are_consistent(generated):
    # coverage starts on or after registration and ends when the enterprise closes
    assert _all(
        generated,
        "SELECT uc.id FROM union_coverage uc JOIN enterprise e ON e.id = uc.enterprise_id"
        " WHERE uc.start_on < e.registered_on OR uc.start_on > :today".replace(":today", f"'{TODAY}'")
        + " OR NOT (uc.end_on IS e.closed_on) OR (e.closed_on IS NOT NULL AND uc.start_on >= e.closed_on)",
    ) == []
    # a joint union covers 3–8 enterprises of its own township, none before it was founded
    assert _all(
        generated,
        "SELECT u.id FROM union_org u JOIN union_coverage uc ON uc.union_id = u.id"
        " JOIN enterprise e ON e.id = uc.enterprise_id WHERE u.kind = 'joint'"
        " GROUP BY u.id HAVING COUNT(*) NOT BETWEEN 3 AND 8 OR MIN(uc.start_on) < u.founded_on"
        " OR MIN(e.township_id) <> u.township_id OR MAX(e.township_id) <> u.township_id",
    ) == []
    assert _all(
        generated,
        "SELECT u.id FROM union_org u JOIN union_coverage uc ON uc.union_id = u.id"
        " WHERE u.kind = 'enterprise' AND (uc.enterprise_id <> u.enterprise_id OR uc.start_on <> u.founded_on)",
    ) == []
    # membership changes fall inside the coverage and never exceed the employees
    assert _all(
        generated,
        "SELECT m.id FROM membership_change m JOIN union_coverage uc"
        " ON uc.enterprise_id = m.enterprise_id AND uc.union_id = m.union_id"
        " WHERE m.changed_on < uc.start_on OR (uc.end_on IS NOT NULL AND m.changed_on >= uc.end_on)",
    ) == []
    assert _all(
        generated,
        "SELECT e.id FROM enterprise e JOIN (SELECT enterprise_id, SUM(joined) AS j, SUM(joined - left_count) AS m"
        " FROM membership_change GROUP BY enterprise_id) x ON x.enterprise_id = e.id"
        " WHERE x.j > e.employees OR x.m < 0",
    ) == []
    assert _count(generated, "membership_change") >= _count(generated, "union_coverage")


def test_party_orgs_and_liaison_officers_follow_the_rules(generated):
    rows = _all(
        generated,
        "SELECT p.level, e.party_members, p.founded_on >= e.registered_on, p.township_id = e.township_id"
        " FROM party_org p JOIN enterprise e ON e.id = p.enterprise_id",
    )
    assert rows
    assert [r for r in rows if r[0] != expected_party_org_level(r[1]).value or not r[2] or not r[3]] == []
    assert _all(generated, "SELECT COUNT(*) FROM party_coverage") == [(len(rows),)]

    liaisons = _all(
        generated,
        "SELECT l.kind, e.party_members, u.kind, u.township_id = e.township_id,"
        " EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id AND uc.start_on <= l.appointed_on),"
        " EXISTS (SELECT 1 FROM party_org p WHERE p.enterprise_id = e.id)"
        " FROM liaison_officer l JOIN enterprise e ON e.id = l.enterprise_id"
        " LEFT JOIN unit u ON u.id = l.dispatched_by_unit_id",
    )
    assert {k for k, *_ in liaisons} == {"own", "dispatched"}
    for kind, members, unit_kind, same_township, unionised, has_org in liaisons:
        assert members < 3 and unionised and not has_org
        if kind == "own":
            assert members > 0 and unit_kind is None
        else:
            assert members == 0 and unit_kind == "township_party" and same_township


def test_meetings_and_action_items(generated):
    district = _all(generated, "SELECT id, held_on FROM joint_meeting WHERE level = 'district'")
    years = TODAY.year - 2003 + 1
    assert 4 * (years - 1) <= len(district) <= 4 * years
    assert all(e is None and t is None for e, t in _all(
        generated, "SELECT enterprise_id, township_id FROM joint_meeting WHERE level = 'district'"))
    attendees = _all(
        generated,
        "SELECT GROUP_CONCAT(u.name, ',') FROM meeting_attendee a JOIN unit u ON u.id = a.unit_id"
        " JOIN joint_meeting m ON m.id = a.meeting_id WHERE m.level = 'district' GROUP BY m.id",
    )
    assert len(attendees) == len(district)
    assert {frozenset(a.split(",")) for (a,) in attendees} == {frozenset({"区委组织部", "区总工会", "区民营经济发展局党委"})}
    assert _all(
        generated,
        "SELECT m.id FROM joint_meeting m LEFT JOIN decision d ON d.meeting_id = m.id WHERE m.level = 'district'"
        " GROUP BY m.id HAVING COUNT(d.id) NOT BETWEEN 2 AND 4",
    ) == []

    # enterprise-level meetings: about n // 20, held once both the union and the Party org exist
    assert _count(generated, "joint_meeting") - len(district) == N // 20
    assert _all(
        generated,
        "SELECT m.id FROM joint_meeting m JOIN enterprise e ON e.id = m.enterprise_id"
        " WHERE m.level = 'enterprise' AND (m.township_id <> e.township_id"
        " OR NOT EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id AND uc.start_on <= m.held_on)"
        " OR NOT EXISTS (SELECT 1 FROM party_coverage pc WHERE pc.enterprise_id = e.id AND pc.start_on <= m.held_on)"
        " OR (e.closed_on IS NOT NULL AND m.held_on >= e.closed_on))",
    ) == []
    assert _all(
        generated,
        "SELECT a.id FROM action_item a JOIN decision d ON d.id = a.decision_id JOIN joint_meeting m"
        " ON m.id = d.meeting_id JOIN unit u ON u.id = a.owner_unit_id WHERE m.level = 'enterprise'"
        " AND (u.kind <> 'township_party' OR u.township_id <> m.township_id OR a.township_id <> m.township_id)",
    ) == []

    today = f"'{TODAY}'"
    assert _all(
        generated,
        f"SELECT id FROM action_item WHERE due_on < created_on OR done_on > {today} OR done_on < created_on"
        f" OR created_on > {today}",
    ) == []
    statuses = dict(_all(generated, "SELECT status, COUNT(*) FROM action_item GROUP BY status"))
    assert set(statuses) == {"open", "in_progress", "done"}
    [(overdue,)] = _all(generated, f"SELECT COUNT(*) FROM action_item WHERE status <> 'done' AND due_on < {today}")
    assert overdue > 0
    owners = {k for (k,) in _all(generated, "SELECT DISTINCT u.kind FROM action_item a JOIN unit u ON u.id = a.owner_unit_id")}
    assert "township_party" in owners and owners & {"party_dept", "union", "government", "bureau_party"}


def test_dataset_info(generated):
    assert dict(_all(generated, "SELECT key, value FROM dataset_info WHERE key NOT IN ('data_version', 'ledger_version')")) == {
        "dataset": "scale",
        "scale_n": str(N),
        "seed": "21",
        "district_name": "规模测试区（合成数据）",
        "scale_today": "2025-06-30",
    }


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_rows_whatever_the_batch_size(tmp_path):
    a, b, c = (_new_sqlite(tmp_path, f"{k}.sqlite") for k in "abc")
    try:
        generate_scale(a, 2000, seed=3, today=TODAY)
        generate_scale(b, 2000, seed=3, today=TODAY, batch_size=97)
        generate_scale(c, 2000, seed=4, today=TODAY)
        names = ("enterprise", "union_coverage", "action_item", "founding_lead", "founding_lead_stage")
        rows_a, rows_b, rows_c = _dump(a, names), _dump(b, names), _dump(c, names)
    finally:
        for engine in (a, b, c):
            engine.dispose()
    assert all(rows_a[name] for name in rows_a)
    assert rows_a == rows_b
    for name in rows_a:
        assert rows_a[name] != rows_c[name], name


def test_the_leads_draw_from_their_own_stream(tmp_path, monkeypatch):
    """Without the leads every other table gets the same rows (the benchmark databases compare them)."""
    from seed_data import scale

    a, b = (_new_sqlite(tmp_path, f"{k}.sqlite") for k in "ab")
    names = tuple(t.name for t in TABLES if "id" in t.c and not t.name.startswith("founding_lead"))
    try:
        generate_scale(a, 1500, seed=9, today=TODAY)
        monkeypatch.setattr(scale, "_plan_leads", lambda rng, plan: scale._Leads())
        counts = generate_scale(b, 1500, seed=9, today=TODAY)
        assert counts["founding_lead"] == counts["founding_lead_stage"] == 0
        assert _count(a, "founding_lead") > 0
        assert _dump(a, names) == _dump(b, names)
    finally:
        for engine in (a, b):
            engine.dispose()


@pytest.mark.postgres
def test_postgres_and_sqlite_get_the_same_rows(sqlite_engine, pg_engine):
    generate_scale(sqlite_engine, 1500, seed=9, today=TODAY)
    generate_scale(pg_engine, 1500, seed=9, today=TODAY)
    names = tuple(t.name for t in TABLES if "id" in t.c)
    assert _dump(sqlite_engine, names) == _dump(pg_engine, names)


def test_the_generators_usccs_and_names_are_those_of_the_slow_ways():
    """The generator's own USCC maker and name drawer (faster) give what ``make_uscc`` and the plain
    ``random.choice`` draws give, and leave the random stream where those leave it."""
    import random

    from models.rules import make_uscc
    from seed_data import facts, scale

    serials = [*range(0, 3000), *random.Random(1).sample(range(10**8), 3000), 10**8 - 1]
    assert [scale._uscc(s) for s in serials] == [make_uscc(division=facts.DIVISION_CODE, serial=s) for s in serials]
    with pytest.raises(ValueError):
        scale._uscc(10**8)

    def slow(rng):
        given = rng.choice(scale._GIVEN) if rng.random() < 0.4 else rng.choice(scale._GIVEN) + rng.choice(scale._GIVEN)
        return rng.choice(scale._SURNAMES) + given

    a, b = random.Random(3), random.Random(3)
    names = [scale._person(a) for _ in range(5000)]
    assert names == [slow(b) for _ in range(5000)] and a.random() == b.random()
    assert {len(n) for n in names} == {2, 3}  # the control: both kinds of given names drawn


_SCHEMA = """SELECT x FROM (SELECT indexname || ' ' || indexdef AS x FROM pg_indexes WHERE schemaname = 'public'
UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
FROM pg_constraint WHERE connamespace = 'public'::regnamespace) s ORDER BY x"""


@pytest.mark.postgres
def test_on_postgres_the_indexes_and_foreign_keys_come_back_as_the_migrations_made_them(pg_engine):
    """PostgreSQL: the tables' plain indexes and foreign keys are dropped for the load and made again
    from the catalog's definitions — the same names and definitions after, and after a failure."""
    before = _all(pg_engine, _SCHEMA)
    calls: list[tuple[str, int, int]] = []

    _fail_half_way(pg_engine, 300)
    assert _all(pg_engine, _SCHEMA) == before
    generate_scale(pg_engine, 300, today=TODAY, progress=lambda *a: calls.append(a))
    assert _all(pg_engine, _SCHEMA) == before
    made = [total for stage, _, total in calls if stage == "indexes"]
    assert made and made[-1] > 20  # the control: dozens of foreign keys (and indexes, table by table) made again
    with pg_engine.connect() as conn:  # the foreign keys hold again
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.text("INSERT INTO union_coverage (union_id, enterprise_id, start_on) VALUES (1, 999999, "
                                 "DATE '2020-01-01')"))


# --------------------------------------------------------------------------- safety


def test_refuses_a_database_that_is_not_empty(any_engine):
    with any_engine.begin() as conn:
        conn.execute(sa.insert(Township.__table__).values(code="X1", name="已有镇", kind="town", sort_order=0,
                                                         boundary_is_schematic=True))
    before = _table_counts(any_engine)

    with pytest.raises(ScaleError, match="not empty"):
        generate_scale(any_engine, 100, today=TODAY)

    assert before["township"] == 1
    assert _table_counts(any_engine) == before


def test_a_failure_half_way_leaves_the_database_empty(any_engine):
    _fail_half_way(any_engine, 1000)

    assert set(_table_counts(any_engine).values()) == {0}
    # and the database can still be filled afterwards
    assert generate_scale(any_engine, 50, today=TODAY)["enterprise"] == 50


@pytest.mark.postgres
def test_orm_inserts_work_after_generation_on_postgres(pg_engine):
    generate_scale(pg_engine, 500, today=TODAY)
    townships = township_count(500)
    units = 4 + townships

    with Session(pg_engine) as session:
        township = Township(code="NEW1", name="新增镇", kind=E.TownshipKind.TOWN)
        session.add(township)
        session.flush()
        unit = Unit(code="NEW-UNIT", name="新增单位", kind=E.UnitKind.OTHER, township_id=township.id)
        session.add(unit)
        session.flush()
        leads = session.execute(sa.select(sa.func.count()).select_from(FoundingLead)).scalar_one()
        stages = session.execute(sa.select(sa.func.count()).select_from(FoundingLeadStage)).scalar_one()
        lead = FoundingLead(enterprise_name="新增项目", township_id=township.id, source=E.LeadSource.INVESTMENT,
                            stage=E.LeadStage.IDENTIFIED, identified_on=TODAY, owner_unit_id=unit.id, stage_on=TODAY)
        session.add(lead)
        session.flush()
        stage = FoundingLeadStage(lead_id=lead.id, stage=E.LeadStage.IDENTIFIED, start_on=TODAY, username="test",
                                  at=dt.datetime(2025, 6, 30, 8, 0, tzinfo=dt.UTC))
        session.add(stage)
        session.commit()
        assert township.id == townships + 1
        assert unit.id == units + 1
        assert (lead.id, stage.id, lead.version) == (leads + 1, stages + 1, 1)
    # the generated leads got their row version from the server default
    assert _all(pg_engine, "SELECT DISTINCT version FROM founding_lead") == [(1,)]


# --------------------------------------------------------------------------- progress


def test_progress_is_reported_per_batch_with_increasing_counts(sqlite_engine):
    calls: list[tuple[str, int, int]] = []
    counts = generate_scale(sqlite_engine, N, today=TODAY, batch_size=500, progress=lambda *a: calls.append(a))

    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["plan"] + [t.name for t in TABLES]
    for stage in stages:
        done = [d for s, d, _ in calls if s == stage]
        totals = {t for s, _, t in calls if s == stage}
        assert done == sorted(done) and len(set(done)) == len(done), stage
        assert len(totals) == 1 and done[-1] == totals.pop(), stage
        if stage != "plan":
            assert done[-1] == counts[stage]
    assert [d for s, d, _ in calls if s == "enterprise"] == list(range(0, N + 1, 500))


# --------------------------------------------------------------------------- founding leads (建会线索)


def test_leads_are_about_a_fifth_of_n_from_all_six_sources(generated):
    leads = _count(generated, "founding_lead")
    assert 0.17 * N <= leads <= 0.24 * N
    sources = dict(_all(generated, "SELECT source, COUNT(*) FROM founding_lead GROUP BY source"))
    assert set(sources) == {s.value for s in E.LeadSource}
    stages = dict(_all(generated, "SELECT stage, COUNT(*) FROM founding_lead GROUP BY stage"))
    assert set(stages) == {s.value for s in E.LeadStage}
    assert stages["founded"] > stages["dropped"] > 0
    # projects not registered yet: open ones recent, older ones dropped as 项目未落地
    projects = _all(generated, "SELECT stage, drop_reason, note, source, identified_on FROM founding_lead"
                               " WHERE enterprise_id IS NULL")
    assert projects
    assert {note for *_, note, _, _ in projects} == {"尚未注册"}
    assert {s for s, *_ in projects} <= {"identified", "contacted", "dropped"}
    assert {r for s, r, *_ in projects if s == "dropped"} == {"项目未落地"}
    assert {src for *_, src, _ in projects} <= {"pre_notice", "investment", "opportunity"}
    assert all(ident >= str(TODAY - dt.timedelta(365)) for s, *_, ident in projects if s != "dropped")


def test_lead_stages_form_a_gap_free_chain(generated):
    leads = {lead_id: rest for lead_id, *rest in _all(
        generated, "SELECT id, stage, stage_on, identified_on, closed_on, notice_deadline FROM founding_lead")}
    chains: dict[int, list[tuple]] = {}
    for lead_id, *row in _all(generated, "SELECT lead_id, stage, start_on, end_on, username, at"
                                         " FROM founding_lead_stage ORDER BY lead_id, start_on, id"):
        chains.setdefault(lead_id, []).append(tuple(row))
    assert set(chains) == set(leads)
    closed_stages = {E.LeadStage.FOUNDED.value, E.LeadStage.DROPPED.value}
    today = str(TODAY)
    for lead_id, (stage, stage_on, identified, closed, deadline) in leads.items():
        chain = chains[lead_id]
        assert chain[0][:2] == ("identified", identified), lead_id
        for (_, start, end, *_), (_, next_start, *_) in pairwise(chain):
            assert end == next_start and start < end, lead_id
        last_stage, last_start, last_end, *_ = chain[-1]
        assert last_end is None and (last_stage, last_start) == (stage, stage_on), lead_id
        assert last_start <= today
        assert (closed is not None) == (stage in closed_stages), lead_id
        if closed is not None:
            assert closed == stage_on, lead_id
        # the deadline of a founding notice: 30 days after the lead went through notice_sent
        sent = [start for s, start, *_ in chain if s == "notice_sent"]
        expected = str(dt.date.fromisoformat(sent[0]) + dt.timedelta(30)) if sent else None
        assert deadline == expected, lead_id
        assert len({s for s, *_ in chain}) == len(chain), lead_id  # each stage at most once
        assert {(u, a[11:19]) for *_, u, a in chain} == {("seed", "02:00:00")}, lead_id
    assert _all(generated, "SELECT COUNT(*) FROM founding_lead_stage WHERE end_on IS NULL") == [(len(leads),)]
    # days_to_union (0018): on a 已建会 lead the days from discovery to the union, else NULL
    for lead_id, stage, stage_on, identified, days in _all(
            generated, "SELECT id, stage, stage_on, identified_on, days_to_union FROM founding_lead"):
        expected = ((dt.date.fromisoformat(stage_on) - dt.date.fromisoformat(identified)).days
                    if stage == "founded" else None)
        assert days == expected, lead_id
    assert _all(generated, "SELECT COUNT(*) FROM founding_lead WHERE days_to_union IS NOT NULL")[0][0] > 0


def test_leads_follow_their_enterprises(generated):
    today = f"'{TODAY}'"
    # a founded lead: the union that covers the enterprise from that day on (its coverage begins then)
    founded = _all(generated, "SELECT COUNT(*) FROM founding_lead WHERE stage = 'founded'")[0][0]
    assert founded > 0
    assert _all(
        generated,
        "SELECT l.id FROM founding_lead l WHERE l.stage = 'founded' AND NOT EXISTS (SELECT 1 FROM union_coverage uc"
        " WHERE uc.union_id = l.union_id AND uc.enterprise_id = l.enterprise_id AND uc.start_on = l.closed_on"
        " AND (uc.end_on IS NULL OR uc.end_on > l.closed_on))",
    ) == []
    assert _all(generated, "SELECT id FROM founding_lead WHERE (stage = 'founded') <> (union_id IS NOT NULL)") == []
    assert _all(generated, "SELECT MIN(closed_on) FROM founding_lead WHERE stage = 'founded'")[0][0] > "2002-12-31"
    # a dropped lead of an enterprise: it closed that day, never unionised; the others are still gaps
    assert _all(
        generated,
        "SELECT l.id FROM founding_lead l JOIN enterprise e ON e.id = l.enterprise_id WHERE l.stage = 'dropped'"
        " AND (l.closed_on IS NOT e.closed_on OR l.drop_reason IS NOT '企业已注销'"
        " OR EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id))",
    ) == []
    assert _all(
        generated,
        "SELECT l.id FROM founding_lead l JOIN enterprise e ON e.id = l.enterprise_id WHERE l.closed_on IS NULL"
        " AND (e.closed_on IS NOT NULL OR EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id)"
        f" OR l.identified_on < e.registered_on OR l.identified_on > {today})",
    ) == []
    assert _all(generated, "SELECT id FROM founding_lead WHERE (stage = 'dropped') <> (drop_reason IS NOT NULL)") == []
    # one lead per enterprise, named and placed as the enterprise; owned by the township's Party committee
    assert _all(generated, "SELECT enterprise_id FROM founding_lead WHERE enterprise_id IS NOT NULL"
                           " GROUP BY enterprise_id HAVING COUNT(*) > 1") == []
    assert _all(
        generated,
        "SELECT l.id FROM founding_lead l JOIN enterprise e ON e.id = l.enterprise_id"
        " WHERE l.enterprise_name <> e.name OR l.township_id <> e.township_id",
    ) == []
    assert _all(
        generated,
        "SELECT l.id FROM founding_lead l JOIN unit u ON u.id = l.owner_unit_id"
        " WHERE u.kind <> 'township_party' OR u.township_id <> l.township_id OR l.owner_name IS NULL",
    ) == []
    # village enterprises' open leads come from 拓宽领域
    assert _all(
        generated,
        "SELECT l.id FROM founding_lead l JOIN enterprise e ON e.id = l.enterprise_id"
        " WHERE e.is_village AND l.source <> 'village' OR NOT e.is_village AND l.source = 'village'",
    ) == []
    # the follow-up lists have something to show: notices past their deadline, leads idle for months
    [(overdue, idle)] = _all(
        generated,
        f"SELECT SUM(notice_deadline < {today}), SUM(stage_on < DATE({today}, '-90 day'))"
        " FROM founding_lead WHERE closed_on IS NULL",
    )
    assert overdue > 0 and idle > 0
