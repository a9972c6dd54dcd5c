"""The rule checks of the map's drill-down (``dashboard/queries/checks.py``, issue #14 item 4) on a
hand-made district, on SQLite and PostgreSQL: each rule's edge on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from dashboard.queries import checks
from dashboard.queries.scope import Scope
from dashboard.views.coverage_map import check_frame
from models.enums import PartyOrgLevel
from tests.factories import world

D = dt.date
AS_OF = D(2010, 6, 30)
FOUNDED = D(2005, 1, 1)


@pytest.fixture
def district(any_engine):
    with world(any_engine) as w:
        w.add_township("A")
        w.add_township("B")
        # Party organisation levels: 60 members in a branch (should be a general branch), 120 in a
        # general branch (a committee), 60 in a general branch (right), 2 in a branch (right)
        w.add_enterprise("low60", "A", members=60, employees=300)
        w.add_party_org("low60", "low60", founded=FOUNDED, level=PartyOrgLevel.BRANCH)
        w.add_enterprise("low120", "A", members=120, employees=500)
        w.add_party_org("low120", "low120", founded=FOUNDED, level=PartyOrgLevel.GENERAL_BRANCH)
        w.add_enterprise("ok60", "A", members=60, employees=300)
        w.add_party_org("ok60", "ok60", founded=FOUNDED, level=PartyOrgLevel.GENERAL_BRANCH)
        w.add_enterprise("gone60", "B", members=60, employees=300)  # its branch dissolved before the date
        w.add_party_org("gone60", "gone60", founded=FOUNDED, dissolved=D(2009, 1, 1), level=PartyOrgLevel.BRANCH)
        # unions: 30 members under a joint union (own union due), 24 (not yet), 40 with their own union
        w.add_union("J", township="A", founded=FOUNDED)
        for key, members in (("j30", 30), ("j24", 24)):
            w.add_enterprise(key, "A", employees=50)
            w.add_union_coverage("J", key, FOUNDED)
            w.add_members("J", key, FOUNDED, members)
        w.add_enterprise("own40", "A", employees=60, union=FOUNDED)
        w.add_members("own40", "own40", FOUNDED, 40)
        w.add_enterprise("j26late", "A", employees=60)  # 26 members, but joined the joint union after the date
        w.add_union_coverage("J", "j26late", D(2011, 1, 1))
        w.add_members("J", "j26late", D(2011, 1, 1), 26)
        # joint branches: 6 operating units (too large), 5 (right), 6 with one closed (right)
        for branch, n, closed in (("JB6", 6, None), ("JB5", 5, None), ("JB6c", 6, D(2010, 1, 1))):
            w.add_party_org(branch, township="B", founded=FOUNDED)
            for k in range(n):
                key = f"{branch}.{k}"
                w.add_enterprise(key, "B", members=1, closed=closed if k == 0 else None)
                w.add_party_coverage(branch, key, FOUNDED)
    return w  # committed when the block ends


def names(frame):
    return list(frame["name"])


def test_party_organisations_below_their_level(any_engine, district):
    with Session(any_engine) as s:
        rows, total = checks.party_level(s, Scope.district(), AS_OF)
    assert names(rows) == ["企业low120", "企业low60"] and total == 2  # most members first
    assert list(rows["level"]) == ["general_branch", "branch"]
    table = check_frame("party_level", rows, {district.township["A"]: "A镇"}, "zh_CN")
    assert list(table["建议下一步"]) == ["按党员数改建为党委", "按党员数改建为党总支"]


def test_own_union_due_at_25_members_under_a_joint_union(any_engine, district):
    with Session(any_engine) as s:
        rows, total = checks.union_committee(s, Scope.district(), AS_OF)
        later, _ = checks.union_committee(s, Scope.district(), D(2011, 6, 30))
    assert names(rows) == ["企业j30"] and total == 1 and list(rows["union_members"]) == [30]
    assert names(later) == ["企业j30", "企业j26late"]


def test_joint_branches_over_five_operating_units(any_engine, district):
    with Session(any_engine) as s:
        rows, total = checks.joint_branch_size(s, Scope.district(), AS_OF)
        in_a, _ = checks.joint_branch_size(s, Scope.townships([district.township["A"]]), AS_OF)
        limited, all_ = checks.party_level(s, Scope.district(), AS_OF, limit=1)
    assert names(rows) == ["党组织JB6"] and list(rows["units"]) == [6] and total == 1
    assert in_a.empty  # the branches are 乙's: another township's scope sees none
    assert len(limited) == 1 and all_ == 2
