"""Campaign progress on the demo: zones add up to the campaign's seed facts; summary and exact paths agree."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from dashboard.queries import campaigns
from dashboard.queries.scope import Scope
from models.tables import Township
from seed_data import facts

TODAY = dt.date(2026, 11, 24)


def test_2002_zones_add_up_to_the_campaign_and_scope_narrows_them(demo_engine, monkeypatch):
    with Session(demo_engine) as s:
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


def test_running_campaign_has_days_left_and_none_before_the_first(demo_engine):
    with Session(demo_engine) as s:
        live = campaigns.campaign_progress(s, Scope.district(), TODAY)
        assert len(live) == 2 and (live["days_left"] > 0).all() and live["new_unions"].sum() > 0
        assert campaigns.campaign_progress(s, Scope.district(), dt.date(2001, 1, 1)).empty
