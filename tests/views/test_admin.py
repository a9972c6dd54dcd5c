"""The administrators' tables: pure, no database and no Streamlit."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.views import admin as view


def users() -> list[dict]:
    return [
        {"username": "leader", "display_name": "区领导", "role": "leader", "townships": [], "email": None,
         "disabled": False, "failed_logins": 0, "locked_until": None, "extra": "never shown"},
        {"username": "yuebei", "display_name": "越北镇", "role": "township", "townships": ["YB", "QL"],
         "email": "yb@example.org", "disabled": True, "failed_logins": 2, "locked_until": dt.datetime(2026, 1, 2, 3, 4),
         "must_change_password": True},
    ]


def test_users_frame_in_chinese():
    df = view.users_frame(users(), "zh_CN")
    assert list(df.columns) == ["用户名", "名称", "角色", "乡镇", "邮箱", "已停用", "待本人改密", "连续失败", "锁定至"]
    assert df.iloc[0].tolist() == ["leader", "区领导", "领导", "—", "—", False, False, 0, "—"]  # no township: whole district
    assert df.iloc[1].tolist()[2:8] == ["乡镇", "YB、QL", "yb@example.org", True, True, 2]
    assert df.iloc[1, 8] == "2026-01-02 11:04:00"  # stored in UTC, shown in the district's time (UTC+8)


def test_users_frame_in_english_and_empty():
    df = view.users_frame(users(), "en")
    assert list(df.columns) == ["Username", "Name", "Role", "Townships", "E-mail", "Disabled", "Must set own password",
                                "Failures in a row", "Locked until"]
    assert df["Role"].tolist() == ["leader", "township"] and "extra" not in df.columns
    empty = view.users_frame([], "en")
    assert len(empty) == 0 and list(empty.columns) == list(df.columns)


def test_audit_frame_both_locales():
    events = pd.DataFrame({"at": [dt.datetime(2026, 1, 1, 20, 30), dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)],
                           "username": ["seed", "boss"], "action": ["user_add", "something_new"],
                           "entity": ["user", None], "entity_id": [None, None], "detail": [None, None],
                           "before_json": [None, None], "after_json": ['{"role": "leader"}', None]})
    zh = view.audit_frame(events, "zh_CN")
    assert list(zh.columns) == ["时间（北京时间）", "用户名", "操作", "对象", "对象标识", "说明", "修改前", "修改后"]
    # 20:30 UTC on 1 January is 04:30 on 2 January in the district; a naive time is UTC, as stored
    assert zh.iloc[0].tolist() == ["2026-01-02 04:30:00", "seed", "新建账号", "user", "—", "—", "—", '{"role": "leader"}']
    assert zh.iloc[1].tolist()[:3] == ["2026-01-01 16:00:00", "boss", "something_new"]  # an unknown action as stored
    en = view.audit_frame(events, "en")
    assert list(en.columns)[:3] == ["Time (Beijing)", "Username", "Action"] and en.iloc[0, 2] == "Account created"


def test_account_words():
    user = {**users()[1], "locked_until": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), "has_password": True}
    now = dt.datetime(2026, 1, 2, 3, 0, tzinfo=dt.UTC)
    assert view.account_state(user, "zh_CN", now=now) == "已停用；已锁定（连续失败 2 次）；待本人设置密码"
    later = now + dt.timedelta(hours=1)
    assert view.account_state({**user, "disabled": False, "must_change_password": False, "has_password": False},
                              "en", now=later) == "active; 2 failures in a row; single sign-on only"
    assert view.account_label(user, "zh_CN") == "yuebei · 越北镇（乡镇）"
    assert view.action_label("login_failed", "en") == "Sign-in failed" and view.action_label("x.y", "zh_CN") == "x.y"
