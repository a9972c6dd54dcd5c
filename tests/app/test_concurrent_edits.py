"""Two people at once on /meetings (#21 item 2): two AppTest sessions of one server on one item.

A save from a form drawn before someone else's save is refused ("已被他人修改，请刷新后重试") and
writes nothing; the picker saves the row that was picked — also when two rows read the same, and
when the picked row has left the list since (Streamlit would otherwise select another one).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.queries.dates import district_today

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TABLES = ("action_item", "coordination_notice", "audit_event")
CONFLICT = "已被他人修改"


@pytest.fixture
def own_db(demo_template, tmp_path, monkeypatch):
    """A private copy of the demo district that both sessions write to."""
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "two.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def page(engine, user: str) -> AppTest:
    """One browser session on /meetings, signed in as ``user``."""
    from dashboard.ui.auth import USER_KEY

    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = :u"), {"u": user}).scalar_one()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[USER_KEY] = uid
    at.run()
    at.switch_page("app_pages/meetings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()] for t in TABLES}


def item(engine, item_id: int):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT status, done_on FROM action_item WHERE id = :i"), {"i": item_id}).one()


def errors(at: AppTest) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [e.value for e in at.error]


def save_status(at: AppTest, status: str, item_id: int | None = None) -> AppTest:
    if item_id is not None:
        at.selectbox(key="mt_status_item").set_value(item_id)
    at.selectbox(key="mt_status_value").set_value(status)
    return at.button(key="mt_status_submit").click().run()


# --------------------------------------------------------------------------- action item status


def test_a_status_save_from_an_older_form_is_refused_and_writes_nothing(own_db):
    """A and B both show the most overdue item; A sets it in progress, then B (its form drawn before
    A's save) marks it done: B is told it changed, A's save stands."""
    a, b = page(own_db, "staff"), page(own_db, "admin")
    picked = a.selectbox(key="mt_status_item").value
    assert b.selectbox(key="mt_status_item").value == picked
    status_before = item(own_db, picked).status
    save_status(a, "in_progress" if status_before == "open" else "open")
    assert not errors(a)
    after_a = snapshot(own_db)
    save_status(b, "done")
    shown = errors(b)
    assert shown == ["未保存：已被他人修改，请刷新后重试。"], shown
    assert snapshot(own_db) == after_a  # nothing written: no row, no audit event
    # after the refusal B's page shows the fresh row: saving again works
    save_status(b, "done", picked)
    assert not errors(b)
    assert item(own_db, picked).status == "done"


def test_a_picked_item_that_left_the_list_is_not_swapped_for_another(own_db):
    """A marks the item done (it leaves the open list); B's older form still has it picked. Streamlit
    would quietly select the next item; the page refuses instead and changes no row."""
    a, b = page(own_db, "staff"), page(own_db, "admin")
    picked = a.selectbox(key="mt_status_item").value
    save_status(a, "done")
    assert not errors(a) and item(own_db, picked).status == "done"
    after_a = snapshot(own_db)
    save_status(b, "in_progress")
    shown = errors(b)
    assert len(shown) == 1 and CONFLICT in shown[0] and "不在列表中" in shown[0], shown
    assert snapshot(own_db) == after_a


def test_two_items_that_read_the_same_are_told_apart(own_db):
    """Two open items with the same status, owner, text and due date (as items 716 and 1053 of the
    issue): each has its own option, and saving the first changes the first."""
    a = page(own_db, "staff")
    first, options_before = a.selectbox(key="mt_status_item").value, a.selectbox(key="mt_status_item").options
    with own_db.begin() as conn:
        twin = conn.execute(sa.text(
            "INSERT INTO action_item (decision_id, description, owner_unit_id, township_id, created_on, due_on, status) "
            "SELECT decision_id, description, owner_unit_id, township_id, created_on, due_on, status "
            "FROM action_item WHERE id = :i RETURNING id"), {"i": first}).scalar_one()
    st.cache_data.clear()  # written behind the app's back: read it afresh
    a = page(own_db, "staff")
    box = a.selectbox(key="mt_status_item")
    assert len(box.options) == len(options_before) + 1  # both are listed
    twin_before = item(own_db, twin)
    target = "done" if item(own_db, first).status != "done" else "open"
    save_status(a, target, first)
    assert not errors(a)
    assert item(own_db, first).status == target  # the picked item changed …
    assert item(own_db, twin) == twin_before  # … and its twin did not
    assert len(set(box.options)) == len(box.options)  # no two options read the same


# --------------------------------------------------------------------------- notices


def test_a_notice_note_is_not_replaced_by_an_older_form(own_db):
    """The issue's case: A records a note; B's form, drawn before, would have replaced it."""
    a, b = page(own_db, "staff"), page(own_db, "admin")
    notice = a.selectbox(key="mt_notice_pick").value
    assert b.selectbox(key="mt_notice_pick").value == notice
    today = district_today()
    a.date_input(key="mt_notice_ack").set_value(today)
    a.text_area(key="mt_notice_note").input("甲：已电话确认")
    a.button(key="mt_notice_submit").click().run()
    assert not errors(a)
    after_a = snapshot(own_db)
    b.date_input(key="mt_notice_ack").set_value(today)
    b.text_area(key="mt_notice_note").input("乙：另一份说明")
    b.button(key="mt_notice_submit").click().run()
    shown = errors(b)
    assert len(shown) == 1 and CONFLICT in shown[0], shown
    assert snapshot(own_db) == after_a
    with own_db.connect() as conn:
        note = conn.execute(sa.text("SELECT note FROM coordination_notice WHERE id = :i"), {"i": notice}).scalar_one()
    assert note == "甲：已电话确认"


# --------------------------------------------------------------------------- a new item goes to the meeting shown


def test_a_new_item_is_not_added_to_another_meeting_than_the_one_shown(own_db, monkeypatch):
    """B fills the add-item form of the oldest meeting of a capped list; someone records a newer
    meeting, which pushes B's meeting out of the list, and Streamlit would quietly pick the newest
    one: the page refuses instead of adding B's item to a meeting B never saw."""
    import dashboard.ui.data  # noqa: F401  (its wrappers look the query up by name: made before the stand-in)
    from dashboard.queries import meetings as M

    shown = 3
    real = M.meetings
    monkeypatch.setattr(M, "meetings", lambda *a, **k: real(*a, **{**k, "limit": shown}))
    b = page(own_db, "staff")
    options = b.selectbox(key="mt_pick").options
    assert len(options) == shown
    from sqlmodel import Session

    filters, (start, end) = b.session_state["filters"], b.date_input(key="mt_range").value
    with Session(own_db) as s:
        listed = real(s, filters.scope, filters.as_of, start=start, end=end, limit=shown)
    b.selectbox(key="mt_pick").set_value(int(listed["id"].iloc[-1])).run()  # the oldest of the list
    meeting = b.selectbox(key="mt_pick").value
    assert not errors(b) and meeting != b.selectbox(key="mt_pick").options[0]
    with own_db.begin() as conn:  # someone else records a meeting held today
        conn.execute(sa.text("INSERT INTO joint_meeting (level, held_on, title) VALUES ('district', :d, '临时联席会议')"),
                     {"d": district_today()})
    st.cache_data.clear()  # as the other session's save does
    before = snapshot(own_db)
    b.selectbox(key="mt_item_decision").set_value(None)  # with a new decision of B's meeting
    b.text_input(key="mt_item_decision_text").input("组织现场观摩")
    b.text_area(key="mt_item_desc").input("确定观摩企业和日程")
    with own_db.connect() as conn:
        owner = conn.execute(sa.text("SELECT id FROM unit WHERE code = 'ZGH'")).scalar_one()
    b.selectbox(key="mt_item_owner").set_value(owner)
    b.button(key="mt_item_submit").click().run()
    shown_errors = errors(b)
    assert len(shown_errors) == 1 and "不在列表中" in shown_errors[0], shown_errors
    assert snapshot(own_db) == before  # no item anywhere
