"""AppTest of the admin page (/admin): an admin creates a township account (the one-time password
shown once), acts on accounts through the picker (refusals named next to the form, nothing
written), reads the audit log in the UI's language with filters; other roles cannot open it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.test_overview import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_db(demo_template, tmp_path, monkeypatch):
    """A private copy of the demo district (the page writes accounts)."""
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "admin.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def admin_page(lang: str | None = None) -> AppTest:
    at = run(_user="admin", **({"lang": lang} if lang else {}))
    at.switch_page("app_pages/admin.py").run()
    ok(at)
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def account(engine, username: str) -> dict | None:
    with engine.connect() as conn:
        user = conn.execute(sa.text("SELECT * FROM app_user WHERE username = :u"), {"u": username}).mappings().first()
        if user is None:
            return None
        user = dict(user)
        user["townships"] = sorted(conn.execute(sa.text(
            "SELECT t.code FROM user_township ut JOIN township t ON t.id = ut.township_id WHERE ut.user_id = :i"),
            {"i": user["id"]}).scalars())
    return user


def rows(engine, table: str) -> list:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1"))]


def pick(at: AppTest, engine, username: str) -> AppTest:
    """Pick an account in the picker (its values are account ids, its options their labels)."""
    at.selectbox(key="acct_pick").set_value(account(engine, username)["id"]).run()
    return ok(at)


def _url() -> str:
    import os

    return os.environ["DANGONG_DATABASE_URL"]


def test_an_admin_creates_a_township_account_and_sees_its_one_time_password_once(own_db):
    at = admin_page()
    assert [tab.label for tab in at.tabs] == ["用户", "审计日志", "乡镇边界", "大屏链接", "推送"]
    assert not any("命令行" in c.value for c in at.caption)  # the old read-only hint is gone
    at.text_input(key="acct_new_username").input("yb_new")
    at.text_input(key="acct_new_display").input("越北镇新联络员")
    at.selectbox(key="acct_new_role").set_value("township")
    at.multiselect(key="acct_new_towns").set_value(["YB"])
    ok(button(at, "新建账号").click().run())
    user = account(own_db, "yb_new")
    assert user is not None and (user["role"], user["townships"], user["must_change_password"]) == (
        "township", ["YB"], True)
    assert any("已新建账号 yb\\_new" in s.value or "已新建账号 yb_new" in s.value for s in at.success)
    [code] = at.code
    password = code.value
    assert re.fullmatch(r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}", password)
    assert any("只显示这一次" in w.value for w in at.warning)
    events = [e for e in rows(own_db, "audit_event") if "yb_new" in json.dumps(e, default=str, ensure_ascii=False)]
    assert len(events) == 1 and password not in json.dumps(events, default=str)
    assert at.text_input(key="acct_new_username").value == ""  # an empty form for the next account
    users = at.dataframe[0].value
    assert "yb_new" in set(users["用户名"])
    ok(at.run())  # the next run: the password is gone for good
    assert not at.code and "_acct_one_time" not in at.session_state
    from models import accounts
    from models.db import make_engine
    from sqlmodel import Session

    engine = make_engine(_url())
    with Session(engine) as s:
        assert accounts.authenticate(s, "yb_new", password).must_change_password
        s.commit()
    engine.dispose()


def test_a_bad_new_account_is_refused_next_to_the_form_and_keeps_its_input(own_db):
    at = admin_page()
    before = rows(own_db, "app_user"), rows(own_db, "audit_event")
    at.text_input(key="acct_new_username").input("yb_none")
    at.selectbox(key="acct_new_role").set_value("township")
    ok(button(at, "新建账号").click().run())
    assert [e.value for e in at.error] == ["未保存：“乡镇”乡镇账号必须至少指定一个乡镇。"]
    at.selectbox(key="acct_new_role").set_value("staff")
    at.multiselect(key="acct_new_towns").set_value(["YB"])
    ok(button(at, "新建账号").click().run())
    assert "只有乡镇账号才能指定乡镇" in at.error[0].value
    at.text_input(key="acct_new_username").input("admin")
    at.multiselect(key="acct_new_towns").set_value([])
    ok(button(at, "新建账号").click().run())
    assert at.error[0].value == "未保存：“用户名”该用户名已存在。"
    assert at.text_input(key="acct_new_username").value == "admin"  # the form is kept
    assert (rows(own_db, "app_user"), rows(own_db, "audit_event")) == before


def test_acting_on_an_account_through_the_picker(own_db):
    at = admin_page()
    pick(at, own_db, "staff")
    assert "当前状态：正常" in " ".join(c.value for c in at.caption)
    ok(at.button(key="acct_disable").click().run())
    assert account(own_db, "staff")["disabled"]
    assert any("已停用账号 staff" in s.value for s in at.success)
    ok(at.button(key="acct_enable").click().run())
    assert not account(own_db, "staff")["disabled"]
    ok(at.button(key="acct_reset").click().run())
    [code] = at.code
    assert account(own_db, "staff")["must_change_password"] and any("只显示这一次" in w.value for w in at.warning)
    uid = account(own_db, "staff")["id"]
    at.selectbox(key=f"acct_role_{uid}").set_value("township")
    at.multiselect(key=f"acct_towns_{uid}").set_value(["YB", "QL"])
    ok(button(at, "保存角色与乡镇").click().run())
    assert (account(own_db, "staff")["role"], account(own_db, "staff")["townships"]) == ("township", ["QL", "YB"])
    at.text_input(key=f"acct_display_{uid}").input("青岚越北联络员")
    ok(button(at, "保存显示名称").click().run())
    assert account(own_db, "staff")["display_name"] == "青岚越北联络员"
    with own_db.connect() as conn:
        actions = list(conn.execute(sa.text("SELECT action FROM audit_event WHERE username = 'admin' "
                                            "AND entity_id = 'staff' ORDER BY id")).scalars())
    assert actions == ["user_disable", "user_enable", "user_passwd", "user_role", "user_rename"]


def test_an_admin_cannot_lock_themselves_out_from_the_page(own_db):
    at = admin_page()
    pick(at, own_db, "admin")
    before = rows(own_db, "app_user"), rows(own_db, "audit_event")
    ok(at.button(key="acct_disable").click().run())
    assert "不能停用自己的账号" in at.error[0].value and "“账号”" in at.error[0].value
    uid = account(own_db, "admin")["id"]
    at.selectbox(key=f"acct_role_{uid}").set_value("staff")
    ok(button(at, "保存角色与乡镇").click().run())
    assert "不能停用自己的账号或取消自己的管理员角色" in at.error[0].value
    ok(at.button(key="acct_reset").click().run())
    assert "不能在此重置自己的密码" in at.error[0].value
    assert (rows(own_db, "app_user"), rows(own_db, "audit_event")) == before


def test_a_form_drawn_before_another_admins_save_is_refused(own_db):
    at = admin_page()
    pick(at, own_db, "leader")
    with own_db.begin() as conn:  # another admin's save meanwhile
        conn.execute(sa.text("UPDATE app_user SET display_name = '别人改的', version = version + 1 WHERE username = 'leader'"))
    ok(at.button(key="acct_disable").click().run())
    assert "已被他人修改" in at.error[0].value
    assert not account(own_db, "leader")["disabled"]
    ok(at.button(key="acct_disable").click().run())  # the page has read the row again: now it saves
    assert account(own_db, "leader")["disabled"]


def test_the_audit_log_reads_in_the_ui_language_with_filters(own_db):
    at = admin_page()
    pick(at, own_db, "leader")
    ok(at.button(key="acct_disable").click().run())
    log = at.dataframe[1].value
    assert list(log.columns)[:3] == ["时间（北京时间）", "用户名", "操作"]
    assert log.iloc[0]["操作"] == "停用账号" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", log.iloc[0, 0])
    at.selectbox(key="audit_action").set_value("user_add").run()
    ok(at)
    added = at.dataframe[1].value
    assert len(added) >= 4 and set(added["操作"]) == {"新建账号"} and set(added["用户名"]) == {"seed"}
    import datetime as dt

    from dashboard.queries.dates import district_today

    today = district_today()
    at.date_input(key="audit_from").set_value(today).run()  # today's events (the copy's were all written today)
    ok(at)
    at.selectbox(key="audit_action").set_value("user_disable").run()
    assert list(at.dataframe[1].value["操作"]) == ["停用账号"]
    at.date_input(key="audit_from").set_value(today + dt.timedelta(days=1)).run()
    assert any("暂无审计记录" in i.value for i in at.info)
    at.date_input(key="audit_to").set_value(today).run()
    assert "截止日期早于起始日期" in at.warning[0].value
    en = admin_page("en")
    assert [tab.label for tab in en.tabs] == ["Users", "Audit log", "Township boundaries", "Screen links", "Push"]
    assert "Account disabled" in set(en.dataframe[1].value["Action"])


def test_the_page_is_for_admins_only(app_env):
    for who in ("leader", "staff", "yuebei"):
        at = run(_user=who)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("app_pages/admin.py")
    # the page script itself refuses too (a role check in the page, not only the navigation)
    at = AppTest.from_file(str(ROOT / "dashboard/app_pages/admin.py"), default_timeout=60)
    import datetime as dt

    from dashboard.queries.scope import Scope
    from dashboard.ui.auth import CurrentUser
    from dashboard.ui.state import Filters
    from models.enums import Role

    at.session_state["user"] = CurrentUser(1, "staff", "工作人员", Role.STAFF, Scope())
    at.session_state["filters"] = Filters(scope=Scope(), township_codes=(), as_of=dt.date(2002, 12, 31), locale="zh_CN")
    ok(at.run())
    assert [e.value for e in at.error] == ["您的角色无权使用此页面。"] and not at.dataframe and not at.tabs


def test_every_audit_action_in_the_code_has_a_name_in_both_languages():
    from dashboard.i18n import CATALOGUES

    found = set()
    for path in [p for d in ("dashboard", "models", "seed_data") for p in (ROOT / d).rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {n.targets[0].id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                     and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "audit" \
                    and len(node.args) >= 2:
                arg = node.args[1]
                values = [arg] if not isinstance(arg, ast.IfExp) else [arg.body, arg.orelse]
                for v in values:
                    if isinstance(v, ast.Constant):
                        found.add(v.value)
                    elif isinstance(v, ast.Name) and v.id in constants:
                        found.add(constants[v.id])
                    else:
                        raise AssertionError(f"{path}: an audit action this test cannot read: {ast.unparse(v)}")
    assert {"login", "login_failed", "logout", "user_add", "user_passwd_own", "boundaries_remove"} <= found
    for locale, catalogue in CATALOGUES.items():
        assert {a for a in found if f"acct.action.{a}" not in catalogue} == set(), locale
