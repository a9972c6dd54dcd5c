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
         "email": "yb@example.org", "disabled": True, "failed_logins": 2, "locked_until": dt.datetime(2026, 1, 2, 3, 4)},
    ]


def test_users_frame_in_chinese():
    df = view.users_frame(users(), "zh_CN")
    assert list(df.columns) == ["用户名", "名称", "角色", "乡镇", "邮箱", "已停用", "连续失败", "锁定至"]
    assert df.iloc[0].tolist() == ["leader", "区领导", "领导", "—", "—", False, 0, "—"]  # no township: whole district
    assert df.iloc[1].tolist()[2:7] == ["乡镇", "YB、QL", "yb@example.org", True, 2]
    assert df.iloc[1, 7] == dt.datetime(2026, 1, 2, 3, 4)


def test_users_frame_in_english_and_empty():
    df = view.users_frame(users(), "en")
    assert list(df.columns) == ["Username", "Name", "Role", "Townships", "E-mail", "Disabled", "Failures in a row",
                                "Locked until"]
    assert df["Role"].tolist() == ["leader", "township"] and "extra" not in df.columns
    empty = view.users_frame([], "en")
    assert len(empty) == 0 and list(empty.columns) == list(df.columns)


def test_audit_frame_both_locales():
    events = pd.DataFrame({"at": [dt.datetime(2026, 1, 1, 8)], "username": ["seed"], "action": ["user_created"],
                           "entity": ["user"], "entity_id": [None], "detail": [None], "before_json": [None],
                           "after_json": ['{"role": "leader"}']})
    zh = view.audit_frame(events, "zh_CN")
    assert list(zh.columns) == ["时间（UTC）", "用户名", "操作", "对象", "对象标识", "说明", "修改前", "修改后"]
    assert zh.iloc[0].tolist()[1:] == ["seed", "user_created", "user", "—", "—", "—", '{"role": "leader"}']
    assert list(view.audit_frame(events, "en").columns)[:3] == ["Time (UTC)", "Username", "Action"]
