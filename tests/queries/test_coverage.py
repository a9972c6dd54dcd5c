"""Coverage figures and patterns in SQL (``dashboard/queries/coverage.py``) against the Python rule
(``models.rules``) on a small hand-made district, on SQLite and PostgreSQL.

Each enterprise of ``SPECS`` is one edge of the rules (DESIGN.md §2–3): a period that starts or
ends on the as-of date, a joint union, a gap between two periods, a closure, a late liaison
officer. The expectations come from the Python rule and from numbers written out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd
import pytest
from sqlmodel import Session

from dashboard.queries import coverage
from dashboard.queries.coverage import COVERAGE_COLUMNS, coverage_by_township, coverage_kpis, pattern_of
from dashboard.queries.scope import Scope
from models import rules
from models.enums import PartyOrgLevel, Pattern, TownshipKind, UnionKind, UnitKind
from models.rules import Period, pattern_as_of
from models.summary import rebuild_summaries
from tests.factories import world

D = dt.date
DAY = dt.timedelta(days=1)
AS_OF = D(2002, 12, 31)
LONG_AGO = D(1995, 1, 1)


# =========================================================================== the hand-made district



@dataclass
class Spec:
    """One hand-made enterprise: its facts and its coverage periods."""

    key: str
    township: str
    members: int
    employees: int
    registered: dt.date = LONG_AGO
    closed: dt.date | None = None
    union: list[tuple[str, Period]] = field(default_factory=list)  # (union key, period)
    party: list[tuple[str, Period]] = field(default_factory=list)  # (party org key, period)
    liaison: list[Period] = field(default_factory=list)
    joined: list[tuple[dt.date, int, int]] = field(default_factory=list)  # (day, joined, left)


SPECS = [
    # 一会一支 from 2001-06-01 (a general branch, 60 members); 应建未建 before that.
    Spec("branch", "T1", 60, 300, union=[("u_branch", Period(D(2000, 1, 1)))],
         party=[("p_branch", Period(D(2001, 6, 1)))], joined=[(D(2000, 1, 1), 200, 0), (D(2002, 6, 1), 30, 10)]),
    # exactly 3 members, union, liaison, no Party org: 应建未建 however long it has a union.
    Spec("three", "T1", 3, 40, union=[("u_three", Period(D(1999, 1, 1)))], liaison=[Period(D(1999, 1, 1))],
         joined=[(D(1999, 1, 1), 30, 0), (AS_OF, 7, 2)]),  # a change on the as-of date counts
    # exactly 2 members: union from 2000, own liaison from 2001-01-01.
    Spec("two_liaison", "T1", 2, 25, union=[("u_two", Period(D(2000, 1, 1)))], liaison=[Period(D(2001, 1, 1))],
         joined=[(D(2000, 1, 1), 20, 0), (D(2003, 2, 1), 3, 0)]),
    # 2 members, union, dispatched liaison only after the snapshot.
    Spec("late_liaison", "T2", 2, 12, union=[("u_late", Period(D(2001, 1, 1)))], liaison=[Period(D(2003, 3, 1))]),
    # no union, one member.
    Spec("none", "T2", 1, 8),
    # union dissolved on 2002-06-30 (coverage ended); dispatched liaison all along.
    Spec("dissolved", "T2", 0, 30, union=[("u_dissolved", Period(D(1999, 1, 1), D(2002, 6, 30)))],
         liaison=[Period(D(1999, 1, 1))], joined=[(D(1999, 1, 1), 25, 0), (D(2002, 6, 30), 0, 25)]),
    # two small enterprises covered by one joint union from 2002-03-01; the second has a liaison.
    Spec("joint_a", "T1", 0, 6, union=[("u_joint", Period(D(2002, 3, 1)))], joined=[(D(2002, 3, 1), 5, 0)]),
    Spec("joint_b", "T2", 1, 9, union=[("u_joint", Period(D(2002, 3, 1)))], liaison=[Period(D(2002, 3, 1))],
         joined=[(D(2002, 3, 1), 9, 1)]),
    # registered only on 2003-01-01.
    Spec("new", "T1", 0, 3, registered=D(2003, 1, 1)),
    # closed on 2002-12-31 (operating the day before).
    Spec("closed", "T2", 4, 20, closed=D(2002, 12, 31), union=[("u_closed", Period(D(1999, 1, 1), D(2002, 12, 31)))],
         party=[("p_closed", Period(D(2000, 1, 1), D(2002, 12, 31)))], joined=[(D(1999, 1, 1), 18, 0)]),
    # a joint Party branch and a union; its union period has a gap in 2000.
    Spec("joint_branch", "T1", 4, 15, union=[("u_gap", Period(D(1998, 1, 1), D(2000, 1, 1))),
                                            ("u_gap", Period(D(2001, 1, 1)))],
         party=[("p_joint", Period(D(1999, 1, 1)))]),
    # Party organisation but no union (the bureau would notify the union federation).
    Spec("party_no_union", "T2", 10, 50, party=[("p_nounion", Period(D(1998, 1, 1)))]),
    # liaison officer whose appointment ended exactly on the snapshot.
    Spec("liaison_ended", "T1", 1, 10, union=[("u_le", Period(D(2000, 1, 1)))], liaison=[Period(D(2000, 1, 1), AS_OF)]),
]

JOINT_UNIONS = {"u_joint"}
JOINT_PARTY = {"p_joint"}

AS_OF_DATES = [
    D(1998, 6, 1),
    D(2000, 6, 1),
    D(2001, 1, 1),
    D(2001, 5, 31),
    D(2001, 6, 1),
    D(2002, 2, 28),
    D(2002, 3, 1),
    D(2002, 6, 29),
    D(2002, 6, 30),
    D(2002, 12, 30),
    D(2002, 12, 31),
    D(2003, 1, 1),
    D(2003, 3, 1),
]

# Hand-written expectations for the edge cases (from the rules, not from the code).
EDGE_EXPECTATIONS = {
    ("branch", D(2000, 6, 1)): Pattern.SHOULD_BUILD,
    ("branch", D(2001, 5, 31)): Pattern.SHOULD_BUILD,
    ("branch", D(2001, 6, 1)): Pattern.UNION_AND_BRANCH,
    ("three", AS_OF): Pattern.SHOULD_BUILD,
    ("two_liaison", D(2000, 6, 1)): Pattern.UNION_ONLY,
    ("two_liaison", D(2001, 1, 1)): Pattern.UNION_AND_LIAISON,
    ("late_liaison", AS_OF): Pattern.UNION_ONLY,
    ("late_liaison", D(2003, 3, 1)): Pattern.UNION_AND_LIAISON,
    ("none", AS_OF): Pattern.NO_UNION,
    ("dissolved", D(2002, 6, 29)): Pattern.UNION_AND_LIAISON,
    ("dissolved", D(2002, 6, 30)): Pattern.NO_UNION,
    ("joint_a", D(2002, 2, 28)): Pattern.NO_UNION,
    ("joint_a", D(2002, 3, 1)): Pattern.UNION_ONLY,
    ("joint_b", D(2002, 3, 1)): Pattern.UNION_AND_LIAISON,
    ("new", AS_OF): None,
    ("new", D(2003, 1, 1)): Pattern.NO_UNION,
    ("closed", D(2002, 12, 30)): Pattern.UNION_AND_BRANCH,
    ("closed", AS_OF): None,
    ("joint_branch", D(2000, 6, 1)): Pattern.NO_UNION,
    ("joint_branch", D(2001, 1, 1)): Pattern.UNION_AND_BRANCH,
    ("party_no_union", AS_OF): Pattern.NO_UNION,
    ("liaison_ended", D(2002, 12, 30)): Pattern.UNION_AND_LIAISON,
    ("liaison_ended", AS_OF): Pattern.UNION_ONLY,
}


def rule_pattern(spec: Spec, day: dt.date) -> Pattern | None:
    return pattern_as_of(
        day,
        registered_on=spec.registered,
        closed_on=spec.closed,
        party_members=spec.members,
        union_periods=[p for _, p in spec.union],
        party_periods=[p for _, p in spec.party],
        liaison_periods=spec.liaison,
    )


def test_hand_made_specs_exercise_every_pattern_and_edge():
    patterns = {rule_pattern(s, d) for s in SPECS for d in AS_OF_DATES}
    assert patterns == set(Pattern) | {None}
    for (key, day), expected in EDGE_EXPECTATIONS.items():
        spec = next(s for s in SPECS if s.key == key)
        assert rule_pattern(spec, day) is expected, (key, day)



@dataclass
class Built:
    ids: dict[str, int]  # spec key -> enterprise id
    townships: dict[str, int]  # T1/T2/T3 -> township id


def build_db(engine) -> Built:
    """The townships T1, T2 and T3 (empty) and every enterprise of ``SPECS`` with its periods."""
    with world(engine) as w:
        w.add_township("T1", "越北镇", TownshipKind.TOWN, sort_order=1)
        w.add_township("T2", "东街道", TownshipKind.SUBDISTRICT, sort_order=2)
        w.add_township("T3", "空乡", TownshipKind.TOWNSHIP, sort_order=3)  # no enterprises
        w.add_unit("T2-party", "东街道党工委", UnitKind.TOWNSHIP_PARTY, township="T2")
        for spec in SPECS:
            w.add_enterprise(spec.key, spec.township, members=spec.members, employees=spec.employees,
                             registered=spec.registered, closed=spec.closed, name=f"测试企业{spec.key}")
        for spec in SPECS:
            for ukey, period in spec.union:
                if ukey not in w.union:  # a joint union has no enterprise of its own
                    joint = ukey in JOINT_UNIONS
                    w.add_union(ukey, None if joint else spec.key, township=spec.township, founded=period.start,
                                dissolved=period.end, kind=UnionKind.JOINT if joint else UnionKind.ENTERPRISE,
                                name=f"工会{ukey}", cover=False)
                w.add_union_coverage(ukey, spec.key, period.start, period.end)
            for pkey, period in spec.party:
                if pkey not in w.party:
                    joint = pkey in JOINT_PARTY
                    w.add_party_org(pkey, None if joint else spec.key, township=spec.township, founded=period.start,
                                    dissolved=period.end, level=PartyOrgLevel.JOINT_BRANCH if joint else None,
                                    name=f"党组织{pkey}", cover=False)
                w.add_party_coverage(pkey, spec.key, period.start, period.end)
            for period in spec.liaison:  # the enterprise's own member, else dispatched
                w.add_liaison(spec.key, period.start, period.end, dispatched_by=None if spec.members > 0 else "T2-party")
            for day, joined, left in spec.joined:
                w.add_members(spec.union[0][0], spec.key, day, joined, left)
    return Built(ids=dict(w.ent), townships=dict(w.township))


# =========================================================================== patterns and counts


@pytest.fixture
def built(any_engine):
    return any_engine, build_db(any_engine)


def test_sql_pattern_of_agrees_with_python_rule(built):
    engine, b = built
    with Session(engine) as s:
        for day in AS_OF_DATES:
            for spec in SPECS:
                got = pattern_of(s, b.ids[spec.key], day)
                assert got == rule_pattern(spec, day), (spec.key, day)
        for (key, day), expected in EDGE_EXPECTATIONS.items():
            assert pattern_of(s, b.ids[key], day) == expected, (key, day)


def test_pattern_of_unknown_enterprise_is_none(built):
    engine, b = built
    with Session(engine) as s:
        assert pattern_of(s, max(b.ids.values()) + 1000, AS_OF) is None


def expected_counts(township: str, day: dt.date) -> dict[str, int]:
    """Additive counts of one township, from the Python rule and the KPI definitions (DESIGN.md §3)."""
    c = dict.fromkeys(COVERAGE_COLUMNS, 0)
    for spec in SPECS:
        if spec.township != township:
            continue
        pat = rule_pattern(spec, day)
        if pat is None:
            continue
        u = rules.any_active([p for _, p in spec.union], day)
        p = rules.any_active([p for _, p in spec.party], day)
        li = rules.any_active(spec.liaison, day)
        members = sum(j - lft for d, j, lft in spec.joined if d <= day)
        c["operating"] += 1
        c["unionised"] += u
        c["with_party_org"] += p
        c["qualified"] += spec.members >= 3
        c["qualified_with_party_org"] += spec.members >= 3 and p
        c["party_or_liaison_unionised"] += u and (p or li)
        c["party_or_liaison"] += p or li
        c["employees_unionised"] += spec.employees if u else 0
        c["members_unionised"] += members if u else 0
        c[f"pattern_{pat.value}"] += 1
        # 单独建立: a period of its own union / Party organisation (not a joint one) on the day
        c["unionised_own"] += rules.any_active([p for k, p in spec.union if k not in JOINT_UNIONS], day)
        c["with_party_org_own"] += rules.any_active([p for k, p in spec.party if k not in JOINT_PARTY], day)
    return c


@pytest.mark.parametrize("day", [D(2001, 1, 1), D(2002, 3, 1), D(2002, 6, 30), D(2002, 12, 30), AS_OF, D(2003, 3, 1)])
def test_coverage_by_township_matches_the_rule_and_adds_up(built, day):
    engine, b = built
    with Session(engine) as s:
        df = coverage_by_township(s, Scope.district(), day)
        kpis = coverage_kpis(s, Scope.district(), day)
        single = {t: coverage_kpis(s, Scope.townships([tid]), day) for t, tid in b.townships.items()}
        scoped = coverage_by_township(s, Scope.townships([b.townships["T2"], b.townships["T3"]]), day)
        nothing = coverage_by_township(s, Scope.townships([]), day)

    # A scope returns its townships' rows only, with the same counts as in the district table.
    assert sorted(scoped["township_id"]) == sorted([b.townships["T2"], b.townships["T3"]])
    assert {c: int(scoped.loc[scoped["township_id"] == b.townships["T2"], c].iloc[0]) for c in COVERAGE_COLUMNS} == (
        expected_counts("T2", day)
    )
    assert len(nothing) == 0

    by_id = {tid: t for t, tid in b.townships.items()}
    assert sorted(df["township_id"]) == sorted(b.townships.values())  # every township, even the empty one
    for _, row in df.iterrows():
        township = by_id[int(row["township_id"])]
        exp = expected_counts(township, day)
        assert {c: int(row[c]) for c in COVERAGE_COLUMNS} == exp, township
        assert sum(int(row[f"pattern_{p.value}"]) for p in Pattern) == int(row["operating"])
    t3 = df[df["township_id"] == b.townships["T3"]].iloc[0]
    assert all(int(t3[c]) == 0 for c in COVERAGE_COLUMNS)

    sums = {c: int(df[c].sum()) for c in COVERAGE_COLUMNS}
    # The district row (numerators and denominators) is the sum over townships.
    assert kpis.operating == sums["operating"] == sum(expected_counts(t, day)["operating"] for t in b.townships)
    pairs = {
        "union_coverage": ("unionised", "operating"),
        "membership": ("members_unionised", "employees_unionised"),
        "party_coverage": ("with_party_org", "operating"),
        "qualified_built": ("qualified_with_party_org", "qualified"),
        "work_coverage": ("party_or_liaison", "operating"),
        "union_work_coverage": ("party_or_liaison_unionised", "unionised"),
    }
    for attr, (num, den) in pairs.items():
        rate = getattr(kpis, attr)
        assert (rate.numerator, rate.denominator) == (sums[num], sums[den]), attr
        expected_value = None if sums[den] == 0 else sums[num] / sums[den]
        assert rate.value == expected_value, attr
        # the same holds for a single township's scope
        for township, k in single.items():
            e = expected_counts(township, day)
            assert (getattr(k, attr).numerator, getattr(k, attr).denominator) == (e[num], e[den]), (attr, township)
    assert kpis.patterns == {p: sums[f"pattern_{p.value}"] for p in Pattern}
    assert sum(kpis.patterns.values()) == kpis.operating


def test_rates_are_recomputed_from_sums_not_averaged(built):
    """On a date where townships differ in size, the average of township rates is not the district rate."""
    engine, b = built
    day = AS_OF
    with Session(engine) as s:
        district = coverage_kpis(s, Scope.district(), day)
        townships = [coverage_kpis(s, Scope.townships([b.townships[t]]), day) for t in ("T1", "T2")]
    e1, e2 = expected_counts("T1", day), expected_counts("T2", day)
    expected = (e1["unionised"] + e2["unionised"]) / (e1["operating"] + e2["operating"])
    mean_of_rates = (e1["unionised"] / e1["operating"] + e2["unionised"] / e2["operating"]) / 2
    assert expected != pytest.approx(mean_of_rates)  # the fixture makes the distinction visible
    assert district.union_coverage.value == pytest.approx(expected)
    assert [t.union_coverage.value for t in townships] == [
        pytest.approx(e1["unionised"] / e1["operating"]),
        pytest.approx(e2["unionised"] / e2["operating"]),
    ]


def _keys(b: Built, ids) -> set[str]:
    names = {v: k for k, v in b.ids.items()}
    return {names[int(i)] for i in ids}


def test_summary_tables_give_the_figures_and_pattern_lists_of_the_exact_sql(built):
    """With fresh summary tables the figures and the gap lists come from them: the same numbers
    and the same enterprises as the exact SQL and the Python rule, at every edge date."""
    engine, b = built
    rebuild_summaries(engine, today=D(2003, 6, 30))
    scopes = [Scope.district(), Scope.townships([b.townships["T2"]]), Scope.townships([b.townships["T3"]])]
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        for day in AS_OF_DATES:
            for scope in scopes:
                fast = coverage.coverage_by_township_summary(s, scope, day)
                assert fast.equals(coverage.coverage_by_township_exact(s, scope, day)), (day, scope)
            for pattern in Pattern:
                want = {spec.key for spec in SPECS if rule_pattern(spec, day) is pattern}
                listed = coverage.enterprises_in_pattern(s, Scope.district(), day, pattern.value, limit=None)
                exact = coverage.enterprise_patterns(s, Scope.district(), day, pattern=pattern.value, limit=None)
                assert _keys(b, listed["enterprise_id"]) == _keys(b, exact["enterprise_id"]) == want, (day, pattern)
                assert list(listed.columns) == coverage.GAP_COLUMNS and (listed["pattern"] == pattern.value).all()


def test_gap_list_is_ordered_capped_scoped_and_says_which_have_a_union(built):
    """On 1998-06-01 four enterprises qualify for a Party organisation without one (应建未建):
    branch (60 members, no union yet), joint_branch and closed (4 each), three (3); only
    joint_branch is unionised (u_gap from 1998-01-01). Most members first, then the newest id."""
    engine, b = built
    day = D(1998, 6, 1)
    with Session(engine) as s:
        gaps = coverage.gap_enterprises(s, Scope.district(), day, "should_build")
        names = {v: k for k, v in b.ids.items()}
        assert [names[i] for i in gaps["enterprise_id"]] == ["branch", "joint_branch", "closed", "three"]
        assert gaps["has_union"].tolist() == [False, True, False, False]
        assert gaps["party_members"].tolist() == [60, 4, 4, 3]
        assert len(coverage.gap_enterprises(s, Scope.district(), day, "should_build", limit=2)) == 2
        only_t2 = coverage.gap_enterprises(s, Scope.townships([b.townships["T2"]]), day, "should_build")
        assert [names[i] for i in only_t2["enterprise_id"]] == ["closed"]
        assert coverage.gap_enterprises(s, Scope.townships([b.townships["T3"]]), day, "should_build").empty
        # by AS_OF only "three" is left, and it has its union
        late = coverage.gap_enterprises(s, Scope.district(), AS_OF, "should_build")
        assert [names[i] for i in late["enterprise_id"]] == ["three"] and late["has_union"].tolist() == [True]
        # unionised_among: the enterprises a union covers that day, among those asked about
        everyone = list(b.ids.values())
        for when in (day, D(2000, 6, 1), D(2002, 6, 30), AS_OF):
            want = {spec.key for spec in SPECS if rules.any_active([p for _, p in spec.union], when)}
            assert _keys(b, coverage.unionised_among(s, everyone, when)) == want, when
        assert coverage.unionised_among(s, [], AS_OF) == set()
        assert coverage.unionised_among(s, [b.ids["none"]], AS_OF) == set()


def test_unions_founded_and_members_joined_count_a_closed_window(built):
    engine, b = built
    t1, t2 = Scope.townships([b.townships["T1"]]), Scope.townships([b.townships["T2"]])
    zero = dict.fromkeys(UnionKind, 0)
    with Session(engine) as s:
        # founded in 2000: the own unions of branch, two_liaison and liaison_ended (all in T1)
        assert coverage.unions_founded(s, Scope.district(), D(2000, 1, 1), D(2000, 12, 31)) == \
            zero | {UnionKind.ENTERPRISE: 3}
        # 1999: three (T1); dissolved and closed (T2)
        assert coverage.unions_founded(s, t1, D(1999, 1, 1), D(1999, 12, 31))[UnionKind.ENTERPRISE] == 1
        assert coverage.unions_founded(s, t2, D(1999, 1, 1), D(1999, 12, 31))[UnionKind.ENTERPRISE] == 2
        # both ends of the window count: the joint union of 2002-03-01, in T1 (its first member's township)
        assert coverage.unions_founded(s, Scope.district(), D(2002, 3, 1), D(2002, 3, 1)) == zero | {UnionKind.JOINT: 1}
        assert coverage.unions_founded(s, t2, D(2002, 3, 1), D(2002, 3, 1)) == zero
        assert coverage.unions_founded(s, Scope.district(), D(2004, 1, 1), D(2004, 12, 31)) == zero
        # joined in 2002: branch 30, three 7 (on 12-31), joint_a 5 (T1); dissolved 0, joint_b 9 (T2)
        assert coverage.members_joined(s, Scope.district(), D(2002, 1, 1), D(2002, 12, 31)) == 51
        assert coverage.members_joined(s, t1, D(2002, 1, 1), D(2002, 12, 31)) == 42
        assert coverage.members_joined(s, t2, D(2002, 1, 1), D(2002, 12, 31)) == 9
        assert coverage.members_joined(s, Scope.district(), D(2002, 1, 1), D(2002, 12, 30)) == 44
        assert coverage.members_joined(s, Scope.district(), D(1999, 1, 1), D(1999, 12, 31)) == 30 + 25 + 18
        assert coverage.members_joined(s, Scope.district(), D(2000, 1, 1), D(2000, 1, 1)) == 200 + 20
        assert coverage.members_joined(s, Scope.townships([]), D(1990, 1, 1), D(2010, 1, 1)) == 0


# =========================================================================== pure helpers (no database)


def _by_township(**columns) -> pd.DataFrame:
    df = pd.DataFrame({"township_id": [1, 2, 3], "code": ["A", "B", "C"], "name": ["甲镇", "乙街道", "丙乡"]})
    for col in COVERAGE_COLUMNS:
        df[col] = columns.get(col, [0, 0, 0])
    return df


def _values(col: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in col]


def test_metric_by_township_gives_rates_with_their_parts_and_none_for_an_empty_denominator():
    df = _by_township(operating=[10, 4, 0], unionised=[5, 4, 0], with_party_org=[2, 1, 0],
                      members_unionised=[80, 0, 0], employees_unionised=[100, 0, 0],
                      party_or_liaison_unionised=[3, 4, 0], party_or_liaison=[6, 2, 0], pattern_should_build=[2, 0, 0])
    union = coverage.metric_by_township(df, "union_coverage")
    assert list(union.columns) == ["township_id", "code", "name", "numerator", "denominator", "value"]
    assert union[["numerator", "denominator"]].values.tolist() == [[5, 10], [4, 4], [0, 0]]
    assert _values(union["value"]) == [0.5, 1.0, None]  # no operating enterprise: no rate
    assert _values(coverage.metric_by_township(df, "membership")["value"]) == [0.8, None, None]
    assert _values(coverage.metric_by_township(df, "party_coverage")["value"]) == [0.2, 0.25, None]
    assert _values(coverage.metric_by_township(df, "work_coverage")["value"]) == [0.6, 0.5, None]  # ÷ operating
    gaps = coverage.metric_by_township(df, "should_build")  # a count, not a rate: zero is a value
    assert gaps["value"].tolist() == [2.0, 0.0, 0.0] and gaps["denominator"].tolist() == [10, 4, 0]
    with pytest.raises(KeyError):
        coverage.metric_by_township(df, "bogus")


def test_map_frame_carries_each_townships_boundary_or_none():
    df = _by_township(operating=[10, 4, 2], unionised=[5, 1, 2])
    square = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    townships = pd.DataFrame({"id": [3, 1, 2], "boundary_geojson": [square, square, None]})
    frame = coverage.township_map_frame(df, townships, "union_coverage")
    assert list(frame.columns) == ["township_id", *coverage.MAP_COLUMNS]
    assert frame["code"].tolist() == ["A", "B", "C"] and frame["value"].tolist() == [0.5, 0.25, 1.0]
    assert _values(frame["boundary_geojson"]) == [square, None, square]
    # a township missing from the boundary table has none
    assert coverage.township_map_frame(df, townships[townships["id"] != 3], "union_coverage")[
        "boundary_geojson"].isna().tolist() == [False, True, True]


def test_kpis_from_counts_sum_first_and_leave_empty_rates_undefined():
    nothing = coverage.kpis_from_counts(_by_township().iloc[0:0], AS_OF)
    assert nothing.operating == 0 and nothing.union_coverage.value is None and nothing.membership.value is None
    assert nothing.patterns == dict.fromkeys(Pattern, 0)
    k = coverage.kpis_from_counts(_by_township(operating=[3, 1, 0], unionised=[1, 1, 0], qualified=[2, 0, 0]), AS_OF)
    assert (k.union_coverage.numerator, k.union_coverage.denominator, k.union_coverage.value) == (2, 4, 0.5)
    assert (k.qualified_built.numerator, k.qualified_built.denominator, k.qualified_built.value) == (0, 2, 0.0)
    assert k.work_coverage.value == 0.0 and k.as_of == AS_OF
    # a Series (one township, or summary totals) gives the same as a one-row frame
    one = _by_township(operating=[3, 1, 0], unionised=[1, 1, 0])
    assert coverage.kpis_from_counts(one.iloc[0], AS_OF) == coverage.kpis_from_counts(one.iloc[[0]], AS_OF)
