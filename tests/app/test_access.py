"""Access control through the app: login form, roles and scope, URL tampering, logout, timeout."""

from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard.ui.auth import SEEN_KEY, USER_KEY
from tests.app.test_overview import APP, captions, run, user_id


@pytest.fixture(autouse=True)
def _fast_delays(monkeypatch):
    monkeypatch.setenv("DANGONG_LOGIN_DELAY_SECONDS", "0.001")


def login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def audit_actions(url: str, username: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action FROM audit_event WHERE username = :u ORDER BY id"), {"u": username})
        actions = [r[0] for r in rows]
    engine.dispose()
    return actions


def test_nothing_before_login(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["asof"] = "2002-12-31"
    at.query_params["base"] = "all"  # the seed facts' base
    at.run()
    assert not at.exception
    assert not at.metric and not at.dataframe
    labels = [w.label for w in at.text_input]
    assert labels == ["用户名", "密码"]
    assert "demo2002" in " ".join(c.value for c in at.caption)  # demo database: demo accounts shown


def test_login_page_in_english(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert [w.label for w in at.text_input] == ["Username", "Password"]


def test_login_through_the_form_then_logout(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["asof"] = "2002-12-31"
    at.query_params["base"] = "all"  # the seed facts' base
    at.run()
    login(at, "leader", "demo2002")
    assert not at.exception
    assert captions(at)[0].startswith("585 / ")
    at.sidebar.button[0].click().run()
    assert not at.metric and [w.label for w in at.text_input] == ["用户名", "密码"]
    assert audit_actions(app_env, "leader")[-2:] == ["login", "logout"]


def test_wrong_password_is_refused_and_audited(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    login(at, "staff", "not-the-password")
    assert not at.metric
    assert "用户名或密码错误" in " ".join(e.value for e in at.error)
    login(at, "nobody-at-all", "demo2002")
    assert "用户名或密码错误" in " ".join(e.value for e in at.error)  # same answer: no user enumeration
    assert audit_actions(app_env, "staff")[-1] == "login_failed"


def test_township_user_sees_only_yuebei(app_env):
    at = run(_user="yuebei", asof="2002-12-31", base="all")
    caps = captions(at)
    assert caps[0].startswith("37 / ")
    patterns = next(c for c in caps if c.startswith("一会一支"))
    assert "一会一支 7 家" in patterns and "一会一员 30 家" in patterns
    assert at.sidebar.multiselect[0].options == ["越北镇"]
    ranking = at.dataframe[-1].value
    assert list(ranking.iloc[:, 0]) == ["越北镇"]


def test_township_user_cannot_reach_another_township_by_url(app_env):
    at = run(_user="yuebei", asof="2002-12-31", base="all", town=["QL"])
    notices = " ".join(w.value for w in at.warning)
    assert "无权查看" in notices and "QL" in notices
    assert captions(at)[0].startswith("37 / ")  # still 越北镇 only, never 青岚街道
    assert at.sidebar.multiselect[0].value == []


def test_township_user_alert_lists_hold_only_its_township(app_env):
    at = run(_user="yuebei")
    for frame in at.dataframe[:-1]:  # the alert lists (the last frame is the ranking)
        df = frame.value
        if "乡镇/街道" in df.columns:
            assert set(df["乡镇/街道"]) <= {"越北镇"}


def test_disabled_user_is_signed_out_at_the_next_run(app_env):
    from models.db import session_scope, make_engine
    from models import accounts

    at = run(_user="staff")
    assert at.metric
    engine = make_engine(app_env)
    with session_scope(engine) as s:
        accounts.set_disabled(s, "staff", True, actor="test")
    try:
        at.run()
        assert not at.metric
        assert any("停用" in i.value for i in at.info)
    finally:
        with session_scope(engine) as s:
            accounts.set_disabled(s, "staff", False, actor="test")
        engine.dispose()


def test_idle_timeout_signs_out(app_env):
    at = run(_user="leader")
    assert at.metric
    at.session_state[SEEN_KEY] = time.time() - 31 * 60
    at.run()
    assert not at.metric
    assert any("未操作" in i.value for i in at.info)


def test_a_locked_account_says_so(app_env, monkeypatch):
    from argon2 import PasswordHasher

    from models import accounts
    from models.db import make_engine, session_scope

    # twelve sign-ins of the user made here: a cheap argon2id (the hasher's cost is not under test)
    monkeypatch.setattr(accounts, "hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

    engine = make_engine(app_env)
    with session_scope(engine) as s:
        accounts.create_user(s, username="locky", password="locky-pass-1", role="leader", actor="test")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for _ in range(accounts.MAX_FAILURES):
        login(at, "locky", "wrong")
    assert "锁定" in " ".join(e.value for e in at.error)
    login(at, "locky", "locky-pass-1")
    assert not at.metric and "锁定" in " ".join(e.value for e in at.error)
    with session_scope(engine) as s:
        accounts.unlock(s, "locky", actor="test")
    engine.dispose()
    login(at, "locky", "locky-pass-1")
    assert at.metric


def test_admin_page_only_for_admins(app_env):
    admin = run(_user="admin")
    admin.switch_page("app_pages/admin.py").run()
    assert not admin.exception
    assert [s.value for s in admin.subheader] == ["用户与审计日志"]
    users = admin.dataframe[0].value
    assert set(users["用户名"]) >= {"leader", "staff", "admin", "yuebei"}
    assert not any("argon2" in str(v) for v in users.to_numpy().ravel())
    audit = admin.dataframe[1].value
    assert "操作" in audit.columns and len(audit) > 0
    admin.text_input(key="audit_user").input("seed").run()  # the demo accounts were added by "seed"
    mine = admin.dataframe[1].value
    assert len(mine) >= 4 and set(mine["用户名"]) == {"seed"}
    for who in ("leader", "staff", "yuebei"):
        at = run(_user=who)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("app_pages/admin.py")
