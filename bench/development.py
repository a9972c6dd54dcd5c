"""荐优纳新推评制's SQL (issue 16 item 1: "SQL aggregation with indexes, bench at 1M within the pages'
budget"): the queries /development makes through ``ui/data.py`` — ``figures`` (every card and the
tables by township and by enterprise: four queries), the list's count and its first 200 rows with the
names masked (a leader's view), and the stuck filter's count — each pass on a new engine (the first
pass is the cold one).

    python -m bench.run --sizes 1m --pages development
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bench.overview_sql import render_passes, timed_passes
from dashboard.queries import development
from dashboard.queries.scope import Scope

TARGET_COLD = 1.0  # s: the page's SQL, cold, at 1M enterprises


def queries(as_of, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    hidden = Scope.townships(())
    return [
        ("figures", lambda s: development.figures(s, scope, as_of)),
        ("count_people", lambda s: development.count_people(s, scope, as_of)),
        ("people(200)", lambda s: development.people(s, scope, as_of, names=hidden, limit=200)),
        ("count_stuck", lambda s: development.count_people(s, scope, as_of, development.PeopleFilter(only="stuck"))),
    ]


def measure(url: str, as_of, repeat: int) -> dict[str, Any]:
    return timed_passes(url, queries(as_of, Scope.district()), repeat, {"people": "SELECT count(*) FROM activist_recommendation"})


def render(results: dict[str, Any]) -> str:
    """The section of the report (empty when no size ran it)."""
    return render_passes(
        results, "development", "荐优纳新推评制 (/development, seconds)",
        "The page's queries (`dashboard.queries.development`) for the whole district, each pass on a new engine; "
        "*cold* is the first pass.",
        [("people", "people")], TARGET_COLD, f"Target at 1m: the page's SQL under {TARGET_COLD} s cold.")
