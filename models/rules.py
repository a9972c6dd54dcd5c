"""Domain rules as pure functions (no database, no Streamlit).

The SQL in ``dashboard/queries`` implements the same rules as set operations; the tests check
that both agree on hand-made data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from models.enums import ActionStatus, LeadStage, NoticeStatus, PartyOrgLevel, Pattern

#: An enterprise with this many formal Party members or more should have a Party organisation.
PARTY_ORG_THRESHOLD = 3
GENERAL_BRANCH_THRESHOLD = 50
COMMITTEE_THRESHOLD = 100


@dataclass(frozen=True)
class Period:
    """A half-open period [start, end): active on ``start``, no longer active on ``end``."""

    start: dt.date
    end: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def any_active(periods: Iterable[Period], day: dt.date) -> bool:
    return any(p.active_on(day) for p in periods)


def expected_party_org_level(party_members: int) -> PartyOrgLevel | None:
    """The Party organisation an enterprise should have (None: a liaison officer instead)."""
    if party_members < 0:
        raise ValueError("party_members must not be negative")
    if party_members >= COMMITTEE_THRESHOLD:
        return PartyOrgLevel.COMMITTEE
    if party_members >= GENERAL_BRANCH_THRESHOLD:
        return PartyOrgLevel.GENERAL_BRANCH
    if party_members >= PARTY_ORG_THRESHOLD:
        return PartyOrgLevel.BRANCH
    return None


def classify(*, party_members: int, has_union: bool, has_party_org: bool, has_liaison: bool) -> Pattern:
    """The enterprise's pattern (DESIGN.md §2), given what it has on a date.

    Order matters: an enterprise that qualifies for a Party organisation and has none is
    应建未建 whatever else it has; then 未建会 (no union); then the two complete patterns;
    a union alone is 仅有工会.
    """
    if party_members >= PARTY_ORG_THRESHOLD and not has_party_org:
        return Pattern.SHOULD_BUILD
    if not has_union:
        return Pattern.NO_UNION
    if has_party_org:
        return Pattern.UNION_AND_BRANCH
    if has_liaison:
        return Pattern.UNION_AND_LIAISON
    return Pattern.UNION_ONLY


def is_operating(registered_on: dt.date, closed_on: dt.date | None, day: dt.date) -> bool:
    return Period(registered_on, closed_on).active_on(day)


def pattern_as_of(
    day: dt.date,
    *,
    registered_on: dt.date,
    closed_on: dt.date | None,
    party_members: int,
    union_periods: Iterable[Period] = (),
    party_periods: Iterable[Period] = (),
    liaison_periods: Iterable[Period] = (),
) -> Pattern | None:
    """Pattern of one enterprise as of ``day``; None when it is not operating then."""
    if not is_operating(registered_on, closed_on, day):
        return None
    return classify(
        party_members=party_members,
        has_union=any_active(union_periods, day),
        has_party_org=any_active(party_periods, day),
        has_liaison=any_active(liaison_periods, day),
    )


def next_step(pattern: Pattern, party_members: int, *, has_union: bool = True) -> str:
    """What the rules suggest for a gap enterprise (an i18n key suffix, e.g. ``build_branch``).

    应建未建 → set up the Party organisation its members call for (and a union first when it has
    none: 一会一支 needs both); 未建会 → found a union (own or joint); 仅有工会 → a liaison
    officer: its own Party member if it has one, else dispatched.
    """
    if pattern is Pattern.SHOULD_BUILD:
        level = expected_party_org_level(party_members)
        step = {PartyOrgLevel.COMMITTEE: "build_committee", PartyOrgLevel.GENERAL_BRANCH: "build_general_branch"}.get(
            level, "build_branch")
        return step if has_union else f"found_union_and_{step}"
    if pattern is Pattern.NO_UNION:
        return "found_union"
    if pattern is Pattern.UNION_ONLY:
        return "own_liaison" if party_members > 0 else "dispatch_liaison"
    return "none"


def notice_status(*, acknowledged_on: dt.date | None, resolved_on: dt.date | None, day: dt.date) -> NoticeStatus:
    if resolved_on is not None and resolved_on <= day:
        return NoticeStatus.RESOLVED
    if acknowledged_on is not None and acknowledged_on <= day:
        return NoticeStatus.ACKNOWLEDGED
    return NoticeStatus.SENT


def action_overdue(*, status: ActionStatus, due_on: dt.date, done_on: dt.date | None, day: dt.date) -> bool:
    """Overdue as of ``day``: not done by then and past its due date."""
    done_by_then = done_on is not None and done_on <= day
    return not done_by_then and due_on < day


# --------------------------------------------------------------------------- USCC (GB 32100-2015)

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code (positions 9–17)
_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class USCCError(ValueError):
    """Raised with a one-sentence reason when a USCC is invalid."""


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    if len(first17) != 17:
        raise USCCError(f"需要 17 位本体代码，实际为 {len(first17)} 位")
    total = 0
    for i, ch in enumerate(first17):
        pos = USCC_CHARSET.find(ch)
        if pos < 0:
            raise USCCError(f"第 {i + 1} 位字符 “{ch}” 不在统一社会信用代码字符集中")
        total += pos * _USCC_WEIGHTS[i]
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of an organisation code's first 8 characters."""
    total = sum(_ORG_CHARSET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_problem(code: str) -> str | None:
    """None when ``code`` is a valid USCC, else a one-sentence reason (Chinese)."""
    if not isinstance(code, str):
        return "统一社会信用代码必须是文本"
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(code)} 位"
    try:
        expected = uscc_check_char(code[:17])
    except USCCError as exc:
        return str(exc)
    if code[17] not in USCC_CHARSET:
        return f"第 18 位校验码 “{code[17]}” 不在字符集中"
    if code[17] != expected:
        return f"校验码错误：第 18 位应为 “{expected}”，实际为 “{code[17]}”"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def make_uscc(*, division: str, serial: int, authority: str = "9", kind: str = "1") -> str:
    """Build a valid USCC: authority + kind + 6-digit division + organisation code + check.

    ``serial`` (0 … 10**8-1) gives the organisation code body; its own GB 11714 check
    character follows, then the GB 32100 check character.
    """
    if len(division) != 6 or not division.isdigit():
        raise USCCError("行政区划码应为 6 位数字")
    body = ""
    n = serial
    for _ in range(8):
        n, r = divmod(n, 10)  # digits only: always inside the USCC charset
        body = str(r) + body
    if n:
        raise USCCError("serial too large")
    org = body + org_code_check_char(body)  # may end in 'X', which the USCC charset has
    first17 = authority + kind + division + org
    return first17 + uscc_check_char(first17)


def days_to_union(stage: LeadStage | str, identified_on: dt.date, stage_on: dt.date) -> int | None:
    """``founding_lead.days_to_union`` (0018): on a 已建会 lead the whole days from its discovery to the
    union (its stage's start), on any other stage None — what the pipeline's medians read."""
    if LeadStage(stage) is not LeadStage.FOUNDED:
        return None
    return (stage_on - identified_on).days
