"""The official coverage statistics table (``dashboard/queries/statistics.py``, issue #14 item 7):
each block adds up to the base, the district is the sum of its townships, and the table agrees
with the KPIs — on the demo district and on a hand-made one, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from dashboard.queries.coverage import coverage_kpis
from dashboard.queries.scope import Scope
from dashboard.queries.statistics import COLUMNS, PARTY_BLOCK, UNION_BLOCK, statistics_table
from dashboard.views.statistics import statistics_frame, statistics_notes
from models.enums import PartyOrgLevel
from tests.factories import world

D = dt.date
SNAP = D(2002, 12, 31)


def test_blocks_add_up_townships_sum_to_the_district_and_match_the_kpis(any_demo_engine):
    with Session(any_demo_engine) as s:
        for day in (SNAP, D(2015, 6, 30)):
            table = statistics_table(s, Scope.district(), day)
            k = coverage_kpis(s, Scope.district(), day)
            assert (table[list(UNION_BLOCK)].sum(axis=1) == table["operating"]).all()
            assert (table[list(PARTY_BLOCK)].sum(axis=1) == table["operating"]).all()
            total = table[list(COLUMNS)].sum()
            assert total["operating"] == k.operating
            assert total["union_own"] + total["union_joint"] == k.union_coverage.numerator
            party = total[["party_committee", "party_general_branch", "party_branch", "party_joint"]].sum()
            assert party == k.party_coverage.numerator
            assert party + total["liaison_only"] == k.work_coverage.numerator
            assert (total["members_unionised"], total["employees_unionised"]) == (
                k.membership.numerator, k.membership.denominator)
            # a township's own table is its row of the district's
            one = table.iloc[0]
            alone = statistics_table(s, Scope.townships([int(one["township_id"])]), day)
            assert alone[list(COLUMNS)].iloc[0].tolist() == one[list(COLUMNS)].tolist()
    frame = statistics_frame(table, "zh_CN")
    assert frame.iloc[-1, 0] == "合计" and frame.iloc[-1, 1] == table["operating"].sum()
    assert len(statistics_notes("en")) == 5


def test_own_joint_and_levels_on_a_hand_made_district(any_engine):
    day = D(2010, 6, 30)
    with world(any_engine) as w:
        w.add_township("A")
        w.add_enterprise("committee", "A", members=120, employees=400, union=D(2005, 1, 1))
        w.add_party_org("committee", "committee", founded=D(2005, 1, 1))  # a 党委: 120 members
        w.add_enterprise("general", "A", members=60, employees=200, union=D(2005, 1, 1))
        w.add_party_org("general", "general", founded=D(2005, 1, 1))
        w.add_enterprise("joint", "A", members=1)
        w.add_union("J", township="A", founded=D(2005, 1, 1))
        w.add_union_coverage("J", "joint", D(2005, 1, 1))
        w.add_party_org("JB", township="A", founded=D(2005, 1, 1), level=PartyOrgLevel.JOINT_BRANCH)
        w.add_party_coverage("JB", "joint", D(2005, 1, 1))
        w.add_enterprise("liaison", "A", members=1)
        w.add_liaison("liaison", D(2006, 1, 1))
        w.add_enterprise("none", "A")
        w.add_enterprise("closed", "A", closed=D(2009, 1, 1), union=D(2005, 1, 1))
        w.add_township("B")  # no enterprise: a row of zeros
    with Session(any_engine) as s:
        table = statistics_table(s, Scope.district(), day)
    a = table.iloc[0]
    assert {c: int(a[c]) for c in COLUMNS if c not in ("employees_unionised", "members_unionised")} == {
        "operating": 5, "union_own": 2, "union_joint": 1, "union_none": 2,
        "party_committee": 1, "party_general_branch": 1, "party_branch": 0, "party_joint": 1,
        "liaison_only": 1, "party_none": 1}
    assert table.iloc[1][list(COLUMNS)].sum() == 0 and table["name"].tolist() == ["A镇", "B镇"]
