"""The leading group (领导小组) as of a date: its members, the changes over time, the documents it
issued, and the four mechanisms it runs — each with its last activity and its figures of the 12
months up to the date, counted in SQL in the caller's scope (the group itself is the district's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.dates import year_before
from dashboard.queries.scope import Scope
from models.enums import GroupRole, MeetingLevel
from models.tables import (
    ActionItem,
    ActivistRecommendation,
    CoordinationNotice,
    DoubleLoveAward,
    Enterprise,
    GroupDocument,
    JointMeeting,
    LeadingGroupMember,
    Unit,
)

GM = LeadingGroupMember.__table__
GD = GroupDocument.__table__
U = Unit.__table__
E = Enterprise.__table__
CN = CoordinationNotice.__table__
JM = JointMeeting.__table__
AI = ActionItem.__table__
AR = ActivistRecommendation.__table__
DA = DoubleLoveAward.__table__

MEMBER_COLUMNS = ["id", "name", "position", "role", "unit", "unit_id", "sort_order", "from_on", "to_on", "version"]
ROLE_ORDER = {GroupRole.LEADER.value: 0, GroupRole.DEPUTY.value: 1, GroupRole.MEMBER.value: 2}


def members(session: Session, as_of: dt.date) -> pd.DataFrame:
    """The group on ``as_of``: leader, deputies, members (by their order), with their units."""
    role = sa.case(*((GM.c.role == r, k) for r, k in ROLE_ORDER.items()), else_=9)
    rows = session.execute(
        sa.select(GM.c.id, GM.c.name, GM.c.position, GM.c.role, U.c.name.label("unit"), GM.c.unit_id, GM.c.sort_order,
                  GM.c.from_on, GM.c.to_on, GM.c.version)
        .outerjoin(U, U.c.id == GM.c.unit_id)
        .where(GM.c.from_on <= as_of, sa.or_(GM.c.to_on.is_(None), GM.c.to_on > as_of))
        .order_by(role, GM.c.sort_order, GM.c.id)
    ).mappings().all()
    return pd.DataFrame(rows, columns=MEMBER_COLUMNS)


def changes(session: Session, as_of: dt.date, *, limit: int = 60) -> pd.DataFrame:
    """day, change ("joined" / "left"), name, position, role — the group's changes up to ``as_of``,
    newest first."""
    joined = sa.select(GM.c.from_on.label("day"), sa.literal("joined").label("change"), GM.c.name, GM.c.position,
                       GM.c.role).where(GM.c.from_on <= as_of)
    left = sa.select(GM.c.to_on.label("day"), sa.literal("left").label("change"), GM.c.name, GM.c.position,
                     GM.c.role).where(GM.c.to_on.is_not(None), GM.c.to_on <= as_of)
    both = sa.union_all(joined, left).subquery("changes")
    rows = session.execute(sa.select(both).order_by(both.c.day.desc(), both.c.change.desc(), both.c.position)
                           .limit(int(limit))).mappings().all()
    return pd.DataFrame(rows, columns=["day", "change", "name", "position", "role"])


def documents(session: Session, as_of: dt.date) -> pd.DataFrame:
    """The documents issued up to ``as_of``, newest first."""
    rows = session.execute(sa.select(GD.c.id, GD.c.title, GD.c.doc_no, GD.c.issuer, GD.c.issued_on, GD.c.summary,
                                     GD.c.version)
                           .where(GD.c.issued_on <= as_of).order_by(GD.c.issued_on.desc(), GD.c.id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=["id", "title", "doc_no", "issuer", "issued_on", "summary", "version"])


@dataclass(frozen=True)
class Mechanism:
    """One of the four mechanisms: ``key`` (notices, meetings, recommendations, awards), the date of
    its last activity up to the date (None: none yet), its figures of the 12 months up to the date."""

    key: str
    last: dt.date | None
    figures: dict[str, int]


def _n(cond) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def mechanisms(session: Session, scope: Scope, as_of: dt.date) -> list[Mechanism]:
    """协调通报制 (notices sent, answered and resolved in the window), 两级联席会议制 (district and
    enterprise joint meetings held, action items done), 荐优纳新推评制 (workers recommended by the
    unions, new Party members admitted from them — ``queries.development``'s figures), 双爱双评 (awards of the
    newest round published by the date, by category, its date the publication's). The window: the day after the same date a year
    earlier up to ``as_of``."""
    start = year_before(as_of)  # exclusive
    inside = lambda col: sa.and_(col > start, col <= as_of)  # noqa: E731
    ent_scope = scope.where(E.c.township_id)

    n = session.execute(
        sa.select(sa.func.max(sa.case((CN.c.sent_on <= as_of, CN.c.sent_on))), _n(inside(CN.c.sent_on)),
                  _n(inside(CN.c.acknowledged_on)), _n(inside(CN.c.resolved_on)))
        .select_from(CN.join(E, E.c.id == CN.c.enterprise_id)).where(ent_scope)).one()
    notices = Mechanism("notices", n[0], {"sent": int(n[1]), "acknowledged": int(n[2]), "resolved": int(n[3])})

    meeting_scope = sa.or_(sa.and_(JM.c.level == MeetingLevel.DISTRICT.value, sa.true() if scope.township_ids is None
                                   else sa.false()),
                           scope.where(sa.func.coalesce(JM.c.township_id, E.c.township_id)))
    m = session.execute(
        sa.select(sa.func.max(sa.case((JM.c.held_on <= as_of, JM.c.held_on))),
                  _n(sa.and_(inside(JM.c.held_on), JM.c.level == MeetingLevel.DISTRICT.value)),
                  _n(sa.and_(inside(JM.c.held_on), JM.c.level != MeetingLevel.DISTRICT.value)))
        .select_from(JM.outerjoin(E, E.c.id == JM.c.enterprise_id)).where(meeting_scope)).one()
    done = session.execute(sa.select(sa.func.count()).select_from(AI)
                           .where(inside(AI.c.done_on), scope.where(AI.c.township_id))).scalar_one()
    meetings = Mechanism("meetings", m[0], {"district": int(m[1]), "enterprise": int(m[2]), "items_done": int(done)})

    r = session.execute(
        sa.select(sa.func.max(sa.case((AR.c.recommended_on <= as_of, AR.c.recommended_on))),
                  _n(inside(AR.c.recommended_on)),
                  # admitted: new Party members (预备党员) through the union, as /development counts them
                  _n(inside(AR.c.probationary_on)))
        .select_from(AR.join(E, E.c.id == AR.c.enterprise_id)).where(ent_scope)).one()
    recommendations = Mechanism("recommendations", r[0], {"recommended": int(r[1]), "admitted": int(r[2])})

    # the newest round published by the date (queries.awards: in the nominating townships in scope)
    from dashboard.queries.awards import latest_published

    latest, published_on, by_cat = latest_published(session, scope, as_of)
    awards = Mechanism("awards", published_on, {"year": int(latest or 0), "worker": by_cat.get("worker", 0),
                                        "manager": by_cat.get("manager", 0)})
    return [notices, meetings, recommendations, awards]
