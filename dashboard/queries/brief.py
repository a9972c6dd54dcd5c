"""The joint-meeting brief (会议简报): everything a leader takes to a district joint meeting.

One call gathers it, in the caller's scope (in SQL, through the query functions it composes):
the KPIs on the meeting date and their change since the previous district meeting, that
meeting's decisions and how far they got, every item overdue or due soon, the new 应建未建
gaps since the previous meeting, the campaign's zones with their pace, the founding-lead pipeline
since the previous meeting, and one model enterprise; then 荐优纳新 and 双爱双评 since the previous
meeting (``queries.mechanisms``). The exporters
(``dashboard.exports.brief``) turn it into a PDF and a PPTX; they query nothing themselves.

*The meeting* is either a district joint meeting already held (``meeting_id``) — the brief is
then what its participants had on the table that day — or the **next** one (``meeting_id=None``):
the brief is as of ``as_of`` (today by default), since the latest district meeting held before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import campaigns, cases, coverage, followup, leads, mechanisms, meetings
from dashboard.queries.scope import Scope
from models.enums import MeetingLevel
from models.tables import JointMeeting

JM = JointMeeting.__table__

#: how many rows each list of the brief shows at most (the rest is counted, not listed)
LIST_LIMIT = 12


@dataclass(frozen=True, eq=False)
class Brief:
    date: dt.date  # the meeting date, or the as-of date for the next meeting
    meeting: meetings.MeetingRef | None  # the meeting briefed; None = the next meeting
    previous: meetings.MeetingRef | None  # the district meeting before it
    since: meetings.SinceLastMeeting | None  # the previous meeting's decisions and the gaps since
    kpis: coverage.CoverageKpis  # on ``date``
    kpis_before: coverage.CoverageKpis | None  # on the previous meeting's date
    by_township: pd.DataFrame  # coverage_by_township on ``date`` (for the chart)
    due: pd.DataFrame  # open items overdue or due within DUE_SOON_DAYS (meetings.ITEM_COLUMNS), overdue first, ≤ LIST_LIMIT
    n_overdue: int  # of all of them (counted in SQL, not from the capped list)
    n_due_soon: int
    model: cases.CaseDetail | None  # one model enterprise in scope
    # campaigns.campaign_progress on ``date`` (the campaign running then, or the latest; empty: none)
    campaign: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=campaigns.PROGRESS_COLUMNS))
    # the founding-lead pipeline since the previous meeting
    leads: leads.Headline = field(default_factory=lambda: leads.Headline(None, 0, 0, 0, 0, 0, 0))
    # 荐优纳新 and 双爱双评 since the previous meeting (the same period; townships ≤ LIST_LIMIT); None: not gathered
    mechanisms: mechanisms.Mechanisms | None = None

    @property
    def n_due(self) -> int:
        """How many items are on the table (overdue or due soon): ``due`` lists the first ones."""
        return self.n_overdue + self.n_due_soon

    @property
    def new_gaps(self) -> pd.DataFrame:
        return self.since.new_should_build if self.since else pd.DataFrame(
            columns=["enterprise_id", "name", "township", "party_members", "pattern_then"])


def meeting_choices(session: Session, as_of: dt.date) -> pd.DataFrame:
    """District meetings held on or before ``as_of`` (id, held_on, title), latest first."""
    return meetings.district_meetings(session, Scope.district(), until=as_of)


def meeting_brief(session: Session, scope: Scope, as_of: dt.date, *, meeting_id: int | None = None,
                  model_id: int | None = None) -> Brief | None:
    """The brief for district meeting ``meeting_id`` (held on or before ``as_of``), or for the next
    meeting as of ``as_of``. ``None`` when ``meeting_id`` is not such a meeting (untrusted input).
    ``model_id`` picks the model enterprise (it must be a model in scope), else the first one."""
    meeting = None
    if meeting_id is not None:
        try:
            wanted = int(meeting_id)
        except (TypeError, ValueError):
            return None
        row = session.execute(
            sa.select(JM.c.id, JM.c.held_on, JM.c.title).where(
                JM.c.id == wanted, JM.c.level == MeetingLevel.DISTRICT.value, JM.c.held_on <= as_of)
        ).one_or_none()
        if row is None:
            return None
        meeting = meetings.MeetingRef(int(row.id), row.held_on, row.title)
    day = meeting.held_on if meeting else as_of
    previous = (meetings.previous_district_meeting(session, meeting) if meeting
                else meetings.latest_district_meeting(session, day))
    since = meetings.since_last_meeting(session, scope, day, meeting_id=previous.id) if previous else None
    kpis = since.coverage_now if since else coverage.coverage_kpis(session, scope, day)

    # on the table: open items decided before the meeting (for the next one: up to the date), overdue
    # or due within the 临期 window — selected and counted in SQL, the first LIST_LIMIT listed
    on_table = {"only_open": True, "due_by": day + dt.timedelta(followup.DUE_SOON_DAYS),
                "created_before": meeting.held_on if meeting else None}
    due = meetings.action_items(session, scope, day, limit=LIST_LIMIT, **on_table)
    counts = meetings.count_item_labels(session, scope, day, **on_table)

    model = None
    models = cases.model_enterprises(session, scope, day)
    if len(models):
        ids = [int(i) for i in models["enterprise_id"]]
        try:
            pick = int(model_id) if model_id is not None and int(model_id) in ids else ids[0]
        except (TypeError, ValueError):  # untrusted: an unknown or garbage id means the first model
            pick = ids[0]
        model = cases.case_detail(session, scope, pick, day)
    return Brief(
        date=day, meeting=meeting, previous=previous, since=since, kpis=kpis,
        kpis_before=since.coverage_then if since else None,
        by_township=coverage.coverage_by_township(session, scope, day),
        due=due.reset_index(drop=True), n_overdue=counts.overdue, n_due_soon=counts.due_soon, model=model,
        campaign=campaigns.campaign_progress(session, scope, day),
        leads=leads.headline(session, scope, day, previous.held_on if previous else None),
        mechanisms=mechanisms.mechanisms(session, scope, previous.held_on if previous else None, day, limit=LIST_LIMIT),
    )
