"""Kiosk links for the meeting-room screen (#17 item 2): an admin makes one on the admin page (shown
once, only its hash kept), it opens /present without a password — read-only, limited to its
townships, the big screen only, audited — and stops working at once when revoked or expired."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard.edits import Actor, EditError
from dashboard.edits import kiosk as K
from dashboard.i18n import t
from models.enums import Role
from tests.app.test_admin_page import admin_page, button, ok, own_db  # noqa: F401
from tests.app.test_overview import APP
from tests.app.test_present_page import html_text

ADMIN = Actor("admin", Role.ADMIN)


def make(engine, **kw) -> K.Made:
    with Session(engine) as s:
        made = K.create_link(session=s, actor=ADMIN, **{"label": "三楼会议室", **kw})
        s.commit()
        return made


def screen(token: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["kiosk"] = token
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return ok(at)


def test_a_kiosk_link_opens_the_big_screen_read_only_for_its_townships(own_db):  # noqa: F811
    made = make(own_db, townships=["YB"], days=30)
    # another township in the URL changes nothing: the link's scope is 越北镇
    at = screen(made.token, slide="kpis", asof="2002-12-31", base="all", town=["SH"])
    assert not [i for i in at.text_input if i.label == "用户名"]  # no sign-in form
    assert "会议室大屏（只读）：三楼会议室" in " ".join(c.value for c in at.caption)
    text = html_text(at)
    assert "37 / 43 家" in text and "585 / " not in text and "越北镇" in text  # 越北镇's figures only
    with own_db.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash, last_used_at FROM kiosk_link")).one()
        audited = conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'kiosk_open'")).scalar_one()
    assert made.token not in stored[0] and stored[1] is not None and audited == 1
    # revoked: the next run of the screen shows the sign-in page with the reason
    version = 1
    with Session(own_db) as s:
        K.revoke_link(session=s, actor=ADMIN, link_id=made.link_id, version=version)
        s.commit()
    at.run()
    assert [i for i in at.text_input if i.label == "用户名"]
    assert t("kiosk.invalid", "zh_CN") in " ".join(i.value for i in at.info)


def test_expired_or_made_up_tokens_open_nothing(own_db):  # noqa: F811
    past = make(own_db, days=1)
    with own_db.begin() as conn:
        conn.execute(sa.text("UPDATE kiosk_link SET expires_at = :d"), {"d": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)})
    for token in (past.token, "x" * 43, "short"):
        at = screen(token)
        assert [i for i in at.text_input if i.label == "用户名"], token


def test_only_an_admin_makes_or_revokes_and_bad_input_is_refused(own_db):  # noqa: F811
    with Session(own_db) as s:
        for actor in (Actor("staff", Role.STAFF), Actor("leader", Role.LEADER)):
            with pytest.raises(EditError, match="forbidden_role"):
                K.create_link(session=s, actor=actor, label="x")
        for kw, key in (({"label": " "}, "kiosk.err.required"), ({"label": "x", "days": 0}, "kiosk.err.bad_days"),
                        ({"label": "x", "days": "many"}, "kiosk.err.bad_days"),
                        ({"label": "x", "townships": ["ZZ"]}, "kiosk.err.bad_township")):
            with pytest.raises(EditError) as info:
                K.create_link(session=s, actor=ADMIN, **kw)
            assert info.value.key == key
    made = make(own_db)
    with Session(own_db) as s:
        with pytest.raises(EditError, match="conflict"):
            K.revoke_link(session=s, actor=ADMIN, link_id=made.link_id, version=7)
    with own_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM kiosk_link")).scalar_one() == 1  # the refusals wrote nothing


def test_the_admin_page_makes_a_link_shown_once_and_revokes_it(own_db):  # noqa: F811
    at = admin_page()
    at.text_input(key="kiosk_label").input("一楼大厅大屏")
    at.multiselect(key="kiosk_towns").set_value(["YB"])
    button(at, t("kiosk.create", "zh_CN")).click().run()
    ok(at)
    codes = [c.value for c in at.code if "present?kiosk=" in c.value]
    assert len(codes) == 1
    token = codes[0].split("kiosk=", 1)[1]
    links = [d.value for d in at.dataframe if t("kiosk.col.expires", "zh_CN") in d.value.columns][0]
    assert links.iloc[0].tolist()[:3] == ["一楼大厅大屏", "越北镇", "有效"]
    at.run()  # the next run: the link is not shown again
    assert not [c for c in at.code if "present?kiosk=" in c.value]
    assert screen(token).caption  # it opens the screen
    button(at, t("kiosk.revoke", "zh_CN")).click().run()
    ok(at)
    links = [d.value for d in at.dataframe if t("kiosk.col.expires", "zh_CN") in d.value.columns][0]
    assert links.iloc[0][t("kiosk.col.state", "zh_CN")] == "已撤销"
    assert [i for i in screen(token).text_input if i.label == "用户名"]
