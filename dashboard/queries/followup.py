"""Follow-up figures: action items of joint meetings, founding leads, coordination notices.

District-level action items (no township) are visible only to the whole-district scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import coverage, leads, plan
from dashboard.queries.scope import Scope
from models.enums import ActionStatus, LeadStage
from models.tables import ActionItem, CoordinationNotice, Enterprise, FoundingLead, FoundingLeadStage, Township, Unit

AI = ActionItem.__table__
FL = FoundingLead.__table__
FLS = FoundingLeadStage.__table__
CN = CoordinationNotice.__table__
E = Enterprise.__table__
U = Unit.__table__
T = Township.__table__

DUE_SOON_DAYS = 14


def _item_state(as_of: dt.date):
    done = sa.and_(AI.c.done_on.is_not(None), AI.c.done_on <= as_of)
    overdue = sa.and_(sa.not_(done), AI.c.due_on < as_of)
    due_soon = sa.and_(sa.not_(done), AI.c.due_on >= as_of, AI.c.due_on <= as_of + dt.timedelta(DUE_SOON_DAYS))
    return done, overdue, due_soon


@dataclass(frozen=True)
class ItemCounts:
    total: int
    done: int
    open: int
    overdue: int
    due_soon: int


def action_item_counts(session: Session, scope: Scope, as_of: dt.date) -> ItemCounts:
    done, overdue, due_soon = _item_state(as_of)
    n = lambda c: sa.func.coalesce(sa.func.sum(sa.case((c, 1), else_=0)), 0)  # noqa: E731
    row = session.execute(
        sa.select(sa.func.count(), n(done), n(overdue), n(due_soon)).where(
            AI.c.created_on <= as_of, scope.where(AI.c.township_id)
        )
    ).one()
    total, d, o, s = (int(x) for x in row)
    return ItemCounts(total=total, done=d, open=total - d, overdue=o, due_soon=s)


def overdue_items_by_township(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Overdue action items per township (township-owned items only)."""
    _, overdue, _ = _item_state(as_of)
    stmt = (
        sa.select(AI.c.township_id, sa.func.count().label("overdue"))
        .where(AI.c.created_on <= as_of, overdue, AI.c.township_id.is_not(None), scope.where(AI.c.township_id))
        .group_by(AI.c.township_id)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["township_id", "overdue"])


def overdue_items(session: Session, scope: Scope, as_of: dt.date, limit: int = 50) -> pd.DataFrame:
    _, overdue, _ = _item_state(as_of)
    stmt = (
        sa.select(AI.c.id, AI.c.description, U.c.name.label("owner"), AI.c.due_on,
                  AI.c.township_id)
        .join(U, U.c.id == AI.c.owner_unit_id)
        .where(AI.c.created_on <= as_of, overdue, scope.where(AI.c.township_id))
        .order_by(AI.c.due_on, AI.c.id)
        .limit(limit)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=["id", "description", "owner", "due_on", "township_id"])
    df["days_overdue"] = [(as_of - d).days for d in df["due_on"]]
    return df


def _overdue_leads(session: Session, scope: Scope, as_of: dt.date) -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
    """(from, condition): the leads in 已发建会通知书 on ``as_of`` whose notice's deadline has passed
    (``queries.leads``'s rule), written so that the plan reads only what it needs:

    * no lead changed stage after ``as_of`` (``leads._is_current``: the overview as of today): a
      lead's own ``stage`` is its stage on the date, and the rule is the condition of the partial
      index ``ix_founding_lead_overdue`` (0018) — the overdue notices in deadline order, no stage
      period read (``identified_on ≤ as_of`` follows from the deadline, ``ck_lead_deadline``);
    * an earlier date, some townships: the scope's leads whose deadline has passed
      (``ix_founding_lead_pipeline`` starts with the township), each one's stage on the date looked
      up (``ix_founding_lead_stage_lead_id``) — a township's few dozen, not the district's;
    * an earlier date, the whole district: the stage periods of 已发建会通知书 in force on the date
      (``ix_founding_lead_stage_stage_start``) joined to their leads.
    """
    if leads._is_current(session, as_of):
        # (``leads._overdue`` with the stage term marked likely(): SQLite would otherwise walk every lead in
        # 已发建会通知书 by ``ix_founding_lead_stage`` and look up each one's deadline)
        return FL, sa.and_(plan.likely(FL.c.stage == leads._value(LeadStage.NOTICE_SENT)),
                           FL.c.notice_deadline.is_not(None), FL.c.notice_deadline < as_of,
                           scope.where(FL.c.township_id))
    if scope.township_ids is not None:
        stage = (sa.select(FLS.c.stage).where(FLS.c.lead_id == FL.c.id, leads._in_force(as_of))
                 .limit(1).scalar_subquery())
        return FL, sa.and_(leads._overdue(stage, as_of), scope.where(FL.c.township_id))
    now = leads._now(as_of)
    return now.join(FL, FL.c.id == now.c.lead_id), leads._overdue(now.c.stage, as_of)


def _notice_overdue(as_of: dt.date):
    return sa.and_(
        CN.c.sent_on <= as_of,
        CN.c.respond_by < as_of,
        sa.or_(CN.c.acknowledged_on.is_(None), CN.c.acknowledged_on > as_of),
        sa.or_(CN.c.resolved_on.is_(None), CN.c.resolved_on > as_of),
    )


def overdue_leads(session: Session, scope: Scope, as_of: dt.date, limit: int | None = 50) -> pd.DataFrame:
    joined, where = _overdue_leads(session, scope, as_of)
    stmt = (
        sa.select(FL.c.id, FL.c.enterprise_name, FL.c.source, FL.c.notice_deadline, FL.c.township_id)
        .select_from(joined).where(where)
        # the deadline not from an index (SQLite): the overdue ones are collected from their partial index
        # and sorted, rather than every deadline walked in order testing each lead's stage
        .order_by(plan.unindexed(FL.c.notice_deadline), FL.c.id)
        .limit(limit)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(),
                        columns=["id", "enterprise_name", "source", "notice_deadline", "township_id"])


def overdue_notices(session: Session, scope: Scope, as_of: dt.date, limit: int | None = 50) -> pd.DataFrame:
    stmt = (
        sa.select(CN.c.id, E.c.name.label("enterprise_name"), CN.c.direction, CN.c.sent_on, CN.c.respond_by,
                  E.c.township_id)
        .join(E, E.c.id == CN.c.enterprise_id)
        .where(_notice_overdue(as_of), scope.where(E.c.township_id))
        .order_by(CN.c.respond_by, CN.c.id)
        .limit(limit)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(),
                        columns=["id", "enterprise_name", "direction", "sent_on", "respond_by", "township_id"])


def count_overdue_leads(session: Session, scope: Scope, as_of: dt.date) -> int:
    joined, where = _overdue_leads(session, scope, as_of)
    return int(session.execute(sa.select(sa.func.count()).select_from(joined).where(where)).scalar_one())


def count_overdue_notices(session: Session, scope: Scope, as_of: dt.date) -> int:
    return int(session.execute(
        sa.select(sa.func.count()).select_from(CN.join(E, E.c.id == CN.c.enterprise_id))
        .where(_notice_overdue(as_of), scope.where(E.c.township_id))
    ).scalar_one())


def item_status_as_of(as_of: dt.date) -> sa.Case:
    """SQL: an action item's status as of ``as_of`` — ``done`` when ``done_on ≤ as_of``; otherwise
    its stored ``open`` / ``in_progress``. The history of status changes is not kept, so an item
    done only after ``as_of`` counts as ``in_progress`` on that date (it was being worked on)."""
    done, _, _ = _item_state(as_of)
    return sa.case(
        (done, ActionStatus.DONE.value),
        (AI.c.status == ActionStatus.OPEN.value, ActionStatus.OPEN.value),
        else_=ActionStatus.IN_PROGRESS.value,
    )


BOARD_COLUMNS = ["owner_unit_id", "owner", "not_started", "in_progress", "overdue", "done", "total", "due_soon",
                 "oldest_due"]


def action_item_board(session: Session, scope: Scope, as_of: dt.date, *,
                      due_soon_days: int = DUE_SOON_DAYS) -> pd.DataFrame:
    """Meeting follow-up per owner unit as of ``as_of``, aggregated in SQL, most overdue first.

    Items created by the date (``created_on ≤ as_of``) in scope; the buckets are exclusive and add
    up to ``total``: ``overdue`` (not done by the date and due before it), ``not_started`` and
    ``in_progress`` (not done, not overdue; status as in :func:`item_status_as_of`), ``done``.
    ``due_soon`` counts the not-overdue open items due within ``due_soon_days``; ``oldest_due`` is
    the due date of the unit's oldest overdue item (``as_of − oldest_due`` = its days overdue).
    """
    done, overdue, _ = _item_state(as_of)
    status = item_status_as_of(as_of)
    soon = sa.and_(sa.not_(done), AI.c.due_on >= as_of, AI.c.due_on <= as_of + dt.timedelta(due_soon_days))
    n = lambda c: sa.func.coalesce(sa.func.sum(sa.case((c, 1), else_=0)), 0)  # noqa: E731
    stmt = (
        sa.select(AI.c.owner_unit_id, U.c.name.label("owner"),
                  n(sa.and_(sa.not_(overdue), status == ActionStatus.OPEN.value)).label("not_started"),
                  n(sa.and_(sa.not_(overdue), status == ActionStatus.IN_PROGRESS.value)).label("in_progress"),
                  n(overdue).label("overdue"), n(done).label("done"), sa.func.count().label("total"),
                  n(soon).label("due_soon"),
                  sa.func.min(sa.case((overdue, AI.c.due_on), else_=None)).label("oldest_due"))
        .join(U, U.c.id == AI.c.owner_unit_id)
        .where(AI.c.created_on <= as_of, scope.where(AI.c.township_id))
        .group_by(AI.c.owner_unit_id, U.c.name)
    )
    df = pd.DataFrame(session.execute(stmt).mappings().all(), columns=BOARD_COLUMNS)
    for col in BOARD_COLUMNS[2:8]:
        df[col] = df[col].astype(int)
    return df.sort_values(["overdue", "oldest_due", "owner"], ascending=[False, True, True],
                          na_position="last").reset_index(drop=True)


def action_items_by_owner(session: Session, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Meeting follow-up per owner unit: items created by the date, done, open (incl. overdue), overdue."""
    df = action_item_board(session, scope, as_of)
    df["open"] = df["total"] - df["done"]
    return df.sort_values(["overdue", "open", "owner"], ascending=[False, False, True])[
        ["owner", "open", "overdue", "done", "total"]].reset_index(drop=True)


def alert_lists(session: Session, scope: Scope, as_of: dt.date) -> dict[str, pd.DataFrame | int]:
    """The overview's alert lists (each capped in SQL) and the full counts of the capped ones."""
    return {
        "should_build": coverage.enterprises_in_pattern(session, scope, as_of, "should_build", limit=50),
        "overdue_items": overdue_items(session, scope, as_of),
        "overdue_leads": overdue_leads(session, scope, as_of),
        "n_overdue_leads": count_overdue_leads(session, scope, as_of),
        "overdue_notices": overdue_notices(session, scope, as_of),
        "n_overdue_notices": count_overdue_notices(session, scope, as_of),
    }
