"""Joint meetings, action items, since-the-last-district-meeting, mechanism coverage and notices
on a small hand-made district (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import followup
from dashboard.queries import meetings as M
from dashboard.queries.scope import Scope
from dashboard.views.meetings import owner_label
from dashboard.views.status import COLOUR, item_label
from models import enums as E
from models.tables import ActionItem, Decision, JointMeeting
from tests.factories import World, world as build

D = dt.date
AS_OF = D(2026, 3, 1)


def build_world(engine) -> World:
    """Two townships A and B. District meetings D1 (2025-03-01), D2 (2025-10-15, the reference)
    and D3 (2026-04-01, after AS_OF). D2's items, as of 2026-03-01:
      i1 ZZB (no township) due 2025-11-15 done 2025-11-10        → done
      i2 A_DW (A)          due 2026-01-15 open                   → overdue 45 days
      i3 B_DW (B)          due 2026-03-05 in progress            → due soon (4 days)
      i4 A_DW (A)          due 2026-06-01 done 2026-03-10 (later) → in progress, on track
      i5 ZGH (no township) due 2026-02-01 done 2026-02-20        → done (late, but done)
    Enterprises: e1 (A, union + branch, met 2025-06-01), e2 (A, union + branch, met 2024-12-01 only),
    e3 (B, union + branch, met 2025-12-01), e4 (A, 5 members, union only: 应建未建 throughout),
    e5 (A, 4 members, registered 2025-11-01, no organisation: a new 应建未建), e6 (B, 3 members, union,
    its branch ended 2025-12-31: a new 应建未建), e7 (A, 6 members, union, branch from 2026-01-10:
    a gap closed since D2).
    """
    S = E.ActionStatus
    with build(engine) as w:
        w.add_township("A", "甲镇", E.TownshipKind.TOWN)
        w.add_township("B", "乙街道", E.TownshipKind.SUBDISTRICT)
        w.add_unit("ZZB", "区委组织部", E.UnitKind.PARTY_DEPT)
        w.add_unit("ZGH", "区总工会", E.UnitKind.UNION)
        w.add_unit("MQJ_DW", "民营局党委", E.UnitKind.BUREAU_PARTY)
        w.add_unit("A_DW", "甲镇党委", E.UnitKind.TOWNSHIP_PARTY, township="A")
        w.add_unit("B_DW", "乙街道党工委", E.UnitKind.TOWNSHIP_PARTY, township="B")
        since_2015 = dict(registered=D(2015, 1, 1), industry="制造")
        w.add_enterprise("e1", "A", members=4, union=D(2020, 1, 1), party=D(2020, 1, 1), **since_2015)
        w.add_enterprise("e2", "A", members=4, union=D(2020, 1, 1), party=D(2020, 1, 1), **since_2015)
        w.add_enterprise("e3", "B", members=4, union=D(2020, 1, 1), party=D(2020, 1, 1), **since_2015)
        w.add_enterprise("e4", "A", members=5, union=D(2020, 1, 1), **since_2015)
        w.add_enterprise("e5", "A", members=4, registered=D(2025, 11, 1), industry="制造")
        w.add_enterprise("e6", "B", members=3, union=D(2020, 1, 1), party=D(2020, 1, 1), party_end=D(2025, 12, 31),
                         **since_2015)
        w.add_enterprise("e7", "A", members=6, union=D(2020, 1, 1), party=D(2026, 1, 10), **since_2015)
        meeting = dict(attendees=("ZZB",), agenda="议题", minutes="纪要")
        for key, held, ent in (("D1", D(2025, 3, 1), None), ("D2", D(2025, 10, 15), None), ("D3", D(2026, 4, 1), None),
                               ("M1", D(2025, 6, 1), "e1"), ("M2", D(2024, 12, 1), "e2"), ("M3", D(2025, 12, 1), "e3")):
            w.add_meeting(key, held, enterprise=ent, decision=f"决定{key}", **meeting)
        w.add_item("i0", "D1", "A_DW", due=D(2025, 4, 1), status=S.DONE, done=D(2025, 3, 20))
        w.add_item("i1", "D2", "ZZB", due=D(2025, 11, 15), status=S.DONE, done=D(2025, 11, 10))
        w.add_item("i2", "D2", "A_DW", due=D(2026, 1, 15), status=S.OPEN)
        w.add_item("i3", "D2", "B_DW", due=D(2026, 3, 5), status=S.IN_PROGRESS)
        w.add_item("i4", "D2", "A_DW", due=D(2026, 6, 1), status=S.DONE, done=D(2026, 3, 10))
        w.add_item("i5", "D2", "ZGH", due=D(2026, 2, 1), status=S.DONE, done=D(2026, 2, 20))
        w.add_item("m1", "M1", "A_DW", due=D(2025, 7, 1), status=S.DONE, done=D(2025, 6, 20))
        w.add_item("m3", "M3", "B_DW", due=D(2026, 1, 1), status=S.OPEN)
        notice = dict(from_unit="ZGH", to_unit="MQJ_DW")  # a reply is due 30 days after sending
        w.add_notice("n1", "e4", sent=D(2026, 1, 1), **notice)  # reply by 01-31: 29 days overdue
        w.add_notice("n2", "e3", sent=D(2026, 2, 1), direction=E.NoticeDirection.TO_FEDERATION,
                     acknowledged=D(2026, 2, 10), **notice)
        w.add_notice("n3", "e4", sent=D(2025, 6, 1), acknowledged=D(2025, 6, 20), resolved=D(2025, 7, 1), **notice)
        w.add_notice("n4", "e7", sent=D(2026, 3, 5), **notice)  # after AS_OF
        w.add_notice("n5", "e7", sent=D(2025, 12, 1), acknowledged=D(2026, 3, 20), **notice)  # ack after AS_OF
    return w


@pytest.fixture
def world(any_engine):
    return any_engine, build_world(any_engine)


def _by_item(df, w):
    ids = {v: k for k, v in w.item.items()}
    return {ids[i]: row for i, row in zip(df["id"], df.to_dict("records"), strict=True)}


# --------------------------------------------------------------------------- status as of the date


def test_overdue_and_labels_are_computed_relative_to_the_as_of_date(world):
    engine, w = world
    with Session(engine) as s:
        now = _by_item(M.action_items(s, Scope.district(), AS_OF, meeting_id=w.meeting["D2"]), w)
        assert {k: r["label"] for k, r in now.items()} == {
            "i1": "done", "i2": "overdue", "i3": "due_soon", "i4": "on_track", "i5": "done"}
        assert now["i2"]["days_overdue"] == 45 and now["i3"]["days_overdue"] == 0
        assert now["i4"]["status"] == "in_progress" and now["i4"]["done_on"] is None  # done only after AS_OF
        assert {k: COLOUR[r["label"]] for k, r in now.items()} == {  # the view's colour of each status key
            "i1": "green", "i2": "red", "i3": "amber", "i4": "green", "i5": "green"}
        # overdue first
        assert list(M.action_items(s, Scope.district(), AS_OF, meeting_id=w.meeting["D2"])["id"])[0] == w.item["i2"]

        # the same items earlier: i2 was not yet due, i5 was overdue (done only on 02-20), i1 open
        jan = _by_item(M.action_items(s, Scope.district(), D(2026, 2, 10), meeting_id=w.meeting["D2"]), w)
        assert jan["i5"]["label"] == "overdue" and jan["i5"]["days_overdue"] == 9
        assert jan["i2"]["days_overdue"] == 26
        nov = _by_item(M.action_items(s, Scope.district(), D(2025, 11, 9), meeting_id=w.meeting["D2"]), w)
        assert nov["i1"]["label"] == "due_soon"
        assert nov["i1"]["status"] == "in_progress"  # done on 11-10, one day later: still being worked on
        assert nov["i2"]["label"] == "on_track"
        # before the meeting its items did not exist
        assert M.action_items(s, Scope.district(), D(2025, 10, 14), meeting_id=w.meeting["D2"]).empty
        # on the due date an item is not overdue yet (due_on < as_of)
        due_day = _by_item(M.action_items(s, Scope.district(), D(2026, 1, 15), meeting_id=w.meeting["D2"]), w)
        assert due_day["i2"]["label"] == "due_soon" and due_day["i2"]["days_overdue"] == 0


def test_the_sql_status_key_is_the_views_rule(world):
    """``label`` comes from SQL (``item_label_as_of``); ``views.status.item_label`` is the same rule
    in Python: on every day around the due dates, in every scope, they agree item by item."""
    engine, w = world
    days = [D(2025, 3, 1) + dt.timedelta(days=n) for n in range(0, 420, 3)]
    days += [D(2026, 1, 1), D(2026, 1, 15), D(2026, 1, 16), D(2026, 2, 19), D(2026, 2, 20)]
    scopes = (Scope.district(), Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]]))
    seen = set()
    with Session(engine) as s:
        for day in days:
            for scope in scopes:
                items = M.action_items(s, scope, day, limit=None)
                python = [item_label(st, due, day) for st, due in zip(items["status"], items["due_on"], strict=True)]
                assert list(items["label"]) == python, day
                seen |= set(python)
    assert seen == set(M.ITEM_LABELS)


def test_label_counts_are_the_counts_of_the_listed_rows(world):
    """``count_item_labels`` (SQL) gives, per status key, the number of rows ``action_items`` lists
    with the same filters: since_last_meeting's and the brief's figures are those of their lists."""
    engine, w = world
    _add_enterprise_meetings(engine, w, 3)
    scopes = (Scope.district(), Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]]))
    filters = ({}, {"meeting_id": w.meeting["D2"]}, {"only_open": True},
               {"only_open": True, "due_by": AS_OF + dt.timedelta(followup.DUE_SOON_DAYS)},
               {"only_open": True, "due_by": AS_OF + dt.timedelta(followup.DUE_SOON_DAYS), "created_before": D(2025, 12, 1)},
               {"owner_unit_id": w.unit["A_DW"]}, {"search": "加事项"})
    with Session(engine) as s:
        for day in (D(2025, 11, 9), D(2026, 2, 10), AS_OF, D(2026, 6, 2)):
            for scope in scopes:
                for f in filters:
                    rows = M.action_items(s, scope, day, limit=None, **f)
                    counts = M.count_item_labels(s, scope, day, **f)
                    by_label = Counter(rows["label"])
                    assert {k: getattr(counts, k) for k in M.ITEM_LABELS} == {k: by_label.get(k, 0) for k in M.ITEM_LABELS}
                    assert counts.total == len(rows) == M.count_action_items(s, scope, day, **f)
        sl = M.since_last_meeting(s, Scope.district(), AS_OF)
        labels = list(sl.decided["label"])
        assert (sl.done, sl.late, sl.due_soon) == (labels.count("done"), labels.count("overdue"), labels.count("due_soon"))
        assert sl.open == labels.count("due_soon") + labels.count("on_track")


def test_board_buckets_add_up_and_agree_with_the_overview_counts(world):
    engine, w = world
    with Session(engine) as s:
        for scope in (Scope.district(), Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]])):
            board = M.item_board(s, scope, AS_OF)
            counts = followup.action_item_counts(s, scope, AS_OF)
            assert (board[["not_started", "in_progress", "overdue", "done"]].sum(axis=1) == board["total"]).all()
            assert board["total"].sum() == counts.total and board["overdue"].sum() == counts.overdue
            assert board["done"].sum() == counts.done
        district = M.item_board(s, Scope.district(), AS_OF).set_index("owner")
        district["label"] = [owner_label(o, soon, done, n) for o, soon, done, n in  # the unit's status: the view's rule
                             zip(district["overdue"], district["due_soon"], district["done"], district["total"], strict=True)]
        # A_DW: i0 done, i2 overdue (45 d), i4 in progress, m1 done; B_DW: i3 in progress, m3 overdue (59 d)
        assert district.loc["甲镇党委", ["not_started", "in_progress", "overdue", "done", "total"]].tolist() == [0, 1, 1, 2, 4]
        assert district.loc["甲镇党委", "max_days_overdue"] == 45 and district.loc["乙街道党工委", "max_days_overdue"] == 59
        assert district.loc["乙街道党工委", "label"] == "overdue" and district.loc["区委组织部", "label"] == "done"
        assert list(district.index[:2]) == ["乙街道党工委", "甲镇党委"]  # the oldest overdue first
        # a township sees no district unit's item
        a_board = M.item_board(s, Scope.townships([w.township["A"]]), AS_OF)
        assert set(a_board["owner"]) == {"甲镇党委"}


# --------------------------------------------------------------------------- since the last district meeting


def test_since_last_meeting_on_hand_made_data(world):
    engine, w = world
    with Session(engine) as s:
        sl = M.since_last_meeting(s, Scope.district(), AS_OF)
        assert sl.meeting == M.MeetingRef(w.meeting["D2"], D(2025, 10, 15), "会议D2")  # D3 is after AS_OF
        assert sl.previous == M.MeetingRef(w.meeting["D1"], D(2025, 3, 1), "会议D1")
        assert (sl.done, sl.late, sl.open, sl.due_soon) == (2, 1, 2, 1)
        assert len(sl.decided) == 5 and sl.decided.iloc[0]["description"] == "事项i2"
        assert sl.decided.iloc[0]["owner"] == "甲镇党委" and sl.decided.iloc[0]["days_overdue"] == 45
        assert sorted(sl.new_should_build["name"]) == ["企业e5", "企业e6"]
        then = dict(zip(sl.new_should_build["name"], sl.new_should_build["pattern_then"], strict=True))
        assert then["企业e5"] is None and then["企业e6"] == "union_and_branch"
        assert sl.closed_should_build == 1  # e7 founded its branch
        assert sl.days_since == (AS_OF - D(2025, 10, 15)).days
        # coverage then and now: e5 registered since; e6 lost its branch, e7 gained one
        assert (sl.coverage_then.operating, sl.coverage_now.operating) == (6, 7)
        assert sl.coverage_then.party_coverage.numerator == 4 and sl.coverage_now.party_coverage.numerator == 4
        assert sl.coverage_then.patterns[E.Pattern.SHOULD_BUILD] == 2 and sl.coverage_now.patterns[E.Pattern.SHOULD_BUILD] == 3

        a = M.since_last_meeting(s, Scope.townships([w.township["A"]]), AS_OF)
        assert a.meeting.id == w.meeting["D2"]
        assert set(a.decided["description"]) == {"事项i2", "事项i4"}
        assert (a.done, a.late, a.open) == (0, 1, 1)
        assert list(a.new_should_build["name"]) == ["企业e5"] and a.closed_should_build == 1
        assert a.coverage_now.operating == 5

        b = M.since_last_meeting(s, Scope.townships([w.township["B"]]), AS_OF)
        assert list(b.new_should_build["name"]) == ["企业e6"] and b.closed_should_build == 0
        assert "企业e5" not in set(b.new_should_build["name"])  # never another township's enterprise

        # an explicit district meeting; not an enterprise meeting, nor one after the date, nor garbage
        d1 = M.since_last_meeting(s, Scope.district(), AS_OF, meeting_id=w.meeting["D1"])
        assert d1.meeting.id == w.meeting["D1"] and d1.previous is None and d1.done == 1
        assert M.since_last_meeting(s, Scope.district(), AS_OF, meeting_id=w.meeting["M1"]) is None
        assert M.since_last_meeting(s, Scope.district(), AS_OF, meeting_id=w.meeting["D3"]) is None
        assert M.since_last_meeting(s, Scope.district(), AS_OF, meeting_id="1 OR 1=1") is None
        assert M.since_last_meeting(s, Scope.district(), D(2025, 2, 1)) is None

        listed = M.district_meetings(s, Scope.district(), until=AS_OF)
        assert list(listed["title"]) == ["会议D2", "会议D1"]
        assert len(M.district_meetings(s, Scope.district())) == 3


# --------------------------------------------------------------------------- meetings and their scope


def test_meetings_are_scoped_and_filtered(world):
    engine, w = world
    with Session(engine) as s:
        everything = M.meetings(s, Scope.district(), AS_OF)
        assert set(everything["title"]) == {"会议D1", "会议D2", "会议M1", "会议M2", "会议M3"}
        d2 = everything.set_index("title").loc["会议D2"]
        assert (d2["decisions"], d2["items"], d2["overdue"]) == (1, 5, 1)
        a = M.meetings(s, Scope.townships([w.township["A"]]), AS_OF)
        assert set(a["title"]) == {"会议D1", "会议D2", "会议M1", "会议M2"}  # not B's enterprise meeting
        assert a.set_index("title").loc["会议D2", "items"] == 2  # only A's items of the district meeting
        assert set(M.meetings(s, Scope.district(), AS_OF, level="enterprise")["title"]) == {"会议M1", "会议M2", "会议M3"}
        assert list(M.meetings(s, Scope.district(), AS_OF, enterprise_id=w.ent["e3"])["title"]) == ["会议M3"]
        assert set(M.meetings(s, Scope.district(), AS_OF, start=D(2025, 6, 1), end=D(2025, 12, 1))["title"]) == {
            "会议M1", "会议D2", "会议M3"}
        assert M.meetings(s, Scope.townships([]), AS_OF)["level"].eq("district").all()

        assert M.meeting_detail(s, Scope.townships([w.township["A"]]), w.meeting["M3"], AS_OF) is None
        assert M.meeting_detail(s, Scope.district(), w.meeting["D3"], AS_OF) is None  # after the date
        detail = M.meeting_detail(s, Scope.townships([w.township["A"]]), w.meeting["D2"], AS_OF)
        assert list(detail.attendees["name"]) == ["区委组织部"] and list(detail.decisions["text"]) == ["决定D2"]
        assert set(detail.items["owner"]) == {"甲镇党委"}
        m1 = M.meeting_detail(s, Scope.townships([w.township["A"]]), w.meeting["M1"], AS_OF)
        assert m1.enterprise == "企业e1" and m1.township == "甲镇" and m1.township_id == w.township["A"]
        assert set(M.meeting_enterprises(s, Scope.townships([w.township["B"]]), AS_OF)["name"]) == {"企业e3"}
        cands = M.meeting_candidates(s, Scope.townships([w.township["A"]]), AS_OF)
        assert set(cands["name"]) == {"企业e1", "企业e2", "企业e7"}
        assert list(M.meeting_candidates(s, Scope.district(), AS_OF, search="e3")["name"]) == ["企业e3"]
        assert M.meeting_candidates(s, Scope.district(), AS_OF, search="%").empty


# --------------------------------------------------------------------------- mechanism coverage


def test_mechanism_coverage_per_township(world):
    engine, w = world
    with Session(engine) as s:
        mech = M.mechanism_coverage(s, Scope.district(), AS_OF).set_index("code")
        # A: e1 (met 2025-06-01), e2 (last met 2024-12-01: too long ago), e7 (branch since 2026-01-10)
        assert mech.loc["A", ["eligible", "with_meeting"]].tolist() == [3, 1]
        assert mech.loc["B", ["eligible", "with_meeting"]].tolist() == [1, 1]  # e6 lost its branch
        assert mech.loc["A", "rate"] == pytest.approx(1 / 3)
        # twelve months: on 2026-06-01 e1's meeting of 2025-06-01 no longer counts
        later = M.mechanism_coverage(s, Scope.district(), D(2026, 6, 1)).set_index("code")
        assert later.loc["A", "with_meeting"] == 0
        assert M.mechanism_coverage(s, Scope.district(), D(2026, 5, 31)).set_index("code").loc["A", "with_meeting"] == 1
        only_b = M.mechanism_coverage(s, Scope.townships([w.township["B"]]), AS_OF)
        assert list(only_b["code"]) == ["B"]
        # before anything existed: rows with zero denominators and no rate
        empty = M.mechanism_coverage(s, Scope.district(), D(2010, 1, 1))
        assert empty["eligible"].sum() == 0 and empty["rate"].isna().all()


# --------------------------------------------------------------------------- coordination notices


def test_notices_both_directions_status_as_of_and_overdue_first(world):
    engine, w = world
    with Session(engine) as s:
        df = M.notices(s, Scope.district(), AS_OF)
        ids = {v: k for k, v in w.notice.items()}
        keys = [ids[i] for i in df["id"]]
        assert keys[:2] == ["n5", "n1"] and set(keys) == {"n1", "n2", "n3", "n5"}  # n4 is sent after AS_OF
        rows = {ids[i]: r for i, r in zip(df["id"], df.to_dict("records"), strict=True)}
        assert rows["n1"]["overdue"] and rows["n1"]["days_overdue"] == 29 and rows["n1"]["status"] == "sent"
        assert rows["n2"]["status"] == "acknowledged" and rows["n2"]["days_to_respond"] == 9
        assert rows["n3"]["status"] == "resolved" and rows["n3"]["days_to_respond"] == 19
        # n5 is acknowledged only after AS_OF: as of AS_OF it is overdue and shows no reply yet
        assert rows["n5"]["overdue"] and rows["n5"]["acknowledged_on"] is None and rows["n5"]["status"] == "sent"
        assert set(df["direction"]) == {"to_bureau", "to_federation"}
        assert list(M.notices(s, Scope.district(), AS_OF, direction="to_federation")["id"]) == [w.notice["n2"]]
        assert list(M.notices(s, Scope.townships([w.township["B"]]), AS_OF)["enterprise"]) == ["企业e3"]
        counts = M.notice_counts(s, Scope.district(), AS_OF)
        assert counts == M.NoticeCounts(sent=2, acknowledged=1, resolved=1, overdue=2)
        assert counts.overdue == followup.count_overdue_notices(s, Scope.district(), AS_OF)


def test_summary_path_and_exact_sql_agree(world, monkeypatch):
    """With fresh summary tables the pattern lookups read ``enterprise_state``; the figures must be
    those of the exact SQL."""
    from dashboard.queries import coverage
    from models.summary import rebuild_summaries

    engine, w = world
    with engine.begin() as conn:  # two enterprises outside the 三有 base (not really trading): the 三有 scopes differ
        conn.execute(sa.text("UPDATE enterprise SET trading = :f WHERE id IN (:a, :b)"),
                     {"f": False, "a": w.ent["e1"], "b": w.ent["e6"]})
    rebuild_summaries(engine, today=AS_OF)
    dates = [D(2025, 10, 15), AS_OF, D(2026, 6, 1)]
    scopes = [Scope.district(), Scope.townships([w.township["A"]]), Scope.townships([w.township["B"]])]
    scopes += [sc.with_base(E.Base.SANYOU) for sc in scopes]

    def figures(s):
        out = []
        for scope in scopes:
            for day in dates:
                sl = M.since_last_meeting(s, scope, day, meeting_id=w.meeting["D1"])
                out.append((M.mechanism_coverage(s, scope, day).to_dict("list"),
                            sl.new_should_build.to_dict("list"), sl.closed_should_build,
                            M.meeting_candidates(s, scope, day).to_dict("list")))
        return out

    with Session(engine) as s:
        assert coverage.summaries_fresh(s)
        fast = figures(s)
    monkeypatch.setattr(coverage, "summaries_fresh", lambda session: False)
    with Session(engine) as s:
        exact = figures(s)
    assert fast == exact
    assert any(f[1]["name"] for f in fast) and any(f[2] for f in fast)  # the comparison saw gaps move
    assert fast[0][0] != fast[3 * len(dates)][0]  # the district over 三有 is not the district over all (e1 left out)


# --------------------------------------------------------------------------- counts past the list caps


def _add_enterprise_meetings(engine, w: World, n: int) -> None:
    """``n`` more enterprise meetings of e3 (township B), each with one open item overdue on AS_OF."""
    with Session(engine) as s:
        for k in range(n):
            m = JointMeeting(level=E.MeetingLevel.ENTERPRISE, held_on=D(2025, 7, 1) + dt.timedelta(k),
                             enterprise_id=w.ent["e3"], township_id=w.township["B"], title=f"加会{k}")
            s.add(m)
            s.flush()
            dec = Decision(meeting_id=m.id, text=f"加决定{k}")
            s.add(dec)
            s.flush()
            s.add(ActionItem(decision_id=dec.id, description=f"加事项{k}", owner_unit_id=w.unit["B_DW"],
                             township_id=w.township["B"], created_on=m.held_on, due_on=D(2025, 8, 1),
                             status=E.ActionStatus.OPEN))
        s.commit()


def test_counts_are_the_full_numbers_when_the_lists_are_capped(world):
    engine, w = world
    _add_enterprise_meetings(engine, w, 6)
    district, b = Scope.district(), Scope.townships([w.township["B"]])
    with Session(engine) as s:
        # meetings: 2 district + 3 + 6 enterprise meetings by AS_OF; the list stops at 5, the count does not
        assert len(M.meetings(s, district, AS_OF, limit=5)) == 5
        assert M.meeting_counts(s, district, AS_OF) == M.MeetingCounts(total=11, district=2, enterprise=9)
        assert M.meeting_counts(s, b, AS_OF) == M.MeetingCounts(total=9, district=2, enterprise=7)
        assert M.meeting_counts(s, Scope.townships([w.township["A"]]), AS_OF) == M.MeetingCounts(4, 2, 2)
        assert M.meeting_counts(s, district, AS_OF, level="enterprise").total == 9
        assert M.meeting_counts(s, district, AS_OF, enterprise_id=w.ent["e3"]).total == 7
        assert M.meeting_counts(s, district, AS_OF, start=D(2025, 6, 1), end=D(2025, 10, 15)) == M.MeetingCounts(8, 1, 7)
        for kwargs in ({}, {"level": "district"}, {"start": D(2025, 6, 1), "end": D(2025, 12, 1)}):
            assert M.meeting_counts(s, district, AS_OF, **kwargs).total == len(M.meetings(s, district, AS_OF, **kwargs))
        assert M.meeting_counts(s, Scope.townships([]), AS_OF) == M.MeetingCounts(2, 2, 0)

        # action items: 8 + 6 by AS_OF, 4 + 6 of them open; the capped list keeps the most overdue
        capped = M.action_items(s, district, AS_OF, limit=5)
        assert len(capped) == 5 and (capped["label"] == "overdue").all()
        assert M.count_action_items(s, district, AS_OF) == 14 == len(M.action_items(s, district, AS_OF, limit=None))
        assert M.count_action_items(s, district, AS_OF, only_open=True) == 10
        assert M.count_action_items(s, b, AS_OF, only_open=True) == 8  # i3, m3 and the six
        assert M.count_action_items(s, district, AS_OF, owner_unit_id=w.unit["A_DW"]) == 4
        assert M.count_action_items(s, district, AS_OF, meeting_id=w.meeting["D2"]) == 5
        assert M.count_action_items(s, Scope.townships([w.township["A"]]), AS_OF) == M.item_board(
            s, Scope.townships([w.township["A"]]), AS_OF)["total"].sum()
        # the status picker's search: description or owner unit, in SQL, % is a literal
        assert M.count_action_items(s, district, AS_OF, only_open=True, search="加事项") == 6
        assert list(M.action_items(s, district, AS_OF, search="事项i2")["description"]) == ["事项i2"]
        assert M.count_action_items(s, district, AS_OF, search="甲镇党委") == 4
        assert M.count_action_items(s, district, AS_OF, search="%") == 0

        # notices: 4 sent by AS_OF, 3 of them not resolved
        assert len(M.notices(s, district, AS_OF, limit=2)) == 2
        counts = M.notice_counts(s, district, AS_OF)
        assert counts.total == 4 == len(M.notices(s, district, AS_OF, limit=None))
        unresolved = M.notices(s, district, AS_OF, unresolved=True)
        assert set(unresolved["id"]) == {w.notice[k] for k in ("n1", "n2", "n5")}
        assert len(unresolved) == counts.sent + counts.acknowledged
        assert M.notice_counts(s, district, AS_OF, direction="to_federation").total == 1


# --------------------------------------------------------------------------- due_by / created_before (the brief)


def test_action_items_due_by_and_created_before(world):
    engine, w = world
    district = Scope.district()
    with Session(engine) as s:
        keys = lambda df: {k for k, v in w.item.items() if v in set(df["id"])}  # noqa: E731
        # open on AS_OF: i2 (overdue), m3 (overdue), i3 (due 03-05), i4 (due 06-01)
        assert keys(M.action_items(s, district, AS_OF, only_open=True)) == {"i2", "i3", "i4", "m3"}
        soon = AS_OF + dt.timedelta(followup.DUE_SOON_DAYS)
        due = M.action_items(s, district, AS_OF, only_open=True, due_by=soon, limit=None)
        assert keys(due) == {"i2", "i3", "m3"}  # overdue ones satisfy due_on <= due_by too
        assert set(due["label"]) == {"overdue", "due_soon"}
        assert keys(M.action_items(s, district, AS_OF, only_open=True, due_by=D(2026, 3, 4))) == {"i2", "m3"}
        assert keys(M.action_items(s, district, AS_OF, due_by=D(2025, 11, 15))) == {"i0", "i1", "m1"}
        # created_before is strict: m3 was decided on 2025-12-01
        assert keys(M.action_items(s, district, AS_OF, only_open=True, due_by=soon,
                                   created_before=D(2025, 12, 1))) == {"i2", "i3"}
        assert keys(M.action_items(s, district, AS_OF, only_open=True, due_by=soon,
                                   created_before=D(2025, 12, 2))) == {"i2", "i3", "m3"}
        assert M.action_items(s, district, AS_OF, created_before=D(2025, 3, 1)).empty
        assert M.count_action_items(s, district, AS_OF, only_open=True, due_by=soon, created_before=D(2025, 12, 1)) == 2
        # the brief's call, for the next meeting after D2 (its items decided before that meeting)
        brief = M.action_items(s, Scope.townships([w.township["A"]]), AS_OF, only_open=True, due_by=soon,
                               created_before=None, limit=None)
        assert keys(brief) == {"i2"}


# --------------------------------------------------------------------------- district meeting references


def test_latest_and_previous_district_meeting(world):
    engine, w = world
    ref = lambda key, day: M.MeetingRef(w.meeting[key], day, f"会议{key}")  # noqa: E731
    with Session(engine) as s:
        d1, d2, d3 = ref("D1", D(2025, 3, 1)), ref("D2", D(2025, 10, 15)), ref("D3", D(2026, 4, 1))
        assert M.latest_district_meeting(s, AS_OF) == d2
        assert M.latest_district_meeting(s, D(2025, 3, 1)) == d1  # held on that day counts
        assert M.latest_district_meeting(s, D(2025, 2, 28)) is None
        assert M.latest_district_meeting(s, D(2030, 1, 1)) == d3
        assert M.previous_district_meeting(s, d3) == d2
        assert M.previous_district_meeting(s, d2) == d1
        assert M.previous_district_meeting(s, d1) is None
        # enterprise meetings never count (M3 of 2025-12-01 lies between D2 and D3)
        assert M.latest_district_meeting(s, D(2025, 12, 31)) == d2
        # two district meetings on one day: ordered by id
        m = JointMeeting(level=E.MeetingLevel.DISTRICT, held_on=D(2025, 10, 15), title="会议D2b")
        s.add(m)
        s.commit()
        d2b = M.MeetingRef(m.id, D(2025, 10, 15), "会议D2b")
        assert M.latest_district_meeting(s, AS_OF) == d2b
        assert M.previous_district_meeting(s, d2b) == d2 and M.previous_district_meeting(s, d2) == d1
        # since_last_meeting uses the same rule
        sl = M.since_last_meeting(s, Scope.district(), AS_OF)
        assert sl.meeting == d2b and sl.previous == d2


# --------------------------------------------------------------------------- units


def test_units_and_the_owner_units_of_a_township(world):
    engine, w = world
    with Session(engine) as s:
        every = M.units(s)
        assert list(every["code"][:3]) == ["ZZB", "ZGH", "MQJ_DW"]  # district units first
        assert set(every["code"]) == {"ZZB", "ZGH", "MQJ_DW", "A_DW", "B_DW"}
        assert set(M.units(s, owners_for=Scope.district())["code"]) == set(every["code"])
        assert set(M.units(s, owners_for=Scope.townships([w.township["A"]]))["code"]) == {"ZZB", "ZGH", "MQJ_DW", "A_DW"}
        assert set(M.units(s, owners_for=Scope.townships([]))["code"]) == {"ZZB", "ZGH", "MQJ_DW"}
