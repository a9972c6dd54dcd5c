"""Follow-up figures (``dashboard/queries/followup.py``): action items, founding leads and
coordination notices overdue as of a date, the owner board and the overview's alert lists — on a
small hand-made district with every number written out below, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from dashboard.queries import followup
from dashboard.queries.followup import ItemCounts
from dashboard.queries.scope import Scope
from models.enums import ActionStatus, LeadStage, MeetingLevel, TownshipKind, UnitKind
from tests.factories import world

D = dt.date
AS_OF = D(2026, 3, 1)
DEMO_TODAY = D(2026, 11, 24)
S = ActionStatus

# Items as of 2026-03-01 (created on their meeting's day unless said otherwise):
#   x1 A_DW (A)  due 02-01 open                       → overdue, 28 days
#   x2 A_DW (A)  due 03-01 in progress                → due today: not overdue, due soon
#   x3 A_DW (A)  due 03-15 open                       → due soon (the 14th day)
#   x4 A_DW (A)  due 03-16 open                       → not yet due soon (15 days)
#   x5 ZZB (—)   due 01-01 open                       → overdue, 59 days (district: no township)
#   x6 B_DW (B)  due 01-20 done 01-15                 → done
#   x7 B_DW (B)  due 02-10 done 03-05 (after AS_OF)   → overdue, 19 days (not done by the date)
#   x8 B_DW (B)  of an enterprise meeting of 2026-04-01 → does not exist yet
#   x9 ZZB (—)   due 02-20 done 02-25                 → done (late, but done)
ITEMS = {"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x9"}


@pytest.fixture
def made(any_engine):
    with world(any_engine) as w:
        w.add_township("A", "甲镇", TownshipKind.TOWN)
        w.add_township("B", "乙街道", TownshipKind.SUBDISTRICT)
        w.add_unit("ZZB", "区委组织部", UnitKind.PARTY_DEPT)
        w.add_unit("ZGH", "区总工会", UnitKind.UNION)
        w.add_unit("A_DW", "甲镇党委", UnitKind.TOWNSHIP_PARTY, township="A")
        w.add_unit("B_DW", "乙街道党工委", UnitKind.TOWNSHIP_PARTY, township="B")
        w.add_enterprise("a1", "A", members=5)  # 5 members, nothing built: 应建未建
        w.add_enterprise("a2", "A", members=0, union=D(2020, 1, 1))
        w.add_enterprise("b1", "B", members=0, union=D(2020, 1, 1))
        w.add_meeting("D", D(2025, 10, 1), decision="决定D")
        w.add_meeting("E", D(2026, 4, 1), enterprise="b1", decision="决定E")
        w.add_item("x1", "D", "A_DW", due=D(2026, 2, 1))
        w.add_item("x2", "D", "A_DW", due=D(2026, 3, 1), status=S.IN_PROGRESS)
        w.add_item("x3", "D", "A_DW", due=D(2026, 3, 15))
        w.add_item("x4", "D", "A_DW", due=D(2026, 3, 16))
        w.add_item("x5", "D", "ZZB", due=D(2026, 1, 1))
        w.add_item("x6", "D", "B_DW", due=D(2026, 1, 20), status=S.DONE, done=D(2026, 1, 15))
        w.add_item("x7", "D", "B_DW", due=D(2026, 2, 10), status=S.DONE, done=D(2026, 3, 5))
        w.add_item("x8", "E", "B_DW", due=D(2026, 5, 1))
        w.add_item("x9", "D", "ZZB", due=D(2026, 2, 20), status=S.DONE, done=D(2026, 2, 25))
        # leads: l1 overdue; l2 due today; l3 closed in time; l4 closed only after AS_OF (overdue then);
        # l5 without a deadline; l6 identified after AS_OF
        w.add_lead("l1", "A", "A_DW", identified=D(2026, 1, 5), deadline=D(2026, 2, 5))
        w.add_lead("l2", "A", "A_DW", identified=D(2026, 1, 5), deadline=D(2026, 3, 1))
        w.add_lead("l3", "B", "B_DW", identified=D(2025, 12, 1), deadline=D(2026, 1, 10), closed=D(2026, 1, 8),
                   stages=[(LeadStage.NOTICE_SENT, D(2025, 12, 1)), (LeadStage.FOUNDED, D(2026, 1, 8))])
        w.add_lead("l4", "B", "B_DW", identified=D(2025, 12, 1), deadline=D(2026, 1, 10), closed=D(2026, 3, 10),
                   stages=[(LeadStage.NOTICE_SENT, D(2025, 12, 1)), (LeadStage.FOUNDED, D(2026, 3, 10))])
        w.add_lead("l5", "A", "A_DW", identified=D(2025, 6, 1))
        w.add_lead("l6", "A", "A_DW", identified=D(2026, 3, 2), deadline=D(2026, 3, 2))
        # notices (a reply is due 30 days after sending): n1 unanswered → overdue; n2 acknowledged in
        # time; n3 acknowledged only after AS_OF → overdue; n4 not yet due; n5 resolved without an
        # acknowledgement; n6 sent after AS_OF
        note = dict(from_unit="ZGH", to_unit="ZZB")
        w.add_notice("n1", "a1", sent=D(2026, 1, 1), **note)
        w.add_notice("n2", "b1", sent=D(2026, 1, 1), acknowledged=D(2026, 1, 20), **note)
        w.add_notice("n3", "b1", sent=D(2026, 1, 15), acknowledged=D(2026, 3, 10), **note)
        w.add_notice("n4", "a1", sent=D(2026, 2, 15), **note)
        w.add_notice("n5", "a2", sent=D(2026, 1, 1), resolved=D(2026, 2, 1), **note)
        w.add_notice("n6", "a2", sent=D(2026, 3, 2), **note)
    return any_engine, w


def _scopes(w):
    return Scope.district(), Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]])


def _keys(ids, named: dict[str, int]) -> list[str]:
    back = {v: k for k, v in named.items()}
    return [back[int(i)] for i in ids]


# --------------------------------------------------------------------------- action items


def test_item_counts_as_of_the_date_per_scope(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        assert followup.action_item_counts(s, district, AS_OF) == ItemCounts(total=8, done=2, open=6, overdue=3,
                                                                             due_soon=2)
        assert followup.action_item_counts(s, a, AS_OF) == ItemCounts(total=4, done=0, open=4, overdue=1, due_soon=2)
        assert followup.action_item_counts(s, b, AS_OF) == ItemCounts(total=2, done=1, open=1, overdue=1, due_soon=0)
        assert followup.action_item_counts(s, Scope.townships([]), AS_OF) == ItemCounts(0, 0, 0, 0, 0)
        # a week later x7 is done, x2 overdue, x3 and x4 due soon; before the meeting nothing existed
        assert followup.action_item_counts(s, district, D(2026, 3, 8)) == ItemCounts(total=8, done=3, open=5,
                                                                                     overdue=3, due_soon=2)
        assert followup.action_item_counts(s, district, D(2025, 9, 30)) == ItemCounts(0, 0, 0, 0, 0)
        assert followup.action_item_counts(s, district, D(2026, 4, 1)).total == 9  # x8 from its day on


def test_overdue_items_oldest_first_with_days_overdue_and_per_township(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        df = followup.overdue_items(s, district, AS_OF)
        assert _keys(df["id"], w.item) == ["x5", "x1", "x7"]
        assert df["days_overdue"].tolist() == [59, 28, 19]
        assert df["owner"].tolist() == ["区委组织部", "甲镇党委", "乙街道党工委"]
        assert list(df.columns) == ["id", "description", "owner", "due_on", "township_id", "days_overdue"]
        assert _keys(followup.overdue_items(s, district, AS_OF, limit=2)["id"], w.item) == ["x5", "x1"]
        assert _keys(followup.overdue_items(s, a, AS_OF)["id"], w.item) == ["x1"]
        assert _keys(followup.overdue_items(s, b, AS_OF)["id"], w.item) == ["x7"]
        assert followup.overdue_items(s, district, D(2025, 12, 31)).empty
        # per township: township items only (x5 belongs to the district)
        per = followup.overdue_items_by_township(s, district, AS_OF).set_index("township_id")["overdue"]
        assert per.to_dict() == {w.township["A"]: 1, w.township["B"]: 1}
        assert followup.overdue_items_by_township(s, b, D(2026, 3, 8)).empty  # x7 is done by then: no row
        assert followup.overdue_items_by_township(s, a, D(2026, 3, 8))["overdue"].tolist() == [2]  # x1, x2


def test_item_status_as_of_replays_the_stored_status(made):
    engine, w = made
    import sqlalchemy as sa

    from models.tables import ActionItem

    AI = ActionItem.__table__

    def statuses(day):
        with Session(engine) as s:
            rows = s.execute(sa.select(AI.c.id, followup.item_status_as_of(day))).all()
        return {k: v for k, v in zip(_keys([r[0] for r in rows], w.item), [r[1] for r in rows], strict=True)}

    now = statuses(AS_OF)
    assert {k: now[k] for k in ("x1", "x2", "x6", "x7", "x9")} == {
        "x1": "open", "x2": "in_progress", "x6": "done", "x7": "in_progress", "x9": "done"}
    assert statuses(D(2026, 3, 5))["x7"] == "done"  # done on that day
    assert statuses(D(2026, 1, 14))["x6"] == "in_progress"  # stored done, but not yet on 01-14


def test_board_buckets_per_owner_add_up_most_overdue_first(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        board = followup.action_item_board(s, district, AS_OF)
        assert list(board.columns) == followup.BOARD_COLUMNS
        got = {r["owner"]: [r[c] for c in ("not_started", "in_progress", "overdue", "done", "total", "due_soon")]
               for r in board.to_dict("records")}
        assert got == {"甲镇党委": [2, 1, 1, 0, 4, 2], "区委组织部": [0, 0, 1, 1, 2, 0], "乙街道党工委": [0, 0, 1, 1, 2, 0]}
        # all owe one overdue item: the oldest overdue first
        assert board["owner"].tolist() == ["区委组织部", "甲镇党委", "乙街道党工委"]
        assert board["oldest_due"].tolist() == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 2, 10)]
        assert (board[["not_started", "in_progress", "overdue", "done"]].sum(axis=1) == board["total"]).all()
        totals = followup.action_item_counts(s, district, AS_OF)
        assert (board["total"].sum(), board["overdue"].sum(), board["done"].sum()) == (totals.total, totals.overdue,
                                                                                      totals.done)
        # due_soon_days is a parameter: 0 days leaves x2, due today
        assert followup.action_item_board(s, a, AS_OF, due_soon_days=0)["due_soon"].tolist() == [1]
        assert followup.action_item_board(s, a, AS_OF)["owner"].tolist() == ["甲镇党委"]  # no district unit
        # a unit with nothing overdue has no oldest due date and comes last
        later = followup.action_item_board(s, district, D(2026, 1, 10))
        assert later["owner"].tolist()[0] == "区委组织部" and later["oldest_due"].isna().tolist() == [False, True, True]
        assert followup.action_item_board(s, district, D(2025, 9, 30)).empty


def test_items_by_owner_are_the_board_with_open_counts(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        per_owner = followup.action_items_by_owner(s, district, AS_OF)
        assert list(per_owner.columns) == ["owner", "open", "overdue", "done", "total"]
        # equal overdue: most open first, then the name (乙 U+4E59 sorts before 区 U+533A)
        assert per_owner.values.tolist() == [["甲镇党委", 4, 1, 0, 4], ["乙街道党工委", 1, 1, 1, 2],
                                             ["区委组织部", 1, 1, 1, 2]]
        for scope in (district, a, b):
            totals = followup.action_item_counts(s, scope, AS_OF)
            rows = followup.action_items_by_owner(s, scope, AS_OF)
            assert rows["total"].sum() == totals.total and rows["open"].sum() == totals.open


# --------------------------------------------------------------------------- leads and notices


def test_overdue_leads_and_their_full_count(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        leads = followup.overdue_leads(s, district, AS_OF)
        assert _keys(leads["id"], w.lead) == ["l4", "l1"]  # the earliest deadline first
        assert list(leads.columns) == ["id", "enterprise_name", "source", "notice_deadline", "township_id"]
        assert leads["enterprise_name"].tolist() == ["线索l4", "线索l1"]
        assert followup.count_overdue_leads(s, district, AS_OF) == 2
        assert (followup.count_overdue_leads(s, a, AS_OF), followup.count_overdue_leads(s, b, AS_OF)) == (1, 1)
        assert _keys(followup.overdue_leads(s, district, AS_OF, limit=1)["id"], w.lead) == ["l4"]
        # l4 was closed on 03-10: no longer overdue then; l2 and l6 are by 03-10
        assert sorted(_keys(followup.overdue_leads(s, district, D(2026, 3, 10))["id"], w.lead)) == ["l1", "l2", "l6"]
        assert followup.count_overdue_leads(s, district, D(2026, 2, 5)) == 1  # l4 only: l1's deadline is that day


def test_overdue_notices_and_their_full_count(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        notices = followup.overdue_notices(s, district, AS_OF)
        assert _keys(notices["id"], w.notice) == ["n1", "n3"]  # the earliest reply date first
        assert notices["enterprise_name"].tolist() == ["企业a1", "企业b1"]
        assert list(notices.columns) == ["id", "enterprise_name", "direction", "sent_on", "respond_by", "township_id"]
        assert followup.count_overdue_notices(s, district, AS_OF) == 2
        assert (followup.count_overdue_notices(s, a, AS_OF), followup.count_overdue_notices(s, b, AS_OF)) == (1, 1)
        assert _keys(followup.overdue_notices(s, district, AS_OF, limit=1)["id"], w.notice) == ["n1"]
        # n3 is acknowledged on 03-10, n4 falls due on 03-17
        assert _keys(followup.overdue_notices(s, district, D(2026, 3, 18))["id"], w.notice) == ["n1", "n4"]
        assert followup.count_overdue_notices(s, district, D(2026, 1, 31)) == 0  # the reply day itself is in time


def test_alert_lists_hold_the_capped_lists_and_the_full_counts(made):
    engine, w = made
    district, a, b = _scopes(w)
    with Session(engine) as s:
        alerts = followup.alert_lists(s, district, AS_OF)
        assert set(alerts) == {"should_build", "overdue_items", "overdue_leads", "n_overdue_leads", "overdue_notices",
                               "n_overdue_notices"}
        assert _keys(alerts["should_build"]["enterprise_id"], w.ent) == ["a1"]
        assert _keys(alerts["overdue_items"]["id"], w.item) == ["x5", "x1", "x7"]
        assert (alerts["n_overdue_leads"], alerts["n_overdue_notices"]) == (2, 2)
        only_b = followup.alert_lists(s, b, AS_OF)
        assert only_b["should_build"].empty and _keys(only_b["overdue_items"]["id"], w.item) == ["x7"]
        assert _keys(only_b["overdue_notices"]["id"], w.notice) == ["n3"] and only_b["n_overdue_leads"] == 1


def test_the_meeting_levels_of_the_world_are_what_the_comments_say(made):
    """Guards the fixture: x8 belongs to an enterprise meeting in township B."""
    engine, w = made
    from models.tables import ActionItem, JointMeeting

    with Session(engine) as s:
        assert s.get(JointMeeting, w.meeting["E"]).level == MeetingLevel.ENTERPRISE
        assert s.get(ActionItem, w.item["x8"]).township_id == w.township["B"]
        assert s.get(ActionItem, w.item["x5"]).township_id is None
        assert {k for k in w.item} - {"x8"} == ITEMS


# --------------------------------------------------------------------------- the demo


def test_action_items_per_owner_add_up_to_the_totals(demo_engine):
    with Session(demo_engine) as s:
        for scope in (Scope.district(), Scope.townships([1])):
            per_owner = followup.action_items_by_owner(s, scope, DEMO_TODAY)
            totals = followup.action_item_counts(s, scope, DEMO_TODAY)
            assert per_owner["total"].sum() == totals.total and per_owner["overdue"].sum() == totals.overdue
            assert (per_owner["open"] == per_owner["total"] - per_owner["done"]).all()
            assert list(per_owner["overdue"]) == sorted(per_owner["overdue"], reverse=True)


def _overdue_leads_joined(s, scope, day):
    """The overdue leads as they were counted before the query was narrowed (issue 19): every lead's
    stage period in force on the day joined to its lead — the reference the faster forms must equal."""
    import sqlalchemy as sa

    from dashboard.queries import leads

    now = leads._now(day)
    rows = s.execute(sa.select(leads.FL.c.id).select_from(now.join(leads.FL, leads.FL.c.id == now.c.lead_id))
                     .where(leads._overdue(now.c.stage, day), scope.where(leads.FL.c.township_id))
                     .order_by(leads.FL.c.notice_deadline, leads.FL.c.id)).scalars().all()
    return [int(i) for i in rows]


def test_overdue_leads_every_way_of_reading_them_agrees(made):
    """The overdue leads are read three ways — from the leads' own stage when no stage changed after
    the date, per lead for some townships, from the stage periods for the district — and by the
    naive benchmark's pandas (``bench.naive``): on every day around the leads' changes and in every
    scope, the same leads in the same order as the stage periods joined to their leads."""
    from bench import naive
    from dashboard.queries import leads
    from models.tables import FoundingLead, FoundingLeadStage

    engine, w = made
    with Session(engine) as s:  # l7: its deadline passed in notice, then it moved on to 筹备 without closing —
        # overdue only until then (the naive benchmark's old rule kept it overdue while not closed)
        lead = FoundingLead(enterprise_name="线索l7", township_id=w.township["A"], source="notice_left",
                            stage=LeadStage.PREPARING, identified_on=D(2025, 12, 1), notice_deadline=D(2026, 1, 1),
                            stage_on=D(2026, 2, 1))
        s.add(lead)
        s.flush()
        for stage, start, end in ((LeadStage.NOTICE_SENT, D(2025, 12, 1), D(2026, 2, 1)),
                                  (LeadStage.PREPARING, D(2026, 2, 1), None)):
            s.add(FoundingLeadStage(lead_id=lead.id, stage=stage, start_on=start, end_on=end, username="test",
                                    at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        s.commit()
        l7 = lead.id
    days = [D(2025, 12, 1) + dt.timedelta(days=k) for k in range(0, 130, 3)] + [D(2026, 3, 10), D(2026, 3, 11)]
    tables = naive.load(str(engine.url.render_as_string(hide_password=False)))
    seen = set()
    with Session(engine) as s:
        for day in days:
            seen.add(leads._is_current(s, day))
            pandas = naive.overdue_leads(tables, day).sort_values(["notice_deadline", "id"])
            for scope in _scopes(w):
                want = _overdue_leads_joined(s, scope, day)
                assert followup.overdue_leads(s, scope, day, limit=None)["id"].tolist() == want, (day, scope)
                assert followup.count_overdue_leads(s, scope, day) == len(want), (day, scope)
                assert followup.overdue_leads(s, scope, day, limit=1)["id"].tolist() == want[:1]
                if scope.township_ids is None:
                    assert pandas["id"].tolist() == want, day
    assert seen == {True, False}  # both the leads' own stage and the stage periods were read
    with Session(engine) as s:
        assert l7 in _overdue_leads_joined(s, Scope.district(), D(2026, 1, 20))
        assert l7 not in _overdue_leads_joined(s, Scope.district(), D(2026, 2, 20))
