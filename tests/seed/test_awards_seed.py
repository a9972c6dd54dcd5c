"""The demo's and the scale generator's 双爱双评 rounds (``seed_data.awards``): a random stream of their
own (every other demo table is the same without them), rounds from 2003 to the demo's date with the
round of its year where the date puts it, quotas kept, winners from unionised operating enterprises."""

from __future__ import annotations

import datetime as dt
import random
from array import array
from collections import Counter
from types import SimpleNamespace

import pytest

from seed_data import awards, demo
from tests.factories import DEMO_SEED, DEMO_TODAY

D = dt.date
AWARD_TABLES = ("award_round", "award_quota", "double_love_award")


def test_the_awards_change_no_other_demo_table(monkeypatch):
    with_awards = demo.build_demo(DEMO_SEED, DEMO_TODAY).rows
    monkeypatch.setattr(demo._Builder, "awards", lambda self: None)
    without = demo.build_demo(DEMO_SEED, DEMO_TODAY).rows
    assert {t: rows for t, rows in with_awards.items() if t not in AWARD_TABLES} == dict(without)
    assert all(with_awards[t] for t in AWARD_TABLES)


@pytest.mark.parametrize(("today", "status", "last_year"), [
    (D(2026, 8, 31), None, 2025),  # the 2026 round is not open yet
    (D(2026, 10, 1), "nominating", 2026),
    (D(2026, 11, 24), "evaluating", 2026),
    (D(2026, 12, 31), "awarded", 2026),
])
def test_the_round_of_the_demos_year_stands_where_its_date_puts_it(today, status, last_year):
    rows = demo.build_demo(DEMO_SEED, today).rows
    rounds = rows["award_round"]
    assert [r["year"] for r in rounds] == list(range(2003, last_year + 1))
    assert all(r["status"] == "awarded" and r["awarded_on"] <= today for r in rounds if r["year"] < 2026)
    if status is not None:
        assert rounds[-1]["status"] == status
    noms = rows["double_love_award"]
    assert all(n["nominated_on"] <= today and n["stage_on"] <= today for n in noms)
    stages = Counter(n["stage"] for n in noms if n["year"] == 2026)
    if status == "nominating":
        assert set(stages) <= {"nominated", "withdrawn"} and stages["nominated"] > 0
    if status == "awarded":
        assert stages["awarded"] > 0 and stages["nominated"] == stages["passed"] == 0
    used = Counter((n["round_id"], n["township_id"], n["category"]) for n in noms if n["stage"] != "withdrawn")
    places = {(q["round_id"], q["township_id"], q["category"]): q["quota"] for q in rows["award_quota"]}
    assert all(n <= places[key] for key, n in used.items())
    _dates_are_consistent(rounds, noms, today)


def _dates_are_consistent(rounds: list[dict], noms: list[dict], today: D) -> None:
    """Every round's days in order and fitting its year (``edits.awards.year_bounds``), its status from
    its days; every nomination's days in order, its evaluation's day kept when awarded (0023's checks
    and the edits' rules, so the demo could have been entered through the forms)."""
    from dashboard.edits.awards import year_bounds

    by_id = {r["id"]: r for r in rounds}
    for r in rounds:
        first, last = year_bounds(r["year"])
        assert first <= r["opened_on"] <= r["nominate_by"] <= r["evaluate_by"] <= last
        status = ("awarded" if r["awarded_on"] else "evaluating" if r["closed_on"] else "nominating")
        assert r["status"] == status
        assert r["closed_on"] is None or r["opened_on"] <= r["closed_on"] <= today
        assert r["awarded_on"] is None or r["closed_on"] <= r["awarded_on"] <= min(today, last)
    for n in noms:
        r = by_id[n["round_id"]]
        assert r["opened_on"] <= n["nominated_on"] <= n["stage_on"] <= today
        if n["stage"] in ("nominated", "withdrawn"):
            assert n["evaluated_on"] is None and n["remark"] is None
            assert n["stage"] == "nominated" or n["stage_on"] <= r["nominate_by"]
        else:
            assert r["closed_on"] <= n["evaluated_on"] <= n["stage_on"] and n["remark"] and n["note"]
            assert n["stage"] != "awarded" or (n["stage_on"] == r["awarded_on"] and n["evaluated_on"] < r["awarded_on"])


def _plan(n: int = 3000, towns: int = 4) -> SimpleNamespace:
    r = random.Random(1)
    first = D(1998, 1, 1).toordinal()
    union = array("i", (r.randint(first, D(2024, 1, 1).toordinal()) if r.random() < 0.6 else 0 for _ in range(n)))
    closed = array("i", (r.randint(first, D(2026, 1, 1).toordinal()) if r.random() < 0.1 else 0 for _ in range(n)))
    return SimpleNamespace(n=n, today=D(2026, 11, 24).toordinal(), townships=[None] * towns,
                           township=array("i", (r.randrange(towns) for _ in range(n))), union_from=union,
                           closed=closed)


class _Days(dict):
    """Day ordinal → date (``seed_data.scale._Days`` for a driver that takes dates)."""

    def __missing__(self, ordinal: int) -> D:
        return D.fromordinal(ordinal)


def test_the_scale_rounds_keep_their_quotas_and_pick_eligible_enterprises():
    plan = _plan()
    days = _Days({0: None})
    rounds, quotas, noms = awards.scale_rows(7, plan, days)
    assert [r[1] for r in rounds] == list(range(2003, 2027)) and rounds[-1][-1] == "evaluating"
    assert len(quotas) == 24 * 4 * 2 and noms
    places = {(q[1], q[2], q[3]): q[4] for q in quotas}
    used = Counter((m[5], m[6], m[3]) for m in noms if m[7] != "withdrawn")
    assert all(k <= places[key] for key, k in used.items())
    opened = {r[0]: D(r[1], 9, 1).toordinal() for r in rounds}
    for m in noms:
        i, rid = m[1] - 1, m[5]
        assert plan.township[i] + 1 == m[6]  # the nominating township is the enterprise's
        assert 0 < plan.union_from[i] < opened[rid]  # unionised before the round opened
        assert not plan.closed[i] or plan.closed[i] > D(m[2], 11, 30).toordinal()
    assert awards.scale_rows(7, plan, days) == (rounds, quotas, noms)  # the same seed, the same rows
    today = D.fromordinal(plan.today)
    _dates_are_consistent([dict(zip(awards.ROUND_COLUMNS, r, strict=True)) for r in rounds],
                          [dict(zip(awards.NOMINATION_COLUMNS, m, strict=True)) for m in noms], today)
