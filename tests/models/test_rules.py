"""Domain rules (``models/rules.py``): pattern classification, periods, the expected Party
organisation level, USCC (GB 32100-2015), notices and action items — pure, no database.

Expectations come from the rules of DESIGN.md §2–3 and from GB 32100-2015, written out by hand
here. The SQL twin of the pattern rule is checked against it in ``tests/queries/test_coverage.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from models import rules
from models.enums import ActionStatus, NoticeStatus, PartyOrgLevel, Pattern
from models.rules import Period, classify, expected_party_org_level, pattern_as_of

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


def test_next_step_follows_the_rules():
    from models.rules import next_step

    assert next_step(Pattern.SHOULD_BUILD, 3) == "build_branch"
    assert next_step(Pattern.SHOULD_BUILD, 60) == "build_general_branch"
    assert next_step(Pattern.SHOULD_BUILD, 120, has_union=False) == "found_union_and_build_committee"
    assert next_step(Pattern.NO_UNION, 0) == "found_union"
    assert next_step(Pattern.UNION_ONLY, 2) == "own_liaison"
    assert next_step(Pattern.UNION_ONLY, 0) == "dispatch_liaison"
