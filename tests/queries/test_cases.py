"""Model enterprises (典型案例): the model rule in SQL, scope, as-of replay, one case's facts, and the
comparison figures against numbers counted independently. On SQLite and PostgreSQL (``any_engine``)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.queries import cases
from dashboard.queries.coverage import coverage_kpis
from dashboard.queries.scope import Scope
from models import rules
from models.enums import (
    ActivistStage,
    ActivityKind,
    HonourLevel,
    Organ,
    Ownership,
    PartyOrgLevel,
    Season,
    TownshipKind,
    UnionKind,
)
from models.tables import (
    Activity,
    ActivistRecommendation,
    Enterprise,
    Honour,
    MembershipChange,
    ModelDesignation,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
)
from seed_data import facts

TODAY = dt.date(2026, 11, 24)
SNAP = facts.SNAPSHOT
UTC = dt.UTC


# --------------------------------------------------------------------------- a small hand-made district


def small_district(engine) -> dict[str, int]:
    """Two townships, five enterprises with known honours, designations, unions and activities.

    A (T1): municipal honour 2010                       → a model from 2010 (honour)
    B (T1): district honour only; designated 2015-03-01  → a model from 2015-03-01 (designated)
    C (T2): provincial honour 2005; removed 2020-06-01   → a model 2005 … 2020-05-31
    D (T2): no honour, unionised, activities             → never a model
    E (T1): national honour 2001, closed 2012            → a model 2001 … 2011
    """
    ids: dict[str, int] = {}
    with Session(engine) as s:
        t1 = Township(code="T1", name="一号镇", kind=TownshipKind.TOWN, sort_order=1)
        t2 = Township(code="T2", name="二号街道", kind=TownshipKind.SUBDISTRICT, sort_order=2)
        s.add_all([t1, t2])
        s.flush()
        ids["T1"], ids["T2"] = t1.id, t2.id

        def ent(key, township, serial, *, closed=None, employees=100):
            e = Enterprise(uscc=rules.make_uscc(division="220299", serial=serial), name=f"测试企业{key}",
                           township_id=township.id, ownership=Ownership.PRIVATE, industry="机械制造", employees=employees,
                           party_members=5, registered_on=dt.date(2000, 1, 1), closed_on=closed)
            s.add(e)
            s.flush()
            ids[key] = e.id
            return e

        a, b, c, d, e = (ent("A", t1, 11), ent("B", t1, 12), ent("C", t2, 13), ent("D", t2, 14, employees=50),
                         ent("E", t1, 15, closed=dt.date(2012, 1, 1)))
        for who, level, year in ((a, HonourLevel.MUNICIPAL, 2010), (b, HonourLevel.DISTRICT, 2008),
                                 (c, HonourLevel.PROVINCIAL, 2005), (e, HonourLevel.NATIONAL, 2001)):
            s.add(Honour(enterprise_id=who.id, title=f"荣誉{who.name[-1]}", level=level, awarding_body="某单位",
                        year=year, organ=Organ.UNION))
        s.add(Honour(enterprise_id=a.id, title="区级荣誉A", level=HonourLevel.DISTRICT, awarding_body="区", year=2009,
                    organ=Organ.PARTY))
        s.add_all([
            ModelDesignation(enterprise_id=b.id, designated=True, reason="指定理由B", by_username="staff",
                             at=dt.datetime(2015, 3, 1, 8, 0, tzinfo=UTC)),
            ModelDesignation(enterprise_id=c.id, designated=False, reason="取消理由C", by_username="staff",
                             at=dt.datetime(2020, 6, 1, 8, 0, tzinfo=UTC)),
        ])
        # unions: A (own, 2001), D (own, 2002); B and C have none; members and activities
        for who, founded, members in ((a, dt.date(2001, 5, 1), 80), (d, dt.date(2002, 5, 1), 25)):
            u = UnionOrg(name=f"{who.name}工会", kind=UnionKind.ENTERPRISE, township_id=who.township_id,
                         enterprise_id=who.id, founded_on=founded, chair_name="张三",
                         chair_is_party_secretary=who is a)
            s.add(u)
            s.flush()
            s.add(UnionCoverage(union_id=u.id, enterprise_id=who.id, start_on=founded))
            s.add(MembershipChange(union_id=u.id, enterprise_id=who.id, changed_on=founded, joined=members))
        po = PartyOrg(name="测试企业A党支部", level=PartyOrgLevel.BRANCH, township_id=t1.id, enterprise_id=a.id,
                      founded_on=dt.date(2003, 7, 1), secretary_name="张三")
        s.add(po)
        s.flush()
        s.add(PartyCoverage(party_org_id=po.id, enterprise_id=a.id, start_on=dt.date(2003, 7, 1)))
        for who, days in ((a, (10, 100, 300, 400)), (d, (5, 50)), (b, (20, 30, 40))):
            for k, ago in enumerate(days):
                s.add(Activity(enterprise_id=who.id, title=f"活动{k}", kind=ActivityKind.TRAINING,
                               season=Season.SPRING_SUMMER if k % 2 else None, organ=Organ.UNION,
                               held_on=dt.date(2020, 12, 31) - dt.timedelta(days=ago), participants=10))
        for who, n in ((a, 3), (d, 1), (b, 4)):
            for k in range(n):
                s.add(ActivistRecommendation(enterprise_id=who.id, person_name=f"积极分子{k}",
                                             recommended_on=dt.date(2019, 1, 1), stage=ActivistStage.RECOMMENDED,
                                             stage_on=dt.date(2019, 1, 1)))
        s.commit()
    return ids


def _names(df) -> set[str]:
    return set(df["name"])


# --------------------------------------------------------------------------- the model rule


@pytest.mark.parametrize("day, expected", [
    (dt.date(2004, 12, 31), {"E"}),  # C's honour is from 2005
    (dt.date(2010, 6, 30), {"A", "C", "E"}),  # an honour counts from the start of its year
    (dt.date(2015, 2, 28), {"A", "C"}),  # E closed in 2012; B not yet designated
    (dt.date(2015, 3, 1), {"A", "B", "C"}),  # B designated that day
    (dt.date(2020, 6, 1), {"A", "B"}),  # C removed that day, whatever its honour
])
def test_model_rule_honour_designation_removal_and_dates(any_engine, day, expected):
    ids = small_district(any_engine)
    with Session(any_engine) as s:
        models = cases.model_enterprises(s, Scope.district(), day)
    assert _names(models) == {f"测试企业{k}" for k in expected}
    by_name = models.set_index("name")
    if "B" in expected:
        assert by_name.loc["测试企业B", "basis"] == "designated" and by_name.loc["测试企业B", "reason"] == "指定理由B"
    if "A" in expected:
        row = by_name.loc["测试企业A"]
        assert row["basis"] == "honour" and row["best_level"] == "municipal" and row["best_title"] == "荣誉A"
        assert [h["title"] for h in row["top_honours"]] == ["荣誉A", "区级荣誉A"]  # highest level first
    assert set(models["enterprise_id"]) <= set(ids.values())


def test_designations_count_from_the_district_date_beijing_time(any_engine):
    """As-of dates are dates in the district (Asia/Shanghai, UTC+8): 2026-05-01 20:00 UTC is 2026-05-02
    04:00 there, so it counts from 2026-05-02, not on 2026-05-01; 15:59 UTC is still 2026-05-01 there."""
    ids = small_district(any_engine)
    late = dt.datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
    with Session(any_engine) as s:
        s.add(ModelDesignation(enterprise_id=ids["D"], designated=True, reason="北京时间5月2日凌晨指定",
                               by_username="staff", at=late))
        s.add(ModelDesignation(enterprise_id=ids["A"], designated=False, reason="北京时间5月1日23:59取消",
                               by_username="staff", at=dt.datetime(2026, 5, 1, 15, 59, tzinfo=UTC)))
        s.commit()
    may1, may2 = dt.date(2026, 5, 1), dt.date(2026, 5, 2)
    assert cases.end_of_day(may1) == dt.datetime(2026, 5, 1, 16, 0, tzinfo=UTC)
    with Session(any_engine) as s:
        assert "测试企业D" not in _names(cases.model_enterprises(s, Scope.district(), may1))
        assert "测试企业D" in _names(cases.model_enterprises(s, Scope.district(), may2))
        assert "测试企业A" not in _names(cases.model_enterprises(s, Scope.district(), may1))  # removed that evening
        assert not cases.model_status(s, Scope.district(), ids["D"], may1).is_model
        status = cases.model_status(s, Scope.district(), ids["D"], may2)
        assert status.is_model and status.basis == "designated" and status.at == late
        detail = cases.case_detail(s, Scope.district(), ids["D"], may2)
        designated = detail.timeline[detail.timeline["kind"] == "designated"]
        assert list(designated["date"]) == [may2]  # the district's date, not the UTC one
        history = cases.designation_history(s, Scope.district(), ids["D"])
    shown = history["at"].iloc[0]
    assert shown == late and shown.utcoffset() == dt.timedelta(hours=8)
    assert shown.strftime("%Y-%m-%d %H:%M") == "2026-05-02 04:00"


def test_scope_and_level_filter_are_applied_in_sql(any_engine):
    ids = small_district(any_engine)
    day = dt.date(2016, 1, 1)
    with Session(any_engine) as s:
        assert _names(cases.model_enterprises(s, Scope.townships([ids["T1"]]), day)) == {"测试企业A", "测试企业B"}
        assert _names(cases.model_enterprises(s, Scope.townships([ids["T2"]]), day)) == {"测试企业C"}
        assert cases.model_enterprises(s, Scope.townships([]), day).empty
        assert _names(cases.model_enterprises(s, Scope.district(), day, levels=("municipal",))) == {"测试企业A"}
        # B's highest honour is a district one: it is found under 区级, not under 无荣誉
        assert _names(cases.model_enterprises(s, Scope.district(), day, levels=("district",))) == {"测试企业B"}
        assert cases.model_enterprises(s, Scope.district(), day, levels=(cases.NO_HONOUR,)).empty
        assert _names(cases.model_enterprises(s, Scope.district(), day, levels=("provincial", "municipal"))) == \
            {"测试企业A", "测试企业C"}


def test_case_detail_refuses_what_it_must_not_show(any_engine):
    ids = small_district(any_engine)
    day = dt.date(2021, 1, 1)
    with Session(any_engine) as s:
        assert cases.case_detail(s, Scope.district(), ids["A"], day) is not None
        assert cases.case_detail(s, Scope.townships([ids["T2"]]), ids["A"], day) is None  # another township
        assert cases.case_detail(s, Scope.district(), ids["D"], day) is None  # not a model
        assert cases.case_detail(s, Scope.district(), ids["C"], day) is None  # removed
        assert cases.case_detail(s, Scope.district(), ids["D"], day, models_only=False) is not None
        assert cases.case_detail(s, Scope.district(), 999_999, day) is None
        status = cases.model_status(s, Scope.district(), ids["C"], day)
        assert status == cases.ModelStatus(False, "removed", "取消理由C", "staff", status.at)


def test_comparison_against_independent_counts(any_engine):
    """A: 80 members / 100 employees; in the 12 months to 2020-12-31 A held 3 activities (10, 100, 300
    days before), D 2, B 3 — B has no union, so the benchmark counts A and D only: (3 + 2) / 2."""
    ids = small_district(any_engine)
    day = dt.date(2020, 12, 31)
    with Session(any_engine) as s:
        detail = cases.case_detail(s, Scope.district(), ids["A"], day)
        kpis = coverage_kpis(s, Scope.district(), day)
    c = detail.comparison
    assert (c.membership.numerator, c.membership.denominator, c.membership.value) == (80, 100, 0.8)
    assert (c.membership.bench_numerator, c.membership.bench_denominator) == (80 + 25, 100 + 50)
    assert c.membership.average == pytest.approx(kpis.membership.value)  # the overview's 入会率
    assert c.unionised == 2 and c.bench_is_district
    assert (c.activities.numerator, c.activities.bench_numerator, c.activities.average) == (3, 5, 2.5)
    assert (c.activists.numerator, c.activists.bench_numerator, c.activists.average) == (3, 4, 2.0)
    assert c.window_start == dt.date(2020, 1, 1)
    # the benchmark of one township only: A alone is unionised in T1
    with Session(any_engine) as s:
        local = cases.case_detail(s, Scope.townships([ids["T1"]]), ids["A"], day).comparison
    assert not local.bench_is_district and local.unionised == 1 and local.activities.average == 3.0
    # facts: own union 2001 and branch 2003 with the same person; union first
    assert detail.union_founded_on == dt.date(2001, 5, 1) and detail.party_founded_on == dt.date(2003, 7, 1)
    assert detail.one_person and detail.first_organisation == "union"
    assert list(detail.honours["title"]) == ["荣誉A", "区级荣誉A"]


# --------------------------------------------------------------------------- the demo: the source's four


def test_the_four_source_models_qualify_and_their_facts(any_demo_engine):
    any_engine = any_demo_engine  # the shared, read-only demo district (tests/conftest.py)
    with Session(any_engine) as s:
        at_snap = cases.model_enterprises(s, Scope.district(), SNAP)
        today = cases.model_enterprises(s, Scope.district(), TODAY)
        assert set(facts.MODEL_ENTERPRISES) <= _names(at_snap) and set(facts.MODEL_ENTERPRISES) <= _names(today)
        assert list(at_snap["name"][:4]) == list(facts.MODEL_ENTERPRISES)  # the source's four come first
        assert at_snap["from_source"][:4].all() and not at_snap["from_source"][4:].any()
        dy_row = at_snap.set_index("name").loc[facts.DEYUN]
        assert dy_row["basis"] == "honour" and (dy_row["best_level"], dy_row["best_title"]) == ("provincial", "模范职工之家")
        for name in (facts.HENGTONG, facts.FANGTIAN, facts.HONGGUANG):  # no honour in the source: designated
            row = at_snap.set_index("name").loc[name]
            assert row["basis"] == "designated" and "原文" in row["reason"]
        # every other model holds a municipal+ honour of its own (none is designated in the demo)
        others = today[~today["from_source"]]
        assert (others["basis"] == "honour").all() and others["highest_level"].isin(cases.MODEL_LEVELS).all()
        ent = {n: s.exec(select(Enterprise).where(Enterprise.name == n)).one() for n in facts.MODEL_ENTERPRISES}

        hg = cases.case_detail(s, Scope.district(), ent[facts.HONGGUANG].id, SNAP)
        assert hg.union_founded_on.year == facts.HONGGUANG_UNION_YEAR and hg.union_is_own
        assert hg.party_founded_on.year == facts.HONGGUANG_BRANCH_YEAR and hg.party_org_level == "branch"
        assert hg.one_person and hg.party_secretary == hg.union_chair
        assert hg.owner_is_party_member is False and hg.first_organisation == "union"
        kinds = list(hg.timeline["kind"])
        assert kinds.index("union_founded") < kinds.index("party_org_founded")

        dy = cases.case_detail(s, Scope.district(), ent[facts.DEYUN].id, SNAP)
        assert dy.first_organisation == "party" and dy.party_org_level == "general_branch"
        assert dy.ownership == "restructured" and list(dy.timeline["kind"])[0] == "restructured"
        assert {(h["title"], h["level"], h["organ"]) for h in dy.honours.to_dict("records")} == \
            {(title, level, organ) for title, level, organ, _ in facts.DEYUN_HONORS}
        seasons = dy.activities.set_index("season", drop=False)
        spring = dy.activities[dy.activities["season"] == "spring_summer"].iloc[0]
        autumn = dy.activities[dy.activities["season"] == "autumn_winter"].iloc[0]
        assert spring["titles"] == ["消夏晚会", "水球赛", "钓鱼赛", "登山赛"]  # the source's order
        assert autumn["titles"] == ["联欢会", "拔河赛", "运动会", "台球赛", "雪地足球赛"]
        assert set(seasons["kind"]) == {"culture_sports", "women", "essay_contest"}
        # every honour of the case exists in the database, as shown
        stored = {tuple(r) for r in s.execute(sa.select(Honour.title, Honour.level, Honour.awarding_body, Honour.year)
                                              .where(Honour.enterprise_id == dy.enterprise_id)).all()}
        shown = {(h["title"], HonourLevel(h["level"]), h["awarding_body"], h["year"]) for h in dy.honours.to_dict("records")}
        assert shown and shown <= stored


def test_yuebei_models_only_in_yuebei(any_demo_engine):
    any_engine = any_demo_engine  # the shared, read-only demo district (tests/conftest.py)
    with Session(any_engine) as s:
        yb = s.exec(select(Township).where(Township.code == facts.YUEBEI_CODE)).one()
        models = cases.model_enterprises(s, Scope.townships([yb.id]), TODAY)
        district = cases.model_enterprises(s, Scope.district(), TODAY)
    assert len(models) >= 1 and set(models["township"]) == {facts.YUEBEI_NAME}
    assert set(models["enterprise_id"]) == set(district[district["township_id"] == yb.id]["enterprise_id"])


# --------------------------------------------------------------------------- one timeline for the ledger and the case


def test_the_case_timeline_is_the_ledgers_history_in_the_same_words(any_engine):
    """One enterprise timeline (``queries.timeline``): the case study shows its milestones, the ledger
    every event; an event the case shows is the same row, same kind, in the ledger's history."""
    from dashboard.queries import timeline
    from dashboard.queries.ledger import enterprise_detail

    ids = small_district(any_engine)
    with Session(any_engine) as s:  # B joins a township's joint union in 2016 (it has none of its own)
        joint = UnionOrg(name="一号镇联合工会", kind=UnionKind.JOINT, township_id=ids["T1"], founded_on=dt.date(2010, 1, 1),
                         chair_name="李四")
        s.add(joint)
        s.flush()
        s.add(UnionCoverage(union_id=joint.id, enterprise_id=ids["B"], start_on=dt.date(2016, 3, 1)))
        s.commit()
    day = dt.date(2020, 12, 31)
    with Session(any_engine) as s:
        a = cases.case_detail(s, Scope.district(), ids["A"], day)
        b = cases.case_detail(s, Scope.district(), ids["B"], day)
        ledger_a = enterprise_detail(s, Scope.district(), ids["A"], day).history
        ledger_b = enterprise_detail(s, Scope.district(), ids["B"], day).history
        c_full = timeline.enterprise_timeline(s, Scope.district(), ids["C"], day)
        outside = timeline.enterprise_timeline(s, Scope.townships([ids["T2"]]), ids["A"], day)
    assert list(a.timeline.columns) == timeline.COLUMNS == list(ledger_a.columns)
    assert list(a.timeline["kind"]) == ["registered", "union_founded", "party_org_founded", "honour", "honour",
                                        "activity"]  # the first activity of each type only
    assert set(timeline.MILESTONE_KINDS) <= set(timeline.KINDS)
    key = lambda df: {tuple(r) for r in df[["date", "kind", "title", "level", "organ"]].astype(str).to_numpy()}  # noqa: E731
    assert key(a.timeline) <= key(ledger_a) and key(b.timeline) <= key(ledger_b)
    assert (ledger_a["kind"] == "activity").sum() == 4 and (a.timeline["kind"] == "activity").sum() == 1
    # B: covered by a joint union (not its own) and designated; the same names in both
    assert [k for k in b.timeline["kind"] if k != "activity"] == ["registered", "honour", "designated",
                                                                  "union_coverage_start"]
    joined = b.timeline[b.timeline["kind"] == "union_coverage_start"].iloc[0]
    assert (joined["date"], joined["title"], joined["organ"]) == (dt.date(2016, 3, 1), "一号镇联合工会", "union")
    assert {"designated", "union_coverage_start"} <= set(ledger_b["kind"])
    # the ledger also shows a removal; the case study of a removed model does not exist
    assert list(c_full.loc[c_full["kind"].isin(["designated", "designation_removed"]), "title"]) == ["取消理由C"]
    assert outside.empty and list(outside.columns) == timeline.COLUMNS  # another township's enterprise: nothing


def test_the_timeline_stops_at_the_as_of_date_in_sql(any_engine):
    """Replayed at a date, nothing after it: an honour counts from 1 January of its year, a
    designation from the district's date it was made on; before registration there is nothing."""
    from dashboard.queries import timeline

    ids = small_district(any_engine)
    with Session(any_engine) as s:
        early = timeline.enterprise_timeline(s, Scope.district(), ids["A"], dt.date(2009, 12, 31))
        jan1 = timeline.enterprise_timeline(s, Scope.district(), ids["A"], dt.date(2010, 1, 1))
        b_before = timeline.enterprise_timeline(s, Scope.district(), ids["B"], dt.date(2015, 2, 28))
        b_on = timeline.enterprise_timeline(s, Scope.district(), ids["B"], dt.date(2015, 3, 1), milestones=True)
        before = timeline.enterprise_timeline(s, Scope.district(), ids["A"], dt.date(1999, 12, 31))
    assert list(early.loc[early["kind"] == "honour", "title"]) == ["区级荣誉A"]  # 2009 only
    assert list(jan1.loc[jan1["kind"] == "honour", "title"]) == ["区级荣誉A", "荣誉A"]
    assert early["date"].max() <= dt.date(2009, 12, 31) and "activity" not in set(early["kind"])
    assert "designated" not in set(b_before["kind"])
    assert list(b_on.loc[b_on["kind"] == "designated", "date"]) == [dt.date(2015, 3, 1)]
    assert before.empty
