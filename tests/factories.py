"""Small hand-made worlds for the query, export and edit tests: one builder instead of one per file.

::

    with world(engine) as w:
        w.add_township("A", "甲镇")
        w.add_unit("A_DW", "甲镇党委", UnitKind.TOWNSHIP_PARTY, township="A")
        w.add_enterprise("e1", "A", members=4, union=D(2020, 1, 1), party=D(2021, 1, 1))
        w.add_meeting("D1", D(2025, 3, 1), decision="决定")
        w.add_item("i1", "D1", "A_DW", due=D(2025, 4, 1))
    w.ent["e1"]  # the enterprise's id (after the block: committed)

Every row is named by a key of the test's choosing (``w.add_<kind>(key, …)``); ``w.<kind>[key]``
is its id (``township``, ``unit``, ``ent``, ``union``, ``party``, ``liaison``, ``meeting``,
``decision``, ``item``, ``notice``, ``lead``, ``honour``). Defaults are plain and documented on
each method, so a test states only what its expectations depend on. Only the source tables are
written: the summary tables stay stale until ``rebuild_summaries`` is called, so the queries take
their exact SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import rules
from models.enums import (
    ActionStatus,
    HonourLevel,
    LeadSource,
    LeadStage,
    LiaisonKind,
    MeetingLevel,
    NoticeDirection,
    Organ,
    Ownership,
    PartyOrgLevel,
    TownshipKind,
    UnionKind,
    UnitKind,
)
from models.tables import (
    ActionItem,
    ActivistRecommendation,
    CaseStudy,
    CoordinationNotice,
    Decision,
    Enterprise,
    FoundingLead,
    FoundingLeadStage,
    Honour,
    JointMeeting,
    LiaisonOfficer,
    MeetingAttendee,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
)

D = dt.date
#: the arguments of the shared demo district (``write_demo``; the fixtures of tests/conftest.py)
DEMO_SEED = 2002
DEMO_TODAY = D(2026, 11, 24)
#: the registration date of an enterprise whose test does not care
LONG_AGO = D(2000, 1, 1)
_AUTO = object()


@dataclass
class World:
    """Rows of a hand-made district, added to ``session`` and flushed one by one (ids at once)."""

    session: Session
    division: str = "220299"  # the USCC's administrative division
    township: dict[str, int] = field(default_factory=dict)
    unit: dict[str, int] = field(default_factory=dict)
    ent: dict[str, int] = field(default_factory=dict)
    union: dict[str, int] = field(default_factory=dict)
    party: dict[str, int] = field(default_factory=dict)
    liaison: dict[str, int] = field(default_factory=dict)
    meeting: dict[str, int] = field(default_factory=dict)
    decision: dict[str, int] = field(default_factory=dict)
    item: dict[str, int] = field(default_factory=dict)
    notice: dict[str, int] = field(default_factory=dict)
    lead: dict[str, int] = field(default_factory=dict)
    honour: dict[str, int] = field(default_factory=dict)
    _serial: int = 0

    def _add(self, row):
        self.session.add(row)
        self.session.flush()
        return row

    def _ent(self, key: str) -> Enterprise:
        return self.session.get(Enterprise, self.ent[key])

    # ----------------------------------------------------------------------- places and units

    def add_township(self, code: str, name: str | None = None, kind: TownshipKind = TownshipKind.TOWN, *,
                 sort_order: int | None = None, boundary_geojson: str | None = None) -> int:
        """A township (key = its code); named ``<code>镇`` and sorted in the order of creation unless told."""
        t = self._add(Township(code=code, name=name or f"{code}镇", kind=kind,
                               sort_order=len(self.township) + 1 if sort_order is None else sort_order,
                               boundary_geojson=boundary_geojson))
        self.township[code] = t.id
        return t.id

    def add_unit(self, code: str, name: str, kind: UnitKind = UnitKind.OTHER, *, township: str | None = None) -> int:
        """A unit (key = its code); a district unit unless ``township`` (a township key) is given."""
        u = self._add(Unit(code=code, name=name, kind=kind,
                           township_id=self.township[township] if township else None))
        self.unit[code] = u.id
        return u.id

    # ----------------------------------------------------------------------- enterprises and their organisations

    def add_enterprise(self, key: str, township: str, *, members: int = 0, employees: int = 50,
                   registered: dt.date = LONG_AGO, closed: dt.date | None = None, name: str | None = None,
                   uscc: str | None = None, ownership: Ownership = Ownership.PRIVATE, industry: str = "制造业",
                   owner_is_party_member: bool = False, union: dt.date | None = None,
                   party: dt.date | None = None, party_end: dt.date | None = None, fixed_premises: bool = True,
                   trading: bool = True) -> int:
        """An enterprise named ``企业<key>`` with a valid USCC of its own. ``union`` / ``party``: the
        founding date of its own enterprise union / Party branch (covering it from that day;
        ``party_end`` ends the branch and its coverage)."""
        self._serial += 1
        e = self._add(Enterprise(
            uscc=uscc or rules.make_uscc(division=self.division, serial=self._serial), name=name or f"企业{key}",
            township_id=self.township[township], ownership=ownership, industry=industry, employees=employees,
            party_members=members, registered_on=registered, closed_on=closed,
            owner_is_party_member=owner_is_party_member, fixed_premises=fixed_premises, trading=trading))
        self.ent[key] = e.id
        if union:
            self.add_union(key, key, founded=union)
        if party:
            self.add_party_org(key, key, founded=party, dissolved=party_end)
        return e.id

    def add_union(self, key: str, enterprise: str | None = None, *, founded: dt.date,
                  dissolved: dt.date | None = None, kind: UnionKind | None = None, township: str | None = None,
                  name: str | None = None, chair: str | None = None, chair_is_party_secretary: bool = False,
                  cover: bool = True) -> int:
        """A union organisation. With ``enterprise`` it is that enterprise's own union (kind
        ``enterprise``, its township) and covers it from ``founded`` to ``dissolved`` unless
        ``cover=False``; without, a joint union of ``township`` (cover members with :meth:`add_union_coverage`)."""
        owner = self._ent(enterprise) if enterprise else None
        kind = kind or (UnionKind.ENTERPRISE if owner else UnionKind.JOINT)
        township_id = self.township[township] if township else owner.township_id
        u = self._add(UnionOrg(name=name or (f"{owner.name}工会" if owner else f"工会{key}"), kind=kind,
                               township_id=township_id,
                               enterprise_id=owner.id if owner and kind == UnionKind.ENTERPRISE else None,
                               founded_on=founded, dissolved_on=dissolved, chair_name=chair,
                               chair_is_party_secretary=chair_is_party_secretary))
        self.union[key] = u.id
        if owner and cover:
            self.add_union_coverage(key, enterprise, founded, dissolved)
        return u.id

    def add_union_coverage(self, union: str, enterprise: str, start: dt.date, end: dt.date | None = None) -> None:
        """Union ``union`` covers ``enterprise`` in [start, end)."""
        self._add(UnionCoverage(union_id=self.union[union], enterprise_id=self.ent[enterprise], start_on=start,
                                end_on=end))

    def add_party_org(self, key: str, enterprise: str | None = None, *, founded: dt.date,
                  dissolved: dt.date | None = None, level: PartyOrgLevel | None = None, township: str | None = None,
                  name: str | None = None, secretary: str | None = None, cover: bool = True) -> int:
        """A Party organisation: with ``enterprise`` its own (the level its members call for, a
        branch at least) covering it unless ``cover=False``; without, a joint branch of ``township``."""
        owner = self._ent(enterprise) if enterprise else None
        if level is None:
            level = (rules.expected_party_org_level(owner.party_members) or PartyOrgLevel.BRANCH) if owner \
                else PartyOrgLevel.JOINT_BRANCH
        township_id = self.township[township] if township else owner.township_id
        p = self._add(PartyOrg(name=name or (f"{owner.name}党支部" if owner else f"党组织{key}"), level=level,
                               township_id=township_id,
                               enterprise_id=owner.id if owner and level != PartyOrgLevel.JOINT_BRANCH else None,
                               founded_on=founded, dissolved_on=dissolved, secretary_name=secretary))
        self.party[key] = p.id
        if owner and cover:
            self.add_party_coverage(key, enterprise, founded, dissolved)
        return p.id

    def add_party_coverage(self, party: str, enterprise: str, start: dt.date, end: dt.date | None = None) -> None:
        """Party organisation ``party`` covers ``enterprise`` in [start, end)."""
        self._add(PartyCoverage(party_org_id=self.party[party], enterprise_id=self.ent[enterprise], start_on=start,
                                end_on=end))

    def add_liaison(self, enterprise: str, appointed: dt.date, ended: dt.date | None = None, *,
                        key: str | None = None, kind: LiaisonKind | None = None, dispatched_by: str | None = None,
                        name: str | None = None) -> int:
        """A Party-building liaison officer: the enterprise's own member when it has members, else
        dispatched (by the unit ``dispatched_by``)."""
        owner = self._ent(enterprise)
        kind = kind or (LiaisonKind.OWN if owner.party_members > 0 else LiaisonKind.DISPATCHED)
        key = key or f"{enterprise}.{sum(k.startswith(enterprise + '.') for k in self.liaison)}"
        li = self._add(LiaisonOfficer(
            enterprise_id=owner.id, name=name or f"联络员{key}", kind=kind,
            dispatched_by_unit_id=self.unit[dispatched_by] if dispatched_by else None,
            appointed_on=appointed, ended_on=ended))
        self.liaison[key] = li.id
        return li.id

    def add_members(self, union: str, enterprise: str, day: dt.date, joined: int, left: int = 0) -> None:
        """A membership change of ``enterprise`` in ``union`` on ``day``."""
        self._add(MembershipChange(union_id=self.union[union], enterprise_id=self.ent[enterprise], changed_on=day,
                                   joined=joined, left_count=left))

    def add_honour(self, enterprise: str, title: str, *, year: int, level: HonourLevel = HonourLevel.MUNICIPAL,
                  organ: Organ = Organ.UNION, body: str = "市总工会", key: str | None = None) -> int:
        h = self._add(Honour(enterprise_id=self.ent[enterprise], title=title, level=level, awarding_body=body,
                             year=year, organ=organ))
        self.honour[key or title] = h.id
        return h.id

    def add_case_study(self, enterprise: str, headline_zh: str, *, headline_en: str = "A model",
                   story_zh: str = "样板故事。", story_en: str = "A model story.", from_source: bool = False) -> None:
        self._add(CaseStudy(enterprise_id=self.ent[enterprise], headline_zh=headline_zh, headline_en=headline_en,
                            story_zh=story_zh, story_en=story_en, from_source=from_source))

    # ----------------------------------------------------------------------- joint meetings and follow-up

    def add_meeting(self, key: str, held: dt.date, *, level: MeetingLevel = MeetingLevel.DISTRICT,
                enterprise: str | None = None, title: str | None = None, attendees: Sequence[str] = (),
                decision: str | None = None, agenda: str | None = None, minutes: str | None = None) -> int:
        """A joint meeting titled ``会议<key>``: district level, or of ``enterprise`` (its township).
        ``attendees``: unit keys; ``decision``: the text of its decision (``w.decision[key]``)."""
        owner = self._ent(enterprise) if enterprise else None
        if owner is not None and level == MeetingLevel.DISTRICT:
            level = MeetingLevel.ENTERPRISE
        m = self._add(JointMeeting(level=level, held_on=held, enterprise_id=owner.id if owner else None,
                                   township_id=owner.township_id if owner else None, title=title or f"会议{key}",
                                   agenda=agenda, minutes=minutes))
        self.meeting[key] = m.id
        for unit in attendees:
            self._add(MeetingAttendee(meeting_id=m.id, unit_id=self.unit[unit]))
        if decision is not None:
            self.decision[key] = self._add(Decision(meeting_id=m.id, text=decision)).id
        return m.id

    def add_item(self, key: str, meeting: str, owner: str, *, due: dt.date, status: ActionStatus = ActionStatus.OPEN,
             done: dt.date | None = None, created: dt.date | None = None, township=_AUTO,
             description: str | None = None) -> int:
        """An action item ``事项<key>`` of ``meeting``'s decision, owned by the unit ``owner``, created on
        the meeting's day. Its township: the meeting's for an enterprise meeting, else the owner
        unit's (None for a district unit) — or ``township`` (a key or None) when given."""
        m = self.session.get(JointMeeting, self.meeting[meeting])
        if township is _AUTO:
            township_id = m.township_id if m.level == MeetingLevel.ENTERPRISE else \
                self.session.get(Unit, self.unit[owner]).township_id
        else:
            township_id = self.township[township] if township else None
        a = self._add(ActionItem(decision_id=self.decision[meeting], description=description or f"事项{key}",
                                 owner_unit_id=self.unit[owner], township_id=township_id,
                                 created_on=created or m.held_on, due_on=due, status=status, done_on=done))
        self.item[key] = a.id
        return a.id

    def add_notice(self, key: str, enterprise: str, *, sent: dt.date, from_unit: str, to_unit: str,
                  direction: NoticeDirection = NoticeDirection.TO_BUREAU, respond_by: dt.date | None = None,
                  acknowledged: dt.date | None = None, resolved: dt.date | None = None) -> int:
        """A coordination notice about ``enterprise``; a reply is due 30 days after sending unless told."""
        n = self._add(CoordinationNotice(direction=direction, enterprise_id=self.ent[enterprise],
                                         from_unit_id=self.unit[from_unit], to_unit_id=self.unit[to_unit],
                                         sent_on=sent, respond_by=respond_by or sent + dt.timedelta(30),
                                         acknowledged_on=acknowledged, resolved_on=resolved))
        self.notice[key] = n.id
        return n.id

    def add_lead(self, key: str, township: str, owner: str | None, *, identified: dt.date,
                 deadline: dt.date | None = None, closed: dt.date | None = None,
                 source: LeadSource = LeadSource.NOTICE_LEFT, stage: LeadStage = LeadStage.NOTICE_SENT,
                 enterprise: str | None = None, name: str | None = None,
                 stages: list[tuple[LeadStage, dt.date]] | None = None, union: str | None = None,
                 reason: str | None = None) -> int:
        """A union-founding lead ``线索<key>`` of ``township`` followed up by the unit ``owner``, with its
        stage history: ``stages`` ((stage, from) in order, the first from ``identified``), else as
        migration 0016 made it (an open lead in its stage from ``identified``; a closed one
        identified until ``closed``, then in its stage)."""
        if stages is None:
            stages = ([(LeadStage.IDENTIFIED, identified), (stage, closed)] if closed and closed > identified
                      else [(stage, closed or identified)])
        lead = self._add(FoundingLead(
            enterprise_id=self.ent[enterprise] if enterprise else None, enterprise_name=name or f"线索{key}",
            township_id=self.township[township], source=source, stage=stages[-1][0], identified_on=identified,
            notice_deadline=deadline, closed_on=closed, owner_unit_id=self.unit[owner] if owner else None,
            stage_on=stages[-1][1], union_id=self.union[union] if union else None, drop_reason=reason,
            days_to_union=rules.days_to_union(stages[-1][0], identified, stages[-1][1])))
        for k, (st, start) in enumerate(stages):
            end = stages[k + 1][1] if k + 1 < len(stages) else None
            self._add(FoundingLeadStage(lead_id=lead.id, stage=st, start_on=start, end_on=end, username="test",
                                        at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        self.lead[key] = lead.id
        return lead.id


def add_person(w: World, ent: str, name: str, rec: dt.date, **dates) -> int:
    """A person recommended by enterprise ``ent``'s union on ``rec`` (荐优纳新), with the later stages'
    dates given (``activist_on`` … ``member_on``, ``withdrawn_on``, ``evaluated_on``/``evaluation``);
    the stored stage and its day are the latest of them. Returns the id."""
    stage, on = "recommended", rec
    for s, col in (("withdrawn", "withdrawn_on"), ("member", "member_on"), ("probationary", "probationary_on"),
                   ("candidate", "candidate_on"), ("activist", "activist_on")):
        if dates.get(col):
            stage, on = s, dates[col]
            break
    row = ActivistRecommendation(enterprise_id=w.ent[ent], person_name=name, recommended_on=rec, stage=stage,
                                 stage_on=on, **dates)
    w.session.add(row)
    w.session.flush()
    return row.id


@contextmanager
def world(engine: Engine, **kwargs) -> Iterator[World]:
    """A :class:`World` on ``engine``, committed when the block ends (rolled back on an error)."""
    with Session(engine) as session:
        w = World(session, **kwargs)
        yield w
        session.commit()


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, and the ``data_version`` counter the update/delete triggers bump."""
    with engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        counts = {name: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}
        counts["data_version"] = conn.execute(
            sa.text("SELECT value FROM dataset_info WHERE key = 'data_version'")).scalar_one_or_none()
    return counts


def app_on_own_demo(demo_template, path, monkeypatch) -> str:
    """The app (AppTest runs, ``ui.data``) pointed at a copy of the demo district of the test's own at
    ``path`` (``demo_template``: the fixture of tests/conftest.py; a test that writes, or one whose
    caches must start empty): ``DANGONG_DATABASE_URL`` set and the settings read again. The copy's URL."""
    from models.settings import get_settings

    url = demo_template.copy(path)
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    return url
