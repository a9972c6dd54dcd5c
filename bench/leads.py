"""The founding-lead pipeline's SQL (issue 15: "at 1M enterprises with 200,000 leads, the pipeline
page's SQL ≤ 0.5 s cold"): the queries the pipeline view of /campaigns makes through ``ui/data.py``
— ``pipeline`` (the funnel, the breakdowns by measure and township with their medians, the overdue
and idle counts: three queries; the list's count without a filter is its total) and the list's first
200 rows — each pass on a new engine
(the first pass is the cold one).

    python -m bench.run --sizes 1m --pages leads
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bench.overview_sql import render_passes, timed_passes
from dashboard.queries import leads
from dashboard.queries.scope import Scope

TARGET_COLD = 0.5


def queries(as_of, scope: Scope) -> list[tuple[str, Callable[[Session], Any]]]:
    return [
        ("pipeline", lambda s: leads.pipeline(s, scope, as_of)),
        ("lead_list(200)", lambda s: leads.lead_list(s, scope, as_of, limit=200)),
    ]


def measure(url: str, as_of, repeat: int) -> dict[str, Any]:
    return timed_passes(url, queries(as_of, Scope.district()), repeat, {"leads": "SELECT count(*) FROM founding_lead", "stages": "SELECT count(*) FROM founding_lead_stage"})


def render(results: dict[str, Any]) -> str:
    """The section of the report (empty when no size ran it)."""
    return render_passes(
        results, "leads", "The founding-lead pipeline (建会线索, seconds)",
        "The pipeline view's queries (`dashboard.queries.leads`: `pipeline` — funnel, breakdowns with medians, the "
        "overdue and idle counts — the list's count and first 200 rows) for the whole district, each pass on a new engine; *cold* is the "
        "first pass. Counting in SQL over `founding_lead_stage` (the stage in force on the date), indexes "
        "on (stage, start_on), (lead_id, start_on), stage_on and notice_deadline.",
        [("leads", "leads"), ("stage rows", "stages")], TARGET_COLD,
        f"Target at 1m: the pipeline's SQL under {TARGET_COLD} s cold.")
