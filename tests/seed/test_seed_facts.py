"""Every seed fact of DESIGN.md §5, checked through the query and rule functions on the demo data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.queries.coverage import coverage_kpis, members_joined, pattern_of, unions_founded
from dashboard.queries.scope import Scope
from models import rules
from models.enums import GroupRole, HonourLevel, LiaisonKind, MeetingLevel, Organ, PartyOrgLevel, Pattern, UnionKind
from models.tables import (
    Campaign,
    Enterprise,
    Honour,
    JointMeeting,
    LeadingGroupMember,
    LiaisonOfficer,
    MeetingAttendee,
    PartyOrg,
    Township,
    UnionOrg,
    Unit,
)
from seed_data import facts

TODAY = dt.date(2026, 11, 24)
SNAP = facts.SNAPSHOT


@pytest.fixture
def session(demo_engine):
    """A session on the shared, read-only demo district (tests/conftest.py)."""
    with Session(demo_engine) as s:
        yield s


def _ent(session, name) -> Enterprise:
    return session.exec(select(Enterprise).where(Enterprise.name == name)).one()


def _yuebei(session) -> Scope:
    township = session.exec(select(Township).where(Township.name == facts.YUEBEI_NAME)).one()
    return Scope.townships([township.id])


def test_campaign_2002_founded_916_unions_3_federations_24516_members(session):
    campaign = session.exec(select(Campaign).where(Campaign.start_on <= SNAP, Campaign.end_on >= dt.date(2002, 1, 1))).one()
    assert campaign.motto == facts.CAMPAIGN_MOTTO
    founded = unions_founded(session, Scope.district(), campaign.start_on, campaign.end_on)
    grassroots = sum(n for kind, n in founded.items() if kind is not UnionKind.FEDERATION)
    assert grassroots == 916
    assert founded[UnionKind.FEDERATION] == 3
    assert members_joined(session, Scope.district(), campaign.start_on, campaign.end_on) == 24_516
    # the calendar year says the same: nothing else was founded or joined in 2002
    year = unions_founded(session, Scope.district(), dt.date(2002, 1, 1), dt.date(2002, 12, 31))
    assert year == founded
    assert members_joined(session, Scope.district(), dt.date(2002, 1, 1), dt.date(2002, 12, 31)) == 24_516


def test_585_unionised_and_52_qualified_with_party_org(session):
    k = coverage_kpis(session, Scope.district(), SNAP)
    assert k.union_coverage.numerator == 585
    assert k.qualified_built.numerator == 52
    assert k.union_coverage.denominator == k.operating > 585


def test_the_seed_facts_are_stated_over_every_operating_enterprise_and_the_sanyou_base_is_narrower(session):
    """The source counted every operating enterprise (全部在营企业): the facts hold over ``Base.ALL``,
    the query layer's default. The official 三有 base the pages open on counts fewer enterprises in
    the demo (个体 without fixed premises, enterprises not trading), so its figures differ."""
    from models.enums import Base

    every = coverage_kpis(session, Scope.district().with_base(Base.ALL), SNAP)
    assert every == coverage_kpis(session, Scope.district(), SNAP) and every.base is Base.ALL
    sanyou = coverage_kpis(session, Scope.district().with_base(Base.SANYOU), SNAP)
    assert sanyou.base is Base.SANYOU
    assert 0.8 * every.operating < sanyou.operating < every.operating
    assert sanyou.union_coverage.numerator < 585


def test_yuebei_37_unionised_7_branches_30_liaison(session):
    scope = _yuebei(session)
    k = coverage_kpis(session, scope, SNAP)
    assert k.union_coverage.numerator == 37
    assert k.patterns[Pattern.UNION_AND_BRANCH] == 7
    assert k.patterns[Pattern.UNION_AND_LIAISON] == 30
    # the seven are Party branches (支部), and the thirty's liaison officers are their own member
    # where they have one, else dispatched by the town committee
    township_id = next(iter(scope.township_ids))
    branches = session.exec(
        select(PartyOrg).join(Enterprise, Enterprise.id == PartyOrg.enterprise_id)
        .where(Enterprise.township_id == township_id, PartyOrg.founded_on <= SNAP)
    ).all()
    assert len(branches) == 7 and {b.level for b in branches} == {PartyOrgLevel.BRANCH}
    officers = session.exec(
        select(LiaisonOfficer, Enterprise).join(Enterprise, Enterprise.id == LiaisonOfficer.enterprise_id)
        .where(Enterprise.township_id == township_id, LiaisonOfficer.appointed_on <= SNAP)
    ).all()
    assert len(officers) == 30
    committee = session.exec(select(Unit).where(Unit.township_id == township_id, Unit.kind == "township_party")).one()
    for officer, ent in officers:
        if ent.party_members > 0:
            assert officer.kind is LiaisonKind.OWN
        else:
            assert officer.kind is LiaisonKind.DISPATCHED and officer.dispatched_by_unit_id == committee.id


def test_hongguang_union_1999_branch_2001_one_person_both_posts(session):
    hg = _ent(session, facts.HONGGUANG)
    assert hg.ownership.value == "private" and hg.owner_is_party_member is False
    union = session.exec(select(UnionOrg).where(UnionOrg.enterprise_id == hg.id)).one()
    branch = session.exec(select(PartyOrg).where(PartyOrg.enterprise_id == hg.id)).one()
    assert union.founded_on.year == 1999 and branch.founded_on.year == 2001
    assert branch.level is PartyOrgLevel.BRANCH
    assert union.chair_is_party_secretary and union.chair_name == branch.secretary_name
    assert pattern_of(session, hg.id, dt.date(2000, 6, 30)) is Pattern.SHOULD_BUILD  # union, no branch yet
    assert pattern_of(session, hg.id, SNAP) is Pattern.UNION_AND_BRANCH


def test_deyun_general_branch_before_union_and_its_honours(session):
    dy = _ent(session, facts.DEYUN)
    assert dy.ownership.value == "restructured"
    union = session.exec(select(UnionOrg).where(UnionOrg.enterprise_id == dy.id)).one()
    branch = session.exec(select(PartyOrg).where(PartyOrg.enterprise_id == dy.id)).one()
    assert branch.level is PartyOrgLevel.GENERAL_BRANCH
    assert branch.founded_on < union.founded_on
    honours = {(h.title, h.level, h.organ) for h in session.exec(select(Honour).where(Honour.enterprise_id == dy.id, Honour.year <= 2002))}
    assert honours == {
        ("先进基层党组织", HonourLevel.DISTRICT, Organ.PARTY),
        ("先进企业", HonourLevel.MUNICIPAL, Organ.ENTERPRISE),
        ("模范职工之家", HonourLevel.PROVINCIAL, Organ.UNION),
        ("五星级样板职代会", HonourLevel.MUNICIPAL, Organ.UNION),
    }


def test_four_model_enterprises_exist_with_case_studies(session):
    from models.tables import CaseStudy

    for name in facts.MODEL_ENTERPRISES:
        ent = _ent(session, name)
        case = session.exec(select(CaseStudy).where(CaseStudy.enterprise_id == ent.id)).one()
        assert case.from_source and name in case.story_zh and case.story_en
        assert "黨" not in case.story_zh and "(" not in case.story_zh  # simplified, no pinyin glosses


def test_leading_group_and_district_meeting(session):
    group = session.exec(
        select(LeadingGroupMember).where(LeadingGroupMember.from_on <= SNAP,
                                         sa.or_(LeadingGroupMember.to_on.is_(None), LeadingGroupMember.to_on > SNAP))
    ).all()
    leaders = [m for m in group if m.role is GroupRole.LEADER]
    deputies = {m.position for m in group if m.role is GroupRole.DEPUTY}
    assert [m.position for m in leaders] == ["区委主管书记"]
    assert deputies == {"联系工会工作的副区长", "区委组织部部长", "区人大副主任", "区总工会主席"}
    first = session.exec(
        select(JointMeeting).where(JointMeeting.level == MeetingLevel.DISTRICT, JointMeeting.held_on <= SNAP)
        .order_by(JointMeeting.held_on)
    ).first()
    units = {
        u.name for u in session.exec(
            select(Unit).join(MeetingAttendee, MeetingAttendee.unit_id == Unit.id).where(MeetingAttendee.meeting_id == first.id)
        )
    }
    assert set(facts.DISTRICT_MEETING_UNITS) <= units


def test_every_uscc_valid_and_counts_consistent(session):
    codes = session.exec(select(Enterprise.uscc)).all()
    assert len(codes) == len(set(codes)) >= 650
    assert all(rules.is_valid_uscc(c) for c in codes)


def test_live_story_has_open_done_and_overdue_action_items_today(session):
    from models.tables import ActionItem

    items = session.exec(select(ActionItem)).all()
    overdue = [i for i in items if rules.action_overdue(status=i.status, due_on=i.due_on, done_on=i.done_on, day=TODAY)]
    done = [i for i in items if i.done_on is not None]
    open_not_due = [i for i in items if i.done_on is None and i.due_on >= TODAY]
    assert overdue and done and open_not_due
    assert all(i.done_on <= TODAY for i in done)
    latest = session.exec(select(sa.func.max(JointMeeting.held_on)).where(JointMeeting.level == MeetingLevel.DISTRICT)).one()
    assert TODAY - dt.timedelta(120) < latest < TODAY


def test_the_campaign_totals_shown_are_the_source_figures(session):
    from dashboard.queries.campaigns import campaign_totals
    from dashboard.views.overview import campaign_totals_text

    totals = campaign_totals(session, Scope.district(), SNAP)
    assert (totals["grassroots"], totals["federations"], totals["new_members"]) == (916, 3, 24_516)
    text, rule = campaign_totals_text(totals, "zh_CN")
    assert "新建基层工会 916 个" in text and "私营企业工会联合会 3 个" in text and "发展会员 24,516 人" in text
    assert "单列" in rule
    assert "916 new grassroots unions" in campaign_totals_text(totals, "en")[0]
    # while the campaign runs, the totals go to the as-of date; a township's part is its own
    during = campaign_totals(session, Scope.district(), totals["start_on"] + dt.timedelta(days=30))
    assert during["until"] < totals["until"] and during["grassroots"] < 916
    yuebei = campaign_totals(session, _yuebei(session), SNAP)
    assert 0 < yuebei["grassroots"] < 916
