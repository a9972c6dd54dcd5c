"""Every status rule of the dashboard, once: what turns a date or a count into 逾期 / 临期 / 正常.

A status is a *key*: its words come from i18n and its colour from :data:`COLOUR`; a screen,
a slide and a document always show the words with the colour (DESIGN.md §9: colour never alone).
"""

from __future__ import annotations

import datetime as dt

from dashboard.queries.followup import DUE_SOON_DAYS
from models.enums import ActionStatus

__all__ = [
    "COLOUR", "DUE_SOON_DAYS", "HEX", "LABEL_STYLE", "campaign_zone_status", "count_status", "item_label",
    "items_status", "notice_colour", "notice_label",
]

#: the traffic-light colour of every status key (item labels, aggregates, notices)
COLOUR: dict[str, str] = {
    "overdue": "red", "due_soon": "amber", "on_track": "green", "done": "green",
    "red": "red", "amber": "amber", "green": "green", "gap": "red",
}

#: the fill and text colours of a status cell in a table (light theme), by traffic-light colour
LABEL_STYLE: dict[str, str] = {
    "red": "background-color:#FDE2E1;color:#991B1B;font-weight:600",
    "amber": "background-color:#FEF3C7;color:#92400E;font-weight:600",
    "green": "background-color:#DCFCE7;color:#166534",
}

#: the accent colours of the two organisations (DESIGN.md §9): union blue, Party red
HEX: dict[str, str] = {"union": "#1F4E9A", "union_dark": "#4F8EF7", "party": "#B3261E"}


def item_label(status: str, due_on: dt.date, as_of: dt.date, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """The label key of one action item as of a date: ``done``; ``overdue`` when due before the
    date; ``due_soon`` (临期) when due within ``due_soon_days``; else ``on_track``. The SQL twin is
    ``queries.followup.item_status_as_of`` / ``_item_state`` — the same rule, counted in the database."""
    if status == ActionStatus.DONE.value:
        return "done"
    if due_on < as_of:
        return "overdue"
    if due_on <= as_of + dt.timedelta(days=due_soon_days):
        return "due_soon"
    return "on_track"


def items_status(overdue: int, due_soon: int) -> str:
    """The colour of a set of items: red when any is overdue, amber when any is due soon, else green."""
    return "red" if overdue else ("amber" if due_soon else "green")


def count_status(n: int) -> str:
    """The colour of a count of things that should be zero (overdue leads, overdue notices)."""
    return "red" if n else "green"


def campaign_zone_status(*, met: bool, days_left: int, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """The colour of a campaign zone: green when its targets are met or its deadline is more than
    the due-soon window away; amber inside the window; red once the deadline has passed unmet."""
    if met or days_left > due_soon_days:
        return "green"
    return "amber" if days_left >= 0 else "red"


def notice_label(status: str, overdue: bool) -> str:
    """The label key of a coordination notice (``meetings.notice.*``): overdue wins over its status."""
    return "overdue_label" if overdue else f"status.{status}"


def notice_colour(status: str, overdue: bool) -> str:
    """Red when overdue; green once resolved; amber while sent and unanswered; none when acknowledged."""
    if overdue:
        return "red"
    return {"resolved": "green", "sent": "amber"}.get(status, "")
