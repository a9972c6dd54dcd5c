"""``dashboard.queries.mechanisms``: 荐优纳新 and 双爱双评 since the last district meeting. A hand-made
district for the period's edges (the meeting day excluded, the date included, withdrawn nominations,
the share's records, the round's state), then the demo district between its real district meetings
against counts written out here — raw SQL for the period's counts, a replay in Python of each
person's stage for the stuck — on SQLite and PostgreSQL; the scope; no names anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import development as dev
from dashboard.queries.mechanisms import mechanisms, since_last_meeting
from dashboard.queries.meetings import district_meetings
from dashboard.queries.scope import Scope
from dashboard.views.mechanisms import award_tiles, brief_section, development_tiles, top_townships
from models.enums import ActivistStage
from models.tables import ActivistRecommendation, AwardRound, DoubleLoveAward, PartyAdmission
from tests.factories import DEMO_TODAY, add_person, world

D = dt.date
SINCE, UNTIL = D(2025, 9, 1), D(2025, 12, 31)


person = add_person  # 荐优纳新: a person and their stages' dates (tests.factories)


@pytest.fixture
def district(any_engine):
    """Townships A (a1, a2) and B (b1); people and one round around the period 2025-09-01 … 12-31."""
    with world(any_engine) as w:
        w.add_township("A")
        w.add_township("B")
        for key, town in (("a1", "A"), ("a2", "A"), ("b1", "B")):
            w.add_enterprise(key, town, members=5, union=D(2010, 1, 1), party=D(2010, 1, 1))
        person(w, "a1", "甲一", SINCE)  # on the meeting's day: before the period
        person(w, "a1", "甲二", SINCE + dt.timedelta(1))  # the day after: in it
        person(w, "a1", "甲三", UNTIL)  # on the date: in it
        person(w, "b1", "乙一", D(2025, 10, 1))
        # to 发展对象 in the period, evaluated in it (agreed), admitted in it
        person(w, "a2", "甲四", D(2023, 1, 1), activist_on=D(2023, 3, 1), candidate_on=D(2025, 9, 10),
               evaluated_on=D(2025, 10, 1), evaluation="passed", probationary_on=D(2025, 11, 1))
        # evaluated in the period, disagreed
        person(w, "a2", "甲五", D(2023, 1, 1), activist_on=D(2023, 3, 1), candidate_on=D(2025, 6, 1),
               evaluated_on=D(2025, 9, 20), evaluation="failed")
        # a full member in the period; admitted 2024 (the share's year for 2025-12-31 is 2025)
        person(w, "b1", "乙二", D(2020, 1, 1), activist_on=D(2020, 3, 1), candidate_on=D(2021, 6, 1),
               probationary_on=D(2024, 10, 1), member_on=D(2025, 10, 1))
        # admitted 2025 before the period: counts in the share, not in the period
        person(w, "b1", "乙三", D(2021, 1, 1), activist_on=D(2021, 3, 1), candidate_on=D(2022, 6, 1),
               probationary_on=D(2025, 3, 1))
        # stuck: an activist since 2022 (> 730 days)
        person(w, "a2", "甲六", D(2021, 1, 1), activist_on=D(2022, 1, 1))
        # 2025 records: a2 recorded 3 new members (1 via the union); b1 recorded none (its 1 counted apart)
        w.session.add(PartyAdmission(enterprise_id=w.ent["a2"], year=2025, admitted=3))
        rnd = AwardRound(year=2025, title="2025年度双爱双评", opened_on=D(2025, 9, 1), nominate_by=D(2025, 10, 31),
                         evaluate_by=D(2025, 11, 30), awarded_on=D(2025, 12, 10), status="awarded",
                         closed_on=D(2025, 11, 1))
        old = AwardRound(year=2024, title="2024年度双爱双评", opened_on=D(2024, 9, 1), nominate_by=D(2024, 10, 31),
                         evaluate_by=D(2024, 11, 30), awarded_on=D(2024, 12, 10), status="awarded",
                         closed_on=D(2024, 11, 1))
        w.session.add_all([rnd, old])
        w.session.flush()
        a, b = w.township["A"], w.township["B"]
        for ent, town, cat, name, stage, on, stage_on in (
                ("a1", a, "worker", "王一", "awarded", D(2025, 9, 5), D(2025, 12, 10)),
                ("a2", a, "worker", "王二", "awarded", D(2025, 9, 6), D(2025, 12, 10)),
                ("a2", a, "manager", "王三", "awarded", D(2025, 9, 6), D(2025, 12, 10)),
                ("b1", b, "worker", "王四", "rejected", D(2025, 9, 7), D(2025, 11, 20)),
                ("b1", b, "manager", "王五", "withdrawn", D(2025, 9, 8), D(2025, 9, 30)),  # withdrawn: not counted
                ("b1", b, "manager", "王六", "awarded", D(2025, 9, 1), D(2025, 12, 10))):  # nominated on the meeting's day
            evaluated = stage_on if stage in ("passed", "rejected", "awarded") else None
            w.session.add(DoubleLoveAward(enterprise_id=w.ent[ent], year=2025, category=cat, person_name=name,
                                          round_id=rnd.id, township_id=town, stage=stage, nominated_on=on,
                                          stage_on=stage_on, evaluated_on=evaluated))
        w.session.add(DoubleLoveAward(enterprise_id=w.ent["a1"], year=2024, category="worker", person_name="王七",
                                      round_id=old.id, township_id=a, stage="awarded", nominated_on=D(2024, 9, 5),
                                      stage_on=D(2024, 12, 10), evaluated_on=D(2024, 12, 10)))
    return any_engine, w.township


def test_the_period_excludes_the_meeting_day_and_includes_the_date(district):
    engine, town = district
    with Session(engine) as s:
        m = mechanisms(s, Scope.district(), SINCE, UNTIL)
    assert m.recommended == 3  # 甲二, 甲三, 乙一 (甲一 on the meeting's day is before the period)
    assert (m.to_candidate, m.to_probationary, m.to_member) == (1, 1, 1)
    assert (m.evaluated, m.evaluated_passed) == (2, 1)
    assert m.stuck == 1 and m.open == 8  # 甲六; on the path: four recommended, 甲四, 甲五, 乙三, 甲六
    # 2025: a2 recorded 3 (1 via the union: 甲四); b1 has no record — its 乙三 is counted apart
    assert (m.share_year, m.admitted_union_year, m.admitted_total_year, m.admitted_unrecorded_year) == (2025, 1, 3, 1)
    assert m.rounds_opened == () and m.rounds_published == (2025,)  # opened on the meeting's day
    assert m.nominations == 4  # 王一, 王二, 王三, 王四 (王五 withdrawn, 王六 on the meeting's day)
    assert (m.awards_worker, m.awards_manager, m.awarded_enterprises) == (2, 2, 3)
    assert list(m.townships["township_id"]) == [town["A"], town["B"]] and list(m.townships["total"]) == [3, 1]
    assert (m.round_year, m.round_state) == (2025, "awarded") and not m.empty


def test_a_township_sees_its_own_and_a_period_with_nothing_is_empty(district):
    engine, town = district
    with Session(engine) as s:
        b = mechanisms(s, Scope.townships([town["B"]]), SINCE, UNTIL)
        quiet = mechanisms(s, Scope.district(), D(2026, 1, 1), D(2026, 3, 1))
        nobody = mechanisms(s, Scope.townships([]), SINCE, UNTIL)
    assert (b.recommended, b.to_member, b.nominations, b.awards_manager, b.awards_worker) == (1, 1, 1, 1, 0)
    assert list(b.townships["township"]) == [b.townships["township"].iloc[0]] and b.n_townships == 1
    assert (b.admitted_total_year, b.admitted_unrecorded_year) == (0, 1)
    assert quiet.empty and quiet.stuck == 2 and quiet.round_state == "awarded"  # 甲六, and 甲一 (181 days recommended)
    assert (nobody.recommended, nobody.nominations, nobody.awards, nobody.open) == (0, 0, 0, 0) and nobody.townships.empty
    assert nobody.rounds_published == (2025,) and not nobody.empty  # rounds are district-wide: a published one is news
    section = brief_section(quiet, "zh_CN", limit=12)
    assert section.empty and section.development[0] == "本期无新的推荐和表彰。" and not section.rows


def test_the_rounds_state_on_the_date(district):
    engine, _ = district
    with Session(engine) as s:
        states = [mechanisms(s, Scope.district(), None, day).round_state
                  for day in (D(2024, 8, 1), D(2025, 10, 31), D(2025, 11, 1), D(2025, 12, 1), D(2025, 12, 10))]
    assert states == [None, "nominating", "evaluating", "evaluation_overdue", "awarded"]


def test_nothing_reads_or_shows_a_name(district):
    engine, _ = district
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with Session(engine) as s:
            m = mechanisms(s, Scope.district(), SINCE, UNTIL, limit=12)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert statements and not any("person_name" in q for q in statements)
    shown = " ".join([*brief_section(m, "zh_CN", limit=12).lines, repr(development_tiles(m, "zh_CN")),
                      repr(award_tiles(m, "zh_CN")), repr(top_townships(m, "zh_CN"))])
    for name in ("甲", "乙", "王"):
        assert name not in shown


def test_a_period_that_ends_before_it_starts_is_refused(district):
    engine, _ = district
    with Session(engine) as s, pytest.raises(ValueError):
        mechanisms(s, Scope.district(), UNTIL, SINCE)


# --------------------------------------------------------------------------- the demo district

AR, DA, RA, PA = (t.__table__ for t in (ActivistRecommendation, DoubleLoveAward, AwardRound, PartyAdmission))


def _counted(s: Session, since: D, until: D, towns: list[int] | None) -> dict[str, int]:
    """The period's counts written out in SQL, without the module's expressions."""
    ent_in = "" if towns is None else f" AND e.township_id IN ({','.join(str(int(t)) for t in towns)})"
    nom_in = "" if towns is None else f" AND township_id IN ({','.join(str(int(t)) for t in towns)})"
    p = {"s": since, "u": until}
    typed = [sa.bindparam("s", type_=sa.Date), sa.bindparam("u", type_=sa.Date)]

    def one(sql: str) -> int:
        return int(s.execute(sa.text(sql).bindparams(*typed), p).scalar() or 0)

    people = "FROM activist_recommendation a JOIN enterprise e ON e.id = a.enterprise_id WHERE 1=1" + ent_in
    out = {c: one(f"SELECT count(*) {people} AND a.{c}_on > :s AND a.{c}_on <= :u")
           for c in ("recommended", "activist", "candidate", "probationary", "member", "withdrawn", "evaluated")}
    out["evaluated_passed"] = one(f"SELECT count(*) {people} AND a.evaluated_on > :s AND a.evaluated_on <= :u "
                                  "AND a.evaluation = 'passed'")
    out["nominations"] = one("SELECT count(*) FROM double_love_award WHERE nominated_on > :s AND nominated_on <= :u "
                             "AND NOT (stage = 'withdrawn' AND stage_on <= :u)" + nom_in)
    for cat in ("worker", "manager"):
        out[cat] = one("SELECT count(*) FROM double_love_award d JOIN award_round r ON r.id = d.round_id "
                       f"WHERE d.stage = 'awarded' AND d.category = '{cat}' AND r.awarded_on > :s AND r.awarded_on <= :u"
                       + nom_in.replace("township_id", "d.township_id"))
    return out


def _replayed_stuck(s: Session, until: D, towns: list[int] | None) -> tuple[int, int]:
    """(open, stuck) on ``until`` by replaying every person's dates in Python."""
    from models.tables import Enterprise

    E = Enterprise.__table__
    rows = s.execute(sa.select(AR, E.c.township_id).join(E, E.c.id == AR.c.enterprise_id)
                     .where(AR.c.recommended_on <= until)).mappings().all()
    order = [(ActivistStage.WITHDRAWN, "withdrawn_on"), (ActivistStage.MEMBER, "member_on"),
             (ActivistStage.PROBATIONARY, "probationary_on"), (ActivistStage.CANDIDATE, "candidate_on"),
             (ActivistStage.ACTIVIST, "activist_on")]
    open_, stuck = 0, 0
    for r in rows:
        if towns is not None and r["township_id"] not in towns:
            continue
        stage, since = ActivistStage.RECOMMENDED, r["recommended_on"]
        for st, col in order:
            if r[col] is not None and r[col] <= until:
                stage, since = st, r[col]
                break
        if stage in (ActivistStage.MEMBER, ActivistStage.WITHDRAWN):
            continue
        open_ += 1
        stuck += (until - since).days > dev.STUCK_DAYS[stage]
    return open_, stuck


def _periods(s: Session) -> list[tuple[D, D]]:
    held = sorted(district_meetings(s, Scope.district(), until=DEMO_TODAY)["held_on"])
    return list(zip(held[-5:-1], held[-4:], strict=True)) + [(held[-1], DEMO_TODAY)]


def test_the_demo_between_its_meetings_matches_sql_written_out(any_demo_engine):
    with Session(any_demo_engine) as s:
        towns = [int(i) for i in s.execute(sa.text("SELECT id FROM township ORDER BY sort_order, id")).scalars()]
        published = 0
        for since, until in _periods(s):
            for chosen in (None, towns[:1], towns[1:4]):
                scope = Scope.district() if chosen is None else Scope.townships(chosen)
                m = mechanisms(s, scope, since, until, limit=None)
                want = _counted(s, since, until, chosen)
                got = {"recommended": m.recommended, "activist": m.to_activist, "candidate": m.to_candidate,
                       "probationary": m.to_probationary, "member": m.to_member, "withdrawn": m.withdrawn,
                       "evaluated": m.evaluated, "evaluated_passed": m.evaluated_passed,
                       "nominations": m.nominations, "worker": m.awards_worker, "manager": m.awards_manager}
                assert got == want, (since, until, chosen)
                assert (m.open, m.stuck) == _replayed_stuck(s, until, chosen)
                assert int(m.townships["total"].sum()) == m.awards and m.n_townships == len(m.townships)
                if chosen is not None:
                    assert set(m.townships["township_id"]) <= set(chosen)
                published += len(m.rounds_published)
        assert published >= 1  # some period saw a round published: the award counts were exercised


def test_the_demo_share_is_the_development_pages(any_demo_engine):
    """The union's share of the year is the /development page's figure (its own, separate SQL)."""
    with Session(any_demo_engine) as s:
        for day in (DEMO_TODAY, D(2025, 12, 31), D(2024, 6, 30)):
            m = mechanisms(s, Scope.district(), None, day)
            page = dev.figures(s, Scope.district(), day).overall.iloc[0]
            assert (m.admitted_union_year, m.admitted_total_year, m.admitted_unrecorded_year) == (
                page["admitted_union_year"], page["admitted_total_year"], page["admitted_unrecorded_year"])
            assert m.admitted_total_year > 0


def test_the_demo_since_the_last_meeting_and_its_section(any_demo_engine):
    with Session(any_demo_engine) as s:
        m = since_last_meeting(s, Scope.district(), DEMO_TODAY, limit=12)
        last = max(district_meetings(s, Scope.district(), until=DEMO_TODAY)["held_on"])
        names = set(s.execute(sa.text("SELECT person_name FROM activist_recommendation UNION "
                                      "SELECT person_name FROM double_love_award")).scalars())
    assert m.since == last and m.until == DEMO_TODAY and not m.empty
    text = " ".join(brief_section(m, "zh_CN", limit=12).lines + brief_section(m, "en", limit=12).lines)
    assert f"{m.recommended} 人" in text
    assert not any(n in text for n in names if len(n) >= 2)
