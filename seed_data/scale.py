"""Scale generator: ``n`` synthetic enterprises for performance work (DESIGN.md §2–4, §8).

Everything is fictional ("规模企业000001" in "规模第0001镇") and deterministic: the same
``(n, seed, today)`` gives the same rows, whatever the batch size or the database.

How it stays fast (1,000,000 enterprises in well under a few minutes on SQLite):

* a *plan* is drawn first into compact ``array`` columns (one slot per enterprise) holding only
  what several tables need (township, dates, counts, which union/Party organisation covers it);
* each table is then streamed from the plan as tuples with primary keys assigned in Python
  (ids 1..k, so foreign keys need no round trip) and written in batches: ``executemany`` of a
  plain ``INSERT`` on SQLite, ``COPY`` on PostgreSQL (psycopg), Core ``insert()`` elsewhere (``models.bulk``, shared with the summary rebuild);
* dates travel as day ordinals and are converted once per distinct day to the driver's value.

Tables drawn from a random stream of their own (the founding leads: ``random.Random(f"{seed}:founding_lead")``)
leave every other table's rows as they were before they were added.

All tables are written in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import json
import math
import queue
import random
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models import bulk
from models import enums as E
from models.rules import PARTY_ORG_THRESHOLD, expected_party_org_level, make_uscc
from models.tables import (
    ActionItem,
    ActivistRecommendation,
    AwardQuota,
    AwardRound,
    DatasetInfo,
    Decision,
    DoubleLoveAward,
    Enterprise,
    FoundingLead,
    FoundingLeadStage,
    JointMeeting,
    LiaisonOfficer,
    MeetingAttendee,
    MembershipChange,
    PartyAdmission,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
)
from seed_data import facts

Progress = Callable[[str, int, int], None]

DISTRICT_NAME = "规模测试区（合成数据）"
FIRST_DAY = dt.date(1998, 1, 1)
FIRST_MEETING_YEAR = 2003
MAX_ENTERPRISES = 10**8 - 1  # the USCC organisation-code body has 8 digits
ENTERPRISES_PER_TOWNSHIP = 2500
MIN_TOWNSHIPS = 8

#: Tables this generator writes, in foreign-key order (each must be empty beforehand).
TABLES: tuple[sa.Table, ...] = tuple(
    m.__table__  # type: ignore[attr-defined]
    for m in (
        Township,
        Unit,
        Enterprise,
        UnionOrg,
        UnionCoverage,
        MembershipChange,
        PartyOrg,
        PartyCoverage,
        LiaisonOfficer,
        JointMeeting,
        MeetingAttendee,
        Decision,
        ActionItem,
        FoundingLead,
        FoundingLeadStage,
        AwardRound,
        AwardQuota,
        DoubleLoveAward,
        ActivistRecommendation,
        PartyAdmission,
        DatasetInfo,
    )
)


class ScaleError(RuntimeError):
    """The scale data cannot be generated; the message says why in one sentence."""


# --------------------------------------------------------------------------- vocabulary

#: (code, name, kind) of the district units; ids 1..4 in this order.
DISTRICT_UNITS = (
    ("ORG", "区委组织部", E.UnitKind.PARTY_DEPT),
    ("UNION", "区总工会", E.UnitKind.UNION),
    ("AIC", "区工商局", E.UnitKind.GOVERNMENT),
    ("BUREAU_PARTY", "区民营经济发展局党委", E.UnitKind.BUREAU_PARTY),
)
#: Unit ids of the district joint meeting's three bodies (组织部, 总工会, 民企局党委).
MEETING_UNIT_IDS = (1, 2, 4)

TOWNSHIP_KINDS = (E.TownshipKind.TOWN, E.TownshipKind.TOWNSHIP, E.TownshipKind.SUBDISTRICT)
_TOWNSHIP_KIND_WEIGHTS = (0.5, 0.2, 0.3)
_TOWNSHIP_SUFFIX = {E.TownshipKind.TOWN: "镇", E.TownshipKind.TOWNSHIP: "乡", E.TownshipKind.SUBDISTRICT: "街道"}
_TOWNSHIP_SIZE = {E.TownshipKind.TOWN: 1.0, E.TownshipKind.TOWNSHIP: 0.6, E.TownshipKind.SUBDISTRICT: 1.5}

OWNERSHIPS = tuple(o.value for o in E.Ownership)
_OWNERSHIP_CUM = (0.70, 0.78, 0.88, 0.92, 1.0)  # cumulative weights, private … individual
INDUSTRIES = (
    "制造业", "批发和零售业", "建筑业", "住宿和餐饮业", "交通运输业",
    "信息技术服务业", "农副食品加工业", "商务服务业", "居民服务业", "房地产业",
)
#: index 0 = no barrier; then the five difficulties (五难).
BARRIERS = (None,) + tuple(b.value for b in E.Barrier)
_TOO_FEW = BARRIERS.index(E.Barrier.TOO_FEW_MEMBERS.value)
_QUALIFIED_BARRIERS = tuple(i for i, b in enumerate(BARRIERS) if b and i != _TOO_FEW)

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红志新春海波宏德文"

_PARTY_ORG_SUFFIX = {
    E.PartyOrgLevel.COMMITTEE: "党委",
    E.PartyOrgLevel.GENERAL_BRANCH: "党总支",
    E.PartyOrgLevel.BRANCH: "党支部",
}
DISTRICT_DECISIONS = (
    "推进未建会企业组建工会",
    "督促具备条件的企业建立党组织",
    "为一会一员企业选派党建联络员",
    "落实协调通报制，交换建会建党名单",
    "开展“双爱双评”评选",
    "组织职工技能比赛和合理化建议活动",
    "推荐优秀职工作为入党积极分子",
    "对登门留帖企业逐户回访",
)
ENTERPRISE_DECISIONS = (
    "推荐优秀职工为入党积极分子",
    "筹备召开职工代表大会",
    "开展季度文体活动",
    "组织岗位练兵和技术比武",
    "收集职工合理化建议",
)


def township_count(n: int) -> int:
    """Townships for ``n`` enterprises: one per 2,500 enterprises, at least 8 (1M → 400)."""
    return max(MIN_TOWNSHIPS, n // ENTERPRISES_PER_TOWNSHIP)


def enterprise_name(enterprise_id: int) -> str:
    return f"规模企业{enterprise_id:06d}"


def _person(rng: random.Random) -> str:
    """A name: ``rng.random()``, then ``rng.choice(_GIVEN)`` once or twice, then ``rng.choice(_SURNAMES)``
    — the same draws, made without ``choice``'s calls (``random.Random._randbelow``: ``getrandbits`` of
    the length's bits until one is below it): these names were a large part of the generator's time."""
    first = rng.random() < 0.4
    bits = rng.getrandbits
    r = bits(_GIVEN_BITS)
    while r >= _GIVEN_N:
        r = bits(_GIVEN_BITS)
    given = _GIVEN[r]
    if not first:
        r = bits(_GIVEN_BITS)
        while r >= _GIVEN_N:
            r = bits(_GIVEN_BITS)
        given += _GIVEN[r]
    r = bits(_SURNAMES_BITS)
    while r >= _SURNAMES_N:
        r = bits(_SURNAMES_BITS)
    return _SURNAMES[r] + given


_GIVEN_N, _SURNAMES_N = len(_GIVEN), len(_SURNAMES)
_GIVEN_BITS, _SURNAMES_BITS = _GIVEN_N.bit_length(), _SURNAMES_N.bit_length()


# --------------------------------------------------------------------------- the plan


@dataclass
class _Townships:
    codes: list[str]
    names: list[str]
    kinds: list[E.TownshipKind]
    cum_weights: list[float]  # for drawing an enterprise's township

    def __len__(self) -> int:
        return len(self.codes)

    def party_unit_id(self, township: int) -> int:
        """Unit id of the township Party committee of township index ``town``."""
        return len(DISTRICT_UNITS) + 1 + township


@dataclass
class _Plan:
    """What several tables need, one slot per enterprise (index i ↔ enterprise id i + 1).

    Dates are day ordinals; 0 means "none".
    """

    n: int
    today: int
    townships: _Townships
    township: array = field(default_factory=lambda: array("i"))
    employees: array = field(default_factory=lambda: array("i"))
    members: array = field(default_factory=lambda: array("i"))
    registered: array = field(default_factory=lambda: array("i"))
    closed: array = field(default_factory=lambda: array("i"))
    barrier: array = field(default_factory=lambda: array("b"))
    union_id: array = field(default_factory=lambda: array("i"))  # covering union, 0 = none
    union_from: array = field(default_factory=lambda: array("i"))  # coverage start
    changes: array = field(default_factory=lambda: array("b"))  # membership_change rows (0–2)
    party_from: array = field(default_factory=lambda: array("i"))  # own Party org founded
    liaison_from: array = field(default_factory=lambda: array("i"))
    #: union_org rows after the federations: > 0 enterprise id (own union), < 0 −(joint group + 1)
    union_owner: array = field(default_factory=lambda: array("i"))
    joint_groups: list[tuple[int, int]] = field(default_factory=list)  # (town, founded)
    federations: list[tuple[int, int]] = field(default_factory=list)  # (town, founded); ids 1..F
    #: 1 for a village enterprise (村办); filled while the enterprise rows are written (drawn there)
    village: bytearray = field(default_factory=bytearray)

    def last_day(self, i: int) -> int:
        """Last day enterprise ``i`` operates (the day before it closed, else today)."""
        closed = self.closed[i]
        return closed - 1 if closed else self.today

    def count(self, column: array) -> int:
        return sum(1 for v in column if v)


def _plan_townships(rng: random.Random, n: int) -> _Townships:
    codes, names, kinds, cum = [], [], [], []
    total = 0.0
    for k in range(1, township_count(n) + 1):
        kind = rng.choices(TOWNSHIP_KINDS, _TOWNSHIP_KIND_WEIGHTS)[0]
        codes.append(f"S{k:04d}")
        names.append(f"规模第{k:04d}{_TOWNSHIP_SUFFIX[kind]}")
        kinds.append(kind)
        total += _TOWNSHIP_SIZE[kind] * rng.uniform(0.5, 1.5)
        cum.append(total)
    return _Townships(codes, names, kinds, [c / total for c in cum])


def _draw_members(rng: random.Random) -> int:
    """Formal Party members: ≈55% none, ≈25% one or two, ≈20% three or more (a few ≥50/≥100)."""
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.80:
        return rng.randint(1, 2)
    r = rng.random()
    if r < 0.90:
        return rng.randint(3, 20)
    if r < 0.97:
        return rng.randint(21, 49)
    if r < 0.99:
        return rng.randint(50, 99)
    return rng.randint(100, 300)


def _draw_employees(rng: random.Random, members: int) -> int:
    """Skewed: most 5–80, some up to 500, a few up to 2,000; never fewer than the members."""
    r = rng.random()
    if r < 0.85:
        employees = rng.randint(5, 80)
    elif r < 0.98:
        employees = rng.randint(81, 500)
    else:
        employees = rng.randint(501, 2000)
    if members > employees:
        employees = members + rng.randint(0, 2 * members)
    return employees


class _JointGroups:
    """Collects small unionised enterprises per township into joint unions of 3–8."""

    def __init__(self, rng: random.Random, plan: _Plan):
        self.rng = rng
        self.plan = plan
        self.pending: dict[int, list[int]] = {}
        self.target: dict[int, int] = {}

    def add(self, township: int, i: int) -> None:
        members = self.pending.setdefault(township, [])
        members.append(i)
        if len(members) >= self.target.setdefault(township, self.rng.randint(3, 8)):
            self._close(township)

    def _close(self, township: int) -> None:
        plan = self.plan
        members = self.pending.pop(township)
        del self.target[township]
        plan.joint_groups.append((township, min(plan.union_from[i] for i in members)))
        plan.union_owner.append(-len(plan.joint_groups))
        union_id = len(plan.federations) + len(plan.union_owner)
        for i in members:
            plan.union_id[i] = union_id

    def finish(self) -> None:
        """Enterprises left in an incomplete group get their own union."""
        plan = self.plan
        for members in self.pending.values():
            for i in members:
                plan.union_owner.append(i + 1)
                plan.union_id[i] = len(plan.federations) + len(plan.union_owner)
        self.pending.clear()


def _plan_federations(rng: random.Random, plan: _Plan) -> None:
    """A few private-enterprise union federations (工会联合会), founded in 2002 or later."""
    townships = len(plan.townships)
    count = max(3, townships // 25)
    start = min(dt.date(2002, 1, 1).toordinal(), plan.today)
    for k in range(count):
        founded = min(plan.today, start + rng.randrange(365 * (1 + k % 3)))
        plan.federations.append(((k * townships) // count, founded))


def _plan_enterprise(rng: random.Random, plan: _Plan, joint: _JointGroups, i: int) -> None:
    """Draw enterprise ``i`` and decide what covers it (union, Party org, liaison officer)."""
    today, first = plan.today, FIRST_DAY.toordinal()
    township = bisect.bisect_left(plan.townships.cum_weights, rng.random())
    township = min(township, len(plan.townships) - 1)
    members = _draw_members(rng)
    employees = _draw_employees(rng, members)
    registered = first + int((today - first + 1) * rng.random() ** 0.8)
    closed = 0
    if rng.random() < 0.085 and today - registered >= 60:
        closed = registered + rng.randint(30, today - registered)
    last = closed - 1 if closed else today
    for column, value in (
        (plan.township, township), (plan.employees, employees), (plan.members, members),
        (plan.registered, registered), (plan.closed, closed),
    ):
        column.append(value)

    union_from = registered + int(rng.expovariate(1 / 200)) if rng.random() < 0.87 else 0
    if union_from > last:
        union_from = 0
    party_from = 0
    if members >= PARTY_ORG_THRESHOLD and rng.random() < 0.76:
        party_from = registered + int(rng.expovariate(1 / 365))
        if party_from > last:
            party_from = 0
    liaison_from = 0
    if union_from and members < PARTY_ORG_THRESHOLD and rng.random() < 0.85:
        liaison_from = union_from + rng.randint(0, 180)
        if liaison_from > last:
            liaison_from = 0

    plan.union_from.append(union_from)
    plan.party_from.append(party_from)
    plan.liaison_from.append(liaison_from)
    plan.changes.append((2 if union_from < last and rng.random() < 0.5 else 1) if union_from else 0)
    plan.barrier.append(_draw_barrier(rng, members, union_from, party_from, liaison_from))
    plan.union_id.append(0)
    if not union_from:
        return
    if employees <= 20 and rng.random() < 0.3:
        joint.add(township, i)
    else:
        plan.union_owner.append(i + 1)
        plan.union_id[i] = len(plan.federations) + len(plan.union_owner)


def _draw_barrier(rng: random.Random, members: int, union_from: int, party_from: int, liaison_from: int) -> int:
    """A barrier (五难) on some gap enterprises; 0 for none."""
    if members >= PARTY_ORG_THRESHOLD:
        if party_from or rng.random() >= 0.9:
            return 0
        return rng.choice(_QUALIFIED_BARRIERS)
    if (union_from and liaison_from) or rng.random() >= 0.3:
        return 0
    return _TOO_FEW if members and rng.random() < 0.6 else rng.randrange(1, len(BARRIERS))


def _plan(rng: random.Random, n: int, today: dt.date, report: Callable[[str, int, int], None],
          batch_size: int) -> _Plan:
    plan = _Plan(n=n, today=today.toordinal(), townships=_plan_townships(rng, n))
    _plan_federations(rng, plan)
    joint = _JointGroups(rng, plan)
    report("plan", 0, n)
    for i in range(n):
        _plan_enterprise(rng, plan, joint, i)
        if (i + 1) % batch_size == 0 or i + 1 == n:
            report("plan", i + 1, n)
    joint.finish()
    plan.village = bytearray(n)
    return plan


# --------------------------------------------------------------------------- meetings


@dataclass
class _Meetings:
    """Joint meetings and their follow-up, materialised (a few per cent of n rows)."""

    meetings: list[tuple] = field(default_factory=list)  # without id
    attendees: list[tuple] = field(default_factory=list)  # (meeting_id, unit_id, name)
    decisions: list[tuple] = field(default_factory=list)  # (meeting_id, text)
    actions: list[tuple] = field(default_factory=list)  # (decision_id, description, owner, town, created, due, status, done)


def _action_status(rng: random.Random, created: int, due: int, today: int) -> tuple[str, int]:
    """Mostly done when long past due; some open or in progress and overdue."""
    p_done = 0.95 if due < today - 180 else 0.6 if due < today else 0.25
    if rng.random() < p_done:
        return E.ActionStatus.DONE.value, min(today, created + rng.randint(1, due - created + 30))
    return rng.choice((E.ActionStatus.OPEN.value, E.ActionStatus.IN_PROGRESS.value)), 0


def _add_action(rng: random.Random, out: _Meetings, decision_id: int, text: str, owner: int,
                township: int | None, held: int, today: int) -> None:
    due = held + rng.randint(14, 120)
    status, done = _action_status(rng, held, due, today)
    out.actions.append((decision_id, f"落实：{text}", owner, township, held, due, status, done))


def _district_meetings(rng: random.Random, plan: _Plan, out: _Meetings) -> None:
    """About four district-level joint meetings a year since 2003 (one per quarter)."""
    today = plan.today
    for year in range(FIRST_MEETING_YEAR, dt.date.fromordinal(today).year + 1):
        for quarter in range(4):
            q_start = dt.date(year, 3 * quarter + 1, 1).toordinal()
            held = q_start + rng.randrange(80)
            if held > today:
                return
            out.meetings.append((
                E.MeetingLevel.DISTRICT.value, held, None, None,
                f"{year}年第{quarter + 1}季度区级党工共建联席会议",
                "通报建会建党进展；研究协调通报名单；部署下阶段工作",
            ))
            meeting_id = len(out.meetings)
            out.attendees.extend((meeting_id, unit_id, None) for unit_id in MEETING_UNIT_IDS)
            for text in rng.sample(DISTRICT_DECISIONS, rng.randint(2, 4)):
                out.decisions.append((meeting_id, text))
                for _ in range(rng.randint(1, 3)):
                    if rng.random() < 0.5:
                        owner, township = rng.randint(1, len(DISTRICT_UNITS)), None
                    else:
                        t = rng.randrange(len(plan.townships))
                        owner, township = plan.townships.party_unit_id(t), t + 1
                    _add_action(rng, out, len(out.decisions), text, owner, township, held, today)


def _enterprise_meetings(rng: random.Random, plan: _Plan, out: _Meetings) -> None:
    """About n // 20 enterprise-level meetings (since 2003) where a union and a Party org both exist."""
    first = dt.date(FIRST_MEETING_YEAR, 1, 1).toordinal()

    def start(i: int) -> int:  # both bodies exist and the joint-meeting system is in place
        return max(plan.union_from[i], plan.party_from[i], first)

    eligible = [i for i in range(plan.n) if plan.union_id[i] and plan.party_from[i] and start(i) <= plan.last_day(i)]
    if not eligible:
        return
    chosen = []
    for _ in range(plan.n // 20):
        i = rng.choice(eligible)
        chosen.append((start(i) + rng.randrange(plan.last_day(i) - start(i) + 1), i))
    chosen.sort()
    for held, i in chosen:
        name, township = enterprise_name(i + 1), plan.township[i]
        out.meetings.append((E.MeetingLevel.ENTERPRISE.value, held, i + 1, township + 1, f"{name}党工联席会议", None))
        meeting_id = len(out.meetings)
        out.attendees.append((meeting_id, None, f"{name}党组织"))
        out.attendees.append((meeting_id, None, f"{name}工会"))
        text = rng.choice(ENTERPRISE_DECISIONS)
        out.decisions.append((meeting_id, text))
        _add_action(rng, out, len(out.decisions), text, plan.townships.party_unit_id(township), township + 1, held, plan.today)


def _plan_meetings(rng: random.Random, plan: _Plan) -> _Meetings:
    out = _Meetings()
    _district_meetings(rng, plan, out)
    _enterprise_meetings(rng, plan, out)
    return out


# --------------------------------------------------------------------------- founding leads

#: unions founded after this day came from a tracked lead (建会线索), as in the demo (after the 2002 campaign)
LEADS_SINCE = dt.date(2002, 12, 31)
#: the share of those unions whose lead is kept (the scale data has ≈ 20 % of n leads in all)
_FOUNDED_LEAD_SHARE = 0.11
#: projects not registered yet (预建通报, 调度招商, 把握契机), per enterprise
_PROJECT_SHARE = 0.01
_LEAD_SOURCES = tuple(E.LeadSource)
_LEAD_STAGES = tuple(E.LeadStage)
_SOURCE_CODE = {s: k for k, s in enumerate(_LEAD_SOURCES)}
_STAGE_CODE = {s: k for k, s in enumerate(_LEAD_STAGES)}
_OTHER_SOURCES = (E.LeadSource.OPPORTUNITY, E.LeadSource.NOTICE_LEFT, E.LeadSource.PRE_NOTICE, E.LeadSource.INVESTMENT)
_PROJECT_SOURCES = (E.LeadSource.PRE_NOTICE, E.LeadSource.PRE_NOTICE, E.LeadSource.INVESTMENT,
                    E.LeadSource.INVESTMENT, E.LeadSource.OPPORTUNITY)
#: index 0 = none
DROP_REASONS = (None, "企业已注销", "项目未落地")
_CLOSED_DOWN, _NOT_LANDED = 1, 2
_C, _N, _P = E.LeadStage.CONTACTED, E.LeadStage.NOTICE_SENT, E.LeadStage.PREPARING
NOTICE_DAYS = 30  # a founding notice's deadline (建会通知书)


@dataclass
class _Leads:
    """Founding leads and their stage periods, one slot per lead (index k ↔ lead id k + 1).

    Dates are day ordinals (0: none). The stages of lead k are the slots ``first[k]`` up to
    ``first[k + 1]`` (or the end) of the flat ``stage`` / ``start`` columns, in order.
    """

    enterprise: array = field(default_factory=lambda: array("i"))  # enterprise id, 0 = a project
    township: array = field(default_factory=lambda: array("i"))  # index
    source: array = field(default_factory=lambda: array("b"))
    identified: array = field(default_factory=lambda: array("i"))
    closed: array = field(default_factory=lambda: array("i"))
    deadline: array = field(default_factory=lambda: array("i"))
    union_id: array = field(default_factory=lambda: array("i"))
    reason: array = field(default_factory=lambda: array("b"))
    first: array = field(default_factory=lambda: array("i"))
    stage: array = field(default_factory=lambda: array("b"))
    start: array = field(default_factory=lambda: array("i"))

    def __len__(self) -> int:
        return len(self.first)

    def add(self, rng: random.Random, enterprise: int, township: int, source: E.LeadSource, identified: int,
            path: list[E.LeadStage], last: E.LeadStage | None, until: int, *, union_id: int = 0,
            reason: int = 0) -> None:
        """One lead: identified on ``identified``, through ``path``'s stages on increasing days, and
        closed as ``last`` on ``until`` (None: still open; ``until`` is then today and the stages are
        spread over the time so far, the last one possibly long ago — an idle lead). As the demo's."""
        span = until - identified
        days = sorted(rng.sample(range(1, span), min(len(path), max(span - 1, 0))))
        self.first.append(len(self.stage))
        self.stage.append(_STAGE_CODE[E.LeadStage.IDENTIFIED])
        self.start.append(identified)
        deadline = 0
        for stage, day in zip(path, days):
            self.stage.append(_STAGE_CODE[stage])
            self.start.append(identified + day)
            if stage is _N:
                deadline = identified + day + NOTICE_DAYS
        if last is not None:
            self.stage.append(_STAGE_CODE[last])
            self.start.append(until)
        for column, value in (
            (self.enterprise, enterprise), (self.township, township), (self.source, _SOURCE_CODE[source]),
            (self.identified, identified), (self.closed, until if last is not None else 0), (self.deadline, deadline),
            (self.union_id, union_id), (self.reason, reason),
        ):
            column.append(value)


def _plan_leads(rng: random.Random, plan: _Plan) -> _Leads:
    """建会线索 of the six measures, as the demo's ``leads()``: a share of the unions founded after 2002
    came from a lead (盯住源头 for new registrations, 拓宽领域 for village enterprises); many gap
    enterprises are open leads at some stage (some with a founding notice past its deadline, some
    idle); some gap enterprises that closed were dropped on their closing day; and projects not
    registered yet are recent open leads or dropped older ones. ``rng`` is the leads' own stream."""
    out, today = _Leads(), plan.today
    since = LEADS_SINCE.toordinal()
    recent, dropped_from = dt.date(2015, 1, 1).toordinal(), dt.date(2004, 1, 1).toordinal()
    V, R = E.LeadSource.VILLAGE, E.LeadSource.REGISTRATION
    for i in range(plan.n):
        union_from, closed, registered = plan.union_from[i], plan.closed[i], plan.registered[i]
        village, township = plan.village[i], plan.township[i]
        if union_from > since:
            if rng.random() >= _FOUNDED_LEAD_SHARE:
                continue
            new = registered > since
            src = V if village else R if new and rng.random() < 0.6 else rng.choice(_OTHER_SOURCES)
            if new and src in (E.LeadSource.PRE_NOTICE, E.LeadSource.INVESTMENT):  # known before it registered
                ident = registered - rng.randint(20, 150)
            else:
                ident = max(registered, union_from - rng.randint(25, 320))
            ident = min(ident, union_from - 4)
            path = [_C, _N, _P] if src is E.LeadSource.NOTICE_LEFT or rng.random() < 0.35 else [_C, _P]
            out.add(rng, i + 1, township, src, ident, path, E.LeadStage.FOUNDED, union_from,
                    union_id=plan.union_id[i])
        elif union_from:
            continue
        elif closed:
            if closed <= dropped_from or rng.random() >= 0.5:
                continue
            ident = max(registered, closed - rng.randint(60, 500))
            if ident >= closed - 3:
                continue
            path = [_C, _N] if rng.random() < 0.4 else [_C]
            out.add(rng, i + 1, township, V if village else rng.choice(_OTHER_SOURCES), ident, path,
                    E.LeadStage.DROPPED, closed, reason=_CLOSED_DOWN)
        elif registered > recent or rng.random() < 0.4:
            low, high = max(registered, today - 400), today - 3
            if low > high:
                continue
            ident = rng.randint(low, high)
            src = V if village else R if registered >= ident - 30 else rng.choice(_OTHER_SOURCES)
            path = [_C, _N, _P][:rng.choice((0, 1, 1, 2, 2, 3))]
            if src is E.LeadSource.NOTICE_LEFT and _N not in path:
                path = [_C, _N]
            out.add(rng, i + 1, township, src, ident, path, None, today)
    cum_weights, townships = plan.townships.cum_weights, len(plan.townships)
    high = today - 2
    low = min(dt.date(2003, 1, 1).toordinal(), high)
    for _ in range(round(plan.n * _PROJECT_SHARE)):
        township = min(bisect.bisect_left(cum_weights, rng.random()), townships - 1)
        ident = rng.randint(low, high)
        src = rng.choice(_PROJECT_SOURCES)
        if ident > today - 365:
            out.add(rng, 0, township, src, ident, [_C][:rng.randint(0, 1)], None, today)
        else:
            out.add(rng, 0, township, src, ident, [_C], E.LeadStage.DROPPED, ident + rng.randint(30, 200),
                    reason=_NOT_LANDED)
    return out


def project_name(lead_id: int) -> str:
    """The name of a project not registered yet."""
    return f"（拟设）规模项目{lead_id:06d}"


# --------------------------------------------------------------------------- writing


class _Days(dict):
    """Day ordinal → the driver's date value (ISO text for SQLite's raw driver); 0 → None."""

    def __init__(self, as_text: bool):
        super().__init__({0: None})
        self.as_text = as_text

    def __missing__(self, ordinal: int):
        day = dt.date.fromordinal(ordinal)
        value = day.isoformat() if self.as_text else day
        self[ordinal] = value
        return value


class _Stamps(dict):
    """Day ordinal → the driver's value of a ``DateTime`` at 02:00 UTC that day (aware; SQLite's raw
    driver gets SQLAlchemy's stored text) — the time of the seed's own records (``username`` "seed")."""

    def __init__(self, as_text: bool):
        super().__init__()
        self.as_text = as_text

    def __missing__(self, ordinal: int):
        at = dt.datetime.combine(dt.date.fromordinal(ordinal), dt.time(2, 0), tzinfo=dt.UTC)
        value = at.strftime("%Y-%m-%d %H:%M:%S.%f") if self.as_text else at
        self[ordinal] = value
        return value


class _Loader:
    """Writes streams of tuples into tables, in batches, inside the caller's transaction.

    :meth:`run` calls ``produce`` (which calls :meth:`write` for each table, in order). On PostgreSQL it
    runs in a thread of its own and hands the batches over through a short queue: while the connection
    waits for the server (a COPY's rows taken in, a table's indexes built once its rows are in:
    ``deferred``), the next rows are being drawn — the same draws in the same order, the rows
    unchanged. Elsewhere ``produce`` writes directly."""

    def __init__(self, conn: Connection, batch_size: int, progress: Progress,
                 deferred: bulk.DeferredIndexes | None = None):
        self.conn = conn
        self.batch_size = batch_size
        self.progress = progress
        self.dialect = conn.dialect.name
        self.days = _Days(as_text=self.dialect == "sqlite")
        self.stamps = _Stamps(as_text=self.dialect == "sqlite")
        self.counts: dict[str, int] = {}
        self.deferred = deferred
        self._queue: queue.Queue | None = None
        self._stopped = False

    def run(self, produce: Callable[[], None]) -> None:
        if self.dialect != "postgresql":
            produce()
            return
        self._queue = queue.Queue(maxsize=4)
        failed: list[BaseException] = []

        def target() -> None:
            try:
                produce()
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                failed.append(exc)
            finally:
                self._put(("done",), force=True)

        thread = threading.Thread(target=target, name="scale-rows", daemon=True)
        thread.start()
        try:
            self._consume()
        except BaseException:
            self._stopped = True
            while thread.is_alive():  # let the thread see it and end
                try:
                    self._queue.get(timeout=0.1)
                except queue.Empty:
                    pass
            raise
        finally:
            thread.join()
            self._queue = None
        if failed:
            raise failed[0]

    def _consume(self) -> None:
        write_batch, table, done, total = None, None, 0, 0
        while True:
            item = self._queue.get()
            if item[0] == "table":
                _, table, columns, total = item
                write_batch, done = self._batch_writer(table, columns), 0
                self.progress(table.name, 0, total)
            elif item[0] == "rows":
                write_batch(item[1])
                done += len(item[1])
                self.progress(table.name, done, total)
            elif item[0] == "end":
                self._table_done(table, done)
            else:
                return

    def _put(self, item: tuple, force: bool = False) -> None:
        while True:
            if self._stopped and not force:
                raise _Stopped
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                if self._stopped and force:
                    return

    def write(self, table: sa.Table, columns: tuple[str, ...], rows: Iterable[tuple], total: int) -> None:
        missing = [c for c in columns if c not in table.c]
        if missing:  # pragma: no cover - a programming error
            raise KeyError(f"{table.name} has no column(s) {missing}")
        it = iter(rows)
        if self._queue is not None:  # in the drawing thread: hand the batches over
            self._put(("table", table, columns, total))
            while batch := list(islice(it, self.batch_size)):
                self._put(("rows", batch))
            self._put(("end",))
            return
        write_batch = self._batch_writer(table, columns)
        done = 0
        self.progress(table.name, 0, total)
        while batch := list(islice(it, self.batch_size)):
            write_batch(batch)
            done += len(batch)
            self.progress(table.name, done, total)
        self._table_done(table, done)

    def _table_done(self, table: sa.Table, done: int) -> None:
        self.counts[table.name] = done
        if self.deferred is not None:
            self.deferred.build(table.name)

    def _batch_writer(self, table: sa.Table, columns: tuple[str, ...]) -> Callable[[list[tuple]], None]:
        return bulk.batch_writer(self.conn, table, columns)  # the summary rebuild writes the same way


class _Stopped(Exception):
    """The rows are no longer wanted (writing them failed)."""


def _township_rows(plan: _Plan) -> Iterator[tuple]:
    townships = plan.townships
    cols = math.ceil(math.sqrt(len(townships)))
    for t in range(len(townships)):
        yield (t + 1, townships.codes[t], townships.names[t], townships.kinds[t].value, t + 1, _square(t % cols, t // cols), True)


def _square(col: int, row: int, size: float = 0.03) -> str:
    """A schematic square near 吉林市 as a GeoJSON Polygon."""
    x0, y0 = round(126.2 + col * size, 4), round(43.95 - row * size, 4)
    x1, y1 = round(x0 + size, 4), round(y0 - size, 4)
    return json.dumps({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})


def _unit_rows(plan: _Plan) -> Iterator[tuple]:
    for k, (code, name, kind) in enumerate(DISTRICT_UNITS, start=1):
        yield (k, code, name, kind.value, None)
    townships = plan.townships
    for t in range(len(townships)):
        committee = "党工委" if townships.kinds[t] is E.TownshipKind.SUBDISTRICT else "党委"
        yield (townships.party_unit_id(t), f"TP-{townships.codes[t]}", f"{townships.names[t]}{committee}",
               E.UnitKind.TOWNSHIP_PARTY.value, t + 1)


def _enterprise_rows(rng: random.Random, plan: _Plan, days: _Days) -> Iterator[tuple]:
    townships = plan.townships
    for i in range(plan.n):
        eid, members, township = i + 1, plan.members[i], plan.township[i]
        rural = townships.kinds[township] is not E.TownshipKind.SUBDISTRICT
        ownership = OWNERSHIPS[bisect.bisect_left(_OWNERSHIP_CUM, rng.random())]
        village = rural and rng.random() < 0.1
        plan.village[i] = village  # for the leads (拓宽领域), written later
        yield (
            eid, _uscc(eid), enterprise_name(eid), township + 1,
            village, ownership, rng.choice(INDUSTRIES), plan.employees[i], members,
            days[plan.registered[i]], days[plan.closed[i]], BARRIERS[plan.barrier[i]], _person(rng),
            members > 0 and rng.random() < 0.3, *_base_flags(eid, ownership),
        )


def _uscc_maker(division: str):
    """``make_uscc(division=division, serial=…)`` for many serials: the check sums with the fixed prefix's
    part summed once and the digits' weights looked up (tests check it against ``make_uscc``)."""
    from models.rules import _ORG_WEIGHTS, _USCC_WEIGHTS, USCC_CHARSET

    prefix = "91" + division
    base = sum(USCC_CHARSET.index(c) * w for c, w in zip(prefix, _USCC_WEIGHTS, strict=False))
    org_w, uscc_w = _ORG_WEIGHTS, _USCC_WEIGHTS[len(prefix):len(prefix) + 8]
    org_char = {10: "X", 11: "0"}
    check_w = _USCC_WEIGHTS[len(prefix) + 8]

    def uscc(serial: int) -> str:
        if not 0 <= serial < 10**8:
            return make_uscc(division=division, serial=serial)  # its error
        body = f"{serial:08d}"
        digits = [ord(c) - 48 for c in body]
        value = 11 - sum(d * w for d, w in zip(digits, org_w)) % 11
        check = org_char.get(value) or str(value)
        total = base + sum(d * w for d, w in zip(digits, uscc_w)) + USCC_CHARSET.index(check) * check_w
        return prefix + body + check + USCC_CHARSET[(31 - total % 31) % 31]

    return uscc


_uscc = _uscc_maker(facts.DIVISION_CODE)


def _base_flags(eid: int, ownership: str) -> tuple[bool, bool]:
    """三有 flags (fixed premises, trading) from the id alone — no draw from the stream, so every other
    column stays what it was: about a third of 个体 and 4 % of the others without fixed premises, 5 %
    not trading (the demo's proportions)."""
    a, b = (eid * 2654435761) % 1000, (eid * 40503 + 17) % 1000
    return a >= (350 if ownership == E.Ownership.INDIVIDUAL.value else 40), b >= 50


def _union_rows(rng: random.Random, plan: _Plan, days: _Days) -> Iterator[tuple]:
    townships, uid = plan.townships, 0
    federation_of: dict[int, tuple[int, int]] = {}
    for k, (township, founded) in enumerate(plan.federations, start=1):
        federation_of.setdefault(township, (k, founded))
        uid += 1
        yield (uid, f"{townships.names[township]}私营企业工会联合会", E.UnionKind.FEDERATION.value, township + 1, None, None,
               days[founded], None, _person(rng), False, False)
    seq: dict[int, int] = {}
    for owner in plan.union_owner:
        uid += 1
        if owner > 0:
            i = owner - 1
            township, founded, closed = plan.township[i], plan.union_from[i], plan.closed[i]
            name, kind, enterprise_id = f"{enterprise_name(owner)}工会委员会", E.UnionKind.ENTERPRISE.value, owner
            congress = rng.random() < (0.7 if plan.employees[i] >= 100 else 0.15)
            one_person = bool(plan.party_from[i]) and rng.random() < 0.3
        else:
            township, founded = plan.joint_groups[-owner - 1]
            closed, enterprise_id, kind = 0, None, E.UnionKind.JOINT.value
            seq[township] = seq.get(township, 0) + 1
            name, congress, one_person = f"{townships.names[township]}第{seq[township]}联合工会", rng.random() < 0.3, False
        federation = federation_of.get(township)
        federation_id = federation[0] if federation and federation[1] <= founded and rng.random() < 0.4 else None
        yield (uid, name, kind, township + 1, enterprise_id, federation_id, days[founded], days[closed],
               _person(rng), congress, one_person)


def _union_coverage_rows(plan: _Plan, days: _Days) -> Iterator[tuple]:
    cid = 0
    for i in range(plan.n):
        if plan.union_id[i]:
            cid += 1
            yield (cid, plan.union_id[i], i + 1, days[plan.union_from[i]], days[plan.closed[i]])


def _membership_rows(rng: random.Random, plan: _Plan, days: _Days) -> Iterator[tuple]:
    """First change on the coverage start (most employees join); maybe a second one later."""
    mid = 0
    for i in range(plan.n):
        changes = plan.changes[i]
        if not changes:
            continue
        union, start, employees = plan.union_id[i], plan.union_from[i], plan.employees[i]
        joined = max(1, min(employees, round(employees * rng.uniform(0.55, 1.0))))
        mid += 1
        yield (mid, union, i + 1, days[start], joined, 0)
        if changes == 2:
            later = start + rng.randint(1, plan.last_day(i) - start)
            more = rng.randint(0, employees - joined)
            mid += 1
            yield (mid, union, i + 1, days[later], more, rng.randint(0, min(joined, 3)))


def _party_org_rows(rng: random.Random, plan: _Plan, days: _Days) -> Iterator[tuple]:
    pid = 0
    for i in range(plan.n):
        if plan.party_from[i]:
            pid += 1
            level = expected_party_org_level(plan.members[i])
            yield (pid, f"{enterprise_name(i + 1)}{_PARTY_ORG_SUFFIX[level]}", level.value, plan.township[i] + 1, i + 1,
                   days[plan.party_from[i]], days[plan.closed[i]], _person(rng))


def _party_coverage_rows(plan: _Plan, days: _Days) -> Iterator[tuple]:
    pid = 0
    for i in range(plan.n):
        if plan.party_from[i]:
            pid += 1
            yield (pid, pid, i + 1, days[plan.party_from[i]], days[plan.closed[i]])


def _liaison_rows(rng: random.Random, plan: _Plan, days: _Days) -> Iterator[tuple]:
    """Own member where the enterprise has one, else dispatched by the township committee."""
    lid = 0
    for i in range(plan.n):
        if plan.liaison_from[i]:
            lid += 1
            own = plan.members[i] > 0
            kind = E.LiaisonKind.OWN.value if own else E.LiaisonKind.DISPATCHED.value
            unit = None if own else plan.townships.party_unit_id(plan.township[i])
            yield (lid, i + 1, _person(rng), kind, unit, days[plan.liaison_from[i]], days[plan.closed[i]])


def _lead_rows(rng: random.Random, plan: _Plan, leads: _Leads, days: _Days) -> Iterator[tuple]:
    townships, stages, n_stages = plan.townships, leads.stage, len(leads.stage)
    for k in range(len(leads)):
        eid, township = leads.enterprise[k], leads.township[k]
        last = (leads.first[k + 1] if k + 1 < len(leads) else n_stages) - 1
        yield (
            k + 1, eid or None, enterprise_name(eid) if eid else project_name(k + 1), township + 1,
            _LEAD_SOURCES[leads.source[k]].value, _LEAD_STAGES[stages[last]].value, days[leads.identified[k]],
            days[leads.deadline[k]], days[leads.closed[k]], townships.party_unit_id(township),
            None if eid else "尚未注册", _person(rng), DROP_REASONS[leads.reason[k]], days[leads.start[last]],
            leads.union_id[k] or None,
            # days_to_union (models.rules.days_to_union): day numbers are ordinals
            leads.start[last] - leads.identified[k] if _LEAD_STAGES[stages[last]] is E.LeadStage.FOUNDED else None,
        )


def _lead_stage_rows(leads: _Leads, days: _Days, stamps: _Stamps) -> Iterator[tuple]:
    """The periods of each lead, each ending when the next one starts; the last one open."""
    stage_values = [s.value for s in _LEAD_STAGES]
    first, stages, starts = leads.first, leads.stage, leads.start
    for k in range(len(leads)):
        stop = first[k + 1] if k + 1 < len(leads) else len(stages)
        for j in range(first[k], stop):
            end = starts[j + 1] if j + 1 < stop else 0
            yield (j + 1, k + 1, stage_values[stages[j]], days[starts[j]], days[end], "seed", stamps[starts[j]])


def _dataset_rows(n: int, seed: int, today: dt.date) -> list[tuple]:
    """What identifies the data: (n, seed, today) regenerate it exactly."""
    return [
        ("dataset", "scale"),
        ("scale_n", str(n)),
        ("seed", str(seed)),
        ("district_name", DISTRICT_NAME),
        ("scale_today", today.isoformat()),
    ]


def _write_all(loader: _Loader, rng: random.Random, plan: _Plan, seed: int) -> None:
    days = loader.days
    T = {t.name: t for t in TABLES}
    townships = len(plan.townships)
    loader.write(T["township"], ("id", "code", "name", "kind", "sort_order", "boundary_geojson",
                                 "boundary_is_schematic"), _township_rows(plan), townships)
    loader.write(T["unit"], ("id", "code", "name", "kind", "township_id"), _unit_rows(plan),
                 len(DISTRICT_UNITS) + townships)
    loader.write(T["enterprise"], ("id", "uscc", "name", "township_id", "is_village", "ownership", "industry",
                                   "employees", "party_members", "registered_on", "closed_on", "barrier",
                                   "legal_rep", "owner_is_party_member", "fixed_premises", "trading"),
                 _enterprise_rows(rng, plan, days), plan.n)
    loader.write(T["union_org"], ("id", "name", "kind", "township_id", "enterprise_id", "federation_id",
                                  "founded_on", "dissolved_on", "chair_name", "has_workers_congress",
                                  "chair_is_party_secretary"),
                 _union_rows(rng, plan, days), len(plan.federations) + len(plan.union_owner))
    covered = plan.count(plan.union_id)
    loader.write(T["union_coverage"], ("id", "union_id", "enterprise_id", "start_on", "end_on"),
                 _union_coverage_rows(plan, days), covered)
    loader.write(T["membership_change"], ("id", "union_id", "enterprise_id", "changed_on", "joined", "left_count"),
                 _membership_rows(rng, plan, days), sum(plan.changes))
    party_orgs = plan.count(plan.party_from)
    loader.write(T["party_org"], ("id", "name", "level", "township_id", "enterprise_id", "founded_on",
                                  "dissolved_on", "secretary_name"), _party_org_rows(rng, plan, days), party_orgs)
    loader.write(T["party_coverage"], ("id", "party_org_id", "enterprise_id", "start_on", "end_on"),
                 _party_coverage_rows(plan, days), party_orgs)
    loader.write(T["liaison_officer"], ("id", "enterprise_id", "name", "kind", "dispatched_by_unit_id",
                                        "appointed_on", "ended_on"),
                 _liaison_rows(rng, plan, days), plan.count(plan.liaison_from))
    _write_meetings(loader, _plan_meetings(rng, plan))
    lead_rng = random.Random(f"{seed}:founding_lead")  # its own stream: the rows above do not depend on it
    leads = _plan_leads(lead_rng, plan)
    loader.write(T["founding_lead"], ("id", "enterprise_id", "enterprise_name", "township_id", "source", "stage",
                                      "identified_on", "notice_deadline", "closed_on", "owner_unit_id", "note",
                                      "owner_name", "drop_reason", "stage_on", "union_id", "days_to_union"),
                 _lead_rows(lead_rng, plan, leads, days), len(leads))
    loader.write(T["founding_lead_stage"], ("id", "lead_id", "stage", "start_on", "end_on", "username", "at"),
                 _lead_stage_rows(leads, days, loader.stamps), len(leads.stage))
    from seed_data import awards  # 双爱双评: rounds, quotas, nominations — a random stream of their own

    rounds, quotas, nominations = awards.scale_rows(seed, plan, days)
    loader.write(T["award_round"], awards.ROUND_COLUMNS, rounds, len(rounds))
    loader.write(T["award_quota"], awards.QUOTA_COLUMNS, quotas, len(quotas))
    loader.write(T["double_love_award"], awards.NOMINATION_COLUMNS, nominations, len(nominations))
    from seed_data import development  # 荐优纳新推评制: its own random stream (seed_data.development)

    people, admissions = development.scale_rows(seed, plan, days)
    loader.write(T["activist_recommendation"], development.SCALE_COLUMNS, people, len(people))
    loader.write(T["party_admission"], development.ADMISSION_COLUMNS, admissions, len(admissions))
    rows = _dataset_rows(plan.n, seed, dt.date.fromordinal(plan.today))
    loader.write(T["dataset_info"], ("key", "value"), rows, len(rows))


def _write_meetings(loader: _Loader, m: _Meetings) -> None:
    d = loader.days
    T = {t.name: t for t in TABLES}
    loader.write(T["joint_meeting"], ("id", "level", "held_on", "enterprise_id", "township_id", "title", "agenda"),
                 ((k, level, d[held], *rest) for k, (level, held, *rest) in enumerate(m.meetings, 1)),
                 len(m.meetings))
    loader.write(T["meeting_attendee"], ("id", "meeting_id", "unit_id", "name"),
                 ((k, *row) for k, row in enumerate(m.attendees, 1)), len(m.attendees))
    loader.write(T["decision"], ("id", "meeting_id", "text"),
                 ((k, *row) for k, row in enumerate(m.decisions, 1)), len(m.decisions))
    loader.write(T["action_item"], ("id", "decision_id", "description", "owner_unit_id", "township_id",
                                    "created_on", "due_on", "status", "done_on"),
                 ((k, dec, text, owner, township, d[created], d[due], status, d[done])
                  for k, (dec, text, owner, township, created, due, status, done) in enumerate(m.actions, 1)),
                 len(m.actions))


# --------------------------------------------------------------------------- database helpers


def _ensure_empty(conn: Connection) -> None:
    for table in TABLES:
        rows = sa.select(sa.literal(1)).select_from(table)
        if table.name == "dataset_info":  # the migrations' own bookkeeping rows are not data (0006, 0009)
            rows = rows.where(table.c.key.not_in(("data_version", "ledger_version")))
        if conn.execute(rows.limit(1)).first() is not None:
            raise ScaleError(
                f"数据库中已有数据（{table.name} 表非空），请使用空数据库 / "
                f"the database is not empty ({table.name} has rows): use an empty database"
            )


def _reset_sequences(conn: Connection) -> None:
    """After explicit ids on PostgreSQL, move each serial sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        if "id" in table.c:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
            )


@contextlib.contextmanager
def _bulk_load_settings(conn: Connection) -> Iterator[None]:
    """SQLite: a big page cache for the load (index inserts), restored afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size=-524288")  # 512 MiB
    conn.commit()
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")
        conn.commit()


def _check_arguments(n: int, batch_size: int) -> None:
    if not 1 <= n <= MAX_ENTERPRISES:
        raise ScaleError(f"企业数量应在 1 到 {MAX_ENTERPRISES} 之间 / n must be between 1 and {MAX_ENTERPRISES}")
    if batch_size < 1:
        raise ScaleError("batch_size 至少为 1 / batch_size must be at least 1")


# --------------------------------------------------------------------------- public API


def generate_scale(
    engine: Engine,
    n: int,
    *,
    seed: int = 7,
    batch_size: int = 50_000,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write ``n`` synthetic enterprises (and their unions, Party organisations, liaison
    officers, joint meetings, founding leads and their stages …) into an empty, migrated database;
    return rows written per table.

    Deterministic for a given ``(n, seed, today)``; ``today`` defaults to the current date.
    Raises ``ScaleError`` when the database already holds data. One transaction: on any error
    nothing is written.
    """
    _check_arguments(n, batch_size)
    today = today or dt.date.today()
    if today <= FIRST_DAY:
        raise ScaleError(f"today 应晚于 {FIRST_DAY} / today must be after {FIRST_DAY}")
    report = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    with engine.connect() as conn, _bulk_load_settings(conn), conn.begin():
        _ensure_empty(conn)
        plan = _plan(rng, n, today, report, batch_size)
        # PostgreSQL: each table's indexes (but its keys) made again once its rows are in, the foreign keys at the end
        with bulk.indexes_deferred(conn, TABLES, lambda done, total: report("indexes", done, total)) as deferred:
            loader = _Loader(conn, batch_size, report, deferred)
            loader.run(lambda: _write_all(loader, rng, plan, seed))
        _reset_sequences(conn)
    return loader.counts
