"""``dashboard.queries.leads``: the founding-lead pipeline as of a date, on hand-made leads whose
figures are written out below, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from dashboard.queries import followup, leads
from dashboard.queries.leads import LeadFilter
from dashboard.queries.scope import Scope
from models.enums import LeadSource, LeadStage, TownshipKind, UnitKind
from tests.factories import world

D = dt.date
AS_OF = D(2026, 6, 1)
St, Src = LeadStage, LeadSource

# Leads (A: 甲镇, B: 乙街道), as of 2026-06-01, idle after 60 days:
#   p1 A registration  identified 01-10 → contacted 01-20 → preparing 03-01 (notice skipped) → founded 04-10
#                      (90 days to the union)
#   p2 A registration  identified 02-01 → founded 03-01 (28 days)
#   p3 A opportunity   identified 01-05 → contacted 02-01 → notice_sent 02-15 (deadline 03-15)   → overdue 78 days
#   p4 B notice_left   identified 05-01 → notice_sent 05-02 (deadline 06-01: due today, not overdue)
#   p5 B investment    identified 2025-12-01 → dropped 02-01 ("项目未落地")
#   p6 B village       identified 03-01 → contacted 04-01 (61 days in it: idle)        — idle
#   p7 B village       identified 04-02 → contacted 04-02 (60 days: not idle yet)
#   p8 A pre_notice    identified 07-01 (after AS_OF: does not exist yet)
#   p9 B investment    identified 01-01 → founded 05-31 (150 days)


@pytest.fixture
def made(any_engine):
    with world(any_engine) as w:
        w.add_township("A", "甲镇", TownshipKind.TOWN)
        w.add_township("B", "乙街道", TownshipKind.SUBDISTRICT)
        w.add_unit("A_GH", "甲镇工会", UnitKind.UNION, township="A")
        w.add_unit("B_GH", "乙街道工会", UnitKind.UNION, township="B")
        w.add_enterprise("e1", "A", union=D(2026, 4, 10))
        w.add_enterprise("e2", "A", union=D(2026, 3, 1))
        w.add_enterprise("e3", "A")
        w.add_enterprise("e9", "B", union=D(2026, 5, 31))
        w.add_enterprise("e6", "B")
        w.add_enterprise("free", "A", name="新注册无工会企业")  # no union, no lead: a candidate
        w.add_lead("p1", "A", "A_GH", identified=D(2026, 1, 10), source=Src.REGISTRATION, enterprise="e1",
                   closed=D(2026, 4, 10), union="e1",
                   stages=[(St.IDENTIFIED, D(2026, 1, 10)), (St.CONTACTED, D(2026, 1, 20)),
                           (St.PREPARING, D(2026, 3, 1)), (St.FOUNDED, D(2026, 4, 10))])
        w.add_lead("p2", "A", "A_GH", identified=D(2026, 2, 1), source=Src.REGISTRATION, enterprise="e2",
                   closed=D(2026, 3, 1), union="e2",
                   stages=[(St.IDENTIFIED, D(2026, 2, 1)), (St.FOUNDED, D(2026, 3, 1))])
        w.add_lead("p3", "A", "A_GH", identified=D(2026, 1, 5), source=Src.OPPORTUNITY, enterprise="e3",
                   deadline=D(2026, 3, 15),
                   stages=[(St.IDENTIFIED, D(2026, 1, 5)), (St.CONTACTED, D(2026, 2, 1)),
                           (St.NOTICE_SENT, D(2026, 2, 15))])
        w.add_lead("p4", "B", "B_GH", identified=D(2026, 5, 1), source=Src.NOTICE_LEFT, deadline=D(2026, 6, 1),
                   stages=[(St.IDENTIFIED, D(2026, 5, 1)), (St.NOTICE_SENT, D(2026, 5, 2))])
        w.add_lead("p5", "B", "B_GH", identified=D(2025, 12, 1), source=Src.INVESTMENT, closed=D(2026, 2, 1),
                   reason="项目未落地", stages=[(St.IDENTIFIED, D(2025, 12, 1)), (St.DROPPED, D(2026, 2, 1))])
        w.add_lead("p6", "B", "B_GH", identified=D(2026, 3, 1), source=Src.VILLAGE, enterprise="e6",
                   stages=[(St.IDENTIFIED, D(2026, 3, 1)), (St.CONTACTED, D(2026, 4, 1))])
        w.add_lead("p7", "B", "B_GH", identified=D(2026, 4, 2), source=Src.VILLAGE,
                   stages=[(St.CONTACTED, D(2026, 4, 2))])
        w.add_lead("p8", "A", "A_GH", identified=D(2026, 7, 1), source=Src.PRE_NOTICE,
                   stages=[(St.IDENTIFIED, D(2026, 7, 1))])
        w.add_lead("p9", "B", None, identified=D(2026, 1, 1), source=Src.INVESTMENT, enterprise="e9",
                   closed=D(2026, 5, 31), union="e9",
                   stages=[(St.IDENTIFIED, D(2026, 1, 1)), (St.FOUNDED, D(2026, 5, 31))])
    return any_engine, w


def scopes(w):
    return Scope.district(), Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]])


def keys(ids, w) -> list[str]:
    back = {v: k for k, v in w.lead.items()}
    return [back[int(i)] for i in ids]


def test_funnel_counts_reached_stages_with_skips_and_the_stage_on_the_date(made):
    engine, w = made
    district, a, b = scopes(w)
    with Session(engine) as s:
        f = leads.funnel(s, district, AS_OF).set_index("stage")
        # reached: identified by all 8 existing leads; contacted+: p1 p2 p3 p4 p6 p7 p9 (p2, p4, p9 skipped a step)
        assert f["reached"].to_dict() == {"identified": 8, "contacted": 7, "notice_sent": 5, "preparing": 3,
                                          "founded": 3, "dropped": 1}
        assert f["now"].to_dict() == {"identified": 0, "contacted": 2, "notice_sent": 2, "preparing": 0,
                                      "founded": 3, "dropped": 1}
        # before p1's founding (2026-04-01): p1 preparing, p9 identified, p6 contacted that day, p7 not yet
        then = leads.funnel(s, district, D(2026, 4, 1)).set_index("stage")
        assert then["now"].to_dict() == {"identified": 1, "contacted": 1, "notice_sent": 1, "preparing": 1,
                                         "founded": 1, "dropped": 1}
        assert leads.funnel(s, a, AS_OF).set_index("stage")["reached"].to_dict() == {
            "identified": 3, "contacted": 3, "notice_sent": 3, "preparing": 2, "founded": 2, "dropped": 0}
        empty = leads.funnel(s, Scope.townships([]), AS_OF)
        assert empty["reached"].sum() == 0 and empty["now"].sum() == 0


def test_breakdowns_convert_and_take_the_median_in_sql(made):
    engine, w = made
    district, a, _ = scopes(w)
    with Session(engine) as s:
        src = leads.breakdown(s, district, AS_OF, "source").set_index("key")
        assert list(src.index) == ["opportunity", "registration", "notice_left", "investment", "village"]
        reg = src.loc["registration"]
        assert (reg["leads"], reg["founded"], reg["dropped"], reg["open"]) == (2, 2, 0, 0)
        assert reg["conversion"] == 1.0
        assert reg["median_days"] == pytest.approx((90 + 28) / 2)  # two founded: the mean of the middle two
        inv = src.loc["investment"]
        assert (inv["leads"], inv["founded"], inv["dropped"], inv["conversion"]) == (2, 1, 1, 0.5)
        assert inv["median_days"] == 150
        assert src.loc["village"]["median_days"] is None or src["median_days"].isna()["village"]
        town = leads.breakdown(s, district, AS_OF, "township")
        assert town["township"].tolist() == ["甲镇", "乙街道"]
        assert town["leads"].tolist() == [3, 5] and town["founded"].tolist() == [2, 1]
        everything = leads.breakdown(s, district, AS_OF, "all").iloc[0]
        assert (everything["leads"], everything["founded"], everything["open"]) == (8, 3, 4)
        assert everything["median_days"] == 90  # 28, 90, 150: the middle one
        assert everything["conversion"] == pytest.approx(3 / 8)
        only_a = leads.breakdown(s, a, AS_OF, "all").iloc[0]
        assert (only_a["leads"], only_a["median_days"]) == (3, pytest.approx((90 + 28) / 2))
        with pytest.raises(ValueError):
            leads.breakdown(s, district, AS_OF, "owner")


def test_overdue_is_a_notice_stage_past_its_deadline_and_idle_is_more_than_the_days(made):
    engine, w = made
    district, a, b = scopes(w)
    with Session(engine) as s:
        overdue = leads.lead_list(s, district, AS_OF, LeadFilter(only="overdue"))
        assert keys(overdue["id"], w) == ["p3"]  # p4's deadline is today: not overdue yet
        assert keys(leads.lead_list(s, district, D(2026, 6, 2), LeadFilter(only="overdue"))["id"], w) == ["p3", "p4"]
        assert followup.count_overdue_leads(s, district, AS_OF) == 1  # the overview's alert: the same rule
        assert followup.count_overdue_leads(s, b, D(2026, 6, 2)) == 1
        # the day after the deadline it is overdue, on the deadline not yet
        assert leads.count_leads(s, district, D(2026, 3, 16), LeadFilter(only="overdue")) == 1
        assert leads.count_leads(s, district, D(2026, 3, 15), LeadFilter(only="overdue")) == 0
        idle = leads.lead_list(s, district, AS_OF, LeadFilter(only="idle"), idle_days=60)
        assert sorted(keys(idle["id"], w)) == ["p3", "p6"]  # p3 in its stage 106 days, p6 61; p7 exactly 60
        assert leads.count_leads(s, district, AS_OF, LeadFilter(only="idle"), idle_days=61) == 1
        assert leads.count_leads(s, a, AS_OF, LeadFilter(only="idle"), idle_days=60) == 1


def test_the_list_puts_overdue_first_then_the_oldest_stage_and_closed_last_with_filters(made):
    engine, w = made
    district, _, b = scopes(w)
    with Session(engine) as s:
        rows = leads.lead_list(s, district, AS_OF)
        assert keys(rows["id"], w) == ["p3", "p6", "p7", "p4", "p5", "p2", "p1", "p9"]
        assert list(rows.columns) == leads.LIST_COLUMNS
        first = rows.iloc[0]
        assert (first["stage"], first["stage_on"], first["township"]) == ("notice_sent", D(2026, 2, 15), "甲镇")
        p1 = rows[rows["id"] == w.lead["p1"]].iloc[0]
        assert p1["union_name"] == "企业e1工会" and p1["closed_on"] == D(2026, 4, 10)
        p9 = rows[rows["id"] == w.lead["p9"]].iloc[0]
        assert pd.isna(p9["owner_unit"])  # no owner unit yet: the list says 未指定
        assert leads.count_leads(s, district, AS_OF) == 8
        assert keys(leads.lead_list(s, district, AS_OF, LeadFilter(source=Src.VILLAGE))["id"], w) == ["p6", "p7"]
        assert keys(leads.lead_list(s, b, AS_OF, LeadFilter(stage=St.NOTICE_SENT))["id"], w) == ["p4"]
        assert keys(leads.lead_list(s, district, AS_OF, limit=2, offset=1)["id"], w) == ["p6", "p7"]
        # on 2026-04-01 p1 was open (preparing), not yet founded
        then = leads.lead_list(s, district, D(2026, 4, 1))
        assert then[then["id"] == w.lead["p1"]].iloc[0]["stage"] == "preparing"
        assert pd.isna(then[then["id"] == w.lead["p1"]].iloc[0]["union_name"])
        with pytest.raises(ValueError):
            LeadFilter(only="everything")
        # a search by words of the name (LIKE's own characters taken literally)
        assert keys(leads.lead_list(s, district, AS_OF, LeadFilter(search=" 线索p "))["id"], w) == ["p7", "p4", "p5"]
        assert keys(leads.lead_list(s, district, AS_OF, LeadFilter(search="企业e"))["id"], w) == [
            "p3", "p6", "p2", "p1", "p9"]
        assert leads.count_leads(s, district, AS_OF, LeadFilter(search="%")) == 0
        with pytest.raises(ValueError):
            LeadFilter(search="a\x00b")


def test_one_lead_with_its_history_only_in_scope(made):
    engine, w = made
    _, a, b = scopes(w)
    with Session(engine) as s:
        lead = leads.lead(s, a, w.lead["p1"])
        assert [(x["stage"], x["start_on"]) for x in lead["stages"]] == [
            (St.IDENTIFIED, D(2026, 1, 10)), (St.CONTACTED, D(2026, 1, 20)), (St.PREPARING, D(2026, 3, 1)),
            (St.FOUNDED, D(2026, 4, 10))]
        assert leads.lead(s, b, w.lead["p1"]) is None  # another township's lead is not there at all


def test_headline_counts_what_happened_after_the_last_meeting(made):
    engine, w = made
    district, a, _ = scopes(w)
    with Session(engine) as s:
        h = leads.headline(s, district, AS_OF, D(2026, 3, 31))
        # after 03-31: identified p4 (05-01), p7 (04-02); founded p1 (04-10), p9 (05-31); dropped none
        assert (h.new, h.founded, h.dropped, h.overdue, h.idle, h.open) == (2, 2, 0, 1, 2, 4)
        everything = leads.headline(s, district, AS_OF, None)
        assert (everything.new, everything.founded, everything.dropped) == (8, 3, 1)
        assert leads.headline(s, a, AS_OF, D(2026, 3, 31)).founded == 1


def test_candidates_are_operating_enterprises_without_a_union_or_an_open_lead(made):
    engine, w = made
    district, *_ = scopes(w)
    with Session(engine) as s:
        found = leads.lead_candidates(s, district, AS_OF, "企业")
        names = set(found["name"])
        assert "新注册无工会企业" in names
        assert not names & {"企业e1", "企业e2", "企业e9"}  # covered by a union
        assert not names & {"企业e3", "企业e6"}  # an open lead already
        assert leads.lead_candidates(s, district, AS_OF, "  ").empty
        assert leads.lead_candidates(s, Scope.townships([w.township["B"]]), AS_OF, "新注册").empty


def test_the_leads_own_columns_give_what_the_stage_periods_give(made, monkeypatch):
    """As of a date after every stage change (the page's usual case) the pipeline and the list read the
    leads' own columns — ``days_to_union`` for the medians, the partial indexes of 0018 for the list's
    parts — and must say exactly what replaying the stage periods says."""
    engine, w = made
    district, a, b = scopes(w)
    day = D(2026, 7, 2)  # after p8's identification: nothing changed after it
    filters = [LeadFilter(), LeadFilter(only="overdue"), LeadFilter(only="idle"), LeadFilter(stage=St.NOTICE_SENT),
               LeadFilter(stage=St.FOUNDED), LeadFilter(stage=St.CONTACTED), LeadFilter(source=Src.VILLAGE),
               LeadFilter(search="企业e")]
    pages = [(None, 0), (200, 0), (2, 0), (3, 2), (2, 7), (5, 20)]

    def read(s):
        out = []
        for scope in (district, a, b):
            p = leads.pipeline(s, scope, day)
            out.append([p.funnel, p.by_source, p.by_township, p.overall, p.overdue, p.idle])
            for flt in filters:
                for limit, offset in pages:
                    out.append(leads.lead_list(s, scope, day, flt, limit=limit, offset=offset))
                out.append(leads.count_leads(s, scope, day, flt))
        return out

    with Session(engine) as s:
        assert leads._is_current(s, day)
        fast = read(s)
        monkeypatch.setattr(leads, "_is_current", lambda session, as_of: False)
        replayed = read(s)
    assert len(fast) == len(replayed)
    for x, y in zip(fast, replayed):
        if isinstance(x, list):
            for u, v in zip(x, y):
                if isinstance(u, pd.DataFrame):
                    pd.testing.assert_frame_equal(u, v)
                else:
                    assert u == v
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True))
        else:
            assert x == y
    # and the figures are the ones worked out by hand: p4's notice is overdue by then, p8 open
    with Session(engine) as s:
        rows = leads.lead_list(s, district, day)
        assert keys(rows["id"], w) == ["p3", "p4", "p6", "p7", "p8", "p5", "p2", "p1", "p9"]
        assert leads.breakdown(s, district, day, "all").iloc[0]["median_days"] == 90
        assert keys(leads.lead_list(s, district, day, limit=3, offset=4)["id"], w) == ["p8", "p5", "p2"]
