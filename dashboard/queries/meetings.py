"""两级联席会议 / two-level joint meetings, their action items, mechanism coverage, 协调通报 notices.

Pure read functions ``(session, scope, as_of, …)``, scoped and aggregated in SQL.

Scope rules (DESIGN.md §6, docs/architecture.md "Scope"):

* An **enterprise-level** meeting belongs to its enterprise's township: it is visible only when
  that township is in scope.
* A **district-level** meeting (no township) is visible to every user: its date, title,
  attendees, agenda, minutes and decisions are the district's (they name no enterprise).
* An **action item** is visible when its own ``township_id`` is in scope. Items without a township
  (district units' items) are visible only to the whole-district scope — the rule of
  ``dashboard.queries.followup`` that the overview already uses, so the board and the overview
  never disagree. A township user therefore sees, of a district meeting, the items assigned to
  their township's units.

Status of an action item as of a date D (``followup.item_status_as_of``): done when
``done_on ≤ D``; overdue when not done by D and ``due_on < D`` (days overdue = D − due_on);
临期 (due soon) when not done and ``D ≤ due_on ≤ D + DUE_SOON_DAYS``; otherwise 正常. The queries
return that status as a key (``label``, in SQL, ``followup._item_state``); its words and colour are
the view layer's (``dashboard.views.status.item_label`` is the same rule in Python, a test keeps
the two equal). Items decided after D (``created_on > D``) and meetings held after D do not exist
yet on D.

Lists are capped (``limit``); every count a page shows comes from an aggregate of the same
conditions (:func:`meeting_counts`, :func:`count_action_items`, :func:`notice_counts`), never from
the length of a capped list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import coverage, followup, plan
from dashboard.queries.dates import year_before
from dashboard.queries.scope import Scope
from models.enums import Base, MeetingLevel, NoticeStatus, Pattern
from models.tables import (
    ActionItem, CoordinationNotice, Decision, Enterprise, JointMeeting, MeetingAttendee, Township, Unit,
    enterprise_state,
)

JM = JointMeeting.__table__
MA = MeetingAttendee.__table__
DE = Decision.__table__
AI = ActionItem.__table__
CN = CoordinationNotice.__table__
E = Enterprise.__table__
T = Township.__table__
U = Unit.__table__
ES = enterprise_state

#: mechanism coverage looks at enterprise-level meetings held in the 12 months up to the as-of date
MECHANISM_WINDOW_MONTHS = 12


def meeting_visible(scope: Scope) -> sa.ColumnElement[bool]:
    """SQL: a meeting is visible in ``scope`` (needs ``E`` outer-joined on ``JM.enterprise_id``)."""
    return sa.or_(JM.c.level == MeetingLevel.DISTRICT.value, scope.where(E.c.township_id))


def _meeting_from():
    return JM.outerjoin(E, E.c.id == JM.c.enterprise_id).outerjoin(T, T.c.id == E.c.township_id)


# --------------------------------------------------------------------------- meetings


MEETING_COLUMNS = ["id", "level", "held_on", "title", "enterprise_id", "enterprise", "township", "decisions",
                   "items", "overdue"]


def _meeting_conds(scope: Scope, as_of: dt.date, level: str | None, enterprise_id: int | None,
                   start: dt.date | None, end: dt.date | None) -> list[sa.ColumnElement[bool]]:
    conds = [JM.c.held_on <= as_of, meeting_visible(scope)]
    if level:
        conds.append(JM.c.level == MeetingLevel(level).value)
    if enterprise_id is not None:
        conds.append(JM.c.enterprise_id == int(enterprise_id))
    if start is not None:
        conds.append(JM.c.held_on >= start)
    if end is not None:
        conds.append(JM.c.held_on <= end)
    return conds


#: the default cap of :func:`meetings` (the page says when it is reached)
MEETINGS_LIMIT = 1000


def meetings(session: Session, scope: Scope, as_of: dt.date, *, level: str | None = None,
             enterprise_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
             limit: int | None = MEETINGS_LIMIT) -> pd.DataFrame:
    """Meetings held on or before ``as_of`` (and within [start, end]) visible in ``scope``, latest
    first, with their number of decisions, of action items in scope and of those overdue on ``as_of``.
    At most ``limit`` rows (the latest ones): count them with :func:`meeting_counts`."""
    _, overdue, _ = followup._item_state(as_of)
    n_dec = sa.select(sa.func.count()).where(DE.c.meeting_id == JM.c.id).scalar_subquery()
    items = (sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0))
             .select_from(AI.join(DE, DE.c.id == AI.c.decision_id))
             .where(DE.c.meeting_id == JM.c.id, AI.c.created_on <= as_of, scope.where(AI.c.township_id)))
    n_items = items.with_only_columns(sa.func.count()).scalar_subquery()
    n_overdue = items.with_only_columns(
        sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0)).scalar_subquery()
    conds = _meeting_conds(scope, as_of, level, enterprise_id, start, end)
    stmt = (
        sa.select(JM.c.id, JM.c.level, JM.c.held_on, JM.c.title, JM.c.enterprise_id, E.c.name.label("enterprise"),
                  T.c.name.label("township"), n_dec.label("decisions"), n_items.label("items"),
                  n_overdue.label("overdue"))
        .select_from(_meeting_from())
        .where(*conds)
        .order_by(JM.c.held_on.desc(), JM.c.id.desc())
        .limit(limit)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=MEETING_COLUMNS)
    for col in ("decisions", "items", "overdue"):
        df[col] = df[col].astype(int)
    return df


@dataclass(frozen=True)
class MeetingCounts:
    total: int
    district: int
    enterprise: int


def meeting_counts(session: Session, scope: Scope, as_of: dt.date, *, level: str | None = None,
                   enterprise_id: int | None = None, start: dt.date | None = None,
                   end: dt.date | None = None) -> MeetingCounts:
    """How many meetings :func:`meetings` would list without a cap (same filters), per level,
    counted in SQL."""
    district = JM.c.level == MeetingLevel.DISTRICT.value
    row = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((district, 1), else_=0)), 0))
        .select_from(JM.outerjoin(E, E.c.id == JM.c.enterprise_id))
        .where(*_meeting_conds(scope, as_of, level, enterprise_id, start, end))
    ).one()
    total, n_district = int(row[0]), int(row[1])
    return MeetingCounts(total=total, district=n_district, enterprise=total - n_district)


def meeting_enterprises(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Enterprises in scope that held an enterprise-level meeting by ``as_of`` (for a filter)."""
    stmt = (
        sa.select(E.c.id.label("enterprise_id"), E.c.name).distinct()
        .select_from(JM.join(E, E.c.id == JM.c.enterprise_id))
        .where(JM.c.held_on <= as_of, scope.where(E.c.township_id))
        .order_by(E.c.name)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=["enterprise_id", "name"])


def meeting_candidates(session: Session, scope: Scope, as_of: dt.date, *, search: str = "",
                       limit: int = 200) -> pd.DataFrame:
    """Operating enterprises in scope with both a union and a Party organisation on ``as_of`` (the
    ones that hold enterprise-level joint meetings), name containing ``search``, by name, limited."""
    f = _pattern_on(session, scope, as_of, "candidates", Pattern.UNION_AND_BRANCH)  # union and Party org
    stmt = (sa.select(E.c.id.label("enterprise_id"), E.c.name, T.c.name.label("township"))
            .select_from(f.join(E, E.c.id == f.c.enterprise_id).join(T, T.c.id == E.c.township_id)))
    if search.strip():
        stmt = stmt.where(E.c.name.contains(search.strip()[:60], autoescape=True))
    stmt = stmt.order_by(E.c.name, E.c.id).limit(limit)
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=["enterprise_id", "name", "township"])


def district_meetings(session: Session, scope: Scope, *, until: dt.date | None = None) -> pd.DataFrame:
    """District-level joint meetings (``id``, ``held_on``, ``title``), latest first, held on or
    before ``until`` when given. District meetings are visible in every scope (``scope`` is taken
    for the uniform signature and future rules)."""
    stmt = sa.select(JM.c.id, JM.c.held_on, JM.c.title).where(JM.c.level == MeetingLevel.DISTRICT.value)
    if until is not None:
        stmt = stmt.where(JM.c.held_on <= until)
    stmt = stmt.order_by(JM.c.held_on.desc(), JM.c.id.desc())
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=["id", "held_on", "title"])


@dataclass(frozen=True)
class MeetingRef:
    id: int
    held_on: dt.date
    title: str


def _district_ref(session: Session, *conds: sa.ColumnElement[bool]) -> MeetingRef | None:
    """The latest district meeting (by held_on, then id) meeting ``conds``."""
    row = session.execute(
        sa.select(JM.c.id, JM.c.held_on, JM.c.title)
        .where(JM.c.level == MeetingLevel.DISTRICT.value, *conds)
        .order_by(JM.c.held_on.desc(), JM.c.id.desc()).limit(1)
    ).one_or_none()
    return MeetingRef(int(row.id), row.held_on, row.title) if row else None


def latest_district_meeting(session: Session, on_or_before: dt.date) -> MeetingRef | None:
    """The latest district meeting held on or before ``on_or_before`` (the latest id among those of
    the same day), or ``None``. District meetings are visible in every scope."""
    return _district_ref(session, JM.c.held_on <= on_or_before)


def previous_district_meeting(session: Session, meeting: MeetingRef) -> MeetingRef | None:
    """The district meeting before ``meeting`` in (held_on, id) order, or ``None`` for the first."""
    return _district_ref(session, sa.or_(JM.c.held_on < meeting.held_on,
                                         sa.and_(JM.c.held_on == meeting.held_on, JM.c.id < meeting.id)))


@dataclass(frozen=True)
class MeetingDetail:
    id: int
    level: str
    held_on: dt.date
    title: str
    agenda: str | None
    minutes: str | None
    enterprise_id: int | None
    enterprise: str | None
    township_id: int | None
    township: str | None
    attendees: pd.DataFrame  # name (unit name or the free-text name)
    decisions: pd.DataFrame  # id, text
    items: pd.DataFrame  # ITEM_COLUMNS, the items in scope


def meeting_detail(session: Session, scope: Scope, meeting_id: int, as_of: dt.date) -> MeetingDetail | None:
    """One meeting with attendees, decisions and its action items in scope (status as of
    ``as_of``); ``None`` when it does not exist, is not visible in ``scope`` or was held after ``as_of``."""
    row = session.execute(
        sa.select(JM, E.c.name.label("enterprise"), E.c.township_id.label("ent_township_id"),
                  T.c.name.label("township"))
        .select_from(_meeting_from())
        .where(JM.c.id == int(meeting_id), JM.c.held_on <= as_of, meeting_visible(scope))
    ).mappings().one_or_none()
    if row is None:
        return None
    attendees = pd.DataFrame(session.execute(
        sa.select(sa.func.coalesce(U.c.name, MA.c.name).label("name"), MA.c.unit_id)
        .select_from(MA.outerjoin(U, U.c.id == MA.c.unit_id))
        .where(MA.c.meeting_id == row["id"]).order_by(MA.c.id)
    ).mappings().all(), columns=["name", "unit_id"])
    decisions = pd.DataFrame(session.execute(
        sa.select(DE.c.id, DE.c.text).where(DE.c.meeting_id == row["id"]).order_by(DE.c.id)
    ).mappings().all(), columns=["id", "text"])
    return MeetingDetail(
        id=row["id"], level=row["level"].value if hasattr(row["level"], "value") else row["level"],
        held_on=row["held_on"], title=row["title"], agenda=row["agenda"], minutes=row["minutes"],
        enterprise_id=row["enterprise_id"], enterprise=row["enterprise"],
        township_id=row["ent_township_id"], township=row["township"],
        attendees=attendees, decisions=decisions,
        items=action_items(session, scope, as_of, meeting_id=row["id"], limit=None),
    )


# --------------------------------------------------------------------------- action items


ITEM_COLUMNS = ["id", "meeting_id", "meeting", "level", "held_on", "decision_id", "decision", "description",
                "owner_unit_id", "owner", "township_id", "created_on", "due_on", "status", "done_on", "label",
                "version", "days_overdue"]
#: the status keys of an item as of a date (``label``)
ITEM_LABELS = ("done", "overdue", "due_soon", "on_track")


def item_label_as_of(as_of: dt.date) -> sa.Case:
    """SQL: an item's status key as of ``as_of`` — ``done``, ``overdue``, ``due_soon`` (临期, within
    ``followup.DUE_SOON_DAYS``) or ``on_track`` (the SQL twin of ``views.status.item_label``)."""
    done, overdue, due_soon = followup._item_state(as_of)
    return sa.case((done, "done"), (overdue, "overdue"), (due_soon, "due_soon"), else_="on_track")


def _item_conds(scope: Scope, as_of: dt.date, meeting_id: int | None, owner_unit_id: int | None,
                only_open: bool, due_by: dt.date | None, created_before: dt.date | None,
                search: str) -> list[sa.ColumnElement[bool]]:
    """The conditions of :func:`action_items` / :func:`count_action_items` (on AI ⋈ DE ⋈ U)."""
    done, _, _ = followup._item_state(as_of)
    conds = [AI.c.created_on <= as_of, scope.where(AI.c.township_id)]
    if meeting_id is not None:
        conds.append(DE.c.meeting_id == int(meeting_id))
    if owner_unit_id is not None:
        conds.append(AI.c.owner_unit_id == int(owner_unit_id))
    if only_open:
        conds.append(sa.not_(done))
    if due_by is not None:
        conds.append(AI.c.due_on <= due_by)
    if created_before is not None:
        conds.append(AI.c.created_on < created_before)
    if search.strip():
        text = search.strip()[:60]
        conds.append(sa.or_(AI.c.description.contains(text, autoescape=True),
                            U.c.name.contains(text, autoescape=True)))
    return conds


def _item_from():
    return AI.join(DE, DE.c.id == AI.c.decision_id).join(U, U.c.id == AI.c.owner_unit_id)


#: the default cap of :func:`action_items` (the page says when it is reached)
ITEMS_LIMIT = 2000


def action_items(session: Session, scope: Scope, as_of: dt.date, *, meeting_id: int | None = None,
                 owner_unit_id: int | None = None, only_open: bool = False, due_by: dt.date | None = None,
                 created_before: dt.date | None = None, search: str = "",
                 limit: int | None = ITEMS_LIMIT) -> pd.DataFrame:
    """Action items created by ``as_of`` in scope (``ITEM_COLUMNS``), overdue first (most days
    overdue first), then by due date. ``status`` is the status as of the date, ``label`` the status
    key (``done``/``overdue``/``due_soon``/``on_track``, :func:`item_label_as_of`; words and colour
    are the view's), ``days_overdue`` = as_of − due_on for overdue items, else 0; ``version`` the
    row's version, which a status save sends back (``dashboard.edits.update_row``).

    Filters, all in SQL: ``meeting_id``, ``owner_unit_id``; ``only_open`` — not done by ``as_of``;
    ``due_by`` — ``due_on ≤ due_by`` (overdue items are, when ``due_by ≥ as_of``);
    ``created_before`` — decided before that date (``created_on < created_before``); ``search`` —
    description or owner unit name containing the text. At most ``limit`` rows (``None``: all);
    :func:`count_action_items` counts them without the cap.
    """
    done, overdue, _ = followup._item_state(as_of)
    status = followup.item_status_as_of(as_of)
    conds = _item_conds(scope, as_of, meeting_id, owner_unit_id, only_open, due_by, created_before, search)
    order = (sa.case((overdue, 0), (done, 2), else_=1), AI.c.due_on, AI.c.id)
    # the listed items picked first, on the items' own columns (the order is theirs: their decision and
    # owner unit are joined only when a filter needs them — every item has both), then dressed: the
    # district's 50,000 items are not all joined to their decision, unit and meeting to keep 2,000
    needs_join = meeting_id is not None or bool(search.strip())
    picked = (sa.select(AI.c.id.label("id"), *(c.label(f"k{k}") for k, c in enumerate(order)))
              .select_from(_item_from() if needs_join else AI).where(*conds).order_by(*order).limit(limit)
              .subquery("picked"))
    stmt = (
        sa.select(AI.c.id, DE.c.meeting_id, JM.c.title.label("meeting"), JM.c.level, JM.c.held_on,
                  AI.c.decision_id, DE.c.text.label("decision"), AI.c.description, AI.c.owner_unit_id,
                  U.c.name.label("owner"), AI.c.township_id, AI.c.created_on, AI.c.due_on, status.label("status"),
                  sa.case((done, AI.c.done_on), else_=None).label("done_on"), item_label_as_of(as_of).label("label"),
                  AI.c.version)
        .select_from(picked.join(AI, AI.c.id == picked.c.id).join(DE, DE.c.id == AI.c.decision_id)
                     .join(U, U.c.id == AI.c.owner_unit_id).join(JM, JM.c.id == DE.c.meeting_id))
        .order_by(picked.c.k0, picked.c.k1, picked.c.k2)
    )
    rows = session.execute(stmt).mappings().all()
    df = pd.DataFrame(rows, columns=ITEM_COLUMNS[:17])
    df["level"] = [getattr(v, "value", v) for v in df["level"]]
    df["days_overdue"] = [(as_of - d).days if lab == "overdue" else 0
                          for d, lab in zip(df["due_on"], df["label"], strict=True)]
    return df[ITEM_COLUMNS]


def count_action_items(session: Session, scope: Scope, as_of: dt.date, *, meeting_id: int | None = None,
                       owner_unit_id: int | None = None, only_open: bool = False, due_by: dt.date | None = None,
                       created_before: dt.date | None = None, search: str = "") -> int:
    """How many items :func:`action_items` would list without a cap (same filters), counted in SQL."""
    conds = _item_conds(scope, as_of, meeting_id, owner_unit_id, only_open, due_by, created_before, search)
    return int(session.execute(sa.select(sa.func.count()).select_from(_item_from()).where(*conds)).scalar_one())


@dataclass(frozen=True)
class ItemLabelCounts:
    """How many items have each status key as of a date (they add up to ``total``)."""

    done: int
    overdue: int
    due_soon: int
    on_track: int

    @property
    def total(self) -> int:
        return self.done + self.overdue + self.due_soon + self.on_track

    @property
    def open(self) -> int:
        """Neither done nor overdue (due soon or on track)."""
        return self.due_soon + self.on_track


def count_item_labels(session: Session, scope: Scope, as_of: dt.date, *, meeting_id: int | None = None,
                      owner_unit_id: int | None = None, only_open: bool = False, due_by: dt.date | None = None,
                      created_before: dt.date | None = None, search: str = "") -> ItemLabelCounts:
    """The items :func:`action_items` would list without a cap (same filters), counted per status
    key (``label``) in SQL."""
    conds = _item_conds(scope, as_of, meeting_id, owner_unit_id, only_open, due_by, created_before, search)
    done, overdue, due_soon = followup._item_state(as_of)
    n = lambda c: sa.func.coalesce(sa.func.sum(sa.case((c, 1), else_=0)), 0)  # noqa: E731
    row = session.execute(
        sa.select(sa.func.count(), n(done), n(overdue), n(due_soon)).select_from(_item_from()).where(*conds)
    ).one()
    total, d, o, s = (int(x) for x in row)
    return ItemLabelCounts(done=d, overdue=o, due_soon=s, on_track=total - d - o - s)


def item_board(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """The action-item board per owner unit as of ``as_of`` (``followup.action_item_board``, the
    app's one 临期 window ``followup.DUE_SOON_DAYS``): ``owner_unit_id, owner, not_started,
    in_progress, overdue, done, total, due_soon, oldest_due`` plus ``max_days_overdue``, most
    overdue first. The unit's status (its worst item) is the view's (``views.meetings.owner_label``)."""
    df = followup.action_item_board(session, scope, as_of)
    df["max_days_overdue"] = [(as_of - d).days if isinstance(d, dt.date) else 0 for d in df["oldest_due"]]
    return df


# --------------------------------------------------------------------------- since the last district meeting


@dataclass(frozen=True)
class SinceLastMeeting:
    """What a district meeting decided and what happened since, as of ``as_of``.

    * ``meeting`` — the reference district meeting; ``previous`` — the district meeting before it
      (or ``None``);
    * ``decided`` — its action items in scope (``ITEM_COLUMNS``: description, owner, due_on, status
      as of, days_overdue, label …), overdue first;
    * ``done`` / ``late`` / ``open`` — done by ``as_of`` / overdue on ``as_of`` / neither (they add up
      to ``len(decided)``, counted in SQL); ``due_soon`` — of ``open``, due within
      ``followup.DUE_SOON_DAYS`` days;
    * ``new_should_build`` — enterprises in scope that are 应建未建 on ``as_of`` and were not on the
      meeting date (not operating then, or in another pattern): enterprise_id, name, township,
      party_members, pattern_then (``None`` when not operating then); ``closed_should_build`` — how
      many that were 应建未建 on the meeting date no longer are (founded, or closed);
    * ``coverage_then`` / ``coverage_now`` — ``coverage_kpis`` on the meeting date and on ``as_of``.
    """

    as_of: dt.date
    meeting: MeetingRef
    previous: MeetingRef | None
    decided: pd.DataFrame
    done: int
    late: int
    open: int
    due_soon: int
    new_should_build: pd.DataFrame
    closed_should_build: int
    coverage_then: coverage.CoverageKpis
    coverage_now: coverage.CoverageKpis

    @property
    def n_new_should_build(self) -> int:
        return len(self.new_should_build)

    @property
    def days_since(self) -> int:
        return (self.as_of - self.meeting.held_on).days


def _pattern_on(session: Session, scope: Scope, day: dt.date, name: str, pattern: Pattern | None = None) -> sa.Subquery:
    """enterprise_id, township_id, party_members, pattern of the operating enterprises in scope on
    ``day``: from the ``enterprise_state`` summary when it is fresh (an index range per pattern),
    else the exact SQL of ``coverage.enterprise_flags`` (same rules, slower). ``pattern`` keeps one.
    From the summary, also the period's ``valid_from`` and ``valid_to``."""
    if coverage.summaries_fresh(session):
        stmt = (sa.select(ES.c.enterprise_id, ES.c.township_id, ES.c.party_members, ES.c.pattern, ES.c.valid_from,
                          ES.c.valid_to)
                .where(coverage.active(ES.c.valid_from, ES.c.valid_to, day), scope.where(ES.c.township_id),
                       ES.c.in_base if scope.base == Base.SANYOU else sa.true()))
        return (stmt if pattern is None else stmt.where(ES.c.pattern == pattern.value)).subquery(name)
    f = coverage.enterprise_flags(scope, day).element.subquery(f"{name}_flags")
    stmt = sa.select(f.c.enterprise_id, f.c.township_id, f.c.party_members, f.c.pattern)
    return (stmt if pattern is None else stmt.where(f.c.pattern == pattern.value)).subquery(name)


#: ``pattern_then`` of an enterprise that operated on the meeting date but was outside the 党建基数
OUT_OF_BASE = "out_of_base"


def _should_build_changes(session: Session, scope: Scope, then: dt.date, now: dt.date,
                          limit: int | None = 500) -> tuple[pd.DataFrame, int]:
    sb = Pattern.SHOULD_BUILD
    f_now = _pattern_on(session, scope, now, "p_now", sb)
    f_then = _pattern_on(session, scope, then, "p_then", sb)
    if coverage.summaries_fresh(session):
        # a correlated index lookup per enterprise (SQLite plans an outer join of two summary
        # subqueries as a nested scan: minutes at 200,000 enterprises)
        # (the pattern is compared outside the lookup, so that it goes by enterprise_id, not by pattern)
        in_base = ES.c.in_base if scope.base == Base.SANYOU else sa.true()  # out of the base: no pattern

        def pattern_on(col, day):
            return sa.func.coalesce(sa.select(ES.c.pattern).where(
                ES.c.enterprise_id == col, coverage.active(ES.c.valid_from, ES.c.valid_to, day), in_base)
                .limit(1).scalar_subquery(), "")
        # Only a period that began after ``then`` can be new, and only one that ended by ``now`` can be
        # closed: a 应建未建 period active on both dates is one that did not change (an enterprise's
        # periods do not overlap; the lookup below would find that same period). So only the periods that
        # began (ended) between the two dates — a few hundred, told apart on the pattern index's entries —
        # are looked up, instead of every 应建未建 period of the district (50,000 at 1M, 0.9 s on PostgreSQL).
        # (the period's dates repeated before the lookup: SQLite tests the terms in this order)
        new_from = f_now
        new_cond = sa.and_(f_now.c.valid_from > then, f_now.c.valid_from <= now,
                           pattern_on(f_now.c.enterprise_id, then) != sb.value)
        closed_from = f_then
        closed_cond = sa.and_(f_then.c.valid_to.is_not(None), f_then.c.valid_to > then, f_then.c.valid_to <= now,
                              pattern_on(f_then.c.enterprise_id, now) != sb.value)
    else:
        new_from = f_now.outerjoin(f_then, f_then.c.enterprise_id == f_now.c.enterprise_id)
        new_cond = f_then.c.enterprise_id.is_(None)
        closed_from = f_then.outerjoin(f_now, f_now.c.enterprise_id == f_then.c.enterprise_id)
        closed_cond = f_now.c.enterprise_id.is_(None)
    new = (
        sa.select(f_now.c.enterprise_id, E.c.name, T.c.name.label("township"), f_now.c.party_members)
        .select_from(new_from.join(E, E.c.id == f_now.c.enterprise_id).join(T, T.c.id == f_now.c.township_id))
        .where(new_cond)
        .order_by(f_now.c.party_members.desc(), f_now.c.enterprise_id)
        .limit(limit)
    )
    df = pd.DataFrame(session.execute(new).mappings().all(),
                      columns=["enterprise_id", "name", "township", "party_members"])
    before: dict[int, str] = {}
    if len(df):  # what these enterprises were on the meeting date (nothing: not operating then; OUT_OF_BASE:
        # operating, but outside the scope's 党建基数)
        ids = [int(i) for i in df["enterprise_id"]]
        for base in dict.fromkeys((Base.ALL, scope.base)):  # the scope's base last: it wins
            p_then = _pattern_on(session, scope.with_base(base), then, f"p_before_{base.value}")
            found = dict(session.execute(sa.select(p_then.c.enterprise_id, p_then.c.pattern)
                                         .where(p_then.c.enterprise_id.in_(ids))).all())
            before = ({i: OUT_OF_BASE for i in before} | found) if base != Base.ALL else found
    df["pattern_then"] = pd.Series([before.get(int(i)) for i in df["enterprise_id"]], dtype=object, index=df.index)
    closed = session.execute(sa.select(sa.func.count()).select_from(closed_from).where(closed_cond)).scalar_one()
    return df, int(closed)


def since_last_meeting(session: Session, scope: Scope, as_of: dt.date, *,
                       meeting_id: int | None = None) -> SinceLastMeeting | None:
    """The since-the-last-district-meeting summary (see :class:`SinceLastMeeting`).

    The reference meeting is ``meeting_id`` when given — it must be a district-level meeting held
    on or before ``as_of`` — else the latest district meeting held on or before ``as_of``.
    Returns ``None`` when there is no such meeting (none yet, or ``meeting_id`` is not one: an
    untrusted id never raises). Everything is restricted to ``scope`` in SQL; a township scope
    sees only its townships' items and enterprises.
    """
    if meeting_id is not None:
        try:
            wanted = int(meeting_id)
        except (TypeError, ValueError):
            return None
        meeting = _district_ref(session, JM.c.id == wanted, JM.c.held_on <= as_of)
    else:
        meeting = latest_district_meeting(session, as_of)
    if meeting is None:
        return None
    decided = action_items(session, scope, as_of, meeting_id=meeting.id, limit=None)
    counts = count_item_labels(session, scope, as_of, meeting_id=meeting.id)  # the figures: counted in SQL
    new_sb, closed_sb = _should_build_changes(session, scope, meeting.held_on, as_of)
    return SinceLastMeeting(
        as_of=as_of, meeting=meeting, previous=previous_district_meeting(session, meeting),
        decided=decided, done=counts.done, late=counts.overdue, open=counts.open, due_soon=counts.due_soon,
        new_should_build=new_sb, closed_should_build=closed_sb,
        coverage_then=coverage.coverage_kpis(session, scope, meeting.held_on),
        coverage_now=coverage.coverage_kpis(session, scope, as_of),
    )


# --------------------------------------------------------------------------- mechanism coverage


MECHANISM_COLUMNS = ["township_id", "code", "name", "eligible", "with_meeting", "rate"]


def mechanism_coverage(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """两级联席会议制 at enterprise level, per township in scope, as of ``as_of``.

    Denominator (``eligible``): operating enterprises that have both a union and a Party
    organisation (own or joint) on ``as_of``. Numerator (``with_meeting``): those of them that held
    an enterprise-level joint meeting in the 12 months up to ``as_of`` (year_before(as_of) <
    held_on ≤ as_of). ``rate`` = numerator ÷ denominator (None when 0). Every township in scope
    has a row; the district rate is Σ numerators ÷ Σ denominators (never an average).
    """
    # union and Party organisation on the date ⇔ pattern 一会一支 (应建未建 has no Party organisation,
    # 未建会 no union; the classification's order puts every other case with both in 一会一支)
    uab = Pattern.UNION_AND_BRANCH
    in_window = sa.and_(JM.c.held_on > year_before(as_of), JM.c.held_on <= as_of)
    if coverage.summaries_fresh(session):
        # the denominators are the summary's count of 一会一支 per township (the same periods, counted
        # ahead), and the numerators start from the meetings: the enterprises that met in the window
        # (a year's meetings), each one's pattern period on the date looked up — instead of every
        # 一会一支 enterprise of the district looked up among the meetings
        rows = coverage.summary_rows(session, scope, as_of, ["pattern_" + uab.value]).subquery("rows")
        eligible = (sa.select(rows.c.township_id, sa.func.sum(rows.c["pattern_" + uab.value]).label("eligible"))
                    .group_by(rows.c.township_id).subquery("eligible"))
        # a meeting with an enterprise is enterprise-level (ck_meeting_level_enterprise)
        met = sa.select(JM.c.enterprise_id).where(JM.c.enterprise_id.is_not(None), in_window).distinct().subquery("met")
        in_base = ES.c.in_base if scope.base == Base.SANYOU else sa.true()
        # each one's township when it is 一会一支 in scope on the date (its one period then), else NULL — a
        # lookup per enterprise that met, written so: a join let both databases read every 一会一支 period
        # instead (SQLite by the pattern index, PostgreSQL in a hash join)
        town = (sa.select(ES.c.township_id)
                .where(ES.c.enterprise_id == met.c.enterprise_id, coverage.active(ES.c.valid_from, ES.c.valid_to, as_of),
                       plan.unindexed(ES.c.pattern) == uab.value, scope.where(ES.c.township_id), in_base)
                .limit(1).scalar_subquery())
        looked_up = sa.select(town.label("township_id")).select_from(met).subquery("looked_up")
        with_meeting = (  # (the NULL group, those not 一会一支 in scope, joins no township)
            sa.select(looked_up.c.township_id, sa.func.count().label("with_meeting"))
            .group_by(looked_up.c.township_id).subquery("with_meeting"))
        per_township = (
            sa.select(T.c.id.label("township_id"), eligible.c.eligible, with_meeting.c.with_meeting)
            .select_from(T.outerjoin(eligible, eligible.c.township_id == T.c.id)
                         .outerjoin(with_meeting, with_meeting.c.township_id == T.c.id))
            .subquery("mech"))
    else:
        f = _pattern_on(session, scope, as_of, "mech_pattern", uab)
        # no level test here, so that the lookup goes by the enterprise_id index, not by (level, held_on)
        met = sa.select(sa.literal(1)).where(JM.c.enterprise_id == f.c.enterprise_id, in_window).exists()
        per_township = (
            sa.select(f.c.township_id, sa.func.count().label("eligible"),
                      sa.func.coalesce(sa.func.sum(sa.case((met, 1), else_=0)), 0).label("with_meeting"))
            .where(f.c.pattern == uab.value).group_by(f.c.township_id).subquery("mech")
        )
    stmt = (
        sa.select(T.c.id.label("township_id"), T.c.code, T.c.name,
                  sa.func.coalesce(per_township.c.eligible, 0).label("eligible"),
                  sa.func.coalesce(per_township.c.with_meeting, 0).label("with_meeting"))
        .select_from(T.outerjoin(per_township, per_township.c.township_id == T.c.id))
        .where(scope.where(T.c.id))
        .order_by(T.c.sort_order, T.c.code)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=MECHANISM_COLUMNS[:5])
    df["eligible"] = df["eligible"].astype(int)
    df["with_meeting"] = df["with_meeting"].astype(int)
    df["rate"] = [n / d if d else None for n, d in zip(df["with_meeting"], df["eligible"], strict=True)]
    return df


# --------------------------------------------------------------------------- coordination notices


NOTICE_COLUMNS = ["id", "direction", "enterprise_id", "enterprise", "township_id", "township", "from_unit",
                  "to_unit", "sent_on", "respond_by", "acknowledged_on", "resolved_on", "note", "status",
                  "overdue", "version", "days_overdue", "days_to_respond"]


#: the default cap of :func:`notices` (the page says when it is reached)
NOTICES_LIMIT = 1000


def notices(session: Session, scope: Scope, as_of: dt.date, *, direction: str | None = None,
            status: str | None = None, unresolved: bool = False, limit: int | None = NOTICES_LIMIT) -> pd.DataFrame:
    """协调通报 sent by ``as_of`` about enterprises in scope, both directions, overdue first; at most
    ``limit`` rows (:func:`notice_counts` counts them all). ``unresolved``: only those not resolved
    by ``as_of`` (sent or acknowledged).

    ``status`` as of the date (``rules.notice_status``): resolved / acknowledged / sent (dates after
    ``as_of`` are not known yet and come back as ``None``). ``overdue``: the reply date has passed
    and the notice is neither acknowledged nor resolved (the overview's rule); ``days_overdue`` =
    as_of − respond_by for those; ``days_to_respond`` = days from sending to the first response
    (acknowledgement or resolution) by the date, else ``None``; ``version`` the row's version, which
    a response save sends back.
    """
    ack = sa.case((CN.c.acknowledged_on <= as_of, CN.c.acknowledged_on), else_=None)
    res = sa.case((CN.c.resolved_on <= as_of, CN.c.resolved_on), else_=None)
    st = sa.case((CN.c.resolved_on <= as_of, NoticeStatus.RESOLVED.value),
                 (CN.c.acknowledged_on <= as_of, NoticeStatus.ACKNOWLEDGED.value),
                 else_=NoticeStatus.SENT.value)
    overdue = followup._notice_overdue(as_of)
    fu, tu = U.alias("from_u"), U.alias("to_u")
    conds = [CN.c.sent_on <= as_of, scope.where(E.c.township_id)]
    if direction:
        conds.append(CN.c.direction == direction)
    if status:
        conds.append(st == NoticeStatus(status).value)
    if unresolved:
        conds.append(st != NoticeStatus.RESOLVED.value)
    stmt = (
        sa.select(CN.c.id, CN.c.direction, CN.c.enterprise_id, E.c.name.label("enterprise"), E.c.township_id,
                  T.c.name.label("township"), fu.c.name.label("from_unit"), tu.c.name.label("to_unit"), CN.c.sent_on,
                  CN.c.respond_by, ack.label("acknowledged_on"), res.label("resolved_on"), CN.c.note,
                  st.label("status"), sa.case((overdue, True), else_=False).label("overdue"), CN.c.version)
        .select_from(CN.join(E, E.c.id == CN.c.enterprise_id).join(T, T.c.id == E.c.township_id)
                     .join(fu, fu.c.id == CN.c.from_unit_id).join(tu, tu.c.id == CN.c.to_unit_id))
        .where(*conds)
        .order_by(sa.case((overdue, 0), (st == NoticeStatus.SENT.value, 1), (st == NoticeStatus.ACKNOWLEDGED.value, 2),
                          else_=3), CN.c.respond_by, CN.c.id)
        .limit(limit)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=NOTICE_COLUMNS[:16])
    df["direction"] = [getattr(v, "value", v) for v in df["direction"]]
    df["overdue"] = df["overdue"].astype(bool)
    df["days_overdue"] = [(as_of - r).days if o else 0 for r, o in zip(df["respond_by"], df["overdue"], strict=True)]
    first = [min([d for d in (a, r) if isinstance(d, dt.date)], default=None)
             for a, r in zip(df["acknowledged_on"], df["resolved_on"], strict=True)]
    df["days_to_respond"] = pd.array([(f - s).days if f is not None else None
                                      for f, s in zip(first, df["sent_on"], strict=True)], dtype="Int64")
    return df[NOTICE_COLUMNS]


@dataclass(frozen=True)
class NoticeCounts:
    sent: int  # neither acknowledged nor resolved
    acknowledged: int
    resolved: int
    overdue: int

    @property
    def total(self) -> int:
        return self.sent + self.acknowledged + self.resolved


def notice_counts(session: Session, scope: Scope, as_of: dt.date, *, direction: str | None = None) -> NoticeCounts:
    """Counts of notices sent by ``as_of`` in scope by status as of the date (aggregated in SQL)."""
    n = lambda c: sa.func.coalesce(sa.func.sum(sa.case((c, 1), else_=0)), 0)  # noqa: E731
    resolved = CN.c.resolved_on <= as_of
    acked = sa.and_(sa.or_(CN.c.resolved_on.is_(None), CN.c.resolved_on > as_of), CN.c.acknowledged_on <= as_of)
    conds = [CN.c.sent_on <= as_of, scope.where(E.c.township_id)]
    if direction:
        conds.append(CN.c.direction == direction)
    row = session.execute(
        sa.select(sa.func.count(), n(resolved), n(acked), n(followup._notice_overdue(as_of)))
        .select_from(CN.join(E, E.c.id == CN.c.enterprise_id)).where(*conds)
    ).one()
    total, r, a, o = (int(x) for x in row)
    return NoticeCounts(sent=total - r - a, acknowledged=a, resolved=r, overdue=o)


# --------------------------------------------------------------------------- units


def units(session: Session, *, owners_for: Scope | None = None) -> pd.DataFrame:
    """Units (``id, code, name, township_id``), district units first, then by township and id: the
    choices of the attendee and owner fields. ``owners_for``: only the units an actor of that
    scope may make an action item's owner — district units (no township) and units of its
    townships (every unit for the whole-district scope)."""
    stmt = sa.select(U.c.id, U.c.code, U.c.name, U.c.township_id)
    if owners_for is not None:
        stmt = stmt.where(sa.or_(U.c.township_id.is_(None), owners_for.where(U.c.township_id)))
    stmt = stmt.order_by(U.c.township_id.is_not(None), U.c.township_id, U.c.id)
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=["id", "code", "name", "township_id"])
