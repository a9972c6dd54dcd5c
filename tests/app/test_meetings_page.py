"""AppTest of /meetings on a private copy of the demo database (the edits write to it)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard.queries.dates import district_today
from dashboard.views.status import LABEL_FILL

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TABLES = ("joint_meeting", "meeting_attendee", "decision", "action_item", "coordination_notice", "audit_event")


@pytest.fixture
def own_db(demo_url, tmp_path, monkeypatch):
    """A copy of the session's demo database that this test may write to."""
    from models.settings import get_settings

    src = Path(demo_url.removeprefix("sqlite:///"))
    dst = tmp_path / "meetings.sqlite"
    shutil.copy(src, dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def page(engine, user: str, **params) -> AppTest:
    from dashboard.ui.auth import USER_KEY

    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = :u"), {"u": user}).scalar_one()
    from dashboard.i18n import t

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[USER_KEY] = uid
    for key, value in params.items():
        at.query_params[key] = value
    # straight to /meetings, as a deep link (its ``url_path`` is the file's name): no overview run first
    at.switch_page("app_pages/meetings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    loc = "en" if params.get("lang") == "en" else "zh_CN"
    assert t("meetings.title", loc) in [s.value for s in at.subheader], "not the meetings page"
    return at


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()] for t in TABLES}


def unit_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM unit WHERE code = :c"), {"c": code}).scalar_one()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def expanders(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


def test_leader_sees_the_board_and_no_form(own_db):
    from dashboard.queries import followup
    from dashboard.queries.scope import Scope
    from sqlmodel import Session

    at = page(own_db, "leader")
    today = district_today()
    with Session(own_db) as s:
        counts = followup.action_item_counts(s, Scope.district(), today)
    assert counts.overdue > 0  # the demo has overdue items today: the test would notice a zero
    assert metric(at, "逾期事项") == f"{counts.overdue:,} 项"
    assert [tab.label for tab in at.tabs] == ["会议", "事项看板", "机制覆盖", "协调通报"]
    assert not [x for x in expanders(at) if x.startswith(("录入", "为本次", "更新", "登记"))]
    assert [b.label for b in at.button] == ["退出登录"]  # no form, no submit button for a leader
    assert any("只读" in c.value for c in at.caption)
    # every status badge carries its words
    assert any(":red-badge[逾期]" in m.value for m in at.markdown)
    # the tables' status words on their colours, drawn by the table itself (no Styler: issue 22)
    labelled = status_labels(at)
    assert len(labelled) >= 4  # the meeting's items, the since-list, the board per owner, its items, the notices
    board = next(frame for frame, _ in labelled if "最长逾期（天）" in frame.columns)
    fills = dict(next(opts for frame, opts in labelled if frame is board))
    assert "逾期" in set(board["状态"]) and fills["逾期"] == LABEL_FILL["red"] and fills["已完成"] == LABEL_FILL["green"]
    assert set(board["状态"]) <= set(fills)  # every word shown has its label


def status_labels(at: AppTest) -> list[tuple]:
    """(frame, {word: fill}) of every table whose 状态/Status column is drawn as coloured labels."""
    out = []
    for d in at.dataframe:
        config = json.loads(d.proto.columns or "{}")
        for column in ("状态", "Status"):
            tc = config.get(column, {}).get("type_config", {})
            if tc.get("type") == "multiselect":
                out.append((d.value, {o["value"]: o.get("color") for o in tc["options"]}))
    return out


def test_english_page(own_db):
    at = page(own_db, "leader", lang="en")
    assert [tab.label for tab in at.tabs] == ["Meetings", "Action items", "Mechanism coverage", "Coordination notices"]
    assert any(m.label == "Overdue items" for m in at.metric)
    notices = next(frame for frame, _ in status_labels(at) if "Reply due" in frame.columns)
    # "Sent, awaiting reply" is one label (a JSON list), not split at its comma
    assert json.dumps(["Sent, awaiting reply"]) in set(notices["Status"]) and "Overdue" in set(notices["Status"])


def test_staff_marks_an_item_done_exactly_one_row_and_one_audit_event(own_db):
    at = page(own_db, "staff")
    overdue_before = int(metric(at, "逾期事项").split()[0].replace(",", ""))
    done_before = int(metric(at, "已完成事项").split()[0].replace(",", ""))
    item_id = at.selectbox(key="mt_status_item").value  # the most overdue open item comes first
    before = snapshot(own_db)
    with own_db.connect() as conn:
        due = conn.execute(sa.text("SELECT due_on FROM action_item WHERE id = :i"), {"i": item_id}).scalar_one()
    assert dt.date.fromisoformat(str(due)) < district_today()  # it is overdue
    at.selectbox(key="mt_status_value").set_value("done")
    at.button(key="mt_status_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = snapshot(own_db)
    assert {t: len(after[t]) - len(before[t]) for t in TABLES} == {
        "joint_meeting": 0, "meeting_attendee": 0, "decision": 0, "action_item": 0, "coordination_notice": 0,
        "audit_event": 1}
    changed = [r for r in after["action_item"] if r not in before["action_item"]]
    assert [r[0] for r in changed] == [item_id]
    with own_db.connect() as conn:
        row = conn.execute(sa.text("SELECT status, done_on FROM action_item WHERE id = :i"), {"i": item_id}).one()
        event = conn.execute(sa.text("SELECT action, username, entity_id FROM audit_event ORDER BY id DESC LIMIT 1")).one()
    assert (row.status, str(row.done_on)) == ("done", district_today().isoformat())
    assert tuple(event) == ("action_item.status", "staff", str(item_id))
    # the page reran with fresh figures and says so
    assert any("已保存" in s.value for s in at.success)
    assert metric(at, "逾期事项") == f"{overdue_before - 1:,} 项"
    assert metric(at, "已完成事项") == f"{done_before + 1:,} 项"


def test_staff_adds_an_item_to_the_picked_meeting(own_db):
    at = page(own_db, "staff")
    meeting_id = at.selectbox(key="mt_pick").value
    before = snapshot(own_db)
    at.text_area(key="mt_item_desc").input("组织现场观摩")
    owner = unit_id(own_db, "ZGH")
    at.selectbox(key="mt_item_owner").set_value(owner)
    at.button(key="mt_item_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    after = snapshot(own_db)
    assert len(after["action_item"]) == len(before["action_item"]) + 1
    assert len(after["audit_event"]) == len(before["audit_event"]) + 1
    with own_db.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT a.description, d.meeting_id, a.owner_unit_id FROM action_item a "
            "JOIN decision d ON d.id = a.decision_id ORDER BY a.id DESC LIMIT 1")).one()
    assert tuple(row) == ("组织现场观摩", meeting_id, owner)


@pytest.mark.parametrize("case", ["empty_description", "due_before_meeting", "no_owner", "done_in_future"])
def test_invalid_edits_are_refused_with_a_clear_message_and_write_nothing(own_db, case):
    at = page(own_db, "staff")
    before = snapshot(own_db)
    if case == "done_in_future":
        at.selectbox(key="mt_status_value").set_value("done")
        at.date_input(key="mt_status_done").set_value(district_today() + dt.timedelta(days=3))
        at.button(key="mt_status_submit").click().run()
        expected = ("完成日期", "不能晚于今天")
    else:
        at.text_area(key="mt_item_desc").input("" if case == "empty_description" else "某事项")
        if case != "no_owner":
            at.selectbox(key="mt_item_owner").set_value(unit_id(own_db, "ZGH"))
        if case == "due_before_meeting":
            at.date_input(key="mt_item_due").set_value(dt.date(1999, 1, 1))
        at.button(key="mt_item_submit").click().run()
        expected = {"empty_description": ("事项内容", "必填"), "due_before_meeting": ("期限", "不能早于会议日期"),
                    "no_owner": ("责任单位", "必填")}[case]
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("未保存") and all(x in errors[0] for x in expected), errors
    assert snapshot(own_db) == before


def test_township_user_edits_only_its_own_items(own_db):
    at = page(own_db, "yuebei")
    with own_db.connect() as conn:
        yb = conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
        townships = dict(conn.execute(sa.text("SELECT id, township_id FROM action_item")).all())
        other = conn.execute(sa.text(
            "SELECT id FROM action_item WHERE done_on IS NULL AND township_id <> :yb ORDER BY id LIMIT 1"),
            {"yb": yb}).scalar_one()
        n_open = conn.execute(sa.text(
            "SELECT count(*) FROM action_item WHERE done_on IS NULL AND township_id = :yb"), {"yb": yb}).scalar_one()
        n_all = conn.execute(sa.text("SELECT count(*) FROM action_item WHERE done_on IS NULL")).scalar_one()
    options = at.selectbox(key="mt_status_item").options  # labels: status · owner · item · due date
    assert 0 < len(options) == n_open < n_all
    assert all("越北镇" in o for o in options)
    # no district meeting may be recorded by a township account
    assert at.radio(key="mt_new_level").options == ["企业级联席会议"]
    # A crafted request cannot reach the form: Streamlit sends the index of an offered option, and
    # AppTest refuses a value outside the options. The edit functions check every id against the
    # database rows (tests/edits/test_meetings_edits.py crafts them directly); here: submitting the
    # township's own item works and changes that row only.
    before = snapshot(own_db)
    mine = at.selectbox(key="mt_status_item").value
    with own_db.connect() as conn:
        current = conn.execute(sa.text("SELECT status FROM action_item WHERE id = :i"), {"i": mine}).scalar_one()
    at.selectbox(key="mt_status_value").set_value("open" if current == "in_progress" else "in_progress")
    at.button(key="mt_status_submit").click().run()
    after = snapshot(own_db)
    changed = [r[0] for r in after["action_item"] if r not in before["action_item"]]
    assert not at.error, [e.value for e in at.error]
    assert changed == [mine] and townships[mine] == yb and other not in changed


def test_figures_are_counted_in_sql_when_the_lists_are_capped(own_db, monkeypatch):
    """With every list capped at 5 rows the page still shows the full counts, and says that the
    lists are cut."""
    from sqlmodel import Session

    from dashboard.queries import meetings as M

    def capped(fn):
        return lambda *a, **k: fn(*a, **({**k, "limit": 5} if k.get("limit", 0) is not None else k))

    for name in ("meetings", "action_items", "notices"):
        monkeypatch.setattr(M, name, capped(getattr(M, name)))
    at = page(own_db, "staff")
    filters = at.session_state["filters"]
    scope, as_of = filters.scope, filters.as_of
    start, end = at.date_input(key="mt_range").value
    with Session(own_db) as s:
        n_meetings = M.meeting_counts(s, scope, as_of, start=start, end=end)
        n_items = M.count_action_items(s, scope, as_of, only_open=True)
        n_open_today = M.count_action_items(s, scope, district_today(), only_open=True)
        notices = M.notice_counts(s, scope, as_of)
    assert n_meetings.total > 5 and n_items > 5 and notices.total > 5 and n_open_today > 5
    captions = [c.value for c in at.caption]
    count = next(c for c in captions if "次会议" in c)
    assert f"共 {n_meetings.total:,} 次会议：区级 {n_meetings.district:,} 次，企业级 {n_meetings.enterprise:,} 次" in count
    assert "只显示最近 5 次" in count
    assert any(c.startswith(f"共 {n_items:,} 项，逾期在前") and "只显示前 5 项" in c for c in captions), captions
    assert any(f"共 {n_open_today:,} 项符合条件，只列出最逾期的 5 项" in c for c in captions)
    assert len(at.selectbox(key="mt_status_item").options) == 5
    assert metric(at, "逾期未回复通报") == f"{notices.overdue:,} 项"
    assert [metric(at, k) for k in ("逾期未回复", "已发出待回复", "已回复", "已解决")] == [
        f"{n:,} 项" for n in (notices.overdue, notices.sent, notices.acknowledged, notices.resolved)]
    assert any(f"共 {notices.total:,} 条，表格只显示前 5 条" in c for c in captions)
    # the 临期 window is the app's one constant, not a literal in the texts
    help_text = next(m.help for m in at.metric if m.label == "临期事项")
    assert "14 天内" in help_text and "{days}" not in help_text


def test_district_meeting_forms_warn_that_their_text_is_visible_to_every_township(own_db):
    def warnings(at: AppTest) -> int:
        return sum("对所有乡镇/街道可见" in c.value for c in at.caption)

    staff = page(own_db, "staff")
    with own_db.connect() as conn:
        picked_level = conn.execute(sa.text("SELECT level FROM joint_meeting WHERE id = :i"),
                                    {"i": staff.selectbox(key="mt_pick").value}).scalar_one()
    on_item_form = 1 if picked_level == "district" else 0  # adding an item (or a decision) to the picked meeting
    assert staff.radio(key="mt_new_level").value == "district"  # the record form's default for staff
    assert warnings(staff) == 1 + on_item_form
    staff.radio(key="mt_new_level").set_value("enterprise").run()
    assert warnings(staff) == on_item_form
    staff.selectbox(key="mt_level").set_value("district").run()  # now the picked meeting is a district one
    assert warnings(staff) == 1
    township = page(own_db, "yuebei")  # no district meeting can be recorded nor extended by a township
    assert warnings(township) == 0


def test_many_enterprises_are_found_by_name_not_all_sent(own_db, monkeypatch):
    """Issue 22: above ENTERPRISE_OPTIONS enterprises with meetings (25,000 at 1M), the enterprise filter
    offers at most that many, those whose names contain what is typed; one chosen stays chosen when the
    search changes, and the timeline follows it."""
    from dashboard.ui.sections.meetings import timeline

    monkeypatch.setattr(timeline, "ENTERPRISE_OPTIONS", 5)
    at = page(own_db, "leader")
    with own_db.connect() as conn:
        n = conn.execute(sa.text("SELECT count(DISTINCT enterprise_id) FROM joint_meeting WHERE level = 'enterprise'")).scalar()
        name, ent_id = conn.execute(sa.text(
            "SELECT e.name, e.id FROM enterprise e JOIN joint_meeting m ON m.enterprise_id = e.id "
            "WHERE m.level = 'enterprise' ORDER BY e.name DESC LIMIT 1")).one()  # last by name: not among the first five
    assert n > 5
    box = at.selectbox(key="mt_enterprise")
    assert len(box.options) == 6 and name not in box.options  # 全部企业 and the first five by name
    at.text_input(key="mt_enterprise_search").input(name[-6:]).run()
    box = at.selectbox(key="mt_enterprise")
    assert name in box.options and all(name[-6:] in o for o in box.options[1:])
    box.set_value(ent_id).run()
    at.text_input(key="mt_enterprise_search").input("不会有这样的企业名").run()
    assert not at.exception
    box = at.selectbox(key="mt_enterprise")
    assert box.value == ent_id and box.options == [t_all(), name]  # still chosen, still offered
    assert any("次会议" in c.value for c in at.caption)


def t_all() -> str:
    from dashboard.i18n import t

    return t("meetings.filter.all_enterprises", "zh_CN")
