"""The demo district's 双爱双评 rounds (issue 16 item 2): one round a year from 2003, the year the
district's 实施办法 was issued (##委办发〔2003〕15号, 1 April 2003), to the round of the demo's date.

Each round: opened 1 September; the townships nominate until 31 October within their quotas (per
category, from the number of unionised operating enterprises they have on the opening day: one
热爱企业的优秀职工 per 25 of them, one to eight; half as many 热爱职工的优秀经营者, at least one); the
federation's staff evaluate until 30 November (about 85 in 100 pass); the awards are published in the
first ten days of December. The staff close the nominations the day after their deadline
(``closed_on``); each evaluated nomination keeps its evaluation's day (``evaluated_on``) and remark
(``remark``, apart from its 主要事迹 ``note``) when the awards are published. A township fills its quota three times in four, else leaves one place;
about one nomination in 25 is withdrawn. The round of the demo's year stands where the demo's date
puts it (nominating, evaluating, or published). The four model enterprises are six times as likely to
be drawn, so their case studies show awards.

A random stream of its own (``random.Random(f"{seed}:double_love_award")``), run last: every other
demo table is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from models.enums import AwardCategory, AwardRoundStatus, NominationStage

D = dt.date
FIRST_YEAR = 2003
OPENED, NOMINATE_BY, EVALUATE_BY = (9, 1), (10, 31), (11, 30)
#: unionised operating enterprises per 热爱企业的优秀职工 place, and the bounds of a township's quota
PER_WORKER_PLACE, MAX_WORKERS = 25, 8
PASS_RATE, FILL_RATE, WITHDRAW_RATE = 0.85, 0.75, 0.04
MODEL_WEIGHT = 6
NOTES = ("爱岗敬业，技术革新成效显著", "带头参加劳动竞赛，成绩突出", "关心职工生活，按时足额发放工资",
         "支持工会依法履职，坚持职代会制度", "积极参加合理化建议活动", "为企业节支降耗作出贡献",
         "坚持厂务公开，劳动关系和谐", "培训带徒，传授技能")
#: the evaluation's remarks (picked by the nomination's day: no draw of their own, so the stream is unchanged)
REMARKS_PASSED = ("事迹突出，同意表彰", "群众公认，示范作用明显", "材料翔实，符合评选条件")
REMARKS_REJECTED = ("事迹材料不够具体", "与评选条件不完全相符", "同类人选中综合排名靠后")


def schedule(year: int) -> tuple[D, D, D]:
    """The round's opening day, the end of nominations and the end of the evaluation."""
    return D(year, *OPENED), D(year, *NOMINATE_BY), D(year, *EVALUATE_BY)


def closed_on(year: int) -> D:
    """The day the staff close the round's nominations: the day after their deadline."""
    return schedule(year)[1] + dt.timedelta(days=1)


def remark(stage: str, nominated_on: D) -> str | None:
    """The evaluation's remark of an evaluated nomination (None before its evaluation)."""
    if stage in (NominationStage.PASSED.value, NominationStage.AWARDED.value):
        return REMARKS_PASSED[nominated_on.toordinal() % len(REMARKS_PASSED)]
    if stage == NominationStage.REJECTED.value:
        return REMARKS_REJECTED[nominated_on.toordinal() % len(REMARKS_REJECTED)]
    return None


def quotas(unionised: int) -> dict[str, int]:
    """A township's places for a round, from its unionised operating enterprises on the opening day."""
    if unionised == 0:
        return {AwardCategory.WORKER.value: 0, AwardCategory.MANAGER.value: 0}
    workers = max(1, min(MAX_WORKERS, round(unionised / PER_WORKER_PLACE)))
    return {AwardCategory.WORKER.value: workers, AwardCategory.MANAGER.value: max(1, workers // 2)}


def _day(r: random.Random, a: D, b: D) -> D:
    return a + dt.timedelta(days=r.randint(0, max(0, (b - a).days)))


def _sample(r: random.Random, pool: list, weights: list[int], k: int) -> list:
    """``k`` different items, each drawn with its weight."""
    pool, weights, out = list(pool), list(weights), []
    for _ in range(min(k, len(pool))):
        i = r.choices(range(len(pool)), weights=weights)[0]
        out.append(pool.pop(i))
        weights.pop(i)
    return out


def generate(builder: Any) -> None:
    """Add the rounds, quotas and nominations to the builder's rows (``seed_data.demo._Builder``)."""
    from seed_data import facts
    from seed_data.demo import GIVEN, SURNAMES

    r = random.Random(f"{builder.seed}:double_love_award")
    today, data = builder.today, builder.data
    people: set[str] = builder._people  # names the demo has used: awards go to new people

    def person() -> str:
        for _ in range(1000):
            n = r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))
            if n not in people:
                people.add(n)
                return n
        return n  # pragma: no cover

    models = {builder.by_name[n].id for n in facts.MODEL_ENTERPRISES}
    towns = sorted(builder.township_ids.items(), key=lambda kv: kv[1])
    for year in range(FIRST_YEAR, today.year + 1):
        opened, nominate_by, evaluate_by = schedule(year)
        if today < opened:
            break
        awarded_on = D(year, 12, 1) + dt.timedelta(days=r.randint(0, 9))
        status = (AwardRoundStatus.AWARDED if today >= awarded_on else
                  AwardRoundStatus.EVALUATING if today > nominate_by else AwardRoundStatus.NOMINATING)
        rid = data.add("award_round", year=year, title=f"{year}年度“双爱双评”", opened_on=opened,
                       nominate_by=nominate_by, evaluate_by=evaluate_by,
                       closed_on=closed_on(year) if status is not AwardRoundStatus.NOMINATING else None,
                       awarded_on=awarded_on if status is AwardRoundStatus.AWARDED else None, status=status.value)
        for code, tid in towns:
            pool = [e for e in builder.ents if e.township == code and e.union_on and e.union_on < opened
                    and (e.closed_on is None or e.closed_on > evaluate_by)]
            places = quotas(len(pool))
            for category in (AwardCategory.WORKER, AwardCategory.MANAGER):
                quota = places[category.value]
                data.add("award_quota", round_id=rid, township_id=tid, category=category.value, quota=quota)
                n = quota if r.random() < FILL_RATE else max(0, quota - 1)
                for ent in _sample(r, pool, [MODEL_WEIGHT if e.id in models else 1 for e in pool], n):
                    _nominate(r, data, rid, year, tid, ent.id, category, person(), today, status, awarded_on)


def _nominate(r: random.Random, data: Any, rid: int, year: int, tid: int, eid: int, category: AwardCategory,
              name: str, today: D, status: AwardRoundStatus, awarded_on: D) -> None:
    row = _draw(r, year, today, status, awarded_on)
    if row is None:
        return  # not yet nominated on the demo's date
    stage, nominated_on, stage_on, evaluated_on, note = row
    data.add("double_love_award", enterprise_id=eid, year=year, category=category.value, person_name=name,
             round_id=rid, township_id=tid, stage=stage, nominated_on=nominated_on, stage_on=stage_on,
             evaluated_on=evaluated_on, note=note, remark=remark(stage, nominated_on))


# --------------------------------------------------------------------------- the scale generator

ROUND_COLUMNS = ("id", "year", "title", "opened_on", "nominate_by", "evaluate_by", "closed_on", "awarded_on", "status")
QUOTA_COLUMNS = ("id", "round_id", "township_id", "category", "quota")
NOMINATION_COLUMNS = ("id", "enterprise_id", "year", "category", "person_name", "round_id", "township_id", "stage",
                      "nominated_on", "stage_on", "evaluated_on", "note", "remark")


def scale_rows(seed: int, plan: Any, days: Any) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The rounds, quotas and nominations of a scale database (``seed_data.scale``: ``plan`` holds one
    slot per enterprise, dates as day ordinals; ``days`` turns an ordinal into the driver's value),
    drawn the demo's way from a stream of their own (``random.Random(f"{seed}:double_love_award")``):
    a township's places from its unionised enterprises (one worker per 25, one to eight; half as many
    managers), three townships in four fill them, the winners drawn among its enterprises unionised
    on the opening day and still operating after the evaluation. At 1M enterprises (400 townships):
    about 24 rounds × 4,600 nominations."""
    from seed_data.scale import _person

    r = random.Random(f"{seed}:double_love_award")
    today = D.fromordinal(plan.today)
    by_town: dict[int, list[int]] = {}
    for i in range(plan.n):
        if plan.union_from[i]:
            by_town.setdefault(plan.township[i], []).append(i)
    rounds, quota_rows, noms = [], [], []
    for year in range(FIRST_YEAR, today.year + 1):
        opened, nominate_by, evaluate_by = schedule(year)
        if today < opened:
            break
        awarded_on = D(year, 12, 1) + dt.timedelta(days=r.randint(0, 9))
        status = (AwardRoundStatus.AWARDED if today >= awarded_on else
                  AwardRoundStatus.EVALUATING if today > nominate_by else AwardRoundStatus.NOMINATING)
        rid = len(rounds) + 1
        rounds.append((rid, year, f"{year}年度“双爱双评”", days[opened.toordinal()], days[nominate_by.toordinal()],
                       days[evaluate_by.toordinal()],
                       days[closed_on(year).toordinal()] if status is not AwardRoundStatus.NOMINATING else None,
                       days[awarded_on.toordinal()] if status is AwardRoundStatus.AWARDED else None, status.value))
        o, e = opened.toordinal(), evaluate_by.toordinal()
        for town in range(len(plan.townships)):
            pool = by_town.get(town, [])
            places = quotas(len(pool) // 2)  # about half of them unionised by the middle years
            for category in (AwardCategory.WORKER, AwardCategory.MANAGER):
                quota = places[category.value]
                quota_rows.append((len(quota_rows) + 1, rid, town + 1, category.value, quota))
                n = quota if r.random() < FILL_RATE else max(0, quota - 1)
                chosen: set[int] = set()
                for _ in range(n * 4):  # draw among the township's enterprises; skip those not eligible then
                    if len(chosen) == n or not pool:
                        break
                    i = pool[r.randrange(len(pool))]
                    if i in chosen or not (plan.union_from[i] < o and (not plan.closed[i] or plan.closed[i] > e)):
                        continue
                    chosen.add(i)
                    row = _draw(r, year, today, status, awarded_on)
                    if row is not None:
                        stage, nominated_on, stage_on, evaluated_on, note = row
                        noms.append((len(noms) + 1, i + 1, year, category.value, _person(r), rid, town + 1, stage,
                                     days[nominated_on.toordinal()], days[stage_on.toordinal()],
                                     days[evaluated_on.toordinal()] if evaluated_on else None, note,
                                     remark(stage, nominated_on)))
    return rounds, quota_rows, noms


def _draw(r: random.Random, year: int, today: D, status: AwardRoundStatus, awarded_on: D
          ) -> tuple[str, D, D, D | None, str] | None:
    """(stage, nominated_on, stage_on, evaluated_on, note) of one nomination of a round in ``status``
    on ``today`` (None: not nominated yet on that day): nominated in its nominations' time, evaluated
    in the evaluation's (after the round was closed), awarded on the publication day when it passed
    (its evaluation's day kept), or withdrawn before the deadline."""
    opened, nominate_by, evaluate_by = schedule(year)
    nominated_on = _day(r, opened + dt.timedelta(days=4), nominate_by)
    withdrawn, passed = r.random() < WITHDRAW_RATE, r.random() < PASS_RATE
    stage_on = _day(r, nominated_on, nominate_by) if withdrawn else _day(r, nominate_by + dt.timedelta(days=1),
                                                                           evaluate_by)
    note = r.choice(NOTES)
    if nominated_on > today:
        return None
    if withdrawn:
        stage = NominationStage.WITHDRAWN if stage_on <= today else NominationStage.NOMINATED
    elif status is AwardRoundStatus.AWARDED:
        stage = NominationStage.AWARDED if passed else NominationStage.REJECTED
    elif stage_on <= today:
        stage = NominationStage.PASSED if passed else NominationStage.REJECTED
    else:
        stage = NominationStage.NOMINATED
    if stage in (NominationStage.NOMINATED, NominationStage.WITHDRAWN):
        return stage.value, nominated_on, nominated_on if stage is NominationStage.NOMINATED else stage_on, None, note
    evaluated_on = stage_on
    return (stage.value, nominated_on, awarded_on if stage is NominationStage.AWARDED else evaluated_on, evaluated_on,
            note)
