"""双爱双评's SQL (issue 16: "SQL aggregation with indexes, bench at 1M within the pages' budget"):
the queries /awards makes through ``ui/data.py`` on its first view — the rounds, the round of the date,
its progress per township and category, its nominations, the awards of every published round per
township and the top 50 enterprises — for the whole district, each pass on a new engine (the first
pass is the cold one).

    python -m bench.run --sizes 1m --pages awards
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bench.overview_sql import render_passes, timed_passes
from dashboard.queries import awards
from dashboard.queries.scope import Scope

#: the page's SQL cold at 1M: half the pages' 1 s budget (the rest: Streamlit drawing the tables)
TARGET_COLD = 0.5


def queries(as_of, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    def current(s: Session) -> int:
        return int(awards.round_for(s, as_of)["id"])

    return [
        ("rounds", lambda s: awards.rounds(s, as_of)),
        ("round_progress", lambda s: awards.round_progress(s, scope, current(s), as_of)),
        ("round_nominations", lambda s: awards.round_nominations(s, scope, current(s), as_of, names=scope)),
        ("nomination_counts", lambda s: awards.nomination_counts(s, scope, current(s), as_of, names=scope)),
        ("awards_by_township", lambda s: awards.awards_by_township(s, scope, as_of)),
        ("awards_by_enterprise(50)", lambda s: awards.awards_by_enterprise(s, scope, as_of, limit=50)),
    ]


def measure(url: str, as_of, repeat: int) -> dict[str, Any]:
    return timed_passes(url, queries(as_of, Scope.district()), repeat, {"nominations": "SELECT count(*) FROM double_love_award", "rounds": "SELECT count(*) FROM award_round"})


def render(results: dict[str, Any]) -> str:
    """The section of the report (empty when no size ran it)."""
    return render_passes(
        results, "awards", "双爱双评 award rounds (/awards, seconds)",
        "The page's queries (`dashboard.queries.awards`: the rounds, the current round's progress per township and "
        "category, its nominations, the awards per township and the top 50 enterprises over every published round) "
        "for the whole district, each pass on a new engine; *cold* is the first pass. Grouped in SQL from the "
        "indexes `ix_double_love_award_progress` (round, township, category, stage, dates), "
        "`ix_double_love_award_township` and `ix_double_love_award_enterprise` (stage first).",
        [("rounds", "rounds"), ("nominations", "nominations")], TARGET_COLD,
        f"Target at 1m: the page's SQL under {TARGET_COLD} s cold (half the pages' 1 s budget).")
