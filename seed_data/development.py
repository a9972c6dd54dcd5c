"""The demo district's 荐优纳新推评制 (issue 16 item 1): from 2002 on, the unions recommend outstanding
workers to the Party organisation, each person's path stage by stage, and the new Party members of
each enterprise per year (``party_admission``), the denominator of the share that came through a union.

Each unionised enterprise recommends a few workers a year (more where it has a Party organisation of
its own; the joint or township Party organisation develops the others). A recommended worker becomes
an activist after one to five months (some wait much longer — stuck), a development candidate after
the activist's year of training (a few after more than two years), is evaluated by the worker
representatives in the weeks after (fewer in the first years of the mechanism; 1 in 20 not passed,
who then leave the path), is admitted a probationary member a few months later and a full member
after the year of probation (a few with an extended probation). About one in eight leaves the path
(退出) at some stage; everyone still on it leaves when the enterprise closes. The new Party members of
each enterprise with a Party organisation or a union admission are recorded for every year up to the
last full one: the union's admissions plus those the Party organisation found itself.

A random stream of its own (``random.Random(f"{seed}:activist_recommendation")``): every other demo
table is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from models.enums import ActivistStage, EvaluationResult

D = dt.date
FIRST_DAY = D(2002, 1, 1)
WITHDRAW_REASONS = ("本人申请退出", "调离企业", "考察期间表现不符合要求", "职工代表评议未通过", "企业关闭")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏辉建国志春梅海波宏亮晓东立新文博雪松振德胜淑珍凤俊峰"


def _name(r: random.Random) -> str:
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))


def _days(r: random.Random, a: int, b: int) -> dt.timedelta:
    return dt.timedelta(days=r.randint(a, b))


def path(r: random.Random, rec: D, end: D, today: D) -> dict[str, Any]:
    """One person's dates from the recommendation on ``rec``: every step that falls before ``end``
    (the enterprise's closing day, or after today) happens; the rest has not happened yet."""
    row: dict[str, Any] = {"recommended_on": rec}
    stop = min(end, today + dt.timedelta(days=1))

    def withdraw(day: D, reason: str) -> dict[str, Any]:
        if day < stop:
            row.update(withdrawn_on=day, withdrawn_reason=reason)
        elif end <= today:  # the enterprise closed first
            row.update(withdrawn_on=end, withdrawn_reason=WITHDRAW_REASONS[4])
        return row

    def closed_before(day: D) -> bool:
        return day >= stop

    # 工会推荐 → 入党积极分子
    if r.random() < 0.10:
        return withdraw(rec + _days(r, 60, 400), r.choice(WITHDRAW_REASONS[:2]))
    day = rec + (_days(r, 200, 420) if r.random() < 0.07 else _days(r, 30, 150))
    if closed_before(day):
        return withdraw(day, "")
    row["activist_on"] = day
    # 入党积极分子 → 发展对象 (at least the year of training)
    if r.random() < 0.07:
        return withdraw(day + _days(r, 90, 600), r.choice(WITHDRAW_REASONS[:3]))
    day = day + (_days(r, 760, 1100) if r.random() < 0.06 else _days(r, 366, 700))
    if closed_before(day):
        return withdraw(day, "")
    row["candidate_on"] = candidate = day
    # 职工代表评议 (fewer in the first years of the mechanism)
    if r.random() < (0.62 if candidate.year < 2006 else 0.9):
        evaluated = candidate + _days(r, 7, 50)
        if not closed_before(evaluated):
            passed = r.random() >= 0.05
            row.update(evaluated_on=evaluated,
                       evaluation=(EvaluationResult.PASSED if passed else EvaluationResult.FAILED).value)
            if not passed:
                return withdraw(evaluated + _days(r, 10, 60), WITHDRAW_REASONS[3])
    # 发展对象 → 预备党员
    day = candidate + (_days(r, 400, 600) if r.random() < 0.05 else _days(r, 60, 200))
    if row.get("evaluated_on") and day <= row["evaluated_on"]:
        day = row["evaluated_on"] + _days(r, 5, 30)
    if closed_before(day):
        return withdraw(day, "")
    row["probationary_on"] = day
    # 预备党员 → 正式党员 (the year of probation; a few extended)
    day = day + (_days(r, 450, 560) if r.random() < 0.04 else _days(r, 365, 385))
    if day > today:  # a probationary member stays one when the enterprise closes (the membership moves)
        return row
    row["member_on"] = day
    return row


def stage_of(row: dict[str, Any]) -> tuple[ActivistStage, D]:
    """The latest stage of a path and its date."""
    for stage, column in ((ActivistStage.WITHDRAWN, "withdrawn_on"), (ActivistStage.MEMBER, "member_on"),
                          (ActivistStage.PROBATIONARY, "probationary_on"), (ActivistStage.CANDIDATE, "candidate_on"),
                          (ActivistStage.ACTIVIST, "activist_on")):
        if row.get(column) is not None:
            return stage, row[column]
    return ActivistStage.RECOMMENDED, row["recommended_on"]


def generate(builder: Any) -> None:
    """The recommendations and yearly admissions of the demo (``builder``: ``seed_data.demo._Builder``;
    reads its enterprises, writes through its ``data.add``)."""
    r = random.Random(f"{builder.seed}:activist_recommendation")
    today: D = builder.today
    admitted: dict[tuple[int, int], int] = {}
    for ent in builder.ents:
        if ent.union_on is None:
            continue
        start = max(ent.union_on, FIRST_DAY)
        end = ent.closed_on or (today + dt.timedelta(days=1))
        if start >= end:
            continue
        union_id = ent.own_union or ent.joint_union
        rate = 0.55 if ent.party_on else 0.12  # recommendations a year
        for year in range(start.year, min(end, today).year + 1):
            first, last = max(start, D(year, 1, 1)), min(end - dt.timedelta(days=1), today, D(year, 12, 31))
            if first > last:
                continue
            n = sum(r.random() < rate / 3 for _ in range(3))
            for _ in range(n):
                rec = first + dt.timedelta(days=r.randint(0, (last - first).days))
                row = path(r, rec, ent.closed_on or D(9999, 12, 31), today)
                stage, on = stage_of(row)
                builder.data.add("activist_recommendation", enterprise_id=ent.id, person_name=_name(r),
                                 union_id=union_id, stage=stage.value, stage_on=on,
                                 **{k: row.get(k) for k in ("recommended_on", "activist_on", "candidate_on",
                                                            "evaluated_on", "evaluation", "probationary_on",
                                                            "member_on", "withdrawn_on", "withdrawn_reason")})
                if row.get("probationary_on"):
                    key = (ent.id, row["probationary_on"].year)
                    admitted[key] = admitted.get(key, 0) + 1
    # the new Party members per enterprise and year, up to the last full year: the union's and the rest
    for ent in builder.ents:
        if ent.party_on is None and not any(k[0] == ent.id for k in admitted):
            continue
        first = max((ent.party_on or ent.union_on or FIRST_DAY), FIRST_DAY).year
        last = min((ent.closed_on or today).year, today.year - 1)
        for year in range(first, last + 1):
            via = admitted.get((ent.id, year), 0)
            own = 0 if ent.party_on is None or ent.party_on.year > year else r.choice((0, 0, 0, 1, 1, 2))
            if via + own or r.random() < 0.5:  # a year without admissions is often recorded as 0
                builder.data.add("party_admission", enterprise_id=ent.id, year=year, admitted=via + own)


# --------------------------------------------------------------------------- the scale generator's rows

#: people per unionised enterprise at scale (the demo's yearly rates over its years would give millions:
#: the scale data keeps about one person per three unionised enterprises, mostly where there is a Party
#: organisation of the enterprise's own)
SCALE_PEOPLE_WITH_PARTY, SCALE_PEOPLE_WITHOUT = 1.2, 0.15

SCALE_COLUMNS = ("id", "enterprise_id", "person_name", "recommended_on", "stage", "stage_on", "union_id", "activist_on",
                 "candidate_on", "evaluated_on", "evaluation", "probationary_on", "member_on", "withdrawn_on",
                 "withdrawn_reason")
ADMISSION_COLUMNS = ("id", "enterprise_id", "year", "admitted")


def scale_rows(seed: int, plan: Any, days: Any) -> tuple[list[tuple], list[tuple]]:
    """The recommendations and the yearly admissions of the scale data (``seed_data.scale``'s plan:
    one slot per enterprise, dates as day ordinals; ``days`` turns an ordinal into the driver's value),
    people drawn as :func:`path` draws the demo's, from a random stream of their own."""
    r = random.Random(f"{seed}:activist_recommendation")
    today = D.fromordinal(plan.today)
    first_day = FIRST_DAY.toordinal()
    people: list[tuple] = []
    admitted: dict[tuple[int, int], int] = {}
    for i in range(plan.n):
        union, since = plan.union_id[i], plan.union_from[i]
        if not union:
            continue
        start, last = max(since, first_day), plan.last_day(i)
        if start > last:
            continue
        mean = SCALE_PEOPLE_WITH_PARTY if plan.party_from[i] else SCALE_PEOPLE_WITHOUT
        n = int(mean) + (r.random() < mean - int(mean))
        closed = D.fromordinal(plan.closed[i]) if plan.closed[i] else D(9999, 12, 31)
        for _ in range(n):
            rec = D.fromordinal(r.randint(start, last))
            row = path(r, rec, closed, today)
            stage, on = stage_of(row)
            day = lambda k, row=row: days[row[k].toordinal()] if row.get(k) else None
            people.append((len(people) + 1, i + 1, _name(r), days[rec.toordinal()], stage.value, days[on.toordinal()],
                           union, day("activist_on"), day("candidate_on"), day("evaluated_on"), row.get("evaluation"),
                           day("probationary_on"), day("member_on"), day("withdrawn_on"), row.get("withdrawn_reason")))
            if row.get("probationary_on"):
                key = (i + 1, row["probationary_on"].year)
                admitted[key] = admitted.get(key, 0) + 1
    admissions: list[tuple] = []
    for i in range(plan.n):
        if not plan.party_from[i]:
            continue
        first = max(D.fromordinal(plan.party_from[i]).year, FIRST_DAY.year)
        end = min(D.fromordinal(plan.last_day(i)).year, today.year - 1)
        for year in range(first, end + 1):
            n = admitted.get((i + 1, year), 0) + r.choice((0, 0, 0, 0, 1))
            if n:
                admissions.append((len(admissions) + 1, i + 1, year, n))
    return people, admissions
