"""Campaign progress counted in SQL: the scope applied in the query, the freshness of the summaries
checked once, every zone's figures from one grouped statement — the same numbers as counting zone
by zone (the earlier algorithm, kept here as the reference), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.queries import campaigns
from dashboard.queries.coverage import members_joined, summary_totals_at, unions_founded
from dashboard.queries.scope import Scope
from models.enums import UnionKind
from models.tables import Township
from seed_data import facts
from tests.factories import DEMO_TODAY

TODAY = DEMO_TODAY


def reference(session: Session, scope: Scope, as_of: dt.date, *, fresh: bool) -> pd.DataFrame:
    """Zone by zone, the scope intersected in Python (the implementation before #18)."""
    campaign = campaigns.current_campaign(session, as_of)
    if campaign is None:
        return pd.DataFrame(columns=campaigns.PROGRESS_COLUMNS)
    zones = session.execute(
        sa.select(campaigns.Z.c.id, campaigns.Z.c.name, campaigns.Z.c.deadline)
        .where(campaigns.Z.c.campaign_id == campaign["id"]).order_by(campaigns.Z.c.id)
    ).mappings().all()
    members: dict[int, set[int]] = {}
    for zid, tid in session.execute(sa.select(campaigns.ZT.c.zone_id, campaigns.ZT.c.township_id)):
        members.setdefault(zid, set()).add(tid)
    until, start = min(as_of, campaign["end_on"]), campaign["start_on"]
    rows = []
    for z in zones:
        townships = members.get(z["id"], set())
        visible = townships if scope.township_ids is None else townships & scope.township_ids
        if not visible:
            continue
        zone_scope = Scope(frozenset(visible))
        if fresh:
            totals = summary_totals_at(session, zone_scope, [start - dt.timedelta(days=1), until],
                                       ("new_unions", "new_members"))
            new_unions = int(totals[until]["new_unions"] - totals[start - dt.timedelta(days=1)]["new_unions"])
            new_members = int(totals[until]["new_members"] - totals[start - dt.timedelta(days=1)]["new_members"])
        else:
            founded = unions_founded(session, zone_scope, start, until)
            new_unions = sum(n for kind, n in founded.items() if kind is not UnionKind.FEDERATION)
            new_members = members_joined(session, zone_scope, start, until)
        rows.append({"zone": z["name"], "days_left": (z["deadline"] - as_of).days, "new_unions": new_unions,
                     "new_members": new_members, "whole_zone_in_scope": visible == townships})
    return pd.DataFrame(rows, columns=["zone", "days_left", "new_unions", "new_members", "whole_zone_in_scope"])


@pytest.fixture
def demo(any_demo_engine):
    """The shared demo district (seed 2002, written as of ``TODAY``), read only."""
    return any_demo_engine


def _scopes(session: Session) -> list[Scope]:
    ids = {code: i for code, i in session.exec(select(Township.code, Township.id)).all()}
    yb = ids[facts.YUEBEI_CODE]
    others = sorted(i for i in ids.values() if i != yb)
    return [Scope.district(), Scope.townships([yb]), Scope.townships([yb, *others[:3]]), Scope.townships(others[3:]),
            Scope.townships([])]


@pytest.mark.parametrize("fresh", [True, False], ids=["summary", "exact"])
def test_same_figures_as_counting_zone_by_zone(demo, monkeypatch, fresh):
    if not fresh:
        monkeypatch.setattr(campaigns, "summaries_fresh", lambda session: False)
    with Session(demo) as s:
        for scope in _scopes(s):
            for day in (facts.SNAPSHOT, dt.date(2002, 6, 15), dt.date(2002, 5, 31), TODAY, TODAY.replace(day=1)):
                got = campaigns.campaign_progress(s, scope, day)
                want = reference(s, scope, day, fresh=fresh)
                assert list(got.columns) == campaigns.PROGRESS_COLUMNS
                cols = list(want.columns)
                assert got[cols].astype(object).equals(want.astype(object)), (scope, day, got[cols], want)
        # a scope without any zone township: no rows
        assert campaigns.campaign_progress(s, Scope.townships([10**6]), facts.SNAPSHOT).empty
        assert campaigns.campaign_progress(s, Scope.townships([]), facts.SNAPSHOT).empty


def _statements(engine, fn) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def test_freshness_is_checked_once_and_the_statements_do_not_grow_with_the_zones(demo, monkeypatch):
    calls = []
    real = campaigns.summaries_fresh
    monkeypatch.setattr(campaigns, "summaries_fresh", lambda session: calls.append(1) or real(session))
    with Session(demo) as s:
        yb = s.exec(select(Township.id).where(Township.code == facts.YUEBEI_CODE)).one()
        out = {}
        four = _statements(demo, lambda: out.update(district=campaigns.campaign_progress(s, Scope.district(), facts.SNAPSHOT)))
        one = _statements(demo, lambda: out.update(yb=campaigns.campaign_progress(s, Scope.townships([yb]), facts.SNAPSHOT)))
    assert len(out["district"]) == 4 and len(out["yb"]) == 1 and calls == [1, 1]
    assert len(four) == len(one), (four, one)  # no statement per zone
