"""The first sign-in with a one-time password (AppTest of the whole app): the account must set its
own password, typed twice, before any page is reachable; refusals name the field; afterwards it
works with its own password only. A session whose password an admin resets meanwhile ends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from dashboard.edits import Actor
from dashboard.edits import accounts as edits
from dashboard.queries.scope import Scope
from models.enums import Role
from tests.app.test_access import login
from tests.app.test_overview import APP, run


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    from models import accounts

    monkeypatch.setenv("DANGONG_LOGIN_DELAY_SECONDS", "0.001")
    monkeypatch.setattr(accounts, "hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def own_db(demo_template, tmp_path, monkeypatch):
    from models.db import make_engine
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "first.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def create(engine, username: str, **fields) -> str:
    from models.db import session_scope

    with session_scope(engine) as s:
        change = edits.create_account(session=s, actor=Actor("admin", Role.ADMIN, Scope.district()), username=username,
                                      password="one_time", **fields)
    return change.password


def flag(engine, username: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.text("SELECT must_change_password FROM app_user WHERE username = :u"),
                                 {"u": username}).scalar_one())


def set_own(at: AppTest, password: str, repeat: str) -> AppTest:
    at.text_input(key="own_password").input(password)
    at.text_input(key="own_password_repeat").input(repeat)
    next(b for b in at.button if b.label == "保存密码并进入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_one_time_password_leads_to_the_own_password_form_before_any_page(own_db):
    one_time = create(own_db, "yb_first", role="township", townships=["YB"], display_name="越北镇新账号")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["asof"] = "2002-12-31"
    at.run()
    login(at, "yb_first", one_time)
    assert not at.exception
    assert [s.value for s in at.subheader][-1] == "请设置您自己的密码"
    assert not at.metric and not at.dataframe and not at.sidebar.multiselect  # no page, no figure, no filter
    assert [w.label for w in at.text_input] == ["新密码", "再次输入新密码"]
    # another page by its URL is not reachable either
    at.switch_page("app_pages/ledger.py").run()
    assert not at.dataframe and [s.value for s in at.subheader][-1] == "请设置您自己的密码"

    set_own(at, "short", "short")
    assert at.error[0].value == "未保存：“新密码”至少 8 位。"
    set_own(at, "my-own-pass-1", "my-own-pass-2")
    assert at.error[0].value == "未保存：“再次输入新密码”两次输入的密码不一致。"
    set_own(at, one_time, one_time)
    assert "不能与一次性密码相同" in at.error[0].value
    set_own(at, "yb_first", "yb_first")
    assert "不能与用户名相同" in at.error[0].value
    assert flag(own_db, "yb_first")

    set_own(at, "my-own-pass-1", "my-own-pass-1")
    assert not at.error and not flag(own_db, "yb_first")
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert at.metric and at.sidebar.multiselect[0].options == ["越北镇"]  # its township only
    with own_db.connect() as conn:
        actions = list(conn.execute(sa.text("SELECT action FROM audit_event WHERE username = 'yb_first' ORDER BY id"))
                       .scalars())
    assert actions == ["login", "user_passwd_own"]

    again = AppTest.from_file(APP, default_timeout=90)  # the one-time password is void now
    again.run()
    login(again, "yb_first", one_time)
    assert "用户名或密码错误" in " ".join(e.value for e in again.error)
    login(again, "yb_first", "my-own-pass-1")
    assert again.metric and not any(s.value == "请设置您自己的密码" for s in again.subheader)


def test_signing_out_from_the_own_password_form(own_db):
    one_time = create(own_db, "staff_first", role="staff")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    login(at, "staff_first", one_time)
    at.button(key="own_password_logout").click().run()
    assert not at.exception and [w.label for w in at.text_input] == ["用户名", "密码"]
    assert flag(own_db, "staff_first")


def test_a_password_reset_by_an_admin_ends_a_session_in_progress(own_db):
    from models.db import session_scope

    at = run(_user="staff")
    assert at.metric
    with own_db.connect() as conn:
        uid, version = conn.execute(sa.text("SELECT id, version FROM app_user WHERE username = 'staff'")).one()
    with session_scope(own_db) as s:
        edits.reset_password(session=s, actor=Actor("admin", Role.ADMIN), user_id=uid, version=version)
    at.run()
    assert not at.exception and not at.metric
    assert any("管理员已更改您的账号" in i.value for i in at.info)
    assert [w.label for w in at.text_input] == ["用户名", "密码"]  # the sign-in form, not the new-password form
