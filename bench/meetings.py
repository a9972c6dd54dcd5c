"""The joint-meetings page's SQL (联席会议, /meetings): the queries it makes on its first view (the
same list as ``bench.followup``, which also times the case studies and the brief), each pass on a new
engine (the first pass is the cold one) — so that ``bench.run`` has the page's cold figure at every
size and on both databases (issue 19: "overview, map and meetings SQL ≤ 1 s cold at 10M").

    python -m bench.run --sizes 1m --pages meetings
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bench.overview_sql import render_passes, timed_passes

TARGET_COLD = 1.0


def queries(as_of) -> list[tuple[str, Callable[[Session], Any]]]:
    from bench.followup import queries as followup_queries

    return [(name, fn) for page, name, fn in followup_queries(as_of) if page == "meetings"]


def measure(url: str, as_of, repeat: int) -> dict[str, Any]:
    return timed_passes(url, queries(as_of), repeat, {"meetings": "SELECT count(*) FROM joint_meeting",
                                                      "action items": "SELECT count(*) FROM action_item"})


def render(results: dict[str, Any]) -> str:
    """The section of the report (empty when no size ran it)."""
    return render_passes(
        results, "meetings", "Joint meetings (联席会议, /meetings, seconds)",
        "The page's queries (`dashboard.queries.meetings`: the meetings of three years, the item board, the action "
        "items, what happened since the last meeting, the mechanisms' coverage, the notices) for the whole district, "
        "each pass on a new engine; *cold* is the first pass.",
        [("meetings", "meetings"), ("action items", "action items")], TARGET_COLD,
        f"Target: the page's SQL under {TARGET_COLD:g} s cold (issue 19 asks it at 10M on PostgreSQL).")
