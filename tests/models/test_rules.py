"""Domain rules (``models/rules.py``) and their SQL twin (``dashboard/queries/coverage.py``).

Expectations come from the rules of DESIGN.md §2–3 and from GB 32100-2015, written out by hand
here; the SQL is checked against the Python rule on a small hand-made database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

import pytest
from sqlmodel import Session

from dashboard.queries.coverage import COVERAGE_COLUMNS, coverage_by_township, coverage_kpis, pattern_of
from dashboard.queries.scope import Scope
from models import rules
from models.enums import (
    ActionStatus,
    LiaisonKind,
    NoticeStatus,
    Ownership,
    PartyOrgLevel,
    Pattern,
    TownshipKind,
    UnionKind,
    UnitKind,
)
from models.rules import Period, classify, expected_party_org_level, pattern_as_of
from models.tables import (
    Enterprise,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
)

D = dt.date
DAY = dt.timedelta(days=1)
AS_OF = D(2002, 12, 31)
LONG_AGO = D(1995, 1, 1)


# =========================================================================== classify


@pytest.mark.parametrize("has_union", [True, False])
@pytest.mark.parametrize("has_liaison", [True, False])
@pytest.mark.parametrize("members", [3, 4, 49, 50, 100, 500])
def test_qualifying_enterprise_without_party_org_is_should_build_whatever_else_it_has(members, has_union, has_liaison):
    got = classify(party_members=members, has_union=has_union, has_party_org=False, has_liaison=has_liaison)
    assert got is Pattern.SHOULD_BUILD


def test_exactly_three_members_with_union_but_no_party_org_is_should_build():
    assert classify(party_members=3, has_union=True, has_party_org=False, has_liaison=True) is Pattern.SHOULD_BUILD


def test_exactly_two_members_with_union_and_liaison_is_one_union_one_officer():
    assert classify(party_members=2, has_union=True, has_party_org=False, has_liaison=True) is Pattern.UNION_AND_LIAISON


def test_two_members_union_no_liaison_is_union_only():
    assert classify(party_members=2, has_union=True, has_party_org=False, has_liaison=False) is Pattern.UNION_ONLY


@pytest.mark.parametrize("members", [0, 1, 2])
@pytest.mark.parametrize("has_liaison", [True, False])
@pytest.mark.parametrize("has_party_org", [True, False])
def test_fewer_than_three_members_and_no_union_is_no_union(members, has_liaison, has_party_org):
    got = classify(party_members=members, has_union=False, has_party_org=has_party_org, has_liaison=has_liaison)
    assert got is Pattern.NO_UNION


@pytest.mark.parametrize("members", [0, 2, 3, 50, 120])
@pytest.mark.parametrize("has_liaison", [True, False])
def test_party_org_and_union_is_one_union_one_branch(members, has_liaison):
    got = classify(party_members=members, has_union=True, has_party_org=True, has_liaison=has_liaison)
    assert got is Pattern.UNION_AND_BRANCH


@pytest.mark.parametrize("members", [3, 60])
def test_qualifying_enterprise_with_party_org_but_no_union_is_no_union(members):
    # It has its Party organisation (not 应建未建) but lacks the union: the union gap.
    got = classify(party_members=members, has_union=False, has_party_org=True, has_liaison=False)
    assert got is Pattern.NO_UNION


def test_every_combination_gets_exactly_the_pattern_the_design_describes():
    """Each pattern's defining condition (DESIGN.md §2), checked over all combinations."""
    seen = set()
    for members, u, p, li in itertools.product([0, 1, 2, 3, 49, 50, 99, 100], *([[False, True]] * 3)):
        got = classify(party_members=members, has_union=u, has_party_org=p, has_liaison=li)
        seen.add(got)
        qualifies = members >= 3
        assert (got is Pattern.SHOULD_BUILD) == (qualifies and not p)
        if got is Pattern.UNION_AND_BRANCH:
            assert u and p
        if got is Pattern.UNION_AND_LIAISON:
            assert u and li and not p and not qualifies
        if got is Pattern.UNION_ONLY:
            assert u and not p and not li and not qualifies
        if got is Pattern.NO_UNION:
            assert not u
    assert seen == set(Pattern)


# =========================================================================== periods and pattern_as_of


def test_period_is_half_open():
    p = Period(D(2000, 1, 1), D(2001, 1, 1))
    assert not p.active_on(D(1999, 12, 31))
    assert p.active_on(D(2000, 1, 1))  # starts on the day: active
    assert p.active_on(D(2000, 12, 31))
    assert not p.active_on(D(2001, 1, 1))  # ends on the day: no longer active
    assert Period(D(2000, 1, 1)).active_on(D(2099, 1, 1))  # open-ended
    assert not Period(D(2000, 1, 1), D(2000, 1, 1)).active_on(D(2000, 1, 1))  # empty period


def _pat(day, *, members=0, registered=LONG_AGO, closed=None, union=(), party=(), liaison=()):
    return pattern_as_of(
        day,
        registered_on=registered,
        closed_on=closed,
        party_members=members,
        union_periods=union,
        party_periods=party,
        liaison_periods=liaison,
    )


def test_pattern_as_of_exactly_three_members_union_no_party_org():
    assert _pat(AS_OF, members=3, union=[Period(D(2000, 1, 1))]) is Pattern.SHOULD_BUILD


def test_pattern_as_of_two_members_union_and_liaison():
    got = _pat(AS_OF, members=2, union=[Period(D(2000, 1, 1))], liaison=[Period(D(2001, 1, 1))])
    assert got is Pattern.UNION_AND_LIAISON


def test_union_dissolved_before_as_of_does_not_cover():
    union = [Period(D(1999, 1, 1), D(2002, 6, 1))]
    liaison = [Period(D(1999, 1, 1))]
    assert _pat(D(2002, 5, 31), members=1, union=union, liaison=liaison) is Pattern.UNION_AND_LIAISON
    assert _pat(AS_OF, members=1, union=union, liaison=liaison) is Pattern.NO_UNION


def test_period_ending_on_the_as_of_date_is_not_active():
    union = [Period(D(1999, 1, 1), AS_OF)]
    assert _pat(AS_OF - DAY, members=0, union=union) is Pattern.UNION_ONLY
    assert _pat(AS_OF, members=0, union=union) is Pattern.NO_UNION
    party = [Period(D(1999, 1, 1), AS_OF)]
    assert _pat(AS_OF - DAY, members=5, union=[Period(LONG_AGO)], party=party) is Pattern.UNION_AND_BRANCH
    assert _pat(AS_OF, members=5, union=[Period(LONG_AGO)], party=party) is Pattern.SHOULD_BUILD


def test_period_starting_on_the_as_of_date_is_active():
    assert _pat(AS_OF - DAY, members=0, union=[Period(AS_OF)]) is Pattern.NO_UNION
    assert _pat(AS_OF, members=0, union=[Period(AS_OF)]) is Pattern.UNION_ONLY
    assert _pat(AS_OF, members=0, union=[Period(LONG_AGO)], liaison=[Period(AS_OF)]) is Pattern.UNION_AND_LIAISON


def test_enterprise_covered_by_a_joint_union_counts_as_unionised():
    # A joint union (联合工会) covering several small enterprises: each one's coverage period.
    joint_union_period = Period(D(2002, 3, 1))
    for members, liaison, expected in [(0, (), Pattern.UNION_ONLY), (1, [Period(D(2002, 4, 1))], Pattern.UNION_AND_LIAISON)]:
        assert _pat(AS_OF, members=members, union=[joint_union_period], liaison=liaison) is expected
        assert _pat(D(2002, 2, 28), members=members, union=[joint_union_period], liaison=liaison) is Pattern.NO_UNION


def test_liaison_appointed_after_as_of_does_not_count():
    liaison = [Period(AS_OF + DAY)]
    assert _pat(AS_OF, members=2, union=[Period(LONG_AGO)], liaison=liaison) is Pattern.UNION_ONLY
    assert _pat(AS_OF + DAY, members=2, union=[Period(LONG_AGO)], liaison=liaison) is Pattern.UNION_AND_LIAISON


def test_any_of_several_periods_counts_and_gaps_between_them_do_not():
    union = [Period(D(1999, 1, 1), D(2000, 1, 1)), Period(D(2001, 1, 1))]
    assert _pat(D(1999, 6, 1), union=union) is Pattern.UNION_ONLY
    assert _pat(D(2000, 6, 1), union=union) is Pattern.NO_UNION
    assert _pat(D(2001, 6, 1), union=union) is Pattern.UNION_ONLY


def test_enterprise_not_yet_registered_or_already_closed_has_no_pattern():
    union = [Period(LONG_AGO)]
    registered = D(2003, 1, 1)
    assert _pat(AS_OF, registered=registered, union=union) is None
    assert _pat(registered, registered=registered, union=union) is Pattern.UNION_ONLY  # registered that day
    closed = D(2002, 12, 31)
    assert _pat(closed - DAY, closed=closed, union=union) is Pattern.UNION_ONLY
    assert _pat(closed, closed=closed, union=union) is None  # closed that day
    assert _pat(D(2010, 1, 1), closed=closed, union=union) is None


# =========================================================================== expected Party organisation level


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (0, None),
        (1, None),
        (2, None),
        (3, PartyOrgLevel.BRANCH),
        (49, PartyOrgLevel.BRANCH),
        (50, PartyOrgLevel.GENERAL_BRANCH),
        (99, PartyOrgLevel.GENERAL_BRANCH),
        (100, PartyOrgLevel.COMMITTEE),
        (1000, PartyOrgLevel.COMMITTEE),
    ],
)
def test_expected_party_org_level(members, expected):
    assert expected_party_org_level(members) is expected


@pytest.mark.parametrize("members", [-1, -100])
def test_expected_party_org_level_rejects_negative(members):
    with pytest.raises(ValueError):
        expected_party_org_level(members)


def test_expected_level_and_should_build_agree_on_the_threshold():
    for members in range(0, 120):
        qualifies = expected_party_org_level(members) is not None
        got = classify(party_members=members, has_union=True, has_party_org=False, has_liaison=True)
        assert (got is Pattern.SHOULD_BUILD) == qualifies


# =========================================================================== USCC (GB 32100-2015)

# Written out from the standard, independently of models.rules.
GB_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # W_i = 3^(i) mod 31
FORBIDDEN = "IOSVZ"
KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"]


def hand_check_char(first17: str) -> str:
    total = sum(GB_CHARSET.index(c) * w for c, w in zip(first17, GB_WEIGHTS))
    return GB_CHARSET[(31 - total % 31) % 31]


def hand_org_check_char(first8: str) -> str:
    """GB 11714-1997: weights 3 7 9 10 5 8 4 2; C9 = 11 − Σ mod 11; 10 → X, 11 → 0."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(alphabet.index(c) * w for c, w in zip(first8, [3, 7, 9, 10, 5, 8, 4, 2]))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def hand_valid(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in GB_CHARSET for c in code)
        and hand_check_char(code[:17]) == code[17]
    )


def test_standard_weights_are_the_ones_in_gb32100():
    assert GB_WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert len(GB_CHARSET) == 31 and not set(FORBIDDEN) & set(GB_CHARSET)
    assert rules.USCC_CHARSET == GB_CHARSET


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_real_codes_are_valid(code):
    assert hand_valid(code), "the test's own example must satisfy the standard"
    assert rules.uscc_check_char(code[:17]) == hand_check_char(code[:17]) == code[17]
    assert rules.uscc_problem(code) is None
    assert rules.is_valid_uscc(code)


def test_check_char_matches_hand_computation_on_random_bodies():
    rng = random.Random(32100)
    for _ in range(500):
        body = "".join(rng.choice(GB_CHARSET) for _ in range(17))
        assert rules.uscc_check_char(body) == hand_check_char(body)
        assert rules.is_valid_uscc(body + hand_check_char(body))


def test_make_uscc_outputs_are_valid_and_distinct():
    rng = random.Random(2002)
    serials = list(range(0, 3000)) + [rng.randrange(10**8) for _ in range(2000)] + [10**8 - 1]
    codes = [rules.make_uscc(division="220299", serial=s) for s in serials]
    assert len(set(codes)) == len(set(serials))
    for serial, code in zip(serials, codes):
        assert hand_valid(code), code
        assert rules.uscc_problem(code) is None, code
        assert code[:2] == "91" and code[2:8] == "220299"
        org = code[8:17]
        assert org[:8] == f"{serial:08d}"
        assert org[8] == hand_org_check_char(org[:8]), code


def test_make_uscc_authority_and_kind_and_division():
    code = rules.make_uscc(division="110105", serial=42, authority="5", kind="2")
    assert code.startswith("52110105") and hand_valid(code)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"division": "22029", "serial": 1},
        {"division": "2202999", "serial": 1},
        {"division": "22A299", "serial": 1},
        {"division": "220299", "serial": 10**8},
        {"division": "220299", "serial": -1},
    ],
)
def test_make_uscc_rejects_bad_input(kwargs):
    with pytest.raises(rules.USCCError):
        rules.make_uscc(**kwargs)


@pytest.mark.parametrize("code", KNOWN_VALID + [rules.make_uscc(division="220299", serial=7)])
def test_every_single_character_substitution_is_rejected(code):
    # 31 is prime and no weight is 0 mod 31, so any single substitution changes the check value.
    assert hand_valid(code)
    for i in range(18):
        for ch in GB_CHARSET:
            if ch == code[i]:
                continue
            bad = code[:i] + ch + code[i + 1 :]
            assert not hand_valid(bad)
            problem = rules.uscc_problem(bad)
            assert isinstance(problem, str) and problem.strip(), bad
            assert not rules.is_valid_uscc(bad)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_adjacent_transpositions_in_the_body_are_rejected(code):
    # W_{i+1} = 3·W_i, so swapping distinct a,b at i,i+1 changes the sum by ±2·W_i·(a−b) ≠ 0 mod 31.
    for i in range(16):
        if code[i] == code[i + 1]:
            continue
        bad = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        assert not hand_valid(bad)
        assert rules.uscc_problem(bad), bad


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_forbidden_letters_are_rejected_at_every_position(code):
    for i in range(18):
        for ch in FORBIDDEN:
            bad = code[:i] + ch + code[i + 1 :]
            problem = rules.uscc_problem(bad)
            assert isinstance(problem, str) and problem.strip(), bad


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_altered_check_digit_is_rejected_with_the_expected_one_named(code):
    for ch in GB_CHARSET:
        if ch == code[17]:
            continue
        problem = rules.uscc_problem(code[:17] + ch)
        assert problem and code[17] in problem


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "91350100M000100Y4",  # 17
        "91350100M000100Y433",  # 19
        "91350100M000100Y43 ",
        " 91350100M000100Y43",
        "9135O1OOMOOO1OOY43",  # letter O instead of zero
        "91350100m000100y43",  # lower case
        "91110000600037341l",  # lower-case check character
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width digits
    ],
)
def test_malformed_codes_are_rejected_with_a_reason(bad):
    problem = rules.uscc_problem(bad)
    assert isinstance(problem, str) and problem.strip()
    assert not rules.is_valid_uscc(bad)


def test_non_text_is_rejected():
    assert rules.uscc_problem(913501001000100243)  # type: ignore[arg-type]
    assert rules.uscc_problem(None)  # type: ignore[arg-type]


# =========================================================================== notices and action items


def test_notice_status_follows_the_dates_as_of_the_day():
    ack, res = D(2002, 3, 10), D(2002, 4, 1)
    assert rules.notice_status(acknowledged_on=None, resolved_on=None, day=D(2002, 3, 5)) is NoticeStatus.SENT
    assert rules.notice_status(acknowledged_on=ack, resolved_on=res, day=ack - DAY) is NoticeStatus.SENT
    assert rules.notice_status(acknowledged_on=ack, resolved_on=res, day=ack) is NoticeStatus.ACKNOWLEDGED
    assert rules.notice_status(acknowledged_on=ack, resolved_on=res, day=res - DAY) is NoticeStatus.ACKNOWLEDGED
    assert rules.notice_status(acknowledged_on=ack, resolved_on=res, day=res) is NoticeStatus.RESOLVED
    assert rules.notice_status(acknowledged_on=ack, resolved_on=res, day=D(2010, 1, 1)) is NoticeStatus.RESOLVED
    # Resolved without a recorded acknowledgement still counts as resolved.
    assert rules.notice_status(acknowledged_on=None, resolved_on=res, day=res) is NoticeStatus.RESOLVED
    assert rules.notice_status(acknowledged_on=None, resolved_on=res, day=res - DAY) is NoticeStatus.SENT


def test_action_due_today_and_open_is_not_overdue():
    assert not rules.action_overdue(status=ActionStatus.OPEN, due_on=AS_OF, done_on=None, day=AS_OF)


def test_action_due_yesterday_and_open_is_overdue():
    assert rules.action_overdue(status=ActionStatus.OPEN, due_on=AS_OF - DAY, done_on=None, day=AS_OF)
    assert rules.action_overdue(status=ActionStatus.IN_PROGRESS, due_on=AS_OF - DAY, done_on=None, day=AS_OF)


def test_action_done_after_the_as_of_date_counts_as_not_done_then():
    due = D(2002, 12, 1)
    done = D(2003, 1, 15)
    assert rules.action_overdue(status=ActionStatus.DONE, due_on=due, done_on=done, day=AS_OF)
    assert not rules.action_overdue(status=ActionStatus.DONE, due_on=due, done_on=done, day=done)
    # Before the due date it was simply open, not overdue.
    assert not rules.action_overdue(status=ActionStatus.DONE, due_on=due, done_on=done, day=due)


def test_action_done_on_or_before_the_day_is_never_overdue():
    due = D(2002, 6, 1)
    for done in (due - DAY * 10, due, due + DAY * 10):
        assert not rules.action_overdue(status=ActionStatus.DONE, due_on=due, done_on=done, day=done)
        assert not rules.action_overdue(status=ActionStatus.DONE, due_on=due, done_on=done, day=D(2010, 1, 1))


# =========================================================================== SQL twin agrees with the rule


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
    with Session(engine) as s:
        townships = {
            "T1": Township(code="T1", name="越北镇", kind=TownshipKind.TOWN, sort_order=1),
            "T2": Township(code="T2", name="东街道", kind=TownshipKind.SUBDISTRICT, sort_order=2),
            "T3": Township(code="T3", name="空乡", kind=TownshipKind.TOWNSHIP, sort_order=3),  # no enterprises
        }
        s.add_all(townships.values())
        s.flush()
        unit = Unit(code="T2-party", name="东街道党工委", kind=UnitKind.TOWNSHIP_PARTY, township_id=townships["T2"].id)
        s.add(unit)
        s.flush()
        ents: dict[str, Enterprise] = {}
        for i, spec in enumerate(SPECS):
            ent = Enterprise(
                uscc=rules.make_uscc(division="220299", serial=1000 + i),
                name=f"测试企业{spec.key}",
                township_id=townships[spec.township].id,
                ownership=Ownership.PRIVATE,
                industry="制造业",
                employees=spec.employees,
                party_members=spec.members,
                registered_on=spec.registered,
                closed_on=spec.closed,
            )
            s.add(ent)
            ents[spec.key] = ent
        s.flush()
        unions: dict[str, UnionOrg] = {}
        parties: dict[str, PartyOrg] = {}
        for spec in SPECS:
            ent = ents[spec.key]
            for ukey, period in spec.union:
                if ukey not in unions:
                    joint = ukey in JOINT_UNIONS
                    unions[ukey] = UnionOrg(
                        name=f"工会{ukey}",
                        kind=UnionKind.JOINT if joint else UnionKind.ENTERPRISE,
                        township_id=ent.township_id,
                        enterprise_id=None if joint else ent.id,
                        founded_on=period.start,
                        dissolved_on=period.end,
                    )
                    s.add(unions[ukey])
                    s.flush()
                s.add(UnionCoverage(union_id=unions[ukey].id, enterprise_id=ent.id, start_on=period.start,
                                    end_on=period.end))
            for pkey, period in spec.party:
                if pkey not in parties:
                    joint = pkey in JOINT_PARTY
                    parties[pkey] = PartyOrg(
                        name=f"党组织{pkey}",
                        level=PartyOrgLevel.JOINT_BRANCH if joint else expected_party_org_level(spec.members),
                        township_id=ent.township_id,
                        enterprise_id=None if joint else ent.id,
                        founded_on=period.start,
                        dissolved_on=period.end,
                    )
                    s.add(parties[pkey])
                    s.flush()
                s.add(PartyCoverage(party_org_id=parties[pkey].id, enterprise_id=ent.id, start_on=period.start,
                                    end_on=period.end))
            for j, period in enumerate(spec.liaison):
                own = spec.members > 0
                s.add(LiaisonOfficer(
                    enterprise_id=ent.id,
                    name=f"联络员{spec.key}{j}",
                    kind=LiaisonKind.OWN if own else LiaisonKind.DISPATCHED,
                    dispatched_by_unit_id=None if own else unit.id,
                    appointed_on=period.start,
                    ended_on=period.end,
                ))
            for day, joined, left in spec.joined:
                s.add(MembershipChange(union_id=unions[spec.union[0][0]].id, enterprise_id=ent.id, changed_on=day,
                                       joined=joined, left_count=left))
        s.commit()
        return Built(ids={k: e.id for k, e in ents.items()}, townships={k: t.id for k, t in townships.items()})


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
        c["employees_unionised"] += spec.employees if u else 0
        c["members_unionised"] += members if u else 0
        c[f"pattern_{pat.value}"] += 1
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
        "work_coverage": ("party_or_liaison_unionised", "unionised"),
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


def test_next_step_follows_the_rules():
    from models.rules import next_step

    assert next_step(Pattern.SHOULD_BUILD, 3) == "build_branch"
    assert next_step(Pattern.SHOULD_BUILD, 60) == "build_general_branch"
    assert next_step(Pattern.SHOULD_BUILD, 120, has_union=False) == "found_union_and_build_committee"
    assert next_step(Pattern.NO_UNION, 0) == "found_union"
    assert next_step(Pattern.UNION_ONLY, 2) == "own_liaison"
    assert next_step(Pattern.UNION_ONLY, 0) == "dispatch_liaison"
