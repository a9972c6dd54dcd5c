"""Time series (``dashboard/queries/trends.py``): foundings and new members per quarter, coverage
rates at a series of dates — on a small hand-made district with the numbers written out below
(both the exact SQL and the summary tables), and the two paths against each other on the demo.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from dashboard.queries import coverage, trends
from dashboard.queries.scope import Scope
from models.enums import TownshipKind, UnionKind
from models.summary import rebuild_summaries
from tests.factories import world

D = dt.date
AS_OF = D(2025, 12, 31)
TODAY = D(2026, 11, 24)  # the demo's


@pytest.fixture
def made(any_engine):
    """Three enterprises registered long ago: a1 (A, 5 Party members), a2 (A), b1 (B, 1 member).

    Unions founded: a1's 2025-02-10 (Q1), a2's 2025-05-01 and b1's 2025-05-31 (Q2), a federation
    2025-08-01 (Q3, not counted), a joint union in B 2025-12-31 (Q4); and outside 2025 a joint union
    in A 2024-12-31 and one in B 2026-01-02. Members joined: a1 30 (02-10) and 5 (03-31, 2 left),
    a2 12 (05-01), b1 8 (06-15), a1 4 (11-11); outside 2025, a2 100 (2024-12-31), a1 50 (2026-01-05).
    a1 builds its branch on 2025-06-01; b1 gets a liaison officer on 2025-07-01.
    """
    with world(any_engine) as w:
        w.add_township("A", "甲镇", TownshipKind.TOWN)
        w.add_township("B", "乙街道", TownshipKind.SUBDISTRICT)
        w.add_enterprise("a1", "A", members=5, union=D(2025, 2, 10), party=D(2025, 6, 1))
        w.add_enterprise("a2", "A", union=D(2025, 5, 1))
        w.add_enterprise("b1", "B", members=1, union=D(2025, 5, 31))
        w.add_union("fed", township="A", kind=UnionKind.FEDERATION, founded=D(2025, 8, 1))
        w.add_union("joint", township="B", founded=D(2025, 12, 31))
        w.add_union("old", township="A", founded=D(2024, 12, 31))
        w.add_union("late", township="B", founded=D(2026, 1, 2))
        w.add_members("a1", "a1", D(2025, 2, 10), 30)
        w.add_members("a1", "a1", D(2025, 3, 31), 5, left=2)
        w.add_members("a2", "a2", D(2025, 5, 1), 12)
        w.add_members("b1", "b1", D(2025, 6, 15), 8)
        w.add_members("a1", "a1", D(2025, 11, 11), 4)
        w.add_members("old", "a2", D(2024, 12, 31), 100)
        w.add_members("a1", "a1", D(2026, 1, 5), 50)
        w.add_liaison("b1", D(2025, 7, 1))
    return any_engine, w


def _rows(df) -> list[tuple]:
    return [(r["label"], r["new_unions"], r["new_members"]) for r in df.to_dict("records")]


def _both_paths(engine, fn):
    """``fn(session)`` on the exact SQL (the world's summaries are stale) and on the summary tables."""
    with Session(engine) as s:
        assert not coverage.summaries_fresh(s)
        exact = fn(s)
    rebuild_summaries(engine, today=D(2026, 1, 31))
    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        fast = fn(s)
    return exact, fast


# --------------------------------------------------------------------------- foundings per quarter


def test_foundings_per_quarter_count_grassroots_unions_and_members_joined(made):
    engine, w = made
    a, b = Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]])

    def frames(s):
        return {name: trends.foundings_per_quarter(s, scope, D(2025, 1, 1), AS_OF)
                for name, scope in (("district", Scope.district()), ("A", a), ("B", b))}

    exact, fast = _both_paths(engine, frames)
    for got in (exact, fast):
        district = got["district"]
        assert list(district.columns) == ["quarter", "label", "new_unions", "new_members"]
        assert district["quarter"].tolist() == [D(2025, 1, 1), D(2025, 4, 1), D(2025, 7, 1), D(2025, 10, 1)]
        assert _rows(district) == [("2025Q1", 1, 35), ("2025Q2", 2, 20), ("2025Q3", 0, 0), ("2025Q4", 1, 4)]
        assert _rows(got["A"]) == [("2025Q1", 1, 35), ("2025Q2", 1, 12), ("2025Q3", 0, 0), ("2025Q4", 0, 4)]
        assert _rows(got["B"]) == [("2025Q1", 0, 0), ("2025Q2", 1, 8), ("2025Q3", 0, 0), ("2025Q4", 1, 0)]
    assert all(exact[k].equals(fast[k]) for k in exact)


def test_partial_quarters_at_both_ends_and_a_year_boundary(made):
    engine, w = made

    def frames(s):
        return (trends.foundings_per_quarter(s, Scope.district(), D(2025, 2, 15), D(2025, 11, 30)),
                trends.foundings_per_quarter(s, Scope.district(), D(2024, 10, 1), D(2025, 3, 31)),
                trends.foundings_per_quarter(s, Scope.district(), D(2025, 5, 1), D(2025, 5, 31)),
                trends.foundings_per_quarter(s, Scope.townships([]), D(2025, 1, 1), AS_OF))

    exact, fast = _both_paths(engine, frames)
    for mid, across, one_month, nowhere in (exact, fast):
        # a quarter cut by the window counts only its days inside: a1's union of 02-10 is before 02-15
        assert _rows(mid) == [("2025Q1", 0, 5), ("2025Q2", 2, 20), ("2025Q3", 0, 0), ("2025Q4", 0, 4)]
        assert _rows(across) == [("2024Q4", 1, 100), ("2025Q1", 1, 35)]
        assert _rows(one_month) == [("2025Q2", 2, 12)]
        assert _rows(nowhere) == [(f"2025Q{q}", 0, 0) for q in (1, 2, 3, 4)]
    for e, f in zip(exact, fast, strict=True):
        assert e.equals(f)


# --------------------------------------------------------------------------- coverage over time


def test_series_dates_are_the_year_ends_then_the_as_of_date():
    assert trends.series_dates(D(2002, 12, 31)) == [D(y, 12, 31) for y in range(1998, 2003)]
    assert trends.series_dates(D(2003, 1, 1)) == [D(y, 12, 31) for y in range(1998, 2003)] + [D(2003, 1, 1)]
    assert trends.series_dates(D(2002, 6, 30)) == [D(y, 12, 31) for y in range(1998, 2002)] + [D(2002, 6, 30)]
    assert trends.series_dates(D(1998, 6, 1)) == [D(1998, 6, 1)]
    assert trends.series_dates(D(2025, 3, 1), first_year=2023) == [D(2023, 12, 31), D(2024, 12, 31), D(2025, 3, 1)]
    assert trends.series_dates(D(2025, 3, 1), first_year=2026) == [D(2025, 3, 1)]


def test_coverage_series_recomputes_each_rate_at_each_date(made):
    engine, w = made
    dates = [D(2024, 12, 31), D(2025, 3, 31), D(2025, 6, 30), AS_OF]
    b = Scope.townships([w.township["B"]])

    def series(s):
        return (trends.coverage_series(s, Scope.district(), dates), trends.coverage_series(s, b, [AS_OF]),
                trends.coverage_series_to(s, Scope.district(), AS_OF))

    exact, fast = _both_paths(engine, series)
    third = pytest.approx(1 / 3)
    for district, only_b, to in (exact, fast):
        assert list(district.columns) == ["date", "metric", "value"]
        assert district["metric"].tolist() == list(trends.SERIES_METRICS) * 4
        assert district["date"].tolist() == [d for d in dates for _ in trends.SERIES_METRICS]
        got = {(r["date"], r["metric"]): r["value"] for r in district.to_dict("records")}
        # union, party organisation, Party work coverage (of the operating), Party organisation where qualified
        assert [got[(dates[0], m)] for m in trends.SERIES_METRICS[:3]] == [0.0, 0.0, 0.0]
        assert got[(dates[0], "qualified_built")] == 0.0
        assert [got[(dates[1], m)] for m in trends.SERIES_METRICS] == [third, 0.0, 0.0, 0.0]
        assert [got[(dates[2], m)] for m in trends.SERIES_METRICS] == [1.0, third, third, 1.0]
        assert [got[(dates[3], m)] for m in trends.SERIES_METRICS] == [1.0, third, pytest.approx(2 / 3), 1.0]
        # B alone: b1 unionised with a liaison officer, no Party organisation, not qualified (1 member)
        values = only_b["value"].tolist()
        assert values[:3] == [1.0, 0.0, 1.0] and values[3] != values[3]
        # up to a date: the year ends since 1998, then the date itself
        assert sorted(set(to["date"])) == trends.series_dates(AS_OF) and len(to) == 4 * len(trends.series_dates(AS_OF))
        assert to[to["date"] == AS_OF].reset_index(drop=True).equals(district[district["date"] == AS_OF]
                                                                      .reset_index(drop=True))
    for e, f in zip(exact, fast, strict=True):
        assert e.equals(f)


# --------------------------------------------------------------------------- the demo: summary and exact paths


def test_series_and_flows_from_the_summaries_match_the_reference_on_the_demo(any_demo_engine):
    with Session(any_demo_engine) as s:
        dates = trends.series_dates(TODAY)
        assert trends._kpis_at_dates_from_summary(s, Scope.district(), dates) == [
            coverage.coverage_kpis(s, Scope.district(), d) for d in dates]
        fast = trends._flows_from_summary(s, Scope.district(), dt.date(2001, 1, 1), TODAY)
        exact = trends._flows_exact(s, Scope.district(), dt.date(2001, 1, 1), TODAY)
        strip = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
        assert strip(fast[0]) == strip(exact[0]) and strip(fast[1]) == strip(exact[1])
