"""Every status rule of the dashboard, once: what turns a date or a count into 逾期 / 临期 / 正常.

A status is a *key*: its words come from i18n and its colour from :data:`COLOUR`; a screen,
a slide and a document always show the words with the colour (DESIGN.md §9: colour never alone).
"""

from __future__ import annotations

import datetime as dt

from dashboard.queries.followup import DUE_SOON_DAYS
from models.enums import ActionStatus

__all__ = [
    "COLOUR", "DUE_SOON_DAYS", "HEX", "LABEL_FILL", "LABEL_STYLE", "PACE_COLOUR", "PACE_MARGIN", "campaign_pace",
    "count_status", "item_label", "task_progress", "time_progress",
    "items_status", "notice_colour", "notice_label", "AWARD_COLOUR", "award_stage", "award_places",
]

#: the traffic-light colour of every status key (item labels, aggregates, notices)
COLOUR: dict[str, str] = {
    "overdue": "red", "due_soon": "amber", "on_track": "green", "done": "green",
    "red": "red", "amber": "amber", "green": "green", "gap": "red",
}

#: the fill of a status word in a table (light theme), by traffic-light colour: the cell's background
#: in :data:`LABEL_STYLE`, and the label the word is drawn on without a Styler (``Table.fills``)
LABEL_FILL: dict[str, str] = {"red": "#FDE2E1", "amber": "#FEF3C7", "green": "#DCFCE7"}

#: the fill and text colours of a status cell in a table (light theme), by traffic-light colour
LABEL_STYLE: dict[str, str] = {
    "red": f"background-color:{LABEL_FILL['red']};color:#991B1B;font-weight:600",
    "amber": f"background-color:{LABEL_FILL['amber']};color:#92400E;font-weight:600",
    "green": f"background-color:{LABEL_FILL['green']};color:#166534",
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


#: 落后: task progress trails time progress by more than this (a share: 0.10 = 10 percentage points);
#: 超前 when it leads by more
PACE_MARGIN = 0.10
#: the pace of a campaign zone → its traffic-light colour (its word: ``campaign.pace.<pace>``)
PACE_COLOUR = {"done": "green", "ahead": "green", "on_pace": "green", "behind": "red", "overdue": "red"}


def time_progress(start, deadline, as_of) -> float:
    """时间进度: the share of the zone's time gone on ``as_of`` — 0 on the start day, 1 on the deadline
    and after (a deadline on the start day: 1)."""
    total = (deadline - start).days
    if total <= 0:
        return 1.0
    return max(0.0, min(1.0, (as_of - start).days / total))


def task_progress(pairs) -> float:
    """任务进度: the least advanced target — ``pairs`` of (done, target); a target of 0 counts as
    reached, so a zone without targets is at 1."""
    shares = [done / target for done, target in pairs if target > 0]
    return min(shares) if shares else 1.0


def campaign_pace(*, task: float, time: float, days_left: int, margin: float = PACE_MARGIN) -> str:
    """The pace of a zone: ``done`` (every target reached), ``overdue`` (the deadline passed unmet),
    ``behind`` (落后: task progress more than ``margin`` below time progress), ``ahead`` (超前: more
    than ``margin`` above), else ``on_pace`` (按期). Colours in :data:`PACE_COLOUR`."""
    if task >= 1.0:
        return "done"
    if days_left < 0:
        return "overdue"
    if task < time - margin:
        return "behind"
    if task > time + margin:
        return "ahead"
    return "on_pace"


def notice_label(status: str, overdue: bool) -> str:
    """The label key of a coordination notice (``meetings.notice.*``): overdue wins over its status."""
    return "overdue_label" if overdue else f"status.{status}"


def notice_colour(status: str, overdue: bool) -> str:
    """Red when overdue; green once resolved; amber while sent and unanswered; none when acknowledged."""
    if overdue:
        return "red"
    return {"resolved": "green", "sent": "amber"}.get(status, "")


#: 双爱双评 (``views.awards``): the colour of a round's stage and of a township's places in a round
#: (their words: ``awards.status.<key>``)
AWARD_COLOUR = {
    "done": "green", "on_track": "green", "due_soon": "amber", "overdue": "red", "upcoming": "",
    "no_quota": "", "full": "green", "open": "", "open_due_soon": "amber", "unfilled": "red",
    "evaluating": "amber", "evaluation_overdue": "red", "evaluated": "green", "awarded": "green",
}


def award_stage(stage: int, current: int, deadline: dt.date | None, as_of: dt.date,
                due_soon_days: int = DUE_SOON_DAYS) -> str:
    """One stage of a 双爱双评 round (0 推荐, 1 评审, 2 表彰) while the round is at stage ``current``:
    ``done`` behind it, ``upcoming`` ahead of it, else by the stage's deadline (none: ``on_track``) —
    ``overdue`` after it, ``due_soon`` within ``due_soon_days``, else ``on_track``."""
    if stage < current:
        return "done"
    if stage > current:
        return "upcoming"
    if deadline is None:
        return "on_track"
    if as_of > deadline:
        return "overdue"
    return "due_soon" if deadline <= as_of + dt.timedelta(days=due_soon_days) else "on_track"


def award_places(round_stage: int, quota: int, nominated: int, pending: int, nominate_by: dt.date,
                 evaluate_by: dt.date, as_of: dt.date, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """A township's places of one category in a round at stage ``round_stage`` (as :func:`award_stage`):
    ``no_quota`` (no places, none used); while nominating ``full`` (every place used), else by the
    nominations' deadline ``unfilled`` (passed), ``open_due_soon`` (near) or ``open``; while evaluating
    ``evaluated`` (nothing pending), else ``evaluation_overdue`` (the evaluation's deadline passed) or
    ``evaluating``; once published ``awarded``."""
    if quota == 0 and nominated == 0:
        return "no_quota"
    if round_stage >= 2:
        return "awarded"
    if round_stage == 1:
        if pending == 0:
            return "evaluated"
        return "evaluation_overdue" if as_of > evaluate_by else "evaluating"
    if nominated >= quota:
        return "full"
    if as_of > nominate_by:
        return "unfilled"
    return "open_due_soon" if nominate_by <= as_of + dt.timedelta(days=due_soon_days) else "open"
