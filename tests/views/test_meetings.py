"""The joint-meetings view layer: pure, no database and no Streamlit — small frames built by hand,
labelled in both languages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.i18n import t
from dashboard.queries.brief import Brief
from dashboard.queries.coverage import CoverageKpis, Rate
from dashboard.queries.meetings import ITEM_COLUMNS, NOTICE_COLUMNS, MeetingCounts, MeetingRef, SinceLastMeeting
from dashboard.views import meetings as V
from dashboard.views.status import COLOUR, DUE_SOON_DAYS, LABEL_FILL, LABEL_STYLE
from models.enums import Pattern

D = dt.date
AS_OF = D(2026, 3, 1)
LOCALES = ("zh_CN", "en")


def item(id_, label, *, description="事项", owner="甲镇党委", due=D(2026, 1, 15), status="open", done_on=None,
         days=0, meeting="区级联席会议（第2次）", held_on=D(2025, 10, 15)) -> dict:
    return {"id": id_, "meeting_id": 1, "meeting": meeting, "level": "district", "held_on": held_on, "decision_id": 9,
            "decision": "决定", "description": description, "owner_unit_id": 4, "owner": owner, "township_id": 1,
            "created_on": held_on, "due_on": due, "status": status, "done_on": done_on, "label": label,
            "days_overdue": days}


def items() -> pd.DataFrame:
    """Four items of one meeting as ``action_items`` returns them on AS_OF, overdue first."""
    return pd.DataFrame([
        item(2, "overdue", description="督促建立党支部", due=D(2026, 1, 15), days=45),
        item(3, "due_soon", description="摸底", owner="乙街道党工委", due=D(2026, 3, 5), status="in_progress"),
        item(4, "on_track", description="观摩", due=D(2026, 6, 1), status="in_progress"),
        item(1, "done", description="核实底数", owner="区委组织部", due=D(2025, 11, 15), status="done",
             done_on=D(2025, 11, 10)),
    ], columns=ITEM_COLUMNS)


# --------------------------------------------------------------------------- building blocks


def test_table_styles_its_status_column_and_only_it():
    frame = pd.DataFrame({"状态": ["逾期", "已回复", "正常"], "n": [1, None, 3]})
    table = V.Table(frame, ["red", "", "green"], "状态")
    assert len(table) == 3
    styler = table.styled()
    styler._compute()
    css = {cell: ";".join(f"{k}:{v}" for k, v in props) for cell, props in styler.ctx.items() if props}
    assert css == {(0, 0): LABEL_STYLE["red"], (2, 0): LABEL_STYLE["green"]}  # the status column only
    assert "—" in styler.to_html()  # a missing value reads "—"
    plain = V.Table(frame)
    assert plain.styled() is frame and plain.colours == [] and plain.status is None
    with pytest.raises(ValueError):
        V.Table(frame, ["red"], "状态").styled()  # one colour per row, never silently misaligned


def test_table_fills_give_each_status_word_its_one_colour():
    """What the pages draw instead of a Styler (issue 22): each word once, in the order of the rows,
    with the fill of its colour (LABEL_FILL, the Styler's background); no colour: None."""
    frame = pd.DataFrame({"状态": ["逾期", "已回复", "正常", "逾期"], "n": [1, None, 3, 4]})
    table = V.Table(frame, ["red", "", "green", "red"], "状态")
    assert table.fills() == {"逾期": LABEL_FILL["red"], "已回复": None, "正常": LABEL_FILL["green"]}
    assert all(f"background-color:{LABEL_FILL[c]}" in LABEL_STYLE[c] for c in LABEL_FILL)  # one colour, two uses
    assert V.Table(frame).fills() == {}
    with pytest.raises(ValueError, match="two colours"):
        V.Table(frame, ["red", "", "green", "amber"], "状态").fills()  # a word is one status
    with pytest.raises(ValueError):
        V.Table(frame, ["red"], "状态").fills()  # one colour per row
    board = V.board_items_table(items(), "zh_CN")
    assert board.fills() == {V.item_status_text(k, "zh_CN"): LABEL_FILL[COLOUR[k]]
                             for k in ("overdue", "due_soon", "on_track", "done")}


def test_day_and_item_status_words():
    assert V.day(D(2026, 3, 1), "zh_CN") == "2026年3月1日" and V.day(D(2026, 3, 1), "en") == "2026-03-01"
    assert V.day(None, "zh_CN") == "—" and V.day(float("nan"), "en") == "—"
    assert [V.item_status_text(k, "zh_CN") for k in ("overdue", "due_soon", "on_track", "done")] == [
        "逾期", "临期", "正常", "已完成"]
    assert [V.item_status_text(k, "en") for k in ("overdue", "due_soon", "on_track", "done")] == [
        "Overdue", "Due soon", "On track", "Done"]


def test_owner_label_is_the_worst_item():
    assert V.owner_label(overdue=1, due_soon=3, done=0, total=5) == "overdue"
    assert V.owner_label(overdue=0, due_soon=1, done=0, total=5) == "due_soon"
    assert V.owner_label(overdue=0, due_soon=0, done=5, total=5) == "done"
    assert V.owner_label(overdue=0, due_soon=0, done=2, total=5) == "on_track"
    # its colour is the aggregate rule of views.status
    assert [COLOUR[V.owner_label(o, s, d, n)] for o, s, d, n in ((1, 0, 0, 1), (0, 1, 0, 1), (0, 0, 1, 1))] == [
        "red", "amber", "green"]


# --------------------------------------------------------------------------- action items


@pytest.mark.parametrize("loc", LOCALES)
def test_detail_items_table(loc):
    table = V.detail_items_table(items(), loc)
    assert list(table.frame.columns) == [t("meetings.col.status", loc), t("col.item", loc), t("col.owner", loc),
                                         t("col.due", loc), t("col.days_overdue", loc), t("meetings.col.done_on", loc)]
    assert table.status == t("meetings.col.status", loc)
    assert table.colours == ["red", "amber", "green", "green"]
    first, last = table.frame.iloc[0].tolist(), table.frame.iloc[-1].tolist()
    assert first == [t("meetings.rag.overdue", loc), "督促建立党支部", "甲镇党委", V.day(D(2026, 1, 15), loc), 45, "—"]
    assert last[0] == t("meetings.rag.done", loc) and last[-1] == V.day(D(2025, 11, 10), loc)


def test_detail_items_table_in_chinese_reads_as_expected():
    row = V.detail_items_table(items(), "zh_CN").frame.iloc[1].tolist()
    assert row == ["临期", "摸底", "乙街道党工委", "2026年3月5日", 0, "—"]


@pytest.mark.parametrize("loc", LOCALES)
def test_board_items_table(loc):
    table = V.board_items_table(items(), loc)
    cols = list(table.frame.columns)
    assert cols == [t("meetings.col.status", loc), t("col.item", loc), t("col.owner", loc), t("meetings.col.meeting", loc),
                    t("col.due", loc), t("col.days_overdue", loc), t("meetings.col.progress", loc),
                    t("meetings.col.done_on", loc)]
    assert table.frame[t("meetings.col.meeting", loc)].iloc[0] == f"{V.day(D(2025, 10, 15), loc)} 区级联席会议（第2次）"
    assert list(table.frame[t("meetings.col.progress", loc)]) == [
        t(f"meetings.status.{s}", loc) for s in ("open", "in_progress", "in_progress", "done")]
    assert table.colours == ["red", "amber", "green", "green"]
    empty = V.board_items_table(items().iloc[0:0], loc)
    assert len(empty) == 0 and list(empty.frame.columns) == cols


@pytest.mark.parametrize("loc", LOCALES)
def test_board_table(loc):
    board = pd.DataFrame({
        "owner_unit_id": [5, 4, 1], "owner": ["乙街道党工委", "甲镇党委", "区委组织部"],
        "not_started": [0, 0, 0], "in_progress": [1, 1, 0], "overdue": [1, 0, 0], "done": [0, 2, 3],
        "total": [2, 3, 3], "due_soon": [1, 1, 0], "oldest_due": [D(2026, 1, 1), None, None],
        "max_days_overdue": [59, 0, 0],
    })
    table = V.board_table(board, loc)
    assert list(table.frame.columns) == [t("col.owner", loc), t("meetings.col.status", loc),
                                         t("meetings.board.overdue", loc), t("meetings.board.in_progress", loc),
                                         t("meetings.board.not_started", loc), t("meetings.board.done", loc),
                                         t("meetings.board.total", loc), t("meetings.board.max_days", loc)]
    assert list(table.frame[t("meetings.col.status", loc)]) == [
        t(f"meetings.rag.{k}", loc) for k in ("overdue", "due_soon", "done")]
    assert table.colours == ["red", "amber", "green"]
    assert table.frame.iloc[0, -1] == 59


def test_item_rows_and_the_decided_table_are_the_same_rows():
    zh = V.item_rows(items(), "zh_CN")
    assert zh == [["逾期", "督促建立党支部", "甲镇党委", "2026年1月15日", "45 天"],
                  ["临期", "摸底", "乙街道党工委", "2026年3月5日", ""],
                  ["正常", "观摩", "甲镇党委", "2026年6月1日", ""],
                  ["已完成", "核实底数", "区委组织部", "2025年11月15日", ""]]
    en = V.item_rows(items(), "en", limit=2)
    assert en == [["Overdue", "督促建立党支部", "甲镇党委", "2026-01-15", "45 days"],
                  ["Due soon", "摸底", "乙街道党工委", "2026-03-05", ""]]
    for loc in LOCALES:
        table = V.decided_table(items(), loc)
        assert list(table.frame.columns) == V.item_header(loc)
        assert table.frame.values.tolist() == V.item_rows(items(), loc)
        assert table.colours == ["red", "amber", "green", "green"] and table.status == V.item_header(loc)[0]
    assert V.item_header("zh_CN") == ["状态", "事项", "责任单位", "期限", "逾期天数"]
    assert V.item_header("en") == ["Status", "Action item", "Owner unit", "Due", "Days overdue"]


def test_late_items_text():
    assert V.late_items_text(items(), "zh_CN") == "**逾期：** 甲镇党委：督促建立党支部（逾期 45 天）"
    assert V.late_items_text(items(), "en") == "**Overdue:** 甲镇党委: 督促建立党支部 (45 days overdue)"
    assert V.late_items_text(items(), "zh_CN", escape=lambda s: f"<{s}>") == "**逾期：** <甲镇党委>：<督促建立党支部>（逾期 45 天）"
    assert V.late_items_text(items().iloc[1:], "zh_CN") is None


@pytest.mark.parametrize("loc", LOCALES)
def test_item_option(loc):
    row = next(items().itertuples())
    assert V.item_option(row, loc) == f"{t('meetings.rag.overdue', loc)} · 甲镇党委 · 督促建立党支部 · {V.day(D(2026, 1, 15), loc)}"
    long = next(pd.DataFrame([item(9, "on_track", description="长" * 60)], columns=ITEM_COLUMNS).itertuples())
    assert "长" * 40 + " · " in V.item_option(long, loc) and "长" * 41 not in V.item_option(long, loc)


def test_items_caption():
    assert V.items_caption(12, 12, AS_OF, "zh_CN") == "共 12 项，逾期在前；状态截至 2026年3月1日。"
    capped = V.items_caption(2500, 2000, AS_OF, "en")
    assert capped.startswith("2,500 items, overdue first; status as of 2026-03-01.") and "first 2,000 only" in capped


@pytest.mark.parametrize("loc", LOCALES)
def test_workbook_meta(loc):
    now = dt.datetime(2026, 3, 1, 9, 30)
    meta = V.workbook_meta(as_of=AS_OF, township_codes=("YB", "DC"), username="staff", exported=now, loc=loc)
    assert meta == [(t("ledger.xl.asof", loc), V.day(AS_OF, loc)), (t("ledger.xl.townships", loc), "YB、DC"),
                    (t("ledger.xl.user", loc), "staff"), (t("ledger.xl.exported", loc), "2026-03-01 09:30")]
    more = V.workbook_meta(as_of=AS_OF, township_codes=(), username="staff", exported=now, loc=loc,
                           capped_note="cut", demo=True)
    assert more[1] == (t("ledger.xl.townships", loc), t("filter.township_placeholder", loc))
    assert more[-2:] == [("", "cut"), ("demo", t("app.demo_help", loc))]


# --------------------------------------------------------------------------- at a glance and meetings


def test_glance_sums_the_board_and_picks_the_badges():
    board = pd.DataFrame({"overdue": [1, 2], "due_soon": [0, 1], "in_progress": [3, 0], "not_started": [0, 1],
                          "done": [4, 5], "total": [8, 8]})
    g = V.glance(board, 0)
    assert (g.overdue, g.due_soon, g.open, g.done, g.total) == (3, 1, 4, 9, 16)
    assert g.done_share == pytest.approx(9 / 16)
    assert (g.items_status, g.notices_status) == ("red", "green")
    calm = V.glance(board.assign(overdue=0, due_soon=0), 2)
    assert (calm.items_status, calm.notices_status) == ("green", "red")
    assert V.glance(board.assign(overdue=0), 0).items_status == "amber"
    empty = V.glance(board.iloc[0:0], 0)
    assert empty.total == 0 and empty.done_share is None


@pytest.mark.parametrize("loc", LOCALES)
def test_meeting_option_and_caption(loc):
    assert V.meeting_option(D(2025, 10, 15), "会议D2", loc) == f"{V.day(D(2025, 10, 15), loc)} · 会议D2"
    counts = MeetingCounts(total=1200, district=12, enterprise=1188)
    full = V.meetings_caption(counts, 1200, D(2023, 3, 1), AS_OF, loc)
    assert full == t("meetings.count", loc, n="1,200", district="12", enterprise="1,188",
                     start=V.day(D(2023, 3, 1), loc), end=V.day(AS_OF, loc))
    capped = V.meetings_caption(counts, 1000, D(2023, 3, 1), AS_OF, loc)
    assert capped == full + " " + t("meetings.count_capped", loc, shown="1,000")


# --------------------------------------------------------------------------- since the last meeting


def kpis(day: dt.date, union: tuple[int, int], party: tuple[int, int], should_build: int) -> CoverageKpis:
    return CoverageKpis(as_of=day, operating=union[1], union_coverage=Rate(*union), membership=Rate(80, 100),
                        party_coverage=Rate(*party), qualified_built=Rate(3, 4), work_coverage=Rate(0, 0),
                        patterns={p: 0 for p in Pattern} | {Pattern.SHOULD_BUILD: should_build})


def test_pp_change():
    assert V.pp_change(0.5, 0.525, "zh_CN") == "+2.5 个百分点" and V.pp_change(0.5, 0.4, "en") == "-10.0 pp"
    assert V.pp_change(None, 0.4, "en") == "—" and V.pp_change(0.4, None, "zh_CN") == "—"


def test_since_coverage_text():
    then, now = kpis(D(2025, 10, 15), (2, 4), (1, 4), 2), kpis(AS_OF, (3, 4), (1, 4), 3)
    zh = V.since_coverage_text(then, now, D(2025, 10, 15), "zh_CN")
    assert zh.startswith("覆盖率变化（2025年10月15日 → 统计日期）： 建会率 50.0% → 75.0%（+25.0 个百分点）")
    assert "工作覆盖率 — → —（—）" in zh and zh.count(" · ") == len(V.SINCE_RATES) - 1
    en = V.since_coverage_text(then, now, D(2025, 10, 15), "en")
    assert en.startswith("Coverage change (2025-10-15 → as-of date): ") and "50.0% → 75.0% (+25.0 pp)" in en


@pytest.mark.parametrize("loc", LOCALES)
def test_new_gaps_table(loc):
    gaps = pd.DataFrame({"enterprise_id": [5, 6], "name": ["企业e5", "企业e6"], "township": ["甲镇", "乙街道"],
                         "party_members": [4, 3], "pattern_then": [None, "union_and_branch"]})
    table = V.new_gaps_table(gaps, loc)
    assert table.status is None
    assert list(table.frame.columns) == [t("col.enterprise", loc), t("col.township", loc), t("col.party_members", loc),
                                         t("meetings.col.pattern_then", loc)]
    assert list(table.frame.iloc[:, -1]) == [t("meetings.not_operating", loc), t("pattern.union_and_branch", loc)]


# --------------------------------------------------------------------------- mechanism coverage


@pytest.mark.parametrize("loc", LOCALES)
def test_mechanism_totals_and_table(loc):
    mech = pd.DataFrame({"township_id": [1, 2, 3], "code": ["A", "B", "C"], "name": ["甲镇", "乙街道", "丙乡"],
                         "eligible": [3, 1, 0], "with_meeting": [1, 1, 0], "rate": [1 / 3, 1.0, None]})
    assert V.mechanism_totals(mech) == (2, 4, 0.5)  # Σ numerators ÷ Σ denominators, not the mean of the rates
    assert V.mechanism_totals(mech.iloc[2:]) == (0, 0, None)
    table = V.mechanism_table(mech, loc)
    assert list(table.frame.columns) == [t("col.township", loc), t("meetings.mech.num", loc),
                                         t("meetings.mech.den", loc), t("meetings.mech.rate", loc)]
    rates = list(table.frame[t("meetings.mech.rate", loc)])
    assert rates[0] == pytest.approx(100 / 3) and rates[1] == 100 and pd.isna(rates[2])


# --------------------------------------------------------------------------- coordination notices


def notices() -> pd.DataFrame:
    rows = [
        (1, "to_bureau", "sent", True, None, None, 29, None),
        (2, "to_federation", "acknowledged", False, D(2026, 2, 10), None, 0, 9),
        (3, "to_bureau", "resolved", False, D(2025, 6, 20), D(2025, 7, 1), 0, 19),
        (4, "to_bureau", "sent", False, None, None, 0, None),
    ]
    return pd.DataFrame([{
        "id": i, "direction": direction, "enterprise_id": 10 + i, "enterprise": f"企业{i}", "township_id": 1,
        "township": "甲镇", "from_unit": "区总工会", "to_unit": "民营局党委", "sent_on": D(2026, 1, 1),
        "respond_by": D(2026, 1, 31), "acknowledged_on": ack, "resolved_on": res, "note": None, "status": status,
        "overdue": overdue, "days_overdue": days, "days_to_respond": respond,
    } for i, direction, status, overdue, ack, res, days, respond in rows], columns=NOTICE_COLUMNS).astype(
        {"days_to_respond": "Int64"})


@pytest.mark.parametrize("loc", LOCALES)
def test_notices_table(loc):
    table = V.notices_table(notices(), loc)
    status = t("meetings.col.status", loc)
    assert table.status == status and list(table.frame.columns)[:4] == [
        status, t("col.enterprise", loc), t("col.township", loc), t("col.direction", loc)]
    assert list(table.frame[status]) == [t("meetings.notice.overdue_label", loc), t("meetings.notice.status.acknowledged", loc),
                                         t("meetings.notice.status.resolved", loc), t("meetings.notice.status.sent", loc)]
    assert table.colours == ["red", "", "green", "amber"]
    assert list(table.frame[t("meetings.notice.days_to_respond", loc)]) == ["—", "9", "19", "—"]
    assert table.frame[t("col.direction", loc)].iloc[1] == t("direction.to_federation", loc)
    assert table.frame[t("meetings.notice.acknowledged_on", loc)].iloc[0] == "—"
    assert table.frame[t("meetings.notice.resolved_on", loc)].iloc[2] == V.day(D(2025, 7, 1), loc)


@pytest.mark.parametrize("loc", LOCALES)
def test_notices_caption_and_option(loc):
    assert V.notices_caption(4, 4, loc) == t("meetings.notice.caption", loc)
    assert V.notices_caption(1500, 1000, loc) == t("meetings.notice.caption", loc) + " " + t(
        "meetings.notice.capped", loc, n="1,500", shown="1,000")
    row = next(notices().itertuples())
    assert V.notice_option(row, loc) == f"企业1 · {t('direction.to_bureau', loc)} · {V.day(D(2026, 1, 1), loc)}"


# --------------------------------------------------------------------------- the meeting brief


def brief(*, with_since: bool = True) -> Brief:
    d1, d2 = MeetingRef(1, D(2025, 3, 1), "会议D1"), MeetingRef(2, D(2025, 10, 15), "会议D2")
    then, now = kpis(D(2025, 10, 15), (2, 4), (1, 4), 2), kpis(AS_OF, (3, 4), (1, 4), 3)
    gaps = pd.DataFrame({"enterprise_id": [5], "name": ["企业e5"], "township": ["甲镇"], "party_members": [1234],
                         "pattern_then": [None]})
    since = SinceLastMeeting(as_of=AS_OF, meeting=d2, previous=d1, decided=items(), done=1, late=1, open=2,
                             due_soon=1, new_should_build=gaps, closed_should_build=1, coverage_then=then,
                             coverage_now=now) if with_since else None
    return Brief(date=AS_OF, meeting=None, previous=d2 if with_since else None, since=since, kpis=now,
                 kpis_before=then if with_since else None, by_township=pd.DataFrame(), due=items().iloc[:2],
                 n_overdue=1, n_due_soon=1, model=None)


def test_brief_kpi_rows():
    rows = V.brief_kpi_rows(brief(), "zh_CN")
    assert rows[0] == ["建会率", "75.0%（3 / 4）", "50.0%", "+25.0 个百分点"]
    assert rows[-1] == ["应建未建", "3 家", "2 家", "+1"]
    assert len(rows) == len(V.BRIEF_RATES) + 1
    en = V.brief_kpi_rows(brief(), "en")
    assert en[0][1] == "75.0% (3 / 4)" and en[-1] == [t("pattern.should_build", "en"), "3 enterprises", "2 enterprises", "+1"]
    first = V.brief_kpi_rows(brief(with_since=False), "zh_CN")
    assert first[0][2:] == ["—", "—"] and first[-1][2:] == ["—", "—"]


def test_brief_summaries():
    zh = V.brief_summaries(brief(), "zh_CN")
    assert zh == {"decided": "上次会议共决定事项 4 项：已办结 1 项，逾期 1 项，正在办理 2 项。",
                  "due": f"逾期 1 项，{DUE_SOON_DAYS} 天内到期 1 项。",
                  "gaps": "新出现应建未建企业 1 家；同期已解决（建立党组织或关闭）1 家。"}
    en = V.brief_summaries(brief(), "en")
    assert en["due"] == f"1 overdue, 1 due within {DUE_SOON_DAYS} days." and en["decided"].startswith("The previous meeting decided 4")
    none = V.brief_summaries(brief(with_since=False), "en")
    assert none["decided"] == none["gaps"] == t("brief.no_previous", "en")


def test_brief_gap_rows_and_more_text():
    gaps = brief().new_gaps
    assert V.brief_gap_rows(gaps, "zh_CN") == [["企业e5", "甲镇", "1,234"]]
    assert V.brief_gap_rows(gaps, "en", limit=0) == []
    assert V.more_text(15, 12, "zh_CN") == "另有 3 项未列出，详见系统。"
    assert V.more_text(12, 12, "en") is None and V.more_text(3, 8, "en") is None


def test_the_items_sheet_holds_dates_as_dates_and_the_board_sheet_a_total_row(tmp_path):
    """Excel: due, done and meeting dates are dates (sortable), empty when there is none; the
    per-owner sheet ends with 合计 (counts summed, the most days overdue the largest)."""
    import io

    from openpyxl import load_workbook

    from dashboard.exports.excel import workbook_bytes

    rows = items()
    sheet = V.board_items_export(rows, "zh_CN")
    due = t("col.due", "zh_CN")
    assert sheet[due].tolist() == [D(2026, 1, 15), D(2026, 3, 5), D(2026, 6, 1), D(2025, 11, 15)]
    assert sheet[t("meetings.col.done_on", "zh_CN")].tolist() == [None, None, None, D(2025, 11, 10)]
    board = pd.DataFrame({"owner_unit_id": [1, 2], "owner": ["甲", "乙"], "overdue": [2, 1], "due_soon": [0, 1],
                          "in_progress": [1, 0], "not_started": [1, 1], "done": [3, 0], "total": [5, 2],
                          "max_days_overdue": [40, 12]})
    owners = V.with_total_row(V.board_table(board, "zh_CN").frame, "zh_CN",
                              maximum=(t("meetings.board.max_days", "zh_CN"),))
    last = owners.iloc[-1]
    assert last.iloc[0] == "合计" and last[t("meetings.board.total", "zh_CN")] == 7
    assert last[t("meetings.board.max_days", "zh_CN")] == 40 and last[t("meetings.col.status", "zh_CN")] is None
    data = workbook_bytes([("清单", sheet), ("汇总", owners)], meta=[], title="测试")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["清单"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index(due) + 1)
    assert cell.is_date and cell.value.date() == D(2026, 1, 15)
    assert ws.cell(row=2, column=header.index(t("meetings.col.done_on", "zh_CN")) + 1).value is None
