"""Campaign progress: zones add up to the campaign's seed facts; summary and exact paths agree."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from dashboard.queries import campaigns
from dashboard.queries.scope import Scope
from models.tables import Township
from seed_data import facts
from seed_data.demo import write_demo

TODAY = dt.date(2026, 11, 24)


def test_2002_zones_add_up_to_the_campaign_and_scope_narrows_them(sqlite_engine, monkeypatch):
    write_demo(sqlite_engine, seed=2002, today=TODAY)
    with Session(sqlite_engine) as s:
        district = campaigns.campaign_progress(s, Scope.district(), facts.SNAPSHOT)
        assert len(district) == 4 and district["whole_zone_in_scope"].all()
        assert district["new_unions"].sum() == facts.CAMPAIGN_NEW_GRASSROOTS_UNIONS
        assert district["new_members"].sum() == facts.CAMPAIGN_NEW_MEMBERS
        assert (district["days_left"] < 0).all()  # the 2002 campaign is over by the year end
        yb = s.exec(select(Township.id).where(Township.code == facts.YUEBEI_CODE)).one()
        only = campaigns.campaign_progress(s, Scope.townships([yb]), facts.SNAPSHOT)
        assert len(only) == 1 and not only["whole_zone_in_scope"].iloc[0]
        assert 0 < only["new_unions"].iloc[0] < district.loc[district["zone"] == only["zone"].iloc[0], "new_unions"].iloc[0]
        # the exact path (summaries stale) gives the same numbers
        monkeypatch.setattr(campaigns, "summaries_fresh", lambda session: False)
        exact = campaigns.campaign_progress(s, Scope.district(), facts.SNAPSHOT)
        assert exact[["new_unions", "new_members"]].equals(district[["new_unions", "new_members"]])


def test_running_campaign_has_days_left_and_none_before_the_first(sqlite_engine):
    write_demo(sqlite_engine, seed=2002, today=TODAY)
    with Session(sqlite_engine) as s:
        live = campaigns.campaign_progress(s, Scope.district(), TODAY)
        assert len(live) == 2 and (live["days_left"] > 0).all() and live["new_unions"].sum() > 0
        assert campaigns.campaign_progress(s, Scope.district(), dt.date(2001, 1, 1)).empty


def test_action_items_per_owner_add_up_to_the_totals(sqlite_engine):
    from dashboard.queries import followup

    write_demo(sqlite_engine, seed=2002, today=TODAY)
    with Session(sqlite_engine) as s:
        for scope in (Scope.district(), Scope.townships([1])):
            per_owner = followup.action_items_by_owner(s, scope, TODAY)
            totals = followup.action_item_counts(s, scope, TODAY)
            assert per_owner["total"].sum() == totals.total and per_owner["overdue"].sum() == totals.overdue
            assert (per_owner["open"] == per_owner["total"] - per_owner["done"]).all()
            assert list(per_owner["overdue"]) == sorted(per_owner["overdue"], reverse=True)
